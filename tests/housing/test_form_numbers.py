"""A stored number shown again in an edit form is written as the reader types it: «37,80» on a Russian page and
"37.80" on an English one (the premise's area, a KPI month's figures), not "37.80" on both; saved unchanged, it
reads back as the same number."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from portal.core import i18n
from portal.housing.tables import Premise


@pytest.mark.parametrize(
    ("value", "ru", "en"),
    [(Decimal("15000.00"), "15000,00", "15000.00"), (Decimal("90.0"), "90,0", "90.0"), (Decimal("1E+2"), "100", "100")],
)
def test_a_number_is_written_with_the_languages_decimal_sign_and_no_groups(value, ru, en):
    assert (i18n.format_typed(value, "ru"), i18n.format_typed(value, "en")) == (ru, en)
    assert i18n.format_typed("1 500,00", "en") == "1 500,00" and i18n.format_typed(7, "ru") == 7


async def test_the_premise_form_shows_its_area_in_the_readers_way_and_saves_it_unchanged(
    client, login, make_user, make_account
):
    place = await make_account(area="37.80")
    await login(client, await make_user(roles=("manager",), houses=(place.house,)))
    url = f"/staff/premises/{place.premise}/edit"
    for lang, shown in (("ru", "37,80"), ("en", "37.80")):
        await client.speak(lang)
        page = (await client.get(url)).text
        assert re.search(r'<input id="f-area" name="area" type="text" value="([^"]*)"', page).group(1) == shown, lang
    await client.speak("ru")
    page = (await client.get(url)).text
    typed = {
        m.group(1): m.group(2) for m in re.finditer(r'<input id="f-\w+" name="(\w+)" type="text" value="([^"]*)"', page)
    }
    typed["kind"] = "flat"
    saved = await client.form(url, typed)
    assert saved.status_code == 303, saved.text[-800:]
    stored = await Premise.select(Premise.area).where(Premise.id == place.premise).first()
    assert stored["area"] == Decimal("37.80")
