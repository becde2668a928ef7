"""The command line: exit codes, messages on stderr, and a last good booklet that survives."""

from __future__ import annotations

from briefing.commands.entry import main

from .conftest import DATA, SAMPLE, run


def test_help_explains_the_commands():
    r = run("--help")
    assert r.returncode == 0
    assert "build" in r.stdout and "verify" in r.stdout
    b = run("build", "--help")
    assert "data/yanfeng-2023.yaml" in b.stdout and "退出码" in b.stdout


def test_no_command_is_a_usage_error(capsys):
    assert main([]) == 2


def test_build_and_verify_round_trip(tmp_path, capsys):
    out = tmp_path / "nested" / "dir" / "b.pdf"  # a folder that does not exist yet is created
    assert main(["build", str(SAMPLE), "-o", str(out)]) == 0
    err = capsys.readouterr().err
    for stage in ("load", "charts", "layout+write", "verify"):
        assert stage in err
    assert "KB" in err
    assert out.is_file()
    assert main(["verify", str(out), "--data", str(SAMPLE)]) == 0
    assert "[ok] figures in text" in capsys.readouterr().err


def test_verify_fails_with_exit_1_on_a_pdf_that_is_not_the_booklet(tmp_path, capsys):
    other = tmp_path / "other.pdf"
    assert main(["build", str(SAMPLE), "-o", str(other), "-q"]) == 0
    capsys.readouterr()
    assert main(["verify", str(other), "--data", str(DATA)]) == 1
    err = capsys.readouterr().err
    assert "[FAIL] figures in text" in err and "[FAIL] outline" in err


def test_verify_holds_a_booklet_to_its_own_paper_unless_told(tmp_path, capsys):
    """An A5 booklet verified without --paper was held to A4, and failed by the hundred."""
    out = tmp_path / "a5.pdf"
    assert main(["build", str(SAMPLE), "-o", str(out), "--paper", "a5", "-q"]) == 0
    capsys.readouterr()
    assert main(["verify", str(out), "--data", str(SAMPLE)]) == 0
    assert "[ok] page size A5" in capsys.readouterr().err
    assert main(["verify", str(out), "--paper", "a4"]) == 1  # told A4: the size is wrong
    assert "[FAIL] page size A4" in capsys.readouterr().err


def test_bad_data_exits_2_with_location_and_keeps_the_last_good_booklet(tmp_path, capsys):
    out = tmp_path / "b.pdf"
    assert main(["build", str(SAMPLE), "-o", str(out), "-q"]) == 0
    before = out.read_bytes()
    bad = tmp_path / "bad.yaml"
    bad.write_text(SAMPLE.read_text(encoding="utf-8").replace("value: 73,", "value: 七十三,"), encoding="utf-8")
    capsys.readouterr()
    assert main(["build", str(bad), "-o", str(out), "-q"]) == 2
    err = capsys.readouterr().err
    assert f"{bad}:" in err and "results.answers[0].metrics[2].value: 需要数字，得到 \"七十三\"" in err
    assert "Traceback" not in err
    assert out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.pdf", "bad.yaml"]


def test_missing_data_file_is_a_clear_error(tmp_path):
    r = run("build", str(tmp_path / "nope.yaml"), "-o", str(tmp_path / "x.pdf"))
    assert r.returncode == 2
    assert "文件不存在" in r.stderr and "Traceback" not in r.stderr


def test_default_output_path_from_any_directory(tmp_path):
    import shutil

    (tmp_path / "data").mkdir()
    shutil.copy(SAMPLE, tmp_path / "data" / "yanfeng-2023.yaml")
    r = run("build", "-q", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "out" / "yanfeng-2023-briefing.pdf").is_file()
