"""Each numbered copy checked, honestly and in milliseconds: the verified booklet plus its stamp.

A full ``verify`` costs about 0.1 s a copy. It is also not needed: a copy (``pdf/stamp.py``) is
the verified booklet's bytes followed by an incremental update, and what the update may change
is small and fixed. So each copy is checked, from its own bytes with pypdf, to be exactly that:

1. **The booklet, untouched.** The copy starts with the verified booklet's bytes, and its last
   cross-reference section moves no object of the booklet except the page dictionaries, the
   cover's ``Sect`` and the cover page's ParentTree array. Every other object of the copy that
   has a booklet number sits where the booklet has it, in those same bytes: it is the verified
   object. The trailer keeps the booklet's catalog, Info and first ID.
2. **The pages, the booklet's pages plus the stamp.** Each page dictionary equals the
   booklet's key by key, except that ``/Contents`` is ``[q, the booklet's streams…, stamp]``
   (the stamp starting with ``Q``, so it draws from the page's initial state: the booklet's
   own streams are checked once to keep q/Q, BT/ET and BDC/EMC balanced) and ``/Resources``
   adds new form XObjects and nothing else.
3. **The stamp, checked as the booklet is.** The stamp alone is walked (``content.Walker``)
   and put through the booklet's page checks: inside the footer band or text block on body
   pages, nothing within 10 mm of the trim, nothing off the page. Its text, read back through
   the fonts' ToUnicode maps, is "第 012 份" on every page, and on the cover the number, the
   marking, "张三 代表" and the group. Everything it paints is an artifact or the cover's
   paragraph. Every font it uses is the booklet's own (an unchanged object) or an embedded
   Type0/CIDFontType2 subset of one of the booklet's faces. An e-mail copy's watermark is one
   form on every page, drawn as the outlines of its name and number.
4. **The structure.** The cover's ``Sect`` is the booklet's with one ``P`` put first; the
   ``P`` owns one MCID on the cover page, the one the stamp paints, which is the next free one
   and is added to that page's ParentTree array (nothing else of the tree changes).

What the booklet's verification established therefore still holds for every page, and the
stamp is checked in full: that is the whole copy. Across copies the command checks that no two
share a number, and that each file has its own.
"""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass, field
from pathlib import Path as FsPath

from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject, StreamObject

from ..files import read_regular
from ..typeset.paper import Geometry
from .content import ContentError, PageContent, Walker, operations
from .content import squeeze as _squeeze
from .pages import frames, on_page, trim_clear
from .verify import MAX_PDF_BYTES, _embedded, unreadable

FORM_NAMES = ("/BrCover", "/BrFooter", "/BrMark")


def _r(obj):
    return obj.get_object() if isinstance(obj, IndirectObject) else obj


def _locations(reader: PdfReader) -> dict[int, tuple]:
    """Where the file's cross-reference sections, newest first, put each object."""
    out: dict[int, tuple] = {}
    for gen, table in reader.xref.items():
        for num, offset in table.items():
            out[num] = ("at", gen, offset)
    for num, (stm, index) in reader.xref_objStm.items():
        out[num] = ("in", stm, index)
    return out


def same(a, b) -> bool:
    """Two values of the booklet and the copy are the same PDF value (references by number)."""
    if isinstance(a, IndirectObject) or isinstance(b, IndirectObject):
        return (isinstance(a, IndirectObject) and isinstance(b, IndirectObject)
                and (a.idnum, a.generation) == (b.idnum, b.generation))
    if isinstance(a, DictionaryObject) or isinstance(b, DictionaryObject):
        return (isinstance(a, DictionaryObject) and isinstance(b, DictionaryObject) and a.keys() == b.keys()
                and all(same(a.raw_get(k), b.raw_get(k)) for k in a))
    if isinstance(a, ArrayObject) or isinstance(b, ArrayObject):
        return (isinstance(a, ArrayObject) and isinstance(b, ArrayObject) and len(a) == len(b)
                and all(same(x, y) for x, y in zip(a, b)))
    return a == b


def _balance(content: list) -> str | None:
    """A content stream that could leave a graphics state, text object or marked-content
    sequence open (or close one it never opened)."""
    depth = {b"q": 0, b"BT": 0, b"BDC": 0}
    pairs = {b"q": b"q", b"Q": b"q", b"BT": b"BT", b"ET": b"BT", b"BDC": b"BDC", b"BMC": b"BDC", b"EMC": b"BDC"}
    for _, op in content:
        key = pairs.get(op)
        if key is None:
            continue
        depth[key] += 1 if op in (b"q", b"BT", b"BDC", b"BMC") else -1
        if depth[key] < 0:
            return f"{op.decode()} without its opening"
    open_ = [k.decode() for k, v in depth.items() if v]
    return f"{', '.join(open_)} left open" if open_ else None


def read_once(ref, num: int):
    """A font of a verified file (``ref``: a ``Reference`` or ``imposed.SheetsReference``) as the
    content walker reads it, parsed once for all copies."""
    kept = ref._fonts.get(num)
    if kept is None:
        kept = ref._fonts[num] = Walker(ref.reader).font(ref.reader.get_object(num))
    return kept


@dataclass
class Reference:
    """The verified booklet, read once for checking all its copies."""

    data: bytes
    reader: PdfReader
    locations: dict[int, tuple]
    size: int
    geo: Geometry
    problems: list[str] = field(default_factory=list)  # the booklet itself cannot carry stamps
    sect: IndirectObject | None = None
    parents: IndirectObject | None = None
    pages: list = field(default_factory=list)  # the booklet's PageObjects
    page_ids: list[int] = field(default_factory=list)
    faces: set[str] = field(default_factory=set)  # the booklet's font faces, without subset tags
    _fonts: dict = field(default_factory=dict)

    def font(self, num: int):
        return read_once(self, num)

    @classmethod
    def read(cls, path: FsPath, geo: Geometry) -> "Reference":
        data = read_regular(path, MAX_PDF_BYTES)
        reader = PdfReader(io.BytesIO(data))
        ref = cls(data, reader, _locations(reader), int(reader.trailer["/Size"]), geo)
        ref.pages = list(reader.pages)
        ref.page_ids = [p.indirect_reference.idnum for p in ref.pages]
        for page in ref.pages:
            fonts = _r(_r(page["/Resources"]).get("/Font")) or DictionaryObject()
            for k in fonts:
                font = fonts.raw_get(k)
                ref.faces.add(re.sub(r"^/[A-Z]{6}\+", "", str(_r(font).get("/BaseFont"))))
                if isinstance(font, IndirectObject):
                    ref.font(font.idnum)
        for n, page in enumerate(reader.pages, 1):
            why = _balance(operations(page.get_contents(), reader)) if page.get_contents() is not None else None
            if why:
                ref.problems.append(f"booklet page {n}: {why}: a stamp would not start from the page's own state")
        root = _r(reader.trailer["/Root"])
        tree = _r(root.get("/StructTreeRoot"))
        if isinstance(tree, DictionaryObject):
            document = _r(tree["/K"])
            kids = _r(document["/K"])
            ref.sect = kids[0] if isinstance(kids, ArrayObject) else document["/K"]
            key = int(reader.pages[0]["/StructParents"])
            nums = _r(_r(tree["/ParentTree"])["/Nums"])
            for i in range(0, len(nums) - 1, 2):
                if int(nums[i]) == key:
                    ref.parents = nums[i + 1]
        return ref


def unmoved(reader: PdfReader, ref, allowed: set[int], what: str, may: str) -> list[str]:
    """An update that moves an object of ``ref`` (the file it extends: ``.locations``, ``.size``,
    ``.reader``) other than ``allowed``, or gives another catalog, Info or first ID."""
    problems = []
    moved = [n for n, where in _locations(reader).items() if n < ref.size and where != ref.locations.get(n)]
    for n in sorted(set(moved) - allowed):
        problems.append(f"object {n} of {what} is changed ({may})")
    trailer, base_trailer = reader.trailer, ref.reader.trailer
    for key in ("/Root", "/Info"):
        if not same(trailer.get(key), base_trailer.get(key)):
            problems.append(f"the trailer's {key} is not {what}'s")
    ids, base_ids = trailer.get("/ID"), base_trailer.get("/ID")
    if (ids is None) != (base_ids is None) or (ids is not None and ids[0] != base_ids[0]):
        problems.append(f"the document ID is not {what}'s")
    return problems


@dataclass(frozen=True)
class Expected:
    """What a copy must show: its words, as the data and the list give them."""

    number: str  # 012
    footer: str  # 第 012 份
    cover: tuple[str, ...]  # the number, the marking, "张三 代表", the group
    email: bool
    watermark_ops: bytes | None = None  # the watermark's outlines (path operators)


@dataclass
class CopyReport:
    path: str
    problems: list[str] = field(default_factory=list)
    pages: int = 0
    size: int = 0
    sha256: str = ""
    number: str | None = None  # the number read back from the footers, when all agree

    @property
    def ok(self) -> bool:
        return not self.problems


def check_copy(ref: Reference, path: FsPath, expect: Expected) -> CopyReport:
    """Every problem of one copy (an empty list: it is the booklet plus the right stamp)."""
    return reported(_check, ref, path, expect, "the copy")


def reported(check, ref, path: FsPath, expect: Expected, what: str) -> CopyReport:
    """The report of ``check(ref, path, expect, report)`` on one file; a damaged file, on which
    pypdf raises nearly anything, is one problem: it cannot be read."""
    report = CopyReport(str(path))
    try:
        check(ref, FsPath(path), expect, report)
    except Exception as exc:
        report.problems.append(f"cannot read {what}: {unreadable(exc)}")
    return report


def stamped_resources(page, base, size: int, where: str, whose: str, forms: dict[str, set[int]],
                      problems: list[str]) -> DictionaryObject:
    """A stamped page's (or sheet side's) XObjects, its resources checked against ``base``'s:
    the same but for the stamp's new forms (objects numbered from ``size`` on), which are noted
    in ``forms``; each difference else is a problem (``where``: the page, ``whose``: the base)."""
    res, base_res = _r(page.raw_get("/Resources")), _r(base.raw_get("/Resources"))
    xobj = _r(res.get("/XObject")) or DictionaryObject()
    base_xobj = _r(base_res.get("/XObject")) or DictionaryObject()
    if res.keys() - {"/XObject"} != base_res.keys() - {"/XObject"} or not all(
            same(res.raw_get(k), base_res.raw_get(k)) for k in res if k != "/XObject"):
        problems.append(f"{where}: /Resources differ from {whose}'s beyond its XObjects")
    for k in base_xobj:
        if k not in xobj or not same(xobj.raw_get(k), base_xobj.raw_get(k)):
            problems.append(f"{where}: XObject {k} is not {whose}'s")
    for k in xobj.keys() - base_xobj.keys():
        value = xobj.raw_get(k)
        if k not in FORM_NAMES or not isinstance(value, IndirectObject) or value.idnum < size:
            problems.append(f"{where}: XObject {k} is not one of the stamp's new forms")
        else:
            forms.setdefault(k, set()).add(value.idnum)
    return xobj


def opened_over(ref, path: FsPath, report: CopyReport, base: str) -> PdfReader | None:
    """The file read, when it starts with the bytes of the verified file it updates
    (``ref.data``, ``base`` in the message); its size and digest go into ``report``."""
    report.problems += ref.problems
    data = read_regular(path, MAX_PDF_BYTES)
    report.size, report.sha256 = len(data), hashlib.sha256(data).hexdigest()
    if not data.startswith(ref.data):
        report.problems.append(f"does not start with {base}'s bytes")
        return None
    return PdfReader(io.BytesIO(data))


def _check(ref: Reference, path: FsPath, expect: Expected, report: CopyReport) -> None:
    problems = report.problems
    reader = opened_over(ref, path, report, "the verified booklet")
    if reader is None:
        return
    base_pages = ref.pages

    # 1. Which objects the update redefines.
    allowed = set(ref.page_ids)
    if ref.sect is not None:
        allowed |= {ref.sect.idnum, ref.parents.idnum}
    problems += unmoved(reader, ref, allowed, "the booklet", "only pages and the cover's tags may be")
    if problems:
        return
    # The catalog and the page tree are the booklet's objects, unmoved: the copy's pages are the
    # booklet's page objects in the booklet's order, each as the update redefines it.
    pages = [reader.get_object(n) for n in ref.page_ids]
    report.pages = len(pages)

    # 2. Each page: the booklet's, with the stamp appended.
    stamps: list[PageContent] = []
    walker = _Walker(reader, ref)
    forms: dict[str, set[int]] = {}
    for n, (page, base) in enumerate(zip(pages, base_pages), 1):
        if not isinstance(page, DictionaryObject):
            problems.append(f"page {n} is no dictionary")
            return
        if page.keys() != base.keys() or not all(same(page.raw_get(k), base.raw_get(k)) for k in page
                                                 if k not in ("/Contents", "/Resources")):
            problems.append(f"page {n}: its dictionary differs from the booklet's beyond /Contents and /Resources")
        contents = _r(page.raw_get("/Contents"))
        old = _r(base.raw_get("/Contents")) if isinstance(base.raw_get("/Contents"), ArrayObject) else \
            base.raw_get("/Contents")
        old = list(old) if isinstance(old, ArrayObject) else [old]
        if not (isinstance(contents, ArrayObject) and len(contents) == len(old) + 2
                and all(same(a, b) for a, b in zip(contents[1:-1], old))):
            problems.append(f"page {n}: /Contents is not [q, the booklet's content, the stamp]")
            continue
        first, stamp = _r(contents[0]), _r(contents[-1])
        if (contents[0].idnum < ref.size or contents[-1].idnum < ref.size or not isinstance(stamp, StreamObject)
                or first.get_data().strip() != b"q" or not stamp.get_data().lstrip().startswith(b"Q")):
            problems.append(f"page {n}: the stamp is not wrapped as q … Q around the booklet's content")
            continue
        xobj = stamped_resources(page, base, ref.size, f"page {n}", "the booklet", forms, problems)
        # Walked with nothing but its own forms: the stamp may use no other resource of the page.
        own = DictionaryObject({NameObject(k): xobj.raw_get(k) for k in FORM_NAMES if k in xobj})
        stamps.append(walker.stream(stamp, DictionaryObject({NameObject("/XObject"): own}), n))
    if problems:
        return

    # 3. The stamp itself.
    found, numbers = stamp_checks(stamps, base_pages, ref.geo, expect)
    problems += found
    problems += _fonts(reader, ref, pages)
    problems += _watermark(forms, reader, expect)
    problems += _structure(reader, ref, stamps)
    if not problems and numbers == {expect.number}:
        report.number = expect.number


def stamp_checks(stamps: list[PageContent], base_pages: list, geo: Geometry, expect: Expected) \
        -> tuple[list[str], set[str]]:
    """The checks of each page's stamp, walked alone in page space (``stamps`` in page order,
    one for every page): what it says, that it is all artifact or the cover's paragraph, and
    the booklet's page checks against the booklet's own pages. Also the numbers it carries."""
    problems: list[str] = []
    numbers = set()
    for content in stamps:
        n = content.number
        unmarked = [r.text for r in content.runs if not _marked(r.marks)] + [p.kind for p in content.paints
                                                                             if not _marked(p.marks)]
        if unmarked:
            problems.append(f"page {n}: the stamp paints {unmarked[0]!r} outside an artifact or the cover's paragraph")
        texts = [_squeeze("".join(r.text for r in line)) for line in content.lines()]
        if _squeeze(expect.footer) not in texts:
            problems.append(f"page {n}: no “{expect.footer}” in the footer")
        else:
            numbers.add(expect.number)
        if n == 1:
            for line in expect.cover:
                if _squeeze(line) not in texts:
                    problems.append(f"the cover lacks “{line}”")
        extra = [t for t in texts if t != _squeeze(expect.footer) and (n != 1 or t not in map(_squeeze, expect.cover))]
        if extra:
            problems.append(f"page {n}: the stamp prints “{extra[0]}”, which is none of the copy's marks")
        if expect.email and not content.paints:
            problems.append(f"page {n}: no watermark")
        elif expect.email and len(content.paints) > 1:  # the watermark's outline is one filled path
            problems.append(f"page {n}: the stamp paints {len(content.paints)} shapes, not its watermark alone")
        if not expect.email and content.paints:
            problems.append(f"page {n}: the stamp paints shapes, but only an e-mail copy has a watermark")
    # The page boxes are the booklet's (step 2): its pages give them.
    problems += [f"stamp: {p}" for p in (frames(stamps, base_pages, geo) + trim_clear(stamps, base_pages)
                                          + on_page(stamps, base_pages))]
    return problems, numbers


_USES = {b"Tf": "/Font", b"Do": "/XObject", b"gs": "/ExtGState", b"sh": "/Shading", b"cs": "/ColorSpace",
         b"CS": "/ColorSpace"}  # the operators that name a resource, and where it is
_DEVICE_SPACES = ("/DeviceGray", "/DeviceRGB", "/DeviceCMYK", "/Pattern")


class _Walker(Walker):
    """The content walker, remembering what a form draws where: the same footer and watermark
    are placed at the same spot on every recto (and every verso), and are walked once each."""

    def __init__(self, reader, ref: "Reference"):
        super().__init__(reader)
        self.ref = ref
        self._seen: dict[tuple, tuple[list, list, list]] = {}

    def _walk(self, stream, resources, gs, out, marks, depth, forms):
        """The stamp or one of its forms, which may name no resource it was not given: the walk
        skips a font or form it cannot find, but a viewer would take it from the page's (a form
        without its own resources falls back on them), and draw what no check has read."""
        for operands, op in operations(stream, self.reader, self.memo):
            kind = _USES.get(op)
            name = operands[0] if kind and operands else None
            if op in (b"scn", b"SCN") and operands and isinstance(operands[-1], str):
                kind, name = "/Pattern", operands[-1]
            elif op == b"BDC" and len(operands) > 1 and isinstance(operands[1], str):
                kind, name = "/Properties", operands[1]
            if kind and not (kind == "/ColorSpace" and name in _DEVICE_SPACES):
                given = _r(resources.get(kind)) if isinstance(resources, DictionaryObject) else None
                if not (isinstance(name, str) and isinstance(given, DictionaryObject) and name in given):
                    raise ContentError(f"page {out.number}: the stamp uses {kind[1:]} {name}, which it does not bring")
        super()._walk(stream, resources, gs, out, marks, depth, forms)

    def font(self, obj):
        """A font of the booklet (an unchanged object: step 1) as read once from the booklet."""
        if isinstance(obj, IndirectObject) and obj.idnum < self.ref.size:
            return self.ref.font(obj.idnum)
        return super().font(obj)

    def _do(self, name, xobjects, gs, out, marks, depth, forms):
        key = (name, id(_r(xobjects.get(name))), gs.ctm, gs.clip, repr(marks))
        kept = self._seen.get(key)
        if kept is None:
            runs, paints, mcids = len(out.runs), len(out.paints), len(out.mcids)
            super()._do(name, xobjects, gs, out, marks, depth, forms)
            self._seen[key] = (out.runs[runs:], out.paints[paints:], out.mcids[mcids:])
        else:
            out.runs += kept[0]
            out.paints += kept[1]
            out.mcids += kept[2]


def _marked(marks) -> bool:
    return any(m.mcid is not None or m.tag == "/Artifact" for m in marks)


def _fonts(reader: PdfReader, ref: Reference, pages) -> list[str]:
    """The stamp's fonts: the booklet's own, or an embedded subset of one of its faces."""
    problems: list[str] = []
    faces = ref.faces
    seen: set[int] = set()
    for n, page in enumerate(pages, 1):
        xobj = _r(_r(page["/Resources"]).get("/XObject")) or {}
        for key in FORM_NAMES:
            form = _r(xobj.get(key))
            if form is None:
                continue
            fonts = _r(_r(form.get("/Resources") or DictionaryObject()).get("/Font")) or DictionaryObject()
            for key in fonts:
                font = fonts.raw_get(key)
                if not isinstance(font, IndirectObject) or font.idnum in seen:
                    continue
                seen.add(font.idnum)
                if font.idnum < ref.size:
                    continue  # an object of the booklet, unchanged (step 1): verified with it
                f = _r(font)
                base = str(f.get("/BaseFont", ""))
                kids = _r(f.get("/DescendantFonts")) or []
                cid = _r(kids[0]) if kids else None
                if (f.get("/Subtype") != "/Type0" or cid is None or cid.get("/Subtype") != "/CIDFontType2"
                        or not _embedded(f) or "/ToUnicode" not in f):
                    problems.append(f"stamp font {base}: not an embedded CID TrueType font with a ToUnicode map")
                if not re.match(r"^/[A-Z]{6}\+", base):
                    problems.append(f"stamp font {base}: not marked as a subset")
                if re.sub(r"^/[A-Z]{6}\+", "", base) not in faces:
                    problems.append(f"stamp font {base}: not one of the booklet's faces")
    return problems


def _watermark(forms: dict[str, set[int]], reader: PdfReader, expect: Expected) -> list[str]:
    marks = forms.get("/BrMark", set())
    if not expect.email:
        return ["a watermark on a print copy"] if marks else []
    if len(marks) != 1:
        return [f"the watermark is {len(marks)} forms, not one on every page"]
    from ..pdf.stamp import WATERMARK_ALPHA

    form = reader.get_object(next(iter(marks)))
    data, ops, tail = form.get_data(), expect.watermark_ops, b"\nf Q\n"
    # Exactly the outline, filled in black at the watermark's light alpha, and nothing else: a
    # shape or a colour more could hide the booklet's text under it.
    head = operations(data[:-len(ops) - len(tail)], None) if ops and data.endswith(ops + tail) else []
    resources = _r(form.get("/Resources"))
    states = _r(resources.get("/ExtGState")) if isinstance(resources, DictionaryObject) else None
    alpha = _r(states.get("/BrAlpha")) if isinstance(states, DictionaryObject) else None
    if not ([op for _, op in head] == [b"q", b"gs", b"rg", b"cm"] and head[1][0] == ["/BrAlpha"]
            and [float(v) for v in head[2][0]] == [0, 0, 0] and set(resources) == {"/ExtGState"}
            and set(states) == {"/BrAlpha"} and isinstance(alpha, DictionaryObject)
            and set(alpha) == {"/Type", "/ca"} and alpha["/Type"] == "/ExtGState"
            and float(alpha["/ca"]) == WATERMARK_ALPHA):
        return ["the watermark is not the outline of the copy's name and number"]
    return []


def _structure(reader: PdfReader, ref: Reference, stamps: list[PageContent]) -> list[str]:
    painted = [(c.number, m) for c in stamps for m in c.mcids]
    if ref.sect is None:
        return ["the untagged booklet's stamp paints MCIDs"] if painted else []
    base_kids = _r(_r(ref.sect).raw_get("/K"))
    base_kids = list(base_kids) if isinstance(base_kids, ArrayObject) else [base_kids]
    base_parents = _r(ref.parents)
    sect = reader.get_object(ref.sect.idnum)
    parents = reader.get_object(ref.parents.idnum)
    mcid = len(base_parents)
    if painted != [(1, mcid)]:
        return [f"the stamp paints MCIDs {painted}, expected only {mcid} on the cover"]
    kids = _r(sect.raw_get("/K"))
    if not (isinstance(kids, ArrayObject) and len(kids) == len(base_kids) + 1
            and all(same(a, b) for a, b in zip(kids[1:], base_kids))
            and sect.keys() == _r(ref.sect).keys()
            and all(same(sect.raw_get(k), _r(ref.sect).raw_get(k)) for k in sect if k != "/K")):
        return ["the cover's Sect is not the booklet's with one element put first"]
    para = kids[0]
    p = _r(para)
    if not (isinstance(para, IndirectObject) and para.idnum >= ref.size and p.get("/S") == "/P"
            and same(p.raw_get("/P"), ref.sect) and same(p.raw_get("/Pg"), IndirectObject(ref.page_ids[0], 0, reader))
            and p.get("/K") == mcid):
        return ["the cover's new element is not a P owning the stamp's MCID on the cover"]
    if not (isinstance(parents, ArrayObject) and len(parents) == mcid + 1
            and all(same(a, b) for a, b in zip(parents, base_parents)) and same(parents[mcid], para)):
        return ["the cover page's ParentTree entry does not give the stamp's MCID to its P"]
    return []
