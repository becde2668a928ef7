"""Glyph outlines as PDF path operators: text drawn as shapes, for the e-mail copies' watermark.

A watermark drawn as text would come back in every text extraction (pdftotext, pypdf, a
reader's copy and paste) mixed into the booklet's sentences; marked as an artifact it is
skipped only by readers that follow the tags. Drawn as the glyphs' outlines it is no text at
all, for any tool, and needs no font in the file. fontTools reads the outlines (TrueType
quadratic curves, turned into cubic ones by its pen); nothing here parses a font by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from fontTools.pens.basePen import BasePen
from fontTools.ttLib import TTFont


@dataclass(frozen=True)
class Outline:
    ops: bytes  # path construction operators in font units, the first glyph's origin at 0 0
    advance: int  # the text's advance, font units
    box: tuple[int, int, int, int]  # the outlines' extent (x0, y0, x1, y1), font units
    units_per_em: int


class _Pen(BasePen):
    def __init__(self, glyphs, dx: int, out: list[str], points: list[tuple[float, float]]):
        super().__init__(glyphs)
        self.dx, self.out, self.points = dx, out, points

    def _pt(self, p) -> str:
        x, y = round(p[0]) + self.dx, round(p[1])
        self.points.append((x, y))
        return f"{x} {y}"

    def _moveTo(self, p):
        self.out.append(f"{self._pt(p)} m")

    def _lineTo(self, p):
        self.out.append(f"{self._pt(p)} l")

    def _curveToOne(self, a, b, c):
        self.out.append(f"{self._pt(a)} {self._pt(b)} {self._pt(c)} c")

    def _closePath(self):
        self.out.append("h")


@lru_cache(maxsize=4)
def _face(path: str):
    font = TTFont(path, lazy=True)
    return font.getGlyphSet(), font.getBestCmap(), font["head"].unitsPerEm


@lru_cache(maxsize=16)  # a copy's watermark is drawn, then checked: outlined once
def outline(font_file: Path, text: str) -> Outline:
    """``text`` in the face of ``font_file`` as one path, glyph after glyph on one baseline.
    A character the face lacks is left out (the delegate list refuses those first)."""
    glyphs, cmap, upm = _face(str(font_file))
    out: list[str] = []
    points: list[tuple[float, float]] = []
    x = 0
    for ch in text:
        name = cmap.get(ord(ch))
        if name is None:
            continue
        glyph = glyphs[name]
        glyph.draw(_Pen(glyphs, x, out, points))
        x += glyph.width
    xs = [p[0] for p in points] or [0]
    ys = [p[1] for p in points] or [0]
    return Outline("\n".join(out).encode("ascii"), x, (min(xs), min(ys), max(xs), max(ys)), upm)
