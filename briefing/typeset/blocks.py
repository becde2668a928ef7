"""Small flowables the sections are built from: headings, figure cards, check boxes, rules."""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import Flowable
from reportlab.platypus.doctemplate import ActionFlowable, NullActionFlowable

from ..data.model import COMPARATORS, Quantity, format_number
from .styles import ACCENT, INK, RULE, Styles, TextStyle
from .tagging import LAYOUT, Tagged, artifact, tagged
from .text import ASCENT, TextBlock, draw_line, line_width


class Heading(Tagged, Flowable):
    """A heading that announces itself to the document: outline, contents and running header.

    ``level`` 0 is a part or top-level section, 1 a section inside a part; ``None`` keeps the
    heading out of the contents (the contents page itself) but still bookmarks it.
    """

    def __init__(self, title: str, style: TextStyle, key: str, level: int | None = 0,
                 ordinal: str | None = None, ordinal_style: TextStyle | None = None):
        super().__init__()
        self.title = title
        self.key = key
        self.level = level
        self.ordinal = ordinal
        self.parts = []
        if ordinal and ordinal_style:
            self.parts.append(TextBlock(ordinal, ordinal_style))
        self.parts.append(TextBlock(title, style))
        self.spaceBefore = style.space_before
        self.spaceAfter = style.space_after
        self.keep_with_next = True  # grouped with what follows by story.keep_headings

    @property
    def label(self) -> str:
        """The heading as the outline and contents show it: 答卷一　综合实力稳步提升."""
        return f"{self.ordinal}\u3000{self.title}" if self.ordinal else self.title

    def wrap(self, availWidth, availHeight):
        self.width = availWidth
        self.height = sum(p.wrap(availWidth, availHeight)[1] for p in self.parts)
        return self.width, self.height

    def draw(self):
        y = self.height
        for p in self.parts:
            y -= p.height
            p.drawOn(self.canv, 0, y)


class FigureCard(Flowable):
    """One key figure: the number large, its unit and comparator small, the label beneath."""

    def __init__(self, quantity: Quantity, label: str, styles: Styles, note: str | None = None):
        super().__init__()
        self.q = quantity
        self.styles = styles
        self.label = TextBlock(label, styles.figure_label)
        self.note = TextBlock(note, styles.figure_label.but(color=ACCENT)) if note else None

    def _runs(self) -> list[tuple[str, TextStyle]]:
        q, st = self.q, self.styles
        number = [(format_number(q.value), st.figure), (q.unit, st.figure_unit)]
        if q.value_max is not None:  # a range: 6%—6.5%, 5000—8000万元 (Quantity.number_text)
            high = (f"—{format_number(q.value_max)}", st.figure)
            number = number + [high, number[1]] if q.unit == "%" else [number[0], high, number[1]]
        if q.comparator is None:
            return number
        comp = (q.comparator, st.figure_unit)
        return [comp, *number] if COMPARATORS[q.comparator] == "prefix" else [*number, comp]

    def wrap(self, availWidth, availHeight):
        self.width = availWidth
        inner = availWidth - 6
        h = 4 + self.styles.figure.leading + self.label.wrap(inner, availHeight)[1]
        if self.note:
            h += self.note.wrap(inner, availHeight)[1]
        self.height = h + 6
        return self.width, self.height

    def draw(self):
        c = self.canv
        st = self.styles
        with artifact(c, LAYOUT):
            c.setFillColor(ACCENT)
            c.rect(0, self.height - 2.2, 16, 2.2, stroke=0, fill=1)
        with tagged(c, getattr(self, "tag", None)):
            self._draw_text()

    def _draw_text(self):
        c = self.canv
        st = self.styles
        base = self.height - 4 - (st.figure.leading - st.figure.size) / 2 - st.figure.size * ASCENT
        x = 0.0
        runs = [(t, s) for t, s in self._runs() if t]
        scale = 1.0
        natural = sum(line_width(t, s) for t, s in runs)
        if natural > self.width - 4:
            scale = (self.width - 4) / natural  # a very long figure still stays in its card
        for text, s in runs:
            if scale != 1.0 or s.color is not INK:  # else the style it has (a new one costs 4 µs)
                s = s.but(size=s.size * scale, color=INK)
            x += draw_line(c, text, s, x, base)
        y = self.height - 4 - st.figure.leading - self.label.height
        self.label.drawOn(c, 0, y)
        if self.note:
            self.note.drawOn(c, 0, y - self.note.height)


class CheckBox(Flowable):
    """A drawn square to tick by hand: the Noto SC fonts have no ☐ glyph."""

    def __init__(self, size: float = 3.6 * mm, height: float = 12):
        super().__init__()
        self.size = size
        self.box_height = height

    def wrap(self, availWidth, availHeight):
        return self.size, self.box_height

    def draw(self):
        c = self.canv
        c.setStrokeColor(INK)
        c.setLineWidth(0.7)
        c.rect(0, self.box_height - self.size - 2, self.size, self.size, stroke=1, fill=0)


class Bullet(Flowable):
    """A small filled square for achievement lists, drawn rather than typed."""

    def __init__(self, style: TextStyle):
        super().__init__()
        self.style = style

    def wrap(self, availWidth, availHeight):
        return self.style.size, self.style.leading

    def draw(self):
        s = self.style.size * 0.32
        self.canv.setFillColor(ACCENT)
        y = self.style.leading / 2 - s / 2
        self.canv.rect(0, y, s, s, stroke=0, fill=1)


class RuledLines(Tagged, Flowable):
    """Writing lines that fill the rest of the frame (the notes page)."""

    def __init__(self, pitch: float = 9 * mm):
        super().__init__()
        self.pitch = pitch

    def wrap(self, availWidth, availHeight):
        self.width = availWidth
        self.height = max(self.pitch, availHeight - 1)
        return self.width, self.height

    def draw(self):
        c = self.canv
        c.setStrokeColor(RULE)
        c.setLineWidth(0.4)
        y = self.height - self.pitch
        while y >= 0:
            c.line(0, y, self.width, y)
            y -= self.pitch



class KeepWithNext(Flowable):
    """Headings and what follows them: a heading never ends a page.

    The headings stay on this page only if what follows fits under them whole, or a first
    piece of it at least ``least`` high (two lines of body text) that the following flowable's
    own split gives: lines of a paragraph, rows of a table. Otherwise they move to the next
    page together. Unlike reportlab's keepWithNext, a long table or paragraph is never carried
    whole to the next page.
    """

    def __init__(self, heads: list[Flowable], follow: Flowable, least: float = 0.0):
        super().__init__()
        self.heads = heads
        self.follow = follow
        self.least = least

    def wrap(self, availWidth, availHeight):
        return availWidth, 0xFFFFFF  # never drawn as one piece: the frame asks split() instead

    def split(self, availWidth, availHeight):
        frame = getattr(self, "_frame", None)
        at_top = bool(getattr(frame, "_atTop", False))
        squeeze = getattr(frame, "squeeze", 1.0)  # the page's spaces, as the frame sets them
        canv = self.canv
        used = 0.0
        for n, f in enumerate(self.heads):
            used += f.wrapOn(canv, availWidth, availHeight)[1] + f.getSpaceAfter() * squeeze
            if n or not at_top:
                used += f.getSpaceBefore() * squeeze
        rest = availHeight - used - self.follow.getSpaceBefore() * squeeze
        whole = [*self.heads, self.follow]
        if rest > 0 and self.follow.wrapOn(canv, availWidth, rest)[1] <= rest:
            return whole
        parts = self.follow.splitOn(canv, availWidth, rest) if rest > 0 else []
        first = next((p for p in parts if not isinstance(p, NullActionFlowable)), None)
        if (first is not None and not isinstance(first, ActionFlowable)  # a break: it does not fit here
                and first.wrapOn(canv, availWidth, rest)[1] >= self.least - 1e-6):
            return [*self.heads, *parts]
        return whole if at_top else []  # [] = not enough fits here: the frame moves us on


class Continued(Flowable):
    """A table that splits across pages like a book's: never one row alone at the foot of a
    page or at the head of the next (when it has rows to spare), and, with a ``caption``, a
    small line over the continuation's repeated header row ("路径二　目标清单（续）") that
    says what the rows belong to. ``header`` is the number of rows the table repeats."""

    def __init__(self, table: Flowable, caption: TextBlock | None = None, continued: bool = False,
                 header: int = 1):
        super().__init__()
        self.table = table
        self.caption = caption
        self.continued = continued
        self.header = header

    def _caption_height(self, availWidth, availHeight) -> float:
        if not (self.continued and self.caption):
            return 0.0
        return self.caption.wrap(availWidth, availHeight)[1] + self.caption.style.space_after

    def wrap(self, availWidth, availHeight):
        head = self._caption_height(availWidth, availHeight)
        w, h = self.table.wrapOn(self.canv, availWidth, availHeight - head)
        self.width, self.height = availWidth, h + head
        return self.width, self.height

    def _rows(self, table) -> int:
        return len(table._cellvalues) - self.header

    def rows(self) -> int:
        """Its rows besides the repeated header: the items of a list, the targets of a checklist."""
        return self._rows(self.table)

    def split(self, availWidth, availHeight):
        height = availHeight - self._caption_height(availWidth, availHeight)
        parts = self.table.splitOn(self.canv, availWidth, height)
        if len(parts) == 2:
            first, rest = parts
            at_top = getattr(getattr(self, "_frame", None), "_atTop", False)
            if self._rows(first) < 2 and not at_top:
                return []  # one row alone at the foot of the page: it goes on with the rest
            if self._rows(rest) < 2 and self._rows(first) >= 3:
                first.wrapOn(self.canv, availWidth, height)  # leave one more row for the next page
                parts = self.table.splitOn(self.canv, availWidth, sum(first._rowHeights[:-1]) + 1e-3) or parts
        if len(parts) < 2:
            return parts
        first, *rest = parts
        return [Continued(first, self.caption, self.continued, self.header)] + \
            [Continued(p, self.caption, True, self.header) for p in rest]

    def draw(self):
        if self.continued and self.caption:
            self.caption.drawOn(self.canv, 0, self.height - self.caption.height)
        self.table.drawOn(self.canv, 0, 0)


class Figure(Flowable):
    """A chart and its caption under it (图3　住房安置（单位：套）), never split from each other.

    ``alt`` is the chart's one-sentence text alternative, built from its values: what a tagged
    PDF gives as the figure's Alt text.
    """

    def __init__(self, drawing, caption: TextBlock, alt: str, gap: float = 2 * mm):
        super().__init__()
        self.drawing = drawing
        self.caption = caption
        self.alt = alt
        self.gap = gap
        self._heights = (0.0, 0.0)

    def wrap(self, availWidth, availHeight):
        _, dh = self.drawing.wrap(availWidth, availHeight)
        _, ch = self.caption.wrap(availWidth, availHeight)
        self._heights = (dh, ch)
        self.width = max(self.drawing.width, availWidth)
        return self.width, dh + self.gap + ch

    def draw(self):
        dh, ch = self._heights
        # The chart's own labels are part of the illustration, marked /Figure (tagged, the
        # figure's own content; the line checks judge the caption, set as our text, but not
        # matplotlib's labels for compression).
        with tagged(self.canv, getattr(self, "tag", None), untagged="/Figure"):
            self.drawing.drawOn(self.canv, 0, ch + self.gap)
        self.caption.drawOn(self.canv, 0, 0)  # tagged as the figure's Caption, on its own
