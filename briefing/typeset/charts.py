"""Where the charts are drawn: matplotlib lays each out, its drawing is recorded as a
``Picture`` (``typeset.picture``), and the chart cache.

Which charts there are is decided in ``chartrules`` (pure rules). matplotlib draws onto a
renderer of ours that keeps every path and text as it is asked to draw it (``_recorder``): the
page then draws them with reportlab in the booklet's own registered fonts. No raster, no second
copy of a font, the labels stay extractable, and no file format in between to write and parse.
"""

from __future__ import annotations

import hashlib
import io
import mmap
import re
from contextlib import contextmanager
from functools import lru_cache

from reportlab.pdfbase.pdfmetrics import getFont, stringWidth

from ..cache import Cache, key
from ..data.numbers import format_number
from ..fonts.register import FAMILY, FontSet, char_width
from ..words import learn, words
from .chartrules import ChartSpec, Row, end_text, label_line_count, label_lines, symbol
from .chartsize import LEGEND_LINE_IN, ChartStyle, heights
from .picture import Label, Picture, Shape


@lru_cache(maxsize=1)
def _matplotlib(font_paths: tuple[str, ...]):
    """Import matplotlib without pyplot (saves ~0.5 s) and teach it the booklet's fonts."""
    import matplotlib
    from matplotlib import font_manager
    from matplotlib.figure import Figure

    for p in font_paths:
        font_manager.fontManager.addfont(p)
    return matplotlib, Figure


# Tone and pattern of each review status, so that statuses differ in black-and-white print by
# both; anything else (the pending label) is drawn as nothing known yet.
STATUS_LOOK = {
    "达成": ("#B71C1C", ""),  # solid accent: the darkest
    "基本达成": ("#E9A3A3", "diagonal"),  # a mid tone, hatched ///
    "进行中": ("#D9D9D9", "dots"),  # light grey, dotted
    "未达成": ("#FFFFFF", "cross"),  # white, cross-hatched like its × mark
}
PENDING_LOOK = ("#FFFFFF", "dashed")  # white with a dashed outline


def status_look(status: str) -> tuple[str, str]:
    return STATUS_LOOK.get(status, PENDING_LOOK)


def _label(text: str, width_pt: float, fonts: FontSet, style: ChartStyle) -> str:
    """A category label in the booklet's Sans face, broken only between words."""
    text, settled = _label_text(text, width_pt, fonts, style)
    if settled:
        return text
    measure = char_width(fonts.sans, style.label_pt)
    return "\n".join(label_lines(text, width_pt, measure, style.label_pt, words(text), style.label_lines))


def _label_line_count(text: str, width_pt: float, fonts: FontSet, style: ChartStyle) -> int:
    """How many lines ``_label`` gives ``text``."""
    text, settled = _label_text(text, width_pt, fonts, style)
    if settled:
        return text.count("\n") + 1
    measure = char_width(fonts.sans, style.label_pt)
    return label_line_count(text, width_pt, measure, style.label_pt, words(text), style.label_lines)


def _label_text(text: str, width_pt: float, fonts: FontSet, style: ChartStyle) -> tuple[str, bool]:
    """(the label to set, whether it is set as it is: it fits on one line, or keeps the lines
    the data typed; else the chart wraps it by words). A line break typed in the data (allowed
    in any text) is kept where it gives at most ``label_lines`` lines, none empty and each
    within the width; otherwise the label is one text, which the chart wraps by words as any
    other (kept, such breaks made labels of more lines than a chart has room for, empty lines,
    or a line of "…" alone)."""
    measure = char_width(fonts.sans, style.label_pt)
    if "\n" in text:
        lines = text.split("\n")
        if len(lines) <= style.label_lines and all(
                line.strip() and sum(measure(c) for c in line) <= width_pt for line in lines):
            return text, True
        text = _joined(lines)
    return text, sum(measure(c) for c in text) <= width_pt


def _joined(lines: list[str]) -> str:
    """Typed lines as one text: a space only between two Latin letters or digits."""
    out = ""
    for line in (part.strip() for part in lines):
        if not line:
            continue
        if out and out[-1].isascii() and out[-1].isalnum() and line[0].isascii() and line[0].isalnum():
            out += " "
        out += line
    return out


def learn_labels(specs, width_pt: float, fonts: FontSet, style: ChartStyle = ChartStyle()) -> None:
    """Before drawing many charts: load the dictionary words of every label that will wrap in
    one pass over jieba's dictionary, not one pass per chart that brings new characters."""
    room = width_pt * style.left - 10  # as ``render`` gives ``_label``
    labels = (_label_text(r.short, room, fonts, style) for s in specs for r in s.rows)
    wrapping = "".join(t for t, settled in labels if not settled)
    if wrapping:
        learn(wrapping)


def _text_width(text: str, fonts: FontSet, style: ChartStyle) -> float:
    return stringWidth(text, fonts.sans_bold, style.label_pt)


SWATCH_IN = 0.11  # a status legend's swatch: this high, 1.6 times as wide


def chart_size(spec: ChartSpec, width_pt: float, fonts: FontSet, style: ChartStyle = ChartStyle()) -> tuple[float, float]:
    """The chart's width and height in points, known before it is drawn: the page lays a
    chart out by it, and the picture drawn (``picture``) has exactly this size. Only a label
    too long for one line needs jieba's words (``_label``), as drawing it does: for many
    charts, ``learn_labels`` first."""
    room = width_pt * style.left - 10  # as ``_laid_out`` gives ``_label``
    extra = max(_label_line_count(r.short, room, fonts, style) for r in spec.rows) - 1
    return width_pt, heights(spec.kind, len(spec.rows), extra, style,
                              len(_legend_lines(spec, width_pt, fonts, style)))[-1] * 72


def _legend_lines(spec: ChartSpec, width_pt: float, fonts: FontSet, style: ChartStyle) -> list[list[tuple]]:
    """A status chart's legend, (status, text, x in inches) an item, in lines as wide as the
    chart at most: five statuses with two-digit counts take two lines at A5's width."""
    if spec.kind != "status":
        return [[]]
    lines: list[list[tuple]] = [[]]
    x_in = 0.0
    for status, count in spec.rows[0].segments:
        text = f"{symbol(status)}{status} {format_number(count)}"
        width_in = SWATCH_IN * 1.6 + 0.04 + stringWidth(text, fonts.sans, style.label_pt) / 72
        if lines[-1] and x_in + width_in > width_pt / 72:
            lines.append([])
            x_in = 0.0
        lines[-1].append((status, text, x_in))
        x_in += width_in + 0.14
    return lines


def warm_up() -> None:
    """Import what drawing a chart needs (a forked chart worker does this first thing)."""
    import matplotlib.figure  # noqa: F401

    _recorder()
    _text()


def render(spec: ChartSpec, width_pt: float, fonts: FontSet, fmt: str, dpi: int = 150,
           style: ChartStyle = ChartStyle()) -> bytes:
    """The chart as an image file in ``fmt`` (png lets tests judge it as printed in grey)."""
    def save(fig) -> bytes:
        buf = io.BytesIO()
        fig.savefig(buf, format=fmt, dpi=dpi)
        return buf.getvalue()

    return _laid_out(spec, width_pt, fonts, style, save)


def picture(spec: ChartSpec, width_pt: float, fonts: FontSet, style: ChartStyle = ChartStyle()) -> Picture:
    """The chart as the booklet draws it: what matplotlib draws, recorded (``_Recorder``)."""
    return _laid_out(spec, width_pt, fonts, style, _record, dpi=72)


def _record(fig) -> Picture:
    """What a figure laid out at 72 dpi draws, as a picture."""
    w, h = fig.get_size_inches() * 72
    recorder = _recorder()(float(w), float(h))
    fig.draw(recorder)
    return Picture(float(w), float(h), tuple(recorder.items))


def _laid_out(spec: ChartSpec, width_pt: float, fonts: FontSet, style: ChartStyle, out, dpi: float = 100):
    """``out`` of the chart's matplotlib figure, laid out at ``width_pt`` with its labels at
    print size, while the chart's settings are in force."""
    matplotlib, Figure = _matplotlib((str(fonts.path("sans")), str(fonts.path("sans_bold"))))
    rows = spec.rows
    n = len(rows)
    left_pt = width_pt * style.left
    # The value labels right of the bars; a figure so long (30 digits) that its label would leave
    # the bars less than a quarter of the room is set smaller instead.
    need = max(_text_width(end_text(r, spec.kind), fonts, style) for r in rows) + 10
    room = (width_pt - left_pt) * 0.75
    end_pt = style.label_pt * min(1.0, (room - 10) / (need - 10)) if need > room else style.label_pt
    right_pt = min(need, room)
    plot_pt = width_pt - left_pt - right_pt
    labels = [_label(r.short, left_pt - 10, fonts, style) for r in rows]
    legend = _legend_lines(spec, width_pt, fonts, style)
    row_in, below_in, top_in, bottom_in, height_in = heights(spec.kind, n, max(l.count("\n") for l in labels), style,
                                                              len(legend))
    width_in = width_pt / 72
    rc = {
        "font.family": FAMILY,
        "font.size": style.label_pt,
        "axes.unicode_minus": False,
        "text.parse_math": False,  # a "$" in a label is a dollar sign, not mathtext
        "text.usetex": False,
        "path.snap": False,  # as the page draws it: a raster render (tests) not moved to whole pixels
    }
    with _settings(matplotlib.rcParams, rc):
        fig = Figure(figsize=(width_in, height_in), dpi=dpi)
        fig.patch.set_visible(False)  # the page is the background: no white rectangles to draw
        ax = _Plot(fig, (left_pt / width_pt, (bottom_in + below_in) / height_in,
                         plot_pt / width_pt, row_in * n / height_in), n)
        ys = list(range(n))[::-1]
        per_pt = _draw(spec.kind, ax, rows, ys, plot_pt, fonts, style)
        for y, r in zip(ys, rows):
            x, right = _label_at(spec.kind, r, per_pt)
            ax.text(end_text(r, spec.kind), x, y, 4 if right else -4, ax.transData,
                    ha="left" if right else "right", va="center", color=style.text,
                    fontweight="bold", fontsize=end_pt)
        for y, label in zip(ys, labels):  # where matplotlib puts y tick labels, without an axis
            ax.text(label, 0, y, -6, ax.yaxis_transform, ha="right", va="center_baseline", color=style.text)
        if spec.kind == "status":
            _legend(fig, ax, legend, style, bottom_in + 0.02)
        ax.unclip()
        return out(fig)


@contextmanager
def _settings(params, rc: dict):
    """matplotlib's ``rc_context`` for the keys in ``rc`` only: it copied all 300 settings
    twice a chart (0.7 ms, a fifth of drawing one); drawing a chart changes none of them."""
    old = {k: params[k] for k in rc}
    params.update(rc)
    try:
        yield
    finally:
        params.update(old)


@lru_cache(maxsize=1)
def _recorder():
    """The class of ``_Recorder``, made when matplotlib is imported (only where charts are drawn)."""
    from matplotlib.backend_bases import GraphicsContextBase, RendererBase
    from matplotlib.ft2font import FT2Font, LoadFlags
    from matplotlib.textpath import text_to_path
    from matplotlib.path import Path as MPath

    caps = {"butt": 0, "round": 1, "projecting": 2}
    joins = {"miter": 0, "round": 1, "bevel": 2}
    anchors = {"left": "start", "center": "middle", "right": "end"}
    codes = {MPath.MOVETO: "M", MPath.LINETO: "L", MPath.CURVE4: "C", MPath.CLOSEPOLY: "Z"}

    def opaque(rgba) -> tuple[float, float, float]:
        if len(rgba) == 4 and rgba[3] != 1:
            raise ValueError("a chart drew with transparency")  # none of ours does: a bug
        return tuple(round(float(v), 6) for v in rgba[:3])

    class _Recorder(RendererBase):
        """A matplotlib renderer that keeps what it is asked to draw, in points (at 72 dpi, y
        up), as a ``Picture``'s items: matplotlib's own layout (its text metrics from the
        same font files, its alignment, clipping and dashes), none of its output formats.
        Texts keep their anchor, as SVG's text-anchor would, so reportlab places them by its
        own measure of the face it draws them in."""

        def __init__(self, width: float, height: float):
            super().__init__()
            self.width, self.height = width, height
            self.items: list = []

        def flipy(self):
            return False

        def get_text_width_height_descent(self, s, prop, ismath):
            # matplotlib keeps a text's measure per renderer, and each chart has its own: the
            # same texts ("lp", which sets every line's height, the ticks) measured once a
            # process, by FreeType as before (a fifth of drawing a chart).
            return measure(s, prop.copy(), ismath)

        def get_canvas_width_height(self):
            return self.width, self.height

        def points_to_pixels(self, points):
            return points

        def new_gc(self):
            return GraphicsContextBase()

        def draw_image(self, gc, x, y, im, transform=None):
            raise ValueError("a chart drew an image")  # vector only: a bug of ours

        def draw_path(self, gc, path, transform, rgbFace=None):
            if gc.get_hatch() is not None or gc.get_clip_path()[0] is not None:
                raise ValueError("a chart drew a hatch or a clip path")  # ours draw neither
            if gc.get_forced_alpha() and gc.get_alpha() != 1:
                opaque((0, 0, 0, gc.get_alpha()))
            fill = opaque(rgbFace) if rgbFace is not None else None
            width = float(gc.get_linewidth())
            stroke = opaque(gc.get_rgb()) if width else None
            if fill is None and stroke is None:
                return
            # As matplotlib's SVG: paths only stroked are clipped to the canvas and simplified.
            trim = fill is None
            letters, points = [], []
            for vertices, code in path.iter_segments(transform, remove_nans=True,
                                                      clip=(0, 0, self.width, self.height) if trim else None,
                                                      simplify=path.should_simplify and trim, curves=True):
                vertices = vertices.tolist()  # floats: rounded as before, sooner
                if code == MPath.CURVE3:  # a quadratic as the cubic it is
                    (x0, y0), (qx, qy, x1, y1) = self._last(points), vertices
                    vertices = (x0 + 2 / 3 * (qx - x0), y0 + 2 / 3 * (qy - y0),
                                x1 + 2 / 3 * (qx - x1), y1 + 2 / 3 * (qy - y1), x1, y1)
                    code = MPath.CURVE4
                letters.append(codes[code])
                if code != MPath.CLOSEPOLY:
                    points.extend([round(v, 3) for v in vertices])
            if not letters:
                return
            offset, dashes = gc.get_dashes()
            dash = (float(offset or 0), *map(float, dashes)) if dashes is not None else ()
            box = gc.get_clip_rectangle()
            clip = tuple(round(float(v), 3) for v in box.bounds) if box is not None else None
            shape = Shape("".join(letters), tuple(points), fill, stroke, width if stroke else 0.0, dash,
                          caps[gc.get_capstyle()] if stroke else 0, joins[gc.get_joinstyle()] if stroke else 0,
                          clip)
            last = self.items[-1] if self.items else None
            if fill is None and type(last) is Shape and last.look() == shape.look():
                self.items[-1] = Shape(last.codes + shape.codes, last.points + shape.points, *shape.look())
            else:
                self.items.append(shape)

        @staticmethod
        def _last(points) -> tuple[float, float]:
            return (points[-2], points[-1]) if points else (0.0, 0.0)

        def draw_text(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):
            if ismath or angle:
                raise ValueError("a chart drew mathtext or turned text")  # ours do neither
            if not s.strip():
                return
            anchor, ax = "start", x
            if mtext is not None:  # a text of one line: placed by its anchor
                ax = getattr(mtext, "anchor_x", None)  # where a ``_Text`` drew it
                if ax is None:  # a matplotlib Text
                    ax = mtext.get_transform().transform(mtext.get_unitless_position())[0]
                anchor = anchors[mtext.get_ha()]
            weight = prop.get_weight()
            bold = weight in ("bold", "heavy", "extra bold", "black", "semibold", "demibold", "demi") or (
                isinstance(weight, int) and weight >= 600)
            self.items.append(Label(s, round(float(ax), 3), round(float(y), 3), anchor, bold,
                                    float(prop.get_size_in_points()), opaque(gc.get_rgb())))

    measurer = _Recorder(0, 0)

    @lru_cache(maxsize=4096)
    def measure(s, prop, ismath):
        if ismath:
            return RendererBase.get_text_width_height_descent(measurer, s, prop, ismath)
        # As RendererBase measures a text at 72 dpi (TextToPath's face and flags), in a copy of
        # the face that FreeType reads from memory where that face has every character.
        font, mapped = faces(prop)
        if all(map(mapped.get_char_index, map(ord, s))):
            font = mapped
        font.set_size(prop.get_size_in_points(), 72)
        font.set_text(s, 0.0, flags=LoadFlags.NO_HINTING)
        w, h = font.get_width_height()
        return w / 64.0, h / 64.0, font.get_descent() / 64.0

    @lru_cache(maxsize=64)
    def faces(prop):
        """matplotlib's face for ``prop`` (which falls back on other faces for a character it
        lacks) and a copy of it alone, on its file mapped into memory: FreeType reads
        matplotlib's through a Python file, a seek and a read (system calls) for each table
        a glyph needs, two thirds of the time of measuring a text. Its measures are the same
        (``tests/test_charts.py``)."""
        font = text_to_path._get_font(prop)
        with open(font.fname, "rb") as fh:
            data = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        return font, FT2Font(data, face_index=font.face_index)

    return _Recorder


@lru_cache(maxsize=1)
def _text():
    """The class of ``_Text``, made when matplotlib is imported (only where charts are drawn)."""
    import math

    from matplotlib import colors, rcParams
    from matplotlib.artist import Artist, allow_rasterization
    from matplotlib.font_manager import FontProperties, fontManager, get_font

    @lru_cache(maxsize=64)
    def face_metrics(prop, dpi: float) -> tuple[float, float, float]:
        """A face's ascent, descent and line gap in pixels, as ``Text._get_layout`` reads them
        for a renderer without metrics of its own (ours, Agg): from its OS/2 table, else hhea."""
        font = get_font(fontManager._find_fonts_by_props(prop))
        for table, gap, ascent, descent in (("OS/2", "sTypoLineGap", "sTypoAscender", "sTypoDescender"),
                                            ("hhea", "lineGap", "ascent", "descent")):
            found = font.get_sfnt_table(table)
            if found is not None:
                scale = 1 / font.get_sfnt_table("head")["unitsPerEm"] * prop.get_size_in_points() * dpi / 72
                return found[ascent] * scale, -found[descent] * scale, found[gap] * scale
        raise ValueError("a chart font without OS/2 or hhea metrics")  # a TrueType face has hhea

    class _Text(Artist):
        """A chart's text, placed and drawn where matplotlib's ``Text`` would place and draw
        it, line by line: its ``_get_layout`` arithmetic for a text not turned, at normal line
        spacing, neither mathtext nor TeX (``tests/test_charts.py`` holds the two side by side).
        Without the rest of a ``Text``'s work (some 30 settings looked up to make one, the
        boxes it keeps for picking and layout engines, its face found again at each draw),
        which was a third of the time of drawing a chart."""

        zorder = 3

        def __init__(self, x: float, y: float, s: str, transform, ha: str = "left", va: str = "baseline",
                     color=None, fontweight=None, fontsize=None, zorder=None):
            super().__init__()
            self.x, self.y, self.text, self.ha, self.va = x, y, s, ha, va
            self.set_transform(transform)
            self.rgba = colors.to_rgba(rcParams["text.color"] if color is None else color)
            self.prop = FontProperties(weight=fontweight, size=fontsize)  # the rest as the settings say
            self.antialiased, self.language = rcParams["text.antialiased"], rcParams["text.language"]
            self.anchor_x = None  # where the anchor was drawn, when it is
            if zorder is not None:
                self.set_zorder(zorder)

        # What renderers ask of the text they draw a line of (ours, Agg, PDF's).
        def get_ha(self) -> str:
            return self.ha

        def get_fontfeatures(self):
            return None

        def get_language(self):
            return self.language

        @allow_rasterization
        def draw(self, renderer):
            if not self.get_visible() or not self.text:
                return
            posx, posy = self.get_transform().transform((float(self.x), float(self.y)))
            if not (math.isfinite(posx) and math.isfinite(posy)):
                return
            renderer.open_group("text", self.get_gid())
            prop, lines = self.prop, self.text.split("\n")
            min_ascent, min_descent, gap = face_metrics(prop, self.get_figure(root=True).dpi)
            gap = gap if len(lines) > 1 else 0
            widths, ys, thisy = [], [], 0.0
            for line in lines:  # each line at least as high as the face, one under the other
                w, h, d = renderer.get_text_width_height_descent(line, prop, False) if line else (0, 0, 0)
                a = max(h - d, min_ascent) + gap / 2
                d = max(d, min_descent) + gap / 2
                baseline = a - thisy  # the last line's is the one used
                thisy -= a
                widths.append(w)
                ys.append(thisy)
                thisy -= d
            xmin, xmax, ymin, ymax = 0, max(widths), ys[-1] - d, 0  # the text's box, from its anchor
            offsetx = {"left": xmin, "right": xmax, "center": (xmin + xmax) / 2}[self.ha]
            offsety = {"bottom": ymin, "top": ymax, "center": (ymin + ymax) / 2, "baseline": ymin + d,
                       "center_baseline": ymin + (ymax - ymin) - baseline / 2}[self.va]
            # Each line aligned in the box as the text is to its anchor (its multialignment).
            xs = [{"left": 0.0, "right": 0.0 + xmax - w, "center": 0.0 + xmax / 2 - w / 2}[self.ha] for w in widths]
            gc = renderer.new_gc()
            gc.set_foreground(self.rgba, isRGBA=True)
            gc.set_alpha(None)
            gc.set_antialiased(self.antialiased)
            self._set_gc_clip(gc)
            self.anchor_x = posx
            canvas_h = renderer.get_canvas_width_height()[1]
            for line, x, y in zip(lines, xs, ys):
                x, y = x - offsetx + posx, y - offsety + posy
                renderer.draw_text(gc, x, canvas_h - y if renderer.flipy() else y, line, prop, 0.0, ismath=False,
                                   mtext=self if len(lines) == 1 else None)
            gc.restore()
            renderer.close_group("text")
            self.stale = False

    return _Text


class _Plot:
    """The plot area of a chart, drawn straight onto the figure: what an ``Axes`` would give
    these charts (a data transform, clipping to the plot box), without its axis machinery:
    no ticks made, measured or drawn, which was half the cost of drawing a chart. The
    category labels and the growth axis are placed where matplotlib's ticks put them."""

    def __init__(self, fig, box: tuple[float, float, float, float], n: int):
        from matplotlib.transforms import (Bbox, BboxTransform, BboxTransformTo, TransformedBbox,
                                           blended_transform_factory)

        self.figure = fig
        self.view = Bbox([[0.0, -0.5], [1.0, n - 0.5]])  # the data limits; x is set by ``set_xlim``
        self.transAxes = BboxTransformTo(TransformedBbox(Bbox.from_bounds(*box), fig.transFigure))
        self.transData = BboxTransform(self.view, TransformedBbox(Bbox.from_bounds(*box), fig.transFigure))
        self.xaxis_transform = blended_transform_factory(self.transData, self.transAxes)
        self.yaxis_transform = blended_transform_factory(self.transAxes, self.transData)
        self.clipbox = TransformedBbox(Bbox.unit(), self.transAxes)
        self._clipped: list = []
        self._moved: dict = {}  # (a transform's id, points): it moved across, for texts

    def set_xlim(self, lo: float, hi: float) -> None:
        self.view.intervalx = lo, hi

    def add(self, artist, clip: bool = True, edge: bool = False):
        """An artist of the plot: in data units unless it has its own transform, clipped to the
        plot box as an Axes clips its lines and patches (``edge``: it reaches the box's edge,
        so ``unclip`` need not measure it to know that it keeps the clip)."""
        if not artist.is_transform_set():
            artist.set_transform(self.transData)
        if clip:
            artist.set_clip_box(self.clipbox)
            if not edge:
                self._clipped.append(artist)
        self.figure.add_artist(artist)
        return artist

    def unclip(self) -> None:
        """Keep the clip only where a shape reaches the plot box's edge (a zero line, a track's
        outline at zero): clipping a shape inside the box changes nothing, and each clipped
        shape costs the PDF a clipping state of its own."""
        from matplotlib.lines import Line2D

        box = self.clipbox
        for artist in self._clipped:
            if isinstance(artist, Line2D):
                stroke = artist.get_linewidth() if artist.get_linestyle() not in ("None", "none", " ", "") else 0
            else:
                stroke = artist.get_linewidth() if artist.get_edgecolor()[3] else 0
            # A stroke's caps and joins stay within 5 widths of its path (a miter at SVG's limit, 10).
            ext = artist.get_window_extent().padded(5 * stroke * self.figure.dpi / 72)
            if box.x0 <= ext.x0 and ext.x1 <= box.x1 and box.y0 <= ext.y0 and ext.y1 <= box.y1:
                artist.set_clip_box(None)

    def bars(self, ys, widths, h: float, **props) -> None:
        """Horizontal bars from zero, centred on ``ys``: ``Axes.barh``'s rectangles, as one
        shape (a shape costs matplotlib and the PDF more than its corners do)."""
        import numpy as np
        from matplotlib.patches import PathPatch
        from matplotlib.path import Path

        corners = [[(0, y - h / 2), (w, y - h / 2), (w, y + h / 2), (0, y + h / 2), (0, y - h / 2)]
                   for y, w in zip(ys, widths)]
        props.setdefault("edgecolor", "none")  # as a Rectangle's: a PathPatch's would be drawn
        self.add(PathPatch(Path.make_compound_path_from_polys(np.array(corners, dtype=float)), **props))

    def vline(self, x: float, **props) -> None:
        """A line across the plot's height at data ``x`` (``Axes.axvline``)."""
        from matplotlib.lines import Line2D

        # Its ends are on the box's top and bottom: its stroke reaches past them.
        self.add(Line2D([x, x], [0, 1], transform=self.xaxis_transform, **props), edge=True)

    def line(self, xs, ys, **props) -> None:
        from matplotlib.lines import Line2D

        self.add(Line2D(xs, ys, **props))

    def text(self, s: str, x: float, y: float, dx_pt: float, transform, **props) -> None:
        """A text at (``x``, ``y``) in ``transform``'s units, moved ``dx_pt`` points across;
        not clipped."""
        from matplotlib.transforms import ScaledTranslation

        if dx_pt:  # one moved transform for the texts moved alike, not one each
            key = (id(transform), dx_pt)
            if key not in self._moved:
                self._moved[key] = transform + ScaledTranslation(dx_pt / 72, 0, self.figure.dpi_scale_trans)
            transform = self._moved[key]
        self.add(_text()(x, y, s, transform, **props), clip=False)


def _label_at(kind: str, r: Row, per_pt) -> tuple[float, bool]:
    """Where a bar's end label goes (data x) and whether it reads to the right of it."""
    if kind == "gauge":
        return max(100.0, r.value), True
    if kind == "parts":
        return max(1.0, r.value / r.whole), True
    if kind == "status":
        return r.value, True
    if r.broken:
        return per_pt["broken_hi"] if r.value > 0 else per_pt["broken_lo"], r.value > 0
    return r.value, r.value >= 0


def _draw(kind: str, ax, rows, ys, plot_pt: float, fonts: FontSet, style: ChartStyle) -> dict:
    """The bars of one chart kind; returns where broken bars end (data units)."""
    h = 0.55
    values = [r.value for r in rows]
    if kind == "gauge":
        hi = max(100.0, *values)
        ax.bars(ys, [100] * len(rows), h, facecolor=style.track, edgecolor=style.track_edge, linewidth=0.5)
        ax.bars(ys, values, h, facecolor=style.bar)
        ax.set_xlim(0, hi * 1.005)
        ax.vline(0, color=style.axis, linewidth=0.8)
        return {}
    if kind == "parts":
        ratios = [r.value / r.whole for r in rows]
        hi = max(1.0, *ratios)
        ax.bars(ys, [1.0] * len(rows), h, facecolor=style.track, edgecolor=style.track_edge, linewidth=0.5)
        seen = [r and max(r, 0.8 * hi / plot_pt) for r in ratios]  # a tiny part stays a visible hairline
        ax.bars(ys, seen, h * 0.6, facecolor=style.bar)
        over = [y for y, ratio in zip(ys, ratios) if ratio > 1]  # the whole's end stays visible
        if over:  # across a part that outgrew it: one line, broken between the bars
            nan = float("nan")
            ax.line([x for _ in over for x in (1, 1, nan)][:-1],
                    [v for y in over for v in (y - h / 2 - 0.06, y + h / 2 + 0.06, nan)][:-1],
                    color=style.text, linewidth=1.0)
        ax.set_xlim(0, hi * 1.005)
        ax.vline(0, color=style.axis, linewidth=0.8)
        return {}
    if kind == "status":
        total = rows[0].whole or rows[0].value
        ax.set_xlim(0, total * 1.005)
        for y, r in zip(ys, rows):
            x = 0.0
            for status, count in r.segments:
                if count:
                    _segment(ax, x, x + count, y - h / 2, y + h / 2, status, style)
                    solid = not status_look(status)[1]
                    label = format_number(count)
                    if not solid:  # a clear ground inside the pattern, within the bar's outline
                        from matplotlib.patches import Rectangle

                        w = min((_text_width(label, fonts, style) + 7) * total * 1.005 / plot_pt, count * 0.9)
                        ax.add(Rectangle((x + count / 2 - w / 2, y - 0.35 * h), w, 0.7 * h,
                                         facecolor="#FFFFFF", edgecolor="none", zorder=4))
                    ax.text(label, x + count / 2, y, 0, ax.transData, ha="center", va="center", fontweight="bold",
                            color="#FFFFFF" if solid else style.text, zorder=5)
                x += count
        return {}
    # Amounts and growth rates: to scale between the smallest and largest unbroken value.
    scaled = [r.value for r in rows if not r.broken] or [0.0]
    lo, hi = min(0.0, *scaled), max(0.0, *scaled)
    span = (hi - lo) or 1.0
    per_pt = span / plot_pt
    # Room for a negative bar's value label left of it, in data units (zero stays honest).
    neg = [_text_width(r.text, fonts, style) for r in rows if r.value < 0]
    pad_left = min((max(neg) + 8) * per_pt, span) if neg else 0.0
    broken_hi = hi + 0.12 * span if any(r.broken and r.value > 0 for r in rows) else hi
    broken_lo = lo - 0.12 * span if any(r.broken and r.value < 0 for r in rows) else lo
    if kind == "growth":
        _growth_axis(ax, lo, hi, style)
    from matplotlib.patches import Polygon

    drawn = [(broken_hi if r.value > 0 else broken_lo) if r.broken else r.value for r in rows]
    ax.bars(ys, drawn, h, facecolor=style.bar, zorder=2)
    for y, r in zip(ys, rows):
        if r.broken:  # a white slanted gap across the bar: this bar is longer than drawn
            edge = hi + 0.05 * span if r.value > 0 else lo - 0.05 * span
            w = 0.025 * span * (1 if r.value > 0 else -1)
            ax.add(Polygon([(edge, y - h / 2 - 0.08), (edge + w, y - h / 2 - 0.08), (edge + 2 * w, y + h / 2 + 0.08),
                            (edge + w, y + h / 2 + 0.08)], color="#FFFFFF", zorder=3, linewidth=0))
    ax.set_xlim(broken_lo - pad_left, broken_hi + 0.01 * span)
    ax.vline(0, color=style.axis, linewidth=0.8, zorder=4)  # the zero line, wherever it falls
    return {"broken_hi": broken_hi, "broken_lo": broken_lo}


def _growth_axis(ax, lo: float, hi: float, style: ChartStyle) -> None:
    """Growth rates carry a labelled axis: their own scale is read, never assumed."""
    from matplotlib.lines import TICKDOWN, Line2D
    from matplotlib.ticker import MaxNLocator
    from matplotlib.transforms import ScaledTranslation

    ticks = [t for t in MaxNLocator(nbins=4, steps=[1, 2, 2.5, 5, 10]).tick_values(lo, hi) if lo <= t <= hi]
    # Drawn as matplotlib draws x ticks of length 2 pointing out, labels 3.5 pt below them.
    ax.add(Line2D(ticks, [0] * len(ticks), transform=ax.xaxis_transform, linestyle="none", marker=TICKDOWN,
                  markersize=2, markeredgewidth=0.5, color=style.muted), clip=False)
    below = ax.xaxis_transform + ScaledTranslation(0, -5.5 / 72, ax.figure.dpi_scale_trans)
    for t in ticks:
        ax.text(format_number(round(t, 6)), t, 0, 0, below, ha="center", va="top", color=style.muted, fontsize=8.0)
        if t:
            ax.vline(t, color="#D0D0D0", linewidth=0.4, zorder=1)


def _segment(ax, x0: float, x1: float, y0: float, y1: float, status: str, style: ChartStyle) -> None:
    """One status's part of a stacked bar: its tone, its pattern, a thin outline."""
    from matplotlib.patches import Rectangle

    fill, pattern = status_look(status)
    ax.add(Rectangle((x0, y0), x1 - x0, y1 - y0, facecolor=fill, edgecolor=style.text,
                     linewidth=0.6, linestyle="--" if pattern == "dashed" else "-", zorder=2))
    _pattern(ax, pattern, ax.transData, (x0, x1, y0, y1), style)


def _pattern(ax, pattern: str, transform, box, style: ChartStyle) -> None:
    """Hatching drawn as plain lines and dots: a picture holds no fill patterns (``_recorder``)."""
    from matplotlib.collections import LineCollection

    if pattern not in ("diagonal", "cross", "dots"):
        return
    fig = ax.figure
    to_in = transform + fig.dpi_scale_trans.inverted()
    (X0, Y0), (X1, Y1) = to_in.transform([(box[0], box[2]), (box[1], box[3])])
    X0, X1, Y0, Y1 = min(X0, X1), max(X0, X1), min(Y0, Y1), max(Y0, Y1)
    step = 3.2 / 72  # inches between lines
    segs = []
    if pattern == "dots":
        dots_x = [X0 + step / 2 + i * step for i in range(int((X1 - X0) / step))]
        dots_y = [Y0 + step / 2 + j * step for j in range(int((Y1 - Y0) / step))]
        r = 0.45 / 72
        segs = [[(x - r, y), (x + r, y)] for x in dots_x for y in dots_y]
        width = 1.3
    else:
        width = 0.5
        c = X0 - Y1
        while c < X1 - Y0:  # lines y = x - c
            a, b = max(X0, Y0 + c), min(X1, Y1 + c)
            if a < b:
                segs.append([(a, a - c), (b, b - c)])
            c += step
        if pattern == "cross":
            c = X0 + Y0
            while c < X1 + Y1:  # lines y = c - x
                a, b = max(X0, c - Y1), min(X1, c - Y0)
                if a < b:
                    segs.append([(a, c - a), (b, c - b)])
                c += step
    lines = LineCollection(segs, colors=style.text, linewidths=width, transform=fig.dpi_scale_trans,
                           zorder=3, capstyle="round" if pattern == "dots" else "butt")
    ax.add(lines, clip=False)


def _legend(fig, ax, lines: list[list[tuple]], style: ChartStyle, y_in: float) -> None:
    """Under a status bar: each status's swatch, symbol, name and count, in the lines
    ``_legend_lines`` gives (the first at the top; ``y_in``: the last's bottom)."""
    from matplotlib.patches import Rectangle

    size = SWATCH_IN
    for n, line in enumerate(lines):
        y = y_in + LEGEND_LINE_IN * (len(lines) - 1 - n)
        for status, text, x_in in line:
            fill, pattern = status_look(status)
            fig.add_artist(Rectangle((x_in, y), size * 1.6, size, facecolor=fill, edgecolor=style.text,
                                     linewidth=0.6, linestyle="--" if pattern == "dashed" else "-",
                                     transform=fig.dpi_scale_trans))
            _pattern(ax, pattern, fig.dpi_scale_trans, (x_in, x_in + size * 1.6, y, y + size), style)
            label = _text()(x_in + size * 1.6 + 0.04, y + size / 2, text, fig.dpi_scale_trans, va="center",
                            ha="left", color=style.text)
            label.set_figure(fig)
            fig.texts.append(label)  # as ``fig.text`` adds one: drawn after the figure's other artists


def _version(package: str) -> str:
    """An installed package's version, from its METADATA's Version field: what
    ``importlib.metadata.version`` reads. The METADATA is looked for first beside the package
    that would be imported (the one ``{package}-{version}.dist-info`` folder there): importing
    ``importlib.metadata`` takes 9 ms of every build that reads a chart from the cache, and its
    e-mail parser more. Anything else (an egg-info, a second dist-info, none) is read as
    ``importlib.metadata`` finds it, header only."""
    from importlib.util import find_spec
    from pathlib import Path

    spec = find_spec(package)
    if spec is not None and spec.origin:
        site = Path(spec.origin).parent  # a module's folder; a package's is one up
        site = site.parent if spec.submodule_search_locations is not None else site
        found = list(site.glob(f"{package}-*.dist-info"))
        if len(found) == 1 and (found[0] / "METADATA").is_file():
            return _version_field((found[0] / "METADATA").read_text(encoding="utf-8", errors="replace"))
    from importlib.metadata import distribution

    found = distribution(package)
    # Where importlib.metadata looks, in its order: a wheel's METADATA, an egg-info folder's
    # PKG-INFO (a Linux distribution's packages), an egg-info file.
    return _version_field(found.read_text("METADATA") or found.read_text("PKG-INFO") or found.read_text("") or "")


def _version_field(text: str) -> str:
    version = re.search(r"^Version:[ \t]*(\S+)", text.split("\n\n", 1)[0], re.M)  # a header, not the description
    return version.group(1) if version else ""


@lru_cache(maxsize=None)  # the code running cannot change
def _fingerprint() -> tuple:
    """What besides data and style shapes a chart: the libraries and our code that draws and
    measures it."""
    from pathlib import Path

    package = Path(__file__).resolve().parent.parent
    code = hashlib.sha256(b"".join((package / f).read_bytes()
                                   for f in ("typeset/charts.py", "typeset/chartrules.py", "typeset/chartsize.py",
                                             "typeset/linebreak.py",
                                             "typeset/picture.py", "fonts/register.py", "fonts/parse.py")))
    return tuple(_version(p) for p in ("matplotlib", "reportlab", "jieba")) + (code.hexdigest(),)


def _fits(found: Picture, spec: ChartSpec, width_pt: float, fonts: FontSet, style: ChartStyle) -> Picture:
    """A cached picture as this chart's would be (else ``TypeError``: a miss): its width, a
    height its labels' lines can give it, every path and text inside it, in the booklet's
    glyphs. The page trusts a chart's size: one too short for its drawing would be drawn over
    the text above it, and verification reads text, not what covers it. (Its height is not
    worked out from its labels here: that needs jieba's words, which a build whose charts
    all come from the cache never loads.)"""
    legend = len(_legend_lines(spec, width_pt, fonts, style))
    tall = [heights(spec.kind, len(spec.rows), extra, style, legend)[-1] * 72 for extra in range(style.label_lines)]
    w, h = found.width, found.height
    if abs(w - width_pt) > 0.001 or all(abs(h - x) > 0.001 for x in tall):
        raise TypeError("chart entry: not this chart's size")
    for item in found.items:
        if type(item) is Label:  # its em box, as the page draws it
            if fonts.missing(item.text):
                raise TypeError("chart entry: a text the booklet's faces cannot draw")
            face = fonts.sans_bold if item.bold else fonts.sans
            em, text_w = getFont(face).face, stringWidth(item.text, face, item.size)
            x0 = item.x - {"start": 0, "middle": text_w / 2, "end": text_w}[item.anchor]
            xs = [x0, x0 + text_w]
            ys = [item.y + em.descent / 1000 * item.size, item.y + em.ascent / 1000 * item.size]
        else:
            xs, ys = list(item.points[0::2]), list(item.points[1::2])
            if item.clip:
                x, y, cw, ch = item.clip
                xs, ys = xs + [x, x + cw], ys + [y, y + ch]
        if min(xs) < -0.001 or max(xs) > w + 0.001 or min(ys) < -0.001 or max(ys) > h + 0.001:  # as rounded
            raise TypeError("chart entry: drawn outside the chart")
    return found


def _cache_key(spec: ChartSpec, width_pt: float, fonts: FontSet, cache: Cache | None, style: ChartStyle) -> str | None:
    if not (cache and cache.root):
        return None
    return key("chart", spec.drawn(), round(width_pt, 3), style, fonts.digest("sans"), fonts.digest("sans_bold"),
               _fingerprint())


def cached_picture(spec: ChartSpec, width_pt: float, fonts: FontSet, cache: Cache | None,
                   style: ChartStyle = ChartStyle(), draw: bool = True) -> Picture | None:
    """The chart's picture: from the cache when this data, style and font drew it before (else
    drawn now, or None when not to ``draw``). What the chart worker sends.

    A hit skips matplotlib entirely (its import alone is ~0.3 s).
    """
    k = _cache_key(spec, width_pt, fonts, cache, style)
    found = cache.get("charts", k, lambda p: _fits(p, spec, width_pt, fonts, style)) if k else None
    if found is None and draw:
        found = drawn_picture(spec, width_pt, fonts, cache, style)
    return found


def drawn_picture(spec: ChartSpec, width_pt: float, fonts: FontSet, cache: Cache | None,
                  style: ChartStyle = ChartStyle()) -> Picture:
    """The chart's picture drawn now, and kept in the cache: one that the cache did not have."""
    found = picture(spec, width_pt, fonts, style)
    k = _cache_key(spec, width_pt, fonts, cache, style)
    if k:
        cache.put("charts", k, found)
    return found
