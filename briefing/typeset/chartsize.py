"""A chart's size, known from its rows before anything is drawn: what the page lays a chart
out by, and what verification needs to know how many bars a chart may have on a paper
(``bars_that_fit``), without the drawing's libraries (reportlab's metrics, jieba, matplotlib).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ChartStyle:
    """Everything about a chart's look, in one value: part of every chart's cache key."""

    bar: str = "#B71C1C"  # the accent: prints as a dark grey
    track: str = "#E3E3E3"  # the unfilled part of a gauge: prints as a light grey
    track_edge: str = "#8A8A8A"
    text: str = "#000000"
    muted: str = "#5F5F5F"
    axis: str = "#444444"
    label_pt: float = 8.5  # chart text at print size
    title_pt: float = 9.5
    label_lines: int = 3  # a category label wraps to at most this many lines, then ends with "…"
    row_in: float = 0.30  # inches per bar, plus 0.15 per extra label line
    left: float = 0.30  # fractions of the width: category labels | bars | value labels
    plot: float = 0.56


LEGEND_LINE_IN = 0.2  # each further line of a status legend


def heights(kind: str, n: int, extra_lines: int, style: ChartStyle, legend_lines: int = 1) -> tuple[float, ...]:
    """(row, below the rows, top, bottom, whole chart) in inches, for ``n`` rows whose longest
    label has ``extra_lines`` lines more than one (and a status chart's legend of
    ``legend_lines`` lines)."""
    row_in = style.row_in + 0.15 * extra_lines
    below_in = 0.26 if kind in ("growth", "status") else 0.0  # the growth axis / the legend
    if kind == "status":
        below_in += LEGEND_LINE_IN * (legend_lines - 1)
    top_in, bottom_in = 0.06, 0.06
    return row_in, below_in, top_in, bottom_in, top_in + row_in * n + below_in + bottom_in


CAPTION_IN = 0.6  # a two-line caption under the chart and the gap above it, in inches


def bars_that_fit(frame_height_pt: float, style: ChartStyle = ChartStyle()) -> int:
    """The most bars a chart may have so that it fits a text block ``frame_height_pt`` high
    with its caption, whatever its labels: each bar counted with labels of the most lines a
    label may take, and the room for a growth chart's axis or a legend."""
    row, below, top, bottom, _ = heights("growth", 0, style.label_lines - 1, style)
    return max(2, int((frame_height_pt / 72 - CAPTION_IN - top - below - bottom) / row))
