"""Saddle-stitch imposition: the booklet's pages two-up on landscape sheets, in folding order.

By default A5 pages go on SRA4 sheets and A4 pages on SRA3: the spread sits in the middle
with a slug round it, the cover's and back cover's bands bleed 3 mm into it, and crop and
fold marks (``marks``) sit outside the bleed, never on a page. A sheet that holds exactly two
pages (A5 on A4, A4 on A3: an office printer, nothing to trim) has no room for either: the
pages are printed at their trim and no marks are drawn.

The page count is padded to a multiple of four with blank pages placed before the back
cover (so it stays on the back). Each sheet has a front and a back side for duplex printing
(flip on the short edge). Page work is pypdf.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path as FsPath

from pypdf import PageObject, PdfReader, PdfWriter, Transformation
from pypdf.generic import DecodedStreamObject, NameObject, RectangleObject

from ..errors import OutputError
from ..typeset.paper import BLEED, PAPERS, SHEETS, Box

Side = tuple[int | None, int | None]  # (left, right) page indices of the booklet; None = blank

MM = 72 / 25.4
MARK_OFFSET = BLEED + 0.5 * MM  # a mark starts this far from the trim: clear of the bleed
MARK_LENGTH = 5 * MM  # at most
MARK_MIN = 2 * MM  # shorter than this is no mark: the sheet has no room for marks
SHEET_EDGE = 0.5 * MM  # a mark ends this far from the sheet's edge at least
TOLERANCE = 0.5  # points


def padded(n: int) -> list[int | None]:
    """Page indices in reading order, padded to a multiple of 4 before the back cover."""
    total = -(-n // 4) * 4
    if n <= 1:
        return [0] + [None] * (total - 1) if n else []
    return list(range(n - 1)) + [None] * (total - n) + [n - 1]


def saddle_order(n: int) -> list[Side]:
    """Sides in print order: sheet 1 front, sheet 1 back, sheet 2 front, …

    For 8 pages (1-based): (8,1) (2,7) (6,3) (4,5): fold the stack and it reads 1…8.
    """
    seq = padded(n)
    p = len(seq)
    sides: list[Side] = []
    for s in range(p // 4):
        sides.append((seq[p - 1 - 2 * s], seq[2 * s]))  # front
        sides.append((seq[2 * s + 1], seq[p - 2 - 2 * s]))  # back
    return sides


@dataclass(frozen=True)
class Sheet:
    """Where a two-page spread sits on a press sheet, and what room is left round it."""

    name: str
    size: tuple[float, float]
    trim: Box  # the spread's trimmed edges on the sheet
    bleed: float  # how far the pages print past the trim (0 on an exact sheet)
    mark_x: float  # length of the crop marks that run sideways out of the spread (0: no room)
    mark_y: float  # length of the crop and fold marks that run up and down out of it

    @property
    def marks_fit(self) -> bool:
        return self.mark_x > 0 and self.mark_y > 0

    @property
    def spread(self) -> Box:
        """The spread with its bleed: what the pages may print on, and marks must keep out of."""
        x0, y0, x1, y1 = self.trim
        return (x0 - self.bleed, y0 - self.bleed, x1 + self.bleed, y1 + self.bleed)

    def page_area(self, slot: int) -> Box:
        """The part of the sheet the left (0) or right (1) page prints on: its bleed on the
        three outer sides, its trim at the spine (the other page starts there)."""
        x0, y0, x1, y1 = self.trim
        spine = (x0 + x1) / 2
        return (x0 - self.bleed, y0 - self.bleed, spine, y1 + self.bleed) if slot == 0 else \
            (spine, y0 - self.bleed, x1 + self.bleed, y1 + self.bleed)

    def describe(self) -> str:
        return f"{self.name.upper()} ({self.size[0] / MM:.0f}×{self.size[1] / MM:.0f} mm)"


def sheet_for(paper: str, name: str | None = None) -> Sheet:
    """The sheet ``name`` (default: the paper's press sheet) with a spread of ``paper`` on it."""
    geo = PAPERS[paper]
    name = name or geo.sheet
    if name not in SHEETS:
        raise OutputError(f"未知的拼版纸张 {name}（可选 {', '.join(SHEETS)}）")
    sw, sh = SHEETS[name]
    w, h = 2 * geo.width, geo.height
    if w > sw + TOLERANCE or h > sh + TOLERANCE:
        raise OutputError(f"拼版纸张 {name.upper()}（{sw / MM:.0f}×{sh / MM:.0f} mm）放不下两页 {paper.upper()}"
                          f"（{w / MM:.0f}×{h / MM:.0f} mm）；可选 {geo.sheet} 或 {geo.exact_sheet} "
                          f"(the sheet is smaller than a two-page spread)")
    ox, oy = (sw - w) / 2, (sh - h) / 2

    def room(slug: float) -> float:
        length = min(MARK_LENGTH, slug - MARK_OFFSET - SHEET_EDGE)
        return length if length >= MARK_MIN else 0.0

    mark_x, mark_y = room(ox), room(oy)
    bleed = BLEED if min(ox, oy) >= BLEED else 0.0
    if not (mark_x and mark_y):
        mark_x = mark_y = 0.0
    return Sheet(name, (sw, sh), (ox, oy, ox + w, oy + h), bleed, mark_x, mark_y)


@dataclass(frozen=True)
class Placement:
    """Where one page of the booklet goes on a side: moved by (dx, dy), cut to ``area``."""

    slot: int  # 0 left, 1 right
    index: int  # the booklet's page, from 0
    dx: float
    dy: float
    area: Box  # the page's part of the sheet (``Sheet.page_area``), sheet space

    def clip(self) -> bytes:
        """Content that moves what follows onto the sheet and cuts it to the page's area, as
        the imposition does to the page itself (``impose``); the caller closes it with ``Q``."""
        a, dx, dy = self.area, self.dx, self.dy
        nums = (dx, dy, a[0] - dx, a[1] - dy, a[2] - a[0], a[3] - a[1])
        return ("q 1 0 0 1 {} {} cm {} {} {} {} re W n\n".format(*(_num(v) for v in nums))).encode("ascii")


def _num(v: float) -> str:
    return f"{v:.4f}".rstrip("0").rstrip(".") or "0"


def placements(place: Sheet, width: float, trims: list[tuple[float, float]], sides: list[Side]) \
        -> list[list[Placement]]:
    """Each side's pages with their placement; ``trims`` is each page's TrimBox corner (x0, y0)
    and ``width`` the paper's: the trimmed pages meet at the spine, the spread centred."""
    out = []
    for left, right in sides:
        here = []
        for slot, index in enumerate((left, right)):
            if index is not None:
                tx0, ty0 = trims[index]
                here.append(Placement(slot, index, place.trim[0] + slot * width - tx0, place.trim[1] - ty0,
                                      place.page_area(slot)))
        out.append(here)
    return out


def _marks(writer: PdfWriter, sheet: Sheet) -> PageObject:
    """Crop marks at the spread's four outer corners and dashed fold marks at the spine, all
    in the slug: each starts clear of the bleed and stops short of the sheet's edge.

    Written as bare path operators: a reportlab canvas would bring a font along.
    """
    x0, y0, x1, y1 = sheet.trim
    off, lx, ly = MARK_OFFSET, sheet.mark_x, sheet.mark_y
    spine = (x0 + x1) / 2
    ops = ["q 0.25 w 0 0 0 RG 0 0 0 rg"]
    for x, out_x in ((x0, -1), (x1, 1)):
        for y, out_y in ((y0, -1), (y1, 1)):
            ops.append(f"{x + out_x * off:.2f} {y:.2f} m {x + out_x * (off + lx):.2f} {y:.2f} l S")
            ops.append(f"{x:.2f} {y + out_y * off:.2f} m {x:.2f} {y + out_y * (off + ly):.2f} l S")
    ops.append("[2 1.5] 0 d")
    for y, out_y in ((y0, -1), (y1, 1)):  # the fold, top and bottom
        ops.append(f"{spine:.2f} {y + out_y * off:.2f} m {spine:.2f} {y + out_y * (off + ly):.2f} l S")
    ops.append("Q")
    page = PageObject.create_blank_page(width=sheet.size[0], height=sheet.size[1])
    stream = DecodedStreamObject()
    stream.set_data("\n".join(ops).encode("ascii"))
    page[NameObject("/Contents")] = writer._add_object(stream)
    return page


def impose(booklet: FsPath, out: FsPath, paper: str, marks: bool = False, sheet: str | None = None) -> int:
    """Write the imposed file; return its number of sheets."""
    reader = PdfReader(str(booklet))
    place = sheet_for(paper, sheet)
    writer = PdfWriter()
    overlay = _marks(writer, place) if marks and place.marks_fit else None
    sides = saddle_order(len(reader.pages))
    trims = [(float(p.trimbox.left), float(p.trimbox.bottom)) for p in reader.pages]
    for spots in placements(place, PAPERS[paper].width, trims, sides):
        side = PageObject.create_blank_page(width=place.size[0], height=place.size[1])
        for spot in spots:
            page = reader.pages[spot.index]
            dx, dy, a = spot.dx, spot.dy, spot.area
            # pypdf clips a merged page to its CropBox: make that the page's own area on the sheet.
            page.cropbox = RectangleObject((a[0] - dx, a[1] - dy, a[2] - dx, a[3] - dy))
            side.merge_transformed_page(page, Transformation().translate(dx, dy))
        if overlay is not None:
            side.merge_page(overlay)
        side = writer.add_page(side)
        side.compress_content_streams()
    writer.add_metadata({"/Title": f"{reader.metadata.title or ''}（骑马钉拼版）", "/Producer": "briefing (pypdf)"})
    writer.compress_identical_objects()
    with open(out, "wb") as fh:
        writer.write(fh)
    return len(sides) // 2
