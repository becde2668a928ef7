"""Punctuation compression, trimmed line ends, no line of one character, the one-piece dash and
breaking in linear time: the pure functions of typeset/linebreak.py and what TextBlock draws."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from briefing.typeset import linebreak
from briefing.typeset.linebreak import (
    BLANK_LEFT,
    BLANK_RIGHT,
    DASH_OVERLAP,
    advances,
    break_lines,
    compressible,
    is_lone,
    movable,
    place,
    takeable,
)

EM = 10.0


def width(ch: str) -> float:
    """Full-width for Chinese and its marks (as the Noto CJK faces draw them), half for Latin."""
    return EM if ord(ch) > 0x2E80 or ch in "“”‘’…" else 0.89 * EM if ch == "—" else EM / 2


# clreq §3.1.6: two adjacent marks with a blank half between them give it up (1.5 em for two).
COMPRESSED_PAIRS = ["”，", "”。", "。”", "’”", "，“", "）（", "），", "）、", "》、", "、《", "（“", "（《",
                    "“（", "”）", "」。", "！”", "？”", "：“", "；“", "”；", "。）", "》）", "〕【"]
KEPT_PAIRS = ["“”", "（）", "《》", "“，", "字，", "，字", "——", "……", "…，"]


@pytest.mark.parametrize("pair", COMPRESSED_PAIRS)
def test_adjacent_marks_with_a_blank_between_take_one_and_a_half_em(pair):
    assert compressible(*pair)
    assert sum(advances(pair, width, EM)) == pytest.approx(1.5 * EM)


@pytest.mark.parametrize("pair", KEPT_PAIRS)
def test_other_pairs_keep_their_width(pair):
    assert not compressible(*pair)


def test_three_marks_in_a_row_take_two_ems():
    assert sum(advances("。”）", width, EM)) == pytest.approx(2 * EM)


def test_the_blank_halves_are_where_the_booklet_fonts_draw_no_ink():
    """Each mark's ink lies in the half the tables say is not blank, in all three faces."""
    from fontTools.pens.boundsPen import BoundsPen
    from fontTools.ttLib import TTFont

    from briefing.fonts.register import FACES, font_dir

    for name in FACES.values():
        font = TTFont(font_dir() / name)
        cmap, glyphs = font.getBestCmap(), font.getGlyphSet()
        for ch in BLANK_LEFT | BLANK_RIGHT:
            pen = BoundsPen(glyphs)
            glyphs[cmap[ord(ch)]].draw(pen)
            x0, _, x1, _ = pen.bounds
            assert font["hmtx"][cmap[ord(ch)]][0] == 1000, (name, ch)
            if ch in BLANK_LEFT:
                assert x0 >= 500, (name, ch, x0)
            else:
                assert x1 <= 500, (name, ch, x1)
        # The joined dash's constants: the em dash's ink, which two overlapping copies extend.
        pen = BoundsPen(glyphs)
        glyphs[cmap[ord("—")]].draw(pen)
        x0, _, x1, _ = pen.bounds
        left, right = 0.045, 0.85  # what place() assumes
        assert (right - x1 / 1000) - (left - x0 / 1000) < DASH_OVERLAP, (name, x0, x1)  # no gap between them


def test_compression_comes_before_a_line_is_judged_full():
    text = "一二三四五六七”，“八"  # 12 em set whole, 11 em compressed, 10.5 em with the end trimmed
    assert [l.text for l in break_lines(text, [10.5 * EM], width, EM, compress=True)] == [text]
    assert len(break_lines(text, [10.5 * EM], width, EM)) == 2  # measured as drawn by others


def test_an_opening_mark_at_a_line_start_loses_its_blank_left_half():
    [line] = break_lines("“引号”在前", [20 * EM], width, EM, compress=True)
    assert line.lead == EM / 2
    placed = place(line, width, EM, 20 * EM, justify=False)
    assert placed.glyphs[0].x == -EM / 2  # the quote's ink starts at the edge
    assert line.width == pytest.approx(6 * EM - EM / 2)  # the quote's blank half is not counted


def test_a_closing_mark_at_a_line_end_loses_its_trailing_half_and_meets_the_edge():
    lines = break_lines("一二三四五六七八九，十一二三四五六七八九十一二", [9.5 * EM], width, EM, compress=True)
    first = lines[0]
    assert first.text == "一二三四五六七八九，"  # 9.5 em with the comma's blank half trimmed
    placed = place(first, width, EM, 9.5 * EM, justify=True)
    assert placed.spacing == pytest.approx(0)
    assert placed.end == pytest.approx(9.5 * EM)  # the ink ends on the edge; only the blank lies past it


def test_a_justified_line_spreads_after_every_glyph_and_ends_on_the_measure():
    lines = break_lines("一年之计在于春，扬帆奋进正当时。" * 3, [12.3 * EM], width, EM, compress=True)
    for line in lines[:-1]:
        placed = place(line, width, EM, 12.3 * EM, justify=True)
        gaps = {round(b.x - a.x - width(a.char) + (EM / 2 if compressible(a.char, b.char) else 0), 6)
                for a, b in zip(placed.glyphs, placed.glyphs[1:])}
        assert len(gaps) == 1 and placed.end == pytest.approx(12.3 * EM)


def test_a_line_less_than_half_full_is_set_flush_left_not_spread():
    lines = break_lines("说完" + "1234567890" * 2 + "12", [12 * EM], width, EM, compress=True)
    assert [l.text for l in lines] == ["说完", "1234567890123456789012"]
    assert place(lines[0], width, EM, 12 * EM, justify=True).spacing == 0


def test_the_dash_is_two_ems_drawn_as_one_line():
    [line] = break_lines("甲——乙", [10 * EM], width, EM, compress=True)
    assert line.width == pytest.approx(4 * EM)  # two full ems for the dash, whatever its glyph's advance
    placed = place(line, width, EM, 10 * EM, justify=False)
    first, second = placed.glyphs[1:3]
    assert first.char == second.char == "—" and first.scale == second.scale > 1
    left, right = 0.045, 0.85  # the em dash's ink, in em (checked against the fonts above)
    ink = (first.x + left * first.scale * EM, second.x + right * second.scale * EM)
    assert second.x + left * second.scale * EM < first.x + right * first.scale * EM  # they overlap: one line
    assert ink[0] == pytest.approx(EM + left * EM) and ink[1] == pytest.approx(3 * EM - left * EM)
    assert placed.glyphs[3].x == pytest.approx(3 * EM)


@pytest.mark.parametrize("text", ["义", "义。", "“率”", "重）", " 成 "])
def test_lone_lines_are_one_character_and_its_marks(text):
    assert is_lone(text)


@pytest.mark.parametrize("text", ["", "义务", "5G", "A", "。", "——", "10%"])
def test_other_lines_are_not_lone(text):
    assert not is_lone(text)


def test_the_last_character_is_never_left_alone():
    text = "刚刚过去的一年全区上下主义。"
    for measure in range(4, 14):
        lines = [l.text for l in break_lines(text, [measure * EM], width, EM, compress=True)]
        assert not any(is_lone(l) for l in lines), (measure, lines)
        assert "".join(lines) == text


def test_a_word_too_long_for_its_line_starts_on_the_line_before():
    lines = break_lines("说" + "12345678901234567890" * 2, [10 * EM], width, EM, compress=True)
    assert lines[0].text.startswith("说1") and not is_lone(lines[0].text)


TEXT = st.lists(st.sampled_from(list("一二三四五六七八九十百千万亿年月日人家个率重") + list("，。、；：？！“”‘’（）《》")
                               + ["——", "……", "12.5", "GDP", "亿元", " ", "abc" * 7]), min_size=2, max_size=60).map("".join)


@settings(max_examples=500, deadline=None)
@given(TEXT, st.floats(min_value=2, max_value=40))
def test_a_line_of_one_character_only_where_no_second_fits(text, ems):
    """The breaker's guarantee, which verify's lone-line check holds every booklet to: a line is
    left with one character only where the neighbouring line cannot spare one (it keeps fewer
    than two characters besides punctuation) or the two pieces do not fit the measure."""
    measure = ems * EM
    lines = break_lines(text, [measure], width, EM, compress=True)
    # An upper bound of its set width: compression only narrows marks, but "——" is set at two
    # full ems, wider than its two glyphs' own advances.
    # The spaces between the two pieces count: only a line's leading spaces are dropped.
    full = lambda s, e: sum(EM if c == "—" else width(c) for c in text[s:e])  # noqa: E731
    for n, line in enumerate(lines):
        if len(lines) < 2 or not is_lone(line.text):
            continue
        if n:
            i = movable(lines[n - 1].text)
            assert i is None or full(lines[n - 1].start + i, line.end) > measure, [l.text for l in lines]
        else:
            j = takeable(lines[1].text)
            assert j is None or full(line.start, lines[1].start + j) > measure, [l.text for l in lines]
    assert "".join(l.text for l in lines).replace(" ", "") == text.replace(" ", "")
    assert all(l.width <= measure + 1e-6 or len(l.text) == 1 for l in lines)


def test_breaking_is_linear_in_the_length_of_the_text(monkeypatch):
    """Counted, not timed: the work per character stays the same from 10,000 to 100,000."""
    calls = {"n": 0}
    real = linebreak.can_break_before

    def counted(text, i):
        calls["n"] += 1
        return real(text, i)

    monkeypatch.setattr(linebreak, "can_break_before", counted)
    per_char = []
    for n in (10_000, 100_000):
        calls["n"] = 0
        text = ("一年之计在于春，扬帆奋进正当时。" * (n // 16 + 1))[:n]
        widths = {"n": 0}

        def measured(ch):
            widths["n"] += 1
            return width(ch)

        lines = break_lines(text, [38 * EM], measured, EM, compress=True)
        assert "".join(l.text for l in lines) == text
        per_char.append((calls["n"] + widths["n"]) / n)
    assert per_char[1] <= per_char[0] * 1.05 and per_char[1] < 12


@pytest.mark.parametrize("text,at", [("大 ’”UGg", 2), ("外。，“ 11856亿元", 4), ("（ 注", 2)])
def test_a_space_next_to_a_mark_is_no_place_to_break(text, at):
    assert not linebreak.can_break_before(text, at) and not linebreak.can_cut_before(text, at)


# -- "（一）　title": one em between the ordinal and its title ----------------------------------


def test_a_closing_bracket_before_an_ideographic_space_gives_up_its_blank_half():
    assert compressible("）", "\u3000") and compressible("】", "\u3000")
    assert not compressible("，", "\u3000") and not compressible("字", "\u3000")
    adv = advances("（一）\u3000题", width, EM)
    assert adv[2] == pytest.approx(EM / 2)  # ） advances half an em: its ink, no blank after it
    assert adv[3] == pytest.approx(EM)  # and the space is one em


def test_the_gap_after_a_bracketed_ordinal_is_one_em_wherever_it_is_set(tmp_path):
    """tests/data/widow.yaml numbers its answers and paths （一）, （二）: the glance titles,
    the contents, the running heads and the checklist's continuation line set
    "（一）　title". In the built PDF (glyph positions, read by the content walker) the title
    starts one em after the bracket's ink (its left half), not 1.5 em; the text is the data's."""
    from statistics import median

    from pypdf import PdfReader

    from briefing.check.content import walk
    from briefing.commands.build import build

    from .conftest import ROOT

    gaps, texts = [], set()
    for paper in ("a4", "a5"):
        pdf = build(ROOT / "tests" / "data" / "widow.yaml", tmp_path / f"w-{paper}.pdf", paper=paper).output
        for content in walk(PdfReader(pdf)):
            for r in content.runs:
                i = r.text.find("）\u3000")
                if i < 0 or len(r.advances) != len(r.text) or i + 2 >= len(r.text):
                    continue
                plain = [r.advances[j + 1] - r.advances[j] - r.widths[j] for j in range(len(r.text) - 1)
                         if not (set(r.text[j:j + 2]) & set("（）\u3000"))]
                spacing = median(plain) if plain else 0.0  # a justified line's space after every glyph
                ink_end = r.advances[i] + r.size / 2
                gaps.append((r.advances[i + 2] - ink_end - 2 * spacing) / r.size)
                texts.add(r.text[max(0, i - 2):])
    assert len(gaps) >= 10, gaps
    assert all(g == pytest.approx(1.0, abs=0.02) for g in gaps), gaps
    for want in ("（一）\u3000示例经济", "（二）\u3000以成绩列表结束的答卷", "（一）\u3000示例增长"):
        assert any(t.startswith(want) for t in texts), (want, texts)
