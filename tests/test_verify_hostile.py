"""``briefing verify`` on any PDF: exit 2 for a file it cannot read (with the reason), exit 1 for
a failed check, never a traceback, a hang or a MemoryError; JavaScript is a failed check."""

from __future__ import annotations

import os
import shutil
import time

import pytest

from briefing.check.verify import actions, open_pdf, verify
from briefing.commands.entry import main

from . import hostile_pdfs as hostile
from .conftest import SAMPLE, run


@pytest.fixture(scope="module")
def good(tmp_path_factory):
    out = tmp_path_factory.mktemp("good") / "sample.pdf"
    assert main(["build", str(SAMPLE), "-o", str(out), "-q"]) == 0
    return out


def verify_exit(capsys, path, *words) -> tuple[int, str]:
    start = time.monotonic()
    code = main(["verify", str(path)])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert time.monotonic() - start < 60
    for w in words:
        assert w in err, err
    return code, err


def test_the_booklet_itself_has_no_actions(good):
    from pypdf import PdfReader

    assert actions(PdfReader(good)) == []


# -- unreadable: exit 2, with the reason -------------------------------------------------------

def test_a_2_gb_flate_bomb(tmp_path, capsys):
    bomb = tmp_path / "bomb.pdf"
    hostile.flate_bomb(bomb, gigabytes=2)
    assert bomb.stat().st_size < 3_000_000
    code, _ = verify_exit(capsys, bomb, "超出读取上限")
    assert code == 2


def test_200k_pages(tmp_path, capsys):
    f = tmp_path / "pages.pdf"
    hostile.many_pages(f, 200_000)
    assert verify_exit(capsys, f, "无法读取")[0] == 2


def test_more_pages_than_a_booklet_can_have(tmp_path, capsys, monkeypatch):
    import briefing.check.verify as v

    f = tmp_path / "pages.pdf"
    hostile.many_pages(f, 50)
    monkeypatch.setattr(v, "MAX_PAGES", 20)
    assert verify_exit(capsys, f, "页数过多")[0] == 2


def test_a_3m_element_operand(tmp_path, capsys):
    f = tmp_path / "operand.pdf"
    hostile.huge_operand(f, 3_000_000)
    assert verify_exit(capsys, f, "超出读取上限")[0] == 2


@pytest.mark.parametrize("password", ["", "secret"])
def test_aes_256_encryption(tmp_path, capsys, good, password):
    f = tmp_path / "aes.pdf"
    hostile.encrypted(f, good, aes256=True, user_password=password)
    assert verify_exit(capsys, f, "已加密")[0] == 2


def test_a_password_is_unreadable_and_no_password_a_failed_check(tmp_path, capsys, good):
    locked = tmp_path / "locked.pdf"
    hostile.encrypted(locked, good, aes256=False, user_password="secret")
    assert verify_exit(capsys, locked, "需要密码")[0] == 2
    opened = tmp_path / "opened.pdf"  # an owner password only: it opens, and PDF/A forbids it
    hostile.encrypted(opened, good, aes256=False, user_password="")
    code, err = verify_exit(capsys, opened, "[FAIL] PDF/A-2b (checkable parts): encrypted")
    assert code == 1


@pytest.mark.parametrize("damage", ["truncated", "garbage", "empty", "no-xref", "text"])
def test_a_damaged_file(tmp_path, capsys, good, damage):
    data = good.read_bytes()
    f = tmp_path / "d.pdf"
    f.write_bytes({"truncated": data[: len(data) // 3], "garbage": b"%PDF-1.7\n" + os.urandom(4000),
                   "empty": b"", "no-xref": data[: data.rindex(b"xref")], "text": "一份普通文本".encode()}[damage])
    code, err = verify_exit(capsys, f)
    assert code in (1, 2)  # some damage pypdf repairs (then the checks judge it), the rest is unreadable
    if code == 2:
        assert "无法读取" in err


def test_not_a_regular_file(tmp_path, capsys):
    fifo = tmp_path / "f.pdf"
    os.mkfifo(fifo)
    assert verify_exit(capsys, fifo, "FIFO")[0] == 2
    assert verify_exit(capsys, "/dev/zero", "device")[0] == 2
    assert verify_exit(capsys, tmp_path, "文件夹")[0] == 2
    assert verify_exit(capsys, tmp_path / "missing.pdf", "不存在")[0] == 2


def test_too_large_to_read(tmp_path, capsys, monkeypatch, good):
    import briefing.check.verify as v

    monkeypatch.setattr(v, "MAX_PDF_BYTES", 1000)
    assert verify_exit(capsys, good, "文件过大")[0] == 2


def test_an_unreadable_imposition_is_exit_2(tmp_path, capsys, good):
    bad = tmp_path / "imposed.pdf"
    bad.write_bytes(b"%PDF-1.7\nnothing")
    assert main(["verify", str(good), "--imposed", str(bad)]) == 2
    assert "无法读取" in capsys.readouterr().err


def test_open_pdf_bounds_every_read(tmp_path):
    with pytest.raises(Exception, match="不是 PDF"):
        f = tmp_path / "x.pdf"
        f.write_bytes(b"GIF89a")
        open_pdf(f)


def test_in_a_build_an_unreadable_result_is_a_verification_failure(tmp_path, good):
    """verify() itself never raises: a report with ``unreadable`` set and a failed check."""
    f = tmp_path / "x.pdf"
    f.write_bytes(b"%PDF-1.7\n" + b"\0" * 100)
    report = verify(f)
    assert report.unreadable and not report.ok


# -- JavaScript and forbidden actions: a failed check, exit 1 ---------------------------------------

@pytest.mark.parametrize("where", ["openaction", "catalog-aa", "names", "page-aa", "annotation", "annotation-aa",
                                   "chained", "launch"])
def test_javascript_anywhere_fails_the_check(tmp_path, capsys, where):
    f = tmp_path / f"{where}.pdf"
    hostile.javascript(f, where)
    code, err = verify_exit(capsys, f, "[FAIL] no JavaScript or forbidden actions")
    assert code == 1


def test_javascript_added_to_a_real_booklet_is_caught(tmp_path, capsys, good):
    import pikepdf

    f = tmp_path / "js.pdf"
    with pikepdf.open(good) as pdf:
        pdf.Root.OpenAction = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)"))
        pdf.save(f)
    code, err = verify_exit(capsys, f, "catalog /OpenAction: /JavaScript action")
    assert code == 1
    shutil.copy(good, tmp_path / "clean.pdf")
    assert main(["verify", str(tmp_path / "clean.pdf")]) == 0


def test_verify_in_a_fresh_process_never_shows_a_traceback(tmp_path):
    f = tmp_path / "bomb.pdf"
    hostile.flate_bomb(f, gigabytes=2)
    r = run("verify", str(f))
    assert r.returncode == 2 and "Traceback" not in r.stderr


def test_an_operand_over_the_array_limit_in_a_small_stream(tmp_path, capsys):
    f = tmp_path / "operand.pdf"
    hostile.huge_operand(f, 200_000)  # 800 KB of content: under the stream limit, over the array one
    code, err = verify_exit(capsys, f, "超出读取上限", "200000 elements")
    assert code == 2
