"""Which charts the booklet gets: pure rules from the model to chart specs, no drawing.

A chart must show something the figure cards do not. So:
- a lone figure stays a card: every chart compares at least two values;
- one axis never spans more than ``RANGE``:1 in magnitude unmarked: a group is cut where its
  magnitudes jump; a figure far above the rest is drawn as a broken bar with its value in full
  (and the caption says so); one far below the rest stays a card;
- shares and completion rates of an answer share one 0–100 axis, and when they are all 100 %
  they become one 全部完成 line instead of gauges;
- growth rates get their own axis with a zero line, so a fall reads as a fall;
- a part linked to its whole (``part_of``, or a result linked to next year's target by
  ``baseline``) is drawn inside that whole;
- the review gets one stacked bar of statuses per path, on one scale for all paths.

Every spec carries its caption (图3 住房安置（单位：套）) and a one-sentence text alternative
built from its values, which the tagged PDF uses as the figure's Alt text.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Callable

from ..data.numbers import format_number
from ..data.review import ORDER, judged
from .linebreak import break_lines, clusters

if TYPE_CHECKING:  # a chart worker reads specs without importing the model (pydantic)
    from ..data.model import Answer, Briefing, Labels, Metric

RANGE = 20.0  # the largest ratio of magnitudes one unbroken axis may show
MAX_BARS = 14  # bars that fit an A4 text block with 3-line labels (``chartsize.bars_that_fit``); more continue in a second chart
KINDS = ("bars", "growth", "gauge", "parts", "status")


@dataclass(frozen=True)
class Row:
    """One bar: the figure's full name (alt text), the label drawn, its value and how it prints."""

    label: str
    short: str
    value: float
    text: str
    whole: float | None = None  # parts: the whole the bar is drawn inside
    whole_text: str = ""
    share: str = ""  # parts: the part as a percentage of its whole, as printed
    broken: bool = False  # past the axis end: drawn broken, its value printed in full
    segments: tuple[tuple[str, float], ...] = ()  # status: (status, count), best first
    said: str = ""  # how the text alternative says it: 固定资产投资增长10.1%


@dataclass(frozen=True)
class ChartSpec:
    kind: str  # one of KINDS
    title: str
    unit: str  # the value axis's one unit ("" for parts and status: each row carries its own)
    rows: tuple[Row, ...]
    note: str = ""  # what the caption adds after the unit: a broken bar, the scale of a parts chart
    alt: str = ""
    number: int = 0
    caption: str = ""
    place: str = ""  # where it goes: an answer's id, "compare", or "review-<n>" for a path

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(r.short for r in self.rows)

    @property
    def values(self) -> tuple[float, ...]:
        return tuple(r.value for r in self.rows)

    @property
    def value_texts(self) -> tuple[str, ...]:
        return tuple(r.text for r in self.rows)

    def drawn(self) -> tuple:
        """What the picture depends on (the chart cache's key): not its number or caption."""
        return (self.kind, self.unit, self.rows)

    def span(self) -> float:
        """The ratio of the largest to the smallest non-zero magnitude among its values."""
        mags = [abs(v) for v in self.values if v]
        if self.kind == "status":
            mags = [n for r in self.rows for _, n in r.segments if n]
        return max(mags) / min(mags) if mags else 1.0

    def marked(self) -> str:
        """How a span over ``RANGE``:1 is shown honestly, or "" if it is not."""
        if self.kind in ("gauge", "parts", "status"):
            return "each bar against its whole"
        broken = [r for r in self.rows if r.broken]
        rest = [abs(r.value) for r in self.rows if not r.broken and r.value]
        if broken and (not rest or max(rest) / min(rest) <= RANGE):
            return "broken bars: " + ", ".join(r.text for r in broken)
        return ""

    def comparable_values(self) -> int:
        """How many values the chart compares (a part and its whole count as two)."""
        if self.kind == "status":
            return sum(len(r.segments) for r in self.rows)
        if self.kind == "parts":
            return 2 * len(self.rows)
        return len(self.rows)


def end_text(row: Row, kind: str) -> str:
    """What is printed at a bar's end: the value, and for a part its whole and share."""
    if kind == "parts":
        return f"{row.text}／{row.whole_text}（{row.share}）"
    return row.text


# --- the rules, each a pure function -------------------------------------------------------

def by_magnitude(values: list[float], limit: float = RANGE) -> list[tuple[list[int], list[int]]]:
    """Indices of ``values`` cut into chart groups: (drawn to scale, drawn broken).

    Non-zero magnitudes are taken largest first; a new run starts where a value is more than
    ``limit`` times smaller than the run's largest. A run of one value above a longer run is
    drawn broken on top of it; a run of one value at the bottom stays a card. Zeros join the
    smallest run; a group needs two values, one of them non-zero.
    """
    order = sorted((i for i, v in enumerate(values) if v), key=lambda i: -abs(values[i]))
    runs: list[list[int]] = []
    for i in order:
        if runs and abs(values[runs[-1][0]]) <= limit * abs(values[i]):
            runs[-1].append(i)
        else:
            runs.append([i])
    zeros = [i for i, v in enumerate(values) if not v]
    if runs and zeros:
        runs[-1] += zeros
    groups: list[tuple[list[int], list[int]]] = []
    above: list[int] = []
    for run in runs:
        if len(run) >= 2:
            groups.append((sorted(run), sorted(above)))
            above = []
        else:
            above += run
    return groups


def all_done(answer: Answer) -> list[Metric]:
    """The answer's shares when there are several and all are 100 %: one 全部完成 line, not gauges."""
    shares = [m for m in answer.metrics if m.kind == "share"]
    return shares if len(shares) >= 2 and all(m.value == 100 for m in shares) else []


def _short(m: Metric) -> str:
    return m.short or m.label


def percent(part: float, whole: float) -> str:
    """A part of its whole as printed: 0.54%, 91.5%, 100%."""
    p = 100 * part / whole
    if p == 0 or p >= 10:
        text = f"{p:.1f}"
    else:
        text = f"{p:.{max(1, 1 - math.floor(math.log10(p)))}f}"  # two significant digits
    return format_number(float(text)) + "%"


def _chunks(rows: list[Row], bars: int = MAX_BARS) -> list[list[Row]]:
    """Rows in charts of at most ``bars``; a lone last row joins the chart before it."""
    out = [rows[i:i + bars] for i in range(0, len(rows), bars)]
    if len(out) > 1 and len(out[-1]) == 1:
        last = out.pop()
        out[-1] = out[-1] + last
    return out


def _alt(head: str, rows, sep: str = "，") -> str:
    return f"{head}：" + sep.join(r.said for r in rows)


def _scaled(kind: str, title: str, unit: str, rows: list[Row], L: Labels, alt_head: str,
            bars: int = MAX_BARS) -> list[ChartSpec]:
    """Rows cut by magnitude into charts (see ``by_magnitude``), each at most MAX_BARS bars."""
    out: list[ChartSpec] = []
    for scaled, broken in by_magnitude([r.value for r in rows]):
        chart_rows = [replace(rows[i], broken=i in broken) for i in sorted(scaled + broken)]
        for piece in _chunks(chart_rows, bars):
            cut = [r.short for r in piece if r.broken]
            note = L.chart_broken.replace("{labels}", "、".join(cut)) if cut else ""
            name = title + (L.continued if out else "")
            out.append(ChartSpec(kind, name, unit, tuple(piece), note, _alt(alt_head, piece)))
    return out


def charts_for(answer: Answer, labels: Labels, doc: Briefing | None = None, bars: int = MAX_BARS) -> list[ChartSpec]:
    """The charts an answer's figures call for, in the order they are drawn.

    ``doc`` lets a part name a whole in another answer; without it only this answer's count.
    """
    L = labels
    specs: list[ChartSpec] = []
    known = doc.metrics() if doc else {m.id: m for m in answer.metrics}
    pairs = [(m, known[m.part_of]) for m in answer.metrics if m.part_of in known]
    in_parts = {m.id for m, _ in pairs} | {w.id for _, w in pairs}
    groups: dict[str, list[Metric]] = {}
    for m in answer.metrics:
        if m.chart and m.kind == "amount" and m.id not in in_parts:
            groups.setdefault(m.chart, []).append(m)
    for title, ms in groups.items():
        rows = [Row(m.label, _short(m), m.value, m.text(), said=m.label + m.text()) for m in ms]
        specs += _scaled("bars", title, ms[0].unit, rows, L, L.alt_bars, bars)
    parts: dict[tuple[str, str], list[Row]] = {}
    for m, whole in pairs:
        share = percent(m.value, whole.value)
        said = (f"{whole.label}{whole.text()}，{L.of_which}{m.label}{m.text()}"
                f"（{L.part_share.replace('{share}', share)}）")
        parts.setdefault((m.chart or whole.chart or whole.label, m.unit), []).append(
            Row(m.label, _short(m), m.value, m.text(), whole.value, whole.text(), share, said=said))
    for (title, unit), rows in parts.items():
        for piece in _chunks(rows, bars):
            specs.append(ChartSpec("parts", title, unit, tuple(piece), "", _alt(L.alt_parts, piece, "；")))
    growth = [(m, m.label.removesuffix("增长"), m.value) for m in answer.metrics if m.kind == "growth"]
    growth += [(m, m.label, m.growth) for m in answer.metrics if m.growth is not None]
    rows = [Row(name, m.short or name, v, f"{format_number(v)}%",
                said=f"{name}{'下降' if v < 0 else '增长'}{format_number(abs(v))}%") for m, name, v in growth]
    specs += _scaled("growth", L.growth_chart, "%", rows, L, L.alt_growth, bars)
    shares = [m for m in answer.metrics if m.kind == "share"]
    if len(shares) >= 2 and not all_done(answer):
        rows = [Row(m.label, _short(m), m.value, m.text(), said=m.label + m.text()) for m in shares]
        for n, piece in enumerate(_chunks(rows, bars)):
            specs.append(ChartSpec("gauge", L.share_chart + (L.continued if n else ""), "%", tuple(piece), "",
                                   _alt(L.alt_gauge, piece)))
    return [replace(s, place=answer.id) for s in specs]


def comparison_chart(doc: Briefing, bars: int = MAX_BARS) -> list[ChartSpec]:
    """Each result drawn inside the next year's target it continues (same unit, not a ranking)."""
    L = doc.labels
    target = L.fill(L.compare_target, doc)
    rows = []
    for _, _, q, m in doc.links():
        if m.unit != q.unit or q.comparator == "前" or q.value <= 0 or m.value < 0:
            continue
        share = percent(m.value, q.value)
        rows.append(Row(m.label, _short(m), m.value, m.text(), q.value, q.text(), share,
                        said=f"{m.label}{m.text()}，{target}{q.text()}（{share}）"))
    title, note = L.fill(L.compare_chart, doc), L.fill(L.compare_scale, doc)
    return [ChartSpec("parts", title + (L.continued if n else ""), "", tuple(piece), note,
                      _alt(L.alt_parts, piece, "；"), place="compare")
            for n, piece in enumerate(_chunks(rows, bars)) if piece]


SYMBOLS = {"达成": "✓", "基本达成": "◐", "进行中": "→", "未达成": "×"}
PENDING_SYMBOL = "○"  # anything else is the pending label: nothing reported yet


def symbol(status: str) -> str:
    """The mark that codes a status in the review table and the chart's legend (all of them in
    the booklet's fonts: ✗ is not, so 未达成 is ×)."""
    return SYMBOLS.get(status, PENDING_SYMBOL)


def attainment_charts(doc: Briefing) -> list[ChartSpec]:
    """Per path, one stacked bar of its targets by status, on one scale for every path.

    Drawn only when the review has at least two statuses: a bar of one colour says nothing
    the table does not.
    """
    L = doc.labels
    rows = judged(doc)
    seen = {j.status for _, _, targets in rows for j in targets}
    categories = [s for s in (*ORDER, L.pending) if s in seen]
    if len(categories) < 2:
        return []
    unit = L.review_unit
    total = max(len(t) for _, _, t in rows)
    specs = []
    for n, (ordinal, _, targets) in enumerate(rows):
        if not targets:
            continue
        counts = tuple((c, float(sum(j.status == c for j in targets))) for c in categories)
        text = f"{len(targets)}{unit}"
        alt = f"{L.alt_status}：{ordinal}共{text}目标，" + "，".join(
            f"{c}{format_number(k)}{unit}" for c, k in counts)
        specs.append(ChartSpec("status", f"{ordinal}\u3000{L.review_chart}", unit,
                               (Row(ordinal, ordinal, float(len(targets)), text, float(total), segments=counts),),
                               "", alt, place=f"review-{n}"))
    return specs


def booklet_charts(doc: Briefing, bars: int = MAX_BARS) -> list[ChartSpec]:
    """Every chart of the booklet in page order, numbered and captioned; none with more than
    ``bars`` bars, the number that fits the page's text block (``chartsize.bars_that_fit``)."""
    L = doc.labels
    specs = attainment_charts(doc)
    for answer in doc.results.answers:
        specs += charts_for(answer, L, doc, bars)
    specs += comparison_chart(doc, bars)
    out = []
    for n, s in enumerate(specs, 1):
        bits = [L.chart_unit.replace("{unit}", s.unit)] if s.unit else []
        bits += [s.note] if s.note else []
        caption = f"{L.figure.replace('{n}', str(n))}\u3000{s.title}" + (f"（{'；'.join(bits)}）" if bits else "")
        out.append(replace(s, number=n, caption=caption))
    return out


def problems(spec: ChartSpec) -> list[str]:
    """The rules a chart breaks (none, for any chart these functions make)."""
    out = []
    if spec.comparable_values() < 2:
        out.append("fewer than two values")
    if spec.span() > RANGE and not spec.marked():
        out.append(f"spans {spec.span():.0f}:1 unmarked")
    if spec.kind == "gauge" and all(v == 100 for v in spec.values):
        out.append("every gauge at 100%")
    if not spec.alt or not spec.caption:
        out.append("no caption or text alternative")
    return out


# --- chart labels: whole words, no line of one character ------------------------------------

def word_pieces(text: str, words: list[str]) -> list[str]:
    """``text`` cut only where clreq allows a line to end *and* a word ends (``words`` is the
    text segmented into words, in order)."""
    ends, at = set(), 0
    for w in words:
        at += len(w)
        ends.add(at)
    pieces, current, at = [], "", 0
    for piece in clusters(text):
        current += piece
        at += len(piece)
        if at in ends:
            pieces.append(current)
            current = ""
    if current:
        pieces.append(current)
    return pieces


def label_lines(text: str, width: float, measure: Callable[[str], float], em: float,
                words: list[str], most: int = 3) -> list[str]:
    """A chart label in lines of at most ``width``: broken between words only, the lines as even
    as the words allow (so none is left with one character), at most ``most`` lines ending in …
    """
    best, layout = _first_lines(text, width, measure, em, words)
    if best is None:
        return [text]
    w = width
    while w > 2 * em:
        w -= em / 4
        trial = layout(w)
        if trial is None or len(trial) != len(best):
            break
        if max(map(len, trial)) - min(map(len, trial)) <= max(map(len, best)) - min(map(len, best)):
            best = trial
    if len(best) > most:
        best = best[:most]
        best[-1] = best[-1][:-1] + "…"
    return best


def label_line_count(text: str, width: float, measure: Callable[[str], float], em: float,
                     words: list[str], most: int = 3) -> int:
    """``len(label_lines(…))``, without evening the lines out (which never changes their count):
    what a chart's height needs, known before it is drawn."""
    best, _ = _first_lines(text, width, measure, em, words)
    return 1 if best is None else min(len(best), most)


def _first_lines(text: str, width: float, measure: Callable[[str], float], em: float, words: list[str]):
    """(the label's lines at ``width``, or None when it fits on one; the layout at any width:
    its lines, or None where a word had to be cut)."""
    if sum(measure(c) for c in text) <= width + 1e-6:
        return None, None
    pieces = word_pieces(text, words)
    ends = {len(text[:e].rstrip()) for e in itertools.accumulate(len(p) for p in pieces)}

    def layout(w: float) -> list[str] | None:
        lines = [line.text for line in break_lines(text, [w], measure, em, pieces=pieces)]
        at, cut = 0, set()
        for line in lines:
            at = text.index(line, at) + len(line)
            cut.add(at)
        return lines if cut <= ends else None  # None: a word had to be cut

    return layout(width) or [line.text for line in break_lines(text, [width], measure, em)], layout
