"""The typed model of a data file: every field declared once, with what a user needs to know.

Plain frozen dataclasses, so that reading a checked model costs nothing: the layout of a
rebuild gets its model from a worker that checked the file (``commands.finishjob``). pydantic
reads the field types (``rules.Number``, ``rules.Field``: limits and descriptions) that the
annotations name in ``data.rules``; they are strings until pydantic reads them, so ``rules``
is loaded only then: at development time, when pydantic generates the schema the check's
validator is made from (``data.validator``), and where a file fails and its messages are
worded. The loader turns YAML into plain values, and the layout can trust what it gets.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Literal, Optional

from ..deferred import deferred
from .numbers import format_number


rules = deferred(__package__ + ".rules")  # run when first read: only checking a file reads the annotations

# Comparators the articles use for targets and results, and where each goes around the number.
# Declared once: the schema's enum, the wording on the page and the attainment rules all read it.
COMPARATORS: dict[str, Literal["prefix", "suffix"]] = {
    "达到": "prefix",
    "超": "prefix",
    "超过": "prefix",
    "突破": "prefix",
    "高于": "prefix",
    "不低于": "prefix",
    "前": "prefix",
    "以上": "suffix",
    "左右": "suffix",
    "以内": "suffix",
    "以下": "suffix",
    # Added for `briefing import`: the other qualifiers plans use (review.py says how each judges).
    "不少于": "prefix",
    "至少": "prefix",
    "不超过": "prefix",
    "不高于": "prefix",
    "低于": "prefix",
    "控制在": "prefix",
    "约": "prefix",
    "近": "prefix",
}
Comparator = Literal[
    "达到", "超", "超过", "突破", "高于", "不低于", "前", "以上", "左右", "以内", "以下",
    "不少于", "至少", "不超过", "不高于", "低于", "控制在", "约", "近",
]

YEARS = (1949, 2999)  # the years a two sessions' booklet can be about


@dataclass(frozen=True, kw_only=True)
class Strict:
    """Unknown keys are errors: a misspelt key must not be silently ignored (read by pydantic)."""

    __pydantic_config__ = {"extra": "forbid", "str_strip_whitespace": True}


@dataclass(frozen=True, kw_only=True)
class Quantity(Strict):
    value: Annotated[rules.Number, rules.Field(description="数值（不含单位），如 121.39")]
    unit: Annotated[str, rules.Field(max_length=10, description="单位，紧跟在数值后，如 亿元、%、家；没有单位时留空")] = ""
    comparator: Annotated[Optional[Comparator], rules.Field(description="文章所用的限定词，如 以上、左右、达到、超、突破、高于")] = None
    value_max: Annotated[Optional[rules.Number], rules.Field(description="范围的上限（如 6%—6.5% 的 6.5）；value 为下限")] = None

    def __post_init__(self):
        """A range rises (pydantic reports the error at the quantity, as for a field)."""
        if self.value_max is not None and not self.value_max > self.value:
            raise ValueError(f"value_max（{format_number(self.value_max)}）应大于 value（{format_number(self.value)}）")

    def number_text(self) -> str:
        """The number or range with its unit: 121.39亿元, 6%—6.5% (a percent repeats its sign,
        other units come once at the end: 5000—8000万元, as GB/T 15835 writes ranges)."""
        low = format_number(self.value)
        if self.value_max is None:
            return f"{low}{self.unit}"
        high = format_number(self.value_max)
        return f"{low}%—{high}%" if self.unit == "%" else f"{low}—{high}{self.unit}"

    def text(self) -> str:
        """The quantity as it is printed and searched for in the PDF: 达到100亿元, 2300人以上."""
        core = self.number_text()
        if self.comparator is None:
            return core
        if COMPARATORS[self.comparator] == "prefix":
            return f"{self.comparator}{core}"
        return f"{core}{self.comparator}"


@dataclass(frozen=True, kw_only=True)
class Metric(Quantity):
    id: Annotated[rules.MetricId, rules.Field(description="本文件内唯一的英文标识，供 2023 目标引用，如 new-urban-jobs")]
    label: Annotated[rules.Title, rules.Field(description="指标名称，如 新增城镇就业")]
    kind: Annotated[Literal["amount", "growth", "share"], rules.Field(
        description="amount：数量；growth：增长率（%）；share：占比或完成率（%，画成进度条）")] = "amount"
    growth: Annotated[Optional[rules.Number], rules.Field(description="同比增长（%），文章给出时填写；下降为负数")] = None
    chart: Annotated[Optional[str], rules.Field(description="图表标题：同一图表标题的指标画在同一张条形图里（单位必须相同）")] = None
    short: Annotated[Optional[str], rules.Field(
        min_length=1, max_length=16, description="图表中使用的简称，如 高新技术产业占比；名称较长时填写，免得图中折行")] = None
    part_of: Annotated[Optional[rules.Id], rules.Field(description="该指标是哪个指标的一部分（那个指标的 id，单位相同），如 完成整治的自建房是排查自建房的一部分；"
                    "图中把部分画在整体之内")] = None

    def growth_text(self) -> str | None:
        """增长11.93% — or 下降2.5% for a fall, as Chinese reports write it."""
        if self.growth is None:
            return None
        word = "下降" if self.growth < 0 else "增长"
        return f"{word}{format_number(self.growth).lstrip('-+')}%"


@dataclass(frozen=True, kw_only=True)
class TargetQuantity(Quantity):
    label: Annotated[Optional[str], rules.Field(description="该数量指什么，多个数量时写明，如 企业")] = None
    baseline: Annotated[Optional[rules.MetricId], rules.Field(
        description="对应的 2022 年指标 id（results 中的 metrics[].id），用于对照")] = None
    baseline_note: Annotated[Optional[str], rules.Field(description="两年口径或单位不同时的说明（单位不同时必填）")] = None


@dataclass(frozen=True, kw_only=True)
class Target(Strict):
    text: Annotated[str, rules.Field(min_length=1, max_length=500, description="目标原文")]
    quantities: Annotated[list[TargetQuantity], rules.Field(description="目标中的量化数字")] = field(default_factory=list)


@dataclass(frozen=True, kw_only=True)
class Section(Strict):
    id: Annotated[rules.Id, rules.Field(description="本文件内唯一的英文标识，如 answer-1")]
    ordinal: Annotated[str, rules.Field(min_length=1, max_length=20, description="序号，如 答卷一、路径一")]
    title: Annotated[rules.Title, rules.Field(description="标题")]
    paragraphs: Annotated[list[str], rules.Field(description="正文段落，按原文")] = field(default_factory=list)


@dataclass(frozen=True, kw_only=True)
class Answer(Section):
    metrics: Annotated[list[Metric], rules.Field(description="量化成绩")] = field(default_factory=list)
    achievements: Annotated[list[str], rules.Field(description="定性成绩，逐条列出")] = field(default_factory=list)


@dataclass(frozen=True, kw_only=True)
class Path(Section):
    targets: Annotated[list[Target], rules.Field(description="目标清单")] = field(default_factory=list)


Status = Literal["达成", "基本达成", "未达成", "进行中"]


@dataclass(frozen=True, kw_only=True)
class ReviewQuantity(Quantity):
    label: Annotated[Optional[str], rules.Field(description="该数量指什么，如 其中企业")] = None
    result: Annotated[Optional[rules.Number], rules.Field(description="实际完成的数值，与目标同一单位；留空表示待填报")] = None

    def result_text(self) -> str:
        """The result as printed: the number in the target's own unit (2450人)."""
        return f"{format_number(self.result)}{self.unit}"


@dataclass(frozen=True, kw_only=True)
class ReviewTarget(Strict):
    text: Annotated[str, rules.Field(min_length=1, max_length=500, description="上一年的目标原文")]
    quantities: Annotated[list[ReviewQuantity], rules.Field(
        description="目标的量化数字及其完成结果")] = field(default_factory=list)
    result: Annotated[Optional[str], rules.Field(max_length=300, description="完成情况的文字说明")] = None
    status: Annotated[Optional[Status], rules.Field(
        description="达成 / 基本达成 / 未达成 / 进行中：量化目标按数字计算，可不填；定性目标在此填写")] = None


@dataclass(frozen=True, kw_only=True)
class ReviewPath(Strict):
    ordinal: Annotated[str, rules.Field(min_length=1, max_length=20, description="上一年的路径序号，如 路径一")]
    title: Annotated[rules.Title, rules.Field(description="上一年的路径标题")]
    targets: Annotated[list[ReviewTarget], rules.Field(description="该路径的目标")] = field(default_factory=list)


@dataclass(frozen=True, kw_only=True)
class Review(Strict):
    year: Annotated[rules.Year, rules.Field(description="被检查目标的年份，如 2023")]
    paths: Annotated[list[ReviewPath], rules.Field(min_length=1, description="上一年的路径及其目标")]


@dataclass(frozen=True, kw_only=True)
class Meeting(Strict):
    district: Annotated[str, rules.Field(description="区（县）名，如 雁峰区")]
    city: Annotated[str, rules.Field(description="所属城市，如 衡阳市")]
    year: Annotated[rules.Year, rules.Field(description="会议年份")]
    name: Annotated[str, rules.Field(description="会议名称，如 2023年雁峰区两会")]
    opening_date: Annotated[rules.Date, rules.Field(description="开幕日期，YYYY-MM-DD")]
    office: Annotated[str, rules.Field(description="编印单位（PDF 作者），如 雁峰区人民政府办公室")]
    issue_date: Annotated[Optional[rules.Date], rules.Field(
        description="印发日期，YYYY-MM-DD，印在封底；不填则用开幕日期（生成时间只记在 PDF 元数据里）")] = None
    headline: Annotated[rules.Title, rules.Field(description="封面主标题；可用 \\n 指定换行位置")]
    subtitle: Annotated[Optional[str], rules.Field(description="封面副标题")] = None
    population: Annotated[Optional[Quantity], rules.Field(description="常住人口，文章给出时填写")] = None
    marking: Annotated[Optional[str], rules.Field(min_length=1, max_length=24, description="分发标志，如 内部资料 注意保存：印在编号副本（build --copies）封面左上角的份号之下，"
                    "如 GB/T 9704 的密级位置；不填则不印")] = None


@dataclass(frozen=True, kw_only=True)
class Source(Strict):
    publication: Annotated[str, rules.Field(description="出处，如 衡阳日报")]
    title: Annotated[str, rules.Field(description="原文标题")]
    credits: Annotated[Optional[str], rules.Field(description="原文署名")] = None
    note: Annotated[Optional[str], rules.Field(description="封底的补充说明")] = None


@dataclass(frozen=True, kw_only=True)
class Results(Strict):
    year: Annotated[rules.Year, rules.Field(description="成绩所属年份，如 2022")]
    title: Annotated[rules.Title, rules.Field(description="本部分标题")]
    paragraphs: Annotated[list[str], rules.Field(description="本部分导语")] = field(default_factory=list)
    answers: Annotated[list[Answer], rules.Field(min_length=1, description="答卷")]


@dataclass(frozen=True, kw_only=True)
class Plan(Strict):
    year: Annotated[rules.Year, rules.Field(description="计划年份，如 2023")]
    title: Annotated[rules.Title, rules.Field(description="本部分标题")]
    paragraphs: Annotated[list[str], rules.Field(description="本部分导语")] = field(default_factory=list)
    paths: Annotated[list[Path], rules.Field(min_length=1, description="路径")]


@dataclass(frozen=True, kw_only=True)
class Labels(Strict):
    """The booklet's fixed wording: defaults here, any of it can be changed in the data file."""

    booklet: Annotated[str, rules.Field(description="封面上方的资料类别")] = "参阅资料"
    contents: Annotated[str, rules.Field(description="目录页标题")] = "目录"
    foreword: Annotated[str, rules.Field(description="前言标题")] = "前言"
    glance: Annotated[str, rules.Field(description="一览页标题，{results} 为成绩年份")] = "{results}年成绩一览"
    compare: Annotated[str, rules.Field(description="对照页标题，{plan} 为计划年份")] = "{results}年成绩与{plan}年目标对照"
    compare_metric: Annotated[str, rules.Field(description="对照表 2022 列表头")] = "{results}年成绩"
    compare_target: Annotated[str, rules.Field(description="对照表 2023 列表头")] = "{plan}年目标"
    compare_item: Annotated[str, rules.Field(description="对照表第一列表头")] = "事项"
    compare_note: Annotated[str, rules.Field(description="对照表说明列表头")] = "说明"
    achievements: Annotated[str, rules.Field(description="定性成绩列表标题")] = "主要成绩"
    key_figures: Annotated[str, rules.Field(description="主要数据标题")] = "主要数据"
    checklist: Annotated[str, rules.Field(description="目标清单标题")] = "目标清单"
    check_target: Annotated[str, rules.Field(description="清单表头")] = "目标"
    check_quantity: Annotated[str, rules.Field(description="清单表头")] = "量化指标"
    check_baseline: Annotated[str, rules.Field(description="清单表头")] = "{results}年基数"
    check_status: Annotated[str, rules.Field(description="清单表头（留空供填写）")] = "完成情况/备注"
    growth_chart: Annotated[str, rules.Field(description="增长率图标题")] = "增长率"
    share_chart: Annotated[str, rules.Field(description="占比图标题")] = "完成率与占比"
    continued: Annotated[str, rules.Field(description="图表分成两张、表格接续到下一页时，加在标题后的字样")] = "（续）"
    closing: Annotated[str, rules.Field(description="结语标题")] = "结语"
    notes: Annotated[str, rules.Field(description="笔记页标题")] = "笔记"
    source: Annotated[str, rules.Field(description="封底出处标题")] = "资料来源"
    issued: Annotated[str, rules.Field(description="封底印发日期的字样")] = "印发日期"
    cover: Annotated[str, rules.Field(description="PDF 页码标签：封面")] = "封面"
    back_cover: Annotated[str, rules.Field(description="PDF 页码标签：封底")] = "封底"
    delegate: Annotated[str, rules.Field(description="编号副本封面上的代表称谓，{name} 为名单中的姓名")] = "{name} 代表"
    copy_number: Annotated[str, rules.Field(description="编号副本每页页脚的份号，{number} 为份号")] = "第 {number} 份"
    watermark: Annotated[str, rules.Field(
        description="电子副本（--email）每页的斜向水印，{name} 为姓名，{number} 为份号")] = "{name} {number}"

    review: Annotated[str, rules.Field(description="目标完成情况一节的标题")] = "{review}年目标完成情况"
    review_target: Annotated[str, rules.Field(description="完成情况表头")] = "目标"
    review_quantity: Annotated[str, rules.Field(description="完成情况表头")] = "目标值"
    review_result: Annotated[str, rules.Field(description="完成情况表头")] = "完成结果"
    review_status: Annotated[str, rules.Field(description="完成情况表头")] = "完成情况"
    review_chart: Annotated[str, rules.Field(description="每条路径完成情况图的标题")] = "目标完成情况"
    review_unit: Annotated[str, rules.Field(description="完成情况图的单位")] = "项"
    pending: Annotated[str, rules.Field(description="尚未填报结果时显示的字样")] = "待填报"

    figure: Annotated[str, rules.Field(description="图号，{n} 为全书图表的序号")] = "图{n}"
    chart_unit: Annotated[str, rules.Field(description="图题中的单位说明")] = "单位：{unit}"
    chart_broken: Annotated[str, rules.Field(description="图题中说明某些柱过长、已截断")] = "{labels}的柱已截断"
    all_done: Annotated[str, rules.Field(description="占比或完成率全部为 100% 时，代替图表的一行文字的开头")] = "全部完成"
    part_share: Annotated[str, rules.Field(description="部分占整体的比例，{share} 为百分数")] = "占{share}"
    compare_chart: Annotated[str, rules.Field(description="对照图的标题")] = "{results}年成绩与{plan}年目标"
    compare_scale: Annotated[str, rules.Field(description="对照图图题中的刻度说明")] = "以{plan}年目标为100%"
    alt_bars: Annotated[str, rules.Field(description="图表文字说明（替代文字）的开头：数量条形图")] = "条形图"
    alt_growth: Annotated[str, rules.Field(description="替代文字的开头：增长率图")] = "增长率条形图"
    alt_gauge: Annotated[str, rules.Field(description="替代文字的开头：占比与完成率图")] = "进度条图"
    alt_parts: Annotated[str, rules.Field(description="替代文字的开头：部分与整体图、对照图")] = "部分与整体图"
    alt_status: Annotated[str, rules.Field(description="替代文字的开头：目标完成情况图")] = "堆积条形图"
    of_which: Annotated[str, rules.Field(description="替代文字中“整体……其中部分……”的连接词")] = "其中"

    def __post_init__(self):
        """A numbered copy must show whose and which copy it is: the placeholders cannot go."""
        for key, needed in (("delegate", ("{name}",)), ("copy_number", ("{number}",)),
                            ("watermark", ("{name}", "{number}"))):
            lost = [n for n in needed if n not in getattr(self, key)]
            if lost:
                raise ValueError(f"labels.{key} 须含 {'、'.join(lost)}（编号副本靠它印出姓名与份号）")

    def fill(self, text: str, doc: "Briefing") -> str:
        text = text.replace("{results}", str(doc.results.year)).replace("{plan}", str(doc.plan.year))
        return text.replace("{review}", str(doc.review.year)) if doc.review else text


@dataclass(frozen=True, kw_only=True)
class Briefing(Strict):
    """A whole data file: one district, one year's two sessions."""

    meeting: Meeting
    source: Source
    foreword: Annotated[list[str], rules.Field(description="前言段落")] = field(default_factory=list)
    results: Results
    plan: Plan
    closing: Annotated[list[str], rules.Field(description="结语段落")] = field(default_factory=list)
    review: Annotated[Optional[Review], rules.Field(description="上一年目标的完成情况（briefing new 生成）")] = None
    labels: Annotated[Labels, rules.Field(description="版面固定用语，可不填")] = field(default_factory=Labels)

    def metrics(self) -> dict[str, Metric]:
        return {m.id: m for a in self.results.answers for m in a.metrics}

    def links(self) -> list[tuple[Path, Target, TargetQuantity, Metric]]:
        """Every 2023 quantity that continues a 2022 figure, in the order of the plan."""
        by_id = self.metrics()
        return [
            (p, t, q, by_id[q.baseline])
            for p in self.plan.paths
            for t in p.targets
            for q in t.quantities
            if q.baseline in by_id
        ]

    def figures(self) -> list[str]:
        """Every figure the booklet must print, as it is printed: what verification searches."""
        out = [m.text() for a in self.results.answers for m in a.metrics]
        out += [g for a in self.results.answers for m in a.metrics if (g := m.growth_text())]
        out += [q.text() for p in self.plan.paths for t in p.targets for q in t.quantities]
        if self.review:
            for p in self.review.paths:
                for t in p.targets:
                    out += [q.text() for q in t.quantities]
                    out += [q.result_text() for q in t.quantities if q.result is not None]
        return out
