"""The delegate list for numbered copies (``build --copies LIST``): a .csv or an .xlsx.

Columns 份号, 姓名, and optionally 代表团/组别 and 邮箱 (English headers work too: number, name,
group, email). Without a 份号 column the copies are numbered 1, 2, 3 … in list order. Names are
text to print, never markup, and are kept as typed (only the blanks round them go).

Everything wrong with a list is reported at once, each problem with the file and its row (a
.csv's line, an .xlsx's sheet!cell), before anything is written. A list that was GBK and went
through a tool that took it for UTF-8 is recognised and named as such: its Chinese is lost or
garbled, and printing it would put the wrong name on a copy.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path as FsPath
from typing import Callable, Iterator

from ..errors import DataError, InputError, Problem, clip, named_char, printable
from ..files import read_regular
from .office import WorkbookError, formula_cells, has_formulas, merged_down, open_workbook

MAX_CSV_BYTES = 4 * 1024 * 1024
MAX_XLSX_BYTES = 16 * 1024 * 1024
MAX_ROWS = 10_000  # delegates in one list: a district's congress and CPPCC together are < 1,000
MAX_NAME = 40  # characters: the longest names (a transcribed minority or foreign name) fit
MAX_GROUP = 40
MAX_NUMBER = 999_999  # GB/T 9704 gives the 份号 six digits at most
HEADER_ROWS = 10  # a header row is looked for this far down (a title row may come first)

# Each column and the headers that name it, compared without blanks and case.
COLUMNS = {
    "number": ("份号", "number", "no", "no.", "copy"),
    "name": ("姓名", "name", "代表姓名", "委员姓名"),
    "group": ("代表团", "组别", "group", "代表团/组别", "组"),
    "email": ("邮箱", "电子邮箱", "email", "e-mail", "mail", "电子邮件"),
}
HEADERS = {h: col for col, names in COLUMNS.items() for h in names}

_LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"  # every one str.splitlines() breaks at
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_CJK = re.compile("[\u3400-\u9fff]")
_LATIN1 = re.compile("[\u0080-\u00ff\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013-\u2122]")
_UNSAFE_FILE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]')


@dataclass(frozen=True)
class Delegate:
    number: int
    name: str
    group: str | None
    email: str | None
    where: str  # the row, as a message names it: "list.csv:5" or "list.xlsx 名单!B5"


@dataclass(frozen=True)
class DelegateList:
    path: str
    delegates: tuple[Delegate, ...]
    width: int  # digits of every 份号: what the list needs, and at least 3
    note: str | None = None  # how the file was read, when a user should know (GB18030)

    def number(self, d: Delegate) -> str:
        return f"{d.number:0{self.width}d}"

    def file_name(self, d: Delegate) -> str:
        """``012-张三.pdf``: the 份号 first, so the files sort in number order."""
        name = _UNSAFE_FILE.sub("_", d.name).strip(". ") or "_"
        return f"{self.number(d)}-{name}.pdf"


def _key(header) -> str:
    text = unicodedata.normalize("NFKC", str(header or ""))
    return re.sub(r"\s+", "", text).lstrip("\ufeff").lower()


class _Uncomputed(str):
    """A formula cell saved without its result (a list written by a program, never opened in
    Excel or WPS): its text is the formula, its value unknown."""


def _text(value) -> str:
    """A cell as text: numbers as Excel shows them (1, not 1.0), blanks round it removed."""
    if value is None or isinstance(value, _Uncomputed):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip(" \t\r\n\u3000\u00a0")


class _Reader:
    """Collects every problem of one list, each at its row."""

    def __init__(self, path: str, missing_glyphs: Callable[[str], list[str]] | None):
        self.path = path
        self.missing_glyphs = missing_glyphs
        self.problems: list[Problem] = []

    def problem(self, where: tuple[int | None, str], message: str) -> None:
        line, cell = where
        self.problems.append(Problem(self.path, line, None, cell, message))

    def fail(self, message: str, line: int | None = None, cell: str = "") -> DataError:
        return DataError([Problem(self.path, line, None, cell, message)])

    # -- the text of a cell -----------------------------------------------------------------
    def check_text(self, where, label: str, text: str, limit: int) -> bool:
        if "\ufffd" in text:
            self.problem(where, f"{label}中有替换字符 �（U+FFFD）：这份名单原是 GBK 编码，被当作 UTF-8 打开后另存，"
                                f"汉字已经丢失；请从原始名单重新导出（存为 UTF-8 或 .xlsx）(a GBK file saved as UTF-8)")
            return False
        garbled = _mojibake(text)
        if garbled:
            self.problem(where, f"{label} “{clip(text, 20)}” 是乱码：GBK 编码的名单被当作 UTF-8 读过又另存了"
                                f"（原文应是 “{clip(garbled, 20)}”）；请从原始名单重新导出 (GBK text mistaken for UTF-8)")
            return False
        if any(c in text for c in _LINE_BREAKS):
            self.problem(where, f"{label}占了多行：单元格里有换行（如在 Excel 中按了 Alt+Enter）；请改为一行 "
                                f"(a line break in the cell)")
            return False
        bad = _CONTROL.search(text)
        if bad:
            self.problem(where, f"{label}中有控制字符 {printable(bad.group(), newlines=False)}"
                                f"（U+{ord(bad.group()):04X}），印不出来；请删除它")
            return False
        if len(text) > limit:
            self.problem(where, f"{label}太长（{len(text)} 字，最多 {limit} 字）")
            return False
        for ch in self.missing_glyphs(text) if self.missing_glyphs else ():
            self.problem(where, f"{label}中的字符 {named_char(ch)}字体中没有，印出来会是空白方块；"
                                f"请核对名单，或改用常用字")
            return False
        return True


def _mojibake(text: str) -> str | None:
    """What ``text`` was, when it is GBK read as Latin-1/Windows-1252 (张三 → ÕÅÈý); else None."""
    if _CJK.search(text) or not _LATIN1.search(text):
        return None
    for codec in ("cp1252", "latin-1"):
        try:
            original = text.encode(codec).decode("gbk")
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
        if _CJK.search(original):
            return original
    return None


def _decode(raw: bytes, r: _Reader) -> tuple[str, str | None]:
    """UTF-8 (with or without its BOM) or GB18030; a GBK file that claims to be UTF-8 is refused."""
    bom = raw.startswith(b"\xef\xbb\xbf")
    body = raw[3:] if bom else raw
    try:
        return body.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        line = body[: exc.start].count(b"\n") + 1
        try:
            text = body.decode("gb18030")
        except UnicodeDecodeError:
            raise r.fail("名单既不是 UTF-8 也不是 GB18030 编码，无法读取；请在 Excel/WPS 中另存为 .xlsx 或 "
                         "“CSV UTF-8” (neither UTF-8 nor GB18030)", line) from None
        if bom:
            raise r.fail("文件开头标明是 UTF-8（BOM），内容却是 GBK 编码：它被当成 UTF-8 处理过，"
                         "请从原始名单重新导出（.xlsx 或 “CSV UTF-8”）(a GBK file mistaken for UTF-8)", line) from None
        return text, "名单按 GB18030（GBK）编码读取"


def _dialect(first_line: str) -> str:
    return max((",", "\t", ";", "，"), key=first_line.count)


def _csv_rows(raw: bytes, r: _Reader) -> tuple[Iterator[tuple[int, list[tuple[str, str]]]], str | None]:
    text, note = _decode(raw, r)
    lines = text.splitlines()
    delimiter = _dialect(next((ln for ln in lines if ln.strip()), ""))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)

    def rows():
        end = 0
        try:
            for record in reader:  # a record with a quoted line break spans lines: its first one
                start, end = end + 1, reader.line_num
                yield start, [("", cell) for cell in record]
        except csv.Error as exc:
            raise r.fail(f"CSV 格式有误：{exc}", reader.line_num) from None

    return rows(), note


def _merged_down(sheet) -> dict[tuple[int, int], object]:
    return merged_down(sheet, MAX_ROWS + 100)


def _uncomputed(raw: bytes, values) -> dict[tuple[int, int], _Uncomputed]:
    """The formula cells of the first sheet that were saved without a result. The workbook is
    read a second time, for its formulas, only when its sheets hold a formula at all."""
    if not has_formulas(raw):
        return {}
    book = open_workbook(raw, read_only=False, data_only=False)
    try:
        return {at: _Uncomputed(formula) for at, formula in formula_cells(book.worksheets[0]).items()
                if values.cell(*at).value is None}
    finally:
        book.close()


def _xlsx_rows(raw: bytes, r: _Reader) -> Iterator[tuple[int, list[tuple[str, object]]]]:
    from openpyxl.utils import get_column_letter  # here: only a list in Excel needs it

    try:
        # Not read-only: only a full sheet knows its merged cells (0.24 s for 10,000 rows).
        book = open_workbook(raw, read_only=False)
    except WorkbookError as exc:
        raise r.fail(str(exc)) from None
    if not book.worksheets:
        raise r.fail("Excel 文件中没有工作表")
    sheet = book.worksheets[0]
    title = sheet.title
    merged = _merged_down(sheet)
    try:
        uncomputed = _uncomputed(raw, sheet)
    except WorkbookError as exc:
        raise r.fail(str(exc)) from None

    def rows():
        try:
            for n, values in enumerate(sheet.iter_rows(values_only=True), 1):
                yield n, [(f"{title}!{get_column_letter(c)}{n}", merged.get((n, c), uncomputed.get((n, c), v)))
                          for c, v in enumerate(values, 1)]
        except (KeyError, ValueError, OSError, TypeError) as exc:
            raise r.fail(f"Excel 文件已损坏（{type(exc).__name__}）") from None
        finally:
            book.close()

    return rows()


def read_list(path: str | FsPath, missing_glyphs: Callable[[str], list[str]] | None = None) -> DelegateList:
    """The delegates of a .csv or .xlsx list, or ``DataError`` naming every problem with its row."""
    path = FsPath(path)
    r = _Reader(str(path), missing_glyphs)
    suffix = path.suffix.lower()
    if suffix in (".xls", ".et", ".ods", ".numbers"):
        raise r.fail("请在 Excel/WPS 中把名单另存为 .xlsx 或 .csv 再用 (only .xlsx and .csv are read)")
    if suffix not in (".csv", ".txt", ".xlsx", ".xlsm"):
        raise r.fail("名单应是 .csv 或 .xlsx 文件 (a delegate list is a .csv or an .xlsx)")
    xlsx = suffix in (".xlsx", ".xlsm")
    try:
        raw = read_regular(path, MAX_XLSX_BYTES if xlsx else MAX_CSV_BYTES)
    except InputError as exc:
        raise r.fail(str(exc)) from None
    note = None
    if xlsx:
        rows = _xlsx_rows(raw, r)
    else:
        rows, note = _csv_rows(raw, r)
    delegates, width = _delegates(rows, r, xlsx)
    if r.problems:
        raise DataError(r.problems[:50])
    return DelegateList(str(path), tuple(delegates), width, note)


def _at(line: int, cell: str, xlsx: bool, label: str) -> tuple[int | None, str]:
    return (None, cell) if xlsx else (line, label)


def _header(rows, r: _Reader, xlsx: bool):
    """The header row (the first, within ``HEADER_ROWS``, that names a 姓名 column) and the
    column of each known header."""
    seen = []
    for line, cells in rows:
        keys = [_key(v) for _, v in cells]
        if any(keys):
            seen.append((line, cells, keys))
        if any(HEADERS.get(k) == "name" for k in keys):
            columns: dict[str, int] = {}
            for i, k in enumerate(keys):
                col = HEADERS.get(k)
                if col is None:
                    continue
                if col in columns:
                    raise r.fail(f"有两列都是 “{COLUMNS[col][0]}”（{col}）：请只留一列", *_where(line, cells[i][0], xlsx))
                columns[col] = i
            return columns, line
        if len(seen) >= HEADER_ROWS or (seen and line >= HEADER_ROWS):
            break
    if not seen:
        raise r.fail("名单是空的：没有列名，也没有代表 (0 rows)", 1 if not xlsx else None)
    line, cells, keys = seen[0]
    shown = "、".join(_text(v) for _, v in cells if _text(v))[:80]
    raise r.fail(f"找不到 “姓名” 列（name）；列名行应有 份号、姓名、代表团/组别、邮箱，现有：{shown}",
                 *_where(line, cells[0][0], xlsx))


def _where(line: int, cell: str, xlsx: bool) -> tuple[int | None, str]:
    return (None, cell) if xlsx else (line, "")


def _delegates(rows, r: _Reader, xlsx: bool) -> tuple[list[Delegate], int]:
    columns, header_line = _header(rows, r, xlsx)
    numbered = "number" in columns
    delegates: list[Delegate] = []
    taken: dict[int, str] = {}
    width = 3
    for line, cells in rows:
        def value(col: str) -> tuple[str, tuple[int | None, str], object]:
            i = columns.get(col)
            if i is None or i >= len(cells):
                cell = cells[0][0] if cells else ""
                return "", _at(line, _cell_name(cell, i), xlsx, COLUMNS[col][0]), None
            cell, raw = cells[i]
            return _text(raw), _at(line, cell, xlsx, COLUMNS[col][0]), raw

        if not any(_text(v) or isinstance(v, _Uncomputed) for _, v in cells):
            continue  # a blank row (Excel keeps some at the end)
        if len(delegates) + len(r.problems) >= MAX_ROWS:
            raise r.fail(f"名单超过 {MAX_ROWS} 行", line if not xlsx else None)
        unknown = [cells[i] for i in columns.values() if i < len(cells) and isinstance(cells[i][1], _Uncomputed)]
        for cell, formula in unknown:
            r.problem((None, cell), f"单元格是公式 {clip(str(formula), 40)}，文件里却没有它的结果（名单由程序生成、"
                                    f"未经 Excel 保存）：请在 Excel 或 WPS 中打开名单并保存，或把公式换成它的值"
                                    f" (a formula saved without its value)")
        if unknown:
            continue
        name, at_name, _ = value("name")
        where_text = f"{r.path} {at_name[1]}" if xlsx else f"{r.path}:{line}"
        ok = True
        if not name:
            r.problem(at_name, "姓名为空 (empty name)")
            ok = False
        elif not r.check_text(at_name, "姓名", name, MAX_NAME):
            ok = False
        group, at_group, _ = value("group")
        if group and not r.check_text(at_group, "代表团/组别", group, MAX_GROUP):
            ok = False
        email, at_email, _ = value("email")
        if email and not _EMAIL.match(email):
            r.problem(at_email, f"邮箱 “{clip(email, 40)}” 不是有效的电子邮件地址")
            ok = False
        if numbered:
            text, at_number, raw = value("number")
            number = _number(text, raw)
            if number is None:
                r.problem(at_number, f"份号应为 1 到 {MAX_NUMBER} 的整数，得到 “{clip(text, 20)}”" if text else
                          "份号为空：有份号列时，每位代表都要有份号")
                ok = False
            elif number in taken:
                r.problem(at_number, f"份号 {number} 重复：与 {taken[number]} 相同 (duplicate 份号)")
                ok = False
            else:
                taken[number] = where_text
                digits = unicodedata.normalize("NFKC", text)
                width = max(width, len(digits) if digits.isdigit() else 0)
        else:
            number = len(delegates) + 1
        if ok:
            delegates.append(Delegate(number, name, group or None, email or None, where_text))
    if not delegates and not r.problems:
        raise r.fail(f"名单中没有代表：第 {header_line} 行的列名之后没有一行姓名 (0 rows)",
                     None if xlsx else header_line + 1)
    width = max(width, len(str(max((d.number for d in delegates), default=1))))
    return delegates, width


def _cell_name(cell: str, column: int | None) -> str:
    """The cell a missing value would be in: the row's sheet and row, the column's letter."""
    if "!" not in cell or column is None:
        return cell
    from openpyxl.utils import get_column_letter

    sheet, ref = cell.split("!")
    row = re.sub(r"^[A-Z]+", "", ref)
    return f"{sheet}!{get_column_letter(column + 1)}{row}"


def _number(text: str, raw) -> int | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, float) and not raw.is_integer():
        return None
    digits = unicodedata.normalize("NFKC", text)
    if not digits.isascii() or not digits.isdigit():
        return None
    n = int(digits)
    return n if 1 <= n <= MAX_NUMBER else None
