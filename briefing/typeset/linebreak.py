"""Chinese line breaking per W3C clreq §3.1.7, as pure functions of text and glyph widths.

reportlab's CJK wrap only knows a few closing marks (it lets "，" "；" "：" "！" "？" "》" "”"
"’" start a line) and never looks at opening marks at a line end, so the booklet breaks its own
lines here and only hands finished lines to the canvas.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

# Never at the start of a line (clreq 3.1.7, plus the half-width forms that appear in data).
NO_START = frozenset(
    "，。、；：？！）］｝」』〉》〕】〗〙〛”’…—·・％‰℃"
    ",.;:?!)]}%"
)
# Never at the end of a line.
NO_END = frozenset("（［｛「『〈《〔【〖〘〚“‘([{")
# Full-width punctuation whose glyph is drawn in the left half of the em: at a line end its
# blank right half may stick out past the measure (clreq "hanging" by half an em).
HALF_BLANK_END = frozenset("，。、；：？！）」』》”’")
# Magnitude characters that belong to the unit: 121.39|亿元 must not break at 亿|元 either.
MAGNITUDES = frozenset("十百千万亿")


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
    if a.isspace():
        return True
    if b in NO_START or a in NO_END:
        return False  # "……" and "——" stay whole too: … and — may not start a line
    if _is_word(a) and _is_word(b):
        return False  # Latin words and numbers stay whole: 5G, 2.3, A级
    if a == "." and i >= 2 and _digit(text[i - 2]) and _digit(b):
        return False
    if _digit(a):
        return False  # a number and the unit written right after it: 2496人, 10.1%
    if a in MAGNITUDES and i >= 2 and _digit(text[i - 2]):
        return False  # 121.39亿元, 25.78万份
    return True


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


@dataclass(frozen=True)
class Line:
    text: str
    width: float  # natural width of the drawn glyphs
    last: bool  # the paragraph's last line: not justified


def break_lines(
    text: str,
    widths: Sequence[float],
    char_width: Callable[[str], float],
    em: float,
    first_indent: float = 0.0,
    pieces: Sequence[str] | None = None,
) -> list[Line]:
    """Greedy fill of ``text`` into lines of ``widths`` (the last width repeats).

    A line may end past its measure only by the blank half of a closing full-width mark
    (hanging punctuation); a piece longer than a whole line is cut by characters. A newline
    typed in the data is a forced break (a title's author chooses where it turns).
    ``pieces`` is the text cut where it may break, if fewer breaks than ``clusters`` allows are
    wanted (a chart label breaks only between words); it is ignored for text with a newline.
    """
    if "\n" in text:
        lines: list[Line] = []
        for part in text.split("\n"):
            done = len(lines)
            rest = [widths[min(done + i, len(widths) - 1)] for i in range(max(1, len(widths) - done))]
            lines += break_lines(part, rest, char_width, em, first_indent if not done else 0.0)
        return lines
    pieces = clusters(text) if pieces is None else pieces
    lines: list[Line] = []
    current = ""
    current_w = 0.0

    def measure(n: int) -> float:
        return (widths[n] if n < len(widths) else widths[-1]) - (first_indent if n == 0 else 0.0)

    def fits(candidate: str, w: float, limit: float) -> bool:
        stripped = candidate.rstrip()
        trailing = sum(char_width(c) for c in candidate[len(stripped):])
        w -= trailing
        if stripped and stripped[-1] in HALF_BLANK_END:
            w -= em / 2
        return w <= limit + 1e-6

    def push(line_text: str, last: bool) -> None:
        shown = line_text.strip() if lines else line_text.rstrip()
        lines.append(Line(shown, sum(char_width(c) for c in shown), last))

    for piece in pieces:
        piece_w = sum(char_width(c) for c in piece)
        limit = measure(len(lines))
        if fits(current + piece, current_w + piece_w, limit):
            current += piece
            current_w += piece_w
            continue
        if current.strip():
            push(current, False)
            current, current_w = "", 0.0
            limit = measure(len(lines))
        if fits(piece, piece_w, limit):
            current, current_w = piece.lstrip(), sum(char_width(c) for c in piece.lstrip())
            continue
        # A single piece wider than the line (a long Latin word): cut it by characters.
        for ch in piece:
            w = char_width(ch)
            if current and not fits(current + ch, current_w + w, measure(len(lines))):
                push(current, False)
                current, current_w = "", 0.0
            current += ch
            current_w += w
    if current.strip() or not lines:
        push(current, True)
    elif lines:
        lines[-1] = Line(lines[-1].text, lines[-1].width, True)
    return lines


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
