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
