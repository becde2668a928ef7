"""Chinese words, by jieba's dictionary: where a chart label may wrap, and what an imported
figure measures.

The dictionary is loaded without jieba's own cache file, which it would write to /tmp and
read back whatever another user left there (0.4 s, paid only by the first call in a process).
"""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=1)
def _segmenter():
    import jieba

    tokenizer = jieba.Tokenizer()
    with tokenizer.get_dict_file() as fh:
        tokenizer.FREQ, tokenizer.total = tokenizer.gen_pfdict(fh)
    tokenizer.initialized = True
    return tokenizer


@lru_cache(maxsize=1)
def _tagger():
    from jieba.posseg import POSTokenizer

    return POSTokenizer(_segmenter())


def words(text: str) -> list[str]:
    """``text`` cut into words by jieba's dictionary (no guessing of unknown words)."""
    return _segmenter().lcut(text, HMM=False)


def tagged(text: str) -> list[tuple[str, str]]:
    """``text``'s words with their part of speech in jieba's dictionary (n…: nouns, v: verbs,
    vn: verbs used as nouns, x: not in it)."""
    return [(p.word, p.flag) for p in _tagger().lcut(text, HMM=False)]
