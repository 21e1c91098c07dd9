"""The gateway's webhook endpoint: verify the signature before parsing, then apply the event once."""

from __future__ import annotations

import json
import logging
from typing import Any

from litestar import Request
from litestar import Response
from litestar import post

from portal.core.security import public
from portal.payments import actions
from portal.payments.gateway import GatewayError
from portal.payments.gateway import SignatureError
from portal.payments.gateway import verify_signature
from portal.settings import get_settings

log = logging.getLogger("portal.payments.webhooks")


def _answer(status: int, **body: Any) -> Response[dict[str, Any]]:
    return Response(body, status_code=status, media_type="application/json")


@post("/payments/webhook", name="payments_webhook", opt=public(), status_code=200)
async def webhook(request: Request) -> Response[dict[str, Any]]:
    payload = await request.body()
    try:
        verify_signature(payload, request.headers.get("stripe-signature"), get_settings().payment_webhook_secret)
    except SignatureError as exc:
        log.warning("webhook refused: %s", exc)
        return _answer(400, error="invalid signature")
    try:
        event = json.loads(payload)
        event_id, type_ = str(event["id"]), str(event["type"])
    except (ValueError, KeyError, TypeError):
        return _answer(400, error="malformed event")
    try:
        outcome = await actions.apply_webhook_event(event)
    except GatewayError as exc:
        # We could not learn the object's current state: let the gateway deliver the event again later.
        log.warning("webhook %s %s not applied yet: %s", event_id, type_, exc)
        return _answer(503, error="try again")
    log.info("webhook %s %s: %s", event_id, type_, outcome)
    return _answer(200, received=True, duplicate=True) if outcome == "duplicate" else _answer(200, received=True)
