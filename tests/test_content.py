"""The content-stream walker behind the verifier (briefing.check.content).

It must read exactly what pypdf reads: the same operations as pypdf's ContentStream, the same
text as pypdf's extract_text, the same positions; and a booklet broken in any way that pypdf's
extraction would notice must fail verification through the walker too.
"""

from __future__ import annotations

import re
import time

import pikepdf
import pytest
from pypdf import PdfReader
from pypdf.generic import ContentStream

from briefing.check.content import ContentError, Walker, _fast, _general, _operations, _plain, _Slow, operations, walk
from briefing.check.verify import placed_text, squeeze, verify
from briefing.commands.build import build

from .conftest import ROOT
from .test_content_fuzz import _typed

FIXTURES = [ROOT / "data" / "sample-2024.yaml", *sorted((ROOT / "tests" / "data").glob("*.yaml"))]


@pytest.fixture(scope="module")
def pdfs(booklet, tmp_path_factory):
    """The default booklet, its A5 version and every fixture, built once for this module."""
    out = tmp_path_factory.mktemp("content")
    built = [booklet.output, build(ROOT / "data" / "yanfeng-2023.yaml", out / "a5.pdf", paper="a5").output]
    built += [build(f, out / f"{f.stem}.pdf").output for f in FIXTURES]
    return built


def _streams(reader):
    for page in reader.pages:
        yield page.get_contents()
        for x in (page["/Resources"].get("/XObject") or {}).values():
            x = x.get_object()
            if x.get("/Subtype") == "/Form":
                yield x


def test_the_tokenizer_gives_pypdfs_operations_on_every_stream(pdfs):
    count = 0
    for pdf in pdfs:
        reader = PdfReader(pdf)
        for stream in _streams(reader):
            theirs = _typed([([_plain(o) for o in operands], bytes(op))
                             for operands, op in ContentStream(stream, reader).operations])
            data = stream.get_data()
            assert _typed(_fast(data)) == _typed(_general(data)) == theirs, pdf
            assert _operations(data) == _fast(data)
            count += len(theirs)
    assert count > 10_000


def test_the_walk_gives_pypdfs_text_on_every_page(pdfs):
    for pdf in pdfs:
        reader = PdfReader(pdf)
        for content, page in zip(walk(reader), reader.pages):
            assert squeeze(content.text()) == squeeze(page.extract_text()), f"{pdf} page {content.number}"


def test_the_walk_places_text_where_pypdf_does(booklet):
    reader = PdfReader(booklet.output)
    for page in reader.pages[:6]:
        theirs = []

        def visit(text, cm, tm, font, size):
            if text.strip():
                theirs.append((round(tm[4] * cm[0] + tm[5] * cm[2] + cm[4], 2),
                               round(tm[4] * cm[1] + tm[5] * cm[3] + cm[5], 2)))

        page.extract_text(visitor_text=visit)
        ours = [(round(x, 2), round(y, 2)) for x, y, _ in placed_text(page)]
        assert set(theirs) <= set(ours)


def test_runs_know_their_extent_and_size(booklet, doc):
    """A body line's advance ends inside the text block; its size is the body size."""
    reader = PdfReader(booklet.output)
    pages = walk(reader)
    width = float(reader.pages[0].mediabox.width)
    body = [r for p in pages for r in p.runs if "NotoSerif" in r.font and len(r.text) > 20]
    assert body
    for r in body:
        assert 0 < r.x < r.end < width
        assert 9 <= r.size <= 12
        assert len(r.advances) == len(r.text)
        assert list(r.advances) == sorted(r.advances)


@pytest.mark.parametrize("data, want", [
    (b"(a\\(b\\)c) Tj", [([b"a(b)c"], b"Tj")]),
    (b"(nested (paren) ok) Tj", [([b"nested (paren) ok"], b"Tj")]),
    (b"(\\101\\102\\n) Tj", [([b"AB\n"], b"Tj")]),
    (b"(line\\\ncontinued) Tj", [([b"linecontinued"], b"Tj")]),
    (b"<00 4f\n5> Tj", [([b"\x00\x4f\x50"], b"Tj")]),
    (b"/Na#20me 12 Tf", [(["/Na me", 12], b"Tf")]),
    (b"[(a) -250 (b)] TJ", [([[b"a", -250, b"b"]], b"TJ")]),
    (b"/P <</MCID 3 /Lang (zh)>> BDC EMC", [(["/P", {"/MCID": 3, "/Lang": b"zh"}], b"BDC"), ([], b"EMC")]),
    (b"1 0 0 1 -2.5 .5 cm % a comment\nq Q", [([1, 0, 0, 1, -2.5, 0.5], b"cm"), ([], b"q"), ([], b"Q")]),
    (b"true false null 0 d0", [([True, False, None, 0], b"d0")]),
    # as pypdf reads them: names in UTF-8 (or GBK), escapes it does not know and octal codes
    # above 255 kept as written, the first of a repeated key
    (b"/F#E4#B8#AD 1 Tf /G#D6#D0 Tf", [(["/F中", 1], b"Tf"), (["/G中"], b"Tf")]),
    (b"(\\777\\q\\/) Tj", [([b"\\777\\q/"], b"Tj")]),
    (b"<</A 1 /A 2>> BDC", [([{"/A": 1}], b"BDC")]),
    (b"[true false null (a(b)c)] TJ", [([[True, False, None, b"a(b)c"]], b"TJ")]),
])
def test_tokenizer_cases(data, want):
    assert _typed(_operations(data)) == _typed(_general(data)) == _typed(want)


@pytest.mark.parametrize("data", [b"(never closed Tj", b"[1 2 Tj", b"<< /A 1 ]", b"\xff\xfe{", b"<</A>> BDC",
                                  b"<<1 2>> BDC", b"(((((deep) Tj"])
def test_damaged_streams_are_a_content_error(data):
    with pytest.raises(ContentError):
        _operations(data)
    with pytest.raises(ContentError):
        _general(data)


def test_inline_images_go_to_pypdf():
    from pypdf.generic import DecodedStreamObject

    stream = DecodedStreamObject()
    stream.set_data(b"q BI /W 1 /H 1 /BPC 8 /CS /G ID \x80 EI Q")
    ops = [op for _, op in operations(stream, None)]
    assert ops[0] == b"q" and ops[-1] == b"Q" and b"INLINE IMAGE" in ops


@pytest.mark.parametrize("data", [
    # the shapes the fast reader takes as one match, and their neighbours it must read token by token
    b"/F1 19 Tf /F2 Tf /Im0 Do /F1 19Tf", b"/F1 19 20 Tf /F1/F2 Tf /F1 (a) Tf /F#31 9 Tf", b"/F1Tf 9 Tf",
    b"/P <</MCID 3>> BDC /P<</MCID 3>>BDC /Artifact <</Type /Layout>> BDC", b"/P <</MCID3>> BDC",
    b"/P <</MCID -2.5>> BDC /P <</MCID 3 /Lang (zh)>> BDC /P <</MCID /a#20>> BDC /P <</MCID 3>> [1] BDC",
    b"<0041> Tj <00 4\n1>Tj <> Tj <0041> <0042> Tj", b"[<0041> -250 <0042>] TJ [] TJ [<0041>-250.5<0042>]TJ",
    b"[<0041> (a) -250] TJ [<0041> 1 2] 0 d [1 [2]] TJ [ /P <</MCID 3>> BDC ] [1 2 Tj]",
    b"1 2 3 rg 1 2] 3 4 re .5 -.5 +5 5. m 1\x002 l 0 0 0 RG 1 2 true 3 4 null",
    b"[1 2 3 4 5] 0 d 5Tj 1 2", b"/P <</MCID 1 /MCID 2>> BDC <</A 1>> 2 BDC",
    b"/Layout<</F1/F2>>cm /P<</Type/Layout>>BDC", b"(a\x00b) Tj <00\x0041>\x00Tj /F1\x009\x00Tf",
    b"1 2\x0bl (a\x0b) Tj",
])
def test_the_fast_reader_reads_each_shape_as_the_general_reader(data):
    """Each whole-operation match of the fast reader gives the tokens the general reader gives,
    and what it does not take whole it reads token by token, or leaves to the general reader."""
    try:
        general = _general(data)
    except ContentError as exc:
        with pytest.raises(type(exc)):
            _operations(data)
        return
    assert _typed(_operations(data)) == _typed(general)
    try:
        fast = _fast(data)
    except _Slow:
        return
    assert _typed(fast) == _typed(general)


def test_a_long_run_of_numbers_is_read_once():
    """Numbers with no operator after them (an array's) are one match, not read again from each
    of them: 50,000 took the reader minutes when each was a start for ``numbers operator``."""
    data = b"BT [" + b"1 " * 50_000 + b"<0041>] TJ ET [" + b"2.5 " * 50_000 + b"] 0 d"
    start = time.process_time()
    ops = _fast(data)
    assert time.process_time() - start < 2
    assert ops[1] == ([[1] * 50_000 + [b"\x00A"]], b"TJ") and ops[3] == ([[2.5] * 50_000, 0], b"d")


# -- a booklet broken on purpose fails through the walker as it would through pypdf -----------

def _break(src, dst, edit):
    with pikepdf.open(src) as pdf:
        edit(pdf)
        pdf.save(dst)
    return dst


def _without(src, dst, figure):
    """A copy of ``src`` with every text run that shows ``figure`` taken off its page."""
    from briefing.check.content import _decode

    reader = PdfReader(src)
    walker = Walker(reader)

    def edit(pdf):
        for index, page in enumerate(pdf.pages):
            fonts = reader.pages[index]["/Resources"].get("/Font") or {}
            kept, font = [], None
            for operands, op in pikepdf.parse_content_stream(page):
                if str(op) == "Tf":
                    font = walker.font(fonts[str(operands[0])])
                if str(op) == "Tj" and font is not None and figure in "".join(_decode(font, bytes(operands[0]))[1]):
                    continue
                kept.append((operands, op))
            page.Contents = pdf.make_stream(pikepdf.unparse_content_stream(kept))

    return _break(src, dst, edit)


def test_a_figure_removed_from_the_pages_is_missing(booklet, doc, tmp_path):
    tried = 0
    for figure in doc.figures():
        broken = _without(booklet.output, tmp_path / "no-figure.pdf", figure)
        pypdf_text = squeeze("".join(p.extract_text() for p in PdfReader(broken).pages))
        if squeeze(figure) in pypdf_text:
            continue  # also drawn split across runs (a chart label): try the next figure
        tried += 1
        report = verify(broken, doc)  # pypdf sees it gone, and so must we
        assert any(f"missing {figure}" in f for f in report.failures()), (figure, report.failures())
        if tried == 5:
            break
    assert tried == 5


def test_a_character_mapped_wrongly_is_missing(booklet, doc, tmp_path):
    """A ToUnicode map that gives 亿 for the wrong glyph loses every figure in 亿元."""
    def edit(pdf):
        for page in pdf.pages:
            for font in page.Resources.Font.values():
                cmap = font.ToUnicode.read_bytes()
                wrong = re.sub(b"(?i)<" + "亿".encode("utf-16-be").hex().encode() + b">", b"<4E00>", cmap)
                if wrong != cmap:
                    font.ToUnicode.write(wrong)

    broken = _break(booklet.output, tmp_path / "bad-map.pdf", edit)
    wanted = [f for f in doc.figures() if "亿" in f]
    assert wanted
    pypdf_text = squeeze("".join(p.extract_text() for p in PdfReader(broken).pages))
    assert not any(squeeze(f) in pypdf_text for f in wanted)
    check = next(c for c in verify(broken, doc).checks if c.name == "figures in text")
    assert not check.ok
    shown = re.findall(r"missing ([^;(]+?)(?:;|$| \()", check.detail)
    more = re.search(r"\(\+(\d+) more\)", check.detail)
    assert all("亿" in f for f in shown)
    assert len(shown) + (int(more.group(1)) if more else 0) == len(wanted), check.detail


def test_an_unembedded_font_fails(booklet, tmp_path):
    def edit(pdf):
        for page in pdf.pages:
            for font in page.Resources.Font.values():
                descendant = font.DescendantFonts[0]
                if "/FontFile2" in descendant.FontDescriptor:
                    del descendant.FontDescriptor["/FontFile2"]

    broken = _break(booklet.output, tmp_path / "unembedded.pdf", edit)
    assert any("not embedded" in f for f in verify(broken).failures())


def test_a_damaged_content_stream_is_a_failed_check_not_a_traceback(booklet, tmp_path):
    def edit(pdf):
        pdf.pages[3].Contents = pdf.make_stream(b"BT /F1 11 Tf (never closed Tj ET")

    broken = _break(booklet.output, tmp_path / "damaged.pdf", edit)
    report = verify(broken)
    assert not report.ok
    assert any("content streams readable" in f for f in report.failures())


def test_a_form_that_draws_itself_is_refused(booklet, tmp_path):
    def edit(pdf):
        form = pdf.make_stream(b"/Me Do")
        form.Type, form.Subtype, form.BBox = pikepdf.Name.XObject, pikepdf.Name.Form, [0, 0, 10, 10]
        form.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Me=form))
        page = pdf.pages[2]
        page.Resources.XObject = pikepdf.Dictionary(Me=form)
        page.Contents = pdf.make_stream(page.Contents.read_bytes() + b"\n/Me Do")

    broken = _break(booklet.output, tmp_path / "cycle.pdf", edit)
    with pytest.raises(ContentError):
        walk(PdfReader(broken))
    assert any("content streams readable" in f for f in verify(broken).failures())


def test_the_memos_serve_a_second_reading_and_never_another_files(booklet, doc, tmp_path):
    """Reading the same booklet again takes its pages from the memo, with the same report; a
    font whose ToUnicode map changed by one entry, the rest of the file the same, is read for
    itself (its figures in 亿元 go missing), and so are the pages that use it and a page whose
    stream changed."""
    from briefing.check.content import FONTS, PAGES, TOKENS

    for memo in (FONTS, PAGES, TOKENS):
        memo.clear()
    first = verify(booklet.output, doc)
    assert not PAGES.hits
    again = verify(booklet.output, doc)
    assert PAGES.hits == len(first.checks and again.checks and PdfReader(booklet.output).pages)
    assert [(c.name, c.ok, c.detail) for c in again.checks] == [(c.name, c.ok, c.detail) for c in first.checks]

    def edit(pdf):
        for page in pdf.pages:
            for font in page.Resources.Font.values():
                cmap = font.ToUnicode.read_bytes()
                font.ToUnicode.write(re.sub(b"(?i)<" + "亿".encode("utf-16-be").hex().encode() + b">", b"<4E00>", cmap))
        pdf.pages[3].Contents = pdf.make_stream(pdf.pages[3].Contents.read_bytes() + b"\n% changed")

    broken = _break(booklet.output, tmp_path / "bad-map.pdf", edit)
    misses = (FONTS.misses, TOKENS.misses, PAGES.misses)
    check = next(c for c in verify(broken, doc).checks if c.name == "figures in text")
    assert FONTS.misses > misses[0] and TOKENS.misses > misses[1] and PAGES.misses > misses[2]
    assert not check.ok and "亿" in check.detail


def test_a_rehearsed_booklet_is_judged_from_its_pages_memos_with_the_same_report(booklet, doc, monkeypatch):
    """``rehearse`` (a rebuild's worker, with time left) works out each remembered page's own
    checks into the memo: verifying the booklet then works out none of them again, and reports
    what a reading without memos reports."""
    from briefing.check.content import FONTS, PAGES, TOKENS, PageContent
    from briefing.check.verify import rehearse, remember

    for memo in (FONTS, PAGES, TOKENS):
        memo.clear()
    cold = verify(booklet.output, doc, memo=False)
    rehearse(remember(booklet.output), "a4")
    made = []
    real = PageContent.derived

    def counted(self, key, make):
        return real(self, key, lambda content: made.append(key) or make(content))

    monkeypatch.setattr(PageContent, "derived", counted)
    again = verify(booklet.output, doc)
    assert made == []
    assert [(c.name, c.ok, c.detail) for c in again.checks] == [(c.name, c.ok, c.detail) for c in cold.checks]
    rehearse(None, "a4")  # nothing remembered: nothing to do
    rehearse(remember(booklet.output), "no such paper")


def test_every_page_of_a_long_booklet_comes_back_from_the_memo(tmp_path):
    """The page memo holds a booklet of about 90 pages (the bench's 10× data) whole: read
    again in one process (``watch``, ``serve``, the finishing worker that read the last
    booklet), every page comes from it. Read in page order, a memo smaller than the booklet
    keeps none of them (the least recently used goes first)."""
    import importlib.util

    import yaml

    from briefing.cache import Cache
    from briefing.check.content import PAGES
    from briefing.data.load import load

    spec = importlib.util.spec_from_file_location("bench", ROOT / "bench" / "bench.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    data = tmp_path / "long.yaml"
    text = (ROOT / "data" / "yanfeng-2023.yaml").read_text(encoding="utf-8")
    data.write_text(yaml.safe_dump(bench.larger(yaml.safe_load(text), 10), allow_unicode=True, sort_keys=False),
                    encoding="utf-8")
    out = build(data, tmp_path / "long.pdf", cache=Cache(None)).output
    pages = len(PdfReader(out).pages)
    assert pages >= 80
    doc = load(data)
    verify(out, doc)
    hits = PAGES.hits
    assert verify(out, doc).ok
    assert PAGES.hits - hits == pages


def test_the_page_memo_makes_room_for_a_booklet_longer_than_it(booklet, doc, monkeypatch):
    """A booklet whose pages do not fit the page memo (here a memo of 1 MB; in use, one of
    some 230 pages) would get none of them back, read in the same order again: after one
    reading the memo makes room for it as it goes, up to ``PAGES_MOST``."""
    from briefing.check import content

    pages = len(PdfReader(booklet.output).pages)
    monkeypatch.setattr(content, "PAGES", content.Memo(1024 * 1024))
    verify(booklet.output, doc)
    hits = content.PAGES.hits
    assert verify(booklet.output, doc).ok
    assert content.PAGES.hits - hits == pages
    assert 1024 * 1024 < content.PAGES.budget <= content.PAGES_MOST


def test_a_key_says_everything_the_reading_depends_on(booklet):
    """Two readers of one file give equal keys for a font and for a page's resources; a font
    that differs in any one of its objects (its ToUnicode bytes, a width, its descriptor), or
    the resources of a page that uses it, get another key."""
    from pypdf.generic import NameObject

    def font_of(reader):
        page = reader.pages[4]
        return next(f.get_object() for f in page["/Resources"]["/Font"].values())

    def key(reader, obj):
        return Walker(reader, memo=True).key(obj)

    a = PdfReader(booklet.output)
    assert key(a, font_of(a)) == key(PdfReader(booklet.output), font_of(PdfReader(booklet.output)))

    def tounicode(font):
        cmap = font["/ToUnicode"].get_object()
        cmap.set_data(cmap.get_data() + b" ")

    def default_width(font):
        cid = font["/DescendantFonts"][0].get_object()
        cid[NameObject("/DW")] = type(cid.get("/DW", 1000))(999)

    def ascent(font):
        desc = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
        desc[NameObject("/Ascent")] = type(desc["/Ascent"])(1)

    for change in (tounicode, default_width, ascent):
        b = PdfReader(booklet.output)
        change(font_of(b))
        assert key(a, font_of(a)) != key(b, font_of(b)), change.__name__

    # A page's resources say what their fonts say: one byte more in a ToUnicode map, and the
    # page's key (what the page memo is keyed by, with the content stream) changes.
    b = PdfReader(booklet.output)
    tounicode(font_of(b))
    assert key(a, a.pages[4]["/Resources"]) != key(b, b.pages[4]["/Resources"])
    assert key(a, a.pages[4]["/Resources"]) == key(PdfReader(booklet.output),
                                                    PdfReader(booklet.output).pages[4]["/Resources"])


def test_a_page_from_the_memo_is_the_page_walked_afresh(booklet, doc):
    """A page read from the memo (the booklet verified twice) gives the same runs, paints and
    MCIDs as a walk without the memos, and the same report."""
    from briefing.check.content import PAGES

    fresh = walk(PdfReader(booklet.output))
    Walker(PdfReader(booklet.output), memo=True).pages()  # fills the memo
    hits = PAGES.hits
    memo = list(Walker(PdfReader(booklet.output), memo=True).pages())
    assert PAGES.hits >= hits + len(fresh)
    assert [(p.number, p.runs, p.paints, p.mcids) for p in memo] == [(p.number, p.runs, p.paints, p.mcids) for p in fresh]
