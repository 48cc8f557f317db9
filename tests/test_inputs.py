"""Reading user files through the API: every bad input is reported precisely (key, file,
row, column, value, message in en/kk/ru); every usual way of writing the same data is
understood and gives exactly the indices of the embedded data."""
from __future__ import annotations

import csv
import gzip
import os
import random
import re
import zipfile
from pathlib import Path

import numpy as np
import pytest

import turaqty
from turaqty import DataError
from turaqty.i18n import LANGUAGES

from .conftest import (
    GROUP_SPACES,
    KZ_OPEN_DATA,
    TEST_DATA,
    assert_problem,
    assert_same_indices,
    file_state,
    numeric_rows,
    rewrite_xlsx,
    row_of,
    table_rows,
    write_csv,
    write_xlsx,
)

REGIONS = turaqty.load_regions()


def problems_of(path) -> list:
    """The problems of ``path``, checking the three entry points agree on them."""
    checked = turaqty.check_data(path)
    assert checked.dataset is None and checked.problems
    with pytest.raises(DataError) as err:
        turaqty.read_data(path)
    assert err.value.problems == checked.problems
    with pytest.raises(DataError) as err:
        turaqty.assess(path)
    assert err.value.problems == checked.problems
    return checked.problems


def only_problem(path):
    problems = problems_of(path)
    assert len(problems) == 1, problems
    return problems[0]


# ---------------------------------------------------------------------------------------
# Files that are not tables
# ---------------------------------------------------------------------------------------

def _missing(tmp):
    return tmp / "nowhere.csv"


def _folder(tmp):
    (tmp / "folder.csv").mkdir()
    return tmp / "folder.csv"


def _empty(tmp):
    (tmp / "empty.csv").write_bytes(b"")
    return tmp / "empty.csv"


def _blank_lines(tmp):
    (tmp / "blank.csv").write_bytes(b"\n\n   \r\n\t\n\n")
    return tmp / "blank.csv"


def _bom_only(tmp):
    (tmp / "bom.csv").write_bytes(b"\xef\xbb\xbf\n")
    return tmp / "bom.csv"


def _binary(tmp):
    (tmp / "binary.csv").write_bytes(bytes(range(256)) * 8)
    return tmp / "binary.csv"


def _gzip(tmp):
    (tmp / "packed.csv").write_bytes(gzip.compress(b"region,B1\nabai,1\nakmola,2\n" * 20))
    return tmp / "packed.csv"


def _xls(tmp):
    (tmp / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    return tmp / "old.xls"


def _xls_named_xlsx(tmp):
    (tmp / "old.xlsx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    return tmp / "old.xlsx"


def _corrupt_xlsx(tmp):
    (tmp / "broken.xlsx").write_bytes(b"PK\x03\x04" + b"\x14\x00junk" * 100)
    return tmp / "broken.xlsx"


def _text_named_xlsx(tmp):
    (tmp / "text.xlsx").write_bytes(b"region,B1\nabai,1\nakmola,2\n")
    return tmp / "text.xlsx"


def _zip_named_xlsx(tmp):
    with zipfile.ZipFile(tmp / "archive.xlsx", "w") as z:
        z.writestr("data.csv", "region,B1\nabai,1\n")
    return tmp / "archive.xlsx"


@pytest.mark.parametrize("make, key", [
    (_missing, "file_not_found"),
    (_folder, "is_a_directory"),
    (_empty, "empty_file"),
    (_blank_lines, "empty_file"),
    (_bom_only, "empty_file"),
    (_binary, "not_a_table"),
    (_gzip, "not_a_table"),
    (_xls, "old_excel"),
    (_xls_named_xlsx, "old_excel"),
    (_corrupt_xlsx, "bad_xlsx"),
    (_text_named_xlsx, "bad_xlsx"),
    (_zip_named_xlsx, "bad_xlsx"),
], ids=lambda x: getattr(x, "__name__", x).strip("_"))
def test_file_that_is_not_a_table(tmp_path, make, key):
    path = make(tmp_path)
    p = only_problem(path)
    assert_problem(p, key, path, None, None, None)


def test_old_excel_message_says_how_to_convert(tmp_path):
    p = only_problem(_xls(tmp_path))
    assert ".xls" in p.render("en") and ".xlsx" in p.render("en")
    assert "Сохранить как" in p.render("ru")


# ---------------------------------------------------------------------------------------
# Tables with bad cells: each problem with its file, row, column and value
# ---------------------------------------------------------------------------------------

@pytest.fixture
def rows(wide):
    """The embedded data as text rows: header, abai (row 2) ... kz (row 22)."""
    return table_rows(wide)


def col(rows, code: str) -> int:
    return rows[0].index(code)


def test_no_region_column(tmp_path, rows):
    rows[0][0] = "place"
    for r in rows[1:]:
        r[0] = f"site {r[0]}"  # not region names either, so column A is not taken as one
    path = write_csv(tmp_path / "d.csv", rows)
    assert_problem(only_problem(path), "no_region_column", path, 1, None, "place, B1, B2, B3, B4")


def test_region_column_found_without_header_when_it_holds_region_names(tmp_path, rows, reference):
    rows[0][0] = ""
    path = write_csv(tmp_path / "d.csv", rows)
    assert_same_indices(turaqty.assess(path), reference)


@pytest.mark.parametrize("header", ["Регион", "ОБЛАСТЬ", "Өңір", "unit_id", "Region"])
def test_region_column_header_variants(tmp_path, rows, reference, header):
    rows[0][0] = header
    assert_same_indices(turaqty.assess(write_csv(tmp_path / "d.csv", rows)), reference)


def test_unknown_region_with_suggestions(tmp_path, rows, wide):
    n = row_of(wide, "akmola")
    rows[n - 1][0] = "Акмолла"
    path = write_csv(tmp_path / "d.csv", rows)
    p = only_problem(path)
    assert_problem(p, "unknown_region", path, n, "region", "Акмолла")
    assert p.params["suggestions"] == ("akmola",)
    for lang in ("en", "kk", "ru"):  # suggestions are named in the reader's language
        assert REGIONS.name("akmola", lang) in p.render(lang)


def test_unknown_region_far_from_any_name(tmp_path, rows, wide):
    rows[1][0] = "Atlantis"
    path = write_csv(tmp_path / "d.csv", rows)
    p = only_problem(path)
    assert_problem(p, "unknown_region", path, 2, "region", "Atlantis")


def test_duplicate_region_spelled_two_ways_names_the_first_row(tmp_path, rows):
    assert rows[1][0] == "abai"
    rows.append(["Абай облысы"] + rows[1][1:])
    path = write_csv(tmp_path / "d.csv", rows)
    p = only_problem(path)
    assert_problem(p, "duplicate_region", path, len(rows), "region", "Абай облысы")
    assert p.params["first"] == 2
    for lang in LANGUAGES:
        assert re.search(r"\b2\b", p.render(lang).split(":", 1)[1]), p.render(lang)


def test_duplicate_national_row(tmp_path, rows):
    rows.append(["Республика Казахстан"] + rows[-1][1:])
    path = write_csv(tmp_path / "d.csv", rows)
    p = only_problem(path)
    assert_problem(p, "duplicate_region", path, len(rows), "region", "Республика Казахстан")
    assert p.params["first"] == 22


def test_unknown_indicator_codes(tmp_path, rows):
    rows[0][col(rows, "B2")] = "B99"
    rows[0][col(rows, "B3")] = "X1"
    path = write_csv(tmp_path / "d.csv", rows)
    b99, x1 = problems_of(path)
    assert_problem(b99, "unknown_indicator", path, 1, "B99", "B99", mentions=["B9"])
    assert_problem(x1, "unknown_indicator", path, 1, "X1", "X1")
    assert b99.params["framework"] == "kz-isdr"


def test_duplicate_indicator_column(tmp_path, rows):
    j = col(rows, "B1")
    for r in rows:
        r.append(r[j])
    rows[0][-1] = "b1"
    path = write_csv(tmp_path / "d.csv", rows)
    p = only_problem(path)
    assert_problem(p, "duplicate_indicator", path, 1, "b1", "b1", mentions=["B1"])
    assert p.params["first"] == "B1"


def test_non_numeric_cells(tmp_path, rows):
    cells = {(2, "B1"): "abc", (3, "B2"): "12,5,3", (4, "B3"): "1.2.3a", (5, "B4"): "7 kg",
             (22, "B52"): "TRUE?"}
    for (n, code), text in cells.items():
        rows[n - 1][col(rows, code)] = text
    path = write_csv(tmp_path / "d.csv", rows, sep=";")
    problems = problems_of(path)
    assert len(problems) == len(cells)
    for p, ((n, code), text) in zip(problems, cells.items(), strict=True):
        assert_problem(p, "cell_not_numeric", path, n, code, text)


def test_infinite_cells(tmp_path, rows):
    cells = {(2, "B1"): "inf", (3, "B1"): "1e400", (4, "B2"): "-inf", (5, "B3"): "∞",
             (6, "B4"): "-1E999"}
    for (n, code), text in cells.items():
        rows[n - 1][col(rows, code)] = text
    path = write_csv(tmp_path / "d.csv", rows)
    problems = problems_of(path)
    assert len(problems) == len(cells)
    for p, ((n, code), text) in zip(problems, cells.items(), strict=True):
        assert_problem(p, "cell_infinite", path, n, code, text)


def test_empty_column(tmp_path, rows):
    j = col(rows, "B5")
    for r in rows[1:-1]:  # every region empty; the national row keeps its value
        r[j] = ""
    path = write_csv(tmp_path / "d.csv", rows)
    assert_problem(only_problem(path), "empty_column", path, None, "B5", "B5")


def test_empty_region_row(tmp_path, rows, wide):
    n = row_of(wide, "akmola")
    rows[n - 1][1:] = [""] * (len(rows[0]) - 1)
    path = write_csv(tmp_path / "d.csv", rows)
    assert_problem(only_problem(path), "empty_row", path, n, None, "akmola")  # as written


def test_column_with_values_but_no_header(tmp_path, rows):
    for k, r in enumerate(rows):
        r.insert(3, "" if k == 0 else "1.5")  # between B2 and B3: column D
    path = write_csv(tmp_path / "d.csv", rows)
    assert_problem(only_problem(path), "column_without_header", path, 1, "D", None)


def test_empty_column_without_header_is_ignored(tmp_path, rows, reference):
    for r in rows:
        r.insert(3, "")
    assert_same_indices(turaqty.assess(write_csv(tmp_path / "d.csv", rows)), reference)


def test_values_row_without_region_name(tmp_path, rows, wide):
    n = row_of(wide, "akmola")
    rows[n - 1][0] = "   "
    path = write_csv(tmp_path / "d.csv", rows)
    p = only_problem(path)
    assert_problem(p, "region_missing", path, n, "region", None)
    assert "#" in p.render("en")  # tells how to keep it as a comment


@pytest.mark.parametrize("with_national", [False, True])
def test_only_one_region(tmp_path, rows, with_national):
    kept = [rows[0], rows[1]] + ([rows[-1]] if with_national else [])
    path = write_csv(tmp_path / "d.csv", kept)
    p = only_problem(path)
    assert_problem(p, "one_region", path, None, None, None)
    assert "Абай" in p.render("ru")


def test_header_only_has_no_regions(tmp_path, rows):
    path = write_csv(tmp_path / "d.csv", [rows[0], ["# name"] + ["x"] * (len(rows[0]) - 1)])
    assert_problem(only_problem(path), "no_regions", path, None, None, None)


def test_no_indicator_columns(tmp_path, rows):
    path = write_csv(tmp_path / "d.csv", [["region", "name", "notes"]] +
                     [[r[0], r[0].upper(), "n"] for r in rows[1:]])
    assert_problem(only_problem(path), "no_indicator_columns", path, 1, None, None)


def test_every_cell_empty(tmp_path, rows):
    for r in rows[1:]:
        r[1:] = [""] * (len(r) - 1)
    path = write_csv(tmp_path / "d.csv", rows)
    assert_problem(only_problem(path), "no_values", path, None, None, None)


def test_several_problems_are_all_reported(tmp_path, rows, wide):
    rows[0][col(rows, "B7")] = "B99"                            # unknown indicator, row 1
    rows[1][col(rows, "B1")] = "abc"                            # not numeric, row 2
    rows[2][0] = "Акмолла"                                      # unknown region, row 3
    rows[3][col(rows, "B2")] = "inf"                            # infinite, row 4
    rows[4][0] = "Абай"                                         # duplicate of row 2, row 5
    rows[5][0] = ""                                             # no region name, row 6
    rows[6][col(rows, "B3")] = "1.2.3a"                         # not numeric, row 7
    rows[7][col(rows, "B4")] = "1e400"                          # infinite, row 8
    path = write_csv(tmp_path / "d.csv", rows)
    problems = problems_of(path)
    got = [(p.key, p.row, p.column, p.value) for p in problems]
    assert got == [
        ("unknown_indicator", 1, "B99", "B99"),
        ("cell_not_numeric", 2, "B1", "abc"),
        ("unknown_region", 3, "region", "Акмолла"),
        ("cell_infinite", 4, "B2", "inf"),
        ("duplicate_region", 5, "region", "Абай"),
        ("region_missing", 6, "region", None),
        ("cell_not_numeric", 7, "B3", "1.2.3a"),
        ("cell_infinite", 8, "B4", "1e400"),
    ]
    assert all(p.file == str(path) for p in problems)
    with pytest.raises(DataError) as err:
        turaqty.read_data(path)
    text = str(err.value)
    assert len(err.value.problems) == 8
    for value in ("B99", "abc", "Акмолла", "inf", "Абай", "1.2.3a", "1e400"):
        assert value in text
    for lang in LANGUAGES:
        assert len(err.value.render(lang).splitlines()) == 16  # message + hint each


def test_more_than_fifty_problems_are_summarised(tmp_path, rows):
    for r in rows[1:]:
        r[1:4] = ["abc", "abc", "abc"]  # 21 rows x 3 = 63 problems
    path = write_csv(tmp_path / "d.csv", rows)
    with pytest.raises(DataError) as err:
        turaqty.read_data(path)
    assert len(err.value.problems) == 63
    assert "13 more problems" in err.value.render("en")
    assert "13" in err.value.render("kk") and "13" in err.value.render("ru")


def test_xlsx_problems_name_the_header_and_column_letter(tmp_path, rows, wide):
    rows[1][col(rows, "B2")] = "abc"
    n = row_of(wide, "akmola")
    rows[n - 1][0] = "Акмолла"
    path = write_xlsx(tmp_path / "d.xlsx", rows)
    bad_cell, bad_region = problems_of(path)
    assert_problem(bad_cell, "cell_not_numeric", path, 2, "B2 (C)", "abc")
    assert_problem(bad_region, "unknown_region", path, n, "region (A)", "Акмолла")


def test_xlsx_rows_keep_their_sheet_numbers(tmp_path, rows):
    rows[3][col(rows, "B1")] = "abc"
    table = [[""] * len(rows[0]), [""] * len(rows[0])] + rows  # header in sheet row 3
    path = write_xlsx(tmp_path / "d.xlsx", table)
    assert_problem(only_problem(path), "cell_not_numeric", path, 6, "B1 (B)", "abc")


def test_blank_lines_keep_file_row_numbers(tmp_path, rows):
    rows[2][col(rows, "B1")] = "abc"
    text = "\n".join([",".join(rows[0]), "", ",".join(rows[1]), "", ",".join(rows[2])] +
                     [",".join(r) for r in rows[3:]]) + "\n"
    path = tmp_path / "d.csv"
    path.write_text(text, encoding="utf-8")
    assert_problem(only_problem(path), "cell_not_numeric", path, 5, "B1", "abc")


def test_messy_file_from_tests_data():
    """A small hand-written file: Russian semicolon CSV with a BOM, comments, a label
    column and three mistakes."""
    path = TEST_DATA / "messy_ru.csv"
    got = [(p.key, p.row, p.column, p.value) for p in problems_of(path)]
    assert got == [
        ("cell_not_numeric", 4, "B2", "12,5,3"),
        ("unknown_region", 5, "Регион", "Акмолла"),
        ("cell_infinite", 7, "B1", "inf"),
    ]


def test_messy_file_from_tests_data_is_fine_once_fixed(tmp_path):
    text = (TEST_DATA / "messy_ru.csv").read_bytes().decode("utf-8-sig")
    text = text.replace("12,5,3", "12,5").replace("Акмолла", "Акмола").replace(";inf;", ";3;")
    path = tmp_path / "fixed.csv"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    ds = turaqty.read_data(path)
    assert ds.units == ("abai", "akmola", "aktobe", "west_kazakhstan")
    assert ds.indicators == ("B1", "B2")
    np.testing.assert_array_equal(ds.values, [[13153.4, 1.5], [106.69, 2.25], [95.82, 12.5],
                                              [3.0, np.nan]])
    assert ds.national.tolist() == [108.91, 2.0]


# ---------------------------------------------------------------------------------------
# DataFrames given to assess()
# ---------------------------------------------------------------------------------------

def test_dataframe_is_assessed_like_the_embedded_data(wide, reference):
    assert_same_indices(turaqty.assess(wide), reference)
    assert_same_indices(turaqty.assess(wide.reset_index().rename(columns={"unit_id": "region"})),
                        reference)


def test_dataframe_problems_name_rows_and_columns(wide):
    frame = wide.copy().astype(object)
    frame.loc["abai", "B3"] = "abc"
    frame.loc["akmola", "B4"] = np.inf
    frame = frame.rename(index={"aktobe": "Актобинск?"})
    with pytest.raises(DataError) as err:
        turaqty.assess(frame)
    got = [(p.key, p.file, p.row, p.column, p.value) for p in err.value.problems]
    assert got == [
        ("cell_not_numeric", "<DataFrame>", 2, "B3", "abc"),
        ("cell_infinite", "<DataFrame>", 3, "B4", np.inf),
        ("unknown_region", "<DataFrame>", 4, "region", "Актобинск?"),
    ]


def test_dataframe_with_one_region(wide):
    with pytest.raises(DataError) as err:
        turaqty.assess(wide.loc[["abai"]])
    assert [p.key for p in err.value.problems] == ["one_region"]


# ---------------------------------------------------------------------------------------
# Understood, not rejected: the same data written in the usual ways
# ---------------------------------------------------------------------------------------

def names_in(lang: str, **override) -> dict:
    names = {r.id: r.name(lang) for r in REGIONS.regions}
    names.update(override)
    return names


def _ru_semicolon_comma_bom(tmp, wide):
    rows = table_rows(wide, names_in("ru"), decimal=",")
    return write_csv(tmp / "ru.csv", rows, sep=";", encoding="utf-8-sig")


def _kk_abbreviations(tmp, wide):
    names = names_in("kk", west_kazakhstan="БҚО", north_kazakhstan="СҚО",
                     east_kazakhstan="ШҚО", kz="ҚР", astana="Астана қ.")
    return write_csv(tmp / "kk.csv", table_rows(wide, names))


def _en_names(tmp, wide):
    return write_csv(tmp / "en.csv", table_rows(wide, names_in("en")))


def _cp1251_russian(tmp, wide):
    names = names_in("ru", ulytau="Улытауская область")  # Ұ has no cp1251 code
    return write_csv(tmp / "cp1251.csv", table_rows(wide, names, decimal=","), sep=";",
                     encoding="cp1251")


def _utf16_tabs(tmp, wide):
    rows = table_rows(wide, names_in("kk"), decimal=",")
    return write_csv(tmp / "utf16.txt", rows, sep="\t", encoding="utf-16")


def _xlsx_numbers(tmp, wide):
    return write_xlsx(tmp / "numbers.xlsx", numeric_rows(wide, names_in("ru")),
                      sheet="data", before=("readme",))


def _xlsx_first_sheet(tmp, wide):
    return write_xlsx(tmp / "first.xlsx", numeric_rows(wide), sheet="Лист1")


def _xlsx_text_decimal_commas(tmp, wide):
    return write_xlsx(tmp / "text.xlsx", table_rows(wide, names_in("kk"), decimal=","),
                      sheet="Данные", before=("Sheet",))


def _shuffled_rows(tmp, wide):
    rows = table_rows(wide)
    body = rows[1:]
    random.Random(7).shuffle(body)
    return write_csv(tmp / "rows.csv", [rows[0]] + body)


def _shuffled_columns(tmp, wide):
    rows = table_rows(wide)
    order = [0] + random.Random(11).sample(range(1, len(rows[0])), len(rows[0]) - 1)
    return write_csv(tmp / "cols.csv", [[r[j] for j in order] for r in rows])


def _label_columns(tmp, wide):
    rows = table_rows(wide)
    names = names_in("kk")
    out = []
    for k, r in enumerate(rows):
        name = "name" if k == 0 else names[r[0]]
        notes = "notes" if k == 0 else 'source: "Table 7", p. 12; see text'
        out.append([name, r[0], *r[1:20], notes, *r[20:], "Примечание" if k == 0 else "—"])
    out[0][1] = "region"
    return write_csv(tmp / "labels.csv", out)


def _comment_rows(tmp, wide):
    rows = table_rows(wide)
    width = len(rows[0])
    out = [rows[0], ["# name"] + ["Indicator name, text"] * (width - 1),
           ["# unit", "%", "abc"] + [""] * (width - 3)]
    for k, r in enumerate(rows[1:]):
        out.append(r)
        if k == 4:
            out.append(["#", "not a number"] * (width // 2) + [""] * (width % 2))
        if k == 9:
            out.append(["  # indented comment"] + ["x"] * (width - 1))
    out.append(["# total"] + ["999999"] * (width - 1))
    return write_csv(tmp / "comments.csv", out)


def _thousands_spaces(tmp, wide):
    rows = table_rows(wide, names_in("ru"), decimal=",", group=GROUP_SPACES)
    text = "\n".join(";".join(r) for r in rows)
    assert re.search(r"\d \d{3},", text) and "\u00a0" in text and "\u202f" in text
    return write_csv(tmp / "thousands.csv", rows, sep=";")


def _stray_spaces_and_case(tmp, wide):
    names = {}
    for k, r in enumerate(REGIONS.regions):
        name = r.name(["kk", "ru", "en"][k % 3])
        name = name.upper() if k % 2 else name.lower()
        names[r.id] = "  " + name.replace(" ", "   ") + " \t"
    names["zhetisu"] = " Жетiсу "  # Latin i typed inside the Kazakh name
    names["ulytau"] = "УЛЫТАУ облысы"
    return write_csv(tmp / "spaces.csv", table_rows(wide, names))


def _cyrillic_codes(tmp, wide):
    rows = table_rows(wide)
    rows[0] = [rows[0][0]] + [c.replace("B", "В") if k % 2 else f" {c.lower()} "
                              for k, c in enumerate(rows[0][1:])]
    return write_csv(tmp / "codes.csv", rows)


UNDERSTOOD = [_ru_semicolon_comma_bom, _kk_abbreviations, _en_names, _cp1251_russian, _utf16_tabs,
              _xlsx_numbers, _xlsx_first_sheet, _xlsx_text_decimal_commas, _shuffled_rows,
              _shuffled_columns, _label_columns, _comment_rows, _thousands_spaces,
              _stray_spaces_and_case, _cyrillic_codes]


@pytest.mark.parametrize("make", UNDERSTOOD, ids=lambda f: f.__name__.strip("_"))
def test_understood_and_same_indices(tmp_path, wide, reference, make):
    path = make(tmp_path, wide)
    a = turaqty.assess(path)
    assert_same_indices(a, reference)
    ds = a.dataset
    assert ds.source == str(path)
    assert set(ds.indicators) == set(wide.columns) and len(ds.units) == 20
    np.testing.assert_array_equal(ds.national[[ds.indicators.index(c) for c in wide.columns]],
                                  wide.loc["kz"].to_numpy())
    codes = set(a.warnings["code"])
    assert ("read_cp1251" in codes) == (make is _cp1251_russian)
    missing = a.warnings[a.warnings["code"] == "value_missing"]
    assert set(zip(missing["indicator"], missing["unit_id"], strict=True)) == {
        ("B46", "west_kazakhstan"), ("B46", "astana")}
    assert turaqty.check_data(path).problems == []


def test_cp1251_warning_is_explained_in_each_language(tmp_path, wide):
    path = _cp1251_russian(tmp_path, wide)
    for lang in LANGUAGES:
        w = turaqty.assess(path, lang=lang).warnings
        message = w.loc[w["code"] == "read_cp1251", "message"].item()
        assert str(path) in message and "UTF-8" in message


@pytest.mark.parametrize("marker", ["-", "н/д", "", "—", "нет данных", "n/a", "..", "х", " Н/Д "])
def test_missing_markers(tmp_path, wide, reference, marker):
    rows = table_rows(wide)
    j = rows[0].index("B46")
    for unit in ("west_kazakhstan", "astana"):
        cell = rows[row_of(wide, unit) - 1]
        assert cell[j] == ""
        cell[j] = marker
    a = turaqty.assess(write_csv(tmp_path / "d.csv", rows, sep=";"))
    assert_same_indices(a, reference)
    missing = a.warnings[a.warnings["code"] == "value_missing"]
    assert sorted(missing["unit_id"]) == ["astana", "west_kazakhstan"]
    assert set(missing["indicator"]) == {"B46"}


def test_missing_marker_in_a_filled_cell_is_a_missing_value(tmp_path, wide):
    rows = table_rows(wide)
    rows[row_of(wide, "abai") - 1][rows[0].index("B2")] = "н/д"
    a = turaqty.assess(write_csv(tmp_path / "d.csv", rows))
    assert np.isnan(a.dataset.values[0, a.dataset.indicators.index("B2")])
    missing = a.warnings[a.warnings["code"] == "value_missing"]
    assert ("B2", "abai") in set(zip(missing["indicator"], missing["unit_id"], strict=True))
    for lang in LANGUAGES:
        message = turaqty.assess(a.dataset, lang=lang).warnings.query(
            "code == 'value_missing' and unit_id == 'abai'")["message"].item()
        assert "B2" in message and REGIONS.name("abai", lang) in message


@pytest.mark.parametrize("name, unit", [
    ("Жетiсу", "zhetisu"), ("Жетiсу облысы", "zhetisu"), ("  ЖЕТІСУ  ", "zhetisu"),
    ("Абай", "abai"), ("БҚО", "west_kazakhstan"), ("СҚО", "north_kazakhstan"),
    ("ШҚО", "east_kazakhstan"), ("Западно-Казахстанская область", "west_kazakhstan"),
    ("Астана қ.", "astana"), ("ҚР", "kz"), ("Республика Казахстан", "kz"), ("kz", "kz"),
    ("west kazakhstan REGION", "west_kazakhstan"), ("г. Шымкент", "shymkent"),
])
def test_region_name_variants_resolve(name, unit):
    assert REGIONS.resolve(name) == unit


# ---------------------------------------------------------------------------------------
# Inputs are only read
# ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("make", [_ru_semicolon_comma_bom, _cp1251_russian, _xlsx_numbers],
                         ids=["csv", "cp1251", "xlsx"])
def test_input_file_is_never_modified(tmp_path, wide, make):
    path = make(tmp_path, wide)
    os.utime(path, ns=(1_600_000_000_000_000_000, 1_600_000_000_000_000_000))
    before = file_state(path)
    listing = sorted(os.listdir(tmp_path))
    turaqty.read_data(path)
    turaqty.check_data(path)
    turaqty.assess(path, profile="dissertation", lang="kk")
    assert file_state(path) == before
    assert sorted(os.listdir(tmp_path)) == listing  # nothing written beside it either


def test_bad_input_file_is_never_modified(tmp_path, rows):
    rows[1][1] = "abc"
    path = write_csv(tmp_path / "bad.csv", rows)
    os.utime(path, ns=(1_600_000_000_000_000_000, 1_600_000_000_000_000_000))
    before = file_state(path)
    problems_of(path)
    assert file_state(path) == before


# ---------------------------------------------------------------------------------------
# Real region spellings from open data files of Kazakhstan
# ---------------------------------------------------------------------------------------

EXPECTED = [  # (pattern in the lower-cased name, region id); first match wins
    (r"республика|^kazakhstan", "kz"), (r"западно|west kaz", "west_kazakhstan"),
    (r"северо|north kaz", "north_kazakhstan"), (r"восточно|east kaz", "east_kazakhstan"),
    (r"южно|туркестан|turkistan", "turkistan"), (r"алматинская|almaty region", "almaty_region"),
    (r"алматы|almaty", "almaty_city"), (r"абай|abai", "abai"), (r"акмол|akmola", "akmola"),
    (r"актюб|aktobe", "aktobe"), (r"атырау|atyrau", "atyrau"), (r"жамбыл|jambyl", "zhambyl"),
    (r"жет|jetisu", "zhetisu"), (r"караганд|karaganda", "karaganda"),
    (r"костанай|kostanay", "kostanay"), (r"кызылорд|kyzylorda", "kyzylorda"),
    (r"мангист|mangystau", "mangystau"), (r"павлодар|pavlodar", "pavlodar"),
    (r"улытау|ұлытау|ulytau", "ulytau"), (r"астана|astana", "astana"),
    (r"шымкент|shymkent", "shymkent"),
]
# Spellings in those files that once did not resolve (short form, footnote marks)
ONCE_UNRESOLVED = {"Южно-Казахстанская", "Туркестанская*", "Туркестанская**", "Туркестанская 1"}


def expected_id(name: str) -> str:
    low = name.strip().lower()
    return next(unit for pattern, unit in EXPECTED if re.search(pattern, low))


def _header_names(rows):
    return rows[0][1:]


def _column(k):
    return lambda rows: [r[k] for r in rows[1:] if r]


OPEN_DATA = {
    "doctors-by-region/data/arzte.csv": _header_names,
    "average-per-capita-nominal-cash-income/data/output.csv": _column(0),
    "average-life-expectancy/Life_Expc/data/llife.csv": _column(0),
    "average-life-expectancy/Life_Expc/data/life_X_piv.csv": _column(0),
    "average-life-expectancy/Hosp_Amount/data/Hosp_first.csv": _column(0),
    "average-life-expectancy/Hosp_Amount/data/Hosp_piv.csv": _column(0),
    "eco-spendings-and-emissions/Eco_am/data/eco.csv": _column(0),
    "eco-spendings-and-emissions/Eco_drop/data/part2.csv": _column(0),
    "population-projections-by-regions/archive/kazpop.csv": _column(0),
    "city-ranking-main/data/cleaned_data.csv": _column(1),
    "city-ranking-main/data/final_rating.csv": _column(1),
    "city-ranking-main/archive/merged_to_normalize.csv": _column(0),
}


def open_data_names(relative: str) -> list[str]:
    path = KZ_OPEN_DATA / relative
    if not path.exists():
        pytest.skip(f"{path} not found")
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    return list(dict.fromkeys(OPEN_DATA[relative](rows)))


@pytest.mark.parametrize("relative", list(OPEN_DATA))
def test_region_spellings_of_open_data_files_resolve(relative):
    names = open_data_names(relative)
    assert len(names) >= 15
    wrong = {n: (REGIONS.resolve(n), expected_id(n)) for n in names
             if REGIONS.resolve(n) != expected_id(n)}
    assert wrong == {}


def test_footnoted_and_short_open_data_spellings_resolve():
    found = set()
    for relative in OPEN_DATA:
        if (KZ_OPEN_DATA / relative).exists():
            found |= set(open_data_names(relative)) & ONCE_UNRESOLVED
    if not found:
        pytest.skip(f"{KZ_OPEN_DATA} not found")
    assert found == ONCE_UNRESOLVED
    for name in ONCE_UNRESOLVED:
        assert REGIONS.resolve(name) == "turkistan", name


def test_open_data_wide_file_is_read_with_russian_short_names(tmp_path, wide, reference):
    """The header of doctors-by-region/data/arzte.csv lists regions by short Russian
    adjectives ('Акмолинская', 'Западно-Казахстанская'): such a name column works as input."""
    short = {"abai": "Абай", "akmola": "Акмолинская", "aktobe": "Актюбинская",
             "almaty_region": "Алматинская", "atyrau": "Атырауская",
             "west_kazakhstan": "Западно-Казахстанская", "zhambyl": "Жамбылская",
             "zhetisu": "Жетысу", "karaganda": "Карагандинская", "kostanay": "Костанайская",
             "kyzylorda": "Кызылординская", "mangystau": "Мангистауская",
             "pavlodar": "Павлодарская", "north_kazakhstan": "Северо-Казахстанская",
             "turkistan": "Туркестанская", "ulytau": "Улытау",
             "east_kazakhstan": "Восточно-Казахстанская", "astana": "г. Астана",
             "almaty_city": "г.Алматы", "shymkent": "город Шымкент", "kz": "Республика Казахстан "}
    path = write_csv(tmp_path / "short.csv", table_rows(wide, short, header="Регион"))
    assert_same_indices(turaqty.assess(path), reference)


# ---------------------------------------------------------------------------------------
# Regressions: bugs and gaps found by these tests and fixed
# ---------------------------------------------------------------------------------------

def test_short_south_kazakhstan_resolves():
    assert REGIONS.resolve("Южно-Казахстанская") == "turkistan"


@pytest.mark.parametrize("name", ["Туркестанская*", "Туркестанская**", "Туркестанская 1"])
def test_footnote_marks_after_region_names(name):
    assert REGIONS.resolve(name) == "turkistan"


@pytest.mark.parametrize("suffix", [".csv", ".ods", ".zip"])
def test_zip_file_with_other_suffix_is_a_data_error(tmp_path, wide, suffix):
    xlsx = write_xlsx(tmp_path / "real.xlsx", numeric_rows(wide))
    path = tmp_path / f"renamed{suffix}"
    path.write_bytes(xlsx.read_bytes())
    checked = turaqty.check_data(path)  # raises InvalidFileException today
    assert checked.dataset is not None or [p.key for p in checked.problems] == ["bad_xlsx"]


def test_xlsx_with_wrong_dimension_is_read_whole(tmp_path, wide):
    good = write_xlsx(tmp_path / "good.xlsx", numeric_rows(wide))
    def wrong_dimension(name: str, data: bytes) -> bytes:
        if not name.startswith("xl/worksheets/sheet"):
            return data
        data, n = re.subn(rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="A1"/>', data)
        assert n == 1
        return data

    bad = rewrite_xlsx(good, tmp_path / "bad_dimension.xlsx", wrong_dimension)
    assert turaqty.read_data(good).indicators == tuple(wide.columns)
    assert turaqty.read_data(bad).indicators == tuple(wide.columns)


def test_values_beyond_the_header_are_reported(tmp_path, rows):
    for r in rows[1:]:
        r.append("1.5")
    path = write_csv(tmp_path / "d.csv", rows)
    problems = turaqty.check_data(path).problems
    assert [(p.key, p.row, p.column) for p in problems] == [("column_without_header", 1, "BB")]


def test_row_numbers_after_a_multiline_cell(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text('region,notes,B1,B2\nabai,"first line\nsecond line",1,2\n'
                    "akmola,,abc,3\naktobe,,3,4\n", encoding="utf-8")
    (p,) = turaqty.check_data(path).problems
    assert (p.key, p.row) == ("cell_not_numeric", 3)


def test_empty_column_and_row_reported_with_other_problems(tmp_path, rows, wide):
    j = col(rows, "B5")
    for r in rows[1:]:
        r[j] = ""
    n = row_of(wide, "aktobe")
    rows[n - 1][1:] = [""] * (len(rows[0]) - 1)
    rows[1][col(rows, "B1")] = "abc"
    path = write_csv(tmp_path / "d.csv", rows)
    keys = [p.key for p in turaqty.check_data(path).problems]
    assert keys == ["cell_not_numeric", "empty_row", "empty_column"]  # in the order of the file


def test_cells_of_a_row_with_an_unknown_region_are_checked(tmp_path, rows, wide):
    n = row_of(wide, "akmola")
    rows[n - 1][0] = "Акмолла"
    rows[n - 1][col(rows, "B1")] = "abc"
    path = write_csv(tmp_path / "d.csv", rows)
    got = [(p.key, p.row, p.column) for p in turaqty.check_data(path).problems]
    assert got == [("unknown_region", n, "region"), ("cell_not_numeric", n, "B1")]


def test_region_names_in_messages_follow_the_language(tmp_path, rows, wide):
    rows[row_of(wide, "akmola") - 1][0] = "Акмолла"
    rows.append(["Абай облысы"] + rows[1][1:])
    path = write_csv(tmp_path / "d.csv", rows)
    unknown, duplicate = turaqty.check_data(path).problems
    assert REGIONS.name("akmola", "ru") in unknown.render("ru")
    assert REGIONS.name("abai", "kk") in duplicate.render("kk")
    assert "Region" not in unknown.render("ru") + duplicate.render("kk")


def test_unreadable_file_is_a_data_error(tmp_path, rows, monkeypatch):
    path = write_csv(tmp_path / "locked.csv", rows)
    real_open = Path.open

    def locked(self, *args, **kwargs):
        if self == path:
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", locked)
    monkeypatch.setattr(Path, "read_bytes", lambda self: locked(self).read())
    checked = turaqty.check_data(path)
    assert checked.dataset is None and checked.problems[0].file == str(path)


def test_bare_almaty_is_read_by_context(tmp_path, rows, wide):
    """Bare 'Алматы' means Almaty Region when the file also names the city (the
    dissertation's tables), and the city when it also names the region."""
    region_row, city_row = row_of(wide, "almaty_region"), row_of(wide, "almaty_city")
    rows[region_row - 1][0] = "Алматы"
    rows[city_row - 1][0] = "Алматы қ."
    a = turaqty.assess(write_csv(tmp_path / "a.csv", rows))
    assert "read_ambiguous" in set(a.warnings["code"])
    rows[region_row - 1][0] = "Алматинская область"
    rows[city_row - 1][0] = "Алматы"
    b = turaqty.assess(write_csv(tmp_path / "b.csv", rows))
    reference = turaqty.assess().indices
    for result in (a, b):
        np.testing.assert_allclose(result.indices["integral"], reference["integral"], rtol=1e-12)


def test_bare_almaty_without_context_is_an_error(tmp_path, rows, wide):
    kept = [rows[0], rows[row_of(wide, "abai") - 1], rows[row_of(wide, "almaty_region") - 1]]
    kept[2][0] = "Алматы"
    path = write_csv(tmp_path / "d.csv", kept)
    p = only_problem(path)
    assert (p.key, p.row, p.value) == ("ambiguous_region", 3, "Алматы")
    assert "город Алматы" in p.render("ru") and "Алматинская область" in p.render("ru")


def test_a_file_is_read_once(tmp_path, monkeypatch):
    """read_tables reads a CSV's bytes once (they used to be read twice: once to tell a
    workbook from text, once to parse), and gives the same table as read_rows."""
    from turaqty.io import tables

    path = tmp_path / "d.csv"
    path.write_text("region,B3\nАбай,8,6\n", encoding="utf-8")
    calls = []
    original = tables.read_bytes
    monkeypatch.setattr(tables, "read_bytes", lambda p, f: calls.append(f) or original(p, f))
    (table,) = tables.read_tables(path)
    assert calls == [str(path)]
    assert table.rows == tables.read_rows(path).rows and table.sha256 == tables.read_rows(path).sha256
