"""The audit's fast statistics against the reference implementations: the vectorised
pairwise correlations against one ``np.corrcoef`` per pair, and the p-values computed with
``scipy.special.stdtr`` against ``scipy.stats`` (which the report no longer imports)."""
from __future__ import annotations

import subprocess
import sys

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from turaqty.analysis.audit import MIN_PAIRS, _pairwise_r, _with_p


def _loop_r(values: np.ndarray) -> np.ndarray:
    m = values.shape[1]
    r = np.full((m, m), np.nan)
    for i in range(m):
        for j in range(m):
            ok = ~(np.isnan(values[:, i]) | np.isnan(values[:, j]))
            a, b = values[ok, i], values[ok, j]
            if ok.sum() >= MIN_PAIRS and a.std() > 0 and b.std() > 0:
                r[i, j] = np.corrcoef(a, b)[0, 1]
    return r


cells = st.one_of(st.floats(-1e4, 1e4, allow_nan=False, width=32), st.just(np.nan),
                  st.sampled_from([0.0, 1.0, 2.5]))


@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(8, 24), st.integers(1, 6)), elements=cells))
def test_vectorised_pairwise_r_equals_one_corrcoef_per_pair(values):
    r, n = _pairwise_r(values)
    expected = _loop_r(values)
    assert np.array_equal(np.isnan(r), np.isnan(expected))
    both = ~np.isnan(r) & ~np.isnan(expected)
    assert np.allclose(r[both], expected[both], atol=1e-6)
    present = ~np.isnan(values)
    assert (n == present.T.astype(int) @ present.astype(int)).all()


def test_embedded_data_pairwise_r_as_before():
    import turaqty

    values = turaqty.load_embedded().values
    r, _ = _pairwise_r(values)
    expected = _loop_r(values)
    assert np.array_equal(np.isnan(r), np.isnan(expected))
    assert np.allclose(r[~np.isnan(r)], expected[~np.isnan(expected)], atol=1e-10)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.floats(-100, 100, allow_nan=False), st.floats(-100, 100, allow_nan=False)),
                min_size=MIN_PAIRS, max_size=30))
def test_p_values_equal_scipy_stats(pairs):
    from scipy import stats

    x, y = (np.array(v) for v in zip(*pairs, strict=True))
    got = _with_p(x, y)
    if np.ptp(x) == 0 or np.ptp(y) == 0:
        assert got["pearson"] is None
        return
    pr, sr = stats.pearsonr(x, y), stats.spearmanr(x, y)
    if np.isnan(sr.statistic):
        return
    assert np.isclose(got["pearson"], pr.statistic, atol=1e-9)
    assert np.isclose(got["pearson_p"], pr.pvalue, atol=1e-7)
    assert np.isclose(got["spearman"], sr.statistic, atol=1e-9)
    assert np.isclose(got["spearman_p"], sr.pvalue, atol=1e-7)


def test_the_report_does_not_import_scipy_stats(tmp_path):
    code = ("import sys, turaqty; from turaqty.report.outputs import report_files;"
            "report_files(turaqty.assess()); print('scipy.stats' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
