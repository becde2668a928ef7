"""The real 2023 booklet, built once per session, read back through pypdf (and poppler)."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from pypdf import PdfReader

from briefing.check.verify import _embedded, _fonts_in, squeeze
from briefing.typeset.linebreak import violations
from briefing.typeset.paper import PAPERS


def test_build_verified_and_reported_every_check(booklet):
    r = booklet.report
    assert r.ok, r.failures()
    names = {c.name for c in r.checks}
    assert {"fonts embedded", "outline", "figures in text", "page count", "metadata"} <= names


def test_every_font_is_embedded_and_only_noto(booklet):
    reader = PdfReader(booklet.output)
    seen = set()
    for page in reader.pages:
        for name, font in _fonts_in(page.get("/Resources"), set()):
            seen.add(name)
            assert _embedded(font), name
    families = {re.sub(r"^/[A-Z]{6}\+", "", n) for n in seen}
    assert families == {"NotoSerifSC-Regular", "NotoSansSC-Regular", "NotoSansSC-Bold"}
    assert all(re.match(r"^/[A-Z]{6}\+", n) for n in seen), "every font must be a subset"


def test_page_size_and_count(booklet, doc):
    reader = PdfReader(booklet.output)
    a4 = PAPERS["a4"]
    for page in reader.pages:  # the trimmed page; the MediaBox also holds 3 mm of bleed
        assert abs(float(page.trimbox.width) - a4.width) < 1
        assert abs(float(page.trimbox.height) - a4.height) < 1
        assert abs(float(page.mediabox.width) - a4.width - 6 * 72 / 25.4) < 1
    assert len(reader.pages) >= 6 + len(doc.results.answers) + len(doc.plan.paths)


def test_outline_has_every_section_answer_and_path(booklet, doc):
    reader = PdfReader(booklet.output)
    top, children = [], []
    for item in reader.outline:
        if isinstance(item, list):
            children += [c.title for c in item]
        else:
            top.append(item.title)
    for a in doc.results.answers:
        assert f"{a.ordinal}\u3000{a.title}" in children
    for p in doc.plan.paths:
        assert f"{p.ordinal}\u3000{p.title}" in children
    for t in (doc.labels.contents, doc.results.title, doc.plan.title, doc.labels.notes):
        assert t in top


def test_every_figure_of_the_data_is_in_the_text(booklet_text, doc):
    flat = squeeze("".join(booklet_text))
    figures = doc.figures()
    assert len(figures) > 80  # the article has this many figures; a shrinking list is a bug
    missing = [f for f in figures if squeeze(f) not in flat]
    assert not missing


def test_the_article_text_comes_back_exactly(booklet_text, doc):
    flat = squeeze("".join(booklet_text))
    paragraphs = doc.foreword + [p for a in doc.results.answers for p in a.paragraphs]
    paragraphs += [p for p in doc.plan.paths for p in p.paragraphs]
    for para in paragraphs:
        assert squeeze(para) in flat, para[:30]


def test_no_line_breaks_a_clreq_rule(booklet_text):
    bad = [v for t in booklet_text for v in violations(t.splitlines())]
    assert not bad


def test_metadata_and_language(booklet, doc):
    reader = PdfReader(booklet.output)
    meta = reader.metadata
    assert meta.title.startswith(doc.meeting.name)
    assert meta.author == doc.meeting.office
    assert meta.subject
    assert reader.trailer["/Root"]["/Lang"] == "zh-CN"


def test_contents_entries_link_to_their_pages(booklet):
    reader = PdfReader(booklet.output)
    contents_page = reader.pages[1]
    links = [a.get_object() for a in contents_page.get("/Annots", [])]
    links = [a for a in links if a.get("/Subtype") == "/Link"]
    assert len(links) >= 11 + 5  # answers, paths and the top-level sections


def test_charts_are_vector_not_images(booklet):
    reader = PdfReader(booklet.output)
    for page in reader.pages:
        xobjects = page.get("/Resources", {}).get("/XObject", {})
        for x in xobjects.values():
            assert x.get_object().get("/Subtype") != "/Image"


def test_chart_labels_are_text(booklet_text, doc):
    flat = squeeze("".join(booklet_text))
    charted = [m for a in doc.results.answers for m in a.metrics if m.chart]
    assert charted
    for m in charted:
        assert squeeze(m.label) in flat


poppler = pytest.mark.skipif(shutil.which("pdffonts") is None, reason="poppler-utils not installed")


@poppler
def test_pdffonts_lists_every_font_embedded_and_subset(booklet):
    out = subprocess.run(["pdffonts", str(booklet.output)], capture_output=True, text=True, check=True).stdout
    rows = out.splitlines()[2:]
    assert rows
    for row in rows:
        cols = row.split()
        emb, sub, uni = cols[-5], cols[-4], cols[-3]
        assert (emb, sub, uni) == ("yes", "yes", "yes"), row
        assert "Helvetica" not in row


@poppler
def test_pdftotext_gives_the_chinese_back(booklet, doc):
    out = subprocess.run(["pdftotext", str(booklet.output), "-"], capture_output=True, text=True,
                         check=True).stdout
    flat = squeeze(out)
    for para in doc.foreword + [p for a in doc.results.answers for p in a.paragraphs]:
        assert squeeze(para) in flat
    lines = [l.strip() for l in out.splitlines()]
    assert not violations(lines)
