"""The structure tree of a tagged PDF (PDF/UA-1), linked into the finished file.

Layout wraps everything it paints in marked content and records, per structure element, the
(page, MCID) pairs and link annotations it owns (``typeset/tagging.py``), and writes that
record into the file it saves (``typeset/tagtree.py``): one ``StructElem`` per element, an
``OBJR`` for every link, the ``/ParentTree`` that maps each page's MCIDs (and each link) back
to its element. Here the tree is linked in: ``/StructTreeRoot`` in the catalog,
``/StructParents`` on the pages, ``/StructParent`` and a description on every link, and the
catalog and XMP entries that declare the file tagged and PDF/UA-1.
"""

from __future__ import annotations

import re

import pikepdf
from pikepdf import Dictionary, Name

from ..typeset.tagtree import HINT

PDFUA_NS = "http://www.aiim.org/pdfua/ns/id/"

# PDF/A-2 accepts XMP properties outside its predefined schemas only when an extension schema
# declares them: pdfuaid:part is one of those.
PDFUA_EXTENSION = f"""<rdf:Description rdf:about="" xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/" \
xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#" xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">
<pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource">
<pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema>
<pdfaSchema:namespaceURI>{PDFUA_NS}</pdfaSchema:namespaceURI>
<pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>
<pdfaSchema:property><rdf:Seq><rdf:li rdf:parseType="Resource">
<pdfaProperty:name>part</pdfaProperty:name>
<pdfaProperty:valueType>Integer</pdfaProperty:valueType>
<pdfaProperty:category>internal</pdfaProperty:category>
<pdfaProperty:description>Indicates, which part of ISO 14289 standard is followed</pdfaProperty:description>
</rdf:li></rdf:Seq></pdfaSchema:property>
</rdf:li></rdf:Bag></pdfaExtension:schemas>
</rdf:Description>
<rdf:Description rdf:about="" xmlns:pdfuaid="{PDFUA_NS}"><pdfuaid:part>1</pdfuaid:part></rdf:Description>
"""


def link_structure(pdf: pikepdf.Pdf) -> bool:
    """Link the structure tree layout wrote into the file (``typeset.tagtree``: its trailer
    says where) into the catalog, the pages and the links; False where there is none (an
    untagged file)."""
    hint = pdf.trailer.get(HINT)
    if hint is None:
        return False
    pages = list(pdf.pages)
    pdf.Root.StructTreeRoot = hint.Tree
    for i in hint.Marked:
        pages[int(i)].obj.StructParents = int(i)
    for annot, key, contents in hint.Links:
        annot.StructParent = key
        annot.Contents = contents
    del pdf.trailer[HINT]
    pdf.Root.MarkInfo = Dictionary(Marked=True)
    prefs = pdf.Root.get("/ViewerPreferences") or Dictionary()
    prefs.DisplayDocTitle = True
    pdf.Root.ViewerPreferences = prefs
    for page in pages:
        if page.get("/Annots"):
            page.obj.Tabs = Name.S
    return True


def declare_pdfua(pdf: pikepdf.Pdf) -> None:
    """XMP ``pdfuaid:part 1``, with the extension schema PDF/A-2 needs to accept it."""
    xmp = pdf.Root.Metadata.read_bytes().decode("utf-8")
    if "pdfuaid:part" in xmp:
        return
    at = xmp.rindex("</rdf:RDF>")
    xmp = xmp[:at] + PDFUA_EXTENSION + xmp[at:]
    pdf.Root.Metadata = pdf.make_stream(xmp.encode("utf-8"), Type=Name.Metadata, Subtype=Name.XML)


def strip_tags(pdf: pikepdf.Pdf) -> None:
    """An untagged copy (an imposition): no structure tree and no claim of PDF/UA."""
    for key in ("/StructTreeRoot", "/MarkInfo"):
        if key in pdf.Root:
            del pdf.Root[key]
    if "/Metadata" in pdf.Root:
        xmp = pdf.Root.Metadata.read_bytes().decode("utf-8")
        cleaned = re.sub(r"<rdf:Description[^>]*xmlns:pdfuaid=[^>]*>.*?</rdf:Description>\s*", "", xmp, flags=re.S)
        if cleaned != xmp:
            pdf.Root.Metadata = pdf.make_stream(cleaned.encode("utf-8"), Type=Name.Metadata, Subtype=Name.XML)
