"""Output folders that never lie (issue 13): swapped in whole under a failure at every
file and under a killed process, one writer at a time, earlier outputs replaced together,
the user's own files kept; texts from the user never formulas in workbooks or CSV files."""
from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import signal
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

import turaqty
import turaqty.cli
import turaqty.io.write as write
from turaqty.errors import UsageError
from turaqty.report.outputs import assessment_files, write_assessment

from .conftest import table_rows, write_csv

INJECTION = '=HYPERLINK("http:evil","click")'


@pytest.fixture(scope="module")
def earlier():
    return turaqty.assess(lang="en")


@pytest.fixture(scope="module")
def later():
    return turaqty.assess(lang="kk")


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def assert_consistent(folder: Path) -> str:
    """Every file of ``folder`` is listed in its manifest with its hash, and every listed
    file is there: the folder is one run's, whole. Returns its language."""
    manifest = json.loads((folder / "manifest.json").read_bytes())
    files = {k: v for k, v in snapshot(folder).items() if k != "manifest.json"}
    assert set(files) == set(manifest["outputs"])
    for name, content in files.items():
        assert hashlib.sha256(content).hexdigest() == manifest["outputs"][name], name
    return manifest["language"]


def hidden_leftovers(parent: Path) -> list[str]:
    return [p.name for p in parent.iterdir() if p.name.startswith(".")]


def test_failure_at_every_file_leaves_the_earlier_folder_whole(tmp_path, earlier, later, monkeypatch):
    out = tmp_path / "results"
    write_assessment(earlier, out)
    before = snapshot(out)
    n = len(assessment_files(later))
    real = write._write_member
    for k in range(n):
        calls = []

        def failing(path, content, k=k, calls=calls):
            calls.append(path)
            if len(calls) == k + 1:
                raise OSError(28, "No space left on device", str(path))
            real(path, content)

        monkeypatch.setattr(write, "_write_member", failing)
        with pytest.raises(UsageError) as err:
            write_assessment(later, out)
        assert err.value.problems[0].key == "out_not_writable"
        assert snapshot(out) == before, k
        assert hidden_leftovers(tmp_path) == [], k
    monkeypatch.setattr(write, "_write_member", real)
    write_assessment(later, out)
    assert assert_consistent(out) == "kk"


def test_failure_of_the_swap_itself_keeps_the_earlier_folder(tmp_path, earlier, later, monkeypatch):
    out = tmp_path / "results"
    write_assessment(earlier, out)
    before = snapshot(out)
    monkeypatch.setattr(write, "_exchange", lambda a, b: False)  # the two-rename path
    real_rename = os.rename

    def rename(src, dst):
        if Path(dst) == out and ".turaqty-new-" in str(src):  # moving the new folder in
            raise OSError(5, "Input/output error", str(dst))
        real_rename(src, dst)

    monkeypatch.setattr(write.os, "rename", rename)
    with pytest.raises(UsageError):
        write_assessment(later, out)
    monkeypatch.setattr(write.os, "rename", real_rename)
    assert snapshot(out) == before and hidden_leftovers(tmp_path) == []
    write_assessment(later, out)  # and the two-rename path works
    assert assert_consistent(out) == "kk" and hidden_leftovers(tmp_path) == []


def test_earlier_outputs_are_replaced_together_and_user_files_kept(tmp_path, earlier):
    out = tmp_path / "results"
    turaqty.io.write.write_folder(out, {"report.html": b"old", "manifest.json": json.dumps(
        {"tool": "turaqty", "outputs": {"report.html": "x"}}).encode()})
    (out / "my notes.txt").write_text("keep me", encoding="utf-8")
    (out / "drafts").mkdir()
    (out / "drafts" / "a.txt").write_text("draft", encoding="utf-8")
    write_assessment(earlier, out)
    assert not (out / "report.html").exists()  # an output of the earlier run, not of this one
    assert (out / "my notes.txt").read_text(encoding="utf-8") == "keep me"
    assert (out / "drafts" / "a.txt").read_text(encoding="utf-8") == "draft"
    manifest = json.loads((out / "manifest.json").read_bytes())
    assert "report.html" not in manifest["outputs"]


def test_input_inside_the_output_folder_is_kept(tmp_path, wide, capsys):
    out = tmp_path / "results"
    out.mkdir()
    data = write_csv(out / "data.csv", table_rows(wide))
    before = data.read_bytes()
    assert turaqty.cli.main(["assess", str(data), "--out", str(out), "--quiet"]) == 0
    assert (out / "data.csv").read_bytes() == before and (out / "indices.csv").exists()


def test_no_input_of_a_run_is_overwritten(tmp_path, capsys):
    # a panel file and a factor file named like outputs, inside the output folder
    out = tmp_path / "results"
    out.mkdir()
    panel = out / "robustness.csv"
    turaqty.load_embedded_panel().tidy().to_csv(panel, index=False)
    factors = out / "summary.txt"
    factors.write_text("{}", encoding="utf-8")
    before = {p: p.read_bytes() for p in (panel, factors)}
    for extra in (["--panel", str(panel)], ["--factors", str(factors)]):
        code = turaqty.cli.main(["robustness", "--n", "10", *extra, "--out", str(out)])
        assert code == 2 and "would replace the input file" in capsys.readouterr().err
    assert {p: p.read_bytes() for p in before} == before and sorted(os.listdir(out)) == [
        "robustness.csv", "summary.txt"]


def test_several_input_files_are_all_protected(tmp_path):
    out = tmp_path / "o"
    out.mkdir()
    kept = out / "trends.csv"
    kept.write_text("x", encoding="utf-8")
    with pytest.raises(UsageError):
        turaqty.io.write.write_folder(out, {"trends.csv": b"new"}, protect=[tmp_path / "a.csv", kept])
    assert kept.read_text(encoding="utf-8") == "x"


def test_output_folder_that_is_the_current_folder_is_refused(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert turaqty.cli.main(["assess", "--out", ".", "--quiet"]) == 2
    assert "current folder" in capsys.readouterr().err and list(tmp_path.iterdir()) == []


# a child that writes slowly (0.15 s per file), announcing its first file on stdout
SLOW_WRITER = textwrap.dedent("""
    import sys, time
    import turaqty.io.write as write
    real = write._write_member
    def slow(path, content):
        print("writing", path.name, flush=True)
        time.sleep(0.15)
        real(path, content)
    write._write_member = slow
    import turaqty.cli
    sys.exit(turaqty.cli.main(sys.argv[1:]))
""")


def _slow_writer(*args) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", SLOW_WRITER, *map(str, args)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.parametrize("files_before_kill", [1, 5, 12])
def test_killed_run_leaves_a_whole_folder_and_its_leftovers_are_removed(tmp_path, files_before_kill):
    out = tmp_path / "results"
    assert turaqty.cli.main(["assess", "--out", str(out), "--quiet"]) == 0
    child = _slow_writer("assess", "--out", out, "--quiet", "--lang", "kk")
    for _ in range(files_before_kill):
        assert child.stdout.readline().startswith("writing")
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=60)
    assert assert_consistent(out) == "en"  # the earlier run, whole
    assert hidden_leftovers(tmp_path)  # the killed run's temporary folder (and lock file)
    assert turaqty.cli.main(["assess", "--out", str(out), "--quiet", "--lang", "ru"]) == 0
    assert assert_consistent(out) == "ru" and hidden_leftovers(tmp_path) == []


def test_two_writers_of_one_folder(tmp_path, capsys):
    out = tmp_path / "results"
    child = _slow_writer("assess", "--out", out, "--quiet", "--lang", "kk")
    assert child.stdout.readline().startswith("writing")
    code = turaqty.cli.main(["assess", "--out", str(out), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2 and "another turaqty is writing" in err and str(out) in err
    child.stdout.read()
    assert child.wait(timeout=120) == 0
    assert assert_consistent(out) == "kk" and hidden_leftovers(tmp_path) == []
    assert turaqty.cli.main(["assess", "--out", str(out), "--quiet"]) == 0  # the lock is released
    assert assert_consistent(out) == "en"


# ---------------------------------------------------------------------------------------
# formula injection
# ---------------------------------------------------------------------------------------

PRODUCT_FORMULA = re.compile(r"(MEDIAN|AVERAGE)\([A-Z]+\d+:[A-Z]+\d+\)")


def formulas(xlsx: Path) -> list[str]:
    """The formulas (``<f>`` elements) of every sheet of a workbook, read from its XML."""
    found = []
    with zipfile.ZipFile(xlsx) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                found += re.findall(r"<f>([^<]*)</f>", z.read(name).decode("utf-8"))
    return found


def test_user_texts_are_never_formulas(tmp_path, wide, capsys):
    data = write_csv(tmp_path / f"{INJECTION}.csv", table_rows(wide))
    changes = tmp_path / "=cmd|' -C calc'!A0.csv"
    changes.write_text("region,indicator,value\nkaraganda,B25,4\n", encoding="utf-8")
    assert turaqty.cli.main(["assess", str(data), "--out", str(tmp_path / "a"), "--quiet"]) == 0
    assert turaqty.cli.main(["whatif", str(data), "--file", str(changes), "--out", str(tmp_path / "w")]) == 0
    assert turaqty.cli.main(["report", str(data), "--out", str(tmp_path / "r")]) == 0
    for book, name in ((tmp_path / "a" / "results.xlsx", 'HYPERLINK("http:evil'),
                       (tmp_path / "w" / "scenario.xlsx", "=cmd|"),
                       (tmp_path / "r" / "results.xlsx", 'HYPERLINK("http:evil')):
        found = formulas(book)
        assert all(PRODUCT_FORMULA.fullmatch(f) for f in found), (book, found)
        with zipfile.ZipFile(book) as z:  # the name is there, as text
            text = "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xml"))
        assert name in text.replace("&quot;", '"'), book
    assert formulas(tmp_path / "a" / "results.xlsx")  # the live risk thresholds stay formulas
    for folder in ("a", "w"):
        for path in (tmp_path / folder).glob("*.csv"):
            for row in csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))):
                for cell in row:
                    if cell[:1] in ("=", "+", "-", "@") and len(cell) > 1:
                        float(cell)  # only numbers may start so


def test_control_characters_in_a_file_name_do_not_break_the_workbook(tmp_path, wide, capsys):
    data = write_csv(tmp_path / "bad\x01name.csv", table_rows(wide))
    assert turaqty.cli.main(["assess", str(data), "--out", str(tmp_path / "a"), "--quiet"]) == 0
    from openpyxl import load_workbook

    load_workbook(tmp_path / "a" / "results.xlsx")
