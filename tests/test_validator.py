"""The check of a data file by the validator made from the shipped schema (``data.validator``):
current, the same results as pydantic's own validator on good and broken files, pydantic never
imported for a good file, and pydantic's validator wherever the shipped file does not fit."""

from __future__ import annotations

import copy
import json
import subprocess
import sys

import pydantic_core
import pytest

from briefing.data import rules, validator
from briefing.data.load import parse
from briefing.data.model import Briefing

from .conftest import ROOT

SHIPPED = ROOT / "assets" / validator.SHIPPED
FITS = json.loads(SHIPPED.read_text(encoding="utf-8"))["pydantic_core"] == pydantic_core.__version__
FILES = (sorted((ROOT / "data").glob("*.yaml")) + sorted((ROOT / "tests" / "data").glob("*.yaml"))
         + sorted((ROOT / "tests" / "bad").glob("*.yaml")))


def test_the_shipped_schema_is_the_one_pydantic_generates():
    """Where the installed pydantic-core is the one that generated the file, the file is what
    pydantic generates from the model now; elsewhere the check does not use it at all."""
    if FITS:
        assert SHIPPED.read_text(encoding="utf-8") == validator.shipped_text(), "run: .venv/bin/python tools/core_schema.py"
    else:
        assert validator._from_shipped() is None


def _outcome(v, data):
    try:
        return ("model", v.validate_python(data))
    except pydantic_core.ValidationError as exc:
        return ("errors", [(e["type"], e["loc"], e["msg"], repr(e.get("input"))) for e in exc.errors()])


def _parsed(path):
    try:
        return parse(path).data
    except Exception:  # noqa: BLE001 - a file the YAML stage refuses never reaches the check
        return None


BAD_VALUES = (None, True, "", "文字", -1, 0.5, 1e309, [], {}, [1], {"x": 1}, "2023-02-30", 20230320, 3000)


def _mutations(data, path=()):
    """``data`` with one place changed: each value (a mapping and a list too) replaced by each
    of ``BAD_VALUES``, each key of a mapping removed, an unknown key added, each list emptied."""
    for bad in BAD_VALUES:
        yield path + (repr(bad),), bad
    if isinstance(data, dict):
        yield path + ("+",), {**data, "tragets": 1}
        for k, v in data.items():
            yield path + (k, "-"), {x: y for x, y in data.items() if x != k}
            for sub_path, changed in _mutations(v, path + (k,)):
                yield sub_path, {**data, k: changed}
    elif isinstance(data, list):
        yield path + ("[]",), []
        for i, v in enumerate(data[:2]):
            for sub_path, changed in _mutations(v, path + (i,)):
                yield sub_path, data[:i] + [changed] + data[i + 1:]


@pytest.mark.skipif(not FITS, reason="the shipped schema is not used with this pydantic-core: nothing to compare")
def test_the_shipped_validator_checks_every_file_as_pydantics_does():
    shipped, own = validator._from_shipped(), rules.validator(Briefing)
    assert shipped is not None
    compared = 0
    for path in FILES:
        data = _parsed(path)
        if data is None:
            continue
        assert _outcome(shipped, data) == _outcome(own, data), path.name
        compared += 1
    assert compared >= 20


@pytest.mark.skipif(not FITS, reason="the shipped schema is not used with this pydantic-core: nothing to compare")
def test_the_shipped_validator_finds_what_pydantics_finds_in_every_broken_value():
    """Every value of the default data file broken in every way the list above has, every key
    removed, one unknown key added, every list emptied: the same model or the same errors."""
    shipped, own = validator._from_shipped(), rules.validator(Briefing)
    data = parse(ROOT / "data" / "yanfeng-2023.yaml").data
    kinds, count = set(), 0
    for where, changed in _mutations(data):
        got = _outcome(shipped, copy.deepcopy(changed))
        assert got == _outcome(own, copy.deepcopy(changed)), where
        if got[0] == "errors":
            kinds.update(e[0] for e in got[1])
        count += 1
    assert count > 1000
    # the mutations reach every kind of check the data file's fields have
    assert {"missing", "unexpected_keyword_argument", "value_error", "string_type", "list_type", "too_short",
            "dataclass_type", "literal_error", "string_too_short", "string_pattern_mismatch"} <= kinds, kinds


def test_a_good_file_is_checked_without_importing_pydantic():
    probe = ("import sys; from briefing.data.load import load; doc = load('data/yanfeng-2023.yaml'); "
             "print(doc.meeting.year, 'pydantic' in sys.modules)")
    r = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert r.stdout.split() == ["2023", "False" if FITS else "True"], r.stderr[-2000:]


def test_a_bad_file_is_worded_by_the_rules():
    """Its messages need pydantic's reading of the annotations (did-you-mean hints): imported then."""
    probe = ("import sys\nfrom briefing.data.load import load\nfrom briefing.errors import DataError\n"
             "try:\n    load('tests/bad/many-errors.yaml')\nexcept DataError as e:\n"
             "    print(any('是不是想写' in str(p) for p in e.problems), 'pydantic' in sys.modules)")
    r = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert r.stdout.split() == ["True", "True"], r.stderr[-2000:]


@pytest.mark.parametrize("spoil", ["version", "name", "os", "schema", "json", "missing"])
def test_a_shipped_file_that_does_not_fit_gives_pydantics_own_validator(spoil, tmp_path, monkeypatch):
    """Another pydantic-core's file, a name the schema may not use (``os:system`` is never looked
    up), a schema pydantic-core refuses, a broken or missing file: pydantic's validator, the
    same results."""
    data = json.loads(SHIPPED.read_text(encoding="utf-8"))
    data["pydantic_core"] = pydantic_core.__version__
    if spoil == "version":
        data["pydantic_core"] = "0.0.1"
    elif spoil == "name":
        data["schema"]["cls"] = {validator.REF: "briefing.data.model:YEARS"}
    elif spoil == "os":
        data["schema"]["cls"] = {validator.REF: "os:system"}
    elif spoil == "schema":
        data["schema"]["type"] = "no-such-type"
    text = json.dumps(data)[:-5] if spoil == "json" else json.dumps(data)
    if spoil != "missing":
        (tmp_path / validator.SHIPPED).write_text(text, encoding="utf-8")
    monkeypatch.setattr(validator, "asset_dir", lambda: tmp_path)
    validator.validator.cache_clear()
    try:
        assert validator._from_shipped() is None
        made = validator.validator()
        assert made is rules.validator(Briefing)
        good = parse(ROOT / "data" / "yanfeng-2023.yaml").data
        assert validator.check(good)[0] == rules.validate(Briefing, good)
    finally:
        validator.validator.cache_clear()


def test_an_object_the_shipped_file_cannot_name_is_refused_when_it_is_written():
    with pytest.raises(ValueError, match="cannot name"):
        validator.encode({"type": "function-plain", "function": print}, {})
    assert validator.encode({"ref": "briefing.data.model.Metric:94666589536096", "metadata": {"x": print}}, {}) \
        == {"ref": "briefing.data.model.Metric"}
