"""The faster font parser (fonts/parse.py) gives reportlab's own maps, exactly."""

from __future__ import annotations

import io

import pytest
from reportlab.pdfbase.ttfonts import TTFError, TTFontFace

from briefing.fonts.parse import read_face
from briefing.fonts.register import FACES, font_dir

SKIP = {"_ttf_data", "_pdfScale", "filename", "glyphToChar", "_pos",
        "hmetrics", "glyphPos", "_hmetrics", "_glyphPos"}  # read when asked for: compared one by one


@pytest.mark.parametrize("face", list(FACES))
def test_same_maps_and_metrics_as_reportlabs_parser(face):
    data = (font_dir() / FACES[face]).read_bytes()
    theirs = TTFontFace(io.BytesIO(data))
    ours = read_face(data, "x.ttf")
    assert "_hmetrics" not in vars(ours) and "_glyphPos" not in vars(ours)  # only the subsetter reads them
    assert ours.charToGlyph == theirs.charToGlyph and len(ours.charToGlyph) > 30000
    assert ours.charWidths == theirs.charWidths
    assert list(ours.hmetrics) == theirs.hmetrics and ours.hmetrics[-1] == theirs.hmetrics[-1]
    assert ours.glyphPos == theirs.glyphPos
    mine = {k: v for k, v in vars(ours).items() if k not in SKIP}
    assert mine == {k: v for k, v in vars(theirs).items() if k not in SKIP}
    inverse: dict[int, list[int]] = {}
    for char, glyph in ours.charToGlyph.items():
        inverse.setdefault(glyph, []).append(char)
    assert {g: sorted(c) for g, c in inverse.items()} == {g: sorted(c) for g, c in theirs.glyphToChar.items()}


def test_format_4_map_like_reportlabs(tmp_path):
    """The Noto faces use cmap format 12; a face with only format 4 must read the same too."""
    from fontTools.ttLib import TTFont

    font = TTFont(str(font_dir() / FACES["sans"]))
    cmap = font["cmap"]
    cmap.tables = [t for t in cmap.tables if t.format == 4 and t.platformID == 3]
    path = tmp_path / "fmt4.ttf"
    font.save(str(path))
    data = path.read_bytes()
    theirs = TTFontFace(io.BytesIO(data))
    ours = read_face(data, str(path))
    assert ours.charToGlyph == theirs.charToGlyph and len(ours.charToGlyph) > 20000
    assert ours.charWidths == theirs.charWidths


def test_a_damaged_font_is_a_font_error():
    data = (font_dir() / FACES["sans"]).read_bytes()[:4000]
    with pytest.raises(TTFError):
        read_face(data, "cut.ttf")
