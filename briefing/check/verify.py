"""Checks a written booklet with pypdf; a booklet that fails any check is not delivered.

The checks read only the PDF (and, when given, the data it was built from), so
``briefing verify`` can judge any file, including one built elsewhere.
"""

from __future__ import annotations

import io
import logging
import re
import select
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path as FsPath

from pypdf import PdfReader
from pypdf.errors import DependencyError, FileNotDecryptedError, LimitReachedError, PdfReadError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

from ..data.model import Briefing, format_number
from ..errors import InputError, OutputError, clip
from ..files import read_regular
from ..fork import Worker, WorkerFailed, forkable, read, start, two_cores, write
from ..typeset.chartrules import RANGE, booklet_charts, end_text
from ..typeset.chartsize import bars_that_fit
from ..typeset.chartrules import problems as chart_problems
from . import lines, paragraphs
from .report import Check, Report  # noqa: F401  (verify's results, importable without pypdf)
from .structure import StructureFacts, judge_pages, read_structure
from .content import ContentError, ContentLimit, PageContent, Walker, squeeze
from .pages import boxes, imposed_sheets, named_page_checks, page_boxes, page_problems
from ..typeset.paper import PAPERS, SHEETS

# pypdf logs what it finds wrong in a damaged file ("EOF marker not found"), and with no
# handler Python prints it on stderr, between a build's stage lines or above verify's own
# message: the report says what matters, in the user's terms.
logging.getLogger("pypdf").addHandler(logging.NullHandler())

SIZE_TOLERANCE = 1.0  # points
SIZE_BUDGET = 1024 * 1024  # an e-mail attachment: the default booklet must stay under 1 MB


MAX_PDF_BYTES = 256 * 1024 * 1024  # the largest file verify reads (an imposed A3 booklet is < 2 MB)
MAX_PAGES = 10_000  # the most pages verify reads; pypdf's own limits bound each stream and array
# Actions PDF/A-2 forbids (ISO 19005-2, 6.5.1); JavaScript is also what a hostile file would run.
FORBIDDEN_ACTIONS = frozenset(("/JavaScript", "/Launch", "/ImportData", "/ResetForm", "/Hide", "/Sound",
                               "/Movie", "/Rendition", "/SetOCGState", "/Trans", "/GoTo3DView"))


class Unreadable(Exception):
    """The PDF cannot be read at all (not a verification failure): exit 2, not 1."""


def _resolve(obj):
    return obj.get_object() if isinstance(obj, IndirectObject) else obj


STAMP_FORMS = ("/BrCover", "/BrFooter", "/BrMark")  # a numbered copy's marks (pdf/stamp.py)


def _fonts_in(resources, seen: set[int], skip: tuple[str, ...] = ()) -> list[tuple[str, DictionaryObject]]:
    """Every font a page can use, including those inside form XObjects (charts are forms),
    except in the forms named in ``skip``."""
    out: list[tuple[str, DictionaryObject]] = []
    resources = _resolve(resources)
    if not isinstance(resources, DictionaryObject) or id(resources) in seen:
        return out
    seen.add(id(resources))
    for font in _resolve(resources.get("/Font", DictionaryObject())).values():
        font = _resolve(font)
        out.append((str(font.get("/BaseFont", "?")), font))
    for key, xobj in _resolve(resources.get("/XObject", DictionaryObject())).items():
        xobj = _resolve(xobj)
        if xobj.get("/Subtype") == "/Form" and "/Resources" in xobj and key not in skip:
            out += _fonts_in(xobj["/Resources"], seen, skip)
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


def min_pages(doc: Briefing) -> int:
    """The pages the layout always starts anew, whatever the data: cover, contents, the results
    opener, the plan opener, notes and back cover, and the foreword, last year's review, the
    comparison and the closing where the data has them. Answers and paths may share pages with
    their part's opener and with each other (short sections follow each other)."""
    optional = (doc.foreword, doc.review, doc.links(), doc.closing)
    return 6 + sum(1 for part in optional if part)


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
    if "/OCProperties" in root:
        problems.append("catalog has /OCProperties")
    for n, page in enumerate(reader.pages, 1):
        for annot in _resolve(page.get("/Annots", [])) or []:
            a = _resolve(annot)
            flags = int(a.get("/F", 0))
            if not flags & 4 or flags & 0b100011:
                problems.append(f"page {n}: annotation not set to print (F={flags})")
    return problems


def _dict(obj) -> DictionaryObject | None:
    obj = _resolve(obj)
    return obj if isinstance(obj, DictionaryObject) else None


def actions(reader: PdfReader) -> list[str]:
    """JavaScript and the other actions PDF/A forbids, wherever a viewer would run them: the
    catalog's OpenAction and AA, the JavaScript name tree, each page's AA, each annotation's A
    and AA, each form field's A and AA, and every action chained after those by /Next.
    Any AA (additional actions: run on open, close, print, focus…) is itself forbidden."""
    problems: list[str] = []
    seen: set[int] = set()

    def action(obj, where: str) -> None:
        todo = [obj]
        while todo and len(seen) < 100_000:
            a = _resolve(todo.pop())
            if isinstance(a, ArrayObject):
                todo.extend(a)
                continue
            if not isinstance(a, DictionaryObject) or id(a) in seen:
                continue
            seen.add(id(a))
            kind = a.get("/S")
            if kind in FORBIDDEN_ACTIONS or "/JS" in a:
                problems.append(f"{where}: {kind or '/JS'} action")
            elif kind == "/Named" and a.get("/N") not in ("/NextPage", "/PrevPage", "/FirstPage", "/LastPage"):
                problems.append(f"{where}: named action {a.get('/N')}")
            if "/Next" in a:
                todo.append(a["/Next"])

    def additional(owner: DictionaryObject, where: str) -> None:
        aa = _dict(owner.get("/AA"))
        if "/AA" in owner:
            problems.append(f"{where}: additional actions (/AA)")
        for trigger, act in (aa or {}).items():
            action(act, f"{where} /AA {trigger}")

    root = reader.trailer["/Root"]
    if "/OpenAction" in root:
        action(root["/OpenAction"], "catalog /OpenAction")
    additional(root, "catalog")
    names = _dict(root.get("/Names")) or {}
    if "/JavaScript" in names:
        problems.append("catalog: JavaScript name tree (document-level scripts)")
    for n, page in enumerate(reader.pages, 1):
        additional(page, f"page {n}")
        for annot in _resolve(page.get("/Annots", [])) or []:
            a = _dict(annot)
            if a is not None:
                if "/A" in a:
                    action(a["/A"], f"page {n} annotation")
                additional(a, f"page {n} annotation")
    form = _dict(root.get("/AcroForm")) or {}
    fields = list(_resolve(form.get("/Fields", [])) or [])
    visited = 0
    while fields and visited < 100_000:
        f = _dict(fields.pop())
        visited += 1
        if f is None or id(f) in seen:
            continue
        seen.add(id(f))
        if "/A" in f:
            action(f["/A"], "form field")
        additional(f, "form field")
        fields.extend(_resolve(f.get("/Kids", [])) or [])
    return problems


def open_pdf(path: str | FsPath) -> PdfReader:
    """A reader for ``path``, or ``Unreadable`` saying why not, in the user's terms.

    Bounded: a regular file of at most ``MAX_PDF_BYTES`` (never a FIFO or a device), at most
    ``MAX_PAGES`` pages, and pypdf's own limits on every stream, array and tree it parses. An
    encrypted file is read only when it opens without a password (and then fails the PDF/A
    check); one that needs a password, or a cipher pypdf cannot use here, is unreadable.
    """
    return reader_of(pdf_bytes(path))


def pdf_bytes(path: str | FsPath) -> bytes:
    """The file's bytes, read once: everything verify reads of it is this one snapshot."""
    try:
        data = read_regular(path, MAX_PDF_BYTES)
    except InputError as exc:
        raise Unreadable(str(exc)) from None
    if not data.startswith(b"%PDF-") and b"%PDF-" not in data[:1024]:
        raise Unreadable("不是 PDF 文件 (no %PDF- header)")
    return data


def reader_of(data: bytes) -> PdfReader:
    """A reader of a PDF's bytes (``open_pdf``'s bounds)."""
    try:
        reader = PdfReader(io.BytesIO(data))
    except DependencyError as exc:  # pypdf tries the empty password on opening: AES needs a library
        raise Unreadable(f"文件已加密（AES），无法读取 (encrypted: {exc})") from None
    if reader.is_encrypted:
        method = _cipher(reader)
        try:
            opened = reader.decrypt("")
        except (DependencyError, NotImplementedError, PdfReadError) as exc:
            raise Unreadable(f"文件已加密（{method}），无法读取 (encrypted: {exc})") from None
        if not opened:
            raise Unreadable(f"文件已加密（{method}），需要密码才能打开 (encrypted with a password)")
    declared = _resolve(_resolve(reader.trailer["/Root"]).get("/Pages"))
    count = declared.get("/Count") if isinstance(declared, DictionaryObject) else None
    if isinstance(count, int) and count > MAX_PAGES:
        raise Unreadable(f"页数过多（{count} 页，上限 {MAX_PAGES}）(too many pages)")
    if len(reader.pages) > MAX_PAGES:
        raise Unreadable(f"页数过多（{len(reader.pages)} 页，上限 {MAX_PAGES}）(too many pages)")
    return reader


def _cipher(reader: PdfReader) -> str:
    try:
        enc = _resolve(reader.trailer["/Encrypt"])
        v, r = int(enc.get("/V", 0)), int(enc.get("/R", 0))
        return {5: "AES-256", 4: "AES-128 或 RC4"}.get(v, "RC4") + f", R{r}"
    except Exception:
        return "未知方式"


def unreadable(exc: BaseException) -> str:
    """A reading error as a message: a limit of pypdf's, damage, or a password."""
    if isinstance(exc, Unreadable):
        return str(exc)
    if isinstance(exc, (LimitReachedError, ContentLimit)):
        return f"超出读取上限，可能是恶意构造的文件 (a reading limit was reached: {exc})"
    if isinstance(exc, FileNotDecryptedError):
        return f"文件已加密，无法读取 (encrypted: {exc})"
    if isinstance(exc, RecursionError):
        return "文件结构嵌套过深，无法读取 (nested too deeply)"
    if isinstance(exc, MemoryError):
        return "文件需要的内存过多，无法读取 (out of memory)"
    return f"PDF 已损坏或无法读取 (damaged: {type(exc).__name__}: {exc})"


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


def paper_of(pages) -> str | None:
    """The paper size the first page is trimmed to (``a4``, ``a5``), None if neither."""
    if not len(pages):
        return None
    box = pages[0].trimbox
    size = (float(box.width), float(box.height))
    return next((name for name, geo in PAPERS.items()
                 if abs(size[0] - geo.width) <= SIZE_TOLERANCE and abs(size[1] - geo.height) <= SIZE_TOLERANCE),
                None)


def verify(pdf: str | FsPath, doc: Briefing | None = None, paper: str | None = "a4",
           budget: int | None = SIZE_BUDGET, parallel: bool = False, memo: bool = True,
           ahead: "Ahead | None" = None) -> Report:
    """Every check on ``pdf``. A file that cannot be read, or turns out damaged while it is
    being checked, gives a report with ``unreadable`` set (never an exception). With ``paper``
    None, the paper is the first page's (A4 when it is neither): every page is then held to it.
    With ``parallel``, the structure tree is read in a forked process while this one walks the
    pages' content (``_StructureRead``); the report is the same. With ``memo``, pages and fonts
    read before in this process, exactly as they are now, come from the memos (``check.content``):
    what a one-shot process (the finishing worker) does without, as it would only fill them.
    ``ahead``: the forked process that walked the raw file while it was finished (``Ahead``),
    which then does the forked part of ``parallel``."""
    report = Report(str(pdf))
    try:
        _checks(report, FsPath(pdf), doc, paper, budget, parallel, memo, ahead)
    except Exception as exc:  # pypdf on a hostile or damaged file raises nearly anything
        report.unreadable = unreadable(exc)
        report.add("open", [f"cannot read the PDF: {report.unreadable}"])
    return report


def _checks(report: Report, path: FsPath, doc: Briefing | None, paper: str | None, budget: int | None,
            parallel: bool = False, memo: bool = True, ahead: "Ahead | None" = None) -> None:
    data = pdf_bytes(path)
    # The structure tree is read beside everything else (``_StructureRead``), in a child
    # forked once this process opened the file (the child reads through the same reader, and
    # never opens the file again: that took longer than this process's checks take after the
    # fork, with the memos, and the tree's reading was then what verification waited for).
    structure = None
    blocks = doc is not None
    # The process that walked ahead reads the file too, meanwhile (its pages and the tree are its).
    sent = parallel and ahead is not None and paper in PAPERS and ahead.give(data, PAPERS[paper], blocks)
    try:
        reader = reader_of(data)
        if paper is None:
            paper = paper_of(reader.pages) or "a4"
        if parallel:
            structure = ahead.take(len(reader.pages)) if sent else None
            structure = structure or _StructureRead.start(reader, PAPERS[paper], blocks, memo)
        paper, geo = _document_checks(report, reader, path, doc, paper, budget)
        # Text: extractable, every figure of the data present, clreq line breaks.
        _content_checks(report, reader, doc, paper, geo, structure, memo)
    finally:
        if structure is not None:
            structure.close()


def _document_checks(report: Report, reader: PdfReader, path: FsPath, doc: Briefing | None, paper: str | None,
                     budget: int | None) -> tuple[str, object]:
    """Fonts, page size and count, metadata, PDF/A, actions, size and outline; returns the
    paper and its geometry."""
    report.size = path.stat().st_size
    pages = reader.pages
    report.pages = len(pages)
    if paper is None:
        paper = paper_of(pages) or "a4"

    # Fonts: every one embedded, in page content and in charts alike.
    # A numbered copy's marks bring their own few glyphs of a face (pdf/stamp.py): embedded like
    # every font, but not counted as the face embedded twice.
    unembedded: set[str] = set()
    names: set[str] = set()
    booklet: set[str] = set()
    for page in pages:
        for name, font in _fonts_in(page.get("/Resources"), set()):
            names.add(name)
            if not _embedded(font):
                unembedded.add(name)
        booklet |= {name for name, _ in _fonts_in(page.get("/Resources"), set(), STAMP_FORMS)}
    report.add("fonts embedded", [f"not embedded: {n}" for n in sorted(unembedded)],
               f"{len(names)} fonts, all embedded")
    report.add("each face subset once", _faces(booklet), ", ".join(sorted(n[8:] for n in booklet)))

    # Page size and count.
    geo = PAPERS[paper]
    wrong = [  # the trimmed page (the MediaBox also holds the bleed)
        f"page {i + 1} is {float(p.trimbox.width):.0f}×{float(p.trimbox.height):.0f} pt"
        for i, p in enumerate(pages)
        if abs(float(p.trimbox.width) - geo.width) > SIZE_TOLERANCE
        or abs(float(p.trimbox.height) - geo.height) > SIZE_TOLERANCE
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
    report.add("no JavaScript or forbidden actions", actions(reader))
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
    return paper, geo


@dataclass
class _Share:
    """What the checks that judge each page on its own find on a run of pages, in page order:
    the whole booklet's, or the part a forked child walked (``_StructureRead``) followed by
    this process's. Two runs added are the run of both (``__add__``)."""

    walked: int = 0  # pages walked
    texts: list[str] = field(default_factory=list)
    glyphs: list[str] = field(default_factory=list)
    clreq: list[str] = field(default_factory=list)
    lone: list[str] = field(default_factory=list)
    uncompressed: list[str] = field(default_factory=list)
    blocks: list = field(default_factory=list)  # paragraphs.page_blocks
    framed: list[str] = field(default_factory=list)
    clear: list[str] = field(default_factory=list)
    on: list[str] = field(default_factory=list)
    judged: list[str] = field(default_factory=list)  # structure.judge_pages

    def __add__(self, other: "_Share") -> "_Share":
        return _Share(*(getattr(self, f) + getattr(other, f) for f in self.__dataclass_fields__))


def _share(contents: list[PageContent], pages, geo, blocks: bool) -> _Share:
    """Every check of ``contents`` that judges each page on its own, but the structure's."""
    framed, clear, on = page_problems(contents, pages, geo)
    return _Share(len(contents), [c.text() for c in contents], missing_glyphs(contents), lines.clreq(contents),
                  lines.lone_lines(contents), lines.uncompressed(contents),
                  paragraphs.page_blocks(contents) if blocks else [], framed, clear, on)


def _walk_pages(walker: Walker, pages, first: int, last: int) -> list[PageContent]:
    return [walker.page(pages[i], i + 1) for i in range(first, last)]


def _walked(walker: Walker, pages, first: int, last: int, report: Report) -> list[PageContent] | None:
    """Pages ``first`` to ``last`` walked; None (a failed check) if a stream cannot be read."""
    try:
        return _walk_pages(walker, pages, first, last)
    except ContentLimit:
        raise  # beyond what verify reads: the file is unreadable (exit 2), not judged
    except (ContentError, PdfReadError, ValueError, KeyError, TypeError) as exc:
        report.add("content streams readable", [f"{type(exc).__name__}: {exc}"])
        return None


def _rest(walker: Walker, pages, split: int, mine: list[PageContent], share: _Share, geo, blocks: bool,
          report: Report) -> tuple[list[PageContent] | None, _Share]:
    """``mine`` and its share with the pages from ``split`` on walked here; (None, nothing) if
    one cannot be read, as when every page is walked here: nothing walked is then judged."""
    rest = _walked(walker, pages, split, len(pages), report)
    if rest is None:
        return None, _share([], pages, geo, blocks)
    return mine + rest, share + _share(rest, pages, geo, blocks)


def _content_checks(report: Report, reader: PdfReader, doc: Briefing | None, paper: str, geo,
                    structure: "_StructureRead | None", memo: bool) -> None:
    pages = reader.pages
    n = len(pages)
    split = structure.split if structure is not None else n  # the child walks the pages from there
    walker = Walker(reader, memo)
    blocks = doc is not None
    facts = theirs = None
    mine = _walked(walker, pages, 0, split, report)
    share = _share(mine or [], pages, geo, blocks)  # while the child reads the structure tree
    # The child's pages are worth waiting for where most of these were walked, or where it has
    # them all (it walked them ahead: ``Ahead``); where most came from the memo (a rebuild's
    # worker: an edit changes a page or two), they are done here, sooner than the child would
    # send them, and the structure tree is waited for last.
    wait = (structure is not None and mine is not None and split < n
            and (split == 0 or 2 * walker.walked > split))
    if structure is not None and not wait:
        structure.skip()
    sought = _Sought(doc, paper, share.texts) if doc is not None else None  # while the child's pages come
    if wait:
        facts = structure.facts()
        theirs = structure.share() if facts is not None else None
    if mine is not None and theirs is None and len(mine) < n:
        mine, share = _rest(walker, pages, split, mine, share, geo, blocks, report)
    share += theirs or _Share()
    texts = share.texts
    flat = squeeze("".join(texts))
    if sought is not None:
        report.add("figures in text", [f"missing {f}" for f in sought.left(texts) if squeeze(f) not in flat],
                   f"all {len(sought.figures)} figures found")
        heads = [doc.meeting.headline, doc.meeting.name]  # both printed whole on the cover
        report.add("Chinese text extractable", [f"missing {h}" for h in heads if squeeze(h) not in flat])
        report.charts, problems = charts_on_pages(doc, sought.squeezed(texts), paper, sought.specs)
        report.add("charts", problems, f"{len(report.charts)} charts, each captioned with its values on its page")
    report.add("no missing glyph (tofu)", share.glyphs)
    report.add("line breaking (clreq)", share.clreq)
    report.add("no line of one character", share.lone)
    report.add("punctuation compressed", share.uncompressed)
    if doc is not None:
        report.add("every paragraph once, in order", paragraphs.check_blocks(share.blocks, doc))
    for name, problems, found in named_page_checks(share.walked, geo, boxes(pages, geo), share.framed,
                                                   share.clear, share.on):
        report.add(name, problems, found)
    if share.walked:  # last: what waits for the structure tree
        if facts is None and structure is not None and not wait:
            facts = structure.facts()
        facts = facts or read_structure(reader)
        judged = judge_pages(facts, mine) + (theirs.judged if theirs is not None else [])
        report.add("tagged (PDF/UA-1 structure)", facts.before + judged + facts.after if facts.tree else
                   list(facts.before), "every mark in the tree and the ParentTree, nothing painted untagged")


class _Sought:
    """What the checks of the whole text look for (the data's figures, its charts), and what
    the pages walked here (``texts``, the first of the booklet's) showed of it: worked out
    while the child's pages are on their way, so that only the rest is looked for once they
    come. A figure in the first pages' text is in the whole (``squeeze`` takes out characters
    one by one): the findings are those of looking at the whole."""

    def __init__(self, doc: Briefing, paper: str, texts: list[str]):
        self.figures = doc.figures()
        self.texts = list(texts)
        seen = squeeze("".join(texts))
        self._left = [f for f in self.figures if squeeze(f) not in seen]  # in order: as reported
        self.specs = booklet_charts(doc, bars_that_fit(PAPERS[paper].frame_height))
        self._squeezed = [squeeze(t) for t in texts]

    def _follows(self, texts: list[str]) -> bool:
        """Whether ``texts`` begin with the texts seen (not so where a page that could not be
        read had every page's text put aside: ``_rest``)."""
        return texts[:len(self.texts)] == self.texts

    def left(self, texts: list[str]) -> list[str]:
        """The figures still to look for in the whole ``texts``."""
        return self._left if self._follows(texts) else self.figures

    def squeezed(self, texts: list[str]) -> list[str]:
        """``texts``, each squeezed."""
        done = self._squeezed if self._follows(texts) else []
        return done + [squeeze(t) for t in texts[len(done):]]


SPLIT_FROM = 6  # pages: a booklet this long has its last half walked and judged by the child


def child_from(n: int) -> int:
    """The first page (from 0) of ``n`` that the child walks and judges after the structure
    tree: the last half, as the tree (40 ms of a long booklet's read, ``check.objects``) weighs
    about what this process checks besides its pages (the paragraphs, the charts)."""
    return n - n // 2 if n >= SPLIT_FROM else n


def _forked_part(reader: PdfReader, split: int, geo, blocks: bool, memo: bool, requests: int, replies: int) -> None:
    """What the forked process of a parallel verification does (``_StructureRead``): the
    structure tree read and sent; then, unless told to skip them, the pages from ``split`` on
    walked and judged, and their share sent. A failure is done again by the parent, and
    reported there."""
    pages = reader.pages
    facts = read_structure(reader)
    write(replies, facts)
    if split < len(pages) and not select.select([requests], [], [], 0)[0]:  # else: told to skip them
        theirs = _walk_pages(Walker(reader, memo), pages, split, len(pages))
        share = _share(theirs, pages, geo, blocks)
        share.judged = judge_pages(facts, theirs)
        write(replies, share)


class _StructureRead:
    """The structure tree read (``structure.read_structure``: every element, ``check.objects``) in a
    forked process, through the reader this one opened, while this one checks the rest; and,
    in a booklet of ``SPLIT_FROM`` pages or more, the last half of its pages walked and judged
    there too, after the tree (``_Share``: what comes back is text and problems, never the
    pages' runs, whose pickling would cost a third of walking them). ``facts`` and ``share``
    are None if anything went wrong: that part is then done here, and fails here as it would
    have. The report is the same either way (tested)."""

    def __init__(self, worker: Worker, split: int):
        self._worker = worker
        self.split = split

    @classmethod
    def start(cls, reader: PdfReader, geo, blocks: bool, memo: bool) -> "_StructureRead | None":
        if not two_cores() or not forkable():  # a fork copies only this thread
            return None
        split = child_from(len(reader.pages))
        worker = start(lambda requests, replies: _forked_part(reader, split, geo, blocks, memo, requests, replies))
        return cls(worker, split) if worker is not None else None

    def skip(self) -> None:
        """The child's pages are done here: it need not walk them (``start``)."""
        self._worker.send("skip")

    def facts(self) -> StructureFacts | None:
        return self._next(StructureFacts)

    def share(self) -> _Share | None:
        return self._next(_Share)

    def _next(self, kind: type):
        """The child's next reply if it is a ``kind`` (a failure is the worker's own reply)."""
        try:
            found = self._worker.receive()
        except WorkerFailed:
            return None
        return found if isinstance(found, kind) else None

    def close(self) -> None:
        self._worker.close(kill=True)


class Ahead:
    """The forked process of a parallel verification (``_StructureRead``), started before the
    file it verifies is there: while the raw file (reportlab's, before finishing: the same
    content streams and fonts) is finished, it walks the raw file's pages from the last one
    back into its memos, each judged on its own too (as ``rehearse`` does). Given the finished
    file (``give``), it reads it as this process does, and does the forked part
    (``_forked_part``, ``take``) on pages that then come from its memos. Finishing takes a
    tenth of a cold build, with one core idle but for this."""

    def __init__(self, worker: Worker):
        self._worker = worker

    @classmethod
    def start(cls, raw: FsPath, paper: str) -> "Ahead | None":
        """None where a parallel verification would not fork either (``_StructureRead.start``)."""
        if paper not in PAPERS or not two_cores() or not forkable():
            return None
        worker = start(lambda requests, replies: _ahead(FsPath(raw), PAPERS[paper], requests, replies))
        return cls(worker) if worker is not None else None

    @classmethod
    @contextmanager
    def beside(cls, raw: FsPath, paper: str):
        """``start``ed for the time the raw file is finished and verified, then closed."""
        ahead = cls.start(raw, paper)
        try:
            yield ahead
        finally:
            if ahead is not None:
                ahead.close()

    def give(self, data: bytes, geo, blocks: bool) -> bool:
        """Send it the finished file to verify (``_forked_part`` on ``geo``, with the paragraph
        blocks if ``blocks``): it stops walking the raw file and reads this one, while this
        process reads it too. False if it is gone."""
        self._worker.send(("verify", data, geo, blocks))
        return self._worker.pid is not None

    def take(self, n: int) -> _StructureRead | None:
        """Its part of the verification of the file given (``give``) of ``n`` pages, as a
        ``_StructureRead``: the last half, or more where it walked more ahead (``ahead_from``).
        None if it failed: one is then forked as without it."""
        try:
            split = self._worker.receive()
        except WorkerFailed:
            split = None
        if type(split) is not int or not 0 <= split <= n:
            self.close()
            return None
        return _StructureRead(self._worker, split)

    def close(self) -> None:
        self._worker.close(kill=True)


def _ahead(raw: FsPath, geo, requests: int, replies: int) -> None:
    """The ``Ahead`` process: the raw file's pages walked until the finished file comes, then
    the forked part of verifying it (the memos on: they hold what was walked)."""
    covered, fresh = _walk_back(raw, geo, requests)
    _, data, geo, blocks = read(requests)
    reader = reader_of(data)
    n = len(reader.pages)
    split = ahead_from(n, covered, fresh)
    write(replies, split)
    _forked_part(reader, split, geo, blocks, True, requests, replies)


def ahead_from(n: int, covered: int, fresh: int) -> int:
    """``child_from`` for the ``Ahead`` process, which walked the last ``covered`` pages of the
    raw file into its memos, ``fresh`` of them not there before: it takes those (nearly free
    to it now) and the last half of the rest. Where most came from the memo it had when it
    was forked (a rebuild), this process has them too, as cheap to take here."""
    if n < SPLIT_FROM or 2 * fresh <= covered:
        return child_from(n)
    covered = min(covered, n)
    return child_from(n - covered)


def _walk_back(raw: FsPath, geo, requests: int) -> tuple[int, int]:
    """How many of the raw file's last pages were walked into the memos, each with its own
    checks worked out, before a request came; and how many of those were not in the memo
    before. Only fills memos: whatever the file is, it raises nothing (but what is not an
    ``Exception``)."""
    covered = 0
    walker = None
    try:
        reader = reader_of(pdf_bytes(raw))
        pages = reader.pages
        walker = Walker(reader, memo=True)
        for i in range(len(pages) - 1, -1, -1):
            if select.select([requests], [], [], 0)[0]:
                break
            _share([walker.page(pages[i], i + 1)], pages, geo, blocks=True)
            covered += 1
    except Exception:  # noqa: BLE001 - what was walked is kept; the rest is walked after
        pass
    return covered, walker.walked if walker is not None else 0


def missing_glyphs(contents: list[PageContent]) -> list[str]:
    """Glyphs drawn as the font's .notdef (a box): code 0, which no ToUnicode entry gives text
    to, so it reads as U+0000. Shown as □ in the text of its run, once a page and font."""
    seen, out = set(), []
    for number, content in enumerate(contents, 1):
        for run in content.runs:
            if "\x00" in run.text and (number, run.font) not in seen:
                seen.add((number, run.font))
                out.append(f"page {number}: a glyph the font lacks (.notdef) in {run.font[8:] or run.font} "
                           f"“{clip(run.text.replace(chr(0), '□'))}”")
    return out


def charts_on_pages(doc: Briefing, pages: list[str], paper: str = "a4", specs: list | None = None
                    ) -> tuple[list[str], list[str]]:
    """Each chart the data calls for (kind and values computed from the data by the build's own
    rules: ``specs``, if worked out already), found in the PDF by its caption, with every
    value it prints on that same page.

    Returns the listing ``briefing verify --charts`` prints, and the problems: a chart missing
    or without its values, or one that breaks a chart rule.
    """
    listing, problems = [], []
    for spec in booklet_charts(doc, bars_that_fit(PAPERS[paper].frame_height)) if specs is None else specs:
        where = [n for n, text in enumerate(pages, 1) if squeeze(spec.caption) in text]
        missing = [r.text for r in spec.rows if where and squeeze(end_text(r, spec.kind)) not in pages[where[0] - 1]]
        if not where:
            problems.append(f"{spec.caption}: caption not found on any page")
        elif missing:
            problems.append(f"{spec.caption}: values not on its page {where[0]}: {', '.join(missing)}")
        problems += [f"{spec.caption}: {p}" for p in chart_problems(spec)]
        rows = "; ".join(f"{r.label} {end_text(r, spec.kind)}" + (" (broken)" if r.broken else "")
                         + (" = " + ", ".join(f"{s} {format_number(n)}" for s, n in r.segments) if r.segments else "")
                         for r in spec.rows)
        span = f"span {spec.span():.1f}:1" + (f", {spec.marked()}" if spec.span() > RANGE else "")
        listing.append(f"{spec.caption} | {spec.kind} | page {where[0] if where else '?'} | {span} | {rows}\n"
                       f"    alt: {spec.alt}")
    return listing, problems


def remember(pdf: str | FsPath) -> tuple | None:
    """Walk a booklet's pages into the memos (``check.content``), checking nothing: what the
    finishing worker does with the booklet its build replaces, so that verifying the new one
    walks only the pages an edit changed (a third of a whole verification's time). Whatever
    the file is, it raises nothing (but what is not an ``Exception``: a stop). What it walked,
    for ``rehearse`` (None: nothing)."""
    try:
        reader = reader_of(pdf_bytes(pdf))
        return reader.pages, _walk(reader, Report(str(pdf)), memo=True)
    except Exception:  # noqa: BLE001 - a file that is not a booklet fills no memo, and that is all
        return None


def rehearse(remembered: tuple | None, paper: str) -> None:
    """Work out the checks of each page ``remember`` walked that judge a page on its own (its
    lines, text, clreq, compression, paragraph blocks), which its memo keeps with it: verifying
    the new booklet then judges the pages an edit left as they were from those (a 10x booklet's
    per-page checks 66 -> 22 ms). Checks nothing, raises nothing but a stop, as ``remember``."""
    if remembered is None or paper not in PAPERS:
        return
    pages, contents = remembered
    try:
        _share(contents, pages, PAPERS[paper], blocks=True)
    except Exception:  # noqa: BLE001 - the report is thrown away: only the memos are wanted
        pass


def _walk(reader: PdfReader, report: Report, memo: bool = True) -> list[PageContent]:
    """Every page's content, walked once; a stream that cannot be read is a failed check."""
    return _walked(Walker(reader, memo), reader.pages, 0, len(reader.pages), report) or []


def placed_text(page) -> list[tuple[float, float, str]]:
    """(x, y, text) of every run of text drawn on the page, in page space."""
    return [(r.x, r.y, r.text) for r in Walker(page.pdf).page(page, 0).runs if r.text.strip()]


def _half_texts(content: PageContent, width: float) -> tuple[str, str]:
    """The text drawn on the left and on the right half of an imposed sheet."""
    halves = ["", ""]
    for r in content.runs:
        halves[0 if r.x < width else 1] += r.text
    return squeeze(halves[0]), squeeze(halves[1])


def _sheet_name(size: tuple[float, float], paper: str) -> str | None:
    """The sheet an imposed file was made on, known by its size."""
    from ..pdf.impose import sheet_for

    for name, (w, h) in SHEETS.items():
        if abs(size[0] - w) <= SIZE_TOLERANCE and abs(size[1] - h) <= SIZE_TOLERANCE:
            try:
                sheet_for(paper, name)
            except OutputError:
                continue
            return name
    return None


def verify_imposed(imposed: str | FsPath, booklet: str | FsPath, paper: str | None, sheet: str | None = None,
                   marks: bool | None = None) -> Report:
    """Sheet count, sheet size, page order and marks of a saddle-stitch imposition of ``booklet``.

    ``sheet`` is the sheet it was made on (default: known by the file's sheet size); with
    ``marks`` every side must carry its crop and fold marks.
    """
    report = Report(str(imposed))
    try:
        _imposed_checks(report, FsPath(imposed), FsPath(booklet), paper, sheet, marks)
    except Exception as exc:  # pypdf on a hostile or damaged file raises nearly anything
        report.unreadable = unreadable(exc)
        report.add("open", [f"cannot read the PDF: {report.unreadable}"])
    return report


def _imposed_checks(report: Report, imposed: FsPath, booklet: FsPath, paper: str | None, sheet: str | None,
                    marks: bool | None) -> None:
    from ..pdf.impose import saddle_order, sheet_for

    sides_reader, pages_reader = open_pdf(imposed), open_pdf(booklet)
    sides, pages = sides_reader.pages, pages_reader.pages
    if paper is None:
        paper = paper_of(pages) or "a4"
    report.size = imposed.stat().st_size
    report.pages = len(sides)
    order = saddle_order(len(pages))
    report.add("sheets", [] if len(sides) == len(order) else
               [f"{len(sides)} sides, expected {len(order)} ({len(order) // 2} sheets, duplex)"],
               f"{len(order) // 2} sheets, {len(order)} sides")
    if sheet is None and sides:
        sheet = _sheet_name((float(sides[0].mediabox.width), float(sides[0].mediabox.height)), paper)
    if sheet is None:
        report.add("sheet size", [f"not a sheet that holds two {paper.upper()} pages: "
                                  f"{', '.join(n for n in SHEETS)}"])
        return
    place = sheet_for(paper, sheet)
    sw, sh = place.size
    wrong = [f"side {i + 1} is {float(p.mediabox.width):.0f}×{float(p.mediabox.height):.0f} pt"
             for i, p in enumerate(sides)
             if abs(float(p.mediabox.width) - sw) > SIZE_TOLERANCE
             or abs(float(p.mediabox.height) - sh) > SIZE_TOLERANCE]
    report.add(f"sheet size ({place.describe()} landscape)", wrong[:3])
    booklet_pages = _walk(pages_reader, report)
    source = [squeeze(c.text()) for c in booklet_pages]
    walked = _walk(sides_reader, report)
    halves = [_half_texts(c, sw / 2) for c in walked]
    misplaced = []
    for n, (got, (left, right)) in enumerate(zip(halves, order), 1):
        for half, index, text in (("left", left, got[0]), ("right", right, got[1])):
            want = source[index] if index is not None else ""
            if text != want:
                what = f"page {index + 1}" if index is not None else "a blank page"
                misplaced.append(f"side {n} {half}: expected {what}")
    report.add("saddle-stitch order", misplaced, "every page where folding expects it")
    if not misplaced and booklet_pages and walked:
        trims = [(b or {}).get("trimbox", (0.0, 0.0, 0.0, 0.0)) for b in map(page_boxes, pages)]
        report.add("pages as drawn, marks outside them",
                   imposed_sheets(walked, booklet_pages, trims, order, place, PAPERS[paper].width, marks),
                   "crop and fold marks in the slug" if place.marks_fit else "no room for marks: none drawn")
