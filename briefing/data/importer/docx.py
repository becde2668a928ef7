"""A Word file (.docx, also as WPS saves it): its paragraphs and tables, in document order.

A table row becomes one sentence the text rules read: 地区生产总值 | 152.3亿元 | 5.1% under the
header 同比增长 → 地区生产总值152.3亿元，同比增长5.1%.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path as FsPath

from ..office import WorkbookError, check_package
from .clean import SourceError, exclaims, frontish, introduces, read_source
from .rules import UNIT
from .structure import LOOKED, STYLED, Para

GROWTH_HEAD = re.compile(r"增长|增速|增幅|同比|比上年")
BARE = re.compile(r"^-?\d+(?:\.\d+)?%?$")
UNIT_CELL = re.compile(rf"^(?:{UNIT}|%)$")
IN_BRACKETS = re.compile(r"\s*[（(]\s*([^（）()]{1,8}?)\s*[)）]\s*$")
NO_VALUE = re.compile(r"^[—–\-－/／…·]*$")


def _unit_in(text: str) -> tuple[str, str | None]:
    """A label or header and the unit it states in brackets: 地区生产总值（亿元） → 地区生产总值, 亿元."""
    m = IN_BRACKETS.search(text)
    if m and UNIT_CELL.match(m.group(1).replace("％", "%")):
        return text[:m.start()], m.group(1).replace("％", "%")
    return text, None


def row_sentence(header: list[str], cells: list[str]) -> str:
    """One table row as a sentence: the first cell names it, growth columns say 增长. A bare
    number takes the unit its column header (数值（亿元）), a 单位 column or its row label
    (地区生产总值（亿元）) states; a row with no value but a growth reads 固定资产投资增长6.2%."""
    label, row_unit = _unit_in(cells[0])
    rest = cells[1:]
    heads = [header[n] if n < len(header) else "" for n in range(1, len(cells))]
    for head, cell in zip(heads, rest):
        if head.strip() == "单位" and UNIT_CELL.match(cell.strip()):
            row_unit = cell.strip()
    out, valued = label, False
    for n, (head, cell) in enumerate(zip(heads, rest), 1):
        cell = cell.strip()
        if not cell or NO_VALUE.match(cell) or head.strip() == "单位":
            continue
        if GROWTH_HEAD.search(head) and BARE.match(cell):
            word = "增长" if not cell.startswith("-") else "下降"
            figure = cell.lstrip("-") + ("" if "%" in cell else "%")
            out += f"，{word}{figure}" if valued else f"{word}{figure}"
            valued = True
            continue
        if BARE.match(cell) and "%" not in cell:
            cell += _unit_in(head)[1] or row_unit or ""
        out += f"，{cell}" if GROWTH_HEAD.search(head) or (n > 1 and valued) else cell
        valued = True
    return out + "。"


W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# Not the text as it reads: tracked deletions and moves away, text boxes (paragraphs of their
# own), and the paragraph's and runs' properties (whose <w:tab> is a tab stop, not a tab).
UNSEEN = {W + "del", W + "moveFrom", W + "txbxContent", W + "pPr", W + "rPr", W + "instrText"}
CHARS = {W + "tab": "\t", W + "ptab": "\t", W + "br": "\n", W + "cr": "\n", W + "noBreakHyphen": "-"}


def _seen(node):
    """The <w:t> and break-like elements of ``node`` that show, in order (see ``UNSEEN``)."""
    for child in node:
        tag = child.tag
        if not isinstance(tag, str) or tag in UNSEEN:
            continue
        if tag == W + "t" or tag in CHARS:
            yield child
        else:
            yield from _seen(child)


def text_of(element) -> str:
    """A paragraph's text as Word shows it with every tracked change accepted. python-docx's
    ``Paragraph.text`` reads only the runs directly in the paragraph (and its hyperlinks): a
    tracked insertion (<w:ins>), a move (<w:moveTo>), a content control (<w:sdt>) or a smart
    tag holds its runs one level down, and their text (a corrected figure) was lost."""
    return "".join(e.text or "" if e.tag == W + "t" else CHARS[e.tag] for e in _seen(element))


def _cell_text(cell) -> str:
    return "\n".join(text_of(p) for p in cell._tc.iterchildren(W + "p"))


def _table_rows(table) -> list[list[str]]:
    rows = []
    for row in table.rows:
        cells = []
        for c in row.cells:
            t = _cell_text(c).strip()
            if not cells or cells[-1] != t:  # merged cells repeat their text
                cells.append(t)
        rows.append(cells)
    return rows


def table_paragraphs(rows: list[list[str]]) -> list[str]:
    if not rows:
        return []
    header, body = rows[0], rows[1:]
    if any(re.search(r"\d", c) for c in header[1:]) and not any(re.search(r"\d", c) for c in header[1:] if "年" in c):
        header, body = [""] * len(rows[0]), rows
    return [row_sentence(header, r) for r in body if r and r[0]]


# ---- what a paragraph looks like ----------------------------------------------------------
# Offices seldom use Word's heading styles: a title is an ordinary paragraph set in bold, or in a
# title typeface, often centred or larger. 公文 (GB/T 9704) set the big titles in 方正小标宋, 一、
# titles in 黑体 and （一） titles in 楷体 against a 仿宋 body: each face ranks a title above the
# next (a higher weight), and any of them reads as a title against a body in a lower one.
TITLE_FACES = ((re.compile(r"标宋|大宋|中宋", re.I), 3), (re.compile(r"黑|hei|粗|sans|gothic", re.I), 2),
               (re.compile(r"楷|kai", re.I), 1))


def face_weight(font: str | None) -> int:
    """How high a title ``font`` ranks (``TITLE_FACES``); 0: a body face, or none given."""
    return next((weight for pattern, weight in TITLE_FACES if font and pattern.search(font)), 0)


# A short bold paragraph that only starts an enumeration (一是抓项目) is body text.
LEAD_IN = re.compile(r"^(?:[一二三四五六七八九十]+是|首先|其次|再次|此外|同时)")
TITLE_MAX = 40


@dataclass
class Look:
    bold: bool  # every run with text is bold
    face: int  # the lowest title weight of its runs' East Asian typefaces (``face_weight``)
    size: float | None  # the largest of its runs', in points
    centred: bool
    runs: list[tuple[bool, float | None, str | None, int]]  # each run's bold, size, typeface, characters


def _chain(style):
    """A style and the styles it is based on, nearest first."""
    seen = set()
    while style is not None and style.style_id not in seen:
        seen.add(style.style_id)
        yield style
        style = style.base_style


class Looks:
    """Resolves a run's bold, size and Chinese typeface the way Word does: the run's own
    properties, then its character style's, then its paragraph style's (each with the styles
    it is based on), then the document's defaults. python-docx's ``run.bold`` and
    ``style.font.bold`` read one level only (None means "inherited")."""

    def __init__(self, document):
        from docx.enum.style import WD_STYLE_TYPE

        styles = document.styles
        root = styles.element
        self.default_rpr = root.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr")
        self.default_jc = root.find(f"{W}docDefaults/{W}pPrDefault/{W}pPr/{W}jc")
        self.by_id = {s.style_id: s for s in styles}
        self.default = {kind: styles.default(kind) for kind in (WD_STYLE_TYPE.PARAGRAPH, WD_STYLE_TYPE.CHARACTER)}
        self.PARAGRAPH, self.CHARACTER = WD_STYLE_TYPE.PARAGRAPH, WD_STYLE_TYPE.CHARACTER
        self._chains: dict = {}

    def style(self, style_id: str | None, kind):
        """The style of that id (python-docx's ``styles``, read once), else the default of its kind."""
        found = self.by_id.get(style_id) if style_id else None
        return found if found is not None and found.type == kind else self.default[kind]

    def _rprs(self, style) -> list:
        key = None if style is None else style.style_id
        if key not in self._chains:
            self._chains[key] = [s.element.rPr for s in _chain(style)]
        return self._chains[key]

    def of(self, para) -> Look:
        from docx.enum.text import WD_ALIGN_PARAGRAPH

        p_style = self.style(para._p.style, self.PARAGRAPH)
        p_rprs = self._rprs(p_style)
        runs = []
        done = set()
        for shown in _seen(para._p):
            r = shown.getparent()
            if r.tag != W + "r" or id(r) in done or not (shown.text or "").strip():
                continue
            done.add(id(r))
            rprs = [r.rPr, *self._rprs(self.style(r.style, self.CHARACTER)), *p_rprs, self.default_rpr]
            rprs = [x for x in rprs if x is not None]
            bold = next((x.b.val for x in rprs if x.b is not None), False)
            size = next((x.sz_val.pt for x in rprs if x.sz_val is not None), None)
            font = next((f.get(f"{W}eastAsia") for x in rprs if (f := x.rFonts) is not None
                         and f.get(f"{W}eastAsia") is not None), None)
            runs.append((bold, size, font, len("".join(_visible_text(r)).strip())))
        align = para.paragraph_format.alignment
        if align is None:
            align = next((s.paragraph_format.alignment for s in _chain(p_style)
                          if s.paragraph_format.alignment is not None), None)
        centred = (align == WD_ALIGN_PARAGRAPH.CENTER if align is not None else
                   self.default_jc is not None and self.default_jc.get(f"{W}val") == "center")
        sizes = [r[1] for r in runs if r[1] is not None]
        return Look(bool(runs) and all(r[0] for r in runs),
                    min((face_weight(r[2]) for r in runs), default=0),
                    max(sizes) if sizes else None, centred, runs)


def _visible_text(r):
    return (e.text or "" for e in _seen(r) if e.tag == W + "t")


def titleish(text: str) -> bool:
    """Short and not a sentence: what a title can be, whatever it looks like."""
    return (len(text) <= TITLE_MAX and "。" not in text and not text.endswith(("；", "，", "、"))
            and not introduces(text) and not exclaims(text)
            and not LEAD_IN.match(text) and not frontish(text) and "文/" not in text and "记者" not in text[:20]
            and not text.startswith("写在"))


def looked_levels(texts: list[str], looks: list[Look], below: int = 0) -> list[int | None]:
    """Heading levels (``below`` + 1 … 3) for paragraphs that look like titles, decided from the
    document's own formatting: the body is the size, typeface and weight most of its characters
    have; a title is a short paragraph wholly bold (where the body is not), or wholly in a title
    typeface above the body's, or centred and larger than the body (an empty text: never a
    title, only counted for the body). Titles larger, then centred, then in a higher typeface
    come first: each such look is one level down, under the ``below`` levels the Word heading
    styles already give."""
    sizes: Counter = Counter()
    fonts: Counter = Counter()
    weights: Counter = Counter()
    for look in looks:
        for bold, size, font, n in look.runs:
            sizes[size] += n
            fonts[font] += n
            weights[bold] += n
    body_size = sizes.most_common(1)[0][0] if sizes else None
    body_font = fonts.most_common(1)[0][0] if fonts else None
    body_face = face_weight(body_font)
    body_bold = weights[True] > weights[False]

    def size_of(look: Look) -> float:
        return look.size or body_size or 0

    found: dict[int, tuple[float, bool, int]] = {}
    for i, (text, look) in enumerate(zip(texts, looks)):
        if not text or not titleish(text):
            continue
        larger = body_size is not None and size_of(look) > body_size
        if (look.bold and not body_bold) or look.face > body_face or (look.centred and larger):
            found[i] = (size_of(look), look.centred, look.face)
    ranks = sorted(set(found.values()), reverse=True)
    out: list[int | None] = [None] * len(texts)
    for i, key in found.items():
        out[i] = min(3, below + ranks.index(key) + 1)
    return out


def read_docx(path: FsPath, raw: bytes | None = None) -> list[Para]:
    """The paragraphs of the Word file ``path`` (its bytes ``raw``, as read within the
    source's limit), checked as a .docx within its unpacked limit before python-docx parses it.
    A paragraph's heading level comes from its Heading/标题 style, else from how it looks
    (``looked_levels``: below the styled levels where a file has both)."""
    try:
        import docx  # python-docx, imported here so that `briefing build` never pays for it
        from docx.table import Table
        from docx.text.paragraph import Paragraph
    except ImportError:  # pragma: no cover
        raise SourceError(str(path), "读取 .docx 需要 python-docx：pip install python-docx") from None
    if raw is None:
        raw = read_source(path)
    try:
        check_package(raw, "docx")
    except WorkbookError as exc:
        raise SourceError(str(path), f"无法读取这个 Word 文件：{exc}") from None
    try:
        document = docx.Document(io.BytesIO(raw))
    except Exception as exc:  # noqa: BLE001 -- any damage (zip, XML, parts) is the file's, not ours
        raise SourceError(str(path), f"无法读取这个 Word 文件（{exc}）；请在 Word/WPS 中重新“另存为 .docx”") from None
    out: list[Para] = []
    seen: list[tuple[int, Paragraph]] = []  # each paragraph's index in ``out``
    for block in document.element.body.iterchildren():
        tag = block.tag.rsplit("}", 1)[-1]
        if tag == "p":
            para = Paragraph(block, document)
            text = text_of(block).strip()
            if text:
                style = (para.style.name if para.style is not None else "") or ""
                m = re.match(r"^(?:Heading|标题)\s*([1-3])$", style.strip())
                out.append(Para(text, level=int(m.group(1)) if m else None, origin=STYLED if m else ""))
                seen.append((len(out) - 1, para))
        elif tag == "tbl":
            out += [Para(t) for t in table_paragraphs(_table_rows(Table(block, document)))]
    styled = max((p.level for p in out if p.level), default=0)
    if styled < 3:
        looks = Looks(document)
        plain = [(i, para) for i, para in seen if not out[i].level]
        headline = seen[0][0] if seen else -1  # the first paragraph: the article's, not a section's
        levels = looked_levels(["" if i == headline else out[i].text for i, _ in plain],
                               [looks.of(para) for _, para in plain], styled)
        for (i, _), level in zip(plain, levels):
            if level:
                out[i].level, out[i].origin = level, LOOKED
    return out
