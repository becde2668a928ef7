"""The build cache: parsed fonts and finished charts, in the user's cache directory.

Entries are keyed by everything that could change them (content hashes of font files, chart
data and style, library versions, the code that makes them), so a stale entry can never be
used: a changed input simply makes a new key. Lives in ``$XDG_CACHE_HOME/briefing`` (else
``~/.cache/briefing``), never in the repository or beside the output. A cache that cannot be
read or written is treated as empty: the build goes on cold.
"""

from __future__ import annotations

import gc
import hashlib
import os
import pickle
import sys
import tempfile
import time
from pathlib import Path

KEEP = 400  # entries kept per kind; the oldest beyond that are removed
SETTLED_NS = 2_000_000_000  # a file changed this long before it was hashed cannot change unseen


def default_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME", "").strip()
    return (Path(base) if base else Path.home() / ".cache") / "briefing"


def key(*parts: object) -> str:
    """A stable digest of the parts (their repr), plus the Python version pickles depend on."""
    h = hashlib.sha256(repr((sys.version_info[:2], parts)).encode("utf-8"))
    return h.hexdigest()[:40]


class Cache:
    """``Cache(None)`` is a disabled cache: every lookup misses and nothing is written."""

    def __init__(self, root: Path | None):
        self.root = root
        self.hits = 0
        self.misses = 0

    @classmethod
    def default(cls) -> "Cache":
        return cls(default_dir())

    def _path(self, kind: str, k: str) -> Path:
        assert self.root is not None
        return self.root / kind / f"{k}.pickle"

    def get(self, kind: str, k: str):
        if self.root is None:
            self.misses += 1
            return None
        try:
            value = _unpickle(self._path(kind, k))
        except Exception:  # missing, truncated or from an incompatible version: a miss
            self.misses += 1
            return None
        self.hits += 1
        return value

    def put(self, kind: str, k: str, value) -> None:
        if self.root is None:
            return
        try:
            _write(self._path(kind, k), value)
            self._prune(self.root / kind)
        except OSError:
            return  # a read-only or full cache only costs speed

    def file_digest(self, path: Path, content) -> str:
        """blake2b of a file's ``content``, remembered by the file's stat as git's index does,
        so that 35 MB of fonts are not hashed again on every run.

        The stat key holds size, inode, mtime and ctime (which no program can set back). An
        entry is trusted only when the file's ctime lies well before the moment it was hashed:
        a file rewritten within the same clock tick as its hashing is hashed again.
        """
        st = os.stat(path)
        stat_key = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
        memo_path = self.root / "digests.pickle" if self.root is not None else None
        memo: dict = {}
        if memo_path is not None:
            try:
                memo = _unpickle(memo_path)
            except Exception:
                memo = {}
            found = memo.get(str(path))
            if found and found[0] == stat_key and st.st_ctime_ns < found[2] - SETTLED_NS:
                return found[1]
        digest = hashlib.blake2b(content, digest_size=16).hexdigest()
        if memo_path is not None:
            memo[str(path)] = (stat_key, digest, time.time_ns())
            try:
                _write(memo_path, memo)
            except OSError:
                pass
        return digest

    @staticmethod
    def _prune(folder: Path) -> None:
        entries = sorted(folder.glob("*.pickle"), key=lambda p: p.stat().st_mtime)
        for old in entries[:-KEEP]:
            old.unlink(missing_ok=True)


def _unpickle(path: Path):
    """Load a pickle with the cyclic GC paused: a parsed font is some 100,000 small objects,
    and collecting while they arrive would only rescan them (a fifth of the load time)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        with open(path, "rb") as fh:
            return pickle.load(fh)
    finally:
        if enabled:
            gc.enable()


def _write(path: Path, value) -> None:
    """Write atomically: a reader sees the old entry or the new one, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
