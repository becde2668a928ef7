"""A bounded memo for work that is a pure function of what repeats from one build to the next.

A ``watch`` or ``serve`` process lays out, finishes and verifies the same booklet again after
every save, and most of it comes back as it was: the paragraphs an edit left alone (their line
breaks and placed lines, kept per face: ``fonts.register``), the font programs of the faces
whose characters did not change, the pages the edit did not touch. Setting them
(``typeset.text``), compressing them (``pdf.save``) and reading them back (``check.content``)
gives the same result as last time. The memo keys
each result by the exact bytes (or the exact values) it was made from, compared whole, never
by a digest: a value is reused only for equal input. The least recently used entries go
beyond a budget of key bytes, so a long-lived process holds a few booklets' worth at most.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Callable, Hashable, TypeVar

T = TypeVar("T")


class Memo:
    """``get(key, size, make)``: ``make()`` for a key not seen recently, else its kept value
    (or ``peek`` and ``put``, where the value is made elsewhere).

    ``key`` must say everything ``make`` depends on (bytes, or a tuple of plain values);
    ``size`` is what keeping it costs, counted against ``budget``. Values are shared between
    callers: they must not be changed."""

    def __init__(self, budget: int):
        self.budget = budget
        self.hits = self.misses = 0
        self._entries: OrderedDict[Hashable, tuple[T, int]] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()  # serve may build in more than one thread

    def get(self, key: Hashable, size: int, make: Callable[[], T]) -> T:
        kept = self.peek(key)
        if kept is not None:
            return kept
        value = make()  # outside the lock: a failure keeps nothing
        self.put(key, size, value)
        return value

    def peek(self, key: Hashable) -> T | None:
        """The value kept for ``key`` (a hit), or None (a miss: ``put`` the value once made)."""
        with self._lock:
            kept = self._entries.get(key)
            if kept is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return kept[0]

    def put(self, key: Hashable, size: int, value: T) -> None:
        with self._lock:
            if size > self.budget or key in self._entries:
                return
            self._entries[key] = (value, size)
            self._size += size
            while self._size > self.budget:
                _, (_, dropped) = self._entries.popitem(last=False)
                self._size -= dropped

    def make_room(self, size: int, most: int) -> None:
        """Let the memo hold ``size`` (no more than ``most``): what one reading keeps, read in
        the same order next time, all comes back only if it all fits; the least recently used
        going first, a memo smaller than a sequence keeps none of it."""
        with self._lock:
            self.budget = max(self.budget, min(size, most))

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._size = 0
            self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)
