"""The finished file's bytes: compressed, deterministic, and with no stream whose data ends in CR.

qpdf writes ``…data\\nendstream``. When compressed data happens to end with a carriage return
(one stream in 256), the file reads ``…\\r\\nendstream``, and a PDF/A validator takes the CR LF
for the end-of-line marker before ``endstream``: the stream then looks one byte shorter than
its /Length, and the file fails PDF/A-2b (ISO 19005-2, 6.1.7.1). With fifty streams, that
was about one build in five. After saving, every such stream is changed in a way that draws
nothing different (a newline after a content stream or CMap, another memory-use hint in a
font program's 'post' table, a neutral default key in one object of an object stream) and the
file is saved again, until none is left. The same input always takes the same steps, so output stays
reproducible.

Streams are compressed here, with zlib at its default level (qpdf's), before qpdf writes them:
a font program that did not change since the last build in this process (``watch``,
``serve``) is then not compressed again but taken from a memo keyed by its exact bytes
(``memo``). The file is the same whether the memo had it or not.
"""

from __future__ import annotations

import io
import zlib
from pathlib import Path as FsPath
from typing import BinaryIO

import pikepdf
from pikepdf import Dictionary, Name, Stream

from ..errors import InputError
from ..files import read_regular
from ..fonts.sfnt import with_memory_hint
from ..memo import Memo

ATTEMPTS = 12
CR = 0x0D


class SaveError(RuntimeError):
    """No unambiguous encoding was found (never seen; would be a bug to report)."""


def _kinds(pdf: pikepdf.Pdf) -> dict[tuple[int, int], str]:
    """What each stream of the document is, where a change to it matters."""
    kinds: dict[tuple[int, int], str] = {}

    def resources(res, depth=0):
        if res is None or depth > 8:
            return
        for xobj in (res.get("/XObject") or {}).values():
            if isinstance(xobj, Stream) and xobj.get("/Subtype") == "/Form":
                kinds[xobj.objgen] = "content"
                resources(xobj.get("/Resources"), depth + 1)
        for font in (res.get("/Font") or {}).values():
            if "/ToUnicode" in font:
                kinds[font.ToUnicode.objgen] = "cmap"
            for d in font.get("/DescendantFonts") or [font]:
                desc = d.get("/FontDescriptor")
                if desc is not None and "/FontFile2" in desc:
                    kinds[desc.FontFile2.objgen] = "truetype"
                if isinstance(d.get("/CIDToGIDMap"), Stream):
                    kinds[d.CIDToGIDMap.objgen] = "cidtogid"

    for page in pdf.pages:
        contents = page.obj.get("/Contents")
        for c in (contents if isinstance(contents, pikepdf.Array) else [contents]):
            if isinstance(c, Stream):
                kinds[c.objgen] = "content"
        resources(page.obj.get("/Resources"))
    return kinds


NEUTRAL = (  # (how to recognise a dictionary, a key and its default value: adding it changes nothing)
    (lambda d: d.get("/Type") == "/StructElem" or ("/Type" not in d and "/S" in d and "/P" in d), "/R", 0),
    (lambda d: "/Title" in d and "/Parent" in d, "/F", 0),  # an outline item
    (lambda d: d.get("/Type") == "/Page", "/Rotate", 0),
    (lambda d: d.get("/Type") == "/FontDescriptor", "/Leading", 0),
)


def _members(objstm: Stream) -> list[int]:
    data = objstm.read_bytes()
    head = data[: int(objstm.First)].split()
    return [int(n) for n in head[0::2]]


def _perturb(pdf: pikepdf.Pdf, stream: Stream, kind: str | None) -> bool:
    """Change ``stream`` (or, for an object stream, one of its objects) without changing
    what the file draws or means; False when there is nothing safe to change."""
    if kind in ("content", "cmap"):
        stream.write(stream.read_bytes() + b"\n")
        return True
    if kind == "truetype":
        # The compressed data ends with Adler-32's lowest byte, the byte sum's. Zero padding
        # leaves that sum as it was, and so can a hint (the font's own checksums take up the
        # change): the first hint whose sum differs is taken.
        program = stream.read_bytes()
        data = next(d for d in (with_memory_hint(program, h) for h in range(1, 1 << 16))
                    if zlib.adler32(d) & 0xFF != CR)
        stream.write(data)
        stream.Length1 = len(data)
        return True
    if kind == "cidtogid":
        stream.write(stream.read_bytes() + b"\0\1")  # one more CID, never shown, mapped to glyph 1
        return True
    if stream.get("/Type") == "/ObjStm":
        for num in _members(stream):
            obj = pdf.get_object((num, 0))
            if not isinstance(obj, Dictionary):
                continue
            for applies, key, value in NEUTRAL:
                if applies(obj) and key not in obj:
                    obj[key] = value
                    return True
    return False


def _ending_in_cr(pdf: pikepdf.Pdf) -> list[Stream]:
    return [o for o in pdf.objects if isinstance(o, Stream) and o.read_raw_bytes().endswith(b"\r")]


COMPRESSED = Memo(32 * 1024 * 1024)  # raw stream bytes → their zlib stream; a few booklets' fonts


def _compressed(data: bytes) -> bytes:
    return COMPRESSED.get(data, len(data), lambda: zlib.compress(data))


PRIMED_MOST = 4 * 1024 * 1024  # the largest stream ``prime`` decompresses (a face's subset: 0.3 MB)
PRIMED_FILE_MOST = 16 * 1024 * 1024  # the largest file it reads (a booklet: 0.3 MB)


def prime(booklet: FsPath) -> None:
    """Compress the streams of an earlier booklet into the memo: the finishing worker does it
    while the layout runs, so that the pages and fonts an edit left as they were are not
    compressed again once the raw file comes (12 ms of finishing). Each stream is decompressed
    here, within ``PRIMED_MOST`` (the file is not trusted), and compressed as ``compress``
    does: the memo holds only what compressing gives, so the file is the same either way.
    The file is read as ``files.read_regular`` reads (a regular file, within a size; its name
    may have been swapped for a FIFO or a device since the caller looked at it), and qpdf
    parses those bytes."""
    try:
        whole = read_regular(booklet, PRIMED_FILE_MOST)
    except InputError:
        return  # not a booklet: nothing to remember
    try:
        with pikepdf.open(io.BytesIO(whole)) as pdf:
            for obj in pdf.objects:
                if not isinstance(obj, Stream) or obj.get("/Filter") != Name.FlateDecode or "/DecodeParms" in obj:
                    continue
                inflate = zlib.decompressobj()
                data = inflate.decompress(obj.read_raw_bytes(), PRIMED_MOST)
                if inflate.eof and not inflate.unconsumed_tail:
                    _compressed(data)
    except (pikepdf.PdfError, zlib.error, OSError, ValueError):
        pass  # not a booklet: nothing to remember


def compress(pdf: pikepdf.Pdf) -> None:
    """Every stream qpdf would compress (no filter yet; not the XMP packet, which PDF/A wants
    readable as it is), compressed now as qpdf would, through the memo. One whose compressed
    data would end in CR is changed first (``_perturb``), as ``save`` would change it after
    saving: so that only the streams qpdf makes itself (object streams, the cross-reference
    stream) can still send ``save`` round again (a reopening and a second save, a tenth of
    finishing a long booklet)."""
    kinds = None
    for obj in pdf.objects:
        if isinstance(obj, Stream) and "/Filter" not in obj and obj.get("/Type") != "/Metadata":
            data = _compressed(obj.read_raw_bytes())
            for _ in range(ATTEMPTS):
                if data[-1:] != b"\r":
                    break
                kinds = _kinds(pdf) if kinds is None else kinds
                if not _perturb(pdf, obj, kinds.get(obj.objgen)):
                    break  # nothing safe to change here: ``save`` mends the file after saving
                data = _compressed(obj.read_raw_bytes())
            obj.write(data, filter=Name.FlateDecode)


def _write(out: FsPath | BinaryIO, data: bytes) -> None:
    if hasattr(out, "write"):
        out.write(data)
    else:
        FsPath(out).write_bytes(data)


def save(pdf: pikepdf.Pdf, out: FsPath | BinaryIO) -> None:
    """Writes ``pdf`` to ``out`` (a file, or a stream: ``commands.build.warm_up``): object
    streams, compressed, a deterministic ID, and no stream data ending in CR."""
    options = dict(compress_streams=True, recompress_flate=False, deterministic_id=True,
                   object_stream_mode=pikepdf.ObjectStreamMode.generate, fix_metadata_version=False)
    compress(pdf)
    buf = io.BytesIO()
    pdf.save(buf, **options)
    for _ in range(ATTEMPTS):
        if b"\r\nendstream" not in buf.getvalue():
            # qpdf ends every stream's data with "\nendstream": data ending in CR is there as
            # "\r\nendstream", so without those bytes anywhere no stream needs looking at.
            _write(out, buf.getvalue())
            return
        with pikepdf.open(io.BytesIO(buf.getvalue())) as written:
            bad = _ending_in_cr(written)
            if not bad:
                _write(out, buf.getvalue())
                return
            kinds = _kinds(written)
            changed = [_perturb(written, s, kinds.get(s.objgen)) for s in bad]
            if not any(changed):
                # The cross-reference stream, or an object stream of nothing we may touch:
                # the XMP packet's padding moves every offset after it.
                meta = written.Root.Metadata
                xmp = meta.read_bytes()
                at = xmp.rfind(b"<?xpacket end")
                meta.write(xmp[:at] + b" " + xmp[at:])
            buf = io.BytesIO()
            written.save(buf, **options)
    raise SaveError("no stream encoding without a trailing CR found")
