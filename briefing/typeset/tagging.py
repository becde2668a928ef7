"""The booklet's logical structure, recorded while its pages are drawn (tagged PDF, PDF/UA-1).

The story builds the structure from the model up front: every flowable that paints real content
carries the element it belongs to (an H1, a P, a Figure, a table cell…). While a page is drawn,
the flowable wraps what it paints in a marked-content sequence (``/P <</MCID 3>> BDC … EMC``)
with the page's next MCID, and the (page, MCID) pair is recorded in its element. Page furniture
(running heads, rules, backgrounds, repeated header rows) is wrapped as an ``/Artifact``.
The finishing stage turns the recorded tree into the PDF's structure tree (``pdf/tags.py``).

reportlab's ``multiBuild`` draws the story more than once; what one pass recorded is cleared
before the next (``Recorder.begin_pass``), so only the final pass's pages are described.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Iterator, Union

# Standard structure types we use, and the custom ones with the standard type they map to.
STANDARD = {
    "Document", "Part", "Sect", "Div", "H1", "H2", "H3", "P", "L", "LI", "Lbl", "LBody", "Table",
    "THead", "TBody", "TR", "TH", "TD", "Figure", "Caption", "TOC", "TOCI", "Link", "Reference",
    "Span", "Note", "BlockQuote",
}
# Layout writes this, then the link's name, as a link's /Contents (reportlab lets a link carry no
# other key); the structure tree (``tagtree``) finds the link by it, and finishing gives the
# link the description a screen reader announces instead.
LINK_PREFIX = "briefing-link:"
ROLE_MAP = {"FigureCard": "P"}  # a key figure reads as a short paragraph: "10.1% 固定资产投资增长"

PAGINATION, LAYOUT = "Pagination", "Layout"  # the artifact types we paint


@dataclass(frozen=True)
class Content:
    """A marked-content sequence: the MCID it has on a page (0-based page index)."""

    page: int
    mcid: int


@dataclass(frozen=True)
class Annotation:
    """A link annotation on a page, found in the written file by its destination."""

    page: int
    dest: str  # the name layout gave it, unique in the document
    contents: str  # the annotation's /Contents: what the link is, for a screen reader


Kid = Union["Element", Content, Annotation]


@dataclass(eq=False)
class Element:
    """One structure element: its type, its attributes and its children in reading order."""

    role: str
    attrs: dict = field(default_factory=dict)  # Alt, ActualText, Lang, Title; "Scope" for TH
    kids: list[Kid] = field(default_factory=list)
    dynamic: bool = False  # its children are made while drawing (the contents): cleared per pass

    def __post_init__(self):
        if self.role not in STANDARD and self.role not in ROLE_MAP:
            raise ValueError(f"unknown structure type {self.role!r}")

    def add(self, role: str, **attrs) -> "Element":
        child = Element(role, dict(attrs))
        self.kids.append(child)
        return child

    def walk(self) -> Iterator["Element"]:
        yield self
        for k in self.kids:
            if isinstance(k, Element):
                yield from k.walk()


def _name(text: str) -> str:
    if text.isalnum():  # every structure type: the name as it stands, without a look at each character
        return "/" + text
    return "/" + "".join(c if c.isalnum() else f"#{ord(c):02X}" for c in text)


class Recorder:
    """Hands out MCIDs page by page and records which element each sequence belongs to."""

    def __init__(self, root: Element):
        self.root = root
        self._next: dict[int, int] = {}

    def begin_pass(self) -> None:
        self._next = {}
        for e in self.root.walk():
            if e.dynamic:
                e.kids.clear()
            else:
                e.kids[:] = [k for k in e.kids if isinstance(k, Element)]

    def mcid(self, page: int) -> int:
        n = self._next.get(page, 0)
        self._next[page] = n + 1
        return n

    @contextmanager
    def content(self, canv, element: Element, tag: str | None = None):
        """Whatever is painted inside becomes ``element``'s content on this page."""
        made = self.begin(canv, element, tag)
        try:
            yield
        finally:
            canv.addLiteral("EMC")
        element.kids.append(made)

    def begin(self, canv, element: Element, tag: str | None = None) -> Content:
        """``content`` opened, for a caller that closes it itself (``TableTags``: a cell opens
        and closes in two calls): the sequence it opened, which ``end`` records in ``element``."""
        page = canv.getPageNumber() - 1
        mcid = self.mcid(page)
        canv.addLiteral(f"{_name(tag or element.role)} <</MCID {mcid}>> BDC")
        return Content(page, mcid)

    @staticmethod
    def end(canv, element: Element, made: Content) -> None:
        canv.addLiteral("EMC")
        element.kids.append(made)

    @contextmanager
    def artifact(self, canv, kind: str = LAYOUT):
        """Whatever is painted inside is an artifact: seen on the page, skipped when read aloud."""
        canv.addLiteral(f"/Artifact <</Type /{kind}>> BDC")
        try:
            yield
        finally:
            canv.addLiteral("EMC")

    def link(self, canv, element: Element, name: str, contents: str, rect, dest: str) -> None:
        """A link annotation to the bookmark ``dest`` over ``rect`` (relative to the current
        origin), owned by ``element`` (a Link); ``contents`` describes it for a screen reader."""
        canv.linkRect(f"{LINK_PREFIX}{name}", dest, rect, relative=1)
        element.kids.append(Annotation(canv.getPageNumber() - 1, name, contents))


def recorder_of(canv) -> Recorder | None:
    """The recorder of the document being drawn on ``canv``, if it is tagged."""
    template = getattr(canv, "_doctemplate", None)
    return getattr(template, "tags", None)


@contextmanager
def tagged(canv, element: Element | None, tag: str | None = None, untagged: str | None = None):
    """``Recorder.content`` when the document is tagged and the flowable has an element;
    otherwise, with ``untagged``, a plain marked-content sequence of that tag (``/Figure BMC``)."""
    rec = recorder_of(canv)
    if rec is None or element is None:
        if untagged:
            canv.addLiteral(f"{untagged} BMC")
        yield
        if untagged:
            canv.addLiteral("EMC")
        return
    with rec.content(canv, element, tag):
        yield


@contextmanager
def artifact(canv, kind: str = LAYOUT):
    """``Recorder.artifact`` when the document is tagged."""
    rec = recorder_of(canv)
    if rec is None:
        yield
        return
    with rec.artifact(canv, kind):
        yield


class Tagged:
    """Mixin for flowables: draw inside a marked-content sequence of ``self.tag`` (if set), or
    as an artifact when ``self.artifact`` names its kind. A flowable that splits hands both to
    its pieces (``TextBlock._part``): a paragraph over two pages is one P."""

    tag: Element | None = None
    artifact: str | None = None

    def drawOn(self, canvas, x, y, _sW=0):
        rec = recorder_of(canvas) if self.artifact or self.tag is not None else None
        if rec is None:  # nothing to mark: a table cell's paragraph (its cell is), or an untagged document
            super().drawOn(canvas, x, y, _sW)
        elif self.artifact:
            with rec.artifact(canvas, self.artifact):
                super().drawOn(canvas, x, y, _sW)
        else:
            with rec.content(canvas, self.tag):
                super().drawOn(canvas, x, y, _sW)


ARTIFACT = "artifact"  # a table cell painted as an artifact (a drawn check box)


class TableTags:
    """A reportlab ``renderCB``: a table's background and rules are artifacts, each cell's
    content is its element's (TH, TD, Lbl, LBody…), and a header row repeated on a later page
    is an artifact, so that a reader hears it once.

    ``cells`` holds, per row of the whole table, the element of each cell: an ``Element``, None
    (the cell's flowables tag themselves: a layout grid) or ``ARTIFACT``. reportlab hands the
    same callback to every piece of a split table and draws the pieces in order, so the row a
    piece starts at is counted here; ``reset`` starts again for a new layout pass.
    """

    def __init__(self, cells: list[list], header_rows: int = 0):
        self.cells = cells
        self.header_rows = header_rows
        self.reset()

    def reset(self) -> None:
        self._drawn = 0  # body rows drawn so far, over every piece
        self._pieces = 0
        self._row: int | None = None
        self._open = None

    def __call__(self, table, event, *args):
        canv = table.canv
        rec = recorder_of(canv)
        if rec is None:
            return
        if event == "startCell":  # the cells' events first: most of them are
            col = args[1]
            cell = ARTIFACT if self._row is None else self._cell(self._row, col)
            if cell is ARTIFACT:
                canv.addLiteral(f"/Artifact <</Type /{LAYOUT}>> BDC")
                self._open = ARTIFACT
            elif isinstance(cell, Element):
                self._open = (cell, rec.begin(canv, cell))
            else:
                self._open = None
        elif event == "endCell":
            if self._open is ARTIFACT:
                canv.addLiteral("EMC")
            elif self._open is not None:
                rec.end(canv, *self._open)
            self._open = None
        elif event == "startRow":
            n = args[0]
            if n < self.header_rows:
                self._row = n if self._pieces == 1 else None  # None: a repeated header
            else:
                self._row = self.header_rows + self._drawn
                self._drawn += 1
        elif event == "startTable":
            self._pieces += 1
        elif event in ("startBG", "startLines"):
            canv.addLiteral(f"/Artifact <</Type /{LAYOUT}>> BDC")
        elif event in ("endBG", "endLines"):
            canv.addLiteral("EMC")

    def _cell(self, row: int, col: int):
        if row < len(self.cells) and col < len(self.cells[row]):
            return self.cells[row][col]
        return None
