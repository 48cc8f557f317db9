"""Aggregation: pillar index = mean of its available scores; integral index = their sum.

Example
-------
>>> import numpy as np
>>> scores = np.array([[1.0, 9.0, 5.0], [3.0, np.nan, 7.0]])
>>> membership = np.array([[True, False], [True, False], [False, True]])
>>> pillar_means(scores, membership).tolist()
[[5.0, 5.0], [3.0, 7.0]]
>>> integral_sum(pillar_means(scores, membership)).tolist()
[10.0, 10.0]
"""
from __future__ import annotations

import numpy as np


def pillar_means(scores: np.ndarray, membership: np.ndarray) -> np.ndarray:
    """Mean of the available scores of each pillar (regions × pillars).

    ``membership`` is a boolean matrix (indicators × pillars) of the indicators that
    enter each pillar. A region with no available score in a pillar gets NaN.
    """
    available = ~np.isnan(scores)
    weights = membership.astype(np.float64)
    sums = np.where(available, scores, 0.0) @ weights
    counts = available.astype(np.float64) @ weights
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(counts > 0, sums / counts, np.nan)


def integral_sum(pillars: np.ndarray) -> np.ndarray:
    """Sum of the pillar indices of each region (NaN if one is missing)."""
    return pillars.sum(axis=1)
