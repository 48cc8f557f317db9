"""Plausible and possible values of each indicator (a framework's ``plausibility.csv``).

A range of kind ``error`` bounds what is possible (a share outside 0–100, a negative
count): a value outside it is an input error. A range of kind ``warning`` bounds what is
plausible (B1, population change, outside about 80–140): a value outside it is read but
warned about, naming its cell. An empty bound is no bound.

Example
-------
>>> import numpy as np
>>> rules = parse_ranges([{"code": "B1", "min": "0", "max": "", "kind": "error", "note": ""},
...                       {"code": "B1", "min": "80", "max": "140", "kind": "warning", "note": ""}])
>>> [r.text() for r in rules["B1"]]
['≥ 0', '80 – 140']
>>> [(i, r.kind) for i, r in outside(np.array([95.8, -500.0, 1e308]), rules["B1"])]
[(1, 'error'), (2, 'warning')]
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

KINDS = ("error", "warning")


@dataclass(frozen=True)
class PlausibleRange:
    """The values ``minimum`` ≤ x ≤ ``maximum`` of one indicator; ``kind`` says what a value
    outside is: ``error`` (impossible) or ``warning`` (implausible)."""

    code: str
    minimum: float
    maximum: float
    kind: str
    note: str = ""

    def text(self) -> str:
        """The range as a message shows it: ``0 – 100``, ``≥ 0``, ``≤ 5``."""
        low, high = (f"{x:g}" for x in (self.minimum, self.maximum))
        if math.isinf(self.maximum):
            return f"≥ {low}"
        if math.isinf(self.minimum):
            return f"≤ {high}"
        return f"{low} – {high}"


def parse_ranges(rows) -> dict[str, tuple[PlausibleRange, ...]]:
    """The ranges of ``rows`` (dicts with code, min, max, kind, note) by indicator code."""
    out: dict[str, list[PlausibleRange]] = {}
    for r in rows:
        if r["kind"] not in KINDS:
            raise ValueError(f"plausibility of {r['code']}: kind must be one of {KINDS}")
        low = float(r["min"]) if r["min"].strip() else -math.inf
        high = float(r["max"]) if r["max"].strip() else math.inf
        out.setdefault(r["code"], []).append(PlausibleRange(r["code"], low, high, r["kind"],
                                                            r.get("note", "")))
    # errors first: a value outside both ranges is reported once, as an error
    return {c: tuple(sorted(rs, key=lambda r: KINDS.index(r.kind))) for c, rs in out.items()}


def outside(values: np.ndarray, ranges) -> list[tuple[int, PlausibleRange]]:
    """(position, range) of each value of ``values`` outside one of ``ranges``, the first
    range it breaks (errors before warnings); missing values are never outside."""
    values = np.asarray(values, dtype=np.float64)
    found = np.zeros(values.shape, dtype=bool)
    out = []
    for rule in ranges:
        bad = ~found & ((values < rule.minimum) | (values > rule.maximum))
        out += [(int(i), rule) for i in np.flatnonzero(bad)]
        found |= bad
    return sorted(out, key=lambda item: item[0])
