"""Rules of requests (заявки): types, categories, statuses and their moves, repeats, the confirm window, ratings.

Plain functions over plain data: no I/O, no clock (``now`` is an argument).
"""

from __future__ import annotations

import calendar
import math
from collections.abc import Callable
from collections.abc import Collection
from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from decimal import ROUND_CEILING
from decimal import Decimal
from enum import StrEnum
from typing import Any
from typing import Protocol
from typing import TypeVar
from zoneinfo import ZoneInfo

from portal.core.clock import years_after
from portal.core.i18n import LazyText
from portal.core.i18n import lazy
from portal.core.labels import Labels
from portal.core.limits import Limit
from portal.core.parse import normalize_phone
from portal.core.search import normalise
from portal.tickets.deadlines import deadline_for


class TicketType(StrEnum):
    EMERGENCY = "emergency"
    ORDINARY = "ordinary"
    PLANNED = "planned"
    PAID = "paid"
    COMPLAINT = "complaint"
    WARRANTY = "warranty"
    CONSULTATION = "consultation"


class Status(StrEnum):
    NEW = "new"
    ACCEPTED = "accepted"
    IN_WORK = "in_work"
    DONE = "done"
    CLOSED = "closed"
    CANCELLED = "cancelled"
    REOPENED = "reopened"


class Source(StrEnum):
    PORTAL = "portal"
    PHONE = "phone"
    EMAIL = "email"
    WALK_IN = "walk_in"
    CALL_CENTRE = "call_centre"
    MYSTERY = "mystery"  # a remark of a «тайный житель»'s monthly check (portal.mystery), filed without their name


class Place(StrEnum):
    """Where the problem is: the resident's own premises or a common place of the house."""

    PREMISE = "premise"
    ENTRANCE = "entrance"
    LIFT = "lift"
    YARD = "yard"
    ROOF = "roof"
    BASEMENT = "basement"


class InternalStatus(StrEnum):
    """The staff's own refinement of the status; never shown to residents."""

    NONE = ""
    WAITING_ACCESS = "waiting_access"
    WAITING_PARTS = "waiting_parts"
    CONTRACTOR = "contractor"
    INSPECTION = "inspection"
    ESCALATED = "escalated"
    DEVELOPER = "developer"


class EventKind(StrEnum):
    """What one entry of a request's history records."""

    CREATED = "created"
    STATUS = "status"
    EXECUTOR = "executor"
    TYPE = "type"
    CATEGORY = "category"
    DEADLINE = "deadline"
    CONTROL_DATE = "control_date"
    DAMAGE_AT = "damage_at"
    FLAG = "flag"
    INTERNAL_STATUS = "internal_status"
    MESSAGE = "message"
    NOTE = "note"
    RATING = "rating"
    OUTAGE = "outage"
    PHOTO = "photo"


class OutageService(StrEnum):
    COLD_WATER = "cold_water"
    HOT_WATER = "hot_water"
    HEATING = "heating"
    ELECTRICITY = "electricity"
    GAS = "gas"
    SEWERAGE = "sewerage"
    LIFT = "lift"
    OTHER = "other"


TYPE_LABELS = Labels(
    {
        "emergency": lazy("Emergency"),
        "ordinary": lazy("Ordinary"),
        "planned": lazy("Planned"),
        "paid": lazy("Paid"),
        "complaint": lazy("Complaint"),
        "warranty": lazy("Warranty"),
        "consultation": lazy("Consultation"),
    }
)

STATUS_LABELS = Labels(
    {
        "new": lazy("New"),
        "accepted": lazy("Accepted"),
        "in_work": lazy("In work"),
        "done": lazy("Done"),
        "closed": lazy("Closed"),
        "cancelled": lazy("Cancelled"),
        "reopened": lazy("Reopened"),
    }
)

SOURCE_LABELS = Labels(
    {
        "portal": lazy("Portal"),
        "phone": lazy("Phone"),
        "email": lazy("E-mail"),
        "walk_in": lazy("Inspection round"),
        "call_centre": lazy("Call centre"),
        "mystery": lazy("Mystery resident"),
    }
)

# Staff-only refinement of the status; never shown to residents.
INTERNAL_STATUS_LABELS = Labels(
    {
        "": lazy("None"),
        "waiting_access": lazy("Waiting for access to the flat"),
        "waiting_parts": lazy("Waiting for materials"),
        "contractor": lazy("Passed to a contractor"),
        "inspection": lazy("Inspection needed"),
        "escalated": lazy("Escalated to the manager"),
        "developer": lazy("Waiting for the developer"),
    }
)

PLACE_LABELS = Labels(
    {
        "premise": lazy("My premises"),
        "entrance": lazy("Entrance"),
        "lift": lazy("Lift"),
        "yard": lazy("Yard"),
        "roof": lazy("Roof and attic"),
        "basement": lazy("Basement"),
    }
)
COMMON_PLACES = ("entrance", "lift", "yard", "roof", "basement")
# A common place as a request's address names it after the house («…, лифт»), and with the request's entrance
# («…, подъезд 2, лифт»): one whole phrase per place, since the place's label above is a choice in a menu («Лифт»)
# whose case only a translator can change.
COMMON_PLACE_WORDS = Labels(
    {
        "entrance": lazy("entrance"),
        "lift": lazy("lift"),
        "yard": lazy("yard"),
        "roof": lazy("roof and attic"),
        "basement": lazy("basement"),
    }
)
COMMON_PLACE_AT_ENTRANCE = Labels(
    {
        "entrance": lazy("entrance %(n)s"),
        "lift": lazy("entrance %(n)s, lift"),
        "yard": lazy("entrance %(n)s, yard"),
        "roof": lazy("entrance %(n)s, roof and attic"),
        "basement": lazy("entrance %(n)s, basement"),
    }
)

FLAGS = ("emergency", "important", "repeated", "justified", "paid", "complaint", "planned")
FLAGS_EDITABLE = (*FLAGS, "paid_for")
FLAG_LABELS = Labels(
    {
        "emergency": lazy("Emergency"),
        "important": lazy("Important"),
        "repeated": lazy("Repeated"),
        "justified": lazy("Justified"),
        "paid": lazy("Paid for"),
        "complaint": lazy("Complaint"),
        "planned": lazy("Planned"),
    }
)


@dataclass(frozen=True)
class Category:
    code: str
    label: Callable[[], str]
    type: str  # the type a request of this category gets when a resident files it
    emergency: bool = False  # show the emergency phone at once and flag the request for the dispatcher
    resident: bool = True  # offered on the resident's form


CATEGORIES: tuple[Category, ...] = (
    Category("emergency_localisation", lazy("Accident: water, heating, sewerage or power"), "emergency", True),
    Category("lift_trapped", lazy("People trapped in a lift"), "emergency", True),
    Category("electrical_emergency", lazy("Short circuit, sparking, smell of burning"), "emergency", True),
    Category("sewer_blockage", lazy("Blocked sewer"), "emergency", True),
    Category("garbage_chute", lazy("Blocked garbage chute"), "ordinary"),
    Category("emergency_repair", lazy("Repair after an accident"), "ordinary", resident=False),
    Category("electrical_fuses", lazy("Fuses or breakers tripped"), "ordinary"),
    Category("lift_fault", lazy("Lift out of order"), "ordinary"),
    Category("roof_leak", lazy("Roof leak"), "ordinary"),
    Category("downpipes", lazy("Downpipes and drainage"), "ordinary"),
    Category("broken_windows", lazy("Broken windows in common areas"), "ordinary"),
    Category("entrance_doors", lazy("Entrance doors"), "ordinary"),
    Category("leaking_taps", lazy("Leaking taps or cistern valves"), "ordinary"),
    Category("common_lighting", lazy("Lighting in common areas"), "ordinary"),
    Category("meter_check", lazy("Meter check"), "ordinary"),
    Category("written_appeal", lazy("Written appeal"), "complaint"),
    Category("info_request", lazy("Information about the company"), "consultation"),
    Category("works_report", lazy("Report on works performed"), "consultation"),
    # Opened by the catalog of paid services (portal.catalog), never offered on the request form.
    Category("paid_service", lazy("Paid service"), "paid", resident=False),
    Category("certificate", lazy("Certificate"), "consultation", resident=False),
    # Filed through its own form (the dates and the names the law asks for), never offered on the request form.
    Category("absence_recalculation", lazy("Recalculation for a temporary absence"), "ordinary", resident=False),
    Category("residents_change", lazy("Change in the number of residents"), "ordinary", resident=False),
    Category("instalment_plan", lazy("Debt instalment plan"), "ordinary", resident=False),
    Category("meter_commissioning", lazy("Commissioning of a meter (sealing)"), "ordinary", resident=False),
    Category("owner_change", lazy("Change of owner or payer"), "ordinary", resident=False),
    Category("payer_change", lazy("Change of payer"), "ordinary", resident=False),
    Category("lift_booking", lazy("Freight lift for a move or repairs"), "ordinary", resident=False),
    # A defect of a new house, filed on its form as a warranty request (or an ordinary one past the warranty).
    Category("warranty_defect", lazy("Defect of a new house"), "warranty", resident=False),
    Category("other", lazy("Other"), "ordinary"),
)
CATEGORY_BY_CODE = {c.code: c for c in CATEGORIES}


def category_label(code: str) -> str:
    category = CATEGORY_BY_CODE.get(code)
    return category.label() if category else code


# --- statuses --------------------------------------------------------------------------------------------------

S = Status
NEXT: dict[str, frozenset[str]] = {
    S.NEW: frozenset({S.ACCEPTED, S.IN_WORK, S.DONE, S.CANCELLED}),
    S.ACCEPTED: frozenset({S.IN_WORK, S.DONE, S.CANCELLED}),
    S.IN_WORK: frozenset({S.ACCEPTED, S.DONE}),
    S.DONE: frozenset({S.CLOSED, S.REOPENED, S.IN_WORK}),
    S.CLOSED: frozenset({S.REOPENED}),
    S.REOPENED: frozenset({S.ACCEPTED, S.IN_WORK, S.DONE, S.CANCELLED}),
    S.CANCELLED: frozenset(),
}
ACTIVE = frozenset({S.NEW, S.ACCEPTED, S.IN_WORK, S.REOPENED})
FINISHED = frozenset({S.DONE, S.CLOSED, S.CANCELLED})
# Statuses an executor may set on their own requests.
EXECUTOR_MOVES = frozenset({S.ACCEPTED, S.IN_WORK, S.DONE})


# A request closed or cancelled keeps the executor it had: nobody is sent to it, nor told it is theirs (staff reopen
# a closed one first).
NOT_ASSIGNED = frozenset({S.CLOSED, S.CANCELLED})


def executor_told(current: str, target: str) -> bool:
    """Whether a staff member's move is said to the request's executor: work sent back to them (reopened, returned
    to work), a request cancelled, or work paused — not the steps they take themselves (accept, start, finish) nor
    the closing of work they reported done."""
    return reopens(current, target) or target == S.CANCELLED or (current == S.IN_WORK and target == S.ACCEPTED)


def may_hand_back(status: str, executor: int | None, user_id: int | None) -> bool:
    """Whether an executor may hand a request back to the dispatchers (a wrong address, another trade's work): only
    one of theirs, still open."""
    return user_id is not None and executor == user_id and status in ACTIVE


def may_assign(status: str) -> bool:
    """Whether a request's executor may be (re)assigned: not once it is closed or cancelled."""
    return status not in NOT_ASSIGNED


def can_move(current: str, target: str) -> bool:
    return target in NEXT.get(current, frozenset())


def allowed_moves(current: str) -> list[str]:
    """Targets from ``current``, the next step of the life cycle first: forward moves in order, then the steps
    back, cancelling last («В работе» offers «Выполнена» before «Принята»; «Выполнена» offers «Закрыть» first)."""
    order = list(Status)
    here = order.index(Status(current)) if current in order else -1

    def rank(target: str) -> tuple[int, int]:
        at = order.index(Status(target))
        return (2 if target == S.CANCELLED else 0 if at > here else 1, at)

    return sorted(NEXT.get(current, frozenset()), key=rank)


def resident_may_cancel(status: str) -> bool:
    """A resident cancels a request only before work has started."""
    return status in (S.NEW, S.ACCEPTED, S.REOPENED)


CONFIRM_DAYS = 7  # days after completion in which the resident may confirm or reopen (design choice)


def within_confirm_window(completed_at: datetime | None, now: datetime, days: int = CONFIRM_DAYS) -> bool:
    return completed_at is not None and now <= completed_at + timedelta(days=days)


def resident_may_confirm(status: str, completed_at: datetime | None, now: datetime) -> bool:
    return status == S.DONE and within_confirm_window(completed_at, now)


def awaits_confirmation(status: str, completed_at: datetime | None, now: datetime) -> bool:
    """The request waits for the resident's word: the work is reported done and the confirm window is open. Only
    then is the resident asked «Работа выполнена?» with its two answers; a closed request (confirmed, or closed by
    staff) is not asked again."""
    return resident_may_confirm(status, completed_at, now)


def confirm_until(completed_at: datetime | None, days: int = CONFIRM_DAYS) -> datetime | None:
    """The last moment the resident may confirm or return the work: the confirm window's end."""
    return completed_at + timedelta(days=days) if completed_at is not None else None


def resident_may_reopen(status: str, completed_at: datetime | None, now: datetime, confirmed: bool = False) -> bool:
    """The resident returns the work as not done, with a reason, within the confirm window of its completion:
    while the request waits for their word (done), or after staff closed it without their word. A request the
    resident closed by confirming the work stays closed: a new request about it is flagged repeated."""
    if status == S.CLOSED and confirmed:
        return False
    return status in (S.DONE, S.CLOSED) and within_confirm_window(completed_at, now)


def resident_may_rate(status: str, rating: int | None) -> bool:
    """The resident rates the work once it is done, once: work sent back to work clears the rating (``transition``;
    the rating stays in the history as its event), so the redone work is rated anew when it is done again."""
    return status in (S.DONE, S.CLOSED) and rating is None


class Actor(StrEnum):
    """Who moves a request: the resident, staff who run the dispatch (dispatcher, operator, manager, admin), or an
    executor who is nothing else (they only work on their own requests)."""

    RESIDENT = "resident"
    STAFF = "staff"
    EXECUTOR = "executor"


class Refusal(StrEnum):
    """Why a move is refused (the actions turn these into words)."""

    NOT_NOW = "not_now"  # the status table has no such move from the current status
    NOT_YOURS = "not_yours"  # this actor never makes this move (an executor closing, a resident starting work)
    IN_WORK = "in_work"  # a resident cancelling after work has started
    WINDOW_PASSED = "window_passed"  # a resident confirming or returning after the confirm window
    NOT_DONE = "not_done"  # a resident returning a request whose work is not reported done
    CONFIRMED = "confirmed"  # a resident returning the work they confirmed themselves
    ALREADY = "already"  # a resident asking again for what is done (a second tap, a page left open in another tab)


class Current(Protocol):
    """What a transition reads of a request."""

    @property
    def status(self) -> str: ...

    @property
    def completed_at(self) -> datetime | None: ...

    @property
    def confirmed_by_resident(self) -> bool: ...

    @property
    def category(self) -> str: ...

    @property
    def type(self) -> str: ...

    @property
    def deadline(self) -> datetime | None: ...


@dataclass(frozen=True)
class Change:
    """Moving a request from ``current`` to ``target``: the columns to write, or the reason it may not move."""

    current: str
    target: str
    values: Mapping[str, Any] = field(default_factory=dict)
    refusal: Refusal | None = None

    @property
    def allowed(self) -> bool:
        return self.refusal is None


def status_stamps(current: str, target: str, now: datetime) -> dict[str, Any]:
    """The columns a move writes: the status, and the completion or closing time it starts or clears."""
    values: dict[str, Any] = {"status": target, "updated_at": now}
    if target == S.DONE:
        values["completed_at"] = now
    elif target == S.CLOSED:
        values["closed_at"] = now
    elif target in (S.REOPENED, S.IN_WORK, S.ACCEPTED) and current in (S.DONE, S.CLOSED):
        values["completed_at"] = None
        values["closed_at"] = None
    if current == S.CLOSED:
        values["confirmed_by_resident"] = False
    return values


# Work reported done (or closed) that goes back to an active status starts its deadline's clock again.
REOPENED_FROM = frozenset({S.DONE, S.CLOSED})


def reopens(current: str, target: str) -> bool:
    """Work reported done (or closed) goes back to work: returned by the resident, reopened or sent back by staff."""
    return current in REOPENED_FROM and target in ACTIVE


def restarted_deadline(ticket: Current, now: datetime, tz: str) -> datetime | None:
    """The deadline of a request that goes back to work at ``now``: counted again from that moment by its
    category's rule (DOMAIN §5, ``deadlines.deadline_for``), as if registered then. A request without a legal
    term (planned or paid works: the date agreed) keeps the deadline it has."""
    due = deadline_for(ticket.category, now, tz, ticket_type=ticket.type)
    return due if due is not None else ticket.deadline


def _resident_refusal(ticket: Current, target: str, now: datetime) -> Refusal | None:
    status = ticket.status
    if status == target and target in (S.CANCELLED, S.CLOSED):
        return Refusal.ALREADY
    if target == S.CANCELLED:
        if status == S.CLOSED:
            return Refusal.NOT_NOW
        return None if resident_may_cancel(status) else Refusal.IN_WORK
    if target == S.CLOSED:
        if status != S.DONE:
            return Refusal.NOT_NOW
        return None if resident_may_confirm(status, ticket.completed_at, now) else Refusal.WINDOW_PASSED
    if target == S.REOPENED:
        if status not in (S.DONE, S.CLOSED):
            return Refusal.NOT_DONE
        if status == S.CLOSED and ticket.confirmed_by_resident:
            return Refusal.CONFIRMED
        return None if resident_may_reopen(status, ticket.completed_at, now) else Refusal.WINDOW_PASSED
    return Refusal.NOT_YOURS


def transition(ticket: Current, target: str, actor: Actor, now: datetime, tz: str | None = None) -> Change:
    """Move ``ticket`` to ``target`` on behalf of ``actor`` at ``now``: what to write, or why not.

    Staff follow the status table; an executor only accepts, starts and finishes work; a resident cancels before
    work starts, and confirms or returns the work within the confirm window (a return marks the request repeated; a
    request the resident confirmed is not returned, see ``resident_may_reopen``).

    Work that goes back from done or closed (``reopens``: the resident's return, staff's reopening or sending back)
    loses its rating, so the redone work is rated anew (``resident_may_rate``; the rating stays in the history), and
    gets a new deadline counted from ``now`` in the company's zone ``tz`` (``restarted_deadline``): the clock starts
    again rather than the request reading overdue at once by its first deadline. Without ``tz`` (a caller asking
    only whether the move is allowed) none is counted.
    """
    current = ticket.status
    refusal: Refusal | None = None
    if actor == Actor.RESIDENT:
        refusal = _resident_refusal(ticket, target, now)
    elif actor == Actor.EXECUTOR and target not in EXECUTOR_MOVES:
        refusal = Refusal.NOT_YOURS
    if refusal is None and not can_move(current, target):
        refusal = Refusal.NOT_NOW
    if refusal is not None:
        return Change(current, target, refusal=refusal)
    values = status_stamps(current, target, now)
    if reopens(current, target):
        values.update(rating=None, feedback="", returned_at=now)  # the rating of the work sent back stops counting
    if actor == Actor.RESIDENT and target == S.REOPENED:
        values["repeated"] = True
    if target == S.CLOSED:
        values["confirmed_by_resident"] = actor == Actor.RESIDENT
    if tz is not None and reopens(current, target):
        values["deadline"] = restarted_deadline(ticket, now, tz)
    return Change(current, target, values)


def moves_for(current: str, actor: Actor) -> list[str]:
    """The statuses a staff member may move a request to from ``current``, the next step first."""
    moves = allowed_moves(current)
    return [m for m in moves if m in EXECUTOR_MOVES] if actor == Actor.EXECUTOR else moves


# Status buttons say what they do: «Принять», «Взять в работу», «Закрыть».
MOVE_LABELS = Labels(
    {
        S.ACCEPTED: lazy("Accept"),
        S.IN_WORK: lazy("Start work"),
        S.DONE: lazy("Mark as done"),
        S.CLOSED: lazy("Close"),
        S.REOPENED: lazy("Reopen"),
        S.CANCELLED: lazy("Cancel the request"),
    }
)

# A step back is named as one: work stopped on a request in work, a request reported done sent back to work.
BACK_MOVE_LABELS: dict[tuple[str, str], LazyText] = {
    (S.IN_WORK, S.ACCEPTED): lazy("Pause the work"),
    (S.DONE, S.IN_WORK): lazy("Return to work"),
}


def next_step(current: str, actor: Actor) -> str | None:
    """The move a request's page offers alone under its heading on a phone (where a thumb finds it): the first of
    ``moves_for`` when it takes the request on («Взять в работу», «Отметить выполненной», «Закрыть»); None when
    the first is a step back, cancelling, or reopening a closed request: those stay in the full status form, with
    its comment, and are never one tap from the top."""
    moves = moves_for(current, actor)
    first = moves[0] if moves else None
    if first is None or first == S.CANCELLED or current == S.CLOSED or (current, first) in BACK_MOVE_LABELS:
        return None
    return first


def move_label(target: str, current: str = "") -> str:
    """The button of a move from ``current`` to ``target``: «Взять в работу», but «Вернуть в работу» from done."""
    back = BACK_MOVE_LABELS.get((current, target))
    return back() if back is not None else MOVE_LABELS.shown(target)


# Fields staff edit on the request page (flags included); each change is one event.
# ``defect_kind``: what is defective, asked where the category is a defect of a new house (``forms.read_defect_kind``).
EDITABLE = (
    "type",
    "category",
    "defect_kind",
    "internal_status",
    "deadline",
    "control_date",
    "damage_at",
    *FLAGS_EDITABLE,
)


def _same(before: Any, after: Any) -> bool:
    """Equal as the edit form shows them: a moment to the minute (a legal 23:59:59 re-saved as 23:59 is no change)."""
    if isinstance(before, datetime) and isinstance(after, datetime):
        return before.replace(second=0, microsecond=0) == after.replace(second=0, microsecond=0)
    return before == after


def changed_fields(ticket: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, tuple[Any, Any]]:
    """The editable fields whose value really changes, as ``{field: (before, after)}``."""
    return {
        key: (ticket.get(key), value)
        for key, value in changes.items()
        if key in EDITABLE and not _same(ticket.get(key), value)
    }


def deadline_before_filing(deadline: datetime | None, filed_at: datetime) -> bool:
    """A deadline before the request was filed (to the minute, as the edit form shows the filing) is a year or a
    month typed wrong: refused wherever a deadline is set by hand. No deadline (by agreement) is never early."""
    return deadline is not None and deadline < filed_at.replace(second=0, microsecond=0)


DEADLINE_REACH = timedelta(days=365)  # a deadline set by hand further than this after the filing is a year typed wrong


def deadline_long_after_filing(deadline: datetime | None, filed_at: datetime) -> bool:
    """A deadline more than ``DEADLINE_REACH`` after the request was filed: a year typed wrong (2027 for 2026) that
    would keep the request off every overdue list for a year; refused wherever a deadline is set by hand."""
    return deadline is not None and deadline > filed_at + DEADLINE_REACH


def damage_after_filing(damage_at: datetime | None, filed_at: datetime) -> bool:
    """The damage happened before anyone could report it: a moment after the request was filed (so in the future,
    too) is a date typed wrong, refused."""
    return damage_at is not None and damage_at > filed_at


DAMAGE_LOOKBACK = timedelta(days=30)  # a damage moment further back than this from the filing is a year typed wrong


def damage_long_before_filing(damage_at: datetime | None, filed_at: datetime) -> bool:
    """A damage moment more than ``DAMAGE_LOOKBACK`` before the request was filed: a year or month typed wrong
    (2016 for 2026) that would make a repair overdue from the day it is filed; refused."""
    return damage_at is not None and damage_at < filed_at - DAMAGE_LOOKBACK


def outage_started_long_ago(starts_at: datetime | None, now: datetime) -> bool:
    """An outage recorded as started more than ``DAMAGE_LOOKBACK`` before ``now``: a year or month typed wrong
    (2016 for 2026), which would reach every resident's charge, reduced for years off when it is closed; refused."""
    return starts_at is not None and starts_at < now - DAMAGE_LOOKBACK


OUTAGE_REACH = timedelta(days=31)  # an outage planned to last longer than this is a month or year typed wrong


def outage_ends_long_after_start(starts_at: datetime | None, ends_at: datetime | None) -> bool:
    """An outage's «until» more than ``OUTAGE_REACH`` after its start: a month or year typed wrong (2027 for 2026)
    that would tell residents the service is off for a year; refused."""
    return starts_at is not None and ends_at is not None and ends_at > starts_at + OUTAGE_REACH


class Notice(Protocol):
    """An emergency notice in force, as the new-request form lists it beside the outages."""

    @property
    def outage(self) -> int | None: ...


N = TypeVar("N", bound=Notice)


def notices_beside(notices: Iterable[N], outages: Collection[int]) -> list[N]:
    """The emergency notices the new-request form lists beside the current ``outages`` (their ids): those that
    tell of none of them. A notice and the outage it tells of are one event, listed once, as the outage."""
    return [n for n in notices if n.outage is None or n.outage not in outages]


def retimes(real: Mapping[str, Any]) -> bool:
    """A staff edit whose legal deadline follows from it: a new type, category or moment of the damage (the repair
    of an emergency's damage is due 3 days from it), the deadline not set by hand."""
    return bool({"type", "category", "damage_at"} & real.keys()) and "deadline" not in real


def retimed(ticket: Mapping[str, Any], real: Mapping[str, tuple[Any, Any]], tz: str) -> dict[str, tuple[Any, Any]]:
    """The changes of a staff edit with the legal deadline following a new type, category or damage moment
    (DOMAIN §5), computed from the moment the clock started — the registration, or the damage for the repair of an
    emergency's damage (``deadlines.deadline_for``), or ``clock_from``, the request's last return to work
    (``reopens``) — unless the same edit sets the deadline by hand, which then stands."""
    out = dict(real)
    if not retimes(out):
        return out
    after = {key: (out[key][1] if key in out else ticket.get(key)) for key in ("category", "type", "damage_at")}
    clock_from = ticket.get("clock_from")
    due = deadline_for(
        after["category"],
        clock_from or ticket["created_at"],
        tz,
        ticket_type=after["type"],
        damage_at=None if clock_from else after["damage_at"],
    )
    if not _same(ticket.get("deadline"), due):
        out["deadline"] = (ticket.get("deadline"), due)
    return out


def keeps_term(ticket: Mapping[str, Any], tz: str, clock_from: datetime | None = None) -> bool:
    """Whether the request's deadline is still the one its legal term gives (counted as ``retimed`` counts it, from
    the registration, the damage or ``clock_from``, its last return to work), so that the page may name the term
    beside it («7 декабря, 23:01 (30 минут)»). A deadline moved by hand (to «9 декабря, 18:00») or counted anew
    another way is not: the term beside it would read as the time left. A request with no legal term keeps it."""
    due = deadline_for(
        ticket["category"],
        clock_from or ticket["created_at"],
        tz,
        ticket_type=ticket["type"],
        damage_at=None if clock_from else ticket.get("damage_at"),
    )
    return due is None or ticket.get("deadline") is None or _same(ticket["deadline"], due)


# --- bulk assignment ---------------------------------------------------------------------------------------------

T = TypeVar("T")


def bulk_takers(takers: Mapping[int, Collection[int]]) -> tuple[frozenset[int], frozenset[int]]:
    """The executors a bulk assignment offers for the requests shown (``takers``: for each house of a shown
    request, the executors who would see a request of it): those who may take at least one of them, and, of these,
    those who may take every one. An executor who may take none is not offered: every tick would be refused."""
    found = [frozenset(ids) for ids in takers.values()]
    if not found:
        return frozenset(), frozenset()
    return frozenset().union(*found), frozenset.intersection(*found)


def split_by_taker(
    tickets: Iterable[T], house_of: Callable[[T], int], executor_id: int, takers: Mapping[int, Collection[int]]
) -> tuple[list[T], list[T]]:
    """The ticked requests the executor may take (they would see the request's house), and those refused. The
    taken ones are assigned and the refused ones named: each request's assignment stands on its own, and the
    dispatcher would otherwise tick the others again."""
    taken: list[T] = []
    refused: list[T] = []
    for ticket in tickets:
        (taken if executor_id in takers.get(house_of(ticket), ()) else refused).append(ticket)
    return taken, refused


# --- repeats, overdue ------------------------------------------------------------------------------------------

REPEAT_DAYS = 30


@dataclass(frozen=True)
class Subject:
    """What a request is about: one premise, or a common place of a house (entrance, lift, yard…)."""

    premise_id: int | None
    house_id: int
    place: str = "premise"
    entrance_id: int | None = None

    @property
    def key(self) -> tuple[object, ...]:
        if self.premise_id is not None and self.place == "premise":
            return ("premise", self.premise_id)
        return ("common", self.house_id, self.place, self.entrance_id)

    @property
    def columns(self) -> dict[str, object]:
        """The request's columns that say where it is."""
        return {"premise": self.premise_id, "house": self.house_id, "entrance": self.entrance_id, "place": self.place}


@dataclass(frozen=True)
class Earlier:
    subject: Subject
    category: str
    created_at: datetime
    status: str = S.NEW


def is_repeated(subject: Subject, category: str, now: datetime, earlier: Iterable[Earlier]) -> bool:
    """Same premise (or same common place) and category within 30 days before ``now`` (cancelled ones excepted)."""
    since = now - timedelta(days=REPEAT_DAYS)
    return any(
        e.subject.key == subject.key
        and e.category == category
        and since <= e.created_at <= now
        and e.status != S.CANCELLED
        for e in earlier
    )


def flags_for_new(category: str, ticket_type: str) -> dict[str, bool]:
    """The flags a new request gets from its category and type."""
    cat = CATEGORY_BY_CODE.get(category)
    return {
        "emergency": ticket_type == TicketType.EMERGENCY or bool(cat and cat.emergency),
        "complaint": ticket_type == TicketType.COMPLAINT,
        "planned": ticket_type == TicketType.PLANNED,
        "paid": ticket_type == TicketType.PAID,
    }


# The minute of a deadline: «Срок — сейчас», not yet overdue (the badge, the countdown and the overdue tab alike).
DUE_MINUTE = timedelta(minutes=1)


def countdown(deadline: datetime | None, now: datetime) -> tuple[str, int]:
    """("left" | "due" | "overdue", minutes) between now and the deadline, for the countdown badge, in whole
    minutes as a person counts them: the minutes begun that are left (20 seconds left is «1 min», never «0 min»), the
    minutes passed since the deadline; "due" in the minute the deadline has come — the first minute of a request of
    the term «immediately», due at its filing, which read «0 min left» or «overdue by 1 min» seconds after it."""
    if deadline is None:
        return ("none", 0)
    seconds = (deadline - now).total_seconds()
    if seconds > 0:
        return ("left", math.ceil(seconds / 60))
    if now - deadline < DUE_MINUTE:
        return ("due", 0)
    return ("overdue", int(-seconds // 60))


def lateness(deadline: datetime | None, completed_at: datetime | None) -> int | None:
    """The minutes begun by which a request was done after its deadline (done 20 seconds late is «1 min»), as the
    dashboard counts a request closed on time: done by its deadline (or without one) is None."""
    if deadline is None or completed_at is None or completed_at <= deadline:
        return None
    return math.ceil((completed_at - deadline).total_seconds() / 60)


# --- recalculation for a temporary absence (ПП № 354 разд. VIII) ----------------------------------

ABSENCE_MIN_FULL_DAYS = 6  # «более 5 полных календарных дней подряд» (п. 86)
ABSENCE_FILING_DAYS = 30  # the application is due «не позднее 30 дней после окончания периода» (п. 90)
# One application covers at most 6 months; a longer absence is applied for again (разд. VIII; paragraph to verify).
ABSENCE_MAX_MONTHS = 6
ABSENCE_MAX_PEOPLE = 10


class AbsenceProblem(StrEnum):
    ORDER = "order"  # the return is not after the departure
    SHORT = "short"  # 5 full days or fewer: not an absence in the law's sense
    LATE = "late"  # more than 30 days since the return
    LONG = "long"  # more than 6 months in one application


def absence_full_days(left: date, back: date) -> int:
    """The days of a temporary absence: whole calendar days away, neither the day of departure nor the day of
    return counted (п. 88). Left on the 1st, back on the 8th: 6 days (2nd–7th)."""
    return max((back - left).days - 1, 0)


def _months_after(day: date, months: int) -> date:
    years, month = divmod(day.month - 1 + months, 12)
    year = day.year + years
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def absence_problem(left: date, back: date, today: date) -> AbsenceProblem | None:
    """Why an application for the recalculation of a temporary absence cannot be taken as it is, or None.

    It may be filed before leaving (the period as planned) or after the return, at most 30 days after it."""
    if back <= left:
        return AbsenceProblem.ORDER
    if absence_full_days(left, back) < ABSENCE_MIN_FULL_DAYS:
        return AbsenceProblem.SHORT
    if today > back + timedelta(days=ABSENCE_FILING_DAYS):
        return AbsenceProblem.LATE
    if back - timedelta(days=1) >= _months_after(left + timedelta(days=1), ABSENCE_MAX_MONTHS):
        return AbsenceProblem.LONG
    return None


# --- a change in the number of residents (ПП № 354 п. 34 «з», п. 56(2)) -----------------------------

# The resident tells of people moving in or out within 5 working days, where the flat has no meter and the charges
# follow the number of residents (п. 34 «з»); told of earlier, they are charged from the day (design choice: a
# planned move is taken up to 30 days ahead).
RESIDENTS_AHEAD_DAYS = 30
RESIDENTS_MAX_PEOPLE = 10


class Movement(StrEnum):
    MOVED_IN = "in"
    MOVED_OUT = "out"


MOVEMENT_LABELS = Labels({Movement.MOVED_IN: lazy("Moved in"), Movement.MOVED_OUT: lazy("Moved out")})


def residents_day_too_far(day: date, today: date) -> bool:
    """A move told of more than ``RESIDENTS_AHEAD_DAYS`` ahead is not taken yet (plans change)."""
    return day > today + timedelta(days=RESIDENTS_AHEAD_DAYS)


# --- a debt instalment plan (рассрочка) ---------------------------------------------------------------

# A debt is spread over 2 to 12 months (design choice of the company; the accountant decides each application).
INSTALMENT_MONTHS = (2, 12)


class InstalmentProblem(StrEnum):
    NO_DEBT = "no_debt"  # the account owes nothing: nothing to spread
    MONTHS = "months"  # outside INSTALMENT_MONTHS


def instalment_problem(debt: Decimal, months: int) -> InstalmentProblem | None:
    if debt <= 0:
        return InstalmentProblem.NO_DEBT
    low, high = INSTALMENT_MONTHS
    if not low <= months <= high:
        return InstalmentProblem.MONTHS
    return None


def monthly_instalment(debt: Decimal, months: int) -> Decimal:
    """The monthly payment of a debt spread evenly over ``months``, rounded up to the kopeck, so that the months
    together pay it all (10 000,00 ₽ over 3 months: 3 333,34 ₽ a month)."""
    return (debt / months).quantize(Decimal("0.01"), rounding=ROUND_CEILING)


# --- a meter's commissioning (ввод в эксплуатацию, ПП № 354 п. 81) -------------------------------------------

# The resident proposes two days for the visit: working days of the production calendar, from tomorrow, and at most
# this many days ahead (design choice: a later day is a month typed wrong, and the company's term runs meanwhile).
VISIT_AHEAD_DAYS = 30


class VisitProblem(StrEnum):
    EARLY = "early"  # today or before: the visit is arranged from tomorrow
    DAY_OFF = "day_off"  # a weekend or holiday of the production calendar
    FAR = "far"  # more than VISIT_AHEAD_DAYS ahead
    SAME = "same"  # the second day is the first one again


def visit_day_problem(
    day: date, today: date, working: Callable[[date], bool], other: date | None = None
) -> VisitProblem | None:
    """Why ``day`` cannot be proposed for the visit (``working``: ``core.calendar.is_working_day``), or None; ``other``
    is the day proposed before it, which it may not repeat."""
    if day <= today:
        return VisitProblem.EARLY
    if day > today + timedelta(days=VISIT_AHEAD_DAYS):
        return VisitProblem.FAR
    if not working(day):
        return VisitProblem.DAY_OFF
    if other is not None and day == other:
        return VisitProblem.SAME
    return None


def meter_card_due(category: str, status: str) -> bool:
    """The meter's card is made from a commissioning's application once the meter is sealed: the request done."""
    return category == "meter_commissioning" and status in (Status.DONE, Status.CLOSED)


# --- the freight lift booked for a move or repairs ------------------------------------------------------------

LIFT_AHEAD_DAYS = 30  # a booking further ahead is a month typed wrong (design choice)


class Carried(StrEnum):
    MOVING_IN = "moving_in"
    MOVING_OUT = "moving_out"
    MATERIALS = "materials"


CARRIED_LABELS = Labels(
    {
        Carried.MOVING_IN: lazy("Moving in"),
        Carried.MOVING_OUT: lazy("Moving out"),
        Carried.MATERIALS: lazy("Building materials"),
    }
)


@dataclass(frozen=True)
class LiftHours:
    """The company's rules of the lift's slots (``settings``): slots of ``slot`` hours within ``weekday`` hours on
    working days and ``saturday`` hours on Saturdays that are no holiday; none on Sundays and holidays."""

    slot: int = 2
    weekday: tuple[int, int] = (8, 20)
    saturday: tuple[int, int] = (10, 18)


def lift_slots(
    day: date, hours: LiftHours, working: Callable[[date], bool], holiday: Callable[[date], bool]
) -> list[int]:
    """The hours the lift's slots of ``day`` start at (a working Saturday of the calendar is a working day)."""
    if working(day):
        start, end = hours.weekday
    elif day.weekday() == 5 and not holiday(day):
        start, end = hours.saturday
    else:
        return []
    return list(range(start, end - hours.slot + 1, hours.slot))


class LiftProblem(StrEnum):
    PAST = "past"  # a day before today
    FAR = "far"  # more than LIFT_AHEAD_DAYS ahead
    NO_SLOTS = "no_slots"  # a Sunday or a holiday
    NOT_A_SLOT = "not_a_slot"  # an hour none of the day's slots starts at
    BEGUN = "begun"  # the slot has begun
    TAKEN = "taken"  # another booking holds it


def lift_day_problem(day: date, today: date, slots: Collection[int]) -> LiftProblem | None:
    """Why no slot of ``day`` can be booked (``slots``: the day's, ``lift_slots``), or None."""
    if day < today:
        return LiftProblem.PAST
    if day > today + timedelta(days=LIFT_AHEAD_DAYS):
        return LiftProblem.FAR
    return None if slots else LiftProblem.NO_SLOTS


def lift_slot_problem(
    hour: int, day: date, now_local: datetime, slots: Collection[int], taken: Collection[int]
) -> LiftProblem | None:
    """Why the slot starting at ``hour`` of ``day`` cannot be booked (``now_local``: now in the company's zone;
    ``taken``: the hours other bookings of the entrance hold), or None."""
    if hour not in slots:
        return LiftProblem.NOT_A_SLOT
    if datetime.combine(day, time(hour), tzinfo=now_local.tzinfo) <= now_local:
        return LiftProblem.BEGUN
    return LiftProblem.TAKEN if hour in taken else None


def free_lift_slots(day: date, now_local: datetime, slots: Iterable[int], taken: Collection[int]) -> list[int]:
    """The slots of ``day`` still to be booked: not begun, not held by another booking."""
    return [h for h in slots if lift_slot_problem(h, day, now_local, [h], taken) is None]


def lift_cancellable(starts_at: datetime, now: datetime) -> bool:
    """The resident cancels a booking until its slot begins."""
    return now < starts_at


MAX_PHOTOS = 5
MAX_DESCRIPTION = 4000
MAX_MESSAGE = 4000

# The search text of a request (what the staff search reads). Each part has its own cap, so no part, however long,
# can push another out of what is searched: an identifying part (number, address, premise, account, names, phone)
# at most SEARCH_PART characters; the description and its English twin at most MAX_DESCRIPTION each; the words of
# the history (messages, internal notes, comments of status moves, the rating's feedback) newest first, each at
# most SEARCH_COMMENT, together at most SEARCH_HISTORY, from the newest SEARCHED_EVENTS such events.
SEARCH_PART = 500
SEARCH_COMMENT = 1000
SEARCH_HISTORY = 8000
SEARCHED_EVENTS = 50
SEARCHED_KINDS = (EventKind.MESSAGE, EventKind.NOTE, EventKind.STATUS, EventKind.RATING)


def search_text(identity: Iterable[str], description: str, description_en: str, history: Iterable[str]) -> str:
    """The search text of a request from its identifying parts, its description (Russian and English) and the
    words of its history, newest first; each part capped on its own (the caps above)."""
    parts = [normalise(p)[:SEARCH_PART] for p in identity]
    parts += [normalise(description)[:MAX_DESCRIPTION], normalise(description_en)[:MAX_DESCRIPTION]]
    room = SEARCH_HISTORY
    for said in history:
        if room <= 0:
            break
        words = normalise(said)[: min(SEARCH_COMMENT, room)]
        parts.append(words)
        room -= len(words)
    return " | ".join(p for p in parts if p)


OUTAGE_LABELS = Labels(
    {
        "cold_water": lazy("Cold water"),
        "hot_water": lazy("Hot water"),
        "heating": lazy("Heating"),
        "electricity": lazy("Electricity"),
        "gas": lazy("Gas"),
        "sewerage": lazy("Sewerage"),
        "lift": lazy("Lift"),
        "other": lazy("Other"),
    }
)


# --- a new owner or payer of a flat (смена собственника / плательщика) ------------------------------------------


class Handover(StrEnum):
    """What an application hands over: the ownership of a share (and the account with it) or the payer's name."""

    OWNER = "owner"
    PAYER = "payer"


HANDOVER_CATEGORY = {Handover.OWNER: "owner_change", Handover.PAYER: "payer_change"}
# Among residents, such an application is seen by its applicant alone, never by the others of the account: the
# previous owner does not read the new owner's documents, nor a co-owner a payer's name before staff apply it.
OWN_ONLY_CATEGORIES = tuple(HANDOVER_CATEGORY.values())
OWNER_LOOKBACK_DAYS = 3 * 366  # a transfer further back than this is a year typed wrong (staff take such by hand)
PAYER_AHEAD_DAYS = 31  # the payer changes from a day at most a month ahead
MAX_HANDOVER_DOCUMENTS = 3
# An account named by its number and address: attempts counted as the account-code link counts them.
HANDOVER_PER_ACCOUNT = Limit("handover-account", 5, 900)
HANDOVER_PER_USER = Limit("handover-user", 10, 3600)


class HandoverProblem(StrEnum):
    FUTURE = "future"  # ownership cannot have passed after today
    LONG_AGO = "long_ago"  # further back than OWNER_LOOKBACK_DAYS
    FAR_AHEAD = "far_ahead"  # a payer's day more than PAYER_AHEAD_DAYS ahead


def handover_day_problem(kind: Handover, day: date, today: date) -> HandoverProblem | None:
    """The day ownership passed is today or earlier (the extract of the register says it has), at most
    ``OWNER_LOOKBACK_DAYS`` back; the payer changes from a day at most ``PAYER_AHEAD_DAYS`` ahead or back."""
    if kind == Handover.OWNER:
        if day > today:
            return HandoverProblem.FUTURE
        return HandoverProblem.LONG_AGO if day < today - timedelta(days=OWNER_LOOKBACK_DAYS) else None
    if day > today + timedelta(days=PAYER_AHEAD_DAYS):
        return HandoverProblem.FAR_AHEAD
    return HandoverProblem.LONG_AGO if day < today - timedelta(days=PAYER_AHEAD_DAYS) else None


def may_apply_handover(day: date, today: date) -> bool:
    """Staff apply a handover from its day on: the account's payer and access change on the day, not before it."""
    return day <= today


def day_before(day: date) -> date:
    """The last day of a share that passes on ``day``: the new owner's share starts on the day, the old one ends
    the day before, so the two never overlap."""
    return day - timedelta(days=1)


# --- a request's files kept no longer than their purpose (152-ФЗ ст. 5 ч. 7) ---------------------------------------


def finished_at(
    status: str, completed_at: datetime | None, closed_at: datetime | None, changed_at: datetime | None
) -> datetime | None:
    """When a request finished, as the keeping terms of its files and of a new owner's documents count: done (an
    owner's application applied) since its completion, closed since its closing, cancelled (an application refused
    or withdrawn) since its last change, which the cancellation was; None while it is in work."""
    return {S.DONE: completed_at, S.CLOSED: closed_at, S.CANCELLED: changed_at}.get(S(status)) if status else None


def documents_erased_on(finished_day: date, keep_days: int) -> date:
    """The day a new owner's documents are deleted: the day after ``keep_days`` from the day the application was
    decided (``Settings.owner_docs_keep_days`` says why 1095)."""
    return finished_day + timedelta(days=keep_days + 1)


def files_finished_before(today: date, keep_years: int) -> date:
    """The day before which a request must have finished for its photos and files to be deleted ``today``: the same
    date ``keep_years`` earlier (``years_after``: 29 February counts to the 28th)."""
    return years_after(today, -keep_years)


def files_erased_on(finished_day: date, keep_years: int) -> date:
    """The day a finished request's photos and files are deleted: the first day whose ``files_finished_before`` is
    after the day it finished, the day after its term of ``keep_years`` (one more where 29 February falls short)."""
    day = years_after(finished_day, keep_years) + timedelta(days=1)
    while files_finished_before(day, keep_years) <= finished_day:
        day += timedelta(days=1)
    return day


def told_of_closing(people: Iterable[tuple[int | None, bool]], applicant: int | None) -> list[tuple[int, bool]]:
    """Who is told that an account closed for a new owner, once each: ``people`` are its residents as ``(user,
    is_owner)`` (a person linked twice counts as an owner if either link is), the applicant left out (their request
    tells them). Sorted by user."""
    owners: dict[int, bool] = {}
    for user_id, owner in people:
        if user_id is not None and user_id != applicant:
            owners[user_id] = owners.get(user_id, False) or owner
    return sorted(owners.items())


# --- defects under the developer's warranty (ФЗ-214 ст. 7) -------------------------------------------------------


class DefectGroup(StrEnum):
    """What a defect is of, as the law gives the developer's warranty terms: the building's structure, or its
    engineering and technological equipment."""

    STRUCTURE = "structure"
    EQUIPMENT = "equipment"


class DefectWhere(StrEnum):
    """Where a defect is: inside the resident's flat (the owner's claim, which the company forwards with their
    consent) or in the common property of the house (the company's own claim)."""

    FLAT = "flat"
    COMMON = "common"


# The developer's warranty terms (ФЗ-214 ст. 7 ч. 5 and 5.1): the structure 5 years, the engineering and
# technological equipment 3 years. [VERIFY] The law counts them from the transfer of the flat (the structure) and from
# the first transfer act of the house (the equipment); the portal counts both from the house's commissioning date
# (разрешение на ввод в эксплуатацию), which the company knows for every house and which comes a few weeks before the
# first transfer act: a lawyer should confirm the day (a contract may also give longer terms).
WARRANTY_YEARS: dict[DefectGroup, int] = {DefectGroup.STRUCTURE: 5, DefectGroup.EQUIPMENT: 3}

# What is defective, by its group: the choices of the resident's form.
DEFECT_KINDS: dict[str, DefectGroup] = {
    "walls": DefectGroup.STRUCTURE,
    "floors": DefectGroup.STRUCTURE,
    "windows": DefectGroup.STRUCTURE,
    "balcony": DefectGroup.STRUCTURE,
    "roof": DefectGroup.STRUCTURE,
    "facade": DefectGroup.STRUCTURE,
    "risers": DefectGroup.EQUIPMENT,
    "heating": DefectGroup.EQUIPMENT,
    "lifts": DefectGroup.EQUIPMENT,
    "electrical": DefectGroup.EQUIPMENT,
    "ventilation": DefectGroup.EQUIPMENT,
}
DEFECT_LABELS = Labels(
    {
        "walls": lazy("Walls, ceilings, cracks"),
        "floors": lazy("Floors and screed"),
        "windows": lazy("Windows and balcony doors"),
        "balcony": lazy("Balconies and loggias"),
        "roof": lazy("Roof"),
        "facade": lazy("Facade, damp or cold walls"),
        "risers": lazy("Water and sewerage risers"),
        "heating": lazy("Heating: radiators and pipes"),
        "lifts": lazy("Lifts"),
        "electrical": lazy("Electrical wiring and panels"),
        "ventilation": lazy("Ventilation"),
    }
)
DEFECT_GROUP_LABELS = Labels(
    {"structure": lazy("The building's structure"), "equipment": lazy("Engineering equipment")}
)
DEFECT_WHERE_LABELS = Labels({"flat": lazy("In my flat"), "common": lazy("Common property of the house")})
# The common place a defect of the house's common property is filed at (a request names one): a lift's is the lift,
# a roof's the roof, any other the entrance.
DEFECT_COMMON_PLACE = {"lifts": Place.LIFT, "roof": Place.ROOF}


def warranty_state(kind: str, commissioned_on: date, today: date) -> tuple[bool, date]:
    """Whether a defect of ``kind`` (a ``DEFECT_KINDS`` code or a ``DefectGroup``) is still under the developer's
    warranty on ``today``, and the last day it is: a term in years ends on the same day of its last year
    (ГК РФ ст. 191, 192), counted from the house's commissioning. [VERIFY] the day counted from (``WARRANTY_YEARS``)."""
    group = DEFECT_KINDS.get(kind) or DefectGroup(kind)
    ends_on = years_after(commissioned_on, WARRANTY_YEARS[group])
    return today <= ends_on, ends_on


def defect_kind_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """What may be defective, by its group: the grouped choices of the resident's and the call centre's forms."""
    return [
        (DEFECT_GROUP_LABELS(g), [(k, DEFECT_LABELS(k)) for k, of in DEFECT_KINDS.items() if of == g])
        for g in DefectGroup
    ]


def defect_named(kind: str) -> tuple[str, str] | None:
    """What is defective as a page names it: its group and itself (None for a kind not known, or not kept)."""
    if kind not in DEFECT_KINDS:
        return None
    return DEFECT_GROUP_LABELS(DEFECT_KINDS[kind]), DEFECT_LABELS(kind)


def defect_place(where: str, kind: str) -> Place:
    """The request's place: the resident's premise for a defect in the flat, else the common place it is of."""
    return Place.PREMISE if where == DefectWhere.FLAT else DEFECT_COMMON_PLACE.get(kind, Place.ENTRANCE)


def defect_ticket_type(kind: str, commissioned_on: date | None, today: date) -> TicketType:
    """A defect's request is a warranty one while the warranty runs, or where the house's commissioning is not on
    record (the dispatcher checks); past the warranty it is an ordinary request of the company's."""
    if commissioned_on is None or warranty_state(kind, commissioned_on, today)[0]:
        return TicketType.WARRANTY
    return TicketType.ORDINARY


def warranty_ended_on(ticket_type: str, defect_kind: str, commissioned_on: date | None, filed_on: date) -> date | None:
    """The day the developer's warranty of a defect filed on ``filed_on`` ended, where the portal filed it past the
    warranty (an ordinary request, ``defect_ticket_type``; a dispatcher who made it a warranty one decided otherwise):
    then it is not forwarded. The term is the one of what is defective (``defect_kind``); a request filed before the
    kind was kept has none, and where both terms had ended it is the later one, the day by which the whole warranty
    had. None while it ran or where the commissioning is unknown."""
    if ticket_type == TicketType.WARRANTY or commissioned_on is None:
        return None
    groups = [DEFECT_KINDS[defect_kind]] if defect_kind in DEFECT_KINDS else list(DefectGroup)
    ended = [ends for ran, ends in (warranty_state(g, commissioned_on, filed_on) for g in groups) if not ran]
    return max(ended, default=None)


class DeveloperAnswer(StrEnum):
    """The developer's answer to a claim forwarded to it (``actions.record_developer_answer``)."""

    ACCEPTED = "accepted"  # it will fix the defect by a date: the request waits for it, that date its deadline
    REFUSED = "refused"  # back to the dispatcher with the reason; the owner may claim it themselves
    FIXED = "fixed"  # the developer fixed it: the request is done, the resident asked to confirm


DEVELOPER_ANSWER_LABELS = Labels(
    {
        "accepted": lazy("The developer accepted: will fix by the date"),
        "refused": lazy("The developer refused"),
        "fixed": lazy("Fixed by the developer"),
    }
)

# The furthest a developer's promised date may be: a later one is a typo more likely than a promise.
DEVELOPER_TERM_DAYS = 366


def may_record_developer_answer(status: str, internal_status: str, answer: str) -> bool:
    """Whether the developer's answer may be recorded on a request now: only on an open request waiting for the
    developer (``InternalStatus.DEVELOPER``), and «fixed» only where staff may move it to done."""
    waiting = internal_status == InternalStatus.DEVELOPER and status in ACTIVE
    return waiting and (answer != DeveloperAnswer.FIXED or can_move(status, S.DONE))


def developer_deadline(until: date, tz: str) -> datetime:
    """The request's deadline when the developer promised to fix the defect by ``until``: the end of that day in the
    company's zone (the list shows the date as the request's term)."""
    return datetime.combine(until, time(23, 59), tzinfo=ZoneInfo(tz))


@dataclass(frozen=True)
class DeveloperClaim:
    """Where a defect's claim to the developer stands, as the request's row keeps it (``tables.Ticket``)."""

    status: str
    answer: str = ""
    promised_on: date | None = None
    answered_at: datetime | None = None
    returned_at: datetime | None = None  # when work reported done last went back to work


def returned_since_answer(claim: DeveloperClaim) -> bool:
    """The request went back to work after the developer's last answer (an answer recorded before the moment was
    kept counts as earlier)."""
    if claim.returned_at is None:
        return False
    return claim.answered_at is None or claim.returned_at > claim.answered_at


def developer_promise(claim: DeveloperClaim) -> date | None:
    """The day the developer promised to fix a defect by, once it accepted the claim
    (``actions.record_developer_answer``), while the request is open: the promise stands whatever the dispatcher
    does with the request meanwhile (another internal status, a term of their own), until the developer fixes it or
    staff record another answer, finish or cancel the request, or the work reported done is returned. None otherwise
    (not forwarded, refused, fixed, returned since)."""
    if claim.status not in ACTIVE or claim.answer != DeveloperAnswer.ACCEPTED or returned_since_answer(claim):
        return None
    return claim.promised_on


def promise_returned(claim: DeveloperClaim) -> tuple[date, datetime] | None:
    """A developer's promise that is history: the day it promised and when the request was returned since (the work
    reported done, by the developer or by staff, was not done). The resident reads both, never the old day as the
    request's term. None where no promise was returned."""
    kept = claim.answer in (DeveloperAnswer.ACCEPTED, DeveloperAnswer.FIXED)
    if not kept or claim.promised_on is None or claim.returned_at is None or not returned_since_answer(claim):
        return None
    return claim.promised_on, claim.returned_at


# The statuses a resident reads as «В работе» while the developer's promise stands (``public_status``).
WAITING_STATUSES = frozenset({S.NEW, S.ACCEPTED, S.REOPENED})


def public_status(claim: DeveloperClaim) -> str:
    """The status the resident reads: their request's own, except that once the developer accepted a defect's claim
    (a promise stands, ``developer_promise``) it reads «В работе» whatever internal status staff leave it in, until
    the work is reported done."""
    if claim.status in WAITING_STATUSES and developer_promise(claim) is not None:
        return S.IN_WORK
    return claim.status


def developer_refused(status: str, answer: str) -> bool:
    """The developer refused the claim and the request is still open: the resident is told how the owner may claim
    the defect themselves (as the history's message of the refusal says)."""
    return status in ACTIVE and answer == DeveloperAnswer.REFUSED


@dataclass(frozen=True)
class RegistryPerson:
    """An owner of the register who may be the new owner: ``linked``: staff checked that the applicant is them."""

    id: int
    name: str
    email: str
    phone: str
    linked: bool


def _person_name(name: str) -> str:
    return " ".join(name.split()).casefold().replace("ё", "е")


def applicant_is_owner(owner_name: str, applicant_name: str) -> bool:
    """The application for a change of owner names its applicant as the new owner: the name it gives is the name
    on the applicant's account (compared as the register compares names: spaces, case, ё). A relative or another
    representative applying for the owner votes for them only with a power of attorney (ЖК ст. 48 ч. 2), so is
    not taken for the owner."""
    return bool(applicant_name.strip()) and _person_name(owner_name) == _person_name(applicant_name)


def known_owner(candidates: Iterable[RegistryPerson], name: str, *, email: str, phone: str) -> int | None:
    """The register's record of the new owner, so that no second one is made of the same person: one the applicant
    is linked to under the name the application gives; else one with that name and the applicant's confirmed e-mail
    or phone. A name alone is not enough (namesakes), nor a link under another name (an application for a relative).
    None: a new record. The lowest id of several (the oldest record)."""
    wanted = _person_name(name)
    email = email.strip().casefold()
    phone = normalize_phone(phone) or "" if phone else ""
    named = sorted((c for c in candidates if _person_name(c.name) == wanted), key=lambda c: (not c.linked, c.id))
    for candidate in named:
        if candidate.linked:
            return candidate.id
        if email and candidate.email.strip().casefold() == email:
            return candidate.id
        if phone and (normalize_phone(candidate.phone) if candidate.phone else None) == phone:
            return candidate.id
    return None
