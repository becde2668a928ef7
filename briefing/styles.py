"""Page geometry, colours and type styles, chosen per paper size (never a scaled copy).

The numbers follow docs/style notes: A4 body Noto Serif SC 11 pt on 1.7 leading, about 38
characters a line; A5 body 10 pt with margins of at least 15 mm.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from reportlab.lib.colors import Color, HexColor
from reportlab.lib.units import mm

from .fonts import FontSet

ACCENT = HexColor("#B71C1C")  # restrained Chinese red: L* ≈ 38, dark in grayscale print
INK = HexColor("#1A1A1A")
GREY = HexColor("#5F5F5F")
RULE = HexColor("#9E9E9E")
GROUND = HexColor("#EEEEEE")
PALE_ACCENT = HexColor("#F6E7E7")


@dataclass(frozen=True)
class TextStyle:
    font: str
    size: float
    leading: float
    color: Color = INK
    align: str = "justify"  # justify | left | center | right
    first_indent: float = 0.0
    space_before: float = 0.0
    space_after: float = 0.0

    def but(self, **changes) -> "TextStyle":
        return replace(self, **changes)


@dataclass(frozen=True)
class Geometry:
    name: str
    width: float
    height: float
    inner: float
    outer: float
    top: float
    bottom: float

    @property
    def frame_width(self) -> float:
        return self.width - self.inner - self.outer

    @property
    def frame_height(self) -> float:
        return self.height - self.top - self.bottom

    def left(self, page: int) -> float:
        """Left edge of the text block: the inner margin is on the left of odd pages."""
        return self.inner if page % 2 else self.outer


PAPERS = {
    "a4": Geometry("a4", 210 * mm, 297 * mm, inner=30 * mm, outer=30 * mm, top=28 * mm, bottom=28 * mm),
}


@dataclass(frozen=True)
class Styles:
    geometry: Geometry
    fonts: FontSet
    body: TextStyle
    lead: TextStyle
    h_part: TextStyle
    h_section: TextStyle
    ordinal: TextStyle
    h_sub: TextStyle
    small: TextStyle
    cell: TextStyle
    cell_head: TextStyle
    figure: TextStyle
    figure_unit: TextStyle
    figure_label: TextStyle
    header: TextStyle
    cover_title: TextStyle
    cover_sub: TextStyle
    cover_meta: TextStyle


def styles_for(paper: str, fonts: FontSet) -> Styles:
    geo = PAPERS[paper]
    s = 11.0
    body = TextStyle(fonts.serif, s, s * 1.7, first_indent=2 * s, space_after=s * 0.3)
    sans = TextStyle(fonts.sans, s, s * 1.6, align="left")
    bold = TextStyle(fonts.sans_bold, s, s * 1.5, align="left")
    return Styles(
        geometry=geo,
        fonts=fonts,
        body=body,
        lead=body.but(font=fonts.serif, size=12, leading=12 * 1.75, first_indent=24),
        h_part=bold.but(size=26, leading=36, color=INK),
        h_section=bold.but(size=20, leading=28, space_after=14),
        ordinal=bold.but(size=11, leading=16, color=ACCENT),
        h_sub=bold.but(size=12.5, leading=18, space_before=14, space_after=8),
        small=body.but(size=9, leading=14, color=GREY, first_indent=0, space_after=0, align="left"),
        cell=TextStyle(fonts.serif, 9.5, 15, align="left"),
        cell_head=bold.but(size=9.5, leading=14),
        figure=bold.but(size=19, leading=24),
        figure_unit=sans.but(size=9.5, leading=14),
        # Labels and running heads are the article's own words: set in Serif they reuse the
        # body's glyphs instead of adding ~200 more Sans outlines to the PDF (issue #6's budget).
        figure_label=body.but(size=9, leading=13, color=GREY, first_indent=0, space_after=0, align="left"),
        header=body.but(size=8.5, leading=11, color=GREY, first_indent=0, space_after=0, align="left"),
        cover_title=bold.but(size=30, leading=44, align="center"),
        cover_sub=sans.but(size=14, leading=22, align="center", color=GREY),
        cover_meta=body.but(size=12.5, leading=20, align="center", first_indent=0, space_after=0),
    )
