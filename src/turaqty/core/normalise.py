"""Normalisation: indicators on different units onto one comparable score scale.

The registry :data:`NORMALISATION` maps a method name to a function
``f(values, *, directions=None, ...) -> Result``; ``directions`` holds +1 (higher is
better) or −1 (higher is worse) per column (None = all +1). Each function returns the
parameters it used, including those it took from the data (bounds, means, ...), so that
calling it again with ``**result.params`` scores another year on the same scale.

* ``minmax``: a + (b − a)·(x − min)/(max − min) (direction −1: (max − x)/(max − min)),
  formulas (2) and (3) of the dissertation and COINr's ``n_minmax``; ``lower``/``upper``
  replace the data's min and max, ``clip`` keeps the scores within [a, b].
* ``goalposts``: the same with given bounds, clipped by default (SDSN, COINr's
  ``n_goalposts``); ``lower`` scores a and ``upper`` scores b for direction +1, so SDSN's
  "lower bound → 0, target → 100" needs no direction even when the lower bound is the
  larger number.
* ``zscore``: m + s·(x − mean)/sd (sample sd), COINr's ``n_zscore``.
* ``rank``: 1 for the worst value … n for the best (ties share the lowest rank by
  default), COINr's ``n_rank``.
* ``percentile``: a + (b − a)·(rank − 1)/(n − 1), COINr's ``n_prank`` on [a, b].
* ``distance_to_target``: a + (b − a)·(x − worst)/(target − worst), capped at b by
  default, COINr's ``n_dist2targ``.
* ``none``: the values as they are.

Example (Table 10, Aktobe B1 and Akmola B3)
-------
>>> import numpy as np
>>> x = np.array([[108.02, 5.9], [95.09, 9.6], [132.62, 2.7]])
>>> r = minmax(x, directions=[1, -1], scale=(1, 9))
>>> np.round(r.values[0], 3).tolist(), r.params["lower"].tolist(), r.params["upper"].tolist()
([3.756, 5.29], [95.09, 2.7], [132.62, 9.6])
"""
from __future__ import annotations

from typing import Any

import numpy as np

from turaqty.core.registry import (
    ParameterError,
    Registry,
    Result,
    as_matrix,
    check_choice,
    check_scale,
    directions_of,
    per_column,
    unchanged,
)
from turaqty.core.stats import central_sums

TIES = ("min", "max", "average")


def column_bounds(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Min and max of each column, ignoring NaN (NaN for a column with no value).

    >>> x = np.array([[1.0, np.nan], [np.nan, np.nan], [4.0, np.nan]])
    >>> [a.tolist() for a in column_bounds(x)]
    [[1.0, nan], [4.0, nan]]
    """
    if values.shape[0] == 0:
        return np.full(values.shape[1], np.nan), np.full(values.shape[1], np.nan)
    return np.fmin.reduce(values, axis=0), np.fmax.reduce(values, axis=0)


def _onto(frac: np.ndarray, scale: tuple[float, float], clip: bool) -> np.ndarray:
    """(b − a)·frac + a in place, clipped to [min(a, b), max(a, b)] if asked (NaN stays)."""
    a, b = scale
    frac *= b - a
    frac += a
    if clip:
        np.clip(frac, min(a, b), max(a, b), out=frac)
    return frac


def _fraction(values: np.ndarray, worst: np.ndarray, best: np.ndarray) -> np.ndarray:
    """(x − worst)/(best − worst) per column; NaN where best = worst. A column whose span
    overflows (values near ±1e308) is computed on halves, which gives the same fraction to
    the last bit (halving is exact there) without overflow.

    >>> x = np.array([[95.8], [1e308], [-1e308]])
    >>> _fraction(x, np.array([-1e308]), np.array([1e308])).ravel()
    array([0.5, 1. , 0. ])
    """
    with np.errstate(over="ignore", invalid="ignore"):
        span = best - worst
    huge = ~np.isfinite(span) & np.isfinite(best) & np.isfinite(worst)
    if huge.any():
        half = np.where(huge, 0.5, 1.0)
        values, worst, best = values * half, worst * half, best * half
        span = best - worst
    with np.errstate(over="ignore"):  # a value far beyond given bounds: clipped by the caller
        frac = values - worst
    with np.errstate(divide="ignore", invalid="ignore"):
        frac /= span
    frac[:, ~(span != 0)] = np.nan
    return frac


def _oriented(values: np.ndarray, directions: np.ndarray, low: np.ndarray,
              high: np.ndarray) -> np.ndarray:
    """(x − low)/(high − low) for direction +1 and (x − high)/(low − high) for −1."""
    up = directions > 0
    return _fraction(values, np.where(up, low, high), np.where(up, high, low))


def minmax(values: Any, *, directions: Any = None, scale: Any = (0.0, 100.0),
           lower: Any = None, upper: Any = None, clip: bool = False) -> Result:
    """Min–max scores on [a, b] = ``scale``; the min and max used are returned.

    A column whose min equals its max (or that is empty) gets NaN scores, and
    ``details["constant"]`` marks it.

    >>> x = np.array([[0.0, 5.0], [5.0, 5.0], [10.0, np.nan]])
    >>> r = minmax(x)
    >>> r.values.tolist(), r.details["constant"].tolist()
    ([[0.0, nan], [50.0, nan], [100.0, nan]], [False, True])
    >>> minmax([[-5.0], [20.0]], lower=[0.0], upper=[10.0], clip=True).values.ravel().tolist()
    [0.0, 100.0]
    """
    values = as_matrix(values)
    m = values.shape[1]
    d = directions_of(directions, m)
    scale = check_scale("scale", scale)
    lo = None if lower is None else per_column("lower", lower, m)
    hi = None if upper is None else per_column("upper", upper, m)
    if lo is None or hi is None:
        own_lower, own_upper = column_bounds(values)
        lo = own_lower if lo is None else lo
        hi = own_upper if hi is None else hi
    frac = _oriented(values, d, lo, hi)
    params = {"directions": d, "scale": scale, "lower": lo, "upper": hi, "clip": bool(clip)}
    return Result(_onto(frac, scale, bool(clip)), params, {"constant": ~(hi > lo)})


def goalposts(values: Any, *, lower: Any, upper: Any, directions: Any = None,
              scale: Any = (0.0, 100.0), clip: bool = True) -> Result:
    """Scores between fixed goalposts: ``lower`` → a, ``upper`` → b (direction +1).

    Direction −1 swaps the goalposts (``upper`` → a), as COINr's ``n_goalposts``; SDSN's
    bounds (lower bound → 0, target → 100) work with direction +1 in both orientations.

    >>> x = np.array([[61.0, 5769.0], [80.5, 200.0], [100.0, 9000.0]])
    >>> goalposts(x, lower=[61.0, 5769.0], upper=[100.0, 200.0]).values.tolist()
    [[0.0, 0.0], [50.0, 100.0], [100.0, 0.0]]
    """
    values = as_matrix(values)
    m = values.shape[1]
    d = directions_of(directions, m)
    lo = per_column("lower", lower, m, allow_nan=False)
    hi = per_column("upper", upper, m, allow_nan=False)
    if (lo == hi).any():
        raise ParameterError("upper", upper, "equals the lower goalpost in column "
                             f"{int(np.argmax(lo == hi))}")
    scale = check_scale("scale", scale)
    frac = _oriented(values, d, lo, hi)
    params = {"lower": lo, "upper": hi, "directions": d, "scale": scale, "clip": bool(clip)}
    return Result(_onto(frac, scale, bool(clip)), params, {})


def zscore(values: Any, *, directions: Any = None, scale: Any = (0.0, 1.0), mean: Any = None,
           sd: Any = None) -> Result:
    """m + s·d·(x − mean)/sd with (m, s) = ``scale`` and d the direction (sample sd).

    ``mean`` and ``sd`` replace the columns' own; a column with sd 0 gets NaN.

    >>> r = zscore([[1.0], [2.0], [3.0]], scale=(100, 10))
    >>> r.values.ravel().tolist(), r.params["mean"].tolist(), r.params["sd"].tolist()
    ([90.0, 100.0, 110.0], [2.0], [1.0])
    """
    values = as_matrix(values)
    m = values.shape[1]
    d = directions_of(directions, m)
    centre, spread = check_scale("scale", scale)
    if spread <= 0:
        raise ParameterError("scale", scale, "needs a positive spread s in (m, s)")
    if mean is None or sd is None:
        n, own_mean, m2, _, _ = central_sums(values, order=2)
        with np.errstate(divide="ignore", invalid="ignore"):
            own_sd = np.sqrt(m2 / (n - 1))
    mu = own_mean if mean is None else per_column("mean", mean, m)
    sigma = own_sd if sd is None else per_column("sd", sd, m)
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where(sigma > 0, d * spread / sigma, np.nan)
    scores = values - mu
    scores *= factor
    scores += centre
    params = {"directions": d, "scale": (centre, spread), "mean": mu, "sd": sigma}
    return Result(scores, params, {})


def ranks(values: np.ndarray, ties: str = "min") -> np.ndarray:
    """Ranks of each column, 1 = lowest value; ties share the ``min``, ``max`` or
    ``average`` rank of their run (R's ``rank``); NaN stays unranked.

    >>> ranks(np.array([[3.0], [1.0], [3.0], [np.nan], [2.0]])).ravel().tolist()
    [3.0, 1.0, 3.0, nan, 2.0]
    >>> ranks(np.array([[3.0], [1.0], [3.0]]), "average").ravel().tolist()
    [2.5, 1.0, 2.5]
    """
    by_column = values.T  # sort each column as one contiguous row
    order = np.argsort(by_column, axis=1, kind="stable")
    ordered = np.take_along_axis(by_column, order, axis=1)
    k, n = ordered.shape
    position = np.broadcast_to(np.arange(1, n + 1, dtype=np.float64), (k, n))
    new_run = np.ones((k, n), bool)
    new_run[:, 1:] = ordered[:, 1:] != ordered[:, :-1]
    first = np.maximum.accumulate(np.where(new_run, position, 0.0), axis=1)
    end_run = np.ones((k, n), bool)
    end_run[:, :-1] = new_run[:, 1:]
    last = np.minimum.accumulate(np.where(end_run, position, np.inf)[:, ::-1], axis=1)[:, ::-1]
    sorted_ranks = {"min": first, "max": last, "average": (first + last) / 2}[ties]
    out = np.empty((k, n))
    np.put_along_axis(out, order, sorted_ranks, axis=1)
    out[np.isnan(by_column)] = np.nan
    return out.T


def rank(values: Any, *, directions: Any = None, ties: str = "min") -> Result:
    """Ranks with the best value ranked highest (n) and the worst 1.

    >>> rank([[10.0, 10.0], [30.0, 30.0], [20.0, 30.0]], directions=[1, -1]).values.tolist()
    [[1.0, 3.0], [3.0, 1.0], [2.0, 1.0]]
    """
    values = as_matrix(values)
    d = directions_of(directions, values.shape[1])
    ties = check_choice("ties", ties, TIES)
    return Result(ranks(values * d, ties), {"directions": d, "ties": ties}, {})


def percentile(values: Any, *, directions: Any = None, ties: str = "min",
               scale: Any = (0.0, 100.0)) -> Result:
    """Percentile ranks a + (b − a)·(rank − 1)/(n − 1), n = the column's available values.

    >>> percentile([[10.0], [40.0], [20.0], [np.nan], [30.0]]).values.ravel().tolist()
    [0.0, 100.0, 33.33333333333333, nan, 66.66666666666666]
    """
    values = as_matrix(values)
    d = directions_of(directions, values.shape[1])
    ties = check_choice("ties", ties, TIES)
    scale = check_scale("scale", scale)
    n = (~np.isnan(values)).sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = (ranks(values * d, ties) - 1) / (n - 1)
    params = {"directions": d, "ties": ties, "scale": scale}
    return Result(_onto(frac, scale, False), params, {})


def distance_to_target(values: Any, *, target: Any, directions: Any = None,
                       scale: Any = (0.0, 100.0), worst: Any = None,
                       cap: bool = True) -> Result:
    """a + (b − a)·(x − worst)/(target − worst): the share of the way from the worst value
    (the column's min, or max for direction −1, unless given) to the target; capped at b
    (values beyond the target) if ``cap``. A value worse than ``worst`` scores below a.

    >>> r = distance_to_target([[2.0, 40.0], [6.0, 10.0], [12.0, 20.0]], target=[10.0, 20.0],
    ...                        directions=[1, -1])
    >>> r.values.tolist(), r.params["worst"].tolist()
    ([[0.0, 0.0], [50.0, 100.0], [100.0, 100.0]], [2.0, 40.0])
    """
    values = as_matrix(values)
    m = values.shape[1]
    d = directions_of(directions, m)
    goal = per_column("target", target, m, allow_nan=False)
    scale = check_scale("scale", scale)
    if worst is None:
        low, high = column_bounds(values)
        worst = np.where(d > 0, low, high)
    else:
        worst = per_column("worst", worst, m)
    frac = _fraction(values, worst, goal)
    if cap:
        np.minimum(frac, 1.0, out=frac)
    params = {"target": goal, "directions": d, "scale": scale, "worst": worst,
              "cap": bool(cap)}
    return Result(_onto(frac, scale, False), params, {})


NORMALISATION: Registry = {
    "none": unchanged,
    "minmax": minmax,
    "goalposts": goalposts,
    "zscore": zscore,
    "rank": rank,
    "percentile": percentile,
    "distance_to_target": distance_to_target,
}


def normalise_minmax(values: np.ndarray, directions: np.ndarray,
                     scale: tuple[float, float] = (1.0, 9.0),
                     bounds: tuple[np.ndarray, np.ndarray] | None = None):
    """Scores of ``values`` (regions × indicators) on ``scale``, and the min and max used.

    The dissertation's form of :func:`minmax` (1–9 by default): a missing value stays
    missing; a column whose values are all equal (or all missing) gets no scores (NaN).
    ``bounds`` replaces the columns' own min and max, e.g. to keep a baseline's bounds in
    a scenario (no clipping here: the caller clips).

    >>> s, lo, hi = normalise_minmax(np.array([[1.0], [3.0]]), np.array([-1]))
    >>> s.ravel().tolist(), lo.tolist(), hi.tolist()
    ([9.0, 1.0], [1.0], [3.0])
    """
    lower, upper = (None, None) if bounds is None else bounds
    r = minmax(values, directions=directions, scale=scale, lower=lower, upper=upper)
    return r.values, r.params["lower"], r.params["upper"]
