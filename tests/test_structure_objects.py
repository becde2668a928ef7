"""The structure checks' reading of object streams (``check.objects``): the same values as pypdf's
own reading, object by object, on the booklets and on hand-written objects; what it does not
take as a whole is left to pypdf, with the same result."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from pypdf.generic import DecodedStreamObject, IndirectObject, NameObject, NumberObject, read_object

from briefing.check import objects as objects_module
from briefing.check.objects import Objects, Ref, _Refused, parse, plain
from briefing.check.structure import read_structure
from briefing.check.verify import pdf_bytes, reader_of

from .conftest import ROOT


def _facts(facts):
    return (facts.before, facts.tree, facts.owned,
            [(p.pid, p.entry if not isinstance(p.entry, Exception) else repr(p.entry), p.links) for p in facts.pages],
            facts.after)


def _booklets(booklet):
    return [booklet.output, *sorted((ROOT / "tests" / "reference").glob("*.pdf"))]


def test_every_object_of_the_booklets_reads_as_pypdf_reads_it(booklet):
    for path in _booklets(booklet):
        reader, theirs = reader_of(pdf_bytes(path)), reader_of(pdf_bytes(path))
        objects = Objects(reader)
        numbers = sorted(reader.xref_objStm)
        assert len(numbers) > 100, path
        for n in numbers:
            assert objects.get(Ref(n, 0)) == plain(IndirectObject(n, 0, theirs).get_object()), (path.name, n)
        assert not [s for s, got in objects._streams.items() if got is None], "every stream read here, none left to pypdf"


def test_the_structure_facts_are_those_of_pypdfs_reading(booklet, monkeypatch):
    for path in _booklets(booklet):
        ours = read_structure(reader_of(pdf_bytes(path)))
        with monkeypatch.context() as m:
            m.setattr(Objects, "_read", lambda self, number: (_ for _ in ()).throw(_Refused()))
            theirs = read_structure(reader_of(pdf_bytes(path)))
        assert ours.tree and _facts(ours) == _facts(theirs), path.name


OBJECTS = [
    b"<< /S /P /P 12 0 R /K [0 1 2] /Pg 40 0 R >>",
    b"<</Type/StructElem/S/Figure/Alt(\\(a\\) figure \\\\ with \\101 escapes\\n)/K[3 4 0 R]>>",
    b"<< /A << /O /Table /Scope /Column >> /T <FEFF6807> /ActualText (\xfe\xff\x4e\x00) >>",
    b"[1 2 0 R 3 4 5 R -6 +7 .5 8. -0.25 true false null /N#20ame /#E4#B8#AD]",
    b"<< /Nums [0 [10 0 R 11 0 R null] 1 12 0 R] /Kids [] >>",
    b"(one (nested (twice) level) deep)",
    b"<< /K 5 /K 6 >>",  # a repeated key: the first, as pypdf keeps it
    b"<6869 7>",
    b"[[[[]]]]",
    b"42",
    b"/Name",
]


@pytest.mark.parametrize("text", OBJECTS)
def test_a_written_object_reads_as_pypdf_reads_it(text):
    [ours] = parse(text)
    reader = PdfReader(ROOT / "tests" / "reference" / "sample-small-a4.pdf")  # only named by the references read
    theirs = plain(read_object(io.BytesIO(text + b" "), reader))
    assert ours == theirs


@pytest.mark.parametrize("text", [
    b"(four (levels (of (nesting))))",  # beyond the one expression: pypdf reads it
    b"<< /K 1 % a comment\n>>",
    b"<< /K >>",
    b"<< 1 2 >>",
    b"[1 2",
    b"]",
    b"{",
])
def test_what_the_reader_does_not_take_is_refused(text):
    with pytest.raises(_Refused):
        parse(text)


class _Stub:
    """A reader with one object stream (number 9) holding ``body`` under ``header``."""

    def __init__(self, header: bytes, body: bytes, n: int, numbers: list[int]):
        stream = DecodedStreamObject()
        stream.set_data(header + body)
        stream[NameObject("/Type")] = NameObject("/ObjStm")
        stream[NameObject("/N")] = NumberObject(n)
        stream[NameObject("/First")] = NumberObject(len(header))
        self.stream = stream
        self.xref_objStm = {k: (9, i) for i, k in enumerate(numbers)}

    def get_object(self, ref):
        if ref in (9,) or getattr(ref, "idnum", None) == 9:
            return self.stream
        raise AssertionError(f"left to pypdf: {ref}")


def test_an_object_stream_is_read_by_its_header():
    stub = _Stub(b"5 0 7 12 ", b"<< /S /P >> [1 2 0 R]\n", 2, [5, 7])
    objects = Objects(stub)
    assert objects.get(Ref(5, 0)) == {"/S": "/P"}
    assert objects.get(Ref(7, 0)) == [1, Ref(2, 0)]
    assert objects.get(3) == 3  # not a reference: itself


@pytest.mark.parametrize("header, body, n", [
    (b"5 12 7 0 ", b"<< /S /P >> [1 2 0 R]", 2),  # offsets falling
    (b"5 0 7 ", b"<< /S /P >> [1 2 0 R]", 2),  # the header one number short
    (b"5 0 7 12 ", b"<< /S /P >> [1 2 0 R]", 3),  # /N says three
    (b"5 0 7 3 ", b"<< /S /P >> [1 2 0 R]", 2),  # an offset inside the first object
    (b"5 0 5 12 ", b"<< /S /P >> [1 2 0 R]", 2),  # one number twice
    (b"5 0 7 12 ", b"<< /S /P >> (a (b (c (d))))", 2),
])
def test_an_object_stream_that_does_not_add_up_is_left_to_pypdf(header, body, n, monkeypatch):
    stub = _Stub(header, body, n, [5, 7])
    left = []
    monkeypatch.setattr(objects_module, "plain", lambda obj: left.append(obj) or "pypdf's")
    monkeypatch.setattr(objects_module, "IndirectObject", lambda idnum, gen, reader: type(
        "I", (), {"get_object": lambda self: (idnum, gen)})())
    objects = Objects(stub)
    assert objects.get(Ref(5, 0)) == "pypdf's" and left == [(5, 0)]
    assert objects._streams == {9: None}
