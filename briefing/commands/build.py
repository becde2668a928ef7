"""The pipeline, one stage after another: load → charts → layout and write → finish → verify
(→ impose → verify it) → deliver.

The PDF is written to a temporary file beside the target and renamed into place only after it
passed verification, so a failed build never touches the last good booklet.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from dataclasses import dataclass, field
from pathlib import Path as FsPath
from typing import Callable

from ..cache import Cache, key
from ..check.verify import Report, verify
from ..data.load import load
from ..data.model import YEARS, Briefing
from ..data.review import warnings as review_warnings
from ..errors import LayoutFailed, OutputError, SettingError, VerificationError, clip, printable
from ..files import check_stop, check_target, create_temp, deliver, make_folder, os_reason, sweep, temp_path
from ..fonts.register import FontSet, register
from ..typeset.chartrules import ChartSpec, booklet_charts
from ..typeset.charts import drawing
from ..typeset.styles import Styles, styles_for

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
        check_stop()  # a stop signal swallowed inside a library still stops the build here
        took = time.perf_counter() - start
        self.timings[name] = took
        if self.progress:
            self.progress(name, took)
        return value


def preload(cache: Cache | None = None) -> None:
    """Everything a build imports or reads once per process, done before workers are forked
    (``build data/*.yaml``, ``briefing serve``) so that each starts warm instead of paying it."""
    import pypdf._page  # noqa: F401
    import reportlab.platypus.tableofcontents  # noqa: F401
    import svglib.svglib  # noqa: F401  (cached charts are Drawings that refer to its classes)

    from ..pdf import finish, impose  # noqa: F401
    from ..typeset import document, story  # noqa: F401
    from ..typeset.charts import _fingerprint

    register(cache=cache)
    _fingerprint()


def _load(data: FsPath, cache: Cache | None = None) -> tuple[Briefing, FontSet]:
    fonts = register(cache=cache)
    return load(data, missing_glyphs=fonts.missing), fonts


def _charts(doc: Briefing, fonts: FontSet, width: float, cache: Cache | None = None) -> dict[ChartSpec, object]:
    return {s: drawing(s, width, fonts, cache) for s in booklet_charts(doc)}


def _layout(doc: Briefing, styles: Styles, charts: dict, target: FsPath,
            contents_hint: list[tuple] | None = None) -> list[tuple]:
    """Lay out and write the raw PDF; return the contents entries it ended with.

    reportlab lays out until the contents list the pages their headings landed on: twice from
    nothing. Given the entries of an earlier build of the same file (``contents_hint``), one
    pass is enough when the headings did not move; when they did, reportlab sees the mismatch
    and runs another pass, so a stale hint costs time, never correctness.
    """
    from reportlab.platypus.doctemplate import LayoutError
    from reportlab.platypus.tableofcontents import TableOfContents

    from ..typeset.document import BookletTemplate
    from ..typeset.story import story

    template = BookletTemplate(str(target), doc, styles, doc.meeting.issue_date or doc.meeting.opening_date)
    flowables = story(doc, styles, charts.__getitem__)
    for toc in flowables:
        if contents_hint and isinstance(toc, TableOfContents):
            toc.addEntries(contents_hint)
    try:
        template.multiBuild(flowables)
    except LayoutError as exc:
        # Something in the data is too large for any page; say so instead of a traceback.
        raise LayoutFailed(f"版面排不下：数据中有一项内容大于一整页，请缩短它（{exc}）") from None
    return template.contents_entries


def _finish(raw: FsPath, target: FsPath, doc: Briefing, fonts: FontSet, built: dt.datetime) -> None:
    from ..pdf.finish import finish

    finish(raw, target, doc, fonts, built)


def _writing(out: FsPath, stage: Callable, *args):
    """Run a stage that writes, turning an OS error (a full disk, a file size limit, a folder
    made read-only meanwhile) into a message that names the target."""
    try:
        return stage(*args)
    except OSError as exc:
        raise OutputError(f"无法写入 {out}：{os_reason(exc)}") from None


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
    from ..data.marks import review_marks, summary
    from ..errors import DataError, Problem

    found = review_marks(data.read_text(encoding="utf-8"))
    if found and strict:
        raise DataError([Problem(str(data), n, None, "", f"{m}：核对后删除这条注释 (--strict: unchecked imported item)")
                         for n, m in found])
    return [summary(found)] if found else []


def build(data: str | os.PathLike[str], out: str | os.PathLike[str] | None = None, *,
          paper: str = "a4", impose: bool = False, marks: bool = False, sheet: str | None = None,
          cache: Cache | None = None, progress: Progress | None = None, strict: bool = False,
          inputs: tuple[str | os.PathLike[str], ...] = ()) -> Result:
    """Build, verify and deliver one booklet; raise a ``BriefingError`` subclass on any failure.

    With ``impose``, a saddle-stitch imposition is written beside it (``…-imposed.pdf``) on
    ``sheet`` (default: the paper's press sheet); both files are delivered together or not at
    all. ``cache`` (parsed fonts, finished charts) is
    optional: without it the build is fully cold and touches no cache directory. Nothing is
    written but the target (and its imposition): never over ``data`` or any of ``inputs``.
    """
    data = FsPath(data)
    out = FsPath(out) if out else default_output(data)
    note = sheet_note(paper, sheet) if impose else None  # an unusable sheet is refused before any work
    sources = (data, *map(FsPath, inputs))
    targets = (out, imposed_path(out)) if impose else (out,)
    for target in targets:  # before any work: nothing but a regular file that is not an input
        check_target(target, sources)
    stages = _Stages(progress)
    doc, fonts = stages.run("读取与校验数据 load", _load, data, cache)
    unchecked = _review_marks(data, strict)
    styles = styles_for(paper, fonts)
    charts = stages.run("生成图表 charts", _charts, doc, fonts, styles.geometry.frame_width, cache)
    built = build_time()
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
        hint_key = key("contents", str(data.resolve()), paper)
        hint = cache.get("contents", hint_key) if cache else None
        entries = stages.run("排版并写出 PDF layout+write", _writing, out, _layout, doc, styles, charts, raw, hint)
        if cache and entries != hint:
            cache.put("contents", hint_key, entries)
        stages.run("字体合并与归档 finish", _writing, out, _finish, raw, tmp, doc, fonts, built)
        report = stages.run("检查 PDF verify", verify, tmp, doc, paper)
        if not report.ok:
            raise VerificationError(report.failures())
        if impose:
            imposed_report = stages.run("骑马钉拼版 impose", _writing, out, _impose, tmp, tmp_imposed, paper, marks,
                                        sheet)
            if not imposed_report.ok:
                raise VerificationError(imposed_report.failures())
            deliver(tmp_imposed, imposed_path(out), sources)
            imposed_report.path = str(imposed_path(out))
        deliver(tmp, out, sources)
    finally:
        for leftover in (tmp, raw, tmp_imposed):
            leftover.unlink(missing_ok=True)
    report.path = str(out)
    return Result(out, report, stages.timings, imposed_path(out) if impose else None, imposed_report,
                  unchecked + review_warnings(doc) + ([note] if note else []))
