"""Benchmark of the report (prints figures; not a timed test).

    python benchmarks/bench_report.py

Time to build report.html, the figures and the workbook in-process on the embedded data
(median of 5; target ≤ 5 s), the CLI 'turaqty report' from a cold start, and the size of
report.html (target ≤ 5 MB).
"""
from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import turaqty
from turaqty.report.outputs import report_files


def main() -> None:
    times, size = [], 0
    for _ in range(5):
        t0 = time.perf_counter()
        files = report_files(turaqty.assess(lang="ru"))
        times.append(time.perf_counter() - t0)
        size = len(files["report.html"])
    print(f"report (HTML, 4 figures, workbook), in-process: median {statistics.median(times):.2f} s "
          f"(5 runs; target ≤ 5 s); report.html {size / 2**10:.0f} KB (target ≤ 5 MB)")
    exe = shutil.which("turaqty")
    cmd = [exe] if exe else [sys.executable, "-m", "turaqty"]
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        subprocess.run(cmd + ["report", "--out", str(Path(tmp) / "r")], check=True,
                       stdout=subprocess.DEVNULL)
        print(f"CLI 'turaqty report' cold start to finished files: {time.perf_counter() - t0:.2f} s")


if __name__ == "__main__":
    main()
