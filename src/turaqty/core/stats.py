"""Descriptive statistics of each indicator over the units, as Tables 7-9 print them.

Skewness and kurtosis are the bias-adjusted sample estimates of Excel's SKEW and KURT
(type 2 of R's e1071, which COINr's ``skew``/``kurt`` copy):

    skew = n / ((n−1)(n−2)) · Σ ((x − mean)/s)³
    kurt = n(n+1) / ((n−1)(n−2)(n−3)) · Σ ((x − mean)/s)⁴ − 3(n−1)² / ((n−2)(n−3))

with s the sample standard deviation; missing values are left out. They are computed,
as COINr does, from the central sums m2 = Σd², m3 = Σd³, m4 = Σd⁴ (d = x − mean):
skew = √n·m3/m2^1.5 · √(n(n−1))/(n−2) and, with r = n·m4/m2²,
kurt = ((n+1)(r−3) + 6)(n−1)/((n−2)(n−3)).

Example (by hand: 1, 2, 3, 10 → mean 4, d = −3, −2, −1, 6, m2 = 50, m3 = 180, m4 = 1394)
-------
>>> import numpy as np
>>> d = describe(np.array([[1.0], [2.0], [3.0], [10.0], [np.nan]]))
>>> int(d["n"][0]), float(d["median"][0]), round(float(d["sd"][0]), 6)
(4, 2.5, 4.082483)
>>> round(float(d["skewness"][0]), 6), round(float(d["kurtosis"][0]), 6)
(1.763633, 3.228)

By hand: skew = 2·180/50^1.5·√12/2 = 1.763633; r = 4·1394/50² = 2.2304 and
kurt = (5·(2.2304 − 3) + 6)·3/(2·1) = 3.228.
"""
from __future__ import annotations

import numpy as np

STATISTICS = ("n", "min", "max", "mean", "median", "sd", "skewness", "kurtosis")


BLOCK = 1 << 16  # cells per block of rows: 512 KB buffers stay in the processor's cache


def central_sums(values: np.ndarray, order: int = 4) -> tuple[np.ndarray, ...]:
    """n, mean, m2, m3, m4 of each column (NaN ignored; mean NaN for an empty column);
    the sums above ``order`` are left 0 (order 1: n and mean only, 2: also m2).

    Two passes over blocks of rows into reused buffers (no array of the data's size is
    allocated), and the powers are products (d·d, d²·d, d²·d²), not the generic ``**``,
    which is several times slower.

    >>> [a.tolist() for a in central_sums(np.array([[1.0], [2.0], [3.0], [10.0], [np.nan]]))]
    [[4.0], [4.0], [50.0], [180.0], [1394.0]]
    """
    rows, m = values.shape
    step = max(1, BLOCK // max(m, 1))
    dev = np.empty((min(step, rows), m))
    d2 = np.empty_like(dev)
    missing = np.empty(dev.shape, bool)
    n = np.zeros(m)
    total = np.zeros(m)
    for start in range(0, rows, step):
        block = values[start:start + step]
        k = block.shape[0]
        np.isnan(block, out=missing[:k])
        n += k - missing[:k].sum(axis=0)
        np.copyto(dev[:k], block)
        np.copyto(dev[:k], 0.0, where=missing[:k])
        total += dev[:k].sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = total / n
    m2, m3, m4 = np.zeros(m), np.zeros(m), np.zeros(m)
    for start in range(0, rows if order >= 2 else 0, step):
        block = values[start:start + step]
        k = block.shape[0]
        d, s = dev[:k], d2[:k]
        np.subtract(block, mean, out=d)
        np.isnan(block, out=missing[:k])
        np.copyto(d, 0.0, where=missing[:k])
        np.multiply(d, d, out=s)
        m2 += s.sum(axis=0)
        if order >= 3:
            m3 += np.einsum("ij,ij->j", s, d)
            m4 += np.einsum("ij,ij->j", s, s)
    return n, mean, m2, m3, m4


def skew_kurt(n: np.ndarray, m2: np.ndarray, m3: np.ndarray, m4: np.ndarray,
              constant: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Excel's SKEW and KURT from the central sums; NaN when undefined (n < 3 or 4, or a
    ``constant`` column: min = max, whose m2 may be a rounding residue rather than 0).

    >>> skew, kurt = skew_kurt(np.array([4.0]), np.array([50.0]), np.array([180.0]),
    ...                        np.array([1394.0]), np.array([False]))
    >>> round(float(skew[0]), 6), round(float(kurt[0]), 6)
    (1.763633, 3.228)
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        skew = np.sqrt(n) * m3 / m2 ** 1.5 * np.sqrt(n * (n - 1)) / (n - 2)
        r = n * m4 / (m2 * m2)
        kurt = ((n + 1) * (r - 3) + 6) * (n - 1) / ((n - 2) * (n - 3))
    constant = constant | ~(m2 > 0)
    skew[constant | (n < 3)] = np.nan
    kurt[constant | (n < 4)] = np.nan
    return skew, kurt


def describe(values: np.ndarray) -> dict[str, np.ndarray]:
    """Statistics of each column of ``values`` (units × indicators), NaN ignored."""
    values = np.asarray(values, dtype=np.float64)
    n, mean, m2, m3, m4 = central_sums(values)
    low, median, high = sorted_summaries(values, n.astype(np.int64))
    skew, kurt = skew_kurt(n, m2, m3, m4, low == high)
    with np.errstate(divide="ignore", invalid="ignore"):
        sd = np.sqrt(m2 / (n - 1))
    sd[n < 1] = np.nan
    return {
        "n": n.astype(np.int64),
        "min": low,
        "max": high,
        "mean": mean,
        "median": median,
        "sd": sd,
        "skewness": skew,
        "kurtosis": kurt,
    }


def sorted_summaries(values: np.ndarray, n: np.ndarray) -> tuple[np.ndarray, ...]:
    """Min, median and max of each column from one sort (NaN sorts last); NaN if empty.

    >>> x = np.array([[3.0, np.nan], [1.0, np.nan], [np.nan, np.nan], [2.0, np.nan]])
    >>> [a.tolist() for a in sorted_summaries(x, np.array([3, 0]))]
    [[1.0, nan], [2.0, nan], [3.0, nan]]
    """
    ordered = np.sort(values.T, axis=1)  # one contiguous row per column: a fast sort
    if ordered.shape[1] == 0:
        return tuple(np.full(ordered.shape[0], np.nan) for _ in range(3))
    rows = np.arange(ordered.shape[0])
    last = np.maximum(n - 1, 0)
    median = 0.5 * (ordered[rows, last // 2] + ordered[rows, np.maximum(n, 1) // 2])
    low, high = ordered[:, 0].copy(), ordered[rows, last]
    for stat in (low, median, high):
        stat[n == 0] = np.nan
    return low, median, high
