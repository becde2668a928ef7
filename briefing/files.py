"""Reading what we are given and writing what we make, safely.

Reading: only regular files, and never more than a stated number of bytes. A FIFO, a device
(``/dev/zero``, ``/dev/urandom``), a socket or a directory is refused by its kind before it is
opened, so nothing can make a read hang or fill the memory.

Writing: the result goes to a temporary file beside its target (named ``.briefing.<pid>@<host>
.<tag>.tmp…``) and is renamed over the target only when it is whole. The target must be a
regular file or nothing: never a directory, a device, a symbolic link, or one of the files
the build reads (compared by device and inode, so a hard link or another spelling of the same
path is caught too). Leftovers of a build that was killed (SIGKILL, a power cut) are swept by
the next build into the same folder: only names of our own pattern, only files we own, and
only when stale (their process is gone, or they are a day old).
"""

from __future__ import annotations

import errno
import hashlib
import codecs
import os
import re
import signal
import socket
import stat
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from .errors import InputError, OutputError, Terminated

STALE_AGE = 24 * 3600  # seconds: a temporary file this old is a leftover whatever its pid says
_TEMP = re.compile(r"^\.briefing\.(\d+)@([A-Za-z0-9-]{0,40})\.[0-9a-f]{8}\.tmp(\.[a-z]+)?$")

KINDS = (
    (stat.S_ISDIR, "这是一个文件夹 (is a directory)"),
    (stat.S_ISFIFO, "这是命名管道，不是普通文件 (is a FIFO, not a regular file)"),
    (stat.S_ISCHR, "这是设备文件，不是普通文件 (is a character device, not a regular file)"),
    (stat.S_ISBLK, "这是块设备，不是普通文件 (is a block device, not a regular file)"),
    (stat.S_ISSOCK, "这是套接字，不是普通文件 (is a socket, not a regular file)"),
)


def kind_problem(mode: int) -> str | None:
    """Why a file of this mode is not a regular file, in the user's terms; None if it is one."""
    if stat.S_ISREG(mode):
        return None
    return next((why for test, why in KINDS if test(mode)), "不是普通文件 (not a regular file)")


def os_reason(exc: OSError) -> str:
    """An OS error as a user reads it: the system's wording and its errno name (ENOSPC)."""
    name = errno.errorcode.get(exc.errno or 0, "")
    text = exc.strerror or str(exc)
    return f"{text} ({name})" if name else text


def writing(out: Path, stage, *args):
    """Run a stage that writes, turning an OS error (a full disk, a file size limit, a folder
    made read-only meanwhile) into a message that names the target."""
    try:
        return stage(*args)
    except OSError as exc:
        raise OutputError(f"无法写入 {out}：{os_reason(exc)}") from None


def read_regular(path: str | os.PathLike[str], limit: int) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes; ``InputError`` for anything else.

    The kind is checked before opening (opening a tape or a FIFO can block or have effects)
    and again on the open descriptor (the name may have been swapped in between); the read
    itself stops at ``limit + 1`` bytes, whatever the file claims its size is.
    """
    try:
        why = kind_problem(os.stat(path).st_mode)
        if why:
            raise InputError(why)
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
                     | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise InputError("文件不存在 (file not found)") from None
    except PermissionError:
        raise InputError("没有读取权限 (permission denied)") from None
    except OSError as exc:
        raise InputError(f"无法打开：{os_reason(exc)}") from None
    try:
        st = os.fstat(fd)
        why = kind_problem(st.st_mode)
        if why:
            raise InputError(why)
        if st.st_size > limit:
            raise InputError(f"文件过大（{st.st_size} 字节，上限 {limit} 字节）")
        chunks, got = [], 0
        while got <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - got))
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
        if got > limit:
            raise InputError(f"文件过大（超过上限 {limit} 字节）")
        return b"".join(chunks)
    except InputError:
        raise
    except OSError as exc:
        raise InputError(f"读取失败：{os_reason(exc)}") from None
    finally:
        os.close(fd)


def same_file(a: os.stat_result, b: os.stat_result) -> bool:
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


# What a command may replace: a file that begins as its own output does (an earlier booklet, an
# earlier schema), or an empty one. Anything else there is someone's data: a mistyped -o once
# replaced another district's data file with a PDF.
# A kind is (the bytes its files begin with, or None for UTF-8 text; its name; the file names
# it may have, or None for any; for a zip, the part it must hold).
Kind = tuple
PDF: Kind = (b"%PDF-", "PDF", None)
JSON: Kind = (b"{", "JSON", None)
XLSX: Kind = (b"PK\x03\x04", "Excel 工作簿 (.xlsx)", (".xlsx", ".xlsm"), "xl/workbook.xml")  # a .docx is a zip too
YAML: Kind = (None, "数据文件 (.yaml)", (".yaml", ".yml"))


def _is_text(head: bytes) -> bool:
    if b"\0" in head:
        return False
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return False
    return True


def _begins_with(target: Path, kind: Kind) -> bool:
    """Whether the regular file ``target`` is empty or one of ``kind`` (by its name and its first
    bytes, read without following a link or waiting on a FIFO swapped in meanwhile)."""
    magic, _, names, part = (tuple(kind) + (None, None))[:4]
    try:
        fd = os.open(target, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return True  # gone, or unreadable: the rename says what is wrong, if anything
    with os.fdopen(fd, "rb") as f:
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                return True  # the kind check refuses it
            head = f.read(4096 if magic is None else len(magic))
        except OSError:
            return True
        if not head:
            return True
        if names is not None and target.suffix.lower() not in names:
            return False
        if magic is None:
            return _is_text(head)
        if head != magic:
            return False
        return part is None or _holds(f, part)


def _holds(f, part: str) -> bool:
    """Whether the zip ``f`` has ``part`` (an .xlsx its workbook, where a .docx has a document):
    its directory, at its end, is read, not its parts."""
    import zipfile

    try:
        with zipfile.ZipFile(f) as z:
            return part in z.namelist()
    except Exception:  # noqa: BLE001 -- a damaged zip is not an earlier output of ours
        return False


def check_target(target: Path, inputs: tuple[Path, ...] = (), replaces: Kind | None = None) -> None:
    """Refuse a target we must not write over: ``OutputError`` saying why.

    Allowed: nothing there yet, or a regular file that is none of ``inputs`` (and, with
    ``replaces``, one that is empty or begins with its magic). Refused: a directory, a device, a
    FIFO, a socket, a symbolic link (renaming over it would replace the link, and following it
    could write anywhere it points, another user's file included), and any input, however it
    is reached.
    """
    try:
        st = os.lstat(target)
    except (FileNotFoundError, NotADirectoryError):
        return  # nothing there; a folder that cannot be made is reported when it is made
    except OSError as exc:
        raise OutputError(f"无法使用输出路径 {target}：{os_reason(exc)}") from None
    if stat.S_ISLNK(st.st_mode):
        raise OutputError(f"输出路径 {target} 是符号链接；请直接给出实际的文件路径 (is a symbolic link)")
    why = kind_problem(st.st_mode)
    if why:
        raise OutputError(f"输出路径 {target}：{why}；只会写入普通文件")
    for source in inputs:
        try:
            if same_file(st, os.stat(source)):
                raise OutputError(f"输出文件 {target} 就是输入文件 {source}，不能覆盖 (the output is the input)")
        except OSError:
            continue
    if replaces is not None and not _begins_with(target, replaces):
        raise OutputError(f"输出路径 {target} 已有一个文件，它不是 {replaces[1]}，不会覆盖它；请换一个文件名，"
                          f"或先移走该文件 (exists and is not a {replaces[1]} file: not replaced)")


def _host() -> str:
    return re.sub(r"[^A-Za-z0-9-]", "", socket.gethostname())[:40]


def temp_path(target: Path) -> Path:
    """The name of our temporary file for ``target``: in its folder, of our own pattern.

    Only a name: the caller creates it (``create_temp``) inside the ``try`` whose ``finally``
    removes it, so that no signal can land between making the file and knowing its name.
    """
    tag = hashlib.sha256(target.name.encode("utf-8", "surrogateescape")).hexdigest()[:8]
    return target.parent / f".briefing.{os.getpid()}@{_host()}.{tag}.tmp"


def create_temp(path: Path) -> None:
    """Create ``path`` new and empty (never open one that is there: it is a stale leftover of
    an earlier process with our pid, or a planted link, and is removed first)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags, 0o666)
    except FileExistsError:
        path.unlink()
        fd = os.open(path, flags, 0o666)
    os.close(fd)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: alive
    return True


def sweep(folder: Path, now: float | None = None) -> list[Path]:
    """Remove our stale temporary files from ``folder``; return what was removed.

    A file goes only when all hold: its name is of our pattern, it is a regular file (not a
    link), it belongs to this user, and it is stale: made on this host by a process that no
    longer exists, or older than ``STALE_AGE`` (another host's, or a reused pid).
    """
    now = time.time() if now is None else now
    host, removed = _host(), []
    try:
        names = os.listdir(folder)
    except OSError:
        return removed
    for name in names:
        m = _TEMP.match(name)
        if not m:
            continue
        path = folder / name
        try:
            st = os.lstat(path)
        except OSError:
            continue
        folder_of_ours = stat.S_ISDIR(st.st_mode) and m.group(3) in (".dir", ".old")
        if not (stat.S_ISREG(st.st_mode) or folder_of_ours) or st.st_uid != os.getuid():
            continue
        pid, made_here = int(m.group(1)), m.group(2) == host
        old = now - st.st_mtime > STALE_AGE
        if old or (made_here and pid != os.getpid() and not _alive(pid)):
            try:
                if folder_of_ours:
                    remove_folder(path)
                else:
                    path.unlink()
                removed.append(path)
            except OSError:
                pass
    return removed


def remove_folder(folder: Path) -> None:
    """Remove a folder of ours and the regular files in it (never a link's target, never a
    folder inside it: ours hold neither)."""
    for name in os.listdir(folder):
        entry = folder / name
        if stat.S_ISREG(os.lstat(entry).st_mode):
            entry.unlink()
    folder.rmdir()


def staging_folder(target: Path) -> Path:
    """A new, private folder beside ``target`` (named as our temporary files are, ``….tmp.dir``)
    where a set of files is made before it replaces ``target`` whole."""
    folder = temp_path(target).with_suffix(".tmp.dir")
    try:
        os.mkdir(folder, 0o700)
    except FileExistsError:  # a leftover of an earlier process with our pid
        remove_folder(folder)
        os.mkdir(folder, 0o700)
    return folder


def replace_folder(staging: Path, target: Path, owned: set[str]) -> None:
    """Put the finished ``staging`` folder in ``target``'s place.

    An existing ``target`` is moved aside first and removed after: only the files named in
    ``owned`` (what an earlier run made there; the caller checked that nothing else is in it),
    so a copy left over from a longer list never stays beside the new ones.
    """
    check_stop()
    aside = None
    try:
        if os.path.lexists(target):
            aside = temp_path(target).with_suffix(".tmp.old")
            os.rename(target, aside)
        os.rename(staging, target)
    except OSError as exc:
        if aside is not None and not os.path.lexists(target):
            os.rename(aside, target)  # put the old folder back
        raise OutputError(f"无法写入 {target}：{os_reason(exc)}") from None
    if aside is not None:
        for name in owned:
            try:
                (aside / name).unlink()
            except FileNotFoundError:
                pass
        try:
            aside.rmdir()
        except OSError:
            pass  # something appeared in it meanwhile: left for the user


def make_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"无法创建输出文件夹 {folder}：{os_reason(exc)}") from None
    if not folder.is_dir():
        raise OutputError(f"无法创建输出文件夹 {folder}：已有同名文件 (not a directory)")


def deliver(temp: Path, target: Path, inputs: tuple[Path, ...] = (), replaces: Kind | None = None) -> None:
    """Rename the finished ``temp`` over ``target``, checking the target once more first (and
    that no stop was asked for meanwhile)."""
    check_stop()
    check_target(target, inputs, replaces)
    try:
        os.replace(temp, target)
    except OSError as exc:
        raise OutputError(f"无法写入 {target}：{os_reason(exc)}") from None


def write_atomic(target: Path, data: bytes, inputs: tuple[Path, ...] = (),
                 replaces: Kind | None = None) -> None:
    """Write ``data`` as ``target`` in one step: the old file or the new, never half of one."""
    make_folder(target.parent)
    check_target(target, inputs, replaces)
    sweep(target.parent)
    temp = temp_path(target)
    try:
        try:
            create_temp(temp)
            with open(temp, "wb") as fh:
                fh.write(data)
        except OSError as exc:
            raise OutputError(f"无法写入 {target}：{os_reason(exc)}") from None
        deliver(temp, target, inputs, replaces)
    finally:
        temp.unlink(missing_ok=True)


# -- stopping cleanly -----------------------------------------------------------------------------

_STOPS = tuple(s for s in (getattr(signal, "SIGTERM", None), getattr(signal, "SIGHUP", None),
                           getattr(signal, "SIGINT", None)) if s is not None)
_asked: list[int] = []  # the signal that asked this process to stop, once one has


def _stop_exception(signum: int) -> BaseException:
    return KeyboardInterrupt() if signum == signal.SIGINT else Terminated(128 + signum)


def stop_code(exc: BaseException) -> int:
    """The exit code of a stop: 128 + the signal that asked for it. Not the exception's own
    code alone: a library that raises the exception again with its message extended
    (reportlab's ``annotateException`` does, inside the layout) leaves a ``Terminated`` whose
    code is that text, and ``os._exit`` of a text would end in a traceback."""
    if _asked:
        return 128 + _asked[0]
    code = getattr(exc, "code", None)
    return code if isinstance(code, int) else 128 + signal.SIGTERM


def stop_behind(exc: BaseException) -> int | None:
    """The exit code of the stop that ``exc`` was raised while unwinding, None if none was.
    A library's ``finally`` can fail when a stop lands in its ``try`` before what the
    ``finally`` undoes was done (reportlab's ``drawGroup`` deletes a ``_parent`` it had not
    yet set): the stop then arrives as that library's error, with the stop as its context."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, KeyboardInterrupt):
            return 128 + _asked[0] if _asked else 130
        if isinstance(exc, Terminated):
            return stop_code(exc)
        exc = exc.__cause__ or exc.__context__
    return None


def forget_stops() -> None:
    """A forked child starts with no stop of its own: one its parent had only remembered (it
    landed in a callback of the fork) is the parent's, raised there."""
    _asked.clear()


def check_stop() -> None:
    """Raise again for a stop signal that arrived earlier. Python cannot raise out of a
    ``__del__`` or a weakref callback: a signal landing there is reported as "ignored" and
    the build would go on to deliver. Stage boundaries and ``deliver`` look here."""
    if _asked:
        raise _stop_exception(_asked[0])


def _importing(frame) -> bool:
    """Whether the signal landed inside an import: an extension module being initialised (pikepdf's
    nanobind enums, for one) aborts the whole process on an exception raised there."""
    while frame is not None:
        if frame.f_code.co_filename.startswith("<frozen importlib"):
            return True
        frame = frame.f_back
    return False


@contextmanager
def terminated_on_signals(exiting: bool = False):
    """SIGTERM and SIGHUP raise ``Terminated`` where the process stands, as Ctrl-C raises
    KeyboardInterrupt, so that every temporary file is removed by the ``finally`` that made it
    (by default they end the process on the spot and leave them behind). Each signal is also
    remembered for ``check_stop``; one that lands inside an import is only remembered, and
    raised at the next stage.

    With ``exiting`` (the process ends right after: a one-shot command), the stop signals are
    blocked before their handlers are put back and stay blocked: one that comes once the work
    is done waits, and dies with the process, whose exit code stays the command's (it ended
    the process by the signal's default action, exit -15, after the booklet was delivered)."""
    def stop(signum, frame):
        if not _asked:
            _asked.append(signum)
        if _importing(frame):
            return  # a C extension may be initialising, and aborts on an exception: check_stop raises it
        raise _stop_exception(signum)

    def unraisable(info):  # the stop landed in a __del__: check_stop raises it again, quietly
        if not (_asked and isinstance(info.exc_value, (KeyboardInterrupt, Terminated))):
            hook(info)

    try:
        saved = {s: signal.signal(s, stop) for s in _STOPS}
    except ValueError:  # not the main thread: leave the signals as they are
        yield
        return
    hook, sys.unraisablehook = sys.unraisablehook, unraisable
    try:
        yield
    finally:
        if exiting and hasattr(signal, "pthread_sigmask"):
            signal.pthread_sigmask(signal.SIG_BLOCK, _STOPS)
        for s, handler in saved.items():
            signal.signal(s, handler)
        sys.unraisablehook = hook
        _asked.clear()
