"""Monitoring the embedded panel (20 regions × 52 indicators × 14 years) with each
normalisation on its comparable goalposts, side by side with min–max in one run: the median
wall time of ``monitor()`` (trends and alerts included) and of the command
``turaqty monitor --method FILE`` (a fresh process writing every file), and the ratio to
min–max. Prints numbers; not a timed test.

Run: ``.venv/bin/python benchmarks/bench_monitor_scales.py``
"""
from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from turaqty.analysis.monitor import monitor
from turaqty.model.method import get_method

NORMALISATIONS = {"minmax": {"method": "minmax", "scale": [1, 9]}, "zscore": {"method": "zscore"},
                  "rank": {"method": "rank"}, "percentile": {"method": "percentile"}}


def median_time(f, repeat: int) -> float:
    f()  # warm up
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        f()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def api(normalise: dict) -> float:
    method = get_method("default").replace(normalise=normalise)
    return median_time(lambda: monitor(profile=method).alerts, 7)


def command(normalise: dict, folder: Path) -> float:
    path = folder / f"{normalise['method']}.json"
    path.write_text(json.dumps({"profile": normalise["method"], "normalise": normalise}), encoding="utf-8")
    runs = iter(range(100))

    def run():  # a new output folder each time (an existing one is not overwritten)
        out = folder / f"out-{normalise['method']}-{next(runs)}"
        subprocess.run([sys.executable, "-m", "turaqty", "monitor", "--method", str(path), "--out", str(out)],
                       check=True, capture_output=True)
    return median_time(run, 5)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        rows = [(name, api(n), command(n, Path(tmp))) for name, n in NORMALISATIONS.items()]
    base_api, base_cli = rows[0][1], rows[0][2]
    print(f"{'normalisation':<14}{'monitor() ms':>14}{'ratio':>8}{'command s':>12}{'ratio':>8}")
    for name, t_api, t_cli in rows:
        print(f"{name:<14}{1000 * t_api:>14.1f}{t_api / base_api:>8.2f}"
              f"{t_cli:>12.2f}{t_cli / base_cli:>8.2f}")


if __name__ == "__main__":
    main()
