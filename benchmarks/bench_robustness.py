"""Benchmarks of the robustness engine, side by side with a one-by-one loop of ``assess()``
(prints figures; not a timed test).

    python benchmarks/bench_robustness.py [--loop 1000] [--threads 1]

1. embedded data, default factors: N = 1,000 and N = 10,000 replications (the vectorised
   engine alone, and the whole ``run_robustness`` with drop-one effects), against
   ``assess()`` run once per replication with the same drawn methods;
2. Sobol indices, default factors, N = 4,096 base samples;
3. a synthetic framework of 200 units × 100 indicators, N = 10,000;
4. COINr's ASEM build (``examples/asem/method.yaml``), N = 1,000, against the same loop;
5. 1,000 what-if change sets in one pass (``run_change_sets``) against ``run_changes`` one by one;
6. the default factors with and without the ``bounds`` factor (the embedded 2010–2023 panel):
   engine set-up, N = 1,000 and 10,000, the whole run, and Sobol with N = 4,096, side by side.
COINr 1.1.14 needs 186 s for N = 1,000 on its example (shared/design/ANCHORS.md).
"""
from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np

from turaqty.analysis.factors import default_factors
from turaqty.analysis.replications import Replicator
from turaqty.analysis.robustness import panel_bounds, run_robustness, tally_settings, uniforms
from turaqty.engine.assessment import assess

ROOT = Path(__file__).resolve().parents[1]
ASEM = (ROOT / "../shared/external").resolve() / "coinr-asem"
COINR_SECONDS = 185.9


def timed(function, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - t0)
    return best


def engine_and_loop(label: str, a, runs: int, loop: int, threads: int) -> None:
    from threadpoolctl import threadpool_limits

    f = default_factors(a)
    engine = Replicator(a, f)
    s = f.settings(uniforms(0, 0, runs, f.dims))
    with threadpool_limits(threads):
        vectorised = timed(lambda: tally_settings(engine, s))
    whole = timed(lambda: run_robustness(a.dataset, framework=a.framework, method=a.method, runs=runs,
                                         sobol=0, threads=threads), repeat=1)
    k = min(loop, runs)
    t0 = time.perf_counter()
    for row in range(k):
        assess(a.dataset, f.method(a.method, s, row), framework=a.framework)
    one_by_one = (time.perf_counter() - t0) * runs / k
    print(f"{label}, N = {runs:,}: vectorised engine {vectorised * 1e3:.1f} ms; run_robustness "
          f"(with assess, drop-one) {whole * 1e3:.1f} ms; assess() one by one "
          f"{one_by_one:.2f} s{'' if k == runs else f' (extrapolated from {k})'}; ratio "
          f"{one_by_one / vectorised:,.0f}×; COINr {COINR_SECONDS * runs / 1000:,.0f} s "
          f"(ratio {COINR_SECONDS * runs / 1000 / vectorised:,.0f}×)")


def sobol(threads: int) -> None:
    a = assess()
    k = len(default_factors(a).factors)
    t = timed(lambda: run_robustness(runs=2, sobol=4096, threads=threads), repeat=1)
    print(f"Sobol indices, {k} factors, N = 4,096 base samples ({4096 * (k + 2):,} runs): "
          f"{t:.2f} s (target ≤ 5 s)")


def synthetic(threads: int) -> None:
    rng = np.random.default_rng(0)
    n, m, pillars = 200, 100, 4
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "framework.json").write_text(json.dumps({"id": "synthetic", "name": {"en": "S"}}))
        rows = ["id,parent,type,weight,direction,aggregation,name_en",
                "index,,aggregate,1,,arithmetic,Index"]
        rows += [f"p{k},index,aggregate,1,,arithmetic,P{k}" for k in range(pillars)]
        rows += [f"X{j},p{j % pillars},indicator,1,{'+' if j % 3 else '-'},,X{j}" for j in range(m)]
        (folder / "structure.csv").write_text("\n".join(rows) + "\n")
        (folder / "units.csv").write_text("id,name_en\n" + "".join(f"u{i},Unit {i}\n" for i in range(n)))
        values = rng.lognormal(size=(n, m))
        values[rng.random((n, m)) < 0.03] = np.nan
        data = ["region," + ",".join(f"X{j}" for j in range(m))]
        data += [f"Unit {i}," + ",".join("" if np.isnan(v) else f"{v:.6g}" for v in values[i])
                 for i in range(n)]
        (folder / "data.csv").write_text("\n".join(data) + "\n")
        from turaqty.model.method import Method

        a = assess(str(folder / "data.csv"), Method(profile="generic"), framework=str(folder))
        f = default_factors(a)
        engine = Replicator(a, f)
        s = f.settings(uniforms(0, 0, 10_000, f.dims))
        from threadpoolctl import threadpool_limits

        with threadpool_limits(threads):
            t = timed(lambda: [tally_settings(engine, s.take(slice(lo, lo + 1024)))
                               for lo in range(0, 10_000, 1024)], repeat=1)
        print(f"synthetic {n} units × {m} indicators, N = 10,000: {t:.2f} s (target ≤ 10 s)")


def whatifs(loop: int) -> None:
    from turaqty.analysis.change_sets import run_change_sets
    from turaqty.analysis.scenarios import Change, run_changes

    base = assess()
    rng = np.random.default_rng(0)
    units, codes = base.dataset.units, base.dataset.indicators
    sets = {f"s{k}": [Change(units[rng.integers(len(units))], codes[rng.integers(len(codes))], "relative",
                             float(rng.normal(scale=0.2)))] for k in range(1000)}
    batched = timed(lambda: run_change_sets(base, sets))
    k = min(loop, 1000)
    t0 = time.perf_counter()
    for name in list(sets)[:k]:
        run_changes(base, sets[name], name)
    one_by_one = (time.perf_counter() - t0) * 1000 / k
    print(f"1,000 what-if change sets: one pass {batched * 1e3:.1f} ms (target ≤ 20 ms); run_changes "
          f"one by one {one_by_one:.2f} s{'' if k == 1000 else f' (extrapolated from {k})'}; ratio "
          f"{one_by_one / batched:,.0f}×")


def bounds_factor(threads: int, repeat: int = 5) -> None:
    """The default factors without and with ``bounds``, measured in turns (best of ``repeat``
    each, so that the load of a shared machine falls on both alike)."""
    from threadpoolctl import threadpool_limits

    a = assess()
    pooled, _ = panel_bounds("embedded", a)
    runs = {"without bounds": (default_factors(a), None),
            "with bounds": (default_factors(a, pooled), "embedded")}
    engines = {label: Replicator(a, f) for label, (f, _) in runs.items()}
    draws = {(label, n): f.settings(uniforms(0, 0, n, f.dims)) for label, (f, _) in runs.items()
             for n in (1000, 10_000)}

    def measure(label: str) -> dict[str, float]:
        f, panel = runs[label]
        engine = engines[label]
        with threadpool_limits(threads):
            return {"set-up": timed(lambda: Replicator(a, f), repeat=1),
                    "N = 1,000": timed(lambda: tally_settings(engine, draws[label, 1000]), repeat=1),
                    "N = 10,000": timed(lambda: tally_settings(engine, draws[label, 10_000]), repeat=1),
                    "run_robustness N = 1,000": timed(lambda: run_robustness(
                        panel=panel, runs=1000, sobol=0, threads=threads), repeat=1),
                    "Sobol N = 4,096": timed(lambda: run_robustness(
                        panel=panel, runs=2, sobol=4096, threads=threads), repeat=1)}

    best: dict[str, dict[str, float]] = {label: {} for label in runs}
    for _ in range(repeat):
        for label in runs:
            for key, value in measure(label).items():
                best[label][key] = min(best[label].get(key, float("inf")), value)
    print(f"default factors without and with the bounds factor (embedded panel 2010–2023; best of {repeat}, "
          "measured in turns):")
    for label, (f, _) in runs.items():
        k = len(f.factors)
        print(f"  {label}: {k} factors, {len(engines[label].scores)} score sets, Sobol "
              f"{4096 * (k + 2):,} runs; " + "; ".join(
                  f"{key} {value * 1e3:.1f} ms" for key, value in best[label].items()))
    with_, without = best["with bounds"], best["without bounds"]
    print("  ratio with/without: " + ", ".join(f"{key} {with_[key] / without[key]:.2f}×" for key in with_))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--loop", type=int, default=1000, help="assess() calls in the one-by-one loop")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--only-bounds", action="store_true", help="only the bounds factor side by side")
    args = p.parse_args()
    if args.only_bounds:
        bounds_factor(args.threads)
        return
    a = assess()
    engine_and_loop("embedded data (20 regions × 52 indicators)", a, 1000, args.loop, args.threads)
    engine_and_loop("embedded data (20 regions × 52 indicators)", a, 10_000,
                    min(args.loop, 300), args.threads)
    sobol(args.threads)
    synthetic(args.threads)
    if ASEM.exists():
        asem = assess(str(ASEM / "ASEM_iData.csv"), _asem_method(), framework=str(ASEM / "ASEM_iMeta.csv"))
        engine_and_loop("ASEM (51 countries × 49 indicators)", asem, 1000, min(args.loop, 300), args.threads)
    else:
        print(f"ASEM skipped: {ASEM} not found")
    whatifs(min(args.loop, 200))
    bounds_factor(args.threads)


def _asem_method():
    from turaqty.io.methods import read_method

    return read_method(ROOT / "examples" / "asem" / "method.yaml")


if __name__ == "__main__":
    main()
