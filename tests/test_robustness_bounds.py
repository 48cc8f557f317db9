"""The robustness factor ``bounds`` (issue 11, item 1): min–max bounds of the year or pooled
over a panel's years, against monitoring's pooled goalposts and ``assess()`` with those bounds;
forced, nominal-only, mixed per replication, seeds, chunks, Sobol, the command line, a real
panel (the national SDG platform's folder) and bad input."""
from __future__ import annotations

import dataclasses
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from turaqty.analysis.factors import build_factors, default_factors
from turaqty.analysis.monitor import monitor
from turaqty.analysis.replications import Replicator, batch_ranks
from turaqty.analysis.robustness import panel_bounds, run_robustness, uniforms
from turaqty.engine.assessment import assess
from turaqty.errors import UsageError
from turaqty.io.write import csv_bytes
from turaqty.model.method import get_method
from turaqty.model.panel import panel_from_long

ROOT = Path(__file__).resolve().parents[1]
KAZSTAT = (ROOT / "../shared/external").resolve() / "kazstat-sdg"
ZERO = {"weights": {"indicators": 0.0, "nodes": 0.0}}
POOLED = {**ZERO, "bounds": ["pooled"]}


@pytest.fixture(scope="module")
def nominal():
    return assess()


@pytest.fixture(scope="module")
def monitored():
    return monitor()  # the embedded panel 2010–2023, pooled goalposts


@pytest.fixture(scope="module")
def pooled(nominal):
    return panel_bounds("embedded", nominal)[0]


def _pooled_method(method, low, high):
    """The method with min–max bounds given, as a user would write it in a method file."""
    return method.replace(profile=method.profile, normalise={
        "method": "minmax", "scale": [1, 9], "lower": low.tolist(), "upper": high.tolist(), "clip": True})


def test_pooled_bounds_are_monitorings_pooled_goalposts(nominal, monitored, pooled):
    # the embedded 2023 data is the panel's last year: pooling it in changes nothing
    assert monitored.panel.indicators == nominal.dataset.indicators
    assert np.array_equal(pooled[0], monitored.lower, equal_nan=True)
    assert np.array_equal(pooled[1], monitored.upper, equal_nan=True)
    # by hand: B3 (poverty, lower is better) lies between 0.4 % (Astana 2014, Almaty 2012) and
    # 12.2 % (Turkistan 2020) over 2010–2023, between 2.7 % and 9.6 % in 2023 alone
    j = nominal.dataset.indicators.index("B3")
    assert (pooled[0][j], pooled[1][j]) == (0.4, 12.2)
    assert (nominal.arrays.lower[j], nominal.arrays.upper[j]) == (2.7, 9.6)


def test_forced_pooled_gives_the_ranks_of_assess_with_pooled_bounds(nominal, monitored, pooled):
    r = run_robustness(factors=POOLED, panel="embedded", runs=40, sobol=0, seed=1)
    with_bounds = assess(profile=_pooled_method(nominal.method, *pooled))
    ranks = with_bounds.indices.set_index("unit_id")["rank_integral"]
    table = r.table.set_index("unit_id")
    for column in ("median", "p05", "p95"):
        assert (table[column] == ranks.loc[table.index]).all(), column
    assert (table["nominal"] == nominal.indices.set_index("unit_id").loc[table.index, "rank_integral"]).all()
    assert not (table["nominal"] == table["median"]).all()  # pooled bounds do move ranks
    assert r.factors.names == ["weights.indicators", "weights.nodes"]  # one alternative: no factor
    # the scores of the pooled replications are monitoring's pooled scores of 2023, exactly
    engine = Replicator(nominal, r.factors)
    scores = engine.scores[engine.score_set[np.ravel_multi_index(tuple(r.factors.nominal(1).combos()[0]),
                                                                 engine.shape)]]
    assert np.array_equal(scores, monitored.scores[:, :, monitored.years.index(2023)], equal_nan=True)
    np.testing.assert_array_equal(scores, with_bounds.arrays.scores)
    # by hand: Akmola's poverty rate 5.9 % in 2023 → 1 + 8·(12.2 − 5.9)/(12.2 − 0.4)
    i, j = nominal.dataset.units.index("akmola"), nominal.dataset.indicators.index("B3")
    assert nominal.dataset.values[i, j] == 5.9
    assert scores[i, j] == pytest.approx(1 + 8 * 6.3 / 11.8, abs=1e-12)
    assert nominal.arrays.scores[i, j] == pytest.approx(1 + 8 * 3.7 / 6.9, abs=1e-12)


def test_nominal_bounds_only_give_the_nominal_ranks(nominal):
    r = run_robustness(factors={**ZERO, "bounds": ["nominal"]}, panel="embedded", runs=40, sobol=16)
    table = r.table
    for column in ("median", "p05", "p95"):
        assert (table[column] == table["nominal"]).all(), column
    assert r.places == 0 and (r.shift == 0).all()
    without = run_robustness(factors=ZERO, runs=40, sobol=16)
    assert table.equals(without.table)
    assert r.manifest["panel"]["years"] == [2010, 2023] and without.manifest["panel"] is None


def test_each_replication_takes_its_own_bounds_in_one_pass(nominal, pooled):
    spec = {"weights": {"indicators": 0.3}, "normalise": ["nominal", "percentile"],
            "impute": ["nominal", "mean"], "directions": ["printed"], "bounds": ["nominal", "pooled"]}
    f = build_factors(spec, nominal, pooled=pooled)
    s = f.settings(uniforms(5, 0, 32, f.dims))
    assert set(s.bounds.tolist()) == {0, 1} and set(s.normalise.tolist()) == {0, 1}
    engine = Replicator(nominal, f)
    assert len(engine.scores) == 2 * 2 * 2 + 4  # percentile's pooled scores are its year's
    values = engine.values(s)
    for row in range(32):
        method = f.method(nominal.method, s, row)
        takes = f.alternatives["bounds"][s.bounds[row]] == "pooled" and s.normalise[row] == 0
        assert ("lower" in method.normalise.params) == takes  # percentile has no bounds to pool
        one = assess(nominal.dataset, method)
        np.testing.assert_allclose(values[row], one.arrays.aggregates[:, -1], rtol=0, atol=1e-12)
        assert np.array_equal(batch_ranks(values[row:row + 1])[0], one.arrays.ranks[:, -1], equal_nan=True)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10 ** 6), noise=st.floats(0.0, 0.9))
def test_property_any_draw_with_bounds_equals_assess(nominal, pooled, seed, noise):
    f = build_factors({"weights": {"indicators": noise, "nodes": noise},
                       "aggregate": ["nominal", "geometric"], "exclude": ["B43", "B51"],
                       "directions": ["printed"], "bounds": ["nominal", "pooled"]}, nominal, pooled=pooled)
    s = f.settings(np.random.default_rng(seed).random((1, f.dims)))
    one = assess(nominal.dataset, f.method(nominal.method, s, 0))
    got = Replicator(nominal, f).aggregates(s)[0]
    np.testing.assert_allclose(got, one.arrays.aggregates, rtol=0, atol=1e-12)
    assert np.nanmin(one.arrays.scores) >= 1 and np.nanmax(one.arrays.scores) <= 9


def test_default_factors_have_bounds_only_with_a_panel(nominal, pooled):
    assert "bounds" not in default_factors(nominal).names
    names = default_factors(nominal, pooled).names
    assert names[names.index("impute") + 1] == "bounds"
    ranked = assess(profile=nominal.method.replace(profile="ranked", normalise={"method": "percentile"}))
    assert "bounds" not in default_factors(ranked, pooled).names  # nothing to pool
    # a method that divides by denominators: the panel's raw values cannot be pooled, so the
    # defaults leave the factor out (asking for it in a factor file is an error)
    divided = nominal.method.replace(profile="divided", denominate={"method": "divide"})
    assert "bounds" not in default_factors(assess(profile=divided), pooled).names


def test_seeds_reproduce_chunks_do_not_matter_and_sobol_has_a_bounds_row():
    a = run_robustness(panel="embedded", runs=300, sobol=64, seed=4)
    b = run_robustness(panel="embedded", runs=300, sobol=64, seed=4, chunk=9)
    c = run_robustness(panel="embedded", runs=300, sobol=64, seed=5)
    assert a.table.equals(b.table) and a.sensitivity.equals(b.sensitivity)
    assert np.array_equal(a.shift, b.shift) and not np.array_equal(a.shift, c.shift)
    s = a.sensitivity.set_index("factor")
    assert "bounds" in s.index and s.loc["bounds", "total"] > 0
    assert [x for x in a.manifest["factors"] if x["name"] == "bounds"] == [
        {"name": "bounds", "kind": "bounds", "dims": 1, "alternatives": ["nominal", "pooled"]}]


def test_a_panel_without_an_indicator_keeps_the_years_bounds_for_it(nominal):
    frame = pd.DataFrame({"unit_id": ["akmola", "aktobe", "akmola"], "indicator": ["B3", "B3", "B3"],
                          "year": [2015, 2015, 2016], "value": [30.0, 0.1, 4.0]})
    (low, high), record = panel_bounds(panel_from_long(frame), nominal)
    j = nominal.dataset.indicators.index("B3")
    assert (low[j], high[j]) == (0.1, 30.0)  # the panel's, with the year's values inside
    others = np.arange(len(low)) != j
    assert np.array_equal(low[others], nominal.arrays.lower[others], equal_nan=True)
    assert record["indicators_without_panel_values"] == [c for c in nominal.dataset.indicators if c != "B3"]


@pytest.mark.parametrize("spec, pooled_given, key", [
    ({"bounds": ["pooled"]}, False, "factor_bounds_panel"),
    ({"bounds": ["nominal", "pooled"]}, False, "factor_bounds_panel"),
    ({"bounds": ["pooled", "sideways"]}, True, "factor_alternative"),
])
def test_bad_bounds_factors_are_refused(nominal, pooled, spec, pooled_given, key):
    with pytest.raises(UsageError) as err:
        build_factors(spec, nominal, pooled=pooled if pooled_given else None)
    assert err.value.problems[0].key == key and err.value.problems[0].column == "bounds"


def test_pooled_bounds_need_values_that_are_not_denominated(nominal, pooled):
    denominated = nominal.method.replace(profile="x", denominate={"method": "divide"})
    with pytest.raises(UsageError) as err:
        build_factors({"bounds": ["nominal", "pooled"]}, dataclasses.replace(nominal, method=denominated),
                      pooled=pooled)
    assert err.value.problems[0].key == "factor_bounds_denominated"


def test_a_panel_of_other_indicators_is_refused(nominal):
    frame = pd.DataFrame({"unit_id": ["akmola"], "indicator": ["B3"], "year": [2015], "value": [1.0]})
    other = panel_from_long(frame).select(())
    with pytest.raises(UsageError) as err:
        panel_bounds(other, nominal)
    assert err.value.problems[0].key == "robustness_panel_match"


def _cli(*args):
    env = {k: v for k, v in os.environ.items() if k not in ("TURAQTY_LANG", "TURAQTY_DEBUG")}
    return subprocess.run([sys.executable, "-m", "turaqty", *map(str, args)], capture_output=True,
                          text=True, encoding="utf-8", env=env, timeout=300)


def test_cli_panel_embedded_and_the_same_panel_from_a_file(tmp_path, monitored):
    out = tmp_path / "out"
    p = _cli("robustness", "--panel", "embedded", "--runs", 300, "--sobol", 32, "--seed", 2, "--out", out)
    assert p.returncode == 0, p.stderr
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert "bounds" in [f["name"] for f in manifest["factors"]]
    assert manifest["panel"]["source"] == "embedded:kz-panel" and manifest["panel"]["years"] == [2010, 2023]
    assert "bounds" in pd.read_csv(out / "sensitivity.csv")["factor"].tolist()
    # a file of the same panel (without B15 and B42, whose shares above 100 % the reader refuses)
    panel = monitored.panel.select([c for c in monitored.panel.indicators if c not in ("B15", "B42")])
    file = tmp_path / "panel.csv"
    panel.tidy()[["unit_id", "indicator", "year", "value"]].to_csv(file, index=False)
    again = tmp_path / "again"
    p = _cli("robustness", "--panel", file, "--runs", 300, "--sobol", 32, "--seed", 2, "--out", again)
    assert p.returncode == 0, p.stderr
    r = run_robustness(panel=panel, runs=300, sobol=32, seed=2)
    assert pd.read_csv(again / "robustness.csv").equals(pd.read_csv(io.BytesIO(csv_bytes(r.table))))
    assert json.loads((again / "manifest.json").read_text(encoding="utf-8"))["panel"][
        "indicators_without_panel_values"] == ["B15", "B42"]


@pytest.mark.parametrize("lang, text", [("en", "needs a panel"), ("kk", "панель керек"),
                                        ("ru", "нужна панель")])
def test_cli_bounds_without_a_panel_exits_2_without_output(tmp_path, lang, text):
    factors = tmp_path / "f.yaml"
    factors.write_text("bounds: [nominal, pooled]\n", encoding="utf-8")
    p = _cli("robustness", "--factors", factors, "--sobol", 0, "--out", tmp_path / "out", "--lang", lang)
    assert p.returncode == 2, p.stderr
    assert text in p.stderr and str(factors) in p.stderr and "--panel" in p.stderr
    assert "Traceback" not in p.stderr and not (tmp_path / "out").exists()


def test_cli_unreadable_panel_exits_2(tmp_path):
    p = _cli("robustness", "--panel", tmp_path / "missing.csv", "--sobol", 0, "--out", tmp_path / "out")
    assert p.returncode == 2 and "missing.csv" in p.stderr and "Traceback" not in p.stderr
    assert not (tmp_path / "out").exists()


def test_real_panel_of_the_national_sdg_platform(tmp_path, nominal):
    if not KAZSTAT.exists():
        pytest.skip(f"the national SDG platform's folder not found at {KAZSTAT}")
    out = tmp_path / "out"
    p = _cli("robustness", "--panel", KAZSTAT, "--factors", _write(tmp_path, "bounds: [pooled]\n"),
             "--runs", 20, "--sobol", 0, "--out", out)
    assert p.returncode == 0, p.stderr
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    lacking = manifest["panel"]["indicators_without_panel_values"]
    assert "B3" not in lacking and "B1" in lacking  # the platform has poverty, not GRP per head
    import turaqty

    panel = turaqty.read_kazstat(KAZSTAT)
    (low, high), _ = panel_bounds(panel, nominal)
    expected = assess(profile=_pooled_method(get_method("default"), low, high))
    ranks = expected.indices.set_index("unit_id")["rank_integral"]
    table = pd.read_csv(out / "robustness.csv").set_index("unit_id")
    assert (table["median"] == ranks.loc[table.index]).all()


def _write(folder: Path, text: str) -> Path:
    path = folder / "factors.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_dask_local_cluster_with_the_bounds_factor_gives_the_local_result():
    pytest.importorskip("dask.distributed", reason="dask.distributed not installed (turaqty[dask])")
    local = run_robustness(panel="embedded", runs=1100, sobol=16, seed=3, chunk=1024)
    spread = run_robustness(panel="embedded", runs=1100, sobol=16, seed=3, chunk=1024, workers=2)
    assert local.table.equals(spread.table) and local.sensitivity.equals(spread.sensitivity)
    assert np.array_equal(local.shift, spread.shift)
