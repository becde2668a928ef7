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
from ..data.model import Briefing
from ..data.review import warnings as review_warnings
from ..errors import LayoutFailed, OutputError, VerificationError
from ..fonts.register import FontSet, register
from ..typeset.charts import ChartSpec, attainment_charts, charts_for, drawing
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
    """SOURCE_DATE_EPOCH when set (reproducible builds), else now; always UTC."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc)
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


class _Stages:
    def __init__(self, progress: Progress | None):
        self.progress = progress
        self.timings: dict[str, float] = {}

    def run(self, name: str, fn, *args):
        start = time.perf_counter()
        value = fn(*args)
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
    L = doc.labels
    specs = [s for a in doc.results.answers for s in charts_for(a, L)] + attainment_charts(doc)
    return {s: drawing(s, width, fonts, cache) for s in specs}


def _layout(doc: Briefing, styles: Styles, charts: dict, target: FsPath,
            built: dt.datetime, contents_hint: list[tuple] | None = None) -> list[tuple]:
    """Lay out and write the raw PDF; return the contents entries it ended with.

    reportlab lays out until the contents list the pages their headings landed on: twice from
    nothing. Given the entries of an earlier build of the same file (``contents_hint``), one
    pass is enough when the headings did not move; when they did, reportlab sees the mismatch
    and runs another pass, so a stale hint costs time, never correctness.
    """
    from reportlab.platypus.doctemplate import LayoutError
    from reportlab.platypus.tableofcontents import TableOfContents

    from ..fonts.cid import CIDCanvas
    from ..typeset.document import BookletTemplate
    from ..typeset.story import story

    template = BookletTemplate(str(target), doc, styles, built.date())
    flowables = story(doc, styles, charts.__getitem__)
    for toc in flowables:
        if contents_hint and isinstance(toc, TableOfContents):
            toc.addEntries(contents_hint)
    try:
        template.multiBuild(flowables, canvasmaker=CIDCanvas)
    except LayoutError as exc:
        # Something in the data is too large for any page; say so instead of a traceback.
        raise LayoutFailed(f"版面排不下：数据中有一项内容大于一整页，请缩短它（{exc}）") from None
    return template.contents_entries


def _finish(raw: FsPath, target: FsPath, doc: Briefing, built: dt.datetime) -> None:
    from ..pdf.finish import finish

    finish(raw, target, doc, built)


def _temp_beside(out: FsPath) -> FsPath:
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"无法创建输出文件夹 {out.parent}：{exc.strerror}") from None
    if out.is_dir():
        raise OutputError(f"输出路径 {out} 是一个文件夹")
    tmp = out.parent / f".{out.name}.{os.getpid()}.tmp"
    try:
        tmp.touch()
    except OSError as exc:
        raise OutputError(f"无法写入 {out.parent}：{exc.strerror}") from None
    return tmp


def _impose(booklet: FsPath, target: FsPath, paper: str, marks: bool) -> Report:
    from ..check.verify import verify_imposed
    from ..pdf.impose import impose

    impose(booklet, target, paper, marks)
    return verify_imposed(target, booklet, paper)


def build(data: str | os.PathLike[str], out: str | os.PathLike[str] | None = None, *,
          paper: str = "a4", impose: bool = False, marks: bool = False,
          cache: Cache | None = None, progress: Progress | None = None) -> Result:
    """Build, verify and deliver one booklet; raise a ``BriefingError`` subclass on any failure.

    With ``impose``, a saddle-stitch imposition is written beside it (``…-imposed.pdf``); both
    files are delivered together or not at all. ``cache`` (parsed fonts, finished charts) is
    optional: without it the build is fully cold and touches no cache directory.
    """
    data = FsPath(data)
    out = FsPath(out) if out else default_output(data)
    stages = _Stages(progress)
    doc, fonts = stages.run("读取与校验数据 load", _load, data, cache)
    styles = styles_for(paper, fonts)
    charts = stages.run("生成图表 charts", _charts, doc, fonts, styles.geometry.frame_width, cache)
    built = build_time()
    tmp = _temp_beside(out)
    raw = tmp.with_name(tmp.name + ".raw")
    tmp_imposed = tmp.with_name(tmp.name + ".imposed")
    imposed_report = None
    try:
        hint_key = key("contents", str(data.resolve()), paper)
        hint = cache.get("contents", hint_key) if cache else None
        entries = stages.run("排版并写出 PDF layout+write", _layout, doc, styles, charts, raw, built, hint)
        if cache and entries != hint:
            cache.put("contents", hint_key, entries)
        stages.run("归档 finish", _finish, raw, tmp, doc, built)
        report = stages.run("检查 PDF verify", verify, tmp, doc, paper)
        if not report.ok:
            raise VerificationError(report.failures())
        if impose:
            imposed_report = stages.run("骑马钉拼版 impose", _impose, tmp, tmp_imposed, paper, marks)
            if not imposed_report.ok:
                raise VerificationError(imposed_report.failures())
            os.replace(tmp_imposed, imposed_path(out))
            imposed_report.path = str(imposed_path(out))
        os.replace(tmp, out)
    finally:
        for leftover in (tmp, raw, tmp_imposed):
            leftover.unlink(missing_ok=True)
    report.path = str(out)
    return Result(out, report, stages.timings, imposed_path(out) if impose else None, imposed_report,
                  review_warnings(doc))
