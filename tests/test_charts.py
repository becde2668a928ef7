"""Charts: chosen from the data, drawn as vectors with the booklet's fonts, honest axes."""

from __future__ import annotations

import re

from reportlab.graphics.shapes import Group, String

from briefing.data.model import Answer, Labels, Metric
from briefing.typeset.charts import charts_for, render_svg, to_drawing

L = Labels(growth_chart="增长率", share_chart="占比")


def _answer(*metrics, achievements=()):
    return Answer(id="a", ordinal="答卷一", title="t", metrics=list(metrics), achievements=list(achievements))


def m(i, value, unit="亿元", **kw):
    return Metric(id=f"m{i}", label=f"指标{i}", value=value, unit=unit, **kw)


def test_kinds_are_chosen_from_the_data():
    a = _answer(m(1, 121.39, chart="经济"), m(2, 4.05, chart="经济", growth=11.93),
                m(3, 10.1, "%", kind="growth"), m(4, 22.8, "%", kind="share"), m(5, 7, "个"))
    specs = charts_for(a, L)
    assert [(s.kind, s.title, s.unit) for s in specs] == [
        ("bars", "经济", "亿元"), ("bars", "增长率", "%"), ("gauge", "占比", "%")]
    assert specs[0].values == (121.39, 4.05)
    assert specs[1].value_texts == ("10.1%", "11.93%")


def test_a_qualitative_answer_gets_no_chart():
    assert charts_for(_answer(achievements=["建成示例公园"]), L) == []
    assert charts_for(_answer(m(1, 7, "个")), L) == []  # a lone figure is a card, not a chart


def test_one_unit_per_chart(doc):
    for a in doc.results.answers:
        for spec in charts_for(a, L):
            units = {m.unit for m in a.metrics if m.label in spec.labels and m.kind == "amount"}
            assert len(units) <= 1


def _strings(node):
    for c in getattr(node, "contents", []):
        if isinstance(c, String):
            yield c
        elif isinstance(c, Group):
            yield from _strings(c)


def test_svg_keeps_text_as_text_in_the_booklet_font(fonts):
    spec = charts_for(_answer(m(1, 121.39, chart="经济"), m(2, 4.05, chart="经济")), L)[0]
    svg = render_svg(spec, 425, fonts)
    assert "<image" not in svg
    families = set(re.findall(r"font-family: ([^;\"]+)", svg))
    assert families == {"'Noto Sans SC'"}
    assert "121.39亿元" in svg and "指标1" in svg


def test_drawing_uses_only_registered_booklet_fonts(fonts):
    spec = charts_for(_answer(m(1, 41, "家", chart="x"), m(2, 86, "家", chart="x"),
                              m(3, 22.8, "%", kind="share")), L)
    for s in spec:
        d = to_drawing(render_svg(s, 425, fonts), fonts)
        names = {st.fontName for st in _strings(d)}
        assert names <= {fonts.sans, fonts.sans_bold} and names
        assert d.initialFontName == fonts.sans


def test_bars_start_at_zero_and_are_proportional(fonts):
    spec = charts_for(_answer(m(1, 100, chart="x"), m(2, 50, chart="x"), m(3, 25, chart="x")), L)[0]
    svg = render_svg(spec, 425, fonts)
    # Each bar is a closed path "M x0 y0 L x1 y0 L x1 y1 L x0 y1 z": all start at the same x0.
    rects = re.findall(r'<path d="M ([\d.]+) ([\d.]+)\s+L ([\d.]+) \2\s+L \3 ([\d.]+)\s+L \1 \4\s+z', svg)
    bars = [(float(x0), float(x1) - float(x0)) for x0, _, x1, _ in rects]
    starts = {round(x0, 2) for x0, w in bars if w > 1}
    widths = sorted((w for _, w in bars if w > 1), reverse=True)
    assert len(starts) == 1 and len(widths) == 3
    assert widths[:3] == sorted(widths[:3], reverse=True)
    assert abs(widths[1] / widths[0] - 0.5) < 0.01 and abs(widths[2] / widths[0] - 0.25) < 0.01


def test_negative_values_keep_zero_on_the_axis(fonts):
    spec = charts_for(_answer(m(1, 5, "%", kind="growth"), m(2, -2.5, "%", kind="growth")), L)[0]
    svg = render_svg(spec, 425, fonts)
    assert "-2.5%" in svg and "5%" in svg


def test_many_bars_continue_in_a_second_chart():
    from briefing.typeset.charts import MAX_BARS

    n = MAX_BARS + 5
    specs = charts_for(_answer(*[m(i, i, "个", chart="多") for i in range(n)]), L)
    assert [len(s.labels) for s in specs] == [MAX_BARS, 5]
    assert specs[1].title == "多" + L.continued


def _grey(spec, fonts):
    """The chart rasterised and converted to grey, as a black-and-white printer sees it."""
    import io

    from PIL import Image

    from briefing.typeset.charts import render

    return Image.open(io.BytesIO(render(spec, 425, fonts, "png", dpi=100))).convert("L")


def _levels(img):
    """The grey levels of the chart's filled areas, most common first (white and text excluded)."""
    counts = sorted(enumerate(img.histogram()), key=lambda kv: -kv[1])
    return [level for level, n in counts if level < 245 and n > 200]


def test_bars_stay_dark_against_white_in_grayscale(doc, fonts):
    for a in doc.results.answers:
        for spec in charts_for(a, doc.labels):
            if spec.kind != "bars":
                continue
            levels = _levels(_grey(spec, fonts))
            assert levels and levels[0] < 120, (spec.title, levels[:3])  # bars print dark grey


def test_gauge_fill_and_remainder_differ_clearly_in_grayscale(fonts):
    spec = charts_for(_answer(m(1, 22.8, "%", kind="share"), m(2, 80.64, "%", kind="share")), L)[0]
    levels = _levels(_grey(spec, fonts))
    dark = min(levels[:2])
    light = max(levels[:2])
    assert light - dark >= 100, levels[:4]  # filled and unfilled are far apart in lightness
    assert 255 - light >= 20  # and the remainder is still visibly grey on white paper


def test_every_bar_carries_its_value_as_a_direct_label(doc, fonts):
    for a in doc.results.answers:
        for spec in charts_for(a, doc.labels):
            svg = render_svg(spec, 425, fonts)
            for text in spec.value_texts:
                assert f">{text}<" in svg
