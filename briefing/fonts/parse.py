"""A TrueType face parsed for reportlab, its big tables read with array operations.

(And subset without copying its 10 MB glyph table first: see ``FastFace.get_table``.)

reportlab's ``TTFontFile.extractInfo`` reads the character map, the advance widths and the
glyph locations one number at a time: some 30 ms per Noto CJK face, three faces per cold build.
Here the same tables are read whole (``array``, one byte swap) into the very same maps: 6 ms a
face. reportlab's own parser still reads everything else (names, metrics, flags), and does all
of it for a character map format other than 4 and 12 (tests compare the maps with its own).
"""

from __future__ import annotations

import struct
import sys
from array import array
from collections.abc import Sequence

from reportlab.pdfbase.ttfonts import TTFError, TTFontFace


def _uint16(data, offset: int, count: int) -> array:
    a = array("H", data[offset:offset + 2 * count])
    if len(a) != count:
        raise TTFError("font table ends early")
    if sys.byteorder == "little":
        a.byteswap()
    return a


def _uint32(data, offset: int, count: int) -> array:
    a = array("I" if array("I").itemsize == 4 else "L", data[offset:offset + 4 * count])
    if len(a) != count:
        raise TTFError("font table ends early")
    if sys.byteorder == "little":
        a.byteswap()
    return a


class _File:
    """What reportlab's parser reads a font from: ``read()`` hands it the (mapped) bytes as
    they are, so that the 10–15 MB of a face are neither copied nor all touched."""

    def __init__(self, data, name: str):
        self._data = data
        self.name = name

    def read(self):
        return self._data


class _Window:
    """A table of the file, sliced without copying the whole of it first."""

    def __init__(self, data, offset: int, length: int):
        self._data, self._offset, self._length = data, offset, length

    def __len__(self):
        return self._length

    def __getitem__(self, part: slice) -> bytes:
        start, stop, _ = part.indices(self._length)
        return bytes(self._data[self._offset + start:self._offset + stop])


class _HMetrics(Sequence):
    """reportlab's ``hmetrics`` list, (advance, left side bearing) of each glyph, read from the
    table's numbers only for the glyphs a subset takes."""

    def __init__(self, pairs: array, bearings: array, last):
        self._pairs, self._bearings, self._last = pairs, bearings, last
        self._n = len(pairs) // 2

    def __len__(self):
        return self._n + len(self._bearings)

    def __getitem__(self, glyph):
        if isinstance(glyph, slice):
            return [self[i] for i in range(*glyph.indices(len(self)))]
        if glyph < 0:
            glyph += len(self)
        if 0 <= glyph < self._n:
            return self._pairs[2 * glyph], self._pairs[2 * glyph + 1]
        # past the long metrics only bearings follow; reportlab keeps the scaled last advance
        return self._last, self._bearings[glyph - self._n]


class FastFace(TTFontFace):
    """A ``TTFontFace`` whose cmap, hmtx and loca tables are read whole, and whose glyph
    table is read glyph by glyph."""

    def get_table(self, tag):
        if tag == "glyf":  # the subsetter takes a few hundred glyphs out of 10 MB: copy only those
            return _Window(self._ttf_data, *self.get_table_pos(tag))
        return super().get_table(tag)

    def extractInfo(self, charInfo=1):
        super().extractInfo(0)  # names, head, OS/2, post, hhea and maxp, as reportlab reads them
        if charInfo and not self._tables():
            super().extractInfo(charInfo)  # a character map format read only by reportlab

    def _cmap_subtable(self) -> int | None:
        """The subtable reportlab picks (its rule, to the letter: the last suitable one)."""
        data, base = self._ttf_data, self.get_table_pos("cmap")[0]
        version, count = struct.unpack(">HH", data[base:base + 4])
        if count == 0 and version != 0:
            count = version
        found, enc = None, 0
        for n in range(count):
            platform, encoding, offset = struct.unpack(">HHL", data[base + 4 + 8 * n:base + 12 + 8 * n])
            if platform == 3:
                enc, found = 1, offset
            elif platform == 1 and encoding == 0 and enc != 1:
                enc, found = 2, offset
            elif platform == 1 and encoding == 1:
                enc, found = 1, offset
            elif platform == 0 and encoding != 5:
                enc, found = 1, offset
        return None if found is None else base + found

    def _tables(self) -> bool:
        data = self._ttf_data
        head = self.get_table_pos("head")[0]
        index_to_loc, glyph_format = struct.unpack(">hh", data[head + 50:head + 54])
        if glyph_format != 0:
            raise TTFError(f"Unknown glyph data format ({glyph_format})")
        at = self._cmap_subtable()
        if at is None:
            raise TTFError("could not find a suitable cmap encoding")
        fmt = struct.unpack(">H", data[at:at + 2])[0]
        if fmt == 12:
            char_to_glyph = self._format12(at)
        elif fmt == 4:
            char_to_glyph = self._format4(at)
        else:
            return False
        num_glyphs = self.numGlyphs
        hhea = self.get_table_pos("hhea")[0]
        n_metrics = struct.unpack(">H", data[hhea + 34:hhea + 36])[0]
        if n_metrics == 0:
            raise TTFError("Number of horizontal metrics is 0")

        scale = self._pdfScale
        advances = self._metrics()[0::2]
        last = scale(advances[-1])
        widths = list(map(scale, advances)) + [last] * max(0, num_glyphs - n_metrics)
        self.defaultWidth = widths[0]
        self.charWidths = {c: widths[g] for c, g in char_to_glyph.items() if g < len(widths)}
        if "loca" not in self.table:
            raise TTFError("missing location table")
        if index_to_loc not in (0, 1):
            raise TTFError(f"Unknown location table format ({index_to_loc})")

        if 0x20 in char_to_glyph:
            char_to_glyph[0xA0] = char_to_glyph[0x20]
            self.charWidths[0xA0] = self.charWidths[0x20]
        elif 0xA0 in char_to_glyph:
            char_to_glyph[0x20] = char_to_glyph[0xA0]
            self.charWidths[0x20] = self.charWidths[0xA0]
        self.charToGlyph = char_to_glyph
        return True

    # The glyph metrics and locations only the subsetter reads, once a document: read when it
    # asks (not parsed, and not cached, with the maps every build needs).
    def _metrics(self) -> array:
        hhea = self.get_table_pos("hhea")[0]
        n_metrics = struct.unpack(">H", self._ttf_data[hhea + 34:hhea + 36])[0]
        return _uint16(self._ttf_data, self.get_table_pos("hmtx")[0], 2 * n_metrics)

    @property
    def hmetrics(self):
        if "_hmetrics" not in self.__dict__:
            pairs = self._metrics()
            n_metrics = len(pairs) // 2
            bearings = _uint16(self._ttf_data, self.get_table_pos("hmtx")[0] + 4 * n_metrics,
                               max(0, self.numGlyphs - n_metrics))
            self._hmetrics = _HMetrics(pairs, bearings, self._pdfScale(pairs[-2]))
        return self._hmetrics

    @hmetrics.setter
    def hmetrics(self, value):
        self._hmetrics = value

    @property
    def glyphPos(self) -> list[int]:
        if "_glyphPos" not in self.__dict__:
            data, head = self._ttf_data, self.get_table_pos("head")[0]
            index_to_loc = struct.unpack(">h", data[head + 50:head + 52])[0]
            loca = self.get_table_pos("loca")[0]
            if index_to_loc == 0:
                self._glyphPos = [x << 1 for x in _uint16(data, loca, self.numGlyphs + 1)]
            else:
                self._glyphPos = _uint32(data, loca, self.numGlyphs + 1).tolist()
        return self._glyphPos

    @glyphPos.setter
    def glyphPos(self, value):
        self._glyphPos = value

    def _format12(self, at: int) -> dict[int, int]:
        data = self._ttf_data
        count = struct.unpack(">L", data[at + 12:at + 16])[0]
        groups = _uint32(data, at + 16, 3 * count)
        out: dict[int, int] = {}
        for start, end, glyph in zip(groups[0::3], groups[1::3], groups[2::3]):
            out.update(zip(range(start, end + 1), range(glyph, glyph + end - start + 1)))
        return out

    def _format4(self, at: int) -> dict[int, int]:
        data = self._ttf_data
        length = struct.unpack(">H", data[at + 2:at + 4])[0]
        limit = at + length
        segs = struct.unpack(">H", data[at + 6:at + 8])[0] // 2
        ends = _uint16(data, at + 14, segs)
        starts = _uint16(data, at + 16 + 2 * segs, segs)
        deltas = struct.unpack(f">{segs}h", data[at + 16 + 4 * segs:at + 16 + 6 * segs])
        range_at = at + 16 + 6 * segs
        offsets = _uint16(data, range_at, segs)
        out: dict[int, int] = {}
        for n in range(segs):
            start, end, delta, offset = starts[n], ends[n], deltas[n], offsets[n]
            if end < start:
                continue
            if offset == 0:
                out.update((c, (c + delta) & 0xFFFF) for c in range(start, end + 1))
                continue
            first = range_at + 2 * n + offset  # the glyph of ``start``, read from glyphIdArray
            inside = max(0, min(end - start + 1, (limit - first + 1) // 2))
            glyphs = _uint16(data, first, inside) if inside else ()
            for k, c in enumerate(range(start, end + 1)):
                g = glyphs[k] if k < inside else 0  # past the table's end: a broken font, as reportlab reads it
                out[c] = (g + delta) & 0xFFFF if g else 0
        return out


def read_face(data, name: str) -> FastFace:
    """The face in ``data`` (bytes or a mapping of the file), parsed; raises ``TTFError``."""
    try:
        return FastFace(_File(data, name))
    except (struct.error, IndexError, ValueError) as exc:
        raise TTFError(f"damaged font file: {exc}") from None
