#!/usr/bin/env python3
"""Writes assets/core-schema.json: the schema pydantic generates for the data file's model, from
which ``briefing.data.validator`` makes the check's validator without importing pydantic. Run it
after changing the model (``briefing/data/model.py``, ``rules.py``, ``values.py``) or upgrading
pydantic; tests/test_validator.py says when the committed file is stale.

    .venv/bin/python tools/core_schema.py
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from briefing.data.validator import SHIPPED, shipped_text  # noqa: E402


def main() -> None:
    target = ROOT / "assets" / SHIPPED
    target.write_text(shipped_text(), encoding="utf-8")
    print(f"{target.relative_to(ROOT)}: {target.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
