"""Office files from outside (a delegate list, a reviewed export, a Word article): checked
before a library parses them.

An .xlsx or .docx is a zip of XML parts. Before openpyxl or python-docx sees one, the zip's own
directory says what it is: not a zip at all (a .csv or an old .xls/.doc saved under the wrong
name), another kind of Office file, or a bomb (a few MB that unpack to gigabytes, which the XML
parser would then build a tree of). Python's zip reader never unpacks more of a part than the
directory declares, so checking the declared sizes bounds the work. Whatever openpyxl still
raises on a damaged file is the file's fault, and said so.
"""

from __future__ import annotations

import io
import zipfile

# The XML a library parses into a tree: a list of 10,000 delegates is 3.5 MB of it, a review
# sheet or a long article's text well under 1 MB; openpyxl takes ~3 s over 16 MB. Pictures in
# an article are not parsed, only held: they count towards the whole.
MAX_XML = 16 * 1024 * 1024
MAX_UNPACKED = 256 * 1024 * 1024
RESAVE = "请在 Excel/WPS 中打开后另存为 .xlsx (save it again as .xlsx)"
KINDS = {  # what the file must be → the part that says it is one, and how to name it
    "xlsx": ("xl/workbook.xml", ".xlsx", RESAVE),
    "docx": ("word/document.xml", ".docx", "请在 Word/WPS 中打开后“另存为” .docx (save it again as .docx)"),
}


class WorkbookError(ValueError):
    """Why bytes given as an .xlsx (or .docx) cannot be read as one, in the clerk's words."""


def _what(raw: bytes) -> str:
    if not raw:
        return "文件是空的 (empty)"
    if raw.startswith(b"\xd0\xcf\x11\xe0"):
        return "是旧版 .xls/.doc 文件 (an old Office file)"
    head = raw[:4096]
    try:
        head.decode("utf-8")
        return "是文本文件，可能是改了扩展名的 .csv (a text file, perhaps a .csv)"
    except UnicodeDecodeError:
        return "格式无法识别 (unknown format)"


def check_package(raw: bytes, kind: str = "xlsx") -> None:
    """Raise ``WorkbookError`` unless ``raw`` is an .xlsx (``kind`` "docx": a .docx) whose parts
    unpack to at most ``MAX_XML`` of XML and ``MAX_UNPACKED`` in all."""
    part, suffix, resave = KINDS[kind]
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as z:
            items = z.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise WorkbookError(f"不是 {suffix} 文件：{_what(raw)}；{resave}") from None
    names = {i.filename for i in items}
    if part not in names:
        other = ("Word 文件 (.docx)" if "word/document.xml" in names else
                 "Excel 文件 (.xlsx)" if "xl/workbook.xml" in names else
                 "PowerPoint 文件 (.pptx)" if "ppt/presentation.xml" in names else "其他 zip 文件")
        raise WorkbookError(f"不是 {suffix} 文件：这是{other}；{resave}")
    xml = sum(i.file_size for i in items if i.filename.lower().endswith((".xml", ".rels", ".vml")))
    unpacked = sum(i.file_size for i in items)
    for size, limit, what in ((xml, MAX_XML, "其中的 XML"), (unpacked, MAX_UNPACKED, "")):
        if size > limit:
            raise WorkbookError(f"解压后{what}有 {size / 2**20:.0f} MB，超过 {limit / 2**20:.0f} MB 的上限："
                                f"不是一份正常的{suffix}文件 (unpacks to more than the limit)")


def open_workbook(raw: bytes, *, read_only: bool, data_only: bool = True):
    """openpyxl's workbook of ``raw``, or ``WorkbookError`` saying why not."""
    from openpyxl import load_workbook

    check_package(raw)
    try:
        return load_workbook(io.BytesIO(raw), read_only=read_only, data_only=data_only)
    except Exception as exc:  # noqa: BLE001 -- any damage (zip, XML, parts) is the file's, not ours
        raise WorkbookError(f"Excel 文件已损坏（{type(exc).__name__}）；{RESAVE}") from None


def has_formulas(raw: bytes) -> bool:
    """Whether any sheet holds a formula (checked on the bytes: the workbook is read a second
    time, for its formulas, only when one is there). ``raw`` passed ``check_package``."""
    with zipfile.ZipFile(io.BytesIO(raw)) as z:
        return any(b"<f" in z.read(i) for i in z.infolist() if i.filename.startswith("xl/worksheets/"))


def formula_cells(sheet) -> dict[tuple[int, int], object]:
    """(row, column) → formula of every formula cell of ``sheet``, from a workbook read with
    ``data_only=False`` (only that one keeps the formulas)."""
    return {(cell.row, cell.column): cell.value for row in sheet.iter_rows() for cell in row
            if getattr(cell, "data_type", "") == "f"}


def merged_down(sheet, max_rows: int, max_columns: int = 100) -> dict[tuple[int, int], object]:
    """(row, column) → value for the cells a merge spanning rows covers: a group (代表团, 路径)
    merged down over its rows holds its value in the first cell only, and it is every row's.
    A merge within one row (a title across the columns) is left alone. Bounded by the rows a
    sheet may have, whatever range a file claims. Needs a full (not read-only) sheet."""
    out: dict[tuple[int, int], object] = {}
    last_row, last_col = min(sheet.max_row, max_rows), min(sheet.max_column, max_columns)
    for rng in sheet.merged_cells.ranges:
        if rng.min_row == rng.max_row or rng.min_row > last_row or rng.min_col > last_col:
            continue
        value = sheet.cell(rng.min_row, rng.min_col).value
        for row in range(rng.min_row, min(rng.max_row, last_row) + 1):
            for col in range(rng.min_col, min(rng.max_col, last_col) + 1):
                out[(row, col)] = value
    return out
