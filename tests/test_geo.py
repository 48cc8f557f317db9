"""The report's map geometry: packaged boundaries, SVG paths, tile fallback, labels."""
from __future__ import annotations

import re

import numpy as np
import pytest

import turaqty
from turaqty.report import geo

REGION_IDS = set(turaqty.load_regions().unit_ids)
POINT = re.compile(r"(-?\d+(?:\.\d+)?),(-?\d+(?:\.\d+)?)")
MAX_BYTES = 150_000


def _points(d: str) -> np.ndarray:
    return np.array([(float(x), float(y)) for x, y in POINT.findall(d)])


def _area(ring) -> float:
    a = np.asarray(ring, dtype=float)
    x, y = a[:, 0], a[:, 1]
    return abs(float(np.dot(x, np.roll(y, -1)) - np.dot(np.roll(x, -1), y))) / 2


@pytest.fixture
def no_data_file(monkeypatch, tmp_path):
    """Point the loader at a file that does not exist (and empty the cache around it)."""
    geo._load_cached.cache_clear()
    monkeypatch.setattr(geo, "_geometry_file", lambda: tmp_path / "missing.geojson")
    yield
    geo._load_cached.cache_clear()


def test_data_file_is_small():
    assert geo._geometry_file().is_file()
    size = len(geo._geometry_file().read_bytes())
    assert 10_000 < size <= MAX_BYTES


def test_geometry_has_all_regions_with_closed_rings():
    g = geo.load_geometry()
    assert g is not None
    assert set(g) == REGION_IDS
    for rid, rings in g.items():
        assert rings, rid
        for ring in rings:
            assert len(ring) >= 4, rid
            assert ring[0] == ring[-1], f"{rid}: ring not closed"
            for lon, lat in ring:
                assert 46 <= lon <= 88 and 40 <= lat <= 56, (rid, lon, lat)


def test_cities_small_but_present():
    g = geo.load_geometry()
    largest = {rid: max(_area(r) for r in rings) for rid, rings in g.items()}
    for city, around in [("astana", "akmola"), ("almaty_city", "almaty_region"), ("shymkent", "turkistan")]:
        assert 0 < largest[city] < largest[around] / 20, city


def test_load_geometry_returns_copies():
    g = geo.load_geometry()
    g["astana"].clear()
    assert geo.load_geometry()["astana"]


@pytest.mark.parametrize("maker", [geo.svg_paths, geo.tile_paths])
@pytest.mark.parametrize("width", [900, 400])
def test_paths_cover_all_regions_inside_drawing(maker, width):
    paths, (w, h) = maker(width)
    assert w == width and 0 < h
    assert set(paths) == REGION_IDS
    for rid, d in paths.items():
        assert d.startswith("M") and d.endswith("Z"), rid
        pts = _points(d)
        assert len(pts) >= 4, rid
        assert (pts[:, 0] >= 0).all() and (pts[:, 0] <= w).all(), rid
        assert (pts[:, 1] >= 0).all() and (pts[:, 1] <= h).all(), rid


def test_projected_rings_match_svg_paths(monkeypatch):
    for _ in range(2):  # with the geometry, then with the tile fallback
        rings, size = geo.projected_rings(800)
        paths, svg_size = geo.svg_paths(800)
        assert size == svg_size
        assert set(rings) == REGION_IDS
        w, h = size
        for rid, rs in rings.items():
            assert rs, rid
            for ring in rs:
                assert len(ring) >= 4 and ring[0] == ring[-1], rid
                a = np.asarray(ring)
                assert (a >= 0).all() and (a[:, 0] <= w).all() and (a[:, 1] <= h).all(), rid
            assert _area(max(rs, key=_area)) > 0, rid
        monkeypatch.setattr(geo, "load_geometry", lambda: None)


def test_svg_paths_fill_the_width_and_keep_proportions():
    paths, (w, h) = geo.svg_paths(900)
    pts = np.concatenate([_points(d) for d in paths.values()])
    # fitted with a small margin: the extent spans nearly the whole width
    assert pts[:, 0].min() < 0.05 * w and pts[:, 0].max() > 0.95 * w
    # Kazakhstan is about 1.8 times as wide as it is tall in this projection
    assert 1.6 < w / h < 2.0
    # north up, west left
    lab = geo.label_points(900)
    assert lab["north_kazakhstan"][1] < lab["turkistan"][1]
    assert lab["west_kazakhstan"][0] < lab["east_kazakhstan"][0]


def test_label_points_inside_drawing_and_near_their_region():
    paths, (w, h) = geo.svg_paths(900)
    lab = geo.label_points(900)
    assert set(lab) == REGION_IDS
    for rid, (x, y) in lab.items():
        assert 0 <= x <= w and 0 <= y <= h, rid
        pts = _points(paths[rid])
        assert pts[:, 0].min() <= x <= pts[:, 0].max(), rid
        assert pts[:, 1].min() <= y <= pts[:, 1].max(), rid


def test_tile_grid_is_one_region_per_cell():
    assert set(geo.TILE_GRID) == REGION_IDS
    cells = list(geo.TILE_GRID.values())
    assert len(set(cells)) == len(cells)
    assert all(0 <= c < geo.TILE_COLUMNS and 0 <= r < geo.TILE_ROWS for c, r in cells)
    # roughly geographic: west left of east, north above south
    g = geo.TILE_GRID
    assert g["mangystau"][0] < g["karaganda"][0] < g["east_kazakhstan"][0]
    assert g["north_kazakhstan"][1] < g["karaganda"][1] < g["zhambyl"][1]


def test_fallback_when_data_file_missing(no_data_file):
    assert geo.load_geometry() is None
    paths, size = geo.svg_paths(900)
    assert (paths, size) == geo.tile_paths(900)
    assert geo.label_points(900) == geo.tile_label_points(900)


def test_fallback_when_data_file_unreadable(monkeypatch, tmp_path):
    bad = tmp_path / "bad.geojson"
    bad.write_text('{"type": "FeatureCollection", "features": [', encoding="utf-8")
    geo._load_cached.cache_clear()
    monkeypatch.setattr(geo, "_geometry_file", lambda: bad)
    try:
        assert geo.load_geometry() is None
        assert geo.svg_paths(500) == geo.tile_paths(500)
    finally:
        geo._load_cached.cache_clear()


def test_fallback_when_loader_returns_none(monkeypatch):
    monkeypatch.setattr(geo, "load_geometry", lambda: None)
    assert geo.svg_paths(700) == geo.tile_paths(700)
    assert set(geo.label_points(700)) == REGION_IDS
