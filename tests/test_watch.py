"""``briefing watch``: one rebuild per saved change, errors shown, the last good booklet kept."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time

from briefing.commands.watch import watch

from .conftest import ROOT, SAMPLE


def _watched(f, steps: list) -> tuple[list[str], int]:
    """``watch`` of ``f`` taking one of ``steps`` before each look at the file: what each
    build read, and how many builds ran."""
    builds: list[str] = []
    todo = iter(steps)

    def stop() -> bool:
        step = next(todo, None)
        if step is None:
            return True
        step()
        return False

    n = watch(f, lambda: builds.append(f.read_text()), stop=stop, interval=0, settle=0)
    return builds, n


def test_one_build_per_saved_change_and_none_while_the_file_is_missing(tmp_path):
    f = tmp_path / "d.yaml"
    f.write_text("a")
    steps = [
        lambda: None,
        lambda: f.write_text("bb"),  # saved: a rebuild
        lambda: None,  # nothing changed: none
        lambda: f.unlink(),  # mid-save by rename: wait for it
        lambda: None,
        lambda: f.write_text("ccc"),  # back, changed: a rebuild
        lambda: None,
    ]
    builds, n = _watched(f, steps)
    assert builds == ["a", "bb", "ccc"] and n == 3


def test_an_emptied_file_is_waited_for_and_built_only_if_it_stays_empty(tmp_path):
    """An editor that saves in place empties the file, then writes it: a look in between sees
    an empty file (a loaded machine can stretch that past the settling time). It is not built
    unless it stays empty (then its build says the file is empty, as a fresh build does)."""
    f = tmp_path / "d.yaml"
    f.write_text("a")
    steps = [
        lambda: None,
        lambda: f.write_text(""),  # truncated mid-save: not built
        lambda: None,
        lambda: f.write_text("bb"),  # the rest written: built
        lambda: None,
        lambda: f.write_text(""),  # emptied, and left so
        lambda: time.sleep(0.3),
        lambda: time.sleep(0.3),  # empty for longer than an editor's save: built
        lambda: None,
    ]
    builds, n = _watched(f, steps)
    assert builds == ["a", "bb", ""] and n == 3


class _Lines:
    """The stderr of a running process, line by line, with a timeout on each wait."""

    def __init__(self, stream):
        self.q: queue.Queue[str] = queue.Queue()
        threading.Thread(target=lambda: [self.q.put(line) for line in stream], daemon=True).start()

    def until(self, word: str, timeout: float = 60) -> list[str]:
        seen, end = [], time.monotonic() + timeout
        while time.monotonic() < end:
            try:
                line = self.q.get(timeout=0.2)
            except queue.Empty:
                continue
            seen.append(line)
            if word in line:
                return seen
        raise AssertionError(f"no line with {word!r} in {timeout} s; saw {seen}")


def test_watch_rebuilds_on_save_and_keeps_the_last_good_booklet(tmp_path):
    data = tmp_path / "d.yaml"
    good = SAMPLE.read_text(encoding="utf-8")
    data.write_text(good, encoding="utf-8")
    out = tmp_path / "d.pdf"
    env = dict(os.environ, XDG_CACHE_HOME=str(tmp_path / "cache"))
    proc = subprocess.Popen([sys.executable, "-m", "briefing", "watch", str(data), "-o", str(out)],
                            cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
    try:
        lines = _Lines(proc.stderr)
        lines.until("完成")
        first = out.read_bytes()

        time.sleep(0.05)  # a new mtime even on coarse clocks
        data.write_text(good.replace("year: ", "year: x", 1), encoding="utf-8")
        said = lines.until("错误")
        assert any(f"{data}:" in line for line in said)  # file and line named, as by `build`
        lines.until("等待")
        assert out.read_bytes() == first  # the last good booklet stays

        data.write_text(good.replace("2031年示例区两会", "2031年示范区两会", 1), encoding="utf-8")
        lines.until("完成")
        assert out.read_bytes() != first
        assert list(tmp_path.glob(".*.tmp*")) == []
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)
    assert proc.returncode == 130
