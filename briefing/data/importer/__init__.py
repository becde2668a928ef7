"""``briefing import``: a draft data file from an article (.txt/.md, .docx) for a person to check.

clean.py (decoding, widths, hard wraps, numerals) → structure.py (front matter, sections,
captions, closing) → rules.py (metrics, targets) → draft.py (our YAML, with review marks).
docx.py reads Word files; xlsx.py is the Excel review loop (export, and merge back).
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path as FsPath

from ... import files
from .clean import SourceError, check_length, decode, normalise, paragraphs, read_source
from .draft import CHECK, MAYBE, TODO, baseline_hint, metric_line, num, q, target_lines, unique_ids
from .rules import achievements_of, distinct, metrics_of, targets_of
from .structure import Layout, Para, layout, meeting_facts

TEXT_SUFFIXES = {".txt", ".md", ".text", ""}
REFUSED = {
    ".doc": "这是旧版 Word 文件（.doc），无法直接读取：请在 Word 或 WPS 中打开，“另存为” .docx 后再导入",
    ".wps": "这是 WPS 文字文件（.wps）：请在 WPS 中“另存为” .docx 后再导入",
    ".pdf": "PDF 不能直接导入：请在 PDF 阅读器中全选并复制正文，粘贴到记事本，保存为 .txt（UTF-8）后导入；"
            "或在 Word/WPS 中打开 PDF，“另存为” .docx",
    ".rtf": "RTF 文件无法直接读取：请在 Word 或 WPS 中“另存为” .docx 后再导入",
}
MAGIC = [(b"%PDF", ".pdf"), (b"\xd0\xcf\x11\xe0", ".doc")]


@dataclass
class Imported:
    text: str  # the draft YAML
    answers: int
    paths: int
    metrics: int
    targets: int
    quantities: int
    checks: int  # 待核对 marks
    blanks: list[str] = field(default_factory=list)  # required fields left to fill (待填写)
    optional: int = 0  # 待补充 marks
    how: str = ""
    notes: list[str] = field(default_factory=list)


def read_paragraphs(path: FsPath) -> tuple[list[Para], list[str]]:
    """The source as paragraphs, whatever its kind; refused kinds say what to do instead."""
    name = str(path)
    suffix = path.suffix.lower()
    if suffix in REFUSED:
        raise SourceError(name, REFUSED[suffix])
    raw = read_source(path)  # a regular file within its limit, or a message
    head = raw[:8]
    for magic, kind in MAGIC:
        if head.startswith(magic):
            raise SourceError(name, REFUSED[kind])
    if suffix == ".docx" or (head.startswith(b"PK") and suffix not in (".xlsx",)):
        if suffix != ".docx":
            raise SourceError(name, "这是一个压缩包格式的文件（可能是 Word 文件）：请把扩展名改为 .docx 后再导入")
        from .docx import read_docx

        found = read_docx(path, raw)
        check_length(sum(len(p.text) for p in found), name)
        paras = [replace(p, text=normalise(p.text, byline="■" in p.text or "文/" in p.text)) for p in found]
        return [p for p in paras if p.text], []
    text, note = decode(raw, name)
    check_length(len(text), name)
    if sum(1 for c in text if c.isprintable() or c in "\n\r\t") < 0.95 * len(text):
        raise SourceError(name, "这不是文字稿（含大量不可显示的字符）：请导入 .txt（UTF-8）或 .docx")
    paras = []
    rows: list[list[str]] = []
    for raw, before, after in paragraphs(text):
        if suffix == ".md":  # Markdown: ## headings and **bold** are marks, not words
            raw = re.sub(r"^\s*(?:#{1,6}\s+|>\s*|[-*]\s+)", "", raw).replace("**", "")
        t = normalise(raw, byline="■" in raw or "文/" in raw or "记者" in raw[:20])
        if t.startswith("|"):  # a pasted table (| a | b |), read like a Word table
            rows.append([c.strip() for c in t.strip("|").split("|")])
            continue
        if rows:
            paras += [Para(s) for s in _table(rows)]
            rows = []
        if t:
            paras.append(Para(t, before, after))
    if rows:
        paras += [Para(s) for s in _table(rows)]
    return paras, [note] if note else []


def _table(rows: list[list[str]]) -> list[str]:
    from .docx import table_paragraphs

    return table_paragraphs(rows)


def import_document(path: str | os.PathLike[str], sections: str | None = None,
                    schema: str | None = None) -> Imported:
    path = FsPath(path)
    paras, notes = read_paragraphs(path)
    if not paras:
        raise SourceError(str(path), "文件里没有文字 (no text)")
    lay = layout(paras, str(path), sections)
    return _draft(lay, path, schema, notes)


def _headline(text: str | None) -> str | None:
    if not text:
        return None
    return re.sub(r"([！？])(?=\S)", r"\1\n", text, count=1)


def _draft(lay: Layout, path: FsPath, schema: str | None, notes: list[str]) -> Imported:
    facts = meeting_facts(lay)
    year = facts.get("year")
    out: list[str] = [f"# yaml-language-server: $schema={schema}", "#"] if schema else []
    blanks: list[str] = []
    counts = {"check": 0, "maybe": 0}

    def field_line(key: str, value: str | None, indent: str, todo: str, checked: bool = False) -> str:
        if value is None:
            blanks.append(key)
            return f"{indent}{key}:{TODO}：{todo}"
        if checked:
            return f"{indent}{key}: {value}"
        counts["check"] += 1
        return f"{indent}{key}: {value}{CHECK}"

    out += [
        f"# {facts.get('name', '两会')}参阅资料的数据草稿，由 briefing import 从 {path.name} 生成。",
        "# 请逐项核对后再印发：",
        "#   “# 待核对”：程序从原文提取的内容。核对（必要时改正）后删除这条注释，或在 Excel 中清空“待核对”列。",
        "#   “# 待填写”：原文里没有、必须填写的内容。填写前 briefing build 会逐条列出它们及其行号。",
        "#   “# 待补充”：可选的内容（图表分组 chart、上年基数 baseline）。决定后删除这条注释。",
        "#   briefing build 会报告剩下的待核对、待补充数量；briefing build --strict 在全部核对完之前拒绝生成。",
        f"# 分节：{lay.how}。",
        "",
        "meeting:",
        field_line("district", q(facts["district"]) if "district" in facts else None, "  ", "区（县）名"),
        f"  city:{TODO}：所属城市，如 衡阳市",
        field_line("year", str(year) if year else None, "  ", "会议年份"),
        field_line("name", q(facts["name"]) if "name" in facts else None, "  ", "会议名称，如 2023年雁峰区两会"),
    ]
    blanks.append("city")
    opening = None
    if year and "opening" in facts:
        try:
            opening = dt.date(year, *facts["opening"]).isoformat()
        except ValueError:
            opening = None
    out.append(field_line("opening_date", opening, "  ", "开幕日期 YYYY-MM-DD"))
    out.append(f"  office:{TODO}：编印单位（PDF 作者），如 雁峰区人民政府办公室")
    blanks.append("office")
    out.append(field_line("headline", q(_headline(lay.headline)) if lay.headline else None, "  ", "封面主标题"))
    if lay.subtitle:
        out.append(field_line("subtitle", q(lay.subtitle), "  ", ""))
    if "population" in facts:
        out.append(field_line("population", f"{{value: {num(facts['population'])}, unit: \"万人\"}}", "  ", ""))
    title = lay.headline.replace("\n", "") if lay.headline else None
    if title and lay.subtitle:
        title = f"{title}——{lay.subtitle}"
    out += ["", "source:",
            field_line("publication", q(facts["publication"]) if "publication" in facts else None, "  ",
                       "出处，如 衡阳日报"),
            field_line("title", q(title) if title else None, "  ", "原文标题", checked=True)]
    if lay.credits:
        out.append(f"  credits: {q(lay.credits.replace(' ', chr(0x3000)))}")
    out += ["", "foreword:" if lay.foreword else "foreword: []"] + [f"  - {q(p)}" for p in lay.foreword]

    # ---- results -------------------------------------------------------------------------
    results_year = year - 1 if year else None
    out += ["", "results:", field_line("year", str(results_year) if results_year else None, "  ", "成绩年份", True),
            field_line("title", q(lay.results_title) if lay.results_title else None, "  ", "本部分标题", True)]
    out += _paragraphs(lay.results_intro, "  ")
    out.append("  answers:")
    all_metrics: list[dict] = []
    n_metrics = 0
    for i, a in enumerate(lay.answers, 1):
        found = distinct([m for p in a.paragraphs for m in metrics_of(p)])
        ids = unique_ids([m.label for m in found], {x["id"] for x in all_metrics})
        ms = []
        for ident, m in zip(ids, found):
            d = {"id": ident, "label": m.label, **m.figure.as_dict(), "kind": m.kind}
            if m.growth is not None:
                d["growth"] = m.growth
            ms.append(d)
        all_metrics += ms
        n_metrics += len(ms)
        out += [f"    - id: answer-{i}", f"      ordinal: {q(a.ordinal or _ordinal(i))}",
                f"      title: {q(a.title)}" + ("" if ms else _doubt(f"答卷{i}“{a.title}”", "指标", counts, notes))]
        out += _paragraphs(a.paragraphs, "      ")
        units: dict[str, int] = {}
        for d in ms:
            if d["kind"] == "amount":
                units[d["unit"]] = units.get(d["unit"], 0) + 1
        shared = "、".join(f"{u} ×{k}" for u, k in units.items() if k >= 2)
        if shared:
            out.append(f"      {MAYBE.strip()}：chart 图表分组（可选）——同一单位的数量指标加上相同的 chart: 标题，"
                       f"画成一张条形图；本节可分组的单位：{shared}")
            counts["maybe"] += 1
        out.append("      metrics:" if ms else "      metrics: []")
        for d in ms:
            out.append(f"        - {metric_line(d)}{CHECK}")
            counts["check"] += 1
        achieved = [x for p in a.paragraphs for x in achievements_of(p)]
        out.append("      achievements:" if achieved else "      achievements: []")
        for x in achieved:
            out.append(f"        - {q(x)}{CHECK}")
            counts["check"] += 1

    # ---- plan ----------------------------------------------------------------------------
    out += ["", "plan:", field_line("year", str(year) if year else None, "  ", "计划年份", True),
            field_line("title", q(lay.plan_title) if lay.plan_title else None, "  ", "本部分标题", True)]
    out += _paragraphs(lay.plan_intro, "  ")
    out.append("  paths:")
    n_targets = n_quantities = 0
    for i, p in enumerate(lay.paths, 1):
        ts = [t for para in p.paragraphs for t in targets_of(para)]
        out += [f"    - id: path-{i}", f"      ordinal: {q(p.ordinal or _ordinal(i))}",
                f"      title: {q(p.title)}" + ("" if ts else _doubt(f"路径{i}“{p.title}”", "目标", counts, notes))]
        out += _paragraphs(p.paragraphs, "      ")
        out.append("      targets:" if ts else "      targets: []")
        for t in ts:
            d = {"text": t.text, "quantities": t.quantities}
            hints = [baseline_hint(t.text, x, all_metrics) for x in t.quantities]
            counts["maybe"] += sum(1 for h in hints if h)
            out += target_lines(d, "        ", hints=hints)
            counts["check"] += 1
            n_targets += 1
            n_quantities += len(t.quantities)
    out += ["", "closing:" if lay.closing else "closing: []"] + [f"  - {q(c)}" for c in lay.closing]
    if n_metrics + n_quantities == 0:
        raise SourceError(str(path), "文中没有找到任何数字（指标或目标），这似乎不是两会报道或政府工作报告；"
                                     "请检查导入的文件是否正确")
    return Imported("\n".join(out) + "\n", len(lay.answers), len(lay.paths), n_metrics, n_targets, n_quantities,
                    counts["check"], blanks, counts["maybe"], lay.how, notes)


def _doubt(section: str, what: str, counts: dict, notes: list[str]) -> str:
    """A section without a figure may be a bold slogan or lead-in taken for a title, and the
    figures of the section before it cut off: say so on its title line and in the summary."""
    counts["check"] += 1
    notes.append(f"{section}没有找到任何{what}：请核对它是否真是一节（可能是加粗的标语或导语），"
                 f"若不是，把它并入上一节或用 --sections 指定")
    return f"{CHECK}：本节没有找到{what}，可能不是一节"


def _ordinal(n: int) -> str:
    """（一）… for a section whose heading had its numbering outside the text (Word's own)."""
    import cn2an

    return f"（{cn2an.an2cn(n)}）"


def _paragraphs(paras: list[str], indent: str) -> list[str]:
    if not paras:
        return [f"{indent}paragraphs: []"]
    paras = [p[:-2] + "。" if p.endswith("——") else p for p in paras]  # a lead-in to what follows
    return [f"{indent}paragraphs:"] + [f"{indent}  - {q(p)}" for p in paras]


def write_atomic(target: FsPath, text: str, inputs: tuple[FsPath, ...] = (), replaces=None) -> None:
    """Write beside the target and rename, so an error never leaves a half-written file, and
    never over a folder, device, link, any of ``inputs``, or a file not of ``replaces``' kind
    (see ``briefing.files``)."""
    files.write_atomic(target, text.encode("utf-8"), inputs, replaces)
