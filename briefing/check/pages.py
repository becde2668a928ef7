"""The printed page, checked from what each page draws (``content.Walker``), not from its text.

What the layout guarantees for any district's data, and so what every booklet must show:
- the page boxes: the TrimBox is the paper, the BleedBox 3 mm round it, the MediaBox holds
  the bleed and the CropBox shows the trimmed page;
- on every body page (all but the covers) each text and drawing lies in that page's own
  mirrored text block, or in its header or footer band; text may hang half an em past the
  block (hanging punctuation), nothing else may;
- nothing but bleed elements lies within 10 mm of the trim, on any page: a bleed element is a
  drawing that runs on past the trim to the bleed edge on each side it comes near;
- nothing lies off the page: every text and drawing is inside the MediaBox.
"""

from __future__ import annotations

from typing import Iterable, Iterator

from pypdf.errors import PdfReadError

from ..typeset.paper import BLEED, TRIM_CLEAR, Box, Geometry
from .content import PageContent, Paint, Run

EPS = 1.0  # points: rounding, and half the width of a rule drawn along an edge
MM = 72 / 25.4

Check = tuple[str, list[str], str]  # (name, problems, what it found when all is well)


def _inside(box: Box, area: Box, dx: float = 0.0) -> bool:
    return (box[0] >= area[0] - dx - EPS and box[2] <= area[2] + dx + EPS
            and box[1] >= area[1] - EPS and box[3] <= area[3] + EPS)


def _rect(value) -> Box:
    x0, y0, x1, y1 = (float(v) for v in value)
    return (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))


def page_boxes(page) -> dict[str, Box] | None:
    """The page's MediaBox, CropBox, BleedBox and TrimBox (with PDF's defaults), or None
    when a damaged file gives a box that is not four numbers."""
    try:
        return {name: _rect(getattr(page, name)) for name in ("mediabox", "cropbox", "bleedbox", "trimbox")}
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, PdfReadError):
        return None


def _show(box: Box, origin: Box) -> str:
    """A box as a reader finds it on the page: millimetres from the trimmed page's corner."""
    x0, y0, x1, y1 = ((v - origin[k % 2]) / MM for k, v in enumerate(box))
    return f"x {x0:.1f}–{x1:.1f} mm, y {y0:.1f}–{y1:.1f} mm"


def _items(content: PageContent) -> list[tuple[str, Box, float]]:
    """(what, box, how far it may hang sideways) for every visible text run and drawing."""
    return content.derived("items", lambda c: [(_what(thing), box, hang) for box, hang, thing in _placed(c)])


def _placed(content: PageContent) -> list[tuple[Box, float, Run | Paint]]:
    """``_items`` as (box, hang, the run or drawing): what is said of one (``_what``) is written
    only for those a check finds out of place."""
    return content.derived("placed", _each_item)


def _each_item(content: PageContent) -> list[tuple[Box, float, Run | Paint]]:
    out: list[tuple[Box, float, Run | Paint]] = []
    for r in content.runs:
        if not r.invisible and r.text and not r.text.isspace():  # some text that is not blank
            box = r.box
            if box[0] <= box[2] and box[1] <= box[3]:  # not clipped away
                out.append((box, r.size / 2, r))
    out += [(p.box, 0.0, p) for p in content.paints]
    return out


def _what(thing: Run | Paint) -> str:
    return f"text “{thing.text.strip()[:16]}”" if isinstance(thing, Run) else f"{thing.kind} drawing"


def boxes(pages: list, geo: Geometry) -> list[str]:
    """Each page trimmed to the paper, with 3 mm of bleed round it and shown as trimmed."""
    problems: list[str] = []
    for n, page in enumerate(pages, 1):
        b = page_boxes(page)
        if b is None:
            problems.append(f"page {n}: its page boxes cannot be read")
            continue
        media, crop, trim, bleed = b["mediabox"], b["cropbox"], b["trimbox"], b["bleedbox"]
        size = (trim[2] - trim[0], trim[3] - trim[1])
        if abs(size[0] - geo.width) > EPS or abs(size[1] - geo.height) > EPS:
            problems.append(f"page {n}: TrimBox is {size[0] / MM:.1f}×{size[1] / MM:.1f} mm, "
                            f"not {geo.name.upper()}")
        want = (trim[0] - BLEED, trim[1] - BLEED, trim[2] + BLEED, trim[3] + BLEED)
        if any(abs(a - b) > EPS for a, b in zip(bleed, want)):
            problems.append(f"page {n}: BleedBox is not 3 mm round the TrimBox")
        if not _inside(bleed, media):
            problems.append(f"page {n}: the MediaBox does not hold the BleedBox")
        if any(abs(a - b) > EPS for a, b in zip(crop, trim)):
            problems.append(f"page {n}: CropBox differs from the TrimBox (a reader would see the bleed)")
    return problems


def frames(contents: Iterable[PageContent], pages: list, geo: Geometry) -> list[str]:
    """Body pages: everything in the page's own text block, header band or footer band."""
    problems: list[str] = []
    for content in contents:
        n = content.number
        if n == 1 or n == len(pages):
            continue  # the cover and the back cover have no text block
        b = page_boxes(pages[n - 1])
        if b is None:
            continue  # the page boxes check says so
        trim = b["trimbox"]
        shift = (trim[0], trim[1])
        areas = [tuple(v + shift[k % 2] for k, v in enumerate(a))
                 for a in (geo.text_block(n), geo.header_band(n), geo.footer_band(n))]
        side = "recto" if n % 2 else "verso"
        for box, hang, thing in _placed(content):
            x0, y0, x1, y1 = box
            for a in areas:  # _inside(box, a, hang), written out: a page has thousands of boxes
                if x0 >= a[0] - hang - EPS and x1 <= a[2] + hang + EPS and y0 >= a[1] - EPS and y1 <= a[3] + EPS:
                    break
            else:
                block = areas[0]
                problems.append(f"page {n}: {_what(thing)} at {_show(box, trim)} is outside the {side} text block "
                                f"(x {(block[0] - trim[0]) / MM:.1f}–{(block[2] - trim[0]) / MM:.1f} mm) "
                                f"and its header and footer bands")
    return problems


def trim_clear(contents: Iterable[PageContent], pages: list) -> list[str]:
    """Within 10 mm of the trim, only drawings that bleed: past the trim to the bleed edge on
    every side they come near."""
    problems: list[str] = []
    for content in contents:
        b = page_boxes(pages[content.number - 1])
        if b is None:
            continue
        trim, bleed = b["trimbox"], b["bleedbox"]
        safe = (trim[0] + TRIM_CLEAR, trim[1] + TRIM_CLEAR, trim[2] - TRIM_CLEAR, trim[3] - TRIM_CLEAR)
        low, high = (safe[0] - EPS, safe[1] - EPS), (safe[2] + EPS, safe[3] + EPS)
        for box, _, thing in _placed(content):
            if not (box[0] < low[0] or box[1] < low[1] or box[2] > high[0] or box[3] > high[1]):
                continue  # nowhere near the trim (most of what a page draws)
            near = [box[0] < low[0], box[1] < low[1], box[2] > high[0], box[3] > high[1]]
            reaches = [box[0] <= bleed[0] + EPS, box[1] <= bleed[1] + EPS,
                       box[2] >= bleed[2] - EPS, box[3] >= bleed[3] - EPS]
            if isinstance(thing, Run) or any(n and not r for n, r in zip(near, reaches)):
                problems.append(f"page {content.number}: {_what(thing)} at {_show(box, trim)} is within "
                                f"{TRIM_CLEAR / MM:.0f} mm of the trim and does not bleed")
    return problems


def on_page(contents: Iterable[PageContent], pages: list) -> list[str]:
    """Every text and drawing inside the page's MediaBox (the bleed included)."""
    problems: list[str] = []
    for content in contents:
        b = page_boxes(pages[content.number - 1])
        if b is None:
            continue
        media, trim = b["mediabox"], b["trimbox"]
        for box, _, thing in _placed(content):
            if not _inside(box, media):
                problems.append(f"page {content.number}: {_what(thing)} at {_show(box, trim)} is off the page")
    return problems


def page_problems(contents: list[PageContent], pages: list, geo: Geometry) -> tuple[list[str], list[str], list[str]]:
    """What ``frames``, ``trim_clear`` and ``on_page`` find on ``contents``: pages judged each
    on its own, so that a run of pages gives its part of the whole's lists."""
    return frames(contents, pages, geo), trim_clear(contents, pages), on_page(contents, pages)


def named_page_checks(walked: int, geo: Geometry, boxed: list[str], framed: list[str], clear: list[str],
                      on: list[str]) -> list[Check]:
    """The page checks, in the order ``briefing verify`` lists them: ``boxes`` and
    ``page_problems`` of the ``walked`` pages."""
    body = max(walked - 2, 0)
    return [
        ("page boxes (trim, bleed)", boxed, f"{geo.name.upper()} trimmed, 3 mm bleed"),
        ("text in its mirrored text block", framed, f"{body} body pages"),
        (f"nothing but bleed within {TRIM_CLEAR / MM:.0f} mm of the trim", clear, ""),
        ("nothing off the page", on, ""),
    ]


def _disjoint(box: Box, area: Box) -> bool:
    return box[2] < area[0] or box[0] > area[2] or box[3] < area[1] or box[1] > area[3]


def _kinds(content: PageContent) -> Iterator[tuple[str, Box]]:
    """What is drawn, named so that the same thing drawn elsewhere can be matched to it."""
    for what, box, _ in _items(content):
        yield what, box


class _Drawn:
    """A page's drawings, found again by kind and position (to 0.05 pt)."""

    def __init__(self, items: Iterable[tuple[str, Box]]):
        self.left: dict[tuple, list[tuple[str, Box]]] = {}
        for kind, box in items:
            self.left.setdefault((kind, round(box[0]), round(box[1])), []).append((kind, box))

    def take(self, kind: str, box: Box) -> bool:
        for dx in (0, -1, 1):
            for dy in (0, -1, 1):
                bucket = self.left.get((kind, round(box[0]) + dx, round(box[1]) + dy), [])
                for i, (_, b) in enumerate(bucket):
                    if all(abs(u - v) <= 0.05 for u, v in zip(b, box)):
                        del bucket[i]
                        return True
        return False

    def rest(self) -> list[tuple[str, Box]]:
        return [item for bucket in self.left.values() for item in bucket]


def imposed_sheets(sides: list[PageContent], pages: list[PageContent], trims: list[Box], order: list,
                   place, width: float, marks: bool | None) -> list[str]:
    """An imposed sheet shows each page exactly as the page draws it, cut to the page's own part
    of the sheet (its bleed, and its trim at the spine), and nothing else but marks: in the
    slug, clear of the pages and their bleed, and on the sheet.

    ``place`` is the ``pdf.impose.Sheet`` the spread sits on, ``order`` the booklet page (or
    None) of each side's left and right half, ``trims`` each booklet page's TrimBox. With
    ``marks`` every side has its eight crop and two fold marks; on a sheet without room, none.
    """
    problems: list[str] = []
    spread = place.spread
    paper = (0.0, 0.0, *place.size)
    origin = (place.trim[0], place.trim[1])
    for content, halves in zip(sides, order):
        n = content.number
        drawn = _Drawn(_kinds(content))
        for slot, index in enumerate(halves):
            if index is None:
                continue
            area = place.page_area(slot)
            dx, dy = place.trim[0] + slot * width - trims[index][0], place.trim[1] - trims[index][1]
            missing = 0
            for kind, box in _kinds(pages[index]):
                moved = (max(box[0] + dx, area[0]), max(box[1] + dy, area[1]),
                         min(box[2] + dx, area[2]), min(box[3] + dy, area[3]))
                if moved[0] <= moved[2] and moved[1] <= moved[3] and not drawn.take(kind, moved):
                    missing += 1
            if missing:
                problems.append(f"side {n}: {missing} things page {index + 1} draws are not on it")
        found = 0
        for kind, box in drawn.rest():
            where = f"{_show(box, origin)} from the spread's corner"
            if not _inside(box, paper):
                problems.append(f"side {n}: {kind} at {where} is off the sheet")
            elif not _disjoint(box, spread):
                problems.append(f"side {n}: {kind} at {where} is on a page or its bleed, and not the page's own")
            else:
                found += 1
        if not place.marks_fit and found:
            problems.append(f"side {n}: {found} marks on a sheet with no room for them")
        elif marks and place.marks_fit and found != 10:
            problems.append(f"side {n}: {found} marks, expected 8 crop and 2 fold marks")
    return problems
