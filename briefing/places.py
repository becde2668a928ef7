"""Where the user's folders are (the XDG base directories), with the standard library alone:
the client of ``briefing serve`` needs them before anything else is imported."""

from __future__ import annotations

import os

TYPE_CHECKING = False  # typing's own import is a millisecond of a served build's start

if TYPE_CHECKING:
    from pathlib import Path


def drop_relative_xdg() -> None:
    """Unset an XDG base directory given as a relative path, which the XDG spec calls invalid:
    the libraries we load (matplotlib's font list goes to $XDG_CACHE_HOME/matplotlib) would take
    it as given and write into whatever directory a build runs in."""
    for name in ("XDG_CACHE_HOME", "XDG_CONFIG_HOME", "XDG_RUNTIME_DIR", "XDG_DATA_HOME", "XDG_STATE_HOME"):
        value = os.environ.get(name)
        if value is not None and not os.path.isabs(value.strip()):
            del os.environ[name]


def cache_folder() -> str:
    """``default_dir`` as a text, without pathlib (a few milliseconds of a served build's start)."""
    base = os.environ.get("XDG_CACHE_HOME", "").strip()
    # A relative path is invalid (the XDG spec): taken as given, it would put a cache folder
    # into whatever directory a build runs in.
    return os.path.join(base if os.path.isabs(base) else os.path.join(os.path.expanduser("~"), ".cache"),
                        "briefing")


def default_dir() -> Path:
    from pathlib import Path

    return Path(cache_folder())
