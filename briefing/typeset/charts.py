"""Where the charts are chosen and drawn: matplotlib → SVG → reportlab vector Drawing.

The chart kind comes from the data (``Metric.kind`` and ``Metric.chart``). matplotlib writes
SVG with text kept as text, and svglib turns it into reportlab shapes that use the booklet's
own registered fonts: no raster, no second copy of a font, and the labels stay extractable.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from functools import lru_cache

from reportlab.pdfbase.pdfmetrics import stringWidth

from typing import TYPE_CHECKING

from ..cache import Cache, key
from ..fonts.register import FAMILY, FontSet, char_width
from .linebreak import break_lines

if TYPE_CHECKING:  # imported where used: a chart worker draws charts without the data model
    from ..data.model import Answer, Briefing, Labels


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


@dataclass(frozen=True)
class ChartSpec:
    """One chart: a title, bars with labels, and the single unit of its value axis."""

    kind: str  # "bars" | "gauge"
    title: str
    unit: str
    labels: tuple[str, ...]
    values: tuple[float, ...]
    value_texts: tuple[str, ...]


MAX_BARS = 14  # even with 3-line labels a chart then fits a page; more bars continue in a second chart


def _chunked(spec: ChartSpec, continued: str) -> list[ChartSpec]:
    if len(spec.labels) <= MAX_BARS:
        return [spec]
    out = []
    for n, i in enumerate(range(0, len(spec.labels), MAX_BARS)):
        part = slice(i, i + MAX_BARS)
        out.append(ChartSpec(spec.kind, spec.title + (continued if n else ""), spec.unit, spec.labels[part],
                             spec.values[part], spec.value_texts[part]))
    return out


def charts_for(answer: Answer, labels: Labels) -> list[ChartSpec]:
    """The charts an answer's figures call for; an answer without such figures gets none."""
    from ..data.model import format_number

    specs: list[ChartSpec] = []
    groups: dict[str, list] = {}
    for m in answer.metrics:
        if m.chart and m.kind == "amount":
            groups.setdefault(m.chart, []).append(m)
    for title, ms in groups.items():
        if len(ms) >= 2:
            specs.append(ChartSpec("bars", title, ms[0].unit, tuple(m.label for m in ms),
                                   tuple(m.value for m in ms), tuple(m.text() for m in ms)))
    growth = [(m.label.removesuffix("增长"), m.value) for m in answer.metrics if m.kind == "growth"]
    growth += [(m.label, m.growth) for m in answer.metrics if m.growth is not None]
    if growth:
        specs.append(ChartSpec("bars", labels.growth_chart, "%", tuple(g[0] for g in growth),
                               tuple(g[1] for g in growth),
                               tuple(f"{format_number(g[1])}%" for g in growth)))
    shares = [m for m in answer.metrics if m.kind == "share"]
    if shares:
        specs.append(ChartSpec("gauge", labels.share_chart, "%", tuple(m.label for m in shares),
                               tuple(m.value for m in shares), tuple(m.text() for m in shares)))
    return [part for spec in specs for part in _chunked(spec, labels.continued)]


def attainment_charts(doc: Briefing) -> list[ChartSpec]:
    """One chart per path: how many of its targets are met, mostly met, missed, ongoing, pending."""
    from ..data.review import ORDER, judged

    rows = judged(doc)
    seen = {j.status for _, _, targets in rows for j in targets}
    categories = [s for s in (*ORDER, doc.labels.pending) if s in seen]
    unit = doc.labels.review_unit
    specs = []
    for ordinal, _, targets in rows:
        if not targets:
            continue
        counts = [sum(j.status == c for j in targets) for c in categories]
        specs.append(ChartSpec("bars", f"{ordinal}\u3000{doc.labels.review_chart}", unit, tuple(categories),
                               tuple(float(n) for n in counts), tuple(f"{n}{unit}" for n in counts)))
    return specs


@lru_cache(maxsize=1)
def _matplotlib(font_paths: tuple[str, ...]):
    """Import matplotlib without pyplot (saves ~0.5 s) and teach it the booklet's fonts."""
    import matplotlib

    matplotlib.use("svg", force=False)
    from matplotlib import font_manager
    from matplotlib.figure import Figure

    for p in font_paths:
        font_manager.fontManager.addfont(p)
    return matplotlib, Figure


def warm_up() -> None:
    """Import what drawing a chart needs (a forked chart worker does this first thing)."""
    import matplotlib

    matplotlib.use("svg", force=False)
    import matplotlib.backends.backend_svg  # noqa: F401
    import matplotlib.figure  # noqa: F401
    import svglib.svglib  # noqa: F401


def _wrap_label(label: str, width_pt: float, fonts: FontSet, style: ChartStyle) -> str:
    """Category labels wrap by the same clreq rules as the text, in the booklet's Sans face."""
    measure = char_width(fonts.sans, style.label_pt)
    lines = [l.text for l in break_lines(label, [width_pt], measure, style.label_pt)]
    if len(lines) > style.label_lines:
        lines = lines[:style.label_lines]
        lines[-1] = lines[-1][:-1] + "…"
    return "\n".join(lines)


def _text_width(text: str, fonts: FontSet, style: ChartStyle) -> float:
    return stringWidth(text, fonts.sans_bold, style.label_pt)


def _labels_and_height(spec: ChartSpec, width_pt: float, fonts: FontSet, style: ChartStyle) -> tuple[list[str], float]:
    """The wrapped category labels, and the chart's height in inches (it grows with the bars
    and with the lines of the longest label)."""
    labels = [_wrap_label(l, width_pt * style.left - 10, fonts, style) for l in spec.labels]
    most_lines = max(l.count("\n") + 1 for l in labels)
    row = style.row_in + 0.15 * (most_lines - 1)  # inches per bar
    return labels, 0.55 + row * len(spec.labels)


def chart_size(spec: ChartSpec, width_pt: float, fonts: FontSet, style: ChartStyle = ChartStyle()) -> tuple[float, float]:
    """The chart's width and height in points, known from its data before it is drawn."""
    return width_pt, _labels_and_height(spec, width_pt, fonts, style)[1] * 72


def render_svg(spec: ChartSpec, width_pt: float, fonts: FontSet, style: ChartStyle = ChartStyle()) -> str:
    """The chart as SVG text, sized for ``width_pt`` and with its labels at print size."""
    return render(spec, width_pt, fonts, "svg", style=style).decode("utf-8")


def render(spec: ChartSpec, width_pt: float, fonts: FontSet, fmt: str, dpi: int = 150,
           style: ChartStyle = ChartStyle()) -> bytes:
    """The chart in ``fmt`` (svg for the booklet; png lets tests judge it as printed in grey)."""
    matplotlib, Figure = _matplotlib((str(fonts.path("sans")), str(fonts.path("sans_bold"))))
    n = len(spec.labels)
    left, plot = style.left, style.plot
    labels, height_in = _labels_and_height(spec, width_pt, fonts, style)
    width_in = width_pt / 72
    rc = {
        "svg.fonttype": "none",
        "svg.hashsalt": "briefing",
        "font.family": FAMILY,
        "font.size": style.label_pt,
        "axes.unicode_minus": False,
        "text.parse_math": False,  # a "$" in a label is a dollar sign, not mathtext
        "text.usetex": False,
    }
    with matplotlib.rc_context(rc):
        fig = Figure(figsize=(width_in, height_in))
        ax = fig.add_axes((left, 0.02, plot, 1 - 0.40 / height_in))
        fig.patch.set_visible(False)  # the page is the background: no white rectangles to draw
        ax.patch.set_visible(False)
        ys = list(range(n))[::-1]
        values = list(spec.values)
        if spec.kind == "gauge":
            ax.barh(ys, [100] * n, height=0.55, color=style.track, edgecolor=style.track_edge, linewidth=0.5)
            ax.barh(ys, values, height=0.55, color=style.bar)
            lo, hi = 0.0, 100.0
        else:
            ax.barh(ys, values, height=0.55, color=style.bar)
            lo, hi = min(0.0, *values), max(0.0, *values)
        # Room for a negative bar's value label left of it, in data units (zero stays honest).
        span = (hi - lo) or 1.0
        plot_pt = width_pt * plot
        per_pt = span / plot_pt
        neg = [_text_width(t, fonts, style) for v, t in zip(values, spec.value_texts) if v < 0]
        pad_left = (max(neg) + 8) * per_pt if neg else 0.0
        pad_left = min(pad_left, span)  # never more than the data's own width
        ax.set_xlim(lo - pad_left, hi + 0.01 * span)
        for y, v, t in zip(ys, values, spec.value_texts):
            right = v >= 0
            x = 100.0 if spec.kind == "gauge" else v
            ax.annotate(t, (x, y), xytext=(4 if right else -4, 0), textcoords="offset points",
                        ha="left" if right else "right", va="center", color=style.text,
                        fontweight="bold", annotation_clip=False)
        ax.set_yticks(ys, labels=labels)
        ax.tick_params(axis="y", length=0, pad=6, colors=style.text)
        ax.set_xticks([])
        for side in ("top", "right", "bottom", "left"):
            ax.spines[side].set_visible(False)
        ax.axvline(0, color=style.axis, linewidth=0.8)  # the zero baseline, wherever it falls
        unit = "单位：%" if spec.kind == "gauge" else f"单位：{spec.unit}" if spec.unit else ""
        fig.text(0.0, 1 - 0.08 / height_in, spec.title, ha="left", va="top", fontweight="bold",
                 fontsize=style.title_pt, color=style.text)
        if unit:
            fig.text(1.0, 1 - 0.10 / height_in, unit, ha="right", va="top", color=style.muted, fontsize=8)
        buf = io.BytesIO()
        meta = {"Date": None, "Creator": None} if fmt == "svg" else {}
        fig.savefig(buf, format=fmt, metadata=meta, dpi=dpi)
    return buf.getvalue()


def to_drawing(svg: str, fonts: FontSet):
    """SVG → reportlab Drawing whose every text uses the booklet's registered fonts."""
    from svglib.svglib import svg2rlg

    drawing = svg2rlg(io.BytesIO(svg.encode("utf-8")), font_map=_font_map(fonts))
    if drawing is None:
        raise RuntimeError("svglib could not read a chart")  # our own SVG: a bug, not bad input
    # The renderer otherwise starts each drawing in Helvetica, which then sits unembedded in the PDF.
    drawing.initialFontName = fonts.sans
    drawing.initialFontSize = 8.5
    return drawing


def _font_map(fonts: FontSet):
    """A font map that can only answer with the booklet's faces: no fallback, no fontconfig."""
    from svglib.fonts import FontMap

    class BookletFonts(FontMap):
        def find_font(self, font_name, weight="normal", style="normal"):
            w = str(weight).lower()
            bold = w in ("bold", "bolder") or (w.isdigit() and int(w) >= 600)
            return (fonts.sans_bold if bold else fonts.sans), True

    return BookletFonts()


@lru_cache(maxsize=None)  # reading package metadata costs 1 ms a package; the code running cannot change
def _fingerprint() -> tuple:
    """What besides data and style shapes a chart: the libraries and our code that draws and
    measures it."""
    from importlib.metadata import version
    from pathlib import Path

    package = Path(__file__).resolve().parent.parent
    code = hashlib.sha256(b"".join((package / f).read_bytes()
                                   for f in ("typeset/charts.py", "typeset/linebreak.py", "fonts/register.py",
                                                         "fonts/parse.py")))
    return tuple(version(p) for p in ("matplotlib", "svglib", "reportlab")) + (code.hexdigest(),)


def drawing(spec: ChartSpec, width_pt: float, fonts: FontSet, cache: Cache | None,
            style: ChartStyle = ChartStyle(), draw: bool = True):
    """The chart as a Drawing: from the cache when this data, style and font drew it before
    (else drawn now, or None when not to ``draw``).

    A hit skips matplotlib and svglib entirely (their import alone is ~0.3 s).
    """
    k = key("chart", spec, round(width_pt, 3), style, fonts.digest("sans"), fonts.digest("sans_bold"),
            _fingerprint())
    found = cache.get("charts", k) if cache else None
    if found is not None or not draw:
        return found
    made = to_drawing(render_svg(spec, width_pt, fonts, style), fonts)
    if cache:
        cache.put("charts", k, made)
    return made
