"""The printed page: mirrored text blocks, running heads, headings kept with their text, bleed,
text from the data always on its page, and the verifier's page checks, each shown to fail on
a PDF built to break it."""

from __future__ import annotations

import re

import pikepdf
import pytest
import yaml
from pypdf import PdfReader
from reportlab.lib.units import mm
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate, Spacer

from briefing.check.content import Walker
from briefing.check.verify import verify
from briefing.commands.build import build
from briefing.data.load import load
from briefing.errors import LayoutFailed, VerificationError
from briefing.typeset.blocks import Heading, KeepWithNext
from briefing.typeset.paper import PAPERS, TRIM_CLEAR
from briefing.typeset.styles import styles_for
from briefing.typeset.text import TextBlock

from .conftest import DATA, ROOT, SAMPLE

FIXTURES = sorted((ROOT / "tests" / "data").glob("*.yaml"))
SOURCES = FIXTURES + [DATA, ROOT / "data" / "sample-2024.yaml"]
PAGE_CHECKS = ("page boxes (trim, bleed)", "text in its mirrored text block",
               "nothing but bleed within 10 mm of the trim", "nothing off the page")
# Booklets that fail a check other than the page checks (so are not delivered), on main too:
# tracked here, each with its reason, so that the page checks are still shown to pass on them.
@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Every fixture and both data files, A4 and A5, built once for this module: the result,
    or the failures of a booklet that was not delivered."""
    out = tmp_path_factory.mktemp("pages")
    results = {}
    for data in SOURCES:
        for paper in ("a4", "a5"):
            try:
                results[data.stem, paper] = build(data, out / f"{data.stem}-{paper}.pdf", paper=paper)
            except VerificationError as exc:
                results[data.stem, paper] = exc.failures
    return results


@pytest.mark.parametrize("paper", ["a4", "a5"])
@pytest.mark.parametrize("data", SOURCES, ids=lambda p: p.stem)
def test_every_booklet_passes_the_page_checks(built, data, paper):
    result = built[data.stem, paper]
    assert not isinstance(result, list), f"not delivered: {result}"
    names = [c.name for c in result.report.checks]
    assert all(name in names for name in PAGE_CHECKS), names
    assert result.report.ok, result.report.failures()


def _body(content, geo, n):
    x0, y0, x1, y1 = geo.text_block(n)
    return [r for r in content.runs if r.text.strip() and y0 - 1 <= r.y <= y1 + 1]


def _head(content, geo):
    """The running head's right part: the section it names."""
    base = geo.height - geo.header
    runs = sorted((r for r in content.runs if abs(r.y - base) < 0.5), key=lambda r: r.x)
    return runs[-1].text if len(runs) > 1 else ""


@pytest.mark.parametrize("paper", ["a4", "a5"])
def test_running_head_names_the_section_in_effect_at_the_top_of_the_page(built, paper):
    """A page that opens with a continued checklist is headed by that checklist's path, even
    when the next path starts lower on the page; a page that opens with a heading by it."""
    geo = PAPERS[paper]
    doc = load(DATA)
    reader = PdfReader(built[DATA.stem, paper].output)
    walker = Walker(reader)
    continued, opened = 0, 0
    for n in range(2, len(reader.pages)):
        content = walker.page(reader.pages[n - 1], n)
        body = _body(content, geo, n)
        if not body:
            continue
        top = max(body, key=lambda r: r.y + r.ascent)
        head = _head(content, geo)
        caption = re.match(r"(路径.)　目标清单（续）", top.text)
        if caption:
            continued += 1
            assert head.startswith(caption.group(1)), (n, head, top.text)
        for s in (*doc.results.answers, *doc.plan.paths):
            if top.text == s.ordinal:  # the page opens with an answer's or a path's heading
                opened += 1
                assert head.startswith(s.ordinal), (n, head)
    assert continued >= 3 and opened >= 2


@pytest.mark.parametrize("paper", ["a4", "a5"])
def test_no_heading_ends_a_page_and_part_and_section_headings_keep_the_same_space_below(built, paper):
    geo = PAPERS[paper]
    doc = load(DATA)
    parts = {doc.results.title, doc.plan.title}
    sections = {s.title for s in (*doc.results.answers, *doc.plan.paths)}
    reader = PdfReader(built[DATA.stem, paper].output)
    walker = Walker(reader)
    below: dict[str, list[float]] = {"part": [], "section": []}
    for n in range(3, len(reader.pages)):
        content = walker.page(reader.pages[n - 1], n)
        lines: list[list] = []
        for r in sorted(_body(content, geo, n), key=lambda r: -r.y):
            if lines and abs(lines[-1][0].y - r.y) < 1:
                lines[-1].append(r)
            else:
                lines.append([r])
        for i, line in enumerate(lines):
            text = "".join(r.text for r in sorted(line, key=lambda r: r.x))
            level = "part" if text in parts else "section" if text in sections else None
            if level is None:
                continue
            assert i < len(lines) - 1, f"page {n}: the heading {text} ends the page"
            head, nxt = line[0], max(lines[i + 1], key=lambda r: r.size)
            below[level].append(head.box[1] - nxt.box[3])  # from its descender to the next line's top
    assert len(below["part"]) == 2 and len(below["section"]) >= 10
    gaps = below["part"] + below["section"]
    # A part heading gets the same room under it as a section heading (once it touched its text).
    assert min(gaps) >= 12 and max(gaps) - min(gaps) <= 6, below


def _sections(reader) -> list[tuple[str, int, int]]:
    """(title, level, page) of every bookmark, in order."""
    out = []

    def walk(items, level):
        for item in items:
            if isinstance(item, list):
                walk(item, level + 1)
            else:
                out.append((item.title, level, reader.get_destination_page_number(item) + 1))
    walk(reader.outline, 0)
    return out


@pytest.mark.parametrize("paper", ["a4", "a5"])
@pytest.mark.parametrize("data", SOURCES, ids=lambda p: p.stem)
def test_no_section_starts_a_new_page_while_the_page_before_is_mostly_empty(built, fonts, data, paper):
    """An answer or a path (the first after its part's opener too) starts on a fresh page only
    when less than a third of the page before was left: a part title, its lead or its figures
    at a glance are never left alone on an otherwise empty page."""
    geo = PAPERS[paper]
    doc = load(data)
    reader = PdfReader(built[data.stem, paper].output)
    walker = Walker(reader)
    sections = {f"{s.ordinal}\u3000{s.title}" for s in (*doc.results.answers, *doc.plan.paths)}
    size = styles_for(paper, fonts).body.size
    marks = _sections(reader)
    for (_, _, before), (title, level, page) in zip(marks, marks[1:]):
        if title not in sections or page == before:
            continue
        n = page - 1
        body = _body(walker.page(reader.pages[n - 1], n), geo, n)
        free = min(r.y - r.descent for r in body) - geo.text_block(n)[1]
        # What the section needs to start: its heading and two lines of text (a very long title
        # may need more than a third of a page)
        text = sorted({round(r.y, 1) for r in _body(walker.page(reader.pages[page - 1], page), geo, page)
                       if abs(r.size - size) < 0.05}, reverse=True)
        need = geo.text_block(page)[3] - text[1] if len(text) > 1 else geo.frame_height
        # (one line's slack: the last flowable's padding below its text, which the layout counts)
        assert free < max(geo.frame_height / 3, need) + 1.7 * size, (
            f"page {n} is left {free / geo.frame_height:.0%} empty before {title} on page {page}")


@pytest.mark.parametrize("data", SOURCES, ids=lambda p: p.stem)
def test_figures_at_a_glance_list_only_answers_with_figures(fonts, data):
    """An answer without figures (achievements only) is not a bare title on the glance page;
    with no figures at all there is no glance heading either."""
    from briefing.typeset.story import results_opener

    doc = load(data)
    blocks = [f for f in results_opener(doc, styles_for("a4", fonts)) if isinstance(f, (TextBlock, Heading))]
    titles = [b.text for b in blocks if getattr(b, "role", "") == "H3"]
    assert titles == [f"{a.ordinal}\u3000{a.title}" for a in doc.results.answers if a.metrics]
    glance = doc.labels.fill(doc.labels.glance, doc)
    assert any(getattr(b, "title", None) == glance for b in blocks) == bool(titles)


@pytest.mark.parametrize("paper", ["a4", "a5"])
def test_a_contents_entry_that_turns_goes_on_under_its_title_not_its_ordinal(built, paper):
    """答卷一　<a long title>: its second line starts under the title's first character."""
    data = ROOT / "tests" / "data" / "edge-large.yaml"
    doc = load(data)
    ordinals = {s.ordinal for s in (*doc.results.answers, *doc.plan.paths)}
    reader = PdfReader(built[data.stem, paper].output)
    runs = sorted((r for r in Walker(reader).page(reader.pages[1], 2).runs if r.text.strip()),
                  key=lambda r: (-r.y, r.x))
    turned = 0
    for r in runs:
        ordinal, gap, _ = r.text.partition("\u3000")
        if not gap or ordinal not in ordinals:
            continue
        if any(abs(q.y - r.y) < 0.1 and q.text.isdigit() for q in runs):
            continue  # its page number is on this line: it does not turn
        turned += 1
        nxt = next(q for q in runs if q.y < r.y - 0.1 and not q.text.isdigit())
        assert nxt.x == pytest.approx(r.advances[len(ordinal) + 1], abs=0.05), (r.text, nxt.text)
    assert turned >= 2, turned


def test_a_heading_moves_on_with_its_text_when_fewer_than_two_lines_fit(fonts, tmp_path):
    styles = styles_for("a4", fonts)
    body = styles.body
    pages: dict[str, int] = {}

    class Doc(BaseDocTemplate):
        def afterFlowable(self, f):
            if isinstance(f, Heading):
                pages[f.title] = self.page

    def run(room_lines: float) -> int:
        doc = Doc(str(tmp_path / "k.pdf"), pagesize=(200 * mm, 200 * mm))
        frame = Frame(10 * mm, 10 * mm, 180 * mm, 180 * mm, leftPadding=0, rightPadding=0, topPadding=0,
                      bottomPadding=0)
        doc.addPageTemplates([PageTemplate("p", [frame])])
        heading = Heading("标题", styles.h_sub, "k", level=None)
        text = TextBlock("这是一段用来检验标题与正文不分离的文字。" * 20, body)
        filler = 180 * mm - heading.wrap(180 * mm, 1000)[1] - styles.h_sub.space_after - room_lines * body.leading
        doc.build([Spacer(1, filler), KeepWithNext([heading], text, 2 * body.leading)])
        return pages["标题"]

    assert run(3.2) == 1  # two lines and more fit under it: it stays
    assert run(1.5) == 2  # one line would: it goes on with its text


def test_glance_keeps_four_figures_of_every_answer_on_a5(built):
    doc = load(DATA)
    text = "".join("".join(p.extract_text().split()) for p in PdfReader(built[DATA.stem, "a5"].output).pages[3:6])
    for answer in doc.results.answers:
        for metric in answer.metrics[:4]:
            assert "".join(metric.label.split()) in text, metric.label


def test_back_cover_date_is_the_booklets_own(tmp_path):
    raw = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
    raw["meeting"]["issue_date"] = "2031-02-10"
    data = tmp_path / "issued.yaml"
    data.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    result = build(data, tmp_path / "issued.pdf")
    reader = PdfReader(result.output)
    back = reader.pages[-1].extract_text()
    assert "印发日期：2031年2月10日" in back
    assert reader.metadata["/CreationDate"].startswith("D:20230320")  # the build's time, metadata only


# -- text from the data always fits its place ---------------------------------------------------

def _with(tmp_path, where: str, value: str):
    raw = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
    section, key = where.split(".")
    raw[section][key] = value
    data = tmp_path / f"{key}.yaml"
    data.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return data


@pytest.mark.parametrize("paper", ["a4", "a5"])
@pytest.mark.parametrize("where, length", [
    ("meeting.name", 300), ("meeting.office", 3000), ("meeting.subtitle", 1000), ("source.title", 3000),
    ("source.note", 3000), ("meeting.name", 60), ("meeting.office", 120), ("meeting.subtitle", 90),
    ("source.credits", 400),
])
def test_long_data_text_fits_its_place_or_is_refused_by_name(tmp_path, where, length, paper):
    data = _with(tmp_path, where, ("长文字" * length)[:length])
    try:
        result = build(data, tmp_path / "long.pdf", paper=paper)
    except LayoutFailed as exc:
        field = where if where.startswith("meeting") else "source"
        assert str(exc).startswith(field) and "太长" in str(exc)
        assert length >= 300  # a realistic length always fits
        assert not (tmp_path / "long.pdf").exists()
        return
    assert result.report.ok, result.report.failures()  # the page checks: nothing off its place


def test_a_long_meeting_name_is_cut_in_the_running_head_not_drawn_over_it(tmp_path):
    data = _with(tmp_path, "meeting.name", "第十一届人民代表大会第三次会议和政治协商会议第十一届委员会第二次会议" * 2)
    result = build(data, tmp_path / "name.pdf")
    assert result.report.ok, result.report.failures()
    geo = PAPERS["a4"]
    reader = PdfReader(result.output)
    content = Walker(reader).page(reader.pages[2], 3)
    head = [r for r in content.runs if abs(r.y - (geo.height - geo.header)) < 0.5]
    assert head[0].text.endswith("…") and head[0].box[2] < head[1].box[0]


# -- the checks fail on pages built to break them ------------------------------------------------

@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    return build(SAMPLE, tmp_path_factory.mktemp("sample") / "sample.pdf").output


def _broken(sample, tmp_path, page: int, before: bytes = b"", after: bytes = b"", edit=None):
    out = tmp_path / "broken.pdf"
    with pikepdf.open(sample) as pdf:
        p = pdf.pages[page - 1]
        if before:
            p.contents_add(b"q " + before, prepend=True)
            p.contents_add(b" Q", prepend=False)
        if after:
            p.contents_add(after, prepend=False)
        if edit:
            edit(p)
        pdf.save(out)
    return verify(out, load(SAMPLE))


def _failed(report) -> dict[str, str]:
    return {c.name: c.detail for c in report.checks if not c.ok}


def test_the_sample_passes_them_all(sample):
    assert verify(sample, load(SAMPLE)).ok


@pytest.mark.parametrize("move", [b"1 0 0 1 12 0 cm", b"1 0 0 1 -12 0 cm", b"1 0 0 1 0 12 cm"])
def test_a_page_set_12pt_off_its_frame_fails(sample, tmp_path, move):
    failed = _failed(_broken(sample, tmp_path, 4, before=move))
    assert set(failed) == {"text in its mirrored text block"}, failed
    assert failed["text in its mirrored text block"].startswith("page 4:")
    assert "verso text block (x 28.0–178.0 mm)" in failed["text in its mirrored text block"]


def test_a_recto_page_set_in_the_verso_frame_fails(sample, tmp_path):
    geo = PAPERS["a4"]
    shift = f"1 0 0 1 {geo.outer - geo.inner:.3f} 0 cm".encode()  # the old chain of templates out of step
    failed = _failed(_broken(sample, tmp_path, 5, before=shift))
    assert "page 5:" in failed["text in its mirrored text block"]
    assert "recto text block" in failed["text in its mirrored text block"]


def test_something_drawn_in_the_trim_margin_fails(sample, tmp_path):
    # On the cover (no text block there): a small square 5 mm from the left edge.
    failed = _failed(_broken(sample, tmp_path, 1, after=b" /Artifact BMC q 0 g 14 400 20 20 re f Q EMC"))
    assert set(failed) == {"nothing but bleed within 10 mm of the trim"}, failed
    # Text there fails as well, and so does a band that stops at the trim instead of bleeding.
    edge = TRIM_CLEAR - 3 * mm
    failed = _failed(_broken(sample, tmp_path, 1, after=f" /Artifact BMC q 0 g 0 0 300 {edge:.1f} re f Q EMC".encode()))
    assert set(failed) == {"nothing but bleed within 10 mm of the trim"}, failed


def test_a_band_that_bleeds_passes(sample, tmp_path):
    assert _broken(sample, tmp_path, 1, after=b" /Artifact BMC q 0 g -8.6 -8.6 612.5 20 re f Q EMC").ok


def test_something_off_the_page_fails(sample, tmp_path):
    failed = _failed(_broken(sample, tmp_path, 1, after=b" /Artifact BMC q 0 g -60 400 20 20 re f Q EMC"))
    assert "nothing off the page" in failed and "is off the page" in failed["nothing off the page"]


def test_a_page_without_its_print_boxes_fails(sample, tmp_path):
    def unbox(page):
        page.MediaBox = page.TrimBox
        del page.obj["/BleedBox"]

    failed = _failed(_broken(sample, tmp_path, 2, edit=unbox))
    assert "page 2: BleedBox is not 3 mm round the TrimBox" in failed["page boxes (trim, bleed)"]


# -- no short tail alone before a forced break (typeset/balance.py) -------------------------------

WIDOW = ROOT / "tests" / "data" / "widow.yaml"


def _items(content, geo, n) -> int:
    """List items and checklist rows on a page: the small squares drawn before each."""
    x0, y0, x1, y1 = geo.text_block(n)
    return sum(1 for p in content.paints
               if y0 - 1 <= p.box[1] <= y1 + 1 and 2 <= p.box[2] - p.box[0] <= 12
               and abs((p.box[2] - p.box[0]) - (p.box[3] - p.box[1])) < 0.5)


def _short_tails(pdf, paper) -> list[str]:
    """Pages that end a part (the next one opens a top-level bookmark: a forced break) with no
    heading of their own and only a short tail of what came before: three lines or fewer, or
    one or two list items."""
    geo = PAPERS[paper]
    reader = PdfReader(pdf)
    walker = Walker(reader)
    marks = _sections(reader)
    opens = {page for _, level, page in marks if level == 0}
    headed = {page for *_, page in marks}
    out = []
    for n in range(2, len(reader.pages)):
        if n + 1 not in opens or n in headed:
            continue
        content = walker.page(reader.pages[n - 1], n)
        lines = len({round(r.y, 1) for r in _body(content, geo, n)})
        items = _items(content, geo, n)
        if 0 < lines <= 3 or (0 < items <= 2 and lines <= 6):
            out.append(f"page {n}: {lines} lines, {items} items before the part on page {n + 1}")
    return out


@pytest.mark.parametrize("paper", ["a4", "a5"])
@pytest.mark.parametrize("data", SOURCES, ids=lambda p: p.stem)
def test_no_page_before_a_forced_break_holds_only_a_short_tail(built, data, paper):
    assert _short_tails(built[data.stem, paper].output, paper) == []


def test_the_widow_fixture_has_short_tails_that_the_layout_mends(tmp_path, monkeypatch):
    """tests/data/widow.yaml on A5 was made so that, set without remedies, the last two items
    of an answer's list fall alone on the page before the plan part, and the last two lines of
    the closing alone before the notes. With them: the list goes back onto its page (the space
    between that page's blocks is set tighter), the closing's last page gets at least four lines
    (there is too little space to give on a page of running text, so more of it goes over)."""
    import briefing.typeset.document as document

    monkeypatch.setattr(document, "next_remedy", lambda *a, **k: None)
    bare = build(WIDOW, tmp_path / "bare.pdf", paper="a5").output
    tails = _short_tails(bare, "a5")
    assert len(tails) == 2 and "2 lines, 2 items" in tails[0] and "2 lines, 0 items" in tails[1], tails
    monkeypatch.undo()

    mended = build(WIDOW, tmp_path / "mended.pdf", paper="a5").output
    assert _short_tails(mended, "a5") == []
    reader, bare_reader = PdfReader(mended), PdfReader(bare)
    assert len(reader.pages) == len(bare_reader.pages) - 1  # the list's page is gone
    geo = PAPERS["a5"]
    walker = Walker(reader)
    notes = max(page for title, level, page in _sections(reader) if level == 0)
    closing_end = notes - 1
    lines = len({round(r.y, 1) for r in _body(walker.page(reader.pages[closing_end - 1], closing_end), geo,
                                              closing_end)})
    assert lines >= 4


TAILS = ROOT / "tests" / "data" / "tails.yaml"


def test_the_tails_fixture_a_label_and_its_item_a_table_s_last_rows_the_closing_s_last_lines(tmp_path,
                                                                                           monkeypatch):
    """tests/data/tails.yaml on A5 was made so that, set without remedies, three kinds of tail
    stand alone before a forced break: the label heading 主要成绩 and the answer's one item
    (before the plan part; a label is no section start), the checklist's "（续）" line, repeated
    header and last two rows (before the closing), and the closing's last three lines (before
    the notes, the closing's own tail). Expected with remedies, written before they were run:
    no short tail; the checklist's last page holds three rows or more, the closing's last page
    four lines or more; no page more than without remedies."""
    import briefing.typeset.document as document

    monkeypatch.setattr(document, "next_remedy", lambda *a, **k: None)
    bare = build(TAILS, tmp_path / "bare.pdf", paper="a5").output
    tails = _short_tails(bare, "a5")
    assert len(tails) == 3, tails
    assert "2 lines, 1 items" in tails[0] and "2 items" in tails[1] and "3 lines, 0 items" in tails[2], tails
    monkeypatch.undo()

    mended = build(TAILS, tmp_path / "mended.pdf", paper="a5").output
    assert _short_tails(mended, "a5") == []
    reader = PdfReader(mended)
    assert len(reader.pages) <= len(PdfReader(bare).pages)
    geo = PAPERS["a5"]
    walker = Walker(reader)
    opens = sorted(page for _, level, page in _sections(reader) if level == 0)
    closing, notes = opens[-2:]
    table_end, closing_end = closing - 1, notes - 1
    assert _items(walker.page(reader.pages[table_end - 1], table_end), geo, table_end) >= 3
    content = walker.page(reader.pages[closing_end - 1], closing_end)
    assert len({round(r.y, 1) for r in _body(content, geo, closing_end)}) >= 4


def test_a_remedy_squeezes_just_enough_then_fully_then_ends_the_page_higher_until_enough():
    from briefing.typeset.balance import LEAST_SQUEEZE, MARGIN, PageUse, Remedy, next_remedy, short_tail

    leading = 17.0
    lines = PageUse(mixed=True)  # a tail of running text
    roomy = PageUse(spaces=80.0, leftover=10.0)
    first = next_remedy(None, lines, 34.0, roomy, leading, 500.0)
    assert first == Remedy(squeeze=pytest.approx(1 - (34 + MARGIN - 10) / 80))
    # The tail's first block gets back the space before it lost at the top of its page.
    assert next_remedy(None, PageUse(mixed=True, dropped=8.0), 34.0, roomy, leading, 500.0) == \
        Remedy(squeeze=pytest.approx(1 - (34 + 8 + MARGIN - 10) / 80))
    assert next_remedy(first, lines, 34.0, roomy, leading, 500.0) == Remedy(squeeze=LEAST_SQUEEZE)
    # Fully squeezed, the page had no room left at its foot: it ends higher by what must go over.
    shorter = next_remedy(Remedy(squeeze=LEAST_SQUEEZE), lines, 34.0, roomy, leading, 500.0)
    assert shorter == Remedy(shorten=4 * leading - 34)
    # A page of running text has too little space between its blocks: more goes over at once,
    # and the page ends higher by its free foot too.
    assert next_remedy(None, lines, 34.0, PageUse(spaces=10.0, leftover=5.0), leading, 500.0) == \
        Remedy(shorten=5 + 4 * leading - 34)
    # Still short (the page before changed since): it ends higher again, by what is still missing.
    again = next_remedy(shorter, lines, 3 * leading, PageUse(spaces=10.0, leftover=3.0), leading, 500.0)
    assert again == Remedy(shorten=shorter.shorten + 3 + leading)
    # A tail of two table rows: one more row goes over, whatever the lines.
    rows = next_remedy(None, PageUse(rows=2), 118.0, PageUse(rows=9, leftover=40.0, last_row=36.0), leading, 500.0)
    assert rows == Remedy(shorten=40 + 36 + MARGIN)
    # Never a page a third empty: then nothing more, and the passes settle.
    assert next_remedy(Remedy(shorten=160.0), lines, 34.0, PageUse(), leading, 500.0) is None
    assert short_tail(3 * leading, PageUse(mixed=True), leading)
    # One item under a label heading and two lines of text: still a tail; with more text, none.
    assert short_tail(6 * leading, PageUse(rows=1, mixed=True), leading)
    assert not short_tail(7 * leading, PageUse(rows=1, mixed=True), leading)
    mixed = next_remedy(None, PageUse(rows=1, mixed=True), 4 * leading, PageUse(spaces=10.0), leading, 500.0)
    assert mixed == Remedy(shorten=(6.5 + 0.5 - 4) * leading)
    assert short_tail(5 * leading, PageUse(rows=2), leading)  # two items of two lines and more
    assert short_tail(5 * leading, PageUse(rows=1), leading)  # a label heading and its one item
    assert not short_tail(5 * leading, PageUse(rows=3), leading)
    assert not short_tail(leading, PageUse(heading=True), leading)  # a section of its own
