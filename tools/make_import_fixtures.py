"""Make the import test fixtures from their plain-text sources (run after editing one of them):

- ``*-wrapped.txt``: the article as pasted from an e-paper: full-width digits, ％ and Latin
  letters, every paragraph indented with two ideographic spaces and hard-wrapped at 22
  characters, no blank lines between paragraphs;
- ``*.docx``: the article as a Word file (python-docx): 【…】 markers, 一、 and （一） headings as
  Word headings, ``| a | b |`` lines as a Word table.

    .venv/bin/python tools/make_import_fixtures.py
"""

from __future__ import annotations

import re
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent / "tests" / "import"
WIDTH = 22


def _full_width(text: str) -> str:
    out = []
    for c in text:
        if "0" <= c <= "9" or "A" <= c <= "Z" or "a" <= c <= "z":
            out.append(chr(ord(c) + 0xFEE0))
        elif c == "%":
            out.append("％")
        elif c == ".":
            out.append("．")
        else:
            out.append(c)
    return "".join(out)


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in text.splitlines() if p.strip()]


def wrapped(text: str) -> str:
    lines = []
    for n, p in enumerate(_paragraphs(text)):
        front = n < 3 or "■" in p or p.startswith("【") or re.match(r"^(19|20)\d\d[，：]", p)
        p = _full_width(p)
        body = p if front else "\u3000\u3000" + p
        lines += [body[i:i + WIDTH] for i in range(0, len(body), WIDTH)]
    return "\n".join(lines) + "\n"


def docx(text: str, out: Path) -> None:
    import docx as python_docx

    document = python_docx.Document()
    rows: list[list[str]] = []

    def flush() -> None:
        if rows:
            table = document.add_table(rows=len(rows), cols=len(rows[0]))
            for r, row in enumerate(rows):
                for c, cell in enumerate(row):
                    table.cell(r, c).text = cell
            rows.clear()

    for n, p in enumerate(_paragraphs(text)):
        if p.startswith("|"):
            rows.append([c.strip() for c in p.strip("|").split("|")])
            continue
        flush()
        if n == 0:
            document.add_heading(p, level=0)
        elif re.match(r"^[一二三四五六七八九十]+、", p):
            document.add_heading(p, level=1)
        elif p.startswith(("（", "【")) and len(p) <= 30:
            document.add_heading(p, level=2)
        else:
            document.add_paragraph(p)
    flush()
    document.core_properties.author = "briefing tests"
    document.save(str(out))


def main() -> None:
    for name in ("yanfeng-2023", "qingshi-2024"):
        text = (HERE / f"{name}.txt").read_text(encoding="utf-8")
        (HERE / f"{name}-wrapped.txt").write_text(wrapped(text), encoding="utf-8")
    for name in ("yanfeng-2023", "shixi-2024"):
        docx((HERE / f"{name}.txt").read_text(encoding="utf-8"), HERE / f"{name}.docx")


if __name__ == "__main__":
    main()
