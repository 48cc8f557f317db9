"""Assess a dataset with a method: scores, indices, ranks, levels, matrix, statistics, warnings.

Example
-------
>>> a = assess()                                   # embedded 2023 data, default profile
>>> list(a.indices.columns[:6])
['unit_id', 'name', 'social', 'economic', 'ecological', 'integral']
>>> a.indices.sort_values("rank_integral").iloc[0]["unit_id"]
'almaty_city'
>>> d = assess(profile="dissertation")
>>> round(float(d.indices.set_index("unit_id").loc["akmola", "ecological"]), 2)   # Table 12: 6.50
6.5
"""
from __future__ import annotations

import datetime as _dt
import os
import platform
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from turaqty import __version__
from turaqty.core.classify import LEVELS
from turaqty.core.common_scale import kept_parameters
from turaqty.core.impute import group_codes
from turaqty.core.pipeline import PipelineResult, Tree, run_pipeline
from turaqty.core.registry import ParameterError
from turaqty.core.risk import risk_classes
from turaqty.core.stats import STATISTICS, describe
from turaqty.engine.risk import (
    RiskCounts,
    Thresholds,
    findings,
    macro_region_summary,
    region_types,
    risk_counts,
    risk_summary,
    risk_table,
    thresholds,
)
from turaqty.errors import DataError, Problem, RegionNames, UsageError
from turaqty.i18n import check_language, t, worded
from turaqty.io.frameworks import is_coinr_data, read_coinr_data, read_framework, units_catalogue
from turaqty.io.read import as_dataset
from turaqty.model.data_notes import data_year, exclusion_reason, for_dataset
from turaqty.model.dataset import Dataset
from turaqty.model.framework import DEFAULT_FRAMEWORK, Framework, load_framework
from turaqty.model.method import Method, get_method
from turaqty.model.units import PACKAGE_UNITS, Regions, load_regions, units_named


def version() -> str:
    """The version of turaqty (read from the package, not from its metadata)."""
    return __version__


@dataclass(frozen=True)
class Notice:
    """Something a user should know about an assessment: a message key (``code``), the
    indicator and unit it concerns (or ''), and the numbers and ids the message quotes."""

    code: str
    indicator: str
    unit_id: str
    params: dict = field(default_factory=dict, hash=False)


@dataclass(frozen=True, eq=False)
class Assessment:
    """The results of one assessment; immutable. :func:`assess` computes arrays only (ids,
    codes, numbers, enums and typed :class:`Notice` s); the tables — pandas DataFrames laid out
    as the CSV files ``turaqty assess`` writes, with names and messages in ``lang`` — are
    built the first time they are read, so that a loop of thousands of assessments
    (sensitivity analysis, scenarios) pays only for what it uses.
    """

    dataset: Dataset
    framework: Framework
    method: Method
    lang: str  # the language of the tables' names and messages (a view, not a result)
    manifest: dict
    arrays: PipelineResult = field(repr=False)
    thresholds: Thresholds = field(repr=False)
    risk_classes: np.ndarray = field(repr=False)  # regions × indicators: high | medium | low | none
    regions: Regions = field(repr=False, default_factory=load_regions)  # the units catalogue
    notices: tuple[Notice, ...] = ()

    @cached_property
    def scores(self) -> pd.DataFrame:
        """``unit_id`` and the 1–9 (or the method's) score of every indicator."""
        scores = pd.DataFrame(self.arrays.scores, columns=list(self.dataset.indicators))
        scores.insert(0, "unit_id", list(self.dataset.units))
        return scores

    @cached_property
    def indices(self) -> pd.DataFrame:
        """``unit_id, name``, every aggregate of the framework, their ranks and levels."""
        units = list(self.dataset.units)
        return _indices_frame(units, [self.regions.name(u, self.lang) for u in units],
                              self.arrays, self.framework)

    @cached_property
    def warnings(self) -> pd.DataFrame:
        """``code, indicator, unit_id, message``: every notice, in words."""
        return _warning_frame(self.notices, self.framework, self.regions, self.lang, self.home)

    @property
    def home(self) -> bool:
        """Whether this is the dissertation's framework (``kz-isdr``) on Kazakhstan's regions,
        where its words (regions, pillars, the integral index) apply; other assessments are
        described in general words (units, nodes; see :func:`turaqty.i18n.worded`)."""
        return self.framework.id == DEFAULT_FRAMEWORK and self.regions.source == PACKAGE_UNITS

    @property
    def has_risk_map(self) -> bool:
        """Whether the framework has risk rules (and so a risk map and its analyses)."""
        return bool(self.framework.risk_rules)

    def ranking(self) -> pd.DataFrame:
        """The indices table sorted by integral rank (best first).

        >>> assess().ranking()["unit_id"].head(2).tolist()
        ['almaty_city', 'astana']
        """
        return self.indices.sort_values([f"rank_{self.framework.root}", "unit_id"], kind="stable",
                                        na_position="last").reset_index(drop=True)

    @cached_property
    def direction_signs(self) -> np.ndarray:
        """Per indicator of the data: +1 where higher is better in this assessment, −1 where
        lower is (the directions the manifest records)."""
        return np.array([1 if self.manifest["directions"][c] == "+" else -1 for c in self.dataset.indicators])

    @cached_property
    def stats(self) -> pd.DataFrame:
        """Per indicator: labels, direction used, whether it is in the index, statistics."""
        return _stats_frame(self.dataset, self.framework, self.arrays, self.direction_signs, self.lang)

    @cached_property
    def matrix(self) -> pd.DataFrame:
        """The sustainability matrix: one row per (pillar or integral, level)."""
        return _matrix_frame(list(self.dataset.units), self.arrays.levels, self.framework,
                             self.regions, self.lang)

    @cached_property
    def _risk_counts(self) -> RiskCounts:
        return risk_counts(self.dataset, self.framework, self.risk_classes, self.arrays.included)

    @cached_property
    def risk(self) -> pd.DataFrame:
        """The risk map: ``unit_id, indicator, value, risk, lower, upper, rule``."""
        return risk_table(self.dataset, self.risk_classes, self.thresholds, self.lang)

    @cached_property
    def risk_summary(self) -> pd.DataFrame:
        """Per region: high/medium/low counts by pillar and its high-risk indicators."""
        return risk_summary(self.dataset, self.regions, self.risk_classes, self._risk_counts,
                            self.arrays.included, self.lang)

    @cached_property
    def region_types(self) -> pd.DataFrame:
        """Per region: its pillar levels, type name and main risk pillar."""
        return region_types(self.dataset, self.arrays.levels, self._risk_counts, self.framework,
                            self.regions, self.lang)

    @cached_property
    def macro_regions(self) -> pd.DataFrame:
        """Per macro-region and the cities: indices (mean, range), levels, risk counts."""
        return macro_region_summary(self.dataset, self.arrays.aggregates, self._risk_counts,
                                    self.regions, self.framework, self.lang)

    @cached_property
    def findings(self) -> pd.DataFrame:
        """Short findings per pillar, in words, generated from the data."""
        return findings(self.dataset, self.framework, self.regions, self.risk_classes,
                        self.arrays.included, self.lang, th=self.thresholds,
                        pillars=self.pillar_values)

    @property
    def pillar_values(self) -> np.ndarray:
        """Units × the framework's pillars (the aggregates that hold indicators)."""
        columns = self.framework.index_columns
        return self.arrays.aggregates[:, [columns.index(p) for p in self.framework.pillars]]


MIN_COVERAGE = 0.8  # SDSN: no index on fewer than 80 % of its indicators


def partial_indices(fw: Framework, r: PipelineResult, units) -> dict[str, list[str]]:
    """Aggregates that have a value for some units on less than :data:`MIN_COVERAGE` of their
    children, or on a child that does (possible only when the method's availability allows
    it): node → those units."""
    partial = ~np.isnan(r.aggregates) & (r.coverage < MIN_COVERAGE - 1e-12)
    column = {node: k for k, node in enumerate(fw.index_columns)}
    for k, node in enumerate(fw.index_columns):  # lowest level first: children come before
        for child in fw.children(node):
            if child in column:
                partial[:, k] |= partial[:, column[child]] & ~np.isnan(r.aggregates[:, k])
    return {node: [units[i] for i in np.flatnonzero(partial[:, k])]
            for k, node in enumerate(fw.index_columns) if partial[:, k].any()}


def _notices(ds: Dataset, fw: Framework, method: Method, r: PipelineResult,
             partial: dict[str, list[str]]) -> list[tuple[str, str, str, dict]]:
    """Warnings as (code, indicator, unit_id, params), in a stable order."""
    codes = ds.indicators
    pillar_of = fw.pillar_of
    excluded = method.excluded
    out: list[tuple[str, str, str, dict]] = list(ds.notices)
    absent = [c for c in fw.codes if c not in codes and fw.by_code[c].has_data]
    for c in absent:
        out.append(("indicator_absent", c, "", {}))
    for j, c in enumerate(codes):
        if r.empty[j]:
            out.append(("indicator_empty", c, "", {}))
        elif c in excluded:
            out.append(("indicator_excluded", c, "", {"reason": exclusion_reason(ds, c, excluded[c])}))
        elif r.constant[j]:
            out.append(("indicator_constant", c, "", {"value": r.upper[j]}))
    included = r.included
    missing = np.isnan(ds.values)
    for i, j in zip(*np.nonzero(missing & ~r.empty[None, :]), strict=True):
        c = codes[j]
        key = ("value_missing" if not r.imputed[i, j] else
               "value_imputed_zero" if method.impute.method == "zero" else "value_imputed")
        out.append((key, c, ds.units[i], {"pillar": pillar_of[c], "used": bool(included[j]),
                                          "imputation": method.impute.method}))
    column = {c: j for j, c in enumerate(codes)}
    units = set(ds.units)
    for (unit, c), flag in sorted(ds.flags.items()):
        if flag == "suspect" and c in column and unit in units and included[column[c]]:
            out.append(("value_suspect", c, unit, {"used": True}))
    for i, k in zip(*np.nonzero(np.isnan(r.aggregates)), strict=True):
        out.append(("pillar_no_score", "", ds.units[i], {"pillar": fw.index_columns[k]}))
    for node, partial_units in partial.items():
        out.append(("index_partial", "", "", {"pillar": node, "n": len(partial_units),
                                              "regions": RegionNames(partial_units),
                                              "share": f"{MIN_COVERAGE:.0%}"}))
    return out


def _warning_frame(notices, fw: Framework, regions: Regions, lang: str, home: bool = True) -> pd.DataFrame:
    """The notices in words (general words — units, nodes — where not ``home``)."""
    rows = []
    for notice in notices:
        code, ind, unit, params = notice.code, notice.indicator, notice.unit_id, notice.params
        p = dict(params)
        p["indicator"] = ind
        p["indicator_name"] = fw.by_code[ind].name(lang) if ind else ""
        p["region"] = regions.name(unit, lang) if unit else ""
        if "pillar" in p:
            p["pillar_name"] = fw.pillar_name(p["pillar"], lang)
            p["pillar_name_lower"] = p["pillar_name"].lower()
        if "reason" in p:
            p["reason_text"] = t(f"reason.{p['reason']}", lang, default=str(p["reason"]))
        p = {k: v.render(lang) if isinstance(v, RegionNames) else v for k, v in p.items()}
        p["use"] = t("warning.used" if p.get("used") else "warning.not_used", lang)
        rows.append((code, ind, unit, t(worded(f"warning.{code}", home), lang, **p)))
    return pd.DataFrame(rows, columns=["code", "indicator", "unit_id", "message"])


def _created() -> str:
    """Now (UTC, to the second), or $SOURCE_DATE_EPOCH for reproducible manifests."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = (_dt.datetime.fromtimestamp(int(epoch), _dt.UTC) if epoch and epoch.isdigit()
              else _dt.datetime.now(_dt.UTC))
    return moment.replace(microsecond=0).isoformat()


def _manifest(ds: Dataset, fw: Framework, regions: Regions, method: Method,
              directions: dict[str, str], included: list[str], lang: str) -> dict:
    year, year_from = data_year(ds)
    return {
        "tool": "turaqty",
        "lang": lang,
        "version": version(),
        "created": _created(),
        "inputs": {
            "data": {"source": ds.source, "sha256": ds.sha256, "year": year, "year_from": year_from,
                     **({"sheet": ds.sheet} if ds.sheet else {}),
                     "regions": len(ds.units), "indicators": len(ds.indicators),
                     "national_row": ds.national is not None},
            "framework": {"id": fw.id, "sha256": fw.sha256, "source": fw.source},
            "regions_catalogue": {"sha256": regions.sha256},
        },
        "method": method.to_dict(),
        "directions": directions,
        "indicators_in_index": included,
        "environment": {"python": platform.python_version(), "numpy": np.__version__,
                        "pandas": pd.__version__},
    }


def _indices_frame(units: list[str], names: list[str], r: PipelineResult,
                   fw: Framework) -> pd.DataFrame:
    """``unit_id, name``, one column per aggregate (lowest level first, the root last), their
    ranks, and the levels of those the framework gives level bands."""
    nodes = fw.index_columns
    columns: dict[str, Any] = {"unit_id": units, "name": names}
    columns.update({col: r.aggregates[:, k] for k, col in enumerate(nodes)})
    missing = np.isnan(r.ranks)
    whole = np.where(missing, 0, r.ranks).astype(np.int64)
    columns.update({f"rank_{col}": pd.arrays.IntegerArray(whole[:, k], missing[:, k])
                    for k, col in enumerate(nodes)})
    columns.update({f"level_{col}": r.levels[:, k] for k, col in enumerate(nodes)
                    if fw.levels(col) is not None})
    return pd.DataFrame(columns)


def _stats_frame(ds: Dataset, fw: Framework, r: PipelineResult, directions: np.ndarray,
                 lang: str) -> pd.DataFrame:
    """One row per indicator: labels, direction, whether it is in the index, statistics."""
    indicators = [fw.by_code[c] for c in ds.indicators]
    described = describe(ds.values)
    return pd.DataFrame({
        "indicator": list(ds.indicators),
        "name": [i.name(lang) for i in indicators],
        "unit": [i.unit(lang) for i in indicators],
        "pillar": [i.pillar for i in indicators],
        "direction": np.where(directions > 0, "+", "-"),
        "in_index": r.included,
        **{s: described[s] for s in STATISTICS},
        "national": ds.national if ds.national is not None else np.nan,
    })


def _matrix_frame(units: list[str], levels: np.ndarray, fw: Framework, regions: Regions,
                  lang: str) -> pd.DataFrame:
    """The sustainability matrix: one row per (aggregate with levels, level) with its regions."""
    rows = []
    for k, col in enumerate(fw.index_columns):
        if fw.levels(col) is None:
            continue
        for level in LEVELS:
            members = [u for u, lv in zip(units, levels[:, k], strict=True) if lv == level]
            rows.append((col, level, len(members), "; ".join(members),
                         "; ".join(regions.name(u, lang) for u in members)))
    return pd.DataFrame(rows, columns=["pillar", "level", "count", "unit_ids", "names"])


def tree_of(fw: Framework, method: Method, codes: tuple[str, ...]) -> Tree:
    """The framework's structure, as the method weighs and aggregates it, for the indicators
    ``codes`` of a dataset (framework indicators absent from it count against availability).

    >>> from turaqty.model.dataset import load_embedded
    >>> t = tree_of(load_framework(), get_method(), load_embedded().indicators)
    >>> t.aggregation[0], t.aggregation[-1], t.node_level.tolist(), t.absent.tolist()
    (('arithmetic', {}), ('sum', {}), [2, 2, 2, 3], [0, 0, 0, 0])
    """
    nodes = fw.index_columns
    position = {node: k for k, node in enumerate(nodes)}
    weights = dict(method.weights)
    excluded = method.excluded
    absent = np.zeros(len(nodes), dtype=np.int64)
    present = set(codes)
    for ind in fw.indicators:
        if ind.code not in present and ind.code not in excluded and ind.has_data:
            absent[position[ind.pillar]] += 1
    return Tree(
        indicator_parent=np.array([position[fw.pillar_of[c]] for c in codes], dtype=np.int64),
        node_parent=np.array([position[p] if (p := fw.parent(n)) else -1 for n in nodes],
                             dtype=np.int64),
        indicator_weight=np.array([weights.get(c, fw.weight(c)) for c in codes], dtype=np.float64),
        node_weight=np.array([weights.get(n, fw.weight(n)) for n in nodes], dtype=np.float64),
        node_level=np.array([fw.height[n] for n in nodes], dtype=np.int64),
        aggregation=tuple((step.method, step.params) for step in
                          (method.aggregation_for(n, fw.height[n], fw.by_node[n].aggregation)
                           for n in nodes)),
        bands=np.array([fw.levels(n) or (np.nan, np.nan) for n in nodes], dtype=np.float64),
        absent=absent,
        availability=np.array([dict(method.availability_by_node).get(n, method.availability)
                               for n in nodes]),
    )


def assess(data: Dataset | str | pd.DataFrame | None = None,
           profile: str | Method = "default", lang: str = "en",
           risk_thresholds: str | None = None, baseline: Assessment | None = None,
           framework: Framework | str | None = None, year: int | None = None) -> Assessment:
    """Assess ``data`` by the method of ``profile``.

    ``data`` is ``None`` (the embedded 2023 data), a path to a CSV or XLSX file, a wide
    DataFrame (a ``region`` column or index, one column per indicator code) or a
    :class:`~turaqty.model.dataset.Dataset`. ``profile`` is ``"default"``, ``"dissertation"``
    or a :class:`~turaqty.model.method.Method`. ``framework`` is a
    :class:`~turaqty.model.framework.Framework` or the path of one (a folder, an XLSX
    workbook or a COINr ``iMeta`` table); without it, the framework of the data (Kazakhstan's
    ``kz-isdr``). Names and messages are in ``lang``
    (``en``, ``kk`` or ``ru``). ``risk_thresholds`` (``derived`` or ``printed``) overrides
    the profile's choice for the risk map. ``year`` states the data's year
    (recorded in the manifest; without it, a single year in the file's name is used). With
    a ``baseline`` assessment of the same
    indicators, its normalisation bounds and risk thresholds are kept (scenarios: scores
    and classes stay comparable with the baseline's; scores beyond its bounds are clipped).

    >>> a = assess(profile="dissertation", lang="ru")
    >>> a.indices.loc[0, "name"], a.indices.loc[1, "name"]
    ('область Абай', 'Акмолинская область')
    """
    check_language(lang)
    method = get_method(profile)
    if risk_thresholds is not None and risk_thresholds != method.risk_thresholds:
        method = method.replace(risk_thresholds=risk_thresholds)
    fw = as_framework(framework) if framework is not None else None
    if baseline is not None and fw is None:
        fw = baseline.framework
    regions = units_catalogue(fw) if fw is not None else load_regions()
    if fw is not None and fw.group_ids + fw.denominator_ids and isinstance(data, (str, Path)) \
            and is_coinr_data(data):
        ds = read_coinr_data(data, fw)
    else:
        ds = as_dataset(data, fw, regions)
    if year is not None:
        ds = replace(ds, year=int(year))
    fw = fw or for_dataset(load_framework(ds.framework), ds)
    if method.framework and method.framework != fw.id:
        raise DataError(Problem("framework_mismatch", value=fw.id,
                                params={"expected": method.framework}))
    if ds.unit_names:
        regions = units_named(ds.unit_names, ds.source, digest=ds.sha256)
    bounds, kept = None, None
    if baseline is not None:
        if baseline.dataset.indicators != ds.indicators:
            raise DataError(Problem("baseline_mismatch", file=ds.source))
        bounds, kept = kept_scale(baseline)
    try:
        r = method_pipeline(fw, method, ds, bounds=bounds, kept=kept)
    except ParameterError as err:
        raise UsageError(Problem("method_param", column=err.parameter, value=str(err.value)[:80],
                                 params={"expected": err.expected})) from None
    th, risk_notices = thresholds(ds, fw, method.risk_thresholds)
    if baseline is not None:
        th, risk_notices = baseline.thresholds, []
    classes = risk_classes(ds.values, th.high, th.low, th.orientation, th.high_inclusive,
                           th.low_inclusive)
    partial = partial_indices(fw, r, ds.units)
    notices = tuple(Notice(*n) for n in _notices(ds, fw, method, r, partial) + risk_notices)
    manifest = _manifest(ds, fw, regions, method,
                         {c: "+" if fw.direction(c, method.directions) > 0 else "-" for c in ds.indicators},
                         [c for c, inc in zip(ds.indicators, r.included, strict=True) if inc], lang)
    manifest["bounds"] = "baseline" if baseline is not None else "data"
    manifest["step_parameters"] = r.params  # made JSON-ready when written
    manifest["partial_indices"] = partial
    return Assessment(ds, fw, method, lang, manifest, r, th, classes, regions, notices)


def method_pipeline(fw: Framework, method: Method, ds: Dataset, *, values: np.ndarray | None = None,
                    tree: Tree | None = None, bounds=None, kept: dict | None = None) -> PipelineResult:
    """:func:`~turaqty.core.pipeline.run_pipeline` on ``ds`` as ``method`` says on ``fw``
    (directions, exclusions, each step's parameters mapped onto the data); ``values`` (rows
    like the data's) replace its values, ``tree`` the tree built from ``method``, ``bounds``
    fix the scores' goalposts, ``kept`` (see :func:`kept_scale`) replaces the normalisation's
    parameters. A step's bad parameter raises ``ParameterError``.

    >>> a = assess()
    >>> r = method_pipeline(a.framework, a.method, a.dataset)
    >>> bool(np.array_equal(r.aggregates, a.arrays.aggregates, equal_nan=True))
    True
    """
    codes = ds.indicators
    directions = np.array([fw.direction(c, method.directions) for c in codes])
    excluded = np.array([c in method.excluded for c in codes], dtype=bool)
    return run_pipeline(ds.values if values is None else values, directions,
                        tree_of(fw, method, codes) if tree is None else tree, excluded,
                        denominate=_denomination(method, fw, ds), impute=_imputation(method, ds),
                        treat=_spec(method.treat), normalise=_normalisation(method, fw, codes, kept),
                        bounds=bounds)


def kept_scale(baseline: Assessment) -> tuple[tuple[np.ndarray, np.ndarray] | None, dict | None]:
    """What an assessment against ``baseline`` (a scenario) keeps of its normalisation, so
    that scores compare: ``(bounds, None)`` where the normalisation scores between bounds
    (min–max, goalposts: the baseline's bounds, scores beyond them clipped to the scale's
    ends), otherwise ``(None, parameters)``: those the baseline's normalisation used, replayed
    (z-scores: each indicator's mean and sd; distance to target: the worst values). Ranks and
    percentiles take nothing from the data beyond the order, so they are ranked again.

    >>> z = assess(profile=get_method("default").replace(normalise={"method": "zscore"}))
    >>> bounds, kept = kept_scale(z)
    >>> bounds is None, sorted(kept), bool(np.allclose(kept["mean"], np.nanmean(z.dataset.values, axis=0)))
    (True, ['mean', 'scale', 'sd'], True)
    """
    return kept_parameters(baseline.method.normalise.method, baseline.arrays.params.get("normalise", {}))


def _spec(step) -> tuple[str, dict]:
    return step.method, step.params


def as_framework(framework: Framework | str | Path) -> Framework:
    """A framework object, or the one in a folder, workbook or COINr iMeta (or a package id)."""
    return framework if isinstance(framework, Framework) else read_framework(framework)


def _denomination(method: Method, fw: Framework, ds: Dataset) -> tuple[str, dict]:
    """``divide`` by the data's denominator columns; without ``by``, each indicator's own
    denominator as the framework names it."""
    name, params = _spec(method.denominate)
    if name == "none":
        return name, params
    params = dict(params)
    params.setdefault("denominators", ds.denominators if ds.denominators is not None
                      else np.empty((len(ds.units), 0)))
    if "by" not in params:
        column = {d: k for k, d in enumerate(ds.denominator_ids)}
        params["by"] = [column.get(fw.by_code[c].denominator, -1) for c in ds.indicators]
    return name, params


def _imputation(method: Method, ds: Dataset) -> tuple[str, dict]:
    """Group imputation names its grouping column (``group: EurAsia_group``)."""
    name, params = _spec(method.impute)
    if "group" in params:
        params = dict(params)
        group = params.pop("group")
        if group not in ds.groups:
            raise UsageError(Problem("method_group", column="impute.group", value=group,
                                     params={"choices": ", ".join(ds.groups) or "-"}))
        params["groups"] = group_codes(ds.groups[group])[0]
    return name, params


def _normalisation(method: Method, fw: Framework, codes: tuple[str, ...],
                   kept: dict | None = None) -> tuple[str, dict]:
    """Goalposts without bounds take each indicator's lower bound and target from the
    framework (SDSN's codebook); ``kept`` parameters (a baseline's) replace the method's."""
    name, params = _spec(method.normalise)
    if kept:
        return name, {**params, **kept}
    if name == "goalposts" and "lower" not in params and "upper" not in params:
        inds = [fw.by_code[c] for c in codes]
        missing = [i.code for i in inds if i.lower_bound is None or i.target is None]
        if missing:
            raise UsageError(Problem("method_goalposts", value=", ".join(missing[:10])))
        params = {**params, "lower": [i.lower_bound for i in inds], "upper": [i.target for i in inds]}
    return name, params
