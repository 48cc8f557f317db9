"""Outlier treatment: COINr's default ``Treat`` (winsorisation, then a log if that fails).

The registry :data:`TREATMENT` maps a method name to ``f(values, *, ...) -> Result``.

``winsorise`` follows COINr 1.1's ``Treat.numeric`` with ``winsorise``, ``log_CT`` and
``check_SkewKurt``, column by column (all columns advance together, one array pass per
step):

1. A column *fails* when |skew| ≥ ``skew_threshold`` and kurtosis ≥ ``kurtosis_threshold``
   (Excel's SKEW and KURT, :mod:`turaqty.core.stats`); otherwise it is left as it is.
2. While a column fails and fewer than ``winmax`` points are winsorised, the most extreme
   value on the side of the skew (the max if skew ≥ 0, else the min; all points tied at
   it) is replaced by the next value. The count is COINr's: the points of the latest
   high step plus those of the latest low step (a step's points include the earlier
   ones of its side, which now share the max), so ties can take it past ``winmax``.
3. A column still failing is, with ``fallback="log"``, restored and log-transformed
   instead (COINr's ``log_CT``): log(x − min + 0.01·(max − min)).
4. As in COINr, a column whose check cannot be computed (fewer than 4 values for the
   kurtosis, or all values equal) at any point is returned untreated.

The parameters returned replay the treatment: ``lower`` and ``upper`` are the caps the
winsorisation reached (NaN where none) and ``log_min``/``log_max`` the min and max
of a log-transformed column (NaN where no log); given them, the function applies them
without searching again. ``details`` holds ``winsorised`` (per cell +1 winsorised high,
−1 low, 0 not), ``logged`` and ``count`` (points winsorised, COINr's count) per column.

Example (COINr's own example: 1 … 10, 30, 100)
-------
>>> import numpy as np
>>> x = np.array([[*range(1, 11), 30, 100]], dtype=float).T
>>> r = winsorise(x, winmax=5)
>>> r.values.ravel().tolist()  # skew 3.06, kurtosis 9.74 → after one point 1.71, 1.82
[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 30.0, 30.0]
>>> r.details["count"].tolist(), r.details["winsorised"].ravel().tolist()[-3:]
([1], [0, 0, 1])
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
    check_number,
    per_column,
    unchanged,
)
from turaqty.core.stats import central_sums, skew_kurt

FALLBACKS = ("log", "none")


def skew_kurt_check(values: np.ndarray, skew_threshold: float,
                    kurtosis_threshold: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per column: does it fail (|skew| ≥ t_s and kurt ≥ t_k), is the check undefined, and
    the skewness.

    COINr's pass is ``abs(skew) < t_s | kurt < t_k`` in R's three-valued logic: a column
    whose pass is NA (neither part true, one part NA) is neither passing nor failing.

    >>> x = np.array([[*range(1, 11), 30, 100], [1] * 12, [1, 2, 3] + [np.nan] * 9], float).T
    >>> fails, undefined, skew = skew_kurt_check(x, 2.0, 3.5)
    >>> fails.tolist(), undefined.tolist(), np.round(skew, 2).tolist()
    ([True, False, False], [False, True, False], [3.06, nan, 0.0])
    """
    n, _, m2, m3, m4 = central_sums(values)
    constant = np.fmin.reduce(values, axis=0) == np.fmax.reduce(values, axis=0)
    skew, kurt = skew_kurt(n, m2, m3, m4, constant)
    with np.errstate(invalid="ignore"):
        skew_ok, kurt_ok = np.abs(skew) < skew_threshold, kurt < kurtosis_threshold
        skew_bad, kurt_bad = np.abs(skew) >= skew_threshold, kurt >= kurtosis_threshold
    fails = skew_bad & kurt_bad
    return fails, ~(skew_ok | kurt_ok) & ~fails, skew


def _winsorise_step(x: np.ndarray, high: np.ndarray) -> np.ndarray:
    """Replace each column's extreme (max where ``high``, else min) by the next value, in
    place; return the mask of the points replaced."""
    top = np.where(high, np.fmax.reduce(x, axis=0), np.fmin.reduce(x, axis=0))
    at_top = x == top
    rest = ~at_top
    below = np.fmax.reduce(x, axis=0, where=rest, initial=-np.inf)
    above = np.fmin.reduce(x, axis=0, where=rest, initial=np.inf)
    np.copyto(x, np.where(high, below, above), where=at_top)
    return at_top


def _search(values: np.ndarray, winmax: int, skew_threshold: float,
            kurtosis_threshold: float) -> tuple[np.ndarray, ...]:
    """Winsorise the failing columns: the values, the last high/low step masks, the
    points counted, the columns that still fail and those whose check became undefined."""
    n, m = values.shape
    x = values.copy()
    fails, _, skew = skew_kurt_check(x, skew_threshold, kurtosis_threshold)
    failing = np.flatnonzero(fails)
    work = x[:, failing]  # only the failing columns are worked on
    k = failing.size
    last_high, last_low = np.zeros((n, k), bool), np.zeros((n, k), bool)
    count, undefined = np.zeros(k, np.int64), np.zeros(k, bool)
    active, skew = np.ones(k, bool), skew[failing]
    while True:
        idx = np.flatnonzero(active & (count < winmax))
        if idx.size == 0:
            break
        whole = idx.size == k
        sub = work if whole else work[:, idx]
        high = skew[idx] >= 0  # COINr: the side of the skew, high when skew ≥ 0
        stepped = _winsorise_step(sub, high)
        if not whole:
            work[:, idx] = sub
        last_high[:, idx[high]] = stepped[:, high]
        last_low[:, idx[~high]] = stepped[:, ~high]
        count[idx] = last_high[:, idx].sum(axis=0) + last_low[:, idx].sum(axis=0)
        active[idx], undefined[idx], skew[idx] = skew_kurt_check(sub, skew_threshold,
                                                                 kurtosis_threshold)
    x[:, failing] = work

    def full(part, fill):
        out = np.full((n, m) if part.ndim == 2 else m, fill, dtype=part.dtype)
        out[..., failing] = part
        return out

    return (x, full(last_high, False), full(last_low, False), full(count, 0),
            full(active & ~undefined, False), full(undefined, False))


def _caps(values: np.ndarray, points: np.ndarray, extreme: np.ufunc) -> np.ndarray:
    """Per column the value the winsorised ``points`` took (NaN: none winsorised)."""
    caps = np.full(values.shape[1], np.nan)
    cols = np.flatnonzero(points.any(axis=0))
    caps[cols] = extreme.reduce(np.where(points[:, cols], values[:, cols], np.nan), axis=0)
    return caps


def log_ct(values: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """COINr's ``log_CT``: log(x − min + 0.01·(max − min)) with the given min and max.

    >>> log_ct(np.array([[0.0], [100.0]]), np.array([0.0]), np.array([100.0])).round(4).tolist()
    [[0.0], [4.6151]]
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.log(values - low + 0.01 * (high - low))


def winsorise(values: Any, *, winmax: int = 5, skew_threshold: float = 2.0,
              kurtosis_threshold: float = 3.5, fallback: str = "log", lower: Any = None,
              upper: Any = None, log_min: Any = None, log_max: Any = None) -> Result:
    """COINr's default outlier treatment (see the module); replayable from its params.

    >>> x = np.array([[*range(1, 11), 30, 100]], dtype=float).T
    >>> r = winsorise(x, winmax=0)  # no point may be winsorised: log of the original instead
    >>> r.details["logged"].tolist(), round(float(r.values[-1, 0]), 4), r.params["log_max"].tolist()
    ([True], 4.6051, [100.0])
    >>> bool((winsorise(x, **r.params).values == r.values).all())  # a replay
    True
    """
    values = as_matrix(values)
    m = values.shape[1]
    winmax = int(check_number("winmax", winmax, low=0, integer=True))
    skew_threshold = check_number("skew_threshold", skew_threshold, low=0)
    kurtosis_threshold = check_number("kurtosis_threshold", kurtosis_threshold)
    fallback = check_choice("fallback", fallback, FALLBACKS)
    given = [p is not None for p in (lower, upper, log_min, log_max)]
    if any(given) and not all(given):
        raise ParameterError("lower", lower, "upper, log_min and log_max come together: give "
                             "all four (a replay) or none (a search)")
    if all(given):
        lower, upper = per_column("lower", lower, m), per_column("upper", upper, m)
        log_min, log_max = per_column("log_min", log_min, m), per_column("log_max", log_max, m)
        logged = ~np.isnan(log_min)
        out = np.clip(values, np.where(np.isnan(lower), -np.inf, lower),
                      np.where(np.isnan(upper), np.inf, upper))
        out[:, logged] = log_ct(values[:, logged], log_min[logged], log_max[logged])
        flags = (np.where(out > values, -1, 0) + np.where(out < values, 1, 0)).astype(np.int8)
        flags[:, logged] = 0
        details = {"winsorised": flags, "logged": logged, "count": (flags != 0).sum(axis=0),
                   "undefined": np.zeros(m, bool)}
    else:
        out, high, low, count, failing, undefined = _search(values, winmax, skew_threshold,
                                                            kurtosis_threshold)
        out[:, undefined] = values[:, undefined]
        high[:, undefined] = low[:, undefined] = False
        logged = failing if fallback == "log" else np.zeros(m, bool)
        high[:, logged] = low[:, logged] = False
        flags = high.astype(np.int8) - low.astype(np.int8)
        upper, lower = _caps(out, high, np.fmax), _caps(out, low, np.fmin)
        log_min = np.full(m, np.nan)
        log_max = np.full(m, np.nan)
        if logged.any():
            part = values[:, logged]
            log_min[logged] = np.fmin.reduce(part, axis=0)
            log_max[logged] = np.fmax.reduce(part, axis=0)
            out[:, logged] = log_ct(part, log_min[logged], log_max[logged])
        details = {"winsorised": flags, "logged": logged, "count": count * ~logged * ~undefined,
                   "undefined": undefined}
    params = {"winmax": winmax, "skew_threshold": skew_threshold,
              "kurtosis_threshold": kurtosis_threshold, "fallback": fallback,
              "lower": lower, "upper": upper, "log_min": log_min, "log_max": log_max}
    return Result(out, params, details)


TREATMENT: Registry = {"none": unchanged, "winsorise": winsorise}
