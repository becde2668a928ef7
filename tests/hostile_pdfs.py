"""PDFs made to hurt a reader, written on the spot (nothing hostile is committed as a file)."""

from __future__ import annotations

import zlib
from pathlib import Path


def raw_pdf(objects: list[bytes], root: int = 1, trailer_extra: bytes = b"") -> bytes:
    """A PDF from numbered object bodies (object n is ``objects[n - 1]``), with a correct xref."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root %d 0 R %s>>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, root, trailer_extra, xref)
    return bytes(out)


def stream(data: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d %s>>\nstream\n" % (len(data), extra) + data + b"\nendstream"


def one_page(content: bytes, content_extra: bytes = b"", catalog_extra: bytes = b"",
             page_extra: bytes = b"") -> bytes:
    """Catalog, pages, one A4 page drawing ``content`` (already encoded as ``content_extra`` says)."""
    return raw_pdf([
        b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b">>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> " + page_extra + b">>",
        stream(content, content_extra),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ])


def flate_bomb(path: Path, gigabytes: int = 2) -> None:
    """One page whose content stream inflates to ``gigabytes`` of zeros (2 MB on disk).

    A valid zlib stream made without compressing 2 GB: after a full flush deflate starts
    afresh, so each further 16 MB of zeros compresses to the same bytes, and the Adler-32 of
    n zeros is ((n mod 65521) << 16) | 1.
    """
    chunk = b"\0" * (1 << 24)
    z = zlib.compressobj(9)
    first = z.compress(chunk) + z.flush(zlib.Z_FULL_FLUSH)
    again = z.compress(chunk) + z.flush(zlib.Z_FULL_FLUSH)
    count = gigabytes * 64
    adler = (((count << 24) % 65521) << 16) | 1
    data = first + again * (count - 1) + b"\x03\x00" + adler.to_bytes(4, "big")
    path.write_bytes(one_page(data, b"/Filter /FlateDecode "))


def many_pages(path: Path, n: int = 200_000) -> None:
    """A page tree of ``n`` pages (each its own object), about 10 MB."""
    kids = b" ".join(b"%d 0 R" % (i + 3) for i in range(n))
    pages = [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"] * n
    path.write_bytes(raw_pdf([b"<< /Type /Catalog /Pages 2 0 R >>",
                              b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % n] + pages))


def huge_operand(path: Path, n: int = 3_000_000) -> None:
    """A text-showing operator whose array operand holds ``n`` elements."""
    content = b"BT /F1 12 Tf 72 720 Td [" + b"(a) " * n + b"] TJ ET"
    path.write_bytes(one_page(zlib.compress(content), b"/Filter /FlateDecode "))


def javascript(path: Path, where: str) -> None:
    """A one-page file with JavaScript (or a Launch action) ``where``: the catalog's OpenAction,
    its AA, the names tree, the page's AA, an annotation, or chained after a harmless action."""
    js = b"<< /S /JavaScript /JS (app.alert\\(1\\)) >>"
    catalog, page = b"", b""
    if where == "openaction":
        catalog = b"/OpenAction " + js + b" "
    elif where == "catalog-aa":
        catalog = b"/AA << /WC " + js + b" >> "
    elif where == "names":
        catalog = b"/Names << /JavaScript << /Names [(x) " + js + b"] >> >> "
    elif where == "page-aa":
        page = b"/AA << /O " + js + b" >> "
    elif where == "annotation":
        page = b"/Annots [<< /Type /Annot /Subtype /Link /Rect [0 0 10 10] /F 4 /A " + js + b" >>] "
    elif where == "annotation-aa":
        page = b"/Annots [<< /Type /Annot /Subtype /Link /Rect [0 0 10 10] /F 4 /AA << /E " + js + b" >> >>] "
    elif where == "chained":
        catalog = b"/OpenAction << /S /GoTo /D [3 0 R /Fit] /Next [" + js + b"] >> "
    elif where == "launch":
        catalog = b"/OpenAction << /S /Launch /F (calc.exe) >> "
    else:
        raise ValueError(where)
    path.write_bytes(one_page(b"BT /F1 12 Tf 72 720 Td (hi) Tj ET", catalog_extra=catalog, page_extra=page))


def encrypted(path: Path, source: Path, aes256: bool = True, user_password: str = "") -> None:
    """``source`` encrypted: AES-256 (R6) or RC4-128, with an empty or a real user password."""
    import pikepdf

    with pikepdf.open(source) as pdf:
        enc = pikepdf.Encryption(owner="owner", user=user_password, R=6 if aes256 else 3, aes=aes256,
                                 metadata=aes256)
        pdf.save(path, encryption=enc)
