"""No short tail alone on the page before a forced break.

A part (results, comparison, plan, closing …) ends with a page break. When the last lines of a
part spill over, two list items or a paragraph's last lines can stand alone on an otherwise
empty page (a widow page). A typesetter pulls the tail back, setting the page before it a
little tighter, or, where that is not enough, sends more of it over so that the last page is
not nearly empty.

The layout runs in passes anyway (the contents need the headings' pages): each pass judges the
last page of every part, and where it holds a short tail, the page before it gets a remedy in
the next pass, first tighter space between its blocks (down to ``LEAST_SQUEEZE`` of it), then
a page that ends higher, so that more of the tail goes over. A remedy is kept once found, so
the passes settle; its key is the page's place in its part (the part's number and the page's
offset from the part's first page), which a remedy in another part cannot move.
"""

from __future__ import annotations

from dataclasses import dataclass

SHORT_LINES = 3.5  # up to three lines of body text (and the spacing of list rows) is a short tail
SHORT_ROWS = 2  # and so are up to two rows (items) of a split list or table
LEAST_SQUEEZE = 0.5  # the space between blocks shrinks to half at most
MORE_LINES = 4  # where the tail cannot be pulled back, at least this much goes over with it
MARGIN = 1.0  # points: rounding between the pass that measured and the pass that applies
PASSES = 6  # remedies are found in the first passes only: reportlab gives up after ten


@dataclass
class PageUse:
    """What a body page held, as the frame set it."""

    spaces: float = 0.0  # space between its blocks: space before and after, spacers
    heading: bool = False  # a heading starts on it
    rows: int | None = 0  # rows of split tables on it; None: it holds something else too
    leftover: float = 0.0  # free height at the foot of the frame when the page ended


@dataclass(frozen=True)
class Remedy:
    """What a page does differently: its spaces times ``squeeze``; its foot ``shorten`` higher."""

    squeeze: float = 1.0
    shorten: float = 0.0


NONE = Remedy()


def short_tail(used: float, page: PageUse, leading: float) -> bool:
    """Whether a part's last page, ``used`` high, holds only a short tail of what came before."""
    if page.heading or used <= 0:
        return False
    return used <= SHORT_LINES * leading or (page.rows is not None and 0 < page.rows <= SHORT_ROWS)


def next_remedy(current: Remedy | None, tail: float, before: PageUse, leading: float,
                frame_height: float) -> Remedy | None:
    """The remedy for the page ``before`` a short tail ``tail`` high, after ``current`` did not
    help: a squeeze just enough to pull the tail back, then the strongest one, then a page
    that ends higher; None when nothing more may be tried (three passes at most)."""
    room = (1 - LEAST_SQUEEZE) * before.spaces
    need = tail + MARGIN - before.leftover
    if current is None and 0 < need <= room:
        return Remedy(squeeze=1 - need / before.spaces)
    if current is not None and LEAST_SQUEEZE < current.squeeze < 1:
        return Remedy(squeeze=LEAST_SQUEEZE)
    if current is not None and current.shorten:
        return None
    shorten = max(MORE_LINES * leading - tail, leading)
    if shorten > frame_height / 3:
        return None  # a page a third empty is worse than the tail
    return Remedy(shorten=shorten)
