"""Where the target checklist and the year-on-year comparison are drawn.

Both are reportlab Tables whose cells are our own TextBlocks, so a target's text wraps by the
clreq rules inside its cell; the header row repeats on every page and no row is split.
"""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import Table, TableStyle

from ..data.model import Briefing, Path, TargetQuantity
from .blocks import CheckBox
from .chartrules import symbol
from .styles import GREY, GROUND, RULE, Styles
from .text import TextBlock

WRITE_IN = 37 * mm  # the 完成情况/备注 column: wide enough to write in by hand


def _quantity_text(q: TargetQuantity) -> str:
    return f"{q.label}{q.text()}" if q.label else q.text()


def grid_style(font: str, left: float = 0, right: float = 0, top: float = 0, bottom: float = 0,
               extra: list[tuple] = ()) -> TableStyle:
    """Every table's base: cells top-aligned with these paddings, and the booklet's font set on
    every cell, because reportlab draws even an empty cell in Helvetica otherwise."""
    return TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), font),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), left),
        ("RIGHTPADDING", (0, 0), (-1, -1), right),
        ("TOPPADDING", (0, 0), (-1, -1), top),
        ("BOTTOMPADDING", (0, 0), (-1, -1), bottom),
        *extra,
    ])


def _ruled(styles: Styles, extra: list[tuple] = ()) -> TableStyle:
    """The ruled tables (checklist, comparison, review): grey header row, thin rules."""
    return grid_style(styles.fonts.sans, 4, 4, 5, 6, [
        ("BACKGROUND", (0, 0), (-1, 0), GROUND),
        ("LINEABOVE", (0, 0), (-1, 0), 0.8, GREY),
        ("LINEBELOW", (0, 0), (-1, 0), 0.5, GREY),
        ("LINEBELOW", (0, 1), (-1, -1), 0.3, RULE),
        *extra,
    ])


def checklist(path: Path, doc: Briefing, styles: Styles) -> Table:
    labels = doc.labels
    metrics = doc.metrics()
    st, head = styles.cell, styles.cell_head
    num = st  # quantities share the cell's Serif: no extra Sans outlines in the PDF
    width = styles.geometry.frame_width
    # On a narrow page (A5) the 2022 baseline goes under the quantity instead of its own column,
    # so the target keeps a readable measure and the write-in column keeps its 37 mm.
    wide = width >= 130 * mm
    box_w, qty_w, base_w = 7 * mm, (30 if wide else 25) * mm, 22 * mm if wide else 0
    text_w = width - box_w - qty_w - base_w - WRITE_IN
    baseline_head = labels.fill(labels.check_baseline, doc)
    head_row = ["", TextBlock(labels.check_target, head), TextBlock(labels.check_quantity, head)]
    head_row += [TextBlock(baseline_head, head)] if wide else []
    rows = [head_row + [TextBlock(labels.check_status, head)]]
    for target in path.targets:
        quantities = [TextBlock(_quantity_text(q), num) for q in target.quantities]
        baselines = [TextBlock(metrics[q.baseline].text() if wide else
                               f"{baseline_head}：{metrics[q.baseline].text()}", num.but(color=GREY))
                     for q in target.quantities if q.baseline in metrics]
        row = [CheckBox(height=st.leading), TextBlock(target.text, st)]
        row += [quantities, baselines] if wide else [quantities + baselines]
        rows.append(row + [""])
    cols = [box_w, text_w, qty_w] + ([base_w] if wide else []) + [WRITE_IN]
    table = Table(rows, colWidths=cols, repeatRows=1, hAlign="LEFT")
    table.setStyle(_ruled(styles, [("LINEBEFORE", (-1, 0), (-1, -1), 0.3, RULE)]))
    return table


def comparison(doc: Briefing, styles: Styles) -> Table:
    """Each 2023 quantity that continues a 2022 figure, side by side, in the order of the plan."""
    labels = doc.labels
    st, head = styles.cell, styles.cell_head
    num = st.but(font=styles.fonts.sans_bold, align="left")
    width = styles.geometry.frame_width
    note = width * 0.34
    col = [width - 24 * mm - 27 * mm - note, 24 * mm, 27 * mm, note]
    rows = [[
        TextBlock(labels.compare_item, head),
        TextBlock(labels.fill(labels.compare_metric, doc), head),
        TextBlock(labels.fill(labels.compare_target, doc), head),
        TextBlock(labels.compare_note, head),
    ]]
    for path, target, q, metric in doc.links():
        rows.append([
            TextBlock(metric.label, st),
            TextBlock(metric.text(), st),
            TextBlock(q.text(), num),
            TextBlock(f"{path.ordinal}：{target.text}" + (f"。{q.baseline_note}" if q.baseline_note else ""),
                      st.but(size=8.5, leading=13, color=GREY)),
        ])
    table = Table(rows, colWidths=col, repeatRows=1, hAlign="LEFT")
    table.setStyle(_ruled(styles))
    return table


def review_table(targets, doc: Briefing, styles: Styles) -> Table:
    """Last year's targets: the target, its figure, the result and the status (待填报 if unfilled),
    the status led by the same mark as in its chart's legend (✓ ◐ → × ○)."""
    L = doc.labels
    st, head = styles.cell, styles.cell_head
    width = styles.geometry.frame_width
    status_w, qty_w, res_w = 22 * mm, 26 * mm, 30 * mm
    rows = [[TextBlock(L.review_target, head), TextBlock(L.review_quantity, head),
             TextBlock(L.review_result, head), TextBlock(L.review_status, head)]]
    strong = head.but(font=styles.fonts.sans_bold)
    for j in targets:
        t = j.target
        results = [TextBlock(q.result_text(), st) for q in t.quantities if q.result is not None]
        if t.result:
            results.append(TextBlock(t.result, st))
        pending = j.status == L.pending
        rows.append([
            TextBlock(t.text, st),
            [TextBlock(_quantity_text(q), st) for q in t.quantities],
            results or [TextBlock(L.pending, st.but(color=GREY))],
            TextBlock(symbol(j.status) + j.status, st.but(color=GREY) if pending else strong),
        ])
    table = Table(rows, colWidths=[width - qty_w - res_w - status_w, qty_w, res_w, status_w], repeatRows=1,
                  hAlign="LEFT")
    table.setStyle(_ruled(styles))
    return table
