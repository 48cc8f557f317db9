"""Changes of the regional layout over the years, as data (``data/region_layout.csv``).

Kazakhstan's regions changed twice since 2010: in 2018 South Kazakhstan Region became
Turkistan Region and Shymkent left it; in 2022 Abai left East Kazakhstan, Zhetisu left Almaty
Region and Ulytau left Karaganda. A unit created by a split exists from the year of the
split; its parent's series has a *break* that year (the territory changed).

Example
-------
>>> layout = load_layout()
>>> layout.existence(["abai", "akmola"], [1999, 2021, 2022]).tolist()
[[False, False, True], [True, True, True]]
>>> layout.breaks["east_kazakhstan"], layout.breaks["turkistan"], layout.parent["shymkent"]
((2022,), (2018,), 'turkistan')
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from turaqty.model.package_data import read_catalogue_csv
from turaqty.model.units import normalise_name


@dataclass(frozen=True)
class Change:
    """One change of the layout: ``split`` (``unit_id`` leaves ``parent``) or ``rename``."""

    year: int
    change: str
    parent: str
    unit_id: str
    old_names: tuple[str, ...]
    note: str


@dataclass(frozen=True)
class Layout:
    """The changes of the regional layout, and what follows from them."""

    changes: tuple[Change, ...]
    sha256: str = ""

    @property
    def born(self) -> dict[str, int]:
        """The first year of each unit created by a split."""
        return {c.unit_id: c.year for c in self.changes if c.change == "split"}

    @property
    def parent(self) -> dict[str, str]:
        """The unit each split-off unit came from."""
        return {c.unit_id: c.parent for c in self.changes if c.change == "split"}

    @property
    def breaks(self) -> dict[str, tuple[int, ...]]:
        """Per unit whose territory or name changed: the years of the change."""
        out: dict[str, set[int]] = {}
        for c in self.changes:
            out.setdefault(c.parent, set()).add(c.year)
        return {u: tuple(sorted(y)) for u, y in out.items()}

    @property
    def old_names(self) -> dict[str, str]:
        """Normalised former names and codes (``KZONT``, ``Южно-Казахстанская область``) → the
        unit that continues them.

        >>> load_layout().old_names[normalise_name("KZONT")]
        'turkistan'
        """
        return {normalise_name(n): c.parent for c in self.changes for n in c.old_names}

    def existence(self, units, years) -> np.ndarray:
        """Bool units × years: which unit existed in which year.

        >>> load_layout().existence(["abai", "akmola"], [2021, 2022]).tolist()
        [[False, True], [True, True]]
        """
        born = self.born
        first = np.array([born.get(u, -10**6) for u in units])
        return first[:, None] <= np.asarray(years)[None, :]


@lru_cache(maxsize=1)
def load_layout() -> Layout:
    """The layout changes of Kazakhstan's regions (package data, cached)."""
    rows, digest = read_catalogue_csv("region_layout.csv")
    changes = tuple(Change(int(r["year"]), r["change"], r["parent"], r["unit_id"],
                           tuple(n for n in r["old_names"].split(";") if n), r["note"])
                    for r in rows)
    return Layout(changes, hashlib.sha256(digest.encode()).hexdigest())
