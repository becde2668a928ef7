"""TrueType programs as bytes: their tables read, left out, changed or added to, and put together
again with every checksum right.

Apart from the CID fonts reportlab writes (``fonts.cid``), which subset the faces with these,
because finishing (``pdf.save``) changes a program too and imports no reportlab.
"""

from __future__ import annotations

import array
import struct
import sys


def _tables(program: bytes) -> list[tuple[bytes, int, int, int]]:
    count = struct.unpack(">H", program[4:6])[0]
    return [struct.unpack(">4sIII", program[12 + 16 * i:28 + 16 * i]) for i in range(count)]


def _checksum(data: bytes) -> int:
    """The sfnt checksum: the sum of the big-endian 32-bit words, modulo 2**32 (summed from
    an array: a tuple of a face's 75,000 words cost 1.5 ms a time)."""
    words = array.array("I")  # four bytes on every platform CPython runs on
    words.frombytes(data + b"\0" * (-len(data) % 4))
    if sys.byteorder == "little":
        words.byteswap()
    return sum(words) & 0xFFFFFFFF


def _assemble(program: bytes, tables: list[tuple[bytes, bytes]]) -> bytes:
    """An sfnt of ``tables`` (tag, data), in that order: aligned, with every checksum right."""
    n = len(tables)
    power = 1 << (n.bit_length() - 1)
    header = program[:4] + struct.pack(">HHHH", n, power * 16, power.bit_length() - 1, n * 16 - power * 16)
    directory, body, head_at = b"", b"", None
    for tag, data in tables:
        if tag == b"head":
            data = data[:8] + b"\0\0\0\0" + data[12:]
            head_at = 12 + 16 * n + len(body)
        directory += struct.pack(">4sIII", tag, _checksum(data), 12 + 16 * n + len(body), len(data))
        body += data + b"\0" * (-len(data) % 4)
    out = bytearray(header + directory + body)
    if head_at is not None:
        out[head_at + 8:head_at + 12] = struct.pack(">I", (0xB1B0AFBA - _checksum(bytes(out))) & 0xFFFFFFFF)
    return bytes(out)


def without_tables(program: bytes, drop: tuple[bytes, ...]) -> bytes:
    """A TrueType program with the ``drop`` tables left out, the others as they were."""
    entries = _tables(program)
    if not any(tag in drop for tag, *_ in entries):
        return program
    return _assemble(program, [(tag, program[start:start + length]) for tag, _, start, length in entries
                               if tag not in drop])


def with_memory_hint(program: bytes, hint: int) -> bytes:
    """The same font with the 'post' table's maxMemType1 hint set to ``hint``: a number no
    renderer relies on (0 means unknown), so the program's bytes change and nothing else."""
    tables = []
    for tag, _, start, length in _tables(program):
        data = program[start:start + length]
        if tag == b"post" and len(data) >= 32:
            data = data[:28] + struct.pack(">I", hint) + data[32:]
        tables.append((tag, data))
    return _assemble(program, tables)


def glyph_count(program: bytes) -> int:
    maxp = next(program[start:start + length] for tag, _, start, length in _tables(program) if tag == b"maxp")
    return struct.unpack(">H", maxp[4:6])[0]


def with_half_glyphs(program: bytes, sources: list[int]) -> bytes:
    """The TrueType program with a copy of each glyph in ``sources`` appended (glyph ids
    numGlyphs, numGlyphs + 1 …), each advancing half the width of its source.

    The first mark of a compressed pair is drawn with such a copy: its advance is the half em
    it takes on the line, so no kerning moves the next mark back over it, no two glyph boxes
    overlap (poppler's text extraction broke a line at ”。 so drawn) and, as PDF/A-2 and
    PDF/UA-1 ask, the ``W`` width of every CID is the advance of its glyph in the program.
    """
    if not sources:
        return program
    tables = {tag: program[start:start + length] for tag, _, start, length in _tables(program)}
    order = [tag for tag, *_ in _tables(program)]
    head, hhea, maxp = tables[b"head"], tables[b"hhea"], tables[b"maxp"]
    count = struct.unpack(">H", maxp[4:6])[0]
    long_metrics = struct.unpack(">H", hhea[34:36])[0]
    hmtx = tables[b"hmtx"]
    metrics = [struct.unpack(">Hh", hmtx[4 * i:4 * i + 4]) for i in range(long_metrics)]
    last = metrics[-1][0]
    at = 4 * long_metrics
    metrics += [(last, struct.unpack(">h", hmtx[at + 2 * i:at + 2 * i + 2])[0]) for i in range(count - long_metrics)]
    short = struct.unpack(">h", head[50:52])[0] == 0
    loca = tables[b"loca"]
    if short:
        offsets = [2 * o for o in struct.unpack(f">{count + 1}H", loca[:2 * (count + 1)])]
    else:
        offsets = list(struct.unpack(f">{count + 1}I", loca[:4 * (count + 1)]))
    glyf = bytearray(tables[b"glyf"][:offsets[-1]])
    for gid in sources:
        data = tables[b"glyf"][offsets[gid]:offsets[gid + 1]]
        glyf += data + b"\0" * (-len(data) % 4)
        offsets.append(len(glyf))
        advance, lsb = metrics[gid]
        metrics.append((advance // 2, lsb))
    total = count + len(sources)
    if short and offsets[-1] // 2 > 0xFFFF:
        short = False
        head = head[:50] + struct.pack(">h", 1) + head[52:]
    tables[b"head"] = head
    tables[b"loca"] = (struct.pack(f">{total + 1}H", *(o // 2 for o in offsets)) if short
                       else struct.pack(f">{total + 1}I", *offsets))
    tables[b"glyf"] = bytes(glyf)
    tables[b"hmtx"] = b"".join(struct.pack(">Hh", a, b) for a, b in metrics)
    tables[b"hhea"] = hhea[:34] + struct.pack(">H", total) + hhea[36:]
    tables[b"maxp"] = maxp[:4] + struct.pack(">H", total) + maxp[6:]
    return _assemble(program, [(tag, tables[tag]) for tag in order])
