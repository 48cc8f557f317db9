"""Reading one cell: numbers as users write them (decimal comma, spaces between thousands,
a percent sign, a Unicode minus) and the usual marks of a missing value.

Example
-------
>>> [parse_number(s) for s in ["4,7", "13 153,4", "1.234.567", "−2.5", "12%", "", "н/д", 7]]
[4.7, 13153.4, 1234567.0, -2.5, 12.0, None, None, 7.0]
>>> parse_number("abc")
Traceback (most recent call last):
...
turaqty.io.cells.CellError: not_numeric
"""
from __future__ import annotations

import math
import numbers
import re
from decimal import Decimal

import numpy as np

MISSING_MARKS = frozenset({
    "", "-", "–", "—", "..", "...", "…", "x", "х", "na", "n/a", "nan", "null", "none",
    "н/д", "нд", "нет данных", "мәлімет жоқ", "жоқ",
})
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009\u2007\u200b\ufeff']+")
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_THOUSANDS = {",": re.compile(r"[+-]?\d{1,3}(,\d{3})+"), ".": re.compile(r"[+-]?\d{1,3}(\.\d{3})+")}
_INFINITE = frozenset({"inf", "+inf", "-inf", "infinity", "+infinity", "-infinity", "∞", "-∞"})


class CellError(ValueError):
    """A cell that is not a number: ``args[0]`` is ``not_numeric`` or ``infinite``."""


def uses_thousands_comma(cells) -> bool:
    """Whether a column writes thousands with commas ("12,345,678" or "1,234.5"), so that
    a lone "1,234" in it is 1234, not 1.234.

    >>> uses_thousands_comma(["1,234", "12,345,678"]), uses_thousands_comma(["1,234", "0,5"])
    (True, False)
    """
    for cell in cells:
        if isinstance(cell, str):
            s = _SPACES.sub("", cell)
            if _THOUSANDS[","].fullmatch(s) and s.count(",") > 1:
                return True
            if "," in s and "." in s and s.rfind(".") > s.rfind(","):
                return True
    return False


def parse_number(cell, thousands_comma: bool = False) -> float | None:
    """The number in ``cell`` (text or a number), ``None`` if it marks a missing value.
    A single comma is a decimal comma unless ``thousands_comma`` (see
    :func:`uses_thousands_comma`)."""
    if cell is None:
        return None
    if isinstance(cell, (bool, np.bool_)):
        raise CellError("not_numeric")
    if isinstance(cell, (numbers.Real, np.number, Decimal)):
        x = float(cell)
        if math.isnan(x):
            return None
        if math.isinf(x):
            raise CellError("infinite")
        return x
    if not isinstance(cell, str):
        raise CellError("not_numeric")
    if type(cell).__name__ == "Formula":  # see turaqty.io.tables.Formula
        raise CellError("formula")
    s = _SPACES.sub("", cell).replace("−", "-").replace("\u2013", "-")
    if s.lower() in MISSING_MARKS or cell.strip().lower() in MISSING_MARKS:
        return None
    if s.lower() in _INFINITE:
        raise CellError("infinite")
    s = s.removesuffix("%")
    if "," in s and "." in s:
        thousands, decimal = (".", ",") if s.rfind(",") > s.rfind(".") else (",", ".")
        s = s.replace(thousands, "").replace(decimal, ".")
    elif s.count(",") == 1 and not (thousands_comma and _THOUSANDS[","].fullmatch(s)):
        s = s.replace(",", ".")
    elif thousands_comma and _THOUSANDS[","].fullmatch(s):
        s = s.replace(",", "")
    else:
        for sep, pattern in _THOUSANDS.items():
            if s.count(sep) > 1 and pattern.fullmatch(s):
                s = s.replace(sep, "")
    if not _NUMBER.fullmatch(s):
        raise CellError("not_numeric")
    x = float(s)
    if math.isinf(x):
        raise CellError("infinite")
    return x
