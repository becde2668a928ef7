"""deferred.py: reportlab's URL pattern compiled on first use, PIL loaded on first use, and nothing else changed."""

from __future__ import annotations

import subprocess
import sys

from .conftest import ROOT

PROBE = r"""
import re, time
compile = re.compile
import briefing  # installs the hook, before anything imports reportlab
import reportlab.platypus.paragraph as paragraph
from briefing.deferred import OnFirstUse

assert re.compile is compile  # itself again
assert isinstance(paragraph.uri_pat, OnFirstUse)
assert isinstance(paragraph._hy_pfx_pat, re.Pattern)  # every other pattern as usual
real = compile(paragraph.uri_pat.pattern, paragraph.uri_pat.flags)
for text in ("http://www.example.com/a?b#c", "HTTPS://例子.中国/路径", "ftp://10.0.0.1:21/x",
             "mailto:someone", "www.example.com", "http://-bad-.com", "http://localhost:8080/"):
    mine, theirs = paragraph.uri_pat.match(text), real.match(text)
    assert (mine and mine.groups()) == (theirs and theirs.groups()), text
print("ok")
"""


def test_the_url_pattern_is_compiled_on_first_use_and_matches_as_reportlabs():
    r = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True)
    assert r.stdout.strip() == "ok", r.stderr


PIL_PROBE = r"""
import io, sys
import briefing
import reportlab.lib.utils as utils  # imports PIL.Image, which is not run yet
assert "PIL.ExifTags" not in sys.modules and utils.haveImages
from PIL import Image
picture = Image.new("RGB", (3, 2), "red")  # the first name read runs the module, in full
assert isinstance(picture, utils.Image.Image) and "PIL.ExifTags" in sys.modules
buffer = io.BytesIO()
picture.save(buffer, "PNG")
assert Image.open(io.BytesIO(buffer.getvalue())).size == (3, 2)
print("ok")
"""


def test_pil_runs_when_first_used_and_then_works_in_full():
    r = subprocess.run([sys.executable, "-c", PIL_PROBE], cwd=ROOT, capture_output=True, text=True)
    assert r.stdout.strip() == "ok", r.stderr


THREADS_PROBE = r"""
import sys, threading
import briefing
import reportlab.lib.utils  # PIL.Image imported, not run yet
image = sys.modules["PIL.Image"]
WHAT = sys.argv[1]
problems = []
gate = threading.Barrier(12)

def first_use():
    try:
        gate.wait()
        if WHAT == "pil":
            image.new("RGB", (2, 2))
        else:
            from briefing.data.load import load
            load("data/yanfeng-2023.yaml")
    except BaseException as exc:
        problems.append(repr(exc))

threads = [threading.Thread(target=first_use) for _ in range(12)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(problems or "ok")
"""


def test_a_module_loaded_on_first_use_is_whole_to_every_thread_that_reads_it():
    # Python 3.11's LazyLoader lets a second thread read a module another thread is still
    # running (gh-114763): a name not defined yet, or "cannot import name" from it.
    for what in ("pil", "rules"):
        r = subprocess.run([sys.executable, "-c", THREADS_PROBE, what], cwd=ROOT, capture_output=True, text=True)
        assert r.stdout.strip() == "ok", (what, r.stdout[:500], r.stderr[-2000:])


JIEBA_PROBE = r"""
import sys
import briefing
from briefing.deferred import _Pending
from briefing.words import _segmenter, words

assert words("地方一般公共预算收入") == ["地方", "一般", "公共", "预算", "收入"]
assert type(sys.modules["jieba.finalseg"]) is _Pending  # cut by the dictionary only: never run
tokenizer = _segmenter().tokenizer
tokenizer.FREQ.clear()  # nothing known: HMM=True guesses words with finalseg, which runs now
guessed = tokenizer.lcut("天气很好", HMM=True)
assert type(sys.modules["jieba.finalseg"]) is not _Pending
import jieba.finalseg
assert callable(jieba.finalseg.cut)
print("ok", "".join(guessed) == "天气很好")
"""


def test_jiebas_word_guessing_model_runs_only_when_used():
    """``words`` never guesses (HMM=False): jieba's ``finalseg`` is imported but not run
    (13 ms); a cut that guesses runs it then, and works."""
    r = subprocess.run([sys.executable, "-c", JIEBA_PROBE], cwd=ROOT, capture_output=True, text=True)
    assert r.stdout.strip() == "ok True", r.stderr
