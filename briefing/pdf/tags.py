"""The structure tree of a tagged PDF (PDF/UA-1), written from what layout recorded.

Layout wraps everything it paints in marked content and records, per structure element, the
(page, MCID) pairs and link annotations it owns (``typeset/tagging.py``). Here that record
becomes the PDF's ``/StructTreeRoot``: one ``StructElem`` per element, the ``/ParentTree``
that maps each page's MCIDs (and each link annotation) back to its element, ``/StructParents``
on the pages, ``/StructParent`` and an ``OBJR`` for every link, and the catalog and XMP
entries that declare the file tagged and PDF/UA-1.
"""

from __future__ import annotations

import re

import pikepdf
from pikepdf import Array, Dictionary, Name, String

from ..typeset.tagging import ROLE_MAP, Annotation, Content, Element

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


# Layout writes this, then the link's name, as a link's /Contents (reportlab lets a link carry no
# other key); here it becomes the description a screen reader announces.
LINK_PREFIX = "briefing-link:"


class TagError(ValueError):
    """The recorded structure does not match the written file (a layout bug, never the data's)."""


def _first_page(e: Element) -> int | None:
    for k in e.kids:
        if isinstance(k, (Content, Annotation)):
            return k.page
        if isinstance(k, Element):
            p = _first_page(k)
            if p is not None:
                return p
    return None


def _attributes(e: Element) -> dict:
    """The element's own keys (its text alternatives, a header cell's scope)."""
    keys = {key: String(str(e.attrs[key])) for key in ("Alt", "ActualText", "Lang", "T", "E")
            if key in e.attrs and e.attrs[key]}
    if "Scope" in e.attrs:
        keys["A"] = Dictionary(O=Name.Table, Scope=Name("/" + e.attrs["Scope"]))
    return keys


def write_structure(pdf: pikepdf.Pdf, root: Element) -> None:
    """Writes ``root`` (the Document element) as the PDF's structure tree."""
    pages = list(pdf.pages)
    page_objs = [p.obj for p in pages]  # once: each ``pages[i].obj`` makes a wrapper again
    roles: dict[str, Name] = {}
    annots_by_name: dict[tuple[int, str], Dictionary] = {}
    for i, page in enumerate(pages):
        for annot in page.get("/Annots") or []:
            name = str(annot.get("/Contents", ""))
            if name.startswith(LINK_PREFIX):
                annots_by_name[(i, name[len(LINK_PREFIX):])] = annot
    parents: dict[int, dict[int, Dictionary]] = {}  # page → MCID → element
    objr_keys: list[tuple[Dictionary, Dictionary]] = []  # (annotation, element)

    def make(e: Element, parent) -> Dictionary:
        role = roles.get(e.role) or roles.setdefault(e.role, Name("/" + e.role))
        # No /Type: it is optional for a structure element, and every reader of the tree
        # (verify's pypdf among them) parses ten bytes fewer of each of its thousands.
        # Every key but /K in one call: each key set on a pikepdf object is a call into qpdf.
        keys = _attributes(e)
        page = _first_page(e)
        if any(isinstance(k, Content) and k.page == page for k in e.kids):
            # The page of the MCIDs among its kids; an element with none (a table row, a
            # section) needs no /Pg, and every reader of the tree parses 14 bytes less of it.
            keys["Pg"] = page_objs[page]
        node = pdf.make_indirect(Dictionary(S=role, P=parent, **keys))
        kids = []
        for k in e.kids:
            if isinstance(k, Element):
                kids.append(make(k, node))
            elif isinstance(k, Content):
                if k.page >= len(pages):
                    raise TagError(f"content on page {k.page + 1} of {len(pages)}")
                if parents.setdefault(k.page, {}).setdefault(k.mcid, node) is not node:
                    raise TagError(f"page {k.page + 1}: MCID {k.mcid} recorded twice")
                kids.append(k.mcid if k.page == page else Dictionary(Type=Name.MCR, Pg=page_objs[k.page], MCID=k.mcid))
            else:  # Annotation
                annot = annots_by_name.get((k.page, k.dest))
                if annot is None:
                    raise TagError(f"page {k.page + 1}: no link annotation named {k.dest!r}")
                annot.Contents = String(k.contents)
                objr_keys.append((annot, node))
                kids.append(Dictionary(Type=Name.OBJR, Obj=annot, Pg=page_objs[k.page]))
        if len(kids) == 1:
            node.K = kids[0]
        elif kids:
            node.K = Array(kids)
        return node

    tree = pdf.make_indirect(Dictionary(Type=Name.StructTreeRoot))
    tree.K = make(root, tree)
    nums = Array()
    for page_index in sorted(parents):
        mcids = parents[page_index]
        if sorted(mcids) != list(range(len(mcids))):
            raise TagError(f"page {page_index + 1}: MCIDs {sorted(mcids)} are not 0…{len(mcids) - 1}")
        pages[page_index].obj.StructParents = page_index
        nums.extend([page_index, pdf.make_indirect(Array([mcids[m] for m in range(len(mcids))]))])
    key = len(pages)
    for annot, node in objr_keys:
        annot.StructParent = key
        nums.extend([key, node])
        key += 1
    tree.ParentTree = pdf.make_indirect(Dictionary(Nums=nums))
    tree.ParentTreeNextKey = key
    used = {r: m for r, m in ROLE_MAP.items() if r in roles}
    if used:
        tree.RoleMap = Dictionary({f"/{r}": Name("/" + m) for r, m in used.items()})
    pdf.Root.StructTreeRoot = tree
    pdf.Root.MarkInfo = Dictionary(Marked=True)
    prefs = pdf.Root.get("/ViewerPreferences") or Dictionary()
    prefs.DisplayDocTitle = True
    pdf.Root.ViewerPreferences = prefs
    for page in pages:
        if page.get("/Annots"):
            page.obj.Tabs = Name.S


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
