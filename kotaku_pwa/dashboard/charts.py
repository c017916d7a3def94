"""The geometry of the dashboard's server-rendered SVG charts (pure functions, no Flask).

The CSP forbids inline script and style, so charts are SVG drawn by the templates from these
shapes (templates/dashboard/_charts.html). Each chart has a fixed viewBox and scales to its box's
width, so it is readable at 360 px and at 1280 px without scrolling the page.
"""

from dataclasses import dataclass

WIDTH = 360  # viewBox width: the width of a field phone, scaled up on a laptop
LABEL_WIDTH = 120  # left column of a horizontal bar chart
ROW = 20  # height of one bar row
AXIS = 24  # room under column charts for the first and last label


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: float
    series: int = 0  # which series of a paired chart (0 or 1)


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    top: float  # the value at the top (or right end) of the scale
    bars: tuple
    line: float | None = None  # position of a target line (x for horizontal, y for columns)
    baseline: float = 0


def nice_top(value: float) -> float:
    """A round scale end at or above `value` (1, 2, 2.5 or 5 × a power of ten; 1 for nothing)."""
    if value <= 0:
        return 1
    power = 1
    while power * 10 <= value:
        power *= 10
    while power > value:
        power /= 10
    for step in (1, 2, 2.5, 5, 10):
        if step * power >= value:
            return step * power
    return 10 * power  # pragma: no cover - the loop always returns


def columns(points, height=160, series=1) -> Chart:
    """Vertical bars of (label, value) points, or of (label, value, value2) when `series` is 2
    (side by side in each slot, e.g. wages paid against due per week)."""
    plot = height - AXIS
    values = [v for p in points for v in p[1 : 1 + series]]
    top = nice_top(max(values, default=0))
    slot = WIDTH / max(len(points), 1)
    gap = min(slot * 0.15, 4)
    width = (slot - 2 * gap) / series
    bars = []
    for i, point in enumerate(points):
        for s in range(series):
            value = point[1 + s]
            h = plot * value / top
            bars.append(Bar(i * slot + gap + s * width, plot - h, width, h, point[0], value, s))
    return Chart(WIDTH, height, top, tuple(bars), baseline=plot)


def hbars(items, top=100, target=None) -> Chart:
    """Horizontal bars of (label, value or None) items on a scale ending at `top`, with an optional
    target line (e.g. the 70 % wage share)."""
    plot = WIDTH - LABEL_WIDTH - 8
    bars = tuple(
        Bar(LABEL_WIDTH, i * ROW + 3, plot * min(value or 0, top) / top, ROW - 6, label, value)
        for i, (label, value) in enumerate(items)
    )
    line = LABEL_WIDTH + plot * target / top if target is not None else None
    return Chart(WIDTH, max(len(items), 1) * ROW, top, bars, line=line)
