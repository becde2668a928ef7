"""``briefing build DATA --copies LIST``: one numbered, verified copy per delegate.

The booklet is laid out, finished and verified once, into a private folder beside the target;
then each copy is stamped (``pdf/stamp.py``: the booklet's bytes plus an incremental update)
and checked (``check/copies.py``), on every core: a forked worker inherits the booklet, its
reading and the stamp's layout, and stamps and checks a share of the list. Nothing is written
to the target until every copy has passed; then the finished folder takes the target's place
whole, so a folder of copies is never half old and half new, and a copy of an earlier, longer
list never stays behind with a number nobody holds.

An unnumbered booklet is not delivered: a run for numbered copies leaves no copy without a
number.
"""

from __future__ import annotations

import csv
import gc
import io
import multiprocessing
import os
import stat
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path as FsPath

from ..cache import Cache, key
from ..errors import DataError, LayoutFailed, OutputError, Problem, VerificationError
from ..files import check_stop, os_reason, read_regular, remove_folder, replace_folder, staging_folder, sweep
from ..typeset.chartjob import ChartJob
from .build import Progress, _load, _review_marks, _Stages, sheet_note, verified

MANIFEST = "copies.csv"
COMBINED = "全部副本-拼版.pdf"  # with --impose: every copy's sheets in list order, for the print shop
FIELDS = ("number", "name", "file", "pages", "sha256", "group", "email", "imposed")
MANIFEST_LIMIT = 16 * 1024 * 1024


@dataclass
class Copy:
    number: str
    name: str
    group: str
    email: str
    file: str
    pages: int = 0
    size: int = 0
    sha256: str = ""
    imposed: str = ""
    read_back: str | None = None  # the number the check read from every page's footer
    problems: list[str] = field(default_factory=list)


@dataclass
class CopiesResult:
    folder: FsPath
    copies: list[Copy]
    booklet_size: int
    timings: dict[str, float]
    warnings: list[str]
    combined: FsPath | None = None


def default_folder(data: str | os.PathLike[str]) -> FsPath:
    return FsPath("out") / f"{FsPath(data).stem}-copies"


def owned_files(folder: FsPath, inputs: tuple[FsPath, ...]) -> set[str]:
    """The files of an earlier run in ``folder``, which a new run replaces; ``OutputError``
    when ``folder`` is anything else (a link, a file, a folder holding files we did not make or
    holding one of the inputs), so that replacing it can never delete someone's files."""
    try:
        st = os.lstat(folder)
    except FileNotFoundError:
        return set()
    except OSError as exc:
        raise OutputError(f"无法使用输出文件夹 {folder}：{os_reason(exc)}") from None
    if stat.S_ISLNK(st.st_mode):
        raise OutputError(f"输出文件夹 {folder} 是符号链接；请直接给出实际的文件夹 (is a symbolic link)")
    if not stat.S_ISDIR(st.st_mode):
        raise OutputError(f"输出路径 {folder} 不是文件夹；副本要写到一个文件夹里 (not a folder)")
    names = os.listdir(folder)
    ours = {MANIFEST, COMBINED}
    if MANIFEST in names:
        try:
            text = read_regular(folder / MANIFEST, MANIFEST_LIMIT).decode("utf-8-sig")
            for row in csv.DictReader(io.StringIO(text)):
                ours |= {row.get("file") or "", row.get("imposed") or ""}
        except (OSError, UnicodeDecodeError, csv.Error, ValueError) as exc:
            raise OutputError(f"输出文件夹 {folder} 中的 {MANIFEST} 无法读取（{exc}）") from None
    for source in inputs:
        try:
            src = os.stat(source)
        except OSError:
            continue
        for n in names:
            try:
                if (os.lstat(folder / n).st_dev, os.lstat(folder / n).st_ino) == (src.st_dev, src.st_ino):
                    raise OutputError(f"输出文件夹 {folder} 中有输入文件 {source}；副本文件夹会被整个替换，"
                                      f"请把名单和数据放在别处 (an input is inside the output folder)")
            except FileNotFoundError:
                pass
    foreign = sorted(n for n in names if n not in ours or not stat.S_ISREG(os.lstat(folder / n).st_mode))
    if foreign:
        raise OutputError(f"输出文件夹 {folder} 中有不是 briefing 生成的文件（{foreign[0]}"
                          f"{' 等 %d 个' % len(foreign) if len(foreign) > 1 else ''}）；副本文件夹会被整个替换，为免误删，"
                          f"请换一个文件夹（-o）或先把它们移走 (the folder holds files this command did not make)")
    return set(names)


# -- the work of one copy, in a forked worker (or here) ---------------------------------------------

_JOB: "_Job | None" = None  # set before the workers are forked: they inherit it


@dataclass
class _Job:
    booklet: object  # pdf.stamp.Booklet
    layout: object  # pdf.stamp.Layout
    reference: object  # check.copies.Reference
    people: object  # data.delegates.DelegateList
    staging: FsPath
    email: bool
    sheets: object = None  # pdf.stamp.Sheets: the imposed booklet, with --impose
    sheets_reference: object = None  # check.imposed.SheetsReference


def _one(i: int) -> Copy:
    from ..check.copies import Expected, check_copy
    from ..fonts.outlines import outline
    from ..pdf.stamp import FACES, Marks, stamp

    job = _JOB
    people, layout = job.people, job.layout
    d = people.delegates[i]
    number = people.number(d)
    marks = Marks(number, d.name, d.group, job.email)
    copy = Copy(number, d.name, d.group or "", d.email or "", people.file_name(d))
    target = job.staging / copy.file
    _write_new(target, stamp(job.booklet, layout, marks))
    labels = layout.labels
    cover = (number, *([layout.marking] if layout.marking else []), labels.delegate.replace("{name}", d.name),
             *([d.group] if d.group else []))
    expected = Expected(number, labels.copy_number.replace("{number}", number), cover, job.email,
                        outline(layout.fonts.path(FACES["watermark"]), layout.watermark_text(marks)).ops
                        if job.email else None)
    report = check_copy(job.reference, target, expected)
    copy.pages, copy.size, copy.sha256, copy.read_back = report.pages, report.size, report.sha256, report.number
    copy.problems = report.problems
    if job.sheets is not None and report.ok:
        from ..check.imposed import check_imposed_copy
        from ..pdf.stamp import stamp_sheets

        copy.imposed = copy.file[:-len(".pdf")] + "-imposed.pdf"
        _write_new(job.staging / copy.imposed, stamp_sheets(job.sheets, layout, marks))
        imposed = check_imposed_copy(job.sheets_reference, job.staging / copy.imposed, expected)
        copy.problems += [f"{copy.imposed}: {p}" for p in imposed.problems]
        if imposed.ok and imposed.number != copy.read_back:
            copy.problems.append(f"{copy.imposed}: its footers do not carry the copy's number")
    return copy


def _chunk(indices: list[int]) -> list[Copy]:
    gc.enable()  # a worker makes a few hundred copies: their garbage must not pile up
    return [_one(i) for i in indices]


def _write_new(path: FsPath, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
                 | getattr(os, "O_CLOEXEC", 0), 0o666)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)


def _run_all(count: int, workers: int) -> list[Copy]:
    """Every copy, in list order, on ``workers`` forked processes (or here, for one)."""
    if workers <= 1 or count < 8 or "fork" not in multiprocessing.get_all_start_methods():
        return _chunk(list(range(count)))
    size = max(4, -(-count // (workers * 4)))  # a few chunks each: the cores finish together
    chunks = [list(range(s, min(s + size, count))) for s in range(0, count, size)]
    gc.collect()
    gc.freeze()  # the booklet and the fonts, inherited: a worker's collections never walk them
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork")) as pool:
            try:
                return [c for part in pool.map(_chunk, chunks) for c in part]
            except BaseException:
                pool.shutdown(wait=False, cancel_futures=True)
                for child in multiprocessing.active_children():
                    child.terminate()
                for child in multiprocessing.active_children():
                    child.join(2)
                raise
    finally:
        gc.unfreeze()


# -- the command ------------------------------------------------------------------------------------

def build_copies(data: str | os.PathLike[str], listing: str | os.PathLike[str],
                 out: str | os.PathLike[str] | None = None, *, paper: str = "a4", email: bool = False,
                 impose: bool = False, marks: bool = False, sheet: str | None = None,
                 cache: Cache | None = None, progress: Progress | None = None, strict: bool = False,
                 jobs: int | None = None, chart_worker: bool = False) -> CopiesResult:
    """One verified copy per delegate of ``listing`` in the folder ``out``; a ``BriefingError``
    on any failure, and then nothing is written (an earlier folder of copies stays as it was)."""
    from ..data.delegates import read_list
    from ..pdf.stamp import DoesNotFit, Layout, Marks

    data, listing = FsPath(data), FsPath(listing)
    folder = FsPath(out) if out else default_folder(data)
    note = sheet_note(paper, sheet) if impose else None
    sources = (data, listing)
    owned = owned_files(folder, sources)  # before any work
    stages = _Stages(progress)
    doc, fonts = stages.run("读取与校验数据 load", _load, data, cache)
    people = stages.run("读取名单 list", read_list, listing, fonts.missing)
    unchecked = _review_marks(data, strict)
    from ..typeset.paper import PAPERS

    try:
        layout = Layout(PAPERS[paper], paper, fonts, doc.labels, doc.meeting.marking)
    except DoesNotFit as exc:
        raise LayoutFailed(str(exc)) from None
    problems = []
    for d in people.delegates:
        try:
            layout.check(Marks(people.number(d), d.name, d.group, email))
        except DoesNotFit as exc:
            problems.append(Problem(d.where, None, None, "", str(exc)))
    if problems:
        raise DataError(problems)
    hint_key = key("contents", str(data.resolve()), paper)
    hint = cache.get("contents", hint_key) if cache else None
    job = ChartJob.start() if chart_worker and hint is None else None
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"无法创建输出文件夹 {folder.parent}：{os_reason(exc)}") from None
    sweep(folder.parent)
    staging = None
    try:
        try:
            staging = staging_folder(folder)
        except OSError as exc:
            raise OutputError(f"无法写入 {folder.parent}：{os_reason(exc)}") from None
        tmp, raw = staging / ".booklet.pdf", staging / ".booklet.raw.pdf"
        try:
            verified(doc, fonts, tmp, raw, folder, paper, cache, stages, hint_key, hint, job)  # raises if not
        finally:
            if job is not None:
                job.close()
        tmp_imposed = staging / ".booklet-imposed.pdf"
        if impose:
            stages.run("骑马钉拼版 impose", _impose_booklet, tmp, tmp_imposed, paper, marks, sheet)
        copies = stages.run(f"盖章并检查 {len(people.delegates)} 份 stamp+check", _stamp_all, tmp, fonts, layout,
                            people, staging, email, paper, tmp_imposed if impose else None, sheet, jobs)
        failures = [f"{c.file}: {p}" for c in copies for p in c.problems]
        numbers = [c.read_back for c in copies]
        failures += [f"{c.file}: 每页页脚的份号不是名单上的 {c.number}" for c in copies
                     if not c.problems and c.read_back != c.number]
        failures += [f"份号 {n} 出现在 {numbers.count(n)} 份副本上" for n in sorted(set(numbers) - {None})
                     if numbers.count(n) > 1]
        if failures:
            raise VerificationError(failures)
        combined = None
        if impose:
            stages.run("合订拼版 combined print file", _combine, staging, copies, tmp_imposed)
            combined = folder / COMBINED
        _manifest(staging / MANIFEST, copies)
        booklet_size = tmp.stat().st_size
        for leftover in (tmp, raw, tmp_imposed):
            leftover.unlink(missing_ok=True)
        mask = os.umask(0o077)
        os.umask(mask)
        os.chmod(staging, 0o777 & ~mask)  # private while it was made; now as any folder the user makes
        check_stop()
        replace_folder(staging, folder, owned)
        staging = None
    finally:
        if staging is not None and staging.exists():
            remove_folder(staging)
    warnings = ([people.note] if people.note else []) + unchecked + ([note] if note else [])
    return CopiesResult(folder, copies, booklet_size, stages.timings, warnings, combined)


def _impose_booklet(booklet: FsPath, imposed: FsPath, paper: str, marks: bool, sheet: str | None) -> None:
    """The verified booklet imposed once, and that imposition verified: every copy's sheets
    are it plus the copy's stamp."""
    from ..check.verify import verify_imposed
    from ..pdf.impose import impose

    impose(booklet, imposed, paper, marks, sheet)
    report = verify_imposed(imposed, booklet, paper, sheet, marks)
    if not report.ok:
        raise VerificationError([f"拼版 imposed booklet: {f}" for f in report.failures()])


def _stamp_all(booklet_file: FsPath, fonts, layout, people, staging: FsPath, email: bool, paper: str,
               imposed: FsPath | None, sheet: str | None, jobs: int | None) -> list[Copy]:
    global _JOB
    from ..check.copies import Reference
    from ..pdf.stamp import Booklet

    booklet = Booklet.read(booklet_file, fonts)
    reference = Reference.read(booklet_file, layout.geo)
    _JOB = _Job(booklet, layout, reference, people, staging, email)
    if imposed is not None:
        from ..check.imposed import SheetsReference
        from ..pdf.stamp import Sheets

        _JOB.sheets = Sheets.read(imposed, booklet, booklet_file, fonts, paper, sheet)
        _JOB.sheets_reference = SheetsReference.read(imposed, reference, paper, sheet)
    if email:  # read the outlines' face here, once, rather than in every worker
        from ..fonts.outlines import outline
        from ..pdf.stamp import FACES

        outline(fonts.path(FACES["watermark"]), "0")
    try:
        return _run_all(len(people.delegates), jobs or os.cpu_count() or 1)
    finally:
        _JOB = None


def _combine(staging: FsPath, copies: list[Copy], imposed: FsPath) -> None:
    """Every copy's imposed sheets in list order, sharing the imposed booklet's objects (its
    content, fonts and images once, not once a copy), then checked side by side against each
    copy's imposed file: every side the same objects, down to each stream's bytes."""
    import pikepdf

    with pikepdf.open(imposed) as out:
        # Below /Size: the imposed booklet's objects, unchanged in every copy but the sides.
        size, tree = int(out.trailer.Size), out.Root.Pages
        own = {side.objgen for side in tree.Kids}
        sides = []
        for c in copies:
            with pikepdf.open(staging / c.imposed) as one:
                made: dict = {}
                for side in one.Root.Pages.Kids:  # the imposition's tree is flat: a sheet side each
                    carried = _carry(out, side, size, made, top=True)
                    carried.Parent = tree
                    sides.append(carried)
        tree.Kids = pikepdf.Array(sides)  # the tree itself: appending a page at a time is quadratic
        tree.Count = len(sides)
        out.save(staging / COMBINED, deterministic_id=True, compress_streams=True,
                 object_stream_mode=pikepdf.ObjectStreamMode.generate)
    with pikepdf.open(staging / COMBINED) as made:
        pages, at, seen = list(made.pages), 0, {}
        for c in copies:
            with pikepdf.open(staging / c.imposed) as one:
                for side in one.pages:
                    if at >= len(pages) or not _same(pages[at].obj, side.obj, (size, own, c.imposed), seen):
                        raise VerificationError([f"{COMBINED}: side {at + 1} is not {c.imposed}'s"])
                    at += 1
        if at != len(pages):
            raise VerificationError([f"{COMBINED}: {len(pages)} sides, the copies have {at}"])


def _carry(out, obj, size: int, made: dict, top: bool = False):
    """``obj`` of a copy's imposed file as an object of ``out`` (the imposed booklet): an object
    of the booklet (numbered below ``size``, unchanged in the copy) is ``out``'s own, anything
    the copy adds or changes (``top``: a side) is copied, once (``made``). A page's /Parent is
    left for the page tree."""
    import pikepdf

    if isinstance(obj, pikepdf.Object) and obj.is_indirect and not top:
        num = obj.objgen
        if num[0] < size:
            return out.get_object(num)
        if num in made:
            return made[num]
    if isinstance(obj, pikepdf.Stream):
        copy = made[obj.objgen] = pikepdf.Stream(out, obj.read_raw_bytes())  # as stored: /Filter applies
        for k, v in obj.stream_dict.items():
            if k != "/Length":
                copy[k] = _carry(out, v, size, made)
        return copy
    if isinstance(obj, pikepdf.Dictionary):
        value = pikepdf.Dictionary({k: _carry(out, v, size, made) for k, v in obj.items() if k != "/Parent"})
    elif isinstance(obj, pikepdf.Array):
        value = pikepdf.Array([_carry(out, v, size, made) for v in obj])
    else:
        return obj
    if obj.is_indirect:
        value = made[obj.objgen] = out.make_indirect(value)
    return value


def _same(a, b, copy: tuple[int, set, str], seen: dict) -> bool:
    """``a`` of the combined file draws what ``b`` of a copy's imposed file draws: the same
    values, streams with the same dictionary and bytes (pages compared without /Parent).
    ``copy`` is (the imposed booklet's /Size, its sides, the copy's file). ``seen`` keeps pairs
    compared: an object of the imposed booklet (not a side: each copy redefines those) has the
    same number in every copy, so its fonts and contents are compared once for all copies; a
    copy's own objects, once for that copy."""
    import pikepdf

    size, sides, name = copy
    if isinstance(a, pikepdf.Object) and isinstance(b, pikepdf.Object) and a.is_indirect and b.is_indirect:
        shared = b.objgen[0] < size and b.objgen not in sides
        key = (a.objgen, b.objgen, None if shared else name)
        if key in seen:
            return seen[key]
        seen[key] = True  # assumed while its parts are compared: a cycle adds nothing
        seen[key] = result = _same_value(a, b, copy, seen)
        return result
    return _same_value(a, b, copy, seen)


def _same_value(a, b, copy: tuple[int, set, str], seen: dict) -> bool:
    import pikepdf

    if isinstance(a, pikepdf.Stream) or isinstance(b, pikepdf.Stream):
        if not (isinstance(a, pikepdf.Stream) and isinstance(b, pikepdf.Stream)):
            return False
        coding = ("/Length", "/Filter", "/DecodeParms")
        raw = all(a.stream_dict.get(k) == b.stream_dict.get(k) for k in coding[1:])
        return ((a.read_raw_bytes() == b.read_raw_bytes() if raw else a.read_bytes() == b.read_bytes())
                and _same_value(_without(a.stream_dict, coding), _without(b.stream_dict, coding), copy, seen))
    if isinstance(a, pikepdf.Dictionary) or isinstance(b, pikepdf.Dictionary):
        if not (isinstance(a, pikepdf.Dictionary) and isinstance(b, pikepdf.Dictionary)):
            return False
        keys = set(a.keys()) - {"/Parent"}
        return keys == set(b.keys()) - {"/Parent"} and all(_same(a[k], b[k], copy, seen) for k in keys)
    if isinstance(a, pikepdf.Array) or isinstance(b, pikepdf.Array):
        return (isinstance(a, pikepdf.Array) and isinstance(b, pikepdf.Array) and len(a) == len(b)
                and all(_same(x, y, copy, seen) for x, y in zip(a, b)))
    return type(a) is type(b) and a == b


def _without(d, keys: tuple[str, ...]):
    import pikepdf

    return pikepdf.Dictionary({k: v for k, v in d.items() if k not in keys})


def _manifest(path: FsPath, copies: list[Copy]) -> None:
    """copies.csv for the office's records (UTF-8 with its BOM, so that Excel reads the names)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(FIELDS)
    for c in copies:
        w.writerow([c.number, _cell(c.name), c.file, c.pages, c.sha256, _cell(c.group), _cell(c.email), c.imposed])
    _write_new(path, buf.getvalue().encode("utf-8-sig"))


def _cell(value: str) -> str:
    """A name as a spreadsheet shows it, never as a formula (=, +, -, @ lead one in Excel)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
