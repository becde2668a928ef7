"""Where the target checklist and the year-on-year comparison are drawn.

Both are reportlab Tables whose cells are our own TextBlocks, so a target's text wraps by the
clreq rules inside its cell; the header row repeats on every page and no row is split.
"""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import Table, TableStyle

from ..data.model import Briefing, Path, TargetQuantity
from ..fonts.register import char_width
from .blocks import CheckBox
from .chartrules import symbol
from .styles import GREY, GROUND, RULE, Styles
from .text import TextBlock

WRITE_IN = 37 * mm  # the 完成情况/备注 column: wide enough to write in by hand


class FixedTable(Table):
    """A reportlab ``Table`` of fixed column widths that keeps its row heights once reportlab
    has worked them all out (at its first wrap). reportlab works them out again, wrapping every
    cell, at every wrap, and so at every try of a frame and every split: a fifth of a long
    booklet's layout. With fixed columns a row's height follows from its cells alone, and the
    cells are set once; the pieces a split makes are tables of this kind too, handed their
    rows' heights."""

    def wrap(self, availWidth, availHeight):
        size = super().wrap(availWidth, availHeight)
        if (None in self._argH and None not in self._rowHeights
                and all(isinstance(w, (int, float)) for w in self._colWidths)):
            self._argH = list(self._rowHeights)
        return size


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


def _natural(texts, style) -> float:
    """The widest of ``texts`` set on one line (each line of a text with forced breaks)."""
    measure = char_width(style.font, style.size)
    return max((sum(map(measure, line)) for text in texts for line in text.split("\n")), default=0.0)


def checklist(path: Path, doc: Briefing, styles: Styles) -> Table:
    """Check box, target, quantity (with its 2022 base under it, in grey), and the write-in
    column. The quantity column is as wide as the plan's widest quantity needs (up to a cap,
    the same in every checklist so they line up), and the target takes all the rest."""
    labels = doc.labels
    metrics = doc.metrics()
    st, head = styles.cell, styles.cell_head
    width = styles.geometry.frame_width
    base_label = labels.fill(labels.check_baseline, doc)

    def quantities(target) -> list[str]:
        return [_quantity_text(q) for q in target.quantities]

    def bases(target) -> list[str]:
        return [f"{base_label}\n{metrics[q.baseline].text()}" for q in target.quantities if q.baseline in metrics]

    every = [t for p in doc.plan.paths for t in p.targets]
    pad = 8  # the cell's left and right padding
    need = max(_natural([labels.check_quantity], head), _natural([q for t in every for q in quantities(t)], st),
               _natural([b for t in every for b in bases(t)], st))
    box_w = 7 * mm
    qty_w = min(need + pad, (34 if width >= 130 * mm else 25) * mm)
    text_w = width - box_w - qty_w - WRITE_IN
    # An empty cell is an empty list: reportlab draws a string cell, even "", as a text object.
    rows = [[[], TextBlock(labels.check_target, head), TextBlock(labels.check_quantity, head),
             TextBlock(labels.check_status, head)]]
    for target in path.targets:
        cell = [TextBlock(q, st) for q in quantities(target)]
        cell += [TextBlock(b, st.but(color=GREY)) for b in bases(target)]
        rows.append([CheckBox(height=st.leading), TextBlock(target.text, st), cell, []])
    table = FixedTable(rows, colWidths=[box_w, text_w, qty_w, WRITE_IN], repeatRows=1, hAlign="LEFT")
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
    table = FixedTable(rows, colWidths=col, repeatRows=1, hAlign="LEFT")
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
    table = FixedTable(rows, colWidths=[width - qty_w - res_w - status_w, qty_w, res_w, status_w], repeatRows=1,
                       hAlign="LEFT")
    table.setStyle(_ruled(styles))
    return table
