"""Writing ``results.xlsx``: the openpyxl writer of an earlier commit against this tree's
own SpreadsheetML writer (``turaqty.io.xlsx_writer``), side by side in one run (prints
figures; not a timed test).

    python benchmarks/bench_xlsx.py [--against REF] [--runs N]

Each tree runs in a fresh interpreter: the embedded data is assessed and the tables of
every sheet built first (not timed); then writing them into the workbook is timed once
cold (the first call, with the imports it needs: openpyxl for the earlier tree) and N times
warm (median), and the whole ``assessment_workbook`` (tables and writing) N times warm. The earlier tree is
exported with ``git archive REF src`` into a temporary folder by bench_cold.py's helper.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from bench_cold import _export  # the src folder of a commit, extracted (this folder is on sys.path)

ROOT = Path(__file__).resolve().parents[1]

PROBE = """
import json, statistics, sys, time
import turaqty
from turaqty.report import xlsx
a = turaqty.assess()
main = xlsx._sheets(a)  # the tables of every sheet, built before anything is timed
sheets = main[:4] + xlsx._risk_sheets(a) + main[4:]
t0 = time.perf_counter()
content = xlsx._workbook_bytes(a, sheets, risk_map_position=1)
cold = time.perf_counter() - t0
warm, whole = [], []
for _ in range(int(sys.argv[1])):
    t0 = time.perf_counter()
    xlsx._workbook_bytes(a, sheets, risk_map_position=1)
    warm.append(time.perf_counter() - t0)
    t0 = time.perf_counter()
    xlsx.assessment_workbook(a)
    whole.append(time.perf_counter() - t0)
print(json.dumps({"cold": cold, "warm": statistics.median(warm), "whole": statistics.median(whole),
                  "bytes": len(content), "openpyxl": "openpyxl" in sys.modules}))
"""


def _measure(src: Path, runs: int) -> dict:
    env = {**os.environ, "PYTHONPATH": str(src)}
    done = subprocess.run([sys.executable, "-c", PROBE, str(runs)], check=True, env=env,
                          capture_output=True, text=True)
    return json.loads(done.stdout.splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", default="5605059",
                        help="a commit whose workbooks openpyxl wrote (default 5605059)")
    parser.add_argument("--runs", type=int, default=10)
    opts = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        old = _measure(_export(opts.against, Path(tmp)), opts.runs)
        new = _measure(ROOT / "src", opts.runs)
    print(f"results.xlsx of the embedded data (python {sys.version.split()[0]}, {os.cpu_count()} CPUs)")
    rows = (("writing, first call (imports)", "cold"), (f"writing, median of {opts.runs}", "warm"),
            (f"tables + writing, median of {opts.runs}", "whole"))
    for label, key in rows:
        print(f"  {label:32} openpyxl ({opts.against}): {old[key] * 1000:6.1f} ms   "
              f"xlsx_writer: {new[key] * 1000:6.1f} ms   ratio {old[key] / new[key]:4.1f}×")
    print(f"  file size: {old['bytes'] / 1024:.0f} KB → {new['bytes'] / 1024:.0f} KB; "
          f"openpyxl imported: {old['openpyxl']} → {new['openpyxl']}")


if __name__ == "__main__":
    main()
