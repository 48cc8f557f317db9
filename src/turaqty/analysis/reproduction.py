"""Reproduce the dissertation's printed tables and explain every difference.

Each printed number of Tables 10-14 and 18-20 (and each figure the text states about
Table 13) is compared with its recomputation under the ``dissertation`` profile and given a
status — ``reproduced``, ``explained`` (with the cause found) or ``unexplained``. Causes are
detected, not listed: a printed score equal to 10 minus the recomputed one was normalised
with the reversed formula; a printed column equal to another column was copied; and so on.

Example
-------
>>> r = reproduce()
>>> r.cells.groupby("status").size().to_dict()
{'explained': 465, 'reproduced': 3048}
>>> r.cells.query("table == 'Table 10' and column == 'B12'")["cause"].iloc[0]
'copied_column'
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from turaqty.core.aggregate import integral_sum
from turaqty.core.classify import level_of
from turaqty.core.rank import rank_descending
from turaqty.engine.assessment import Assessment, assess
from turaqty.engine.risk import printed_class
from turaqty.model.dataset import load_embedded
from turaqty.model.framework import Framework, load_framework
from turaqty.model.method import get_method
from turaqty.model.package_data import data_file

STATUSES = ("reproduced", "explained", "unexplained")
PRINTED_PILLAR_TABLE = {"social": "Table 10", "economic": "Table 11", "ecological": "Table 12"}


def _decimals(text: str) -> int:
    return len(text.split(".")[1]) if "." in text else 0


def _tolerance(text: str) -> float:
    """Half a unit of the last printed digit."""
    return 0.5 * 10 ** -_decimals(text) + 1e-9


def printed_tables() -> dict[str, pd.DataFrame]:
    """The printed tables shipped with the package (see ``data/dissertation/README.md``)."""
    def read(name, **kw):
        with data_file("dissertation", name).open("r", encoding="utf-8") as fh:
            return pd.read_csv(fh, **kw)

    return {
        "scores": read("tables_10_13.csv", dtype={"printed": str}),
        "matrix": read("table_14.csv"),
        "risk": read("tables_18_20.csv", dtype=str, keep_default_na=False),
        "text": read("text_claims.csv", dtype={"printed": str}),
    }


@dataclass(frozen=True)
class Reproduction:
    """Every printed cell with its recomputation, status and cause; and the effect of the
    differences on indices, ranks and levels."""

    cells: pd.DataFrame  # table, unit_id, column, printed, recomputed, status, cause
    effects: pd.DataFrame  # per region: indices, ranks, levels under three variants
    details: dict  # cause details (e.g. which column was copied)
    assessment: Assessment  # the dissertation profile's recomputation
    meaningful: Assessment  # the same with the meaningful directions


# --- Tables 10-12: scores ---------------------------------------------------------------

def _copied_columns(printed: pd.DataFrame) -> dict[tuple[str, str], str]:
    """(table, column) → the other column of the same table it is a copy of."""
    copies = {}
    for table, block in printed.groupby("table"):
        wide = block.pivot(index="unit_id", columns="column", values="printed")
        codes = [c for c in wide.columns if c.startswith("B")]
        for c in codes:
            for other in codes:
                if other != c and (wide[c] == wide[other]).mean() >= 0.9:
                    copies[(table, c)] = other
                    break
    return copies


def _score_cause(p: float, text: str, s: float, x: float, lo: float, hi: float, direction: int,
                 copied_from: str | None, copied_value: str | None, raw_column: np.ndarray) -> str:
    tol = _tolerance(text)
    if abs(p - s) <= tol:
        return ""
    if abs(p - (10 - s)) <= tol:
        return "reversed_formula"
    if copied_from is not None and copied_value == text:
        return "copied_column"
    if abs(p - x) <= tol:
        return "raw_value"
    zero_min = 1 + 8 * ((x - 0) if direction > 0 else (hi - x)) / (hi - 0) if hi else np.nan
    if abs(p - zero_min) <= tol:
        return "zero_minimum"
    if x != 0 and (raw_column == x).sum() > 1:
        return "duplicated_raw_data"
    if abs(p - s) <= 10 ** -_decimals(text) + 2e-3:  # one printed unit, and a little for
        return "rounding"  # raw data printed rounded (B6: the scores imply a max of 25.79, not 25.78)
    return "unexplained"


COLUMN_PATTERNS = ("raw_value", "copied_column", "zero_minimum")


def _column_patterns(rows: list[tuple], raw: dict, copies: dict, lookup: dict) -> list[tuple]:
    """A cell that a column-wide error explains is labelled with it even where the wrong
    number happens to round to the right one (e.g. a raw 4.6 printed in a column of raw
    values, whose score would also be 4.6)."""
    frame = pd.DataFrame(rows, columns=["table", "unit_id", "column", "printed", "recomputed", "cause"])
    out = []
    for (table, column), block in frame.groupby(["table", "column"], sort=False):
        share = block["cause"].value_counts(normalize=True)
        pattern = next((c for c in COLUMN_PATTERNS if share.get(c, 0) >= 0.75), None)
        for row in block.itertuples(index=False):
            cause = row.cause
            if pattern and cause == "":
                holds = {"raw_value": abs(row.printed - raw[(row.unit_id, column)]) < 1e-9 + 0.5 * 10 ** -1,
                         "copied_column": lookup.get((table, row.unit_id, copies.get((table, column))))
                         == lookup.get((table, row.unit_id, column))}.get(pattern, False)
                cause = pattern if holds else cause
            out.append((*row[:5], cause))
    return out


def _score_cells(printed: pd.DataFrame, a: Assessment, details: dict) -> list[tuple]:
    values = a.dataset.wide()
    scores = a.scores.set_index("unit_id")
    directions = a.manifest["directions"]
    copies = _copied_columns(printed)
    lookup = {(r.table, r.unit_id, r.column): r.printed for r in printed.itertuples()}
    rows = []
    for r in printed[printed["column"].str.fullmatch(r"B\d+")].itertuples():
        col = values[r.column]
        other = copies.get((r.table, r.column))
        cause = _score_cause(float(r.printed), r.printed, scores.loc[r.unit_id, r.column],
                             values.loc[r.unit_id, r.column], col.min(), col.max(),
                             1 if directions[r.column] == "+" else -1, other,
                             lookup.get((r.table, r.unit_id, other)), col.to_numpy())
        if cause == "copied_column":
            details[("copied_column", r.table, r.column)] = other
        rows.append((r.table, r.unit_id, r.column, float(r.printed),
                     scores.loc[r.unit_id, r.column], cause))
    raw = {(u, c): values.loc[u, c] for u in values.index for c in values.columns}
    return _column_patterns(rows, raw, copies, lookup)


# --- Tables 10-13: indices and ranks ----------------------------------------------------

def printed_variant(printed: pd.DataFrame) -> pd.DataFrame:
    """Indices, ranks and levels computed from the printed scores of Tables 10-12 (the
    ecological mean without B43, as Table 12 effectively did)."""
    method = get_method("dissertation")
    wide = printed[printed["table"].isin(PRINTED_PILLAR_TABLE.values())
                   & printed["column"].str.fullmatch(r"B\d+")]
    wide = wide.pivot(index="unit_id", columns="column", values="printed").astype(float)
    excluded = set(method.excluded)
    fw_pillar = _pillar_of()
    fw = load_framework(method.framework)
    out = pd.DataFrame(index=wide.index)
    for pillar in fw.pillars:
        codes = [c for c in wide.columns if fw_pillar[c] == pillar and c not in excluded]
        out[pillar] = wide[codes].mean(axis=1)
    out[fw.root] = integral_sum(out[list(fw.pillars)].to_numpy())
    for col in fw.index_columns:
        out[f"rank_{col}"] = rank_descending(out[col].to_numpy())
        out[f"level_{col}"] = level_of(out[col].to_numpy(), _bands(fw, col))
    return out


def _bands(fw: Framework, node: str) -> tuple[float, float]:
    """The level bands of ``node``; the dissertation's framework gives every aggregate bands."""
    bands = fw.levels(node)
    assert bands is not None, node
    return bands


def _pillar_of() -> dict[str, str]:
    from turaqty.model.framework import load_framework

    return load_framework().pillar_of


def _index_cells(printed: pd.DataFrame, a: Assessment, from_printed: pd.DataFrame,
                 wrong: set[tuple[str, str]]) -> list[tuple]:
    """Rows for the printed indices and ranks. ``wrong`` holds the (region, pillar) pairs
    with a printed score that is wrong beyond rounding: an index that differs is
    ``propagated`` from them; one within a printed unit of a region whose scores are right
    is ``rounding`` (North Kazakhstan's ecological 4.475 printed as 4.47)."""
    ours = a.indices.set_index("unit_id")
    wide = printed.pivot_table(index=["table", "unit_id"], columns="column", values="printed",
                               aggfunc="first")
    rows = []
    for r in printed[~printed["column"].str.fullmatch(r"B\d+")].itertuples():
        p, ours_value = float(r.printed), float(ours.loc[r.unit_id, r.column])
        if r.column.startswith("rank_"):
            index_col = r.column.removeprefix("rank_")
            printed_index = wide.loc[r.table][index_col].astype(float)
            own = float(printed_index[r.unit_id])
            # the printed rank lies between the best and worst rank its printed index allows
            consistent = (printed_index > own).sum() + 1 <= p <= (printed_index >= own).sum()
            if p == ours_value:
                cause = ""
            elif consistent:
                cause = "propagated"
            else:
                cause = "unexplained"
        else:
            pillars = ("social", "economic", "ecological") if r.column == "integral" else (r.column,)
            follows_printed = abs(p - from_printed.loc[r.unit_id, r.column]) <= _tolerance(r.printed) + 0.015
            if abs(p - ours_value) <= _tolerance(r.printed):
                cause = ""
            elif follows_printed and any((r.unit_id, q) in wrong for q in pillars):
                cause = "propagated"
            elif abs(p - ours_value) <= 10 ** -_decimals(r.printed) + 1e-9:
                cause = "rounding"
            elif follows_printed:
                cause = "propagated"
            else:
                cause = "unexplained"
        rows.append((r.table, r.unit_id, r.column, p, ours_value, cause))
    return rows


# --- Table 14: the matrix ---------------------------------------------------------------

def _matrix_cells(matrix: pd.DataFrame, printed: pd.DataFrame, a: Assessment) -> list[tuple]:
    ours = a.indices.set_index("unit_id")
    t13 = printed[printed["table"] == "Table 13"].pivot(index="unit_id", columns="column",
                                                        values="printed")
    rows = []
    for r in matrix.itertuples():
        recomputed = ours.loc[r.unit_id, f"level_{r.pillar}"]
        implied = level_of(np.array([float(t13.loc[r.unit_id, r.pillar])]),
                           _bands(a.framework, r.pillar))[0]
        if recomputed == r.level:
            cause = ""
        elif implied != r.level:
            cause = "matrix_contradicts_table13"
        else:
            cause = "propagated"
        rows.append(("Table 14", r.unit_id, f"level_{r.pillar}", r.level, recomputed, cause))
    return rows


# --- Tables 18-20: risk classes ---------------------------------------------------------

def _risk_cells(risk: pd.DataFrame, a: Assessment) -> list[tuple]:
    """Two rows per map cell: the value the map prints against Tables 7-9, and the risk class
    its printed thresholds imply against the class of the cleaned thresholds."""
    fw = a.framework
    values = a.dataset.wide()
    slot_rule = {rule.printed_slot: rule for rule in fw.risk_rules.values()}
    rows: list[tuple] = []
    for r in risk.itertuples():
        x = values.loc[r.unit_id, r.indicator]
        printed_value = float(r.map_value) if r.map_value else np.nan
        if np.isnan(x) and np.isnan(printed_value):
            value_cause = ""
        elif not np.isnan(x) and not np.isnan(printed_value) and \
                abs(printed_value - x) <= max(_tolerance(r.map_value), _tolerance(repr(float(x)))):
            value_cause = ""  # equal to the coarser of the two printed precisions
        else:
            value_cause = "map_values_differ"
        rows.append((r.table, r.unit_id, f"{r.indicator} ({r.slot}) value", printed_value, x, value_cause))

        shown = r.printed_class or "none"
        rule = slot_rule.get(r.slot)
        column = f"{r.indicator} ({r.slot}) risk"
        if rule is None:
            rows.append((r.table, r.unit_id, column, shown, "", "column_not_used"))
            continue
        ours = printed_class(rule, x)
        if ours == shown:
            cause = ""
        elif shown == "n/a":  # a condition printed without its operator (F8)
            cause = "threshold_fixed"
        elif shown == "none":
            cause = "threshold_gap"
        elif "/" in shown:
            cause = "threshold_overlap"
        elif printed_class(rule, printed_value) == shown:  # the class of the value the map prints:
            # another value (C3, F4, F6), or the same one rounded onto the threshold (Aktobe's
            # B6: 21.86 printed as 21.9, the high-risk threshold) — one cause for both rows
            cause = "rounding" if value_cause == "" else "map_values_differ"
        elif rule.printed_fix:
            cause = "threshold_fixed"
        else:
            cause = "unexplained"
        rows.append((r.table, r.unit_id, column, shown, ours, cause))
    return rows


# --- the text ---------------------------------------------------------------------------

def _text_cells(text: pd.DataFrame, printed: pd.DataFrame, a: Assessment) -> list[tuple]:
    t13 = printed[printed["table"] == "Table 13"].pivot(index="unit_id", columns="column",
                                                        values="printed").astype(float)
    ours = a.indices.set_index("unit_id")

    def figure(frame, quantity):
        what, _, col = quantity.partition(" of ")
        if what == "min":
            return round(float(frame[col].min()), 2)
        if what == "max":
            return round(float(frame[col].max()), 2)
        if what.startswith("rank "):
            return frame[f"rank_{col}"].astype(float).idxmin() if what == "rank 1" else \
                frame.index[frame[f"rank_{col}"].astype(float) == int(what.split()[1])][0]
        pillar = quantity.split()[3]  # "regions with low PILLAR level"
        levels = level_of(frame[pillar].to_numpy(dtype=float), _bands(a.framework, pillar))
        return int((levels == "low").sum())

    rows = []
    for r in text.itertuples():
        table_value, ours_value = figure(t13, r.quantity), figure(ours, r.quantity)

        def same(value, text=r.printed):
            return str(value) == text if isinstance(value, str) else abs(float(text) - value) < 0.005

        if same(ours_value):
            cause = ""
        elif not same(table_value):
            cause = "text_contradicts_table"
        else:  # the text follows Table 13, which follows the printed (partly wrong) scores
            cause = "propagated"
        rows.append((f"Text line {r.line}", "", r.claim, r.printed, ours_value, cause))
    return rows


def reproduce(lang: str = "en") -> Reproduction:
    """Compare every printed cell with its recomputation (see the module doc); region names
    in ``lang``."""
    tables = printed_tables()
    data = load_embedded()
    diss = assess(data, profile="dissertation", lang=lang)
    details: dict = {}
    from_printed = printed_variant(tables["scores"])
    score_rows = _score_cells(tables["scores"], diss, details)
    pillar_of = diss.framework.pillar_of
    wrong = {(unit, pillar_of[column]) for _, unit, column, _, _, cause in score_rows
             if cause not in ("", "rounding")}
    rows = (score_rows
            + _index_cells(tables["scores"], diss, from_printed, wrong)
            + _matrix_cells(tables["matrix"], tables["scores"], diss)
            + _risk_cells(tables["risk"], diss)
            + _text_cells(tables["text"], tables["scores"], diss))
    cells = pd.DataFrame(rows, columns=["table", "unit_id", "column", "printed", "recomputed", "cause"])
    cells["status"] = np.where(cells["cause"] == "", "reproduced",
                               np.where(cells["cause"] == "unexplained", "unexplained", "explained"))
    cells = cells[["table", "unit_id", "column", "printed", "recomputed", "status", "cause"]]
    meaningful = assess(data, profile=get_method("dissertation").replace(directions="meaningful"),
                        lang=lang)
    return Reproduction(cells, effects(from_printed, diss, meaningful), details, diss, meaningful)


def effects(from_printed: pd.DataFrame, diss: Assessment, meaningful: Assessment) -> pd.DataFrame:
    """Per region: integral index, rank and levels (a) from the printed scores, (b) from the
    raw data with the printed directions, (c) the same with the meaningful directions (only
    the directions change), the changes of rank from (a), and the levels that change
    (``pillar: from→to``)."""
    variants = {"printed": from_printed,
                "dissertation": diss.indices.set_index("unit_id"),
                "meaningful": meaningful.indices.set_index("unit_id")}
    out = pd.DataFrame({"unit_id": diss.indices["unit_id"], "name": diss.indices["name"]})
    for name, frame in variants.items():
        frame = frame.reindex(out["unit_id"])
        for col in ("integral", "rank_integral", "level_social", "level_economic",
                    "level_ecological", "level_integral"):
            out[f"{col}_{name}"] = frame[col].to_numpy()
    for name in ("dissertation", "meaningful"):
        out[f"rank_change_{name}"] = (out["rank_integral_printed"].astype(float)
                                      - out[f"rank_integral_{name}"].astype(float))
        out[f"levels_changed_{name}"] = [
            "; ".join(f"{p}: {row[f'level_{p}_printed']}→{row[f'level_{p}_{name}']}"
                      for p in ("social", "economic", "ecological", "integral")
                      if row[f"level_{p}_printed"] != row[f"level_{p}_{name}"])
            for _, row in out.iterrows()]
    return out
