"""Changes of requests: one function per intent. Each checks its rule (raising ``Refused`` with words for the person
who asked) and then, in one transaction, writes the request, its history event (``TicketEvent``), the audit event
of a staff write and the notifications (outbox rows) in each recipient's own language.

``open_ticket(...)`` is how any domain creates a request.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from decimal import Decimal
from functools import partial
from typing import Any
from typing import Literal
from zoneinfo import ZoneInfo

from portal.accounts.actions import hand_over
from portal.accounts.notify import notify
from portal.accounts.queries import Person
from portal.accounts.queries import people_of_account
from portal.accounts.queries import staff_of_house
from portal.billing import ledger
from portal.billing import outage_reductions
from portal.billing.outage_reductions import OutageFacts
from portal.content.actions import announce_outage
from portal.content.actions import end_outage
from portal.content.rules import name_outage_services
from portal.core import audit
from portal.core import clock
from portal.core import jobs
from portal.core import limits
from portal.core import orphans
from portal.core import outbox
from portal.core import stale
from portal.core import storage
from portal.core.address import full_address
from portal.core.address import premise_name
from portal.core.db import atomic
from portal.core.db import unique_violations
from portal.core.i18n import format_day
from portal.core.i18n import format_moment
from portal.core.i18n import format_money
from portal.core.i18n import format_number
from portal.core.i18n import format_phone
from portal.core.i18n import gettext
from portal.core.i18n import in_locale
from portal.core.i18n import in_russian_and_english
from portal.core.i18n import lazy
from portal.core.i18n import ngettext
from portal.core.rating import MAX_FEEDBACK
from portal.core.security import Principal
from portal.core.security import ResidentRole
from portal.core.stale import Stale
from portal.core.storage import StoredFile
from portal.core.typography import sentence
from portal.core.values import placeholders
from portal.core.web import FormErrors
from portal.core.web import Refused
from portal.housing import rules as housing_rules
from portal.housing.actions import Invalid
from portal.housing.actions import save_account
from portal.housing.actions import save_owner
from portal.housing.actions import save_ownership
from portal.housing.queries import account_number_taken
from portal.housing.rules import share_text
from portal.housing.tables import PersonalAccount
from portal.meetings.actions import link_new_owner
from portal.meters import words as meter_words
from portal.meters.actions import move_to_account
from portal.settings import get_settings
from portal.tickets import deadlines
from portal.tickets import forms
from portal.tickets import messages
from portal.tickets import queries
from portal.tickets import rules
from portal.tickets.queries import AccountRef
from portal.tickets.queries import OutageRow
from portal.tickets.queries import TicketDetail
from portal.tickets.rules import Actor
from portal.tickets.rules import EventKind
from portal.tickets.rules import Refusal
from portal.tickets.rules import Status
from portal.tickets.tables import HandoverApplication
from portal.tickets.tables import LiftBooking
from portal.tickets.tables import MeterApplication
from portal.tickets.tables import Outage
from portal.tickets.tables import Ticket
from portal.tickets.tables import TicketAttachment
from portal.tickets.tables import TicketCounter
from portal.tickets.tables import TicketEvent
from portal.tickets.tables import TicketListColumns
from portal.tickets.tables import TicketSavedView


@dataclass(frozen=True)
class OpenedTicket:
    id: int
    number: int
    deadline: datetime | None
    repeated: bool
    emergency: bool


# --- pieces every action shares ---------------------------------------------------------------------------------


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


async def _event(
    ticket_id: int,
    kind: EventKind,
    now: datetime,
    *,
    author_id: int | None,
    author_name: str,
    by_staff: bool,
    from_value: str = "",
    to_value: str = "",
    comment: str = "",
    comment_en: str = "",
    visible: bool = False,
) -> int:
    """One entry of the request's history (``comment_en``: the comment in English, where the portal worded it)."""
    event = TicketEvent(
        ticket=ticket_id,
        kind=kind,
        from_value=str(from_value)[:64],
        to_value=str(to_value)[:64],
        comment=comment,
        comment_en=comment_en,
        visible_to_resident=visible,
        author=author_id,
        author_name=author_name[:255],
        by_staff=by_staff,
        created_at=now,
    )
    await event.save()
    return int(event.id)


async def _by(principal: Principal, ticket_id: int, kind: EventKind, now: datetime, **values: Any) -> int:
    """An event written by the caller (staff when they have a staff role and act on the staff side)."""
    by_staff = values.pop("by_staff", principal.is_staff)
    return await _event(
        ticket_id, kind, now, author_id=principal.user_id, author_name=principal.name, by_staff=by_staff, **values
    )


async def _attach(
    ticket_id: int, event_id: int, author_id: int | None, photos: Sequence[StoredFile], visible: bool, now: datetime
) -> None:
    if photos:
        await TicketAttachment.insert(
            *[
                TicketAttachment(
                    ticket=ticket_id,
                    event=event_id,
                    author=author_id,
                    visible_to_resident=visible,
                    created_at=now,
                    **p.columns(),
                )
                for p in photos
            ]
        )


async def _touch(ticket_id: int, now: datetime, *, by_staff: bool, visible: bool, values: dict | None = None) -> None:
    """Write ``values`` and mark the request as having news for the other side."""
    changes: dict[Any, Any] = {Ticket.updated_at: now}
    if by_staff and visible:
        changes[Ticket.has_new_for_resident] = True
    elif not by_staff:
        changes[Ticket.has_new_for_staff] = True
    for key, value in (values or {}).items():
        changes[getattr(Ticket, key)] = value
    await Ticket.update(changes).where(Ticket.id == ticket_id)


async def _news(
    principal: Principal,
    ticket_id: int,
    kind: EventKind,
    now: datetime,
    *,
    by_staff: bool,
    searched: bool = True,
    **values: Any,
) -> int:
    """An event the other side is to notice (unless it is not ``visible`` to the resident): written, and the request
    marked as having news for that side. Words said in it (a message, a note, a status move's or a rating's comment)
    are searched from now on: the search text is rebuilt in the same transaction (``searched=False``: the caller
    rebuilds it for many requests at once)."""
    visible = values.setdefault("visible", True)
    event_id = await _by(principal, ticket_id, kind, now, by_staff=by_staff, **values)
    await _touch(ticket_id, now, by_staff=by_staff, visible=visible)
    if searched and kind in rules.SEARCHED_KINDS and (values.get("comment") or values.get("comment_en")):
        await refresh_search_text([ticket_id])
    return event_id


async def _write_while(ticket_id: int, still: Any, values: dict[Any, Any], refusal: str) -> None:
    """Write ``values`` to the request only while ``still`` holds; when someone else has changed it first, refused
    with ``refusal``."""
    written = await Ticket.update(values).where((Ticket.id == ticket_id) & still).returning(Ticket.id)
    if not written:
        raise Refused(refusal)


# Requests rebuilt per statement: the update takes three parameters a request, under the 999 of an older SQLite.
SEARCH_CHUNK = 300


async def refresh_search_text(ticket_ids: Sequence[int]) -> None:
    """Rebuild the search text of requests (``rules.search_text``): number, address, account, owner, contact,
    executor, description in Russian and English, and the words of the history. A few statements per
    ``SEARCH_CHUNK`` requests, whatever their number.

    The premise is written as dispatchers type it («кв. 12»), whatever the language of the page that wrote it."""
    ids = sorted(set(ticket_ids))
    with in_locale("ru"):
        for start in range(0, len(ids), SEARCH_CHUNK):
            chunk = ids[start : start + SEARCH_CHUNK]
            history = await queries.searched_history(chunk)
            texts = {
                ticket.id: rules.search_text(
                    [
                        str(ticket.number),
                        ticket.house_address or "",
                        premise_name(ticket.premise_kind, ticket.premise_number),
                        ticket.account_number or "",
                        ticket.owner_name or "",
                        ticket.contact_name or "",
                        ticket.contact_phone or "",
                        ticket.executor_name or "",
                    ],
                    ticket.description or "",
                    ticket.description_en or "",
                    history.get(ticket.id, ()),
                )
                for ticket in await queries.searched_tickets(chunk)
            }
            await _write_search(texts)


async def _write_search(texts: Mapping[int, str]) -> None:
    """Set the search text of these requests in one statement (on both engines)."""
    if not texts:
        return
    items = sorted(texts.items())
    cases = " ".join("WHEN {} THEN {}" for _ in items)
    await Ticket.raw(
        f"UPDATE ticket SET search_text = CASE id {cases} END WHERE id IN ({placeholders(items)})",  # noqa: S608
        *[v for pair in items for v in pair],
        *[i for i, _text in items],
    )


async def rebuild_search_texts() -> int:
    """Rebuild the search text of every request, ``SEARCH_CHUNK`` requests at a time in the order of their ids
    (a migration, after what the search text holds has changed); returns how many."""
    last, done = 0, 0
    while rows := await Ticket.select(Ticket.id).where(Ticket.id > last).order_by(Ticket.id).limit(SEARCH_CHUNK):
        ids = [r["id"] for r in rows]
        await refresh_search_text(ids)
        last, done = ids[-1], done + len(ids)
    return done


async def _tell(
    user_id: int | None,
    template: str,
    ticket: queries.TicketRow,
    event_id: int,
    link: str,
    now: datetime,
    **context: Any,
) -> None:
    """Notify one user about a request through a message template of ``tickets.messages``: ``accounts.notify``
    renders it in the user's own language, whoever caused it; its rows carry the action's moment ``now``."""
    if user_id is None:
        return
    await notify(
        user_id,
        template,
        context={"ticket_id": ticket.id, "number": ticket.number, **context},
        dedupe_key=f"ticket:{ticket.id}:event:{event_id}",
        link=link,
        now=now,
    )


async def _tell_other_side(
    ticket: TicketDetail,
    event_id: int,
    template: str,
    now: datetime,
    *,
    by_staff: bool,
    visible: bool = True,
    **context: Any,
) -> None:
    """Staff wrote or changed something the resident sees: tell the resident who filed it; a resident did: tell
    the executor."""
    if by_staff:
        if visible:
            await _tell(ticket.author, template, ticket, event_id, f"/tickets/{ticket.id}", now, **context)
        return
    await _tell(ticket.executor, template, ticket, event_id, f"/staff/tickets/{ticket.id}", now, **context)


# --- opening a request ----------------------------------------------------------------------------------------


async def open_ticket(
    *,
    category: str,
    description: str,
    description_en: str = "",
    account_id: int | None = None,
    house_id: int | None = None,
    premise_id: int | None = None,
    entrance_id: int | None = None,
    place: str = rules.Place.PREMISE,
    ticket_type: str | None = None,
    source: str = rules.Source.PORTAL,
    author_id: int | None = None,
    author_name: str = "",
    created_by: int | None = None,
    contact_name: str = "",
    contact_phone: str = "",
    contact_email: str = "",
    photos: Sequence[StoredFile] = (),
    deadline: datetime | None = None,
    control_date: date | None = None,
    paid_for: bool = False,
    damage_at: datetime | None = None,
    defect_kind: str = "",
    now: datetime,
    by_staff: bool = False,
) -> OpenedTicket:
    """Register a request: number, legal deadline, flags (emergency, repeated), the first event and its photos.

    Give ``account_id`` (its premise, house and entrance are taken from it) or ``house_id`` for a request about
    common property with no account. ``place`` is "premise" or one of the common places. Any domain creates
    requests through this function (paid-service orders, meter problems, calls), never by inserting rows.
    ``paid_for`` opens a paid request already flagged «оплачено» (its payment arrived before it was opened);
    ``control_date`` is the date agreed with the resident (a paid service's preferred day); ``damage_at`` when the
    damage happened, where the caller says it (the repair of an emergency's damage is due 3 days from it);
    ``defect_kind`` what is defective, for a defect of a new house (its warranty term).
    ``description_en``: the same text in English, where the portal words it (a paid-service order's request is
    read by Russian dispatchers and by a resident who reads English); a person's own words have none.
    """
    if category not in rules.CATEGORY_BY_CODE:
        raise ValueError(f"unknown category {category!r}")
    if place not in rules.PLACE_LABELS:
        raise ValueError(f"unknown place {place!r}")
    ticket_type = ticket_type or rules.CATEGORY_BY_CODE[category].type
    owner_name = ""
    if account_id is not None:
        account = await queries.account_ref(account_id)
        if account is None:
            raise ValueError("unknown account")
        house_id = account.house_id
        entrance_id = entrance_id or account.entrance_id
        premise_id = account.premise_id if place == rules.Place.PREMISE else premise_id or account.premise_id
        owner_name = account.payer_name or ""
    if house_id is None:
        raise ValueError("a request needs an account or a house")
    tz = get_settings().time_zone
    due = deadline or deadlines.deadline_for(category, now, tz, ticket_type=ticket_type, damage_at=damage_at)
    flags = rules.flags_for_new(category, ticket_type)
    subject = rules.Subject(premise_id, house_id, place, entrance_id)
    async with atomic():
        repeated = rules.is_repeated(subject, category, now, await queries.recent_on_subject(subject, category, now))
        ticket = Ticket(
            number=await _next_number(),
            account=account_id,
            **subject.columns,
            type=ticket_type,
            category=category,
            description=description.strip()[: rules.MAX_DESCRIPTION],
            description_en=description_en.strip()[: rules.MAX_DESCRIPTION],
            status=Status.NEW,
            source=source,
            repeated=repeated,
            created_at=now,
            updated_at=now,
            deadline=due,
            damage_at=damage_at if damage_at is not None and damage_at <= now else None,
            control_date=control_date,
            paid_for=paid_for,
            defect_kind=defect_kind,
            author=author_id,
            created_by=created_by,
            contact_name=contact_name[:255],
            contact_phone=contact_phone[:32],
            contact_email=contact_email[:254],
            owner_name=owner_name[:255],
            has_new_for_staff=not by_staff,
            **flags,
        )
        await ticket.save()
        event_id = await _event(
            ticket.id,
            EventKind.CREATED,
            now,
            author_id=created_by if by_staff else author_id,
            author_name=author_name,
            by_staff=by_staff,
            to_value=Status.NEW,
            comment=ticket.description,
            comment_en=ticket.description_en,
            visible=True,
        )
        await _attach(ticket.id, event_id, author_id, photos, True, now)
        await refresh_search_text([ticket.id])
        if flags["emergency"]:
            context = {"ticket_id": ticket.id, "number": ticket.number, "category": category}
            await _tell_dispatchers(house_id, messages.EMERGENCY.name, context, event_id, now)
    return OpenedTicket(ticket.id, ticket.number, due, repeated, flags["emergency"])


async def _tell_dispatchers(
    house_id: int, template: str, context: dict[str, Any], event_id: int, now: datetime
) -> None:
    """The dispatchers of the house are told at once (in-app and e-mail through the outbox): an emergency, a request
    handed back by its executor."""
    ticket_id = context["ticket_id"]
    for user_id in await staff_of_house(house_id, ["dispatcher"]):
        await notify(
            user_id,
            template,
            context=context,
            dedupe_key=f"ticket:{ticket_id}:event:{event_id}",
            link=f"/staff/tickets/{ticket_id}",
            now=now,
        )


async def file_by_resident(
    principal: Principal, draft: forms.NewTicket, photos: Sequence[StoredFile], now: datetime, *, ip: str = ""
) -> OpenedTicket:
    """A resident files a request about one of their premises (the form has checked the account is theirs)."""
    return await _filed(
        principal,
        ip,
        account_id=draft.account_id,
        place=draft.place,
        category=draft.category,
        description=draft.description,
        photos=photos,
        now=now,
    )


async def apply_for_absence_recalculation(
    principal: Principal,
    application: forms.AbsenceApplication,
    photos: Sequence[StoredFile],
    now: datetime,
    *,
    ip: str = "",
) -> OpenedTicket:
    """A resident applies for the recalculation of a temporary absence (ПП № 354 разд. VIII): a request of its own
    category, worded by the portal in Russian and English, due in 5 working days, with the documents as photos."""
    text = partial(_absence_text, application)
    return await _worded(principal, application.account_id, "absence_recalculation", text, photos, now, ip)


async def report_warranty_defect(
    principal: Principal,
    defect: forms.WarrantyDefect,
    photos: Sequence[StoredFile],
    now: datetime,
    *,
    ip: str = "",
) -> OpenedTicket:
    """A resident reports a defect of their new house: a request worded by the portal in Russian and English, of the
    type the warranty gives it on the day (``rules.defect_ticket_type``: past the warranty an ordinary request, and
    it says so), at the flat or the common place it is of, with the photos; the dispatcher forwards it to the
    developer (``forward_to_developer``)."""
    account = await queries.account_ref(defect.account_id)
    if account is None:
        raise ValueError("unknown account")
    house = (await queries.house_warranties([account.house_id]))[account.house_id]
    today = clock.local(now).date()
    ticket_type = rules.defect_ticket_type(defect.kind, house.commissioned_on, today)
    text = partial(_warranty_text, defect, house.commissioned_on, today)
    place = rules.defect_place(defect.where, defect.kind)
    return await _worded(
        principal,
        defect.account_id,
        "warranty_defect",
        text,
        photos,
        now,
        ip,
        place=place,
        ticket_type=ticket_type,
        defect_kind=defect.kind,
    )


def _warranty_text(defect: forms.WarrantyDefect, commissioned_on: date | None, today: date) -> str:
    """What the dispatcher (and the developer, in the letter) reads: what is defective and where, since when, the
    warranty as it stands, the owner's consent, and the resident's own words."""
    group = rules.DEFECT_KINDS[defect.kind]
    parts = [
        gettext(
            "Defect of a new house: %(group)s, %(kind)s.",
            group=rules.DEFECT_GROUP_LABELS(group),
            kind=rules.DEFECT_LABELS(defect.kind),
        ),
        gettext("Where: %(where)s.", where=rules.DEFECT_WHERE_LABELS(defect.where)),
        gettext("Noticed on %(day)s.", day=format_day(defect.noticed_on, "short")),
    ]
    if commissioned_on is None:
        parts.append(gettext("The house's commissioning date is not on record: the dispatcher checks the warranty."))
    else:
        in_warranty, ends_on = rules.warranty_state(defect.kind, commissioned_on, today)
        day = format_day(ends_on, "short")
        if in_warranty:
            parts.append(gettext("Under the developer's warranty until %(day)s.", day=day))
        else:
            parts.append(gettext("The developer's warranty ended on %(day)s: filed as an ordinary request.", day=day))
    if defect.consent:
        parts.append(gettext("The owner agrees that the company forwards the claim to the developer on their behalf."))
    parts.append(gettext("Description: %(text)s", text=defect.description))
    return "\n".join(parts)


def forward_problem(ticket: TicketDetail, house: queries.HouseWarranty | None) -> str | None:
    """Why a request cannot go to the developer now (None: it can): a defect of a new house only, once, and only to
    a claims e-mail the house's card gives. Said on the button's place and by the action."""
    if ticket.category != "warranty_defect":
        return gettext("Only a defect of a new house is forwarded to the developer.")
    if ticket.developer_sent_at is not None:
        return gettext(
            "The claim was forwarded to the developer on %(day)s.", day=format_day(ticket.developer_sent_at, "short")
        )
    if ended := warranty_ended(ticket, house):
        return gettext("The developer's warranty ended on %(day)s.", day=format_day(ended, "short"))
    if house is None or not house.developer_email:
        return gettext("The house's card has no developer's e-mail for warranty claims: add it there first.")
    return None


def warranty_ended(ticket: TicketDetail, house: queries.HouseWarranty | None) -> date | None:
    """The day the warranty of a defect filed past it ended (``rules.warranty_ended_on``), by its stored kind."""
    filed_on = clock.local(ticket.created_at).date()
    return rules.warranty_ended_on(ticket.type, ticket.defect_kind, house.commissioned_on if house else None, filed_on)


async def forward_to_developer(principal: Principal, ticket: TicketDetail, now: datetime, *, ip: str = "") -> int:
    """The dispatcher forwards a defect's claim to the house's developer: a letter in Russian to its claims e-mail
    through the outbox, with the address, the description, the dates and the request's photos attached; the request
    records it in its history (a message the resident reads in their language and is told of), waits for the
    developer (its internal status) and keeps the moment it was sent. Once: a second press is told when it went."""
    house = (await queries.house_warranties([ticket.house])).get(ticket.house)
    if problem := forward_problem(ticket, house):
        raise Refused(problem)
    assert house is not None
    photos = await queries.photos_to_forward(ticket.id)
    with in_locale("ru"):
        subject, body = _claim_letter(ticket, house, len(photos), now)
    day = format_day(now, "short")

    def said() -> str:
        return gettext(
            "The claim is forwarded to the developer %(developer)s on %(day)s. We will tell you its answer here.",
            developer=house.developer_name or house.developer_email,
            day=day,
        )

    russian, english = in_russian_and_english(said)
    developer = rules.InternalStatus.DEVELOPER
    async with atomic():
        sent = {Ticket.developer_sent_at: now, Ticket.internal_status: developer, Ticket.updated_at: now}
        await _write_while(ticket.id, Ticket.developer_sent_at.is_null(), sent, _already_forwarded())
        if ticket.internal_status != developer:
            await _by(principal, ticket.id, EventKind.INTERNAL_STATUS, now, from_value=ticket.internal_status,
                      to_value=developer)  # fmt: skip
        event_id = await _news(principal, ticket.id, EventKind.MESSAGE, now, by_staff=True, comment=russian,
                               comment_en=english)  # fmt: skip
        attachments = [
            {
                "key": p.key,
                "type": p.content_type,
                "name": f"photo-{n}{'.pdf' if p.content_type.endswith('pdf') else '.jpg'}",
            }
            for n, p in enumerate(photos, 1)
        ]
        await outbox.enqueue(
            "email",
            house.developer_email,
            "tickets/developer_claim",
            {"ticket": ticket.id, "locale": "ru", "attachments": attachments},
            f"ticket:{ticket.id}:developer_claim",
            subject=subject,
            body=body,
            ref=f"ticket:{ticket.id}",
            now=now,
        )
        changes = {"developer_email": house.developer_email, "photos": len(photos), "event": event_id}
        await audit.record(principal, "ticket.forward", "ticket", ticket.id, changes, ip, now=now)
        await _tell_other_side(ticket, event_id, messages.REPLY.name, now, by_staff=True, text=russian,
                               text_en=english)  # fmt: skip
    return event_id


def _already_forwarded() -> str:
    return gettext("This request has been forwarded to the developer already.")


def _claim_letter(ticket: TicketDetail, house: queries.HouseWarranty, photos: int, now: datetime) -> tuple[str, str]:
    """The developer's letter (its subject and text), in the caller's language (Russian: ``in_locale``): whose
    claim, about what and where, since when, under which warranty, and whom to answer."""
    settings = get_settings()
    in_flat = ticket.place == rules.Place.PREMISE
    where = (
        full_address(ticket.house_address, ticket.premise_kind, ticket.premise_number)
        if in_flat
        else (ticket.house_address or "")
    )
    subject = gettext("Warranty claim: %(address)s (request No. %(number)s)", address=where, number=ticket.number)
    commissioned = format_day(house.commissioned_on, "short") if house.commissioned_on else "—"
    whose = (
        gettext(
            "The claim is the owner's, %(owner)s, about their flat at %(address)s; the management company forwards it "
            "on their behalf with their consent.",
            owner=ticket.author_name or ticket.owner_name or "—",
            address=where,
        )
        if in_flat
        else gettext(
            "The defect is of the common property of the house at %(address)s; the management company claims it as "
            "the house's manager.",
            address=where,
        )
    )
    parts = [
        gettext("To %(developer)s", developer=house.developer_name or house.developer_email),
        gettext(
            "%(company)s forwards a claim about a defect of the house commissioned on %(day)s, under the developer's "
            "warranty (Federal Law No. 214-FZ, article 7).",
            company=settings.company_name,
            day=commissioned,
        ),
        whose,
        ticket.description,
        gettext(
            "Filed with the management company on %(day)s as request No. %(number)s.",
            day=format_day(ticket.created_at, "short"),
            number=ticket.number,
        ),
        ngettext("%(num)s photo of the defect is attached.", "%(num)s photos of the defect are attached.", photos)
        if photos
        else gettext("No photos were taken."),
        gettext(
            "Please answer to %(email)s or %(phone)s, quoting request No. %(number)s.",
            email=settings.office_email,
            phone=settings.office_phone,
            number=ticket.number,
        ),
        "\n".join([settings.company_name, settings.office_address, format_day(now, "short")]),
    ]
    return subject, "\n\n".join(parts)


def _not_waiting() -> str:
    return gettext("This request is not waiting for the developer's answer: look at its status and history.")


async def record_developer_answer(
    principal: Principal, ticket: TicketDetail, answer: forms.DeveloperAnswerForm, now: datetime, *, ip: str = ""
) -> int:
    """The dispatcher records the developer's answer to a forwarded claim; the history says it and the resident is
    told in their language. Accepted: the request waits until the promised day, its deadline. Refused: back to the
    dispatcher (no longer waiting for the developer) with the reason, the resident told that the owner may claim it
    themselves and how. Fixed: done, the resident asked to confirm as for any done request. Written only while the
    request still waits for the developer (a second answer after a refusal or the fix is told the state)."""
    if not rules.may_record_developer_answer(ticket.status, ticket.internal_status, answer.answer):
        raise Refused(_not_waiting())
    house = (await queries.house_warranties([ticket.house])).get(ticket.house)
    developer = (house.developer_name or house.developer_email) if house else ""
    said = _developer_said(answer, developer, house.developer_email if house else "")
    russian, english = in_russian_and_english(said)
    waiting = (Ticket.internal_status == rules.InternalStatus.DEVELOPER) & (Ticket.status == ticket.status)
    noted: dict[str, Any] = {"answer": answer.answer}
    async with atomic():
        answered: dict[Any, Any] = {Ticket.developer_answer: answer.answer, Ticket.developer_answered_at: now,
                                    Ticket.developer_reason: answer.reason.strip()}  # fmt: skip
        if answer.answer != rules.DeveloperAnswer.FIXED:  # a fix keeps the day promised: the promise it kept
            answered[Ticket.developer_promised_on] = answer.until
        if answer.answer == rules.DeveloperAnswer.FIXED:
            fixed = {**answered, Ticket.internal_status: rules.InternalStatus.NONE}
            await _write_while(ticket.id, waiting, fixed, _not_waiting())
            await _by(principal, ticket.id, EventKind.INTERNAL_STATUS, now, by_staff=True,
                      from_value=ticket.internal_status, to_value=rules.InternalStatus.NONE)  # fmt: skip
            return await _move(principal, ticket, Status.DONE, Actor.STAFF, russian, now, english,
                               audited="ticket.developer_answer", ip=ip, noted=noted)  # fmt: skip
        values: dict[Any, Any] = {**answered, Ticket.updated_at: now}
        if answer.answer == rules.DeveloperAnswer.ACCEPTED:
            assert answer.until is not None
            deadline = rules.developer_deadline(answer.until, get_settings().time_zone)
            values[Ticket.deadline] = deadline
            noted["deadline"] = [_plain(ticket.deadline), _plain(deadline)]
        else:  # back to the company, whose term is counted anew from the refusal (its own passed while waiting)
            values[Ticket.internal_status] = rules.InternalStatus.NONE
            values[Ticket.deadline] = rules.restarted_deadline(ticket, now, get_settings().time_zone)
            noted["internal_status"] = [ticket.internal_status, rules.InternalStatus.NONE]
            noted["deadline"] = [_plain(ticket.deadline), _plain(values[Ticket.deadline])]
        await _write_while(ticket.id, waiting, values, _not_waiting())
        await _by(principal, ticket.id, EventKind.DEADLINE, now, by_staff=True, visible=True,
                  from_value=_plain(ticket.deadline), to_value=_plain(values[Ticket.deadline]))  # fmt: skip
        if answer.answer != rules.DeveloperAnswer.ACCEPTED:
            await _by(principal, ticket.id, EventKind.INTERNAL_STATUS, now, by_staff=True,
                      from_value=ticket.internal_status, to_value=rules.InternalStatus.NONE)  # fmt: skip
        event_id = await _news(principal, ticket.id, EventKind.MESSAGE, now, by_staff=True, comment=russian,
                               comment_en=english)  # fmt: skip
        await audit.record(principal, "ticket.developer_answer", "ticket", ticket.id, {**noted, "event": event_id},
                           ip, now=now)  # fmt: skip
        await _tell_other_side(ticket, event_id, messages.REPLY.name, now, by_staff=True, text=russian,
                               text_en=english)  # fmt: skip
    return event_id


def owner_may_claim(developer: str, email: str) -> str:
    """What the owner may do after the developer refused a defect's claim: the history's message of the refusal
    says it, and the resident's page of the request while it is open."""
    return gettext(
        "The owner may claim the defect from the developer themselves: a written claim to "
        "%(developer)s (%(email)s) within the warranty term, keeping a copy with the day it was "
        "received; if the developer refuses again or does not answer, the claim may go to court "
        "(Federal Law No. 214-FZ, article 7). The dispatcher will tell you what the company does "
        "meanwhile.",
        developer=developer,
        email=email or "—",
    )


def _developer_said(answer: forms.DeveloperAnswerForm, developer: str, email: str) -> Callable[[], str]:
    """What the history says of the developer's answer, made in each reader's language (``in_russian_and_english``):
    the promised day, the refusal with how the owner may claim it themselves, or the fix to confirm."""

    def said() -> str:
        if answer.answer == rules.DeveloperAnswer.ACCEPTED:
            assert answer.until is not None
            return gettext(
                "The developer %(developer)s accepted the claim and will fix the defect by %(day)s.",
                developer=developer,
                day=format_day(answer.until, "short"),
            )
        if answer.answer == rules.DeveloperAnswer.REFUSED:
            return " ".join(
                [
                    gettext(
                        "The developer %(developer)s refused the claim: %(reason)s",
                        developer=developer,
                        reason=sentence(answer.reason),
                    ),
                    owner_may_claim(developer, email),
                ]
            )
        return gettext(
            "The developer %(developer)s reports the defect fixed. Please confirm that it is, or return the request.",
            developer=developer,
        )

    return said


async def report_residents_change(
    principal: Principal,
    change: forms.ResidentsChange,
    photos: Sequence[StoredFile],
    now: datetime,
    *,
    ip: str = "",
) -> OpenedTicket:
    """A resident tells of people who moved in or out (ПП № 354 п. 34 «з»): a request of its own category, worded by
    the portal in Russian and English, answered within 10 working days, with the documents as photos. The names
    are passed with the resident's word that those people agreed (``forms.read_residents_change``)."""
    return await _worded(
        principal, change.account_id, "residents_change", partial(_residents_text, change), photos, now, ip
    )


async def apply_for_instalment(
    principal: Principal,
    application: forms.InstalmentApplication,
    photos: Sequence[StoredFile],
    now: datetime,
    *,
    ip: str = "",
) -> OpenedTicket:
    """A resident asks to pay an account's debt in equal monthly parts: a request the accountant answers within 10
    working days, saying the debt as it stood and the monthly payment it comes to. ``photos``: none (the form takes
    no files)."""
    text = partial(_instalment_text, application)
    return await _worded(principal, application.account_id, "instalment_plan", text, (), now, ip)


async def apply_for_meter_commissioning(
    principal: Principal,
    application: forms.MeterCommissioning,
    passport: Sequence[StoredFile],
    now: datetime,
    *,
    ip: str = "",
) -> OpenedTicket:
    """A resident who installed or replaced a water meter applies for its commissioning (ПП № 354 п. 81): a request
    of its own category, worded by the portal in Russian and English, with the passport attached, due within the
    company's term (``settings.meter_commissioning_days``), and what was typed kept (``MeterApplication``) for the
    meter's card staff make when the work is done."""
    a = application
    async with atomic():
        text = partial(_commissioning_text, a)
        opened = await _worded(principal, a.account_id, "meter_commissioning", text, passport, now, ip)
        await MeterApplication.insert(
            MeterApplication(
                ticket=opened.id, meter=a.meter_id, service=a.service, place=a.place, serial=a.serial, model=a.model,
                reading=a.reading, verified_on=a.verified_on, next_verification=a.next_verification,
                visit_first=a.visits[0], visit_second=a.visits[1],
            )
        )  # fmt: skip
    return opened


async def _worded(
    principal: Principal,
    account_id: int,
    category: str,
    text: Callable[[], str],
    photos: Sequence[StoredFile],
    now: datetime,
    ip: str,
    **request: Any,
) -> OpenedTicket:
    """A resident's application of a category of its own, worded by the portal (``text``) in Russian and English;
    ``request``: the request's further columns (``open_ticket``)."""
    description, description_en = in_russian_and_english(text)
    return await _filed(
        principal,
        ip,
        account_id=account_id,
        category=category,
        description=description,
        description_en=description_en,
        photos=photos,
        now=now,
        **request,
    )


async def _filed(
    principal: Principal, ip: str, *, now: datetime, for_caller: bool = False, **request: Any
) -> OpenedTicket:
    """A request a resident files through the portal, signed by them: in the audit log as one filed by staff is
    (its number and source, not the words or the names the resident wrote). ``for_caller``: the call centre files
    it on a caller's behalf, by phone, as ``file_by_staff`` does."""
    source = rules.Source.PHONE if for_caller else rules.Source.PORTAL
    signed = {"created_by": principal.user_id, "by_staff": True} if for_caller else {"author_id": principal.user_id}
    async with atomic():
        opened = await open_ticket(source=source, author_name=principal.name, now=now, **signed, **request)
        changes = {"number": opened.number, "source": source}
        audited = "ticket.create" if for_caller else "ticket.file"
        await audit.record(principal, audited, "ticket", opened.id, changes, ip, now=now)
    return opened


def _residents_text(change: forms.ResidentsChange) -> str:
    """What the accountant reads: who moved in or out of the flat, and on which day."""
    day, people = format_day(change.day, "short"), "; ".join(change.people)
    if change.movement == rules.Movement.MOVED_IN:
        said = gettext("Moved in on %(day)s: %(people)s.", day=day, people=people)
    else:
        said = gettext("Moved out on %(day)s: %(people)s.", day=day, people=people)
    parts = [
        gettext("A change in the number of residents (ПП № 354, п. 34 «з»)."),
        said,
        gettext("The resident confirms that these people agreed to their names being passed to the company."),
    ]
    if change.comment:
        parts.append(gettext("Comment: %(text)s", text=change.comment))
    return "\n".join(parts)


def _instalment_text(application: forms.InstalmentApplication) -> str:
    """What the accountant reads: the debt when the resident applied, the months and the monthly part."""
    monthly = rules.monthly_instalment(application.debt, application.months)
    return "\n".join(
        [
            gettext("Application for a debt instalment plan."),
            ngettext(
                "Debt %(debt)s, to be paid over %(num)s month: %(monthly)s a month.",
                "Debt %(debt)s, to be paid over %(num)s months: %(monthly)s a month.",
                application.months,
                debt=format_money(application.debt),
                monthly=format_money(monthly),
            ),
            gettext("Reason: %(text)s", text=application.reason),
        ]
    )


async def book_lift(
    principal: Principal,
    draft: forms.LiftBookingDraft,
    photos: Sequence[StoredFile],
    now: datetime,
    *,
    ip: str = "",
    for_caller: bool = False,
) -> OpenedTicket:
    """A resident books the freight lift of their entrance for a slot: a request of its own category about the
    entrance's lift, worded by the portal in Russian and English, due when the slot begins (the dispatcher confirms
    or refuses before), and its booking, which holds the slot. Two residents pressing at once for one slot: the
    slot's key is unique, so one booking holds it and the other is refused at its field (``forms.FieldRefused``),
    nothing of it written. ``photos``: none (the form takes no files); ``for_caller``: the call centre books it for
    a caller, by phone."""
    zone = ZoneInfo(get_settings().time_zone)
    starts = datetime.combine(draft.day, time(draft.hour), tzinfo=zone)
    ends = starts + timedelta(hours=draft.hours)
    held = f"{draft.entrance_id}:{draft.day.isoformat()}:{draft.hour}"
    try:
        async with atomic():
            if await LiftBooking.exists().where(LiftBooking.held == held):
                raise _SlotTaken
            text = partial(_lift_text, draft)
            opened = await _worded(principal, draft.account_id, "lift_booking", text, photos, now, ip,
                                   place=rules.Place.LIFT, deadline=starts, control_date=draft.day,
                                   for_caller=for_caller, contact_phone=draft.phone)  # fmt: skip
            account = await queries.account_ref(draft.account_id)
            await LiftBooking.insert(
                LiftBooking(
                    ticket=opened.id, house=account.house_id if account else None, entrance=draft.entrance_id,
                    day=draft.day, hour=draft.hour, starts_at=starts, ends_at=ends, carried=draft.carried,
                    phone=draft.phone, held=held,
                )
            )  # fmt: skip
    except _SlotTaken:
        raise _taken() from None
    except unique_violations():
        if not await LiftBooking.exists().where(LiftBooking.held == held):
            raise  # another key than the slot's
        raise _taken() from None
    return opened


def _taken() -> forms.FieldRefused:
    return forms.FieldRefused("hour", gettext("This time has just been taken."))


class _SlotTaken(Exception):
    """The slot is held already (seen before writing; the unique key says the same of a booking made meanwhile)."""


def _lift_text(draft: forms.LiftBookingDraft) -> str:
    """What the dispatcher reads: the day and slot, what is carried, the phone for the day."""
    return "\n".join(
        [
            gettext(
                "Booking of the freight lift: %(day)s, %(slot)s.",
                day=format_day(draft.day, "short"),
                slot=forms.slot_words(draft.hour, draft.hours),
            ),
            gettext("Carried: %(what)s.", what=rules.CARRIED_LABELS.shown(draft.carried)),
            gettext("Phone for the day: %(phone)s.", phone=format_phone(draft.phone)),
        ]
    )


async def answer_lift(
    principal: Principal, ticket: TicketDetail, confirmed: bool, reason: str, now: datetime, *, ip: str = ""
) -> int:
    """The dispatcher confirms a booking of the lift (the request accepted, the resident told the slot) or refuses
    it with the reason (the request cancelled, its slot freed); the resident is told in their language."""
    booking = await queries.lift_booking(ticket.id)
    if booking is None:
        raise Refused(gettext("This request is no booking of the lift."))
    if not confirmed:
        return await _move(
            principal, ticket, Status.CANCELLED, Actor.STAFF, reason, now, audited="ticket.status", ip=ip
        )
    hours = int((booking.ends_at - booking.starts_at).total_seconds() // 3600)

    def said() -> str:
        day, slot = format_day(booking.day, "short"), forms.slot_words(booking.hour, hours)
        return gettext("The booking is confirmed: %(day)s, %(slot)s.", day=day, slot=slot)

    russian, english = in_russian_and_english(said)
    return await _move(
        principal, ticket, Status.ACCEPTED, Actor.STAFF, russian, now, english, audited="ticket.status", ip=ip
    )


def _commissioning_text(application: forms.MeterCommissioning) -> str:
    """What the dispatcher and the technician read: the meter, where it goes, its passport and the visit days."""
    a = application
    meter = gettext("%(service)s, No. %(serial)s, %(model)s.", service=meter_words.service_label(a.service),
                    serial=a.serial, model=a.model)  # fmt: skip
    where = (
        gettext("In place of the meter at: %(place)s.", place=a.place or "—")
        if a.meter_id
        else gettext("A new place: %(place)s.", place=a.place or "—")
    )
    return "\n".join(
        [
            gettext("Application for the commissioning (sealing) of a meter (ПП № 354, п. 81)."),
            meter,
            where,
            gettext("Reading at commissioning: %(reading)s.", reading=format_number(a.reading, 3, fixed=True)),
            gettext(
                "Verified (or made) on %(verified)s; next verification by %(next)s.",
                verified=format_day(a.verified_on, "short"),
                next=format_day(a.next_verification, "short"),
            ),
            gettext(
                "Proposed days for the visit: %(first)s or %(second)s.",
                first=format_day(a.visits[0], "short"),
                second=format_day(a.visits[1], "short"),
            ),
        ]
    )


def _absence_text(application: forms.AbsenceApplication) -> str:
    """What the accountant reads: who was away, the two days and the full days between them (п. 88, 91)."""
    days = rules.absence_full_days(application.left, application.back)
    parts = [
        gettext("Application for the recalculation of charges for a temporary absence (ПП № 354, section VIII)."),
        gettext("Away: %(people)s.", people="; ".join(application.people)),
        ngettext(
            "Left on %(left)s, back on %(back)s: %(num)s full day away.",
            "Left on %(left)s, back on %(back)s: %(num)s full days away.",
            days,
            left=format_day(application.left, "short"),
            back=format_day(application.back, "short"),
        ),
    ]
    if application.comment:
        parts.append(gettext("Comment: %(text)s", text=application.comment))
    return "\n".join(parts)


async def file_by_staff(
    principal: Principal, draft: forms.StaffNewTicket, account: AccountRef, now: datetime, *, ip: str = ""
) -> OpenedTicket:
    """The call centre files a request on a resident's behalf (by the account number)."""
    return await _staff_filed(
        principal,
        ip,
        now,
        account_id=account.id,
        place=draft.place,
        category=draft.category,
        ticket_type=draft.ticket_type or None,
        description=draft.description,
        source=draft.source,
        contact_name=draft.contact_name or account.payer_name,
        contact_phone=draft.contact_phone,
        contact_email=draft.contact_email,
        damage_at=draft.damage_at,
        defect_kind=draft.defect_kind,
    )


async def file_about_house(
    principal: Principal,
    *,
    house_id: int,
    entrance_id: int | None,
    place: str,
    category: str,
    description: str,
    photos: Sequence[StoredFile],
    source: str,
    now: datetime,
    ip: str = "",
) -> OpenedTicket:
    """Staff file a request about a common place of a house with no account (a remark of an inspection round)."""
    return await _staff_filed(
        principal,
        ip,
        now,
        house_id=house_id,
        entrance_id=entrance_id,
        place=place,
        category=category,
        description=description,
        source=source,
        photos=photos,
    )


async def _staff_filed(principal: Principal, ip: str, now: datetime, **ticket: Any) -> OpenedTicket:
    """A request staff file (``open_ticket``'s values), with its audit event, in one transaction."""
    async with atomic():
        opened = await open_ticket(
            **ticket, author_name=principal.name, created_by=principal.user_id, by_staff=True, now=now
        )
        await audit.record(
            principal,
            "ticket.create",
            "ticket",
            opened.id,
            {"number": opened.number, "source": ticket["source"]},
            ip,
            now=now,
        )
    return opened


async def store_photos(
    uploads: list[Any], errors: FormErrors, *, name: str = "photos", documents: bool = False
) -> list[StoredFile]:
    """Store every uploaded photo (with ``documents``, a photo or a PDF of a paper: a meter's passport, the documents
    of an owner's change; PDFs as sent, photos cleaned: ``core.storage``); a refused one adds an error at the field
    ``name`` (and nothing is kept when any is refused, nor when ``errors`` already holds the form's other mistakes:
    each file is read all the same, so that one answer says everything wrong, and the files chosen again are not
    refused a second time)."""
    stored: list[StoredFile] = []
    save, words = (
        (storage.save_document, forms.document_message) if documents else (storage.save_image, forms.upload_message)
    )
    for upload in uploads:
        try:
            stored.append(await save(upload))
        except storage.UploadRefused as refused:
            errors.add(name, words(refused.code, refused.name))
    if errors:
        for item in stored:
            storage.delete(item.key)
        return []
    return stored


async def message_from(data: Mapping[str, Any]) -> tuple[str | None, list[StoredFile], FormErrors]:
    """The text of a message form and its photos, stored (``None`` and nothing kept when anything is refused)."""
    uploads = forms.files_of(data, "photos")
    text, errors = forms.read_message(data, len(uploads))
    photos = await store_photos(uploads, errors)  # a photo refused is said with the rest, at once
    return (None if errors else text), photos, errors


# --- the conversation ---------------------------------------------------------------------------------------------


async def post_message(
    principal: Principal,
    ticket: TicketDetail,
    text: str,
    photos: Sequence[StoredFile],
    *,
    by_staff: bool,
    internal: bool = False,
    now: datetime,
    text_en: str = "",
    ip: str = "",
) -> int:
    """A message in the conversation (or an internal note, staff only) with its photos; the other side is told.
    ``text_en``: the message in English where the portal words it (each reader reads their language)."""
    visible = not (internal and by_staff)
    text = text.strip()[: rules.MAX_MESSAGE]
    text_en = text_en.strip()[: rules.MAX_MESSAGE]
    async with atomic():
        kind = EventKind.MESSAGE if visible else EventKind.NOTE
        event_id = await _news(
            principal, ticket.id, kind, now, by_staff=by_staff, comment=text, comment_en=text_en, visible=visible
        )
        await _attach(ticket.id, event_id, principal.user_id, photos, visible, now)
        # A resident's message is their own act (the log says who wrote, never what): an action of its own.
        audited, changes = (
            ("ticket.message", {"event": event_id, "internal": not visible})
            if by_staff
            else ("ticket.reply", {"event": event_id})
        )
        await audit.record(principal, audited, "ticket", ticket.id, changes, ip, now=now)
        if visible:
            await _tell_other_side(
                ticket, event_id, messages.REPLY.name, now, by_staff=by_staff, text=text[:500], text_en=text_en[:500]
            )
    return event_id


async def mark_read(ticket: TicketDetail, *, by_staff: bool, event_id: int) -> None:
    """The caller's side has now seen the history up to ``event_id``."""
    if by_staff and ticket.staff_seen_event < event_id:
        await Ticket.update({Ticket.staff_seen_event: event_id, Ticket.has_new_for_staff: False}).where(
            (Ticket.id == ticket.id) & (Ticket.staff_seen_event < event_id)
        )
    elif not by_staff and ticket.resident_seen_event < event_id:
        await Ticket.update({Ticket.resident_seen_event: event_id, Ticket.has_new_for_resident: False}).where(
            (Ticket.id == ticket.id) & (Ticket.resident_seen_event < event_id)
        )


# --- statuses -------------------------------------------------------------------------------------------------


def refusal_message(refusal: Refusal, target: str = "") -> str:
    """A refused move to ``target`` in words, for the person who asked."""
    if refusal == Refusal.ALREADY:
        if target == Status.CANCELLED:
            return gettext("The request is already cancelled.")
        return gettext("The request is already closed.")
    if refusal == Refusal.IN_WORK:
        return gettext("The request is already in work and cannot be cancelled. Write to the dispatcher.")
    if refusal == Refusal.WINDOW_PASSED:
        return gettext("The time to confirm or return this request has passed. File a new one.")
    if refusal == Refusal.NOT_DONE:
        return gettext(
            "The work on this request is not reported done, so it cannot be returned. Write to the dispatcher below."
        )
    if refusal == Refusal.CONFIRMED:
        return gettext(
            "You confirmed the work on this request, so it cannot be returned. If the problem is back, file a new "
            "request."
        )
    return gettext("This status cannot be set now.")


async def _move(
    principal: Principal,
    ticket: TicketDetail,
    target: str,
    actor: Actor,
    comment: str,
    now: datetime,
    comment_en: str = "",
    *,
    searched: bool = True,
    audited: str,
    ip: str = "",
    noted: Mapping[str, Any] | None = None,
) -> int:
    """Apply ``rules.transition``: the columns, the event, its audit and the other side's notice. ``audited``: a
    staff move is ``ticket.status``; each step of a resident has a code of its own, so the log says the resident took
    it; the event keeps the statuses, not the comment (a resident's reason is theirs to tell), and what the caller
    ``noted`` of the decision. ``comment_en``: the
    comment in English where the portal words it (each reader reads their language); ``searched=False``: the
    caller rebuilds the search text (of many requests at once)."""
    change = rules.transition(ticket, target, actor, now, get_settings().time_zone)
    if change.refusal is not None:
        # A resident asks from the request's page (or posts straight at it): the answer is said there.
        back = f"/tickets/{ticket.id}" if actor == Actor.RESIDENT else None
        raise Refused(refusal_message(change.refusal, target), back=back)
    by_staff = actor != Actor.RESIDENT
    async with atomic():
        values = {getattr(Ticket, k): v for k, v in change.values.items()}
        someone_first = gettext("Someone has just changed this request. Look at its status and try again.")
        await _write_while(ticket.id, Ticket.status == change.current, values, someone_first)
        event_id = await _news(
            principal,
            ticket.id,
            EventKind.STATUS,
            now,
            by_staff=by_staff,
            searched=searched,
            from_value=change.current,
            to_value=target,
            comment=comment.strip()[: rules.MAX_MESSAGE],
            comment_en=comment_en.strip()[: rules.MAX_MESSAGE],
        )
        if target == Status.CANCELLED:  # a booking of the lift cancelled or refused frees its slot
            await LiftBooking.update({LiftBooking.held: None}).where(LiftBooking.ticket == ticket.id)
        restarted = await _restart_clock(principal, ticket, change, now, by_staff=by_staff)
        moved: dict[str, Any] = {"status": [change.current, target], **restarted, **(noted or {})}
        await audit.record(principal, audited, "ticket", ticket.id, moved, ip, now=now)
        await _tell_other_side(
            ticket,
            event_id,
            messages.STATUS_CHANGED.name,
            now,
            by_staff=by_staff,
            status=target,
            comment=comment.strip()[:500],
            comment_en=comment_en.strip()[:500],
            deadline=restarted["deadline"][1] if restarted else "",  # the work's new deadline, said with the move
        )
        if by_staff and rules.executor_told(change.current, target):
            await _tell_executor(principal, ticket, event_id, target, restarted, now)
    return event_id


async def _tell_executor(
    principal: Principal,
    ticket: TicketDetail,
    event_id: int,
    target: str,
    restarted: dict[str, list[str]],
    now: datetime,
) -> None:
    """A staff move that changes the executor's work (``rules.executor_told``) is said to them, with a new deadline
    where one was counted, as a resident's return or cancelling is: work sent back came back to their queue unsaid,
    and a request cancelled or paused by the dispatcher left it as silently."""
    if ticket.executor is None or ticket.executor == principal.user_id:
        return
    link = f"/staff/tickets/{ticket.id}"
    deadline = restarted["deadline"][1] if restarted else ""
    told = {"status": target, "deadline": deadline}
    await _tell(ticket.executor, messages.STATUS_CHANGED.name, ticket, event_id, link, now, **told)


RESTARTED = lazy("The request is returned: the deadline is counted anew from this moment.")


async def _restart_clock(
    principal: Principal, ticket: TicketDetail, change: rules.Change, now: datetime, *, by_staff: bool
) -> dict[str, list[str]]:
    """The new deadline of a request that went back to work (``rules.transition`` counted it) as a history line
    both sides read, worded in Russian and English; returns it for the audit (nothing when none was counted). The
    staff member who reopened the work signs it; after a resident's return the dispatch service's rule set it,
    so it is the service's line, not one the resident wrote."""
    if "deadline" not in change.values or change.values["deadline"] == ticket.deadline:
        return {}
    before, after = _plain(ticket.deadline), _plain(change.values["deadline"])
    russian, english = in_russian_and_english(RESTARTED)
    await _event(
        ticket.id,
        EventKind.DEADLINE,
        now,
        author_id=principal.user_id if by_staff else None,
        author_name=principal.name if by_staff else "",
        by_staff=True,
        from_value=before,
        to_value=after,
        comment=russian,
        comment_en=english,
        visible=True,
    )
    return {"deadline": [before, after]}


async def move_status(
    principal: Principal, ticket: TicketDetail, target: str, comment: str, now: datetime, *, ip: str = ""
) -> int:
    """Staff move a request (an executor only accepts, starts and finishes their own work)."""
    actor = queries.staff_actor(principal)
    return await _move(principal, ticket, target, actor, comment, now, audited="ticket.status", ip=ip)


async def cancel_by_resident(principal: Principal, ticket: TicketDetail, now: datetime, *, ip: str = "") -> None:
    """The resident cancels their request before work has started; a booking of the lift, until its slot begins."""
    booking = await queries.lift_booking(ticket.id) if ticket.category == "lift_booking" else None
    if booking is not None and not rules.lift_cancellable(booking.starts_at, now):
        message = gettext("The booked time has begun: the booking can no longer be cancelled.")
        raise Refused(message, back=f"/tickets/{ticket.id}")
    russian, english = in_russian_and_english(lazy("Cancelled by the resident"))
    await _move(
        principal, ticket, Status.CANCELLED, Actor.RESIDENT, russian, now, english, audited="ticket.cancel", ip=ip
    )


async def confirm_by_resident(principal: Principal, ticket: TicketDetail, now: datetime, *, ip: str = "") -> None:
    russian, english = in_russian_and_english(lazy("The resident confirmed the work"))
    await _move(
        principal, ticket, Status.CLOSED, Actor.RESIDENT, russian, now, english, audited="ticket.confirm", ip=ip
    )


async def reopen_by_resident(
    principal: Principal, ticket: TicketDetail, reason: str, now: datetime, *, ip: str = ""
) -> int:
    """The resident returns the work as not done, with the reason; the request counts as repeated."""
    return await _move(principal, ticket, Status.REOPENED, Actor.RESIDENT, reason, now, audited="ticket.return", ip=ip)


async def rate_ticket(
    principal: Principal, ticket: TicketDetail, rating: int, feedback: str, now: datetime, *, ip: str = ""
) -> int:
    """The resident's rating of the closed work, with their feedback; the audit keeps the rating, not the words."""
    if not rules.resident_may_rate(ticket.status, ticket.rating):
        raise Refused(gettext("This request cannot be rated now."))
    feedback = feedback.strip()[:MAX_FEEDBACK]
    async with atomic():
        values = {Ticket.rating: rating, Ticket.feedback: feedback, Ticket.updated_at: now}
        await _write_while(ticket.id, Ticket.rating.is_null(), values, gettext("This request cannot be rated now."))
        await audit.record(principal, "ticket.rate", "ticket", ticket.id, {"rating": rating}, ip, now=now)
        return await _news(
            principal, ticket.id, EventKind.RATING, now, by_staff=False, to_value=str(rating), comment=feedback
        )


# --- staff work on a request --------------------------------------------------------------------------------------


async def _point(
    principal: Principal,
    ticket: queries.TicketRow,
    column: str,
    target: int | None,
    now: datetime,
    *,
    audited: str,
    comment: str = "",
    ip: str = "",
) -> int:
    """Point the request's ``column`` (its executor, its outage) at ``target`` (None: at nothing): the column, its
    history event of that kind and the audit event ``audited``; returns the event's id."""
    before = getattr(ticket, column)
    await Ticket.update({getattr(Ticket, column): target, Ticket.updated_at: now}).where(Ticket.id == ticket.id)
    event_id = await _by(
        principal,
        ticket.id,
        EventKind(column),
        now,
        by_staff=True,
        from_value=str(before or ""),
        to_value=str(target or ""),
        comment=comment,
    )
    await audit.record(principal, audited, "ticket", ticket.id, {column: [before, target]}, ip, now=now)
    return event_id


async def assign_executor(
    principal: Principal,
    ticket: queries.TicketRow,
    executor: queries.Option | None,
    now: datetime,
    *,
    searched: bool = True,
    ip: str = "",
) -> int | None:
    """(Re)assign the executor (``None``: nobody); the history of executors is the list of these events.
    ``searched=False``: the caller rebuilds the search text (of many requests at once)."""
    executor_id = executor.id if executor else None
    if ticket.executor == executor_id:
        return None
    if not rules.may_assign(ticket.status):
        raise Refused(gettext("A closed or cancelled request keeps its executor."))
    async with atomic():
        name = executor.name if executor else ""
        event_id = await _point(
            principal, ticket, "executor", executor_id, now, audited="ticket.assign", comment=name, ip=ip
        )
        if searched:
            await refresh_search_text([ticket.id])
        if executor_id is not None and executor_id != principal.user_id:
            link = f"/staff/tickets/{ticket.id}"
            await _tell(executor_id, messages.ASSIGNED.name, ticket, event_id, link, now, category=ticket.category)
        if ticket.executor is not None and ticket.executor != principal.user_id:
            # The executor it was taken from is told too, or they would go to it all the same.
            unassigned, link = messages.UNASSIGNED.name, "/staff/my-tickets"
            await _tell(ticket.executor, unassigned, ticket, event_id, link, now, category=ticket.category)
    return event_id


async def hand_back(principal: Principal, ticket: TicketDetail, reason: str, now: datetime, *, ip: str = "") -> int:
    """An executor gives a request of theirs back to the dispatchers (a wrong address, another trade's work): it is
    left without an executor, its reason an internal note (the resident does not see it, nor is told), and the
    dispatchers of its house are told. Refused once it is no longer theirs or open (taken from them meanwhile)."""
    if not rules.may_hand_back(ticket.status, ticket.executor, principal.user_id):
        raise Refused(gettext("Request No. %(number)s is no longer yours to hand back.", number=ticket.number))
    async with atomic():
        taken = await (
            Ticket.update({Ticket.executor: None, Ticket.updated_at: now})
            .where(
                (Ticket.id == ticket.id)
                & (Ticket.executor == principal.user_id)
                & Ticket.status.is_in(sorted(rules.ACTIVE))
            )
            .returning(Ticket.id)
        )
        if not taken:
            raise Refused(gettext("Request No. %(number)s is no longer yours to hand back.", number=ticket.number))
        await _by(principal, ticket.id, EventKind.EXECUTOR, now, by_staff=True, from_value=str(ticket.executor))
        reason = reason.strip()[: rules.MAX_MESSAGE]
        event_id = await _news(principal, ticket.id, EventKind.NOTE, now, by_staff=True, comment=reason, visible=False)
        changes = {"executor": [ticket.executor, None], "event": event_id}
        await audit.record(principal, "ticket.hand_back", "ticket", ticket.id, changes, ip, now=now)
        context = {"ticket_id": ticket.id, "number": ticket.number, "executor": principal.name, "reason": reason}
        await _tell_dispatchers(ticket.house, messages.HANDED_BACK.name, context, event_id, now)
    return event_id


async def assign_many(
    principal: Principal,
    tickets: Sequence[queries.TicketRow],
    executor: queries.Option | None,
    now: datetime,
    *,
    ip: str = "",
) -> int:
    """Assign one executor to the selected requests at once (all or none); returns how many changed. The search
    texts (which name the executor) are rebuilt once for the whole set, a few statements whatever its size."""
    changed: list[int] = []
    async with atomic():
        for ticket in tickets:
            if await assign_executor(principal, ticket, executor, now, searched=False, ip=ip) is not None:
                changed.append(ticket.id)
        await refresh_search_text(changed)
    return len(changed)


@dataclass(frozen=True)
class Ticked:
    """What a bulk assignment did: how many requests changed executor, the requests refused for the executor's houses
    and those closed or cancelled (their numbers)."""

    changed: int
    refused: list[int]
    finished: list[int]


async def assign_ticked(
    principal: Principal,
    tickets: Sequence[TicketDetail],
    executor_id: int,
    takers: Mapping[int, Sequence[queries.Option]],
    now: datetime,
    *,
    ip: str = "",
) -> Ticked:
    """Give the ticked requests to one executor: those the executor may take (``rules.split_by_taker`` over
    ``takers``, ``queries.assignable`` of their houses) are assigned together, the others are left as they were
    and returned by number, for the page to name."""
    ids = {house: {e.id for e in found} for house, found in takers.items()}
    finished = [t.number for t in tickets if not rules.may_assign(t.status)]
    open_ones = [t for t in tickets if rules.may_assign(t.status)]
    taken, refused = rules.split_by_taker(open_ones, lambda t: t.house, executor_id, ids)
    executor = next((e for found in takers.values() for e in found if e.id == executor_id), None)
    changed = await assign_many(principal, taken, executor, now, ip=ip) if taken and executor else 0
    return Ticked(changed, [t.number for t in refused], finished)


def _plain(value: Any) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return "" if value is None else str(value)


async def update_fields(
    principal: Principal, ticket: TicketDetail, changes: dict[str, Any], now: datetime, *, ip: str = ""
) -> list[int]:
    """Staff edits of type, category, internal status, deadline, control date, the damage's moment and flags: one
    event per change. A deadline set before the request was filed or more than a year after it, or damage after it
    or more than 30 days before it, is refused, nothing written. A deadline's event carries the reason it changed
    (``changes["deadline_reason"]``), which the resident reads."""
    tz = get_settings().time_zone
    reason = changes.get("deadline_reason", "")
    current = {key: getattr(ticket, key) for key in (*rules.EDITABLE, "created_at")}
    real = rules.changed_fields(current, changes)
    if rules.retimes(real):
        current["clock_from"] = await queries.last_reopened(ticket.id)
    real = rules.retimed(current, real, tz)
    for name in ("deadline", "damage_at"):
        if name in real and (problem := forms.filing_problem(name, real[name][1], ticket.created_at, tz)):
            raise Refused(problem)
    if not real:
        return []
    event_ids: list[int] = []
    async with atomic():
        values = {getattr(Ticket, k): after for k, (_, after) in real.items()}
        await Ticket.update({**values, Ticket.updated_at: now}).where(Ticket.id == ticket.id)
        for key, (before, after) in real.items():
            if key == "defect_kind":  # a detail of the category, said on the page and in the audit log
                continue
            flag = key in rules.FLAGS_EDITABLE
            event_ids.append(
                await _by(
                    principal,
                    ticket.id,
                    EventKind.FLAG if flag else EventKind(key),
                    now,
                    by_staff=True,
                    from_value="" if flag else _plain(before),
                    to_value=f"{key}={'1' if after else '0'}" if flag else _plain(after),
                    visible=key in ("deadline", "category", "damage_at"),
                    comment=reason if key == "deadline" else "",
                )
            )
        changed: dict[str, Any] = {k: list(v) for k, v in real.items()}
        if "deadline" in real and reason:
            changed["deadline_reason"] = reason
        await audit.record(principal, "ticket.update", "ticket", ticket.id, changed, ip, now=now)
    return event_ids


async def link_outage(
    principal: Principal, ticket: TicketDetail, outage: OutageRow | None, now: datetime, *, ip: str = ""
) -> None:
    """Link the request to an outage of its house (or unlink it): it is completed when the outage closes."""
    if outage is not None and outage.house != ticket.house:
        raise Refused(gettext("Choose an outage of this house."))
    async with atomic():
        linked = outage.id if outage else None
        await _point(principal, ticket, "outage", linked, now, audited="ticket.outage", ip=ip)


# --- outages ------------------------------------------------------------------------------------------------------

# The notice of an outage (portal.content) names the service that is off in its reader's language by these words.
name_outage_services(rules.OUTAGE_LABELS.shown)


async def record_outage(principal: Principal, values: dict[str, Any], now: datetime, *, ip: str = "") -> int:
    """Record an outage of a house (or one entrance or riser of it): residents see it before filing requests.
    A start more than 30 days before ``now`` or an «until» more than 31 days after the start is a year or month
    typed wrong, refused here too (the form is not the only way in), nothing written."""
    if rules.outage_started_long_ago(values["starts_at"], now):
        raise Refused(forms.outage_start_too_early())
    if rules.outage_ends_long_after_start(values["starts_at"], values["ends_at"]):
        raise Refused(forms.outage_end_too_late())
    async with atomic():
        outage = Outage(
            house=values["house_id"],
            entrance=values["entrance_id"],
            riser=values["riser_id"],
            service=values["service"],
            description=values["description"].strip()[:2000],
            starts_at=values["starts_at"],
            ends_at=values["ends_at"],
            created_by=principal.user_id,
            created_at=now,
            updated_at=now,
        )
        await outage.save()
        await audit.record(
            principal,
            "outage.create",
            "outage",
            outage.id,
            {"house": values["house_id"], "service": values["service"]},
            ip,
            now=now,
        )
        # The residents it reaches hear of it at once: an emergency notice (portal.content) in this transaction.
        await announce_outage(int(outage.id), principal, now, ip=ip)
    return int(outage.id)


async def close_outage(
    principal: Principal,
    outage: OutageRow,
    message: str,
    now: datetime,
    room_temperature: Decimal | None = None,
    *,
    ip: str = "",
) -> int:
    """End an outage and complete every active request linked to it, telling each resident; returns how many.
    The accounts it reached get their reduction of the charge where it ran beyond the permitted interruption
    (billing: ``outage_reductions``), by the room temperature measured during a heating outage."""
    async with atomic():
        closed = (
            await Outage.update(
                {Outage.closed_at: now, Outage.updated_at: now, Outage.room_temperature: room_temperature}
            )
            .where((Outage.id == outage.id) & Outage.closed_at.is_null())
            .returning(Outage.house, Outage.entrance, Outage.riser, Outage.service, Outage.starts_at)
        )
        if closed:
            row = closed[0]
            facts = OutageFacts(
                outage.id,
                row["service"],
                row["house"],
                row["entrance"],
                row["riser"],
                row["starts_at"],
                now,
                room_temperature,
            )
            await outage_reductions.record_outage(facts)
        await end_outage(outage.id, now)
        completed: list[int] = []
        for ticket in await queries.active_linked(outage.id):
            if rules.transition(ticket, Status.DONE, Actor.STAFF, now).allowed:
                await _move(
                    principal,
                    ticket,
                    Status.DONE,
                    Actor.STAFF,
                    message,
                    now,
                    searched=False,
                    audited="ticket.status",
                    ip=ip,
                )
                completed.append(ticket.id)
        await refresh_search_text(completed)
        await audit.record(
            principal, "outage.close", "outage", outage.id, {"tickets_done": len(completed)}, ip, now=now
        )
    return len(completed)


# --- the list's preferences ---------------------------------------------------------------------------------------


async def save_columns(principal: Principal, columns: Sequence[str]) -> None:
    value = ",".join(columns)[:500]
    async with atomic():
        if await TicketListColumns.exists().where(TicketListColumns.user == principal.user_id):
            await TicketListColumns.update({TicketListColumns.columns: value}).where(
                TicketListColumns.user == principal.user_id
            )
        else:
            await TicketListColumns.insert(TicketListColumns(user=principal.user_id, columns=value))


async def save_view(principal: Principal, name: str, query: str, now: datetime) -> int:
    """Keep the list's current filters under a name, as a tab of the caller's own."""
    async with atomic():
        if await TicketSavedView.count().where(TicketSavedView.user == principal.user_id) >= queries.MAX_VIEWS:
            raise Refused(
                ngettext(
                    "You have %(num)s saved view already. Delete it first.",
                    "You have %(num)s saved views already. Delete one first.",
                    queries.MAX_VIEWS,
                )
            )
        view = TicketSavedView(user=principal.user_id, name=name, query=query[:1000], created_at=now)
        await view.save()
    return int(view.id)


async def delete_view(principal: Principal, view_id: int) -> None:
    await TicketSavedView.delete().where((TicketSavedView.id == view_id) & (TicketSavedView.user == principal.user_id))


# --- a new owner or payer of a flat -------------------------------------------------------------------------------


async def named_account(
    counter: limits.Counter, principal: Principal, change: forms.OwnerChange
) -> AccountRef | Literal[False] | None:
    """The account a new owner names by its number and its premise's address, or None when the pair names none —
    the same answer whether the number exists or not. Every attempt is counted, on the number and on the person,
    as the link by an account's code counts them; False when too many were made."""
    if not await counter.take(rules.HANDOVER_PER_USER, str(principal.user_id)):
        return False
    if not await counter.take(rules.HANDOVER_PER_ACCOUNT, change.account_number):
        return False
    found = await queries.account_named(change.account_number, change.house_id, change.premise_number)
    if found is not None:
        await counter.clear(rules.HANDOVER_PER_ACCOUNT, change.account_number)
    return found


async def apply_for_owner_change(
    principal: Principal,
    change: forms.OwnerChange,
    account: AccountRef,
    documents: Sequence[StoredFile],
    now: datetime,
    *,
    ip: str = "",
) -> OpenedTicket:
    """A new owner applies to have the account put in their name: a request of its own category (seen, among
    residents, by them alone), worded in Russian and English, with the documents kept for staff of the house."""
    share = (change.share.numerator, change.share.denominator)
    text = partial(_owner_change_text, change, account)
    with storage.dropped_unless_saved(*[d.key for d in documents]):
        async with atomic():
            opened = await _worded(principal, account.id, "owner_change", text, (), now, ip)
            await _handover_row(opened.id, rules.Handover.OWNER, change.day, change.full_name, share, documents)
    return opened


async def apply_for_payer_change(
    principal: Principal, change: forms.PayerChange, now: datetime, *, ip: str = ""
) -> OpenedTicket:
    """An owner or payer applies to have the account's payer changed from a day (no documents of ownership)."""
    text = partial(_payer_change_text, change)
    async with atomic():
        opened = await _worded(principal, change.account_id, "payer_change", text, (), now, ip)
        await _handover_row(opened.id, rules.Handover.PAYER, change.day, change.full_name, None, ())
    return opened


async def _handover_row(
    ticket_id: int,
    kind: rules.Handover,
    day: date,
    full_name: str,
    share: tuple[int, int] | None,
    documents: Sequence[StoredFile],
) -> None:
    numerator, denominator = share or (None, None)
    keys = "\n".join(d.key for d in documents)
    await HandoverApplication.insert(
        HandoverApplication(
            ticket=ticket_id,
            kind=kind,
            day=day,
            full_name=full_name,
            share_numerator=numerator,
            share_denominator=denominator,
            documents=keys,
        )
    )


def _owner_change_text(change: forms.OwnerChange, account: AccountRef) -> str:
    share = share_text(change.share.numerator, change.share.denominator)
    return "\n".join(
        [
            gettext("Change of owner of personal account %(number)s.", number=account.number),
            gettext(
                "Ownership passed on %(day)s to %(name)s, share %(share)s.",
                day=format_day(change.day, "short"),
                name=change.full_name,
                share=share,
            ),
            gettext("The documents are attached. The applicant agreed to the processing of their personal data."),
        ]
    )


def _payer_change_text(change: forms.PayerChange) -> str:
    return "\n".join(
        [
            gettext(
                "Change of payer from %(day)s: %(name)s.", day=format_day(change.day, "short"), name=change.full_name
            ),
            gettext("The applicant agreed to the processing of their personal data."),
        ]
    )


async def apply_handover(
    principal: Principal,
    ticket: TicketDetail,
    handover: queries.HandoverRow,
    decision: forms.HandoverDecision,
    now: datetime,
    *,
    ip: str = "",
) -> str:
    """Staff apply a new owner's or payer's application, all or nothing: for a new owner the shares ticked end the
    day before theirs starts, the old account is closed the day before and a new one with billing's number opens
    (``_open_new_account``), the applicant its owner on the portal, the previous owners keeping the old one; for a
    new payer the account's payer is put in the new name (each through the register's own save, refused when the
    record changed since the page was read). The request is done with words in each reader's language and the
    previous owners are told. A payer's change from a day still ahead is decided now and applied on the day
    (``_decide_ahead``). Returns the words for staff."""
    if handover.applied_at is not None or handover.decided_at is not None or ticket.status not in rules.ACTIVE:
        raise Refused(gettext("This application has already been answered."))
    account = await queries.account_ref(ticket.account or 0)
    if account is None:
        raise Refused(gettext("This application has no personal account."))
    ahead = not rules.may_apply_handover(handover.day, clock.local(now).date())
    if ahead and handover.kind != rules.Handover.PAYER:  # an owner's day is never ahead (``handover_day_problem``)
        day = format_day(handover.day, "short")
        raise Refused(gettext("The application can be applied from %(day)s, the day it names.", day=day))
    try:
        async with atomic():
            if ahead:
                await _decide_ahead(principal, ticket, handover, account, decision, now, ip)
                day = format_day(handover.day, "short")
                return gettext("Decided: the payer changes on %(day)s, and the applicant is told.", day=day)
            await _hand_over_now(principal, ticket, handover, account, decision, now, ip)
            return gettext("The application is applied.")
    except Stale as stale_save:
        raise Refused(stale_save.change.message()) from None
    except Invalid as invalid:
        raise Refused(invalid.message) from None


class _Answered(Refused):
    """The application was applied meanwhile (by staff, or by another run of the job)."""


async def _hand_over_now(
    principal: Principal,
    ticket: TicketDetail,
    handover: queries.HandoverRow,
    account: AccountRef,
    decision: forms.HandoverDecision,
    now: datetime,
    ip: str,
) -> None:
    """The writes of an application applied, inside the caller's transaction; the application is claimed first, so
    a second apply meanwhile (a double press, two runs of the job) writes nothing."""
    claimed = (
        await HandoverApplication.update({HandoverApplication.applied_at: now})
        .where((HandoverApplication.id == handover.id) & HandoverApplication.applied_at.is_null())
        .returning(HandoverApplication.id)
    )
    if not claimed:
        raise _Answered(gettext("This application has already been answered."))
    told: list[Person] = []
    noted: dict[str, str] = {}
    new_number = ""
    if handover.kind == rules.Handover.OWNER:
        told = await people_of_account(account.id)  # those on the old account before the new owner is linked
        noted, new_number = await _hand_over_owner(principal, ticket, handover, account, decision, now, ip)
    else:
        values = {"payer_name": handover.full_name}
        await save_account(principal, account.id, values, ip=ip, version=decision.account_version)
    russian, english = in_russian_and_english(partial(_handover_done_text, handover, new_number))
    await _move(
        principal,
        ticket,
        Status.DONE,
        Actor.STAFF,
        russian,
        now,
        english,
        audited="ticket.handover",
        ip=ip,
        noted=noted,
    )
    await _tell_the_old_account(ticket, account, handover, told, now)


async def _tell_the_old_account(
    ticket: TicketDetail, account: AccountRef, handover: queries.HandoverRow, people: Sequence[Person], now: datetime
) -> None:
    """Everyone on the closed account is told once, each in their language: its owners that their account is
    closed with its debt theirs to pay (its page), its family and tenants that the new owner invites them. The
    applicant is not among them: the request's own message tells them of their new account."""
    context = {"account": account.number, "day": handover.day.isoformat()}
    for user_id, owner in rules.told_of_closing(
        [(p.user_id, p.role == ResidentRole.OWNER) for p in people], ticket.author
    ):
        template, link = (
            (messages.HANDOVER_ENDED, f"/accounts/{account.id}") if owner else (messages.HANDOVER_CLOSED, "/")
        )
        await notify(
            user_id,
            template.name,
            context=context,
            dedupe_key=f"ticket:{ticket.id}:handover:{user_id}",
            link=link,
            now=now,
        )


async def _hand_over_owner(
    principal: Principal,
    ticket: TicketDetail,
    handover: queries.HandoverRow,
    account: AccountRef,
    decision: forms.HandoverDecision,
    now: datetime,
    ip: str,
) -> tuple[dict[str, str], str]:
    """A new owner's writes: the shares, the old account closed and the new one opened (kept on the application),
    the applicant its owner on the portal. Returns what the decision's audit notes (the closing day and what the old
    account owed at its end, by the ledger) and the new account's number."""
    closing = rules.day_before(handover.day)
    noted = {"closed_on": closing.isoformat(), "closing_debt": str(await ledger.balance_on(account.id, closing))}
    await _hand_over_shares(principal, account, handover, decision, ticket, ip)
    new_account, new_number = await _open_new_account(principal, account, handover, decision, now, ip)
    opened = {HandoverApplication.new_account: new_account}
    await HandoverApplication.update(opened).where(HandoverApplication.id == handover.id)
    if ticket.author is not None:
        await hand_over(principal, new_account, ticket.author, now, ip=ip)
    return noted, new_number


async def _open_new_account(
    principal: Principal,
    account: AccountRef,
    handover: queries.HandoverRow,
    decision: forms.HandoverDecision,
    now: datetime,
    ip: str,
) -> tuple[int, str]:
    """A new owner is billed on a new account (the previous owner's debt for maintenance and utilities is theirs,
    ЖК РФ ст. 153, 155): the old account is closed the day before, and one with billing's number opens on the day
    for the same premise in the new owner's name, through the register's own save. The flat's meters are physical
    and stay with the flat: its working ones move to the new account with their readings. Returns the new
    account and its number."""
    number = housing_rules.parse_account_number(decision.new_number)
    if isinstance(number, housing_rules.Problem):
        raise forms.FieldRefused("new_number", housing_rules.message(number))
    if await account_number_taken(number):
        raise forms.FieldRefused("new_number", housing_rules.message(housing_rules.Problem.ACCOUNT_TAKEN))
    closed = {"closed_on": rules.day_before(handover.day)}
    await save_account(principal, account.id, closed, ip=ip, version=decision.account_version)
    opened = {
        "number": number,
        "premise": account.premise_id,
        "payer_name": handover.full_name,
        "opened_on": handover.day,
    }
    new_account = await save_account(principal, None, opened, ip=ip)
    await move_to_account(principal, (account.id, account.number), (new_account, number), now=now, ip=ip)
    return new_account, number


async def _decide_ahead(
    principal: Principal,
    ticket: TicketDetail,
    handover: queries.HandoverRow,
    account: AccountRef,
    decision: forms.HandoverDecision,
    now: datetime,
    ip: str,
) -> None:
    """Staff decide a payer's change whose day is still ahead, inside the caller's transaction: the decision is kept
    with the account's version (the page's, refused when the account changed since), the request is in work with
    «Плательщик сменится <день>» and the applicant is told; ``apply_payers_due`` writes the payer on the day."""
    await stale.check(PersonalAccount, account.id, "account", decision.account_version)
    version = await stale.current(PersonalAccount, account.id)
    written = (
        await HandoverApplication.update(
            {
                HandoverApplication.decided_at: now,
                HandoverApplication.decided_by: principal.user_id,
                HandoverApplication.decided_name: principal.name[:255],
                HandoverApplication.account_version: version,
            }
        )
        .where(
            (HandoverApplication.id == handover.id)
            & HandoverApplication.applied_at.is_null()
            & HandoverApplication.decided_at.is_null()
        )
        .returning(HandoverApplication.id)
    )
    if not written:
        raise Refused(gettext("This application has already been answered."))
    decided = {"payer_from": ["", handover.day.isoformat()]}
    await audit.record(principal, "ticket.handover", "ticket", ticket.id, decided, ip, now=now)
    russian, english = in_russian_and_english(partial(_decided_text, handover))
    if ticket.status != Status.IN_WORK:  # the move says it, and the applicant is told of it
        await _move(
            principal, ticket, Status.IN_WORK, Actor.STAFF, russian, now, english, audited="ticket.status", ip=ip
        )
        return
    event_id = await _news(
        principal, ticket.id, EventKind.MESSAGE, now, by_staff=True, comment=russian, comment_en=english
    )
    await _tell_other_side(ticket, event_id, messages.REPLY.name, now, by_staff=True, text=russian, text_en=english)


def _decided_text(handover: queries.HandoverRow) -> str:
    day = format_day(handover.day, "short")
    return gettext(
        "The payer changes on %(day)s: %(name)s. Until then the request stays in work.",
        day=day,
        name=handover.full_name,
    )


HANDOVER_JOB = "handover-payer-day"


@jobs.register(HANDOVER_JOB, 3600)
async def apply_payers_due(now: datetime) -> int:
    """Every hour: the payer changes staff decided ahead of their day, applied once the day has come in the
    company's zone. No key per day: a run cut short by a restart is made up by the next one, and each application
    is applied once whoever runs it (``_hand_over_now`` claims it in the transaction that writes the payer)."""
    applied = 0
    for handover in await queries.handovers_due(clock.local(now).date()):
        applied += await apply_decided(handover, now)
    return applied


async def apply_decided(handover: queries.HandoverRow, now: datetime) -> bool:
    """One decided payer's change applied on its day, signed by the staff member who decided it, in one
    transaction with its audit; the request is done and the applicant told. When the account was changed since
    the decision (the register's stale guard) or the request refuses the move, nothing is written over it: the
    decision is withdrawn with a note for staff saying why (``_withdraw``). True when applied."""
    ticket = await queries.ticket_detail(handover.ticket)
    account = await queries.account_ref(ticket.account or 0) if ticket else None
    if ticket is None or account is None:
        return False
    by = Principal(user_id=handover.decided_by, name=handover.decided_name)
    decision = forms.HandoverDecision([], handover.account_version or None, {})
    try:
        async with atomic():
            await _hand_over_now(by, ticket, handover, account, decision, now, "")
        return True
    except _Answered:
        return False
    except Stale as stale_save:
        why = partial(_changed_meanwhile_text, handover.day, stale_save.change.who, stale_save.change.when)
    except (Refused, Invalid) as problem:
        why = partial(_not_applied_text, handover.day, problem.message)
    await _withdraw(handover, ticket, why, now)
    return False


async def _withdraw(handover: queries.HandoverRow, ticket: TicketDetail, why: Callable[[], str], now: datetime) -> None:
    """A decision the job could not apply is withdrawn, so staff apply the application anew or refuse it: a note
    only staff read says why, and the request is marked as having news for them."""
    russian, english = in_russian_and_english(why)
    async with atomic():
        withdrawn = (
            await HandoverApplication.update({HandoverApplication.decided_at: None})
            .where(
                (HandoverApplication.id == handover.id)
                & HandoverApplication.applied_at.is_null()
                & HandoverApplication.decided_at.is_not_null()
            )
            .returning(HandoverApplication.id)
        )
        if not withdrawn:
            return
        await _event(
            ticket.id,
            EventKind.NOTE,
            now,
            author_id=None,
            author_name="",
            by_staff=True,
            comment=russian,
            comment_en=english,
        )
        await _touch(ticket.id, now, by_staff=False, visible=False)
        await refresh_search_text([ticket.id])
        await audit.record(
            None, "ticket.handover", "ticket", ticket.id, {"payer_from": [handover.day.isoformat(), ""]}, now=now
        )


def _changed_meanwhile_text(day: date, who: str, when: datetime | None) -> str:
    moment = format_moment(when, str(clock.zone())) if when else ""
    if who:
        return gettext(
            "The payer was not changed on %(day)s: %(who)s changed the personal account after the decision (%(when)s). "
            "Check the payer, then apply the application again or refuse it.",
            day=format_day(day, "short"),
            who=who,
            when=moment,
        )
    return gettext(
        "The payer was not changed on %(day)s: the personal account was changed after the decision. Check the payer, "
        "then apply the application again or refuse it.",
        day=format_day(day, "short"),
    )


def _not_applied_text(day: date, reason: str) -> str:
    return gettext(
        "The payer was not changed on %(day)s: %(reason)s Apply the application again or refuse it.",
        day=format_day(day, "short"),
        reason=reason,
    )


async def _hand_over_shares(
    principal: Principal,
    account: AccountRef,
    handover: queries.HandoverRow,
    decision: forms.HandoverDecision,
    ticket: TicketDetail,
    ip: str,
) -> None:
    """The shares ticked end the day before the handover's day; the new owner and their share start on it, on the
    register's record of them where there is one (``rules.known_owner``), else a new one; an applicant who is the
    new owner (``rules.applicant_is_owner``) is linked to that record and votes as its owner
    (``meetings.actions.link_new_owner``), a relative applying for them is not."""
    standing = {s.id: s for s in await queries.shares_standing(account.premise_id, handover.day)}
    for share_id in decision.shares:
        if share_id not in standing:
            raise Refused(gettext("The register of owners has changed meanwhile. Check it and apply again."))
        row = await queries.ownership_values(share_id)
        ended = {**row, "valid_to": rules.day_before(handover.day)}
        await save_ownership(principal, share_id, ended, ip=ip, version=decision.share_versions.get(share_id))
    contact = await queries.user_contact(ticket.author or 0)
    known = await queries.registry_people(handover.full_name, ticket.author)
    owner_id = rules.known_owner(known, handover.full_name, **contact)
    if owner_id is None:  # not in the register yet (a person already there keeps their one record)
        # Only what the application states of the new owner: the applicant may be a relative or a representative,
        # whose e-mail and phone stay with the application (its author), never on the owner's record.
        new_owner = {"kind": "person", "name": handover.full_name, "inn": None}
        owner_id = await save_owner(principal, None, new_owner, ip=ip)
    new_share = {
        "premise": account.premise_id,
        "owner": owner_id,
        "share_numerator": handover.share_numerator or 1,
        "share_denominator": handover.share_denominator or 1,
        "joint": False,
        "document": gettext("Documents of request No. %(number)s", number=ticket.number)[:255],
        "valid_from": handover.day,
        "valid_to": None,
    }
    await save_ownership(principal, None, new_share, ip=ip)
    if ticket.author is not None and rules.applicant_is_owner(handover.full_name, ticket.author_name or ""):
        await link_new_owner(principal, owner_id, ticket.author, ip=ip)


def _handover_done_text(handover: queries.HandoverRow, new_number: str = "") -> str:
    day = format_day(handover.day, "short")
    if handover.kind == rules.Handover.OWNER:
        return gettext(
            "Applied: from %(day)s the owner of the premise is %(name)s, share %(share)s, billed on the new personal "
            "account %(number)s, which you see on the portal. Invite your family and tenants to it on the page "
            "“Who has access”.",
            day=day,
            name=handover.full_name,
            share=handover.share,
            number=new_number,
        )
    return gettext("Applied: from %(day)s the payer of the account is %(name)s.", day=day, name=handover.full_name)


async def refuse_handover(
    principal: Principal,
    ticket: TicketDetail,
    handover: queries.HandoverRow,
    reason: str,
    now: datetime,
    *,
    ip: str = "",
) -> int:
    """Staff refuse an application with the reason, which the applicant reads in the request and its message."""
    if handover.applied_at is not None or ticket.status not in rules.ACTIVE:
        raise Refused(gettext("This application has already been answered."))
    return await _move(principal, ticket, Status.CANCELLED, Actor.STAFF, reason, now, audited="ticket.handover", ip=ip)


# --- a request's files and a new owner's documents kept no longer than their term (the daily job) ----------------

ERASED_PER_BATCH = 200


@jobs.register("request-files-erasure", 86400, key=lambda now: clock.local(now).date().isoformat())
async def request_files_erasure(now: datetime) -> int:
    settings = get_settings()
    return await erase_request_files(now, settings.owner_docs_keep_days, settings.request_files_keep_years)


async def erase_request_files(now: datetime, owner_docs_keep_days: int, files_keep_years: int) -> int:
    """Delete, the day after their keeping term ends (152-ФЗ ст. 5 ч. 7), a new owner's documents
    ``owner_docs_keep_days`` after the application was decided (applied, refused or withdrawn), and the photos and
    files of a request (a meter's passport among them) ``files_keep_years`` after it was finished; the application,
    the request, its history and texts stay. A batch at a time, each in one transaction with its audit row that
    marks the rows (their pages and addresses say the day they went); a batch's files are deleted from storage only
    after it commits, so a failure leaves every row with its file, never a row pointing at nothing, and only those no
    other row refers to (``orphans.unreferred``: a remark's photo stays in its inspection round's act). A run stopped
    between the two leaves files no row refers to any more, which ``core.orphans`` deletes. Returns how many rows
    were marked."""
    today = clock.local(now).date()
    decided_before = clock.day_start(today - timedelta(days=owner_docs_keep_days))
    finished_before = clock.day_start(rules.files_finished_before(today, files_keep_years))
    done = 0
    while ids := await queries.documents_past_term(decided_before, ERASED_PER_BATCH):
        done += await _documents_erased(ids, now)
    while ids := await queries.files_past_term(finished_before, ERASED_PER_BATCH):
        done += await _files_erased(ids, now)
    return done


async def _documents_erased(ids: list[int], now: datetime) -> int:
    """One batch of applications whose documents are marked deleted, with one audit row saying how many; their
    files deleted once it is committed."""
    async with atomic():
        rows = (
            await HandoverApplication.update({HandoverApplication.documents_erased_at: now})
            .where(HandoverApplication.id.is_in(ids) & HandoverApplication.documents_erased_at.is_null())
            .returning(HandoverApplication.documents)
        )
        keys = [k for r in rows for k in r["documents"].splitlines() if k]
        if rows:
            changes = {"applications": len(rows), "documents_deleted": len(keys)}
            await audit.record(None, "ticket.documents_erased", "ticket", None, changes, now=now)
    for key in await orphans.unreferred(keys):
        storage.delete(key)
    return len(rows)


async def _files_erased(ids: list[int], now: datetime) -> int:
    """One batch of the requests' files marked deleted, with one audit row saying how many, of how many requests;
    the files deleted once it is committed."""
    async with atomic():
        rows = (
            await TicketAttachment.update({TicketAttachment.erased_at: now})
            .where(TicketAttachment.id.is_in(ids) & TicketAttachment.erased_at.is_null())
            .returning(TicketAttachment.ticket, TicketAttachment.file_key)
        )
        if rows:
            changes = {"files_deleted": len(rows), "requests": len({r["ticket"] for r in rows})}
            await audit.record(None, "ticket.files_erased", "ticket", None, changes, now=now)
    for key in await orphans.unreferred([r["file_key"] for r in rows]):  # a round's photo stays with its act
        storage.delete(key)
    return len(rows)
