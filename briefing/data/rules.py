"""The rules of the model's fields, as pydantic reads them, and the messages of a check that fails.

``data.model`` declares each field once, as a dataclass field whose annotation names its type
and limits here (``rules.Number``, ``rules.Field(max_length=…, description=…)``). pydantic
reads those annotations when it generates the model's schema: at development time for the
check of a data file (``data.validator``, which ships that schema), and for the editors' JSON
Schema. A process that checks a good file never imports this module. Every message a user
sees is worded here, in Chinese, with the field names as typed in the file.
"""

from __future__ import annotations

import datetime as dt
import functools
import typing
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, PlainValidator, TypeAdapter, ValidationError

from .model import YEARS, Briefing
from .numbers import shown
from .values import a_date, a_number, a_year

__all__ = ["Date", "Field", "Id", "MetricId", "Number", "Title", "Year", "core_schema", "json_schema",
           "problems", "validate", "validator"]

Loc = tuple[Any, ...]


# Plain: pydantic's own float check would turn the Written back into a bare float.
Number = Annotated[float, PlainValidator(a_number, json_schema_input_type=float)]


Year = Annotated[int, Field(ge=YEARS[0], le=YEARS[1]), BeforeValidator(a_year)]
Date = Annotated[dt.date, BeforeValidator(a_date)]
Id = Annotated[str, Field(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$",
                          description="英文标识：字母、数字、-、_、.")]
Title = Annotated[str, Field(min_length=1, max_length=120)]
# A metric's id may also be Chinese (新增城镇就业): `briefing import` derives ids from the labels,
# and a clerk reads 基数 “新增城镇就业” in Excel more easily than a transliteration.
MetricId = Annotated[str, Field(min_length=1, max_length=80,
                                pattern=r"^[A-Za-z0-9\u3400-\u9fff][A-Za-z0-9\u3400-\u9fff_.-]*$",
                                description="标识：字母、数字、汉字、-、_、.")]


@functools.cache
def _adapter(model: type) -> TypeAdapter:
    """pydantic's validator of a model class, built once a process (30 ms for ``Briefing``)."""
    return TypeAdapter(model)


def validate(model: type, values: Any):
    """``values`` as an instance of ``model`` (any class of ``data.model``), or pydantic's
    ``ValidationError`` (a ``ValueError``)."""
    return _adapter(model).validate_python(values)


def validator(model: type):
    """pydantic-core's validator of ``model``, as pydantic builds it from the annotations."""
    return _adapter(model).validator


def core_schema(model: type) -> dict:
    """The schema pydantic generated for ``model``, which its validator is made from (shipped
    for ``Briefing``: ``data.validator``)."""
    return _adapter(model).core_schema


def json_schema() -> dict:
    return _adapter(Briefing).json_schema()


def problems(exc: ValidationError) -> list[tuple[Loc, str]]:
    """Every problem of a failed check, each at its place in the file (``loc``), in a user's words."""
    return [(tuple(e["loc"]), _message(e)) for e in exc.errors()]


def _fields(model: type) -> dict[str, Any]:
    """A model class's fields and their types (annotations resolved: this reads ``rules``)."""
    return typing.get_type_hints(model) if hasattr(model, "__dataclass_fields__") else {}


def _model_at(loc: Loc) -> type | None:
    """The model class that owns the mapping at ``loc`` (for "did you mean" hints)."""
    model: Any = Briefing
    for part in loc:
        if isinstance(part, int):
            continue
        annotation = _fields(model).get(part)
        if annotation is None:
            return None
        model = _unwrap(annotation)
    return model if _fields(model) else None


def _unwrap(annotation: Any) -> Any:
    """``Optional[list[Metric]]`` → ``Metric``."""
    while True:
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if not args:
            return annotation
        annotation = args[0]


def _message(err: dict[str, Any]) -> str:
    kind = err["type"]
    given = err.get("input")
    loc = err["loc"]
    if kind == "missing":
        return "缺少必填字段 (required)"
    if kind in ("extra_forbidden", "unexpected_keyword_argument"):
        model = _model_at(loc[:-1])
        hint = ""
        if model is not None:
            import difflib  # here: only a mistake needs it (4 ms of every build's start)

            close = difflib.get_close_matches(str(loc[-1]), list(_fields(model)), n=1, cutoff=0.6)
            if close:
                hint = f"，是不是想写 {close[0]}？"
        return f"未知字段 (unknown key){hint}"
    if kind in ("float_parsing", "float_type", "int_parsing", "int_type", "int_from_float"):
        need = "整数" if kind.startswith("int") else "数字"
        return f"需要{need}，得到 {shown(given)}"
    if kind in ("string_type",):
        return f"需要文本，得到 {shown(given)}"
    if kind.startswith("date"):
        return f"需要日期（格式 YYYY-MM-DD，如 2023-03-20），得到 {shown(given)}"
    if kind in ("list_type",):
        return f"需要列表（每项以 - 开头），得到 {shown(given)}"
    if kind in ("model_type", "model_attributes_type", "dict_type", "dataclass_type", "dataclass_exact_type"):
        return f"需要字段映射（key: value），得到 {shown(given)}"
    if kind == "literal_error":
        allowed = err.get("ctx", {}).get("expected", "").replace(" or ", ", ")
        return f"取值无效：{shown(given)}，只能是 {allowed} 之一"
    if kind == "too_short":
        return "至少需要一项 (must not be empty)"
    if kind == "string_too_short":
        return "不能为空 (must not be empty)"
    if kind == "string_too_long":
        limit = err.get("ctx", {}).get("max_length")
        return f"太长：{len(given)} 个字，上限 {limit} 个字"
    if kind == "string_pattern_mismatch":
        chinese = "\u3400" in str(err.get("ctx", {}).get("pattern", ""))  # a metric id (MetricId)
        allowed = "字母、数字、汉字" if chinese else "英文字母、数字"
        return f"id 只能用{allowed}和 - _ .，得到 {shown(given)}"
    if kind in ("greater_than_equal", "less_than_equal"):
        return f"数值超出范围：{shown(given)}"
    if kind == "value_error":
        return str(err.get("ctx", {}).get("error", err["msg"]))
    return err["msg"]
