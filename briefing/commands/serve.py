"""``briefing serve``: a resident build process, so that ``briefing build`` answers in 0.15 s.

A fresh Python process spends 0.2 s importing reportlab, pydantic-core, pypdf and pikepdf, and more
warming up, before it builds anything; a native program such as Typst pays none of that. The
server pays it once: it imports everything and registers the fonts, then forks one worker for
each ``briefing build`` that finds it. The worker is handed the client's own stdin, stdout and
stderr (passed over the socket), its working directory, environment and umask, and runs the very
command the client was given; the client exits with the worker's exit code. Each worker starts
from the server's state as it was before any build. One thing only carries over: after a build
succeeds, the next worker is forked at once and lays that booklet out again, writing nothing
(``_Standby``), so that an edit of it is built as ``watch`` builds its next save (served layout 0.11 → 0.06 s);
the file is the same either way.

Opt-in, local and never stale: a build uses a server only when ``briefing serve`` runs for this
same installed code (the socket's name carries a digest of it) as this same user. Both sides
check it: the socket's directory must be a 0700 directory of this user's (the client checks
too, and never connects into another user's), and each side asks the kernel for the uid at the
other end (SO_PEERCRED) before it sends anything: argv, working directory, environment and
descriptors go only to a process of the same user. A server that does not answer within
``ANSWER`` seconds (stopped, hung) means a local build, never a wait. A server whose loaded code
has changed on disk turns clients away and exits. ``BRIEFING_SERVER=0``, or no server, means a
local build. Linux only: it needs ``fork``, descriptor passing and SO_PEERCRED.
"""

from __future__ import annotations

import gc
import json
import os
import select
import signal
import socket
import stat
import struct
import sys
import time
from pathlib import Path
from typing import Callable

from ..errors import Terminated
from ..files import check_stop, forget_stops, stop_code
from .client import ANSWER, WORKER_WAIT, _distrust, _line, _peer_uid, socket_path, supported

IDLE = 3600.0  # seconds without a build after which the server exits
STALE_CHECK = 10.0  # seconds between looks at whether the loaded code changed on disk


def _private_dir(folder: Path) -> None:
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    why = _distrust(folder)
    if why:
        raise OSError(why)


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
    return _peer_uid(conn) == os.getuid()


def _receive(conn: socket.socket) -> tuple[dict, list[int]]:
    conn.settimeout(WORKER_WAIT)
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


def _stop_with_client(conn: socket.socket) -> None:
    """Stop the build, as SIGHUP stops a local one, when the client goes away (killed outright,
    or its terminal closed): a build whose client is gone must not go on to deliver.

    The kernel says so with SIGIO (the socket is set to signal when it turns readable: the
    client sends nothing after "go", so only its end makes it so). A signal, not a thread
    that waits: a process with a second thread cannot fork safely, and the build forks the
    structure-tree reader of its verification (``check.verify``)."""
    import fcntl

    def gone(signum, frame) -> None:
        try:
            if conn.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT):
                return
        except BlockingIOError:
            return  # woken for something else: the client is still there
        except OSError:
            pass
        os.kill(os.getpid(), signal.SIGHUP)

    signal.signal(signal.SIGIO, gone)
    fcntl.fcntl(conn.fileno(), fcntl.F_SETOWN, os.getpid())
    fcntl.fcntl(conn.fileno(), fcntl.F_SETFL, fcntl.fcntl(conn.fileno(), fcntl.F_GETFL) | os.O_ASYNC)
    gone(signal.SIGIO, None)  # gone already, before the signal was set up


def _work(conn: socket.socket, run: Callable[[list[str]], int], notes: socket.socket | None = None,
          warmed: bool = False) -> None:
    """In the forked worker: become the client's process, run its command, report, exit.

    Nothing runs until the client, having seen our pid, says "go": a client that gave up
    waiting has built locally by then, and its request must not run a second time. A command
    that succeeded is noted to the server (``notes``), which warms its next worker with it.
    """
    code = 1
    go = False
    forget_stops()  # the server's, if one landed where it could only be remembered
    try:
        if os.getsid(0) != os.getpid():  # a standby is in a session of its own already
            os.setsid()  # Ctrl-C in the server's terminal (its process group) is not a stop for the builds
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGCHLD):
            signal.signal(sig, signal.default_int_handler if sig == signal.SIGINT else signal.SIG_DFL)
        request, fds = _receive(conn)
        conn.sendall(f"pid {os.getpid()}\n".encode("ascii"))
        if _line(conn.makefile("rb"), conn, WORKER_WAIT) != "go":
            return
        go = True
        conn.settimeout(None)
        _stop_with_client(conn)
        for target, fd in zip((0, 1, 2), fds):
            os.dup2(fd, target)
            os.close(fd)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        os.environ["BRIEFING_SERVED"] = f"{os.getpid()}, warmed" if warmed else str(os.getpid())
        os.umask(request["umask"])
        gc.disable()  # a worker runs one command and exits (as a local one-shot command does)
        code = run(request["argv"])
        if code == 0 and notes is not None:
            _note(notes, request)
    except Terminated as exc:
        code = stop_code(exc)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except KeyboardInterrupt:
        code = 130
    except BaseException:
        if go:
            import traceback

            traceback.print_exc()
    finally:
        try:
            if go:
                sys.stdout.flush()
                sys.stderr.flush()
                conn.sendall(f"exit {code}\n".encode("ascii"))
        except BaseException:
            pass
        finally:
            os._exit(0)


NOTE_MAX = 60_000  # bytes of a note: one datagram, read whole or not at all


def _note(notes: socket.socket, request: dict) -> None:
    """Tell the server what this worker ran (argv, directory, environment), one datagram."""
    data = json.dumps({k: request[k] for k in ("argv", "cwd", "env")}).encode("utf-8")
    if len(data) <= NOTE_MAX:
        try:
            notes.send(data, socket.MSG_DONTWAIT)  # never a wait: the client waits for our exit code
        except OSError:
            pass  # the server is gone, busy or stopped: the next worker starts unwarmed, that is all


def _last_note(notes: socket.socket) -> dict | None:
    """The newest note waiting, if any (older ones are of no more use)."""
    last = None
    while True:
        try:
            data = notes.recv(NOTE_MAX + 1)
        except (BlockingIOError, InterruptedError):
            return last
        try:
            last = json.loads(data.decode("utf-8"))
        except ValueError:
            continue


class _Standby:
    """The next worker, forked and warmed ahead of its client.

    A worker forked at the moment a client arrives starts cold: its line memo is empty and,
    as it runs, it copies page after page of the server's memory (a fork shares them until
    written, and Python writes to every object it touches). ``warm`` (the CLI's) lays out the
    last booklet built again, writing nothing, and so pays all of that before the client comes;
    it then waits for a connection. What it carries into the build is what ``watch`` carries
    from one save to the next: the output is the same with or without it.
    """

    def __init__(self, run: Callable[[list[str]], int], warm: Callable[[dict], bool], note: dict,
                 inherited: tuple[socket.socket, ...], notes: socket.socket):
        here, there = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        pid = os.fork()
        if pid == 0:  # the standby
            try:
                here.close()
                for s in inherited:
                    s.close()
                os.setsid()  # not in the server's terminal group: Ctrl-C there is not for builds
                quiet = os.open(os.devnull, os.O_RDWR)
                for fd in (0, 1, 2):  # the server's terminal hears nothing of a warm-up
                    os.dup2(quiet, fd)
                os.close(quiet)
                warmed = False
                try:
                    gc.disable()
                    warmed = warm(note) is not False
                except BaseException:  # noqa: BLE001 - a warm-up that fails leaves a colder worker, no more
                    pass
                there.sendall(b"r")
                _, fds, _, _ = socket.recv_fds(there, 16, 1)
                if fds:
                    there.close()
                    _work(socket.socket(fileno=fds[0]), run, notes, warmed)
            finally:
                os._exit(0)
        there.close()
        self.pid: int | None = pid
        self.sock = here
        self.warm = False

    def ready(self) -> bool:
        """Warmed up and waiting (False while it warms up, or when it died)."""
        if not self.warm and select.select([self.sock], [], [], 0)[0]:
            try:
                self.warm = self.sock.recv(1) == b"r"
            except OSError:
                self.warm = False
            if not self.warm:
                self.stop()
        return self.warm and self.pid is not None

    def take(self, conn: socket.socket) -> bool:
        """Hand it the client's connection; False if it could not take it."""
        try:
            socket.send_fds(self.sock, [b"c"], [conn.fileno()])
        except OSError:
            self.stop()
            return False
        self.sock.close()
        self.pid = None  # a worker now, reaped with the others
        return True

    def stop(self) -> None:
        if self.pid is not None:
            try:
                # Still our child, not reaped (``_reap`` collects one that died on its own): only
                # then is the number surely its own, and not another process's by now.
                if os.waitpid(self.pid, os.WNOHANG) == (0, 0):
                    os.kill(self.pid, signal.SIGKILL)
                    os.waitpid(self.pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
            self.pid = None
        self.sock.close()


def _send(conn: socket.socket, data: bytes) -> bool:
    try:
        conn.settimeout(ANSWER)
        conn.sendall(data)
        return True
    except OSError:
        return False


def _reap() -> None:
    try:
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass
    except ChildProcessError:
        pass


def serve(run: Callable[[list[str]], int], idle: float = IDLE, say: Callable[[str], None] = print,
          warm: Callable[[dict], bool] | None = None) -> int:
    """Run until interrupted, or ``idle`` seconds without a build; return an exit code.

    ``run`` is the command line's own dispatcher (argv → exit code), handed in so that the worker
    runs exactly what a local ``briefing`` would, without this module importing the CLI.
    ``warm`` (the CLI's too) readies a standby worker with the last command that succeeded
    (``_Standby``); without it every worker is forked when its client arrives.
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
        pass
    finally:
        probe.close()
    try:  # a socket left by a server that did not exit cleanly is removed; nothing else ever is
        left = os.lstat(path)
    except FileNotFoundError:
        left = None
    except OSError as exc:
        say(f"briefing serve: 无法使用 {path}：{exc.strerror}")
        return 2
    if left is not None:
        if not stat.S_ISSOCK(left.st_mode):
            say(f"briefing serve: {path} 已存在且不是套接字（文件、文件夹或链接），不会删除它；请移走后再启动 "
                "(exists and is not a socket: it is never removed)")
            return 2
        try:
            path.unlink()
        except OSError as exc:
            say(f"briefing serve: 无法删除旧的 {path}：{exc.strerror}")
            return 2
    from ..cache import Cache
    from .build import preload

    preload(Cache.default())
    files = _module_files()
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    bound, me = False, os.getpid()
    standby: _Standby | None = None
    try:  # from here on, a signal at any point still removes the socket
        try:
            listener.bind(str(path))
            bound = True
        except OSError as exc:  # e.g. a path over the ~100 bytes a Unix socket name may have
            say(f"briefing serve: 无法创建 {path}：{exc}（可设置较短的 XDG_RUNTIME_DIR）")
            return 2
        listener.listen(16)
        listener.setblocking(False)
        notes, noting = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)  # workers → server
        notes.setblocking(False)
        gc.freeze()  # what was loaded stays put: workers neither rescan nor copy it
        sys.stdout.flush()
        sys.stderr.flush()
        say(f"briefing serve: 就绪 ready, pid {os.getpid()} ({path}); Ctrl-C 结束")
        last = checked = time.monotonic()
        while time.monotonic() - last < idle:
            # A stop that landed where it could not raise (in a callback of a fork, say) was
            # only remembered (``files.terminated_on_signals``): raise it here, each round.
            check_stop()
            _reap()
            readable = select.select([listener, notes], [], [], 1.0)[0]
            note = _last_note(notes) if notes in readable else None
            if note is not None and warm is not None:  # warm the next worker with the newest build
                if standby is not None:
                    standby.stop()
                standby = _Standby(run, warm, note, (listener, notes), noting)
            try:
                conn, _ = listener.accept() if listener in readable else (None, None)
            except (BlockingIOError, InterruptedError):
                conn = None
            if conn is None:
                if time.monotonic() - checked > STALE_CHECK:
                    checked = time.monotonic()
                    if _stale(files):  # upgraded or edited: new clients look for a new socket
                        say("briefing serve: 代码已更新，退出 the installed code changed: exiting")
                        return 0
                continue
            conn.setblocking(True)
            last = time.monotonic()
            with conn:
                if not _peer_is_us(conn):
                    continue
                if _stale(files):
                    _send(conn, b"stale\n")
                    say("briefing serve: 代码已更新，退出 the installed code changed: exiting")
                    return 0
                if not _send(conn, f"hello {os.getpid()}\n".encode("ascii")):
                    continue  # the client gave up waiting (we were stopped): it builds locally
                if standby is not None and standby.ready() and standby.take(conn):
                    standby = None  # the next one is forked once this build's note arrives
                    continue
                if os.fork() == 0:
                    listener.close()
                    notes.close()
                    if standby is not None:  # the server's end: the standby must see the server go
                        standby.sock.close()
                    _work(conn, run, noting)
        say("briefing serve: 空闲超时，退出 idle: exiting")
        return 0
    except KeyboardInterrupt:
        return 0
    finally:
        if standby is not None and os.getpid() == me:
            standby.stop()
        listener.close()
        if bound and os.getpid() == me:  # never from a worker stopped before it took over
            path.unlink(missing_ok=True)
        _reap()
