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

from turaqty.core.registry import Result


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


def _weighted(values: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Σ w·x over the available children and Σ w over them (units × parents)."""
    available = ~np.isnan(values)
    return np.where(available, values, 0.0) @ weights, available.astype(np.float64) @ weights


def arithmetic(values: np.ndarray, *, weights: np.ndarray):
    """Weighted mean of the available children (weights renormalised over them)."""
    sums, total = _weighted(values, weights)
    with np.errstate(divide="ignore", invalid="ignore"):
        return Result(np.where(total > 0, sums / total, np.nan), {}, {})


def weighted_sum(values: np.ndarray, *, weights: np.ndarray):
    """Weighted sum of the children; NaN if one is missing."""
    sums, total = _weighted(values, weights)
    complete = np.isclose(total, weights.sum(axis=0)[None, :])
    return Result(np.where(complete & (total > 0), sums, np.nan), {}, {})


AGGREGATION = {"mean": arithmetic, "sum": weighted_sum}
