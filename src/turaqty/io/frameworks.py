"""Frameworks, units catalogues and COINr data from the user's files.

A framework is read from a folder (see :func:`turaqty.model.framework.load_framework_folder`),
from one XLSX workbook with a ``structure`` sheet (one row per node: ``id, parent, type,
weight, direction, aggregation, name_kk, name_ru, name_en, level_low, level_high …``) and an
optional ``units`` sheet, or from a COINr ``iMeta`` table (``Level, iCode, iName,
Direction, Weight, Parent, Type``). With a COINr ``iMeta``, the data may be a COINr
``iData`` table: ``uCode`` and ``uName`` name the units, the ``Group`` and ``Denominator``
columns the iMeta declares are read as such, the rest are indicators.

Example
-------
>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "meta.csv").write_text(
...     "Level,iCode,iName,Direction,Weight,Parent,Type\\n"
...     "1,x1,GDP,1,1,P,Indicator\\n1,x2,CO2,-1,1,P,Indicator\\n2,P,Pillar,,1,,Aggregate\\n")
>>> fw = read_framework(folder / "meta.csv")
>>> fw.index_columns, fw.direction("x2")
(('P',), -1)
"""
from __future__ import annotations

import hashlib
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

import numpy as np

from turaqty.errors import DataError, Problem
from turaqty.io.cells import CellError, parse_number
from turaqty.io.tables import read_rows
from turaqty.model.dataset import Dataset
from turaqty.model.framework import (
    Framework,
    build_framework,
    canonical_row,
    load_framework,
    load_framework_folder,
)
from turaqty.model.units import Regions, build_units, load_regions

COINR_META = {"icode", "parent", "type"}


def _records(rows: list[tuple[int, list]]) -> tuple[list[dict], list[int]]:
    """Header row + body rows → dicts and their row numbers (blank rows skipped)."""
    rows = [(n, cells) for n, cells in rows if any(c not in (None, "") for c in cells)]
    if not rows:
        return [], []
    header = [str(h).strip() if h is not None else "" for h in rows[0][1]]
    out, numbers = [], []
    for n, cells in rows[1:]:
        out.append({h: cells[j] if j < len(cells) else None for j, h in enumerate(header) if h})
        numbers.append(n)
    return out, numbers


def _xlsx_sheets(path: Path) -> dict[str, list[tuple[int, list]]]:
    import openpyxl  # only for workbooks

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as err:  # a corrupt or foreign file: the user's problem, said plainly
        raise DataError(Problem("bad_xlsx", file=str(path), value=type(err).__name__)) from None
    try:
        return {ws.title.strip().lower(): [(k, list(r))
                                           for k, r in enumerate(ws.iter_rows(values_only=True), 1)]
                for ws in wb.worksheets if ws.sheet_state == "visible"}
    finally:
        wb.close()


def read_framework(path: str | Path) -> Framework:
    """The framework in ``path``: a folder, an XLSX workbook (``structure`` and ``units``
    sheets) or a COINr ``iMeta`` CSV; a package framework id (``kz-isdr``) also works."""
    p = Path(path)
    if not p.exists():
        if "/" not in str(path) and "\\" not in str(path):
            try:
                return load_framework(str(path))
            except ValueError:
                pass
        raise DataError(Problem("framework_not_found", file=str(path)))
    if p.is_dir():
        return load_framework_folder(p)
    digest = hashlib.sha256(p.read_bytes()).hexdigest()
    if p.suffix.lower() in (".xlsx", ".xlsm"):
        sheets = _xlsx_sheets(p)
        if "structure" not in sheets:
            raise DataError(Problem("framework_sheet", file=str(p), value=", ".join(sheets)))
        rows, numbers = _records(sheets["structure"])
        units = ""
        if "units" in sheets:
            units = f"{p}#units"
        return build_framework(p.stem, {}, rows, f"{p} [structure]", row_numbers=numbers,
                               source=str(p), digest=digest, units_file=units)
    rows, numbers = _records(read_rows(p).rows)
    if not rows:
        raise DataError(Problem("empty_file", file=str(p)))
    fw = build_framework(p.stem, {}, rows, str(p), row_numbers=numbers, source=str(p), digest=digest)
    if not COINR_META <= {str(k).strip().lower() for k in rows[0]}:
        return fw
    nodes = [canonical_row(r) for r in rows]  # a COINr iMeta: its Group and Denominator rows
    return replace(fw, group_ids=tuple(n["id"] for n in nodes if n.get("type", "").lower() == "group"),
                   denominator_ids=tuple(n["id"] for n in nodes
                                         if n.get("type", "").lower() == "denominator"))


def read_units(path: str | Path) -> Regions:
    """A units catalogue: a CSV/XLSX table (``id``, names, ``aliases``, ``group``) or the
    ``units`` sheet of a framework workbook (``book.xlsx#units``); a GeoJSON of the same
    name beside it (``units.geojson``) gives the units' boundaries."""
    text = str(path)
    if text.endswith("#units"):
        book = Path(text[:-len("#units")])
        rows, numbers = _records(_xlsx_sheets(book)["units"])
        return build_units(rows, f"{book} [units]", row_numbers=numbers,
                           digest=hashlib.sha256(book.read_bytes()).hexdigest())
    p = Path(path)
    raw = read_rows(p)
    rows, numbers = _records(raw.rows)
    geometry = p.with_suffix(".geojson")
    return build_units(rows, str(p), row_numbers=numbers, digest=raw.sha256,
                       geometry_file=str(geometry) if geometry.is_file() else "")


def units_catalogue(fw: Framework) -> Regions:
    """The units catalogue that belongs to ``fw`` (Kazakhstan's regions by default), read once
    per version of its file (a loop of assessments does not read it again)."""
    if not fw.units_file:
        return load_regions()
    file = Path(fw.units_file.removesuffix("#units"))
    stat = file.stat()
    return _cached_units(fw.units_file, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=16)
def _cached_units(path: str, mtime_ns: int, size: int) -> Regions:
    return read_units(path)


def read_coinr_data(path: str | Path, fw: Framework) -> Dataset:
    """A COINr ``iData`` table read against a framework from a COINr ``iMeta``: units from
    ``uCode`` (names from ``uName``), the iMeta's group and denominator columns, and its
    indicators; a ``Time`` column with one year is that year. Unknown columns, bad cells and
    duplicate units are reported with their row and column."""
    raw = read_rows(path)
    rows, numbers = _records(raw.rows)
    file = str(path)
    problems: list[Problem] = []
    if not rows or "uCode" not in rows[0]:
        raise DataError(Problem("coinr_no_ucode", file=file))
    header = list(rows[0])
    known = {"uCode", "uName", "Time", *fw.group_ids, *fw.denominator_ids}
    codes = [h for h in header if h not in known]
    for h in codes:
        if h not in fw.by_code:
            problems.append(Problem("unknown_indicator", file=file, row=1, column=h, value=h,
                                    params={"suggestions": "-", "framework": fw.id}))
    units: list[str] = []
    names: dict[str, str] = {}
    values = np.full((len(rows), len(codes)), np.nan)
    denoms = np.full((len(rows), len(fw.denominator_ids)), np.nan)
    groups: dict[str, list] = {g: [] for g in fw.group_ids if g in header}
    years = set()
    seen: dict[str, int] = {}
    for k, (r, n) in enumerate(zip(rows, numbers, strict=True)):
        unit = str(r.get("uCode") or "").strip()
        if not unit:
            problems.append(Problem("region_missing", file=file, row=n, column="uCode"))
        elif unit in seen:
            problems.append(Problem("duplicate_region", file=file, row=n, column="uCode", value=unit,
                                    params={"region": unit, "first": seen[unit]}))
        seen.setdefault(unit, n)
        units.append(unit)
        names[unit] = str(r.get("uName") or unit).strip()
        if r.get("Time") not in (None, ""):
            years.add(r["Time"])
        for g in groups:
            groups[g].append("" if r.get(g) is None else str(r[g]))
        for target, columns in ((values, codes), (denoms, fw.denominator_ids)):
            for j, c in enumerate(columns):
                try:
                    x = parse_number(r.get(c))
                except CellError as err:
                    problems.append(Problem(f"cell_{err.args[0]}", file=file, row=n, column=c,
                                            value=r.get(c)))
                    continue
                target[k, j] = np.nan if x is None else x
    if problems:
        raise DataError(problems)
    year = None
    if len(years) == 1:
        y = float(next(iter(years)))
        year = int(y) if y.is_integer() else None
    values.setflags(write=False)
    return Dataset(units=tuple(units), indicators=tuple(codes), values=values, framework=fw.id,
                   year=year, source=file, sha256=raw.sha256,
                   denominators=denoms if fw.denominator_ids else None,
                   denominator_ids=tuple(fw.denominator_ids),
                   groups={g: np.array(v, dtype=object) for g, v in groups.items()},
                   unit_names=names)


def is_coinr_data(path: str | Path) -> bool:
    """Whether a CSV's header names COINr's ``uCode`` column."""
    p = Path(path)
    if p.suffix.lower() != ".csv" or not p.is_file():
        return False
    with p.open("rb") as fh:
        head = fh.readline().decode("utf-8-sig", "replace")
    return "uCode" in [h.strip().strip('"') for h in head.split(",")]
