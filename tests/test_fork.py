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


def test_a_worker_done_with_its_replies_is_reaped_without_waiting_for_its_exit():
    """Its exit (a large process's memory given back) is nobody's wait: it is reaped by a
    thread; a worker stopped at work not said to be done is still waited for (it may have been
    writing)."""
    import time

    from briefing.fork import read, write

    def main(requests, replies):
        write(replies, "done")
        time.sleep(0.5)  # an exit that takes long

    worker = Worker(main)
    pid = worker.pid
    assert read(worker.replies) == "done"
    began = time.monotonic()
    worker.close(done=True)
    assert time.monotonic() - began < 0.3 and worker.pid is None
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)  # a zombie still answers: gone only once reaped
        except ProcessLookupError:
            break
        time.sleep(0.02)
    else:
        pytest.fail("the worker was never reaped")

    killed = Worker(main)
    pid = killed.pid
    assert read(killed.replies) == "done"
    killed.close(kill=True)  # not said to be done: it may be writing
    with pytest.raises(ChildProcessError):  # reaped before close returned
        os.waitpid(pid, os.WNOHANG)


def test_only_reapers_beside_this_thread_leave_a_fork_whole():
    """Verification forks its child only where the fork copies all that runs (``forkable``):
    a thread reaping a worker holds nothing while it waits, any other thread might."""
    import threading

    from briefing.fork import REAPER, forkable

    assert forkable()
    release = threading.Event()
    reaper = threading.Thread(target=release.wait, name=f"{REAPER}1", daemon=True)
    reaper.start()
    assert forkable()
    other = threading.Thread(target=release.wait, name="something else", daemon=True)
    other.start()
    assert not forkable()
    release.set()
    reaper.join()
    other.join()
    assert forkable()
