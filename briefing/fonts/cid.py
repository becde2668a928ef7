"""Each face written once, as a CID font: Type0/CIDFontType2, Identity-H, with ToUnicode.

reportlab embeds TrueType only as simple fonts of at most 256 glyphs, so a Chinese booklet
would carry four "subsets" of its body face and switch fonts every few characters. ``CIDFont``
is a reportlab ``TTFont`` that reportlab writes the way the booklet needs it, while it writes
the page: every character gets a two-byte code (its CID) the first time it is drawn, and at the
end of the document the face is embedded once, subset to exactly the glyphs drawn, with the
CIDs as its glyph ids. Nothing is rewritten afterwards.

The PDF/A-2b parts a font is answerable for are met here: the program is embedded, the
``CIDToGIDMap`` is given, the ``W`` widths are the ones the layout measured with (the font's
own advances) and the ToUnicode map makes the text copyable. PDF/A-2 asks for no ``CIDSet``,
and one that is incomplete is an error, so none is written.
"""

from __future__ import annotations

import functools
import hashlib
import struct
from dataclasses import dataclass
from weakref import WeakKeyDictionary

from reportlab.lib.rl_accel import fp_str
from reportlab.pdfbase import pdfdoc
from reportlab.pdfbase.pdfmetrics import getFont
from reportlab.pdfbase.ttfonts import TTEncoding, TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.pdfgen.textobject import PDFTextObject

from ..cache import key as cache_key
from .sfnt import glyph_count, with_half_glyphs, without_tables

DW = 1000  # the default width: every Chinese glyph of the Noto CJK faces is one em wide
NOTDEF = b"\0\0"
# Text by reportlab's convention: a no-break space draws (and copies) as a space.
_SAME_AS = {"\xa0": " "}


class _Drawn:
    """What one document drew in a face: each character's CID, in the order first drawn."""

    __slots__ = ("codes", "halves", "chars", "half_cids", "resource")

    def __init__(self):
        self.codes: dict[str, bytes] = {}  # character → its CID as two bytes
        self.halves: dict[str, bytes] = {}  # character → the CID of its half-width variant
        self.chars: list[int] = []  # the code point of CID 1, 2, 3 …
        self.half_cids: set[int] = set()  # the CIDs that advance half their glyph's width
        self.resource: str | None = None  # the font's resource name in the page dictionaries

    def add_half(self, ch: str, char_to_glyph: dict[int, int]) -> None:
        """A second CID for the glyph of ``ch`` whose width (``W``) is half the glyph's: the
        first mark of a compressed pair (”。), which then needs no kerning back over its blank
        half, so that no two glyph boxes overlap and text extractors keep the pair on its line."""
        if ord(ch) not in char_to_glyph:
            self.halves[ch] = NOTDEF
            return
        self.chars.append(ord(ch))
        if len(self.chars) > 0xFFFF:
            raise ValueError("more than 65,535 different characters in one face")
        self.half_cids.add(len(self.chars))
        self.halves[ch] = len(self.chars).to_bytes(2, "big")

    def add(self, ch: str, char_to_glyph: dict[int, int]) -> None:
        same = _SAME_AS.get(ch)
        if same is not None:
            if same not in self.codes:
                self.add(same, char_to_glyph)
            self.codes[ch] = self.codes[same]
        elif ord(ch) not in char_to_glyph:
            self.codes[ch] = NOTDEF  # a missing glyph (the loader refuses such data first)
        else:
            self.chars.append(ord(ch))
            if len(self.chars) > 0xFFFF:
                raise ValueError("more than 65,535 different characters in one face")
            self.codes[ch] = len(self.chars).to_bytes(2, "big")


class CIDFont(TTFont):
    """A TrueType face reportlab writes as one Identity-H CID font per document.

    To reportlab it is a "dynamic" font with a single subset: ``splitString`` hands back the
    text as two-byte CIDs, ``getSubsetInternalName`` the short resource name (``/F1``, as
    reportlab numbers fonts), and ``addObjects``, called once the document is complete, embeds
    the subset.
    """

    def __init__(self, name: str, face):
        """``face``: a parsed ``TTFontFace`` (``fonts.parse``); the rest is what reportlab's
        ``TTFont.__init__`` sets, which would parse the file itself."""
        self.fontName = name
        self.face = face
        self.encoding = TTEncoding()
        self.state = WeakKeyDictionary()  # per document: what it drew (``_Drawn``)
        self._asciiReadable = 0
        self.shapable = False  # no HarfBuzz shaping: the booklet's scripts need none

    def _drawn(self, doc) -> _Drawn:
        try:
            return self.state[doc]
        except KeyError:
            drawn = self.state[doc] = _Drawn()
            return drawn

    def splitString(self, text, doc, encoding="utf-8"):
        if isinstance(text, bytes):
            text = text.decode(encoding)
        drawn = self._drawn(doc)
        codes = drawn.codes
        try:
            return [(0, b"".join([codes[ch] for ch in text]))]
        except KeyError:
            for ch in text:
                if ch not in codes:
                    drawn.add(ch, self.face.charToGlyph)
            return [(0, b"".join([codes[ch] for ch in text]))]

    def glyph_codes(self, glyphs, doc) -> list[bytes]:
        """The two-byte CID of each of a placed line's glyphs (``typeset.linebreak.Glyph``: its
        ``char``; ``half``: its half-width CID, ``_Drawn.add_half``), in one pass. Characters
        new to the document are numbered in the order they are first drawn, a line's full-width
        ones before its half-width ones."""
        drawn = self._drawn(doc)
        codes, halves = drawn.codes, drawn.halves
        try:  # each glyph unpacked (char, x, scale, half), not read by attribute name
            return [halves[c] if h else codes[c] for c, _, _, h in glyphs]
        except KeyError:
            for g in glyphs:
                if not g.half and g.char not in codes:
                    drawn.add(g.char, self.face.charToGlyph)
            for g in glyphs:
                if g.half and g.char not in halves:
                    drawn.add_half(g.char, self.face.charToGlyph)
            return [halves[c] if h else codes[c] for c, _, _, h in glyphs]

    def getSubsetInternalName(self, subset, doc):
        drawn = self._drawn(doc)
        if drawn.resource is None:
            drawn.resource = f"F{len(doc.fontMapping) + 1}"  # reportlab's own numbering, shared
            doc.fontMapping[self.fontName] = "/" + drawn.resource
            doc.delayedFonts.append(self)
        return "/" + drawn.resource

    def addObjects(self, doc):
        drawn = self.state.pop(doc, None)
        if drawn is None or drawn.resource is None:
            return
        key = (tuple(drawn.chars), frozenset(drawn.half_cids))
        memo = self.__dict__.setdefault("_subsets", {})  # a font parsed from the cache has no __init__ run
        parts = memo.get(key)
        if parts is None:
            if len(memo) >= SUBSETS_KEPT:
                memo.pop(next(iter(memo)))
            parts = memo[key] = self._cached_subset(getattr(doc, "subset_cache", None), drawn.chars, key[1])
        descriptor = pdfdoc.PDFDictionary({
            "Type": "/FontDescriptor",
            "FontName": parts.base,
            **{k: pdfdoc.PDFArray(v) if isinstance(v, list) else v for k, v in parts.metrics.items()},
            "FontFile2": _stream(doc, parts.program, Length1=len(parts.program)),
        })
        cidfont = pdfdoc.PDFDictionary({
            "Type": "/Font",
            "Subtype": "/CIDFontType2",
            "BaseFont": parts.base,
            "CIDSystemInfo": pdfdoc.PDFDictionary({
                "Registry": pdfdoc.PDFString("Adobe"), "Ordering": pdfdoc.PDFString("Identity"),
                "Supplement": 0}),
            "FontDescriptor": doc.Reference(descriptor),
            "DW": DW,
            "W": pdfdoc.PDFArray([x if isinstance(x, int) else pdfdoc.PDFArray(x) for x in parts.widths]),
            "CIDToGIDMap": "/Identity" if parts.cid_to_gid is None else _stream(doc, parts.cid_to_gid),
        })
        font = pdfdoc.PDFDictionary({
            "Type": "/Font",
            "Subtype": "/Type0",
            "BaseFont": parts.base,
            "Encoding": "/Identity-H",
            "DescendantFonts": pdfdoc.PDFArray([doc.Reference(cidfont)]),
            "ToUnicode": _stream(doc, parts.to_unicode),
        })
        doc.idToObject["BasicFonts"].dict[drawn.resource] = doc.Reference(font, f"CIDFont:{drawn.resource}")

    def _cached_subset(self, cache, chars: list[int], halves: frozenset[int]) -> Subset:
        """The subset of ``chars``, its TrueType program from ``cache`` (the build's:
        ``document.BookletTemplate``) where an earlier build drew the same characters in the
        same order in this very face file (``digest``, set where it is registered), else made
        (makeSubset and the tables trimmed: 16 ms a booklet) and kept there. A text edit that
        brings no new character, or none drawn earlier than the others it brings, draws the
        same. Only the program is kept: the maps, widths and name are made again here from the
        face (a program without the glyphs they need is a miss); the outlines in it are
        trusted as the cache folder is (``cache``: the user's own)."""
        digest = getattr(self, "digest", None)
        if not (cache and cache.root and digest):
            return subset(self.face, chars, halves)
        k = cache_key("subset", 2, digest, _code(), chars, sorted(halves))
        found = cache.get("subsets", k)
        if found is not None:
            try:
                return subset(self.face, chars, halves, program=found)
            except (ValueError, IndexError, StopIteration, struct.error):  # not this subset's program
                pass
        made = subset(self.face, chars, halves)
        cache.put("subsets", k, made.program)
        return made


@functools.cache  # the code running cannot change
def _code() -> str:
    """What besides the face and the characters shapes a subset: reportlab's subsetter and our
    code that trims and extends its program."""
    from pathlib import Path

    import reportlab

    here = Path(__file__).resolve().parent
    return hashlib.sha256(reportlab.Version.encode() + b"".join(
        (here / f).read_bytes() for f in ("cid.py", "sfnt.py", "parse.py"))).hexdigest()


SUBSETS_KEPT = 4  # a process that builds again (watch) mostly draws the same glyphs as last time


# A CIDFontType2 program is reached through its CIDs (CIDToGIDMap), never its own character map,
# and its names are the PDF's /FontName: 'cmap' and 'name' are dead weight in every file.
UNUSED_TABLES = (b"cmap", b"name")


@dataclass(frozen=True)
class Subset:
    """What a CID font subset of ``chars`` (CIDs 1, 2 … in that order) consists of, whichever
    writer puts it in a PDF: reportlab's (the booklet) or the copies' stamp (``pdf.stamp``)."""

    base: str  # /ABCDEF+NotoSerifSC-Regular
    metrics: dict  # the font descriptor's numbers: Flags, FontBBox, ItalicAngle, Ascent …
    program: bytes  # the TrueType subset (FontFile2)
    widths: list  # the W array
    cid_to_gid: bytes | None  # the CIDToGIDMap stream, None for /Identity
    to_unicode: bytes


def subset(face, chars: list[int], halves: frozenset[int] = frozenset(), program: bytes | None = None) -> Subset:
    """The subset of ``face`` holding the glyphs of ``chars``, CID n for ``chars[n - 1]``; the
    CIDs in ``halves`` are given half their glyph's width. ``program``: its TrueType program as
    made before (``CIDFont._cached_subset``), else made now: the rest always follows from the
    face and the characters here. ``ValueError`` for a program without the glyphs the map needs."""
    ps = face.name.decode("latin-1") if isinstance(face.name, bytes) else str(face.name)
    base = f"/{subset_tag(ps, chars, halves)}+{ps}"
    # The glyphs drawn at full width, then those only ever drawn halved (makeSubset numbers
    # them in this order, which glyph_ids replays); the half-width copies come after them all.
    half_cps = [chars[cid - 1] for cid in sorted(halves)]
    drawn = list(dict.fromkeys([cp for cid, cp in enumerate(chars, 1) if cid not in halves] + half_cps))
    gid = dict(zip(drawn, glyph_ids(drawn, face.charToGlyph)[1:]))
    if program is None:
        program = without_tables(face.makeSubset(drawn), UNUSED_TABLES)
        count = glyph_count(program)
        program = with_half_glyphs(program, [gid[cp] for cp in half_cps])
    else:
        count = glyph_count(program) - len(half_cps)  # the copies come last
    copy = {cid: count + k for k, cid in enumerate(sorted(halves))}
    cid_to_gid = [0] + [copy[cid] if cid in halves else gid[cp] for cid, cp in enumerate(chars, 1)]
    if max(cid_to_gid) >= count + len(half_cps) or max(gid.values(), default=0) >= count:
        raise ValueError("a subset program without the glyphs its characters need")
    identity = all(g == c for c, g in enumerate(cid_to_gid))
    return Subset(
        base,
        {"Flags": 4,  # symbolic: glyphs outside the standard Latin set
         "FontBBox": [int(x) for x in face.bbox], "ItalicAngle": int(face.italicAngle),
         "Ascent": int(face.ascent), "Descent": int(face.descent), "CapHeight": int(face.capHeight),
         "StemV": int(face.stemV)},
        program,
        widths([face.charWidths.get(cp, DW) / (2 if cid in halves else 1) for cid, cp in enumerate(chars, 1)]),
        None if identity else b"".join(g.to_bytes(2, "big") for g in cid_to_gid),
        to_unicode(chars, base[1:7]),
    )


def subset_tag(postscript: str, chars, halves=frozenset()) -> str:
    """Six capitals, as PDF asks of a subset, that follow from the face and the characters."""
    key = repr(sorted(chars)) + (repr(sorted(chars[c - 1] for c in halves)) if halves else "")
    digest = hashlib.sha256(postscript.encode() + key.encode()).digest()
    return "".join(chr(ord("A") + b % 26) for b in digest[:6])


def glyph_ids(chars: list[int], char_to_glyph: dict[int, int]) -> list[int]:
    """The glyph id in the subset of CID 0, 1, 2 …: reportlab's ``makeSubset`` numbers glyphs
    in the order it meets them, after .notdef, which this replays. Two characters that share
    a glyph keep their own CIDs (and copy as themselves); they then share a glyph id."""
    order = {0: 0}
    return [0] + [order.setdefault(char_to_glyph[cp], len(order)) for cp in chars]


def widths(advances: list[float]) -> list:
    """The ``W`` array for CIDs 1, 2 …: runs of consecutive CIDs as ``c [w1 w2 …]``, leaving
    out the ones of the default width."""
    out: list = []
    run: list[int] = []
    for cid, advance in enumerate(advances, 1):
        w = int(round(advance))
        if w == DW:
            continue
        if run and out[-2] + len(run) == cid:
            run.append(w)
        else:
            run = [w]
            out += [cid, run]
    return out


def to_unicode(chars: list[int], name: str) -> bytes:
    """The ToUnicode CMap: CID → the character it was drawn for (two-byte codes)."""
    lines = [
        "/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap",
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
        f"/CMapName /{name}-UCS def", "/CMapType 2 def",
        "1 begincodespacerange", "<0000> <FFFF>", "endcodespacerange",
    ]
    for i in range(0, len(chars), 100):  # at most 100 entries a block, as the CMap format asks
        chunk = chars[i:i + 100]
        lines.append(f"{len(chunk)} beginbfchar")
        lines += [f"<{cid:04X}> <{chr(cp).encode('utf-16-be').hex().upper()}>"
                  for cid, cp in enumerate(chunk, i + 1)]
        lines.append("endbfchar")
    lines += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    return ("\n".join(lines) + "\n").encode("ascii")


def _stream(doc, content: bytes, **entries):
    """A stream compressed only when the document is (the booklet's raw file is not: the
    finish stage compresses every stream once, for good)."""
    filters = [pdfdoc.PDFZCompress] if doc.compression else None
    return doc.Reference(pdfdoc.PDFStream(pdfdoc.PDFDictionary(entries), content, filters))


class CIDCanvas(Canvas):
    """The canvas the booklet is written with: its text objects write a ``CIDFont``'s text
    the compact way (see ``CIDText``); everything else is reportlab's own."""

    def beginText(self, x=0, y=0, direction=None):
        return CIDText(self, x, y, direction=direction)


class CIDText(PDFTextObject):
    """A text object that writes text in a ``CIDFont`` as hex CIDs after a bare ``Tf``.

    reportlab sets the leading (``TL``) with every font change, and ends each ``drawString``
    with a move to the next line (``T*``) that nothing uses. Here the leading is written only
    right before a ``T*`` that needs it, and a ``T*`` just before ``ET`` is left out: some
    1,200 operators fewer in the default booklet, and the same pages.
    """

    def __init__(self, *args, **kwargs):
        self._tl = None  # the leading this text object has set (None: not set here, unknown)
        super().__init__(*args, **kwargs)

    def setLeading(self, leading):
        super().setLeading(leading)
        self._tl = leading

    def setFont(self, psfontname, size, leading=None):
        super().setFont(psfontname, size, leading)
        if not getFont(psfontname)._dynamicFont:
            self._tl = self._leading  # reportlab wrote "Tf … TL" for it

    def _formatText(self, text):
        font = getFont(self._fontname)
        if not isinstance(font, CIDFont) or hasattr(text, "__shapeData__"):
            self._tl = None  # reportlab's own way may set the leading: unknown from here on
            return super()._formatText(text)
        if not text:
            return ""
        doc = self._canvas._doc
        shown = f"<{font.splitString(text, doc)[0][1].hex()}> Tj"
        if self._curSubset == 0:
            return shown
        self._curSubset = 0
        return f"{font.getSubsetInternalName(0, doc)} {fp_str(self._fontsize)} Tf {shown}"

    def _next_line(self) -> str:
        if self._tl == self._leading:
            return "T*"
        self._tl = self._leading
        return f"{fp_str(self._leading)} TL T*"

    def _textOut(self, text, TStar=0):
        shown = self._formatText(text)
        self._code.append(f"{shown} {self._next_line()}".lstrip() if TStar else shown)

    def textLine(self, text=""):
        super().textLine(text)  # the cursor bookkeeping; its code ends in " T*"
        shown = self._code[-1][:-len("T*")]
        self._code[-1] = f"{shown}{self._next_line()}".lstrip()

    def getCode(self):
        last = self._code[-1]
        for tail in (f"{fp_str(self._leading)} TL T*", "T*"):  # a line move that nothing follows
            if last == tail or last.endswith(" " + tail):
                self._code[-1] = last[:-len(tail)].rstrip()
                if not self._code[-1]:
                    del self._code[-1]
                break
        if not any("T*" in item for item in self._code):  # a leading no line move uses
            self._code = [item for item in self._code if not (item.endswith(" TL") and item.count(" ") == 1)]
        return super().getCode()
