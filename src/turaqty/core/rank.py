"""Ranks: 1 = best (highest value); equal values share the better rank.

Values are compared after rounding to ``decimals`` places, so that two indices equal
in exact arithmetic tie even when floating-point sums differ in the last bit.

Example
-------
>>> import numpy as np
>>> rank_descending(np.array([5.0, 7.0, 5.0, np.nan, 1.0])).tolist()
[2.0, 1.0, 2.0, nan, 4.0]
"""
from __future__ import annotations

import numpy as np


def rank_descending(values: np.ndarray, decimals: int = 9) -> np.ndarray:
    """Competition ranks ("1224") of a 1-d array, highest first; NaN stays unranked."""
    x = np.round(values, decimals)
    valid = ~np.isnan(x)
    ordered = np.sort(x[valid])
    ranks = np.full(x.shape, np.nan)
    ranks[valid] = ordered.size - np.searchsorted(ordered, x[valid], side="right") + 1
    return ranks
