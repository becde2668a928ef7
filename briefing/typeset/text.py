"""The flowable that sets a plain-text paragraph: clreq breaks, compressed punctuation,
two-edge justification.

Text from the data is drawn literally (no markup is ever parsed). Lines are justified with
character spacing (PDF ``Tc``), because Chinese has no spaces to stretch; where punctuation is
compressed or trimmed, or "——" is joined, the glyphs are moved by ``TJ`` kerning, so the
extracted text is exactly the data's. A paragraph splits across pages by whole lines, keeping
at least two lines on each side where it can; each part carries its own text, so a part set
again at another width can never repeat what an earlier part printed.
"""

from __future__ import annotations

from dataclasses import replace
from itertools import repeat
from typing import Callable, Iterable, Sequence

from reportlab.lib.rl_accel import fp_str
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import Flowable

from ..fonts.cid import CIDFont
from ..fonts.register import char_width, memo
from .linebreak import Line, PlacedLine, break_lines, place
from .styles import TextStyle
from .tagging import Tagged

ASCENT = 0.88  # Noto CJK ascender in em: puts the glyphs in the middle of the leading
SAME_WIDTH = 1e-6  # points: frames that differ by rounding only (1e-13) are the same measure


class _Unshifted:
    """A flowable drawn where it stands without a graphics state of its own (``q``, ``cm`` to
    its place, ``Q``): ``draw`` adds ``_at`` to what it sets. A paragraph sets its color and
    resets its text state itself (``show_lines``): 3 operators fewer for each of a booklet's
    thousands of paragraphs and table cells, to write and to verify."""

    _at = (0.0, 0.0)

    def drawOn(self, canvas, x, y, _sW=0):
        self._at = (self._hAlignAdjust(x, _sW), y)
        self.canv = canvas
        try:
            self.draw()
        finally:
            del self.canv
            self._at = (0.0, 0.0)


class TextBlock(Tagged, _Unshifted, Flowable):
    def __init__(self, text: str, style: TextStyle, *, indent_first: bool = True):
        super().__init__()
        self.text = text
        self.style = style
        self._indent_first = indent_first
        self._span = (0, len(text))  # the characters of ``text`` this flowable sets (a part: fewer)
        self._continues = False  # a split paragraph's head: its last line is justified
        self._lines: list[Line] | None = None  # offsets into ``text``
        self._for_width: float | None = None
        self.spaceBefore = style.space_before
        self.spaceAfter = style.space_after

    def _part(self, span: tuple[int, int], lines: list[Line], width: float, continues: bool,
              indent_first: bool) -> "TextBlock":
        """A piece of this paragraph: the same text, only ``span`` of it, already broken."""
        part = TextBlock(self.text, self.style, indent_first=indent_first)
        part._span, part._lines, part._for_width, part._continues = span, lines, width, continues
        part.tag, part.artifact = self.tag, self.artifact  # one paragraph, one element, on every page
        return part

    @property
    def _indent(self) -> float:
        return self.style.first_indent if self._indent_first else 0.0

    def lines(self, width: float) -> list[Line]:
        if self._lines is None or self._for_width is None or abs(self._for_width - width) > SAME_WIDTH:
            a, b = self._span
            if (a, b) != (0, len(self.text)):  # a part set at another width: only its own text
                self.text = self.text[a:b]
                self._span = (0, b - a)
            lines = self._break([width])
            if self.style.align == "center" and len(lines) > 1:
                lines = self._balanced(lines, width)
            self._lines = lines
            self._for_width = width
        return self._lines

    def _break(self, widths: list[float]) -> list[Line]:
        st = self.style
        lines = broken(self.text, st.font, st.size, widths, self._indent, trim=st.align in ("justify", "left"))
        if self._continues and lines:
            lines[-1] = replace(lines[-1], last=False)
        return lines

    def _balanced(self, lines: list[Line], width: float) -> list[Line]:
        """Centred titles: the narrowest measure that needs no more lines, so they balance."""
        lo, hi, best = width / 2, width, lines
        for _ in range(12):
            mid = (lo + hi) / 2
            trial = self._break([mid])
            if len(trial) <= len(lines):
                best, hi = trial, mid
            else:
                lo = mid
        return best

    def wrap(self, availWidth, availHeight):
        self.width = availWidth
        self.height = len(self.lines(availWidth)) * self.style.leading
        return self.width, self.height

    def split(self, availWidth, availHeight):
        lines = self.lines(availWidth)
        fit = int((availHeight + 1e-6) // self.style.leading)
        if fit >= len(lines):
            return [self]
        if len(lines) < 4 or fit < 2:
            return []  # too short to split nicely: move it whole to the next frame
        fit = min(fit, len(lines) - 2)  # no widow
        head = self._part((self._span[0], lines[fit - 1].end), lines[:fit], availWidth, True, self._indent_first)
        tail = self._part((lines[fit].start, self._span[1]), lines[fit:], availWidth, self._continues, False)
        head.spaceAfter = 0
        tail.spaceBefore = 0
        return [head, tail]

    def draw(self):
        """All lines in one text object (see ``show_lines``); a line typed in the data (after a
        newline) starts a text object of its own, as its own paragraph would."""
        st = self.style
        lines = self.lines(self.width)
        left, bottom = self._at
        y = bottom + self.height - (st.leading - st.size) / 2 - st.size * ASCENT
        groups: list[list] = [[]]  # (x, y, placed glyphs) of each line, per typed paragraph
        for n, line in enumerate(lines):
            indent = self._indent if n == 0 else 0.0
            measure = self.width - indent
            x = left + indent
            if st.align == "center":
                x += (measure - line.width) / 2
            elif st.align == "right":
                x += measure - line.width
            if n and lines[n - 1].last:
                groups.append([])
            groups[-1].append((x, y, placed(line, st.font, st.size, measure, st.align == "justify")))
            y -= st.leading
        for rows in groups:
            show_lines(self.canv, st, rows)


def broken(text: str, font: str, size: float, widths: Sequence[float], first_indent: float = 0.0,
           pieces: Sequence[str] | None = None, compress: bool = True, trim: bool = True) -> list[Line]:
    """``break_lines`` of ``text`` set in ``font`` at ``size`` (its em), remembered in the
    face's memo under everything else that decides them (the face is the memo's own). A new
    list each time: callers change theirs."""
    k = ("break", text, tuple(widths), size, first_indent, None if pieces is None else tuple(pieces), compress, trim)
    kept = memo(font)
    found = kept.peek(k) if kept is not None else None
    if found is None:
        found = tuple(break_lines(text, widths, char_width(font, size), size, first_indent, pieces, compress, trim))
        if kept is not None:
            kept.put(k, 1, found)
    return list(found)


def placed(line: Line, font: str, size: float, measure: float, justify: bool) -> PlacedLine:
    """``place`` for a line set in ``font`` at ``size``, remembered in the face's memo
    (a ``PlacedLine`` is immutable: it is handed out shared)."""
    k = ("place", line, size, measure, justify)
    kept = memo(font)
    found = kept.peek(k) if kept is not None else None
    if found is None:
        found = place(line, char_width(font, size), size, measure, justify)
        if kept is not None:
            kept.put(k, 1, found)
    return found


def _one_line(text: str, style: TextStyle, trim: bool = True) -> Line:
    return broken(" ".join(text.split("\n")), style.font, style.size, [float("inf")], trim=trim)[0]


def line_width(text: str, style: TextStyle) -> float:
    """The width ``draw_line`` gives ``text`` set flush left: its glyphs with the punctuation
    compressed."""
    return _one_line(text, style).width


def draw_line(canv, text: str, style: TextStyle, x: float, y: float, align: str = "left") -> float:
    """One line at baseline ``y``, its punctuation compressed as in a paragraph (running heads,
    a figure's number and unit); ``x`` is its left edge, or its right edge or centre with
    ``align`` right or center. Its width: ``line_width`` for a line set flush left."""
    line = _one_line(text, style, trim=align == "left")
    if align == "right":
        x -= line.width
    elif align == "center":
        x -= line.width / 2
    show_lines(canv, style, [(x, y, placed(line, style.font, style.size, line.width, False))])
    return line.width


def _codes(font, text: str, doc) -> list[tuple[str, bytes]]:
    """(font resource name, code) of each character, as the font encodes it for this document
    (two bytes a character in the booklet's CID fonts, one in a reportlab TrueType subset)."""
    parts = font.splitString(text, doc)
    size = sum(len(data) for _, data in parts) // len(text)
    out: list[tuple[str, bytes]] = []
    for subset, data in parts:
        name = font.getSubsetInternalName(subset, doc)
        out += [(name, data[i:i + size]) for i in range(0, len(data), size)]
    return out


def show_lines(canv, style: TextStyle, rows: list[tuple[float, float, PlacedLine]]) -> None:
    """Write lines of placed glyphs as one text object.

    Each line is moved to with ``Td``, relative to the line before; the justification space is
    the character spacing ``Tc`` (set again only when it changes, back to 0 included, since it
    outlives the line); a glyph not where the font's advance and ``Tc`` put it is moved there by
    a ``TJ`` number, and a stretched dash by ``Tz``. The run of a line with a trimmed mark or a
    dash at its end ends where its text ends, so the page checks see it where it is drawn.
    """
    rows = [r for r in rows if r[2].glyphs]
    if not rows:
        return
    font = pdfmetrics.getFont(style.font)
    doc = canv._doc
    size = style.size
    kept = memo(style.font)
    cid = isinstance(font, CIDFont)  # the booklet's faces: one resource, and a half-width CID for a compressed mark
    resource = font.getSubsetInternalName(0, doc) if cid else None
    width = None  # the face's advances, looked up for the first line not in the memo
    ops: list[str] = []
    current, tc, tz = None, 0.0, 1.0  # the text state: font resource, character spacing, horizontal scale
    at_x = at_y = 0.0
    for x, y, placed in rows:
        ops.append(fp_str(x - at_x, y - at_y) + " Td")
        at_x, at_y = x, y
        if placed.spacing != tc:
            ops.append(f"{fp_str(placed.spacing)} Tc")
            tc = placed.spacing
        if cid:
            codes = font.glyph_codes(placed.glyphs, doc)
            k = ("ops", placed, resource, tuple(codes), size, current, tc, tz)
        else:
            pairs = _codes(font, "".join(g.char for g in placed.glyphs), doc)
            k = ("ops", placed, tuple(pairs), size, current, tc, tz)
        found = kept.peek(k) if kept is not None else None
        if found is None:
            if width is None:
                width = char_width(style.font, size)
            if cid:
                found = _line(placed, repeat(resource), codes, [g.half for g in placed.glyphs], width, size,
                              current, tc, tz)
            else:
                found = _line(placed, [r for r, _ in pairs], [c for _, c in pairs], repeat(False), width, size,
                              current, tc, tz)
            if kept is not None:
                kept.put(k, 1, found)
        line_ops, current, tz = found
        ops += line_ops
    if tc:
        ops.append("0 Tc")
    if tz != 1.0:
        ops.append("100 Tz")
    canv.setFillColor(style.color)
    canv.addLiteral("BT\n" + "\n".join(ops) + "\nET")


def _line(placed: PlacedLine, resources: Iterable[str], codes: Iterable[bytes], halves: Iterable[bool],
          width: Callable[[str], float], size: float, font: str | None, tc: float,
          tz: float) -> tuple[tuple[str, ...], str | None, float]:
    """The operators that show one line's glyphs (each with its font resource, code, and whether
    it advances half its width), from the text state (``font``, ``tc``, ``tz``) the line starts
    in; with the font and scale it leaves. The face's memo keeps the result under everything
    it reads (``show_lines``): ``watch`` writes again the lines an edit left alone (7 ms of
    its 0.06 s layout)."""
    ops: list[str] = []
    items: list = []  # the TJ array so far: strings of codes (bytes) and kerning numbers
    run: list[bytes] = []  # the codes of the string being built, after ``items``

    def seal():
        """The string being built, closed into ``items``."""
        if run:
            items.append(b"".join(run))
            run.clear()

    def flush():
        seal()
        if not items:
            return
        if len(items) == 1 and isinstance(items[0], bytes):
            ops.append(f"<{items[0].hex()}> Tj")
        else:
            ops.append("[" + " ".join(f"<{i.hex()}>" if isinstance(i, bytes) else fp_str(i) for i in items) + "] TJ")
        items.clear()

    def kern(to: float, pos: float) -> float:
        """Move from ``pos`` to ``to`` with a TJ number (thousandths of the em, scaled by Tz)."""
        number = round((pos - to) * 1000 / (size * tz), 1)
        if not number:
            return pos
        if run:
            seal()
            items.append(number)
        elif items and not isinstance(items[-1], bytes):
            items[-1] = round(items[-1] + number, 1)
        else:
            items.append(number)
        return pos - number * size * tz / 1000

    pos = 0.0  # where the next glyph would go, from the line's start
    for (char, x, scale, _), resource, code, half in zip(placed.glyphs, resources, codes, halves):
        if resource != font or scale != tz:
            flush()
            if resource != font:
                ops.append(f"{resource} {fp_str(size)} Tf")
                font = resource
            if scale != tz:
                ops.append(f"{fp_str(scale * 100)} Tz")
                tz = scale
        if pos != x:  # else the number is 0: the glyph is where the last one's advance put it
            pos = kern(x, pos)
        run.append(code)
        pos += (width(char) / (2 if half else 1) + tc) * tz
    if pos - placed.end > placed.spacing + 0.01:  # a trimmed or joined end
        kern(placed.end, pos)
    flush()
    return tuple(ops), font, tz
