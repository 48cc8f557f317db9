"""Batched what-if (issue 11, item 5): many change sets in one vectorised pass give what
run_changes gives set by set; the command line reads change-set files."""
from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from turaqty.analysis.change_sets import read_change_sets, run_change_sets
from turaqty.analysis.scenarios import Change, run_changes, scenario_changes, scenario_ids
from turaqty.engine.assessment import assess
from turaqty.errors import DataError


def _sets(base, seed: int = 0, n: int = 25) -> dict:
    rng = np.random.default_rng(seed)
    codes, units = base.dataset.indicators, base.dataset.units
    sets = {sid: scenario_changes(sid) for sid in scenario_ids()}  # macro-regions, gaps, norms
    for k in range(n):
        sets[f"random{k}"] = [Change(units[rng.integers(len(units))], codes[rng.integers(len(codes))],
                                     ("set", "relative", "absolute")[rng.integers(3)],
                                     float(rng.normal(scale=5))) for _ in range(4)]
    sets["twice"] = [Change("karaganda", "B25", "relative", 0.5),
                     Change("karaganda", "B25", "absolute", -1.0)]
    sets["empty"] = []
    return sets


@pytest.mark.parametrize("profile, bounds", [("default", "baseline"), ("dissertation", "baseline"),
                                             ("default", "recomputed")])
def test_batched_sets_equal_run_changes_one_by_one(profile, bounds):
    base = assess(profile=profile)
    sets = _sets(base)
    table = run_change_sets(base, sets, bounds)
    for name, changes in sets.items():
        one = run_changes(base, changes, name, bounds).assessment
        got = table[table["set"] == name]
        for k, node in enumerate(base.framework.index_columns):
            np.testing.assert_allclose(got[node].to_numpy(), one.arrays.aggregates[:, k], rtol=0,
                                       atol=1e-12, err_msg=f"{name} {node}")
        ranks = got["rank_integral"].to_numpy(dtype=float, na_value=np.nan)
        assert np.array_equal(ranks, one.arrays.ranks[:, -1], equal_nan=True), name
        assert got["level_integral"].tolist() == one.arrays.levels[:, -1].tolist()
    assert (table.loc[table["set"] == "empty", "rank_change"] == 0).all()


def test_strict_sets_name_what_the_data_lack():
    base = assess()
    with pytest.raises(DataError) as err:
        run_change_sets(base, {"a": [Change("karaganda", "B99", "set", 1.0)]}, strict=True)
    assert err.value.problems[0].key == "whatif_not_in_data"


def test_change_set_files(tmp_path):
    yaml_file = tmp_path / "sets.yaml"
    yaml_file.write_text("sets:\n  low: [{region: Karaganda, indicator: B25, value: 4}]\n"
                         "  west: [{region: west, indicator: B49, value: '-10%'}]\n", encoding="utf-8")
    sets = read_change_sets(yaml_file)
    assert list(sets) == ["low", "west"] and len(sets["west"]) == 4  # the macro-region's regions
    plain = tmp_path / "one.yaml"
    plain.write_text("- {region: Karaganda, indicator: B25, value: 4}\n", encoding="utf-8")
    assert read_change_sets(plain) is None
    bad = tmp_path / "bad.csv"
    bad.write_text("set,region,indicator,value\na,Karaganda,B25,many\n", encoding="utf-8")
    with pytest.raises(DataError) as err:
        read_change_sets(bad)
    assert err.value.problems[0].row == 2 and err.value.problems[0].column == "value"


def _cli(*args):
    env = {k: v for k, v in os.environ.items() if k not in ("TURAQTY_LANG", "TURAQTY_DEBUG")}
    return subprocess.run([sys.executable, "-m", "turaqty", *map(str, args)], capture_output=True,
                          text=True, encoding="utf-8", env=env, timeout=120)


def test_cli_whatif_file_with_sets(tmp_path):
    sets = tmp_path / "sets.csv"
    sets.write_text("set,region,indicator,value\na,karaganda,B25,4.0\na,astana,B1,+10%\nb,karaganda,B25,9\n",
                    encoding="utf-8")
    out = tmp_path / "out"
    p = _cli("whatif", "--file", sets, "--out", out, "--lang", "kk")
    assert p.returncode == 0, p.stderr
    table = pd.read_csv(out / "whatif_sets.csv")
    assert sorted(table["set"].unique()) == ["a", "b"] and len(table) == 40
    assert "whatif_sets.csv" in p.stdout
    bad = tmp_path / "bad.csv"
    bad.write_text("set,region,indicator,value\na,Atlantis,B25,4\n", encoding="utf-8")
    p = _cli("whatif", "--file", bad, "--out", tmp_path / "none")
    assert p.returncode == 2 and "Atlantis" in p.stderr and not (tmp_path / "none").exists()
