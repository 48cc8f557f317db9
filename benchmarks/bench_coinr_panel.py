"""COINr's ASEM panel (51 countries × 49 indicators × 2018–2022, ``../shared/external/coinr-asem``)
monitored by COINr's ASEM method: print the median wall time of each case (not a timed test).

Cases, side by side in one run:
* reading the panel (``read_panel``: uCode, Time, groups, denominators, every cell checked);
* monitoring it from the file (read, denominate/impute/treat year by year, pooled goalposts,
  trends and alerts);
* beside it, five one-year ``assess()`` calls on the panel's years (one-year goalposts, not
  comparable), and ``assess()`` of COINr's one-year file;
* the command ``turaqty monitor`` in a fresh process (imports and writing the folder included).

Run: ``.venv/bin/python benchmarks/bench_coinr_panel.py``
"""
from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from bench_monitor import BEST, timed  # median of runs after a warm-up; the fastest in BEST

from turaqty.analysis.monitor import monitor
from turaqty.engine.assessment import assess
from turaqty.io.frameworks import read_framework
from turaqty.io.methods import read_method
from turaqty.io.panel import read_panel

ROOT = Path(__file__).resolve().parents[1]
ASEM = ROOT / "../shared/external/coinr-asem"
METHOD = ROOT / "examples" / "asem" / "method.yaml"


def main() -> None:
    panel_file, meta = ASEM / "ASEM_iData_p.csv", ASEM / "ASEM_iMeta.csv"
    if not panel_file.exists():
        print(f"skipped: {panel_file} not found")
        return
    fw, method = read_framework(meta), read_method(METHOD)
    panel = read_panel(panel_file, fw)

    def read():
        return read_panel(panel_file, fw)

    def monitored():
        m = monitor(panel_file, framework=fw, profile=method)
        return m.trends, m.alerts, m.indices  # tables are built on first read: read them

    def one_year_each():
        return [assess(panel.year(y), framework=fw, profile=method).indices for y in panel.years]

    def one_file():
        return assess(ASEM / "ASEM_iData.csv", framework=fw, profile=method).indices

    out = Path(tempfile.mkdtemp()) / "asem"

    def command():
        subprocess.run([sys.executable, "-m", "turaqty", "monitor", str(panel_file), "--framework", str(meta),
                        "--method", str(METHOD), "--out", str(out)], check=True, capture_output=True)

    cases = [("read_panel (255 rows × 60 columns)", read, 7),
             ("monitor() from the file, trends and alerts", monitored, 7),
             ("5 one-year assess() calls (not comparable)", one_year_each, 7),
             ("assess() of ASEM_iData.csv (one year)", one_file, 7),
             ("turaqty monitor … (fresh process, folder written)", command, 5)]
    medians = {}
    for name, f, repeat in cases:
        medians[name] = timed(f, repeat)
        print(f"{name:<52} {1000 * medians[name]:8.1f} ms median, fastest {1000 * BEST[f]:8.1f} ms")
    print(f"monitor() / five assess() calls: {medians[cases[1][0]] / medians[cases[2][0]]:.2f}")


if __name__ == "__main__":
    main()
