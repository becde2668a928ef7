"""Where the fonts are registered, and which characters they can draw.

The fonts ship inside the package (``briefing.assets``), so an installed ``briefing`` finds
them from any directory and never needs the repository's ``../shared``.
"""

from __future__ import annotations

import importlib.resources
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont

from .errors import FontError

FACES = {
    "serif": "NotoSerifSC-Regular.ttf",
    "sans": "NotoSansSC-Regular.ttf",
    "sans_bold": "NotoSansSC-Bold.ttf",
}
FAMILY = "Noto Sans SC"  # the family name matplotlib reads from the Sans files


def font_dir() -> Path:
    """The installed package data, or the checkout's ``assets/fonts`` when run from source."""
    try:
        installed = Path(str(importlib.resources.files("briefing.assets"))) / "fonts"
        if installed.is_dir():
            return installed
    except ModuleNotFoundError:
        pass
    return Path(__file__).resolve().parent.parent / "assets" / "fonts"


@dataclass(frozen=True)
class FontSet:
    """The three faces the booklet uses, registered with reportlab under stable names."""

    directory: Path
    serif: str = "BriefingSerif"
    sans: str = "BriefingSans"
    sans_bold: str = "BriefingSansBold"

    def path(self, face: str) -> Path:
        return self.directory / FACES[face]

    @property
    def names(self) -> dict[str, str]:
        return {"serif": self.serif, "sans": self.sans, "sans_bold": self.sans_bold}

    @cached_property
    def _charsets(self) -> dict[str, frozenset[int]]:
        return {face: frozenset(pdfmetrics.getFont(name).face.charToGlyph) for face, name in self.names.items()}

    def missing(self, text: str) -> list[str]:
        """Characters of ``text`` that some face cannot draw (each would print as tofu)."""
        sets = self._charsets.values()
        return sorted({ch for ch in text if not ch.isspace() and any(ord(ch) not in cs for cs in sets)})


def register(directory: Path | None = None) -> FontSet:
    """Register the faces with reportlab (idempotent: reportlab's registry is per process)."""
    fonts = FontSet(directory or font_dir())
    registered = set(pdfmetrics.getRegisteredFontNames())
    for face, name in fonts.names.items():
        if name in registered:
            continue
        path = fonts.path(face)
        if not path.is_file():
            raise FontError(f"找不到字体文件 {path}（重新安装 briefing 可恢复）")
        try:
            pdfmetrics.registerFont(TTFont(name, str(path)))
        except TTFError as exc:
            raise FontError(f"字体文件无法使用 {path}: {exc}") from None
    return fonts
