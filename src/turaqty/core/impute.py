"""Imputation: estimates for missing values (NaN), or none.

The registry :data:`IMPUTATION` maps a method name to ``f(values, *, ...) -> Result``;
``details["imputed"]`` marks the cells that received a value, and ``params`` holds the
fill values used, so that a replay fills the same numbers.

* ``none``: missing values stay missing (left out of bounds and means later).
* ``zero``: as the dissertation's printed Table 20: a missing value of a "higher is
  better" indicator counts as 0; for a "higher is worse" one 0 would be the best value, so
  it stays missing, and so does a column with no value at all.
* ``mean`` / ``median``: the column's mean or median of the available values (COINr's
  ``i_mean``/``i_median``).
* ``group_mean`` / ``group_median``: the mean or median of the unit's group (COINr's
  ``i_mean_grp``/``i_median_grp``). ``groups`` holds a group number per unit (0, 1, …;
  −1 = no group: such a unit is not imputed, as COINr's ``skip_f_na``); a group with no
  value of an indicator leaves its units' missing values missing (COINr's mean of nothing
  is NaN). :func:`group_codes` turns labels into such numbers.

Example
-------
>>> import numpy as np
>>> x = np.array([[1.0, np.nan], [np.nan, 4.0], [5.0, 8.0]])
>>> r = mean(x)
>>> r.values.tolist(), r.params["fill"].tolist()
([[1.0, 6.0], [3.0, 4.0], [5.0, 8.0]], [3.0, 6.0])
"""
from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from turaqty.core.registry import ParameterError, Result, as_matrix, directions_of, per_column


def _filled(values: np.ndarray, fill: np.ndarray) -> Result:
    """Missing cells of ``values`` replaced by ``fill`` (units × columns, NaN = no fill)."""
    imputed = np.isnan(values) & ~np.isnan(fill)
    return Result(np.where(imputed, fill, values), {}, {"imputed": imputed})


def none(values: Any) -> Result:
    """Missing values stay missing (``details["imputed"]`` is all False).

    >>> none([[np.nan]]).details["imputed"].tolist()
    [[False]]
    """
    values = as_matrix(values)
    return _filled(values, np.full(values.shape, np.nan))


def zero(values: Any, *, directions: Any = None) -> Result:
    """0 for a missing value of a "higher is better" column that has some value.

    >>> zero([[np.nan, np.nan, np.nan], [2.0, 3.0, np.nan]], directions=[1, -1, 1]).values.tolist()
    [[0.0, nan, nan], [2.0, 3.0, nan]]
    """
    values = as_matrix(values)
    d = directions_of(directions, values.shape[1])
    fillable = (d > 0) & ~np.isnan(values).all(axis=0)
    result = _filled(values, np.where(fillable, 0.0, np.nan)[None, :])
    return result._replace(params={"directions": d})


def _column_fill(values: np.ndarray, fill: Any, own) -> np.ndarray:
    if fill is not None:
        return per_column("fill", fill, values.shape[1])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # an empty column has no mean
        return own(values, axis=0)


def mean(values: Any, *, fill: Any = None) -> Result:
    """The column's mean of its available values (or the given ``fill`` per column)."""
    values = as_matrix(values)
    f = _column_fill(values, fill, np.nanmean)
    return _filled(values, f[None, :])._replace(params={"fill": f})


def median(values: Any, *, fill: Any = None) -> Result:
    """The column's median of its available values (or the given ``fill`` per column).

    >>> median([[1.0], [np.nan], [2.0], [10.0]]).values.ravel().tolist()
    [1.0, 2.0, 2.0, 10.0]
    """
    values = as_matrix(values)
    f = _column_fill(values, fill, np.nanmedian)
    return _filled(values, f[None, :])._replace(params={"fill": f})


def group_codes(labels: Any) -> tuple[np.ndarray, list]:
    """Group numbers 0, 1, … (in sorted label order) and the labels they stand for;
    None, NaN and "" become −1 (no group).

    >>> group_codes(["Asia", "Europe", None, "Asia"])
    (array([ 0,  1, -1,  0]), ['Asia', 'Europe'])
    """
    items = list(labels)
    missing = [v is None or v == "" or (isinstance(v, float) and np.isnan(v)) for v in items]
    names = sorted({v for v, gone in zip(items, missing) if not gone})
    index = {name: k for k, name in enumerate(names)}
    codes = np.array([-1 if gone else index[v] for v, gone in zip(items, missing)], dtype=np.int64)
    return codes, names


def _check_groups(groups: Any, n: int) -> np.ndarray:
    try:
        codes = np.asarray(groups)
    except (TypeError, ValueError):
        codes = np.array([])
    if codes.shape != (n,) or not np.issubdtype(codes.dtype, np.integer) or (codes < -1).any():
        raise ParameterError("groups", groups, f"must hold one group number (0, 1, …; −1 = none) "
                             f"per unit ({n}); group_codes() makes them from labels")
    return codes.astype(np.int64)


def _group_fill(values: np.ndarray, codes: np.ndarray, fill: Any, statistic: str) -> np.ndarray:
    """Fill values per group (groups × columns), the given ones or the groups' own."""
    k = int(codes.max()) + 1 if codes.size else 0
    m = values.shape[1]
    if fill is not None:
        table = np.asarray(fill, dtype=np.float64)
        if table.ndim != 2 or table.shape[1] != m or table.shape[0] < k:
            raise ParameterError("fill", f"array of shape {table.shape}",
                                 f"must have one row per group ({k}) and one column per "
                                 f"indicator ({m})")
        return table
    if statistic == "mean":
        member = (codes[:, None] == np.arange(k)[None, :]).astype(np.float64)
        available = ~np.isnan(values)
        sums = member.T @ np.where(available, values, 0.0)
        counts = member.T @ available.astype(np.float64)
        with np.errstate(divide="ignore", invalid="ignore"):
            return sums / counts
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a group with no value: NaN
        return np.array([np.nanmedian(values[codes == g], axis=0) if (codes == g).any()
                         else np.full(m, np.nan) for g in range(k)]).reshape(k, m)


def _by_group(values: Any, groups: Any, fill: Any, statistic: str) -> Result:
    values = as_matrix(values)
    codes = _check_groups(groups, values.shape[0])
    table = _group_fill(values, codes, fill, statistic)
    per_unit = np.full(values.shape, np.nan)
    grouped = codes >= 0
    per_unit[grouped] = table[codes[grouped]]
    return _filled(values, per_unit)._replace(params={"groups": codes, "fill": table})


def group_mean(values: Any, *, groups: Any, fill: Any = None) -> Result:
    """The mean of the unit's group; ``fill`` (groups × columns) replaces the groups' own.

    >>> x = np.array([[1.0], [np.nan], [3.0], [10.0], [np.nan], [np.nan]])
    >>> r = group_mean(x, groups=[0, 0, 0, 1, 1, -1])
    >>> r.values.ravel().tolist(), r.params["fill"].ravel().tolist()
    ([1.0, 2.0, 3.0, 10.0, 10.0, nan], [2.0, 10.0])
    """
    return _by_group(values, groups, fill, "mean")


def group_median(values: Any, *, groups: Any, fill: Any = None) -> Result:
    """The median of the unit's group; ``fill`` (groups × columns) replaces the groups' own.

    >>> x = np.array([[1.0], [np.nan], [3.0], [10.0], [np.nan], [np.nan]])
    >>> group_median(x, groups=[0, 0, 0, 0, 1, 1]).values.ravel().tolist()
    [1.0, 3.0, 3.0, 10.0, nan, nan]
    """
    return _by_group(values, groups, fill, "median")


IMPUTATION = {
    "none": none,
    "zero": zero,
    "mean": mean,
    "median": median,
    "group_mean": group_mean,
    "group_median": group_median,
}
