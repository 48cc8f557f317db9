"""Uncertain factors of a robustness run: what may vary, and how a draw of uniform numbers
becomes one replication's choices.

A factor file (YAML or JSON) lists the factors; keys left out take no part, and without a
file :func:`default_factors` declares them for the framework at hand::

    weights:
      indicators: {distribution: uniform, noise: 0.25}   # each weight × U(0.75, 1.25)
      nodes: {distribution: dirichlet, concentration: 50} # or Dirichlet within each parent
    normalise: [nominal, {method: percentile, scale: [1, 9]}]
    aggregate: [nominal, geometric]
    impute: [nominal, mean]
    exclude: [B43, B48, B51]          # each in or out of the index (one factor each)
    directions: [meaningful, printed]
    bounds: [nominal, pooled]         # with a panel: the year's or all years' parameters

``nominal`` is the method's own choice. ``bounds: pooled`` replaces what a normalisation
takes from the year's data (over the units) by the same taken from a panel of years with
the year's own values (:func:`~turaqty.analysis.robustness.panel_reference`, monitoring's
``pooled`` goalposts): a min–max's min and max, a z-score's mean and sd, a distance to
target's worst values. It needs a panel; ranks and percentiles (the year's units ranked
among themselves) and normalisations given their parameters (goalposts) ignore it.

Every factor reads a block of uniform numbers in [0, 1): a choice among k alternatives takes
alternative ⌊k·u⌋, a weight multiplier is 1 + noise·(2u − 1), a Dirichlet weight is a gamma
quantile of u renormalised within its parent. So one mapping serves Monte Carlo draws and
Saltelli's sampling scheme.

Example
-------
>>> from turaqty.engine.assessment import assess
>>> a = assess()
>>> f = default_factors(a)
>>> [x.name for x in f.factors]  # doctest: +NORMALIZE_WHITESPACE
['weights.indicators', 'weights.nodes', 'normalise', 'aggregate', 'impute', 'exclude.B43',
 'exclude.B48', 'exclude.B51', 'directions']
>>> s = f.settings(np.full((1, f.dims), 0.99))
>>> b48 = a.dataset.indicators.index("B48")
>>> s.normalise.tolist(), bool(s.excluded[0, b48]), float(s.indicator_weight[0, 0])
([1], True, 1.245)
"""
from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from turaqty.core.common_scale import SCALE_PARAMETERS, reference_scale, takes_bounds
from turaqty.core.normalise import column_bounds
from turaqty.errors import Problem, UsageError
from turaqty.model.data_notes import contested_indicators
from turaqty.model.method import Method, Step

CHOICE_STEPS = ("normalise", "aggregate", "impute")
DEFAULT_ALTERNATIVES = {
    "normalise": ["nominal", {"method": "percentile", "scale": [1, 9]}],
    "aggregate": ["nominal", "geometric"],
    "impute": ["nominal", "mean"],
}
DISTRIBUTIONS = ("uniform", "dirichlet")
KEYS = ("weights", "normalise", "aggregate", "impute", "exclude", "directions", "bounds")
BOUNDS = ("nominal", "pooled")


@dataclass(frozen=True)
class Factor:
    """One uncertain factor: its name, kind, the uniform numbers it reads and its options."""

    name: str
    kind: str  # weights | choice | exclude | directions | bounds
    dims: int
    options: dict = field(default_factory=dict)


@dataclass
class Settings:
    """The choices of R replications as arrays (replications in rows)."""

    indicator_weight: np.ndarray  # R × indicators
    node_weight: np.ndarray  # R × nodes
    normalise: np.ndarray  # R: index into Factors.alternatives["normalise"]
    aggregate: np.ndarray
    impute: np.ndarray
    directions: np.ndarray  # R: index into Factors.alternatives["directions"]
    bounds: np.ndarray  # R: index into Factors.alternatives["bounds"] (0: the year's, 1: pooled)
    excluded: np.ndarray  # R × indicators
    dropped: np.ndarray | None = None  # R × nodes: a node taken out of its parent (drop-one)

    def __len__(self) -> int:
        return self.indicator_weight.shape[0]

    def take(self, rows) -> Settings:
        """The settings of some replications."""
        return Settings(self.indicator_weight[rows], self.node_weight[rows], self.normalise[rows],
                        self.aggregate[rows], self.impute[rows], self.directions[rows],
                        self.bounds[rows], self.excluded[rows],
                        None if self.dropped is None else self.dropped[rows])

    def combos(self) -> np.ndarray:
        """R × 4: the (normalise, impute, directions, bounds) choices, which fix the scores."""
        return np.column_stack([self.normalise, self.impute, self.directions, self.bounds])


@dataclass(frozen=True)
class Factors:
    """The factors of a run over one dataset (``codes``) and framework tree (``nodes``)."""

    factors: tuple[Factor, ...]
    codes: tuple[str, ...]
    nodes: tuple[str, ...]
    parents: np.ndarray  # per indicator then per node: the position of its parent (−1 root)
    indicator_weight: np.ndarray  # the nominal weights
    node_weight: np.ndarray
    excluded: np.ndarray  # the nominal exclusions
    alternatives: dict  # step → tuple of Step (first: the nominal); directions, bounds → names
    pooled: tuple[np.ndarray, np.ndarray] | None = None  # per indicator: a panel's min and max
    scales: dict = field(default_factory=dict)  # (normalise, directions) → pooled parameters

    @property
    def dims(self) -> int:
        """How many uniform numbers one replication reads."""
        return sum(f.dims for f in self.factors)

    @property
    def names(self) -> list[str]:
        return [f.name for f in self.factors]

    def blocks(self) -> list[slice]:
        """The columns of the uniform numbers each factor reads."""
        edges = np.cumsum([0] + [f.dims for f in self.factors])
        return [slice(int(a), int(b)) for a, b in zip(edges[:-1], edges[1:], strict=True)]

    def nominal(self, runs: int = 1) -> Settings:
        """``runs`` replications of the nominal method."""
        zeros = np.zeros(runs, dtype=np.int64)
        return Settings(np.tile(self.indicator_weight, (runs, 1)), np.tile(self.node_weight, (runs, 1)),
                        zeros, zeros.copy(), zeros.copy(), zeros.copy(), zeros.copy(),
                        np.tile(self.excluded, (runs, 1)))

    def settings(self, u: np.ndarray) -> Settings:
        """The choices the uniform numbers ``u`` (R × dims) stand for."""
        s = self.nominal(u.shape[0])
        for factor, cols in zip(self.factors, self.blocks(), strict=True):
            block = u[:, cols]
            if factor.kind == "weights":
                target = s.indicator_weight if factor.options["of"] == "indicators" else s.node_weight
                columns = factor.options["columns"]
                target[:, columns] = self._weights(factor, block, target[:, columns], columns)
            elif factor.kind == "exclude":
                s.excluded[:, factor.options["column"]] = block[:, 0] >= 0.5
            else:
                k = len(self.alternatives[factor.name])
                setattr(s, factor.name, np.minimum((block[:, 0] * k).astype(np.int64), k - 1))
        return s

    def _weights(self, factor: Factor, u: np.ndarray, nominal: np.ndarray, columns) -> np.ndarray:
        if factor.options["distribution"] == "uniform":
            return nominal * (1.0 + factor.options["noise"] * (2.0 * u - 1.0))
        from scipy.special import gammaincinv

        offset = 0 if factor.options["of"] == "indicators" else len(self.codes)
        parents = self.parents[offset + np.asarray(columns)]
        share = np.zeros_like(nominal)
        total = np.zeros_like(nominal)
        for p in np.unique(parents):
            at = parents == p
            w = nominal[:, at]
            alpha = factor.options["concentration"] * w[0] / w[0].sum()
            g = gammaincinv(alpha[None, :], np.clip(u[:, at], 1e-12, 1 - 1e-12))
            share[:, at] = g / g.sum(axis=1, keepdims=True)
            total[:, at] = w.sum(axis=1, keepdims=True)
        return share * total

    def pooled_scale(self, k_norm: int, k_dir: int, k_bounds: int) -> tuple[tuple | None, dict | None]:
        """What a replication with these alternatives (normalisation, directions, bounds)
        takes from the panel: ``(bounds, kept)``, a min–max's pooled bounds or a z-score's
        mean and sd (a distance to target's worst values); ``(None, None)``: the year's own."""
        normalise = self.alternatives["normalise"][k_norm]
        if self.alternatives["bounds"][k_bounds] != "pooled" or not takes_pooled(normalise):
            return None, None
        return (self.pooled if takes_bounds(normalise.method) else None), self.scales.get((k_norm, k_dir))

    def method(self, nominal: Method, s: Settings, row: int = 0) -> Method:
        """Replication ``row`` of ``s`` as a method that :func:`~turaqty.engine.assessment.assess`
        runs (to check the vectorised engine, or to replay one replication)."""
        weights = {c: float(w) for c, w in zip(self.codes, s.indicator_weight[row], strict=True)}
        weights.update({n: float(w) for n, w in zip(self.nodes, s.node_weight[row], strict=True)})
        exclude = {c: nominal.excluded.get(c, "robustness")
                   for c, x in zip(self.codes, s.excluded[row], strict=True) if x}
        changes: dict[str, Any] = {"weights": weights, "exclude": exclude,
                                   "directions": self.alternatives["directions"][s.directions[row]]}
        for step in CHOICE_STEPS:  # an alternative also replaces per-level/per-node choices
            k = getattr(s, step)[row]
            if k:
                changes[step] = self.alternatives[step][k].to_dict()
        normalise = self.alternatives["normalise"][s.normalise[row]]
        bounds, kept = self.pooled_scale(int(s.normalise[row]), int(s.directions[row]), int(s.bounds[row]))
        if kept is not None:
            changes["normalise"] = {**normalise.to_dict(),
                                    **{k: np.asarray(v).tolist() for k, v in kept.items()}}
        elif bounds is not None:
            lower, upper = bounds
            changes["normalise"] = {**normalise.to_dict(), "lower": lower.tolist(),
                                    "upper": upper.tolist(), "clip": True}
        return nominal.replace(profile=nominal.profile, **changes)

    def describe(self) -> list[dict]:
        """The factors as plain data (for the manifest)."""
        out = []
        for f in self.factors:
            d = {"name": f.name, "kind": f.kind, "dims": f.dims}
            if f.kind == "weights":
                d.update({k: v for k, v in f.options.items() if k != "columns"})
            elif f.kind in ("choice", "directions", "bounds"):
                alts = self.alternatives[f.name]
                d["alternatives"] = [a if isinstance(a, str) else a.to_dict() for a in alts]
            out.append(d)
        return out


def default_spec(assessment, pooled: tuple | np.ndarray | None = None) -> dict:
    """The default factor file for an assessment: weights ±25 % per indicator and per node
    (where there are nodes under the root),
    the normalisation, aggregation (where the scores are > 0) and imputation alternatives,
    the contested indicators of the data in or out, the two direction columns where the
    framework has both, and with a panel (``pooled``, for a normalisation that takes its
    parameters from the data: min–max, z-score, distance to target) the year's parameters or
    the pooled ones."""
    fw, codes = assessment.framework, assessment.dataset.indicators
    spec: dict[str, Any] = {"weights": {"indicators": {"noise": 0.25}, "nodes": {"noise": 0.25}},
                            **DEFAULT_ALTERNATIVES}
    if len(fw.index_columns) < 2:  # indicators straight into the root: no node weight to vary
        del spec["weights"]["nodes"]
    scores = assessment.arrays.scores
    if not (np.isnan(scores).all() or np.nanmin(scores) > 0):
        del spec["aggregate"]  # the geometric mean needs scores > 0 (e.g. not min–max on 0–100)
    contested = [c for c in contested_indicators(fw) if c in codes]
    if contested:
        spec["exclude"] = contested
    if any(fw.direction(c, "printed") != fw.direction(c, "meaningful") for c in codes):
        spec["directions"] = ["meaningful", "printed"]
    if pooled is not None and takes_pooled(assessment.method.normalise) \
            and assessment.method.denominate.method == "none":  # pooled raw values, not ratios
        spec["bounds"] = list(BOUNDS)
    return spec


def default_factors(assessment, pooled: tuple | np.ndarray | None = None) -> Factors:
    """The factors of :func:`default_spec`."""
    return build_factors(default_spec(assessment, pooled), assessment, pooled=pooled)


def takes_pooled(step: Step) -> bool:
    """Whether a panel's pooled parameters change a normalisation: one that takes its
    parameters from the data (:data:`~turaqty.core.common_scale.SCALE_PARAMETERS`: a min–max's
    min and max, a z-score's mean and sd, a distance to target's worst values) and is not
    given them. Ranks and percentiles rank the year's units among themselves.

    >>> given = {"method": "minmax", "lower": [0], "upper": [1]}
    >>> [takes_pooled(Step.parse(s, "normalise")) for s in ("minmax", "zscore", "percentile", given)]
    [True, True, False, False]
    """
    taken = SCALE_PARAMETERS.get(step.method) or ()
    return bool(taken) and not set(taken) & set(step.params)


def pooled_scales(assessment, alternatives: dict, reference: np.ndarray) -> dict:
    """Per (normalisation, directions) alternative pair whose normalisation takes pooled
    parameters other than bounds: those parameters on the ``reference`` rows (a panel's
    values as they reach normalisation), e.g. the mean and sd of a z-score.

    >>> from turaqty.engine.assessment import assess
    >>> a = assess()
    >>> alts = {"normalise": (Step.parse("minmax", "normalise"), Step.parse("zscore", "normalise")),
    ...         "directions": ("meaningful",)}
    >>> scales = pooled_scales(a, alts, a.arrays.values)
    >>> sorted(scales), bool(np.allclose(scales[1, 0]["mean"], np.nanmean(a.arrays.values, axis=0)))
    ([(1, 0)], True)
    """
    from turaqty.engine.assessment import _normalisation

    fw, method, codes = assessment.framework, assessment.method, assessment.dataset.indicators
    out = {}
    for (k_norm, step), (k_dir, directions) in itertools.product(enumerate(alternatives["normalise"]),
                                                                 enumerate(alternatives["directions"])):
        if not takes_pooled(step) or takes_bounds(step.method):
            continue
        m = method.replace(profile=method.profile, directions=directions, normalise=step.to_dict())
        signs = np.array([fw.direction(c, directions) for c in codes])
        out[k_norm, k_dir] = reference_scale(_normalisation(m, fw, codes), reference, signs)[1]
    return out


def read_factors(path: str | Path, assessment, pooled: tuple | np.ndarray | None = None) -> Factors:
    """The factors declared in a YAML or JSON file (keys absent: that factor is fixed)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise UsageError(Problem("factors_unreadable", file=str(path),
                                 params={"reason": err.strerror or str(err)})) from None
    try:
        if path.suffix.lower() == ".json":
            spec = json.loads(text)
        else:
            import yaml

            spec = yaml.safe_load(text)
    except Exception as err:  # json's ValueError and yaml.YAMLError alike
        raise UsageError(Problem("factors_syntax", file=str(path),
                                 params={"reason": str(err)[:200]})) from None
    return build_factors(spec or {}, assessment, where=str(path), pooled=pooled)


def build_factors(spec: dict, assessment, where: str = "",
                  pooled: tuple | np.ndarray | None = None) -> Factors:
    """Check a factor specification against the assessment's data and framework; ``pooled``
    allows ``bounds: pooled``: a panel's values as they reach normalisation (rows ×
    indicators, :func:`~turaqty.analysis.robustness.panel_reference`), whose min and max
    (min–max) or other parameters (:func:`pooled_scales`) pooled replications take, or only
    a min and max per indicator (a pair of arrays: min–max alone is pooled)."""
    reference = pooled if isinstance(pooled, np.ndarray) else None
    bounds = column_bounds(reference) if reference is not None \
        else None if pooled is None else (np.asarray(pooled[0]), np.asarray(pooled[1]))
    if not isinstance(spec, dict):
        raise UsageError(Problem("factors_syntax", file=where or None, params={"reason": "not a mapping"}))
    unknown = sorted(set(spec) - set(KEYS))
    if unknown:
        raise UsageError(Problem("factor_unknown", file=where or None, value=", ".join(map(str, unknown)),
                                 params={"choices": ", ".join(KEYS)}))
    fw, method, codes = assessment.framework, assessment.method, assessment.dataset.indicators
    tree = assessment.arrays.tree
    nodes = fw.index_columns
    factors: list[Factor] = []
    weights = spec.get("weights") or {}
    if not isinstance(weights, dict) or set(weights) - {"indicators", "nodes"}:
        raise UsageError(Problem("factor_unknown", file=where or None, column="weights",
                                 value=json.dumps(weights, default=str)[:80],
                                 params={"choices": "indicators, nodes"}))
    for of in ("indicators", "nodes"):
        if weights.get(of) is not None:
            n = len(codes) if of == "indicators" else len(nodes) - 1  # the root has no parent
            factors.append(Factor(f"weights.{of}", "weights", n,
                                  {"of": of, "columns": list(range(n)),
                                   **_distribution(weights[of], f"weights.{of}", where)}))
    alternatives: dict[str, tuple] = {}
    for step in CHOICE_STEPS:
        nominal = getattr(method, step)
        alts = [nominal]
        for alt in spec.get(step) or []:
            chosen = nominal if alt == "nominal" else _step(alt, step, where)
            if chosen not in alts:
                alts.append(chosen)
        alternatives[step] = tuple(alts)
        if len(alts) > 1:
            factors.append(Factor(step, "choice", 1))
    directions = [method.directions] + [d for d in spec.get("directions") or [] if d != method.directions]
    for d in directions:
        if d not in ("meaningful", "printed"):
            raise UsageError(Problem("factor_alternative", file=where or None, column="directions",
                                     value=d, params={"choices": "meaningful, printed"}))
    alternatives["directions"] = tuple(dict.fromkeys(directions))
    if len(alternatives["directions"]) > 1:
        factors.append(Factor("directions", "directions", 1))
    alternatives["bounds"] = _bounds(spec.get("bounds"), method, bounds, where)
    if len(alternatives["bounds"]) > 1:
        factors.append(Factor("bounds", "bounds", 1))
    for text in spec.get("exclude") or []:
        code = fw.resolve_code(str(text))
        if code is None or code not in codes:
            raise UsageError(Problem("factor_indicator", file=where or None, column="exclude",
                                     value=text))
        factors.append(Factor(f"exclude.{code}", "exclude", 1, {"column": codes.index(code)}))
    order = {name: k for k, name in enumerate(["weights.indicators", "weights.nodes", *CHOICE_STEPS,
                                                "bounds"])}
    factors.sort(key=lambda f: (order.get(f.name, len(order) + (f.kind == "directions")),))
    parents = np.concatenate([tree.indicator_parent, tree.node_parent])
    pooling = "pooled" in alternatives["bounds"]
    return Factors(tuple(factors), tuple(codes), tuple(nodes), parents, tree.indicator_weight,
                   tree.node_weight, np.array([c in method.excluded for c in codes]), alternatives,
                   bounds if pooling else None,
                   pooled_scales(assessment, alternatives, reference) if pooling and reference is not None
                   else {})


def _bounds(spec: Any, method: Method, pooled: tuple | None, where: str) -> tuple[str, ...]:
    """The bounds alternatives listed (``[pooled]`` alone: every replication pooled);
    ``pooled`` needs a panel's bounds and values that are not denominated."""
    if spec is None:
        return ("nominal",)
    chosen = spec if isinstance(spec, list) else [spec]
    for name in chosen:
        if name not in BOUNDS:
            raise UsageError(Problem("factor_alternative", file=where or None, column="bounds",
                                     value=name, params={"choices": ", ".join(BOUNDS)}))
    if "pooled" in chosen and pooled is None:
        raise UsageError(Problem("factor_bounds_panel", file=where or None, column="bounds"))
    if "pooled" in chosen and method.denominate.method != "none":
        raise UsageError(Problem("factor_bounds_denominated", file=where or None, column="bounds",
                                 value=method.denominate.method))
    return tuple(b for b in BOUNDS if b in chosen) or ("nominal",)  # the year's first


def _distribution(spec: Any, where_key: str, where: str) -> dict:
    """``{distribution: uniform, noise: x}`` (0 ≤ x < 1) or ``{distribution: dirichlet,
    concentration: c}`` (c > 0); a bare number is a uniform noise."""
    if isinstance(spec, (int, float)) and not isinstance(spec, bool):
        spec = {"noise": spec}
    if not isinstance(spec, dict):
        raise UsageError(Problem("factor_noise", file=where or None, column=where_key, value=spec))
    kind = spec.get("distribution", "uniform")
    if kind not in DISTRIBUTIONS:
        raise UsageError(Problem("factor_alternative", file=where or None, column=f"{where_key}.distribution",
                                 value=kind, params={"choices": ", ".join(DISTRIBUTIONS)}))
    key, low, high = ("noise", 0.0, 1.0) if kind == "uniform" else ("concentration", 0.0, float("inf"))
    value = spec.get(key, 0.25 if kind == "uniform" else 50.0)
    try:
        x = float(value)
    except (TypeError, ValueError):
        x = float("nan")
    ok = (low <= x < high) if kind == "uniform" else (low < x < high)
    if isinstance(value, bool) or not ok:
        raise UsageError(Problem("factor_noise", file=where or None,
                                 column=f"{where_key}.{key}", value=value))
    return {"distribution": kind, key: x}


def _step(spec: Any, step: str, where: str) -> Step:
    """An alternative of a step, checked against its registry."""
    from turaqty.core.pipeline import STEPS

    parsed = Step.parse(spec, f"{step} ({where})" if where else step)
    known = set(STEPS[step]) | ({"framework"} if step == "aggregate" else set())
    if parsed.method not in known:
        raise UsageError(Problem("factor_alternative", file=where or None, column=step,
                                 value=parsed.method, params={"choices": ", ".join(sorted(known))}))
    return parsed
