"""Where the parts of an article are: front matter, foreword, answers, paths, closing, captions.

Sections come from 【答卷一】/【路径一】 markers (any word: 【成绩一】, 【举措一】), else from
一、/（一）/1. headings, else from a ``--sections`` mapping. The summary always says which.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .clean import LEADS_ON, MARKER, PART, SourceError, heading_title, introduces, part_line

NUMERALS = "一二三四五六七八九十"
L1 = re.compile(rf"^([{NUMERALS}]+)、\s*(.+)$")
L2 = re.compile(rf"^（([{NUMERALS}]+)）\s*(.+)$")
L3 = re.compile(r"^(\d{1,2})[.．、](?!\d)\s*(.+)$")
MEETING = re.compile(r"((?:19|20)\d\d)年([\u3400-\u9fff]{2,8}?(?:区|县|市|旗|镇))(两会|人代会)")
DATE = re.compile(r"(\d{1,2})月(\d{1,2})日")
POPULATION = re.compile(r"(\d+(?:\.\d+)?)万(?:名)?[\u3400-\u9fff]{0,6}?人民")
PUBLICATION = re.compile(r"([\u3400-\u9fff]{2,6}?(?:日报|晚报|时报|都市报|商报))")


@dataclass
class Para:
    text: str
    before: int = 0  # blank lines before it in the source (captions stand apart)
    after: int = 0
    level: int | None = None  # a Word heading's level (标题 1, 2, 3)
    origin: str = ""  # what gave it the level: its style (STYLED) or how it looks (LOOKED)


# How a Word file's numberless titles were told apart, as the summary says it.
STYLED = "Word 标题样式"
LOOKED = "加粗、居中或黑体的标题行"


@dataclass
class Heading:
    index: int  # paragraph index
    kind: str  # marker, l1, l2, l3, part
    word: str  # the marker's word (答卷) or the numbering style
    ordinal: str  # 答卷一, （一）, 一、
    title: str


@dataclass
class Section:
    ordinal: str
    title: str
    paragraphs: list[str] = field(default_factory=list)


@dataclass
class Layout:
    headline: str | None = None
    subtitle: str | None = None
    credits: str | None = None
    foreword: list[str] = field(default_factory=list)
    results_title: str | None = None
    results_intro: list[str] = field(default_factory=list)
    answers: list[Section] = field(default_factory=list)
    plan_title: str | None = None
    plan_intro: list[str] = field(default_factory=list)
    paths: list[Section] = field(default_factory=list)
    closing: list[str] = field(default_factory=list)
    how: str = ""  # how the sections were found, for the summary
    headings: list[Heading] = field(default_factory=list)


def headings(paras: list[Para]) -> list[Heading]:
    out = []
    for i, p in enumerate(paras):
        t = p.text
        if (m := MARKER.match(t)) and (m.group(1) or len(t) <= 40 and not t.endswith(("。", "；", "，"))):
            word, numeral = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
            out.append(Heading(i, "marker", word, word + numeral, heading_title(t[m.end():].strip())))
            continue
        if len(t) > 40 or t.endswith(("。", "；", "，")) or introduces(t):
            continue
        if m := L1.match(t):
            out.append(Heading(i, "l1", "一、", m.group(1) + "、", heading_title(m.group(2))))
        elif m := L2.match(t):
            out.append(Heading(i, "l2", "（一）", f"（{m.group(1)}）", heading_title(m.group(2))))
        elif m := L3.match(t):
            out.append(Heading(i, "l3", "1.", m.group(1) + ".", heading_title(m.group(2))))
        elif part_line(t):
            out.append(Heading(i, "part", "", "", t))
        elif p.level in (1, 2, 3):  # a Word heading whose numbering is automatic (not in its text)
            out.append(Heading(i, f"l{p.level}", p.origin, "", heading_title(t)))
    return out


def _lead(paras: list[Para], start: int, end: int) -> int:
    """Where a part without a title line begins: at its lead (2024年，该区将…——), else at ``end``."""
    return next((i for i in range(start, end) if PART.match(paras[i].text) and paras[i].text.endswith(LEADS_ON)),
                end)


def _caption(p: Para, region: bool) -> bool:
    t = p.text
    if "■" in t or t.endswith("摄"):
        return True
    if region and len(t) <= 30 and p.before >= 2 and p.after >= 2:
        return True
    return region and len(t) <= 20 and "，" not in t and t.endswith("。")


def parse_sections(spec: str) -> dict[str, list[int]]:
    """``answers=1-5,paths=6-11``: which of the numbered headings (as the summary lists them)."""
    out: dict[str, list[int]] = {}
    for part in spec.split(","):
        if "=" not in part:
            raise ValueError(part)
        key, _, value = part.partition("=")
        key = {"answers": "answers", "答卷": "answers", "paths": "paths", "路径": "paths"}.get(key.strip())
        if key is None:
            raise ValueError(part)
        nums: list[int] = []
        for r in value.split("+"):
            lo, _, hi = r.strip().partition("-")
            nums += list(range(int(lo), int(hi or lo) + 1))
        out[key] = nums
    if set(out) != {"answers", "paths"}:
        raise ValueError(spec)
    return out


def _choose(hs: list[Heading], file: str, sections: str | None) -> tuple[list[Heading], list[Heading], str]:
    if sections:
        try:
            chosen = parse_sections(sections)
        except ValueError:
            raise SourceError(file, f"--sections 格式应为 answers=1-5,paths=6-11（按摘要中标题的编号），得到 {sections}")
        numbered = [h for h in hs if h.kind != "part"]
        try:
            pick = {k: [numbered[n - 1] for n in v] for k, v in chosen.items()}
        except IndexError:
            raise SourceError(file, f"--sections 中的编号超出范围：只找到 {len(numbered)} 个标题") from None
        return pick["answers"], pick["paths"], f"按 --sections {sections} 指定"
    markers = [h for h in hs if h.kind == "marker"]
    starts = {h.word for h in markers if h.ordinal.endswith("一") and not h.ordinal.endswith("十一")}
    markers = [h for h in markers if h.word in starts]  # a word whose numbering starts at 一
    words = list(dict.fromkeys(h.word for h in markers))
    if len(words) >= 2:
        a = [h for h in markers if h.word == words[0]]
        p = [h for h in markers if h.word == words[1]]
        return a, p, f"由【{words[0]}一】/【{words[1]}一】标记找到"
    l1 = [h for h in hs if h.kind == "l1"]
    for sub in ("l2", "l3"):
        subs = [h for h in hs if h.kind == sub]
        owners = [top for top in l1 if any(s.index > top.index for s in subs)]
        groups = []
        for n, top in enumerate(l1):
            end = l1[n + 1].index if n + 1 < len(l1) else 10 ** 9
            g = [s for s in subs if top.index < s.index < end]
            if g:
                groups.append((top, g))
        if len(groups) >= 2 and owners:
            style = "（一）" if sub == "l2" else "1."
            word = _word(groups[0][1][0])
            how = (f"由 Word 文件中的{word}找到（各节标题在两个更大的部分标题之下；" if word else
                   f"由“一、”大标题下的“{style}”小标题找到（") + "第一个大标题为成绩，第二个为目标）"
            return groups[0][1], groups[1][1], how
    parts = [h for h in hs if h.kind == "part"]
    for kind, style in (("marker", "【】"), ("l1", "一、"), ("l2", "（一）"), ("l3", "1.")):
        level = [h for h in hs if h.kind == kind]
        if len(parts) >= 2 and level:
            a = [h for h in level if parts[0].index < h.index < parts[1].index]
            p = [h for h in level if h.index > parts[1].index]
            if a and p:
                word = _word(a[0])
                return a, p, (f"由年份开头的两部分标题和其下 Word 文件中的{word}找到" if word else
                              f"由“{style}”标题和年份开头的两部分标题找到")
    listed = "；".join(f"{n}. {h.ordinal}{h.title}" for n, h in enumerate([h for h in hs if h.kind != "part"], 1))
    looked_for = ("没有【答卷一】/【路径一】标记，也没有可区分的“一、”“（一）”标题"
                  + ("、Word“标题 1/标题 2”样式或加粗、居中、黑体的短标题行" if file.lower().endswith(".docx") else ""))
    fix = ("请在 Word/WPS 中把“2023年成绩”“2024年目标”两部分的标题设为“标题 1”样式、其下各节标题设为“标题 2”样式，"
           "或在各节标题前加上【答卷一】…【路径一】…标记后重试" if file.lower().endswith(".docx") else
           "请在文中加上【答卷一】…【路径一】…标记后重试")
    raise SourceError(file, f"找不到成绩与目标的分节（{looked_for}）。"
                            + (f"找到的标题：{listed}。请用 --sections answers=…,paths=… 指定，或{fix[1:]}" if listed
                               else fix))


def _word(h: Heading) -> str:
    """What made a numberless heading one, for the summary: its Word style or its look."""
    return h.word if h.word in (STYLED, LOOKED) else ""


def layout(paras: list[Para], file: str, sections: str | None = None) -> Layout:
    hs = headings(paras)
    answers, paths, how = _choose(hs, file, sections)
    out = Layout(how=how, headings=hs)
    first = answers[0].index
    # Front matter: headline, subtitle, credits (the first few paragraphs before the foreword).
    front_end = 0
    for i, p in enumerate(paras[:min(first, 5)]):
        t = p.text
        if i == 0:
            out.headline, front_end = t, 1
        elif t.startswith(("—", "－", "-")) or (t.startswith("写在") and len(t) <= 40):
            out.subtitle, front_end = t.lstrip("—－- "), i + 1
        elif "■" in t or "文/" in t or "记者" in t[:20]:
            out.credits, front_end = t.lstrip("■ ").strip(), i + 1
    parts = [h for h in hs if h.kind in ("part", "l1") and h.index < first]
    results_head = parts[-1] if parts else None
    fore_end = results_head.index + 1 if results_head else _lead(paras, front_end, first)
    out.foreword = [p.text for p in paras[front_end:fore_end - bool(results_head)] if not _caption(p, True)]
    if results_head:
        out.results_title = results_head.title
    out.results_intro = [p.text for p in paras[fore_end:first] if not _caption(p, True)]
    bounds = sorted(answers + paths, key=lambda h: h.index)
    plan_parts = [h for h in hs if h.kind in ("part", "l1") and answers[-1].index < h.index < paths[0].index]
    plan_head = plan_parts[-1] if plan_parts else None
    plan_start = plan_head.index + 1 if plan_head else _lead(paras, answers[-1].index + 1, paths[0].index)
    stops = sorted({h.index for h in bounds} | {plan_start - bool(plan_head)})

    def body(h: Heading) -> list[str]:
        nxt = next((s for s in stops if s > h.index), len(paras))
        return [p.text for p in paras[h.index + 1:nxt] if not _caption(p, False)]

    out.answers = [Section(h.ordinal, h.title, body(h)) for h in answers]
    if plan_head:
        out.plan_title = plan_head.title
    out.plan_intro = [p.text for p in paras[plan_start:paths[0].index] if not _caption(p, True)]
    out.paths = [Section(h.ordinal, h.title, body(h)) for h in paths]
    # Closing: the last path's trailing paragraph that speaks of the meeting, and what follows.
    last = paths[-1]
    nxt = len(paras)
    tail = [p for p in paras[last.index + 1:nxt]]
    texts = [p.text for p in tail]
    close_at = None
    for k in range(len(tail) - 1, -1, -1):
        if "两会" in texts[k] or "人代会" in texts[k]:
            close_at = k
            break
    if close_at is None:  # no word of the meeting: a last paragraph that rallies, without figures
        body_at = [k for k, p in enumerate(tail) if not _caption(p, True)]
        if len(body_at) >= 2 and exhorts(texts[body_at[-1]]):
            close_at = body_at[-1]
    if close_at is not None and sum(1 for p in tail[close_at + 1:] if not _caption(p, True)) <= 2:
        out.closing = [tail[close_at].text] + [p.text for p in tail[close_at + 1:]
                                               if not _caption(p, True) and len(p.text) > 30]
        out.paths[-1].paragraphs = [p.text for p in tail[:close_at] if not _caption(p, False)]
    return out


# How an article's last paragraph rallies its readers: 以更加…的姿态, 奋力…, 为…而奋斗,
# 谱写/开创/书写…新篇章/新局面/新答卷.
EXHORTS = re.compile(r"以更加[\u3400-\u9fff、，]{1,16}的|奋力|为[^。]{1,30}?而?(?:努力|奋斗)|"
                     r"(?:谱写|开创|书写|奏响|续写|开启)[^。！]{0,16}?新(?:篇章|局面|答卷|征程|华章|辉煌|篇)")
FIGURE = re.compile(r"\d+(?:\.\d+)?\s*(?!年)[%％\u3400-\u9fff]")


def exhorts(text: str) -> bool:
    """A closing exhortation: rallying words and no figure (a year, 2025年, is not a figure)."""
    return bool(EXHORTS.search(text)) and not FIGURE.search(text)


def meeting_facts(lay: Layout) -> dict:
    """District, year, meeting name, opening date, population, publication, where the text says."""
    facts: dict = {}
    texts = [t for t in [lay.subtitle or "", lay.headline or ""] + lay.foreword + lay.closing if t]
    for t in texts:
        if m := MEETING.search(t):
            facts.update(year=int(m.group(1)), district=m.group(2), name=f"{m.group(1)}年{m.group(2)}{m.group(3)}")
            break
    for t in lay.foreword:
        if ("两会" in t or "开幕" in t or "召开" in t or "开启" in t) and (m := DATE.search(t)):
            facts["opening"] = (int(m.group(1)), int(m.group(2)))
            break
    for t in lay.closing + lay.foreword:
        if m := POPULATION.search(t):
            v = float(m.group(1))
            facts["population"] = int(v) if v == int(v) else v
            break
    if lay.credits and (m := PUBLICATION.search(lay.credits)):
        facts["publication"] = m.group(1)
    return facts
