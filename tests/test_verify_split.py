"""Verification of a booklet split between two processes (``check.verify._StructureRead``): the
forked child reads the structure tree and walks and judges the last half of the pages; the
report is the one a single process makes, whatever the booklet and whatever is wrong in it,
and whatever goes wrong in the child."""

from __future__ import annotations

import os

import pikepdf
import pytest

import briefing.check.verify as verify_module
from briefing.cache import Cache
from briefing.check.verify import verify
from briefing.commands.build import build
from briefing.data.load import load

from .conftest import ROOT

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="the split needs fork")

CASES = [("data/yanfeng-2023.yaml", "a4"), ("data/yanfeng-2023.yaml", "a5"), ("data/sample-2024.yaml", "a4"),
         ("tests/data/edge-large.yaml", "a5"), ("tests/data/markup.yaml", "a4"), ("tests/data/edge-minimal.yaml", "a4")]


def _report(path, **kw):
    r = verify(path, **kw)
    return r.unreadable, r.pages, [(c.name, c.ok, c.detail) for c in r.checks], r.charts


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("split")
    return {(data, paper): (build(ROOT / data, out / f"{n}.pdf", paper=paper, cache=Cache(None)).output,
                            load(ROOT / data))
            for n, (data, paper) in enumerate(CASES)}


@pytest.mark.parametrize("case", CASES, ids=[f"{d.split('/')[-1]}-{p}" for d, p in CASES])
def test_the_split_report_is_the_single_process_one(built, case):
    path, doc = built[case]
    alone = _report(path, doc=doc, paper=case[1])
    assert alone[2] and all(ok for _, ok, _ in alone[2])
    assert _report(path, doc=doc, paper=case[1], parallel=True) == alone
    assert _report(path, doc=doc, paper=case[1], parallel=True, memo=False) == alone


def _late_page(pdf) -> int:
    """A page in the last half (the child's part), with text on it."""
    n = len(pdf.pages)
    return n - 2


def _text_off_its_frame(pdf):
    page = pdf.pages[_late_page(pdf)]
    data = page.Contents.read_bytes() if not isinstance(page.Contents, pikepdf.Array) else b""
    page.Contents = pdf.make_stream(data + b"\nBT /F1 12 Tf 1 0 0 1 2 2 Tm <0001> Tj ET")


def _unowned_mcid(pdf):
    page = pdf.pages[_late_page(pdf)]
    data = page.Contents.read_bytes()
    page.Contents = pdf.make_stream(data + b"\n/P <</MCID 999>> BDC EMC")


def _damaged_stream(pdf):
    page = pdf.pages[_late_page(pdf)]
    page.Contents = pdf.make_stream(b"BT /F1 12 Tf (unclosed")


def _first_page_damaged_too(pdf):
    _damaged_stream(pdf)
    pdf.pages[1].Contents = pdf.make_stream(b"BT /F1 12 Tf (unclosed")


@pytest.mark.parametrize("edit", [_text_off_its_frame, _unowned_mcid, _damaged_stream, _first_page_damaged_too])
def test_what_is_wrong_on_the_childs_pages_is_reported_as_by_one_process(built, tmp_path, edit):
    path, doc = built[CASES[0]]
    broken = tmp_path / "broken.pdf"
    with pikepdf.open(path) as pdf:
        edit(pdf)
        pdf.save(broken)
    alone = _report(broken, doc=doc)
    assert alone[0] or not all(ok for _, ok, _ in alone[2])  # the edit is found
    assert _report(broken, doc=doc, parallel=True) == alone


def test_a_child_that_fails_at_its_pages_means_they_are_walked_here(built, monkeypatch):
    path, doc = built[CASES[0]]
    alone = _report(path, doc=doc)
    parent = os.getpid()
    real = verify_module._walk_pages

    def dies_in_the_child(walker, pages, first, last):
        if os.getpid() != parent:
            os._exit(3)
        return real(walker, pages, first, last)

    monkeypatch.setattr(verify_module, "_walk_pages", dies_in_the_child)
    assert _report(path, doc=doc, parallel=True) == alone

    def raises_in_the_child(walker, pages, first, last):
        if os.getpid() != parent:
            raise ValueError("a page the child could not read")
        return real(walker, pages, first, last)

    monkeypatch.setattr(verify_module, "_walk_pages", raises_in_the_child)
    assert _report(path, doc=doc, parallel=True) == alone


def test_the_child_walks_the_last_third_of_pages_not_in_the_memo(built, monkeypatch):
    path, doc = built[CASES[0]]
    parent = os.getpid()
    walked = []
    real = verify_module._walk_pages

    def noted(walker, pages, first, last):
        if os.getpid() == parent:
            walked.append((first, last))
        return real(walker, pages, first, last)

    monkeypatch.setattr(verify_module, "_walk_pages", noted)
    report = verify(path, doc=doc, parallel=True, memo=False)
    n = report.pages
    assert walked == [(0, verify_module.child_from(n))]  # the rest came from the child

    # Pages the memo has (a rebuild's worker remembered the last booklet): the child's pages
    # are taken from the memo here too, sooner than the child would send them.
    verify(path, doc=doc)  # the memo filled
    walked.clear()
    assert _report(path, doc=doc, parallel=True) == _report(path, doc=doc)
    split = verify_module.child_from(n)
    assert walked[:2] == [(0, split), (split, n)]
