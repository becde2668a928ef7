"""The booklet's tables keep their row heights once reportlab has worked them out
(``typeset.tables.FixedTable``): the heights reportlab's own Table gives, no cell wrapped again
at a later wrap, and the pieces of a split handed theirs."""

from __future__ import annotations

from reportlab.platypus import Table

from briefing.typeset import tables
from briefing.typeset import text as text_module
from briefing.typeset.styles import styles_for
from briefing.typeset.tables import FixedTable, checklist


def _wraps(monkeypatch) -> list:
    calls = []
    real = text_module.TextBlock.wrap

    def counted(self, availWidth, availHeight):
        calls.append(self)
        return real(self, availWidth, availHeight)

    monkeypatch.setattr(text_module.TextBlock, "wrap", counted)
    return calls


def test_a_checklist_keeps_the_row_heights_reportlab_gives_it(doc, fonts, monkeypatch):
    styles = styles_for("a4", fonts)
    width = styles.geometry.frame_width
    path = max(doc.plan.paths, key=lambda p: len(p.targets))
    fixed = checklist(path, doc, styles)
    with monkeypatch.context() as m:  # the same checklist as reportlab's own Table
        m.setattr(tables, "FixedTable", Table)
        plain = checklist(path, doc, styles)
    assert isinstance(fixed, FixedTable) and type(plain) is Table
    calls = _wraps(monkeypatch)
    assert fixed.wrap(width, 800) == plain.wrap(width, 800)
    assert fixed._rowHeights == plain._rowHeights and None not in fixed._argH
    calls.clear()
    fixed.wrap(width, 300)
    assert calls == []  # kept: not one cell wrapped again
    plain.wrap(width, 300)
    assert calls  # reportlab's own table wraps them all again


def test_the_pieces_of_a_split_checklist_keep_their_heights(doc, fonts, monkeypatch):
    styles = styles_for("a4", fonts)
    width = styles.geometry.frame_width
    path = max(doc.plan.paths, key=lambda p: len(p.targets))
    table = checklist(path, doc, styles)
    _, height = table.wrap(width, 2000)
    first, rest = table.split(width, height / 2)
    assert isinstance(first, FixedTable) and isinstance(rest, FixedTable)
    calls = _wraps(monkeypatch)
    for piece in (first, rest):
        piece.wrap(width, 2000)
        assert None not in piece._argH
    assert calls == []
    assert sum(first._rowHeights) + sum(rest._rowHeights) - rest._rowHeights[0] == sum(table._rowHeights)
