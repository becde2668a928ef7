"""``briefing build`` / ``briefing verify``: exit 0 = ok, 1 = verification failed, 2 = bad input.

Progress and errors go to stderr; a user never sees a traceback for a mistake they can fix.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
from contextlib import contextmanager
from pathlib import Path as FsPath

from ..errors import BriefingError, Terminated, VerificationError, printable
from ..files import XLSX, YAML, check_stop, check_target, stop_behind, stop_code, terminated_on_signals

DEFAULT_DATA = "data/yanfeng-2023.yaml"

EPILOG = """\
示例 examples:
  briefing build                                  # data/yanfeng-2023.yaml → out/yanfeng-2023-briefing.pdf
  briefing build data/yanfeng-2023.yaml -o 参阅资料.pdf
  briefing build data/*.yaml                      # every district, in parallel
  briefing build --paper a5 --impose saddle --marks   # A5 booklet + SRA4 sheets with crop marks
  briefing build --paper a5 --impose saddle --sheet a4  # on A4 for an office printer (no trimming)
  briefing build --copies 代表名单.xlsx            # one numbered copy per delegate → out/yanfeng-2023-copies/
  briefing build --copies 代表名单.csv --email     # e-mail copies: the name and number watermarked on every page
  briefing watch data/yanfeng-2023.yaml           # rebuild on every save of the data file
  briefing serve &                                # later builds run in a resident process (0.25 s)
  briefing verify out/yanfeng-2023-briefing.pdf --data data/yanfeng-2023.yaml
  briefing new --from data/yanfeng-2023.yaml --year 2024   # → data/yanfeng-2024.yaml to fill in
  briefing schema -o schema/briefing.schema.json  # for editors (VS Code YAML)
  briefing import 文章.docx -o data/yanfeng-2024.yaml     # a draft data file from the article
  briefing export data/yanfeng-2024.yaml --xlsx           # → data/yanfeng-2024.xlsx to review in Excel
  briefing import data/yanfeng-2024.xlsx --into data/yanfeng-2024.yaml   # merge the corrections back

退出码 exit codes: 0 成功 ok; 1 PDF 检查未通过 verification failed; 2 数据或用法错误 bad input or usage
"""


def _parser() -> argparse.ArgumentParser:
    from ..typeset.paper import SHEETS  # here, not at the top: a client of briefing serve never needs it

    p = argparse.ArgumentParser(
        prog="briefing",
        description="把两会数据文件（YAML）排成可打印、经过检查的参阅资料 PDF。"
                    " Lays out the two-sessions briefing booklet from a YAML data file and verifies it.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    b = sub.add_parser("build", help="排版、写出并检查参阅资料 build, write and verify a booklet",
                       epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    b.add_argument("data", nargs="*", default=[DEFAULT_DATA],
                   help=f"数据文件，可多个（并行生成）data file(s), several build in parallel "
                        f"(default: {DEFAULT_DATA})")
    b.add_argument("-j", "--jobs", type=int, help="同时生成几份 parallel builds (default: the number of cores)")
    b.add_argument("--strict", action="store_true",
                   help="数据文件中还有“待核对”“待补充”标记（briefing import 的草稿）时拒绝生成 "
                        "refuse while review marks are left")
    b.add_argument("--copies", metavar="LIST",
                   help="按代表名单（.csv 或 .xlsx：份号、姓名、代表团/组别、邮箱）生成编号副本，每人一份，写到 -o 文件夹 "
                        "(default: out/<数据文件名>-copies/) one numbered, verified copy per delegate")
    b.add_argument("--email", action="store_true",
                   help="与 --copies 一起用：每页加姓名与份号的浅色斜向水印（电子版）with --copies: a light "
                        "diagonal watermark of the name and number on every page")
    _build_options(b, SHEETS)
    w = sub.add_parser("watch", help="数据文件每次保存后自动重新生成 rebuild each time the data file is saved",
                       description="先生成一次，之后每当数据文件保存就重新生成并检查（约 0.2 秒）；"
                                   "数据有误时显示错误并保留上一份合格的 PDF。Ctrl-C 结束。")
    w.add_argument("data", nargs="?", default=DEFAULT_DATA, help=f"数据文件 data file (default: {DEFAULT_DATA})")
    _build_options(w, SHEETS)
    r = sub.add_parser("serve", help="常驻进程：之后的 build 约 0.25 秒完成 keep a build process resident",
                       description="预先载入程序与字体并常驻；之后同一用户的 briefing build 交给它执行（约 0.25 秒），"
                                   "输出与本地生成完全相同。BRIEFING_SERVER=0 可绕过。Ctrl-C 结束。")
    r.add_argument("--idle", type=float, default=3600, help="空闲多少秒后退出 exit after this many idle seconds "
                                                            "(default: 3600)")
    v = sub.add_parser("verify", help="检查已有的 PDF verify an existing booklet")
    v.add_argument("pdf", help="要检查的 PDF")
    v.add_argument("--data", help="生成该 PDF 的数据文件：同时检查每个数字都在文中")
    v.add_argument("--paper", choices=["a4", "a5"], default=None,
                   help="期望的纸张 expected paper size (default: the first page's, A4 if neither)")
    v.add_argument("--imposed", help="该 PDF 的拼版文件：检查张数、纸张、页序与裁切线 check its sheets, "
                                     "page order and marks")
    v.add_argument("--sheet", choices=sorted(SHEETS), help="拼版纸张 the imposition's sheet (default: read from the file)")
    v.add_argument("--charts", action="store_true",
                   help="列出每张图表：图号、种类、所在页、数值与替代文字（需 --data）list every chart: its kind, "
                        "page, values and text alternative, as the rules compute them from the data, each "
                        "found in the PDF by its caption")
    n = sub.add_parser("new", help="由今年的数据生成明年的数据骨架 scaffold next year's data file",
                       description="保留结构、清空今年的数值，并加入 review：逐条列出今年的目标，留出 result 待明年填报。")
    n.add_argument("--from", dest="source", required=True, help="今年的数据文件 this year's data file")
    n.add_argument("--year", type=int, required=True, help="新文件的年份 the new year")
    n.add_argument("-o", "--output", help="新文件 (default: the source name with the new year)")
    n.add_argument("--force", action="store_true", help="覆盖已有文件 overwrite an existing file")
    _import_parsers(sub)
    sc = sub.add_parser("schema", help="输出数据文件的 JSON Schema print the data file's JSON Schema")
    sc.add_argument("-o", "--output", help="写入文件 write to this file instead of stdout")
    return p


def _build_options(p: argparse.ArgumentParser, sheets) -> None:
    p.add_argument("-o", "--output", help="输出 PDF output file, one data file only "
                                          "(default: out/<data name>-briefing.pdf)")
    p.add_argument("--paper", choices=["a4", "a5"], default="a4",
                   help="纸张 paper size, each laid out natively (default: a4)")
    p.add_argument("--impose", choices=["saddle"],
                   help="另写一份骑马钉拼版文件 …-imposed.pdf（A5 拼在 SRA4 上，A4 拼在 SRA3 上），双面打印短边翻转 "
                        "also write a saddle-stitch imposition for duplex printing")
    p.add_argument("--sheet", choices=sorted(sheets),
                   help="拼版纸张 press sheet (default: sra4 for A5, sra3 for A4, with room for bleed and marks; "
                        "a4 / a3 hold exactly two pages: no marks, no trimming)")
    p.add_argument("--marks", action="store_true", help="拼版文件加裁切线与折线（在页面之外）crop and fold marks")
    p.add_argument("--no-cache", action="store_true",
                   help="完全冷启动，不读写缓存 build fully cold and touch no cache "
                        "(cache: $XDG_CACHE_HOME/briefing or ~/.cache/briefing)")
    p.add_argument("-q", "--quiet", action="store_true", help="不显示进度 no progress on stderr")


def _say(text: str) -> None:
    """Every line for the user goes through here, its control characters escaped: a title,
    a file name or a PDF's text can hold ESC or BEL, and must not reach the terminal raw."""
    print(printable(text), file=sys.stderr, flush=True)


def _cache(args):
    """The cache a build uses: none with --no-cache, and none (with a one-line warning) when
    the cache directory belongs to another user or others can write to it."""
    from ..cache import Cache

    if args.no_cache:
        return Cache(None)
    cache = Cache.default()
    if cache.refused:
        _say(f"briefing: 警告 warning: 不使用缓存（{cache.refused}），本次不用缓存生成 (cache ignored)")
    return cache


def _build_many(args) -> int:
    import time

    from .batch import build_many

    if args.output:
        _say("briefing: 多个数据文件时不能用 -o；每份写到 out/<数据文件名>-briefing.pdf")
        return 2
    start = time.perf_counter()
    _say(f"briefing: {len(args.data)} 份数据，并行生成 building {len(args.data)} booklets in parallel")

    def line(o) -> None:  # -q hides progress, never a failure
        if o.code == 0 and args.quiet:
            return
        if o.code == 0:
            _say(f"  ✓ {o.data} → {o.output}  ({o.pages} 页, {o.size / 1024:.0f} KB, {o.seconds:.1f} s)")
            for w in o.warnings:
                _say(f"      警告 warning: {w}")
        else:
            _say(f"  ✗ {o.data}  ({'PDF 未通过检查' if o.code == 1 else '数据或输出错误'})")
            for row in o.message.splitlines():
                _say(f"      {row}")

    cache = _cache(args)
    outcomes = build_many(list(args.data), paper=args.paper, impose=bool(args.impose), marks=args.marks,
                          sheet=args.sheet,
                          cache_root=str(cache.root) if cache.root else None, workers=args.jobs,
                          report=line)
    failed = [o for o in outcomes if o.code]
    _say(f"briefing: {len(outcomes) - len(failed)} 份成功, {len(failed)} 份失败 "
         f"({len(outcomes) - len(failed)} ok, {len(failed)} failed) in {time.perf_counter() - start:.1f} s")
    return max((o.code for o in failed), default=0)


def _build_one(args, data: str) -> int:
    """One build with its progress and outcome on stderr (``build`` and every ``watch`` round)."""
    from .build import build

    def progress(stage: str, seconds: float) -> None:
        if not args.quiet:
            _say(f"  {stage:<28} {seconds:6.2f} s")

    if not args.quiet:
        served = os.environ.get("BRIEFING_SERVED")
        _say(f"briefing: {data}" + (f"  （常驻进程 served by briefing serve, worker {served}）" if served else ""))
    cache = _cache(args)
    result = build(data, args.output, paper=args.paper, impose=bool(args.impose), marks=args.marks,
                   sheet=args.sheet, cache=cache, progress=progress, strict=getattr(args, "strict", False),
                   chart_worker=os.environ.get("BRIEFING_CHART_WORKER") != "0",
                   finish_worker=os.environ.get("BRIEFING_FINISH_WORKER") != "0")
    for w in result.warnings:
        _say(f"briefing: 警告 warning: {w}")
    r = result.report
    _say(f"briefing: 完成 → {result.output}  ({r.pages} 页, {r.size / 1024:.0f} KB, "
         f"{sum(result.timings.values()):.2f} s)")
    if result.imposed_report is not None:
        ir = result.imposed_report
        _say(f"briefing: 拼版 → {result.imposed}  ({ir.pages // 2} 张, {ir.pages} 面, {ir.size / 1024:.0f} KB)")
    return 0


def _marks_without_impose(args) -> bool:
    for flag, given in (("--marks", args.marks), ("--sheet", args.sheet)):
        if given and not args.impose:
            _say(f"briefing: {flag} 需要与 --impose saddle 一起使用 ({flag} needs --impose saddle)")
            return True
    return False


def _build_copies(args) -> int:
    from .copies import build_copies

    def progress(stage: str, seconds: float) -> None:
        if not args.quiet:
            _say(f"  {stage:<28} {seconds:6.2f} s")

    data = args.data[0]
    if not args.quiet:
        _say(f"briefing: {data}，名单 {args.copies}")
    result = build_copies(data, args.copies, args.output, paper=args.paper, email=args.email,
                          impose=bool(args.impose), marks=args.marks, sheet=args.sheet, cache=_cache(args),
                          progress=progress, strict=args.strict, jobs=args.jobs,
                          chart_worker=os.environ.get("BRIEFING_CHART_WORKER") != "0")
    for w in result.warnings:
        _say(f"briefing: 注意 note: {w}")
    sizes = [c.size for c in result.copies]
    _say(f"briefing: 完成 {len(result.copies)} 份编号副本 → {result.folder}/  (每份 {result.copies[0].pages} 页, "
         f"{min(sizes) / 1024:.0f}–{max(sizes) / 1024:.0f} KB, 每份都已检查; 清单 copies.csv; "
         f"{sum(result.timings.values()):.2f} s)")
    if result.combined is not None:
        _say(f"briefing: 合订拼版 → {result.combined}")
    return 0


def _build(args) -> int:
    if args.email and not args.copies:
        _say("briefing: --email 需要与 --copies 一起使用 (--email needs --copies)")
        return 2
    if args.copies:
        if len(args.data) > 1:
            _say("briefing: --copies 只用于单个数据文件 (--copies takes one data file)")
            return 2
        if _marks_without_impose(args):
            return 2
        return _build_copies(args)
    if len(args.data) > 1 and args.strict:
        _say("briefing: --strict 只用于单个数据文件 (--strict takes one data file)")
        return 2
    if _marks_without_impose(args):
        return 2
    if len(args.data) > 1:
        return _build_many(args)
    return _build_one(args, args.data[0])


def _watch(args) -> int:
    import traceback

    from .watch import watch

    if _marks_without_impose(args):
        return 2

    def rebuild() -> None:
        try:
            with gc_paused():
                _build_one(args, args.data)
        except BriefingError as exc:
            _failed(exc)
        except Exception:  # a bug, not the data: show it, and keep watching for the next save
            traceback.print_exc()
        if not args.quiet:
            _say(f"briefing: 等待 {args.data} 的下一次保存（Ctrl-C 结束） watching for changes")
        gc.collect()  # the build's garbage, while the editor is the one at work
        # The first build checked and finished in a worker that imported pydantic-core, pikepdf and
        # pypdf for it; the next ones do it here, faster than a worker that imports them again
        # (commands.finishjob), and the check's validator is made now, not at the next save.
        from ..check import verify  # noqa: F401
        from ..data import validator
        from ..pdf import finish  # noqa: F401

        validator.prepare()

    # A stop signal that landed inside an import (the finishing stages above) is only
    # remembered: each round of the poll raises it, or watch would go on after it.
    watch(args.data, rebuild, stop=lambda: check_stop() or False)
    return 0


def _verify(args) -> int:
    """Exit 0 when every check passes, 1 when one fails, 2 when a file cannot be read at all
    (missing, not a regular file, too large, encrypted with a password, damaged, over a limit)."""
    from ..check.verify import verify
    from ..data.load import load
    from ..fonts.register import register

    doc = None
    if args.data:
        fonts = register()
        doc = load(args.data, missing_glyphs=fonts.missing)
    if args.charts and doc is None:
        _say("briefing: --charts 需要 --data（图表由数据算出，再到 PDF 中逐一核对）")
        return 2
    report = verify(args.pdf, doc, args.paper, parallel=True)
    unreadable = [(args.pdf, report.unreadable)] if report.unreadable else []
    if args.charts and not unreadable:
        print(printable("\n".join(report.charts) if report.charts else "（没有图表 no charts）"), flush=True)
    if args.imposed and not unreadable:
        from ..check.verify import verify_imposed

        imposed = verify_imposed(args.imposed, args.pdf, args.paper, args.sheet)
        report.checks += [type(c)(f"imposed: {c.name}", c.ok, c.detail) for c in imposed.checks]
        if imposed.unreadable:
            unreadable.append((args.imposed, imposed.unreadable))
    if unreadable:
        for path, why in unreadable:
            _say(f"briefing: 无法读取 {path}：{why}")
        return 2
    for c in report.checks:
        _say(f"  [{'ok' if c.ok else 'FAIL'}] {c.name}{': ' + c.detail if c.detail else ''}")
    if not report.ok:
        _say(f"briefing: {args.pdf} 未通过检查 (verification failed)")
        return 1
    _say(f"briefing: {args.pdf} 通过检查 ({report.pages} 页, {report.size / 1024:.0f} KB)")
    return 0


def _new(args) -> int:
    from ..data.load import load
    from ..data.scaffold import check_year, write_new
    from ..fonts.register import register

    check_year(args.year)
    fonts = register()
    doc = load(args.source, missing_glyphs=fonts.missing)
    out = write_new(doc, FsPath(args.source), args.year, FsPath(args.output) if args.output else None, args.force)
    targets = sum(len(p.targets) for p in doc.plan.paths)
    _say(f"briefing: 已生成 → {out}（{len(doc.plan.paths)} 条路径、{targets} 项 {doc.plan.year} 年目标待填报结果）")
    return 0


def _schema(args) -> int:
    from ..data.schema import schema_text

    text = schema_text()
    if args.output:
        from ..files import JSON, write_atomic

        write_atomic(FsPath(args.output), text.encode("utf-8"), replaces=JSON)
    else:
        sys.stdout.write(text)
    return 0


# ---- briefing import / briefing export (the article → draft → Excel review loop) ----------

def _import_parsers(sub) -> None:
    i = sub.add_parser("import", help="从文章（.txt/.docx）生成数据草稿，或把 Excel 核对结果并回 "
                                      "draft a data file from an article, or merge a reviewed workbook back",
                       description="SOURCE 为文章（.txt/.md，UTF-8 或 GB18030；.docx）时，写出一份数据草稿：提取的每一项标有"
                                   "“# 待核对”，文中没有的必填项标有“# 待填写”。SOURCE 为 .xlsx（briefing export 导出并核对过的）"
                                   "时，用 --into 把改动并回数据文件。")
    i.add_argument("source", help="文章 .txt/.md/.docx，或核对过的 .xlsx")
    i.add_argument("-o", "--output", help="数据草稿 (default: the article's name with .yaml, beside it)")
    i.add_argument("--into", help="与 .xlsx 一起用：要并回的数据文件 the data file to merge the workbook into")
    i.add_argument("--sections", help="文中没有【答卷一】/【路径一】标记且标题无法区分时，按摘要列出的标题编号指定，"
                                      "如 answers=1-5,paths=6-11")
    i.add_argument("--force", action="store_true", help="覆盖已有的数据草稿 overwrite an existing draft")
    e = sub.add_parser("export", help="把数据文件的指标与目标导出为 Excel 供核对 export metrics and targets for review")
    e.add_argument("data", help="数据文件 data file")
    e.add_argument("--xlsx", action="store_true", required=True, help="导出为 .xlsx（指标、目标两张表）")
    e.add_argument("-o", "--output", help="Excel 文件 (default: the data file's name with .xlsx)")
    e.add_argument("--force", action="store_true", help="覆盖已有的 Excel 文件 overwrite an existing workbook")


def _import(args) -> int:
    src = FsPath(args.source)
    if src.suffix.lower() in (".xlsx", ".xlsm"):
        if not args.into:
            _say("briefing: 导入 Excel 要用 --into 指定并回的数据文件：briefing import 文件.xlsx --into 数据.yaml")
            return 2
        return _merge(src, FsPath(args.into))
    if args.into:
        _say("briefing: --into 只用于 .xlsx；从文章生成草稿请用 -o")
        return 2
    from ..data.importer import import_document, write_atomic

    out = FsPath(args.output) if args.output else src.with_suffix(".yaml")
    if out.resolve() == src.resolve():
        _say(f"briefing: 输出文件与输入相同：{out}；请用 -o 指定草稿文件")
        return 2
    check_target(out, (src,), YAML)  # a link, a device, the article by another name, a Word file: refused
    if os.path.lexists(out) and not args.force:
        _say(f"briefing: 错误 error: {out} 已存在；要覆盖请加 --force (exists; use --force to overwrite)")
        return 2
    schema = FsPath("schema/briefing.schema.json")
    link = os.path.relpath(schema.resolve(), out.parent.resolve()) if schema.is_file() else None
    result = import_document(src, args.sections, link)
    write_atomic(out, result.text, (src,), YAML)
    for note in result.notes:
        _say(f"briefing: 注意 note: {note}")
    _say(f"briefing: 已生成草稿 → {out}")
    _say(f"  分节 sections: {result.how}：{result.answers} 个答卷、{result.paths} 条路径")
    _say(f"  提取 extracted: {result.metrics} 项指标；{result.targets} 项目标，含 {result.quantities} 个数量")
    _say(f"  待核对 to check: {result.checks} 处；待补充（可选）optional: {result.optional} 处；"
         f"待填写 to fill in: {'、'.join(result.blanks)}")
    _say(f"  下一步 next: briefing export {out} --xlsx  （在 Excel 中核对），然后 briefing build {out}")
    return 0


def _merge(xlsx: FsPath, data: FsPath) -> int:
    from ..data.importer import write_atomic
    from ..data.load import read_text
    from ..data.importer.xlsx import merge_xlsx
    from ..fonts.register import register

    # Each file read bounded (a missing one, a FIFO… is a message); the merged text must load.
    text, changed = merge_xlsx(xlsx, data, register().missing)
    if text != read_text(data):
        write_atomic(data, text, (xlsx,))
    _say(f"briefing: 已并回 → {data}（改动 {changed} 项 changed）" if changed else
         f"briefing: {xlsx} 与 {data} 一致，无改动 (no changes)")
    return 0


def _export(args) -> int:
    from ..data.importer.xlsx import export_xlsx

    data = FsPath(args.data)
    out = FsPath(args.output) if args.output else data.with_suffix(".xlsx")
    check_target(out, (data,), XLSX)  # --force replaces an earlier workbook, never a Word file
    if os.path.lexists(out) and not args.force:
        _say(f"briefing: 错误 error: {out} 已存在（可能有未并回的核对结果）；要覆盖请加 --force")
        return 2
    metrics, targets = export_xlsx(data, out)
    _say(f"briefing: 已导出 → {out}（指标 {metrics} 项，目标 {targets} 项）")
    _say(f"  改好后 then: briefing import {out} --into {data}")
    return 0


def _serve(args) -> int:
    from .serve import serve

    return serve(run, args.idle, say=_say, warm=_warm)


def _warm(note: dict) -> bool:
    """Ready a standby worker of ``briefing serve`` with the build a worker just ran (``note``:
    its argv, directory and environment): that booklet laid out again, nothing written; False
    when there was nothing to warm (any other command, or a chart not in the cache)."""
    argv = note["argv"]
    if argv[:1] != ["build"]:
        return False
    args = _parser().parse_args(argv)
    if args.copies or len(args.data) != 1:
        return False
    os.chdir(note["cwd"])
    os.environ.clear()
    os.environ.update(note["env"])
    from .build import warm_up

    return warm_up(args.data[0], args.output, args.paper, _cache(args))


@contextmanager
def gc_paused():
    """The cyclic garbage collector paused for one build: a build makes a few hundred thousand
    objects that nearly all live until it ends, so collecting while they arrive only rescans
    them (a sixth of a cold build's time). The little cyclic garbage it leaves is freed by the
    exit of a one-shot command, or, in ``watch``, collected after the build."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def run(argv: list[str], exiting: bool = False) -> int:
    """Parse and run one command in this process: what ``main`` does locally, and what a
    ``briefing serve`` worker does for its client. ``exiting``: the process ends right after
    (``files.terminated_on_signals``)."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        with terminated_on_signals(exiting):
            try:
                return {"build": _build, "watch": _watch, "serve": _serve, "verify": _verify, "new": _new,
                        "schema": _schema, "import": _import, "export": _export}[args.command](args)
            except BriefingError as exc:
                return _failed(exc)
            except KeyboardInterrupt:
                return 130
            except Terminated as exc:
                return stop_code(exc)
            except Exception as exc:
                code = stop_behind(exc)  # a library's cleanup that failed under a stop: the stop
                if code is None:
                    raise
                return code
    except KeyboardInterrupt:  # a stop that landed as the command ended, before the handlers went
        return 130
    except Terminated as exc:
        return stop_code(exc)


def _failed(exc: BriefingError) -> int:
    """Say what went wrong in the user's terms; return the exit code it calls for."""
    if isinstance(exc, VerificationError):
        _say("briefing: PDF 未通过检查，未交付 (verification failed, booklet not delivered):")
        for line in exc.failures:
            _say(f"  {line}")
    else:
        _say(f"briefing: 错误 error:\n{exc}" if "\n" in str(exc) else f"briefing: 错误 error: {exc}")
    return exc.exit_code

