"""Monitoring and ``robustness --panel`` with every normalisation of the registry, each on
goalposts that make years comparable (``turaqty.core.common_scale``): min–max between pooled
(or base-year) min and max, z-scores on a pooled (or base-year) mean and sd, distance to
target from a pooled (or base-year, or lower-bound) worst value, ranks and percentiles of all
unit-years ranked together; by hand on a small panel, against ``assess`` of one year, as
properties, through the command line and on the embedded panel."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from math import sqrt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.seed import EXTERNAL
from turaqty.analysis.factors import build_factors
from turaqty.analysis.monitor import monitor, prepared_values, read_monitored_panel
from turaqty.analysis.replications import Replicator
from turaqty.analysis.robustness import panel_reference, run_robustness
from turaqty.core.common_scale import reference_scale
from turaqty.engine.assessment import assess
from turaqty.errors import UsageError
from turaqty.io.panel import panel_from_frame
from turaqty.model.layout import load_layout
from turaqty.model.method import get_method
from turaqty.report.robustness_section import factor_label

KAZSTAT = EXTERNAL / "kazstat-sdg"
YEARS = (2021, 2022, 2023)
# B3 (poverty) and B25 (unemployment): lower is better in kz-isdr.
VALUES = {("akmola", "B3"): (8, 10, 6), ("aktobe", "B3"): (4, 2, 6), ("atyrau", "B3"): (6, 6, 6),
          ("akmola", "B25"): (5, 5, 5), ("aktobe", "B25"): (3, 5, 7), ("atyrau", "B25"): (7, 5, 3)}
TARGETS = {"B3": 1.0, "B25": 2.0}


def small(rows=None) -> pd.DataFrame:
    """3 regions × 2 indicators × 3 years (long rows)."""
    rows = rows or [(u, c, y, float(v)) for (u, c), vs in VALUES.items()
                    for y, v in zip(YEARS, vs, strict=True)]
    return pd.DataFrame(rows, columns=["region", "indicator", "year", "value"])


def method(name: str, **params):
    return get_method("default").replace(normalise={"method": name, **params})


def score(m, unit: str, code: str, year: int) -> float:
    return float(m.scores[m.units.index(unit), m.panel.indicators.index(code), m.years.index(year)])


# --- by hand ----------------------------------------------------------------------------------
# Pooled over the 9 unit-years: B3 mean 6, deviations 2, 4, 0, −2, −4, 0, 0, 0, 0 → sample
# variance 40/8 = 5; B25 mean 5, deviations 0, 0, 0, −2, 0, 2, 2, 0, −2 → variance 16/8 = 2.
# Base year 2021: B3 8, 4, 6 → mean 6, variance 8/2 = 4; B25 5, 3, 7 → mean 5, variance 4.
# Lower is better, so z = −(x − mean)/sd.

def test_zscore_pooled_by_hand():
    m = monitor(panel_from_frame(small()), profile=method("zscore"))
    assert score(m, "akmola", "B3", 2022) == pytest.approx(-4 / sqrt(5), abs=1e-12)
    assert score(m, "aktobe", "B3", 2022) == pytest.approx(4 / sqrt(5), abs=1e-12)
    assert score(m, "atyrau", "B25", 2021) == pytest.approx(-2 / sqrt(2), abs=1e-12)
    assert score(m, "atyrau", "B3", 2023) == 0.0
    used = m.step_parameters["normalise"]
    j = m.panel.indicators.index("B3")
    assert (used["mean"][j], used["sd"][j] ** 2) == (6.0, pytest.approx(5.0, abs=1e-12))
    assert not m.clipped.any() and m.scale_text == "monitor.report.scale.zscore.pooled"


def test_zscore_base_uses_the_base_years_mean_and_sd():
    m = monitor(panel_from_frame(small()), profile=method("zscore"), bounds="base", base_year=2021)
    assert score(m, "akmola", "B3", 2022) == pytest.approx(-4 / 2, abs=1e-12)  # (10 − 6)/2
    assert score(m, "aktobe", "B25", 2023) == pytest.approx(-2 / 2, abs=1e-12)  # (7 − 5)/2
    later = monitor(panel_from_frame(small()), profile=method("zscore"), bounds="base", base_year=2023)
    # 2023: B3 all 6 → sd 0: no z-score (NaN) in any year; B25 5, 7, 3 → mean 5, sd 2
    assert np.isnan(later.scores[:, later.panel.indicators.index("B3"), :]).all()
    assert score(later, "aktobe", "B25", 2021) == pytest.approx(1.0, abs=1e-12)  # −(3 − 5)/2


def test_distance_to_target_pooled_base_and_targets_by_hand():
    panel = panel_from_frame(small())
    # pooled worst (lower is better: the max): B3 10, B25 7; targets B3 1, B25 2 (scale 0–100)
    m = monitor(panel, profile=method("distance_to_target"), targets=TARGETS)
    assert score(m, "aktobe", "B3", 2022) == pytest.approx(100 * (2 - 10) / (1 - 10), abs=1e-12)
    assert score(m, "akmola", "B3", 2022) == 0.0
    assert score(m, "atyrau", "B25", 2023) == pytest.approx(100 * (3 - 7) / (2 - 7), abs=1e-12)
    # base year 2021: B3's worst is 8, so Akmola's 10 in 2022 scores below the scale
    b = monitor(panel, profile=method("distance_to_target"), targets=TARGETS, bounds="base")
    assert score(b, "akmola", "B3", 2022) == pytest.approx(100 * (10 - 8) / (1 - 8), abs=1e-12)
    assert score(b, "aktobe", "B3", 2022) == pytest.approx(100 * (2 - 8) / (1 - 8), abs=1e-12)
    # targets: worst = the given lower bound
    t = monitor(panel, profile=method("distance_to_target"), bounds="targets",
                targets={"B3": (12.0, 2.0), "B25": (9.0, 3.0)})
    assert score(t, "akmola", "B3", 2021) == pytest.approx(100 * (8 - 12) / (2 - 12), abs=1e-12)
    assert score(t, "aktobe", "B3", 2022) == 100.0  # at the target
    # the method's own targets win over the monitor's
    own = monitor(panel, profile=method("distance_to_target", target=[0.0, 0.0]), targets=TARGETS)
    assert score(own, "aktobe", "B3", 2022) == pytest.approx(100 * 8 / 10, abs=1e-12)


def test_ranks_and_percentiles_rank_every_unit_year_together():
    # B3 over 9 unit-years, lower is better: 10 → 1, 8 → 2, five 6s → 3 (ties: min), 4 → 8, 2 → 9
    r = monitor(panel_from_frame(small()), profile=method("rank"))
    assert [score(r, "akmola", "B3", y) for y in YEARS] == [2.0, 1.0, 3.0]
    assert [score(r, "aktobe", "B3", y) for y in YEARS] == [8.0, 9.0, 3.0]
    p = monitor(panel_from_frame(small()), profile=method("percentile"))
    assert score(p, "aktobe", "B3", 2022) == 100.0 and score(p, "atyrau", "B3", 2021) == 25.0
    assert score(p, "akmola", "B3", 2021) == pytest.approx(100 / 8, abs=1e-12)
    assert r.scale_text == p.scale_text == "monitor.report.scale.rank.pooled"


def test_minmax_pooled_and_none_by_hand():
    m = monitor(panel_from_frame(small()))  # 1–9 between B3's 2 and 10: 1 + 8·(10 − x)/8
    assert [score(m, "akmola", "B3", y) for y in YEARS] == [3.0, 1.0, 5.0]
    n = monitor(panel_from_frame(small()), profile=method("none"))
    assert score(n, "aktobe", "B25", 2023) == 7.0
    g = monitor(panel_from_frame(small()), profile=method("goalposts", scale=[1, 9]))  # pooled min, max
    np.testing.assert_array_equal(g.scores, m.scores)


def test_pooled_zscores_of_a_real_panel_have_mean_0_and_sd_1():
    """The national SDG platform's folder (22 indicators, 2010–2023): over every region-year,
    each indicator's pooled z-scores have mean 0 and sample sd 1."""
    if not KAZSTAT.exists():
        pytest.skip(f"{KAZSTAT} not found (shared external data absent)")
    m = monitor(KAZSTAT, profile=method("zscore"))
    for code in m.monitored:
        z = m.scores[:, m.panel.indicators.index(code), :]
        assert np.nanmean(z) == pytest.approx(0.0, abs=1e-9), code
        assert np.nanstd(z, ddof=1) == pytest.approx(1.0, abs=1e-9), code


@pytest.mark.parametrize(("name", "bounds"), [("zscore", "targets"), ("rank", "targets"),
                                              ("percentile", "base"), ("rank", "base"),
                                              ("none", "targets")])
def test_goalposts_a_normalisation_cannot_take_are_an_error(name, bounds):
    with pytest.raises(UsageError, match=f"--bounds {bounds} does not apply to the normalisation '{name}'"):
        monitor(panel_from_frame(small()), profile=method(name), bounds=bounds, targets=TARGETS)


def test_distance_to_target_without_any_target_names_the_indicators():
    with pytest.raises(UsageError, match="no target or lower bound for B3, B25|B25, B3"):
        monitor(panel_from_frame(small()), profile=method("distance_to_target"))


# --- one year is assess() of that year ------------------------------------------------------

ONE_YEAR = [{"method": "minmax", "scale": [1, 9]}, {"method": "zscore", "scale": [100, 10]},
            {"method": "distance_to_target", "target": [1.0, 2.0]}, {"method": "none"}]


RANKS = [{"method": "rank"}, {"method": "percentile", "scale": [1, 9]}]  # pooled only


@pytest.mark.parametrize(("normalise", "bounds"), [(n, b) for n in ONE_YEAR for b in ("pooled", "base")]
                         + [(n, "pooled") for n in RANKS])
def test_a_one_year_panel_is_assess_of_that_year(normalise, bounds):
    profile = get_method("default").replace(normalise=normalise)
    panel = panel_from_frame(small()).between(2022, 2022)
    m = monitor(panel, profile=profile, bounds=bounds, indicators="all")
    a = assess(panel.year(2022), profile=profile)
    np.testing.assert_allclose(m.scores[:, :, 0], a.arrays.scores, rtol=0, atol=1e-12)


# --- properties -------------------------------------------------------------------------------

cells = st.floats(min_value=0, max_value=50, allow_nan=False).map(lambda x: round(x, 2))  # shares in %


@settings(max_examples=25, deadline=None)
@given(values=st.lists(cells, min_size=18, max_size=18), shift=cells,
       bounds=st.sampled_from(["pooled", "base"]))
def test_shifting_an_indicator_leaves_its_zscores(values, shift, bounds):
    rows = [(u, c, y, v) for ((u, c), y), v in
            zip([(key, y) for key in VALUES for y in YEARS], values, strict=True)]
    moved = [(u, c, y, v + shift if c == "B25" else v) for u, c, y, v in rows]
    before = monitor(panel_from_frame(small(rows)), profile=method("zscore"), bounds=bounds)
    after = monitor(panel_from_frame(small(moved)), profile=method("zscore"), bounds=bounds)
    np.testing.assert_allclose(after.scores, before.scores, rtol=0, atol=1e-6)


@settings(max_examples=15, deadline=None)
@given(order=st.permutations(range(18)),
       name=st.sampled_from(["minmax", "zscore", "rank", "percentile", "distance_to_target"]),
       bounds=st.sampled_from(["pooled", "base"]))
def test_the_order_of_rows_and_years_does_not_change_results(order, name, bounds):
    if bounds == "base" and name in ("rank", "percentile"):
        bounds = "pooled"
    frame = small()
    ranked = frame.iloc[list(order)].reset_index(drop=True)
    kwargs = {"profile": method(name), "bounds": bounds, "targets": TARGETS, "base_year": 2022}
    one, two = monitor(panel_from_frame(frame), **kwargs), monitor(panel_from_frame(ranked), **kwargs)
    key = ["unit_id", "year", "indicator"]
    pd.testing.assert_frame_equal(one.scores_table.sort_values(key).reset_index(drop=True),
                                  two.scores_table.sort_values(key).reset_index(drop=True))
    pd.testing.assert_frame_equal(one.indices.sort_values(["unit_id", "year"]).reset_index(drop=True),
                                  two.indices.sort_values(["unit_id", "year"]).reset_index(drop=True))


# --- the command line -------------------------------------------------------------------------

def cli(*args):
    env = {k: v for k, v in os.environ.items() if k not in ("TURAQTY_LANG", "TURAQTY_DEBUG")}
    return subprocess.run([sys.executable, "-m", "turaqty", *map(str, args)], capture_output=True,
                          text=True, encoding="utf-8", env=env, timeout=600)


@pytest.fixture
def files(tmp_path):
    data = tmp_path / "panel.csv"
    small().to_csv(data, index=False)
    z = tmp_path / "z.json"
    z.write_text(json.dumps({"profile": "z", "normalise": {"method": "zscore"}}), encoding="utf-8")
    r = tmp_path / "rank.yaml"
    r.write_text("profile: r\nnormalise: {method: rank}\n", encoding="utf-8")
    return data, z, r


def test_cli_monitor_with_a_zscore_method_file(tmp_path, files):
    data, z, _ = files
    out = tmp_path / "out"
    p = cli("monitor", data, "--method", z, "--bounds", "base", "--out", out)
    assert p.returncode == 0, p.stderr
    scores = pd.read_csv(out / "panel_scores.csv")
    row = scores.query("unit_id == 'akmola' and indicator == 'B3' and year == 2022").iloc[0]
    assert row["score"] == pytest.approx(-2.0, abs=1e-12)  # −(10 − 6)/2, the base year's mean and sd
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["method"]["normalise"]["method"] == "zscore"
    assert manifest["step_parameters"]["normalise"]["mean"] == [6.0, 5.0]
    page = (out / "monitor.html").read_text(encoding="utf-8")
    assert "Z-scores on the base year&#x27;s mean and standard deviation" in page


@pytest.mark.parametrize(("lang", "text"), [("en", "does not apply to the normalisation 'zscore'"),
                                            ("ru", "не подходит для нормализации «zscore»"),
                                            ("kk", "'zscore' нормалауына қолданылмайды")])
def test_cli_targets_with_a_zscore_exits_2_and_writes_nothing(tmp_path, files, lang, text):
    data, z, _ = files
    out = tmp_path / "out"
    p = cli("monitor", data, "--method", z, "--bounds", "targets", "--out", out, "--lang", lang)
    assert p.returncode == 2 and text in p.stderr, p.stderr
    assert not out.exists()


def test_cli_base_with_ranks_exits_2(tmp_path, files):
    data, _, r = files
    p = cli("monitor", data, "--method", r, "--bounds", "base", "--out", tmp_path / "out")
    assert p.returncode == 2 and "--bounds base does not apply to the normalisation 'rank'" in p.stderr
    assert "choose --bounds pooled" in p.stderr and not (tmp_path / "out").exists()


def test_cli_embedded_panel_with_a_zscore_method_file(tmp_path, files):
    _, z, _ = files
    out = tmp_path / "out"
    p = cli("monitor", "--method", z, "--out", out)
    assert p.returncode == 0, p.stderr
    scores = pd.read_csv(out / "panel_scores.csv")
    # by numpy on the embedded panel: B3's mean and sample sd over every region-year it existed
    panel, _ = read_monitored_panel()
    existed = load_layout().existence(panel.units, panel.years)
    b3 = np.where(existed, panel.values[:, panel.indicators.index("B3"), :], np.nan)
    mean, sd = np.nanmean(b3), np.nanstd(b3, ddof=1)
    row = scores.query("unit_id == 'akmola' and indicator == 'B3' and year == 2023").iloc[0]
    assert row["value"] == 5.9
    assert row["score"] == pytest.approx(-(5.9 - mean) / sd, abs=1e-9)
    indices = pd.read_csv(out / "panel_indices.csv")
    assert indices["year"].min() == 2010 and indices["year"].max() == 2023


# --- robustness --panel -----------------------------------------------------------------------

@pytest.fixture(scope="module")
def zscored():
    return assess(profile=method("zscore"))


def test_pooled_zscore_replications_are_monitorings_pooled_zscores(zscored):
    reference, record = panel_reference("embedded", zscored)
    assert record["year_replaced"] == 2023  # the data's 2023 stands for the panel's
    f = build_factors({"weights": {"indicators": 0.0}, "bounds": ["pooled"]}, zscored, pooled=reference)
    engine = Replicator(zscored, f)
    combination = np.ravel_multi_index(tuple(f.nominal(1).combos()[0]), engine.shape)
    scores = engine.scores[engine.score_set[combination]]
    monitored = monitor(profile=method("zscore"))
    rows = [monitored.units.index(u) for u in zscored.dataset.units]
    np.testing.assert_allclose(scores, monitored.scores[rows, :, -1], rtol=0, atol=1e-12)
    # the replication replayed as a method (mean and sd given) is assess() with them
    replayed = assess(profile=f.method(zscored.method, f.nominal(1)))
    np.testing.assert_allclose(replayed.arrays.scores, scores, rtol=0, atol=1e-12)
    assert not np.allclose(scores, zscored.arrays.scores, equal_nan=True)  # pooling moves z-scores


def test_pooled_parameters_per_replication_normalisation(zscored):
    reference, _ = panel_reference("embedded", zscored)
    spec = {"weights": {"indicators": 0.0}, "bounds": ["nominal", "pooled"],
            "normalise": ["nominal", {"method": "percentile", "scale": [1, 9]},
                          {"method": "minmax", "scale": [1, 9]}]}
    f = build_factors(spec, zscored, pooled=reference)
    assert sorted(f.scales) == [(0, 0)]  # the z-score's mean and sd; min–max takes bounds, ranks none
    engine = Replicator(zscored, f)
    n_norm = engine.shape[0]
    sets = engine.score_set.reshape(n_norm, 1, 1, 2)
    assert sets[1, 0, 0, 0] == sets[1, 0, 0, 1]  # percentiles: the year's, pooled or not
    assert sets[0, 0, 0, 0] != sets[0, 0, 0, 1] and sets[2, 0, 0, 0] != sets[2, 0, 0, 1]
    directions = np.array([zscored.framework.direction(c, "meaningful") for c in zscored.dataset.indicators])
    _, kept = reference_scale(("zscore", {}), reference, directions)
    np.testing.assert_allclose(f.scales[0, 0]["mean"], kept["mean"], rtol=0, atol=0)


def test_cli_robustness_panel_with_a_zscore_method(tmp_path, files):
    _, z, _ = files
    factors = tmp_path / "factors.yaml"
    factors.write_text("weights: {indicators: 0.1}\nbounds: [nominal, pooled]\n", encoding="utf-8")
    out = tmp_path / "rob"
    p = cli("robustness", "--method", z, "--panel", "embedded", "--factors", factors, "--runs", 60,
            "--sobol", 0, "--out", out)
    assert p.returncode == 0, p.stderr
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["panel"]["year_replaced"] == 2023
    assert [f["name"] for f in manifest["factors"]] == ["weights.indicators", "bounds"]


def test_run_robustness_default_factors_pool_a_zscore(zscored):
    r = run_robustness(zscored, panel="embedded", runs=30, sobol=0, seed=3)
    assert "bounds" in r.factors.names and (0, 0) in r.factors.scales
    assert factor_label(r, "bounds", "en") == ("normalisation parameters (of the year, pooled over the "
                                               "panel's years): min–max bounds, z-score means and sds, "
                                               "worst values of a distance to target")


def test_prepared_values_feed_the_reference(zscored):
    """The reference rows are the panel's values as they reach normalisation (2010–2022)
    and the data's own: 13 × 20 + 20 rows."""
    reference, _ = panel_reference("embedded", zscored)
    panel, _ = read_monitored_panel(years="2010-2022")
    values, _ = prepared_values(panel, load_layout().existence(panel.units, panel.years),
                                zscored.framework, zscored.method, np.ones(52))
    assert reference.shape == (14 * 20, 52)
    j = zscored.dataset.indicators.index("B3")
    np.testing.assert_array_equal(np.sort(reference[:-20, j][~np.isnan(reference[:-20, j])]),
                                  np.sort(values[:, j, :][~np.isnan(values[:, j, :])]))
