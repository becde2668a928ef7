"""Charts: chosen by pure rules from the data, drawn as vectors with the booklet's fonts, honest.

The rules are unit-tested on small answers, then asserted on every shipped data file and every
fixture: no chart of one value, no span over 20:1 unmarked, every negative bar left of the
zero line on the drawing itself, no group of gauges all at 100 %.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reportlab.pdfbase.pdfmetrics import stringWidth

from briefing.data.load import load
from briefing.data.model import Answer, Labels, Metric
from briefing.typeset.chartrules import (
    MAX_BARS,
    PENDING_SYMBOL,
    RANGE,
    SYMBOLS,
    all_done,
    attainment_charts,
    booklet_charts,
    by_magnitude,
    charts_for,
    comparison_chart,
    label_lines,
    percent,
    problems,
    word_pieces,
)
from briefing.typeset.charts import picture, render, words
from briefing.typeset.chartsize import ChartStyle
from briefing.typeset.chartslot import ChartSlot as Chart
from briefing.typeset.picture import Label, Shape

from .conftest import ROOT, drawing, made

L = Labels()
EVERY_FILE = sorted((ROOT / "data").glob("*.yaml")) + sorted((ROOT / "tests" / "data").glob("*.yaml"))


def _answer(*metrics, achievements=()):
    return made(Answer, id="a", ordinal="答卷一", title="t", metrics=list(metrics), achievements=list(achievements))


def m(i, value, unit="亿元", **kw):
    return made(Metric, id=f"m{i}", label=f"指标{i}", value=value, unit=unit, **kw)


# --- the selection rules ------------------------------------------------------------------

def test_magnitudes_within_20_to_1_share_an_axis():
    assert by_magnitude([41, 86, 60]) == [([0, 1, 2], [])]
    assert by_magnitude([100, 5]) == [([0, 1], [])]  # exactly 20:1 is allowed


def test_a_value_far_above_the_rest_is_drawn_broken():
    # 121.39 against 4.05 and 3.46 (p. 5 of the 2023 booklet): the two small ones set the scale
    assert by_magnitude([121.39, 4.05, 3.46]) == [([1, 2], [0])]


def test_a_value_far_below_the_rest_stays_a_card():
    assert by_magnitude([41, 86, 3]) == [([0, 1], [])]


def test_runs_of_magnitudes_become_separate_charts():
    values = [1234570, 0.5, -12.5, 3, 1234575, 0]
    assert by_magnitude(values) == [([0, 4], []), ([2, 3], []), ([1, 5], [])]


def test_a_lone_value_or_only_zeros_is_no_chart():
    assert by_magnitude([5]) == []
    assert by_magnitude([0, 0]) == []
    assert by_magnitude([5, 0]) == [([0, 1], [])]  # 0 against 5 is a comparison


def test_a_lone_figure_of_any_kind_is_a_card_not_a_chart():
    assert charts_for(_answer(achievements=["建成示例公园"]), L) == []
    assert charts_for(_answer(m(1, 7, "个", chart="x")), L) == []
    assert charts_for(_answer(m(1, 22.8, "%", kind="share")), L) == []
    assert charts_for(_answer(m(1, 5.8, "%", kind="growth")), L) == []


def test_kinds_and_their_order():
    a = _answer(m(1, 41, "家", chart="企业"), m(2, 86, "家", chart="企业", growth=11.93),
                m(3, 10.1, "%", kind="growth"), m(4, 22.8, "%", kind="share"), m(5, 80.64, "%", kind="share"))
    specs = charts_for(a, L)
    assert [(s.kind, s.title, s.unit) for s in specs] == [
        ("bars", "企业", "家"), ("growth", L.growth_chart, "%"), ("gauge", L.share_chart, "%")]
    assert specs[1].values == (10.1, 11.93) and specs[1].labels == ("指标3", "指标2")
    assert specs[2].values == (22.8, 80.64)  # every share of the answer on the one 0–100 axis


def test_shares_all_at_100_become_one_line_not_gauges():
    a = _answer(m(1, 100, "%", kind="share"), m(2, 100, "%", kind="share"))
    assert charts_for(a, L) == []
    assert [x.id for x in all_done(a)] == ["m1", "m2"]
    mixed = _answer(m(1, 100, "%", kind="share"), m(2, 80, "%", kind="share"))
    assert all_done(mixed) == [] and [s.kind for s in charts_for(mixed, L)] == ["gauge"]


def test_growth_keeps_its_sign_and_says_fall():
    spec = charts_for(_answer(m(1, 5, "%", kind="growth"), m(2, -2.5, "%", kind="growth")), L)[0]
    assert spec.values == (5, -2.5) and spec.value_texts == ("5%", "-2.5%")
    assert spec.alt == "增长率条形图：指标1增长5%，指标2下降2.5%"


def test_a_part_is_drawn_inside_its_whole_and_leaves_its_bar_group():
    a = _answer(m(1, 6334, "栋", chart="自建房"), m(2, 34, "栋", chart="自建房", part_of="m1"),
                m(3, 326, "套", chart="住房"), m(4, 141, "套", chart="住房"))
    specs = charts_for(a, L)
    assert [s.kind for s in specs] == ["bars", "parts"]
    parts = specs[1]
    assert parts.title == "自建房" and parts.unit == "栋"
    row = parts.rows[0]
    assert (row.value, row.whole, row.text, row.whole_text, row.share) == (34, 6334, "34栋", "6334栋", "0.54%")
    assert parts.alt == "部分与整体图：指标16334栋，其中指标234栋（占0.54%）"


def test_percent_keeps_two_significant_digits_below_10():
    assert [percent(34, 6334), percent(9.6, 12.8), percent(86, 94), percent(0, 5), percent(5, 5)] == [
        "0.54%", "75%", "91.5%", "0%", "100%"]


def test_many_bars_continue_in_a_second_chart_never_leaving_one_alone():
    specs = charts_for(_answer(*[m(i, 10 + i, "个", chart="多") for i in range(MAX_BARS + 5)]), L)
    assert [len(s.rows) for s in specs] == [MAX_BARS, 5]
    assert specs[1].title == "多" + L.continued
    specs = charts_for(_answer(*[m(i, 10 + i, "个", chart="多") for i in range(MAX_BARS + 1)]), L)
    assert [len(s.rows) for s in specs] == [MAX_BARS + 1]


def test_comparison_draws_each_result_inside_its_target(doc):
    (spec,) = comparison_chart(doc)
    by_label = {r.label: r for r in spec.rows}
    jobs = by_label["新增城镇就业"]
    assert (jobs.value, jobs.whole, jobs.whole_text, jobs.share) == (2496, 2300, "2300人以上", "108.5%")
    assert "空气质量优良天数" not in by_label  # days against a rate: not one unit, not drawn as a part
    assert spec.note == "以2023年目标为100%"


def test_review_gets_one_stacked_bar_per_path_on_one_scale():
    doc = load(ROOT / "data" / "sample-2024.yaml")
    specs = attainment_charts(doc)
    assert [s.place for s in specs] == ["review-0", "review-1"]
    (one,), (two,) = specs[0].rows, specs[1].rows
    assert one.whole == two.whole == 4  # the longer path sets the scale of both
    assert dict(one.segments) == {"达成": 1, "基本达成": 1, "进行中": 0, "未达成": 1, "待填报": 1}
    assert dict(two.segments) == {"达成": 2, "基本达成": 0, "进行中": 1, "未达成": 0, "待填报": 0}
    assert specs[0].alt == "堆积条形图：路径一共4项目标，达成1项，基本达成1项，进行中0项，未达成1项，待填报1项"


def test_a_review_of_one_status_only_gets_no_bars(tmp_path):
    text = (ROOT / "data" / "sample-2024.yaml").read_text(encoding="utf-8")
    text = re.sub(r", result: [\d.]+", "", text)
    text = re.sub(r"\n\s+(result|status): .*", "", text)
    path = tmp_path / "pending.yaml"
    path.write_text(text, encoding="utf-8")
    assert attainment_charts(load(path)) == []  # every target 待填报: the table says it all


def test_every_chart_is_numbered_and_captioned_in_page_order(doc):
    specs = booklet_charts(doc)
    assert [s.number for s in specs] == list(range(1, len(specs) + 1))
    housing = next(s for s in specs if s.title == "住房安置")
    assert housing.caption == f"图{housing.number}\u3000住房安置（单位：套）"
    assert housing.alt == "条形图：交付安置房326套，团购商品房安置141套"
    economy = specs[0]
    assert economy.caption == "图1\u3000主要经济与减负数据（单位：亿元；规模工业总产值的柱已截断）"


def test_status_symbols_are_in_the_booklets_fonts(fonts):
    marks = "".join(SYMBOLS.values()) + PENDING_SYMBOL
    assert len(set(marks)) == 5 and fonts.missing(marks) == []


# --- labels: whole words, no lone character ------------------------------------------------

def one(ch: str) -> float:
    return 1.0


def test_word_pieces_break_only_where_a_word_ends_and_clreq_allows():
    text = "高新技术产业增加值占GDP比重"
    assert word_pieces(text, ["高新技术", "产业", "增加值", "占", "GDP", "比重"]) == [
        "高新技术", "产业", "增加值", "占", "GDP", "比重"]
    # word ends where clreq forbids a break (after an opening mark, before a closing one) are not breaks
    assert word_pieces("村（涉农社区）收入", ["村", "（", "涉农", "社区", "）", "收入"]) == [
        "村", "（涉农", "社区）", "收入"]


@pytest.mark.parametrize("text,width", [
    ("高新技术产业增加值占GDP比重", 9),
    ("重点人群家庭医生签约率", 8),
    ("示例指标第0项（名称较长以检验换行）", 10),
    ("省市重点民生实事指标任务全部完成", 12),
])
def test_labels_never_break_inside_a_word_nor_leave_one_character(text, width):
    ws = words(text)
    lines = label_lines(text, width, one, 1.0, ws)
    assert "".join(lines) == text and len(lines) >= 2
    assert all(len(line) > 1 for line in lines), lines
    ends = {sum(map(len, ws[:k])) for k in range(len(ws) + 1)}
    at = 0
    for line in lines[:-1]:
        at += len(line)
        assert at in ends, (lines, ws)  # every break falls between two of jieba's words


def test_a_short_label_from_the_data_is_drawn_instead(fonts):
    a = _answer(m(1, 3, "个", chart="x", short="短名"), m(2, 4, "个", chart="x"))
    spec = charts_for(a, L)[0]
    assert spec.labels == ("短名", "指标2") and spec.rows[0].label == "指标1"  # the alt keeps the full name
    assert "短名" in picture(spec, 425, fonts).texts()


# --- the rules on every real and test file ------------------------------------------------

@pytest.fixture(scope="module", params=EVERY_FILE, ids=lambda p: p.name)
def every(request):
    return load(request.param)


def test_rules_hold_for_every_chart_of_every_file(every):
    for spec in booklet_charts(every):
        assert problems(spec) == [], (spec.caption, problems(spec))
        assert spec.comparable_values() >= 2
        assert spec.span() <= RANGE or spec.marked()
        assert not (spec.kind == "gauge" and all(v == 100 for v in spec.values))


def _boxes(shape: Shape) -> list[tuple]:
    """The bounds of each piece of a shape (bars of one look are one shape of many pieces)."""
    boxes, xs, ys, points = [], [], [], iter(zip(shape.points[::2], shape.points[1::2]))
    for code in shape.codes:
        if code == "M" and xs:  # a move starts the next piece
            boxes.append((min(xs), min(ys), max(xs), max(ys)))
            xs, ys = [], []
        for _ in range({"M": 1, "L": 1, "C": 3, "Z": 0}[code]):
            x, y = next(points)
            xs.append(x)
            ys.append(y)
    return boxes + ([(min(xs), min(ys), max(xs), max(ys))] if xs else [])


def _shapes(spec, fonts) -> list[Shape]:
    return [i for i in picture(spec, 425, fonts).items if type(i) is Shape]


def _rgb(color) -> tuple:
    return tuple(round(x, 3) for x in color) if color is not None else None


def _hex(h: str) -> tuple:
    return tuple(round(int(h[i:i + 2], 16) / 255, 3) for i in (1, 3, 5))


def test_every_negative_value_is_drawn_left_of_the_zero_line(every, fonts):
    """Read off the picture that goes into the PDF: each bar's extent against the zero line."""
    style = ChartStyle()
    checked = 0
    for spec in booklet_charts(every):
        if spec.kind not in ("bars", "growth"):
            continue
        paths = _shapes(spec, fonts)
        bars = sorted((b for s in paths if _rgb(s.fill) == _hex(style.bar) for b in _boxes(s)), key=lambda b: -b[1])
        zero = [b for s in paths if _rgb(s.stroke) == _hex(style.axis) for b in _boxes(s) if b[0] == b[2]]
        assert len(zero) == 1 and len(bars) == len(spec.rows), spec.caption
        x0 = zero[0][0]
        for (left, _, right, _), row in zip(bars, spec.rows):  # top to bottom, as the rows
            if row.value < 0:
                assert right <= x0 + 0.01 and left < x0 - 1, (spec.caption, row)
                checked += 1
            elif row.value > 0:
                assert left >= x0 - 0.01 and right > x0 + 1, (spec.caption, row)
    if every.meeting.year == 2031 and "many-metrics" in {a.id for a in every.results.answers}:
        assert checked >= 7  # edge-large: six -12.5 bars and the -7.5 % growth


# --- the drawing ---------------------------------------------------------------------------

def test_chart_text_is_text_in_the_booklet_faces(fonts, tmp_path):
    """A picture holds only shapes and texts, and on the page its texts are the booklet's
    Sans faces (never reportlab's default Helvetica), copyable as they were given."""
    import pypdf

    from briefing.fonts.cid import CIDCanvas

    spec = charts_for(_answer(m(1, 121.39, chart="经济"), m(2, 40.5, chart="经济")), L)[0]
    chart = drawing(spec, 425, fonts, None)
    assert isinstance(chart, Chart) and {type(i) for i in chart.picture.items} == {Shape, Label}
    assert {"121.39亿元", "指标1"} <= set(chart.picture.texts())
    canvas = CIDCanvas(str(tmp_path / "c.pdf"), pagesize=(chart.width, chart.height), initialFontName=fonts.sans)
    chart.drawOn(canvas, 0, 0)
    canvas.showPage()
    canvas.save()
    page = pypdf.PdfReader(tmp_path / "c.pdf").pages[0]
    faces = {str(f["/BaseFont"]).split("+")[-1] for f in page["/Resources"]["/Font"].values()}
    assert faces == {"NotoSansSC-Regular", "NotoSansSC-Bold"}
    starts = []
    text = page.extract_text(visitor_text=lambda t, cm, tm, font, size: t.strip() and starts.append((t, tm[4] + cm[4])))
    assert "121.39亿元" in text and "指标1" in text
    # each text starts where its anchor puts it, measured in the face it is drawn in
    from reportlab.pdfbase.pdfmetrics import stringWidth

    for label in (i for i in chart.picture.items if type(i) is Label):
        w = stringWidth(label.text, chart.faces[label.bold], label.size)
        x0 = {"start": label.x, "middle": label.x - w / 2, "end": label.x - w}[label.anchor]
        assert any(t == label.text and abs(x - x0) < 0.01 for t, x in starts), (label, starts)


def test_a_clipped_shape_is_drawn_inside_its_clip_and_the_clip_ends_with_it(fonts):
    """A shape that reaches the plot's edge keeps matplotlib's clip: its path is painted inside
    a saved state that sets the clip rectangle first, and the next shape is drawn unclipped."""
    from pypdf.generic import ContentStream

    from briefing.fonts.cid import CIDCanvas
    from briefing.typeset.picture import Picture, draw

    clipped = Shape("MLZ", (0, 0, 50, 0), stroke=(0, 0, 0), width=1, clip=(1, 2, 30, 40))
    free = Shape("ML", (0, 10, 50, 10), stroke=(0, 0, 0), width=1)
    buf = io.BytesIO()
    canvas = CIDCanvas(buf, pagesize=(60, 60), initialFontName=fonts.sans)
    draw(canvas, Picture(60, 60, (clipped, free)), fonts.sans, fonts.sans_bold)
    canvas.showPage()
    canvas.save()
    import pypdf

    page = pypdf.PdfReader(io.BytesIO(buf.getvalue())).pages[0]
    ops = [(op.decode(), [float(x) for x in args if isinstance(x, (int, float))])
           for args, op in ContentStream(page.get_contents(), page.pdf).operations]
    names = [o for o, _ in ops]
    clip_at = names.index("W")
    assert ops[clip_at - 1] == ("re", [1, 2, 30, 40]) and names[clip_at + 1] == "n"
    first_paint, second_paint = [i for i, o in enumerate(names) if o == "S"]
    assert names[clip_at:first_paint].count("Q") == 0  # painted inside the clip …
    restore = names.index("Q", first_paint)
    assert restore < second_paint  # … which ends before the next shape
    assert names[:clip_at].count("q") - names[:clip_at].count("Q") == 2  # the picture's own state, then the clip's


def _on_page(spec, fonts, dpi: int = 100):
    """The chart as its picture lands on a PDF page, rasterised (pdfium), in grey."""
    import pypdfium2

    from briefing.fonts.cid import CIDCanvas

    chart = drawing(spec, 425, fonts, None)
    buf = io.BytesIO()
    canvas = CIDCanvas(buf, pagesize=(chart.width, chart.height), initialFontName=fonts.sans)
    chart.drawOn(canvas, 0, 0)
    canvas.showPage()
    canvas.save()
    return pypdfium2.PdfDocument(buf.getvalue())[0].render(scale=dpi / 72).to_pil().convert("L")


def _without_text(img, chart: Chart, scale: float):
    """``img`` with each of the chart's texts covered in white: two rasterisers draw glyphs
    differently (hinting, weight), so shapes are compared here and texts by their places."""
    from PIL import ImageDraw
    from reportlab.pdfbase.pdfmetrics import stringWidth

    img = img.copy()
    pen = ImageDraw.Draw(img)
    for t in chart.picture.items:
        if type(t) is Label:
            w = stringWidth(t.text, chart.faces[t.bold], t.size)
            x0 = {"start": t.x, "middle": t.x - w / 2, "end": t.x - w}[t.anchor]
            top = chart.height - t.y - t.size
            pen.rectangle([(x0 - 1) * scale, top * scale, (x0 + w + 1) * scale, (top + 1.3 * t.size) * scale], fill=255)
    return img


def _compare(spec, fonts, dpi: int = 100) -> None:
    """The chart as it lands on the page against matplotlib's own rendering of the figure
    (Agg), texts covered: the same shapes, in the same places and tones, up to how two
    rasterisers antialias an edge."""
    from PIL import Image, ImageChops, ImageFilter

    chart = drawing(spec, 425, fonts, None)
    ours = _on_page(spec, fonts, dpi)
    theirs = Image.open(io.BytesIO(render(spec, 425, fonts, "png", dpi=dpi))).convert("L")
    assert abs(ours.size[0] - theirs.size[0]) <= 1 and abs(ours.size[1] - theirs.size[1]) <= 1, spec.caption
    box = (0, 0, min(ours.size[0], theirs.size[0]), min(ours.size[1], theirs.size[1]))  # each rounds up or not
    ours, theirs = (_without_text(i.crop(box), chart, dpi / 72).filter(ImageFilter.GaussianBlur(1)) for i in (ours, theirs))
    differ = sum(ImageChops.difference(ours, theirs).histogram()[64:])
    assert differ < 0.03 * box[2] * box[3], (spec.caption, differ / (box[2] * box[3]))


def test_the_picture_lands_on_the_page_as_matplotlib_draws_the_chart(every, fonts):
    for spec in booklet_charts(every):
        _compare(spec, fonts)


def test_texts_land_where_matplotlib_laid_them_out(every, fonts):
    """Each one-line text of a chart, drawn by reportlab from its anchor in the booklet's face,
    is aligned where matplotlib aligned it and spans what matplotlib measured (its window
    extent)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from briefing.typeset.charts import _laid_out

    def extents(fig):
        fig = _with_matplotlib_texts(fig)
        renderer = FigureCanvasAgg(fig).get_renderer()
        measure = TextToPath().get_text_width_height_descent  # the face's own advances, not hinted
        return [(t.get_text(), t.get_ha(), t.get_window_extent(renderer),
                 measure(t.get_text(), t.get_fontproperties(), False)[0])
                for t in fig.findobj(matplotlib.text.Text) if t.get_text() and "\n" not in t.get_text()]

    import matplotlib.text
    from matplotlib.textpath import TextToPath

    for spec in booklet_charts(every):
        chart = drawing(spec, 425, fonts, None)
        placed = {}
        for t in chart.picture.items:
            if type(t) is Label:
                w = stringWidth(t.text, chart.faces[t.bold], t.size)
                x0 = {"start": t.x, "middle": t.x - w / 2, "end": t.x - w}[t.anchor]
                placed.setdefault(t.text, []).append((round(x0, 1), round(x0 + w, 1)))
        laid = _laid_out(spec, 425, fonts, ChartStyle(), extents, dpi=72)
        assert laid
        for text, ha, box, width in laid:
            edge = {"left": lambda a, b: a, "center": lambda a, b: (a + b) / 2, "right": lambda a, b: b}[ha]
            # (matplotlib kerns Latin pairs, which reportlab does not: a point in a long Latin text)
            assert any(abs(edge(x0, x1) - edge(box.x0, box.x1)) < 0.5 and abs((x1 - x0) - width) < max(0.2, 0.015 * width)
                       for x0, x1 in placed[text]), (spec.caption, text, ha, (box.x0, box.x1), width, placed[text])


def _with_matplotlib_texts(fig):
    """``fig`` with each text of ours (``charts._text``) replaced, where it was, by matplotlib's
    own ``Text`` of the same settings."""
    from matplotlib.text import Text

    from briefing.typeset.charts import _text

    for artists in (fig.artists, fig.texts):
        for i, t in enumerate(artists):
            if isinstance(t, _text()):
                artists[i] = Text(t.x, t.y, t.text, transform=t.get_transform(), ha=t.ha, va=t.va, color=t.rgba,
                                  fontproperties=t.prop, zorder=t.get_zorder())
                artists[i].set_figure(fig)
    return fig


def _text_calls(fig, renderer) -> list[tuple]:
    """What drawing ``fig`` asks ``renderer`` to draw as text: each line, where, how."""
    calls = []

    def draw_text(gc, x, y, s, prop, angle, ismath=False, mtext=None):
        calls.append((s, x, y, prop.get_weight(), prop.get_size_in_points(), gc.get_rgb(), angle, ismath,
                      mtext is None))

    renderer.draw_text = draw_text
    fig.draw(renderer)
    return calls


def test_chart_texts_are_where_matplotlib_places_them(every, fonts):
    """Our texts (``charts._text``) land where matplotlib's ``Text`` would: in the picture,
    and line by line as any renderer is asked to draw them (Agg, y down, at another dpi)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from briefing.typeset.charts import _laid_out, _record

    def both(fig):
        ours, calls = _record(fig), _text_calls(fig, FigureCanvasAgg(fig).get_renderer())
        fig = _with_matplotlib_texts(fig)
        return (ours, calls), (_record(fig), _text_calls(fig, FigureCanvasAgg(fig).get_renderer()))

    for spec in booklet_charts(every):
        (ours, calls), (theirs, their_calls) = _laid_out(spec, 425, fonts, ChartStyle(), both, dpi=72)
        assert ours == theirs and calls == their_calls, spec.caption
        calls, their_calls = _laid_out(spec, 425, fonts, ChartStyle(), lambda fig: (
            _text_calls(fig, FigureCanvasAgg(fig).get_renderer()),
            _text_calls(_with_matplotlib_texts(fig), FigureCanvasAgg(fig).get_renderer())), dpi=150)
        assert calls and calls == their_calls, spec.caption


@pytest.mark.parametrize("dpi", [72, 150])
def test_a_text_of_any_alignment_and_lines_is_placed_as_matplotlib_places_it(fonts, dpi):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from briefing.fonts.register import FAMILY
    from briefing.typeset.charts import _matplotlib, _record, _text

    matplotlib, _ = _matplotlib((str(fonts.path("sans")), str(fonts.path("sans_bold"))))
    with matplotlib.rc_context({"font.family": FAMILY, "font.size": 8.5, "text.parse_math": False}):
        fig = Figure(figsize=(6, 8), dpi=dpi)
        texts = ["一行", "Ag（2）", "两行\n文字较长的第二行", "三\n\n行", "  空格 ", "$x$ 元"]
        n = 0
        for ha in ("left", "center", "right"):
            for va in ("baseline", "bottom", "top", "center", "center_baseline"):
                for s in texts:
                    n += 1
                    fig.add_artist(_text()(0.1 + (n % 7) * 0.12, (n % 13) * 0.07 + 0.05, s, fig.transFigure,
                                           ha=ha, va=va, color="#5F5F5F", fontweight="bold" if n % 2 else None,
                                           fontsize=6.5 + n % 3))
        ours, calls = _record(fig) if dpi == 72 else None, _text_calls(fig, FigureCanvasAgg(fig).get_renderer())
        fig = _with_matplotlib_texts(fig)
        theirs, their_calls = _record(fig) if dpi == 72 else None, _text_calls(fig, FigureCanvasAgg(fig).get_renderer())
    assert len(calls) > n and calls == their_calls
    assert ours == theirs


def test_a_text_is_measured_as_matplotlib_measures_it(every, fonts):
    """The recorder measures a text in a copy of its face read from memory, and in
    matplotlib's own face (with its fallbacks) where the face lacks a character: the same
    widths, heights and descents as matplotlib's renderer gives, for every text of the charts
    and Latin pairs a face kerns, ligatures, spaces, marks, and characters it does not have."""
    import warnings

    from matplotlib.backend_bases import RendererBase
    from matplotlib.font_manager import FontProperties

    from briefing.fonts.register import FAMILY
    from briefing.typeset.charts import _matplotlib, _recorder

    matplotlib, _ = _matplotlib((str(fonts.path("sans")), str(fonts.path("sans_bold"))))
    texts = {line for spec in booklet_charts(every) for r in spec.rows for t in (r.short, r.text, r.whole_text)
             for line in t.split("\n") if line}
    texts |= {"AVAToWaYa", "office flow ffi", " 前后空格 ", "“引号”（括号）、，。", "−12.5%", "Ⅻ ∞", "表情\U0001F600",
              "\u200b零宽"}
    recorder = _recorder()(100, 100)
    with matplotlib.rc_context({"font.family": FAMILY}), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # matplotlib's for the characters the face lacks
        for weight in ("normal", "bold"):
            for size in (8.5, 6.3):
                prop = FontProperties(weight=weight, size=size)
                for s in sorted(texts):
                    assert (recorder.get_text_width_height_descent(s, prop, False)
                            == RendererBase.get_text_width_height_descent(recorder, s, prop, False)), s


def test_bars_start_at_zero_and_are_proportional(fonts):
    spec = charts_for(_answer(m(1, 100, chart="x"), m(2, 50, chart="x"), m(3, 25, chart="x")), L)[0]
    bars = [b for s in _shapes(spec, fonts) if _rgb(s.fill) == _hex(ChartStyle().bar) for b in _boxes(s)]
    assert len({round(b[0], 2) for b in bars}) == 1
    widths = sorted((b[2] - b[0] for b in bars), reverse=True)
    assert abs(widths[1] / widths[0] - 0.5) < 0.01 and abs(widths[2] / widths[0] - 0.25) < 0.01


def _grey(spec, fonts, dpi: int = 100):
    """The chart as it lands on the page, rasterised and converted to grey, as a
    black-and-white printer sees it."""
    return _on_page(spec, fonts, dpi)


def _levels(img):
    """The grey levels of the chart's filled areas, most common first (white and text excluded)."""
    counts = sorted(enumerate(img.histogram()), key=lambda kv: -kv[1])
    return [level for level, n in counts if level < 245 and n > 200]


def test_bars_stay_dark_against_white_in_grayscale(doc, fonts):
    for spec in booklet_charts(doc):
        if spec.kind in ("bars", "growth"):
            levels = _levels(_grey(spec, fonts))
            assert levels and levels[0] < 120, (spec.title, levels[:3])


def test_gauge_fill_and_remainder_differ_clearly_in_grayscale(fonts):
    spec = charts_for(_answer(m(1, 22.8, "%", kind="share"), m(2, 80.64, "%", kind="share")), L)[0]
    levels = _levels(_grey(spec, fonts))
    dark, light = min(levels[:2]), max(levels[:2])
    assert light - dark >= 100, levels[:4]
    assert 255 - light >= 20


def test_review_statuses_differ_in_grey_by_tone(fonts):
    """Each status's segment, cut out of the grey rendering: mean tones far apart, and the
    patterned ones (not flat) vary inside, so tone and pattern both tell them apart."""
    from PIL import ImageStat

    from briefing.typeset.chartrules import ChartSpec, Row

    statuses = ("达成", "基本达成", "进行中", "未达成", "待填报")
    row = Row("路径一", "路径一", 5, "5项", 5, segments=tuple((s, 1.0) for s in statuses))
    img = _grey(ChartSpec("status", "t", "项", (row,)), fonts)
    # the bar's row: find the dark outline's extent on the middle line of the bar
    w, h = img.size
    px = img.load()
    top_row = next(y for y in range(h) if sum(px[x, y] < 100 for x in range(w)) > w * 0.3)
    y = top_row + 8
    xs = [x for x in range(w) if px[x, top_row] < 160]
    x0, x1 = min(xs), max(xs)
    step = (x1 - x0) / 5
    means, spreads = [], []
    for k in range(5):
        box = (int(x0 + k * step + step * 0.3), y - 3, int(x0 + k * step + step * 0.45), y + 3)
        stat = ImageStat.Stat(img.crop(box))
        means.append(stat.mean[0])
        spreads.append(stat.stddev[0])
    assert means[0] < 110, means  # 达成: solid and dark
    assert means[0] + 40 < means[1], means  # 基本达成 lighter
    assert min(spreads[1:4]) > 15, spreads  # hatched, dotted, cross-hatched: patterned, not flat
    assert means[4] > 240, means  # 待填报: blank, only its dashed outline


@pytest.mark.parametrize("paper", ["a4", "a5"])
def test_a_legend_too_long_for_one_line_wraps_inside_the_chart(fonts, paper):
    """Five statuses with two-digit counts do not fit one line at A5's width: the legend wraps
    onto more lines, every item inside the chart, and the chart is as tall as its size says
    beforehand (a worker's placeholder). It ran past the text block (○待填报 14 at 140.7 mm of a
    133 mm block) and the booklet failed verification."""
    from briefing.typeset.chartrules import ChartSpec, Row
    from briefing.typeset.charts import chart_size
    from briefing.typeset.chartsize import heights as _heights
    from briefing.typeset.styles import styles_for

    width = styles_for(paper, fonts).geometry.frame_width
    counts = {"达成": 12, "基本达成": 11, "进行中": 10, "未达成": 14, "待填报": 13}
    row = Row("路径一", "路径一", 60, "60项", 60, segments=tuple(counts.items()))
    spec = ChartSpec("status", "t", "项", (row,))
    pic = picture(spec, width, fonts)
    assert (pic.width, pic.height) == pytest.approx(chart_size(spec, width, fonts))
    legend = [t for t in pic.items if type(t) is Label and t.text.endswith(tuple(f" {n}" for n in counts.values()))]
    assert len(legend) == 5
    for t in legend:
        assert t.anchor == "start" and t.x + stringWidth(t.text, fonts.sans, t.size) <= pic.width
    assert len({t.y for t in legend}) == (2 if paper == "a5" else 1)


def test_a_booklet_whose_review_legend_wraps_builds_and_verifies_on_a5(tmp_path):
    import yaml

    from briefing.cache import Cache
    from briefing.commands.build import build

    data = yaml.safe_load((ROOT / "data" / "sample-2024.yaml").read_text(encoding="utf-8"))
    targets = []
    for status, n in (("达成", 12), ("基本达成", 11), ("进行中", 10), ("未达成", 14)):
        targets += [{"text": f"示例目标{status}{i}", "status": status, "result": "示例"} for i in range(n)]
    targets += [{"text": f"示例目标待填报{i}"} for i in range(13)]
    data["review"]["paths"] = [{"ordinal": "路径一", "title": "示例", "targets": targets}]
    src = tmp_path / "legend.yaml"
    src.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    result = build(src, tmp_path / "legend.pdf", paper="a5", cache=Cache(None))
    assert result.report.ok


def test_a_count_on_a_patterned_segment_sits_on_a_clear_ground(fonts):
    """The count printed in a hatched, dotted or cross-hatched segment is drawn over its
    pattern on a white ground: the pattern stops around the digit, or the digit is lost in it."""
    from briefing.typeset.chartrules import ChartSpec, Row

    for status in ("基本达成", "进行中", "未达成"):
        row = Row("路径一", "路径一", 2, "2项", 2, segments=(("达成", 1.0), (status, 1.0)))
        img = _grey(ChartSpec("status", "t", "项", (row,)), fonts, dpi=300)
        w, h = img.size
        px = img.load()
        dark = [y for y in range(h) if sum(px[x, y] < 100 for x in range(w)) > w * 0.3]
        top, bottom = dark[0], dark[-1]  # the bar's outline, top and bottom
        xs = [x for x in range(w) if px[x, top] < 160]
        cx, cy = round(min(xs) + 0.75 * (max(xs) - min(xs))), (top + bottom) // 2
        # beside the digit (a bold "1" is ~6 px wide either side of its centre at 300 dpi),
        # inside the white box the label stands on
        for box in ((cx - 14, cy - 6, cx - 9, cy + 6), (cx + 9, cy - 6, cx + 14, cy + 6)):
            darkest = img.crop(box).getextrema()[0]
            assert darkest > 200, (status, box, darkest)


def test_every_value_label_is_printed(doc, fonts):
    for spec in booklet_charts(doc):
        texts = picture(spec, 425, fonts).texts()
        for r in spec.rows:
            assert any(r.text in t for t in texts), (spec.caption, r.text)


# --- verify --charts -----------------------------------------------------------------------

def test_verify_finds_every_chart_by_its_caption_with_its_values(booklet, doc):
    from briefing.check.verify import verify

    report = verify(booklet.output, doc)
    assert [c for c in report.checks if c.name == "charts"][0].ok
    assert len(report.charts) == len(booklet_charts(doc))
    assert report.charts[0].startswith("图1\u3000主要经济与减负数据") and "| bars | page " in report.charts[0]


def test_verify_names_a_chart_whose_values_are_not_on_its_page(doc):
    from briefing.check.verify import charts_on_pages, squeeze
    from briefing.typeset.chartrules import end_text

    specs = booklet_charts(doc)
    pages = [squeeze(s.caption + "".join(end_text(r, s.kind) for r in s.rows)) for s in specs]
    assert charts_on_pages(doc, pages)[1] == []
    pages[3] = pages[3].replace("326套", "")
    assert charts_on_pages(doc, pages)[1] == [f"{specs[3].caption}: values not on its page 4: 326套"]
    assert f"{specs[-1].caption}: caption not found on any page" in charts_on_pages(doc, pages[:-1])[1]


def test_verify_charts_lists_from_the_command_line(booklet):
    from .conftest import DATA, run

    done = run("verify", str(booklet.output), "--data", str(DATA), "--charts")
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("\n    alt: ") == 7 and "| parts | page" in done.stdout
    assert run("verify", str(booklet.output), "--charts").returncode == 2  # needs the data


def test_no_chart_is_taller_than_its_page():
    """As many bars as fit each paper's text block, three-line labels, axis and caption included."""
    from briefing.fonts.register import register
    from briefing.typeset.chartsize import CAPTION_IN, ChartStyle, bars_that_fit
    from briefing.typeset.chartsize import heights as _heights
    from briefing.typeset.styles import styles_for

    fonts = register()
    for paper in ("a4", "a5"):
        height = styles_for(paper, fonts).geometry.frame_height
        n = bars_that_fit(height)
        tallest = _heights("growth", n, ChartStyle().label_lines - 1, ChartStyle())[-1] + CAPTION_IN
        assert tallest * 72 <= height < (tallest + _heights("growth", 1, 2, ChartStyle())[0]) * 72
    assert bars_that_fit(styles_for("a4", fonts).geometry.frame_height) == MAX_BARS


_LABEL_CHARS = "推进城市更新和老旧小区改造提质增效新增就业人数高技术产业占比，、（）“”0123456789.%ab "


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=_LABEL_CHARS, min_size=1, max_size=60), st.sampled_from([60.0, 90.0, 127.5]))
def test_the_line_count_known_beforehand_is_the_labels(fonts, text, width):
    """A chart's height is known before it is drawn from how many lines each label takes:
    ``label_line_count`` gives what ``label_lines`` sets, without evening the lines out."""
    from briefing.fonts.register import char_width
    from briefing.typeset.chartrules import label_line_count, label_lines

    measure, em = char_width(fonts.sans, 9.0), 9.0
    cut = words(text)
    assert label_line_count(text, width, measure, em, cut) == len(label_lines(text, width, measure, em, cut))



@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=_LABEL_CHARS + "\n", min_size=1, max_size=40), st.sampled_from([60.0, 117.5]))
def test_the_line_count_known_beforehand_is_the_labels_with_line_breaks_typed(fonts, text, width):
    """What ``chart_size`` counts of a label is what the drawn chart sets: also where the data
    typed a line break (allowed in any text), in a label that wraps or not."""
    from briefing.typeset.charts import _label, _label_line_count

    style = ChartStyle()
    assert _label_line_count(text, width, fonts, style) == _label(text, width, fonts, style).count("\n") + 1


@pytest.mark.parametrize("label", ["规模工业\n总产值", "推进城市更新和老旧\n小区改造提质增效新增就业"])
def test_a_line_break_typed_in_a_chart_label_is_in_the_size_known_beforehand(fonts, doc, tmp_path, label):
    """A chart label the data breaks itself: the size the page gives the chart before it is
    drawn is its picture's, and the booklet builds (it stopped with ``SizeMismatch``)."""
    from dataclasses import replace

    import yaml

    from briefing.cache import Cache
    from briefing.commands.build import build
    from briefing.typeset.charts import chart_size

    spec = next(s for s in booklet_charts(doc) if s.kind == "bars")
    spec = replace(spec, rows=(replace(spec.rows[0], label=label, short=label),) + spec.rows[1:])
    pic = picture(spec, 425, fonts)
    assert chart_size(spec, 425, fonts) == pytest.approx((pic.width, pic.height), abs=1e-6)

    raw = yaml.safe_load((ROOT / "data" / "yanfeng-2023.yaml").read_text(encoding="utf-8"))
    assert raw["results"]["answers"][0]["metrics"][1]["chart"]  # a bar chart's, without a short name
    raw["results"]["answers"][0]["metrics"][1]["label"] = label
    data = tmp_path / "broken-label.yaml"
    data.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    assert build(data, tmp_path / "b.pdf", cache=Cache(None)).output.is_file()


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=_LABEL_CHARS + "\n", min_size=1, max_size=60), st.sampled_from([60.0, 117.5]))
def test_a_label_with_line_breaks_typed_is_set_within_the_charts_rules(fonts, text, width):
    """Typed breaks are kept only where they give at most three lines, none empty, each within
    the width; otherwise the label is wrapped by words as one text. Either way: at most three
    lines, none empty, none beginning with "…" (verification refuses a line that does)."""
    from briefing.typeset.charts import _label

    style = ChartStyle()
    set_ = _label(text, width, fonts, style)
    lines = set_.split("\n")
    assert len(lines) <= style.label_lines, set_
    if text.strip():
        assert all(line.strip() for line in lines), set_
    assert not any(line.startswith("…") for line in lines), set_


def test_a_typed_break_that_fits_is_kept_and_one_that_cannot_is_joined(fonts):
    from briefing.typeset.charts import _label

    style = ChartStyle()
    assert _label("规模工业\n总产值", 117.5, fonts, style) == "规模工业\n总产值"  # as typed: it fits
    many = "一\n二\n三\n四\n五\n六\n七\n八"  # eight typed lines: more than a chart label has
    assert _label(many, 117.5, fonts, style) == "一二三四五六七八"
    assert _label("GDP\ngrowth", 117.5, fonts, style) == "GDP\ngrowth"
    assert _label("GDP\n\ngrowth", 117.5, fonts, style) == "GDP growth"  # an empty line: joined
