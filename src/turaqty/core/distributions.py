"""Student's t distribution for the p-value of a correlation, without importing SciPy
(``scipy.special`` alone costs ~0.15 s at start-up, a tenth of the report's budget).

For an integer number of degrees of freedom ν the probability A(t|ν) = P(|T| ≤ t) is a
finite sum (Abramowitz & Stegun 26.7.3–26.7.4), with θ = arctan(t/√ν):

    ν = 1:       A = 2θ/π
    ν odd ≥ 3:   A = 2/π · (θ + sin θ cos θ · [1 + 2/3 cos²θ + 2·4/(3·5) cos⁴θ + …
                                                 + 2·4…(ν−3)/(3·5…(ν−2)) cos^(ν−3)θ])
    ν even:      A = sin θ · [1 + 1/2 cos²θ + 1·3/(2·4) cos⁴θ + … + 1·3…(ν−3)/(2·4…(ν−2)) cos^(ν−2)θ]

and the two-sided p-value is 1 − A. It is exact up to rounding (absolute error ~1e-15, so
p-values below that read 0).

Example (by hand: ν = 2 gives A = t/√(2 + t²); t = 1 → 1/√3, p = 0.42265)
-------
>>> import numpy as np
>>> round(float(two_sided_p(np.array(1.0), 2)), 5)
0.42265
>>> round(float(two_sided_p(np.array(1.0), 1)), 5)  # Cauchy: 1 − 2·(π/4)/π = 0.5
0.5
"""
from __future__ import annotations

import numpy as np


def two_sided_p(t: np.ndarray, df: int | np.ndarray) -> np.ndarray:
    """P(|T| ≥ |t|) for Student's T with ``df`` (a positive integer, or an array of them
    shaped like ``t``) degrees of freedom; NaN where ``t`` is NaN.

    >>> two_sided_p(np.array([0.0, np.inf, np.nan]), 5).tolist()
    [1.0, 0.0, nan]
    """
    t = np.abs(np.asarray(t, dtype=float))
    df = np.broadcast_to(np.asarray(df), t.shape)
    if (df < 1).any() or (df != np.floor(df)).any():
        raise ValueError("degrees of freedom must be positive integers")
    out = np.full(t.shape, np.nan)
    for nu in np.unique(df):
        at = df == nu
        out[at] = _p_for(t[at], int(nu))
    return out


def _p_for(t: np.ndarray, nu: int) -> np.ndarray:
    """:func:`two_sided_p` for one number of degrees of freedom ``nu``."""
    with np.errstate(invalid="ignore"):
        theta = np.arctan2(t, np.sqrt(nu))
    sin, cos2 = np.sin(theta), np.cos(theta) ** 2
    term, total = np.ones_like(t), np.ones_like(t)
    if nu % 2 == 0:
        for k in range(1, nu // 2):
            term = term * (2 * k - 1) / (2 * k) * cos2
            total += term
        inside = sin * total
    elif nu == 1:
        inside = 2 * theta / np.pi
    else:
        for k in range(1, (nu - 1) // 2):
            term = term * (2 * k) / (2 * k + 1) * cos2
            total += term
        inside = 2 / np.pi * (theta + sin * np.sqrt(cos2) * total)
    return np.clip(1.0 - inside, 0.0, 1.0)
