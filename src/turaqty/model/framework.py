"""Indicator frameworks: a tree of any depth (indicators → … → one index) read from data.

Each node has an id, names in kk/ru/en, a parent and a weight; an aggregate may name its
aggregation (``mean``, ``sum``, ``geometric`` …) and its level bands (``low`` below the first
bound, ``high`` from the second). Indicators carry their unit, direction and optional
goalposts. The index columns of an assessment are the aggregates, lowest level first, the
root last. A framework is read from a folder (``framework.json``, ``indicators.csv`` and
``aggregates.csv``, or one ``structure.csv``), from package data (``kz-isdr``) or, through
:mod:`turaqty.io.frameworks`, from an XLSX workbook or a COINr ``iMeta`` table.

Example
-------
>>> fw = load_framework()
>>> fw.pillar_of["B25"], fw.direction("B7", "meaningful"), fw.direction("B7", "printed")
('economic', 1, -1)
>>> fw.index_columns, fw.root, fw.levels("integral")
(('social', 'economic', 'ecological', 'integral'), 'integral', (11.0, 19.0))
>>> toy = build_framework("toy", {"en": "Toy"}, [
...     {"id": "x1", "parent": "p1"}, {"id": "x2", "parent": "p2", "direction": "-"},
...     {"id": "p1", "parent": "index", "type": "aggregate"},
...     {"id": "p2", "parent": "index", "type": "aggregate", "weight": "2"},
...     {"id": "index", "type": "aggregate"}], file="toy.csv")
>>> toy.index_columns, toy.children("index"), toy.weight("p2")
(('p1', 'p2', 'index'), ('p1', 'p2'), 2.0)
"""
from __future__ import annotations

import hashlib
import json
import math
import re
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from pathlib import Path

from turaqty.errors import DataError, Problem
from turaqty.model.package_data import data_file, read_csv_rows

DEFAULT_FRAMEWORK = "kz-isdr"
LANGS = ("kk", "ru", "en")


@dataclass(frozen=True)
class Indicator:
    """One indicator of a framework; ``pillar`` is its parent node."""

    code: str
    pillar: str
    order: int
    names: dict[str, str]
    units: dict[str, str]
    direction: int  # +1: higher is better; -1: higher is worse (the meaningful direction)
    direction_printed: int | None = None  # as applied by the printed Tables 10-12, if known
    weight: float = 1.0
    has_data: bool = True
    sdg_goal: str = ""
    national_sdg_code: str = ""
    source_table: str = ""
    note: str = ""
    denominator: str = ""  # the id of a denominator series (COINr), if any
    lower_bound: float | None = None  # goalposts (SDSN): the value scored worst …
    target: float | None = None  # … and the value scored best

    def name(self, lang: str = "en") -> str:
        return self.names.get(lang) or self.names.get("en") or self.code

    def unit(self, lang: str = "en") -> str:
        return self.units.get(lang) or self.units.get("en", "")


@dataclass(frozen=True)
class Aggregate:
    """A node above the indicators: a pillar, a sub-index or the index itself (the root)."""

    id: str
    parent: str | None
    order: int
    names: dict[str, str]
    weight: float = 1.0
    aggregation: str = ""  # the framework's choice; empty: the method's default
    levels: tuple[float, float] | None = None  # low < levels[0] ≤ medium < levels[1] ≤ high

    def name(self, lang: str = "en") -> str:
        return self.names.get(lang) or self.names.get("en") or self.id


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
        return condition_orientation(self.printed_high)

    @property
    def printed_inclusive(self) -> tuple[bool, bool]:
        """Whether the printed high- and low-risk conditions include their threshold."""
        return conditions_inclusive(self.printed_high, self.printed_low)


def condition_orientation(high: tuple[str, float]) -> int:
    """+1 if a high-risk condition is on low values (``<``, ``<=``), else −1."""
    return 1 if high[0].startswith("<") else -1


def conditions_inclusive(high: tuple[str, float], low: tuple[str, float]) -> tuple[bool, bool]:
    """Whether a high- and a low-risk condition include their threshold (``<=``, ``>=``)."""
    return high[0].endswith("="), low[0].endswith("=")


@dataclass(frozen=True)
class Framework:
    """An indicator tree with names in kk/ru/en, weights, directions and level bands."""

    id: str
    names: dict[str, str]
    indicators: tuple[Indicator, ...]
    aggregates: tuple[Aggregate, ...]
    sha256: str
    risk_rules: dict[str, RiskRule] = field(default_factory=dict)
    plausibility: dict = field(default_factory=dict)  # code → PlausibleRange tuple (plausibility.py)
    source: str = ""  # where it was read from (package data or a path)
    units_file: str = ""  # the units catalogue that belongs to it ('' : Kazakhstan's regions)
    group_ids: tuple[str, ...] = ()  # columns of the data that group units (COINr iMeta)
    denominator_ids: tuple[str, ...] = ()  # columns of the data that are denominators

    @cached_property
    def codes(self) -> tuple[str, ...]:
        return tuple(i.code for i in self.indicators)

    @cached_property
    def by_code(self) -> dict[str, Indicator]:
        return {i.code: i for i in self.indicators}

    @cached_property
    def by_node(self) -> dict[str, Aggregate]:
        return {a.id: a for a in self.aggregates}

    @cached_property
    def pillar_of(self) -> dict[str, str]:
        """Indicator code → its parent node."""
        return {i.code: i.pillar for i in self.indicators}

    @cached_property
    def height(self) -> dict[str, int]:
        """Level of every node: 1 for an indicator, 1 + the highest child for an aggregate."""
        h: dict[str, int] = {c: 1 for c in self.codes}
        for a in self._bottom_up:
            h[a.id] = 1 + max(h[c] for c in self.children(a.id))
        return h

    @cached_property
    def _bottom_up(self) -> tuple[Aggregate, ...]:
        done: set[str] = set(self.codes)
        order: list[Aggregate] = []
        pending = list(self.aggregates)
        while pending:
            ready = [a for a in pending if all(c in done for c in self.children(a.id))]
            order += ready
            done.update(a.id for a in ready)
            pending = [a for a in pending if a.id not in done]
        return tuple(order)

    @cached_property
    def index_columns(self) -> tuple[str, ...]:
        """The aggregates, lowest level first (then in framework order), the root last."""
        return tuple(a.id for a in sorted(self.aggregates, key=lambda a: (self.height[a.id], a.order)))

    @property
    def root(self) -> str:
        return self.index_columns[-1]

    @cached_property
    def pillars(self) -> tuple[str, ...]:
        """The aggregates that hold indicators, in index-column order."""
        parents = set(self.pillar_of.values())
        return tuple(c for c in self.index_columns if c in parents)

    @cached_property
    def _children(self) -> dict[str, tuple[str, ...]]:
        kids: dict[str, list[str]] = {a.id: [] for a in self.aggregates}
        for a in sorted(self.aggregates, key=lambda a: a.order):
            if a.parent is not None:
                kids[a.parent].append(a.id)
        for i in self.indicators:
            kids[i.pillar].append(i.code)
        return {k: tuple(v) for k, v in kids.items()}

    def children(self, node: str) -> tuple[str, ...]:
        """The ids of a node's children (aggregates first, then indicators, in order)."""
        return self._children.get(node, ())

    def parent(self, node: str) -> str | None:
        return self.by_code[node].pillar if node in self.by_code else self.by_node[node].parent

    def weight(self, node: str) -> float:
        return self.by_code[node].weight if node in self.by_code else self.by_node[node].weight

    def levels(self, node: str) -> tuple[float, float] | None:
        """The level bands of an aggregate, or None where the framework defines none."""
        return self.by_node[node].levels

    def direction(self, code: str, which: str = "meaningful") -> int:
        """+1 or -1 for ``code``; ``which`` is ``meaningful`` or ``printed``."""
        ind = self.by_code[code]
        if which == "printed" and ind.direction_printed is not None:
            return ind.direction_printed
        return ind.direction

    def pillar_name(self, node: str, lang: str = "en") -> str:
        """The name of any aggregate (a pillar, a sub-index, the index)."""
        return self.by_node[node].name(lang)

    def resolve_code(self, text: str) -> str | None:
        """The indicator code written in ``text`` (case and spaces ignored), or None."""
        text = str(text).strip()
        if text in self.by_code:
            return text
        key = re.sub(r"\s+", "", text).upper()
        return self._upper_codes.get(key) or self._upper_codes.get(key.replace("В", "B"))

    @cached_property
    def _upper_codes(self) -> dict[str, str]:
        return {re.sub(r"\s+", "", c).upper(): c for c in self.codes}


_HEADERS = {  # accepted column names → the field they fill (case and spaces ignored)
    "id": "id", "code": "id", "icode": "id", "node": "id",
    "parent": "parent", "pillar": "parent",
    "type": "type", "kind": "type", "weight": "weight", "direction": "direction",
    "directionprinted": "direction_printed", "aggregation": "aggregation",
    "name": "name_en", "iname": "name_en", "unit": "unit_en", "level": "level",
    "levellow": "level_low", "levelhigh": "level_high", "order": "order",
    "denominator": "denominator", "target": "target", "lowerbound": "lower_bound",
    "hasdata": "has_data", "sdggoal": "sdg_goal", "nationalsdgcode": "national_sdg_code",
    "sourcetable": "source_table", "note": "note",
    **{f"name{lang}": f"name_{lang}" for lang in LANGS},
    **{f"unit{lang}": f"unit_{lang}" for lang in LANGS},
}
NODE_TYPES = {"indicator": "indicator", "aggregate": "aggregate", "group": "group",
              "denominator": "denominator", "": ""}


def canonical_row(row: dict) -> dict[str, str]:
    """A structure row with its column names mapped to the fields they fill; unknown
    columns are kept under their own (lower-case) name.

    >>> canonical_row({"iCode": "x1", "Parent": "P", "iName": "GDP", "Weight": 1})
    {'id': 'x1', 'parent': 'P', 'name_en': 'GDP', 'weight': '1'}
    """
    out: dict[str, str] = {}
    for key, value in row.items():
        if key is None:
            continue
        name = re.sub(r"[\s_\-]+", "", str(key)).lower()
        text = "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value).strip()
        if isinstance(value, float) and value.is_integer() and name in ("weight", "level", "order"):
            text = str(int(value)) if name != "weight" else str(value)
        out[_HEADERS.get(name, name)] = text
    return out


def _number(text: str, problem, field_name: str, *, positive: bool = False) -> float | None:
    try:
        x = float(text.replace(",", "."))
    except ValueError:
        problem("framework_number", field_name, text)
        return None
    if not math.isfinite(x) or (positive and x < 0):
        problem("framework_weight" if field_name == "weight" else "framework_number", field_name, text)
        return None
    return x


def _sign(text: str) -> int | None:
    return {"+": 1, "-": -1, "−": -1, "1": 1, "-1": -1, "+1": 1, "1.0": 1, "-1.0": -1,
            "higher": 1, "lower": -1}.get(text.strip().lower()) if text.strip() else None


def build_framework(framework_id: str, names: dict[str, str], rows: list[dict],
                    file: str, *, row_numbers: list[int] | None = None, source: str = "",
                    risk_rules: dict[str, RiskRule] | None = None, digest: str = "",
                    units_file: str = "") -> Framework:
    """A framework from structure rows (dicts with the fields of :func:`canonical_row`;
    rows of type ``group`` or ``denominator`` are skipped); every problem (a cycle, an orphan,
    an aggregate without children, a bad weight, a duplicate id, several roots) is reported
    with its file, row and field in one :class:`~turaqty.errors.DataError`.

    >>> build_framework("bad", {}, [{"id": "a", "parent": "b", "type": "aggregate"},  # doctest: +ELLIPSIS
    ...                             {"id": "b", "parent": "a", "type": "aggregate"},
    ...                             {"id": "x", "parent": "a"}], file="s.csv")
    Traceback (most recent call last):
    ...
    turaqty.errors.DataError: s.csv, row 2, column "parent": the framework's tree has a cycle: a → b → a.
      how to fix: Every node must lead up to a single top node (the index); change the parent of ...
    """
    problems: list[Problem] = []
    numbers = row_numbers or list(range(2, len(rows) + 2))
    rows = [canonical_row(r) for r in rows]

    def at(k: int):
        def problem(key: str, column: str | None, value, **params):
            problems.append(Problem(key, file=file, row=numbers[k], column=column, value=value,
                                    params=params))
        return problem

    seen: dict[str, int] = {}
    indicators: list[Indicator] = []
    aggregates: list[Aggregate] = []
    where: dict[str, int] = {}
    for k, r in enumerate(rows):
        problem = at(k)
        node_type = NODE_TYPES.get(r.get("type", "").lower())
        if node_type is None:
            problem("framework_type", "type", r.get("type"))
            continue
        if node_type in ("group", "denominator"):
            continue
        node_id = r.get("id", "")
        if not node_id:
            problem("framework_id", "id", "")
            continue
        if node_id in seen:
            problem("framework_duplicate", "id", node_id, first=numbers[seen[node_id]])
            continue
        seen[node_id] = k
        where[node_id] = k
        weight = _number(r.get("weight") or "1", problem, "weight", positive=True)
        weight = 1.0 if weight is None else weight
        node_names = {lang: r[f"name_{lang}"] for lang in LANGS if r.get(f"name_{lang}")}
        parent = r.get("parent") or None
        if node_type == "":
            node_type = "aggregate" if r.get("aggregation") or r.get("level_low") else "indicator"
        if node_type == "aggregate":
            bands = None
            if r.get("level_low") or r.get("level_high"):
                low = _number(r.get("level_low", ""), problem, "level_low")
                high = _number(r.get("level_high", ""), problem, "level_high")
                if low is not None and high is not None:
                    if low > high:
                        problem("framework_levels", "level_low", f"{low}, {high}")
                    bands = (low, high)
            aggregates.append(Aggregate(node_id, parent, k, node_names, weight,
                                        r.get("aggregation", "").lower(), bands))
            continue
        direction = _sign(r.get("direction", "+") or "+")
        if direction is None:
            problem("framework_direction", "direction", r.get("direction"))
            direction = 1
        bounds = {}
        for name in ("lower_bound", "target"):
            bounds[name] = _number(r[name], problem, name) if r.get(name) else None
        if parent is None:
            problem("framework_orphan", "parent", "", node=node_id)
            continue
        indicators.append(Indicator(
            code=node_id, pillar=parent, order=int(r["order"]) if r.get("order", "").isdigit() else k,
            names=node_names, units={lang: r[f"unit_{lang}"] for lang in LANGS if r.get(f"unit_{lang}")},
            direction=direction, direction_printed=_sign(r.get("direction_printed", "")),
            weight=weight, has_data=r.get("has_data", "yes").lower() not in ("no", "false", "0"),
            sdg_goal=r.get("sdg_goal", ""), national_sdg_code=r.get("national_sdg_code", ""),
            source_table=r.get("source_table", ""), note=r.get("note", ""),
            denominator=r.get("denominator", ""), **bounds))
    _check_tree(indicators, aggregates, where, at, problems, file)
    if problems:
        raise DataError(sorted(problems, key=lambda p: p.row or 0))
    return Framework(
        id=framework_id, names=names or {"en": framework_id},
        indicators=tuple(sorted(indicators, key=lambda i: i.order)),
        aggregates=tuple(aggregates), risk_rules=risk_rules or {}, source=source or file,
        sha256=digest or hashlib.sha256(json.dumps(rows, sort_keys=True).encode()).hexdigest(),
        units_file=units_file)


def _check_tree(indicators, aggregates, where, at, problems, file: str) -> None:
    """Orphans, leaves that are aggregates, indicators used as parents, cycles, roots."""
    by_node = {a.id: a for a in aggregates}
    codes = {i.code for i in indicators}
    has_child: set[str] = set()
    for node in [*indicators, *aggregates]:
        node_id = getattr(node, "code", None) or node.id
        parent = node.pillar if isinstance(node, Indicator) else node.parent
        if parent is None:
            continue
        if parent in codes:
            at(where[node_id])("framework_parent_indicator", "parent", parent, node=node_id)
        elif parent not in by_node:
            at(where[node_id])("framework_orphan", "parent", parent, node=node_id)
        else:
            has_child.add(parent)
    for a in aggregates:
        if a.id not in has_child:
            at(where[a.id])("framework_no_children", "id", a.id)
    for a in aggregates:  # follow parents up: a cycle comes back to a node already on the path
        path, node = [a.id], a.parent
        while node is not None and node in by_node:
            if node in path:
                if node == a.id and a.id == min(path):  # once per cycle
                    at(where[a.id])("framework_cycle", "parent", a.parent,
                                    path=" → ".join(path + [node]))
                break
            path.append(node)
            node = by_node[node].parent
    roots = [a.id for a in aggregates if a.parent is None]
    if aggregates and len(roots) != 1 and not problems:
        problems.append(Problem("framework_roots", file=file, value=", ".join(roots) or "-"))
    if not indicators and not problems:
        problems.append(Problem("framework_no_indicators", file=file))


def load_framework_folder(folder, framework_id: str | None = None, *, file_label: str = "") -> Framework:
    """A framework from a folder (a path or package data): ``framework.json`` (id and names;
    optional), and either ``indicators.csv`` with ``aggregates.csv`` or one ``structure.csv``;
    optional ``risk_rules.csv`` and ``units.csv`` (a units catalogue of its own)."""
    folder = Path(folder) if isinstance(folder, str) else folder
    label = file_label or str(folder)
    meta_file = folder.joinpath("framework.json")
    meta_raw = meta_file.read_bytes() if meta_file.is_file() else b"{}"
    try:
        meta = json.loads(meta_raw.decode("utf-8-sig"))
    except (ValueError, UnicodeDecodeError) as err:
        raise DataError(Problem("framework_json", file=f"{label}/framework.json", value=str(err))) from None
    fw_id = str(meta.get("id") or framework_id or getattr(folder, "name", "framework"))
    digest = hashlib.sha256(meta_raw)
    rows: list[dict] = []
    numbers: list[int] = []
    files = [n for n in ("structure.csv", "indicators.csv", "aggregates.csv") if folder.joinpath(n).is_file()]
    if not files:
        raise DataError(Problem("framework_files", file=label))
    for name in files:
        raw = folder.joinpath(name).read_bytes()
        digest.update(raw)
        part = read_csv_rows(raw)
        kind = {"indicators.csv": "indicator", "aggregates.csv": "aggregate"}.get(name)
        for r in part:
            if kind:
                r.setdefault("type", kind)
        rows += part
        numbers += list(range(2, len(part) + 2))
    risk_rules = {}
    if folder.joinpath("risk_rules.csv").is_file():
        raw = folder.joinpath("risk_rules.csv").read_bytes()
        digest.update(raw)
        risk_rules = {r["code"]: RiskRule(r["code"], r["printed_slot"], parse_condition(r["printed_high"]),
                                          parse_condition(r["printed_low"]), r["derived_high"],
                                          r["derived_low"], r["printed_fix"], r["note"])
                      for r in read_csv_rows(raw)}
    plausible = {}
    if folder.joinpath("plausibility.csv").is_file():  # possible and plausible value ranges
        from turaqty.plausibility import parse_ranges

        raw = folder.joinpath("plausibility.csv").read_bytes()
        digest.update(raw)
        plausible = parse_ranges(read_csv_rows(raw))
    units_file = str(folder.joinpath("units.csv")) if folder.joinpath("units.csv").is_file() else ""
    file = f"{label}/{files[0]}" if len(files) == 1 else label
    fw = build_framework(fw_id, meta.get("name", {}), rows, file, row_numbers=numbers,
                         source=label, risk_rules=risk_rules, digest=digest.hexdigest(),
                         units_file=units_file)
    return replace(fw, plausibility=plausible) if plausible else fw


@lru_cache(maxsize=8)
def load_framework(framework_id: str = DEFAULT_FRAMEWORK) -> Framework:
    """The framework ``framework_id`` from package data (cached)."""
    folder = data_file("frameworks", framework_id)
    if not folder.joinpath("framework.json").is_file():
        raise ValueError(f"unknown framework {framework_id!r}")
    return load_framework_folder(folder, framework_id, file_label=f"package:frameworks/{framework_id}")
