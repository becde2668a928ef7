"""Numbered copies imposed for print (`build --copies --impose saddle`): the booklet is imposed
once, each copy's sheets are that file plus the copy's stamp placed page by page, proved as a
plain copy is (check/imposed.py), and the print shop's combined file shares the imposed
booklet's objects. The check refuses sheets broken in each way it claims to catch."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest

from briefing.cache import Cache
from briefing.check.copies import Expected, Reference
from briefing.check.imposed import SheetsReference, check_imposed_copy
from briefing.commands import copies as copies_command
from briefing.commands.copies import COMBINED, build_copies
from briefing.errors import VerificationError
from briefing.fonts.outlines import outline
from briefing.pdf.impose import MARK_OFFSET, impose, sheet_for
from briefing.pdf.stamp import FACES, Booklet, Layout, Marks, Sheets, stamp, stamp_sheets
from briefing.increment import Base, Raw, Update
from briefing.typeset.paper import PAPERS

from .test_copies import MARKING, _csv, _data

NAME, GROUP = "张喆玥", "第一代表团"


def _expected(layout: Layout, marks: Marks) -> Expected:
    return Expected(marks.number, f"第 {marks.number} 份", (marks.number, MARKING, f"{marks.name} 代表", marks.group),
                    marks.email, outline(layout.fonts.path(FACES["watermark"]), layout.watermark_text(marks)).ops
                    if marks.email else None)


@pytest.fixture(scope="module")
def sheets(fonts, tmp_path_factory):
    """The verified A5 booklet imposed on SRA4 with marks, a print and an e-mail copy's sheets."""
    from briefing.commands.build import build
    from briefing.data.load import load

    work = tmp_path_factory.mktemp("sheets")
    data = _data(work)
    booklet = work / "booklet.pdf"
    build(data, booklet, paper="a5", cache=Cache(None))
    imposed = work / "imposed.pdf"
    impose(booklet, imposed, "a5", marks=True)
    layout = Layout(PAPERS["a5"], "a5", fonts, load(data).labels, MARKING)
    b = Booklet.read(booklet, fonts)
    s = Sheets.read(imposed, b, booklet, fonts, "a5", None)
    reference = Reference.read(booklet, PAPERS["a5"])
    sref = SheetsReference.read(imposed, reference, "a5", None)
    made = {}
    for email in (False, True):
        marks = Marks("012", NAME, GROUP, email)
        made[email] = work / f"012{'-mail' if email else ''}-imposed.pdf"
        made[email].write_bytes(stamp_sheets(s, layout, marks))
    plain = work / "012.pdf"
    plain.write_bytes(stamp(b, layout, Marks("012", NAME, GROUP)))
    return work, layout, s, sref, made, plain


def _check(sheets, path: Path, email: bool = False) -> list[str]:
    _, layout, _, sref, _, _ = sheets
    return check_imposed_copy(sref, path, _expected(layout, Marks("012", NAME, GROUP, email))).problems


def _changed(source: Path, out: Path, change) -> Path:
    """``source`` with one more incremental update: what ``change(pdf, update)`` puts in it."""
    data = source.read_bytes()
    with pikepdf.open(source) as pdf:
        up = Update(Base.read(data, pdf))
        change(pdf, up)
        out.write_bytes(up.render())
    return out


def _stream_of(pdf, side: int, position: int):
    """The content stream at ``position`` of a side's /Contents (the page stamps are last)."""
    return pdf.pages[side].obj.Contents[position]


def _side_with(s: Sheets, page: int) -> tuple[int, int, object]:
    """(side, its /Contents position, placement) of booklet page ``page`` (from 1)."""
    for n, spots in enumerate(s.placements):
        for i, spot in enumerate(spots):
            if spot.index == page - 1:
                return n, i - len(spots), spot
    raise AssertionError(page)


def test_the_check_passes_true_imposed_copies(sheets):
    _, layout, _, sref, made, _ = sheets
    for email in (False, True):
        report = check_imposed_copy(sref, made[email], _expected(layout, Marks("012", NAME, GROUP, email)))
        assert report.problems == [] and report.number == "012"
        assert report.pages == len(sref.sides)
    data = made[False].read_bytes()
    assert data.startswith(sref.data) and len(data) - len(sref.data) < 15 * 1024


def test_the_sheets_look_as_the_copy_imposed_one_by_one(sheets, tmp_path):
    """The way it was done before: the stamped copy itself imposed by pypdf. Same pixels."""
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler) is not installed")
    work, _, _, _, made, plain = sheets
    old = tmp_path / "old.pdf"
    impose(plain, old, "a5", marks=True)
    for name, path in (("old", old), ("new", made[False])):
        subprocess.run(["pdftoppm", "-r", "100", "-png", str(path), str(tmp_path / name)], check=True)
    olds, news = sorted(tmp_path.glob("old-*.png")), sorted(tmp_path.glob("new-*.png"))
    assert len(olds) == len(news) == 16
    for a, b in zip(olds, news):
        assert a.read_bytes() == b.read_bytes(), a.name


def test_a_changed_byte_of_the_imposed_booklet_is_refused(sheets, tmp_path):
    _, _, s, _, made, _ = sheets
    data = bytearray(made[False].read_bytes())
    data[5000] ^= 1
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(bytes(data))
    assert any("imposed booklet's bytes" in p for p in _check(sheets, bad))
    # An update that redefines one of the imposed booklet's fonts.
    font = s.booklet.fonts["serif"].num
    sneaky = _changed(made[False], tmp_path / "sneaky.pdf", lambda pdf, up: up.put(font, {"Type": Raw(b"/Font")}))
    assert any(f"object {font} of the imposed booklet is changed" in p for p in _check(sheets, sneaky))


def test_a_stamp_on_the_wrong_half_sheet_is_refused(sheets, tmp_path):
    """The cover's marks placed on the left half (where the back cover is): every other check
    passes, since the stamp itself is the cover's."""
    _, _, s, _, made, _ = sheets
    side, at, spot = _side_with(s, 1)
    other = next(p for p in s.placements[side] if p.slot != spot.slot)

    def change(pdf, up):
        stream = _stream_of(pdf, side, at)
        data = stream.read_bytes()
        up.stream(stream.objgen[0], other.clip() + data[len(spot.clip()):])

    bad = _changed(made[False], tmp_path / "bad.pdf", change)
    problems = _check(sheets, bad)
    assert problems and all("page 1's stamp is not placed where the imposition placed the page" in p
                            for p in problems), problems


def test_a_stamp_of_another_page_is_refused(sheets, tmp_path):
    """Page 3's place carries the cover's marks; then page 5's carries page 4's (a verso's
    footer at a recto's place)."""
    _, _, s, _, made, _ = sheets

    def moved(source: int, target: int):
        def change(pdf, up):
            side, at, spot = _side_with(s, source)
            data = _stream_of(pdf, side, at).read_bytes()
            t_side, t_at, t_spot = _side_with(s, target)
            up.stream(_stream_of(pdf, t_side, t_at).objgen[0], t_spot.clip() + data[len(spot.clip()):])
        return change

    problems = _check(sheets, _changed(made[False], tmp_path / "cover.pdf", moved(1, 3)))
    assert any("page 3: the stamp prints" in p for p in problems), problems
    problems = _check(sheets, _changed(made[False], tmp_path / "verso.pdf", moved(4, 5)))
    assert any("page 5:" in p and "outside the recto text block" in p for p in problems), problems


def test_a_side_missing_a_stamp_is_refused(sheets, tmp_path):
    _, _, s, _, made, _ = sheets
    side, _, _ = _side_with(s, 7)

    def change(pdf, up):
        obj = pdf.pages[side].obj
        obj.Contents = pikepdf.Array(list(obj.Contents)[:-1])
        up.put(obj.objgen[0], Raw(obj.unparse(resolved=True)))

    problems = _check(sheets, _changed(made[False], tmp_path / "bad.pdf", change))
    assert any(f"side {side + 1}: /Contents is not [q, the imposed side, Q, a stamp for each" in p
               for p in problems), problems


def test_a_mark_overpainted_is_refused(sheets, tmp_path):
    """White paint over the bottom-left crop mark of side 1, drawn by the back cover's stamp of
    an e-mail copy (which may paint: its watermark). Seen in the back cover's own space it is a
    bleeding artifact, so only the placement proof can refuse it: first by a stamp that
    escapes its placement (Q … q), then by a clip widened to the whole sheet."""
    _, _, s, _, made, _ = sheets
    place = sheet_for("a5")
    side, at, spot = _side_with(s, 31)
    assert side == 0 and spot.slot == 0

    def paint(dx: float = 0.0, dy: float = 0.0) -> bytes:
        """White over the mark at the trim's left edge, below the spread: sheet space, or the
        space moved by (dx, dy)."""
        x, top = place.trim[0], place.trim[1] - MARK_OFFSET + 1
        return f"/Artifact BMC 1 1 1 rg {x - 1 - dx:.2f} {-9 - dy:.2f} 2 {top + 9:.2f} re f EMC\n".encode()

    def escaped(pdf, up):
        stream = _stream_of(pdf, side, at)
        data = stream.read_bytes()
        head = spot.clip()
        up.stream(stream.objgen[0], head + b"Q\n" + paint() + b"q\n" + data[len(head):])

    problems = _check(sheets, _changed(made[True], tmp_path / "escaped.pdf", escaped), email=True)
    assert problems and all("Q without its opening: it could draw outside its page's place" in p
                            for p in problems), problems

    def widened(pdf, up):
        stream = _stream_of(pdf, side, at)
        data = stream.read_bytes()
        whole = f"q 1 0 0 1 {spot.dx:.4f} {spot.dy:.4f} cm {-spot.dx:.4f} {-spot.dy:.4f} {place.size[0]:.4f} " \
                f"{place.size[1]:.4f} re W n\n".encode()
        up.stream(stream.objgen[0], whole + data[len(spot.clip()):-2] + paint(spot.dx, spot.dy) + b"Q\n")

    problems = _check(sheets, _changed(made[True], tmp_path / "widened.pdf", widened), email=True)
    assert any("page 31's stamp is not placed where the imposition placed the page" in p for p in problems), problems


def test_an_imposed_copy_claims_no_pdfua(sheets):
    _, _, _, _, made, _ = sheets
    with pikepdf.open(made[False]) as pdf:
        assert "/StructTreeRoot" not in pdf.Root and "/MarkInfo" not in pdf.Root


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    """Three delegates' A5 copies imposed on SRA4 with marks, through the command."""
    tmp = tmp_path_factory.mktemp("printed")
    data = _data(tmp)
    listing = _csv(tmp / "list.csv", [("1", NAME, GROUP), ("2", "李犇", ""), ("3", "Ahmat Tursun", "第六代表团")])
    result = build_copies(data, listing, tmp / "out", paper="a5", impose=True, marks=True, cache=Cache(None))
    return tmp, data, listing, result


def test_every_copy_is_imposed_from_one_imposed_booklet(printed):
    tmp, _, _, result = printed
    files = [(tmp / "out" / c.imposed).read_bytes() for c in result.copies]
    common = len(__import__("os").path.commonprefix(files))
    assert all(len(f) - common < 15 * 1024 for f in files)  # the imposed booklet, then a small update
    for c in result.copies:
        with pikepdf.open(tmp / "out" / c.imposed) as pdf:
            assert len(pdf.pages) == 16
            assert f"第 {c.number} 份" in subprocess.run(["pdftotext", "-f", "1", "-l", "1",
                                                          str(tmp / "out" / c.imposed), "-"],
                                                         capture_output=True, text=True).stdout


def test_the_combined_file_holds_the_booklets_fonts_once(printed):
    tmp, _, _, result = printed
    combined = tmp / "out" / COMBINED
    one = (tmp / "out" / result.copies[0].imposed).stat().st_size
    assert combined.stat().st_size < one + 3 * 15 * 1024  # not the three copies' fonts three times
    with pikepdf.open(combined) as pdf:
        assert len(pdf.pages) == 3 * 16
        programs = [o for o in pdf.objects if isinstance(o, pikepdf.Dictionary) and "/FontFile2" in o]
        names = [str(o.FontName) for o in programs]
        assert len(names) == len(set(names))  # each subset embedded once
    text = subprocess.run(["pdftotext", "-f", "17", "-l", "17", str(combined), "-"], capture_output=True,
                          text=True).stdout
    assert "第 002 份" in text


def test_the_combined_file_is_checked_side_by_side(printed, tmp_path, monkeypatch):
    """A combined file whose copies share their forms (the second copy's sides showing the
    first copy's number) is refused."""
    _, data, listing, _ = printed
    real = copies_command._carry
    shared: dict = {}
    monkeypatch.setattr(copies_command, "_carry", lambda out, obj, size, made, top=False:
                        real(out, obj, size, shared, top))
    with pytest.raises(VerificationError, match=f"{COMBINED}: side 17 is not 002-"):
        build_copies(data, listing, tmp_path / "out", paper="a5", impose=True, marks=True, cache=Cache(None), jobs=1)


def test_the_placement_is_read_back_as_numbers(sheets, tmp_path, monkeypatch):
    """A stamper and a checker that agree on the wrong bytes (the placement written 5 pt too
    high) still do not agree with the imposition's placement."""
    from briefing.pdf import impose as imposition

    _, layout, s, _, _, _ = sheets
    real = imposition.Placement.clip
    monkeypatch.setattr(imposition.Placement, "clip", lambda self: real(
        imposition.Placement(self.slot, self.index, self.dx, self.dy + 5, self.area)))
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(stamp_sheets(s, layout, Marks("012", NAME, GROUP)))
    problems = _check(sheets, bad)
    assert problems and all("its placement does not read back as the imposition's" in p for p in problems)


def test_an_e_mail_copy_paints_nothing_but_its_watermark(sheets, tmp_path):
    """An e-mail copy's stamp may paint (its watermark), but only the watermark's outline, light:
    a white box over page 5's text, in the page's stamp or inside the watermark form, or the
    watermark made opaque, hides the booklet's words. Each passed the old check."""
    _, _, s, _, made, _ = sheets
    side, at, spot = _side_with(s, 5)
    box = b"/Artifact BMC 1 1 1 rg 60 60 200 300 re f EMC\n"

    def in_stamp(pdf, up):
        stream = _stream_of(pdf, side, at)
        data = stream.read_bytes()
        up.stream(stream.objgen[0], spot.clip() + box + data[len(spot.clip()):])

    problems = _check(sheets, _changed(made[True], tmp_path / "stamp.pdf", in_stamp), email=True)
    assert any("page 5: the stamp paints 2 shapes, not its watermark alone" in p for p in problems), problems

    def form(data=lambda d: d, alpha=None):
        def change(pdf, up):
            mark = pdf.pages[side].obj.Resources.XObject.BrMark
            entries = {k[1:]: Raw(v.unparse(resolved=True)) for k, v in mark.stream_dict.items()
                       if k not in ("/Length", "/Filter")}
            if alpha is not None:
                entries["Resources"] = Raw(f"<< /ExtGState << /BrAlpha << /Type /ExtGState /ca {alpha} >> >> >>".encode())
            up.stream(mark.objgen[0], data(mark.read_bytes()), entries)
        return change

    for name, change in (("box", form(lambda d: d[:-2] + b" 1 1 1 rg -60 -80 120 160 re f Q\n")),
                         ("white", form(lambda d: d.replace(b"0 0 0 rg", b"1 1 1 rg", 1))),
                         ("opaque", form(alpha=1))):
        problems = _check(sheets, _changed(made[True], tmp_path / f"{name}.pdf", change), email=True)
        assert "the watermark is not the outline of the copy's name and number" in problems, (name, problems)
    # Unchanged but rewritten, it passes: the test changes only what it names.
    assert _check(sheets, _changed(made[True], tmp_path / "same.pdf", form()), email=True) == []


def test_a_stamp_naming_a_resource_it_does_not_bring_is_refused(sheets, tmp_path):
    """Text set in the side's own font (/F2, the booklet's), or a form a print copy does not
    have: the walk of the stamp, which is given only the copy's forms, skipped them, and the
    old check passed words no check had read."""
    _, _, s, _, made, _ = sheets
    side, at, spot = _side_with(s, 5)
    for extra, says in ((b"BT /F2 40 Tf 1 0 0 1 100 300 Tm <0041004200430044> Tj ET\n", "Font /F2"),
                        (b"q 1 0 0 1 -10 0 cm /BrMark Do Q\n", "XObject /BrMark")):
        def change(pdf, up):
            stream = _stream_of(pdf, side, at)
            up.stream(stream.objgen[0], spot.clip() + extra + stream.read_bytes()[len(spot.clip()):])

        problems = _check(sheets, _changed(made[False], tmp_path / "bad.pdf", change))
        assert any(f"the stamp uses {says}, which it does not bring" in p for p in problems), problems
