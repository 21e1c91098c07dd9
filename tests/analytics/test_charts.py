"""The SVG geometry of the dashboard's charts, without a server."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from portal.analytics import charts

MONTHS = [date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)]


def test_bars_scale_to_the_tallest_and_label_each_month_once() -> None:
    chart = charts.bars(MONTHS, [Decimal(50), Decimal(100), Decimal(0)], [Decimal(25), None, Decimal(100)])
    heights = {(b.period, b.series): b.h for b in chart.bars}
    tallest = charts.HEIGHT - charts.TOP
    assert heights[(MONTHS[1], 0)] == tallest and heights[(MONTHS[0], 0)] == tallest / 2
    assert heights[(MONTHS[2], 0)] == 0 and heights[(MONTHS[1], 1)] == 0
    assert [b.period for b in chart.bars if b.labelled] == MONTHS
    # The bars stand on the drawing's bottom edge: the months are named under it, as page text.
    assert all(b.y + b.h == charts.HEIGHT for b in chart.bars)


def test_nps_bars_go_up_for_positive_and_down_for_negative_each_labelled() -> None:
    waves = [date(2026, 1, 1), date(2026, 7, 1)]
    chart = charts.diverging(waves, [-50, 100])
    down, up = chart.bars
    middle = charts.HEIGHT / 2
    assert down.y == middle and down.h > 0 and down.series == 1
    assert up.y + up.h == middle and up.h == 2 * down.h and up.series == 0
    assert all(b.labelled for b in chart.bars) and [b.period for b in chart.bars] == waves
    assert charts.diverging(waves[:1], [None]).bars[0].h == 0
