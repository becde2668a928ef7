"""The extraction rules every source kind shares: figures, metrics of an answer, targets of a path.

Rule-based on purpose: an office must be able to see why a figure was (not) taken, and the
draft is reviewed by a person anyway. What counts as a figure: a number with a unit of the
list below (with 万/亿 and 余/多 before it), not a year, date, ordinal, address or name
(5G, 3A级, PM2.5, anything “in quotes”, 15分钟生活圈).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..numbers import Written
from .clean import numerals

BASE_UNITS = [
    "个百分点", "个工作日", "工作日", "个季度", "个月", "个小时", "微克/立方米", "毫克/立方米", "立方米", "平方米", "平方公里", "平方千米", "千瓦时", "千瓦", "兆瓦",
    "公里", "千米", "公顷", "人次", "户次", "架次", "车次", "标箱", "美元", "元", "吨", "公斤", "千克", "亩", "人",
    "户", "家", "个", "项", "座", "栋", "套", "所", "名", "件", "次", "条", "台", "辆", "张", "份", "场", "处", "批",
    "支", "间", "天", "小时", "分钟", "倍", "%", "‰", "床", "篇", "本", "部", "款", "株", "棵", "头", "只", "艘",
    "米", "瓦", "克",
]
# 余/多 ("more than") after the number as written: 20余家, 1万余人, and before the magnitude too:
# 4200余万元, 300多万人 (kept in the unit, so the booklet prints the figure as the article does).
UNIT = (r"(?:(?:(?:余|多)?(?:万亿|亿|万|千))?(?:余|多)?(?:"
        + "|".join(re.escape(u) for u in sorted(BASE_UNITS, key=len, reverse=True))
        + r")|(?:余|多)?(?:万亿|亿|万)(?:余|多)?)")  # …and a bare 亿 or 万 (游客突破300万)
NUM = r"\d+(?:\.\d+)?"
PREFIXES = ["不少于", "不低于", "不超过", "不高于", "至少", "超过", "突破", "高于", "低于", "控制在", "达到", "超", "约", "近", "前"]
SUFFIXES = ["以上", "以内", "以下", "左右"]
FIGURE = re.compile(
    rf"(?<![A-Za-z\d.])(?P<low>{NUM})(?:(?P<lowunit>{UNIT})?\s*[—–\-~～至到]\s*(?P<high>{NUM}))?(?P<unit>{UNIT})"
    rf"(?![A-Za-z\d])(?P<suffix>{'|'.join(SUFFIXES)})?")
RESULT_COMPARATORS = {"超过", "超", "突破", "高于", "不少于", "不低于", "至少", "约", "近", "前", "以上", "以内",
                      "以下", "左右"}
GROWTH = re.compile(r"(?P<lead>同比|比上年|较上年|比去年|较去年|年均)?(?P<word>增长|下降|提高|降低|减少|上升|增加)$")
GROWTH_DOWN = ("下降", "降低", "减少")
QUOTES = {"“": "”", "《": "》", "「": "」", "『": "』", "\"": "\""}
NAME_AFTER = re.compile(r"^[^，。；、]{0,5}圈")  # 15分钟生活圈, 1小时经济圈: a name, not a figure
LEAD_FILLERS = re.compile(r"^(?:这一年|一年来|全年|今年|去年|新的一年|全区|全县|全市|全镇|该区|该县|我区|我县|共计|共|"
                          r"(?:19|20)\d\d年度?|完成|实现|其中)+")
TAIL_FILLERS = re.compile(r"(?:均已|均|分别|达到|达|为|完成|实现|共|累计|约|已|降至|增至|提高到|降到|增加到)+$")
SHARE_WORDS = ("率", "比重", "占", "比例", "覆盖面")  # 占: 占一般公共预算支出的81.2%
SHARE_AFTER = ("达标", "覆盖", "全覆盖")


@dataclass
class Figure:
    start: int
    end: int
    value: float
    unit: str
    comparator: str | None = None
    value_max: float | None = None

    def as_dict(self) -> dict:
        d = {"value": self.value, "unit": self.unit}
        if self.value_max is not None:
            d["value_max"] = self.value_max
        if self.comparator:
            d["comparator"] = self.comparator
        return d


def _number(text: str) -> float:
    """The figure as the article writes it: every digit kept (a float would round a 30-digit one)."""
    try:
        return int(text)
    except ValueError:
        return Written(text)


def quoted_spans(text: str) -> list[tuple[int, int]]:
    spans, open_at, closer = [], None, None
    for i, c in enumerate(text):
        if open_at is None and c in QUOTES:
            open_at, closer = i, QUOTES[c]
        elif open_at is not None and c == closer:
            spans.append((open_at, i + 1))
            open_at = None
    return spans


def figures(text: str, plan: bool) -> list[Figure]:
    """Every figure of a clause (already through ``numerals``), in order."""
    quoted = quoted_spans(text)
    out: list[Figure] = []
    for m in FIGURE.finditer(text):
        start, end = m.start(), m.end()
        if any(a < start < b for a, b in quoted):
            continue
        if text[max(0, start - 1):start] == "第":
            continue
        unit = m.group("unit")
        if unit in ("分钟", "小时", "公里", "米") and NAME_AFTER.match(text[end:]):
            continue
        if re.match(rf"\s*(?:{NUM})", text[end:end + 3]) and unit.endswith("个") and not m.group("high"):
            continue  # 2个100亿元: a multiplier phrase, the figure is what follows
        fig = Figure(start, end, _number(m.group("low")), unit)
        if m.group("high"):
            low_unit = m.group("lowunit")
            if low_unit and low_unit != unit:
                continue
            fig.value_max = _number(m.group("high"))
            if not fig.value_max > fig.value:
                fig.value_max = None
        before = text[:start]
        prefix = next((p for p in PREFIXES if before.endswith(p)), None)
        if prefix == "前" and not unit.endswith("名") and not unit.endswith("位"):
            prefix = None
        if prefix:
            fig.start = start - len(prefix)
        suffix = m.group("suffix")
        comparator = suffix or prefix
        if not plan and comparator not in RESULT_COMPARATORS:
            comparator = None
        fig.comparator = comparator
        out.append(fig)
    return out


def split_keep(text: str, marks: str) -> list[str]:
    """Split after each of ``marks`` outside quotes (the mark stays with the left part)."""
    parts, depth, buf = [], 0, ""
    for c in text:
        buf += c
        if c in "“《「『（(":
            depth += 1
        elif c in "”》」』）)":
            depth = max(0, depth - 1)
        elif c in marks and depth == 0:
            parts.append(buf)
            buf = ""
    if buf:
        parts.append(buf)
    return parts


def sentences(paragraph: str) -> list[str]:
    out = []
    for s in split_keep(paragraph.replace("……", "…"), "。！？…"):
        s = s.strip()
        if s.strip("。！？…；，"):
            out.append(s)
    return out


def clauses(sentence: str) -> list[str]:
    return [c for c in (x.strip() for x in split_keep(sentence, "；")) if c.strip("。！？…；，")]


def _trim(text: str) -> str:
    return text.strip("。！？…；，、：:—- ")


def label_of(segment: str, fig: Figure) -> str:
    """The phrase that names a figure, wherever it stands: 规模工业总产值 (完成…121.39亿元),
    重大隐患得到有效治理 (348个…), 白沙大道提质改造 (完成白沙大道1.6公里提质改造)."""
    before, after = segment[:fig.start], segment[fig.end:]
    before = LEAD_FILLERS.sub("", _trim(before))
    before = TAIL_FILLERS.sub("", before)
    after = _trim(after)
    if before and after and len(after) > 12:
        after = ""
    label = _trim(before + after)
    label = LEAD_FILLERS.sub("", label)
    return label or segment.strip()


def _kind(label: str, after: str, fig: Figure) -> str:
    if fig.unit != "%" or fig.value_max is not None:
        return "amount"
    if label.endswith(("增长", "增速", "增幅")):
        return "growth"
    if 0 <= fig.value <= 100 and (any(w in label for w in SHARE_WORDS) or after.startswith(SHARE_AFTER)):
        return "share"
    return "amount"


@dataclass
class Extracted:
    """One metric of an answer, and the sentence it came from (shown beside it in Excel)."""

    label: str
    figure: Figure
    kind: str = "amount"
    growth: float | None = None
    sentence: str = ""


SHARED = re.compile(rf"(?P<items>[^，；“”]+?)“?(?P<count>\d+)个(?P<value>{NUM})(?P<unit>%)”?$")


def _shared(segment: str) -> list[tuple[str, float]] | None:
    """见面率、办复率、满意率和网上公开率“四个100%”: one figure shared by the items listed."""
    m = SHARED.search(_trim(segment))
    if not m:
        return None
    items = [LEAD_FILLERS.sub("", i.strip()) for i in re.split(r"、|和|及|与", m.group("items"))]
    items = [i for i in items if i]
    if len(items) != int(m.group("count")):
        return None
    return [(i, _number(m.group("value"))) for i in items]


def _segments(clause: str) -> list[str]:
    """A clause cut at its commas, and at 、 where each side holds a figure of its own."""
    out = []
    for seg in split_keep(clause, "，"):
        parts = split_keep(seg, "、")
        if len(parts) > 1 and sum(1 for p in parts if figures(p, False)) == len(parts):
            out += parts
        else:
            out.append(seg)
    return out


LIST_SEP = re.compile(r"、|和|及|与")
# A first item ending so names a measure of its own (进出口总额和实际利用外资): no head is shared.
MEASURE_END = re.compile(r"(?:值|额|量|率|数|收入|投资|外资|支出|面积|产值|总值|GDP|规模|比重|人次|利润|税收|营收)$")


def _listed(text: str, plan: bool = False) -> list[tuple[str, str]] | None:
    """``text`` as a list of figures joined by 、/和/及/与 and nothing else, each with the words
    before it (比上年增长12.5%和下降8.3% → [(比上年增长, 12.5%), (下降, 8.3%)])."""
    figs = figures(text, plan)
    if len(figs) < 2 or _trim(text[figs[-1].end:]):
        return None
    out, at = [], 0
    for i, f in enumerate(figs):
        words = text[at:f.start]
        if i:
            sep = LIST_SEP.match(words)
            if not sep:
                return None
            words = words[sep.end():]
        if re.search(r"\d|[，；、]", words) or (i and len(words) > 4):
            return None
        out.append((words, text[f.start:f.end]))
        at = f.end
    return out


def _items(subject: str, n: int) -> list[str] | None:
    """The ``n`` items a 分别 sentence lists, the head noun they share given to each:
    城镇居民和农村居民人均可支配收入 → 城镇居民人均可支配收入, 农村居民人均可支配收入. The last
    item is as many words (jieba's) as the first; what follows it is the shared head, unless
    the first item names a measure itself or the two end in the same word (工业投资、技改投资)."""
    from ...words import tagged

    items = [i for i in LIST_SEP.split(LEAD_FILLERS.sub("", subject)) if i]
    if len(items) != n or not all(items):
        return None
    first, last = [w for w, _ in tagged(items[0])], [w for w, _ in tagged(items[-1])]
    if MEASURE_END.search(items[0]) or len(last) <= len(first) or first[-1] == last[-1]:
        return items
    head = "".join(last[len(first):])
    return [i + head for i in items[:-1]] + ["".join(last[:len(first)]) + head]


def _distributed(clause: str) -> list[str]:
    """A clause with 分别 pairing n items with n figures (A和B分别达到X和Y，分别增长a和b), as
    one clause an item (A达到X，增长a；B达到Y，增长b); any other clause as it is."""
    segs = split_keep(clause, "，")
    for k, seg in enumerate(segs):
        body = _trim(seg)
        if "分别" not in body:
            continue
        subject, _, rest = body.partition("分别")
        listed = _listed(rest)
        if not listed or not LIST_SEP.search(subject):
            continue
        n = len(listed)
        items = _items(subject, n)
        if not items:
            continue
        parts = [[f"{item}{words or listed[0][0]}{fig}"] for item, (words, fig) in zip(items, listed)]
        j = k + 1
        while j < len(segs) and _trim(segs[j]).startswith("分别"):
            more = _listed(_trim(segs[j])[2:])
            if not more or len(more) != n:
                break
            for part, (words, fig) in zip(parts, more):
                part.append(f"{words or more[0][0]}{fig}")
            j += 1
        before, after = "".join(segs[:k]), "".join(segs[j:])
        return ([before] if _trim(before) else []) + ["，".join(p) + "；" for p in parts] \
            + (_distributed(after) if _trim(after) else [])
    return [clause]


def metrics_of(paragraph: str) -> list[Extracted]:
    out: list[Extracted] = []
    for sentence in sentences(paragraph):
        converted = numerals(sentence)
        last: Extracted | None = None
        for clause in (c for whole in clauses(converted) for c in _distributed(whole)):
            for seg in _segments(clause):
                shared = _shared(seg)
                if shared:
                    for item, value in shared:
                        f = Figure(0, 0, value, "%")
                        kind = "share" if item.endswith("率") and 0 <= value <= 100 else "amount"
                        out.append(Extracted(item, f, kind, sentence=sentence))
                    last = None
                    continue
                for fig in figures(seg, plan=False):
                    head = _trim(seg[:fig.start])
                    g = GROWTH.search(head)
                    bare = g is not None and not head[:g.start()].strip("，、 ")
                    if bare and last is not None and fig.unit == "%" and last.growth is None:
                        last.growth = -fig.value if g.group("word") in GROWTH_DOWN else fig.value
                        continue
                    if bare and last is not None and fig.unit == "个百分点":
                        out.append(Extracted(last.label + head, fig, sentence=sentence))
                        continue
                    label = label_of(seg, fig)
                    if bare and last is None and fig.unit == "%":
                        label = head
                    after = _trim(seg[fig.end:])
                    item = Extracted(label, fig, _kind(label, after, fig), sentence=sentence)
                    out.append(item)
                    last = item
    return out


def distinct(metrics: list[Extracted]) -> list[Extracted]:
    """The metrics of an answer without repeats: a figure its text states and its table repeats
    (地区生产总值312.7亿元，增长5.8% in both) is one metric, kept where it came first."""
    seen, out = set(), []
    for m in metrics:
        key = (m.label, m.figure.value, m.figure.value_max, m.figure.unit, m.figure.comparator, m.growth, m.kind)
        if key not in seen:
            seen.add(key)
            out.append(m)
    return out


def achievements_of(paragraph: str) -> list[str]:
    """Qualitative results: the clauses without a figure, cut at commas into whole statements."""
    out = []
    for sentence in sentences(paragraph):
        for clause in clauses(numerals(sentence)):
            has_figure = bool(figures(clause, False)) or _shared(clause) is not None
            pieces: list[str] = []
            for piece in split_keep(clause, "，"):
                piece = _trim(piece)
                if pieces and len(pieces[-1]) < 6:
                    pieces[-1] += "，" + piece
                else:
                    pieces.append(piece)
            for piece in pieces:
                piece = LEAD_FILLERS.sub("", LEAD_FILLERS.sub("", piece).lstrip("，"))
                if len(piece) < 6 or figures(piece, False):
                    continue
                if has_figure and not re.search(r"建成|形成|获评|荣获|通车|完工|开学|被评为|入列|纳入|推介|排名|通过", piece):
                    continue
                out.append(piece)
    return out


# ---- targets ----------------------------------------------------------------------------

LEAD_IN = re.compile(r"^(?:新的一年|今年|明年|(?:19|20)\d\d年)[，,]?")
SUBJECT = re.compile(rf"^[\u3400-\u9fff]{{0,8}}?(?:区|县|市|镇|乡|旗|我们|政府)将")
TARGET_VERBS = ("力争", "推动", "确保", "争取", "全面", "全力")


@dataclass
class TargetDraft:
    text: str
    quantities: list[dict] = field(default_factory=list)
    sentence: str = ""


def _lead_in_dropped(paragraph: str) -> tuple[str, bool]:
    """A paragraph's first short sentence that only names its theme (突出支柱产业“首位度”。)."""
    first = sentences(paragraph)
    if len(first) > 1 and len(first[0]) <= 16 and first[0].endswith("。") and not figures(numerals(first[0]), True):
        return paragraph[len(first[0]):].lstrip(), True
    return paragraph, False


def _strip_subject(text: str) -> str:
    text = LEAD_IN.sub("", text)
    return SUBJECT.sub("", text, count=1)


def _ends_with_figure(text: str) -> bool:
    t = _trim(numerals(text))
    t = re.sub(r"（[^（）]*）$", "", t)
    figs = figures(t, True)
    return bool(figs) and figs[-1].end >= len(t) - 0


def targets_of(paragraph: str) -> list[TargetDraft]:
    paragraph, _ = _lead_in_dropped(paragraph)
    paragraph = _strip_subject(paragraph)
    out: list[TargetDraft] = []
    for sentence in sentences(paragraph):
        for clause in clauses(sentence):
            pieces = [p for p in split_keep(clause, "，") if _trim(p)]
            groups: list[list[str]] = []
            for piece in pieces:
                t = _trim(piece)
                starts_new = (
                    not groups
                    or t.startswith("即")
                    or (not t.startswith("其中") and (_ends_with_figure(groups[-1][-1]) or t.startswith(TARGET_VERBS)))
                )
                if starts_new:
                    groups.append([piece.lstrip("即")])
                else:
                    groups[-1].append(piece)
            for g in groups:
                text = _trim(_strip_subject("".join(g)))
                if not text:
                    continue
                out.append(TargetDraft(text, _quantities(text), sentence))
    return out


def _phrase_start(text: str, figs: list[Figure] = ()) -> int:
    """Where the phrase that ends ``text`` begins: after its last 、，（ or 和 outside quotes,
    or after a figure before it (89个重点项目完成投资73.13亿元: 重点项目完成投资)."""
    quoted = quoted_spans(text)
    cuts = [m.end() for m in re.finditer(r"[，、（(和]", text) if not any(a < m.start() < b for a, b in quoted)]
    cuts += [f.end for f in figs if f.end <= len(text)]
    return max(cuts, default=0)


def _quantity_label(text: str, fig: Figure, figs: list[Figure]) -> str:
    """What a quantity counts: the words after a count (13个专委会), else the whole phrase before
    the figure. Never cut at a number of characters: that cuts words (国家级“小巨人”企业 → 级“小巨人”企业)."""
    after = text[fig.end:]
    m = re.match(r"[\u3400-\u9fffA-Za-z“”]+", after)
    if fig.unit[-1:] in "个项家条座所名件次场处批支台辆间张本篇部户套栋" and m and not after.startswith(("以", "左右")):
        word = re.split(r"和|、|及|完成|等|实体化|见行", m.group(0))[0]
        if word:
            return word
    before = text[_phrase_start(text[:fig.start], figs):fig.start]
    before = re.sub(r"^(?:力争|推动|确保|争取|新增|净增|完成|实现|带动实施|实施|提速|压实)+", "", before)
    before = TAIL_FILLERS.sub("", before)
    if m and 0 < len(before) <= 2 and not after.startswith(("以", "左右")):
        # A bare verb before a measure (守牢7300亩耕地红线, 建设12公里绿道): the words after it
        # name what is measured, unless they are a verb themselves (投资5亿元建设学校).
        from ...words import tagged

        word = re.split(r"和|、|及|完成|等", m.group(0))[0]
        if len(word) >= 2 and tagged(before)[0][1] in ("v", "vn") and tagged(word)[0][1] not in ("v", "vn", "d"):
            return word
    return before or _trim(text[:_phrase_start(text)] or text)


def _quantities(text: str) -> list[dict]:
    converted = numerals(text)
    figs = figures(converted, True)
    out = []
    for f in figs:
        q = f.as_dict()
        if len(figs) > 1:
            q = {"label": _quantity_label(converted, f, figs), **q}
        out.append(q)
    return out
