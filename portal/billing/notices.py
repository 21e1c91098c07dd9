"""«Квитанция готова»: when staff issue a month's receipts, each person who may see an account (its residents; of a
closed account its owners, who pay its debt: ``notifications.queries.people_of_accounts``) is told once that its
receipt is ready, with what it asks to pay, in their language, by the channels they chose for their own affairs.

The issue writes one waiting ``ReceiptNotice`` per account and month in its own transaction (``wait``); a receipt
issued again that month finds its row there and tells nobody again (its corrected figures are on the receipt's
page). The job ``receipt-notices`` (started at once by the issue: ``jobs.kick``, and every minute) tells the waiting
accounts a batch at a time: a few queries a batch, its outbox rows written in as many statements as the engine's
limit of parameters asks, and the batch marked told in the same transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from datetime import datetime
from typing import Any

from portal.billing import messages
from portal.billing import rules
from portal.billing.queries import ReceiptInfo
from portal.billing.queries import accounts_info
from portal.billing.queries import receipts_for
from portal.billing.tables import ReceiptNotice
from portal.core import bulk
from portal.core import jobs
from portal.core import outbox
from portal.core.db import atomic
from portal.notifications.actions import outbox_rows
from portal.notifications.messages import absolute
from portal.notifications.queries import choices_of
from portal.notifications.queries import people_of_accounts

JOB = "receipt-notices"
BATCH = 500  # accounts told in one transaction
BATCHES = 40  # a run tells at most 20,000 accounts; the next run goes on


async def wait(period: date, account_ids: Sequence[int], now: datetime) -> None:
    """The accounts whose receipt of ``period`` was just issued wait to be told, unless told of it already (in the
    issue's transaction)."""
    key = rules.period_key(period)
    rows = ((account, period, f"{account}:{key}", now) for account in account_ids)
    await bulk.insert_rows(ReceiptNotice, ("account", "period", "key", "created_at"), rows, conflict="(key) DO NOTHING")


def context_of(receipt: ReceiptInfo, number: str) -> dict[str, Any]:
    """What the message of one receipt keeps: its sums and dates as the receipt shows them, its page, where to pay."""
    return {
        "account_id": receipt.account_id,
        "number": number,
        "period": receipt.period,
        "to_pay": receipt.to_pay,
        "overpaid": receipt.overpaid,
        "due": receipt.due_date,
        "pay_url": absolute(f"/pay?account={receipt.account_id}"),
        "link": f"/accounts/{receipt.account_id}/receipts/{rules.period_key(receipt.period)}",
    }


@jobs.register(JOB, 60)
async def tell_waiting(now: datetime) -> int:
    """Tell the waiting accounts, a batch at a time; returns how many accounts were told."""
    told = 0
    for _ in range(BATCHES):
        batch = (
            await ReceiptNotice.select(ReceiptNotice.id, ReceiptNotice.account, ReceiptNotice.period)
            .where(ReceiptNotice.sent_at.is_null())
            .order_by(ReceiptNotice.id)
            .limit(BATCH)
        )
        if not batch:
            break
        told += await _tell(batch, now)
    return told


async def _tell(batch: list[dict[str, Any]], now: datetime) -> int:
    accounts = sorted({n["account"] for n in batch})
    found: dict[tuple[int, date], ReceiptInfo] = {}
    for period in {n["period"] for n in batch}:
        of_period = [n["account"] for n in batch if n["period"] == period]
        found.update({(a, period): r for a, r in (await receipts_for(period, of_period)).items()})
    infos = await accounts_info(accounts)
    people = await people_of_accounts(accounts)
    choices = await choices_of(sorted({p.user_id for ps in people.values() for p in ps}))
    rows = []
    for notice in batch:
        receipt = found.get((notice["account"], notice["period"]))
        if receipt is None or notice["account"] not in infos:
            continue  # no receipt after all: nothing to tell
        context = context_of(receipt, infos[notice["account"]].number)
        key = f"receipt:{notice['id']}"
        for person in people.get(notice["account"], []):
            rows += outbox_rows(person, messages.RECEIPT_READY, context, key, choices.get(person.user_id, {}))
    async with atomic():
        await outbox.enqueue_many(rows)
        ids = [n["id"] for n in batch]
        await ReceiptNotice.update({ReceiptNotice.sent_at: now}).where(ReceiptNotice.id.is_in(ids))
    return len(batch)
