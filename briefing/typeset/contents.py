"""Where the contents page is set: every heading's entry, a dot leader and its page number, linked.

reportlab's ``TableOfContents`` is kept for what it does well, collecting the entries the
headings announce as the pass lays them out. The entries themselves are known before the pass,
from the story's headings (``plan``), and the page numbers only once it has laid them out: so
each entry's leader and number are drawn when the file is saved (``typeset.later``), and
every entry's title is set with room for a number of ``DIGITS`` digits. One pass is then
enough; ``isSatisfied`` asks for another only when the pass found other entries than
planned, or a page number longer than that room.

Its drawing is our own: the entries are set with the booklet's clreq line breaker
(reportlab's CJK wrap can end a line on "（"), each is a TOCI > Link in the tagged PDF with its
page number, and the link annotation over it says where it goes.
"""

from __future__ import annotations

from dataclasses import replace
from html import escape, unescape

from reportlab.pdfbase.pdfmetrics import getFont
from reportlab.platypus import Flowable
from reportlab.platypus.tableofcontents import TableOfContents

from .later import later
from .linebreak import advances
from .styles import Styles, TextStyle
from .tagging import LAYOUT, Annotation, Element, artifact, recorder_of
from .text import ASCENT, TextBlock

DOT_GAP = 4.0  # points of space around the leader
DIGITS = 3  # the page numbers an entry leaves room for, at first: up to 999 pages
DIGIT_CHARS = "0123456789"


def _text_width(text: str, style: TextStyle, upto: int | None = None) -> float:
    """The width of ``text`` (of its first ``upto`` characters) as a line sets it: its
    punctuation compressed, so "（一）　" ends where the title starts."""
    from ..fonts.register import char_width

    return sum(advances(text, char_width(style.font, style.size), style.size)[:upto])


def entry_text(label: str) -> str:
    """A heading's label as its contents entry carries it (reportlab's entries are markup)."""
    return escape(label, quote=False)


def planned_entries(flowables) -> list[tuple[int, str, str]]:
    """(level, text, key) of every heading of the story that the contents list, in order."""
    from .blocks import Heading, KeepWithNext

    found = []
    for f in flowables:
        for g in (*f.heads, f.follow) if isinstance(f, KeepWithNext) else (f,):
            if isinstance(g, Heading) and g.level is not None:
                found.append((g.level, entry_text(g.label), g.key))
    return found


class _Row:
    """One entry laid out for a width: its title's lines, with room for its page number."""

    def __init__(self, index: int, level: int, title: str, key: str, style: TextStyle, indent: float,
                 space_before: float, number_room: float, width: float):
        self.index, self.level, self.title, self.key = index, level, title, key
        self.style, self.indent, self.space_before = style, indent, space_before
        # "答卷一　title": a title that turns goes on under its own first character, not under
        # the ordinal (a hanging indent, as a typeset contents has it)
        ordinal, gap, rest = title.partition("\u3000")
        self.hang = _text_width(title, style, len(ordinal) + 1) if gap and rest and len(ordinal) <= 8 else 0.0
        self.block = TextBlock(title, style.but(first_indent=-self.hang, align="left", space_before=0,
                                                space_after=0))
        self.block.wrap(width - indent - self.hang - number_room - 2 * DOT_GAP, 1e9)
        self.height = space_before + self.block.height

    @property
    def last_x(self) -> float:
        """Where the last line starts, from the entry's indent."""
        return 0.0 if len(self.block.lines(self.block.width)) == 1 else self.hang


class Contents(TableOfContents):
    """The contents: a ``TableOfContents`` that sets and tags its entries itself."""

    def __init__(self, styles: Styles, levels: list[tuple[TextStyle, float, float]]):
        super().__init__()
        self.styles = styles
        self.levels = levels  # per level: style, left indent, space before
        self.tag: Element | None = None
        self.planned: list[tuple[int, str, str]] = []  # (level, text, key): what this pass lists
        self.digits = DIGITS
        self._rows: list[_Row] = []

    def plan(self, entries: list[tuple[int, str, str]]) -> None:
        self.planned = list(entries)

    def isSatisfied(self):
        """The entries found are those listed, and every page number fits its room."""
        found = [(level, text, key) for level, text, _, key in self._entries]
        digits = max([self.digits] + [len(str(page)) for _, _, page, _ in self._entries])
        if found == self.planned and digits == self.digits:
            return True
        self.planned, self.digits = found, digits
        return False

    def page(self, index: int) -> str:
        """The page number of entry ``index``, as this pass found it (when the file is saved)."""
        return str(self._entries[index][2])

    def _style(self, level: int) -> tuple[TextStyle, float, float]:
        return self.levels[min(level, len(self.levels) - 1)]

    def number_room(self, style: TextStyle) -> float:
        return self.digits * max(self._width(d, style.font, style.size) for d in DIGIT_CHARS)

    def _layout(self, width: float) -> list[_Row]:
        rows = []
        for index, (level, text, key) in enumerate(self.planned):
            style, indent, before = self._style(level)
            rows.append(_Row(index, level, unescape(text), key, style, indent, before, self.number_room(style), width))
        return rows

    @staticmethod
    def _width(text: str, font: str, size: float) -> float:
        return _text_width(text, TextStyle(font, size, size))

    def wrap(self, availWidth, availHeight):
        self._rows = self._layout(availWidth)
        self.width = availWidth
        self.height = sum(r.height for r in self._rows)
        return self.width, self.height

    def split(self, availWidth, availHeight):
        rows = self._layout(availWidth)
        used, n = 0.0, 0
        for r in rows:
            if used + r.height > availHeight + 1e-6:
                break
            used += r.height
            n += 1
        if n == len(rows):
            return [self]
        if n == 0:
            return []
        return [_ContentsPart(self, rows[:n]), _ContentsPart(self, rows[n:], first=False)]

    def drawOn(self, canvas, x, y, _sW=0):
        _draw_rows(self, self._rows, canvas, x, y)


class _ContentsPart(Flowable):
    """A page's share of a contents too long for one page."""

    def __init__(self, owner: Contents, rows: list[_Row], first: bool = True):
        super().__init__()
        self.owner, self.rows = owner, rows
        if not first and rows:
            rows[0].height -= rows[0].space_before  # no space above the first entry of a page
            rows[0].space_before = 0.0

    def wrap(self, availWidth, availHeight):
        self.width = availWidth
        self.height = sum(r.height for r in self.rows)
        return self.width, self.height

    def split(self, availWidth, availHeight):
        used, n = 0.0, 0
        for r in self.rows:
            if used + r.height > availHeight + 1e-6:
                break
            used += r.height
            n += 1
        if n in (0, len(self.rows)):
            return [] if n == 0 else [self]
        return [_ContentsPart(self.owner, self.rows[:n]), _ContentsPart(self.owner, self.rows[n:], first=False)]

    def drawOn(self, canvas, x, y, _sW=0):
        _draw_rows(self.owner, self.rows, canvas, x, y)


def _draw_rows(owner: Contents, rows: list[_Row], canv, x: float, y: float) -> None:
    """Each entry: its title, a dot leader to its page number, and one link over the row; the
    leader and the number are painted into the page when the file is saved (``later``: the
    number is known then), the link's description naming the page then too."""
    rec = recorder_of(canv)
    width = owner.width
    top = y + sum(r.height for r in rows)
    for font in dict.fromkeys(r.style.font for r in rows):
        # The digits' codes are given here, where the numbers are, not when they are drawn:
        # glyph codes go by first use, and an edit elsewhere must not renumber this page.
        getFont(font).splitString(DIGIT_CHARS, canv._doc)
    for r in rows:
        top -= r.space_before
        bottom = top - r.block.height
        st = r.style
        last = r.block.lines(r.block.width)[-1] if r.block.text else None
        line_base = bottom + st.leading - (st.leading - st.size) / 2 - st.size * ASCENT  # last line's baseline
        dots_from = x + r.indent + r.last_x + (last.width if last else 0) + DOT_GAP
        rect = (x + r.indent, bottom, x + width, top)
        item = link = None
        if rec is not None and owner.tag is not None:
            item = owner.tag.add("TOCI")
            link = item.add("Link")
        _tagged(rec, canv, link, lambda: r.block.drawOn(canv, x + r.indent + r.hang, bottom))

        def leader(c, r=r, base=line_base, start=dots_from):
            end = x + width - owner._width(owner.page(r.index), r.style.font, r.style.size) - DOT_GAP
            if end > start:
                _leader(c, start, end, base, r.style)

        def number(c, r=r, base=line_base, link=link):
            page = owner.page(r.index)
            c.setFont(r.style.font, r.style.size)
            c.setFillColor(r.style.color)
            c.drawRightString(x + width, base, page)
            if link is not None:  # the link's description names the page too, known only now
                at = next(i for i, k in enumerate(link.kids) if isinstance(k, Annotation))
                link.kids[at] = replace(link.kids[at], contents=f"{r.title}，第{page}页")

        with artifact(canv, LAYOUT):
            later(canv, leader)
        _tagged(rec, canv, link, lambda: later(canv, number))
        if rec is not None and link is not None:
            rec.link(canv, link, f"contents-{len(owner.tag.kids)}", r.title, rect, r.key)
        else:
            canv.linkRect("", r.key, rect, relative=1)
        top = bottom


def _tagged(rec, canv, element, paint) -> None:
    if rec is None or element is None:
        paint()
        return
    with rec.content(canv, element):
        paint()


def _leader(canv, x0: float, x1: float, base: float, st: TextStyle) -> None:
    """Dots from x0 to x1: one dashed line of round caps, drawn from the right so that every
    leader ends in line with the page numbers."""
    pitch = st.size * 0.5
    canv.saveState()
    canv.setStrokeColor(st.color)
    canv.setLineWidth(st.size * 0.12)
    canv.setLineCap(1)
    canv.setDash([0, pitch], pitch / 2)
    canv.line(x1, base + st.size * 0.1, x0 + pitch / 2, base + st.size * 0.1)
    canv.restoreState()
