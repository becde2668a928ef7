"""The page templates: cover, body pages with running header and footer, back cover.

Also where headings become PDF bookmarks and contents entries, and where the PDF's metadata
is set. State (the current section) lives on the template instance, never in globals.
"""

from __future__ import annotations

import datetime as dt
from xml.sax.saxutils import escape

from reportlab.lib.colors import white
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate

from ..data.model import Briefing
from .blocks import Heading
from .styles import ACCENT, GREY, RULE, Styles, TextStyle
from .text import TextBlock, draw_line


def fit(text: str, style: TextStyle, width: float) -> str:
    """``text`` cut with "…" so that it fits ``width`` on one line (running headers)."""
    if stringWidth(text, style.font, style.size) <= width:
        return text
    while text and stringWidth(text + "…", style.font, style.size) > width:
        text = text[:-1]
    return text + "…"


def chinese_date(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


class BookletTemplate(BaseDocTemplate):
    def __init__(self, filename, doc: Briefing, styles: Styles, built: dt.date, **kw):
        self.data = doc
        self.styles = styles
        self.built = built
        self._section = ""
        self._page_section = ""
        self._page_has_heading = False
        self.contents_entries: list[tuple] = []  # what the contents listed in the latest pass
        geo = styles.geometry
        m = doc.meeting
        super().__init__(
            filename,
            pagesize=(geo.width, geo.height),
            leftMargin=geo.inner, rightMargin=geo.outer, topMargin=geo.top, bottomMargin=geo.bottom,
            title=f"{m.name}{doc.labels.booklet}：{m.headline.replace(chr(10), '')}",
            author=m.office,
            subject=f"{m.name}参阅资料：{doc.results.year}年成绩与{doc.plan.year}年目标",
            keywords=[m.district, m.city, str(m.year), "两会", doc.labels.booklet],
            creator="briefing",
            producer="briefing (reportlab)",
            lang="zh-CN",
            initialFontName=styles.fonts.sans,
            displayDocTitle=1,
            pageCompression=0,  # an intermediate file: the finish stage compresses once, for good
            **kw,
        )
        def frame(page: int) -> Frame:
            return Frame(geo.left(page), geo.bottom, geo.frame_width, geo.frame_height, id="body",
                         leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)

        # Mirrored margins: the wider inner margin is always at the spine, so body pages
        # alternate between an even (verso) and an odd (recto) template.
        even = PageTemplate("body", [frame(0)], onPage=self._page_begin, onPageEnd=self._running,
                            autoNextPageTemplate="body-odd")
        odd = PageTemplate("body-odd", [frame(1)], onPage=self._page_begin, onPageEnd=self._running,
                           autoNextPageTemplate="body")
        self.addPageTemplates([
            PageTemplate("cover", [frame(1)], onPage=self._cover),
            even,
            odd,
            PageTemplate("back", [frame(0)], onPage=self._back),
        ])

    # -- headings → outline, contents, running header -------------------------------------
    def beforeDocument(self):
        self.contents_entries = []  # each layout pass collects them afresh

    def afterFlowable(self, flowable):
        if not isinstance(flowable, Heading):
            return
        canv = self.canv
        canv.bookmarkPage(flowable.key)
        outline_level = 0 if flowable.level is None else flowable.level
        canv.addOutlineEntry(flowable.label, flowable.key, level=outline_level, closed=False)
        if flowable.level is not None:
            # The contents are reportlab Paragraphs: escape so the data's text is printed, not parsed.
            entry = (flowable.level, escape(flowable.label), self.page, flowable.key)
            self.contents_entries.append(entry)
            self.notify("TOCEntry", entry)
        self._section = flowable.label
        if not self._page_has_heading:
            self._page_section = flowable.label
            self._page_has_heading = True

    def _page_begin(self, canv, doc):
        self._page_section = self._section
        self._page_has_heading = False

    def _running(self, canv, doc):
        """Header (booklet and section, hairline) and footer (page number), after the page's content."""
        geo = self.styles.geometry
        st = self.styles.header
        page = canv.getPageNumber()
        x0 = geo.left(page)
        x1 = x0 + geo.frame_width
        canv.saveState()
        base = geo.height - geo.header
        canv.setFont(st.font, st.size)
        canv.setFillColor(st.color)
        m = self.data.meeting
        left = f"{m.name}{self.data.labels.booklet}"
        draw_line(canv, left, st, x0, base)
        room = geo.frame_width - stringWidth(left, st.font, st.size) - 6 * mm
        draw_line(canv, fit(self._page_section, st, room), st, x1, base, align="right")
        canv.setStrokeColor(RULE)
        canv.setLineWidth(0.3)
        canv.line(x0, base - 4, x1, base - 4)
        canv.setFont(self.styles.fonts.sans, 9)
        canv.setFillColor(GREY)
        canv.drawCentredString(x0 + geo.frame_width / 2, geo.footer, str(page))
        canv.restoreState()

    # -- cover and back cover ---------------------------------------------------------------
    def _wrapped(self, text: str, style: TextStyle, margin: float) -> TextBlock:
        """Text set across the page width, ``margin`` inside the inner margin on both sides."""
        geo = self.styles.geometry
        block = TextBlock(text, style.but(first_indent=0))
        block.wrap(geo.width - 2 * (geo.inner + margin), geo.height)
        return block

    def _block(self, canv, text: str, style: TextStyle, top: float, margin: float = 0) -> float:
        """Draw wrapped text centred in the page width from ``top``; return the new top."""
        block = self._wrapped(text, style, margin)
        block.drawOn(canv, self.styles.geometry.inner + margin, top - block.height)
        return top - block.height

    def _height(self, text: str, style: TextStyle, margin: float) -> float:
        return self._wrapped(text, style, margin).height

    def _cover(self, canv, doc):
        geo = self.styles.geometry
        st = self.styles
        d = self.data
        canv.saveState()
        canv.setFillColor(ACCENT)
        canv.rect(0, geo.height - 62 * mm, geo.width, 62 * mm, stroke=0, fill=1)
        y = self._block(canv, d.labels.booklet, st.cover_title.but(size=34, leading=46, color=white),
                        geo.height - 26 * mm)
        self._block(canv, d.meeting.name, st.cover_meta.but(color=white), y - 4 * mm)
        y = geo.height * 0.62
        title = st.cover_title
        room = y - 80 * mm  # down to the office and date at the foot of the cover

        def smaller(t: TextStyle) -> TextStyle:
            return t.but(size=t.size - 1, leading=(t.size - 1) * 1.45)

        # First keep each line the data typed on one line (down to 70 %), then fit the area.
        lines = d.meeting.headline.split("\n")
        while title.size > st.cover_title.size * 0.7 and any(
                self._height(line, title, -8 * mm) > title.leading * 1.01 for line in lines):
            title = smaller(title)
        while title.size > 12 and self._height(d.meeting.headline, title, -8 * mm) > room:
            title = smaller(title)
        y = self._block(canv, d.meeting.headline, title, y, margin=-8 * mm)
        if d.meeting.subtitle:
            y = self._block(canv, f"——{d.meeting.subtitle}", st.cover_sub, y - 6 * mm)
        canv.setStrokeColor(ACCENT)
        canv.setLineWidth(1.2)
        canv.line(geo.width / 2 - 14 * mm, y - 10 * mm, geo.width / 2 + 14 * mm, y - 10 * mm)
        bottom = 52 * mm
        y = self._block(canv, d.meeting.office, st.cover_meta, bottom)
        self._block(canv, chinese_date(d.meeting.opening_date), st.cover_meta.but(color=GREY), y)
        canv.restoreState()

    def _back(self, canv, doc):
        geo = self.styles.geometry
        st = self.styles
        d = self.data
        canv.saveState()
        small = st.small.but(align="left")
        y = 90 * mm
        y = self._block(canv, d.labels.source, st.cell_head, y)
        src = f"{d.source.publication}：{d.source.title}"
        y = self._block(canv, src, small, y - 2)
        for extra in (d.source.credits, d.source.note):
            if extra:
                y = self._block(canv, extra, small, y - 2)
        y = self._block(canv, f"{d.labels.built}：{chinese_date(self.built)}", small, y - 8)
        canv.setFillColor(ACCENT)
        canv.rect(0, 0, geo.width, 10 * mm, stroke=0, fill=1)
        canv.restoreState()

