"""The build cache: parsed fonts and finished charts, in the user's cache directory.

Entries are keyed by everything that could change them (content hashes of font files, chart
data and style, library versions, the code that makes them), so a stale entry can never be
used: a changed input simply makes a new key. Lives in ``$XDG_CACHE_HOME/briefing`` (else
``~/.cache/briefing``), never in the repository or beside the output. A cache that cannot be
read or written is treated as empty: the build goes on cold.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
from pathlib import Path

KEEP = 400  # entries kept per kind; the oldest beyond that are removed


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
            with open(self._path(kind, k), "rb") as fh:
                value = pickle.load(fh)
        except Exception:  # missing, truncated or from an incompatible version: a miss
            self.misses += 1
            return None
        self.hits += 1
        return value

    def put(self, kind: str, k: str, value) -> None:
        if self.root is None:
            return
        folder = self.root / kind
        try:
            folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-")
            with os.fdopen(fd, "wb") as fh:
                pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, self._path(kind, k))
            self._prune(folder)
        except OSError:
            return  # a read-only or full cache only costs speed

    @staticmethod
    def _prune(folder: Path) -> None:
        entries = sorted(folder.glob("*.pickle"), key=lambda p: p.stat().st_mtime)
        for old in entries[:-KEEP]:
            old.unlink(missing_ok=True)
