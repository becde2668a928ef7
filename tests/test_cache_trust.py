"""The cache is untrusted input: nothing in it can run code, a wrong or swapped entry is a miss,
and a cache directory another user owns or can write to is not used at all."""

from __future__ import annotations

import json
import re
import os
import pickle
import shutil
from pathlib import Path

import pytest

from briefing import cache as cache_module
from briefing.cache import Cache, decode, encode
from briefing.commands.build import build
from briefing.commands.entry import main

from .conftest import SAMPLE


@pytest.fixture(scope="module")
def cold(tmp_path_factory) -> bytes:
    return build(SAMPLE, tmp_path_factory.mktemp("cold") / "cold.pdf", cache=None).output.read_bytes()


def warm_cache(root: Path) -> Cache:
    forget_subsets()  # made, and kept in the cache, as by a fresh process
    c = Cache(root)
    build(SAMPLE, root.parent / "first.pdf", cache=c)
    return c


def entries(root: Path, kind: str) -> list[Path]:
    return sorted((root / kind).glob("*.json"))


# -- nothing in the cache can run code ---------------------------------------------------------

class _Boom:
    def __reduce__(self):
        return (Path.write_text, (Path(os.environ["BRIEFING_PWNED"]), "code ran"))


def test_no_pickle_anywhere_in_the_cache(tmp_path, monkeypatch, cold):
    assert "import pickle" not in Path(cache_module.__file__).read_text(encoding="utf-8")
    root = tmp_path / "cache"
    c = warm_cache(root)
    marker = tmp_path / "pwned"
    monkeypatch.setenv("BRIEFING_PWNED", str(marker))
    payload = pickle.dumps(_Boom())
    # Plant pickles where the old format kept its entries, and in place of every JSON entry.
    for kind in ("charts", "fonts", "contents"):
        for e in entries(root, kind):
            e.with_suffix(".pickle").write_bytes(payload)
            e.write_bytes(payload)
    (root / "digests.json").write_bytes(payload)
    out = build(SAMPLE, tmp_path / "b.pdf", cache=Cache(root))
    assert not marker.exists()
    assert out.output.read_bytes() == cold


def test_decoding_names_only_the_classes_allowed_and_runs_none_of_their_code():
    class Loud:
        def __init__(self):
            raise AssertionError("__init__ ran")

        def __setstate__(self, state):
            raise AssertionError("__setstate__ ran")

    data = encode({"x": Loud.__new__(Loud)}, {Loud: "t:Loud"})
    got = decode(data, {"t:Loud": Loud})["x"]
    assert type(got) is Loud
    for hostile in ({"O": "os:system", "S": {}}, {"O": "builtins:eval", "S": {}}, {"O": "t:Loud", "S": {"__class__": 1}},
                    {"X": 1}, {"L": [1], "T": [2]}, [1, 2], {"N": "zAAAA"}, {"I": ["h", "hAQA="]}):
        with pytest.raises((TypeError, ValueError)):
            decode(hostile, {"t:Loud": Loud})


def test_every_kind_round_trips_what_the_build_stores(tmp_path, cold):
    root = tmp_path / "cache"
    warm_cache(root)
    c = Cache(root)
    out = build(SAMPLE, tmp_path / "b.pdf", cache=c)
    assert c.misses == 0 and c.hits > 0  # every font, chart and the contents came from the cache
    assert out.output.read_bytes() == cold


# -- wrong, corrupt or swapped entries are misses -----------------------------------------------

def _sub(value, old: str, new: str):
    """The stored value with one piece of its JSON text replaced (which must be there)."""
    text = json.dumps(value, separators=(",", ":"))
    assert old in text, old
    return json.loads(text.replace(old, new, 1))


def _resub(value, pattern: str, new: str):
    """The stored value with the first match of ``pattern`` in its JSON text replaced."""
    text = json.dumps(value, separators=(",", ":"))
    assert re.search(pattern, text), pattern
    return json.loads(re.sub(pattern, new, text, count=1))


def _rewrite(entry: Path, change) -> None:
    stored = json.loads(entry.read_bytes())
    stored["value"] = change(stored["value"])
    entry.write_text(json.dumps(stored), encoding="utf-8")


STROKED_DASH = r'("stroke":\{"T":\[[0-9.,]+\]\},"width":[0-9.]+,"dash":)\{"T":\[\]\}'


@pytest.mark.parametrize("kind, change", [
    ("charts", lambda v: 5),
    ("charts", lambda v: "a drawing"),
    ("charts", lambda v: {"O": "briefing.typeset.picture:Shape", "S": v["S"]}),  # not a Picture
    ("charts", lambda v: _sub(v, '"size":', '"size":"big","x0":')),
    ("charts", lambda v: _resub(v, r'"size":[0-9.]+', '"size":1e9')),  # a text a billion points high
    ("charts", lambda v: _resub(v, r'"width":[0-9.]+', '"width":-5')),
    ("charts", lambda v: _resub(v, r'"fill":\{"T":\[[0-9.]+', '"fill":{"T":[7')),  # not a colour
    ("charts", lambda v: _sub(v, '"points":{"T":[', '"points":{"T":["x",')),
    ("charts", lambda v: _sub(v, '"points":{"T":[', '"points":{"T":[1,')),  # one number more than its codes
    ("charts", lambda v: _sub(v, '"codes":"M', '"codes":"Q')),
    ("charts", lambda v: _sub(v, '"anchor":"', '"anchor":"x')),
    ("charts", lambda v: _sub(v, '"text":"', '"text":"\\u0000')),
    ("charts", lambda v: _sub(v, "briefing.typeset.picture:Label", "reportlab.graphics.shapes:String")),
    # A stroke's dash of no length (reportlab raised), or with a phase it writes as "1e-07": not a PDF number.
    ("charts", lambda v: _resub(v, STROKED_DASH, r'\1{"T":[0,0,0]}')),
    ("charts", lambda v: _resub(v, STROKED_DASH, r'\1{"T":[1e-07,2,1]}')),
    ("charts", lambda v: _sub(v, '"codes":"M', '"codes":"M' + "Z" * 200_000)),  # more than any chart of ours draws
    ("charts", lambda v: _resub(v, r'"height":[0-9.]+', '"height":1')),  # the page would draw it over the text above
    ("charts", lambda v: _resub(v, r'"points":\{"T":\[[0-9.]+', '"points":{"T":[-40')),  # outside the chart
    ("charts", lambda v: _sub(v, '"text":"', '"text":"\\ud83d\\ude00')),  # a glyph the booklet's faces lack
    ("subsets", lambda v: _sub(v, '{"B":"AAEAAA', '{"B":"AAAAAA')),  # not TrueType
    ("subsets", lambda v: {"L": []}),
    ("contents", lambda v: {"L": [{"L": [0, "x", 1, None]}]}),
    ("contents", lambda v: {"L": [{"T": [0, 1, 1, None]}]}),
])
def test_an_entry_of_the_wrong_shape_is_a_miss(tmp_path, cold, kind, change):
    root = tmp_path / "cache"
    warm_cache(root)
    for e in entries(root, kind):
        _rewrite(e, change)
    forget_subsets()  # as a fresh process: the subsets come from the cache, not this process's memo
    c = Cache(root)
    out = build(SAMPLE, tmp_path / "b.pdf", cache=c)  # no AttributeError: a cold build
    assert c.misses >= 1
    assert out.output.read_bytes() == cold


def forget_subsets() -> None:
    from reportlab.pdfbase import pdfmetrics

    for name in pdfmetrics.getRegisteredFontNames():
        getattr(pdfmetrics.getFont(name), "_subsets", {}).clear()


def test_a_subset_comes_from_the_cache_as_it_was_made(tmp_path, cold, monkeypatch):
    """A fresh process's rebuild that draws the characters a build drew before takes each
    face's subset program from the cache: none is made, and the file is the one a build
    without a cache makes."""
    from briefing.fonts import cid

    root = tmp_path / "cache"
    warm_cache(root)
    assert len(entries(root, "subsets")) == 3  # one a face
    forget_subsets()
    made = []
    monkeypatch.setattr(cid, "subset", _counting(cid.subset, made))
    out = build(SAMPLE, tmp_path / "b.pdf", cache=Cache(root))
    assert made == [False, False, False]  # each face's program taken, none made
    assert out.output.read_bytes() == cold


@pytest.mark.parametrize("change", [
    lambda v: {"L": []},
    lambda v: {"T": [v["T"][0], {"D": {}}]},
    lambda v: _sub(v, '"widthsBesideDefault":{"I"', '"widthsBesideDefault":{"L":[]},"x":{"I"'),
    lambda v: _sub(v, '"charsWithoutWidth":{"L":[]}', '"charsWithoutWidth":{"L":["x"]}'),
    lambda v: _sub(v, '"charsWithoutWidth":{"L":[]}', '"charsWithoutWidth":{"L":[-7]}'),  # not a character of the face
    lambda v: _sub(v, '"unitsPerEm":1000', '"unitsPerEm":"1000"'),
    lambda v: _sub(v, "briefing.fonts.register:_Scale", "builtins:object"),
])
def test_a_font_entry_of_the_wrong_shape_is_a_miss(tmp_path, change):
    """Fonts are read from the cache only by a process that has not registered them yet, so
    the parse is called as such a process calls it."""
    import hashlib

    from briefing.fonts.register import FACES, _parse, font_dir

    path = font_dir() / FACES["sans"]
    data = path.read_bytes()
    digest = hashlib.blake2b(data, digest_size=16).hexdigest()
    c = Cache(tmp_path / "cache")
    fresh = _parse("T-fresh", path, data, digest, c)
    [entry] = entries(tmp_path / "cache", "fonts")
    hit = _parse("T-hit", path, data, digest, c)
    assert c.hits == 1
    assert list(hit.face.charWidths.items()) == list(fresh.face.charWidths.items())  # the same, in the same order
    assert hit.face.charToGlyph == fresh.face.charToGlyph
    _rewrite(entry, change)
    again = _parse("T-again", path, data, digest, c)
    assert c.misses == 2  # the first parse, and this one
    assert again.face.charWidths == fresh.face.charWidths and again.face.unitsPerEm == 1000


def test_a_faces_widths_are_stored_beside_the_default_and_made_again_whole():
    from briefing.fonts.register import _widths_restored, _widths_stored

    state = {"charToGlyph": {32: 3, 0x4E00: 9, 0x4E01: 10, 65: 4}, "defaultWidth": 1000,
             "charWidths": {32: 250, 0x4E00: 1000, 0x4E01: 1000}, "unitsPerEm": 1000}
    stored = _widths_stored(state)
    assert stored["widthsBesideDefault"] == {32: 250} and stored["charsWithoutWidth"] == [65]
    assert "charWidths" not in stored
    again = _widths_restored(stored)
    assert list(again["charWidths"].items()) == list(state["charWidths"].items()) and again == state


def test_a_subset_is_kept_as_its_program_only_and_one_too_small_is_made_again(tmp_path, cold, monkeypatch):
    """A kept subset is its TrueType program and nothing else (its maps, widths and name are
    made from the face each time, so no entry can swap them); a program without the glyphs its
    characters need (here the smallest face's, put in every entry) is made again: the file is
    the one a build without a cache makes."""
    import base64

    from briefing.fonts import cid

    root = tmp_path / "cache"
    warm_cache(root)
    kept = [json.loads(e.read_bytes())["value"] for e in entries(root, "subsets")]
    assert len(kept) == 3 and all(set(v) == {"B"} for v in kept)
    smallest = min(kept, key=lambda v: len(v["B"]))
    assert base64.b64decode(smallest["B"])[:4] == b"\x00\x01\x00\x00"
    for e in entries(root, "subsets"):
        _rewrite(e, lambda v: smallest)
    forget_subsets()
    made = []
    monkeypatch.setattr(cid, "subset", _counting(cid.subset, made))
    out = build(SAMPLE, tmp_path / "b.pdf", cache=Cache(root))
    assert out.output.read_bytes() == cold
    assert made.count(True) == 2  # the two larger faces' subsets, made again; the smallest's taken


def _counting(real, made: list):
    def counted(face, chars, halves=frozenset(), program=None):
        made.append(program is None)
        return real(face, chars, halves, program)
    return counted


def test_swapped_entries_are_misses(tmp_path, cold):
    root = tmp_path / "cache"
    warm_cache(root)
    charts = entries(root, "charts")
    assert len(charts) >= 2
    a, b = charts[0], charts[1]
    a_bytes = a.read_bytes()
    a.write_bytes(b.read_bytes())
    b.write_bytes(a_bytes)
    c = Cache(root)
    out = build(SAMPLE, tmp_path / "b.pdf", cache=c)
    assert c.misses == 2  # the two swapped charts, made again
    assert out.output.read_bytes() == cold


def test_an_entry_moved_to_another_kind_is_a_miss(tmp_path):
    root = tmp_path / "cache"
    warm_cache(root)
    [hint] = entries(root, "contents")
    chart = entries(root, "charts")[0]
    shutil.copy(chart, hint)
    assert Cache(root).get("contents", hint.stem) is None


def test_an_entry_too_large_or_not_a_regular_file_is_a_miss(tmp_path, monkeypatch):
    root = tmp_path / "cache"
    warm_cache(root)
    chart = entries(root, "charts")[0]
    monkeypatch.setattr(cache_module, "MAX_ENTRY", 100)
    assert Cache(root).get("charts", chart.stem) is None
    monkeypatch.undo()
    stored = json.loads(chart.read_bytes())  # a chart of well-formed JSON, 5 MB: not even read
    chart.write_text(json.dumps({**stored, "pad": "x" * (5 << 20)}), encoding="utf-8")
    assert Cache(root).get("charts", chart.stem) is None
    chart.unlink()
    os.mkfifo(chart)  # would block a plain read for ever
    assert Cache(root).get("charts", chart.stem) is None


# -- a cache directory that is not ours alone is not used ---------------------------------------

@pytest.mark.parametrize("where", ["root", "charts"])
def test_a_cache_directory_others_can_write_to_is_ignored_with_a_warning(tmp_path, monkeypatch, capsys, cold, where):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    root = tmp_path / "briefing"
    warm_cache(root)
    (root if where == "root" else root / "charts").chmod(0o777)
    before = sorted(p.relative_to(root) for p in root.rglob("*"))
    planted = entries(root, "charts")[0]
    planted.write_text("planted by another user")
    assert main(["build", str(SAMPLE), "-o", str(tmp_path / "b.pdf")]) == 0
    err = capsys.readouterr().err
    warnings = [line for line in err.splitlines() if "不使用缓存" in line]
    assert len(warnings) == 1 and "777" in warnings[0]  # one line, saying why
    assert sorted(p.relative_to(root) for p in root.rglob("*")) == before  # nothing read or written
    assert (tmp_path / "b.pdf").read_bytes() == cold


def test_a_cache_directory_of_another_user_is_ignored(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    root = tmp_path / "briefing"
    root.mkdir(mode=0o700)
    me = os.getuid()
    monkeypatch.setattr(os, "getuid", lambda: me + 1)  # the folder is now someone else's
    c = Cache.default()
    assert c.root is None and "另一个用户" in c.refused
    assert main(["build", str(SAMPLE), "-o", str(tmp_path / "b.pdf"), "-q"]) == 0
    assert "不使用缓存" in capsys.readouterr().err
    assert list(root.iterdir()) == []


def test_the_cache_folders_it_makes_are_private(tmp_path):
    root = tmp_path / "cache"
    warm_cache(root)
    for folder in [root, *[p for p in root.iterdir() if p.is_dir()]]:
        assert folder.stat().st_mode & 0o077 == 0, folder


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a file to another user needs root")
def test_an_entry_owned_by_another_user_is_a_miss(tmp_path):
    root = tmp_path / "cache"
    warm_cache(root)
    chart = entries(root, "charts")[0]
    os.chown(chart, 12345, 12345)
    assert Cache(root).get("charts", chart.stem) is None
