"""Where the fonts are registered, and which characters they can draw.

The fonts ship inside the package (``briefing.assets``), so an installed ``briefing`` finds
them from any directory and never needs the repository's ``../shared``.
"""

from __future__ import annotations

import hashlib
import mmap
import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Callable
from weakref import WeakKeyDictionary

import reportlab
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError

from ..cache import Cache, key
from ..errors import FontError
from ..memo import Memo
from ..shipped import asset_dir
from .cid import CIDFont
from .parse import FastFace, read_face

FACES = {
    "serif": "NotoSerifSC-Regular.ttf",
    "sans": "NotoSansSC-Regular.ttf",
    "sans_bold": "NotoSansSC-Bold.ttf",
}
FAMILY = "Noto Sans SC"  # the family name matplotlib reads from the Sans files
# Results a face keeps (``Memo``), up to about 2 KB each (line breaks, placed lines and the
# operators that write them): the default booklet keeps 1,100 in its busiest face, the 10x one
# some 4,600 (a memo smaller than one build would miss on every line).
MEMO_SIZE = 12_000


def font_dir() -> Path:
    return asset_dir() / "fonts"


@dataclass(frozen=True)
class FontSet:
    """The three faces the booklet uses, registered with reportlab.

    Each registered name carries the file's identity (``identity``), so a changed font file can
    never be confused with one registered earlier in the same process or cached on disk.
    """

    directory: Path
    digests: tuple[tuple[str, str], ...]  # (face, the file's identity: its content digest with a cache)

    def path(self, face: str) -> Path:
        return self.directory / FACES[face]

    def digest(self, face: str) -> str:
        return dict(self.digests)[face]

    def _name(self, face: str) -> str:
        return f"Briefing-{face}-{self.digest(face)[:12]}"

    @property
    def serif(self) -> str:
        return self._name("serif")

    @property
    def sans(self) -> str:
        return self._name("sans")

    @property
    def sans_bold(self) -> str:
        return self._name("sans_bold")

    @property
    def names(self) -> dict[str, str]:
        return {face: self._name(face) for face in FACES}

    @cached_property
    def _verdicts(self) -> dict[str, bool]:
        """Whether every face can draw a character, for the characters asked about so far: a
        data file uses a few thousand of the faces' 30,000, so each is looked up once instead
        of intersecting the whole maps in every build (7 ms)."""
        return {}

    def _drawable(self, ch: str) -> bool:
        known = self._verdicts.get(ch)
        if known is None:
            code = ord(ch)
            known = self._verdicts[ch] = all(
                code in pdfmetrics.getFont(name).face.charToGlyph for name in self.names.values())
        return known

    def missing(self, text: str) -> list[str]:
        """Characters of ``text`` that some face cannot draw (each would print as tofu).

        Whitespace counts too: a tab, a thin space (U+2009) or a line separator (U+2028) has no
        glyph in these faces, and a running head or a chart label draws it as it stands. Only
        the typed line break is exempt: every place that sets text breaks the line there or,
        on one line, reads it as a space.
        """
        return sorted(ch for ch in set(text) if ch != "\n" and not self._drawable(ch))


def memo(font: str) -> Memo | None:
    """The memo of a face we registered (None for any other font: nothing is kept for it):
    results computed from that face and nothing else but the key they are kept under (line
    breaks, placed lines: ``typeset.text``), each counted as one of ``MEMO_SIZE``. It lives on
    the face's font object, registered under the file's identity: a face from another file is
    another object, with a memo of its own."""
    found = getattr(pdfmetrics.getFont(font), "memo", None)
    return found if isinstance(found, Memo) else None


def char_width(font: str, size: float) -> Callable[[str], float]:
    """The width of one character exactly as reportlab's ``stringWidth`` gives it, without
    its font lookup on every call: a booklet measures some 16,000 characters. For a face we
    registered, the face's table of widths at ``size`` (``_Widths``), kept on its font object."""
    found = pdfmetrics.getFont(font)
    face = getattr(found, "face", None)
    if face is None or not hasattr(face, "charWidths"):  # not a TrueType face
        return lambda ch: pdfmetrics.stringWidth(ch, font, size)
    tables = found.__dict__.setdefault("_widths_at", {})  # size → its table
    table = tables.get(size)
    if table is None:
        if len(tables) >= SIZES_KEPT:  # more sizes than a booklet's styles use: start again
            tables.clear()
        table = tables[size] = _Widths(face.charWidths, face.defaultWidth, 0.001 * size)
    return table


SIZES_KEPT = 32  # the sizes a face keeps tables for: a booklet's styles use about ten (a figure
# too long for its card adds one)


class _Widths(dict):
    """One face's character widths at one size: ``width(ch)`` one character's, ``width.run(text)``
    each of a text's (``linebreak.widths_of``). Each is worked out (the em's thousandth times
    the advance) the first time its character is asked for, then looked up, in C: a long
    booklet asks for some 100,000 widths of 3,000 characters."""

    __slots__ = ("_default", "_scale", "_widths")

    def __init__(self, widths: dict[int, float], default: float, scale: float):
        super().__init__()
        self._widths, self._default, self._scale = widths, default, scale

    def __missing__(self, ch: str) -> float:
        width = self[ch] = self._scale * self._widths.get(ord(ch), self._default)
        return width

    __call__ = dict.__getitem__

    def run(self, text: str) -> list[float]:
        return list(map(self.__getitem__, text))


class _Scale:
    """reportlab keeps a lambda for em scaling, which no cache can store; this can (the cache
    names it among the classes a font entry may hold)."""

    def __init__(self, units_per_em: int):
        self.factor = 1000 / units_per_em

    def __call__(self, x):
        return x * self.factor


class _GlyphToChar(dict):
    """reportlab's glyph → characters map, rebuilt from charToGlyph only if it is ever asked
    for (it is read only when text is shaped, which the booklet never does); not caching it
    takes a third off loading a face."""

    def __init__(self, char_to_glyph: dict[int, int]):
        super().__init__()
        self._source = char_to_glyph

    def __missing__(self, gid):
        if not self._source:
            raise KeyError(gid)
        source, self._source = self._source, {}
        inverse: dict[int, list[int]] = {}
        for char, glyph in source.items():
            inverse.setdefault(glyph, []).append(char)
        for glyph, chars in inverse.items():
            self.setdefault(glyph, chars)
        return self[gid]


def _parse(name: str, path: Path, data: bytes, digest: str, cache: Cache | None) -> CIDFont:
    """A parsed face: from the cache when this exact file was parsed before, else parsed now."""
    k = key("ttf", 4, digest, reportlab.Version)  # 4: the widths as those beside the default
    cached = cache.get("fonts", k) if cache else None
    if cached is not None:
        font_state, face_state = cached
        face = FastFace.__new__(FastFace)
        face.__dict__.update(_widths_restored(face_state))
        face.glyphToChar = _GlyphToChar(face.charToGlyph)
        face._ttf_data = data  # the file whose digest made the key: never a stale copy
        font = CIDFont.__new__(CIDFont)
        font.__dict__.update(font_state)
        font.fontName = name
        font.face = face
        font.state = WeakKeyDictionary()
        font.digest = digest  # what its subsets are cached by (``fonts.cid``)
        return font
    try:
        face = read_face(data, str(path))
    except TTFError as exc:
        raise FontError(f"字体文件无法使用 {path}: {exc}") from None
    face._pdfScale = _Scale(face.unitsPerEm)
    face.glyphToChar = _GlyphToChar(face.charToGlyph)
    font = CIDFont(name, face)
    if cache:
        face_state = {k2: v for k2, v in font.face.__dict__.items()
                      if k2 not in ("_ttf_data", "glyphToChar", "_hmetrics", "_glyphPos")}
        font_state = {k2: v for k2, v in font.__dict__.items() if k2 not in ("face", "state", "memo")}
        cache.put("fonts", k, (font_state, _widths_stored(face_state)))
    font.digest = digest
    return font


def _widths_stored(face_state: dict) -> dict:
    """The face's state with its widths (one for each of its 30,000 characters, 98 % of them
    the default em) kept as those beside the default and the characters without one: half the
    entry, and a third of the time reading it, as the map is made again from the characters."""
    state = dict(face_state)
    widths, default = state.pop("charWidths"), state["defaultWidth"]
    state["widthsBesideDefault"] = {c: w for c, w in widths.items() if w != default}
    state["charsWithoutWidth"] = [c for c in state["charToGlyph"] if c not in widths]
    return state


def _widths_restored(state: dict) -> dict:
    """The inverse of ``_widths_stored``: the same map, in the same order."""
    state = dict(state)
    widths = dict.fromkeys(state["charToGlyph"], state["defaultWidth"])
    widths.update(state.pop("widthsBesideDefault"))
    for c in state.pop("charsWithoutWidth"):
        del widths[c]
    state["charWidths"] = widths
    return state


def _map(path: Path):
    """The file's bytes, mapped rather than read: reportlab's subsetter touches only the glyphs
    the booklet uses, a small part of each 10–15 MB face."""
    try:
        with open(path, "rb") as fh:
            return mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError):  # missing, unreadable, or empty
        raise FontError(f"找不到字体文件 {path}（重新安装 briefing 可恢复）") from None


def register(directory: Path | None = None, cache: Cache | None = None) -> FontSet:
    """Register the faces with reportlab, keyed by each file's content digest."""
    directory = directory or font_dir()
    blobs = {face: _map(directory / filename) for face, filename in FACES.items()}
    memo = cache or Cache(None)
    fonts = FontSet(directory, tuple((f, identity(memo, directory / FACES[f], b)) for f, b in blobs.items()))
    _register(fonts, blobs, cache)
    return fonts


def identity(cache: Cache, path: Path, data) -> str:
    """What tells this font file from any other and from its other versions: its content digest
    where a cache keys entries by it (remembered there by the file's stat); without a cache,
    which keys nothing by the fonts, the stat itself (device, inode, size, modification and
    change times, which no program can set back), instead of reading 35 MB to hash them:
    40–60 ms of a cold build. Registered names are all it tells apart then, within this process."""
    if cache.root is not None:
        return cache.file_digest(path, data)
    st = os.stat(path)
    stat = repr((st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)).encode()
    return "stat-" + hashlib.blake2b(stat, digest_size=16).hexdigest()


def register_known(fonts: FontSet, faces: tuple[str, ...], cache: Cache | None = None) -> None:
    """Register some ``faces`` of a set whose digests this process was handed (a chart worker,
    by the build that forked it), instead of hashing the files again."""
    _register(fonts, {face: _map(fonts.path(face)) for face in faces}, cache)


def _register(fonts: FontSet, blobs: dict, cache: Cache | None) -> None:
    registered = set(pdfmetrics.getRegisteredFontNames())
    for face, data in blobs.items():
        name = fonts.names[face]
        if name not in registered:
            font = _parse(name, fonts.path(face), data, fonts.digest(face), cache)
            font.memo = Memo(MEMO_SIZE)
            pdfmetrics.registerFont(font)
            if pdfmetrics.getFont(name) is not font:
                # reportlab gives a new name the font first registered with the same face name
                # (the file's PostScript name): another file's, with its own metrics. Ours is meant.
                pdfmetrics._fonts[name] = font
