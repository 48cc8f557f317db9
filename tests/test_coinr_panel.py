"""COINr's panel format (``uName, uCode``, groups, ``Time``, denominators, indicators) read by
``turaqty monitor`` and ``turaqty robustness --panel``: the real ASEM panel of the R package
COINr (51 countries × 2018–2022, ``coinr-asem/``; skipped, saying why, when
``../shared/external`` is absent), the cells read against the CSV's, the 2018 assessment of
monitoring against ``assess`` of COINr's one-year file, bad rows, and row order."""
from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import turaqty
from tests.seed import EXTERNAL
from turaqty.analysis.monitor import prepared_values, read_monitored_panel
from turaqty.analysis.robustness import panel_bounds
from turaqty.engine.assessment import method_pipeline
from turaqty.errors import DataError
from turaqty.io.frameworks import read_coinr_data
from turaqty.io.methods import read_method
from turaqty.model.layout import load_layout

ROOT = Path(__file__).resolve().parents[1]
ASEM = EXTERNAL / "coinr-asem"
PANEL, META, ONE_YEAR = ASEM / "ASEM_iData_p.csv", ASEM / "ASEM_iMeta.csv", ASEM / "ASEM_iData.csv"
METHOD = ROOT / "examples" / "asem" / "method.yaml"


def run(*args):
    return subprocess.run([sys.executable, "-m", "turaqty", *map(str, args)], capture_output=True, text=True)


@pytest.fixture(scope="module")
def asem():
    if not PANEL.exists():
        pytest.skip(f"COINr's ASEM panel {PANEL} not found (set TURAQTY_SHARED)")
    return turaqty.read_framework(META), read_method(METHOD)


@pytest.fixture(scope="module")
def monitored(asem):
    """The ASEM panel monitored by COINr's ASEM method with the base year's goalposts, and
    with goalposts pooled over the five years."""
    fw, method = asem
    return (turaqty.monitor(PANEL, framework=fw, profile=method, bounds="base"),
            turaqty.monitor(PANEL, framework=fw, profile=method))


# --- the real ASEM panel -------------------------------------------------------------------

def test_asem_panel_through_the_cli(asem, monitored, tmp_path):
    out = tmp_path / "asem"
    r = run("monitor", PANEL, "--framework", META, "--method", METHOD, "--out", out)
    assert r.returncode == 0, r.stderr
    assert "2018–2022" in r.stdout
    indices = pd.read_csv(out / "panel_indices.csv", encoding="utf-8-sig")
    assert len(indices) == 51 * 5 and set(indices["year"]) == set(range(2018, 2023))
    manifest = pd.read_json(out / "manifest.json", typ="series")
    assert manifest["method"]["profile"] == "coinr-asem" and manifest["monitoring"]["bounds"] == "pooled"
    pooled = monitored[1].indices
    mine = indices.set_index(["unit_id", "year"])["Index"]
    theirs = pooled.set_index(["unit_id", "year"])["Index"]
    np.testing.assert_allclose(mine.loc[theirs.index].to_numpy(), theirs.to_numpy(), rtol=0, atol=1e-9)
    scores = pd.read_csv(out / "panel_scores.csv", encoding="utf-8-sig")
    assert not set(scores["indicator"]) & {"GDP_group", "EurAsia_group", "Time", "GDP", "Area"}


def test_asem_panel_cells_are_the_csv_cells(asem):
    fw, _ = asem
    panel = turaqty.read_panel(PANEL, fw)
    csv = pd.read_csv(PANEL)
    assert panel.years == (2018, 2019, 2020, 2021, 2022) and len(panel.units) == 51
    assert set(panel.indicators) == {i.code for i in fw.indicators} and len(panel.indicators) == 49
    assert panel.denominator_ids == ("Area", "Energy", "GDP", "Population")
    assert set(panel.groups) == {"GDP_group", "GDPpc_group", "Pop_group", "EurAsia_group"}
    for row in csv.itertuples(index=False):
        i, k = panel.units.index(row.uCode), panel.years.index(int(row.Time))
        expected = np.array([getattr(row, c) for c in panel.indicators], dtype=float)
        assert np.array_equal(panel.values[i, :, k], expected, equal_nan=True), (row.uCode, row.Time)
        denominators = np.array([getattr(row, d) for d in panel.denominator_ids], dtype=float)
        assert np.array_equal(panel.denominators[i, :, k], denominators, equal_nan=True)
        assert panel.groups["EurAsia_group"][i, k] == row.EurAsia_group
    aut, chn = panel.units.index("AUT"), panel.units.index("CHN")
    lpi, goods = panel.indicators.index("LPI"), panel.indicators.index("Goods")
    assert "GDP" not in panel.indicators  # a denominator, not an indicator
    assert panel.denominators[aut, 2, 0] == 390.799991147468  # Austria 2018 GDP (row 2)
    assert panel.values[aut, lpi, 0] == 4.097985 and panel.values[aut, lpi, 4] == 4.100437327698527
    assert panel.values[chn, goods, 4] == 1743.3115717895128  # China 2022 trade in goods
    assert panel.unit_names["AUT"] == "Austria"
    one = panel.year(2022)
    assert one.groups["EurAsia_group"][chn] == "Asia" and one.denominators[chn, 2] == 11218.281029298301


def test_asem_panel_from_a_dataframe_is_the_file(asem):
    fw, _ = asem
    frame = turaqty.panel_from_frame(pd.read_csv(PANEL), fw)
    panel = turaqty.read_panel(PANEL, fw)
    assert frame.units == panel.units and frame.indicators == panel.indicators
    assert np.array_equal(frame.values, panel.values, equal_nan=True)
    assert np.array_equal(frame.denominators, panel.denominators, equal_nan=True)


def test_asem_denominated_year_by_year(asem):
    """Flights are divided by the population of their own year (no treatment here, so the
    value reaching normalisation is the quotient itself)."""
    fw, method = asem
    panel, _ = read_monitored_panel(PANEL, fw)
    plain = method.replace(profile="denominate-only", impute={"method": "none"}, treat={"method": "none"})
    existed = load_layout().existence(panel.units, panel.years)
    values, by_year = prepared_values(panel, existed, fw, plain, np.ones(len(panel.indicators)))
    aut, flights = panel.units.index("AUT"), panel.indicators.index("Flights")
    assert values[aut, flights, 4] == 52.3478998538004 / 8735.453  # Austria 2022 / its population
    assert values[aut, flights, 0] == 29.01725 / 8735.453
    lpi = panel.indicators.index("LPI")  # not denominated
    assert values[aut, lpi, 4] == 4.100437327698527
    assert sorted(by_year) == list(panel.years) and set(by_year[2018]) == {"denominate"}


def test_asem_2018_with_base_goalposts_is_assess_of_the_one_year_file(asem, monitored):
    """The panel's 2018 rows are ASEM_iData.csv; with the base year's goalposts, monitoring's
    2018 is ``assess`` of that file by the same method, and so COINr's own ASEM build."""
    fw, method = asem
    base, _ = monitored
    csv_2018 = pd.read_csv(PANEL).query("Time == 2018").drop(columns="Time").reset_index(drop=True)
    assert csv_2018.equals(pd.read_csv(ONE_YEAR).drop(columns="Time"))
    a = turaqty.assess(ONE_YEAR, framework=fw, profile=method)
    rows = [base.units.index(u) for u in a.dataset.units]
    cols = [base.panel.indicators.index(c) for c in a.dataset.indicators]
    np.testing.assert_allclose(base.aggregates[rows, :, 0], a.arrays.aggregates, rtol=0, atol=1e-12)
    np.testing.assert_allclose(base.scores[rows][:, cols, 0], a.arrays.scores, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(base.ranks[rows, :, 0], a.arrays.ranks)
    legacy = pd.read_csv(ASEM / "ASEM_COIN_legacy" / "Data__Aggregated.csv").set_index("UnitCode")
    np.testing.assert_allclose(base.aggregates[rows, :, 0],
                               legacy.loc[list(a.dataset.units), list(fw.index_columns)].to_numpy(float),
                               rtol=0, atol=1e-6)


def test_asem_2018_with_pooled_goalposts(asem, monitored):
    """Pooled goalposts are the min and max over the five years of the values as they reach
    normalisation (each year assessed on its own gives them); 2018 under them is the one-year
    file's pipeline with those goalposts, and differs from its own min–max."""
    fw, method = asem
    _, pooled = monitored
    panel = pooled.panel
    prepared = np.stack([turaqty.assess(panel.year(y), framework=fw, profile=method).arrays.values
                         for y in panel.years], axis=2)
    np.testing.assert_array_equal(pooled.lower, np.nanmin(prepared, axis=(0, 2)))
    np.testing.assert_array_equal(pooled.upper, np.nanmax(prepared, axis=(0, 2)))
    ds = read_coinr_data(ONE_YEAR, fw)
    at = [panel.indicators.index(c) for c in ds.indicators]
    r = method_pipeline(fw, method, ds, bounds=(pooled.lower[at], pooled.upper[at]))
    rows = [pooled.units.index(u) for u in ds.units]
    np.testing.assert_allclose(pooled.aggregates[rows, :, 0], r.aggregates, rtol=0, atol=1e-12)
    own = turaqty.assess(ONE_YEAR, framework=fw, profile=method)
    assert np.abs(pooled.aggregates[rows, :, 0] - own.arrays.aggregates).max() > 0.1


def test_asem_robustness_panel_bounds_are_monitorings(asem, monitored):
    """``robustness --panel`` pools the panel on the same scale as the data (denominated,
    imputed, treated): its bounds are monitoring's pooled goalposts (2018 is the data)."""
    fw, method = asem
    _, pooled = monitored
    a = turaqty.assess(ONE_YEAR, framework=fw, profile=method)
    (low, high), record = panel_bounds(str(PANEL), a)
    at = [pooled.panel.indicators.index(c) for c in a.dataset.indicators]
    np.testing.assert_array_equal(low, pooled.lower[at])
    np.testing.assert_array_equal(high, pooled.upper[at])
    assert record["years"] == [2018, 2022] and record["units_in_data"] == 51


def test_asem_robustness_with_the_panel_through_the_cli(asem, tmp_path):
    out = tmp_path / "rob"
    r = run("robustness", ONE_YEAR, "--framework", META, "--method", METHOD, "--panel", PANEL,
            "--runs", 50, "--sobol", 0, "--out", out)
    assert r.returncode == 0, r.stderr
    manifest = pd.read_json(out / "manifest.json", typ="series")
    panel = manifest["panel"]
    assert panel["years"] == [2018, 2022] and panel["indicators_without_panel_values"] == []


@pytest.mark.parametrize("profile", ["default", "dissertation"])
def test_one_year_with_base_goalposts_is_assess(profile):
    """The same holds without COINr: the embedded panel's 2023 alone, with the base year's
    goalposts, is ``assess`` of the embedded 2023 data (the dissertation's profile imputes)."""
    m = turaqty.monitor(profile=profile, bounds="base", base_year=2023, years="2023-2023", indicators="all")
    a = turaqty.assess(profile=profile)
    rows = [m.units.index(u) for u in a.dataset.units]
    cols = [m.panel.indicators.index(c) for c in a.dataset.indicators]
    np.testing.assert_allclose(m.scores[rows][:, cols, 0], a.arrays.scores, rtol=0, atol=1e-12)
    np.testing.assert_allclose(m.aggregates[rows, :, 0], a.arrays.aggregates, rtol=0, atol=1e-12)


# --- bad rows --------------------------------------------------------------------------------

META_TEXT = """Level,iCode,iName,Direction,Weight,Denominator,Parent,Type
1,x1,Trade,1,1,Pop,P1,Indicator
1,x2,Tariff,-1,1,,P1,Indicator
1,x3,Forest,1,1,,P2,Indicator
2,P1,Links,1,1,,Index,Aggregate
2,P2,Nature,1,1,,Index,Aggregate
3,Index,Index,1,1,,,Aggregate
,Region_group,Region,,,,,Group
,Pop,Population,,,,,Denominator
"""
METHOD_TEXT = """denominate: {method: divide}
impute: {method: group_mean, group: Region_group}
normalise: {method: minmax, scale: [0, 100]}
aggregate: {method: arithmetic}
availability: 0
"""
HEADER = "uName,uCode,Region_group,Time,Pop,x1,x2,x3"
GOOD = ["Aland,ALA,North,2020.0,10,50,3,7", "Aland,ALA,North,2021.0,11,55,2,8",
        "Borea,BOR,North,2020.0,20,60,5,", "Borea,BOR,North,2021.0,21,63,4,6",
        "Cyrene,CYR,South,2020.0,5,40,1,9", "Cyrene,CYR,South,2021.0,5,42,1,9"]


def write_case(folder: Path, rows: list[str], header: str = HEADER) -> tuple[Path, Path, Path]:
    (folder / "meta.csv").write_text(META_TEXT, encoding="utf-8")
    (folder / "method.yaml").write_text(METHOD_TEXT, encoding="utf-8")
    (folder / "panel.csv").write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return folder / "panel.csv", folder / "meta.csv", folder / "method.yaml"


def refused(tmp_path, rows, *, header=HEADER, framework=None):
    panel, meta, method = write_case(tmp_path, rows, header)
    out = tmp_path / "out"
    args = ["monitor", panel, "--framework", framework or meta, "--out", out]
    r = run(*args, *(["--method", method] if framework is None else []))
    assert r.returncode == 2, r.stdout + r.stderr
    assert not out.exists()
    return r.stderr


def test_generated_panel_is_read_and_monitored(tmp_path):
    panel, meta, method = write_case(tmp_path, GOOD)
    fw, plan = turaqty.read_framework(meta), read_method(method)
    m = turaqty.monitor(panel, framework=fw, profile=plan)
    assert m.units == ("ALA", "BOR", "CYR") and m.years == (2020, 2021)
    assert m.regions.name("BOR") == "Borea"
    # x1 per person, each year by its own population: 50/10, 55/11, 60/20, 63/21, 40/5, 42/5
    assert m.lower[0] == 3.0 and m.upper[0] == 42 / 5
    assert m.scores[2, 0, 1] == 100.0 and m.scores[1, 0, 0] == 0.0  # Cyrene 2021, Borea 2020
    # Borea's missing x3 in 2020 is the North mean of that year (Aland's 7), not of both years
    existed = np.ones((3, 2), bool)
    values, _ = prepared_values(m.panel, existed, fw, plan, np.ones(3))
    assert values[1, 2, 0] == 7.0 and np.isnan(m.panel.values[1, 2, 0])
    assert set(m.manifest["step_parameters"]["prepared_by_year"][2020]) == {"denominate", "impute"}


@pytest.mark.parametrize("rows, expected", [
    (GOOD + ["Borea,BOR,North,2021,30,1,1,1"],  # Borea 2021 is row 5 already
     ["panel.csv, row 8, column \"uCode\": a second row for unit 'BOR' in 2021", "panel.csv, 5)",
      "keep one row per uCode and Time"]),
    (GOOD[:2] + ["Borea,BOR,North,twenty-twenty,20,60,5,"] + GOOD[3:],
     ["panel.csv, row 4, column \"Time\": 'twenty-twenty' in the Time column is not a year",
      "e.g. 2018 or 2018.0"]),
    (["Aland,,North,2020,10,50,3,7"] + GOOD[1:],
     ["panel.csv, row 2, column \"uCode\": the row has no uCode", "write the unit's code"]),
    (["Aland,ALA,North,2020,ten,50,3,7"] + GOOD[1:],  # a denominator's cell is checked as a value's
     ["panel.csv, row 2, column \"Pop\": ", "'ten'"]),
], ids=["duplicate", "time", "no-ucode", "denominator"])
def test_bad_rows_are_refused(tmp_path, rows, expected):
    text = refused(tmp_path, rows)
    for part in expected:
        assert part in text


def test_unknown_ucode_of_kazakhstans_regions(tmp_path):
    """With the package framework (Kazakhstan's regions) uCode must be a region."""
    rows = ["Akmola,akmola,2022,5.9", "Akmola,akmolla,2023,5.3", "Aktobe,aktobe,2022,4.0",
            "Aktobe,aktobe,2023,4.2"]
    text = refused(tmp_path, rows, header="uName,uCode,Time,B3", framework="kz-isdr")
    assert "panel.csv, row 3, column \"uCode\": unknown region 'akmolla'" in text
    assert "Akmola Region" in text  # the closest region suggested


def test_unknown_ucode_of_the_frameworks_units(tmp_path):
    """A framework folder with its own units catalogue (units.csv): uCode must be one of them."""
    fw = tmp_path / "fw"
    fw.mkdir()
    (fw / "framework.json").write_text('{"id": "tiny", "name": {"en": "Tiny"}}', encoding="utf-8")
    (fw / "structure.csv").write_text("id,parent,type,direction,name_en\nindex,,aggregate,,Index\n"
                                      "x1,index,indicator,+,Trade\n", encoding="utf-8")
    (fw / "units.csv").write_text("id,name_en\nALA,Aland\nBOR,Borea\n", encoding="utf-8")
    text = refused(tmp_path, ["Aland,ALA,2020,1", "Borea,BOR,2020,2", "Aland,ALA,2021,3",
                              "Boreas,BRO,2021,4"], header="uName,uCode,Time,x1", framework=fw)
    assert "panel.csv, row 5, column \"uCode\": unknown region 'BRO'" in text


def test_missing_denominator_column_with_a_dividing_method(tmp_path):
    rows = [",".join(r.split(",")[:4] + r.split(",")[5:]) for r in GOOD]  # no Pop column
    text = refused(tmp_path, rows, header="uName,uCode,Region_group,Time,x1,x2,x3")
    assert "denominators the panel does not give: Pop" in text


def test_group_columns_are_not_unknown_indicators(tmp_path):
    """A ``…_group`` column the framework does not declare is still a group, not an indicator;
    any other unknown column is an unknown indicator naming its column."""
    panel, meta, method = write_case(tmp_path, [r + ",S" for r in GOOD], HEADER + ",Size_group")
    p = turaqty.read_panel(panel, turaqty.read_framework(meta))
    assert set(p.groups) == {"Region_group", "Size_group"} and "Size_group" not in p.indicators
    text = refused(tmp_path, [r + ",7" for r in GOOD], header=HEADER + ",x9")
    assert "panel.csv, row 1, column \"x9\": unknown indicator code 'x9'" in text


def test_one_file_per_year_and_a_workbook(tmp_path):
    """COINr's one-year iData files with their Time, read together, are the panel; a year in
    two files is refused naming both; a workbook is read as the CSV (columns with letters)."""
    import openpyxl

    panel, meta, _ = write_case(tmp_path, GOOD)
    fw = turaqty.read_framework(meta)
    whole = turaqty.read_panel(panel, fw)
    files = []
    for year in ("2020", "2021"):
        f = tmp_path / f"iData_{year}.csv"
        f.write_text("\n".join([HEADER, *(r for r in GOOD if f",{year}" in r)]) + "\n", encoding="utf-8")
        files.append(f)
    split = turaqty.read_panel(files, fw)
    assert split.units == whole.units and split.years == whole.years
    assert np.array_equal(split.values, whole.values, equal_nan=True)
    assert np.array_equal(split.denominators, whole.denominators)
    again = tmp_path / "again.csv"
    again.write_text("\n".join([HEADER, GOOD[0]]) + "\n", encoding="utf-8")  # Aland 2020 once more
    with pytest.raises(DataError) as err:
        turaqty.read_panel([files[0], again], fw)
    text = err.value.render()
    assert "again.csv, row 2, column \"uCode\": a second row for unit 'ALA' in 2020" in text
    assert "iData_2020.csv, 2)" in text
    book = openpyxl.Workbook()
    sheet = book.active
    for line in [HEADER, *GOOD[:2], "Borea,BOR,North,soon,20,60,5,", *GOOD[3:]]:
        sheet.append([float(c) if c.replace(".", "").isdigit() else (c or None) for c in line.split(",")])
    workbook = tmp_path / "panel.xlsx"
    book.save(workbook)
    with pytest.raises(DataError) as err:
        turaqty.read_panel(workbook, fw)
    expected = 'panel.xlsx, row 4, column "Time (D)": \'soon\' in the Time column is not a year'
    assert expected in err.value.render()
    sheet["D4"] = 2020
    book.save(workbook)
    assert np.array_equal(turaqty.read_panel(workbook, fw).values, whole.values, equal_nan=True)


# --- row order --------------------------------------------------------------------------------

@st.composite
def coinr_panels(draw):
    """A COINr-style panel: 3–6 units in two groups, 2–4 years, a denominator, some gaps."""
    n, years = draw(st.integers(3, 6)), draw(st.integers(2, 4))
    number = st.floats(1, 1000, allow_nan=False).map(lambda x: round(x, 3))
    rows = []
    for i in range(n):
        for k in range(years):
            cells = [draw(number) for _ in range(4)]
            x3 = "" if draw(st.integers(0, 5)) == 0 and i > 1 else cells[3]
            rows.append(f"Unit {i},U{i:02d},{'North' if i % 2 else 'South'},{2015 + k}.0,{cells[0]},"
                        f"{cells[1]},{cells[2]},{x3}")
    order = draw(st.permutations(range(len(rows))))
    return rows, [rows[j] for j in order]


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(coinr_panels())
def test_row_order_does_not_change_the_result(case):
    rows, shuffled = case
    results = []
    for body in (rows, shuffled):
        with tempfile.TemporaryDirectory() as folder:
            panel, meta, method = write_case(Path(folder), body)
            try:
                m = turaqty.monitor(panel, framework=meta, profile=read_method(method), indicators="all")
            except DataError as err:  # the same refusal whatever the order
                results.append(sorted(p.key for p in err.problems))
                continue
            results.append((m.units, m.indices.drop(columns="name"), m.scores_table, m.lower, m.upper))
    first, second = results
    if isinstance(first, list):
        assert first == second
        return
    assert first[0] == second[0]
    pd.testing.assert_frame_equal(first[1], second[1], check_exact=True)
    pd.testing.assert_frame_equal(first[2], second[2], check_exact=True)
    assert np.array_equal(first[3], second[3], equal_nan=True) and np.array_equal(first[4], second[4],
                                                                                   equal_nan=True)


def test_asem_dynamics_report_in_chromium(browser, asem, monitored, tmp_path):
    """The dynamics report of the ASEM panel: countries by their uName, no map of
    Kazakhstan's regions (the countries have no boundaries), no script error."""
    from tests.test_report import _open
    from turaqty.report.dynamics import dynamics_html

    path = tmp_path / "monitor.html"
    path.write_text(dynamics_html(monitored[1]), encoding="utf-8")
    page, events = _open(browser, path)
    try:
        sections = page.eval_on_selector_all("main > section", "s => s.map(x => x.id)")
        assert "map-section" not in sections and {"ranking", "lines", "slope"} <= set(sections)
        assert page.locator('nav a[href="#map-section"]').count() == 0
        ranking = page.inner_text("#ranking")
        assert "Austria" in ranking and "China" in ranking and "AUT" not in ranking
        assert not events["errors"] and not events["requests"]
    finally:
        page.close()


def test_asem_scores_table_shows_the_value_each_score_comes_from(monitored):
    """panel_scores: ``value`` is the panel's cell, ``value_used`` the value its score was
    computed from (divided by its year's denominator, imputed, treated); cells the method
    imputed have a row of their own, flagged ``imputed``, with no ``value``."""
    m = monitored[1]
    table = m.scores_table
    row = table.query("unit_id == 'AUT' and year == 2018 and indicator == 'Flights'").iloc[0]
    assert row["value"] == 29.01725
    # the value reaching normalisation: the quotient, then COINr's treatment where it applies
    assert row["value_used"] == m.prepared[m.units.index("AUT"), m.panel.indicators.index("Flights"), 0]
    assert row["value_used"] != row["value"]
    imputed = table[table["flag"].str.contains("imputed")]
    raw = m.panel.values
    expected = int((np.isnan(raw) & ~np.isnan(m.prepared)).sum())
    assert len(imputed) == expected > 0
    assert imputed["value"].isna().all() and imputed["value_used"].notna().all()
    assert len(table) == int((~np.isnan(raw)).sum()) + expected
