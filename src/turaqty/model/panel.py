"""Several years of data: units × indicators × years, with a flag and a source per cell.

One year of a :class:`Panel` is a :class:`~turaqty.model.dataset.Dataset` (:meth:`Panel.year`),
so every one-year analysis works on it unchanged.

Example
-------
>>> import pandas as pd
>>> p = panel_from_long(pd.DataFrame({"unit_id": ["akmola", "akmola", "aktobe"],
...     "indicator": ["B3", "B3", "B3"], "year": [2022, 2023, 2023], "value": [6.0, 5.3, 4.2]}))
>>> p.units, p.years, p.values[:, 0, :].tolist()
(('akmola', 'aktobe'), (2022, 2023), [[6.0, 5.3], [nan, 4.2]])
>>> p.year(2023).wide()["B3"].tolist()
[5.3, 4.2]
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd

from turaqty.model.dataset import Dataset, fingerprint
from turaqty.model.package_data import data_file, read_catalogue_csv
from turaqty.model.units import NATIONAL_ID

EMBEDDED_PANEL = "kz-panel"


@dataclass(frozen=True, eq=False)
class Panel:
    """Indicator values of units over years; NaN where there is no value."""

    units: tuple[str, ...]
    indicators: tuple[str, ...]
    years: tuple[int, ...]
    values: np.ndarray  # float64, units × indicators × years
    flags: dict[tuple[str, str, int], str] = field(default_factory=dict)  # (unit, code, year) → flag
    sources: dict[tuple[str, str, int], str] = field(default_factory=dict)  # (unit, code, year) → source
    national: np.ndarray | None = None  # indicators × years
    framework: str = "kz-isdr"
    source: str = "<memory>"
    sha256: str = ""
    notices: tuple = ()  # (code, indicator, unit_id, params) found while reading
    denominators: np.ndarray | None = None  # units × denominator series × years (COINr), if any
    denominator_ids: tuple[str, ...] = ()
    groups: dict[str, np.ndarray] = field(default_factory=dict)  # group → labels, units × years
    unit_names: dict[str, str] = field(default_factory=dict)  # names of units in no catalogue

    def unit_data(self, years: tuple[int, ...]) -> dict:
        """The denominators, groups and unit names (as :class:`Panel` keywords) of ``years``,
        which may be other years than the panel's (a year it lacks: no denominator, no group).

        >>> p = Panel(("a",), ("x",), (2020,), np.ones((1, 1, 1)), denominators=np.full((1, 1, 1), 5.0),
        ...           denominator_ids=("pop",), groups={"g": np.array([["N"]], dtype=object)})
        >>> d = p.unit_data((2020, 2021))
        >>> d["denominators"][0, 0].tolist(), d["groups"]["g"].tolist()
        ([5.0, nan], [['N', '']])
        """
        at = [self.years.index(y) if y in self.years else -1 for y in years]
        have = np.array([k >= 0 for k in at], dtype=bool)
        take = np.array([max(k, 0) for k in at], dtype=np.int64)
        denominators = None
        if self.denominators is not None:
            denominators = np.where(have[None, None, :], self.denominators[:, :, take], np.nan)
        groups = {g: np.where(have[None, :], labels[:, take], "").astype(object)
                  for g, labels in self.groups.items()}
        return {"denominators": denominators, "denominator_ids": self.denominator_ids,
                "groups": groups, "unit_names": self.unit_names}

    def year(self, year: int) -> Dataset:
        """The data of one year as a :class:`Dataset` (flags of that year kept)."""
        if year not in self.years:
            from turaqty.errors import Problem, UsageError

            raise UsageError(Problem("panel_no_year", value=year,
                                     params={"years": _span(self.years)}))
        k = self.years.index(year)
        values = self.values[:, :, k].copy()
        national = self.national[:, k].copy() if self.national is not None else None
        flags = {(u, c): f for (u, c, y), f in self.flags.items() if y == year}
        return Dataset(units=self.units, indicators=self.indicators, values=values,
                       national=national, flags=flags, framework=self.framework, year=year,
                       source=f"{self.source}#{year}", sha256=self.sha256,
                       denominators=None if self.denominators is None else self.denominators[:, :, k].copy(),
                       denominator_ids=self.denominator_ids,
                       groups={g: labels[:, k].copy() for g, labels in self.groups.items()},
                       unit_names=self.unit_names)

    def between(self, first: int, last: int) -> Panel:
        """The panel's years from ``first`` to ``last`` (both included).

        >>> load_embedded_panel().between(2015, 2023).years[:2]
        (2015, 2016)
        """
        keep = [k for k, y in enumerate(self.years) if first <= y <= last]
        if not keep:
            from turaqty.errors import Problem, UsageError

            raise UsageError(Problem("panel_no_year", value=f"{first}-{last}",
                                     params={"years": _span(self.years)}))
        years = tuple(self.years[k] for k in keep)
        inside = set(years)
        return Panel(self.units, self.indicators, years, self.values[:, :, keep],
                     {k: f for k, f in self.flags.items() if k[2] in inside},
                     {k: s for k, s in self.sources.items() if k[2] in inside},
                     self.national[:, keep] if self.national is not None else None,
                     self.framework, f"{self.source}[{first}-{last}]", self.sha256, self.notices,
                     **self.unit_data(years))

    def select(self, codes) -> Panel:
        """The panel with only the indicators ``codes`` (in the panel's order).

        >>> load_embedded_panel().select(["B25", "B3"]).indicators
        ('B3', 'B25')
        """
        wanted = set(codes)
        keep = [j for j, c in enumerate(self.indicators) if c in wanted]
        kept = {self.indicators[j] for j in keep}
        return Panel(self.units, tuple(self.indicators[j] for j in keep), self.years,
                     self.values[:, keep, :], {k: f for k, f in self.flags.items() if k[1] in kept},
                     {k: s for k, s in self.sources.items() if k[1] in kept},
                     self.national[keep] if self.national is not None else None,
                     self.framework, self.source, self.sha256, self.notices,
                     **self.unit_data(self.years))

    def tidy(self) -> pd.DataFrame:
        """``unit_id, indicator, year, value, flag, source``: one row per cell with a value
        (national rows as ``kz``), ordered by unit, indicator, year."""
        u, c, y = np.nonzero(~np.isnan(self.values))
        frame = pd.DataFrame({"unit_id": np.array(self.units, dtype=object)[u],
                              "indicator": np.array(self.indicators, dtype=object)[c],
                              "year": np.array(self.years)[y], "value": self.values[u, c, y]})
        if self.national is not None:
            c2, y2 = np.nonzero(~np.isnan(self.national))
            frame = pd.concat([frame, pd.DataFrame({
                "unit_id": NATIONAL_ID, "indicator": np.array(self.indicators, dtype=object)[c2],
                "year": np.array(self.years)[y2], "value": self.national[c2, y2]})],
                ignore_index=True)
        keys = list(zip(frame["unit_id"].tolist(), frame["indicator"].tolist(),
                        frame["year"].tolist(), strict=True))
        frame["flag"] = [self.flags.get(k, "") for k in keys] if self.flags else ""
        frame["source"] = [self.sources.get(k, "") for k in keys] if self.sources else ""
        return frame

    def coverage(self) -> pd.DataFrame:
        """Per indicator: the years with a value, their span, and the units covered per year.

        >>> load_embedded_panel().coverage().set_index("indicator").loc["B3", "first_year"]
        np.int64(2010)
        """
        have = ~np.isnan(self.values)  # units × indicators × years
        per_year = have.sum(axis=0)  # indicators × years
        years = np.array(self.years)
        rows = []
        for j, code in enumerate(self.indicators):
            with_data = years[per_year[j] > 0]
            rows.append({
                "indicator": code,
                "years": _span(with_data.tolist()),
                "first_year": with_data.min() if with_data.size else pd.NA,
                "last_year": with_data.max() if with_data.size else pd.NA,
                "n_years": int(with_data.size),
                "cells": int(per_year[j].sum()),
                **{str(y): int(n) for y, n in zip(self.years, per_year[j], strict=True)},
            })
        return pd.DataFrame(rows)


def _span(years) -> str:
    """Years as runs: ``2010–2012, 2015``.

    >>> _span([2010, 2011, 2012, 2015])
    '2010–2012, 2015'
    """
    years = sorted(int(y) for y in years)
    runs: list[list[int]] = []
    for y in years:
        if runs and y == runs[-1][1] + 1:
            runs[-1][1] = y
        else:
            runs.append([y, y])
    return ", ".join(f"{a}–{b}" if b > a else str(a) for a, b in runs)


def panel_from_long(frame: pd.DataFrame, *, framework: str = "kz-isdr", source: str = "<memory>",
                    sha256: str = "", notices: tuple = (), order: tuple[str, ...] = ()) -> Panel:
    """A panel from a checked long table ``unit_id, indicator, year, value`` (optionally
    ``flag`` and ``source``); rows of ``kz`` are the national reference. Units follow
    ``order`` (then first appearance), indicators and years ascend in their natural order.
    (Duplicates must have been rejected before: the last one wins here.)"""
    national_rows = frame["unit_id"] == NATIONAL_ID
    seen = list(dict.fromkeys(frame.loc[~national_rows, "unit_id"]))
    units = tuple([u for u in order if u in set(seen)] + [u for u in seen if u not in set(order)])
    indicators = tuple(sorted(dict.fromkeys(frame["indicator"]), key=_code_key))
    years = tuple(sorted({int(y) for y in frame["year"]}))
    values = np.full((len(units), len(indicators), len(years)), np.nan)
    c = pd.Index(indicators).get_indexer(frame["indicator"])
    y = pd.Index(years).get_indexer(frame["year"].astype(int))
    u = pd.Index(units).get_indexer(frame["unit_id"])
    x = pd.to_numeric(frame["value"], errors="coerce").to_numpy(dtype=np.float64)
    regional = u >= 0
    values[u[regional], c[regional], y[regional]] = x[regional]
    national = None
    if national_rows.any():
        national = np.full((len(indicators), len(years)), np.nan)
        national[c[~regional], y[~regional]] = x[~regional]
    keys = list(zip(frame["unit_id"].tolist(), frame["indicator"].tolist(),
                    frame["year"].astype(int).tolist(), strict=True))
    flags = ({k: f for k, f in zip(keys, frame["flag"].fillna("").tolist(), strict=True) if f}
             if "flag" in frame else {})
    sources = ({k: s for k, s in zip(keys, frame["source"].fillna("").tolist(), strict=True) if s}
               if "source" in frame else {})
    return Panel(units, indicators, years, values, flags, sources, national, framework, source,
                 sha256 or fingerprint(values, units, indicators, years), tuple(notices))


def _code_key(code: str):
    """Codes such as B2 < B10 (number part compared as a number)."""
    head = code.rstrip("0123456789")
    tail = code[len(head):]
    return (head, int(tail) if tail else -1, code)


@lru_cache(maxsize=1)
def load_embedded_panel() -> Panel:
    """Kazakhstan's regions 2010–2023: the national SDG platform's regional series for the
    kz-isdr indicators that have one (MIT, see ``data/kazstat/PROVENANCE.md``) and the
    dissertation's 2023 data (Tables 7-9), built by ``tools/build_kz_panel.py``.

    >>> p = load_embedded_panel()
    >>> p.years[0], p.years[-1], len(p.units)
    (2010, 2023, 20)
    """
    from turaqty.model.units import load_regions

    meta = json.loads(data_file("datasets", f"{EMBEDDED_PANEL}.json").read_text(encoding="utf-8"))
    rows, digest = read_catalogue_csv("datasets", f"{EMBEDDED_PANEL}.csv")
    frame = pd.DataFrame(rows)
    frame["year"] = frame["year"].astype(int)
    return panel_from_long(frame, framework=meta["framework"], source=f"embedded:{EMBEDDED_PANEL}",
                           sha256=digest, order=load_regions().unit_ids)
