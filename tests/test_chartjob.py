"""Charts drawn by a forked worker while the text is laid out: the same file as without one."""

from __future__ import annotations

import os
import signal
from dataclasses import replace
from pathlib import Path

import pytest

from briefing.cache import Cache
from briefing.commands.build import _charts, _layout, build
from briefing.typeset.chartjob import ChartJob, WorkerFailed
from briefing.typeset.charts import chart_size
from briefing.typeset.chartslot import ChartSlot
from briefing.typeset.styles import styles_for

from .conftest import DATA, ROOT

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="the chart worker needs fork")
REVIEW = ROOT / "data" / "sample-2024.yaml"  # has the review's attainment charts too


@pytest.mark.parametrize("data", [DATA, REVIEW], ids=["yanfeng", "review"])
def test_cold_build_with_worker_is_byte_identical_to_one_without(data, tmp_path):
    alone = build(data, tmp_path / "alone.pdf", cache=Cache(None))
    worked = build(data, tmp_path / "worked.pdf", cache=Cache(None), chart_worker=True)
    assert worked.output.read_bytes() == alone.output.read_bytes()


def test_worker_fills_the_cache_as_a_build_without_one_would(tmp_path):
    worked, alone = Cache(tmp_path / "worked"), Cache(tmp_path / "alone")
    first = build(DATA, tmp_path / "a.pdf", cache=worked, chart_worker=True)  # no hint yet: a worker
    build(DATA, tmp_path / "b.pdf", cache=alone)
    charts = sorted(p.name for p in (tmp_path / "worked" / "charts").iterdir())
    assert charts and charts == sorted(p.name for p in (tmp_path / "alone" / "charts").iterdir())
    again = build(DATA, tmp_path / "c.pdf", cache=worked, chart_worker=True)  # every chart a cache hit
    assert again.output.read_bytes() == first.output.read_bytes()
    assert sorted(p.name for p in (tmp_path / "worked" / "charts").iterdir()) == charts


@pytest.mark.parametrize("paper", ["a4", "a5"])
def test_the_size_known_beforehand_is_the_pictures(fonts, paper):
    """The page lays a chart out by ``chart_size`` before its picture exists: exact for every
    chart of every shipped data file, and for labels that wrap (by jieba's words) or not."""
    from briefing.data.load import load
    from briefing.typeset.chartrules import booklet_charts
    from briefing.typeset.charts import picture
    from briefing.typeset.chartsize import bars_that_fit

    geometry = styles_for(paper, fonts).geometry
    specs = []
    for data in sorted((ROOT / "data").glob("*.yaml")):
        specs += booklet_charts(load(data), bars_that_fit(geometry.frame_height))
    long = "推进城市更新和老旧小区改造提质增效" * 2
    spec = specs[0]
    specs.append(replace(spec, rows=(replace(spec.rows[0], label=long, short=long),) + tuple(spec.rows[1:])))
    specs.append(replace(spec, rows=(replace(spec.rows[0], label=long[:14], short=long[:14]),) + tuple(spec.rows[1:])))
    heights = set()
    for spec in specs:
        pic = picture(spec, geometry.frame_width, fonts)
        assert chart_size(spec, geometry.frame_width, fonts) == pytest.approx((pic.width, pic.height), abs=1e-6)
        heights.add(round(pic.height, 3))
    assert len(heights) > 3


def test_the_layout_never_waits_for_a_chart(fonts, doc, tmp_path, monkeypatch):
    """The pass lays out every page without any chart's picture: each is asked for only when
    the file is saved, once, in page order; the file is the same as with the pictures at hand."""
    from briefing.typeset import later

    styles = styles_for("a4", fonts)
    width = styles.geometry.frame_width
    plain = _charts(doc, fonts, width)
    _layout(doc, styles, plain, tmp_path / "plain.pdf")

    saving, asked = [], []
    real = later.Later.draw
    monkeypatch.setattr(later.Later, "draw", lambda self, canv: saving.append(1) or real(self, canv))
    slots = _charts(doc, fonts, width)
    for n, slot in enumerate(slots.values()):
        fetch = slot._fetch
        slot._fetch = lambda fetch=fetch, n=n: asked.append((n, bool(saving))) or fetch()
    _layout(doc, styles, slots, tmp_path / "slots.pdf")
    assert asked == [(n, True) for n in range(len(slots))]
    assert (tmp_path / "slots.pdf").read_bytes() == (tmp_path / "plain.pdf").read_bytes()


def test_a_worker_that_dies_means_the_charts_are_drawn_here(fonts, doc, tmp_path):
    width = styles_for("a4", fonts).geometry.frame_width
    job = ChartJob.start()
    assert job is not None
    charts = _charts(doc, fonts, width, None, job)
    os.kill(job._pid, signal.SIGKILL)
    with pytest.raises(WorkerFailed):
        job.result(0)
    expected = _charts(doc, fonts, width)
    for spec, slot in charts.items():
        assert isinstance(slot, ChartSlot)
        assert slot.wrap(width, 800) == expected[spec].wrap(width, 800)
        assert slot.picture == expected[spec].picture  # drawn here instead


def _gone(pid: int) -> None:
    """Wait (up to 10 s) for ``pid`` to be reaped: a zombie still answers a signal."""
    import time

    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.01)
    pytest.fail(f"process {pid} was never reaped")


def test_an_unused_worker_exits_and_is_reaped():
    job = ChartJob.start()
    pid = job._pid
    job.close()
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def test_the_command_line_gives_the_same_file_with_and_without_the_worker(tmp_path):
    from .conftest import run

    outs = []
    for flag in ("1", "0"):
        out = tmp_path / f"w{flag}.pdf"
        env = dict(os.environ, BRIEFING_CHART_WORKER=flag, BRIEFING_SERVER="0")
        r = run("build", str(DATA), "-o", str(out), "--no-cache", "-q", env=env)
        assert r.returncode == 0, r.stderr
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]


def test_ready_says_whether_a_result_would_wait(fonts, doc):
    width = styles_for("a4", fonts).geometry.frame_width
    job = ChartJob.start()
    charts = _charts(doc, fonts, width, None, job)
    assert len(charts) > 1
    job.result(0)
    assert job.ready(0)  # received
    os.kill(job._pid, signal.SIGKILL)
    os.waitpid(job._pid, 0)
    assert job.ready(1)  # drawn already, or the worker is gone: result says which at once
    job.close()


def test_the_worker_draws_the_charts_the_cache_lacked_whatever_it_holds_by_then(fonts, doc, tmp_path, monkeypatch):
    """The page is given the size of each chart the cache lacked before the worker is sent it.
    An entry put in the cache meanwhile (by another build; cache files are untrusted input) of
    another size a chart may have must not come back as the picture: it would not fit its
    place (``SizeMismatch`` when the file is saved). The worker draws what it is sent; it read
    the cache before, and only missed because its fonts lack the serif face ``_fits`` asks."""
    from briefing.typeset.charts import _cache_key, picture
    from briefing.typeset.chartsize import ChartStyle
    from briefing.typeset.chartsize import heights as _heights

    cache = Cache(tmp_path / "cache")
    width = styles_for("a4", fonts).geometry.frame_width
    real = ChartJob.submit

    def submit(self, specs, width_, root, fonts_):
        spec = specs[0]
        pic = picture(spec, width, fonts)
        taller = _heights(spec.kind, len(spec.rows), ChartStyle().label_lines - 1, ChartStyle())[-1] * 72
        assert taller > pic.height + 1
        cache.put("charts", _cache_key(spec, width, fonts, cache, ChartStyle()), replace(pic, height=taller))
        real(self, specs, width_, root, fonts_)

    monkeypatch.setattr(ChartJob, "submit", submit)
    worked = build(DATA, tmp_path / "worked.pdf", cache=cache, chart_worker=True)
    alone = build(DATA, tmp_path / "alone.pdf", cache=Cache(None))
    assert worked.output.read_bytes() == alone.output.read_bytes()


def _finished_by(tmp_path, monkeypatch) -> Path:
    """A file that gets the pid of each process that finishes a booklet (``pdf.finish.finish``)."""
    import briefing.pdf.finish as finish_module

    record = tmp_path / "finished-by"
    real = finish_module.finish

    def noted(*args, **kwargs):
        with open(record, "a") as f:
            f.write(f"{os.getpid()}\n")
        return real(*args, **kwargs)

    monkeypatch.setattr(finish_module, "finish", noted)
    return record


def _charts_first(monkeypatch) -> None:
    """The layout slower than the charts, and than the worker's getting ready for its second
    job: each chart is there when the file is saved, and so is the worker's word."""
    import select

    real, handover = ChartJob.ready, ChartJob.handover

    def after_it_came(self, i):
        if len(self._received) <= i and self._worker.pid is not None:
            select.select([self._worker.replies], [], [], 30)
        return real(self, i)

    def once_it_said_so(self, ready):
        if self._worker.pid is not None:
            select.select([self._worker.replies], [], [], 30)
        return handover(self, ready)

    monkeypatch.setattr(ChartJob, "ready", after_it_came)
    monkeypatch.setattr(ChartJob, "handover", once_it_said_so)


def test_a_layout_that_never_waited_hands_finishing_to_the_chart_worker(tmp_path, monkeypatch):
    """The worker, its charts sent, imports what finishing needs while the layout runs; it
    then finishes and verifies: the same file and report as one process makes."""
    from briefing.commands import build as build_module

    alone = build(DATA, tmp_path / "alone.pdf", cache=Cache(None))
    record = _finished_by(tmp_path, monkeypatch)
    _charts_first(monkeypatch)
    monkeypatch.setattr(build_module, "finishing_pays", lambda: True)  # this process has the libraries
    worked = build(DATA, tmp_path / "worked.pdf", cache=Cache(None), chart_worker=True, finish_worker=True)
    finishers = record.read_text().split()
    assert len(finishers) == 1 and finishers[0] != str(os.getpid())
    assert worked.output.read_bytes() == alone.output.read_bytes()
    assert [(c.name, c.ok, c.detail) for c in worked.report.checks] == \
        [(c.name, c.ok, c.detail) for c in alone.report.checks]
    assert set(worked.timings) >= {"归档 finish", "检查 PDF verify"}


def test_a_chart_worker_that_fails_at_finishing_means_this_process_finishes(tmp_path, monkeypatch):
    from briefing.commands import build as build_module
    from briefing.commands import finishjob

    alone = build(DATA, tmp_path / "alone.pdf", cache=Cache(None))
    record = _finished_by(tmp_path, monkeypatch)
    _charts_first(monkeypatch)
    monkeypatch.setattr(build_module, "finishing_pays", lambda: True)
    parent = os.getpid()
    real = finishjob._finish

    def fails_there(*args, **kwargs):
        if os.getpid() != parent:
            raise RuntimeError("the worker could not finish")
        return real(*args, **kwargs)

    monkeypatch.setattr(finishjob, "_finish", fails_there)
    worked = build(DATA, tmp_path / "worked.pdf", cache=Cache(None), chart_worker=True, finish_worker=True)
    assert record.read_text().split() == [str(parent)]
    assert worked.output.read_bytes() == alone.output.read_bytes()


def test_only_a_ready_job_that_never_waited_is_handed_over_and_one_not_handed_over_is_stopped(
        fonts, doc, monkeypatch, tmp_path):
    import select
    import time

    from briefing.commands import finishjob
    from briefing.commands.finishjob import READY, after_charts
    from briefing.fork import read
    from briefing.typeset import charts

    width = styles_for("a4", fonts).geometry.frame_width
    began = tmp_path / "second job begun"
    real_after, real_draw = finishjob._finish, charts.drawn_picture
    monkeypatch.setattr(finishjob, "_finish", lambda *a, **k: began.touch() or real_after(*a, **k))
    with monkeypatch.context() as m:
        m.setattr(charts, "drawn_picture", lambda *a, **k: time.sleep(0.3) or real_draw(*a, **k))
        waited = ChartJob.start(after_charts)  # draws slowly: the layout finds its first chart missing
    slots = _charts(doc, fonts, width, None, waited)
    assert not waited.ready(0)
    for i in range(len(slots)):
        waited.result(i)
    assert os.waitpid(waited._pid, 0)[0] == waited._pid  # told, it ends once its charts are sent
    assert not began.exists()  # without preparing for the second job
    assert waited.handover(READY) is None

    def charts_first(job):
        slots = _charts(doc, fonts, width, None, job)
        for i in range(len(slots)):
            select.select([job._worker.replies], [], [], 30)
            assert job.ready(i)
            job.result(i)

    never = ChartJob.start(after_charts)
    charts_first(never)
    select.select([never._worker.replies], [], [], 30)
    worker = never.handover(READY)
    assert worker is not None and worker.pid == never._pid
    worker.close(kill=True)

    unready = ChartJob.start(lambda requests, replies: read(requests))  # never says it is ready
    charts_first(unready)
    pid = unready._pid
    assert unready.handover(READY) is None and unready._pid is None
    _gone(pid)  # stopped, and reaped by a thread while it exits

    plain = ChartJob.start()  # no second job: nothing to hand over
    charts_first(plain)
    assert plain.handover(READY) is None and plain._pid is None
