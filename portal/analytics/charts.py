"""Charts drawn server-side as SVG geometry (the template draws the shapes; each chart also has its table).
Pure: numbers in, coordinates out. The months are named under the drawing as page text (``bar-labels``), not inside
it, so they keep their size however narrow the chart is drawn."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

WIDTH = 640
HEIGHT = 160
TOP = 14  # air above the tallest bar


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    w: float
    h: float
    period: date
    value: Decimal
    series: int = 0
    labelled: bool = True  # the first bar of its month (or wave): the month is named under it


@dataclass(frozen=True)
class Chart:
    bars: list[Bar]
    width: int
    height: int
    series: int


def bars(
    months: Sequence[date], *series: Sequence[Decimal | int | None], width: int = WIDTH, height: int = HEIGHT
) -> Chart:
    """Bars of one or more monthly series side by side, scaled to the tallest value."""
    values = [Decimal(v or 0) for s in series for v in s]
    top = max(values, default=Decimal(0)) or Decimal(1)
    step = width / max(1, len(months))
    inner = step * 0.76 / max(1, len(series))
    drawn = []
    for i, period in enumerate(months):
        for k, s in enumerate(series):
            value = Decimal(s[i] or 0) if i < len(s) else Decimal(0)
            h = float(value / top) * (height - TOP) if value > 0 else 0.0
            drawn.append(
                Bar(
                    x=round(i * step + step * 0.12 + k * inner, 1),
                    y=round(height - h, 1),
                    w=round(inner * 0.92, 1),
                    h=round(h, 1),
                    period=period,
                    value=value,
                    series=k,
                    labelled=k == 0,
                )
            )
    return Chart(bars=drawn, width=width, height=height, series=len(series))


def diverging(periods: Sequence[date], values: Sequence[int | None], width: int = WIDTH, height: int = HEIGHT) -> Chart:
    """Bars up from the middle line for positive values and down for negative ones, on a −100…+100 scale (NPS); a
    bar per period (a survey wave's opening)."""
    step = width / max(1, len(periods))
    middle = height / 2
    scale = (middle - 4) / 100
    drawn = []
    for i, (period, value) in enumerate(zip(periods, values, strict=False)):
        v = value or 0
        h = abs(v) * scale
        w = min(step * 0.6, 64)
        drawn.append(
            Bar(
                x=round(i * step + (step - w) / 2, 1),
                y=round(middle - h if v > 0 else middle, 1),
                w=round(w, 1),
                h=round(h, 1),
                period=period,
                value=Decimal(v),
                series=0 if v >= 0 else 1,
            )
        )
    return Chart(bars=drawn, width=width, height=height, series=1)
