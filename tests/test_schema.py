"""The JSON Schema for editors: current, valid for every shipped file, and every field documented."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import typing

import jsonschema
import pytest
import yaml

from briefing.commands.entry import main
from briefing.data.model import Briefing
from briefing.data.schema import schema_text

from .conftest import ROOT

SCHEMA = ROOT / "schema" / "briefing.schema.json"
DATA_FILES = sorted((ROOT / "data").glob("*.yaml")) + sorted((ROOT / "tests" / "data").glob("*.yaml"))


def _plain(value):
    """YAML as an editor's schema checker sees it: dates are strings."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def test_committed_schema_is_current():
    assert SCHEMA.read_text(encoding="utf-8") == schema_text(), "run: briefing schema -o schema/briefing.schema.json"


def test_schema_command_prints_it(capsys):
    assert main(["schema"]) == 0
    assert json.loads(capsys.readouterr().out)["title"].startswith("briefing")


@pytest.mark.parametrize("path", DATA_FILES, ids=lambda p: p.name)
def test_every_shipped_data_file_points_to_and_passes_the_schema(path):
    text = path.read_text(encoding="utf-8")
    first = text.splitlines()[0]
    assert first.startswith("# yaml-language-server: $schema=")
    assert (path.parent / first.split("=", 1)[1]).resolve() == SCHEMA.resolve()
    jsonschema.validate(_plain(yaml.safe_load(text)), json.loads(SCHEMA.read_text(encoding="utf-8")))


def test_schema_rejects_an_unknown_key():
    data = _plain(yaml.safe_load((ROOT / "data" / "yanfeng-2023.yaml").read_text(encoding="utf-8")))
    data["plan"]["paths"][0]["tragets"] = data["plan"]["paths"][0].pop("targets")
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, json.loads(SCHEMA.read_text(encoding="utf-8")))


def _fields(model: type, seen: set) -> set[str]:
    names = set()
    if model in seen:
        return names
    seen.add(model)
    for name, annotation in typing.get_type_hints(model).items():
        names.add(name)
        for arg in typing.get_args(annotation) + (annotation,):
            for inner in typing.get_args(arg) + (arg,):
                if dataclasses.is_dataclass(inner):
                    names |= _fields(inner, seen)
    return names


def test_every_field_is_documented():
    doc = (ROOT / "docs" / "data-format.md").read_text(encoding="utf-8")
    missing = sorted(f for f in _fields(Briefing, set()) if f"`{f}`" not in doc)
    assert not missing
