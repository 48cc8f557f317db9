"""Many what-if change sets in one vectorised pass: every set's changes applied to a stack
of copies of the data (sets × units × indicators), the changed units scored with the
baseline's bounds and aggregated in one call of the pipeline, ranked per set. The result is
the same as :func:`~turaqty.analysis.scenarios.run_changes` set by set (tested): only the
units a set changes are assessed again, the others keep the baseline's values. Where the
stack cannot give that (a method that imputes other than ``zero``, treats or denominates, a normalisation
other than min–max or goalposts, recomputed bounds, a change in an indicator the baseline
has no value of), the sets are run one by one.

A change-set file is YAML/JSON ``{sets: {NAME: [entries…]}}`` or a CSV/XLSX table with a
``set`` column beside ``region, indicator, value``.

Example
-------
>>> from turaqty.engine.assessment import assess
>>> from turaqty.analysis.scenarios import Change
>>> base = assess()
>>> sets = {"low": [Change("karaganda", "B25", "set", 4.0)],
...         "high": [Change("karaganda", "B25", "set", 9.0), Change("astana", "B1", "relative", 0.1)]}
>>> table = run_change_sets(base, sets)
>>> table.query("unit_id == 'karaganda'")[["set", "rank_integral", "baseline_rank_integral"]].values.tolist()
[['low', 6, 6], ['high', 9, 6]]
"""
from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from turaqty.analysis.replications import batch_ranks
from turaqty.analysis.scenarios import (
    BOUNDS,
    Change,
    _no_duplicates,
    changes_from_entries,
    expand_changes,
    run_changes,
)
from turaqty.errors import DataError, Problem
from turaqty.io.structured import load_structured

SET_FIELD = "set"
PER_CELL = ("minmax", "goalposts")  # normalisations that score each cell alone, given bounds
PER_CELL_IMPUTATION = ("none", "zero")  # zero: per cell in a column that has some value


def read_change_sets(path, base=None) -> dict[str, list[Change]] | None:
    """The change sets of a file, or None when it holds one plain list of changes."""
    path = Path(path)
    file = str(path)
    if path.suffix.lower() in (".yaml", ".yml", ".json"):
        data = load_structured(path)
        if not (isinstance(data, dict) and isinstance(data.get("sets"), dict)):
            return None
        groups = {str(name): list(enumerate(entries or [], start=1))
                  for name, entries in data["sets"].items()}
    else:
        from turaqty.io.tables import read_rows

        raw = read_rows(path)
        header = [str(h).strip() for h in raw.rows[0][1]] if raw.rows else []
        if SET_FIELD not in [h.lower() for h in header]:
            return None
        at = [h.lower() for h in header].index(SET_FIELD)
        groups = {}
        for n, cells in raw.rows[1:]:
            if any(c not in (None, "") for c in cells):
                # a row may be shorter than the header (its last cells empty)
                # a row may be shorter than the header (its last cells empty)
                entry = {h: c for k, (h, c) in enumerate(zip(header, cells, strict=False)) if k != at}
                groups.setdefault(str(cells[at]).strip(), []).append((n, entry))
    sets, problems = {}, []
    for name, rows in groups.items():
        changes, found = changes_from_entries(rows, file, base)
        problems += found
        if not found:
            try:
                sets[name] = _no_duplicates(expand_changes(changes, base), f"{file} ({name})")
            except DataError as err:
                problems += err.problems
    if problems:
        raise DataError(problems)
    return sets


def run_change_sets(base, sets: dict[str, list[Change]], bounds: str = "baseline",
                    strict: bool = False) -> pd.DataFrame:
    """Every set assessed against the baseline: per set and unit, the index values, the
    root's rank (and level), the baseline's root value and rank, and the rank change
    (positive: up). ``strict``: a change to a region or indicator the data lack is an error."""
    if bounds not in BOUNDS:
        raise DataError(Problem("unknown_bounds", value=bounds, params={"choices": ", ".join(BOUNDS)}))
    names = list(sets)
    units = set(base.dataset.units)
    values, touched, changed = _applied(base, [[c for ch in sets[s] for c in (
        (ch,) if ch.target in units else expand_changes([ch], base))] for s in names], strict)
    method = base.method
    stackable = (bounds == "baseline" and method.normalise.method in PER_CELL
                 and method.impute.method in PER_CELL_IMPUTATION
                 and all(getattr(method, step).method == "none" for step in ("denominate", "treat"))
                 and not (touched & base.arrays.empty).any())
    if stackable:
        aggregates, levels = _stacked(base, values, changed)
    else:
        runs = [run_changes(base, sets[s], s, bounds, strict) for s in names]
        aggregates = np.stack([r.assessment.arrays.aggregates for r in runs])
        levels = np.stack([r.assessment.arrays.levels[:, -1] for r in runs])
    return _table(base, names, aggregates, levels)


def _applied(base, change_lists: list[list[Change]], strict: bool) -> tuple[np.ndarray, np.ndarray, tuple]:
    """The data of every set (sets × units × indicators), as apply_changes computes them,
    which indicators any set changed, and the (set, unit) pairs it changed."""
    ds = base.dataset
    col = {c: j for j, c in enumerate(ds.indicators)}
    row = {u: i for i, u in enumerate(ds.units)}
    values = np.repeat(ds.values[None], len(change_lists), axis=0)
    directions = base.direction_signs
    national = ds.national if ds.national is not None else np.full(len(col), np.nan)
    with warnings.catch_warnings():  # an empty column has no median (NaN, as apply_changes)
        warnings.simplefilter("ignore", RuntimeWarning)
        references = {"national": national, "median": np.nanmedian(ds.values, axis=0),
                      "best": np.where(directions > 0, np.nanmax(ds.values, axis=0),
                                       np.nanmin(ds.values, axis=0))}
    entries, missing = [], []
    for set_k, changes in enumerate(change_lists):
        for ch in changes:
            if ch.indicator not in col or ch.target not in row:
                missing.append(Problem("whatif_not_in_data", file=ds.source,
                                       value=f"{ch.target}.{ch.indicator}"))
                continue
            column = col[ch.indicator]
            reference: float | None = np.nan
            if ch.method == "gap":
                reference = ch.norm if ch.reference == "norm" else references[ch.reference][column]
            entries.append((set_k, row[ch.target], column, ch.method, ch.value,
                            np.nan if reference is None else reference))
    if strict and missing:
        raise DataError(missing)
    touched = np.zeros(len(col), bool)
    if not entries:
        return values, touched, (np.empty(0, np.int64), np.empty(0, np.int64))
    s, i, j, kind, amount, ref = (np.array(x) for x in zip(*entries, strict=True))
    s, i, j = s.astype(np.int64), i.astype(np.int64), j.astype(np.int64)
    amount, ref = amount.astype(np.float64), ref.astype(np.float64)
    touched[j] = True
    cell = pd.Series(np.ravel_multi_index((s, i, j), values.shape))
    occurrence = cell.groupby(cell).cumcount().to_numpy()  # a cell changed twice: in order
    for k in range(occurrence.max() + 1):
        at = occurrence == k
        x = values[s[at], i[at], j[at]]
        gain = (ref[at] - x) * directions[j[at]]
        new = np.select([kind[at] == "set", kind[at] == "relative", kind[at] == "absolute",
                         (kind[at] == "gap") & (gain > 0)],
                        [amount[at], x * (1 + amount[at]), x + amount[at], x + amount[at] * (ref[at] - x)],
                        default=x)
        values[s[at], i[at], j[at]] = new
    pairs = np.unique(np.column_stack([s, i]), axis=0)
    return values, touched, (pairs[:, 0], pairs[:, 1])


def _stacked(base, values: np.ndarray, changed: tuple) -> tuple[np.ndarray, np.ndarray]:
    """Aggregates (sets × units × nodes) and the root's levels (sets × units): the
    baseline's, but for the ``changed`` (set, unit) pairs, which go through one pipeline
    call stacked (scores per cell from the baseline's bounds; aggregation per unit)."""
    from turaqty.engine.assessment import method_pipeline

    fw, method, ds = base.framework, base.method, base.dataset
    S = values.shape[0]
    s, i = changed
    aggregates = np.repeat(base.arrays.aggregates[None], S, axis=0)
    levels = np.repeat(base.arrays.levels[None, :, -1], S, axis=0)
    if s.size:
        r = method_pipeline(fw, method, ds, values=values[s, i], tree=base.arrays.tree,
                            bounds=(base.arrays.lower, base.arrays.upper))  # no denominators, no treatment
        aggregates[s, i], levels[s, i] = r.aggregates, r.levels[:, -1]
    return aggregates, levels


def _table(base, names: list[str], aggregates: np.ndarray, levels: np.ndarray) -> pd.DataFrame:
    fw = base.framework
    root = fw.root
    S, n, _ = aggregates.shape
    ranks = batch_ranks(aggregates[:, :, -1])
    base_rank = base.arrays.ranks[:, -1]
    frame = pd.DataFrame({"set": np.repeat(names, n), "unit_id": np.tile(base.dataset.units, S),
                          "name": np.tile(base.indices["name"].to_numpy(), S)})
    for k, node in enumerate(fw.index_columns):
        frame[node] = aggregates[:, :, k].ravel()
    frame[f"rank_{root}"] = pd.array(ranks.ravel(), dtype="Int64")
    if fw.levels(root) is not None:
        frame[f"level_{root}"] = levels.ravel()
    frame[f"baseline_{root}"] = np.tile(base.arrays.aggregates[:, -1], S)
    frame[f"baseline_rank_{root}"] = pd.array(np.tile(base_rank, S), dtype="Int64")
    frame["rank_change"] = pd.array((np.tile(base_rank, S) - ranks.ravel()), dtype="Int64")
    return frame
