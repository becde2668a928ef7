#!/usr/bin/env python3
"""Writes assets/jieba-index.bin: where each first character's lines are in the dictionary of
the installed jieba (``briefing.words.Index``), so that a build reads only the lines of the
characters its chart labels have. Run it when jieba ships another dictionary, and add that
file's total to ``briefing.words.KNOWN_TOTALS`` (tests/test_words.py says when either is stale).

    .venv/bin/python tools/jieba_index.py
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from briefing.words import INDEX, Index, _jieba  # noqa: E402


def main() -> None:
    with _jieba().Tokenizer().get_dict_file() as fh:
        index = Index.of(fh.read())
    target = ROOT / "assets" / INDEX
    target.write_bytes(index.to_bytes())
    print(f"{target.relative_to(ROOT)}: {len(index.firsts)} runs of lines, {target.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
