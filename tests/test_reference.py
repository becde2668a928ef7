"""Builds compared with committed reference PDFs, as fpdf2 does: any change of layout shows.

What is compared is what the pages draw, not bytes: every content-stream operator with its
operands (numbers to 1/1000 pt), each font's name and ToUnicode map, page boxes, the outline and
the metadata. A new qpdf or zlib that serialises differently passes; a moved line fails, naming
the page and the operator. After an intended change, run ``tools/update_reference.py`` and look
at the pages before committing the new references.
"""

from __future__ import annotations

import decimal
import re

import pikepdf
import pytest

from briefing.cache import Cache
from briefing.commands.build import build

from .conftest import EPOCH as TEST_EPOCH
from .conftest import ROOT
from .reference_cases import CASES, EPOCH


def _value(x):
    if isinstance(x, (int, float, decimal.Decimal)):
        return round(float(x), 3)
    if isinstance(x, pikepdf.Array):
        return [_value(v) for v in x]
    return repr(x)


def drawn(path) -> dict:
    """What a PDF shows, page by page, in a form that two serialisations of it share."""
    with pikepdf.open(path) as pdf:
        pages = []
        for page in pdf.pages:
            fonts = {}
            for name, font in (page.obj.Resources.get("/Font") or {}).items():
                tounicode = font.ToUnicode.read_bytes() if "/ToUnicode" in font else b""
                fonts[name] = (re.sub(r"^/[A-Z]{6}\+", "/", str(font.BaseFont)), tounicode)
            ops = [(str(i.operator), [_value(v) for v in i.operands]) for i in pikepdf.parse_content_stream(page.obj)]
            boxes = [_value(page.obj[b]) if b in page.obj else None
                     for b in ("/MediaBox", "/CropBox", "/BleedBox", "/TrimBox")]
            pages.append({"box": boxes, "fonts": fonts, "ops": ops})
        with pdf.open_outline() as outline:
            titles = [item.title for item in outline.root]
        info = {k: str(v) for k, v in pdf.docinfo.items() if k not in ("/Producer",)}
    return {"pages": pages, "outline": titles, "info": info}


def first_difference(got: dict, want: dict) -> str:
    if len(got["pages"]) != len(want["pages"]):
        return f"{len(got['pages'])} pages, the reference has {len(want['pages'])}"
    for n, (g, w) in enumerate(zip(got["pages"], want["pages"]), 1):
        for key in ("box", "fonts"):
            if g[key] != w[key]:
                return f"page {n}: {key} differ"
        for i, (a, b) in enumerate(zip(g["ops"], w["ops"])):
            if a != b:
                return f"page {n}, operator {i}: {a} where the reference has {b}"
        if len(g["ops"]) != len(w["ops"]):
            return f"page {n}: {len(g['ops'])} operators, the reference has {len(w['ops'])}"
    for key in ("outline", "info"):
        if got[key] != want[key]:
            return f"{key}: {got[key]} where the reference has {want[key]}"
    return ""


def test_reference_builds_use_the_tests_fixed_date():
    assert EPOCH == TEST_EPOCH


@pytest.mark.parametrize("name", list(CASES))
def test_build_draws_what_the_reference_draws(name, tmp_path):
    data, paper = CASES[name]
    reference = ROOT / "tests" / "reference" / f"{name}.pdf"
    out = build(ROOT / data, tmp_path / f"{name}.pdf", paper=paper, cache=Cache(None)).output
    difference = first_difference(drawn(out), drawn(reference))
    assert not difference, f"{difference}\n(an intended change? run tools/update_reference.py and look at the pages)"
