"""Where the fonts are registered, and which characters they can draw.

The fonts ship inside the package (``briefing.assets``), so an installed ``briefing`` finds
them from any directory and never needs the repository's ``../shared``.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from weakref import WeakKeyDictionary

import reportlab
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont, TTFontFace

from .cache import Cache, key
from .errors import FontError
from .shipped import asset_dir

FACES = {
    "serif": "NotoSerifSC-Regular.ttf",
    "sans": "NotoSansSC-Regular.ttf",
    "sans_bold": "NotoSansSC-Bold.ttf",
}
FAMILY = "Noto Sans SC"  # the family name matplotlib reads from the Sans files


def font_dir() -> Path:
    return asset_dir() / "fonts"


@dataclass(frozen=True)
class FontSet:
    """The three faces the booklet uses, registered with reportlab.

    Each registered name carries the file's content digest, so a changed font file can never
    be confused with one registered earlier in the same process or cached on disk.
    """

    directory: Path
    digests: tuple[tuple[str, str], ...]  # (face, blake2b of the file)

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
    def _charsets(self) -> dict[str, frozenset[int]]:
        return {face: frozenset(pdfmetrics.getFont(name).face.charToGlyph) for face, name in self.names.items()}

    def missing(self, text: str) -> list[str]:
        """Characters of ``text`` that some face cannot draw (each would print as tofu)."""
        sets = self._charsets.values()
        return sorted({ch for ch in text if not ch.isspace() and any(ord(ch) not in cs for cs in sets)})


class _Scale:
    """reportlab keeps a lambda for em scaling, which cannot be pickled; this can."""

    def __init__(self, units_per_em: int):
        self.factor = 1000 / units_per_em

    def __call__(self, x):
        return x * self.factor


def _parse(name: str, path: Path, data: bytes, digest: str, cache: Cache | None) -> TTFont:
    """A parsed face: from the cache when this exact file was parsed before, else parsed now."""
    k = key("ttf", digest, reportlab.Version)
    cached = cache.get("fonts", k) if cache else None
    if cached is not None:
        font_state, face_state = cached
        face = TTFontFace.__new__(TTFontFace)
        face.__dict__.update(face_state)
        face._ttf_data = data  # the bytes just hashed: never a stale copy
        font = TTFont.__new__(TTFont)
        font.__dict__.update(font_state)
        font.fontName = name
        font.face = face
        font.state = WeakKeyDictionary()
        return font
    try:
        font = TTFont(name, io.BytesIO(data))
    except TTFError as exc:
        raise FontError(f"字体文件无法使用 {path}: {exc}") from None
    font.face._pdfScale = _Scale(font.face.unitsPerEm)
    if cache:
        face_state = {k2: v for k2, v in font.face.__dict__.items() if k2 != "_ttf_data"}
        font_state = {k2: v for k2, v in font.__dict__.items() if k2 not in ("face", "state")}
        cache.put("fonts", k, (font_state, face_state))
    return font


def register(directory: Path | None = None, cache: Cache | None = None) -> FontSet:
    """Register the faces with reportlab, reading each file once and hashing what it read."""
    directory = directory or font_dir()
    blobs: dict[str, bytes] = {}
    for face, filename in FACES.items():
        path = directory / filename
        try:
            blobs[face] = path.read_bytes()
        except OSError:
            raise FontError(f"找不到字体文件 {path}（重新安装 briefing 可恢复）") from None
    fonts = FontSet(directory, tuple((f, hashlib.blake2b(b, digest_size=16).hexdigest()) for f, b in blobs.items()))
    registered = set(pdfmetrics.getRegisteredFontNames())
    for face, name in fonts.names.items():
        if name not in registered:
            pdfmetrics.registerFont(_parse(name, fonts.path(face), blobs[face], fonts.digest(face), cache))
    return fonts
