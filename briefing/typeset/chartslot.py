"""A chart in the layout (``Chart``: its picture, drawn), and its place while a worker draws it
(``typeset.chartjob``).

reportlab lays a booklet out twice when it has no contents hint: the first pass only finds the
pages of the headings, and is thrown away. In that pass a slot still waiting for its chart
takes the chart's size, known from its data (``charts.chart_size``). In every other pass a slot
is its chart: it waits for it, and then measures, splits and draws exactly as the chart
would, so the file is byte-identical to a build without a worker (tested).

A pass that reportlab keeps is never drawn with a placeholder: were one about to be saved (a
booklet without any contents entry needs only one pass), ``LayoutPasses`` refuses, and the
layout runs again with every chart waited for.
"""

from __future__ import annotations

from typing import Callable

from reportlab.platypus import Flowable

from ..fonts.cid import CIDCanvas
from .picture import Picture, draw


class LayoutPasses:
    """The layout passes of one booklet: whether a slot may still stand in for its chart, and
    the canvas maker that tells each pass apart."""

    def __init__(self, provisional: bool):
        self.provisional = provisional  # only the first pass, and only without a contents hint
        self.placeholders = 0  # slots drawn without their chart in the current pass
        self._canvases = 0

    def canvas(self, *args, **kwargs):
        """reportlab makes one canvas per pass."""
        self._canvases += 1
        if self._canvases > 1:
            self.provisional = False
        self.placeholders = 0
        return _PassCanvas(self, *args, **kwargs)


def sketching(canvas) -> bool:
    """Whether ``canvas`` belongs to a provisional pass. Such a pass is thrown away, so a
    flowable need not draw on it: measuring decides the pages. A flowable that leaves its
    drawing out counts as a placeholder, so that such a pass can never be the one saved."""
    passes = getattr(canvas, "_passes", None)
    if passes is None or not passes.provisional:
        return False
    passes.placeholders += 1
    return True


class ProvisionalPassKept(Exception):
    """reportlab was about to save a pass drawn with chart placeholders."""


class _PassCanvas(CIDCanvas):
    def __init__(self, passes: LayoutPasses, *args, **kwargs):
        self._passes = passes
        super().__init__(*args, **kwargs)

    def save(self):
        if self._passes.placeholders:
            raise ProvisionalPassKept()
        super().save()


class Chart(Flowable):
    """A chart's picture on the page, drawn in the faces named ``regular`` and ``bold``."""

    def __init__(self, picture: Picture, regular: str, bold: str):
        super().__init__()
        self.picture = picture
        self.faces = (regular, bold)
        self.width, self.height = picture.width, picture.height

    def wrap(self, availWidth, availHeight):
        return self.width, self.height

    def split(self, availWidth, availHeight):
        return []  # a chart is never divided between pages

    def draw(self):
        draw(self.canv, self.picture, *self.faces)


class ChartSlot(Flowable):
    """A chart's place in the story while the worker draws it (see the module's docstring)."""

    def __init__(self, fetch: Callable[[], object], size: tuple[float, float], passes: LayoutPasses):
        super().__init__()
        self._fetch = fetch
        self._size = size
        self._passes = passes
        self._drawing = None

    def _ready(self):
        if self._drawing is None and not self._passes.provisional:
            self._drawing = self._fetch()
        return self._drawing

    def wrap(self, availWidth, availHeight):
        drawing = self._ready()
        if drawing is None:
            self.width, self.height = self._size
            return self._size
        return drawing.wrap(availWidth, availHeight)

    def split(self, availWidth, availHeight):
        drawing = self._ready()
        return [] if drawing is None else drawing.split(availWidth, availHeight)

    def drawOn(self, canvas, x, y, _sW=0):
        drawing = self._ready()
        if drawing is None:
            self._passes.placeholders += 1
            return
        drawing.drawOn(canvas, x, y, _sW)

    def identity(self, maxLen=None):
        return self._drawing.identity(maxLen) if self._drawing is not None else super().identity(maxLen)
