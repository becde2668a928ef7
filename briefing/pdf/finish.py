"""Finishing the PDF reportlab wrote: e-mail and archive ready, in our own pipeline (pikepdf).

- every stream compressed once, and objects packed into compressed streams (reportlab writes
  the raw file uncompressed, its fonts already one CID font per face: see ``fonts.cid``);
- PDF/A-2b: XMP metadata with the PDF/A identification, kept in step with the Info dictionary,
  an sRGB output intent, a document ID, links flagged for printing;
- it opens with the bookmarks panel shown, and its page labels match the printed numbers;
- print boxes: the paper as TrimBox and CropBox, 3 mm of bleed round it as BleedBox and MediaBox;
- deterministic: the same data and ``SOURCE_DATE_EPOCH`` give the same bytes.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path as FsPath
from typing import BinaryIO

import pikepdf
from pikepdf import Array, Dictionary, Name, String

from ..data.model import Briefing
from ..shipped import asset_dir
from .save import save
from .tags import declare_pdfua, link_structure
from ..typeset.paper import BLEED

SRGB = "sRGB IEC61966-2.1"
PRINT = 4  # annotation flag: print it (PDF/A wants every annotation printable, none hidden)


def srgb_profile() -> bytes:
    return (asset_dir() / "srgb.icc").read_bytes()


def page_labels(pdf: pikepdf.Pdf, doc: Briefing) -> None:
    """Cover and back cover by name; the pages between numbered as printed in their footers."""
    n = len(pdf.pages)
    nums = Array([0, Dictionary(P=String(doc.labels.cover))])
    if n > 2:
        nums.extend([1, Dictionary(S=Name.D, St=2)])
    if n > 1:
        nums.extend([n - 1, Dictionary(P=String(doc.labels.back_cover))])
    pdf.Root.PageLabels = Dictionary(Nums=nums)


def print_boxes(pdf: pikepdf.Pdf) -> None:
    """Trim and bleed for the print shop, the trimmed page for everyone else.

    reportlab's MediaBox is the paper; it becomes the TrimBox, and the MediaBox and BleedBox
    grow 3 mm round it (the origin moves to -3 mm, so nothing drawn moves) for the cover's
    and back cover's full-bleed bands. The CropBox is the TrimBox: readers, desktop printing
    and PDF/A viewers show the finished page, and only imposition reads the bleed.
    """
    for page in pdf.pages:
        x0, y0, x1, y1 = (float(v) for v in page.MediaBox)
        trim = Array([x0, y0, x1, y1])
        bleed = Array([x0 - BLEED, y0 - BLEED, x1 + BLEED, y1 + BLEED])
        page.MediaBox, page.BleedBox = bleed, bleed
        page.TrimBox, page.CropBox = trim, trim


def archive(pdf: pikepdf.Pdf, doc: Briefing, built: dt.datetime) -> None:
    """PDF/A-2b identification and its requirements that are ours to meet."""
    icc = pdf.make_stream(srgb_profile(), N=3)
    pdf.Root.OutputIntents = Array([Dictionary(
        Type=Name.OutputIntent, S=Name.GTS_PDFA1, OutputConditionIdentifier=String(SRGB),
        Info=String(SRGB), RegistryName=String("http://www.color.org"), DestOutputProfile=icc,
    )])
    for page in pdf.pages:
        for annot in page.get("/Annots") or []:
            annot.F = PRINT
    stamp = built.strftime("%Y-%m-%dT%H:%M:%S+00:00")
    if "/Trapped" in pdf.docinfo:
        del pdf.docinfo["/Trapped"]  # reportlab writes it; XMP has no equivalent to keep in step
    with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
        meta.load_from_docinfo(pdf.docinfo)
        meta["pdfaid:part"] = "2"
        meta["pdfaid:conformance"] = "B"
        meta["dc:language"] = ["zh-CN"]
        meta["xmp:CreateDate"] = stamp
        meta["xmp:ModifyDate"] = stamp
        meta["xmp:MetadataDate"] = stamp
        meta["pdf:Producer"] = str(pdf.docinfo.get("/Producer", "briefing"))


def prepare() -> None:
    """Pay finishing's first-call costs ahead (the XMP support pikepdf loads on first use:
    5 ms): the finishing worker does it while the layout runs."""
    with pikepdf.new() as pdf, pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
        meta["dc:language"] = ["zh-CN"]


def finish(raw: FsPath | BinaryIO, out: FsPath | BinaryIO, doc: Briefing, built: dt.datetime) -> None:
    """The finished booklet: tagged (PDF/UA-1) when layout wrote its structure tree into
    ``raw``. Files, or streams (``commands.build.warm_up`` finishes in memory)."""
    with pikepdf.open(raw) as pdf:
        pdf.Root.PageMode = Name.UseOutlines
        page_labels(pdf, doc)
        print_boxes(pdf)
        archive(pdf, doc, built)
        if link_structure(pdf):
            declare_pdfua(pdf)
        save(pdf, out)
