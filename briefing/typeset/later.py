"""What a page shows but its layout pass cannot know yet, drawn into the page just before the
file is saved: each chart (``chartslot.ChartSlot``: its picture may still be on its way from
the chart worker) and the contents' page numbers (``contents``: only the pass finds them).

So the layout makes one pass, and never waits for a chart while it lays out: a chart's size
is known from its data (``charts.chart_size``), and an entry of the contents leaves room for
its number. Where such a thing goes, the page's content gets a marker line (a PDF comment),
inside the marked-content sequence it belongs to and in the graphics state of that place.
When the pass is saved (``BookletCanvas.save``), each marker is replaced by what its painter
draws, wrapped in ``q … Q`` so that the operators after it see the graphics state they were
written for; the painters run in the order the pages met them, so that glyph codes (given in
first-use order) are the same in every build of the same data.
"""

from __future__ import annotations

from typing import Callable

from ..fonts.cid import CIDCanvas
from .tagging import Recorder
from .tagtree import with_structure

Paint = Callable[[object], None]  # draws on the canvas it is given, from the place's origin
MARK = "%briefing-later {}"  # a comment line: never anything drawn (the text is hex glyph codes)


class Later:
    """The places one layout pass left for later, each with its page and its painter."""

    def __init__(self):
        self._todo: list[tuple[int, str, Paint]] = []

    def place(self, canv, paint: Paint) -> None:
        mark = MARK.format(len(self._todo) + 1)
        canv.addLiteral(mark)
        self._todo.append((canv.getPageNumber(), mark, paint))

    def draw(self, canv) -> None:
        """Every place, painted: the pages already closed have their streams, the page still
        open (if any) its list of operators."""
        pages = canv._doc.Pages.pages
        for number, mark, paint in self._todo:
            saved, canv._code = canv._code, []
            try:
                canv.saveState()
                paint(canv)
                canv.restoreState()
                ops = "\n".join(canv._code)
            finally:
                canv._code = saved
            if number <= len(pages):
                page = pages[number - 1]
                page.stream = _replaced(page.stream, mark, ops)
            else:
                canv._code[canv._code.index(mark)] = ops
        self._todo.clear()


def _replaced(stream: str, mark: str, ops: str) -> str:
    line = f"\n{mark}\n"
    if stream.count(line) != 1:
        raise RuntimeError(f"{mark!r}: not once in its page's content")  # a bug, never the data's doing
    return stream.replace(line, f"\n{ops}\n", 1)


class BookletCanvas(CIDCanvas):
    """The canvas of one layout pass: what it left for later is drawn when it is saved (the
    pass that is kept; reportlab saves no other)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.later = Later()
        self.recorder: Recorder | None = None  # the template's, in a tagged document

    def save(self):
        """The pass, with what it left for later drawn, and its structure tree when the
        document is tagged (``tagtree``: an update after reportlab's objects)."""
        self.later.draw(self)
        for page in self._doc.Pages.pages:
            # reportlab writes a str stream through its PDFDocEncoding codec (a charmap, a third of
            # saving a long booklet); ours are ASCII (glyphs as hex codes), which it maps as they are
            if isinstance(page.stream, str) and page.stream.isascii():
                page.stream = page.stream.encode("ascii")
        recorder = self.recorder
        if recorder is None:
            super().save()
            return
        data = with_structure(self._doc, self.getpdfdata(), recorder.root)
        if hasattr(self._filename, "write"):
            self._filename.write(data)
        else:
            with open(self._filename, "wb") as f:
                f.write(data)


def later(canv, paint: Paint) -> None:
    """``Later.place`` on a booklet canvas; on any other canvas, painted at once."""
    places = getattr(canv, "later", None)
    if isinstance(places, Later):
        places.place(canv, paint)
    else:
        canv.saveState()
        paint(canv)
        canv.restoreState()
