"""reportlab's link pattern, compiled when first used instead of on import: 20 ms of every
process that lays out a booklet.

``reportlab.platypus.paragraph`` compiles, as it is imported, a case-insensitive pattern for
URLs (``uri_pat``) whose character classes run up to U+FFFF: Python's compiler folds the case
of every character in them, which takes 20 ms, a fifth of a rebuild's layout. reportlab reads
the pattern only for a link in a paragraph's markup (``<a href>``), which the booklet never
sets through it. ``install`` adds an import hook that runs that one module with
``re.compile`` giving, for that one pattern, an object that compiles it the first time it is
used; every other pattern of the module, and every other module, is compiled as usual, and
``re.compile`` is itself again once the module has run.
"""

from __future__ import annotations

import importlib.abc
import re
import sys

MODULE = "reportlab.platypus.paragraph"
SLOW = "(^(?:[a-z0-9\\.\\-\\+]*)://)"  # how reportlab's URL pattern begins


class OnFirstUse:
    """A pattern compiled when one of its methods or attributes is first read."""

    def __init__(self, compile, pattern: str, flags: int):
        self._source = (compile, pattern, flags)
        self._compiled: re.Pattern | None = None

    def __getattr__(self, name: str):
        if self._compiled is None:
            compile, pattern, flags = self._source
            self._compiled = compile(pattern, flags)
        return getattr(self._compiled, name)


class _Loader(importlib.abc.Loader):
    def __init__(self, inner):
        self._inner = inner

    def create_module(self, spec):
        return self._inner.create_module(spec)

    def exec_module(self, module) -> None:
        compile = re.compile

        def deferring(pattern, flags=0):
            if isinstance(pattern, str) and pattern.startswith(SLOW):
                return OnFirstUse(compile, pattern, flags)
            return compile(pattern, flags)

        re.compile = deferring
        try:
            self._inner.exec_module(module)
        finally:
            re.compile = compile


class _Finder(importlib.abc.MetaPathFinder):
    """Finds ``MODULE`` as the other finders do, and runs it through ``_Loader``."""

    def find_spec(self, name, path, target=None):
        if name != MODULE:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(name, path, target)
            if spec is not None:
                if spec.loader is not None and hasattr(spec.loader, "exec_module"):
                    spec.loader = _Loader(spec.loader)
                return spec
        return None


def install() -> None:
    """Once a process, before reportlab's page layout is imported (``typeset`` does it)."""
    if not any(isinstance(f, _Finder) for f in sys.meta_path):
        sys.meta_path.insert(0, _Finder())
