"""A made-up district (tests/data/sample-small.yaml) builds too: nothing is wired to 2023 Yanfeng."""

from __future__ import annotations

from pypdf import PdfReader

from briefing.check.verify import squeeze
from briefing.commands.build import build
from briefing.data.load import load

from .conftest import SAMPLE


def test_sample_builds_verified_with_its_own_content(tmp_path):
    result = build(SAMPLE, tmp_path / "sample.pdf")
    assert result.report.ok, result.report.failures()
    doc = load(SAMPLE)
    text = squeeze("".join(p.extract_text() for p in PdfReader(result.output).pages))
    for figure in doc.figures():
        assert squeeze(figure) in text
    assert "示例区" in text and "下降2.5%" in text
    reader = PdfReader(result.output)
    content = "".join(p.extract_text() for p in reader.pages[:-1])  # all but the back cover
    for yanfeng in ("雁峰", "衡阳", "答卷", "路径", "2023", "2022"):
        assert yanfeng not in content, yanfeng
    # The back cover carries the booklet's own date (no issue_date: the opening date), never
    # the build's (SOURCE_DATE_EPOCH is 2023-03-20 in conftest), which is in the metadata only.
    back = reader.pages[-1].extract_text()
    assert "印发日期：2031年2月14日" in back and "2023" not in back
    assert reader.metadata.author == "示例区人民政府办公室（示例）"
    outline = [i.title for i in reader.outline if not isinstance(i, list)]
    assert "2030，示例之年" in outline


def test_qualitative_answer_shows_its_achievements_not_a_chart(tmp_path):
    result = build(SAMPLE, tmp_path / "sample.pdf")
    text = "".join(p.extract_text() for p in PdfReader(result.output).pages)
    assert "示例公园建成开放" in text
