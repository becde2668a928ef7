"""Several districts at once: parallel builds, one line each, a summary, failures isolated."""

from __future__ import annotations

import shutil

from briefing.commands.batch import build_many
from briefing.commands.entry import main

from .conftest import ROOT, SAMPLE


def test_many_files_build_in_parallel_and_one_bad_file_stops_nothing(tmp_path, monkeypatch, capsys):
    for name in ("east", "west"):
        shutil.copy(SAMPLE, tmp_path / f"{name}.yaml")
    shutil.copy(ROOT / "tests" / "bad" / "wrong-type.yaml", tmp_path / "broken.yaml")
    monkeypatch.chdir(tmp_path)
    code = main(["build", "east.yaml", "broken.yaml", "west.yaml", "-j", "2"])
    err = capsys.readouterr().err
    assert code == 2  # some failed, with bad input
    assert (tmp_path / "out" / "east-briefing.pdf").is_file()
    assert (tmp_path / "out" / "west-briefing.pdf").is_file()
    assert not (tmp_path / "out" / "broken-briefing.pdf").exists()
    assert err.count("✓") == 2 and err.count("✗") == 1
    assert "broken.yaml:" in err and "需要数字" in err
    assert "2 份成功, 1 份失败" in err
    assert "Traceback" not in err


def test_all_good_is_exit_0_and_results_come_back_in_file_order(tmp_path, monkeypatch):
    files = []
    for name in ("c", "a", "b"):
        shutil.copy(SAMPLE, tmp_path / f"{name}.yaml")
        files.append(f"{name}.yaml")
    monkeypatch.chdir(tmp_path)
    outcomes = build_many(files, workers=2)
    assert [o.data for o in outcomes] == files
    assert all(o.code == 0 and o.pages > 0 for o in outcomes)


def test_output_option_is_refused_for_several_files(tmp_path, capsys):
    assert main(["build", str(SAMPLE), str(SAMPLE), "-o", str(tmp_path / "x.pdf")]) == 2
    assert "不能用 -o" in capsys.readouterr().err


def test_two_files_with_the_same_name_are_refused(tmp_path, capsys):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    shutil.copy(SAMPLE, tmp_path / "a" / "x.yaml")
    shutil.copy(SAMPLE, tmp_path / "b" / "x.yaml")
    assert main(["build", str(tmp_path / "a" / "x.yaml"), str(tmp_path / "b" / "x.yaml")]) == 2
    assert "同名" in capsys.readouterr().err


def test_workers_are_forked_with_the_model_check_ready():
    """``preload`` (before ``build data/*.yaml`` or ``serve`` forks its workers) makes the
    validator of the model: a worker checks its first file without making it."""
    import subprocess
    import sys

    probe = ("from briefing.cache import Cache; from briefing.commands.build import preload; "
             "from briefing.data import validator; preload(Cache(None)); "
             "print(validator.validator.cache_info().currsize)")
    r = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True)
    assert r.stdout.strip() == "1", r.stderr
