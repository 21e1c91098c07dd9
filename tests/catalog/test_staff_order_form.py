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
    await client.speak("en")
    page = (await client.get(f"/services/{assembly.id}")).text
    assert re.search(r'<label for="f-quantity">How much, h <span class="req"', page)


async def test_an_english_staff_page_offers_the_english_names_and_marks_the_russian_ones(
    client, login, make_user, household, shop
):
    """The call centre's order form and the service editor on an English page: a service, a certificate and a section
    read their English names where staff wrote them; a Russian name standing in is marked lang="ru" (a label's span,
    an option's attribute), so that a screen reader reads it with a Russian voice."""
    from portal.catalog.tables import PaidService
    from portal.catalog.tables import ServiceCategory

    await PaidService.update({PaidService.title_en: "Statement of the personal account"}).where(
        PaidService.id == shop["statement"]
    )
    await PaidService.update({PaidService.title_en: "Plumber call-out"}).where(PaidService.id == shop["plumber"])
    await ServiceCategory.update({ServiceCategory.title_en: "Plumbing"}).where(ServiceCategory.id == shop["works"])
    await login(client, await make_user(roles=("operator", "manager"), houses=(household["house"],)))
    number = (
        await PersonalAccount.select(PersonalAccount.number)
        .where(PersonalAccount.id == household["accounts"][0])
        .first()
    )["number"]
    await client.speak("en")
    page = (await client.get("/staff/orders/new", params={"account": number})).text.replace("\u00a0", " ")
    assert f'<label for="f-q_{shop["plumber"]}">Plumber call-out — ₽1,500.00</label>' in page
    assert f'<label for="f-q_{shop["repair"]}"><span lang="ru">Ремонт смесителя</span> — from ₽800.00</label>' in page
    assert f'<option value="{shop["statement"]}">Statement of the personal account — Free</option>' in page
    assert f'<option value="{shop["no_debt"]}" lang="ru">Справка об отсутствии задолженности — Free</option>' in page

    editor = (await client.get(f"/staff/catalog/services/{shop['plumber']}")).text
    assert f'<option value="{shop["works"]}" selected>Plumbing</option>' in editor
    assert "<h1>Plumber call-out</h1>" in editor  # the editor's heading names the service in the page's language
    assert f'<option value="{shop["papers"]}" lang="ru">Справки</option>' in editor

    await client.speak("ru")
    page = (await client.get("/staff/orders/new", params={"account": number})).text
    assert 'lang="ru"' not in page.split("<main", 1)[1] and "Plumber call-out" not in page
    editor = (await client.get(f"/staff/catalog/services/{shop['plumber']}")).text
    assert f'<option value="{shop["works"]}" selected>Сантехника</option>' in editor


async def test_the_catalogue_and_the_sales_name_sections_and_services_in_the_page_language(
    client, login, make_user, household, shop
):
    """The staff catalogue's section chips and column and the sales table read the English names on an English page
    (the Russian one marked lang="ru" where there is none)."""
    from portal.catalog.tables import Order
    from portal.catalog.tables import PaidService
    from portal.catalog.tables import ServiceCategory
    from portal.core import clock
    from tests.catalog.test_actions import _order

    await PaidService.update({PaidService.title_en: "Plumber call-out"}).where(PaidService.id == shop["plumber"])
    await ServiceCategory.update({ServiceCategory.title_en: "Plumbing"}).where(ServiceCategory.id == shop["works"])
    _, placed = await _order(household, shop, (shop["plumber"], "1"), (shop["cleaning"], "2"))
    await Order.update({Order.paid_at: clock.now()}).where(Order.id == placed.id)
    await login(client, await make_user(roles=("manager",), houses=(household["house"],)))
    await client.speak("en")
    catalogue = (await client.get("/staff/catalog")).text
    assert f'href="/staff/catalog?section={shop["works"]}">Plumbing</a>' in catalogue
    assert '<span lang="ru">Справки</span>' in catalogue and 'aria-label="Edit the section Plumbing"' in catalogue
    assert "Сантехника" not in catalogue
    assert '>Plumber call-out</a><br><span class="muted" lang="ru">Вызов сантехника</span>' in catalogue
    assert '><span lang="ru">Уборка квартиры</span></a>' in catalogue  # no English name: the Russian, marked
    sales = (await client.get("/staff/orders/sales")).text
    assert '<th scope="row">Plumber call-out</th>' in sales
    assert '<th scope="row"><span lang="ru">Уборка квартиры</span></th>' in sales
    await client.speak("ru")
    sales = (await client.get("/staff/orders/sales")).text
    assert '<th scope="row">Вызов сантехника</th>' in sales and "Plumber call-out" not in sales
