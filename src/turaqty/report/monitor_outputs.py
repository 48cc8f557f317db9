"""The files ``turaqty monitor`` writes: CSV tables, a workbook, the dynamics report, a manifest.

Example
-------
>>> from turaqty.analysis.monitor import monitor
>>> files = monitor_files(monitor())
>>> sorted(files)[:4]
['alerts.csv', 'coverage.csv', 'manifest.json', 'monitor.html']
"""
from __future__ import annotations

import hashlib

import pandas as pd

from turaqty.analysis.monitor import Monitoring
from turaqty.i18n import t
from turaqty.io.write import csv_bytes, json_bytes, write_folder

TABLES = ("panel_scores", "panel_indices", "trends", "alerts", "coverage", "reconciliation")


def _tables(m: Monitoring) -> dict[str, pd.DataFrame]:
    indices = m.indices.drop(columns="name")
    return {"panel_scores": m.scores_table, "panel_indices": indices, "trends": m.trends,
            "alerts": m.alerts, "coverage": m.coverage, "reconciliation": m.reconciliation}


def monitor_workbook(m: Monitoring) -> bytes:
    """Every table as a sheet (names in the report's language), warnings last."""
    from turaqty.report.xlsx import frames_workbook

    sheets = {**_tables(m), "warnings": m.warnings}
    return frames_workbook((t(f"monitor.sheet.{name}", m.lang), frame, {}) for name, frame in sheets.items())


def monitor_files(m: Monitoring) -> dict[str, bytes]:
    """The output folder's files (name → bytes), the manifest listing their hashes."""
    from turaqty.report.dynamics import dynamics_html

    files = {f"{name}.csv": csv_bytes(frame) for name, frame in _tables(m).items()}
    files["warnings.csv"] = csv_bytes(m.warnings)
    files["monitor.xlsx"] = monitor_workbook(m)
    files["monitor.html"] = dynamics_html(m).encode("utf-8")
    manifest = dict(m.manifest)
    manifest["outputs"] = {name: hashlib.sha256(content).hexdigest() for name, content in files.items()}
    files["manifest.json"] = json_bytes(manifest)
    return files


def write_monitor(m: Monitoring, out, protect=None) -> dict[str, str]:
    """Write the monitoring folder ``out`` all at once; ``protect`` (input files or folders)
    is never overwritten."""
    from pathlib import Path

    inputs = [] if protect is None else [protect] if isinstance(protect, (str, Path)) else list(protect)
    # an input folder: each of its files
    files_in = [f for p in map(Path, inputs) for f in (p.iterdir() if p.is_dir() else [p])]
    return write_folder(out, monitor_files(m), protect=files_in)
