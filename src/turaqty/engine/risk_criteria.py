"""The risk criteria of the dissertation's Tables 15-17, as printed, for the threshold mode
``criteria``.

Tables 15-17 state the criteria of the risk maps; the maps of Tables 18-20 (the ``printed``
mode) use other thresholds in places (B1: the criteria put the medium band at
100.01 < B1 ≤ 108.9, the national value, as the text does, the map at the median 106.69).
The criteria columns of ``risk_rules.csv`` hold each criterion as printed: ``criteria_high``
and ``criteria_low`` (a condition such as ``<=100``), ``criteria_fix`` how a misprint was
read (a wrong variable, a reversed orientation, a scale). A value between the two
conditions is medium risk, as the printed medium band says. The tables give criteria for
14 indicators only (anomalies F3); the others keep their ``derived`` thresholds, and a
warning names them.

Example
-------
>>> c = load_criteria()
>>> c["B1"].high, c["B1"].low          # Table 15: B1 ≤ 100 high, B1 > 108.9 low risk
(('<=', 100.0), ('>', 108.9))
>>> c["B6"].high                       # 21.9 m²: East Kazakhstan's 21.9 is medium risk
('<', 21.9)
>>> len(c), "B23" in c                 # B23's operators were printed without numbers
(14, False)
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from turaqty.model.framework import DEFAULT_FRAMEWORK, parse_condition
from turaqty.model.package_data import data_file, read_catalogue_csv


@dataclass(frozen=True)
class Criterion:
    """One indicator's printed criteria: high- and low-risk conditions, and how read."""

    code: str
    high: tuple[str, float]
    low: tuple[str, float]
    fix: str


@lru_cache(maxsize=4)
def load_criteria(framework_id: str = DEFAULT_FRAMEWORK) -> dict[str, Criterion]:
    """The indicators with printed criteria, by code (none for a framework without them)."""
    if not data_file("frameworks", framework_id, "risk_rules.csv").is_file():
        return {}
    rows, _ = read_catalogue_csv("frameworks", framework_id, "risk_rules.csv")
    return {r["code"]: Criterion(r["code"], parse_condition(r["criteria_high"]),
                                 parse_condition(r["criteria_low"]), r["criteria_fix"])
            for r in rows if r.get("criteria_high")}
