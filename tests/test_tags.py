"""The structure recorder, the structure tree written into the saved file and linked in when
it is finished, and the structural checks, on a small document drawn here, and each check
broken on purpose."""

from __future__ import annotations

import re

import pikepdf
import pytest
from pypdf import PdfReader

from briefing.check.content import walk
from briefing.check.structure import check_structure
from briefing.check.verify import verify
from briefing.pdf.tags import declare_pdfua, link_structure, strip_tags
from briefing.typeset.later import BookletCanvas
from briefing.typeset.tagging import Content, Element, Recorder
from briefing.typeset.tagtree import TagError


def _draw(path, fonts, *, figure_alt="柱状图：甲3个，乙5个", th_scope="Column", second_heading="H2",
          untagged_rule=False, before_save=None):
    """Two pages: a header artifact, H1, P split over both pages, a Figure, a table, a link."""
    root = Element("Document")
    sect = root.add("Sect")
    h1 = sect.add("H1")
    para = sect.add("P")
    fig = sect.add("Figure", Alt=figure_alt)
    table = sect.add("Table")
    th = table.add("THead").add("TR").add("TH", **({"Scope": th_scope} if th_scope else {}))
    td = table.add("TBody").add("TR").add("TD")
    h2 = sect.add(second_heading)
    link = sect.add("TOC").add("TOCI").add("Link")
    rec = Recorder(root)
    c = BookletCanvas(str(path), pagesize=(595, 842))
    c.recorder = rec  # the tree it recorded is written into the file it saves

    class Template:
        tags = rec

    c._doctemplate = Template()
    font = fonts.serif
    for page in (1, 2):
        with rec.artifact(c, "Pagination"):
            c.setFont(font, 9)
            c.drawString(72, 800, f"页眉 {page}")
            c.line(72, 795, 520, 795)
        if page == 1:
            with rec.content(c, h1):
                c.setFont(font, 20)
                c.drawString(72, 740, "标题")
            with rec.content(c, fig):
                c.rect(72, 500, 100, 100, fill=1)
            with rec.content(c, th):
                c.setFont(font, 11)
                c.drawString(72, 460, "目标")
            with rec.artifact(c):
                c.rect(200, 440, 10, 10)  # a drawn check box
            with rec.content(c, td):
                c.drawString(72, 440, "新增就业2300人")
        with rec.content(c, para):
            c.setFont(font, 11)
            c.drawString(72, 700 if page == 1 else 760, f"正文第{page}部分。")
        if page == 2:
            with rec.content(c, h2):
                c.setFont(font, 16)
                c.drawString(72, 600, "小标题")
            with rec.content(c, link):
                c.setFont(font, 11)
                c.drawString(72, 450, "目录项 …… 1")
            rec.link(c, link, "toc-1", "标题，第1页", (72, 445, 300, 465), "top")
            if untagged_rule:
                c.line(72, 300, 520, 300)
        if page == 1:
            c.bookmarkPage("top")
        c.showPage()
    if before_save:
        before_save(root)
    c.save()
    return root


def _tag(raw, out, root=None, pdfua: bool = True):
    with pikepdf.open(raw) as pdf:
        pdf.Root.Lang = pikepdf.String("zh-CN")
        with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
            meta["dc:title"] = "测试"
            meta["pdfaid:part"] = "2"
            meta["pdfaid:conformance"] = "B"
        assert link_structure(pdf)
        if pdfua:
            declare_pdfua(pdf)
        pdf.save(out)
    return out


def _problems(path):
    reader = PdfReader(str(path))
    return check_structure(reader, walk(reader))


def test_a_tagged_document_passes_and_carries_its_tree(tmp_path, fonts):
    root = _draw(tmp_path / "raw.pdf", fonts)
    out = _tag(tmp_path / "raw.pdf", tmp_path / "tagged.pdf", root)
    assert _problems(out) == []
    with pikepdf.open(out) as pdf:
        assert pdf.Root.MarkInfo.Marked is True
        assert pdf.Root.ViewerPreferences.DisplayDocTitle is True
        tree = pdf.Root.StructTreeRoot
        assert tree.K.S == "/Document"
        assert [int(p.StructParents) for p in pdf.pages] == [0, 1]
        annot = pdf.pages[1].Annots[0]
        assert str(annot.Contents) == "标题，第1页" and int(annot.StructParent) == 2
        assert pdf.pages[1].Tabs == "/S"
        # The paragraph split over two pages owns one sequence on each.
        para = tree.K.K.K[1]
        assert para.S == "/P" and len(para.K) == 2


def test_every_check_fails_on_a_document_built_to_break_it(tmp_path, fonts):
    cases = {
        "no-alt": ({"figure_alt": ""}, "a Figure without /Alt"),
        "no-scope": ({"th_scope": None}, "a TH without /Scope"),
        "skip": ({"second_heading": "H3"}, "heading level skips from H1 to H3"),
        "untagged": ({"untagged_rule": True}, "page 2: stroke outside tagged content or an artifact"),
    }
    for name, (options, expected) in cases.items():
        root = _draw(tmp_path / f"{name}.raw.pdf", fonts, **options)
        out = _tag(tmp_path / f"{name}.raw.pdf", tmp_path / f"{name}.pdf", root)
        assert expected in _problems(out), name


def test_pdfua_must_be_declared(tmp_path, fonts):
    root = _draw(tmp_path / "raw.pdf", fonts)
    out = _tag(tmp_path / "raw.pdf", tmp_path / "undeclared.pdf", root, pdfua=False)
    assert "XMP lacks pdfuaid:part 1" in _problems(out)


def test_a_broken_parent_tree_or_tree_is_caught(tmp_path, fonts):
    """page-validation misses a wrong ParentTree: our check must not."""
    root = _draw(tmp_path / "raw.pdf", fonts)
    out = _tag(tmp_path / "raw.pdf", tmp_path / "tagged.pdf", root)
    with pikepdf.open(out) as pdf:  # swap the owners of MCIDs 0 and 1 on page 1
        entry = pdf.Root.StructTreeRoot.ParentTree.Nums[1]
        entry[0], entry[1] = entry[1], entry[0]
        pdf.save(tmp_path / "swapped.pdf")
    assert any("ParentTree gives MCID" in p for p in _problems(tmp_path / "swapped.pdf"))
    with pikepdf.open(out) as pdf:  # the tree forgets the heading's content
        heading = pdf.Root.StructTreeRoot.K.K.K[0]
        del heading["/K"]
        pdf.save(tmp_path / "orphan.pdf")
    assert "page 1: MCID 0 belongs to no structure element" in _problems(tmp_path / "orphan.pdf")


@pytest.mark.parametrize("edit", ["MCID 0 twice", "a page the file lacks", "a link the page lacks", "MCIDs with a gap"])
def test_a_record_that_disagrees_with_the_file_is_refused(tmp_path, fonts, edit):
    from briefing.typeset.tagging import Annotation

    def disagree(root):
        para = next(e for e in root.walk() if e.role == "P")
        para.kids.append({"MCID 0 twice": Content(0, 0), "a page the file lacks": Content(5, 0),
                          "a link the page lacks": Annotation(0, "nowhere", "目录"),
                          "MCIDs with a gap": Content(0, 40)}[edit])

    with pytest.raises(TagError):
        _draw(tmp_path / "raw.pdf", fonts, before_save=disagree)


def test_the_tree_written_at_save_is_what_was_recorded(tmp_path, fonts):
    """Every element of the record, in order, with its attributes, its pages' MCIDs and its
    links, as the finished file has it (its ParentTree naming each owner)."""
    root = _draw(tmp_path / "raw.pdf", fonts)
    out = _tag(tmp_path / "raw.pdf", tmp_path / "tagged.pdf")

    def recorded(e):
        attrs = {k: str(v) for k, v in e.attrs.items()}
        kids = [recorded(k) if isinstance(k, Element) else (type(k).__name__, k.page, getattr(k, "mcid", None))
                for k in e.kids]
        return e.role, attrs, kids

    with pikepdf.open(out) as pdf:
        pages = {p.objgen: i for i, p in enumerate(pdf.pages)}
        owners = {}
        nums = pdf.Root.StructTreeRoot.ParentTree.Nums
        for i in range(0, len(nums), 2):
            if isinstance(nums[i + 1], pikepdf.Array):
                for mcid, owner in enumerate(nums[i + 1]):
                    owners[(int(nums[i]), mcid)] = owner.objgen

        def written(e, page=None):
            attrs = {k[1:]: str(v) for k, v in e.items() if k in ("/Alt", "/ActualText", "/Lang", "/T", "/E")}
            if "/A" in e:
                attrs["Scope"] = str(e.A.Scope)[1:]
            page = pages[e.Pg.objgen] if "/Pg" in e else page
            k = e.get("/K")
            items = list(k) if isinstance(k, pikepdf.Array) else [] if k is None else [k]
            kids = []
            for item in items:
                if isinstance(item, pikepdf.Dictionary) and item.get("/Type") == "/OBJR":
                    kids.append(("Annotation", pages[item.Pg.objgen], None))
                elif isinstance(item, pikepdf.Dictionary) and item.get("/Type") == "/MCR":
                    kids.append(("Content", pages[item.Pg.objgen], int(item.MCID)))
                    assert owners[(pages[item.Pg.objgen], int(item.MCID))] == e.objgen
                elif isinstance(item, pikepdf.Dictionary):
                    assert item.P.objgen == e.objgen
                    kids.append(written(item, page))
                else:
                    kids.append(("Content", page, int(item)))
                    assert owners[(page, int(item))] == e.objgen
            return str(e.S)[1:], attrs, kids

        assert written(pdf.Root.StructTreeRoot.K) == recorded(root)
        assert "/BriefingTags" not in pdf.trailer


def test_a_new_pass_forgets_what_the_last_one_recorded(fonts, tmp_path):
    root = _draw(tmp_path / "raw.pdf", fonts)
    rec = Recorder(root)
    assert any(isinstance(k, Content) for e in root.walk() for k in e.kids)
    rec.begin_pass()
    assert not any(isinstance(k, Content) for e in root.walk() for k in e.kids)
    assert rec.mcid(0) == 0
    assert [e.role for e in root.walk()][:3] == ["Document", "Sect", "H1"]


def test_pdfua_is_declared_and_an_untagged_copy_claims_nothing(tmp_path, fonts, booklet):
    with pikepdf.open(booklet.output) as pdf:
        declare_pdfua(pdf)
        xmp = pdf.Root.Metadata.read_bytes().decode()
        assert "<pdfuaid:part>1</pdfuaid:part>" in xmp and "pdfaExtension:schemas" in xmp
        assert "pdfaid:part" in xmp  # PDF/A identification kept
        strip_tags(pdf)
        assert "<pdfuaid:part>" not in pdf.Root.Metadata.read_bytes().decode()
        assert "/StructTreeRoot" not in pdf.Root and "/MarkInfo" not in pdf.Root


def test_embedded_faces_carry_no_dead_tables(booklet):
    """A CIDFontType2 program is reached by CID, never by its own cmap; its name is /FontName:
    both tables are left out, and what is left is a valid font (fontTools checks every checksum)."""
    import io

    from fontTools.ttLib import TTFont

    with pikepdf.open(booklet.output) as pdf:
        fonts = {f.objgen: f for p in pdf.pages for f in p.Resources.Font.values()}
        assert len(fonts) == 3
        for f in fonts.values():
            program = f.DescendantFonts[0].FontDescriptor.FontFile2.read_bytes()
            face = TTFont(io.BytesIO(program), checkChecksums=2)
            assert "cmap" not in face and "name" not in face
            assert {"glyf", "head", "hhea", "hmtx", "loca", "maxp"} <= set(face.keys())


def _broken(booklet, path, edit) -> list[str]:
    """The structure problems verify finds in a copy of the real booklet changed by ``edit``."""
    with pikepdf.open(booklet.output) as pdf:
        edit(pdf)
        pdf.save(path)
    check = next(c for c in verify(path).checks if c.name.startswith("tagged"))
    assert not check.ok
    both = next(c for c in verify(path, parallel=True).checks if c.name.startswith("tagged"))
    assert (both.ok, both.detail) == (check.ok, check.detail)  # the tree read in a forked process
    return check.detail.split("; ")


def _mcids(page) -> list[int]:
    return [int(m) for m in re.findall(rb"/MCID (\d+)", page.Contents.read_bytes())]


def test_every_mcid_painted_once_and_named_once_in_a_real_booklet(booklet, tmp_path):
    def paint_twice(pdf):  # page 3 paints its MCID 1 as a second MCID 0
        page = pdf.pages[2]
        assert _mcids(page)[:2] == [0, 1]
        page.Contents = pdf.make_stream(page.Contents.read_bytes().replace(b"/MCID 1>>", b"/MCID 0>>", 1))

    problems = _broken(booklet, tmp_path / "twice.pdf", paint_twice)
    assert "page 3: MCID 0 painted more than once" in problems
    assert "page 3: the tree names MCID 1, which the page never paints" in problems

    def two_owners(pdf):  # a second element of page 3 claims its MCID 0
        page = pdf.pages[2].obj
        owners = [e for e in pdf.objects if isinstance(e, pikepdf.Dictionary) and "/S" in e and "/P" in e
                  and e.get("/Type") in (None, "/StructElem")
                  and e.get("/Pg") == page and isinstance(e.get("/K"), int)]
        first = next(e for e in owners if int(e.K) == 0)
        other = next(e for e in owners if int(e.K) != 0)
        other.K = pikepdf.Array([other.K, 0])
        assert first.K == 0

    assert "page 3: MCID 0 belongs to 2 elements" in _broken(booklet, tmp_path / "owners.pdf", two_owners)


def test_a_page_without_its_parent_tree_entry_or_an_unowned_link_is_caught(booklet, tmp_path):
    def no_entry(pdf):
        del pdf.pages[2].obj["/StructParents"]

    assert "page 3: no ParentTree entry for its MCIDs" in _broken(booklet, tmp_path / "entry.pdf", no_entry)

    def unowned(pdf):  # every OBJR taken out of the Link elements
        for e in pdf.objects:
            if isinstance(e, pikepdf.Dictionary) and e.get("/S") == "/Link":
                kept = [k for k in e.K if not (isinstance(k, pikepdf.Dictionary) and k.get("/Type") == "/OBJR")]
                e.K = pikepdf.Array(kept)

    linked = next(n for n, p in enumerate(PdfReader(booklet.output).pages, 1) if p.get("/Annots"))
    problems = _broken(booklet, tmp_path / "unowned.pdf", unowned)
    assert f"page {linked}: a link annotation no Link element owns" in problems


def _report(path, **kw) -> list[tuple]:
    return [(c.name, c.ok, c.detail) for c in verify(path, **kw).checks]


def test_the_structure_read_beside_the_walk_gives_the_same_report(booklet, monkeypatch):
    """In a forked process (``parallel``), with a process that fails to read it (the parent
    then reads it itself), and with threads running (no fork at all): one report."""
    import os
    import threading

    import briefing.check.verify as verify_module
    from briefing.check.structure import read_structure

    alone = _report(booklet.output)
    assert alone == _report(booklet.output, parallel=True)
    assert alone == _report(booklet.output, parallel=True, memo=False)  # forked later, without the memos
    parent = os.getpid()

    def dies_in_the_child(reader):
        if os.getpid() != parent:
            os._exit(3)
        return read_structure(reader)

    monkeypatch.setattr(verify_module, "read_structure", dies_in_the_child)
    assert _report(booklet.output, parallel=True) == alone
    monkeypatch.undo()

    started = []
    monkeypatch.setattr(verify_module, "Worker", lambda main: started.append(main))
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert _report(booklet.output, parallel=True) == alone
    finally:
        stop.set()
        other.join()
    assert started == []  # a fork would copy only this thread: none is made
