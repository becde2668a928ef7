"""A chart on the page (``ChartSlot``): a place of the chart's size, known from its data
(``charts.chart_size``), into which its picture is drawn when the file is saved
(``typeset.later``): from the cache, from the chart worker (``typeset.chartjob``), or drawn
then. The layout never waits for a chart; the file is the same wherever the picture came from.
"""

from __future__ import annotations

from typing import Callable

from reportlab.platypus import Flowable

from .later import later
from .picture import Picture, draw


class SizeMismatch(RuntimeError):
    """A chart's picture is not the size its place was given (a bug: the two must agree)."""


class ChartSlot(Flowable):
    """A chart's place; ``picture`` gives its picture, called once, when the file is saved."""

    def __init__(self, name: str, size: tuple[float, float], picture: Callable[[], Picture], regular: str,
                 bold: str):
        super().__init__()
        self.name = name
        self.width, self.height = size
        self._fetch = picture
        self._picture: Picture | None = None
        self.faces = (regular, bold)

    @property
    def picture(self) -> Picture:
        if self._picture is None:
            self._picture = self._fetch()
        return self._picture

    def wrap(self, availWidth, availHeight):
        return self.width, self.height

    def split(self, availWidth, availHeight):
        return []  # a chart is never divided between pages

    def draw(self):
        later(self.canv, self._paint)

    def _paint(self, canv) -> None:
        picture = self.picture
        if abs(picture.width - self.width) > 0.01 or abs(picture.height - self.height) > 0.01:
            raise SizeMismatch(f"{self.name}: drawn {picture.width:.2f}×{picture.height:.2f} pt, "
                               f"placed {self.width:.2f}×{self.height:.2f} pt")
        draw(canv, picture, *self.faces)
