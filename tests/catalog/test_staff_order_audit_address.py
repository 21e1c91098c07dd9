"""Staff cancelling an order or attaching its document change the order's request too: every audit row of that
work (the order's and its request's) keeps the address the staff member acted from, as staff work on a request
from its own page does; before, the request's rows read «IP: —»."""

from __future__ import annotations

import io

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
