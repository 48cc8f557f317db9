"""Descriptive statistics of each indicator over the regions, as Tables 7-9 print them.

Skewness and kurtosis are the bias-adjusted sample estimates of Excel's SKEW and KURT:

    skew = n / ((n−1)(n−2)) · Σ ((x − mean)/s)³
    kurt = n(n+1) / ((n−1)(n−2)(n−3)) · Σ ((x − mean)/s)⁴ − 3(n−1)² / ((n−2)(n−3))

with s the sample standard deviation; missing values are left out.

Example (Table 7, B1: printed skewness 0.93)
-------
>>> import numpy as np
>>> from turaqty.model.dataset import load_embedded
>>> d = describe(load_embedded().wide()[["B1"]].to_numpy())
>>> round(float(d["skewness"][0]), 2), float(d["median"][0])
(0.93, 106.68)
"""
from __future__ import annotations

import warnings

import numpy as np

STATISTICS = ("n", "min", "max", "mean", "median", "sd", "skewness", "kurtosis")


def describe(values: np.ndarray) -> dict[str, np.ndarray]:
    """Statistics of each column of ``values`` (regions × indicators), NaN ignored."""
    available = ~np.isnan(values)
    n = available.sum(axis=0).astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        mean = np.nansum(values, axis=0) / n
        dev = np.where(available, values - mean, 0.0)
        sd = np.sqrt((dev**2).sum(axis=0) / (n - 1))
        z = dev / sd
        skew = n / ((n - 1) * (n - 2)) * (z**3).sum(axis=0)
        kurt = (n * (n + 1) / ((n - 1) * (n - 2) * (n - 3)) * (z**4).sum(axis=0)
                - 3 * (n - 1) ** 2 / ((n - 2) * (n - 3)))
        median = np.nanmedian(values, axis=0)
    constant = ~(sd > 0)
    skew[constant | (n < 3)] = np.nan
    kurt[constant | (n < 4)] = np.nan
    return {
        "n": n.astype(np.int64),
        "min": np.fmin.reduce(values, axis=0),
        "max": np.fmax.reduce(values, axis=0),
        "mean": mean,
        "median": median,
        "sd": sd,
        "skewness": skew,
        "kurtosis": kurt,
    }
