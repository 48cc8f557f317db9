"""Benchmark of the report's section on the robustness of the places (prints figures; not a
timed test).

    python benchmarks/bench_report_robustness.py [--repeat 7]

On the embedded data, side by side in one run:
1. the section alone (``report_robustness`` + ``robustness_section``): its first call in the
   process, then the median of ``--repeat`` calls, for N = 1,000 replications and Sobol base
   samples 0, 128 (the report's default), 256 and 512 (target for the default: ≤ 150 ms);
2. ``report_html`` without and with the section (median), and the ratio;
3. ``turaqty report`` from a cold start with ``--robustness-runs 0`` and with the default
   (median of 3 each, alternated), and the difference, in wall and in CPU time (the CPU
   time of a process is less sensitive to the load of a shared machine).
"""
from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from turaqty.engine.assessment import assess
from turaqty.report.html import report_html
from turaqty.report.robustness_section import REPORT_RUNS, REPORT_SOBOL, report_robustness, robustness_section


def median_ms(function, repeat: int) -> tuple[float, float]:
    """Median wall time and median CPU time of this process (less sensitive to the load of a
    shared machine), in ms."""
    wall, cpu = [], []
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        function()
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return statistics.median(wall) * 1e3, statistics.median(cpu) * 1e3


def section(a, sobol: int) -> str:
    return robustness_section(report_robustness(a, REPORT_RUNS, 0, sobol))


def cli_seconds(*options: str) -> tuple[float, float]:
    """Wall time and CPU time (user + system) of one ``turaqty report`` process."""
    with tempfile.TemporaryDirectory() as tmp:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "turaqty", "report", "--out", str(Path(tmp) / "r"), *options],
                       check=True, stdout=subprocess.DEVNULL)
        wall = time.perf_counter() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        return wall, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=7)
    repeat = parser.parse_args().repeat
    a = assess(lang="kk")
    a.ranking()
    t0 = time.perf_counter()
    section(a, REPORT_SOBOL)
    print(f"section, N = {REPORT_RUNS:,}, Sobol {REPORT_SOBOL}: first call in the process "
          f"{(time.perf_counter() - t0) * 1e3:.0f} ms (imports, thread pools)")
    for sobol in (0, 128, 256, 512):
        wall, cpu = median_ms(lambda s=sobol: section(a, s), repeat)
        mark = " (the report's default; target ≤ 150 ms)" if sobol == REPORT_SOBOL else ""
        print(f"section, N = {REPORT_RUNS:,}, Sobol base samples {sobol}: median {wall:.0f} ms "
              f"(CPU {cpu:.0f} ms){mark}")
    without, _ = median_ms(lambda: report_html(a), max(3, repeat // 2))
    with_, _ = median_ms(lambda: report_html(a, robustness=report_robustness(a)), max(3, repeat // 2))
    print(f"report_html without the section {without:.0f} ms, with it {with_:.0f} ms "
          f"(× {with_ / without:.2f})")
    off, on = [], []
    for _ in range(3):
        off.append(cli_seconds("--robustness-runs", "0"))
        on.append(cli_seconds())
    for k, what in enumerate(("wall", "CPU")):
        off_s, on_s = statistics.median(x[k] for x in off), statistics.median(x[k] for x in on)
        print(f"turaqty report, cold start, {what} time: --robustness-runs 0 {off_s:.2f} s, "
              f"default {on_s:.2f} s ({(on_s - off_s) * 1e3:+.0f} ms)")


if __name__ == "__main__":
    main()
