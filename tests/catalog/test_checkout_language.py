"""An order's checkout opens in the payer's language; resumed in another language (a Stripe session's ``locale``
cannot change) the open one is closed, unpaid, and a new one opened in that language, which replaces it (both
engines)."""

from __future__ import annotations

import httpx

from portal.catalog import actions
from portal.catalog import queries
from portal.core.i18n import set_locale
from portal.payments.tables import Payment


async def test_an_orders_checkout_opens_in_the_payers_language_and_reopens_in_another(db, household, shop, gateway):
    from tests.catalog.test_actions import _order

    try:
        set_locale("en")
        resident, placed = await _order(household, shop, (shop["plumber"], "1"))
        order = await queries.order_for_resident(resident, placed.id)
        assert order is not None
        first = await gateway.exclusive(actions.start_payment(resident, order, "http://testserver"))
        again = await gateway.exclusive(actions.start_payment(resident, await _reload(resident, placed.id), "x"))
        assert again == first  # the same language: the same open session
        async with httpx.AsyncClient() as browser:
            assert '<html lang="en">' in (await browser.get(first)).text

        set_locale("ru")
        second = await gateway.exclusive(actions.start_payment(resident, await _reload(resident, placed.id), "x"))
        await gateway.settle()  # the closed session's webhook is relayed before the test reads the database
        assert second != first
        async with httpx.AsyncClient() as browser:
            assert '<html lang="ru">' in (await browser.get(second)).text
            closed = await browser.get(first)
            assert closed.status_code == 410  # the English one is closed: it can no longer be paid
        await gateway.settle()
        rows = (
            await Payment.select(Payment.id, Payment.status, Payment.replaced_by)
            .where(Payment.reference == order.reference)
            .order_by(Payment.id)
        )
        assert [r["status"] for r in rows] == ["expired", "open"]
        # the closed one is the new one's predecessor, not a failed attempt of its own (staff see both)
        assert [r["replaced_by"] for r in rows] == [rows[1]["id"], None]
    finally:
        set_locale("ru")


async def _reload(resident, order_id):
    order = await queries.order_for_resident(resident, order_id)
    assert order is not None
    return order
