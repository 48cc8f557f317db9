"""Invariants of the method, checked on generated data (hypothesis)."""
from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import turaqty
from tests.test_core import pillars_tree
from turaqty.core.normalise import normalise_minmax
from turaqty.core.pipeline import run_pipeline

finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)
matrices = st.integers(2, 25).flatmap(
    lambda n: st.integers(1, 8).flatmap(lambda m: arrays(np.float64, (n, m), elements=finite)))
EMBEDDED = turaqty.load_embedded().wide(national=True)


@given(matrices, st.data())
@settings(max_examples=200, deadline=None)
def test_scores_within_scale(values, data):
    directions = np.array(data.draw(st.lists(st.sampled_from([1, -1]), min_size=values.shape[1],
                                             max_size=values.shape[1])))
    scores, lo, hi = normalise_minmax(values, directions)
    ok = ~np.isnan(scores)
    assert (scores[ok] >= 1 - 1e-9).all() and (scores[ok] <= 9 + 1e-9).all()
    varying = hi > lo
    # the best region scores 9 and the worst 1 in every varying column
    assert np.allclose(np.nanmax(scores[:, varying], axis=0), 9)
    assert np.allclose(np.nanmin(scores[:, varying], axis=0), 1)


@given(matrices)
@settings(max_examples=100, deadline=None)
def test_reversing_direction_mirrors_scores(values):
    up = normalise_minmax(values, np.ones(values.shape[1]))[0]
    down = normalise_minmax(values, -np.ones(values.shape[1]))[0]
    ok = ~np.isnan(up)
    assert np.allclose(up[ok] + down[ok], 10)


@given(matrices, st.floats(1e-3, 1e3), st.floats(-1e3, 1e3))
@settings(max_examples=100, deadline=None)
def test_rescaling_units_keeps_scores(values, factor, shift):
    """A change of unit (×factor, +shift: tenge → thousand tenge, °C → K) changes nothing."""
    directions = np.ones(values.shape[1])
    before = normalise_minmax(values, directions)[0]
    after = normalise_minmax(values * factor + shift, directions)[0]
    spread = np.ptp(values, axis=0)
    keep = spread > 1e-3 * np.maximum(1, np.abs(values).max(axis=0))  # well-conditioned columns
    assert np.allclose(before[:, keep], after[:, keep], atol=1e-6)


@given(st.permutations(list(range(20))))
@settings(max_examples=25, deadline=None)
def test_row_order_does_not_change_results(order):
    shuffled = EMBEDDED.iloc[order + [20]]
    a = turaqty.assess(shuffled).indices.set_index("unit_id").sort_index()
    b = turaqty.assess().indices.set_index("unit_id").sort_index()
    pd.testing.assert_frame_equal(a, b)


@given(st.permutations(list(EMBEDDED.columns)))
@settings(max_examples=15, deadline=None)
def test_column_order_does_not_change_indices(columns):
    a = turaqty.assess(EMBEDDED[columns]).indices
    b = turaqty.assess().indices
    pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-12)


@given(st.sampled_from(list(EMBEDDED.columns)), st.floats(1e-3, 1e4))
@settings(max_examples=30, deadline=None)
def test_unit_change_of_one_indicator_keeps_scores(code, factor):
    # a Dataset, not a frame: a share times 11 is no plausible file (see plausibility.csv)
    ds = turaqty.load_embedded()
    values = ds.values.copy()
    values[:, ds.indicators.index(code)] *= factor
    a = turaqty.assess(dataclasses.replace(ds, values=values))
    b = turaqty.assess()
    assert np.allclose(a.scores[code], b.scores[code], equal_nan=True)
    assert np.allclose(a.indices["integral"], b.indices["integral"])


@given(matrices, st.data())
@settings(max_examples=100, deadline=None)
def test_indices_within_bounds_and_ranks_consistent(values, data):
    m = values.shape[1]
    pillar_of = np.array(data.draw(st.lists(st.integers(0, 2), min_size=m, max_size=m)))
    r = run_pipeline(values, np.ones(m), pillars_tree(pillar_of), np.zeros(m, bool))
    integral = r.aggregates[:, -1]
    ok = ~np.isnan(integral)
    assert ((integral[ok] >= 3 - 1e-9) & (integral[ok] <= 27 + 1e-9)).all()
    for k in range(4):
        col = r.aggregates[:, k]
        ranks = r.ranks[:, k]
        valid = ~np.isnan(col)
        if valid.sum() > 1:
            order = np.argsort(-col[valid], kind="stable")
            assert (np.diff(ranks[valid][order]) >= 0).all()  # higher value, better rank
            assert ranks[valid].min() == 1
