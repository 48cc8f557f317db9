"""Figures as a list of shapes, written as SVG (text stays text, editable in a drawing
program) and as PNG (drawn by Pillow at twice the size and reduced: smooth edges).

This is what the report's figures are drawn with: importing matplotlib and laying out a
figure took longer than everything else ``turaqty report`` does. Coordinates are the SVG's
pixels, y pointing down; a text's ``y`` is its baseline. The PNG is ``scale`` times larger.
Equal shapes give byte-identical files (no dates or software stamps).

Example
-------
>>> c = Canvas(200, 100, title="An example")
>>> c.rect(10, 10, 50, 20, "#3f7cac")
>>> c.text(100, 50, "Қарағанды & Co", 12, anchor="middle")
>>> svg = c.svg().decode()
>>> "Қарағанды &amp; Co</text>" in svg and "<title>An example</title>" in svg
True
>>> c.png()[:4] == bytes([0x89]) + b"PNG"
True
"""
from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from html import escape
from importlib.resources import files

import numpy as np

FONT_FAMILY = "DejaVu Sans, Verdana, Arial, sans-serif"
"""The SVG's fonts: the one the PNG is drawn and text is measured with (:func:`font_file`),
then look-alikes."""
SUPERSAMPLE = 2  # the PNG is drawn this many times larger, then reduced: smooth edges
ANCHORS = {"start": "ls", "middle": "ms", "end": "rs"}  # Pillow's anchors on the baseline
_LINE_BREAKS = re.compile("[\x00-\x1f\x7f-\x9f]")  # a label is one line: breaks, tabs … are spaces
_NOT_XML = re.compile("[\ud800-\udfff\ufffe\uffff]")  # characters an SVG cannot carry


def one_line(text: str) -> str:
    r"""``text`` as a figure draws it: control characters (a line break typed in an Excel
    cell, a tab) as spaces, characters XML cannot carry as ``?``.

    >>> one_line("District\none\tA\ud800")
    'District one A?'
    """
    return _NOT_XML.sub("?", _LINE_BREAKS.sub(" ", text))


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float
    fill: str
    opacity: float = 1.0
    radius: float = 0.0
    key: str = ""  # what the shape shows (e.g. a unit and a pillar), for tests and readers


@dataclass(frozen=True)
class Area:
    """A filled compound shape: its rings (closed, (k, 2) arrays) are filled even–odd, so
    a ring inside another is a hole."""

    rings: tuple[np.ndarray, ...]
    fill: str
    stroke: str | None = None
    stroke_width: float = 1.0
    key: str = ""


@dataclass(frozen=True)
class Line:
    points: np.ndarray  # (k, 2): a polyline
    colour: str
    width: float = 1.0
    dash: tuple[float, float] | None = None  # (drawn, skipped) lengths


@dataclass(frozen=True)
class Dot:
    x: float
    y: float
    radius: float
    fill: str


@dataclass(frozen=True)
class Text:
    x: float
    y: float  # the baseline
    text: str
    size: float
    colour: str = "#1b1b1b"
    anchor: str = "start"  # start, middle or end of the text at x
    key: str = ""


Shape = Rect | Area | Line | Dot | Text


@dataclass
class Scale:
    """A linear axis: data values ``low``…``high`` onto pixels ``start``…``end``.

    >>> s = Scale(0, 10, 100, 300)
    >>> s(5.0), s.value(300.0)
    (200.0, 10.0)
    """

    low: float
    high: float
    start: float
    end: float

    def __call__(self, value):
        return _plain(self.start + (np.asarray(value, dtype=float) - self.low) * self._ratio())

    def value(self, pixel):
        """The data value at ``pixel`` (the inverse)."""
        return _plain(self.low + (np.asarray(pixel, dtype=float) - self.start) / self._ratio())

    def _ratio(self) -> float:
        return (self.end - self.start) / ((self.high - self.low) or 1.0)


def _plain(x: np.ndarray):
    """A float for a single value, else the array."""
    return float(x) if x.ndim == 0 else x


@dataclass
class Canvas:
    """A figure of ``width`` × ``height`` pixels on ``background``; shapes are drawn in the
    order they were added."""

    width: float
    height: float
    background: str = "#ffffff"
    title: str = ""  # the SVG's <title>: what a screen reader or a viewer's tooltip names
    shapes: list[Shape] = field(default_factory=list)
    scales: dict[str, Scale] = field(default_factory=dict)  # the figure's axes, by name

    def rect(self, x: float, y: float, width: float, height: float, fill: str, *,
             opacity: float = 1.0, radius: float = 0.0, key: str = "") -> None:
        self.shapes.append(Rect(x, y, width, height, fill, opacity, radius, key))

    def area(self, rings, fill: str, *, stroke: str | None = None, stroke_width: float = 1.0,
             key: str = "") -> None:
        self.shapes.append(Area(tuple(np.asarray(r, dtype=float) for r in rings), fill, stroke,
                                stroke_width, key))

    def line(self, points, colour: str, *, width: float = 1.0,
             dash: tuple[float, float] | None = None) -> None:
        self.shapes.append(Line(np.asarray(points, dtype=float), colour, width, dash))

    def dot(self, x: float, y: float, radius: float, fill: str) -> None:
        self.shapes.append(Dot(x, y, radius, fill))

    def text(self, x: float, y: float, text: str, size: float, *, colour: str = "#1b1b1b",
             anchor: str = "start", key: str = "") -> None:
        self.shapes.append(Text(x, y, one_line(text), size, colour, anchor, key))

    def texts(self, key: str = "") -> list[Text]:
        """The texts drawn (with ``key``, when given)."""
        return [s for s in self.shapes if isinstance(s, Text) and (not key or s.key == key)]

    def svg(self) -> bytes:
        """The figure as an SVG document (UTF-8)."""
        w, h = _num(self.width), _num(self.height)
        parts = ['<?xml version="1.0" encoding="utf-8"?>\n',
                 f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" '
                 f'viewBox="0 0 {w} {h}" font-family="{FONT_FAMILY}">\n',
                 f"<title>{escape(one_line(self.title), quote=False)}</title>\n" if self.title else "",
                 f'<rect width="{w}" height="{h}" fill="{self.background}"/>\n']
        parts += [_svg(shape) + "\n" for shape in self.shapes]
        parts.append("</svg>\n")
        return "".join(parts).encode("utf-8")

    def png(self, scale: float = 1.5) -> bytes:
        """The figure as a PNG ``scale`` times the SVG's size (150 dpi for ``scale`` 1.5: the
        SVG's pixels are 1/100 inch)."""
        from PIL import Image, ImageDraw

        k = scale * SUPERSAMPLE
        size = (round(self.width * scale) * SUPERSAMPLE, round(self.height * scale) * SUPERSAMPLE)
        image = Image.new("RGB", size, self.background)
        draw = ImageDraw.Draw(image, "RGBA")  # blends colours with an opacity
        for shape in self.shapes:
            _draw(draw, shape, k)
        out = io.BytesIO()
        dpi = round(100 * scale)
        image.reduce(SUPERSAMPLE).save(out, format="PNG", dpi=(dpi, dpi))
        return out.getvalue()


# --- text ----------------------------------------------------------------------------------

def font_file() -> str:
    """DejaVu Sans, shipped with turaqty (every Kazakh and Russian letter; its licence is
    ``data/fonts/LICENSE``): the same text widths and pixels on every machine."""
    return str(files("turaqty").joinpath("data/fonts/DejaVuSans.ttf"))


@lru_cache(maxsize=64)
def font(size: float):
    """Pillow's font of ``size`` pixels, laid out by Pillow's own engine (not raqm, which
    only some machines have: widths and wrapping would differ between them; Kazakh and
    Russian need no shaping)."""
    from PIL import ImageFont

    return ImageFont.truetype(font_file(), size, layout_engine=ImageFont.Layout.BASIC)


def text_width(text: str, size: float) -> float:
    """The width of ``text`` at ``size`` pixels.

    >>> round(text_width("Astana", 10) * 2) == round(text_width("Astana", 20))
    True
    """
    return float(font(100).getlength(one_line(text))) * size / 100


def wrapped(text: str, size: float, width: float) -> list[str]:
    """``text`` in lines no wider than ``width`` (a word longer than that stands alone).

    >>> wrapped("one two three", 10, text_width("one two", 10))
    ['one two', 'three']
    """
    lines: list[str] = []
    for word in text.split():
        if lines and text_width(f"{lines[-1]} {word}", size) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines or [""]


def shortened(text: str, size: float, width: float) -> str:
    """``text`` as it is, or cut short with "…" to fit ``width``.

    >>> shortened("Kazakhstan", 10, text_width("Kazakh…", 10))
    'Kazakh…'
    """
    if text_width(text, size) <= width:
        return text
    low, high = 0, len(text)  # the longest start that fits with the ellipsis
    while low < high:
        mid = (low + high + 1) // 2
        low, high = (mid, high) if text_width(text[:mid].rstrip() + "…", size) <= width else (low, mid - 1)
    return text[:low].rstrip() + "…"


def nice_ticks(low: float, high: float, most: int = 8) -> tuple[np.ndarray, int]:
    """Round values (1, 2, 2.5 or 5 × 10ᵏ apart) within ``low``…``high``, at most ``most``
    of them, and the decimals they need.

    >>> ticks, decimals = nice_ticks(0, 28.4)
    >>> ticks.tolist(), decimals
    ([0.0, 5.0, 10.0, 15.0, 20.0, 25.0], 0)
    >>> nice_ticks(0.1, 0.93)[0].tolist()
    [0.2, 0.4, 0.6, 0.8]
    """
    span = (high - low) or 1.0
    power = 10.0 ** math.floor(math.log10(span / most))
    step = next(m * power for m in (1, 2, 2.5, 5, 10, 20) if span / (m * power) <= (most - 1) * (1 + 1e-9))
    first = math.ceil(low / step - 1e-9)
    ticks = (first + np.arange(int(math.floor(high / step + 1e-9)) - first + 1)) * step
    decimals = next(d for d in range(8) if abs(round(step, d) - step) < 1e-9 * step)
    return np.round(ticks, decimals + 2) + 0.0, decimals


# --- SVG -----------------------------------------------------------------------------------

def _num(v: float) -> str:
    """A coordinate with at most two decimals."""
    s = f"{v:.2f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def one_decimal(v: float) -> str:
    """``v`` with one decimal, never ``-0.0``.

    >>> one_decimal(-0.04), one_decimal(2.26)
    ('0.0', '2.3')
    """
    s = f"{v:.1f}"
    return "0.0" if s == "-0.0" else s


def ring_path(xy: np.ndarray) -> str:
    """``M x,y L x,y … Z`` for one closed ring, with one decimal, repeats removed (empty
    when fewer than three points remain).

    >>> ring_path(np.array([[0, 0], [4, 0], [4, 0.01], [0, 4], [0, 0]]))
    'M0.0,0.0L4.0,0.0L0.0,4.0Z'
    """
    pts: list[str] = []
    for x, y in xy:
        p = f"{one_decimal(x)},{one_decimal(y)}"
        if not pts or pts[-1] != p:
            pts.append(p)
    if len(pts) > 1 and pts[0] == pts[-1]:
        pts.pop()
    return "M" + "L".join(pts) + "Z" if len(pts) >= 3 else ""


def _svg(shape: Shape) -> str:
    if isinstance(shape, Text):
        anchor = "" if shape.anchor == "start" else f' text-anchor="{shape.anchor}"'
        return (f'<text x="{_num(shape.x)}" y="{_num(shape.y)}" font-size="{_num(shape.size)}" '
                f'fill="{shape.colour}"{anchor}>{escape(shape.text, quote=False)}</text>')
    if isinstance(shape, Rect):
        extra = (f' fill-opacity="{shape.opacity:g}"' if shape.opacity < 1 else "") + (
            f' rx="{_num(shape.radius)}"' if shape.radius else "")
        return (f'<rect x="{_num(shape.x)}" y="{_num(shape.y)}" width="{_num(shape.width)}" '
                f'height="{_num(shape.height)}" fill="{shape.fill}"{extra}/>')
    if isinstance(shape, Area):
        stroke = (f' stroke="{shape.stroke}" stroke-width="{_num(shape.stroke_width)}"'
                  ' stroke-linejoin="round"' if shape.stroke else "")
        d = "".join(ring_path(r) for r in shape.rings)
        return f'<path d="{d}" fill="{shape.fill}" fill-rule="evenodd"{stroke}/>'
    if isinstance(shape, Line):
        points = " ".join(f"{_num(x)},{_num(y)}" for x, y in shape.points)
        dash = f' stroke-dasharray="{_num(shape.dash[0])},{_num(shape.dash[1])}"' if shape.dash else ""
        return (f'<polyline points="{points}" fill="none" stroke="{shape.colour}" '
                f'stroke-width="{_num(shape.width)}"{dash}/>')
    return f'<circle cx="{_num(shape.x)}" cy="{_num(shape.y)}" r="{_num(shape.radius)}" fill="{shape.fill}"/>'


# --- PNG -----------------------------------------------------------------------------------

def _rgba(colour: str, opacity: float = 1.0) -> tuple[int, int, int, int]:
    """``#rrggbb`` or ``#rgb`` as an RGBA tuple.

    >>> _rgba("#ff8000", 0.5), _rgba("#ccc")
    ((255, 128, 0, 128), (204, 204, 204, 255))
    """
    digits = colour[1:] if len(colour) == 7 else "".join(2 * d for d in colour[1:4])
    return (int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16), round(255 * opacity))


def _pen(width: float, k: float) -> int:
    return max(1, round(width * k))


def _draw(draw, shape: Shape, k: float) -> None:
    """``shape`` on Pillow's ``draw``, every length times ``k``."""
    if isinstance(shape, Text):
        draw.text((shape.x * k, shape.y * k), shape.text, font=font(shape.size * k),
                  fill=_rgba(shape.colour), anchor=ANCHORS[shape.anchor])
    elif isinstance(shape, Rect):
        box = (shape.x * k, shape.y * k, (shape.x + shape.width) * k, (shape.y + shape.height) * k)
        fill = _rgba(shape.fill, shape.opacity)
        if shape.radius:
            draw.rounded_rectangle(box, radius=shape.radius * k, fill=fill)
        else:
            draw.rectangle(box, fill=fill)
    elif isinstance(shape, Area):
        _draw_area(draw, shape, k)
    elif isinstance(shape, Line):
        for piece in _dashed(shape.points * k, shape.dash and (shape.dash[0] * k, shape.dash[1] * k)):
            draw.line([tuple(p) for p in piece], fill=_rgba(shape.colour), width=_pen(shape.width, k),
                      joint="curve")
    else:
        r = shape.radius * k
        draw.ellipse((shape.x * k - r, shape.y * k - r, shape.x * k + r, shape.y * k + r),
                     fill=_rgba(shape.fill))


def _draw_area(draw, area: Area, k: float) -> None:
    """An area filled even–odd, as in the SVG: its rings are XOR-ed into a mask the size
    of its bounding box (Pillow fills one polygon at a time), then its outlines."""
    rings = [r * k for r in area.rings if len(r) >= 3]
    if not rings:
        return
    fill = _rgba(area.fill)
    if len(rings) == 1:
        draw.polygon([tuple(p) for p in rings[0]], fill=fill)
    else:
        from PIL import Image, ImageChops, ImageDraw

        points = np.vstack(rings)
        corner = np.floor(points.min(axis=0))
        width, height = (int(v) + 2 for v in np.ceil(points.max(axis=0)) - corner)
        size = (width, height)
        mask = Image.new("1", size, 0)
        for ring in rings:  # shifted by whole pixels: each ring's pixels are the same
            one = Image.new("1", size, 0)
            ImageDraw.Draw(one).polygon([tuple(p) for p in ring - corner], fill=1)
            mask = ImageChops.logical_xor(mask, one)
        draw.bitmap(tuple(int(v) for v in corner), mask, fill=fill)
    if area.stroke:
        for ring in rings:
            closed = np.vstack([ring, ring[:1]])
            draw.line([tuple(p) for p in closed], fill=_rgba(area.stroke),
                      width=_pen(area.stroke_width, k), joint="curve")


def shoelace(xy: np.ndarray) -> np.ndarray:
    """The cross products x·y' − x'·y of a closed ring's consecutive points (their sum is
    twice the ring's signed area)."""
    x, y = xy[:, 0], xy[:, 1]
    return x * np.roll(y, -1) - np.roll(x, -1) * y


def signed_area(xy: np.ndarray) -> float:
    """The shoelace area of a closed ring, positive one way round, negative the other.

    >>> signed_area(np.array([[0, 0], [2, 0], [2, 1], [0, 1]], float))
    2.0
    """
    return float(shoelace(xy).sum() / 2)


def _dashed(points: np.ndarray, dash: tuple[float, float] | None) -> list[np.ndarray]:
    """A polyline cut into its drawn pieces (the whole line without a dash pattern).

    >>> [p.tolist() for p in _dashed(np.array([[0.0, 0.0], [10.0, 0.0]]), (2.0, 3.0))]
    [[[0.0, 0.0], [2.0, 0.0]], [[5.0, 0.0], [7.0, 0.0]]]
    """
    if not dash:
        return [points]
    pieces = []
    for a, b in zip(points[:-1], points[1:], strict=True):
        length = float(np.hypot(*(b - a)))
        starts = np.arange(0.0, length, dash[0] + dash[1])
        ends = np.minimum(starts + dash[0], length)
        unit = (b - a) / (length or 1.0)
        pieces += [np.array([a + s * unit, a + e * unit]) for s, e in zip(starts, ends, strict=True)]
    return pieces
