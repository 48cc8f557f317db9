"""The vectorised engine of a robustness run: many replications of an assessment in array
passes (replications × units × indicators), each with its own weights, exclusions,
normalisation, imputation, directions, normalisation parameters (the year's or pooled over a
panel's years: min–max bounds, z-score means and sds, distance-to-target worst values) and
aggregation.

The scores of each (normalisation, imputation, directions, bounds) combination are computed once,
by the engine's own :func:`~turaqty.core.pipeline.run_pipeline`; a replication gathers its
combination's scores and aggregates them up the tree with its weights, level by level, in
batched matrix products; ranks follow the engine's rule (values rounded to 9 decimals,
equal values share the better rank). One replication equals ``assess`` with the method
:meth:`~turaqty.analysis.factors.Factors.method` gives it (tests/test_robustness.py).

Example
-------
>>> from turaqty.engine.assessment import assess
>>> from turaqty.analysis.factors import default_factors
>>> a = assess()
>>> f = default_factors(a)
>>> engine = Replicator(a, f)
>>> values = engine.values(f.nominal(3))
>>> bool(np.allclose(values, a.arrays.aggregates[:, -1], rtol=0, atol=1e-12))
True
>>> batch_ranks(values)[0].tolist() == a.arrays.ranks[:, -1].tolist()
True
"""
from __future__ import annotations

import itertools
from collections.abc import Callable

import numpy as np

from turaqty.analysis.factors import Factors, Settings
from turaqty.core.registry import ParameterError
from turaqty.errors import Problem, UsageError


class Replicator:
    """The precomputed parts of a run: scores per combination of choices, the tree, its aggregations."""

    def __init__(self, assessment, factors: Factors):
        from turaqty.engine.assessment import method_pipeline, tree_of

        a, fw, ds, method = assessment, assessment.framework, assessment.dataset, assessment.method
        codes = ds.indicators
        self.tree = a.arrays.tree  # the tree the assessment was computed on
        alts = factors.alternatives
        self.shape = (len(alts["normalise"]), len(alts["impute"]), len(alts["directions"]),
                      len(alts["bounds"]))
        scores: list[np.ndarray] = []
        constant, empty = [], []
        self.score_set = np.zeros(int(np.prod(self.shape)), dtype=np.int64)  # combination → scores
        for k, (k_norm, k_imp, k_dir, k_bounds) in enumerate(itertools.product(*map(range, self.shape))):
            m = method.replace(profile=method.profile, directions=alts["directions"][k_dir],
                               normalise=alts["normalise"][k_norm].to_dict(),
                               impute=alts["impute"][k_imp].to_dict())
            bounds, kept = factors.pooled_scale(k_norm, k_dir, k_bounds)  # pooled, or the year's
            if k_bounds and kept is None and bounds is None:  # nothing pooled (ranks): the year's
                self.score_set[k] = self.score_set[k - k_bounds]
                continue
            self.score_set[k] = len(scores)
            try:  # the method's own exclusions: each replication's come at aggregation
                r = method_pipeline(fw, m, ds, tree=self.tree, bounds=bounds, kept=kept)
            except ParameterError as err:
                raise UsageError(Problem("factor_failed", column=err.parameter,
                                         value=str(err.value)[:80],
                                         params={"expected": err.expected})) from None
            scores.append(r.scores)
            constant.append(r.constant)
            empty.append(r.empty)
        self.scores = np.stack(scores)  # score sets × units × indicators
        self.constant = np.stack(constant)
        self.empty = np.stack(empty)
        self.aggregations = []
        for k, step in enumerate(alts["aggregate"]):
            m = method if k == 0 else method.replace(profile=method.profile, aggregate=step.to_dict())
            self.aggregations.append(tree_of(fw, m, codes).aggregation)
        n_nodes = self.tree.node_parent.size
        self.indicator_member = np.zeros((len(codes), n_nodes))
        self.indicator_member[np.arange(len(codes)), self.tree.indicator_parent] = 1.0
        self.node_member = np.zeros((n_nodes, n_nodes))
        inner = np.flatnonzero(self.tree.node_parent >= 0)
        self.node_member[inner, self.tree.node_parent[inner]] = 1.0
        self._families: dict[tuple, tuple] = {}
        self.nominal_ranks = a.arrays.ranks[:, -1]
        self.units = tuple(ds.units)

    def bytes_per_replication(self) -> int:
        """A bound on the working memory of one replication (for chunk sizes)."""
        n, m = self.scores.shape[1:]
        width = m + self.tree.node_parent.size
        return 8 * n * width * 6 + 8 * width * width + 2 * n * n

    def values(self, s: Settings) -> np.ndarray:
        """The root's value per replication and unit (R × units)."""
        return self.aggregates(s)[:, :, -1]

    def aggregates(self, s: Settings) -> np.ndarray:
        """Every node's value per replication and unit (R × units × nodes). Replications
        are grouped by their scores and aggregation, so the indicator level is one matrix
        product per group."""
        tree = self.tree
        R = len(s)
        n = self.scores.shape[1]
        n_nodes = tree.node_parent.size
        combo = self.score_set[np.ravel_multi_index(tuple(s.combos().T), self.shape)]
        empty = self.empty[combo]
        included = ~s.excluded & ~self.constant[combo] & ~empty
        dropped = s.dropped if s.dropped is not None else np.zeros((R, n_nodes), bool)
        expected = ((included | (empty & ~s.excluded)).astype(np.float64) @ self.indicator_member
                    + (~dropped).astype(np.float64) @ self.node_member)
        if tree.absent is not None:
            expected += tree.absent
        out = np.full((R, n, n_nodes), np.nan)
        for group in np.unique(np.column_stack([s.aggregate, combo]), axis=0):
            rows = np.flatnonzero((s.aggregate == group[0]) & (combo == group[1]))
            out[rows] = self._up_the_tree(self.scores[group[1]], s.indicator_weight[rows], included[rows],
                                          s.node_weight[rows], ~dropped[rows], expected[rows],
                                          self.aggregations[group[0]])
        return out

    def _up_the_tree(self, scores, indicator_weight, included, node_weight, kept, expected, aggregation):
        """The nodes' values, level by level, for replications sharing ``scores``; the
        children of a node are its included indicators and its kept nodes, whatever their
        weight (a weight of 0 still counts towards availability, as in the engine)."""
        tree = self.tree
        nodes_values = np.full((indicator_weight.shape[0], scores.shape[0], tree.node_parent.size), np.nan)
        availability = np.broadcast_to(np.asarray(tree.availability, dtype=np.float64),
                                       (tree.node_parent.size,))
        for level in np.unique(tree.node_level):
            groups: dict[tuple, list[int]] = {}
            for k in np.flatnonzero(tree.node_level == level):
                name, params = aggregation[k]
                groups.setdefault((name, tuple(sorted(params.items()))), []).append(int(k))
            for (name, items), nodes in groups.items():
                x_cols, wx, mx = _children(self._family(tree.indicator_parent, nodes), indicator_weight,
                                           included)
                y_cols, wy, my = _children(self._family(tree.node_parent, nodes), node_weight, kept)
                values, counted = batch_aggregate(name, dict(items), scores[:, x_cols], wx, mx,
                                               nodes_values[:, :, y_cols], wy, my)
                need = availability[nodes]
                if (need > 0).any():
                    with np.errstate(divide="ignore", invalid="ignore"):
                        covered = np.nan_to_num(counted / expected[:, None, nodes])
                    values = np.where(covered >= need - 1e-12, values, np.nan)
                nodes_values[:, :, nodes] = values
        return nodes_values

    def _family(self, parent: np.ndarray, nodes: list[int]) -> tuple[np.ndarray, np.ndarray, int]:
        """The children of ``nodes`` (positions in ``parent``), the column of each one's parent
        among ``nodes``, and their number; found once per tree level and aggregation."""
        key = (parent is self.tree.node_parent, tuple(nodes))
        found = self._families.get(key)
        if found is None:
            children = np.flatnonzero(np.isin(parent, nodes))
            found = self._families[key] = (children, np.searchsorted(nodes, parent[children]), len(nodes))
        return found


def _children(family: tuple[np.ndarray, np.ndarray, int], weights: np.ndarray,
              member: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The children of a family of nodes (:meth:`Replicator._family`), their weights and
    membership as R × children × nodes (``member``: R × all children, whether each one
    enters its parent)."""
    children, column, n_nodes = family
    w = np.zeros((weights.shape[0], children.size, n_nodes))
    w[:, np.arange(children.size), column] = np.where(member[:, children], weights[:, children], 0.0)
    m = np.zeros(w.shape, dtype=bool)
    m[:, np.arange(children.size), column] = member[:, children]
    return children, w, m


# name → (f, what the values must be, inverse of the weighted mean of f)
Transform = tuple[Callable | None, tuple[str, Callable] | None, Callable | None]
TRANSFORMS: dict[str, Transform] = {
    "sum": (None, None, None),
    "arithmetic": (None, None, None),
    "geometric": (np.log, ("> 0", lambda x: x > 0), np.exp),
    "harmonic": (np.reciprocal, ("≠ 0", lambda x: x != 0), np.reciprocal),
}


def batch_aggregate(name: str, params: dict, x: np.ndarray, wx: np.ndarray, mx: np.ndarray,
                    y: np.ndarray, wy: np.ndarray, my: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The registry's aggregations on a batch of replications whose children are ``x``
    (units × children, shared by all replications: the indicators) and ``y`` (R × units ×
    children: lower nodes), weighted by ``wx`` and ``wy`` and members by ``mx`` and ``my``
    (R × children × parents). The rules of :mod:`turaqty.core.aggregate`: weights
    renormalised over children with a value, ``min_share`` and ``share_by``, ``sum``
    needing every child. Returns the values and the share of children with a value times
    their number (the count, or with ``share_by: weight`` its weighted equivalent), from
    which the engine's coverage follows (R × units × parents).

    >>> x, wx = np.array([[2.0, 8.0], [4.0, np.nan]]), np.array([[[1.0], [1.0]]])
    >>> y, wy = np.zeros((1, 2, 0)), np.zeros((1, 0, 1))
    >>> batch_aggregate("geometric", {}, x, wx, wx > 0, y, wy, wy > 0)[0][0].ravel().tolist()
    [4.0, 4.0]
    >>> batch_aggregate("sum", {}, x, wx, wx > 0, y, wy, wy > 0)[0][0].ravel().tolist()
    [10.0, nan]
    """
    f: Callable | None
    need: tuple[str, Callable] | None
    inverse: Callable | None
    if name == "generalised":
        p = float(params["p"])
        f, need, inverse = (lambda v: v ** p), (("> 0", lambda v: v > 0) if p < 0 else None), \
            (lambda v: v ** (1.0 / p))
    elif name in TRANSFORMS:
        f, need, inverse = TRANSFORMS[name]
    else:
        raise UsageError(Problem("factor_alternative", column="aggregate", value=name,
                                 params={"choices": ", ".join([*TRANSFORMS, "generalised"])}))
    ax, ay = ~np.isnan(x), ~np.isnan(y)
    fx, fy = _transformed(x, ax, np.any(wx > 0, axis=(0, 2))[None, :], f, need), \
        _transformed(y, ay, np.any(wy > 0, axis=2)[:, None, :], f, need)
    px, py = ax.astype(np.float64), ay.astype(np.float64)
    weight_present = _dot(px, wx, py, wy)
    have = _dot(px, mx.astype(np.float64), py, my.astype(np.float64))
    with np.errstate(divide="ignore", invalid="ignore"):
        if params.get("share_by", "count") == "count":
            share = have / (mx.sum(axis=1) + my.sum(axis=1))[:, None, :]  # NaN for no child
        else:
            share = weight_present / (wx.sum(axis=1) + wy.sum(axis=1))[:, None, :]
        total = _dot(fx, wx, fy, wy)
        if name == "sum":
            out = total
        elif name == "harmonic":
            out = weight_present / total
        else:
            out = total / weight_present
            if inverse is not None:
                out = inverse(out)
    out[~(weight_present > 0) | (share < float(params.get("min_share", 0.0)))] = np.nan
    given = (mx.sum(axis=1) + my.sum(axis=1))[:, None, :]
    if name == "sum":
        out[have != given] = np.nan
    return out, share * given


def _transformed(v: np.ndarray, available: np.ndarray, used: np.ndarray, f, need) -> np.ndarray:
    """f(v) where a child has a value, 0 elsewhere; a used value f cannot take is an error."""
    if need is not None:
        ok = need[1](np.where(available, v, 1.0))
        bad = available & ~ok & used
        if bad.any():
            where = tuple(np.argwhere(bad)[0])
            raise UsageError(Problem("factor_failed", column="aggregate", value=float(v[where]),
                                     params={"expected": f"values {need[0]}"}))
        available = available & ok
    if f is None:
        return np.where(available, v, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(available, f(np.where(available, v, 1.0)), 0.0)


def _dot(x: np.ndarray, wx: np.ndarray, y: np.ndarray, wy: np.ndarray) -> np.ndarray:
    """x @ wx (x shared: one matrix product for all replications) + y @ wy (batched)."""
    R, c, k = wx.shape
    shared = (x @ wx.transpose(1, 0, 2).reshape(c, R * k)).reshape(x.shape[0], R, k).transpose(1, 0, 2)
    return shared + y @ wy


def batch_ranks(values: np.ndarray, decimals: int = 9) -> np.ndarray:
    """Competition ranks ("1224") of each row, highest first, NaN unranked: the engine's
    :func:`~turaqty.core.rank.rank_descending` on a batch.

    >>> batch_ranks(np.array([[5.0, 7.0, 5.0, np.nan, 1.0]])).tolist()
    [[2.0, 1.0, 2.0, nan, 4.0]]
    """
    x = np.round(values, decimals)
    ranks = 1.0 + (x[:, None, :] > x[:, :, None]).sum(axis=2)
    ranks[np.isnan(x)] = np.nan
    return ranks
