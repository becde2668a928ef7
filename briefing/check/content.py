"""What each page draws, read back from the written PDF: every text run with its position, size,
font and decoded text, and every painted shape with its box, all in page space.

The page checks (frames, trim, lines, punctuation) and the text checks read this one walk, so
the verifier sees the printed page, not only a stream of text. pypdf reads the document: its
objects, decompressed streams and fonts (their ToUnicode maps, encodings and widths). The
content streams themselves are split into operators by a small tokenizer here, because
pypdf's own (``ContentStream``) costs about as much as the whole rest of the verification: one
``findall`` over the stream for what a booklet's pages are made of, a token-by-token reader for
everything else. Tests check that both give pypdf's operations on every page we build and on
generated streams, and a stream the tokenizer does not take (inline images) is handed to pypdf's.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Iterator, NamedTuple

from pypdf.generic import ArrayObject, ContentStream, DictionaryObject, IndirectObject, StreamObject

from ..memo import Memo

Matrix = tuple[float, float, float, float, float, float]
Box = tuple[float, float, float, float]  # x0, y0, x1, y1
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)

MAX_FORM_DEPTH = 12  # form XObjects inside form XObjects: deeper is a damaged or hostile file
MAX_OPERATIONS = 2_000_000  # per page, forms included: a bound on the work one page can ask for
MAX_STREAM_BYTES = 4 * 1024 * 1024  # one decoded content stream (a dense booklet page is < 100 KB)
MAX_ARRAY = 100_000  # elements of one operand array or dictionary (pypdf's own array limit)


_SPACES = re.compile(r"\s+")


def squeeze(text: str) -> str:
    """The text without whitespace: how the checks compare what is printed with the data."""
    return _SPACES.sub("", text)


class ContentError(ValueError):
    """A content stream that cannot be walked (damaged, cyclic, or beyond the bounds)."""


class ContentLimit(ContentError):
    """A content stream beyond the bounds above: the file is not read further (hostile, or
    nothing a booklet could be), rather than judged."""


# Marks, runs and paints are NamedTuples, not frozen dataclasses: a booklet has thousands of
# each, and a frozen dataclass is made three times slower (a setattr per field).

class Mark(NamedTuple):
    """One level of marked content (BDC/BMC): its tag and, where given, its MCID."""

    tag: str
    mcid: int | None = None
    properties: dict | None = None  # the BDC dictionary, inline or from /Properties


class Run(NamedTuple):
    """Text shown by one operator (Tj, TJ, ', "): one font, one size, one baseline."""

    text: str  # decoded through the font's ToUnicode map (or encoding)
    x: float  # the first glyph's origin, page space
    y: float
    end: float  # the x where the next glyph would start (after the last advance)
    size: float  # the text's height on the page: font size × text matrix × CTM
    font: str  # /BaseFont, subset tag included
    ascent: float  # in page units above and below the baseline, from the font descriptor
    descent: float
    advances: tuple[float, ...]  # each character's x origin, page space (len == len(text) when 1:1)
    marks: tuple[Mark, ...] = ()
    invisible: bool = False  # text render mode 3 (or 7): present for search, never seen
    ink_end: float | None = None  # where the last glyph's own width ends (no trailing spacing)
    clip: Box | None = None  # the clipping area in force (its bounding box), None = the page
    text_object: int = 0  # which BT … ET on the page (forms included) it was shown in, from 1
    widths: tuple[float, ...] = ()  # each glyph's own width from the font, page space (no spacing)

    @property
    def box(self) -> Box:
        """The em boxes of the glyphs drawn: from the first origin to the end of the last
        glyph's width (character spacing after it moves the pen, not the ink), cut to the
        clipping area. Text clipped away entirely has an empty box (x0 > x1 or y0 > y1)."""
        end = self.end if self.ink_end is None else self.ink_end
        return _clipped((min(self.x, end), self.y - self.descent, max(self.x, end), self.y + self.ascent), self.clip)


class Paint(NamedTuple):
    """Something painted that is not text: a filled or stroked path, an image, a shading."""

    kind: str  # "fill" | "stroke" | "fill+stroke" | "image" | "shading"
    box: Box  # what is painted: the shape's bounding box cut to the clipping area
    marks: tuple[Mark, ...] = ()


@dataclass
class PageContent:
    number: int  # 1-based
    runs: list[Run] = field(default_factory=list)
    paints: list[Paint] = field(default_factory=list)
    mcids: list[int] = field(default_factory=list)  # every MCID opened on the page, in order
    _derived: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def derived(self, key: str, make):
        """``make(self)``, worked out once for the runs and paints the page has now: the checks
        read a page's lines, paragraphs and items several times each."""
        stamp = (len(self.runs), len(self.paints))
        kept = self._derived.get(key)
        if kept is None or kept[0] != stamp:
            kept = self._derived[key] = (stamp, make(self))
        return kept[1]

    def again(self, number: int) -> "PageContent":
        """This page's content as page ``number``: the same runs and paints (never changed
        once walked), and what was worked out from them."""
        out = PageContent(number, list(self.runs), list(self.paints), list(self.mcids))
        out._derived = self._derived
        return out

    def text(self) -> str:
        """The page's text in drawing order, a line break wherever the baseline changes."""
        return "\n".join(["".join([r.text for r in line]) for line in self.lines()])

    def lines(self) -> list[list[Run]]:
        """Runs grouped into lines: consecutive runs on one baseline that continue to the right."""
        return self.derived("lines", PageContent._lines)

    def _lines(self) -> list[list[Run]]:
        out: list[list[Run]] = []
        for r in self.runs:
            if r.invisible or not r.text:
                continue
            if out:
                last = out[-1][-1]
                if abs(r.y - last.y) <= 0.25 * max(r.size, last.size) and r.x >= last.x - 0.5:
                    out[-1].append(r)
                    continue
            out.append([r])
        return out


# -- tokenizing ---------------------------------------------------------------------------------

# The tokens are read as pypdf reads them (``ContentStream``): the same numbers, names (their
# #xx escapes, then UTF-8, GBK or Latin-1 as pypdf tries them), strings (its escapes, octal
# codes above 255 kept as written, an escaped line end taking one more line-end character),
# hex strings, arrays and dictionaries (the first of a repeated key kept). One deliberate
# difference: ``true``, ``false`` and ``null`` are operands at the top level too (pypdf reads
# them there as operators), as ISO 32000 has them. tests/test_content.py compares both on every
# stream we build and on generated ones.
_WS = b"\x00\t\n\x0c\r "
_REGULAR = rb"[^\x00\t\n\x0c\r ()<>\[\]{}/%]"
_NUMBER = rb"[+-]?(?:\d+\.?\d*|\.\d+)"
_FIELDS = {b"ws": rb"[\x00\t\n\x0c\r ]", b"reg": _REGULAR, b"num": _NUMBER}

# The fast path: one findall over the whole stream, each match one string (no groups: findall
# then makes no tuple per match, which once cost as much as the matching). Most matches are a
# whole operation in the shapes a booklet page is made of: numbers and an operator (q, Q, BT, cm,
# Td, l, rg, ...), a name, perhaps a number, and an operator (/F1 9 Tf, /Im0 Do), a hex string
# and an operator (<0041> Tj), a name and a dictionary of one name or number (/P <</MCID 3>>
# BDC), an array of hex strings and numbers and an operator ([<0041> -250 <0042>] TJ). Anything
# else is read token by token (the later alternatives). Every name and number ends where the
# token reader's would (``(?!reg)``: no backtracking into one), so both read the same tokens;
# numbers not followed by an operator are a match of their own, so an array of numbers is not
# read again at each of them. Inside a match, tokens are parted by whitespace (``split``): a
# stream with a vertical tab, whitespace to ``split`` but not to PDF, is left to the general
# reader below, as is a string nested deeper than three levels, an escaped name, a boolean, an
# inline image or anything unexpected (``_Slow``).
_SHAPES = {**_FIELDS, b"op": rb"[A-Za-z'\"]%(reg)s*" % _FIELDS, b"name": rb"/%(reg)s*(?!%(reg)s)" % _FIELDS,
           b"numt": rb"%(num)s(?!%(reg)s)" % _FIELDS, b"hex": rb"<[0-9A-Fa-f\x00\t\n\x0c\r ]*>"}
_FAST = re.compile(rb"""%(ws)s*(?:
    ( (?:%(num)s%(ws)s+)+(?:%(op)s)?
    | %(op)s
    | %(name)s%(ws)s*(?:%(numt)s%(ws)s*)?%(op)s
    | %(hex)s%(ws)s*%(op)s
    | %(name)s%(ws)s*<<%(ws)s*%(name)s%(ws)s*(?:%(numt)s|%(name)s)%(ws)s*>>%(ws)s*%(op)s
    | \[(?:%(ws)s*(?:%(hex)s|%(numt)s))*%(ws)s*\]%(ws)s*%(op)s
    | /%(reg)s*
    | %(numt)s
    | %(hex)s
    | \[ | \] | << | >>
    | \((?:[^()\\]|\\.|\((?:[^()\\]|\\.|\((?:[^()\\]|\\.)*\))*\))*\)
    | %%[^\r\n]*
    )
  | [^\x00\t\n\x0c\r ]
)""" % _SHAPES, re.X | re.S)
_ITEMS = re.compile(rb"<[^>]*>|[^<\x00\t\n\x0c\r ]+")  # an array's items, once _FAST took it whole
_NOT_OPERATOR = frozenset(b"+-.0123456789/")  # how a number or a name starts

# The general reader: one match per token, the whitespace before it consumed with it (one
# character class, so nothing to backtrack into); a comment is a token of its own, skipped.
_TOKEN = re.compile(rb"""
    %(ws)s*
    (?:
    (?P<num>%(num)s)(?!%(reg)s)
  | (?P<name>/%(reg)s*)
  | (?P<word>%(reg)s+)
  | (?P<str>\()
  | (?P<aopen>\[) | (?P<aclose>\])
  | (?P<dopen><<) | (?P<dclose>>>)
  | (?P<hex><[0-9A-Fa-f\x00\t\n\x0c\r ]*>)
  | (?P<comment>%%[^\r\n]*)
  | (?P<end>\Z)
    )
""" % _FIELDS, re.X)
_STRING_END = re.compile(rb"[()\\]")
# pypdf's escapes (generic/_utils.py): the standard ones and a few it adds; any other escaped
# character keeps its backslash.
_ESCAPES = {ord(k): v for k, v in {"n": b"\n", "r": b"\r", "t": b"\t", "b": b"\b", "f": b"\f"}.items()}
_ESCAPES.update({c: bytes([c]) for c in b"()/\\ %<>[]#_&$"})
_ESCAPE = re.compile(rb"\\([0-7]{1,3}|[\n\r][\n\r]?|.)", re.S)
_SPECIAL = frozenset((b"true", b"false", b"null", b"BI"))


class _Unsupported(Exception):
    """A construct the tokenizer leaves to pypdf (inline images)."""


class _Slow(Exception):
    """Something the fast path leaves to the general reader."""


def _escape(m: re.Match) -> bytes:
    e = m.group(1)
    c = e[0]
    if 0x30 <= c <= 0x37:
        code = int(e, 8)
        return bytes([code]) if code <= 255 else b"\\" + e  # pypdf keeps an overflowing code as written
    if c == 0x0A or c == 0x0D:
        return b""  # a line continued
    return _ESCAPES.get(c) or b"\\" + e


def _unescape(body: bytes) -> bytes:
    """A literal string's bytes from what stands between its outer parentheses."""
    return _ESCAPE.sub(_escape, body) if b"\\" in body else body


def _literal(data: bytes, i: int) -> tuple[bytes, int]:
    """The literal string starting after the '(' at ``i``; returns it and the index after ')'."""
    depth, j, find = 1, i, _STRING_END.search
    while True:
        m = find(data, j)
        if m is None:
            raise ContentError("unterminated string in a content stream")
        j = m.end()
        c = data[j - 1]
        if c == 0x5C:  # backslash: the next byte is escaped, whatever it is
            j += 1
        elif c == 0x28:
            depth += 1
        else:
            depth -= 1
            if depth == 0:
                return _unescape(data[i:j - 1]), j


def _name(t: bytes) -> str:
    """A name token (slash included) as pypdf reads it."""
    if b"#" in t:
        from pypdf.generic import NameObject

        t = NameObject.unnumber(t)
    if t.isascii():
        return t.decode("ascii")
    for codec in ("utf-8", "gbk"):
        try:
            return t.decode(codec)
        except UnicodeDecodeError:
            pass
    return t.decode("latin-1")


def _hex(t: bytes) -> bytes:
    """A hex string token (angle brackets included); an odd last digit is followed by 0."""
    digits = t[1:-1].translate(None, _WS)
    if len(digits) % 2:
        digits += b"0"
    return bytes.fromhex(digits.decode("ascii"))


def _closed(items: list, array: bool):
    """The value of an array or dictionary from its items."""
    if len(items) > MAX_ARRAY:
        raise ContentLimit(f"an operand of {len(items)} elements (more than {MAX_ARRAY})")
    if array:
        return items
    keys = items[::2]
    if len(items) % 2 or not all(isinstance(k, str) for k in keys):
        raise ContentError("a dictionary that is not pairs of a name and a value in a content stream")
    out: dict = {}
    for k, v in zip(keys, items[1::2]):
        out.setdefault(k, v)  # pypdf keeps the first of a repeated key
    return out


def _operations(data: bytes, known: _Operations | None = None) -> list[tuple[list, bytes]]:
    """(operands, operator) pairs, like pypdf's ``ContentStream.operations``; ``known``: the
    operations read before (in this document).

    Operands are int/float, str names (with the slash), bytes strings, lists and dicts. The
    same operation written again may be the same pair (``_Operations``): never change one.
    """
    try:
        return _fast(data, known)
    except _Slow:
        return _general(data)


class _Numbers(dict):
    """Number tokens read so far in one stream, each read once."""

    def __missing__(self, t: bytes) -> int | float:
        value = self[t] = float(t) if b"." in t else int(t)
        return value


class _Names(dict):
    """Name tokens read so far in one stream, each read once; an escaped or non-ASCII name is
    left to the general reader."""

    def __missing__(self, t: bytes) -> str:
        if not t.isascii() or b"#" in t:
            raise _Slow
        value = self[t] = t.decode("ascii")
        return value


class _Operations(dict):
    """What each match of ``_FAST`` whose values no caller could change (numbers, names, a hex
    string) stands for, read once: (the operation that every match of it with nothing before
    it is, or None without an operator; its operands; its operator). A booklet writes the same
    few thousand (``BT``, ``0 0 0 rg``, ``/F2 9 Tf``, ``1 0 0 1 0 0 cm``) tens of thousands of
    times, on every page: a walker reads all its pages with one (``Walker``)."""

    def __init__(self):
        super().__init__()
        self.number, self.name = _Numbers().__getitem__, _Names().__getitem__

    def __missing__(self, t: bytes) -> tuple[tuple[list, bytes] | None, tuple, bytes | None]:
        if t[0] == 0x3C:  # a hex string, perhaps an operator
            digits, _, op = t.partition(b">")
            values, op = (_hex(digits + b">"),), op.lstrip(_WS) or None
        else:  # numbers or a name, perhaps numbers, perhaps an operator
            parts = t.split()
            op = parts[-1]
            if op[0] in _NOT_OPERATOR:
                op = None
            else:
                del parts[-1]
            if t[0] == 0x2F:
                values = (self.name(parts[0]), *map(self.number, parts[1:]))
            else:
                values = tuple(map(self.number, parts))
        if op in _SPECIAL:
            raise _Slow
        value = self[t] = (None if op is None else ([*values], op), values, op)
        return value


def _fast(data: bytes, operations: _Operations | None = None) -> list[tuple[list, bytes]]:
    if b"\x0b" in data:
        raise _Slow
    nul = b"\x00" in data  # whitespace to PDF, not to ``split``
    ops: list[tuple[list, bytes]] = []
    append = ops.append
    operations = _Operations() if operations is None else operations
    number, name, known = operations.number, operations.name, operations.get
    stack: list[list] = [[]]
    top = stack[0]
    kinds: list[bytes] = []  # the open arrays and dictionaries
    for t in _FAST.findall(data):
        if nul and t[:1] != b"(":
            t = t.replace(b"\x00", b" ")
        seen = known(t)
        if seen is None:
            c = t[0] if t else -1
            if c == 0x5B and len(t) > 1:  # an array and its operator
                items, _, op = t.rpartition(b"]")
                top.append(_closed([_hex(i) if i[0] == 0x3C else number(i) for i in _ITEMS.findall(items, 1)], True))
                op = op.lstrip(_WS)
                if op in _SPECIAL:
                    raise _Slow
            elif c == 0x2F and b"<" in t:  # a name, a dictionary and its operator
                tag, key, value, op = t.replace(b"<<", b" ").replace(b">>", b" ").replace(b"/", b" /").split()
                top += name(tag), {name(key): name(value) if value[0] == 0x2F else number(value)}
                if op in _SPECIAL:
                    raise _Slow
            elif c == 0x5B or t == b"<<":
                top = []
                stack.append(top)
                kinds.append(t)
                continue
            elif c == 0x5D or c == 0x3E:
                if not kinds or kinds.pop() != (b"[" if c == 0x5D else b"<<"):
                    raise _Slow
                items = stack.pop()
                top = stack[-1]
                top.append(_closed(items, c == 0x5D))
                continue
            elif c == 0x28:
                top.append(_unescape(t[1:-1]))
                continue
            elif c == 0x25:
                continue  # a comment
            elif c == -1:
                raise _Slow  # a byte no alternative takes
            else:
                seen = operations[t]
        if seen is not None:
            alone, values, op = seen
            if alone is None:  # operands with no operator after them
                top += values
                continue
            if not top and not kinds:
                append(alone)  # the same operation as every other such match
                continue
            top += values
        if kinds:
            raise _Slow
        append((top, op))
        top = stack[0] = []
    if kinds:
        raise _Slow
    return ops


def _general(data: bytes) -> list[tuple[list, bytes]]:
    """The token-by-token reader: every construct, and the errors of a damaged stream."""
    ops: list[tuple[list, bytes]] = []
    stack: list[list] = [[]]  # operands, with nested arrays / dictionaries on top
    kinds: list[str] = []
    i, n = 0, len(data)
    match = _TOKEN.match
    while i < n:
        m = match(data, i)
        if m is None:
            raise ContentError(f"unreadable byte {data[i:i + 1]!r} in a content stream")
        kind = m.lastgroup
        i = m.end()
        top = stack[-1]
        if kind == "num":
            t = m.group(kind)
            top.append(float(t) if b"." in t else int(t))
        elif kind == "word":  # an operator, or true / false / null
            t = m.group(kind)
            if t in (b"true", b"false"):
                top.append(t == b"true")
            elif t == b"null":
                top.append(None)
            elif kinds:
                raise ContentError("an operator inside an array or dictionary")
            elif t == b"BI":
                raise _Unsupported
            else:
                ops.append((top, t))
                stack[0] = []
        elif kind == "name":
            top.append(_name(m.group(kind)))
        elif kind == "hex":
            top.append(_hex(m.group(kind)))
        elif kind == "aopen" or kind == "dopen":
            stack.append([])
            kinds.append(kind)
        elif kind == "aclose" or kind == "dclose":
            if not kinds or kinds[-1] != ("aopen" if kind == "aclose" else "dopen"):
                raise ContentError("unbalanced [ ] or << >> in a content stream")
            kinds.pop()
            items = stack.pop()
            stack[-1].append(_closed(items, kind == "aclose"))
        elif kind == "str":
            s, i = _literal(data, i)
            top.append(s)
        elif kind == "end":
            break
        # else a comment: skipped
    return ops


def _plain(value):
    """pypdf's operand objects → the plain values ``_operations`` gives."""
    from pypdf.generic import (BooleanObject, ByteStringObject, FloatObject, NameObject, NullObject,
                               NumberObject, TextStringObject)

    if isinstance(value, NameObject):
        return str(value)
    if isinstance(value, BooleanObject):
        return value.value
    if isinstance(value, NumberObject):
        return int(value)
    if isinstance(value, FloatObject):
        return float(value)
    if isinstance(value, (ByteStringObject, TextStringObject)):
        return value.original_bytes if hasattr(value, "original_bytes") else bytes(value)
    if isinstance(value, NullObject) or value is None:
        return None
    if isinstance(value, (list, ArrayObject)):
        return [_plain(v) for v in value]
    if isinstance(value, (dict, DictionaryObject)):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


# A stream's operations are a pure function of its bytes: a rebuild in one process (``watch``,
# ``serve``) reads most of its pages as they were (the pages an edit did not touch, the charts).
TOKENS = Memo(16 * 1024 * 1024)  # sizes below: about what the values take in memory


def operations(stream, reader, memo: bool = False, known: _Operations | None = None) -> list[tuple[list, bytes]]:
    """The operations of a content stream (a page's contents or a form XObject), never changed
    by the caller: with ``memo`` shared with the memo, and with ``known`` (the operations read
    before in the document, ``_Operations``) with the other streams'."""
    data = stream.get_data() if hasattr(stream, "get_data") else bytes(stream)
    if len(data) > MAX_STREAM_BYTES:
        raise ContentLimit(f"a content stream of {len(data)} bytes (more than {MAX_STREAM_BYTES})")
    try:
        return TOKENS.get(data, 10 * len(data), lambda: _operations(data, known)) if memo else _operations(data, known)
    except _Unsupported:
        pass
    return [([_plain(o) for o in operands], bytes(op)) for operands, op in ContentStream(stream, reader).operations]


# -- fonts --------------------------------------------------------------------------------------

@dataclass
class _Font:
    name: str
    two_byte: bool
    encoding: object  # str codec or {code: char}
    to_unicode: dict
    widths: dict[str, float]
    default_width: float
    ascent: float  # per 1000 units of the em
    descent: float


def _resolve(obj):
    return obj.get_object() if isinstance(obj, IndirectObject) else obj


def _font(font_dict: DictionaryObject) -> _Font:
    from pypdf.generic._font import Font

    f = Font.from_font_resource(font_dict)
    desc = None
    if font_dict.get("/Subtype") == "/Type0":
        kids = _resolve(font_dict.get("/DescendantFonts"))
        if kids:
            desc = _resolve(_resolve(kids[0]).get("/FontDescriptor"))
    else:
        desc = _resolve(font_dict.get("/FontDescriptor"))
    ascent, descent = 880.0, -120.0
    if isinstance(desc, DictionaryObject):
        ascent = float(desc.get("/Ascent", ascent) or ascent)
        descent = float(desc.get("/Descent", descent) or descent)
    widths = dict(f.character_widths)
    default = float(widths.pop("default", 1000 if font_dict.get("/Subtype") == "/Type0" else 0))
    return _Font(str(font_dict.get("/BaseFont", "?")), font_dict.get("/Subtype") == "/Type0",
                 f.encoding, f.character_map, widths, default, ascent, descent)


# What a page draws, and a font's reading (its ToUnicode map parsed by pypdf: most of a font's
# cost), are pure functions of the page's content stream and the objects its resources lead
# to. A rebuild in one process (``watch``, ``serve``) meets most of them again as they were.
# Each object a walker meets is known by a token: the same token for objects that say exactly
# the same, in any file (``_SAME``); the memos below are keyed by those tokens and the bytes.
FONTS = Memo(16 * 1024 * 1024)  # font dictionary → _Font
PAGES = Memo(64 * 1024 * 1024)  # (content stream, resources) → PageContent: a 90-page booklet's take 25 MB
PAGES_MOST = 256 * 1024 * 1024  # the room the page memo makes for a long booklet (``Walker.pages``) at most
_SAME = Memo(32 * 1024 * 1024)  # everything an object says → its token
MAX_KEY_ITEMS = 200_000  # an object larger than this (a hostile file) is read without the memos


class _Unkeyable(Exception):
    """An object the memos do not take (a cycle, too large or deep, something unexpected)."""


def stored(stream: StreamObject) -> bytes:
    """A stream's data as the file stores it (still encoded), read without decoding it."""
    data = getattr(stream, "_data", None)
    return data if isinstance(data, bytes) else stream.get_data()


INFLATED_MOST = 4 * 1024 * 1024  # the most a stream is inflated to for a key (a face's subset: 0.3 MB)
_CODING = frozenset(("/Length", "/Filter", "/DecodeParms"))  # what the decoded data stands for in a key


def _keyed(stream: StreamObject) -> tuple[str, bytes]:
    """A stream's data for a key: decoded where that is plain and bounded (no filter, or
    FlateDecode alone, within ``INFLATED_MOST``), so that a stream stored uncompressed (the raw
    file: ``verify.Ahead``) and compressed (the finished one) key alike; else as stored."""
    raw = stored(stream)
    coding = stream.get("/Filter")
    if coding is None:
        return "decoded", raw
    if coding in ("/FlateDecode", ["/FlateDecode"]) and "/DecodeParms" not in stream:
        inflate = zlib.decompressobj()
        try:
            data = inflate.decompress(raw, INFLATED_MOST)
        except zlib.error:
            return "stored", raw
        if inflate.eof and not inflate.unconsumed_tail and not inflate.unused_data:
            return "decoded", data
    return "stored", raw


class _Token:
    """Stands for everything one object says: the same token for equal objects (``_SAME``),
    never for different ones; compared by identity."""

    __slots__ = ()


def said(obj, ref, path: tuple[int, ...] = (), count: list[int] | None = None):
    """Everything ``obj`` says, as hashable values: every key and value with its pypdf type,
    a stream's dictionary and its data (decoded, without what only says how it is coded, or as
    stored, where the filters in the dictionary fix the decoded data: ``_keyed``), and
    ``ref(reference, path)`` for each object it refers to.
    ``_Unkeyable`` beyond ``MAX_KEY_ITEMS`` values or for a value of an unknown kind."""
    count = [0] if count is None else count
    count[0] += 1
    if count[0] > MAX_KEY_ITEMS:
        raise _Unkeyable
    if isinstance(obj, IndirectObject):
        return ref(obj, path)
    kind = type(obj).__name__
    if isinstance(obj, DictionaryObject):
        items = tuple(sorted((str(k), said(v, ref, path, count)) for k, v in obj.items()))
        if isinstance(obj, StreamObject):
            form, data = _keyed(obj)
            count[0] += len(data) // 64
            if form == "decoded":  # pypdf's class says whether it was stored encoded
                kind, items = "StreamObject", tuple(item for item in items if item[0] not in _CODING)
            return kind, items, form, data
        return kind, items
    if isinstance(obj, ArrayObject):
        return kind, tuple(said(v, ref, path, count) for v in obj)
    if isinstance(obj, (int, float, str, bytes)) or obj is None:
        return kind, getattr(obj, "original_bytes", obj)
    if kind == "BooleanObject":
        return kind, bool(obj.value)
    if kind == "NullObject":
        return kind, None
    raise _Unkeyable


def _decode(font: _Font, raw: bytes) -> tuple[list[str], list[str]]:
    """(codes as chars for the width lookup, the Unicode text each code stands for)."""
    if isinstance(font.encoding, str):
        if font.two_byte and len(raw) % 2:
            raw += b"\x00"
        codes = list(raw.decode(font.encoding, "surrogatepass" if font.two_byte else "replace"))
        return codes, list(map(font.to_unicode.get, codes, codes))
    codes = [chr(b) for b in raw]
    enc = font.encoding
    shown = [enc.get(b, chr(b)) for b in raw]
    return codes, [font.to_unicode.get(c, c) for c in shown]


class _Shown(NamedTuple):
    """A string shown in one font: its codes, its text, and each glyph's width in text space
    per unit of font size (``w / 1000``). A booklet shows most of its strings more than once
    (running heads, labels, figures), and reads each once (``Walker._strings_in``)."""

    codes: tuple[str, ...]
    text: str
    widths: tuple[float, ...]


def _shown(font: _Font, raw: bytes, kept: dict[bytes, _Shown]) -> _Shown:
    """``raw`` shown in ``font``, read and kept in ``kept``."""
    codes, chars = _decode(font, raw)
    widths, default = font.widths, font.default_width
    per_size = tuple([widths.get(code, default) / 1000 for code in codes])
    shown = kept[raw] = _Shown(tuple(codes), "".join(chars), per_size)
    return shown


_UNSET = object()  # not looked up yet


# -- walking ------------------------------------------------------------------------------------

def _mul(a: Matrix, b: Matrix) -> Matrix:
    """a × b (PDF row-vector convention: apply a, then b)."""
    return (a[0] * b[0] + a[1] * b[2], a[0] * b[1] + a[1] * b[3],
            a[2] * b[0] + a[3] * b[2], a[2] * b[1] + a[3] * b[3],
            a[4] * b[0] + a[5] * b[2] + b[4], a[4] * b[1] + a[5] * b[3] + b[5])


def _translated(tx: float, ty: float, m: Matrix) -> Matrix:
    """_mul((1, 0, 0, 1, tx, ty), m), the products by 1 and 0 left out."""
    return (m[0], m[1], m[2], m[3], tx * m[0] + ty * m[2] + m[4], tx * m[1] + ty * m[3] + m[5])


def _apply(m: Matrix, x: float, y: float) -> tuple[float, float]:
    return x * m[0] + y * m[2] + m[4], x * m[1] + y * m[3] + m[5]


def _box(points: list[tuple[float, float]], pad: float = 0.0) -> Box:
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    return (min(xs) - pad, min(ys) - pad, max(xs) + pad, max(ys) + pad)


def _clipped(box: Box, clip: Box | None) -> Box:
    """``box`` cut to ``clip`` (bounding boxes, so a clip that is not a rectangle cuts less)."""
    if clip is None:
        return box
    return (max(box[0], clip[0]), max(box[1], clip[1]), min(box[2], clip[2]), min(box[3], clip[3]))


def _empty(box: Box) -> bool:
    return box[0] > box[2] or box[1] > box[3]


@dataclass
class _State:
    ctm: Matrix = IDENTITY
    font: _Font | None = None
    size: float = 0.0
    char_space: float = 0.0
    word_space: float = 0.0
    scale: float = 1.0
    leading: float = 0.0
    rise: float = 0.0
    render: int = 0
    line_width: float = 1.0
    clip: Box | None = None  # bounding box of the clipping path in force, page space

    def copy(self) -> "_State":
        new = _State.__new__(_State)
        new.__dict__.update(self.__dict__)
        return new


_HANDLED = frozenset((b"q", b"Q", b"cm", b"w", b"BT", b"Tf", b"Tc", b"Tw", b"Tz", b"TL", b"Ts", b"Tr", b"Td",
                      b"TD", b"Tm", b"T*", b"Tj", b"TJ", b"'", b'"', b"m", b"l", b"c", b"v", b"y", b"re",
                      b"S", b"s", b"f", b"F", b"f*", b"B", b"B*", b"b", b"b*", b"n", b"W", b"W*", b"Do", b"sh", b"BDC",
                      b"BMC", b"EMC"))
_PAINTING = frozenset((b"S", b"s", b"f", b"F", b"f*", b"B", b"B*", b"b", b"b*"))
_STROKING = frozenset((b"S", b"s", b"B", b"B*", b"b", b"b*"))


class Walker:
    """Walks the pages of one document; fonts are read once per document. With ``memo``, a
    page or font that says exactly what one read before (in this process) is taken from the
    memos (``PAGES``, ``FONTS``); a subclass that walks differently leaves it off."""

    def __init__(self, reader, memo: bool = False):
        self.reader = reader
        self.memo = memo
        self.kept = 0  # what the pages read through the page memo count against its budget
        self.walked = 0  # pages walked here, not taken from the memo
        self._fonts: dict[int, tuple[object, _Font]] = {}
        self._strings: dict[int, tuple[_Font, dict[bytes, _Shown]]] = {}  # per font: each string shown (``_shown``)
        self._operations = _Operations()  # each operation read in the document's streams
        self._tokens: dict[tuple[int, int], _Token] = {}  # (object number, generation) → token

    def token(self, ref: IndirectObject, path: tuple[int, ...] = ()) -> _Token:
        """The token of the object ``ref`` refers to (``_Unkeyable`` if it has none)."""
        at = (ref.idnum, ref.generation)
        kept = self._tokens.get(at)
        if kept is None:
            if ref.idnum in path or len(path) > 32:
                raise _Unkeyable  # a cycle, or a chain no booklet has
            count = [0]
            content = said(ref.get_object(), self.token, (*path, ref.idnum), count)
            kept = self._tokens[at] = _SAME.get(content, 64 * count[0], _Token)
        return kept

    def key(self, obj):
        """What stands for ``obj`` in a memo's key; None where it cannot be known."""
        try:
            return said(obj, self.token)
        except Exception:  # noqa: BLE001 - then walked without the memos, failing there as it would
            return None

    def font(self, obj) -> _Font:
        d = _resolve(obj)
        kept = self._fonts.get(id(d))
        if kept is None or kept[0] is not d:
            key = self.key(obj) if self.memo else None
            font = FONTS.peek(key) if key is not None else None
            if font is None:
                font = _font(d)
                if key is not None:
                    FONTS.put(key, 200 * (len(font.to_unicode) + len(font.widths)) + 1000, font)
            kept = self._fonts[id(d)] = (d, font)
        return kept[1]

    def page(self, page, number: int) -> PageContent:
        contents = page.get_contents()
        if contents is None:
            return PageContent(number)
        resources = page.get("/Resources")
        key = self.key(resources) if self.memo else None
        if key is not None:
            data = contents.get_data()
            self.kept += 30 * len(data)
            PAGES.make_room(2 * self.kept, PAGES_MOST)  # this booklet and an edit of it, whatever its length
            return PAGES.get((data, key), 30 * len(data), lambda: self._page(contents, resources, number)).again(number)
        return self._page(contents, resources, number)

    def _page(self, contents, resources, number: int) -> PageContent:
        self.walked += 1
        out = PageContent(number)
        self._restart()
        self._walk(contents, _resolve(resources) or DictionaryObject(), _State(), out, [], 0, set())
        return out

    def _restart(self) -> None:
        """Counters that start again with each page or stream walked."""
        self._count = 0  # operations, against MAX_OPERATIONS
        self._text_objects = 0  # BT … ET seen: each run knows which text object drew it

    def stream(self, stream, resources, number: int) -> PageContent:
        """What one content stream draws, from a page's initial graphics state: the stamp a
        numbered copy appends to a page (``check/copies.py``), walked without the rest."""
        out = PageContent(number)
        self._restart()
        self._walk(stream, _resolve(resources) or DictionaryObject(), _State(), out, [], 0, set())
        return out

    def pages(self) -> Iterator[PageContent]:
        for n, page in enumerate(self.reader.pages, 1):
            yield self.page(page, n)

    def _walk(self, stream, resources, gs: _State, out: PageContent, marks: list[Mark], depth: int,
              forms: set[int]) -> None:
        ops = operations(stream, self.reader, self.memo, self._operations)
        self._count += len(ops)
        if self._count > MAX_OPERATIONS:
            raise ContentLimit(f"page {out.number}: more than {MAX_OPERATIONS} operations")
        fonts = _resolve(resources.get("/Font")) or {}
        named: dict = {}  # a font's name in ``fonts`` → its reading (a page sets a font thousands of times)
        xobjects = _resolve(resources.get("/XObject")) or {}
        properties = _resolve(resources.get("/Properties")) or {}
        stack: list[_State] = []
        path: list[tuple[float, float]] = []
        clip_next = False  # W or W*: the current path clips once it is painted (or ended with n)
        tm = tlm = IDENTITY
        mark_depth = len(marks)
        marked = tuple(marks)  # the marks as each run and paint keeps them: one tuple until they change
        for operands, op in ops:  # the operators in the order of how often a booklet page has them
            if op not in _HANDLED:
                continue
            if op == b"q":
                stack.append(gs.copy())
            elif op == b"Q":
                if stack:
                    gs = stack.pop()
            elif op == b"cm":
                if len(operands) == 6:
                    gs.ctm = _mul(tuple(map(float, operands)), gs.ctm)
            elif op == b"BT":
                tm = tlm = IDENTITY
                self._text_objects += 1
            elif op == b"Td" or op == b"TD":
                tx, ty = float(operands[0]), float(operands[1])
                if op == b"TD":
                    gs.leading = -ty
                tm = tlm = _translated(tx, ty, tlm)
            elif op == b"BDC" or op == b"BMC":
                props = None
                mcid = None
                if op == b"BDC" and len(operands) > 1:
                    props = operands[1]
                    if isinstance(props, str):  # a name in the /Properties resource
                        props = _plain(_resolve(properties.get(props)))
                    if isinstance(props, dict):
                        mcid = props.get("/MCID")
                        mcid = mcid if isinstance(mcid, int) else None
                if mcid is not None:
                    out.mcids.append(mcid)
                marks.append(Mark(str(operands[0]) if operands else "?", mcid, props))
                marked = tuple(marks)
            elif op == b"EMC":
                if len(marks) > mark_depth:
                    marks.pop()
                    marked = tuple(marks)
            elif op == b"Tf":
                if len(operands) == 2:
                    name = operands[0]
                    font = named.get(name, _UNSET)
                    if font is _UNSET:
                        f = fonts.get(name)
                        font = named[name] = self.font(f) if f is not None else None
                    gs.font = font
                    gs.size = float(operands[1])
            elif op == b"n":
                if clip_next and path:
                    gs.clip = _clipped(_box(path), gs.clip)
                path, clip_next = [], False
            elif op == b"l" or op == b"m":
                path.append(_apply(gs.ctm, float(operands[0]), float(operands[1])))
            elif op == b"Tj" or op == b"TJ" or op == b"'" or op == b'"':
                if op == b"'" or op == b'"':
                    if op == b'"':
                        gs.word_space, gs.char_space = float(operands[0]), float(operands[1])
                    tm = tlm = _mul((1, 0, 0, 1, 0, -gs.leading), tlm)
                items = operands[-1] if op == b"TJ" else operands[-1:]
                tm = self._show(items if isinstance(items, list) else [items], gs, tm, out, marked)
            elif op in _PAINTING:
                if path:
                    stroke = op in _STROKING
                    fill = op != b"S" and op != b"s"
                    pad = 0.0
                    if stroke:
                        sx = (gs.ctm[0] ** 2 + gs.ctm[1] ** 2) ** 0.5
                        sy = (gs.ctm[2] ** 2 + gs.ctm[3] ** 2) ** 0.5
                        pad = gs.line_width * max(sx, sy) / 2
                    kind = "fill+stroke" if stroke and fill else "stroke" if stroke else "fill"
                    box = _clipped(_box(path, pad), gs.clip)
                    if not _empty(box):
                        out.paints.append(Paint(kind, box, marked))
                if clip_next and path:
                    gs.clip = _clipped(_box(path), gs.clip)
                path, clip_next = [], False
            elif op == b"w":
                if operands:
                    gs.line_width = float(operands[0])
            elif op == b"Tm":
                tm = tlm = tuple(map(float, operands))
            elif op == b"re":
                x, y, w, h = map(float, operands)
                path += [_apply(gs.ctm, x, y), _apply(gs.ctm, x + w, y), _apply(gs.ctm, x, y + h),
                         _apply(gs.ctm, x + w, y + h)]
            elif op == b"W" or op == b"W*":
                clip_next = True
            elif op == b"c":
                path += [_apply(gs.ctm, float(operands[k]), float(operands[k + 1])) for k in (0, 2, 4)]
            elif op == b"v" or op == b"y":
                path += [_apply(gs.ctm, float(operands[k]), float(operands[k + 1])) for k in (0, 2)]
            elif op == b"T*":
                tm = tlm = _mul((1, 0, 0, 1, 0, -gs.leading), tlm)
            elif op == b"Tc":
                gs.char_space = float(operands[0])
            elif op == b"Tw":
                gs.word_space = float(operands[0])
            elif op == b"Tz":
                gs.scale = float(operands[0]) / 100
            elif op == b"TL":
                gs.leading = float(operands[0])
            elif op == b"Ts":
                gs.rise = float(operands[0])
            elif op == b"Tr":
                gs.render = int(operands[0])
            elif op == b"Do":
                self._do(operands[0], xobjects, gs, out, marks, depth, forms)
            elif op == b"sh":
                box = _clipped(_box([_apply(gs.ctm, x, y) for x in (0, 1) for y in (0, 1)]), gs.clip)
                if not _empty(box):
                    out.paints.append(Paint("shading", box, marked))
        del marks[mark_depth:]  # a stream's marked content does not outlive the stream

    def _show(self, items: list, gs: _State, tm: Matrix, out: PageContent, marks: tuple[Mark, ...]) -> Matrix:
        """One text-showing operator: its run, and the text matrix after it.

        The glyphs of one operator advance along the text matrix's x axis only, so the page
        position of each is the run's start plus its advance along one direction vector.
        """
        font = gs.font
        if font is None:
            return tm
        fs, th, rise = gs.size, gs.scale, gs.rise
        m0, m1, m2, m3, m4, m5 = _mul(tm, gs.ctm)
        # The run's em and origin on the page: _mul((fs * th, 0, 0, fs, 0, rise), m), as it computes
        # them, without the entries nothing reads.
        em_x, em_y = 0 * m0 + fs * m2, 0 * m1 + fs * m3
        x0, y0 = 0 * m0 + rise * m2 + m4, 0 * m1 + rise * m3 + m5
        dx = m0  # page displacement of one unit along the text x axis
        text: list[str] = []
        origins: list[float] = []
        glyph_widths: list[float] = []
        advance = 0.0  # in text space units
        ink = 0.0  # the advance at the end of the last glyph's width
        spacing, words = gs.char_space, (gs.word_space if not font.two_byte else 0.0)
        shown = self._strings_in(font)
        for item in items:
            if isinstance(item, (int, float)):
                advance -= item / 1000 * fs * th
                continue
            if not isinstance(item, bytes):
                continue
            glyphs = shown.get(item) or _shown(font, item, shown)
            codes = glyphs.codes
            if not codes:
                continue
            own = [w * fs * th for w in glyphs.widths]  # each glyph's width: w / 1000 * fs * th
            steps = own  # and what it moves the pen: its width, character and word spacing
            if spacing or words:
                steps = [g + (spacing + (words if code == " " else 0.0)) * th for g, code in zip(own, codes)]
            pens = list(accumulate(steps, initial=advance))  # each glyph's origin, then the end
            origins += [x0 + a * dx for a in pens[:-1]]
            glyph_widths += [g * dx for g in own]
            text.append(glyphs.text)
            ink = pens[-2] + own[-1]
            advance = pens[-1]
        tm = (tm[0], tm[1], tm[2], tm[3], tm[4] + advance * tm[0], tm[5] + advance * tm[1])
        if not text:
            return tm
        height = (em_x ** 2 + em_y ** 2) ** 0.5  # the em's height on the page
        out.runs.append(Run("".join(text), x0, y0, x0 + advance * dx, height, font.name,
                            font.ascent / 1000 * height, -font.descent / 1000 * height, tuple(origins),
                            marks, gs.render in (3, 7), x0 + ink * dx, gs.clip, self._text_objects,
                            tuple(glyph_widths)))
        return tm

    def _strings_in(self, font: _Font) -> dict[bytes, _Shown]:
        """What each string shown in ``font`` on these pages stands for, read once (``_Shown``)."""
        kept = self._strings.get(id(font))
        if kept is None or kept[0] is not font:
            kept = self._strings[id(font)] = (font, {})
        return kept[1]

    def _do(self, name, xobjects, gs: _State, out: PageContent, marks: list[Mark], depth: int,
            forms: set[int]) -> None:
        ref = xobjects.get(name)
        xobj = _resolve(ref)
        if not isinstance(xobj, StreamObject):
            return
        subtype = xobj.get("/Subtype")
        if subtype == "/Image":
            box = _clipped(_box([_apply(gs.ctm, x, y) for x in (0, 1) for y in (0, 1)]), gs.clip)
            if not _empty(box):
                out.paints.append(Paint("image", box, tuple(marks)))
        elif subtype == "/Form":
            key = id(xobj)
            if depth >= MAX_FORM_DEPTH or key in forms:
                raise ContentError(f"page {out.number}: form XObjects nested too deep or in a cycle")
            matrix = tuple(float(v) for v in xobj.get("/Matrix", IDENTITY))
            inner = gs.copy()
            inner.ctm = _mul(matrix, gs.ctm)
            bbox = xobj.get("/BBox")
            if isinstance(bbox, (list, ArrayObject)) and len(bbox) == 4:  # a form draws only inside its BBox
                x0, y0, x1, y1 = (float(v) for v in bbox)
                inner.clip = _clipped(_box([_apply(inner.ctm, x, y) for x in (x0, x1) for y in (y0, y1)]), gs.clip)
            resources = _resolve(xobj.get("/Resources")) or DictionaryObject()
            self._walk(xobj, resources, inner, out, marks, depth + 1, forms | {key})


def walk(reader) -> list[PageContent]:
    """Every page of a document, walked once."""
    return list(Walker(reader).pages())
