"""Numbered delegate copies (`build --copies`): a verified copy per delegate, reproducible, each
with its number on every page; bad lists refused with their row and nothing written; the
per-copy check catches a copy that is not the booklet plus its own stamp."""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pikepdf
import pytest
from pypdf import PdfReader

from briefing.cache import Cache
from briefing.check.copies import Expected, Reference, check_copy
from briefing.commands.copies import COMBINED, MANIFEST, build_copies
from briefing.data.delegates import read_list
from briefing.errors import DataError, OutputError
from briefing.pdf.stamp import Booklet, Layout, Marks, stamp
from briefing.increment import Update, name, ref
from briefing.typeset.paper import PAPERS

from .conftest import DATA, ROOT, run

MARKING = "内部资料 注意保存"
SURNAMES = "张王李赵刘陈杨黄周吴徐孙马朱胡郭何林罗高"
GIVEN = "喆玥犇昇伟芳娜敏静丽强磊军洋勇艳杰娟涛明"


def _data(tmp: Path) -> Path:
    """The 2023 booklet with a distribution marking."""
    text = DATA.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^(  office: .*)$", rf"\1\n  marking: {MARKING}", text, count=1)
    out = tmp / "yanfeng-2023.yaml"
    out.write_text(text, encoding="utf-8")
    return out


def _forty() -> list[tuple[str, str, str]]:
    rows = []
    for i in range(40):
        name = SURNAMES[i % 20] + GIVEN[(i * 7) % 20] + (GIVEN[(i * 3) % 20] if i % 3 else "")
        rows.append((str(i + 1), name, f"第{i % 7 + 1}代表团" if i % 5 else ""))
    rows[3] = ("4", "<b>王&amp;</b>", "第四代表团")  # markup is printed as typed
    rows[5] = ("6", "Ahmat Tursun", "第六代表团")
    return rows


def _csv(path: Path, rows, header=("份号", "姓名", "代表团"), encoding="utf-8") -> Path:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(header)
    w.writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


@pytest.fixture(scope="module")
def forty(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("copies")
    data = _data(tmp)
    listing = _csv(tmp / "代表名单.csv", _forty())
    result = build_copies(data, listing, tmp / "out", cache=Cache(None))
    return tmp, data, listing, result


def test_forty_delegates_give_forty_verified_copies(forty):
    tmp, _, _, result = forty
    files = sorted(p.name for p in (tmp / "out").iterdir())
    assert len(result.copies) == 40 and all(not c.problems for c in result.copies)
    assert files == sorted([c.file for c in result.copies] + [MANIFEST])
    assert result.copies[0].file == f"001-{_forty()[0][1]}.pdf" and result.copies[3].file == "004-_b_王&amp;__b_.pdf"
    with open(tmp / "out" / MANIFEST, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["number"] for r in rows] == [f"{i:03d}" for i in range(1, 41)]
    for r in rows:  # the manifest's digest is the file's
        assert hashlib.sha256((tmp / "out" / r["file"]).read_bytes()).hexdigest() == r["sha256"]
        assert r["pages"] == "22"


def test_the_number_is_on_every_page_and_the_name_on_the_cover(forty):
    tmp, _, _, result = forty
    for c in (result.copies[0], result.copies[3], result.copies[5], result.copies[39]):
        pages = [p.extract_text() for p in PdfReader(tmp / "out" / c.file).pages]
        assert all(f"第 {c.number} 份" in t for t in pages), c.file
        cover = pages[0]
        assert c.number in cover and MARKING in cover and f"{c.name} 代表" in cover
        if c.group:
            assert c.group in cover
    plain = subprocess.run(["pdftotext", "-f", "1", "-l", "1", str(tmp / "out" / result.copies[3].file), "-"],
                           capture_output=True, text=True).stdout
    assert "<b>王&amp;</b> 代表" in plain  # literally, never parsed as markup


def test_a_copy_is_its_booklet_plus_a_small_stamp(forty):
    tmp, _, _, result = forty
    sizes = [c.size for c in result.copies]
    assert max(sizes) - result.booklet_size <= 15 * 1024
    one = (tmp / "out" / result.copies[0].file).read_bytes()
    two = (tmp / "out" / result.copies[1].file).read_bytes()
    common = os.path.commonprefix([one, two])
    assert len(common) >= result.booklet_size - 64  # both start with the booklet's bytes
    out = subprocess.run(["pdffonts", str(tmp / "out" / result.copies[0].file)], capture_output=True, text=True).stdout
    rows = [ln.split() for ln in out.splitlines()[2:]]
    assert rows and all(r[-5:-2] == ["yes", "yes", "yes"] for r in rows)  # embedded, subset, ToUnicode
    assert sum("NotoSerifSC" in r[0] for r in rows) == 2  # the booklet's Serif and the name's few glyphs


def test_rebuilds_are_byte_identical(forty, tmp_path):
    tmp, data, listing, result = forty
    again = build_copies(data, listing, tmp_path / "again", cache=Cache(None), jobs=1)
    for a, b in zip(result.copies, again.copies):
        assert (tmp / "out" / a.file).read_bytes() == (tmp_path / "again" / b.file).read_bytes()
    assert (tmp / "out" / MANIFEST).read_bytes() == (tmp_path / "again" / MANIFEST).read_bytes()


def test_an_independent_checker_passes_copies(forty, tmp_path):
    page = pytest.importorskip("page")
    tmp, data, listing, result = forty
    email = build_copies(data, _csv(tmp_path / "two.csv", _forty()[:2]), tmp_path / "mail", email=True,
                         cache=Cache(None))
    files = [tmp / "out" / result.copies[i].file for i in (0, 3, 5)] + [tmp_path / "mail" / email.copies[0].file]
    for f in files:
        for profile in ("ua1", "2b"):
            report = page.validate_pdf(str(f), profile=profile)
            assert report.is_compliant and not report.rules.failed, (f.name, profile, report.failures[:3])


def test_an_email_copy_is_watermarked_and_its_text_is_the_booklets(forty, tmp_path):
    tmp, data, listing, result = forty
    mail = build_copies(data, _csv(tmp_path / "two.csv", _forty()[:2]), tmp_path / "mail", email=True,
                        cache=Cache(None))
    c = mail.copies[0]
    path = tmp_path / "mail" / c.file
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
    plain = subprocess.run(["pdftotext", str(tmp / "out" / result.copies[0].file), "-"], capture_output=True,
                           text=True).stdout
    assert text == plain  # the watermark is no text: the copy reads as the print copy
    with pikepdf.open(path) as pdf:
        assert all("/BrMark" in p.obj.Resources.XObject for p in pdf.pages)
    assert c.size <= mail.booklet_size + 15 * 1024


def _expected(number="012", name="张喆玥", group="第一代表团", email=False):
    return Expected(number, f"第 {number} 份", (number, MARKING, f"{name} 代表", group), email)


@pytest.fixture(scope="module")
def one_copy(forty, fonts, tmp_path_factory):
    """The verified booklet of the forty, and a copy of it stamped here."""
    from briefing.data.load import load

    tmp, data, _, _ = forty
    work = tmp_path_factory.mktemp("tamper")
    booklet = work / "booklet.pdf"
    from briefing.commands.build import build

    build(data, booklet, cache=Cache(None))
    doc = load(data)
    layout = Layout(PAPERS["a4"], "a4", fonts, doc.labels, MARKING)
    b = Booklet.read(booklet, fonts)
    copy = work / "012.pdf"
    copy.write_bytes(stamp(b, layout, Marks("012", "张喆玥", "第一代表团")))
    return work, booklet, b, layout, copy, Reference.read(booklet, PAPERS["a4"])


def test_the_check_passes_a_true_copy(one_copy):
    _, _, _, _, copy, reference = one_copy
    assert check_copy(reference, copy, _expected()).problems == []


def test_the_check_refuses_a_copy_with_another_number_or_name(one_copy):
    _, _, _, _, copy, reference = one_copy
    assert any("第 013 份" in p for p in check_copy(reference, copy, _expected(number="013")).problems)
    assert any("李四 代表" in p for p in check_copy(reference, copy, _expected(name="李四")).problems)


def test_the_check_refuses_a_changed_booklet(one_copy, tmp_path):
    work, booklet, b, layout, copy, reference = one_copy
    data = bytearray(copy.read_bytes())
    data[2000] ^= 1  # inside the booklet's part
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(bytes(data))
    assert any("booklet's bytes" in p for p in check_copy(reference, bad, _expected()).problems)
    # An update that also redefines the document's Info dictionary.
    up = Update(b.base)
    with pikepdf.open(booklet) as pdf:
        info = pdf.trailer.Info.objgen[0]
    up.put(info, {"Title": name("x")})
    sneaky = tmp_path / "sneaky.pdf"
    sneaky.write_bytes(up.render())
    problems = check_copy(reference, sneaky, _expected()).problems
    assert any(f"object {info} of the booklet is changed" in p for p in problems)


def test_the_check_refuses_a_stamp_off_its_place(one_copy, tmp_path, monkeypatch):
    work, booklet, b, layout, copy, reference = one_copy
    monkeypatch.setattr(Layout, "footer_at", lambda self, page, line: (2.0, 2.0))  # in the trim margin
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(stamp(b, layout, Marks("012", "张喆玥", "第一代表团")))
    problems = check_copy(reference, bad, _expected())
    assert any("within 10 mm of the trim" in p for p in problems.problems)


def test_the_check_refuses_an_e_mail_copy_that_paints_more_than_its_light_watermark(one_copy, tmp_path,
                                                                                    monkeypatch):
    """A white box over the text, in the page's stamp or in the watermark form, or the watermark
    in white: each hides the booklet's words, and each passed the old check."""
    from briefing.fonts.outlines import outline
    from briefing.pdf import stamp as stamper

    work, booklet, b, layout, copy, reference = one_copy
    marks = Marks("012", "张喆玥", "第一代表团", True)
    expected = Expected("012", "第 012 份", (*_expected().cover,), True,
                        outline(layout.fonts.path(stamper.FACES["watermark"]), layout.watermark_text(marks)).ops)
    good = tmp_path / "good.pdf"
    good.write_bytes(stamp(b, layout, marks))
    assert check_copy(reference, good, expected).problems == []
    box = b"/Artifact BMC 1 1 1 rg 100 300 300 300 re f EMC\n"
    page_ops, form = stamper._page_ops, stamper._watermark
    for case, patch in (
            ("stamp", ("_page_ops", lambda *a: page_ops(*a) + box)),
            ("form", ("_watermark", lambda *a: (form(*a)[0][:-2] + b" 1 1 1 rg -60 -80 120 160 re f Q\n", *form(*a)[1:]))),
            ("white", ("_watermark", lambda *a: (form(*a)[0].replace(b"0 0 0 rg", b"1 1 1 rg"), *form(*a)[1:])))):
        with monkeypatch.context() as m:
            m.setattr(stamper, *patch)
            bad = tmp_path / f"{case}.pdf"
            bad.write_bytes(stamp(b, layout, marks))
        problems = check_copy(reference, bad, expected).problems
        assert problems and any("the stamp paints 2 shapes, not its watermark alone" in p
                                or p == "the watermark is not the outline of the copy's name and number"
                                for p in problems), (case, problems)


def test_the_check_refuses_a_stamp_set_in_a_font_it_does_not_bring(one_copy, tmp_path, monkeypatch):
    """Text in the page's own font (the booklet's /F1), which the walk of the stamp skipped:
    the old check passed it unread."""
    from briefing.pdf import stamp as stamper

    work, booklet, b, layout, copy, reference = one_copy
    page_ops = stamper._page_ops
    monkeypatch.setattr(stamper, "_page_ops", lambda *a: page_ops(*a) + b"BT /F1 30 Tf 100 400 Td <00410042> Tj ET\n")
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(stamp(b, layout, Marks("012", "张喆玥", "第一代表团")))
    problems = check_copy(reference, bad, _expected()).problems
    assert any("the stamp uses Font /F1, which it does not bring" in p for p in problems), problems


def test_an_earlier_folder_is_replaced_whole_and_a_foreign_one_refused(forty, tmp_path):
    tmp, data, _, _ = forty
    out = tmp_path / "out"
    build_copies(data, _csv(tmp_path / "a.csv", _forty()[:5]), out, cache=Cache(None))
    build_copies(data, _csv(tmp_path / "b.csv", _forty()[:3]), out, cache=Cache(None))
    assert sorted(p.name for p in out.iterdir()) == sorted([f"{n:03d}-{_forty()[n - 1][1]}.pdf" for n in (1, 2, 3)]
                                                           + [MANIFEST])
    (out / "备忘.txt").write_text("not ours", encoding="utf-8")
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    with pytest.raises(OutputError, match="备忘.txt"):
        build_copies(data, _csv(tmp_path / "c.csv", _forty()[:2]), out, cache=Cache(None))
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".briefing.")]


def test_the_number_takes_the_width_the_list_needs(forty, tmp_path):
    _, data, _, _ = forty
    listing = _csv(tmp_path / "l.csv", [("7", "张三", ""), ("1200", "李四", "")])
    people = read_list(listing)
    assert [people.number(d) for d in people.delegates] == ["0007", "1200"]
    numbered = read_list(_csv(tmp_path / "n.csv", [("张三",), ("李四",)], header=("name",)))
    assert [numbered.number(d) for d in numbered.delegates] == ["001", "002"]


def test_a_gb18030_list_and_an_excel_list_are_read(tmp_path, fonts):
    gbk = read_list(_csv(tmp_path / "gbk.csv", [("1", "张三", "第一组")], encoding="gb18030"), fonts.missing)
    assert [d.name for d in gbk.delegates] == ["张三"] and "GB18030" in gbk.note
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "名单"
    ws.append(["2023年代表名单"])  # a title row before the header
    ws.append(["份号", "姓 名", "组别", "邮箱"])
    ws.append([1, "王昇", "一组", "wang@example.cn"])
    ws.append([2.0, "赵玥", None, None])
    wb.save(tmp_path / "l.xlsx")
    people = read_list(tmp_path / "l.xlsx", fonts.missing)
    assert [(people.number(d), d.name, d.group, d.email) for d in people.delegates] == [
        ("001", "王昇", "一组", "wang@example.cn"), ("002", "赵玥", None, None)]
    ws.append([2, "", "二组", None])
    wb.save(tmp_path / "bad.xlsx")
    with pytest.raises(DataError) as err:
        read_list(tmp_path / "bad.xlsx", fonts.missing)
    text = str(err.value)
    assert "bad.xlsx 名单!A5: 份号 2 重复" in text and "名单!B5: 姓名为空" in text


def test_a_group_merged_over_its_members_rows_is_each_ones_group(tmp_path, fonts):
    """Lists in Excel merge the 代表团 cell down over its members' rows; only the first row holds
    the value, so every other member's cover had no group, and was delivered so."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["2023年代表名单"])
    ws.merge_cells("A1:C1")  # a title across the columns: not a value of each
    ws.append(["份号", "姓名", "代表团"])
    ws.append([1, "王昇", "第一代表团"])
    ws.append([2, "赵玥", None])
    ws.append([3, "李犇", None])
    ws.append([4, "张三", "第二代表团"])
    ws.merge_cells("C3:C5")
    wb.save(tmp_path / "merged.xlsx")
    people = read_list(tmp_path / "merged.xlsx", fonts.missing)
    assert [(d.name, d.group) for d in people.delegates] == [
        ("王昇", "第一代表团"), ("赵玥", "第一代表团"), ("李犇", "第一代表团"), ("张三", "第二代表团")]



def test_a_formula_saved_without_its_value_is_named_as_such(tmp_path, fonts):
    """A list made by a program (not saved by Excel or WPS) keeps formulas without their results:
    a 份号 of =ROW()-2 or a name of =A1 read as empty, and the message said 份号为空 / 姓名为空
    of a cell that is not empty; a group so made was silently left off the cover."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "名单"
    ws.append(["份号", "姓名", "代表团"])
    ws.append(["=ROW()-1", "王昇", "第一代表团"])
    ws.append([2, '=CONCAT("赵","玥")', "第一代表团"])
    ws.append([3, "李犇", '=C3'])
    ws.append([4, "张三", "第二代表团"])
    wb.save(tmp_path / "formulas.xlsx")  # openpyxl saves no results: as a generated list would be
    with pytest.raises(DataError) as info:
        read_list(tmp_path / "formulas.xlsx", fonts.missing)
    text = str(info.value)
    assert "名单!A2: 单元格是公式 =ROW()-1，文件里却没有它的结果" in text
    assert "名单!B3: 单元格是公式 =CONCAT(\"赵\",\"玥\")，文件里却没有它的结果" in text
    assert "名单!C4: 单元格是公式 =C3，文件里却没有它的结果" in text
    assert "为空" not in text

BAD_LISTS = {
    "no-name-column": (b"\xe4\xbb\xbd\xe5\x8f\xb7,\xe5\x90\x8d\xe5\xad\x97\n1,\xe5\xbc\xa0\xe4\xb8\x89\n",
                       ":1 找不到 “姓名” 列"),
    "duplicate": ("份号,姓名\n1,张三\n2,李四\n1,王五\n".encode(), ":4 份号: 份号 1 重复"),
    "empty-name": ("份号,姓名\n1,张三\n2,\n".encode(), ":3 姓名: 姓名为空"),
    "missing-glyph": ("份号,姓名\n1,张三😀\n".encode(), ":2 姓名: 姓名中的字符 “😀”（U+1F600）字体中没有"),
    "zero-rows": ("份号,姓名\n".encode(), ":2 名单中没有代表"),
    "gbk-as-utf8-bom": (b"\xef\xbb\xbf" + "份号,姓名\n1,张三\n".encode("gbk"), ":1 文件开头标明是 UTF-8（BOM），内容却是 GBK"),
    "gbk-as-utf8-garbled": ("份号,姓名\n1,ÕÅÈý\n".encode(), ":2 姓名: 姓名 “ÕÅÈý” 是乱码：GBK 编码的名单被当作 UTF-8 读过"),
    "gbk-as-utf8-lost": ("份号,姓名\n1,\ufffd\ufffd\n".encode(), ":2 姓名: 姓名中有替换字符"),
    # A line break inside a cell (Alt+Enter in Excel, a quoted CSV cell) reached the stamp's font
    # subsetter: a traceback (KeyError: 10) with exit 1. Spaces no face can draw (a tab, a thin
    # space) were drawn as tofu on the cover; they are named by code point, never quoted raw.
    "line-break-in-name": ('份号,姓名\n1,"张\n三"\n'.encode(), ":2 姓名: 姓名占了多行"),
    "line-break-in-group": ('份号,姓名,代表团\n1,张三,"第一\r\n代表团"\n'.encode(), ":2 代表团: 代表团/组别占了多行"),
    "thin-space": ("份号,姓名\n1,张\u2009三\n".encode(), ":2 姓名: 姓名中的字符 U+2009（THIN SPACE）字体中没有"),
    "tab": ("份号,姓名\n1,张\t三\n".encode(), ":2 姓名: 姓名中的字符 U+0009（TAB）字体中没有"),
}


@pytest.mark.parametrize("case", sorted(BAD_LISTS))
def test_a_bad_list_is_refused_with_its_row_and_nothing_is_written(case, tmp_path):
    content, message = BAD_LISTS[case]
    listing = tmp_path / f"{case}.csv"
    listing.write_bytes(content)
    out = tmp_path / "out"
    r = run("build", str(DATA), "--copies", str(listing), "-o", str(out), "-q")
    assert r.returncode == 2, r.stderr
    assert f"{listing}{message}" in r.stderr
    assert "Traceback" not in r.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [listing.name]  # no folder, no temporary file


def test_the_command_line(tmp_path):
    listing = _csv(tmp_path / "l.csv", [("1", "张喆玥", "第一代表团"), ("2", "李犇", "")])
    r = run("build", str(DATA), "--copies", str(listing), "-o", str(tmp_path / "out"), "--paper", "a5",
            "--impose", "saddle")
    assert r.returncode == 0, r.stderr
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == sorted(["001-张喆玥.pdf", "001-张喆玥-imposed.pdf", "002-李犇.pdf", "002-李犇-imposed.pdf",
                            COMBINED, MANIFEST])
    combined = PdfReader(tmp_path / "out" / COMBINED)
    one = PdfReader(tmp_path / "out" / "001-张喆玥-imposed.pdf")
    assert len(combined.pages) == 2 * len(one.pages)
    assert "第 002 份" in combined.pages[len(one.pages)].extract_text()
    r = run("build", str(DATA), "--email")
    assert r.returncode == 2 and "--email 需要与 --copies 一起使用" in r.stderr


def test_a_copy_that_fails_its_check_leaves_the_earlier_folder_as_it_was(forty, tmp_path, monkeypatch):
    from briefing.check import copies as checks
    from briefing.errors import VerificationError

    _, data, _, _ = forty
    out = tmp_path / "out"
    build_copies(data, _csv(tmp_path / "a.csv", _forty()[:3]), out, cache=Cache(None))
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    real = checks.check_copy

    def failing(ref, path, expect):
        report = real(ref, path, expect)
        if expect.number == "002":
            report.problems.append("made to fail")
        return report

    monkeypatch.setattr(checks, "check_copy", failing)
    with pytest.raises(VerificationError, match="002-.*made to fail"):
        build_copies(data, _csv(tmp_path / "b.csv", _forty()[:4]), out, cache=Cache(None), jobs=1)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv", "b.csv", "out"]  # no staging folder left


def test_a_staging_folder_left_by_a_killed_run_is_swept(tmp_path):
    from briefing.files import sweep

    dead = 2 ** 22 + 12345  # above any pid this machine hands out
    import socket

    host = re.sub(r"[^A-Za-z0-9-]", "", socket.gethostname())[:40]
    left = tmp_path / f".briefing.{dead}@{host}.0123abcd.tmp.dir"
    left.mkdir()
    (left / "001-张三.pdf").write_bytes(b"%PDF-")
    mine = tmp_path / "copies"
    mine.mkdir()
    assert sweep(tmp_path) == [left]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["copies"]


def test_briefing_verify_passes_a_copy_in_full(forty):
    from briefing.check.verify import verify
    from briefing.data.load import load

    tmp, data, _, result = forty
    report = verify(tmp / "out" / result.copies[0].file, load(data), "a4")
    assert report.ok, report.failures()
    faces = next(c for c in report.checks if c.name == "each face subset once")
    assert faces.detail.count("NotoSerifSC") == 1  # the stamp's few glyphs are not the face again


def _bomb(path, fill: int = 1024) -> None:
    """A real list whose first sheet carries a comment that unpacks to ``fill`` MB."""
    import zipfile

    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["份号", "姓名"])
    wb.active.append([1, "王昇"])
    good = path.with_name("good.xlsx")
    wb.save(good)
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for item in src.infolist():
            if item.filename == "xl/worksheets/sheet1.xml":
                with z.open(item.filename, "w", force_zip64=True) as w:
                    body = src.read(item)
                    head, _, tail = body.partition(b"<sheetData>")
                    w.write(head + b"<!-- ")
                    for _ in range(fill):
                        w.write(b" " * (1 << 20))
                    w.write(b" --><sheetData>" + tail)
            else:
                z.writestr(item, src.read(item))
    good.unlink()


def test_a_list_that_unpacks_to_a_gigabyte_is_refused_unread(tmp_path, fonts):
    _bomb(tmp_path / "l.xlsx")
    assert (tmp_path / "l.xlsx").stat().st_size < 8 << 20
    start = time.monotonic()
    with pytest.raises(DataError) as info:
        read_list(tmp_path / "l.xlsx", fonts.missing)
    assert "l.xlsx" in str(info.value) and "MB" in str(info.value)
    assert time.monotonic() - start < 5


@pytest.mark.parametrize("content, says", [
    ("份号,姓名\n1,王昇\n".encode("utf-8"), ".csv"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504), ".xls"),
    ("word", "Word"),
])
def test_a_list_that_is_not_a_workbook_says_what_it_is(tmp_path, fonts, content, says):
    if content == "word":
        content = (ROOT / "tests" / "import" / "shixi-2024.docx").read_bytes()
    (tmp_path / "l.xlsx").write_bytes(content)
    with pytest.raises(DataError) as info:
        read_list(tmp_path / "l.xlsx", fonts.missing)
    assert "l.xlsx" in str(info.value) and says in str(info.value)
