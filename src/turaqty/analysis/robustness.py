"""Robustness of every rank: a Monte Carlo over the choices nobody can settle from data
(weights, normalisation, aggregation, imputation, contested indicators, directions and, with
a panel of years, the year's or pooled min–max bounds), with
rank intervals, the number of places below which differences are not meaningful, Sobol
sensitivity indices per factor, and drop-one-indicator and drop-one-node effects.

Replications run in memory-bounded chunks through the vectorised
:class:`~turaqty.analysis.replications.Replicator`, with one BLAS thread by default; each
chunk returns counts (a rank histogram per unit, pairwise order reversals, the mean rank
shift of each replication), so chunks can run anywhere (``workers``/``scheduler``: a
``dask.distributed`` cluster) and merge exactly. The uniform numbers of replication i come
from block ⌊i/1024⌋ of the seed's stream, so results do not depend on the chunk size.

Example
-------
>>> r = run_robustness(runs=200, sobol=64, seed=3)
>>> r.table.columns.tolist()[:6]
['unit_id', 'name', 'nominal', 'median', 'p05', 'p95']
>>> int(r.table.set_index("unit_id").loc["almaty_city", "nominal"])
1
>>> r.places >= 0, r.sensitivity["factor"].iloc[0]
(True, 'weights.indicators')
"""
from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from turaqty.analysis.factors import Factors, Settings, build_factors, default_factors, read_factors
from turaqty.analysis.replications import Replicator, batch_ranks
from turaqty.analysis.sensitivity import saltelli_design, sobol_from_runs
from turaqty.errors import Problem, UsageError
from turaqty.i18n import t, worded

BLOCK = 1024  # replications drawn from one seeded stream
SIGNIFICANCE = 0.05  # a pair of units "swaps often" when it does in more than 5 % of runs
MAX_RUNS = 10 ** 9


@dataclass
class Tally:
    """What a chunk of replications leaves behind; tallies of chunks add up."""

    histogram: np.ndarray  # units × (units + 1): how often each rank (column 0: unranked)
    reversed: np.ndarray  # units × units: how often unit i ranked below unit j
    shift: np.ndarray  # per replication: the mean |rank − nominal rank| over units

    @classmethod
    def merge(cls, parts: list[Tally]) -> Tally:
        return cls(sum((p.histogram for p in parts[1:]), start=parts[0].histogram),
                   sum((p.reversed for p in parts[1:]), start=parts[0].reversed),
                   np.concatenate([p.shift for p in parts]))


def uniforms(seed: int, start: int, stop: int, dims: int) -> np.ndarray:
    """The uniform numbers of replications start … stop − 1 (the same whatever the chunks).

    >>> bool((uniforms(1, 1000, 1030, 4) == uniforms(1, 0, 2048, 4)[1000:1030]).all())
    True
    """
    parts = []
    for block in range(start // BLOCK, (stop - 1) // BLOCK + 1):
        u = np.random.default_rng([seed, block]).random((BLOCK, dims))
        lo, hi = max(start - block * BLOCK, 0), min(stop - block * BLOCK, BLOCK)
        parts.append(u[lo:hi])
    return np.concatenate(parts) if parts else np.empty((0, dims))


def tally(engine: Replicator, factors: Factors, task: tuple, threads: int = 1) -> Tally:
    """Run one chunk: ``("draws", seed, start, stop)`` (Monte Carlo) or ``("rows", u)``."""
    from threadpoolctl import threadpool_limits

    u = uniforms(task[1], task[2], task[3], factors.dims) if task[0] == "draws" else task[1]
    with threadpool_limits(limits=threads):
        return tally_settings(engine, factors.settings(u))


def tally_settings(engine: Replicator, s: Settings) -> Tally:
    """The tally of replications given by their settings."""
    ranks = batch_ranks(engine.values(s))
    n = ranks.shape[1]
    code = np.where(np.isnan(ranks), 0, ranks).astype(np.int64) + (n + 1) * np.arange(n)
    histogram = np.bincount(code.ravel(), minlength=n * (n + 1)).reshape(n, n + 1)
    reversed_ = (ranks[:, :, None] > ranks[:, None, :]).sum(axis=0)
    with np.errstate(invalid="ignore"):
        shift = np.nanmean(np.abs(ranks - engine.nominal_ranks), axis=1)
    return Tally(histogram, reversed_, shift)


@dataclass
class Robustness:
    """The results of :func:`run_robustness`; tables are laid out as the CSV files."""

    assessment: Any = field(repr=False)
    factors: Factors = field(repr=False)
    table: pd.DataFrame  # per unit: nominal, median, p05, p95, top, bottom, shift
    sensitivity: pd.DataFrame  # per factor: first, total and their intervals
    drop_one: pd.DataFrame  # per indicator and node: the rank effect of leaving it out
    reversals: pd.DataFrame  # per nominal rank gap: the mean probability of a swap
    places: int  # rank differences of up to this many places are not meaningful
    shift: np.ndarray = field(repr=False)  # per replication: the mean |rank shift|
    manifest: dict = field(default_factory=dict)

    def sentence(self, lang: str = "en") -> str:
        """The finding on meaningful differences, in words."""
        runs, home = self.manifest["runs"], self.assessment.home  # regions, or units in general
        if self.places == 0:
            return t(worded("robustness.all_meaningful", home), lang, runs=runs,
                     share=round(SIGNIFICANCE * 100))
        return t(worded("robustness.not_meaningful", home), lang, places=self.places, runs=runs,
                 share=round(SIGNIFICANCE * 100))


def run_robustness(data=None, *, framework=None, method="default", factors=None, panel=None,
                   runs: int = 1000, seed: int = 0, top: int = 5, sobol: int = 1024,
                   chunk: int | None = None,
                   memory_mb: float = 256.0, threads: int = 1, workers: int | None = None,
                   scheduler: str | None = None, lang: str = "en",
                   progress: Callable[[int, int], None] | None = None) -> Robustness:
    """Robustness of the ranking of ``data`` (as :func:`~turaqty.engine.assessment.assess`
    reads it; ``method`` is a profile name, a :class:`~turaqty.model.method.Method` or a
    method file; or an :class:`~turaqty.engine.assessment.Assessment` already made, whose
    method, framework and language are then used) against ``factors`` (a factor file, a dict
    as in such a file, or :class:`~turaqty.analysis.factors.Factors`; default
    :func:`default_factors`). ``panel``
    (``"embedded"``: the 2010–2023 panel; a :class:`~turaqty.model.panel.Panel`; or the
    file(s) ``turaqty monitor`` reads) allows the factor ``bounds: [nominal, pooled]``, in
    the default factors then: min–max bounds of the year, or pooled over the panel's years.

    ``runs`` Monte Carlo replications, ``sobol`` base samples for the Sobol indices (0: none;
    N·(k + 2) more runs for k factors), ``top`` for P(top k) and P(bottom k). Chunks hold at
    most ``memory_mb`` of working arrays (or ``chunk`` replications); ``threads`` BLAS
    threads; ``workers`` (a local cluster) or ``scheduler`` (an address) run the chunks
    on ``dask.distributed``. ``progress(done, total)`` is called after each chunk.
    """
    from turaqty.engine.assessment import Assessment, assess
    from turaqty.io.methods import read_method

    started = time.perf_counter()
    _check_count("runs", runs, 2)
    if sobol:
        _check_count("sobol", sobol, 2)
    _check_count("top", top, 1)
    _check_count("threads", threads, 1)
    if isinstance(method, str) and (os.sep in method or method.endswith((".yaml", ".yml", ".json"))):
        method = read_method(method)
    if isinstance(data, Assessment):
        a = data
    else:
        a = assess(data, profile=method, lang=lang, framework=framework)
    pooled, panel_record = panel_reference(panel, a) if panel is not None else (None, None)
    if isinstance(factors, Factors):
        f = factors
    elif isinstance(factors, dict):
        f = build_factors(factors, a, pooled=pooled)
    elif factors is not None:
        f = read_factors(factors, a, pooled=pooled)
    else:
        f = default_factors(a, pooled)
    engine = Replicator(a, f)
    per_run = engine.bytes_per_replication()
    size = chunk or max(1, int(memory_mb * 2 ** 20) // per_run)
    if size >= BLOCK:
        size -= size % BLOCK
    total_runs = runs + (sobol * (len(f.factors) + 2) if sobol and f.factors else 0)
    _check_memory(total_runs)
    tasks: list[tuple] = [("draws", seed, lo, min(lo + size, runs)) for lo in range(0, runs, size)]
    design = None
    if sobol and f.factors:
        design = saltelli_design([range(b.start, b.stop) for b in f.blocks()], f.dims, sobol, seed)
        tasks += [("rows", design[lo:lo + size]) for lo in range(0, len(design), size)]
    parts = _run_tasks(engine, f, tasks, threads, workers, scheduler, progress)
    n_mc = sum(1 for task in tasks if task[0] == "draws")
    mc = Tally.merge(parts[:n_mc])
    timing = {"monte_carlo_and_sobol_s": time.perf_counter() - started}
    table = _rank_table(a, engine, mc, runs, top)
    reversals, places = _meaningful(engine.nominal_ranks, mc.reversed, runs)
    sensitivity = _sensitivity(f, Tally.merge(parts[n_mc:]).shift, seed) if design is not None \
        else pd.DataFrame(columns=SENSITIVITY_COLUMNS)
    drop = drop_one(a, f, engine, lang)
    timing["total_s"] = time.perf_counter() - started
    manifest = {
        "tool": "turaqty", "analysis": "robustness", "version": a.manifest["version"],
        "created": a.manifest["created"], "inputs": a.manifest["inputs"],
        "method": a.method.to_dict(), "factors": f.describe(), "panel": panel_record,
        "seed": seed, "runs": runs,
        "sobol_base_samples": sobol if design is not None else 0,
        "sobol_runs": 0 if design is None else int(len(design)), "output": "mean |rank shift|",
        "top": top, "chunk": size, "threads": threads, "workers": workers, "scheduler": scheduler,
        "places_not_meaningful": places, "significance": SIGNIFICANCE,
        "seconds": {k: round(v, 4) for k, v in timing.items()},
    }
    return Robustness(a, f, table, sensitivity, drop, reversals, places, mc.shift, manifest)


def panel_bounds(panel, a) -> tuple[tuple[np.ndarray, np.ndarray], dict]:
    """Per indicator of the assessment: the min and max of :func:`panel_reference` (its own
    values and the panel's values of its units in the other years: monitoring's ``pooled``
    goalposts), and the panel's record for the manifest.

    >>> from turaqty.engine.assessment import assess
    >>> (low, high), record = panel_bounds("embedded", assess())
    >>> record["years"], record["indicators_without_panel_values"]
    ([2010, 2023], [])
    """
    from turaqty.core.normalise import column_bounds

    reference, record = panel_reference(panel, a)
    return column_bounds(reference), record


def panel_reference(panel, a) -> tuple[np.ndarray, dict]:
    """The rows (× the assessment's indicators) a pooled normalisation takes its parameters
    from: the panel's values of the assessment's units in every year but the assessment's
    own (whose values stand for that year), and the assessment's values, all as they reach
    normalisation under its method (denominated, imputed, treated year by year); and a
    record of the panel for the manifest. An indicator the panel lacks has only the year's
    values.

    >>> from turaqty.engine.assessment import assess
    >>> a = assess()
    >>> reference, record = panel_reference("embedded", a)
    >>> reference.shape == (14 * 20, 52), record["year_replaced"]
    (True, 2023)
    """
    from turaqty.analysis.monitor import prepared_values, read_monitored_panel
    from turaqty.model.layout import load_layout

    ds = a.dataset
    source = None if isinstance(panel, str) and panel == "embedded" else panel
    p, _ = read_monitored_panel(source, a.framework)
    directions = np.array([a.framework.direction(c, a.method.directions) for c in p.indicators])
    prepared, _ = prepared_values(p, load_layout().existence(p.units, p.years), a.framework, a.method,
                                  directions)  # denominated, imputed, treated year by year as the data
    rows = [p.units.index(u) for u in ds.units if u in p.units]
    years = [k for k, y in enumerate(p.years) if y != ds.year]
    at = {c: j for j, c in enumerate(p.indicators)}
    values = np.full((len(rows), len(ds.indicators), len(years)), np.nan)
    for k, code in enumerate(ds.indicators):
        if code in at:
            values[:, k, :] = prepared[np.ix_(rows, [at[code]], years)][:, 0, :]
    have = {p.indicators[j] for j in np.flatnonzero(~np.isnan(prepared[rows]).all(axis=(0, 2)))}
    lacking = [c for c in ds.indicators if c not in have]
    if not rows or len(lacking) == len(ds.indicators):
        raise UsageError(Problem("robustness_panel_match", file=p.source,
                                 params={"framework": a.framework.id}))
    record = {"source": p.source, "sha256": p.sha256, "years": [p.years[0], p.years[-1]],
              "units_in_data": len(rows), "indicators_without_panel_values": lacking,
              "year_replaced": ds.year if ds.year in p.years else None}
    stacked = values.transpose(2, 0, 1).reshape(-1, len(ds.indicators))
    return np.vstack([stacked, a.arrays.values]), record


def _check_count(name: str, value, low: int) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not low <= value <= MAX_RUNS:
        raise UsageError(Problem("robustness_count", column=name, value=value,
                                 params={"low": low, "high": MAX_RUNS}))


def _check_memory(total_runs: int) -> None:
    """One float per replication is kept; refuse a run whose outputs cannot fit in memory."""
    try:
        available = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return
    if total_runs * 8 * 4 > available:
        raise UsageError(Problem("robustness_memory", value=total_runs,
                                 params={"mb": available // 2 ** 20}))


def _run_tasks(engine, factors, tasks, threads, workers, scheduler, progress) -> list[Tally]:
    if progress is not None:
        progress(0, len(tasks))
    if workers or scheduler:
        from turaqty.analysis.distributed import run_on_dask

        return run_on_dask(tally, engine, factors, tasks, threads, workers, scheduler, progress)
    parts = []
    for k, task in enumerate(tasks):
        parts.append(tally(engine, factors, task, threads))
        if progress is not None:
            progress(k + 1, len(tasks))
    return parts


def _quantile_rank(histogram: np.ndarray, q: float) -> np.ndarray:
    """Per unit, the smallest rank whose cumulative share of ranked runs reaches q."""
    counts = histogram[:, 1:]
    cumulative = np.cumsum(counts, axis=1)
    ranked = cumulative[:, -1:]
    with np.errstate(invalid="ignore"):
        reached = cumulative >= q * ranked - 1e-9
    out = reached.argmax(axis=1).astype(np.float64) + 1
    out[ranked[:, 0] == 0] = np.nan
    return out


def _rank_table(a, engine: Replicator, mc: Tally, runs: int, top: int) -> pd.DataFrame:
    n = len(engine.units)
    ranks = np.arange(1, n + 1)
    counts = mc.histogram[:, 1:]
    ranked = counts.sum(axis=1)
    nominal = engine.nominal_ranks
    with np.errstate(invalid="ignore", divide="ignore"):
        shift = (np.abs(ranks[None, :] - nominal[:, None]) * counts).sum(axis=1) / ranked
    names = a.indices.set_index("unit_id").loc[list(engine.units), "name"].tolist()
    table = pd.DataFrame({
        "unit_id": list(engine.units), "name": names,
        "nominal": pd.array(nominal, dtype="Int64"),
        "median": pd.array(_quantile_rank(mc.histogram, 0.5), dtype="Int64"),
        "p05": pd.array(_quantile_rank(mc.histogram, 0.05), dtype="Int64"),
        "p95": pd.array(_quantile_rank(mc.histogram, 0.95), dtype="Int64"),
        f"p_top{top}": counts[:, :top].sum(axis=1) / runs,
        f"p_bottom{top}": counts[:, max(n - top, 0):].sum(axis=1) / runs,
        "mean_abs_shift": np.where(nominal == nominal, shift, np.nan),
        "unranked": mc.histogram[:, 0] / runs,
    })
    return table.sort_values(["nominal", "unit_id"], kind="stable", na_position="last").reset_index(drop=True)


def _meaningful(nominal: np.ndarray, reversed_: np.ndarray, runs: int) -> tuple[pd.DataFrame, int]:
    """Per nominal rank gap g, the mean share of runs in which two units g places apart
    swap order; the differences not meaningful are those up to the largest gap whose swaps
    exceed :data:`SIGNIFICANCE`."""
    better, worse = np.nonzero(nominal[:, None] < nominal[None, :])
    gap = (nominal[worse] - nominal[better]).astype(np.int64)
    swap = reversed_[better, worse] / runs
    rows = []
    for g in np.unique(gap):
        rows.append((int(g), int((gap == g).sum()), float(swap[gap == g].mean()),
                     float(swap[gap == g].max())))
    table = pd.DataFrame(rows, columns=["gap", "pairs", "mean_swap", "max_swap"])
    common = table.loc[table["mean_swap"] > SIGNIFICANCE, "gap"]
    return table, int(common.max()) if len(common) else 0


SENSITIVITY_COLUMNS = ["factor", "first", "first_low", "first_high", "total", "total_low", "total_high"]


def _sensitivity(f: Factors, y: np.ndarray, seed: int) -> pd.DataFrame:
    s = sobol_from_runs(y, len(f.factors), seed=seed)
    return pd.DataFrame({
        "factor": f.names, "first": s.first, "first_low": s.first_ci[:, 0],
        "first_high": s.first_ci[:, 1], "total": s.total, "total_low": s.total_ci[:, 0],
        "total_high": s.total_ci[:, 1]})


def drop_one(a, f: Factors, engine: Replicator, lang: str = "en") -> pd.DataFrame:
    """The rank effect of leaving out each indicator of the index and each node below the
    root (the others keep their weights; a parent renormalises over what is left)."""
    nominal = f.nominal(1)
    fw = a.framework
    codes = [j for j in range(len(f.codes)) if a.arrays.included[j]]
    nodes = list(range(len(f.nodes) - 1))
    s = f.nominal(len(codes) + len(nodes))
    s.dropped = np.zeros((len(s), len(f.nodes)), bool)
    for k, j in enumerate(codes):
        s.excluded[k, j] = True
    for k, node in enumerate(nodes):
        s.dropped[len(codes) + k, node] = True
    ranks = batch_ranks(engine.values(s))
    base = batch_ranks(engine.values(nominal))[0]
    shift = np.abs(ranks - base)
    items = [("indicator", f.codes[j], fw.by_code[f.codes[j]].name(lang)) for j in codes]
    items += [("node", f.nodes[k], fw.pillar_name(f.nodes[k], lang)) for k in nodes]
    names = a.indices.set_index("unit_id").loc[list(engine.units), "name"].to_numpy()
    moved = np.nan_to_num(shift, nan=-1.0)
    return pd.DataFrame({
        "kind": [i[0] for i in items], "item": [i[1] for i in items], "name": [i[2] for i in items],
        "mean_abs_shift": np.nanmean(shift, axis=1), "max_abs_shift": np.nanmax(shift, axis=1),
        "units_moved": (shift > 0).sum(axis=1),
        "most_moved": [names[np.argmax(row)] if row.max() > 0 else "" for row in moved],
    })
