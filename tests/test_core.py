"""Each step of the pipeline against values computed by hand."""
from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as sps

import turaqty
from turaqty.core.aggregate import integral_sum, pillar_means
from turaqty.core.classify import level_of
from turaqty.core.normalise import normalise_minmax
from turaqty.core.pipeline import Tree, run_pipeline
from turaqty.core.rank import rank_descending
from turaqty.core.stats import describe


def test_normalise_positive_and_negative_by_hand():
    x = np.array([[2.0, 2.0], [4.0, 4.0], [10.0, 10.0]])
    scores, lo, hi = normalise_minmax(x, np.array([1, -1]))
    # + : 1 + 8(x-2)/8 = x - 1 ;  - : 1 + 8(10-x)/8 = 11 - x
    assert scores[:, 0].tolist() == [1.0, 3.0, 9.0]
    assert scores[:, 1].tolist() == [9.0, 7.0, 1.0]
    assert lo.tolist() == [2.0, 2.0] and hi.tolist() == [10.0, 10.0]


def test_normalise_dissertation_examples():
    # methodology §2.4: Aktobe B1 3.756; Akmola B3 5.29; Karaganda B49 5.576
    b1 = np.array([[108.02], [95.09], [132.62]])
    assert normalise_minmax(b1, np.array([1]))[0][0, 0] == pytest.approx(3.756, abs=5e-4)
    b3 = np.array([[5.9], [9.6], [2.7]])
    assert normalise_minmax(b3, np.array([-1]))[0][0, 0] == pytest.approx(5.29, abs=5e-3)
    b49 = np.array([[401.0], [921.0], [12.0]])
    assert normalise_minmax(b49, np.array([-1]))[0][0, 0] == pytest.approx(5.576, abs=5e-4)


def test_normalise_missing_and_constant():
    x = np.array([[1.0, 5.0, np.nan], [np.nan, 5.0, np.nan], [3.0, 5.0, np.nan]])
    scores, lo, hi = normalise_minmax(x, np.array([1, 1, 1]))
    assert scores[:, 0].tolist()[0] == 1.0 and np.isnan(scores[1, 0]) and scores[2, 0] == 9.0
    assert np.isnan(scores[:, 1]).all()  # constant: no score
    assert np.isnan(scores[:, 2]).all() and np.isnan(lo[2])  # empty


def test_normalise_other_scale_and_fixed_bounds():
    x = np.array([[0.0], [5.0], [10.0]])
    assert normalise_minmax(x, np.array([1]), (0, 100))[0][:, 0].tolist() == [0.0, 50.0, 100.0]
    held = normalise_minmax(x, np.array([1]), bounds=(np.array([0.0]), np.array([20.0])))[0]
    assert held[:, 0].tolist() == [1.0, 3.0, 5.0]


def test_pillar_mean_of_available_scores():
    scores = np.array([[1.0, 2.0, 9.0], [np.nan, 4.0, np.nan]])
    membership = np.array([[1, 0], [1, 0], [0, 1]], dtype=bool)
    got = pillar_means(scores, membership)
    assert got[0].tolist() == [1.5, 9.0]
    assert got[1, 0] == 4.0 and np.isnan(got[1, 1])  # no ecological score at all
    assert np.isnan(integral_sum(got)[1]) and integral_sum(got)[0] == 10.5


def test_rank_ties_share_the_better_rank():
    assert rank_descending(np.array([3.0, 9.0, 3.0, 1.0])).tolist() == [2.0, 1.0, 2.0, 4.0]
    # equal in exact arithmetic, different in floating point
    a, b = 0.1 + 0.2, 0.3
    assert rank_descending(np.array([a, b])).tolist() == [1.0, 1.0]


@pytest.mark.parametrize("value,level", [
    (1.0, "low"), (3.99, "low"), (3.9999, "low"), (4.0, "medium"), (6.99, "medium"),
    (7.0, "high"), (9.0, "high"),
])
def test_pillar_levels(value, level):
    assert level_of(np.array([value]), (4.0, 7.0))[0] == level


@pytest.mark.parametrize("value,level", [(3.0, "low"), (10.99, "low"), (11.0, "medium"),
                                         (18.99, "medium"), (19.0, "high"), (27.0, "high")])
def test_integral_levels(value, level):
    assert level_of(np.array([value]), (11.0, 19.0))[0] == level


def test_describe_against_scipy_and_hand():
    rng = np.random.default_rng(7)
    x = rng.lognormal(size=(30, 4))
    x[3, 2] = np.nan
    d = describe(x)
    for j in range(4):
        col = x[:, j][~np.isnan(x[:, j])]
        assert d["n"][j] == col.size
        assert d["mean"][j] == pytest.approx(col.mean())
        assert d["median"][j] == pytest.approx(np.median(col))
        assert d["sd"][j] == pytest.approx(col.std(ddof=1))
        assert d["skewness"][j] == pytest.approx(sps.skew(col, bias=False))
        assert d["kurtosis"][j] == pytest.approx(sps.kurtosis(col, bias=False))
    # by hand: 1, 2, 6 → mean 3, sd sqrt(7), Excel SKEW = 3/2 · (8 + 1 + 27)/(7·sqrt 7)·(1/3)...
    small = describe(np.array([[1.0], [2.0], [6.0]]))
    m, s = 3.0, np.sqrt(7.0)
    expected = 3 / (2 * 1) * sum(((v - m) / s) ** 3 for v in (1, 2, 6))
    assert small["skewness"][0] == pytest.approx(expected)
    assert np.isnan(small["kurtosis"][0])  # needs n ≥ 4


def pillars_tree(parents, n_pillars: int = 3) -> Tree:
    """Indicators in ``n_pillars`` pillars (means, levels 4/7) summed into an index (11/19)."""
    return Tree(indicator_parent=np.asarray(parents), node_parent=np.array([n_pillars] * n_pillars + [-1]),
                indicator_weight=np.ones(len(parents)), node_weight=np.ones(n_pillars + 1),
                node_level=np.array([2] * n_pillars + [3]),
                aggregation=(("arithmetic", {}),) * n_pillars + (("sum", {}),),
                bands=np.array([[4.0, 7.0]] * n_pillars + [[11.0, 19.0]]))


def test_pipeline_by_hand():
    values = np.array([[10.0, 1.0, 100.0, 7.0],
                       [20.0, 3.0, 50.0, 7.0],
                       [30.0, 2.0, 0.0, 7.0]])
    r = run_pipeline(values, np.array([1, 1, -1, 1]), pillars_tree([0, 0, 1, 2]),
                     np.array([False, False, False, False]))
    # social = mean(B1, B2): (1+1)/2, (5+9)/2, (9+5)/2 ; economic (−): 1, 5, 9 ; ecological constant
    assert r.aggregates[:, 0].tolist() == [1.0, 7.0, 7.0]
    assert r.aggregates[:, 1].tolist() == [1.0, 5.0, 9.0]
    assert r.constant.tolist() == [False, False, False, True]
    assert np.isnan(r.aggregates[:, 2]).all() and np.isnan(r.aggregates[:, 3]).all()


def test_pipeline_missing_as_zero():
    values = np.array([[np.nan, 1.0], [5.0, 2.0], [10.0, 3.0]])
    r = run_pipeline(values, np.array([1, 1]), pillars_tree([0, 1], 2), np.zeros(2, bool),
                     impute=("zero", {}))
    assert r.imputed[0, 0] and r.scores[0, 0] == 1.0 and r.scores[1, 0] == 5.0


def test_excluded_indicator_is_scored_but_not_aggregated():
    a = turaqty.assess()
    assert not a.scores["B43"].isna().any()
    values = turaqty.load_embedded().wide()
    b = turaqty.assess(profile=turaqty.get_method().replace(exclude=()))
    assert (a.indices["ecological"] != b.indices["ecological"]).any()
    assert (a.indices["social"] == b.indices["social"]).all()
    assert values.shape == (20, 52)


def test_embedded_assessment_hand_check_one_region():
    """Akmola's ecological index under the default profile, recomputed here step by step."""
    values = turaqty.load_embedded().wide()
    fw = turaqty.load_framework()
    codes = [c for c in values.columns if fw.pillar_of[c] == "ecological" and c != "B43"]
    total = 0.0
    for c in codes:
        col = values[c].dropna()
        x = values.loc["akmola", c]
        frac = (x - col.min()) / (col.max() - col.min())
        total += 1 + 8 * (frac if fw.by_code[c].direction > 0 else 1 - frac)
    ours = turaqty.assess().indices.set_index("unit_id").loc["akmola", "ecological"]
    assert ours == pytest.approx(total / len(codes), abs=1e-12)


def test_constant_indicator_left_out_with_warning():
    frame = turaqty.load_embedded().wide(national=True)
    frame["B5"] = 3.0
    a = turaqty.assess(frame)
    assert "B5" not in a.manifest["indicators_in_index"]
    assert a.scores["B5"].isna().all()
    w = a.warnings.set_index("code")
    assert "B5" in w.loc[["indicator_constant"], "indicator"].tolist()


def test_pillar_without_data_gets_no_value_and_no_rank():
    frame = turaqty.load_embedded().wide(national=True)[[f"B{i}" for i in range(1, 43)]]
    a = turaqty.assess(frame)
    assert a.indices["ecological"].isna().all() and a.indices["rank_integral"].isna().all()
    assert a.indices["social"].notna().all()
    assert (a.warnings["code"] == "pillar_no_score").sum() == 40  # ecological and integral × 20


def test_method_round_trip_and_validation():
    for name in turaqty.PROFILES:
        m = turaqty.get_method(name)
        assert turaqty.Method.from_dict(m.to_dict()) == m
        assert m.profile == name
    with pytest.raises(turaqty.UsageError):
        turaqty.get_method("nope")
    with pytest.raises(turaqty.UsageError):
        turaqty.Method(directions="mean")
    with pytest.raises(turaqty.UsageError):
        turaqty.Method.from_dict({"profile": "x", "colour": "red"})


def test_results_are_deterministic():
    a, b = turaqty.assess(), turaqty.assess()
    from turaqty.report.outputs import assessment_files

    fa, fb = assessment_files(a), assessment_files(b)
    for name in ("scores.csv", "indices.csv", "stats.csv", "matrix.csv", "warnings.csv"):
        assert fa[name] == fb[name]
