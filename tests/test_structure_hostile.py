"""The structure checks on hand-written object streams that a review of ``check.objects`` found
read otherwise than pypdf reads them, or than the checks read pypdf's objects before (9aab630):
each is read as pypdf reads it, and the facts are the old ones."""

from __future__ import annotations

import io
import logging
import zlib

from pypdf import PdfReader
from pypdf.generic import IndirectObject

from briefing.check.objects import Objects, Ref, plain
from briefing.check.structure import read_structure

TREE = {5: b"<< /Type /StructTreeRoot /K 6 0 R /ParentTree 7 0 R >>",
        6: b"<< /S /P /Pg 3 0 R /K 0 >>",
        7: b"<< /Nums [0 [6 0 R]] >>"}


def _pdf(stm: dict[int, bytes], data: bytes | None = None, first: int | None = None) -> bytes:
    """A one-page tagged PDF whose objects ``stm`` are in object stream 30 (``data``/``first``:
    that stream's decoded bytes as given), the rest written plainly, with an xref stream."""
    objs = {1: b"<< /Type /Catalog /Pages 2 0 R /MarkInfo << /Marked true >> /Lang (zh) /StructTreeRoot 5 0 R >>",
            2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 100 100] /Contents 4 0 R /StructParents 0 >>"}
    content = b"/P <</MCID 0>> BDC EMC"
    objs[4] = b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content)
    nums = list(stm)
    if data is None:
        body, offsets = b"", []
        for n in nums:
            offsets.append(len(body))
            body += stm[n] + b"\n"
        header = b" ".join(b"%d %d" % (n, o) for n, o in zip(nums, offsets)) + b"\n"
        data, first = header + body, len(header)
    packed = zlib.compress(data)
    objs[30] = b"<< /Type /ObjStm /N %d /First %d /Filter /FlateDecode /Length %d >>\nstream\n%s\nendstream" % (
        len(nums), first, len(packed), packed)
    out, at = b"%PDF-1.7\n", {}
    for n in sorted(objs):
        at[n] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (n, objs[n])
    size, xref_at = 32, len(out)
    rows = b""
    for i in range(size):
        if i in at or i == 31:
            rows += b"\x01" + (at.get(i, xref_at)).to_bytes(4, "big") + b"\0\0"
        elif i in stm:
            rows += b"\x02" + (30).to_bytes(4, "big") + nums.index(i).to_bytes(2, "big")
        else:
            rows += b"\0\0\0\0\0\xff\xff"
    out += b"31 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Root 1 0 R /Length %d >>\nstream\n%s\nendstream\nendobj\n" % (
        size, len(rows), rows)
    return out + b"startxref\n%d\n%%%%EOF\n" % xref_at


def _both(data: bytes, n: int):
    """Object ``n`` as check.objects reads it, and as pypdf reads it."""
    logging.disable(logging.WARNING)
    try:
        ours = Objects(PdfReader(io.BytesIO(data))).get(Ref(n, 0))
        theirs = plain(IndirectObject(n, 0, PdfReader(io.BytesIO(data))).get_object())
    finally:
        logging.disable(logging.NOTSET)
    return ours, theirs


def test_objects_packed_without_whitespace_read_as_pypdf_reads_them():
    """pypdf reads an object from its offset to where its token ends, past the next object's
    offset: "0" at 9 followed by "1" at 10 is 01 = 1 to pypdf. check.objects cuts at the next
    offset and reads 0. In a structure tree (/K 9 0 R), the verdict on MCID 0 changes."""
    objs = [*TREE.items(), (9, b"0"), (10, b"1")]
    objs[1] = (6, b"<< /S /P /Pg 3 0 R /K 9 0 R >>")
    body, offsets = b"", []
    for n, text in objs:
        offsets.append(len(body))
        body += text + (b"" if n == 9 else b"\n")
    header = b" ".join(b"%d %d" % (n, o) for (n, _), o in zip(objs, offsets)) + b"\n"
    data = _pdf(dict(objs), header + body, len(header))
    ours, theirs = _both(data, 9)
    assert ours == theirs


def test_a_name_followed_by_nul_reads_as_pypdf_reads_it():
    """pypdf's names end at Python's \\s, which has no NUL: /Figure<NUL> is a name of its own
    to pypdf (the old check saw no Figure, so asked no /Alt); check.objects ends it at NUL."""
    data = _pdf({**TREE, 6: b"<< /S /Figure\x00/Pg 3 0 R /K 0 >>"})
    ours, theirs = _both(data, 6)
    assert ours == theirs


def test_a_reference_spread_past_pypdfs_peek_reads_as_pypdf_reads_it():
    """pypdf recognises ``n g R`` only within 20 bytes; beyond, it reads numbers and gives up on
    the dictionary (the old check: no ParentTree, MCID 0 owned by nothing). check.objects reads
    the reference."""
    data = _pdf({**TREE, 5: b"<< /Type /StructTreeRoot /K [6          0          R] /ParentTree 7 0 R >>"})
    ours, theirs = _both(data, 5)
    assert ours == theirs


def test_a_number_tree_key_given_by_reference_is_read_as_before():
    """/Nums [9 0 R [...]] with 9 = 0: the old read_structure took int() of pypdf's reference;
    the new one raises TypeError on its Ref, and `briefing verify` calls the file damaged."""
    data = _pdf({**TREE, 7: b"<< /Nums [9 0 R [6 0 R]] >>", 9: b"0"})
    facts = read_structure(PdfReader(io.BytesIO(data)))
    assert facts.owned == {(3, 0): [6]}


def test_a_string_mcid_gives_the_old_facts():
    """/MCID (0) in an MCR: the old read_structure took int() of pypdf's string (MCID 0); the
    new one makes it -1, and the verdict on the page changes."""
    data = _pdf({**TREE, 6: b"<< /S /P /Pg 3 0 R /K << /Type /MCR /MCID (0) >> >>"})
    facts = read_structure(PdfReader(io.BytesIO(data)))
    assert facts.owned == {(3, 0): [6]}


def test_a_boolean_or_null_mcid_is_a_damaged_file_as_before():
    """pypdf's booleans and null were no integers to ``int()``: the tree could not be read."""
    import pytest

    for value in (b"true", b"null"):
        data = _pdf({**TREE, 6: b"<< /S /P /Pg 3 0 R /K << /Type /MCR /MCID %s >> >>" % value})
        with pytest.raises(TypeError):
            read_structure(PdfReader(io.BytesIO(data)))


def test_a_table_header_cell_needs_a_scope_pdf_has():
    """/Scope /Row, /Column or /Both; false or null (a pypdf object, and so true, before) is none."""
    for scope, ok in ((b"/Column", True), (b"/Both", True), (b"false", False), (b"null", False), (b"/Side", False)):
        data = _pdf({**TREE, 6: b"<< /S /TH /Pg 3 0 R /K 0 /A << /O /Table /Scope %s >> >>" % scope})
        facts = read_structure(PdfReader(io.BytesIO(data)))
        assert ("a TH without /Scope" not in facts.after) is ok, scope
