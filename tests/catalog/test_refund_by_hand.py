"""A cancelled order paid without the payment service's reference (the service said its checkout was paid without
naming the payment, ``payments.rules.session_outcome``) cannot be refunded through the service: the refund job
never spends one of its places on it, staff see it as «Вернуть вручную», and an accountant says it is returned by
hand, which ends it (audited, with the address)."""

from __future__ import annotations

import html
import json
from typing import Any

from portal.accounts.principal import load_principal_for
from portal.catalog import actions
from portal.catalog import queries
from portal.catalog.tables import Order
from portal.catalog.tables import PaidService
from portal.core import clock
from portal.core.i18n import format_moment
from portal.core.tables import AuditEvent
from portal.core.tables import OutboxMessage
from portal.payments.tables import Payment
from portal.payments.tables import Refund
from portal.settings import get_settings
from tests.catalog.test_actions import _paid_order
from tests.tickets.test_audit_trail import CLIENT_IP
from tests.words import as_read


async def _outside_gateway(household: dict[str, Any], shop: dict[str, int], gateway: Any) -> Any:
    """A paid order whose payment the service holds no reference of, as a checkout reported paid without its
    payment intent is stored."""
    _, order = await _paid_order(household, shop, gateway)
    await Payment.update({Payment.intent_id: None}).where(Payment.reference == order.reference)
    return order


async def _cancelled(household: dict[str, Any], order: Any, gateway: Any) -> Any:
    resident = await load_principal_for(household["resident"])
    await gateway.exclusive(actions.cancel(resident, order, by_staff=False, reason="", now=clock.now()))
    return await queries.order_for_resident(resident, order.id)


async def test_the_refund_job_never_spends_a_place_on_an_order_paid_without_the_services_reference(
    db, household, shop, gateway
):
    """With one place a run, the order paid outside the service (cancelled first, so asked about least recently)
    took it every run, and the order the service can refund waited for ever; now the job takes the refundable one
    every run and leaves the other to staff."""
    await PaidService.update({PaidService.slots_per_day: 3}).where(PaidService.id == shop["plumber"])
    by_hand = await _outside_gateway(household, shop, gateway)
    refundable = (await _paid_order(household, shop, gateway))[1]
    by_hand = await _cancelled(household, by_hand, gateway)
    gateway.faults(fail_next=1000, fail_mode="before")  # the service answers nothing: the refund stays pending
    refundable = await _cancelled(household, refundable, gateway)
    assert by_hand.refund_by_hand and not refundable.refund_by_hand and refundable.refunded_at is None

    async def asked() -> Any:
        payment = await Payment.select(Payment.id).where(Payment.reference == refundable.reference).first()
        return (await Refund.select(Refund.asked_at).where(Refund.payment == payment["id"]).first())["asked_at"]

    for _ in range(2):
        before = await asked()
        assert await queries.orders_to_refund(1) == [refundable.reference]
        await gateway.exclusive(actions.retry_refunds(limit=1))
        assert await asked() > before
    assert await queries.orders_to_refund(50) == [refundable.reference]
    assert (await Order.select(Order.refunded_at).where(Order.id == by_hand.id).first())["refunded_at"] is None


async def test_an_accountant_marks_the_money_returned_by_hand_which_ends_it(
    client, new_client, login, household, shop, gateway, make_user
):
    order = await _cancelled(household, await _outside_gateway(household, shop, gateway), gateway)
    dispatcher = new_client()
    await login(dispatcher, await make_user(roles=("dispatcher",), houses=(household["house"],)))
    listed = html.unescape((await dispatcher.get("/staff/orders")).text)
    page = html.unescape((await dispatcher.get(f"/staff/orders/{order.id}")).text)
    assert "Вернуть вручную" in listed and "Вернуть вручную" in page
    assert "не может вернуть 1\u00a0500,00\u00a0₽ на карту" in page
    assert "refunded-by-hand" not in page  # the dispatcher is told, the accountant says it is returned
    refused = await dispatcher.form(f"/staff/orders/{order.id}/refunded-by-hand", {"note": "п/п 17"})
    assert refused.status_code == 403

    accountant = new_client()
    await login(accountant, await make_user(roles=("accountant",), houses=(household["house"],)))
    assert f"/staff/orders/{order.id}/refunded-by-hand" in (await accountant.get(f"/staff/orders/{order.id}")).text
    done = await accountant.form(f"/staff/orders/{order.id}/refunded-by-hand", {"note": "п/п № 17 от 05.12"})
    assert done.status_code == 303
    assert (await Order.select(Order.refunded_at).where(Order.id == order.id).first())["refunded_at"] is not None
    events = await AuditEvent.select().where(AuditEvent.action == "order.refunded_by_hand")
    assert [(e["entity"], e["entity_id"], e["ip"]) for e in events] == [("order", order.id, CLIENT_IP)]
    changes = events[0]["changes"]
    changes = json.loads(changes) if isinstance(changes, str) else changes
    assert changes == {"amount": "1500.00", "refund_note": "п/п № 17 от 05.12"}
    told = await OutboxMessage.select(OutboxMessage.template).where(
        OutboxMessage.template == "catalog/order_refunded_by_hand"
    )
    assert told

    again = await accountant.form(f"/staff/orders/{order.id}/refunded-by-hand", {"note": ""})
    assert again.status_code == 303
    assert await AuditEvent.count().where(AuditEvent.action == "order.refunded_by_hand") == 1
    page = html.unescape((await accountant.get(f"/staff/orders/{order.id}")).text)
    assert "Вернуть вручную" not in page and "нечего возвращать вручную" in page
    # How the money went back, and when, on the order's pages (staff's and the payer's), not only in the audit log.
    when = (await Order.select(Order.refunded_at).where(Order.id == order.id).first())["refunded_at"]
    when = format_moment(when, get_settings().time_zone)
    returned = f"<dt>Деньги возвращены</dt><dd>вручную, {when}: п/п № 17 от 05.12</dd>"
    assert returned in page
    await login(client, household["resident"])
    assert returned in html.unescape((await client.get(f"/services/orders/{order.id}")).text)

    admin = new_client()
    await login(admin, await make_user(roles=("admin",)))
    log = as_read(html.unescape((await admin.get("/staff/audit")).text))
    said = ("Деньги отменённого заказа возвращены вручную", "Возвращённая сумма", "п/п № 17 от 05.12")
    assert [words for words in said if words not in log] == []
