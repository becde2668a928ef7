"""A forked worker and the pipes to it: the second core of a one-shot build.

A fresh ``briefing build`` spends much of its time importing libraries. Some of that can run
on the other core: a worker forked first thing (this module imports only the standard
library, so that the fork comes before the build's own imports) imports what its job needs
while this process reads the data and lays out the text, then is sent the job. The chart
worker (``typeset.chartjob``) and the finishing worker (``commands.finishjob``) are both
made this way.

The pipes are this process's own, to a child it forked: what comes through them is trusted,
unlike a cache file another user may have written.
"""

from __future__ import annotations

import gc
import os
import pickle
import signal
import struct
from typing import Callable

_LENGTH = struct.Struct(">Q")


class WorkerFailed(Exception):
    """The worker could not deliver: this process does the job itself."""


def write(fd: int, value) -> None:
    """Send one value (pickled, length first)."""
    payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    data = memoryview(_LENGTH.pack(len(payload)) + payload)
    while data:
        data = data[os.write(fd, data):]


def read(fd: int):
    """The next value sent; EOFError when the other end closed first."""
    def exactly(n: int) -> bytes:
        parts, left = [], n
        while left:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                raise EOFError
            parts.append(chunk)
            left -= len(chunk)
        return b"".join(parts)

    return pickle.loads(exactly(_LENGTH.unpack(exactly(_LENGTH.size))[0]))


def two_cores() -> bool:
    """A worker pays only where it runs beside this process, not taking turns with it."""
    if not hasattr(os, "fork"):
        return False
    cores = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else range(os.cpu_count() or 1)
    return len(cores) >= 2


REPLY_ROOM = 1 << 20  # Linux's default limit for a pipe an unprivileged process sizes


def _widen(fd: int) -> None:
    """Give the replies' pipe room for a whole job's replies where the system allows it.

    The parent reads the replies only when it needs them (the charts: when the file is
    saved, after the layout). With a pipe's default 64 KiB, a worker with more to send
    waited, idle, for that moment: 60 charts are 114 KB. Where the pipe cannot be widened
    the worker still delivers everything, only later."""
    import fcntl

    try:
        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, REPLY_ROOM)
    except (AttributeError, OSError):  # not Linux, or over the system's limit
        pass


def start(main: Callable[[int, int], None]) -> "Worker | None":
    """A worker running ``main``, or None where none can be made now (no descriptors or
    processes left): the job is then done in this process, as after any failure of a worker."""
    try:
        return Worker(main)
    except OSError:
        return None


class Worker:
    """A forked child running ``main(requests, replies)``, with this side's ends of the two
    pipes. The child runs one job with the collector off, and exits when ``main`` returns;
    if ``main`` raises, whatever it is, the child replies ``("failed", why)`` first, so that
    this process does the job itself (``receive`` gives that reply, or ``WorkerFailed``)."""

    def __init__(self, main: Callable[[int, int], None]):
        down_r, down_w = os.pipe()
        try:
            up_r, up_w = os.pipe()
        except OSError:
            os.close(down_r)
            os.close(down_w)
            raise
        _widen(up_w)
        try:
            pid = os.fork()
        except OSError:
            for fd in (down_r, down_w, up_r, up_w):
                os.close(fd)
            raise
        if pid == 0:
            os.close(down_w)
            os.close(up_r)
            try:
                gc.disable()  # one job, then exit
                main(down_r, up_w)
            except BaseException as exc:  # noqa: BLE001 - whatever it is, the parent does the job instead
                try:
                    write(up_w, ("failed", f"{type(exc).__name__}: {exc}"))
                except BaseException:  # noqa: BLE001
                    pass
            finally:
                _leave()
        os.close(down_r)
        os.close(up_w)
        self.pid: int | None = pid
        self.requests, self.replies = down_w, up_r
        self.submitted = False

    def send(self, value) -> None:
        self.submitted = True
        try:
            write(self.requests, value)
        except OSError:
            pass  # the worker is gone: ``receive`` says so

    def receive(self):
        """The worker's next reply; ``WorkerFailed`` if it ended without one."""
        if self.pid is None:
            raise WorkerFailed("the worker was closed")
        try:
            return read(self.replies)
        except Exception as exc:  # noqa: BLE001 - ended, or a reply that cannot be read here
            raise WorkerFailed(f"the worker ended without its reply ({exc!r})") from None

    def close(self, kill: bool = False, done: bool = False) -> None:
        """Done with the worker: stop it if it has nothing to do yet (it has only imported
        modules) or if ``kill``, else let it finish what it writes; reap it.

        ``done``: it writes nothing more (it has sent its last reply, and only exits or, if
        ``kill``, is stopped at work whose result nobody wants). Its exit (unmapping a
        process of 100 MB and more) took 10 ms, which nothing needs to wait for: it is reaped
        by a thread of its own."""
        if self.pid is None:
            return
        if kill or not self.submitted:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        for fd in (self.requests, self.replies):
            try:
                os.close(fd)
            except OSError:
                pass
        pid, self.pid = self.pid, None
        if done:
            try:
                if os.waitpid(pid, os.WNOHANG)[0] == 0:
                    import threading

                    threading.Thread(target=_reap, args=(pid,), name=f"{REAPER}{pid}", daemon=True).start()
                return
            except (ChildProcessError, RuntimeError):  # reaped already; no thread to be had: wait
                pass
        _reap(pid)


def _leave() -> None:
    """End the child. Its standard streams are closed first: the exit itself (its memory given
    back) takes 10 ms, and whoever reads the build's output through a pipe would wait for it."""
    for fd in (0, 1, 2):
        try:
            os.close(fd)
        except OSError:
            pass
    os._exit(0)


REAPER = "briefing: reap "  # the name of each thread ``Worker.close`` leaves to reap a worker


def forkable() -> bool:
    """Whether a fork now copies all that runs in this process: no thread but this one, and
    the reapers, which hold nothing while they wait for a worker's exit."""
    import threading

    me = threading.current_thread()
    return all(t is me or t.name.startswith(REAPER) for t in threading.enumerate())


def _reap(pid: int) -> None:
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass
