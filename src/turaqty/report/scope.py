"""What the report, the brief and the Word document of an assessment can truly show, decided
from its framework, its units catalogue and its method, and the texts that differ between the
dissertation's index and any other framework.

- ``home``: the framework is ``kz-isdr`` on Kazakhstan's regions: the dissertation's texts
  (52 indicators, three pillars, the integral index), macro-regions, region types,
  scenarios and mechanisms apply; for any other framework they are left out.
- ``risk``: the framework has risk rules: the risk map, its counts and findings.
- ``map``: the units have boundaries (Kazakhstan's regions, or a ``units.geojson`` beside
  the user's ``units.csv``); without them there is no map, in the page or as a figure.
- ``stacked``: the root is the (weighted) sum of indices, none negative, so their bars stack
  up to it.

Example
-------
>>> from turaqty.engine.assessment import assess
>>> s = report_scope(assess())
>>> s.home, s.risk, s.stacked, s.map is not None
(True, True, True, True)
>>> report_title(assess(lang="en"))
'Sustainable development of the regions of Kazakhstan'
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from turaqty.engine.assessment import Assessment
from turaqty.i18n import format_number, t
from turaqty.model.units import PACKAGE_UNITS
from turaqty.report import geo


@dataclass(frozen=True)
class UnitMap:
    """The boundaries of the units, drawn by :mod:`turaqty.report.geo`; ``geometry`` is None
    for Kazakhstan's regions (the package's own), else unit id → rings in lon/lat."""

    geometry: dict | None = None

    def svg_paths(self, width: float = 900):
        return geo.svg_paths(width, self.geometry)

    def rings(self, width: float = 900):
        return geo.projected_rings(width, self.geometry)

    def label_points(self, width: float = 900):
        return geo.label_points(width, self.geometry)

    @property
    def schematic(self) -> bool:
        """Whether the map is the tile map (the package's boundaries could not be read)."""
        return self.geometry is None and geo.load_geometry() is None


@dataclass(frozen=True)
class Scope:
    """What applies to one assessment (see the module's text)."""

    home: bool
    risk: bool
    stacked: bool
    map: UnitMap | None
    aggregations: tuple[str, ...]  # the aggregation of each index column, as the method applies it

    @property
    def mechanisms(self) -> bool:
        """Whether the dissertation's policy mechanisms apply (its framework on Kazakhstan's
        regions, with the risk map they answer)."""
        return self.home and self.risk


def unit_map(a: Assessment) -> UnitMap | None:
    """The units' boundaries, or None where the units catalogue has none."""
    regions = a.regions
    if regions.geometry_file:
        return UnitMap(geo.read_units_geometry(regions.geometry_file, regions))
    return UnitMap() if regions.source == PACKAGE_UNITS else None


def report_scope(a: Assessment) -> Scope:
    """What the outputs of ``a`` show (see :class:`Scope`)."""
    fw = a.framework
    aggregations = tuple(name for name, _ in a.arrays.tree.aggregation)
    children = fw.children(fw.root)
    values = a.indices[[c for c in children if c in a.indices.columns]].to_numpy(dtype=float)
    # bars stack up to the root only where it sums its children and none is negative (z-scores)
    stacked = aggregations[-1] == "sum" and all(c in fw.by_node for c in children) \
        and not (values < 0).any()
    return Scope(home=a.home, risk=a.has_risk_map, stacked=stacked, map=unit_map(a),
                 aggregations=aggregations)


def framework_name(a: Assessment) -> str:
    """The framework's name in the assessment's language; where it has none (a COINr iMeta:
    its name is its id), the name of its root."""
    fw = a.framework
    name = fw.names.get(a.lang) or fw.names.get("en") or fw.id
    return fw.pillar_name(fw.root, a.lang) if name == fw.id else name


def source_name(dataset, lang: str) -> str:
    """Where the data came from, as outputs say it: the embedded data in words, else the file.

    >>> from turaqty.engine.assessment import assess
    >>> source_name(assess().dataset, "en")[:17]
    'the embedded 2023'
    """
    source = dataset.source
    return t("source.embedded", lang) if source.startswith("embedded:") else source


def profile_name(method, lang: str) -> str:
    """The method's profile in words (its own name where it has no translation)."""
    return t(f"profile.{method.profile}", lang, default=method.profile)


def report_title(a: Assessment) -> str:
    """The report's title: the dissertation's for ``kz-isdr``, else the framework's name."""
    if a.home:
        return t("report.title", a.lang)
    return t("fwreport.title", a.lang, framework=framework_name(a))


def profiles_key(scope: Scope) -> str:
    """The message key of the profiles' heading: "Region profiles" for Kazakhstan's regions,
    "Profiles of the units" for any other units (countries, districts …)."""
    return "report.profiles" if scope.home else "fwreport.profiles"


def ranking_columns(fw) -> tuple[str, ...]:
    """The index columns in the order the ranking table shows them: bottom-up with the root
    last where the root's children are the pillars (the dissertation's tables); top-down
    with the root first in a deeper tree (COINr's ASEM: the index, its sub-indices, then
    eight pillars), so the index stands beside the names, not past the screen's edge.

    >>> from turaqty.model.framework import load_framework
    >>> ranking_columns(load_framework())
    ('social', 'economic', 'ecological', 'integral')
    """
    columns = fw.index_columns
    if fw.height[fw.root] <= 3:  # indicators (1), pillars (2), the root (3)
        return columns
    return tuple(sorted(columns, key=lambda c: -fw.height[c]))  # stable: framework order kept


def label_places(a: Assessment, units, points: dict):
    """(unit, x, y, name, is a city) of each of ``units`` with a label point in ``points``:
    the names a map shows (without the word "region"; a city's in full).

    >>> from turaqty.engine.assessment import assess
    >>> next(label_places(assess(lang="ru"), ["akmola"], {"akmola": (1.0, 2.0)}))
    ('akmola', 1.0, 2.0, 'Акмолинская', False)
    """
    regions = a.regions
    for unit in units:
        if unit in points:
            city = regions.by_id[unit].type == "city"
            yield unit, *points[unit], geo.short_name(regions.name(unit, a.lang), city), city


def column_name(a: Assessment, column: str) -> str:
    """The header of an indices column (``name`` or an index): the dissertation's words
    for ``kz-isdr`` (``Integral index``), else the framework's own name of the node.

    >>> from turaqty.engine.assessment import assess
    >>> column_name(assess(), "integral"), column_name(assess(), "name")
    ('Integral index', 'Region')
    """
    if a.home:
        return t(f"col.{column}", a.lang, default=column)
    return t("fwreport.col.name", a.lang) if column == "name" else a.framework.pillar_name(column, a.lang)


def lead_text(a: Assessment, scope: Scope) -> str:
    """The first sentence of the summary: what was assessed and who came first."""
    lang, fw = a.lang, a.framework
    root = fw.root
    best = a.ranking().iloc[0]
    level = best.get(f"level_{root}", "")
    if scope.home and scope.stacked:
        return t("report.lead", lang, n=len(a.dataset.units), best=best["name"],
                 value=format_number(best[root], lang, 2),
                 level=t(f"level.{level}", lang) if level else "")
    under = fw.children(root)
    text = t("fwreport.lead", lang, n=len(a.dataset.units), indicators=int(a.arrays.included.sum()),
             index=fw.pillar_name(root, lang), parts=len(under),
             names=", ".join(_node_name(fw, c, lang) for c in under),
             aggregation=t(f"fwreport.aggregation.{scope.aggregations[-1]}", lang,
                           default=scope.aggregations[-1]),
             best=best["name"], value=format_number(best[root], lang, 2))
    if level:
        text += " " + t("fwreport.lead_level", lang, level=t(f"level.{level}", lang))
    return text


def _node_name(fw, node: str, lang: str) -> str:
    return fw.by_code[node].name(lang) if node in fw.by_code else fw.pillar_name(node, lang)


def formulas_text(a: Assessment, scope: Scope) -> str:
    """How the scores and indices were computed, in one paragraph."""
    if scope.home and scope.stacked:
        return t("report.formulas", a.lang)
    lang, fw = a.lang, a.framework
    step = a.method.normalise
    scale = dict(step.params).get("scale")  # the range of the scores, e.g. 1–9 or 0–100
    params = "–".join(format_number(x, lang, 2).rstrip("0").rstrip(",.") for x in scale) if scale else ""
    by_kind: dict[str, list[str]] = {}
    for node, kind in zip(fw.index_columns, scope.aggregations, strict=True):
        by_kind.setdefault(kind, []).append(fw.pillar_name(node, lang))
    aggregations = "; ".join(
        f"{t(f'fwreport.aggregation.{kind}', lang, default=kind)}: {', '.join(names)}"
        for kind, names in by_kind.items())
    return t("fwreport.formulas", lang, normalise=step.method + (f" ({params})" if params else ""),
             aggregations=aggregations)


def method_table(a: Assessment, scope: Scope) -> list[tuple[str, str]]:
    """The method's rows (:func:`turaqty.report.xlsx.method_rows`) as a report shows them:
    for another framework, the directions are the framework's own (the dissertation's
    example of them does not apply) and the risk thresholds only where it has risk rules."""
    from turaqty.report.xlsx import method_rows

    rows = method_rows(a)
    if scope.home:
        return rows
    out = []
    for label, value in rows:  # a row's label ends with its parameter's code in brackets
        if label.endswith("(risk_thresholds)") and not scope.risk:
            continue
        if label.endswith("(directions)"):
            value = a.method.directions
        out.append((label, value))
    return out


def summary_findings(a: Assessment, scope: Scope) -> list[str]:
    """The key findings: the risk map's where the framework has risk rules, else the highest
    and lowest unit of the root and of each node under it."""
    if scope.risk:
        return list(a.findings["text"])
    lang, fw = a.lang, a.framework
    ix = a.indices
    out = []
    for node in (fw.root, *(c for c in fw.children(fw.root) if c in fw.by_node)):
        values = ix[node].to_numpy(dtype=float)
        if not np.isfinite(values).any():
            continue
        best, worst = int(np.nanargmax(values)), int(np.nanargmin(values))
        out.append(t("finding.leaders", lang, index=fw.pillar_name(node, lang),
                     best=ix["name"].iloc[best], best_value=format_number(values[best], lang, 2),
                     worst=ix["name"].iloc[worst], worst_value=format_number(values[worst], lang, 2)))
    return out


def group_label(a: Assessment, unit: str) -> str:
    """``Macro-region: West`` (Kazakhstan's regions) or ``Group: north`` (a user catalogue's
    ``group`` column), or '' where the unit belongs to none."""
    lang = a.lang
    region = a.regions.by_id.get(unit)
    if region is None or not region.macro_region:
        return ""
    names = {m.id: m.name(lang) for m in a.regions.macro_regions}
    key = "col.macro_region" if a.regions.source == PACKAGE_UNITS else "col.group"
    return f"{t(key, lang)}: {names.get(region.macro_region, region.macro_region)}"
