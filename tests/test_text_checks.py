"""The text half of verify: each check passes on what we build and fails on a PDF built to break
it; and the layout cases those checks were written for (a paragraph split across pages, a
100,000-character paragraph, figures typed with 30 digits or an exponent, short sections)."""

from __future__ import annotations

import copy
import re
import shutil
import subprocess
from collections import Counter

import pytest
import yaml
from pypdf import PdfReader

from briefing.check import paragraphs
from briefing.check.content import Walker
from briefing.check.verify import min_pages, verify
from briefing.commands.build import build
from briefing.data.load import load
from briefing.errors import VerificationError
from briefing.typeset import linebreak, text

from .conftest import DATA, SAMPLE, forget_lines

BASE = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))


def write(tmp_path, data: dict, name: str = "data.yaml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def failures_of(path, out, **kw) -> list[str]:
    """The failed checks of a build (the booklet is then not delivered)."""
    with pytest.raises(VerificationError) as info:
        build(path, out, **kw)
    assert not out.exists()
    return info.value.failures


def chains(pdf, paragraph: str) -> int:
    """How many times the page content spells ``paragraph`` whole, across the pages it takes
    (the paragraph check's own reading: the running heads between the pages are not in it)."""
    blocks = paragraphs.page_blocks(list(Walker(PdfReader(pdf)).pages()))
    return sum(1 for j in range(len(blocks)) if paragraphs._chain(blocks, j, re.sub(r"\s+", "", paragraph)))


def squeezed_pages(pdf) -> str:
    reader = PdfReader(pdf)
    return "".join(re.sub(r"\s+", "", c.text()) for c in Walker(reader).pages())


# -- each check fails on a PDF built to break it ----------------------------------------------

PAIRS = "这一年，该区启动“首峰夜话”“首峰大讲堂”系列活动（共12场），“四个100%”。" * 4


def test_an_uncompressed_pair_fails_the_compression_check(tmp_path, monkeypatch):
    data = copy.deepcopy(BASE)
    data["foreword"] = [PAIRS]
    src = write(tmp_path, data)
    assert build(src, tmp_path / "ok.pdf").report.ok
    monkeypatch.setattr(linebreak, "compressible", lambda a, b: False)  # the layout stops compressing
    forget_lines()  # the lines of the good build are not kept for this one
    problems = str(failures_of(src, tmp_path / "bad.pdf"))
    assert "punctuation compressed" in problems and "not compressed" in problems


@pytest.mark.parametrize("where", ["title", "label"])
def test_a_glyph_the_font_lacks_fails_the_missing_glyph_check(tmp_path, monkeypatch, where):
    """The loader names every character the fonts cannot draw; were one to slip past it (a tab
    in a title once did, drawn as a box in the running head), verify finds the .notdef glyph
    (code 0, with no text behind it) on the page, wherever it is drawn, and the booklet is not
    delivered. The message shows it as □ in the text around it."""
    from briefing.fonts.register import FontSet

    data = copy.deepcopy(BASE)
    answer = data["results"]["answers"][0]
    if where == "title":
        answer["title"] = "示例\u2009经济"
    else:
        answer["metrics"][0]["label"] = "地区\u2009生产总值"
    src = write(tmp_path, data)
    monkeypatch.setattr(FontSet, "missing", lambda self, text: [])  # the loader's check switched off
    problems = str(failures_of(src, tmp_path / "bad.pdf"))
    assert "no missing glyph" in problems and ("示例□" if where == "title" else "地区□") in problems, problems


def test_a_line_of_one_character_fails_the_lone_line_check(tmp_path, monkeypatch):
    data = copy.deepcopy(BASE)
    # A4 body: 38 characters a line, 36 after the indent; the third line would hold 义。 alone.
    data["foreword"] = [("一二三四五六七八九十" * 8)[:36 + 38] + "义。"]
    src = write(tmp_path, data)
    assert build(src, tmp_path / "ok.pdf").report.ok
    monkeypatch.setattr(linebreak, "_mend_lone", lambda *a: None)  # the breaker leaves 义。 alone
    forget_lines()  # the lines of the good build are not kept for this one
    problems = str(failures_of(src, tmp_path / "bad.pdf", paper="a4"))
    assert "no line of one character" in problems and "义。" in problems


def test_a_split_paragraph_printed_again_from_its_start_fails_the_paragraph_check(tmp_path, monkeypatch):
    """The duplicated-text bug as it was: a split-off part set again from the paragraph's whole
    text. The parts now carry only their own text; with the old behaviour put back, verify sees
    the repeat."""
    data = copy.deepcopy(BASE)
    data["foreword"] = ["".join(f"第{i}句话说的是示例内容。" for i in range(200))]
    src = write(tmp_path, data)
    result = build(src, tmp_path / "ok.pdf")
    flat = squeezed_pages(result.output)
    assert all(flat.count(f"第{i}句话") == 1 for i in range(200))

    real = text.TextBlock._part

    def repeating_part(self, span, lines, width, continues, indent_first):
        if indent_first:  # the head, as it is
            return real(self, span, lines, width, continues, indent_first)
        every = self.lines(width)  # the tail starts again three lines back, as a re-break from
        back = every[max(0, every.index(lines[0]) - 3):]  # the paragraph's whole text once did
        return real(self, (back[0].start, span[1]), back, width, continues, indent_first)

    monkeypatch.setattr(text.TextBlock, "_part", repeating_part)
    problems = str(failures_of(src, tmp_path / "bad.pdf"))
    assert "every paragraph once, in order" in problems


def test_a_paragraph_drawn_twice_fails_the_paragraph_check(tmp_path, monkeypatch):
    data = copy.deepcopy(BASE)
    data["closing"] = ["结语段落，只在结语里出现一次的文字。"]
    src = write(tmp_path, data)
    real = text.TextBlock.draw

    def twice(self):
        real(self)
        if "只在结语里" in self.text:
            self.canv.translate(0, -40)
            real(self)

    monkeypatch.setattr(text.TextBlock, "draw", twice)
    problems = str(failures_of(src, tmp_path / "bad.pdf"))
    assert "printed 2 times" in problems


def test_a_paragraph_left_out_fails_the_paragraph_check(tmp_path, monkeypatch):
    src = write(tmp_path, BASE)
    real = text.TextBlock.draw
    monkeypatch.setattr(text.TextBlock, "draw", lambda self: None if "所有数字均为虚构" in self.text else real(self))
    problems = str(failures_of(src, tmp_path / "bad.pdf"))
    assert "not printed anywhere" in problems


# -- what the checks accept follows from the layout ------------------------------------------

def test_three_answers_and_three_paths_that_share_pages_are_not_refused(tmp_path):
    """verify.min_pages once assumed a page per section; short sections share pages."""
    data = copy.deepcopy(BASE)
    answer, path = data["results"]["answers"][1], data["plan"]["paths"][1]
    data["results"]["answers"] = [dict(answer, id=f"a{i}", ordinal=f"成绩{i}") for i in range(3)]
    data["plan"]["paths"] = [dict(path, id=f"p{i}", ordinal=f"方向{i}") for i in range(3)]
    src = write(tmp_path, data)
    result = build(src, tmp_path / "b.pdf")
    assert result.report.ok
    assert result.report.pages < 6 + 3 + 3  # fewer than the old "a page per section"
    assert result.report.pages >= min_pages(load(src))


def test_min_pages_counts_the_pages_the_layout_always_starts():
    doc = load(DATA)
    assert min_pages(doc) == 6 + 3  # foreword, comparison and closing; no review in 2023
    assert min_pages(load(SAMPLE)) == 6 + 2  # foreword and comparison


def test_a_text_that_begins_with_a_closing_mark_is_not_a_broken_line(tmp_path):
    data = copy.deepcopy(BASE)
    data["plan"]["paths"][0]["targets"][1]["text"] = "，这是一个以逗号开头的目标"
    data["foreword"] = ["”开头就是引号的段落。"]
    assert build(write(tmp_path, data), tmp_path / "b.pdf").report.ok


# -- long text, figures as written --------------------------------------------------------------

def test_a_100000_character_paragraph_prints_every_character_exactly_once(tmp_path):
    sentences = [f"第{i}句，“测试”——长段落（{i % 7}）。" for i in range(5100)]
    paragraph = "".join(sentences)[:100_000]
    assert len(paragraph) == 100_000
    data = copy.deepcopy(BASE)
    data["foreword"] = [paragraph]
    result = build(write(tmp_path, data), tmp_path / "long.pdf")
    assert result.report.ok
    assert chains(result.output, paragraph) == 1  # the whole paragraph, in order, across its pages
    flat = squeezed_pages(result.output)
    for ch in "句段落":  # characters the rest of the booklet does not print
        assert flat.count(ch) == paragraph.count(ch), ch


def test_a_word_of_5000_letters_builds(tmp_path):
    data = copy.deepcopy(BASE)
    data["foreword"] = ["这是一个很长的词：" + "a" * 5000 + "。"]
    result = build(write(tmp_path, data), tmp_path / "word.pdf")
    assert chains(result.output, data["foreword"][0]) == 1


def test_figures_print_as_the_data_wrote_them(tmp_path):
    raw = SAMPLE.read_text(encoding="utf-8")
    raw = raw.replace("value: 987.65", "value: 123456789012345678901234567890")
    raw = raw.replace("value: 12.5", "value: 1e-11")
    raw = raw.replace("value: 73,", "value: 10.0,")
    src = tmp_path / "figures.yaml"
    src.write_text(raw, encoding="utf-8")
    result = build(src, tmp_path / "f.pdf")
    flat = squeezed_pages(result.output)
    for figure in ("123456789012345678901234567890亿元", "0.00000000001亿元", "10.0家"):
        assert figure in flat, figure
    assert "0亿元" not in flat.replace("0.00000000001亿元", "").replace("890亿元", "")


def test_quoted_figures_are_still_refused(tmp_path):
    from briefing.errors import DataError

    raw = SAMPLE.read_text(encoding="utf-8").replace("value: 987.65", 'value: "987.65"')
    src = tmp_path / "quoted.yaml"
    src.write_text(raw, encoding="utf-8")
    with pytest.raises(DataError) as info:
        load(src)
    assert "需要数字" in str(info.value.problems)


def test_the_default_booklets_pass_the_text_checks(booklet):
    report = verify(booklet.output, load(DATA))
    names = {c.name: c for c in report.checks}
    for name in ("no line of one character", "punctuation compressed", "every paragraph once, in order",
                 "line breaking (clreq)"):
        assert names[name].ok, names[name].detail


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler's pdftotext is an optional cross-check")
def test_pdftotext_reads_compressed_lines_exactly(booklet, doc):
    """Compression moves glyphs by kerning only: pdftotext gives every character back, and adds
    none (no space where a pair was closed up, none at a trimmed line start or end)."""
    page = subprocess.run(["pdftotext", "-f", "3", "-l", "3", str(booklet.output), "-"], capture_output=True,
                          text=True, check=True).stdout
    joined = page.replace("\n", "")
    for paragraph in doc.foreword:  # the foreword's quotes: ”，  ’”  “…” at line starts and ends
        assert paragraph in joined, paragraph
    whole = subprocess.run(["pdftotext", str(booklet.output), "-"], capture_output=True, text=True,
                           check=True).stdout
    drawn = "".join(r.text for c in Walker(PdfReader(booklet.output)).pages() for r in c.runs)
    assert Counter(re.sub(r"\s+", "", whole)) == Counter(re.sub(r"\s+", "", drawn))
