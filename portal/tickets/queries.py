"""Reads of requests: bounded, indexed, typed. A record is loaded only "if this caller may see it" (resident: one
of their accounts with the "tickets" right; staff: their houses; an executor: their own requests).

Every change is in ``actions.py``.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import AsyncIterator
from collections.abc import Collection
from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from datetime import timedelta
from decimal import Decimal
from types import MappingProxyType
from typing import Any
from typing import NamedTuple
from typing import TypeVar
from urllib.parse import parse_qs
from zoneinfo import ZoneInfo

from piccolo.columns.combination import Where
from piccolo.columns.combination import WhereRaw
from piccolo.query import OrderByRaw
from piccolo.query import Select
from piccolo.query.functions.aggregate import Count

from portal.accounts.queries import residents_by_phone
from portal.accounts.tables import User
from portal.core import orphans
from portal.core.address import PremiseAddress
from portal.core.clauses import every
from portal.core.clauses import within
from portal.core.paged import read_page
from portal.core.pagination import Page
from portal.core.pagination import PageRequest
from portal.core.parse import normalize_phone
from portal.core.rows import built_once
from portal.core.rows import columns_of
from portal.core.rows import looked_up
from portal.core.search import text_match
from portal.core.security import Principal
from portal.core.security import StaffRole
from portal.core.values import placeholders
from portal.housing.queries import account_match
from portal.housing.queries import house_scope
from portal.housing.queries import houses_in_scope
from portal.housing.rules import share_text
from portal.housing.tables import Entrance
from portal.housing.tables import House
from portal.housing.tables import Owner
from portal.housing.tables import OwnerKind
from portal.housing.tables import Ownership
from portal.housing.tables import PersonalAccount
from portal.housing.tables import PremiseRiser
from portal.housing.tables import Riser
from portal.meetings.tables import OwnerLink
from portal.tickets import rules
from portal.tickets.filters import SORT_KEYS
from portal.tickets.filters import TicketFilters
from portal.tickets.filters import read_columns
from portal.tickets.filters import read_filters
from portal.tickets.rules import ACTIVE
from portal.tickets.rules import Actor
from portal.tickets.rules import Status
from portal.tickets.tables import HandoverApplication
from portal.tickets.tables import LiftBooking
from portal.tickets.tables import MeterApplication
from portal.tickets.tables import Outage
from portal.tickets.tables import Ticket
from portal.tickets.tables import TicketAttachment
from portal.tickets.tables import TicketEvent
from portal.tickets.tables import TicketListColumns
from portal.tickets.tables import TicketSavedView

MANAGING_ROLES = ("dispatcher", "operator", "manager")
# The accountant answers a debt's instalment plan (a decision on money owed), none of the rest of the queue.
ACCOUNTANT_CATEGORIES = ("instalment_plan",)
R = TypeVar("R", bound="TicketRow")
OPENABLE_AT_ONCE = 500  # ids a page asks about at once (``openable_for_staff``): more than any page shows


def is_executor_only(principal: Principal) -> bool:
    """An executor who is not also a dispatcher, operator, manager or admin sees only their own requests."""
    return principal.has_role("executor") and not principal.has_role(*MANAGING_ROLES)


def is_accountant_only(principal: Principal) -> bool:
    """An accountant with no other role of the queue sees only the requests they answer (``ACCOUNTANT_CATEGORIES``)."""
    return principal.has_role("accountant") and not principal.has_role("executor", *MANAGING_ROLES)


def answers_only(principal: Principal) -> bool:
    """A staff member who answers the requests they see (a message, the status) but does not manage the queue: no
    executor to assign, no outage to link, no request to file or edit."""
    return not principal.has_role(*MANAGING_ROLES)


def staff_actor(principal: Principal) -> Actor:
    """How the status table treats this staff member."""
    return Actor.EXECUTOR if is_executor_only(principal) else Actor.STAFF


# --- scopes ---------------------------------------------------------------------------------------------------


def resident_account_ids(principal: Principal) -> list[int]:
    return sorted(a for a in principal.account_ids if principal.may_on_account(a, "tickets"))


def _resident_scope(principal: Principal) -> Where | None:
    """The requests of the caller's accounts with the "tickets" right, and their own applications of a new owner
    or payer, which no one else of an account sees (``rules.OWN_ONLY_CATEGORIES``; the applicant may not be linked
    to the account yet)."""
    ids = resident_account_ids(principal)
    own = (Ticket.author == principal.user_id) & Ticket.category.is_in(list(rules.OWN_ONLY_CATEGORIES))
    if principal.user_id is None:
        return None
    if not ids:
        return own
    return (Ticket.account.is_in(ids) & Ticket.category.not_in(list(rules.OWN_ONLY_CATEGORIES))) | own


def staff_scope(principal: Principal) -> list[Any] | None:
    """WHERE clauses limiting a staff user to their houses (an executor to their own requests, an accountant to
    the categories they answer); None = nothing."""
    clauses: list[Any] = []
    if principal.house_ids is not None:
        if not principal.house_ids:
            return None
        clauses.append(Ticket.house.is_in(sorted(principal.house_ids)))
    if is_executor_only(principal):
        clauses.append(Ticket.executor == principal.user_id)
    elif is_accountant_only(principal):
        clauses.append(Ticket.category.is_in(list(ACCOUNTANT_CATEGORIES)))
    return clauses


# --- rows -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TicketRow:
    """A request as lists show it."""

    id: int
    number: int
    type: str
    category: str
    status: str
    internal_status: str
    source: str
    place: str
    description: str
    description_en: str
    created_at: datetime
    deadline: datetime | None
    control_date: date | None
    completed_at: datetime | None
    confirmed_by_resident: bool
    rating: int | None
    owner_name: str
    important: bool
    repeated: bool
    justified: bool
    paid: bool
    paid_for: bool
    emergency: bool
    complaint: bool
    planned: bool
    has_new_for_staff: bool
    has_new_for_resident: bool
    executor: int | None
    house: int
    account: int | None
    outage: int | None
    house_address: str | None
    premise_kind: str | None
    premise_number: str | None
    account_number: str | None
    executor_name: str | None
    entrance_number: int | None
    damage_at: datetime | None
    developer_sent_at: datetime | None  # when its claim went to the developer (the list says so while it waits)
    # A defect of a new house: the developer's last answer with its promised day and moment, and when work reported
    # done last went back to work (``rules.DeveloperClaim``): what the resident's status reads.
    developer_answer: str
    developer_promised_on: date | None
    developer_answered_at: datetime | None
    returned_at: datetime | None

    @property
    def active(self) -> bool:
        return self.status in ACTIVE

    @property
    def claim(self) -> rules.DeveloperClaim:
        return rules.DeveloperClaim(self.status, self.developer_answer, self.developer_promised_on,
                                    self.developer_answered_at, self.returned_at)  # fmt: skip

    @property
    def public_status(self) -> str:
        """The status its resident reads (``rules.public_status``)."""
        return rules.public_status(self.claim)

    @property
    def flags(self) -> list[str]:
        return [f for f in rules.FLAGS_EDITABLE if getattr(self, f)]

    def value(self, name: str) -> Any:
        return getattr(self, name)


@dataclass(frozen=True)
class TicketDetail(TicketRow):
    """One request as its page shows it (staff see the contact and author; residents are never shown them)."""

    resident_seen_event: int
    staff_seen_event: int
    feedback: str
    author: int | None
    contact_name: str
    contact_phone: str
    author_name: str | None
    author_phone: str | None
    premise: int | None
    entrance: int | None
    closed_at: datetime | None = None
    updated_at: datetime | None = None
    contact_email: str = ""  # the resident's e-mail a request filed from their letter came from
    # A defect of a new house: what is defective, and why the developer refused its claim (``Ticket``).
    defect_kind: str = ""
    developer_reason: str = ""

    @property
    def finished_at(self) -> datetime | None:
        """When the request finished, as the keeping terms of its files count (``rules.finished_at``)."""
        return rules.finished_at(self.status, self.completed_at, self.closed_at, self.updated_at)


@built_once
def _joined() -> Mapping[str, Any]:
    """The fields of a request's rows read from the records it refers to (``core.rows.columns_of``), each looked up
    by its key (``core.rows.looked_up``), not joined: the lists plan as one table."""
    return MappingProxyType(
        {
            "house_address": looked_up(Ticket.house.address),
            "premise_kind": looked_up(Ticket.premise.kind),
            "premise_number": looked_up(Ticket.premise.number),
            "account_number": looked_up(Ticket.account.number),
            "executor_name": looked_up(Ticket.executor.full_name),
            "entrance_number": looked_up(Ticket.entrance.number),
            "author_name": looked_up(Ticket.author.full_name),
            "author_phone": looked_up(Ticket.author.phone),
        }
    )


@built_once
def _columns(row: type) -> tuple[Any, ...]:
    """The columns of a request read as ``row`` (``TicketRow``, ``TicketDetail``, ``Searched``), built once."""
    return tuple(columns_of(Ticket, row, **_joined()))


def _list_columns() -> tuple[Any, ...]:
    return _columns(TicketRow)


def _detail_columns() -> tuple[Any, ...]:
    return _columns(TicketDetail)


def _rows(rows: Sequence[dict[str, Any]]) -> list[TicketRow]:
    return [TicketRow(**row) for row in rows]


# --- residents ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    """A premise a resident may file a request about (through an account with the "tickets" right)."""

    account_id: int
    account_number: str
    premise_id: int
    premise_kind: str
    premise_number: str
    house_id: int
    house_address: str
    entrance_id: int | None


@built_once
def _account_joined() -> Mapping[str, Any]:
    """The fields of an account's rows read through its premise (``core.rows.columns_of``)."""
    return MappingProxyType(
        {
            "account_id": PersonalAccount.id,
            "account_number": PersonalAccount.number,
            "premise_id": PersonalAccount.premise,
            "premise_kind": PersonalAccount.premise.kind,
            "premise_number": PersonalAccount.premise.number,
            "house_id": PersonalAccount.premise.house,
            "house_address": PersonalAccount.premise.house.address,
            "entrance_id": PersonalAccount.premise.entrance,
        }
    )


@built_once
def _account_columns(row: type) -> tuple[Any, ...]:
    """The columns of an account read as ``row`` (``Place``, ``AccountRef``), built once."""
    return tuple(columns_of(PersonalAccount, row, **_account_joined()))


async def resident_places(principal: Principal) -> list[Place]:
    """The premises the resident may file a request or an application about: their open accounts with the "tickets"
    right (a closed account's requests are still seen, ``resident_account_ids``; no new one is filed on it)."""
    ids = [a for a in resident_account_ids(principal) if principal.may_act_on(a, "tickets")]
    if not ids:
        return []
    rows = (
        await PersonalAccount.select(*_account_columns(Place))
        .where(PersonalAccount.id.is_in(ids))
        .order_by(PersonalAccount.number)
    )
    return [Place(**r) for r in rows]


async def resident_tickets(principal: Principal, page: PageRequest, *, active_only: bool = False) -> Page[TicketRow]:
    scope = _resident_scope(principal)
    if scope is None:
        return Page([], 0, page.number, page.size)
    where = scope & Ticket.status.is_in(sorted(ACTIVE | {Status.DONE})) if active_only else scope
    rows, total = await read_page(Ticket, _list_columns(), where, page)
    return Page(_rows(rows), total, page.number, page.size)


async def ticket_for_resident(principal: Principal, ticket_id: int) -> TicketDetail | None:
    """The request, if it belongs to one of the caller's accounts with the "tickets" right; else None (404)."""
    scope = _resident_scope(principal)
    if scope is None:
        return None
    row = await Ticket.select(*_detail_columns()).where((Ticket.id == ticket_id) & scope).first()
    return TicketDetail(**row) if row else None


async def ticket_for_staff(principal: Principal, ticket_id: int) -> TicketDetail | None:
    """The request, if it is in the caller's houses (and, for an executor, assigned to them); else None (404)."""
    return await _one_for_staff(principal, ticket_id, TicketDetail)


async def _one_for_staff(principal: Principal, ticket_id: int, row: type[R]) -> R | None:
    """One request read as ``row`` (a list's row or the whole request), if the caller may work on it; else None."""
    clauses = staff_scope(principal)
    if clauses is None:
        return None
    found = await Ticket.select(*_columns(row)).where(Ticket.id == ticket_id, *clauses).first()
    return row(**found) if found else None


@dataclass(frozen=True)
class Searched:
    """What a request's search text is made of (``actions.refresh_search_text``), besides its history."""

    id: int
    number: int
    description: str
    description_en: str
    owner_name: str
    contact_name: str
    contact_phone: str
    house_address: str | None
    premise_kind: str | None
    premise_number: str | None
    account_number: str | None
    executor_name: str | None


async def searched_tickets(ticket_ids: Sequence[int]) -> list[Searched]:
    """The words of the requests ``ticket_ids`` their search text holds, whoever asks (for a change already allowed).

    Only these columns are read: the migrations that rebuild the search text run on a database upgraded from an
    older release, where columns added by the later migrations are not there yet."""
    rows = await Ticket.select(*_columns(Searched)).where(Ticket.id.is_in(list(ticket_ids)))
    return [Searched(**r) for r in rows]


async def tickets_for_staff(principal: Principal, ticket_ids: Sequence[int]) -> list[TicketDetail]:
    """Those of ``ticket_ids`` the caller may work on (a bulk action over selected rows), at most 100."""
    clauses = staff_scope(principal)
    if clauses is None or not ticket_ids:
        return []
    rows = await Ticket.select(*_detail_columns()).where(Ticket.id.is_in(list(ticket_ids)[:100]), *clauses)
    return [TicketDetail(**r) for r in rows]


async def openable_for_staff(principal: Principal, ticket_ids: Iterable[int]) -> frozenset[int]:
    """Those of ``ticket_ids`` whose page the staff member may open (``staff_scope``, the rule of
    ``ticket_for_staff``): another domain's page links a request only then, its number as text otherwise. One
    statement for a whole page's ids (at most ``OPENABLE_AT_ONCE``)."""
    ids = sorted(set(ticket_ids))[:OPENABLE_AT_ONCE]
    clauses = staff_scope(principal)
    if clauses is None or not ids:
        return frozenset()
    rows = await Ticket.select(Ticket.id).where(Ticket.id.is_in(ids), *clauses)
    return frozenset(r["id"] for r in rows)


async def searched_history(ticket_ids: Sequence[int]) -> dict[int, list[str]]:
    """The words of each request's history its search text holds, newest first: the comments (and their English
    twins) of its newest ``rules.SEARCHED_EVENTS`` messages, internal notes, status moves and ratings, each cut at
    ``rules.SEARCH_COMMENT`` characters. One statement for any number of requests (bounded per request)."""
    ids = sorted(set(ticket_ids))
    if not ids:
        return {}
    kinds = [str(k) for k in rules.SEARCHED_KINDS]
    cut, newest = int(rules.SEARCH_COMMENT), int(rules.SEARCHED_EVENTS)
    sql = (
        "SELECT ticket, comment, comment_en FROM ("  # noqa: S608 (placeholders and numbers of code, no input)
        f"SELECT ticket, id, substr(comment, 1, {cut}) AS comment, substr(comment_en, 1, {cut}) AS comment_en, "
        "ROW_NUMBER() OVER (PARTITION BY ticket ORDER BY id DESC) AS n FROM ticket_event "
        f"WHERE ticket IN ({placeholders(ids)}) AND kind IN ({placeholders(kinds)}) "
        "AND (comment <> '' OR comment_en <> '')"
        f") AS e WHERE n <= {newest} ORDER BY ticket, id DESC"
    )
    said: dict[int, list[str]] = {}
    for row in await TicketEvent.raw(sql, *ids, *kinds):
        said.setdefault(row["ticket"], []).extend(w for w in (row["comment"], row["comment_en"]) if w)
    return said


@dataclass(frozen=True)
class Photo:
    id: int
    event: int | None
    width: int
    height: int
    content_type: str = "image/jpeg"  # a document (a meter's passport) may be a PDF: linked, not shown
    erased_at: datetime | None = None  # deleted at the end of its keeping term: the page says when


@dataclass(frozen=True)
class Event:
    """One entry of a request's history (a change or a message) with its photos."""

    id: int
    kind: str
    from_value: str
    to_value: str
    comment: str
    comment_en: str
    visible_to_resident: bool
    author: int | None
    author_name: str
    by_staff: bool
    created_at: datetime
    photos: list[Photo] = field(default_factory=list)


async def last_reopened(ticket_id: int) -> datetime | None:
    """When the request last went back to work from done or closed (``rules.reopens``), its deadline's clock
    started again; None if it never did."""
    row = (
        await TicketEvent.select(TicketEvent.created_at)
        .where(
            (TicketEvent.ticket == ticket_id)
            & (TicketEvent.kind == rules.EventKind.STATUS)
            & TicketEvent.from_value.is_in(sorted(rules.REOPENED_FROM))
            & TicketEvent.to_value.is_in(sorted(ACTIVE))
        )
        .order_by(TicketEvent.id, ascending=False)
        .first()
    )
    return row["created_at"] if row else None


async def conversation(ticket_id: int, *, for_resident: bool) -> list[Event]:
    """The history of a request, oldest first, each event with its photos (residents: only what is theirs to see)."""
    query = TicketEvent.select(*columns_of(TicketEvent, Event)).where(TicketEvent.ticket == ticket_id)
    photos = TicketAttachment.select(*columns_of(TicketAttachment, Photo)).where(TicketAttachment.ticket == ticket_id)
    if for_resident:
        query = query.where(TicketEvent.visible_to_resident.eq(True))
        photos = photos.where(TicketAttachment.visible_to_resident.eq(True))
    by_event: dict[int, list[Photo]] = {}
    for photo in await photos.order_by(TicketAttachment.id).limit(500):
        by_event.setdefault(photo["event"], []).append(Photo(**photo))
    return [Event(**e, photos=by_event.get(e["id"], [])) for e in await query.order_by(TicketEvent.id).limit(1000)]


@dataclass(frozen=True)
class Attachment:
    id: int
    ticket: int
    file_key: str
    content_type: str
    visible_to_resident: bool
    erased_at: datetime | None = None  # the file deleted at the end of its keeping term: its address answers 410


async def attachment(attachment_id: int) -> Attachment | None:
    query = TicketAttachment.select(*columns_of(TicketAttachment, Attachment))
    row = await query.where(TicketAttachment.id == attachment_id).first()
    return Attachment(**row) if row else None


async def recent_on_subject(
    subject: rules.Subject, category: str, now: datetime, exclude_id: int | None = None
) -> list[rules.Earlier]:
    """Requests of the same category about the same premise (or common place) in the repeat window (≤ 50)."""
    since = now - timedelta(days=rules.REPEAT_DAYS)
    query = Ticket.select(
        Ticket.id, Ticket.premise, Ticket.house, Ticket.place, Ticket.entrance, Ticket.created_at, Ticket.status
    ).where((Ticket.category == category) & (Ticket.created_at >= since) & (Ticket.created_at <= now))
    if subject.place == rules.Place.PREMISE and subject.premise_id is not None:
        query = query.where(Ticket.premise == subject.premise_id)
    else:
        query = query.where((Ticket.house == subject.house_id) & (Ticket.place == subject.place))
    if exclude_id is not None:
        query = query.where(Ticket.id != exclude_id)
    rows = await query.order_by(Ticket.created_at, ascending=False).limit(50)
    return [
        rules.Earlier(
            rules.Subject(r["premise"], r["house"], r["place"], r["entrance"]), category, r["created_at"], r["status"]
        )
        for r in rows
    ]


@dataclass(frozen=True)
class AccountRef(PremiseAddress):
    """A personal account as filing a request needs it."""

    id: int
    number: str
    payer_name: str
    premise_id: int
    house_id: int
    entrance_id: int | None
    house_address: str
    premise_kind: str
    premise_number: str


async def account_ref(account_id: int) -> AccountRef | None:
    found = await _accounts_where(PersonalAccount.id == account_id, limit=1)
    return found[0] if found else None


async def account_refs(account_ids: Sequence[int]) -> list[AccountRef]:
    """Accounts by id, at most 1000 (the demo's requests are filed on them)."""
    return await _accounts_where(PersonalAccount.id.is_in(list(account_ids)[:1000] or [0]), limit=1000)


ACCOUNT_MATCHES = 8


@dataclass(frozen=True)
class CallerAccount:
    """What the call-centre form's «Лицевой счёт» names: the account a request goes to (the number typed whole, or
    the one picked among the matches of the words typed), and the matches shown to confirm or choose from."""

    typed: str
    account: AccountRef | None
    matches: list[AccountRef]
    more: bool = False  # more accounts match than are shown: more words would narrow them
    phone: str | None = None  # what is typed, read as a phone (+7…): the caller's phone, not an account's number
    people: Mapping[int, str] = field(default_factory=dict)  # account id → the portal user whose phone was typed


async def caller_account(principal: Principal, typed: str, picked: int | None) -> CallerAccount:
    """The account for a request filed on a caller's behalf. A pick counts only among the matches of what is typed
    now (the words may have changed after the matches were shown without JavaScript); words that match one account
    alone choose it, unless another was picked."""
    typed = typed.strip()
    numbered = await _accounts_where(PersonalAccount.number == typed, limit=1) if typed else []
    exact = numbered[0] if numbered and principal.may_see_house(numbered[0].house_id) else None
    people = await residents_by_phone(typed)
    matches = await find_accounts(principal, typed, people)
    if exact is not None and exact not in matches:
        matches = [exact, *matches]
    chosen = next((m for m in matches[:ACCOUNT_MATCHES] if m.id == picked), None)
    if picked is None and len(matches) == 1:
        chosen = matches[0]
    phone = None if numbered else normalize_phone(typed)  # ten digits may be an account's number (any house's)
    shown = matches[:ACCOUNT_MATCHES]
    named = {m.id: people[m.id] for m in shown if m.id in people}
    return CallerAccount(typed, chosen or exact, shown, len(matches) > ACCOUNT_MATCHES, phone, named)


async def find_accounts(principal: Principal, typed: str, people: Mapping[int, str] | None = None) -> list[AccountRef]:
    """The accounts a caller's words name (part of the number, the payer, the address with the flat: the staff
    accounts list's search; or an owner's name or phone; or the accounts ``people`` — of the portal user with that
    phone, ``residents_by_phone``), in the operator's houses, by number: one more than ``ACCOUNT_MATCHES`` at most."""
    words = await account_match(typed, people or ())
    if words is None:
        return []
    where = every([house_scope(PersonalAccount.premise.house, principal), words])
    return await _accounts_where(where, limit=ACCOUNT_MATCHES + 1)


async def _accounts_where(where: Any, *, limit: int) -> list[AccountRef]:
    query = PersonalAccount.select(*_account_columns(AccountRef))
    return [AccountRef(**row) for row in await query.where(where).order_by(PersonalAccount.number).limit(limit)]


# --- outages --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OutageRow:
    id: int
    service: str
    description: str
    starts_at: datetime
    ends_at: datetime | None
    closed_at: datetime | None
    house: int
    house_address: str
    entrance_number: int | None
    riser_code: str | None
    tickets: int = 0


async def _outage_rows(where: Any, limit: int = 50) -> list[OutageRow]:
    joined = {
        "house_address": Outage.house.address,
        "entrance_number": Outage.entrance.number,
        "riser_code": Outage.riser.code,
    }
    rows = (
        await Outage.select(*columns_of(Outage, OutageRow, **joined))
        .where(where)
        .order_by(Outage.starts_at, ascending=False)
        .limit(limit)
    )
    return [OutageRow(**r) for r in rows]


async def outages_by_id(ids: Sequence[int]) -> list[OutageRow]:
    """The outages ``ids``, open or closed, in one query (the audit log names them)."""
    return await _outage_rows(Outage.id.is_in(list(ids)), limit=len(ids)) if ids else []


async def outages_affecting(places: Sequence[Place], now: datetime) -> list[OutageRow]:
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


async def staff_outages(principal: Principal, *, house_id: int | None = None) -> list[OutageRow]:
    """Open outages of the caller's houses (of one house if given), each with its number of linked requests."""
    where: Any = Outage.closed_at.is_null()
    if principal.house_ids is not None:
        if not principal.house_ids:
            return []
        where = where & Outage.house.is_in(sorted(principal.house_ids))
    if house_id is not None:
        where = where & (Outage.house == house_id)
    rows = await _outage_rows(where, limit=100)
    if not rows:
        return rows
    tally: dict[int, int] = {}
    for linked in await Ticket.select(Ticket.outage).where(Ticket.outage.is_in([r.id for r in rows])):
        tally[linked["outage"]] = tally.get(linked["outage"], 0) + 1
    return [OutageRow(**{**vars(r), "tickets": tally.get(r.id, 0)}) for r in rows]


async def outage_for_staff(principal: Principal, outage_id: int) -> OutageRow | None:
    rows = await _outage_rows(Outage.id == outage_id, limit=1)
    return rows[0] if rows and principal.may_see_house(rows[0].house) else None


async def outage_place(
    house_id: int, entrance_number: int | None, riser_code: str
) -> tuple[int | None, int | None, list[str]]:
    """An outage's entrance (by its number) and riser (by its code) in its house: their ids, and which of those
    given the house does not have."""
    entrance_id = riser_id = None
    wrong: list[str] = []
    if entrance_number:
        row = (
            await Entrance.select(Entrance.id)
            .where((Entrance.house == house_id) & (Entrance.number == entrance_number))
            .first()
        )
        entrance_id = row["id"] if row else None
        if row is None:
            wrong.append("entrance")
    if riser_code:
        row = await Riser.select(Riser.id).where((Riser.house == house_id) & (Riser.code == riser_code)).first()
        riser_id = row["id"] if row else None
        if row is None:
            wrong.append("riser")
    return entrance_id, riser_id, wrong


async def active_linked(outage_id: int) -> list[TicketDetail]:
    """The active requests linked to an outage (completed with it when it closes), at most 1000."""
    rows = (
        await Ticket.select(*_detail_columns())
        .where((Ticket.outage == outage_id) & Ticket.status.is_in(sorted(ACTIVE)))
        .limit(1000)
    )
    return [TicketDetail(**r) for r in rows]


# --- the staff list -------------------------------------------------------------------------------------------


def overdue_at(now: datetime) -> Any:
    """Requests still open past the minute of their deadline at ``now``, as the rows' badge reads it
    (``rules.countdown``): the overdue tab and the analytics' count of overdue requests alike."""
    return Ticket.status.is_in(sorted(ACTIVE)) & (Ticket.deadline <= now - rules.DUE_MINUTE)


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
        clauses.append(overdue_at(now))
    elif f.tab == "mine":
        clauses.append(Ticket.executor == principal.user_id)
    if f.q:
        match = text_match("ticket", "search_text", f.q)
        if f.number is not None:
            clauses.append((Ticket.number == f.number) | match if match is not None else Ticket.number == f.number)
        elif match is not None:
            clauses.append(match)
    clauses += [
        within(Ticket.created_at, f.created_from, f.created_to),
        within(Ticket.deadline, f.deadline_from, f.deadline_to),
        within(Ticket.completed_at, f.completed_from, f.completed_to),
        within(Ticket.control_date, f.control_from, f.control_to),
        within(Ticket.rating, f.rating_from, f.rating_to),
    ]
    for column, values in (
        (Ticket.type, f.types),
        (Ticket.status, f.statuses),
        (Ticket.category, f.categories),
        (Ticket.house, f.houses),
    ):
        if values:
            clauses.append(column.is_in(list(values)))
    if f.internal_status:
        clauses.append(Ticket.internal_status == f.internal_status)
    if f.executor is not None:
        if f.executor_ever:
            ever = TicketEvent.select(TicketEvent.ticket).where(
                (TicketEvent.kind == rules.EventKind.EXECUTOR) & (TicketEvent.to_value == str(f.executor))
            )
            clauses.append(Ticket.id.is_in(ever))
        else:
            clauses.append(Ticket.executor == f.executor)
    if f.source:
        clauses.append(Ticket.source == f.source)
    if f.warranty:
        clauses.append(_warranty_clause(f.warranty))
    if f.outage is not None:
        clauses.append(Ticket.outage == f.outage)
    for flag in f.flags:
        if flag == "late":  # done after its deadline, to the second (``rules.lateness``)
            clauses.append(WhereRaw("ticket.completed_at > ticket.deadline"))
            continue
        column = Ticket.has_new_for_staff if flag == "new_messages" else getattr(Ticket, flag)
        clauses.append(column.eq(True))
    return [clause for clause in clauses if clause is not None]


def _warranty_clause(state: str) -> Any:
    """Defects of a new house whose claim stands at ``state`` (``filters.WARRANTY_FILTERS``), by the category's
    index."""
    defect = Ticket.category == "warranty_defect"
    if state == "unsent":
        return defect & Ticket.developer_sent_at.is_null()
    if state == "waiting":
        return defect & Ticket.developer_sent_at.is_not_null() & (Ticket.developer_answer == "")
    if state in set(rules.DeveloperAnswer):
        return defect & (Ticket.developer_answer == state)
    return defect


def _ordered(query: Select, sort: str) -> Select:
    """Sorted by an allow-listed key; requests without a deadline (or date) come last either way, on both engines."""
    key = sort.lstrip("-")
    name = SORT_KEYS.get(key, "created_at")
    column = getattr(Ticket, name)
    ascending = not sort.startswith("-")
    if column._meta.null:
        query = query.order_by(OrderByRaw(f'"ticket"."{name}" IS NULL'))
    return query.order_by(column, ascending=ascending).order_by(Ticket.id, ascending=ascending)


async def staff_list(principal: Principal, f: TicketFilters, page: PageRequest, now: datetime) -> Page[TicketRow]:
    clauses = filter_clauses(principal, f, now)
    if clauses is None:
        return Page([], 0, page.number, page.size)
    total = await Ticket.count().where(*clauses) if clauses else await Ticket.count()
    query = Ticket.select(*_list_columns())
    if clauses:
        query = query.where(*clauses)
    rows = await _ordered(query, f.sort).limit(page.size).offset(page.offset)
    return Page(_rows(rows), total, page.number, page.size)


@dataclass(frozen=True)
class AtTheDoor:
    """What an executor needs on the way to a request of theirs still open: the entrance and floor, and whom to
    call (the contact given with the request, else its author's phone)."""

    id: int
    entrance_number: int | None
    floor: int | None
    contact_phone: str
    author_phone: str | None
    contact_email: str = ""  # a request filed from a resident's letter: written back to

    @property
    def phone(self) -> str:
        return self.contact_phone or self.author_phone or ""


async def at_the_door(principal: Principal, ticket_ids: Sequence[int]) -> dict[int, AtTheDoor]:
    """For the executor's cards (at most a page of them): of ``ticket_ids``, those still open and theirs. A request
    done, closed or handed to someone else gives nothing: the resident's phone is not the executor's any more."""
    if not ticket_ids or principal.user_id is None:
        return {}
    rows = await Ticket.select(
        Ticket.id,
        Ticket.entrance.number.as_alias("entrance_number"),
        Ticket.premise.entrance.number.as_alias("premise_entrance"),
        Ticket.premise.floor.as_alias("floor"),
        Ticket.contact_phone,
        Ticket.author.phone.as_alias("author_phone"),
        Ticket.contact_email,
    ).where(
        Ticket.id.is_in(list(ticket_ids)) & (Ticket.executor == principal.user_id) & Ticket.status.is_in(sorted(ACTIVE))
    )
    return {
        row["id"]: AtTheDoor(
            row["id"],
            row["entrance_number"] or row["premise_entrance"],
            row["floor"],
            row["contact_phone"],
            row["author_phone"],
            row["contact_email"],
        )
        for row in rows
    }


async def photo_counts(ticket_ids: Sequence[int]) -> dict[int, int]:
    """For the executor's cards (a page of them and the latest done): how many photos each request has, kept ones
    (a request with none has no key; a PDF scan is no photo). The ids are of requests the caller was shown; one
    grouped query, none for no request."""
    if not ticket_ids:
        return {}
    rows = await (
        TicketAttachment.select(TicketAttachment.ticket, Count(TicketAttachment.id, alias="n"))
        .where(
            TicketAttachment.ticket.is_in(sorted(set(ticket_ids)))
            & TicketAttachment.content_type.like("image/%")  # a scan in PDF is no photo
            & TicketAttachment.erased_at.is_null()
        )
        .group_by(TicketAttachment.ticket)
    )
    return {int(r["ticket"]): int(r["n"]) for r in rows}


ACCOUNT_RECENT = 5


async def recent_of_account(principal: Principal, account_id: int) -> Page[TicketRow]:
    """An account's latest requests the staff member may open, newest first, and how many (its staff page: a
    caller's history). The caller has already been allowed the account; an accountant sees the requests they answer
    alone, an executor their own, as in the list. A new owner's application, filed on the old account, is listed
    on the account it opened too."""
    scope = staff_scope(principal)
    if scope is None:
        return Page([], 0, 1, ACCOUNT_RECENT)
    opened = HandoverApplication.select(HandoverApplication.ticket).where(HandoverApplication.new_account == account_id)
    where = every([(Ticket.account == account_id) | Ticket.id.is_in(opened), *scope])
    query = Ticket.select(*_list_columns()).where(where).order_by(Ticket.created_at, ascending=False)
    rows = await query.limit(ACCOUNT_RECENT)
    return Page(_rows(rows), await Ticket.count().where(where), 1, ACCOUNT_RECENT)


async def staff_row(principal: Principal, ticket_id: int) -> TicketRow | None:
    """One row of the staff list (redrawn in place after an action from the row)."""
    return await _one_for_staff(principal, ticket_id, TicketRow)


EXPORT_LIMIT = 100_000
EXPORT_BATCH = 1000


async def export_rows(principal: Principal, f: TicketFilters, now: datetime) -> AsyncIterator[TicketRow]:
    """Every filtered row, in batches (an async generator), at most EXPORT_LIMIT."""
    clauses = filter_clauses(principal, f, now)
    if clauses is None:
        return
    offset = 0
    while offset < EXPORT_LIMIT:
        query = Ticket.select(*_list_columns())
        if clauses:
            query = query.where(*clauses)
        rows = await _ordered(query, f.sort).limit(EXPORT_BATCH).offset(offset)
        for row in _rows(rows):
            yield row
        if len(rows) < EXPORT_BATCH:
            return
        offset += EXPORT_BATCH


COUNTED_TABS = ("active", "unassigned", "overdue")


# The badges of the tabs still to count (``COUNTED_TABS``' names): each tab's own WHERE counted among the rows of any.
_TAB_COUNTS = "SELECT {counts} FROM ticket WHERE {any}"


async def tab_counts(principal: Principal, now: datetime, shown: Mapping[str, int] | None = None) -> dict[str, int]:
    """How many requests each counted tab holds (active, without executor, overdue), for the tab badges.
    ``shown``: a tab the page lists with no other filter, and its total, counted already by the same query."""
    counts: dict[str, int] = {}
    wanted: dict[str, Any] = {}  # the tabs still to count, each with its WHERE
    for tab in COUNTED_TABS:
        if shown and tab in shown:
            counts[tab] = shown[tab]
            continue
        clauses = filter_clauses(principal, TicketFilters(tab=tab), now)
        if clauses is None:
            counts[tab] = 0
        else:
            wanted[tab] = every(clauses)
    if wanted:
        # One statement for every tab still to count, not a statement each.
        sql = _TAB_COUNTS.replace("{counts}", ", ".join(f"COUNT(CASE WHEN {{}} THEN 1 END) AS {t}" for t in wanted))
        sql = sql.replace("{any}", " OR ".join("({})" for _ in wanted))
        parts = [where.querystring for where in wanted.values()]
        row = (await Ticket.raw(sql, *parts, *parts))[0]
        counts.update({tab: int(row[tab] or 0) for tab in wanted})
    return counts


async def menu_counts(principal: Principal, now: datetime) -> dict[str, int]:
    """The side menu's counters: new requests (and returned ones) and requests with unread messages."""
    counts = {"new": 0, "unread": 0}
    clauses = staff_scope(principal)
    if clauses is None:
        return counts
    counts["new"] = await Ticket.count().where(Ticket.status.is_in([Status.NEW, Status.REOPENED]), *clauses)
    counts["unread"] = await Ticket.count().where(
        Ticket.has_new_for_staff.eq(True), Ticket.status.is_in(sorted(ACTIVE | {Status.DONE})), *clauses
    )
    return counts


def today_views(today: date) -> dict[str, str]:
    """The views of the day's work on the staff overview: key -> the request list's query that shows it."""
    day = today.isoformat()
    waiting = "&".join(f"status={s}" for s in sorted(ACTIVE | {Status.DONE}))
    return {
        "new": f"tab=active&status={Status.NEW}&status={Status.REOPENED}",
        "unassigned": "tab=unassigned",
        "overdue": "tab=overdue",
        "due_today": f"tab=active&deadline_from={day}&deadline_to={day}",
        "unread": f"tab=all&flag=new_messages&{waiting}",
    }


async def today_counts(principal: Principal, now: datetime, tz: str) -> dict[str, tuple[int, str]]:
    """The day's work (new, without executor, overdue, due today, messages waiting): for each, how many requests
    and the list's query that shows them; counted through that very query, so the number is the list's."""
    found: dict[str, tuple[int, str]] = {}
    for key, query in today_views(now.astimezone(ZoneInfo(tz)).date()).items():
        clauses = filter_clauses(principal, read_filters(parse_qs(query), tz), now)
        found[key] = (0 if clauses is None else await Ticket.count().where(*clauses), query)
    return found


class Option(NamedTuple):
    """An id and its name, for a choice in a form (a house, an executor): a pair for the ``select`` macro."""

    id: int
    name: str


async def houses_for(principal: Principal) -> list[Option]:
    """The caller's houses (``housing.queries.houses_in_scope``) as choices."""
    return [Option(h.id, h.address) for h in await houses_in_scope(principal)]


EXECUTORS_LIMIT = 500


class Executor(NamedTuple):
    """An executor of the list's filter, and the houses whose requests they would see once assigned: None for one
    who sees every house (an administrator), else those of their houses the caller sees."""

    option: Option
    houses: frozenset[int] | None


# The active executors who work in one of the caller's houses or in every house (administrators), by name; each with
# those of their houses the caller sees ({scope}: those houses, empty for a caller who sees every house).
_EXECUTORS = """
SELECT u.id, u.full_name AS name, {agg} AS houses,
       EXISTS (SELECT 1 FROM user_role a WHERE a."user" = u.id AND a.role = {}) AS everywhere
FROM portal_user u
LEFT JOIN staff_house sh ON sh."user" = u.id {scope}
WHERE u.is_active AND EXISTS (SELECT 1 FROM user_role r WHERE r."user" = u.id AND r.role = {})
GROUP BY u.id, u.full_name
{having}
ORDER BY u.full_name, u.id
LIMIT {}
"""
_IN_SCOPE = 'HAVING COUNT(sh.house) > 0 OR EXISTS (SELECT 1 FROM user_role w WHERE w."user" = u.id AND w.role = {})'
_AGGREGATE = {"sqlite": "group_concat(sh.house)", "postgres": "string_agg(CAST(sh.house AS TEXT), ',')"}


async def executors(principal: Principal) -> list[Executor]:
    """The executors of the list's filter: those who work in one of the caller's houses (``housing.queries.
    house_scope``) or in every house (administrators); every executor for a caller who sees every house. One
    statement, at most ``EXECUTORS_LIMIT``; ``assignable_among`` tells from it who may take each request shown."""
    mine = sorted(principal.house_ids or ())
    admin, executor = StaffRole.ADMIN.value, StaffRole.EXECUTOR.value
    sql = _EXECUTORS.replace("{agg}", _AGGREGATE[User._meta.db.engine_type])
    limited = principal.house_ids is not None
    # the caller's houses; none for a caller of no house; every one for a caller who sees every house
    no_house = "AND 1 = 0" if limited else ""
    sql = sql.replace("{scope}", f"AND sh.house IN ({placeholders(mine)})" if mine else no_house)
    sql = sql.replace("{having}", _IN_SCOPE if limited else "")
    rows = await User.raw(sql, admin, *mine, executor, *([admin] if limited else []), EXECUTORS_LIMIT)
    return [_executor(r) for r in rows]


def _executor(row: dict[str, Any]) -> Executor:
    houses = None if row["everywhere"] else frozenset(int(h) for h in str(row["houses"] or "").split(",") if h)
    return Executor(Option(row["id"], row["name"]), houses)


def assignable_among(found: Sequence[Executor], houses: Iterable[int]) -> dict[int, list[Option]]:
    """For each of ``houses`` (of the caller's), those of ``found`` who would see a request of it (pure)."""
    return {h: [e.option for e in found if e.houses is None or h in e.houses] for h in sorted(set(houses))}


# The executors who would see a request of one of the houses given: active, with the executor role, and given one
# of these houses or seeing every house (administrators); a row per house of theirs among those given, by name.
_TAKERS = """
SELECT u.id, u.full_name AS name, sh.house,
       EXISTS (SELECT 1 FROM user_role a WHERE a."user" = u.id AND a.role = {}) AS everywhere
FROM portal_user u
LEFT JOIN staff_house sh ON sh."user" = u.id AND sh.house IN ({houses})
WHERE u.is_active
  AND EXISTS (SELECT 1 FROM user_role r WHERE r."user" = u.id AND r.role = {})
  AND (sh.house IS NOT NULL OR EXISTS (SELECT 1 FROM user_role w WHERE w."user" = u.id AND w.role = {}))
ORDER BY u.full_name, u.id
LIMIT {}
"""


async def assignable(houses: Iterable[int]) -> dict[int, list[Option]]:
    """For each of ``houses``, the executors who would see a request of that house once assigned to it: their
    houses hold it (``Principal.may_see_house`` on the houses they are given) or they see every house
    (administrators). One statement whatever the number of houses, at most ``EXECUTORS_LIMIT`` executors."""
    wanted = sorted(set(houses))
    if not wanted:
        return {}
    sql = _TAKERS.replace("{houses}", placeholders(wanted))
    admin, executor = StaffRole.ADMIN.value, StaffRole.EXECUTOR.value
    rows = await User.raw(sql, admin, *wanted, executor, admin, EXECUTORS_LIMIT * len(wanted))
    found: dict[int, Option] = {}
    given: dict[int, set[int]] = {}
    everywhere: set[int] = set()
    for row in rows:
        if row["id"] not in found and len(found) == EXECUTORS_LIMIT:
            break
        found.setdefault(row["id"], Option(row["id"], row["name"]))
        if row["house"] is not None:
            given.setdefault(row["id"], set()).add(row["house"])
        if row["everywhere"]:
            everywhere.add(row["id"])
    scopes = {key: Principal(house_ids=None if key in everywhere else frozenset(given.get(key, ()))) for key in found}
    return {h: [e for e in found.values() if scopes[e.id].may_see_house(h)] for h in wanted}


async def executors_for(houses: Iterable[int]) -> list[Option]:
    """The executors who would see a request of every one of ``houses`` (one request, or the ticked ones)."""
    by_house = await assignable(houses)
    if not by_house:
        return []
    common = set.intersection(*({e.id for e in found} for found in by_house.values()))
    return [e for e in next(iter(by_house.values())) if e.id in common]


async def saved_columns(user_id: int) -> list[str]:
    """The list's columns as the user chose them (the defaults when they have not)."""
    row = await TicketListColumns.select(TicketListColumns.columns).where(TicketListColumns.user == user_id).first()
    return read_columns(row["columns"] if row else None)


@dataclass(frozen=True)
class SavedView:
    id: int
    name: str
    query: str


MAX_VIEWS = 12


async def saved_views(user_id: int) -> list[SavedView]:
    rows = (
        await TicketSavedView.select(*columns_of(TicketSavedView, SavedView))
        .where(TicketSavedView.user == user_id)
        .order_by(TicketSavedView.id)
        .limit(MAX_VIEWS)
    )
    return [SavedView(**r) for r in rows]


# --- home section ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HomeSection:
    tickets: list[TicketRow]
    total: int
    now: datetime
    tk: Any = None  # the words of codes, set by the page that shows the section


async def home_section(principal: Principal, now: datetime) -> HomeSection | None:
    """The resident's three newest requests still in work (or done and awaiting their word), and how many."""
    newest = await resident_tickets(principal, PageRequest(size=3), active_only=True)
    return HomeSection(list(newest.items), newest.total, now) if newest.total else None


async def debts_of(places: Sequence[Place]) -> dict[int, Decimal]:
    """The debt of each account among ``places`` (0 where it owes nothing), in their order: what an application
    for an instalment plan may spread (``rules.instalment_problem``). A fixed number of queries."""
    from portal.billing.queries import account_balances

    ids = list(dict.fromkeys(p.account_id for p in places))
    balances = {b.info.id: b.state for b in await account_balances(ids)}
    return {i: balances[i].amount if i in balances and balances[i].kind == "debt" else Decimal("0.00") for i in ids}


# --- a meter's commissioning -----------------------------------------------------------------------------------

WATER = ("cold_water", "hot_water")


@dataclass(frozen=True)
class MeterPlace:
    """A water meter of an account whose place a new meter may take (``meters`` domain's table, read here)."""

    id: int
    account_id: int
    service: str
    serial: str
    place: str


async def water_meters_of(account_ids: Sequence[int]) -> list[MeterPlace]:
    """The water meters in use (or failed) of the accounts: the places a resident's new meter may take."""
    from portal.meters.tables import Meter

    if not account_ids:
        return []
    rows = await (
        Meter.select(Meter.id, Meter.account.as_alias("account_id"), Meter.service, Meter.serial, Meter.place)
        .where(Meter.account.is_in(list(account_ids)) & Meter.service.is_in(list(WATER)))
        .where(Meter.status.is_in(["active", "failed"]))
        .order_by(Meter.account)
        .order_by(Meter.id)
        .limit(100)
    )
    return [MeterPlace(**r) for r in rows]


@dataclass(frozen=True)
class MeterApplicationRow:
    """What an application for a meter's commissioning said (``tables.MeterApplication``), with where its card goes."""

    ticket_id: int
    premise_id: int | None
    account_id: int | None
    completed_at: datetime | None
    meter: int | None
    service: str
    place: str
    serial: str
    model: str
    reading: Decimal
    verified_on: date
    next_verification: date
    visit_first: date
    visit_second: date


async def meter_application(ticket_id: int) -> MeterApplicationRow | None:
    """The application of a request (None: the request has none, as one filed by the call centre)."""
    ticket = MeterApplication.ticket
    joined = {"premise_id": ticket.premise, "account_id": ticket.account, "completed_at": ticket.completed_at}
    row = await (
        MeterApplication.select(*columns_of(MeterApplication, MeterApplicationRow, **joined))
        .where(MeterApplication.ticket == ticket_id)
        .first()
    )
    return MeterApplicationRow(**row) if row else None


async def meter_card_link(principal: Principal, ticket: TicketDetail) -> str | None:
    """Where staff make the meter's card from a request's application (the replacement form of the meter it
    replaces, or the new meter form of its premise, prefilled: ``meters`` routes' ``application``), once the work is
    done and for those who keep the meters' register (``rules.meter_card_due``); None otherwise."""
    if not rules.meter_card_due(ticket.category, ticket.status) or not principal.has_role("manager"):
        return None
    application = await meter_application(ticket.id)
    if application is None:
        return None
    if application.meter is not None:
        return f"/staff/meters/meter/{application.meter}?application={ticket.id}#replace-h"
    return f"/staff/meters/premises/{application.premise_id}?application={ticket.id}#add-h"


# --- a new owner or payer of a flat -------------------------------------------------------------------------------


async def account_named(number: str, house_id: int, premise_number: str) -> AccountRef | None:
    """The open account of this number whose premise is this number in this house, or None: a wrong pair and an
    account that does not exist look alike (by the number's unique index)."""
    where = (
        (PersonalAccount.number == number.strip())
        & (PersonalAccount.premise.house == house_id)
        & (PersonalAccount.premise.number == premise_number.strip())
        & PersonalAccount.closed_on.is_null()
    )
    found = await _accounts_where(where, limit=1)
    return found[0] if found else None


HOUSES_LIMIT = 1000


async def company_houses() -> list[Option]:
    """Every house the company manages (public, as on the company's page), by address: where a new owner's flat is."""
    rows = await House.select(House.id, House.address).order_by(House.address).limit(HOUSES_LIMIT)
    return [Option(r["id"], r["address"]) for r in rows]


@dataclass(frozen=True)
class HandoverRow:
    """An application of a new owner or payer: what it asks to write, and its documents' stored keys."""

    id: int
    ticket: int
    kind: str
    day: date
    full_name: str
    share_numerator: int | None
    share_denominator: int | None
    documents: str
    applied_at: datetime | None
    decided_at: datetime | None
    decided_by: int | None
    decided_name: str
    account_version: str
    documents_erased_at: datetime | None = None  # deleted at the end of their keeping term: the pages say when

    @property
    def document_keys(self) -> list[str]:
        return [k for k in self.documents.splitlines() if k]

    @property
    def share(self) -> str:
        if self.share_numerator is None or self.share_denominator is None:
            return ""
        return share_text(self.share_numerator, self.share_denominator)


async def handover_of(ticket_id: int) -> HandoverRow | None:
    """The application of this request (by its unique ticket), read only after the request was loaded for the
    caller (``deps``)."""
    row = (
        await HandoverApplication.select(*columns_of(HandoverApplication, HandoverRow))
        .where(HandoverApplication.ticket == ticket_id)
        .first()
    )
    return HandoverRow(**row) if row else None


# Applications the daily job applies in one run; the rest wait for its next run an hour later.
DUE_BATCH = 200


async def handovers_due(today: date) -> list[HandoverRow]:
    """Payer changes staff decided ahead of their day, the day now come, not applied yet, of requests still open,
    the first decided first (read through the index of ``decided_at``, which only such decisions fill)."""
    rows = (
        await HandoverApplication.select(*columns_of(HandoverApplication, HandoverRow))
        .where(
            HandoverApplication.decided_at.is_not_null()
            & HandoverApplication.applied_at.is_null()
            & (HandoverApplication.day <= today)
            & HandoverApplication.ticket.status.is_in(sorted(ACTIVE))
        )
        .order_by(HandoverApplication.decided_at)
        .limit(DUE_BATCH)
    )
    return [HandoverRow(**r) for r in rows]


async def ticket_detail(ticket_id: int) -> TicketDetail | None:
    """A request by its id, for a job acting on a decision staff took on it (no caller to scope it by)."""
    row = await Ticket.select(*_detail_columns()).where(Ticket.id == ticket_id).first()
    return TicketDetail(**row) if row else None


@dataclass(frozen=True)
class ShareNow:
    """A share of the premise standing on the handover's day, with the version its ending is written at."""

    id: int
    owner_name: str
    share_numerator: int
    share_denominator: int
    valid_from: date | None
    version: int

    @property
    def share(self) -> str:
        return share_text(self.share_numerator, self.share_denominator)


async def shares_standing(premise_id: int, day: date) -> list[ShareNow]:
    """The premise's shares not ended before ``day`` (at most 50, by the premise's index)."""
    rows = (
        await Ownership.select(*columns_of(Ownership, ShareNow, owner_name=Ownership.owner.name))
        .where((Ownership.premise == premise_id) & (Ownership.valid_to.is_null() | (Ownership.valid_to >= day)))
        .order_by(Ownership.id)
        .limit(50)
    )
    return [ShareNow(**r) for r in rows]


async def ownership_values(ownership_id: int) -> dict[str, Any]:
    """A share's values as the register's form saves them (``housing.actions.save_ownership``)."""
    columns = (
        Ownership.premise,
        Ownership.owner,
        Ownership.share_numerator,
        Ownership.share_denominator,
        Ownership.joint,
        Ownership.document,
        Ownership.valid_from,
        Ownership.valid_to,
    )
    row = await Ownership.select(*columns).where(Ownership.id == ownership_id).first()
    return {**row, "joint": bool(row["joint"])} if row else {}


async def user_contact(user_id: int) -> dict[str, str]:
    """The confirmed e-mail and phone of a portal user, as the register of owners keeps an owner's contacts (the
    portal names them the owner by these when they link an account)."""
    row = (
        await User.select(User.email, User.phone, User.email_confirmed_at, User.phone_confirmed_at)
        .where(User.id == user_id)
        .first()
    )
    if row is None:
        return {"email": "", "phone": ""}
    email = row["email"] if row["email_confirmed_at"] and row["email"] else ""
    phone = row["phone"] if row["phone_confirmed_at"] and row["phone"] else ""
    return {"email": email, "phone": phone}


async def registry_people(name: str, user_id: int | None) -> list[rules.RegistryPerson]:
    """The register's owners who may be the new owner: persons of the name as typed or written with capitals (the
    name's index), and those the applicant is linked to (staff-checked, ``OwnerLink``); bounded."""
    spellings = sorted({" ".join(name.split()), " ".join(name.split()).title()})
    person = Owner.kind == OwnerKind.PERSON
    columns = (Owner.id, Owner.name, Owner.email, Owner.phone)
    named = await Owner.select(*columns).where(Owner.name.is_in(spellings) & person).order_by(Owner.id).limit(20)
    linked: list[dict[str, Any]] = []
    if user_id is not None:
        mine = OwnerLink.select(OwnerLink.owner).where(OwnerLink.user == user_id)
        linked = await Owner.select(*columns).where(Owner.id.is_in(mine) & person).order_by(Owner.id).limit(20)
    ids = {r["id"] for r in linked}
    return [
        rules.RegistryPerson(r["id"], r["name"], r["email"] or "", r["phone"] or "", r["id"] in ids)
        for r in {r["id"]: r for r in [*named, *linked]}.values()
    ]


# --- the freight lift's bookings --------------------------------------------------------------------------------


async def taken_hours(entrance_id: int, day: date) -> set[int]:
    """The hours of ``day`` whose slot a booking of the entrance holds."""
    rows = await (
        LiftBooking.select(LiftBooking.hour)
        .where((LiftBooking.entrance == entrance_id) & (LiftBooking.day == day) & LiftBooking.held.is_not_null())
        .limit(24)
    )
    return {r["hour"] for r in rows}


@dataclass(frozen=True)
class LiftBookingRow:
    ticket_id: int
    house_id: int
    entrance_id: int
    day: date
    hour: int
    starts_at: datetime
    ends_at: datetime
    carried: str
    phone: str
    held: str | None


async def lift_booking(ticket_id: int) -> LiftBookingRow | None:
    """The booking a request was filed as (None: the request is none)."""
    row = (
        await LiftBooking.select(*columns_of(LiftBooking, LiftBookingRow))
        .where(LiftBooking.ticket == ticket_id)
        .first()
    )
    return LiftBookingRow(**row) if row else None


async def caller_place(principal: Principal, account_id: int) -> Place | None:
    """An account of the staff member's houses as a place the call centre books the lift for (None: not theirs)."""
    row = await PersonalAccount.select(*_account_columns(Place)).where(PersonalAccount.id == account_id).first()
    return Place(**row) if row and principal.may_see_house(row["house_id"]) else None


# --- files and documents past their keeping term (the daily job ``actions.erase_request_files``) -----------------


def _finished_before(ticket: Any, before: datetime) -> Any:
    """The request (``ticket``: the table, or a foreign key to it) finished before ``before``, as ``rules.finished_at``
    counts it."""
    return (
        ((ticket.status == Status.DONE) & (ticket.completed_at < before))
        | ((ticket.status == Status.CLOSED) & (ticket.closed_at < before))
        | ((ticket.status == Status.CANCELLED) & (ticket.updated_at < before))
    )


async def documents_past_term(decided_before: datetime, limit: int) -> list[int]:
    """New owners' applications decided before ``decided_before`` whose documents are kept yet, by the index of
    ``documents_erased_at``, which holds only the applications not yet done as null."""
    rows = (
        await HandoverApplication.select(HandoverApplication.id)
        .where(
            HandoverApplication.documents_erased_at.is_null()
            & (HandoverApplication.documents != "")
            & _finished_before(HandoverApplication.ticket, decided_before)
        )
        .order_by(HandoverApplication.id)
        .limit(limit)
    )
    return [r["id"] for r in rows]


async def files_past_term(finished_before: datetime, limit: int) -> list[int]:
    """Photos and files of requests finished before ``finished_before``, kept yet, by the index of ``erased_at``
    (only the files not yet deleted are null); a file is older than its request's end."""
    rows = (
        await TicketAttachment.select(TicketAttachment.id)
        .where(
            TicketAttachment.erased_at.is_null()
            & (TicketAttachment.created_at < finished_before)
            & _finished_before(TicketAttachment.ticket, finished_before)
        )
        .order_by(TicketAttachment.id)
        .limit(limit)
    )
    return [r["id"] for r in rows]


@dataclass(frozen=True)
class HouseWarranty:
    """What a defect's warranty is judged by (``rules.warranty_state``) and forwarded to: the house's developer,
    its e-mail for claims and the day the house was commissioned (None where not on record)."""

    house_id: int
    developer_name: str
    developer_email: str
    commissioned_on: date | None


async def house_warranties(house_ids: Collection[int]) -> dict[int, HouseWarranty]:
    """The warranty facts of these houses (by primary key: at most as many rows as ids)."""
    if not house_ids:
        return {}
    rows = await House.select(
        House.id.as_alias("house_id"), House.developer_name, House.developer_email, House.commissioned_on
    ).where(House.id.is_in(sorted(set(house_ids))))
    return {r["house_id"]: HouseWarranty(**r) for r in rows}


@dataclass(frozen=True)
class DeveloperClaims:
    """A developer's open warranty claims: requests still open whose defect's claim went to it and is neither
    refused nor fixed, waiting for its answer or for the fix it promised."""

    developer: str
    waiting: int
    accepted: int

    @property
    def total(self) -> int:
        return self.waiting + self.accepted


async def open_claims_by_developer(houses: Sequence[int] | None) -> list[DeveloperClaims]:
    """The open warranty claims in these houses (None: every house) by developer, the most first: one grouped query
    by the category's index (at most two rows a developer)."""
    if houses is not None and not houses:
        return []
    condition = (
        (Ticket.category == "warranty_defect")
        & Ticket.status.is_in(sorted(ACTIVE))
        & Ticket.developer_sent_at.is_not_null()
        & Ticket.developer_answer.is_in(["", rules.DeveloperAnswer.ACCEPTED])
    )
    if houses is not None:
        condition &= Ticket.house.is_in(sorted(houses))
    developer = Ticket.house.developer_name
    rows = await (
        Ticket.select(developer.as_alias("developer"), Ticket.developer_answer, Count(Ticket.id).as_alias("n"))
        .where(condition)
        .group_by(developer, Ticket.developer_answer)
    )
    counts: dict[str, dict[str, int]] = {}
    for row in rows:
        counts.setdefault(row["developer"] or "", {})[row["developer_answer"]] = row["n"]
    found = [
        DeveloperClaims(name, n.get("", 0), n.get(rules.DeveloperAnswer.ACCEPTED, 0)) for name, n in counts.items()
    ]
    return sorted(found, key=lambda c: (-c.total, c.developer))


@dataclass(frozen=True)
class ForwardedPhoto:
    key: str
    content_type: str


# At most this many of a request's photos go to the developer with its claim (the resident sends at most 5 a time).
FORWARDED_PHOTOS = 10


async def photos_to_forward(ticket_id: int) -> list[ForwardedPhoto]:
    """The photos of a request the resident sees (theirs and the staff's, not internal ones), still kept, oldest
    first: what its claim to the developer carries."""
    rows = await (
        TicketAttachment.select(TicketAttachment.file_key.as_alias("key"), TicketAttachment.content_type)
        .where(
            (TicketAttachment.ticket == ticket_id)
            & (TicketAttachment.visible_to_resident == True)  # noqa: E712
            & TicketAttachment.erased_at.is_null()
        )
        .order_by(TicketAttachment.id)
        .limit(FORWARDED_PHOTOS)
    )
    return [ForwardedPhoto(**r) for r in rows]


@orphans.refers("tickets")
async def stored_files(keys: Collection[str]) -> set[str]:
    """Which of ``keys`` a request's photo or file still kept is (by the unique index of its key), or a document
    still kept of an application for a change of owner: the documents, one key a line, are matched among the
    applications whose documents are kept (by the index of ``documents_erased_at``), then by their lines (a key
    is random: it matches its own application's alone)."""
    found = await orphans.among(keys, TicketAttachment.file_key, where=TicketAttachment.erased_at.is_null())
    if not keys:
        return found
    named = functools.reduce(operator.or_, [HandoverApplication.documents.like(f"%{key}%") for key in keys])
    rows = await HandoverApplication.select(HandoverApplication.documents).where(
        HandoverApplication.documents_erased_at.is_null() & named
    )
    return found | {line for r in rows for line in r["documents"].splitlines() if line in keys}


@orphans.holds("tickets")
async def holds_files() -> bool:
    """Whether a request's photo or file is named by its row, kept or deleted at the end of its term (by the unique
    index of its key), or an application's documents are kept (by the index of ``documents_erased_at``)."""
    kept = HandoverApplication.documents_erased_at.is_null()
    return await orphans.any_key(TicketAttachment.file_key) or await orphans.any_key(
        HandoverApplication.documents, where=kept
    )
