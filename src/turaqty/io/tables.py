"""Reading a file into rows of cells: CSV (any usual encoding and separator) or XLSX.

Every row keeps the number it has in the file (1-based, as a spreadsheet shows it), so
that a problem can be reported where the user will find it.

Example
-------
>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "d.csv"
>>> _ = p.write_bytes("\\ufeffregion;B1\\nАбай;95,82\\n".encode("utf-8"))
>>> raw = read_rows(p)
>>> raw.rows, raw.encoding, raw.delimiter
([(1, ['region', 'B1']), (2, ['Абай', '95,82'])], 'utf-8-sig', ';')
"""
from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from turaqty.errors import DataError, Problem

XLSX_SUFFIXES = {".xlsx", ".xlsm"}
DATA_SHEET_NAMES = ("data", "деректер", "данные")


@dataclass
class RawTable:
    """The cells of a file, row by row, and how the file was read."""

    file: str
    rows: list[tuple[int, list]]  # (row number in the file, cells)
    kind: str  # csv | xlsx
    encoding: str = ""
    delimiter: str = ""
    sheet: str = ""


def column_label(index: int) -> str:
    """Spreadsheet letters of a 0-based column index: 0 → A, 27 → AB."""
    label = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        label = chr(65 + rem) + label
    return label


def _fail(key: str, file: str, **params) -> DataError:
    return DataError(Problem(key, file=file, params=params))


def _decode(raw: bytes, file: str) -> tuple[str, str]:
    if raw.startswith(b"\xef\xbb\xbf"):
        candidates = ["utf-8-sig"]
    elif raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates = ["utf-16"]
    else:
        candidates = ["utf-8", "cp1251"]
    for enc in candidates:
        try:
            text = raw.decode(enc)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            break
        return text, enc
    raise _fail("not_a_table", file)


def _delimiter(text: str) -> str:
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: len(next(csv.reader([first], delimiter=d))) for d in (";", ",", "\t")}
    best = max(counts.values())
    return next(d for d in (";", "\t", ",") if counts[d] == best)


def _read_csv(path: Path, file: str) -> RawTable:
    text, encoding = _decode(path.read_bytes(), file)
    delimiter = _delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows, start = [], 1
    try:
        for cells in reader:
            rows.append((start, cells))
            start = reader.line_num + 1
    except csv.Error:
        raise _fail("not_a_table", file) from None
    return RawTable(file, rows, "csv", encoding, delimiter)


def _read_xlsx(path: Path, file: str) -> RawTable:
    import openpyxl  # imported on use: it is slow to import and only XLSX needs it

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise _fail("bad_xlsx", file) from None
    try:
        names = {n.strip().lower(): n for n in wb.sheetnames}
        sheet = next((names[n] for n in DATA_SHEET_NAMES if n in names), wb.sheetnames[0])
        rows = [(i, list(cells)) for i, cells in
                enumerate(wb[sheet].iter_rows(values_only=True), start=1)]
    finally:
        wb.close()
    return RawTable(file, rows, "xlsx", sheet=sheet)


def read_rows(path: "str | Path") -> RawTable:
    """The rows of a CSV or XLSX file; a clear :class:`DataError` if it cannot be read."""
    path = Path(path)
    file = str(path)
    if not path.exists():
        raise _fail("file_not_found", file)
    if path.is_dir():
        raise _fail("is_a_directory", file)
    with path.open("rb") as fh:
        head = fh.read(8)
    if not head:
        raise _fail("empty_file", file)
    suffix = path.suffix.lower()
    if suffix == ".xls" or head.startswith(b"\xd0\xcf\x11\xe0"):
        raise _fail("old_excel", file)
    if suffix in XLSX_SUFFIXES or head.startswith(b"PK\x03\x04"):
        return _read_xlsx(path, file)
    return _read_csv(path, file)  # .csv, .txt, .tsv or anything else that is text
