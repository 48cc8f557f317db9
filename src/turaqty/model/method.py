"""The method: a serialisable record of every choice an assessment makes.

Every numeric step is a named entry of a registry in :mod:`turaqty.core` with parameters:
``denominate``, ``impute``, ``treat``, ``normalise`` and ``aggregate`` (``framework``: each
node's own aggregation, else one method for every level; ``by_level`` and ``by_node``
override it). Around them: which directions to use, indicators left out, weights that
replace the framework's, and the data-availability threshold of a node. A method is
written as YAML or JSON (:func:`turaqty.io.methods.read_method`) and recorded whole in every
manifest, so a result can be replayed.

Two profiles ship with turaqty, as method files in ``data/methods/``:

``default``
    meaningful directions; B43 left out of the index (suspect data, anomalies C1);
    missing values ignored in min/max and pillar means; constant indicators left out.
``dissertation``
    the directions the printed Tables 10-12 applied (B7, B8, B15, B16, B19, B20 as
    "higher is worse"); B43 left out of the ecological mean as in the printed Table 12;
    a missing value counts as 0, as Table 20 prints it (B46 of West Kazakhstan, Astana);
    the risk map uses the printed thresholds of Tables 18-20 (cleaned).

Example
-------
>>> m = get_method("dissertation")
>>> m.directions, m.impute.method, dict(m.exclude)
('printed', 'zero', {'B43': 'table12'})
>>> Method.from_dict(m.to_dict()) == m
True
>>> get_method("default").replace(exclude=()).exclude
()
>>> Method.from_dict({"normalise": {"method": "minmax", "scale": [0, 100]}}).normalise.params["scale"]
(0.0, 100.0)
"""
from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from turaqty.errors import Problem, UsageError
from turaqty.model.package_data import data_file

STEPS = ("denominate", "impute", "treat", "normalise", "aggregate")
CHOICES = {
    "directions": ("meaningful", "printed"),
    "constant": ("exclude",),
    "ties": ("min",),
    "risk_thresholds": ("derived", "printed", "criteria"),
}


def _frozen(value: Any) -> Any:
    """Lists become tuples and dicts sorted tuples of pairs, so a method can be hashed."""
    if isinstance(value, dict):
        return tuple(sorted((str(k), _frozen(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return tuple(_frozen(v) for v in value)
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


def _plain(value: Any) -> Any:
    if isinstance(value, tuple) and value and all(isinstance(v, tuple) and len(v) == 2
                                                  and isinstance(v[0], str) for v in value):
        return {k: _plain(v) for k, v in value}
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


@dataclass(frozen=True)
class Step:
    """One step: a registry entry's name and its parameters.

    >>> Step.parse({"method": "minmax", "scale": [1, 9]}, "normalise")
    Step(method='minmax', items=(('scale', (1.0, 9.0)),))
    >>> Step.parse("geometric", "aggregate").to_dict()
    {'method': 'geometric'}
    """

    method: str
    items: tuple = ()

    @property
    def params(self) -> dict[str, Any]:
        return {k: v for k, v in self.items}

    @classmethod
    def parse(cls, spec: Any, where: str) -> Step:
        if isinstance(spec, Step):
            return spec
        if isinstance(spec, str):
            return cls(spec)
        if not isinstance(spec, dict) or not isinstance(spec.get("method"), str):
            raise UsageError(Problem("method_step", column=where, value=json.dumps(spec, default=str)[:80]))
        return cls(spec["method"], tuple(sorted((str(k), _frozen(v)) for k, v in spec.items()
                                                if k != "method")))

    def to_dict(self) -> dict[str, Any]:
        return {"method": self.method, **{k: _plain(v) for k, v in self.items}}


@dataclass(frozen=True)
class Method:
    """Every choice of the pipeline denominate → impute → treat → normalise → aggregate →
    rank → classify, and of the risk map."""

    profile: str = "custom"
    framework: str = ""  # the framework it was written for ('' : any)
    directions: str = "meaningful"  # meaningful | printed: which direction column of the framework
    exclude: tuple[tuple[str, str], ...] = ()  # (code, reason) left out of the index
    denominate: Step = Step("none")
    impute: Step = Step("none")
    treat: Step = Step("none")
    normalise: Step = Step("minmax", (("scale", (1.0, 9.0)),))
    aggregate: Step = Step("framework")  # each node's own aggregation, else arithmetic mean
    aggregate_by_level: tuple[tuple[int, Step], ...] = ()  # level (2 = parents of indicators) → step
    aggregate_by_node: tuple[tuple[str, Step], ...] = ()
    weights: tuple[tuple[str, float], ...] = ()  # node or indicator → weight (framework's otherwise)
    availability: float = 0.0  # a node needs this share of its children with a value
    availability_by_node: tuple[tuple[str, float], ...] = ()  # … or its own share
    constant: str = "exclude"  # an indicator with all values equal is left out of the index
    ties: str = "min"  # equal values share the better rank
    risk_thresholds: str = "derived"  # derived: from the data (national, median, norms) | printed | criteria
    extra: tuple = field(default=(), compare=False)  # keys kept for the record (e.g. a note)

    def __post_init__(self):
        for name, allowed in CHOICES.items():
            if getattr(self, name) not in allowed:
                raise UsageError(Problem("method_choice", column=name, value=getattr(self, name),
                                         params={"choices": ", ".join(allowed)}))
        if not 0.0 <= self.availability <= 1.0:
            raise UsageError(Problem("method_availability", column="availability",
                                     value=self.availability))
        for node, w in self.weights:
            if not (isinstance(w, float) and w >= 0.0 and w == w and w != float("inf")):
                raise UsageError(Problem("method_weight", column=f"weights.{node}", value=w))

    @property
    def excluded(self) -> dict[str, str]:
        """Codes left out of the index, with the reason."""
        return dict(self.exclude)

    def aggregation_for(self, node: str, level: int, framework_choice: str) -> Step:
        """The aggregation of one node: by node, else by level, else the method's (where it
        is ``framework``: the framework's choice for the node, else the arithmetic mean)."""
        by_node, by_level = dict(self.aggregate_by_node), dict(self.aggregate_by_level)
        step = by_node.get(node) or by_level.get(level) or self.aggregate
        if step.method == "framework":
            return Step(framework_choice or "arithmetic", step.items)
        return step

    def replace(self, **changes) -> Method:
        """A copy with some parameters changed (the profile name becomes ``custom``
        unless given)."""
        changes.setdefault("profile", "custom" if changes else self.profile)
        return Method.from_dict({**self.to_dict(), **changes})

    def to_dict(self) -> dict:
        """The method as plain JSON-ready data (what a method file holds)."""
        d: dict[str, Any] = {
            "profile": self.profile, "framework": self.framework, "directions": self.directions,
            "exclude": dict(self.exclude),
        }
        for step in STEPS:
            d[step] = getattr(self, step).to_dict()
        if self.aggregate_by_level:
            d["aggregate"]["by_level"] = {str(k): s.to_dict() for k, s in self.aggregate_by_level}
        if self.aggregate_by_node:
            d["aggregate"]["by_node"] = {k: s.to_dict() for k, s in self.aggregate_by_node}
        availability: Any = self.availability
        if self.availability_by_node:
            availability = {"default": self.availability, **dict(self.availability_by_node)}
        d.update(weights=dict(self.weights), availability=availability,
                 constant=self.constant, ties=self.ties, risk_thresholds=self.risk_thresholds)
        return d

    @classmethod
    def from_dict(cls, data: dict, where: str = "") -> Method:
        """The inverse of :meth:`to_dict`; unknown keys are an error. Missing keys take the
        defaults (so a method file may give only what it changes)."""
        names = {f.name for f in dataclasses.fields(cls)} - {"extra", "aggregate_by_level",
                                                              "aggregate_by_node",
                                                              "availability_by_node"}
        unknown = sorted(set(data) - names - {"note", "description"})
        if unknown:
            raise UsageError(Problem("method_key", file=where or None, value=", ".join(unknown),
                                     params={"choices": ", ".join(sorted(names))}))
        d = {k: v for k, v in data.items() if k in names}
        if "exclude" in d:
            ex = d["exclude"] or {}
            pairs = ex.items() if isinstance(ex, dict) else \
                (tuple(c) if isinstance(c, (list, tuple)) else (c, "user") for c in ex)
            d["exclude"] = tuple((str(k), str(v)) for k, v in pairs)
        if "weights" in d:
            d["weights"] = tuple(sorted((str(k), _weight(k, v, where))
                                        for k, v in (d["weights"] or {}).items()))
        if isinstance(d.get("availability"), dict):
            shares = dict(d["availability"])
            default = shares.pop("default", 0.0)
            d["availability_by_node"] = tuple(sorted((str(k), _share(v, where)) for k, v in shares.items()))
            d["availability"] = default
        if "availability" in d:
            d["availability"] = _share(d["availability"], where)
        for step in STEPS:
            if step in d:
                spec = d[step]
                if step == "aggregate" and isinstance(spec, dict):
                    spec = dict(spec)
                    levels = spec.pop("by_level", {}) or {}
                    nodes = spec.pop("by_node", {}) or {}
                    d["aggregate_by_level"] = tuple(sorted(
                        (_level(k, where), Step.parse(v, f"aggregate.by_level.{k}"))
                        for k, v in levels.items()))
                    d["aggregate_by_node"] = tuple(sorted((str(k), Step.parse(v, f"aggregate.by_node.{k}"))
                                                          for k, v in nodes.items()))
                    spec.setdefault("method", "framework")
                d[step] = Step.parse(spec, step)
        extra = tuple(sorted((k, str(v)) for k, v in data.items() if k in ("note", "description")))
        return cls(**d, extra=extra)


def _weight(node, value, where: str) -> float:
    try:
        w = float(value)
    except (TypeError, ValueError):
        w = float("nan")
    if not (w >= 0.0 and w != float("inf")):
        raise UsageError(Problem("method_weight", file=where or None, column=f"weights.{node}", value=value))
    return w


def _share(value, where: str) -> float:
    try:
        x = float(str(value).rstrip("%")) / (100.0 if str(value).endswith("%") else 1.0)
    except ValueError:
        x = float("nan")
    if not 0.0 <= x <= 1.0:
        raise UsageError(Problem("method_availability", file=where or None, column="availability",
                                 value=value))
    return x


def _level(key, where: str) -> int:
    try:
        level = int(key)
    except (TypeError, ValueError):
        level = 0
    if level < 2:
        raise UsageError(Problem("method_level", file=where or None, column=f"aggregate.by_level.{key}",
                                 value=key))
    return level


@lru_cache(maxsize=4)
def _profile(name: str) -> Method:
    text = data_file("methods", f"{name}.json").read_text(encoding="utf-8")
    return Method.from_dict(json.loads(text), where=f"package:methods/{name}.json")


PROFILES = ("default", "dissertation")


def get_method(profile: str | Method = "default") -> Method:
    """The method of a named profile (``default`` or ``dissertation``), or ``profile`` itself."""
    if isinstance(profile, Method):
        return profile
    if profile not in PROFILES:
        raise UsageError(Problem("unknown_profile", value=profile,
                                 params={"choices": ", ".join(PROFILES)}))
    return _profile(profile)
