"""The real 2023 booklet is built once per test session; tests read it, never rebuild it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

try:  # property tests: the same examples on every run (CI, a clean clone), unless asked to explore
    from hypothesis import settings

    settings.register_profile("repeatable", derandomize=True, database=None, print_blob=True)
    settings.register_profile("explore", derandomize=False)
    settings.load_profile(os.environ.get("BRIEFING_HYPOTHESIS", "repeatable"))
except ImportError:  # pragma: no cover - hypothesis is a test dependency
    pass

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data" / "yanfeng-2023.yaml"
SAMPLE = ROOT / "tests" / "data" / "sample-small.yaml"
EPOCH = "1679270400"  # 2023-03-20, the opening day: a fixed creation date for reproducible output


def made(model: type, **values):
    """A model object from plain values, checked as a data file's are (the classes are plain
    dataclasses: calling one checks nothing but its own cross-field rule)."""
    from briefing.data.rules import validate

    return validate(model, values)


def run(*args: str, cwd: Path = ROOT, env: dict | None = None) -> subprocess.CompletedProcess:
    """``python -m briefing ARGS`` in a fresh process."""
    return subprocess.run([sys.executable, "-m", "briefing", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="session", autouse=True)
def _fixed_date(tmp_path_factory):
    """A fixed creation date, and a cache and a runtime directory of the session's own: never
    ~/.cache, and never a `briefing serve` the developer may have running."""
    saved = {k: os.environ.get(k) for k in ("SOURCE_DATE_EPOCH", "XDG_CACHE_HOME", "XDG_RUNTIME_DIR")}
    os.environ["SOURCE_DATE_EPOCH"] = EPOCH
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("xdg-cache"))
    runtime = tempfile.mkdtemp(prefix="brt")  # short: Unix socket paths are limited to ~100 bytes
    os.environ["XDG_RUNTIME_DIR"] = runtime
    yield
    shutil.rmtree(runtime, ignore_errors=True)
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


def forget_lines() -> None:
    """Empty the faces' memos of line breaks and placed lines (``fonts.register.Memo``): a test
    that patches the line breaker to break a booklet must see it run, not lines kept before."""
    from reportlab.pdfbase import pdfmetrics

    from briefing.fonts.register import memo

    for name in pdfmetrics.getRegisteredFontNames():
        m = memo(name)
        if m is not None:
            m.clear()


@pytest.fixture(autouse=True)
def _fresh_line_memos():
    """Each test starts with the memos empty: no test sees lines another one kept."""
    forget_lines()


@pytest.fixture(scope="session")
def fonts():
    from briefing.fonts.register import register

    return register()


@pytest.fixture(scope="session")
def doc():
    from briefing.data.load import load

    return load(DATA)


@pytest.fixture(scope="session")
def booklet(tmp_path_factory, _fixed_date):
    from briefing.commands.build import build

    out = tmp_path_factory.mktemp("booklet") / "yanfeng-2023-briefing.pdf"
    return build(DATA, out)


@pytest.fixture(scope="session")
def booklet_text(booklet):
    from pypdf import PdfReader

    return [p.extract_text() for p in PdfReader(booklet.output).pages]


def drawing(spec, width_pt, fonts, cache, style=None, name: str = "Chart"):
    """A chart as the page places it (``chartslot.ChartSlot``), its picture drawn now (or
    from ``cache``): what the chart tests draw on a canvas of their own."""
    from briefing.typeset.charts import cached_picture
    from briefing.typeset.chartsize import ChartStyle
    from briefing.typeset.chartslot import ChartSlot

    found = cached_picture(spec, width_pt, fonts, cache, style or ChartStyle())
    return ChartSlot(name, (found.width, found.height), lambda: found, fonts.sans, fonts.sans_bold)
