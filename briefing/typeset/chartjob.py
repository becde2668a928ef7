"""Charts drawn in a forked process while this one lays out the text: a cold build on 2 cores.

A cold build spends much of its time on charts: importing matplotlib and numpy, drawing.
None of that needs the text. So ``ChartJob.start`` forks a worker
first thing (this module imports only the standard library, so that the fork comes before the
build's own imports), and the worker imports matplotlib while this process reads the data. It
is then sent the charts the cache does not have, and sends back each chart as soon as it is
drawn; meanwhile the layout runs on ``ChartSlot``s (``typeset.chartslot``), places of each
chart's size, and asks for the pictures only when the file is saved (``typeset.later``).
Anything that goes wrong in the worker makes this process draw the charts itself.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from ..fork import Worker, WorkerFailed, read, start, two_cores, write

__all__ = ["ChartJob", "WorkerFailed"]

# Sent to a worker with a second job once this process has waited for a chart: it does that
# job itself (``handover``), so the worker, its charts sent, ends instead of preparing for it.
NOT_NEEDED = "not needed"


def _worker(requests: int, replies: int, then: Callable[[int, int], None] | None = None) -> None:
    """In the forked process: warm up, draw what is asked, reply each chart as it is drawn;
    then, if given, ``then(requests, replies)``: a second job the parent may hand over."""
    from .charts import drawn_picture, learn_labels, warm_up

    warm_up()  # matplotlib and numpy, while the parent reads the data
    specs, width, cache_root, fonts = read(requests)
    from ..cache import Cache
    from ..fonts.register import FontSet, register_known

    fonts = FontSet(*fonts)
    cache = Cache(Path(cache_root)) if cache_root else None
    register_known(fonts, ("sans", "sans_bold"), cache)  # the faces charts are drawn in
    learn_labels(specs, width, fonts)
    for spec in specs:  # each as soon as drawn: the layout may be waiting for the first
        # Drawn, never read from the cache: the charts sent are those it lacked when the page
        # was given their sizes, and an entry put there since may be of another size.
        write(replies, ("ok", drawn_picture(spec, width, fonts, cache)))
    if then is not None and not _not_needed(requests):
        then(requests, replies)


def _not_needed(requests: int) -> bool:
    """Whether the parent has said by now (``NOT_NEEDED``) that it does the second job itself,
    or has closed the pipe; never waits for it."""
    import select

    if not select.select([requests], [], [], 0)[0]:
        return False
    try:
        return read(requests) == NOT_NEEDED
    except EOFError:
        return True


class ChartJob:
    """A forked worker that draws charts; ``start`` gives None where there is no use for one."""

    def __init__(self, worker: Worker, then: bool = False):
        self._worker = worker
        self._received: list = []
        self._count = 0
        self._failure = ""
        self._waited = False
        self._then = then  # the worker has a second job after its charts

    @property
    def _pid(self) -> int | None:
        return self._worker.pid

    @classmethod
    def start(cls, then: Callable[[int, int], None] | None = None) -> "ChartJob | None":
        """``then``: what the worker does after its charts (``handover``)."""
        worker = start(lambda requests, replies: _worker(requests, replies, then)) if two_cores() else None
        return cls(worker, then is not None) if worker is not None else None

    def submit(self, specs: list, width: float, cache_root: str | None, fonts) -> None:
        """Have the worker draw ``specs`` (``charts.drawn_picture`` with ``fonts``, a ``FontSet``),
        in this order: the order the layout meets them."""
        self._count = len(specs)
        fonts = (fonts.directory, fonts.digests)  # what the set is, not what it has worked out since
        self._worker.send((specs, width, cache_root, fonts))

    def ready(self, i: int) -> bool:
        """Whether ``result(i)`` can start at once: it was received, or a reply is arriving
        (or the worker is gone, which it reports at once). False: it would wait."""
        if len(self._received) > i or self._worker.pid is None:
            return True
        import select

        if select.select([self._worker.replies], [], [], 0)[0]:
            return True
        if not self._waited and self._then and self._count:
            self._worker.send(NOT_NEEDED)  # before it starts the second job: see ``handover``
        self._waited = True
        return False

    def result(self, i: int):
        """The ``picture.Picture`` of the ``i``th chart submitted; waits for it (they come in order)."""
        while len(self._received) <= i:
            if self._worker.pid is None:  # closed, or failed before: its descriptors are gone
                raise WorkerFailed(self._failure or "the chart worker was closed")
            try:
                status, value = self._worker.receive()
            except WorkerFailed as exc:
                status, value = "failed", f"the chart worker ended without its charts ({exc})"
            if status != "ok":
                self._failure = value
                self.close()
                raise WorkerFailed(value)
            self._received.append(value)
            if len(self._received) == self._count and not self._then:
                self.close()
        return self._received[i]

    def handover(self, ready) -> Worker | None:
        """The worker, at its second job (``start``'s ``then``), for this process to hand that
        job to: only if it sent every chart, this process never found a chart missing, and it
        has sent ``ready`` (what ``then`` sends once prepared for the job). A process that
        waited for a chart imported, while it waited, what the second job needs
        (``commands.build._charts``); a worker not ready yet would be waited for. Otherwise
        None, and the worker is stopped."""
        if (self._then and self._worker.pid is not None and self._count
                and len(self._received) == self._count and not self._waited and self._sent(ready)):
            return self._worker
        self.close()
        return None

    def _sent(self, message) -> bool:
        """Whether the worker's next reply is ``message`` and has come (never waits for it)."""
        import select

        if not select.select([self._worker.replies], [], [], 0)[0]:
            return False
        try:
            return self._worker.receive() == message
        except WorkerFailed:
            return False

    def close(self) -> None:
        """Done with the worker: stop it if it has nothing to do yet (a build that stops at a
        mistake in the data says so at once) or only its second job is left, else let it
        finish what it writes to the cache; reap it."""
        sent = bool(self._count) and len(self._received) == self._count  # and in the cache before
        self._worker.close(kill=sent, done=sent)
