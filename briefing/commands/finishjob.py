"""Checking, finishing and verification in a forked worker that imported pydantic-core, pikepdf
and pypdf meanwhile.

Three stages of a build need libraries the layout does not: pydantic-core to check the data
file's values against the model (``data.validator``), pikepdf to finish the file (``pdf.finish``), pypdf
and the checks to verify it (``check.verify``). A fresh process would import them on the way,
one after the other with everything else. ``FinishJob.start`` forks a worker first thing
(``fork.Worker``), which imports them on the other core. It first checks the values this
process parsed (``check``), while this process reads the fonts and imports the layout's
modules; then, while the layout runs, it reads the booklet the build will replace (``_warm``):
its pages walked into the verification memos, its streams compressed into the compression
memo, so that what an edit left unchanged (most pages, often the fonts) is neither walked nor
compressed again. The raw file, once sent, stops that reading; the worker finishes, verifies
and reports, as this process would have. The result is the same model, file and report;
anything that goes wrong with the worker itself makes this process do the work
(``WorkerFailed``).

Only where those libraries are not imported yet is there anything to win: a ``watch`` or
``serve`` process has them after its first build, and does all of it in process.
"""

from __future__ import annotations

import select
import signal
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from ..errors import BriefingError
from ..fork import Worker, WorkerFailed, read, start, two_cores, write

if TYPE_CHECKING:
    from ..data.load import Checked

LIBRARIES = ("pikepdf", "pypdf")  # what the worker imports ahead of this process
POLL = 0.002  # seconds between the warm-up's looks for the raw file (a look is a select(): 10 µs)


def _worker(requests: int, replies: int, last: Path | None = None, paper: str = "a4") -> None:
    """In the forked process: check the data file's values against the model if asked (that
    comes first: the layout waits for it), import, read the booklet it replaces (``last``, on
    ``paper``), wait for the raw file, finish and verify it, reply."""
    from ..data import validator

    validator.prepare()
    request = read(requests)
    if request[0] == "check":
        write(replies, ("checked", validator.check(request[1])))
        request = None
    _finish(requests, replies, request, last, paper=paper)


def after_charts(requests: int, replies: int) -> None:
    """The chart worker's second job (``ChartJob.start``'s ``then``): import, while this
    process still lays out, what finishing and verifying need; finish and verify the raw file
    if it is handed over (``ChartJob.handover``), else nothing: the build stops the worker.
    It says when it is ready (``READY``): only then is it worth handing over."""
    try:
        _finish(requests, replies, ready=True)
    except EOFError:  # not handed over: the parent closed the pipe
        pass


READY = ("ready",)  # what ``after_charts`` sends once it has imported what finishing needs


def _finish(requests: int, replies: int, request: tuple | None = None, last: Path | None = None,
            ready: bool = False, paper: str = "a4") -> None:
    """Import, read the booklet this build replaces (``last``), say so if ``ready``, wait for
    the raw file (``request``, if it came already), finish and verify it, reply."""
    from ..check.verify import Ahead, verify
    from ..files import writing
    from ..pdf.finish import finish, prepare

    if request is None:
        prepare()
        if last is not None:
            _warm(last, requests, paper)
        if ready:
            write(replies, READY)
    raw, tmp, out, doc, built, paper = (request or read(requests))[1:]
    began = time.perf_counter()
    with Ahead.beside(raw, paper) as ahead:  # walks the raw file's pages while it is finished
        try:
            writing(out, finish, raw, tmp, doc, built)
        except BriefingError as exc:  # the message this process would give: sent as it is
            write(replies, ("error", exc))
            return
        finished = time.perf_counter() - began
        write(replies, ("ok", verify(tmp, doc, paper, parallel=True, memo=last is not None, ahead=ahead), finished))


class _Arrived(BaseException):
    """The raw file came while the worker still read the last booklet (not an ``Exception``:
    verify, which turns those into its report, lets it through)."""


def _warm(last: Path, requests: int, paper: str) -> None:
    """Read the booklet this build replaces, while the layout runs: its streams compressed into
    the compression memo (``pdf.save.prime``: first, as the 17 ms it takes save 13 of
    finishing, more than the same time walking pages saves), its pages walked into the
    verification memos (``check.verify.remember``: not verified, as the report would be
    thrown away; a whole verification took 70 ms where the walk takes 40), and last, where
    there is time left (a long booklet), each page's own checks worked out into its memo
    (``check.verify.rehearse``). The pages, fonts and streams an edit left as they were then
    come from the memos. Only a file of a booklet's size; whatever it is, it only fills the memos.

    Only while the layout runs: once the raw file is there to read (``requests``), the reading
    stops where it is. A 3 KB file of many operations that take minutes to read held the build
    up for as long. A memo keeps only values made whole: a stop costs the one being made."""
    from ..check.verify import SIZE_BUDGET, rehearse, remember
    from ..pdf.save import prime

    looking = True

    def look(signum, frame) -> None:
        nonlocal looking
        if looking and select.select([requests], [], [], 0)[0]:
            looking = False  # raised once: the stop cannot come again, in the lines below
            raise _Arrived

    before = signal.signal(signal.SIGALRM, look)
    try:
        try:
            signal.setitimer(signal.ITIMER_REAL, POLL, POLL)
            if 0 < last.stat().st_size <= 2 * SIZE_BUDGET:
                prime(last)
                remembered = remember(last)
                rehearse(remembered, paper)
        except OSError:
            pass
        finally:
            looking = False
    except _Arrived:
        pass
    signal.setitimer(signal.ITIMER_REAL, 0)
    signal.signal(signal.SIGALRM, before)


def pays() -> bool:
    """Whether a worker that finishes and verifies is worth its fork: on two cores, in a
    process that has not imported the libraries yet (a ``watch`` has, after its first build)."""
    return two_cores() and not all(name in sys.modules for name in LIBRARIES)


class FinishJob:
    """A forked worker that finishes and verifies; ``start`` gives None where it would not pay.
    Made on a chart worker handed its second job (``after_charts``), it only finishes and
    verifies."""

    def __init__(self, worker: Worker):
        self._worker = worker

    @property
    def pid(self) -> int | None:
        return self._worker.pid

    @classmethod
    def start(cls, last: Path | None = None, paper: str = "a4") -> "FinishJob | None":
        """``last``: the booklet the build will replace, if there is one, on ``paper`` (``_warm``)."""
        if not pays():
            return None
        worker = start(lambda requests, replies: _worker(requests, replies, last, paper))
        return cls(worker) if worker is not None else None

    def check(self, data) -> Callable[[], Checked]:
        """The check of a data file's values (``data.load.parse``) against the model, in the
        worker, which made the validator while this process parsed the file: this process
        never imports pydantic-core, and prepares the layout while it waits. The result
        when asked for; made here (``check_here``) if the worker cannot."""
        self._worker.send(("check", data))

        def result() -> Checked:
            try:
                reply = self._worker.receive()
            except WorkerFailed:
                reply = ("failed",)
            except BaseException:  # a stop signal while waiting
                self._worker.close(kill=True)
                raise
            if reply[0] == "checked":
                return reply[1]
            from ..data.load import check_here

            return check_here(data)()

        return result

    def run(self, raw, tmp, out, doc, built, paper: str):
        """Finish ``raw`` into ``tmp`` and verify it in the worker: (report, seconds the
        finishing took). A ``BriefingError`` of finishing (a full disk) is raised here as it
        was raised there; ``WorkerFailed`` if the worker could not do the job. The worker is
        reaped before this returns or raises, or has replied and only exits (reaped meanwhile: see
        ``Worker.close``): nothing writes to ``tmp`` after."""
        try:
            self._worker.send(("finish", raw, tmp, out, doc, built, paper))
            reply = self._worker.receive()
        except BaseException:  # a stop signal while waiting: the worker must not write on
            self._worker.close(kill=True)
            raise
        self._worker.close(kill=reply[0] == "failed", done=reply[0] != "failed")
        if reply[0] == "ok":
            return reply[1], reply[2]
        if reply[0] == "error":
            raise reply[1]
        raise WorkerFailed(reply[1])

    def close(self) -> None:
        """Not needed after all (the build stopped before finishing): stop and reap it."""
        self._worker.close(kill=True)
