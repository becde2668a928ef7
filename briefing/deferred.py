"""What reportlab imports and a booklet never uses, made ready on first use instead: 26 ms of
every process that lays out a booklet.

- ``reportlab.platypus.paragraph`` compiles, as it is imported, a case-insensitive pattern for
  URLs (``uri_pat``) whose character classes run up to U+FFFF: Python's compiler folds the
  case of every character in them, 19 ms. reportlab reads the pattern only for a link in a
  paragraph's markup (``<a href>``), which the booklet never sets through it. That one module
  is run with ``re.compile`` giving, for that one pattern, an object that compiles it the first
  time it is used; every other pattern of the module, and every other module, is compiled as
  usual, and ``re.compile`` is itself again once the module has run.
- ``reportlab.lib.utils`` imports PIL's ``Image`` (6 ms) for bitmaps, which the booklet never
  draws (its charts are vector). ``PIL.Image`` is loaded lazily (``Deferred``, what the
  standard library's ``importlib.util.LazyLoader`` does, made safe for threads): it runs in
  full when one of its names is first read, as matplotlib does when it draws.
- ``jieba`` imports its ``finalseg`` (13 ms: the tables of the model that guesses words its
  dictionary lacks), which cuts with ``HMM=False`` (``briefing.words``: no guessing) never
  use. It is loaded lazily in the same way.

``install`` adds the import hook that does both; the package installs it on import.
"""

from __future__ import annotations

import os
import re
import sys
import types

MODULE = "reportlab.platypus.paragraph"
LAZY = ("PIL.Image", "jieba.finalseg")
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


class _Loader:  # a loader (not importlib.abc's: importing that takes 14 ms of a build client's start)
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


_LOCKS: dict[int, "threading.RLock"] = {}  # a pending module's (by id): other threads wait for it whole
_STARTED: set[int] = set()  # the pending modules being run, each by the thread holding its lock


def _after_fork() -> None:
    if not _LOCKS:
        return
    import threading  # imported already where there are locks

    for pending in _LOCKS:  # a child has one thread: no other holds them (as Python's import locks)
        _LOCKS[pending] = threading.RLock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork)


class _Pending(types.ModuleType):
    """A module not run yet: the first name read runs it, in full, before any thread reads it.

    Python 3.11's ``LazyLoader`` makes the module a plain one as it starts running it, so a
    second thread reading it meanwhile found names not defined yet ("cannot import name",
    an ``AttributeError``: gh-114763, fixed in 3.12.3). Here it stays pending until it has
    run: the other threads wait for it (on its own lock, as 3.12's does); the thread running
    it reads it as any module being imported (a module it imports may import it back)."""

    def __getattribute__(self, name: str):
        lock = _LOCKS.get(id(self))
        if lock is not None:
            with lock:
                if type(self) is _Pending and id(self) not in _STARTED:  # else: this thread runs it
                    _STARTED.add(id(self))
                    try:
                        object.__getattribute__(self, "__spec__").loader.exec_module(self)
                    finally:
                        object.__setattr__(self, "__class__", types.ModuleType)
                        _STARTED.discard(id(self))
                        _LOCKS.pop(id(self), None)
        return types.ModuleType.__getattribute__(self, name)


class Deferred:  # a loader (see _Loader)
    """Loads a module as ``_Pending``: it runs when one of its names is first read."""

    def __init__(self, inner):
        self._inner = inner

    def create_module(self, spec):
        return self._inner.create_module(spec)

    def exec_module(self, module) -> None:
        import threading  # here: a build client of serve, which imports this package, runs no module on use

        module.__spec__.loader = module.__loader__ = self._inner  # what runs it, and reloads it
        _LOCKS[id(module)] = threading.RLock()
        module.__class__ = _Pending


def deferred(name: str) -> types.ModuleType:
    """The module ``name``, imported now and run when one of its names is first read."""
    import importlib.util  # here: a build client of serve never loads a module this way

    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    spec.loader = Deferred(spec.loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


class _Finder:  # a meta path finder (see _Loader)
    """Finds ``MODULE`` and ``LAZY`` as the other finders do, and loads them as said above."""

    def find_spec(self, name, path, target=None):
        if name != MODULE and name not in LAZY:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(name, path, target)
            if spec is not None:
                if spec.loader is not None and hasattr(spec.loader, "exec_module"):
                    spec.loader = _Loader(spec.loader) if name == MODULE else Deferred(spec.loader)
                return spec
        return None


def install() -> None:
    """Once a process, before reportlab is imported (``briefing/__init__.py`` does it)."""
    if not any(isinstance(f, _Finder) for f in sys.meta_path):
        sys.meta_path.insert(0, _Finder())
