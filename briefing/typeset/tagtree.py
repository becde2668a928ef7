"""The structure tree written into the file reportlab saves, as PDF text: an incremental update
after reportlab's own objects (``increment.Update``: each element an object of its own, its
kids, its page; the ParentTree), which finishing links into the catalog
(``pdf.tags.link_structure``).

The tree has an object for every paragraph, cell and row: 4,847 in the 10x booklet. Made one
by one through pikepdf, each cost two calls into qpdf (34 ms in all, in the process that
finishes, after the layout); written here as text they cost 12 ms, qpdf parses them in its own
code when it saves, and the tree is no longer sent to the finishing worker (a pickle of 200 KB
each way). What it says is the same: the same elements, kids, pages and owners of each MCID.
"""

from __future__ import annotations

from ..increment import Base, Raw, Update, last_xref, ref, text
from .tagging import LINK_PREFIX, ROLE_MAP, Annotation, Content, Element

HINT = "/BriefingTags"  # the update's trailer key that tells finishing where the tree is


class TagError(ValueError):
    """The recorded structure does not match the written file (a layout bug, never the data's)."""


def text_string(value: str) -> str:
    """A PDF text string, as ``increment.text`` writes it."""
    return text(value).decode("ascii")


def _first_page(e: Element) -> int | None:
    for k in e.kids:
        if isinstance(k, (Content, Annotation)):
            return k.page
        if isinstance(k, Element):
            p = _first_page(k)
            if p is not None:
                return p
    return None


def _numbers(doc) -> tuple[list[int], dict[tuple[int, str], int]]:
    """The object numbers reportlab gave its pages, and its link annotations by (page, name)."""
    numbered = doc.idToObjectNumberAndVersion
    pages = doc.Pages.pages
    page_numbers = [numbered[page.__InternalName__][0] for page in pages]
    links: dict[tuple[int, str], int] = {}
    for i, page in enumerate(pages):
        annots = getattr(page, "Annots", None) or ()
        for ref in getattr(annots, "sequence", annots):  # a PDFArray once saved
            contents = getattr(doc.idToObject.get(ref.name), "Contents", "")
            if isinstance(contents, str) and contents.startswith(LINK_PREFIX):
                links[(i, contents[len(LINK_PREFIX):])] = numbered[ref.name][0]
    return page_numbers, links


def with_structure(doc, data: bytes, root: Element) -> bytes:
    """``data``, the file reportlab made of ``doc`` (saved: its objects numbered), with
    ``root``'s tree added in an incremental update."""
    pages, links = _numbers(doc)
    numbered = doc.idToObjectNumberAndVersion
    ids = bytes.fromhex(doc.ID().split(b"<", 2)[1].split(b">")[0].decode("ascii"))
    update = Update(Base(data, len(doc.numberToId) + 1, last_xref(data), ref(numbered[doc.Catalog.__InternalName__][0]),
                         ref(numbered[doc.info.__InternalName__][0]), (ids, ids), False),
                    packed=True, compress=False)
    tree = update.new()  # the tree root; its elements after it, in reading order
    number: dict[int, int] = {}  # id(element) → object number
    order: list[tuple[Element, int]] = []  # (element, its parent's number)

    def count(e: Element, parent: int) -> None:
        number[id(e)] = update.new()
        order.append((e, parent))
        for k in e.kids:
            if isinstance(k, Element):
                count(k, number[id(e)])

    count(root, tree)
    parents: dict[int, dict[int, int]] = {}  # page → MCID → owner
    owned: list[tuple[int, int, str]] = []  # (annotation, owner, what the link is)
    for e, parent in order:
        me = number[id(e)]
        page = _first_page(e)
        head = f"<</S/{e.role}/P {parent} 0 R"
        if e.attrs:
            for key in ("Alt", "ActualText", "Lang", "T", "E"):
                if e.attrs.get(key):
                    head += f"/{key} {text_string(str(e.attrs[key]))}"
            if "Scope" in e.attrs:
                head += f"/A <</O/Table/Scope/{e.attrs['Scope']}>>"
        kids, here = [], False
        for k in e.kids:
            kind = type(k)
            if kind is Element:
                kids.append(f"{number[id(k)]} 0 R")
            elif kind is Content:
                if k.page >= len(pages):
                    raise TagError(f"content on page {k.page + 1} of {len(pages)}")
                if parents.setdefault(k.page, {}).setdefault(k.mcid, me) != me:
                    raise TagError(f"page {k.page + 1}: MCID {k.mcid} recorded twice")
                if k.page == page:
                    here = True
                    kids.append(str(k.mcid))
                else:
                    kids.append(f"<</Type/MCR/Pg {pages[k.page]} 0 R/MCID {k.mcid}>>")
            else:  # Annotation
                annot = links.get((k.page, k.dest))
                if annot is None:
                    raise TagError(f"page {k.page + 1}: no link annotation named {k.dest!r}")
                owned.append((annot, me, k.contents))
                kids.append(f"<</Type/OBJR/Obj {annot} 0 R/Pg {pages[k.page]} 0 R>>")
        if here:  # the page of the MCIDs among its kids (an element with none needs no /Pg)
            head += f"/Pg {pages[page]} 0 R"
        if len(kids) == 1:
            head += f"/K {kids[0]}"
        elif kids:
            head += f"/K [{' '.join(kids)}]"
        _put(update, me, head + ">>")
    parent_tree = update.new()
    nums = []
    for page_index in sorted(parents):
        mcids = parents[page_index]
        if sorted(mcids) != list(range(len(mcids))):
            raise TagError(f"page {page_index + 1}: MCIDs {sorted(mcids)} are not 0…{len(mcids) - 1}")
        owners = _put(update, update.new(), "[" + " ".join(f"{mcids[m]} 0 R" for m in range(len(mcids))) + "]")
        nums.append(f"{page_index} {owners} 0 R")
    key = len(pages)
    for _, owner, _ in owned:
        nums.append(f"{key} {owner} 0 R")
        key += 1
    _put(update, parent_tree, f"<</Nums [{' '.join(nums)}]>>")
    roles = {e.role for e, _ in order}
    used = "".join(f"/{r}/{m}" for r, m in ROLE_MAP.items() if r in roles)
    _put(update, tree, f"<</Type/StructTreeRoot/K {number[id(root)]} 0 R/ParentTree {parent_tree} 0 R"
                       f"/ParentTreeNextKey {key}" + (f"/RoleMap <<{used}>>" if used else "") + ">>")
    marked = " ".join(str(p) for p in sorted(parents))
    hint = (f"<</Tree {tree} 0 R/Marked [{marked}]/Links ["
            + " ".join(f"[{a} 0 R {k} {text_string(c)}]" for k, (a, _, c) in enumerate(owned, len(pages)))
            + "]>>")
    return update.render({HINT[1:]: Raw(hint.encode("ascii"))})


def _put(update: Update, num: int, body: str) -> int:
    return update.put(num, Raw(body.encode("ascii")))
