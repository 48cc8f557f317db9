"""Files shipped as package data (catalogues, datasets, messages).

Example
-------
>>> rows, digest = read_catalogue_csv("regions.csv")
>>> rows[0]["region_id"], len(digest)
('abai', 64)
"""
from __future__ import annotations

import csv
import hashlib
import io
from importlib import resources


def data_file(*parts: str):
    return resources.files("turaqty").joinpath("data", *parts)


def read_catalogue_csv(*parts: str) -> tuple[list[dict[str, str]], str]:
    """Rows of a package-data CSV and the SHA-256 of its bytes."""
    raw = data_file(*parts).read_bytes()
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8"))))
    return rows, hashlib.sha256(raw).hexdigest()
