"""Hostile or careless input files: a message naming file, line and field; never a hang, a
traceback or a MemoryError. (The fixed corpus is tests/bad/; these cases are made on the spot:
FIFOs, devices, NUL bytes, sizes and depths beyond the limits.)"""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
import time

import pytest

from briefing.commands.entry import main
from briefing.data import load as load_module
from briefing.data.load import MAX_DEPTH, MAX_KEY, MAX_NODES, MAX_STRING, load
from briefing.errors import DataError, printable

from .conftest import ROOT, SAMPLE, run

GOOD = SAMPLE.read_text(encoding="utf-8")


def refused(path, capsys, *words) -> str:
    """Build ``path``: exit 2, no traceback, nothing written, and each word in the message."""
    out = path.parent / "never.pdf"
    assert main(["build", str(path), "-o", str(out), "-q"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert not out.exists()
    for w in words:
        assert w in err, err
    return err


# -- only regular files are read, and only so much of them ---------------------------------------

def test_a_fifo_is_refused_without_reading_it(tmp_path, capsys):
    fifo = tmp_path / "data.yaml"
    os.mkfifo(fifo)  # nobody will ever write to it: reading it would wait for ever
    start = time.monotonic()
    refused(fifo, capsys, str(fifo), "FIFO")
    assert time.monotonic() - start < 10


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom", "/dev/null"])
def test_devices_are_refused_by_kind(device, capsys, tmp_path):
    if not os.path.exists(device):
        pytest.skip(f"no {device} here")
    start = time.monotonic()
    out = tmp_path / "never.pdf"
    assert main(["build", device, "-o", str(out), "-q"]) == 2
    err = capsys.readouterr().err
    assert "device" in err and device in err and "Traceback" not in err
    assert time.monotonic() - start < 10  # /dev/zero once ran 8 s into a MemoryError


def test_a_fifo_in_a_batch_fails_alone_with_exit_2(tmp_path):
    good = tmp_path / "good.yaml"
    good.write_text(GOOD, encoding="utf-8")
    fifo = tmp_path / "fifo.yaml"
    os.mkfifo(fifo)
    r = subprocess.run([sys.executable, "-m", "briefing", "build", str(good), str(fifo), "-j", "2"],
                       cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert r.returncode == 2, r.stderr
    assert "FIFO" in r.stderr and "Traceback" not in r.stderr
    assert (tmp_path / "out" / "good-briefing.pdf").is_file()


def test_an_unreadable_file_is_a_message(tmp_path, capsys, monkeypatch):
    data = tmp_path / "data.yaml"
    data.write_text(GOOD, encoding="utf-8")
    if os.geteuid() != 0:
        data.chmod(0)
    else:  # root reads anything: let the kernel's answer be the one it gives other users
        real_open = os.open

        def denied(path, flags, *args, **kw):
            if os.fspath(path) == str(data):
                raise PermissionError(13, "Permission denied", str(path))
            return real_open(path, flags, *args, **kw)

        monkeypatch.setattr(os, "open", denied)
    refused(data, capsys, str(data), "没有读取权限")


def test_a_file_that_grows_past_the_limit_while_read_is_cut_off(tmp_path, monkeypatch):
    from briefing.files import read_regular

    f = tmp_path / "f"
    f.write_bytes(b"x" * 100)
    real_fstat = os.fstat

    def small(fd):  # claims to be small, as a file being appended to does at its fstat
        st = real_fstat(fd)
        return os.stat_result((st.st_mode, st.st_ino, st.st_dev, st.st_nlink, st.st_uid, st.st_gid, 10,
                               st.st_atime, st.st_mtime, st.st_ctime))

    monkeypatch.setattr(os, "fstat", small)
    with pytest.raises(Exception, match="文件过大"):
        read_regular(f, 50)


def test_a_nul_byte_is_named_with_its_line_and_column(tmp_path, capsys):
    data = tmp_path / "nul.yaml"
    data.write_bytes(GOOD.encode("utf-8").replace("示例区两会".encode(), "示例\0区两会".encode(), 1))
    line = next(i for i, t in enumerate(GOOD.splitlines(), 1) if "示例区两会" in t)
    err = refused(data, capsys, f"{data}:{line}:", "\\x00", "U+0000")
    assert "\0" not in err


# -- limits on size, depth, count and length ------------------------------------------------------

def test_nesting_beyond_the_limit_is_refused_before_anything_recurses(tmp_path, capsys):
    for name, text in {
        "lists": "a: " + "[" * 600 + "]" * 600,
        "flow-maps": "{a: " * 3000 + "1" + "}" * 3000,
        "block": "a:\n" + "- " * 5000 + "1\n",
        "maps": "".join("  " * i + f"k{i}:\n" for i in range(200)) + "  " * 200 + "1\n",
    }.items():
        f = tmp_path / f"{name}.yaml"
        f.write_text(text, encoding="utf-8")
        with pytest.raises(DataError, match="嵌套过深") as info:
            load(f)
        assert info.value.problems[0].line is not None, name
        refused(f, capsys, "嵌套过深")


def test_aliases_cannot_nest_deeper_than_the_text_does(tmp_path):
    # Each anchor is 20 deep and refers to the one before: 200 deep once expanded.
    depth = 20
    lines = ["a0: &a0 " + "[" * depth + "1" + "]" * depth]
    lines += [f"a{i}: &a{i} " + "[" * depth + f"*a{i - 1}" + "]" * depth for i in range(1, 10)]
    f = tmp_path / "alias.yaml"
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DataError, match="嵌套过深"):
        load(f)


def test_the_data_file_itself_is_well_within_the_depth_limit():
    from briefing.data.load import parse_yaml, read_text

    _, marks = parse_yaml(read_text(ROOT / "data" / "yanfeng-2023.yaml"), "f")
    assert max(len(loc) for loc in marks) <= MAX_DEPTH // 3


def test_a_string_over_the_limit_is_refused_with_its_field(tmp_path):
    f = tmp_path / "long.yaml"
    f.write_text(GOOD.replace("  title: 示例文章", "  title: " + "长" * (MAX_STRING + 1), 1), encoding="utf-8")
    with pytest.raises(DataError) as info:
        load(f)
    [p] = info.value.problems
    assert p.field == "source.title" and "文本过长" in p.message and p.line is not None
    assert len(str(p)) < 300  # the message quotes the limit, not the text


def test_a_key_over_the_limit_is_refused_and_not_quoted_whole(tmp_path):
    f = tmp_path / "key.yaml"
    f.write_text(GOOD.replace("  title: 示例文章", "  title: 示例文章\n  " + "k" * (MAX_KEY + 1) + ": 1", 1),
                 encoding="utf-8")
    with pytest.raises(DataError) as info:
        load(f)
    assert "字段名太长" in str(info.value) and len(str(info.value)) < 300


def test_node_count_limit_holds_for_plain_lists_too(tmp_path, monkeypatch):
    monkeypatch.setattr(load_module, "MAX_NODES", 1000)
    f = tmp_path / "many.yaml"
    f.write_text("a: [" + ", ".join(["1"] * 2000) + "]\n", encoding="utf-8")
    with pytest.raises(DataError, match="节点"):
        load(f)
    assert MAX_NODES >= 100_000  # the real limit leaves room for a 500-answer file


def test_long_values_are_clipped_in_messages(tmp_path):
    f = tmp_path / "v.yaml"
    f.write_text(GOOD.replace("opening_date: 2031-02-14", "opening_date: " + "日" * 5000, 1), encoding="utf-8")
    with pytest.raises(DataError) as info:
        load(f)
    assert "…（共 5000 字）" in str(info.value) and len(str(info.value)) < 400


# -- strict types ---------------------------------------------------------------------------------

@pytest.mark.parametrize("value, accepted", [
    ("2031-02-14", True), ('"2031-02-14"', True), ("1928880000", False), ("19400", False),
    ("2031-02-14 09:30:00", False), ("true", False), ("'14/02/2031'", False), ("2031-02-30", False),
    ("1800-01-01", False),
])
def test_dates_are_dates(tmp_path, value, accepted):
    f = tmp_path / "d.yaml"
    f.write_text(GOOD.replace("opening_date: 2031-02-14", f"opening_date: {value}", 1), encoding="utf-8")
    if accepted:
        assert str(load(f).meeting.opening_date) == "2031-02-14"
    else:
        with pytest.raises(DataError, match="meeting.opening_date"):
            load(f)


@pytest.mark.parametrize("value", ["true", "false", '"2031"', "2031.0", "1000000000", "-2031", "1800"])
@pytest.mark.parametrize("where", ["meeting", "results", "plan"])
def test_years_are_integers_within_reason(tmp_path, value, where):
    lines = GOOD.splitlines(keepends=True)
    start = next(i for i, t in enumerate(lines) if t.startswith(f"{where}:"))
    at = next(i for i in range(start, len(lines)) if lines[i].startswith("  year: "))
    lines[at] = f"  year: {value}\n"
    f = tmp_path / "y.yaml"
    f.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(DataError, match=f"{where}.year"):
        load(f)


def test_booleans_are_never_numbers(tmp_path):
    f = tmp_path / "b.yaml"
    f.write_text(GOOD.replace("value: 80,", "value: true,", 1), encoding="utf-8")
    with pytest.raises(DataError, match="需要数字，得到 true"):
        load(f)


# YAML 1.1 reads these plain scalars as numbers no clerk means: 1:20 (a ratio, a time) as the
# base-60 number 80, 0x10 as 16, 0b101 as 5, 1:30.5 as 90.5. They were printed as 80家, 16家 …
# and the booklet delivered; now only plain decimal notation is a number, the rest is text.
@pytest.mark.parametrize("typed", ["1:20", "0x10", "0b101", "1:30.5", "-0x1F", "+1:00"])
def test_only_decimal_notation_is_a_figure(tmp_path, typed):
    f = tmp_path / "n.yaml"
    f.write_text(GOOD.replace("value: 73,", f"value: {typed},", 1), encoding="utf-8")
    with pytest.raises(DataError, match=r"results\.answers\[0\]\.metrics\[2\]\.value: 需要数字，得到 \"" + re.escape(typed)):
        load(f)


@pytest.mark.parametrize("typed", ["0x7EF", "33:51"])  # 2031 in hex and in base 60
def test_a_year_in_another_base_is_not_a_year(tmp_path, typed):
    f = tmp_path / "y.yaml"
    f.write_text(GOOD.replace("year: 2031", f"year: {typed}", 1), encoding="utf-8")
    with pytest.raises(DataError, match="meeting.year"):
        load(f)


def test_a_text_field_keeps_a_colon_number_as_typed(tmp_path):
    f = tmp_path / "t.yaml"
    f.write_text(GOOD.replace("ordinal: 成绩甲", "ordinal: 1:20", 1), encoding="utf-8")
    assert load(f).results.answers[0].ordinal == "1:20"


def test_new_refuses_a_year_its_own_file_could_not_hold(tmp_path, capsys):
    for year in ("1000000000", "1800", "-5"):
        out = tmp_path / f"{year}.yaml"
        assert main(["new", "--from", str(SAMPLE), "--year", year, "-o", str(out)]) == 2
        err = capsys.readouterr().err
        assert "不是可用的年份" in err and "Traceback" not in err
        assert not out.exists()


@pytest.mark.parametrize("epoch, message", [
    ("abc", "非负整数"), ("-1", "非负整数"), ("1.5", "非负整数"), ("１２３", "非负整数"),
    ("253402300800", "日期范围"),  # 10000-01-01
    ("99999999999999999999999", "日期范围"),
])
def test_source_date_epoch_must_be_a_usable_date(tmp_path, monkeypatch, capsys, epoch, message):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
    out = tmp_path / "b.pdf"
    assert main(["build", str(SAMPLE), "-o", str(out), "-q"]) == 2
    err = capsys.readouterr().err
    assert "SOURCE_DATE_EPOCH" in err and message in err and "Traceback" not in err
    assert not out.exists() and list(tmp_path.iterdir()) == []


# -- messages never carry raw control characters ---------------------------------------------------

def test_control_characters_reach_the_terminal_escaped(tmp_path):
    """In a key, a value and the file name: ESC, BEL, CSI (0x9b), a bidi override."""
    name = tmp_path / "da\x1b[2Jta.yaml"
    text = GOOD.replace("  title: 示例文章", '  title: "示例\\e]0;pwned\\a文章"\n  "ti\\x9btle\\u202e": 1', 1)
    name.write_text(text, encoding="utf-8")
    r = run("build", str(name), "-o", str(tmp_path / "b.pdf"), "-q")
    assert r.returncode == 2
    for raw in ("\x1b", "\x07", "\x9b", "\u202e"):
        assert raw not in r.stderr, repr(raw)
    assert "\\x1b" in r.stderr and "da\\x1b[2Jta.yaml" in r.stderr


def test_printable_escapes_only_what_it_must():
    assert printable("雁峰区\t2023\n两会") == "雁峰区\t2023\n两会"
    assert printable("a\x1bb\x07\r\x00\x7f\x85\u202e") == "a\\x1bb\\x07\\r\\x00\\x7f\\x85\\u202e"
    assert printable("a\nb", newlines=False) == "a\\nb"


def test_a_pdf_text_with_escape_sequences_is_printed_escaped(tmp_path):
    """verify prints what it finds in a PDF (here its title, in the metadata check)."""
    import pikepdf

    src = tmp_path / "s.pdf"
    assert main(["build", str(SAMPLE), "-o", str(src), "-q"]) == 0
    with pikepdf.open(src) as pdf:
        pdf.docinfo["/Title"] = "标题\x1b[31m红\x07"
        pdf.save(tmp_path / "t.pdf")
    r = run("verify", str(tmp_path / "t.pdf"))
    assert r.returncode == 1
    assert "\x1b" not in r.stderr and "\x07" not in r.stderr and "\\x1b[31m" in r.stderr


# -- watch meets the same input -----------------------------------------------------------------

def test_watch_reports_deep_nesting_as_a_message(tmp_path):
    data = tmp_path / "d.yaml"
    data.write_text("a: " + "[" * 600 + "]" * 600, encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "briefing", "watch", str(data), "-o", str(tmp_path / "d.pdf"),
                             "-q"], cwd=ROOT, stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(0.5)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.2)
            if "嵌套过深" in _peek(proc):
                break
    finally:
        proc.send_signal(2)
        _, rest = proc.communicate(timeout=30)
    said = _seen.get(proc.pid, "") + rest
    assert "嵌套过深" in said and "Traceback" not in said and "RecursionError" not in said


_seen: dict[int, str] = {}


def _peek(proc) -> str:
    """What the process wrote to stderr so far, without waiting for more."""
    import select

    buf = _seen.setdefault(proc.pid, "")
    while select.select([proc.stderr], [], [], 0)[0]:
        line = proc.stderr.readline()
        if not line:
            break
        buf += line
    _seen[proc.pid] = buf
    return buf


def test_the_regular_file_check_sees_through_names(tmp_path):
    """A symbolic link to a device is a device."""
    link = tmp_path / "data.yaml"
    link.symlink_to("/dev/zero")
    with pytest.raises(DataError, match="device"):
        load(link)
    assert stat.S_ISLNK(os.lstat(link).st_mode)


# -- whitespace the fonts cannot draw --------------------------------------------------------------

# Every whitespace character Noto Sans/Serif SC has no glyph for, one per kind: a tab, a bare CR
# (only a quoted escape gives one), the spaces Word and web pages paste (thin, narrow no-break,
# medium mathematical, ogham) and the Unicode line and paragraph separators. Each once reached
# the page as .notdef (a box in the running head, a chart label, a target) and was delivered,
# or made the text check fail with exit 1: the glyph check passed every whitespace character.
UNDRAWABLE_SPACES = ["\t", "\r", "\u1680", "\u2009", "\u202f", "\u205f", "\u2028", "\u2029"]


@pytest.mark.parametrize("ch", UNDRAWABLE_SPACES, ids=lambda c: f"U+{ord(c):04X}")
@pytest.mark.parametrize("field, old, line", [
    ("results.answers[0].title", "title: 示例经济", 30),
    ("results.answers[0].metrics[0].label", "label: 地区生产总值", 34),
    ("plan.paths[1].targets[0].text", "text: 新增示例岗位1234个左右", 66),
])
def test_whitespace_no_font_has_is_named_not_printed_as_tofu(tmp_path, capsys, ch, field, old, line):
    key, value = old.split(": ")
    escaped = ch.encode("unicode_escape").decode() if ch != "\t" else "\\t"
    text = GOOD.replace(old, f'{key}: "{value[:2]}{escaped}{value[2:]}"', 1)
    assert text != GOOD
    bad = tmp_path / "data.yaml"
    bad.write_text(text, encoding="utf-8")
    err = refused(bad, capsys, f"{bad}:{line}:", field, f"U+{ord(ch):04X}")
    assert ch not in err  # named by its code point, not printed raw (it is invisible)


def test_a_typed_line_break_is_still_allowed(tmp_path):
    text = GOOD.replace("title: 示例经济", 'title: "示例\\n经济"', 1)
    good = tmp_path / "data.yaml"
    good.write_text(text, encoding="utf-8")
    from briefing.fonts.register import register
    assert load(good, missing_glyphs=register().missing).results.answers[0].title == "示例\n经济"


def test_the_review_marks_are_read_as_the_data_is(tmp_path):
    """The build reads the data file a second time for its review marks: that reading is the
    loader's too (a regular file within the size limit), so a FIFO or a device put at the
    name between the two readings is a message, never a build waiting for ever."""
    import subprocess
    import sys

    fifo = tmp_path / "data.yaml"
    os.mkfifo(fifo)
    probe = ("from pathlib import Path; from briefing.commands.build import _review_marks; "
             "from briefing.errors import DataError\n"
             f"try:\n    _review_marks(Path({str(fifo)!r}), False)\n"
             "except DataError as exc:\n    print('refused', exc)")
    r = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert r.stdout.startswith("refused"), r.stderr
