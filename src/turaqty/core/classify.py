"""Levels of sustainability from index values, and the sustainability matrix.

The dissertation's bands are pillar 1–3.99 low, 4–6.99 medium, 7–9 high and integral
3–10.99 low, 11–18.99 medium, 19–27 high; on unrounded values they are the half-open
intervals [1, 4), [4, 7), [7, 9] and [3, 11), [11, 19), [19, 27].

Example
-------
>>> import numpy as np
>>> level_of(np.array([3.99, 4.0, 6.999, 7.0, np.nan]), (4.0, 7.0)).tolist()
['low', 'medium', 'medium', 'high', '']
>>> level_of(np.array([3.9999999999999996]), (4.0, 7.0)).tolist()
['medium']
"""
from __future__ import annotations

import numpy as np

LEVELS = ("high", "medium", "low")


def level_of(values: np.ndarray, bounds: tuple[float, float], decimals: int = 9) -> np.ndarray:
    """``low`` below ``bounds[0]``, ``high`` from ``bounds[1]``, ``medium`` between; '' for NaN.

    Values are rounded to ``decimals`` places first, as for ranks, so that an index equal
    to a bound in exact arithmetic (4 = mean of 1, 4, 7) is not put below it by a
    floating-point error.
    """
    lower, upper = bounds
    values = np.round(values, decimals)
    levels = np.where(values < lower, "low", np.where(values < upper, "medium", "high"))
    return np.where(np.isnan(values), "", levels).astype(object)
