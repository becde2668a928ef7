"""What the verification memos key a stream by (``check.content._keyed``): its decoded data where
decoding is plain and bounded, so that the raw file (streams uncompressed) and the finished one
(compressed) meet the same keys; its stored data, with the filters, everywhere else. Equal keys
only ever stand for what reads the same."""

from __future__ import annotations

import io
import zlib

import pikepdf
import pytest
from pypdf import PdfReader

from briefing.check.content import INFLATED_MOST, Walker, _keyed

FONT_DATA = b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap endcmap end end" * 20


def _stream_in_file(data: bytes, **keys) -> PdfReader:
    """A one-page PDF whose page resources hold one stream of ``data`` stored as given (with
    its /Filter, if any, among ``keys``), read back by pypdf."""
    with pikepdf.new() as pdf:
        pdf.add_blank_page()
        stream = pikepdf.Stream(pdf, b"")
        stream.write(data, filter=keys.pop("Filter", None), decode_parms=keys.pop("DecodeParms", None))
        for k, v in keys.items():
            stream[f"/{k}"] = v
        pdf.pages[0].Resources = pikepdf.Dictionary(Properties=pikepdf.Dictionary(S=pdf.make_indirect(stream)))
        out = io.BytesIO()
        pdf.save(out, compress_streams=False)
    return PdfReader(io.BytesIO(out.getvalue()))


def _key(reader: PdfReader):
    page = reader.pages[0]
    return Walker(reader, memo=True).key(page.get("/Resources"))


def test_a_stream_stored_plain_and_compressed_keys_alike():
    plain = _stream_in_file(FONT_DATA, Length1=len(FONT_DATA))
    packed = _stream_in_file(zlib.compress(FONT_DATA), Filter=pikepdf.Name.FlateDecode, Length1=len(FONT_DATA))
    assert _key(plain) is not None and _key(plain) == _key(packed)


def test_what_the_data_or_the_other_keys_say_differently_keys_apart():
    base = _key(_stream_in_file(FONT_DATA, Length1=len(FONT_DATA)))
    assert _key(_stream_in_file(FONT_DATA + b" ", Length1=len(FONT_DATA))) != base
    assert _key(_stream_in_file(FONT_DATA, Length1=len(FONT_DATA) + 1)) != base
    assert _key(_stream_in_file(zlib.compress(FONT_DATA + b"%"), Filter=pikepdf.Name.FlateDecode,
                                Length1=len(FONT_DATA))) != base


@pytest.mark.parametrize("stored, keys", [
    (zlib.compress(FONT_DATA)[:-6], {"Filter": pikepdf.Name.FlateDecode}),  # truncated
    (zlib.compress(FONT_DATA) + b"junk", {"Filter": pikepdf.Name.FlateDecode}),  # data after its end
    (b"not zlib at all", {"Filter": pikepdf.Name.FlateDecode}),
    (zlib.compress(b"\0" * (INFLATED_MOST + 1)), {"Filter": pikepdf.Name.FlateDecode}),  # beyond the bound
    (FONT_DATA.hex().encode() + b">", {"Filter": pikepdf.Name.ASCIIHexDecode}),  # another filter
    (zlib.compress(FONT_DATA), {"Filter": pikepdf.Name.FlateDecode,
                                "DecodeParms": pikepdf.Dictionary(Predictor=1)}),  # with parameters
])
def test_streams_not_plainly_decoded_key_by_what_they_store(stored, keys):
    reader = _stream_in_file(stored, **keys)
    stream = reader.pages[0]["/Resources"]["/Properties"]["/S"].get_object()
    form, data = _keyed(stream)
    assert (form, data) == ("stored", stored)
    assert _key(reader) != _key(_stream_in_file(FONT_DATA))  # never the decoded one's key
