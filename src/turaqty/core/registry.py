"""What every numeric step shares: its result type, parameter checks and registry look-up.

A step is a registry (a dict name → function). Every function takes the data array
(units in rows, indicators or children in columns, NaN = missing) and keyword
parameters only, and returns a :class:`Result`: the new values, the parameters it
*used* (the given ones plus those it derived from the data, such as the bounds of a
normalisation) and details for reports (e.g. which cells were imputed). Calling the
function again with ``**result.params`` replays the step exactly, on the same data or
on another year's data with the baseline's bounds.

A bad parameter raises :class:`ParameterError` (a ``ValueError``) naming the
parameter, the bad value and what is expected; the engine turns it into a user
error that names the method file and field.

Example
-------
>>> def double(values, *, factor=2.0):
...     return Result(values * check_number("factor", factor), {"factor": factor}, {})
>>> steps = {"double": double}
>>> call(steps, "double", np.array([1.0, 2.0]), {"factor": 3.0}).values.tolist()
[3.0, 6.0]
>>> call(steps, "triple", np.array([1.0]), {})
Traceback (most recent call last):
...
turaqty.core.registry.ParameterError: method: 'triple' is not one of: double
>>> call(steps, "double", np.array([1.0]), {"factr": 3})
Traceback (most recent call last):
...
turaqty.core.registry.ParameterError: factr: 3 is not a parameter of 'double'; expected one of: factor
"""
from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from functools import cache
from typing import Any, NamedTuple

import numpy as np


class Result(NamedTuple):
    """A step's output: new ``values``, the ``params`` that replay it, and ``details``."""

    values: np.ndarray
    params: dict[str, Any]
    details: dict[str, Any]


Registry = dict[str, Callable[..., Result]]  # a step's methods by name


class ParameterError(ValueError):
    """A parameter of a step that cannot be used: which one, its value, what is expected."""

    def __init__(self, parameter: str, value: Any, expected: str):
        self.parameter, self.value, self.expected = parameter, value, expected
        super().__init__(f"{parameter}: {value!r} {expected}")


def call(registry: Mapping[str, Callable[..., Result]], name: str, values: np.ndarray,
         params: Mapping[str, Any]) -> Result:
    """Run method ``name`` of ``registry`` on ``values`` after checking the names given."""
    check_params(registry, name, params)
    return registry[name](values, **params)


def check_params(registry: Mapping[str, Callable[..., Result]], name: str,
                 params: Mapping[str, Any]) -> None:
    """Raise :class:`ParameterError` for an unknown method or parameter name."""
    if name not in registry:
        raise ParameterError("method", name, "is not one of: " + ", ".join(registry))
    accepted = parameter_names(registry[name])
    for key in params:
        if key not in accepted:
            raise ParameterError(key, params[key], f"is not a parameter of {name!r}; expected "
                                 "one of: " + (", ".join(accepted) or "none"))


@cache
def parameter_names(function: Callable[..., Result]) -> list[str]:
    """The keyword parameters a step function accepts (everything after the data).

    >>> parameter_names(lambda values, *, scale=1, clip=False: None)
    ['scale', 'clip']
    """
    return [p.name for p in inspect.signature(function).parameters.values()
            if p.kind is inspect.Parameter.KEYWORD_ONLY]


def unchanged(values: Any) -> Result:
    """The "none" method of every step: the values as they are (a copy).

    >>> unchanged([[1.5]]).values.tolist()
    [[1.5]]
    """
    return Result(as_matrix(values).copy(), {}, {})


def check_number(name: str, value: Any, *, low: float = -np.inf, high: float = np.inf,
                 integer: bool = False) -> float:
    """``value`` as a finite number in [low, high] (an integer if asked).

    >>> check_number("winmax", 5.0, low=0, integer=True)
    5
    >>> check_number("p", True)
    Traceback (most recent call last):
    ...
    turaqty.core.registry.ParameterError: p: True is not a number between -inf and inf
    """
    ok = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
    if ok and integer:
        ok = float(value).is_integer()
    if not ok or not np.isfinite(value) or not low <= value <= high:
        kind = "an integer" if integer else "a number"
        raise ParameterError(name, value, f"is not {kind} between {low:g} and {high:g}")
    return int(value) if integer else float(value)


def check_choice(name: str, value: Any, choices: tuple[str, ...]) -> str:
    """``value`` if it is one of ``choices``.

    >>> check_choice("ties", "min", ("min", "max"))
    'min'
    """
    if value not in choices:
        raise ParameterError(name, value, "is not one of: " + ", ".join(choices))
    return value


def check_scale(name: str, value: Any) -> tuple[float, float]:
    """A pair (a, b) of finite numbers with a ≠ b.

    >>> check_scale("scale", [1, 9])
    (1.0, 9.0)
    """
    try:
        a, b = (float(v) for v in value)
    except (TypeError, ValueError):
        raise ParameterError(name, value, "is not a pair of numbers (a, b)") from None
    if not (np.isfinite(a) and np.isfinite(b)) or a == b:
        raise ParameterError(name, value, "is not a pair of two different finite numbers")
    return a, b


def per_column(name: str, value: Any, m: int, *, default: float | None = None,
               allow_nan: bool = True) -> np.ndarray:
    """A float array of length ``m``: a scalar is repeated, None gives ``default``.

    >>> per_column("lower", 2, 3).tolist(), per_column("fill", None, 2, default=0.0).tolist()
    ([2.0, 2.0, 2.0], [0.0, 0.0])
    """
    if value is None:
        if default is None:
            raise ParameterError(name, value, f"is required: one number per column ({m})")
        value = default
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise ParameterError(name, value, "is not numeric") from None
    if array.ndim == 0:
        array = np.full(m, float(array))
    if array.shape != (m,):
        raise ParameterError(name, value, f"does not have one number per column ({m})")
    if not allow_nan and np.isnan(array).any():
        raise ParameterError(name, value, "has a missing number")
    return array


def directions_of(value: Any, m: int) -> np.ndarray:
    """Directions (+1 higher is better, −1 higher is worse) per column; None = all +1.

    >>> directions_of(None, 2).tolist(), directions_of([1, -1], 2).tolist()
    ([1.0, 1.0], [1.0, -1.0])
    """
    directions = per_column("directions", value, m, default=1.0, allow_nan=False)
    if not np.isin(directions, (-1.0, 1.0)).all():
        raise ParameterError("directions", value, "may only hold +1 and −1")
    return directions


def as_matrix(values: Any) -> np.ndarray:
    """``values`` as a 2-d float64 array (units × columns).

    >>> as_matrix([[1, 2]]).dtype.name
    'float64'
    """
    array = np.asarray(values, dtype=np.float64)
    if array.ndim != 2:
        raise ParameterError("values", f"array of shape {array.shape}",
                             "is not a 2-d array (units × columns)")
    return array
