"""Robustness of every rank (issue 11): factors, the vectorised engine against assess() one by
one, zero noise, seeds, chunks, Sobol indices (Ishigami: analytic values and SALib), Dask,
drop-one effects, the command line and its bad inputs, and COINr's ASEM framework."""
from __future__ import annotations

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

import turaqty
from turaqty.analysis import robustness
from turaqty.analysis.factors import build_factors, default_factors
from turaqty.analysis.replications import Replicator, batch_ranks
from turaqty.analysis.robustness import run_robustness, uniforms
from turaqty.analysis.sensitivity import ishigami_indices, ishigami_model, saltelli_design, sobol_from_runs
from turaqty.engine.assessment import assess
from turaqty.errors import UsageError
from turaqty.model.method import get_method

ROOT = Path(__file__).resolve().parents[1]
ASEM = (ROOT / "../shared/external").resolve() / "coinr-asem"
ZERO = {"weights": {"indicators": 0.0, "nodes": 0.0}}


@pytest.fixture(scope="module")
def nominal():
    return assess()


def test_zero_noise_gives_the_nominal_ranks_exactly(nominal, monkeypatch):
    r = run_robustness(factors=ZERO, runs=50, sobol=16)
    ranks = nominal.indices.set_index("unit_id")["rank_integral"]
    table = r.table.set_index("unit_id")
    for column in ("nominal", "median", "p05", "p95"):
        assert (table[column] == ranks.loc[table.index]).all(), column
    assert (table["mean_abs_shift"] == 0).all() and r.places == 0 and (r.shift == 0).all()
    assert (r.sensitivity[["first", "total"]] == 0).all().all()
    assert "5 %" in r.sentence("en") and "50" in r.sentence("ru")  # the run's level, not fixed text
    monkeypatch.setattr(robustness, "SIGNIFICANCE", 0.1)
    assert "10 %" in r.sentence("kk")
    f = build_factors(ZERO, nominal)
    values = Replicator(nominal, f).values(f.settings(np.random.default_rng(0).random((20, f.dims))))
    # the same sums in another order: equal to the last bits, ranks exactly
    np.testing.assert_allclose(values, np.tile(nominal.arrays.aggregates[:, -1], (20, 1)), rtol=0, atol=1e-12)
    assert (batch_ranks(values) == nominal.arrays.ranks[:, -1]).all()


@pytest.mark.parametrize("profile, spec", [
    ("default", None),
    ("dissertation", None),
    ("default", {"weights": {"indicators": {"distribution": "dirichlet", "concentration": 20},
                             "nodes": {"distribution": "dirichlet", "concentration": 5}},
                 "normalise": ["nominal", {"method": "rank"}], "aggregate": ["nominal", "harmonic"],
                 "exclude": ["B1", "B30"]}),
    ("strict", {"weights": {"indicators": 0.5, "nodes": 0.5}, "impute": ["nominal", "mean"],
                "exclude": ["B43", "B46"]}),
])
def test_a_vectorised_replication_equals_assess_with_its_method(profile, spec):
    if profile == "strict":  # availability per node, a weighted min_share at the pillars
        profile = get_method("default").replace(
            availability={"default": 0.8, "ecological": 0.97},
            aggregate={"method": "framework", "by_level": {"2": {"method": "arithmetic", "min_share": 0.9,
                                                                 "share_by": "weight"}}})
    a = assess(profile=profile)
    f = default_factors(a) if spec is None else build_factors(spec, a)
    engine = Replicator(a, f)
    s = f.settings(uniforms(11, 0, 24, f.dims))
    values, ranks = engine.values(s), batch_ranks(engine.values(s))
    for row in range(0, 24, 3):
        one = assess(a.dataset, f.method(a.method, s, row), framework=a.framework)
        np.testing.assert_allclose(values[row], one.arrays.aggregates[:, -1], rtol=0, atol=1e-12)
        assert np.array_equal(ranks[row], one.arrays.ranks[:, -1], equal_nan=True)
    every = engine.aggregates(s.take([5]))[0]
    one = assess(a.dataset, f.method(a.method, s, 5), framework=a.framework)
    np.testing.assert_allclose(every, one.arrays.aggregates, rtol=0, atol=1e-12)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10 ** 6), noise=st.floats(0.0, 0.9))
def test_property_any_draw_equals_assess(nominal, seed, noise):
    f = build_factors({"weights": {"indicators": noise, "nodes": noise}, "normalise": ["nominal", "zscore"],
                       "impute": ["nominal", "median"], "exclude": ["B43", "B48"],
                       "directions": ["printed"]}, nominal)
    s = f.settings(np.random.default_rng(seed).random((1, f.dims)))
    one = assess(nominal.dataset, f.method(nominal.method, s, 0), framework=nominal.framework)
    got = Replicator(nominal, f).values(s)[0]
    np.testing.assert_allclose(got, one.arrays.aggregates[:, -1], rtol=0, atol=1e-12)


def test_seeds_reproduce_and_chunks_do_not_matter():
    a = run_robustness(runs=300, sobol=32, seed=4)
    b = run_robustness(runs=300, sobol=32, seed=4, chunk=7)
    c = run_robustness(runs=300, sobol=32, seed=5)
    assert a.table.equals(b.table) and a.sensitivity.equals(b.sensitivity)
    assert np.array_equal(a.shift, b.shift)
    assert not np.array_equal(a.shift, c.shift)
    assert np.array_equal(uniforms(4, 1000, 1100, 3), uniforms(4, 0, 2048, 3)[1000:1100])


def test_rank_table_is_consistent(nominal):
    r = run_robustness(runs=400, sobol=0, top=3, seed=2)
    t = r.table
    assert ((t["p05"] <= t["median"]) & (t["median"] <= t["p95"])).all()
    assert t["p_top3"].sum() == pytest.approx(3.0) and t["p_bottom3"].sum() == pytest.approx(3.0)
    assert ((t["p_top3"] >= 0) & (t["p_top3"] <= 1)).all()
    assert r.sensitivity.empty and r.manifest["runs"] == 400
    assert r.sentence("kk") != r.sentence("ru") != r.sentence("en")


def test_a_factor_that_cannot_change_a_rank_has_sobol_indices_zero():
    # the integral sum of three pillar means and their arithmetic mean rank alike
    r = run_robustness(factors={"weights": {"indicators": 0.25}, "aggregate": ["nominal", "arithmetic"]},
                       runs=10, sobol=256, seed=1)
    s = r.sensitivity.set_index("factor")
    assert s.loc["aggregate", "total"] == 0 and abs(s.loc["aggregate", "first"]) < 0.05
    assert s.loc["weights.indicators", "total"] > 0.5


def test_sobol_estimator_on_ishigami_against_the_analytic_indices():
    x = saltelli_design([[0], [1], [2]], 3, 2 ** 16, seed=2)
    s = sobol_from_runs(ishigami_model(x), 3, bootstrap=100, seed=2)
    first, total = ishigami_indices()
    np.testing.assert_allclose(s.first, first, atol=0.02)
    np.testing.assert_allclose(s.total, total, atol=0.01)
    assert ((s.first_ci[:, 0] <= first) & (first <= s.first_ci[:, 1])).all()
    assert ((s.total_ci[:, 0] <= total) & (total <= s.total_ci[:, 1])).all()


def test_sobol_estimator_matches_salib_on_the_same_runs():
    analyze = pytest.importorskip("SALib.analyze.sobol", reason="SALib not installed")
    n, k = 1024, 3
    x = saltelli_design([[0], [1], [2]], 3, n, seed=9)
    y = ishigami_model(x)
    ours = sobol_from_runs(y, k, bootstrap=10)
    blocks = y.reshape(k + 2, n)  # ours: A, B, AB1..ABk; SALib: per row A, AB1..ABk, B
    salib_order = np.column_stack([blocks[0], *blocks[2:], blocks[1]]).ravel()
    problem = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[-np.pi, np.pi]] * 3}
    theirs = analyze.analyze(problem, salib_order, calc_second_order=False, num_resamples=10,
                             seed=1)
    np.testing.assert_allclose(ours.first, theirs["S1"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(ours.total, theirs["ST"], rtol=0, atol=1e-12)


def test_drop_one_equals_assess_without_the_item(nominal):
    r = run_robustness(runs=10, sobol=0)
    d = r.drop_one.set_index("item")
    without = assess(profile=nominal.method.replace(exclude={"B43": "suspect", "B12": "user"},
                                                    profile="default"))
    moved = np.abs(without.arrays.ranks[:, -1] - nominal.arrays.ranks[:, -1])
    assert d.loc["B12", "mean_abs_shift"] == pytest.approx(moved.mean())
    assert d.loc["B12", "units_moved"] == (moved > 0).sum()
    assert set(d.loc[d["kind"] == "node"].index) == {"social", "economic", "ecological"}
    assert "B43" not in d.index  # not in the index nominally


def test_dask_local_cluster_gives_the_local_result():
    pytest.importorskip("dask.distributed", reason="dask.distributed not installed (turaqty[dask])")
    local = run_robustness(runs=2100, sobol=32, seed=8, chunk=1024)
    spread = run_robustness(runs=2100, sobol=32, seed=8, chunk=1024, workers=2)
    assert local.table.equals(spread.table) and local.sensitivity.equals(spread.sensitivity)
    assert np.array_equal(local.shift, spread.shift)


@pytest.mark.parametrize("spec, key", [
    ({"weight": 0.2}, "factor_unknown"),
    ({"weights": {"indicators": -0.1}}, "factor_noise"),
    ({"weights": {"indicators": "much"}}, "factor_noise"),
    ({"weights": {"nodes": {"distribution": "dirichlet", "concentration": 0}}}, "factor_noise"),
    ({"normalise": ["nominal", "cuberoot"]}, "factor_alternative"),
    ({"exclude": ["B99"]}, "factor_indicator"),
    ({"directions": ["sideways"]}, "factor_alternative"),
])
def test_bad_factors_are_refused(nominal, spec, key):
    with pytest.raises(UsageError) as err:
        build_factors(spec, nominal)
    assert err.value.problems[0].key == key


def test_geometric_mean_of_negative_scores_is_a_clear_error():
    with pytest.raises(UsageError) as err:
        run_robustness(factors={"normalise": ["zscore"], "aggregate": ["geometric"]}, runs=200, sobol=0)
    assert err.value.problems[0].key == "factor_failed"


def test_python_api_exports():
    assert turaqty.run_robustness is run_robustness
    assert "run_robustness" in dir(turaqty)


def _cli(*args, cwd=None):
    env = {k: v for k, v in os.environ.items() if k not in ("TURAQTY_LANG", "TURAQTY_DEBUG")}
    return subprocess.run([sys.executable, "-m", "turaqty", *map(str, args)], capture_output=True,
                          text=True, encoding="utf-8", env=env, timeout=300, cwd=cwd)


def test_cli_writes_every_output(tmp_path):
    factors = tmp_path / "factors.yaml"
    factors.write_text("weights:\n  indicators: {noise: 0.25}\naggregate: [nominal, geometric]\n"
                       "exclude: [B43, B48, B51]\ndirections: [meaningful, printed]\n", encoding="utf-8")
    out = tmp_path / "out"
    p = _cli("robustness", "--factors", factors, "--runs", 500, "--sobol", 64, "--seed", 3,
             "--out", out, "--lang", "kk")
    assert p.returncode == 0, p.stderr
    assert "мәнді емес" in p.stdout or "мәнді" in p.stdout
    names = {f.name for f in out.iterdir()}
    assert {"robustness.csv", "sensitivity.csv", "drop_one.csv", "robustness.xlsx", "manifest.json",
            "rank_intervals.svg", "summary.txt"} <= names
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["seed"] == 3 and manifest["runs"] == 500
    assert [f["name"] for f in manifest["factors"]] == ["weights.indicators", "aggregate", "exclude.B43",
                                                       "exclude.B48", "exclude.B51", "directions"]
    assert manifest["sentence"] == (out / "summary.txt").read_text(encoding="utf-8").strip()
    import pandas as pd

    table = pd.read_csv(out / "robustness.csv")
    assert list(table.columns) == ["unit_id", "name", "nominal", "median", "p05", "p95", "p_top5",
                                   "p_bottom5", "mean_abs_shift", "unranked"]
    again = tmp_path / "again"
    assert _cli("robustness", "--factors", factors, "--runs", 500, "--sobol", 64, "--seed", 3,
                "--out", again, "--lang", "kk").returncode == 0
    assert (again / "robustness.csv").read_bytes() == (out / "robustness.csv").read_bytes()


@pytest.mark.parametrize("args, text", [
    (["--runs", "1"], "runs"),
    (["--factors", "{factors}"], "much"),
    (["--scheduler", "tcp://127.0.0.1:9"], "dask"),
])
def test_cli_bad_input_exits_2_without_output(tmp_path, args, text):
    factors = tmp_path / "f.yaml"
    factors.write_text("weights: {indicators: much}\n", encoding="utf-8")
    args = [a.replace("{factors}", str(factors)) for a in args]
    p = _cli("robustness", *args, "--sobol", 0, "--out", tmp_path / "out")
    assert p.returncode == 2, p.stderr
    assert text in p.stderr and "Traceback" not in p.stderr
    assert not (tmp_path / "out").exists()


def test_cli_non_numeric_runs_is_a_usage_error(tmp_path):
    p = _cli("robustness", "--runs", "many", "--out", tmp_path / "out")
    assert p.returncode == 2 and "--runs" in p.stderr


def test_factor_file_for_another_framework_asem(tmp_path):
    if not ASEM.exists():
        pytest.skip(f"COINr's ASEM data not found at {ASEM}")
    data, meta = ASEM / "ASEM_iData.csv", ASEM / "ASEM_iMeta.csv"
    method = ROOT / "examples" / "asem" / "method.yaml"
    r = run_robustness(data, framework=meta, method=str(method), runs=300, sobol=0, seed=1)
    assert [f["name"] for f in r.manifest["factors"]] == ["weights.indicators", "weights.nodes",
                                                         "normalise", "impute"]
    a = r.assessment
    ranks = a.indices.set_index("unit_id")[f"rank_{a.framework.root}"]
    assert (r.table.set_index("unit_id")["nominal"] == ranks.loc[r.table["unit_id"]].to_numpy()).all()
    f = r.factors
    s = f.settings(uniforms(2, 0, 3, f.dims))
    one = assess(str(data), f.method(a.method, s, 2), framework=a.framework)
    np.testing.assert_allclose(Replicator(a, f).values(s)[2], one.arrays.aggregates[:, -1], atol=1e-10)


def test_a_flat_framework_gets_no_node_weight_factor(tmp_path):
    # indicators straight into the root: varying node weights would change nothing and only
    # cost Sobol samples, so the defaults leave the factor out
    from turaqty.io.frameworks import read_framework
    from turaqty.model.method import Method

    (tmp_path / "structure.csv").write_text(
        "id,parent,type,weight,direction,aggregation,name_en\nidx,,aggregate,1,,arithmetic,Flat index\n"
        + "".join(f"A{k},idx,indicator,1,+,,a{k}\n" for k in (1, 2, 3)), encoding="utf-8")
    (tmp_path / "framework.json").write_text('{"id": "flat"}', encoding="utf-8")
    (tmp_path / "units.csv").write_text("id,name_en\n" + "".join(f"u{i},Unit {i}\n" for i in range(12)),
                                        encoding="utf-8")
    rng = np.random.default_rng(1)
    rows = "".join(f"u{i},{','.join(f'{x:.2f}' for x in rng.uniform(0, 100, 3))}\n" for i in range(12))
    (tmp_path / "data.csv").write_text("region,A1,A2,A3\n" + rows, encoding="utf-8")
    a = assess(str(tmp_path / "data.csv"), framework=read_framework(tmp_path),
               profile=Method(profile="generic"))
    names = default_factors(a).names
    assert "weights.indicators" in names and "weights.nodes" not in names
    assert "weights.nodes" in default_factors(assess()).names


def test_contested_indicators_only_for_the_dissertations_framework():
    """B43, B48 and B51 are left in or out by default on kz-isdr; a framework of the user's
    own whose codes happen to be B43 … is not given the dissertation's disputes."""
    from turaqty.analysis.factors import default_spec
    from turaqty.model.framework import build_framework
    from turaqty.model.method import Method

    assert default_spec(turaqty.assess())["exclude"] == ["B43", "B48", "B51"]
    rows = [{"id": "root", "type": "aggregate", "aggregation": "sum"},
            {"id": "p", "parent": "root", "type": "aggregate"}]
    rows += [{"id": code, "parent": "p", "direction": "+"} for code in ("B43", "B48", "B51", "B1")]
    fw = build_framework("mine", {}, rows, file="mine.csv")
    data = pd.DataFrame(np.arange(24, dtype=float).reshape(6, 4) % 7 + 1, columns=list(fw.codes),
                        index=pd.Index(turaqty.load_regions().unit_ids[:6], name="region"))
    a = turaqty.assess(data, framework=fw, profile=Method(profile="generic"))
    assert "exclude" not in default_spec(a)
