"""The booklet's order of sections: pure functions from the model to a list of flowables."""

from __future__ import annotations

from typing import Callable

from reportlab.lib.units import mm
from reportlab.platypus import (
    CondPageBreak,
    NextPageTemplate,
    PageBreak,
    Spacer,
)
from reportlab.platypus.doctemplate import ActionFlowable

from ..data.model import Answer, Briefing, Path
from ..data.review import judged
from .blocks import Bullet, Continued, Figure, FigureCard, Heading, KeepWithNext, RuledLines
from .chartsize import bars_that_fit
from .chartrules import ChartSpec, all_done, booklet_charts
from .contents import Contents, planned_entries
from .styles import Styles
from .tables import FixedTable, checklist, comparison, grid_style, review_table
from .text import TextBlock

Chart = Callable[[ChartSpec], object]  # a chart spec → a flowable (the chart stage's output)
GLANCE_FIGURES = 4  # key figures of each answer on the at-a-glance pages


def columns(styles: Styles) -> int:
    """Figure cards per row: four on A4, three on the narrower A5 measure."""
    return 4 if styles.geometry.frame_width >= 140 * mm else 3


def story(doc: Briefing, styles: Styles, chart: Chart) -> list:
    L = doc.labels
    figures = _figures(doc, styles, chart)
    out: list = [NextPageTemplate("body"), PageBreak()]  # page 1 is the cover template
    out += contents(doc, styles)
    if doc.foreword:
        out += [Heading(L.foreword, styles.h_section, "foreword")]
        out += [TextBlock(p, styles.body) for p in doc.foreword]
        out.append(PageBreak())
    if doc.review:  # last year's targets, before this year's answers (and outside their part)
        out += review_section(doc, styles, figures) + [PageBreak()]
    out += results_opener(doc, styles)
    for answer in doc.results.answers:  # the first right after the figures at a glance
        out += section_break(styles)
        out += answer_section(answer, doc, styles, figures.get(answer.id, []))
    if doc.links():
        title = L.fill(L.compare, doc)
        out += [PageBreak(), Heading(title, styles.h_section, "compare"),
                Continued(comparison(doc, styles), TextBlock(f"{title}{L.continued}", styles.continued))]
        out += [item for f in figures.get("compare", []) for item in (CondPageBreak(40 * mm), Spacer(1, 5 * mm), f)]
    out += [PageBreak(), Heading(doc.plan.title, styles.h_part, "plan", level=0)]
    out += [TextBlock(p, styles.lead) for p in doc.plan.paragraphs]
    for path in doc.plan.paths:  # the first right under the part's title and lead
        out += section_break(styles) + path_section(path, doc, styles)
    if doc.closing:
        out += [PageBreak(), Heading(L.closing, styles.h_section, "closing")]
        out += [TextBlock(p, styles.body) for p in doc.closing]
    out += [PageBreak(), Heading(L.notes, styles.h_section, "notes"), RuledLines()]
    out += [NextPageTemplate("back"), PageBreak(), Spacer(1, 1)]
    out = keep_headings(out, 2 * styles.body.leading)
    for toc in out:
        if isinstance(toc, Contents):
            toc.plan(planned_entries(out))  # what it lists, known before the pass that finds the pages
    return out


def keep_headings(flowables: list, least: float) -> list:
    """Every heading (and a run of headings) grouped with the flowable after it, so that no
    heading ends a page, nor stands over less than ``least`` of what follows: see
    ``KeepWithNext``."""
    out: list = []
    heads: list = []
    for f in flowables:
        if getattr(f, "keep_with_next", False):
            heads.append(f)
        elif heads and isinstance(f, (CondPageBreak, Spacer)):
            continue  # the group decides where it goes; a break between heading and text would undo it
        elif heads and (isinstance(f, (PageBreak, ActionFlowable)) or f.isIndexing()):
            # Nothing to keep them with on this page; or the contents, which reportlab must
            # find in the story itself to fill it in.
            out += heads + [f]
            heads = []
        elif heads:
            out.append(KeepWithNext(heads, f, least))
            heads = []
        else:
            out.append(f)
    return out + heads


def contents(doc: Briefing, styles: Styles) -> list:
    f = styles.fonts
    base = styles.body.but(first_indent=0, align="left", space_before=0, space_after=0)
    toc = Contents(styles, [
        (base.but(font=f.sans_bold, size=11.5, leading=22), 0.0, 6.0),  # parts
        (base.but(font=f.serif, size=10.5, leading=19), 2 * 10.5, 0.0),  # answers and paths
    ])
    return [Heading(doc.labels.contents, styles.h_section, "contents", level=None), toc, PageBreak()]


def results_opener(doc: Briefing, styles: Styles) -> list:
    L = doc.labels
    out: list = [Heading(doc.results.title, styles.h_part, "results", level=0)]
    out += [TextBlock(p, styles.lead) for p in doc.results.paragraphs]
    # Answers without figures (achievements only) have nothing to show at a glance: no bare title.
    shown = [answer for answer in doc.results.answers if answer.metrics]
    if shown:
        out += [Heading(L.fill(L.glance, doc), styles.h_glance, "glance", level=1)]
    for answer in shown:
        # The same key figures on every paper: a row of four on A4, two rows on A5.
        title = TextBlock(f"{answer.ordinal}\u3000{answer.title}", styles.h_sub.but(space_before=6))
        title.keep_with_next = True
        title.role = "H3"
        out += [title, figure_grid(answer.metrics[:GLANCE_FIGURES], styles, balanced=True)]
    return out


def section_break(styles: Styles) -> list:
    """Sections follow each other (the first one its part's opener), but never start in the
    bottom third of a page: no part title or page of figures is left alone on a mostly empty
    page. The space above the next heading is the heading's own (dropped at the top of a page)."""
    return [CondPageBreak(styles.geometry.frame_height / 3)]


def figure_grid(metrics, styles: Styles, balanced: bool = False) -> Continued:
    """Figure cards in rows; a grid splits between rows, never leaving one row alone.

    ``balanced``: rows of equal length where the cards need more than one row (four figures
    on A5 go two and two, not three and one)."""
    width = styles.geometry.frame_width
    n = columns(styles)
    if balanced and len(metrics) > n:
        rows = -(-len(metrics) // n)
        n = -(-len(metrics) // rows)
    cells = [FigureCard(m, m.label, styles, note=m.growth_text()) for m in metrics]
    rows = [cells[i:i + n] for i in range(0, len(cells), n)]
    rows[-1] += [[] for _ in range(n - len(rows[-1]))]  # empty: a "" cell is drawn as an empty text object
    table = FixedTable(rows, colWidths=[width / n] * n, hAlign="LEFT")
    table.setStyle(grid_style(styles.fonts.sans, right=8, top=4, bottom=6))
    return Continued(table, header=0)


def _figures(doc: Briefing, styles: Styles, chart: Chart) -> dict[str, list[Figure]]:
    """Every chart of the booklet, numbered in page order, as figures with their captions,
    by where they go (an answer's id, "compare", "review-<n>")."""
    caption = styles.cell_head.but(size=9, leading=13, align="center", space_before=0, space_after=0)
    out: dict[str, list[Figure]] = {}
    for spec in booklet_charts(doc, bars_that_fit(styles.geometry.frame_height)):
        out.setdefault(spec.place, []).append(Figure(chart(spec), TextBlock(spec.caption, caption), spec.alt))
    return out


def review_section(doc: Briefing, styles: Styles, figures: dict[str, list[Figure]]) -> list:
    """Last year's targets and how they were met, before this year's answers: each path's status
    bar directly above its table, the two kept on one page."""
    L = doc.labels
    out: list = [Heading(L.fill(L.review, doc), styles.h_section, "review", level=0)]
    for n, (ordinal, title, targets) in enumerate(judged(doc)):
        if n:
            out += section_break(styles)
        charts = figures.get(f"review-{n}", [])
        if charts:  # the heading, the bar and the table's first rows start on one page
            out.append(CondPageBreak(75 * mm))
        out.append(Heading(title, styles.h_sub.but(size=styles.h_sub.size + 1.5), f"review-{n}", level=1,
                           ordinal=ordinal, ordinal_style=styles.ordinal))
        for f in charts:
            out += [f, Spacer(1, 4 * mm)]
        if targets:
            caption = TextBlock(f"{ordinal}\u3000{title}{L.continued}", styles.continued)
            out.append(Continued(review_table(targets, doc, styles), caption))
    return out


def answer_section(answer: Answer, doc: Briefing, styles: Styles, figures: list[Figure]) -> list:
    L = doc.labels
    out: list = [Heading(answer.title, styles.h_section, answer.id, level=1,
                         ordinal=answer.ordinal, ordinal_style=styles.ordinal)]
    out += [TextBlock(p, styles.body) for p in answer.paragraphs]
    if answer.metrics:
        out += subheading(L.key_figures, styles) + [figure_grid(answer.metrics, styles)]
    done = all_done(answer)
    if done:  # every share at 100 %: one line says it better than a row of full gauges
        sep = "；" if any("、" in m.label for m in done) else "、"
        out.append(TextBlock(f"{L.all_done}（{done[0].text()}）：" + sep.join(m.label for m in done),
                             styles.body.but(first_indent=0, align="left", space_before=4 * mm)))
    for f in figures:
        out += [CondPageBreak(40 * mm), Spacer(1, 5 * mm), f]
    if answer.achievements:
        out += subheading(L.achievements, styles) + [bullets(answer.achievements, styles)]
    return out


def path_section(path: Path, doc: Briefing, styles: Styles) -> list:
    L = doc.labels
    out: list = [Heading(path.title, styles.h_section, path.id, level=1,
                         ordinal=path.ordinal, ordinal_style=styles.ordinal)]
    out += [TextBlock(p, styles.body) for p in path.paragraphs]
    if path.targets:
        caption = TextBlock(f"{path.ordinal}\u3000{L.checklist}{L.continued}", styles.continued)
        out += subheading(L.checklist, styles) + [Continued(checklist(path, doc, styles), caption)]
    return out


def subheading(text: str, styles: Styles) -> list:
    """A subheading inside a section, never left alone at a page foot (``keep_headings``)."""
    block = TextBlock(text, styles.h_sub)
    block.keep_with_next = True
    block.role = "H3"
    return [block]


def bullets(items: list[str], styles: Styles) -> Continued:
    """A list, one row per item: it splits between items, never leaving one alone."""
    st = styles.body.but(first_indent=0, space_after=0, align="left")
    t = FixedTable([[Bullet(st), TextBlock(text, st)] for text in items],
                   colWidths=[5 * mm, styles.geometry.frame_width - 5 * mm], hAlign="LEFT")
    t.setStyle(grid_style(styles.fonts.sans, bottom=1))
    return Continued(t, header=0)

