"""The dashboard says the NPS change since the survey before with the plural of its number, in both languages:
«+1 пункт», «+2 пункта», «+5 пунктов», «+21 пункт»; "+1 point", "+2 points" — not «п.» or "+1 points". A fall
and a negative NPS are written with the minus sign (U+2212), not a hyphen; the XLSX keeps the number a number."""

from __future__ import annotations

import html
import io
from datetime import date
from typing import Any

import pytest

from portal.analytics.tables import NpsHouse


async def _dashboard(client: Any, login: Any, make_user: Any, lang: str, trend: int) -> str:
    """The dashboard of every house after two surveys: the first at NPS 0, the latest at ``trend``."""
    for opens_on, promoters, detractors in (
        (date(2026, 3, 1), 0, 0),
        (date(2026, 9, 1), max(trend, 0), max(-trend, 0)),
    ):
        await NpsHouse.insert(
            NpsHouse(opens_on=opens_on, closes_on=opens_on.replace(day=28), house=None, responses=100,
                     promoters=promoters, detractors=detractors)
        )  # fmt: skip
    await login(client, await make_user(roles=("admin",)))
    await client.speak(lang)
    page = await client.get("/staff/analytics")
    assert page.status_code == 200
    return html.unescape(page.text)


@pytest.mark.parametrize(
    ("lang", "trend", "said"),
    [
        ("ru", 1, "+1 пункт к прошлому опросу"),
        ("ru", 2, "+2 пункта к прошлому опросу"),
        ("ru", 5, "+5 пунктов к прошлому опросу"),
        ("ru", 21, "+21 пункт к прошлому опросу"),
        ("ru", -2, "\u22122 пункта к прошлому опросу"),
        ("en", 1, "+1 point against the survey before"),
        ("en", 2, "+2 points against the survey before"),
        ("en", -1, "\u22121 point against the survey before"),
    ],
)
async def test_the_nps_change_is_said_with_the_plural_of_its_number(
    client: Any, login: Any, make_user: Any, lang: str, trend: int, said: str
) -> None:
    page = await _dashboard(client, login, make_user, lang, trend)
    assert said in page
    assert " п. к прошлому" not in page and "1 points" not in page


@pytest.mark.parametrize("lang", ["ru", "en"])
async def test_a_negative_nps_has_the_minus_sign_on_the_page_and_a_number_in_the_xlsx(
    client: Any, login: Any, make_user: Any, lang: str
) -> None:
    from openpyxl import load_workbook

    page = await _dashboard(client, login, make_user, lang, -2)
    assert '<a href="#nps-title">\u22122</a>' in page  # the latest survey's NPS
    assert "<strong>\u22122</strong>" in page  # its row in the table of waves
    assert ">-2<" not in page and "-2 " not in page
    book = load_workbook(io.BytesIO((await client.get("/staff/analytics/dashboard.xlsx")).content))
    values = [cell.value for sheet in book for row in sheet.iter_rows() for cell in row]
    assert -2 in values and "\u22122" not in values
