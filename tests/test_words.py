"""The words of a text are jieba's, although its dictionary is loaded only for the characters
seen (``briefing.words``)."""

from __future__ import annotations

import functools

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from briefing.words import _Segmenter, words

from .conftest import ROOT


@functools.lru_cache(maxsize=1)
def _jieba():
    """jieba's own tokenizer with its whole dictionary, loaded as jieba loads it."""
    import jieba

    full = jieba.Tokenizer()
    with full.get_dict_file() as fh:
        full.FREQ, full.total = full.gen_pfdict(fh)
    full.initialized = True
    return full


def _texts() -> list[str]:
    found: list[str] = []

    def walk(value):
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    for path in sorted((ROOT / "data").glob("*.yaml")):
        walk(yaml.safe_load(path.read_text(encoding="utf-8")))
    articles = sorted((ROOT / "tests").rglob("*.txt"))
    for path in articles:
        found += [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return found


def test_every_text_of_the_data_and_articles_is_cut_as_jieba_cuts_it():
    texts = _texts()
    assert len(texts) > 300
    fresh = _Segmenter()  # learns as it goes, text after text
    for text in texts:
        fresh.learn(text)
        assert fresh.tokenizer.lcut(text, HMM=False) == _jieba().lcut(text, HMM=False), text
    assert fresh.tokenizer.total == _jieba().total


def test_only_the_words_of_the_characters_seen_are_loaded():
    seg = _Segmenter()
    seg.learn("就业")
    assert seg.tokenizer.FREQ["就业"] == _jieba().FREQ["就业"]
    assert all(w[0] in "就业" for w in seg.tokenizer.FREQ)
    assert len(seg.tokenizer.FREQ) < len(_jieba().FREQ) / 50


_CHARS = "新增城镇就业人数高技术产业占比完成整治的自建房排查住房安置雁峰区两会亿元企业项目" \
         "改造老旧小区建设年度目标达成营商环境优化服务中心乡村振兴人才引进一二三十百千万" \
         "，。、（）“”《》0123456789.%-—ab "


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=_CHARS, max_size=40))
def test_any_text_is_cut_as_jieba_cuts_it(text):
    assert words(text) == _jieba().lcut(text, HMM=False)


def test_a_dictionary_of_another_layout_is_loaded_whole(monkeypatch, tmp_path):
    """A line that is not "word frequency tag" (jieba's own dictionary has none): jieba's own
    loading, so that the cut is still jieba's."""
    import jieba

    odd = tmp_path / "dict.txt"
    odd.write_text("就业 100 n\n就业人数 50\n人数 30 n\n", encoding="utf-8")
    monkeypatch.setattr(jieba.Tokenizer, "get_dict_file", lambda self: open(odd, "rb"))
    seg = _Segmenter()
    assert seg.tokenizer.total == 180 and seg.tokenizer.FREQ["就业人数"] == 50
    assert seg.tokenizer.lcut("就业人数", HMM=False) == ["就业人数"]


@pytest.mark.parametrize("text", ["", "   ", "abc", "（）"])
def test_texts_without_chinese_words(text):
    assert words(text) == _jieba().lcut(text, HMM=False)


def test_jieba_is_imported_without_pkg_resources_and_reads_the_same_dictionary():
    """``words`` imports jieba without setuptools' ``pkg_resources`` (55 ms): jieba then opens
    its dictionary beside its module, the very bytes ``pkg_resources`` gives; and a later
    ``import pkg_resources`` is not blocked."""
    import subprocess
    import sys

    code = (
        "import sys, warnings\n"
        "from briefing.words import _jieba, words\n"
        "assert words('地方一般公共预算收入') == ['地方', '一般', '公共', '预算', '收入']\n"
        "assert 'pkg_resources' not in sys.modules\n"
        "with _jieba().Tokenizer().get_dict_file() as fh:\n"
        "    ours = fh.read()\n"
        "warnings.simplefilter('ignore')\n"
        "import pkg_resources\n"
        "print(len(ours) > 1_000_000 and ours == pkg_resources.resource_stream('jieba', 'dict.txt').read())\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "True", out.stderr


def test_a_known_dictionary_total_is_the_sum_of_its_frequencies():
    """``KNOWN_TOTALS`` spares summing a known file's 349,000 counts: each entry that matches
    the installed dictionary must be what summing gives (and what jieba's own loading gives)."""
    import hashlib

    from briefing.words import KNOWN_TOTALS, _total

    with _jieba().get_dict_file() as fh:
        raw = fh.read()
    digest = hashlib.sha256(raw).hexdigest()
    assert digest in KNOWN_TOTALS, "the installed jieba ships a dictionary not in KNOWN_TOTALS"
    assert KNOWN_TOTALS[digest] == _total(raw.decode("utf-8")) == _jieba().total


def test_an_unknown_dictionary_of_jiebas_layout_is_summed(monkeypatch, tmp_path):
    import jieba

    other = tmp_path / "dict.txt"
    other.write_text("就业 100 n\n就业人数 50 n\n人数 30 n\n", encoding="utf-8")
    monkeypatch.setattr(jieba.Tokenizer, "get_dict_file", lambda self: open(other, "rb"))
    seg = _Segmenter()
    seg.learn("就业人数")
    assert seg.tokenizer.total == 180 and seg.tokenizer.FREQ == {"就业": 100, "就业人数": 50, "就业人": 0,
                                                                 "人数": 30, "人": 0, "就": 0}


def test_the_shipped_index_is_the_installed_dictionarys():
    """``assets/jieba-index.bin`` says where each first character's lines are in the known
    dictionary: what indexing the installed file gives (else run tools/jieba_index.py)."""
    from briefing.shipped import asset_dir
    from briefing.words import INDEX, Index

    with _jieba().get_dict_file() as fh:
        fresh = Index.of(fh.read())
    shipped = Index.from_bytes((asset_dir() / INDEX).read_bytes())
    assert (shipped.digest, shipped.firsts, shipped.offsets) == (fresh.digest, fresh.firsts, fresh.offsets)


def test_learning_through_the_index_loads_what_searching_the_text_loads():
    """The same entries, in the same order, for every character: the shipped data's labels,
    characters with two runs of lines in the file, and ones it lacks."""
    from briefing.data.load import load

    indexed = _Segmenter()
    assert indexed._index is not None
    searched = _Segmenter()
    searched._index, searched._text = None, searched._raw.decode("utf-8")
    runs = indexed._index.firsts
    twice = "".join(sorted({c for c in runs if runs.count(c) > 1}))
    assert twice  # the file has characters whose lines are not all together
    texts = [twice, "𠀀ÅÆ\u3000", "AT&T与C++的B超"]
    for data in sorted((ROOT / "data").glob("*.yaml")):
        doc = load(data)
        texts += [m.label for a in doc.results.answers for m in a.metrics]
        texts += [t.text for p in doc.plan.paths for t in p.targets]
    for text in texts:
        indexed.learn(text)
        searched.learn(text)
        assert list(indexed.tokenizer.FREQ.items()) == list(searched.tokenizer.FREQ.items())
    assert len(indexed.tokenizer.FREQ) > 10_000


def test_a_damaged_or_foreign_index_is_not_used(monkeypatch, tmp_path):
    from briefing import shipped, words

    monkeypatch.setattr(shipped, "asset_dir", lambda: tmp_path)
    (tmp_path / words.INDEX).write_bytes(b"not an index")
    assert _Segmenter()._index is None
    with _jieba().get_dict_file() as fh:
        other = words.Index.of(fh.read()[:5000])  # another file's index
    (tmp_path / words.INDEX).write_bytes(other.to_bytes())
    seg = _Segmenter()
    assert seg._index is None
    assert words_of(seg, "地方一般公共预算收入") == ["地方", "一般", "公共", "预算", "收入"]


def words_of(seg, text):
    seg.learn(text)
    return seg.tokenizer.lcut(text, HMM=False)


def test_an_index_read_in_the_other_byte_order_is_not_used(monkeypatch, tmp_path):
    """Offsets read in the wrong byte order (as a big-endian machine read them before the
    index fixed its order to little-endian): the known file's digest is right but every offset
    is wrong. Such an index is not used (its lines would be garbage: a crash or wrong words),
    and learning searches the text instead."""
    from array import array

    from briefing import shipped, words

    with _jieba().get_dict_file() as fh:
        true = words.Index.of(fh.read())
    swapped = array("I", true.offsets)
    swapped.byteswap()
    monkeypatch.setattr(shipped, "asset_dir", lambda: tmp_path)
    (tmp_path / words.INDEX).write_bytes(words.Index(true.digest, true.firsts, swapped).to_bytes())
    seg = _Segmenter()
    assert seg._index is None
    assert words_of(seg, "地方一般公共预算收入") == ["地方", "一般", "公共", "预算", "收入"]


def test_the_index_file_holds_its_offsets_little_endian_whatever_the_machine():
    """The shipped file is read the same on every machine: its offsets are 4-byte
    little-endian numbers, whatever byte order wrote or reads them."""
    import struct

    from briefing.shipped import asset_dir
    from briefing.words import INDEX, Index

    data = (asset_dir() / INDEX).read_bytes()
    head, _, rest = data.partition(b"\n")
    _, size, count = head.split()
    offsets = struct.unpack(f"<{int(count)}I", rest[int(size):])
    with _jieba().get_dict_file() as fh:
        assert list(offsets) == list(Index.of(fh.read()).offsets)
    assert list(Index.from_bytes(data).offsets) == list(offsets)
