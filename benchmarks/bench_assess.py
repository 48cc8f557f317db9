"""Benchmarks of the core assessment (prints figures; not a timed test).

    python benchmarks/bench_assess.py [--runs 200]

1. ``turaqty.assess()`` in-process on the embedded 2023 data (median of N runs);
2. the CLI from a cold start to finished outputs (``turaqty assess --out DIR``, median of 5);
3. the core pipeline (normalise → aggregate → rank → classify → statistics) on a synthetic
   5,000 regions × 500 indicators with 5 % missing values: time and peak memory.
"""
from __future__ import annotations

import argparse
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
from turaqty.core.pipeline import run_pipeline
from turaqty.core.stats import describe


def bench_in_process(runs: int) -> None:
    turaqty.assess()  # warm: catalogues and embedded data are loaded once per process
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        turaqty.assess()
        times.append(time.perf_counter() - t0)
    print(f"assess() on embedded data, in-process: median {statistics.median(times) * 1e3:.2f} ms "
          f"(min {min(times) * 1e3:.2f}, max {max(times) * 1e3:.2f}; {runs} runs; target ≤ 5 ms)")
    full = []
    for _ in range(runs):
        t0 = time.perf_counter()
        a = turaqty.assess()
        for table in (a.stats, a.matrix, a.risk, a.risk_summary, a.region_types, a.macro_regions,
                      a.findings):
            assert table is not None
        full.append(time.perf_counter() - t0)
    print(f"assess() and every table (stats, matrix, risk map, summaries, findings): median "
          f"{statistics.median(full) * 1e3:.2f} ms ({runs} runs)")


def bench_scenarios(runs: int) -> None:
    from turaqty.analysis.scenarios import run_changes, run_scenario, scenario_ids, Change

    base = turaqty.assess()
    run_scenario(base, "west:optimistic")
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        run_scenario(base, "west:optimistic")
        times.append(time.perf_counter() - t0)
    t0 = time.perf_counter()
    for sid in scenario_ids():
        run_scenario(base, sid)
    all_twelve = time.perf_counter() - t0
    t0 = time.perf_counter()
    for k in range(1000):
        run_changes(base, [Change("karaganda", "B25", "set", 3.0 + k / 1000)])
    thousand = time.perf_counter() - t0
    print(f"run_scenario(west:optimistic): median {statistics.median(times) * 1e3:.2f} ms; "
          f"all 12 scenarios {all_twelve:.3f} s; 1,000 what-ifs {thousand:.2f} s")


def bench_cli(runs: int = 5) -> None:
    exe = shutil.which("turaqty")
    cmd = [exe] if exe else [sys.executable, "-m", "turaqty"]
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(runs):
            out = Path(tmp) / f"out{k}"
            t0 = time.perf_counter()
            subprocess.run(cmd + ["assess", "--quiet", "--out", str(out)], check=True,
                           stdout=subprocess.DEVNULL)
            times.append(time.perf_counter() - t0)
    print(f"CLI 'turaqty assess' cold start to finished outputs: median {statistics.median(times):.3f} s "
          f"(min {min(times):.3f}, max {max(times):.3f}; {runs} runs; target ≤ 1.5 s)")


def bench_synthetic(n: int = 5000, m: int = 500, seed: int = 1) -> None:
    rng = np.random.default_rng(seed)
    values = rng.lognormal(size=(n, m))
    values[rng.random((n, m)) < 0.05] = np.nan
    directions = rng.choice([1, -1], size=m)
    pillar_of = rng.integers(0, 3, size=m)
    excluded = np.zeros(m, dtype=bool)
    tracemalloc.start()
    t0 = time.perf_counter()
    run_pipeline(values, directions, pillar_of, 3, excluded)
    describe(values)
    elapsed = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"core pipeline + statistics, synthetic {n:,} regions × {m} indicators (5 % missing): "
          f"{elapsed:.3f} s, peak memory {peak / 2**20:.0f} MiB (targets ≤ 1 s, ≤ 1 GB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    print(f"turaqty {turaqty.__version__}, numpy {np.__version__}, Python {sys.version.split()[0]}")
    bench_in_process(args.runs)
    bench_scenarios(min(args.runs, 100))
    bench_cli()
    bench_synthetic()


if __name__ == "__main__":
    main()
