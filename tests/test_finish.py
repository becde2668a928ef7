"""Writing and finishing: one CID font per face (the pages reportlab's own embedding draws),
PDF/A-2b parts, page labels, reproducible bytes."""

from __future__ import annotations

import os
import shutil
import subprocess
from contextlib import contextmanager
from weakref import WeakKeyDictionary

import pikepdf
import pytest
from pypdf import PdfReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from briefing.check.verify import verify
from briefing.commands.build import _charts, _layout, _load, build, build_time
from briefing.pdf.finish import finish
from briefing.typeset.styles import styles_for

from .conftest import DATA, EPOCH, SAMPLE


@contextmanager
def reportlab_own_embedding(fonts):
    """While open, the booklet's faces are plain reportlab ``TTFont``s (simple fonts of up to
    256 glyphs each, reportlab's own way), with the same parsed faces and names."""
    saved = {}
    for name in fonts.names.values():
        ours = pdfmetrics.getFont(name)
        plain = TTFont.__new__(TTFont)
        plain.__dict__.update(ours.__dict__)
        plain.state = WeakKeyDictionary()
        saved[name] = ours
        pdfmetrics._fonts[name] = plain
    try:
        yield
    finally:
        pdfmetrics._fonts.update(saved)


@pytest.fixture(scope="module")
def plain_and_cid(tmp_path_factory):
    """The same booklet written with reportlab's own TrueType embedding and with ours, both
    finished; and our raw file straight from reportlab."""
    folder = tmp_path_factory.mktemp("finish")
    doc, fonts = _load(DATA)
    styles = styles_for("a4", fonts)
    plain_raw, plain, raw, done = (folder / f"{n}.pdf" for n in ("plain-raw", "plain", "raw", "done"))
    with reportlab_own_embedding(fonts):
        _layout(doc, styles, _charts(doc, fonts, styles.geometry.frame_width), plain_raw)
    finish(plain_raw, plain, doc, build_time())
    _layout(doc, styles, _charts(doc, fonts, styles.geometry.frame_width), raw)
    finish(raw, done, doc, build_time())
    return plain, raw, done, doc


def test_reportlab_alone_embeds_faces_several_times_and_verify_says_so(plain_and_cid):
    plain, _, _, doc = plain_and_cid
    report = verify(plain, doc)
    check = next(c for c in report.checks if c.name == "each face subset once")
    assert not check.ok and "NotoSerifSC-Regular embedded 4 times" in check.detail


def test_booklet_embeds_each_face_once_as_cid_fonts(plain_and_cid):
    _, raw, done, doc = plain_and_cid
    assert verify(done, doc).ok
    for path in (raw, done):  # written so by reportlab, not made so afterwards
        with pikepdf.open(path) as pdf:
            fonts = {str(f.BaseFont).split("+")[1]: f for f in pdf.pages[4].Resources.Font.values()}
            assert set(fonts) == {"NotoSerifSC-Regular", "NotoSansSC-Regular", "NotoSansSC-Bold"}
            for f in fonts.values():
                assert f.Subtype == "/Type0" and f.Encoding == "/Identity-H"
                assert f.DescendantFonts[0].Subtype == "/CIDFontType2"


def test_cid_fonts_keep_every_word_of_reportlabs_own_embedding(plain_and_cid):
    plain, raw, done, _ = plain_and_cid
    want = [p.extract_text() for p in PdfReader(plain).pages]
    assert [p.extract_text() for p in PdfReader(done).pages] == want
    assert [p.extract_text() for p in PdfReader(raw).pages] == want


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")
def test_cid_fonts_draw_exactly_the_pixels_of_reportlabs_own_embedding(plain_and_cid, tmp_path):
    from PIL import Image, ImageChops

    plain, raw, done, _ = plain_and_cid
    pics = {}
    for src in (plain, raw, done):
        # The CropBox: the raw page and the finished trimmed page (its bleed is outside it).
        subprocess.run(["pdftoppm", "-r", "50", "-cropbox", "-gray", str(src), str(tmp_path / src.stem)], check=True)
        pics[src] = sorted(tmp_path.glob(f"{src.stem}-*.pgm"))
    assert len(pics[plain]) == len(PdfReader(plain).pages) == len(pics[done]) == len(pics[raw])
    for ours in (raw, done):
        for n, (a, b) in enumerate(zip(pics[plain], pics[ours]), 1):
            assert ImageChops.difference(Image.open(a), Image.open(b)).getbbox() is None, f"{ours.name}: page {n}"


def test_smaller_than_reportlabs_own_embedding(plain_and_cid):
    plain, _, done, _ = plain_and_cid
    assert os.path.getsize(done) < 0.97 * os.path.getsize(plain)


def test_same_data_and_epoch_give_the_same_bytes(tmp_path):
    a = build(SAMPLE, tmp_path / "a.pdf").output.read_bytes()
    b = build(SAMPLE, tmp_path / "b.pdf").output.read_bytes()
    assert a == b


def test_metadata_page_labels_and_opening_view(booklet, doc):
    reader = PdfReader(booklet.output)
    meta = reader.metadata
    assert meta.title and meta.author == doc.meeting.office and meta.subject
    assert "两会" in meta["/Keywords"] and meta["/CreationDate"].startswith("D:20230320")
    root = reader.trailer["/Root"]
    assert root["/PageMode"] == "/UseOutlines" and root["/Lang"] == "zh-CN"
    labels = reader.page_labels
    assert labels[0] == doc.labels.cover and labels[-1] == doc.labels.back_cover
    for i in range(1, len(reader.pages) - 1):
        footer = reader.pages[i].extract_text().split()
        assert labels[i] == str(i + 1) and str(i + 1) in footer  # the label is the printed number


def test_pdfa_identification_and_output_intent(booklet):
    with pikepdf.open(booklet.output) as pdf:
        meta = pdf.open_metadata()
        assert meta["pdfaid:part"] == "2" and meta["pdfaid:conformance"] == "B"
        assert meta["xmp:CreateDate"].startswith("2023-03-20")
        intent = pdf.Root.OutputIntents[0]
        assert intent.S == "/GTS_PDFA1" and intent.DestOutputProfile.N == 3
        profile = intent.DestOutputProfile.read_bytes()
        assert profile[36:40] == b"acsp" and profile[16:20] == b"RGB "
        assert "/Filter" not in pdf.Root.Metadata
        for page in pdf.pages:
            for annot in page.get("/Annots", []):
                assert int(annot.F) & 4


def test_xmp_dates_follow_source_date_epoch():
    assert build_time().timestamp() == int(EPOCH)


def test_verify_reports_a_booklet_over_its_size_budget(booklet, doc):
    report = verify(booklet.output, doc, budget=100 * 1024)
    assert not report.ok and any("over the 100 KB budget" in f for f in report.failures())
