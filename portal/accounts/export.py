"""The answer to a data subject's access request (152-ФЗ ст. 14, DOMAIN.md §6): everything the portal holds about
one person, at once, as one JSON document — profile, accounts and residency, requests and their messages,
readings, payments, consents, answers to events, the person's requests under 152-ФЗ and the audit of their own
actions.

Each part is one bounded query (at most ``LIMIT`` rows, newest first); a part cut at the limit says so, and the
person can ask the company in writing for the rest (the 10-working-day deadline then applies).
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

from piccolo.columns import Column

from portal.accounts.privacy import REQUEST_FIELDS
from portal.accounts.tables import ConsentRecord
from portal.accounts.tables import DataRequest
from portal.accounts.tables import Residency
from portal.accounts.tables import User
from portal.core import clock
from portal.core.db import json_value
from portal.core.tables import AuditEvent
from portal.settings import get_settings

LIMIT = 2000  # rows per part


def _plain(value: Any) -> Any:
    if isinstance(value, date):  # a datetime too
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _rows(rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {"rows": [{k: _plain(v) for k, v in r.items()} for r in rows], "complete": len(rows) < LIMIT}


async def _part(user_id: int, owner: Column, *columns: Any) -> list[dict[str, Any]]:
    """One part of the answer: the newest ``LIMIT`` rows of ``owner``'s table whose ``owner`` is the person."""
    table = owner._meta.table
    return (
        await table.select(*columns)
        .where(owner == user_id)
        .order_by(table._meta.primary_key, ascending=False)
        .limit(LIMIT)
    )


def _parts() -> dict[str, tuple[Any, ...]]:
    """The parts read alike, by their name in the answer: the column naming the person, then the columns given.
    The tables of other domains are imported when an answer is made."""
    from portal.content.tables import EventAnswer
    from portal.meters.tables import MeterReading
    from portal.payments.tables import Payment

    return {
        "accounts": (
            Residency.user,
            Residency.account.number.as_alias("account"),
            Residency.account.premise.house.address.as_alias("address"),
            Residency.account.premise.number.as_alias("premise"),
            Residency.account.payer_name.as_alias("payer"),
            Residency.account.closed_on.as_alias("account_closed_on"),
            Residency.role,
            Residency.rights,
            Residency.created_at,
            Residency.revoked_at,
        ),
        "meter_readings": (
            MeterReading.submitted_by,
            MeterReading.meter.account.number.as_alias("account"),
            MeterReading.meter.service.as_alias("service"),
            MeterReading.meter.serial.as_alias("meter"),
            MeterReading.zone,
            MeterReading.value,
            MeterReading.period,
            MeterReading.submitted_at,
            MeterReading.source,
        ),
        "payments": (
            Payment.created_by,
            Payment.uid,
            Payment.account.number.as_alias("account"),
            Payment.purpose,
            Payment.amount_kopecks,
            Payment.status,
            Payment.description,
            Payment.created_at,
            Payment.paid_at,
        ),
        "consents": (
            ConsentRecord.user,
            ConsentRecord.consent_type,
            ConsentRecord.text_version,
            ConsentRecord.granted_at,
            ConsentRecord.withdrawn_at,
            ConsentRecord.channel,
            ConsentRecord.locale,  # the language of the text read or signed
            ConsentRecord.withdrawn_channel,  # how the withdrawal came: the portal, a paper form, a letter
            ConsentRecord.ip,
            ConsentRecord.user_agent,
        ),
        # «Пойду» (going true) or «Не пойду» (false) to an event, by its title as written and its English twin.
        "event_answers": (
            EventAnswer.user,
            EventAnswer.post.title.as_alias("event"),
            EventAnswer.post.title_en.as_alias("event_en"),
            EventAnswer.post.event_starts_at.as_alias("event_starts_at"),
            EventAnswer.going,
            EventAnswer.answered_at,
        ),
        "personal_data_requests": (DataRequest.user, *REQUEST_FIELDS),
        "own_actions": (
            AuditEvent.actor_id,
            AuditEvent.action,
            AuditEvent.entity,
            AuditEvent.entity_id,
            AuditEvent.changes,
            AuditEvent.ip,
            AuditEvent.created_at,
        ),
    }


async def _profile(user_id: int) -> dict[str, Any]:
    row = (
        await User.select(
            User.id,
            User.full_name,
            User.email,
            User.phone,
            User.locale,
            User.created_at,
            User.last_login_at,
            User.email_confirmed_at,
            User.phone_confirmed_at,
            User.notify_email,
        )
        .where(User.id == user_id)
        .first()
    )
    return {k: _plain(v) for k, v in (row or {}).items()}


async def _tickets(user_id: int) -> tuple[dict[str, Any], dict[str, Any]]:
    from portal.tickets.tables import Ticket
    from portal.tickets.tables import TicketEvent

    tickets = await _part(
        user_id,
        Ticket.author,
        Ticket.id,
        Ticket.number,
        Ticket.house.address.as_alias("address"),
        Ticket.category,
        Ticket.description,
        Ticket.status,
        Ticket.created_at,
        Ticket.completed_at,
        Ticket.contact_name,
        Ticket.contact_phone,
        Ticket.rating,
        Ticket.feedback,
    )
    ids = [t["id"] for t in tickets]
    events: list[dict[str, Any]] = []
    if ids:
        events = (
            await TicketEvent.select(
                TicketEvent.ticket.number.as_alias("ticket"),
                TicketEvent.kind,
                TicketEvent.comment,
                TicketEvent.author_name,
                TicketEvent.by_staff,
                TicketEvent.created_at,
            )
            .where(
                TicketEvent.ticket.is_in(ids)
                & ((TicketEvent.visible_to_resident == True) | (TicketEvent.author == user_id))  # noqa: E712
            )
            .order_by(TicketEvent.id, ascending=False)
            .limit(LIMIT)
        )
    return _rows(tickets), _rows(events)


async def subject_data(user_id: int) -> dict[str, Any]:
    """Everything the portal holds about the person, as plain data (ten bounded queries)."""
    tickets, messages = await _tickets(user_id)
    parts = {name: await _part(user_id, *columns) for name, columns in _parts().items()}
    for row in parts["own_actions"]:
        row["changes"] = json_value(row["changes"])
    accounts = parts.pop("accounts")
    return {
        "operator": get_settings().company_name,
        "made_at": clock.now().isoformat(),
        "law": "152-ФЗ ст. 14",
        "profile": await _profile(user_id),
        "accounts": _rows(accounts),
        "requests": tickets,
        "request_messages": messages,
        **{name: _rows(rows) for name, rows in parts.items()},
    }


def as_json(data: dict[str, Any]) -> bytes:
    """The file the person downloads (UTF-8, readable Cyrillic, indented)."""
    return json.dumps(data, ensure_ascii=False, indent=2, default=str).encode()
