"""``turaqty whatif`` on a framework of the user's own (``--framework``, with ``--method``,
``--weight``): changes named by the framework's units and codes, outputs in general words,
errors that speak of units and list the framework's codes."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import turaqty
from turaqty.analysis.scenarios import read_changes, run_changes
from turaqty.io.frameworks import read_framework
from turaqty.model.method import Method


def run(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "turaqty", *map(str, args)], capture_output=True,
                          text=True, timeout=600)


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("wf")
    assert run("framework", "template", root / "tpl").returncode == 0
    return root / "tpl"


def _base(template: Path):
    return turaqty.assess(str(template / "data.csv"), framework=read_framework(template),
                          profile=Method(profile="generic"))


def test_whatif_on_the_template_through_the_command(template, tmp_path):
    done = run("whatif", template / "data.csv", "--framework", template, "--set", "District 1.S1=5.6",
               "--set", "d2.E1=3000", "--out", tmp_path / "out")
    assert done.returncode == 0, done.stderr
    changes = pd.read_csv(tmp_path / "out" / "scenario_changes.csv", encoding="utf-8-sig")
    got = {(r.unit_id, r.indicator): (r.before, r.after, r.name) for r in changes.itertuples()}
    assert got == {("d1", "S1"): (5.1, 5.6, "District 1"), ("d2", "E1"): (3400.0, 3000.0, "District 2")}
    assert "units whose rank or level changes" in done.stdout and "region" not in done.stdout.lower()
    summary = pd.read_csv(tmp_path / "out" / "scenario_summary.csv", encoding="utf-8-sig")
    assert set(summary["name"]) >= {"District 1", "District 2"}


def test_recomputed_changes_equal_assessing_the_changed_data(template):
    """With ``bounds="recomputed"`` a what-if is a fresh assessment of the changed data."""
    base = _base(template)
    changes = turaqty.parse_settings(["District 1.S1=5.6", "d2.E1=+10%"], base)  # the public API
    result = run_changes(base, changes, bounds="recomputed", strict=True)
    data = pd.read_csv(template / "data.csv")
    data[["S1", "E1"]] = data[["S1", "E1"]].astype(float)
    data.loc[data["region"] == "District 1", "S1"] = 5.6
    data.loc[data["region"] == "District 2", "E1"] *= 1.1
    fresh = turaqty.assess(data.set_index("region"), framework=read_framework(template),
                           profile=Method(profile="generic"))
    root = base.framework.root
    mine = result.assessment.indices.set_index("unit_id")[root]
    np.testing.assert_allclose(mine.to_numpy(), fresh.indices.set_index("unit_id").loc[mine.index, root],
                               rtol=0, atol=1e-12)
    assert not np.allclose(mine.to_numpy(), base.indices.set_index("unit_id").loc[mine.index, root])


def test_a_changes_file_names_the_frameworks_units(template, tmp_path):
    base = _base(template)
    path = tmp_path / "changes.csv"
    path.write_text("region,indicator,value\nDistrict 3,S2,+5%\n", encoding="utf-8")
    (change,) = read_changes(path, base)
    assert (change.target, change.indicator, change.method, change.value) == ("d3", "S2", "relative", 0.05)


@pytest.mark.parametrize("lang, unit_word", [("en", "unknown unit"), ("ru", "неизвестная единица"),
                                             ("kk", "белгісіз бірлік")])
def test_errors_speak_of_units_and_list_the_frameworks_codes(template, tmp_path, lang, unit_word):
    done = run("--lang", lang, "whatif", template / "data.csv", "--framework", template,
               "--set", "Nowhere.S1=9", "--set", "d2.B3=1", "--out", tmp_path / "out")
    assert done.returncode == 2 and not (tmp_path / "out").exists()
    assert unit_word in done.stderr and "S1, S2, E1, E2" in done.stderr and "B52" not in done.stderr


def test_the_dissertations_what_if_keeps_its_words(tmp_path):
    done = run("whatif", "--set", "Nowhere.B3=9", "--set", "astana.S1=1", "--out", tmp_path / "out")
    assert done.returncode == 2
    assert "unknown region 'Nowhere'" in done.stderr and "B1 ... B52" in done.stderr
