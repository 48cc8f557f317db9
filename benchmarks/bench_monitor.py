"""Monitoring benchmarks: print the median wall time of each case (not a timed test).

Cases (the issue's targets in brackets):
* 20 regions × 52 indicators × 14 years, monitored with trends and alerts [≤ 50 ms];
  beside it, the naive way: 14 separate ``assess()`` calls (one-year scores, not comparable);
* 200 districts × 100 indicators × 20 years on a generated framework [≤ 0.5 s];
* reading the national SDG platform's folder (``../shared/external/kazstat-sdg``) [≤ 2 s].

Run: ``.venv/bin/python benchmarks/bench_monitor.py``
"""
from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from turaqty.analysis.monitor import monitor
from turaqty.engine.assessment import assess
from turaqty.io.frameworks import read_framework
from turaqty.model.dataset import Dataset, load_embedded
from turaqty.model.panel import Panel

KAZSTAT = Path(__file__).resolve().parents[1] / "../shared/external/kazstat-sdg"


BEST: dict = {}


def timed(f, repeat: int = 7) -> float:
    """The median wall time of ``repeat`` runs (the fastest is kept in ``BEST``: on a shared
    machine it is the better estimate of the work itself)."""
    f()  # warm up (imports, caches)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        f()
        times.append(time.perf_counter() - start)
    BEST[f] = min(times)
    return statistics.median(times)


def best(f) -> str:
    return f"fastest {1000 * BEST[f]:.1f} ms"


def kz_panel(years: int = 14, seed: int = 0) -> Panel:
    """The embedded 2023 values drifting by a few per cent a year, for every unit and year."""
    d = load_embedded()
    rng = np.random.default_rng(seed)
    drift = 1 + rng.normal(0, 0.03, (len(d.units), len(d.indicators), years)).cumsum(axis=2)
    values = d.values[:, :, None] * drift
    values = np.where(np.isnan(values), rng.uniform(1, 50, values.shape), values)
    values = np.clip(values, 0, 100)  # keeps shares possible
    return Panel(d.units, d.indicators, tuple(range(2010, 2010 + years)), values)


def with_trends(data, **kw) -> None:
    m = monitor(data, **kw)
    _ = m.trends, m.alerts, m.indices  # the tables are built on first read: read them


def big_case(units: int = 200, indicators: int = 100, years: int = 20):
    folder = Path(tempfile.mkdtemp())
    pillars = ["p1", "p2", "p3", "p4"]
    rows = ["id,parent,type,weight,direction,aggregation,level_low,level_high,name_en,unit_en",
            "index,,aggregate,1,,arithmetic,4,7,Index,"]
    rows += [f"{p},index,aggregate,1,,arithmetic,4,7,{p},," for p in pillars]
    rows += [f"X{j},{pillars[j % 4]},indicator,1,{'+' if j % 3 else '-'},,,,Indicator {j},units"
             for j in range(indicators)]
    (folder / "structure.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (folder / "framework.json").write_text('{"id": "bench", "name": {"en": "Bench"}}', encoding="utf-8")
    fw = read_framework(folder)
    rng = np.random.default_rng(1)
    values = rng.uniform(0, 100, (units, indicators, years))
    values[rng.random(values.shape) < 0.03] = np.nan
    panel = Panel(tuple(f"d{i}" for i in range(units)), tuple(fw.codes), tuple(range(2004, 2004 + years)),
                  values, framework="bench")
    return panel, fw


def main() -> None:
    panel = kz_panel()
    def run():
        return with_trends(panel)
    def loop():
        return [assess(Dataset(panel.units, panel.indicators, panel.values[:, :, k], year=y)).indices
                        for k, y in enumerate(panel.years)]
    t_monitor, t_loop = timed(run, 15), timed(loop, 15)
    print(f"20 × 52 × 14 monitored with trends and alerts: {1000 * t_monitor:7.1f} ms median, {best(run)}"
          f"  (target ≤ 50 ms)")
    print(f"  beside it, 14 one-year assess() calls:      {1000 * t_loop:7.1f} ms median, {best(loop)}"
          f"  (ratio {t_monitor / t_loop:.2f})")
    big, fw = big_case()
    def run_big():
        return with_trends(big, framework=fw)
    t_big = timed(run_big, 5)
    print(f"200 × 100 × 20 monitored with trends:          {1000 * t_big:7.1f} ms median, {best(run_big)}"
          f"  (target ≤ 500 ms)")
    if KAZSTAT.exists():
        from turaqty.io.kazstat import read_kazstat

        def read():
            return read_kazstat(KAZSTAT)
        t_read = timed(read, 5)
        print(f"reading the national SDG platform's folder:    {1000 * t_read:7.1f} ms median, {best(read)}"
              f"  (target ≤ 2000 ms)")
    else:
        print(f"reading the national SDG platform's folder: skipped ({KAZSTAT} not found)")


if __name__ == "__main__":
    main()
