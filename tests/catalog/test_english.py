"""The catalogue in the reader's language, on both engines: a section's and a service's English name (and a
service's English description), where staff wrote one, is what a reader of English sees on the catalogue, a
service's page, an order and the order's messages; a reader of Russian sees the Russian; an empty English name
falls back to the Russian one; an order keeps the names its services had when it was placed; the editor keeps
the English fields."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx

from portal.accounts.principal import load_principal_for
from portal.accounts.tables import User
from portal.catalog import actions
from portal.catalog import queries
from portal.catalog.tables import Order
from portal.catalog.tables import OrderItem
from portal.catalog.tables import PaidService
from portal.catalog.tables import ServiceCategory
from portal.core import clock
from portal.core.audit import field_label
from portal.core.i18n import set_locale
from portal.core.tables import OutboxMessage
from portal.housing.tables import House
from portal.payments.tables import Payment
from tests.catalog.test_routes import _visit_day


async def _in_english(shop: dict[str, int]) -> None:
    """The section of works and the tap repair have English words; the plumber's call-out has none."""
    await ServiceCategory.update({ServiceCategory.title_en: "Plumbing"}).where(ServiceCategory.id == shop["works"])
    await PaidService.update(
        {PaidService.title_en: "Tap repair", PaidService.description_en: "We fix a dripping tap."}
    ).where(PaidService.id == shop["repair"])


def _plain(text: str) -> str:
    return text.replace("\u00a0", " ")


async def test_a_reader_of_english_sees_the_english_names_where_staff_wrote_them_and_the_russian_elsewhere(
    client, login, household, shop
):
    await _in_english(shop)
    account = household["accounts"][0]
    await login(client, household["resident"])

    await client.speak("en")
    catalogue = (await client.get("/services")).text
    assert "Tap repair" in catalogue and "Ремонт смесителя" not in catalogue
    assert ">Plumbing</a>" in catalogue and ">Сантехника</a>" not in catalogue  # the section's chip
    assert "Вызов сантехника" in catalogue  # no English name: the Russian one
    assert "Tap repair" in (await client.get("/services", params={"q": "tap"})).text  # found by its English words
    page = (await client.get(f"/services/{shop['repair']}")).text
    assert "<h1>Tap repair</h1>" in page and "We fix a dripping tap." in page and ">Plumbing</a>" in page
    assert "Ремонт смесителя" not in page and "описание" not in page
    plumber = (await client.get(f"/services/{shop['plumber']}")).text
    assert '<h1><span lang="ru">Вызов сантехника</span></h1>' in plumber and "Вызов сантехника: описание" in plumber

    await client.speak("ru")
    catalogue = (await client.get("/services")).text
    assert "Ремонт смесителя" in catalogue and ">Сантехника</a>" in catalogue
    assert "Tap repair" not in catalogue and "Plumbing" not in catalogue
    page = (await client.get(f"/services/{shop['repair']}")).text
    assert "<h1>Ремонт смесителя</h1>" in page and "Ремонт смесителя: описание" in page
    assert "Tap repair" not in page and "dripping" not in page

    await client.speak("en")
    for service in ("repair", "plumber"):
        await client.form("/services/cart", {"service": shop[service], "account": account})
    cart = (await client.get("/services/cart")).text
    assert "“Tap repair” is in your order." in cart and ">Tap repair</a>" in cart
    assert '<span lang="ru">Вызов сантехника</span></a>' in cart
    placed = await client.form(
        "/services/cart/order", {"account": account, "day": _visit_day(), "slot": "09:00–12:00", "phone": ""}
    )
    assert placed.status_code == 303
    order_id = (await Order.select(Order.id).first())["id"]
    order = (await client.get(f"/services/orders/{order_id}")).text
    assert "Tap repair" in order and "Вызов сантехника" in order and "Ремонт смесителя" not in order
    assert "Tap repair and 1 more service" in _plain((await client.get("/services/orders")).text)
    await client.speak("ru")
    order = (await client.get(f"/services/orders/{order_id}")).text
    assert "Ремонт смесителя" in order and "Tap repair" not in order
    assert "Ремонт смесителя и ещё 1 услуга" in _plain((await client.get("/services/orders")).text)


async def test_an_order_keeps_the_names_it_had_and_its_messages_speak_each_recipients_language(
    db, household, shop, make_user
):
    """The order's items keep both names from the day it was placed (a later rename in the catalogue does not
    change what was ordered); the resident reading English is told of the price in English, the dispatcher
    reading Russian is asked for it in Russian."""
    await _in_english(shop)
    await User.update({User.locale: "en"}).where(User.id == household["resident"])
    dispatcher = await load_principal_for(await make_user(roles=("dispatcher",), houses=(household["house"],)))
    resident = await load_principal_for(household["resident"])
    place = queries.choose_place(await queries.places_of(resident, "tickets"), household["accounts"][0])
    assert place is not None
    offered = await queries.offered_services(place, [shop["repair"], shop["plumber"]])
    wanted = [actions.Wanted(offered[shop["repair"]], Decimal(1)), actions.Wanted(offered[shop["plumber"]], Decimal(1))]
    from tests.catalog.test_actions import _visit_day as visit_day

    placed = await actions.order_services(
        resident, place, wanted, day=visit_day(), slot="09:00–12:00", comment="", phone="", now=clock.now()
    )
    items = await OrderItem.select(OrderItem.title, OrderItem.title_en).order_by(OrderItem.position)
    assert items == [
        {"title": "Ремонт смесителя", "title_en": "Tap repair"},
        {"title": "Вызов сантехника", "title_en": ""},
    ]
    asked = await OutboxMessage.select(OutboxMessage.body).where(
        (OutboxMessage.user_id == dispatcher.user_id) & (OutboxMessage.channel == "email")
    )
    assert len(asked) == 1 and "Ремонт смесителя и ещё 1 услуга" in asked[0]["body"]

    await PaidService.update({PaidService.title_en: "Mixer repair"}).where(PaidService.id == shop["repair"])
    order = await queries.order_for_staff(dispatcher, placed.id)
    assert order is not None and order.summary.first_en == "Tap repair"
    await actions.quote(dispatcher, order, Decimal("3200"), "", clock.now())
    email = (
        await OutboxMessage.select(OutboxMessage.subject, OutboxMessage.body)
        .where(
            (OutboxMessage.user_id == household["resident"])
            & (OutboxMessage.channel == "email")
            & (OutboxMessage.template == "catalog/quote_ready")
        )
        .first()
    )
    assert "(Tap repair and 1 more service)" in email["body"], email["body"]
    assert "Ремонт" not in email["body"] and "Mixer" not in email["body"]


async def test_a_message_of_an_order_with_no_english_name_reads_the_russian_name_in_english(
    db, household, shop, make_user
):
    await User.update({User.locale: "en"}).where(User.id == household["resident"])
    dispatcher = await load_principal_for(await make_user(roles=("dispatcher",), houses=(household["house"],)))
    from tests.catalog.test_actions import _order

    _, placed = await _order(household, shop, (shop["repair"], "1"))
    order = await queries.order_for_staff(dispatcher, placed.id)
    assert order is not None
    await actions.quote(dispatcher, order, Decimal("900"), "", clock.now())
    body = (
        await OutboxMessage.select(OutboxMessage.body)
        .where((OutboxMessage.user_id == household["resident"]) & (OutboxMessage.template == "catalog/quote_ready"))
        .first()
    )["body"]
    assert "The price of order No." in body and "(Ремонт смесителя)" in body


async def test_an_order_with_its_price_given_reads_as_quoted_in_english(client, login, household, shop, make_user):
    """«Цена названа» had been put word for word: the order's status «Price named» and the heading over its price
    «The price is named»."""
    dispatcher = await load_principal_for(await make_user(roles=("dispatcher",), houses=(household["house"],)))
    from tests.catalog.test_actions import _order

    _, placed = await _order(household, shop, (shop["repair"], "1"))
    order = await queries.order_for_staff(dispatcher, placed.id)
    assert order is not None
    await actions.quote(dispatcher, order, Decimal("900"), "", clock.now())
    await login(client, household["resident"])
    await client.speak("en")
    for url in ("/services/orders", f"/services/orders/{placed.id}"):
        page = (await client.get(url)).text
        assert "Price quoted" in page and "named" not in page, url
    assert "The price is ready" in page
    await client.speak("ru")
    assert "Цена названа" in (await client.get(f"/services/orders/{placed.id}")).text


def _service_form(shop: dict[str, int], **changes: Any) -> dict[str, str]:
    return {
        "title": "Пропуск для автомобиля",
        "title_en": "Car pass",
        "description": "На сутки.",
        "description_en": "For one day.",
        "category": str(shop["works"]),
        "price_kind": "fixed",
        "price": "350,00",
        "duration": "30",
        "slots": "0",
        "executor_group": "security",
        "document": "",
        "position": "1",
        "all_houses": "1",
        "active": "1",
        **changes,
    }


async def test_a_photo_dropped_with_a_form_in_error_or_refused_is_said_at_its_field(
    new_client, login, household, shop, make_user
):
    """A service's photo chosen on a form with another error was dropped without a word (the browser empties the
    field), and a refused one was said in words of its own, not those every picture form uses."""
    from tests.showcase.conftest import jpeg_bytes

    manager = new_client()
    await login(manager, await make_user(roles=("manager",), houses=(household["house"],)))
    photo = {"photo": ("van.jpg", jpeg_bytes(), "image/jpeg")}
    bad = await manager.form("/staff/catalog/services/new", _service_form(shop, price="дорого"), files=photo)
    assert bad.status_code == 422
    said = bad.text.split('id="e-photo"')[1].split("</p>")[0]
    assert "Пока в форме есть ошибки, файл не сохраняется: выберите фотографию снова." in said
    fake = {"photo": ("van.jpg", b"not a picture", "image/jpeg")}
    refused = await manager.form("/staff/catalog/services/new", _service_form(shop), files=fake)
    assert refused.status_code == 422
    assert "Файл «van.jpg» — не изображение: приложите JPEG, PNG или WebP." in refused.text
    assert not await PaidService.exists().where(PaidService.title == "Пропуск для автомобиля")


async def test_the_editor_saves_shows_back_and_keeps_the_english_names_after_an_error(
    new_client, login, household, shop, make_user
):
    manager = new_client()
    await login(manager, await make_user(roles=("manager",), houses=(household["house"],)))
    new = (await manager.get("/staff/catalog/services/new")).text
    assert "Название на английском" in new and "Описание на английском" in new
    bad = await manager.form("/staff/catalog/services/new", _service_form(shop, price="дорого"), files={"x": ("", b"")})
    assert bad.status_code == 422
    assert 'value="Car pass"' in bad.text and ">For one day.</textarea>" in bad.text
    saved = await manager.form("/staff/catalog/services/new", _service_form(shop), files={"x": ("", b"")})
    assert saved.status_code == 303
    service_id = int(saved.headers["location"].rsplit("/", 1)[1])
    stored = await PaidService.select(PaidService.title_en, PaidService.description_en).where(
        PaidService.id == service_id
    )
    assert stored == [{"title_en": "Car pass", "description_en": "For one day."}]
    shown = (await manager.get(saved.headers["location"])).text
    assert 'value="Car pass"' in shown and ">For one day.</textarea>" in shown
    assert 'lang="en">Car pass</span>' in (await manager.get("/staff/catalog")).text
    # Emptied, the English name is gone: a reader of English reads the Russian one.
    emptied = _service_form(shop, title_en="", description_en="")
    assert (await manager.form(saved.headers["location"], emptied, files={"x": ("", b"")})).status_code == 303
    assert (await PaidService.select(PaidService.title_en).where(PaidService.id == service_id).first()) == {
        "title_en": ""
    }

    section = {"title": "Автомобиль", "title_en": "Car", "position": "3", "active": "1"}
    refused = await manager.form("/staff/catalog/categories/new", {**section, "title": ""})
    assert refused.status_code == 422 and 'value="Car"' in refused.text
    assert (await manager.form("/staff/catalog/categories/new", section)).status_code == 303
    made = await ServiceCategory.select(ServiceCategory.id, ServiceCategory.title_en).where(
        ServiceCategory.title == "Автомобиль"
    )
    assert [m["title_en"] for m in made] == ["Car"]
    edit = (await manager.get(f"/staff/catalog/categories/{made[0]['id']}")).text
    assert 'value="Car"' in edit and "Название на английском" in edit


async def test_a_russian_name_standing_in_for_an_english_one_is_marked_russian_for_screen_readers(
    client, login, household, shop
):
    """On an English page a screen reader reads a service's Russian name (no English one written) with a Russian
    voice: the name is marked ``lang="ru"`` in the page's text — escaped, never inside an attribute — while an
    English name, and every name on a Russian page, is not marked."""
    await _in_english(shop)
    await PaidService.update(
        {PaidService.title: "Вызов <сантехника> & Co", PaidService.description: "Течёт кран?\nПридём <сегодня>."}
    ).where(PaidService.id == shop["plumber"])
    account = household["accounts"][0]
    await login(client, household["resident"])
    await client.speak("en")
    plumber = "Вызов &lt;сантехника&gt; &amp; Co"

    catalogue = (await client.get("/services")).text
    assert f'<span class="service-title"><span lang="ru">{plumber}</span></span>' in catalogue
    assert '<span class="service-title">Tap repair</span>' in catalogue
    assert '<span lang="ru">Справки</span></a>' in catalogue and ">Plumbing</a>" in catalogue  # the section chips
    page = (await client.get(f"/services/{shop['plumber']}")).text
    assert f'<h1><span lang="ru">{plumber}</span></h1>' in page and f"<title>{plumber}" in page
    assert '<div class="post-body"><span lang="ru">Течёт кран?<br>Придём &lt;сегодня&gt;.</span></div>' in page
    assert ">Plumbing</a></p>" in page  # the breadcrumb: the section has its English name
    assert "<h1>Tap repair</h1>" in (await client.get(f"/services/{shop['repair']}")).text

    for service in ("plumber", "repair"):
        await client.form("/services/cart", {"service": shop[service], "account": account})
    cart = (await client.get("/services/cart")).text
    assert f'<span lang="ru">{plumber}</span></a>' in cart
    assert f'<span class="visually-hidden"> <span lang="ru">{plumber}</span></span>' in cart
    placed = await client.form(
        "/services/cart/order", {"account": account, "day": _visit_day(), "slot": "09:00–12:00", "phone": ""}
    )
    assert placed.status_code == 303
    order_id = (await Order.select(Order.id).first())["id"]
    order = (await client.get(f"/services/orders/{order_id}")).text
    assert f'<span lang="ru">{plumber}</span>' in order and '<span lang="ru">Tap repair' not in order
    orders = _plain((await client.get("/services/orders")).text)
    assert f'<p><span lang="ru">{plumber}</span> and 1 more service</p>' in orders

    await client.speak("ru")
    for path in ("/services", f"/services/{shop['plumber']}", f"/services/orders/{order_id}", "/services/orders"):
        assert 'lang="ru">' not in (await client.get(path)).text.split("<body", 1)[1], path


async def test_what_people_wrote_in_russian_and_the_houses_are_marked_russian_on_english_pages(
    client, new_client, login, household, shop, make_user
):
    """The resident's comment is Russian data on the English order page, and each house the editor offers a
    service in is its Russian address: a screen reader's English voice read them as gibberish."""
    await House.update({House.address: "г. Симферополь, ул. Тестовая, д. 7"}).where(House.id == household["house"])
    await login(client, household["resident"])
    await client.speak("en")
    account = household["accounts"][0]
    await client.form("/services/cart", {"service": shop["plumber"], "account": account})
    form = {"account": account, "day": _visit_day(), "slot": "09:00–12:00", "phone": "", "comment": "Домофон 12"}
    assert (await client.form("/services/cart/order", form)).status_code == 303
    order_id = (await Order.select(Order.id).first())["id"]
    assert '<dd><span lang="ru">Домофон 12</span></dd>' in (await client.get(f"/services/orders/{order_id}")).text
    manager = new_client()
    await login(manager, await make_user(roles=("manager",), houses=(household["house"],)))
    await manager.speak("en")
    editor = (await manager.get(f"/staff/catalog/services/{shop['plumber']}")).text
    assert f'<label class="check" lang="ru"><input type="checkbox" name="houses" value="{household["house"]}"' in editor
    await client.speak("ru")
    assert "<dd>Домофон 12</dd>" in (await client.get(f"/services/orders/{order_id}")).text


async def test_each_name_field_of_the_editor_says_its_language_in_both_languages(
    new_client, login, household, shop, make_user
):
    """The editor's first field was a bare «Name» beside «Name in English»: which language it wanted was said only
    by the English field's hint. Each name and description field now names its language, on the service's and the
    section's editor, in Russian and in English, and the audit log calls the Russian fields the same."""
    manager = new_client()
    await login(manager, await make_user(roles=("manager",), houses=(household["house"],)))
    pages = (
        "/staff/catalog/services/new",
        f"/staff/catalog/services/{shop['plumber']}",
        "/staff/catalog/categories/new",
    )
    labels = {
        "ru": ("Название на русском", "Название на английском", "Описание на русском", "Описание на английском"),
        "en": ("Name in Russian", "Name in English", "Description in Russian", "Description in English"),
    }
    for lang, (name, name_en, text, text_en) in labels.items():
        await manager.speak(lang)
        for path in pages:
            page = (await manager.get(path)).text
            assert f'<label for="f-title">{name} <span class="req"' in page, (lang, path)
            assert f'<label for="f-title_en">{name_en}</label>' in page, (lang, path)
            if "services" in path:
                assert f'<label for="f-description">{text}</label>' in page, (lang, path)
                assert f'<label for="f-description_en">{text_en}</label>' in page, (lang, path)
        assert 'name="title" type="text" value="" required lang="ru">' in page  # typed and spelled as Russian
    set_locale("en")
    try:
        assert [field_label("catalog.service.update", f) for f in ("title", "description")] == [
            "Name in Russian",
            "Description in Russian",
        ]
    finally:
        set_locale("ru")


async def test_the_gateways_page_names_the_order_in_the_payers_language(db, household, shop, gateway):
    """The gateway's page (and its receipt) named every order «Заказ №N: …» in Russian. The gateway keeps the words
    it is given when the checkout opens, so they are worded then in the payer's language: the order's number and
    its services' names as ordered, in English where a service had an English name, with the plural of that
    language."""
    from tests.catalog.test_actions import _order

    await PaidService.update({PaidService.title_en: "Plumber call-out"}).where(PaidService.id == shop["plumber"])
    shown = {}
    try:
        for lang, items in (
            ("en", ((shop["plumber"], "1"), (shop["cleaning"], "10"))),
            ("ru", ((shop["plumber"], "1"), (shop["cleaning"], "10"))),
            ("en", ((shop["cleaning"], "10"),)),
        ):
            set_locale(lang)
            resident, placed = await _order(household, shop, *items)
            order = await queries.order_for_resident(resident, placed.id)
            assert order is not None
            url = await gateway.exclusive(actions.start_payment(resident, order, "http://testserver"))
            stored = await Payment.select(Payment.description).where(Payment.reference == order.reference).first()
            async with httpx.AsyncClient() as c:
                page = (await c.get(url)).text
            assert stored["description"] in page
            shown[(lang, len(items))] = (
                stored["description"].replace(f"\u00a0{order.id}:", "\u00a0N:", 1).replace(f" {order.id}:", " N:", 1)
            )
    finally:
        set_locale("ru")
    assert shown == {
        ("en", 2): "Order No. N: Plumber call-out and 1 more service",
        ("ru", 2): "Заказ №\u00a0N: Вызов сантехника и ещё 1 услуга",
        ("en", 1): "Order No. N: Уборка квартиры",  # no English name: the Russian one
    }


async def test_a_payers_name_on_the_staff_order_pages_in_english_is_marked_russian(
    client, new_client, login, household, shop, make_user
):
    """The payer's name is Russian data: on English pages a screen reader read «Иванов И. И.» with an English voice
    on the order's page and on the list of accounts an order by phone is chosen from."""
    import re

    from portal.housing.tables import PersonalAccount
    from tests.catalog.test_routes import _plumber_ordered

    order_id = await _plumber_ordered(client, login, household, shop)
    await Order.update({Order.user: None}).where(Order.id == order_id)  # placed by phone: the account's payer
    for account in household["accounts"]:  # the fixture's accounts are not in the search index
        await PersonalAccount.update({PersonalAccount.search_text: "иванов и. и."}).where(PersonalAccount.id == account)
    dispatcher = new_client()
    await login(dispatcher, await make_user(roles=("dispatcher",), houses=(household["house"],)))
    await dispatcher.speak("en")
    order = (await dispatcher.get(f"/staff/orders/{order_id}")).text
    assert re.search(r'<dt>Payer</dt><dd><span lang="ru">Иванов И\. И\.</span></dd>', order), order
    found = (await dispatcher.get("/staff/orders/new", params={"account": "Иванов"})).text
    assert '<td data-label="Payer"><span lang="ru">Иванов И. И.</span></td>' in found
    number = (
        await PersonalAccount.select(PersonalAccount.number).where(PersonalAccount.id == household["accounts"][0])
    )[0]
    chosen = (await dispatcher.get("/staff/orders/new", params={"account": number["number"]})).text
    assert f'account {number["number"]}, <span lang="ru">Иванов И. И.</span></p>' in chosen
    await dispatcher.speak("ru")
    assert (
        '<td data-label="Плательщик">Иванов И. И.</td>'
        in (await dispatcher.get("/staff/orders/new", params={"account": "Иванов"})).text
    )
