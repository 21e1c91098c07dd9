"""Scheduled work of the payments domain: reconciliation with the gateway, and autopay on the receipt day."""

from __future__ import annotations

import logging
from datetime import datetime
from datetime import timedelta

from portal.core import jobs
from portal.payments import actions
from portal.payments.gateway import GatewayError

log = logging.getLogger("portal.payments.jobs")


@jobs.register(actions.RECONCILE_JOB, 300)
async def reconcile_job(now: datetime) -> None:
    """Every five minutes: payments whose webhook was lost are fixed from the gateway's list of payment intents, and
    the refunds still pending are asked about."""
    try:
        done = await actions.reconcile(now - timedelta(days=3))
    except GatewayError as exc:
        log.warning("reconciliation skipped: %s", exc)
        return
    if done.payments or done.refunds:
        log.info("reconciliation fixed %d payment(s), ended %d refund(s)", done.payments, done.refunds)


@jobs.register("payments-autopay", 3600, key=lambda now: "autopay-" + now.strftime("%Y-%m-%dT%H"))
async def autopay_job(now: datetime) -> None:
    """Every hour: charge the saved card of each active mandate whose receipt day has come this month, once a month;
    a month waiting for payments still pending is looked at again, so a checkout left unpaid is charged within the
    hour after it closes (``rules.autopay_due``)."""
    charged = await actions.run_autopay(now)
    if charged:
        log.info("autopay charged %d account(s)", charged)
