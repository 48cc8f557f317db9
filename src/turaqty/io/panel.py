"""Reading several years at once into a :class:`~turaqty.model.panel.Panel`.

Five layouts are recognised, file by file (and sheet by sheet in a workbook):

* **long**: columns ``region, indicator, year, value`` (optionally ``unit of measure``, ``flag``,
  ``source``);
* **wide with a year**: ``region, year`` and one column per indicator code;
* **the Bureau of National Statistics' layout**: one indicator per sheet or file (its code in
  the sheet's or file's name, or in the title), regions in rows, years in columns, a title
  row above, ``-`` for no data, footnote marks on names, the unit in the title;
* **COINr's panel**: ``uName, uCode``, group columns, ``Time``, denominators and one column
  per indicator code (see :mod:`turaqty.io.coinr_panel`);
* a **folder** of such files (or the national SDG platform's folder: see :mod:`turaqty.io.kazstat`).

Region cells accept what the one-year reader accepts (ids, Kazakh, Russian, English names,
old names, footnote marks). Every problem is reported at once with its file, row and column:
a year that is not a year, the same (unit, indicator, year) twice, a unit in a year before it
existed (Abai before 2022), a share above 100 or a negative rate, a unit that changes.

Example
-------
>>> import pandas as pd
>>> p = panel_from_frame(pd.DataFrame({"region": ["Абай", "Акмолинская обл.", "Абай"],
...     "indicator": ["B3", "B3", "B3"], "year": ["2022", "2023", "2023"],
...     "value": ["8,1", "5.3", "8.6"]}))
>>> p.units, p.years, p.values[:, 0, :].tolist()
(('abai', 'akmola'), (2022, 2023), [[8.1, 8.6], [nan, 5.3]])
>>> panel_from_frame(pd.DataFrame({"region": ["Абай"], "indicator": ["B3"], "year": [2019],
...     "value": [8.0]}))  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
turaqty.errors.DataError: <DataFrame>, row 2, column "region": Abai Region did not exist in 2019 (it was ...
  how to fix: put the value under the region it belonged to then (East Kazakhstan Region), or leave it out.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from turaqty.errors import DataError, Problem, RegionNames
from turaqty.io.cells import CellError, parse_number
from turaqty.io.coinr_panel import coinr_part, coinr_unit_data, coinr_units, is_coinr_panel
from turaqty.io.tables import REGION_HEADER_WORDS, RawTable, column_label, normalise_header, read_tables
from turaqty.model.derived import Derivations, load_derivations
from turaqty.model.framework import Framework, load_framework
from turaqty.model.layout import Layout, load_layout
from turaqty.model.panel import Panel, panel_from_long
from turaqty.model.units import NATIONAL_ID, Regions, load_regions, normalise_name
from turaqty.plausibility import outside

YEAR_WORDS = frozenset({"year", "год", "годы", "жыл", "жылдар", "period", "период", "кезең"})
INDICATOR_WORDS = frozenset({"indicator", "code", "indicator code", "показатель", "код",
                             "көрсеткіш", "индикатор"})
VALUE_WORDS = frozenset({"value", "значение", "мәні", "мән", "obs value"})
UNIT_WORDS = frozenset({"unit of measure", "measure", "единица измерения", "өлшем бірлігі"})
OPTIONAL = {"flag": "flag", "source": "source"}
FIRST_YEAR, LAST_YEAR = 1950, 2100
_YEAR = re.compile(r"\s*(\d{4})(?:\.0+)?\s*(?:г\.?|год|ж\.?|жыл)?\s*")
_WORD = re.compile(r"[^\w]+|_")
_UNIT_IN_TITLE = re.compile(r"\(([^()]{1,40})\)\s*$|,\s*([^,]{1,30})$")


@dataclass
class Cell:
    """One value read from a table, with where it came from."""

    file: str
    row: int
    column: str
    region: str
    region_column: str
    code: str
    year: object
    year_column: str
    value: object
    unit: str = ""
    flag: str = ""
    source: str = ""


def _year(cell) -> int | None:
    """A year written as 2023, "2023", "2023.0", "2023 г." (None if it is not a year).

    >>> [_year(x) for x in (2023, "2023.0", "2023 г.", "20x3", 1800, 2023.5)]
    [2023, 2023, 2023, None, None, None]
    """
    if isinstance(cell, (int, np.integer)) and not isinstance(cell, bool):
        y = int(cell)
    elif isinstance(cell, (float, np.floating)) and float(cell).is_integer():
        y = int(cell)
    elif isinstance(cell, str) and (match := _YEAR.fullmatch(cell)):
        y = int(match.group(1))
    else:
        return None
    return y if FIRST_YEAR <= y <= LAST_YEAR else None


def _label(raw: RawTable, header: list, j: int) -> str:
    h = header[j] if j < len(header) else None
    if raw.kind == "xlsx":
        return f"{h} ({column_label(j)})"
    return str(h) if h not in (None, "") else column_label(j)


def _cells_of(raw: RawTable, fw: Framework, problems: list[Problem], resolve=None) -> list[Cell]:
    """The values of one table in whichever of the three layouts it has; ``resolve`` maps a
    header or code to an indicator code or an input series (default: the framework's codes)."""
    resolve = resolve or fw.resolve_code
    rows = [(n, [c.strip() if isinstance(c, str) else c for c in cells]) for n, cells in raw.rows]
    rows = [(n, cells) for n, cells in rows if any(c not in (None, "") for c in cells)]
    if not rows:
        problems.append(Problem("empty_file", file=raw.file))
        return []
    for k, (_, header) in enumerate(rows[:12]):
        words = [normalise_header(c) if isinstance(c, str) else "" for c in header]
        region = next((j for j, w in enumerate(words) if w in REGION_HEADER_WORDS), None)
        year = next((j for j, w in enumerate(words) if w in YEAR_WORDS), None)
        years = [j for j, c in enumerate(header) if _year(c) is not None]
        if region is not None and year is not None:
            return _long_or_wide(raw, rows[k + 1:], header, region, year, fw, problems, resolve)
        if len(years) >= 2 and (region is not None or years[0] > 0):
            titles = [" ".join(str(c) for c in cells if c not in (None, "")) for _, cells in rows[:k]]
            return _bureau(raw, rows[k + 1:], header, region or 0, years, titles, fw, problems, resolve)
    problems.append(Problem("panel_layout", file=raw.file))
    return []


def cell_at(row: list, j: int | None):
    """The row's cell in column ``j`` (None: no such column, or a short row).

    >>> cell_at(["a", "b"], 1), cell_at(["a"], 3), cell_at(["a"], None)
    ('b', None, None)
    """
    return row[j] if j is not None and j < len(row) else None


def _long_or_wide(raw, body, header, region, year, fw, problems, resolve) -> list[Cell]:
    words = {normalise_header(c) if isinstance(c, str) else "": j for j, c in enumerate(header)}
    indicator = next((words[w] for w in INDICATOR_WORDS if w in words), None)
    value = next((words[w] for w in VALUE_WORDS if w in words), None)
    extra = {name: words[w] for w, name in OPTIONAL.items() if w in words}
    unit_col = next((words[w] for w in UNIT_WORDS if w in words), None)
    cells: list[Cell] = []
    get = cell_at
    if indicator is not None and value is not None:  # long
        for n, row in body:
            code_text = get(row, indicator)
            code = resolve(str(code_text)) if code_text not in (None, "") else None
            if code is None:
                problems.append(Problem("unknown_indicator", file=raw.file, row=n,
                                        column=_label(raw, header, indicator), value=code_text,
                                        params={"suggestions": "-", "framework": fw.id}))
                continue
            cells.append(Cell(raw.file, n, _label(raw, header, value), str(get(row, region) or ""),
                              _label(raw, header, region), code, get(row, year),
                              _label(raw, header, year), get(row, value),
                              str(get(row, unit_col) or ""), str(get(row, extra.get("flag")) or ""),
                              str(get(row, extra.get("source")) or "")))
        return cells
    codes = {}
    for j, h in enumerate(header):
        if j in (region, year) or h in (None, "") or j == unit_col:
            continue
        code = resolve(str(h))
        if code is None:
            problems.append(Problem("unknown_indicator", file=raw.file, row=None,
                                    column=_label(raw, header, j), value=h,
                                    params={"suggestions": "-", "framework": fw.id}))
        else:
            codes[j] = code
    for n, row in body:
        for j, code in codes.items():
            cells.append(Cell(raw.file, n, _label(raw, header, j), str(get(row, region) or ""),
                              _label(raw, header, region), code, get(row, year),
                              _label(raw, header, year), get(row, j)))
    return cells


def _bureau(raw, body, header, region, years, titles, fw, problems, resolve) -> list[Cell]:
    """One indicator: its code from the sheet's or file's name or the title; unit from the title."""
    names = [raw.sheet, Path(raw.file).stem, *titles]
    code = next((resolve(word) for text in names if text
                 for word in _WORD.split(str(text)) if word and resolve(word)), None)
    if code is None:
        problems.append(Problem("panel_which_indicator", file=raw.file,
                                value=raw.sheet or Path(raw.file).name))
        return []
    unit = ""
    for text in titles[::-1]:
        m = _UNIT_IN_TITLE.search(text)
        if m:
            unit = (m.group(1) or m.group(2)).strip()
            break
    cells = []
    for n, row in body:
        name = row[region] if region < len(row) else None
        if name in (None, ""):
            continue
        for j in years:
            cells.append(Cell(raw.file, n, _label(raw, header, j), str(name),
                              _label(raw, header, region), code, header[j],
                              _label(raw, header, j), row[j] if j < len(row) else None, unit))
    return cells


def _resolve_regions(cells: list[Cell], regions: Regions, layout: Layout,
                     problems: list[Problem]) -> list[str | None]:
    """The unit id of every cell's region name, former names of the layout included (unknown
    and ambiguous names reported once per name and file)."""
    names = {c.region for c in cells}
    old = layout.old_names
    candidates = {name: regions.candidates(name) or
                  ((old[normalise_name(name)],) if normalise_name(name) in old else ())
                  for name in names}
    explicit = {opts[0] for opts in candidates.values() if len(opts) == 1}
    resolved: dict[str, str | None] = {}
    for name, opts in candidates.items():
        if len(opts) > 1:
            remaining = [r for r in opts if r not in explicit]
            opts = tuple(remaining) if len(remaining) == 1 else opts
        resolved[name] = opts[0] if len(opts) == 1 else None
    reported = set()
    for c in cells:
        if resolved[c.region] is None and (c.file, c.region) not in reported:
            reported.add((c.file, c.region))
            opts = candidates[c.region]
            if len(opts) > 1:
                problems.append(Problem("ambiguous_region", file=c.file, row=c.row,
                                        column=c.region_column, value=c.region,
                                        params={"options": RegionNames(opts)}))
            else:
                problems.append(Problem("unknown_region", file=c.file, row=c.row,
                                        column=c.region_column, value=c.region,
                                        params={"suggestions": RegionNames(regions.suggest(c.region))}))
    return [resolved[c.region] for c in cells]


def _unit(code: str, fw: Framework, inputs: Derivations) -> str:
    return fw.by_code[code].unit("en").strip() if code in fw.by_code else inputs.unit(code)


def _impossible(code: str, x: float, fw: Framework, inputs: Derivations) -> str | None:
    """``share`` for a percentage outside 0–100, ``negative`` for a negative rate or count
    (a population included), for an indicator whose framework states no possible range
    (those are checked by :func:`_outside_possible`)."""
    unit = _unit(code, fw, inputs)
    if unit == "%" and not 0 <= x <= 100:
        return "share"
    if (unit.startswith("per ") or unit in ("MW", "million tonnes", "W per person", "persons")) and x < 0:
        return "negative"
    return None


def _outside_possible(code: str, x: float, fw: Framework):
    """The framework's possible range (``plausibility.csv``, kind ``error``) that ``x``
    breaks, or None: a gross enrolment ratio of 122 % is possible, a negative one is not.

    >>> from turaqty.model.framework import load_framework
    >>> fw = load_framework()
    >>> _outside_possible("B15", 122.1, fw) is None, _outside_possible("B15", -1.0, fw).text()
    (True, '≥ 0')
    """
    if code not in fw.plausibility:  # most indicators: no range to break
        return None
    found = outside(np.array([x]), [r for r in fw.plausibility[code] if r.kind == "error"])
    return found[0][1] if found else None


def check_cells(cells: list[Cell], fw: Framework, regions: Regions, layout: Layout,
                problems: list[Problem], notices: list | None = None,
                outside_layout: str = "error", inputs: Derivations | None = None) -> pd.DataFrame:
    """Validate every cell and return the long table (``unit_id, indicator, year, value,
    flag, source``) of those with a value. A value of a unit in a year before it existed is
    an error, or (``outside_layout="drop"``, for official tables recalculated on today's
    layout) left out with a warning in ``notices``."""
    dropped: dict[tuple[str, str, str], list[int]] = {}
    notices = [] if notices is None else notices
    inputs = inputs or Derivations()
    units = _resolve_regions(cells, regions, layout, problems)
    first: dict[tuple, Cell] = {}
    unit_of_code: dict[str, tuple[str, Cell]] = {}
    born = layout.born
    out = []
    file_names: dict[str, str] = {}  # a cell's default source: its file's name
    for c, unit in zip(cells, units, strict=True):
        year = _year(c.year)
        if year is None:
            problems.append(Problem("panel_bad_year", file=c.file, row=c.row, column=c.year_column,
                                    value=c.year))
            continue
        try:
            x = parse_number(c.value)
        except CellError as err:
            problems.append(Problem(f"cell_{err.args[0]}", file=c.file, row=c.row, column=c.column,
                                    value=c.value))
            continue
        if unit is None or x is None:
            continue
        key = (unit, c.code, year)
        if key in first:
            f = first[key]
            problems.append(Problem("panel_duplicate", file=c.file, row=c.row, column=c.column,
                                    value=x, params={"region": RegionNames((unit,)), "indicator": c.code,
                                                     "year": year, "first": f"{f.file}, {f.row}"}))
            continue
        first[key] = c
        if unit != NATIONAL_ID and year < born.get(unit, -10**6):
            if outside_layout == "drop":
                dropped.setdefault((c.file, unit, c.code), []).append(year)
                continue
            problems.append(Problem("panel_not_yet", file=c.file, row=c.row, column=c.region_column,
                                    value=c.region, params={"region": RegionNames((unit,)), "year": year,
                                                            "born": born[unit],
                                                            "parent": RegionNames((layout.parent[unit],))}))
            continue
        rule = _outside_possible(c.code, x, fw)
        if rule is not None:
            problems.append(Problem("value_impossible", file=c.file, row=c.row, column=c.column,
                                    value=f"{x:g}", params={"range": rule.text(), "code": c.code,
                                                            "note": rule.note}))
            continue
        kind = None if c.code in fw.plausibility else _impossible(c.code, x, fw, inputs)
        if kind:
            problems.append(Problem(f"panel_impossible_{kind}", file=c.file, row=c.row,
                                    column=c.column, value=x,
                                    params={"indicator": c.code, "unit": _unit(c.code, fw, inputs)}))
            continue
        if c.unit:
            seen = unit_of_code.setdefault(c.code, (normalise_name(c.unit), c))
            if seen[0] != normalise_name(c.unit):
                problems.append(Problem("panel_unit_changes", file=c.file, row=c.row, column=c.column,
                                        value=c.unit, params={"indicator": c.code, "first": seen[1].unit,
                                                              "first_row": f"{seen[1].file}, {seen[1].row}"}))
                continue
        out.append((unit, c.code, year, x, c.flag, c.source or file_names.get(c.file)
                    or file_names.setdefault(c.file, Path(c.file).name)))
    for (file, unit, code), years in dropped.items():
        notices.append(("panel_outside_layout", code, unit,
                        {"file": file, "years": ", ".join(map(str, sorted(years))),
                         "born": born[unit]}))
    return pd.DataFrame(out, columns=["unit_id", "indicator", "year", "value", "flag", "source"])


def _unit_notices(cells: list[Cell], fw: Framework, inputs: Derivations) -> list:
    """A warning for each indicator or input whose stated unit is none of the declared ones."""
    notices, done = [], set()
    for c in cells:
        if not c.unit or c.code in done:
            continue
        done.add(c.code)
        known = ({normalise_name(u) for u in fw.by_code[c.code].units.values()} if c.code in fw.by_code
                 else {normalise_name(inputs.unit(c.code))})
        if normalise_name(c.unit) not in known:
            notices.append(("panel_unit_differs", c.code, "",
                            {"file": c.file, "unit": c.unit, "expected": _unit(c.code, fw, inputs)}))
    return notices


def _resolver(fw: Framework, inputs: Derivations):
    """Header or code → a framework indicator code or a declared input series (population …)."""
    def resolve(text: str) -> str | None:
        return fw.resolve_code(text) or inputs.resolve(text)
    return resolve


def is_kazstat_folder(path: Path) -> bool:
    """A folder of the national SDG platform (``indicator_*.csv`` files, in ``data/`` or not)."""
    return path.is_dir() and (any((path / "data").glob("indicator_*.csv"))
                              or any(path.glob("indicator_*.csv")))


def read_panel(paths: str | Path | list, fw: Framework | None = None,
               regions: Regions | None = None, layout: Layout | None = None,
               outside_layout: str = "error") -> Panel:
    """Read one or more files or folders into a panel; a :class:`DataError` with every
    problem found if any cell cannot be used. ``outside_layout="drop"`` leaves out (with a
    warning) values of units in years before they existed instead of refusing them."""
    fw = fw or load_framework()
    regions = regions or load_regions()
    layout = layout or load_layout()
    paths = [Path(p) for p in (paths if isinstance(paths, (list, tuple)) else [paths])]
    if len(paths) == 1 and is_kazstat_folder(paths[0]):
        from turaqty.io.kazstat import read_kazstat

        return read_kazstat(paths[0], fw)
    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            found = sorted(f for f in p.iterdir() if f.suffix.lower() in (".csv", ".xlsx", ".xlsm", ".tsv")
                           and not f.name.startswith(("~$", ".")))
            if not found:
                raise DataError(Problem("panel_empty_folder", file=str(p)))
            files += found
        else:
            files.append(p)
    digest = hashlib.sha256()
    tables = []
    for f in files:
        for raw in read_tables(f):  # every visible sheet of a workbook
            digest.update(raw.sha256.encode())
            tables.append(raw)
    return _panel_of(tables, fw, regions, layout, ";".join(map(str, paths)), digest.hexdigest(),
                     outside_layout)


def _panel_of(tables: list[RawTable], fw: Framework, regions: Regions, layout: Layout, source: str,
              sha256: str, outside_layout: str = "error") -> Panel:
    """The panel of the tables read (any layout, COINr's included), every problem at once."""
    problems: list[Problem] = []
    cells: list[Cell] = []
    inputs = load_derivations(fw)
    resolve = _resolver(fw, inputs)
    coinr: list = []
    first: dict[tuple[str, int], str] = {}  # (uCode, year) → where it was first read
    for raw in tables:
        if is_coinr_panel(raw):
            coinr.append(coinr_part(raw, fw, problems, resolve, first))
            cells += coinr[-1].cells
        else:
            cells += _cells_of(raw, fw, problems, resolve)
    if coinr:
        try:
            regions = coinr_units(coinr, fw, source)
        except DataError as err:  # two units of the panel under one name
            raise DataError(problems + err.problems) from None
    notices = _unit_notices(cells, fw, inputs)
    frame = check_cells(cells, fw, regions, layout, problems, notices, outside_layout, inputs)
    if problems:
        raise DataError(problems)
    if frame.empty:
        raise DataError(Problem("no_values", file=source))
    panel = panel_from_long(frame, framework=fw.id, source=source, sha256=sha256,
                            notices=tuple(notices), order=regions.unit_ids)
    if coinr:
        panel = replace(panel, **coinr_unit_data(coinr, regions, fw, panel.units, panel.years))
    return panel


def panel_from_frame(frame: pd.DataFrame, fw: Framework | None = None,
                     regions: Regions | None = None, layout: Layout | None = None) -> Panel:
    """A panel from a long or wide-with-year DataFrame (checked like a file, rows numbered
    as in a CSV with a header)."""
    fw = fw or load_framework()
    header = [str(c) for c in frame.columns]
    body = [(k + 2, list(row)) for k, row in enumerate(frame.itertuples(index=False, name=None))]
    raw = RawTable("<DataFrame>", [(1, header)] + body, "csv")
    return _panel_of([raw], fw, regions or load_regions(), layout or load_layout(), "<DataFrame>", "")
