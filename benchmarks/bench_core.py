"""Benchmarks of the numeric step registries (prints figures; not a timed test).

    python benchmarks/bench_core.py [--rows 100000] [--cols 500] [--runs 3]

Each registry method runs on a synthetic units × indicators array (log-normal values,
5 % missing, 5 groups, 3 denominators, indicators in 25 parents) next to a plain-NumPy
version of the same maths written the obvious way (per-column or per-group loops, NaN
functions); both outputs are compared, and the median time of ``--runs`` runs is printed
with the ratio plain / registry. ``describe()`` runs on 5,000 × 500 next to its previous
implementation (``z**3``, ``z**4``, ``np.nanmedian``). If ``../shared/external/coinr-asem``
is there, COINr's ASEM build (denominate → group mean → winsorise → min–max → three levels
of arithmetic means) through the registries is timed too (COINr: 122 ms).

OpenBLAS runs on one thread here (``OPENBLAS_NUM_THREADS=1`` unless set): on a shared
2-core machine its threads made one matrix product take from 20 to 900 ms.
"""
from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time
import warnings

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before NumPy loads OpenBLAS

import numpy as np  # noqa: E402

from turaqty.core import aggregate, denominate, impute, normalise, treat  # noqa: E402
from turaqty.core.stats import describe  # noqa: E402


def timed(function, runs: int):
    times, result = [], None
    for _ in range(runs):
        result = None
        gc.collect()
        t0 = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def report(name: str, ours, plain, runs: int) -> None:
    t_ours, r_ours = timed(ours, runs)
    t_plain, r_plain = timed(plain, runs) if plain else (float("nan"), None)
    same = ""
    if r_plain is not None:
        values = r_ours.values if hasattr(r_ours, "values") else r_ours
        close = np.allclose(values, r_plain, rtol=1e-9, atol=1e-9, equal_nan=True)
        same = "same result" if close else "RESULTS DIFFER"
    ratio = t_plain / t_ours if r_plain is not None else float("nan")
    print(f"  {name:<28} {t_ours * 1e3:9.1f} ms   plain {t_plain * 1e3:9.1f} ms   "
          f"plain/registry {ratio:5.2f}   {same}", flush=True)


def synthetic(rows: int, cols: int, seed: int = 1):
    rng = np.random.default_rng(seed)
    x = rng.lognormal(mean=1.0, sigma=1.0, size=(rows, cols))
    x[rng.random((rows, cols)) < 0.05] = np.nan
    groups = rng.integers(0, 5, rows)
    denoms = rng.uniform(1.0, 100.0, size=(rows, 3))
    by = np.where(np.arange(cols) % 4 == 0, np.arange(cols) % 3, -1)
    parents = 25
    membership = np.arange(cols)[:, None] % parents == np.arange(parents)[None, :]
    weights = rng.uniform(0.5, 2.0, cols)
    directions = np.where(np.arange(cols) % 3 == 0, -1.0, 1.0)
    return x, groups, denoms, by, membership, weights, directions


# --- plain NumPy versions, written the obvious way -------------------------------------------

def plain_divide(x, denoms, by):
    out = x.copy()
    for j in np.flatnonzero(by >= 0):
        d = denoms[:, by[j]]
        out[:, j] = x[:, j] / np.where(d == 0, np.nan, d)
    return out


def plain_group_mean(x, groups):
    out = x.copy()
    for g in np.unique(groups):
        rows = groups == g
        block = x[rows]
        means = np.nanmean(block, axis=0)
        out[rows] = np.where(np.isnan(block), means, block)
    return out


def plain_minmax(x, directions):
    lo, hi = np.nanmin(x, axis=0), np.nanmax(x, axis=0)
    frac = np.where(directions > 0, (x - lo) / (hi - lo), (hi - x) / (hi - lo))
    return 100.0 * frac


def plain_goalposts(x, lower, upper):
    return np.clip((x - lower) / (upper - lower) * 100.0, 0.0, 100.0)


def plain_zscore(x):
    return (x - np.nanmean(x, axis=0)) / np.nanstd(x, axis=0, ddof=1)


def plain_rank(x):
    from scipy.stats import rankdata  # the usual tool for this

    return rankdata(x, method="min", axis=0, nan_policy="omit")


def plain_weighted_mean(x, membership, weights, forward=None, back=None):
    """Σ w·f(x) / Σ w over each parent's present children, then f⁻¹ (a loop over parents)."""
    out = np.empty((x.shape[0], membership.shape[1]))
    for k in range(membership.shape[1]):
        cols = membership[:, k]
        block, w = x[:, cols], weights[cols]
        present = ~np.isnan(block)
        mapped = block if forward is None else forward(block)
        out[:, k] = np.nansum(mapped * w, axis=1) / (present * w).sum(axis=1)
    return out if back is None else back(out)


def plain_winsorise(x, winmax):
    """COINr's loop per column with the previous statistics (``**``)."""
    def fails(v):
        v = v[~np.isnan(v)]
        n = v.size
        d = v - v.mean()
        m2, m3, m4 = (d**2).sum(), (d**3).sum(), (d**4).sum()
        skew = np.sqrt(n) * m3 / m2**1.5 * np.sqrt(n * (n - 1)) / (n - 2)
        r = n * m4 / m2**2
        kurt = ((n + 1) * (r - 3) + 6) * (n - 1) / ((n - 2) * (n - 3))
        return abs(skew) >= 2 and kurt >= 3.5, skew

    out = x.copy()
    for j in range(x.shape[1]):
        v = x[:, j].copy()
        bad, skew = fails(v)
        if not bad:
            continue
        nhi = nlo = 0
        while bad and nhi + nlo < winmax:
            if skew >= 0:
                at = v == np.nanmax(v)
                v[at] = np.nanmax(v[~at])
                nhi = at.sum()
            else:
                at = v == np.nanmin(v)
                v[at] = np.nanmin(v[~at])
                nlo = at.sum()
            bad, skew = fails(v)
        if bad:
            lo, hi = np.nanmin(x[:, j]), np.nanmax(x[:, j])
            v = np.log(x[:, j] - lo + 0.01 * (hi - lo))
        out[:, j] = v
    return out


def plain_describe(values):
    """describe() as it was: generic powers and np.nanmedian."""
    available = ~np.isnan(values)
    n = available.sum(axis=0).astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        mean = np.nansum(values, axis=0) / n
        dev = np.where(available, values - mean, 0.0)
        sd = np.sqrt((dev**2).sum(axis=0) / (n - 1))
        z = dev / sd
        skew = n / ((n - 1) * (n - 2)) * (z**3).sum(axis=0)
        kurt = (n * (n + 1) / ((n - 1) * (n - 2) * (n - 3)) * (z**4).sum(axis=0)
                - 3 * (n - 1) ** 2 / ((n - 2) * (n - 3)))
        median = np.nanmedian(values, axis=0)
    return np.column_stack([np.fmin.reduce(values, axis=0), np.fmax.reduce(values, axis=0),
                            mean, median, sd, skew, kurt])


def stacked(d):
    return np.column_stack([d[k] for k in ("min", "max", "mean", "median", "sd", "skewness",
                                           "kurtosis")])


def bench_asem(runs: int = 200) -> None:
    """The five ASEM stages on arrays read once (the CSVs are read outside the timing)."""
    from pathlib import Path

    import pandas as pd

    root = Path(__file__).resolve().parents[2] / "shared" / "external" / "coinr-asem"
    if not (root / "ASEM_iData.csv").exists():
        print(f"ASEM build: skipped ({root} not found)")
        return
    data, meta = pd.read_csv(root / "ASEM_iData.csv"), pd.read_csv(root / "ASEM_iMeta.csv")
    indicators = meta[meta["Type"] == "Indicator"]
    names = meta.loc[meta["Type"] == "Denominator", "iCode"].tolist()
    x, denominators = data[indicators["iCode"]].to_numpy(float), data[names].to_numpy(float)
    directions = indicators["Direction"].to_numpy()
    by = [names.index(d) if isinstance(d, str) else -1 for d in indicators["Denominator"]]
    groups = impute.group_codes(data["EurAsia_group"])[0]
    parent_of = meta.set_index("iCode")["Parent"]
    levels, children = [], indicators["iCode"].tolist()
    for depth in (2, 3, 4):
        parents = meta.loc[meta["Level"] == depth, "iCode"].tolist()
        levels.append(np.array([[parent_of[c] == p for p in parents] for c in children]))
        children = parents

    def build():
        v = denominate.divide(x, denominators=denominators, by=by).values
        v = impute.group_mean(v, groups=groups).values
        v = treat.winsorise(v, winmax=6).values
        v = normalise.minmax(v, directions=directions).values
        for membership in levels:
            v = aggregate.arithmetic(v, membership=membership).values
        return v

    t, _ = timed(build, runs)
    print(f"ASEM build through the registries (51 × 49, 5 stages, 3 levels): median "
          f"{t * 1e3:.2f} ms of {runs} runs (COINr 122 ms; target ≤ 20 ms)\n")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--cols", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    runs = args.runs

    bench_asem()
    small = synthetic(5_000, 500)[0]
    print("describe() on 5,000 × 500 (5 % missing):")
    report("describe", lambda: stacked(describe(small)), lambda: plain_describe(small), 7)

    x, groups, denoms, by, membership, weights, directions = synthetic(args.rows, args.cols)
    print(f"\nregistries on {args.rows:,} × {args.cols} (5 % missing; median of {runs} runs; "
          f"OPENBLAS_NUM_THREADS={os.environ['OPENBLAS_NUM_THREADS']}):")
    report("denominate.divide", lambda: denominate.divide(x, denominators=denoms, by=by),
           lambda: plain_divide(x, denoms, by), runs)
    report("impute.group_mean", lambda: impute.group_mean(x, groups=groups),
           lambda: plain_group_mean(x, groups), runs)
    report("impute.mean", lambda: impute.mean(x), None, runs)
    report("treat.winsorise (winmax 5)", lambda: treat.winsorise(x, winmax=5),
           lambda: plain_winsorise(x, 5), 1)
    report("normalise.minmax 0-100", lambda: normalise.minmax(x, directions=directions),
           lambda: plain_minmax(x, directions), runs)
    lower, upper = np.full(args.cols, 1.0), np.full(args.cols, 20.0)
    report("normalise.goalposts", lambda: normalise.goalposts(x, lower=lower, upper=upper),
           lambda: plain_goalposts(x, lower, upper), runs)
    report("normalise.zscore", lambda: normalise.zscore(x), lambda: plain_zscore(x), runs)
    report("normalise.rank (ties min)", lambda: normalise.rank(x),
           lambda: plain_rank(x), 1)
    report("aggregate.arithmetic (25)",
           lambda: aggregate.arithmetic(x, membership=membership, weights=weights),
           lambda: plain_weighted_mean(x, membership, weights), runs)
    report("aggregate.geometric (25)",
           lambda: aggregate.geometric(x, membership=membership, weights=weights),
           lambda: plain_weighted_mean(x, membership, weights, np.log, np.exp), runs)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
