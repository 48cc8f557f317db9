"""The files of an assessment folder: CSV tables, the workbook and the manifest.

Example
-------
>>> from turaqty.assessment import assess
>>> sorted(assessment_files(assess()))
['indices.csv', 'manifest.json', 'matrix.csv', 'results.xlsx', 'scores.csv', 'stats.csv', 'warnings.csv']
"""
from __future__ import annotations

import hashlib

from turaqty.assessment import Assessment
from turaqty.io.write import csv_bytes, json_bytes, write_folder
from turaqty.io.xlsx import assessment_workbook


def assessment_files(a: Assessment) -> dict[str, bytes]:
    """Every output file of ``a`` (name → content); the manifest lists the others' hashes."""
    files = {
        "scores.csv": csv_bytes(a.scores),
        "indices.csv": csv_bytes(a.indices),
        "stats.csv": csv_bytes(a.stats),
        "matrix.csv": csv_bytes(a.matrix),
        "warnings.csv": csv_bytes(a.warnings),
        "results.xlsx": assessment_workbook(a),
    }
    manifest = dict(a.manifest)
    manifest["language"] = a.lang
    manifest["outputs"] = {name: hashlib.sha256(content).hexdigest() for name, content in files.items()}
    files["manifest.json"] = json_bytes(manifest)
    return files


def write_assessment(a: Assessment, out) -> dict[str, str]:
    """Write the assessment folder ``out`` atomically; returns the files' SHA-256."""
    return write_folder(out, assessment_files(a))
