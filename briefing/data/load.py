"""Load a data file: safe YAML → plain values with positions → checked ``Briefing``.

Every problem is reported as ``file:line:column field.path: message`` in Chinese (field names
stay in English, as typed in the file), and all problems of a file come at once. The check
against the model (``data.validator``, pydantic-core) can run in another process (``check``): a
rebuild's finishing worker checks the values while this process prepares the layout.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path as FsPath
from typing import Any, Callable

import yaml

from ..errors import DataError, InputError, Problem, clip, named_char, printable
from ..files import read_regular
from .model import Briefing
from .numbers import Unquoted, Written, format_number

MAX_BYTES = 2 * 1024 * 1024  # a year's data is ~20 KB; anything near this is a mistake
MAX_NODES = 200_000  # refuses alias "billion laughs" expansions long before memory suffers
MAX_DEPTH = 32  # a data file nests 7 deep; YAML's composer (and ours) recurse once per level
MAX_STRING = 200_000  # characters in one text (a long article is 20,000 in all)
MAX_KEY = 100  # characters in one field name (the longest we declare has 16)

# What YAML itself refuses to read (PyYAML's Reader.NON_PRINTABLE), found before YAML does so
# that the message gives a line and column.
UNPRINTABLE = re.compile("[^\x09\x0A\x0D\x20-\x7E\x85\xA0-\uD7FF\uE000-\uFFFD\U00010000-\U0010FFFF]")
# Control characters that a double-quoted "\e", "\x1b" or "\0" can still put into a text: they
# cannot be printed, and would reach the PDF and the terminal. Tab and line breaks are spacing.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

# Plain YAML only: these are the standard tags SafeLoader resolves by itself. A Python tag
# (!!python/object …) or any custom tag is refused by name, on scalars and collections alike.
PLAIN_TAGS = frozenset(
    f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq")
)
# PyYAML's wording → what an office user can act on.
SYNTAX_HINTS = {
    "found character '\\t' that cannot start any token": "不能用 Tab 键缩进，请改用空格",
    "found character '\t' that cannot start any token": "不能用 Tab 键缩进，请改用空格",
    "mapping values are not allowed here": "这里不能出现“:”；冒号后要有空格，含冒号的文本请加引号",
    "could not find expected ':'": "缺少“:”，或缩进不一致",
    "found undefined alias": "引用了未定义的锚点（*名称）",
    "expected <block end>, but found": "缩进不一致：同一层的字段要对齐",
    "found unexpected end of stream": "引号没有配对",
    "found unknown escape character": "双引号文本中有无效的反斜杠转义，请改用单引号",
}

Loc = tuple[Any, ...]
Marks = dict[Loc, tuple[int, int]]


def field_path(loc: Loc) -> str:
    """``('results', 'answers', 2, 'value')`` → ``results.answers[2].value``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def read_text(path: FsPath) -> str:
    """The file's text, refusing what office editors get wrong before YAML ever sees it.

    Only a regular file of at most ``MAX_BYTES`` is read (a FIFO or ``/dev/zero`` is refused by
    its kind, never read); characters YAML forbids (a NUL byte, most control characters) are
    named with their line and column here, in our words.
    """
    name = str(path)
    try:
        raw = read_regular(path, MAX_BYTES)
    except InputError as exc:
        raise DataError([Problem(name, None, None, "", str(exc))]) from None
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        hint = ""
        try:
            raw.decode("gb18030")
            hint = "；该文件似乎是 GBK/GB18030 编码，请在编辑器中“另存为 UTF-8”后重试"
        except UnicodeDecodeError:
            pass
        raise DataError(
            [Problem(name, line, None, "", f"文件不是 UTF-8 编码 (not UTF-8){hint}")]
        ) from None
    if not text.strip():
        raise DataError([Problem(name, None, None, "", "文件是空的 (empty file)")])
    bad = UNPRINTABLE.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        column = bad.start() - (text.rfind("\n", 0, bad.start()) + 1) + 1
        raise DataError([Problem(name, line, column, "", f"文件中有不可打印的字符 {_code(bad.group())}，"
                                                         "YAML 文件不允许；请删除它")])
    return text


def _code(ch: str) -> str:
    """A character as a message names it: its escape and its code point, never the character."""
    return f"{printable(ch, newlines=False)}（U+{ord(ch):04X}）"


_DECIMAL = re.compile(r"[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)?")
_INTEGER = re.compile(r"[-+]?[0-9][0-9_]*")


def _figure(node: yaml.Node) -> Any:
    """A number typed in plain decimal notation, kept as typed: an int exactly (a leading zero is
    not octal), any other a ``Written`` that prints its digits; 1e-11, which YAML 1.1 reads as
    text, an ``Unquoted`` string that a figure field takes as a number. None for the rest."""
    if node.style or not _DECIMAL.fullmatch(node.value):  # plain: None (PyYAML) or "" (libyaml)
        return None
    if node.tag.endswith(":int") and _INTEGER.fullmatch(node.value):
        return int(node.value.replace("_", ""), 10)
    if node.tag.endswith(":float"):
        try:
            return Written(node.value)
        except ValueError:
            return None  # too large for a float: the usual message comes from construction
    if node.tag.endswith(":str"):
        return Unquoted(node.value)
    return None


_SPECIAL_FLOAT = re.compile(r"[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)")


def _other_notation(node: yaml.Node) -> str | None:
    """A plain scalar YAML 1.1 reads as a number in a notation no clerk means: 1:20 (a ratio or
    a time) as the base-60 number 80, 0x10 as 16, 0b101 as 5. Kept as the text typed, so that a
    figure field names it (需要数字) and a text field prints it, never a number it did not say.
    (.inf and .nan stay numbers: the model refuses them by name.)"""
    if (node.style or not node.tag.endswith((":int", ":float"))
            or _DECIMAL.fullmatch(node.value) or _SPECIAL_FLOAT.fullmatch(node.value)):
        return None
    return node.value


class _Composer:
    """Turns a composed YAML node tree into plain values while recording where each came from."""

    def __init__(self, loader: yaml.SafeLoader, file: str):
        self.loader = loader
        self.file = file
        self.marks: Marks = {}
        self.problems: list[Problem] = []
        self.nodes = 0

    def value(self, node: yaml.Node, loc: Loc) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise DataError(
                [Problem(self.file, None, None, "", f"文件展开后过大（超过 {MAX_NODES} 个节点，可能是锚点/别名嵌套）")]
            )
        if len(loc) > MAX_DEPTH:  # aliases can nest what the text does not: checked again here
            raise DataError([self._at(node, loc[:MAX_DEPTH], _too_deep())])
        self.marks.setdefault(loc, (node.start_mark.line + 1, node.start_mark.column + 1))
        if node.tag not in PLAIN_TAGS:
            self.problems.append(self._at(node, loc, f"不允许的 YAML 标签 {node.tag}（只接受普通 YAML）"))
            return None
        if isinstance(node, yaml.MappingNode):
            out: dict[str, Any] = {}
            for key_node, value_node in node.value:
                if key_node.tag.endswith(":merge"):
                    self.problems.append(self._at(key_node, loc, "不支持 YAML 合并键 <<：请把字段逐项写出"
                                                                 " (merge keys are not supported)"))
                    continue
                if isinstance(key_node, yaml.ScalarNode):
                    key = key_node.value  # as typed: a key ~, yes or 2023 is named so, not None, True or 2023
                else:
                    key = str(self.loader.construct_object(key_node))
                if len(key) > MAX_KEY:
                    self.problems.append(self._at(key_node, loc, f"字段名太长（{len(key)} 个字符，上限 {MAX_KEY}）："
                                                                 f"{clip(key, 30)}"))
                    continue
                here = loc + (key,)
                if key in out:
                    line = key_node.start_mark.line + 1
                    self.problems.append(
                        Problem(self.file, line, key_node.start_mark.column + 1, field_path(here),
                                "重复的字段 (duplicate key)")
                    )
                    continue
                self.marks[here] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
                out[key] = self.value(value_node, here)
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self.value(item, loc + (i,)) for i, item in enumerate(node.value)]
        if len(node.value) > MAX_STRING:
            self.problems.append(self._at(node, loc, f"文本过长（{len(node.value)} 个字符，上限 {MAX_STRING}）"))
            return None
        figure = _figure(node)
        if figure is not None:
            return figure
        typed = _other_notation(node)
        if typed is not None:
            return typed
        try:
            value = self.loader.construct_object(node)
        except (ValueError, OverflowError, yaml.constructor.ConstructorError):
            if node.tag.endswith(":timestamp"):
                msg = f"不是有效的日期：{clip(node.value)}（格式 YYYY-MM-DD）"
            else:
                msg = f"无法读取该值：{clip(node.value)}"
            self.problems.append(self._at(node, loc, msg))
            return None
        if isinstance(value, str):
            bad = CONTROL.search(value)
            if bad:
                self.problems.append(self._at(node, loc, f"文本中有控制字符 {_code(bad.group())}，印不出来；请删除它"
                                                         "（制表符和换行除外）"))
                return None
        return value

    def _at(self, node: yaml.Node, loc: Loc, message: str) -> Problem:
        return Problem(self.file, node.start_mark.line + 1, node.start_mark.column + 1, field_path(loc), message)


def parse_yaml(text: str, file: str) -> tuple[Any, Marks]:
    """Plain YAML only (SafeLoader: no Python tags), with the position of every field.

    libyaml's parser (when PyYAML has it) reads the file several times faster; a file with any
    problem is read again by PyYAML's own parser, whose messages the hints below are written
    for, so a user sees the same message on every machine.
    """
    fast = getattr(yaml, "CSafeLoader", None)
    if fast is not None:
        try:
            return _compose(fast, text, file)
        except DataError:
            pass
    return _compose(yaml.SafeLoader, text, file)


def _too_deep() -> str:
    return f"嵌套过深（超过 {MAX_DEPTH} 层；数据文件只有 7 层左右）"


def _within_depth(loader: yaml.SafeLoader, file: str) -> None:
    """Read the events once, refusing nesting beyond ``MAX_DEPTH`` before anything recurses:
    PyYAML's composer calls itself once per level (600 nested lists end in RecursionError)."""
    depth = 0
    while loader.check_event():
        event = loader.get_event()
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                mark = event.start_mark
                raise DataError([Problem(file, mark.line + 1, mark.column + 1, "", _too_deep())])
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1


def _compose(loader_class, text: str, file: str) -> tuple[Any, Marks]:
    loader = None
    try:
        loader = loader_class(text)
        _within_depth(loader, file)
        loader.dispose()
        loader = loader_class(text)
        node = loader.get_single_node()
        if node is None:
            raise DataError([Problem(file, None, None, "", "文件里没有数据 (no data)")])
        composer = _Composer(loader, file)
        data = composer.value(node, ())
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (None, None)
        what = exc.problem or ""
        hint = next((h for k, h in SYNTAX_HINTS.items() if what.startswith(k)), None)
        msg = f"YAML 语法错误：{hint}（{what}）" if hint else f"YAML 语法错误：{what}"
        raise DataError([Problem(file, line, col, "", msg)]) from None
    except yaml.YAMLError as exc:
        raise DataError([Problem(file, None, None, "", f"YAML 语法错误：{exc}")]) from None
    finally:
        if loader is not None:
            loader.dispose()
    if composer.problems:
        raise DataError(composer.problems)
    if not isinstance(data, dict):
        raise DataError([Problem(file, 1, 1, "", f"顶层应是字段映射（meeting: …），得到{_kind(data)}")])
    return data, composer.marks


def _kind(value: Any) -> str:
    return {list: "列表", dict: "映射", str: "文本", int: "数字", float: "数字", bool: "布尔值"}.get(
        type(value), type(value).__name__)


def _locate(loc: Loc, marks: Marks) -> tuple[int | None, int | None]:
    for cut in range(len(loc), -1, -1):
        if loc[:cut] in marks:
            return marks[loc[:cut]]
    return None, None


def _problem(file: str, loc: Loc, message: str, marks: Marks) -> Problem:
    line, col = _locate(loc, marks)
    return Problem(file, line, col, field_path(loc), message)


def _items(value: Any, key: str) -> list[tuple[int, dict]]:
    seq = value.get(key) if isinstance(value, dict) else None
    return [(i, v) for i, v in enumerate(seq) if isinstance(v, dict)] if isinstance(seq, list) else []


def _num(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def cross_check(data: Any, flagged: frozenset[Loc] = frozenset()) -> list[tuple[Loc, str]]:
    """Rules that span fields, on the raw values so they are reported with everything else.

    Unique ids; one unit per chart; shares and growth rates in %; links to 2022 figures that
    exist and compare like with like. A unit already reported (``flagged``: the places of the
    problems found so far) is not compared again: its own message says what to fix.
    """
    problems: list[tuple[Loc, str]] = []
    seen: dict[str, Loc] = {}

    def unique(ident: Any, loc: Loc) -> None:
        if not isinstance(ident, str):
            return
        if ident in seen:
            problems.append((loc, f"id “{ident}” 重复，已在 {field_path(seen[ident])} 使用"))
        else:
            seen[ident] = loc

    results = data.get("results") if isinstance(data, dict) else None
    plan = data.get("plan") if isinstance(data, dict) else None
    year = results.get("year", "上一") if isinstance(results, dict) else "上一"
    metrics: dict[str, dict] = {}
    places: dict[str, Loc] = {}
    for i, answer in _items(results, "answers"):
        base = ("results", "answers", i)
        unique(answer.get("id"), base + ("id",))
        charts: dict[str, Any] = {}
        for j, metric in _items(answer, "metrics"):
            here = base + ("metrics", j)
            unique(metric.get("id"), here + ("id",))
            if isinstance(metric.get("id"), str):
                metrics.setdefault(metric["id"], metric)
                places.setdefault(metric["id"], here)
            unit, kind, value = metric.get("unit", ""), metric.get("kind", "amount"), metric.get("value")
            if kind in ("growth", "share") and unit != "%":
                problems.append((here + ("unit",), f"kind 为 {kind} 的指标单位必须是 %，得到 “{unit}”"))
            if kind == "share" and _num(value) and not 0 <= value <= 100:
                problems.append((here + ("value",), f"占比应在 0 到 100 之间，得到 {format_number(value)}"))
            chart = metric.get("chart")
            if isinstance(chart, str) and kind == "amount":
                first = charts.setdefault(chart, unit)
                if first != unit:
                    problems.append((here + ("unit",), f"同一图表“{chart}”的单位必须相同：{first} 与 {unit}"))
    problems += _parts_check(results, metrics)
    for i, path in _items(plan, "paths"):
        unique(path.get("id"), ("plan", "paths", i, "id"))
        for j, target in _items(path, "targets"):
            for k, q in _items(target, "quantities"):
                here = ("plan", "paths", i, "targets", j, "quantities", k)
                ref = q.get("baseline")
                if not isinstance(ref, str):
                    continue
                base_metric = metrics.get(ref)
                if base_metric is None:
                    import difflib

                    close = difflib.get_close_matches(ref, list(metrics), n=1)
                    hint = f"，是不是想写 {close[0]}？" if close else ""
                    problems.append((here + ("baseline",), f"找不到 id 为 “{ref}” 的{year}年指标{hint}"))
                elif (base_metric.get("unit", "") != q.get("unit", "") and not q.get("baseline_note")
                      and places[ref] + ("unit",) not in flagged and here + ("unit",) not in flagged):
                    problems.append((here + ("baseline",),
                                     f"与所对应的指标单位不同（{base_metric.get('unit', '')} 与 {q.get('unit', '')}）："
                                     "请改正单位，或用 baseline_note 说明两者如何对照"))
    return problems


def _parts_check(results: Any, metrics: dict[str, dict]) -> list[tuple[Loc, str]]:
    """A part (``part_of``) names another figure of the same unit that is at least as large."""
    problems: list[tuple[Loc, str]] = []
    for i, answer in _items(results, "answers"):
        for j, metric in _items(answer, "metrics"):
            ref = metric.get("part_of")
            if not isinstance(ref, str):
                continue
            here = ("results", "answers", i, "metrics", j, "part_of")
            whole = metrics.get(ref)
            if whole is None:
                import difflib

                close = difflib.get_close_matches(ref, list(metrics), n=1)
                hint = f"，是不是想写 {close[0]}？" if close else ""
                problems.append((here, f"找不到 id 为 “{ref}” 的指标{hint}"))
            elif whole is metric or ref == metric.get("id"):
                problems.append((here, "指标不能是它自己的一部分"))
            elif whole.get("unit", "") != metric.get("unit", ""):
                problems.append((here, f"部分与整体的单位必须相同（{metric.get('unit', '')} 与 {whole.get('unit', '')}）"))
            elif _num(metric.get("value")) and _num(whole.get("value")) and not (
                    0 <= metric["value"] <= whole["value"] and whole["value"] > 0):
                problems.append((here, f"部分（{format_number(metric['value'])}）应在 0 与整体"
                                       f"（{format_number(whole['value'])}）之间"))
    return problems


def _strings(value: Any, loc: Loc):
    if isinstance(value, str):
        yield loc, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(v, loc + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _strings(v, loc + (i,))


def glyph_problems(data: Any, missing_glyphs: Callable[[str], list[str]]) -> list[tuple[Loc, str]]:
    """Characters no booklet font can draw, each named with its code point: never tofu.

    The file's characters are judged once, all together: only where one cannot be drawn is
    each text looked at again, to name its field (a 10x file has 6,000 texts)."""
    texts = list(_strings(data, ()))
    if not missing_glyphs("".join(text for _, text in texts)):
        return []
    out = []
    for loc, text in texts:
        for ch in missing_glyphs(text):
            out.append((loc, f"字体中没有字符 {named_char(ch)}，印出来会是空白方块；请改用常用字或删除该字符"))
    return out


Checked = tuple[Briefing | None, list[tuple[Loc, str]]]  # the model, or what is wrong with the values


@dataclass(frozen=True)
class Parsed:
    """A data file's plain values (``parse_yaml``), named ``file`` in messages, with the place
    of every field."""

    file: str
    data: Any
    marks: Marks


def parse(path: str | os.PathLike[str]) -> Parsed:
    return Parsed(str(path), *parse_yaml(read_text(FsPath(path)), str(path)))


def check_here(data: Any) -> Callable[[], Checked]:
    """The check of ``data`` against the model in this process, run when its result is asked
    for (the validator is made then)."""
    def result() -> Checked:
        from .validator import check

        return check(data)

    return result


def checked(parsed: Parsed, result: Callable[[], Checked],
            missing_glyphs: Callable[[str], list[str]] | None = None) -> Briefing:
    """The model of ``parsed``, or ``DataError`` listing every problem in file order: the
    characters the fonts cannot draw, the check against the model (``result``: from
    ``check_here``, or the same check done elsewhere) and the rules across fields."""
    found = glyph_problems(parsed.data, missing_glyphs) if missing_glyphs else []
    doc, problems = result()
    found += problems
    found += cross_check(parsed.data, frozenset(loc for loc, _ in found))
    if found:
        # In file order, so the list reads top to bottom like the file itself.
        listed = [_problem(parsed.file, loc, msg, parsed.marks) for loc, msg in found]
        listed.sort(key=lambda p: (p.line or 0, p.column or 0))
        raise DataError(listed)
    assert doc is not None
    return doc


def load(path: str | os.PathLike[str],
         missing_glyphs: Callable[[str], list[str]] | None = None) -> Briefing:
    """Read, parse and check one data file, or raise ``DataError`` listing every problem.

    ``missing_glyphs`` (from the fonts stage) reports characters the fonts cannot draw, so they
    are found here, with their position in the file, before any layout.
    """
    return load_text(read_text(FsPath(path)), str(path), missing_glyphs)


def load_text(text: str, file: str, missing_glyphs: Callable[[str], list[str]] | None = None) -> Briefing:
    """``load`` of a data file's text, named ``file`` in messages: also a text about to be
    written (``import … --into``), checked before it replaces a good file."""
    parsed = Parsed(file, *parse_yaml(text, file))
    return checked(parsed, check_here(parsed.data), missing_glyphs)
