"""Regressions for the problems a review of the core found (one test per finding)."""
from __future__ import annotations

import subprocess
import sys
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

import turaqty
from turaqty.io.cells import parse_number, uses_thousands_comma

EMBEDDED = turaqty.load_embedded().wide(national=True)


def _cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "turaqty", *map(str, args)],
                          capture_output=True, text=True, cwd=cwd)


def test_ranking_prints_when_a_region_has_no_pillar_score(tmp_path):
    data = tmp_path / "d.csv"
    data.write_text("region,B1,B22,B44\nabai,1,1,\nakmola,2,2,2\naktobe,3,3,3\n", encoding="utf-8")
    proc = _cli("assess", data, "--out", tmp_path / "out")
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    indices = pd.read_csv(tmp_path / "out" / "indices.csv", encoding="utf-8-sig")
    assert indices.set_index("unit_id").loc["abai", "rank_integral"] != indices.loc[1, "rank_integral"]
    assert np.isnan(indices.set_index("unit_id").loc["abai", "integral"])


def test_output_never_replaces_the_input(tmp_path):
    out = tmp_path / "clob"
    out.mkdir()
    data = out / "indices.csv"
    EMBEDDED.rename_axis("region").to_csv(data)
    before = data.read_bytes()
    proc = _cli("assess", data, "--out", out)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert data.read_bytes() == before


def test_template_does_not_overwrite_without_force_and_follows_the_suffix(tmp_path):
    target = tmp_path / "mine.xlsx"
    assert _cli("template", "--out", target).returncode == 0
    assert target.read_bytes()[:2] == b"PK"  # the suffix chose XLSX
    assert _cli("template", "--out", target).returncode == 2  # exists
    assert _cli("template", "--out", target, "--force").returncode == 0
    assert _cli("template", "--format", "csv", "--out", tmp_path / "x.xlsx").returncode == 2


def test_unwritable_output_place_is_a_user_error(tmp_path):
    afile = tmp_path / "afile"
    afile.write_text("x")
    for out in (afile / "sub", "/proc/turaqty-test"):
        proc = _cli("assess", "--quiet", "--out", out)
        assert proc.returncode == 2, proc.stderr
        assert "Traceback" not in proc.stderr and "internal" not in proc.stderr


def test_closed_pipe_is_not_an_internal_error(tmp_path):
    proc = subprocess.run(f"{sys.executable} -m turaqty assess --out {tmp_path / 'o'} | head -1",
                          shell=True, capture_output=True, text=True)
    assert "internal error" not in proc.stderr and "Traceback" not in proc.stderr


def test_workbooks_are_reproducible():
    from turaqty.report.outputs import assessment_files

    a, b = assessment_files(turaqty.assess()), assessment_files(turaqty.assess())
    assert a["results.xlsx"] == b["results.xlsx"]
    assert [name for name in a if a[name] != b[name]] in ([], ["manifest.json"])


def test_csv_keeps_full_precision(tmp_path):
    from turaqty.report.outputs import write_assessment

    a = turaqty.assess()
    write_assessment(a, tmp_path / "o")
    back = pd.read_csv(tmp_path / "o" / "indices.csv", encoding="utf-8-sig")
    assert (back["integral"].to_numpy() == a.indices["integral"].to_numpy()).all()


def test_missing_as_zero_only_where_higher_is_better():
    frame = EMBEDDED.copy()
    frame.loc["abai", "B3"] = np.nan  # poverty: a 0 would be the best value
    a = turaqty.assess(frame, profile="dissertation")
    assert np.isnan(a.scores.set_index("unit_id").loc["abai", "B3"])
    codes = a.warnings.query("indicator == 'B3'")["code"].tolist()
    assert codes == ["value_missing"]


def test_absent_regions_are_named_in_the_readers_language():
    a = turaqty.assess(EMBEDDED.drop(index=["abai", "akmola"]), lang="ru")
    message = a.warnings.query("code == 'regions_absent'")["message"].iloc[0]
    assert "область Абай" in message and "Акмолинская область" in message
    assert "(" not in message.split(":")[1][:3]


@pytest.mark.parametrize("cells,expected", [
    (["1,234", "12,345,678", "5"], [1234.0, 12345678.0, 5.0]),
    (["1,234", "0,5"], [1.234, 0.5]),
    (["1,234.5", "1,234"], [1234.5, 1234.0]),
])
def test_thousands_commas_are_read_per_column(cells, expected):
    thousands = uses_thousands_comma(cells)
    assert [parse_number(c, thousands) for c in cells] == expected


def test_numeric_objects_are_numbers():
    assert parse_number(np.int64(3)) == 3.0
    assert parse_number(np.float32(2.5)) == 2.5
    assert parse_number(Decimal("4.75")) == 4.75
    frame = EMBEDDED.astype(object)
    frame.loc["abai", "B1"] = Decimal("95.82")
    assert turaqty.assess(frame).indices["integral"].tolist() == turaqty.assess().indices["integral"].tolist()


def _xlsx(rows, path, percent_cell=None, formula_cell=None, sheets_before=()):
    from openpyxl import Workbook

    wb = Workbook()
    first = wb.active
    for title in sheets_before:
        ws = wb.create_sheet(title, 0)
        ws.append(["How to fill this workbook: one row per region."])
    ws = first
    ws.title = "Лист1"
    for row in rows:
        ws.append(row)
    if percent_cell:
        ws[percent_cell].value = ws[percent_cell].value / 100
        ws[percent_cell].number_format = "0.00%"
    if formula_cell:
        ws[formula_cell] = "=1+1"
    wb.save(path)
    return path


def _rows():
    frame = EMBEDDED.rename_axis("region").reset_index()
    return [list(frame.columns)] + frame.astype(object).where(frame.notna(), None).values.tolist()


def test_xlsx_percentage_cells_and_instruction_sheets(tmp_path):
    path = _xlsx(_rows(), tmp_path / "d.xlsx", percent_cell="D2", sheets_before=("Инструкция",))
    a = turaqty.assess(path)
    assert a.indices["integral"].tolist() == pytest.approx(turaqty.assess().indices["integral"].tolist())


def test_xlsx_formula_without_value_is_reported(tmp_path):
    path = _xlsx(_rows(), tmp_path / "d.xlsx", formula_cell="C3")
    problems = turaqty.check_data(path).problems
    assert [(p.key, p.row) for p in problems] == [("cell_formula", 3)]


def test_title_rows_above_the_header_are_skipped(tmp_path):
    data = tmp_path / "d.csv"
    body = EMBEDDED.rename_axis("region").to_csv(sep=";", decimal=",")
    data.write_text("Устойчивое развитие регионов, 2023\nИсточник: БНС\n" + body, encoding="utf-8")
    a = turaqty.assess(data)
    assert "read_skipped_rows" in set(a.warnings["code"])
    assert a.indices["integral"].tolist() == pytest.approx(turaqty.assess().indices["integral"].tolist())


def test_dataframe_with_region_column_and_range_index():
    frame = EMBEDDED.rename_axis("region").reset_index()
    assert turaqty.assess(frame).indices["integral"].tolist() == turaqty.assess().indices["integral"].tolist()
    unnamed = frame.rename(columns={"region": "Unnamed: 0"})
    expected = turaqty.assess().indices["integral"].tolist()
    assert turaqty.assess(unnamed).indices["integral"].tolist() == expected


def test_dataset_built_in_code_is_checked():
    ds = turaqty.load_embedded()
    from dataclasses import replace

    bad = replace(ds, indicators=("B999",) + ds.indicators[1:])
    with pytest.raises(turaqty.DataError):
        turaqty.assess(bad)
    values = ds.values.copy()
    values[0, 0] = np.inf
    with pytest.raises(turaqty.DataError):
        turaqty.assess(replace(ds, values=values))


def test_unknown_language_and_bad_levels_are_usage_errors():
    with pytest.raises(turaqty.UsageError):
        turaqty.assess(lang="de")
    with pytest.raises(turaqty.UsageError):
        turaqty.Method.from_dict({"availability": 1.5})


def test_custom_exclusion_reason_is_shown_as_given():
    m = turaqty.get_method().replace(exclude={"B1": "not comparable across regions"})
    msg = turaqty.assess(profile=m).warnings.query("indicator == 'B1'")["message"].iloc[0]
    assert "not comparable across regions" in msg


def test_argparse_words_follow_the_language():
    proc = _cli("--lang", "ru", "--help")
    assert proc.returncode == 0 and "использование" in proc.stdout
    proc = _cli("assess", "--profile", "nope", "--lang", "kk")
    assert proc.returncode == 2 and "жарамсыз таңдау" in proc.stderr


def test_zero_width_space_in_a_region_name():
    assert turaqty.load_regions().resolve("Аба\u200bй") == "abai"
