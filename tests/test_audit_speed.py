"""The audit's fast statistics against the reference implementations: the vectorised
pairwise correlations against one ``np.corrcoef`` per pair, and the p-values (Student's t
summed in closed form, :mod:`turaqty.core.distributions`) against ``scipy.stats`` and
``scipy.special.stdtr``, neither of which the report imports."""
from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from turaqty.analysis.audit import MIN_PAIRS, _pairwise_r, _with_p
from turaqty.core.distributions import two_sided_p


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
@given(arrays(np.float64, st.tuples(st.integers(MIN_PAIRS, 30), st.integers(1, 4)),
              elements=st.one_of(st.floats(-100, 100, allow_nan=False), st.just(np.nan))),
       st.lists(st.floats(-100, 100, allow_nan=False), min_size=30, max_size=30))
def test_p_values_equal_scipy_stats_column_by_column(x, y_values):
    # each column of x against y on its own complete pairs, as scipy.stats on those pairs
    from scipy import stats

    y = np.array(y_values[: len(x)])
    got = _with_p(x, y)
    for j, g in enumerate(got):
        ok = ~np.isnan(x[:, j])
        a, b = x[ok, j], y[ok]
        if ok.sum() < MIN_PAIRS or np.ptp(a) == 0 or np.ptp(b) == 0:
            assert g["pearson"] is None
            continue
        pr, sr = stats.pearsonr(a, b), stats.spearmanr(a, b)
        if np.isnan(sr.statistic) or abs(pr.statistic) > 1 - 1e-12:
            continue
        assert np.isclose(g["pearson"], pr.statistic, atol=1e-9)
        assert np.isclose(g["pearson_p"], pr.pvalue, atol=1e-7)
        assert np.isclose(g["spearman"], sr.statistic, atol=1e-9)
        assert np.isclose(g["spearman_p"], sr.pvalue, atol=1e-7)


def test_the_report_does_not_import_scipy(tmp_path):
    code = ("import sys, turaqty; from turaqty.report.outputs import report_files;"
            "report_files(turaqty.assess()); print(sorted(m for m in sys.modules if m.startswith('scipy')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


@settings(max_examples=80, deadline=None)
@given(st.integers(1, 400), st.lists(st.floats(-60, 60, allow_nan=False), min_size=1, max_size=20))
def test_t_distribution_equals_scipy_stdtr(df, values):
    from scipy.special import stdtr

    t = np.array(values)
    expected = 2 * stdtr(df, -np.abs(t))
    # scipy loses digits near p = 1 for one degree of freedom; the closed form does not
    assert np.allclose(two_sided_p(t, df), expected, rtol=1e-9, atol=1e-8 if df == 1 else 1e-13)


def test_t_distribution_by_hand():
    # ν = 3: A = 2/π (θ + sinθ cosθ), θ = arctan(t/√3); t = √3 → θ = π/4, A = 1/2 + 1/π
    assert two_sided_p(np.array(np.sqrt(3)), 3) == pytest.approx(0.5 - 1 / np.pi, abs=1e-15)
    # ν = 4: A = sinθ (1 + cos²θ/2); t = 2 → θ = π/4, A = (1 + 1/4)/√2
    assert two_sided_p(np.array(2.0), 4) == pytest.approx(1 - 1.25 / np.sqrt(2), abs=1e-15)
    assert np.isnan(two_sided_p(np.array(np.nan), 7))
    with pytest.raises(ValueError):
        two_sided_p(np.array(1.0), 0)
