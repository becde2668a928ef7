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


def _contents_numbers(pdf) -> list[tuple[str, str, int, str]]:
    """(entry, number printed at its row's end, the page its link goes to, the link's
    description) of every contents entry: the numbers are drawn when the file is saved."""
    from briefing.check.verify import placed_text

    reader = PdfReader(pdf)
    found = []
    for page in reader.pages:
        runs = None
        for annot in page.get("/Annots", []):
            a = annot.get_object()
            text = str(a.get("/Contents", ""))
            if a.get("/Subtype") != "/Link" or not text.endswith("页"):
                continue
            runs = runs if runs is not None else placed_text(page)
            x0, y0, x1, y1 = (float(v) for v in a["/Rect"])
            digits = [(x, t) for x, y, t in runs if t.strip().isdigit() and x0 <= x <= x1 and y0 <= y <= y1]
            number = max(digits)[1].strip() if digits else ""
            target = reader.get_page_number(a["/Dest"][0].get_object())
            found.append((text.rsplit("，第", 1)[0], number, target, text))
    return found


@pytest.mark.parametrize("data, paper", [("data/yanfeng-2023.yaml", "a4"), ("data/yanfeng-2023.yaml", "a5"),
                                         ("tests/data/edge-large.yaml", "a4"), ("many-sections", "a5")])
def test_each_contents_number_is_the_page_its_heading_is_on(data, paper, tmp_path):
    """What the contents print, what their links say and where they go agree, on every entry:
    the printed page number is the page's index + 1 (the cover is page 1)."""
    from briefing.cache import Cache
    from briefing.commands.build import build

    from .conftest import ROOT

    if data == "many-sections":  # contents over several pages
        import yaml

        raw = yaml.safe_load((ROOT / "data" / "yanfeng-2023.yaml").read_text(encoding="utf-8"))
        first = raw["results"]["answers"][0]
        raw["results"]["answers"] += [dict(first, id=f"extra-{n}", title=f"{first['title']}（{n}）",
                                           metrics=[dict(m, id=f"{m['id']}-{n}") for m in first.get("metrics", [])])
                                      for n in range(2, 30)]
        data = tmp_path / "many.yaml"
        data.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    out = build(ROOT / data, tmp_path / "b.pdf", paper=paper, cache=Cache(None)).output
    entries = _contents_numbers(out)
    assert len(entries) >= 9
    for title, number, target, text in entries:
        assert number == str(target + 1) and text == f"{title}，第{number}页", (title, number, target)


def test_contents_ask_another_pass_only_for_other_entries_or_longer_numbers(fonts):
    """One pass is kept when the entries found are those planned and every number fits the
    room left for it; otherwise the pass is laid out again with what it found."""
    from briefing.typeset.contents import DIGITS, Contents
    from briefing.typeset.styles import styles_for

    styles = styles_for("a4", fonts)
    toc = Contents(styles, [(styles.body, 0.0, 0.0)])
    toc.plan([(0, "前言", "foreword"), (0, "结语", "closing")])
    toc._entries = [(0, "前言", 3, "foreword"), (0, "结语", 999, "closing")]
    assert toc.isSatisfied() and toc.digits == DIGITS == 3
    toc._entries = [(0, "前言", 3, "foreword"), (0, "结语", 1000, "closing")]
    assert not toc.isSatisfied() and toc.digits == 4 and toc.number_room(styles.body) > 0
    assert toc.isSatisfied()  # the next pass, same pages: kept
    toc._entries = [(0, "前言", 3, "foreword")]
    assert not toc.isSatisfied() and toc.planned == [(0, "前言", "foreword")]
