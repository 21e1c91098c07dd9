"""An accountant's «Сверить» asks the payment service for a few seconds at most (``PAYMENT_RECONCILE_SECONDS``),
against the sandbox gateway answering slowly: the page says how many it checked and that the scheduled
reconciliation, started at once (on the workers' queue), checks the rest — which it then does."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import time
from decimal import Decimal

import pytest

from portal.accounts.principal import load_principal_for
from portal.core import jobs
from portal.core.tables import AuditEvent
from portal.payments import actions
from portal.payments.tables import Refund
from portal.payments.tables import RefundStatus
from portal.settings import get_settings
from portal.settings import use_settings
from tests.conftest import missing
from tests.payments.test_refunds_autopay import paid

REDIS_URL = os.environ.get("TEST_REDIS_URL", "")
SLOW = 0.4  # seconds the sandbox takes to answer each request
BUDGET = 1.0  # what the page may spend asking it


def _clear_queue() -> None:
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter("saq:*"):
        client.delete(key)


@pytest.fixture
async def queue_in_redis():
    """The settings of production: jobs on the workers' queue in Redis, and the page's budget."""
    if not REDIS_URL:
        missing("Redis", "start it and set TEST_REDIS_URL=redis://127.0.0.1:6379/<your number>")
    _clear_queue()
    before = get_settings()
    use_settings(dataclasses.replace(before, redis_url=REDIS_URL, run_jobs=False, reconcile_seconds=BUDGET))
    try:
        yield jobs.queue(REDIS_URL)
    finally:
        use_settings(before)
        await asyncio.gather(*list(jobs._pending))
        if jobs._queue is not None:
            await jobs._queue.disconnect()
        jobs._queue = None
        _clear_queue()


async def test_the_staff_reconciliation_stops_in_its_time_and_leaves_the_rest_to_the_scheduled_one(
    client, new_client, login, household, gateway, queue_in_redis
):
    payment = await paid(client, login, household, gateway)
    accountant = await load_principal_for(household["accountant"])
    gateway.faults(pending_refunds=-1)  # the bank keeps each refund pending: reconciliation asks about each
    for _ in range(6):
        await gateway.exclusive(actions.refund(accountant, payment["id"], Decimal("100"), "Переплата"))
    assert await Refund.count().where(Refund.status == RefundStatus.PENDING) == 6
    await gateway.settle()  # the refunds' events are in: the page's time is not spent waiting for their handling

    staff = new_client()
    await login(staff, household["accountant"])
    await staff.csrf_token()  # its page is opened before the gateway turns slow
    gateway.faults(slow_ms=int(SLOW * 1000))  # asking about all six would take 7 × 0.4 s
    started = time.monotonic()
    response = await staff.form("/staff/payments/reconcile")
    took = time.monotonic() - started
    gateway.faults(slow_ms=0)
    assert response.status_code == 303
    assert took < BUDGET + SLOW, took

    audited = await AuditEvent.select(AuditEvent.changes).where(AuditEvent.action == "payment.reconcile").first()
    changes = audited["changes"]
    checked = (json.loads(changes) if isinstance(changes, str) else changes)["checked"]
    assert checked < 6  # how many fit the budget is the machine's (none on one busy enough): not all six
    told = (await staff.get(response.headers["location"])).text
    # «Сверено с платёжным сервисом платежей и возвратов: 2» read as a sentence cut in the wrong place.
    assert f"Платежей и возвратов сверено с платёжным сервисом: {checked}." in told
    assert "Остальное сверит плановая сверка, она уже запущена" in told
    await asyncio.gather(*list(jobs._pending))
    assert await queue_in_redis.job(f"kick:{actions.RECONCILE_JOB}") is not None  # the workers run it now

    rest = await gateway.exclusive(actions.reconcile())  # as the scheduled run does, with no page waiting
    assert rest.finished and rest.checked == 6
