"""Aggregation: the children of each node (indicators or lower aggregates) into its value.

The registry :data:`AGGREGATION` maps a method name to
``f(values, *, membership, weights=None, min_share=0.0, share_by="count", ...) -> Result``
that computes a whole level in one array pass. ``values`` is units × children;
``membership`` is children × parents (True/1 where a child belongs to a parent; a child
may belong to several). ``weights`` are per child (one number each) or per child and
parent (children × parents); a parent's weights are renormalised over its children with
a value, so a missing child leaves the others' weights in proportion (COINr's ``a_amean``
and friends). ``min_share`` is the data-availability threshold: a parent whose share of
children with a value is *below* it gets NaN (COINr's ``dat_thresh``); the share counts
children (``share_by="count"``, COINr's rule) or their weights (``share_by="weight"``).

* ``sum``: Σ wᵢxᵢ, NaN when a child is missing
* ``arithmetic``: Σ wᵢxᵢ / Σ wᵢ
* ``geometric``: exp(Σ wᵢ log xᵢ / Σ wᵢ), for values > 0
* ``harmonic``: Σ wᵢ / Σ (wᵢ / xᵢ), for values ≠ 0
* ``generalised``: (Σ wᵢ xᵢᵖ / Σ wᵢ)^(1/p), p ≠ 0 (p = 1 arithmetic, −1 harmonic; for
  p < 0 values must be > 0)

Example (two parents: children 0–1 and child 2; unit 2 lacks child 1)
-------
>>> import numpy as np
>>> scores = np.array([[1.0, 9.0, 5.0], [3.0, np.nan, 7.0]])
>>> membership = np.array([[True, False], [True, False], [False, True]])
>>> arithmetic(scores, membership=membership).values.tolist()
[[5.0, 5.0], [3.0, 7.0]]
>>> arithmetic(scores, membership=membership, min_share=0.75).values.tolist()
[[5.0, 5.0], [nan, 7.0]]
>>> integral_sum(pillar_means(scores, membership)).tolist()
[10.0, 10.0]
"""
from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from turaqty.core.registry import ParameterError, Registry, Result, as_matrix, check_choice, check_number

SHARE_BY = ("count", "weight")


def weight_matrix(membership: Any, weights: Any, n_children: int) -> tuple[np.ndarray, np.ndarray]:
    """Children × parents membership (0/1) and weights: membership times the weights (1 if
    None).

    >>> weight_matrix([[1, 0], [1, 1]], [2.0, 3.0], 2)[1].tolist()
    [[2.0, 0.0], [3.0, 3.0]]
    """
    member = np.asarray(membership)
    if member.ndim != 2 or member.shape[0] != n_children:
        raise ParameterError("membership", f"array of shape {member.shape}",
                             f"must have one row per child ({n_children}) and one column per "
                             "parent")
    member = member.astype(np.float64)
    if not np.isin(member, (0.0, 1.0)).all():
        raise ParameterError("membership", "values other than 0/1", "may only hold True/False")
    if weights is None:
        return member, member
    w = np.asarray(weights, dtype=np.float64)
    if w.shape not in ((n_children,), member.shape):
        raise ParameterError("weights", f"array of shape {w.shape}",
                             f"must have one weight per child ({n_children}) or per child and "
                             f"parent {member.shape}")
    if not np.isfinite(w).all() or (w < 0).any():
        raise ParameterError("weights", "a negative or missing weight",
                             "must be finite numbers ≥ 0")
    return member, member * (w[:, None] if w.ndim == 1 else w)


class _Level(NamedTuple):
    """Checked inputs of one level and what every mean needs."""

    values: np.ndarray
    member: np.ndarray  # children × parents, 0/1
    w: np.ndarray  # children × parents weights
    available: np.ndarray  # units × children: has a value
    weight_present: np.ndarray  # units × parents: Σ wᵢ over the children with a value
    params: dict


def _level(values: Any, membership: Any, weights: Any, min_share: Any, share_by: str) -> _Level:
    values = as_matrix(values)
    member, w = weight_matrix(membership, weights, values.shape[1])
    min_share = check_number("min_share", min_share, low=0.0, high=1.0)
    share_by = check_choice("share_by", share_by, SHARE_BY)
    available = ~np.isnan(values)
    params = {"membership": np.asarray(membership, bool),
              "weights": None if weights is None else np.asarray(weights, np.float64),
              "min_share": min_share, "share_by": share_by}
    return _Level(values, member, w, available, available.astype(np.float64) @ w, params)


def _finish(numerator: np.ndarray, denominator: np.ndarray, level: _Level,
            transform=None) -> Result:
    """numerator / denominator (then ``transform``), NaN where no weighted child has a
    value or the share of children with a value is below ``min_share``;
    ``details["share"]`` is that share per unit and parent."""
    params = level.params
    if params["share_by"] == "weight" or params["weights"] is None:
        base, present = level.w, level.weight_present
    else:
        base, present = level.member, level.available.astype(np.float64) @ level.member
    with np.errstate(divide="ignore", invalid="ignore"):
        share = present / base.sum(axis=0)
        out = numerator / denominator
    if transform is not None:
        out = transform(out)
    out[~(level.weight_present > 0) | (share < params["min_share"])] = np.nan
    return Result(out, params, {"share": share})


def _check_values(level: _Level, bad: np.ndarray, need: str) -> None:
    """Refuse a value the mean cannot take (e.g. ≤ 0 for the geometric mean) in a child
    that enters some parent."""
    used = bad & level.available & (level.w.sum(axis=1) > 0)[None, :]
    if used.any():
        row, col = np.argwhere(used)[0]
        raise ParameterError("values", float(level.values[row, col]),
                             f"(unit {row}, child {col}) cannot be aggregated: {need}")


def _transformed(level: _Level, f) -> np.ndarray:
    """f(x) where a child has a value, 0 elsewhere and in children that enter no parent (so
    that their log of 0 or 1/0 does not reach a parent as 0·inf)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        out = f(level.values)
    np.copyto(out, 0.0, where=~level.available)
    out[:, ~(level.w.sum(axis=1) > 0)] = 0.0
    return out


def arithmetic(values: Any, *, membership: Any, weights: Any = None, min_share: float = 0.0,
               share_by: str = "count") -> Result:
    """Weighted arithmetic mean of each parent's available children.

    >>> arithmetic([[2.0, 4.0]], membership=[[1], [1]], weights=[3, 1]).values.tolist()
    [[2.5]]
    """
    level = _level(values, membership, weights, min_share, share_by)
    total = np.where(level.available, level.values, 0.0) @ level.w
    return _finish(total, level.weight_present, level)


def geometric(values: Any, *, membership: Any, weights: Any = None, min_share: float = 0.0,
              share_by: str = "count") -> Result:
    """Weighted geometric mean exp(Σ wᵢ log xᵢ / Σ wᵢ); values must be > 0.

    >>> geometric([[2.0, 8.0]], membership=[[1], [1]]).values.tolist()
    [[4.0]]
    """
    level = _level(values, membership, weights, min_share, share_by)
    _check_values(level, ~(level.values > 0), "the geometric mean needs values > 0")
    logs = _transformed(level, np.log)
    return _finish(logs @ level.w, level.weight_present, level, np.exp)


def harmonic(values: Any, *, membership: Any, weights: Any = None, min_share: float = 0.0,
             share_by: str = "count") -> Result:
    """Weighted harmonic mean Σ wᵢ / Σ (wᵢ / xᵢ); values must not be 0.

    >>> harmonic([[1.0, 3.0]], membership=[[1], [1]]).values.tolist()
    [[1.5]]
    """
    level = _level(values, membership, weights, min_share, share_by)
    _check_values(level, level.values == 0, "the harmonic mean needs values ≠ 0")
    inverse = _transformed(level, np.reciprocal)
    return _finish(level.weight_present, inverse @ level.w, level)


def generalised(values: Any, *, membership: Any, p: float, weights: Any = None,
                min_share: float = 0.0, share_by: str = "count") -> Result:
    """Weighted power mean (Σ wᵢ xᵢᵖ / Σ wᵢ)^(1/p), p ≠ 0 (COINr's ``a_genmean``).

    >>> generalised([[1.0, 7.0]], membership=[[1], [1]], p=2).values.tolist()
    [[5.0]]
    """
    p = check_number("p", p)
    if p == 0:
        raise ParameterError("p", p, "must not be 0 (that limit is the geometric mean)")
    level = _level(values, membership, weights, min_share, share_by)
    if p < 0:
        _check_values(level, ~(level.values > 0), "a negative p needs values > 0")
    powered = _transformed(level, lambda x: x ** p)
    level.params["p"] = p
    with np.errstate(invalid="ignore"):
        return _finish(powered @ level.w, level.weight_present, level,
                       lambda mean: mean ** (1.0 / p))


def weighted_sum(values: Any, *, membership: Any, weights: Any = None, min_share: float = 0.0,
                 share_by: str = "count") -> Result:
    """Σ wᵢxᵢ over each parent's children, NaN if one is missing (the dissertation's integral
    index: the sum of the three pillar indices, 3–27).

    >>> weighted_sum([[2.0, 4.0], [2.0, np.nan]], membership=[[1], [1]]).values.tolist()
    [[6.0], [nan]]
    """
    level = _level(values, membership, weights, min_share, share_by)
    total = np.where(level.available, level.values, 0.0) @ level.w
    complete = (level.available.astype(np.float64) @ level.member) == level.member.sum(axis=0)
    result = _finish(total, np.ones_like(total), level)
    result.values[~complete] = np.nan
    return result


AGGREGATION: Registry = {
    "sum": weighted_sum,
    "arithmetic": arithmetic,
    "geometric": geometric,
    "harmonic": harmonic,
    "generalised": generalised,
}


def pillar_means(scores: np.ndarray, membership: np.ndarray) -> np.ndarray:
    """Mean of the available scores of each pillar (regions × pillars): the unweighted
    :func:`arithmetic` mean; a region with no available score in a pillar gets NaN."""
    return arithmetic(scores, membership=membership).values


def integral_sum(pillars: np.ndarray) -> np.ndarray:
    """Sum of the pillar indices of each region (NaN if one is missing)."""
    return pillars.sum(axis=1)
