"""Writing XLSX workbooks fast and without dependencies: the SpreadsheetML parts are built
as strings, a column at a time, and zipped reproducibly (equal inputs, equal bytes).

What a cell holds: a number (written with ``repr``, which reads back exactly), a bool, a
text (inline, XML-escaped; characters a workbook cannot hold become ``?``; a text that
starts with ``=`` stays text), or nothing (None, NaN, NA, ``""``, and infinities, which a
workbook cannot hold either). Only
:meth:`Sheet.formula` writes a formula. Formats (:class:`Format`): bold, italic,
underline, size, colour, a number format, wrapped text aligned to the top. A sheet can
have frozen panes, column widths, conditional formatting (an expression or "equal to a
text", with a fill), links to other sheets, and a landscape page fitted to its width
with title rows and columns repeated.

Example
-------
>>> import io, openpyxl
>>> book = Workbook()
>>> sheet = book.add_sheet("Data")
>>> sheet.write_row(1, ["region", "=B1", "value"], Format(bold=True))
>>> sheet.write_column(3, [0.1, float("nan")], first_row=2, fmt=Format(number="0.00"))
>>> sheet.formula(4, 3, "SUM(C2:C3)")
>>> ws = openpyxl.load_workbook(io.BytesIO(book.to_bytes()))["Data"]
>>> [c.value for c in ws[1]], ws["C2"].value, ws["C2"].number_format, ws["C4"].value
(['region', '=B1', 'value'], 0.1, '0.00', '=SUM(C2:C3)')
>>> ws["B1"].data_type, ws["A1"].font.b
('s', True)
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import numpy as np

from turaqty.io.tables import column_label
from turaqty.io.write import fixed_time_zip, fixed_timestamp

MAX_TEXT = 32_767  # UTF-16 code units a cell can hold
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
# C0 controls other than tab and newline, lone surrogates, U+FFFE and U+FFFF: not XML 1.0
_UNWRITABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_OOXML_ESCAPE = re.compile("_(x[0-9A-Fa-f]{4}_)")  # read by Excel as a character code
_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\\x00-\x1f]")
_BUILTIN_FORMATS = {"General": 0, "0": 1, "0.00": 2, "#,##0": 3, "#,##0.00": 4, "0%": 9, "0.00%": 10}


@dataclass(frozen=True)
class Format:
    """How a cell looks: font, number format, and ``wrap`` (wrapped text, top-aligned).

    >>> Format(bold=True, number="0.00")
    Format(bold=True, italic=False, underline=False, size=11, colour='', number='0.00', wrap=False)
    """

    bold: bool = False
    italic: bool = False
    underline: bool = False
    size: float = 11
    colour: str = ""  # RRGGBB; "" for automatic
    number: str = "General"
    wrap: bool = False


PLAIN = Format()


def escape(text: str) -> str:
    """``text`` as XML character data (and attribute value): ``& < > "`` escaped, a
    carriage return kept as a reference, characters XML cannot carry ``?``, and a literal
    ``_xHHHH_`` protected from being read as a character code.

    >>> escape('a<b & "c"\\r_x0041_\\x01')
    'a&lt;b &amp; &quot;c&quot;&#13;_x005F_x0041_?'
    """
    if _UNWRITABLE.search(text):
        text = _UNWRITABLE.sub("?", text)
    if "_x" in text:
        text = _OOXML_ESCAPE.sub(r"_x005F_\1", text)
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("\r", "&#13;"))


def sheet_name(title: str) -> str:
    """A name Excel accepts: characters it forbids (``[ ] : * ? / \\``) become ``-``, at
    most 31 characters, no apostrophe at either end.

    >>> sheet_name("Risks: by region / pillar and indicator")
    'Risks- by region - pillar and i'
    """
    name = _SHEET_NAME_FORBIDDEN.sub("-", _UNWRITABLE.sub("-", title))[:31].strip("'")
    return name or "-"


def _text_cell(ref: str, style: str, text: str) -> str:
    body = _short_inline(text) if len(text) <= 200 else _inline(text)
    return f'<c r="{ref}"{style} t="inlineStr">{body}</c>'


def _inline(text: str) -> str:
    """The ``<is>`` element of a text: cut to :data:`MAX_TEXT` (:func:`_cut`), escaped, its
    leading or trailing spaces kept."""
    text = _cut(text)
    space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
    return f"<is><t{space}>{escape(text)}</t></is>"


def _cut(text: str) -> str:
    """``text`` cut to :data:`MAX_TEXT` UTF-16 code units, as Excel counts (a character
    beyond the basic plane counts twice and is never split).

    >>> len(_cut("🙂" * MAX_TEXT)), len(_cut("я" * (MAX_TEXT + 5)))
    (16383, 32767)
    """
    if len(text) <= MAX_TEXT // 2:
        return text
    units = text.encode("utf-16-le", "surrogatepass")  # a lone surrogate passes (written as ?)
    if len(units) <= 2 * MAX_TEXT:
        return text
    cut = units[:2 * MAX_TEXT].decode("utf-16-le", "surrogatepass")
    return cut[:-1] if cut[-1] != text[len(cut) - 1] else cut  # half a character: left out


_short_inline = functools.lru_cache(maxsize=4096)(_inline)  # names and levels recur in every sheet


def _cell(ref: str, style: str, value) -> str | None:
    """One ``<c>`` element, or None for an empty cell."""
    if isinstance(value, str):
        return _text_cell(ref, style, value) if value else None
    if value is None:
        return None
    if hasattr(value, "item") and not isinstance(value, (list, tuple)):  # numpy scalars
        value = value.item()
        if isinstance(value, np.floating):  # a long double stays NumPy's: Excel holds doubles
            value = float(value)
    if isinstance(value, bool):
        return f'<c r="{ref}"{style} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int):
        return f'<c r="{ref}"{style}><v>{value}</v></c>'
    if isinstance(value, float):
        return f'<c r="{ref}"{style}><v>{value!r}</v></c>' if value - value == 0 else None
    if _is_missing(value):
        return None
    raise TypeError(f"a workbook cell cannot hold {type(value).__name__}: {value!r}")


def _is_missing(value) -> bool:
    """pandas' NA and NaT (NaN is a float)."""
    try:
        return bool(value != value)
    except TypeError:  # NA != NA is NA, which is neither true nor false
        return True


class Sheet:
    """One worksheet; cells are written with 1-based row and column numbers."""

    def __init__(self, book: Workbook, title: str):
        self.book, self.title = book, title
        self._rows: dict[int, dict[int, str]] = {}
        self._widths: dict[int, float] = {}
        self._freeze: tuple[int, int] | None = None
        self._rules: dict[str, list[str]] = {}
        self._priority = 0
        self._links: list[tuple[str, str]] = []
        self._landscape_fit_width = False
        self.print_titles = ""

    # -- cells -----------------------------------------------------------------------
    def write(self, row: int, col: int, value, fmt: Format = PLAIN) -> None:
        """One cell (a value, never a formula)."""
        self.write_column(col, [value], first_row=row, fmt=fmt)

    def write_row(self, row: int, values, fmt: Format = PLAIN, first_col: int = 1) -> None:
        """``values`` from ``first_col`` rightwards."""
        for col, value in enumerate(values, start=first_col):
            self.write_column(col, [value], first_row=row, fmt=fmt)

    def write_column(self, col: int, values, first_row: int, fmt: Format = PLAIN) -> None:
        """``values`` (a list, array or Series) downwards from ``first_row``; a column of
        floats, ints or bools is written without looking at each value's type."""
        style = self.book._style(fmt)
        letter = column_label(col - 1)
        dtype = getattr(values, "dtype", None)
        kind = dtype.kind if isinstance(dtype, np.dtype) else "O"  # pandas' nullable types hold NA
        if kind == "f" and dtype is not None and dtype.itemsize > 8:  # long doubles: Excel holds doubles
            values = np.asarray(values, dtype=np.float64)
        items = values.tolist() if hasattr(values, "tolist") else list(values)
        refs = [f"{letter}{r}" for r in range(first_row, first_row + len(items))]
        pairs = zip(refs, items, strict=True)
        if kind == "f":  # x - x is 0 for a finite number, NaN for NaN and infinities
            cells = [f'<c r="{ref}"{style}><v>{x!r}</v></c>' if x - x == 0 else None for ref, x in pairs]
        elif kind in "iu":
            cells = [f'<c r="{ref}"{style}><v>{x}</v></c>' for ref, x in pairs]
        elif kind == "b":
            cells = [f'<c r="{ref}"{style} t="b"><v>{int(x)}</v></c>' for ref, x in pairs]
        else:
            cells = [_cell(ref, style, x) for ref, x in pairs]
        rows = self._rows
        for r, ref, cell in zip(range(first_row, first_row + len(refs)), refs, cells, strict=True):
            row = rows.get(r)
            if row is None:
                row = rows[r] = {}
            if cell is not None:
                row[col] = cell
            elif style:  # an empty cell keeps its format, for what is typed into it later
                row[col] = f'<c r="{ref}"{style}/>'
            else:
                row.pop(col, None)

    def formula(self, row: int, col: int, formula: str, fmt: Format = PLAIN) -> None:
        """A formula cell (``formula`` with or without its leading ``=``); the workbook
        is recalculated when opened."""
        ref = f"{column_label(col - 1)}{row}"
        self._rows.setdefault(row, {})[col] = \
            f'<c r="{ref}"{self.book._style(fmt)}><f>{escape(formula.removeprefix("="))}</f></c>'

    # -- layout ----------------------------------------------------------------------
    def width(self, col: int, width: float) -> None:
        """The width of column ``col`` in characters."""
        self._widths[col] = width

    def freeze(self, row: int, col: int) -> None:
        """Freeze the rows above ``row`` and the columns left of ``col`` (B2: 2, 2)."""
        self._freeze = (row, col)

    def rule(self, span: str, fill: str, formula: str, stop_if_true: bool = False) -> None:
        """Fill the cells of ``span`` (``B2:B21``) with the colour ``fill`` (RRGGBB) where
        ``formula``, written for the span's first cell, is true."""
        stop = ' stopIfTrue="1"' if stop_if_true else ""
        self._add_rule(span, f'<cfRule type="expression" priority="{{p}}" dxfId="{self.book._fill(fill)}"'
                             f'{stop}><formula>{escape(formula)}</formula></cfRule>')

    def rule_equal(self, span: str, fill: str, text: str) -> None:
        """Fill the cells of ``span`` that equal the text ``text``."""
        literal = '"' + text.replace('"', '""') + '"'
        self._add_rule(span, f'<cfRule type="cellIs" priority="{{p}}" operator="equal" '
                             f'dxfId="{self.book._fill(fill)}"><formula>{escape(literal)}</formula></cfRule>')

    def _add_rule(self, span: str, xml: str) -> None:
        self._priority += 1
        self._rules.setdefault(span, []).append(xml.replace("{p}", str(self._priority)))

    def link(self, row: int, col: int, target: Sheet) -> None:
        """The cell links to cell A1 of the sheet ``target`` of the same workbook."""
        quoted = target.title.replace("'", "''")
        self._links.append((f"{column_label(col - 1)}{row}", f"'{quoted}'!A1"))

    def print_landscape(self, title_rows: str = "", title_cols: str = "") -> None:
        """Print across (landscape), fitted to the page width, repeating the rows
        (``"1:1"``) and columns (``"A:A"``) named on every page."""
        self._landscape_fit_width = True
        quoted = "'" + self.title.replace("'", "''") + "'!"
        rows = f"{quoted}${title_rows.replace(':', ':$')}" if title_rows else ""
        cols = f"{quoted}${title_cols.replace(':', ':$')}" if title_cols else ""
        self.print_titles = ",".join(p for p in (rows, cols) if p)

    # -- XML -------------------------------------------------------------------------
    def xml(self, selected: bool) -> str:
        rows = sorted(self._rows.items())
        rows = [(r, cells) for r, cells in rows if cells]
        last_col = max((max(cells) for _, cells in rows), default=1)
        last_row = rows[-1][0] if rows else 1
        parts = [_XML, f'<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}">']
        if self._landscape_fit_width:
            parts.append('<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>')
        parts.append(f'<dimension ref="A1:{column_label(last_col - 1)}{last_row}"/>')
        parts.append(self._view(selected))
        parts.append('<sheetFormatPr defaultRowHeight="15"/>')
        if self._widths:
            parts.append("<cols>" + "".join(f'<col min="{c}" max="{c}" width="{w:g}" customWidth="1"/>'
                                            for c, w in sorted(self._widths.items())) + "</cols>")
        parts.append("<sheetData>")
        parts += [f'<row r="{r}">' + "".join(cells[c] for c in sorted(cells)) + "</row>" for r, cells in rows]
        parts.append("</sheetData>")
        parts += [f'<conditionalFormatting sqref="{span}">' + "".join(rules) + "</conditionalFormatting>"
                  for span, rules in self._rules.items()]
        if self._links:
            parts.append("<hyperlinks>" + "".join(
                f'<hyperlink ref="{ref}" location="{escape(location)}"/>' for ref, location in self._links)
                + "</hyperlinks>")
        parts.append('<pageMargins left="0.75" right="0.75" top="1" bottom="1" header="0.5" footer="0.5"/>')
        if self._landscape_fit_width:
            parts.append('<pageSetup orientation="landscape" fitToWidth="1" fitToHeight="0"/>')
        parts.append("</worksheet>")
        return "".join(parts)

    def _view(self, selected: bool) -> str:
        tab = ' tabSelected="1"' if selected else ""
        if self._freeze is None:
            return f'<sheetViews><sheetView{tab} workbookViewId="0"/></sheetViews>'
        row, col = self._freeze
        top_left = f"{column_label(col - 1)}{row}"
        split = (f' xSplit="{col - 1}"' if col > 1 else "") + (f' ySplit="{row - 1}"' if row > 1 else "")
        pane = {(True, True): "bottomRight", (True, False): "topRight",
                (False, True): "bottomLeft"}.get((col > 1, row > 1), "topLeft")
        return (f'<sheetViews><sheetView{tab} workbookViewId="0"><pane{split} topLeftCell="{top_left}" '
                f'activePane="{pane}" state="frozen"/><selection pane="{pane}" activeCell="{top_left}" '
                f'sqref="{top_left}"/></sheetView></sheetViews>')


class Workbook:
    """Sheets in order, the formats their cells use, and the fills of their rules."""

    def __init__(self):
        self.sheets: list[Sheet] = []
        self._formats: dict[Format, int] = {PLAIN: 0}
        self._fills: dict[str, int] = {}

    def add_sheet(self, title: str, position: int | None = None) -> Sheet:
        """A new empty sheet named ``title`` (made acceptable, :func:`sheet_name`), last or
        at ``position``."""
        name = sheet_name(title)
        if name.lower() in (s.title.lower() for s in self.sheets):
            raise ValueError(f"two sheets named {name!r}")
        sheet = Sheet(self, name)
        self.sheets.insert(len(self.sheets) if position is None else position, sheet)
        return sheet

    def _style(self, fmt: Format) -> str:
        """The ``s`` attribute of a cell in format ``fmt`` ("" for the default)."""
        k = self._formats.setdefault(fmt, len(self._formats))
        return f' s="{k}"' if k else ""

    def _fill(self, colour: str) -> int:
        return self._fills.setdefault(colour.upper(), len(self._fills))

    def to_bytes(self) -> bytes:
        """The workbook as an XLSX file; the same workbook always gives the same bytes."""
        n = len(self.sheets)
        members = [
            ("[Content_Types].xml", _content_types(n)),
            ("_rels/.rels", _XML + f'<Relationships xmlns="{_PKG_REL}">'
             f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
             f'<Relationship Id="rId2" Type="{_PKG_REL}/metadata/core-properties" '
             'Target="docProps/core.xml"/>'
             "</Relationships>"),
            ("docProps/core.xml", _core()),
            ("xl/workbook.xml", self._workbook_xml()),
            ("xl/_rels/workbook.xml.rels", _XML + f'<Relationships xmlns="{_PKG_REL}">' + "".join(
                f'<Relationship Id="rId{k}" Type="{_REL}/worksheet" Target="worksheets/sheet{k}.xml"/>'
                for k in range(1, n + 1))
             + f'<Relationship Id="rId{n + 1}" Type="{_REL}/styles" Target="styles.xml"/></Relationships>'),
            ("xl/styles.xml", self._styles_xml()),
        ]
        members += [(f"xl/worksheets/sheet{k}.xml", s.xml(selected=k == 1))
                    for k, s in enumerate(self.sheets, start=1)]
        return fixed_time_zip((name, text.encode("utf-8")) for name, text in members)

    def _workbook_xml(self) -> str:
        sheets = "".join(f'<sheet name="{escape(s.title)}" sheetId="{k}" r:id="rId{k}"/>'
                         for k, s in enumerate(self.sheets, start=1))
        names = "".join(f'<definedName name="_xlnm.Print_Titles" localSheetId="{k}">{escape(s.print_titles)}'
                        "</definedName>" for k, s in enumerate(self.sheets) if s.print_titles)
        return (_XML + f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><workbookPr/>'
                '<bookViews><workbookView activeTab="0"/></bookViews>'
                f"<sheets>{sheets}</sheets>" + (f"<definedNames>{names}</definedNames>" if names else "")
                + '<calcPr calcId="191029" fullCalcOnLoad="1"/></workbook>')

    def _styles_xml(self) -> str:
        formats = list(self._formats)  # in the order of their ids
        custom = {code: 164 + k for k, code in enumerate(dict.fromkeys(
            f.number for f in formats if f.number not in _BUILTIN_FORMATS))}
        fonts = list(dict.fromkeys(_font(f) for f in formats))
        xfs = []
        for f in formats:
            number = _BUILTIN_FORMATS.get(f.number, custom.get(f.number, 0))
            align = '<alignment vertical="top" wrapText="1"/>' if f.wrap else ""
            xfs.append(f'<xf numFmtId="{number}" fontId="{fonts.index(_font(f))}" fillId="0" borderId="0" '
                       f'xfId="0" applyNumberFormat="1" applyFont="1"'
                       + (f' applyAlignment="1">{align}</xf>' if align else "/>"))
        dxfs = "".join(f'<dxf><fill><patternFill patternType="solid"><fgColor rgb="FF{c}"/>'
                       f'<bgColor rgb="FF{c}"/></patternFill></fill></dxf>' for c in self._fills)
        num_fmts = "".join(f'<numFmt numFmtId="{k}" formatCode="{escape(code)}"/>'
                           for code, k in custom.items())
        return (_XML + f'<styleSheet xmlns="{_MAIN}">'
                + (f'<numFmts count="{len(custom)}">{num_fmts}</numFmts>' if custom else "")
                + f'<fonts count="{len(fonts)}">{"".join(fonts)}</fonts>'
                '<fills count="2"><fill><patternFill patternType="none"/></fill>'
                '<fill><patternFill patternType="gray125"/></fill></fills>'
                '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
                '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
                f'<cellXfs count="{len(xfs)}">{"".join(xfs)}</cellXfs>'
                '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
                f'<dxfs count="{len(self._fills)}">{dxfs}</dxfs></styleSheet>')


def _font(f: Format) -> str:
    return ("<font>" + ("<b/>" if f.bold else "") + ("<i/>" if f.italic else "")
            + ('<u val="single"/>' if f.underline else "") + f'<sz val="{f.size:g}"/>'
            + (f'<color rgb="FF{f.colour.upper()}"/>' if f.colour else "")
            + '<name val="Calibri"/><family val="2"/></font>')


def _content_types(n: int) -> str:
    office = "application/vnd.openxmlformats-officedocument"
    package = "application/vnd.openxmlformats-package"
    sheets = "".join(f'<Override PartName="/xl/worksheets/sheet{k}.xml" '
                     f'ContentType="{office}.spreadsheetml.worksheet+xml"/>' for k in range(1, n + 1))
    return (_XML + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            f'<Default Extension="rels" ContentType="{package}.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{office}.spreadsheetml.sheet.main+xml"/>'
            f'<Override PartName="/xl/styles.xml" ContentType="{office}.spreadsheetml.styles+xml"/>'
            f'<Override PartName="/docProps/core.xml" ContentType="{package}.core-properties+xml"/>'
            f"{sheets}</Types>")


def _core() -> str:
    stamp = fixed_timestamp()
    return (_XML + '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
            'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/'
            'terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:creator>turaqty</dc:creator>'
            f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
            f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified></cp:coreProperties>')
