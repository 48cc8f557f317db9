"""Cold-start time of the commands users run, this tree against an earlier commit, side by
side in one run (prints figures; not a timed test).

    python benchmarks/bench_cold.py [--against REF] [--runs N]

Each command runs in a fresh interpreter (imports included, as a user's shell runs it),
alternating between the two trees, N times (default 5) after one unmeasured run that
compiles and caches the modules (as ``pip install`` does); the medians and their ratio are
printed, with the load average: on a busy shared machine the times grow, the ratio less.
The earlier tree is exported with ``git archive REF src`` into a temporary folder and put
first on ``PYTHONPATH``. Targets (issue 12): ``turaqty report`` ≤ 1.5 s,
``turaqty assess`` ≤ 0.7 s. Processor time (user + system of the command and the children
it waited for) is printed beside the wall time: it depends less on the machine's load.
"""
from __future__ import annotations

import argparse
import io
import os
import resource
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = {"report": (["report"], 1.5), "assess": (["assess", "--quiet"], 0.7),
            "robustness": (["robustness", "--runs", "1000"], None)}


def _export(ref: str, into: Path) -> Path:
    """The ``src`` folder of ``ref``, extracted into ``into``."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", ref, "src"], check=True,
                             capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into / "src"


def _time(src: Path, args: list[str], out: Path) -> tuple[float, float]:
    """Wall time and processor time (user + system, the process and its children)."""
    env = {**os.environ, "PYTHONPATH": str(src)}
    env.pop("TURAQTY_LANG", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # compiled modules cached, as after `pip install`
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "turaqty", *args, "--out", str(out)], check=True,
                   env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", default="01e8427", help="the earlier commit (default 01e8427)")
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
            times: dict[str, list[tuple[float, float]]] = {label: [] for label in trees}
            for k in range(opts.runs):
                for label, src in trees.items():
                    times[label].append(_time(src, args, tmp / f"out-{k}"))
            (before, cpu_before), (after, cpu_after) = (
                [statistics.median(x) for x in zip(*times[label], strict=True)] for label in trees)
            goal = f"target ≤ {target} s" if target else "no target"
            print(f"turaqty {' '.join(args):24} {opts.against}: {before:5.2f} s   this tree: "
                  f"{after:5.2f} s   ratio {before / after:4.2f}×   {goal}   "
                  f"(load {os.getloadavg()[0]:.1f})\n"
                  f"{'':32} processor time: {cpu_before:5.2f} s   {cpu_after:5.2f} s   ratio "
                  f"{cpu_before / cpu_after:4.2f}×")


if __name__ == "__main__":
    main()
