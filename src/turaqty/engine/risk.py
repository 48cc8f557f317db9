"""The risk map: every indicator of every region classed high, medium or low risk, with
per-region summaries, region types, macro-region groups and findings in words.

Thresholds come from the framework's risk rules in one of two modes:

``derived`` (default)
    recomputed from the data being assessed: the national value, the regional median or
    mean, or a norm. A new year gets new thresholds. Values equal to a threshold are
    medium risk.
``printed``
    the conditions of the printed Tables 18-20, cleaned (gaps closed, typos and a reversed
    orientation fixed; each fix is in ``risk_rules.csv``).
``criteria``
    the criteria of Tables 15-17 as printed (:mod:`turaqty.risk_criteria`) for the 14
    indicators they cover; the others keep their ``derived`` thresholds (a warning names
    them).

Example
-------
>>> from turaqty.engine.assessment import assess
>>> a = assess()
>>> a.risk.query("indicator == 'B25' and unit_id == 'karaganda'")[["value", "risk"]].values.tolist()
[[4.1, 'low']]
>>> int((a.risk.query("indicator == 'B1'")["risk"] == "high").sum())   # population fell: 6 regions
6
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from turaqty.core.classify import level_of
from turaqty.core.risk import RISKS, reference_values, risk_classes
from turaqty.engine.risk_criteria import load_criteria
from turaqty.i18n import format_number, t
from turaqty.model.dataset import Dataset
from turaqty.model.framework import DEFAULT_FRAMEWORK, Framework, condition_orientation, conditions_inclusive
from turaqty.model.units import Regions

MODES = ("derived", "printed", "criteria")
REFERENCES = ("national", "median", "mean")


@dataclass(frozen=True)
class Thresholds:
    """Per-indicator thresholds of one risk map (arrays aligned with the dataset's codes)."""

    high: np.ndarray
    low: np.ndarray
    orientation: np.ndarray  # +1: low values are the risk; −1: high values are
    high_inclusive: np.ndarray
    low_inclusive: np.ndarray
    high_source: list[str]  # national | median | mean | norm | printed
    low_source: list[str]


def thresholds(ds: Dataset, fw: Framework, mode: str = "derived") -> tuple[Thresholds, list]:
    """The thresholds of every indicator of ``ds`` in ``mode``, and notices about them.

    >>> from turaqty.model.dataset import load_embedded
    >>> from turaqty.model.framework import load_framework
    >>> th, _ = thresholds(load_embedded(), load_framework(), "derived")
    >>> float(th.high[0]), float(th.low[0]), th.low_source[0]         # B1: 100 (norm), median
    (100.0, 106.68, 'median')
    """
    codes = ds.indicators
    m = len(codes)
    high, low = np.full(m, np.nan), np.full(m, np.nan)
    orientation = np.array([fw.by_code[c].direction for c in codes], dtype=np.int64)
    high_inc, low_inc = np.zeros(m, bool), np.zeros(m, bool)
    high_src, low_src = [""] * m, [""] * m
    notices: list[tuple[str, str, str, dict]] = []
    if not fw.risk_rules:  # no risk map: every class is 'none'
        return (Thresholds(high, low, orientation, high_inc, low_inc, high_src, low_src),
                [("risk_no_rules", "", "", {})])
    refs = reference_values(ds.values, ds.national)
    no_national = np.isnan(refs["national"])  # no national row, or a blank cell in it:
    refs["national"] = np.where(no_national, refs["mean"], refs["national"])  # the mean stands in
    stand_ins = []
    for j, code in enumerate(codes):
        rule = fw.risk_rules.get(code)
        if rule is None:
            notices.append(("risk_no_rule", code, "", {}))
            continue
        if mode == "printed":
            high[j], low[j] = rule.printed_high[1], rule.printed_low[1]
            orientation[j] = rule.printed_orientation
            high_inc[j], low_inc[j] = rule.printed_inclusive
            high_src[j] = low_src[j] = "printed"
            continue
        for ref, target, sources in ((rule.derived_high, high, high_src),
                                     (rule.derived_low, low, low_src)):
            if ref in REFERENCES:
                target[j], sources[j] = refs[ref][j], ref
                if ref == "national" and no_national[j]:
                    sources[j] = "mean"
                    stand_ins.append(code)
            else:
                target[j], sources[j] = float(ref), "norm"
        # references that crossed (e.g. the median fell below a norm this year): the high-risk
        # threshold stands and the medium band shrinks to it, so no value is both high and low
        crossed = high[j] > low[j] if orientation[j] > 0 else high[j] < low[j]
        if crossed:
            low[j], low_src[j] = high[j], high_src[j]
            notices.append(("risk_crossed", code, "", {}))
    if stand_ins:
        notices.append(("risk_no_national", "", "", {"codes": ", ".join(stand_ins)}))
    if mode == "criteria":
        notices.extend(_apply_criteria(codes, fw, high, low, orientation, high_inc, low_inc,
                                       high_src, low_src))
    return Thresholds(high, low, orientation, high_inc, low_inc, high_src, low_src), notices


def _apply_criteria(codes, fw: Framework, high, low, orientation, high_inc, low_inc,
                    high_src, low_src) -> list:
    """Overwrite the derived thresholds (in place) with the criteria of Tables 15-17 where
    they exist; a notice names the indicators left with derived thresholds."""
    criteria = load_criteria(fw.id)
    uncovered = []
    for j, code in enumerate(codes):
        c = criteria.get(code)
        if c is None:
            if code in fw.risk_rules:
                uncovered.append(code)
            continue
        high[j], low[j] = c.high[1], c.low[1]
        orientation[j] = condition_orientation(c.high)
        high_inc[j], low_inc[j] = conditions_inclusive(c.high, c.low)
        high_src[j] = low_src[j] = "criteria"
    return [("risk_no_criteria", "", "", {"codes": ", ".join(uncovered)})] if uncovered else []


def printed_class(rule, value: float) -> str:
    """The class of one value under a rule's cleaned printed thresholds (Tables 18-20).

    >>> from turaqty.model.framework import load_framework
    >>> printed_class(load_framework().risk_rules["B25"], 4.7)   # the printed gap: medium
    'medium'
    """
    return risk_classes(np.array([[value]]), np.array([rule.printed_high[1]]),
                        np.array([rule.printed_low[1]]), np.array([rule.printed_orientation]),
                        *(np.array([flag]) for flag in rule.printed_inclusive))[0, 0]


def _rule_text(th: Thresholds, j: int, lang: str) -> str:
    up = th.orientation[j] > 0
    ops = {(True, False): "<", (True, True): "≤", (False, False): ">", (False, True): "≥"}
    high_op = ops[(up, bool(th.high_inclusive[j]))]
    low_op = ops[(not up, bool(th.low_inclusive[j]))]
    return t("risk.rule", lang,
             high_op=high_op, high=format_number(th.high[j], lang, 4).rstrip("0").rstrip(",."),
             high_source=t(f"risk.source.{th.high_source[j]}", lang),
             low_op=low_op, low=format_number(th.low[j], lang, 4).rstrip("0").rstrip(",."),
             low_source=t(f"risk.source.{th.low_source[j]}", lang))


def risk_table(ds: Dataset, classes: np.ndarray, th: Thresholds, lang: str) -> pd.DataFrame:
    """``unit_id, indicator, value, risk, lower, upper, rule``: one row per region and
    indicator; ``lower``/``upper`` bound the medium band."""
    n, m = classes.shape
    lower = np.where(th.orientation > 0, th.high, th.low)
    upper = np.where(th.orientation > 0, th.low, th.high)
    rules = [_rule_text(th, j, lang) if not np.isnan(th.high[j]) else "" for j in range(m)]
    return pd.DataFrame({
        "unit_id": np.repeat(np.array(ds.units, dtype=object), m),
        "indicator": np.tile(np.array(ds.indicators, dtype=object), n),
        "value": ds.values.ravel(),
        "risk": classes.ravel(),
        "lower": np.tile(lower, n),
        "upper": np.tile(upper, n),
        "rule": np.tile(np.array(rules, dtype=object), n),
    })


CLASSES = (*RISKS, "none")


@dataclass(frozen=True)
class RiskCounts:
    """Per unit, how many values of each class (high, medium, low, none) each pillar and the
    total have: ``counts`` is units × (pillars + total) × classes."""

    pillars: tuple[str, ...]
    counts: np.ndarray

    def of(self, risk: str, pillar: str = "total") -> np.ndarray:
        """The count of class ``risk`` in ``pillar`` (or ``total``) for every unit."""
        k = len(self.pillars) if pillar == "total" else self.pillars.index(pillar)
        return self.counts[:, k, CLASSES.index(risk)]

    def rated(self, pillar: str = "total") -> np.ndarray:
        """The values with a class (high, medium or low) in ``pillar``."""
        return np.sum([self.of(r, pillar) for r in RISKS], axis=0)

    def columns(self) -> dict[str, np.ndarray]:
        """The counts as ``risk_summary.csv`` lays them out: ``high_social`` … ``none_total``
        (missing values in total only)."""
        return {f"{risk}_{pillar}": self.of(risk, pillar)
                for pillar in (*self.pillars, "total") for risk in CLASSES
                if risk != "none" or pillar == "total"}


def risk_counts(ds: Dataset, fw: Framework, classes: np.ndarray,
                included: np.ndarray) -> RiskCounts:
    """Per region, the number of high/medium/low (and missing) values by pillar and in total.

    The one definition of a risk count, used by every output (``risk_summary.csv``,
    ``region_types.csv``, macro-regions, the console, the workbook, the report and the
    mechanisms): values of the indicators **in the index** (``included``). An indicator left
    out of the index (B43, a copy of B48) is still classed on the map but counted nowhere.

    >>> from turaqty.engine.assessment import assess
    >>> a = assess()
    >>> int(a.risk_summary.set_index("unit_id").loc["abai", "high_total"])  # B43 not counted
    22
    """
    pillar_of = np.array([fw.pillar_of[c] for c in ds.indicators])
    member = np.column_stack([(pillar_of == p) & included for p in fw.pillars] + [included])
    onehot = np.stack([classes == c for c in CLASSES], axis=-1).astype(np.int64)  # units × m × 4
    counts = np.einsum("imc,mp->ipc", onehot, member.astype(np.int64))
    return RiskCounts(tuple(fw.pillars), counts)


def risk_summary(ds: Dataset, regions: Regions, classes: np.ndarray,
                 counts: RiskCounts, included: np.ndarray, lang: str) -> pd.DataFrame:
    """Per region: counts of high, medium and low risk by pillar and in total, and the
    codes of its high-risk indicators — those in the index, as counted, then those left out
    of the index (``high_risk_outside_index``, not counted)."""
    codes = np.array(ds.indicators, dtype=object)
    high = classes == "high"
    return pd.DataFrame({
        "unit_id": list(ds.units),
        "name": [regions.name(u, lang) for u in ds.units],
        **counts.columns(),
        "high_risk_indicators": ["; ".join(codes[row & included]) for row in high],
        "high_risk_outside_index": ["; ".join(codes[row & ~included]) for row in high],
    })


def region_types(ds: Dataset, levels: np.ndarray, counts: RiskCounts, fw: Framework,
                 regions: Regions, lang: str) -> pd.DataFrame:
    """Each region's type: its pillar levels (``levels``: regions × pillars, then the
    integral) and the pillar(s) with the largest share of high-risk values, with a readable
    name."""
    rated = np.column_stack([counts.rated(p) for p in fw.pillars])
    highs = np.column_stack([counts.of("high", p) for p in fw.pillars])
    with np.errstate(invalid="ignore", divide="ignore"):
        shares = np.where(rated > 0, highs / rated, 0.0)
    rows = []
    for i, unit in enumerate(ds.units):
        row_levels = list(levels[i, :len(fw.pillars)])
        top = shares[i].max()
        main = ", ".join(p for p, s in zip(fw.pillars, shares[i], strict=True)
                         if top > 0 and np.isclose(s, top))
        name = ", ".join(_pillar_level(fw, p, t(f"level.{lv}", lang) if lv else "-", lang)
                         for p, lv in zip(fw.pillars, row_levels, strict=True))
        if main:
            pillars = ", ".join(fw.pillar_name(p, lang).lower() for p in main.split(", "))
            name += "; " + t("type.main_risk", lang, pillar=pillars)
        rows.append((unit, regions.name(unit, lang), regions.by_id[unit].macro_region, *row_levels,
                     "-".join(lv or "none" for lv in row_levels), name, main,
                     int(counts.of("high")[i])))
    return pd.DataFrame(rows, columns=[
        "unit_id", "name", "macro_region", *[f"level_{p}" for p in fw.pillars], "type_id",
        "type_name", "main_risk_pillar", "high_risks"])


def _pillar_level(fw: Framework, pillar: str, level: str, lang: str) -> str:
    """``social medium``: a pillar and its level in words (the catalogue's words for
    kz-isdr, another framework's pillar by its own name)."""
    if fw.id == DEFAULT_FRAMEWORK:
        return t(f"type.{pillar}", lang, level=level)
    return f"{fw.pillar_name(pillar, lang).lower()}: {level}"


def macro_region_summary(ds: Dataset, table: np.ndarray, counts: RiskCounts,
                         regions: Regions, fw: Framework, lang: str) -> pd.DataFrame:
    """Per macro-region (and the cities): members, mean and range of each index (``table``:
    regions × the framework's index columns), the level of the mean where the framework
    defines levels, and the members' risk counts."""
    group = np.array([regions.by_id[u].macro_region for u in ds.units])
    rows = []
    for macro in regions.macro_regions:
        members = group == macro.id
        if not members.any():
            continue
        row: dict[str, Any] = {
            "macro_region": macro.id, "name": macro.name(lang), "n_regions": int(members.sum()),
            "members": "; ".join(regions.name(u, lang) for u, m in zip(ds.units, members, strict=True) if m)}
        for k, col in enumerate(fw.index_columns):
            values = table[members, k]
            values = values[~np.isnan(values)]
            row[f"{col}_mean"] = values.mean() if values.size else np.nan
            row[f"{col}_min"] = values.min() if values.size else np.nan
            row[f"{col}_max"] = values.max() if values.size else np.nan
            bounds = fw.levels(col)
            if bounds is not None:
                row[f"level_{col}"] = level_of(np.array([row[f"{col}_mean"]]), bounds)[0]
        for risk in RISKS:
            row[f"{risk}_risks"] = int(counts.of(risk)[members].sum())
        rated = sum(row[f"{risk}_risks"] for risk in RISKS)
        row["high_share"] = row["high_risks"] / rated if rated else np.nan
        rows.append(row)
    return pd.DataFrame(rows)


def findings(ds: Dataset, fw: Framework, regions: Regions, classes: np.ndarray,
             included: np.ndarray, lang: str, per_pillar: int = 3,
             th: Thresholds | None = None, pillars: np.ndarray | None = None) -> pd.DataFrame:
    """Short findings per pillar, generated from the data: the pillar's leader and laggard,
    then the indicators of the index with the most high-risk regions — ties broken by how
    far beyond the high-risk threshold those regions lie (relative to the indicator's
    range) — in words (an indicator may have its own wording in the catalogue)."""
    n = len(ds.units)
    high = classes == "high"
    units = np.array(ds.units, dtype=object)
    rows = []
    for pillar in fw.pillars:
        cols = [j for j, c in enumerate(ds.indicators) if fw.pillar_of[c] == pillar and included[j]]
        if not cols:
            continue
        total = int(high[:, cols].sum())
        rated = int((classes[:, cols] != "none").sum())
        rows.append((pillar, "", total, rated, t("finding.pillar", lang,
                    pillar=fw.pillar_name(pillar, lang), n=total, total=rated,
                    share=format_number(100 * total / rated if rated else 0, lang, 0))))
        if pillars is not None:
            k_p = fw.pillars.index(pillar)
            col = pillars[:, k_p]
            if np.isfinite(col).any():
                best, worst = int(np.nanargmax(col)), int(np.nanargmin(col))
                index = t(f"col.{pillar}", lang, default=fw.pillar_name(pillar, lang)).lower()
                rows.append((pillar, "", 0, n, t("finding.leaders", lang, index=index,
                            best=regions.name(units[best], lang),
                            best_value=format_number(col[best], lang, 2),
                            worst=regions.name(units[worst], lang),
                            worst_value=format_number(col[worst], lang, 2))))

        def severity(j: int) -> float:
            if th is None:
                return 0.0
            x = ds.values[high[:, j], j] / 2  # halves: no overflow at ±1e308
            span = np.nanmax(ds.values[:, j]) / 2 - np.nanmin(ds.values[:, j]) / 2
            return float(np.nanmean(np.abs(x - th.high[j] / 2)) / span) if x.size and span > 0 else 0.0

        ranked = sorted(cols, key=lambda j: (-int(high[:, j].sum()), -severity(j), j))[:per_pillar]
        for j in ranked:
            k = int(high[:, j].sum())
            if not k:
                continue
            code = ds.indicators[j]
            names = ", ".join(regions.name(u, lang) for u in units[high[:, j]])
            params: dict[str, Any] = {"n": k, "total": n, "regions": names, "code": code,
                                      "indicator": fw.by_code[code].name(lang)}
            text = t(f"finding.{code}", lang, default="", **params) or t("finding.indicator", lang, **params)
            rows.append((pillar, code, k, n, text))
    return pd.DataFrame(rows, columns=["pillar", "indicator", "n_high", "n", "text"])
