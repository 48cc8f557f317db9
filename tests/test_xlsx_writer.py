"""The workbooks turaqty writes (io.xlsx_writer): read back by openpyxl and pandas, values
equal to the frames written, formats as intended, formulas only where meant, equal bytes
for equal inputs; arbitrary texts and numbers round-trip (hypothesis)."""
from __future__ import annotations

import io
import math
import re
import shutil
import subprocess
import sys
import zipfile

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from openpyxl.utils.escape import unescape

import turaqty
from turaqty.i18n import t
from turaqty.io.xlsx_reader import read_sheet
from turaqty.io.xlsx_writer import MAX_TEXT, Format, Workbook
from turaqty.report import xlsx as report_xlsx

UNWRITABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
ESCAPE_LIKE = re.compile("_x[0-9A-Fa-f]{4}_")
RED, YELLOW, GREEN = report_xlsx.RED, report_xlsx.YELLOW, report_xlsx.GREEN


def _excel_cut(text: str) -> str:
    """The longest start of ``text`` of at most MAX_TEXT UTF-16 code units (a character
    beyond the basic plane counts twice)."""
    units = 0
    for k, ch in enumerate(text):
        units += 2 if ord(ch) > 0xFFFF else 1
        if units > MAX_TEXT:
            return text[:k]
    return text


def expected(value):
    """What a frame's value reads back as: None for a missing value, "" and infinities;
    a text with the characters a workbook cannot hold as ``?``."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, str):
        return UNWRITABLE.sub("?", _excel_cut(value)) or None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def same(read, want) -> bool:
    if want is None:
        return read is None
    if isinstance(want, bool) or isinstance(read, bool):
        return type(read) is type(want) and read == want
    if isinstance(want, float):
        return isinstance(read, (int, float)) and read == want and \
            math.copysign(1, read) == math.copysign(1, want)
    return read == want


@pytest.fixture(scope="module")
def written():
    """Every workbook turaqty writes with the frames written into it: {book: (bytes,
    [(sheet title, frame)])}."""
    from turaqty.analysis.monitor import monitor
    from turaqty.analysis.robustness import run_robustness
    from turaqty.analysis.scenarios import run_scenario, scenario_ids
    from turaqty.report.monitor_outputs import monitor_workbook
    from turaqty.report.outputs import scenario_files
    from turaqty.report.robustness_files import robustness_workbook

    captured: list[tuple[str, pd.DataFrame]] = []
    original = report_xlsx._append_frame

    def spy(ws, frame, formats):
        captured.append((ws.title, frame.copy()))
        original(ws, frame, formats)

    base = turaqty.assess(lang="kk")
    makers = {
        "results.xlsx": lambda: report_xlsx.assessment_workbook(base),
        "risk.xlsx": lambda: report_xlsx.risk_workbook(turaqty.assess()),
        "scenario.xlsx": lambda: scenario_files(
            base, [run_scenario(base, s) for s in scenario_ids()[:3]], "kk")["scenario.xlsx"],
        "monitor.xlsx": lambda: monitor_workbook(monitor()),
        "robustness.xlsx": lambda: robustness_workbook(run_robustness(runs=30, sobol=0), "ru"),
    }
    books = {}
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(report_xlsx, "_append_frame", spy)
        for name, make in makers.items():
            captured.clear()
            books[name] = (make(), list(captured))
    return books


BOOKS = ["results.xlsx", "risk.xlsx", "scenario.xlsx", "monitor.xlsx", "robustness.xlsx"]


@pytest.mark.parametrize("book", BOOKS)
def test_every_workbook_reads_back_with_the_values_written(written, book):
    content, sheets = written[book]
    assert sheets, book
    wb = openpyxl.load_workbook(io.BytesIO(content))
    frames = pd.read_excel(io.BytesIO(content), sheet_name=None)
    for title, frame in sheets:
        rows = list(wb[title].iter_rows(max_row=len(frame) + 1, max_col=frame.shape[1], values_only=True))
        assert list(rows[0]) == [expected(c) for c in frame.columns], (book, title)
        read = frames[title]
        for j in range(frame.shape[1]):
            want = [expected(v) for v in frame.iloc[:, j].tolist()]
            by_openpyxl = [r[j] for r in rows[1:]]
            by_pandas = [None if isinstance(v, float) and math.isnan(v) else v
                         for v in read.iloc[:len(frame), j].tolist()]
            assert all(same(r, w) for r, w in zip(by_openpyxl, want, strict=True)), (book, title, j)
            assert all(same(r, w) or (isinstance(w, int) and r == w) for r, w in
                       zip(by_pandas, want, strict=True)), (book, title, j)


@pytest.mark.parametrize("book", BOOKS)
def test_formulas_only_for_the_risk_thresholds(written, book):
    content, _ = written[book]
    wb = openpyxl.load_workbook(io.BytesIO(content))
    formulas = [(ws.title, c) for ws in wb.worksheets for row in ws.iter_rows() for c in row
                if c.data_type == "f"]
    if book in ("results.xlsx", "risk.xlsx"):
        assert formulas
        for title, cell in formulas:
            assert title == wb.sheetnames[2 if book == "results.xlsx" else 1], title  # the risk map
            col = cell.column_letter
            assert cell.value in (f"=MEDIAN({col}2:{col}21)", f"=AVERAGE({col}2:{col}21)"), cell.value
            assert cell.row in (23, 24)
    else:
        assert formulas == []


@pytest.fixture(scope="module")
def results_book(written):
    return openpyxl.load_workbook(io.BytesIO(written["results.xlsx"][0]))


def test_header_frozen_widths_and_number_formats(results_book):
    lang = "kk"
    wb = results_book
    for ws in wb.worksheets[1:]:
        assert ws.freeze_panes == "B2", ws.title
        for cell in ws[1]:
            if cell.value is not None:
                assert cell.font.b and cell.alignment.wrap_text and cell.alignment.vertical == "top"
        widths = [ws.column_dimensions[c.column_letter].width for c in ws[1]]
        assert all(8 <= w <= 60 for w in widths), ws.title
    indices = wb[t("sheet.indices", lang)]
    names = [c.value for c in indices["A"][1:]]
    assert indices.column_dimensions["A"].width == max(8, max(map(len, names)) + 2)
    header = [c.value for c in indices[1]]
    for j, name in enumerate(header, start=1):
        index_column = name in {t(f"col.{c}", lang) for c in ("social", "economic", "ecological", "integral")}
        for row in range(2, 22):
            assert indices.cell(row, j).number_format == ("0.00" if index_column else "General"), name
    stats = wb[t("sheet.stats", lang)]
    mean = [c.value for c in stats[1]].index(t("col.mean", lang)) + 1
    assert {stats.cell(r, mean).number_format for r in range(2, stats.max_row + 1)} == {"#,##0.00"}
    scores = wb[t("sheet.scores", lang)]
    assert scores["C2"].number_format == "0.00" and scores["A2"].number_format == "General"
    risk_map = wb[t("sheet.risk", lang)]
    assert {c.number_format for row in risk_map["B2:BA21"] for c in row} == {"#,##0.0###"}
    assert risk_map["A23"].font.b and risk_map["A28"].font.i
    matrix = wb[t("sheet.matrix", lang)]
    assert "\n" in matrix["C2"].value and matrix["C2"].alignment.wrap_text
    assert matrix["C2"].alignment.vertical == "top"


def test_same_widths_as_the_openpyxl_writer_gave():
    """The widths the workbook had when openpyxl wrote it (embedded data, English)."""
    wb = openpyxl.load_workbook(io.BytesIO(report_xlsx.assessment_workbook(turaqty.assess())))
    ws = wb[t("sheet.indices")]
    assert [ws.column_dimensions[c.column_letter].width for c in ws[1]] == \
        [25, 20, 20, 20, 20, 14, 16, 18, 8, 15, 17, 19, 8]
    assert wb[t("sheet.contents")].column_dimensions["A"].width == 40


def test_conditional_formats_and_their_fills(results_book):
    lang = "kk"
    risk_map = results_book[t("sheet.risk", lang)]
    rules = {str(cf.sqref): cf.rules for cf in risk_map.conditional_formatting}
    assert len(rules) >= 40  # one range per indicator with thresholds
    for span, rs in rules.items():
        col = span.split(":")[0][:-1]
        assert [r.type for r in rs] == ["expression"] * 3 and all(r.stopIfTrue for r in rs)
        assert [r.dxf.fill.bgColor.rgb[-6:] for r in rs] == [RED, GREEN, YELLOW]
        assert {r.dxf.fill.patternType for r in rs} == {"solid"}
        assert rs[0].formula[0].startswith(f"AND(ISNUMBER({col}2),{col}2")
        assert rs[0].formula[0].endswith(f"{col}$23)") and rs[2].formula == [f"AND(ISNUMBER({col}2),TRUE)"]
    for key in ("indices", "region_types", "macro_regions"):
        ws = results_book[t(f"sheet.{key}", lang)]
        (cf,) = list(ws.conditional_formatting)
        assert str(cf.sqref) == f"A2:{ws.cell(1, ws.max_column).column_letter}{ws.max_row}"
        assert [(r.type, r.operator, r.formula, r.dxf.fill.bgColor.rgb[-6:]) for r in cf.rules] == [
            ("cellIs", "equal", [f'"{t(f"level.{lv}", lang)}"'], colour)
            for lv, colour in (("high", GREEN), ("medium", YELLOW), ("low", RED))]


def test_contents_links_and_page_setup(results_book):
    lang = "kk"
    wb = results_book
    contents = wb.worksheets[0]
    assert contents.title == t("sheet.contents", lang)
    assert contents["A1"].font.b and contents["A1"].font.sz == 13
    for k, name in enumerate(wb.sheetnames[1:], start=2):
        cell = contents.cell(k, 1)
        assert cell.value == name and cell.hyperlink.location == f"'{name}'!A1"
        assert cell.font.u == "single" and cell.font.color.rgb[-6:] == "0563C1"
    risk_map = wb[t("sheet.risk", lang)]
    assert risk_map.page_setup.orientation == "landscape"
    assert risk_map.sheet_properties.pageSetUpPr.fitToPage
    assert risk_map.page_setup.fitToHeight == 0 and risk_map.page_setup.fitToWidth in (None, 1)
    assert (risk_map.print_title_rows, risk_map.print_title_cols) == ("$1:$1", "$A:$A")  # openpyxl adds $
    assert all(ws.print_title_rows is None for ws in wb.worksheets if ws is not risk_map)


def test_template_workbook():
    from turaqty.io.template import template_bytes, template_frame

    frame = template_frame("kk")
    wb = openpyxl.load_workbook(io.BytesIO(template_bytes("xlsx", "kk")))
    data, info = wb.worksheets
    assert data.title == t("sheet.data", "kk") and info.title == t("sheet.indicators", "kk")
    rows = list(data.iter_rows(max_col=frame.shape[1], values_only=True))
    assert list(rows[0]) == list(frame.columns)
    assert [list(r) for r in rows[1:]] == [[v or None for v in r] for r in frame.values.tolist()]
    assert all(c.font.b for c in data[1]) and not data["A4"].font.i
    assert all(c.font.i and c.font.color.rgb[-6:] == "666666" for c in data[2] + data[3])
    assert data.freeze_panes == "C4" and data.column_dimensions["B"].width == 32
    assert info.column_dimensions["B"].width == 70 and not info["A1"].font.b
    assert info.max_row == frame.shape[1] - 2 + 1


def test_equal_inputs_give_equal_bytes(written):
    a = turaqty.assess(lang="kk")
    assert report_xlsx.assessment_workbook(a) == written["results.xlsx"][0]
    assert report_xlsx.assessment_workbook(a) == report_xlsx.assessment_workbook(turaqty.assess(lang="kk"))


def test_commands_that_write_workbooks_do_not_import_openpyxl(tmp_path):
    for command in (["assess", "--quiet"], ["report"]):
        code = ("import sys, turaqty.cli; rc = turaqty.cli.main(sys.argv[1:]); "
                "print(rc, 'openpyxl' in sys.modules)")
        done = subprocess.run([sys.executable, "-c", code, *command, "--out", str(tmp_path / command[0])],
                              capture_output=True, text=True, check=True)
        assert done.stdout.split()[-2:] == ["0", "False"], (command, done.stdout, done.stderr)


# ---------------------------------------------------------------------------------------
# the writer on its own: arbitrary texts and numbers
# ---------------------------------------------------------------------------------------

SPECIAL = ["=cmd|' /C calc'!A0", "+1", "-x", "@SUM(A1)", "=1+1", "a<b>&\"c\"'", "\x00\x01\x1f bell\x07",
           "\ud800 lone", "\ufffe\uffff", "🇰🇿 Қазақстан 😀", " lead", "trail ", "\n", "a\r\nb\rc",
           "_x0041_ and _x005F_", "tab\there", "]]>", "&amp;"]
texts = st.one_of(st.text(max_size=40), st.sampled_from(SPECIAL),
                  st.builds(lambda s, n: (s * n)[:n], st.text(min_size=1, max_size=3),
                            st.integers(30_000, MAX_TEXT + 10)),
                  st.builds(lambda n, k: "я" * k + "😀" * n, st.integers(16_000, 17_000), st.integers(0, 2)))
floats = st.floats(allow_infinity=False) | st.sampled_from([1e-300, 1e300, -0.0, 5e-324, 2.0 ** 53 + 2])
integers = st.integers(-(2 ** 70), 2 ** 70) | st.sampled_from([2 ** 53 + 1, -(2 ** 63)])


def _book(texts_, floats_, ints_) -> bytes:
    book = Workbook()
    sheet = book.add_sheet("t")
    sheet.write_column(1, pd.Series(texts_, dtype=object), first_row=1)
    sheet.write_column(2, np.array(floats_, dtype=float), first_row=1, fmt=Format(number="0.00"))
    sheet.write_column(3, ints_, first_row=1)
    return book.to_bytes()


@given(st.lists(texts, min_size=1, max_size=6), st.lists(floats, min_size=1, max_size=6),
       st.lists(integers, min_size=1, max_size=6))
@example(SPECIAL, [1e-300, 1e300, -0.0, float("nan")], [2 ** 53 + 1, 0, -5])
@settings(max_examples=60, deadline=None)
def test_texts_and_numbers_round_trip(texts_, floats_, ints_):
    content = _book(texts_, floats_, ints_)
    ws = openpyxl.load_workbook(io.BytesIO(content))["t"]
    n = max(len(texts_), len(floats_), len(ints_))
    read = list(ws.iter_rows(min_row=1, max_row=n, max_col=3, values_only=True))
    read += [(None, None, None)] * (n - len(read))
    for k, text in enumerate(texts_):
        want, got = expected(text), read[k][0]
        if want is None:
            assert got is None
        else:  # openpyxl does not decode the _xHHHH_ escapes Excel reads; its unescape does
            assert unescape(got) == want and (got == want or ESCAPE_LIKE.search(want))
            assert ws.cell(k + 1, 1).data_type == "s"  # never a formula
    for k, x in enumerate(floats_):
        assert same(read[k][1], expected(x)), (x, read[k][1])
    for k, i in enumerate(ints_):
        assert read[k][2] == i and type(read[k][2]) is int
    _, rows = read_sheet(content, "t.xlsx")  # turaqty's own reader decodes every escape
    ours = {number: cells for number, cells in rows}
    for k, text in enumerate(texts_):
        cells = ours.get(k + 1, [])
        assert (cells[0] if cells else None) == expected(text)


def test_a_text_longer_than_a_cell_holds_is_cut_and_infinity_left_empty():
    ws = openpyxl.load_workbook(io.BytesIO(_book(["x" * (MAX_TEXT + 5)], [math.inf, -math.inf], [1])))["t"]
    assert ws["A1"].value == "x" * MAX_TEXT
    assert ws["B1"].value is None and ws["B2"].value is None


def test_sheet_names_are_made_acceptable_and_links_quote_them():
    book = Workbook()
    first = book.add_sheet("Risks: by region / pillar [all] and every indicator")
    other = book.add_sheet("It's here")
    first.write(1, 1, "go")
    first.link(1, 1, other)
    with pytest.raises(ValueError):
        book.add_sheet("it's HERE")
    book.add_sheet("bad\ufffe\ud800char")  # characters no workbook can hold
    wb = openpyxl.load_workbook(io.BytesIO(book.to_bytes()))
    assert wb.sheetnames == ["Risks- by region - pillar -all-", "It's here", "bad--char"]
    assert wb.worksheets[0]["A1"].hyperlink.location == "'It''s here'!A1"


def test_the_sheet_xml_is_well_formed_and_texts_are_inline(written):
    from xml.etree import ElementTree

    with zipfile.ZipFile(io.BytesIO(written["results.xlsx"][0])) as z:
        assert z.testzip() is None
        for name in z.namelist():
            ElementTree.fromstring(z.read(name))  # raises on bad XML
        assert "xl/sharedStrings.xml" not in z.namelist()


def test_libreoffice_opens_the_workbook(tmp_path, written):
    office = shutil.which("soffice") or shutil.which("libreoffice")
    if office is None:
        pytest.skip("LibreOffice (soffice) is not installed: the headless conversion check is not run")
    book = tmp_path / "results.xlsx"
    book.write_bytes(written["results.xlsx"][0])
    subprocess.run([office, "--headless", "--convert-to", "csv", "--outdir", str(tmp_path), str(book)],
                   check=True, capture_output=True, timeout=120)
    text = (tmp_path / "results.csv").read_text(encoding="utf-8", errors="replace")
    assert t("sheet.contents", "kk") in text


def test_the_fixed_time_follows_source_date_epoch(monkeypatch):
    def stamps() -> tuple[set, bytes]:
        book = Workbook()
        book.add_sheet("s").write(1, 1, 1.5)
        with zipfile.ZipFile(io.BytesIO(book.to_bytes())) as z:
            return {i.date_time for i in z.infolist()}, z.read("docProps/core.xml")

    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    times, core = stamps()
    assert times == {(2000, 1, 1, 0, 0, 0)} and b">2000-01-01T00:00:00Z<" in core
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # 2023-11-14 22:13:20 UTC
    times, core = stamps()
    assert times == {(2023, 11, 14, 22, 13, 20)} and b">2023-11-14T22:13:20Z<" in core


def test_long_doubles_and_long_texts_as_excel_counts_them():
    """Long doubles are written as doubles (not NumPy's repr); a text is cut where Excel
    cuts it, at 32,767 UTF-16 code units, never inside a character."""
    book = Workbook()
    sheet = book.add_sheet("t")
    sheet.write_column(1, np.array([1.5, 1 / 3], dtype=np.longdouble), first_row=1)
    sheet.write(3, 1, np.longdouble(2.25))
    sheet.write(4, 1, "я" + "😀" * MAX_TEXT)
    ws = openpyxl.load_workbook(io.BytesIO(book.to_bytes()))["t"]
    assert [ws["A1"].value, ws["A2"].value, ws["A3"].value] == [1.5, float(np.longdouble(1) / 3), 2.25]
    assert ws["A4"].value == "я" + "😀" * ((MAX_TEXT - 1) // 2)
