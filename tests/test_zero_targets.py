"""A target of 0 ("zero poverty", "no deaths") is a target: monitoring computes the progress
ratio and the achieved status against it, from ``monitor(targets=…)``, a targets file and a
framework's ``target`` column, through the Python API and ``turaqty monitor``."""
from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import turaqty
from turaqty.analysis.monitor import monitor
from turaqty.io.panel import panel_from_frame


def run(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "turaqty", *map(str, args)], capture_output=True,
                          text=True, timeout=600)


def poverty_panel() -> pd.DataFrame:
    """Poverty P (lower is better), 2018–2023: Akmola 10 → 5 (one point a year), Aktobe 4 → 9,
    Atyrau flat at 6, Mangystau 5 → 0 (reaches zero in 2023)."""
    rows = []
    for k, year in enumerate(range(2018, 2024)):
        rows += [("akmola", year, 10.0 - k), ("aktobe", year, 4.0 + k), ("atyrau", year, 6.0),
                 ("mangystau", year, 5.0 - k)]
    return pd.DataFrame([(u, "P", y, v) for u, y, v in rows],
                        columns=["region", "indicator", "year", "value"])


# By hand, target 0 by 2030 from the base year 2018 (12 years; compound rates are undefined
# at 0, so the linear rates): growth needed (0 − base) / 12 a year, achieved (now − base) / 5.
EXPECTED = {  # unit → (progress ratio, status)
    "akmola": ((5 - 10) / 5 / ((0 - 10) / 12), "on_track"),          # −1 / −0.8333 = 1.2
    "aktobe": ((9 - 4) / 5 / ((0 - 4) / 12), "deterioration"),       # 1 / −0.3333 = −3
    "atyrau": (0.0, "limited_progress"),                              # flat: 0
    "mangystau": ((0 - 5) / 5 / ((0 - 5) / 12), "target_achieved"),       # at 0: achieved (ratio 2.4)
}


def framework_folder(folder, target: str = "0", lower_bound: str = "20"):
    """One pillar, one indicator P (poverty, lower is better) with the given target."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "framework.json").write_text('{"id": "poverty", "name": {"en": "Poverty"}}', encoding="utf-8")
    (folder / "structure.csv").write_text(
        "id,parent,type,weight,direction,aggregation,lower_bound,target,name_en,unit_en\n"
        "index,,aggregate,1,,arithmetic,,,Index,\n"
        f"P,index,indicator,1,-,,{lower_bound},{target},Poverty,%\n", encoding="utf-8")
    return folder


def check_trends(trends: pd.DataFrame) -> None:
    tr = trends[trends["series"] == "P"].set_index("unit_id")
    for unit, (ratio, status) in EXPECTED.items():
        assert tr.loc[unit, "target"] == 0.0, unit
        assert tr.loc[unit, "progress_ratio"] == pytest.approx(ratio, abs=1e-12), unit
        assert tr.loc[unit, "status"] == status, unit


def test_a_zero_target_given_to_monitor(tmp_path):
    fw = turaqty.read_framework(framework_folder(tmp_path / "fw", target=""))
    panel = panel_from_frame(poverty_panel(), fw)
    check_trends(monitor(panel, framework=fw, base_year=2018, targets={"P": 0}).trends)
    check_trends(monitor(panel, framework=fw, base_year=2018, targets={"P": 0.0}).trends)
    # no target at all: no ratio and no status, only the arrows
    none = monitor(panel, framework=fw, base_year=2018).trends.query("series == 'P'")
    assert none["target"].isna().all() and none["progress_ratio"].isna().all()
    assert (none["status"] == "").all() and set(none["trend"]) == {"improving", "worsening", "stable"}


def test_a_zero_target_in_the_framework(tmp_path):
    fw = turaqty.read_framework(framework_folder(tmp_path / "fw"))
    assert fw.by_code["P"].target == 0.0
    panel = panel_from_frame(poverty_panel(), fw)
    check_trends(monitor(panel, framework=fw, base_year=2018).trends)
    # as goalposts (worst 20, best 0): Mangystau's 0 scores the best, Akmola's 5 three quarters of the way
    m = monitor(panel, framework=fw, base_year=2018, bounds="targets")
    assert (m.lower[0], m.upper[0]) == (0.0, 20.0)
    scores = m.scores_table.query("indicator == 'P' and year == 2023").set_index("unit_id")["score"]
    assert scores["mangystau"] == 9.0 and scores["akmola"] == pytest.approx(1 + 8 * 15 / 20)
    # a target given to monitor wins over the framework's, and 0 given wins over 2
    two = turaqty.read_framework(framework_folder(tmp_path / "fw2", target="2"))
    check_trends(monitor(panel_from_frame(poverty_panel(), two), framework=two, base_year=2018,
                         targets={"P": 0.0}).trends)


@pytest.mark.parametrize("source", ["file", "framework"])
def test_a_zero_target_through_the_command(tmp_path, source):
    data = tmp_path / "panel.csv"
    poverty_panel().to_csv(data, index=False)
    fw = framework_folder(tmp_path / "fw", target="0" if source == "framework" else "")
    extra = []
    if source == "file":
        (tmp_path / "targets.csv").write_text("indicator,target\nP,0\n", encoding="utf-8")
        extra = ["--targets", tmp_path / "targets.csv"]
    r = run("monitor", data, "--framework", fw, "--base-year", "2018", *extra, "--out", tmp_path / "out")
    assert r.returncode == 0, r.stderr
    trends = pd.read_csv(tmp_path / "out/trends.csv", encoding="utf-8-sig", dtype={"status": str},
                         keep_default_na=False, na_values=[""])
    trends["status"] = trends["status"].fillna("")
    check_trends(trends)
    assert np.isfinite(trends.query("series == 'P'")["progress_ratio"]).all()
