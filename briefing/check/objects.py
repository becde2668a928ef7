"""A PDF's objects as plain values, for the structure checks (``check.structure``): the objects
of its object streams read by one regular expression, the rest by pypdf.

A long booklet's structure tree is some 5,000 small dictionaries (``<< /S /P /P 12 0 R /K [3 4]
/Pg 40 0 R >>``) packed in object streams; pypdf's general parser took 106 ms to read them, a
third of verifying the booklet. pypdf still reads the file: its cross-reference table, the
object streams' data (decrypted and decompressed) and every object outside them. Here each
object of a stream is read at the offset the stream's header gives, as pypdf reads it, into
plain values: dict (names as keys), list, int, float, names as str (with the slash), strings
as pypdf makes them (``create_string_object``), bool, None, and ``Ref`` for a reference.

A stream this reader does not take whole is read by pypdf instead, to the same values: a
string nested deeper than three levels, a comment, a header that does not add up, an object of
more than one value or a bare reference, a NUL or a vertical tab (which pypdf reads otherwise
than PDF), an object whose last token could run on into the next one, a reference longer than
pypdf's 20-byte look-ahead. tests/test_structure_objects.py compares both on every booklet and
on broken ones, tests/test_structure_hostile.py on the cases a review found.
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from pypdf.generic import (
    ArrayObject,
    BooleanObject,
    DictionaryObject,
    FloatObject,
    IndirectObject,
    NameObject,
    NullObject,
    NumberObject,
    StreamObject,
    create_string_object,
)

from .content import _FIELDS, _WS, MAX_ARRAY, _hex, _name, _unescape


class Ref(NamedTuple):
    """A reference to an indirect object: resolved by ``Objects.get``."""

    idnum: int
    gen: int


# One match for a name and the reference, name or number after it (``/P 12 0 R``, ``/S /TD``,
# ``/K 3``: most of a structure element), or for an array of references (``/K [3 0 R 4 0 R]``);
# anything else token by token (the later alternatives). Each name, number and reference ends
# where the token's own alternative would end it (``(?!reg)``), so both read the same tokens. Each
# match is one string (no groups: findall then makes no tuple per match), whose first byte says
# what it is (``_Values`` parts one that holds more than one token).
_OBJECT = re.compile(rb"""%(ws)s*(?:
    ( /%(reg)s*(?!%(reg)s)%(ws)s*(?:\d+%(ws)s+\d+%(ws)s+R(?!%(reg)s)|/%(reg)s*(?!%(reg)s)|%(num)s(?!%(reg)s))
    | \[(?:%(ws)s*\d+%(ws)s+\d+%(ws)s+R(?!%(reg)s))+%(ws)s*\]
    | \d+%(ws)s+\d+%(ws)s+R(?!%(reg)s)
    | /%(reg)s*
    | %(num)s(?!%(reg)s)
    | <[0-9A-Fa-f\x00\t\n\x0c\r ]*>
    | \[ | \] | << | >>
    | \((?:[^()\\]|\\.|\((?:[^()\\]|\\.|\((?:[^()\\]|\\.)*\))*\))*\)
    | (?:true|false|null)(?!%(reg)s)
    | %%[^\r\n]*
    )
  | [^\x00\t\n\x0c\r ]
)""" % _FIELDS, re.X | re.S)
_REFERENCES = re.compile(rb"\d+%(ws)s+\d+%(ws)s+R" % _FIELDS)  # in an array _OBJECT took whole
_WORDS = re.compile(rb"/[^%(ws)s/]*|[^%(ws)s/]+" % {b"ws": rb"\x00\t\n\x0c\r "})  # a match's names, numbers, n g R
_KEYWORDS = {b"true": True, b"false": False, b"null": None}
PEEK = 20  # the bytes pypdf looks at for ``n g R`` (and one byte after it) before it reads a number
# Bytes whose reading pypdf and PDF disagree on: NUL ends a name in PDF, not in pypdf; a vertical
# tab separates tokens in pypdf, not in PDF. A stream with either is left to pypdf.
_DISPUTED = re.compile(rb"[\x00\x0b]")


class _Refused(Exception):
    """What this reader leaves to pypdf."""


class _Values(dict):
    """What each match of ``_OBJECT`` that is a name, a number, a reference, a boolean or null,
    or a name and the name, number or reference after it says (a tuple of values), read once
    per file: a long booklet's structure tree writes a few hundred (``/S /P``, ``/Pg 40 0 R``)
    tens of thousands of times."""

    def __missing__(self, t: bytes) -> tuple:
        words = _WORDS.findall(t)
        if t[0] == 0x2F:  # a name, perhaps with the value after it
            value = (_name(words[0]),) if len(words) == 1 else \
                (_name(words[0]), _one(t[len(words[0]):].lstrip(_WS), words[1:]))
        elif t in _KEYWORDS:
            value = (_KEYWORDS[t],)
        else:
            value = (_one(t, words),)
        self[t] = value
        return value


def _one(t: bytes, words: list[bytes]):
    """The name, reference or number written ``t``, in ``words``."""
    if t[0] == 0x2F:
        return _name(t)
    if len(words) == 3:  # n g R
        if len(t) >= PEEK:  # pypdf would not see it as a reference
            raise _Refused
        return Ref(int(words[0]), int(words[1]))
    return float(t) if b"." in t else int(t)


def parse(data: bytes, values: _Values | None = None) -> list:
    """The values written in ``data``, in order; ``_Refused`` for anything else. ``values``:
    the values read so far in the file, each read once."""
    values = _Values() if values is None else values
    known, read = values.get, values.__getitem__
    out: list = []
    stack: list[list] = [out]
    kinds: list[bytes] = []
    top = out
    for t in _OBJECT.findall(data):
        seen = known(t)
        if seen is not None:  # most of an object: a name and its value
            top += seen
            continue
        c = t[0] if t else -1
        if c == 0x3E or c == 0x5D:
            if not kinds or kinds.pop() != (b"[" if c == 0x5D else b"<<"):
                raise _Refused
            items = stack.pop()
            if len(items) > MAX_ARRAY:
                raise _Refused
            top = stack[-1]
            if c == 0x5D:
                top.append(items)
                continue
            keys = items[::2]
            if len(items) % 2 or not {*map(type, keys)} <= {str}:  # keys are names (a str is one, with its slash)
                raise _Refused
            d = dict(zip(keys, items[1::2]))
            if len(d) < len(keys):  # a repeated key: pypdf keeps the first
                d = {}
                for k, v in zip(keys, items[1::2]):
                    d.setdefault(k, v)
            top.append(d)
        elif t == b"<<" or t == b"[":
            kinds.append(t)
            top = []
            stack.append(top)
        elif c == 0x5B:  # an array of references (a parent's kids: each read once, not kept in ``values``)
            items = []
            for r in _REFERENCES.findall(t):
                if len(r) >= PEEK:  # pypdf would not see it as a reference
                    raise _Refused
                n, g, _ = r.replace(b"\x00", b" ").split()  # NUL: whitespace to PDF, not to split
                items.append(Ref(int(n), int(g)))
            if len(items) > MAX_ARRAY:
                raise _Refused
            top.append(items)
        elif c == 0x28:
            top.append(create_string_object(_unescape(t[1:-1])))
        elif c == 0x3C:
            top.append(create_string_object(_hex(t)))
        elif c == 0x25 or c == -1:  # a comment (pypdf's reading of one is left to pypdf), or a stray byte
            raise _Refused
        else:
            top += read(t)
    if kinds:
        raise _Refused
    return out


def plain(obj: Any, depth: int = 0) -> Any:
    """A pypdf object as the plain values ``parse`` gives."""
    if depth > 64:
        raise RecursionError("an object nested too deep")
    if isinstance(obj, IndirectObject):
        return Ref(obj.idnum, obj.generation)
    if isinstance(obj, (DictionaryObject, StreamObject)):
        return {str(k): plain(v, depth + 1) for k, v in obj.items()}
    if isinstance(obj, ArrayObject):
        return [plain(v, depth + 1) for v in obj]
    if isinstance(obj, NameObject):
        return str(obj)
    if isinstance(obj, BooleanObject):
        return obj.value  # not bool(obj): every pypdf object is true
    if isinstance(obj, NullObject) or obj is None:
        return None
    if isinstance(obj, NumberObject):
        return int(obj)
    if isinstance(obj, FloatObject):
        return float(obj)
    return obj  # a string, as pypdf made it


class Objects:
    """The objects of one file, by reference, as plain values."""

    def __init__(self, reader):
        self.reader = reader
        self._streams: dict[int, dict[int, Any] | None] = {}
        self._values = _Values()

    def get(self, value: Any) -> Any:
        """``value``, or the object it refers to."""
        if type(value) is not Ref:
            return value
        where = self.reader.xref_objStm.get(value.idnum) if value.gen == 0 else None
        if where is not None:
            objects = self._stream(where[0])
            if objects is not None and value.idnum in objects:
                return objects[value.idnum]
        return plain(IndirectObject(value.idnum, value.gen, self.reader).get_object())

    def _stream(self, number: int) -> dict[int, Any] | None:
        """The objects of object stream ``number`` by number, or None: pypdf reads them."""
        if number not in self._streams:
            self._streams[number] = None
            try:
                self._streams[number] = self._read(number)
            except (_Refused, ValueError, KeyError, TypeError):
                pass
        return self._streams[number]

    def _read(self, number: int) -> dict[int, Any]:
        """As pypdf reads an object stream (``PdfReader._get_object_from_stream``): the header's
        (number, offset) pairs, offsets rising, each object the one value at its offset."""
        stream = self.reader.get_object(number)
        if not isinstance(stream, StreamObject) or stream.get("/Type") != "/ObjStm":
            raise _Refused
        data = stream.get_data()
        if _DISPUTED.search(data):
            raise _Refused
        n, first = stream.get("/N"), stream.get("/First")
        if not isinstance(n, NumberObject) or not isinstance(first, NumberObject) or not 0 <= first <= len(data):
            raise _Refused
        header = [int(x) for x in data[:first].split()]
        if len(header) != 2 * n or any(x < 0 for x in header):
            raise _Refused
        numbers = header[::2]
        offsets = [first + o for o in header[1::2]] + [len(data)]
        if any(b <= a for a, b in zip(offsets, offsets[1:])):
            raise _Refused
        objects: dict[int, Any] = {}
        for objnum, start, end in zip(numbers, offsets, offsets[1:]):
            # pypdf reads an object from its offset on, past the next one's if its last token
            # runs on: each must end in whitespace (qpdf ends each with a newline).
            if data[end - 1] not in _WS:
                raise _Refused
            values = parse(data[start:end], self._values)
            if len(values) != 1 or objnum in objects or type(values[0]) is Ref:  # pypdf refuses a bare reference
                raise _Refused
            objects[objnum] = values[0]
        return objects
