"""One score scale for several sets of values (the years of a panel, a scenario and its
baseline): what of a normalisation's parameters, taken from *reference* values, puts other
values on the reference's scale.

Each normalisation of :data:`~turaqty.core.normalise.NORMALISATION` fixes its scale with
its own parameters (:data:`SCALE_PARAMETERS`):

* ``minmax``: the bounds (the reference's min and max); values beyond them are clipped to
  the ends of the scale (:func:`takes_bounds`); ``goalposts`` are given, not taken from
  the data, but score between bounds too, so a reference's min and max can replace them;
* ``zscore``: each indicator's mean and sd (of the reference);
* ``distance_to_target``: the worst values (of the reference; the target is the method's);
* ``rank``, ``percentile``: no parameter, the scale is the set of values ranked together, so
  values share a scale only when they are ranked together (pooled);
* ``none``: no parameter, the values are their own scale.

Example (a z-score on the reference's mean and sd)
-------
>>> import numpy as np
>>> bounds, kept = reference_scale(("zscore", {}), np.array([[1.0], [3.0]]), np.ones(1))
>>> bounds, kept["mean"].tolist(), kept["sd"].tolist()
(None, [2.0], [1.4142135623730951])
"""
from __future__ import annotations

from typing import Any

import numpy as np

from turaqty.core.normalise import NORMALISATION, column_bounds
from turaqty.core.registry import call, parameter_names

SCALE_PARAMETERS: dict[str, tuple[str, ...] | None] = {
    "none": (), "minmax": ("lower", "upper"), "goalposts": (),
    "zscore": ("mean", "sd"), "distance_to_target": ("worst",), "rank": None, "percentile": None}
"""Per normalisation: the parameters it takes from the data, which a reference can fix
instead (``()``: none, its scale is given; ``None``: values share a scale only when
normalised together, as ranks; a normalisation not listed counts as ``None``)."""

Bounds = tuple[np.ndarray, np.ndarray]


def takes_bounds(normalisation: str) -> bool:
    """Whether ``normalisation`` scores between bounds (min and max, or goalposts), so that
    the ``bounds`` of :func:`~turaqty.core.pipeline.run_pipeline` apply to it.

    >>> takes_bounds("minmax"), takes_bounds("goalposts"), takes_bounds("zscore")
    (True, True, False)
    """
    return {"lower", "upper"} <= set(parameter_names(NORMALISATION[normalisation]))


def kept_parameters(normalisation: str, used: dict[str, Any]) -> tuple[Bounds | None, dict | None]:
    """What keeps another normalisation on the scale of one that ``used`` these parameters
    (its ``Result.params``): ``(bounds, None)`` for a normalisation between bounds (the
    bounds, scores beyond them clipped), otherwise ``(None, parameters)`` to replay (all but
    the directions; for ranks, only their options: ranks are ranked again).

    >>> kept_parameters("minmax", {"lower": np.array([1.0]), "upper": np.array([3.0])})
    ((array([1.]), array([3.])), None)
    >>> kept_parameters("zscore", {"directions": [1], "mean": [2.0], "sd": [1.0]})
    (None, {'mean': [2.0], 'sd': [1.0]})
    """
    if takes_bounds(normalisation):
        return (np.asarray(used["lower"], dtype=np.float64),
                np.asarray(used["upper"], dtype=np.float64)), None
    return None, {k: v for k, v in used.items() if k != "directions"}


def reference_scale(normalise: tuple[str, dict], reference: np.ndarray,
                    directions: np.ndarray) -> tuple[Bounds | None, dict | None]:
    """The scale of ``normalise`` (registry name, parameters) fixed by ``reference`` values
    (rows × indicators), as :func:`kept_parameters` returns it: a normalisation between
    bounds takes the reference's min and max (its own goalposts are replaced), the others
    their parameters computed on the reference (z-score: mean and sd; distance to target:
    worst values). Raises ``ValueError`` for a normalisation whose scale no reference fixes
    (ranks: see :data:`SCALE_PARAMETERS`).

    >>> x = np.array([[2.0, 40.0], [6.0, 10.0]])
    >>> reference_scale(("distance_to_target", {"target": [10.0, 5.0]}), x, np.array([1, -1]))[1]["worst"]
    array([ 2., 40.])
    >>> reference_scale(("minmax", {}), x, np.array([1, -1]))[0]
    (array([ 2., 10.]), array([ 6., 40.]))
    """
    name, params = normalise
    if takes_bounds(name):
        return column_bounds(reference), None
    if SCALE_PARAMETERS.get(name) is None:
        raise ValueError(f"no reference fixes the scale of {name!r}: normalise the values together")
    given = {"directions": directions} if "directions" in parameter_names(NORMALISATION[name]) else {}
    return kept_parameters(name, call(NORMALISATION, name, reference, {**given, **params}).params)
