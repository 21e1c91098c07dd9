"""The order forms: a service priced per unit asks how much under its price («Уборка квартиры —
120,50 ₽ за м²», hint «Количество, м²»), instead of a label that ran the unit twice («… за м², м²»)."""

from __future__ import annotations

import re

from portal.housing.tables import PersonalAccount


async def test_a_service_priced_per_unit_asks_how_much_in_its_unit(client, login, make_user, household, shop):
    await login(client, await make_user(roles=("operator",), houses=(household["house"],)))
    number = (
        await PersonalAccount.select(PersonalAccount.number)
        .where(PersonalAccount.id == household["accounts"][0])
        .first()
    )["number"]
    page = (await client.get("/staff/orders/new", params={"account": number})).text
    field = re.search(rf'<label for="f-q_{shop["cleaning"]}">([^<]*)</label>\s*<p class="hint"[^>]*>([^<]*)</p>', page)
    assert field, page[-3000:]
    assert field.group(1) == "Уборка квартиры — 120,50\u00a0₽ за м²"
    assert field.group(2) == "Количество, м²"


async def test_a_service_priced_by_the_hour_asks_how_much_in_hours_as_a_sign(client, login, household, shop):
    """The resident's page asked «Количество, час» (and "How much, hour"); a quantity is counted in «ч»."""
    from portal.catalog.tables import PaidService
    from portal.catalog.tables import PriceKind
    from portal.catalog.tables import Unit

    assembly = PaidService(
        category=shop["works"],
        title="Сборка мебели",
        price_kind=PriceKind.PER_UNIT,
        unit=Unit.HOUR,
        price_kopecks=90000,
    )
    await assembly.save()
    await login(client, household["resident"])
    page = (await client.get(f"/services/{assembly.id}")).text
    assert re.search(r'<label for="f-quantity">Количество, ч <span class="req"', page), page[-3000:]
    client.cookies.set("lang", "en")
    page = (await client.get(f"/services/{assembly.id}")).text
    assert re.search(r'<label for="f-quantity">How much, h <span class="req"', page)
