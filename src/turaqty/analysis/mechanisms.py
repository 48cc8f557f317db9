"""Policy mechanisms of the dissertation's chapter 3, matched to each region's risks and type.

The catalogue (``data/mechanisms.csv``) holds the social, economic, budget and environmental
instruments, each with the indicators whose high risk it answers and the types of region it
is meant for (agrarian, raw-material, large city: ``data/region_specialisation.csv``). A
region gets every instrument that answers one of its high-risk indicators and is meant for
its type (or for all types).

Example
-------
>>> from turaqty.engine.assessment import assess
>>> m = region_mechanisms(assess())
>>> set(m.columns) >= {"unit_id", "mechanism_id", "group", "answers"}
True
>>> bool((m.groupby("unit_id").size() > 0).all())
True
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from turaqty.engine.assessment import Assessment
from turaqty.model.package_data import read_catalogue_csv


@dataclass(frozen=True)
class Mechanism:
    """One instrument: its group, the region types it is for, the indicators it answers."""

    id: str
    group: str  # social | economic | budget | environmental
    region_types: tuple[str, ...]  # ("all",) or some of agrarian, raw_material, large_city
    indicators: tuple[str, ...]
    names: dict[str, str]
    descriptions: dict[str, str]
    source_lines: str

    def name(self, lang: str = "en") -> str:
        return self.names.get(lang) or self.names["en"]

    def description(self, lang: str = "en") -> str:
        return self.descriptions.get(lang) or self.descriptions["en"]


@lru_cache(maxsize=1)
def load_mechanisms() -> tuple[Mechanism, ...]:
    """The mechanisms catalogue (cached)."""
    rows, _ = read_catalogue_csv("mechanisms.csv")
    return tuple(
        Mechanism(r["mechanism_id"], r["group"], tuple(r["region_types"].split(";")),
                  tuple(c for c in r["indicators"].split(";") if c),
                  {lang: r[f"name_{lang}"] for lang in ("kk", "ru", "en")},
                  {lang: r[f"description_{lang}"] for lang in ("kk", "ru", "en")},
                  r["source_lines"])
        for r in rows)


@lru_cache(maxsize=1)
def specialisations() -> dict[str, str]:
    """Region id → ``agrarian``, ``raw_material`` or ``large_city`` (chapter 3 narrative)."""
    rows, _ = read_catalogue_csv("region_specialisation.csv")
    return {r["region_id"]: r["specialisation"] for r in rows}


def region_mechanisms(a: Assessment) -> pd.DataFrame:
    """For each region: the instruments that answer its high-risk indicators and fit its
    type, with the indicators they answer (``answers``), most answers first."""
    spec = specialisations()
    codes = np.array(a.dataset.indicators, dtype=object)
    names = a.indices.set_index("unit_id")["name"]
    rows = []
    for i, unit in enumerate(a.dataset.units):
        high = set(codes[(a.risk_classes[i] == "high") & a.arrays.included])  # counted risks
        kind = spec.get(unit, "")
        for m in load_mechanisms():
            if "all" not in m.region_types and kind not in m.region_types:
                continue
            answers = [c for c in m.indicators if c in high]
            if answers:
                rows.append((unit, names[unit], kind, m.id, m.group, m.name(a.lang),
                             "; ".join(answers), len(answers), m.description(a.lang), m.source_lines))
    frame = pd.DataFrame(rows, columns=["unit_id", "name", "specialisation", "mechanism_id", "group",
                                        "mechanism", "answers", "n_answers", "description",
                                        "source_lines"])
    order = {u: k for k, u in enumerate(a.dataset.units)}
    return frame.sort_values(["unit_id", "n_answers", "mechanism_id"],
                             key=lambda s: s.map(order) if s.name == "unit_id" else
                             (-s if s.name == "n_answers" else s), kind="stable").reset_index(drop=True)
