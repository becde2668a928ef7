"""Loading the data: the real file's content, and messages that name file, line and field."""

from __future__ import annotations

import pytest

from briefing.data.load import load
from briefing.data.model import Quantity, format_number
from briefing.errors import DataError

from .conftest import DATA, made


def test_the_article_is_transcribed_whole(doc):
    assert [a.ordinal for a in doc.results.answers] == ["答卷一", "答卷二", "答卷三", "答卷四", "答卷五"]
    assert [p.ordinal for p in doc.plan.paths] == [f"路径{n}" for n in "一二三四五六"]
    assert doc.meeting.opening_date.isoformat() == "2023-03-20"
    assert all(a.paragraphs for a in doc.results.answers)
    assert all(p.targets for p in doc.plan.paths)


# Digits in the article that are names, not figures: a network generation, a scenic grade, a
# street number, a ranking's name, a year, the name "10分钟体育健身圈", "两个100亿元" (restated).
NOT_FIGURES = ("5G", "3A级", "666号", "500强", "2022年度", "10分钟", "两个100亿元", "四个100%")


def _numbers(text: str) -> list[str]:
    import re

    for name in NOT_FIGURES:
        text = text.replace(name, "")
    return re.findall(r"\d+(?:\.\d+)?", text)


def test_every_number_in_the_article_text_is_a_figure_of_the_data(doc):
    for a in doc.results.answers:
        figures = {format_number(m.value) for m in a.metrics}
        figures |= {format_number(m.growth) for m in a.metrics if m.growth is not None}
        missing = [n for n in _numbers("".join(a.paragraphs)) if n not in figures]
        assert not missing, (a.id, missing)
    for p in doc.plan.paths:
        figures = {format_number(q.value) for t in p.targets for q in t.quantities}
        missing = [n for n in _numbers("".join(p.paragraphs)) if n not in figures]
        assert not missing, (p.id, missing)
    assert doc.meeting.population.text() == "25万人"


def test_linked_figures(doc):
    links = {(m.id, q.text()) for _, _, q, m in doc.links()}
    assert ("new-urban-jobs", "2300人以上") in links
    assert ("sewage-outlets-fixed", "24个") in links
    assert ("tech-smes", "突破94家") in links
    assert ("market-entities-net", "3500户") in links
    assert ("above-scale-enterprises-net", "67家") in links
    assert ("village-collective-income", "20万元以上") in links
    assert ("good-air-days", "高于92.1%") in links


def test_typo_is_corrected_with_a_comment():
    text = DATA.read_text(encoding="utf-8")
    assert "人河" not in text.replace("“人河”", "").replace("24个人河排污口”", "")
    assert "入河排污口整治任务" in text
    assert "# 原文作“24个人河排污口”" in text


@pytest.mark.parametrize(
    "value, unit, comparator, shown",
    [(2300, "人", "以上", "2300人以上"), (100, "亿元", "达到", "达到100亿元"), (45, "%", "超", "超45%"),
     (121.39, "亿元", None, "121.39亿元"), (0.5, "%", None, "0.5%"), (60, "亿元", "左右", "60亿元左右")],
)
def test_quantity_text_is_written_as_the_article_writes_it(value, unit, comparator, shown):
    assert made(Quantity, value=value, unit=unit, comparator=comparator).text() == shown


def _write(tmp_path, text: str):
    p = tmp_path / "bad.yaml"
    p.write_text(text, encoding="utf-8")
    return p


def _problems(path) -> list[str]:
    with pytest.raises(DataError) as info:
        load(path)
    return [str(p) for p in info.value.problems]


def test_wrong_type_names_file_line_column_and_field(tmp_path):
    text = DATA.read_text(encoding="utf-8").replace("value: 121.39,", "value: 十五,", 1)
    p = _write(tmp_path, text)
    line = next(i for i, l in enumerate(text.splitlines(), 1) if "value: 十五" in l)
    msgs = _problems(p)
    assert len(msgs) == 1
    assert msgs[0].startswith(f"{p}:{line}:")
    assert "results.answers[0].metrics[1].value: 需要数字，得到 \"十五\"" in msgs[0]


def test_unknown_key_suggests_the_right_one(tmp_path):
    text = DATA.read_text(encoding="utf-8").replace("      targets:\n", "      tragets:\n", 1)
    msgs = _problems(_write(tmp_path, text))
    assert any("tragets: 未知字段 (unknown key)，是不是想写 targets？" in m for m in msgs)


def test_all_problems_at_once(tmp_path):
    text = DATA.read_text(encoding="utf-8")
    text = text.replace("value: 121.39,", "value: 十五,", 1).replace("opening_date: 2023-03-20", "opening_date: 三月二十日")
    text = text.replace("baseline: new-urban-jobs", "baseline: new-urban-job")
    msgs = _problems(_write(tmp_path, text))
    assert any("meeting.opening_date: 需要日期" in m for m in msgs)
    assert any("metrics[1].value" in m for m in msgs)


def test_baseline_that_does_not_exist(tmp_path):
    text = DATA.read_text(encoding="utf-8").replace("baseline: new-urban-jobs", "baseline: new-urban-job")
    msgs = _problems(_write(tmp_path, text))
    assert len(msgs) == 1
    assert "找不到 id 为 “new-urban-job” 的2022年指标，是不是想写 new-urban-jobs？" in msgs[0]


def test_missing_glyph_is_named_with_code_point(tmp_path, fonts):
    text = DATA.read_text(encoding="utf-8").replace("title: 综合实力稳步提升", "title: 综合实力稳步提升😀")
    p = _write(tmp_path, text)
    with pytest.raises(DataError) as info:
        load(p, missing_glyphs=fonts.missing)
    (problem,) = info.value.problems
    assert problem.field == "results.answers[0].title"
    assert "U+1F600" in problem.message


@pytest.mark.skipif(not getattr(__import__("yaml"), "__with_libyaml__", False),
                    reason="PyYAML without libyaml: only its own parser is ever used")
def test_libyaml_and_pyyaml_read_every_file_alike():
    """The fast parser must give the same values and the same line:column for every field."""
    from pathlib import Path

    import yaml

    from briefing.data.load import _compose, read_text

    root = Path(__file__).parent.parent
    texts = [read_text(f) for f in sorted((root / "data").glob("*.yaml")) + sorted((root / "tests" / "data").glob("*.yaml"))]
    texts.append("a:\n  b: {名称一二: 值, 第二: [一, 二], c: 2}\n  \"中文键\": 'x'\n  d: |\n    多行\n  e: 文字 # 注\n")
    for text in texts:
        assert _compose(yaml.CSafeLoader, text, "f") == _compose(yaml.SafeLoader, text, "f")
