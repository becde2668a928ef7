"""typeset/later.py: what a pass cannot know yet is drawn into its page when the pass is saved."""

from __future__ import annotations

import io

import pytest

from briefing.fonts.cid import CIDCanvas
from briefing.typeset.later import MARK, BookletCanvas, later


def _drawn(canvas_class, paint_later: bool, literal: str = "") -> bytes:
    buf = io.BytesIO()
    c = canvas_class(buf, invariant=1, pageCompression=0)
    c.setFillColorRGB(0.5, 0, 0)
    c.rect(10, 10, 20, 20, fill=1)

    def paint(canv):
        canv.setFillColorRGB(0, 0, 1)
        canv.rect(40, 40, 5, 5, fill=1)

    if paint_later:
        later(c, paint)
    else:
        c.saveState()
        paint(c)
        c.restoreState()
    if literal:
        c.addLiteral(literal)
    c.showPage()
    c.rect(1, 1, 2, 2)
    c.showPage()
    c.save()
    return buf.getvalue()


@pytest.mark.parametrize("literal", ["", "% ascii only", "% \u00e9t\u00e9"])
def test_a_place_left_for_later_draws_what_drawing_in_place_draws(literal):
    """The marker is replaced by the painter's operators in ``q … Q``, in its page, exactly
    where drawing in place would have put them; a page stream that is ASCII is handed to
    reportlab as bytes (its codec maps ASCII as it is), one that is not goes through it."""
    placed = _drawn(BookletCanvas, True, literal)
    assert _drawn(CIDCanvas, False, literal) == placed
    assert MARK.format(1).encode() not in placed


def test_a_marker_found_other_than_once_is_a_bug_said_so():
    from briefing.typeset.later import _replaced

    with pytest.raises(RuntimeError):
        _replaced("q\n%briefing-later 1\nQ\n%briefing-later 1\n", "%briefing-later 1", "x")
