"""Notes and labels that hold for one dataset only: applied where they are true, not to every
dataset.

- The embedded 2023 data carry their own labels (B1 "2019–2023" and "% (2019 = 100)" in
  ``datasets/kz-2023.json``); the framework's names are generic, for any year.
- "B43 is a copy of B48" (anomalies C1) is said of the embedded data, and of a user's data
  only when their B43 repeats their B48; otherwise the profile's exclusion of B43 is
  explained without that claim.
- The data's year: the embedded data's, ``--year``, or a single year in the file's name.

Example
-------
>>> from turaqty.model.dataset import load_embedded
>>> from turaqty.model.framework import load_framework
>>> ds = load_embedded()
>>> for_dataset(load_framework(), ds).by_code["B1"].name("kk")
'2019–2023 жылдардағы халық санының өзгерісі'
>>> load_framework().by_code["B1"].name("en")
'Population change (% of the base year)'
>>> exclusion_reason(ds, "B43", "suspect")
'suspect'
>>> data_year(ds), year_in_name("kz-stat-2024.xlsx"), year_in_name("2019-2023.csv")
((2023, 'data'), 2024, None)
"""
from __future__ import annotations

import json
import re
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

import numpy as np

from turaqty.model.dataset import Dataset
from turaqty.model.framework import DEFAULT_FRAMEWORK, Framework
from turaqty.model.package_data import data_file

EMBEDDED_PREFIX = "embedded:"
COPIES = {"B43": "B48"}  # anomalies C1: in Table 9, B43's column is a copy of B48's
CONTESTED = {  # the dissertation's indicators whose place in its index is open to dispute
    "B43": "a copy of B48 in Table 9 (anomalies C1)",
    "B48": "spending on environmental protection: polluters' spending counts as a success",
    "B51": "the deviation of the temperature from its norm: a climate hazard, not a result of policy",
}


def contested_indicators(fw: Framework) -> tuple[str, ...]:
    """The indicators of the dissertation's framework that a robustness analysis leaves in
    or out by default (:data:`CONTESTED`); none for any other framework, whose codes may
    mean something else.

    >>> from turaqty.model.framework import load_framework
    >>> contested_indicators(load_framework())
    ('B43', 'B48', 'B51')
    """
    return tuple(c for c in CONTESTED if c in fw.by_code) if fw.id == DEFAULT_FRAMEWORK else ()


_YEAR = re.compile(r"(?<!\d)(19[5-9]\d|20\d\d)(?!\d)")


def is_embedded(ds: Dataset) -> bool:
    """Whether ``ds`` is (a selection of) the embedded data."""
    return ds.source.startswith(EMBEDDED_PREFIX)


@lru_cache(maxsize=4)
def _embedded_meta(name: str) -> dict:
    return json.loads(data_file("datasets", f"{name}.json").read_text(encoding="utf-8"))


def for_dataset(fw: Framework, ds: Dataset) -> Framework:
    """``fw`` with the dataset's own labels (the embedded data's B1 period); ``fw`` itself
    for any other dataset."""
    if not is_embedded(ds):
        return fw
    name = re.match(r"[\w-]+", ds.source[len(EMBEDDED_PREFIX):])  # "kz-2023 + changes" → kz-2023
    labels = _embedded_meta(name.group(0)).get("labels", {}) if name else {}
    if not labels:
        return fw
    indicators = tuple(
        replace(i, names={**i.names, **labels[i.code].get("name", {})},
                units={**i.units, **labels[i.code].get("unit", {})}) if i.code in labels else i
        for i in fw.indicators)
    return replace(fw, indicators=indicators)


def repeats(ds: Dataset, code: str, other: str) -> bool:
    """Whether column ``code`` repeats column ``other`` in at least half of the regions
    with both values (the embedded B43 repeats B48 in 17 of 20)."""
    if code not in ds.indicators or other not in ds.indicators:
        return False
    a = ds.values[:, ds.indicators.index(code)]
    b = ds.values[:, ds.indicators.index(other)]
    both = ~np.isnan(a) & ~np.isnan(b)
    return bool(both.any() and 2 * np.isclose(a[both], b[both]).sum() >= both.sum())


def exclusion_reason(ds: Dataset, code: str, reason: str) -> str:
    """The reason to show for leaving ``code`` out of the index: ``suspect`` ("a copy of
    B48") only where that is true of ``ds``, else ``suspect_elsewhere`` (the profile leaves it
    out because the dissertation's data were unusable)."""
    if reason == "suspect" and code in COPIES and not is_embedded(ds) \
            and not repeats(ds, code, COPIES[code]):
        return "suspect_elsewhere"
    return reason


def year_in_name(path: str) -> int | None:
    """The one year (1950–2099) written in a file's name, or None (none or several).

    >>> year_in_name("/data/regions_2024_final.csv"), year_in_name("data.csv")
    (2024, None)
    """
    found = set(_YEAR.findall(Path(path).stem))
    return int(found.pop()) if len(found) == 1 else None


def data_year(ds: Dataset) -> tuple[int | None, str | None]:
    """The data's year and where it came from: ``data`` (the dataset states it: the
    embedded data, ``--year``), ``file_name``, or ``(None, None)``."""
    if ds.year is not None:
        return ds.year, "data"
    found = None if is_embedded(ds) or ds.source.startswith("<") else year_in_name(ds.source)
    return (found, "file_name") if found is not None else (None, None)
