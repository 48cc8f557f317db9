"""From a file (or a DataFrame) to a validated :class:`~turaqty.model.dataset.Dataset`.

The table is wide: a ``region`` column (an id or any known spelling of a region's name,
in Kazakh, Russian or English) and one column per indicator code. An optional national
row (``kz``, ``ҚР``, ``Республика Казахстан``, ...) is kept as the reference. Rows whose
region cell starts with ``#`` are comments (the template's name and unit rows). Every
problem found is reported at once, each with its file, row and column.

Example
-------
>>> import pandas as pd
>>> ds = as_dataset(pd.DataFrame({"region": ["Абай", "Ақмола", "ҚР"], "B1": ["95,82", 106.69, 108.91]}))
>>> ds.units, ds.values[:, 0].tolist(), ds.national.tolist()
(('abai', 'akmola'), [95.82, 106.69], [108.91])
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from turaqty.errors import DataError, Problem, RegionNames
from turaqty.io.cells import CellError, parse_number, uses_thousands_comma
from turaqty.io.tables import (
    REGION_HEADER_WORDS,
    RawTable,
    column_label,
    looks_like_header,
    paused_gc,
    read_rows,
)
from turaqty.model.dataset import Dataset, fingerprint, load_embedded
from turaqty.model.framework import Framework, load_framework
from turaqty.model.units import NATIONAL_ID, Regions, load_regions, normalise_name
from turaqty.plausibility import outside

REGION_HEADERS = frozenset(normalise_name(h) for h in REGION_HEADER_WORDS)
LABEL_HEADERS = frozenset(normalise_name(h) for h in (
    "name", "name_kk", "name_ru", "name_en", "атауы", "название", "iso_3166_2", "iso",
    "type", "macro_region", "note", "notes", "comment", "примечание", "ескерту",
))


@dataclass
class Checked:
    """What reading a table found: the dataset (if usable), its problems and warnings."""

    dataset: Dataset | None
    problems: list[Problem] = field(default_factory=list)
    notices: list[tuple[str, str, str, dict]] = field(default_factory=list)


def _find_region_column(header: list, body, regions: Regions) -> int | None:
    for j, h in enumerate(header):
        if h is not None and normalise_name(h) in REGION_HEADERS:
            return j
    # no named region column: accept a first column that holds region names
    first = [cells[0] for _, cells in body if cells and cells[0] not in (None, "")]
    if first and sum(regions.resolve(str(c)) is not None for c in first) >= len(first) / 2:
        return 0
    return None


def _region_ids(names: list[tuple[int, str]], regions: Regions, problem, notices, label) -> dict[int, str]:
    """Row number → region id for every region name, resolving ambiguous names (bare
    ``Алматы``) by the regions the file names explicitly; reports unknown, ambiguous and
    duplicated regions."""
    known: dict[str, tuple[str, ...]] = {}  # a long file names the same regions again and again
    candidates = {n: known[name] if name in known else known.setdefault(name, regions.candidates(name))
                  for n, name in names}
    explicit = {c[0] for c in candidates.values() if len(c) == 1}
    ids: dict[int, str] = {}
    first_row: dict[str, int] = {}
    for n, name in names:
        options = candidates[n]
        if len(options) > 1:
            remaining = [r for r in options if r not in explicit]
            if len(remaining) != 1:
                problem("ambiguous_region", row=n, column=label, value=name,
                        options=RegionNames(options))
                continue
            notices.append(("read_ambiguous", "", remaining[0], {"name": name}))
            options = (remaining[0],)
        if not options:
            problem("unknown_region", row=n, column=label, value=name,
                    suggestions=RegionNames(regions.suggest(name)))
            continue
        rid = options[0]
        if rid in first_row:
            problem("duplicate_region", row=n, column=label, value=name,
                    region=RegionNames((rid,)), first=first_row[rid])
            continue
        first_row[rid] = n
        ids[n] = rid
    return ids


_CODE_LIKE = re.compile(r"(?i)\s*[bв]\s*\d{1,3}\s*")


def _is_text_column(header: str, cells: list) -> bool:
    """A descriptive column (names in another language, notes): its header is no indicator
    code and fewer than half of its filled cells are numbers.

    >>> _is_text_column("name_in_table7", ["Абай", "Ақмола"]), _is_text_column("X1", ["1,5", "2"])
    (True, False)
    >>> _is_text_column("B99", ["Абай"])
    False
    """
    if _CODE_LIKE.fullmatch(header):
        return False
    filled = [c for c in cells if c not in (None, "")]
    numbers = 0
    for cell in filled:
        try:
            numbers += parse_number(cell) is not None
        except CellError:
            pass
    return numbers < len(filled) / 2 or not filled


def _check_plausible(values: np.ndarray, codes: list[str], labels: list[str], rows: list[int | None],
                     units: list[str], fw: Framework, problem, notices, file: str) -> None:
    """Values outside their indicator's possible range are problems, values outside its
    plausible range warnings; each names its cell."""
    for k, code in enumerate(codes):
        for i, rule in outside(values[:, k], fw.plausibility.get(code, ())):
            x = float(values[i, k])
            params = {"range": rule.text(), "code": code, "note": rule.note}
            if rule.kind == "error":
                problem("value_impossible", row=rows[i], column=labels[k], value=f"{x:g}", **params)
            else:
                unit = "" if units[i] == NATIONAL_ID else units[i]
                notices.append(("value_implausible", code, unit, {
                    "file": file, "row": rows[i], "column": labels[k], "value": f"{x:g}", **params}))


MAX_PROBLEMS = 1000  # a file with more has one cause (wrong file, separator, encoding)


class _Enough(Exception):
    """Raised when :data:`MAX_PROBLEMS` are found: checking further only costs time."""


def check_table(raw: RawTable, fw: Framework | None = None,
                regions: Regions | None = None) -> Checked:
    """Validate the cells of ``raw`` and build a dataset; never raises for bad data.

    Every problem is collected: a row whose region is unknown still has its cells checked,
    and empty columns and rows are reported together with bad cells, up to
    :data:`MAX_PROBLEMS` (then the rest of the file is not checked, and that is said).
    """
    problems: list[Problem] = []
    try:
        with paused_gc():
            return _check_table(raw, fw or load_framework(), regions or load_regions(), problems)
    except _Enough:
        return Checked(None, problems + [Problem("problems_not_checked", file=raw.file,
                                                 params={"n": MAX_PROBLEMS})])


def _check_table(raw: RawTable, fw: Framework, regions: Regions, problems: list[Problem]) -> Checked:
    file = raw.file
    if raw.kind == "csv":  # texts only: stripped and tested in C
        rows = [(n, cells) for n, cells in ((n, list(map(str.strip, c))) for n, c in raw.rows) if any(cells)]
    else:
        rows = [(n, [c.strip() if type(c) is str else c for c in cells]) for n, cells in raw.rows]
        rows = [(n, cells) for n, cells in rows if any(c not in (None, "") for c in cells)]
    if not rows:
        return Checked(None, [Problem("empty_file", file=file)])
    notices: list[tuple[str, str, str, dict]] = []
    # a title or notes above the header row are skipped
    start = next((k for k, (_, cells) in enumerate(rows[:10]) if looks_like_header(cells)), 0)
    if start:
        notices.append(("read_skipped_rows", "", "", {"file": file, "rows": start,
                                                      "header_row": rows[start][0]}))
    header_row, header = rows[start]
    body = rows[start + 1:]

    def problem(key, row=None, column=None, value=None, **params):
        problems.append(Problem(key, file=file, row=row, column=column, value=value, params=params))
        if len(problems) >= MAX_PROBLEMS:
            raise _Enough()

    region_col = _find_region_column(header, body, regions)
    if region_col is None:
        problem("no_region_column", row=header_row, value=", ".join(str(h) for h in header[:5] if h))
        return Checked(None, problems)

    def label(j):  # how a column is named in messages
        h = header[j] if j < len(header) else None
        return f"{h} ({column_label(j)})" if raw.kind == "xlsx" else (str(h) if h else column_label(j))

    columns: dict[int, str] = {}
    seen_codes: dict[str, int] = {}
    ignored: list[str] = []  # descriptive text columns (names in other languages, notes)
    width = max(len(cells) for _, cells in rows)
    for j in range(width):
        h = header[j] if j < len(header) else None
        if j == region_col:
            continue
        if h is None or str(h).strip() == "":
            if any(j < len(c) and c[j] not in (None, "") for _, c in body):
                problem("column_without_header", row=header_row, column=column_label(j))
            continue
        text = str(h).strip()
        if normalise_name(text) in LABEL_HEADERS:
            continue
        code = fw.resolve_code(text)
        if code is None and _is_text_column(text, [c[j] for _, c in body if j < len(c)]):
            ignored.append(label(j))
            continue
        if code is None:
            close = difflib.get_close_matches(text.upper(), fw.codes, n=3)
            problem("unknown_indicator", row=header_row, column=label(j), value=text,
                    suggestions=", ".join(close) or "-", framework=fw.id)
        elif code in seen_codes:
            problem("duplicate_indicator", row=header_row, column=label(j), value=text,
                    first=label(seen_codes[code]))
        else:
            columns[j] = code
            seen_codes[code] = j
    if not columns and not problems:
        problem("no_indicator_columns", row=header_row)
    if ignored:
        notices.append(("read_text_columns", "", "", {"file": file, "columns": ", ".join(ignored)}))

    records = []  # (row number, region name, cells) of the data rows
    for n, cells in body:
        name = cells[region_col] if region_col < len(cells) else None
        name = "" if name is None else str(name).strip()
        if name.startswith("#"):
            continue
        if name == "":
            problem("region_missing", row=n, column=label(region_col))
        records.append((n, name, cells))
    ids = _region_ids([(n, name) for n, name, _ in records if name], regions, problem, notices,
                      label(region_col))

    col_items = list(columns.items())
    codes_given = bool(col_items)
    thousands = {j: uses_thousands_comma(cells[j] for _, _, cells in records if j < len(cells))
                 for j in columns}
    units, values, present, national = [], [], [], None
    unit_rows, national_row = [], None
    for n, name, cells in records:
        row_values: list[float] = []
        row_present: list[bool] = []
        for j, _ in col_items:
            cell = cells[j] if j < len(cells) else None
            try:
                x = parse_number(cell, thousands[j])
            except CellError as err:
                problem(f"cell_{err.args[0]}", row=n, column=label(j), value=cell)
                x, row_present = None, row_present + [True]
            else:
                row_present.append(x is not None)
            row_values.append(np.nan if x is None else x)
        rid = ids.get(n)
        if rid == NATIONAL_ID:
            national, national_row = row_values, n
        elif rid is not None:
            units.append(rid)
            unit_rows.append(n)
            values.append(row_values)
            present.append(row_present)
            if codes_given and not any(row_present):
                problem("empty_row", row=n, value=name)

    codes = [code for _, code in col_items]
    matrix = np.array(values, dtype=np.float64).reshape(len(units), len(codes))
    filled = np.array(present, dtype=bool).reshape(len(units), len(codes))
    if units and codes and not filled.any():
        problems[:] = [p for p in problems if p.key != "empty_row"]
        problem("no_values")
    elif units:
        for k, (j, code) in enumerate(col_items):
            if not filled[:, k].any():
                problem("empty_column", column=label(j), value=code)
    checked_rows = unit_rows + ([national_row] if national is not None else [])
    checked_units = units + ([NATIONAL_ID] if national is not None else [])
    _check_plausible(np.vstack([matrix] + ([np.array([national])] if national is not None else [])),
                     codes, [label(j) for j, _ in col_items], checked_rows, checked_units, fw,
                     problem, notices, file)
    region_records = [n for n, _, _ in records if ids.get(n) != NATIONAL_ID]
    if not region_records:
        problem("no_regions")
    elif len(units) == 1 and len(region_records) == 1:
        problem("one_region", region=RegionNames((units[0],)))
    if problems:
        # in the order of the file: file-wide problems, then row by row, then whole columns
        problems.sort(key=lambda p: p.row if p.row is not None else (0 if p.column is None else 1e9))
        return Checked(None, problems)

    if raw.encoding == "cp1251":
        notices.append(("read_cp1251", "", "", {"file": file}))
    absent = [r for r in regions.unit_ids if r not in units]
    if absent:
        notices.append(("regions_absent", "", "", {
            "n": len(absent), "regions": RegionNames(absent)}))
    order = sorted(range(len(units)), key=lambda i: regions.by_id[units[i]].order)
    ds = Dataset(
        units=tuple(units[i] for i in order),
        indicators=tuple(codes),
        values=matrix[order],
        national=None if national is None or np.isnan(national).all()
        else np.array(national, dtype=np.float64),
        framework=fw.id,
        source=file,
        sha256=raw.sha256,
        notices=tuple(notices),
        sheet=raw.sheet,
    )
    return Checked(ds, [], notices)


def check_data(path: str | Path, fw: Framework | None = None,
               regions: Regions | None = None, *, sheet: str | None = None) -> Checked:
    """Read and validate a data file (``sheet``: the worksheet of an XLSX file to read),
    collecting every problem instead of stopping at the first."""
    try:
        raw = read_rows(path, sheet)
    except DataError as err:
        return Checked(None, err.problems)
    return check_table(raw, fw, regions)


def read_data(path: str | Path, fw: Framework | None = None,
              regions: Regions | None = None, *, sheet: str | None = None) -> Dataset:
    """The dataset in a CSV or XLSX file (see the module doc for the layout); ``sheet``
    names the worksheet to read when a workbook holds several.

    Raises :class:`~turaqty.errors.DataError` listing every problem (file, row, column,
    value and how to fix it). The file is only read, never changed.
    """
    checked = check_data(path, fw, regions, sheet=sheet)
    if checked.problems:
        raise DataError(checked.problems)
    assert checked.dataset is not None  # a check without problems has its dataset
    return checked.dataset


def _frame_rows(frame: pd.DataFrame) -> RawTable:
    columns = [str(c) for c in frame.columns]
    if not any(normalise_name(c) in REGION_HEADERS for c in columns) \
            and not isinstance(frame.index, pd.RangeIndex):  # region names in the index
        frame = frame.reset_index()
        columns = ["region"] + [str(c) for c in frame.columns[1:]]
    cells = frame.astype(object).where(frame.notna(), None).to_numpy().tolist()
    rows = [(1, columns)] + [(i, list(r)) for i, r in enumerate(cells, start=2)]
    return RawTable("<DataFrame>", rows, "frame")


def _checked_dataset(ds: Dataset, fw: Framework | None = None,
                     regions: Regions | None = None) -> Dataset:
    """A Dataset built in code gets the checks a file gets: known codes and regions,
    finite values."""
    fw = fw or load_framework(ds.framework)
    regions = regions or load_regions()
    problems = [Problem("unknown_indicator", file=ds.source, column=c, value=c,
                        params={"suggestions": "-", "framework": fw.id})
                for c in ds.indicators if c not in fw.by_code]
    problems += [Problem("unknown_region", file=ds.source, value=u, params={"suggestions": "-"})
                 for u in ds.units if (u not in regions.by_id and u not in ds.unit_names)
                 or u == NATIONAL_ID]
    if np.isinf(ds.values).any():
        i, j = map(int, np.argwhere(np.isinf(ds.values))[0])
        problems.append(Problem("cell_infinite", file=ds.source, row=i + 1,
                                column=ds.indicators[j], value=float(ds.values[i, j])))
    if problems:
        raise DataError(problems)
    return ds


def as_dataset(data, fw: Framework | None = None, regions: Regions | None = None) -> Dataset:
    """``data`` as a Dataset: None → the embedded 2023 data; a path → :func:`read_data`;
    a wide DataFrame (``region`` column or index) → validated like a file. ``fw`` and
    ``regions`` are the framework and units catalogue to read against (Kazakhstan's by
    default)."""
    if data is None:
        return load_embedded()
    if isinstance(data, Dataset):
        return _checked_dataset(data, fw, regions)
    if isinstance(data, (str, Path)):
        return read_data(data, fw, regions)
    if isinstance(data, pd.DataFrame):
        checked = check_table(_frame_rows(data), fw, regions)
        if checked.problems:
            raise DataError(checked.problems)
        ds = checked.dataset
        assert ds is not None  # a check without problems has its dataset
        national = () if ds.national is None else tuple(ds.national)
        return replace(ds, sha256=fingerprint(ds.values, ds.units, ds.indicators, national))
    raise TypeError(f"cannot assess data of type {type(data).__name__}; "
                    "give a path, a pandas DataFrame, a Dataset or None")
