"""Bar charts drawn on the server as SVG: geometry only, as plain values a template renders.
No JavaScript, nothing to download, readable without styles (each bar has its title)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 760
HEIGHT = 240
LEFT = 48
RIGHT = 8
TOP = 12
BOTTOM = 28
Y_TICKS = 4


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: int
    label: str


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    bars: list[Bar]
    y_ticks: list[Tick]
    x_ticks: list[Tick]
    total: int
    peak: int


def nice_scale(peak: int, ticks: int = Y_TICKS) -> tuple[int, int]:
    """The top of the axis and the step between gridlines: 1, 2 or 5 times a power of ten,
    whole numbers only (views are counted, not measured)."""
    if peak <= 0:
        return ticks, 1
    raw = peak / ticks
    magnitude = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    step = max(1, int(step))
    return step * math.ceil(peak / step), step


def _short(value: int) -> str:
    if value >= 1_000_000:
        return f"{value / 1_000_000:g}M"
    if value >= 10_000:
        return f"{value / 1000:g}k"
    return str(value)


def bar_chart(
    points: Sequence[tuple[str, str, int]], *, width: int = WIDTH, height: int = HEIGHT
) -> Chart:
    """A bar per point; a point is (label of the bar, label under the axis or "", value)."""
    values = [value for _label, _axis, value in points]
    peak = max(values, default=0)
    top_value, step = nice_scale(peak)
    plot_width = width - LEFT - RIGHT
    plot_height = height - TOP - BOTTOM
    bottom = TOP + plot_height
    slot = plot_width / max(len(points), 1)
    gap = min(2.0, slot * 0.2)
    bars, x_ticks = [], []
    for index, (label, axis_label, value) in enumerate(points):
        bar_height = plot_height * value / top_value
        x = LEFT + index * slot
        bars.append(
            Bar(
                x=round(x + gap / 2, 2),
                y=round(bottom - bar_height, 2),
                width=round(slot - gap, 2),
                height=round(bar_height, 2),
                value=value,
                label=label,
            )
        )
        if axis_label:
            x_ticks.append(Tick(position=round(x + slot / 2, 2), label=axis_label))
    y_ticks = [
        Tick(position=round(bottom - plot_height * tick / top_value, 2), label=_short(tick))
        for tick in range(0, top_value + 1, step)
    ]
    return Chart(
        width=width,
        height=height,
        left=LEFT,
        right=width - RIGHT,
        top=TOP,
        bottom=bottom,
        bars=bars,
        y_ticks=y_ticks,
        x_ticks=x_ticks,
        total=sum(values),
        peak=peak,
    )
