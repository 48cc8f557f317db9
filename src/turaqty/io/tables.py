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

import contextlib
import csv
import gc
import hashlib
import re
import stat
from dataclasses import dataclass
from pathlib import Path

from turaqty.errors import DataError, Problem
from turaqty.io.limits import MB, current_limits, too_many
from turaqty.io.xlsx_reader import read_sheet, read_sheets

XLSX_SUFFIXES = {".xlsx", ".xlsm"}


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


_UTF8_CYRILLIC = re.compile(rb"[\xd0-\xd3][\x80-\xbf]")
_HIGH_BYTE = re.compile(rb"[\x80-\xff]")


def _mixed_encoding(raw: bytes, err: UnicodeDecodeError, file: str) -> DataError | None:
    """A file that is not UTF-8 although it starts with UTF-8's mark, or whose Cyrillic is
    partly UTF-8 and partly Windows-1251: read as one encoding, every name would be garbled."""
    sample = raw[:1_000_000]
    pairs = len(_UTF8_CYRILLIC.findall(sample))
    high = len(_HIGH_BYTE.findall(sample))
    if raw.startswith(b"\xef\xbb\xbf") or (pairs >= 3 and 2 * pairs >= 0.2 * high):
        line = raw.count(b"\n", 0, err.start) + 1
        return _fail("mixed_encoding", file, line=line)
    return None


def _utf16_without_mark(raw: bytes) -> str | None:
    """UTF-16 saved without its byte-order mark: every other byte of Latin text is zero."""
    head = raw[:2000]
    if len(head) < 4 or len(head) % 2:
        return None
    for enc, zeros in (("utf-16-le", head[1::2]), ("utf-16-be", head[0::2])):
        if zeros.count(0) > 0.9 * len(zeros):
            return enc
    return None


def decode_text(raw: bytes, file: str) -> tuple[str, str]:
    """The text of a file and the encoding it was read in: UTF-8 (with or without its mark),
    UTF-16, or Windows-1251; a clear :class:`DataError` for binary content or a file
    mixing encodings.

    >>> decode_text("Абай".encode("cp1251"), "d.csv")
    ('Абай', 'cp1251')
    >>> decode_text("Абай;".encode() + "Акмолинская".encode("cp1251"), "d.csv")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    turaqty.errors.DataError: d.csv: the file mixes two encodings (UTF-8 and Windows-1251); line 1 is ...
      how to fix: open it in a spreadsheet or text editor and save it again as "CSV UTF-8".
    """
    if raw.startswith(b"\xef\xbb\xbf"):
        candidates = ["utf-8-sig"]
    elif raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates = ["utf-16"]
    else:
        candidates = [_utf16_without_mark(raw) or "utf-8", "cp1251"]
    for enc in candidates:
        try:
            text = raw.decode(enc)
        except UnicodeDecodeError as err:
            if enc.startswith("utf-8"):
                mixed = _mixed_encoding(raw, err, file)
                if mixed is not None:
                    raise mixed from None
            continue
        if _looks_binary(text) or raw.startswith(b"%PDF"):
            break
        return text, enc
    raise _fail("not_a_table", file)


def _delimiter(text: str) -> str:
    """The separator giving the widest row among the first lines (a title line above the
    table may contain commas, the header row has the most fields)."""
    lines = [line[:10_000] for line in text[:200_000].splitlines()[:30] if line.strip()]
    counts = {d: max((len(next(csv.reader([line], delimiter=d))) for line in lines), default=1)
              for d in (";", ",", "\t")}
    best = max(counts.values())
    return next(d for d in (";", "\t", ",") if counts[d] == best)


class _Lines:
    """The lines of ``text`` with their endings, split at line feeds only (a cell may hold
    other line-separator characters), leaving out lines that hold only separators and
    spaces outside a quoted cell (spreadsheets export thousands of them) but counting them:
    ``skipped`` is how many such rows have been passed."""

    def __init__(self, text: str, delimiter: str):
        self.text, self.blank, self.skipped = text, delimiter + " \t\r\n", 0
        self.feed = "\n" if "\n" in text or "\r" not in text else "\r"  # old Macs end lines with \r
        # possessive: a run of a million blank lines keeps no backtracking stack
        self.blank_run = re.compile(f"(?:[ \t{re.escape(delimiter)}]*+\r?{re.escape(self.feed)})++")

    def __iter__(self):
        text, blank, feed, start, inside = self.text, self.blank, self.feed, 0, False
        while start < len(text):
            end = text.find(feed, start)
            end = len(text) if end < 0 else end + 1
            line = text[start:end]
            if not inside and not line.strip(blank):  # this and the blank lines after it
                run = self.blank_run.match(text, start)
                stop = run.end() if run and run.end() > end else end
                self.skipped += text.count(feed, start, stop) or 1
                start = stop
                continue
            start = end
            if '"' in line:
                inside ^= bool(line.count('"') & 1)  # a quoted cell goes on to the next line
            yield line


def _csv_rows(text: str, delimiter: str, file: str) -> list[tuple[int, list]]:
    """The records that hold something, numbered as a spreadsheet numbers its rows, within
    the caps on rows, columns and cell length."""
    limits = current_limits()
    csv.field_size_limit(max(limits.max_cell_chars + 1, 131_072))
    lines = _Lines(text, delimiter)
    reader = csv.reader(lines, delimiter=delimiter)
    rows, n = [], 0
    try:  # a record's number is its row in a spreadsheet, even after a cell with a line break
        for k, cells in enumerate(reader, start=1):
            n = k + lines.skipped
            if not any(cells):
                continue
            while not cells[-1]:
                cells.pop()
            if len(cells) > limits.max_columns:
                raise too_many("columns", file, len(cells), row=n)
            if max(map(len, cells)) > limits.max_cell_chars:
                j = next(j for j, c in enumerate(cells) if len(c) > limits.max_cell_chars)
                raise too_many("cell_chars", file, len(cells[j]), row=n, column=column_label(j))
            rows.append((n, cells))
            if len(rows) > limits.max_rows:
                raise too_many("rows", file, f"> {limits.max_rows}", row=n)
    except csv.Error as err:
        if "field limit" in str(err):
            raise too_many("cell_chars", file, f"> {limits.max_cell_chars}", row=n + 1) from None
        raise _fail("not_a_table", file) from None
    return rows


def _read_csv(text: str, encoding: str, file: str) -> RawTable:
    delimiter = _delimiter(text)
    return RawTable(file, _csv_rows(text, delimiter, file), "csv", encoding, delimiter)


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


def _read_xlsx(content: bytes, file: str, sheet: str | None) -> RawTable:
    name, rows = read_sheet(content, file, sheet)
    return RawTable(file, rows, "xlsx", sheet=name)


def read_bytes(path: Path, file: str) -> bytes:
    """The bytes of a regular file within the size cap; a clear :class:`DataError` for a
    missing file, a folder, a device or pipe, an unreadable or too long path."""
    try:
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            raise _fail("is_a_directory", file)
        if not stat.S_ISREG(info.st_mode):  # a FIFO would hang, /dev/zero never ends
            raise _fail("special_file", file)
        limit = current_limits().max_file_mb * MB
        if info.st_size > limit:
            raise too_many("file_mb", file, f"{info.st_size / MB:.0f}")
        with path.open("rb") as fh:  # as much as the file holds (a buffer of the cap's size
            want = info.st_size + 1      # would cost its size in memory), never past the cap
            content = fh.read(want)
            if len(content) == want:  # the file grew while it was read
                content += fh.read(max(limit + 1 - len(content), 0))
    except FileNotFoundError:
        raise _fail("file_not_found", file) from None
    except OSError as err:
        raise _fail("cannot_read", file, reason=err.strerror or str(err)) from None
    if len(content) > limit:  # the file grew while it was read
        raise too_many("file_mb", file, f"> {limit // MB}")
    return content


@contextlib.contextmanager
def paused_gc():
    """The cyclic garbage collector paused: reading a big file makes millions of lists and
    strings that form no cycles, and the collector would walk them again and again (it
    doubles the time of a 100,000-row file)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _content(path: Path, file: str) -> bytes:
    """The bytes of a data file, refused when empty or an old Excel workbook."""
    content = read_bytes(path, file)
    if not content:
        raise _fail("empty_file", file)
    if path.suffix.lower() == ".xls" or content.startswith(b"\xd0\xcf\x11\xe0"):
        raise _fail("old_excel", file)
    return content


def _is_workbook(path: Path, content: bytes) -> bool:
    return path.suffix.lower() in XLSX_SUFFIXES or content.startswith(b"PK\x03\x04")


def read_rows(path: str | Path, sheet: str | None = None) -> RawTable:
    """The rows of a CSV or XLSX file (``sheet``: the worksheet to read, by name); a clear
    :class:`DataError` if it cannot be read or is past a cap (see :mod:`turaqty.io.limits`).
    Rows without content are left out; the others keep their numbers in the file."""
    return _read(Path(path), sheet, every_sheet=False)[0]


def read_tables(path: str | Path) -> list[RawTable]:
    """Every table of a file: each visible sheet of a workbook (a panel, one sheet per
    year; hidden sheets left out), or the one table of a CSV file."""
    return _read(Path(path), None, every_sheet=True)


def _read(path: Path, sheet: str | None, every_sheet: bool) -> list[RawTable]:
    """The file read once: its sheet ``sheet`` (the first by default) or ``every_sheet``,
    or its text; the bytes of a text file are let go once decoded (half the memory of a big
    file)."""
    file = str(path)
    content = _content(path, file)
    sha256 = hashlib.sha256(content).hexdigest()
    with paused_gc():
        if _is_workbook(path, content):
            tables = ([RawTable(file, rows, "xlsx", sheet=name) for name, rows in read_sheets(content, file)]
                      if every_sheet else [_read_xlsx(content, file, sheet)])
        else:  # .csv, .txt, .tsv or anything else that is text
            text, encoding = decode_text(content, file)
            del content
            tables = [_read_csv(text, encoding, file)]
    for table in tables:
        table.sha256 = sha256
    return tables
