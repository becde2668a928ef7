"""Checks a written booklet with pypdf; a booklet that fails any check is not delivered.

The checks read only the PDF (and, when given, the data it was built from), so
``briefing verify`` can judge any file, including one built elsewhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path as FsPath

from pypdf import PdfReader
from pypdf.errors import PdfReadError
from pypdf.generic import DictionaryObject, IndirectObject

from ..data.model import Briefing
from . import lines, paragraphs
from .content import ContentError, PageContent, Walker
from ..typeset.styles import PAPERS, SHEETS

SIZE_TOLERANCE = 1.0  # points
SIZE_BUDGET = 1024 * 1024  # an e-mail attachment: the default booklet must stay under 1 MB


@dataclass
class Check:
    name: str
    ok: bool
    detail: str = ""


@dataclass
class Report:
    path: str
    pages: int = 0
    size: int = 0
    checks: list[Check] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)

    def failures(self) -> list[str]:
        return [f"{c.name}: {c.detail}" for c in self.checks if not c.ok]

    def add(self, name: str, problems: list[str], ok_detail: str = "") -> None:
        shown = "; ".join(problems[:8]) + (f" (+{len(problems) - 8} more)" if len(problems) > 8 else "")
        self.checks.append(Check(name, not problems, shown if problems else ok_detail))


def _resolve(obj):
    return obj.get_object() if isinstance(obj, IndirectObject) else obj


def _fonts_in(resources, seen: set[int]) -> list[tuple[str, DictionaryObject]]:
    """Every font a page can use, including those inside form XObjects (charts are forms)."""
    out: list[tuple[str, DictionaryObject]] = []
    resources = _resolve(resources)
    if not isinstance(resources, DictionaryObject) or id(resources) in seen:
        return out
    seen.add(id(resources))
    for font in _resolve(resources.get("/Font", DictionaryObject())).values():
        font = _resolve(font)
        out.append((str(font.get("/BaseFont", "?")), font))
    for xobj in _resolve(resources.get("/XObject", DictionaryObject())).values():
        xobj = _resolve(xobj)
        if xobj.get("/Subtype") == "/Form" and "/Resources" in xobj:
            out += _fonts_in(xobj["/Resources"], seen)
    return out


def _embedded(font: DictionaryObject) -> bool:
    if font.get("/Subtype") == "/Type3":
        return True  # glyphs are content streams inside the font itself
    if font.get("/Subtype") == "/Type0":
        font = _resolve(font["/DescendantFonts"][0])
    desc = _resolve(font.get("/FontDescriptor"))
    return isinstance(desc, DictionaryObject) and any(
        k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3")
    )


def _outline_titles(reader: PdfReader) -> list[str]:
    titles: list[str] = []

    def walk(items):
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                titles.append(str(item.title))

    walk(reader.outline)
    return titles


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def min_pages(doc: Briefing) -> int:
    """The pages the layout always starts anew, whatever the data: cover, contents, the results
    opener, the first answer, the plan opener, the first path, notes and back cover, and the
    foreword, last year's review, the comparison and the closing where the data has them.
    Further answers and paths may share pages (short sections follow each other)."""
    optional = (doc.foreword, doc.review, doc.links(), doc.closing)
    return 8 + sum(1 for part in optional if part)


def _pdfa(reader: PdfReader) -> list[str]:
    """The PDF/A-2b requirements a pypdf reading can establish (README lists the rest)."""
    problems: list[str] = []
    root = reader.trailer["/Root"]
    if reader.is_encrypted:
        problems.append("encrypted")
    if "/ID" not in reader.trailer:
        problems.append("no document /ID in the trailer")
    md = _resolve(root.get("/Metadata"))
    if md is None:
        problems.append("no XMP metadata stream")
    else:
        if "/Filter" in md:
            problems.append("XMP metadata stream is filtered")
        xmp = md.get_data().decode("utf-8", "replace")
        if "<?xpacket begin=" not in xmp:
            problems.append("XMP packet header missing")
        if not re.search(r"pdfaid:part[^>]*>\s*2\s*<|pdfaid:part=\"2\"", xmp):
            problems.append("XMP lacks pdfaid:part 2")
        if not re.search(r"pdfaid:conformance[^>]*>\s*B\s*<|pdfaid:conformance=\"B\"", xmp):
            problems.append("XMP lacks pdfaid:conformance B")
        title = str((reader.metadata or {}).get("/Title", ""))
        if title and title != _xmp_title(xmp):
            problems.append("Info /Title and XMP dc:title differ")
    intents = [_resolve(i) for i in _resolve(root.get("/OutputIntents", [])) or []]
    pdfa = [i for i in intents if i.get("/S") == "/GTS_PDFA1"]
    if not pdfa:
        problems.append("no GTS_PDFA1 output intent")
    elif _resolve(pdfa[0].get("/DestOutputProfile")) is None or _resolve(pdfa[0]["/DestOutputProfile"]).get("/N") != 3:
        problems.append("output intent has no RGB ICC profile")
    for name in ("/JavaScript", "/AA", "/OCProperties"):
        if name in root or name in _resolve(root.get("/Names", {}) or {}):
            problems.append(f"catalog has {name}")
    for n, page in enumerate(reader.pages, 1):
        for annot in page.get("/Annots", []) or []:
            a = _resolve(annot)
            flags = int(a.get("/F", 0))
            if not flags & 4 or flags & 0b100011:
                problems.append(f"page {n}: annotation not set to print (F={flags})")
            action = _resolve(a.get("/A")) or {}
            if action.get("/S") in ("/JavaScript", "/Launch", "/ImportData", "/ResetForm"):
                problems.append(f"page {n}: forbidden action {action.get('/S')}")
    return problems


def _xmp_title(xmp: str) -> str | None:
    import xml.etree.ElementTree as ET

    ns = {"dc": "http://purl.org/dc/elements/1.1/", "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#"}
    try:
        root = ET.fromstring(xmp[xmp.index("<x:xmpmeta"):xmp.rindex("</x:xmpmeta>") + len("</x:xmpmeta>")])
    except (ValueError, ET.ParseError):
        return None
    li = root.find(".//dc:title/rdf:Alt/rdf:li", ns)
    return li.text if li is not None else None


def _faces(names: set[str]) -> list[str]:
    """Faces embedded more than once (reportlab's 256-glyph pieces left unmerged)."""
    counts: dict[str, int] = {}
    for n in names:
        face = re.sub(r"^/[A-Z]{6}\+", "", n)
        counts[face] = counts.get(face, 0) + 1
    return [f"{face} embedded {c} times" for face, c in sorted(counts.items()) if c > 1]


def verify(pdf: str | FsPath, doc: Briefing | None = None, paper: str = "a4",
           budget: int | None = SIZE_BUDGET) -> Report:
    path = FsPath(pdf)
    report = Report(str(path))
    try:
        report.size = path.stat().st_size
        reader = PdfReader(str(path))
        pages = reader.pages
        report.pages = len(pages)
    except (OSError, PdfReadError, ValueError) as exc:
        report.add("open", [f"cannot read the PDF: {exc}"])
        return report

    # Fonts: every one embedded, in page content and in charts alike.
    unembedded: set[str] = set()
    names: set[str] = set()
    for page in pages:
        for name, font in _fonts_in(page.get("/Resources"), set()):
            names.add(name)
            if not _embedded(font):
                unembedded.add(name)
    report.add("fonts embedded", [f"not embedded: {n}" for n in sorted(unembedded)],
               f"{len(names)} fonts, all embedded")
    report.add("each face subset once", _faces(names), ", ".join(sorted(n[8:] for n in names)))

    # Page size and count.
    geo = PAPERS[paper]
    wrong = [
        f"page {i + 1} is {float(p.mediabox.width):.0f}×{float(p.mediabox.height):.0f} pt"
        for i, p in enumerate(pages)
        if abs(float(p.mediabox.width) - geo.width) > SIZE_TOLERANCE
        or abs(float(p.mediabox.height) - geo.height) > SIZE_TOLERANCE
    ]
    report.add(f"page size {paper.upper()}", wrong[:3], f"{len(pages)} pages")
    need = min_pages(doc) if doc else 4
    report.add("page count", [] if len(pages) >= need else [f"{len(pages)} pages, expected at least {need}"],
               f"{len(pages)} pages")

    # Metadata, and how the file opens.
    root = reader.trailer["/Root"]
    meta = reader.metadata or {}
    missing = [k for k in ("/Title", "/Author", "/Subject", "/Keywords", "/CreationDate") if not meta.get(k)]
    lang = str(root.get("/Lang", ""))
    if lang != "zh-CN":
        missing.append(f"/Lang is {lang!r}, expected 'zh-CN'")
    if root.get("/PageMode") != "/UseOutlines":
        missing.append("does not open with the bookmarks panel (/PageMode /UseOutlines)")
    report.add("metadata", missing, str(meta.get("/Title", "")))
    labels = _resolve(root.get("/PageLabels"))
    report.add("page labels", [] if labels is not None and "/Nums" in labels else ["no /PageLabels"],
               ", ".join(reader.page_labels[:3]) + " …" if labels is not None else "")
    report.add("PDF/A-2b (checkable parts)", _pdfa(reader))
    if budget is not None:
        report.add(f"size ≤ {budget // 1024} KB", [] if report.size <= budget else
                   [f"{report.size / 1024:.0f} KB is over the {budget // 1024} KB budget"],
                   f"{report.size / 1024:.0f} KB")

    # Outline: every section, and with the data every answer and path.
    titles = _outline_titles(reader)
    if doc is None:
        report.add("outline", [] if titles else ["the PDF has no bookmarks"], f"{len(titles)} bookmarks")
    else:
        wanted = [f"{s.ordinal}\u3000{s.title}" for s in (*doc.results.answers, *doc.plan.paths)]
        wanted += [doc.results.title, doc.plan.title]
        report.add("outline", [f"no bookmark for {w}" for w in wanted if w not in titles],
                   f"{len(titles)} bookmarks")

    # Text: extractable, every figure of the data present, clreq line breaks.
    contents = _walk(reader, report)
    texts = [c.text() for c in contents]
    flat = squeeze("".join(texts))
    if doc is not None:
        figures = doc.figures()
        report.add("figures in text", [f"missing {f}" for f in figures if squeeze(f) not in flat],
                   f"all {len(figures)} figures found")
        heads = [doc.meeting.headline, doc.meeting.name]  # both printed whole on the cover
        report.add("Chinese text extractable", [f"missing {h}" for h in heads if squeeze(h) not in flat])
    report.add("line breaking (clreq)", lines.clreq(contents))
    report.add("no line of one character", lines.lone_lines(contents))
    report.add("punctuation compressed", lines.uncompressed(contents))
    if doc is not None:
        report.add("every paragraph once, in order", paragraphs.check(contents, doc))
    return report


def _walk(reader: PdfReader, report: Report) -> list[PageContent]:
    """Every page's content, walked once; a stream that cannot be read is a failed check."""
    try:
        return list(Walker(reader).pages())
    except (ContentError, PdfReadError, ValueError, KeyError, TypeError) as exc:
        report.add("content streams readable", [f"{type(exc).__name__}: {exc}"])
        return []


def placed_text(page) -> list[tuple[float, float, str]]:
    """(x, y, text) of every run of text drawn on the page, in page space."""
    return [(r.x, r.y, r.text) for r in Walker(page.pdf).page(page, 0).runs if r.text.strip()]


def _half_texts(content: PageContent, width: float) -> tuple[str, str]:
    """The text drawn on the left and on the right half of an imposed sheet."""
    halves = ["", ""]
    for r in content.runs:
        halves[0 if r.x < width else 1] += r.text
    return squeeze(halves[0]), squeeze(halves[1])


def verify_imposed(imposed: str | FsPath, booklet: str | FsPath, paper: str) -> Report:
    """Sheet count, sheet size and page order of a saddle-stitch imposition of ``booklet``."""
    from ..pdf.impose import saddle_order

    report = Report(str(imposed))
    try:
        sides_reader, pages_reader = PdfReader(str(imposed)), PdfReader(str(booklet))
        sides, pages = sides_reader.pages, pages_reader.pages
        report.size = FsPath(imposed).stat().st_size
    except (OSError, PdfReadError, ValueError) as exc:
        report.add("open", [f"cannot read the PDF: {exc}"])
        return report
    report.pages = len(sides)
    order = saddle_order(len(pages))
    report.add("sheets", [] if len(sides) == len(order) else
               [f"{len(sides)} sides, expected {len(order)} ({len(order) // 2} sheets, duplex)"],
               f"{len(order) // 2} sheets, {len(order)} sides")
    geo = PAPERS[paper]
    sw, sh = SHEETS[geo.sheet]
    wrong = [f"side {i + 1} is {float(p.mediabox.width):.0f}×{float(p.mediabox.height):.0f} pt"
             for i, p in enumerate(sides)
             if abs(float(p.mediabox.width) - sw) > SIZE_TOLERANCE
             or abs(float(p.mediabox.height) - sh) > SIZE_TOLERANCE]
    report.add(f"sheet size ({geo.sheet.upper()} landscape)", wrong[:3])
    source = [squeeze(c.text()) for c in _walk(pages_reader, report)]
    halves = [_half_texts(c, sw / 2) for c in _walk(sides_reader, report)]
    misplaced = []
    for n, (got, (left, right)) in enumerate(zip(halves, order), 1):
        for half, index, text in (("left", left, got[0]), ("right", right, got[1])):
            want = source[index] if index is not None else ""
            if text != want:
                what = f"page {index + 1}" if index is not None else "a blank page"
                misplaced.append(f"side {n} {half}: expected {what}")
    report.add("saddle-stitch order", misplaced, "every page where folding expects it")
    return report
