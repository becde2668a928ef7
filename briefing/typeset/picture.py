"""A chart as the page draws it: the shapes and texts matplotlib drew, kept as plain data.

``typeset.charts`` has matplotlib lay a chart out and records what it draws (``Picture``):
paths, each filled or stroked, and texts in the booklet's two Sans faces, in points from the
chart's bottom left. ``draw`` puts a picture on the page with reportlab's canvas (the flowable
that places it is ``chartslot.ChartSlot``): its text is the booklet's own CID text, and drawing it
needs neither matplotlib nor anything to convert its output. Being plain data, a picture
travels from the chart worker as it is (which then never imports reportlab's page layout),
and is cached as JSON and checked when read back (``check``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from reportlab.lib.rl_accel import fp_str

ANCHORS = {"start": "drawString", "middle": "drawCentredString", "end": "drawRightString"}
SEGMENT = {"M": (2, "m"), "L": (2, "l"), "C": (6, "c"), "Z": (0, "h")}  # code: (numbers, operator)
LIMIT = 5000.0  # points: no chart reaches this far, so a coordinate beyond it is not one of ours
MAX_ITEMS = 50_000
MAX_SIZE = 100_000  # path letters, numbers and text characters in all: 14 dotted bars have 35,000
DASH_MIN = 0.001  # a dash length or phase under this is not ours (reportlab writes the phase with str(): 1e-05)


@dataclass(frozen=True)
class Shape:
    """One path: ``codes`` has a letter per segment (M move, L line, C curve, Z close) and
    ``points`` the numbers they take, x then y. Stroke-only paths of one look that follow
    each other are one shape: they draw the same, in one operator."""

    codes: str
    points: tuple[float, ...]
    fill: tuple[float, float, float] | None = None
    stroke: tuple[float, float, float] | None = None
    width: float = 0.0
    dash: tuple[float, ...] = ()  # the phase, then the lengths on and off; () is solid
    cap: int = 0  # PDF's: 0 butt, 1 round, 2 square
    join: int = 0  # PDF's: 0 miter, 1 round, 2 bevel
    clip: tuple[float, float, float, float] | None = None  # x, y, width, height

    def look(self) -> tuple:
        return self.fill, self.stroke, self.width, self.dash, self.cap, self.join, self.clip


@dataclass(frozen=True)
class Label:
    """A line of text: its baseline at ``y``, placed at ``x`` by its start, middle or end as
    matplotlib aligned it, measured by reportlab in the booklet's face as it is drawn."""

    text: str
    x: float
    y: float
    anchor: str
    bold: bool
    size: float
    color: tuple[float, float, float]


@dataclass(frozen=True)
class Picture:
    width: float
    height: float
    items: tuple[Shape | Label, ...]

    def texts(self) -> list[str]:
        return [i.text for i in self.items if type(i) is Label]


def draw(canv, picture: Picture, regular: str, bold: str) -> None:
    canv.saveState()
    for item in picture.items:
        if type(item) is Label:
            canv.setFont(bold if item.bold else regular, item.size)
            canv.setFillColorRGB(*item.color)
            getattr(canv, ANCHORS[item.anchor])(item.x, item.y, item.text)
            continue
        if item.clip:
            canv.saveState()
            canv.addLiteral(f"{fp_str(*item.clip)} re W n")
        if item.fill:
            canv.setFillColorRGB(*item.fill)
        if item.stroke:
            canv.setStrokeColorRGB(*item.stroke)
            canv.setLineWidth(item.width)
            canv.setLineCap(item.cap)
            canv.setLineJoin(item.join)
            canv.setDash(list(item.dash[1:]), item.dash[0] if item.dash else 0)
        paint = "B" if item.fill and item.stroke else "f" if item.fill else "S" if item.stroke else "n"
        canv.addLiteral(f"{path_operators(item.codes, item.points)} {paint}")
        if item.clip:
            canv.restoreState()
    canv.restoreState()


def path_operators(codes: str, points) -> str:
    out, i = [], 0
    for code in codes:
        n, op = SEGMENT[code]
        out.append(f"{fp_str(*points[i:i + n])} {op}" if n else op)
        i += n
    return " ".join(out)


# -- reading one back from the cache ----------------------------------------------------------

def _numbers(values, n: int | None = None) -> bool:
    return (type(values) is tuple and (n is None or len(values) == n)
            and all(type(v) in (int, float) and math.isfinite(v) and abs(v) <= LIMIT for v in values))


def _colour(value) -> bool:
    return _numbers(value, 3) and all(0 <= v <= 1 for v in value)


def _check_shape(s: Shape) -> None:
    if not (type(s.codes) is str and s.codes and set(s.codes) <= set(SEGMENT) and s.codes[0] == "M"):
        raise TypeError("picture: malformed path codes")
    if not _numbers(s.points, sum(SEGMENT[c][0] for c in s.codes)):
        raise TypeError("picture: path points do not match its codes")
    if not ((s.fill is None or _colour(s.fill)) and (s.stroke is None or _colour(s.stroke))):
        raise TypeError("picture: malformed colour")
    if not (_numbers((s.width,)) and 0 <= s.width <= 100 and _numbers(s.dash)
            and all(v == 0 or DASH_MIN <= v for v in s.dash) and (not s.dash or sum(s.dash[1:]) > 0)):
        raise TypeError("picture: malformed line width or dash")
    if not (s.cap in (0, 1, 2) and s.join in (0, 1, 2) and type(s.cap) is int and type(s.join) is int):
        raise TypeError("picture: malformed cap or join")
    if s.clip is not None and not _numbers(s.clip, 4):
        raise TypeError("picture: malformed clip")


def _check_label(t: Label) -> None:
    if not (type(t.text) is str and 0 < len(t.text) <= 2000 and not any(c < " " or "\x7f" <= c < "\xa0" for c in t.text)):
        raise TypeError("picture: malformed text")
    if not (_numbers((t.x, t.y)) and _numbers((t.size,)) and 1 <= t.size <= 100 and _colour(t.color)):
        raise TypeError("picture: malformed text position, size or colour")
    if t.anchor not in ANCHORS or type(t.bold) is not bool:
        raise TypeError("picture: malformed text anchor or weight")


def check(picture) -> None:
    """A picture as a cache entry rebuilt it: of our three classes only, every field of the
    type and within the range a chart of ours has (else ``TypeError``: a miss)."""
    if type(picture) is not Picture or set(vars(picture)) != {"width", "height", "items"}:
        raise TypeError("picture: not a Picture")
    if not (_numbers((picture.width, picture.height)) and picture.width > 0 and picture.height > 0):
        raise TypeError("picture: malformed size")
    if type(picture.items) is not tuple or len(picture.items) > MAX_ITEMS:
        raise TypeError("picture: malformed items")
    fields = {Shape: set(Shape.__dataclass_fields__), Label: set(Label.__dataclass_fields__)}
    size = 0
    for item in picture.items:
        if type(item) not in fields or set(vars(item)) != fields[type(item)]:
            raise TypeError("picture: an item that is not a shape or a text")
        (_check_shape if type(item) is Shape else _check_label)(item)
        size += len(item.codes) + len(item.points) if type(item) is Shape else len(item.text)
        if size > MAX_SIZE:  # more than a chart of ours draws: its page could outgrow what verify reads
            raise TypeError("picture: too large")
