"""pdf/save.py: no stream of a finished file ends in CR (PDF/A validators would read CR LF as the
end-of-line before endstream and find the stream one byte short of its /Length)."""

from __future__ import annotations

import io
import zlib

import pikepdf
import pytest
from pikepdf import Dictionary, Name

from briefing.pdf.save import _ending_in_cr, save


def _content_ending_in_cr() -> bytes:
    """Page content whose zlib stream ends in 0x0D: the last byte is the Adler-32's lowest."""
    for pad in range(3 * 94):  # a trailing comment of three printable characters: every byte sum
        comment = bytes(33 + min(94 - 1, max(0, pad - 94 * i)) for i in range(3))
        data = b"q 0 0 1 rg 10 10 50 20 re f Q %" + comment
        if zlib.adler32(data) & 0xFF == 0x0D:
            return data
    raise AssertionError("no such content")


def _one_page(content: bytes) -> pikepdf.Pdf:
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(200, 200))
    pdf.pages[0].obj.Contents = pdf.make_stream(content)
    return pdf


def test_a_content_stream_ending_in_cr_is_mended_without_changing_the_drawing(tmp_path):
    content = _content_ending_in_cr()
    pdf = _one_page(content)
    plain = io.BytesIO()
    pdf.save(plain, compress_streams=True, recompress_flate=True)
    with pikepdf.open(io.BytesIO(plain.getvalue())) as before:
        assert _ending_in_cr(before), "the case must really occur before the fix"
    assert b"\r\nendstream" in plain.getvalue()  # what save's quick look finds
    save(pdf, tmp_path / "out.pdf")
    with pikepdf.open(tmp_path / "out.pdf") as after:
        assert not _ending_in_cr(after)
        ops = pikepdf.parse_content_stream(after.pages[0])
        assert [str(op) for _, op in ops] == ["q", "rg", "re", "f", "Q"]
        assert after.pages[0].Contents.read_bytes().rstrip() == content


def test_an_object_stream_ending_in_cr_is_mended(tmp_path):
    """Structure elements fill an object stream; one whose data ends in CR gets a neutral /R 0."""
    titles = [f"{i}" for i in range(40)]
    for n in range(600):  # the data's byte sum, so Adler-32's last byte, moves by one a step
        titles[0] = "a" * (n // 26) + chr(ord("a") + n % 26)
        pdf = _one_page(b"q Q")
        kids = pikepdf.Array([pdf.make_indirect(Dictionary(Type=Name.StructElem, S=Name.P, T=t)) for t in titles])
        pdf.Root.StructTreeRoot = pdf.make_indirect(Dictionary(Type=Name.StructTreeRoot, K=kids))
        buf = io.BytesIO()
        pdf.save(buf, compress_streams=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)
        with pikepdf.open(io.BytesIO(buf.getvalue())) as written:
            if any(s.get("/Type") == "/ObjStm" for s in _ending_in_cr(written)):
                break
    else:
        raise AssertionError("no case found")
    save(pdf, tmp_path / "out.pdf")
    with pikepdf.open(tmp_path / "out.pdf") as after:
        assert not _ending_in_cr(after)
        elems = list(after.Root.StructTreeRoot.K)
        assert [str(e.T) for e in elems] == titles
        assert {int(e.get("/R", 0)) for e in elems} == {0}


def test_the_quick_look_finds_every_stream_ending_in_cr(tmp_path):
    """save() looks for "\\r\\nendstream" before it opens the file to find each stream ending
    in CR: over many files, some with such streams, the two always agree."""
    agree = {True: 0, False: 0}
    for n in range(1500):
        pdf = _one_page(b"q 0 0 1 rg 10 10 50 20 re f Q %" + bytes(33 + (n * 7919 >> k) % 94 for k in range(6)))
        buf = io.BytesIO()
        pdf.save(buf, compress_streams=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)
        with pikepdf.open(io.BytesIO(buf.getvalue())) as written:
            found = bool(_ending_in_cr(written))
        assert (b"\r\nendstream" in buf.getvalue()) == found
        agree[found] += 1
    assert agree[True] and agree[False]


def test_the_same_input_saves_to_the_same_bytes(tmp_path):
    content = _content_ending_in_cr()
    save(_one_page(content), tmp_path / "a.pdf")
    save(_one_page(content), tmp_path / "b.pdf")
    assert (tmp_path / "a.pdf").read_bytes() == (tmp_path / "b.pdf").read_bytes()


def test_a_font_program_is_changed_by_its_memory_hint_only(booklet):
    """A font whose compressed data would end in CR gets another memory-use hint, and nothing
    else; zero padding would not do (the byte sum, so Adler-32's last byte, stays)."""
    from fontTools.ttLib import TTFont

    from briefing.fonts.sfnt import with_memory_hint

    with pikepdf.open(booklet.output) as pdf:
        font = next(iter(pdf.pages[4].Resources.Font.values()))
        program = font.DescendantFonts[0].FontDescriptor.FontFile2.read_bytes()
    assert zlib.adler32(program + b"\0\0\0\0") & 0xFF == zlib.adler32(program) & 0xFF
    sums = {zlib.adler32(with_memory_hint(program, h)) & 0xFF for h in range(1, 300)}
    assert len(sums) > 1  # some hints move the last byte
    hinted = with_memory_hint(program, 7)
    a, b = TTFont(io.BytesIO(program)), TTFont(io.BytesIO(hinted), checkChecksums=2)
    assert b["post"].maxMemType1 == 7 and a["post"].maxMemType1 == 0
    assert {t: b.reader[t] for t in b.reader.keys() if t not in ("post", "head")} == \
        {t: a.reader[t] for t in a.reader.keys() if t not in ("post", "head")}


def test_the_compression_memo_gives_the_same_file_and_never_another_streams_data(tmp_path):
    """A stream met before is taken compressed from the memo: the file is byte for byte the
    one a cold memo writes; a stream that differs by one byte is compressed for itself."""
    from briefing.pdf.save import COMPRESSED

    content = b"q 0 0 1 rg 10 10 50 20 re f Q " * 40
    COMPRESSED.clear()
    save(_one_page(content), tmp_path / "cold.pdf")
    assert COMPRESSED.misses and not COMPRESSED.hits
    save(_one_page(content), tmp_path / "warm.pdf")
    assert COMPRESSED.hits
    assert (tmp_path / "cold.pdf").read_bytes() == (tmp_path / "warm.pdf").read_bytes()
    other = content[:-2] + b"Q\n"  # same length, one byte changed
    misses = COMPRESSED.misses
    save(_one_page(other), tmp_path / "other.pdf")
    assert COMPRESSED.misses > misses
    with pikepdf.open(tmp_path / "other.pdf") as pdf:
        assert pdf.pages[0].Contents.read_bytes() == other
    COMPRESSED.clear()
    save(_one_page(other), tmp_path / "other-cold.pdf")
    assert (tmp_path / "other.pdf").read_bytes() == (tmp_path / "other-cold.pdf").read_bytes()


def test_the_xmp_packet_stays_uncompressed(booklet):
    with pikepdf.open(booklet.output) as pdf:
        assert "/Filter" not in pdf.Root.Metadata


def test_priming_from_an_earlier_booklet_compresses_only_what_saving_would(booklet, tmp_path):
    """``prime`` fills the memo from the streams of the booklet a build replaces: saving that
    booklet's pages again then compresses nothing, and writes the bytes a cold memo writes."""
    from briefing.pdf.save import COMPRESSED, prime

    with pikepdf.open(booklet.output) as pdf:
        raw = pikepdf.new()
        raw.add_blank_page(page_size=(200, 200))
        raw.pages[0].obj.Contents = raw.make_stream(pdf.pages[3].Contents.read_bytes())
        raw.save(tmp_path / "raw.pdf", compress_streams=False)
    COMPRESSED.clear()
    with pikepdf.open(tmp_path / "raw.pdf") as raw:
        save(raw, tmp_path / "cold.pdf")
    COMPRESSED.clear()
    prime(booklet.output)
    assert COMPRESSED.misses > 10 and not COMPRESSED.hits
    misses = COMPRESSED.misses
    with pikepdf.open(tmp_path / "raw.pdf") as raw:
        save(raw, tmp_path / "primed.pdf")
    assert COMPRESSED.misses == misses and COMPRESSED.hits == 1
    assert (tmp_path / "primed.pdf").read_bytes() == (tmp_path / "cold.pdf").read_bytes()
    COMPRESSED.clear()


@pytest.mark.parametrize("what", ["a flate bomb", "not a PDF", "gone"])
def test_priming_from_a_file_that_is_not_a_booklet_keeps_nothing_and_raises_nothing(tmp_path, what):
    """The file at the output path is not trusted: a stream that inflates beyond a booklet's
    largest is left alone (not inflated whole), and a file that is no PDF is nothing."""
    import resource

    from briefing.pdf.save import COMPRESSED, prime

    path = tmp_path / "last.pdf"
    if what == "a flate bomb":
        pdf = _one_page(b"q Q")
        deflate, chunk = zlib.compressobj(9), b" " * (1 << 20)
        bomb = b"".join(deflate.compress(chunk) for _ in range(512)) + deflate.flush()  # 512 MB inflated
        pdf.pages[0].obj.Contents = pikepdf.Stream(pdf, bomb)
        pdf.pages[0].obj.Contents.Filter = Name.FlateDecode
        pdf.save(path, compress_streams=False)
        assert path.stat().st_size < 2_000_000
    elif what == "not a PDF":
        path.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 40)
    COMPRESSED.clear()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    prime(path)
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 200_000  # KB: never the 512 MB
    assert len(COMPRESSED) == 0
    COMPRESSED.clear()


PRIME_PROBE = r"""
import sys
from pathlib import Path
from briefing.pdf.save import COMPRESSED, prime
prime(Path(sys.argv[1]))
print(len(COMPRESSED))
"""


@pytest.mark.parametrize("what", ["a link to an endless device", "a FIFO"])
def test_priming_from_what_is_no_regular_file_reads_nothing_and_returns(tmp_path, what):
    """The booklet's name may be swapped for anything between the worker's look at its size
    and ``prime``'s reading (whoever can write to the output folder): qpdf reading /dev/zero
    never returns, in code no signal stops, and a FIFO blocks the opening; the build would
    wait for its worker for ever."""
    import os
    import subprocess
    import sys

    from .conftest import ROOT

    path = tmp_path / "last.pdf"
    if what == "a FIFO":
        os.mkfifo(path)
    else:
        path.symlink_to("/dev/zero")
    r = subprocess.run([sys.executable, "-c", PRIME_PROBE, str(path)], cwd=ROOT, capture_output=True, text=True,
                       timeout=60)
    assert r.stdout.strip() == "0", r.stderr


def test_a_stream_of_ours_ending_in_cr_is_mended_before_saving_not_after(tmp_path, monkeypatch):
    """Streams we compress are looked at as they are compressed: a content stream whose data
    would end in CR is changed then, and the file is saved once (no reopening, no second save),
    to the same drawing."""
    import briefing.pdf.save as saving

    opened = []
    real_open = saving.pikepdf.open
    monkeypatch.setattr(saving.pikepdf, "open", lambda *a, **k: opened.append(1) or real_open(*a, **k))
    content = _content_ending_in_cr()
    save(_one_page(content), tmp_path / "out.pdf")
    assert opened == []
    with real_open(tmp_path / "out.pdf") as after:
        assert not _ending_in_cr(after)
        assert after.pages[0].Contents.read_bytes().rstrip() == content
