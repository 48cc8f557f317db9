"""The risk map: printed and derived thresholds, boundaries, region types, macro-regions,
findings, outputs."""
from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter

import numpy as np
import pandas as pd
import pytest

import turaqty
from tests.seed import seed_table
from turaqty.engine.risk import printed_class

FW = turaqty.load_framework()
PRINTED = turaqty.get_method().replace(risk_thresholds="printed")
RISK_COLUMNS = ["unit_id", "indicator", "value", "risk", "lower", "upper", "rule"]
# cells of Tables 18-20 whose cleaned thresholds give another class than the printed ones
CLEANED_DIFFERENT = {
    "B28": "orientation fixed: the printed map treats faster productivity growth as a risk (F10)",
    "B37": "low-risk condition printed 'B<49,96', read as 'B>49,96' (F8)",
}


@pytest.fixture(scope="module")
def map_cells():
    cells = seed_table("risk_map_values.csv")
    return cells[cells["region_id"] != "kz"]


def test_printed_mode_matches_every_unambiguous_printed_cell(map_cells):
    slot_rule = {r.printed_slot: r for r in FW.risk_rules.values()}
    clear = map_cells[map_cells["risk_level_implied_by_map_thresholds"].isin(["high", "medium", "low"])]
    differ, unused = Counter(), set()
    for row in clear.itertuples():
        rule = slot_rule.get(row.slot_id)
        if rule is None:
            unused.add(row.slot_id)
            continue
        if printed_class(rule, row.map_value) != row.risk_level_implied_by_map_thresholds:
            differ[rule.code] += 1
    assert unused == {"T20.c09"}  # Table 20's second temperature column; B51 uses column 10
    assert set(differ) == set(CLEANED_DIFFERENT)
    assert differ == {"B28": 18, "B37": 10}
    for code in CLEANED_DIFFERENT:
        assert FW.risk_rules[code].printed_fix  # every difference is documented in the catalogue
    assert len(clear) - sum(differ.values()) - 20 == 956  # 20 cells of the unused column


def test_cleaned_thresholds_classify_every_printed_cell(map_cells):
    """The printed maps leave 26 region cells unclassified (gaps) and 13 in two classes
    (overlaps); the cleaned thresholds give each exactly one class."""
    slot_rule = {r.printed_slot: r for r in FW.risk_rules.values()}
    implied = map_cells["risk_level_implied_by_map_thresholds"]
    unclear = map_cells[implied.isin(["none", "high/medium", "medium/low"])]
    assert Counter(unclear["risk_level_implied_by_map_thresholds"]) == {
        "none": 26, "high/medium": 10, "medium/low": 3}
    got = Counter()
    for row in unclear.itertuples():
        rule = slot_rule.get(row.slot_id)
        if rule is not None and not np.isnan(row.map_value):
            got[printed_class(rule, row.map_value)] += 1
    assert set(got) <= {"high", "medium", "low"} and sum(got.values()) > 0
    # the unemployment gap: the 10 regions at exactly 4.7 or 4.8 are medium risk
    b25 = map_cells[(map_cells["code"] == "B25") & map_cells["map_value"].isin([4.7, 4.8])]
    assert len(b25) == 10
    assert {printed_class(FW.risk_rules["B25"], v) for v in b25["map_value"]} == {"medium"}


def test_derived_and_printed_agree_except_documented_indicators():
    derived = turaqty.assess().risk
    printed = turaqty.assess(profile=PRINTED).risk
    merged = derived.merge(printed, on=["unit_id", "indicator"], suffixes=("_d", "_p"))
    differ = Counter(merged.loc[merged["risk_d"] != merged["risk_p"], "indicator"])
    # rounded references (B1, B2, B3, B6, B12, B14, B19, B24), B8's printed 36 (no reference),
    # B46's printed median over 20 values with blanks as 0 (C3), B48's thresholds from the
    # other values of Table 20 (F6)
    assert differ == {"B1": 1, "B2": 1, "B3": 1, "B6": 1, "B12": 1, "B14": 1, "B19": 1, "B24": 1,
                      "B8": 7, "B46": 1, "B48": 4}
    assert (merged["risk_d"] == merged["risk_p"]).sum() == 1020


def test_risk_table_layout_and_missing_values():
    a = turaqty.assess()
    assert list(a.risk.columns) == RISK_COLUMNS
    assert len(a.risk) == 20 * 52
    b46 = a.risk.set_index(["unit_id", "indicator"]).loc[[("west_kazakhstan", "B46"), ("astana", "B46")]]
    assert b46["risk"].tolist() == ["none", "none"]
    assert set(a.risk["risk"]) == {"high", "medium", "low", "none"}
    assert (a.risk["lower"] <= a.risk["upper"]).all()


@pytest.mark.parametrize("unit,code,value,expected", [
    # B7 physicians (low values are the risk): high below the norm 26, low above national 40.57
    ("abai", "B7", 25.9, "high"), ("abai", "B7", 26.0, "medium"), ("abai", "B7", 40.57, "medium"),
    ("abai", "B7", 40.6, "low"),
    # B25 unemployment (high values are the risk): high above the median 4.8, low below national 4.7
    ("astana", "B25", 4.69, "low"), ("astana", "B25", 4.7, "medium"),
    ("astana", "B25", 4.8, "medium"), ("astana", "B25", 4.81, "high"),
])
def test_boundaries_both_orientations_and_a_norm(unit, code, value, expected):
    frame = turaqty.load_embedded().wide(national=True)
    frame.loc[unit, code] = value
    risk = turaqty.assess(frame).risk.set_index(["unit_id", "indicator"])
    assert risk.loc[(unit, code), "risk"] == expected


def test_printed_inclusive_condition():
    """Printed B1: 'B≤100' is high risk, so exactly 100 is high; derived: 100 is medium."""
    frame = turaqty.load_embedded().wide(national=True)
    frame.loc["karaganda", "B1"] = 100.0
    printed = turaqty.assess(frame, profile=PRINTED).risk.set_index(["unit_id", "indicator"])
    derived = turaqty.assess(frame).risk.set_index(["unit_id", "indicator"])
    assert printed.loc[("karaganda", "B1"), "risk"] == "high"
    assert derived.loc[("karaganda", "B1"), "risk"] == "medium"


def test_derived_thresholds_move_with_the_data():
    frame = turaqty.load_embedded().wide(national=True)
    base = turaqty.assess(frame)
    shifted = frame.copy()
    shifted["B3"] = shifted["B3"] * 2  # poverty doubles everywhere, the national value too
    moved = turaqty.assess(shifted)
    j = list(frame.columns).index("B3")
    assert moved.thresholds.high[j] == pytest.approx(2 * base.thresholds.high[j])
    assert moved.thresholds.low[j] == pytest.approx(2 * base.thresholds.low[j])
    pd.testing.assert_series_equal(moved.risk["risk"], base.risk["risk"])
    # the national value alone moves the high-risk threshold of B3
    national = frame.copy()
    national.loc["kz", "B3"] = 9.0
    after = turaqty.assess(national)
    assert after.thresholds.high[j] == 9.0
    assert (after.risk.query("indicator == 'B3'")["risk"] == "high").sum() == 2  # 9.3, 9.6
    printed = turaqty.assess(national, profile=PRINTED)
    assert printed.thresholds.high[j] == 5.6  # printed thresholds do not move


def test_without_national_row_the_mean_stands_in():
    frame = turaqty.load_embedded().wide()
    a = turaqty.assess(frame)
    j = list(frame.columns).index("B3")
    assert a.thresholds.high[j] == pytest.approx(frame["B3"].mean())
    assert "risk_no_national" in set(a.warnings["code"])


def test_crossed_references_are_swapped():
    frame = turaqty.load_embedded().wide(national=True)
    frame.loc["kz", "B4"] = 1.0  # national (high-risk threshold) below the median (low-risk)
    a = turaqty.assess(frame)
    j = list(frame.columns).index("B4")
    assert a.thresholds.high[j] == a.thresholds.low[j] == 1.0  # the high-risk threshold stands
    assert "risk_crossed" in set(a.warnings["code"])
    b4 = a.risk.query("indicator == 'B4'")
    assert (b4["risk"] == "high").sum() == (frame.drop("kz")["B4"] > 1.0).sum()


def test_risk_summary_counts():
    a = turaqty.assess()
    s = a.risk_summary.set_index("unit_id")
    in_index = a.risk["indicator"].isin(a.manifest["indicators_in_index"])  # counts: the index only
    per_region = a.risk[in_index].groupby("unit_id")["risk"].value_counts().unstack(fill_value=0)
    for risk in ("high", "medium", "low", "none"):
        assert (s[f"{risk}_total"] == per_region.get(risk, 0).reindex(s.index).fillna(0)).all()
    assert (s["high_social"] + s["high_economic"] + s["high_ecological"] == s["high_total"]).all()
    abai = a.risk[in_index].query("unit_id == 'abai' and risk == 'high'")["indicator"].tolist()
    assert s.loc["abai", "high_risk_indicators"] == "; ".join(abai)
    assert s.loc["abai", "high_risk_outside_index"] == "B43"


def test_region_types_and_macro_regions():
    a = turaqty.assess(lang="ru")
    types = a.region_types.set_index("unit_id")
    ix = a.indices.set_index("unit_id")
    assert types.loc["abai", "type_id"] == "-".join(ix.loc["abai", [f"level_{p}" for p in FW.pillars]])
    assert "экономический — низкий" in types.loc["abai", "type_name"]
    macro = a.macro_regions.set_index("macro_region")
    assert list(macro.index) == ["west", "east_central", "south_southeast", "north", "cities"]
    assert macro["n_regions"].tolist() == [4, 6, 5, 2, 3]
    west = ix.loc[["aktobe", "atyrau", "west_kazakhstan", "mangystau"], "integral"]
    assert macro.loc["west", "integral_mean"] == pytest.approx(west.mean())
    assert macro.loc["west", "integral_min"] == pytest.approx(west.min())
    summary = a.risk_summary.set_index("unit_id")
    cities = ["astana", "almaty_city", "shymkent"]
    assert macro.loc["cities", "high_risks"] == summary.loc[cities, "high_total"].sum()


def test_findings_are_generated_from_the_data():
    a = turaqty.assess()
    f = a.findings
    assert set(f["pillar"]) == set(FW.pillars)
    assert "B43" not in set(f["indicator"])  # not in the index: no finding
    # six regions lost population (text, line 4979): the B1 finding says so when B1 leads
    frame = turaqty.load_embedded().wide(national=True)
    losers = frame.index[(frame["B1"] < 100) & (frame.index != "kz")]
    assert len(losers) == 6
    frame.loc[["almaty_region", "atyrau", "zhambyl", "turkistan", "mangystau", "shymkent"], "B1"] = 99.0
    b = turaqty.assess(frame, lang="en").findings.set_index("indicator")
    assert b.loc["B1", "n_high"] == 12
    assert b.loc["B1", "text"].startswith("The population did not grow in 12 of 20 regions")


def test_risk_command_writes_the_risk_map(tmp_path):
    out = tmp_path / "risk"
    proc = subprocess.run([sys.executable, "-m", "turaqty", "risk", "--risk-thresholds", "printed",
                           "--out", str(out), "--lang", "ru"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert {p.name for p in out.iterdir()} == {
        "risk.csv", "risk_summary.csv", "region_types.csv", "macro_regions.csv", "findings.csv",
        "mechanisms.csv", "warnings.csv", "risk.xlsx", "manifest.json"}
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["method"]["risk_thresholds"] == "printed"
    risk = pd.read_csv(out / "risk.csv", encoding="utf-8-sig")
    assert list(risk.columns) == RISK_COLUMNS
    assert "Карта рисков" in proc.stdout and "Туркестанская область" in proc.stdout


def test_workbook_risk_map_is_coloured_by_conditional_formatting(tmp_path):
    from openpyxl import load_workbook

    from turaqty.report.xlsx import risk_workbook

    path = tmp_path / "risk.xlsx"
    path.write_bytes(risk_workbook(turaqty.assess()))
    ws = load_workbook(path)[turaqty.i18n.t("sheet.risk")]
    assert ws["B1"].value == "B1" and ws["B2"].value == 95.82
    rules = {str(rng): [r.formula[0] for r in cf.rules] for rng, cf in
             ((cf.sqref, cf) for cf in ws.conditional_formatting)}
    assert rules["B2:B21"] == ["AND(ISNUMBER(B2),B2<B$23)", "AND(ISNUMBER(B2),B2>B$24)",
                               "AND(ISNUMBER(B2),TRUE)"]
    assert ws["B23"].value == 100.0 and ws["B24"].value == "=MEDIAN(B2:B21)"  # follows edits
