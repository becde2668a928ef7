"""The build cache: parsed fonts and finished charts, in the user's cache directory.

Entries are keyed by everything that could change them (content hashes of font files, chart
data and style, library versions, the code that makes them), so a stale entry can never be
used: a changed input simply makes a new key. Lives in ``$XDG_CACHE_HOME/briefing`` (else
``~/.cache/briefing``), never in the repository or beside the output.

The cache is untrusted input. Entries are JSON, in a tagged form that can only describe plain
values and instances of classes the caller names (rebuilt without calling any of their code),
never pickle: reading an entry cannot run code, whoever wrote it. Each entry carries its own
kind and key, compared on reading, so a renamed or swapped entry is a miss. An entry that is
unreadable, too large, not ours, or of the wrong shape is a miss too, and the build goes on
cold. A cache directory that another user owns or can write to is not used at all.
"""

from __future__ import annotations

import array
import base64
import gc
import hashlib
import json
import os
import stat
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

from .errors import InputError
from .files import read_regular
from .places import default_dir

KEEP = 400  # entries kept per kind; the oldest beyond that are removed
SETTLED_NS = 2_000_000_000  # a file changed this long before it was hashed cannot change unseen
MAX_ENTRY = 64 * 1024 * 1024  # bytes: the largest entry, a parsed CJK face, is about 1 MB
# Smaller kinds read no more than a few times their largest: a chart's picture is tens of KB
# (the largest ours draw, 300 KB), and JSON decoded takes many times its size in memory.
KIND_MAX = {"charts": 4 * 1024 * 1024, "contents": 1024 * 1024,
            "subsets": 8 * 1024 * 1024}  # a face's subset: a booklet's 800 glyphs are 300 KB of program
FORMAT = "briefing-cache/2"  # 1 was pickle: never read
STALE_TEMP = 3600  # seconds after which a half-written entry of ours is removed


def key(*parts: object) -> str:
    """A stable digest of the parts (their repr), plus the Python version."""
    h = hashlib.sha256(repr((sys.version_info[:2], parts)).encode("utf-8"))
    return h.hexdigest()[:40]


def untrusted(folder: Path) -> str | None:
    """Why ``folder`` must not be used as our cache (None when it may): it must be a directory
    of this user's that no one else can write to. An entry another user can plant would be
    used as ours; with pickle it would have run code as us."""
    try:
        st = os.stat(folder)
    except FileNotFoundError:
        return None  # made by us, 0700, when first written
    except OSError as exc:
        return f"{folder}: {exc.strerror}"
    if not stat.S_ISDIR(st.st_mode):
        return f"{folder} 不是文件夹 (not a directory)"
    if hasattr(os, "getuid") and st.st_uid != os.getuid():
        return f"{folder} 属于另一个用户 (owned by uid {st.st_uid})"
    if st.st_mode & 0o022:
        return f"{folder} 他人可写 (writable by others, mode {stat.S_IMODE(st.st_mode):o})"
    return None


class Cache:
    """``Cache(None)`` is a disabled cache: every lookup misses and nothing is written.

    ``refused`` says why a cache directory was not used (another user's, or writable by
    others); the cache then behaves as disabled, and the command prints the reason once.
    """

    def __init__(self, root: Path | None):
        self.root = root
        self.hits = 0
        self.misses = 0
        self.refused: str | None = None
        if root is not None:
            self.refused = self._distrust(root)
            if self.refused:
                self.root = None

    @staticmethod
    def _distrust(root: Path) -> str | None:
        why = untrusted(root)
        if why or not root.is_dir():
            return why
        try:
            folders = [p for p in root.iterdir() if p.is_dir()]
        except OSError as exc:
            return f"{root}: {exc.strerror}"
        return next((w for w in map(untrusted, folders) if w), None)

    @classmethod
    def default(cls) -> "Cache":
        return cls(default_dir())

    def _path(self, kind: str, k: str) -> Path:
        assert self.root is not None
        return self.root / kind / f"{k}.json"

    def get(self, kind: str, k: str, load: Callable[[Any], Any] | None = None):
        """The value stored under (kind, k), or None on any miss. The entry is decoded with
        the classes its kind may hold (``KINDS``) and checked by the kind's own check, then by
        ``load`` when given; any of them raising makes a miss."""
        if self.root is None:
            self.misses += 1
            return None
        enabled = gc.isenabled()
        gc.disable()  # a parsed font is some 100,000 small objects: collecting as they arrive only rescans them
        try:
            value = KINDS[kind].load(_read(self._path(kind, k), kind, k))
            if load is not None:
                value = load(value)
        except Exception:  # missing, truncated, foreign, swapped or of the wrong shape: a miss
            self.misses += 1
            return None
        finally:
            if enabled:
                gc.enable()
        self.hits += 1
        return value

    def put(self, kind: str, k: str, value) -> None:
        """Store ``value`` under (kind, k). A value its kind cannot hold is not stored."""
        if self.root is None:
            return
        try:
            data = KINDS[kind].dump(value)
        except (TypeError, ValueError):
            return  # e.g. a drawing with a shape not on the list: built again next time
        try:
            _write(self.root, self._path(kind, k), {"format": FORMAT, "kind": kind, "key": k, "value": data})
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
        stat_key = [st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns]
        memo: dict = {}
        if self.root is not None:
            try:
                memo = _digest_memo(_read(self.root / "digests.json", "digests", "digests"))
            except Exception:
                memo = {}
            found = memo.get(str(path))
            if found and found[0] == stat_key and st.st_ctime_ns < found[2] - SETTLED_NS:
                return found[1]
        digest = hashlib.blake2b(content, digest_size=16).hexdigest()
        if self.root is not None:
            memo[str(path)] = [stat_key, digest, time.time_ns()]
            try:
                _write(self.root, self.root / "digests.json",
                       {"format": FORMAT, "kind": "digests", "key": "digests", "value": memo})
            except OSError:
                pass
        return digest

    @staticmethod
    def _prune(folder: Path) -> None:
        now = time.time()
        for leftover in list(folder.glob(".tmp-*")) + list(folder.glob("*.pickle")):
            try:  # a half-written entry of a killed build, or the old pickle format: never read
                st = leftover.lstat()
                if st.st_uid == os.getuid() and (leftover.suffix == ".pickle" or now - st.st_mtime > STALE_TEMP):
                    leftover.unlink()
            except OSError:
                pass
        entries = sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime)
        for old in entries[:-KEEP]:
            old.unlink(missing_ok=True)


def _digest_memo(value) -> dict:
    if not isinstance(value, dict):
        raise TypeError("digests: not a mapping")
    for path, entry in value.items():
        if not (isinstance(entry, list) and len(entry) == 3 and isinstance(entry[0], list)
                and all(type(x) is int for x in entry[0]) and isinstance(entry[1], str) and type(entry[2]) is int):
            raise TypeError(f"digests: malformed entry for {path}")
    return value


def _read(path: Path, kind: str, k: str):
    """An entry's value, only if the file is ours, within size, well-formed JSON, and made for
    exactly this kind and key."""
    try:
        raw = read_regular(path, min(MAX_ENTRY, KIND_MAX.get(kind, MAX_ENTRY)))
    except InputError as exc:
        raise LookupError(str(exc)) from None
    if hasattr(os, "getuid") and os.stat(path).st_uid != os.getuid():
        raise LookupError("entry owned by another user")
    entry = json.loads(raw)
    if not (isinstance(entry, dict) and entry.get("format") == FORMAT and entry.get("kind") == kind
            and entry.get("key") == k and "value" in entry):
        raise LookupError("not an entry for this kind and key")
    return entry["value"]


def _write(root: Path, path: Path, entry: dict) -> None:
    """Write atomically: a reader sees the old entry or the new one, never half of one. Folders
    are made 0700 and checked: a folder someone else could write to is not written into."""
    for folder in (root, path.parent):
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        if untrusted(folder):
            raise PermissionError(untrusted(folder))
    data = json.dumps(entry, ensure_ascii=False, separators=(",", ":"), allow_nan=True).encode("utf-8")
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# -- the tagged form: plain values, and named classes rebuilt without running their code ---------

_WIDTHS = (("h", 1 << 15), ("i", 1 << 31), ("q", 1 << 63))  # the narrowest that holds them all


def _pack(ints: list[int]) -> str:
    """Integers as one short string (typecode, then little-endian bytes in base64): a font's
    30,000-entry tables load from it three times faster than from a JSON list."""
    top = max((max(ints), -min(ints) - 1), default=0) if ints else 0
    code = next(c for c, limit in _WIDTHS if top < limit)
    a = array.array(code, ints)
    if sys.byteorder != "little":
        a.byteswap()
    return code + base64.b64encode(a.tobytes()).decode("ascii")


def _unpack(text: str) -> list[int]:
    if not isinstance(text, str) or text[:1] not in ("h", "i", "q"):
        raise TypeError("packed integers: malformed")
    a = array.array(text[0])
    a.frombytes(base64.b64decode(text[1:], validate=True))
    if sys.byteorder != "little":
        a.byteswap()
    return a.tolist()


def _all_int64(values) -> bool:
    """Every value an int (no bool) that fits 64 bits: judged in C (a face's 30,000-entry map in
    a millisecond, where a Python loop took 9)."""
    values = values if type(values) is list else list(values)
    if not _types(values) <= {int}:
        return False
    try:
        array.array("q", values)
    except OverflowError:
        return False
    return True


def encode(value, classes: dict[type, str] | None = None):
    """``value`` as JSON-ready data. Allowed: None, bool, int, float, str, bytes, list, tuple,
    dict, and instances of the ``classes`` named (by their ``__dict__``). Anything else is a
    ``TypeError``: the caller then does not cache that value."""
    classes = classes or {}
    t = type(value)
    if value is None or t in (bool, int, float, str):
        return value
    if t is bytes:
        return {"B": base64.b64encode(value).decode("ascii")}
    if t is list:
        if len(value) >= 16 and _all_int64(value):
            return {"N": _pack(value)}
        if len(value) >= 16 and all(type(v) is tuple and len(v) == 2 for v in value) \
                and _all_int64(x for v in value for x in v):
            return {"P": _pack([x for v in value for x in v])}
        return {"L": [encode(v, classes) for v in value]}
    if t is tuple:
        return {"T": [encode(v, classes) for v in value]}
    if t is dict:
        if all(type(k) is str for k in value):
            return {"D": {k: encode(v, classes) for k, v in value.items()}}
        if _all_int64(value):
            if _all_int64(value.values()):
                return {"I": [_pack(list(value)), _pack(list(value.values()))]}
            return {"K": [_pack(list(value)), [encode(v, classes) for v in value.values()]]}
        raise TypeError("dict keys must all be text, or all integers")
    if t in classes:
        state = {"O": classes[t], "S": {k: encode(v, classes) for k, v in value.__dict__.items()}}
        if isinstance(value, bytes):
            state["B"] = base64.b64encode(value).decode("ascii")
        return state
    raise TypeError(f"cannot cache a {t.__module__}.{t.__qualname__}")


def decode(data, classes: dict[str, type] | None = None):
    """The inverse of ``encode``. A class is rebuilt as ``cls.__new__(cls)`` with its attributes
    set, so no ``__init__``, ``__setstate__`` or other code of it runs, and only the classes
    named here are ever made. Anything malformed raises (a cache miss)."""
    classes = classes or {}
    t = type(data)
    if data is None or t in (bool, int, float, str):
        return data
    if t is not dict:
        raise TypeError(f"untagged {t.__name__}")
    if len(data) == 1:
        (tag, body), = data.items()
        if tag == "L" and type(body) is list:
            return [decode(v, classes) for v in body]
        if tag == "T" and type(body) is list:
            return tuple(decode(v, classes) for v in body)
        if tag == "D" and type(body) is dict:
            return {k: decode(v, classes) for k, v in body.items()}
        if tag == "N":
            return _unpack(body)
        if tag == "P":
            flat = _unpack(body)
            return list(zip(flat[0::2], flat[1::2]))
        if tag == "I" and type(body) is list and len(body) == 2:
            keys, values = _unpack(body[0]), _unpack(body[1])
            if len(keys) != len(values):
                raise ValueError("integer map: keys and values differ in length")
            return dict(zip(keys, values))
        if tag == "K" and type(body) is list and len(body) == 2 and type(body[1]) is list:
            keys = _unpack(body[0])
            if len(keys) != len(body[1]):
                raise ValueError("integer map: keys and values differ in length")
            return dict(zip(keys, (decode(v, classes) for v in body[1])))
        if tag == "B" and type(body) is str:
            return base64.b64decode(body, validate=True)
    elif len(data) in (2, 3) and type(data.get("O")) is str and type(data.get("S")) is dict:
        cls = classes.get(data["O"])
        if cls is None:
            raise TypeError(f"class not allowed here: {data['O']}")
        if issubclass(cls, bytes):
            obj = bytes.__new__(cls, base64.b64decode(data["B"], validate=True))
        elif len(data) == 2:
            obj = cls.__new__(cls)
        else:
            raise TypeError("bytes given for a class that is not bytes")
        state = {k: decode(v, classes) for k, v in data["S"].items()}
        if any(k.startswith("__") for k in state):
            raise TypeError("reserved attribute name")
        obj.__dict__.update(state)
        return obj
    raise TypeError("unknown tag")


# -- what each kind may hold -------------------------------------------------------------------
#
# Classes are named by module and qualified name; only those listed for a kind are ever made
# from its entries, and only through ``decode`` (no code of theirs runs). ``load`` checks the
# shape of what came back: the same checks reportlab applies to shapes it builds itself.

def _classes(names: tuple[str, ...]) -> dict[str, type]:
    import importlib

    found = {}
    for name in names:
        module, _, qualname = name.partition(":")
        loaded = sys.modules.get(module)
        if loaded is None and not module.startswith("briefing."):
            loaded = importlib.import_module(module)  # a fixed name from the list above, never from an entry
        if loaded is not None and isinstance(getattr(loaded, qualname, None), type):
            found[name] = getattr(loaded, qualname)
    return found


class Kind:
    """The codec of one kind of entry: the classes it may hold and the check of its shape."""

    def __init__(self, names: tuple[str, ...] = (), check: Callable[[Any], None] | None = None):
        self.names = names
        self.check = check

    def dump(self, value):
        classes = _classes(self.names)
        return encode(value, {cls: name for name, cls in classes.items()})

    def load(self, data):
        value = decode(data, _classes(self.names))
        if self.check is not None:
            self.check(value)
        return value


def _types(values) -> set:
    return set(map(type, values))  # in C: a 30,000-entry table is checked in a millisecond


def _is_int_map(value, number: bool = False) -> bool:
    return type(value) is dict and _types(value) <= {int} and _types(value.values()) <= (
        {int, float} if number else {int})


# A parsed face: reportlab's TTFont and TTFontFace state, as fonts.register caches it (without
# the glyph metrics and locations, which fonts.parse reads from the font file when asked).
FONT_FIELDS: dict[str, Callable[[Any], bool]] = {
    "charToGlyph": _is_int_map,
    "widthsBesideDefault": lambda v: _is_int_map(v, number=True),
    "charsWithoutWidth": lambda v: type(v) is list and _types(v) <= {int},
    "unitsPerEm": lambda v: type(v) is int and v > 0,
    "numGlyphs": lambda v: type(v) is int,
    "defaultWidth": lambda v: type(v) in (int, float),
    "ascent": lambda v: type(v) in (int, float),
    "descent": lambda v: type(v) in (int, float),
    "bbox": lambda v: type(v) in (list, tuple) and len(v) == 4,
    "table": lambda v: type(v) is dict and all(type(x) is dict for x in v.values()),
}


def _check_font(value) -> None:
    if not (type(value) is tuple and len(value) == 2 and all(type(v) is dict for v in value)):
        raise TypeError("font entry: not a (font, face) pair of mappings")
    face = value[1]
    for name, ok in FONT_FIELDS.items():
        if name not in face or not ok(face[name]):
            raise TypeError(f"font entry: {name} missing or malformed")
    if not callable(face.get("_pdfScale")):
        raise TypeError("font entry: no em scale")
    chars = face["charToGlyph"]
    if not all(c in chars for c in face["widthsBesideDefault"]) or not all(c in chars for c in face["charsWithoutWidth"]):
        raise TypeError("font entry: widths of characters the face does not map")


PICTURE = tuple(f"briefing.typeset.picture:{n}" for n in ("Picture", "Shape", "Label"))


def _check_picture(value) -> None:
    """A chart as its entry rebuilt it: a Picture of shapes and texts, every field checked by
    the picture module's own ``check`` (loaded, as its classes are, by whoever reads charts:
    the cache, a lower stage, never imports it)."""
    picture = sys.modules.get("briefing.typeset.picture")
    if picture is None:
        raise TypeError("chart entry: the picture module is not loaded")
    picture.check(value)


def _check_contents(value) -> None:
    """The contents of an earlier layout: (level, text, page, bookmark key) each."""
    if not (type(value) is list and all(
            type(e) is tuple and len(e) == 4 and type(e[0]) is int and type(e[1]) is str
            and type(e[2]) is int and type(e[3]) in (str, type(None)) for e in value)):
        raise TypeError("contents hint: not a list of entries")


def _check_subset(value) -> None:
    """A face's subset program (``fonts.cid``): TrueType bytes. What it must hold for its
    characters is checked where they are known (``fonts.cid.subset``)."""
    if not (type(value) is bytes and value[:4] in (b"\x00\x01\x00\x00", b"true") and len(value) >= 12):
        raise TypeError("subset entry: not a TrueType program")


KINDS: dict[str, Kind] = {
    "fonts": Kind(("reportlab.pdfbase.ttfonts:TTFNameBytes", "reportlab.pdfbase.ttfonts:TTEncoding",
                   "briefing.fonts.register:_Scale"), _check_font),
    "charts": Kind(PICTURE, _check_picture),
    "contents": Kind((), _check_contents),
    "subsets": Kind((), _check_subset),
}
