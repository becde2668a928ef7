"""Finishing: one font per face, PDF/A-2b parts, page labels, reproducible bytes."""

from __future__ import annotations

import os
import shutil
import subprocess

import pikepdf
import pytest
from pypdf import PdfReader

from briefing.check.verify import verify
from briefing.commands.build import _charts, _layout, _load, build, build_time
from briefing.pdf.finish import finish
from briefing.typeset.styles import styles_for

from .conftest import DATA, EPOCH, SAMPLE


@pytest.fixture(scope="module")
def raw_and_finished(tmp_path_factory):
    """The same booklet straight from reportlab and after the finishing stage."""
    folder = tmp_path_factory.mktemp("finish")
    doc, fonts = _load(DATA)
    styles = styles_for("a4", fonts)
    charts = _charts(doc, fonts, styles.geometry.frame_width)
    raw, done = folder / "raw.pdf", folder / "done.pdf"
    _layout(doc, styles, charts, raw)
    finish(raw, done, doc, fonts, build_time())
    return raw, done, doc


def test_reportlab_alone_embeds_faces_several_times_and_verify_says_so(raw_and_finished):
    raw, _, doc = raw_and_finished
    report = verify(raw, doc)
    check = next(c for c in report.checks if c.name == "each face subset once")
    assert not check.ok and "NotoSerifSC-Regular embedded 4 times" in check.detail


def test_finished_booklet_embeds_each_face_once_as_cid_fonts(raw_and_finished):
    _, done, doc = raw_and_finished
    assert verify(done, doc).ok
    with pikepdf.open(done) as pdf:
        fonts = {str(f.BaseFont).split("+")[1]: f for f in pdf.pages[4].Resources.Font.values()}
        assert set(fonts) == {"NotoSerifSC-Regular", "NotoSansSC-Regular", "NotoSansSC-Bold"}
        for f in fonts.values():
            assert f.Subtype == "/Type0" and f.Encoding == "/Identity-H"
            assert f.DescendantFonts[0].Subtype == "/CIDFontType2"


def test_finishing_keeps_every_word(raw_and_finished):
    raw, done, _ = raw_and_finished
    before = ["".join(p.extract_text().split()) for p in PdfReader(raw).pages]
    after = ["".join(p.extract_text().split()) for p in PdfReader(done).pages]
    assert before == after


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")
def test_finishing_draws_exactly_the_same_pixels(raw_and_finished, tmp_path):
    from PIL import Image, ImageChops

    raw, done, _ = raw_and_finished
    for n in (1, 5, 15):
        pics = []
        for src, tag in ((raw, "a"), (done, "b")):
            # The CropBox: the raw page and the finished trimmed page (its bleed is outside it).
            subprocess.run(["pdftoppm", "-r", "40", "-cropbox", "-png", "-f", str(n), "-l", str(n), "-singlefile",
                            str(src), str(tmp_path / tag)], check=True)
            pics.append(Image.open(tmp_path / f"{tag}.png").convert("L"))
        assert ImageChops.difference(*pics).getbbox() is None, f"page {n} differs"


def test_smaller_than_reportlab_alone(raw_and_finished):
    raw, done, _ = raw_and_finished
    assert os.path.getsize(done) < 0.9 * os.path.getsize(raw)


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
