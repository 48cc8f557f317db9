"""Denomination: indicators divided by a denominator series (per capita, per GDP, per km²).

The registry :data:`DENOMINATION` maps a method name to ``f(values, *, ...) -> Result``.
``divide`` takes ``denominators`` (units × k), ``by`` (per indicator the column of
``denominators`` to divide by, or −1 to leave the indicator as it is) and ``scale``
(per indicator or one number): x / (denominator / scale), as COINr's ``Denominate``
with its ``ScaleFactor``.

Example (GDP 400 and 500; trade 800 and 1,500; the second indicator is left alone)
-------
>>> import numpy as np
>>> r = divide(np.array([[800.0, 7.0], [1500.0, 9.0]]), denominators=np.array([[400.0], [500.0]]),
...            by=[0, -1])
>>> r.values.tolist()
[[2.0, 7.0], [3.0, 9.0]]
"""
from __future__ import annotations

from typing import Any

import numpy as np

from turaqty.core.registry import ParameterError, Registry, Result, as_matrix, per_column, unchanged


def divide(values: Any, *, denominators: Any, by: Any, scale: Any = 1.0) -> Result:
    """x / (denominator / scale) for each indicator with a denominator (``by`` ≥ 0).

    A zero denominator gives NaN (no value), not infinity.

    >>> divide([[5.0]], denominators=[[2.0]], by=[0], scale=1000).values.tolist()
    [[2500.0]]
    >>> divide([[5.0]], denominators=[[0.0]], by=[0]).values.tolist()
    [[nan]]
    """
    values = as_matrix(values)
    n, m = values.shape
    denoms = as_matrix(denominators)
    if denoms.shape[0] != n:
        raise ParameterError("denominators", f"{denoms.shape[0]} rows",
                             f"do not match the {n} units of the data")
    columns = per_column("by", by, m, allow_nan=False)
    if not (np.equal(np.mod(columns, 1), 0).all()
            and ((columns >= -1) & (columns < denoms.shape[1])).all()):
        raise ParameterError("by", by, f"must hold column numbers 0…{denoms.shape[1] - 1} "
                             "of the denominators, or −1 for none")
    factor = per_column("scale", scale, m, allow_nan=False)
    if (factor == 0).any():
        raise ParameterError("scale", scale, "must not be 0")
    columns = columns.astype(np.int64)
    out = values.copy()
    used = columns >= 0
    divisor = denoms[:, columns[used]] / factor[used]
    divisor[divisor == 0] = np.nan
    out[:, used] = values[:, used] / divisor
    return Result(out, {"denominators": denoms, "by": columns, "scale": factor}, {})


DENOMINATION: Registry = {"none": unchanged, "divide": divide}
