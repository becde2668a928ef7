"""Every paragraph of the data printed once, whole, in the order of the booklet.

Read from the page content (``content.py``), grouped into the paragraphs the lines were set in
(``lines.paragraphs``). A paragraph is found as one such block, or as a chain of blocks that
continues on the next page (a paragraph split across pages, or one with a typed line break):
each block of the chain is the next piece of the paragraph's text, and together they are all
of it. Headings are not paragraphs: they come back in the running heads and the contents.

"Once": a paragraph whose words stand nowhere else in the data is printed once in its face (a
contents entry or heading that puts an ordinal and a title together may read the same, in its
own face). A paragraph printed twice, a split paragraph whose second part starts again from the top, or one
with a piece missing, fails. A paragraph whose words the data also has as a label or title (the
booklet prints a figure's label on its card, in the overview and in its chart), or one shorter
than ``UNIQUE`` characters (so short it may make up a heading, 答卷一　一 in the contents), is
checked for presence and order only.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from typing import NamedTuple, Sequence

from ..data.model import Briefing
from .content import PageContent
from .content import squeeze as _squeeze
from .lines import paragraphs, texts

UNIQUE = 8  # characters: a paragraph at least this long is not also a title, label or name


class _Block(NamedTuple):  # a NamedTuple: a long booklet has thousands, each made once per verification
    page: int
    text: str  # without whitespace (line breaks and the spaces at them are not printed)
    face: tuple[str, float]  # the font and size it is set in
    top: float  # baselines of its first and last line
    bottom: float
    pitch: float | None  # the distance between its lines (None for a single line)


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


def page_blocks(pages: Sequence[PageContent]) -> list[_Block]:
    """The paragraph blocks of each page, page after page (a run of pages gives its part)."""
    out = []
    for content in pages:
        for block, lines in zip(paragraphs(content), texts(content)):
            text = _squeeze("".join(lines))
            if text:
                first = block[0][0]
                pitch = first.y - block[1][0].y if len(block) > 1 else None
                out.append(_Block(content.number, text, (first.font, round(first.size, 2)), first.y,
                                  block[-1][0].y, pitch))
    return out


def _chain(blocks: list[_Block], j: int, want: str, breaks: frozenset[int] = frozenset()) -> int | None:
    """Index after the chain of blocks from ``j`` that spells ``want``, or None.

    A chain goes on to the next block on the same page only as the paragraph's next line
    (``_next_line``; ``breaks`` are the offsets into ``want`` where the data typed a line
    break), and to the next page only from the last text in its face on the page to the first
    in that face on the next.
    """
    rest = want
    page, face = blocks[j].page, blocks[j].face
    pitch = None  # the paragraph's line pitch, from the first of its blocks with two lines
    while True:
        b = blocks[j]
        if b.face != face or not rest.startswith(b.text):
            return None
        pitch = pitch or b.pitch
        rest = rest[len(b.text):]
        if not rest:
            return j + 1
        nxt = j + 1
        if nxt < len(blocks) and blocks[nxt].page == page and blocks[nxt].face == face and \
                _next_line(b, blocks[nxt], len(want) - len(rest) in breaks, pitch) and \
                rest.startswith(blocks[nxt].text):
            j = nxt  # the next line typed in the data, or the paragraph's next part on this page
            continue
        k = nxt
        while k < len(blocks) and blocks[k].page == page:
            if blocks[k].face == face:
                return None
            k += 1
        while k < len(blocks) and blocks[k].page == page + 1 and blocks[k].face != face:
            k += 1
        if k >= len(blocks) or blocks[k].page != page + 1:
            return None
        j = k
        page += 1


def _next_line(b: _Block, nxt: _Block, typed: bool, pitch: float | None) -> bool:
    """Is ``nxt`` set as the line after ``b``'s last: below it, where the data typed a line
    break, or at a whole number of the paragraph's line pitches (a paragraph drawn in two parts
    on one page, as a group kept together is; paragraphs and table rows stand further apart)."""
    step = b.bottom - nxt.top
    if step <= 0.5 * b.face[1]:
        return False
    if typed:
        return True
    pitch = pitch or nxt.pitch
    if pitch is None or pitch <= 0:
        return False
    k = round(step / pitch)
    return k >= 1 and abs(step - k * pitch) < 0.5


def _typed_breaks(paragraph: str) -> frozenset[int]:
    """Where the paragraph's typed lines end, as offsets into its text without whitespace."""
    out, at = set(), 0
    for segment in paragraph.split("\n")[:-1]:
        at += len(_squeeze(segment))
        out.add(at)
    return frozenset(out)


def _strings(value, out: list[str] | None = None) -> list[str]:
    """Every text of the model (its objects are dataclasses), in field order."""
    out = [] if out is None else out
    if isinstance(value, str):
        out.append(value)
    elif value is None or isinstance(value, (int, float)):
        pass
    elif hasattr(value, "__dataclass_fields__"):
        for v in vars(value).values():
            _strings(v, out)
    elif isinstance(value, dict):
        for v in value.values():
            _strings(v, out)
    elif isinstance(value, (list, tuple)):
        for v in value:
            _strings(v, out)
    return out


def check_blocks(blocks: list[_Block], doc: Briefing) -> list[str]:
    """The problems, from the blocks of every page in page order (``page_blocks``)."""
    want = [(n, squeezed, _typed_breaks(p)) for n, p in enumerate(expected(doc), 1) if (squeezed := _squeeze(p))]
    # How often the data itself has each text (a title and a paragraph may be the same words).
    counts = Counter(map(_squeeze, _strings(doc)))
    # Where each block starts, by its first character: a chain can only start where it matches.
    starts: dict[str, list[int]] = {}
    for j, b in enumerate(blocks):
        starts.setdefault(b.text[0], []).append(j)
    texts = [b.text for b in blocks]
    by_start: dict[str, list[int]] = {}  # and by its first UNIQUE characters (a shorter block: by all of it)
    for j, t in enumerate(texts):
        by_start.setdefault(t[:UNIQUE], []).append(j)
    problems: list[str] = []
    at = 0
    for n, text, breaks in want:
        candidates = starts.get(text[0], [])
        # The match that ends first (a later start may end sooner: a chain across a page is long).
        found = None
        for j in candidates[bisect_left(candidates, at):]:
            if found is not None and j >= found:
                break
            if not text.startswith(blocks[j].text):
                continue  # what _chain would find first
            end = _chain(blocks, j, text, breaks)
            if end is not None and (found is None or end < found):
                found = end
        short = text[:16] + ("…" if len(text) > 16 else "")
        if found is None:
            earlier = [j for j in candidates if j < at]
            where = "anywhere" if all(_chain(blocks, j, text, breaks) is None for j in earlier) else "in order"
            problems.append(f"paragraph {n} “{short}” not printed {where}")
            continue
        at = found
        if len(text) < UNIQUE or counts.get(text, 0) > 1:
            continue  # the same words stand elsewhere in the data too (a label, a title)
        per_face: dict[tuple, int] = {}  # a heading made of an ordinal and a title may read the same,
        same = [j for k in range(1, UNIQUE + 1) for j in by_start.get(text[:k], ())]  # the blocks that can start it
        for j in [j for j in same if text.startswith(texts[j])]:  # but in the contents' or a heading's face,
            if _chain(blocks, j, text, breaks) is not None:  # not a paragraph's
                per_face[blocks[j].face] = per_face.get(blocks[j].face, 0) + 1
        times = max(per_face.values())
        if times > 1:
            problems.append(f"paragraph {n} “{short}” printed {times} times")
    return problems
