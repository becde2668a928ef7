"""The page templates: cover, body pages with running header and footer, back cover.

Also where headings become PDF bookmarks and contents entries, and where the PDF's metadata
is set. State (the current section) lives on the template instance, never in globals.
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager

from reportlab.lib.colors import white
from reportlab.lib.units import mm
from reportlab.platypus import BaseDocTemplate, CondPageBreak, Frame, PageTemplate, Spacer
from reportlab.platypus.doctemplate import ActionFlowable

from ..cache import Cache
from ..data.model import Briefing
from ..errors import LayoutFailed
from ..fonts.register import char_width
from .balance import NONE, PASSES, PageUse, Remedy, next_remedy, short_tail
from .blocks import Continued, Heading
from .contents import entry_text
from .linebreak import advances
from .paper import BLEED, Geometry
from .styles import ACCENT, GREY, RULE, Styles, TextStyle
from .structure import Structure
from .tagging import LAYOUT, PAGINATION, Element, Recorder, artifact
from .text import TextBlock, draw_line


def fit(text: str, style: TextStyle, width: float) -> str:
    """``text`` cut with "…" so that it fits ``width`` on one line (running headers)."""
    measure = char_width(style.font, style.size)
    adv = advances(text, measure, style.size)  # as the line sets it: "（一）　" compressed
    if sum(adv) <= width:
        return text
    room = width - measure("…")
    used = 0.0
    for n, a in enumerate(adv):
        used += a
        if used > room:
            return text[:n] + "…"
    return text + "…"


def chinese_date(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def fitted(text: str, style: TextStyle, width: float, height: float, floor: float, field: str) -> TextBlock:
    """``text`` wrapped to ``width`` at the largest size down to ``floor`` whose lines fit
    ``height``; text too long even then is refused with a message naming its data field."""
    def at(size: float) -> TextBlock:
        st = style.but(size=size, leading=style.leading * size / style.size, first_indent=0)
        block = TextBlock(text, st)
        block.wrap(width, height)
        return block

    block = at(style.size)
    if block.height <= height + 1e-6:
        return block
    if at(floor).height > height + 1e-6:
        raise LayoutFailed(f"{field}：文字太长，排到 {floor:g} 磅仍放不进它在{_PLACE.get(field, '版面')}上的位置，"
                           f"请缩短（现有 {len(text)} 字） text too long for its place on the page")
    lo, hi = floor, style.size  # lo fits, hi does not
    while hi - lo > 0.25:
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if at(mid).height <= height + 1e-6 else (lo, mid)
    return at(lo)


_PLACE = {"labels.booklet": "封面", "meeting.name": "封面", "meeting.headline": "封面", "meeting.subtitle": "封面",
          "meeting.office": "封面", "source": "封底"}


def _running_widths(left: float, right: float, room: float) -> tuple[float, float]:
    """Room for the running head's two parts: each keeps its natural width if it can, and
    neither is squeezed below half the line by the other."""
    if left + right <= room:
        return left, right
    half = room / 2
    if left <= half:
        return left, room - left
    if right <= half:
        return room - right, right
    return half, half


COVER_BAND = 62 * mm  # the red band at the head of the cover
BACK_BAND = 10 * mm  # and at the foot of the back cover
Placed = tuple[TextBlock, float, float]  # a block and where its lower left corner goes


class MirroredFrame(Frame):
    """The body frame, moved to its page's own side (recto or verso) at every page start.

    Its width is set once, not recomputed from the moved edges, so it is the same to the last
    bit on every page: a paragraph split across pages meets the same measure on both.
    """

    def __init__(self, geo: Geometry):
        self.geo = geo
        super().__init__(geo.left(1), geo.bottom, geo.frame_width, geo.frame_height, id="body",
                         leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
        self.__dict__["spaces"] = 0.0

    def place(self, page: int, remedy: Remedy = NONE) -> None:
        """Move to ``page``'s side, with its remedy against a short tail (``typeset.balance``)."""
        self.__dict__["_x1"] = self.geo.left(page)
        self.__dict__["remedy"] = remedy
        self.__dict__["spaces"] = 0.0  # the space between blocks set on this page so far
        self.__dict__["dropped"] = None  # the space before the page's first block, not set
        self._geom()

    def _geom(self):
        super()._geom()
        self.__dict__["_aW"] = self.geo.frame_width
        shorten = self.__dict__.get("remedy", NONE).shorten
        if shorten:  # the page ends higher: more of what is set goes over to the next
            self.__dict__["_y1p"] += shorten
            self.__dict__["_aH"] -= shorten

    @property
    def squeeze(self) -> float:
        return self.__dict__.get("remedy", NONE).squeeze

    def _add(self, flowable, canv, trySplit=0):
        at_top = self._atTop
        with self._spaced(flowable) as (before, after):
            done = super()._add(flowable, canv, trySplit)
        if done:  # counted, so that a later pass knows how much could give
            self.__dict__["spaces"] = self.spaces + (0.0 if at_top else before) + after
            if self.__dict__.get("dropped") is None:
                self.__dict__["dropped"] = before if at_top else 0.0
        return done

    add = _add

    def split(self, flowable, canv):
        with self._spaced(flowable):
            return super().split(flowable, canv)

    @contextmanager
    def _spaced(self, flowable):
        """The flowable's space before and after (a spacer's height, as space after) as this
        page sets them: times the page's squeeze."""
        f = self.squeeze
        spacer = isinstance(flowable, Spacer) and not isinstance(flowable, CondPageBreak)
        before, after = flowable.getSpaceBefore(), flowable.getSpaceAfter()
        height = flowable.height if spacer else 0.0
        if f == 1:
            yield before, after + height
        else:
            flowable.getSpaceBefore = lambda: before * f
            flowable.getSpaceAfter = lambda: after * f
            if spacer:
                flowable.wrap = lambda aW, aH: (flowable.width, height * f)
            try:
                yield before, after + height
            finally:
                for name in ("getSpaceBefore", "getSpaceAfter", "wrap"):
                    flowable.__dict__.pop(name, None)


class BookletTemplate(BaseDocTemplate):
    def __init__(self, filename, doc: Briefing, styles: Styles, issued: dt.date,
                 structure: Structure | None = None, cache: Cache | None = None, **kw):
        self.data = doc
        self.cache = cache  # where the fonts' subsets are kept between builds (``fonts.cid``)
        self.styles = styles
        self.issued = issued  # the back cover's date: the booklet's own, never the build's
        self._section = ""
        self._page_section = ""
        self._page_top = True  # nothing but headings set on this page yet
        self.contents_entries: list[tuple] = []  # what the contents listed in the latest pass
        # Against short tails (typeset.balance): the remedies found so far, by (part, page in
        # part); those the current pass applies; the pages of the current part so far.
        self.remedies: dict[tuple[int, int], Remedy] = {}
        self._applied: dict[tuple[int, int], Remedy] = {}
        self._part, self._part_start = 0, 1
        self._use = self._use_before = PageUse()
        self._passes = 0
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
        # One body template for every body page: its frame, running head and footer all take
        # their side from the page's own number, so no forced break can put them out of step.
        self._body = MirroredFrame(geo)
        self._cover_plan = self._plan_cover()
        self._back_plan = self._plan_back()
        self.structure = structure
        self.tags = self._tag_covers(structure) if structure else None
        self.addPageTemplates([
            PageTemplate("cover", [MirroredFrame(geo)], onPage=self._cover),
            PageTemplate("body", [self._body], onPage=self._page_begin, onPageEnd=self._running),
            PageTemplate("back", [MirroredFrame(geo)], onPage=self._back),
        ])

    # -- headings → outline, contents, running header -------------------------------------
    def _tag_covers(self, structure: Structure) -> Recorder:
        """The cover and back cover are real content: a Sect each, first and last, with their
        blocks in reading order (top to bottom); the headline is the document's first H1."""
        def sect(placed: list[Placed]) -> Element:
            s = Element("Sect")
            for block, _, _ in sorted(placed, key=lambda p: -(p[2] + p[0].height)):
                block.tag = s.add(getattr(block, "role", "P"))
            return s

        structure.root.kids.insert(0, sect(self._cover_plan[0]))
        structure.root.kids.append(sect(self._back_plan))
        return Recorder(structure.root)

    def beforeDocument(self):
        if self.tags:  # each pass records afresh where the content lands
            self.tags.begin_pass()
            for table in self.structure.tables:
                table.reset()
        # What the pass recorded, for the canvas to write into the file it saves (reportlab
        # has let go of the template by then): ``later.BookletCanvas.save``.
        self.canv.recorder = self.tags
        self.canv._doc.subset_cache = self.cache  # what the fonts see when they embed their subsets
        self.contents_entries = []  # each layout pass collects them afresh
        self._section = self._page_section = ""
        self._applied = dict(self.remedies)
        self._passes += 1
        self._part, self._part_start = 0, 1
        self._use = self._use_before = PageUse()

    def _allSatisfied(self):
        """Another pass also when this one found a short tail to remedy."""
        return super()._allSatisfied() and self.remedies == self._applied

    def handle_pageBreak(self, slow=None):
        """A forced break ends a part: is its last page a short tail alone?"""
        frame = self.frame
        if frame is self._body:
            used = frame._y2 - frame._y
            before = self.page - 1 - self._part_start  # the page before it, in its part
            if self._passes <= PASSES and before >= 0 and short_tail(used, self._use, self.styles.body.leading):
                key = (self._part, before)
                self._use.dropped = frame.__dict__.get("dropped") or 0.0
                remedy = next_remedy(self.remedies.get(key), self._use, used, self._use_before,
                                     self.styles.body.leading, frame._height)
                if remedy is not None:
                    self.remedies[key] = remedy
        super().handle_pageBreak(slow)
        self._part, self._part_start = self._part + 1, self.page + 1

    def afterFlowable(self, flowable):
        self._note(flowable)
        if not isinstance(flowable, Heading):
            if self._page_top and not isinstance(flowable, (Spacer, ActionFlowable)):
                self._page_top = False  # the page has content under the section in effect at its top
            return
        canv = self.canv
        canv.bookmarkPage(flowable.key)
        outline_level = 0 if flowable.level is None else flowable.level
        canv.addOutlineEntry(flowable.label, flowable.key, level=outline_level, closed=False)
        if flowable.level is not None:
            entry = (flowable.level, entry_text(flowable.label), self.page, flowable.key)
            self.contents_entries.append(entry)
            self.notify("TOCEntry", entry)
        self._section = flowable.label
        if self._page_top:
            # A heading at the top of the page names it; the first one, when several stack up.
            self._page_section = flowable.label
            self._page_top = False

    def _note(self, flowable) -> None:
        """What the page holds, for ``handle_pageBreak``."""
        use = self._use
        if isinstance(flowable, (Spacer, ActionFlowable)):
            return
        if isinstance(flowable, Heading):
            use.heading = True  # a section starts here: the page is no tail
        elif getattr(flowable, "keep_with_next", False):
            return  # a label heading (主要成绩, 目标清单): it goes where its content goes
        use.last_row = 0.0
        if isinstance(flowable, Continued):
            use.last_row = flowable.table._rowHeights[-1] if flowable.table._rowHeights else 0.0
            use.rows += flowable.rows()
        else:
            use.mixed = True

    def _page_begin(self, canv, doc):
        self._use_before, self._use = self._use, PageUse()
        self._body.place(self.page, self.remedies.get((self._part, self.page - self._part_start), NONE))
        self._page_section = self._section
        self._page_top = True

    def _running(self, canv, doc):
        """Header (booklet and section, hairline) and footer (page number), after the page's content."""
        self._use.leftover = self._body._y - self._body._y1p
        self._use.spaces = self._body.spaces
        geo = self.styles.geometry
        st = self.styles.header
        page = canv.getPageNumber()
        x0, _, x1, _ = geo.text_block(page)
        canv.saveState()
        with artifact(canv, PAGINATION):
            self._draw_running(canv, page, x0, x1)
        canv.restoreState()

    def _draw_running(self, canv, page: int, x0: float, x1: float) -> None:
        geo = self.styles.geometry
        st = self.styles.header
        base = geo.height - geo.header
        canv.setFont(st.font, st.size)
        canv.setFillColor(st.color)
        m = self.data.meeting
        left = f"{m.name}{self.data.labels.booklet}"
        measure = char_width(st.font, st.size)
        room_left, room_right = _running_widths(sum(advances(left, measure, st.size)),
                                                sum(advances(self._page_section, measure, st.size)),
                                                geo.frame_width - 6 * mm)
        draw_line(canv, fit(left, st, room_left), st, x0, base)
        draw_line(canv, fit(self._page_section, st, room_right), st, x1, base, align="right")
        canv.setStrokeColor(RULE)
        canv.setLineWidth(0.3)
        canv.line(x0, base - 4, x1, base - 4)
        canv.setFont(self.styles.fonts.sans, 9)
        canv.setFillColor(GREY)
        canv.drawCentredString((x0 + x1) / 2, geo.footer, str(page))

    # -- cover and back cover ---------------------------------------------------------------
    # Both are planned before layout starts: text from the data that cannot fit its place is
    # refused then, with the field named, and never drawn off the page.
    def _width(self, margin: float = 0) -> float:
        """The measure of text set across the page, ``margin`` inside the inner margin both sides."""
        geo = self.styles.geometry
        return geo.width - 2 * (geo.inner + margin)

    def _plan_cover(self) -> tuple[list[Placed], float]:
        """The cover's text blocks, placed, and the height of the short rule under the title."""
        geo = self.styles.geometry
        st = self.styles
        d = self.data
        placed: list[Placed] = []

        def put(block: TextBlock, top: float, margin: float = 0) -> float:
            placed.append((block, geo.inner + margin, top - block.height))
            return top - block.height

        # In the red band: the label, and the meeting's name under it.
        band = geo.height - COVER_BAND
        y = put(fitted(d.labels.booklet, st.cover_title.but(size=34, leading=46, color=white), self._width(), 46,
                       20, "labels.booklet"), geo.height - 26 * mm)
        put(fitted(d.meeting.name, st.cover_meta.but(color=white), self._width(), y - 4 * mm - (band + 5 * mm),
                   8, "meeting.name"), y - 4 * mm)

        # At the foot: the office and the date, growing upwards from a fixed bottom line.
        foot_bottom, foot_top = 38 * mm, 75 * mm
        date = TextBlock(chinese_date(d.meeting.opening_date), st.cover_meta.but(color=GREY, first_indent=0))
        date.wrap(self._width(), geo.height)
        office = fitted(d.meeting.office, st.cover_meta, self._width(), foot_top - foot_bottom - date.height,
                        8, "meeting.office")
        office_top = max(52 * mm, foot_bottom + office.height + date.height)
        put(date, put(office, office_top))

        # Between them: the headline and its subtitle, the short rule under them.
        y = geo.height * 0.62
        room = y - (office_top + 14 * mm)
        title = st.cover_title

        def smaller(t: TextStyle) -> TextStyle:
            return t.but(size=t.size - 1, leading=(t.size - 1) * 1.45)

        def height(text: str, t: TextStyle) -> float:
            block = TextBlock(text, t.but(first_indent=0))
            block.wrap(self._width(-8 * mm), geo.height)
            return block.height

        # First keep each line the data typed on one line (down to 70 %), then fit the area.
        lines = d.meeting.headline.split("\n")
        while title.size > st.cover_title.size * 0.7 and any(
                height(line, title) > title.leading * 1.01 for line in lines):
            title = smaller(title)
        sub = None
        if d.meeting.subtitle:
            sub = fitted(f"——{d.meeting.subtitle}", st.cover_sub, self._width(), room / 2, 8, "meeting.subtitle")
            room -= sub.height + 6 * mm
        headline = fitted(d.meeting.headline, title, self._width(-8 * mm), room, min(12, title.size),
                          "meeting.headline")
        headline.role = "H1"  # the booklet's title: the first heading a reader meets
        y = put(headline, y, margin=-8 * mm)
        if sub is not None:
            y = put(sub, y - 6 * mm)
        return placed, y - 10 * mm

    def _plan_back(self) -> list[Placed]:
        """The back cover's source and date: from 90 mm up, higher when the source is long,
        smaller (to 85 %) when even the whole page above the band is not enough."""
        geo = self.styles.geometry
        st = self.styles
        d = self.data
        small = st.small.but(align="left")
        source = "：".join(t for t in (d.source.publication, d.source.title) if t)  # either may be empty
        parts = [(d.labels.source, st.cell_head, 0), (source, small, 2)]
        parts += [(extra, small, 2) for extra in (d.source.credits, d.source.note) if extra]
        parts.append((f"{d.labels.issued}：{chinese_date(self.issued)}", small, 8))
        floor, ceiling = BACK_BAND + 10 * mm, geo.height - geo.top

        def blocks(scale: float) -> list[tuple[TextBlock, float]]:
            out = []
            for text, style, gap in parts:
                s = style.but(size=style.size * scale, leading=style.leading * scale, first_indent=0)
                block = TextBlock(text, s)
                block.wrap(self._width(), geo.height)
                out.append((block, gap))
            return out

        scale, laid = 1.0, blocks(1.0)
        while sum(b.height + g for b, g in laid) > ceiling - floor:
            scale -= 0.05
            if scale < 0.85 - 1e-9:
                raise LayoutFailed("source：出处、署名与说明的文字太长，封底放不下，请缩短 source.title、source.credits "
                                   "或 source.note (text too long for the back cover)")
            laid = blocks(scale)
        y = max(90 * mm, floor + sum(b.height + g for b, g in laid))
        placed: list[Placed] = []
        for block, gap in laid:
            y -= gap + block.height
            placed.append((block, geo.inner, y))
        return placed

    def _cover(self, canv, doc):
        geo = self.styles.geometry
        canv.saveState()
        blocks, rule = self._cover_plan
        with artifact(canv, LAYOUT):
            canv.setFillColor(ACCENT)  # the red band bleeds off the top and both sides
            canv.rect(-BLEED, geo.height - COVER_BAND, geo.width + 2 * BLEED, COVER_BAND + BLEED, stroke=0, fill=1)
            canv.setStrokeColor(ACCENT)
            canv.setLineWidth(1.2)
            canv.line(geo.width / 2 - 14 * mm, rule, geo.width / 2 + 14 * mm, rule)
        for block, x, y in sorted(blocks, key=lambda p: -(p[2] + p[0].height)):  # in reading order
            block.drawOn(canv, x, y)
        canv.restoreState()

    def _back(self, canv, doc):
        geo = self.styles.geometry
        canv.saveState()
        for block, x, y in self._back_plan:
            block.drawOn(canv, x, y)
        with artifact(canv, LAYOUT):
            canv.setFillColor(ACCENT)  # the band bleeds off the foot and both sides
            canv.rect(-BLEED, -BLEED, geo.width + 2 * BLEED, BACK_BAND + BLEED, stroke=0, fill=1)
        canv.restoreState()
