"""The checks of single values that pydantic's own types cannot say: what a figure, a year and a
date may be written as in a data file, and the message when they are not.

Apart from the field rules (``data.rules``, which name them in the model's annotations) because
pydantic-core calls them from the schema pydantic made at development time (``data.validator``):
the check of a data file imports these and the model, never pydantic.
"""

from __future__ import annotations

import datetime as dt
import math
import re

from .model import YEARS
from .numbers import Unquoted, Written, _plain, shown

__all__ = ["a_date", "a_number", "a_year"]


def a_number(value):
    """Only real numbers: YAML's ``true`` or a quoted "15" must not pass as a figure."""
    if isinstance(value, Written):
        return value
    if isinstance(value, Unquoted):
        return Written(value)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"需要数字，得到 {shown(value)}")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"需要有限的数字，得到 {value}")
    return Written(str(value) if isinstance(value, int) else _plain(value))


def a_year(value):
    """A year is a plain integer in reason: YAML's ``true`` (1), a quoted "2023" or 2023.0 is not."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"年份需要整数（如 2023，不加引号），得到 {shown(value)}")
    if not YEARS[0] <= value <= YEARS[1]:
        raise ValueError(f"年份应在 {YEARS[0]} 到 {YEARS[1]} 之间，得到 {value}")
    return value


def a_date(value):
    """A date is a YAML date (2023-03-20), or the same written in quotes; never a number (which
    pydantic would read as seconds since 1970) and never a date with a time of day."""
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        try:
            value = dt.date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(f"不是有效的日期：{shown(value)}（格式 YYYY-MM-DD）") from None
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise ValueError(f"需要日期（格式 YYYY-MM-DD，如 2023-03-20），得到 {shown(value)}")
    if not YEARS[0] <= value.year <= YEARS[1]:
        raise ValueError(f"日期的年份应在 {YEARS[0]} 到 {YEARS[1]} 之间，得到 {value.isoformat()}")
    return value
