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
from dataclasses import dataclass, field
from functools import cached_property
from importlib import metadata

import numpy as np
import pandas as pd

from turaqty.model.framework import Framework, load_framework
from turaqty.model.units import Regions, load_regions
from turaqty.core.classify import LEVELS
from turaqty.core.pipeline import PipelineResult, run_pipeline
from turaqty.core.stats import STATISTICS, describe
from turaqty.model.dataset import Dataset
from turaqty.errors import DataError, Problem, RegionNames
from turaqty.i18n import check_language, t
from turaqty.io.read import as_dataset
from turaqty.model.method import Method, get_method
from turaqty.core.risk import risk_classes
from turaqty.engine.risk import (Thresholds, findings, macro_region_summary, region_types, risk_counts,
                          risk_summary, risk_table, thresholds)

INDEX_COLUMNS = ("social", "economic", "ecological", "integral")


def version() -> str:
    """The installed version of turaqty."""
    try:
        return metadata.version("turaqty")
    except metadata.PackageNotFoundError:  # running from a source tree
        return "0+unknown"


@dataclass(frozen=True, eq=False)
class Assessment:
    """The results of one assessment; immutable. Tables are pandas DataFrames laid out as
    the CSV files ``turaqty assess`` writes. The scores, indices and warnings are made by
    :func:`assess`; the other tables are built the first time they are read, so that a loop
    of thousands of assessments (sensitivity analysis, scenarios) pays only for what it uses.
    """

    dataset: Dataset
    framework: Framework
    method: Method
    lang: str
    scores: pd.DataFrame
    indices: pd.DataFrame
    warnings: pd.DataFrame
    manifest: dict
    arrays: PipelineResult = field(repr=False)
    thresholds: Thresholds = field(repr=False)
    risk_classes: np.ndarray = field(repr=False)  # regions × indicators: high | medium | low | none

    def ranking(self) -> pd.DataFrame:
        """The indices table sorted by integral rank (best first).

        >>> assess().ranking()["unit_id"].head(2).tolist()
        ['almaty_city', 'astana']
        """
        return self.indices.sort_values(["rank_integral", "unit_id"], kind="stable",
                                        na_position="last").reset_index(drop=True)

    @cached_property
    def _regions(self) -> Regions:
        return load_regions()

    @cached_property
    def stats(self) -> pd.DataFrame:
        """Per indicator: labels, direction used, whether it is in the index, statistics."""
        directions = np.array([1 if self.manifest["directions"][c] == "+" else -1
                               for c in self.dataset.indicators])
        return _stats_frame(self.dataset, self.framework, self.arrays, directions, self.lang)

    @cached_property
    def matrix(self) -> pd.DataFrame:
        """The sustainability matrix: one row per (pillar or integral, level)."""
        return _matrix_frame(list(self.dataset.units), self.arrays.levels, self._regions, self.lang)

    @cached_property
    def _risk_counts(self) -> dict[str, np.ndarray]:
        return risk_counts(self.dataset, self.framework, self.risk_classes)

    @cached_property
    def risk(self) -> pd.DataFrame:
        """The risk map: ``unit_id, indicator, value, risk, lower, upper, rule``."""
        return risk_table(self.dataset, self.risk_classes, self.thresholds, self.lang)

    @cached_property
    def risk_summary(self) -> pd.DataFrame:
        """Per region: high/medium/low counts by pillar and its high-risk indicators."""
        return risk_summary(self.dataset, self._regions, self.risk_classes, self._risk_counts,
                            self.lang)

    @cached_property
    def region_types(self) -> pd.DataFrame:
        """Per region: its pillar levels, type name and main risk pillar."""
        return region_types(self.dataset, self.arrays.levels, self._risk_counts, self.framework,
                            self._regions, self.lang)

    @cached_property
    def macro_regions(self) -> pd.DataFrame:
        """Per macro-region and the cities: indices (mean, range), levels, risk counts."""
        r = self.arrays
        return macro_region_summary(self.dataset, np.column_stack([r.pillars, r.integral]),
                                    self._risk_counts, self._regions, self.method.integral_levels,
                                    self.method.pillar_levels, self.lang)

    @cached_property
    def mechanisms(self) -> pd.DataFrame:
        """Per region: the chapter-3 instruments that answer its high risks and fit its type."""
        from turaqty.analysis.mechanisms import region_mechanisms  # built on Assessment: imported on use

        return region_mechanisms(self)

    @cached_property
    def findings(self) -> pd.DataFrame:
        """Short findings per pillar, in words, generated from the data."""
        return findings(self.dataset, self.framework, self._regions, self.risk_classes,
                        self.arrays.included, self.lang, th=self.thresholds,
                        pillars=self.arrays.pillars)


def _notices(ds: Dataset, fw: Framework, method: Method, r: PipelineResult) -> list[tuple[str, str, str, dict]]:
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
            out.append(("indicator_excluded", c, "", {"reason": excluded[c]}))
        elif r.constant[j]:
            out.append(("indicator_constant", c, "", {"value": r.upper[j]}))
    included = r.included
    missing = np.isnan(ds.values)
    for i, j in zip(*np.nonzero(missing & ~r.empty[None, :])):
        c = codes[j]
        key = "value_imputed_zero" if r.imputed[i, j] else "value_missing"
        out.append((key, c, ds.units[i], {"pillar": pillar_of[c], "used": bool(included[j])}))
    column = {c: j for j, c in enumerate(codes)}
    units = set(ds.units)
    for (unit, c), flag in sorted(ds.flags.items()):
        if flag == "suspect" and c in column and unit in units and included[column[c]]:
            out.append(("value_suspect", c, unit, {"used": True}))
    for i, k in zip(*np.nonzero(np.isnan(r.pillars))):
        out.append(("pillar_no_score", "", ds.units[i], {"pillar": fw.pillars[k]}))
    return out


def _warning_frame(notices, fw: Framework, regions: Regions, lang: str) -> pd.DataFrame:
    rows = []
    for code, ind, unit, params in notices:
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
        rows.append((code, ind, unit, t(f"warning.{code}", lang, **p)))
    return pd.DataFrame(rows, columns=["code", "indicator", "unit_id", "message"])


def _created() -> str:
    """Now (UTC, to the second), or $SOURCE_DATE_EPOCH for reproducible manifests."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = (_dt.datetime.fromtimestamp(int(epoch), _dt.timezone.utc) if epoch and epoch.isdigit()
              else _dt.datetime.now(_dt.timezone.utc))
    return moment.replace(microsecond=0).isoformat()


def _manifest(ds: Dataset, fw: Framework, regions: Regions, method: Method,
              directions: dict[str, str], included: list[str]) -> dict:
    return {
        "tool": "turaqty",
        "version": version(),
        "created": _created(),
        "inputs": {
            "data": {"source": ds.source, "sha256": ds.sha256, "year": ds.year,
                     "regions": len(ds.units), "indicators": len(ds.indicators),
                     "national_row": ds.national is not None},
            "framework": {"id": fw.id, "sha256": fw.sha256},
            "regions_catalogue": {"sha256": regions.sha256},
        },
        "method": method.to_dict(),
        "directions": directions,
        "indicators_in_index": included,
        "environment": {"python": platform.python_version(), "numpy": np.__version__,
                        "pandas": pd.__version__},
    }


def _indices_frame(units: list[str], names: list[str], r: PipelineResult) -> pd.DataFrame:
    """``unit_id, name``, the four indices, their ranks, their levels."""
    table = np.column_stack([r.pillars, r.integral])
    columns = {"unit_id": units, "name": names}
    columns.update({col: table[:, k] for k, col in enumerate(INDEX_COLUMNS)})
    columns.update({f"rank_{col}": pd.array(r.ranks[:, k], dtype="Int64")
                    for k, col in enumerate(INDEX_COLUMNS)})
    columns.update({f"level_{col}": r.levels[:, k] for k, col in enumerate(INDEX_COLUMNS)})
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


def _matrix_frame(units: list[str], levels: np.ndarray, regions: Regions,
                  lang: str) -> pd.DataFrame:
    """The sustainability matrix: one row per (pillar or integral, level) with its regions."""
    rows = []
    for k, col in enumerate(INDEX_COLUMNS):
        for level in LEVELS:
            members = [u for u, lv in zip(units, levels[:, k]) if lv == level]
            rows.append((col, level, len(members), "; ".join(members),
                         "; ".join(regions.name(u, lang) for u in members)))
    return pd.DataFrame(rows, columns=["pillar", "level", "count", "unit_ids", "names"])


def assess(data: "Dataset | str | pd.DataFrame | None" = None,
           profile: "str | Method" = "default", lang: str = "en",
           risk_thresholds: str | None = None, baseline: "Assessment | None" = None) -> Assessment:
    """Assess ``data`` by the method of ``profile``.

    ``data`` is ``None`` (the embedded 2023 data), a path to a CSV or XLSX file, a wide
    DataFrame (a ``region`` column or index, one column per indicator code) or a
    :class:`~turaqty.model.dataset.Dataset`. ``profile`` is ``"default"``, ``"dissertation"``
    or a :class:`~turaqty.model.method.Method`. Names and messages are in ``lang``
    (``en``, ``kk`` or ``ru``). ``risk_thresholds`` (``derived`` or ``printed``) overrides
    the profile's choice for the risk map. With a ``baseline`` assessment of the same
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
    ds = as_dataset(data)
    fw = load_framework(ds.framework)
    if method.framework != fw.id:
        raise DataError(Problem("framework_mismatch", value=ds.framework,
                                params={"expected": method.framework}))
    regions = load_regions()
    codes = ds.indicators
    by_code = fw.by_code
    directions = np.array([fw.direction(c, method.directions) for c in codes])
    pillar_of = np.array([fw.pillars.index(by_code[c].pillar) for c in codes], dtype=np.int64)
    excluded = np.array([c in method.excluded for c in codes], dtype=bool)
    bounds = None
    if baseline is not None:
        if baseline.dataset.indicators != codes:
            raise DataError(Problem("baseline_mismatch", file=ds.source))
        bounds = (baseline.arrays.lower, baseline.arrays.upper)
    r = run_pipeline(ds.values, directions, pillar_of, len(fw.pillars), excluded,
                     missing=method.missing, scale=method.scale,
                     pillar_levels=method.pillar_levels, integral_levels=method.integral_levels,
                     bounds=bounds)
    for k, pillar in enumerate(fw.pillars):
        if not (r.included & (pillar_of == k)).any():
            raise DataError(Problem("pillar_without_data", file=ds.source,
                                    value=fw.pillar_name(pillar, lang)))

    units = list(ds.units)
    scores = pd.DataFrame(r.scores, columns=list(codes))
    scores.insert(0, "unit_id", units)
    indices = _indices_frame(units, [regions.name(u, lang) for u in units], r)
    th, risk_notices = thresholds(ds, fw, method.risk_thresholds)
    if baseline is not None:
        th, risk_notices = baseline.thresholds, []
    classes = risk_classes(ds.values, th.high, th.low, th.orientation, th.high_inclusive,
                           th.low_inclusive)
    warnings = _warning_frame(_notices(ds, fw, method, r) + risk_notices, fw, regions, lang)
    manifest = _manifest(ds, fw, regions, method,
                         {c: "+" if d > 0 else "-" for c, d in zip(codes, directions)},
                         [c for c, inc in zip(codes, r.included) if inc])
    manifest["bounds"] = "baseline" if baseline is not None else "data"
    return Assessment(ds, fw, method, lang, scores, indices, warnings, manifest, r, th, classes)
