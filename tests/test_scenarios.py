"""Scenarios, what-if and policy mechanisms."""
from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import turaqty
import turaqty.analysis.mechanisms
from turaqty.analysis.scenarios import (
    Change,
    narratives,
    parse_setting,
    read_changes,
    run_changes,
    run_scenario,
    scenario_changes,
    scenario_ids,
)

BASE = turaqty.assess()
FW = turaqty.load_framework()


def test_catalogue_has_twelve_scenarios_with_sources():
    ids = scenario_ids()
    assert len(ids) == 12 and ids[0] == "west:pessimistic"
    bullets = {f"{m['id']}:{s['id']}:{b['id']}" for m in narratives()["macro_regions"]
               for s in m["scenarios"] for b in s["factors"] + s["results"]}
    for sid in ids:
        changes = scenario_changes(sid)
        assert changes, sid
        for ch in changes:  # every quantified change names the bullet it quantifies
            assert ch.source in bullets and ch.source.startswith(sid + ":"), (sid, ch)
            assert ch.indicator in FW.by_code and ch.indicator != "B43"
    for m in narratives()["macro_regions"]:
        for s in m["scenarios"]:
            for text in [s["label"], s["quantification"]] + s["factors"] + s["results"]:
                assert all(text[lang].strip() for lang in ("kk", "ru", "en"))
    assert narratives()["resolutions"]


def test_no_change_reproduces_the_baseline_exactly():
    r = run_changes(BASE, [], "nothing")
    pd.testing.assert_frame_equal(r.assessment.indices, BASE.indices)
    pd.testing.assert_frame_equal(r.assessment.scores, BASE.scores)
    assert (r.assessment.risk_classes == BASE.risk_classes).all()
    numeric = pd.to_numeric(r.comparison["change"], errors="coerce")
    assert (numeric.fillna(0) == 0).all()
    assert r.comparison["change"].astype(str).isin(["0.0", "", "nan"]).all()


@given(st.sampled_from(BASE.dataset.units),
       st.sampled_from([c for c in BASE.dataset.indicators if c != "B43"]),
       st.floats(0.01, 2.0))
@settings(max_examples=60, deadline=None)
def test_an_improvement_never_lowers_its_pillar_index(unit, code, step):
    i, j = BASE.dataset.units.index(unit), BASE.dataset.indicators.index(code)
    x = BASE.dataset.values[i, j]
    if np.isnan(x):
        return
    better = x + FW.by_code[code].direction * step * (abs(x) + 1)
    r = run_changes(BASE, [Change(unit, code, "set", better)])
    pillar = FW.pillar_of[code]
    before = BASE.indices.set_index("unit_id").loc[unit, pillar]
    after = r.assessment.indices.set_index("unit_id").loc[unit, pillar]
    assert after >= before - 1e-12


@pytest.mark.parametrize("macro", ["west", "east_central", "south_southeast", "north"])
def test_scenarios_are_ordered_for_every_member(macro):
    integral = {}
    for name in ("pessimistic", "realistic", "optimistic"):
        r = run_scenario(BASE, f"{macro}:{name}")
        integral[name] = r.assessment.indices.set_index("unit_id")["integral"]
    members = [r.id for r in turaqty.load_regions().regions if r.macro_region == macro]
    for unit in members:
        p, re_, o = (integral[n][unit] for n in ("pessimistic", "realistic", "optimistic"))
        assert p <= re_ + 1e-12 <= o + 2e-12, (unit, p, re_, o)
    base = BASE.indices.set_index("unit_id")["integral"]
    assert all(integral["pessimistic"][u] <= base[u] + 1e-12 for u in members)
    assert all(integral["optimistic"][u] >= base[u] - 1e-12 for u in members)


def test_gap_change_by_hand():
    values = BASE.dataset.wide(national=True)
    x, national = values.loc["turkistan", "B3"], values.loc["kz", "B3"]  # poverty 9.6 vs 5.6
    r = run_changes(BASE, [Change("turkistan", "B3", "gap", 0.25, "national"),
                           Change("karaganda", "B3", "gap", 0.25, "national")])
    new = r.assessment.dataset.wide()
    assert new.loc["turkistan", "B3"] == pytest.approx(x + 0.25 * (national - x))  # 8.6
    assert new.loc["karaganda", "B3"] == values.loc["karaganda", "B3"]  # already better (2.7)


def test_bounds_held_or_recomputed():
    change = [Change("atyrau", "B33", "relative", 1.0)]  # the best region doubles investment
    held = run_changes(BASE, change)
    again = run_changes(BASE, change, bounds="recomputed")
    b = BASE.scores.set_index("unit_id")["B33"]
    assert (held.assessment.scores.set_index("unit_id")["B33"] == b).all()  # 9 stays 9, others kept
    renormalised = again.assessment.scores.set_index("unit_id")["B33"].drop("atyrau")
    assert (renormalised <= b.drop("atyrau")).all() and (renormalised < b.drop("atyrau")).sum() == 18
    assert held.assessment.manifest["bounds"] == "baseline" and again.assessment.manifest["bounds"] == "data"


def test_whatif_settings_and_errors(tmp_path):
    ch = parse_setting("Қарағанды.B25=4,0")
    assert (ch.target, ch.indicator, ch.method, ch.value) == ("karaganda", "B25", "set", 4.0)
    assert parse_setting("west.B49=-10%").method == "relative"
    for bad, key in (("Атлантида.B25=4", "unknown_region"), ("karaganda.B99=4", "whatif_indicator"),
                     ("karaganda.B25=abc", "whatif_value"), ("karaganda B25 4", "whatif_syntax"),
                     ("ҚР.B25=4", "whatif_national")):
        with pytest.raises(turaqty.DataError) as err:
            parse_setting(bad)
        assert err.value.problems[0].key == key
    path = tmp_path / "changes.yaml"
    path.write_text("- region: Атырау облысы\n  indicator: B49\n  value: -10%\n"
                    "- region: Atlantis\n  indicator: B49\n  value: 5\n"
                    "- region: abai\n  indicator: B1\n  value: many\n", encoding="utf-8")
    with pytest.raises(turaqty.DataError) as err:
        read_changes(path)
    assert [(p.key, p.row, p.column) for p in err.value.problems] == [
        ("unknown_region", 2, "region"), ("whatif_value", 3, "value")]
    good = tmp_path / "changes.csv"
    good.write_text("region;indicator;value\nwest;B49;-10%\nkaraganda;B25;4,0\n", encoding="utf-8")
    changes = read_changes(good)
    assert len(changes) == 5 and {c.target for c in changes} >= {"atyrau", "karaganda"}


def test_scenario_and_whatif_commands(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "turaqty", "scenario", "--list", "--lang", "ru"],
                          capture_output=True, text=True)
    assert proc.returncode == 0 and "west:optimistic" in proc.stdout and "Западный" in proc.stdout
    out = tmp_path / "s"
    proc = subprocess.run([sys.executable, "-m", "turaqty", "scenario", "all", "--out", str(out)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    comparison = pd.read_csv(out / "comparison.csv", encoding="utf-8-sig")
    assert list(comparison.columns) == ["unit_id", "scenario", "indicator_or_index", "baseline",
                                        "scenario_value", "change"]
    assert comparison["scenario"].nunique() == 12
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert len(manifest["scenarios"]) == 12 and manifest["scenarios"][0]["bounds"] == "baseline"
    changes = pd.read_csv(out / "scenario_changes.csv", encoding="utf-8-sig")
    assert changes["source"].str.match(r"^\w+:\w+:[fr]\d+$").all()
    assert changes["derivation"].str.len().gt(0).all()
    proc = subprocess.run([sys.executable, "-m", "turaqty", "whatif", "--set", "karaganda.B99=4",
                           "--out", str(tmp_path / "w")], capture_output=True, text=True)
    assert proc.returncode == 2 and "B99" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "w").exists()
    proc = subprocess.run([sys.executable, "-m", "turaqty", "scenario", "west:utopian",
                           "--out", str(tmp_path / "u")], capture_output=True, text=True)
    assert proc.returncode == 2 and "west:optimistic" in proc.stderr


def test_mechanisms_answer_high_risks_and_fit_the_type():
    m = turaqty.analysis.mechanisms.region_mechanisms(BASE)
    catalogue = {x.id: x for x in turaqty.analysis.mechanisms.load_mechanisms()}
    spec = turaqty.analysis.mechanisms.specialisations()
    assert set(spec) == set(BASE.dataset.units)
    high = BASE.risk.query("risk == 'high'").groupby("unit_id")["indicator"].apply(set)
    for row in m.itertuples():
        mech = catalogue[row.mechanism_id]
        assert set(row.answers.split("; ")) <= high[row.unit_id] & set(mech.indicators)
        assert "all" in mech.region_types or spec[row.unit_id] in mech.region_types
    assert m["unit_id"].nunique() == 20
    assert {"social", "economic", "environmental"} <= set(m["group"])


@pytest.mark.parametrize("lang", ["en", "kk", "ru"])
def test_every_command_has_help_in_every_language(lang):
    from turaqty.cli import main

    for command in ("assess", "risk", "reproduce", "audit", "scenario", "whatif", "validate",
                    "template"):
        with pytest.raises(SystemExit) as done:
            main([command, "--help", "--lang", lang])
        assert done.value.code == 0, (command, lang)


def test_whatif_reports_every_problem_and_duplicates(tmp_path):
    from turaqty.analysis.scenarios import parse_settings

    with pytest.raises(turaqty.DataError) as err:
        parse_settings(["karaganda.B99=4", "Атлантида.B25=4", "abai.B1=x"])
    assert [p.key for p in err.value.problems] == ["whatif_indicator", "unknown_region", "whatif_value"]
    assert "B9" in err.value.problems[0].render("en")  # suggestions
    with pytest.raises(turaqty.DataError) as err:
        parse_settings(["karaganda.B25=4", "karaganda.B25=+10%"])
    assert err.value.problems[0].key == "whatif_duplicate"
    bad_yaml = tmp_path / "c.yaml"
    bad_yaml.write_text("- region: abai\n  indicator: [B1\n", encoding="utf-8")
    with pytest.raises(turaqty.DataError) as err:
        read_changes(bad_yaml)
    assert err.value.problems[0].key == "whatif_parse" and "line" in err.value.problems[0].render("en")
    typo = tmp_path / "t.yaml"
    typo.write_text("- regoin: abai\n  indicator: B1\n  value: 100\n", encoding="utf-8")
    with pytest.raises(turaqty.DataError) as err:
        read_changes(typo)
    assert [p.key for p in err.value.problems] == ["whatif_field", "whatif_entry"]
    russian = tmp_path / "r.csv"
    russian.write_text("Регион;Показатель;Значение\nАтырауская область;B49;-10%\n", encoding="utf-8")
    assert read_changes(russian)[0].target == "atyrau"


def test_whatif_fills_a_missing_value_and_refuses_cells_not_in_the_data():
    frame = turaqty.load_embedded().wide(national=True)
    frame.loc["atyrau", "B3"] = np.nan
    base = turaqty.assess(frame)
    r = run_changes(base, [Change("atyrau", "B3", "set", 2.0)], strict=True)
    assert r.changed == 1 and r.assessment.dataset.wide().loc["atyrau", "B3"] == 2.0
    base = turaqty.assess(frame.drop(columns=["B3"]))
    with pytest.raises(turaqty.DataError) as err:
        run_changes(base, [Change("atyrau", "B3", "set", 2.0)], strict=True)
    assert err.value.problems[0].key == "whatif_not_in_data"


def test_scenario_without_national_row_says_what_it_could_not_apply():
    base = turaqty.assess(turaqty.load_embedded().wide())  # no national row
    r = run_scenario(base, "west:realistic")
    assert r.changed == 0 and set(r.applied["note"]) <= {"no_reference", "no_effect"}
    assert r.assessment.manifest["scenario"]["not_applied"]


def test_gap_follows_the_profile_directions():
    diss = turaqty.assess(profile="dissertation")  # B7 treated as "higher is worse"
    r = run_changes(diss, [Change("akmola", "B7", "gap", 0.5, "best")])
    before = diss.scores.set_index("unit_id").loc["akmola", "B7"]
    after = r.assessment.scores.set_index("unit_id").loc["akmola", "B7"]
    assert after >= before


def test_recomputed_bounds_compare_every_changed_score():
    r = run_changes(BASE, [Change("atyrau", "B33", "relative", 1.0)], bounds="recomputed")
    rows = r.comparison[r.comparison["indicator_or_index"] == "score:B33"]
    assert len(rows) == 19  # every region whose B33 value or score moved, not only Atyrau
