"""What a region's profile says, computed once for the report page, the one-page brief and the
Word document: its strongest and weakest indicators, its high risks, the mechanisms that
answer them, and how its indices changed since a previous assessment.

Example
-------
>>> from turaqty.engine.assessment import assess
>>> a = assess()
>>> best, worst = strengths_weaknesses(a, "almaty_city")
>>> [c for c, _ in best], [c for c, _ in worst]
(['B6', 'B9', 'B15'], ['B47', 'B45', 'B39'])
>>> len(high_risks(a)["abai"]), len(mechanisms_by_region(a)["abai"])
(22, 5)
"""
from __future__ import annotations

import pandas as pd

from turaqty.engine.assessment import Assessment


def strengths_weaknesses(a: Assessment, unit: str, n: int = 3) -> tuple[list, list]:
    """The ``n`` indicators (code, score) with the best and with the worst scores of ``unit``,
    among those in the index; best first, worst first."""
    included = [c for c, inc in zip(a.dataset.indicators, a.arrays.included, strict=True) if inc]
    s = a.scores.set_index("unit_id").loc[unit, included].astype(float).dropna()
    best = s.sort_values(ascending=False, kind="stable")[:n]  # ties in the framework's order
    return list(best.items()), list(s.sort_values(kind="stable")[:n].items())


def high_risks(a: Assessment) -> dict[str, list[str]]:
    """Region id → codes of its indicators in the index classed as high risk (the counted
    ones of ``risk_summary``: one definition for every output)."""
    s = a.risk_summary
    return {unit: codes.split("; ") for unit, codes in zip(s["unit_id"],
                                                           s["high_risk_indicators"], strict=True) if codes}


def mechanisms_by_region(a: Assessment, n: int = 5) -> dict[str, list[tuple[str, str]]]:
    """Region id → its first ``n`` (mechanism, indicators it answers), most answers first."""
    from turaqty.analysis.mechanisms import region_mechanisms

    m = region_mechanisms(a)
    return {unit: [(r.mechanism, r.answers) for r in group.head(n).itertuples()]
            for unit, group in m.groupby("unit_id", sort=False)}


def index_changes(a: Assessment, previous: Assessment | None) -> pd.DataFrame:
    """Per region and index: value, rank and level now, and (with ``previous``) then and the
    change; a rank change > 0 means the region moved up.

    >>> from turaqty.engine.assessment import assess
    >>> a = assess()
    >>> ch = index_changes(a, a)
    >>> row = ch.loc[("abai", "integral")]
    >>> int(row["rank"]), int(row["rank_before"]), float(row["change"]), int(row["rank_change"])
    (13, 13, 0.0, 0)
    """
    rows = []
    now = a.indices.set_index("unit_id")
    then = previous.indices.set_index("unit_id") if previous is not None else None
    for unit in now.index:
        for col in a.framework.index_columns:  # a level only where the framework gives bands
            row = {"unit_id": unit, "index": col, "value": now.loc[unit, col],
                   "rank": _rank(now.loc[unit, f"rank_{col}"]),
                   "level": now.loc[unit].get(f"level_{col}", ""),
                   "value_before": float("nan"), "rank_before": None, "level_before": "",
                   "change": float("nan"), "rank_change": None}
            if then is not None and unit in then.index:
                before, rank_before = then.loc[unit, col], _rank(then.loc[unit, f"rank_{col}"])
                rank_change = None if None in (rank_before, row["rank"]) else rank_before - row["rank"]
                row.update(value_before=before, rank_before=rank_before,
                           level_before=then.loc[unit].get(f"level_{col}", ""), change=row["value"] - before,
                           rank_change=rank_change)
            rows.append(row)
    out = pd.DataFrame(rows).set_index(["unit_id", "index"])
    ranks = ["rank", "rank_before", "rank_change"]
    out[ranks] = out[ranks].astype("Int64")
    return out


def _rank(x) -> int | None:
    return None if pd.isna(x) else int(x)
