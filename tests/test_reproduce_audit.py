"""Reproduction of the printed tables (causes per anomaly) and the statistical audit."""
from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

import turaqty
from turaqty.analysis.audit import correlation_ratio, cronbach_alpha, first_component_share, run_audit
from turaqty.analysis.reproduction import reproduce

NEW = ("abai", "zhetisu", "ulytau")


@pytest.fixture(scope="module")
def rep():
    return reproduce()


def _cause(cells, table, column, unit=None):
    sel = cells[(cells["table"] == table) & (cells["column"] == column)]
    if unit is not None:
        sel = sel[sel["unit_id"] == unit]
    return sel["cause"].tolist()


def test_counts_per_table_and_status_are_stable(rep):
    counts = rep.cells.groupby(["table", "status"]).size().to_dict()
    assert counts == {
        ("Table 10", "explained"): 71, ("Table 10", "reproduced"): 389,
        ("Table 11", "explained"): 96, ("Table 11", "reproduced"): 364,
        ("Table 12", "explained"): 2, ("Table 12", "reproduced"): 238,
        ("Table 13", "explained"): 100, ("Table 13", "reproduced"): 60,
        ("Table 14", "explained"): 5, ("Table 14", "reproduced"): 55,
        ("Table 18", "explained"): 46, ("Table 18", "reproduced"): 794,
        ("Table 19", "explained"): 60, ("Table 19", "reproduced"): 780,
        ("Table 20", "explained"): 74, ("Table 20", "reproduced"): 366,
        ("Text line 4557", "explained"): 4, ("Text line 4557", "reproduced"): 1,
        ("Text line 4559", "explained"): 2, ("Text line 4560", "explained"): 2,
        ("Text line 4560", "reproduced"): 1, ("Text line 4561", "explained"): 3,
    }
    assert (rep.cells["status"] != "unexplained").all()
    assert list(rep.cells.columns) == ["table", "unit_id", "column", "printed", "recomputed",
                                       "status", "cause"]


def test_section_d_anomalies_get_their_causes(rep):
    c = rep.cells
    for unit in NEW:  # D1 and D2
        for code in ("B1", "B2", "B6"):
            assert _cause(c, "Table 10", code, unit) == ["reversed_formula"]
        assert _cause(c, "Table 10", "B7", unit) == ["duplicated_raw_data"]
    assert set(_cause(c, "Table 10", "B12")) == {"copied_column"}  # D3, all 20 cells
    assert rep.details[("copied_column", "Table 10", "B12")] == "B13"
    assert _cause(c, "Table 11", "B25").count("raw_value") == 19  # D4
    assert _cause(c, "Table 11", "B25", "abai") == [""]  # Abai's 2.8 is a real score
    assert set(_cause(c, "Table 11", "B27")) == {"raw_value"}  # D5
    assert _cause(c, "Table 11", "B31").count("zero_minimum") == 19  # D6 (Mangystau: 8.1 vs 9)
    assert _cause(c, "Table 11", "B31", "mangystau") == ["zero_minimum"]
    # D10: the ecological index leaves out B43; the dissertation profile does the same
    eco = c[(c["table"] == "Table 12") & (c["column"] == "ecological")]
    assert (eco["status"] == "reproduced").sum() == 19
    # D11: Atyrau 4.64 (rank 2) and East Kazakhstan 4.63 (rank 3) follow the printed index
    assert _cause(c, "Table 11", "rank_economic", "atyrau") in ([""], ["propagated"])


def test_section_e_text_and_matrix(rep):
    c = rep.cells
    for claim in ("integral_min", "integral_max", "social_min", "social_max",
                  "ecological_min", "ecological_max", "ecological_low_count"):  # E1-E4
        assert c.loc[c["column"] == claim, "cause"].tolist() == ["text_contradicts_table"]
    assert c.loc[c["column"] == "economic_low_count", "status"].tolist() == ["reproduced"]  # E5
    matrix = c[(c["table"] == "Table 14") & (c["cause"] == "matrix_contradicts_table13")]
    assert sorted(matrix["unit_id"]) == ["karaganda", "mangystau", "west_kazakhstan"]  # E4


def test_section_f_risk_maps(rep):
    c = rep.cells
    # F4: Table 18's beds column holds B15 data: every value differs, 14 classes with it
    assert set(_cause(c, "Table 18", "B8 (T18.c08) value")) == {"map_values_differ"}
    assert _cause(c, "Table 18", "B8 (T18.c08) risk").count("map_values_differ") == 14
    assert _cause(c, "Table 20", "B48 (T20.c06) value").count("map_values_differ") == 18  # F6
    assert _cause(c, "Table 20", "B47 (T20.c05) value").count("map_values_differ") == 17  # F6: integers
    assert _cause(c, "Table 19", "B25 (T19.c04) risk").count("threshold_gap") == 10  # F9
    assert _cause(c, "Table 19", "B28 (T19.c07) risk").count("threshold_fixed") == 18  # F10
    b37 = _cause(c, "Table 19", "B37 (T19.c16) risk")  # F8: no operator, reversed operator
    assert b37.count("threshold_fixed") == 17 and b37.count("threshold_overlap") == 3
    assert _cause(c, "Table 19", "B39 (T19.c18) risk").count("threshold_fixed") == 10  # F8
    b46 = c[(c["column"] == "B46 (T20.c04) value") & (c["cause"] == "map_values_differ")]
    assert sorted(b46["unit_id"]) == ["astana", "west_kazakhstan"]  # C3: blank printed as 0
    assert c[c["cause"] == "column_not_used"]["table"].unique().tolist() == ["Table 20"]


def test_effects_of_the_differences(rep):
    e = rep.effects.set_index("unit_id")
    # the printed Table 13 ranking follows from the printed scores, but for Pavlodar and
    # North Kazakhstan, 0.03 apart once the printed (rounded) pillar indices are summed
    printed = rep.cells[(rep.cells["table"] == "Table 13") & (rep.cells["column"] == "rank_integral")]
    printed = printed.set_index("unit_id")["printed"].astype(float)
    differ = printed[printed != e["rank_integral_printed"].reindex(printed.index)]
    assert sorted(differ.index) == ["north_kazakhstan", "pavlodar"]
    assert abs(e.loc["pavlodar", "integral_printed"] - e.loc["north_kazakhstan", "integral_printed"]) < 0.05
    # with the meaningful directions the two largest cities move from the middle to the top
    assert e.loc["astana", "rank_integral_printed"] == 15 and e.loc["astana", "rank_integral_meaningful"] == 2
    assert e.loc["almaty_city", "rank_integral_meaningful"] == 1
    assert e.loc["astana", "levels_changed_meaningful"] == "social: medium→high"
    assert e.loc["akmola", "rank_integral_dissertation"] == 1


def test_reproduce_command_and_report(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "turaqty", "reproduce", "--out", str(tmp_path / "r"),
                           "--lang", "kk"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    files = {p.name for p in (tmp_path / "r").iterdir()}
    assert files == {"reproduce.csv", "reproduce_effects.csv", "reproduce.md", "reproduce.html",
                     "manifest.json"}
    html = (tmp_path / "r" / "reproduce.html").read_text(encoding="utf-8")
    assert '<html lang="kk">' in html and "Абай облысы" in html
    back = pd.read_csv(tmp_path / "r" / "reproduce.csv", encoding="utf-8-sig")
    assert len(back) == 3513


# --- audit ---------------------------------------------------------------------------

def test_cronbach_alpha_by_hand_and_formula():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(30, 5)) + rng.normal(size=(30, 1))
    k = x.shape[1]
    expected = k / (k - 1) * (1 - x.var(axis=0, ddof=1).sum() / x.sum(axis=1).var(ddof=1))
    assert cronbach_alpha(x) == pytest.approx(expected)
    # perfectly parallel items: alpha 1
    assert cronbach_alpha(np.column_stack([np.arange(5.0), np.arange(5.0) + 2])) == pytest.approx(1)


def test_first_component_share_against_svd():
    rng = np.random.default_rng(5)
    x = rng.normal(size=(40, 4))
    x[:, 1] += 2 * x[:, 0]
    z = (x - x.mean(axis=0)) / x.std(axis=0, ddof=1)
    s = np.linalg.svd(z, compute_uv=False) ** 2
    assert first_component_share(x) == pytest.approx(s[0] / s.sum())
    assert first_component_share(np.column_stack([np.arange(6.0), -np.arange(6.0)])) == pytest.approx(1)


def test_correlation_ratio():
    x = np.arange(10.0)
    y = 3 * x + np.sin(x)
    assert correlation_ratio(x, y) >= sps.pearsonr(x, y).statistic ** 2 - 1e-12  # ≥ r²
    assert correlation_ratio(x, 2 * x + 1) == pytest.approx(1)
    assert correlation_ratio(x, (x - 4.5) ** 2) == pytest.approx(1)  # non-linear, r ≈ 0
    assert abs(sps.pearsonr(x, (x - 4.5) ** 2).statistic) < 1e-12


@pytest.fixture(scope="module")
def audit():
    return run_audit(turaqty.assess())


def test_b43_and_b48_are_near_duplicates(audit):
    dups = [f for f in audit["flags"] if f["type"] == "near_duplicate"]
    assert [f["indicators"] for f in dups] == [["B43", "B48"]]
    assert dups[0]["figure"] > 0.95


def test_audit_flags_and_figures(audit):
    for f in audit["flags"]:
        assert set(f) == {"type", "severity", "indicators", "regions", "figure", "message"} and f["message"]
    types = {f["type"] for f in audit["flags"]}
    assert {"outlier", "negative_in_pillar", "low_alpha", "rank_sensitive"} <= types
    b13 = [f for f in audit["flags"] if f["type"] == "outlier" and f["indicators"] == ["B13"]][0]
    assert "ulytau" in b13["regions"]  # 184 accident victims per 100,000
    assert set(audit["pillars"]) == {"social", "economic", "ecological"}
    corr = {c["indicator"]: c for c in audit["correlations"]}
    a = turaqty.assess()
    r, p = sps.pearsonr(a.scores["B1"], a.indices["social"])
    assert corr["B1"]["with_pillar"]["pearson"] == pytest.approx(r)
    assert corr["B1"]["with_pillar"]["pearson_p"] == pytest.approx(p)
    social = [i["importance_share"] for i in audit["importance"] if i["pillar"] == "social"]
    assert sum(social) == pytest.approx(1)
    assert len(audit["leave_one_out"]) == 51  # B43 is not in the index


def test_leave_one_out_matches_a_full_recomputation(audit):
    row = next(r for r in audit["leave_one_out"] if r["indicator"] == "B52")
    without = turaqty.assess(profile=turaqty.get_method().replace(exclude={"B43": "suspect", "B52": "user"}))
    base = turaqty.assess().indices.set_index("unit_id")["rank_integral"].astype(float)
    moved = without.indices.set_index("unit_id")["rank_integral"].astype(float) - base
    assert row["max_shift"] == int(moved.abs().max())


def test_audit_on_a_user_file(tmp_path):
    frame = turaqty.load_embedded().wide(national=True).rename_axis("region")
    frame["B5"] = 7.0  # constant
    frame.to_csv(tmp_path / "d.csv", sep=";", decimal=",")
    proc = subprocess.run([sys.executable, "-m", "turaqty", "audit", str(tmp_path / "d.csv"),
                           "--out", str(tmp_path / "a")], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    data = json.loads((tmp_path / "a" / "audit.json").read_text(encoding="utf-8"))
    assert any(f["type"] == "constant" and f["indicators"] == ["B5"] for f in data["flags"])
    assert "NaN" not in (tmp_path / "a" / "audit.json").read_text(encoding="utf-8")
    assert (tmp_path / "a" / "audit.html").exists() and (tmp_path / "a" / "audit.md").exists()
