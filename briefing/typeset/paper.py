"""The papers and press sheets: page sizes, margins, header and footer bands, bleed.

Apart from the type styles (``styles``) because the command line offers the sheets as its
choices before any build starts: this module imports nothing of reportlab, so that reading
the command line does not delay the fork of a build's workers (``commands.finishjob``).
"""

from __future__ import annotations

from dataclasses import dataclass

mm = 72 / 25.4  # reportlab.lib.units.mm: points in a millimetre

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
