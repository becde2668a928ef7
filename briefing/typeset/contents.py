"""Where the contents page is set: reportlab's table of contents, each entry set as our own text.

reportlab's ``TableOfContents`` collects the entries over the layout passes and asks for more
passes until the page numbers settle; that is kept. Its entries, though, are reportlab
Paragraphs (markup parsed, reportlab's CJK wrap, no punctuation compression), so each entry
here is a ``TextBlock`` with the dot leader and page number after its last line, as reportlab
draws them, and a link over the whole entry.
"""

from __future__ import annotations

from html import unescape

from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Spacer, Table
from reportlab.platypus.tableofcontents import TableOfContents

from .styles import TextStyle
from .text import ASCENT, TextBlock

DOT = " . "


class ContentsEntry(Flowable):
    """One entry: its title (wrapped clear of the page number), dots, and the page number."""

    def __init__(self, label: str, page: int, key: str | None, style: TextStyle, indent: float):
        super().__init__()
        self.page = str(page)
        self.key = key
        self.style = style
        self.indent = indent
        self.label = TextBlock(label, style.but(first_indent=0, space_before=0, space_after=0))

    def wrap(self, availWidth, availHeight):
        st = self.style
        self.width = availWidth
        room = stringWidth(DOT + self.page, st.font, st.size) + st.size
        _, self.height = self.label.wrap(availWidth - self.indent - room, availHeight)
        return self.width, self.height

    def draw(self):
        st = self.style
        canv = self.canv
        self.label.drawOn(canv, self.indent, 0)
        lines = self.label.lines(self.label.width)
        end = self.indent + (lines[-1].width if lines else 0.0)
        baseline = self.height - (len(lines) - 1) * st.leading - (st.leading - st.size) / 2 - st.size * ASCENT
        # The leader as reportlab's contents draw it: whole " . " up to the page number.
        page_w = stringWidth(self.page, st.font, st.size)
        dot_w = stringWidth(DOT, st.font, st.size)
        dots = max(0, int((self.width - end - page_w) / dot_w))
        canv.setFont(st.font, st.size)
        canv.setFillColor(st.color)
        canv.drawString(self.width - dots * dot_w - page_w, baseline, dots * DOT + self.page)
        if self.key:
            canv.linkRect("", self.key, (0, 0, self.width, self.height), relative=1)


class Contents(TableOfContents):
    """reportlab's contents bookkeeping; entries drawn as ``ContentsEntry``."""

    def __init__(self, styles: list[TextStyle], indents: list[float], **kw):
        super().__init__(**kw)
        self.text_styles = styles
        self.indents = indents

    def wrap(self, availWidth, availHeight):
        rows = []
        for level, text, page, key in self._lastEntries or [(0, "", 0, None)]:
            level = min(level, len(self.text_styles) - 1)
            st = self.text_styles[level]
            if st.space_before:
                rows.append([Spacer(1, st.space_before)])
            # The entries are escaped for reportlab's markup (document.py); nothing here parses it.
            rows.append([ContentsEntry(unescape(text), page, key, st, self.indents[level])])
        self._table = Table(rows, colWidths=(availWidth,), style=self.tableStyle)
        self.width, self.height = self._table.wrapOn(self.canv, availWidth, availHeight)
        return self.width, self.height
