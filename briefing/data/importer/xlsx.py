"""The review loop in Excel: ``briefing export DATA.yaml --xlsx`` writes 指标 and 目标 sheets with
the source sentence beside each row; ``briefing import corrected.xlsx --into DATA.yaml`` merges
them back.

The merge edits the YAML text in place: only the items whose row changed are rewritten (a whole
list when rows were added or removed), so comments, paragraphs and everything else stay as they
were, and an export followed by an import changes nothing at all.
"""

from __future__ import annotations

import json
import math
import re
from decimal import Decimal
from dataclasses import dataclass
from pathlib import Path as FsPath
from typing import Any

import yaml

from ... import files
from ...errors import DataError, OutputError, Problem, clip
from ..load import load_text, parse_yaml, read_text
from ..office import RESAVE, WorkbookError, formula_cells, has_formulas, merged_down, open_workbook
from ..marks import CHECK, review_marks
from ..model import COMPARATORS
from .draft import CHECK as CHECK_COMMENT, metric_line, quantity_line, unique_ids
from .clean import normalise, read_source

METRIC_COLUMNS = ["答卷", "id", "名称", "数值", "上限", "单位", "限定词", "类型", "增长%", "图表", "图中简称", "属于",
                  "待核对", "原文"]
TARGET_COLUMNS = ["路径", "序号", "目标", "名称", "数值", "上限", "单位", "限定词", "基数", "基数说明", "待核对",
                  "待补充", "原文"]
KINDS = {"amount": "数量", "growth": "增长率", "share": "占比"}
KIND_BACK = {v: k for k, v in KINDS.items()} | {k: k for k in KINDS}
READ_ONLY = {"原文"}
SAID_ONCE = {"目标", "原文"}  # said on a target's first row only, even when merged over the rest
MAX_ROWS = 20_000  # rows read from a sheet: a district's booklet has a few hundred figures and targets
STATE_SHEET = "_briefing"  # hidden: the data file's metrics and targets as exported, for the merge


# ---- reading the YAML with its item spans --------------------------------------------------

@dataclass
class Item:
    first: int  # 0-based first line of the item
    last: int  # 0-based last line
    marked: bool
    hints: list[str | None]  # per quantity: the 待补充 comment on its line, if any


@dataclass
class Seq:
    key_line: int  # the line of `metrics:` / `targets:` (0-based), or -1 when the key is absent
    owner_line: int  # the line of the answer's / path's `- id:` (to insert a missing key)
    indent: str
    items: list[Item]
    flow: bool


def _end(node: yaml.Node) -> int:
    """The true end of a node: its last scalar or flow collection (a block mapping's own end
    mark reaches past the comments that follow it)."""
    if isinstance(node, yaml.ScalarNode) or getattr(node, "flow_style", False):
        return node.end_mark.index
    kids = [v for pair in node.value for v in pair] if isinstance(node, yaml.MappingNode) else node.value
    return max((_end(k) for k in kids), default=node.end_mark.index)


def _get(node: yaml.MappingNode, key: str):
    for k, v in node.value:
        if isinstance(k, yaml.ScalarNode) and k.value == key:
            return k, v
    return None, None


def _comment_after(line: str, word: str) -> str | None:
    at = line.rfind("# " + word)
    return line[at + 2:].strip() if at >= 0 else None


def sequences(text: str, part: str, section: str, key: str) -> list[Seq]:
    """The ``metrics`` of every answer (or ``targets`` of every path) with their line spans."""
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    lines = text.splitlines()
    marked = {n - 1 for n, m in review_marks(text) if m == CHECK}

    def line_of(index: int) -> int:
        return text.count("\n", 0, index)

    out = []
    _, part_node = _get(root, part)
    _, sections_node = _get(part_node, section) if isinstance(part_node, yaml.MappingNode) else (None, None)
    for owner in getattr(sections_node, "value", []):
        key_node, seq = _get(owner, key)
        owner_line = owner.start_mark.line
        if seq is None or not isinstance(seq, yaml.SequenceNode):
            out.append(Seq(-1, owner_line, " " * (owner.start_mark.column + 2), [], False))
            continue
        items = []
        for node in seq.value:
            first, last = node.start_mark.line, line_of(_end(node))
            hints = []
            _, qs = _get(node, "quantities") if isinstance(node, yaml.MappingNode) else (None, None)
            for qn in getattr(qs, "value", []):
                hints.append(_comment_after(lines[qn.start_mark.line], "待补充") if not qs.flow_style else None)
            items.append(Item(first, last, first in marked, hints))
        indent = " " * (seq.value[0].start_mark.column - 2) if seq.value else " " * (key_node.start_mark.column + 2)
        out.append(Seq(key_node.start_mark.line, owner_line, indent, items, bool(seq.flow_style)))
    return out


# ---- export --------------------------------------------------------------------------------

def _sentence_of(paragraphs: list[str], *needles: str) -> str:
    for needle in needles:
        if not needle:
            continue
        for p in paragraphs:
            if needle in p:
                for s in re.split(r"(?<=[。！？；])", p):
                    if needle in s:
                        return s.strip()
    return ""


def _num(v: Any):
    if isinstance(v, float) and v == int(v):
        return int(v)
    return v


def export_xlsx(data: FsPath, out: FsPath) -> tuple[int, int]:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    text = read_text(data)
    values, _ = parse_yaml(text, str(data))
    wb = Workbook()
    ws = wb.active
    ws.title = "指标"
    ws.append(METRIC_COLUMNS)
    answers = (values.get("results") or {}).get("answers") or []
    mseqs = sequences(text, "results", "answers", "metrics")
    n_metrics = 0
    for a, seq in zip(answers, mseqs):
        for m, item in zip(a.get("metrics") or [], seq.items):
            from ..model import format_number

            figure = f"{format_number(m['value'])}" if isinstance(m.get("value"), (int, float)) else ""
            sentence = _sentence_of(a.get("paragraphs") or [], figure + str(m.get("unit", "")), figure,
                                    m.get("label", ""))
            ws.append([a.get("ordinal"), m.get("id"), m.get("label"), _num(m.get("value")), _num(m.get("value_max")),
                       m.get("unit", ""), m.get("comparator"), KINDS.get(m.get("kind", "amount"), m.get("kind")),
                       _num(m.get("growth")), m.get("chart"), m.get("short"), m.get("part_of"),
                       CHECK if item.marked else None, sentence])
            n_metrics += 1
    wt = wb.create_sheet("目标")
    wt.append(TARGET_COLUMNS)
    paths = (values.get("plan") or {}).get("paths") or []
    tseqs = sequences(text, "plan", "paths", "targets")
    n_targets = 0
    for p, seq in zip(paths, tseqs):
        for n, (t, item) in enumerate(zip(p.get("targets") or [], seq.items), 1):
            sentence = _sentence_of(p.get("paragraphs") or [], t.get("text", ""), (t.get("text") or "")[:8])
            qs = t.get("quantities") or [{}]
            for k, x in enumerate(qs):
                first = k == 0
                hint = item.hints[k] if k < len(item.hints) else None
                wt.append([p.get("ordinal"), n, t.get("text") if first else None, x.get("label"), _num(x.get("value")),
                           _num(x.get("value_max")), x.get("unit") if x else None, x.get("comparator"),
                           x.get("baseline"), x.get("baseline_note"), CHECK if first and item.marked else None,
                           hint, sentence if first else None])
            n_targets += 1
    for sheet, widths in ((ws, [8, 22, 26, 10, 8, 8, 8, 8, 8, 14, 8, 60]),
                          (wt, [8, 6, 40, 12, 10, 8, 8, 8, 18, 20, 8, 24, 60])):
        for row in sheet.iter_rows(min_row=2):
            for cell in row:  # openpyxl writes a text beginning with = as a formula: Excel would run it
                if cell.data_type == "f":
                    cell.data_type = "s"
        sheet.freeze_panes = "A2"
        for i, w in enumerate(widths):
            sheet.column_dimensions[chr(65 + i)].width = w
        for cell in sheet[1]:
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor="DDDDDD")
        for row in sheet.iter_rows(min_row=2):
            row[-1].alignment = Alignment(wrap_text=True, vertical="top")
    notes = wb.create_sheet("说明")
    for line in (
        "在“指标”“目标”两张表中核对、改正后保存，再运行：briefing import 本文件.xlsx --into 数据文件.yaml",
        "核对无误的行请清空“待核对”列；“原文”列只供对照，改动不会写回。",
        "新增一行指标时 id 可留空（按名称生成）；已有的 id 不要改。数值、上限、增长% 只能填数字。",
        "一个目标有多个数量时，写成“路径”“序号”相同的几行，“目标”只填在第一行。序号可用小数插在两行之间（如 2.5）。",
        f"类型：{'、'.join(KINDS.values())}；限定词：{'、'.join(COMPARATORS)}。",
    ):
        notes.append([line])
    notes.column_dimensions["A"].width = 110
    kept = wb.create_sheet(STATE_SHEET)
    kept.sheet_state = "veryHidden"
    state = json.dumps(_state(text, values), ensure_ascii=False, separators=(",", ":"), default=str)
    for at in range(0, len(state), 30000):  # a cell holds 32,767 characters
        kept.append([state[at:at + 30000]])
        kept.cell(kept.max_row, 1).data_type = "s"
    files.make_folder(out.parent)
    files.check_target(out, (data,), files.XLSX)
    files.sweep(out.parent)
    tmp = files.temp_path(out)
    try:
        try:
            files.create_temp(tmp)
            wb.save(tmp)
        except OSError as exc:
            raise OutputError(f"无法写入 {out}：{files.os_reason(exc)}") from None
        files.deliver(tmp, out, (data,), files.XLSX)
    finally:
        tmp.unlink(missing_ok=True)
    return n_metrics, n_targets


# ---- import (merge back) ---------------------------------------------------------------------

class _Sheet:
    def __init__(self, wb, name: str, columns: list[str], file: str, problems: list[Problem],
                 formulas=None):
        self.name, self.file, self.problems = name, file, problems
        self.rows: list[tuple[int, dict]] = []
        if name not in wb.sheetnames:
            problems.append(Problem(file, None, None, name, f"缺少工作表“{name}” (sheet missing)"))
            return
        ws = wb[name]
        header = [str(c.value).strip() if c.value is not None else "" for c in ws[1]]
        self.col = {h: i for i, h in enumerate(header) if h}
        missing = [c for c in columns if c not in self.col and c not in READ_ONLY]
        for c in missing:
            problems.append(Problem(file, None, None, f"{name}!1", f"缺少列“{c}” (column missing)"))
        if missing:
            return
        unknown = _formulas(formulas, name)
        # A key merged down over its group's rows is each row's; a target's text merged over
        # its quantities' rows stays on the first (the others belong to it by their 序号).
        if ws.max_row > MAX_ROWS:
            problems.append(Problem(file, None, None, name, f"有 {ws.max_row} 行，超过 {MAX_ROWS} 行的上限 (too many rows)"))
            return
        merged = {k: v for k, v in merged_down(ws, MAX_ROWS).items()
                  if k[1] > len(header) or header[k[1] - 1] not in SAID_ONCE}
        for r, row in enumerate(ws.iter_rows(min_row=2), 2):
            cells = {h: (merged.get((r, i + 1), _shown(row[i])) if i < len(row) else None)
                     for h, i in self.col.items()}
            for h, i in self.col.items():
                if cells[h] is None and h not in READ_ONLY and (r, i + 1) in unknown:
                    self.bad(r, h, f"单元格是公式 {clip(str(unknown[(r, i + 1)]), 40)}，文件里却没有它的结果"
                                   "（由程序生成、未在 Excel/WPS 中保存过）；请在 Excel/WPS 中打开并保存，或填入数值"
                                   " (a formula saved without its value)")
            if all(v is None or str(v).strip() == "" for k, v in cells.items() if k not in READ_ONLY):
                continue
            self.rows.append((r, cells))

    def where(self, r: int, column: str) -> str:
        return f"{self.name}!{_letter(self.col[column])}{r}"

    def bad(self, r: int, column: str, message: str) -> None:
        self.problems.append(Problem(self.file, None, None, self.where(r, column), message))

    def text(self, cells: dict, column: str) -> str | None:
        v = cells.get(column)
        if v is None:
            return None
        s = str(v).strip()
        if isinstance(v, float) and v == int(v):
            s = str(int(v))
        return s or None

    def number(self, r: int, cells: dict, column: str, required: bool = False):
        v = cells.get(column)
        if v is None or (isinstance(v, str) and not v.strip()):
            if required:
                self.bad(r, column, "不能为空，需要数字 (number required)")
            return None
        if isinstance(v, bool):
            self.bad(r, column, f"需要数字，得到 {v}")
            return None
        if isinstance(v, (int, float)):
            return _num(v)
        s = normalise(str(v)).replace(",", "").strip().rstrip("%")
        try:
            f = float(s)
        except ValueError:
            self.bad(r, column, f"需要数字，得到 “{v}”")
            return None
        if not math.isfinite(f):
            self.bad(r, column, f"需要有限的数字，得到 “{v}” (a finite number)")
            return None
        return _num(int(f) if f == int(f) else f)


def _shown(cell):
    """A cell's value as the clerk sees it: 11.95% typed in Excel is stored as 0.1195 in a
    percentage format, and means the figure 11.95 (every percentage here is kept in percent)."""
    v = cell.value
    fmt = getattr(cell, "number_format", None) or ""
    if isinstance(v, (int, float)) and not isinstance(v, bool) and "%" in fmt.replace('"%"', "").replace("\\%", ""):
        return _num(float(Decimal(repr(v)) * 100))
    return v


def _formulas(book, name: str) -> dict[tuple[int, int], str]:
    """(row, column) → formula of the sheet ``name`` in ``book`` (the workbook read for its
    formulas, or None when it holds none)."""
    if book is None or name not in book.sheetnames:
        return {}
    return {at: f for at, f in formula_cells(book[name]).items() if isinstance(f, str) and f.startswith("=")}


def _cell_order(p: Problem) -> tuple:
    sheet, _, cell = p.field.partition("!")
    m = re.match(r"([A-Z]*)(\d*)", cell)
    return sheet, int(m.group(2) or 0), len(m.group(1)), m.group(1)


def _letter(i: int) -> str:
    s = ""
    i += 1
    while i:
        i, rem = divmod(i - 1, 26)
        s = chr(65 + rem) + s
    return s


def _comparator(sheet: _Sheet, r: int, cells: dict) -> str | None:
    c = sheet.text(cells, "限定词")
    if c is not None and c not in COMPARATORS:
        sheet.bad(r, "限定词", f"不认识的限定词“{c}”，只能是 {'、'.join(COMPARATORS)} 之一")
        return None
    return c


def _clean(d: dict) -> dict:
    return {k: v for k, v in d.items()
            if v is not None and not (k == "kind" and v == "amount") and not (k == "unit" and v == "")}


def merge_xlsx(xlsx: FsPath, data: FsPath, missing_glyphs=None) -> tuple[str, int]:
    """The data file's new text with the workbook's rows merged in, and how many items changed.
    Raises ``DataError`` with a sheet!cell message for every problem; nothing is written here."""
    file = str(xlsx)
    raw = read_source(xlsx)  # a regular file within its limit: never a FIFO openpyxl would wait on
    text = read_text(data)
    values, _ = parse_yaml(text, str(data))
    problems: list[Problem] = []
    try:
        wb = open_workbook(raw, read_only=False)  # a full sheet: only it knows its merged cells
        formulas = open_workbook(raw, read_only=True, data_only=False) if has_formulas(raw) else None
        ms = _Sheet(wb, "指标", METRIC_COLUMNS, file, problems, formulas)
        ts = _Sheet(wb, "目标", TARGET_COLUMNS, file, problems, formulas)
        exported = _exported(wb)
    except WorkbookError as exc:
        raise DataError([Problem(file, None, None, "", str(exc))]) from None
    except Exception as exc:  # noqa: BLE001 -- a sheet damaged past its directory: the file's fault
        raise DataError([Problem(file, None, None, "", f"Excel 文件已损坏（{type(exc).__name__}）；{RESAVE}")]) from None
    if problems:
        problems.sort(key=_cell_order)
        raise DataError(problems)
    answers = (values.get("results") or {}).get("answers") or []
    paths = (values.get("plan") or {}).get("paths") or []
    known_ids = {m.get("id") for a in answers for m in (a.get("metrics") or [])}

    # 指标
    by_answer: dict[str, list[tuple[dict, bool]]] = {a.get("ordinal"): [] for a in answers}
    new_rows = []
    for r, cells in ms.rows:
        ordinal = ms.text(cells, "答卷")
        if ordinal not in by_answer:
            ms.bad(r, "答卷", f"没有这个答卷“{ordinal}”，应为 {'、'.join(map(str, by_answer))} 之一")
            continue
        ident = ms.text(cells, "id")
        if ident is not None and ident not in known_ids:
            from difflib import get_close_matches

            close = get_close_matches(ident, [str(i) for i in known_ids], n=1)
            ms.bad(r, "id", f"数据文件中没有 id “{ident}”" + (f"，是不是 {close[0]}？" if close else "")
                   + "；新增的指标请把 id 留空")
            continue
        label = ms.text(cells, "名称")
        if not label:
            ms.bad(r, "名称", "名称不能为空")
            continue
        kind_text = ms.text(cells, "类型") or "数量"
        kind = KIND_BACK.get(kind_text)
        if kind is None:
            ms.bad(r, "类型", f"类型只能是 {'、'.join(KINDS.values())}，得到“{kind_text}”")
        m = _clean({"id": ident, "label": label, "value": ms.number(r, cells, "数值", True),
                    "value_max": ms.number(r, cells, "上限"), "unit": ms.text(cells, "单位") or "",
                    "comparator": _comparator(ms, r, cells), "kind": kind, "growth": ms.number(r, cells, "增长%"),
                    "chart": ms.text(cells, "图表"), "short": ms.text(cells, "图中简称"),
                    "part_of": ms.text(cells, "属于")})
        by_answer[ordinal].append((m, bool(ms.text(cells, "待核对"))))
        if ident is None:
            new_rows.append(m)
    taken = {m["id"] for rows in by_answer.values() for m, _ in rows if "id" in m}
    for m, ident in zip(new_rows, unique_ids([m["label"] for m in new_rows], taken)):
        m["id"] = ident
    seen: dict[str, int] = {}
    for r, cells in ms.rows:
        ident = ms.text(cells, "id")
        if ident:
            if ident in seen:
                ms.bad(r, "id", f"id “{ident}” 重复（第 {seen[ident]} 行已有）")
            seen[ident] = r
    all_ids = {m.get("id") for rows in by_answer.values() for m, _ in rows}

    # 目标
    by_path: dict[str, dict[float, list[tuple[int, dict]]]] = {p.get("ordinal"): {} for p in paths}
    for r, cells in ts.rows:
        ordinal = ts.text(cells, "路径")
        if ordinal not in by_path:
            ts.bad(r, "路径", f"没有这个路径“{ordinal}”，应为 {'、'.join(map(str, by_path))} 之一")
            continue
        n = ts.number(r, cells, "序号", True)
        if n is None:
            continue
        by_path[ordinal].setdefault(n, []).append((r, cells))
    wanted_targets: dict[str, list[tuple[dict, bool, list[str | None]]]] = {}
    for ordinal, groups in by_path.items():
        out = []
        for n in sorted(groups):
            rows = groups[n]
            r0, first = rows[0]
            target_text = ts.text(first, "目标")
            if not target_text:
                ts.bad(r0, "目标", f"序号 {n} 的第一行要填目标原文")
                continue
            qs, hints = [], []
            for k, (r, cells) in enumerate(rows):
                if k and ts.text(cells, "目标"):
                    ts.bad(r, "目标", f"序号 {n} 已在第 {r0} 行，同一目标的其余行“目标”请留空（或改用新的序号）")
                value = ts.number(r, cells, "数值")
                if value is None:
                    if any(ts.text(cells, c) for c in ("单位", "限定词", "基数", "名称", "上限")):
                        ts.bad(r, "数值", "填了单位、限定词、名称或基数，却没有数值")
                    continue
                base = ts.text(cells, "基数")
                if base is not None and base not in all_ids:
                    ts.bad(r, "基数", f"没有 id 为“{base}”的指标（基数填“指标”表中的 id）")
                qs.append(_clean({"label": ts.text(cells, "名称"), "value": value,
                                  "value_max": ts.number(r, cells, "上限"), "unit": ts.text(cells, "单位") or "",
                                  "comparator": _comparator(ts, r, cells), "baseline": base,
                                  "baseline_note": ts.text(cells, "基数说明")}))
                hints.append(ts.text(cells, "待补充"))
            t = {"text": target_text}
            if qs:
                t["quantities"] = qs
            out.append((t, bool(ts.text(first, "待核对")), hints))
        wanted_targets[ordinal] = out
    if problems:
        problems.sort(key=_cell_order)
        raise DataError(problems)

    lines = text.splitlines(keepends=True)
    edits: list[tuple[int, int, list[str]]] = []  # (first line, last line inclusive, new lines)
    changed = 0
    state = _state(text, values)
    for kind, owners, seqs, wanted, emit in (
            ("metrics", answers, sequences(text, "results", "answers", "metrics"), by_answer,
             lambda m, marked, ind: [f"{ind}- {metric_line(m)}{'' if not marked else CHECK_COMMENT}"]),
            ("targets", paths, sequences(text, "plan", "paths", "targets"), wanted_targets, _target_text)):
        for owner, seq in zip(owners, seqs):
            ordinal = owner.get("ordinal")
            want, have = wanted[ordinal], state[kind].get(str(ordinal), [])
            base = exported.get(kind, {}).get(str(ordinal)) if exported is not None else None
            if base is not None and not _same_list(have, base):  # the data file changed since the export
                if _same_list(want, base):
                    continue  # and the sheet did not: the data file's own edit stays
                problems.append(Problem(str(data), seq.key_line + 1 if seq.key_line >= 0 else None, None,
                                        f"{ordinal} {kind}",
                                        f"导出 {xlsx} 之后，{data} 中{ordinal}的{'指标' if kind == 'metrics' else '目标'}"
                                        "改过，表中也改过：并回会丢掉其中一边的改动。请把数据文件的改动也填进表中，"
                                        "或重新导出后再核对 (changed in both since the export)"))
                continue
            changed += _plan_edits(seq, have, want, edits, kind, emit)
    if problems:
        raise DataError(problems)
    for first, last, new in sorted(edits, reverse=True):
        lines[first:last + 1] = [s + "\n" for s in new]
    merged = "".join(lines)
    _still_valid(merged, text, data, xlsx, missing_glyphs)
    return merged, changed


def _state(text: str, values: dict) -> dict[str, dict[str, list]]:
    """Every answer's metrics and every path's targets as the merge compares them (by ordinal):
    written into the workbook on export, so that the merge knows what the data file held then."""
    answers = (values.get("results") or {}).get("answers") or []
    paths = (values.get("plan") or {}).get("paths") or []
    out: dict[str, dict[str, list]] = {"metrics": {}, "targets": {}}
    for a, seq in zip(answers, sequences(text, "results", "answers", "metrics")):
        out["metrics"][str(a.get("ordinal"))] = [(_clean(dict(m)), it.marked)
                                                 for m, it in zip(a.get("metrics") or [], seq.items)]
    for p, seq in zip(paths, sequences(text, "plan", "paths", "targets")):
        out["targets"][str(p.get("ordinal"))] = [(_target(t), it.marked, it.hints)
                                                 for t, it in zip(p.get("targets") or [], seq.items)]
    return out


def _exported(wb) -> dict | None:
    """The data file's state at export, kept in the workbook's hidden sheet; None when there is
    none (a workbook from before it was kept, or one whose hidden sheet was removed)."""
    if STATE_SHEET not in wb.sheetnames:
        return None
    try:
        chunks = [row[0] for row in wb[STATE_SHEET].iter_rows(values_only=True) if row and isinstance(row[0], str)]
        found = json.loads("".join(chunks))
    except (ValueError, TypeError):
        return None
    return found if isinstance(found, dict) else None


def _same_list(a: list, b: list) -> bool:
    def norm(x):
        x = list(x)
        if len(x) > 2:
            x[2] = [h for h in (x[2] or []) if h]
        return x
    return len(a) == len(b) and all(_same(norm(x), norm(y)) for x, y in zip(a, b))


def _still_valid(merged: str, before: str, data: FsPath, xlsx: FsPath, missing_glyphs) -> None:
    """Refuse a merge that would make the data file fail to load where it did not before (a
    metric deleted that another is part of, a label too long…). A draft's blanks still to fill
    in were there before the merge and do not count: only new kinds of problem do."""
    def kinds(text: str) -> tuple[set, list[Problem]]:
        try:
            load_text(text, str(data), missing_glyphs)
        except DataError as exc:
            return {(re.sub(r"\[\d+\]", "[]", p.field), p.message) for p in exc.problems}, exc.problems
        return set(), []

    after, problems = kinds(merged)
    if not after:
        return
    old, _ = kinds(before)
    new = [p for p in problems if (re.sub(r"\[\d+\]", "[]", p.field), p.message) not in old]
    if new:
        raise DataError([Problem(str(xlsx), None, None, "", f"并回后 {data} 将无法使用，未写入 "
                                 "(the merge would make the data file invalid; nothing written):")]
                        + [Problem(str(data), None, None, p.field, p.message) for p in new])


def _target(value: dict | None) -> dict:
    value = dict(value or {})
    out = {"text": value.get("text")}
    qs = [_clean(dict(x)) for x in value.get("quantities") or []]
    if qs:
        out["quantities"] = qs
    return out


def _target_text(t: tuple | dict, marked: bool, indent: str, hints: list | None = None) -> list[str]:
    from .draft import target_lines

    hints = [h for h in (hints or [])]
    qs = t.get("quantities") or []
    hints = (hints + [None] * len(qs))[:len(qs)]
    lines = target_lines(t, indent, checked=not marked, hints=None)
    if any(hints):
        lines = lines[:1] + [f"{indent}  quantities:"] + [
            f"{indent}    - {quantity_line(x)}" + (f"  # {h}" if h else "") for x, h in zip(qs, hints)]
    return lines


def _same(a, b) -> bool:
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return float(a) == float(b)
    return a == b


def _plan_edits(seq: Seq, have: list, want: list, edits: list, key: str, emit) -> int:
    def norm_hints(h):
        return [x for x in (h or []) if x]

    def equal(x, y) -> bool:
        same = _same(x[0], y[0]) and x[1] == y[1]
        if len(x) > 2:
            same = same and norm_hints(x[2]) == norm_hints(y[2])
        return same

    def render(w, indent):
        return emit(w[0], w[1], indent, *(w[2:] if len(w) > 2 else ()))

    if len(have) == len(want) and not seq.flow:
        n = 0
        for it, h, w in zip(seq.items, have, want):
            if not equal(h, w):
                edits.append((it.first, it.last, render(w, seq.indent)))
                n += 1
        return n
    if not want and not have:
        return 0
    body = [line for w in want for line in render(w, seq.indent)]
    head = seq.indent[:-2] + f"{key}:" + ("" if want else " []")
    if seq.key_line < 0:
        edits.append((seq.owner_line + 3, seq.owner_line + 2, [head] + body))  # insert after id/ordinal/title
    else:
        last = max([seq.key_line] + [it.last for it in seq.items])
        edits.append((seq.key_line, last, [head] + body))
    return abs(len(want) - len(have)) or len(want)
