"""Transactional outbox: a domain writes the message in the same transaction as its change; a dispatcher
delivers it later, retries with back-off, and never sends twice for one ``dedupe_key``.

Channels: ``email`` (SMTP, or kept for the staff "Outbox" page when no SMTP server is configured), ``sms``,
``inapp`` (shown in the user's notifications). Delivery lives in ``portal.accounts``/``notifications`` code
that registers a sender per channel with ``register_sender``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from portal.core.tables import OutboxMessage

# A sender delivers one message; it may answer "kept" when the message stays for reading on the staff
# "Outbox" page (e-mail without an SMTP server) instead of being sent.
Sender = Callable[[dict[str, Any]], Awaitable[str | None]]
_senders: dict[str, Sender] = {}

MAX_ATTEMPTS = 8


def register_sender(channel: str, sender: Sender) -> None:
    _senders[channel] = sender


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
) -> bool:
    """Queue one message; returns False when a message with the same ``dedupe_key`` is already queued."""
    key = dedupe_key or f"{channel}:{recipient}:{template}:{datetime.now(UTC).isoformat()}"
    if await OutboxMessage.exists().where(OutboxMessage.dedupe_key == key):
        return False
    await OutboxMessage.insert(
        OutboxMessage(
            channel=channel,
            recipient=recipient,
            template=template,
            context=context or {},
            dedupe_key=key,
            subject=subject,
            body=body,
            user_id=user_id,
        )
    )
    return True


async def deliver_due(now: datetime | None = None, limit: int = 50) -> int:
    """Deliver the messages that are due (one pass); returns how many were sent."""
    now = now or datetime.now(UTC)
    rows = (
        await OutboxMessage.select()
        .where((OutboxMessage.status == "pending") & (OutboxMessage.next_attempt_at <= now))
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    sent = 0
    for row in rows:
        sender = _senders.get(row["channel"])
        if sender is None:
            continue
        # Claim the row first, so that two dispatchers never send the same message.
        claimed = (
            await OutboxMessage.update({OutboxMessage.status: "sending"})
            .where((OutboxMessage.id == row["id"]) & (OutboxMessage.status == "pending"))
            .returning(OutboxMessage.id)
        )
        if not claimed:
            continue
        try:
            outcome = await sender(row)
        except Exception as exc:  # delivery failures are recorded and retried, never raised to the caller
            attempts = row["attempts"] + 1
            await OutboxMessage.update(
                {
                    OutboxMessage.status: "failed" if attempts >= MAX_ATTEMPTS else "pending",
                    OutboxMessage.attempts: attempts,
                    OutboxMessage.last_error: f"{type(exc).__name__}: {exc}"[:500],
                    OutboxMessage.next_attempt_at: now + backoff(attempts),
                }
            ).where(OutboxMessage.id == row["id"])
            continue
        status = "kept" if outcome == "kept" else "sent"
        await OutboxMessage.update(
            {OutboxMessage.status: status, OutboxMessage.sent_at: now, OutboxMessage.attempts: row["attempts"] + 1}
        ).where(OutboxMessage.id == row["id"])
        sent += status == "sent"
    return sent
