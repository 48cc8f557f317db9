"""Derived indicators, declared in the framework's folder: ``inputs.csv`` (series that are not
indicators: population, budget revenues, …, with their unit and names) and ``derived.csv``
(each derived indicator's formula, inputs and parameters).

Formulas (``FORMULAS``), on arrays units × years:

* ``growth_index``: ``x(t) / x(t − lag) · 100`` (B1 = population(t) / population(t − 4) · 100);
* ``per_capita``: ``a / b · scale`` (B47 = B45 MW · 10⁶ / population);
* ``share``: ``a / b · 100``;
* ``self_sufficiency``: ``(R − T) / E · 100``, the dissertation's formula (1).

A derived value is computed only where the panel has none; it is flagged ``derived`` and its
source names the inputs it came from. A missing input leaves the value empty with a warning.

Example
-------
>>> import numpy as np
>>> FORMULAS["growth_index"]([np.array([[100.0, 101.0, 102.0, 103.0, 104.0]])], lag=4).tolist()
[[nan, nan, nan, nan, 104.0]]
>>> FORMULAS["self_sufficiency"]([np.array([[500.0]]), np.array([[200.0]]), np.array([[600.0]])]).tolist()
[[50.0]]
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from turaqty.model.framework import Framework
from turaqty.model.package_data import data_file, read_csv_rows
from turaqty.model.panel import Panel, _code_key
from turaqty.model.units import normalise_name


def _growth_index(x, lag: int = 4):
    (a,) = x
    out = np.full(a.shape, np.nan)
    lag = int(lag)
    with np.errstate(divide="ignore", invalid="ignore"):
        out[:, lag:] = a[:, lag:] / a[:, :-lag] * 100
    return out


def _ratio(x, scale: float = 1.0):
    a, b = x
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(b > 0, a / b * float(scale), np.nan)


def _share(x):
    return _ratio(x, 100.0)


def _self_sufficiency(x):
    revenue, transfers, expenditure = x
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(expenditure > 0, (revenue - transfers) / expenditure * 100, np.nan)


FORMULAS = {"growth_index": _growth_index, "per_capita": _ratio, "share": _share,
            "self_sufficiency": _self_sufficiency}
ARITY = {"growth_index": 1, "per_capita": 2, "share": 2, "self_sufficiency": 3}
TEXT = {"growth_index": "{0}({t}) / {0}({t0}) × 100", "per_capita": "{0} / {1} × {scale}",
        "share": "{0} / {1} × 100", "self_sufficiency": "({0} − {1}) / {2} × 100"}


@dataclass(frozen=True)
class Input:
    """A series used by a formula that is not an indicator (population, revenues, …)."""

    id: str
    unit: str
    names: tuple[str, ...]


@dataclass(frozen=True)
class Derivation:
    """How one indicator is computed from other series."""

    code: str
    formula: str
    inputs: tuple[str, ...]
    params: dict
    note: str = ""


@dataclass(frozen=True)
class Derivations:
    """The inputs and derived indicators a framework declares."""

    inputs: tuple[Input, ...] = ()
    derived: tuple[Derivation, ...] = ()
    sha256: str = ""

    def resolve(self, text: str) -> str | None:
        """The input id for any of its names (case, spaces ignored).

        >>> load_derivations_for("kz-isdr").resolve("Численность населения")
        'population'
        """
        return self._names.get(normalise_name(text))

    @cached_property
    def _names(self) -> dict[str, str]:
        return {normalise_name(n): i.id for i in self.inputs for n in (i.id, *i.names)}

    def unit(self, input_id: str) -> str:
        return next((i.unit for i in self.inputs if i.id == input_id), "")


def _params(text: str) -> dict:
    """``lag=4;scale=1000`` → ``{"lag": 4.0, "scale": 1000.0}``."""
    out = {}
    for item in filter(None, (p.strip() for p in text.split(";"))):
        key, _, value = item.partition("=")
        out[key.strip()] = float(value)
    return out


def _folder(fw: Framework):
    if fw.source.startswith("package:frameworks/"):
        return data_file("frameworks", fw.source.split("/", 1)[1])
    path = Path(fw.source)
    return path if path.is_dir() else None


def load_derivations(fw: Framework) -> Derivations:
    """The inputs and derived indicators declared beside the framework (none if absent);
    a formula that is unknown, has the wrong number of inputs or names an unknown series is a
    :class:`~turaqty.errors.DataError` naming the file and row."""
    from turaqty.errors import DataError, Problem

    folder = _folder(fw)
    if folder is None or not folder.joinpath("derived.csv").is_file():
        return Derivations()
    inputs_file = folder.joinpath("inputs.csv")
    raw_inputs = inputs_file.read_bytes() if inputs_file.is_file() else b""
    raw_derived = folder.joinpath("derived.csv").read_bytes()
    inputs = tuple(Input(r["id"], r.get("unit", ""), tuple(n for n in r.get("names", "").split(";") if n))
                   for r in (read_csv_rows(raw_inputs) if raw_inputs else []))
    known = {i.id for i in inputs} | set(fw.codes)
    derived, problems = [], []
    file = f"{fw.source}/derived.csv"
    for n, r in enumerate(read_csv_rows(raw_derived), start=2):
        names = tuple(x.strip() for x in r["inputs"].split(";") if x.strip())
        formula = r["formula"].strip()
        if formula not in FORMULAS:
            problems.append(Problem("derived_formula", file=file, row=n, column="formula", value=formula,
                                    params={"choices": ", ".join(FORMULAS)}))
        elif len(names) != ARITY[formula]:
            problems.append(Problem("derived_arity", file=file, row=n, column="inputs", value=r["inputs"],
                                    params={"formula": formula, "n": ARITY[formula]}))
        elif r["code"] not in fw.by_code or any(x not in known for x in names):
            problems.append(Problem("derived_unknown", file=file, row=n, column="inputs",
                                    value=";".join([r["code"], *names])))
        else:
            derived.append(Derivation(r["code"], formula, names,
                                      _params(r.get("params", "")), r.get("note", "")))
    if problems:
        raise DataError(problems)
    return Derivations(inputs, tuple(derived), hashlib.sha256(raw_inputs + raw_derived).hexdigest())


def load_derivations_for(framework_id: str) -> Derivations:
    """The declarations of a package framework."""
    from turaqty.model.framework import load_framework

    return load_derivations(load_framework(framework_id))


def derive(panel: Panel, derivations: Derivations) -> tuple[Panel, list]:
    """``panel`` with every derived indicator filled where it has no value, and warnings for
    values that cannot be computed because an input is missing. The inputs stay in the panel.

    >>> import pandas as pd
    >>> from turaqty.model.panel import panel_from_long
    >>> p = panel_from_long(pd.DataFrame({"unit_id": "akmola", "indicator": "population",
    ...     "year": [2019, 2023], "value": [738587.0, 788023.0]}))
    >>> d, notices = derive(p, load_derivations_for("kz-isdr"))
    >>> round(float(d.values[0, d.indicators.index("B1"), -1]), 2), d.flags[("akmola", "B1", 2023)]
    (106.69, 'derived')
    >>> d.sources[("akmola", "B1", 2023)]
    'B1 = population(2023) / population(2019) × 100'
    """
    if not derivations.derived:
        return panel, []
    years = panel.years
    full = tuple(range(years[0], years[-1] + 1))
    codes = list(panel.indicators) + [d.code for d in derivations.derived if d.code not in panel.indicators]
    codes = sorted(codes, key=_code_key)
    values = np.full((len(panel.units), len(codes), len(full)), np.nan)
    at = [full.index(y) for y in years]
    for j, c in enumerate(panel.indicators):
        values[:, codes.index(c), at] = panel.values[:, j, :]
    flags, sources, notices = dict(panel.flags), dict(panel.sources), []
    for d in derivations.derived:
        present = [x for x in d.inputs if x in codes]
        if not present:  # nothing to compute from: not attempted
            continue
        if len(present) < len(d.inputs):
            notices.append(("derived_no_input", d.code, "",
                            {"inputs": ", ".join(x for x in d.inputs if x not in codes)}))
            continue
        result = FORMULAS[d.formula]([values[:, codes.index(x), :] for x in d.inputs], **d.params)
        j = codes.index(d.code)
        fill = np.isnan(values[:, j, :]) & ~np.isnan(result)
        needed = np.isnan(values[:, j, :]) & np.isnan(result) & _any_input(values, codes, d)
        values[:, j, :] = np.where(fill, result, values[:, j, :])
        for i, k in zip(*np.nonzero(fill), strict=True):
            key = (panel.units[i], d.code, full[k])
            flags[key] = "derived"
            sources[key] = f"{d.code} = " + TEXT[d.formula].format(
                *d.inputs, t=full[k], t0=full[k] - int(d.params.get("lag", 0)),
                scale=f"{d.params.get('scale', 1):g}")
        for i in np.flatnonzero(needed.any(axis=1)):
            notices.append(("derived_input_missing", d.code, panel.units[i],
                            {"years": ", ".join(str(full[k]) for k in np.flatnonzero(needed[i])),
                             "inputs": ", ".join(d.inputs)}))
    columns = [j for j, c in enumerate(codes) if c in panel.indicators or not np.isnan(values[:, j, :]).all()]
    codes, values = [codes[j] for j in columns], values[:, columns, :]
    keep = [k for k in range(len(full)) if not np.isnan(values[:, :, k]).all() or full[k] in years]
    national = None
    if panel.national is not None:
        national = np.full((len(codes), len(keep)), np.nan)
        for j, c in enumerate(panel.indicators):
            for k_new, k in enumerate(keep):
                if full[k] in years:
                    national[codes.index(c), k_new] = panel.national[j, years.index(full[k])]
    kept = tuple(full[k] for k in keep)
    out = Panel(panel.units, tuple(codes), kept, values[:, :, keep], flags, sources,
                national, panel.framework, panel.source, panel.sha256, panel.notices + tuple(notices),
                **panel.unit_data(kept))
    return out, notices


def _any_input(values: np.ndarray, codes: list[str], d: Derivation) -> np.ndarray:
    """Units × years where some input of ``d`` has a value (a gap worth a warning)."""
    have = np.zeros(values[:, 0, :].shape, bool)
    for x in d.inputs:
        have |= ~np.isnan(values[:, codes.index(x), :])
    if d.formula == "growth_index":  # wanted where t has an input and t − lag is in the period
        have = ~np.isnan(values[:, codes.index(d.inputs[0]), :])
        have[:, :int(d.params.get("lag", 0))] = False
    return have
