"""Every read and write of requests. Lists are paged and indexed; a record is loaded only "if this caller may see
it" (resident: one of their accounts with the "tickets" right; staff: their houses; an executor: their own).

``open_ticket(...)`` is how any domain creates a request.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from piccolo.columns.combination import Where
from piccolo.query import Select

from portal.accounts.tables import StaffHouse, User, UserRole
from portal.content.actions import announce_outage, end_outage
from portal.core import audit
from portal.core.db import atomic
from portal.core.i18n import gettext
from portal.core.pagination import Page, PageRequest
from portal.core.search import normalise, text_match
from portal.core.security import Principal
from portal.core.storage import StoredFile
from portal.housing.tables import House, PersonalAccount, PremiseRiser
from portal.settings import get_settings
from portal.tickets import deadlines, rules
from portal.tickets.filters import SORT_KEYS, TicketFilters
from portal.tickets.rules import ACTIVE, Status
from portal.tickets.tables import Outage, Ticket, TicketAttachment, TicketCounter, TicketEvent, TicketListColumns

STAFF_ROLES = ("dispatcher", "operator", "manager", "executor")
MANAGING_ROLES = ("dispatcher", "operator", "manager")


def utcnow() -> datetime:
    return datetime.now(UTC)


def is_executor_only(principal: Principal) -> bool:
    """An executor who is not also a dispatcher, operator, manager or admin sees only their own requests."""
    return principal.has_role("executor") and not principal.has_role(*MANAGING_ROLES)


# --- scopes ---------------------------------------------------------------------------------------------------


def resident_account_ids(principal: Principal) -> list[int]:
    return sorted(a for a in principal.account_ids if principal.may_on_account(a, "tickets"))


def _resident_scope(principal: Principal) -> Where | None:
    ids = resident_account_ids(principal)
    return Ticket.account.is_in(ids) if ids else None


def staff_scope(principal: Principal) -> list[Any] | None:
    """WHERE clauses limiting a staff user to their houses (and an executor to their own); None = nothing."""
    clauses: list[Any] = []
    if principal.house_ids is not None:
        if not principal.house_ids:
            return None
        clauses.append(Ticket.house.is_in(sorted(principal.house_ids)))
    if is_executor_only(principal):
        clauses.append(Ticket.executor == principal.user_id)
    return clauses


# --- opening a request ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OpenedTicket:
    id: int
    number: int
    deadline: datetime | None
    repeated: bool
    emergency: bool


async def _next_number() -> int:
    rows = (
        await TicketCounter.update({TicketCounter.value: TicketCounter.value + 1})
        .where(TicketCounter.id == 1)
        .returning(TicketCounter.value)
    )
    if rows:
        return int(rows[0]["value"])
    await TicketCounter.insert(TicketCounter(id=1, value=1))
    return 1


async def _add_event(
    ticket_id: int,
    kind: str,
    *,
    author_id: int | None,
    author_name: str,
    by_staff: bool,
    now: datetime,
    from_value: str = "",
    to_value: str = "",
    comment: str = "",
    visible: bool = False,
) -> int:
    event = TicketEvent(
        ticket=ticket_id,
        kind=kind,
        from_value=str(from_value)[:64],
        to_value=str(to_value)[:64],
        comment=comment,
        visible_to_resident=visible,
        author=author_id,
        author_name=author_name[:255],
        by_staff=by_staff,
        created_at=now,
    )
    await event.save()
    return int(event.id)


async def _attach(
    ticket_id: int, event_id: int, author_id: int | None, photos: Sequence[StoredFile], visible: bool, now: datetime
) -> None:
    if not photos:
        return
    await TicketAttachment.insert(
        *[
            TicketAttachment(
                ticket=ticket_id,
                event=event_id,
                author=author_id,
                file_key=p.key,
                content_type=p.content_type,
                size=p.size,
                width=p.width,
                height=p.height,
                visible_to_resident=visible,
                created_at=now,
            )
            for p in photos
        ]
    )


async def refresh_search_text(ticket_ids: Sequence[int]) -> None:
    """Rebuild the search text of requests from their number, address, account, owner, executor, description."""
    if not ticket_ids:
        return
    rows = await Ticket.select(
        Ticket.id,
        Ticket.number,
        Ticket.description,
        Ticket.owner_name,
        Ticket.contact_name,
        Ticket.contact_phone,
        Ticket.house.address.as_alias("address"),
        Ticket.premise.number.as_alias("premise_number"),
        Ticket.account.number.as_alias("account_number"),
        Ticket.executor.full_name.as_alias("executor_name"),
    ).where(Ticket.id.is_in(list(ticket_ids)))
    for row in rows:
        parts = [
            str(row["number"]),
            row["address"] or "",
            f"кв. {row['premise_number']}" if row["premise_number"] else "",
            row["account_number"] or "",
            row["owner_name"] or "",
            row["contact_name"] or "",
            row["contact_phone"] or "",
            row["executor_name"] or "",
            row["description"] or "",
        ]
        await Ticket.update({Ticket.search_text: normalise(" | ".join(p for p in parts if p))[:8000]}).where(
            Ticket.id == row["id"]
        )


async def _is_repeated(subject: rules.Subject, category: str, now: datetime, exclude_id: int | None = None) -> bool:
    since = now - timedelta(days=rules.REPEAT_DAYS)
    query = Ticket.select(
        Ticket.id, Ticket.premise, Ticket.house, Ticket.place, Ticket.entrance, Ticket.created_at, Ticket.status
    ).where((Ticket.category == category) & (Ticket.created_at >= since) & (Ticket.created_at <= now))
    if subject.place == "premise" and subject.premise_id is not None:
        query = query.where(Ticket.premise == subject.premise_id)
    else:
        query = query.where((Ticket.house == subject.house_id) & (Ticket.place == subject.place))
    if exclude_id is not None:
        query = query.where(Ticket.id != exclude_id)
    rows = await query.order_by(Ticket.created_at, ascending=False).limit(50)
    earlier = [
        rules.Earlier(
            rules.Subject(r["premise"], r["house"], r["place"], r["entrance"]), category, r["created_at"], r["status"]
        )
        for r in rows
    ]
    return rules.is_repeated(subject, category, now, earlier)


async def open_ticket(
    *,
    category: str,
    description: str,
    account_id: int | None = None,
    house_id: int | None = None,
    premise_id: int | None = None,
    entrance_id: int | None = None,
    place: str = "premise",
    ticket_type: str | None = None,
    source: str = "portal",
    author_id: int | None = None,
    author_name: str = "",
    created_by: int | None = None,
    contact_name: str = "",
    contact_phone: str = "",
    photos: Sequence[StoredFile] = (),
    deadline: datetime | None = None,
    now: datetime | None = None,
    by_staff: bool = False,
) -> OpenedTicket:
    """Register a request: number, legal deadline, flags (emergency, repeated), the first event and its photos.

    Give ``account_id`` (its premise, house and entrance are taken from it) or ``house_id`` for a request about
    common property with no account. ``place`` is "premise" or one of the common places.
    """
    now = now or utcnow()
    if category not in rules.CATEGORY_BY_CODE:
        raise ValueError(f"unknown category {category!r}")
    if place not in rules.PLACE_LABELS:
        raise ValueError(f"unknown place {place!r}")
    ticket_type = ticket_type or rules.CATEGORY_BY_CODE[category].type
    owner_name = ""
    if account_id is not None:
        account = (
            await PersonalAccount.select(
                PersonalAccount.id,
                PersonalAccount.payer_name,
                PersonalAccount.premise.as_alias("premise_id"),
                PersonalAccount.premise.house.as_alias("house_id"),
                PersonalAccount.premise.entrance.as_alias("entrance_id"),
            )
            .where(PersonalAccount.id == account_id)
            .first()
        )
        if account is None:
            raise ValueError("unknown account")
        house_id = account["house_id"]
        entrance_id = entrance_id or account["entrance_id"]
        premise_id = account["premise_id"] if place == "premise" else premise_id or account["premise_id"]
        owner_name = account["payer_name"] or ""
    if house_id is None:
        raise ValueError("a request needs an account or a house")
    tz = get_settings().time_zone
    due = deadline or deadlines.deadline_for(category, now, tz, ticket_type=ticket_type)
    flags = rules.flags_for_new(category, ticket_type)
    subject = rules.Subject(premise_id, house_id, place, entrance_id)
    async with atomic():
        repeated = await _is_repeated(subject, category, now)
        number = await _next_number()
        ticket = Ticket(
            number=number,
            account=account_id,
            premise=premise_id,
            house=house_id,
            entrance=entrance_id,
            place=place,
            type=ticket_type,
            category=category,
            description=description.strip()[: rules.MAX_DESCRIPTION],
            status=Status.NEW,
            source=source,
            repeated=repeated,
            created_at=now,
            updated_at=now,
            deadline=due,
            author=author_id,
            created_by=created_by,
            contact_name=contact_name[:255],
            contact_phone=contact_phone[:32],
            owner_name=owner_name[:255],
            has_new_for_staff=not by_staff,
            **flags,
        )
        await ticket.save()
        event_id = await _add_event(
            ticket.id,
            "created",
            author_id=author_id if not by_staff else created_by,
            author_name=author_name,
            by_staff=by_staff,
            now=now,
            to_value=Status.NEW,
            comment=ticket.description,
            visible=True,
        )
        await _attach(ticket.id, event_id, author_id, photos, True, now)
        await refresh_search_text([ticket.id])
        if flags["emergency"]:
            await _alert_dispatchers(ticket.id, number, house_id, category, event_id)
    return OpenedTicket(ticket.id, number, due, repeated, flags["emergency"])


async def _alert_dispatchers(ticket_id: int, number: int, house_id: int, category: str, event_id: int) -> None:
    """An emergency is flagged to the dispatchers of the house at once (in-app and e-mail through the outbox)."""
    from portal.accounts.notify import notify

    house_staff = StaffHouse.select(StaffHouse.user).where(StaffHouse.house == house_id)
    rows = await UserRole.select(UserRole.user).where(
        (UserRole.role == "dispatcher") & UserRole.user.is_in(house_staff)
    )
    for user_id in sorted({r["user"] for r in rows})[:50]:
        await notify(
            user_id,
            "ticket_emergency",
            subject=gettext("Emergency request No. %(number)s", number=number),
            body=rules.category_label(category),
            context={"ticket_id": ticket_id},
            dedupe_key=f"ticket:{ticket_id}:event:{event_id}",
            link=f"/staff/tickets/{ticket_id}",
        )


# --- residents ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    """A premise a resident may file a request about (through an account with the "tickets" right)."""

    account_id: int
    account_number: str
    premise_id: int
    premise_number: str
    house_id: int
    address: str
    entrance_id: int | None


async def resident_places(principal: Principal) -> list[Place]:
    ids = resident_account_ids(principal)
    if not ids:
        return []
    rows = (
        await PersonalAccount.select(
            PersonalAccount.id,
            PersonalAccount.number,
            PersonalAccount.premise.as_alias("premise_id"),
            PersonalAccount.premise.number.as_alias("premise_number"),
            PersonalAccount.premise.house.as_alias("house_id"),
            PersonalAccount.premise.house.address.as_alias("address"),
            PersonalAccount.premise.entrance.as_alias("entrance_id"),
        )
        .where(PersonalAccount.id.is_in(ids))
        .order_by(PersonalAccount.number)
    )
    return [
        Place(r["id"], r["number"], r["premise_id"], r["premise_number"], r["house_id"], r["address"], r["entrance_id"])
        for r in rows
    ]


async def outages_affecting(places: Sequence[Place], now: datetime) -> list[dict[str, Any]]:
    """Current outages of the houses, entrances and risers of these premises (at most 20)."""
    if not places:
        return []
    houses = sorted({p.house_id for p in places})
    entrances = sorted({p.entrance_id for p in places if p.entrance_id})
    risers = sorted(
        {
            r["riser"]
            for r in await PremiseRiser.select(PremiseRiser.riser).where(
                PremiseRiser.premise.is_in([p.premise_id for p in places])
            )
        }
    )
    entrance_ok = Outage.entrance.is_null() | (Outage.entrance.is_in(entrances) if entrances else Outage.id < 0)
    riser_ok = Outage.riser.is_null() | (Outage.riser.is_in(risers) if risers else Outage.id < 0)
    return await _outage_rows(
        Outage.house.is_in(houses)
        & Outage.closed_at.is_null()
        & (Outage.starts_at <= now + timedelta(hours=24))
        & (Outage.ends_at.is_null() | (Outage.ends_at >= now))
        & entrance_ok
        & riser_ok,
        limit=20,
    )


async def _outage_rows(where: Any, limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
    return (
        await Outage.select(
            Outage.id,
            Outage.service,
            Outage.description,
            Outage.starts_at,
            Outage.ends_at,
            Outage.closed_at,
            Outage.house,
            Outage.house.address.as_alias("address"),
            Outage.entrance.number.as_alias("entrance_number"),
            Outage.riser.code.as_alias("riser_code"),
        )
        .where(where)
        .order_by(Outage.starts_at, ascending=False)
        .limit(limit)
        .offset(offset)
    )


def _list_columns() -> list[Any]:
    return [
        Ticket.id,
        Ticket.number,
        Ticket.type,
        Ticket.category,
        Ticket.status,
        Ticket.internal_status,
        Ticket.source,
        Ticket.place,
        Ticket.description,
        Ticket.created_at,
        Ticket.deadline,
        Ticket.control_date,
        Ticket.completed_at,
        Ticket.rating,
        Ticket.owner_name,
        Ticket.important,
        Ticket.repeated,
        Ticket.justified,
        Ticket.paid,
        Ticket.paid_for,
        Ticket.emergency,
        Ticket.complaint,
        Ticket.planned,
        Ticket.has_new_for_staff,
        Ticket.has_new_for_resident,
        Ticket.executor,
        Ticket.house,
        Ticket.account,
        Ticket.outage,
        Ticket.house.address.as_alias("address"),
        Ticket.premise.number.as_alias("premise_number"),
        Ticket.account.number.as_alias("account_number"),
        Ticket.executor.full_name.as_alias("executor_name"),
        Ticket.entrance.number.as_alias("entrance_number"),
    ]


async def resident_tickets(principal: Principal, page: PageRequest, *, active_only: bool = False) -> Page[dict]:
    scope = _resident_scope(principal)
    if scope is None:
        return Page([], 0, page.number, page.size)
    where = scope & Ticket.status.is_in(sorted(ACTIVE | {Status.DONE})) if active_only else scope
    total = await Ticket.count().where(where)
    rows = (
        await Ticket.select(*_list_columns())
        .where(where)
        .order_by(Ticket.created_at, ascending=False)
        .order_by(Ticket.id, ascending=False)
        .limit(page.size)
        .offset(page.offset)
    )
    return Page(rows, total, page.number, page.size)


async def ticket_for_resident(principal: Principal, ticket_id: int) -> dict[str, Any] | None:
    """The request, if it belongs to one of the caller's accounts with the "tickets" right; else None (404)."""
    scope = _resident_scope(principal)
    if scope is None:
        return None
    return (
        await Ticket.select(*_list_columns(), Ticket.resident_seen_event, Ticket.feedback, Ticket.author)
        .where((Ticket.id == ticket_id) & scope)
        .first()
    )


async def ticket_for_staff(principal: Principal, ticket_id: int) -> dict[str, Any] | None:
    clauses = staff_scope(principal)
    if clauses is None:
        return None
    return (
        await Ticket.select(
            *_list_columns(),
            Ticket.staff_seen_event,
            Ticket.feedback,
            Ticket.author,
            Ticket.contact_name,
            Ticket.contact_phone,
            Ticket.author.full_name.as_alias("author_name"),
            Ticket.author.phone.as_alias("author_phone"),
            Ticket.premise,
            Ticket.entrance,
        )
        .where(Ticket.id == ticket_id, *clauses)
        .first()
    )


async def conversation(ticket_id: int, *, for_resident: bool) -> list[dict[str, Any]]:
    """The history of a request, oldest first, each event with its photos (residents: only what is theirs to see)."""
    query = TicketEvent.select(
        TicketEvent.id,
        TicketEvent.kind,
        TicketEvent.from_value,
        TicketEvent.to_value,
        TicketEvent.comment,
        TicketEvent.visible_to_resident,
        TicketEvent.author,
        TicketEvent.author_name,
        TicketEvent.by_staff,
        TicketEvent.created_at,
    ).where(TicketEvent.ticket == ticket_id)
    photos = TicketAttachment.select(
        TicketAttachment.id, TicketAttachment.event, TicketAttachment.width, TicketAttachment.height
    ).where(TicketAttachment.ticket == ticket_id)
    if for_resident:
        query = query.where(TicketEvent.visible_to_resident.eq(True))
        photos = photos.where(TicketAttachment.visible_to_resident.eq(True))
    events = await query.order_by(TicketEvent.id).limit(1000)
    by_event: dict[int, list[dict[str, Any]]] = {}
    for photo in await photos.order_by(TicketAttachment.id).limit(500):
        by_event.setdefault(photo["event"], []).append(photo)
    for event in events:
        event["photos"] = by_event.get(event["id"], [])
    return events


async def mark_seen(ticket_id: int, *, by_staff: bool, event_id: int) -> None:
    if by_staff:
        await Ticket.update({Ticket.staff_seen_event: event_id, Ticket.has_new_for_staff: False}).where(
            (Ticket.id == ticket_id) & (Ticket.staff_seen_event < event_id)
        )
    else:
        await Ticket.update({Ticket.resident_seen_event: event_id, Ticket.has_new_for_resident: False}).where(
            (Ticket.id == ticket_id) & (Ticket.resident_seen_event < event_id)
        )


async def attachment_for(attachment_id: int) -> dict[str, Any] | None:
    return (
        await TicketAttachment.select(
            TicketAttachment.id,
            TicketAttachment.ticket,
            TicketAttachment.file_key,
            TicketAttachment.content_type,
            TicketAttachment.visible_to_resident,
        )
        .where(TicketAttachment.id == attachment_id)
        .first()
    )


async def photo_count(ticket_id: int, event_id: int) -> int:
    return await TicketAttachment.count().where(
        (TicketAttachment.ticket == ticket_id) & (TicketAttachment.event == event_id)
    )


# --- changes: status, messages, fields --------------------------------------------------------------------------


async def _notify_other_side(
    ticket: dict[str, Any], event_id: int, *, by_staff: bool, subject: str, body: str, visible: bool = True
) -> None:
    from portal.accounts.notify import notify

    if by_staff:
        if not visible or not ticket.get("author"):
            return
        recipients = [(ticket["author"], f"/tickets/{ticket['id']}")]
    else:
        recipients = [(ticket["executor"], f"/staff/tickets/{ticket['id']}")] if ticket.get("executor") else []
    for user_id, link in recipients:
        await notify(
            user_id,
            "ticket_event",
            subject=subject,
            body=body,
            context={"ticket_id": ticket["id"], "number": ticket["number"]},
            dedupe_key=f"ticket:{ticket['id']}:event:{event_id}",
            link=link,
        )


async def _touch(ticket_id: int, now: datetime, *, by_staff: bool, visible: bool, extra: dict | None = None) -> None:
    values: dict[Any, Any] = {Ticket.updated_at: now}
    if by_staff and visible:
        values[Ticket.has_new_for_resident] = True
    elif not by_staff:
        values[Ticket.has_new_for_staff] = True
    for key, value in (extra or {}).items():
        values[getattr(Ticket, key)] = value
    await Ticket.update(values).where(Ticket.id == ticket_id)


async def add_message(
    ticket: dict[str, Any],
    principal: Principal,
    text: str,
    photos: Sequence[StoredFile] = (),
    *,
    by_staff: bool,
    internal: bool = False,
    now: datetime | None = None,
) -> int:
    """A message in the conversation (or an internal note, staff only) with its photos."""
    now = now or utcnow()
    visible = not internal
    kind = "note" if internal else "message"
    async with atomic():
        event_id = await _add_event(
            ticket["id"],
            kind,
            author_id=principal.user_id,
            author_name=principal.name,
            by_staff=by_staff,
            now=now,
            comment=text.strip()[: rules.MAX_MESSAGE],
            visible=visible,
        )
        await _attach(ticket["id"], event_id, principal.user_id, photos, visible, now)
        await _touch(ticket["id"], now, by_staff=by_staff, visible=visible)
        if visible:
            await _notify_other_side(
                ticket,
                event_id,
                by_staff=by_staff,
                subject=gettext("New message on request No. %(number)s", number=ticket["number"]),
                body=text.strip()[:500] or gettext("Photos attached"),
            )
    return event_id


async def change_status(
    ticket: dict[str, Any],
    principal: Principal,
    target: str,
    *,
    by_staff: bool,
    comment: str = "",
    now: datetime | None = None,
    mark_repeated: bool = False,
) -> int | None:
    """Move a request to ``target`` if the status table allows it; one event, the other side told."""
    now = now or utcnow()
    current = ticket["status"]
    if not rules.can_move(current, target):
        return None
    extra: dict[str, Any] = {"status": target}
    if target == Status.DONE:
        extra["completed_at"] = now
    elif target == Status.CLOSED:
        extra["closed_at"] = now
    elif target in (Status.REOPENED, Status.IN_WORK, Status.ACCEPTED) and current in (Status.DONE, Status.CLOSED):
        extra["completed_at"] = None
        extra["closed_at"] = None
    if mark_repeated:
        extra["repeated"] = True
    async with atomic():
        updated = (
            await Ticket.update({getattr(Ticket, k): v for k, v in {**extra, "updated_at": now}.items()})
            .where((Ticket.id == ticket["id"]) & (Ticket.status == current))
            .returning(Ticket.id)
        )
        if not updated:  # someone else moved it first
            return None
        event_id = await _add_event(
            ticket["id"],
            "status",
            author_id=principal.user_id,
            author_name=principal.name,
            by_staff=by_staff,
            now=now,
            from_value=current,
            to_value=target,
            comment=comment.strip()[: rules.MAX_MESSAGE],
            visible=True,
        )
        await _touch(ticket["id"], now, by_staff=by_staff, visible=True)
        await _notify_other_side(
            ticket,
            event_id,
            by_staff=by_staff,
            subject=gettext(
                "Request No. %(number)s: %(status)s",
                number=ticket["number"],
                status=rules.label(rules.STATUS_LABELS, target),
            ),
            body=comment.strip()[:500],
        )
    return event_id


async def rate(
    ticket: dict[str, Any], principal: Principal, rating: int, feedback: str, now: datetime | None = None
) -> int:
    now = now or utcnow()
    async with atomic():
        await Ticket.update(
            {Ticket.rating: rating, Ticket.feedback: feedback.strip()[:2000], Ticket.updated_at: now}
        ).where((Ticket.id == ticket["id"]) & Ticket.rating.is_null())
        event_id = await _add_event(
            ticket["id"],
            "rating",
            author_id=principal.user_id,
            author_name=principal.name,
            by_staff=False,
            now=now,
            to_value=str(rating),
            comment=feedback.strip()[:2000],
            visible=True,
        )
        await _touch(ticket["id"], now, by_staff=False, visible=True)
    return event_id


EDITABLE = ("type", "category", "internal_status", "deadline", "control_date", *rules.FLAGS, "paid_for")


async def update_fields(
    ticket: dict[str, Any], principal: Principal, changes: dict[str, Any], now: datetime | None = None
) -> list[int]:
    """Staff edits of type, category, internal status, deadline, control date and flags: one event per change."""
    now = now or utcnow()
    real = {k: v for k, v in changes.items() if k in EDITABLE and ticket.get(k) != v}
    if not real:
        return []
    event_ids: list[int] = []
    async with atomic():
        await Ticket.update({**{getattr(Ticket, k): v for k, v in real.items()}, Ticket.updated_at: now}).where(
            Ticket.id == ticket["id"]
        )
        for key, value in real.items():
            kind = "flag" if key in (*rules.FLAGS, "paid_for") else key
            event_ids.append(
                await _add_event(
                    ticket["id"],
                    kind,
                    author_id=principal.user_id,
                    author_name=principal.name,
                    by_staff=True,
                    now=now,
                    from_value=_plain(ticket.get(key)) if kind != "flag" else "",
                    to_value=_plain(value) if kind != "flag" else f"{key}={'1' if value else '0'}",
                    visible=key in ("deadline", "category"),
                )
            )
        await audit.record(
            principal, "ticket.update", "ticket", ticket["id"], {k: [ticket.get(k), v] for k, v in real.items()}
        )
    return event_ids


def _plain(value: Any) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return "" if value is None else str(value)


async def assign(
    ticket: dict[str, Any], principal: Principal, executor_id: int | None, now: datetime | None = None
) -> int | None:
    """(Re)assign the executor; the history of executors is the list of these events."""
    now = now or utcnow()
    if ticket.get("executor") == executor_id:
        return None
    name = ""
    if executor_id is not None:
        row = await User.select(User.full_name).where(User.id == executor_id).first()
        name = row["full_name"] if row else ""
    async with atomic():
        await Ticket.update({Ticket.executor: executor_id, Ticket.updated_at: now}).where(Ticket.id == ticket["id"])
        event_id = await _add_event(
            ticket["id"],
            "executor",
            author_id=principal.user_id,
            author_name=principal.name,
            by_staff=True,
            now=now,
            from_value=str(ticket.get("executor") or ""),
            to_value=str(executor_id or ""),
            comment=name,
            visible=False,
        )
        await refresh_search_text([ticket["id"]])
        if executor_id is not None and executor_id != principal.user_id:
            from portal.accounts.notify import notify

            await notify(
                executor_id,
                "ticket_assigned",
                subject=gettext("Request No. %(number)s is assigned to you", number=ticket["number"]),
                body=rules.category_label(ticket["category"]),
                context={"ticket_id": ticket["id"]},
                dedupe_key=f"ticket:{ticket['id']}:event:{event_id}",
                link=f"/staff/tickets/{ticket['id']}",
            )
    return event_id


async def executors() -> list[dict[str, Any]]:
    """Active staff with the executor role, by name (bounded)."""
    return (
        await User.select(User.id, User.full_name)
        .where(
            User.id.is_in(UserRole.select(UserRole.user).where(UserRole.role == "executor")) & User.is_active.eq(True)
        )
        .order_by(User.full_name)
        .limit(500)
    )


async def account_by_number(principal: Principal, number: str) -> dict[str, Any] | None:
    """An account a staff user may work with (call-centre mode)."""
    row = (
        await PersonalAccount.select(
            PersonalAccount.id,
            PersonalAccount.number,
            PersonalAccount.payer_name,
            PersonalAccount.premise.house.as_alias("house_id"),
            PersonalAccount.premise.house.address.as_alias("address"),
            PersonalAccount.premise.number.as_alias("premise_number"),
        )
        .where(PersonalAccount.number == number.strip())
        .first()
    )
    if row is None or not principal.may_see_house(row["house_id"]):
        return None
    return row


# --- the staff list -------------------------------------------------------------------------------------------


def filter_clauses(principal: Principal, f: TicketFilters, now: datetime) -> list[Any] | None:
    """WHERE clauses of the staff list for the caller's scope, the tab and every filter; None = nothing to show."""
    clauses = staff_scope(principal)
    if clauses is None:
        return None
    clauses = list(clauses)
    active = sorted(ACTIVE)
    if f.tab == "active":
        clauses.append(Ticket.status.is_in(active))
    elif f.tab == "unassigned":
        clauses += [Ticket.status.is_in(active), Ticket.executor.is_null()]
    elif f.tab == "overdue":
        clauses += [Ticket.status.is_in(active), Ticket.deadline < now]
    elif f.tab == "mine":
        clauses.append(Ticket.executor == principal.user_id)
    if f.q:
        match = text_match("ticket", "search_text", f.q)
        digits = f.q.strip().lstrip("№#").strip()
        if digits.isdigit():
            number_clause = Ticket.number == int(digits)
            clauses.append(number_clause | match if match is not None else number_clause)
        elif match is not None:
            clauses.append(match)
    for column, low, high in (
        (Ticket.created_at, f.created_from, f.created_to),
        (Ticket.deadline, f.deadline_from, f.deadline_to),
        (Ticket.completed_at, f.completed_from, f.completed_to),
        (Ticket.control_date, f.control_from, f.control_to),
    ):
        if low is not None:
            clauses.append(column >= low)
        if high is not None:
            clauses.append(column <= high)
    if f.types:
        clauses.append(Ticket.type.is_in(f.types))
    if f.statuses:
        clauses.append(Ticket.status.is_in(f.statuses))
    if f.internal_status:
        clauses.append(Ticket.internal_status == f.internal_status)
    if f.executor is not None:
        if f.executor_ever:
            ever = TicketEvent.select(TicketEvent.ticket).where(
                (TicketEvent.kind == "executor") & (TicketEvent.to_value == str(f.executor))
            )
            clauses.append(Ticket.id.is_in(ever))
        else:
            clauses.append(Ticket.executor == f.executor)
    if f.categories:
        clauses.append(Ticket.category.is_in(f.categories))
    if f.house is not None:
        clauses.append(Ticket.house == f.house)
    if f.source:
        clauses.append(Ticket.source == f.source)
    if f.rating_from is not None:
        clauses.append(Ticket.rating >= f.rating_from)
    if f.rating_to is not None:
        clauses.append(Ticket.rating <= f.rating_to)
    if f.outage is not None:
        clauses.append(Ticket.outage == f.outage)
    for flag in f.flags:
        column = Ticket.has_new_for_staff if flag == "new_messages" else getattr(Ticket, flag)
        clauses.append(column.eq(True))
    return clauses


def _ordered(query: Select, sort: str) -> Select:
    key = sort.lstrip("-")
    column = getattr(Ticket, SORT_KEYS.get(key, "created_at"))
    ascending = not sort.startswith("-")
    return query.order_by(column, ascending=ascending).order_by(Ticket.id, ascending=ascending)


async def staff_list(
    principal: Principal, f: TicketFilters, page: PageRequest, now: datetime | None = None
) -> Page[dict]:
    now = now or utcnow()
    clauses = filter_clauses(principal, f, now)
    if clauses is None:
        return Page([], 0, page.number, page.size)
    total = await Ticket.count().where(*clauses) if clauses else await Ticket.count()
    query = Ticket.select(*_list_columns())
    if clauses:
        query = query.where(*clauses)
    rows = await _ordered(query, f.sort).limit(page.size).offset(page.offset)
    return Page(rows, total, page.number, page.size)


EXPORT_LIMIT = 100_000
EXPORT_BATCH = 1000


async def export_rows(principal: Principal, f: TicketFilters, now: datetime | None = None) -> AsyncIterator[dict]:
    """Every filtered row, in batches (an async generator), at most EXPORT_LIMIT."""
    now = now or utcnow()
    clauses = filter_clauses(principal, f, now)
    if clauses is None:
        return
    offset = 0
    while offset < EXPORT_LIMIT:
        query = Ticket.select(*_list_columns())
        if clauses:
            query = query.where(*clauses)
        rows = await _ordered(query, f.sort).limit(EXPORT_BATCH).offset(offset)
        for row in rows:
            yield row
        if len(rows) < EXPORT_BATCH:
            return
        offset += EXPORT_BATCH


async def tab_counts(principal: Principal, now: datetime | None = None) -> dict[str, int]:
    """Counts of the active tabs (new requests without executor, overdue), for the badges."""
    now = now or utcnow()
    counts: dict[str, int] = {}
    for tab in ("unassigned", "overdue"):
        clauses = filter_clauses(principal, TicketFilters(tab=tab), now)
        counts[tab] = 0 if clauses is None else await Ticket.count().where(*clauses)
    return counts


async def houses_for(principal: Principal) -> list[dict[str, Any]]:
    query = House.select(House.id, House.address).order_by(House.address).limit(500)
    if principal.house_ids is not None:
        if not principal.house_ids:
            return []
        query = query.where(House.id.is_in(sorted(principal.house_ids)))
    return await query


async def saved_columns(user_id: int) -> str | None:
    row = await TicketListColumns.select(TicketListColumns.columns).where(TicketListColumns.user == user_id).first()
    return row["columns"] if row else None


async def save_columns(user_id: int, columns: Sequence[str]) -> None:
    value = ",".join(columns)[:500]
    async with atomic():
        if await TicketListColumns.exists().where(TicketListColumns.user == user_id):
            await TicketListColumns.update({TicketListColumns.columns: value}).where(TicketListColumns.user == user_id)
        else:
            await TicketListColumns.insert(TicketListColumns(user=user_id, columns=value))


# --- outages --------------------------------------------------------------------------------------------------


async def create_outage(
    principal: Principal,
    *,
    house_id: int,
    service: str,
    description: str,
    starts_at: datetime,
    ends_at: datetime | None,
    entrance_id: int | None = None,
    riser_id: int | None = None,
) -> int:
    async with atomic():
        outage = Outage(
            house=house_id,
            entrance=entrance_id,
            riser=riser_id,
            service=service,
            description=description.strip()[:2000],
            starts_at=starts_at,
            ends_at=ends_at,
            created_by=principal.user_id,
        )
        await outage.save()
        await audit.record(principal, "outage.create", "outage", outage.id, {"house": house_id, "service": service})
        # The residents it reaches hear of it at once: an emergency notice (portal.content) in this transaction.
        await announce_outage(int(outage.id), rules.OUTAGE_LABELS.get(service, service), principal)
    return int(outage.id)


async def staff_outages(principal: Principal, *, open_only: bool = True) -> list[dict[str, Any]]:
    where: Any = Outage.closed_at.is_null() if open_only else Outage.id > 0
    if principal.house_ids is not None:
        if not principal.house_ids:
            return []
        where = where & Outage.house.is_in(sorted(principal.house_ids))
    rows = await _outage_rows(where, limit=100)
    if rows:
        counts = await Ticket.select(Ticket.outage).where(Ticket.outage.is_in([r["id"] for r in rows]))
        tally: dict[int, int] = {}
        for c in counts:
            tally[c["outage"]] = tally.get(c["outage"], 0) + 1
        for r in rows:
            r["tickets"] = tally.get(r["id"], 0)
    return rows


async def outage_for_staff(principal: Principal, outage_id: int) -> dict[str, Any] | None:
    rows = await _outage_rows(Outage.id == outage_id, limit=1)
    if not rows or not principal.may_see_house(rows[0]["house"]):
        return None
    return rows[0]


async def link_outage(
    ticket: dict[str, Any], principal: Principal, outage_id: int | None, now: datetime | None = None
) -> None:
    now = now or utcnow()
    async with atomic():
        await Ticket.update({Ticket.outage: outage_id, Ticket.updated_at: now}).where(Ticket.id == ticket["id"])
        await _add_event(
            ticket["id"],
            "outage",
            author_id=principal.user_id,
            author_name=principal.name,
            by_staff=True,
            now=now,
            from_value=str(ticket.get("outage") or ""),
            to_value=str(outage_id or ""),
            visible=False,
        )


async def close_outage(principal: Principal, outage_id: int, message: str, now: datetime | None = None) -> int:
    """End an outage and complete every active request linked to it, telling each resident; returns how many."""
    now = now or utcnow()
    async with atomic():
        await Outage.update({Outage.closed_at: now, Outage.updated_at: now}).where(
            (Outage.id == outage_id) & Outage.closed_at.is_null()
        )
        await end_outage(outage_id, now)
        linked = await Ticket.select(
            Ticket.id, Ticket.number, Ticket.status, Ticket.author, Ticket.executor, Ticket.category
        ).where((Ticket.outage == outage_id) & Ticket.status.is_in(sorted(ACTIVE)))
        done = 0
        for ticket in linked:
            if await change_status(ticket, principal, Status.DONE, by_staff=True, comment=message, now=now):
                done += 1
        await audit.record(principal, "outage.close", "outage", outage_id, {"tickets_done": done})
    return done


# --- home section ---------------------------------------------------------------------------------------------


async def home_section(principal: Principal) -> dict[str, Any] | None:
    scope = _resident_scope(principal)
    if scope is None:
        return None
    where = scope & Ticket.status.is_in(sorted(ACTIVE | {Status.DONE}))
    total = await Ticket.count().where(where)
    if not total:
        return None
    rows = await Ticket.select(*_list_columns()).where(where).order_by(Ticket.created_at, ascending=False).limit(3)
    return {"tickets": rows, "total": total, "now": utcnow()}
