"""The assessment pipeline on arrays: impute → normalise → select → aggregate → rank → classify.

Example (two regions, one indicator per pillar: one region is best in everything)
-------
>>> import numpy as np
>>> values = np.array([[10.0, 1.0, 5.0], [20.0, 2.0, 4.0]])
>>> r = run_pipeline(values, directions=np.array([1, 1, -1]), pillar_of=np.array([0, 1, 2]),
...                  n_pillars=3, excluded=np.zeros(3, bool))
>>> r.integral.tolist(), r.ranks[:, -1].tolist(), r.levels[:, -1].tolist()
([3.0, 27.0], [2.0, 1.0], ['low', 'high'])
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from turaqty.core.aggregate import integral_sum, pillar_means
from turaqty.core.classify import level_of
from turaqty.core.normalise import normalise_minmax
from turaqty.core.rank import rank_descending


@dataclass(frozen=True)
class PipelineResult:
    """Arrays produced by :func:`run_pipeline` (regions in rows)."""

    values: np.ndarray  # the values normalised (after imputation)
    scores: np.ndarray  # regions × indicators; NaN where no score
    lower: np.ndarray  # min used per indicator
    upper: np.ndarray  # max used per indicator
    constant: np.ndarray  # bool per indicator: all values equal
    empty: np.ndarray  # bool per indicator: no value at all
    included: np.ndarray  # bool per indicator: enters its pillar index
    imputed: np.ndarray  # bool regions × indicators: missing value counted as 0
    pillars: np.ndarray  # regions × pillars
    integral: np.ndarray  # regions
    ranks: np.ndarray  # regions × (pillars + integral)
    levels: np.ndarray  # regions × (pillars + integral), 'low' | 'medium' | 'high' | ''


def run_pipeline(values: np.ndarray, directions: np.ndarray, pillar_of: np.ndarray,
                 n_pillars: int, excluded: np.ndarray, *, missing: str = "ignore",
                 scale: tuple[float, float] = (1.0, 9.0),
                 pillar_levels: tuple[float, float] = (4.0, 7.0),
                 integral_levels: tuple[float, float] = (11.0, 19.0),
                 bounds: tuple[np.ndarray, np.ndarray] | None = None) -> PipelineResult:
    """Assess ``values`` (regions × indicators).

    ``pillar_of`` gives each indicator's pillar number (0 … n_pillars − 1); ``excluded``
    marks indicators left out of the index (they are still scored). ``missing`` is
    ``ignore`` (left out of min/max and means) or ``zero``: a missing value of a "higher is
    better" indicator counts as 0, as the printed Table 20 did; for a "higher is worse"
    one 0 would be the best value, so there it is ignored. ``bounds`` (min and max per
    indicator, e.g. a baseline's) replace the data's own; scores beyond them are clipped to
    the scale, so a scenario's scores stay comparable with the baseline's.
    """
    values = np.asarray(values, dtype=np.float64)
    missing_cells = np.isnan(values)
    empty = missing_cells.all(axis=0)
    imputed = missing_cells & ~empty & (directions > 0)[None, :] if missing == "zero" \
        else np.zeros_like(missing_cells)
    if imputed.any():
        values = np.where(imputed, 0.0, values)
    scores, lower, upper = normalise_minmax(values, directions, scale, bounds)
    if bounds is not None:
        scores = np.clip(scores, *scale)
    constant = ~empty & ~(upper > lower)
    included = ~excluded & ~constant & ~empty
    membership = included[:, None] & (pillar_of[:, None] == np.arange(n_pillars)[None, :])
    pillars = pillar_means(scores, membership)
    integral = integral_sum(pillars)
    table = np.column_stack([pillars, integral])
    ranks = np.column_stack([rank_descending(table[:, k]) for k in range(table.shape[1])])
    levels = np.column_stack(
        [level_of(pillars[:, k], pillar_levels) for k in range(n_pillars)]
        + [level_of(integral, integral_levels)]
    )
    return PipelineResult(values, scores, lower, upper, constant, empty, included, imputed,
                          pillars, integral, ranks, levels)
