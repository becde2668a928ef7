"""Nothing is written but the target, nothing is left behind, and an OS error is a message.

The input, a device, a FIFO, a folder or a symbolic link is never written over, however the
path is spelt; a build stopped by a signal removes its temporary files, and one killed outright
has its leftovers swept by the next build; a full disk or an over-long name is exit 2.
"""

from __future__ import annotations

import errno
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from briefing import files
from briefing.commands.entry import main

from .conftest import DATA, ROOT, SAMPLE


@pytest.fixture
def data(tmp_path) -> Path:
    d = tmp_path / "data.yaml"
    shutil.copy(SAMPLE, d)
    return d


def refused(capsys, args, *words) -> str:
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    for w in words:
        assert w in err, err
    return err


def temps(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".tmp" in p.name)


# -- never over the input ----------------------------------------------------------------------

def test_the_output_is_never_the_input(data, tmp_path, capsys):
    before = data.read_bytes()
    os.link(data, tmp_path / "hard.pdf")
    (tmp_path / "sym.pdf").symlink_to(data)
    (tmp_path / "sub").mkdir()
    for out in (data, tmp_path / "sub" / ".." / "data.yaml", tmp_path / "hard.pdf"):
        refused(capsys, ["build", str(data), "-o", str(out), "-q"], "不能覆盖")
    refused(capsys, ["build", str(data), "-o", str(tmp_path / "sym.pdf"), "-q"], "符号链接")
    assert data.read_bytes() == before
    assert temps(tmp_path) == []


def test_a_batch_never_writes_over_another_of_its_inputs(tmp_path):
    a = tmp_path / "a.yaml"
    shutil.copy(SAMPLE, a)
    (tmp_path / "out").mkdir()
    b = tmp_path / "out" / "a-briefing.pdf"  # a "data file" where a's booklet would go
    shutil.copy(SAMPLE, b)
    before = b.read_bytes()
    r = subprocess.run([sys.executable, "-m", "briefing", "build", "a.yaml", "out/a-briefing.pdf", "-q"],
                       cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert r.returncode == 2 and "不能覆盖" in r.stderr and "Traceback" not in r.stderr
    assert b.read_bytes() == before


def test_new_never_writes_over_its_source(data, capsys):
    before = data.read_bytes()
    refused(capsys, ["new", "--from", str(data), "--year", "2032", "-o", str(data), "--force"], "不能覆盖")
    assert data.read_bytes() == before


# -- never over anything but a regular file ------------------------------------------------------

def test_a_device_is_never_replaced(data, tmp_path, capsys):
    refused(capsys, ["build", str(data), "-o", "/dev/null", "-q"], "device")
    assert os.path.exists("/dev/null") and not os.path.isfile("/dev/null")


def test_a_fifo_a_socket_and_a_folder_are_never_replaced(data, tmp_path, capsys):
    fifo = tmp_path / "f.pdf"
    os.mkfifo(fifo)
    refused(capsys, ["build", str(data), "-o", str(fifo), "-q"], "FIFO")
    sock_path = tmp_path / "s.pdf"
    with socket.socket(socket.AF_UNIX) as s:
        s.bind(str(sock_path))
        refused(capsys, ["build", str(data), "-o", str(sock_path), "-q"], "socket")
    (tmp_path / "d.pdf").mkdir()
    refused(capsys, ["build", str(data), "-o", str(tmp_path / "d.pdf"), "-q"], "folder" if False else "文件夹")
    assert fifo.is_fifo() and (tmp_path / "d.pdf").is_dir()


def test_a_symbolic_link_is_not_followed_nor_replaced(data, tmp_path, capsys):
    elsewhere = tmp_path / "elsewhere.txt"
    elsewhere.write_text("someone's file")
    link = tmp_path / "b.pdf"
    link.symlink_to(elsewhere)
    refused(capsys, ["build", str(data), "-o", str(link), "-q"], "符号链接")
    assert link.is_symlink() and elsewhere.read_text() == "someone's file"


def test_an_imposed_target_that_is_a_folder_is_refused_before_any_work(data, tmp_path, capsys):
    (tmp_path / "b-imposed.pdf").mkdir()
    refused(capsys, ["build", str(data), "-o", str(tmp_path / "b.pdf"), "--impose", "saddle", "-q"], "b-imposed.pdf")
    assert not (tmp_path / "b.pdf").exists() and temps(tmp_path) == []


def test_schema_to_a_folder_or_a_missing_folder(tmp_path, capsys):
    refused(capsys, ["schema", "-o", str(tmp_path)], "文件夹")
    assert main(["schema", "-o", str(tmp_path / "new" / "s.json")]) == 0  # made, as build makes out/
    assert (tmp_path / "new" / "s.json").read_text().startswith("{")
    blocker = tmp_path / "file"
    blocker.write_text("x")
    refused(capsys, ["schema", "-o", str(blocker / "s.json")], "无法创建输出文件夹")


# -- only what the command itself made before is replaced ---------------------------------------

def test_a_booklet_replaces_only_an_earlier_pdf(data, tmp_path, capsys):
    """`-o` onto another district's data file, a Word file or notes replaced it with the booklet
    (exit 0): a slip of the hand lost a year's data. A booklet may replace an earlier PDF or an
    empty file, nothing else; the imposition likewise, checked before any work."""
    other = tmp_path / "other-2024.yaml"
    shutil.copy(SAMPLE, other)
    notes = tmp_path / "notes.docx"
    notes.write_bytes(b"PK\x03\x04 a Word file")
    for target in (other, notes):
        before = target.read_bytes()
        refused(capsys, ["build", str(data), "-o", str(target), "-q"], str(target), "不是 PDF")
        assert target.read_bytes() == before
    (tmp_path / "b-imposed.pdf").write_text("not a pdf")
    refused(capsys, ["build", str(data), "-o", str(tmp_path / "b.pdf"), "--impose", "saddle", "-q"],
            "b-imposed.pdf", "不是 PDF")
    assert not (tmp_path / "b.pdf").exists() and temps(tmp_path) == []
    empty = tmp_path / "empty.pdf"
    empty.touch()
    assert main(["build", str(data), "-o", str(empty), "-q"]) == 0
    assert main(["build", str(data), "-o", str(empty), "-q"]) == 0  # the earlier booklet: replaced
    assert empty.read_bytes().startswith(b"%PDF-")


def test_schema_replaces_only_an_earlier_schema(data, tmp_path, capsys):
    before = data.read_bytes()
    refused(capsys, ["schema", "-o", str(data)], str(data), "不是 JSON")
    assert data.read_bytes() == before
    schema = tmp_path / "s.json"
    assert main(["schema", "-o", str(schema)]) == 0
    assert main(["schema", "-o", str(schema)]) == 0  # the usual regeneration
    assert schema.read_text().startswith("{")


def _victims(tmp_path) -> dict[str, bytes]:
    word = (ROOT / "tests" / "import" / "shixi-2024.docx").read_bytes()
    return {"notes.docx": word, "report.pdf": b"%PDF-1.7 someone's report", "notes.txt": "会议记录\n".encode(),
            "old.xls": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), "word-as.xlsx": word}


@pytest.mark.parametrize("command", ["export", "new", "import"])
def test_force_replaces_only_an_earlier_output_of_the_same_kind(data, tmp_path, capsys, command):
    """`--force` let export write a workbook over a Word file, a PDF or another data file, and
    `new`/`import` write YAML over a Word file (exit 0): --force is for an earlier workbook or
    draft, never for whatever a mistyped -o names."""
    victims = _victims(tmp_path)
    if command == "export":
        other = tmp_path / "other-2024.yaml"
        shutil.copy(SAMPLE, other)
        victims[other.name] = other.read_bytes()
    article = ROOT / "tests" / "import" / "yanfeng-2023.txt"
    for name, content in victims.items():
        if command != "export" and name.endswith((".yaml", ".yml")):
            continue
        target = tmp_path / name
        target.write_bytes(content)
        args = {"export": ["export", str(data), "--xlsx", "-o", str(target), "--force"],
                "new": ["new", "--from", str(data), "--year", "2032", "-o", str(target), "--force"],
                "import": ["import", str(article), "-o", str(target), "--force"]}[command]
        refused(capsys, args, str(target), "不会覆盖")
        assert target.read_bytes() == content
    assert temps(tmp_path) == []
    # the usual regeneration still works
    again = tmp_path / ("again.xlsx" if command == "export" else "again.yaml")
    args = {"export": ["export", str(data), "--xlsx", "-o", str(again)],
            "new": ["new", "--from", str(data), "--year", "2032", "-o", str(again)],
            "import": ["import", str(article), "-o", str(again)]}[command]
    assert main(args) == 0
    assert main(args + ["--force"]) == 0


# -- nothing left behind ------------------------------------------------------------------------

def _build_until_its_temp_file_appears(folder: Path, out: Path, data: Path, env: dict) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-m", "briefing", "build", str(data), "-o", str(out), "--no-cache"],
                            cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not temps(folder):
        assert proc.poll() is None, proc.stderr.read()
        assert time.monotonic() < deadline
        time.sleep(0.01)
    return proc


@pytest.mark.parametrize("sig, code, after", [(signal.SIGTERM, 143, 0), (signal.SIGTERM, 143, 0.1),
                                              (signal.SIGINT, 130, 0), (signal.SIGHUP, 129, 0.05)])
def test_a_signal_mid_build_leaves_nothing_behind(data, tmp_path, sig, code, after):
    folder = tmp_path / "out"
    folder.mkdir()
    out = folder / "b.pdf"
    out.write_bytes(b"%PDF-1.7 the last good booklet")
    proc = _build_until_its_temp_file_appears(folder, out, data, dict(os.environ))
    time.sleep(after)  # into layout, finishing or verifying
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == code, err
    assert "Traceback" not in err
    assert temps(folder) == [] and out.read_bytes() == b"%PDF-1.7 the last good booklet"


def test_a_killed_build_is_swept_by_the_next_one(data, tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    out = folder / "b.pdf"
    proc = _build_until_its_temp_file_appears(folder, out, data, dict(os.environ))
    proc.kill()
    proc.communicate(timeout=60)
    left = temps(folder)
    assert left, "SIGKILL cannot be caught: its files stay until the next build"
    other = folder / ".b.pdf.12345.tmp"  # a name not of our pattern: never touched
    other.write_text("not ours")
    assert main(["build", str(data), "-o", str(out), "-q"]) == 0
    assert temps(folder) == [other.name] and out.is_file()


def test_the_sweep_removes_only_our_own_stale_files(tmp_path, monkeypatch):
    host = files._host()
    dead = _dead_pid()
    names = {
        f".briefing.{dead}@{host}.0123abcd.tmp": True,  # its process is gone
        f".briefing.{dead}@{host}.0123abcd.tmp.raw": True,
        f".briefing.{os.getpid()}@{host}.0123abcd.tmp": False,  # ours, running
        f".briefing.{dead}@otherhost.0123abcd.tmp": False,  # another host's, fresh: may be alive there
        f".briefing.{dead}@{host}.0123abcd.tmp.x1": False,  # not our pattern
        "b.pdf": False,
    }
    for n in names:
        (tmp_path / n).write_text("x")
    old = tmp_path / f".briefing.{os.getpid()}@otherhost.89abcdef.tmp"
    old.write_text("x")
    os.utime(old, (time.time() - 2 * files.STALE_AGE,) * 2)
    names[old.name] = True  # a day old, wherever it came from
    link = tmp_path / f".briefing.{dead}@{host}.fedcba98.tmp"
    link.symlink_to(tmp_path / "b.pdf")  # a link of our pattern: never followed, never removed
    names[link.name] = False

    removed = {p.name for p in files.sweep(tmp_path)}
    assert removed == {n for n, gone in names.items() if gone}
    assert (tmp_path / "b.pdf").read_text() == "x"

    # Files another user owns are left alone, stale or not.
    for n, gone in names.items():
        if gone:
            (tmp_path / n).write_text("x")
            os.utime(tmp_path / n, (time.time() - 2 * files.STALE_AGE,) * 2)
    monkeypatch.setattr(os, "getuid", lambda: os.stat(tmp_path).st_uid + 1)
    assert files.sweep(tmp_path) == []


def _dead_pid() -> int:
    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()
    return p.pid


# -- OS errors are messages, exit 2 ---------------------------------------------------------------

def test_an_over_long_output_name_is_a_message(data, tmp_path, capsys):
    out = tmp_path / ("长" * 81 + ".pdf")  # 247 bytes: the name fits, ours beside it must too
    assert main(["build", str(data), "-o", str(out), "-q"]) == 0
    out.unlink()
    refused(capsys, ["build", str(data), "-o", str(tmp_path / ("x" * 300 + ".pdf")), "-q"], "ENAMETOOLONG")
    assert temps(tmp_path) == []


@pytest.mark.parametrize("err", [errno.ENOSPC, errno.EROFS, errno.EACCES, errno.EISDIR])
def test_an_os_error_while_writing_is_a_message(data, tmp_path, capsys, monkeypatch, err):
    import briefing.commands.build as build_module

    def fails(*args, **kw):
        raise OSError(err, os.strerror(err))

    monkeypatch.setattr(build_module, "_finish", fails)
    refused(capsys, ["build", str(data), "-o", str(tmp_path / "b.pdf"), "-q"], errno.errorcode[err])
    assert temps(tmp_path) == [] and not (tmp_path / "b.pdf").exists()


def test_a_real_write_error_from_the_kernel_is_a_message(data, tmp_path):
    """The file size limit (RLIMIT_FSIZE) makes the kernel refuse writes past 50 KB (EFBIG), as
    a full disk refuses them with ENOSPC: whatever library is writing at that moment."""
    def limit():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (50_000, 50_000))

    r = subprocess.run([sys.executable, "-m", "briefing", "build", str(data), "-o", str(tmp_path / "b.pdf"), "-q",
                        "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300, preexec_fn=limit)
    assert r.returncode == 2, r.stderr
    assert "Traceback" not in r.stderr and "b.pdf" in r.stderr
    assert temps(tmp_path) == [] and not (tmp_path / "b.pdf").exists()


def test_a_folder_we_cannot_write_to_is_a_message(data, tmp_path, capsys, monkeypatch):
    folder = tmp_path / "ro"
    folder.mkdir()
    real_open = os.open

    def denied(path, flags, *a, **k):
        if os.fspath(path).startswith(str(folder)) and flags & os.O_CREAT:
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, flags, *a, **k)

    monkeypatch.setattr(os, "open", denied)
    refused(capsys, ["build", str(data), "-o", str(folder / "b.pdf"), "-q"], "EACCES", str(folder))
    assert list(folder.iterdir()) == []


def test_a_stop_swallowed_inside_a_library_still_stops_before_delivery(capsys):
    """Python reports an exception raised in ``__del__`` as "ignored": a SIGTERM landing there
    must still stop the build, at the next stage or at the latest before the rename."""
    from briefing.errors import Terminated

    class Collected:
        def __del__(self):
            os.kill(os.getpid(), signal.SIGTERM)  # the handler runs here, inside __del__

    with files.terminated_on_signals():
        Collected()  # collected at once: the Terminated it raises is swallowed
        with pytest.raises(Terminated) as info:
            files.check_stop()
        assert info.value.code == 143
        with pytest.raises(Terminated):
            files.deliver(Path("/nonexistent/a"), Path("/nonexistent/b"))
    files.check_stop()  # outside the block: forgotten
    assert "Exception ignored" not in capsys.readouterr().err


@pytest.mark.parametrize("exiting, status", [(True, 0), (False, -signal.SIGTERM)])
def test_a_stop_once_a_one_shot_command_is_done_leaves_its_exit_code(exiting, status):
    """A SIGTERM that comes after the command's work, as its process exits, ended it by the
    signal's default action (exit -15, after the booklet was delivered): a one-shot command
    keeps the stop signals blocked from the end of its work to its exit, so its code stands.
    (Without ``exiting``, as a library caller runs it, the handlers are simply put back.)"""
    code = (
        "import os, signal\n"
        "from briefing import files\n"
        f"with files.terminated_on_signals(exiting={exiting}):\n"
        "    pass\n"
        "os.kill(os.getpid(), signal.SIGTERM)\n"
        "os._exit(0)\n"
    )
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert r.returncode == status, r.stderr


# -- import and export follow the same rules -------------------------------------------------------

def test_import_reads_only_regular_files_and_never_writes_over_its_source(tmp_path, capsys):
    article = tmp_path / "a.txt"
    shutil.copy(ROOT / "tests" / "import" / "yanfeng-2023.txt", article)
    fifo = tmp_path / "f.txt"
    os.mkfifo(fifo)
    start = time.monotonic()
    refused(capsys, ["import", str(fifo), "-o", str(tmp_path / "d.yaml")], "FIFO")
    refused(capsys, ["import", str(fifo), "-o", str(tmp_path / "d.yaml")], "FIFO")
    refused(capsys, ["import", "/dev/zero", "-o", str(tmp_path / "d.yaml")], "device")
    assert time.monotonic() - start < 10
    os.link(article, tmp_path / "same.yaml")
    before = article.read_bytes()
    refused(capsys, ["import", str(article), "-o", str(tmp_path / "same.yaml"), "--force"], "不能覆盖")
    (tmp_path / "link.yaml").symlink_to(tmp_path / "elsewhere")
    refused(capsys, ["import", str(article), "-o", str(tmp_path / "link.yaml"), "--force"], "符号链接")
    assert article.read_bytes() == before and temps(tmp_path) == []


def test_export_never_writes_over_its_data_file(data, tmp_path, capsys):
    before = data.read_bytes()
    refused(capsys, ["export", str(data), "--xlsx", "-o", str(data), "--force"], "不能覆盖")
    assert data.read_bytes() == before
    assert main(["export", str(data), "--xlsx", "-o", str(tmp_path / "d.xlsx")]) == 0
    assert temps(tmp_path) == [] and (tmp_path / "d.xlsx").stat().st_size > 0
    fifo = tmp_path / "f.xlsx"
    os.mkfifo(fifo)
    refused(capsys, ["import", str(fifo), "--into", str(data)], "FIFO")


def test_a_stop_that_a_library_annotated_still_exits_with_the_signals_code(data, tmp_path, monkeypatch):
    """reportlab catches an exception while it starts a page and raises it again with its
    message extended (``annotateException``): a SIGTERM that lands there becomes a
    ``Terminated`` whose code is a text. The exit code must still be 143 (it was a traceback
    and 1), with the temporary files gone."""
    from briefing.errors import Terminated
    from briefing.typeset.document import BookletTemplate

    def stopped(self, canv, doc):
        files._asked.append(signal.SIGTERM)  # what the signal handler records, then raises
        raise Terminated(143)

    monkeypatch.setattr(BookletTemplate, "_page_begin", stopped)
    try:
        assert main(["build", str(data), "-o", str(tmp_path / "b.pdf"), "-q"]) == 143
    finally:
        files._asked.clear()
    assert temps(tmp_path) == [] and not (tmp_path / "b.pdf").exists()


def test_a_stop_under_which_a_librarys_cleanup_fails_still_exits_with_the_signals_code(tmp_path, monkeypatch, capsys):
    """A SIGTERM that lands in reportlab's ``drawGroup`` before it set a node's ``_parent``
    makes its ``finally`` fail (``del node._parent``): the stop arrives as an AttributeError
    with the ``Terminated`` as its context. It was a traceback and exit 1 (found by
    ``test_finishjob``'s stop test); it must be 143 and quiet."""
    from reportlab.graphics import renderPDF
    from reportlab.graphics.shapes import Drawing, Rect
    from reportlab.pdfgen.canvas import Canvas

    from briefing.commands import cli
    from briefing.errors import Terminated

    class Struck(Rect):
        @property
        def _canvas(self):  # drawGroup's first look at the node, inside its try
            files._asked.append(signal.SIGTERM)  # what the signal handler records, then raises
            raise Terminated(143)

    def build(args):
        drawing = Drawing(100, 100)
        drawing.add(Struck(0, 0, 10, 10))
        renderPDF.draw(drawing, Canvas(str(tmp_path / "x.pdf")), 0, 0)
        return 0

    monkeypatch.setattr(cli, "_build", build)
    try:
        assert main(["build", str(tmp_path / "d.yaml"), "-q"]) == 143
    finally:
        files._asked.clear()
    assert "Traceback" not in capsys.readouterr().err


def test_a_damaged_pdf_gives_our_message_only(tmp_path):
    """pypdf's own warnings about a damaged file ("EOF marker not found") are not printed:
    verify's message says what is wrong; a build whose last booklet is damaged prints its
    stages only."""
    from .conftest import run

    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"%PDF-1.7 the last good booklet")
    r = run("verify", str(bad))
    assert r.returncode == 2 and "EOF marker" not in r.stderr and "damaged" in r.stderr, r.stderr
    env = dict(os.environ, BRIEFING_SERVER="0", XDG_CACHE_HOME=str(tmp_path / "cache"))
    assert run("build", str(DATA), "-o", str(tmp_path / "b.pdf"), "-q", env=env).returncode == 0
    (tmp_path / "b.pdf").write_bytes(b"%PDF-1.7 the last good booklet")
    r = run("build", str(DATA), "-o", str(tmp_path / "b.pdf"), env=env)  # the worker reads the old file
    assert r.returncode == 0 and "EOF marker" not in r.stderr, r.stderr
