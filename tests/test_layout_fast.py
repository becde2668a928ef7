"""The layout's fast paths give exactly what the general ones give: glyphs placed by summing,
widths looked up in a face's table, a placed line's kept hash."""

from __future__ import annotations

import pickle

import pytest
from reportlab.pdfbase import pdfmetrics

from briefing.fonts.register import SIZES_KEPT, char_width
from briefing.typeset.linebreak import (
    DASH_OVERLAP,
    Glyph,
    PlacedLine,
    _advances,
    _placed_with_dashes,
    break_lines,
    dash_pairs,
    halved_at,
    place,
    tail_trim,
)
from briefing.typeset.styles import TextStyle
from briefing.typeset.text import draw_line, line_width

TEXTS = [
    "3月20日，2023年雁峰区两会时间在百花争艳的春天正式开启，肩负庄严使命的代表委员齐聚一堂，共商发展大计。",
    "“一核四新”现代化新雁峰（2023年）。《政府工作报告》提出：GDP增长6.5%，121.39亿元……",
    "（一）　坚持稳中求进，“十四五”规划）」，。开局良好！",
    "  Leading spaces, then words: ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 and 5G.",
]


@pytest.mark.parametrize("text", TEXTS)
@pytest.mark.parametrize("width, justify, trim", [(300.0, True, True), (160.0, False, True), (200.0, True, False)])
def test_a_line_without_a_dash_is_placed_as_the_glyph_by_glyph_loop_places_it(fonts, text, width, justify, trim):
    """``place`` sums a dashless line's advances with ``accumulate``; the loop it replaced (kept
    for lines with "——") must give every glyph the same place, bit for bit."""
    measure = char_width(fonts.serif, 11)
    for line in break_lines(text, [width], measure, 11, 22.0, compress=True, trim=trim):
        got = place(line, measure, 11, width, justify)
        assert not dash_pairs(line.text)
        adv = _advances(line.text, measure, 11, [], halved_at(line.text))
        halves = [i in set(halved_at(line.text)) for i in range(len(line.text))]
        glyphs, x = _placed_with_dashes(line.text, adv, halves, set(), 11, got.spacing, -line.lead, (0.045, 0.85))
        assert got.glyphs == glyphs
        assert all(type(g) is Glyph for g in got.glyphs)
        trimmed = tail_trim(line.text, len(line.text), adv, measure) if line.trim else 0.0
        assert got == PlacedLine(glyphs, x - got.spacing - trimmed, got.spacing)


def test_a_line_with_a_dash_still_joins_it(fonts):
    measure = char_width(fonts.serif, 11)
    line = break_lines("前——后", [300.0], measure, 11, compress=True)[0]
    got = place(line, measure, 11, 300.0, False)
    dashes = [g for g in got.glyphs if g.char == "—"]
    assert len(dashes) == 2 and dashes[0].scale == dashes[1].scale > 1
    assert dashes[1].x - dashes[0].x == pytest.approx((0.85 - 0.045 - DASH_OVERLAP) * dashes[0].scale * 11)


@pytest.mark.parametrize("size", [8.5, 9, 11, 13.2, 19.0 * 0.8])
def test_a_face_s_table_gives_the_widths_its_advances_make(fonts, size):
    for name in fonts.names.values():
        face = pdfmetrics.getFont(name).face
        width = char_width(name, size)
        text = "中文，。“”（）ABCxyz 0123—…\u3000" + "".join(chr(c) for c in list(face.charWidths)[::997])
        expected = [0.001 * size * face.charWidths.get(ord(ch), face.defaultWidth) for ch in text]
        assert [width(ch) for ch in text] == expected
        assert width.run(text) == expected
        assert char_width(name, size) is width  # kept on the face's font object


def test_a_face_keeps_tables_for_a_bounded_number_of_sizes(fonts):
    first = char_width(fonts.sans, 7.25)
    for n in range(SIZES_KEPT):
        char_width(fonts.sans, 100.0 + n)
    assert char_width(fonts.sans, 7.25) is not first  # dropped, made again
    assert len(pdfmetrics.getFont(fonts.sans).__dict__["_widths_at"]) <= SIZES_KEPT


def test_a_width_asked_of_anything_but_one_character_fails_as_it_did(fonts):
    with pytest.raises(TypeError):
        char_width(fonts.serif, 11)("ab")


def test_a_placed_line_keeps_the_hash_a_dataclass_gives_and_never_pickles_it(fonts):
    measure = char_width(fonts.serif, 11)
    line = break_lines(TEXTS[1], [400.0], measure, 11, compress=True)[0]
    placed = place(line, measure, 11, 400.0, True)
    assert hash(placed) == hash((placed.glyphs, placed.end, placed.spacing)) == hash(placed)
    again = pickle.loads(pickle.dumps(placed))
    assert "_hash" not in again.__dict__ and again == placed and hash(again) == hash(placed)


def test_draw_line_gives_the_width_line_width_gives(fonts):
    from io import BytesIO

    from briefing.fonts.cid import CIDCanvas

    style = TextStyle(fonts.sans, 9.5, 14)
    canv = CIDCanvas(BytesIO())
    for text in ("%", "万元", "（二）　”", "≥"):
        assert draw_line(canv, text, style, 0, 0) == line_width(text, style)
