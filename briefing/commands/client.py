"""The client side of ``briefing serve`` (``briefing build`` handing its work to a running
server), and what both sides share: the standard library alone, so that a handed-over build
starts in 0.03 s (``commands.entry``)."""

from __future__ import annotations

import json
import os
import signal
import socket
import stat
import struct
import sys
import zlib

from ..places import cache_folder

TYPE_CHECKING = False  # typing's own import is a millisecond of a served build's start
if TYPE_CHECKING:
    from pathlib import Path

ANSWER = 2.0  # seconds a client waits for each answer before the build starts, then builds locally
WORKER_WAIT = 10.0  # seconds a worker waits for its client's request and its "go"


def supported() -> bool:
    """fork, descriptor passing, and the kernel's word on who is at the other end of a socket."""
    return (hasattr(os, "fork") and hasattr(socket, "send_fds") and hasattr(socket, "AF_UNIX")
            and hasattr(socket, "SO_PEERCRED"))


def _code_digest() -> str:
    """This installation's code: the interpreter and every module file of the package (a name
    for the socket, not a safeguard: a server also checks for itself that its code is current)."""
    package = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
    listing = [f"{sys.executable}\0{sys.version}\0{package}\n"]
    for folder, subfolders, files in os.walk(package):
        subfolders.sort()
        for name in sorted(files):
            if name.endswith(".py"):
                st = os.stat(os.path.join(folder, name))
                listing.append(f"{os.path.relpath(os.path.join(folder, name), package)}\0{st.st_size}\0"
                               f"{st.st_mtime_ns}\n")
    data = "".join(listing).encode()
    return f"{zlib.crc32(data):08x}{zlib.adler32(data):08x}"


def socket_file() -> str:
    runtime = os.environ.get("XDG_RUNTIME_DIR", "").strip()
    # A relative path is invalid (the XDG spec): a server and its clients in other directories
    # would not meet, and each would make a folder where it runs.
    folder = os.path.join(runtime, "briefing") if os.path.isabs(runtime) else os.path.join(cache_folder(), "serve")
    return os.path.join(folder, f"{_code_digest()}.sock")


def socket_path() -> Path:
    from pathlib import Path

    return Path(socket_file())


def _distrust(folder: str | Path) -> str | None:
    """Why ``folder`` cannot hold our socket (None when it can): it must be a real directory of
    this user's that no one else can enter or write to. Asked by the server before it listens
    and by every client before it connects."""
    try:
        st = os.lstat(folder)
    except OSError as exc:
        return f"{folder}: {exc.strerror}"
    if not stat.S_ISDIR(st.st_mode):
        return f"{folder} is not a directory"
    if st.st_uid != os.getuid() or st.st_mode & 0o077:
        return f"{folder} must belong to this user alone (mode 0700)"
    return None


def _peer_uid(conn: socket.socket) -> int | None:
    """The uid of the process at the other end (the kernel's word, SO_PEERCRED), or None where
    the system cannot tell."""
    if not hasattr(socket, "SO_PEERCRED"):
        return None
    size = struct.calcsize("3i")
    _, uid, _ = struct.unpack("3i", conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, size))
    return uid


def _line(replies, conn: socket.socket, timeout: float | None) -> str:
    """One line from the other side, waiting at most ``timeout`` seconds (None: as long as it takes)."""
    conn.settimeout(timeout)
    line = replies.readline()
    if not line:
        raise ConnectionError("closed")
    return line.decode("ascii", "replace").strip()


def _connect() -> socket.socket | None:
    """A connection to a server we can trust, or None. Nothing is sent before both checks
    hold: the socket's directory is ours alone, and the process listening is ours (by uid)."""
    path = socket_file()
    if _distrust(os.path.dirname(path)):
        return None
    try:
        st = os.lstat(path)
    except OSError:
        return None
    if not stat.S_ISSOCK(st.st_mode) or st.st_uid != os.getuid():
        return None
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        conn.settimeout(ANSWER)
        conn.connect(path)
        if _peer_uid(conn) != os.getuid():
            conn.close()
            return None
    except OSError:
        conn.close()
        return None
    return conn


def build_via_server(argv: list[str]) -> int | None:
    """The exit code of ``argv`` run by a resident server; None when there is none to run it.

    The server must answer within ``ANSWER`` seconds at each step before the build starts (a
    stopped or hung server means a local build, not a wait): its greeting on connecting, then
    its worker's pid once the request is in. Only then does the client say "go"; a worker that
    hears nothing (the client gave up) exits without building.
    """
    if os.environ.get("BRIEFING_SERVER") == "0" or "BRIEFING_SERVED" in os.environ or not supported():
        return None
    conn = _connect()
    if conn is None:
        return None
    with conn:
        replies = conn.makefile("rb")
        try:
            if not _line(replies, conn, ANSWER).startswith("hello"):
                return None
            request = json.dumps({"argv": argv, "cwd": os.getcwd(), "env": dict(os.environ),
                                  "umask": _umask()}).encode("utf-8")
            request = struct.pack(">I", len(request)) + request
            sent = socket.send_fds(conn, [request], [0, 1, 2])
            conn.sendall(request[sent:])  # one send takes what the socket's buffer holds, no more
            word, _, value = _line(replies, conn, ANSWER).partition(" ")
            if word != "pid":
                return None
            worker = int(value)
        except (OSError, ValueError):  # no answer in time, no working directory, a closed stdin…
            return None
        except KeyboardInterrupt:  # before "go": no worker runs anything
            return 130
        try:
            code = _wait(replies, conn, worker)
        except KeyboardInterrupt:  # in the instant before _wait took the signals over: no "go" sent
            return 130
    if code is None:  # the worker was killed before it could say how the build ended
        sys.stderr.write(f"briefing: 常驻进程的 worker {worker} 未完成即退出，改为本地生成 "
                         "(the resident worker ended without finishing: building locally)\n")
        sys.stderr.flush()
    return code


def _wait(replies, conn: socket.socket, worker: int) -> int | None:
    """Say "go" to the worker, then wait for its exit code, as long as the build takes; None
    when the worker ends without one (killed outright), so that the client builds locally.

    Ctrl-C, SIGTERM or SIGHUP on the client is passed on to the worker, which stops the build
    as a local one would (its temporary files removed); the client then waits, at most
    ``WORKER_WAIT`` seconds, for the worker's own exit code (130, 143, 129), so that once the
    client has exited nothing of the build is left.
    """
    stopped: list[int] = []

    class Stop(Exception):
        pass

    def forward(signum, frame):
        try:
            os.kill(worker, signum)
        except OSError:
            pass
        if not stopped:
            stopped.append(signum)
            raise Stop  # out of a wait that has no end, into one that has

    saved = {s: signal.signal(s, forward) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    try:
        try:
            conn.sendall(b"go\n")  # only now: a stop from here on reaches the worker
        except Stop:
            pass
        except OSError:
            return 128 + stopped[0] if stopped else None
        while True:
            try:
                word, _, value = _line(replies, conn, WORKER_WAIT if stopped else None).partition(" ")
            except Stop:
                continue
            if word == "exit":
                return int(value)
    except (OSError, ValueError):  # the worker died without an exit code, or took too long to stop
        return 128 + stopped[0] if stopped else None
    finally:
        for s, handler in saved.items():
            signal.signal(s, handler)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
