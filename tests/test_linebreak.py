"""clreq line breaking: the rules reportlab's CJK wrap gets wrong, tested on the pure breaker."""

import pytest

from briefing.typeset.linebreak import (
    NO_END,
    NO_START,
    break_lines,
    can_break_before,
    clusters,
    compressible,
    violations,
)

EM = 10.0


def width(ch: str) -> float:
    return EM if ord(ch) > 0x2E80 or ch in "“”‘’…—" else EM / 2


def lines_of(text: str, chars_per_line: float) -> list[str]:
    return [l.text for l in break_lines(text, [chars_per_line * EM], width, EM)]


# The marks the issue names as missed by reportlab, and the rest of clreq's list.
CLOSING = "，。、；：？！）》」』”’…"
OPENING = "“‘（《「『"


@pytest.mark.parametrize("mark", list(CLOSING))
def test_closing_mark_never_starts_a_line(mark):
    # Put the mark exactly where a naive wrap would move it to the next line, at every offset.
    for n in range(3, 12):
        text = "字" * n + mark + "后面还有一些文字" * 3
        for measure in (4, 5, 6, 7, 8, 9):
            lines = lines_of(text, measure)
            assert all(not l or l[0] not in CLOSING for l in lines[1:]), (mark, n, measure, lines)


@pytest.mark.parametrize("mark", list(OPENING))
def test_opening_mark_never_ends_a_line(mark):
    for n in range(2, 12):
        text = "字" * n + mark + "引号里的文字" + "字" * 10
        for measure in (4, 5, 6, 7, 8, 9):
            lines = lines_of(text, measure)
            assert all(not l or l[-1] not in OPENING for l in lines[:-1]), (mark, n, measure, lines)


def test_every_listed_mark_is_in_the_rule_sets():
    assert set(CLOSING) <= NO_START
    assert set(OPENING) <= NO_END


def test_number_and_unit_stay_together():
    text = "全区固定资产投资增长10.1%；完成规模工业总产值121.39亿元；新增城镇就业2496人"
    for measure in range(6, 20):
        joined = lines_of(text, measure)
        for piece in ("10.1%", "121.39亿元", "2496人"):
            assert any(piece in l for l in joined), (measure, joined)


def test_ellipsis_and_dash_pairs_never_split():
    assert not can_break_before("建设……力争", 3)
    assert not can_break_before("——写在", 1)


def test_latin_words_are_not_cut_but_may_break_around():
    assert "5G" in clusters("南岳电控5G仓储")  # the Latin word stays whole
    assert not can_break_before("5G", 1)
    assert not can_break_before("GDP", 1)
    assert can_break_before("占GDP", 1)


def test_a_word_longer_than_the_line_is_cut_rather_than_overflowing():
    lines = break_lines("x" * 40, [10 * EM], width, EM)
    assert all(l.width <= 10 * EM for l in lines)
    assert "".join(l.text for l in lines) == "x" * 40


def test_hanging_punctuation_stays_within_half_an_em():
    for measure in range(5, 15):
        for l in break_lines("这一年，全区固定资产投资增长，完成规模工业总产值。" * 3, [measure * EM], width, EM):
            assert l.width <= measure * EM + EM / 2 + 1e-6


def test_last_line_is_marked_and_text_is_preserved():
    text = "一年之计在于春，扬帆奋进正当时。" * 5
    lines = break_lines(text, [12 * EM], width, EM, first_indent=2 * EM)
    assert [l.last for l in lines] == [False] * (len(lines) - 1) + [True]
    assert "".join(l.text for l in lines) == text
    assert lines[0].width <= 10 * EM + EM / 2


def test_violations_reports_bad_lines_only():
    assert violations(["第一行", "，第二行"]) == ["line starts with '，': ，第二行"]
    assert violations(["结尾是“", "下一行"]) == ["line ends with '“': 结尾是“"]
    assert violations(["——写在两会召开之际"]) == []


def test_justified_spacing_never_leaks_into_the_last_line(fonts, tmp_path):
    """Tc outlives a line in PDF: the last line must be set back to 0, not spread like the one
    above it (it once was, by 0.26 pt a character, on every justified paragraph)."""
    import pikepdf
    from reportlab.pdfgen.canvas import Canvas

    from briefing.typeset.styles import styles_for
    from briefing.typeset.text import TextBlock

    style = styles_for("a4", fonts).body
    block = TextBlock("一年之计在于春，雁峰区以实干笃定前行，奋力书写高质量发展新答卷。" * 3 + "完。", style)
    canvas = Canvas(str(tmp_path / "t.pdf"), pageCompression=0)
    _, height = block.wrap(300, 1000)
    block.drawOn(canvas, 50, 800 - height)
    canvas.showPage()
    canvas.save()
    spacing, drawn = 0.0, []
    with pikepdf.open(tmp_path / "t.pdf") as pdf:
        for ins in pikepdf.parse_content_stream(pdf.pages[0].obj):
            if str(ins.operator) == "Tc":
                spacing = float(ins.operands[0])
            elif str(ins.operator) in ("Tj", "TJ"):
                drawn.append(spacing)
    lines = block.lines(300)
    assert len(drawn) == len(lines) >= 3
    assert all(s != 0 for s in drawn[:-1])  # justified: spread or squeezed to the measure
    assert drawn[-1] == 0


def test_no_glyph_box_of_a_compressed_pair_overlaps_the_next(fonts, tmp_path):
    """The first mark of a compressed pair is drawn with a half-width copy of its glyph, not
    kerned back over: with the boxes overlapping by half an em, pdftotext put the "。" of a
    last line ending in ”。 on a line of its own (a yanfeng draft, A5)."""
    import shutil
    import subprocess

    from briefing.check.content import Walker
    from briefing.fonts.cid import CIDCanvas
    from briefing.typeset.styles import styles_for
    from briefing.typeset.text import TextBlock
    from pypdf import PdfReader

    style = styles_for("a5", fonts).body
    text = "争当衡阳加快推进区域中心化进程的“领头雁”。（“首位度”）、《规划》，“‘领头雁’”。"
    path = tmp_path / "t.pdf"
    canvas = CIDCanvas(str(path), pageCompression=0)
    y = 800
    for width in range(120, 330, 7):  # the pairs at every place in a line, at ends too
        block = TextBlock(text, style)
        _, height = block.wrap(width, 1000)
        if y - height < 40:
            canvas.showPage()
            y = 800
        block.drawOn(canvas, 50, y - height)
        y -= height + 10
    canvas.showPage()
    canvas.save()
    pairs = 0
    for page in Walker(PdfReader(path)).pages():
        for run in page.runs:
            glyphs = list(zip(run.text, run.advances, run.widths))
            for (a, xa, wa), (b, xb, _) in zip(glyphs, glyphs[1:]):
                if compressible(a, b):
                    pairs += 1
                    assert xa + wa <= xb + 0.01, (a, b, xa, wa, xb)
    assert pairs > 100
    if shutil.which("pdftotext"):
        out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
        assert not [line for line in out.splitlines() if line and line[0] in "，。、；：？！）》」』”’…"]


def _spans_by_every_break(b, a, z, n0):
    """The greedy filling as first written: every place a line may end is tried in turn (the
    reference ``linebreak._spans``, which bisects, must agree with)."""
    from briefing.typeset.linebreak import _cut, next_start

    text = b.text
    cands = [i for i in range(a + 1, z) if b.can_break(text, i)] + [z]
    spans, s, j = [], a, 0
    while True:
        n = n0 + len(spans)
        while j < len(cands) and cands[j] <= s:
            j += 1
        best = None
        while j < len(cands) and b.fit(s, cands[j], n):
            best = cands[j]
            j += 1
        if best is not None and j < len(cands) and b.width(best, cands[j]) > b.measure(n + 1):
            best = _cut(b, s, best, cands[j], n)
        if best is None:
            best = _cut(b, s, s, cands[j] if j < len(cands) else z, n)
        spans.append([s, best])
        s = next_start(text, best, z)
        if s >= z:
            return spans


_PIECES = "发展经济一二三四五十百千万亿元人口，。、；：？！（）《》“”……——·%.5G 2023年\n  ABCDEfgh12345"


def _uneven(ch: str) -> float:
    """Widths that are not all one em or half: compressed pairs and trims land on odd sums."""
    return {"（": 9.3, "）": 9.3, "“": 8.1, "”": 8.1, " ": 2.7, "A": 6.4, "f": 3.3}.get(ch, width(ch))


def test_bisecting_for_the_line_end_gives_the_lines_trying_every_break_gives(monkeypatch):
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from briefing.typeset import linebreak

    @settings(max_examples=600, deadline=None, derandomize=True, database=None)
    @given(st.text(alphabet=_PIECES, max_size=160), st.lists(st.floats(1.5, 40.0), min_size=1, max_size=3),
           st.booleans(), st.booleans(), st.floats(0.0, 3.0), st.sampled_from([width, _uneven]))
    def same(text, measures, compress, trim, indent, measure):
        args = (text, [m * EM for m in measures], measure, EM, indent * EM, None, compress, trim)
        got = break_lines(*args)
        with monkeypatch.context() as m:
            m.setattr(linebreak, "_spans", _spans_by_every_break)
            assert got == break_lines(*args)

    same()


def test_a_paragraph_drawn_where_it_stands_puts_every_glyph_where_a_shifted_one_did(fonts, tmp_path):
    """``TextBlock`` draws without a graphics state of its own (no q, cm, Q): each glyph at
    the place, size and color reportlab's translated drawing gave it, and nothing it sets
    (color, character spacing, scale) reaches text drawn after it in the booklet's faces.
    (reportlab sets a standard font such as Helvetica once, with ``setFont``, not in each
    text object: text in one after a paragraph would take the paragraph's font. The booklet
    never uses one: verification refuses a font that is not embedded.)"""
    from reportlab.pdfgen.canvas import Canvas
    from reportlab.platypus import Flowable
    from pypdf import PdfReader

    from briefing.check.content import Walker
    from briefing.typeset.styles import styles_for
    from briefing.typeset.text import TextBlock

    styles = styles_for("a4", fonts)
    texts = [("一年之计在于春，雁峰区以实干笃定前行，奋力书写高质量发展新答卷。" * 2 + "完。", styles.body),
             ("（一）　实施“强工兴产”行动——目标：2,496人", styles.cell.but(color="#5F5F5F")),
             ("居中的标题\n第二行", styles.body.but(align="center"))]

    def drawn(draw_on, name):
        canvas = Canvas(str(tmp_path / name), pageCompression=0)
        y = 800
        for text, style in texts:
            block = TextBlock(text, style)
            _, height = block.wrap(300, 1000)
            y -= height + 10
            draw_on(block, canvas, 60, y)
            canvas.setFont(style.font, 9)
            canvas.drawString(60, y - 8, "之后 after")  # reportlab's own text, in its own state
        canvas.showPage()
        canvas.save()
        reader = PdfReader(tmp_path / name)
        page = Walker(reader).page(reader.pages[0], 1)
        code = reader.pages[0].get_contents().get_data()
        return [(r.text, round(r.x, 3), round(r.y, 3), round(r.size, 3), round(r.end, 3)) for r in page.runs], code

    here, code = drawn(lambda b, c, x, y: b.drawOn(c, x, y), "here.pdf")
    shifted, shifted_code = drawn(lambda b, c, x, y: Flowable.drawOn(b, c, x, y), "shifted.pdf")
    assert here == shifted and len(here) > 6
    assert shifted_code.count(b" cm") - code.count(b" cm") == len(texts) == shifted_code.count(b"\nq\n")
    assert b"\nq\n" not in code
    assert code.count(b" rg") >= len(texts)  # each block sets its own color
