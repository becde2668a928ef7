"""Finishing and verifying in a forked worker (a fresh process's rebuild): the same file and
report as in process, the same messages, and nothing left behind whatever happens to it."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from briefing.commands.build import _finished, _layout, _Stages, _charts
from briefing.commands.finishjob import FinishJob, _worker
from briefing.check.verify import verify
from briefing.data.load import check_here, checked, load, parse
from briefing.errors import DataError
from briefing.errors import OutputError
from briefing.fork import Worker, WorkerFailed
from briefing.typeset.styles import styles_for

from .conftest import DATA, ROOT, run

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="the worker needs fork")
BUILT = dt.datetime(2023, 3, 20, tzinfo=dt.timezone.utc)


@pytest.fixture
def raw(doc, fonts, tmp_path) -> Path:
    """reportlab's raw file of the default booklet (its structure tree in it)."""
    styles = styles_for("a4", fonts)
    charts = _charts(doc, fonts, styles.geometry.frame_width)
    _layout(doc, styles, charts, tmp_path / "raw.pdf")
    return tmp_path / "raw.pdf"


def _in_process(doc, raw, tmp: Path):
    return _finished(None, raw, tmp, tmp, doc, BUILT, "a4", _Stages(None))


def test_the_worker_gives_the_same_file_and_report(doc, raw, tmp_path):
    raw_pdf = raw
    here = _in_process(doc, raw_pdf, tmp_path / "here.pdf")
    stages = _Stages(None)
    job = FinishJob(Worker(_worker))
    there = _finished(job, raw_pdf, tmp_path / "there.pdf", tmp_path / "there.pdf", doc, BUILT, "a4",
                      stages)
    assert job.pid is None  # reaped
    assert (tmp_path / "there.pdf").read_bytes() == (tmp_path / "here.pdf").read_bytes()
    assert there.ok and [(c.name, c.ok, c.detail) for c in there.checks] == \
        [(c.name, c.ok, c.detail) for c in here.checks]
    assert set(stages.timings) == {"归档 finish", "检查 PDF verify"}


@pytest.mark.parametrize("last", ["the booklet", "not a PDF", "too large", "gone"])
def test_a_worker_that_read_the_last_booklet_first_gives_the_same_file_and_report(doc, raw, tmp_path, last):
    """The worker reads the booklet the build replaces while the layout runs (its memos then
    hold what did not change): whatever that file is, the file and report are the same."""
    raw_pdf = raw
    here = _in_process(doc, raw_pdf, tmp_path / "here.pdf")
    previous = tmp_path / "last.pdf"
    if last == "the booklet":
        previous.write_bytes((tmp_path / "here.pdf").read_bytes())
    elif last == "not a PDF":
        previous.write_bytes(b"%PDF-1.7\n" + os.urandom(4000))
    elif last == "too large":
        previous.write_bytes((tmp_path / "here.pdf").read_bytes() + b" " * (2 << 20))
    job = FinishJob(Worker(lambda requests, replies: _worker(requests, replies, previous)))
    job.check(parse(DATA).data)()  # as a build asks first: the worker reads the last booklet after
    there = _finished(job, raw_pdf, tmp_path / "there.pdf", tmp_path / "there.pdf", doc, BUILT, "a4",
                      _Stages(None))
    assert job.pid is None
    assert (tmp_path / "there.pdf").read_bytes() == (tmp_path / "here.pdf").read_bytes()
    assert there.ok and [(c.name, c.ok, c.detail) for c in there.checks] == \
        [(c.name, c.ok, c.detail) for c in here.checks]


def test_the_raw_file_stops_the_reading_of_the_last_booklet(doc, raw, tmp_path):
    """The last booklet is read only while the layout runs: a file at the output path that
    takes minutes to read (a few KB of pages of a million operations each) does not hold up
    the build, which gives the same file and report."""
    import zlib

    import pikepdf

    raw_pdf = raw
    here = _in_process(doc, raw_pdf, tmp_path / "here.pdf")
    slow = pikepdf.new()
    ops = slow.make_indirect(pikepdf.Stream(slow, zlib.compress(b"q Q " * 1_000_000, 9)))
    ops.Filter = pikepdf.Name.FlateDecode
    for n in range(100):  # resources of its own: no page is read from the memo of another
        slow.pages.append(pikepdf.Page(pikepdf.Dictionary(Type=pikepdf.Name.Page, MediaBox=[0, 0, 595, 842],
                                                          Contents=ops, Resources=pikepdf.Dictionary(N=n))))
    slow.save(tmp_path / "last.pdf")
    assert (tmp_path / "last.pdf").stat().st_size < 50_000
    job = FinishJob(Worker(lambda requests, replies: _worker(requests, replies, tmp_path / "last.pdf")))
    job.check(parse(DATA).data)()
    began = time.monotonic()
    there = _finished(job, raw_pdf, tmp_path / "there.pdf", tmp_path / "there.pdf", doc, BUILT, "a4",
                      _Stages(None))
    assert time.monotonic() - began < 20  # reading the last file alone takes two minutes here
    assert job.pid is None
    assert (tmp_path / "there.pdf").read_bytes() == (tmp_path / "here.pdf").read_bytes()
    assert [(c.name, c.ok, c.detail) for c in there.checks] == [(c.name, c.ok, c.detail) for c in here.checks]


def test_the_worker_checks_a_data_file_as_this_process_does(tmp_path):
    """A rebuild's values are checked against the model in the worker (pydantic is its import):
    the same model for a good file, the same messages, in the same order, for a bad one."""
    parsed = parse(DATA)
    job = FinishJob(Worker(_worker))
    assert checked(parsed, job.check(parsed.data)) == load(DATA)
    job.close()
    bad = tmp_path / "bad.yaml"
    bad.write_text(DATA.read_text(encoding="utf-8").replace("year: 2023", "year: 两千", 1)
                   .replace("unit: 亿元, chart", "unit: 亿元, colour: red, chart", 1)
                   .replace("value: 4.05", "value: '4.05'", 1), encoding="utf-8")
    parsed = parse(bad)
    with pytest.raises(DataError) as here:
        checked(parsed, check_here(parsed.data))
    job = FinishJob(Worker(_worker))
    with pytest.raises(DataError) as there:
        checked(parsed, job.check(parsed.data))
    job.close()
    assert len(here.value.problems) == 3
    assert [str(p) for p in there.value.problems] == [str(p) for p in here.value.problems]


@pytest.mark.parametrize("how", ["dead before", "fails"])
def test_a_worker_that_cannot_check_means_this_process_checks(how):
    parsed = parse(DATA)
    if how == "dead before":
        job = FinishJob(Worker(_worker))
        os.kill(job.pid, signal.SIGKILL)
    else:
        job = FinishJob(Worker(lambda r, w: (_ for _ in ()).throw(RuntimeError("no pydantic here"))))
    assert checked(parsed, job.check(parsed.data)) == load(DATA)
    job.close()


def test_a_rebuild_lays_out_without_pydantic_and_the_finishing_libraries(tmp_path):
    """The point of the worker: a fresh rebuild's own process never imports pydantic, pikepdf
    or pypdf (the worker checks, finishes and verifies), and delivers the same file."""
    cache, out = tmp_path / "cache", tmp_path / "b.pdf"
    env = dict(os.environ, BRIEFING_SERVER="0", XDG_CACHE_HOME=str(cache), SOURCE_DATE_EPOCH="1679270400")
    assert run("build", str(DATA), "-o", str(tmp_path / "first.pdf"), env=env).returncode == 0
    script = ("import sys; from briefing.commands.entry import main; "
              f"code = main(['build', {str(DATA)!r}, '-o', {str(out)!r}, '-q']); "
              "print(code, sorted(m for m in ('pydantic', 'pikepdf', 'pypdf') if m in sys.modules))")
    r = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True)
    assert r.stdout.split("\n")[0] == "0 []", r.stderr
    assert out.read_bytes() == (tmp_path / "first.pdf").read_bytes()


def test_a_worker_that_dies_means_this_process_finishes(doc, raw, tmp_path):
    raw_pdf = raw
    here = _in_process(doc, raw_pdf, tmp_path / "here.pdf")
    job = FinishJob(Worker(_worker))
    os.kill(job.pid, signal.SIGKILL)
    with pytest.raises(WorkerFailed):
        FinishJob(Worker(lambda r, w: os._exit(1))).run(raw_pdf, tmp_path / "x.pdf", tmp_path / "x.pdf", doc,
                                                         BUILT, "a4")
    report = _finished(job, raw_pdf, tmp_path / "b.pdf", tmp_path / "b.pdf", doc, BUILT, "a4",
                       _Stages(None))
    assert job.pid is None
    assert report.ok and (tmp_path / "b.pdf").read_bytes() == (tmp_path / "here.pdf").read_bytes()


def test_a_write_error_in_the_worker_is_the_message_this_process_gives(doc, raw, tmp_path):
    raw_pdf = raw
    missing = tmp_path / "gone" / "b.pdf"  # its folder does not exist: the save fails
    with pytest.raises(OutputError) as here:
        _in_process(doc, raw_pdf, missing)
    with pytest.raises(OutputError) as there:
        FinishJob(Worker(_worker)).run(raw_pdf, missing, missing, doc, BUILT, "a4")
    assert str(there.value) == str(here.value) and "b.pdf" in str(there.value)


def test_an_unused_worker_is_stopped_and_reaped():
    job = FinishJob(Worker(_worker))
    pid = job.pid
    job.close()
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def test_only_a_process_without_the_libraries_starts_one():
    import pikepdf  # noqa: F401
    import pypdf  # noqa: F401

    assert FinishJob.start() is None  # this one has them: finishing here costs no import


def test_a_fresh_rebuild_is_the_same_with_and_without_the_worker(tmp_path):
    cache = tmp_path / "cache"
    outs = []
    for n, flag in enumerate(("1", "0", "1")):
        out = tmp_path / f"w{n}.pdf"
        env = dict(os.environ, BRIEFING_FINISH_WORKER=flag, BRIEFING_SERVER="0", XDG_CACHE_HOME=str(cache))
        r = run("build", str(DATA), "-o", str(out), env=env)
        assert r.returncode == 0, r.stderr
        assert "归档 finish" in r.stderr and "检查 PDF verify" in r.stderr
        outs.append(out.read_bytes())
    assert outs[0] == outs[1] == outs[2]


def _workers_of(out: Path, grace: float = 2.0) -> list[int]:
    """Processes still running a build of ``out`` after ``grace`` seconds (a worker left
    behind would be one; a worker that sent its last reply may still be exiting, which takes
    some 10 ms: ``fork.Worker.close``)."""
    deadline = time.monotonic() + grace
    while True:
        found = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    if str(out).encode() in (entry / "cmdline").read_bytes():
                        found.append(int(entry.name))
                except OSError:
                    pass
        if not found or time.monotonic() > deadline:
            return found
        time.sleep(0.01)


@pytest.mark.skipif(not Path("/proc/self/cmdline").exists(), reason="looks for processes in /proc")
def test_a_stop_while_the_worker_finishes_leaves_nothing_behind(tmp_path):
    """SIGTERM at growing delays into a warm rebuild (so its finishing runs in the worker): at
    least one lands after the layout, while the worker finishes or verifies; none leaves a
    temporary file, a worker or a changed booklet behind."""
    from .test_output_safety import temps

    folder = tmp_path / "out"
    folder.mkdir()
    out = folder / "b.pdf"
    env = dict(os.environ, BRIEFING_SERVER="0", XDG_CACHE_HOME=str(tmp_path / "cache"))
    assert run("build", str(DATA), "-o", str(out), "-q", env=env).returncode == 0  # warm: no chart worker
    after_layout = 0
    for steps in range(40):  # 10 ms apart: finishing and verifying take some 50 ms in the worker
        out.write_bytes(b"%PDF-1.7 the last good booklet")
        proc = subprocess.Popen([sys.executable, "-m", "briefing", "build", str(DATA), "-o", str(out)], cwd=ROOT,
                                env=env, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while not temps(folder) and proc.poll() is None:
            assert time.monotonic() < deadline
            time.sleep(0.002)
        time.sleep(steps * 0.01)
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
        assert "Traceback" not in err
        if proc.returncode == 0:  # done before the signal came: later delays would be too
            break
        assert proc.returncode == 143, err
        assert temps(folder) == [] and _workers_of(out) == []
        if out.read_bytes() != b"%PDF-1.7 the last good booklet":  # the signal came after delivery:
            assert verify(out, parallel=True).ok  # then the new booklet is whole and verified
            break
        after_layout += "layout+write" in err and "检查 PDF verify" not in err
    assert after_layout, "no signal landed while the worker finished or verified"


@pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="reads the process's mapped libraries")
def test_watch_finishes_in_process_after_its_first_build(tmp_path):
    """The first build of `watch` checks and finishes in a worker (a fresh process); the watch
    process then imports pydantic, pikepdf and pypdf itself while the editor works, so that no
    later build forks a worker that imports them again (slower than finishing in process), nor
    waits for pydantic's import and validator."""
    data = tmp_path / "d.yaml"
    data.write_text(DATA.read_text(encoding="utf-8"), encoding="utf-8")
    env = dict(os.environ, BRIEFING_SERVER="0", XDG_CACHE_HOME=str(tmp_path / "cache"))
    # A warm cache: watch's first build is a rebuild, finished by a worker (a cold one imports
    # the finishing stages itself while it waits for its charts).
    assert run("build", str(data), "-o", str(tmp_path / "w.pdf"), "-q", env=env).returncode == 0
    proc = subprocess.Popen([sys.executable, "-m", "briefing", "watch", str(data), "-o", str(tmp_path / "w.pdf")],
                            cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
    try:
        for line in proc.stderr:
            if "watching for changes" in line:
                break
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            maps = Path(f"/proc/{proc.pid}/maps").read_text()
            if "pikepdf" in maps:
                break
            time.sleep(0.05)
        assert "pikepdf" in maps  # its extension module is loaded in the watch process itself
        while time.monotonic() < deadline:
            maps = Path(f"/proc/{proc.pid}/maps").read_text()
            if "pydantic_core" in maps:
                break
            time.sleep(0.05)
        # The first build's check ran in the worker too: the next one's is made here, so the
        # watch process imports pydantic (and builds its validator) while the editor works.
        assert "pydantic_core" in maps
    finally:
        proc.terminate()  # perhaps while that import runs: the stop is then raised by the poll
        code = proc.wait(timeout=30)
    assert code == 143
