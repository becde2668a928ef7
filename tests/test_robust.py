"""Extreme but valid data lays out inside the page; data text is printed, never interpreted."""

from __future__ import annotations

import pytest
from pypdf import PdfReader

from briefing.check.verify import placed_text
from briefing.commands.build import build
from briefing.commands.entry import main
from briefing.typeset.document import fit
from briefing.typeset.paper import PAPERS

from .conftest import ROOT, SAMPLE

DATA = ROOT / "tests" / "data"
A4 = PAPERS["a4"]


text_origins = placed_text  # the verifier's own page-space positions


@pytest.fixture(scope="module")
def large(tmp_path_factory):
    return build(DATA / "edge-large.yaml", tmp_path_factory.mktemp("edge") / "large.pdf")


def test_large_fixture_builds_and_verifies(large):
    assert large.report.ok, large.report.failures()


def test_long_checklist_repeats_its_header_on_every_page(large):
    reader = PdfReader(large.output)
    pages = [p.extract_text() for p in reader.pages]
    start = next(i for i, t in enumerate(pages) if "目标清单" in t)
    eighty = [t for t in pages[start:] if "项示例目标" in t or "项目标：" in t]
    assert len(eighty) >= 4  # 80 targets cannot fit on fewer pages
    assert all("完成情况/备注" in t for t in eighty)
    for i in range(80):
        assert any(f"第{i}项" in t for t in pages), i


def test_nothing_is_drawn_outside_the_paper(large):
    reader = PdfReader(large.output)
    margin = 10 * 72 / 25.4  # nothing within 10 mm of the edge on any page
    for n, page in enumerate(reader.pages, 1):
        for x, y, text in text_origins(page):
            assert margin <= x <= A4.width - margin, (n, x, text)
            assert margin <= y <= A4.height - margin, (n, y, text)


def test_minimal_fixture_with_empty_optional_lists(tmp_path):
    result = build(DATA / "edge-minimal.yaml", tmp_path / "min.pdf")
    assert result.report.ok, result.report.failures()
    text = "".join(p.extract_text() for p in PdfReader(result.output).pages)
    assert "没有数字也没有成绩的答卷" in text and "没有目标的路径" in text


MARKUP = [
    "标题 & <b>不应加粗</b>",
    '<img src="/etc/passwd"/>',
    '<font color="red">红</font> &amp; 实体',
    '<i>斜体</i> & <a href="#x">锚</a>',
    '正文 <br/> 不换行 & <onDraw name="x"/> $100万',
    "<b>指标</b> & $x$",
    '<strike>成绩</strike> & <seq id="s"/>',
    "<para>路径</para>",
    '<link href="http://example.invalid/">链接</link>',
    "目标 <b>&lt;粗&gt;</b>",
]


def test_markup_in_the_data_is_printed_as_typed(tmp_path, monkeypatch):
    opened = []
    import builtins

    real_open = builtins.open

    def spy(file, *a, **k):
        opened.append(str(file))
        return real_open(file, *a, **k)

    monkeypatch.setattr(builtins, "open", spy)
    result = build(DATA / "markup.yaml", tmp_path / "m.pdf")
    monkeypatch.undo()
    assert result.report.ok, result.report.failures()
    flat = "".join("".join(p.extract_text().split()) for p in PdfReader(result.output).pages)
    for piece in MARKUP:
        assert "".join(piece.split()) in flat, piece
    assert not any("passwd" in f or f.endswith("x.png") for f in opened)
    outline = [i.title for i in PdfReader(result.output).outline if not isinstance(i, list)]
    assert '2030年 <font color="red">红</font> &amp; 实体' in outline


def test_running_header_is_cut_to_fit():
    from briefing.fonts.register import register
    from briefing.typeset.styles import styles_for

    st = styles_for("a4", register()).header
    from reportlab.pdfbase.pdfmetrics import stringWidth

    cut = fit("很长的标题" * 40, st, 200)
    assert cut.endswith("…") and stringWidth(cut, st.font, st.size) <= 200
    assert fit("短标题", st, 200) == "短标题"


def test_output_folder_that_cannot_be_created_is_a_clear_error(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    assert main(["build", str(SAMPLE), "-o", str(blocker / "sub" / "b.pdf"), "-q"]) == 2
    err = capsys.readouterr().err
    assert "无法创建输出文件夹" in err and "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]


def test_output_that_is_a_folder_is_a_clear_error(tmp_path, capsys):
    (tmp_path / "b.pdf").mkdir()
    assert main(["build", str(SAMPLE), "-o", str(tmp_path / "b.pdf"), "-q"]) == 2
    assert "是一个文件夹" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.pdf"]
