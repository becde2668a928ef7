"""Each face subset once: reportlab's 256-glyph pieces → one CID font per face.

reportlab embeds TrueType only as simple fonts of at most 256 glyphs, so a Chinese booklet
carries four "subsets" of its body face and its text switches fonts every few characters. This
stage (run with pikepdf on the file reportlab wrote) embeds each face once, as a
Type0/CIDFontType2 font with Identity-H encoding. It rewrites the text operators to two-byte
glyph ids and drops the font switches that have become redundant. The glyph outlines come from
reportlab's own subsetter, so nothing is re-parsed.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

import pikepdf
from pikepdf import Array, Dictionary, Name, String
from reportlab.pdfbase import pdfmetrics

from .register import FontSet

_BFCHAR = re.compile(rb"<([0-9A-Fa-f]{2})>\s*<([0-9A-Fa-f]{4,8})>")
_TEXT_OPS = {b"Tj", b"TJ", b"'", b'"'}


@dataclass(eq=False)  # hashed by identity: one object per face
class _Face:
    """One face of the booklet and everything its subsets drew."""

    reportlab_name: str
    postscript: str
    codepoints: set[int] = field(default_factory=set)
    new_name: Name | None = None
    gid: dict[int, int] = field(default_factory=dict)  # code point → glyph id in the merged font
    font_obj: object = None


def _tounicode(font: Dictionary) -> dict[int, int]:
    """Byte code → code point, from the subset's ToUnicode CMap."""
    data = font.ToUnicode.read_bytes()
    out = {}
    for code, uni in _BFCHAR.findall(data):
        units = bytes.fromhex(uni.decode()).decode("utf-16-be")
        if len(units) == 1:
            out[int(code, 16)] = ord(units)
    return out


def _tag(face: _Face) -> str:
    digest = hashlib.sha256(face.postscript.encode() + repr(sorted(face.codepoints)).encode()).digest()
    return "".join(chr(ord("A") + b % 26) for b in digest[:6])


def _owners(pdf: pikepdf.Pdf):
    """Every content owner (pages, and form XObjects inside them) with its resources.

    Resource dictionaries may be shared (reportlab gives all pages one), so callers convert
    every owner's content first and only then change the shared dictionaries.
    """
    seen_forms: set = set()

    def forms(res):
        for xobj in (res.get("/XObject") or {}).values():
            if xobj.get("/Subtype") == "/Form" and xobj.objgen not in seen_forms:
                seen_forms.add(xobj.objgen)
                if "/Resources" in xobj:
                    yield xobj, xobj.Resources
                    yield from forms(xobj.Resources)

    for page in pdf.pages:
        if "/Resources" in page.obj:
            yield page.obj, page.obj.Resources
            yield from forms(page.obj.Resources)


def merge_subsets(pdf: pikepdf.Pdf, fonts: FontSet) -> None:
    faces: dict[str, _Face] = {}
    for name in fonts.names.values():
        face = pdfmetrics.getFont(name).face
        ps = face.name.decode() if isinstance(face.name, bytes) else str(face.name)
        faces[ps] = _Face(name, ps)
    owners = list(_owners(pdf))

    # 1. The reportlab subsets, and which code points each face drew.
    subsets: dict[tuple, tuple[_Face, dict[int, int]]] = {}
    for _, res in owners:
        for font in (res.get("/Font") or {}).values():
            key = font.objgen
            if key in subsets or font.get("/Subtype") != "/TrueType":
                continue
            ps = str(font.BaseFont)[1:].split("+", 1)[-1]
            if ps not in faces or "/ToUnicode" not in font:
                continue  # not one of ours: leave it alone
            codes = _tounicode(font)
            faces[ps].codepoints |= set(codes.values())
            subsets[key] = (faces[ps], codes)
    if not subsets:
        return

    # 2. One font program per face, from reportlab's subsetter (the face is already parsed).
    for n, face in enumerate(f for f in faces.values() if f.codepoints):
        _embed(pdf, face, Name(f"/F{n + 1}"))  # short resource names: they recur in every text op

    # 3. Text in every content stream → two-byte glyph ids in the merged fonts.
    for owner, res in owners:
        names = {k: subsets[f.objgen] for k, f in (res.get("/Font") or {}).items() if f.objgen in subsets}
        if names:
            _rewrite(pdf, owner, names)

    # 4. Only now the (possibly shared) resource dictionaries; a shared one, once replaced,
    #    holds no subsets any more and is passed over when met again.
    for _, res in owners:
        old = res.get("/Font") or {}
        used = {subsets[f.objgen][0] for f in old.values() if f.objgen in subsets}
        if used:
            new_fonts = Dictionary({k: v for k, v in old.items() if v.objgen not in subsets})
            for face in faces.values():  # in a fixed order: the bytes must be reproducible
                if face in used:
                    new_fonts[face.new_name] = face.font_obj
            res.Font = new_fonts


def _embed(pdf: pikepdf.Pdf, face: _Face, resource: Name) -> None:
    ttf = pdfmetrics.getFont(face.reportlab_name).face
    chars = sorted(face.codepoints)
    program = ttf.makeSubset(chars)
    # makeSubset numbers glyphs in first-use order after .notdef; replay that to learn each gid.
    gids: dict[int, int] = {0: 0}
    for cp in chars:
        original = ttf.charToGlyph.get(cp, 0)
        gids.setdefault(original, len(gids))
        face.gid[cp] = gids[original]
    tag = _tag(face)
    base = Name(f"/{tag}+{face.postscript}")
    widths = sorted({face.gid[cp]: int(round(ttf.charWidths.get(cp, 1000))) for cp in chars}.items())
    w = Array()
    for gid, width in widths:
        if width != 1000:
            w.extend([gid, Array([width])])
    descriptor = Dictionary(
        Type=Name.FontDescriptor,
        FontName=base,
        Flags=4,
        FontBBox=Array([int(x) for x in ttf.bbox]),
        ItalicAngle=int(ttf.italicAngle),
        Ascent=int(ttf.ascent),
        Descent=int(ttf.descent),
        CapHeight=int(ttf.capHeight),
        StemV=int(ttf.stemV),
        FontFile2=pdf.make_stream(program, Length1=len(program)),
    )
    cid = pdf.make_indirect(Dictionary(
        Type=Name.Font,
        Subtype=Name.CIDFontType2,
        BaseFont=base,
        CIDSystemInfo=Dictionary(Registry=String("Adobe"), Ordering=String("Identity"), Supplement=0),
        FontDescriptor=pdf.make_indirect(descriptor),
        DW=1000,
        W=w,
        CIDToGIDMap=Name.Identity,
    ))
    face.font_obj = pdf.make_indirect(Dictionary(
        Type=Name.Font,
        Subtype=Name.Type0,
        BaseFont=base,
        Encoding=Name("/Identity-H"),
        DescendantFonts=Array([cid]),
        ToUnicode=pdf.make_stream(_cmap(face, tag)),
    ))
    face.new_name = resource


def _cmap(face: _Face, tag: str) -> bytes:
    pairs = sorted((gid, cp) for cp, gid in face.gid.items())
    lines = [
        "/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap",
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
        f"/CMapName /{tag}-UCS def", "/CMapType 2 def",
        "1 begincodespacerange", "<0000> <FFFF>", "endcodespacerange",
    ]
    for i in range(0, len(pairs), 100):
        chunk = pairs[i:i + 100]
        lines.append(f"{len(chunk)} beginbfchar")
        lines += [f"<{gid:04X}> <{chr(cp).encode('utf-16-be').hex().upper()}>" for gid, cp in chunk]
        lines.append("endbfchar")
    lines += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    return ("\n".join(lines) + "\n").encode("ascii")


def _tidy(ops: list) -> list:
    """Drop what moves to a line that never comes: T* right before ET, and TL (the leading)
    when nothing in the stream uses it any more (T*, ' and " are its only users)."""
    kept = [(ins, o) for i, (ins, o) in enumerate(ops)
            if not (o == b"T*" and i + 1 < len(ops) and ops[i + 1][1] == b"ET")]
    if not any(o in (b"T*", b"'", b'"') for _, o in kept):
        kept = [(ins, o) for ins, o in kept if o != b"TL"]
    return [ins for ins, _ in kept]


def _convert(data: bytes, face: _Face, codes: dict[int, int]) -> bytes:
    return b"".join(face.gid[codes[b]].to_bytes(2, "big") for b in data)


def _joined(before: pikepdf.ContentStreamInstruction, operands: list) -> Array:
    """The items of a Tj/TJ followed by those of another, adjacent strings run together."""
    items: list = []
    for part in (before.operands, operands):
        for x in (part[0] if isinstance(part[0], Array) else [part[0]]):
            if isinstance(x, String) and items and isinstance(items[-1], bytes):
                items[-1] += bytes(x)
            else:
                items.append(bytes(x) if isinstance(x, String) else x)
    return Array([String(x) if isinstance(x, bytes) else x for x in items])


def _rewrite(pdf: pikepdf.Pdf, owner, names: dict) -> None:
    """Map every string shown in a subset font; drop Tf/TL that no longer change anything.

    Operators are compared as bytes and untouched instructions are passed back as parsed:
    converting every pikepdf object to Python costs more than all the rest of this stage.
    """
    out: list = []  # (instruction, operator bytes)
    current = None  # (face, codes) of the font selected by the last Tf
    state: tuple = ()  # (font name, size) in force inside this BT block
    leading = None
    for ins in pikepdf.parse_content_stream(owner):
        o = ins.operator.unparse()
        if o == b"BT":
            state, leading = (), None
        elif o == b"Tf":
            operands = ins.operands
            font = names.get(str(operands[0]))
            current = font
            if font is not None:
                ins = pikepdf.ContentStreamInstruction([font[0].new_name, operands[1]], ins.operator)
            key = (str(ins.operands[0]), float(operands[1]))
            if key == state:
                continue  # after merging, the same face at the same size: nothing changes
            state = key
        elif o == b"TL":
            if leading == float(ins.operands[0]):
                continue
            leading = float(ins.operands[0])
        elif o in _TEXT_OPS and current is not None:
            face, codes = current
            operands = ins.operands
            if o == b"TJ":
                operands = [Array([String(_convert(bytes(x), face, codes)) if isinstance(x, String) else x
                                   for x in operands[0]])]
            else:
                operands = list(operands[:-1]) + [String(_convert(bytes(operands[-1]), face, codes))]
            if o == b"Tj" and out and out[-1][1] == b"Tj":
                joined = bytes(out[-1][0].operands[0]) + bytes(operands[0])
                out[-1] = (pikepdf.ContentStreamInstruction([String(joined)], ins.operator), o)
                continue
            if o in (b"Tj", b"TJ") and out and out[-1][1] in (b"Tj", b"TJ") and b"TJ" in (o, out[-1][1]):
                # A line set with kerning (TJ) that reportlab's subsets cut in two: one array again.
                out[-1] = (pikepdf.ContentStreamInstruction([_joined(out[-1][0], operands)], pikepdf.Operator("TJ")),
                           b"TJ")
                continue
            ins = pikepdf.ContentStreamInstruction(operands, ins.operator)
        out.append((ins, o))
    data = pikepdf.unparse_content_stream(_tidy(out))
    if isinstance(owner, pikepdf.Stream):  # a form XObject holds its own content
        owner.write(data)
    else:
        owner.Contents = pdf.make_stream(data)
