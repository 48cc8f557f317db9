"""A statistical audit of any assessment, in the EU JRC's practice for composite indicators
(as COINr's ``get_stats``, ``get_corr``, ``get_cronbach``, ``get_PCA``).

Every check returns figures; a figure past its threshold becomes a **flag**
(``type``, the indicators and regions concerned, the figure, a message):

- ``low_coverage``: an indicator or a region with data for less than 80 % of its cells;
- ``small_sample``: fewer than 10 regions: correlations, alpha and importance are not judged;
- ``outlier``: |skewness| > 2 and kurtosis > 3.5 (COINr's rule), with the regions beyond
  1.5 interquartile ranges;
- ``constant`` / ``near_constant``: all values equal, or one value shared by ≥ 80 % of regions;
- ``near_duplicate``: two indicators with |Pearson r| ≥ 0.95 (raw values);
- ``negative_in_pillar``: two indicators of a pillar whose scores correlate at r ≤ −0.4;
- ``against_pillar``: an indicator whose score correlates negatively with its own pillar
  (r ≤ −0.1: a weaker correlation is no correlation);
- ``low_alpha``: Cronbach's alpha of a pillar < 0.7;
- ``importance_mismatch``: an indicator whose share of its pillar's explained variance
  (squared correlation ratio) is less than half or more than twice its nominal weight;
- ``rank_sensitive``: removing one indicator moves some region by 3 or more ranks.

Each flag has a ``severity`` (:data:`SEVERITY`: ``high`` — the index cannot be read as it
stands, ``medium`` — a choice to review, ``low`` — worth knowing), and the flags are listed
worst first.

Example
-------
>>> from turaqty.engine.assessment import assess
>>> audit = run_audit(assess())
>>> [f for f in audit["flags"] if f["type"] == "near_duplicate"][0]["indicators"]
['B43', 'B48']
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from turaqty.core.distributions import two_sided_p
from turaqty.core.pipeline import aggregate_tree
from turaqty.core.rank import rank_descending
from turaqty.engine.assessment import Assessment
from turaqty.i18n import format_number, t, worded

MIN_PAIRS = 10  # correlations on fewer complete pairs of values are not judged

THRESHOLDS = {
    "coverage": 0.8, "skewness": 2.0, "kurtosis": 3.5, "near_constant": 0.8,
    "near_duplicate": 0.95, "negative_in_pillar": -0.4, "against_pillar": -0.1, "alpha": 0.7,
    "importance_ratio": 2.0, "rank_shift": 3, "min_pairs": MIN_PAIRS,
}
# COINr's defaults: outliers |skew| > 2 and kurtosis > 3.5, collinearity |r| ≥ 0.95 (raw data)
# and r ≤ −0.4 within an aggregation group; availability 0.65 (ours stricter: 0.8). The
# others (near-constant 80 %, alpha 0.7, importance ratio 2, rank shift 3, 10 pairs) are
# this tool's own choices, recorded in every audit.json.

SEVERITY = {  # flag type → severity; the order within a severity is the order of listing
    "small_sample": "high", "low_coverage": "high", "low_coverage_region": "high",
    "constant": "high", "near_duplicate": "high", "against_pillar": "high",
    "negative_in_pillar": "medium", "rank_sensitive": "medium", "low_alpha": "medium",
    "importance_mismatch": "medium", "outlier": "medium", "near_constant": "low",
}
_ORDER = {kind: k for k, kind in enumerate(SEVERITY)}
_SEVERITY_RANK = {"high": 0, "medium": 1, "low": 2}


def worst_first(flags: list[dict]) -> list[dict]:
    """``flags`` ordered by severity (worst first), then by type, then by the size of the
    figure (largest first); stable otherwise.

    >>> [f["type"] for f in worst_first([{"type": "outlier", "severity": "medium", "figure": 3.0},
    ...                                  {"type": "constant", "severity": "high", "figure": 1.0}])]
    ['constant', 'outlier']
    """
    def key(f):
        figure = f.get("figure")
        size = abs(figure) if isinstance(figure, (int, float)) and figure == figure else 0.0
        return _SEVERITY_RANK[f["severity"]], _ORDER.get(f["type"], len(_ORDER)), -size

    return sorted(flags, key=key)


def cronbach_alpha(scores: np.ndarray) -> float:
    """Cronbach's alpha of the columns of ``scores`` (regions with a missing value dropped).

    >>> round(cronbach_alpha(np.array([[1, 2], [2, 3], [3, 5.0]])), 4)  # 2·(1 − (1 + 7/3)/(19/3)) = 18/19
    0.9474
    """
    x = scores[~np.isnan(scores).any(axis=1)]
    k = x.shape[1]
    if k < 2 or x.shape[0] < 2:
        return float("nan")
    item_var = x.var(axis=0, ddof=1).sum()
    total_var = x.sum(axis=1).var(ddof=1)
    return float(k / (k - 1) * (1 - item_var / total_var)) if total_var > 0 else float("nan")


def first_component_share(scores: np.ndarray) -> float:
    """Share of variance of the first principal component of the standardised columns.

    >>> round(first_component_share(np.array([[1, 2], [2, 4], [3, 6.0]])), 6)
    1.0
    """
    x = scores[~np.isnan(scores).any(axis=1)]
    x = x[:, x.std(axis=0, ddof=1) > 0] if x.shape[0] > 1 else x
    if x.shape[1] < 1 or x.shape[0] < 3:
        return float("nan")
    if x.shape[1] == 1:
        return 1.0
    eigen = np.linalg.eigvalsh(np.corrcoef(x, rowvar=False))
    return float(eigen[-1] / eigen.sum())


def correlation_ratio(x: np.ndarray, y: np.ndarray) -> float:
    """Squared correlation ratio of ``y`` on ``x`` (the share of ``y``'s variance that a
    smooth function of ``x`` explains), estimated by a quadratic regression; equals r² for a
    straight-line relation.

    >>> round(correlation_ratio(np.array([1, 2, 3, 4.0]), np.array([2, 4, 6, 8.0])), 6)
    1.0
    """
    ok = ~(np.isnan(x) | np.isnan(y))
    x, y = x[ok], y[ok]
    if x.size < 4 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return float("nan")
    z = (x - x.mean()) / x.std()
    design = np.column_stack([np.ones_like(z), z, z**2])
    fitted = design @ np.linalg.lstsq(design, y, rcond=None)[0]
    return float(1 - ((y - fitted) ** 2).sum() / ((y - y.mean()) ** 2).sum())


def _pairwise_r(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pearson correlations of the columns on pairwise-complete rows, and the number of
    those rows; NaN where fewer than :data:`MIN_PAIRS` or a column is constant on them.
    Vectorised: every pair's sums over its complete rows are matrix products of the
    zero-filled values and the presence mask.

    >>> x = np.array([[1, 2, np.nan], [2, 4, 1], [3, 7, 2]] * 4, dtype=float)
    >>> r, n = _pairwise_r(x)
    >>> round(float(r[0, 1]), 6) == round(float(np.corrcoef(x[:, 0], x[:, 1])[0, 1]), 6), int(n[0, 2])
    (True, 8)
    """
    present = ~np.isnan(values)
    # centre and scale each column first (r is unchanged; the sums stay well conditioned)
    count = present.sum(axis=0)
    filled = np.where(present, values, 0.0)
    mean = filled.sum(axis=0) / np.maximum(count, 1)
    centred = np.where(present, values - mean, 0.0)
    scale = np.sqrt((centred**2).sum(axis=0) / np.maximum(count, 1))
    z = centred / np.where(scale > 0, scale, 1.0)
    m = present.astype(float)
    n = m.T @ m                          # n[i, j]: rows where both i and j are present
    sx = z.T @ m                         # sx[i, j]: sum of column i over those rows
    sxx = (z * z).T @ m
    sxy = z.T @ z
    with np.errstate(invalid="ignore", divide="ignore"):
        cov = sxy - sx * sx.T / n
        var_i, var_j = sxx - sx**2 / n, (sxx - sx**2 / n).T
        tiny = 1e-12 * n
        r = np.where((var_i > tiny) & (var_j > tiny), cov / np.sqrt(var_i * var_j), np.nan)
    r = np.clip(r, -1.0, 1.0)
    r[n < MIN_PAIRS] = np.nan
    return r, n.astype(int)


def _p_values(r: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Two-sided p-values of correlations ``r`` over ``n`` ≥ 3 pairs each (Student's t with
    n − 2 degrees of freedom, as scipy.stats.pearsonr and spearmanr report); 0 where |r| = 1."""
    perfect = np.abs(r) >= 1.0
    t = np.where(perfect, 0.0, r) * np.sqrt((n - 2) / np.where(perfect, 1.0, 1 - r * r))
    return np.where(perfect, 0.0, two_sided_p(t, n - 2))


def _with_p(x: np.ndarray, y: np.ndarray) -> list[dict]:
    """Pearson and Spearman correlations of each column of ``x`` with ``y`` (complete pairs
    of that column), with p-values; None where fewer than MIN_PAIRS pairs or a constant side.

    >>> d = _with_p(np.arange(12.0)[:, None], np.arange(12.0) ** 2)[0]
    >>> round(d["pearson"], 4), d["spearman"], d["spearman_p"]
    (0.9635, 1.0, 0.0)
    """
    x = np.asarray(x, dtype=float).reshape(len(y), -1)
    ok = ~np.isnan(x) & ~np.isnan(y)[:, None]
    xs, ys = np.where(ok, x, np.nan), np.where(ok, y[:, None], np.nan)
    n = ok.sum(axis=0)
    pearson = _column_r(xs, ys, n)
    spearman = _column_r(pd.DataFrame(xs).rank().to_numpy(), pd.DataFrame(ys).rank().to_numpy(), n)
    valid = (n >= MIN_PAIRS) & ~np.isnan(pearson)
    p_pearson, p_spearman = np.full(len(n), np.nan), np.full(len(n), np.nan)
    p_pearson[valid] = _p_values(pearson[valid], n[valid])
    p_spearman[valid] = _p_values(spearman[valid], n[valid])
    none = {"pearson": None, "pearson_p": None, "spearman": None, "spearman_p": None}
    return [{"pearson": float(pearson[j]), "pearson_p": float(p_pearson[j]), "spearman": float(spearman[j]),
             "spearman_p": float(p_spearman[j])} if valid[j] else dict(none) for j in range(len(n))]


def _column_r(x: np.ndarray, y: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Pearson's r of each column pair of ``x`` and ``y`` (NaN where either is missing,
    both missing together), NaN for a constant column. Deviations are scaled to at most 1
    before they are squared, so values as small as 1e-200 do not underflow."""
    with np.errstate(invalid="ignore", divide="ignore"):
        dx = x - np.nansum(x, axis=0) / n  # means of the complete pairs (NaN when none)
        dy = y - np.nansum(y, axis=0) / n
        dx, dy = (d / np.nanmax(np.abs(d), axis=0, initial=0.0, where=~np.isnan(d)) for d in (dx, dy))
        sxx, syy = np.nansum(dx * dx, axis=0), np.nansum(dy * dy, axis=0)
        r = np.nansum(dx * dy, axis=0) / np.sqrt(sxx * syy)
    constant = (np.nanmax(x, axis=0, initial=-np.inf, where=~np.isnan(x))
                == np.nanmin(x, axis=0, initial=np.inf, where=~np.isnan(x))) \
        | (np.nanmax(y, axis=0, initial=-np.inf, where=~np.isnan(y))
           == np.nanmin(y, axis=0, initial=np.inf, where=~np.isnan(y)))
    return np.where(constant | ~np.isfinite(r), np.nan, np.clip(r, -1.0, 1.0))


def _leave_one_out(a: Assessment) -> list[dict]:
    """For each indicator in the index: how far regions' integral ranks move without it
    (the tree recomputed with :func:`~turaqty.core.pipeline.aggregate_tree`)."""
    r = a.arrays
    codes = a.dataset.indicators
    base_rank = r.ranks[:, -1]
    out: list[dict] = []
    for j, code in enumerate(codes):
        if not r.included[j]:
            continue
        without = r.included.copy()
        without[j] = False
        ranks = rank_descending(aggregate_tree(r.scores, r.tree, without, r.expected)[0][:, -1])
        shift = ranks - base_rank
        if np.isnan(shift).all():  # the indicator was its pillar's only one
            out.append({"indicator": code, "max_shift": None, "mean_abs_shift": None,
                        "region": None, "rank_before": None, "rank_after": None})
            continue
        worst = int(np.nanargmax(np.abs(shift)))
        out.append({"indicator": code, "max_shift": int(np.nanmax(np.abs(shift))),
                    "mean_abs_shift": float(np.nanmean(np.abs(shift))),
                    "region": a.dataset.units[worst], "rank_before": int(base_rank[worst]),
                    "rank_after": int(ranks[worst])})
    return out


def run_audit(a: Assessment) -> dict:
    """The audit of ``a`` as plain data (JSON-ready): flags and every figure behind them."""
    lang = a.lang
    fw = a.framework
    ds = a.dataset
    codes = list(ds.indicators)
    units = list(ds.units)
    values = ds.values
    r = a.arrays
    flags: list[dict] = []

    unit_names = dict(zip(a.indices["unit_id"], a.indices["name"], strict=True))

    def flag(kind, indicators=(), regions=(), figure=None, **params):
        names = {"indicator_names": ", ".join(f"{c} ({fw.by_code[c].name(lang)})" for c in indicators),
                 "region_names": ", ".join(unit_names[u] for u in regions)}
        shown = format_number(figure, lang, 3) if isinstance(figure, float) else figure
        flags.append({"type": kind, "severity": SEVERITY[kind],
                      "indicators": list(indicators), "regions": list(regions),
                      "figure": figure, "message": t(worded(f"audit.{kind}", a.home), lang, figure=shown,
                                                     **names, **params)})

    # coverage
    present = ~np.isnan(values)
    coverage = {"indicators": dict(zip(codes, present.mean(axis=0).round(4).tolist(), strict=True)),
                "regions": dict(zip(units, present.mean(axis=1).round(4).tolist(), strict=True))}
    for j, (c, share) in enumerate(coverage["indicators"].items()):
        if share < THRESHOLDS["coverage"]:
            flag("low_coverage", [c], figure=share, have=int(present[:, j].sum()), total=len(units),
                 percent=format_number(100 * share, lang, 0))
    for i, (u, share) in enumerate(coverage["regions"].items()):
        if share < THRESHOLDS["coverage"]:
            flag("low_coverage_region", regions=[u], figure=share, have=int(present[i].sum()),
                 total=len(codes), percent=format_number(100 * share, lang, 0))

    # distribution: outliers, constant and near-constant indicators
    stats = a.stats.set_index("indicator")
    for j, c in enumerate(codes):
        col = values[:, j]
        ok = col[~np.isnan(col)]
        if ok.size == 0:
            continue
        skew, kurt = stats.loc[c, "skewness"], stats.loc[c, "kurtosis"]
        if abs(skew) > THRESHOLDS["skewness"] and kurt > THRESHOLDS["kurtosis"]:
            q1, q3 = np.percentile(ok, [25, 75])
            fence = 1.5 * (q3 - q1)
            far = [u for u, x in zip(units, col, strict=True) if x < q1 - fence or x > q3 + fence]
            flag("outlier", [c], far, float(skew), kurtosis=format_number(kurt, lang, 2))
        if np.ptp(ok) == 0:
            flag("constant", [c], figure=float(ok[0]))
        else:
            _, n_mode = np.unique(ok, return_counts=True)
            share = n_mode.max() / ok.size
            if share >= THRESHOLDS["near_constant"]:
                flag("near_constant", [c], figure=float(share))

    # correlations between indicators
    raw_r, pairs = _pairwise_r(values)
    score_r, _ = _pairwise_r(r.scores)
    if len(units) < MIN_PAIRS:
        flag("small_sample", regions=units, figure=len(units), n=MIN_PAIRS)
    for i in range(len(codes)):
        for j in range(i + 1, len(codes)):
            if abs(raw_r[i, j]) >= THRESHOLDS["near_duplicate"]:
                flag("near_duplicate", [codes[i], codes[j]], figure=float(raw_r[i, j]),
                     n=int(pairs[i, j]))
            same_pillar = fw.pillar_of[codes[i]] == fw.pillar_of[codes[j]]
            if same_pillar and r.included[i] and r.included[j] \
                    and score_r[i, j] <= THRESHOLDS["negative_in_pillar"]:
                flag("negative_in_pillar", [codes[i], codes[j]], figure=float(score_r[i, j]),
                     n=int(pairs[i, j]))

    # each indicator against its pillar and the integral index; importance
    pillars = dict(zip(fw.pillars, a.pillar_values.T, strict=True))
    correlations, importance = [], []
    for p in fw.pillars:
        members = [j for j, c in enumerate(codes) if fw.pillar_of[c] == p and r.included[j]]
        eta = {j: correlation_ratio(r.scores[:, j], pillars[p]) for j in members}
        total = np.nansum(list(eta.values()))
        to_pillar = _with_p(r.scores[:, members], pillars[p])
        to_root = _with_p(r.scores[:, members], r.aggregates[:, -1])
        for j, with_pillar, with_root in zip(members, to_pillar, to_root, strict=True):
            c = codes[j]
            correlations.append({"indicator": c, "pillar": p, "with_pillar": with_pillar,
                                 "with_integral": with_root})
            if with_pillar["pearson"] is not None \
                    and with_pillar["pearson"] <= THRESHOLDS["against_pillar"]:
                flag("against_pillar", [c], figure=with_pillar["pearson"],
                     pillar=fw.pillar_name(p, lang).lower())
            share = eta[j] / total if total > 0 and not np.isnan(eta[j]) else float("nan")
            nominal = 1 / len(members)
            ratio = share / nominal if not np.isnan(share) else float("nan")
            importance.append({"indicator": c, "pillar": p, "correlation_ratio": eta[j],
                               "importance_share": share, "nominal_weight": nominal,
                               "ratio": ratio})
            if len(units) >= MIN_PAIRS and not np.isnan(ratio) and (ratio > THRESHOLDS["importance_ratio"]
                                        or ratio < 1 / THRESHOLDS["importance_ratio"]):
                flag("importance_mismatch", [c], figure=float(ratio),
                     pillar=fw.pillar_name(p, lang).lower())

    # internal consistency and dimensionality of each pillar
    pillar_stats = {}
    for p in fw.pillars:
        members = [j for j, c in enumerate(codes) if fw.pillar_of[c] == p and r.included[j]]
        block = r.scores[:, members]
        alpha = cronbach_alpha(block)
        pillar_stats[p] = {"indicators": len(members), "cronbach_alpha": alpha,
                           "first_component_share": first_component_share(block),
                           "complete_regions": int((~np.isnan(block).any(axis=1)).sum())}
        if len(units) >= MIN_PAIRS and not np.isnan(alpha) and alpha < THRESHOLDS["alpha"]:
            flag("low_alpha", [codes[j] for j in members], figure=alpha,
                 pillar=fw.pillar_name(p, lang).lower())

    loo = _leave_one_out(a)
    for row in loo:
        if row["max_shift"] is not None and row["max_shift"] >= THRESHOLDS["rank_shift"]:
            flag("rank_sensitive", [row["indicator"]], [row["region"]], row["max_shift"],
                 before=row["rank_before"], after=row["rank_after"])

    return {
        "data": a.manifest["inputs"]["data"], "method": a.method.to_dict(),
        "thresholds": THRESHOLDS, "flags": worst_first(flags), "coverage": coverage,
        "pillars": pillar_stats, "correlations": correlations, "importance": importance,
        "leave_one_out": loo,
        "near_duplicates": _correlation_pairs(codes, raw_r),
    }


def _correlation_pairs(codes: list[str], r: np.ndarray) -> list[dict]:
    pairs = [{"indicators": [codes[i], codes[j]], "pearson": float(r[i, j])}
             for i in range(len(codes)) for j in range(i + 1, len(codes))
             if not np.isnan(r[i, j]) and abs(r[i, j]) >= 0.8]
    return sorted(pairs, key=lambda p: -abs(p["pearson"]))


def audit_tables(audit: dict) -> dict[str, pd.DataFrame]:
    """The audit's figures as tables (for reports)."""
    corr = pd.DataFrame([{"indicator": c["indicator"], "pillar": c["pillar"],
                          **{f"{k}_pillar": v for k, v in c["with_pillar"].items()},
                          **{f"{k}_integral": v for k, v in c["with_integral"].items()}}
                         for c in audit["correlations"]])
    return {
        "flags": pd.DataFrame(audit["flags"], columns=["severity", "type", "indicators", "regions",
                                                      "figure", "message"]),
        "pillars": pd.DataFrame(audit["pillars"]).T.reset_index(names="pillar"),
        "correlations": corr,
        "importance": pd.DataFrame(audit["importance"]),
        "leave_one_out": pd.DataFrame(audit["leave_one_out"]),
    }
