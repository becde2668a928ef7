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
    # The back cover's build date follows SOURCE_DATE_EPOCH (fixed to 2023-03-20 in conftest).
    assert "生成日期：2023年3月20日" in reader.pages[-1].extract_text()
    assert reader.metadata.author == "示例区人民政府办公室（示例）"
    outline = [i.title for i in reader.outline if not isinstance(i, list)]
    assert "2030，示例之年" in outline


def test_qualitative_answer_shows_its_achievements_not_a_chart(tmp_path):
    result = build(SAMPLE, tmp_path / "sample.pdf")
    text = "".join(p.extract_text() for p in PdfReader(result.output).pages)
    assert "示例公园建成开放" in text
