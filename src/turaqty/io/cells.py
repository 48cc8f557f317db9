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
import re

MISSING_MARKS = frozenset({
    "", "-", "–", "—", "..", "...", "…", "x", "х", "na", "n/a", "nan", "null", "none",
    "н/д", "нд", "нет данных", "мәлімет жоқ", "жоқ",
})
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009\u2007']+")
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_THOUSANDS = {",": re.compile(r"[+-]?\d{1,3}(,\d{3})+"), ".": re.compile(r"[+-]?\d{1,3}(\.\d{3})+")}
_INFINITE = frozenset({"inf", "+inf", "-inf", "infinity", "+infinity", "-infinity", "∞", "-∞"})


class CellError(ValueError):
    """A cell that is not a number: ``args[0]`` is ``not_numeric`` or ``infinite``."""


def parse_number(cell) -> float | None:
    """The number in ``cell`` (text or a number), ``None`` if it marks a missing value."""
    if cell is None:
        return None
    if isinstance(cell, bool):
        raise CellError("not_numeric")
    if isinstance(cell, (int, float)):
        x = float(cell)
        if math.isnan(x):
            return None
        if math.isinf(x):
            raise CellError("infinite")
        return x
    if not isinstance(cell, str):
        raise CellError("not_numeric")
    s = _SPACES.sub("", cell).replace("−", "-").replace("\u2013", "-")
    if s.lower() in MISSING_MARKS or cell.strip().lower() in MISSING_MARKS:
        return None
    if s.lower() in _INFINITE:
        raise CellError("infinite")
    s = s.removesuffix("%")
    if "," in s and "." in s:
        thousands, decimal = (".", ",") if s.rfind(",") > s.rfind(".") else (",", ".")
        s = s.replace(thousands, "").replace(decimal, ".")
    elif s.count(",") == 1:
        s = s.replace(",", ".")
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
