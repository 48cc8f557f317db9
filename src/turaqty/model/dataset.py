"""The data being assessed: values of indicators for regions, with per-cell flags.

A :class:`Dataset` stores the values as a dense matrix (regions × indicators) for
speed; :meth:`Dataset.wide` and :meth:`Dataset.tidy` give the usual table views.

Example
-------
>>> ds = load_embedded()
>>> len(ds.units), len(ds.indicators), ds.year
(20, 52, 2023)
>>> ds.wide().loc["astana", "B1"], ds.flag("abai", "B43")
(np.float64(132.62), 'suspect')
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd

from turaqty.model.package_data import data_file, read_catalogue_csv
from turaqty.model.units import NATIONAL_ID

EMBEDDED = "kz-2023"


@dataclass(frozen=True, eq=False)
class Dataset:
    """Indicator values of a set of regions (and optionally the national reference)."""

    units: tuple[str, ...]
    indicators: tuple[str, ...]
    values: np.ndarray  # float64, shape (len(units), len(indicators)); NaN = missing
    national: np.ndarray | None = None  # float64, shape (len(indicators),)
    flags: dict[tuple[str, str], str] = field(default_factory=dict)  # (unit_id, code) → flag
    notes: dict[tuple[str, str], str] = field(default_factory=dict)
    framework: str = "kz-isdr"
    year: int | None = None
    source: str = "<memory>"
    sha256: str = ""
    notices: tuple = ()  # warnings from reading: (code, indicator, unit_id, params)
    denominators: np.ndarray | None = None  # units × denominator series (COINr), if any
    denominator_ids: tuple[str, ...] = ()
    groups: dict[str, np.ndarray] = field(default_factory=dict)  # group name → label per unit
    unit_names: dict[str, str] = field(default_factory=dict)  # names of units in no catalogue
    sheet: str = ""  # the worksheet read, for an XLSX file

    def flag(self, unit_id: str, code: str) -> str:
        """The flag of one cell: ``''``, ``missing``, ``suspect`` ... (national row: ``kz``)."""
        return self.flags.get((unit_id, code), "")

    def wide(self, national: bool = False) -> pd.DataFrame:
        """Values as a table: one row per region (``unit_id`` index), one column per code."""
        frame = pd.DataFrame(self.values, index=pd.Index(self.units, name="unit_id"),
                             columns=list(self.indicators))
        if national and self.national is not None:
            frame.loc[NATIONAL_ID] = self.national
        return frame

    def tidy(self) -> pd.DataFrame:
        """Values in long form: ``unit_id, indicator, year, value, flag`` (national row included)."""
        wide = self.wide(national=True)
        long = wide.stack(future_stack=True).rename("value").reset_index()
        long.columns = ["unit_id", "indicator", "value"]
        long.insert(2, "year", self.year)
        long["flag"] = [self.flag(u, c) for u, c in zip(long["unit_id"], long["indicator"], strict=True)]
        return long


@lru_cache(maxsize=1)
def load_embedded() -> Dataset:
    """The 2023 data of the dissertation's Tables 7-9 (20 regions and the national row).

    B34 has the 3-decimal values of Table 19 (Table 8 prints 2 decimals). Cells known to
    be wrong are flagged ``suspect`` (B43, a copy of B48; B7 of Abai, Zhetisu and Ulytau)
    and blank cells ``missing`` (B46 of West Kazakhstan and Astana).
    """
    meta = json.loads(data_file("datasets", f"{EMBEDDED}.json").read_text(encoding="utf-8"))
    rows, digest = read_catalogue_csv("datasets", f"{EMBEDDED}.csv")
    units = list(dict.fromkeys(r["unit_id"] for r in rows if r["unit_id"] != NATIONAL_ID))
    codes = list(dict.fromkeys(r["indicator"] for r in rows))
    row_of = {u: i for i, u in enumerate(units)}
    col_of = {c: j for j, c in enumerate(codes)}
    values = np.full((len(units), len(codes)), np.nan)
    national = np.full(len(codes), np.nan)
    flags, notes = {}, {}
    for r in rows:
        x = float(r["value"]) if r["value"] else np.nan
        if r["unit_id"] == NATIONAL_ID:
            national[col_of[r["indicator"]]] = x
        else:
            values[row_of[r["unit_id"]], col_of[r["indicator"]]] = x
        if r["flag"]:
            flags[(r["unit_id"], r["indicator"])] = r["flag"]
            notes[(r["unit_id"], r["indicator"])] = r["note"]
    values.setflags(write=False)
    national.setflags(write=False)
    return Dataset(
        units=tuple(units), indicators=tuple(codes), values=values, national=national,
        flags=flags, notes=notes, framework=meta["framework"], year=meta["year"],
        source=f"embedded:{EMBEDDED}", sha256=digest,
    )


def fingerprint(values: np.ndarray, *labels) -> str:
    """SHA-256 of a value matrix and its labels, for data that did not come from a file."""
    h = hashlib.sha256(np.ascontiguousarray(values, dtype=np.float64).tobytes())
    h.update(repr(labels).encode())
    return h.hexdigest()
