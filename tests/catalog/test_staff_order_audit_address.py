"""Staff cancelling an order or attaching its document change the order's request too: every audit row of that
work (the order's and its request's) keeps the address the staff member acted from, as staff work on a request
from its own page does; before, the request's rows read «IP: —». So does every other audit row of orders and the
catalogue, a resident's cancel and rating of their order included."""

from __future__ import annotations

import io
import re

from PIL import Image

from portal.catalog.tables import DocumentKind
from portal.catalog.tables import Order
from portal.catalog.tables import PaidService
from portal.catalog.tables import ServiceKind
from portal.core import clock
from portal.core.tables import AuditEvent
from tests.tickets.test_audit_trail import CLIENT_IP


async def _copy_ordered(client, login, household, shop) -> tuple[int, int]:
    """The resident orders a free copy staff make: it opens its request at once. The order's id and its request's."""
    copy = PaidService(
        category=shop["papers"], title="Копия", kind=ServiceKind.CERTIFICATE, document=DocumentKind.BY_STAFF
    )
    await copy.save()
    await login(client, household["resident"])
    month = clock.today_local().strftime("%Y-%m")
    made = await client.form(
        f"/services/{copy.id}/document", {"account": household["accounts"][0], "from": month, "to": month}
    )
    assert made.status_code == 303, made.text
    order = (
        await Order.select(Order.id, Order.ticket)
        .where(Order.id == int(made.headers["location"].rsplit("/", 1)[1]))
        .first()
    )
    assert order["ticket"] is not None
    return order["id"], order["ticket"]


async def _audited(order_id: int, ticket_id: int) -> list[dict]:
    return await AuditEvent.select(AuditEvent.action, AuditEvent.ip).where(
        ((AuditEvent.entity == "order") & (AuditEvent.entity_id == order_id))
        | ((AuditEvent.entity == "ticket") & (AuditEvent.entity_id == ticket_id))
    )


async def test_staff_cancelling_an_order_audit_its_request_with_their_address(
    client, new_client, login, household, shop, make_user
):
    order_id, ticket_id = await _copy_ordered(client, login, household, shop)
    dispatcher = new_client()
    await login(dispatcher, await make_user(roles=("dispatcher",), houses=(household["house"],)))
    done = await dispatcher.form(f"/staff/orders/{order_id}/cancel", {"reason": "Не нужна", "confirm": "1"})
    assert done.status_code == 303

    events = await _audited(order_id, ticket_id)
    assert {e["action"] for e in events} == {"order.cancel", "ticket.status"}
    assert [e for e in events if e["ip"] != CLIENT_IP] == []


async def test_staff_attaching_an_orders_document_audit_its_request_with_their_address(
    client, new_client, login, household, shop, make_user
):
    order_id, ticket_id = await _copy_ordered(client, login, household, shop)
    dispatcher = new_client()
    await login(dispatcher, await make_user(roles=("dispatcher",), houses=(household["house"],)))
    photo = io.BytesIO()
    Image.new("RGB", (20, 20), "white").save(photo, "JPEG")
    upload = {"file": ("copy.jpg", photo.getvalue(), "image/jpeg")}
    taken = await dispatcher.form(f"/staff/orders/{order_id}/documents", {"title": "Копия"}, files=upload)
    assert taken.status_code == 303

    events = await _audited(order_id, ticket_id)
    assert {e["action"] for e in events} == {"order.document", "ticket.message", "ticket.status"}
    assert [e for e in events if e["ip"] != CLIENT_IP] == []


async def test_staff_pricing_placing_and_the_catalogue_keep_the_address_they_came_from(
    client, new_client, login, household, shop, make_user
):
    """A price named, an order placed by phone, a section and a service created and changed: each audit row keeps
    the address the manager acted from, as every other staff write does; before, these read «IP: —»."""
    from portal.housing.tables import PersonalAccount
    from tests.catalog.test_english import _service_form
    from tests.catalog.test_free_and_quoted_totals import _order
    from tests.catalog.test_routes import _visit_day

    await login(client, household["resident"])
    _, quoted = await _order(client, household, shop["repair"])
    manager = new_client()
    await login(manager, await make_user(roles=("manager",), houses=(household["house"],)))
    assert (await manager.form(f"/staff/orders/{quoted}/quote", {"amount": "2 500", "note": ""})).status_code == 303
    account = household["accounts"][0]
    number = await PersonalAccount.select(PersonalAccount.number).where(PersonalAccount.id == account).first()
    by_phone = {"number": number["number"], "account": account, "day": _visit_day(), "slot": "09:00–12:00"}
    placed = await manager.form("/staff/orders/new", {**by_phone, "phone": "", f"q_{shop['plumber']}": "1"})
    assert placed.status_code == 303, placed.text
    blank = {"x": ("", b"")}
    made = await manager.form("/staff/catalog/services/new", _service_form(shop), files=blank)
    assert made.status_code == 303, made.text
    assert (
        await manager.form(made.headers["location"], _service_form(shop, price="99"), files=blank)
    ).status_code == 303
    section = {"title": "Автомобиль", "position": "3", "active": "1"}
    assert (await manager.form("/staff/catalog/categories/new", section)).status_code == 303
    section_id = await AuditEvent.select(AuditEvent.entity_id).where(AuditEvent.action == "catalog.category.create")
    changed = {**section, "title": "Машина"}
    assert (await manager.form(f"/staff/catalog/categories/{section_id[0]['entity_id']}", changed)).status_code == 303

    events = await AuditEvent.select(AuditEvent.action, AuditEvent.ip)
    assert sorted(e["action"] for e in events) == [
        "catalog.category.create", "catalog.category.update", "catalog.service.create", "catalog.service.update",
        "order.create", "order.quote",
    ]  # fmt: skip
    assert [e for e in events if e["ip"] != CLIENT_IP] == []


async def test_a_resident_cancelling_or_rating_their_order_is_in_the_log_with_their_address(
    client, new_client, login, household, shop, make_user
):
    """The resident's cancel of an order (its request cancelled with it, a paid one refunded) and their rating of
    its work are theirs to answer for, as on the request's own page: each writes its audit row, with their address."""
    cancelled, cancelled_ticket = await _copy_ordered(client, login, household, shop)
    assert (await client.form(f"/services/orders/{cancelled}/cancel")).status_code == 303
    events = await _audited(cancelled, cancelled_ticket)
    assert sorted(e["action"] for e in events) == ["order.cancel", "ticket.cancel"]
    assert [e for e in events if e["ip"] != CLIENT_IP] == []

    rated, rated_ticket = await _copy_ordered(client, login, household, shop)
    dispatcher = new_client()
    await login(dispatcher, await make_user(roles=("dispatcher",), houses=(household["house"],)))
    for status in ("in_work", "done"):
        assert (await dispatcher.form(f"/staff/tickets/{rated_ticket}/status", {"status": status})).status_code == 303
    # A rating that is none of 1…5 is refused on the order's page (422), at its field, the comment as typed.
    refused = await client.form(f"/services/orders/{rated}/rate", {"rating": "9", "feedback": "Мастер <молодец>"})
    assert refused.status_code == 422 and "Form-Taken" not in refused.headers
    said = re.search(r'<p class="error" id="e-rating">(.*?)</p>', refused.text, re.S)
    assert said and "Выберите оценку от 1 до 5." in said.group(1)
    assert re.search(r'<textarea id="f-feedback" name="feedback"[^>]*>Мастер &lt;молодец&gt;</textarea>', refused.text)
    assert (await client.form(f"/services/orders/{rated}/rate", {"rating": "5"})).status_code == 303
    ratings = await AuditEvent.select(AuditEvent.ip).where(AuditEvent.action == "ticket.rate")
    assert ratings == [{"ip": CLIENT_IP}]
