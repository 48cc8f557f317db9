"""The command line, run as a user runs it (``python -m turaqty`` and the ``turaqty``
script): output files, languages, profiles, options, exit codes and messages.

Subprocesses cost ~0.5 s each, so runs are shared by module fixtures; the bulk of the
input cases is covered through the API in test_inputs.py."""
from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import turaqty
import turaqty.cli
from turaqty.i18n import t

from .conftest import numeric_rows, row_of, table_rows, write_csv, write_xlsx

OUTPUTS = {"scores.csv", "indices.csv", "stats.csv", "matrix.csv", "warnings.csv",
           "risk.csv", "risk_summary.csv", "region_types.csv", "macro_regions.csv",
           "findings.csv", "mechanisms.csv", "results.xlsx", "manifest.json"}
INDICES_HEADER = ("unit_id,name,social,economic,ecological,integral,rank_social,rank_economic,"
                  "rank_ecological,rank_integral,level_social,level_economic,level_ecological,"
                  "level_integral")
SHEETS = ("indices", "risk", "scores", "stats", "matrix", "risk_summary", "region_types",
          "macro_regions", "findings", "mechanisms", "warnings", "method")
REGIONS = turaqty.load_regions()


def _script() -> str | None:
    beside = Path(sys.executable).with_name("turaqty")
    return str(beside) if beside.exists() else shutil.which("turaqty")


SCRIPT = _script()
LAUNCHERS = {"module": [sys.executable, "-m", "turaqty"], "script": [SCRIPT]}


def run(*args, launcher: str = "module", cwd=None, env=None, prefix=None):
    """Run the command line; returns the CompletedProcess (text)."""
    if launcher == "script" and SCRIPT is None:
        pytest.skip("console script 'turaqty' not found on PATH")
    environ = {k: v for k, v in os.environ.items() if k not in ("TURAQTY_LANG", "TURAQTY_DEBUG")}
    environ.update(PYTHONIOENCODING="utf-8", **(env or {}))
    command = (prefix or LAUNCHERS[launcher]) + [str(a) for a in args]
    return subprocess.run(command, capture_output=True, text=True, encoding="utf-8",
                          cwd=cwd, env=environ, timeout=120, check=False)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, encoding="utf-8-sig", keep_default_na=False, na_values=[""])


def assert_user_error(proc, out: Path | None = None, lang: str = "en"):
    """Exit 2, a readable message on stderr, no traceback, nothing written."""
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout
    assert proc.stderr.startswith(f"{t('error', lang)}: "), proc.stderr
    assert proc.stdout == ""
    if out is not None:
        assert not out.exists()
        assert not [p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}.")]


def assert_same_index_file(path: Path, reference):
    got = read_csv(path)
    ref = reference.indices
    assert got["unit_id"].tolist() == ref["unit_id"].tolist()
    for c in ("social", "economic", "ecological", "integral"):
        np.testing.assert_allclose(got[c].to_numpy(float), ref[c].to_numpy(float), rtol=1e-12)
    for c in ("rank_integral", "level_integral", "level_social"):
        assert got[c].astype(str).tolist() == ref[c].astype(str).tolist()


# ---------------------------------------------------------------------------------------
# assess on the embedded data
# ---------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Assessment runs shared by the tests below: name → (process, output folder)."""
    base = tmp_path_factory.mktemp("runs")
    done = {}

    def get(name, *args, launcher="module"):
        if name not in done:
            out = base / name
            done[name] = (run("assess", "--out", out, *args, launcher=launcher), out)
        return done[name]

    return get


def test_assess_embedded_writes_exactly_the_outputs(runs, reference):
    proc, out = runs("en")
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert {p.name for p in out.iterdir()} == OUTPUTS
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".")]
    assert (out / "indices.csv").read_bytes().decode("utf-8-sig").splitlines()[0] == INDICES_HEADER
    assert_same_index_file(out / "indices.csv", reference)
    assert read_csv(out / "indices.csv")["name"].tolist() == [REGIONS.name(u, "en")
                                                              for u in reference.indices["unit_id"]]
    # the ranking is printed, best first
    lines = proc.stdout.splitlines()
    assert "Almaty" in lines[3] and lines[3].split()[0] == "1"
    assert t("cli.written", "en", out=str(out), warnings=len(reference.warnings)) in proc.stdout


def test_manifest_records_inputs_method_version_and_output_hashes(runs):
    _, out = runs("en")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["inputs"]["data"]["sha256"] == turaqty.load_embedded().sha256
    assert manifest["inputs"]["data"]["source"] == "embedded:kz-2023"
    assert manifest["method"]["profile"] == "default"
    assert manifest["version"] == turaqty.__version__
    assert manifest["language"] == "en"
    assert set(manifest["outputs"]) == OUTPUTS - {"manifest.json"}
    for name, digest in manifest["outputs"].items():
        assert sha256(out / name) == digest, name
    assert "B43" not in manifest["indicators_in_index"] and "B1" in manifest["indicators_in_index"]


@pytest.mark.parametrize("lang", ["en", "ru", "kk"])
def test_results_workbook_has_localised_sheets(runs, lang):
    from openpyxl import load_workbook

    _, out = runs(lang, "--lang", lang)
    wb = load_workbook(out / "results.xlsx", read_only=True)
    try:
        assert wb.sheetnames == [t(f"sheet.{s}", lang) for s in ("contents",) + SHEETS]
        first = [c.value for c in next(wb.worksheets[1].iter_rows(max_row=1))]
        expected = [t(f"col.{c}", lang) for c in INDICES_HEADER.split(",")[1:]]
        assert first == expected
        names = [r[0] for r in wb.worksheets[1].iter_rows(min_row=2, values_only=True)]
        assert names[0] == REGIONS.name("almaty_city", lang)  # sorted by rank
        assert len(names) == 20
    finally:
        wb.close()


@pytest.mark.parametrize("lang", ["ru", "kk"])
def test_lang_gives_names_and_ranking_in_that_language(runs, reference, lang):
    proc, out = runs(lang, "--lang", lang)
    assert proc.returncode == 0, proc.stderr
    indices = read_csv(out / "indices.csv")
    assert indices["name"].tolist() == [REGIONS.name(u, lang) for u in indices["unit_id"]]
    assert_same_index_file(out / "indices.csv", reference)
    head = proc.stdout.splitlines()[1]
    for key in ("col.rank_integral", "col.name", "col.social", "col.integral"):
        assert t(key, lang) in head, (key, head)
    first = proc.stdout.splitlines()[3]
    assert REGIONS.name("almaty_city", lang) in first and "17,05" in first  # decimal comma
    assert t("level.medium", lang) in first
    assert "Region" not in proc.stdout and "medium" not in proc.stdout
    assert t("cli.written", lang, out=str(out), warnings=len(reference.warnings)) in proc.stdout
    warnings = read_csv(out / "warnings.csv")
    assert REGIONS.name("astana", lang) in " ".join(warnings["message"])


def test_profile_dissertation_changes_the_results(runs):
    _, default = runs("en")
    proc, out = runs("dissertation", "--profile", "dissertation", "--quiet")
    assert proc.returncode == 0, proc.stderr
    assert "Almaty" not in proc.stdout  # --quiet: no ranking
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["method"]["profile"] == "dissertation"
    a, b = read_csv(default / "indices.csv"), read_csv(out / "indices.csv")
    assert not np.allclose(a["integral"], b["integral"])
    expected = turaqty.assess(profile="dissertation").indices
    np.testing.assert_allclose(b["integral"], expected["integral"], rtol=1e-12)


@pytest.mark.parametrize("option, code, added", [("--exclude", "B1", False),
                                                 ("--include", "b43", True)])
def test_exclude_include_change_indicators_in_index(runs, option, code, added):
    _, default = runs("en")
    proc, out = runs(option, option, code, "--quiet")
    assert proc.returncode == 0, proc.stderr
    before = json.loads((default / "manifest.json").read_text(encoding="utf-8"))
    after = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    code = code.upper()
    assert (code in after["indicators_in_index"]) is added
    assert (code in before["indicators_in_index"]) is not added
    assert set(after["indicators_in_index"]) ^ set(before["indicators_in_index"]) == {code}
    assert not np.allclose(read_csv(default / "indices.csv")["integral"],
                           read_csv(out / "indices.csv")["integral"])


def test_unknown_exclude_code_exits_2(tmp_path):
    out = tmp_path / "out"
    proc = run("assess", "--exclude", "B99", "--out", out)
    assert_user_error(proc, out)
    assert "B99" in proc.stderr and "--exclude" in proc.stderr


# ---------------------------------------------------------------------------------------
# Bad inputs: exit 2, one message naming file/row/column, no output folder
# ---------------------------------------------------------------------------------------

def _unknown_region(tmp, wide):
    rows = table_rows(wide)
    rows[row_of(wide, "akmola") - 1][0] = "Акмолла"
    return write_csv(tmp / "unknown.csv", rows), ["row 3", 'column "region"', "'Акмолла'",
                                                  "Akmola"]


def _bad_cell_xlsx(tmp, wide):
    rows = numeric_rows(wide)
    rows[row_of(wide, "abai") - 1][rows[0].index("B2")] = "12,5,3"
    return write_xlsx(tmp / "bad.xlsx", rows), ["row 2", 'column "B2 (C)"', "'12,5,3'"]


def _missing_file(tmp, wide):
    return tmp / "missing.csv", ["file not found"]


def _old_excel(tmp, wide):
    (tmp / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    return tmp / "old.xls", [".xls"]


def _empty_file(tmp, wide):
    (tmp / "empty.csv").write_bytes(b"")
    return tmp / "empty.csv", ["empty"]


def _ru_duplicate(tmp, wide):
    rows = table_rows(wide, decimal=",")
    rows.append(["Абай облысы"] + rows[1][1:])
    return write_csv(tmp / "dup.csv", rows, sep=";"), ["строка 23", "«region»", "уже есть строка 2."]


@pytest.mark.parametrize("make", [_unknown_region, _bad_cell_xlsx, _missing_file, _old_excel,
                                  _empty_file, _ru_duplicate], ids=lambda f: f.__name__.strip("_"))
def test_bad_input_exits_2_without_output(tmp_path, wide, make):
    path, mentions = make(tmp_path, wide)
    lang = "ru" if make is _ru_duplicate else "en"
    out = tmp_path / "out"
    proc = run("assess", path, "--out", out, "--lang", lang)
    assert_user_error(proc, out, lang)
    assert proc.stderr.count(f"{t('error', lang)}:") == 1
    assert len(proc.stderr.strip().splitlines()) == 2  # the message and how to fix it
    assert str(path) in proc.stderr
    for m in mentions:
        assert m in proc.stderr, (m, proc.stderr)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        {path.name} if path.exists() else set())


def test_existing_output_folder_keeps_unrelated_files(tmp_path, wide, reference):
    data = write_csv(tmp_path / "данные.csv", table_rows(wide, decimal=","), sep=";",
                     encoding="utf-8-sig")
    out = tmp_path / "results"
    out.mkdir()
    (out / "my notes.txt").write_text("keep me", encoding="utf-8")
    (out / "indices.csv").write_text("stale", encoding="utf-8")
    proc = run("assess", data, "--out", out, "--quiet")
    assert proc.returncode == 0, proc.stderr
    assert (out / "my notes.txt").read_text(encoding="utf-8") == "keep me"
    assert {p.name for p in out.iterdir()} == OUTPUTS | {"my notes.txt"}
    assert_same_index_file(out / "indices.csv", reference)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["inputs"]["data"]["sha256"] == sha256(data)
    assert manifest["inputs"]["data"]["source"] == str(data)
    for name, digest in manifest["outputs"].items():
        assert sha256(out / name) == digest, name
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]


# ---------------------------------------------------------------------------------------
# validate
# ---------------------------------------------------------------------------------------

def test_validate_good_file(tmp_path, wide):
    data = write_csv(tmp_path / "good.csv", table_rows(wide))
    proc = run("validate", data)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    last = proc.stdout.strip().splitlines()[-1]
    assert last == t("cli.valid", "en", file=str(data), regions=20, indicators=52,
                     national=t("yes", "en"), warnings=3)
    assert proc.stdout.count("warning: ") == 3


def test_validate_bad_file_lists_every_problem(tmp_path, wide):
    rows = table_rows(wide)
    rows[0][rows[0].index("B7")] = "B99"
    rows[1][1] = "abc"
    rows[2][0] = "Акмолла"
    rows[3][2] = "inf"
    path = write_csv(tmp_path / "bad.csv", rows)
    proc = run("validate", path, "--lang", "ru")
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and proc.stdout == ""
    for m in ("'B99'", "строка 2, столбец «B1»: 'abc'", "строка 3", "'Акмолла'", "'inf'"):
        assert m in proc.stderr, m
    assert proc.stderr.count(str(path)) == 5  # four problems and the summary
    assert proc.stderr.strip().splitlines()[-1] == t("cli.invalid", "ru", file=str(path), n=4)


# ---------------------------------------------------------------------------------------
# template → fill in → validate → assess
# ---------------------------------------------------------------------------------------

def fill_csv_template(path: Path, wide) -> None:
    text = path.read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    header = rows[0]
    for r in rows[1:]:
        if r[0] in wide.index:
            for j, code in enumerate(header):
                if code in wide.columns:
                    x = wide.loc[r[0], code]
                    r[j] = "" if np.isnan(x) else repr(float(x))
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    path.write_bytes(buffer.getvalue().encode("utf-8-sig"))


def fill_xlsx_template(path: Path, wide) -> None:
    from openpyxl import load_workbook

    wb = load_workbook(path)
    ws = wb.worksheets[0]
    header = [c.value for c in ws[1]]
    for row in ws.iter_rows(min_row=2):
        unit = row[0].value
        if unit in wide.index:
            for cell, code in zip(row, header, strict=True):
                if code in wide.columns and not np.isnan(wide.loc[unit, code]):
                    cell.value = float(wide.loc[unit, code])
    wb.save(path)


def test_csv_template_round_trip(tmp_path, wide, reference):
    path = tmp_path / "template.csv"
    proc = run("template", "--format", "csv", "--out", path)
    assert proc.returncode == 0, proc.stderr
    assert t("cli.template_written", "en", out=str(path)) in proc.stdout
    # unfilled: not assessable, and the message says why
    empty = run("validate", path)
    assert empty.returncode == 2 and "Traceback" not in empty.stderr
    assert t("error.no_values", "en") in empty.stderr
    assert [p.key for p in turaqty.check_data(path).problems] == ["no_values"]
    fill_csv_template(path, wide)
    valid = run("validate", path)
    assert valid.returncode == 0, valid.stderr
    assert "20 regions, 52 indicators, national row: yes" in valid.stdout
    out = tmp_path / "out"
    assessed = run("assess", path, "--out", out, "--quiet")
    assert assessed.returncode == 0, assessed.stderr
    assert_same_index_file(out / "indices.csv", reference)


def test_xlsx_template_round_trip(tmp_path, wide, reference):
    path = tmp_path / "template.xlsx"
    proc = run("template", "--format", "xlsx", "--out", path, "--lang", "kk")
    assert proc.returncode == 0, proc.stderr
    assert t("cli.template_written", "kk", out=str(path)) in proc.stdout
    assert [p.key for p in turaqty.check_data(path).problems] == ["no_values"]
    fill_xlsx_template(path, wide)
    valid = run("validate", path, "--lang", "kk")
    assert valid.returncode == 0, valid.stderr
    assert t("cli.valid", "kk", file=str(path), regions=20, indicators=52,
             national=t("yes", "kk"), warnings=3) in valid.stdout
    out = tmp_path / "out"
    assessed = run("assess", path, "--out", out, "--quiet")
    assert assessed.returncode == 0, assessed.stderr
    assert_same_index_file(out / "indices.csv", reference)


# ---------------------------------------------------------------------------------------
# help, console script, internal errors
# ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("args, launcher, expect", [
    (["--help"], "script", "usage: turaqty"),
    (["assess", "--help"], "module", "--exclude"),
    ([], "module", "usage: turaqty"),
])
def test_help(args, launcher, expect):
    proc = run(*args, launcher=launcher)
    assert proc.returncode == 0, proc.stderr
    assert expect in proc.stdout and "assess" in proc.stdout
    assert proc.stderr == ""


def test_console_script_assess_and_validate(tmp_path, wide, reference):
    data = write_xlsx(tmp_path / "data.xlsx", numeric_rows(wide))
    out = tmp_path / "out"
    proc = run("assess", data, "--out", out, "--lang", "kk", launcher="script")
    assert proc.returncode == 0, proc.stderr
    assert_same_index_file(out / "indices.csv", reference)
    assert REGIONS.name("almaty_city", "kk") in proc.stdout
    bad = tmp_path / "bad.csv"
    bad.write_text("region,B1\nabai,1\nАкмолла,2\naktobe,x1\n", encoding="utf-8")
    proc = run("validate", bad, launcher="script")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "row 3" in proc.stderr and "'Акмолла'" in proc.stderr
    assert "row 4" in proc.stderr and "'x1'" in proc.stderr


INTERNAL = ("import sys, turaqty.cli as c, turaqty.engine.assessment as a\n"
            "a.assess = lambda *x, **k: 1/0\n"  # cli._assess imports assess from here on use
            "sys.exit(c.main(['assess', '--out', sys.argv[1]]))\n")


def test_internal_error_exits_1_and_mentions_debug(tmp_path):
    out = tmp_path / "out"
    proc = run(out, prefix=[sys.executable, "-c", INTERNAL])
    assert proc.returncode == 1
    assert "TURAQTY_DEBUG" in proc.stderr and "ZeroDivisionError" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not out.exists()


def test_internal_error_with_debug_shows_traceback(tmp_path):
    proc = run(tmp_path / "out", prefix=[sys.executable, "-c", INTERNAL],
               env={"TURAQTY_DEBUG": "1"})
    assert proc.returncode == 1
    assert "Traceback" in proc.stderr and "ZeroDivisionError" in proc.stderr


# ---------------------------------------------------------------------------------------
# In-process checks of the same entry point (fast)
# ---------------------------------------------------------------------------------------

def test_out_that_is_a_file_is_a_usage_error(tmp_path, capsys):
    target = tmp_path / "results.txt"
    target.write_text("mine", encoding="utf-8")
    assert turaqty.cli.main(["assess", "--out", str(target), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert str(target) in err and "Traceback" not in err
    assert target.read_text(encoding="utf-8") == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results.txt"]


def test_turaqty_lang_environment_variable(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("TURAQTY_LANG", "ru")
    assert turaqty.cli.main(["validate", str(tmp_path / "missing.csv")]) == 2
    err = capsys.readouterr().err
    assert t("error.file_not_found", "ru") in err


def test_validate_missing_and_folder_in_process(tmp_path, capsys):
    assert turaqty.cli.main(["validate", str(tmp_path)]) == 2
    assert t("error.is_a_directory", "en") in capsys.readouterr().err


# ---------------------------------------------------------------------------------------
# Regressions: bugs found by these tests and fixed
# ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["en", "ru"])
def test_statistics_sheet_does_not_call_indicator_names_region(runs, lang):
    from openpyxl import load_workbook

    _, out = runs(lang, "--lang", lang)
    wb = load_workbook(out / "results.xlsx", read_only=True)
    try:
        ws = wb[t("sheet.stats", lang)]
        header = [c.value for c in next(ws.iter_rows(max_row=1))]
    finally:
        wb.close()
    assert header[0] == t("col.indicator", lang)
    assert header[1] != t("col.name", lang)


def test_new_output_folder_respects_umask(runs):
    _, out = runs("en")
    umask = os.umask(0)
    os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o777 & ~umask


def test_unknown_option_code_message_does_not_call_the_option_a_column(tmp_path, capsys):
    assert turaqty.cli.main(["assess", "--exclude", "B99", "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "--exclude" in err and "column" not in err


def test_xlsx_named_csv_is_not_an_internal_error(tmp_path, wide):
    data = write_xlsx(tmp_path / "data.xlsx", numeric_rows(wide))
    renamed = tmp_path / "data.csv"
    data.rename(renamed)
    proc = run("validate", renamed)
    assert proc.returncode in (0, 2), proc.stderr


def test_a_reader_that_goes_away_is_not_an_error(tmp_path):
    # `turaqty assess | head -1`: the pipe closes while the table is printed
    proc = subprocess.Popen([sys.executable, "-m", "turaqty", "assess", "--out", str(tmp_path / "r")],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait() == 0 and err == ""
    assert (tmp_path / "r" / "indices.csv").is_file()
