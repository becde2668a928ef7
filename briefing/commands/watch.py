"""``briefing watch``: build the booklet again each time its data file is saved.

The office edits the YAML and looks at the PDF. A process that stays up keeps the libraries
imported, the fonts registered, the chart code warm and its memos full (lines, compressed
streams, pages read back), so a save becomes a verified PDF in about 0.15 s where a fresh
process needs 0.43 s (its start-up and imports alone take 0.2 s). Every
rebuild is an ordinary build: verified and delivered whole, or refused with the same message
a fresh build gives, leaving the last good booklet where it was.

The file is polled (a ``stat`` every 0.01 s) rather than watched through the OS: it works the
same on every system and every editor's way of saving (in place or write-and-rename).
"""

from __future__ import annotations

import os
import time
from pathlib import Path as FsPath
from typing import Callable

Stamp = tuple[int, int, int] | None  # (inode, size, mtime_ns), None while the file is missing

INTERVAL = 0.01  # seconds between looks at the file (a stat: 100 a second cost nothing)
SETTLE = 0.02  # a change must hold this long: an editor may write a file in several steps
EMPTY = 0.5  # an empty file is built only once it stayed so this long (else: mid-save)


def stamp(path: FsPath) -> Stamp:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_ino, st.st_size, st.st_mtime_ns


def watch(path: str | os.PathLike[str], rebuild: Callable[[], object], *,
          stop: Callable[[], bool] = lambda: False, interval: float = INTERVAL,
          settle: float = SETTLE) -> int:
    """Call ``rebuild`` now and after every change of ``path``, until ``stop()``; return how
    many builds ran. A missing file (mid-save, or renamed away) is waited for, not built; so
    is an empty one, for ``EMPTY`` seconds: an editor that saves in place empties the file
    before it writes it, and on a loaded machine that can last longer than ``settle``."""
    path = FsPath(path)
    seen = stamp(path)
    rebuild()
    builds = 1
    emptied: float | None = None  # since when the file is empty
    while not stop():
        time.sleep(interval)
        now = stamp(path)
        if now == seen or now is None:
            continue
        if now[1] == 0:
            emptied = emptied or time.monotonic()
            if time.monotonic() - emptied < EMPTY:
                continue
        emptied = None
        time.sleep(settle)
        if stamp(path) != now:
            continue  # still being written: look again next round
        seen = now
        rebuild()
        builds += 1
    return builds
