"""The content-stream tokenizer against pypdf's ``ContentStream.operations`` on generated streams.

Every token kind in every shape we know of: numbers written every way the PDF syntax allows,
names with #xx escapes (ASCII, UTF-8 and GBK bytes), literal strings with every escape, octal
codes (also above 255), escaped line ends and nesting, hex strings with whitespace and an odd
digit, arrays, dictionaries (repeated keys too), comments between any two tokens, and no
whitespace wherever a delimiter allows it. Both readers of ``check/content.py`` (the fast one and
the general one) must give what pypdf gives.

Left out, because pypdf reads them against ISO 32000 and we do not follow it there: ``true``,
``false`` and ``null`` outside an array or dictionary (pypdf takes them for operators), NUL as
whitespace after a name (pypdf keeps it in the name), and malformed tokens (``1-2``, ``5Tj``).
"""

from __future__ import annotations

import logging

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf.generic import ContentStream, DecodedStreamObject

from briefing.check.content import _fast, _general, _operations, _plain, _Slow

REGULAR = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-+_*!'\"@"
ESCAPED = [bytes([c]) for c in b"nrtbf()\\/ %<>[]#_&$qz9A\x00\xff"]  # pypdf's escapes, and others
LINE_ENDS = [b"\\\n", b"\\\r", b"\\\r\n", b"\\\n\n", b"\\\n\r", b"\r\n", b"\r", b"\n"]  # escaped or not
SPACES = st.sampled_from([b" ", b"\n", b"\r\n", b"\t", b"\x0c", b"\r", b"  \n"])


def _number(sign, digits, fraction, style):
    if style == "int":
        return sign + str(digits).encode()
    if style == "lead":  # .5
        return sign + b"." + str(fraction).encode()
    if style == "trail":  # 5.
        return sign + str(digits).encode() + b"."
    return sign + str(digits).encode() + b"." + str(fraction).encode()


numbers = st.builds(_number, st.sampled_from([b"", b"-", b"+"]), st.integers(0, 10**7), st.integers(0, 10**6),
                    st.sampled_from(["int", "lead", "trail", "full"]))

_name_chars = st.sampled_from([bytes([c]) for c in b"abcXYZ019._-*+"])
_escaped = st.one_of(
    st.sampled_from([b"#20", b"#23", b"#2F", b"#28", b"#e4#b8#ad", b"#E4#B8#AD", b"#D6#D0", b"#ff", b"#41"]),
    st.builds(lambda b: b"#%02X" % b, st.integers(1, 255)),
)
names = st.builds(lambda parts: b"/" + b"".join(parts), st.lists(st.one_of(_name_chars, _name_chars, _name_chars, _escaped), max_size=6))


@st.composite
def string_bodies(draw, depth=0):
    pieces = []
    for _ in range(draw(st.integers(0, 6))):
        kind = draw(st.sampled_from(["plain", "plain", "escape", "octal", "eol", "nest"] if depth < 4 else
                                    ["plain", "escape", "octal", "eol"]))
        if kind == "plain":
            pieces.append(draw(st.binary(max_size=8)).translate(None, b"()\\"))
        elif kind == "escape":
            pieces.append(b"\\" + draw(st.sampled_from(ESCAPED)))
        elif kind == "octal":  # one to three digits, up to 777, perhaps followed by a digit
            code = oct(draw(st.integers(0, 511)))[2:].encode()
            pieces.append(b"\\" + code + draw(st.sampled_from([b"", b"1", b"8"])))
        elif kind == "eol":
            pieces.append(draw(st.sampled_from(LINE_ENDS)))
        else:
            pieces.append(b"(" + draw(string_bodies(depth + 1)) + b")")
    return b"".join(pieces)


literals = string_bodies().map(lambda body: b"(" + body + b")")


@st.composite
def hex_strings(draw):
    digits = draw(st.lists(st.sampled_from(list(b"0123456789abcdefABCDEF")), max_size=12))
    out = b""
    for d in digits:
        out += bytes([d]) + draw(st.sampled_from([b"", b"", b"", b" ", b"\n"]))
    return b"<" + out + b">"


words = st.sampled_from([b"true", b"false", b"null"])  # values inside arrays and dictionaries only
scalars = st.one_of(numbers, names, literals, hex_strings())


def _tokens(value) -> list[bytes]:
    return value if isinstance(value, list) else [value]


operands = st.recursive(
    scalars.map(_tokens),
    lambda inner: st.one_of(
        st.lists(st.one_of(inner, words.map(_tokens)), max_size=5).map(lambda items: [b"[", *sum(items, []), b"]"]),
        st.lists(st.tuples(names, st.one_of(inner, words.map(_tokens))), max_size=4).map(
            lambda pairs: [b"<<", *[t for k, v in pairs for t in [k, *v]], b">>"]),
    ),
    max_leaves=8,
)
operators = st.one_of(
    st.sampled_from([b"q", b"Q", b"cm", b"BT", b"ET", b"Tf", b"Td", b"TD", b"Tm", b"T*", b"Tj", b"TJ", b"'", b'"',
                     b"BDC", b"BMC", b"EMC", b"re", b"f*", b"W", b"n", b"Do", b"rg", b"d0", b"sh"]),
    st.binary(min_size=1, max_size=4).map(lambda b: b"A" + bytes(c for c in b if c in REGULAR)),
)
operations = st.lists(st.tuples(st.lists(operands, max_size=5), operators), max_size=12)


comments = st.builds(lambda text, end: b"%" + text.translate(None, b"\r\n") + end, st.binary(max_size=6),
                     st.sampled_from([b"\n", b"\r"]))


@st.composite
def streams(draw):
    """A content stream: its operations written with whitespace, comments or nothing between tokens."""
    tokens = [t for ops, op in draw(operations) for t in [*sum(ops, []), op]]
    out = draw(st.sampled_from([b"", b" ", b"%head\n"]))
    last = b""
    for token in tokens:
        # a name or a number, operator or word runs on into a regular character
        joined = (last[:1] == b"/" or last[-1:] in REGULAR) and token[0] in REGULAR
        if joined or draw(st.booleans()):
            out += draw(st.one_of(SPACES, SPACES, comments))
        out += token
        last = token
    return out + draw(st.sampled_from([b"", b"\n", b" %tail"]))


def _pypdf(data: bytes):
    stream = DecodedStreamObject()
    stream.set_data(data)
    return [([_plain(o) for o in operands], bytes(op)) for operands, op in ContentStream(stream, None).operations]


def _typed(value):
    """Values with their types, so that 1 and 1.0 and True are told apart."""
    if isinstance(value, list):
        return [_typed(v) for v in value]
    if isinstance(value, dict):
        return {k: _typed(v) for k, v in value.items()}
    return type(value).__name__, value


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(streams())
def test_both_readers_give_pypdfs_operations(data):
    logging.getLogger("pypdf").setLevel(logging.ERROR)  # pypdf warns of the escapes it keeps
    theirs = _typed(_pypdf(data))
    assert _typed(_general(data)) == theirs
    assert _typed(_operations(data)) == theirs
    try:
        fast = _fast(data)
    except _Slow:
        return
    assert _typed(fast) == theirs


def test_the_fast_reader_takes_a_booklets_shapes():
    """What a booklet page is made of never needs the general reader."""
    data = (b"q 1 0 0 1 90.7 145.5 cm /Artifact <</Type /Layout>> BDC .71 .1 .1 rg n 0 44.8 16 2.2 re f* EMC\n"
            b"/P <</MCID 0>> BDC BT 0 23.78 Td /F1 19 Tf <001b0048> Tj [<01a3> 500 <021d>] TJ ET EMC Q\n"
            b"[] 0 d (a \\(b\\)) Tj")
    assert _fast(data) == _general(data) == _pypdf(data)
