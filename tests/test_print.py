"""Print: A5 laid out natively, saddle-stitch imposition in folding order."""

from __future__ import annotations

import pytest
from pypdf import PdfReader, PdfWriter

from briefing.check.verify import verify_imposed
from briefing.commands.build import build
from briefing.pdf.impose import padded, saddle_order
from briefing.typeset.styles import PAPERS

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
    for page in reader.pages:
        assert abs(float(page.mediabox.width) - 148 * MM) < 1 and abs(float(page.mediabox.height) - 210 * MM) < 1


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
    for side in sides:  # A5 pages on A4 landscape sheets
        assert abs(float(side.mediabox.width) - 297 * MM) < 1 and abs(float(side.mediabox.height) - 210 * MM) < 1


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


def test_a4_imposes_on_a3(tmp_path):
    result = build(SAMPLE, tmp_path / "s.pdf", impose=True)
    assert result.imposed_report.ok
    side = PdfReader(result.imposed).pages[0]
    assert abs(float(side.mediabox.width) - 420 * MM) < 1 and abs(float(side.mediabox.height) - 297 * MM) < 1
