"""An incremental update: new and changed objects appended to a PDF, its bytes untouched.

The structure tree of a tagged booklet is such an update after reportlab's file
(``typeset.tagtree``). A numbered copy is its verified booklet, byte for byte, followed by an update holding the
stamp (ISO 32000-1, 7.5.6): the changed page dictionaries, the stamp's forms, content streams
and small font subset, a new cross-reference section whose ``/Prev`` leads to the booklet's,
and a trailer. Nothing of the booklet is rewritten, so a copy costs the stamp's bytes and the
time to write them, and whoever checks it can prove that the booklet's part is the verified
booklet (its bytes are a prefix of the copy) and see exactly which objects the update redefines.

The update takes the form of the file it extends: after a cross-reference stream (what qpdf
writes for the booklet), its plain objects go into one compressed object stream and the
section is a cross-reference stream; after a classic table (pypdf's imposition), it is a table.
Every stream ends with CR LF before ``endstream``, so data that itself ends in CR is never
taken for one byte shorter than its ``/Length`` (see ``pdf/save.py``).
"""

from __future__ import annotations

import hashlib
import re
import zlib
from dataclasses import dataclass


class Raw(bytes):
    """PDF syntax, written as it is (a name, a reference, a value copied from another file)."""


def ref(num: int) -> Raw:
    return Raw(b"%d 0 R" % num)


def name(text: str) -> Raw:
    return Raw(b"/" + "".join(c if c.isascii() and c.isalnum() else f"#{ord(c):02X}" for c in text).encode("ascii"))


def text(value: str) -> Raw:
    """A text string: literal when it is printable ASCII, else UTF-16BE with its byte order mark."""
    if value.isascii() and value.isprintable():
        return Raw(b"(" + value.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)").encode("ascii") + b")")
    return Raw(b"<FEFF" + value.encode("utf-16-be").hex().upper().encode("ascii") + b">")


def number(value: float) -> bytes:
    if isinstance(value, int) or float(value).is_integer():
        return b"%d" % int(value)
    return (b"%.4f" % value).rstrip(b"0").rstrip(b".")


def pdf(value) -> bytes:
    """``value`` in PDF syntax: dict keys are names without the slash."""
    if isinstance(value, Raw):
        return bytes(value)
    if value is None:
        return b"null"
    if isinstance(value, bool):
        return b"true" if value else b"false"
    if isinstance(value, (int, float)):
        return number(value)
    if isinstance(value, dict):
        return b"<<" + b"".join(name(k) + b" " + pdf(v) for k, v in value.items()) + b">>"
    if isinstance(value, (list, tuple)):
        return b"[" + b" ".join(pdf(v) for v in value) + b"]"
    if isinstance(value, bytes):
        return b"<" + value.hex().upper().encode("ascii") + b">"
    raise TypeError(f"no PDF form for {type(value).__name__}")


def last_xref(data: bytes) -> int:
    """Where the file's last cross-reference section is (its ``startxref``)."""
    tail = data[-1024:]
    at = tail.rfind(b"startxref")
    found = re.match(rb"startxref\s+(\d+)", tail[at:]) if at >= 0 else None
    if found is None:
        raise ValueError("no startxref")
    return int(found.group(1))


@dataclass(frozen=True)
class Base:
    """The finished file an update extends: its bytes and what its last trailer says."""

    data: bytes
    size: int  # the trailer's /Size: the first object number an update may make
    startxref: int
    root: Raw
    info: Raw | None
    ids: tuple[bytes, bytes]
    xref_stream: bool  # its last cross-reference section is a stream (else a classic table)

    @classmethod
    def read(cls, data: bytes, pdf_file) -> "Base":
        """``pdf_file``: the same bytes opened with pikepdf, for the trailer."""
        startxref = last_xref(data)
        trailer = pdf_file.trailer
        ids = trailer.get("/ID")
        info = trailer.get("/Info")
        return cls(data, int(trailer.Size), startxref, ref(trailer.Root.objgen[0]),
                   ref(info.objgen[0]) if info is not None else None,
                   (bytes(ids[0]), bytes(ids[1])) if ids is not None else (b"", b""),
                   not data[startxref:startxref + 4] == b"xref")


class Update:
    """Objects to append to ``base``; ``render`` gives the whole new file. ``packed``: its plain
    objects in an object stream, with a cross-reference stream (by default, where the base's
    last section is one); ``compress``: its streams compressed."""

    def __init__(self, base: Base, packed: bool | None = None, compress: bool = True):
        self.base = base
        self.packed = base.xref_stream if packed is None else packed
        self.compress = compress
        self._next = base.size
        self._plain: dict[int, bytes] = {}
        self._streams: dict[int, tuple[dict, bytes]] = {}

    def new(self) -> int:
        n = self._next
        self._next += 1
        return n

    def put(self, num: int, value) -> int:
        """A plain (non-stream) object, new or replacing the base's object ``num``."""
        self._plain[num] = pdf(value)
        return num

    def stream(self, num: int, data: bytes, entries: dict | None = None) -> int:
        entries = dict(entries or {})
        if self.compress:
            data = zlib.compress(data, 9)
            entries["Filter"] = Raw(b"/FlateDecode")
        entries["Length"] = len(data)
        self._streams[num] = (entries, data)
        return num

    @staticmethod
    def _object(num: int, entries: dict, data: bytes) -> bytes:
        return b"%d 0 obj\n" % num + pdf(entries) + b"\nstream\n" + data + b"\r\nendstream\nendobj\n"

    def render(self, trailer_entries: dict | None = None) -> bytes:
        """The new file; ``trailer_entries`` are added to its trailer (a classic table's)."""
        base = self.base
        out = bytearray(base.data)
        if not out.endswith(b"\n"):
            out += b"\n"
        where: dict[int, tuple[int, int, int]] = {}  # object → (type, field 2, field 3) of its xref entry
        if self.packed and self._plain:
            stm = self.new()
            nums = sorted(self._plain)
            head, body = [], bytearray()
            for i, n in enumerate(nums):
                head.append(b"%d %d" % (n, len(body)))
                body += self._plain[n] + b"\n"
                where[n] = (2, stm, i)
            first = b" ".join(head) + b"\n"
            self.stream(stm, first + bytes(body), {"Type": Raw(b"/ObjStm"), "N": len(nums), "First": len(first)})
        else:
            for n in sorted(self._plain):
                where[n] = (1, len(out), 0)
                out += b"%d 0 obj\n" % n + self._plain[n] + b"\nendobj\n"
        for n in sorted(self._streams):
            entries, data = self._streams[n]
            where[n] = (1, len(out), 0)
            out += self._object(n, entries, data)
        digest = hashlib.sha256(bytes(out[len(base.data):])).digest()[:16]
        trailer = {"Size": max([self._next, base.size]), "Root": base.root}
        if base.info is not None:
            trailer["Info"] = base.info
        if base.ids[0]:  # pypdf's imposition writes no ID: then neither does its update
            trailer["ID"] = [base.ids[0], digest]  # the same document, another version of it
        trailer["Prev"] = base.startxref
        trailer.update(trailer_entries or {})
        at = len(out)
        if self.packed:
            xref = self.new()
            where[xref] = (1, at, 0)
            trailer["Size"] = self._next
            nums = sorted(where)
            width = max(3, (max(at, 1).bit_length() + 7) // 8)
            rows = b"".join(bytes([where[n][0]]) + where[n][1].to_bytes(width, "big") + where[n][2].to_bytes(2, "big")
                            for n in nums)
            entries = {"Type": Raw(b"/XRef"), **trailer, "Index": _runs(nums), "W": [1, width, 2]}
            data = zlib.compress(rows, 9) if self.compress else rows
            if self.compress:
                entries["Filter"] = Raw(b"/FlateDecode")
            entries["Length"] = len(data)
            out += self._object(xref, entries, data)
        else:
            # Object 0's entry (the head of the free list) first: pypdf takes a table whose first
            # section starts elsewhere for one numbered from the wrong place, and checks every
            # object's header against it (45 ms of reading a 10x booklet's raw file).
            out += b"xref\n0 1\n0000000000 65535 f\r\n"
            nums = sorted(where)
            for start, count in zip(_runs(nums)[::2], _runs(nums)[1::2]):
                out += b"%d %d\n" % (start, count)
                out += b"".join(b"%010d 00000 n\r\n" % where[n][1] for n in range(start, start + count))
            out += b"trailer\n" + pdf(trailer) + b"\n"
        out += b"startxref\n%d\n%%%%EOF\n" % at
        return bytes(out)


def _runs(nums: list[int]) -> list[int]:
    """``/Index`` pairs (first, count) of the consecutive runs in sorted ``nums``."""
    runs: list[int] = []
    for n in nums:
        if runs and runs[-2] + runs[-1] == n:
            runs[-1] += 1
        else:
            runs += [n, 1]
    return runs
