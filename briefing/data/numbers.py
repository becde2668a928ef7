"""Figures as the data file wrote them, and how values are quoted back to a user.

Apart from the model (``data.model``) because a chart worker draws with these and must not
pay for pydantic to read a chart's figures (``typeset.chartjob``).
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal, InvalidOperation

from ..errors import clip


def shown(value) -> str:
    """A value as an error message quotes it, in the YAML user's terms (true, 空值, 列表)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{clip(value)}"'
    if value is None:
        return "空值"
    if isinstance(value, (dict, list)):
        return "映射" if isinstance(value, dict) else "列表"
    if isinstance(value, dt.date):
        return value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value.isoformat()
    return repr(value)


class Written(float):
    """A figure as the data file wrote it: a float to compute with, and the decimal text to print.

    A float cannot hold a 30-digit figure, and its shortest form may be an exponent (1e-11):
    what is printed and searched for is the figure the clerk typed, in plain decimal notation
    (``text``). Trailing zeros typed in the file are kept (10.0 stays 10.0); an exponent is
    written out (1.5e3 → 1500, 1e-11 → 0.00000000001).
    """

    __slots__ = ("text",)

    def __new__(cls, literal: str):
        try:
            exact = Decimal(literal.replace("_", ""))
        except InvalidOperation:
            raise ValueError(f"需要数字，得到 {shown(literal)}") from None
        if not exact.is_finite():
            raise ValueError(f"需要有限的数字，得到 {literal}")
        value = float(exact)
        if not math.isfinite(value):
            raise ValueError(f"数值过大，得到 {literal}")
        self = super().__new__(cls, value)
        if "e" in literal.lower():
            exact = exact.normalize()
        self.text = format(exact, "f")
        return self

    def __reduce__(self):
        return Written, (self.text,)


class Unquoted(str):
    """A plain YAML scalar that reads as a decimal number but that YAML 1.1 leaves a string
    (1e-11, 08): a figure where a figure is expected, text where text is."""


def _plain(value: float) -> str:
    """A number that was not typed as text (a float computed or given in Python): no ``.0``, no
    exponent."""
    if value == int(value):
        return str(int(value))
    text = repr(float(value))
    if "e" in text or "E" in text:
        text = format(Decimal(text), "f")
    return text


def format_number(value: float) -> str:
    """The number as the data wrote it (``Written``); any other number without a trailing ``.0``
    or an exponent."""
    if isinstance(value, Written):
        return value.text
    return _plain(value)
