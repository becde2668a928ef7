"""The memo of line breaks and placed lines that a process keeps across builds (``watch``):
a hit is exactly a fresh break, anything that decides the lines is in its key, it is bounded,
and a booklet built with a warm memo is byte for byte the one built cold."""

from __future__ import annotations

import shutil

import pytest
from reportlab.pdfbase import pdfmetrics

from briefing.commands.build import build
from briefing.fonts.register import FACES, char_width, font_dir, memo, register
from briefing.memo import Memo
from briefing.typeset.linebreak import break_lines, place
from briefing.typeset.text import broken, placed

from .conftest import DATA, SAMPLE, forget_lines

TEXTS = [
    "3月20日，2023年雁峰区两会时间在百花争艳的春天正式开启，肩负庄严使命的代表委员齐聚一堂，共商发展大计。",
    "“一核四新”——现代化新雁峰（2023年）。《政府工作报告》提出：GDP增长6.5%，121.39亿元……",
    "  Leading spaces, then words: ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 and 5G.",
    "启航！\n向“一核四新”现代化新雁峰迈进",
    "a\n   \nb",
    "",
]


@pytest.mark.parametrize("text", TEXTS)
@pytest.mark.parametrize("width, indent, trim", [(300.0, 22.0, True), (120.0, 0.0, False), (float("inf"), 0.0, True)])
def test_a_hit_is_a_fresh_break(fonts, text, width, indent, trim):
    m = memo(fonts.serif)
    fresh = break_lines(text, [width], char_width(fonts.serif, 11), 11, indent, compress=True, trim=trim)
    first = broken(text, fonts.serif, 11, [width], indent, trim=trim)
    size = len(m)
    again = broken(text, fonts.serif, 11, [width], indent, trim=trim)
    assert len(m) == size  # the second came from the memo
    assert first == again == fresh
    for line in fresh:
        assert placed(line, fonts.serif, 11, width, True) == place(line, char_width(fonts.serif, 11), 11, width, True)


def test_callers_get_their_own_list(fonts):
    lines = broken(TEXTS[0], fonts.serif, 11, [200.0])
    kept = list(lines)
    lines[-1] = lines[0]
    lines.append(lines[0])
    assert broken(TEXTS[0], fonts.serif, 11, [200.0]) == kept


@pytest.mark.parametrize("change", [
    {"text": TEXTS[0].replace("春天", "夏天")},
    {"widths": [201.0]},
    {"size": 10.5},
    {"first_indent": 21.0},
    {"trim": False},
    {"compress": False},
    {"pieces": ["3月20日，", TEXTS[0][len("3月20日，"):]]},
])
def test_anything_that_decides_the_lines_is_in_the_key(fonts, change):
    base = {"text": TEXTS[0], "widths": [200.0], "size": 11.0, "first_indent": 22.0, "pieces": None,
            "compress": True, "trim": True}
    m = memo(fonts.serif)
    broken(font=fonts.serif, **base)
    size = len(m)
    args = {**base, **change}
    got = broken(font=fonts.serif, **args)
    assert len(m) == size + 1  # a miss: broken afresh, and kept beside the other
    assert got == break_lines(args["text"], args["widths"], char_width(fonts.serif, args["size"]), args["size"],
                              args["first_indent"], args["pieces"], args["compress"], args["trim"])


def test_each_face_has_its_own_memo_and_another_file_another(fonts, tmp_path):
    assert len({id(memo(name)) for name in fonts.names.values()}) == 3
    text = TEXTS[0]
    assert broken(text, fonts.serif, 11, [200.0]) != broken(text, fonts.sans_bold, 11, [200.0])  # other metrics
    changed = tmp_path / "fonts"
    shutil.copytree(font_dir(), changed)
    with open(changed / FACES["serif"], "ab") as fh:
        fh.write(b"\0" * 16)  # the same face in another file: a new digest, so a new font object
    other = register(changed)
    assert other.serif != fonts.serif
    assert pdfmetrics.getFont(other.serif).face is not pdfmetrics.getFont(fonts.serif).face  # the new file's
    assert memo(other.serif) is not memo(fonts.serif)
    assert len(memo(other.serif)) == 0


def test_a_font_we_did_not_register_keeps_no_memo():
    assert memo("Helvetica") is None
    assert broken("a b c", "Helvetica", 10, [5.0]) == break_lines("a b c", [5.0], char_width("Helvetica", 10), 10,
                                                                  compress=True)


def test_the_memo_is_bounded_and_keeps_what_was_used_last():
    m = Memo(3)  # as a face's memo counts: each entry is one of its MEMO_SIZE
    for n in range(3):
        m.put(("k", n), 1, n)
    assert m.peek(("k", 0)) == 0  # now the most recently used
    m.put(("k", 3), 1, 3)
    m.put(("k", 4), 1, 4)
    assert len(m) == 3
    assert [m.peek(("k", n)) for n in range(5)] == [0, None, None, 3, 4]


def test_a_booklet_built_with_a_warm_memo_is_the_one_built_cold(fonts, tmp_path):
    forget_lines()
    cold = build(DATA, tmp_path / "cold.pdf", cache=None).output.read_bytes()
    assert len(memo(fonts.serif)) > 0
    warm = build(DATA, tmp_path / "warm.pdf", cache=None).output.read_bytes()
    assert warm == cold
    # A memo warmed by another booklet (the A5 paper, other data) changes nothing either.
    build(SAMPLE, tmp_path / "other.pdf", paper="a5", cache=None)
    assert build(DATA, tmp_path / "again.pdf", cache=None).output.read_bytes() == cold


@pytest.mark.parametrize("edit", ["一年之计在于春（第二稿）", "一年之计在于春，龘"])
def test_an_edit_built_warm_is_the_edit_built_cold(fonts, tmp_path, edit):
    """After an edit the lines it left alone come from the memo: their breaks, their places
    and the operators that write them (``text._line_ops``, keyed by the codes this document
    gives the glyphs). A character new to the booklet, drawn early, renumbers the glyphs of
    every later line: those keys change, and the file is still the one built cold."""
    forget_lines()
    build(DATA, tmp_path / "first.pdf", cache=None)  # the memo warm with the booklet before the edit
    data = tmp_path / "d.yaml"
    data.write_text(DATA.read_text(encoding="utf-8").replace("一年之计在于春", edit, 1), encoding="utf-8")
    warm = build(data, tmp_path / "warm.pdf", cache=None).output.read_bytes()
    forget_lines()
    cold = build(data, tmp_path / "cold.pdf", cache=None).output.read_bytes()
    assert warm == cold
