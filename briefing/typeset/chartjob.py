"""Charts drawn in a forked process while this one lays out the text: a cold build on 2 cores.

A cold build spends about half its time on charts: importing matplotlib and numpy, drawing,
converting with svglib. None of that needs the text. So ``ChartJob.start`` forks a worker
first thing (this module imports only the standard library, so that the fork comes before the
build's own imports), and the worker imports matplotlib while this process reads the data. It
is then sent the charts the cache does not have, and sends back each Drawing as soon as it is
drawn; meanwhile the layout runs on ``ChartSlot``s (``typeset.chartslot``), and the pass that
is written needs each chart only when it reaches it. Anything that goes wrong in the worker
makes this process draw the charts itself.
"""

from __future__ import annotations

import gc
import os
import pickle
import signal
import struct
from pathlib import Path

_LENGTH = struct.Struct(">Q")


class WorkerFailed(Exception):
    """The worker could not deliver: this process draws the charts itself."""


def _write(fd: int, payload: bytes) -> None:
    data = memoryview(_LENGTH.pack(len(payload)) + payload)
    while data:
        data = data[os.write(fd, data):]


def _read(fd: int):
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


def _worker(requests: int, replies: int) -> None:
    """In the forked process: warm up, draw what is asked, reply, exit (never returns).

    The pipes are this process's own, to a child it forked: what comes through them is
    trusted, unlike a cache file another user may have written.
    """
    try:
        gc.disable()  # one job, then exit
        from .charts import drawing, warm_up

        warm_up()  # matplotlib, numpy and svglib, while the parent reads the data
        specs, width, cache_root, fonts = _read(requests)
        from ..cache import Cache
        from ..fonts.register import FontSet, register_known

        fonts = FontSet(*fonts)
        cache = Cache(Path(cache_root)) if cache_root else None
        register_known(fonts, ("sans", "sans_bold"), cache)  # the faces charts are drawn in
        for spec in specs:  # each as soon as drawn: the layout may be waiting for the first
            _write(replies, pickle.dumps(("ok", drawing(spec, width, fonts, cache)), protocol=pickle.HIGHEST_PROTOCOL))
    except BaseException as exc:  # noqa: BLE001 - whatever it is, the parent draws instead
        try:
            _write(replies, pickle.dumps(("failed", f"{type(exc).__name__}: {exc}")))
        except BaseException:  # noqa: BLE001
            pass
    finally:
        os._exit(0)


class ChartJob:
    """A forked worker that draws charts; ``start`` gives None where there is no use for one."""

    def __init__(self, pid: int, requests: int, replies: int):
        self._pid, self._requests, self._replies = pid, requests, replies
        self._received: list = []
        self._count = 0
        self._failure = ""
        self._submitted = False

    @classmethod
    def start(cls) -> "ChartJob | None":
        if not hasattr(os, "fork") or len(os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity")
                                           else range(os.cpu_count() or 1)) < 2:
            return None  # one core: a worker would only take turns with this process
        down_r, down_w = os.pipe()
        up_r, up_w = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(down_w)
            os.close(up_r)
            _worker(down_r, up_w)
        os.close(down_r)
        os.close(up_w)
        return cls(pid, down_w, up_r)

    def submit(self, specs: list, width: float, cache_root: str | None, fonts) -> None:
        """Have the worker draw ``specs`` (``charts.drawing`` with ``fonts``, a ``FontSet``), in
        this order: the order the layout meets them."""
        self._submitted = True
        self._count = len(specs)
        try:
            fonts = (fonts.directory, fonts.digests)  # what the set is, not what it has worked out since
            _write(self._requests, pickle.dumps((specs, width, cache_root, fonts), protocol=pickle.HIGHEST_PROTOCOL))
        except OSError:
            pass  # the worker is gone: ``result`` says so

    def result(self, i: int):
        """The Drawing of the ``i``th chart submitted; waits for it (they come in order)."""
        while len(self._received) <= i:
            if self._pid is None:  # closed, or failed before: its descriptors are gone
                raise WorkerFailed(self._failure or "the chart worker was closed")
            try:
                status, value = _read(self._replies)
            except (EOFError, OSError, pickle.UnpicklingError) as exc:
                status, value = "failed", f"the chart worker ended without its charts ({exc!r})"
            if status != "ok":
                self._failure = value
                self.close()
                raise WorkerFailed(value)
            self._received.append(value)
            if len(self._received) == self._count:
                self.close()
        return self._received[i]

    def close(self) -> None:
        """Done with the worker: stop it if it has nothing to do yet (it has only imported
        modules: a build that stops at a mistake in the data says so at once), else let it
        finish what it writes to the cache; reap it."""
        if self._pid is None:
            return
        if not self._submitted:
            try:
                os.kill(self._pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        for fd in (self._requests, self._replies):
            try:
                os.close(fd)
            except OSError:
                pass
        try:
            os.waitpid(self._pid, 0)
        except ChildProcessError:
            pass
        self._pid = None
