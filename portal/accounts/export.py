"""The answer to a data subject's access request (152-ФЗ ст. 14, DOMAIN.md §6): everything the portal holds about
one person, at once, as one JSON document — profile, accounts and residency, requests and their messages,
readings, payments, consents, the person's requests under 152-ФЗ and the audit of their own actions.

Each part is one bounded query (at most ``LIMIT`` rows, newest first); a part cut at the limit says so, and the
person can ask the company in writing for the rest (the 10-working-day deadline then applies).
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

from piccolo.columns import Column
from piccolo.table import Table

from portal.accounts.tables import ConsentRecord
from portal.accounts.tables import DataRequest
from portal.accounts.tables import Residency
from portal.accounts.tables import User
from portal.core import clock
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


async def _part(table: type[Table], owner: Column, user_id: int, *columns: Any) -> list[dict[str, Any]]:
    """One part of the answer: the newest ``LIMIT`` rows of ``table`` whose ``owner`` is the person."""
    return (
        await table.select(*columns)
        .where(owner == user_id)
        .order_by(table._meta.primary_key, ascending=False)
        .limit(LIMIT)
    )


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
            User.notify_inapp,
        )
        .where(User.id == user_id)
        .first()
    )
    return {k: _plain(v) for k, v in (row or {}).items()}


async def _residencies(user_id: int) -> dict[str, Any]:
    rows = await _part(
        Residency,
        Residency.user,
        user_id,
        Residency.account.number.as_alias("account"),
        Residency.account.premise.house.address.as_alias("address"),
        Residency.account.premise.number.as_alias("premise"),
        Residency.account.payer_name.as_alias("payer"),
        Residency.account.closed_on.as_alias("account_closed_on"),
        Residency.role,
        Residency.rights,
        Residency.created_at,
        Residency.revoked_at,
    )
    return _rows(rows)


async def _tickets(user_id: int) -> tuple[dict[str, Any], dict[str, Any]]:
    from portal.tickets.tables import Ticket
    from portal.tickets.tables import TicketEvent

    tickets = await _part(
        Ticket,
        Ticket.author,
        user_id,
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


async def _readings(user_id: int) -> dict[str, Any]:
    from portal.meters.tables import MeterReading

    rows = await _part(
        MeterReading,
        MeterReading.submitted_by,
        user_id,
        MeterReading.meter.account.number.as_alias("account"),
        MeterReading.meter.service.as_alias("service"),
        MeterReading.meter.serial.as_alias("meter"),
        MeterReading.zone,
        MeterReading.value,
        MeterReading.period,
        MeterReading.submitted_at,
        MeterReading.source,
    )
    return _rows(rows)


async def _payments(user_id: int) -> dict[str, Any]:
    from portal.payments.tables import Payment

    rows = await _part(
        Payment,
        Payment.created_by,
        user_id,
        Payment.uid,
        Payment.account.number.as_alias("account"),
        Payment.purpose,
        Payment.amount_kopecks,
        Payment.status,
        Payment.description,
        Payment.created_at,
        Payment.paid_at,
    )
    return _rows(rows)


async def _consents(user_id: int) -> dict[str, Any]:
    rows = await _part(
        ConsentRecord,
        ConsentRecord.user,
        user_id,
        ConsentRecord.consent_type,
        ConsentRecord.text_version,
        ConsentRecord.granted_at,
        ConsentRecord.withdrawn_at,
        ConsentRecord.channel,
        ConsentRecord.ip,
        ConsentRecord.user_agent,
    )
    return _rows(rows)


async def _requests(user_id: int) -> dict[str, Any]:
    rows = await _part(
        DataRequest,
        DataRequest.user,
        user_id,
        DataRequest.kind,
        DataRequest.received_at,
        DataRequest.due_on,
        DataRequest.details,
        DataRequest.done_at,
        DataRequest.outcome,
    )
    return _rows(rows)


async def _audit(user_id: int) -> dict[str, Any]:
    rows = await _part(
        AuditEvent, AuditEvent.actor_id, user_id, AuditEvent.action, AuditEvent.entity, AuditEvent.entity_id,
        AuditEvent.changes, AuditEvent.ip, AuditEvent.created_at,
    )  # fmt: skip
    for row in rows:
        if isinstance(row["changes"], str):
            row["changes"] = json.loads(row["changes"] or "{}")
    return _rows(rows)


async def subject_data(user_id: int) -> dict[str, Any]:
    """Everything the portal holds about the person, as plain data (nine bounded queries)."""
    tickets, messages = await _tickets(user_id)
    return {
        "operator": get_settings().company_name,
        "made_at": clock.now().isoformat(),
        "law": "152-ФЗ ст. 14",
        "profile": await _profile(user_id),
        "accounts": await _residencies(user_id),
        "requests": tickets,
        "request_messages": messages,
        "meter_readings": await _readings(user_id),
        "payments": await _payments(user_id),
        "consents": await _consents(user_id),
        "personal_data_requests": await _requests(user_id),
        "own_actions": await _audit(user_id),
    }


def as_json(data: dict[str, Any]) -> bytes:
    """The file the person downloads (UTF-8, readable Cyrillic, indented)."""
    return json.dumps(data, ensure_ascii=False, indent=2, default=str).encode()
