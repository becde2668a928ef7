"""The typed model of a data file: every field declared once, with what a user needs to know.

Validation lives here (pydantic), so the loader only has to turn YAML into plain values and
the layout can trust what it gets.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Annotated, Literal, Optional

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainValidator, model_validator

from .numbers import Unquoted, Written, _plain, format_number, shown  # noqa: F401  (the model's numbers)

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


def _number(value):
    """Only real numbers: YAML's ``true`` or a quoted "15" must not pass as a figure."""
    if isinstance(value, Written):
        return value
    if isinstance(value, Unquoted):
        return Written(value)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"需要数字，得到 {shown(value)}")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"需要有限的数字，得到 {value}")
    return Written(str(value) if isinstance(value, int) else _plain(value))


# Plain: pydantic's own float check would turn the Written back into a bare float.
Number = Annotated[float, PlainValidator(_number, json_schema_input_type=float)]

YEARS = (1949, 2999)  # the years a two sessions' booklet can be about


def _year(value):
    """A year is a plain integer in reason: YAML's ``true`` (1), a quoted "2023" or 2023.0 is not."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"年份需要整数（如 2023，不加引号），得到 {shown(value)}")
    if not YEARS[0] <= value <= YEARS[1]:
        raise ValueError(f"年份应在 {YEARS[0]} 到 {YEARS[1]} 之间，得到 {value}")
    return value


def _date(value):
    """A date is a YAML date (2023-03-20), or the same written in quotes; never a number (which
    pydantic would read as seconds since 1970) and never a date with a time of day."""
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        try:
            value = dt.date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(f"不是有效的日期：{shown(value)}（格式 YYYY-MM-DD）") from None
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise ValueError(f"需要日期（格式 YYYY-MM-DD，如 2023-03-20），得到 {shown(value)}")
    if not YEARS[0] <= value.year <= YEARS[1]:
        raise ValueError(f"日期的年份应在 {YEARS[0]} 到 {YEARS[1]} 之间，得到 {value.isoformat()}")
    return value


Year = Annotated[int, Field(ge=YEARS[0], le=YEARS[1]), BeforeValidator(_year)]
Date = Annotated[dt.date, BeforeValidator(_date)]
Id = Annotated[str, Field(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$",
                          description="英文标识：字母、数字、-、_、.")]
Title = Annotated[str, Field(min_length=1, max_length=120)]
# A metric's id may also be Chinese (新增城镇就业): `briefing import` derives ids from the labels,
# and a clerk reads 基数 “新增城镇就业” in Excel more easily than a transliteration.
MetricId = Annotated[str, Field(min_length=1, max_length=80,
                                pattern=r"^[A-Za-z0-9\u3400-\u9fff][A-Za-z0-9\u3400-\u9fff_.-]*$",
                                description="标识：字母、数字、汉字、-、_、.")]


class Strict(BaseModel):
    """Unknown keys are errors: a misspelt key must not be silently ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Quantity(Strict):
    value: Number = Field(description="数值（不含单位），如 121.39")
    unit: str = Field(default="", max_length=10, description="单位，紧跟在数值后，如 亿元、%、家；没有单位时留空")
    comparator: Optional[Comparator] = Field(
        default=None, description="文章所用的限定词，如 以上、左右、达到、超、突破、高于"
    )
    value_max: Optional[Number] = Field(
        default=None, description="范围的上限（如 6%—6.5% 的 6.5）；value 为下限"
    )

    @model_validator(mode="after")
    def _range_rises(self):
        if self.value_max is not None and not self.value_max > self.value:
            raise ValueError(f"value_max（{format_number(self.value_max)}）应大于 value（{format_number(self.value)}）")
        return self

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


class Metric(Quantity):
    id: MetricId = Field(description="本文件内唯一的英文标识，供 2023 目标引用，如 new-urban-jobs")
    label: Title = Field(description="指标名称，如 新增城镇就业")
    kind: Literal["amount", "growth", "share"] = Field(
        default="amount",
        description="amount：数量；growth：增长率（%）；share：占比或完成率（%，画成进度条）",
    )
    growth: Optional[Number] = Field(default=None, description="同比增长（%），文章给出时填写；下降为负数")
    chart: Optional[str] = Field(
        default=None,
        description="图表标题：同一图表标题的指标画在同一张条形图里（单位必须相同）",
    )
    short: Optional[str] = Field(
        default=None, min_length=1, max_length=16,
        description="图表中使用的简称，如 高新技术产业占比；名称较长时填写，免得图中折行",
    )
    part_of: Optional[Id] = Field(
        default=None,
        description="该指标是哪个指标的一部分（那个指标的 id，单位相同），如 完成整治的自建房是排查自建房的一部分；"
                    "图中把部分画在整体之内",
    )

    def growth_text(self) -> str | None:
        """增长11.93% — or 下降2.5% for a fall, as Chinese reports write it."""
        if self.growth is None:
            return None
        word = "下降" if self.growth < 0 else "增长"
        return f"{word}{format_number(self.growth).lstrip('-+')}%"


class TargetQuantity(Quantity):
    label: Optional[str] = Field(default=None, description="该数量指什么，多个数量时写明，如 企业")
    baseline: Optional[MetricId] = Field(
        default=None, description="对应的 2022 年指标 id（results 中的 metrics[].id），用于对照"
    )
    baseline_note: Optional[str] = Field(
        default=None, description="两年口径或单位不同时的说明（单位不同时必填）"
    )


class Target(Strict):
    text: str = Field(min_length=1, max_length=500, description="目标原文")
    quantities: list[TargetQuantity] = Field(default_factory=list, description="目标中的量化数字")


class Section(Strict):
    id: Id = Field(description="本文件内唯一的英文标识，如 answer-1")
    ordinal: str = Field(min_length=1, max_length=20, description="序号，如 答卷一、路径一")
    title: Title = Field(description="标题")
    paragraphs: list[str] = Field(default_factory=list, description="正文段落，按原文")


class Answer(Section):
    metrics: list[Metric] = Field(default_factory=list, description="量化成绩")
    achievements: list[str] = Field(default_factory=list, description="定性成绩，逐条列出")


class Path(Section):
    targets: list[Target] = Field(default_factory=list, description="目标清单")


Status = Literal["达成", "基本达成", "未达成", "进行中"]


class ReviewQuantity(Quantity):
    label: Optional[str] = Field(default=None, description="该数量指什么，如 其中企业")
    result: Optional[Number] = Field(
        default=None, description="实际完成的数值，与目标同一单位；留空表示待填报")

    def result_text(self) -> str:
        """The result as printed: the number in the target's own unit (2450人)."""
        return f"{format_number(self.result)}{self.unit}"


class ReviewTarget(Strict):
    text: str = Field(min_length=1, max_length=500, description="上一年的目标原文")
    quantities: list[ReviewQuantity] = Field(default_factory=list, description="目标的量化数字及其完成结果")
    result: Optional[str] = Field(default=None, max_length=300, description="完成情况的文字说明")
    status: Optional[Status] = Field(
        default=None,
        description="达成 / 基本达成 / 未达成 / 进行中：量化目标按数字计算，可不填；定性目标在此填写",
    )


class ReviewPath(Strict):
    ordinal: str = Field(min_length=1, max_length=20, description="上一年的路径序号，如 路径一")
    title: Title = Field(description="上一年的路径标题")
    targets: list[ReviewTarget] = Field(default_factory=list, description="该路径的目标")


class Review(Strict):
    year: Year = Field(description="被检查目标的年份，如 2023")
    paths: list[ReviewPath] = Field(min_length=1, description="上一年的路径及其目标")


class Meeting(Strict):
    district: str = Field(description="区（县）名，如 雁峰区")
    city: str = Field(description="所属城市，如 衡阳市")
    year: Year = Field(description="会议年份")
    name: str = Field(description="会议名称，如 2023年雁峰区两会")
    opening_date: Date = Field(description="开幕日期，YYYY-MM-DD")
    office: str = Field(description="编印单位（PDF 作者），如 雁峰区人民政府办公室")
    issue_date: Optional[Date] = Field(
        default=None, description="印发日期，YYYY-MM-DD，印在封底；不填则用开幕日期（生成时间只记在 PDF 元数据里）")
    headline: Title = Field(description="封面主标题；可用 \\n 指定换行位置")
    subtitle: Optional[str] = Field(default=None, description="封面副标题")
    population: Optional[Quantity] = Field(default=None, description="常住人口，文章给出时填写")
    marking: Optional[str] = Field(
        default=None, min_length=1, max_length=24,
        description="分发标志，如 内部资料 注意保存：印在编号副本（build --copies）封面左上角的份号之下，"
                    "如 GB/T 9704 的密级位置；不填则不印")


class Source(Strict):
    publication: str = Field(description="出处，如 衡阳日报")
    title: str = Field(description="原文标题")
    credits: Optional[str] = Field(default=None, description="原文署名")
    note: Optional[str] = Field(default=None, description="封底的补充说明")


class Results(Strict):
    year: Year = Field(description="成绩所属年份，如 2022")
    title: Title = Field(description="本部分标题")
    paragraphs: list[str] = Field(default_factory=list, description="本部分导语")
    answers: list[Answer] = Field(min_length=1, description="答卷")


class Plan(Strict):
    year: Year = Field(description="计划年份，如 2023")
    title: Title = Field(description="本部分标题")
    paragraphs: list[str] = Field(default_factory=list, description="本部分导语")
    paths: list[Path] = Field(min_length=1, description="路径")


class Labels(Strict):
    """The booklet's fixed wording: defaults here, any of it can be changed in the data file."""

    booklet: str = Field(default="参阅资料", description="封面上方的资料类别")
    contents: str = Field(default="目录", description="目录页标题")
    foreword: str = Field(default="前言", description="前言标题")
    glance: str = Field(default="{results}年成绩一览", description="一览页标题，{results} 为成绩年份")
    compare: str = Field(
        default="{results}年成绩与{plan}年目标对照", description="对照页标题，{plan} 为计划年份"
    )
    compare_metric: str = Field(default="{results}年成绩", description="对照表 2022 列表头")
    compare_target: str = Field(default="{plan}年目标", description="对照表 2023 列表头")
    compare_item: str = Field(default="事项", description="对照表第一列表头")
    compare_note: str = Field(default="说明", description="对照表说明列表头")
    achievements: str = Field(default="主要成绩", description="定性成绩列表标题")
    key_figures: str = Field(default="主要数据", description="主要数据标题")
    checklist: str = Field(default="目标清单", description="目标清单标题")
    check_target: str = Field(default="目标", description="清单表头")
    check_quantity: str = Field(default="量化指标", description="清单表头")
    check_baseline: str = Field(default="{results}年基数", description="清单表头")
    check_status: str = Field(default="完成情况/备注", description="清单表头（留空供填写）")
    growth_chart: str = Field(default="增长率", description="增长率图标题")
    share_chart: str = Field(default="完成率与占比", description="占比图标题")
    continued: str = Field(default="（续）", description="图表分成两张、表格接续到下一页时，加在标题后的字样")
    closing: str = Field(default="结语", description="结语标题")
    notes: str = Field(default="笔记", description="笔记页标题")
    source: str = Field(default="资料来源", description="封底出处标题")
    issued: str = Field(default="印发日期", description="封底印发日期的字样")
    cover: str = Field(default="封面", description="PDF 页码标签：封面")
    back_cover: str = Field(default="封底", description="PDF 页码标签：封底")
    delegate: str = Field(default="{name} 代表", description="编号副本封面上的代表称谓，{name} 为名单中的姓名")
    copy_number: str = Field(default="第 {number} 份", description="编号副本每页页脚的份号，{number} 为份号")
    watermark: str = Field(default="{name} {number}",
                           description="电子副本（--email）每页的斜向水印，{name} 为姓名，{number} 为份号")

    review: str = Field(default="{review}年目标完成情况", description="目标完成情况一节的标题")
    review_target: str = Field(default="目标", description="完成情况表头")
    review_quantity: str = Field(default="目标值", description="完成情况表头")
    review_result: str = Field(default="完成结果", description="完成情况表头")
    review_status: str = Field(default="完成情况", description="完成情况表头")
    review_chart: str = Field(default="目标完成情况", description="每条路径完成情况图的标题")
    review_unit: str = Field(default="项", description="完成情况图的单位")
    pending: str = Field(default="待填报", description="尚未填报结果时显示的字样")

    figure: str = Field(default="图{n}", description="图号，{n} 为全书图表的序号")
    chart_unit: str = Field(default="单位：{unit}", description="图题中的单位说明")
    chart_broken: str = Field(default="{labels}的柱已截断", description="图题中说明某些柱过长、已截断")
    all_done: str = Field(default="全部完成", description="占比或完成率全部为 100% 时，代替图表的一行文字的开头")
    part_share: str = Field(default="占{share}", description="部分占整体的比例，{share} 为百分数")
    compare_chart: str = Field(default="{results}年成绩与{plan}年目标", description="对照图的标题")
    compare_scale: str = Field(default="以{plan}年目标为100%", description="对照图图题中的刻度说明")
    alt_bars: str = Field(default="条形图", description="图表文字说明（替代文字）的开头：数量条形图")
    alt_growth: str = Field(default="增长率条形图", description="替代文字的开头：增长率图")
    alt_gauge: str = Field(default="进度条图", description="替代文字的开头：占比与完成率图")
    alt_parts: str = Field(default="部分与整体图", description="替代文字的开头：部分与整体图、对照图")
    alt_status: str = Field(default="堆积条形图", description="替代文字的开头：目标完成情况图")
    of_which: str = Field(default="其中", description="替代文字中“整体……其中部分……”的连接词")

    @model_validator(mode="after")
    def _copy_fields(self):
        """A numbered copy must show whose and which copy it is: the placeholders cannot go."""
        for key, needed in (("delegate", ("{name}",)), ("copy_number", ("{number}",)),
                            ("watermark", ("{name}", "{number}"))):
            lost = [n for n in needed if n not in getattr(self, key)]
            if lost:
                raise ValueError(f"labels.{key} 须含 {'、'.join(lost)}（编号副本靠它印出姓名与份号）")
        return self

    def fill(self, text: str, doc: "Briefing") -> str:
        text = text.replace("{results}", str(doc.results.year)).replace("{plan}", str(doc.plan.year))
        return text.replace("{review}", str(doc.review.year)) if doc.review else text


class Briefing(Strict):
    """A whole data file: one district, one year's two sessions."""

    meeting: Meeting
    source: Source
    foreword: list[str] = Field(default_factory=list, description="前言段落")
    results: Results
    plan: Plan
    closing: list[str] = Field(default_factory=list, description="结语段落")
    review: Optional[Review] = Field(default=None, description="上一年目标的完成情况（briefing new 生成）")
    labels: Labels = Field(default_factory=Labels, description="版面固定用语，可不填")

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
