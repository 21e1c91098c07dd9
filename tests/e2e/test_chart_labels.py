"""The months under the account's chart of charges and a meter's chart of consumption read at 14 px on a phone and
on a wide screen (UI.md: never smaller for body text on a phone), as page text that keeps its size however wide the
drawing is scaled (they were 10 px inside the SVG), and never run into each other: at 390 px every other month is
named, counted back from the latest, which is always named; at 1280 px all twelve."""

from __future__ import annotations

import itertools
import re

import pytest

from tests.browser import OpenPage
from tests.browser import sign_in

pytestmark = pytest.mark.browser

# Each chart's month labels as the eye sees them: the visible ones' text boxes, font size and words.
LABELS = """() => [...document.querySelectorAll('figure .bar-labels')].map(ol => [...ol.children].map(li => {
  const range = document.createRange(); range.selectNodeContents(li); const r = range.getBoundingClientRect();
  return {text: li.textContent, left: r.left, right: r.right, size: parseFloat(getComputedStyle(li).fontSize),
          shown: getComputedStyle(li).visibility !== 'hidden' && r.width > 0};
}))"""


@pytest.mark.parametrize("width", [390, 1280])
def test_the_months_of_the_charts_read_at_14_px_and_apart(open_page: OpenPage, live_server: str, width: int) -> None:
    page = open_page(width, 900)
    sign_in(page, live_server, "resident@demo.ru")
    account = re.match(r"/accounts/\d+", page.locator("main a[href^='/accounts/']").first.get_attribute("href") or "")
    page.goto(live_server + "/meters")
    meter = page.locator("main a[href^='/meters/']").evaluate_all(
        "links => links.map(a => a.getAttribute('href')).find(h => /^\\/meters\\/\\d+$/.test(h))"
    )
    assert account and meter, "the demo resident has an account and a meter"
    for path in (account.group(0), meter):
        page.goto(live_server + path)
        charts = page.evaluate(LABELS)
        assert len(charts) == 1, path
        labels = charts[0]
        assert len(labels) == 12 and all(not re.fullmatch(r"\d+", label["text"]) for label in labels), labels
        shown = [label for label in labels if label["shown"]]
        assert all(label["size"] >= 14 for label in shown), shown
        assert labels[-1]["shown"], "the latest month is always named"
        assert len(shown) == 12 if width == 1280 else len(shown) >= 4, (path, shown)
        for before, after in itertools.pairwise(shown):
            assert after["left"] - before["right"] >= 2, (path, before, after)


# The dashboard's charts: each month's label with the centre of its column of the drawing, and the drawing's own text.
DASHBOARD = """() => [...document.querySelectorAll('figure.analytics-chart')].map(figure => {
  const svg = figure.querySelector('svg').getBoundingClientRect();
  const items = [...figure.querySelectorAll('.bar-labels li')];
  return {inside: figure.querySelectorAll('svg text').length, left: svg.left, right: svg.right,
          labels: items.map((li, i) => {
    const range = document.createRange(); range.selectNodeContents(li); const r = range.getBoundingClientRect();
    return {text: li.textContent.trim(), left: r.left, right: r.right, size: parseFloat(getComputedStyle(li).fontSize),
            shown: getComputedStyle(li).visibility !== 'hidden' && r.width > 0,
            column: svg.left + (i + 0.5) * svg.width / items.length};
  })};
})"""


@pytest.mark.parametrize("width", [360, 390, 1280])
def test_the_months_of_the_dashboards_charts_read_at_14_px_under_their_bars(
    open_page: OpenPage, live_server: str, width: int
) -> None:
    """The staff dashboard's months were 11 px text inside the drawing, «01.26»: now they are page text at 14 px under
    their bars, named in words; January names its year («янв. 2026»); the latest is always named; none run into
    each other. None reaches past the drawing into the card's padding: on the narrowest phones the latest month
    («нояб.» in bold, wider than its column) ran 8 px past it, and an NPS wave's «июль 2026» the same; a name at
    either end that is wider than its column ends at the drawing's edge, still over its bar."""
    page = open_page(width, 900)
    sign_in(page, live_server, "admin@demo.ru")
    page.goto(live_server + "/staff/analytics")
    charts = page.evaluate(DASHBOARD)
    assert len(charts) >= 7, "receivables, charged and paid, channels, autopay, uptake, requests, NPS"
    for chart in charts:
        labels = chart["labels"]
        assert chart["inside"] == 0 and labels, chart
        shown = [label for label in labels if label["shown"]]
        assert all(label["size"] >= 14 for label in shown), shown
        assert all(not re.search(r"\d\d\.\d\d", label["text"]) for label in labels), labels
        assert labels[-1]["shown"], "the latest month is always named"
        for i, label in enumerate(labels):
            if not label["shown"]:
                continue
            assert chart["left"] - 0.5 <= label["left"] and label["right"] <= chart["right"] + 0.5, ("inside", label)
            if 0 < i < len(labels) - 1 or label["right"] - label["left"] <= (chart["right"] - chart["left"]) / len(
                labels
            ):
                assert abs((label["left"] + label["right"]) / 2 - label["column"]) <= 1, ("under its bar", label)
            else:  # wider than its column, at an end: against the drawing's edge, over its bar
                assert label["left"] <= label["column"] <= label["right"], ("over its bar", label)
        for before, after in itertools.pairwise(shown):
            assert after["left"] - before["right"] >= 2, (before, after)
        if len(labels) == 12:  # the months of the last year (the NPS waves are fewer)
            january = [label for label in labels if label["text"].startswith("янв.")]
            assert len(january) == 1 and re.fullmatch(r"янв\.\s+20\d\d", january[0]["text"]), labels
            assert january[0]["shown"], "January is always named, with its year"
            assert len(shown) == 12 if width == 1280 else len(shown) >= 4, shown


# A chart's drawing and the content box of its card.
CHART_IN_CARD = """selector => {
  const svg = document.querySelector(selector); const card = svg.closest('.card');
  const s = svg.getBoundingClientRect(), c = card.getBoundingClientRect(), style = getComputedStyle(card);
  return {left: s.left, right: s.right, width: s.width,
          inner_left: c.left + parseFloat(style.paddingLeft) + parseFloat(style.borderLeftWidth),
          inner_right: c.right - parseFloat(style.paddingRight) - parseFloat(style.borderRightWidth)};
}"""


@pytest.mark.parametrize("width", [390, 1280])
def test_a_meters_chart_is_as_wide_as_its_card_on_a_phone_and_small_on_a_wide_screen(
    open_page: OpenPage, live_server: str, width: int
) -> None:
    """On a phone a meter's chart spans its card's content from edge to edge, as the table under it does (the
    browser's own 40 px margins of a figure once left it 80 px narrower); on a wide screen it is a small chart
    (UI.md), 560 px from the card's left edge, as the account's chart of charges, not 900 × 330 px across the card."""
    page = open_page(width, 900)
    sign_in(page, live_server, "resident@demo.ru")
    account = re.match(r"/accounts/\d+", page.locator("main a[href^='/accounts/']").first.get_attribute("href") or "")
    page.goto(live_server + "/meters")
    meter = page.locator("main a[href^='/meters/']").evaluate_all(
        "links => links.map(a => a.getAttribute('href')).find(h => /^\\/meters\\/\\d+$/.test(h))"
    )
    assert account and meter, "the demo resident has an account and a meter"
    page.goto(live_server + meter)
    box = page.evaluate(CHART_IN_CARD, "figure.meter-chart svg")
    assert abs(box["left"] - box["inner_left"]) <= 1, box
    if width == 390:
        assert abs(box["right"] - box["inner_right"]) <= 1, box
    else:
        assert box["inner_right"] - box["inner_left"] > 600 and abs(box["width"] - 560) <= 1, box
        page.goto(live_server + account.group(0))
        assert abs(page.evaluate(CHART_IN_CARD, "figure.billing-chart svg")["width"] - box["width"]) <= 1
