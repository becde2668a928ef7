"""The pipeline, one stage after another: load → charts → layout and write → finish → verify
(→ impose → verify it) → deliver.

The PDF is written to a temporary file beside the target and renamed into place only after it
passed verification, so a failed build never touches the last good booklet.

Each stage's modules are imported where the stage runs: a cold build forks its chart worker
(``typeset.chartjob``) before this process pays for reportlab, pydantic-core and pypdf.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from dataclasses import dataclass, field
from pathlib import Path as FsPath
from typing import TYPE_CHECKING, BinaryIO, Callable

from ..cache import Cache, key
from ..errors import LayoutFailed, OutputError, SettingError, VerificationError, clip, printable
from ..files import (PDF, check_stop, check_target, create_temp, deliver, make_folder, os_reason, sweep,
                     temp_path, writing)
from ..typeset.chartjob import ChartJob, WorkerFailed
from .finishjob import READY, FinishJob, after_charts, pays as finishing_pays

if TYPE_CHECKING:
    from ..check.report import Report
    from ..data.model import Briefing
    from ..fonts.register import FontSet
    from ..typeset.chartrules import ChartSpec
    from ..typeset.chartslot import ChartSlot
    from ..typeset.styles import Styles
    from ..typeset.tagging import Element

Progress = Callable[[str, float], None]  # (stage description, seconds it took)


@dataclass
class Result:
    output: FsPath
    report: Report
    timings: dict[str, float] = field(default_factory=dict)
    imposed: FsPath | None = None
    imposed_report: Report | None = None
    warnings: list[str] = field(default_factory=list)


def imposed_path(out: FsPath) -> FsPath:
    return out.with_name(f"{out.stem}-imposed{out.suffix}")


def default_output(data: str | os.PathLike[str]) -> FsPath:
    return FsPath("out") / f"{FsPath(data).stem}-briefing.pdf"


def build_time() -> dt.datetime:
    """SOURCE_DATE_EPOCH when set (reproducible builds), else now; always UTC.

    A value that is not a whole number of seconds, or that lies outside the years a booklet
    can carry, is refused with a message: building with a silently different date would defeat
    the point of setting it.
    """
    from ..data.model import YEARS

    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not epoch:
        return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    shown = printable(clip(epoch, 30), newlines=False)
    if not epoch.isascii() or not epoch.isdigit():
        raise SettingError(f"SOURCE_DATE_EPOCH 应是 1970 年以来的秒数（非负整数），得到 “{shown}”")
    try:
        when = dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc)
    except (OverflowError, OSError, ValueError):
        when = None
    if when is None or not YEARS[0] <= when.year <= YEARS[1]:
        raise SettingError(f"SOURCE_DATE_EPOCH={shown} 超出可用的日期范围（{YEARS[0]}–{YEARS[1]} 年）")
    return when


class _Stages:
    def __init__(self, progress: Progress | None):
        self.progress = progress
        self.timings: dict[str, float] = {}

    def run(self, name: str, fn, *args):
        start = time.perf_counter()
        value = fn(*args)
        self.record(name, time.perf_counter() - start)
        return value

    def record(self, name: str, took: float) -> None:
        check_stop()  # a stop signal swallowed inside a library still stops the build here
        self.timings[name] = took
        if self.progress:
            self.progress(name, took)


def preload(cache: Cache | None = None) -> None:
    """Everything a build imports or reads once per process, done before workers are forked
    (``build data/*.yaml``, ``briefing serve``) so that each starts warm instead of paying it."""
    import pypdf._page  # noqa: F401
    import reportlab.platypus.tableofcontents  # noqa: F401

    from ..check import verify  # noqa: F401
    from ..data import load, review, validator  # noqa: F401  (load and review: imported ahead)
    from ..fonts.register import register
    from ..pdf import finish, impose  # noqa: F401
    from ..typeset.charts import _fingerprint

    _layout_modules()
    register(cache=cache)
    validator.prepare()  # the data file's validator, made once for every worker forked from here
    _fingerprint()


def _load(data: FsPath, cache: Cache | None = None, finisher: FinishJob | None = None) -> tuple[Briefing, FontSet]:
    """The checked model and the fonts. With a finishing worker, it checks the values against
    the model (pydantic-core's import and the validator are its, not this process's) while this process
    reads the fonts and imports the layout's modules."""
    from ..data.load import check_here, checked, parse
    from ..fonts.register import register

    parsed = parse(data)
    result = check_here(parsed.data)
    if finisher is not None:
        pending = finisher.check(parsed.data)

        def result():
            _layout_modules()
            return pending()

    fonts = register(cache=cache)
    return checked(parsed, result, fonts.missing), fonts


def _layout_modules() -> None:
    """What ``_layout`` imports (reportlab's page layout: 50 ms), imported ahead: where this
    process would otherwise wait for the worker's check, and before workers are forked."""
    from ..typeset import chartslot, document, story, structure  # noqa: F401


def _charts(doc: Briefing, fonts: FontSet, width: float, cache: Cache | None = None,
            job: ChartJob | None = None, bars: int | None = None) -> dict[ChartSpec, ChartSlot]:
    """Each chart of the booklet as the place the page gives it (``chartslot.ChartSlot``), of
    its size known from the data; its picture comes when the file is saved: from the cache,
    from the worker (``job``) sent now the charts the cache lacks, or drawn then, here.
    ``bars``: the most a chart may have on this paper (``chartsize.bars_that_fit``; A4's if not given)."""
    from ..typeset.chartrules import MAX_BARS, booklet_charts
    from ..typeset.charts import cached_picture, chart_size, drawn_picture, learn_labels
    from ..typeset.chartslot import ChartSlot

    specs = booklet_charts(doc, bars or MAX_BARS)  # in page order: a worker draws them in this order
    found = {s: cached_picture(s, width, fonts, cache, draw=False) for s in specs}
    missing = {s: i for i, s in enumerate(s for s in specs if found[s] is None)}
    if job is not None:
        if missing:
            job.submit(list(missing), width, str(cache.root) if cache and cache.root else None, fonts)  # first: it waits
        else:
            job.close()
            job = None

    def meanwhile() -> None:
        """What this process needs after the charts arrive, imported when it would otherwise
        wait for the worker: the finishing and checking stages (which it imports anyway,
        later, if it never waits)."""
        from ..check import verify  # noqa: F401
        from ..pdf import finish  # noqa: F401

    def picture(spec):
        if found[spec] is not None:
            return found[spec]
        if job is not None:
            i = missing[spec]
            if not job.ready(i):
                meanwhile()
            try:
                return job.result(i)
            except WorkerFailed:  # the worker could not: draw it here, as without one
                pass
        return drawn_picture(spec, width, fonts, cache)  # not in the cache: looked for above

    def size(spec) -> tuple[float, float]:
        """A picture's, or the size the picture will have (which takes jieba's words where a
        label wraps: only for the charts still to draw)."""
        got = found[spec]
        return (got.width, got.height) if got is not None else chart_size(spec, width, fonts)

    learn_labels(list(missing), width, fonts)  # jieba's words for every label that wraps, in one pass
    return {s: ChartSlot(f"Chart{n}", size(s), lambda s=s: picture(s), fonts.sans, fonts.sans_bold)
            for n, s in enumerate(specs, 1)}


def _layout(doc: Briefing, styles: Styles, charts: dict, target: FsPath | BinaryIO,
            tagged: bool = True, cache: Cache | None = None) -> tuple[list[tuple], Element | None]:
    """Lay out and write the raw PDF; return the contents entries it ended with, and the
    structure tree with where each element's content landed (written into the file too, for
    the tagged PDF: ``typeset.tagtree``). ``cache``: where the fonts' subsets are kept.

    One pass, as a rule: the contents know their entries from the story before it (the
    headings), and their page numbers are drawn when the file is saved, as the charts are
    (``typeset.later``). reportlab lays out again only when the pass found otherwise
    (a heading the story's reading missed, a short tail to remedy: ``document``).
    """
    from reportlab.platypus.doctemplate import LayoutError

    from ..typeset.later import BookletCanvas
    from ..typeset.document import BookletTemplate
    from ..typeset.story import story
    from ..typeset.structure import describe

    flowables = story(doc, styles, charts.__getitem__)
    structure = describe(flowables) if tagged else None
    template = BookletTemplate(str(target) if isinstance(target, FsPath) else target, doc, styles,
                               doc.meeting.issue_date or doc.meeting.opening_date, structure, cache)
    try:
        template.multiBuild(flowables, canvasmaker=BookletCanvas)
    except LayoutError as exc:
        # Something in the data is too large for any page; say so instead of a traceback.
        raise LayoutFailed(f"版面排不下：数据中有一项内容大于一整页，请缩短它（{exc}）") from None
    return template.contents_entries, structure.root if structure else None


def warm_up(data: str | os.PathLike[str], out: str | os.PathLike[str] | None = None, paper: str = "a4",
            cache: Cache | None = None) -> bool:
    """Lay out and finish ``data`` once in memory, and verify its booklet ``out`` as it stands,
    writing nothing, so that this process then builds an edit of it as ``watch`` builds its
    next save: line, compression and verification memos full, first-call costs paid (a
    standby worker of ``briefing serve``). Only with every chart in the cache: it never draws
    one (False: nothing was laid out)."""
    from io import BytesIO

    from ..typeset.chartrules import MAX_BARS, booklet_charts
    from ..typeset.charts import cached_picture
    from ..typeset.chartsize import bars_that_fit
    from ..typeset.styles import styles_for

    data = FsPath(data)
    doc, fonts = _load(data, cache)
    styles = styles_for(paper, fonts)
    width = styles.geometry.frame_width
    bars = bars_that_fit(styles.geometry.frame_height) or MAX_BARS
    if any(cached_picture(s, width, fonts, cache, draw=False) is None for s in booklet_charts(doc, bars)):
        return False
    raw = BytesIO()
    _layout(doc, styles, _charts(doc, fonts, width, cache, bars=bars), raw, cache=cache)
    from ..pdf.finish import finish

    finish(BytesIO(raw.getvalue()), BytesIO(), doc, build_time())
    out = FsPath(out) if out else default_output(data)
    if out.is_file():
        from ..check.verify import verify

        verify(out, doc, paper)
    return True


def _finished(finisher: FinishJob | None, raw: FsPath, tmp: FsPath, out: FsPath, doc: Briefing,
              built: dt.datetime, paper: str, stages: _Stages) -> Report:
    """Finish ``raw`` into ``tmp`` and verify it: in the worker when there is one (its time
    is the wait for it, the finishing as the worker timed it), else here."""
    if finisher is not None:
        start = time.perf_counter()
        try:
            report, finishing = finisher.run(raw, tmp, out, doc, built, paper)
        except WorkerFailed:
            pass
        else:
            stages.record("归档 finish", finishing)
            stages.record("检查 PDF verify", time.perf_counter() - start - finishing)
            return report
    from ..check.verify import SIZE_BUDGET, Ahead, verify

    with Ahead.beside(raw, paper) as ahead:  # walks the raw file's pages while it is finished
        stages.run("归档 finish", writing, out, _finish, raw, tmp, doc, built)
        return stages.run("检查 PDF verify", verify, tmp, doc, paper, SIZE_BUDGET, True, True, ahead)


def _finish(raw: FsPath, target: FsPath, doc: Briefing, built: dt.datetime) -> None:
    from ..pdf.finish import finish

    finish(raw, target, doc, built)


def _impose(booklet: FsPath, target: FsPath, paper: str, marks: bool, sheet: str | None) -> Report:
    from ..check.verify import verify_imposed
    from ..pdf.impose import impose

    impose(booklet, target, paper, marks, sheet)
    return verify_imposed(target, booklet, paper, sheet, marks)


def sheet_note(paper: str, sheet: str | None) -> str | None:
    """What a user should know about the sheet they chose: one with no room for marks."""
    from ..pdf.impose import sheet_for

    place = sheet_for(paper, sheet)
    if place.marks_fit:
        return None
    return (f"拼版纸张 {place.describe()} 正好放下两页 {paper.upper()}：没有放裁切线、折线和出血的地方，"
            f"不加标记，成品按纸张尺寸，无需裁切 (the sheet holds exactly two pages: no crop or fold marks, "
            f"no bleed)")


def _review_marks(data: FsPath, strict: bool) -> list[str]:
    """The draft's review marks (briefing import): a warning with their count, or with
    ``strict`` a refusal that lists each one's line."""
    from ..data.load import read_text
    from ..data.marks import review_marks, summary
    from ..errors import DataError, Problem

    found = review_marks(read_text(data))  # as the loader reads it: a regular file, within its size
    if found and strict:
        raise DataError([Problem(str(data), n, None, "", f"{m}：核对后删除这条注释 (--strict: unchecked imported item)")
                         for n, m in found])
    return [summary(found)] if found else []


def build(data: str | os.PathLike[str], out: str | os.PathLike[str] | None = None, *,
          paper: str = "a4", impose: bool = False, marks: bool = False, sheet: str | None = None,
          cache: Cache | None = None, progress: Progress | None = None, strict: bool = False,
          inputs: tuple[str | os.PathLike[str], ...] = (), chart_worker: bool = False,
          finish_worker: bool = False) -> Result:
    """Build, verify and deliver one booklet; raise a ``BriefingError`` subclass on any failure.

    With ``impose``, a saddle-stitch imposition is written beside it (``…-imposed.pdf``) on
    ``sheet`` (default: the paper's press sheet); both files are delivered together or not at
    all. ``cache`` (parsed fonts, finished charts) is
    optional: without it the build is fully cold and touches no cache directory. Nothing is
    written but the target (and its imposition): never over ``data`` or any of ``inputs``.
    With ``chart_worker``, a build that will likely draw charts (no cache, or the first build
    of this file) draws them in a forked process while it lays out the text; the file is the
    same. With ``finish_worker``, a build without a chart worker in a process that has not
    imported pikepdf and pypdf yet (a fresh one) finishes and verifies in a forked process that imported them while this one
    laid out the pages (``commands.finishjob``); the file and the report are the same.
    """
    data = FsPath(data)
    out = FsPath(out) if out else default_output(data)
    note = sheet_note(paper, sheet) if impose else None  # an unusable sheet is refused before any work
    sources = (data, *map(FsPath, inputs))
    targets = (out, imposed_path(out)) if impose else (out,)
    for target in targets:  # before any work: nothing but a regular file that is not an input
        check_target(target, sources, PDF)
    # What the last build of this file listed in its contents: none, and this build likely
    # draws its charts (no cache, or the file's first build).
    seen_key = key("contents", str(data.resolve()), paper)
    seen = cache.get("contents", seen_key) if cache else None
    # Its second job, if the layout never waits for a chart: finishing and verifying, whose
    # imports it makes once its charts are drawn (``ChartJob.handover``).
    job = ChartJob.start(after_charts if finish_worker and finishing_pays() else None) if chart_worker and seen is None else None
    # A cold build's chart worker leaves this process time to import what finishing needs
    # while it waits for the charts: a second worker would only compete for the two cores.
    finisher = FinishJob.start(out if out.is_file() else None, paper) if finish_worker and job is None else None
    try:
        return _build(data, out, paper, impose, marks, sheet, cache, progress, strict, note, sources,
                      seen_key, seen, job, finisher)
    finally:
        for worker in (job, finisher):
            if worker is not None:
                worker.close()


def _build(data: FsPath, out: FsPath, paper: str, impose: bool, marks: bool, sheet: str | None,
           cache: Cache | None, progress: Progress | None, strict: bool, note: str | None,
           sources: tuple[FsPath, ...], seen_key: str, seen, job: ChartJob | None,
           finisher: FinishJob | None = None) -> Result:
    from ..data.review import warnings as review_warnings

    stages = _Stages(progress)
    doc, fonts = stages.run("读取与校验数据 load", _load, data, cache, finisher)
    unchecked = _review_marks(data, strict)
    make_folder(out.parent)
    sweep(out.parent)  # what builds killed outright (SIGKILL, a power cut) left here
    tmp = temp_path(out)
    raw = tmp.with_name(tmp.name + ".raw")
    tmp_imposed = tmp.with_name(tmp.name + ".imposed")
    imposed_report = None
    try:
        try:
            create_temp(tmp)
        except OSError as exc:
            raise OutputError(f"无法写入 {out.parent}：{os_reason(exc)}") from None
        report = verified(doc, fonts, tmp, raw, out, paper, cache, stages, seen_key, seen, job, finisher)
        if impose:
            imposed_report = stages.run("骑马钉拼版 impose", writing, out, _impose, tmp, tmp_imposed, paper, marks,
                                        sheet)
            if not imposed_report.ok:
                raise VerificationError(imposed_report.failures())
            deliver(tmp_imposed, imposed_path(out), sources, PDF)
            imposed_report.path = str(imposed_path(out))
        deliver(tmp, out, sources, PDF)
    finally:
        for leftover in (tmp, raw, tmp_imposed):
            leftover.unlink(missing_ok=True)
    report.path = str(out)
    return Result(out, report, stages.timings, imposed_path(out) if impose else None, imposed_report,
                  unchecked + review_warnings(doc) + ([note] if note else []))


def verified(doc: Briefing, fonts: FontSet, tmp: FsPath, raw: FsPath, out: FsPath, paper: str,
             cache: Cache | None, stages: _Stages, seen_key: str, seen, job: ChartJob | None,
             finisher: FinishJob | None = None) -> Report:
    """Charts, layout, finish and verification of the booklet into ``tmp`` (``raw``: reportlab's
    file before finishing; ``out``: the name messages give), the last two in ``finisher`` when
    given; ``VerificationError`` if it fails."""
    from ..typeset.chartsize import bars_that_fit
    from ..typeset.styles import styles_for

    styles = styles_for(paper, fonts)
    charts = stages.run("生成图表 charts", _charts, doc, fonts, styles.geometry.frame_width, cache, job,
                        bars_that_fit(styles.geometry.frame_height))
    built = build_time()
    entries, _ = stages.run("排版并写出 PDF layout+write", writing, out, _layout, doc, styles, charts,
                            raw, True, cache)
    if cache and entries != seen:
        cache.put("contents", seen_key, entries)
    if job is not None:
        worker = job.handover(READY)
        if worker is not None and finisher is None:
            finisher = FinishJob(worker)
    report = _finished(finisher, raw, tmp, out, doc, built, paper, stages)
    if not report.ok:
        raise VerificationError(report.failures())
    return report
