"""What each part of the story is, for the tagged PDF: the structure tree, built from the story
before it is laid out.

The story is a flat list of flowables in reading order. This walk gives the booklet its
logical structure — Document > Sect per part (H1) > Sect per answer or path (H2), paragraphs,
lists, tables with header cells, figures with their text alternative, the contents — and hands
each flowable the element it draws (``flowable.tag``) or marks it as an artifact. Layout then
only records where each element's content landed (``tagging.Recorder``).
"""

from __future__ import annotations

from reportlab.platypus import Table

from .blocks import Bullet, CheckBox, Continued, Figure, FigureCard, Heading, KeepWithNext, RuledLines
from .tagging import ARTIFACT, LAYOUT, PAGINATION, Element, TableTags
from .text import TextBlock


class Structure:
    """The tree being built, and where the next element goes."""

    def __init__(self):
        self.root = Element("Document")
        self.part = self.root  # the current top-level Sect (or the root before the first)
        self.section = self.root  # the current Sect: a part, or an answer or path inside it
        self.tables: list[TableTags] = []

    def heading(self, h: Heading) -> None:
        if h.level is None or h.level == 0:
            self.part = self.section = self.root.add("Sect")
            h.tag = self.part.add("H1")
        else:
            self.section = self.part.add("Sect")
            h.tag = self.section.add("H2")

    def add(self, f) -> None:
        if isinstance(f, Heading):
            self.heading(f)
        elif isinstance(f, KeepWithNext):
            for inner in (*f.heads, f.follow):
                self.add(inner)
        elif isinstance(f, TextBlock):
            f.tag = self.section.add(getattr(f, "role", "P"))
        elif isinstance(f, Figure):
            f.tag = self.section.add("Figure", Alt=f.alt)
            f.caption.tag = f.tag.add("Caption")
        elif isinstance(f, FigureCard):
            f.tag = self.section.add("FigureCard")
        elif isinstance(f, RuledLines):
            f.artifact = LAYOUT
        elif isinstance(f, Continued):
            if f.caption is not None:
                f.caption.artifact = PAGINATION  # "路径二　目标清单（续）": drawn again on each page
            self.table(f.table)
        elif isinstance(f, Table):
            self.table(f)
        elif getattr(f, "isIndexing", lambda: False)():  # the contents
            f.tag = self.section.add("TOC")
            f.tag.dynamic = True

    def table(self, t: Table) -> None:
        rows = t._cellvalues
        header = int(getattr(t, "repeatRows", 0) or 0)
        cells: list[list] = []
        first = [c for row in rows for c in row if not _empty(c)]
        if first and isinstance(rows[0][0], Bullet):  # a list: one item a row
            lst = self.section.add("L")
            for row in rows:
                item = lst.add("LI")
                label = item.add("Lbl", ActualText="•")
                cells.append([label] + [item.add("LBody")] + [None] * (len(row) - 2))
        elif all(isinstance(c, FigureCard) for c in first):  # a grid of cards: layout only
            for row in rows:
                for c in row:
                    if isinstance(c, FigureCard):
                        self.add(c)
                cells.append([None] * len(row))
        else:  # a data table
            table = self.section.add("Table")
            head = table.add("THead") if header else None
            body = table.add("TBody")
            for n, row in enumerate(rows):
                tr = (head if n < header else body).add("TR")
                out = []
                for c in row:
                    cell = tr.add("TH", Scope="Column") if n < header else tr.add("TD")
                    if isinstance(c, CheckBox):
                        out.append(ARTIFACT)
                    elif _empty(c):
                        out.append(None)  # an element with nothing in it: no marked content
                    else:
                        out.append(cell)
                cells.append(out)
        tags = TableTags(cells, header)
        t._renderCB = tags
        self.tables.append(tags)


def _empty(cell) -> bool:
    """A cell that draws nothing: no text, no flowable (a target without a quantity)."""
    return cell is None or cell == "" or (isinstance(cell, (list, tuple)) and not cell)


def describe(flowables: list) -> Structure:
    """The structure of a story, with every flowable told what it draws."""
    s = Structure()
    for f in flowables:
        s.add(f)
    return s
