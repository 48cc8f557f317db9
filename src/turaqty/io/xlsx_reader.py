"""Reading the cells of one worksheet of an XLSX file, fast and within the caps.

The sheet's XML is unpacked piece by piece and its cells taken with regular expressions
(a hundred thousand rows in seconds, where a general reader takes minutes); every byte
unpacked counts against ``max_unpacked_mb``, every row with content against ``max_rows``.
A cell keeps its stored value: a number (× 100 when shown as a percentage), a text, a
:class:`~turaqty.io.tables.Formula` when the workbook stores no value for a formula.

Which sheet: the one named ``sheet``; else a visible sheet named data / деректер / данные;
else the only visible sheet that looks like data (a header within its first ten rows).
Hidden sheets are never chosen on their own; several data-like sheets ask for ``--sheet``.

Example
-------
>>> import io, openpyxl
>>> wb = openpyxl.Workbook(); ws = wb.active; ws.title = "2023"
>>> ws.append(["region", "B1"]); ws.append(["Абай", 0.9582]); ws["B2"].number_format = "0.00%"
>>> hidden = wb.create_sheet("old"); hidden.append(["region", "B1"]); hidden.sheet_state = "hidden"
>>> buffer = io.BytesIO(); wb.save(buffer)
>>> sheet, rows = read_sheet(buffer.getvalue(), "d.xlsx")
>>> sheet, rows
('2023', [(1, ['region', 'B1']), (2, ['Абай', 95.82])])
"""
from __future__ import annotations

import codecs
import html
import io
import posixpath
import re
import zipfile
import zlib
from decimal import Decimal
from xml.etree import ElementTree

from turaqty.errors import DataError, Problem
from turaqty.io.limits import MB, current_limits, too_many

DATA_SHEET_NAMES = ("data", "деректер", "данные")
_CHUNK = 4 * MB
_ROW = re.compile(r"<(?:\w+:)?row\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?row>)", re.S)
_CELL = re.compile(r"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.S)
_FAST_CELL = re.compile(r'<c r="([A-Z]+)(\d+)"([^>/]*)(?:/>|><v>([^<]*)</v></c>|>(.*?)</c>)', re.S)
_ATTR = re.compile(r'\b([rst])="([^"]*)"')
_ROW_NUMBER = re.compile(r'\br="(\d+)"')
_VALUE = re.compile(r"<(?:\w+:)?v>(.*?)</(?:\w+:)?v>", re.S)
_FORMULA = re.compile(r"<(?:\w+:)?f\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?f>)", re.S)
_TEXT = re.compile(r"<(?:\w+:)?t\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?t>)", re.S)
_PHONETIC = re.compile(r"<(?:\w+:)?rPh\b.*?</(?:\w+:)?rPh>", re.S)
_LETTERS = re.compile(r"([A-Z]+)")
_OOXML_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_DATE_CODE = re.compile(r"[dmyhs]")
_QUOTED = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.')
BUILTIN_PERCENT = {9, 10}
BUILTIN_DATES = set(range(14, 23)) | {45, 46, 47}


def _fail(key: str, file: str, **params) -> DataError:
    return DataError(Problem(key, file=file, params=params))


class _Unpacker:
    """Members of the zip, unpacked with every byte counted against the cap."""

    def __init__(self, content: bytes, file: str):
        self.file = file
        self.limit = current_limits().max_unpacked_mb * MB
        self.used = 0
        self.zip = zipfile.ZipFile(io.BytesIO(content))
        declared = sum(i.file_size for i in self.zip.infolist())
        if declared > self.limit:  # the zip says so itself: refuse before unpacking anything
            raise too_many("unpacked_mb", file, f"{declared / MB:.0f}")
        self.names = {i.filename.lstrip("/"): i.filename for i in self.zip.infolist()}

    def chunks(self, name: str):
        with self.zip.open(self.names[name]) as fh:
            while True:
                block = fh.read(_CHUNK)
                if not block:
                    return
                self.used += len(block)
                if self.used > self.limit:
                    raise too_many("unpacked_mb", self.file, f"> {self.limit // MB}")
                yield block

    def read(self, name: str) -> bytes:
        return b"".join(self.chunks(name))


def _text(xml: str) -> str:
    """The text of a string item: its ``<t>`` runs (phonetic guides left out), unescaped."""
    xml = _PHONETIC.sub("", xml)
    text = "".join(m.group(1) or "" for m in _TEXT.finditer(xml))
    text = html.unescape(text) if "&" in text else text
    return _OOXML_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text) if "_x" in text else text


def _shared_strings(unpacker: _Unpacker) -> list[str]:
    if "xl/sharedStrings.xml" not in unpacker.names:
        return []
    xml = unpacker.read("xl/sharedStrings.xml").decode("utf-8")
    return [_text(m.group(1) or "") for m in
            re.finditer(r"<(?:\w+:)?si\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?si>)", xml, re.S)]


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _formats(unpacker: _Unpacker) -> list[str]:
    """Per cell style: ``percent``, ``date`` or ``''``."""
    if "xl/styles.xml" not in unpacker.names:
        return []
    root = ElementTree.fromstring(unpacker.read("xl/styles.xml"))
    codes = {int(e.get("numFmtId", -1)): e.get("formatCode", "") for e in root.iter()
             if _local(e.tag) == "numFmt"}
    kinds = []
    for parent in root.iter():
        if _local(parent.tag) == "cellXfs":
            for xf in parent:
                fid = int(xf.get("numFmtId", 0) or 0)
                code = _QUOTED.sub("", codes.get(fid, "")).lower()
                if fid in BUILTIN_PERCENT or "%" in code:
                    kinds.append("percent")
                elif fid in BUILTIN_DATES or (fid in codes and _DATE_CODE.search(code)
                                              and "general" not in code):
                    kinds.append("date")
                else:
                    kinds.append("")
    return kinds


def _sheets(unpacker: _Unpacker) -> list[tuple[str, str, str]]:
    """(name, state, member) of every worksheet, in the workbook's order."""
    rels = ElementTree.fromstring(unpacker.read("xl/_rels/workbook.xml.rels"))
    targets = {e.get("Id"): e.get("Target", "") for e in rels.iter() if _local(e.tag) == "Relationship"}
    book = ElementTree.fromstring(unpacker.read("xl/workbook.xml"))
    out = []
    for e in book.iter():
        if _local(e.tag) != "sheet":
            continue
        rid = next((v for k, v in e.attrib.items() if _local(k) == "id"), None)
        target = targets.get(rid, "")
        member = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
            posixpath.join("xl", target))
        if member in unpacker.names:  # chart sheets and dialog sheets have no cells to read
            out.append((e.get("name", ""), e.get("state", "visible"), member))
    return out


def _last_row_start(buffer: str) -> int:
    """Where the last (possibly incomplete) row of ``buffer`` begins; 0 if none does."""
    k = buffer.rfind("<row")
    prefixed = buffer.rfind(":row")
    if prefixed > k:  # <x:row ...>
        k = buffer.rfind("<", 0, prefixed)
    return max(k, 0)


def _column(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


class _SheetReader:
    """The rows of one sheet: ``(row number, cells)`` for every row with content."""

    def __init__(self, unpacker: _Unpacker, strings: list[str], formats: list[str]):
        self.unpacker, self.strings, self.formats = unpacker, strings, formats
        self.limits = current_limits()
        self._columns: dict[str, int] = {}  # column letters → index
        self._kinds: dict[str, tuple[str, str]] = {}  # a cell's attributes → type, format

    def rows(self, member: str, first: int | None = None):
        file, limits = self.unpacker.file, self.limits
        buffer, number, count = "", 0, 0
        decoder = codecs.getincrementaldecoder("utf-8")()
        blocks = self.unpacker.chunks(member)
        done = False
        while not done:
            block = next(blocks, None)
            done = block is None
            buffer += decoder.decode(block or b"", final=done)
            cut = len(buffer) if done else _last_row_start(buffer)
            part, buffer = buffer[:cut], buffer[cut:]
            parsed = self._fast_rows(part)
            if parsed is None:  # cells without a reference, or tags with a prefix
                parsed = []
                for m in _ROW.finditer(part):
                    found = _ROW_NUMBER.search(m.group(1))
                    number = int(found.group(1)) if found else number + 1
                    cells = self._cells(m.group(2), number) if m.group(2) else None
                    if cells:
                        parsed.append((number, cells))
            elif parsed:
                number = parsed[-1][0]
            for n, cells in parsed:
                count += 1
                if count > limits.max_rows:
                    raise too_many("rows", file, f"> {limits.max_rows}", row=n)
                yield n, cells
                if first is not None and count >= first:
                    return

    def _fast_rows(self, xml: str) -> list | None:
        """The rows of ``xml`` when every cell is written the usual way (``<c r="B7" ...>``,
        as Excel, LibreOffice and openpyxl write them): one regular-expression pass, then
        a short step per cell. None for other writing (read by the general path)."""
        found = _FAST_CELL.findall(xml)
        if len(found) != xml.count("<c ") or xml.count("<c>"):
            return None
        limits, strings, columns = self.limits, self.strings, self._columns
        rows: list[tuple[int, list]] = []
        current = ""  # the number of the row being read ("" before the first)
        cells: list = []
        for letters, number, attrs, text, inner in found:
            if not (text or inner):
                continue
            if number != current:
                if cells:
                    rows.append((int(current), cells))
                current, cells = number, []
            kind, fmt = self._attributes(attrs) if attrs else ("n", "")
            value: object
            if text and kind == "n" and not fmt:
                value = float(text) if "." in text or "E" in text or "e" in text else int(text)
            elif text and kind == "s":
                value = strings[int(text)]
            else:
                value = self._value(dict(_ATTR.findall(attrs)), inner or f"<v>{text}</v>")
            if value is None or value == "":
                continue
            j = columns.get(letters)
            if j is None:
                j = columns[letters] = _column(letters)
                if j >= limits.max_columns:
                    raise too_many("columns", self.unpacker.file, f"> {limits.max_columns}",
                                   row=int(number))
            if isinstance(value, str) and len(value) > limits.max_cell_chars:
                from turaqty.io.tables import column_label

                raise too_many("cell_chars", self.unpacker.file, len(value), row=int(number),
                               column=column_label(j))
            if j == len(cells):
                cells.append(value)
            else:
                if j > len(cells):
                    cells.extend([None] * (j - len(cells) + 1))
                cells[j] = value
        if cells:
            rows.append((int(current), cells))
        return rows

    def _attributes(self, attrs: str) -> tuple[str, str]:
        """The type and the number format (percent, date or '') of a cell's attributes."""
        known = self._kinds.get(attrs)
        if known is None:
            a = dict(_ATTR.findall(attrs))
            style = int(a.get("s", 0) or 0)
            known = self._kinds[attrs] = (a.get("t", "n"),
                                          self.formats[style] if style < len(self.formats) else "")
        return known

    def _cells(self, xml: str, number: int) -> list:
        cells: list = []
        for m in _CELL.finditer(xml):
            attrs = dict(_ATTR.findall(m.group(1)))
            inner = m.group(2) or ""
            value = self._value(attrs, inner)
            if value is None or value == "":
                if "r" in attrs:
                    continue
                cells.append(None)
                continue
            ref = attrs.get("r")
            if ref:
                letters = _LETTERS.match(ref)
                assert letters is not None, ref  # as before: a reference must start with letters
                j = _column(letters.group(1))
            else:
                j = len(cells)
            if j >= self.limits.max_columns:
                raise too_many("columns", self.unpacker.file, f"> {self.limits.max_columns}", row=number)
            if isinstance(value, str) and len(value) > self.limits.max_cell_chars:
                from turaqty.io.tables import column_label

                raise too_many("cell_chars", self.unpacker.file, len(value), row=number,
                               column=column_label(j))
            if j >= len(cells):
                cells.extend([None] * (j - len(cells) + 1))
            cells[j] = value
        while cells and cells[-1] is None:
            cells.pop()
        return cells

    def _value(self, attrs: dict, inner: str):
        kind = attrs.get("t", "n")
        v = _VALUE.search(inner) if "v>" in inner else None
        if v is not None and v.group(1) == "":  # <v></v>: written by lxml for no value
            v = None
        if v is None:
            if kind == "inlineStr":
                return _text(inner)
            f = _FORMULA.search(inner) if "f" in inner else None
            if f is None:
                return None
            from turaqty.io.tables import Formula

            return Formula("=" + html.unescape(f.group(1) or ""))
        text = v.group(1)
        if kind == "s":
            return self.strings[int(text)]
        if kind in ("str", "e", "d", "inlineStr"):
            return html.unescape(text)
        if kind == "b":
            return text.strip() == "1"
        x = float(text)
        style = attrs.get("s")
        if style:
            fmt = self.formats[int(style)] if int(style) < len(self.formats) else ""
            if fmt == "percent":  # 0.9582 shown as 95.82 %: to Excel's 15 significant digits
                return float(f"{float(Decimal(text).scaleb(2)):.15g}")
            if fmt == "date":
                from openpyxl.utils.datetime import from_excel

                return from_excel(x)
        return int(x) if x.is_integer() and "." not in text and "E" not in text.upper() else x


def _looks_like_header(rows) -> bool:
    from turaqty.io.tables import looks_like_header

    return any(looks_like_header(cells) for _, cells in rows)


def read_sheet(content: bytes, file: str, sheet: str | None = None) -> tuple[str, list]:
    """The name of the sheet read and its rows ``(row number, cells)`` with content.

    A workbook that cannot be read (a zip that is not a workbook, bad XML, a damaged
    member) is a :class:`DataError` ``bad_xlsx``; a named sheet that is not there names
    the sheets that are; several sheets holding data ask for ``--sheet``.
    """
    def chosen(sheets, visible, reader):
        name, _, member = _choose(sheets, visible, sheet, reader, file)
        return name, list(reader.rows(member))

    return _workbook(content, file, chosen)


def read_sheets(content: bytes, file: str) -> list[tuple[str, list]]:
    """The name and rows of every visible sheet (a panel: one sheet per year); hidden
    sheets are left out."""
    def every(sheets, visible, reader):
        if not visible:
            raise _fail("bad_xlsx", file)
        return [(name, list(reader.rows(member))) for name, _, member in visible]

    return _workbook(content, file, every)


def _workbook(content: bytes, file: str, take):
    """``take(sheets, visible sheets, reader)`` on the workbook ``content``; a damaged
    workbook, whatever part is damaged, is a :class:`DataError` ``bad_xlsx``."""
    try:
        unpacker = _Unpacker(content, file)
        sheets = _sheets(unpacker)
        if not sheets:
            raise _fail("bad_xlsx", file)
        reader = _SheetReader(unpacker, _shared_strings(unpacker), _formats(unpacker))
        return take(sheets, [s for s in sheets if s[1] not in ("hidden", "veryHidden")], reader)
    except DataError:
        raise
    except (zipfile.BadZipFile, zlib.error, KeyError, ValueError, IndexError, EOFError, ArithmeticError,
            ElementTree.ParseError, UnicodeDecodeError, NotImplementedError, RuntimeError,
            OverflowError, AttributeError):
        raise _fail("bad_xlsx", file) from None


def _choose(sheets, visible, sheet, reader, file):
    names = ", ".join(s[0] for s in visible) or "-"
    if sheet is not None:
        wanted = next((s for s in sheets if s[0] == sheet), None) or next(
            (s for s in sheets if s[0].strip().lower() == sheet.strip().lower()), None)
        if wanted is None:
            raise DataError(Problem("sheet_not_found", file=file, value=sheet, params={"sheets": names}))
        return wanted
    if not visible:
        raise _fail("bad_xlsx", file)
    named = [s for s in visible if s[0].strip().lower() in DATA_SHEET_NAMES]
    if named:
        return named[0]
    data_like = [s for s in visible if _looks_like_header(reader.rows(s[2], first=10))]
    if len(data_like) > 1:
        raise DataError(Problem("several_sheets", file=file,
                                params={"sheets": ", ".join(s[0] for s in data_like)}))
    return (data_like or visible)[0]
