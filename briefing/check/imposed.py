"""Each numbered copy's imposed sheets checked as a plain copy is: the verified imposed booklet
plus the copy's stamp, page by page at the page's place.

The booklet is imposed once (``pdf/impose.py``) and that file is verified (``verify_imposed``:
every page drawn where folding expects it, cut to its own part of the sheet, marks only in the
slug). A copy's imposed file (``pdf/stamp.py``, ``stamp_sheets``) is that file's bytes followed
by an incremental update; each copy is proved, from its own bytes with pypdf, to be exactly:

1. **The imposed booklet, untouched.** The file starts with its verified bytes, and the last
   cross-reference section moves none of its objects but the sides' page dictionaries; the
   trailer keeps its catalog, Info and ID.
2. **Each side, the imposed booklet's side plus the stamps of its pages.** Its dictionary is
   the imposed side's key by key, except that ``/Contents`` is ``[q, the side's own
   streams…, Q, one stream per page on the side]`` (the side's streams are checked once to
   keep q/Q, BT/ET and BDC/EMC balanced, so each stamp starts from the sheet's initial state)
   and ``/Resources`` adds the copy's new forms and nothing else.
3. **Each page's stamp at exactly its page's place.** A page's stream is ``q``, the page's
   placement on the sheet (the translation the imposition gives the page, and the clip to
   the page's area: its bleed on three sides, its trim at the spine), the stamp, ``Q``; the
   stamp between keeps q/Q, BT/ET and BDC/EMC balanced, so nothing it draws escapes the clip
   or the placement. The placement is read back as numbers and compared with the one worked
   out here from the sheet and the booklet's TrimBoxes, so a stamp on the wrong half-sheet,
   or on another page's place, is refused. Drawn in the page's area, it is never over a mark
   (the slug, verified clear of the pages) or over the other page.
4. **Each stamp passes the checks a plain copy's stamp passes.** The stamps of all pages,
   walked alone in page space, one per page of the booklet (none missing, none twice), go
   through ``check.copies.stamp_checks``: its words ("第 012 份" on every page, the cover's
   number, marking, name and group on the cover and nowhere else), artifacts or the cover's
   paragraph only, inside the page's frames and 10 mm clear of the trim. Its fonts are the
   imposed booklet's own or embedded subsets of its faces; an e-mail copy's watermark is one
   form, the outline of its name and number.

What ``verify_imposed`` established for the imposed booklet therefore holds for every side of
every copy, and what a copy adds is checked in full.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path as FsPath

from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject, StreamObject

from ..files import read_regular
from .content import PageContent, operations
from .copies import (FORM_NAMES, CopyReport, Expected, Reference, _balance, _fonts, _locations, _r, _Walker,
                     _watermark, opened_over, read_once, reported, same, stamp_checks, stamped_resources,
                     unmoved)
from .verify import MAX_PDF_BYTES

PLACE_TOLERANCE = 0.001  # points: the placement is written to 4 decimals


@dataclass
class SheetsReference:
    """The verified imposed booklet, read once for checking every copy's sheets."""

    booklet: Reference  # the verified booklet (its pages' boxes, its tags)
    data: bytes
    reader: PdfReader
    locations: dict[int, tuple]
    size: int
    placements: list  # per side: the pdf.impose.Placement of each page on it
    sides: list = field(default_factory=list)
    side_ids: list[int] = field(default_factory=list)
    faces: set[str] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)
    _fonts: dict = field(default_factory=dict)

    def font(self, num: int):
        return read_once(self, num)

    @classmethod
    def read(cls, path: FsPath, booklet: Reference, paper: str, sheet: str | None) -> "SheetsReference":
        from ..pdf.impose import placements, saddle_order, sheet_for
        from ..typeset.paper import PAPERS
        from .pages import page_boxes

        data = read_regular(path, MAX_PDF_BYTES)
        reader = PdfReader(io.BytesIO(data))
        trims = [(b or {}).get("trimbox", (0.0, 0.0, 0.0, 0.0))[:2] for b in map(page_boxes, booklet.pages)]
        order = saddle_order(len(booklet.pages))
        place = sheet_for(paper, sheet)
        ref = cls(booklet, data, reader, _locations(reader), int(reader.trailer["/Size"]),
                  placements(place, PAPERS[paper].width, trims, order), faces=booklet.faces)
        ref.sides = list(reader.pages)
        ref.side_ids = [p.indirect_reference.idnum for p in ref.sides]
        if len(ref.sides) != len(order):
            ref.problems.append(f"the imposed booklet has {len(ref.sides)} sides, not {len(order)}")
        for n, side in enumerate(ref.sides, 1):
            why = _balance(operations(side.get_contents(), reader)) if side.get_contents() is not None else None
            if why:
                ref.problems.append(f"imposed booklet side {n}: {why}: a stamp would not start from the sheet's state")
        # The two pages' areas: inside the spread (the slug and its marks lie outside it, as
        # verify_imposed checked) and meeting only at the spine.
        left, right = place.page_area(0), place.page_area(1)
        spread = place.spread
        if not (all(a[0] >= spread[0] and a[1] >= spread[1] and a[2] <= spread[2] and a[3] <= spread[3]
                    for a in (left, right)) and left[2] <= right[0]):
            ref.problems.append("the sheet's page areas overlap each other or leave the spread")
        return ref


def check_imposed_copy(ref: SheetsReference, path: FsPath, expect: Expected) -> CopyReport:
    """Every problem of one copy's imposed file (none: the imposed booklet plus its stamps)."""
    return reported(_check, ref, path, expect, "the imposed copy")


def _check(ref: SheetsReference, path: FsPath, expect: Expected, report: CopyReport) -> None:
    problems = report.problems
    reader = opened_over(ref, path, report, "the verified imposed booklet")
    if reader is None:
        return

    # 1. Only the sides' dictionaries are redefined.
    problems += unmoved(reader, ref, set(ref.side_ids), "the imposed booklet", "only its sides may be")
    if problems:
        return
    sides = [reader.get_object(n) for n in ref.side_ids]
    report.pages = len(sides)

    # 2. and 3. Each side: the imposed booklet's, then each of its pages' stamps at its place.
    walker = _Walker(reader, ref)
    forms: dict[str, set[int]] = {}
    stamps: dict[int, PageContent] = {}
    for n, (side, base, spots) in enumerate(zip(sides, ref.sides, ref.placements), 1):
        streams = _side(n, side, base, spots, ref, forms, problems)
        if streams is None:
            continue
        xobj = _r(_r(side.raw_get("/Resources")).get("/XObject")) or DictionaryObject()
        own = DictionaryObject({NameObject(k): xobj.raw_get(k) for k in FORM_NAMES if k in xobj})
        for spot, stream in zip(spots, streams):
            inner = _placed(n, spot, stream.get_data(), problems)
            if inner is None:
                continue
            page = spot.index + 1
            if page in stamps:
                problems.append(f"side {n}: page {page} is stamped twice")
                continue
            # Walked alone in page space, with nothing but the copy's forms.
            stamps[page] = walker.stream(inner, DictionaryObject({NameObject("/XObject"): own}), page)
    if problems:
        return
    pages = len(ref.booklet.pages)
    if sorted(stamps) != list(range(1, pages + 1)):
        problems.append(f"stamps for pages {sorted(stamps)}, not one for each of the booklet's {pages} pages")
        return

    # 4. The stamps, checked as a plain copy's are.
    found, numbers = stamp_checks([stamps[p] for p in sorted(stamps)], ref.booklet.pages, ref.booklet.geo, expect)
    problems += found
    problems += _fonts(reader, ref, sides)
    problems += _watermark(forms, reader, expect)
    problems += _mcids(ref, list(stamps.values()))
    if not problems and numbers == {expect.number}:
        report.number = expect.number


def _side(n: int, side, base, spots, ref: SheetsReference, forms: dict[str, set[int]], problems: list[str]):
    """The side's page streams, one per page on it, when the side is its imposed booklet's side
    wrapped in q … Q and followed by them (else None, and why in ``problems``)."""
    if not isinstance(side, DictionaryObject):
        problems.append(f"side {n} is no dictionary")
        return None
    if side.keys() != base.keys() or not all(same(side.raw_get(k), base.raw_get(k)) for k in side
                                             if k not in ("/Contents", "/Resources")):
        problems.append(f"side {n}: its dictionary differs from the imposed booklet's beyond /Contents and /Resources")
    contents = _r(side.raw_get("/Contents"))
    old = _r(base.raw_get("/Contents"))
    old = list(old) if isinstance(old, ArrayObject) else [base.raw_get("/Contents")]
    k = len(old)
    if not (isinstance(contents, ArrayObject) and len(contents) == k + 2 + len(spots)
            and all(same(a, b) for a, b in zip(contents[1:k + 1], old))):
        problems.append(f"side {n}: /Contents is not [q, the imposed side, Q, a stamp for each of its "
                        f"{len(spots)} pages]")
        return None
    new = [contents[0], contents[k + 1], *contents[k + 2:]]
    if not all(isinstance(c, IndirectObject) and c.idnum >= ref.size and isinstance(_r(c), StreamObject)
               for c in new):
        problems.append(f"side {n}: the stamps are not new content streams")
        return None
    if _r(contents[0]).get_data().strip() != b"q" or _r(contents[k + 1]).get_data().strip() != b"Q":
        problems.append(f"side {n}: the imposed side is not wrapped as q … Q")
        return None
    stamped_resources(side, base, ref.size, f"side {n}", "the imposed booklet", forms, problems)
    return [_r(c) for c in contents[k + 2:]]


def _placed(n: int, spot, data: bytes, problems: list[str]) -> bytes | None:
    """The stamp inside a page's stream, when the stream places it exactly where the imposition
    placed the page and the stamp cannot escape that placement (else None, and why)."""
    head = spot.clip()
    where = f"side {n}: page {spot.index + 1}'s stamp"
    if not (data.startswith(head) and data.endswith(b"Q\n")):
        problems.append(f"{where} is not placed where the imposition placed the page (moved by "
                        f"{spot.dx:.2f}, {spot.dy:.2f} pt and cut to its {('left', 'right')[spot.slot]} half)")
        return None
    # The same placement read back as numbers, not only as the bytes the stamper writes.
    ops = operations(head, None)
    a = spot.area
    want = [([], b"q"), ([1, 0, 0, 1, spot.dx, spot.dy], b"cm"),
            ([a[0] - spot.dx, a[1] - spot.dy, a[2] - a[0], a[3] - a[1]], b"re"), ([], b"W"), ([], b"n")]
    if len(ops) != len(want) or not all(
            op == w_op and len(args) == len(w_args)
            and all(abs(float(x) - y) <= PLACE_TOLERANCE for x, y in zip(args, w_args))
            for (args, op), (w_args, w_op) in zip(ops, want)):
        problems.append(f"{where}: its placement does not read back as the imposition's")
        return None
    inner = data[len(head):-len(b"Q\n")]
    why = _balance(operations(inner, None))
    if why:
        problems.append(f"{where}: {why}: it could draw outside its page's place")
        return None
    return inner


def _mcids(ref: SheetsReference, stamps: list[PageContent]) -> list[str]:
    """The stamps paint the MCIDs a plain copy's stamp paints: the cover's paragraph, on the
    cover, with the MCID that follows the booklet's own (none when the booklet is untagged)."""
    painted = sorted((c.number, m) for c in stamps for m in c.mcids)
    booklet = ref.booklet
    want = [] if booklet.sect is None else [(1, len(_r(booklet.parents)))]
    if painted != want:
        return [f"the stamps paint MCIDs {painted}, expected {want}"]
    return []
