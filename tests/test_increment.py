"""Incremental updates (``briefing.increment``): what an update adds is read back by qpdf and pypdf,
as a classic table or packed into an object stream with a cross-reference stream."""

from __future__ import annotations

import io

import pikepdf
import pytest
from pypdf import PdfReader

from briefing.increment import Base, Raw, Update


def _classic() -> bytes:
    """A small PDF whose cross-reference section is a classic table."""
    with pikepdf.new() as pdf:
        pdf.add_blank_page()
        pdf.add_blank_page()
        out = io.BytesIO()
        pdf.save(out, object_stream_mode=pikepdf.ObjectStreamMode.disable, compress_streams=False)
    return out.getvalue()


def _updated(data: bytes, **kw) -> tuple[bytes, list[int]]:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        base = Base.read(data, pdf)
    up = Update(base, **kw)
    nums = [up.put(up.new(), Raw(b"<</Kind/Note/N %d/Text (%s)>>" % (i, b"x" * i))) for i in range(1, 40)]
    up.stream(up.new(), b"0 0 m 10 10 l S")
    return up.render({"BriefingNote": Raw(b"(kept)")}), nums


@pytest.mark.parametrize("packed, compress", [(None, True), (True, False), (True, True)])
def test_what_an_update_adds_to_a_classic_file_is_read_back(packed, compress):
    data, nums = _updated(_classic(), packed=packed, compress=compress)
    at = int(data[data.rindex(b"startxref") + 9:].split()[0])
    assert data[at:at + 4] == b"xref" if not packed else data[at:at + 4] != b"xref"
    assert (b"/ObjStm" in data) == bool(packed)
    assert (b"/FlateDecode" in data[len(_classic()):]) == compress
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert [int(pdf.get_object((n, 0)).N) for n in nums] == list(range(1, 40))
        assert str(pdf.trailer.BriefingNote) == "kept"
        assert len(pdf.pages) == 2
    reader = PdfReader(io.BytesIO(data))
    assert [reader.get_object(n)["/N"] for n in nums] == list(range(1, 40))
    assert len(reader.pages) == 2
    if not packed:  # pypdf keeps only the standard keys of a cross-reference stream (finishing reads them with qpdf)
        assert reader.trailer["/BriefingNote"] == "kept"
    assert reader.xref_index == 0  # a classic section starts at object 0: pypdf numbers it as written
