"""Where the files shipped with briefing are: the installed package data (``briefing.assets``),
or the checkout's ``assets/`` when run from source. Fonts and the sRGB profile both live there."""

from __future__ import annotations

import importlib.resources
from pathlib import Path


def asset_dir() -> Path:
    try:
        installed = Path(str(importlib.resources.files("briefing.assets")))
        if installed.is_dir():
            return installed
    except ModuleNotFoundError:
        pass
    return Path(__file__).resolve().parent.parent / "assets"
