"""Chinese words, by jieba's dictionary: where a chart label may wrap, and what an imported
figure measures.

jieba builds a prefix dictionary of all 349,000 words before it cuts the first text (0.4 s),
and would cache it in a file in /tmp that it reads back whatever another user left there. A
build cuts a few chart labels. So the dictionary is loaded here only for the characters the
texts cut so far contain: a word, and every prefix of it, starts with one of its text's
characters, so the cuts are exactly jieba's (tested against its own full dictionary), at
about a tenth of the cost, with no cache file.

For a dictionary we know (its SHA-256), where the lines of each first character lie in the
file is shipped beside it (``assets/jieba-index.bin``, made by ``tools/jieba_index.py``):
then only those lines are read, and not 5 MB of text decoded and searched.
"""

from __future__ import annotations

import hashlib
import re
import sys
from array import array
from functools import lru_cache


def _jieba():
    """jieba, imported without setuptools' ``pkg_resources``, which it uses only to open its
    dictionary file and which costs 55 ms (most of jieba's import): where it cannot be
    imported, jieba opens the same file beside its module itself."""
    import sys

    blocked = "jieba" not in sys.modules and "pkg_resources" not in sys.modules
    if blocked:
        sys.modules["pkg_resources"] = None  # import fails at once, as where setuptools is missing
    try:
        import jieba
    finally:
        if blocked and "pkg_resources" in sys.modules and sys.modules["pkg_resources"] is None:
            del sys.modules["pkg_resources"]
    return jieba


# The dictionaries whose layout and total were established by reading them whole (jieba
# 0.42.1's dict.txt): SHA-256 of the file → the sum of its frequencies. Summing 349,000 counts
# takes 60 ms of a chart worker's time before its first chart; hashing the file takes 3.
# Any other file is read whole, as before (a test recomputes every entry that is installed).
KNOWN_TOTALS = {
    "7197c3211ddd98962b036cdf40324d1ea2bfaa12bd028e68faa70111a88e12a8": 60101967,
}


INDEX = "jieba-index.bin"  # in the shipped assets: ``Index`` of the dictionary KNOWN_TOTALS knows


class Index:
    """Where each first character's lines are in a dictionary file: the runs of lines with one
    first character, in file order (a character may have more than one run), as the
    characters of the runs and where each run starts in the file's bytes (and where the last
    ends). Saved with the SHA-256 of the file it indexes."""

    def __init__(self, digest: str, firsts: str, offsets: array):
        self.digest, self.firsts, self.offsets = digest, firsts, offsets

    @classmethod
    def of(cls, raw: bytes) -> "Index":
        """The index of a dictionary file (``tools/jieba_index.py`` ships the known one's)."""
        firsts, offsets, at, last = [], array("I"), 0, None
        for line in raw.split(b"\n"):
            first = line[:4].decode("utf-8", "ignore")[:1] if line else ""
            if first and first != last:
                firsts.append(first)
                offsets.append(at)
            last = first or last
            at += len(line) + 1
        offsets.append(len(raw))
        return cls(hashlib.sha256(raw).hexdigest(), "".join(firsts), offsets)

    def to_bytes(self) -> bytes:
        """The digest, the runs' characters and their offsets (4 bytes each, little-endian)."""
        chars = self.firsts.encode("utf-8")
        offsets = array("I", self.offsets)
        if sys.byteorder == "big":
            offsets.byteswap()
        return b"%s %d %d\n" % (self.digest.encode(), len(chars), len(offsets)) + chars + offsets.tobytes()

    @classmethod
    def from_bytes(cls, data: bytes) -> "Index":
        head, _, rest = data.partition(b"\n")
        digest, size, count = head.split()
        offsets = array("I")
        offsets.frombytes(rest[int(size):])
        if len(offsets) != int(count) or offsets.itemsize != 4:
            raise ValueError("not an index of this layout")
        if sys.byteorder == "big":
            offsets.byteswap()
        return cls(digest.decode(), rest[:int(size)].decode("utf-8"), offsets)

    def lines(self, raw: bytes, chars: set[str]) -> list[str]:
        """The lines of ``raw`` that start with one of ``chars``, in file order."""
        runs = []
        for c in chars:
            i = self.firsts.find(c)
            while i >= 0:
                runs.append(i)
                i = self.firsts.find(c, i + 1)
        return [line for i in sorted(runs)
                for line in raw[self.offsets[i]:self.offsets[i + 1]].decode("utf-8").split("\n") if line]


def _shipped_index(digest: str, size: int) -> Index | None:
    """The shipped index, if it is the index of the file with ``digest``, ``size`` bytes long,
    and its offsets span that file (a damaged index has the right digest and wrong runs)."""
    from .shipped import asset_dir

    try:
        index = Index.from_bytes((asset_dir() / INDEX).read_bytes())
    except (OSError, ValueError, UnicodeDecodeError):
        return None
    offsets = index.offsets
    if len(offsets) != len(index.firsts) + 1 or offsets[0] != 0 or offsets[-1] != size:
        return None
    return index if index.digest == digest else None


class _Segmenter:
    """A jieba tokenizer whose dictionary holds the words starting with the characters seen."""

    def __init__(self):
        self.tokenizer = _jieba().Tokenizer()
        with self.tokenizer.get_dict_file() as fh:
            raw = fh.read()
        self._raw = raw
        self._seen: set[str] | None = set()
        digest = hashlib.sha256(raw).hexdigest()
        total = KNOWN_TOTALS.get(digest)
        self._index = _shipped_index(digest, len(raw)) if total is not None else None
        self._text = raw.decode("utf-8") if self._index is None else None
        if total is None:
            total = _total(self._text)
        if total is not None:
            self.tokenizer.FREQ, self.tokenizer.total = {}, total
        else:  # another layout (a dictionary jieba may ship one day): jieba's own loading, whole
            with self.tokenizer.get_dict_file() as fh:
                self.tokenizer.FREQ, self.tokenizer.total = self.tokenizer.gen_pfdict(fh)
            self._seen = None
        self.tokenizer.initialized = True

    def learn(self, text: str) -> None:
        """Load the entries of the words that can start at a character of ``text``, as jieba's
        ``gen_pfdict`` does (in file order: a later line of a word wins; a prefix is 0)."""
        if self._seen is None:
            return
        new = set(text) - self._seen
        if not new:
            return
        freq = self.tokenizer.FREQ
        if self._index is not None:
            lines = self._index.lines(self._raw, new)
        else:
            starts = "".join(re.escape(c) for c in sorted(new))
            lines = re.findall(f"^[{starts}][^\\n]*", self._text, re.M)
        for line in lines:
            word, count = line.strip().split(" ")[:2]
            freq[word] = int(count)
            for end in range(1, len(word)):
                freq.setdefault(word[:end], 0)
        self._seen |= new


def _total(text: str) -> int | None:
    """The sum of the frequencies of a dictionary of one "word frequency tag" a line, as
    jieba's own is; None for any other layout."""
    fields = text.split()
    lines = text.count("\n") + (not text.endswith("\n"))
    if len(fields) == 3 * lines and not text[:1].isspace() and not re.search(r"\n\s", text):
        return sum(map(int, fields[1::3]))
    return None


@lru_cache(maxsize=1)
def _segmenter() -> _Segmenter:
    return _Segmenter()


@lru_cache(maxsize=1)
def _tagger():
    from jieba.posseg import POSTokenizer

    return POSTokenizer(_segmenter().tokenizer)


def learn(text: str) -> None:
    """Load now the words that can start at any character of ``text``: one pass over the
    dictionary (≈ 15 ms) for many texts to be cut later, instead of one pass per text."""
    _segmenter().learn(text)


def words(text: str) -> list[str]:
    """``text`` cut into words by jieba's dictionary (no guessing of unknown words)."""
    segmenter = _segmenter()
    segmenter.learn(text)
    return segmenter.tokenizer.lcut(text, HMM=False)


def tagged(text: str) -> list[tuple[str, str]]:
    """``text``'s words with their part of speech in jieba's dictionary (n…: nouns, v: verbs,
    vn: verbs used as nouns, x: not in it)."""
    _segmenter().learn(text)
    return [(p.word, p.flag) for p in _tagger().lcut(text, HMM=False)]
