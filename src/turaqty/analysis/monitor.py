"""Monitoring over years: comparable scores, indices, trends, risks that can change, alerts.

Every year of a :class:`~turaqty.model.panel.Panel` is assessed by the engine's pipeline with
the *same* goalposts (``bounds``), decided per normalisation
(:mod:`turaqty.core.common_scale`): ``pooled`` (the default) takes them from every unit and
year, ``base`` from the base year, ``targets`` from each indicator's lower bound and target
(SDSN-style). A min–max (or goalposts) scales between those min and max: values beyond get
the end of the scale and the flag ``clipped``. A z-score keeps the pooled (or base year's)
mean and sd, a distance to target the pooled (or base year's) worst value, or the lower
bound with ``targets``, with the method's targets or else the framework's. Ranks and percentiles rank every
unit-year together (``pooled`` only: a rank has no parameter a base year could fix).
Normalisations that cannot take ``base`` or ``targets`` raise a ``UsageError``.

The index of each year is built from the *monitored indicators*: those with a value in every
year of the period (``indicators="common"``, the default) and one definition throughout, so
that an index compares year to year; ``indicators="all"`` takes whatever each year has
(recorded in the manifest as not comparable). Risk thresholds are fixed at the base year (an
indicator without data then: its first year with data), so a region can leave high risk.

Example
-------
>>> m = monitor()                          # the embedded panel, 2010–2023
>>> m.years[0], m.years[-1], m.bounds
(2010, 2023, 'pooled')
>>> sorted(m.monitored)[:3]
['B11', 'B20', 'B25']
>>> row = m.indices.query("unit_id == 'akmola' and year == 2023").iloc[0]
>>> bool(1 <= row["social"] <= 9)
True
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np
import pandas as pd

from turaqty.analysis.trends import (
    ARROWS,
    STATUSES,
    achieved_target,
    at,
    cagr,
    direction_arrow,
    last_valid,
    progress_ratio,
    progress_status,
)
from turaqty.core.common_scale import SCALE_PARAMETERS, reference_scale, takes_bounds
from turaqty.core.pipeline import prepare, run_pipeline
from turaqty.core.rank import rank_descending
from turaqty.core.registry import ParameterError
from turaqty.core.risk import risk_classes
from turaqty.engine.assessment import (
    _created,
    _denomination,
    _imputation,
    _spec,
    as_framework,
    tree_of,
    version,
)
from turaqty.engine.risk import thresholds
from turaqty.errors import DataError, Problem, UsageError
from turaqty.i18n import check_language, t
from turaqty.model.dataset import Dataset
from turaqty.model.derived import derive, load_derivations
from turaqty.model.framework import DEFAULT_FRAMEWORK, Framework, load_framework
from turaqty.model.layout import Layout, load_layout
from turaqty.model.method import Method, get_method
from turaqty.model.panel import Panel, _span, load_embedded_panel
from turaqty.model.units import Regions, load_regions, units_named

BOUNDS = ("pooled", "base", "targets")
INDICATOR_SETS = ("common", "all")


@dataclass(frozen=True, eq=False)
class Monitoring:
    """The results of monitoring a panel; tables as the CSV files ``turaqty monitor`` writes."""

    panel: Panel
    framework: Framework
    method: Method
    lang: str
    base_year: int
    bounds: str
    monitored: tuple[str, ...]  # indicators in the indices
    lower: np.ndarray  # goalposts per indicator (panel order)
    upper: np.ndarray
    scores: np.ndarray  # units × indicators × years
    clipped: np.ndarray  # bool, units × indicators × years
    aggregates: np.ndarray  # units × nodes × years
    ranks: np.ndarray
    levels: np.ndarray
    risk: np.ndarray  # units × indicators × years: high | medium | low | none
    targets: dict[str, float]
    notices: list = field(default_factory=list)
    regions: Regions = field(default_factory=load_regions)
    layout: Layout = field(default_factory=load_layout)
    embedded: bool = False  # the embedded panel (its reconciliation is shipped with it)
    indicator_set: str = ""  # the indicators asked for (monitor's ``indicators``)
    step_parameters: dict = field(default_factory=dict)  # each step's replayable parameters
    prepared: np.ndarray | None = None  # units × indicators × years: values as they reached normalisation

    @property
    def years(self) -> tuple[int, ...]:
        return self.panel.years

    @property
    def units(self) -> tuple[str, ...]:
        return self.panel.units

    @cached_property
    def existed(self) -> np.ndarray:
        """Bool units × years: the unit existed that year (the layout)."""
        return self.layout.existence(self.units, self.years)

    @property
    def scale_text(self) -> str:
        """The message key that says what the goalposts are, for this normalisation and bounds.

        >>> monitor(years="2022-2023").scale_text
        'monitor.report.bounds.pooled'
        """
        name = self.method.normalise.method
        if takes_bounds(name):
            return f"monitor.report.bounds.{self.bounds}"
        family = name if name in ("zscore", "distance_to_target", "none") else "rank"
        return f"monitor.report.scale.{family}.{self.bounds}"

    @cached_property
    def scores_table(self) -> pd.DataFrame:
        """``unit_id, year, indicator, value, value_used, score, monitored, flag``: one row per
        value of the panel and per value the method imputed (flag ``imputed``); ``value_used``
        is the value the score was computed from: divided by its denominator, imputed and
        treated as the method says (the value itself when the method does none of these).

        >>> table = monitor(years="2022-2023").scores_table
        >>> bool((table["value"] == table["value_used"]).all())
        True
        """
        raw = self.panel.values
        used = raw if self.prepared is None else self.prepared
        u, c, y = np.nonzero(~np.isnan(raw) | ~np.isnan(used))
        units = np.array(self.units, dtype=object)[u]
        codes = np.array(self.panel.indicators, dtype=object)[c]
        years = np.array(self.years)[y]
        flags = [self.panel.flags.get(k, "") for k in zip(units, codes, years.tolist(), strict=True)]
        imputed = np.isnan(raw[u, c, y])
        flags = [";".join(f for f in (flag, "imputed" if new else "", "clipped" if clip else "") if f)
                 for flag, new, clip in zip(flags, imputed, self.clipped[u, c, y], strict=True)]
        monitored = set(self.monitored)
        frame = pd.DataFrame({"unit_id": units, "year": years, "indicator": codes,
                              "value": raw[u, c, y], "value_used": used[u, c, y],
                              "score": self.scores[u, c, y],
                              "monitored": [code in monitored for code in codes], "flag": flags})
        return frame.sort_values(["year", "unit_id", "indicator"], kind="stable",
                                 key=_sort_key(self)).reset_index(drop=True)

    @cached_property
    def indices(self) -> pd.DataFrame:
        """``unit_id, year, name``, the framework's index columns, their ranks and levels: one
        row per unit and year it existed."""
        nodes = self.framework.index_columns
        u, y = np.nonzero(self.existed)
        order = np.lexsort((u, y))
        u, y = u[order], y[order]
        columns = {"unit_id": np.array(self.units, dtype=object)[u], "year": np.array(self.years)[y],
                   "name": [self.regions.name(self.units[i], self.lang) for i in u]}
        columns.update({n: self.aggregates[u, k, y] for k, n in enumerate(nodes)})
        columns.update({f"rank_{n}": pd.array(self.ranks[u, k, y], dtype="Int64")
                        for k, n in enumerate(nodes)})
        columns.update({f"level_{n}": self.levels[u, k, y] for k, n in enumerate(nodes)
                        if self.framework.levels(n) is not None})
        return pd.DataFrame(columns)

    @cached_property
    def trends(self) -> pd.DataFrame:
        """One row per unit and series (indicator or index) at its last year with a value."""
        return _trends(self)

    @cached_property
    def alerts(self) -> pd.DataFrame:
        """Entered high risk, dropped a level, series broke: newest first."""
        return _alerts(self)

    @cached_property
    def reconciliation(self) -> pd.DataFrame:
        """The 2023 values against the dissertation's Tables 7–9 (kz-isdr panels with 2023)."""
        if self.embedded:
            from turaqty.model.package_data import data_file

            return pd.read_csv(data_file("datasets", "kz-panel-reconciliation.csv").open("rb"))
        return _reconciliation(self.panel, self.framework)

    @cached_property
    def coverage(self) -> pd.DataFrame:
        """Per indicator: the years with values, and whether it is in the monitored indices."""
        frame = self.panel.coverage()
        frame.insert(1, "monitored", frame["indicator"].isin(self.monitored))
        return frame

    @cached_property
    def warnings(self) -> pd.DataFrame:
        """The notices of reading and monitoring, in words."""
        rows = []
        for code, indicator, unit, params in self.notices:
            p = {"indicator": indicator, "region": self.regions.name(unit, self.lang) if unit else "",
                 **params}
            rows.append((code, indicator, unit, t(f"warning.{code}", self.lang, **p)))
        return pd.DataFrame(rows, columns=["code", "indicator", "unit_id", "message"])

    @cached_property
    def manifest(self) -> dict:
        """What was monitored and how: inputs, method, goalposts, base year, indicator set."""
        return {
            "tool": "turaqty", "command": "monitor", "version": version(), "lang": self.lang,
            "created": _created(),
            "inputs": {"data": {"source": self.panel.source, "sha256": self.panel.sha256,
                                "years": [self.years[0], self.years[-1]], "units": len(self.units),
                                "indicators": len(self.panel.indicators)},
                       "framework": {"id": self.framework.id, "sha256": self.framework.sha256},
                       "layout": {"sha256": self.layout.sha256},
                       "regions_catalogue": {"sha256": self.regions.sha256}},
            "method": self.method.to_dict(),
            "monitoring": {
                "bounds": self.bounds, "base_year": self.base_year,
                "indicators": sorted(self.monitored, key=self.panel.indicators.index),
                "goalposts": {c: [_plain(lo), _plain(hi)] for c, lo, hi in
                              zip(self.panel.indicators, self.lower, self.upper, strict=True)},
                "targets": self.targets,
                "risk_thresholds": f"fixed at {self.base_year} (or an indicator's first year with data)",
                "clipped_values": int(self.clipped.sum()),
                "indicator_set": self.indicator_set,
            },
            "step_parameters": self.step_parameters,  # made JSON-ready when written
        }


def _plain(x: float):
    return None if np.isnan(x) else float(x)


def _sort_key(m: Monitoring):
    order = {u: k for k, u in enumerate(m.units)}
    codes = {c: k for k, c in enumerate(m.panel.indicators)}

    def key(s: pd.Series):
        if s.name == "unit_id":
            return s.map(order)
        if s.name == "indicator":
            return s.map(lambda c: codes.get(c, len(codes)))
        return s
    return key


def _monitored(panel: Panel, fw: Framework, method: Method, indicators: str,
               notices: list) -> tuple[str, ...]:
    """The indicators of the indices: with a value in every year (``common``) and one
    definition throughout; the framework's and the method's exclusions left out."""
    have = ~np.isnan(panel.values)
    every_year = have.any(axis=0).all(axis=1) if indicators == "common" else have.any(axis=(0, 2))
    out, units = [], set(panel.units)
    for j, code in enumerate(panel.indicators):
        if code not in fw.by_code or code in method.excluded:
            continue
        flagged = [y for (u, c, y), f in panel.flags.items()
                   if c == code and u in units and "definition" in f]
        if 0 < len(flagged) < int(have[:, j, :].sum()):
            notices.append(("monitor_definition_break", code, "", {"years": _span(set(flagged))}))
            continue
        if flagged and every_year[j]:
            notices.append(("monitor_definition_proxy", code, "", {}))
        if not every_year[j]:
            if have[:, j, :].any():
                notices.append(("monitor_not_every_year", code, "",
                                {"years": _span(np.array(panel.years)[have[:, j, :].any(axis=0)])}))
            continue
        out.append(code)
    if not out:
        raise DataError(Problem("monitor_no_indicators", value=_span(panel.years)))
    return tuple(out)


def _goal(entry) -> tuple[float, float, float]:
    """(worst, best, target) of a ``targets`` entry: a number is the target (and the best
    value), a pair ``(worst, best)`` takes its best value as the target, a triple gives all.

    >>> _goal(4), _goal((12, 2)), _goal((12, 2, 4))
    ((nan, 4.0, 4.0), (12.0, 2.0, 2.0), (12.0, 2.0, 4.0))
    """
    if isinstance(entry, tuple):
        return float(entry[0]), float(entry[1]), float(entry[2] if len(entry) > 2 else entry[1])
    return np.nan, float(entry), float(entry)


def _common_scale(values: np.ndarray, normalise: tuple[str, dict], directions: np.ndarray,
                  codes: tuple[str, ...], fw: Framework, mode: str, base: int,
                  targets: dict[str, tuple[float, float]]) -> tuple[tuple | None, dict]:
    """The goalposts that put every year on one scale (see :func:`monitor`): ``(bounds,
    parameters)``, the min and max per indicator of a normalisation between bounds (NaN: no
    data; else None), and the normalisation's parameters with those kept (z-score: mean and
    sd; distance to target: worst values, and the framework's targets where the method gives
    none), from all years' ``values`` (``pooled``), the base year's (``base``) or the targets
    (``targets``). Ranks keep nothing: every unit-year is ranked together."""
    name, params = normalise
    if name == "distance_to_target" and "target" not in params and mode != "targets":
        params = {**params, "target": _targets(codes, fw, targets, worst=False)[1]}
    if mode == "targets":
        if not (takes_bounds(name) or name == "distance_to_target"):
            raise UsageError(Problem("monitor_bounds_normalisation", value=mode,
                                     params={"normalisation": name, "choices": "pooled, base"}))
        worst, best = _targets(codes, fw, targets)
        if name == "distance_to_target":
            return None, {**params, "worst": worst, "target": best}
        return (np.fmin(worst, best), np.fmax(worst, best)), params
    if SCALE_PARAMETERS.get(name) is None:  # ranks: the scale is the unit-years ranked together
        if mode == "base":
            raise UsageError(Problem("monitor_bounds_normalisation", value=mode,
                                     params={"normalisation": name, "choices": "pooled"}))
        return None, params
    reference = values if mode == "pooled" else values[:, :, base:base + 1]
    n, m, k_years = reference.shape
    bounds, kept = reference_scale((name, params), reference.transpose(2, 0, 1).reshape(k_years * n, m),
                                   directions)
    return bounds, {**params, **(kept or {})}


def _targets(codes: tuple[str, ...], fw: Framework, targets: dict[str, tuple[float, float]],
             worst: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Per indicator: the worst value (lower bound) and the best (target), given or the
    framework's; an error names the indicators without them (without a target only, if
    not ``worst``)."""
    lows, best, missing = np.full(len(codes), np.nan), np.full(len(codes), np.nan), []
    for j, code in enumerate(codes):
        ind = fw.by_code[code]
        given = targets.get(code, (np.nan, np.nan))
        low, high = given if not np.isnan(given[0]) else (ind.lower_bound, ind.target)
        if not worst:  # a target alone (a targets file's indicator,target counts too)
            low, high = 0.0, high if np.isnan(given[1]) else given[1]
        if low is None or high is None or np.isnan(low) or np.isnan(high):
            missing.append(code)
            continue
        lows[j], best[j] = low, high
    if missing:
        raise UsageError(Problem("monitor_no_targets", value=", ".join(missing[:12])))
    return lows, best


def _risk(panel: Panel, fw: Framework, method: Method, base: int, notices: list) -> np.ndarray:
    """Risk classes of every year against thresholds fixed at the base year (for an indicator
    without data that year: at its first year with data after it)."""
    values = panel.values
    if not fw.risk_rules:  # no risk map: every class 'none' (a read-only view, no copy)
        return np.broadcast_to(np.array("none", dtype=object), values.shape)
    have = ~np.isnan(values).all(axis=0)  # indicators × years
    start = np.where(have[:, base:].any(axis=1), base + np.argmax(have[:, base:], axis=1),
                     np.argmax(have, axis=1))
    columns = np.arange(len(panel.indicators))
    reference = Dataset(panel.units, panel.indicators, values[:, columns, start],
                        panel.national[columns, start] if panel.national is not None else None,
                        framework=panel.framework, year=panel.years[base])
    th, _ = thresholds(reference, fw, method.risk_thresholds)
    n, m, k_years = values.shape
    stacked = values.transpose(2, 0, 1).reshape(k_years * n, m)
    classes = risk_classes(stacked, th.high, th.low, th.orientation, th.high_inclusive,
                           th.low_inclusive).reshape(k_years, n, m).transpose(1, 2, 0)
    classes[:, np.isnan(th.high) | np.isnan(th.low), :] = "none"
    return classes


def monitor(data: Panel | str | list | None = None, *, framework: Framework | str | None = None,
            profile: str | Method | None = None, base_year: int | None = None,
            bounds: str = "pooled", indicators: str = "common",
            targets: dict[str, float | tuple[float, ...]] | None = None,
            years: str | tuple[int, int] | None = None, outside_layout: str = "error",
            lang: str = "en") -> Monitoring:
    """Monitor ``data`` over its years.

    ``data`` is ``None`` (the embedded panel 2010–2023), a :class:`Panel`, or the path(s) of
    files or folders :func:`turaqty.io.panel.read_panel` reads (COINr's panel included).
    ``profile`` is a profile's name or a :class:`Method` (default: ``default`` for kz-isdr,
    the generic method for another framework); its steps before normalisation work year by
    year (:func:`prepared_values`). ``base_year`` (default: the
    first year) anchors the changes, the progress status and the risk thresholds. ``bounds``
    is ``pooled``, ``base`` or ``targets`` (what each means per normalisation: see the
    module's docstring); ``targets`` maps an indicator to its target (for
    the progress status), to ``(worst, best)`` goalposts (for ``bounds="targets"``; the best
    value is then the target too) or to ``(worst, best, target)``.
    ``years`` (``"2015-2023"`` or a pair) limits the period; ``outside_layout`` is handed to
    the reader (``drop``: values of a unit before it existed are left out with a warning).
    """
    check_language(lang)
    if bounds not in BOUNDS:
        raise UsageError(Problem("monitor_bounds", value=bounds, params={"choices": ", ".join(BOUNDS)}))
    if indicators not in INDICATOR_SETS:
        raise UsageError(Problem("monitor_indicator_set", value=indicators,
                                 params={"choices": ", ".join(INDICATOR_SETS)}))
    panel, fw = read_monitored_panel(data, framework, years=years, outside_layout=outside_layout)
    if profile is None:  # the package framework's profile; a user framework: min–max 1–9, weighted means
        profile = "default" if fw.id == DEFAULT_FRAMEWORK else Method(profile="generic")
    method = get_method(profile)
    if method.framework and method.framework != fw.id:
        raise DataError(Problem("framework_mismatch", value=fw.id, params={"expected": method.framework}))
    notices = list(panel.notices)
    base_year = panel.years[0] if base_year is None else int(base_year)
    if base_year not in panel.years:
        raise UsageError(Problem("monitor_base_year", value=base_year, params={"years": _span(panel.years)}))
    base = panel.years.index(base_year)
    monitored = _monitored(panel, fw, method, indicators, notices)
    goal = {c: _goal(v) for c, v in (targets or {}).items()}
    codes = panel.indicators
    directions = np.array([fw.direction(c, method.directions) if c in fw.by_code else 1 for c in codes])
    excluded = np.array([c not in monitored for c in codes])
    tree = tree_of(fw, method, codes)
    tree = replace(tree, absent=np.zeros_like(tree.absent))
    existed = load_layout().existence(panel.units, panel.years)
    try:
        prepared, by_year = prepared_values(panel, existed, fw, method, directions)
        name, norm_params = _spec(method.normalise)
        scale, kept = _common_scale(prepared, (name, norm_params), directions, codes, fw, bounds, base,
                                    {c: g[:2] for c, g in goal.items()})
        scores, aggregates, ranks, levels, params = _assess_years(
            prepared, (name, kept), directions, tree, excluded, scale)
    except ParameterError as err:
        raise UsageError(Problem("method_param", column=err.parameter, value=str(err.value)[:80],
                                 params={"expected": err.expected})) from None
    if by_year:
        params = {**params, "prepared_by_year": by_year}
    no_bounds = np.full(len(codes), np.nan)
    lower, upper = scale if scale is not None else (no_bounds, no_bounds)
    with np.errstate(invalid="ignore"):
        clipped = (prepared < lower[None, :, None]) | (prepared > upper[None, :, None])
    for j, code in enumerate(codes):
        if clipped[:, j, :].any():
            notices.append(("monitor_clipped", code, "", {"n": int(clipped[:, j, :].sum())}))
    risk = _risk(panel, fw, method, base, notices)
    result = Monitoring(panel, fw, method, lang, base_year, bounds, monitored, lower, upper, scores,
                        clipped, aggregates, ranks, levels, risk,
                        {c: g[2] for c, g in goal.items()}, notices, regions=_units_of(panel, fw),
                        embedded=data is None, indicator_set=indicators, step_parameters=params,
                        prepared=prepared)
    return result


def _units_of(panel: Panel, fw: Framework) -> Regions:
    """The units catalogue that names the panel's units: the panel's own names (a COINr
    panel's ``uName``), else the framework's catalogue."""
    if panel.unit_names:
        return units_named(panel.unit_names, panel.source, digest=panel.sha256)
    from turaqty.io.frameworks import units_catalogue

    return units_catalogue(fw)


def read_monitored_panel(data: Panel | str | list | None = None,
                         framework: Framework | str | None = None, *,
                         years: str | tuple[int, int] | None = None,
                         outside_layout: str = "error") -> tuple[Panel, Framework]:
    """The panel :func:`monitor` works on and its framework: ``data`` as :func:`monitor`
    takes it (``None``: the embedded panel), limited to ``years``, its derived indicators
    computed and only the framework's indicators kept.

    >>> panel, fw = read_monitored_panel(years="2020-2023")
    >>> panel.years, fw.id, len(panel.indicators)
    ((2020, 2021, 2022, 2023), 'kz-isdr', 52)
    """
    fw = as_framework(framework) if framework is not None else None
    if data is None:
        panel = load_embedded_panel()
    elif isinstance(data, Panel):
        panel = data
    else:
        from turaqty.io.panel import read_panel

        panel = read_panel(data, fw, outside_layout=outside_layout)
    if years is not None:
        panel = panel.between(*_period(years))
    fw = fw or load_framework(panel.framework)
    panel, _ = derive(panel, load_derivations(fw))
    return panel.select(fw.codes), fw  # the inputs of derived indicators have done their work


def prepared_values(panel: Panel, existed: np.ndarray, fw: Framework, method: Method,
                    directions: np.ndarray) -> tuple[np.ndarray, dict]:
    """Units × indicators × years: the values as they reach normalisation, and each year's
    step parameters. As COINr does with a panel (a "purse"), every step before normalisation
    works on one year at a time: divided by that year's denominators, imputed within that
    year's units and groups, treated on that year's values; a unit before it existed has none.

    >>> panel, fw = read_monitored_panel(years="2022-2023")
    >>> existed = load_layout().existence(panel.units, panel.years)
    >>> v, by_year = prepared_values(panel, existed, fw, get_method(), np.ones(len(panel.indicators)))
    >>> bool(np.array_equal(v, np.where(existed[:, None, :], panel.values, np.nan), equal_nan=True)), by_year
    (True, {})
    """
    values = np.where(existed[:, None, :], panel.values, np.nan)
    if all(step.method == "none" for step in (method.denominate, method.impute, method.treat)):
        return values, {}
    if method.denominate.method != "none":
        _check_denominators(panel, fw)
    out, by_year = np.full(values.shape, np.nan), {}
    for k, year in enumerate(panel.years):
        alive = np.flatnonzero(existed[:, k])
        ds = Dataset(tuple(panel.units[i] for i in alive), panel.indicators, values[alive, :, k],
                     denominators=None if panel.denominators is None else panel.denominators[alive, :, k],
                     denominator_ids=panel.denominator_ids,
                     groups={g: labels[alive, k] for g, labels in panel.groups.items()})
        out[alive, :, k], _, _, by_year[year] = prepare(
            ds.values, directions, denominate=_denomination(method, fw, ds),
            impute=_imputation(method, ds), treat=_spec(method.treat))
    return out, by_year


def _check_denominators(panel: Panel, fw: Framework) -> None:
    """A method that divides needs the denominators the framework names for the panel's
    indicators, with values: an error names those the panel lacks."""
    needed = sorted({fw.by_code[c].denominator for c in panel.indicators if fw.by_code[c].denominator})
    have = {d for k, d in enumerate(panel.denominator_ids)
            if panel.denominators is not None and not np.isnan(panel.denominators[:, k, :]).all()}
    missing = [d for d in needed if d not in have]
    if missing:
        raise DataError(Problem("monitor_no_denominator", file=panel.source, value=", ".join(missing)))


def _assess_years(values: np.ndarray, normalise: tuple[str, dict], directions: np.ndarray, tree,
                  excluded: np.ndarray, bounds: tuple[np.ndarray, np.ndarray] | None):
    """Scores, aggregates, ranks and levels (units × … × years) of every year's prepared
    ``values`` (see :func:`prepared_values`) on one scale (``bounds``, or ``normalise``'s
    parameters kept): all years through the normalisation and aggregation at once, stacked
    (so ranks and percentiles rank every unit-year together); ranks then within each year."""
    n, m, k_years = values.shape
    stacked = values.transpose(2, 0, 1).reshape(k_years * n, m)
    r = run_pipeline(stacked, directions, tree, excluded, normalise=normalise, bounds=bounds)

    def cube(a):
        return a.reshape(k_years, n, -1).transpose(1, 2, 0)

    aggregates, levels = cube(r.aggregates), cube(r.levels)
    ranks = np.full(aggregates.shape, np.nan)
    for k in range(k_years):
        for j in range(aggregates.shape[1]):
            ranks[:, j, k] = rank_descending(aggregates[:, j, k])
    return cube(r.scores), aggregates, ranks, levels, r.params


def _period(years: str | tuple[int, int]) -> tuple[int, int]:
    """``"2015-2023"`` (or ``"2015–2023"``, ``"2015:2023"``) or a pair → (first, last).

    >>> _period("2015-2023"), _period((2010, 2012))
    ((2015, 2023), (2010, 2012))
    """
    if isinstance(years, str):
        parts = [p.strip() for p in years.replace("–", "-").replace(":", "-").split("-")]
        if len(parts) == 2 and all(p.isdigit() and len(p) == 4 for p in parts):
            return int(parts[0]), int(parts[1])
        raise UsageError(Problem("monitor_years", value=years))
    first, last = years
    return int(first), int(last)


def _reconciliation(panel: Panel, fw: Framework) -> pd.DataFrame:
    """The panel's 2023 values against the dissertation's, for a kz-isdr panel with 2023 data."""
    from turaqty.analysis.reconcile import COLUMNS, reconcile

    if fw.id != "kz-isdr" or 2023 not in panel.years:
        return pd.DataFrame(columns=COLUMNS)
    tidy = panel.tidy()
    return reconcile(tidy[tidy["year"] == 2023].drop(columns="year"))


def _trends(m: Monitoring) -> pd.DataFrame:
    """Change vs the previous and the base year, 5-year CAGR, progress status or arrow, ranks."""
    fw, years = m.framework, np.array(m.years)
    codes = m.panel.indicators
    nodes = fw.index_columns
    series = list(codes) + list(nodes)
    # units × series × years, stacked: indicators then index nodes
    cube = np.concatenate([m.panel.values, m.aggregates], axis=1)
    n, s, _ = cube.shape
    flat = cube.reshape(n * s, -1)
    last = last_valid(flat)
    value = at(flat, last)
    previous = at(flat, last - 1)
    base_value = flat[:, m.years.index(m.base_year)]
    five = at(flat, last - 5)
    direction = np.tile([fw.direction(c, m.method.directions) if c in fw.by_code else 1 for c in codes]
                        + [1] * len(nodes), n)
    target = np.tile([_target(m, c) for c in codes] + [np.nan] * len(nodes), n).astype(np.float64)
    year = np.where(last >= 0, years[np.maximum(last, 0)], 0)
    change = value - previous
    achieved = achieved_target(value, target, direction)
    ratio = progress_ratio(base_value, value, target, m.base_year, year)
    status = progress_status(np.where(np.isnan(target), np.nan, ratio), achieved)
    arrows = direction_arrow(change, previous, direction)
    rank_now = at(np.concatenate([np.full((n, len(codes), len(years)), np.nan), m.ranks], axis=1)
                  .reshape(n * s, -1), last)
    rank_before = at(np.concatenate([np.full((n, len(codes), len(years)), np.nan), m.ranks], axis=1)
                     .reshape(n * s, -1), last - 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        frame = pd.DataFrame({
            "unit_id": np.repeat(np.array(m.units, dtype=object), s),
            "series": np.tile(np.array(series, dtype=object), n),
            "kind": np.tile(["indicator"] * len(codes) + ["index"] * len(nodes), n),
            "year": year, "value": value, "previous": previous, "change": change,
            "change_pct": 100 * change / np.abs(previous),
            "base_year": m.base_year, "base_value": base_value, "change_base": value - base_value,
            "cagr_5y": 100 * cagr(five, value, 5), "target": target, "progress_ratio":
                np.where(np.isnan(target), np.nan, ratio), "status": status,
            "trend": arrows, "arrow": [ARROWS.get(a, "") for a in arrows],
            "rank": pd.array(np.where(np.isnan(rank_now), np.nan, rank_now), dtype="Int64"),
            "rank_previous": pd.array(rank_before, dtype="Int64"),
            "rank_change": pd.array(rank_before - rank_now, dtype="Int64"),
        })
    frame = frame[last >= 0].reset_index(drop=True)
    texts = {x: t(f"monitor.status.{x}", m.lang) for x in STATUSES}
    frame["status_text"] = frame["status"].map(texts).fillna("")
    return frame


def _target(m: Monitoring, code: str) -> float:
    """The target of indicator ``code``: the one given to :func:`monitor`, else the
    framework's; NaN only where there is none (a target of 0, e.g. zero poverty, is a target).

    >>> zero, none = monitor(years="2022-2023", targets={"B3": 0}), monitor(years="2022-2023")
    >>> _target(zero, "B3"), _target(none, "B3")
    (0.0, nan)
    """
    if code in m.targets:
        return float(m.targets[code])
    indicator = m.framework.by_code.get(code)
    return np.nan if indicator is None or indicator.target is None else float(indicator.target)


ALERTS = ("entered_high_risk", "level_drop", "series_break", "definition_change")


def _alerts(m: Monitoring) -> pd.DataFrame:
    """Alerts of every year against the one before: newest year first, then by kind, unit
    and series."""
    codes, nodes, years = m.panel.indicators, m.framework.index_columns, m.years
    values = m.panel.values
    found = []  # per kind: (kind, unit, series position, year position, before, after, names)

    def add(kind, mask, names, source, offset):
        """Alerts where ``mask`` (units × series × years − 1); series positions count the
        indicators first, then (``offset`` = their number) the index columns."""
        i, j, k = np.nonzero(mask)
        found.append((np.full(i.size, ALERTS.index(kind)), i, offset + j, k + 1, source[i, j, k],
                      source[i, j, k + 1], np.array(names, dtype=object)[j]))
    if m.framework.risk_rules:
        before = m.risk[:, :, :-1]
        entered = (m.risk[:, :, 1:] == "high") & (before != "high") & (before != "none")
        add("entered_high_risk", entered, codes, values, 0)
    order = np.select([m.levels == "low", m.levels == "medium", m.levels == "high"], [0, 1, 2], np.nan)
    add("level_drop", order[:, :, 1:] < order[:, :, :-1], nodes, m.aggregates, len(codes))
    both = ~np.isnan(values[:, :, 1:]) & ~np.isnan(values[:, :, :-1])
    territory = np.zeros(both.shape, bool)
    for unit_id, change_years in m.layout.breaks.items():
        for y in change_years:
            if unit_id in m.units and y in years[1:]:
                territory[m.units.index(unit_id), :, years.index(y) - 1] = True
    add("series_break", both & territory, codes, values, 0)
    definition = np.zeros(values.shape, bool)
    unit_at, code_at, year_at = ({x: k for k, x in enumerate(xs)} for xs in (m.units, codes, years))
    for (u, c, y), flag in m.panel.flags.items():
        if "definition" in flag and u in unit_at and c in code_at and y in year_at:
            definition[unit_at[u], code_at[c], year_at[y]] = True
    add("definition_change", both & (definition[:, :, 1:] != definition[:, :, :-1]), codes, values, 0)
    kind, unit, rank, year_at_, before, after, series = (np.concatenate(x) for x in zip(*found, strict=True))
    sort = np.lexsort((rank, unit, kind, -year_at_))
    kind, unit, year_at_, before, after, series = (x[sort] for x in (kind, unit,
                                                                     year_at_, before, after, series))
    fw, lang = m.framework, m.lang
    template = [t(f"monitor.alert.{a}", lang) for a in ALERTS]
    region = [m.regions.name(u, lang) for u in m.units]
    name = {x: fw.by_code[x].name(lang) if x in fw.by_code else fw.pillar_name(x, lang) for x in set(series)}
    year = np.array(years)[year_at_]
    messages = [template[a].format(region=region[u], series=x, year=y, before=_fmt(b), after=_fmt(c),
                                   name=name[x])
                for a, u, x, y, b, c in zip(kind.tolist(), unit.tolist(), series.tolist(), year.tolist(),
                                            before.tolist(), after.tolist(), strict=True)]
    return pd.DataFrame({"year": year, "unit_id": np.array(m.units, dtype=object)[unit],
                         "alert": np.array(ALERTS, dtype=object)[kind], "series": series,
                         "before": before, "after": after, "message": messages})


def _fmt(x: float) -> str:
    return "" if x is None or x != x else f"{x:.4g}"
