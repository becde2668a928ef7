"""The real 2023 booklet is built once per test session; tests read it, never rebuild it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data" / "yanfeng-2023.yaml"
SAMPLE = ROOT / "tests" / "data" / "sample-small.yaml"
EPOCH = "1679270400"  # 2023-03-20, the opening day: a fixed creation date for reproducible output


@pytest.fixture(scope="session", autouse=True)
def _fixed_date():
    old = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = EPOCH
    yield
    if old is None:
        os.environ.pop("SOURCE_DATE_EPOCH", None)
    else:
        os.environ["SOURCE_DATE_EPOCH"] = old


@pytest.fixture(scope="session")
def fonts():
    from briefing.fonts import register

    return register()


@pytest.fixture(scope="session")
def doc():
    from briefing.load import load

    return load(DATA)


@pytest.fixture(scope="session")
def booklet(tmp_path_factory, _fixed_date):
    from briefing.build import build

    out = tmp_path_factory.mktemp("booklet") / "yanfeng-2023-briefing.pdf"
    return build(DATA, out)


@pytest.fixture(scope="session")
def booklet_text(booklet):
    from pypdf import PdfReader

    return [p.extract_text() for p in PdfReader(booklet.output).pages]
