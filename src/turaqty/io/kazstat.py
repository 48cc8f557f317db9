"""Importer of Kazakhstan's national SDG platform (Open SDG, ``kazstat/sdg-data-kazstat``).

The platform's files are tidy CSV: ``Year, <breakdown columns…>, REF_AREA, Value``; an
empty ``REF_AREA`` is the national value, empty breakdown columns mark the total. Which
national series measures which framework indicator is the framework's ``national_sdg_code``;
``data/kazstat/series.csv`` picks the unit of measure or sub-series of a file and says
whether the platform's definition is the indicator's (``same``) or not (``differs``: the
values are kept, flagged ``definition``, and a warning says how they differ).
``data/kazstat/ref_area.csv`` maps ``REF_AREA`` codes to units, with the years each code
stands for a unit (``KZONT``, South Kazakhstan, is Turkistan's predecessor to 2017).

Example
-------
>>> s = series_map()["B3"]
>>> s.national_sdg_code, s.file, s.definition
('1.2.1', 'indicator_1-2-1.csv', 'same')
>>> row = ref_areas().set_index("ref_area").loc["KZONT"]
>>> row["unit_id"], int(row["to_year"])
('turkistan', 2017)
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from turaqty.errors import DataError, Problem
from turaqty.model.framework import Framework, load_framework
from turaqty.model.package_data import read_catalogue_csv
from turaqty.model.panel import Panel, panel_from_long
from turaqty.model.units import NATIONAL_ID, load_regions

NOT_BREAKDOWNS = frozenset({"Year", "REF_AREA", "Value", "UNIT_MEASURE", "SERIES", "GeoCode"})
TOTAL_MARKS = frozenset({"", "_T"})


@dataclass(frozen=True)
class Series:
    """How one framework indicator is read from the platform."""

    indicator: str
    national_sdg_code: str
    file: str
    unit_measure: str
    series: str
    definition: str  # same | differs
    note: str


@lru_cache(maxsize=1)
def series_map() -> dict[str, Series]:
    """The indicator → platform series table (package data)."""
    rows, _ = read_catalogue_csv("kazstat", "series.csv")
    return {r["indicator"]: Series(**r) for r in rows}


@lru_cache(maxsize=1)
def ref_areas() -> pd.DataFrame:
    """``ref_area, unit_id, from_year, to_year`` (years as numbers; open ends ±∞)."""
    rows, _ = read_catalogue_csv("kazstat", "ref_area.csv")
    frame = pd.DataFrame(rows)
    frame["from_year"] = pd.to_numeric(frame["from_year"]).fillna(-np.inf)
    frame["to_year"] = pd.to_numeric(frame["to_year"]).fillna(np.inf)
    return frame


def _file_for(code: str) -> str:
    """``8.5.2`` → ``indicator_8-5-2.csv``."""
    return f"indicator_{code.strip().replace('.', '-')}.csv"


def _data_folder(folder: Path) -> Path:
    if not folder.is_dir():
        raise DataError(Problem("kazstat_no_folder", file=str(folder)))
    data = folder / "data" if (folder / "data").is_dir() else folder
    if not any(data.glob("indicator_*.csv")):
        raise DataError(Problem("kazstat_no_files", file=str(folder)))
    return data


def plan(fw: Framework) -> list[Series]:
    """The series to read for the framework: its indicators with a national SDG code, as the
    series table picks them (an indicator whose code has no row reads its file's total)."""
    known = series_map()
    out = []
    for ind in fw.indicators:
        if ind.code in known:
            out.append(known[ind.code])
        elif ind.national_sdg_code and ";" not in ind.national_sdg_code:
            out.append(Series(ind.code, ind.national_sdg_code, _file_for(ind.national_sdg_code),
                              "", "", "unchecked", ""))
    return out


def _select(raw: pd.DataFrame, s: Series, breakdown: dict[str, str]) -> pd.DataFrame:
    """The rows of ``raw`` for series ``s``: totals (or the breakdown asked for)."""
    keep = np.ones(len(raw), dtype=bool)
    for column in raw.columns:
        if column in NOT_BREAKDOWNS or column.startswith("Unnamed"):
            continue
        cells = raw[column].fillna("").astype(str).str.strip()
        keep &= (cells == breakdown[column]) if column in breakdown else cells.isin(TOTAL_MARKS)
    if s.unit_measure and "UNIT_MEASURE" in raw:
        keep &= raw["UNIT_MEASURE"].fillna("").to_numpy() == s.unit_measure
    if s.series and "SERIES" in raw:
        keep &= raw["SERIES"].fillna("").to_numpy() == s.series
    return raw.loc[keep, ["Year", "REF_AREA", "Value"]]


def kazstat_long(folder: str | Path, fw: Framework | None = None,
                 breakdown: dict[str, str] | None = None) -> tuple[pd.DataFrame, list]:
    """The platform's series for the framework's indicators as a long table
    ``unit_id, indicator, year, value, flag, source`` (national values as ``kz``), and the
    notices: definitions that differ, codes of towns left out, values of a code outside the
    years it stands for its unit (not mixed into another layout), series not found."""
    fw = fw or load_framework()
    breakdown = dict(breakdown or {})
    data = _data_folder(Path(folder))
    areas = ref_areas()
    unit_of = dict(zip(areas["ref_area"], areas["unit_id"], strict=True))
    notices: list = []
    parts = []
    ref_from = np.vectorize(dict(zip(areas["ref_area"], areas["from_year"], strict=True)).get, otypes=[float])
    ref_to = np.vectorize(dict(zip(areas["ref_area"], areas["to_year"], strict=True)).get, otypes=[float])
    for s in plan(fw):
        if s.definition == "none":
            notices.append(("kazstat_not_comparable", s.indicator, "", {"file": s.file, "note": s.note}))
            continue
        source = f"kazstat-sdg:{s.file}" + "".join(f"[{x}]" for x in (s.unit_measure, s.series) if x)
        path = data / s.file
        if not path.exists():
            notices.append(("kazstat_no_series", s.indicator, "",
                            {"file": s.file, "code": s.national_sdg_code}))
            continue
        raw = pd.read_csv(path, dtype=str, keep_default_na=False)
        if "REF_AREA" not in raw or "Value" not in raw or "Year" not in raw:
            notices.append(("kazstat_bad_file", s.indicator, "", {"file": s.file}))
            continue
        rows = _select(raw, s, breakdown)
        values = pd.to_numeric(rows["Value"].str.replace(",", ".", regex=False), errors="coerce")
        years = pd.to_numeric(rows["Year"], errors="coerce")
        rows = rows.assign(value=values, year=years).dropna(subset=["value", "year"])
        code = rows["REF_AREA"].str.strip()
        unknown = sorted(set(code[(code != "") & ~code.isin(unit_of)]))
        if unknown:
            notices.append(("kazstat_other_areas", s.indicator, "",
                            {"file": s.file, "codes": ", ".join(unknown[:8]), "n": len(unknown)}))
        rows = rows.assign(ref_area=code)[(code == "") | code.isin(unit_of)]
        ref = rows["ref_area"].to_numpy()
        year = rows["year"].to_numpy()
        national = ref == ""
        inside = national | ((year >= ref_from(ref)) & (year <= ref_to(ref)))
        for code_out in sorted(set(ref[~inside])):
            years_out = sorted({int(y) for y in year[~inside & (ref == code_out)]})
            notices.append(("kazstat_outside_layout", s.indicator, unit_of[code_out],
                            {"file": s.file, "code": code_out,
                             "years": ", ".join(map(str, years_out))}))
        part = pd.DataFrame({
            "unit_id": [unit_of.get(r, NATIONAL_ID) for r in ref[inside]],
            "indicator": s.indicator, "year": year[inside].astype(int),
            "value": rows["value"].to_numpy()[inside],
            "flag": "definition" if s.definition == "differs" else "",
            "source": source,
        })
        part = _without_duplicates(part, s, notices)
        if s.definition == "differs":
            notices.append(("kazstat_definition", s.indicator, "", {"file": s.file, "note": s.note}))
        parts.append(part)
    if not parts:
        raise DataError(Problem("kazstat_nothing", file=str(folder)))
    frame = pd.concat(parts, ignore_index=True)
    return frame, notices


def _without_duplicates(part: pd.DataFrame, s: Series, notices: list) -> pd.DataFrame:
    """One value per (unit, year): repeated rows with the same value are kept once; a unit and
    year given different "total" values (the platform's files have some) are left out."""
    keys = ["unit_id", "year"]
    twice = part.duplicated(keys, keep=False)
    if not twice.any():
        return part
    spread = part[twice].groupby(keys)["value"].agg(lambda v: v.max() - v.min())
    conflicting = spread[spread > 1e-9].index
    if len(conflicting):
        notices.append(("kazstat_conflicting", s.indicator, "",
                        {"file": s.file, "n": len(conflicting),
                         "cells": ", ".join(f"{u} {y}" for u, y in list(conflicting)[:6])}))
    drop = pd.MultiIndex.from_frame(part[keys]).isin(conflicting)
    return part[~drop].drop_duplicates(keys, keep="first")


def read_kazstat(folder: str | Path, fw: Framework | None = None,
                 breakdown: dict[str, str] | None = None) -> Panel:
    """The platform's folder (or its ``data/`` folder) as a :class:`Panel` of the framework."""
    fw = fw or load_framework()
    frame, notices = kazstat_long(folder, fw, breakdown)
    digest = hashlib.sha256(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    return panel_from_long(frame, framework=fw.id, source=f"kazstat:{folder}",
                           sha256=digest.hexdigest(), notices=tuple(notices),
                           order=load_regions().unit_ids)


def parse_breakdown(items: list[str]) -> dict[str, str]:
    """``["SEX=F", "URBANISATION=U"]`` → ``{"SEX": "F", "URBANISATION": "U"}``.

    >>> parse_breakdown(["SEX=F"])
    {'SEX': 'F'}
    """
    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            from turaqty.errors import UsageError

            raise UsageError(Problem("kazstat_breakdown", value=item))
        out[key.strip()] = value.strip()
    return out
