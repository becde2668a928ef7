"""Saddle-stitch imposition: the booklet's pages two-up on landscape sheets, in folding order.

A5 pages go on A4 sheets and A4 pages on A3. The page count is padded to a multiple of four
with blank pages placed before the back cover (so it stays on the back). Each sheet has a
front and a back side for duplex printing (flip on the short edge). Page work is pypdf.
"""

from __future__ import annotations

from pathlib import Path as FsPath

from pypdf import PageObject, PdfReader, PdfWriter, Transformation
from pypdf.generic import DecodedStreamObject, NameObject

from ..typeset.styles import PAPERS, SHEETS

Side = tuple[int | None, int | None]  # (left, right) page indices of the booklet; None = blank


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


def _marks(writer: PdfWriter, sheet: tuple[float, float], trim: tuple[float, float, float, float]) -> PageObject:
    """Fold marks at the spine and crop marks at the trim corners, in the empty 12 mm border.

    Written as bare path operators: a reportlab canvas would bring a font along.
    """
    mm = 72 / 25.4
    n, gap = 5 * mm, 2 * mm
    x0, y0, x1, y1 = trim
    spine = (x0 + x1) / 2
    ops = ["q 0.25 w 0 0 0 RG", "[2 1.5] 0 d"]
    for a, b in ((y1, y1 - 6 * mm), (y0, y0 + 6 * mm)):  # the fold, top and bottom
        ops.append(f"{spine:.2f} {a:.2f} m {spine:.2f} {b:.2f} l S")
    ops.append("[] 0 d")
    for x, dx in ((x0, 1), (x1, -1)):
        for y, dy in ((y0, 1), (y1, -1)):
            ops.append(f"{x:.2f} {y + dy * gap:.2f} m {x + dx * n:.2f} {y + dy * gap:.2f} l S")
            ops.append(f"{x + dx * gap:.2f} {y:.2f} m {x + dx * gap:.2f} {y + dy * n:.2f} l S")
    ops.append("Q")
    page = PageObject.create_blank_page(width=sheet[0], height=sheet[1])
    stream = DecodedStreamObject()
    stream.set_data("\n".join(ops).encode("ascii"))
    page[NameObject("/Contents")] = writer._add_object(stream)
    return page


def impose(booklet: FsPath, out: FsPath, paper: str, marks: bool = False) -> int:
    """Write the imposed file; return its number of sheets."""
    reader = PdfReader(str(booklet))
    geo = PAPERS[paper]
    w, h = geo.width, geo.height
    sw, sh = SHEETS[geo.sheet]
    ox, oy = (sw - 2 * w) / 2, (sh - h) / 2  # the spread centred on the sheet (A5×2 = 296 mm on 297)
    writer = PdfWriter()
    overlay = _marks(writer, (sw, sh), (ox, oy, ox + 2 * w, oy + h)) if marks else None
    sides = saddle_order(len(reader.pages))
    for left, right in sides:
        sheet = PageObject.create_blank_page(width=sw, height=sh)
        for index, dx in ((left, ox), (right, ox + w)):
            if index is not None:
                sheet.merge_transformed_page(reader.pages[index], Transformation().translate(dx, oy))
        if overlay is not None:
            sheet.merge_page(overlay)
        sheet = writer.add_page(sheet)
        sheet.compress_content_streams()
    writer.add_metadata({"/Title": f"{reader.metadata.title or ''}（骑马钉拼版）", "/Producer": "briefing (pypdf)"})
    writer.compress_identical_objects()
    with open(out, "wb") as fh:
        writer.write(fh)
    return len(sides) // 2
