"""What may still be refunded of a payment is its amount less the refunds made and those the payment service is
still working on; a failed refund frees its amount (``rules.refundable``, asked by the form, the refund action under
the payment's lock, and the staff pages). Before, a refund still pending held nothing: a second one could be asked
for on top of it, and the staff list did not show it."""

from __future__ import annotations

import csv
import io
import uuid
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import load_workbook

from portal.accounts.principal import load_principal_for
from portal.payments import actions
from portal.payments import rules
from portal.payments import texts
from portal.payments.gateway import GatewayClient
from portal.payments.gateway import Refund as GatewayRefund
from portal.payments.gateway import use_client
from portal.payments.tables import Payment
from portal.payments.tables import Refund
from portal.payments.tables import RefundStatus
from tests.payments.conftest import SECRET
from tests.payments.test_refunds_autopay import paid


async def pending(payment: dict, kopecks: int, accountant: int) -> None:
    """A refund asked for and not yet confirmed by the payment service (its event finishes it later)."""
    await Refund(
        uid=str(uuid.uuid4()),
        payment=payment["id"],
        amount_kopecks=kopecks,
        reason="Двойная оплата",
        status=RefundStatus.PENDING,
        idempotency_key=str(uuid.uuid4()),
        created_by=accountant,
    ).save()


async def refund(gateway, payment: dict, amount: str, household: dict) -> actions.RefundState:
    """The accountant's refund, served as a request would be: one at a time with the gateway's webhooks, which share
    the test's transaction."""
    async with gateway.lock:
        accountant = await load_principal_for(household["accountant"])
        return await actions.refund(accountant, payment["id"], Decimal(amount), "Двойная оплата")


async def test_a_second_refund_while_the_first_is_pending_is_held_to_what_is_left(client, login, household, gateway):
    payment = await paid(client, login, household, gateway, "1000")
    await pending(payment, 60000, household["accountant"])

    with pytest.raises(actions.RefundRefused) as refused:
        await refund(gateway, payment, "400.01", household)
    assert refused.value.reason == rules.RefundProblem.TOO_LARGE
    assert await Refund.count().where(Refund.payment == payment["id"]) == 1, "nothing asked of the payment service"

    assert await refund(gateway, payment, "400.00", household) == actions.RefundState.REFUNDED
    with pytest.raises(actions.RefundRefused) as refused:
        await refund(gateway, payment, "0.01", household)
    assert refused.value.reason == rules.RefundProblem.NOTHING_LEFT
    row = await Payment.select(Payment.refunded_kopecks).where(Payment.id == payment["id"]).first()
    assert row["refunded_kopecks"] == 40000, "the pending one is posted by its own event, not by this one"


class DecliningGateway(GatewayClient):
    """A payment service that answers a refund at once as failed (Stripe's ``failed``, or ``canceled``): nothing is
    returned, and no later event need come to say so."""

    def __init__(self, url: str, status: str) -> None:
        super().__init__(url, SECRET, timeout=5, backoff=0.05)
        self.status = status

    async def create_refund(self, **asked: Any) -> GatewayRefund:
        answer = {"id": "re_declined", "amount": asked["amount"], "status": self.status}
        return GatewayRefund.of({**answer, "payment_intent": asked["payment_intent"], "metadata": {}})


@pytest.mark.parametrize("status", ["failed", "canceled"])
async def test_a_refund_the_payment_service_declines_at_once_is_said_so_and_holds_nothing(
    client, login, household, gateway, status
):
    """It stayed «в обработке» forever, holding its amount: the accountant was told the service was processing it,
    and could refund the payment no more."""
    payment = await paid(client, login, household, gateway, "1000")
    use_client(DecliningGateway(gateway.url, status))
    with pytest.raises(actions.RefundRefused) as refused:
        await refund(gateway, payment, "1000.00", household)
    assert "сумму можно вернуть снова" in texts.refund_error(refused.value.reason, refused.value.message)
    row = await Refund.select(Refund.status, Refund.gateway_refund_id).where(Refund.payment == payment["id"]).first()
    assert (row["status"], row["gateway_refund_id"]) == (status, "re_declined")
    use_client(GatewayClient(gateway.url, SECRET, timeout=5, backoff=0.05))
    assert await refund(gateway, payment, "1000.00", household) == actions.RefundState.REFUNDED


async def test_the_staff_pages_show_a_pending_refund_and_offer_only_what_is_left(
    client, new_client, login, household, gateway
):
    payment = await paid(client, login, household, gateway, "1000")
    await paid(client, login, household, gateway, "500")
    other = (
        await Payment.select(Payment.id)
        .where(Payment.id != payment["id"])
        .order_by(Payment.id, ascending=False)
        .first()
    )
    await pending(payment, 60000, household["accountant"])
    staff = new_client()
    await login(staff, household["accountant"])

    listed = await staff.get("/staff/payments")
    row_of = {p["id"]: _row(listed.text, p["id"]) for p in (payment, other)}
    assert "Возврат в обработке" in row_of[payment["id"]], "the badge at the payment with a refund pending"
    assert 'class="badge badge-work">Возврат в обработке' in row_of[payment["id"]]
    assert "Возврат в обработке" not in row_of[other["id"]]
    found = await staff.get("/staff/payments?status=refund_pending")
    assert f'href="/staff/payments/{payment["id"]}"' in found.text
    assert f'href="/staff/payments/{other["id"]}"' not in found.text
    assert "не прочитаны" not in found.text, "the filter is one of the list's"
    assert '<option value="refund_pending" selected' in found.text

    form = await staff.get(f"/staff/payments/{payment['id']}/refund")
    assert 'value="400,00"' in form.text and "Не больше 400,00" in form.text.replace("\xa0", " ")
    too_much = await staff.form(
        f"/staff/payments/{payment['id']}/refund", {"amount": "400,01", "reason": "Ещё раз", "confirm": "1"}
    )
    assert too_much.status_code == 422 and "Это больше, чем осталось вернуть." in too_much.text
    await pending(payment, 40000, household["accountant"])
    none_left = await staff.get(f"/staff/payments/{payment['id']}")
    assert f'href="/staff/payments/{payment["id"]}/refund"' not in none_left.text, "no refund button"
    assert (
        "По этому платежу вернуть больше нечего." in (await staff.get(f"/staff/payments/{payment['id']}/refund")).text
    )


def _row(html: str, payment_id: int) -> str:
    start = html.index(f'href="/staff/payments/{payment_id}"')
    return html[start : html.index("</tr>", start)]


async def test_the_exports_say_what_is_refunded_and_what_is_pending_refund_as_the_page_does(
    client, new_client, login, household, gateway
):
    """The exports had the refunded amount only: a payment with a refund in the payment service's hands read as
    wholly kept, while the page marks it «Возврат в обработке» and offers only what is left."""
    payment = await paid(client, login, household, gateway, "1000")
    assert await refund(gateway, payment, "300.00", household) == actions.RefundState.REFUNDED
    await pending(payment, 20000, household["accountant"])
    await paid(client, login, household, gateway, "500")
    staff = new_client()
    await login(staff, household["accountant"])
    assert "Возврат в обработке" in _row((await staff.get("/staff/payments")).text, payment["id"])

    text = (await staff.get("/staff/payments/export.csv")).text.lstrip("\ufeff")
    lines = list(csv.reader(io.StringIO(text), delimiter=";"))
    header = lines[0]
    refunded, held = header.index("Возвращён"), header.index("Возврат в обработке")
    by_id = {int(line[0]): line for line in lines[1:]}
    assert (by_id[payment["id"]][refunded], by_id[payment["id"]][held]) == ("300,00", "200,00")
    assert {line[held] for number, line in by_id.items() if number != payment["id"]} == {"0,00"}

    await staff.speak("en")
    sheet = load_workbook(io.BytesIO((await staff.get("/staff/payments/export.xlsx")).content)).active
    rows = list(sheet.iter_rows(values_only=True))
    refunded, held = rows[0].index("Refunded"), rows[0].index("Refund pending")
    mine = next(r for r in rows[1:] if r[0] == payment["id"])
    assert (mine[refunded], mine[held]) == (300, 200)
    assert sheet.cell(row=rows.index(mine) + 1, column=held + 1).number_format == "#,##0.00"
