"""Benchmarks of the assessment engine (prints figures; not a timed test).

    python benchmarks/bench_assess.py [--runs 200] [--big 100000]

Each engine figure is printed next to a plain-NumPy version of the same maths (min–max onto
1–9, means by pillar, their sum, ranks) run in the same process, with the ratio, because the
machines are shared and noisy:

1. ``turaqty.assess()`` in-process on the embedded 2023 data (median of N runs), and with
   every secondary table;
2. the CLI from a cold start: ``turaqty --help`` and ``turaqty assess --out DIR``;
3. the pipeline on a synthetic ``--big`` units × 500 indicators (5 % missing) in three pillars
   and an index: time and peak traced memory; descriptive statistics on 5,000 × 500;
4. COINr's ASEM build (denominate, impute by group, winsorise, min–max 0–100, four levels of
   arithmetic means) in-process, when ``../shared/external/coinr-asem`` is present.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np

import turaqty
from turaqty.core.pipeline import Tree, run_pipeline
from turaqty.core.rank import rank_descending
from turaqty.core.stats import describe

ROOT = Path(__file__).resolve().parents[1]


def median_ms(function, runs: int) -> float:
    function()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        function()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1e3


def plain_numpy(values: np.ndarray, directions: np.ndarray, pillar_of: np.ndarray, k: int) -> np.ndarray:
    """The same maths without the engine: min–max 1–9, pillar means, sum, ranks."""
    lo, hi = np.nanmin(values, axis=0), np.nanmax(values, axis=0)
    frac = (values - lo) / (hi - lo)
    frac = np.where(directions > 0, frac, 1.0 - frac)
    scores = 1.0 + 8.0 * frac
    member = (pillar_of[:, None] == np.arange(k)[None, :]).astype(float)
    ok = ~np.isnan(scores)
    pillars = (np.where(ok, scores, 0.0) @ member) / (ok @ member)
    integral = pillars.sum(axis=1)
    return np.column_stack([rank_descending(c) for c in np.column_stack([pillars, integral]).T])


def pillars_tree(pillar_of: np.ndarray, k: int = 3) -> Tree:
    return Tree(indicator_parent=pillar_of, node_parent=np.array([k] * k + [-1]),
                indicator_weight=np.ones(pillar_of.size), node_weight=np.ones(k + 1),
                node_level=np.array([2] * k + [3]),
                aggregation=(("arithmetic", {}),) * k + (("sum", {}),),
                bands=np.array([[4.0, 7.0]] * k + [[11.0, 19.0]]))


def bench_in_process(runs: int) -> None:
    ds = turaqty.load_embedded()
    fw = turaqty.load_framework()
    directions = np.array([fw.direction(c) for c in ds.indicators])
    pillar_of = np.array([fw.pillars.index(fw.pillar_of[c]) for c in ds.indicators])
    engine = median_ms(turaqty.assess, runs)
    plain = median_ms(lambda: plain_numpy(ds.values, directions, pillar_of, 3), runs)
    print(f"assess() on the embedded data, in-process: median {engine:.2f} ms; plain NumPy of the "
          f"same maths {plain:.3f} ms (ratio {engine / plain:.0f}×; target ≤ 1.5 ms)")

    def everything():
        a = turaqty.assess()
        for table in (a.stats, a.matrix, a.risk, a.risk_summary, a.region_types, a.macro_regions,
                      a.findings):
            assert table is not None
    print(f"assess() and every table (stats, matrix, risk map, summaries, findings): median "
          f"{median_ms(everything, max(runs // 4, 5)):.2f} ms")


def bench_cli(runs: int = 5) -> None:
    exe = shutil.which("turaqty")
    cmd = [exe] if exe else [sys.executable, "-m", "turaqty"]
    for label, args, target in (("turaqty --help", ["--help"], "≤ 0.15 s"),
                                ("turaqty assess", ["assess", "--quiet"], "≤ 0.7 s")):
        times = []
        with tempfile.TemporaryDirectory() as tmp:
            for k in range(runs):
                extra = ["--out", str(Path(tmp) / f"out{k}")] if args[0] == "assess" else []
                t0 = time.perf_counter()
                subprocess.run(cmd + args + extra, check=True, stdout=subprocess.DEVNULL)
                times.append(time.perf_counter() - t0)
        print(f"CLI '{label}' cold: median {statistics.median(times):.3f} s "
              f"(min {min(times):.3f}; {runs} runs; target {target})")


def bench_synthetic(n: int, m: int = 500, seed: int = 1) -> None:
    rng = np.random.default_rng(seed)
    values = rng.lognormal(size=(n, m))
    values[rng.random((n, m)) < 0.05] = np.nan
    directions = rng.choice([1, -1], size=m)
    pillar_of = rng.integers(0, 3, size=m)
    tree = pillars_tree(pillar_of)
    excluded = np.zeros(m, dtype=bool)
    tracemalloc.start()
    t0 = time.perf_counter()
    run_pipeline(values, directions, tree, excluded)
    engine = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    t0 = time.perf_counter()
    plain_numpy(values, directions, pillar_of, 3)
    plain = time.perf_counter() - t0
    print(f"pipeline, synthetic {n:,} units × {m} indicators (5 % missing): {engine:.3f} s, peak "
          f"traced memory {peak / 2**20:.0f} MiB (input {values.nbytes / 2**20:.0f} MiB); plain NumPy "
          f"{plain:.3f} s (ratio {engine / plain:.1f}×; targets ≤ 1.5 s, ≤ 2 GB)")
    small = values[:5000]
    t0 = time.perf_counter()
    describe(small)
    print(f"descriptive statistics on 5,000 × {m}: {time.perf_counter() - t0:.3f} s (target ≤ 0.1 s)")


def bench_asem(runs: int) -> None:
    shared = Path(os.environ.get("TURAQTY_SHARED", ROOT.parent / "shared"))
    asem = shared / "external" / "coinr-asem"
    if not asem.is_dir():
        print(f"ASEM build: skipped ({asem} not found)")
        return
    from turaqty.io.frameworks import read_coinr_data, read_framework
    from turaqty.io.methods import read_method

    fw = read_framework(asem / "ASEM_iMeta.csv")
    ds = read_coinr_data(asem / "ASEM_iData.csv", fw)
    method = read_method(ROOT / "examples" / "asem" / "method.yaml")
    full = median_ms(lambda: turaqty.assess(ds, profile=method, framework=fw), runs)
    print(f"COINr's ASEM build (denominate, impute by group, winsorise, min–max, 4 levels) "
          f"in-process: median {full:.2f} ms (COINr 122 ms on this machine kind; ratio "
          f"{122 / full:.0f}× faster; target ≤ 20 ms)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--big", type=int, default=100_000)
    args = parser.parse_args()
    print(f"turaqty {turaqty.__version__}, numpy {np.__version__}, Python {sys.version.split()[0]}")
    bench_in_process(args.runs)
    bench_asem(max(args.runs // 4, 5))
    bench_cli()
    bench_synthetic(args.big)


if __name__ == "__main__":
    main()
