"""Static figures for documents (PNG and SVG), drawn with matplotlib, names in the report's
language. Files are reproducible: no dates or software stamps are written into them. Numbers
have a decimal comma in Kazakh and Russian, titles name the data's year, the map names its
regions, and text in the SVG stays text (editable in a drawing program): matplotlib's settings
for that are made inside :func:`figure_settings`, never globally.

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

import io
from contextlib import ExitStack, contextmanager
from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np

from turaqty.engine.assessment import Assessment
from turaqty.i18n import format_number, t
from turaqty.report import geo
from turaqty.report.forked import Forked
from turaqty.report.html import PALETTE
from turaqty.report.scope import Scope, column_name, is_home, report_scope, report_title

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

PILLAR_COLOURS = {"social": "#4c9f70", "economic": "#e0a431", "ecological": "#3f7cac"}
STACK_COLOURS = ("#3f7cac", "#4c9f70", "#e0a431", "#b5556b", "#7a6bb5", "#5aa3a3", "#a3845a", "#888888")
LABEL_BOX = {"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none", "alpha": 0.7}
# text stays text; stable ids
SETTINGS: dict[RcKeyType, Any] = {"svg.fonttype": "none", "svg.hashsalt": "turaqty"}


@contextmanager
def figure_settings():
    """matplotlib's settings for turaqty's figures, only while they are drawn and saved.

    >>> import matplotlib
    >>> with figure_settings():
    ...     matplotlib.rcParams["svg.fonttype"]
    'none'
    >>> matplotlib.rcParams["svg.fonttype"] == "none"
    False
    """
    import matplotlib

    with matplotlib.rc_context(SETTINGS):
        yield


def _title(a: Assessment, text: str) -> str:
    """A figure's title with the data's year, when the data has one."""
    year = a.dataset.year
    return t("figure.title_year", a.lang, title=text, year=year) if year else text


def _number_axis(axis, lang: str, decimals: int) -> None:
    """Tick labels of ``axis`` with the language's decimal sign."""
    from matplotlib.ticker import FuncFormatter

    axis.set_major_formatter(FuncFormatter(lambda v, _: format_number(v, lang, decimals)))


def save_figure(fig, dpi: int = 150) -> dict[str, bytes]:
    """A figure as PNG and SVG bytes without dates or software versions (equal inputs, equal
    files)."""
    out = {}
    for fmt, meta in (("png", {"Software": None}), ("svg", {"Date": None, "Creator": None})):
        buffer = io.BytesIO()
        fig.savefig(buffer, format=fmt, dpi=dpi, metadata=meta)  # laid out already: no second pass
        out[fmt] = buffer.getvalue()
    return out


def _indices_figure(a: Assessment, scope: Scope | None = None):
    """The root index of each unit, ranked: where the root is the (weighted) sum of its
    children, each child's contribution stacked (the dissertation's three pillars); else one
    bar per unit. The axis spans the values and the root's level bounds."""
    from matplotlib.figure import Figure

    scope = scope or report_scope(a)
    fw = a.framework
    root = fw.root
    ranked = a.ranking().iloc[::-1]
    fig = Figure(figsize=(8, max(7.0, 1.4 + 0.28 * len(ranked))))  # 20 units: 7 in
    ax = fig.subplots()
    left = np.zeros(len(ranked))
    if scope.stacked:
        weights = dict(a.method.weights)
        for k, child in enumerate(fw.children(root)):
            values = weights.get(child, fw.weight(child)) * ranked[child].to_numpy(dtype=float)
            ax.barh(ranked["name"], values, left=left,
                    color=PILLAR_COLOURS.get(child, STACK_COLOURS[k % len(STACK_COLOURS)]),
                    label=fw.pillar_name(child, a.lang))
            left += np.nan_to_num(values)
        ax.legend(loc="lower right", frameon=False)
    else:
        left = ranked[root].to_numpy(dtype=float)
        ax.barh(ranked["name"], np.nan_to_num(left), color=STACK_COLOURS[0])
    bounds = fw.levels(root) or ()  # a root without level bounds draws no lines
    shown = np.concatenate([left[np.isfinite(left)], bounds, [0.0]])
    low, high = float(shown.min()), float(shown.max())
    pad = 0.05 * ((high - low) or 1.0)
    ax.set_xlim(low - pad if low < 0 else 0, high + pad)
    ax.set_xlabel(column_name(a, root))
    _number_axis(ax.xaxis, a.lang, 0 if high - low >= 5 else 2)
    for bound, label in zip(bounds, ("level.medium", "level.high"), strict=False):
        ax.axvline(bound, color="#555", linestyle=":", linewidth=1)
        ax.text(bound + pad / 5, 1.0, t(label, a.lang), fontsize=8, color="#555", va="bottom",
                transform=ax.get_xaxis_transform())  # above the bars, not over them
    ax.set_title(_title(a, report_title(a)), fontsize=11, pad=16)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def _map_figure(a: Assessment, scope: Scope | None = None):
    """The root index on the map of the units (of units with boundaries only)."""
    from matplotlib.collections import PathCollection
    from matplotlib.figure import Figure
    from matplotlib.path import Path as MplPath

    unit_map = (scope or report_scope(a)).map
    assert unit_map is not None, "no boundaries: figure_files draws no map"
    rings, (width, height) = unit_map.rings()
    values = a.indices.set_index("unit_id")[a.framework.root]
    ok = values.dropna()
    lo, hi = (ok.min(), ok.max()) if len(ok) else (0, 1)
    fig = Figure(figsize=(9, 9 * height / width + 1.2))  # + the title and the colour bar
    ax = fig.subplots()
    paths, colours = [], []
    for unit, parts in rings.items():
        v = values.get(unit, np.nan)
        if np.isnan(v):
            colour = "#cccccc"
        else:
            step = int((v - lo) / ((hi - lo) or 1) * len(PALETTE))
            colour = PALETTE[min(step, len(PALETTE) - 1)]
        # one compound path per unit: its holes (wound against its exteriors) stay open
        codes = [c for ring in parts
                 for c in [MplPath.MOVETO] + [MplPath.LINETO] * (len(ring) - 2) + [MplPath.CLOSEPOLY]]
        paths.append(MplPath([p for ring in parts for p in ring], codes))
        colours.append(colour)
    # one collection: the limits are set below, so no patch-by-patch bookkeeping
    ax.add_collection(PathCollection(paths, facecolors=colours, edgecolors="#6b6b6b", linewidths=0.5),
                      autolim=False)
    _map_labels(ax, a, values.index, unit_map.label_points())
    ax.set_xlim(0, width)
    ax.set_ylim(height, 0)
    ax.set_aspect("equal")
    ax.axis("off")
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import BoundaryNorm, ListedColormap

    bounds = np.linspace(lo, hi, len(PALETTE) + 1)
    bar = fig.colorbar(ScalarMappable(BoundaryNorm(bounds, len(PALETTE)), ListedColormap(PALETTE)),
                       ax=ax, orientation="horizontal", fraction=0.05, shrink=0.7, aspect=35, pad=0.02)
    bar.set_ticks(bounds.tolist())
    bar.ax.tick_params(labelsize=8)
    _number_axis(bar.ax.xaxis, a.lang, 1)  # one decimal: eight limits side by side stay apart
    index = column_name(a, a.framework.root)
    bar.set_label(index)
    ax.set_title(_title(a, f"{index}: {report_title(a)}" if is_home(a) else index), fontsize=11)
    fig.tight_layout()
    return fig


def _map_labels(ax, a: Assessment, units, points: dict) -> None:
    """Region names at their centres (``points``); a city as a dot with its name beside it."""
    regions = a.regions
    for unit in units:
        if unit not in points:
            continue
        x, y = points[unit]
        city = regions.by_id[unit].type == "city"
        name = geo.short_name(regions.name(unit, a.lang), city)
        if city:
            ax.plot([x], [y], "o", color="#1b1b1b", markersize=2.5)
        ax.text(x + (6 if city else 0), y, name, fontsize=6, ha="left" if city else "center", va="center",
                color="#1b1b1b", bbox=LABEL_BOX)  # a box, not a stroke effect: SVG text stays text


def figure_files(a: Assessment, names: tuple[str, ...] = ("indices", "map"),
                 scope: Scope | None = None) -> dict[str, bytes]:
    """``figures/<name>.{png,svg}`` for each of ``names`` (``indices``, ``map``), drawn on
    matplotlib ``Figure`` objects (no pyplot, no backend switched, no global state); no map
    where the units have no boundaries.

    matplotlib is imported once, then every figure after the first is drawn in a forked
    child (:class:`~turaqty.report.forked.Forked`) beside the first: the same files, sooner
    on a machine with a free core. ``scope``: :func:`report_scope` of ``a`` when the caller has it."""
    import matplotlib.figure  # noqa: F401  (before forking: the children share the import)

    scope = scope or report_scope(a)
    names = tuple(name for name in names if name != "map" or scope.map is not None)
    with figure_settings(), ExitStack() as stack:
        others = [stack.enter_context(Forked(partial(_drawn, a, name, scope))) for name in names[1:]]
        out = _drawn(a, names[0], scope) if names else {}
        for job in others:
            out.update(job.result())
    return out


def _drawn(a: Assessment, name: str, scope: Scope) -> dict[str, bytes]:
    """The PNG and SVG files of figure ``name``."""
    return {f"figures/{name}.{fmt}": content
            for fmt, content in save_figure(FIGURES[name](a, scope)).items()}


FIGURES = {"indices": _indices_figure, "map": _map_figure}
