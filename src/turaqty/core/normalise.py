"""Min-max normalisation onto a score scale (1 = worst region … 9 = best region).

Formula (2) of the dissertation for "higher is better" indicators and formula (3) for
"higher is worse", with min and max taken over the regions (national row excluded):

    score = a + (b − a)·(x − min)/(max − min)     direction +1
    score = a + (b − a)·(max − x)/(max − min)     direction −1

Example (Table 10, Aktobe B1 and Akmola B3)
-------
>>> import numpy as np
>>> x = np.array([[108.02, 5.9], [95.09, 9.6], [132.62, 2.7]])
>>> scores, lo, hi = normalise_minmax(x, np.array([1, -1]))
>>> np.round(scores[0], 3).tolist()
[3.756, 5.29]
"""
from __future__ import annotations

import numpy as np


def column_bounds(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Min and max of each column, ignoring NaN (NaN for a column with no value)."""
    return np.fmin.reduce(values, axis=0), np.fmax.reduce(values, axis=0)


def normalise_minmax(values: np.ndarray, directions: np.ndarray,
                     scale: tuple[float, float] = (1.0, 9.0),
                     bounds: tuple[np.ndarray, np.ndarray] | None = None):
    """Scores of ``values`` (regions × indicators) on ``scale``, and the min and max used.

    ``directions`` holds +1 (higher is better) or −1 (higher is worse) per column.
    A missing value stays missing; a column whose values are all equal (or all missing)
    gets no scores (NaN). ``bounds`` replaces the columns' own min and max, e.g. to keep
    a baseline's bounds in a scenario.
    """
    lo, hi = column_bounds(values) if bounds is None else bounds
    span = hi - lo
    with np.errstate(divide="ignore", invalid="ignore"):
        up = (values - lo) / span
        down = (hi - values) / span
    frac = np.where(directions > 0, up, down)
    frac[:, ~(span > 0)] = np.nan
    a, b = scale
    return a + (b - a) * frac, lo, hi
