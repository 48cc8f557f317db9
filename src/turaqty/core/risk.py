"""Risk classes: each value is high, medium or low risk against two thresholds.

An indicator whose low values are a risk (orientation +1, "higher is better") is high
risk below the high-risk threshold and low risk above the low-risk threshold; one whose
high values are a risk (orientation −1) the other way round. Everything in between is
medium risk, so the three classes cover every value exactly once. A threshold is
inclusive (``<=``/``>=``) or strict (``<``/``>``); a missing value has class ``none``.

Example (B25 unemployment, orientation −1: high above 4.8, low below 4.7)
-------
>>> import numpy as np
>>> v = np.array([[4.1], [4.7], [4.8], [5.0], [np.nan]])
>>> risk_classes(v, np.array([4.8]), np.array([4.7]), np.array([-1])).ravel().tolist()
['low', 'medium', 'medium', 'high', 'none']
"""
from __future__ import annotations

import numpy as np

from turaqty.core.stats import sorted_summaries

RISKS = ("high", "medium", "low")


def risk_classes(values: np.ndarray, high: np.ndarray, low: np.ndarray, orientation: np.ndarray,
                 high_inclusive: np.ndarray | None = None,
                 low_inclusive: np.ndarray | None = None) -> np.ndarray:
    """Classes of ``values`` (regions × indicators) against per-indicator thresholds."""
    m = values.shape[1]
    hi_inc = np.zeros(m, bool) if high_inclusive is None else high_inclusive
    lo_inc = np.zeros(m, bool) if low_inclusive is None else low_inclusive
    up = orientation > 0  # low values are the risk
    below_high = np.where(hi_inc, values <= high, values < high)
    above_high = np.where(hi_inc, values >= high, values > high)
    above_low = np.where(lo_inc, values >= low, values > low)
    below_low = np.where(lo_inc, values <= low, values < low)
    is_high = np.where(up, below_high, above_high)
    is_low = np.where(up, above_low, below_low)
    classes = np.where(is_high, "high", np.where(is_low, "low", "medium")).astype(object)
    classes[np.isnan(values)] = "none"
    return classes


def reference_values(values: np.ndarray, national: np.ndarray | None) -> dict[str, np.ndarray]:
    """The references a derived threshold may use, per indicator: the national value, the
    regional median and the regional mean (missing values ignored)."""
    available = ~np.isnan(values)
    n = available.sum(axis=0)
    median = sorted_summaries(values, n)[1]
    with np.errstate(divide="ignore", invalid="ignore"):  # an all-missing column gives NaN
        mean = np.where(available, values, 0.0).sum(axis=0) / n
    nat = np.full(values.shape[1], np.nan) if national is None else np.asarray(national, float)
    return {"national": nat, "median": median, "mean": mean}
