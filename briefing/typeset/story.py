"""The booklet's order of sections: pure functions from the model to a list of flowables."""

from __future__ import annotations

from typing import Callable

from reportlab.lib.units import mm
from reportlab.platypus import (
    CondPageBreak,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    Spacer,
    Table,
)

from ..data.model import Answer, Briefing, Path
from ..data.review import judged
from .blocks import Bullet, FigureCard, Heading, Marked, RuledLines
from .charts import ChartSpec, attainment_charts, charts_for
from .contents import Contents
from .styles import Styles, TextStyle
from .tables import checklist, comparison, grid_style, review_table
from .text import TextBlock

Chart = Callable[[ChartSpec], object]  # a chart spec → a flowable (the chart stage's output)


def columns(styles: Styles) -> int:
    """Figure cards per row: four on A4, three on the narrower A5 measure."""
    return 4 if styles.geometry.frame_width >= 140 * mm else 3


def story(doc: Briefing, styles: Styles, chart: Chart) -> list:
    L = doc.labels
    out: list = [NextPageTemplate("body"), PageBreak()]  # page 1 is the cover template
    out += contents(doc, styles)
    if doc.foreword:
        out += [Heading(L.foreword, styles.h_section, "foreword")]
        out += [TextBlock(p, styles.body) for p in doc.foreword]
        out.append(PageBreak())
    if doc.review:  # last year's targets, before this year's answers (and outside their part)
        out += review_section(doc, styles, chart) + [PageBreak()]
    out += results_opener(doc, styles)
    for n, answer in enumerate(doc.results.answers):
        out += [PageBreak()] if n == 0 else section_break(styles)
        out += answer_section(answer, doc, styles, chart)
    if doc.links():
        out += [PageBreak(), Heading(L.fill(L.compare, doc), styles.h_section, "compare"),
                comparison(doc, styles)]
    out += [PageBreak(), Heading(doc.plan.title, styles.h_part, "plan", level=0)]
    out += [TextBlock(p, styles.lead) for p in doc.plan.paragraphs]
    for n, path in enumerate(doc.plan.paths):
        out += ([PageBreak()] if n == 0 else section_break(styles)) + path_section(path, doc, styles)
    if doc.closing:
        out += [PageBreak(), Heading(L.closing, styles.h_section, "closing")]
        out += [TextBlock(p, styles.body) for p in doc.closing]
    out += [PageBreak(), Heading(L.notes, styles.h_section, "notes"), RuledLines()]
    out += [NextPageTemplate("back"), PageBreak(), Spacer(1, 1)]
    return out


def contents(doc: Briefing, styles: Styles) -> list:
    f = styles.fonts
    levels = [TextStyle(f.sans_bold, 11.5, 22, align="left", space_before=6),
              TextStyle(f.serif, 10.5, 19, align="left")]
    # Its internal table would draw in Helvetica unless told otherwise.
    toc = Contents(levels, [0.0, 2 * 10.5], dotsMinLevel=0, tableStyle=grid_style(f.sans))
    return [Heading(doc.labels.contents, styles.h_section, "contents", level=None), toc, PageBreak()]


def results_opener(doc: Briefing, styles: Styles) -> list:
    L = doc.labels
    out: list = [Heading(doc.results.title, styles.h_part, "results", level=0)]
    out += [TextBlock(p, styles.lead) for p in doc.results.paragraphs]
    out += [Spacer(1, 6 * mm), Heading(L.fill(L.glance, doc), styles.h_section.but(size=16, leading=22),
                                       "glance", level=1)]
    for answer in doc.results.answers:
        top = answer.metrics[:columns(styles)]
        title = TextBlock(f"{answer.ordinal}\u3000{answer.title}", styles.h_sub.but(space_before=6))
        if not top:
            out.append(title)
            continue
        out.append(KeepTogether([title, figure_grid(top, styles)]))
    return out


def section_break(styles: Styles) -> list:
    """Sections follow each other, but never start in the bottom third of a page."""
    return [CondPageBreak(styles.geometry.frame_height / 3), Spacer(1, 10 * mm)]


def figure_grid(metrics, styles: Styles) -> Table:
    width = styles.geometry.frame_width
    n = columns(styles)
    cells = [FigureCard(m, m.label, styles, note=m.growth_text()) for m in metrics]
    rows = [cells[i:i + n] for i in range(0, len(cells), n)]
    rows[-1] += [""] * (n - len(rows[-1]))
    table = Table(rows, colWidths=[width / n] * n, hAlign="LEFT")
    table.setStyle(grid_style(styles.fonts.sans, right=8, top=4, bottom=6))
    return table


def review_section(doc: Briefing, styles: Styles, chart: Chart) -> list:
    """Last year's targets and how they were met, before this year's answers."""
    L = doc.labels
    out: list = [Heading(L.fill(L.review, doc), styles.h_section, "review", level=0)]
    charts = {spec.title: spec for spec in attainment_charts(doc)}
    for n, (ordinal, title, targets) in enumerate(judged(doc)):
        if n:
            out += section_break(styles)
        out.append(Heading(title, styles.h_sub.but(size=styles.h_sub.size + 1.5), f"review-{n}", level=1,
                           ordinal=ordinal, ordinal_style=styles.ordinal))
        if targets:
            out.append(review_table(targets, doc, styles))
            spec = charts.get(f"{ordinal}\u3000{L.review_chart}")
            if spec is not None:
                out += [CondPageBreak(35 * mm), Spacer(1, 3 * mm), Marked(chart(spec))]
    return out


def answer_section(answer: Answer, doc: Briefing, styles: Styles, chart: Chart) -> list:
    L = doc.labels
    out: list = [Heading(answer.title, styles.h_section, answer.id, level=1,
                         ordinal=answer.ordinal, ordinal_style=styles.ordinal)]
    out += [TextBlock(p, styles.body) for p in answer.paragraphs]
    if answer.metrics:
        out += subheading(L.key_figures, styles) + [figure_grid(answer.metrics, styles)]
    for spec in charts_for(answer, L):
        out += [CondPageBreak(40 * mm), Spacer(1, 3 * mm), Marked(chart(spec))]
    if answer.achievements:
        out += subheading(L.achievements, styles)
        out += [bullet_item(a, styles) for a in answer.achievements]
    return out


def path_section(path: Path, doc: Briefing, styles: Styles) -> list:
    L = doc.labels
    out: list = [Heading(path.title, styles.h_section, path.id, level=1,
                         ordinal=path.ordinal, ordinal_style=styles.ordinal)]
    out += [TextBlock(p, styles.body) for p in path.paragraphs]
    if path.targets:
        out += subheading(L.checklist, styles) + [checklist(path, doc, styles)]
    return out


def subheading(text: str, styles: Styles) -> list:
    """A subheading inside a section, never left alone at a page foot.

    A conditional break rather than keepWithNext: keepWithNext would carry a whole long table
    to the next page instead of letting it split under its repeated header.
    """
    return [CondPageBreak(30 * mm), TextBlock(text, styles.h_sub)]


def bullet_item(text: str, styles: Styles) -> Table:
    st = styles.body.but(first_indent=0, space_after=0, align="left")
    t = Table([[Bullet(st), TextBlock(text, st)]], colWidths=[5 * mm, styles.geometry.frame_width - 5 * mm],
              hAlign="LEFT")
    t.setStyle(grid_style(styles.fonts.sans, bottom=1))
    return t

