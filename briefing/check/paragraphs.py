"""Every paragraph of the data printed once, whole, in the order of the booklet.

Read from the page content (``content.py``), grouped into the paragraphs the lines were set in
(``lines.paragraphs``). A paragraph is found as one such block, or as a chain of blocks that
continues on the next page (a paragraph split across pages, or one with a typed line break):
each block of the chain is the next piece of the paragraph's text, and together they are all
of it. Headings are not paragraphs: they come back in the running heads and the contents.

"Once": a paragraph whose text is not printed anywhere else by design (another paragraph, a
list item or a target with the same words) is found exactly once. A paragraph printed twice, a
split paragraph whose second part starts again from the top, or one with a piece missing,
fails.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from ..data.model import Briefing
from .content import PageContent
from .lines import paragraphs


@dataclass(frozen=True)
class _Block:
    page: int
    text: str  # without whitespace (line breaks and the spaces at them are not printed)
    face: tuple[str, float]  # the font and size it is set in


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def expected(doc: Briefing) -> list[str]:
    """The data's running text in the order the booklet prints it."""
    out = list(doc.foreword)
    if doc.review:
        out += [t.text for p in doc.review.paths for t in p.targets]
    out += doc.results.paragraphs
    for a in doc.results.answers:
        out += a.paragraphs + a.achievements
    out += doc.plan.paragraphs
    for p in doc.plan.paths:
        out += p.paragraphs + [t.text for t in p.targets]
    out += doc.closing
    return out


def _blocks(pages: Sequence[PageContent]) -> list[_Block]:
    out = []
    for content in pages:
        for block in paragraphs(content):
            text = _squeeze("".join(r.text for line in block for r in line))
            if text:
                first = block[0][0]
                out.append(_Block(content.number, text, (first.font, round(first.size, 2))))
    return out


def _chain(blocks: list[_Block], j: int, want: str) -> int | None:
    """Index after the chain of blocks from ``j`` that spells ``want``, or None."""
    rest = want
    page, face = blocks[j].page, blocks[j].face
    while True:
        b = blocks[j]
        if b.face != face or not rest.startswith(b.text):
            return None
        rest = rest[len(b.text):]
        if not rest:
            return j + 1
        # The next piece: the very next block, or one on the next page (past what the page
        # draws before its body, such as a repeated table header).
        nxt = j + 1
        if nxt < len(blocks) and blocks[nxt].page == page and rest.startswith(blocks[nxt].text):
            j = nxt
            continue
        j = next((k for k in range(nxt, len(blocks)) if blocks[k].page == page + 1 and
                  rest.startswith(blocks[k].text)), None)
        if j is None:
            return None
        page += 1


def check(pages: Sequence[PageContent], doc: Briefing) -> list[str]:
    blocks = _blocks(pages)
    want = [(n, _squeeze(p)) for n, p in enumerate(expected(doc), 1) if _squeeze(p)]
    counts: dict[str, int] = {}
    for _, text in want:
        counts[text] = counts.get(text, 0) + 1
    problems: list[str] = []
    at = 0
    for n, text in want:
        found = next(((j, end) for j in range(at, len(blocks)) if (end := _chain(blocks, j, text)) is not None),
                     None)
        short = text[:16] + ("…" if len(text) > 16 else "")
        if found is None:
            where = "anywhere" if all(_chain(blocks, j, text) is None for j in range(at)) else "in order"
            problems.append(f"paragraph {n} “{short}” not printed {where}")
            continue
        at = found[1]
        face = blocks[found[0]].face
        times = sum(1 for j in range(len(blocks)) if blocks[j].face == face and _chain(blocks, j, text) is not None)
        if times > counts[text]:
            problems.append(f"paragraph {n} “{short}” printed {times} times")
    return problems
