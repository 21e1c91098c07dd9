"""The catalog's pages over HTTP on both engines: a resident browses, orders, pays on the sandbox gateway's page
and follows the order; the dispatcher sees the paid request; a manager keeps the catalogue."""

from __future__ import annotations

import io
import re
from datetime import date
from urllib.parse import urlsplit

from openpyxl import load_workbook

from portal.catalog.tables import Order
from portal.catalog.tables import PaidService
from portal.catalog.tables import ServiceCategory
from portal.core import clock
from portal.core.i18n import format_day
from portal.housing.tables import PersonalAccount


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + ("?" + parts.query if parts.query else "")


def _visit_day() -> str:
    """The day a visit is asked for: the day after tomorrow, so that it is still ahead of the company's date and
    among the days the form offers if midnight passes while the test runs (tomorrow then became today: «past»)."""
    return date.fromordinal(clock.today_local().toordinal() + 2).isoformat()


async def _place_plumber(client, login, household, shop):
    """The household's resident, signed in on ``client``, orders the plumber for a day ahead: the order form's
    answer (to the payment's page)."""
    account = household["accounts"][0]
    await login(client, household["resident"])
    await client.form("/services/cart", {"service": shop["plumber"], "account": account})
    placed = await client.form(
        "/services/cart/order",
        {"account": account, "day": _visit_day(), "slot": "09:00–12:00", "phone": "+7 978 000-00-00"},
    )
    assert placed.status_code == 303
    return placed


async def _plumber_ordered(client, login, household, shop) -> int:
    """The household's resident, signed in on ``client``, orders the plumber for a day ahead: the order's id."""
    await _place_plumber(client, login, household, shop)
    return (await Order.select(Order.id).first())["id"]


async def test_a_resident_orders_a_fixed_price_service_pays_and_the_dispatcher_sees_it_paid(
    client, new_client, login, household, shop, gateway, make_user
):
    account = household["accounts"][0]
    await login(client, household["resident"])
    index = await client.get("/services")
    assert index.status_code == 200
    assert "Вызов сантехника" in index.text and "1\u00a0500,00\u00a0₽" in index.text
    assert "от 800,00\u00a0₽" in index.text  # a «from» price reads as one
    found = await client.get("/services", params={"q": "уборка"})
    assert "Уборка квартиры" in found.text and "Вызов сантехника" not in found.text
    # «уборку», as a resident may type it, finds «Уборка квартиры» too.
    assert "Уборка квартиры" in (await client.get("/services", params={"q": "уборку"})).text
    section = await client.get("/services", params={"category": shop["papers"]})
    assert "Выписка из лицевого счёта" in section.text and "Вызов сантехника" not in section.text
    page = await client.get(f"/services/{shop['plumber']}")
    assert page.status_code == 200 and "Добавить в заказ" in page.text

    added = await client.form("/services/cart", {"service": shop["plumber"], "account": account})
    assert added.status_code == 303 and added.headers["location"] == f"/services/cart?account={account}"
    cart = await client.get(f"/services/cart?account={account}")
    assert "Заказать и оплатить 1\u00a0500,00\u00a0₽" in cart.text
    # No day chosen: the form comes back with the reason, nothing is ordered.
    empty = await client.form("/services/cart/order", {"account": account, "slot": "09:00–12:00"})
    assert empty.status_code == 422 and "Выберите день" in empty.text
    assert await Order.count() == 0

    placed = await client.form(
        "/services/cart/order",
        {"account": account, "day": _visit_day(), "slot": "09:00–12:00", "phone": "+7 978 000-00-00"},
    )
    assert placed.status_code == 303
    order = await Order.select(Order.id, Order.status).first()
    assert order["status"] == "awaiting_payment"
    hosted = await gateway.pay(placed.headers["location"], "4242 4242 4242 4242")
    assert hosted.status_code == 303
    await gateway.settle()
    back = await client.get(_path(hosted.headers["location"]))
    assert back.status_code == 303 and back.headers["location"] == f"/services/orders/{order['id']}"
    mine = await client.get(f"/services/orders/{order['id']}")
    assert mine.status_code == 200
    assert "Оплата получена" in mine.text and "оплачен" in mine.text
    ticket = re.search(r'href="/tickets/(\d+)">№\u00a0(\d+)', mine.text)
    assert ticket, "the order links its request"
    listed = await client.get("/services/orders")
    assert f"Заказ №\u00a0{order['id']}" in listed.text  # the number kept on the line of its sign
    # In English the resident reads «Order No.» and «No.», with the same no-break space.
    await client.speak("en")
    mine_en = (await client.get(f"/services/orders/{order['id']}")).text.split("<main", 1)[1]
    listed_en = (await client.get("/services/orders")).text.split("<main", 1)[1]
    assert f"<h1>Order No.\u00a0{order['id']}</h1>" in mine_en and f">No.\u00a0{ticket.group(2)}</a>" in mine_en
    assert f">Order No.\u00a0{order['id']}</a>" in listed_en and "№" not in mine_en + listed_en
    await client.speak("ru")

    # Another resident does not see it; the dispatcher of the house sees the paid request.
    other = new_client()
    stranger = await make_user(accounts={household["accounts"][1]: "tenant"})
    await login(other, stranger)
    assert (await other.get(f"/services/orders/{order['id']}")).status_code == 404
    dispatcher = new_client()
    await login(dispatcher, await make_user(roles=("dispatcher",), houses=(household["house"],)))
    orders = await dispatcher.get("/staff/orders")
    assert orders.status_code == 200 and f"/staff/orders/{order['id']}" in orders.text
    assert (await dispatcher.get(f"/staff/orders/{order['id']}")).status_code == 200
    # In English the list and the order's page number the order, its request and its payment «No.», not «№».
    await dispatcher.speak("en")
    english = [(await dispatcher.get(p)).text for p in ("/staff/orders", f"/staff/orders/{order['id']}")]
    assert f">No.\u00a0{order['id']}</a>" in english[0] and f">request No. {ticket.group(2)}</a>" in english[0]
    assert "№" not in english[0] and "№" not in english[1]
    await dispatcher.speak("ru")
    request = await dispatcher.get(f"/staff/tickets/{ticket.group(1)}")
    assert request.status_code == 200
    assert re.search(r'name="paid_for" value="1" checked', request.text), "the request is flagged «оплачено»"
    csv = await dispatcher.get("/staff/orders/export.csv")
    assert csv.status_code == 200 and "Вызов сантехника" in csv.text
    # A long account number with leading zeros: text to Excel, never a number (zeros dropped, shown as 1,23E+13).
    await PersonalAccount.update({PersonalAccount.number: "0012345678901234"}).where(PersonalAccount.id == account)
    exported = await dispatcher.get("/staff/orders/export.csv")
    assert b';"=""0012345678901234""";' in exported.content
    sheet = load_workbook(io.BytesIO((await dispatcher.get("/staff/orders/export.xlsx")).content)).active
    assert sheet["I1"].value == "Сумма" and sheet["I2"].number_format == "#,##0.00"  # the order's sum in roubles


async def test_my_orders_say_which_date_is_the_order_and_which_the_day_asked_for(client, login, household, shop):
    """A card of «Мои заказы» showed two dates side by side with no words («3 декабря 2026, 09:39 · 1 500,00 ₽ ·
    4 декабря 2026»): the resident could not tell the day the work was asked for from the day of ordering."""
    await _plumber_ordered(client, login, household, shop)
    asked = (await Order.select(Order.preferred_date).first())["preferred_date"]
    listed = (await client.get("/services/orders")).text.replace("\u00a0", " ")
    assert "Оформлен " in listed
    assert f"Желаемый день: {format_day(asked, locale='ru')}" in listed
    await client.speak("en")
    listed = (await client.get("/services/orders")).text.replace("\u00a0", " ")
    assert "Placed " in listed and f"Preferred day: {format_day(asked, locale='en')}" in listed


async def test_an_order_of_two_services_is_named_in_the_readers_language(
    client, new_client, login, household, shop, make_user
):
    """An order's services in one line were a fixed «Ремонт смесителя +1» in both languages: now its words and
    plural are the reader's, on the resident's list and cancel page and on the staff list and export."""
    account = household["accounts"][0]
    await login(client, household["resident"])
    for service in ("repair", "plumber"):
        await client.form("/services/cart", {"service": shop[service], "account": account})
    placed = await client.form(
        "/services/cart/order",
        {"account": account, "day": _visit_day(), "slot": "09:00–12:00", "phone": "+7 978 000-00-00"},
    )
    assert placed.status_code == 303
    order_id = (await Order.select(Order.id).first())["id"]
    english = '<span lang="ru">Ремонт смесителя</span> and 1 more service'  # the Russian name marked as such
    for lang, words in (("ru", "Ремонт смесителя и ещё 1 услуга"), ("en", english)):
        await client.speak(lang)
        for path in ("/services/orders", f"/services/orders/{order_id}/cancel"):
            page = (await client.get(path)).text
            assert words in page and "+1" not in page, (lang, path)
    dispatcher = new_client()
    await login(dispatcher, await make_user(roles=("dispatcher",), houses=(household["house"],)))
    await dispatcher.speak("en")
    assert english in (await dispatcher.get("/staff/orders")).text
    assert "Ремонт смесителя and 1 more service" in (await dispatcher.get("/staff/orders/export.csv")).text
    await dispatcher.speak("ru")
    assert "Ремонт смесителя и ещё 1 услуга" in (await dispatcher.get("/staff/orders/export.csv")).text


async def test_the_orders_export_names_the_sections_in_the_readers_language(
    client, new_client, login, household, shop, make_user
):
    """An English export listed every section by its Russian name («Сантехника») though staff named it in English."""
    await ServiceCategory.update({ServiceCategory.title_en: "Plumbing"}).where(ServiceCategory.id == shop["works"])
    await _plumber_ordered(client, login, household, shop)
    dispatcher = new_client()
    await login(dispatcher, await make_user(roles=("dispatcher",), houses=(household["house"],)))
    await dispatcher.speak("en")
    english = (await dispatcher.get("/staff/orders/export.csv")).text
    assert ",Plumbing," in english and "Сантехника" not in english
    await dispatcher.speak("ru")
    assert ";Сантехника;" in (await dispatcher.get("/staff/orders/export.csv")).text


async def test_a_manager_keeps_the_catalogue_and_residents_see_only_what_is_shown(
    client, new_client, login, household, shop, make_user
):
    manager = new_client()
    await login(manager, await make_user(roles=("manager",), houses=(household["house"],)))
    catalogue = await manager.get("/staff/catalog", params={"section": shop["works"]})
    assert catalogue.status_code == 200 and "Вызов сантехника" in catalogue.text
    assert "Выписка из лицевого счёта" not in catalogue.text
    assert (await manager.get("/staff/catalog/services/new")).status_code == 200
    made = await manager.form("/staff/catalog/categories/new", {"title": "Автомобиль", "position": "3", "active": "1"})
    assert made.status_code == 303
    form = {
        "title": "Пропуск для автомобиля",
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
    }
    bad = await manager.form("/staff/catalog/services/new", {**form, "price": "дорого"}, files={"x": ("", b"")})
    assert bad.status_code == 422 and "Укажите цену" in bad.text
    saved = await manager.form("/staff/catalog/services/new", form, files={"x": ("", b"")})
    assert saved.status_code == 303
    service_id = int(saved.headers["location"].rsplit("/", 1)[1])
    assert (await manager.get(saved.headers["location"])).status_code == 200

    await login(client, household["resident"])
    assert "Пропуск для автомобиля" in (await client.get("/services")).text
    assert (await client.get(f"/services/{service_id}")).status_code == 200
    hidden = await manager.form(f"/staff/catalog/services/{service_id}", {**form, "active": ""}, files={"x": ("", b"")})
    assert hidden.status_code == 303
    assert not (await PaidService.select(PaidService.active).where(PaidService.id == service_id).first())["active"]
    assert "Пропуск для автомобиля" not in (await client.get("/services")).text
    assert (await client.get(f"/services/{service_id}")).status_code == 404
    # Staff pages that list and count render for the roles that open them.
    assert (await manager.get("/staff/orders/sales")).status_code == 200
    assert (await manager.get("/staff/orders/new", params={"account": "no-such"})).status_code == 200


async def test_a_resident_gets_a_statement_and_is_told_why_no_debt_certificate_is_refused(
    client, login, household, shop
):
    account = household["accounts"][0]
    await login(client, household["resident"])
    month = clock.today_local().strftime("%Y-%m")
    refused = await client.form(f"/services/{shop['no_debt']}/document", {"account": account})
    assert refused.status_code == 303
    page = await client.get(refused.headers["location"])
    assert "Справку об отсутствии задолженности выдать нельзя" in page.text
    statement = {"account": account, "from": month, "to": month}
    made = await client.form(f"/services/{shop['statement']}/document", statement)
    assert made.status_code == 303
    order = await client.get(made.headers["location"])
    assert "Документ готов" in order.text
    link = re.search(r'href="(/services/orders/documents/\d+)"', order.text)
    assert link
    pdf = await client.get(link.group(1))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    assert pdf.headers["content-disposition"].startswith('inline; filename="document.pdf"')


async def test_staff_cancel_an_order_only_after_the_question_and_keep_the_reason(
    client, new_client, login, household, shop, make_user
):
    """UI.md: a final action asks once more with its consequence; «Отменить заказ» no longer cancels at once."""
    order_id = await _plumber_ordered(client, login, household, shop)
    dispatcher = new_client()
    await login(dispatcher, await make_user(roles=("dispatcher",), houses=(household["house"],)))
    asked = await dispatcher.form(f"/staff/orders/{order_id}/cancel", {"reason": "Мастер в отпуске"})
    assert asked.status_code == 200
    assert f"Отменить заказ №\u00a0{order_id}?" in asked.text or f"Отменить заказ № {order_id}?" in asked.text
    assert "нельзя восстановить" in asked.text and "Мастер в отпуске</textarea>" in asked.text
    assert 'name="confirm" value="1"' in asked.text
    boosted = await dispatcher.htmx_form(f"/staff/orders/{order_id}/cancel", {}, headers={"HX-Boosted": "true"})
    assert boosted.status_code == 200 and boosted.headers.get("HX-Push-Url") == "false"  # the order's address stays
    assert (await Order.select(Order.status).where(Order.id == order_id).first())["status"] != "cancelled"
    done = await dispatcher.form(f"/staff/orders/{order_id}/cancel", {"reason": "Мастер в отпуске", "confirm": "1"})
    assert done.status_code == 303
    assert (await Order.select(Order.status).where(Order.id == order_id).first())["status"] == "cancelled"


async def test_staff_asked_to_cancel_an_order_already_cancelled_are_told_so_not_asked_to_confirm(
    client, new_client, login, household, shop, make_user
):
    """A cancel sent from a page read before the resident cancelled: the refusal, not «are you sure?»."""
    order_id = await _plumber_ordered(client, login, household, shop)
    dispatcher = new_client()
    await login(dispatcher, await make_user(roles=("dispatcher",), houses=(household["house"],)))
    assert (await client.form(f"/services/orders/{order_id}/cancel")).status_code == 303

    asked = await dispatcher.form(f"/staff/orders/{order_id}/cancel", {"reason": "Мастер в отпуске"})

    assert asked.status_code == 303 and asked.headers["location"] == f"/staff/orders/{order_id}"
    page = (await dispatcher.get(asked.headers["location"])).text
    assert "Заказ уже отменён." in page and "Да, отменить заказ" not in page


async def test_an_order_the_resident_cancelled_says_so_in_the_staff_readers_language(
    client, new_client, login, household, shop, make_user
):
    order_id = await _plumber_ordered(client, login, household, shop)  # by a resident who reads Russian
    assert (await client.form(f"/services/orders/{order_id}/cancel")).status_code == 303
    dispatcher = new_client()
    await login(dispatcher, await make_user(roles=("dispatcher",), houses=(household["house"],)))
    await dispatcher.speak("en")
    page = (await dispatcher.get(f"/staff/orders/{order_id}")).text
    assert "<dt>Cancelled because</dt><dd>Cancelled by the resident</dd>" in page
    await dispatcher.speak("ru")
    page = (await dispatcher.get(f"/staff/orders/{order_id}")).text
    assert "<dd>Отменён жителем</dd>" in page


async def test_the_migration_blanks_the_default_stored_as_the_reason_of_orders_cancelled_before_it(
    db, client, login, household, shop, make_user
):
    import importlib

    from tests.catalog.test_actions import _order

    migration = importlib.import_module("migrations.catalog.catalog_2026_12_02t22_30_00_000000")
    reasons = ("Отменён жителем", "Cancelled by the resident", "Мастер в отпуске")
    orders = []
    for service, reason in zip((shop["plumber"], shop["cleaning"], shop["plumber"]), reasons, strict=True):
        _, placed = await _order(household, shop, (service, "1"))
        await Order.update(
            {Order.status: "cancelled", Order.cancelled_at: clock.now(), Order.cancel_reason: reason}
        ).where(Order.id == placed.id)
        orders.append(placed.id)
    await migration.blank_default_reasons(db)
    stored = await Order.select(Order.id, Order.cancel_reason).where(Order.id.is_in(orders))
    assert {r["id"]: r["cancel_reason"] for r in stored} == dict(zip(orders, ("", "", "Мастер в отпуске"), strict=True))
    await login(client, await make_user(roles=("dispatcher",), houses=(household["house"],)))
    await client.speak("en")
    for order_id in orders[:2]:
        page = (await client.get(f"/staff/orders/{order_id}")).text
        assert "<dt>Cancelled because</dt><dd>Cancelled by the resident</dd>" in page
    assert (
        '<dt>Cancelled because</dt><dd><span lang="ru">Мастер в отпуске</span></dd>'
        in (await client.get(f"/staff/orders/{orders[2]}")).text
    )
    await client.speak("ru")
    assert "<dd>Отменён жителем</dd>" in (await client.get(f"/staff/orders/{orders[1]}")).text


async def test_staff_orders_filters_not_read_are_kept_said_and_not_applied(client, login, household, shop, make_user):
    from tests.catalog.test_actions import _order

    _, placed = await _order(household, shop, (shop["plumber"], "1"))
    await login(client, await make_user(roles=("dispatcher",), houses=(household["house"],)))
    assert f"/staff/orders/{placed.id}" not in (await client.get("/staff/orders?status=done")).text
    today = clock.today_local()
    russian = await client.get(f"/staff/orders?from={today:%d.%m.%Y}&to={today:%d.%m.%Y}")  # still read
    assert f"/staff/orders/{placed.id}" in russian.text and "не прочитаны" not in russian.text
    url = "/staff/orders?status=bogus&category=abc&house=дом&from=31.02.2026&to=вчера&paid=maybe"
    for answer in (await client.get(url), await client.get(url, headers={"HX-Request": "true", "HX-Target": "list"})):
        assert answer.status_code == 200
        assert f"/staff/orders/{placed.id}" in answer.text  # the list is shown without them
        form = answer.text.split('id="order-filters"')[1].split("</form>")[0]
        assert 'value="31.02.2026"' in form and 'value="вчера"' in form
        assert form.count("Введите дату в виде ДД.ММ.ГГГГ; список показан без этого условия.") == 2
        assert "Нет статуса «bogus»; список показан без этого условия." in form
        for value in ("abc", "maybe"):
            assert f"Такого варианта нет: «{value}»; список показан без этого условия." in form
        assert "Такого дома нет в списке; список показан без этого условия." in form
        notice = answer.text.split('id="list"')[1]
        assert "Не применены, так как не прочитаны: Статус; Раздел; Дом; Оформлен с; Оформлен по; Оплачено." in notice


async def test_staff_orders_a_section_or_house_none_of_the_lists_is_not_applied(
    client, login, household, shop, make_user, make_account
):
    from tests.catalog.test_actions import _order

    _, placed = await _order(household, shop, (shop["plumber"], "1"))
    other = (await make_account()).house  # a house of the company, not this dispatcher's
    await login(client, await make_user(roles=("dispatcher",), houses=(household["house"],)))
    forms = {}
    for house in (other, 987654):
        url = f"/staff/orders?category=555555&house={house}"
        for answer in (await client.get(url), await client.get(url, headers={"HX-Request": "true"})):
            assert f"/staff/orders/{placed.id}" in answer.text  # the list is shown without them
            form = answer.text.split('id="order-filters"')[1].split("</form>")[0]
            assert "Такого варианта нет: «555555»; список показан без этого условия." in form
            assert "Такого дома нет в списке; список показан без этого условия." in form
            assert "Не применены, так как не прочитаны: Раздел; Дом." in answer.text.split('id="list"')[1]
            forms[house] = form
    assert forms[other] == forms[987654]  # a house out of reach and one that is not there read alike
    exported = await client.get(f"/staff/orders/export.csv?house={other}")
    assert str(placed.id) in exported.text  # the export is of the rows shown


async def test_staff_orders_export_lists_the_orders_in_the_order_of_the_screen(
    client, login, household, shop, make_user
):
    """The list shows orders newest first; the export listed them by number: an order whose time is earlier than
    a later-numbered one's stood first in the file, last on the screen."""
    import csv
    from datetime import UTC
    from datetime import datetime

    from portal.catalog.tables import Order
    from tests.catalog.test_actions import _order

    _, older_number = await _order(household, shop, (shop["plumber"], "1"))
    _, newer_number = await _order(household, shop, (shop["plumber"], "1"))
    await Order.update({Order.created_at: datetime(2026, 3, 2, 9, 0, tzinfo=UTC)}).where(Order.id == older_number.id)
    await Order.update({Order.created_at: datetime(2026, 3, 1, 9, 0, tzinfo=UTC)}).where(Order.id == newer_number.id)
    await login(client, await make_user(roles=("manager",), houses=(household["house"],)))
    page = (await client.get("/staff/orders")).text
    assert page.index(f"/staff/orders/{older_number.id}") < page.index(f"/staff/orders/{newer_number.id}")
    exported = list(csv.reader(io.StringIO((await client.get("/staff/orders/export.csv")).text[1:]), delimiter=";"))
    assert [int(r[0]) for r in exported[1:]] == [older_number.id, newer_number.id]


async def test_the_staff_order_page_names_who_attached_each_document_and_when(
    client, login, household, shop, make_user
):
    """A document the portal made says so; one staff attached names the staff member (``made_by``) and the day."""
    from PIL import Image

    from portal.accounts.principal import load_principal_for
    from portal.catalog import actions
    from portal.catalog import queries

    await login(client, household["resident"])
    month = clock.today_local().strftime("%Y-%m")
    made = await client.form(
        f"/services/{shop['statement']}/document", {"account": household["accounts"][0], "from": month, "to": month}
    )
    order_id = int(made.headers["location"].rsplit("/", 1)[1])
    clerk = await make_user(name="Котова Марина Олеговна", roles=("dispatcher",), houses=(household["house"],))
    staff = await load_principal_for(clerk)
    photo = io.BytesIO()
    Image.new("RGB", (20, 20), "white").save(photo, "JPEG")
    order = await queries.order_for_staff(staff, order_id)
    await actions.attach_document(
        staff, order, await actions.store_document(photo.getvalue()), "Копия с печатью", clock.now()
    )

    await login(client, clerk)
    page = (await client.get(f"/staff/orders/{order_id}")).text
    documents = re.sub(r"\s+", " ", page.split('id="docs-h"', 1)[1].split("</section>", 1)[0])
    today = format_day(clock.today_local())
    assert re.search(r"Выписка[^<]*</a> <span class=\"muted\">сделан порталом, [^<]*" + today, documents), documents
    assert re.search(
        r"Копия с печатью</a> <span class=\"muted\">прикреплён: Котова Марина Олеговна, [^<]*" + today, documents
    ), documents


async def test_a_refused_file_keeps_the_documents_title_and_says_why_at_the_file(
    client, login, household, shop, make_user
):
    """A text file attached to a certificate order was refused with a message at the top of the page and the typed
    title gone: the page now answers 422 with the title kept and the message at the file field."""
    from portal.catalog.tables import OrderDocument

    await login(client, household["resident"])
    month = clock.today_local().strftime("%Y-%m")
    made = await client.form(
        f"/services/{shop['statement']}/document", {"account": household["accounts"][0], "from": month, "to": month}
    )
    order_id = int(made.headers["location"].rsplit("/", 1)[1])
    await Order.update({Order.status: "in_work"}).where(Order.id == order_id)
    await login(client, await make_user(roles=("dispatcher",), houses=(household["house"],)))
    typed = {"title": "Копия с печатью"}
    refused = await client.form(
        f"/staff/orders/{order_id}/documents", typed, files={"file": ("note.txt", b"hello", "text/plain")}
    )
    assert refused.status_code == 422
    assert re.search(r'<input id="f-title" name="title" type="text" value="Копия с печатью"', refused.text)
    assert "Прикрепите PDF-файл или фото документа (не более 10\u00a0МБ)." in refused.text
    assert 'href="#f-file"' in refused.text
    assert await OrderDocument.count().where(OrderDocument.title == "Копия с печатью") == 0


async def test_a_certificate_not_paid_yet_gets_no_document_until_it_is_paid(client, login, household, shop, make_user):
    """A priced certificate the call centre ordered stood «Ждёт оплаты» with the form to attach its document: the
    document went to the resident unpaid and the order stayed waiting for payment. Until it is paid the page says
    so instead of the form, and an attachment is refused; once paid it is attached."""
    from PIL import Image

    from portal.catalog.tables import OrderDocument

    await login(client, household["resident"])
    month = clock.today_local().strftime("%Y-%m")
    made = await client.form(
        f"/services/{shop['statement']}/document", {"account": household["accounts"][0], "from": month, "to": month}
    )
    order_id = int(made.headers["location"].rsplit("/", 1)[1])
    await Order.update({Order.status: "awaiting_payment"}).where(Order.id == order_id)
    before = await OrderDocument.count().where(OrderDocument.order == order_id)
    await login(client, await make_user(roles=("dispatcher",), houses=(household["house"],)))
    page = (await client.get(f"/staff/orders/{order_id}")).text
    assert "Заказ ещё не оплачен: документ прикрепляется после оплаты." in page
    assert f'action="/staff/orders/{order_id}/documents"' not in page
    photo = io.BytesIO()
    Image.new("RGB", (20, 20), "white").save(photo, "JPEG")
    upload = {"file": ("copy.jpg", photo.getvalue(), "image/jpeg")}
    refused = await client.form(f"/staff/orders/{order_id}/documents", {"title": "Копия"}, files=upload)
    assert refused.status_code == 303
    assert await OrderDocument.count().where(OrderDocument.order == order_id) == before
    told = (await client.get(f"/staff/orders/{order_id}")).text  # the refusal is flashed on the next page
    assert told.count("Заказ ещё не оплачен: документ прикрепляется после оплаты.") == 2

    await Order.update({Order.status: "accepted"}).where(Order.id == order_id)
    assert f'action="/staff/orders/{order_id}/documents"' in (await client.get(f"/staff/orders/{order_id}")).text
    taken = await client.form(f"/staff/orders/{order_id}/documents", {"title": "Копия"}, files=upload)
    assert taken.status_code == 303
    assert await OrderDocument.count().where(OrderDocument.order == order_id) == before + 1
    # The photo of the document opens from the order's page as a photo, not under a PDF's name.
    ids = re.findall(r'href="/staff/orders/documents/(\d+)"', (await client.get(f"/staff/orders/{order_id}")).text)
    opened = await client.get(f"/staff/orders/documents/{max(map(int, ids))}")
    assert opened.status_code == 200 and opened.headers["content-type"] == "image/jpeg"
    assert opened.headers["content-disposition"].startswith('inline; filename="document.jpg"')


async def test_removing_a_line_gives_back_the_order_form_as_typed(client, login, household, shop):
    """«Убрать» is a button of the order form: without JavaScript the whole form is posted, and the page comes back
    with the day, time, phone and comment the resident had typed (before, they were lost on a separate form)."""
    account = household["accounts"][0]
    await login(client, household["resident"])
    for service in ("plumber", "repair"):
        await client.form("/services/cart", {"service": shop[service], "account": account})
    typed = {"account": account, "day": _visit_day(), "slot": "09:00–12:00", "phone": "+7 978 111-22-33"}
    removed = await client.form(
        "/services/cart/remove", {**typed, "comment": "Домофон 12, звонить заранее", "service": shop["plumber"]}
    )
    assert removed.status_code == 200
    lines = re.findall(r'name="service" value="(\d+)"', removed.text)
    assert lines == [str(shop["repair"])]
    assert f'<option value="{typed["day"]}" selected' in removed.text
    assert '<option value="09:00–12:00" selected' in removed.text
    assert 'value="+7 978 111-22-33"' in removed.text and "Домофон 12, звонить заранее</textarea>" in removed.text
    assert "is-invalid" not in removed.text and "error-summary" not in removed.text  # nothing is checked yet


async def test_an_order_with_a_phone_no_one_can_dial_or_a_comment_too_long_comes_back_with_what_was_typed(
    client, login, household, shop
):
    """«позвоните соседке» was kept as the phone to call (a «tel:» link to nowhere for the executor), and a
    comment longer than 2000 characters was cut short in silence. Each is said at its field, with what was typed
    kept, and nothing is ordered; a phone people write is kept as the portal writes phones."""
    account = household["accounts"][0]
    await login(client, household["resident"])
    await client.form("/services/cart", {"service": shop["plumber"], "account": account})
    order = {"account": account, "day": _visit_day(), "slot": "09:00–12:00"}
    comment = "Домофон не работает, звоните. " * 70 + "Код подъезда 1234."
    page = await client.form("/services/cart/order", {**order, "phone": "позвоните соседке", "comment": comment})
    assert page.status_code == 422
    assert "Введите телефон в виде +7\u00a0978\u00a0123‑45‑67." in page.text
    assert 'value="позвоните соседке"' in page.text
    assert "Слишком длинный комментарий: не больше 2000\u00a0символов." in page.text
    assert "Код подъезда 1234.</textarea>" in page.text
    assert await Order.count() == 0
    placed = await client.form("/services/cart/order", {**order, "phone": "8 (978) 555-44-33", "comment": "Код 12"})
    assert placed.status_code == 303
    assert (await Order.select(Order.contact_phone).first())["contact_phone"] == "+79785554433"


async def test_the_owner_of_a_closed_account_gets_its_certificate_of_no_debt_and_nothing_else(
    client, login, household, shop, make_user
):
    """A former owner selling the flat orders the certificate of no debt on its closed account: it says the day the
    account closed and what it owed that day, paid since. Nothing else is ordered on it, and a family member, who
    lost the account on its closing day, orders nothing on it."""
    from datetime import timedelta

    from pypdf import PdfReader

    from portal.billing.ledger import EntryKind
    from portal.billing.ledger import post_entry

    closed, still_open = household["accounts"]
    await post_entry(closed, EntryKind.CHARGE, 100000, clock.now() - timedelta(days=10), reference="t-before")
    closing = clock.today_local() - timedelta(days=1)
    await PersonalAccount.update({PersonalAccount.closed_on: closing}).where(PersonalAccount.id == closed)
    await post_entry(closed, EntryKind.PAYMENT, -454000, clock.now(), reference="t-paid-off")  # 1 000 + 3 540
    family = await make_user(accounts={closed: "family", still_open: "family"}, rights=("view", "tickets"))
    await login(client, family)
    assert (await client.get(f"/services/{shop['no_debt']}?account={closed}")).text.count(f'value="{closed}"') == 0
    assert (await client.form(f"/services/{shop['no_debt']}/document", {"account": closed})).status_code == 422
    assert not await Order.exists().where(Order.account == closed)
    client.cookies.clear()
    await login(client, household["resident"])
    page = await client.get(f"/services/{shop['no_debt']}?account={closed}")
    assert page.status_code == 200 and f'<option value="{closed}" selected' in page.text
    assert (await client.get(f"/services/{shop['plumber']}?account={closed}")).status_code == 404
    month = {"from": closing.strftime("%Y-%m"), "to": closing.strftime("%Y-%m")}
    statement = await client.form(f"/services/{shop['statement']}/document", {"account": closed, **month})
    assert statement.status_code == 404
    made = await client.form(f"/services/{shop['no_debt']}/document", {"account": closed})
    assert made.status_code == 303
    order = await client.get(made.headers["location"])
    link = re.search(r'href="(/services/orders/documents/\d+)"', order.text)
    assert link, order.text
    content = (await client.get(link.group(1))).content
    text = re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages))
    assert "отсутствует" in text
    day = re.sub(r"\s+", "", format_day(closing))
    assert f"Счётзакрыт{day};задолженностьнадатузакрытия,1000,00" in text, text


async def test_the_catalogue_finds_windows_by_any_form_of_the_word_and_nothing_alike(client, login, household, shop):
    """«окно», «окна», «окон» find the cleaning «с мойкой окон» and the window repair «Ремонт окна», never the air
    conditioner («кондиционер» begins otherwise)."""
    from portal.catalog.tables import PaidService

    await PaidService.update({PaidService.description: "Генеральная уборка с мойкой окон."}).where(
        PaidService.id == shop["cleaning"]
    )
    await PaidService(category=shop["works"], title="Ремонт окна", description="Регулировка створки.").save()
    await PaidService(category=shop["works"], title="Установка кондиционера", description="Монтаж блока.").save()
    await login(client, household["resident"])
    for typed in ("окно", "окна", "окон", "Окон"):
        found = (await client.get("/services", params={"q": typed})).text
        assert "Уборка квартиры" in found and "Ремонт окна" in found, typed
        assert "Установка кондиционера" not in found and "Вызов сантехника" not in found, typed
