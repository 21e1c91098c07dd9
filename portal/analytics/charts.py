"""Charts drawn server-side as SVG geometry (the template draws the shapes; each chart also has its table).
Pure: numbers in, coordinates out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

WIDTH = 640
HEIGHT = 180
BOTTOM = 20  # room for the month labels
TOP = 14  # room for the value of the tallest bar


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    w: float
    h: float
    label: str
    lx: float
    period: date
    value: Decimal
    series: int = 0
    labelled: bool = True  # the month or wave label is drawn under this bar


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
            h = float(value / top) * (height - BOTTOM - TOP) if value > 0 else 0.0
            drawn.append(
                Bar(
                    x=round(i * step + step * 0.12 + k * inner, 1),
                    y=round(height - BOTTOM - h, 1),
                    w=round(inner * 0.92, 1),
                    h=round(h, 1),
                    label=f"{period:%m.%y}",
                    lx=round(i * step + step / 2, 1),
                    period=period,
                    value=value,
                    series=k,
                    labelled=k == 0,
                )
            )
    return Chart(bars=drawn, width=width, height=height, series=len(series))


def diverging(labels: Sequence[str], values: Sequence[int | None], width: int = WIDTH, height: int = HEIGHT) -> Chart:
    """Bars up from the middle line for positive values and down for negative ones, on a −100…+100 scale (NPS)."""
    step = width / max(1, len(labels))
    middle = (height - BOTTOM) / 2
    scale = (middle - 4) / 100
    drawn = []
    for i, (label, value) in enumerate(zip(labels, values, strict=False)):
        v = value or 0
        h = abs(v) * scale
        w = min(step * 0.6, 64)
        drawn.append(
            Bar(
                x=round(i * step + (step - w) / 2, 1),
                y=round(middle - h if v > 0 else middle, 1),
                w=round(w, 1),
                h=round(h, 1),
                label=label,
                lx=round(i * step + step / 2, 1),
                period=date.min,
                value=Decimal(v),
                series=0 if v >= 0 else 1,
            )
        )
    return Chart(bars=drawn, width=width, height=height, series=1)
