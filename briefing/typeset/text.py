"""The flowable that sets a plain-text paragraph: clreq breaks, two-edge justification.

Text from the data is drawn literally (no markup is ever parsed), lines are justified with
character spacing (PDF ``Tc``) because Chinese has no spaces to stretch, and a paragraph can
split across pages by whole lines, keeping at least two lines on each side where it can.
"""

from __future__ import annotations

from typing import Callable

from reportlab.platypus import Flowable

from ..fonts.register import char_width
from .linebreak import Line, break_lines
from .styles import TextStyle
from .tagging import Tagged

ASCENT = 0.88  # Noto CJK ascender in em: puts the glyphs in the middle of the leading


class TextBlock(Tagged, Flowable):
    def __init__(self, text: str, style: TextStyle, *, lines: list[Line] | None = None,
                 indent_first: bool = True):
        super().__init__()
        self.text = text
        self.style = style
        self._lines = lines
        self._indent_first = indent_first
        self._for_width: float | None = None
        self.spaceBefore = style.space_before
        self.spaceAfter = style.space_after

    def lines(self, width: float) -> list[Line]:
        if self._lines is None or (self._for_width != width and self._for_width is not None):
            indent = self.style.first_indent if self._indent_first else 0.0
            measure = char_width(self.style.font, self.style.size)
            lines = break_lines(self.text, [width], measure, self.style.size, indent)
            if self.style.align == "center" and len(lines) > 1:
                lines = self._balanced(lines, width, indent, measure)
            self._lines = lines
            self._for_width = width
        return self._lines

    def _balanced(self, lines: list[Line], width: float, indent: float,
                  measure: Callable[[str], float]) -> list[Line]:
        """Centred titles: the narrowest measure that needs no more lines, so they balance."""
        lo, hi, best = width / 2, width, lines
        for _ in range(12):
            mid = (lo + hi) / 2
            trial = break_lines(self.text, [mid], measure, self.style.size, indent)
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
        head = TextBlock(self.text, self.style, lines=lines[:fit], indent_first=self._indent_first)
        tail = TextBlock(self.text, self.style, lines=lines[fit:], indent_first=False)
        head._for_width = tail._for_width = availWidth
        head.spaceAfter = 0
        tail.spaceBefore = 0
        return [head, tail]

    def draw(self):
        """All lines in one text object: font and colour set once, each line moved to with Td.

        Character spacing (Tc) belongs to the graphics state and outlives a line, so it is set
        on every line whose spacing differs from the one before, back to 0 included: otherwise
        a paragraph's last line would be drawn spread like the justified line above it.
        """
        st = self.style
        lines = self.lines(self.width)
        y = self.height - (st.leading - st.size) / 2 - st.size * ASCENT
        placed = []  # (x, y, character spacing, text) of each line
        for n, line in enumerate(lines):
            indent = st.first_indent if (n == 0 and self._indent_first) else 0.0
            measure = self.width - indent
            x = indent
            gap = 0.0
            if st.align == "justify" and not line.last and len(line.text) > 1:
                gap = (measure - line.width) / (len(line.text) - 1)
            elif st.align == "center":
                x += (measure - line.width) / 2
            elif st.align == "right":
                x += measure - line.width
            placed.append((x, y, gap, line.text))
            y -= st.leading
        if not placed:
            return
        t = self.canv.beginText(placed[0][0], placed[0][1])
        t.setFont(st.font, st.size)
        t.setFillColor(st.color)
        spacing = 0.0  # each flowable is drawn inside q … Q, which starts it at the default 0
        at = placed[0][:2]
        for x, y, gap, text in placed:
            if (x, y) != at:
                t.moveCursor(x - at[0], at[1] - y)  # Td, relative to the line before
                at = (x, y)
            if gap != spacing:
                t.setCharSpace(gap)
                spacing = gap
            t.textOut(text)
        self.canv.drawText(t)
