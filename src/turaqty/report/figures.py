"""Static figures for documents (PNG and SVG), names in the report's language, drawn on a
:class:`~turaqty.report.canvas.Canvas` (no matplotlib: it took longer to import and lay out
than the rest of ``turaqty report``). Files are reproducible: no dates or software stamps.
Numbers have a decimal comma in Kazakh and Russian, titles name the data's year, the map
names its regions, and text in the SVG stays text (editable in a drawing program).

Example
-------
>>> from turaqty.engine.assessment import assess
>>> files = figure_files(assess(lang="kk"))
>>> sorted(files)[:3]
['figures/indices.png', 'figures/indices.svg', 'figures/map.png']
>>> files["figures/map.svg"][:5]
b'<?xml'
>>> "Қарағанды</text>" in files["figures/map.svg"].decode()  # a name on the map, as text
True
"""
from __future__ import annotations

import math

import numpy as np

from turaqty.engine.assessment import Assessment
from turaqty.i18n import format_number, t
from turaqty.report.canvas import Canvas, Scale, nice_ticks, shortened, signed_area, text_width, wrapped
from turaqty.report.html import PALETTE, palette_colours
from turaqty.report.scope import Scope, column_name, label_places, report_scope, report_title

PILLAR_COLOURS = {"social": "#4c9f70", "economic": "#e0a431", "ecological": "#3f7cac"}
STACK_COLOURS = ("#3f7cac", "#4c9f70", "#e0a431", "#b5556b", "#7a6bb5", "#5aa3a3", "#a3845a", "#888888")
INK, MUTED, EDGE = "#1b1b1b", "#555555", "#6b6b6b"
TITLE, LABEL, SMALL = 15.0, 12.0, 11.0  # text sizes, pixels of 1/100 inch
ROW = 26.0  # a unit's row in the indices chart


def _title(a: Assessment, text: str) -> str:
    """A figure's title with the data's year, when the data has one."""
    year = a.dataset.year
    return t("figure.title_year", a.lang, title=text, year=year) if year else text


def _title_lines(c: Canvas, text: str, size: float = TITLE, leading: float = 1.25) -> float:
    """``text`` centred on the canvas in lines that fit it, also the canvas's title; returns
    its bottom."""
    c.title = text
    y = 8.0
    for line in wrapped(text, size, c.width - 32):
        y += size * leading
        c.text(c.width / 2, y - size * (leading - 1), line, size, anchor="middle", key="title")
    return y


def _centred(c: Canvas, y: float, text: str, size: float, centre: float, key: str) -> None:
    """``text`` centred at ``centre``, moved in as far as it must to stay on the canvas."""
    half = min(text_width(text, size) / 2 + 8, c.width / 2)
    c.text(min(max(centre, half), c.width - half), y, text, size, anchor="middle", key=key)


def _names_column(names: list[str], width: float = 800.0) -> tuple[list[str], float, float]:
    """A chart's column of ``names`` (right-aligned against its plot; a name wider than 40 %
    of the chart cut short with "…") and the plot's left and right ends."""
    shown = [shortened(n, LABEL, 0.4 * width) for n in names]
    return shown, 16 + max((text_width(n, LABEL) for n in shown), default=0) + 8, width - 28


def _indices_figure(a: Assessment, scope: Scope | None = None) -> Canvas:
    """The root index of each unit, ranked: where the root is the (weighted) sum of its
    children, each child's contribution stacked (the dissertation's three pillars); else one
    bar per unit. The axis spans the values and the root's level bounds; the bars' scale is
    the canvas's ``x`` scale."""
    scope = scope or report_scope(a)
    fw = a.framework
    root = fw.root
    ranked = a.ranking()
    names = ranked["name"].astype(str).tolist()
    series: list[tuple[str, str | None, str, np.ndarray]] = []  # (key, label, colour, values), left to right
    if scope.stacked:
        weights = dict(a.method.weights)
        for k, child in enumerate(fw.children(root)):
            values = weights.get(child, fw.weight(child)) * ranked[child].to_numpy(dtype=float)
            series.append((child, fw.pillar_name(child, a.lang),
                           PILLAR_COLOURS.get(child, STACK_COLOURS[k % len(STACK_COLOURS)]), values))
    else:
        series.append((root, None, STACK_COLOURS[0], ranked[root].to_numpy(dtype=float)))
    ends = np.sum([np.nan_to_num(v) for *_, v in series], axis=0)
    bounds = list(fw.levels(root) or ())  # a root without level bounds draws no lines
    shown = np.concatenate([ends[np.isfinite(ends)], bounds, [0.0]])
    low, high = float(shown.min()), float(shown.max())
    pad = 0.05 * ((high - low) or 1.0)
    low, high = (low - pad if low < 0 else 0.0), high + pad

    names, left, right = _names_column(names)
    c = Canvas(800.0, 0)
    top = _title_lines(c, _title(a, report_title(a))) + 22
    bottom = top + ROW * len(names)
    x = c.scales["x"] = Scale(low, high, left, right)
    for k, name in enumerate(names):
        c.text(left - 8, top + ROW * (k + 0.5) + 0.35 * LABEL, name, LABEL, anchor="end", key="unit")
    units = ranked["unit_id"].tolist()
    start = np.zeros(len(names))
    for key, _, colour, values in series:
        stop = start + np.nan_to_num(values)
        for k, (s0, s1) in enumerate(zip(x(start), x(stop), strict=True)):
            if s1 != s0:
                c.rect(min(s0, s1), top + ROW * (k + 0.1), abs(s1 - s0), ROW * 0.8, colour,
                       key=f"{units[k]}:{key}")
        start = stop
    _level_lines(c, [x(b) for b in bounds], [t(k, a.lang) for k in ("level.medium", "level.high")],
                 top, bottom)
    if low < 0:
        c.line([(x(0.0), top), (x(0.0), bottom)], MUTED, width=0.8)
    bottom_axis = _x_axis(c, x, top, bottom, a.lang)
    _centred(c, bottom_axis + 22, column_name(a, root), LABEL, (left + right) / 2, "xlabel")
    end = _legend(c, [(label, colour, "box") for _, label, colour, _ in series if label], bottom_axis + 34)
    c.height = math.ceil(end + 12)
    return c


def _level_lines(c: Canvas, at: list[float], labels: list[str], top: float, bottom: float) -> None:
    """Dotted lines at the level bounds (pixels ``at``), each named above the plot: right of
    its line, or left of it where it would leave the canvas or run into the next name."""
    for k, (px, label) in enumerate(zip(at, labels, strict=False)):
        c.line([(px, top), (px, bottom)], MUTED, dash=(1.5, 2.5))
        w = text_width(label, SMALL)
        room = at[k + 1] - 3 if k + 1 < len(at) else c.width - 4
        right = px + 3 + w <= room
        c.text(px + (3 if right else -3), top - 5, label, SMALL, colour=MUTED,
               anchor="start" if right else "end", key="level")


def _x_axis(c: Canvas, x: Scale, top: float, bottom: float, lang: str, integers: bool = False) -> float:
    """The left and bottom axis lines, ticks and their numbers (whole numbers only with
    ``integers``); returns the numbers' baseline."""
    c.line([(x.start, top), (x.start, bottom), (x.end, bottom)], INK, width=0.8)
    ticks, decimals = nice_ticks(min(x.low, x.high), max(x.low, x.high), most=7)
    if integers:
        ticks, decimals = ticks[ticks == np.round(ticks)], 0
    for v in ticks:
        c.line([(x(v), bottom), (x(v), bottom + 4)], INK, width=0.8)
        c.text(x(v), bottom + 18, format_number(v, lang, decimals), SMALL, anchor="middle", key="tick")
    return bottom + 18


def _legend(c: Canvas, entries: list[tuple[str, str, str]], top: float, size: float = LABEL) -> float:
    """Entries (label, colour, marker: ``box``, ``line``, ``dot`` or ``cross``) in rows
    centred on the canvas; returns the bottom."""
    rows: list[list[tuple[str, str, str, float]]] = []
    for label, colour, marker in entries:
        w = 14 + 6 + text_width(label, size) + 18
        if not rows or sum(e[3] for e in rows[-1]) + w > c.width - 32:
            rows.append([])
        rows[-1].append((label, colour, marker, w))
    y = top
    for row in rows:
        x0 = c.width / 2 - (sum(e[3] for e in row) - 18) / 2
        for label, colour, marker, w in row:
            _marker(c, marker, x0 + 7, y + 7, colour, box=14)
            c.text(x0 + 20, y + 7 + 0.35 * size, label, size, key="legend")
            x0 += w
        y += 22
    return y


def _marker(c: Canvas, marker: str, x: float, y: float, colour: str, box: float = 10) -> None:
    """A legend's or a chart's mark centred at (x, y)."""
    h = box / 2
    if marker == "box":
        c.rect(x - h, y - h, box, box, colour, key="legend")
    elif marker == "line":
        c.line([(x - h, y), (x + h, y)], colour, width=3)
    elif marker == "dot":
        c.dot(x, y, 4.5, colour)
    else:
        c.line([(x - 4, y - 4), (x + 4, y + 4)], colour, width=1.5)
        c.line([(x - 4, y + 4), (x + 4, y - 4)], colour, width=1.5)


def _map_figure(a: Assessment, scope: Scope | None = None) -> Canvas:
    """The root index on the map of the units (of units with boundaries only), with a
    colour bar of the palette's classes below it."""
    unit_map = (scope or report_scope(a)).map
    assert unit_map is not None, "no boundaries: figure_files draws no map"
    rings, (width, height) = unit_map.rings()
    values = a.indices.set_index("unit_id")[a.framework.root]
    ok = values.dropna()
    lo, hi = (float(ok.min()), float(ok.max())) if len(ok) else (0.0, 1.0)
    index = column_name(a, a.framework.root)
    c = Canvas(width, 0)
    top = _title_lines(c, _title(a, f"{index}: {report_title(a)}" if a.home else index)) + 6
    units = list(rings)
    colours = dict(zip(units, palette_colours(values.reindex(units).to_numpy(dtype=float)), strict=True))
    shifted = {unit: [np.asarray(r, dtype=float) + (0.0, top) for r in parts]
               for unit, parts in rings.items()}
    # larger units first: where boundaries touch, the smaller unit's outline is drawn last
    for unit in sorted(shifted, key=lambda u: -max(abs(signed_area(r)) for r in shifted[u])):
        c.area(shifted[unit], colours[unit], stroke=EDGE, stroke_width=0.5, key=unit)
    points = {unit: (px, py + top) for unit, (px, py) in unit_map.label_points().items()}
    _map_labels(c, a, values.index, points)
    _colour_bar(c, np.linspace(lo, hi, len(PALETTE) + 1), top + height + 8, width, a.lang)
    _centred(c, c.height - 14, index, LABEL, width / 2, "xlabel")
    c.height = math.ceil(c.height)
    return c


def _colour_bar(c: Canvas, bounds: np.ndarray, top: float, width: float, lang: str) -> None:
    """The palette's classes between ``bounds`` as a bar 70 % of ``width`` wide, each bound
    numbered with one decimal (eight numbers side by side stay apart); the canvas grows to
    hold it and a label below."""
    bar = Scale(float(bounds[0]), float(bounds[-1]), width * 0.15, width * 0.85)
    steps = np.linspace(bar.start, bar.end, len(bounds))  # equal classes, even if hi == lo
    for colour, x0, x1 in zip(PALETTE, steps[:-1], steps[1:], strict=True):
        c.rect(x0, top, x1 - x0, 14, colour, key="class")
    c.line([(bar.start, top), (bar.end, top), (bar.end, top + 14), (bar.start, top + 14),
            (bar.start, top)], INK, width=0.6)
    for v, px in zip(bounds, steps, strict=True):
        c.line([(px, top + 14), (px, top + 18)], INK, width=0.6)
        c.text(px, top + 31, format_number(float(v), lang, 1), SMALL - 1, anchor="middle", key="tick")
    c.scales["colour"] = bar
    c.height = top + 62


def _map_labels(c: Canvas, a: Assessment, units, points: dict) -> None:
    """Region names at their centres (``points``) on a light box; a city as a dot with its
    name beside it."""
    size = 8.5
    for _, x, y, name, city in label_places(a, units, points):
        w = text_width(name, size)
        x0 = min(max(x + 6 if city else x - w / 2, 3.0), c.width - w - 3)  # on the canvas
        if city:
            c.dot(x, y, 1.7, INK)
        c.rect(x0 - 2, y - 0.6 * size - 1.5, w + 4, 1.2 * size + 3, "#ffffff", opacity=0.7, radius=2)
        c.text(x0, y + 0.35 * size, name, size, key="unit")


def rank_interval_figure(r, lang: str) -> Canvas:
    """Each unit's 5–95 % rank interval of a robustness run ``r`` as a line, its median
    rank as a dot and its nominal rank as a cross; rank 1 on the right, the run's sentence
    on meaningful differences as the title."""
    table = r.table.dropna(subset=["nominal"])
    names = table["name"].astype(str).tolist()
    names, left, right = _names_column(names)
    c = Canvas(800.0, 0)
    top = _title_lines(c, r.sentence(lang), SMALL, 1.3) + 14
    row = 32.0
    bottom = top + row * len(names)
    worst = float(np.nanmax([table["p95"].max(), table["nominal"].max(), 1]))
    x = c.scales["x"] = Scale(worst + 0.7, 0.3, left, right)  # rank 1 on the right
    for k, (name, p05, p95, median, nominal) in enumerate(
            zip(names, *(table[col] for col in ("p05", "p95", "median", "nominal")), strict=True)):
        y = top + row * (k + 0.5)
        c.text(left - 8, y + 0.35 * LABEL, name, LABEL, anchor="end", key="unit")
        if np.isfinite([p05, p95]).all():  # a unit never ranked in the replications has none
            c.line([(x(float(p05)), y), (x(float(p95)), y)], STACK_COLOURS[0], width=4)
        if np.isfinite(median):
            _marker(c, "dot", x(float(median)), y, "#1b3b5a")
        _marker(c, "cross", x(float(nominal)), y, "#c0392b")
    bottom_axis = _x_axis(c, x, top, bottom, lang, integers=True)
    _centred(c, bottom_axis + 22, t("robustness.chart.rank", lang), LABEL, (left + right) / 2, "xlabel")
    entries = [(t("robustness.chart.interval", lang), STACK_COLOURS[0], "line"),
               (t("robustness.chart.median", lang), "#1b3b5a", "dot"),
               (t("robustness.chart.nominal", lang), "#c0392b", "cross")]
    c.height = math.ceil(_legend(c, entries, bottom_axis + 36, SMALL) + 10)
    return c


def figure_files(a: Assessment, names: tuple[str, ...] = ("indices", "map"),
                 scope: Scope | None = None) -> dict[str, bytes]:
    """``figures/<name>.{png,svg}`` for each of ``names`` (``indices``, ``map``); no map
    where the units have no boundaries. ``scope``: :func:`report_scope` of ``a`` when the
    caller has it."""
    scope = scope or report_scope(a)
    out = {}
    for name in names:
        if name == "map" and scope.map is None:
            continue
        canvas = FIGURES[name](a, scope)
        out[f"figures/{name}.png"] = canvas.png()
        out[f"figures/{name}.svg"] = canvas.svg()
    return out


FIGURES = {"indices": _indices_figure, "map": _map_figure}
