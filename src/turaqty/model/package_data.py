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


def read_csv_rows(raw: bytes) -> list[dict[str, str]]:
    r"""The rows of a UTF-8 CSV file's bytes (a byte-order mark is allowed) as dicts.

    >>> read_csv_rows(b"\xef\xbb\xbfid,name\r\nx,X\r\n")
    [{'id': 'x', 'name': 'X'}]
    """
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))


def read_catalogue_csv(*parts: str) -> tuple[list[dict[str, str]], str]:
    """Rows of a package-data CSV and the SHA-256 of its bytes."""
    raw = data_file(*parts).read_bytes()
    rows = read_csv_rows(raw)
    return rows, hashlib.sha256(raw).hexdigest()
