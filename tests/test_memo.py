"""memo.py: a value is reused for equal keys only, and the memo stays within its budget."""

from __future__ import annotations

from briefing.memo import Memo


def test_equal_keys_hit_and_different_keys_never_do():
    memo = Memo(1000)
    made = []

    def make(key):
        return lambda: made.append(key) or key.upper()

    a, b = b"abcdef", b"abcdeg"  # same length, one byte apart
    assert memo.get(a, len(a), make(a)) == b"ABCDEF"
    assert memo.get(bytes(bytearray(a)), len(a), make(a)) == b"ABCDEF"  # equal bytes, another object
    assert memo.get(b, len(b), make(b)) == b"ABCDEG"
    assert made == [a, b] and memo.hits == 1 and memo.misses == 2


def test_the_least_recently_used_go_beyond_the_budget():
    memo = Memo(10)
    for key in (b"aaaa", b"bbbb"):
        memo.get(key, 4, lambda: 1)
    memo.get(b"aaaa", 4, lambda: 2)  # used again: now the newest
    memo.get(b"cccc", 4, lambda: 3)  # 12 > 10: the oldest, bbbb, goes
    assert memo.get(b"aaaa", 4, lambda: "again") == 1
    assert memo.get(b"bbbb", 4, lambda: "again") == "again"
    assert memo.get(b"x" * 11, 11, lambda: "big") == "big" and len(memo) <= 3


def test_a_failure_keeps_nothing():
    memo = Memo(100)

    def fail():
        raise ValueError("no")

    try:
        memo.get(b"k", 1, fail)
    except ValueError:
        pass
    assert memo.get(b"k", 1, lambda: "ok") == "ok"
