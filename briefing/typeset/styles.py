"""Page geometry, colours and type styles, chosen per paper size (never a scaled copy).

The numbers follow docs/style notes: A4 body Noto Serif SC 11 pt on 1.7 leading, about 38
characters a line; A5 body 10 pt with margins of at least 15 mm.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from reportlab.lib.colors import Color, HexColor
from reportlab.lib.units import mm

from ..fonts.register import FontSet
from .paper import PAPERS, Geometry

ACCENT = HexColor("#B71C1C")  # restrained Chinese red: L* ≈ 38, dark in grayscale print
INK = HexColor("#000000")  # black text (style notes); prints as pure K
GREY = HexColor("#5F5F5F")
RULE = HexColor("#9E9E9E")
GROUND = HexColor("#EEEEEE")


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
class Styles:
    geometry: Geometry
    fonts: FontSet
    body: TextStyle
    lead: TextStyle
    h_part: TextStyle
    h_section: TextStyle
    h_glance: TextStyle
    ordinal: TextStyle
    h_sub: TextStyle
    small: TextStyle
    cell: TextStyle
    cell_head: TextStyle
    continued: TextStyle
    figure: TextStyle
    figure_unit: TextStyle
    figure_label: TextStyle
    header: TextStyle
    cover_title: TextStyle
    cover_sub: TextStyle
    cover_meta: TextStyle


def styles_for(paper: str, fonts: FontSet) -> Styles:
    """Type chosen for the paper: A4 body 11 pt, A5 body 10 pt; nothing of the body under 9 pt."""
    geo = PAPERS[paper]
    s = 11.0 if paper == "a4" else 10.0
    k = 1.0 if paper == "a4" else 0.8  # display sizes (headings, figures, cover) on the smaller page
    body = TextStyle(fonts.serif, s, s * 1.7, first_indent=2 * s, space_after=s * 0.3)
    serif = TextStyle(fonts.serif, s, s * 1.7, align="left")  # unindented, for labels and captions
    sans = TextStyle(fonts.sans, s, s * 1.6, align="left")
    bold = TextStyle(fonts.sans_bold, s, s * 1.5, align="left")
    return Styles(
        geometry=geo,
        fonts=fonts,
        body=body,
        lead=body.but(size=s + 1, leading=(s + 1) * 1.75, first_indent=2 * (s + 1)),
        # Headings: the space above is dropped at the top of a page (reportlab's frame), the
        # space below always kept; every level has both, and no Spacer adds to them.
        h_part=bold.but(size=26 * k, leading=36 * k, color=INK, space_before=10 * mm * k, space_after=14 * k),
        h_section=bold.but(size=20 * k, leading=28 * k, space_before=10 * mm * k, space_after=14 * k),
        h_glance=bold.but(size=16 * k, leading=22 * k, space_before=6 * mm * k, space_after=10 * k),
        ordinal=bold.but(size=11 * k, leading=16 * k, color=ACCENT),
        h_sub=bold.but(size=12.5 * k, leading=18 * k, space_before=14 * k, space_after=8 * k),
        small=serif.but(size=9, leading=14, color=GREY),
        cell=TextStyle(fonts.serif, 9.5 if paper == "a4" else 9, 15 if paper == "a4" else 14, align="left"),
        cell_head=bold.but(size=9.5 if paper == "a4" else 9, leading=14),
        continued=serif.but(size=8.5, leading=12, color=GREY, space_after=3),
        figure=bold.but(size=19 * k, leading=24 * k),
        figure_unit=sans.but(size=max(8.5, 9.5 * k), leading=14 * k),
        # Labels and running heads are the article's own words: set in Serif they reuse the
        # body's glyphs instead of adding ~200 more Sans outlines to the PDF (issue #6's budget).
        figure_label=serif.but(size=9, leading=13, color=GREY),
        header=serif.but(size=8.5 if paper == "a4" else 8, leading=11, color=GREY),
        cover_title=bold.but(size=30 * k, leading=44 * k, align="center"),
        cover_sub=serif.but(size=14 * k, leading=22 * k, align="center", color=GREY),
        cover_meta=serif.but(size=12.5 * k, leading=20 * k, align="center"),
    )
