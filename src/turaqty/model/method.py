"""The method: a serialisable record of every choice an assessment makes.

Two profiles ship with turaqty:

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
>>> m.directions, m.missing, dict(m.exclude)
('printed', 'zero', {'B43': 'table12'})
>>> Method.from_dict(m.to_dict()) == m
True
>>> get_method("default").replace(exclude=()).exclude
()
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from turaqty.errors import Problem, UsageError


@dataclass(frozen=True)
class Method:
    """Every parameter of the pipeline select → impute → normalise → aggregate → rank → classify."""

    profile: str = "default"
    framework: str = "kz-isdr"
    directions: str = "meaningful"  # meaningful | printed: which direction column of the framework
    exclude: tuple[tuple[str, str], ...] = (("B43", "suspect"),)  # (code, reason) left out of the index
    missing: str = "ignore"  # ignore: skip in min/max and means | zero: count a missing value as 0
    constant: str = "exclude"  # an indicator with all values equal is left out of the index
    normalisation: str = "minmax"
    scale: tuple[float, float] = (1.0, 9.0)  # score of the worst and of the best region
    pillar_aggregation: str = "mean"  # pillar index = mean of the available scores
    index_aggregation: str = "sum"  # integral index = sum of the pillar indices
    pillar_levels: tuple[float, float] = (4.0, 7.0)  # low < 4 ≤ medium < 7 ≤ high
    integral_levels: tuple[float, float] = (11.0, 19.0)  # low < 11 ≤ medium < 19 ≤ high
    ties: str = "min"  # equal values share the better rank
    risk_thresholds: str = "derived"  # derived: from the data (national, median, norms) | printed

    CHOICES = {
        "directions": ("meaningful", "printed"),
        "missing": ("ignore", "zero"),
        "constant": ("exclude",),
        "normalisation": ("minmax",),
        "pillar_aggregation": ("mean",),
        "index_aggregation": ("sum",),
        "ties": ("min",),
        "risk_thresholds": ("derived", "printed"),
    }

    def __post_init__(self):
        for name, allowed in self.CHOICES.items():
            if getattr(self, name) not in allowed:
                raise UsageError(Problem("method_choice", column=name, value=getattr(self, name),
                                         params={"choices": ", ".join(allowed)}))
        lo, hi = self.scale
        if not lo < hi:
            raise UsageError(Problem("method_scale", value=f"{lo}..{hi}"))
        for name, (low, high), (a, b) in (("pillar_levels", self.pillar_levels, self.scale),
                                          ("integral_levels", self.integral_levels,
                                           (3 * lo, 3 * hi))):
            if not a <= low <= high <= b:
                raise UsageError(Problem("method_levels", column=name, value=f"{low}, {high}",
                                         params={"lo": a, "hi": b}))

    @property
    def excluded(self) -> dict[str, str]:
        """Codes left out of the index, with the reason."""
        return dict(self.exclude)

    def replace(self, **changes) -> "Method":
        """A copy with some parameters changed (the profile name becomes ``custom``
        unless given)."""
        changes.setdefault("profile", "custom" if changes else self.profile)
        if "exclude" in changes and isinstance(changes["exclude"], dict):
            changes["exclude"] = tuple(changes["exclude"].items())
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict:
        """The method as plain JSON-ready data."""
        d = dataclasses.asdict(self)
        d["exclude"] = dict(self.exclude)
        d["scale"] = list(self.scale)
        d["pillar_levels"] = list(self.pillar_levels)
        d["integral_levels"] = list(self.integral_levels)
        return d

    @classmethod
    def from_dict(cls, data: dict) -> "Method":
        """The inverse of :meth:`to_dict`; unknown keys are an error."""
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - names)
        if unknown:
            raise UsageError(Problem("method_key", value=", ".join(unknown),
                                     params={"choices": ", ".join(sorted(names))}))
        d = dict(data)
        if "exclude" in d:
            ex = d["exclude"]
            d["exclude"] = tuple(ex.items()) if isinstance(ex, dict) else tuple(map(tuple, ex))
        for key in ("scale", "pillar_levels", "integral_levels"):
            if key in d:
                d[key] = tuple(float(x) for x in d[key])
        return cls(**d)


PROFILES: dict[str, Method] = {
    "default": Method(),
    "dissertation": Method(
        profile="dissertation",
        directions="printed",
        exclude=(("B43", "table12"),),
        missing="zero",
        risk_thresholds="printed",
    ),
}


def get_method(profile: "str | Method" = "default") -> Method:
    """The method of a named profile (``default`` or ``dissertation``), or ``profile`` itself."""
    if isinstance(profile, Method):
        return profile
    try:
        return PROFILES[profile]
    except KeyError:
        raise UsageError(Problem("unknown_profile", value=profile,
                                 params={"choices": ", ".join(PROFILES)})) from None
