"""A Word file (.docx, also as WPS saves it): its paragraphs and tables, in document order.

A table row becomes one sentence the text rules read: 地区生产总值 | 152.3亿元 | 5.1% under the
header 同比增长 → 地区生产总值152.3亿元，同比增长5.1%.
"""

from __future__ import annotations

import io
import re
from pathlib import Path as FsPath

from ..office import WorkbookError, check_package
from .clean import SourceError, read_source
from .structure import Para

GROWTH_HEAD = re.compile(r"增长|增速|增幅|同比|比上年")
BARE = re.compile(r"^-?\d+(?:\.\d+)?%?$")


def row_sentence(header: list[str], cells: list[str]) -> str:
    """One table row as a sentence: the first cell names it, growth columns say 增长."""
    label, rest = cells[0], cells[1:]
    out = label
    for n, cell in enumerate(rest, 1):
        if not cell:
            continue
        head = header[n] if n < len(header) else ""
        if GROWTH_HEAD.search(head) and BARE.match(cell):
            word = "增长" if not cell.startswith("-") else "下降"
            out += f"，{word}{cell.lstrip('-')}" if "%" in cell else f"，{word}{cell.lstrip('-')}%"
        elif GROWTH_HEAD.search(head) or n > 1:
            out += f"，{cell}"
        else:
            out += cell
    return out + "。"


W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# Not the text as it reads: tracked deletions and moves away, text boxes (paragraphs of their
# own), and the paragraph's and runs' properties (whose <w:tab> is a tab stop, not a tab).
UNSEEN = {W + "del", W + "moveFrom", W + "txbxContent", W + "pPr", W + "rPr", W + "instrText"}
CHARS = {W + "tab": "\t", W + "ptab": "\t", W + "br": "\n", W + "cr": "\n", W + "noBreakHyphen": "-"}


def text_of(element) -> str:
    """A paragraph's text as Word shows it with every tracked change accepted. python-docx's
    ``Paragraph.text`` reads only the runs directly in the paragraph (and its hyperlinks): a
    tracked insertion (<w:ins>), a move (<w:moveTo>), a content control (<w:sdt>) or a smart
    tag holds its runs one level down, and their text (a corrected figure) was lost."""
    out: list[str] = []

    def walk(node) -> None:
        for child in node:
            tag = child.tag
            if not isinstance(tag, str) or tag in UNSEEN:
                continue
            if tag == W + "t":
                out.append(child.text or "")
            elif tag in CHARS:
                out.append(CHARS[tag])
            else:
                walk(child)

    walk(element)
    return "".join(out)


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


def read_docx(path: FsPath, raw: bytes | None = None) -> list[Para]:
    """The paragraphs of the Word file ``path`` (its bytes ``raw``, as read within the
    source's limit), checked as a .docx within its unpacked limit before python-docx parses it."""
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
    for block in document.element.body.iterchildren():
        tag = block.tag.rsplit("}", 1)[-1]
        if tag == "p":
            para = Paragraph(block, document)
            text = text_of(block).strip()
            if text:
                style = (para.style.name if para.style is not None else "") or ""
                m = re.match(r"^(?:Heading|标题)\s*([1-3])$", style.strip())
                out.append(Para(text, level=int(m.group(1)) if m else None))
        elif tag == "tbl":
            out += [Para(t) for t in table_paragraphs(_table_rows(Table(block, document)))]
    return out
