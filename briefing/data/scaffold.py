"""``briefing new``: next year's data file, made from this year's, ready for filling in.

Keeps the structure (district, answers with their metric labels, units and charts, paths)
with this year's values emptied, and adds a ``review`` section listing every target of this
year's plan with an empty result, the "did we do what we said" table of next year's booklet.
Until the blanks are filled, loading the new file lists each one with its line: a to-do list.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import fields
from pathlib import Path as FsPath

from ..errors import OutputError, SettingError
from ..files import YAML, check_target, write_atomic
from .model import YEARS, Briefing, Labels, Quantity, format_number

TODO = "  # 待填写 to fill in"


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON's quoting is valid YAML and escapes everything)."""
    return json.dumps(text, ensure_ascii=False)


def next_path(source: FsPath, year: int) -> FsPath:
    """data/yanfeng-2023.yaml → data/yanfeng-2024.yaml (or …-2024.yaml when no year is in the name)."""
    stem = source.stem
    found = list(re.finditer(r"(19|20|21)\d\d", stem))
    if found:
        m = found[-1]
        stem = stem[:m.start()] + str(year) + stem[m.end():]
    else:
        stem = f"{stem}-{year}"
    return source.with_name(stem + source.suffix)


def _quantity(q: Quantity, indent: str, extra: list[str]) -> list[str]:
    parts = []
    label = getattr(q, "label", None)
    if label:
        parts.append(f"label: {_q(label)}")
    parts += [f"value: {format_number(q.value)}", f"unit: {_q(q.unit)}"]
    if q.value_max is not None:
        parts.append(f"value_max: {format_number(q.value_max)}")
    if q.comparator:
        parts.append(f"comparator: {_q(q.comparator)}")
    first, *rest = parts + extra
    return [f"{indent}- {first}"] + [f"{indent}  {p}" for p in rest]


def scaffold(doc: Briefing, source: str, year: int, schema: str | None = None) -> str:
    old, m = doc.plan.year, doc.meeting
    out = [f"# yaml-language-server: $schema={schema}", "#"] if schema else []
    out += [
        f"# {year}年{m.district}两会参阅资料的数据，由 briefing new 从 {source} 生成。",
        "# 标有“待填写”的地方请按当年的文章填写；填写前 briefing build 会逐条列出它们及其行号。",
        f"# review（{old}年目标完成情况）中 result 留空的目标在资料中显示为“{doc.labels.pending}”，不影响生成。",
        "",
        "meeting:",
        f"  district: {_q(m.district)}",
        f"  city: {_q(m.city)}",
        f"  year: {year}",
        f"  name: {_q(m.name.replace(str(m.year), str(year)))}",
        f"  opening_date:{TODO}（YYYY-MM-DD）",
        f"  office: {_q(m.office)}",
        f"  headline:{TODO}",
        "",
        "source:",
        f"  publication: {_q(doc.source.publication)}",
        f"  title:{TODO}",
        "",
        f"foreword: []{TODO}",
        "",
        "review:",
        f"  year: {old}",
        "  paths:",
    ]
    for p in doc.plan.paths:
        out += [f"    - ordinal: {_q(p.ordinal)}", f"      title: {_q(p.title)}"]
        out.append("      targets:" if p.targets else "      targets: []")
        for t in p.targets:
            out.append(f"        - text: {_q(t.text)}")
            if t.quantities:
                out.append("          quantities:")
                for q in t.quantities:
                    out += _quantity(q, "            ", [f"result:{TODO}：{old}年实际完成的数值，单位同上"])
                out.append("          status:  # 可不填：按数字自动计算 computed from the numbers")
            else:
                out += [f"          result:{TODO}：完成情况的文字说明",
                        f"          status:{TODO}：达成 / 基本达成 / 未达成 / 进行中"]
    out += [
        "",
        "results:",
        f"  year: {old}",
        f"  title:{TODO}",
        "  paragraphs: []",
        "  answers:",
    ]
    for a in doc.results.answers:
        out += [f"    - id: {_q(a.id)}", f"      ordinal: {_q(a.ordinal)}", f"      title: {_q(a.title)}",
                f"      paragraphs: []{TODO}"]
        if a.metrics:
            out.append("      metrics:")
            for x in a.metrics:
                out += [f"        - id: {_q(x.id)}", f"          label: {_q(x.label)}", f"          value:{TODO}",
                        f"          unit: {_q(x.unit)}"]
                if x.kind != "amount":
                    out.append(f"          kind: {x.kind}")
                if x.chart:
                    out.append(f"          chart: {_q(x.chart)}")
        out.append(f"      achievements: []{TODO}")
    out += [
        "",
        "plan:",
        f"  year: {year}",
        f"  title:{TODO}",
        "  paths:",
    ]
    for p in doc.plan.paths:
        out += [f"    - id: {_q(p.id)}", f"      ordinal: {_q(p.ordinal)}", f"      title: {_q(p.title)}",
                f"      paragraphs: []{TODO}", f"      targets: []{TODO}"]
    out += ["", f"closing: []{TODO}"]
    defaults = Labels()
    changed = {f.name: getattr(doc.labels, f.name) for f in fields(Labels)
               if getattr(doc.labels, f.name) != getattr(defaults, f.name)}
    if changed:
        out += ["", "labels:"] + [f"  {k}: {_q(v)}" for k, v in changed.items()]
    return "\n".join(out) + "\n"


def check_year(year: int) -> None:
    """Refuse, before anything is read or written, a year the new file's own validation would
    refuse: ``new --year 1000000000`` must not write a file that cannot be loaded."""
    if not YEARS[0] <= year <= YEARS[1]:
        raise SettingError(f"--year {year} 不是可用的年份（{YEARS[0]}–{YEARS[1]}）")


def write_new(doc: Briefing, source: FsPath, year: int, out: FsPath | None, force: bool) -> FsPath:
    check_year(year)
    target = out or next_path(source, year)
    if year <= doc.meeting.year:
        raise SettingError(f"--year {year} 应晚于 {source} 的年份 {doc.meeting.year}")
    check_target(target, (source,), YAML)  # a Word file or a PDF named by mistake: refused, --force or not
    if os.path.lexists(target) and not force:
        raise OutputError(f"{target} 已存在；要覆盖请加 --force (exists; use --force to overwrite)")
    schema = FsPath("schema/briefing.schema.json")  # the checkout's schema, when run from one
    link = os.path.relpath(schema.resolve(), target.parent.resolve()) if schema.is_file() else None
    write_atomic(target, scaffold(doc, str(source), year, link).encode("utf-8"), inputs=(source,), replaces=YAML)
    return target
