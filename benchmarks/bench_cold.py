"""Cold-start time of the commands users run, this tree against an earlier commit, side by
side in one run (prints figures; not a timed test).

    python benchmarks/bench_cold.py [--against REF] [--runs N]

Each command runs in a fresh interpreter (imports included, as a user's shell runs it),
alternating between the two trees, N times (default 5) after one unmeasured run that
compiles and caches the modules (as ``pip install`` does); the medians and their ratio are
printed, with the load average: on a busy shared machine the times grow, the ratio less.
The earlier tree is exported with ``git archive REF src`` into a temporary folder and put
first on ``PYTHONPATH``. Targets (issue 12): ``turaqty report`` ≤ 1.5 s,
``turaqty assess`` ≤ 0.7 s.
"""
from __future__ import annotations

import argparse
import io
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = {"report": (["report"], 1.5), "assess": (["assess", "--quiet"], 0.7)}


def _export(ref: str, into: Path) -> Path:
    """The ``src`` folder of ``ref``, extracted into ``into``."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", ref, "src"], check=True,
                             capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into / "src"


def _time(src: Path, args: list[str], out: Path) -> float:
    env = {**os.environ, "PYTHONPATH": str(src)}
    env.pop("TURAQTY_LANG", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # compiled modules cached, as after `pip install`
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "turaqty", *args, "--out", str(out)], check=True,
                   env=env, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", default="bfccc33", help="the earlier commit (default bfccc33)")
    parser.add_argument("--runs", type=int, default=5)
    opts = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        trees = {opts.against: _export(opts.against, tmp / "before"), "this tree": ROOT / "src"}
        print(f"cold start, median of {opts.runs} runs each (python {sys.version.split()[0]}, "
              f"{os.cpu_count()} CPUs)")
        for _name, (args, target) in COMMANDS.items():
            for src in trees.values():
                _time(src, args, tmp / "warm-up")
            times: dict[str, list[float]] = {label: [] for label in trees}
            for k in range(opts.runs):
                for label, src in trees.items():
                    times[label].append(_time(src, args, tmp / f"out-{k}"))
            before, after = (statistics.median(times[label]) for label in trees)
            print(f"turaqty {' '.join(args):15} {opts.against}: {before:5.2f} s   this tree: "
                  f"{after:5.2f} s   ratio {before / after:4.2f}×   target ≤ {target} s   "
                  f"(load {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main()
