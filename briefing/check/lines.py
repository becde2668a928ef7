"""Checks of the set lines, read from the printed page: the clreq line-break rules, no line of
one Chinese character, and adjacent full-width marks compressed.

They read the content walker's runs (``content.py``): their text, the page position of every
glyph and the text object each was shown in. What they accept follows from what the line
breaker guarantees (``typeset/linebreak.py``), for any data:

- no line of a paragraph holds a single Chinese character where the breaker could have given it
  a second: from the line above when that keeps two characters besides punctuation, or for a
  first line from the line below, and the two fit the measure (a paragraph of one character,
  or one whose only other line is "一，，" in a measure of four, has no better way to be set);
- every pair of adjacent full-width marks with a blank half between them is set in 1.5 em.

The labels inside a figure (marked ``/Figure``: a chart drawn by matplotlib) are judged for lone
characters, since they wrap by the same breaker, but not for compression, which only the
booklet's own text setting does.
"""

from __future__ import annotations

import re
from itertools import chain
from statistics import median
from typing import Sequence

from ..typeset.linebreak import (
    FULL_WIDTH_MARKS,
    IDEOGRAPHIC_SPACE,
    compressible,
    is_lone,
    movable,
    takeable,
    violations,
)
from .content import PageContent, Run

NEXT_LINE = (0.5, 2.5)  # a following line of one paragraph: its baseline this many ems lower
STACKED = 1.35  # single-line texts this close (ems) and aligned are lines of one label (charts)
COMPRESSED = 0.75  # of an em: a compressed mark advances half an em, an uncompressed one a whole


def _in_figure(run: Run) -> bool:
    return any(m.tag == "/Figure" for m in run.marks)


def _text(line: list[Run]) -> str:
    return "".join([r.text for r in line])  # a list: join makes one from a generator first


def _left(line: list[Run]) -> float:
    return min(r.box[0] for r in line)


def _right(line: list[Run]) -> float:
    return max(r.box[2] for r in line)


def _continues(above: list[Run], line: list[Run]) -> bool:
    """Is ``line`` the next line of the paragraph ``above`` belongs to?"""
    a, b = above[-1], line[0]
    if a.font != b.font or abs(a.size - b.size) > 0.01 * a.size:
        return False
    step = (a.y - b.y) / a.size
    if not NEXT_LINE[0] <= step <= NEXT_LINE[1]:
        return False
    if b.text_object and b.text_object == a.text_object:
        return True  # set as one paragraph
    # Lines drawn one text object each (a chart's wrapped label): close and aligned.
    if step > STACKED:
        return False
    edges = [(_left(above), _left(line)), (_right(above), _right(line)),
             ((_left(above) + _right(above)) / 2, (_left(line) + _right(line)) / 2)]
    return any(abs(p - q) < 1.0 for p, q in edges)


def set_lines(content: PageContent) -> list[list[Run]]:
    """The page's lines as they were set: the walker's lines (runs on one baseline) cut where
    the text object changes, so that two table cells side by side are two lines."""
    return content.derived("set_lines", _set_lines)


def _set_lines(content: PageContent) -> list[list[Run]]:
    out: list[list[Run]] = []
    for line in content.lines():
        out.append([line[0]])
        for r in line[1:]:
            if r.text_object != out[-1][-1].text_object:
                out.append([r])
            else:
                out[-1].append(r)
    return out


def paragraphs(content: PageContent) -> list[list[list[Run]]]:
    """The page's lines grouped into the paragraphs (or labels) they were set in."""
    return content.derived("paragraphs", _paragraphs)


def _paragraphs(content: PageContent) -> list[list[list[Run]]]:
    out: list[list[list[Run]]] = []
    for line in set_lines(content):
        if out and _continues(out[-1][-1], line):
            out[-1].append(line)
        else:
            out.append([line])
    return out


def texts(content: PageContent) -> list[list[str]]:
    """The text of each line of each of the page's paragraphs (``paragraphs``): the checks read
    each line's several times."""
    return content.derived("texts", lambda c: [[_text(line) for line in block] for block in paragraphs(c)])


def clreq(pages: Sequence[PageContent]) -> list[str]:
    """No line of a paragraph starts with a closing mark or ends with an opening one (a text
    that itself begins with "，" has no break to move, and is not judged)."""
    return _each_page(pages, "clreq", lambda content: [v for block in texts(content) for v in violations(block)])


def _each_page(pages: Sequence[PageContent], name: str, judge) -> list[str]:
    """``judge``'s problems on each page, prefixed with its number. ``judge`` reads only the
    page's runs, so it is worked out once for them (``PageContent.derived``): a page walked
    before, as it was, is not judged again."""
    return [f"page {content.number}: {p}" for content in pages for p in content.derived(name, judge)]


def _origins(line: list[Run]) -> list[float] | None:
    """The x origin of every character of the line's text (None if a glyph stands for several)."""
    out: list[float] = []
    for r in line:
        if len(r.advances) != len(r.text):
            return None
        out += r.advances
    return out


def _avoidable(block: list[list[Run]], n: int) -> bool:
    """Could the breaker have given line ``n`` (of one character) a second one? It can when the
    line above keeps two characters besides punctuation after giving one (``movable``), or, for
    a first line, the line below (``takeable``), and the two pieces fit the paragraph's measure.
    The widths are read from the page, with their justification space: never less than the
    breaker's."""
    line = block[n]
    room = max(_right(l) for l in block) - _left(line)
    own = _right(line) - _left(line)
    if n > 0:
        above = block[n - 1]
        i = movable(_text(above))
        xs = _origins(above)
        if i is not None and xs is not None and _right(above) - xs[i] + own <= room + 0.01:
            return True
    elif len(block) > 1:
        below = block[1]
        j = takeable(_text(below))
        xs = _origins(below)
        if j is not None and xs is not None and own + (xs[j] - xs[0]) <= room + 0.01:
            return True
    return False


def lone_lines(pages: Sequence[PageContent]) -> list[str]:
    """Lines holding a single Chinese character where the paragraph had room for two."""
    return _each_page(pages, "lone lines", _lone_lines)


def _lone_lines(content: PageContent) -> list[str]:
    problems: list[str] = []
    for block, lines in zip(paragraphs(content), texts(content)):
        if len(block) < 2:
            continue
        for n, text in enumerate(lines):
            if is_lone(text) and _avoidable(block, n):
                before = lines[n - 1][-12:] if n else ""
                problems.append(f"a line of one character “{text.strip()}”" + (f" (after “{before}”)" if before else ""))
    return problems


def _glyphs(line: list[Run]) -> list[tuple[str, float, float, float, bool]]:
    """(character, x origin, its own width, em, inside a figure) of every glyph of a line."""
    out = []
    for r in line:
        if len(r.advances) != len(r.text) or len(r.widths) != len(r.text):
            continue  # a glyph that stands for several characters: no positions to judge
        size, figure = r.size, _in_figure(r)
        out += [(ch, x, w, size, figure) for ch, x, w in zip(r.text, r.advances, r.widths)]
    return out


def _spacing(glyphs) -> float:
    """The justification space of a line: what its glyphs advance beyond their own widths,
    where no compression is due (0 for a line with no such pair to judge by)."""
    gaps = [b[1] - a[1] - a[2] for a, b in zip(glyphs, glyphs[1:])
            if not compressible(a[0], b[0]) and abs(a[3] - b[3]) < 0.01]
    return median(gaps) if gaps else 0.0


def uncompressed(pages: Sequence[PageContent]) -> list[str]:
    """Adjacent full-width marks that still take a full em each."""
    return _each_page(pages, "uncompressed", _uncompressed)


# Two marks side by side that ``compressible`` may take for a pair: a line without any has none
# to judge (most lines), and is passed over without reading its glyphs, where its text is what
# its glyphs show.
_MARKS = "".join(sorted(FULL_WIDTH_MARKS))
_PAIR = re.compile(f"[{re.escape(_MARKS)}][{re.escape(_MARKS + IDEOGRAPHIC_SPACE)}]")


def _whole(runs: list[Run]) -> bool:
    """Has every run a glyph for each of its characters (``_glyphs`` takes them all)?"""
    return all(len(r.advances) == len(r.widths) == len(r.text) for r in runs)


def _uncompressed(content: PageContent) -> list[str]:
    problems: list[str] = []
    whole = _whole(content.runs)  # as on every page a booklet prints
    for line, text in zip(set_lines(content), chain.from_iterable(texts(content))):  # paragraphs: set lines in order
        if not _PAIR.search(text) and (whole or _whole(line)):
            continue  # no two glyphs side by side that could be a compressible pair (its text says so)
        glyphs = _glyphs(line)
        spacing = None
        for a, b in zip(glyphs, glyphs[1:]):
            if a[4] or b[4] or not compressible(a[0], b[0]) or abs(a[3] - b[3]) > 0.01:
                continue
            if spacing is None:
                spacing = _spacing(glyphs)
            advance = (b[1] - a[1] - spacing) / a[3]
            # Against the em, not the glyph's width in the file: a full-width mark is an em
            # wide, and the first of a compressed pair is written as its half-width CID.
            if advance > COMPRESSED:
                problems.append(f"“{a[0]}{b[0]}” not compressed ({advance:.2f} em) in “{_text(line).strip()[:24]}”")
    return problems
