"""Geometry of the small charts drawn on the server as SVG (the dashboard's): bars and lines in a fixed viewBox
that the browser scales to the screen, a 390 px phone included. Pure: numbers and labels in, shapes out; the
template (``macros/charts.html``) draws them and the table of the same numbers that follows every chart."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

#: The drawing's size in viewBox units, and the margins of the plot inside it.
WIDTH, HEIGHT = 640, 280
LEFT, RIGHT, TOP, BOTTOM = 56, 12, 12, 44
#: At most this many labels under the x axis (the others are in the table).
MAX_X_LABELS = 8


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: float
    href: str | None = None


@dataclass(frozen=True)
class Tick:
    """A horizontal grid line at ``y`` with its value's text."""

    y: float
    text: str


@dataclass(frozen=True)
class Label:
    """A label under the x axis, centred on ``x``."""

    x: float
    text: str


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    label: str
    value: float


@dataclass(frozen=True)
class Chart:
    kind: str  # "bar" or "line"
    width: int
    height: int
    plot_left: float
    plot_right: float
    plot_top: float
    plot_bottom: float
    ticks: tuple[Tick, ...]
    labels: tuple[Label, ...]
    bars: tuple[Bar, ...] = ()
    points: tuple[Point, ...] = ()

    @property
    def polyline(self) -> str:
        """The line's points as SVG's ``points`` attribute."""
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.points)


def nice_top(maximum: float, steps: int = 4, *, whole: bool = True) -> tuple[float, float]:
    """A round top for the y axis at or above ``maximum`` and its step (1, 2, 2.5 or 5 times a power of ten), so
    that the grid reads 0, 250, 500... ; whole steps only when ``whole`` (counts); (4, 1) for nothing to show."""
    if maximum <= 0:
        return (4.0, 1.0) if whole else (1.0, 0.25)
    raw = maximum / steps
    power = 10 ** math.floor(math.log10(raw))
    factors = (1, 2, 5, 10) if whole and power < 10 else (1, 2, 2.5, 5, 10)
    step = next(m * power for m in factors if m * power >= raw)
    if whole:
        step = max(step, 1)
    return round(step * math.ceil(maximum / step - 1e-9), 9), round(step, 9)


def _frame(values: Sequence[float], tick_text: Callable[[float], str], top: float | None):
    peak, step = nice_top(max(values, default=0)) if top is None else (top, top / 4)
    if top is None and any(value != int(value) for value in values):
        peak, step = nice_top(max(values, default=0), whole=False)
    plot_height = HEIGHT - TOP - BOTTOM
    count = round(peak / step)
    ticks = tuple(Tick(y=HEIGHT - BOTTOM - plot_height * i / count, text=tick_text(step * i))
                  for i in range(count + 1))
    return peak, plot_height, ticks


def _x_labels(centres: Sequence[float], labels: Sequence[str]) -> tuple[Label, ...]:
    every = max(1, math.ceil(len(labels) / MAX_X_LABELS))
    return tuple(Label(x=x, text=text) for i, (x, text) in enumerate(zip(centres, labels, strict=True))
                 if i % every == 0)


def bar_chart(labels: Sequence[str], values: Sequence[float], *, hrefs: Sequence[str | None] | None = None,
              tick_text: Callable[[float], str] = lambda v: f"{v:g}", top: float | None = None) -> Chart:
    """Vertical bars, one per label, from zero; the y axis up to a round value (or ``top``, e.g. 1 for rates)."""
    peak, plot_height, ticks = _frame(values, tick_text, top)
    plot_width = WIDTH - LEFT - RIGHT
    slot = plot_width / max(len(values), 1)
    gap = min(slot * 0.2, 8)
    bars = []
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        height = plot_height * min(value, peak) / peak
        bars.append(Bar(x=LEFT + i * slot + gap / 2, y=HEIGHT - BOTTOM - height, width=max(slot - gap, 1),
                        height=height, label=label, value=value, href=hrefs[i] if hrefs else None))
    centres = [LEFT + (i + 0.5) * slot for i in range(len(values))]
    return Chart("bar", WIDTH, HEIGHT, LEFT, WIDTH - RIGHT, TOP, HEIGHT - BOTTOM, ticks,
                 _x_labels(centres, labels), bars=tuple(bars))


def line_chart(labels: Sequence[str], values: Sequence[float], *,
               tick_text: Callable[[float], str] = lambda v: f"{v:g}") -> Chart:
    """A line through one point per label, evenly spaced, from zero up."""
    peak, plot_height, ticks = _frame(values, tick_text, None)
    plot_width = WIDTH - LEFT - RIGHT
    step = plot_width / max(len(values) - 1, 1)
    points = tuple(Point(x=LEFT + i * step, y=HEIGHT - BOTTOM - plot_height * value / peak, label=label, value=value)
                   for i, (label, value) in enumerate(zip(labels, values, strict=True)))
    return Chart("line", WIDTH, HEIGHT, LEFT, WIDTH - RIGHT, TOP, HEIGHT - BOTTOM, ticks,
                 _x_labels([p.x for p in points], labels), points=points)
