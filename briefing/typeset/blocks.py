"""Small flowables the sections are built from: headings, figure cards, check boxes, rules."""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import Flowable

from ..data.model import COMPARATORS, Quantity, format_number
from .styles import ACCENT, INK, RULE, Styles, TextStyle
from .text import ASCENT, TextBlock, draw_line, line_width


class Heading(Flowable):
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
        self.keepWithNext = True

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
        c.setFillColor(ACCENT)
        c.rect(0, self.height - 2.2, 16, 2.2, stroke=0, fill=1)
        base = self.height - 4 - (st.figure.leading - st.figure.size) / 2 - st.figure.size * ASCENT
        x = 0.0
        runs = [(t, s) for t, s in self._runs() if t]
        scale = 1.0
        natural = sum(line_width(t, s) for t, s in runs)
        if natural > self.width - 4:
            scale = (self.width - 4) / natural  # a very long figure still stays in its card
        for text, s in runs:
            s = s.but(size=s.size * scale, color=INK)
            draw_line(c, text, s, x, base)
            x += line_width(text, s)
        y = self.height - 4 - st.figure.leading - self.label.height
        self.label.drawOn(c, 0, y)
        if self.note:
            self.note.drawOn(c, 0, y - self.note.height)


class Marked(Flowable):
    """A flowable drawn inside a marked-content sequence: ``/Figure BMC … EMC`` tells a reader of
    the page (and the line checks) that a chart's labels are part of an illustration."""

    def __init__(self, inner: Flowable, tag: str = "Figure"):
        super().__init__()
        self.inner = inner
        self.tag = tag
        self.hAlign = getattr(inner, "hAlign", "LEFT")

    def wrap(self, availWidth, availHeight):
        self.width, self.height = self.inner.wrap(availWidth, availHeight)
        return self.width, self.height

    def draw(self):
        self.canv.addLiteral(f"/{self.tag} BMC")
        self.inner.drawOn(self.canv, 0, 0)
        self.canv.addLiteral("EMC")


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


class RuledLines(Flowable):
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

