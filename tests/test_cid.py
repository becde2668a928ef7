"""The CID fonts reportlab writes (fonts/cid.py): each face once, subset to the glyphs drawn,
with widths, glyph map and ToUnicode that agree with the embedded font program."""

from __future__ import annotations

import io
import re
import shutil
import subprocess

import pikepdf
import pytest
from fontTools.ttLib import TTFont as FontFile
from pypdf import PdfReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from briefing.fonts.cid import CIDCanvas, CIDFont, glyph_ids, widths
from briefing.typeset.linebreak import FULL_WIDTH_MARKS

_BFCHAR = re.compile(rb"<([0-9A-F]{4})> <([0-9A-F]+)>")


def to_unicode(font) -> dict[int, str]:
    cmap = font.ToUnicode.read_bytes()
    blocks = re.findall(rb"beginbfchar(.*?)endbfchar", cmap, re.S)
    return {int(cid, 16): bytes.fromhex(u.decode()).decode("utf-16-be")
            for block in blocks for cid, u in _BFCHAR.findall(block)}


def w_array(cidfont) -> dict[int, float]:
    """CID → width from a ``W`` array, both of its forms (``c [w …]`` and ``c1 c2 w``)."""
    out, items, i = {}, list(cidfont.get("/W", [])), 0
    while i < len(items):
        if isinstance(items[i + 1], pikepdf.Array):
            for k, w in enumerate(items[i + 1]):
                out[int(items[i]) + k] = float(w)
            i += 2
        else:
            for c in range(int(items[i]), int(items[i + 1]) + 1):
                out[c] = float(items[i + 2])
            i += 3
    return out


def cid_to_gid(cidfont, n: int) -> list[int]:
    m = cidfont.CIDToGIDMap
    if m == "/Identity":
        return list(range(n))
    data = m.read_bytes()
    return [int.from_bytes(data[i:i + 2], "big") for i in range(0, len(data), 2)]


def shown_cids(pdf) -> dict[str, set[int]]:
    """Font resource name → every CID the pages show in it."""
    out: dict[str, set[int]] = {}
    for page in pdf.pages:
        font = None
        for operands, op in pikepdf.parse_content_stream(page):
            if str(op) == "Tf":
                font = str(operands[0])
            elif str(op) in ("Tj", "TJ"):
                strings = operands[0] if str(op) == "TJ" else operands
                for s in strings:
                    if isinstance(s, pikepdf.String):
                        b = bytes(s)
                        out.setdefault(font, set()).update(int.from_bytes(b[i:i + 2], "big")
                                                           for i in range(0, len(b), 2))
    return out


def outline(font: FontFile, glyph: str):
    table = font["glyf"]
    coords, ends, flags = table[glyph].getCoordinates(table)
    return list(coords), list(ends), list(flags)


def test_each_font_agrees_with_its_program_and_holds_only_the_glyphs_drawn(booklet, fonts):
    by_face = {}
    for face_key, name in fonts.names.items():
        face = pdfmetrics.getFont(name).face
        by_face[face.name.decode()] = (face, FontFile(str(fonts.path(face_key)), lazy=True))
    with pikepdf.open(booklet.output) as pdf:
        resources = dict(pdf.pages[4].Resources.Font.items())
        shown = shown_cids(pdf)
        assert set(shown) == set(resources)
        halves = set()
        for name, font in resources.items():
            cidfont = font.DescendantFonts[0]
            desc = cidfont.FontDescriptor
            face, original = by_face[str(font.BaseFont).split("+")[1]]
            original_cmap = original.getBestCmap()
            program = FontFile(io.BytesIO(desc.FontFile2.read_bytes()))
            assert desc.FontFile2.Length1 == len(desc.FontFile2.read_bytes())
            assert "/CIDSet" not in desc  # PDF/A-2 asks for none; an incomplete one is an error
            assert cidfont.CIDSystemInfo.Ordering == "Identity" and cidfont.CIDSystemInfo.Registry == "Adobe"
            chars = to_unicode(font)
            assert set(chars) == shown[name]  # exactly the glyphs drawn: none missing, none extra
            upem = program["head"].unitsPerEm
            gids = cid_to_gid(cidfont, max(chars) + 1)
            w, dw = w_array(cidfont), float(cidfont.get("/DW", 1000))
            for cid, ch in chars.items():
                glyph = program.getGlyphName(gids[cid])
                # the glyph the character has in the font file
                assert outline(program, glyph) == outline(original, original_cmap[ord(ch)]), (name, cid, ch)
                advance = program["hmtx"][glyph][0] * 1000 / upem
                assert abs(w.get(cid, dw) - advance) < 0.5, (name, cid, ch)  # W = the glyph's width
                measured = round(face.charWidths[ord(ch)])  # what the layout measured
                if w.get(cid, dw) == measured:
                    continue
                # else the half-width copy the first mark of a compressed pair is drawn with
                assert ch in FULL_WIDTH_MARKS and w.get(cid, dw) == measured / 2, (name, cid, ch)
                halves.add(ch)
            # As many glyphs as characters drawn, plus .notdef (and parts of composite glyphs).
            assert len(set(gids[c] for c in chars)) + 1 <= program["maxp"].numGlyphs < len(chars) + 20
        assert {"”", "，", "。"} <= halves  # the booklet's compressed pairs (”， ”。 。”) draw them


def _draw(path, font_name: str, lines: list[str], canvasmaker=CIDCanvas) -> None:
    c = canvasmaker(str(path), pagesize=(300, 200), pageCompression=0, initialFontName=font_name)
    y = 170
    for line in lines:
        c.setFont(font_name, 14)
        c.drawString(10, y, line)
        y -= 24
    t = c.beginText(10, y)
    t.setFont(font_name, 12, 16)
    t.textLines(lines[:2])  # line moves that need the leading
    c.drawText(t)
    c.showPage()
    c.save()


SHARED = ["…⋯ ①➀", "\u3000全角\u2003空格", "a\xa0b (1) \\ 100%"]  # pairs that share a glyph, escapes


def test_characters_sharing_a_glyph_copy_as_typed_and_draw_as_reportlab_does(fonts, tmp_path):
    ours = pdfmetrics.getFont(fonts.serif)
    assert isinstance(ours, CIDFont)
    plain = TTFont.__new__(TTFont)
    plain.__dict__.update(ours.__dict__, fontName="PlainSerif", state={})
    pdfmetrics._fonts["PlainSerif"] = plain
    try:
        _draw(tmp_path / "cid.pdf", fonts.serif, SHARED)
        _draw(tmp_path / "plain.pdf", "PlainSerif", SHARED, Canvas)
    finally:
        del pdfmetrics._fonts["PlainSerif"]
    text = PdfReader(tmp_path / "cid.pdf").pages[0].extract_text()
    for line in SHARED:
        assert line.replace("\xa0", " ") in text  # a no-break space copies as a space, as in reportlab
    with pikepdf.open(tmp_path / "cid.pdf") as pdf:
        (font,) = pdf.pages[0].Resources.Font.values()
        cidfont = font.DescendantFonts[0]
        assert isinstance(cidfont.CIDToGIDMap, pikepdf.Stream)  # CIDs of a shared glyph → one glyph id
    if shutil.which("pdftoppm"):
        from PIL import Image, ImageChops

        for name in ("cid", "plain"):
            subprocess.run(["pdftoppm", "-r", "100", "-gray", "-singlefile", str(tmp_path / f"{name}.pdf"),
                            str(tmp_path / name)], check=True)
        a, b = (Image.open(tmp_path / f"{n}.pgm") for n in ("cid", "plain"))
        assert a.getextrema() != (255, 255) and ImageChops.difference(a, b).getbbox() is None


def test_text_objects_set_the_leading_only_for_line_moves(fonts, tmp_path):
    _draw(tmp_path / "t.pdf", fonts.serif, ["一行", "二行"])
    with pikepdf.open(tmp_path / "t.pdf") as pdf:
        ops = [(str(op), list(operands)) for operands, op in pikepdf.parse_content_stream(pdf.pages[0])]
    names = [op for op, _ in ops]
    # drawString: BT Tm Tf Tj ET, with no leading and no line move after the text.
    first = names[names.index("BT"):names.index("ET") + 1]
    assert first == ["BT", "Tm", "Tf", "Tj", "ET"]
    # textLines: the leading is set once, before the first line move that uses it.
    last = names[len(names) - 1 - names[::-1].index("BT"):]
    assert last == ["BT", "Tm", "Tf", "Tj", "TL", "T*", "Tj", "ET"]
    assert [float(v[0]) for op, v in ops if op == "TL"] == [16.0]


def test_glyph_ids_follow_reportlabs_subset_order():
    char_to_glyph = {ord("a"): 7, ord("b"): 3, ord("c"): 7, ord("d"): 9}
    assert glyph_ids([ord(c) for c in "abcd"], char_to_glyph) == [0, 1, 2, 1, 3]


def test_widths_leave_out_the_default_and_group_runs():
    assert widths([1000, 500, 500, 1000, 250, 999.6]) == [2, [500, 500], 5, [250]]
    assert widths([600, 1000, 600]) == [1, [600], 3, [600]]


def test_the_same_glyphs_drawn_again_reuse_their_subset_and_others_do_not(fonts, tmp_path):
    """A process that builds again (watch) embeds the subset it made last time for the same
    glyphs, in the same order: the same font as making it again. Other glyphs: a new subset."""
    import briefing.fonts.cid as cid

    font = pdfmetrics.getFont(fonts.serif)
    font.__dict__.pop("_subsets", None)  # what earlier tests left
    made = []
    real = cid.subset

    def counted(*args):
        made.append(args[1])
        return real(*args)

    cid.subset = counted
    try:
        texts = ["温故知新，扬帆奋进。", "温故知新，扬帆奋进。", "另一段不同的文字。"]
        for n, text in enumerate(texts):
            _draw(tmp_path / f"{n}.pdf", fonts.serif, [text])
    finally:
        cid.subset = real
    assert made == [list(map(ord, dict.fromkeys(texts[0]))), list(map(ord, dict.fromkeys(texts[2])))]
    programs = []
    for n in range(3):
        with pikepdf.open(tmp_path / f"{n}.pdf") as pdf:
            (f,) = pdf.pages[0].Resources.Font.values()
            programs.append(f.DescendantFonts[0].FontDescriptor.FontFile2.read_bytes())
    assert programs[0] == programs[1] != programs[2]
    assert programs[0] == real(font.face, made[0]).program  # the memo's is what making it gives
    assert len(font._subsets) <= cid.SUBSETS_KEPT
