"""What-if and scenarios on score scales other than the dissertation's 1–9: a change beyond
the baseline's bounds is ``at_best``/``at_worst`` when the region's value already was at
that bound (its score already the scale's end, 9 or 100 or 0 …) and ``clipped`` otherwise;
normalisations without bounds (z-scores, percentiles) clip nothing and keep what they took
from the baseline's data. Through ``run_changes``, ``run_change_sets`` and the command line."""
from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from turaqty.analysis.change_sets import run_change_sets
from turaqty.analysis.scenarios import Change, run_changes, run_scenario
from turaqty.engine.assessment import assess
from turaqty.i18n import t
from turaqty.model.method import get_method

SCALES = {"dissertation": (1.0, 9.0), "percent": (0.0, 100.0), "reversed": (10.0, -10.0)}


def run(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "turaqty", *map(str, args)], capture_output=True,
                          text=True, timeout=600)


def minmax_on(scale: tuple[float, float]):
    return get_method("default").replace(profile="scale",
                                         normalise={"method": "minmax", "scale": list(scale)})


def b25(base):
    """B25 (unemployment, lower is better): its column, the best (lowest) and worst units."""
    j = base.dataset.indicators.index("B25")
    column = base.dataset.values[:, j]
    units = base.dataset.units
    return j, column, units[int(np.nanargmin(column))], units[int(np.nanargmax(column))]


@pytest.mark.parametrize("scale", SCALES.values(), ids=SCALES.keys())
def test_notes_on_every_min_max_scale(scale):
    a, b = scale
    base = assess(profile=minmax_on(scale))
    j, column, best, worst = b25(base)
    assert best == "karaganda" and column.min() == 4.1  # Table 9's lowest unemployment
    lo, hi = column.min(), column.max()
    others = [u for u in base.dataset.units if u not in (best, worst)]
    middle = others[0]
    x = column[base.dataset.units.index(middle)]
    changes = [Change(best, "B25", "set", 4.0),           # beyond the best bound, already there
               Change(worst, "B25", "set", hi + 5),       # beyond the worst bound, already there
               Change(middle, "B25", "set", 3.0),         # beyond the best bound: clipped
               Change(others[1], "B25", "set", hi + 1),   # beyond the worst bound: clipped
               Change(others[2], "B25", "set", (lo + hi) / 2)]  # within: no note
    s = run_changes(base, changes)
    assert s.applied["note"].tolist() == ["at_best", "at_worst", "clipped", "clipped", ""]
    scores, new = base.arrays.scores[:, j], s.assessment.arrays.scores[:, j]
    i = {u: k for k, u in enumerate(base.dataset.units)}
    # by hand: a + (b − a)·(max − x)/(max − min) (direction −1); clipped values get the ends
    assert scores[i[middle]] == pytest.approx(a + (b - a) * (hi - x) / (hi - lo))
    assert new[i[best]] == scores[i[best]] == b and new[i[worst]] == scores[i[worst]] == a
    assert new[i[middle]] == b and new[i[others[1]]] == a
    assert new[i[others[2]]] == pytest.approx((a + b) / 2)
    # the batched change sets (one vectorised pass) agree with run_changes
    table = run_change_sets(base, {"s": changes}).set_index("unit_id")
    np.testing.assert_allclose(table["integral"].to_numpy(), s.assessment.arrays.aggregates[:, -1],
                               rtol=0, atol=1e-12)


@pytest.mark.parametrize("normalise", [{"method": "zscore"}, {"method": "zscore", "scale": [100, 10]},
                                       {"method": "percentile"}])
def test_normalisations_without_bounds_clip_nothing(normalise):
    """Before: a what-if under such a method failed ('lower' is not a parameter of
    'zscore'). Now the baseline's mean and sd are kept: unchanged cells keep their scores
    and a changed cell is scored m + s·d·(x − mean)/sd against the baseline's data."""
    base = assess(profile=get_method("default").replace(profile="z", normalise=normalise))
    j, column, best, worst = b25(base)
    changes = [Change(best, "B25", "set", 0.5), Change(worst, "B25", "set", 40.0)]
    s = run_changes(base, changes)
    assert s.applied["note"].tolist() == ["", ""]
    scores, new = base.arrays.scores, s.assessment.arrays.scores
    i = [base.dataset.units.index(u) for u in (best, worst)]
    rest = np.ones(len(base.dataset.units), bool)
    rest[i] = False
    if normalise["method"] == "zscore":
        np.testing.assert_array_equal(new[rest], scores[rest])  # the same mean and sd
        m, sd_scale = normalise.get("scale", (0.0, 1.0))
        mean, sd = column.mean(), column.std(ddof=1)
        for k, value in zip(i, (0.5, 40.0), strict=True):
            assert new[k, j] == pytest.approx(m - sd_scale * (value - mean) / sd)  # direction −1
    else:  # ranked again: the best becomes best, the worst stays worst
        assert new[i[0], j] == 100.0 and new[i[1], j] == 0.0
    table = run_change_sets(base, {"s": changes}).set_index("unit_id")
    np.testing.assert_allclose(table["integral"].to_numpy(), s.assessment.arrays.aggregates[:, -1],
                               rtol=0, atol=1e-12)


def test_the_dissertations_notes_stay():
    base = assess()
    s = run_changes(base, [Change("karaganda", "B25", "set", 4.0), Change("astana", "B25", "set", 3.0)])
    assert s.applied["note"].tolist() == ["at_best", "clipped"]
    # a scenario of the catalogue: every note agrees with the values and the baseline's bounds
    applied = run_scenario(base, "west:pessimistic").applied
    col = {c: j for j, c in enumerate(base.dataset.indicators)}
    for row in applied[applied["note"].isin(["clipped", "at_best", "at_worst"])].itertuples():
        j = col[row.indicator]
        assert not base.arrays.lower[j] <= row.after <= base.arrays.upper[j]


def test_whatif_command_with_a_method_on_0_to_100(tmp_path):
    method = tmp_path / "percent.json"
    method.write_text(json.dumps({"profile": "percent",
                                  "normalise": {"method": "minmax", "scale": [0, 100]}}))
    done = run("whatif", "--set", "karaganda.B25=4.0", "--set", "astana.B25=3", "--method", method,
               "--out", tmp_path / "out")
    assert done.returncode == 0, done.stderr
    assert ("Karaganda Region: B25 4.1 → 4 has no effect: the region already has the best score (100)"
            in done.stdout)
    assert ("Astana: B25 4.5 → 3 lies beyond the baseline's range: its score is clipped to 100.00"
            in done.stdout)
    changes = pd.read_csv(tmp_path / "out/scenario_changes.csv", encoding="utf-8-sig").set_index("unit_id")
    assert changes.loc["karaganda", "note"] == t("scenario.note.at_best")
    assert changes.loc["astana", "note"] == t("scenario.note.clipped")
    kk = run("whatif", "--set", "karaganda.B25=4.0", "--method", method, "--out", tmp_path / "kk",
             "--lang", "kk")
    assert kk.returncode == 0 and "ең жоғары (100)" in kk.stdout
    # z-scores: the command runs and says each score, no clipping
    z = tmp_path / "z.json"
    z.write_text(json.dumps({"profile": "z", "normalise": {"method": "zscore"}}))
    done = run("whatif", "--set", "karaganda.B25=4.0", "--method", z, "--out", tmp_path / "z")
    assert done.returncode == 0, done.stderr
    # by hand: B25 mean 4.74, sd 0.234857; −(4.1 − 4.74)/0.234857 = 2.73, −(4.0 − 4.74)/0.234857 = 3.15
    assert "Karaganda Region: B25 4.1 → 4; score 2.73 → 3.15." in done.stdout


def test_scenario_command_with_a_method_on_0_to_100(tmp_path):
    method = tmp_path / "percent.json"
    method.write_text(json.dumps({"profile": "percent",
                                  "normalise": {"method": "minmax", "scale": [0, 100]}}))
    done = run("scenario", "west:pessimistic", "--method", method, "--out", tmp_path / "out")
    assert done.returncode == 0, done.stderr
    applied = run_scenario(assess(profile=minmax_on((0.0, 100.0))), "west:pessimistic").applied
    dissertation = run_scenario(assess(), "west:pessimistic").applied
    assert applied["note"].tolist() == dissertation["note"].tolist()  # the scale does not matter
    beyond = int(applied["note"].isin(["clipped", "at_best", "at_worst"]).sum())
    assert beyond and t("cli.scenario_clipped", n=beyond,
                        no_effect=int(applied["note"].isin(["at_best", "at_worst"]).sum())) in done.stdout
