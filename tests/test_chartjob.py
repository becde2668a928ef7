"""Charts drawn by a forked worker while the text is laid out: the same file as without one."""

from __future__ import annotations

import os
import signal
from dataclasses import replace

import pytest

from briefing.cache import Cache
from briefing.commands.build import _charts, _layout, build
from briefing.typeset.chartjob import ChartJob, WorkerFailed
from briefing.typeset.charts import chart_size
from briefing.typeset.chartslot import ChartSlot, LayoutPasses, ProvisionalPassKept
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


def test_the_size_known_beforehand_is_the_charts_and_never_more(fonts, doc):
    """Exact for every chart of the default booklet (no label of it wraps); a label that wraps
    is counted by its width, a lower bound on its lines: a placeholder is never taller."""
    from briefing.typeset.chartrules import Row, booklet_charts

    width = styles_for("a4", fonts).geometry.frame_width
    drawn = _charts(doc, fonts, width)
    for spec in booklet_charts(doc):
        assert chart_size(spec, width, fonts) == pytest.approx(drawn[spec].wrap(width, 800), abs=1e-6), spec.title
    spec = booklet_charts(doc)[0]
    long = "很长的类目名称" * 6
    wrapped = replace(spec, rows=(replace(spec.rows[0], label=long, short=long),) + tuple(spec.rows[1:]))
    real = _charts_of([wrapped], fonts, width)[0].wrap(width, 800)
    guess = chart_size(wrapped, width, fonts)
    assert guess[0] == pytest.approx(real[0]) and chart_size(spec, width, fonts)[1] < guess[1] <= real[1] + 1e-6
    assert isinstance(spec.rows[0], Row)


def _charts_of(specs, fonts, width):
    from briefing.typeset.charts import drawing

    return [drawing(s, width, fonts, None) for s in specs]


def test_a_pass_with_placeholders_is_never_saved(fonts, doc, tmp_path):
    """Given the right contents hint, reportlab keeps its first pass: drawn provisionally, it
    must be refused and laid out again, waiting for the charts; the pages are the same."""
    styles = styles_for("a4", fonts)
    width = styles.geometry.frame_width
    plain = _charts(doc, fonts, width)
    hint, _ = _layout(doc, styles, plain, tmp_path / "plain.pdf")
    _layout(doc, styles, _charts(doc, fonts, width), tmp_path / "plain.pdf", hint)

    passes = LayoutPasses(provisional=True)
    fetched = []
    fresh = _charts(doc, fonts, width)
    slots = {s: ChartSlot(lambda s=s: fetched.append(s) or fresh[s], chart_size(s, width, fonts), passes)
             for s in plain}
    _layout(doc, styles, slots, tmp_path / "slots.pdf", hint, passes)
    assert len(fetched) == len(plain)
    assert (tmp_path / "slots.pdf").read_bytes() == (tmp_path / "plain.pdf").read_bytes()


def test_placeholder_canvas_refuses_to_save(tmp_path):
    passes = LayoutPasses(provisional=True)
    canvas = passes.canvas(str(tmp_path / "x.pdf"))
    slot = ChartSlot(lambda: pytest.fail("a provisional pass must not wait"), (100, 50), passes)
    assert slot.wrap(400, 800) == (100, 50)
    slot.drawOn(canvas, 0, 0)
    with pytest.raises(ProvisionalPassKept):
        canvas.save()
    assert not (tmp_path / "x.pdf").exists()
    passes.canvas(str(tmp_path / "y.pdf"))  # the next pass: no more placeholders
    assert not passes.provisional


def test_a_worker_that_dies_means_the_charts_are_drawn_here(fonts, doc, tmp_path):
    width = styles_for("a4", fonts).geometry.frame_width
    job = ChartJob.start()
    assert job is not None
    passes = LayoutPasses(provisional=False)
    charts = _charts(doc, fonts, width, None, job, passes)
    os.kill(job._pid, signal.SIGKILL)
    with pytest.raises(WorkerFailed):
        job.result(0)
    expected = _charts(doc, fonts, width)
    for spec, slot in charts.items():
        assert isinstance(slot, ChartSlot)
        assert slot.wrap(width, 800) == expected[spec].wrap(width, 800)


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


def test_a_provisional_pass_measures_without_drawing_and_is_never_saved(fonts, tmp_path):
    """Text, tables, figures and page furniture are left out of the provisional pass (it only
    finds the headings' pages): each counts as a placeholder, so that pass cannot be saved."""
    from briefing.typeset.text import TextBlock

    def shown(canvas) -> bool:
        return any(op in code for code in canvas._code for op in ("Tj", "TJ"))

    passes = LayoutPasses(provisional=True)
    canvas = passes.canvas(str(tmp_path / "x.pdf"))
    block = TextBlock("一年之计在于春，扬帆奋进正当时。", styles_for("a4", fonts).body)
    block.wrap(300, 800)
    block.drawOn(canvas, 0, 0)
    assert passes.placeholders == 1 and not shown(canvas)
    with pytest.raises(ProvisionalPassKept):
        canvas.save()
    drawn = passes.canvas(str(tmp_path / "y.pdf"))  # the next pass draws
    block.drawOn(drawn, 0, 0)
    assert passes.placeholders == 0 and shown(drawn)


def test_ready_says_whether_a_result_would_wait(fonts, doc):
    width = styles_for("a4", fonts).geometry.frame_width
    job = ChartJob.start()
    passes = LayoutPasses(provisional=False)
    charts = _charts(doc, fonts, width, None, job, passes)
    assert len(charts) > 1
    job.result(0)
    assert job.ready(0)  # received
    os.kill(job._pid, signal.SIGKILL)
    os.waitpid(job._pid, 0)
    assert job.ready(1)  # drawn already, or the worker is gone: result says which at once
    job.close()
