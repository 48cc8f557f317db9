"""The assessment pipeline on arrays: denominate → impute → treat → normalise → select →
aggregate up a tree of any depth → rank → classify.

Every step is an entry of a registry (:data:`STEPS`) called with its parameters; the
parameters each step *used* (e.g. the bounds of a normalisation) are returned, so that a
baseline, pooled goalposts or a replay can reuse them.

Example (two regions, one indicator per pillar, pillars summed into an index)
-------
>>> import numpy as np
>>> tree = Tree(indicator_parent=np.array([0, 1, 2]), node_parent=np.array([3, 3, 3, -1]),
...             indicator_weight=np.ones(3), node_weight=np.ones(4),
...             node_level=np.array([2, 2, 2, 3]),
...             aggregation=(("arithmetic", {}),) * 3 + (("sum", {}),),
...             bands=np.array([[4, 7]] * 3 + [[11, 19]], dtype=float))
>>> values = np.array([[10.0, 1.0, 5.0], [20.0, 2.0, 4.0]])
>>> r = run_pipeline(values, np.array([1, 1, -1]), tree, np.zeros(3, bool))
>>> r.aggregates[:, -1].tolist(), r.ranks[:, -1].tolist(), r.levels[:, -1].tolist()
([3.0, 27.0], [2.0, 1.0], ['low', 'high'])
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from turaqty.core.aggregate import AGGREGATION
from turaqty.core.classify import level_of
from turaqty.core.denominate import DENOMINATION
from turaqty.core.impute import IMPUTATION
from turaqty.core.normalise import NORMALISATION
from turaqty.core.rank import rank_descending
from turaqty.core.registry import Registry, call, parameter_names
from turaqty.core.treat import TREATMENT

STEPS: dict[str, Registry] = {"denominate": DENOMINATION, "impute": IMPUTATION, "treat": TREATMENT,
                              "normalise": NORMALISATION, "aggregate": AGGREGATION}
NO_STEP: tuple[str, dict] = ("none", {})


@dataclass(frozen=True)
class Tree:
    """A framework's structure as arrays; nodes are ordered lowest level first, root last."""

    indicator_parent: np.ndarray  # per indicator column: the position of its parent node
    node_parent: np.ndarray  # per node: the position of its parent, −1 for the root
    indicator_weight: np.ndarray
    node_weight: np.ndarray
    node_level: np.ndarray  # 2 for a parent of indicators, 1 + the highest child above
    aggregation: tuple[tuple[str, dict], ...]  # per node: registry name and parameters
    bands: np.ndarray  # nodes × 2: level bounds (NaN: the node has no levels)
    absent: np.ndarray | None = None  # per node: expected indicators missing from the data
    availability: float | np.ndarray = 0.0  # a node needs this share (one, or one per node) of
    # its expected children with a value


@dataclass(frozen=True)
class PipelineResult:
    """Arrays produced by :func:`run_pipeline` (units in rows)."""

    values: np.ndarray  # the values normalised (after denomination, imputation, treatment)
    scores: np.ndarray  # units × indicators; NaN where no score
    lower: np.ndarray  # the min (or lower goalpost) used per indicator
    upper: np.ndarray  # the max (or upper goalpost) used per indicator
    constant: np.ndarray  # bool per indicator: all values equal
    empty: np.ndarray  # bool per indicator: no value at all
    included: np.ndarray  # bool per indicator: enters its parent's aggregate
    imputed: np.ndarray  # bool units × indicators: a missing value was filled
    aggregates: np.ndarray  # units × nodes
    ranks: np.ndarray  # units × nodes
    levels: np.ndarray  # units × nodes: 'low' | 'medium' | 'high' | ''
    params: dict[str, dict[str, Any]]  # what each step used
    tree: Tree  # the structure aggregated
    expected: np.ndarray | None  # per node: the children its availability counts
    coverage: np.ndarray  # units × nodes: share of the expected children with a value


def _step(name: str, spec: tuple[str, dict], values: np.ndarray, **context):
    method, params = spec
    accepted = set(context) & set(parameter_names(STEPS[name][method]))
    return call(STEPS[name], method, values, {**{k: context[k] for k in accepted}, **params})


def aggregate_tree(scores: np.ndarray, tree: Tree, included: np.ndarray,
                   expected: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Every node's value and coverage (both units × nodes), level by level: one array pass
    per (level, aggregation); the scores are read in place, not copied into one table.

    The coverage of a node is the share of its ``expected`` children (per node; by default
    those in ``included``) that have a value; with ``tree.availability`` > 0, a node whose
    coverage is below it gets NaN."""
    n, n_nodes = scores.shape[0], tree.node_parent.size
    nodes_table = np.full((n, n_nodes), np.nan)
    coverage = np.zeros((n, n_nodes))
    for level in np.unique(tree.node_level):
        groups: dict[tuple, list[int]] = {}
        for k in np.flatnonzero(tree.node_level == level):
            name, params = tree.aggregation[k]
            groups.setdefault((name, tuple(sorted(params.items()))), []).append(int(k))
        for (name, items), nodes in groups.items():
            targets = np.array(nodes)
            is_target = np.zeros(n_nodes + 1, dtype=bool)  # the last slot: no parent (−1)
            is_target[targets] = True
            inds = is_target[tree.indicator_parent]
            kids = np.flatnonzero(is_target[tree.node_parent])
            parts, memberships, weights = [], [], []
            if inds.any():  # every indicator column, read in place; the others weigh nothing
                parts.append(scores)
                memberships.append((tree.indicator_parent[:, None] == targets[None, :])
                                   & (inds & included)[:, None])
                weights.append(tree.indicator_weight)
            if kids.size:
                parts.append(nodes_table[:, kids])
                memberships.append(tree.node_parent[kids][:, None] == targets[None, :])
                weights.append(tree.node_weight[kids])
            if not parts:
                continue
            values = parts[0] if len(parts) == 1 else np.hstack(parts)
            membership = np.vstack(memberships)
            result = call(AGGREGATION, name, values,
                          {"membership": membership, "weights": np.concatenate(weights), **dict(items)})
            out = result.values
            given = membership.sum(axis=0)
            need = expected[targets] if expected is not None else given
            with np.errstate(divide="ignore", invalid="ignore"):
                covered = np.nan_to_num(result.details["share"] * given / need)
            share = np.broadcast_to(np.asarray(tree.availability, dtype=np.float64),
                                    (n_nodes,))[targets]
            if (share > 0).any():
                out = np.where(covered >= share - 1e-12, out, np.nan)
            nodes_table[:, targets] = out
            coverage[:, targets] = covered
    return nodes_table, coverage


def _expected(tree: Tree, included: np.ndarray, missing: np.ndarray) -> np.ndarray:
    """Per node: its included children, the indicators with no value at all and those absent
    from the data (the framework's), and its child nodes."""
    n_nodes = tree.node_parent.size
    counts = np.bincount(tree.indicator_parent, weights=(included | missing).astype(float),
                         minlength=n_nodes)
    counts += np.bincount(tree.node_parent[tree.node_parent >= 0], minlength=n_nodes)
    return counts + (tree.absent if tree.absent is not None else 0)


def prepare(values: np.ndarray, directions: np.ndarray, *, denominate: tuple[str, dict] = NO_STEP,
            impute: tuple[str, dict] = NO_STEP, treat: tuple[str, dict] = NO_STEP):
    """The values as they reach normalisation: denominated, imputed, treated. Returns them,
    the indicators without any value (before imputation), the cells imputed, and the
    parameters each step used.

    >>> v, empty, imputed, params = prepare(np.array([[10.0, np.nan], [30.0, np.nan]]), np.ones(2),
    ...     denominate=("divide", {"denominators": np.array([[2.0], [3.0]]), "by": [0, -1]}))
    >>> v[:, 0].tolist(), empty.tolist(), sorted(params)
    ([5.0, 10.0], [False, True], ['denominate'])
    """
    values = np.asarray(values, dtype=np.float64)
    params: dict[str, dict[str, Any]] = {}
    if denominate[0] != "none":
        r = _step("denominate", denominate, values)
        values, params["denominate"] = r.values, r.params
    missing_cells = np.isnan(values)
    empty = missing_cells.all(axis=0)
    imputed = np.zeros_like(missing_cells)
    if impute[0] != "none":  # 'none' would only copy the values
        r = _step("impute", impute, values, directions=directions)
        values, params["impute"] = r.values, r.params
        imputed = missing_cells & ~np.isnan(values)
    if treat[0] != "none":
        r = _step("treat", treat, values, directions=directions)
        values, params["treat"] = r.values, r.params
    return values, empty, imputed, params


def run_pipeline(values: np.ndarray, directions: np.ndarray, tree: Tree, excluded: np.ndarray, *,
                 denominate: tuple[str, dict] = NO_STEP, impute: tuple[str, dict] = NO_STEP,
                 treat: tuple[str, dict] = NO_STEP,
                 normalise: tuple[str, dict] = ("minmax", {"scale": (1.0, 9.0)}),
                 bounds: tuple[np.ndarray, np.ndarray] | None = None) -> PipelineResult:
    """Assess ``values`` (units × indicators) along ``tree``.

    ``excluded`` marks indicators left out of the index (they are still scored). Each step
    is ``(registry name, parameters)``; the indicators' directions are handed to the steps
    that take them. ``bounds`` (min and max per indicator, e.g. a baseline's) replace
    the data's own and clip the scores to the scale, so that scores stay comparable.
    """
    values, empty, imputed, params = prepare(values, directions, denominate=denominate, impute=impute,
                                             treat=treat)
    norm_method, norm_params = normalise
    if bounds is not None:
        norm_params = {**norm_params, "lower": bounds[0], "upper": bounds[1], "clip": True}
    r = _step("normalise", (norm_method, norm_params), values, directions=directions)
    scores, params["normalise"] = r.values, r.params
    lower = np.asarray(r.params.get("lower", np.full(values.shape[1], np.nan)), dtype=np.float64)
    upper = np.asarray(r.params.get("upper", np.full(values.shape[1], np.nan)), dtype=np.float64)
    constant = ~empty & np.asarray(r.details.get("constant", np.zeros(values.shape[1], bool)))
    included = ~excluded & ~constant & ~empty
    expected = _expected(tree, included, empty & ~excluded)
    table, coverage = aggregate_tree(scores, tree, included, expected)
    ranks = np.column_stack([rank_descending(table[:, k]) for k in range(table.shape[1])])
    levels = np.column_stack([
        level_of(table[:, k], tuple(tree.bands[k])) if not np.isnan(tree.bands[k]).any()
        else np.full(table.shape[0], "", dtype=object) for k in range(table.shape[1])])
    return PipelineResult(values, scores, lower, upper, constant, empty, included, imputed,
                          table, ranks, levels, params, tree, expected, coverage)
