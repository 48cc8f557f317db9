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

from turaqty.core.registry import ParameterError, Registry, Result, as_matrix, directions_of, per_column
from turaqty.core.stats import central_sums


def _filled(values: np.ndarray, fill_at, params: dict, out: np.ndarray | None = None) -> Result:
    """Missing cells of ``values`` set to ``fill_at(rows, columns)`` (NaN = left missing).

    Only the missing cells are touched (a sparse update, not a pass over the whole array);
    ``out``, if given, is a copy of ``values`` whose missing cells may hold anything.
    """
    missing = np.isnan(values)
    rows, cols = np.nonzero(missing)
    fill = np.asarray(fill_at(rows, cols), dtype=np.float64)
    out = values.copy() if out is None else out
    out[rows, cols] = fill
    not_filled = np.isnan(fill)
    missing[rows[not_filled], cols[not_filled]] = False  # now: the cells imputed
    return Result(out, params, {"imputed": missing})


def none(values: Any) -> Result:
    """Missing values stay missing (``details["imputed"]`` is all False).

    >>> none([[np.nan]]).details["imputed"].tolist()
    [[False]]
    """
    return _filled(as_matrix(values), lambda rows, cols: np.full(rows.size, np.nan), {})


def zero(values: Any, *, directions: Any = None) -> Result:
    """0 for a missing value of a "higher is better" column that has some value.

    >>> zero([[np.nan, np.nan, np.nan], [2.0, 3.0, np.nan]], directions=[1, -1, 1]).values.tolist()
    [[0.0, nan, nan], [2.0, 3.0, nan]]
    """
    values = as_matrix(values)
    d = directions_of(directions, values.shape[1])
    fillable = (d > 0) & ~np.isnan(values).all(axis=0)
    fill = np.where(fillable, 0.0, np.nan)
    return _filled(values, lambda rows, cols: fill[cols], {"directions": d})


def _column_fill(values: np.ndarray, fill: Any, own) -> np.ndarray:
    if fill is not None:
        return per_column("fill", fill, values.shape[1])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # an empty column has no median
        return own(values)


def mean(values: Any, *, fill: Any = None) -> Result:
    """The column's mean of its available values (or the given ``fill`` per column)."""
    values = as_matrix(values)
    f = _column_fill(values, fill, lambda v: central_sums(v, order=1)[1])
    return _filled(values, lambda rows, cols: f[cols], {"fill": f})


def median(values: Any, *, fill: Any = None) -> Result:
    """The column's median of its available values (or the given ``fill`` per column).

    >>> median([[1.0], [np.nan], [2.0], [10.0]]).values.ravel().tolist()
    [1.0, 2.0, 2.0, 10.0]
    """
    values = as_matrix(values)
    f = _column_fill(values, fill, lambda v: np.nanmedian(v, axis=0))
    return _filled(values, lambda rows, cols: f[cols], {"fill": f})


def group_codes(labels: Any) -> tuple[np.ndarray, list]:
    """Group numbers 0, 1, … (in sorted label order) and the labels they stand for;
    None, NaN and "" become −1 (no group).

    >>> group_codes(["Asia", "Europe", None, "Asia"])
    (array([ 0,  1, -1,  0]), ['Asia', 'Europe'])
    """
    items = list(labels)
    missing = [v is None or v == "" or (isinstance(v, float) and np.isnan(v)) for v in items]
    names = sorted({v for v, gone in zip(items, missing, strict=True) if not gone})
    index = {name: k for k, name in enumerate(names)}
    codes = np.array([-1 if gone else index[v] for v, gone in zip(items, missing, strict=True)],
                     dtype=np.int64)
    return codes, names


def _check_groups(groups: Any, n: int) -> np.ndarray:
    try:
        codes = np.asarray(groups)
    except (TypeError, ValueError):
        codes = np.array([])
    if codes.shape != (n,) or not np.issubdtype(codes.dtype, np.integer) or (codes < -1).any():
        raise ParameterError("groups", groups, "must hold one group number (0, 1, …; −1 = none) "
                             f"per unit ({n}); group_codes() makes them from labels")
    return codes.astype(np.int64)


def _group_fill(values: np.ndarray, zeroed: np.ndarray, codes: np.ndarray, fill: Any,
                statistic: str) -> np.ndarray:
    """Fill values per group (groups × columns), the given ones or the groups' own;
    ``zeroed`` is ``values`` with 0 in the missing cells."""
    k = int(codes.max()) + 1 if codes.size else 0
    m = values.shape[1]
    if fill is not None:
        table = np.asarray(fill, dtype=np.float64)
        if table.ndim != 2 or table.shape[1] != m or table.shape[0] < k:
            raise ParameterError("fill", f"array of shape {table.shape}",
                                 f"must have one row per group ({k}) and one column per "
                                 f"indicator ({m})")
        return table
    if statistic == "mean":  # a loop over groups: steadier than a matrix product on 2 cores
        sums, counts = np.zeros((k, m)), np.zeros((k, m))
        for g in range(k):
            rows = codes == g
            sums[g] = zeroed[rows].sum(axis=0)
            counts[g] = rows.sum() - np.isnan(values[rows]).sum(axis=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            return sums / counts
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a group with no value: NaN
        return np.array([np.nanmedian(values[codes == g], axis=0) if (codes == g).any()
                         else np.full(m, np.nan) for g in range(k)]).reshape(k, m)


def _by_group(values: Any, groups: Any, fill: Any, statistic: str) -> Result:
    values = as_matrix(values)
    codes = _check_groups(groups, values.shape[0])
    out = values.copy()
    np.copyto(out, 0.0, where=np.isnan(values))
    table = _group_fill(values, out, codes, fill, statistic)
    padded = np.vstack([table, np.full((1, values.shape[1]), np.nan)])  # row −1: no group
    return _filled(values, lambda rows, cols: padded[codes[rows], cols],
                   {"groups": codes, "fill": table}, out)


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


IMPUTATION: Registry = {
    "none": none,
    "zero": zero,
    "mean": mean,
    "median": median,
    "group_mean": group_mean,
    "group_median": group_median,
}
