"""``briefing serve``: a resident build process, so that ``briefing build`` answers in 0.25 s.

A fresh Python process spends 0.2 s importing reportlab, pydantic, pypdf and pikepdf, and more
warming up, before it builds anything; a native program such as Typst pays none of that. The
server pays it once: it imports everything and registers the fonts, then forks one worker for
each ``briefing build`` that finds it. The worker is handed the client's own stdin, stdout and
stderr (passed over the socket), its working directory, environment and umask, and runs the very
command the client was given; the client exits with the worker's exit code. Each worker starts
from the server's state as it was before any build, so nothing carries over between builds.

Opt-in, local and never stale: a build uses a server only when ``briefing serve`` runs for this
same installed code (the socket's name carries a digest of it) as this same user (the socket
sits in a 0700 directory, and the peer's uid is checked). A server whose loaded code has changed
on disk turns clients away and exits. ``BRIEFING_SERVER=0``, or no server, means a local build.
Unix only: it needs ``fork`` and descriptor passing.
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
import signal
import socket
import struct
import sys
import time
from pathlib import Path
from typing import Callable

from ..cache import default_dir

IDLE = 3600.0  # seconds without a build after which the server exits
STALE_CHECK = 10.0  # seconds between looks at whether the loaded code changed on disk


def supported() -> bool:
    return hasattr(os, "fork") and hasattr(socket, "send_fds") and hasattr(socket, "AF_UNIX")


def _code_digest() -> str:
    """This installation's code: the interpreter and every module file of the package."""
    package = Path(__file__).resolve().parent.parent
    h = hashlib.sha256(f"{sys.executable}\0{sys.version}\0{package}".encode())
    for f in sorted(package.rglob("*.py")):
        st = f.stat()
        h.update(f"{f.relative_to(package)}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()[:16]


def socket_path() -> Path:
    runtime = os.environ.get("XDG_RUNTIME_DIR", "").strip()
    folder = Path(runtime) / "briefing" if runtime else default_dir() / "serve"
    return folder / f"{_code_digest()}.sock"


def _private_dir(folder: Path) -> None:
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    st = folder.stat()
    if st.st_uid != os.getuid() or st.st_mode & 0o077:
        raise OSError(f"{folder} must belong to this user alone (mode 0700)")


# -- the client side (``briefing build``): standard library only, so it starts fast --------------

def build_via_server(argv: list[str]) -> int | None:
    """The exit code of ``argv`` run by a resident server; None when there is none to run it."""
    if os.environ.get("BRIEFING_SERVER") == "0" or "BRIEFING_SERVED" in os.environ or not supported():
        return None
    try:
        path = socket_path()
        if not path.exists():
            return None
        conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        conn.connect(str(path))
    except OSError:
        return None
    with conn:
        try:
            request = json.dumps({"argv": argv, "cwd": os.getcwd(), "env": dict(os.environ),
                                  "umask": _umask()}).encode("utf-8")
            socket.send_fds(conn, [struct.pack(">I", len(request)) + request], [0, 1, 2])
        except OSError:  # no working directory, a closed stdin…: the local build says what is wrong
            return None
        replies = conn.makefile("rb")
        worker = None
        try:
            for line in replies:
                word, _, value = line.decode("ascii").strip().partition(" ")
                if word == "pid":
                    worker = int(value)
                elif word == "exit":
                    return int(value)
                elif word == "stale":
                    return None
        except KeyboardInterrupt:
            if worker:
                os.kill(worker, signal.SIGINT)  # the worker stops as a local build would
            return 130
        return None if worker is None else 1  # the worker died without an exit code


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


# -- the server side ----------------------------------------------------------------------------

def _module_files() -> dict[str, tuple[int, int]]:
    files = {}
    for module in list(sys.modules.values()):
        name = getattr(module, "__file__", None)
        if name:
            try:
                st = os.stat(name)
            except OSError:
                continue
            files[name] = (st.st_size, st.st_mtime_ns)
    return files


def _stale(files: dict[str, tuple[int, int]]) -> bool:
    for name, seen in files.items():
        try:
            st = os.stat(name)
        except OSError:
            return True
        if (st.st_size, st.st_mtime_ns) != seen:
            return True
    return False


def _peer_is_us(conn: socket.socket) -> bool:
    if not hasattr(socket, "SO_PEERCRED"):
        return True  # the 0700 directory is the guard where the kernel cannot tell the peer
    _, uid, _ = struct.unpack("3i", conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i")))
    return uid == os.getuid()


def _receive(conn: socket.socket) -> tuple[dict, list[int]]:
    data, fds, _, _ = socket.recv_fds(conn, 65536, 3)
    if len(data) < 4:
        raise OSError("short request")
    size = struct.unpack(">I", data[:4])[0]
    body = data[4:]
    while len(body) < size:
        more = conn.recv(size - len(body))
        if not more:
            raise OSError("request cut short")
        body += more
    return json.loads(body.decode("utf-8")), fds


def _work(conn: socket.socket, run: Callable[[list[str]], int]) -> None:
    """In the forked worker: become the client's process, run its command, report, exit."""
    code = 1
    try:
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGCHLD):
            signal.signal(sig, signal.default_int_handler if sig == signal.SIGINT else signal.SIG_DFL)
        request, fds = _receive(conn)
        for target, fd in zip((0, 1, 2), fds):
            os.dup2(fd, target)
            os.close(fd)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        os.environ["BRIEFING_SERVED"] = str(os.getpid())
        os.umask(request["umask"])
        conn.sendall(f"pid {os.getpid()}\n".encode("ascii"))
        gc.disable()  # a worker runs one command and exits (as a local one-shot command does)
        code = run(request["argv"])
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except KeyboardInterrupt:
        code = 130
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
            conn.sendall(f"exit {code}\n".encode("ascii"))
        finally:
            os._exit(0)


def _reap() -> None:
    try:
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass
    except ChildProcessError:
        pass


def serve(run: Callable[[list[str]], int], idle: float = IDLE, say: Callable[[str], None] = print) -> int:
    """Run until interrupted, or ``idle`` seconds without a build; return an exit code.

    ``run`` is the command line's own dispatcher (argv → exit code), handed in so that the worker
    runs exactly what a local ``briefing`` would, without this module importing the CLI.
    """
    if not supported():
        say("briefing serve: 此系统不支持常驻进程 (needs fork and Unix sockets)")
        return 2
    path = socket_path()
    try:
        _private_dir(path.parent)
    except OSError as exc:
        say(f"briefing serve: 无法使用文件夹 {path.parent}：{exc}")
        return 2
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        probe.connect(str(path))
        say(f"briefing serve: 已有常驻进程在运行 already running ({path})")
        return 2
    except OSError:
        path.unlink(missing_ok=True)  # a socket left by a server that did not exit cleanly
    finally:
        probe.close()
    from ..cache import Cache
    from .build import preload

    preload(Cache.default())
    files = _module_files()
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        listener.bind(str(path))
    except OSError as exc:  # e.g. a path over the ~100 bytes a Unix socket name may have
        listener.close()
        say(f"briefing serve: 无法创建 {path}：{exc}（可设置较短的 XDG_RUNTIME_DIR）")
        return 2
    listener.listen(16)
    listener.settimeout(1.0)
    gc.freeze()  # what was loaded stays put: workers neither rescan nor copy it
    sys.stdout.flush()
    sys.stderr.flush()
    say(f"briefing serve: 就绪 ready, pid {os.getpid()} ({path}); Ctrl-C 结束")
    last = checked = time.monotonic()
    try:
        while time.monotonic() - last < idle:
            _reap()
            try:
                conn, _ = listener.accept()
            except socket.timeout:
                if time.monotonic() - checked > STALE_CHECK:
                    checked = time.monotonic()
                    if _stale(files):  # upgraded or edited: new clients look for a new socket
                        say("briefing serve: 代码已更新，退出 the installed code changed: exiting")
                        return 0
                continue
            last = time.monotonic()
            with conn:
                if not _peer_is_us(conn):
                    continue
                if _stale(files):
                    conn.sendall(b"stale\n")
                    say("briefing serve: 代码已更新，退出 the installed code changed: exiting")
                    return 0
                if os.fork() == 0:
                    listener.close()
                    _work(conn, run)
        say("briefing serve: 空闲超时，退出 idle: exiting")
        return 0
    except KeyboardInterrupt:
        return 0
    finally:
        listener.close()
        path.unlink(missing_ok=True)
        _reap()
