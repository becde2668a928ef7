"""Ranges (value_max), the added comparators and their review rules."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from briefing.data.model import Metric, ReviewQuantity, TargetQuantity
from briefing.data.review import quantity_status

from .conftest import made


def test_a_range_prints_as_the_standard_writes_it():
    assert made(TargetQuantity, value=6, value_max=6.5, unit="%").text() == "6%—6.5%"
    assert made(TargetQuantity, value=5000, value_max=8000, unit="万元", comparator="约").text() == "约5000—8000万元"


def test_a_range_must_rise():
    with pytest.raises(ValidationError, match="value_max"):
        made(TargetQuantity, value=6, value_max=6, unit="%")


def test_a_metric_id_may_be_chinese():
    assert made(Metric, id="新增城镇就业", label="新增城镇就业", value=1).id == "新增城镇就业"
    with pytest.raises(ValidationError):
        made(Metric, id="新增 就业", label="x", value=1)


@pytest.mark.parametrize("value, value_max, comparator, result, status", [
    (6, 6.5, None, 6.2, "达成"), (6, 6.5, None, 7, "达成"), (6, 6.5, None, 5.5, "基本达成"),
    (6, 6.5, None, 4, "未达成"), (2, 3, "以内", 2.9, "达成"), (2, 3, "以内", 3.2, "基本达成"),
    (60, None, "不少于", 60, "达成"), (60, None, "至少", 50, "未达成"),
    (30, None, "不超过", 30, "达成"), (30, None, "不高于", 32, "基本达成"), (5.5, None, "低于", 5.5, "基本达成"),
    (5.5, None, "低于", 5.4, "达成"), (4.5, None, "控制在", 4.4, "达成"), (60, None, "约", 58, "达成"),
    (300, None, "近", 240, "未达成"),
])
def test_status_of_ranges_and_the_added_comparators(value, value_max, comparator, result, status):
    q = made(ReviewQuantity, value=value, value_max=value_max, unit="x", comparator=comparator, result=result)
    assert quantity_status(q) == status


def test_a_booklet_with_ranges_prints_and_verifies_them(tmp_path):
    from pypdf import PdfReader

    from briefing.commands.build import build

    from .conftest import SAMPLE

    text = SAMPLE.read_text(encoding="utf-8")
    text = text.replace("{id: ex-firms, label: 示例企业净增, value: 73, unit: 家}",
                        "{id: ex-firms, label: 示例企业净增, value: 73, value_max: 80, unit: 家}")
    text = text.replace("[{value: 1234, unit: 个, comparator: 左右}]", "[{value: 6, value_max: 6.5, unit: \"%\"}]")
    assert "value_max: 80" in text and "value_max: 6.5" in text
    data = tmp_path / "ranges.yaml"
    data.write_text(text, encoding="utf-8")
    result = build(data, tmp_path / "ranges.pdf")
    assert result.report.ok
    pages = "".join(p.extract_text() for p in PdfReader(result.output).pages)
    assert "6%—6.5%" in pages and "73—80家" in pages
