"""Catalogues shipped as package data: indicator frameworks and the regions of Kazakhstan.

A :class:`Framework` is the indicator tree (index → pillar → indicator) with names in
three languages, units and directions; :class:`Regions` holds the units (regions) with
their ids, ISO codes, types, macro-regions and every known spelling of their names.

Example
-------
>>> fw = load_framework()
>>> fw.pillar_of["B25"], fw.direction("B7", "meaningful"), fw.direction("B7", "printed")
('economic', 1, -1)
>>> regions = load_regions()
>>> regions.resolve("Западно-Казахстанская область"), regions.resolve("Астана қ.")
('west_kazakhstan', 'astana')
"""
from __future__ import annotations

import csv
import difflib
import hashlib
import io
import json
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from importlib import resources

DEFAULT_FRAMEWORK = "kz-isdr"
NATIONAL_ID = "kz"


def _data_file(*parts: str):
    return resources.files("turaqty").joinpath("data", *parts)


def read_catalogue_csv(*parts: str) -> tuple[list[dict[str, str]], str]:
    """Rows of a package-data CSV and the SHA-256 of its bytes."""
    raw = _data_file(*parts).read_bytes()
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8"))))
    return rows, hashlib.sha256(raw).hexdigest()


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
        meta_raw = _data_file("frameworks", framework_id, "framework.json").read_bytes()
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
    rules_file = _data_file("frameworks", framework_id, "risk_rules.csv")
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


_LATIN_TO_CYRILLIC = str.maketrans("aceiopxykmhtb", "асеіорхукмнтв")
_INVISIBLE = dict.fromkeys(map(ord, "\ufeff\u200b\u200c\u200d\u2060\u00ad"))
_FOOTNOTE = re.compile(r"[*\u00b9\u00b2\u00b3\u2070-\u2079]+")
_CYRILLIC = re.compile("[а-яәғқңөұүһі]")
_DASHES = re.compile(r"[\u2010-\u2015\u2212_/()\-]+")
_DROP = re.compile(r"[.,\"'«»“”„`]+")


def normalise_name(text: str) -> str:
    """A region name reduced for matching: case, ё, dashes, dots, quotes and spaces ignored;
    footnote marks (``*``, superscripts, a trailing number after a Cyrillic name) dropped;
    Latin look-alike letters inside a Cyrillic name read as Cyrillic.

    >>> normalise_name(" Жетiсу  облысы ") == normalise_name("жетісу облысы")
    True
    >>> normalise_name("Туркестанская**") == normalise_name("Туркестанская 1") == "туркестанская"
    True
    """
    s = unicodedata.normalize("NFC", str(text)).lower().replace("ё", "е")
    s = s.translate(_INVISIBLE)
    s = _FOOTNOTE.sub(" ", _DROP.sub(" ", _DASHES.sub(" ", s)))
    s = " ".join(s.split())
    if _CYRILLIC.search(s):
        s = re.sub(r" \d{1,2}$", "", s).translate(_LATIN_TO_CYRILLIC)
    return s


@dataclass(frozen=True)
class Region:
    """A region (unit) of the catalogue, or the national reference row."""

    id: str
    order: int
    iso_3166_2: str
    type: str  # oblast | city | country
    macro_region: str
    names: dict[str, str]

    def name(self, lang: str = "en") -> str:
        return self.names.get(lang) or self.names["en"]


@dataclass(frozen=True)
class MacroRegion:
    """A group of regions: the dissertation's four macro-regions, and the three cities."""

    id: str
    order: int
    names: dict[str, str]
    specialisation: dict[str, str]

    def name(self, lang: str = "en") -> str:
        return self.names.get(lang) or self.names["en"]


@dataclass(frozen=True)
class Regions:
    """The regions of Kazakhstan and the national row, with a resolver for name variants."""

    regions: tuple[Region, ...]
    aliases: dict[str, str]  # normalised alias → region id
    ambiguous: dict[str, tuple[str, ...]]  # normalised alias → the regions it may mean
    sha256: str
    macro_regions: tuple[MacroRegion, ...] = ()

    @cached_property
    def by_id(self) -> dict[str, Region]:
        return {r.id: r for r in self.regions}

    @cached_property
    def unit_ids(self) -> tuple[str, ...]:
        """The ids of the regions that are assessed (the national row excluded)."""
        return tuple(r.id for r in self.regions if r.id != NATIONAL_ID)

    def resolve(self, text: str) -> str | None:
        """The region id for any known spelling of a region's name; None if the name is
        unknown or ambiguous (see :meth:`candidates`)."""
        return self.aliases.get(normalise_name(text))

    def candidates(self, text: str) -> tuple[str, ...]:
        """Every region ``text`` may mean: one id, several for an ambiguous name such as
        bare ``Алматы`` (Almaty Region in the dissertation, often the city elsewhere), or none.

        >>> load_regions().candidates("Алматы"), load_regions().candidates("Алматы қ.")
        (('almaty_region', 'almaty_city'), ('almaty_city',))
        """
        key = normalise_name(text)
        if key in self.ambiguous:
            return self.ambiguous[key]
        rid = self.aliases.get(key)
        return (rid,) if rid else ()

    def suggest(self, text: str, n: int = 3) -> list[str]:
        """Known names closest to ``text``, to help a user fix a typo."""
        key = normalise_name(text)
        close = difflib.get_close_matches(key, list(self.aliases), n=n * 3, cutoff=0.6)
        seen: list[str] = []
        for alias in close:
            rid = self.aliases[alias]
            if rid not in seen:
                seen.append(rid)
        return seen[:n]

    def name(self, region_id: str, lang: str = "en") -> str:
        region = self.by_id.get(region_id)
        return region.name(lang) if region else region_id


@lru_cache(maxsize=1)
def load_regions() -> Regions:
    """The regions catalogue from package data (cached)."""
    rows, digest = read_catalogue_csv("regions.csv")
    alias_rows, alias_digest = read_catalogue_csv("region_aliases.csv")
    ambiguous_rows, ambiguous_digest = read_catalogue_csv("region_ambiguous.csv")
    ambiguous = {normalise_name(a["alias"]): tuple(a["region_ids"].split(";")) for a in ambiguous_rows}
    regions = tuple(
        Region(
            id=r["region_id"],
            order=int(r["order"]),
            iso_3166_2=r["iso_3166_2"],
            type=r["type"],
            macro_region=r["macro_region"],
            names={lang: r[f"name_{lang}"] for lang in ("kk", "ru", "en")},
        )
        for r in sorted(rows, key=lambda r: int(r["order"]))
    )
    aliases: dict[str, str] = {}
    texts = [(r.id, text) for r in regions for text in (r.id, r.iso_3166_2, *r.names.values())]
    texts += [(a["region_id"], a["alias"]) for a in alias_rows]
    for rid, text in texts:
        key = normalise_name(text)
        if key not in ambiguous:
            aliases.setdefault(key, rid)
    macro_rows, macro_digest = read_catalogue_csv("macro_regions.csv")
    macro = tuple(
        MacroRegion(m["macro_region_id"], int(m["order"]),
                    {lang: m[f"name_{lang}"] for lang in ("kk", "ru", "en")},
                    {lang: m[f"specialisation_{lang}"] for lang in ("kk", "ru", "en")})
        for m in sorted(macro_rows, key=lambda m: int(m["order"]))
    )
    return Regions(
        regions=regions,
        aliases=aliases,
        ambiguous=ambiguous,
        sha256=hashlib.sha256(
            (digest + alias_digest + ambiguous_digest + macro_digest).encode()).hexdigest(),
        macro_regions=macro,
    )
