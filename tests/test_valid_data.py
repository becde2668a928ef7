"""Property: every VALID data file, of any shape, builds a booklet that passes verification.

The strategy writes data files the way a clerk might: 1–15 answers and 1–15 paths, 0–40 key
figures and 0–100 targets in all, short and long texts (long unbroken Latin and digit runs,
clusters of punctuation, quotes and brackets, dashes and ellipses, typed line breaks), figures
from 0.00000000001 to 30 digits typed as the clerk would, and the optional parts (foreword,
closing, subtitle, population, last year's review, wording overrides) present or absent.

Nothing here is allowed to fail: a valid file that is refused (exit 2), or a booklet that
fails its own verification (exit 1), is a bug. The default run tries a few examples, to keep
the suite near a minute; ``BRIEFING_VALID_EXAMPLES=300`` runs many more (see README).
"""

from __future__ import annotations

import os
import re
import string

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from briefing.commands.build import build
from briefing.data.model import COMPARATORS

from .conftest import DATA

EXAMPLES = int(os.environ.get("BRIEFING_VALID_EXAMPLES", "5"))
# Bars a chart of the data may have here (a `chart` group, an answer's growth rates, its
# shares): more than a page's worth; a chart of more bars than fit the text block continues in
# a second chart (chartsize.bars_that_fit).
CHART_BARS = 20

# Characters the booklet's fonts draw: the 2023 article's own Chinese characters.
HANZI = sorted({c for c in DATA.read_text(encoding="utf-8") if "\u4e00" <= c <= "\u9fff"})
LATIN = string.ascii_letters
DIGITS = string.digits
PAUSES = "，。、；：？！"
CLUSTERS = ["”，", "”。", "。”", "’”", "，“", "）。", "），", "）、", "》、《", "”“", "）（", "：“", "！”", "？”",
            "——", "……", "”；", "。）", "（“", "》）", "『", "』"]


class Figure(str):
    """A figure as the clerk types it: YAML writes it unquoted, exactly these characters."""


_num = Figure


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(Figure, lambda d, f: d.represent_scalar(
    "tag:yaml.org,2002:float" if re.search(r"[.eE]", f) else "tag:yaml.org,2002:int", str(f)))

words = st.text(alphabet=st.sampled_from(HANZI), min_size=1, max_size=12)
pieces = st.one_of(
    words, words, words,
    st.sampled_from(PAUSES),
    st.sampled_from(CLUSTERS),
    words.map(lambda w: f"“{w}”"),
    words.map(lambda w: f"（{w}）"),
    words.map(lambda w: f"《{w}》"),
    st.text(alphabet=LATIN + DIGITS, min_size=1, max_size=8),
    st.integers(0, 10**6).map(lambda n: f"{n}亿元"),
    st.text(alphabet=LATIN, min_size=40, max_size=300),  # a long unbroken Latin run
    st.text(alphabet=DIGITS, min_size=20, max_size=80),  # a long number
    st.just(" "),
)


def text(max_pieces: int = 30, max_size: int = 2000, newlines: bool = False):
    parts = st.one_of(pieces, st.just("\n")) if newlines else pieces
    return st.lists(parts, min_size=1, max_size=max_pieces).map(
        lambda ps: "".join(ps)[:max_size].strip()).filter(bool)


short = text(4, 40)
title = text(6, 120)

figures = st.one_of(
    st.integers(0, 10**6).map(str),
    st.integers(10**20, 10**30).map(str),  # more digits than a float holds
    st.sampled_from(["0.00000000001", "121.390", "10.0", "0.5", "3.46", "99.99", "1e-11", "1.5e3"]),
    st.decimals(min_value=0, max_value=10**7, places=2, allow_nan=False).map(str),
).map(_num)
percent = st.decimals(min_value=0, max_value=100, places=1, allow_nan=False).map(lambda d: _num(str(d)))
growth = st.decimals(min_value=-50, max_value=200, places=2, allow_nan=False).map(lambda d: _num(str(d)))
units = st.one_of(st.sampled_from(["", "亿元", "万元", "个", "家", "人", "%", "公里", "亩"]), text(2, 10))


@st.composite
def briefing(draw):
    ids = iter(f"id-{n}" for n in range(10_000))
    n_answers = draw(st.integers(1, 15))
    n_paths = draw(st.integers(1, 15))
    metric_total = draw(st.integers(0, 40))
    target_total = draw(st.integers(0, 100))
    per_answer = [0] * n_answers
    for _ in range(metric_total):
        per_answer[draw(st.integers(0, n_answers - 1))] += 1
    per_path = [0] * n_paths
    for _ in range(target_total):
        per_path[draw(st.integers(0, n_paths - 1))] += 1

    metrics: list[dict] = []
    answers = []
    for n in range(n_answers):
        answer_metrics = []
        chart_units: dict[str, str] = {}
        chart_sizes: dict[str, int] = {}
        for _ in range(per_answer[n]):
            kind = draw(st.sampled_from(["amount", "amount", "growth", "share"]))
            if chart_sizes.get(f"({kind})", 0) >= CHART_BARS:
                kind = "amount"  # growth rates and shares are charted together: keep each chart short
            m = {"id": next(ids), "label": draw(title)}
            if kind == "amount":
                m.update(value=draw(figures), unit=draw(units))
                chart = draw(st.sampled_from(["图一", "图二", draw(short)]))
                if draw(st.booleans()) and chart_sizes.get(chart, 0) < CHART_BARS:
                    m["unit"] = chart_units.setdefault(chart, m["unit"])
                    m["chart"] = chart
                    chart_sizes[chart] = chart_sizes.get(chart, 0) + 1
            else:
                m.update(value=draw(percent if kind == "share" else growth), unit="%", kind=kind)
                chart_sizes[f"({kind})"] = chart_sizes.get(f"({kind})", 0) + 1
            if draw(st.booleans()) and chart_sizes.get("(growth)", 0) < CHART_BARS:
                m["growth"] = draw(growth)
                chart_sizes["(growth)"] = chart_sizes.get("(growth)", 0) + 1
            if draw(st.integers(0, 4)) == 0:
                m["comparator"] = draw(st.sampled_from(sorted(COMPARATORS)))
            answer_metrics.append(m)
        metrics += answer_metrics
        answers.append({
            "id": next(ids), "ordinal": draw(text(2, 20)), "title": draw(title),
            "paragraphs": draw(st.lists(text(newlines=True), max_size=3)),
            "metrics": answer_metrics,
            "achievements": draw(st.lists(text(10, 300), max_size=4)),
        })

    paths = []
    for n in range(n_paths):
        targets = []
        for _ in range(per_path[n]):
            quantities = []
            for _ in range(draw(st.integers(0, 2))):
                q = {"value": draw(figures), "unit": draw(units)}
                if draw(st.booleans()):
                    q["comparator"] = draw(st.sampled_from(sorted(COMPARATORS)))
                if metrics and draw(st.booleans()):
                    base = draw(st.sampled_from(metrics))
                    q["baseline"] = base["id"]
                    if base["unit"] != q["unit"]:
                        q["baseline_note"] = draw(short)
                if draw(st.integers(0, 3)) == 0:
                    q["label"] = draw(short)
                quantities.append(q)
            targets.append({"text": draw(text(20, 500)), "quantities": quantities})
        paths.append({"id": next(ids), "ordinal": draw(text(2, 20)), "title": draw(title),
                      "paragraphs": draw(st.lists(text(newlines=True), max_size=2)), "targets": targets})

    year = draw(st.integers(2000, 2100))
    meeting = {"district": draw(short), "city": draw(short), "year": year, "name": draw(text(6, 40)),
               "opening_date": f"{year}-03-{draw(st.integers(1, 28)):02d}", "office": draw(text(6, 40)),
               "headline": draw(text(8, 120, newlines=True))}
    if draw(st.booleans()):
        meeting["subtitle"] = draw(text(6, 60))
    if draw(st.booleans()):
        meeting["population"] = {"value": draw(figures), "unit": "万人"}
    data = {
        "meeting": meeting,
        "source": {"publication": draw(short), "title": draw(title)},
        "foreword": draw(st.lists(text(newlines=True), max_size=3)),
        "results": {"year": year - 1, "title": draw(title),
                    "paragraphs": draw(st.lists(text(), max_size=2)), "answers": answers},
        "plan": {"year": year, "title": draw(title), "paragraphs": draw(st.lists(text(), max_size=2)),
                 "paths": paths},
        "closing": draw(st.lists(text(), max_size=2)),
    }
    if draw(st.booleans()):
        data["source"]["credits"] = draw(text(6, 100))
    if draw(st.integers(0, 3)) == 0:
        data["review"] = {"year": year - 1, "paths": [
            {"ordinal": draw(text(2, 20)), "title": draw(title), "targets": [
                {"text": draw(text(10, 300)),
                 "quantities": [{"value": draw(figures), "unit": draw(units),
                                 **({"result": draw(figures)} if draw(st.booleans()) else {})}
                                for _ in range(draw(st.integers(0, 2)))],
                 **({"status": draw(st.sampled_from(["达成", "基本达成", "未达成", "进行中"]))}
                    if draw(st.booleans()) else {})}
                for _ in range(draw(st.integers(0, 4)))]}
            for _ in range(draw(st.integers(1, 3)))]}
    if draw(st.booleans()):
        data["labels"] = {k: draw(short) for k in draw(st.sets(st.sampled_from(
            ["foreword", "checklist", "achievements", "key_figures", "closing", "notes", "check_target"]),
            max_size=3))}
    return data


@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large, HealthCheck.large_base_example])
@given(briefing(), st.sampled_from(["a4", "a5"]))
def test_every_valid_file_builds_a_verified_booklet(tmp_path_factory, data, paper):
    folder = tmp_path_factory.mktemp("valid")
    src = folder / "data.yaml"
    src.write_text(yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False), encoding="utf-8")
    result = build(src, folder / "booklet.pdf", paper=paper)
    assert result.report.ok, result.report.failures()
    assert sorted(p.name for p in folder.iterdir()) == ["booklet.pdf", "data.yaml"]


def test_fourteen_bars_of_long_labels_fit_an_a5_page(tmp_path):
    data = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    answer = data["results"]["answers"][0]
    answer["metrics"] = [{"id": f"m{i}", "label": "规模以上工业企业主营业务收入与利润总额合计" + str(i),
                          "value": 10 + i, "unit": "亿元", "chart": "十四项"} for i in range(14)]
    data["plan"]["paths"] = [dict(p, targets=[]) for p in data["plan"]["paths"]]
    src = tmp_path / "data.yaml"
    src.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    assert build(src, tmp_path / "b.pdf", paper="a5").report.ok
