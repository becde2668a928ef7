"""Numbered copies: each copy is the verified booklet with its delegate's marks stamped on.

The booklet is laid out, finished and verified once. A copy adds, as an incremental update
(``increment.py``), three small form XObjects and the content that places them:
- the cover: the 份号 at the top left with the marking under it (where GB/T 9704 puts 份号
  and 密级), and "张三 代表" with the delegate's group under the red band, at the right;
- every page's footer: "第 012 份", small, at the outer edge;
- with ``email``: a light diagonal watermark of the name and number on every page.

The cover's marks are a real paragraph of the tagged structure (a ``P`` with its own MCID and
ParentTree entry, first in the cover's ``Sect``); the footer and the watermark are artifacts.

**Fonts.** The marks are set in the booklet's own faces. A character the booklet already
drew is drawn with the booklet's font object (its glyph is in the file); only what the booklet
lacks (a name's 喆, 玥, 犇, 昇…) goes into a subset of the same face that the copy brings
along, a few glyphs and about a kilobyte each, made with the booklet's own CID-font code
(``fonts/cid.py``). Re-embedding the face with the name's glyphs added would cost the
booklet's whole subset (173 KB of Serif) again in every copy. The watermark is drawn as the
glyphs' outlines (``fonts/outlines.py``): no text for any extractor, and no font at all.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path as FsPath

import pikepdf
from reportlab.lib.units import mm

from ..data.model import Labels
from ..fonts.cid import subset
from ..fonts.outlines import outline
from ..fonts.register import FontSet, char_width
from ..typeset.document import COVER_BAND
from ..typeset.paper import Geometry
from ..typeset.styles import GREY, INK
from ..increment import Base, Raw, Update, name, ref, text

FORMS = {"cover": "BrCover", "footer": "BrFooter", "watermark": "BrMark"}  # XObject resource names
WATERMARK_ALPHA = 0.13  # black at 13 %: light grey on paper, black text under it stays black
WHITE = (1.0, 1.0, 1.0)


@dataclass(frozen=True)
class Sizes:
    """Type sizes of the marks, per paper."""

    number: float
    marking: float
    name: float
    group: float
    footer: float
    watermark: float  # the largest; a long name is set smaller to fit the page
    floor: float  # a name or group is set no smaller than this


SIZES = {"a4": Sizes(14, 10.5, 14, 10.5, 8, 44, 9), "a5": Sizes(12, 9, 12, 9, 7.5, 34, 8)}
FACES = {"number": "sans_bold", "marking": "serif", "name": "serif", "group": "serif", "footer": "serif",
         "watermark": "sans_bold"}


@dataclass(frozen=True)
class Marks:
    """What one copy carries."""

    number: str  # the 份号 as printed, zero-padded: 012
    name: str
    group: str | None = None
    email: bool = False


@dataclass(frozen=True)
class Line:
    role: str  # number, marking, name, group, footer
    text: str
    size: float
    x: float  # where the text starts, page space
    y: float  # its baseline
    color: tuple[float, float, float]


class DoesNotFit(ValueError):
    """A name or group too long for the cover even at the smallest size."""


def _rgb(color) -> tuple[float, float, float]:
    return (round(color.red, 4), round(color.green, 4), round(color.blue, 4))


class Layout:
    """Where the marks go on a booklet of ``geo``: everything but the copy's own words is fixed
    here, once for all copies."""

    def __init__(self, geo: Geometry, paper: str, fonts: FontSet, labels: Labels, marking: str | None):
        self.geo, self.paper, self.fonts, self.labels, self.marking = geo, paper, fonts, labels, marking
        self.sizes = SIZES[paper]
        if marking and self.width("marking", marking, self.sizes.marking) > geo.frame_width:
            raise DoesNotFit(f"meeting.marking：“{marking}” 太长，封面左上角一行放不下，请缩短")

    def width(self, role: str, value: str, size: float) -> float:
        measure = char_width(self.fonts.names[FACES[role]], size)
        return sum(measure(c) for c in value)

    def _fit(self, role: str, value: str, size: float) -> float:
        room = self.geo.frame_width
        w = self.width(role, value, size)
        if w <= room:
            return size
        fitted = math.floor(size * room / w * 4) / 4
        if fitted < self.sizes.floor:
            raise DoesNotFit(f"{'姓名' if role == 'name' else '代表团/组别'}“{value}”太长，封面一行放不下")
        return fitted

    def cover(self, marks: Marks) -> list[Line]:
        """The cover's marks in reading order: 份号, marking, then the delegate."""
        geo, s = self.geo, self.sizes
        x0, x1 = geo.left(1), geo.left(1) + geo.frame_width
        top = geo.height
        lines = [Line("number", marks.number, s.number, x0, top - (16 if self.paper == "a4" else 15) * mm, WHITE)]
        if self.marking:
            lines.append(Line("marking", self.marking, s.marking, x0, lines[0].y - 6 * mm, WHITE))
        band = top - COVER_BAND
        who = self.labels.delegate.replace("{name}", marks.name)
        size = self._fit("name", who, s.name)
        y = band - (10 if self.paper == "a4" else 7) * mm
        lines.append(Line("name", who, size, x1 - self.width("name", who, size), y, _rgb(INK)))
        if marks.group:
            gsize = self._fit("group", marks.group, s.group)
            lines.append(Line("group", marks.group, gsize, x1 - self.width("group", marks.group, gsize),
                              y - (6 if self.paper == "a4" else 5) * mm, _rgb(GREY)))
        return lines

    def footer(self, marks: Marks) -> Line:
        """At the origin: each page places it at its outer edge (``footer_at``)."""
        return Line("footer", self.labels.copy_number.replace("{number}", marks.number), self.sizes.footer, 0, 0,
                    _rgb(GREY))

    def footer_at(self, page: int, line: Line) -> tuple[float, float]:
        """The outer edge of the page's footer band: right on a recto, left on a verso."""
        x0 = self.geo.left(page)
        if page % 2:
            return x0 + self.geo.frame_width - self.width("footer", line.text, line.size), self.geo.footer
        return x0, self.geo.footer

    def watermark_text(self, marks: Marks) -> str:
        return self.labels.watermark.replace("{name}", marks.name).replace("{number}", marks.number)

    def watermark_at(self, page: int) -> tuple[float, float]:
        """The centre of the page's text block: a recto's and a verso's differ."""
        x0, y0, x1, y1 = self.geo.text_block(page)
        return (x0 + x1) / 2, (y0 + y1) / 2

    def check(self, marks: Marks) -> None:
        """``DoesNotFit`` when this copy's words cannot be set (before anything is written)."""
        self.cover(marks)


# -- the booklet, read once ----------------------------------------------------------------------

def _raw(value) -> Raw:
    """A value of the booklet as PDF syntax, its indirect objects as references."""
    if isinstance(value, pikepdf.Object):
        return Raw(value.unparse(resolved=not value.is_indirect))
    if isinstance(value, bool):
        return Raw(b"true" if value else b"false")
    return Raw(str(value).encode("ascii"))


@dataclass(frozen=True)
class BookletFont:
    num: int  # the font's object number in the booklet
    codes: dict[str, bytes]  # character → its two-byte code, from the font's ToUnicode map


@dataclass
class PageEntry:
    num: int
    entries: dict[str, Raw]  # every key but /Contents and /Resources, as written
    contents: list[Raw]  # references to its content streams
    resources: dict[str, Raw]  # every resource but /XObject
    xobjects: dict[str, Raw]


@dataclass
class Booklet:
    """What stamping needs of the verified booklet, read once for all copies."""

    base: Base
    pages: list[PageEntry]
    fonts: dict[str, BookletFont]  # face → the booklet's font of it
    sect: tuple[int, dict[str, Raw], list[Raw]] | None  # the cover's Sect: number, entries, kids
    parents: tuple[int, list[Raw]] | None  # the cover page's ParentTree array: number, items
    data_digest: str = field(default="")

    @classmethod
    def read(cls, path: FsPath, fonts: FontSet) -> "Booklet":
        from reportlab.pdfbase.pdfmetrics import getFont

        data = FsPath(path).read_bytes()
        with pikepdf.open(path) as pdf:
            base = Base.read(data, pdf)
            pages = []
            for page in pdf.pages:
                obj = page.obj
                contents = obj.Contents
                refs = [_raw(c) for c in contents] if isinstance(contents, pikepdf.Array) else [_raw(contents)]
                res = obj.Resources
                xobjects = {str(k)[1:]: _raw(v) for k, v in (res.get("/XObject") or {}).items()}
                pages.append(PageEntry(obj.objgen[0], {str(k)[1:]: _raw(v) for k, v in obj.items()
                                                      if k not in ("/Contents", "/Resources")},
                                       refs, {str(k)[1:]: _raw(v) for k, v in res.items() if k != "/XObject"},
                                       xobjects))
            faces = {}
            postscript = {_ps(getFont(fonts.names[f]).face): f for f in fonts.names}
            seen = set()
            for page in pdf.pages:
                for _, font in (page.obj.Resources.get("/Font") or {}).items():
                    if not font.is_indirect or font.objgen in seen or font.get("/Subtype") != "/Type0":
                        continue
                    seen.add(font.objgen)
                    face = postscript.get(re.sub(r"^[A-Z]{6}\+", "", str(font.BaseFont)[1:]))
                    if face and "/ToUnicode" in font:
                        faces[face] = BookletFont(font.objgen[0], _codes(font.ToUnicode.read_bytes()))
            sect = parents = None
            tree = pdf.Root.get("/StructTreeRoot")
            if tree is not None:
                document = tree.K
                cover = document.K[0] if isinstance(document.K, pikepdf.Array) else document.K
                kids = cover.K if isinstance(cover.K, pikepdf.Array) else [cover.K]
                sect = (cover.objgen[0], {str(k)[1:]: _raw(v) for k, v in cover.items() if k != "/K"},
                        [_raw(k) for k in kids])
                nums = tree.ParentTree.Nums
                key = int(pdf.pages[0].obj.StructParents)
                for i in range(0, len(nums), 2):
                    if int(nums[i]) == key:
                        parents = (nums[i + 1].objgen[0], [_raw(v) for v in nums[i + 1]])
        return cls(base, pages, faces, sect, parents)


def _ps(face) -> str:
    return face.name.decode("latin-1") if isinstance(face.name, bytes) else str(face.name)


def _codes(cmap: bytes) -> dict[str, bytes]:
    """Character → code, read from a ToUnicode map of the form ``fonts/cid.py`` writes."""
    out = {}
    for code, uni in re.findall(rb"<([0-9A-Fa-f]{4})>\s*<([0-9A-Fa-f]+)>", cmap):
        ch = bytes.fromhex(uni.decode()).decode("utf-16-be")
        if len(ch) == 1:
            out.setdefault(ch, bytes.fromhex(code.decode()))
    return out


# -- one copy ------------------------------------------------------------------------------------

class _Fonts:
    """The fonts one copy's marks use: the booklet's where it has the glyph, else the copy's
    own small subset of the same face."""

    def __init__(self, booklet: Booklet, fonts: FontSet, update: Update):
        self.booklet, self.fontset, self.update = booklet, fonts, update
        self.extra: dict[str, list[int]] = {}  # face → code points of CID 1, 2 … of its stamp subset
        self.extra_num: dict[str, int] = {}
        self.resources: dict[str, Raw] = {}

    def runs(self, face: str, value: str) -> list[tuple[str, bytes]]:
        out: list[tuple[str, bytes]] = []
        mine = self.booklet.fonts.get(face)
        for ch in value:
            if mine is not None and ch in mine.codes:
                res, code = f"B{face}", mine.codes[ch]
                self.resources.setdefault(res, ref(mine.num))
            else:
                chars = self.extra.setdefault(face, [])
                if ord(ch) not in chars:
                    chars.append(ord(ch))
                res, code = f"S{face}", (chars.index(ord(ch)) + 1).to_bytes(2, "big")
                if res not in self.resources:
                    self.extra_num[face] = self.update.new()
                    self.resources[res] = ref(self.extra_num[face])
            if out and out[-1][0] == res:
                out[-1] = (res, out[-1][1] + code)
            else:
                out.append((res, code))
        return out

    def write(self) -> None:
        """The copy's own subsets, once every mark is set."""
        from reportlab.pdfbase.pdfmetrics import getFont

        up = self.update
        for face, chars in self.extra.items():
            parts = subset(getFont(self.fontset.names[face]).face, chars)
            base_font = Raw(parts.base.encode("ascii"))
            program = up.stream(up.new(), parts.program, {"Length1": len(parts.program)})
            descriptor = up.put(up.new(), {"Type": name("FontDescriptor"), "FontName": base_font, **parts.metrics,
                                           "FontFile2": ref(program)})
            cid_to_gid = (name("Identity") if parts.cid_to_gid is None
                          else ref(up.stream(up.new(), parts.cid_to_gid)))
            cidfont = up.put(up.new(), {
                "Type": name("Font"), "Subtype": name("CIDFontType2"), "BaseFont": base_font,
                "CIDSystemInfo": {"Registry": text("Adobe"), "Ordering": text("Identity"), "Supplement": 0},
                "FontDescriptor": ref(descriptor), "DW": 1000,
                "W": parts.widths, "CIDToGIDMap": cid_to_gid})
            up.put(self.extra_num[face], {
                "Type": name("Font"), "Subtype": name("Type0"), "BaseFont": base_font,
                "Encoding": name("Identity-H"), "DescendantFonts": [ref(cidfont)],
                "ToUnicode": ref(up.stream(up.new(), parts.to_unicode))})


def _n(v: float) -> str:
    return f"{v:.3f}".rstrip("0").rstrip(".") if v != int(v) else str(int(v))


def _show(fonts: _Fonts, line: Line) -> str:
    r, g, b = line.color
    ops = [f"BT {_n(r)} {_n(g)} {_n(b)} rg {_n(line.x)} {_n(line.y)} Td"]
    for res, codes in fonts.runs(FACES[line.role], line.text):
        ops.append(f"/{res} {_n(line.size)} Tf <{codes.hex()}> Tj")
    ops.append("ET")
    return " ".join(ops)


def _watermark(layout: Layout, marks: Marks, fonts: FontSet) -> tuple[bytes, list[float], float]:
    """The watermark form's content (centred on its origin), its BBox, and its size in points."""
    o = outline(fonts.path(FACES["watermark"]), layout.watermark_text(marks))
    geo = layout.geo
    x0, y0, x1, y1 = geo.text_block(1)
    bw, bh = x1 - x0, y1 - y0
    angle = math.atan2(bh, bw)
    c, s = math.cos(angle), math.sin(angle)
    w = (o.box[2] - o.box[0]) / o.units_per_em
    h = (o.box[3] - o.box[1]) / o.units_per_em
    # The rotated outline's extent, per point of size; fitted in the text block with 10 % to spare.
    size = min(layout.sizes.watermark, 0.9 * bw / (w * c + h * s), 0.9 * bh / (w * s + h * c))
    k = size / o.units_per_em
    cx, cy = (o.box[0] + o.box[2]) / 2, (o.box[1] + o.box[3]) / 2
    # Font units → page: move the outline's centre to the origin, scale, rotate.
    a, b, cc, d = k * c, k * s, -k * s, k * c
    e, f = -(a * cx + cc * cy), -(b * cx + d * cy)
    half_w = (w * c + h * s) * size / 2 + 1
    half_h = (w * s + h * c) * size / 2 + 1
    content = (f"q /BrAlpha gs 0 0 0 rg {_n(round(a, 6))} {_n(round(b, 6))} {_n(round(cc, 6))} {_n(round(d, 6))} "
               f"{_n(round(e, 3))} {_n(round(f, 3))} cm\n").encode("ascii") + o.ops + b"\nf Q\n"
    return content, [-half_w, -half_h, half_w, half_h], size


def _forms(booklet: Booklet, layout: Layout, marks: Marks, up: Update) -> tuple[dict[str, Raw], Line]:
    """The copy's forms (cover, footer, watermark) and the fonts they use, added to ``up``:
    resource name → reference, and the footer's line."""
    fonts = _Fonts(booklet, layout.fonts, up)
    font_dict = up.new()
    resources = {"Font": ref(font_dict)}
    geo = layout.geo

    cover_lines = layout.cover(marks)
    cover = up.stream(up.new(), "\n".join(_show(fonts, ln) for ln in cover_lines).encode("utf-8"), {
        "Type": name("XObject"), "Subtype": name("Form"), "BBox": [0, 0, _r(geo.width), _r(geo.height)],
        "Resources": resources})
    foot = layout.footer(marks)
    footer = up.stream(up.new(), _show(fonts, foot).encode("utf-8"), {
        "Type": name("XObject"), "Subtype": name("Form"),
        "BBox": [0, _r(-0.2 * foot.size), _r(layout.width("footer", foot.text, foot.size)), _r(foot.size)],
        "Resources": resources})
    forms = {FORMS["cover"]: ref(cover), FORMS["footer"]: ref(footer)}
    if marks.email:
        content, bbox, _ = _watermark(layout, marks, layout.fonts)
        mark = up.stream(up.new(), content, {
            "Type": name("XObject"), "Subtype": name("Form"), "BBox": [_r(v) for v in bbox],
            "Resources": {"ExtGState": {"BrAlpha": {"Type": name("ExtGState"), "ca": WATERMARK_ALPHA}}}})
        forms[FORMS["watermark"]] = ref(mark)
    fonts.write()
    up.put(font_dict, dict(fonts.resources))
    return forms, foot


def stamp(booklet: Booklet, layout: Layout, marks: Marks) -> bytes:
    """The copy's whole file: the booklet's bytes, then the update that stamps ``marks`` on."""
    up = Update(booklet.base)
    forms, foot = _forms(booklet, layout, marks, up)
    tagged = booklet.sect is not None and booklet.parents is not None
    mcid = len(booklet.parents[1]) if tagged else None
    begin = up.stream(up.new(), b"q\n")
    streams: dict[tuple[int, bool], int] = {}
    for n, page in enumerate(booklet.pages, 1):
        key = (n % 2, n == 1)
        if key not in streams:
            streams[key] = up.stream(up.new(), _page_ops(layout, n, foot, marks.email, mcid if n == 1 else None))
        for k in FORMS.values():
            if k in page.xobjects:
                raise ValueError(f"page {n} already has an XObject named {k}")
        up.put(page.num, {**page.entries, "Contents": [ref(begin), *page.contents, ref(streams[key])],
                          "Resources": {**page.resources, "XObject": {**page.xobjects, **forms}}})
    if tagged:
        sect_num, entries, kids = booklet.sect
        para = up.put(up.new(), {"Type": name("StructElem"), "S": name("P"), "P": ref(sect_num),
                                 "Pg": ref(booklet.pages[0].num), "K": mcid})
        up.put(sect_num, {**entries, "K": [ref(para), *kids]})
        parents_num, items = booklet.parents
        up.put(parents_num, [*items, ref(para)])
    return up.render()


@dataclass
class Sheets:
    """The imposed booklet (``pdf/impose.py``), read once for stamping every copy's sheets: its
    sides as pages, its fonts (the booklet's, copied once by the imposition), and where each
    side carries which page."""

    booklet: Booklet  # the imposed file, read as a booklet: its pages are the sides
    placements: list  # per side: the pdf.impose.Placement of each page on it
    mcid: int | None  # the MCID the cover's marks take in the booklet (None: untagged)

    @classmethod
    def read(cls, imposed: FsPath, booklet: Booklet, booklet_file: FsPath, fonts: FontSet, paper: str,
             sheet: str | None) -> "Sheets":
        from ..typeset.paper import PAPERS
        from .impose import placements, saddle_order, sheet_for

        sides = Booklet.read(imposed, fonts)
        with pikepdf.open(booklet_file) as pdf:
            trims = [(float(p.trimbox[0]), float(p.trimbox[1])) for p in pdf.pages]
        order = saddle_order(len(trims))
        if len(order) != len(sides.pages):
            raise ValueError(f"the imposed booklet has {len(sides.pages)} sides, not {len(order)}")
        tagged = booklet.sect is not None and booklet.parents is not None
        return cls(sides, placements(sheet_for(paper, sheet), PAPERS[paper].width, trims, order),
                   len(booklet.parents[1]) if tagged else None)


def stamp_sheets(sheets: Sheets, layout: Layout, marks: Marks) -> bytes:
    """A copy's imposed file: the imposed booklet's bytes, then an update that stamps ``marks``
    on, as ``stamp`` does on the booklet: each side's content is wrapped in q … Q and followed
    by the marks of each page on it, placed (moved and cut to the page's area) exactly as the
    imposition placed the page. The forms are a copy's forms, using the imposed file's fonts."""
    base = sheets.booklet
    up = Update(base.base)
    forms, foot = _forms(base, layout, marks, up)
    begin = up.stream(up.new(), b"q\n")
    end = up.stream(up.new(), b"Q\n")
    streams: dict[bytes, int] = {}
    for n, (side, spots) in enumerate(zip(base.pages, sheets.placements), 1):
        for k in FORMS.values():
            if k in side.xobjects:
                raise ValueError(f"side {n} already has an XObject named {k}")
        placed = []
        for spot in spots:
            page = spot.index + 1
            data = spot.clip() + _marks_ops(layout, page, foot, marks.email,
                                            sheets.mcid if page == 1 else None) + b"Q\n"
            if data not in streams:
                streams[data] = up.stream(up.new(), data)
            placed.append(ref(streams[data]))
        up.put(side.num, {**side.entries, "Contents": [ref(begin), *side.contents, ref(end), *placed],
                          "Resources": {**side.resources, "XObject": {**side.xobjects, **forms}}})
    return up.render()


def _r(v: float) -> float:
    return round(v, 3)


def _page_ops(layout: Layout, page: int, foot: Line, email: bool, mcid: int | None) -> bytes:
    """What a page adds after its own content (which the update wraps in q … Q)."""
    return b"Q\n" + _marks_ops(layout, page, foot, email, mcid)


def _marks_ops(layout: Layout, page: int, foot: Line, email: bool, mcid: int | None) -> bytes:
    """The page's marks, drawn from the page's initial graphics state: the footer, the cover's
    paragraph on page 1, and the watermark."""
    fx, fy = layout.footer_at(page, foot)
    ops = [f"/Artifact <</Type /Pagination /Subtype /Footer>> BDC q 1 0 0 1 {_n(_r(fx))} {_n(_r(fy))} cm "
           f"/{FORMS['footer']} Do Q EMC"]
    if mcid is not None:
        ops.append(f"/P <</MCID {mcid}>> BDC /{FORMS['cover']} Do EMC")
    elif page == 1:
        ops.append(f"/{FORMS['cover']} Do")
    if email:
        cx, cy = layout.watermark_at(page)
        ops.append(f"/Artifact <</Type /Pagination /Subtype /Watermark>> BDC q 1 0 0 1 {_n(_r(cx))} {_n(_r(cy))} cm "
                   f"/{FORMS['watermark']} Do Q EMC")
    return ("\n".join(ops) + "\n").encode("ascii")
