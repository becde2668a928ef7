#!/usr/bin/env python3
"""Rebuilds the committed reference PDFs that tests/test_reference.py compares builds against.

Run after an intended change of layout, then look at the pages before committing them:

    .venv/bin/python tools/update_reference.py
    pdftoppm -r 60 -png tests/reference/sample-small-a4.pdf /tmp/ref
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.reference_cases import CASES, EPOCH  # noqa: E402

os.environ["SOURCE_DATE_EPOCH"] = EPOCH

from briefing.cache import Cache  # noqa: E402
from briefing.commands.build import build  # noqa: E402

for name, (data, paper) in CASES.items():
    out = ROOT / "tests" / "reference" / f"{name}.pdf"
    result = build(ROOT / data, out, paper=paper, cache=Cache(None))
    print(f"{out.relative_to(ROOT)}: {result.report.pages} pages, {out.stat().st_size:,} bytes")
