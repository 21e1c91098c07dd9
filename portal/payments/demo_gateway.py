"""Demo: a card payment the demo makes on the portal is paid at the sandbox payment gateway too, so that the
gateway ``make run`` serves knows it and an accountant can refund it.

``make run`` loads the demo before it starts the sandbox, and the tests' demo is loaded with no gateway running, so
the demo pays through the sandbox's own engine on the sandbox's own file — the one the sandbox started beside this
portal serves from (``PORTAL_VAR_DIR``, or ``SANDBOX_DB``) — exactly as its API would: a PaymentIntent confirmed with
Stripe's test card ``pm_card_visa``, carrying the payment's id in its metadata. Its events are kept and not
delivered: the portal credited the payment itself. A gateway that is not the local sandbox knows nothing of the
demo: the payment then has no reference there, and the portal does not offer to refund it. A refund the demo
makes of such a payment is made there the same way (``refunded``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlparse

from portal.settings import get_settings

LOCAL = ("127.0.0.1", "localhost")


@contextlib.contextmanager
def _sandbox() -> Iterator[Any]:
    """The local sandbox's engine on its own file, its events recorded and not delivered (the portal has posted
    what they say already); None where the portal's gateway is not the local sandbox."""
    if urlparse(get_settings().payment_gateway_url).hostname not in LOCAL:
        yield None
        return
    from portal.sandbox_gateway.config import GatewayConfig
    from portal.sandbox_gateway.engine import Gateway
    from portal.sandbox_gateway.store import Store

    config = GatewayConfig.from_env()
    store = Store(config.database)
    with contextlib.closing(store.db):
        gateway = Gateway(config, store)
        gateway.faults.drop_webhooks = -1
        yield gateway


def paid_intent(kopecks: int, payment_id: str, description: str) -> str | None:
    """The id of a PaymentIntent of ``kopecks`` paid by card at the local sandbox, or None without one."""
    with _sandbox() as gateway:
        if gateway is None:
            return None
        intent = gateway.create_intent(
            {
                "amount": str(kopecks),
                "currency": "rub",
                "payment_method": "pm_card_visa",
                "confirm": "true",
                "description": description,
                "metadata": {"payment_id": payment_id},
            },
            {},
        )
    return str(intent["id"]) if intent.get("status") == "succeeded" else None


def refunded(intent_id: str | None, kopecks: int, refund_id: str, *, pending: bool = False) -> str | None:
    """The id of a refund of ``kopecks`` of a PaymentIntent ``paid_intent`` made, returned at the local sandbox, or
    None without one. The sandbox returns money at once; a ``pending`` refund it keeps pending for good (its fault
    switch ``pending_refunds``), so reconciliation asks about it and leaves it waiting."""
    with _sandbox() as gateway:
        if gateway is None or intent_id is None:
            return None
        gateway.faults.pending_refunds = 1 if pending else 0
        refund = gateway.create_refund(
            {
                "payment_intent": intent_id,
                "amount": str(kopecks),
                "reason": "requested_by_customer",
                "metadata": {"refund_id": refund_id},
            }
        )
    return str(refund["id"])
