"""Is pessimistic ≤ realistic ≤ optimistic? Each violation of the order, explained.

A macro-region's three scenarios should order its indices: pessimistic ≤ realistic ≤
optimistic. Two things can break the order:

``renormalised``
    under ``--bounds recomputed`` the scores are relative to the scenario's own min and max.
    A region outside the macro-region keeps its values, but the members improve from the
    pessimistic to the optimistic scenario, so its scores — and its index — fall. A member
    can lose score the same way on an indicator whose value is no worse.
``content``
    the scenarios themselves: the nominally better scenario leaves an indicator of the
    region worse than the other does (the indicators are named).

With the baseline's bounds (the default) the first cannot happen.

Example
-------
>>> from turaqty.engine.assessment import assess
>>> from turaqty.analysis.scenarios import run_scenario
>>> base = assess()
>>> results = [run_scenario(base, f"north:{s}", "recomputed")
...            for s in ("pessimistic", "realistic", "optimistic")]
>>> v = order_violations(results)
>>> bool(len(v)), set(v["cause"]), bool(v["member"].any())
(True, {'renormalised'}, False)
>>> trio = [run_scenario(base, f"north:{s}") for s in ("pessimistic", "realistic", "optimistic")]
>>> len(order_violations(trio))
0
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from turaqty.i18n import format_number, t
from turaqty.model.units import load_regions

ORDER = ("pessimistic", "realistic", "optimistic")
INDICES = ("social", "economic", "ecological", "integral")
COLUMNS = ["macro_region", "unit_id", "name", "member", "index", "pessimistic", "realistic",
           "optimistic", "cause", "indicators", "explanation"]


def order_violations(results: list, lang: str = "en", tol: float = 1e-9) -> pd.DataFrame:
    """Every (region, index) whose scenario values break pessimistic ≤ realistic ≤
    optimistic, for each macro-region whose three scenarios are in ``results``; with the
    cause and an explanation in ``lang``."""
    regions = load_regions()
    by_id = {r.name: r for r in results}
    rows = []
    for macro in dict.fromkeys(r.name.split(":")[0] for r in results if ":" in r.name):
        trio = [r for s in ORDER if (r := by_id.get(f"{macro}:{s}")) is not None]
        if len(trio) < len(ORDER):
            continue
        units = trio[0].baseline.dataset.units
        members = np.array([regions.by_id[u].macro_region == macro for u in units])
        indices = {s: r.assessment.indices for s, r in zip(ORDER, trio, strict=True)}
        for col in INDICES:
            v = np.column_stack([indices[s][col].to_numpy(dtype=float) for s in ORDER])
            bad = (v[:, 0] > v[:, 1] + tol) | (v[:, 1] > v[:, 2] + tol)
            for i in np.flatnonzero(bad).tolist():
                cause, codes = _cause(trio, i, col, bool(members[i]), tol)
                name = regions.name(units[i], lang)
                rows.append((macro, units[i], name, bool(members[i]), col, *v[i], cause,
                             "; ".join(codes), _explain(cause, name, col, macro, codes, v[i], lang)))
    return pd.DataFrame(rows, columns=COLUMNS)


def _cause(trio, i: int, col: str, member: bool, tol: float) -> tuple[str, list[str]]:
    """``content`` (with the indicators whose value is worse in the nominally better
    scenario) or ``renormalised`` (with the indicators whose score fell though the value
    did not worsen)."""
    fw = trio[0].assessment.framework
    base = trio[0].baseline
    codes = base.dataset.indicators
    direction = base.direction_signs
    in_col = np.array([col == "integral" or fw.pillar_of[c] == col for c in codes]) & base.arrays.included
    worse_value, fallen_score = set(), set()
    for lo, hi in ((0, 1), (1, 2)):
        a, b = trio[lo].assessment, trio[hi].assessment
        value_worse = (b.dataset.values[i] - a.dataset.values[i]) * direction < -tol
        score_fell = b.arrays.scores[i] < a.arrays.scores[i] - tol
        worse_value |= {c for c, w, m in zip(codes, value_worse, in_col, strict=True) if w and m}
        fallen_score |= {c for c, f,
                         w, m in zip(codes, score_fell,
                                     value_worse, in_col, strict=True) if f and m and not w}
    if member and worse_value:
        return "content", sorted(worse_value, key=codes.index)
    return "renormalised", sorted(fallen_score, key=codes.index)


def _explain(cause: str, name: str, col: str, macro: str, codes: list[str], v, lang: str) -> str:
    macro_name = next((m.name(lang) for m in load_regions().macro_regions if m.id == macro), macro)
    values = " / ".join(format_number(x, lang, 2) for x in v)
    return t(f"scenario.order.{cause}", lang, region=name, index=t(f"col.{col}", lang).lower(),
             macro=macro_name, values=values, indicators=", ".join(codes) or "–")
