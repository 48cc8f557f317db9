"""Units: the regions of Kazakhstan (and the national reference row), with every known
spelling of their names, ISO codes, types and macro-regions.

Example
-------
>>> regions = load_regions()
>>> regions.resolve("Западно-Казахстанская область"), regions.resolve("Астана қ.")
('west_kazakhstan', 'astana')
"""
from __future__ import annotations

import difflib
import hashlib
import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property, lru_cache

from turaqty.errors import DataError, Problem
from turaqty.model.package_data import read_catalogue_csv

NATIONAL_ID = "kz"


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


PACKAGE_UNITS = "package:regions.csv"  # the source of Kazakhstan's regions catalogue


@dataclass(frozen=True)
class Regions:
    """The regions of Kazakhstan and the national row, with a resolver for name variants."""

    regions: tuple[Region, ...]
    aliases: dict[str, str]  # normalised alias → region id
    ambiguous: dict[str, tuple[str, ...]]  # normalised alias → the regions it may mean
    sha256: str
    macro_regions: tuple[MacroRegion, ...] = ()
    source: str = PACKAGE_UNITS
    geometry_file: str = ""  # GeoJSON of the units (features with an ``id`` property), if any

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


_UNIT_HEADERS = {"id": "id", "unitid": "id", "regionid": "id", "ucode": "id", "code": "id",
                 "name": "name_en", "uname": "name_en", "nameen": "name_en", "namekk": "name_kk",
                 "nameru": "name_ru", "aliases": "aliases", "alias": "aliases", "type": "type",
                 "group": "group", "macroregion": "group", "iso": "iso", "iso31662": "iso",
                 "order": "order"}


def build_units(rows: list[dict], file: str, *, row_numbers: list[int] | None = None,
                digest: str = "", geometry_file: str = "") -> Regions:
    """A units catalogue from rows with an id, names (``name_kk``, ``name_ru``, ``name_en``
    or ``name``), optional ``aliases`` (separated by ``;``), ``type`` and ``group``; a
    duplicate id, a row without an id, or a name or alias that names two units is reported
    with its file, row and field.

    >>> u = build_units([{"id": "d1", "name_ru": "Район 1", "aliases": "R1"},
    ...                  {"id": "d2", "name": "District 2"}], file="units.csv")
    >>> u.resolve("район 1"), u.resolve("r1"), u.name("d2", "kk")
    ('d1', 'd1', 'District 2')
    """
    numbers = row_numbers or list(range(2, len(rows) + 2))
    problems: list[Problem] = []
    regions: list[Region] = []
    aliases: dict[str, str] = {}
    alias_row: dict[str, int] = {}
    seen: dict[str, int] = {}
    for k, raw in enumerate(rows):
        r = {_UNIT_HEADERS.get(re.sub(r"[\s_\-]+", "", str(key)).lower(), str(key)): str(v or "").strip()
             for key, v in raw.items() if key is not None}
        unit_id = r.get("id", "")
        if not unit_id:
            problems.append(Problem("units_id", file=file, row=numbers[k], column="id"))
            continue
        if unit_id in seen:
            problems.append(Problem("units_duplicate", file=file, row=numbers[k], column="id",
                                    value=unit_id, params={"first": numbers[seen[unit_id]]}))
            continue
        seen[unit_id] = k
        names = {lang: r[f"name_{lang}"] for lang in ("kk", "ru", "en") if r.get(f"name_{lang}")}
        names.setdefault("en", next(iter(names.values()), unit_id))
        regions.append(Region(unit_id, k, r.get("iso", ""), r.get("type", ""), r.get("group", ""), names))
        texts = {unit_id, *names.values(), *(a for a in r.get("aliases", "").split(";") if a.strip())}
        for text in texts:
            key = normalise_name(text)
            if aliases.get(key, unit_id) != unit_id:
                problems.append(Problem("units_alias", file=file, row=numbers[k], column="aliases",
                                        value=text, params={"other": aliases[key],
                                                            "first": alias_row[key]}))
                continue
            aliases[key], alias_row[key] = unit_id, numbers[k]
    if problems:
        raise DataError(problems)
    groups = sorted({r.macro_region for r in regions if r.macro_region})
    return Regions(tuple(regions), aliases, {}, digest or hashlib.sha256(repr(rows).encode()).hexdigest(),
                   tuple(MacroRegion(g, k, {"en": g}, {}) for k, g in enumerate(groups)),
                   source=file, geometry_file=geometry_file)


def units_named(names: dict[str, str], file: str, digest: str = "") -> Regions:
    """A catalogue of units known only by an id and one name each (e.g. COINr's ``uCode``
    and ``uName``), in the order of ``names``.

    >>> units_named({"AUT": "Austria"}, "panel.csv").name("AUT")
    'Austria'
    """
    return build_units([{"id": u, "name": n} for u, n in names.items()], file, digest=digest)


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
