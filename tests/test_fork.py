"""Forked workers (``briefing.fork``): where none can be made, the job is done in process."""

from __future__ import annotations

import errno
import os

import pytest

from briefing.check.verify import verify
from briefing.fork import Worker, start
from briefing.typeset.chartjob import ChartJob

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="workers need fork")


def _no_more_processes(*args):
    raise BlockingIOError(errno.EAGAIN, "Resource temporarily unavailable")


def test_no_worker_where_fork_fails_and_no_descriptor_left_open(monkeypatch):
    before = len(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else None
    monkeypatch.setattr(os, "fork", _no_more_processes)
    assert start(lambda r, w: None) is None
    assert ChartJob.start() is None
    with pytest.raises(OSError):
        Worker(lambda r, w: None)
    if before is not None:
        assert len(os.listdir("/proc/self/fd")) == before


def test_verify_without_a_fork_gives_the_same_report(booklet, monkeypatch):
    forked = [(c.name, c.ok, c.detail) for c in verify(booklet.output, parallel=True).checks]
    monkeypatch.setattr(os, "fork", _no_more_processes)
    alone = verify(booklet.output, parallel=True)
    assert alone.unreadable is None
    assert [(c.name, c.ok, c.detail) for c in alone.checks] == forked


@pytest.mark.skipif(not hasattr(__import__("fcntl"), "F_SETPIPE_SZ"), reason="pipes are widened on Linux")
def test_a_worker_sends_a_whole_jobs_replies_before_any_is_read(tmp_path):
    """The charts are read only when the file is saved: a worker with more to send than a
    pipe's default 64 KiB must not stand idle until then."""
    import time

    from briefing.fork import REPLY_ROOM, read, write

    sent = tmp_path / "sent"
    replies = [os.urandom(20_000) for _ in range(10)]  # 200 KB, pickled one by one

    def main(requests, out):
        for reply in replies:
            write(out, reply)
        sent.write_text("all")

    worker = Worker(main)
    try:
        deadline = time.monotonic() + 30
        while not sent.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert sent.exists()  # nothing read yet
        assert [read(worker.replies) for _ in replies] == replies
    finally:
        worker.close(kill=True)
    assert sum(map(len, replies)) < REPLY_ROOM
