"""Signed webhook delivery (GATEWAY.md §4), retried with exponential back-off until the endpoint answers 2xx."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import logging
import time

import httpx

from portal.sandbox_gateway.config import RETRY_SCHEDULE
from portal.sandbox_gateway.engine import Gateway

log = logging.getLogger("sandbox_gateway.webhooks")


def sign(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    """``Stripe-Signature``: ``t=<unix>,v1=<hex HMAC-SHA256 of "t.payload">`` keyed with the whole secret."""
    t = int(time.time()) if timestamp is None else timestamp
    signed = f"{t}.".encode() + payload
    digest = hmac.new(secret.encode("utf-8"), signed, hashlib.sha256).hexdigest()
    return f"t={t},v1={digest}"


class Deliverer:
    """The background task of the gateway: expires sessions that ran out and delivers due webhooks."""

    def __init__(self, gateway: Gateway) -> None:
        self.gateway = gateway
        self._task: asyncio.Task[None] | None = None
        self._event = asyncio.Event()
        self._client: httpx.AsyncClient | None = None

    def wake(self) -> None:
        self._event.set()

    async def start(self) -> None:
        self._client = httpx.AsyncClient()
        self.gateway.wake = self.wake
        self._task = asyncio.create_task(self._loop())

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._client:
            await self._client.aclose()

    async def _loop(self) -> None:
        last_expiry = 0.0
        while True:
            try:
                if time.monotonic() - last_expiry > 1:
                    last_expiry = time.monotonic()
                    self.gateway.expire_due()
                await self.deliver_due()
            except Exception:  # the loop must survive any one failure
                log.exception("webhook loop failed")
            self._event.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._event.wait(), timeout=self.gateway.config.tick)

    async def deliver_due(self) -> int:
        store = self.gateway.store
        done = 0
        for row in store.due_deliveries(time.time()):
            event = store.get(row["event_id"], "event")
            if event is None:
                store.delivery_failed(row["id"], None, "event missing", None)
                continue
            await self._deliver(row, event)
            done += 1
        return done

    async def _deliver(self, row: object, event: dict) -> None:
        store = self.gateway.store
        config = self.gateway.config
        event = {**event, "pending_webhooks": store.pending_deliveries(event["id"])}
        payload = json.dumps(event, ensure_ascii=False).encode("utf-8")
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "Stripe-Signature": sign(payload, config.webhook_secret),
            "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
        }
        status: int | None = None
        error = ""
        try:
            assert self._client is not None
            response = await self._client.post(
                config.webhook_url, content=payload, headers=headers, timeout=self.gateway.faults.webhook_timeout
            )
            status = response.status_code
            if 200 <= status < 300:
                store.delivery_done(row["id"], status)  # type: ignore[index]
                return
            error = f"HTTP {status}"
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"
        attempt = row["attempt"]  # type: ignore[index]
        next_at = None
        if attempt < len(RETRY_SCHEDULE):
            next_at = time.time() + RETRY_SCHEDULE[attempt] * config.retry_scale
        store.delivery_failed(row["id"], status, error, next_at)  # type: ignore[index]
