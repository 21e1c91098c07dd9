"""Transactional outbox: a domain writes the message in the same transaction as its change; a dispatcher
delivers it later, retries with back-off, and never sends twice for one ``dedupe_key``.

Channels are registered by ``portal.notifications.channels`` (``email``, ``sms``, ``push``, ``inapp``) and by
domains that fan one event out to many people (``post``: a published post, expanded page by page into one
message per person and channel). A sender delivers one row and answers:
- ``None``: sent; ``"kept"``: kept for reading on the staff "Outbox" page (no SMTP server or SMS provider);
- ``Again(context)``: more to do later (a fan-out's next page): the row goes back to the queue with its context;
- an exception: a failure, retried with back-off until ``MAX_ATTEMPTS``; ``Permanent`` gives up at once;
  ``Unreachable`` (the SMTP server or the provider is down) is no fault of the message: it waits for the server
  to be back however long that takes, tried again every ``UNREACHABLE_RETRY`` without using up its attempts, and
  the rest of the pass does not knock at that channel's door again.

A message that is useless after a moment (a link or code that expires: ``enqueue(..., expires_at=)``, kept in its
context as ``EXPIRES``) is never sent late: a row still unsent at that moment ends as ``expired``.

Nothing is lost when a process dies: a row is claimed for a lease (``LEASE``); a claim whose process died is
claimed again once the lease has run out, by this process after a restart or by any other dispatcher. Senders
pass the ``dedupe_key`` on as the provider's idempotency key where the provider has one (SMS), so a send that
was done but not recorded is not done twice.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import Any

from portal.core.bulk import MAX_PARAMETERS
from portal.core.db import json_value
from portal.core.i18n import lazy
from portal.core.labels import Labels
from portal.core.tables import OutboxMessage

Sender = Callable[[dict[str, Any]], Awaitable[Any]]
_senders: dict[str, Sender] = {}

MAX_ATTEMPTS = 8
LEASE = timedelta(minutes=5)
BATCH = 100

# A message's status as staff read it: the outbox list, a message's own page, a post's delivery log.
STATUS_LABELS: Labels[str] = Labels(
    {
        "pending": lazy("Waiting"),
        "sending": lazy("Sending"),
        "sent": lazy("Sent"),
        "kept": lazy("Kept"),
        "failed": lazy("Failed"),
        "expired": lazy("Expired, not sent"),
    }
)
# The context's key of the moment after which a message is not sent (ISO 8601, aware).
EXPIRES = "expires_at"


@dataclass(frozen=True)
class Again:
    """A sender's answer: part done; run the row again (now, or ``at``) with this context."""

    context: dict[str, Any] = field(default_factory=dict)
    at: datetime | None = None


class Permanent(Exception):
    """A failure no retry can mend (the push subscription is gone, the number does not exist)."""


class Unreachable(Exception):
    """The channel's server could not be reached or did not answer (a connection refused, a timeout)."""


UNREACHABLE_RETRY = timedelta(minutes=1)


async def unreachable(channel: str) -> bool:
    """Whether the channel's server is away as the dispatcher last found it: a message of it waits for it."""
    return await OutboxMessage.exists().where(
        (OutboxMessage.status == "pending")
        & (OutboxMessage.channel == channel)
        & OutboxMessage.last_error.like("Unreachable:%")
    )


def register_sender(channel: str, sender: Sender) -> None:
    _senders[channel] = sender


def channels() -> list[str]:
    return sorted(_senders)


def backoff(attempts: int) -> timedelta:
    """1, 2, 4 … minutes between attempts, at most 6 hours."""
    return timedelta(minutes=min(360, 2 ** max(0, attempts - 1)))


async def enqueue(
    channel: str,
    recipient: str,
    template: str,
    context: dict[str, Any] | None = None,
    dedupe_key: str | None = None,
    *,
    subject: str = "",
    body: str = "",
    user_id: int | None = None,
    ref: str = "",
    not_before: datetime | None = None,
    expires_at: datetime | None = None,
    now: datetime | None = None,
) -> bool:
    """Queue one message; returns False when a message with the same ``dedupe_key`` is already queued.

    ``ref`` names what it is about (``post:42``) for a delivery log; ``not_before`` holds it until then;
    ``expires_at``: it is not sent after then (the expiry of the link or code it carries). ``now``: the
    moment of the action that queues it (written as the row's ``created_at``, and when it is due), so that the rows
    of one action agree; the database's own clock where none is given."""
    key = dedupe_key or f"{channel}:{recipient}:{template}:{datetime.now(UTC).isoformat()}"
    if await OutboxMessage.exists().where(OutboxMessage.dedupe_key == key):
        return False
    context = dict(context or {})
    if expires_at is not None:
        context[EXPIRES] = expires_at.isoformat()
    row = OutboxMessage(
        channel=channel,
        recipient=recipient,
        template=template,
        context=context,
        dedupe_key=key,
        subject=subject,
        body=body,
        user_id=user_id,
        ref=ref[:64],
    )
    if now is not None:
        row.created_at = row.next_attempt_at = now
    if not_before is not None:
        row.next_attempt_at = not_before
    await OutboxMessage.insert(row)
    return True


def _due(now: datetime) -> Any:
    """Waiting rows whose time has come, and claims whose lease ran out (their process died)."""
    return ((OutboxMessage.status == "pending") | (OutboxMessage.status == "sending")) & (
        OutboxMessage.next_attempt_at <= now
    )


async def claim(now: datetime, limit: int = BATCH) -> list[dict[str, Any]]:
    """Take up to ``limit`` due rows for this dispatcher: each row is claimed by one dispatcher only."""
    ids = [
        r["id"]
        for r in await OutboxMessage.select(OutboxMessage.id)
        .where(_due(now) & OutboxMessage.channel.is_in(channels() or ["-"]))
        .order_by(OutboxMessage.next_attempt_at)
        .order_by(OutboxMessage.id)
        .limit(limit)
    ]
    if not ids:
        return []
    return (
        await OutboxMessage.update(
            {
                OutboxMessage.status: "sending",
                OutboxMessage.next_attempt_at: now + LEASE,
                OutboxMessage.attempts: OutboxMessage.attempts + 1,
            }
        )
        .where(OutboxMessage.id.is_in(ids) & _due(now))
        .returning(*OutboxMessage.all_columns())
    )


async def _record(row: dict[str, Any], outcome: Any, now: datetime) -> bool:
    """Write what became of one delivery; True when it was sent."""
    if isinstance(outcome, Again):
        await OutboxMessage.update(
            {
                OutboxMessage.status: "pending",
                OutboxMessage.context: outcome.context,
                OutboxMessage.next_attempt_at: outcome.at or now,
                OutboxMessage.attempts: 0,
            }
        ).where(OutboxMessage.id == row["id"])
        return False
    status = "kept" if outcome == "kept" else "sent"
    await OutboxMessage.update(
        {OutboxMessage.status: status, OutboxMessage.sent_at: now, OutboxMessage.last_error: ""}
    ).where(OutboxMessage.id == row["id"])
    return status == "sent"


def expired(context: dict[str, Any] | str | None, now: datetime) -> bool:
    """Whether a message of this context is past its expiry (never, for one without)."""
    at = json_value(context).get(EXPIRES)
    return bool(at) and datetime.fromisoformat(at) <= now


async def _expired(row: dict[str, Any]) -> None:
    """The message is no use any more: it ends unsent (its last error, a server that was down, is kept)."""
    await OutboxMessage.update({OutboxMessage.status: "expired"}).where(OutboxMessage.id == row["id"])


async def _failed(row: dict[str, Any], exc: Exception, now: datetime) -> None:
    attempts = row["attempts"]
    if isinstance(exc, Unreachable):  # the claim's attempt is given back: the message was never tried
        await OutboxMessage.update(
            {
                OutboxMessage.status: "pending",
                OutboxMessage.attempts: max(0, attempts - 1),
                OutboxMessage.last_error: f"{type(exc).__name__}: {exc}"[:500],
                OutboxMessage.next_attempt_at: now + UNREACHABLE_RETRY,
            }
        ).where(OutboxMessage.id == row["id"])
        return
    give_up = isinstance(exc, Permanent) or attempts >= MAX_ATTEMPTS
    await OutboxMessage.update(
        {
            OutboxMessage.status: "failed" if give_up else "pending",
            OutboxMessage.last_error: f"{type(exc).__name__}: {exc}"[:500],
            OutboxMessage.next_attempt_at: now + backoff(attempts),
        }
    ).where(OutboxMessage.id == row["id"])


async def _pass(now: datetime, limit: int) -> tuple[int, int]:
    """One pass: (rows claimed, messages sent)."""
    rows = await claim(now, limit)
    sent = 0
    down: dict[str, Unreachable] = {}  # channels found unreachable in this pass: their other rows wait too
    for row in rows:
        sender = _senders[row["channel"]]
        if expired(row["context"], now):
            await _expired(row)
            continue
        try:
            if row["channel"] in down:
                raise down[row["channel"]]
            outcome = await sender(row)
        except Exception as exc:  # delivery failures are recorded and retried, never raised to the caller
            if isinstance(exc, Unreachable):
                down[row["channel"]] = exc
            await _failed(row, exc, now)
            continue
        sent += await _record(row, outcome, now)
    return len(rows), sent


async def deliver_due(now: datetime | None = None, limit: int = BATCH) -> int:
    """Deliver the messages that are due (one pass over at most ``limit``); returns how many were sent."""
    return (await _pass(now or datetime.now(UTC), limit))[1]


async def deliver_all(now: datetime | None = None, seconds: float = 40) -> int:
    """Pass after pass until nothing is due (a fan-out's pages and their messages included) or ``seconds``
    have gone; returns how many were sent."""
    deadline = time.monotonic() + seconds
    sent = 0
    while time.monotonic() < deadline:
        claimed, done = await _pass(now or datetime.now(UTC), BATCH)
        sent += done
        if not claimed:
            break
    return sent


async def enqueue_many(messages: list[OutboxMessage]) -> int:
    """Queue many messages, one statement per chunk (a month's receipts to thousands of people stay within the
    engines' limit of parameters a statement); those whose ``dedupe_key`` is already queued are skipped.
    Returns how many were new."""
    per_chunk = max(1, MAX_PARAMETERS // len(OutboxMessage._meta.columns))
    new = 0
    for start in range(0, len(messages), per_chunk):
        chunk = messages[start : start + per_chunk]
        done = await OutboxMessage.insert(*chunk).on_conflict(target=OutboxMessage.dedupe_key, action="DO NOTHING")
        new += len(done or [])
    return new
