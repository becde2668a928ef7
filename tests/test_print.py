"""Print: A5 laid out natively, saddle-stitch imposition in folding order on a sheet with room
for bleed and marks, marks outside the pages."""

from __future__ import annotations

import pikepdf
import pytest
from pypdf import PdfReader, PdfWriter

from briefing.check.content import Walker
from briefing.check.verify import verify_imposed
from briefing.commands.build import build
from briefing.commands.entry import main
from briefing.errors import OutputError
from briefing.pdf.impose import MARK_OFFSET, padded, saddle_order, sheet_for
from briefing.typeset.paper import BLEED, PAPERS

from .conftest import DATA, SAMPLE

MM = 72 / 25.4


def one_based(n):
    return [tuple(None if p is None else p + 1 for p in side) for side in saddle_order(n)]


@pytest.mark.parametrize("n, expected", [
    (4, [(4, 1), (2, 3)]),
    (8, [(8, 1), (2, 7), (6, 3), (4, 5)]),
    (12, [(12, 1), (2, 11), (10, 3), (4, 9), (8, 5), (6, 7)]),
    # 13 pages: three blanks before the back cover, which stays the last page.
    (13, [(13, 1), (2, None), (None, 3), (4, None), (12, 5), (6, 11), (10, 7), (8, 9)]),
])
def test_saddle_order(n, expected):
    assert one_based(n) == expected


@pytest.mark.parametrize("n", range(2, 30))
def test_every_page_once_and_folded_stack_reads_in_order(n):
    sides = saddle_order(n)
    seq = padded(n)
    assert len(seq) % 4 == 0 and len(sides) == len(seq) // 2
    assert seq[-1] == n - 1  # the back cover stays on the back
    placed = [p for side in sides for p in side if p is not None]
    assert sorted(placed) == list(range(n))
    # Folding: page i and page (P-1-i) always share a side (they face each other across the spine).
    p = len(seq)
    for left, right in sides:
        i, j = seq.index(left) if left is not None else None, seq.index(right) if right is not None else None
        pair = {x for x in (i, j) if x is not None}
        if len(pair) == 2:
            assert sum(pair) == p - 1


@pytest.fixture(scope="module")
def a5(tmp_path_factory):
    return build(DATA, tmp_path_factory.mktemp("a5") / "a5.pdf", paper="a5", impose=True, marks=True)


def test_a5_is_laid_out_natively_and_verified(a5):
    assert a5.report.ok, a5.report.failures()
    reader = PdfReader(a5.output)
    for page in reader.pages:  # trimmed to A5, 3 mm of bleed round it, shown as trimmed
        assert abs(float(page.trimbox.width) - 148 * MM) < 0.01 and abs(float(page.trimbox.height) - 210 * MM) < 0.01
        assert [round(float(v), 2) for v in page.bleedbox] == [round(v, 2) for v in
                                                               (-BLEED, -BLEED, 148 * MM + BLEED, 210 * MM + BLEED)]
        assert list(page.mediabox) == list(page.bleedbox) and list(page.cropbox) == list(page.trimbox)


def test_a5_margins_type_sizes_and_edges(a5):
    """No body text under 9 pt; nothing within 12 mm of a trimmed edge; spine margin wider."""
    from .test_robust import text_origins

    reader = PdfReader(a5.output)
    geo = PAPERS["a5"]
    assert geo.inner > geo.outer and geo.inner >= 20 * MM and geo.outer >= 15 * MM
    sizes = set()
    for n, page in enumerate(reader.pages, 1):
        def visit(text, cm, tm, font, size):
            if text.strip():
                sizes.add(round(size * tm[0] * cm[0], 1))
        page.extract_text(visitor_text=visit)
        for x, y, text in text_origins(page):
            assert 12 * MM <= x <= geo.width - 12 * MM, (n, x, text)
            assert 12 * MM <= y <= geo.height - 12 * MM, (n, y, text)
    assert 10.0 in sizes  # the A5 body size
    assert min(sizes) >= 8.0  # the running header; every other text is at least 8.5 pt
    assert min(s for s in sizes if s != 8.0) >= 8.5


def test_imposed_file_is_delivered_and_verified(a5):
    assert a5.imposed.is_file() and a5.imposed.name == "a5-imposed.pdf"
    assert a5.imposed_report.ok, a5.imposed_report.failures()
    sides = PdfReader(a5.imposed).pages
    pages = len(PdfReader(a5.output).pages)
    assert len(sides) == -(-pages // 4) * 2
    for side in sides:  # A5 pages on SRA4 landscape sheets
        assert abs(float(side.mediabox.width) - 320 * MM) < 1 and abs(float(side.mediabox.height) - 225 * MM) < 1


def _strokes_outside(side, area):
    content = Walker(side.pdf).page(side, 1)
    return [p.box for p in content.paints
            if p.box[2] < area[0] or p.box[0] > area[2] or p.box[3] < area[1] or p.box[1] > area[3]]


def test_marks_are_in_the_slug_on_the_trim_lines_never_on_a_page(a5):
    place = sheet_for("a5")
    x0, y0, x1, y1 = place.trim
    spread = place.spread  # the pages with their bleed
    for side in PdfReader(a5.imposed).pages:
        marks = _strokes_outside(side, spread)
        assert len(marks) == 10  # eight crop marks at the four corners, two fold marks at the spine
        for bx0, by0, bx1, by1 in marks:
            assert 0 <= bx0 and bx1 <= place.size[0] and 0 <= by0 and by1 <= place.size[1]  # on the sheet
            # Each continues a trim line (or the spine) out into the slug, clear of the bleed.
            on_x = any(abs((bx0 + bx1) / 2 - x) < 0.2 for x in (x0, x1, (x0 + x1) / 2))
            on_y = any(abs((by0 + by1) / 2 - y) < 0.2 for y in (y0, y1))
            assert on_x or on_y
            gap = max(spread[0] - bx1, bx0 - spread[2], spread[1] - by1, by0 - spread[3])
            assert gap >= MARK_OFFSET - BLEED - 0.2


def test_the_bands_bleed_3mm_on_the_sheet_but_stop_at_the_spine(a5):
    place = sheet_for("a5")
    x0, y0, x1, y1 = place.trim
    spine = (x0 + x1) / 2
    side = PdfReader(a5.imposed).pages[0]  # back cover | cover
    fills = [p.box for p in Walker(side.pdf).page(side, 1).paints if p.kind == "fill"]
    cover_band = max(fills, key=lambda b: (b[3], b[2]))
    assert abs(cover_band[0] - spine) < 0.01  # cut at the spine: the back cover starts there
    assert abs(cover_band[2] - (x1 + BLEED)) < 0.01 and abs(cover_band[3] - (y1 + BLEED)) < 0.01
    back_band = min(fills, key=lambda b: (b[1], b[0]))
    assert abs(back_band[0] - (x0 - BLEED)) < 0.01 and abs(back_band[1] - (y0 - BLEED)) < 0.01
    assert abs(back_band[2] - spine) < 0.01


def test_a_sheet_of_exactly_two_pages_has_no_marks_and_says_so(tmp_path):
    result = build(SAMPLE, tmp_path / "s.pdf", paper="a5", impose=True, marks=True, sheet="a4")
    assert result.imposed_report.ok, result.imposed_report.failures()
    assert any("正好放下两页" in w and "no crop or fold marks" in w for w in result.warnings)
    side = PdfReader(result.imposed).pages[0]
    assert abs(float(side.mediabox.width) - 297 * MM) < 1 and abs(float(side.mediabox.height) - 210 * MM) < 1
    assert _strokes_outside(side, sheet_for("a5", "a4").trim) == []


def test_a_sheet_too_small_for_two_pages_is_refused_before_building(tmp_path, capsys):
    with pytest.raises(OutputError, match="放不下两页 A4"):
        build(SAMPLE, tmp_path / "s.pdf", impose=True, sheet="sra4")
    assert list(tmp_path.iterdir()) == []
    assert main(["build", str(SAMPLE), "-o", str(tmp_path / "s.pdf"), "--sheet", "a3", "-q"]) == 2
    assert "--sheet needs --impose saddle" in capsys.readouterr().err


def test_verify_catches_a_mark_on_a_page(a5, tmp_path):
    place = sheet_for("a5")
    x0, y0 = place.trim[0], place.trim[1]
    bad = tmp_path / "mark-on-page.pdf"
    with pikepdf.open(a5.imposed) as pdf:
        # The old imposition's crop mark: 2 mm inside the page's corner.
        pdf.pages[0].contents_add(f"q 0.25 w {x0:.2f} {y0 + 5.7:.2f} m {x0 + 14:.2f} {y0 + 5.7:.2f} l S Q".encode(),
                                  prepend=False)
        pdf.save(bad)
    report = verify_imposed(bad, a5.output, "a5")
    assert not report.ok
    assert any("marks outside them" in f and "is on a page" in f for f in report.failures())


def test_verify_catches_a_wrong_page_order(a5, tmp_path):
    reader = PdfReader(a5.imposed)
    writer = PdfWriter()
    order = list(range(len(reader.pages)))
    order[1], order[2] = order[2], order[1]  # a printer's mix-up: two sides swapped
    for i in order:
        writer.add_page(reader.pages[i])
    bad = tmp_path / "bad-imposed.pdf"
    writer.write(bad)
    report = verify_imposed(bad, a5.output, "a5")
    assert not report.ok
    assert any("saddle-stitch order" in f for f in report.failures())


def test_a4_imposes_on_sra3_or_a3(tmp_path):
    result = build(SAMPLE, tmp_path / "s.pdf", impose=True, marks=True)
    assert result.imposed_report.ok, result.imposed_report.failures()
    side = PdfReader(result.imposed).pages[0]
    assert abs(float(side.mediabox.width) - 450 * MM) < 1 and abs(float(side.mediabox.height) - 320 * MM) < 1
    assert len(_strokes_outside(side, sheet_for("a4").spread)) == 10
    result = build(SAMPLE, tmp_path / "t.pdf", impose=True, sheet="a3")
    assert result.imposed_report.ok, result.imposed_report.failures()
    side = PdfReader(result.imposed).pages[0]
    assert abs(float(side.mediabox.width) - 420 * MM) < 1 and abs(float(side.mediabox.height) - 297 * MM) < 1
