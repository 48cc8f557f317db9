"""The numeric step registries: hand-computed cases, properties, replay and bad parameters."""
from __future__ import annotations

import numpy as np
import pytest
import scipy.stats as sps
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from turaqty.core import aggregate, denominate, impute, normalise, treat
from turaqty.core.pipeline import STEPS
from turaqty.core.registry import ParameterError, call, check_params, parameter_names
from turaqty.core.stats import describe

REGISTRIES = STEPS

finite = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)
cell = st.one_of(finite, st.just(np.nan))


def matrices(min_rows=2, max_rows=12, max_cols=5, elements=cell):
    shapes = st.tuples(st.integers(min_rows, max_rows), st.integers(1, max_cols))
    return shapes.flatmap(lambda s: arrays(np.float64, s, elements=elements))


# --- the registry contract ------------------------------------------------------------------

def test_every_step_function_takes_keyword_parameters_only():
    for registry in REGISTRIES.values():
        for name, function in registry.items():
            assert parameter_names(function) == [
                p for p in function.__code__.co_varnames[1:function.__code__.co_argcount
                                                         + function.__code__.co_kwonlyargcount]
            ], name
            assert function.__code__.co_argcount == 1, name  # only the data is positional


def test_unknown_method_and_parameter_are_named():
    with pytest.raises(ParameterError, match="'robust' is not one of: none, minmax"):
        check_params(normalise.NORMALISATION, "robust", {})
    with pytest.raises(ParameterError, match="bounds: .* is not a parameter of 'minmax'"):
        check_params(normalise.NORMALISATION, "minmax", {"bounds": (0, 1)})
    with pytest.raises(ParameterError, match="winmax: 2.5 is not an integer"):
        treat.winsorise(np.ones((4, 1)), winmax=2.5)
    with pytest.raises(ParameterError, match="directions: .* may only hold"):
        normalise.minmax(np.ones((2, 1)), directions=[2])
    with pytest.raises(ParameterError, match="scale: .* two different"):
        normalise.minmax(np.ones((2, 1)), scale=(1, 1))
    with pytest.raises(ParameterError, match="weights: .* finite numbers ≥ 0"):
        aggregate.arithmetic(np.ones((1, 2)), membership=[[1], [1]], weights=[1, -1])
    with pytest.raises(ParameterError, match="membership: .* one row per child"):
        aggregate.arithmetic(np.ones((1, 2)), membership=[[1]])
    with pytest.raises(ParameterError, match="groups: .* one group number"):
        impute.group_mean(np.ones((3, 1)), groups=["a", "b", "a"])
    with pytest.raises(ParameterError, match="by: .* column numbers 0…0"):
        denominate.divide(np.ones((2, 1)), denominators=np.ones((2, 1)), by=[1])
    with pytest.raises(ParameterError, match="p: 0.0 must not be 0"):
        aggregate.generalised(np.ones((1, 1)), membership=[[1]], p=0)
    with pytest.raises(ParameterError, match="upper, log_min and log_max come together"):
        treat.winsorise(np.ones((4, 1)), lower=[0.0])


STEP_PARAMS = {
    ("denominate", "divide"): lambda x: {"denominators": np.abs(x[:, :1]) + 1.0,
                                         "by": [0] * x.shape[1], "scale": 10.0},
    ("impute", "group_mean"): lambda x: {"groups": np.arange(x.shape[0]) % 2},
    ("impute", "group_median"): lambda x: {"groups": np.arange(x.shape[0]) % 3 - 1},
    ("normalise", "goalposts"): lambda x: {"lower": -10.0, "upper": 10.0},
    ("normalise", "distance_to_target"): lambda x: {"target": 5.0},
    ("aggregate", "arithmetic"): lambda x: {"membership": np.eye(x.shape[1], 2, dtype=bool)},
    ("aggregate", "sum"): lambda x: {"membership": np.ones((x.shape[1], 1))},
    ("aggregate", "generalised"): lambda x: {"membership": np.ones((x.shape[1], 1)), "p": 2.0},
}


@settings(max_examples=40, deadline=None)
@given(matrices())
def test_every_method_replays_from_the_parameters_it_used(x):
    for step, registry in REGISTRIES.items():
        for name in registry:
            if step == "aggregate" and name in ("geometric", "harmonic"):
                continue  # need positive data: covered below
            params = STEP_PARAMS.get((step, name), lambda _: {})(x)
            first = call(registry, name, x, params)
            again = call(registry, name, x, first.params)
            np.testing.assert_array_equal(again.values, first.values, err_msg=f"{step}.{name}")
            assert set(first.params) <= set(parameter_names(registry[name])), (step, name)


# --- denominate -----------------------------------------------------------------------------

def test_divide_by_a_denominator_with_a_scale_factor():
    x = np.array([[10.0, 3.0, 8.0], [20.0, 4.0, np.nan]])
    denoms = np.array([[2.0, 100.0], [0.0, 50.0]])
    r = denominate.divide(x, denominators=denoms, by=[1, -1, 0], scale=[1000.0, 1.0, 1.0])
    assert r.values.tolist()[0] == [100.0, 3.0, 4.0]  # 10/(100/1000), 3 untouched, 8/2
    assert r.values[1, 0] == 400.0 and r.values[1, 1] == 4.0
    assert np.isnan(r.values[1, 2])  # missing stays missing (and 0 denominator gives NaN)
    assert np.isnan(denominate.divide([[1.0]], denominators=[[0.0]], by=[0]).values[0, 0])


# --- impute ---------------------------------------------------------------------------------

@settings(max_examples=60, deadline=None)
@given(matrices(min_rows=1), st.data())
def test_zero_imputation_is_the_pipelines_printed_rule(x, data):
    m = x.shape[1]
    directions = np.array(data.draw(st.lists(st.sampled_from([-1, 1]), min_size=m, max_size=m)))
    ours = impute.zero(x, directions=directions)
    # the rule of the 0.1 pipeline, transcribed: a missing value of a "higher is better"
    # column that has some value counts as 0; every other cell stays as it is
    missing = np.isnan(x)
    rule = missing & ~missing.all(axis=0) & (directions > 0)[None, :]
    np.testing.assert_array_equal(ours.values, np.where(rule, 0.0, x))
    np.testing.assert_array_equal(ours.details["imputed"], rule)


def test_group_mean_and_median_by_hand():
    x = np.array([[1.0, np.nan], [np.nan, 2.0], [4.0, np.nan],
                  [np.nan, np.nan], [10.0, np.nan], [np.nan, 5.0]])
    groups = np.array([0, 0, 0, 1, 1, -1])
    r = impute.group_mean(x, groups=groups)
    # group 0: mean 2.5 and 2; group 1: 10 and nothing (stays missing); −1: not imputed
    assert r.values[1, 0] == 2.5 and r.values[0, 1] == 2.0 and r.values[2, 1] == 2.0
    assert r.values[3, 0] == 10.0 and np.isnan(r.values[3, 1]) and np.isnan(r.values[4, 1])
    assert r.details["imputed"].sum() == 4
    assert r.params["fill"].tolist()[0] == [2.5, 2.0]
    med = impute.group_median(np.array([[1.0], [2.0], [9.0], [np.nan]]), groups=[0, 0, 0, 0])
    assert med.values[3, 0] == 2.0


def test_mean_and_median_match_numpy():
    x = np.array([[1.0, 2.0], [np.nan, 4.0], [7.0, np.nan], [4.0, 30.0]])
    assert impute.mean(x).values[1, 0] == 4.0 and impute.mean(x).values[2, 1] == 12.0
    assert impute.median(x).values[2, 1] == 4.0
    assert np.isnan(impute.mean(np.full((2, 1), np.nan)).values).all()


# --- treat ----------------------------------------------------------------------------------

def coinr_treat_one(x: np.ndarray, winmax: int) -> tuple[np.ndarray, list[str], bool]:
    """A line-by-line transcription of COINr 1.1's Treat.numeric(winsorise, log_CT) for one
    column, to check the vectorised version against (R's NA logic written out)."""

    def check(v):
        d = describe(v[:, None])
        s, k = d["skewness"][0], d["kurtosis"][0]
        a = None if np.isnan(s) else bool(abs(s) < 2.0)
        b = None if np.isnan(k) else bool(k < 3.5)
        if a is True or b is True:
            return True
        if a is None or b is None:
            return None
        return False

    passing = check(x)
    if passing is None or passing:
        return x, [""] * len(x), False
    v = x.copy()
    imax, imin, nwin = [], [], 0
    while passing is False and nwin < winmax:
        if describe(v[:, None])["skewness"][0] >= 0:
            top = np.nanmax(v)
            imax = [i for i in range(len(v)) if v[i] == top]
            v[imax] = np.nanmax(np.delete(v, imax))
        else:
            bottom = np.nanmin(v)
            imin = [i for i in range(len(v)) if v[i] == bottom]
            v[imin] = np.nanmin(np.delete(v, imin))
        nwin = len(imax) + len(imin)
        passing = check(v)
        if passing is None and nwin < winmax:
            return x, [""] * len(x), False  # R: NA in while() is an error → untreated
    if passing is None:
        return x, [""] * len(x), False
    if passing is False:
        low, high = np.nanmin(x), np.nanmax(x)
        return np.log(x - low + 0.01 * (high - low)), [""] * len(x), True
    flags = [""] * len(x)
    for i in imax:
        flags[i] = "winhi"
    for i in imin:
        flags[i] = "winlo"
    return v, flags, False


heavy = st.one_of(st.floats(0, 10, allow_nan=False), st.floats(50, 1e4, allow_nan=False),
                  st.sampled_from([-500.0, 1e5, 3.0]), st.just(np.nan))


@settings(max_examples=150, deadline=None)
@given(matrices(min_rows=3, max_rows=30, max_cols=4, elements=heavy), st.integers(0, 6))
def test_winsorise_matches_a_transcription_of_coinr(x, winmax):
    # column by column: a sum's rounding depends on the array's shape, and a column whose
    # skewness is exactly at the threshold (e.g. 0, 50, 50, 50: −2) may fall either side
    for j in range(x.shape[1]):
        r = treat.winsorise(x[:, [j]], winmax=winmax)
        values, flags, logged = coinr_treat_one(x[:, j].copy(), winmax)
        np.testing.assert_allclose(r.values[:, 0], values, rtol=1e-12, atol=1e-9,
                                   equal_nan=True)
        assert r.details["logged"][0] == logged
        expected = [1 if f == "winhi" else -1 if f == "winlo" else 0 for f in flags]
        assert r.details["winsorised"][:, 0].tolist() == expected


def test_winsorise_ties_and_untreatable_columns():
    tied = np.array([*range(1, 19), 200.0, 200.0])[:, None]
    r = treat.winsorise(tied, winmax=5)
    assert r.details["count"].tolist() == [2]  # both tied maxima in one step
    assert r.values[-1, 0] == r.values[-2, 0] == 18.0
    assert r.params["upper"].tolist() == [18.0] and np.isnan(r.params["lower"]).all()
    short = np.array([[1.0], [1.0], [50.0]])  # kurtosis needs 4 values: untreated
    assert (treat.winsorise(short).values == short).all()
    assert not treat.winsorise(np.ones((6, 1))).details["logged"].any()  # constant column


def test_winsorise_falls_back_to_log_or_not():
    x = np.array([*np.zeros(15), 1.0, 2.0, 3.0, 1000.0, 5000.0])[:, None]
    logged = treat.winsorise(x, winmax=1)
    assert logged.details["logged"].tolist() == [True]
    np.testing.assert_allclose(logged.values[:, 0], np.log(x[:, 0] + 50.0))  # 0.01·5000
    kept = treat.winsorise(x, winmax=1, fallback="none")
    assert not kept.details["logged"].any() and kept.values[-1, 0] == 1000.0


# --- normalise ------------------------------------------------------------------------------

directions_and_scale = st.tuples(st.sampled_from([-1, 1]),
                                 st.tuples(finite, finite).filter(lambda s: s[0] != s[1]))


@settings(max_examples=80, deadline=None)
@given(matrices(), directions_and_scale)
def test_minmax_lies_in_the_scale_and_follows_the_direction(x, ds):
    direction, (a, b) = ds
    r = normalise.minmax(x, directions=direction, scale=(a, b))
    s = r.values
    lo, hi = min(a, b), max(a, b)
    tol = 1e-9 * max(1.0, abs(a), abs(b))
    assert (s[~np.isnan(s)] >= lo - tol).all() and (s[~np.isnan(s)] <= hi + tol).all()
    for j in range(x.shape[1]):
        ok = ~np.isnan(x[:, j])
        if r.details["constant"][j]:
            assert np.isnan(s[:, j]).all()
            continue
        order = np.argsort(x[ok, j], kind="stable")
        scores = s[ok, j][order] * direction * np.sign(b - a)
        assert (np.diff(scores) >= -tol).all()  # monotone, in the direction


def test_minmax_with_given_bounds_and_clipping():
    x = np.array([[-5.0, 0.0], [5.0, 20.0]])
    r = normalise.minmax(x, lower=[0.0, 0.0], upper=[10.0, 10.0], scale=(1, 9))
    assert r.values.tolist() == [[-3.0, 9.0], [5.0, -7.0]] or r.values[0, 0] == -3.0
    clipped = normalise.minmax(x, directions=[1, -1], lower=[0.0, 0.0], upper=[10.0, 10.0],
                               scale=(1, 9), clip=True)
    assert clipped.values.tolist() == [[1.0, 9.0], [5.0, 1.0]]


def test_goalposts_direction_and_clipping_by_hand():
    x = np.array([[0.0, 0.0], [25.0, 25.0], [150.0, 150.0]])
    r = normalise.goalposts(x, lower=[0.0, 0.0], upper=[100.0, 100.0], directions=[1, -1])
    assert r.values.tolist() == [[0.0, 100.0], [25.0, 75.0], [100.0, 0.0]]
    free = normalise.goalposts(x, lower=0.0, upper=100.0, clip=False)
    assert free.values[2, 0] == 150.0


def test_zscore_ranks_percentiles_and_distance_by_hand():
    x = np.array([[2.0], [4.0], [4.0], [6.0], [np.nan]])
    z = normalise.zscore(x, directions=-1, scale=(0, 1)).values.ravel()
    np.testing.assert_allclose(z[:4], [np.sqrt(1.5), 0.0, 0.0, -np.sqrt(1.5)])  # sd = √(8/3)
    assert normalise.rank(x).values.ravel().tolist()[:4] == [1.0, 2.0, 2.0, 4.0]
    assert normalise.rank(x, ties="average").values.ravel().tolist()[:4] == [1.0, 2.5, 2.5, 4.0]
    assert normalise.rank(x, directions=-1, ties="max").values.ravel().tolist()[:4] == \
        [4.0, 3.0, 3.0, 1.0]
    assert normalise.percentile(x, scale=(0, 1)).values.ravel().tolist()[:4] == \
        [0.0, 1 / 3, 1 / 3, 1.0]
    d = normalise.distance_to_target(x, target=5.0, scale=(0, 1)).values.ravel()
    assert d[:4].tolist() == [0.0, 2 / 3, 2 / 3, 1.0]  # (x − 2)/(5 − 2), capped at 1


@settings(max_examples=60, deadline=None)
@given(matrices(min_rows=1, max_rows=25, elements=st.one_of(st.integers(-3, 3).map(float),
                                                              st.just(np.nan))),
       st.sampled_from(normalise.TIES))
def test_ranks_match_scipy(x, ties):
    ours = normalise.ranks(x, ties)
    for j in range(x.shape[1]):
        ok = ~np.isnan(x[:, j])
        if ok.any():
            np.testing.assert_array_equal(ours[ok, j], sps.rankdata(x[ok, j], method=ties))
        assert np.isnan(ours[~ok, j]).all()


# --- aggregate ------------------------------------------------------------------------------

positive = st.floats(0.01, 1e4, allow_nan=False)
MEANS = [("arithmetic", {}), ("geometric", {}), ("harmonic", {}), ("generalised", {"p": 2.5}),
         ("generalised", {"p": -1.5})]


@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(1, 6), st.just(1)), elements=positive),
       st.integers(1, 5), st.lists(st.floats(0.1, 10), min_size=5, max_size=5))
def test_equal_children_give_the_child_value(column, k, weights):
    x = np.repeat(column, k, axis=1)
    for name, extra in MEANS:
        r = call(aggregate.AGGREGATION, name, x,
                 {"membership": np.ones((k, 1)), "weights": weights[:k], **extra})
        np.testing.assert_allclose(r.values[:, 0], column[:, 0], rtol=1e-12)


@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(1, 6), st.integers(1, 6)),
              elements=st.one_of(positive, st.just(np.nan))),
       st.floats(0.01, 100), st.data())
def test_weights_scale_free_and_means_ordered(x, factor, data):
    m = x.shape[1]
    w = np.array(data.draw(st.lists(st.floats(0.1, 10), min_size=m, max_size=m)))
    member = np.ones((m, 1))
    results = {}
    for name, extra in MEANS:
        r = call(aggregate.AGGREGATION, name, x, {"membership": member, "weights": w, **extra})
        scaled = call(aggregate.AGGREGATION, name, x,
                      {"membership": member, "weights": w * factor, **extra})
        np.testing.assert_allclose(scaled.values, r.values, rtol=1e-9, equal_nan=True)
        results[(name, extra.get("p"))] = r.values[:, 0]
    ok = ~np.isnan(results[("arithmetic", None)])
    assume(ok.any())
    h, g, a = (results[(n, None)][ok] for n in ("harmonic", "geometric", "arithmetic"))
    assert (h <= g * (1 + 1e-9)).all() and (g <= a * (1 + 1e-9)).all()  # HM ≤ GM ≤ AM
    assert (a <= results[("generalised", 2.5)][ok] * (1 + 1e-9)).all()


def test_generalised_mean_limits():
    x = np.array([[1.0, 4.0, 16.0]])
    member = np.ones((3, 1))
    arith = aggregate.arithmetic(x, membership=member).values
    harm = aggregate.harmonic(x, membership=member).values
    np.testing.assert_allclose(aggregate.generalised(x, membership=member, p=1).values, arith)
    np.testing.assert_allclose(aggregate.generalised(x, membership=member, p=-1).values, harm)
    assert aggregate.geometric(x, membership=member).values[0, 0] == pytest.approx(4.0)


def test_availability_threshold_by_count_and_by_weight():
    x = np.array([[10.0, np.nan, np.nan, 40.0]])
    member = np.ones((4, 1))
    w = [1.0, 1.0, 1.0, 7.0]
    mean = aggregate.arithmetic(x, membership=member, weights=w)
    assert mean.values[0, 0] == 36.25  # (10 + 7·40)/8: weights renormalised over the present
    assert mean.details["share"][0, 0] == 0.5
    assert aggregate.arithmetic(x, membership=member, weights=w,
                                min_share=0.5).values[0, 0] == 36.25
    assert np.isnan(aggregate.arithmetic(x, membership=member, weights=w,
                                         min_share=0.6).values[0, 0])
    by_weight = aggregate.arithmetic(x, membership=member, weights=w, min_share=0.6,
                                     share_by="weight")  # 8 of 10 weight present
    assert by_weight.values[0, 0] == 36.25 and by_weight.details["share"][0, 0] == 0.8
    assert np.isnan(aggregate.arithmetic(np.full((1, 4), np.nan), membership=member).values).all()


def test_means_refuse_values_they_cannot_take():
    member = np.ones((2, 1))
    with pytest.raises(ParameterError, match=r"unit 0, child 1.*values > 0"):
        aggregate.geometric(np.array([[1.0, 0.0]]), membership=member)
    with pytest.raises(ParameterError, match="values ≠ 0"):
        aggregate.harmonic(np.array([[1.0, 0.0]]), membership=member)
    # a value outside the node does not matter
    ok = aggregate.geometric(np.array([[4.0, -1.0]]), membership=np.array([[1], [0]]))
    assert ok.values[0, 0] == 4.0


def test_a_whole_level_in_one_call_with_shared_children():
    x = np.array([[1.0, 2.0, 3.0, 4.0]])
    membership = np.array([[1, 0, 1], [1, 0, 1], [0, 1, 1], [0, 1, 1]], bool)
    r = aggregate.arithmetic(x, membership=membership, weights=[1, 3, 1, 1])
    assert r.values.tolist() == [[1.75, 3.5, 14 / 6]]  # (1 + 6)/4, (3 + 4)/2, (1 + 6 + 3 + 4)/6


# --- stats ----------------------------------------------------------------------------------

@settings(max_examples=40, deadline=None)
@given(matrices(min_rows=1, max_rows=20, elements=st.one_of(st.floats(-100, 100),
                                                              st.just(np.nan))))
def test_describe_matches_numpy_and_scipy(x):
    d = describe(x)
    for j in range(x.shape[1]):
        col = x[~np.isnan(x[:, j]), j]
        assert d["n"][j] == col.size
        if col.size == 0:
            assert np.isnan([d[k][j] for k in ("min", "max", "mean", "median")]).all()
            continue
        assert d["min"][j] == col.min() and d["max"][j] == col.max()
        assert d["median"][j] == pytest.approx(np.median(col))
        assert d["mean"][j] == pytest.approx(col.mean(), abs=1e-9)
        spread = col.std()
        if col.size >= 4 and spread > 1e-3:
            assert d["skewness"][j] == pytest.approx(sps.skew(col, bias=False), abs=1e-6)
            assert d["kurtosis"][j] == pytest.approx(sps.kurtosis(col, bias=False), abs=1e-6)
