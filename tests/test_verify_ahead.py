"""Verification's forked process started while the raw file is finished (``check.verify.Ahead``):
it walks the raw file's pages from the last one back into its memos, then verifies its part of
the finished file. The report is the one a single process makes, whatever it walked, whatever
changed between the raw and the finished file, and whatever goes wrong in it."""

from __future__ import annotations

import os
import shutil
import time

import pikepdf
import pytest

import briefing.check.verify as verify_module
from briefing.cache import Cache
from briefing.check.verify import SPLIT_FROM, Ahead, verify
from briefing.commands import build as build_module
from briefing.commands.build import build
from briefing.data.load import load

from .conftest import ROOT
from .test_chartjob import _gone

pytestmark = pytest.mark.skipif(not hasattr(os, "fork") or not verify_module.two_cores(),
                                reason="the process ahead needs fork and two cores")

CASES = [("data/yanfeng-2023.yaml", "a4"), ("data/yanfeng-2023.yaml", "a5"), ("data/sample-2024.yaml", "a4"),
         ("tests/data/edge-minimal.yaml", "a4")]


def _report(r):
    return r.unreadable, r.pages, [(c.name, c.ok, c.detail) for c in r.checks], r.charts


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """(raw file, finished booklet, model) of each case: the raw file as the layout wrote it."""
    out = tmp_path_factory.mktemp("ahead")
    real = build_module._layout
    made = {}
    for n, (data, paper) in enumerate(CASES):
        raw = out / f"{n}.raw"

        def kept(doc, styles, charts, target, *args, _raw=raw, **kwargs):
            found = real(doc, styles, charts, target, *args, **kwargs)
            shutil.copyfile(target, _raw)
            return found

        with pytest.MonkeyPatch.context() as m:
            m.setattr(build_module, "_layout", kept)
            booklet = build(ROOT / data, out / f"{n}.pdf", paper=paper, cache=Cache(None)).output
        made[(data, paper)] = (raw, booklet, load(ROOT / data))
    return made


def _walked_back_in(monkeypatch, tmp_path):
    """A file the process ahead writes how many raw pages it walked to, once it stopped."""
    note = tmp_path / "walked"
    real = verify_module._walk_back

    def noted(*args):
        covered, fresh = real(*args)
        note.write_text(f"{covered} {fresh}")
        return covered, fresh

    monkeypatch.setattr(verify_module, "_walk_back", noted)
    return note


def _pages_walked(monkeypatch, tmp_path):
    """A file each process appends (pid, first, last, pages walked and not taken from the memo)
    to for every run of pages it walks."""
    note = tmp_path / "pages"
    real = verify_module._walk_pages

    def noted(walker, pages, first, last):
        before = walker.walked
        found = real(walker, pages, first, last)
        with open(note, "a") as f:
            f.write(f"{os.getpid()} {first} {last} {walker.walked - before}\n")
        return found

    monkeypatch.setattr(verify_module, "_walk_pages", noted)
    return note


@pytest.mark.parametrize("case", CASES, ids=[f"{d.split('/')[-1]}-{p}" for d, p in CASES])
def test_a_verification_ahead_reports_what_one_process_reports(built, case):
    raw, booklet, doc = built[case]
    alone = _report(verify(booklet, doc, case[1]))
    assert alone[2] and all(ok for _, ok, _ in alone[2])
    for wait in (0.0, 0.3):  # the file given at once, or after the raw file was walked
        ahead = Ahead.start(raw, case[1])
        assert ahead is not None
        time.sleep(wait)
        try:
            assert _report(verify(booklet, doc, case[1], parallel=True, memo=False, ahead=ahead)) == alone
        finally:
            ahead.close()


def _forget_pages() -> None:
    """Empty the verification memos, as in a fresh process (a cold build)."""
    from briefing.check import content

    for memo in (content.TOKENS, content.FONTS, content.PAGES, content._SAME):
        memo.clear()


def test_the_pages_walked_ahead_are_not_walked_again_and_are_the_childs(built, monkeypatch, tmp_path):
    raw, booklet, doc = built[CASES[0]]
    _forget_pages()
    walked_back = _walked_back_in(monkeypatch, tmp_path)
    pages = _pages_walked(monkeypatch, tmp_path)
    alone = _report(verify(booklet, doc, "a4", memo=False))
    pages.unlink()

    # It walks until the file comes: given once it has walked every raw page (it notes how
    # many when it stops), every page of the child's part is in its memo.
    ahead = Ahead.start(raw, "a4")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not walked_back.exists():
        time.sleep(0.01)
    try:
        report = verify(booklet, doc, "a4", parallel=True, memo=False, ahead=ahead)
    finally:
        ahead.close()
    assert _report(report) == alone
    n = report.pages
    assert n >= SPLIT_FROM
    covered, fresh = map(int, walked_back.read_text().split())
    assert covered == fresh == n  # walked all, none in the memo before
    runs = [tuple(map(int, line.split())) for line in pages.read_text().splitlines()]
    here = [r for r in runs if r[0] == os.getpid()]
    there = [r for r in runs if r[0] != os.getpid()]
    split = verify_module.ahead_from(n, covered, fresh)
    assert split == 0
    assert [r[1:3] for r in here] == [(0, split)]  # this process walked only the pages before the split
    assert [r[1:3] for r in there] == [(split, n)]  # the child took every page it walked ahead
    assert there[0][3] == 0  # and read them all from its memo


def test_pages_the_memo_had_before_stay_here_as_in_a_rebuild(built, monkeypatch, tmp_path):
    """Forked with the memos full (a rebuild's worker read the last booklet), it finds the raw
    pages there: it takes the last half as without it, and this process, whose memos are as
    full, takes those pages from them instead of waiting for it."""
    raw, booklet, doc = built[CASES[0]]
    verify(booklet, doc, "a4")  # the memos filled
    walked_back = _walked_back_in(monkeypatch, tmp_path)
    pages = _pages_walked(monkeypatch, tmp_path)
    ahead = Ahead.start(raw, "a4")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not walked_back.exists():
        time.sleep(0.01)
    try:
        report = verify(booklet, doc, "a4", parallel=True, ahead=ahead)
    finally:
        ahead.close()
    n = report.pages
    covered, fresh = map(int, walked_back.read_text().split())
    assert (covered, fresh) == (n, 0)
    split = verify_module.child_from(n)
    runs = [tuple(map(int, line.split())) for line in pages.read_text().splitlines()]
    assert [r[1:] for r in runs if r[0] == os.getpid()] == [(0, split, 0), (split, n, 0)]


def test_what_the_finishing_changed_on_a_page_walked_ahead_is_found(built, tmp_path):
    """A page of the finished file that is not the raw file's page (here: text drawn off the
    page, an MCID the tree does not own, a stream that cannot be read) is walked as it is."""
    raw, booklet, doc = built[CASES[0]]
    for edit in (b"\nBT /F1 12 Tf 1 0 0 1 2 2 Tm <0001> Tj ET", b"\n/P <</MCID 999>> BDC EMC", None):
        broken = tmp_path / "broken.pdf"
        with pikepdf.open(booklet) as pdf:
            page = pdf.pages[len(pdf.pages) - 2]  # in the child's part
            page.Contents = pdf.make_stream(page.Contents.read_bytes() + edit if edit else b"BT /F1 12 Tf (unclosed")
            pdf.save(broken)
        alone = _report(verify(broken, doc, "a4"))
        assert alone[0] or not all(ok for _, ok, _ in alone[2])  # the edit is found
        ahead = Ahead.start(raw, "a4")
        time.sleep(0.3)
        try:
            assert _report(verify(broken, doc, "a4", parallel=True, ahead=ahead)) == alone
        finally:
            ahead.close()


def test_a_process_ahead_that_fails_means_one_is_forked_as_without_it(built, monkeypatch, tmp_path):
    raw, booklet, doc = built[CASES[0]]
    alone = _report(verify(booklet, doc, "a4"))
    parent = os.getpid()
    real_reader = verify_module.reader_of

    def dies_there(data):
        if os.getpid() != parent:
            os._exit(3)
        return real_reader(data)

    def raises_there(data):
        if os.getpid() != parent:
            raise ValueError("could not read it there")
        return real_reader(data)

    for fails in (dies_there, raises_there):
        with monkeypatch.context() as m:
            m.setattr(verify_module, "reader_of", fails)
            ahead = Ahead.start(raw, "a4")
            try:
                assert _report(verify(booklet, doc, "a4", parallel=True, ahead=ahead)) == alone
            finally:
                ahead.close()

    # Not a PDF where the raw file should be: nothing walked ahead, the same report.
    junk = tmp_path / "junk.raw"
    junk.write_bytes(b"not a pdf" * 100)
    for raw_file in (junk, tmp_path / "missing.raw"):
        ahead = Ahead.start(raw_file, "a4")
        try:
            assert _report(verify(booklet, doc, "a4", parallel=True, ahead=ahead)) == alone
        finally:
            ahead.close()


def test_a_process_ahead_never_given_a_file_is_stopped_and_reaped(built):
    raw, _, _ = built[CASES[0]]
    ahead = Ahead.start(raw, "a4")
    pid = ahead._worker.pid
    ahead.close()
    _gone(pid)
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
