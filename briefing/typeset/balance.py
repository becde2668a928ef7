"""No short tail alone on the page before a forced break.

A part (results, comparison, plan, closing …) ends with a page break. When the last lines of a
part spill over, two list items or a paragraph's last lines can stand alone on an otherwise
empty page (a widow page). A typesetter pulls the tail back, setting the page before it a
little tighter, or, where that is not enough, sends more of it over so that the last page is
not nearly empty.

The layout runs in passes anyway (the contents need the headings' pages): each pass judges the
last page of every part, and where it holds a short tail, the page before it gets a remedy in
the next pass, first tighter space between its blocks (down to ``LEAST_SQUEEZE`` of it), then
a page that ends higher, so that more of the tail goes over: at least four lines in all, or one
more row of a split table. A page that ends higher is measured again in the next pass and ends
higher still while the tail stays short (the page before it may have changed since the remedy
was found). Remedies are found in the first ``PASSES`` passes only, so the passes settle; a
remedy's key is the page's place in its part (the part's number and the page's offset from the
part's first page), which a remedy in another part cannot move.

A short tail may carry a label heading (主要成绩, 目标清单 …) that went over with its content:
that is no section start. A page where a section starts (a ``Heading``: 答卷, 路径, a part) is
never a tail.
"""

from __future__ import annotations

from dataclasses import dataclass

SHORT_LINES = 3.5  # up to three lines of body text (and the spacing of list rows) is a short tail
SHORT_ROWS = 2  # and so are up to two rows (items) of a split list or table
SHORT_MIXED = 6.5  # and up to two rows under a few lines of text, a label heading: this high
LEAST_SQUEEZE = 0.5  # the space between blocks shrinks to half at most
MORE_LINES = 4  # where the tail cannot be pulled back, at least this much goes over with it
MARGIN = 1.0  # points: rounding between the pass that measured and the pass that applies
PASSES = 6  # remedies are found in the first passes only: reportlab gives up after ten


@dataclass
class PageUse:
    """What a body page held, as the frame set it."""

    spaces: float = 0.0  # space between its blocks: space before and after, spacers
    heading: bool = False  # a section starts on it (a label heading alone does not count)
    rows: int = 0  # rows of tables and lists on it
    mixed: bool = False  # it holds other text too
    leftover: float = 0.0  # free height at the foot of the frame when the page ended
    last_row: float = 0.0  # the height of its last table row, when a table ends the page
    dropped: float = 0.0  # the space before its first block, dropped at the top of the page


@dataclass(frozen=True)
class Remedy:
    """What a page does differently: its spaces times ``squeeze``; its foot ``shorten`` higher."""

    squeeze: float = 1.0
    shorten: float = 0.0


NONE = Remedy()


def by_rows(page: PageUse) -> bool:
    """Whether a page holds only one or two rows of a table or list (and perhaps the label
    heading and repeated header over them): a short tail whatever the rows' heights."""
    return not page.mixed and 0 < page.rows <= SHORT_ROWS


def short_tail(used: float, page: PageUse, leading: float) -> bool:
    """Whether a part's last page, ``used`` high, holds only a short tail of what came before."""
    if page.heading or used <= 0:
        return False
    return (used <= SHORT_LINES * leading or by_rows(page)
            or (0 < page.rows <= SHORT_ROWS and used <= SHORT_MIXED * leading))


def next_remedy(current: Remedy | None, tail: PageUse, used: float, before: PageUse, leading: float,
                frame_height: float) -> Remedy | None:
    """The remedy for the page ``before`` a short tail (the page ``tail``, ``used`` high), after
    ``current`` did not help: a squeeze just enough to pull the tail back, then the strongest
    one, then a page that ends higher, and higher again while that is not enough; None when
    nothing more may be tried."""
    height = used + tail.dropped  # on the page before, its first block keeps its space before
    room = (1 - LEAST_SQUEEZE) * before.spaces
    need = height + MARGIN - before.leftover
    if current is None and 0 < need <= room:
        return Remedy(squeeze=1 - need / before.spaces)
    if current is not None and LEAST_SQUEEZE < current.squeeze < 1:
        return Remedy(squeeze=LEAST_SQUEEZE)
    # The page ends higher by what is free at its foot (as it would be set unsqueezed) and what
    # must go over besides: one more row of a split table, else lines up to MORE_LINES in all.
    free = before.leftover - (1 - current.squeeze) * before.spaces if current else before.leftover
    if by_rows(tail) and before.last_row:
        more = before.last_row + MARGIN
    elif tail.rows:  # an item or two under lines of text: enough lines that the page is no tail
        more = max((SHORT_MIXED + 0.5) * leading - used, leading)
    else:
        more = max(MORE_LINES * leading - used, leading)
    shorten = (current.shorten if current else 0.0) + max(free, 0.0) + more
    if shorten > frame_height / 3:
        return None  # a page a third empty is worse than the tail
    return Remedy(shorten=shorten)
