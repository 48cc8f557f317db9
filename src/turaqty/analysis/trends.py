"""Trend rules on series over years (arrays: series × years, NaN where no value).

* change against the previous year and against a base year;
* compound annual growth over the last ``n`` years: ``(x_t / x_{t−n})^(1/n) − 1``;
* where a target exists, the progress status of the national SDG platform (Open SDG, after
  UN ESCAP): the growth achieved since the base year against the growth needed to reach the
  target by 2030, ``ratio = CR_achieved / CR_needed`` with compound rates
  ``CR = (x_end / x_start)^(1/years) − 1``: ``target_achieved`` once the target is reached,
  ``on_track`` for ratio ≥ 0.95, ``needs_acceleration`` 0.6–0.95, ``limited_progress``
  0–0.6, ``deterioration`` below 0 (linear rates where a value is not positive);
* otherwise a direction arrow: the yearly change, oriented so that positive is better,
  against a tolerance band (``improving ↑``, ``stable →``, ``worsening ↓``).

Example (poverty, lower is better: 6.0 in 2015, 4.0 in 2020, target 2.0 by 2030; achieved
(4/6)^(1/5) − 1 = −7.79 % a year, needed (2/6)^(1/15) − 1 = −7.06 %: ratio 1.103)
-------
>>> import numpy as np
>>> ratio = progress_ratio(np.array([6.0]), np.array([4.0]), np.array([2.0]), 2015, 2020)
>>> round(float(ratio[0]), 3), progress_status(ratio, np.array([False]))[0]
(1.103, 'on_track')
>>> direction_arrow(np.array([0.2, -0.3, 0.001]), np.array([10.0, 10.0, 10.0]), np.array([-1, -1, 1]))
['worsening', 'improving', 'stable']
"""
from __future__ import annotations

import numpy as np

HORIZON = 2030
ON_TRACK, ACCELERATION = 0.95, 0.6
ARROWS = {"improving": "↑", "stable": "→", "worsening": "↓"}
STATUSES = ("target_achieved", "on_track", "needs_acceleration", "limited_progress",
            "deterioration")


def last_valid(x: np.ndarray) -> np.ndarray:
    """Per row of ``x`` (rows × years): the position of the last value (−1: none).

    >>> last_valid(np.array([[1.0, np.nan], [np.nan, np.nan], [1.0, 2.0]])).tolist()
    [0, -1, 1]
    """
    have = ~np.isnan(x)
    pos = x.shape[1] - 1 - np.argmax(have[:, ::-1], axis=1)
    return np.where(have.any(axis=1), pos, -1)


def at(x: np.ndarray, pos: np.ndarray) -> np.ndarray:
    """``x[row, pos[row]]``, NaN where ``pos`` is outside the years."""
    ok = (pos >= 0) & (pos < x.shape[1])
    out = np.full(x.shape[0], np.nan)
    rows = np.flatnonzero(ok)
    out[rows] = x[rows, pos[rows]]
    return out


def cagr(start: np.ndarray, end: np.ndarray, years: np.ndarray | float) -> np.ndarray:
    """Compound annual growth from ``start`` to ``end`` over ``years`` (NaN where a value is not
    positive or ``years`` ≤ 0).

    >>> cagr(np.array([100.0, -1.0]), np.array([121.0, 2.0]), 2).round(4).tolist()
    [0.1, nan]
    """
    years = np.broadcast_to(np.asarray(years, dtype=np.float64), np.shape(start))
    ok = (start > 0) & (end > 0) & (years > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(ok, np.power(np.where(ok, end / start, 1.0), 1.0 / np.where(ok, years, 1.0)) - 1,
                        np.nan)


def progress_ratio(base: np.ndarray, current: np.ndarray, target: np.ndarray, base_year,
                   year, horizon: int = HORIZON) -> np.ndarray:
    """Growth achieved since ``base_year`` over growth needed from it to reach ``target`` by
    ``horizon`` (compound rates; linear rates where a value is not positive). NaN where
    the base equals the target or a value is missing.

    >>> progress_ratio(np.array([10.0]), np.array([11.0]), np.array([20.0]), 2020, 2021).round(3).tolist()
    [1.393]
    >>> progress_ratio(np.array([-2.0]), np.array([-1.0]), np.array([2.0]), 2020, 2021).tolist()
    [2.5]
    """
    base, current, target = (np.asarray(v, dtype=np.float64) for v in (base, current, target))
    done = np.asarray(year, dtype=np.float64) - np.asarray(base_year, dtype=np.float64)
    left = horizon - np.asarray(base_year, dtype=np.float64)
    achieved, needed = cagr(base, current, done), cagr(base, target, left)
    with np.errstate(divide="ignore", invalid="ignore"):
        linear = ((current - base) / done) / ((target - base) / left)
        ratio = np.where(np.isnan(achieved) | np.isnan(needed), linear, achieved / needed)
    return np.where((target == base) | (done <= 0), np.nan, ratio)


def progress_status(ratio: np.ndarray, achieved: np.ndarray) -> list[str]:
    """The Open SDG status of each ratio (``''`` where there is none); ``achieved`` marks
    series already at or beyond their target.

    >>> progress_status(np.array([1.0, 0.7, 0.3, -0.1, np.nan]), np.zeros(5, bool))
    ['on_track', 'needs_acceleration', 'limited_progress', 'deterioration', '']
    """
    r = np.asarray(ratio, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        return np.select([np.asarray(achieved, bool), np.isnan(r), r >= ON_TRACK, r >= ACCELERATION, r >= 0],
                         ["target_achieved", "", "on_track", "needs_acceleration", "limited_progress"],
                         "deterioration").tolist()


def direction_arrow(change: np.ndarray, previous: np.ndarray, direction: np.ndarray,
                    tolerance: float = 0.01) -> list[str]:
    """``improving``, ``stable`` or ``worsening``: the change oriented by ``direction`` (+1:
    higher is better), stable within ``tolerance`` × |previous| (``''`` without a change)."""
    band = tolerance * np.abs(previous)
    oriented = np.asarray(change, dtype=np.float64) * direction
    with np.errstate(invalid="ignore"):
        return np.select([np.isnan(oriented), oriented > band, oriented < -band],
                         ["", "improving", "worsening"], "stable").tolist()


def achieved_target(current: np.ndarray, target: np.ndarray, direction: np.ndarray) -> np.ndarray:
    """Whether ``current`` is at or beyond ``target`` in the better direction.

    >>> achieved_target(np.array([2.0, 3.0]), np.array([2.5, 2.5]), np.array([-1, -1])).tolist()
    [True, False]
    """
    with np.errstate(invalid="ignore"):
        return np.where(direction > 0, current >= target, current <= target) & ~np.isnan(target)
