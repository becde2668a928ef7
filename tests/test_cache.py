"""The build cache: a changed chart datum, style or font file invalidates exactly what it should."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace

import pytest

from briefing.cache import Cache, decode, default_dir, encode
from briefing.commands.build import build
from briefing.commands.entry import main
from briefing.fonts.register import FACES, font_dir, register
from briefing.typeset.chartrules import booklet_charts
from briefing.typeset.chartsize import ChartStyle

from .conftest import DATA, SAMPLE, drawing

WIDTH = 425.0


def specs(doc):
    return booklet_charts(doc)


def draw_all(doc, fonts, cache, style=ChartStyle()):
    for spec in specs(doc):
        drawing(spec, WIDTH, fonts, cache, style)


@pytest.fixture
def cache(tmp_path):
    return Cache(tmp_path / "cache")


def test_second_run_hits_every_chart(doc, fonts, cache):
    n = len(specs(doc))
    draw_all(doc, fonts, cache)
    assert (cache.hits, cache.misses) == (0, n)
    draw_all(doc, fonts, cache)
    assert (cache.hits, cache.misses) == (n, n)


def test_changing_one_value_remakes_only_its_chart(doc, fonts, cache):
    draw_all(doc, fonts, cache)
    answer = doc.results.answers[0]
    changed = [replace(m, value=130.0) if m.id == "industrial-output" else m for m in answer.metrics]
    answers = [replace(answer, metrics=changed)] + doc.results.answers[1:]
    edited = replace(doc, results=replace(doc.results, answers=answers))
    before = cache.misses
    draw_all(edited, fonts, cache)
    assert cache.misses - before == 1  # the bar chart that holds 规模工业总产值, nothing else


def test_changing_the_style_remakes_every_chart(doc, fonts, cache):
    draw_all(doc, fonts, cache)
    before = cache.misses
    draw_all(doc, fonts, cache, ChartStyle(bar="#000000"))
    assert cache.misses - before == len(specs(doc))


def test_changing_a_font_file_remakes_its_entries_only(doc, tmp_path, cache):
    fonts_a = register(font_dir(), cache)
    draw_all(doc, fonts_a, cache)
    changed = tmp_path / "fonts"
    shutil.copytree(font_dir(), changed)
    with open(changed / FACES["sans"], "ab") as fh:
        fh.write(b"\0" * 16)  # a different file (still a valid font): a new digest
    misses = cache.misses
    fonts_b = register(changed, cache)
    assert fonts_b.digest("sans") != fonts_a.digest("sans")
    assert fonts_b.digest("serif") == fonts_a.digest("serif")
    assert fonts_b.sans != fonts_a.sans  # registered under a new name: never the stale face
    # Fonts: the two unchanged faces were already registered in this process; the changed one
    # was looked up in the cache by its new digest and missed.
    assert cache.misses - misses == 1
    draw_all(doc, fonts_b, cache)
    assert cache.misses - misses == 1 + len(specs(doc))  # every chart uses the Sans faces


def test_cached_and_cold_builds_are_byte_identical(tmp_path):
    cold = build(DATA, tmp_path / "cold.pdf", cache=None).output.read_bytes()
    c = Cache(tmp_path / "cache")
    build(DATA, tmp_path / "first.pdf", cache=c)
    warm = build(DATA, tmp_path / "warm.pdf", cache=c)
    assert c.hits > 0
    assert warm.output.read_bytes() == cold


def test_one_layout_pass_cold_or_warm(tmp_path, monkeypatch):
    """The contents know their entries before the pass and draw their page numbers when the
    file is saved (``typeset.later``): a cold build lays out once, as a warm one does, and
    what the cache remembers of the last build's contents changes nothing."""
    from reportlab.platypus.doctemplate import BaseDocTemplate

    passes = []
    real_build = BaseDocTemplate.build

    def counted(self, *args, **kw):
        passes.append(1)
        return real_build(self, *args, **kw)

    monkeypatch.setattr(BaseDocTemplate, "build", counted)

    def layout_passes(out: str, cache) -> tuple[int, bytes]:
        passes.clear()
        build(SAMPLE, tmp_path / out, cache=cache)
        return len(passes), (tmp_path / out).read_bytes()

    cold_passes, cold = layout_passes("cold.pdf", None)
    c = Cache(tmp_path / "cache")
    layout_passes("first.pdf", c)
    warm_passes, warm = layout_passes("warm.pdf", c)
    assert (cold_passes, warm_passes) == (1, 1)
    assert warm == cold

    # Every remembered entry one page off: still one pass, and the same file.
    [entry] = (tmp_path / "cache" / "contents").glob("*.json")
    stored = json.loads(entry.read_bytes())
    seen = decode(stored["value"])
    stored["value"] = encode([(lvl, text, page + 1, k) for lvl, text, page, k in seen])
    entry.write_text(json.dumps(stored))
    stale_passes, stale = layout_passes("stale.pdf", c)
    assert stale_passes == 1 and stale == cold
    assert decode(json.loads(entry.read_bytes())["value"]) == seen  # and it is put right


def test_a_corrupt_entry_is_a_miss_not_an_error(tmp_path, doc, fonts):
    c = Cache(tmp_path / "cache")
    draw_all(doc, fonts, c)
    for entry in (tmp_path / "cache" / "charts").glob("*.json"):
        entry.write_bytes(b"not json")
    before = c.misses
    draw_all(doc, fonts, c)
    assert c.misses - before == len(specs(doc))


def test_no_cache_touches_no_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert main(["build", str(SAMPLE), "-o", str(tmp_path / "b.pdf"), "-q", "--no-cache"]) == 0
    assert not (tmp_path / "xdg").exists()
    assert main(["build", str(SAMPLE), "-o", str(tmp_path / "b.pdf"), "-q"]) == 0
    assert (tmp_path / "xdg" / "briefing" / "charts").is_dir()


def test_cache_lives_in_the_users_cache_directory(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert default_dir() == tmp_path / "briefing"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert default_dir().parts[-2:] == (".cache", "briefing")



def test_file_digests_are_remembered_by_stat_and_never_stale(tmp_path, monkeypatch):
    import hashlib
    import os
    import time

    import briefing.cache

    def blake(b: bytes) -> str:
        return hashlib.blake2b(b, digest_size=16).hexdigest()

    f = tmp_path / "face.ttf"
    f.write_bytes(b"a" * 100)
    c = Cache(tmp_path / "cache")
    assert c.file_digest(f, f.read_bytes()) == blake(b"a" * 100)
    # A file changed long ago: its remembered digest is used, the content is not hashed again.
    monkeypatch.setattr(briefing.cache, "SETTLED_NS", 0)
    assert c.file_digest(f, b"not read") == blake(b"a" * 100)
    # Same size, mtime put back: the ctime still tells, and the new content is hashed.
    time.sleep(0.05)
    before = f.stat()
    f.write_bytes(b"b" * 100)
    os.utime(f, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert c.file_digest(f, f.read_bytes()) == blake(b"b" * 100)
    # A file changed just before it was hashed is never trusted from memory.
    monkeypatch.undo()
    assert c.file_digest(f, b"hashed again") == blake(b"hashed again")


def test_registered_fonts_carry_the_digest_of_their_files(tmp_path):
    """With a cache, the content digest (what its entries are keyed by), hashed or remembered."""
    import hashlib

    for cache in (Cache(tmp_path / "cache"), Cache(tmp_path / "cache")):
        fonts = register(font_dir(), cache)
        for face, filename in FACES.items():
            want = hashlib.blake2b((font_dir() / filename).read_bytes(), digest_size=16).hexdigest()
            assert fonts.digest(face) == want


def test_without_a_cache_a_font_is_told_apart_by_its_file_not_its_hash(tmp_path):
    """Without a cache nothing is keyed by the fonts: each file is known by its stat, which
    still tells the three faces apart and a file rewritten (even with the same bytes) from its
    earlier version, so a process never takes one registered face for another."""
    import shutil

    from briefing.fonts.register import identity

    folder = tmp_path / "fonts"
    shutil.copytree(font_dir(), folder)
    first = register(folder, Cache(None))
    assert len({first.digest(face) for face in FACES}) == len(FACES)
    sans = folder / FACES["sans"]
    data = sans.read_bytes()
    sans.unlink()
    sans.write_bytes(data)  # the same bytes, another file
    again = register(folder, Cache(None))
    assert again.digest("sans") != first.digest("sans") and again.sans != first.sans
    assert again.digest("serif") == first.digest("serif")
    assert identity(Cache(None), sans, data) == again.digest("sans")  # the same file, the same identity


def test_glyph_to_char_map_is_rebuilt_when_first_asked_for():
    from briefing.fonts.register import _GlyphToChar

    g = _GlyphToChar({0x4E2D: 7, 0x5167: 7, 0x41: 3})
    g.setdefault(9, []).append(0xE000)  # what reportlab's shaper adds for a glyph with no character
    assert (g[7], g[3], g[9]) == ([0x4E2D, 0x5167], [0x41], [0xE000])
    with pytest.raises(KeyError):
        g[99]


def test_a_relative_xdg_path_is_ignored_as_the_spec_says(tmp_path):
    """XDG_CACHE_HOME=cache (relative) made every build write a cache/ folder into whatever
    directory it ran in (and a served build into the client's), beside the data: nothing but
    the target may be written. The XDG spec: a relative path is invalid and ignored."""
    import os
    import subprocess
    import sys

    from .conftest import ROOT, SAMPLE

    work, home = tmp_path / "work", tmp_path / "home"
    work.mkdir()
    home.mkdir()
    shutil.copy(SAMPLE, work / "d.yaml")
    env = dict(os.environ, XDG_CACHE_HOME="cache", XDG_RUNTIME_DIR="run", HOME=str(home), BRIEFING_SERVER="0")
    done = subprocess.run([sys.executable, "-m", "briefing", "build", "d.yaml", "-o", "d.pdf", "-q"],
                          cwd=work, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in work.iterdir()) == ["d.pdf", "d.yaml"]
    assert (home / ".cache" / "briefing").is_dir()
    env.pop("BRIEFING_SERVER")
    from briefing.commands import serve

    saved = {k: os.environ.get(k) for k in ("XDG_RUNTIME_DIR", "XDG_CACHE_HOME", "HOME")}
    try:
        os.environ.update(XDG_RUNTIME_DIR="run", XDG_CACHE_HOME="cache", HOME=str(home))
        assert serve.socket_path().is_absolute() and default_dir().is_absolute()
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@pytest.mark.parametrize("layout", ["dist-info", "egg-info folder", "egg-info file", "package and dist-info",
                                    "module and dist-info", "package and two dist-infos"])
def test_the_chart_fingerprint_reads_every_installed_packages_version(tmp_path, monkeypatch, layout):
    """A library's version is part of a chart's cache key, however it was installed: a
    distribution's package of matplotlib is an egg-info (PKG-INFO, no METADATA). A version
    read as nothing would let charts drawn by an older library stay in the cache."""
    from importlib.metadata import version

    from briefing.typeset.charts import _version

    header = "Metadata-Version: 2.1\nName: fakelib\nVersion: 3.6.3\n\nVersion: 9 (a line of the description)\n"
    if layout == "dist-info":
        (tmp_path / "fakelib-3.6.3.dist-info").mkdir()
        (tmp_path / "fakelib-3.6.3.dist-info" / "METADATA").write_text(header)
    elif layout == "egg-info folder":
        (tmp_path / "fakelib-3.6.3.egg-info").mkdir()
        (tmp_path / "fakelib-3.6.3.egg-info" / "PKG-INFO").write_text(header)
    elif layout == "egg-info file":
        (tmp_path / "fakelib-3.6.3.egg-info").write_text(header)
    else:  # the code itself beside its dist-info (read there first), or two of them (read as importlib.metadata does)
        if layout.startswith("package"):
            (tmp_path / "fakelib").mkdir()
            (tmp_path / "fakelib" / "__init__.py").write_text("")
        else:
            (tmp_path / "fakelib.py").write_text("")
        (tmp_path / "fakelib-3.6.3.dist-info").mkdir()
        (tmp_path / "fakelib-3.6.3.dist-info" / "METADATA").write_text(header)
        if "two" in layout:
            (tmp_path / "fakelib-3.6.2.dist-info").mkdir()
            (tmp_path / "fakelib-3.6.2.dist-info" / "METADATA").write_text(header.replace("3.6.3", "3.6.2"))
    monkeypatch.syspath_prepend(str(tmp_path))
    assert _version("fakelib") == version("fakelib") == ("3.6.3" if "two" not in layout else version("fakelib"))


@pytest.mark.parametrize("values", [
    list(range(-5, 40)), [-(1 << 63)] * 16 + [(1 << 63) - 1], [True] * 20, [1] * 19 + [True],
    [1] * 19 + [1 << 63], [1] * 19 + [-(1 << 63) - 1], [1] * 19 + [1.0], [(1, 2)] * 16, [(1, True)] * 16,
])
def test_integers_are_packed_only_where_each_comes_back_itself(values):
    """Lists of 16 ints or more are packed into 64-bit numbers: a bool, a float or an int beyond
    64 bits among them keeps the list as it is, so everything decodes to exactly what it was."""
    data = json.loads(json.dumps(encode(values)))
    back = decode(data)
    assert back == values and [type(v) for v in back] == [type(v) for v in values]
    if all(type(v) is tuple for v in values):
        assert [type(x) for v in back for x in v] == [type(x) for v in values for x in v]
    packed = set(data) & {"N", "P"}
    fits = all(type(x) is int and -(1 << 63) <= x < (1 << 63)
               for v in values for x in (v if type(v) is tuple else (v,)))
    assert bool(packed) == fits, data if len(str(data)) < 300 else packed
