"""The bad-data corpus: each file under tests/bad/ must produce exactly its .expected message."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefing.commands.entry import main
from briefing.data.load import load
from briefing.errors import DataError

BAD = Path(__file__).parent / "bad"
CASES = sorted(BAD.glob("*.yaml"))


def test_the_corpus_is_complete():
    assert len(CASES) >= 20
    assert all(c.with_suffix(".expected").is_file() for c in CASES)


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_exact_message(case, fonts):
    expected = case.with_suffix(".expected").read_text(encoding="utf-8").splitlines()
    with pytest.raises(DataError) as info:
        load(case, missing_glyphs=fonts.missing)
    got = [str(p).replace(str(case), "{file}", 1) for p in info.value.problems]
    assert got == expected


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_command_line_exit_2_no_traceback_no_output(case, tmp_path, capsys):
    out = tmp_path / "b.pdf"
    assert main(["build", str(case), "-o", str(out), "-q"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert str(case) in err
    assert list(tmp_path.iterdir()) == []


def test_a_directory_and_a_missing_path(tmp_path):
    with pytest.raises(DataError, match="这是一个文件夹"):
        load(tmp_path)
    with pytest.raises(DataError, match="文件不存在"):
        load(tmp_path / "nope.yaml")


def test_oversized_file_is_refused(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_text("a: " + "x" * (3 * 1024 * 1024), encoding="utf-8")
    with pytest.raises(DataError, match="文件过大"):
        load(big)
