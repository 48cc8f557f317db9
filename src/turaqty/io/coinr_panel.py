"""COINr's panel format: one row per unit and year, as users of the R package COINr keep it.

Columns ``uName, uCode``, group columns (``GDP_group``, ``EurAsia_group`` …), ``Time``,
denominators (``Area``, ``Population`` …) and one column per indicator code. ``uCode`` is the
unit (``uName`` its name), ``Time`` the year (``2018`` or ``2018.0``); the group columns are
labels, not indicators (those the framework declares, and any column named ``…_group``); the
denominator columns the framework declares are carried, year by year, beside the values so
that a denominated indicator is divided by that year's denominator.

Units: when the framework has a units catalogue (its ``units`` sheet or file, or Kazakhstan's
regions for the package framework ``kz-isdr``) every ``uCode`` must be a unit of it; a framework
without one (a COINr ``iMeta``) takes the panel's own units, as the one-year COINr reader does.

A row without a ``uCode``, a ``Time`` that is not a year, and a second row of the same unit and
year are reported with their file, row and column; their cells are not read.

Example
-------
>>> from turaqty.io.tables import RawTable
>>> from turaqty.model.framework import load_framework
>>> raw = RawTable("p.csv", [(1, ["uName", "uCode", "Time", "B3"]), (2, ["Абай", "abai", "2023.0", "8,1"]),
...                          (3, ["Абай", "abai", "2023", "8.0"])], "csv")
>>> part = coinr_part(raw, load_framework(), [])
>>> [(r.row, r.unit, r.year) for r in part.rows], len(part.cells)
([(2, 'abai', 2023)], 1)
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from turaqty.errors import Problem
from turaqty.io.cells import CellError, parse_number
from turaqty.io.tables import RawTable
from turaqty.model.framework import DEFAULT_FRAMEWORK, Framework
from turaqty.model.units import Regions, units_named

UNIT, NAME, TIME = "ucode", "uname", "time"


@dataclass(frozen=True)
class CoinrRow:
    """One row of a COINr panel that was read: where it is, its unit code, name and year."""

    file: str
    row: int
    unit: str
    name: str
    year: int


@dataclass
class CoinrPart:
    """What one COINr table gave: the indicator cells (for the panel reader's checks), its
    rows, and per row its denominators and group labels."""

    cells: list = field(default_factory=list)
    rows: list[CoinrRow] = field(default_factory=list)
    denominators: list[list[float]] = field(default_factory=list)  # per row, in denominator order
    groups: list[dict[str, str]] = field(default_factory=list)  # per row: group → label


def _header(raw: RawTable) -> tuple[int, list] | None:
    for n, cells in raw.rows:
        if any(c not in (None, "") for c in cells):
            return n, cells
    return None


def is_coinr_panel(raw: RawTable) -> bool:
    """Whether a table has COINr's ``uCode`` and ``Time`` columns (its first filled row).

    >>> is_coinr_panel(RawTable("x.csv", [(1, ["uCode", "Time", "LPI"])], "csv"))
    True
    """
    found = _header(raw)
    words = {str(c).strip().lower() for c in found[1] if c is not None} if found else set()
    return {UNIT, TIME} <= words


def is_group_column(header: str, fw: Framework) -> bool:
    """A column of labels that group units: declared by the framework, or named ``…_group``.

    >>> from turaqty.model.framework import load_framework
    >>> is_group_column("EurAsia_group", load_framework()), is_group_column("B3", load_framework())
    (True, False)
    """
    return header in fw.group_ids or header.lower().endswith("_group")


def coinr_part(raw: RawTable, fw: Framework, problems: list[Problem], resolve=None,
               first: dict | None = None) -> CoinrPart:
    """The rows of a COINr panel table; ``resolve`` maps a header to an indicator code or an
    input series (default: the framework's codes); ``first`` holds where each (uCode, year)
    was first read, over several tables. Problems are appended to ``problems``."""
    from turaqty.io.panel import Cell, _label, _year, cell_at

    resolve = resolve or fw.resolve_code
    found = _header(raw)
    assert found is not None  # a COINr table has its header row
    n_header, header = found
    names = [str(h).strip() if h is not None else "" for h in header]
    labels = [_label(raw, header, j) for j in range(len(header))]  # columns as messages name them
    lower = [h.lower() for h in names]
    unit, time = lower.index(UNIT), lower.index(TIME)
    name = lower.index(NAME) if NAME in lower else None
    denominators = [names.index(d) if d in names else None for d in fw.denominator_ids]
    groups = {h: j for j, h in enumerate(names) if h and is_group_column(h, fw)}
    skip = {unit, time, name, *groups.values(), *(j for j in denominators if j is not None)}
    codes: dict[int, str] = {}
    for j, h in enumerate(names):
        if j in skip or not h:
            continue
        code = resolve(h)
        if code is None:
            problems.append(Problem("unknown_indicator", file=raw.file, row=n_header,
                                    column=labels[j], value=h,
                                    params={"suggestions": "-", "framework": fw.id}))
        else:
            codes[j] = code
    part, first = CoinrPart(), {} if first is None else first
    body = [(n, cells) for n, cells in raw.rows if n > n_header and any(c not in (None, "") for c in cells)]
    for n, cells in body:
        code = str(cell_at(cells, unit) or "").strip()
        year = _year(cell_at(cells, time))
        if not code:
            problems.append(Problem("coinr_panel_no_unit", file=raw.file, row=n,
                                    column=labels[unit]))
            continue
        if year is None:
            problems.append(Problem("coinr_panel_time", file=raw.file, row=n,
                                    column=labels[time], value=cell_at(cells, time)))
            continue
        if (code, year) in first:
            problems.append(Problem("coinr_panel_duplicate", file=raw.file, row=n,
                                    column=labels[unit], value=code,
                                    params={"year": year, "first": first[(code, year)]}))
            continue
        first[(code, year)] = f"{raw.file}, {n}"
        part.rows.append(CoinrRow(raw.file, n, code, str(cell_at(cells, name) or code).strip(), year))
        part.cells += [Cell(raw.file, n, labels[j], code, labels[unit], c, year, labels[time],
                            cell_at(cells, j))
                       for j, c in codes.items()]
        row_denominators = []
        for column in denominators:  # a denominator the table lacks: None, no value
            try:
                x = parse_number(cell_at(cells, column))
            except CellError as err:
                problems.append(Problem(f"cell_{err.args[0]}", file=raw.file, row=n,
                                        column=labels[column] if column is not None else None,
                                        value=cell_at(cells, column)))
                x = np.nan
            row_denominators.append(np.nan if x is None else float(x))
        part.denominators.append(row_denominators)
        part.groups.append({g: "" if cell_at(cells, j) is None else str(cell_at(cells, j)).strip()
                            for g, j in groups.items()})
    return part


def names_own_units(fw: Framework) -> bool:
    """Whether a COINr panel names its own units: the framework has no units catalogue.

    >>> from turaqty.model.framework import load_framework
    >>> names_own_units(load_framework())
    False
    """
    return not fw.units_file and fw.id != DEFAULT_FRAMEWORK


def _latest_names(parts: list[CoinrPart]) -> dict[str, str]:
    """uCode → its uName in its latest year (a unit renamed keeps today's name)."""
    rows = sorted((r for part in parts for r in part.rows), key=lambda r: (r.unit, r.year))
    return {r.unit: r.name for r in rows}


def coinr_units(parts: list[CoinrPart], fw: Framework, file: str) -> Regions:
    """The catalogue ``uCode`` must be in: the framework's (its units file, or Kazakhstan's
    regions for ``kz-isdr``), else the panel's own units named by ``uName``, in the order of
    their codes (whatever the order of the rows)."""
    if not names_own_units(fw):
        from turaqty.io.frameworks import units_catalogue

        return units_catalogue(fw)  # Kazakhstan's regions where the framework names no file
    names = _latest_names(parts)
    return units_named({u: names[u] for u in sorted(names)}, file)


def coinr_unit_data(parts: list[CoinrPart], regions: Regions, fw: Framework,
                    units: tuple[str, ...], years: tuple[int, ...]) -> dict:
    """The denominators (units × series × years) and group labels (units × years) of the
    rows read, as :class:`~turaqty.model.panel.Panel` keywords, on the panel's units and
    years; unit names when the panel names its own units."""
    unit_at = {u: i for i, u in enumerate(units)}
    year_at = {y: k for k, y in enumerate(years)}
    denominators = np.full((len(units), len(fw.denominator_ids), len(years)), np.nan)
    labels = sorted({g for part in parts for row in part.groups for g in row})
    groups = {g: np.full((len(units), len(years)), "", dtype=object) for g in labels}
    for part in parts:
        for r, values, row_groups in zip(part.rows, part.denominators, part.groups, strict=True):
            i, k = unit_at.get(regions.resolve(r.unit) or ""), year_at.get(r.year)
            if i is None or k is None:
                continue
            denominators[i, :, k] = values
            for g, label in row_groups.items():
                groups[g][i, k] = label
    return {"denominators": denominators if fw.denominator_ids else None,
            "denominator_ids": tuple(fw.denominator_ids), "groups": groups,
            "unit_names": ({u: n for u, n in _latest_names(parts).items() if u in unit_at}
                           if names_own_units(fw) else {})}
