"""Indicator frameworks: the indicator tree with names in three languages, units, directions
and risk rules.

Example
-------
>>> fw = load_framework()
>>> fw.pillar_of["B25"], fw.direction("B7", "meaningful"), fw.direction("B7", "printed")
('economic', 1, -1)
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from turaqty.model.package_data import data_file, read_catalogue_csv

DEFAULT_FRAMEWORK = "kz-isdr"


@dataclass(frozen=True)
class Indicator:
    """One indicator of a framework."""

    code: str
    pillar: str
    order: int
    sdg_goal: str
    national_sdg_code: str
    names: dict[str, str]
    units: dict[str, str]
    direction: int  # +1: higher is better; -1: higher is worse (the meaningful direction)
    direction_printed: int | None  # as applied by the printed Tables 10-12, if known
    has_data: bool
    source_table: str
    note: str

    def name(self, lang: str = "en") -> str:
        return self.names.get(lang) or self.names["en"]

    def unit(self, lang: str = "en") -> str:
        return self.units.get(lang) or self.units["en"]


_CONDITION = re.compile(r"\s*(<=|>=|<|>)\s*([-+]?\d+(?:\.\d+)?)\s*")


def parse_condition(text: str) -> tuple[str, float]:
    """``"<=100"`` → ``("<=", 100.0)``: a threshold condition of a risk rule."""
    match = _CONDITION.fullmatch(text)
    if not match:
        raise ValueError(f"bad risk condition {text!r}")
    return match.group(1), float(match.group(2))


@dataclass(frozen=True)
class RiskRule:
    """How one indicator's values are classed as high, medium or low risk.

    ``printed_high``/``printed_low`` are the conditions of the printed risk maps (Tables
    18-20), cleaned (``printed_fix`` says how); ``derived_high``/``derived_low`` name the
    reference each threshold is recomputed from: ``national``, ``median``, ``mean`` or a
    number (a norm, whose source ``note`` gives).
    """

    code: str
    printed_slot: str
    printed_high: tuple[str, float]
    printed_low: tuple[str, float]
    derived_high: str
    derived_low: str
    printed_fix: str
    note: str

    @property
    def printed_orientation(self) -> int:
        """+1 if the printed high-risk condition is on low values (``<``), else −1."""
        return 1 if self.printed_high[0].startswith("<") else -1

    @property
    def printed_inclusive(self) -> tuple[bool, bool]:
        """Whether the printed high- and low-risk conditions include their threshold."""
        return self.printed_high[0].endswith("="), self.printed_low[0].endswith("=")


@dataclass(frozen=True)
class Framework:
    """An indicator tree: index → pillars → indicators, with names in kk/ru/en."""

    id: str
    names: dict[str, str]
    index_names: dict[str, str]
    pillars: tuple[str, ...]
    pillar_names: dict[str, dict[str, str]]
    indicators: tuple[Indicator, ...]
    sha256: str
    risk_rules: dict[str, RiskRule] = field(default_factory=dict)

    @cached_property
    def codes(self) -> tuple[str, ...]:
        return tuple(i.code for i in self.indicators)

    @cached_property
    def by_code(self) -> dict[str, Indicator]:
        return {i.code: i for i in self.indicators}

    @cached_property
    def pillar_of(self) -> dict[str, str]:
        return {i.code: i.pillar for i in self.indicators}

    def direction(self, code: str, which: str = "meaningful") -> int:
        """+1 or -1 for ``code``; ``which`` is ``meaningful`` or ``printed``."""
        ind = self.by_code[code]
        if which == "printed" and ind.direction_printed is not None:
            return ind.direction_printed
        return ind.direction

    def pillar_name(self, pillar: str, lang: str = "en") -> str:
        if pillar == "integral":
            return self.index_names.get(lang, self.index_names["en"])
        names = self.pillar_names[pillar]
        return names.get(lang) or names["en"]

    def resolve_code(self, text: str) -> str | None:
        """The indicator code written in ``text`` (case and spaces ignored), or None."""
        key = re.sub(r"\s+", "", str(text)).upper().replace("В", "B")  # Cyrillic В → Latin B
        return key if key in self.by_code else None


def _sign(text: str) -> int | None:
    return {"+": 1, "-": -1, "−": -1}.get(text.strip()) if text.strip() else None


@lru_cache(maxsize=8)
def load_framework(framework_id: str = DEFAULT_FRAMEWORK) -> Framework:
    """The framework ``framework_id`` from package data (cached)."""
    try:
        meta_raw = data_file("frameworks", framework_id, "framework.json").read_bytes()
    except FileNotFoundError:
        raise ValueError(f"unknown framework {framework_id!r}") from None
    meta = json.loads(meta_raw)
    rows, digest = read_catalogue_csv("frameworks", framework_id, "indicators.csv")
    indicators = tuple(
        Indicator(
            code=r["code"],
            pillar=r["pillar"],
            order=int(r["order"]),
            sdg_goal=r["sdg_goal"],
            national_sdg_code=r["national_sdg_code"],
            names={lang: r[f"name_{lang}"] for lang in ("kk", "ru", "en")},
            units={lang: r[f"unit_{lang}"] for lang in ("kk", "ru", "en")},
            direction=_sign(r["direction"]) or 1,
            direction_printed=_sign(r["direction_printed"]),
            has_data=r["has_data"] == "yes",
            source_table=r["source_table"],
            note=r["note"],
        )
        for r in sorted(rows, key=lambda r: int(r["order"]))
    )
    pillars = tuple(p["id"] for p in meta["pillars"])
    rules: dict[str, RiskRule] = {}
    rules_file = data_file("frameworks", framework_id, "risk_rules.csv")
    if rules_file.is_file():
        rule_rows, rules_digest = read_catalogue_csv("frameworks", framework_id, "risk_rules.csv")
        digest += rules_digest
        rules = {r["code"]: RiskRule(r["code"], r["printed_slot"], parse_condition(r["printed_high"]),
                                     parse_condition(r["printed_low"]), r["derived_high"],
                                     r["derived_low"], r["printed_fix"], r["note"])
                 for r in rule_rows}
    return Framework(
        id=meta["id"],
        names=meta["name"],
        index_names=meta["index"]["name"],
        pillars=pillars,
        pillar_names={p["id"]: p["name"] for p in meta["pillars"]},
        indicators=indicators,
        sha256=hashlib.sha256(meta_raw + digest.encode()).hexdigest(),
        risk_rules=rules,
    )
