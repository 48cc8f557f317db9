"""The figures' canvas (report/canvas.py): SVG and PNG of the same shapes, text kept as text
and escaped, pixels where the shapes say, round axis ticks; and the commands that draw
figures without matplotlib."""
from __future__ import annotations

import io
import math
import subprocess
import sys
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from turaqty.report.canvas import Canvas, Scale, _dashed, nice_ticks, text_width, wrapped

SVG = "{http://www.w3.org/2000/svg}"


def _pixels(canvas: Canvas, scale: float = 1.0) -> Image.Image:
    return Image.open(io.BytesIO(canvas.png(scale=scale))).convert("RGB")


def test_shapes_land_where_they_are_drawn_in_both_formats():
    c = Canvas(200, 100)
    c.rect(10, 10, 50, 30, "#ff0000")
    c.rect(100, 10, 50, 30, "#0000ff", opacity=0.5)
    c.area([[(10, 60), (60, 60), (60, 95), (10, 95)]], "#00ff00", stroke="#000000")
    c.dot(150, 80, 8, "#000000")
    png = _pixels(c)
    assert png.size == (200, 100)
    assert png.getpixel((35, 25)) == (255, 0, 0)
    assert png.getpixel((125, 25)) == pytest.approx((127, 127, 255), abs=1)  # half over white
    assert png.getpixel((35, 78)) == (0, 255, 0)
    assert png.getpixel((150, 80)) == (0, 0, 0)
    assert png.getpixel((190, 5)) == (255, 255, 255)
    root = ET.fromstring(c.svg())
    assert root.get("viewBox") == "0 0 200 100"
    rects = root.findall(f"{SVG}rect")
    assert [(r.get("x"), r.get("width"), r.get("fill")) for r in rects[1:]] == [
        ("10", "50", "#ff0000"), ("100", "50", "#0000ff")]
    assert rects[2].get("fill-opacity") == "0.5"
    assert root.find(f"{SVG}path").get("d") == "M10.0,60.0L60.0,60.0L60.0,95.0L10.0,95.0Z"
    assert _pixels(c, 2.0).size == (400, 200)


def test_text_is_drawn_measured_and_kept_as_text():
    c = Canvas(300, 60)
    c.text(20, 40, "Қызылорда", 20)
    png = np.asarray(_pixels(c))
    dark = np.argwhere(png.min(axis=2) < 128)
    width = text_width("Қызылорда", 20)
    assert dark[:, 1].min() >= 19 and dark[:, 1].max() <= 20 + width + 1  # within its measure
    assert dark[:, 1].max() - dark[:, 1].min() > 0.85 * width
    assert 40 - 0.8 * 20 <= dark[:, 0].min() and dark[:, 0].max() <= 40 + 0.25 * 20  # on its baseline
    c2 = Canvas(300, 60)
    c2.text(150, 40, "Қызылорда", 20, anchor="middle")
    dark2 = np.argwhere(np.asarray(_pixels(c2)).min(axis=2) < 128)
    assert abs((dark2[:, 1].min() + dark2[:, 1].max()) / 2 - 150) < 3  # centred
    assert ET.fromstring(c2.svg()).find(f"{SVG}text").get("text-anchor") == "middle"


@settings(max_examples=60, deadline=None)
@given(st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=30))
def test_any_text_round_trips_through_the_svg(text):
    c = Canvas(100, 50)
    c.text(5, 25, text, 10)
    node = ET.fromstring(c.svg()).find(f"{SVG}text")
    assert node.text == text  # escaped on the way in: no markup, nothing lost


@settings(max_examples=60, deadline=None)
@given(st.text(min_size=1, max_size=30))
def test_control_characters_and_surrogates_are_drawn_on_one_line(text):
    """A name with a line break typed in an Excel cell (or a tab, a lone surrogate): one line
    in both formats, the SVG still XML, the width measured."""
    c = Canvas(100, 50, title=text)
    c.text(5, 25, text, 10)
    root = ET.fromstring(c.svg())
    drawn = root.find(f"{SVG}text").text or ""
    assert len(drawn) == len(text) and not any(ch in drawn for ch in "\n\r\t\x0b")
    assert text_width(text, 10) == text_width(drawn, 10) >= 0
    assert c.png()[:4] == bytes([0x89]) + b"PNG"


def test_equal_shapes_give_equal_bytes():
    def draw() -> Canvas:
        c = Canvas(120, 80)
        c.area([[(0, 0), (100, 0), (50, 70)]], "#3f7cac", stroke="#6b6b6b", stroke_width=0.5)
        c.line([(0, 75), (120, 75)], "#555555", dash=(1.5, 2.5))
        c.text(10, 20, "Abai, 2023", 11)
        return c
    assert draw().png() == draw().png() and draw().svg() == draw().svg()
    assert b"Date" not in draw().svg() and b"tIME" not in draw().png()  # no time stamps


@pytest.mark.parametrize("winding", [1, -1])
def test_holes_are_open_whatever_their_winding_and_show_what_is_below(winding):
    """Even–odd filling in the PNG as in the SVG: what was drawn before shows through a hole
    (wound either way), what is drawn after covers it."""
    outer = [(10, 10), (90, 10), (90, 90), (10, 90)]
    hole = [(30, 30), (30, 70), (70, 70), (70, 30)][::winding]
    c = Canvas(100, 100)
    c.area([outer, hole], "#00ff00")
    png = _pixels(c)
    assert png.getpixel((50, 50)) == (255, 255, 255) and png.getpixel((20, 20)) == (0, 255, 0)
    c.area([hole], "#ff0000")
    assert _pixels(c).getpixel((50, 50)) == (255, 0, 0)
    below = Canvas(100, 100)
    below.rect(0, 0, 100, 100, "#0000ff")
    below.area([outer, hole], "#00ff00")
    png = _pixels(below)
    assert png.getpixel((50, 50)) == (0, 0, 255) and png.getpixel((20, 20)) == (0, 255, 0)


def test_dashes_cover_the_drawn_share_of_the_line():
    pieces = _dashed(np.array([[0.0, 0.0], [0.0, 100.0]]), (1.5, 2.5))
    drawn = sum(float(np.hypot(*(p[1] - p[0]))) for p in pieces)
    assert drawn == pytest.approx(25 * 1.5)
    assert len(_dashed(np.array([[0.0, 0.0], [3.0, 4.0]]), None)) == 1


@settings(max_examples=200, deadline=None)
@given(st.floats(-1e6, 1e6), st.floats(1e-3, 1e6), st.integers(5, 10))
def test_ticks_are_round_inside_and_few(low, span, most):
    high = low + span
    ticks, decimals = nice_ticks(low, high, most)
    assert 2 <= len(ticks) <= most
    tolerance = 1e-9 * max(abs(low), abs(high), span)
    assert ticks[0] >= low - tolerance and ticks[-1] <= high + tolerance
    steps = np.diff(ticks)
    np.testing.assert_allclose(steps, steps[0], rtol=1e-6)
    mantissa = steps[0] / 10 ** math.floor(math.log10(steps[0]))
    cancellation = 1e-12 * np.abs(ticks).max() / steps[0]  # differences of large neighbours
    assert min(abs(mantissa - m) for m in (1, 2, 2.5, 5, 10)) < 1e-6 + cancellation
    assert np.allclose(np.round(ticks, decimals), ticks, rtol=0, atol=1e-6 * steps[0])


@given(st.floats(-100, 100), st.floats(0.1, 100), st.floats(0, 500), st.floats(1, 500),
       st.floats(-200, 200))
def test_scale_and_its_inverse(low, span, start, length, value):
    for s in (Scale(low, low + span, start, start + length), Scale(low + span, low, start, start + length)):
        assert s.value(s(value)) == pytest.approx(value, abs=1e-9 * (1 + abs(value)))
    s = Scale(low, low + span, start, start + length)
    assert s(low) == pytest.approx(start) and s(low + span) == pytest.approx(start + length)


@given(st.lists(st.text("абвгқңө xyz", min_size=1, max_size=12), min_size=1, max_size=12),
       st.floats(20, 300))
def test_wrapped_lines_fit_and_keep_every_word(words, width):
    text = " ".join(words)
    lines = wrapped(text, 11, width)
    assert " ".join(lines).split() == text.split()
    assert all(text_width(line, 11) <= width or " " not in line for line in lines)


@pytest.mark.parametrize("command", [["report"], ["robustness", "--runs", "30", "--sobol", "0"]])
def test_commands_that_draw_figures_do_not_import_matplotlib(tmp_path, command):
    code = ("import sys, turaqty.cli; rc = turaqty.cli.main(sys.argv[1:]); "
            "print(rc, 'matplotlib' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code, *command, "--out", str(tmp_path / "out")],
                          capture_output=True, text=True, check=True)
    assert done.stdout.split()[-2:] == ["0", "False"], (command, done.stdout, done.stderr)
    assert list((tmp_path / "out").rglob("*.png")) and list((tmp_path / "out").rglob("*.svg"))


def test_rank_interval_chart_reads_back_as_the_run():
    """Each unit's line spans its 5–95 % ranks, its dot sits at the median rank, its cross at
    the nominal rank (rank 1 on the right), in the table's order and language."""
    from turaqty.analysis.robustness import run_robustness
    from turaqty.report.canvas import Dot, Line
    from turaqty.report.figures import rank_interval_figure

    r = run_robustness(runs=60, sobol=0, seed=3, lang="ru")
    chart = rank_interval_figure(r, "ru")
    x = chart.scales["x"]
    assert x(1.0) > x(2.0)  # better ranks to the right
    table = r.table.dropna(subset=["nominal"])
    assert [t.text for t in chart.texts("unit")] == table["name"].tolist()
    spans = [s for s in chart.shapes if isinstance(s, Line) and s.width == 4]
    dots = [s for s in chart.shapes if isinstance(s, Dot)][: len(table)]
    crosses = [s for s in chart.shapes if isinstance(s, Line) and s.width == 1.5][: 2 * len(table): 2]
    np.testing.assert_allclose([x.value(s.points[:, 0]) for s in spans], table[["p05", "p95"]].astype(float))
    np.testing.assert_allclose([x.value(d.x) for d in dots], table["median"].astype(float))
    centres = [x.value(c.points[:, 0].mean()) for c in crosses]
    np.testing.assert_allclose(centres, table["nominal"].astype(float))
    assert chart.title == r.sentence("ru") and "<title>" in chart.svg().decode()
