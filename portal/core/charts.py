"""Small monthly bar charts drawn server-side: the geometry an SVG template draws (the same numbers are always in a
table under the chart, so the chart is never the only way to read them). The months are named under the drawing
as page text (``bar-labels``), not inside it, so they keep their size however wide the chart is drawn."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any


def bar_chart(months: Sequence[tuple[date, Decimal | None]], width: int = 320, height: int = 120) -> dict[str, Any]:
    """A bar per (month, value), scaled to the largest value; a month without a positive value has no height.
    Each bar is a dict of its geometry (``x``, ``y``, ``w``, ``h``), its ``period`` and ``value``; the caller may
    add keys of its own. The bars stand on the drawing's bottom edge, each in an equal column of its width."""
    top = max((v for _, v in months if v is not None), default=Decimal(0)) or Decimal(1)
    step = width / max(1, len(months))
    bars = []
    for i, (period, value) in enumerate(months):
        h = float(value / top) * (height - 4) if value is not None and value > 0 else 0.0
        bars.append(
            {
                "x": round(i * step + step * 0.15, 1),
                "y": round(height - h, 1),
                "w": round(step * 0.7, 1),
                "h": round(h, 1),
                "period": period,
                "value": value,
            }
        )
    return {"bars": bars, "width": width, "height": height}
