"""Packaging: `pip install .` (not only editable) ships every subpackage and the fonts."""

from __future__ import annotations

import pytest

tomllib = pytest.importorskip("tomllib")  # Python 3.11+

from .conftest import ROOT


def test_every_subpackage_is_listed_for_installation():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    listed = set(config["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "briefing").rglob("__init__.py")}
    assert found <= listed, f"add to [tool.setuptools] packages: {sorted(found - listed)}"
    assert config["package-dir"]["briefing.assets"] == "assets"


def test_package_data_covers_the_shipped_assets():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    patterns = config["package-data"]["briefing.assets"]
    shipped = [p for p in (ROOT / "assets").rglob("*")
               if p.is_file() and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts]
    assert shipped
    for f in shipped:
        rel = f.relative_to(ROOT / "assets")
        assert any(rel.match(pattern) for pattern in patterns), rel
