"""Levels of sustainability from index values, and the sustainability matrix.

The dissertation's bands are pillar 1–3.99 low, 4–6.99 medium, 7–9 high and integral
3–10.99 low, 11–18.99 medium, 19–27 high; on unrounded values they are the half-open
intervals [1, 4), [4, 7), [7, 9] and [3, 11), [11, 19), [19, 27].

Example
-------
>>> import numpy as np
>>> level_of(np.array([3.99, 4.0, 6.999, 7.0, np.nan]), (4.0, 7.0)).tolist()
['low', 'medium', 'medium', 'high', '']
"""
from __future__ import annotations

import numpy as np

LEVELS = ("high", "medium", "low")


def level_of(values: np.ndarray, bounds: tuple[float, float]) -> np.ndarray:
    """``low`` below ``bounds[0]``, ``high`` from ``bounds[1]``, ``medium`` between; '' for NaN."""
    lower, upper = bounds
    levels = np.where(values < lower, "low", np.where(values < upper, "medium", "high"))
    return np.where(np.isnan(values), "", levels).astype(object)
