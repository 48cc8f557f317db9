"""Monitoring over years: panels, readers, the layout changes, fixed goalposts, trend rules,
alerts, the national SDG platform's importer, the embedded panel, the command line."""
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
from tests.seed import EXTERNAL
from turaqty.analysis.monitor import monitor
from turaqty.analysis.trends import cagr, direction_arrow, progress_ratio, progress_status
from turaqty.errors import DataError, UsageError
from turaqty.io.panel import panel_from_frame, read_panel
from turaqty.model.dataset import load_embedded
from turaqty.model.layout import load_layout
from turaqty.model.panel import load_embedded_panel

KAZSTAT = EXTERNAL / "kazstat-sdg"
OPEN_DATA = EXTERNAL / "kz-open-data"


def long(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["region", "indicator", "year", "value"])


def synthetic() -> pd.DataFrame:
    """Three regions, 2018–2023: poverty B3 (lower is better) and unemployment B25 (lower is
    better) with known straight-line trends; Akmola improves, Aktobe worsens, Atyrau is flat."""
    rows = []
    for k, year in enumerate(range(2018, 2024)):
        rows += [("akmola", "B3", year, 10.0 - k), ("aktobe", "B3", year, 4.0 + k),
                 ("atyrau", "B3", year, 6.0),
                 ("akmola", "B25", year, 5.0), ("aktobe", "B25", year, 4.0 + 0.5 * k),
                 ("atyrau", "B25", year, 6.0 - 0.2 * k)]
    return long(rows)


# --- panel model and readers -------------------------------------------------------------

def test_panel_year_is_a_dataset_and_tidy_round_trips():
    p = panel_from_frame(synthetic())
    assert p.years == tuple(range(2018, 2024)) and p.units == ("akmola", "aktobe", "atyrau")
    ds = p.year(2020)
    assert ds.year == 2020 and ds.wide().loc["akmola", "B3"] == 8.0
    tidy = p.tidy()
    assert len(tidy) == 36 and set(tidy.columns) == {"unit_id", "indicator", "year",
                                                     "value", "flag", "source"}
    with pytest.raises(UsageError, match="no year 2030"):
        p.year(2030)


def test_long_file_with_names_footnotes_and_decimal_commas(tmp_path):
    path = tmp_path / "panel.csv"
    path.write_text("region,indicator,year,value\nТуркестанская 1,B3,2022,\"9,7\"\n"
                    "Туркестанская*,B3,2023,9.0\nАстана қ.,B3,2023,2.4\nҚР,B3,2023,5.2\n", encoding="utf-8")
    p = read_panel(path)
    assert p.units == ("turkistan", "astana")
    assert p.values[0, 0].tolist() == [9.7, 9.0]
    assert np.isnan(p.values[1, 0, 0]) and p.values[1, 0, 1] == 2.4
    assert np.isnan(p.national[0, 0]) and p.national[0, 1] == 5.2


def test_wide_file_with_a_year_column(tmp_path):
    path = tmp_path / "wide.csv"
    path.write_text("region,year,B3,B25\nAkmola Region,2022,6.0,4.7\nAkmola Region,2023,5.3,4.6\n",
                    encoding="utf-8")
    p = read_panel(path)
    assert p.indicators == ("B3", "B25") and p.values[0, 1].tolist() == [4.7, 4.6]


def test_bureau_layout_title_units_dashes_and_footnotes(tmp_path):
    """One indicator per file (code in the name), a title with the unit, years in columns,
    '-' for no data, footnote marks; the old South Kazakhstan name is Turkistan's predecessor."""
    path = tmp_path / "B3.csv"
    path.write_text("Уровень бедности по регионам (%)\n"
                    "Регион,2016,2017,2018\n"
                    "Южно-Казахстанская область,5.1,5.0,-\n"
                    "Туркестанская 1,-,-,10.6\n"
                    "г. Шымкент*,-,-,2.5\n", encoding="utf-8")
    p = read_panel(path)
    assert p.values[p.units.index("turkistan"), 0].tolist() == [5.1, 5.0, 10.6]
    assert np.isnan(p.values[p.units.index("shymkent"), 0, :2]).all()
    assert p.notices == ()  # '%' is the framework's unit


def test_bureau_workbook_one_indicator_per_sheet(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    for code, unit in (("B3", "%"), ("B25", "проценты")):
        ws = wb.create_sheet(code)
        ws.append([f"Показатель {code}, {unit}"])
        ws.append(["Регион", 2022, 2023])
        ws.append(["Акмолинская", 6.0, 5.3])
        ws.append(["Абай", None, 8.6])
    wb.remove(wb["Sheet"])
    path = tmp_path / "bureau.xlsx"
    wb.save(path)
    p = read_panel(path)
    assert p.indicators == ("B3", "B25") and p.values[p.units.index("abai"), 0].tolist()[1] == 8.6
    assert [n[0] for n in p.notices] == ["panel_unit_differs"]  # 'проценты' is not '%'


def test_folder_of_files(tmp_path):
    (tmp_path / "B3.csv").write_text("Регион,2022,2023\nАкмолинская,6.0,5.3\n", encoding="utf-8")
    (tmp_path / "more.csv").write_text("region,indicator,year,value\nakmola,B25,2023,4.6\n", encoding="utf-8")
    p = read_panel(tmp_path)
    assert p.indicators == ("B3", "B25") and p.years == (2022, 2023)


@pytest.mark.parametrize("rows, key, where", [
    ([("akmola", "B3", "20x3", 5.0)], "panel_bad_year", 'row 2, column "year"'),
    ([("akmola", "B3", 2023, 5.0), ("Акмолинская", "B3", 2023, 5.1)], "panel_duplicate", "row 3"),
    ([("Абай", "B3", 2019, 8.0)], "panel_not_yet", 'row 2, column "region"'),
    # the framework's possible ranges (plausibility.csv), as for one year's file
    ([("akmola", "B3", 2023, 120.0)], "value_impossible", 'row 2, column "value"'),
    ([("akmola", "B9", 2023, -1.0)], "value_impossible", "row 2"),
    ([("Atlantis", "B3", 2023, 1.0)], "unknown_region", "row 2"),
])
def test_bad_cells_are_named(rows, key, where):
    with pytest.raises(DataError) as err:
        panel_from_frame(long(rows))
    assert [p.key for p in err.value.problems] == [key]
    assert where in err.value.render("en")
    assert err.value.render("kk") != err.value.render("en") != err.value.render("ru")


def test_a_gross_ratio_above_100_is_possible_as_in_one_years_file():
    # B15 (gross enrolment in higher education) is 122.1 % in Almaty; the embedded panel
    # written out and read back gives the same values
    p = panel_from_frame(long([("almaty_city", "B15", 2023, 122.1), ("akmola", "B42", 2023, 108.15)]))
    assert p.values[p.units.index("almaty_city"), p.indicators.index("B15"), -1] == 122.1


def test_the_embedded_panel_reads_back_from_its_own_table(tmp_path):
    import turaqty

    embedded = turaqty.load_embedded_panel()
    embedded.tidy().to_csv(tmp_path / "panel.csv", index=False)
    again = read_panel(tmp_path / "panel.csv")
    assert again.units == embedded.units and again.indicators == embedded.indicators
    assert np.array_equal(again.values, embedded.values, equal_nan=True)


def test_unit_that_changes_between_years(tmp_path):
    path = tmp_path / "units.csv"
    path.write_text("region,indicator,year,value,unit of measure\nakmola,B29,2022,900,tenge per hour\n"
                    "akmola,B29,2023,1.1,thousand tenge per hour\n", encoding="utf-8")
    with pytest.raises(DataError) as err:
        read_panel(path)
    assert [p.key for p in err.value.problems] == ["panel_unit_changes"]


# --- the layout ----------------------------------------------------------------------------

def test_layout_crosswalk():
    layout = load_layout()
    assert layout.born == {"shymkent": 2018, "abai": 2022, "zhetisu": 2022, "ulytau": 2022}
    assert layout.parent == {"shymkent": "turkistan", "abai": "east_kazakhstan",
                             "zhetisu": "almaty_region", "ulytau": "karaganda"}
    assert layout.breaks == {"turkistan": (2018,), "east_kazakhstan": (2022,),
                             "almaty_region": (2022,), "karaganda": (2022,)}
    old = next(c for c in layout.changes if c.change == "rename").old_names
    assert {"KZONT", "Южно-Казахстанская область"} <= set(old)
    p = panel_from_frame(long([(name, "B3", 2015, 5.0 + k) for k, name in enumerate(old[:1])]))
    assert p.units == ("turkistan",)
    for name in old:  # every former name and code is read as Turkistan's predecessor
        assert panel_from_frame(long([(name, "B3", 2015, 5.0)])).units == ("turkistan",), name


def test_known_split_gives_a_break_alert_and_no_value_before():
    rows = [("east_kazakhstan", "B3", 2021, 6.0), ("east_kazakhstan", "B3", 2022, 5.0),
            ("abai", "B3", 2022, 8.0), ("akmola", "B3", 2021, 4.0), ("akmola", "B3", 2022, 4.5)]
    m = monitor(panel_from_frame(long(rows)))
    breaks = m.alerts[m.alerts["alert"] == "series_break"]
    assert breaks[["year", "unit_id", "series"]].values.tolist() == [[2022, "east_kazakhstan", "B3"]]
    ix = m.indices
    assert ix.query("unit_id == 'abai'")["year"].tolist() == [2022]  # no row before it existed


# --- fixed goalposts ------------------------------------------------------------------------

def test_pooled_goalposts_by_hand():
    m = monitor(panel_from_frame(synthetic()))
    j = m.panel.indicators.index("B3")
    assert (m.lower[j], m.upper[j]) == (4.0, 10.0)  # min and max over every region and year
    akmola = m.units.index("akmola")
    # lower is better: score = 1 + 8·(10 − x)/(10 − 4); Akmola 10, 9, …, 5
    expected = [1 + 8 * (10 - x) / 6 for x in (10, 9, 8, 7, 6, 5)]
    assert np.allclose(m.scores[akmola, j], expected)
    assert not m.clipped.any() and m.manifest["monitoring"]["bounds"] == "pooled"


def test_base_year_goalposts_clip_and_flag():
    m = monitor(panel_from_frame(synthetic()), bounds="base", base_year=2018)
    j = m.panel.indicators.index("B3")
    assert (m.lower[j], m.upper[j]) == (4.0, 10.0)
    k = m.panel.indicators.index("B25")  # 2018: 5, 4, 6; Aktobe reaches 6.5 in 2023, Atyrau 5.0
    aktobe = m.units.index("aktobe")
    assert m.clipped[aktobe, k, -1] and m.scores[aktobe, k, -1] == 1.0
    flags = m.scores_table.query("unit_id == 'aktobe' and indicator == 'B25' and year == 2023")["flag"]
    assert flags.tolist() == ["clipped"]


def test_target_goalposts_need_targets():
    with pytest.raises(UsageError, match="B25, B3|B3, B25"):
        monitor(panel_from_frame(synthetic()), bounds="targets")
    m = monitor(panel_from_frame(synthetic()), bounds="targets",
                targets={"B3": (12.0, 2.0), "B25": (8.0, 3.0)})
    j = m.panel.indicators.index("B3")
    assert (m.lower[j], m.upper[j]) == (2.0, 12.0)
    assert m.scores[m.units.index("akmola"), j, 0] == pytest.approx(1 + 8 * (12 - 10) / 10)


def test_pooled_scores_of_a_year_do_not_depend_on_the_year_assessed_alone():
    """Levels compare year to year: the same value gets the same score in every year."""
    m = monitor(panel_from_frame(synthetic()))
    j = m.panel.indicators.index("B3")
    values, scores = m.panel.values[:, j, :], m.scores[:, j, :]
    six = values == 6.0
    assert np.unique(scores[six]).size == 1


@settings(max_examples=25, deadline=None)
@given(st.lists(st.floats(0.5, 60.0, allow_nan=False), min_size=9, max_size=9))
def test_property_pooled_scores_on_scale_and_a_new_inner_year_changes_nothing(xs):
    rows = [(u, "B3", y, xs[3 * i + k]) for i, y in enumerate((2020, 2021, 2022))
            for k, u in enumerate(("akmola", "aktobe", "atyrau"))]
    m = monitor(panel_from_frame(long(rows)))
    s = m.scores[:, 0, :]
    assert np.all((s[~np.isnan(s)] >= 1 - 1e-9) & (s[~np.isnan(s)] <= 9 + 1e-9))
    inner = float(np.median(xs))
    more = rows + [(u, "B3", 2023, inner) for u in ("akmola", "aktobe", "atyrau")]
    m2 = monitor(panel_from_frame(long(more)))
    assert np.allclose(m2.scores[:, 0, :3], s, equal_nan=True)


# --- trend rules by hand ---------------------------------------------------------------------

def test_changes_cagr_and_arrows_by_hand():
    m = monitor(panel_from_frame(synthetic()), base_year=2018)
    tr = m.trends.set_index(["unit_id", "series"])
    a = tr.loc[("akmola", "B3")]  # 10, 9, 8, 7, 6, 5
    assert (a["year"], a["value"], a["previous"], a["change"]) == (2023, 5.0, 6.0, -1.0)
    assert a["change_pct"] == pytest.approx(-100 / 6)
    assert a["change_base"] == -5.0
    assert a["cagr_5y"] == pytest.approx(100 * ((5 / 10) ** (1 / 5) - 1))
    assert (a["trend"], a["arrow"]) == ("improving", "↑")  # poverty fell
    assert tr.loc[("aktobe", "B3"), "trend"] == "worsening"
    assert tr.loc[("atyrau", "B3"), "trend"] == "stable"
    # 0.2 on 5.2 is 3.8 % > 1 % tolerance: unemployment fell, improving
    assert tr.loc[("atyrau", "B25"), "trend"] == "improving"


def test_progress_status_with_a_target_by_hand():
    m = monitor(panel_from_frame(synthetic()), base_year=2018, targets={"B3": 4.0})
    tr = m.trends.set_index(["unit_id", "series"])
    # Akmola 10 → 5 by 2023, target 4 by 2030: not achieved yet
    achieved = (5 / 10) ** (1 / 5) - 1
    needed = (4 / 10) ** (1 / 12) - 1
    assert tr.loc[("akmola", "B3"), "progress_ratio"] == pytest.approx(achieved / needed)
    assert tr.loc[("akmola", "B3"), "status"] == "on_track"
    # Aktobe started at the target (4; the growth needed is 0, the ratio undefined) and is not
    # there now (9): no status rather than a made-up one
    assert tr.loc[("aktobe", "B3"), "status"] == ""
    assert tr.loc[("atyrau", "B3"), "status"] == "limited_progress"  # flat at 6: ratio 0


@pytest.mark.parametrize("ratio, status", [(0.95, "on_track"), (0.9499, "needs_acceleration"),
                                           (0.6, "needs_acceleration"), (0.5999, "limited_progress"),
                                           (0.0, "limited_progress"), (-0.01, "deterioration")])
def test_status_thresholds(ratio, status):
    assert progress_status(np.array([ratio]), np.array([False])) == [status]


def test_trend_rule_helpers_by_hand():
    assert cagr(np.array([50.0]), np.array([100.0]), 5)[0] == pytest.approx(2 ** 0.2 - 1)
    # increase wanted (direction +1): 100 → 110 by 2020 from 2015, target 200 by 2030
    r = progress_ratio(np.array([100.0]), np.array([110.0]), np.array([200.0]), 2015, 2020)[0]
    assert r == pytest.approx((1.1 ** 0.2 - 1) / (2 ** (1 / 15) - 1))
    assert direction_arrow(np.array([0.05, -0.05]),
                           np.array([10.0, 10.0]), np.array([1, 1])) == ["stable", "stable"]


def test_rank_movements_by_hand():
    m = monitor(panel_from_frame(synthetic()))
    tr = m.trends.set_index(["unit_id", "series"])
    ix = m.indices.set_index(["unit_id", "year"])
    for unit in ("akmola", "aktobe", "atyrau"):
        now, before = ix.loc[(unit, 2023), "rank_social"], ix.loc[(unit, 2022), "rank_social"]
        assert tr.loc[(unit, "social"), "rank_change"] == before - now


# --- risk that can change, alerts ----------------------------------------------------------

def test_region_can_leave_high_risk_and_entering_is_an_alert():
    m = monitor(panel_from_frame(synthetic()), base_year=2018)
    j = m.panel.indicators.index("B3")
    akmola, aktobe = m.units.index("akmola"), m.units.index("aktobe")
    # thresholds fixed at 2018 (poverty: 10, 4, 6): Akmola starts in high risk and leaves it
    assert m.risk[akmola, j, 0] == "high" and m.risk[akmola, j, -1] != "high"
    entered = m.alerts.query("alert == 'entered_high_risk' and series == 'B3'")
    assert entered["unit_id"].tolist() == ["aktobe"] and m.risk[aktobe, j, 0] != "high"


def test_level_drop_alert():
    rows = [("akmola", "B3", 2022, 2.0), ("aktobe", "B3", 2022, 10.0),
            ("akmola", "B3", 2023, 10.0), ("aktobe", "B3", 2023, 2.0),
            ("akmola", "B11", 2022, 5.0), ("aktobe", "B11", 2022, 50.0),
            ("akmola", "B11", 2023, 50.0), ("aktobe", "B11", 2023, 5.0)]
    m = monitor(panel_from_frame(long(rows)))
    drops = m.alerts.query("alert == 'level_drop'")
    assert ("akmola", "social") in set(zip(drops["unit_id"], drops["series"], strict=True))
    assert "Akmola Region" in drops["message"].iloc[0]


# --- the national SDG platform --------------------------------------------------------------

def _need(path):
    if not path.exists():
        pytest.skip(f"{path} not found (shared external data absent)")


def test_kazstat_importer_on_the_real_folder():
    _need(KAZSTAT)
    p = turaqty.read_kazstat(KAZSTAT)
    b3 = p.indicators.index("B3")
    assert p.values[p.units.index("abai"), b3, p.years.index(2023)] == 8.0
    assert p.values[p.units.index("turkistan"), b3, p.years.index(2010)] == 11.5  # KZONT
    assert np.isnan(p.values[p.units.index("shymkent"), b3, :p.years.index(2018)]).all()
    keys = {n[0] for n in p.notices}
    assert {"kazstat_outside_layout", "kazstat_definition", "kazstat_conflicting"} <= keys
    assert p.flags[("akmola", "B4", 2015)] == "definition"
    assert "B47" not in p.indicators  # MW is not W per person


def test_kazstat_breakdown():
    _need(KAZSTAT)
    from turaqty.io.kazstat import kazstat_long

    total, _ = kazstat_long(KAZSTAT)
    urban, _ = kazstat_long(KAZSTAT, breakdown={"URBANISATION": "U"})

    def pick(f):
        return f.query("indicator == 'B25' and unit_id == 'akmola' and year == 2020")["value"].tolist()

    assert (pick(total), pick(urban)) == ([4.9], [4.4])  # the file: total 4.9, urban 4.4


def test_import_kazstat_command(tmp_path):
    _need(KAZSTAT)
    out = tmp_path / "panel.csv"
    r = subprocess.run([sys.executable, "-m", "turaqty", "import", "kazstat",
                        str(KAZSTAT), "--out", str(out)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    frame = pd.read_csv(out)
    assert list(frame.columns) == ["unit_id", "indicator", "year", "value", "flag", "source"]
    assert read_panel(out).values.shape[2] == 14  # the written panel reads back, 2010–2023


def test_kz_open_data_bureau_file_with_a_small_framework(tmp_path):
    """A real wide Bureau table (life expectancy 1999–2022, '-' before Abai existed, the
    national row) read with a one-indicator framework."""
    source = OPEN_DATA / "average-life-expectancy" / "Life_Expc" / "data" / "llife.csv"
    _need(source)
    fw_dir = tmp_path / "fw"
    fw_dir.mkdir()
    (fw_dir / "framework.json").write_text('{"id": "le", "name": {"en": "Life"}}', encoding="utf-8")
    (fw_dir / "structure.csv").write_text(
        "id,parent,type,weight,direction,aggregation,level_low,level_high,name_en,unit_en\n"
        "index,,aggregate,1,,arithmetic,4,7,Index,\nLE,index,indicator,1,+,,,,Life expectancy,years\n",
        encoding="utf-8")
    copy = tmp_path / "LE.csv"
    copy.write_bytes(source.read_bytes())
    fw = turaqty.read_framework(fw_dir)
    with pytest.raises(DataError) as err:  # Shymkent 1999–2017: recalculated on today's layout
        read_panel(copy, fw)
    assert {p.key for p in err.value.problems} == {"panel_not_yet"}
    assert "Shymkent did not exist in 2017" in err.value.render("en")
    p = read_panel(copy, fw, outside_layout="drop")
    assert [(n[0], n[2]) for n in p.notices] == [("panel_outside_layout", "shymkent")]
    assert p.years[0] == 1999 and p.years[-1] == 2022 and len(p.units) >= 17
    abai = p.units.index("abai")
    assert np.isnan(p.values[abai, 0, :-1]).all() and p.values[abai, 0, -1] == 73.8
    assert p.national[0, 0] == 65.63


# --- the embedded panel ----------------------------------------------------------------------

def test_embedded_panel_2023_is_the_dissertation_and_reconciles():
    p = load_embedded_panel()
    d = load_embedded()
    assert np.array_equal(p.year(2023).wide().loc[list(d.units), list(d.indicators)].to_numpy(),
                          d.values, equal_nan=True)
    m = monitor()
    rec = m.reconciliation.set_index(["unit_id", "indicator"])
    assert rec.loc[("abai", "B3"), ["dissertation", "platform"]].tolist() == [8.6, 8.0]
    assert rec.loc[("abai", "B3"), "status"] == "differs"
    cov = m.coverage.set_index("indicator")
    assert cov.loc["B3", "years"] == "2010–2023" and cov.loc["B3", "monitored"]
    assert not cov.loc["B38", "monitored"]  # a definition that differs before 2023


def test_embedded_panel_ships_licence_and_provenance():
    from turaqty.model.package_data import data_file

    assert "MIT License" in data_file("kazstat", "LICENSE.txt").read_text(encoding="utf-8")
    assert "72277878d12502232b21c3d4b8ac459630b4f578" in data_file("kazstat", "PROVENANCE.txt").read_text(
        encoding="utf-8")


# --- the command ---------------------------------------------------------------------------

FILES = {"panel_scores.csv", "panel_indices.csv", "trends.csv", "alerts.csv", "coverage.csv",
         "reconciliation.csv", "warnings.csv", "monitor.xlsx", "monitor.html", "manifest.json"}


def run(*args):
    return subprocess.run([sys.executable, "-m", "turaqty", *args], capture_output=True, text=True)


def test_monitor_command_on_the_embedded_panel(tmp_path):
    r = run("monitor", "--out", str(tmp_path / "out"), "--lang", "kk")
    assert r.returncode == 0, r.stderr
    assert {f.name for f in (tmp_path / "out").iterdir()} == FILES
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["monitoring"]["bounds"] == "pooled" and manifest["monitoring"]["base_year"] == 2010
    ix = pd.read_csv(tmp_path / "out" / "panel_indices.csv")
    assert list(ix.columns[:3]) == ["unit_id", "year", "social"] and "rank_integral" in ix


def test_monitor_command_on_a_file_with_options(tmp_path):
    data = tmp_path / "panel.csv"
    synthetic().to_csv(data, index=False)
    r = run("monitor", str(data), "--base-year", "2020", "--bounds", "base", "--years", "2019-2023",
            "--out", str(tmp_path / "out"))
    assert r.returncode == 0, r.stderr
    trends = pd.read_csv(tmp_path / "out" / "trends.csv")
    assert set(trends["base_year"]) == {2020}


@pytest.mark.parametrize("args, text", [
    (["--base-year", "1999"], "1999"),
    (["--years", "2015to2023"], "2015to2023"),
])
def test_monitor_command_bad_requests_exit_2_and_write_nothing(tmp_path, args, text):
    r = run("monitor", *args, "--out", str(tmp_path / "out"))
    assert r.returncode == 2 and text in r.stderr and not (tmp_path / "out").exists()


def test_monitor_command_bad_data_exit_2(tmp_path):
    data = tmp_path / "bad.csv"
    data.write_text("region,indicator,year,value\nAbai,B3,2019,8.0\nakmola,B3,2023,140\n", encoding="utf-8")
    r = run("monitor", str(data), "--out", str(tmp_path / "out"))
    assert r.returncode == 2 and "row 2" in r.stderr and "row 3" in r.stderr
    assert not (tmp_path / "out").exists()


def test_python_api():
    assert turaqty.monitor is monitor and turaqty.load_embedded_panel().years[0] == 2010


# --- the dynamics report in Chromium --------------------------------------------------------

@pytest.mark.parametrize("lang", ["en", "kk", "ru"])
def test_dynamics_report_in_chromium(browser, tmp_path, lang):
    from tests.test_report import _open
    from turaqty.i18n import t
    from turaqty.report.dynamics import dynamics_html

    m = monitor(lang=lang)
    path = tmp_path / "monitor.html"
    path.write_text(dynamics_html(m), encoding="utf-8")
    page, events = _open(browser, path)
    try:
        sections = page.eval_on_selector_all("main > section", "s => s.map(x => x.id)")
        assert sections[0] == "alerts" and {"ranking", "lines",
                                            "slope", "map-section", "method"} <= set(sections)
        assert page.inner_text("h1") == t("monitor.report.title", lang)
        assert page.locator("#alerts li").count() > 0
        assert page.locator(".chart").count() >= 17

        def fill(unit):
            return page.get_attribute(f'#map path[data-unit="{unit}"]', "fill")

        assert fill("abai") != "#dddddd"  # 2023: Abai has a value
        page.select_option("#map-year", "2015")
        assert fill("abai") == "#dddddd" and fill("akmola") != "#dddddd"  # Abai did not exist
        assert "2015" in page.inner_text("#map-caption")
        assert not events["errors"] and not events["requests"]
    finally:
        page.close()


def test_dynamics_report_escapes_data():
    from turaqty.report.dynamics import dynamics_html

    m = monitor(panel_from_frame(synthetic()))
    object.__setattr__(m.panel, "source", "<script>alert(1)</script>")
    page = dynamics_html(m)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


# --- derived indicators ---------------------------------------------------------------------

def test_derived_indicators_by_hand_with_traces():
    from turaqty.model.derived import derive, load_derivations_for

    rows = [("akmola", "population", y, v) for y, v in ((2019, 1000.0), (2020, 1010.0), (2023, 1100.0))]
    rows += [("akmola", "revenue", 2023, 500.0), ("akmola", "transfers", 2023, 200.0),
             ("akmola", "expenditure", 2023, 600.0), ("akmola", "B45", 2023, 2.2),
             ("aktobe", "revenue", 2023, 100.0)]
    p = panel_from_frame(long(rows))
    d, notices = derive(p, load_derivations_for("kz-isdr"))

    def at(u, c, y):
        return d.values[d.units.index(u), d.indicators.index(c), d.years.index(y)]

    assert at("akmola", "B1", 2023) == pytest.approx(1100 / 1000 * 100)   # 2023 vs 2019
    assert np.isnan(at("akmola", "B1", 2020))                             # 2016 unknown
    assert at("akmola", "B42", 2023) == pytest.approx((500 - 200) / 600 * 100)
    assert at("akmola", "B47", 2023) == pytest.approx(2.2 * 1e6 / 1100)   # W per person
    assert d.sources[("akmola", "B42", 2023)] == "B42 = (revenue − transfers) / expenditure × 100"
    assert d.flags[("akmola", "B47", 2023)] == "derived"
    missing = {(n[1], n[2]) for n in notices if n[0] == "derived_input_missing"}
    assert ("B42", "aktobe") in missing  # revenue without transfers and expenditure


def test_derived_value_never_overwrites_a_given_one():
    from turaqty.model.derived import derive, load_derivations_for

    rows = [("akmola", "population", 2019, 1000.0), ("akmola", "population", 2023, 1100.0),
            ("akmola", "B1", 2023, 106.69)]
    d, _ = derive(panel_from_frame(long(rows)), load_derivations_for("kz-isdr"))
    assert d.values[0, d.indicators.index("B1"), -1] == 106.69 and ("akmola", "B1", 2023) not in d.flags


def test_negative_population_is_refused():
    with pytest.raises(DataError) as err:
        panel_from_frame(long([("akmola", "Численность населения", 2023, -5.0)]))
    assert [p.key for p in err.value.problems] == ["panel_impossible_negative"]


def test_population_from_kz_open_data_gives_b1_of_table_7():
    """The open-data population table (Область, Год, Население; Shymkent from 2017) → B1
    2023 = population 2023 / 2019 × 100: Akmola 106.69 as printed in Table 7."""
    source = OPEN_DATA / "population-projections-by-regions" / "archive" / "kazpop.csv"
    _need(source)
    m = monitor(source, outside_layout="drop", base_year=2019, indicators="all")
    j = m.panel.indicators.index("B1")
    akmola = m.units.index("akmola")
    assert round(float(m.panel.values[akmola, j, m.years.index(2023)]), 2) == 106.69
    rec = m.reconciliation.set_index(["unit_id", "indicator"])
    assert rec.loc[("akmola", "B1"), "status"] == "equal"
    assert rec.loc[("astana", "B1"), "status"] == "differs"  # 125.6 here, 132.62 in Table 7


def test_bad_derived_declaration(tmp_path):
    fw_dir = tmp_path / "fw"
    fw_dir.mkdir()
    (fw_dir / "structure.csv").write_text(
        "id,parent,type,weight,direction,aggregation,level_low,level_high,name_en,unit_en\n"
        "index,,aggregate,1,,arithmetic,4,7,Index,\nA,index,indicator,1,+,,,,A,%\n", encoding="utf-8")
    (fw_dir / "derived.csv").write_text("code,formula,inputs,params,unit,note\nA,cube_root,x,,,\n",
                                        encoding="utf-8")
    from turaqty.model.derived import load_derivations

    with pytest.raises(DataError) as err:
        load_derivations(turaqty.read_framework(fw_dir))
    assert [p.key for p in err.value.problems] == ["derived_formula"] and "row 2" in err.value.render()


def test_targets_file_through_the_command(tmp_path):
    data = tmp_path / "panel.csv"
    synthetic().to_csv(data, index=False)
    targets = tmp_path / "targets.csv"
    targets.write_text("indicator,worst,best,target\nB3,12,2,4\nB25,8,3,\n", encoding="utf-8")
    r = run("monitor", str(data), "--bounds", "targets", "--targets", str(targets),
            "--out", str(tmp_path / "out"))
    assert r.returncode == 0, r.stderr
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["monitoring"]["goalposts"]["B3"] == [2.0, 12.0]
    # the target column sets the progress status apart from the goalposts: B3 against 4, not 2
    trends = pd.read_csv(tmp_path / "out" / "trends.csv", encoding="utf-8-sig").query(
        "series == 'B3' and year == 2023")
    by_target = monitor(panel_from_frame(synthetic()), targets={"B3": 4.0, "B25": 3.0}).trends.query(
        "series == 'B3' and year == 2023")
    assert trends["target"].eq(4.0).all()
    np.testing.assert_allclose(trends["progress_ratio"], by_target["progress_ratio"], rtol=0, atol=1e-9)
    akmola = trends.set_index("unit_id").loc["akmola", "progress_ratio"]  # 10 → 5 by 2023, 4 by 2030
    assert akmola == pytest.approx(((5 / 10) ** (1 / 5) - 1) / ((4 / 10) ** (1 / 12) - 1))
    bad = tmp_path / "bad.csv"
    bad.write_text("indicator,target\nB3,abc\n", encoding="utf-8")
    r = run("monitor", str(data), "--targets", str(bad), "--out", str(tmp_path / "out2"))
    assert r.returncode == 2 and "row 2" in r.stderr and not (tmp_path / "out2").exists()


def test_one_year_is_the_simple_case():
    p = panel_from_frame(long([("akmola", "B3", 2023, 1.0), ("aktobe", "B3", 2023, 2.0)]))
    m = monitor(p)
    assert m.alerts.empty and m.trends["change"].isna().all()
    assert m.indices["social"].tolist() == [9.0, 1.0]


def test_monitor_reads_the_platform_folder_directly():
    _need(KAZSTAT)
    m = monitor(KAZSTAT, years="2015-2023")
    assert m.years == tuple(range(2015, 2024)) and m.panel.source.startswith("kazstat:")
    assert {"B3", "B25", "B38"} <= set(m.monitored)
    # B38 has the platform's definition in every year: a proxy, comparable year to year, said so
    assert ("monitor_definition_proxy", "B38") in {(n[0], n[1]) for n in m.notices}
    assert m.scores_table.query("indicator == 'B38'")["flag"].eq("definition").all()
