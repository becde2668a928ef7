"""Chinese line breaking and punctuation spacing per W3C clreq, as pure functions of text and
glyph widths.

reportlab's CJK wrap only knows a few closing marks (it lets "，" "；" "：" "！" "？" "》" "”"
"’" start a line) and never looks at opening marks at a line end, so the booklet breaks its own
lines here and only hands finished lines to the canvas (``text.py``). What is decided here:

- where a line may end (clreq §3.1.7: no closing mark at a line start, no opening mark at a
  line end, "……" and "——" whole, a number with its unit);
- punctuation compression (标点挤压, clreq §3.1.6): two adjacent full-width marks that take
  2 em together are set in 1.5 em, an opening mark at a line start loses its blank left half and
  a closing mark at a line end its blank right half: its ink then meets the edge of the measure
  and only the blank half lies past it, instead of the whole mark hanging in the margin;
- no line of a single Chinese character (孤字): a character is pulled down from the line
  above, or a word too long for its line is cut, so that a line never holds one character alone;
- "——" takes two full ems and is drawn as one line (``text.py`` joins the glyphs).

Breaking is linear in the length of the text: widths are summed once, and every possible break
is looked at a bounded number of times.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass
from itertools import accumulate
from typing import Callable, NamedTuple, Sequence

# Never at the start of a line (clreq 3.1.7, plus the half-width forms that appear in data).
NO_START = frozenset(
    "，。、；：？！）］｝」』〉》〕】〗〙〛”’…—·・％‰℃"
    ",.;:?!)]}%"
)
# Never at the end of a line.
NO_END = frozenset("（［｛「『〈《〔【〖〘〚“‘([{")
# Magnitude characters that belong to the unit: 121.39|亿元 must not break at 亿|元 either.
MAGNITUDES = frozenset("十百千万亿")

# Full-width marks and where their blank half is, as Simplified Chinese fonts draw them (the
# three faces of the booklet are tested to draw each mark's ink inside the other half).
OPENING = "“‘（〔［｛〈《「『【〖〘〚"  # ink in the right half: the blank half is on the left
CLOSING = "”’）〕］｝〉》」』】〗〙〛"  # ink in the left half
PAUSES = "，。、；：？！"  # 点号: in the left half in Simplified Chinese (centred in Traditional)
BLANK_LEFT = frozenset(OPENING)
BLANK_RIGHT = frozenset(CLOSING + PAUSES)
FULL_WIDTH_MARKS = BLANK_LEFT | BLANK_RIGHT
IDEOGRAPHIC_SPACE = "\u3000"  # one em of blank: after a closing bracket (（一）　title) that bracket's own blank half goes
DASH = "—"  # "——" is one two-em dash: drawn as one line, measured as two full ems


def _is_word(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def _digit(ch: str) -> bool:
    return "0" <= ch <= "9"


def can_break_before(text: str, i: int) -> bool:
    """May a line end between ``text[i-1]`` and ``text[i]``?"""
    if i <= 0 or i >= len(text):
        return False
    a, b = text[i - 1], text[i]
    if b.isspace():
        return False  # break after the space, never before it
    if b in NO_START or a in NO_END:
        return False  # "……" and "——" stay whole too: … and — may not start a line (nor after a space)
    if a.isspace():
        return not _opens_before(text, i)
    if _is_word(a) and _is_word(b):
        return False  # Latin words and numbers stay whole: 5G, 2.3, A级
    if a == "." and i >= 2 and _digit(text[i - 2]) and _digit(b):
        return False
    if _digit(a):
        return False  # a number and the unit written right after it: 2496人, 10.1%
    if a in MAGNITUDES and i >= 2 and _digit(text[i - 2]):
        return False  # 121.39亿元, 25.78万份
    return True


def can_cut_before(text: str, i: int) -> bool:
    """Where a word or number too long for its line may be cut: anywhere the punctuation
    rules allow (the last resort, before a line would overflow or hold one character)."""
    if i <= 0 or i >= len(text):
        return False
    a, b = text[i - 1], text[i]
    if b.isspace() or b in NO_START or a in NO_END or (a.isspace() and _opens_before(text, i)):
        return False
    return not unicodedata.combining(b)


def _opens_before(text: str, i: int) -> bool:
    """Is the last character before the spaces ending at ``i`` an opening mark (“ then a space)?"""
    j = i - 1
    while j >= 0 and text[j].isspace():
        j -= 1
    return j >= 0 and text[j] in NO_END


def clusters(text: str) -> list[str]:
    """The text cut at every allowed break: each piece must stay on one line."""
    out: list[str] = []
    start = 0
    for i in range(1, len(text)):
        if can_break_before(text, i):
            out.append(text[start:i])
            start = i
    if text:
        out.append(text[start:])
    return out


# -- punctuation compression ------------------------------------------------------------------

def compressible(a: str, b: str) -> bool:
    """Do two adjacent full-width marks give up half an em between them (clreq §3.1.6)?

    Yes where a blank half lies between them: after a closing mark or a pause (”，  。」  ）（)
    or before an opening mark (，“  （《). An opening mark followed by a closing one (“”) has
    its blanks outside the pair and keeps them. A closing bracket followed by an ideographic
    space gives up its blank half too: "（一）　title" has one em between ordinal and title, not 1.5.
    """
    if b == IDEOGRAPHIC_SPACE:
        return a in _CLOSING
    return a in FULL_WIDTH_MARKS and b in FULL_WIDTH_MARKS and (a in BLANK_RIGHT or b in BLANK_LEFT)


_CLOSING = frozenset(CLOSING)


def dash_pairs(text: str) -> list[int]:
    """Where each "——" starts: a run of dashes pairs up from its left."""
    out: list[int] = []
    i, n = text.find(DASH + DASH), len(text)
    if i < 0:
        return out
    while i < n - 1:
        if text[i] == DASH and text[i + 1] == DASH:
            out.append(i)
            i += 2
        else:
            i += 1
    return out


_MARK = re.compile("[" + "".join(re.escape(c) for c in sorted(FULL_WIDTH_MARKS)) + "]")


def halved_at(text: str) -> list[int]:
    """Where the characters are that give up half their width: the first of each
    compressible pair (found by a pattern: a paragraph is read in C, not a character a call)."""
    last = len(text) - 1
    return [i for i in (m.start() for m in _MARK.finditer(text)) if i < last and compressible(text[i], text[i + 1])]


def widths_of(text: str, char_width: Callable[[str], float]) -> list[float]:
    """Each character's own width; through the measure's ``run`` when it has one (a registered
    face's, ``fonts.register.char_width``: the same numbers, without a call a character)."""
    run = getattr(char_width, "run", None)
    return run(text) if run is not None else list(map(char_width, text))


def advances(text: str, char_width: Callable[[str], float], em: float) -> list[float]:
    """Each character's advance with adjacent marks compressed: the first of a compressible
    pair gives up half its width (the second moves left into the blank half between them).
    The halves of "——" take one em each."""
    return _advances(text, char_width, em, dash_pairs(text), halved_at(text))


def _advances(text: str, char_width: Callable[[str], float], em: float, dashes: list[int],
              halves: list[int]) -> list[float]:
    """``advances``, given where the dashes and the halved marks are (``place`` needs them too)."""
    adv = widths_of(text, char_width)
    for i in dashes:
        adv[i] = adv[i + 1] = em
    for i in halves:
        adv[i] -= adv[i] / 2
    return adv


def lead_trim(text: str, start: int, adv: Sequence[float], char_width: Callable[[str], float]) -> float:
    """An opening mark at a line start loses its blank left half."""
    return char_width(text[start]) / 2 if start < len(text) and text[start] in BLANK_LEFT else 0.0


def tail_trim(text: str, end: int, adv: Sequence[float], char_width: Callable[[str], float]) -> float:
    """A closing mark or pause at a line end loses its blank right half (unless the pair it
    ends already gave it up)."""
    if end <= 0 or text[end - 1] not in BLANK_RIGHT:
        return 0.0
    full = char_width(text[end - 1])
    return full / 2 if adv[end - 1] >= full - 1e-9 else 0.0


# -- lines ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Line:
    text: str
    width: float  # width of the drawn glyphs, compressed and trimmed
    last: bool  # the paragraph's last line (or the last before a typed newline): not justified
    start: int = 0  # where the line's text is in the paragraph's text
    end: int = 0
    lead: float = 0.0  # the blank half of an opening mark the line starts with, set left of the edge
    trim: bool = False  # its ends were trimmed (a closing mark at its end counts half)


def _cjk(ch: str) -> bool:
    o = ord(ch)
    return (0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0xF900 <= o <= 0xFAFF
            or 0x20000 <= o <= 0x3134F or ch == "〇")


def is_lone(text: str) -> bool:
    """A line of one Chinese character, with nothing else but punctuation (义。  重  “率”)."""
    core = (c for c in text if _core(c))
    first = next(core, None)
    return first is not None and next(core, None) is None and _cjk(first)  # looks no further than a second


class _Breaker:
    """One paragraph's widths, summed once; measures of (start, end) spans in constant time."""

    def __init__(self, text: str, widths: Sequence[float], char_width: Callable[[str], float], em: float,
                 first_indent: float, allowed: set[int] | None = None, compress: bool = True,
                 trim: bool = True):
        self.text = text
        self.compress = compress
        self.trim = compress and trim
        self.allowed = allowed  # where lines may end, if fewer places than clreq allows
        self.widths = widths
        self.char_width = char_width
        self.em = em
        self.first_indent = first_indent
        self.adv = advances(text, char_width, em) if compress else widths_of(text, char_width)
        self.prefix = list(accumulate(self.adv, initial=0.0))  # the sums a loop of += gives, bit for bit

    def can_break(self, text: str, i: int) -> bool:
        return can_break_before(text, i) and (self.allowed is None or i in self.allowed)

    def measure(self, n: int) -> float:
        w = self.widths[n] if n < len(self.widths) else self.widths[-1]
        return w - (self.first_indent if n == 0 else 0.0)

    def shown(self, s: int, e: int) -> tuple[int, int]:
        """The span without the spaces at its end (they are never drawn)."""
        while e > s and self.text[e - 1].isspace():
            e -= 1
        return s, e

    def width(self, s: int, e: int) -> float:
        s, e = self.shown(s, e)
        if e <= s:
            return 0.0
        t, cw, adv = self.text, self.char_width, self.adv
        if not self.trim:
            return self.prefix[e] - self.prefix[s]
        return self.prefix[e] - self.prefix[s] - lead_trim(t, s, adv, cw) - tail_trim(t, e, adv, cw)

    def fit(self, s: int, e: int, n: int) -> bool:
        """Does span s:e fit on line ``n``?"""
        return self.width(s, e) <= self.measure(n) + 1e-6

    def lone(self, s: int, e: int) -> bool:
        s, e = self.shown(s, e)
        return is_lone(self.text[s:e])


def _spans(b: _Breaker, a: int, z: int, n0: int) -> list[list[int]]:
    """Greedy lines over text[a:z] (no typed newline inside), as [start, end] pairs.

    Each line ends at the last break that fits (z counts as one). A line's width only grows
    with its end (``_Breaker.width``: advances are never negative, and a trimmed end gives up
    at most the half its own advance added), so the furthest end that fits is found by
    bisecting the summed advances, and the break at or before it by looking back from there:
    a few looks a line, not one for every character."""
    text = b.text
    spans: list[list[int]] = []
    s = a
    while True:
        n = n0 + len(spans)
        reach = _reach(b, s, z, n)
        best = next((c for c in range(reach, s, -1) if c == z or b.can_break(text, c)), None)
        after = _next_break(b, best if best is not None else s, z)
        if best is not None and after is not None:
            # The next piece is wider than a whole line (a long Latin word or number): it will
            # be cut anyway, so it starts on this line instead of leaving it short.
            if b.width(best, after) > b.measure(n + 1):
                best = _cut(b, s, best, after, n)
        if best is None:
            best = _cut(b, s, s, after if after is not None else z, n)
        spans.append([s, best])
        s = next_start(text, best, z)
        if s >= z:
            return spans


def next_start(text: str, end: int, z: int) -> int:
    """Where the line after one ending at ``end`` starts: past the spaces there."""
    while end < z and text[end].isspace():
        end += 1
    return end


def _reach(b: _Breaker, s: int, z: int, n: int) -> int:
    """The furthest end in s:z that line ``n`` from ``s`` can have (``s`` if not even one
    character fits): the summed advances bisected, then made exact with ``fit`` itself."""
    limit = b.prefix[s] + b.measure(n) + 1e-6 + lead_trim(b.text, s, b.adv, b.char_width)
    e = max(s, min(z, bisect_right(b.prefix, limit, s, z + 1) - 1))
    while e > s and not b.fit(s, e, n):
        e -= 1
    while e < z and b.fit(s, e + 1, n):
        e += 1
    return e


def _next_break(b: _Breaker, i: int, z: int) -> int | None:
    """The first place after ``i`` where a line may end (``z``, the end, is one); None after z."""
    text = b.text
    return next((c for c in range(i + 1, z) if b.can_break(text, c)), z if i < z else None)


def _cut(b: _Breaker, s: int, lo: int, hi: int, n: int) -> int:
    """The furthest place in lo:hi where the line from ``s`` can be cut and still fit."""
    best, e = None, lo + 1
    while e < hi and b.fit(s, e, n):
        if can_cut_before(b.text, e):
            best = e
        e += 1
    if best is not None:
        return best
    return lo if lo > s else min(s + 1, hi)  # not even one character fits: it overflows alone


def _mend_lone(b: _Breaker, spans: list[list[int]], n0: int) -> None:
    """No line of one character: pull a piece down from the line above (at a break if one
    serves, else cutting a word); a first line instead takes more of the line below.

    What this guarantees, and what verify checks (``movable``, ``takeable``): a line is left
    with one character only where the line it would take from keeps fewer than two characters
    besides punctuation, or where the two pieces together do not fit the measure.
    """
    text = b.text
    if len(spans) < 2:
        return
    for k, (s, e) in enumerate(spans):
        if not b.lone(s, e):
            continue
        if k > 0:
            ps = spans[k - 1][0]
            for rule in (b.can_break, can_cut_before):
                c = next((c for c in range(s - 1, ps, -1) if rule(text, c) and b.fit(c, e, n0 + k)
                          and _holds(b, ps, c) and _holds(b, c, e)), None)
                if c is not None:
                    spans[k - 1][1] = spans[k][0] = c
                    break
        else:
            ns, ne = spans[1]
            c = next((c for c in range(ne - 1, ns, -1) if can_cut_before(text, c) and b.fit(s, c, n0)
                      and _holds(b, s, c) and _holds(b, c, ne)), None)
            if c is not None:
                spans[0][1] = spans[1][0] = c


def _core(ch: str) -> bool:
    """A character that counts for a line not to be alone: not a space, mark or symbol."""
    return not ch.isspace() and unicodedata.category(ch)[0] not in "PS"


def movable(above: str) -> int | None:
    """Where the piece starts that a line of one character can always take from the line
    ``above`` it: that line's last unbreakable piece (a character that is not punctuation, or a
    whole number or word, with the opening marks before it), when two characters that are not
    punctuation stay behind; None when none can be taken."""
    core = [i for i, c in enumerate(above) if _core(c)]
    if len(core) < 3:
        return None
    i = core[-1]
    while i > 0 and not can_break_before(above, i):
        i -= 1
    if sum(1 for k in core if k < i) < 2:
        return None
    return i


def takeable(below: str) -> int | None:
    """For a first line of one character: where the piece ends that it can always take from the
    line ``below``: that line's first unbreakable piece (a character that is not punctuation, or
    a whole number or word, with the closing marks after it), when two characters that are not
    punctuation stay behind; None when none can be taken."""
    core = [i for i, c in enumerate(below) if _core(c)]
    if len(core) < 3:
        return None
    j = core[0] + 1
    while j < len(below) and not can_break_before(below, j):
        j += 1
    if sum(1 for k in core if k >= j) < 2:
        return None
    return j


def _holds(b: _Breaker, s: int, e: int) -> bool:
    """Is s:e a line that may stand: something to show, and not one character alone?"""
    s2, e2 = b.shown(s, e)
    while s2 < e2 and b.text[s2].isspace():
        s2 += 1
    return e2 > s2 and not is_lone(b.text[s2:e2])


def break_lines(
    text: str,
    widths: Sequence[float],
    char_width: Callable[[str], float],
    em: float,
    first_indent: float = 0.0,
    pieces: Sequence[str] | None = None,
    compress: bool = False,
    trim: bool = True,
) -> list[Line]:
    """Lines of ``text`` for measures ``widths`` (the last one repeats), filled greedily.

    With ``compress`` (text that ``place`` sets, as ``TextBlock`` does) adjacent marks are
    compressed before a line is judged full, and "——" takes two ems; with ``trim`` too, a line's
    opening mark at its start and closing mark at its end lose their blank halves (text set to
    an edge: justified or flush left; a centred or right-aligned line keeps them, so that its
    glyphs stay inside the measure). Without ``compress`` the widths are the glyphs' own (text
    another renderer draws, such as a chart's labels). A piece longer than a
    whole line is cut by characters. A newline typed in the
    data is a forced break (a title's author chooses where it turns).
    ``pieces`` is the text cut where it may break, if fewer breaks than ``clusters`` allows are
    wanted (a chart label breaks only between words); it is ignored for text with a newline.
    """
    b = _Breaker(text, widths, char_width, em, first_indent, _allowed(text, pieces), compress, trim)
    lines: list[Line] = []
    a = 0
    for z in _ends(text):
        n0 = len(lines)
        spans = _spans(b, a, z, n0) if z > a else [[a, a]]
        _mend_lone(b, spans, n0)
        for k, (s, e) in enumerate(spans):
            if k or n0:  # a continuation line drops the spaces it starts with; the first keeps its own
                while s < e and text[s].isspace():
                    s += 1
            s, e = b.shown(s, e)
            lines.append(_line(b, s, e, k == len(spans) - 1))
        a = z + 1
    return lines


def _allowed(text: str, pieces: Sequence[str] | None) -> set[int] | None:
    if pieces is None or "\n" in text:
        return None
    allowed, at = set(), 0
    for p in pieces:
        at += len(p)
        allowed.add(at)
    return allowed


def _ends(text: str) -> list[int]:
    """Where each typed line of ``text`` ends: at each newline, and at the end."""
    if "\n" not in text:
        return [len(text)]
    return [i for i, c in enumerate(text) if c == "\n"] + [len(text)]


def _line(b: _Breaker, s: int, e: int, last: bool) -> Line:
    t = b.text
    return Line(t[s:e], b.width(s, e), last, s, e, lead_trim(t, s, b.adv, b.char_width) if e > s and b.trim else 0.0,
                b.trim)


# -- placing the glyphs of a line -------------------------------------------------------------

class Glyph(NamedTuple):
    """A tuple (not a dataclass) because lines are keys of the face's memos: a line of 30
    glyphs is hashed in C, not by 30 calls of a generated ``__hash__``, and made as fast."""

    char: str
    x: float  # its origin, from the line's left edge (negative for a trimmed opening mark)
    scale: float = 1.0  # horizontal scale (a joined dash is stretched to its two ems)
    half: bool = False  # the first of a compressed pair: it advances half its width


@dataclass(frozen=True)
class PlacedLine:
    glyphs: tuple[Glyph, ...]
    end: float  # where the text ends: the measure for a justified line, the ink's edge otherwise
    spacing: float  # the extra space after every glyph (justification)

    def __hash__(self) -> int:
        """The hash of its fields, as dataclass makes it, computed once and kept: a placed line
        is a key of the face's memo (``text.show_lines``), hashed for each line drawn, three
        times for one written afresh, and its hash reads every glyph."""
        found = self.__dict__.get("_hash")
        if found is None:
            found = self.__dict__["_hash"] = hash((self.glyphs, self.end, self.spacing))
        return found

    def __getstate__(self) -> dict:
        """What pickling keeps: the fields, not the kept hash (another process hashes strings otherwise)."""
        return {k: v for k, v in self.__dict__.items() if k != "_hash"}


# The ink of the booklet's em dash, in em: Noto Serif and Sans SC draw it from 0.043–0.049 to
# 0.846–0.859 of a 0.89–0.91 em advance. Two of them are stretched and overlapped by this much
# so that "——" prints as one line that spans its two ems, as clreq asks.
DASH_OVERLAP = 0.03
MAX_SPACING = 1.0  # ems between characters: a line that would need more is set flush left


def place(line: Line, char_width: Callable[[str], float], em: float, measure: float,
          justify: bool, dash_ink: tuple[float, float] = (0.045, 0.85)) -> PlacedLine:
    """Where each glyph of ``line`` goes: compression, trims, justification and the joined dash.

    A justified line (not a paragraph's last) spreads the room left over evenly after every
    glyph but the last, so its trimmed ink meets both edges of ``measure``, unless that would
    put more than ``MAX_SPACING`` between its characters.
    """
    text = line.text
    n = len(text)
    if not n:
        return PlacedLine((), 0.0, 0.0)
    dash_at, halved_marks = dash_pairs(text), halved_at(text)
    adv = _advances(text, char_width, em, dash_at, halved_marks)
    halves = [False] * n
    for i in halved_marks:
        halves[i] = True
    spacing = 0.0
    if justify and not line.last and n > 1:
        spacing = (measure - line.width) / (n - 1)
        if spacing > MAX_SPACING * em:
            spacing = 0.0  # a line less than half full (a long word waits below): flush left, not spread
    if not dash_at:
        # Each glyph where the one before it ends, plus the spacing: the same sums as the loop
        # below (``accumulate`` adds left to right), made without a call a glyph.
        xs = list(accumulate([a + spacing for a in adv], initial=-line.lead))
        glyphs = tuple([_glyph(Glyph, (c, x, 1.0, h)) for c, x, h in zip(text, xs, halves)])
        x = xs[-1]
    else:
        glyphs, x = _placed_with_dashes(text, adv, halves, set(dash_at), em, spacing, -line.lead, dash_ink)
    end = x - spacing - (tail_trim(text, n, adv, char_width) if line.trim else 0.0)
    return PlacedLine(glyphs, end, spacing)


_glyph = tuple.__new__  # a Glyph made from its four fields in C, not by NamedTuple's __new__


def _placed_with_dashes(text: str, adv: list[float], halves: list[bool], dashes: set[int], em: float,
                        spacing: float, x: float, dash_ink: tuple[float, float]) -> tuple[tuple[Glyph, ...], float]:
    """The glyphs of a line with a "——" in it, from ``x``, and where the last one ends."""
    glyphs: list[Glyph] = []
    left, right = dash_ink
    n = len(text)
    i = 0
    while i < n:
        if i in dashes:
            # "——" as one line over its two ems and the justification space between them: both
            # glyphs stretched alike, the second overlapping the first's ink by DASH_OVERLAP,
            # the ink keeping the dash's own side bearings.
            span = 2.0 + spacing / em - 2 * left
            s = span / (2 * (right - left) - DASH_OVERLAP)
            first = x + (left - left * s) * em
            glyphs.append(Glyph(DASH, first, s))
            glyphs.append(Glyph(DASH, first + (right - left - DASH_OVERLAP) * s * em, s))
            x += 2 * em + 2 * spacing
            i += 2
            continue
        glyphs.append(Glyph(text[i], x, half=halves[i]))
        x += adv[i] + spacing
        i += 1
    return tuple(glyphs), x


# What a checker can judge from extracted text alone: the full-width marks. (A paragraph may
# open with "——", and dot leaders or decimals bring half-width "." to a line start.)
CHECK_NO_START = frozenset("，。、；：？！）］｝」』〉》〕】〗〙〛”’…")
CHECK_NO_END = frozenset("（［｛「『〈《〔【〖〘〚“‘")


def violations(lines: Sequence[str]) -> list[str]:
    """Lines of extracted text that break a clreq rule (tests and verification use this)."""
    bad: list[str] = []
    for n, line in enumerate(lines):
        s = line.strip()
        if not s:
            continue
        if s[0] in CHECK_NO_START and n > 0:
            bad.append(f"line starts with {s[0]!r}: {s[:20]}")
        if s[-1] in CHECK_NO_END and n < len(lines) - 1:
            bad.append(f"line ends with {s[-1]!r}: {s[-20:]}")
    return bad
