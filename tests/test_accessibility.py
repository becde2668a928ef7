"""The booklet is a tagged PDF/UA-1 and PDF/A-2b file: an independent checker (page-validation)
finds 0 failed rules on every shipped data file and fixture, A4 and A5; our own structural
checks pass and see what that checker misses; tagging changes neither the pages nor the text."""

from __future__ import annotations

import re
import shutil
import subprocess

import pikepdf
import pytest
from pypdf import PdfReader

from briefing.cache import Cache
from briefing.check.content import walk
from briefing.check.structure import check_structure
from briefing.check.verify import squeeze, verify
from briefing.commands.build import _charts, _layout, _load, build, build_time
from briefing.data.load import load
from briefing.pdf.finish import finish
from briefing.typeset.chartrules import booklet_charts
from briefing.typeset.styles import styles_for

from .conftest import DATA, ROOT

page = pytest.importorskip("page")  # page-validation: a test-only dependency

SOURCES = [DATA, ROOT / "data" / "sample-2024.yaml", *sorted((ROOT / "tests" / "data").glob("*.yaml"))]


@pytest.fixture(scope="module")
def booklets(tmp_path_factory):
    out = tmp_path_factory.mktemp("a11y")
    built = {}
    for data in SOURCES:
        for paper in ("a4", "a5"):
            built[data.stem, paper] = build(data, out / f"{data.stem}-{paper}.pdf", paper=paper,
                                            cache=Cache(None)).output
    return built


@pytest.mark.parametrize("profile", ["ua1", "2b"])
def test_an_independent_checker_finds_no_failed_rule(booklets, profile):
    failed = {}
    for (stem, paper), pdf in booklets.items():
        report = page.validate_pdf(str(pdf), profile=profile)
        if not report.is_compliant or report.rules.failed:
            failed[stem, paper] = sorted({f"{f.rule_id}: {f.message}" for f in report.failures})[:5]
    assert not failed, failed


def test_our_structural_checks_pass_on_every_booklet(booklets):
    for key, pdf in booklets.items():
        reader = PdfReader(str(pdf))
        assert check_structure(reader, walk(reader)) == [], key


def _tree(pdf):
    """(role, depth, attributes) of every structure element, in reading order."""
    out = []

    def visit(e, depth):
        if not isinstance(e, pikepdf.Dictionary) or e.get("/Type") not in (None, "/StructElem") or "/S" not in e:
            return
        out.append((str(e.S)[1:], depth, e))
        kids = e.get("/K")
        for k in (kids if isinstance(kids, pikepdf.Array) else [kids]):
            visit(k, depth + 1)

    visit(pdf.Root.StructTreeRoot.K, 0)
    return out


def test_the_tree_says_what_each_part_is(booklet, doc):
    with pikepdf.open(booklet.output) as pdf:
        tree = _tree(pdf)
        roles = [r for r, _, _ in tree]
        mapped = {str(k)[1:]: str(v)[1:] for k, v in pdf.Root.StructTreeRoot.RoleMap.items()}
        assert roles[0] == "Document"
        assert [r for r, d, _ in tree if d == 1] == ["Sect"] * len([r for r, d, _ in tree if d == 1])
        headings = [r for r in roles if re.fullmatch(r"H\d", r)]
        assert headings[0] == "H1"
        assert all(int(b[1]) <= int(a[1]) + 1 for a, b in zip(headings, headings[1:]))  # no level skipped
        assert headings.count("H2") >= len(doc.results.answers) + len(doc.plan.paths)
        # Tables: header cells scoped; every checklist row a TR; the check box cell an empty TD.
        assert roles.count("Table") >= len(doc.plan.paths)
        ths = [e for r, _, e in tree if r == "TH"]
        assert ths and all(e.A.Scope == "/Column" for e in ths)
        assert roles.count("TR") >= sum(len(p.targets) for p in doc.plan.paths)
        # Lists: one LI per achievement, each with its Lbl and LBody.
        assert roles.count("LI") == sum(len(a.achievements) for a in doc.results.answers)
        assert roles.count("Lbl") == roles.count("LBody") == roles.count("LI")
        # Figures: every chart, with its text alternative from the data, and its caption.
        alts = [str(e.Alt) for r, _, e in tree if r == "Figure"]
        assert alts == [spec.alt for spec in booklet_charts(doc)]
        assert roles.count("Caption") == len(alts)
        # The contents: one TOCI with one Link per entry; key figures, role-mapped to P.
        assert roles.count("TOCI") == roles.count("Link") >= len(doc.results.answers) + len(doc.plan.paths)
        assert mapped == {"FigureCard": "P"} and "FigureCard" in roles


def test_every_link_is_described_and_owned(booklet):
    with pikepdf.open(booklet.output) as pdf:
        links = [a for p in pdf.pages for a in (p.get("/Annots") or []) if a.Subtype == "/Link"]
        assert links
        for a in links:
            assert str(a.Contents).endswith("页") and "briefing-link" not in str(a.Contents)
            assert "/StructParent" in a
        assert all(p.Tabs == "/S" for p in pdf.pages if p.get("/Annots"))


def test_the_catalog_and_xmp_claim_what_the_file_is(booklet):
    with pikepdf.open(booklet.output) as pdf:
        assert pdf.Root.MarkInfo.Marked is True
        assert str(pdf.Root.Lang) == "zh-CN"
        assert pdf.Root.ViewerPreferences.DisplayDocTitle is True
        xmp = pdf.Root.Metadata.read_bytes().decode()
        assert "<pdfuaid:part>1</pdfuaid:part>" in xmp
        assert re.search(r"pdfaid:part[^>]*>?\s*2", xmp)


def test_the_imposition_claims_no_pdfua(tmp_path):
    result = build(ROOT / "tests" / "data" / "sample-small.yaml", tmp_path / "s.pdf", paper="a5", impose=True)
    with pikepdf.open(result.imposed) as pdf:
        xmp = pdf.Root.Metadata.read_bytes().decode() if "/Metadata" in pdf.Root else ""
        assert "pdfuaid" not in xmp
        assert "/MarkInfo" not in pdf.Root or not pdf.Root.MarkInfo.get("/Marked")


@pytest.fixture(scope="module")
def tagged_and_untagged(tmp_path_factory):
    """The sample laid out twice, with and without its structure."""
    folder = tmp_path_factory.mktemp("untagged")
    data = ROOT / "tests" / "data" / "sample-small.yaml"
    doc, fonts = _load(data)
    styles = styles_for("a4", fonts)
    charts = _charts(doc, fonts, styles.geometry.frame_width)
    made = {}
    for tagged in (True, False):
        raw, done = folder / f"{tagged}.raw.pdf", folder / f"{tagged}.pdf"
        _layout(doc, styles, charts, raw, tagged=tagged)
        finish(raw, done, doc, build_time())
        made[tagged] = done
    return made[True], made[False], load(data)


def test_an_untagged_build_fails_verification(tagged_and_untagged):
    _, untagged, doc = tagged_and_untagged
    failures = verify(untagged, doc).failures()
    assert any(f.startswith("tagged (PDF/UA-1 structure): ") and "no /StructTreeRoot" in f for f in failures)


def test_tagging_changes_no_text(tagged_and_untagged):
    tagged, untagged, _ = tagged_and_untagged
    assert [p.extract_text() for p in PdfReader(tagged).pages] == [p.extract_text() for p in PdfReader(untagged).pages]
    pdfium = pytest.importorskip("pypdfium2")

    def text(path):
        pdf = pdfium.PdfDocument(str(path))
        return [squeeze(pdf[i].get_textpage().get_text_range()) for i in range(len(pdf))]

    assert text(tagged) == text(untagged)
    if shutil.which("pdftotext"):
        out = [subprocess.run(["pdftotext", "-layout", str(p), "-"], capture_output=True, text=True).stdout
               for p in (tagged, untagged)]
        assert out[0] == out[1]


@pytest.mark.skipif(not shutil.which("pdftoppm"), reason="needs poppler's pdftoppm")
def test_tagging_changes_no_pixel(tagged_and_untagged, tmp_path):
    tagged, untagged, _ = tagged_and_untagged
    for name, pdf in (("t", tagged), ("u", untagged)):
        subprocess.run(["pdftoppm", "-r", "50", "-gray", str(pdf), str(tmp_path / name)], check=True)
    pages = sorted(tmp_path.glob("t-*.pgm"))
    assert pages
    for t in pages:
        assert t.read_bytes() == (tmp_path / t.name.replace("t-", "u-", 1)).read_bytes(), t.name


def test_a_broken_parent_tree_in_a_real_booklet_is_not_delivered(booklet, tmp_path):
    """page-validation does not notice a ParentTree that names the wrong elements; verify does."""
    with pikepdf.open(booklet.output) as pdf:
        nums = pdf.Root.StructTreeRoot.ParentTree.Nums
        entry = nums[3]  # page 2's MCIDs
        entry[0], entry[1] = entry[1], entry[0]
        pdf.save(tmp_path / "swapped.pdf")
    assert page.validate_pdf(str(tmp_path / "swapped.pdf"), profile="ua1").is_compliant  # the checker misses it
    failures = verify(tmp_path / "swapped.pdf").failures()
    assert any("ParentTree gives MCID" in f for f in failures), failures
