"""dev.py, the README's two commands: the bytecode of every module is written and current, so
that a build with PYTHONDONTWRITEBYTECODE set does not compile the package each time."""

from __future__ import annotations

import importlib.util

from .conftest import ROOT


def _dev():
    spec = importlib.util.spec_from_file_location("dev", ROOT / "dev.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_module_has_current_bytecode_after_dev_runs():
    _dev().compile_bytecode()
    for source in (ROOT / "briefing").rglob("*.py"):
        pyc = importlib.util.cache_from_source(str(source))
        header = open(pyc, "rb").read(16)
        assert header[:4] == importlib.util.MAGIC_NUMBER, source
        flags = int.from_bytes(header[4:8], "little")
        if flags:  # hash-based (py_compile's choice when SOURCE_DATE_EPOCH is set): the source's hash
            assert header[8:16] == importlib.util.source_hash(source.read_bytes()), source
        else:  # timestamp-based: the source's mtime and size
            stat = source.stat()
            assert int.from_bytes(header[8:12], "little") == int(stat.st_mtime) & 0xFFFFFFFF, source
            assert int.from_bytes(header[12:16], "little") == stat.st_size & 0xFFFFFFFF, source
