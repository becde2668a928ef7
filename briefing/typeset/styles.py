"""Page geometry, colours and type styles, chosen per paper size (never a scaled copy).

The numbers follow docs/style notes: A4 body Noto Serif SC 11 pt on 1.7 leading, about 38
characters a line; A5 body 10 pt with margins of at least 15 mm.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from reportlab.lib.colors import Color, HexColor
from reportlab.lib.units import mm

from ..fonts.register import FontSet

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


Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in points, PDF page space

BLEED = 3 * mm  # full-bleed colour runs this far past the trim, for the guillotine's tolerance
TRIM_CLEAR = 10 * mm  # nothing but bleed elements this close to a trimmed edge


@dataclass(frozen=True)
class Geometry:
    """A page: its size, margins (inner = the spine side) and where header and footer sit.

    Odd pages are recto (spine on the left), even pages verso: every body page's text block,
    running head and footer follow from its own number, so they cannot fall out of step.
    """

    name: str
    width: float
    height: float
    inner: float
    outer: float
    top: float
    bottom: float
    header: float  # header baseline, from the top edge
    footer: float  # footer baseline, from the bottom edge
    sheet: str  # the press sheet two pages are imposed on by default (room for marks)
    exact_sheet: str  # the sheet that holds exactly two pages (an office printer's paper)

    @property
    def frame_width(self) -> float:
        return self.width - self.inner - self.outer

    @property
    def frame_height(self) -> float:
        return self.height - self.top - self.bottom

    def left(self, page: int) -> float:
        """Left edge of the text block: the spine is on the left of odd (recto) pages."""
        return self.inner if page % 2 else self.outer

    def text_block(self, page: int) -> Box:
        """Where a body page's content goes: the frame, mirrored by the page's own number."""
        x = self.left(page)
        return (x, self.bottom, x + self.frame_width, self.height - self.top)

    def header_band(self, page: int) -> Box:
        """The running head and its rule (2 mm under its baseline at most): over the text
        block, clear of the trim, and apart from the text block by an empty gap."""
        x = self.left(page)
        return (x, self.height - self.header - 2 * mm, x + self.frame_width, self.height - TRIM_CLEAR)

    def footer_band(self, page: int) -> Box:
        """The page number (4 mm over its baseline at most): under the text block, clear of
        the trim, and apart from the text block by an empty gap."""
        x = self.left(page)
        return (x, TRIM_CLEAR, x + self.frame_width, self.footer + 4 * mm)

    @property
    def trim(self) -> Box:
        return (0.0, 0.0, self.width, self.height)

    @property
    def bleed_box(self) -> Box:
        return (-BLEED, -BLEED, self.width + BLEED, self.height + BLEED)


# Landscape press sheets. SRA sizes leave a slug round a two-page spread for crop and fold
# marks and the bleed; A4 and A3 hold a spread exactly (an office printer, no trimming).
SHEETS = {
    "sra4": (320 * mm, 225 * mm),
    "sra3": (450 * mm, 320 * mm),
    "a4": (297 * mm, 210 * mm),
    "a3": (420 * mm, 297 * mm),
}

# Nothing within 12 mm of a trimmed edge (header and footer included), spine margins wide
# enough for a saddle-stitched or stapled copy.
PAPERS = {
    "a4": Geometry("a4", 210 * mm, 297 * mm, inner=32 * mm, outer=28 * mm, top=28 * mm, bottom=28 * mm,
                   header=19 * mm, footer=16 * mm, sheet="sra3", exact_sheet="a3"),
    "a5": Geometry("a5", 148 * mm, 210 * mm, inner=20 * mm, outer=15 * mm, top=21 * mm, bottom=21 * mm,
                   header=14 * mm, footer=13 * mm, sheet="sra4", exact_sheet="a4"),
}


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
