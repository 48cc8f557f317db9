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
import hashlib
import io
import re
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
    sha256: str = ""  # of the file's bytes


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


def _looks_binary(text: str) -> bool:
    """Control characters (other than tab and line breaks) in more than 1 % of the text."""
    sample = text[:20000]
    controls = sum(1 for ch in sample if ch < " " and ch not in "\t\r\n")
    return "\x00" in sample or controls > len(sample) / 100


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
        if _looks_binary(text) or raw.startswith(b"%PDF"):
            break
        return text, enc
    raise _fail("not_a_table", file)


def _delimiter(text: str) -> str:
    """The separator giving the widest row among the first lines (a title line above the
    table may contain commas, the header row has the most fields)."""
    lines = [line for line in text.splitlines()[:30] if line.strip()]
    counts = {d: max((len(next(csv.reader([line], delimiter=d))) for line in lines), default=1)
              for d in (";", ",", "\t")}
    best = max(counts.values())
    return next(d for d in (";", "\t", ",") if counts[d] == best)


def _read_csv(content: bytes, file: str) -> RawTable:
    text, encoding = _decode(content, file)
    delimiter = _delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:  # a record's number is its row in a spreadsheet, even after a cell with a line break
        rows = list(enumerate(reader, start=1))
    except csv.Error:
        raise _fail("not_a_table", file) from None
    return RawTable(file, rows, "csv", encoding, delimiter)


class Formula(str):
    """A formula whose value the workbook does not store (never calculated by a spreadsheet
    program): it cannot be read as a number."""


_CODE_CELL = re.compile(r"(?i)\s*[bв]\s*\d{1,3}\s*")


def looks_like_header(cells) -> bool:
    """A row that names the region column or at least two indicator codes."""
    texts = [str(c) for c in cells if isinstance(c, str)]
    return (any(normalise_header(c) in REGION_HEADER_WORDS for c in texts)
            or sum(bool(_CODE_CELL.fullmatch(c)) for c in texts) >= 2)


def normalise_header(text: str) -> str:
    return " ".join(str(text).replace("_", " ").lower().split())


REGION_HEADER_WORDS = frozenset(normalise_header(h) for h in (
    "region", "region_id", "unit_id", "unit", "регион", "область", "аймақ", "өңір", "облыс",
))


def _sheet_rows(ws) -> list[list]:
    """The cells of a worksheet; numbers shown as percentages are read as percentages."""
    ws.reset_dimensions()  # do not trust the size the writer recorded
    rows = []
    for row in ws.iter_rows():
        cells = []
        for cell in row:
            value = getattr(cell, "value", None)
            if isinstance(value, (int, float)) and not isinstance(value, bool) \
                    and "%" in (getattr(cell, "number_format", "") or ""):
                value = value * 100
            cells.append(value)
        rows.append(cells)
    return rows


def _read_xlsx(content: bytes, file: str) -> RawTable:
    import openpyxl  # imported on use: it is slow to import and only XLSX needs it

    try:  # from bytes, so that openpyxl does not judge the file by its name's suffix
        wb = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        formulas = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except Exception:  # a zip that is not a workbook: openpyxl raises many kinds
        raise _fail("bad_xlsx", file) from None
    try:
        names = {n.strip().lower(): n for n in wb.sheetnames}
        sheet = next((names[n] for n in DATA_SHEET_NAMES if n in names), None)
        if sheet is None:  # the first sheet that looks like data, e.g. after an instructions sheet
            sheet = next((n for n in wb.sheetnames if any(
                looks_like_header(r) for r in _sheet_rows(wb[n])[:10])), wb.sheetnames[0])
        rows = _sheet_rows(wb[sheet])
        for i, row in enumerate(_sheet_rows(formulas[sheet])[:len(rows)]):
            for j, value in enumerate(row[:len(rows[i])]):
                if isinstance(value, str) and value.startswith("=") and rows[i][j] in (None, value):
                    rows[i][j] = Formula(value)
    finally:
        wb.close()
        formulas.close()
    return RawTable(file, list(enumerate(rows, start=1)), "xlsx", sheet=sheet)


def read_rows(path: "str | Path") -> RawTable:
    """The rows of a CSV or XLSX file; a clear :class:`DataError` if it cannot be read."""
    path = Path(path)
    file = str(path)
    if not path.exists():
        raise _fail("file_not_found", file)
    if path.is_dir():
        raise _fail("is_a_directory", file)
    try:
        with path.open("rb") as fh:
            content = fh.read()
    except OSError as err:
        raise _fail("cannot_read", file, reason=err.strerror or str(err)) from None
    if not content:
        raise _fail("empty_file", file)
    if path.suffix.lower() == ".xls" or content.startswith(b"\xd0\xcf\x11\xe0"):
        raise _fail("old_excel", file)
    if path.suffix.lower() in XLSX_SUFFIXES or content.startswith(b"PK\x03\x04"):
        raw = _read_xlsx(content, file)
    else:
        raw = _read_csv(content, file)  # .csv, .txt, .tsv or anything else that is text
    raw.sha256 = hashlib.sha256(content).hexdigest()
    return raw
