"""Checks of a tagged PDF's structure, read with pypdf (its object streams through
``check.objects``): what an accessibility checker can miss.

- every MCID painted on a page belongs to exactly one structure element, and the ParentTree
  says the same, in both directions;
- nothing is painted outside tagged content or an artifact;
- every Figure has a non-empty /Alt, every TH a /Scope;
- heading levels start at H1 and never skip one;
- every link annotation has /Contents and belongs to a Link element through an OBJR.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from pypdf.generic import DictionaryObject, IndirectObject

from .content import PageContent
from .objects import Objects, Ref, plain

SCOPES = ("/Row", "/Column", "/Both")  # a TH's /Scope: PDF's values (false or null is none of them)
MAX_ELEMENTS = 200_000  # a bound on the tree walked: a larger tree is a damaged or hostile file


def _r(obj):
    return obj.get_object() if isinstance(obj, IndirectObject) else obj


def _int(objects: Objects, value) -> int:
    """``int()`` of a value as it was of pypdf's objects: a reference read first (pypdf's
    ``IndirectObject`` has ``__int__``), a number or a string of digits taken, a boolean or
    null refused (``TypeError``: the file is damaged)."""
    value = objects.get(value)
    if value is None or type(value) in (bool, Ref, list, dict):
        raise TypeError(f"not an integer: {value!r}")
    return int(value)


def _number_tree(objects: Objects, node, out: dict[int, object], depth: int = 0) -> None:
    node = objects.get(node)
    if not isinstance(node, dict) or depth > 32:
        return
    nums = objects.get(node.get("/Nums"))
    if isinstance(nums, list):
        for i in range(0, len(nums) - 1, 2):
            out[_int(objects, nums[i])] = nums[i + 1]
    kids = objects.get(node.get("/Kids"))
    for kid in kids if isinstance(kids, list) else []:
        _number_tree(objects, kid, out, depth + 1)


class _Tree:
    """The structure tree flattened: elements in reading order with what they own. Read as
    plain values (``check.objects``: a long booklet's 5,000 elements in a third of pypdf's time)."""

    def __init__(self, reader):
        self.reader = reader
        self.objects = Objects(reader)
        root = _r(reader.trailer["/Root"])
        self.tree = self.objects.get(plain(root.get("/StructTreeRoot")))
        self.roles = {}
        self._standard: dict[str, str] = {}  # an element's /S → its standard role
        self.elements: list[tuple[dict, str]] = []  # (element, standard role)
        self.owned: dict[tuple[int, int], list[int]] = {}  # (page object id, MCID) → element ids
        self.objrs: dict[int, int] = {}  # annotation object id → element id
        self.problems: list[str] = []
        self.page_ids = {p.indirect_reference.idnum: n for n, p in enumerate(reader.pages)}
        if isinstance(self.tree, dict):
            rm = self.objects.get(self.tree.get("/RoleMap"))
            self.roles = {k.lstrip("/"): str(self.objects.get(v)).lstrip("/")
                          for k, v in (rm.items() if isinstance(rm, dict) else ())}
            self._walk(self.tree.get("/K"), None)

    def standard(self, role: str) -> str:
        seen = set()
        while role in self.roles and role not in seen:
            seen.add(role)
            role = self.roles[role]
        return role

    @staticmethod
    def _page_id(pg) -> int | None:
        return pg.idnum if type(pg) is Ref else None

    def _walk(self, k, page_id, depth: int = 0) -> None:
        if depth > 256 or len(self.elements) > MAX_ELEMENTS:
            self.problems.append("structure tree too deep or too large")
            return
        ref = k
        k = self.objects.get(k)
        if isinstance(k, list):
            for item in k:
                self._walk(item, page_id, depth + 1)
            return
        if type(k) is int:
            if page_id is None:
                self.problems.append(f"MCID {k} with no page")
            else:
                self.owned.setdefault((page_id, k), []).append(self._current)
            return
        if not isinstance(k, dict):
            return
        kind = k.get("/Type")
        if kind == "/MCR":
            pid = self._page_id(k.get("/Pg")) or page_id
            self.owned.setdefault((pid, _int(self.objects, k.get("/MCID", -1))), []).append(self._current)
            return
        if kind == "/OBJR":
            obj = k.get("/Obj")
            if type(obj) is Ref:
                self.objrs[obj.idnum] = self._current
            return
        # A structure element.
        saved = getattr(self, "_current", None)
        self._current = ref.idnum if type(ref) is Ref else id(k)
        s = k.get("/S", "")
        role = self._standard.get(s) if type(s) is str else None  # a name, the same for thousands
        if role is None:
            role = self.standard(str(self.objects.get(s)).lstrip("/"))
            if type(s) is str:
                self._standard[s] = role
        self.elements.append((k, role))
        self._walk(k.get("/K"), self._page_id(k.get("/Pg")) or page_id, depth + 1)
        self._current = saved


@dataclass
class StructureFacts:
    """What the structure checks need of the file, read with pypdf (``read_structure``), as
    plain values: they can be read in a forked process while this one walks the content
    (``check.verify``), and judged against the content after (``judge``)."""

    before: list[str]  # the catalog's, the XMP's and the tree's own problems
    tree: bool  # there is a structure tree
    owned: dict[tuple[int, int], list[int]] = field(default_factory=dict)  # (page id, MCID) → element ids
    pages: list["_PageFacts"] = field(default_factory=list)
    after: list[str] = field(default_factory=list)  # the elements' problems: Alt, Scope, heading levels


@dataclass
class _PageFacts:
    pid: int
    entry: list[int | None] | None | Exception  # the ParentTree's owners of the page's MCIDs
    links: list[str]  # the problems of its link annotations


def read_structure(reader) -> StructureFacts:
    """Everything the structure checks read from the file."""
    root = _r(reader.trailer["/Root"])
    problems: list[str] = []
    mark = _r(root.get("/MarkInfo"))
    if not isinstance(mark, DictionaryObject) or not mark.get("/Marked"):
        problems.append("catalog lacks /MarkInfo <</Marked true>>")
    if not str(root.get("/Lang", "")).strip():
        problems.append("catalog lacks /Lang")
    prefs = _r(root.get("/ViewerPreferences"))
    if not isinstance(prefs, DictionaryObject) or not prefs.get("/DisplayDocTitle"):
        problems.append("viewer preferences lack /DisplayDocTitle true")
    meta = _r(root.get("/Metadata"))
    xmp = meta.get_data().decode("utf-8", "replace") if meta is not None else ""
    if not re.search(r"<pdfuaid:part>\s*1\s*</pdfuaid:part>|pdfuaid:part=\"1\"", xmp):
        problems.append("XMP lacks pdfuaid:part 1")
    elif "pdfaExtension:schemas" not in xmp or "http://www.aiim.org/pdfua/ns/id/" not in xmp.split("pdfaExtension:schemas")[1]:
        problems.append("XMP declares pdfuaid without the PDF/A extension schema for it")
    tree = _Tree(reader)
    if tree.tree is None:
        return StructureFacts(problems + ["no /StructTreeRoot"], False)
    facts = StructureFacts(problems + tree.problems, True, tree.owned)
    parent_tree: dict[int, object] = {}
    objects = tree.objects
    _number_tree(objects, tree.tree.get("/ParentTree"), parent_tree)
    for n, page in enumerate(reader.pages, 1):
        facts.pages.append(_PageFacts(page.indirect_reference.idnum, _entry(objects, page, parent_tree),
                                      _link_problems(n, page, tree, parent_tree)))
    level = 0
    for element, role in tree.elements:  # figures described, header cells scoped, headings in order
        if role == "Figure" and not str(objects.get(element.get("/Alt", ""))).strip():
            facts.after.append("a Figure without /Alt")
        if role == "TH":
            attrs = objects.get(element.get("/A"))
            attrs = [objects.get(a) for a in attrs] if isinstance(attrs, list) else [attrs]
            if not any(isinstance(a, dict) and a.get("/Scope") in SCOPES for a in attrs):
                facts.after.append("a TH without /Scope")
        if len(role) == 2 and role[0] == "H" and role[1].isdigit():
            n = int(role[1])
            if n > level + 1:
                facts.after.append(f"heading level skips from H{level} to H{n}" if level else f"the first heading is H{n}")
            level = n
    return facts


def _entry(objects: Objects, page, parent_tree: dict[int, object]) -> list[int | None] | None | Exception:
    """The element ids the ParentTree gives the page's MCIDs (None: no such entry). An entry
    that cannot be read is kept as its error: it fails the file only if the page paints MCIDs."""
    try:
        key = page.get("/StructParents")
        entry = objects.get(parent_tree.get(int(key))) if key is not None else None
        if not isinstance(entry, list):
            return None
        return [_ref_id(owner) for owner in entry]
    except Exception as exc:  # noqa: BLE001 - raised again where the page needs its entry
        return exc


def _link_problems(n: int, page, tree: "_Tree", parent_tree: dict[int, object]) -> list[str]:
    problems = []
    for annot in _r(page.get("/Annots")) or []:
        a = _r(annot)
        if a.get("/Subtype") != "/Link":
            continue
        if not str(a.get("/Contents", "")).strip():
            problems.append(f"page {n}: a link without /Contents")
        aid = annot.idnum if isinstance(annot, IndirectObject) else None
        owner = tree.objrs.get(aid)
        if owner is None:
            problems.append(f"page {n}: a link annotation no Link element owns")
        elif a.get("/StructParent") is None or _ref_id(parent_tree.get(int(a["/StructParent"]))) != owner:
            problems.append(f"page {n}: a link's /StructParent does not lead to its Link element")
        if page.get("/Tabs") != "/S":
            problems.append(f"page {n}: annotations but no /Tabs /S")
    return problems


def judge(facts: StructureFacts, contents: list[PageContent]) -> list[str]:
    """The structure's problems, given what each page paints: MCIDs painted ↔ owned by an
    element ↔ listed in the ParentTree; nothing painted outside tagged content or an artifact."""
    if not facts.tree:
        return list(facts.before)
    return facts.before + judge_pages(facts, contents) + facts.after


def judge_pages(facts: StructureFacts, contents: list[PageContent]) -> list[str]:
    """``judge``'s problems of each page of ``contents`` (any run of the document's pages, each
    judged on its own): the whole's, run after run."""
    problems: list[str] = []
    if not facts.tree:
        return problems
    by_page: dict[int | None, set[int]] = {}  # page object id → the MCIDs the tree gives it
    for p, m in facts.owned:
        by_page.setdefault(p, set()).add(m)
    for content in contents:
        n = content.number
        if n > len(facts.pages):
            break  # as ``zip`` stopped: a page the ParentTree's reading did not list
        page = facts.pages[n - 1]
        pid = page.pid
        painted = content.mcids
        counts = Counter(painted)
        dupes = sorted(m for m, c in counts.items() if c > 1)
        if dupes:
            problems.append(f"page {n}: MCID {dupes[0]} painted more than once")
        owned = by_page.get(pid, set())
        for m in sorted(set(painted) - owned):
            problems.append(f"page {n}: MCID {m} belongs to no structure element")
        for m in sorted(owned - set(painted)):
            problems.append(f"page {n}: the tree names MCID {m}, which the page never paints")
        for m in sorted(owned):
            if len(facts.owned[(pid, m)]) > 1:
                problems.append(f"page {n}: MCID {m} belongs to {len(facts.owned[(pid, m)])} elements")
        if painted:
            if isinstance(page.entry, Exception):
                raise page.entry
            if page.entry is None:
                problems.append(f"page {n}: no ParentTree entry for its MCIDs")
            else:
                for m in set(painted):
                    owner_id = page.entry[m] if m < len(page.entry) else None
                    if owner_id is None or owner_id not in facts.owned.get((pid, m), []):
                        problems.append(f"page {n}: the ParentTree gives MCID {m} another element than the tree")
        untagged = next((r for r in content.runs if not _marked(r.marks)), None)
        unpainted = next((p for p in content.paints if not _marked(p.marks)), None)
        if untagged is not None:
            problems.append(f"page {n}: text outside tagged content or an artifact: {untagged.text[:20]!r}")
        if unpainted is not None:
            problems.append(f"page {n}: {unpainted.kind} outside tagged content or an artifact")
        problems += page.links
    return problems


def check_structure(reader, contents: list[PageContent]) -> list[str]:
    """Every problem found; an empty list means the structure holds."""
    return judge(read_structure(reader), contents)


def _ref_id(obj) -> int | None:
    return obj.idnum if type(obj) is Ref else None


def _marked(marks) -> bool:
    """Inside an MCID sequence (real content) or an /Artifact."""
    for m in marks:
        if m.mcid is not None or m.tag == "/Artifact":
            return True
    return False
