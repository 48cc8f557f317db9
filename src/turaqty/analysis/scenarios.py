"""Scenarios and what-if: change indicators, assess again, compare with the baseline.

A :class:`Change` moves one indicator of some regions:

``relative``  x · (1 + value)                (value −0.10: 10 % lower)
``absolute``  x + value                      (in the indicator's unit)
``gap``       x + value · (reference − x), only where the reference is better than x
              (reference: ``national``, ``best`` region, ``median`` or a ``norm``)
``set``       value                          (what-if: "unemployment falls to 4 %")

The catalogue (``data/scenarios/``) holds the dissertation's pessimistic, realistic and
optimistic scenarios of its four macro-regions (Tables 21-24), each narrative bullet in
kk/ru/en, and their quantified version: changes by 2030, each naming the bullet it
quantifies. By default the baseline's normalisation bounds and risk thresholds are kept, so
scenario scores are comparable with the baseline's (``bounds="recomputed"`` renormalises).

Example
-------
>>> from turaqty.engine.assessment import assess
>>> base = assess()
>>> s = run_changes(base, [Change("karaganda", "B25", "set", 4.0)], name="whatif")
>>> s.comparison.query("unit_id == 'karaganda' and indicator_or_index == 'B25'")[
...     ["baseline", "scenario_value"]].values.tolist()
[[4.1, 4.0]]
"""
from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache

import numpy as np
import pandas as pd

from turaqty.engine.assessment import Assessment, assess
from turaqty.errors import DataError, Problem, RegionNames
from turaqty.i18n import t
from turaqty.io.structured import load_structured
from turaqty.io.write import plain
from turaqty.model.framework import load_framework
from turaqty.model.package_data import data_file
from turaqty.model.units import NATIONAL_ID, load_regions

METHODS = ("relative", "absolute", "gap", "set")
REFERENCES = ("national", "best", "median", "norm")
SCENARIOS = ("pessimistic", "realistic", "optimistic")
BOUNDS = ("baseline", "recomputed")


@dataclass(frozen=True)
class Change:
    """One change of one indicator for one region (or a group, see :func:`resolve_targets`)."""

    target: str
    indicator: str
    method: str
    value: float
    reference: str = ""
    norm: float | None = None
    source: str = ""  # the narrative bullet it quantifies, e.g. "west:realistic:f3"
    horizon: int | None = None  # the year the change is reached by (catalogue scenarios: 2030)
    assumption: bool = False  # a quantification of the narrative, not a forecast

    def __post_init__(self):
        bad = (self.method not in METHODS
               or (self.method == "gap" and self.reference not in REFERENCES)
               or (self.reference == "norm" and self.norm is None)
               or not np.isfinite(self.value))
        if bad:
            raise DataError(Problem("bad_change", value=f"{self.method} {self.value} {self.reference}",
                                    params={"methods": ", ".join(METHODS),
                                            "references": ", ".join(REFERENCES)}))


@lru_cache(maxsize=1)
def narratives() -> dict:
    """The scenario narratives of Tables 21-24 (kk/ru/en) and how inconsistencies were resolved."""
    return json.loads(data_file("scenarios", "narratives.json").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _catalogue_changes() -> tuple[dict, ...]:
    text = data_file("scenarios", "changes.csv").read_text(encoding="utf-8")
    return tuple(csv.DictReader(io.StringIO(text)))


def scenario_ids() -> list[str]:
    """``macro:scenario`` for every scenario of the catalogue.

    >>> scenario_ids()[:3]
    ['west:pessimistic', 'west:realistic', 'west:optimistic']
    """
    return [f"{m['id']}:{s['id']}" for m in narratives()["macro_regions"] for s in m["scenarios"]]


def scenario_narrative(scenario_id: str) -> dict:
    """The narrative of one scenario: label, factors, results, quantification, source line."""
    macro, _, name = scenario_id.partition(":")
    for m in narratives()["macro_regions"]:
        for s in m["scenarios"]:
            if m["id"] == macro and s["id"] == name:
                return s
    raise DataError(Problem("unknown_scenario", value=scenario_id,
                            params={"choices": ", ".join(scenario_ids() + ["all"])}))


def scenario_changes(scenario_id: str) -> list[Change]:
    """The quantified changes of a catalogue scenario (targets resolved to region ids)."""
    scenario_narrative(scenario_id)  # raises for an unknown id
    macro = scenario_id.split(":")[0]
    changes = []
    for row in _catalogue_changes():
        if row["scenario"] != scenario_id:
            continue
        targets = resolve_targets(macro if row["target"] == "members" else row["target"])
        for unit in targets:
            changes.append(Change(unit, row["indicator"], row["method"], float(row["value"]),
                                  row["reference"], float(row["norm"]) if row["norm"] else None,
                                  row["source"], int(row["horizon"]), row["assumption"] == "yes"))
    return changes


def catalogues(base: Assessment | None = None):
    """The units and the framework changes are named in: those of ``base`` (the assessment
    they apply to), else Kazakhstan's regions and the dissertation's framework."""
    return (base.regions, base.framework) if base is not None else (load_regions(), load_framework())


def resolve_targets(target: str, base: Assessment | None = None) -> list[str]:
    """Unit ids meant by ``target``: a unit (any name variant), a macro-region id or
    ``all``; empty if unknown (units of ``base``, default Kazakhstan's regions)."""
    regions, _ = catalogues(base)
    if target == "all":
        return list(regions.unit_ids)
    members = [r.id for r in regions.regions if r.macro_region == target and r.id != NATIONAL_ID]
    if members:
        return members
    rid = regions.resolve(target)
    return [rid] if rid and rid != NATIONAL_ID else []


NOTES = ("", "no_effect", "same_value", "no_value", "no_reference", "not_in_data", "clipped",
         "at_best", "at_worst")
APPLIED = ("", "clipped", "at_best", "at_worst")  # the value changed (its score may not)


def apply_changes(base: Assessment, changes: list[Change], bounds: str = "baseline") -> tuple:
    """The baseline's dataset with ``changes`` applied, and a table of every change
    (``unit_id, indicator, before, after, method, value, reference, source, horizon,
    assumption, note``).

    References (national value, best region, median) are taken from the baseline, so the
    order of the changes does not matter. ``note`` says why a change moved nothing
    (``no_effect``: already at or beyond the reference, ``same_value``: the value set is the
    baseline's, ``no_value``: the region has no value, ``no_reference``: e.g. no national
    row, ``not_in_data``: the data lack the region or indicator) or, with the baseline's
    bounds kept, that the new value lies beyond them (``clipped``: its score becomes the
    scale's end, 1 or 9 on the dissertation's scale; ``at_best``/``at_worst``: its score
    already was that end and stays, so the indices do not move). A normalisation without
    bounds (z-scores, ranks …) clips nothing.
    """
    ds = base.dataset
    values = ds.values.copy()
    col = {c: j for j, c in enumerate(ds.indicators)}
    row = {u: i for i, u in enumerate(ds.units)}
    lower, upper = base.arrays.lower, base.arrays.upper
    applied = []
    for ch in expand_changes(changes, base):
        if ch.indicator not in col or ch.target not in row:
            applied.append((ch.target, ch.indicator, np.nan, np.nan, ch.method, ch.value,
                            ch.reference, ch.source, ch.horizon, ch.assumption, "not_in_data"))
            continue
        i, j = row[ch.target], col[ch.indicator]
        x = values[i, j]
        direction = int(base.direction_signs[j])
        national = ds.national[j] if ds.national is not None else np.nan
        new, note = _changed_value(x, ch, ds.values[:, j], national, direction)
        if note == "" and bounds == "baseline":
            note = _beyond_bounds(x, new, lower[j], upper[j], direction)
        values[i, j] = new
        applied.append((ch.target, ch.indicator, x, new, ch.method, ch.value, ch.reference,
                        ch.source, ch.horizon, ch.assumption, note))
    table = pd.DataFrame(applied, columns=["unit_id", "indicator", "before", "after", "method",
                                           "value", "reference", "source", "horizon",
                                           "assumption", "note"])
    return replace(ds, values=values, source=f"{ds.source} + changes"), table


def _beyond_bounds(before: float, after: float, lower: float, upper: float, direction: int) -> str:
    """The note of a value changed from ``before`` to ``after`` against the baseline's bounds
    (NaN: a normalisation without bounds, nothing is clipped): ``clipped`` beyond them (the
    score becomes the end of the scale, whatever the scale), ``at_best``/``at_worst`` when
    ``before`` already was at or beyond that same bound (its score already was that end),
    ``''`` within them.

    >>> [_beyond_bounds(*case, 2.0, 8.0, 1) for case in ((5.0, 9.0), (8.0, 9.0), (2.0, 1.0), (5.0, 6.0))]
    ['clipped', 'at_best', 'at_worst', '']
    >>> _beyond_bounds(2.0, 1.0, 2.0, 8.0, -1), _beyond_bounds(3.0, 1.0, np.nan, np.nan, 1)
    ('at_best', '')
    """
    if not (np.isfinite(lower) and np.isfinite(upper)) or lower <= after <= upper:
        return ""
    above = after > upper
    best_side = above == (direction > 0)
    already = before >= upper if above else before <= lower  # False for a missing value
    return ("at_best" if best_side else "at_worst") if already else "clipped"


def _changed_value(x: float, ch: Change, column: np.ndarray, national: float,
                   direction: int) -> tuple[float, str]:
    """The new value and a note (see :func:`apply_changes`)."""
    if ch.method == "set":
        return ch.value, "" if ch.value != x else "same_value"
    if np.isnan(x):
        return x, "no_value"
    if ch.method in ("relative", "absolute"):
        new = x * (1 + ch.value) if ch.method == "relative" else x + ch.value
        return new, "" if new != x else "no_effect"
    reference = {
        "national": national,
        "best": np.nanmax(column) if direction > 0 else np.nanmin(column),
        "median": np.nanmedian(column),
        "norm": ch.norm,
    }[ch.reference]
    if reference is None or np.isnan(reference):
        return x, "no_reference"
    if (reference - x) * direction <= 0:
        return x, "no_effect"  # the region is already at or beyond the reference
    return x + ch.value * (reference - x), ""


@dataclass(frozen=True)
class ScenarioResult:
    """A scenario's assessment, the changes applied and (built when first read) the
    comparison with the baseline."""

    name: str
    baseline: Assessment = field(repr=False)
    assessment: Assessment = field(repr=False)
    applied: pd.DataFrame = field(repr=False)

    @property
    def changed(self) -> int:
        """How many values the scenario really changed."""
        return int((self.applied["note"].isin(APPLIED)).sum())

    @cached_property
    def comparison(self) -> pd.DataFrame:
        """``unit_id, scenario, indicator_or_index, baseline, scenario_value, change``."""
        return compare(self.baseline, self.assessment, self.name)


def run_changes(base: Assessment, changes: list[Change], name: str = "whatif",
                bounds: str = "baseline", strict: bool = False) -> ScenarioResult:
    """Apply ``changes`` to the baseline's data, assess again (keeping the baseline's
    normalisation bounds and risk thresholds, or ``bounds="recomputed"``), compare.
    ``strict`` (what-if): a change to a region or indicator the data lack is an error."""
    if bounds not in BOUNDS:
        raise DataError(Problem("unknown_bounds", value=bounds, params={"choices": ", ".join(BOUNDS)}))
    ds, applied = apply_changes(base, changes, bounds)
    missing = applied[applied["note"] == "not_in_data"]
    if strict and len(missing):
        raise DataError([Problem("whatif_not_in_data", file=base.dataset.source, value=f"{u}.{c}")
                         for u, c in zip(missing["unit_id"], missing["indicator"], strict=True)])
    new = assess(ds, profile=base.method, lang=base.lang, framework=base.framework,
                 baseline=base if bounds == "baseline" else None)
    skipped = applied[~applied["note"].isin(APPLIED)]
    new.manifest["scenario"] = {"name": name, "bounds": bounds,
                                "changed": int(len(applied) - len(skipped)),
                                "not_applied": skipped[["unit_id", "indicator", "note"]].to_dict("records")}
    return ScenarioResult(name, base, new, applied)


def run_scenario(base: Assessment, scenario_id: str, bounds: str = "baseline") -> ScenarioResult:
    """Run one catalogue scenario (``west:optimistic`` …) on the baseline."""
    return run_changes(base, scenario_changes(scenario_id), scenario_id, bounds)


def compare(base: Assessment, new: Assessment, name: str) -> pd.DataFrame:
    """Every index, rank and level of every region, and every value, score and risk class
    that changed: ``unit_id, scenario, indicator_or_index, baseline, scenario_value, change``."""
    rows = []
    b_ix, n_ix = base.indices.set_index("unit_id"), new.indices.set_index("unit_id")
    for unit in b_ix.index:
        for col in base.framework.index_columns:
            for key in (col, f"rank_{col}", f"level_{col}"):
                if key not in b_ix.columns:
                    continue
                before, after = plain(b_ix.loc[unit, key]), plain(n_ix.loc[unit, key])
                rows.append((unit, name, key, before, after, _difference(before, after)))
    codes = base.dataset.indicators
    bv, nv = base.dataset.values, new.dataset.values
    bs, ns = base.arrays.scores, new.arrays.scores
    changed = (~((bv == nv) | (np.isnan(bv) & np.isnan(nv)))
               | ~((bs == ns) | (np.isnan(bs) & np.isnan(ns)))
               | (base.risk_classes != new.risk_classes))
    for i, j in zip(*np.nonzero(changed), strict=True):
        unit, code = base.dataset.units[i], codes[j]
        for key, before, after in (
                (code, base.dataset.values[i, j], new.dataset.values[i, j]),
                (f"score:{code}", base.arrays.scores[i, j], new.arrays.scores[i, j]),
                (f"risk:{code}", base.risk_classes[i, j], new.risk_classes[i, j])):
            before, after = plain(before), plain(after)
            rows.append((unit, name, key, before, after, _difference(before, after)))
    frame = pd.DataFrame(rows, columns=["unit_id", "scenario", "indicator_or_index", "baseline",
                                        "scenario_value", "change"])
    return frame


def _difference(before, after):
    if isinstance(before, str) or isinstance(after, str):
        return "" if before == after else f"{before}→{after}"
    if pd.isna(before) or pd.isna(after):
        return np.nan
    return float(after) - float(before)


def comparison_summary(result: ScenarioResult, lang: str = "en") -> pd.DataFrame:
    """Per region: integral index and rank before and after, and the levels that change."""
    c = result.comparison
    wide = c.pivot(index="unit_id", columns="indicator_or_index", values=["baseline", "scenario_value"])
    regions = result.assessment.regions
    fw = result.assessment.framework
    root = fw.root  # the columns keep the documented names of the integral index
    out = pd.DataFrame({
        "unit_id": wide.index,
        "name": [regions.name(u, lang) for u in wide.index],
        "integral": wide[("baseline", root)].astype(float).to_numpy(),
        "integral_scenario": wide[("scenario_value", root)].astype(float).to_numpy(),
        "rank": wide[("baseline", f"rank_{root}")].to_numpy(),
        "rank_scenario": wide[("scenario_value", f"rank_{root}")].to_numpy(),
    })

    def level(value) -> str:
        return t(f"level.{value}", lang) if value else "–"

    out["levels_changed"] = [
        "; ".join(f"{fw.pillar_name(col, lang)}: {level(wide.loc[u, ('baseline', f'level_{col}')])}"
                  f"→{level(wide.loc[u, ('scenario_value', f'level_{col}')])}"
                  for col in fw.index_columns if ("baseline", f"level_{col}") in wide.columns
                  if wide.loc[u, ("baseline", f"level_{col}")]
                  != wide.loc[u, ("scenario_value", f"level_{col}")])
        for u in wide.index]
    order = {u: k for k, u in enumerate(regions.unit_ids)}
    return out.sort_values("unit_id", key=lambda s: s.map(order)).reset_index(drop=True)


# --- what-if input ---------------------------------------------------------------------

FIELDS = {  # accepted names of the fields of a what-if entry (files may use kk/ru headers)
    "region": ("region", "регион", "аймақ", "облыс", "область", "unit_id"),
    "indicator": ("indicator", "code", "показатель", "код", "көрсеткіш"),
    "value": ("value", "значение", "мәні", "мән"),
}


def parse_setting(text: str, where: str = "--set", base: Assessment | None = None) -> Change:
    """``REGION.CODE=VALUE`` (a value, or ``+10%``/``-5%`` for a relative change) → Change.

    >>> c = parse_setting("Қарағанды.B25=4,0")
    >>> c.target, c.indicator, c.method, c.value
    ('karaganda', 'B25', 'set', 4.0)
    >>> parse_setting("г. Астана.B1=120.5").value
    120.5
    >>> parse_setting("west.B49=-10%").method, parse_setting("west.B49=-10%").value
    ('relative', -0.1)
    """
    left, eq, value = text.partition("=")
    region, dot, code = left.rpartition(".")
    if not dot or not eq:
        raise DataError(Problem("whatif_syntax", column=where, value=text))
    return _change(region.strip(), code.strip(), value.strip(), where, None, base)


def parse_settings(texts: list[str], base: Assessment | None = None) -> list[Change]:
    """Every ``--set``, reporting all problems at once (and a cell set twice); units and
    codes of ``base`` (default: Kazakhstan's regions, the dissertation's codes)."""
    changes, problems = [], []
    for text in texts:
        try:
            changes.append(parse_setting(text, base=base))
        except DataError as err:
            problems += err.problems
    if problems:
        raise DataError(problems)
    return _no_duplicates(expand_changes(changes, base), "--set")


def _no_duplicates(changes: list[Change], where: str) -> list[Change]:
    seen, problems = set(), []
    for ch in changes:
        if (ch.target, ch.indicator) in seen:
            problems.append(Problem("whatif_duplicate", file=where, value=f"{ch.target}.{ch.indicator}"))
        seen.add((ch.target, ch.indicator))
    if problems:
        raise DataError(problems)
    return changes


def _change(region: str, code: str, value, where: str, row: int | None,
            base: Assessment | None = None) -> Change:
    """One what-if change, every problem of it reported (region, indicator, value)."""
    import difflib

    from turaqty.io.cells import CellError, parse_number

    problems = []
    regions, fw = catalogues(base)
    home = base is None or base.home  # else a framework and units of the user's own: their words

    def names(ids) -> RegionNames | str:
        return RegionNames(ids) if home else ", ".join(regions.name(u) for u in ids) or "-"
    targets = resolve_targets(region, base)
    options = regions.candidates(region)
    if regions.resolve(region) == NATIONAL_ID:
        problems.append(Problem("whatif_national", file=where, row=row, column="region", value=region))
    elif len(options) > 1:  # bare «Алматы»: the city or the region, as the file reader says
        problems.append(Problem("ambiguous_region", file=where, row=row, column="region", value=region,
                                params={"options": names(options)}))
    elif not targets:
        problems.append(Problem("unknown_region" if home else "whatif_unknown_unit", file=where, row=row,
                                column="region", value=region,
                                params={"suggestions": names(regions.suggest(region))}))
    resolved = fw.resolve_code(code)
    if resolved is None or not fw.by_code[resolved].has_data:
        close = difflib.get_close_matches(str(code).upper(), fw.codes, n=3)
        problems.append(Problem("whatif_indicator" if home else "whatif_unknown_code", file=where, row=row,
                                column="indicator", value=code,
                                params={"suggestions": ", ".join(close) or "-",
                                        "codes": ", ".join(fw.codes[:6]) + " …" * (len(fw.codes) > 6)}))
    text = str(value).strip() if value is not None else ""
    relative = text.endswith("%") and text[:1] in "+-−"
    try:
        number = parse_number(text[:-1] if relative else value)
        if number is None:
            raise CellError("not_numeric")
    except CellError:
        problems.append(Problem("whatif_value", file=where, row=row, column="value", value=value))
        number = np.nan
    if problems:
        raise DataError(problems)
    assert resolved is not None  # an unknown indicator is a problem above
    method, amount = ("relative", number / 100) if relative else ("set", number)
    target = targets[0] if len(targets) == 1 else region  # a group is expanded later
    return Change(target, resolved, method, amount, source=where)


def expand_changes(changes: list[Change], base: Assessment | None = None) -> list[Change]:
    """Changes aimed at a macro-region or ``all``, one per member unit."""
    return [replace(ch, target=u) for ch in changes for u in resolve_targets(ch.target, base)]


def _entry_fields(entry: dict, file: str, row: int) -> tuple[dict, list[Problem]]:
    names = {alias: key for key, aliases in FIELDS.items() for alias in aliases}
    fields, problems = {}, []
    for k, v in entry.items():
        key = names.get(str(k).strip().lower())
        if key is None:
            problems.append(Problem("whatif_field", file=file, row=row, column=str(k), value=str(k),
                                    params={"fields": "region, indicator, value"}))
        else:
            fields[key] = v
    missing = [k for k in FIELDS if k not in fields]
    if missing:
        problems.append(Problem("whatif_entry", file=file, row=row, value=", ".join(missing)))
    return fields, problems


def read_changes(path, base: Assessment | None = None) -> list[Change]:
    """What-if changes from a YAML, JSON or CSV file: a list of entries with ``region``,
    ``indicator`` and ``value`` (a number, or ``+10%``/``-5%``; kk/ru field names also
    work). Every problem is reported with the file, the entry's row and the field."""
    from pathlib import Path

    from turaqty.io.tables import read_rows

    path = Path(path)
    file = str(path)
    if path.suffix.lower() in (".yaml", ".yml", ".json"):
        entries = load_structured(path)
        if isinstance(entries, dict):
            entries = entries.get("changes", entries)
        if not isinstance(entries, list):
            raise DataError(Problem("whatif_file", file=file))
        rows = list(enumerate(entries, start=1))
    else:
        raw = read_rows(path)
        header = [str(h).strip() for h in raw.rows[0][1]] if raw.rows else []
        names = {alias for key, aliases in FIELDS.items() if key != "region" for alias in aliases}
        if not {h.lower() for h in header} & names:  # a data file, or no header at all
            raise DataError(Problem("whatif_no_changes", file=file))
        # a row may be shorter or longer than the header: extra cells have no column name
        rows = [(n, dict(zip(header, cells, strict=False))) for n, cells in raw.rows[1:]]
    if not rows:
        raise DataError(Problem("whatif_no_changes", file=file))
    changes, problems = changes_from_entries(rows, file, base)
    if problems:
        raise DataError(problems)
    return _no_duplicates(expand_changes(changes, base), file)


def changes_from_entries(rows, file: str,
                         base: Assessment | None = None) -> tuple[list[Change], list[Problem]]:
    """Changes from ``(row number, entry)`` pairs, and every problem found in them."""
    changes, problems = [], []
    for n, entry in rows:
        if not isinstance(entry, dict):
            problems.append(Problem("whatif_entry", file=file, row=n, value="region, indicator, value"))
            continue
        fields, entry_problems = _entry_fields(entry, file, n)
        entry_problems += [Problem("whatif_not_scalar", file=file, row=n, column=k)
                           for k, v in fields.items() if isinstance(v, (list, dict, set, tuple))]
        problems += entry_problems
        if entry_problems:
            continue
        try:
            changes.append(_change(str(fields["region"]), str(fields["indicator"]), fields["value"], file, n,
                                   base))
        except DataError as err:
            problems += err.problems
    return changes, problems


def scenario_label(scenario_id: str, lang: str) -> str:
    """"Western macro-region: optimistic scenario" in ``lang``."""
    regions = load_regions()
    macro, _, name = scenario_id.partition(":")
    group = next((m.name(lang) for m in regions.macro_regions if m.id == macro), macro)
    return f"{group}: {scenario_narrative(scenario_id)['label'][lang]}"


def changes_table(applied: pd.DataFrame, lang: str, base: Assessment | None = None) -> pd.DataFrame:
    """The applied changes with the unit's and the indicator's name (of ``base``), the
    derivation and the note in words."""
    from turaqty.i18n import format_number

    regions, fw = catalogues(base)
    out = applied.copy()
    out.insert(1, "name", [regions.name(u, lang) for u in out["unit_id"]])
    out.insert(3, "indicator_name", [fw.by_code[c].name(lang) if c in fw.by_code else c
                                     for c in out["indicator"]])

    def percent(v: float, signed: bool) -> str:
        text = format_number(100 * v, lang, 1).rstrip("0").rstrip(",.")
        return f"{'+' if signed and v > 0 else ''}{text} %"

    out["derivation"] = [
        t(f"scenario.method.{m}", lang,
          value=percent(v, True) if m == "relative" else format_number(v, lang, 3).rstrip("0").rstrip(",."),
          share=percent(v, False), reference=t(f"scenario.reference.{ref}", lang) if ref else "",
          unit=fw.by_code[c].unit(lang) if c in fw.by_code else "")
        for m, v, ref, c in zip(out["method"], out["value"], out["reference"], out["indicator"], strict=True)]
    out["note"] = [t(f"scenario.note.{n}", lang) if n else "" for n in out["note"]]
    return out
