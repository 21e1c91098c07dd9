"""Reads of meters and readings: the resident's own (scoped to the accounts they may pass readings for), and the
staff's (scoped to the houses they work with) — bounded, indexed, returned as dataclasses."""

from __future__ import annotations

from collections.abc import AsyncIterator
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from decimal import ROUND_HALF_UP
from decimal import Decimal
from typing import Any

from piccolo.query.functions.aggregate import Max

from portal.accounts.rules import rights_for
from portal.accounts.tables import ConsentRecord
from portal.accounts.tables import Residency
from portal.core import clock
from portal.core import orphans
from portal.core.address import full_address
from portal.core.db import from_row
from portal.core.pagination import Page
from portal.core.pagination import PageRequest
from portal.core.rows import columns_of
from portal.core.security import Principal
from portal.housing.queries import house_scope
from portal.housing.queries import kept
from portal.housing.tables import PersonalAccount
from portal.housing.tables import PremiseKind
from portal.meters import rules
from portal.meters.forms import ListFilter
from portal.meters.tables import HouseMeter
from portal.meters.tables import HouseReading
from portal.meters.tables import Meter
from portal.meters.tables import MeterExport
from portal.meters.tables import MeterReading
from portal.meters.tables import MeterReminder
from portal.meters.tables import MeterStatus
from portal.meters.tables import Review
from portal.meters.tables import Service
from portal.meters.tables import VerificationChange
from portal.notifications.queries import Recipient

VISIBLE = (MeterStatus.ACTIVE, MeterStatus.FAILED)  # the meters a resident passes readings for (or is told about)
# A reading still awaiting review, or rejected, is no previous reading: a new one is checked (decrease, jump) against
# the last one accepted, so a typo left unreviewed does not refuse next month's true value as «lower».
UNSETTLED = (Review.PENDING, Review.REJECTED)


@dataclass(kw_only=True)
class MeterCard(rules.MeterFacts):
    """What a page shows of any meter, an account's or a house's, beside its facts: ``current`` is its reading
    of each zone in the period being passed."""

    id: int
    serial: str
    place: str = ""
    status: str = MeterStatus.ACTIVE
    installed_on: date | None = None
    current: dict[int, Decimal] = field(default_factory=dict)

    def refusal(self, today: date) -> rules.ReadingError | None:
        """Why the meter takes no reading today (§4.2: failed, replaced, past its verification date), or None: the
        pages offer no field for it, and the action refuses a value posted all the same."""
        return rules.meter_refusal(
            on=today, next_verification=self.next_verification, failed=self.failed, retired=self.retired
        )


@dataclass(kw_only=True)
class MeterView(MeterCard):
    """A meter of an account with its readings: ``last`` before the period being passed, ``current`` in it."""

    account_id: int
    account_number: str
    residential: bool = True  # a flat's (a month without a reading is charged by the average for longer)
    address: str
    verification_ticket: int | None = None
    current_at: datetime | None = None
    current_photo: str = ""
    current_review: str = ""
    current_ids: dict[int, int] = field(default_factory=dict)
    current_by: int | None = None  # the user who passed the period's readings (None: staff, an import, nobody)
    current_by_name: str = ""
    last_at: datetime | None = None

    @property
    def this_period(self) -> bool:
        return bool(self.current)

    @property
    def passes(self) -> bool:
        """Takes readings today (``refusal`` says why not)."""
        return not self.failed and not self.retired


@dataclass(frozen=True)
class HomeReminder:
    """«Передайте показания до 25 ноября» while the window is open and a meter still waits for this month."""

    waiting: int
    until: date


def meter_accounts(principal: Principal) -> list[int]:
    """The accounts on which the user may pass readings: open ones (a closed account's meters moved with the flat)."""
    return sorted(a for a in principal.account_ids if principal.may_act_on(a, "meters"))


def _quantum(decimals: int) -> Decimal:
    return Decimal(10) ** -decimals


METER_COLUMNS = (
    Meter.all_columns(),
    Meter.account.number.as_alias("account_number"),
    Meter.account.premise.house.address.as_alias("address"),
    Meter.account.premise.number.as_alias("premise_number"),
    Meter.account.premise.kind.as_alias("premise_kind"),
)


def _of_account(r: dict[str, Any]) -> dict[str, Any]:
    """The fields of a meter of an account that are not its own columns as read (``METER_COLUMNS``)."""
    address = full_address(r["address"], r["premise_kind"], r["premise_number"])
    return {"account_id": r["account"], "address": address, "place": r["place"] or ""}


def _view(r: dict[str, Any]) -> MeterView:
    return from_row(
        MeterView,
        r,
        **_of_account(r),
        failed=r["failed_on"] is not None or r["status"] == MeterStatus.FAILED,
        retired=r["status"] in (MeterStatus.REPLACED, MeterStatus.REMOVED),
        residential=r["premise_kind"] == PremiseKind.FLAT,
    )


async def meters_of(account_ids: list[int], period: date, *, retired: bool = False) -> list[MeterView]:
    """The meters of the given accounts with their readings: the latest before ``period`` per register, those of
    ``period`` itself, and the usual monthly consumption from the account's own history (a replaced meter's
    readings count for the meter that replaced it). Two queries whatever the count (three when a register has
    no reading in the last year). Replaced and removed meters only with ``retired``."""
    if not account_ids:
        return []
    rows = await (
        Meter.select(*METER_COLUMNS)
        .where(Meter.account.is_in(account_ids))
        .order_by(Meter.account)
        .order_by(Meter.service)
        .order_by(Meter.id)
        .limit(400)
    )
    every = {r["id"]: _view(r) for r in rows}
    if not every:
        return []
    successor = {r["id"]: r["replaced_by"] for r in rows if r["replaced_by"] in every}
    await _add_readings(every, successor, period, retired=retired)
    return [m for m in every.values() if retired or m.status in VISIBLE]


def _owner_of(meter_id: int, successor: dict[int, int]) -> int:
    """The meter whose history a reading of ``meter_id`` belongs to (the last of its replacements)."""
    seen = {meter_id}
    while meter_id in successor and successor[meter_id] not in seen:
        meter_id = successor[meter_id]
        seen.add(meter_id)
    return meter_id


async def _add_readings(
    meters: dict[int, MeterView], successor: dict[int, int], period: date, *, retired: bool = False
) -> None:
    since = rules.months_back(period, rules.AVERAGE_MONTHS)
    readings = await (
        MeterReading.select(
            MeterReading.id,
            MeterReading.meter,
            MeterReading.zone,
            MeterReading.value,
            MeterReading.consumption,
            MeterReading.submitted_at,
            MeterReading.period,
            MeterReading.photo,
            MeterReading.review,
            MeterReading.submitted_by,
            MeterReading.submitted_by.full_name.as_alias("by_name"),
        )
        .where(MeterReading.meter.is_in(list(meters)) & (MeterReading.period >= since))
        .order_by(MeterReading.period)
        .order_by(MeterReading.id)
    )
    for r in readings:
        view = meters[r["meter"]]
        zone, value = r["zone"], Decimal(r["value"]).quantize(_quantum(view.decimals))
        if r["period"] == period:
            view.current[zone] = value
            view.current_ids[zone] = r["id"]
            view.current_at, view.current_photo = r["submitted_at"], r["photo"] or view.current_photo
            view.current_review = r["review"] or view.current_review
            view.current_by, view.current_by_name = r["submitted_by"], r["by_name"] or ""
        elif r["period"] < period and r["review"] not in UNSETTLED:
            view.last[zone] = value
            view.last_period = r["period"]
            view.last_at = r["submitted_at"]
    owner = {m: _owner_of(m, successor) for m in meters}
    for (meter_id, zone), usual in _usuals(readings, owner, {m: v.service for m, v in meters.items()}, period).items():
        meters[meter_id].average[zone] = usual
    await _add_older_last_readings(meters, period, retired=retired)


def _usuals(
    readings: Iterable[dict[str, Any]], owner: dict[int, int], services: dict[int, str], period: date
) -> dict[tuple[int, int], Decimal]:
    """The usual monthly consumption (``rules.usual_consumption``) of each (meter, zone) from its readings before
    ``period`` billing took, oldest first, a replaced meter's counted for its ``owner``; none without enough."""
    used: dict[tuple[int, int], list[rules.Used]] = {}
    seen_period: dict[tuple[int, int], date] = {}
    for r in readings:
        if r["period"] >= period or r["review"] in UNSETTLED:
            continue  # a rejected (or unreviewed) reading is not there: the next one's consumption covers its months
        key = (owner.get(r["meter"], r["meter"]), r["zone"])
        months = rules.months_between(seen_period[key], r["period"]) if key in seen_period else 1
        seen_period[key] = r["period"]
        if r["consumption"] is not None:
            used.setdefault(key, []).append(rules.Used(r["period"], Decimal(r["consumption"]), max(1, months)))
    found: dict[tuple[int, int], Decimal] = {}
    for key, history in used.items():
        season = rules.HEATING_SEASON if services.get(key[0]) == Service.HEATING else None
        if (usual := rules.usual_consumption(history, period, season=season)) is not None:
            found[key] = usual
    return found


async def _add_older_last_readings(meters: dict[int, MeterView], period: date, *, retired: bool = False) -> None:
    """A register with no reading in the last year still has a previous reading to compare with (two queries):
    a replaced or removed meter's too when it is asked for (staff review and correct its last readings)."""
    stale = [m.id for m in meters.values() if len(m.last) < m.zones and (retired or m.status in VISIBLE)]
    if not stale:
        return
    newest = (
        await MeterReading.select(Max(MeterReading.period).as_alias("last_period"), MeterReading.meter)
        .where(
            MeterReading.meter.is_in(stale)
            & (MeterReading.period < period)
            & MeterReading.review.not_in(list(UNSETTLED))
        )
        .group_by(MeterReading.meter)
    )
    wanted = [(r["meter"], r["last_period"]) for r in newest if r["last_period"]]
    if not wanted:
        return
    condition = None
    for meter_id, last in wanted:
        part = (MeterReading.meter == meter_id) & (MeterReading.period == last)
        condition = part if condition is None else condition | part
    rows = await MeterReading.select(
        MeterReading.meter, MeterReading.zone, MeterReading.value, MeterReading.period, MeterReading.submitted_at
    ).where(condition)
    for r in rows:
        view = meters[r["meter"]]
        if r["zone"] not in view.last:
            view.last[r["zone"]] = Decimal(r["value"]).quantize(_quantum(view.decimals))
            view.last_period, view.last_at = r["period"], r["submitted_at"]


async def resident_meter(principal: Principal, meter_id: int) -> Meter | None:
    """A meter of the resident's accounts (with the meters right), or None for any other."""
    accounts = meter_accounts(principal)
    if not accounts:
        return None
    return await Meter.objects().where((Meter.id == meter_id) & Meter.account.is_in(accounts)).first()


async def home_reminder(principal: Principal, today: date, window: rules.Window) -> HomeReminder | None:
    """The home page's reminder, or None outside the window or when every meter has its reading."""
    accounts = meter_accounts(principal)
    if not accounts or not window.is_open(today):
        return None
    meters = await meters_of(accounts, rules.period_of_reading(today, window))
    # A rejected reading is to be passed again: its meter waits as one with none.
    waiting = [m for m in meters if (not m.this_period or m.current_review == Review.REJECTED) and not m.refusal(today)]
    if not waiting:
        return None
    return HomeReminder(waiting=len(waiting), until=today.replace(day=window.end_day))


# --- history of one meter ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryRow:
    period: date
    zone: int
    value: Decimal
    consumption: Decimal | None
    submitted_at: datetime
    source: str
    review: str
    photo: str
    id: int


async def history_of(meter_id: int, decimals: int, months: int = 24) -> list[HistoryRow]:
    """The readings of one meter over the last ``months`` passed (newest first; at most 3 zones × months rows)."""
    rows = await (
        MeterReading.select(
            MeterReading.id,
            MeterReading.period,
            MeterReading.zone,
            MeterReading.value,
            MeterReading.consumption,
            MeterReading.submitted_at,
            MeterReading.source,
            MeterReading.review,
            MeterReading.photo,
        )
        .where(MeterReading.meter == meter_id)
        .order_by(MeterReading.period, ascending=False)
        .order_by(MeterReading.zone)
        .limit(months * 3)
    )
    quantum = _quantum(decimals)
    return [
        from_row(
            HistoryRow,
            r,
            value=Decimal(r["value"]).quantize(quantum),
            consumption=Decimal(r["consumption"]).quantize(quantum) if r["consumption"] is not None else None,
            review=r["review"] or "",
            photo=r["photo"] or "",
        )
        for r in rows
    ]


def chart_points(rows: Iterable[HistoryRow], last: date, months: int = 12) -> list[rules.Point]:
    """Per month: the readings and the consumption summed over the zones (the chart and its table), oldest first;
    a month whose consumption is unknown for a zone, or whose reading was rejected, has none."""
    values: dict[date, Decimal] = {}
    used: dict[date, Decimal | None] = {}
    for r in rows:
        values[r.period] = values.get(r.period, Decimal(0)) + r.value
        known = r.consumption is not None and r.review != Review.REJECTED
        before = used.get(r.period, Decimal(0))
        used[r.period] = before + r.consumption if known and before is not None else None  # type: ignore[operator]
    return rules.monthly_history([(p, v, used.get(p)) for p, v in values.items()], last, months)


# --- people to tell ---------------------------------------------------------------------------------------------


# The person of a residency as a message to them needs it, read through the residency's user.
_PERSON = {
    "user_id": Residency.user.id,
    "locale": Residency.user.locale,
    "email": Residency.user.email,
    "notify_email": Residency.user.notify_email,
}


async def residents_of(account_ids: list[int]) -> dict[int, list[Recipient]]:
    """The residents of each account who may pass its readings (the "meters" right), active, with a live
    residency (a closed account's owners only, ``housing.queries.kept``); their e-mail only while the personal-data
    consent stands (152-ФЗ). Two queries."""
    if not account_ids:
        return {}
    person = (column.as_alias(name) for name, column in _PERSON.items())
    rows = await Residency.select(Residency.account, Residency.role, Residency.rights, *person).where(
        Residency.account.is_in(sorted(account_ids))
        & Residency.revoked_at.is_null()
        & kept(clock.today_local())
        & (Residency.user.is_active == True)  # noqa: E712 (a column compared in SQL)
    )
    rows = [r for r in rows if "meters" in rights_for(r["role"], r["rights"] or [])]
    users = sorted({r["user_id"] for r in rows})
    consented = set()
    if users:
        consented = {
            r["user"]
            for r in await ConsentRecord.select(ConsentRecord.user).where(
                ConsentRecord.user.is_in(users)
                & (ConsentRecord.consent_type == "processing")
                & ConsentRecord.withdrawn_at.is_null()
            )
        }
    found: dict[int, list[Recipient]] = {}
    for r in rows:
        consent = r["user_id"] in consented
        found.setdefault(r["account"], []).append(
            Recipient(
                user_id=r["user_id"],
                locale=r["locale"] or "ru",
                email=(r["email"] or None) if consent else None,
                phone=None,
                consent=consent,
                wants_email=bool(r["notify_email"]),
            )
        )
    return found


# --- reminders ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReminderFacts:
    """What the reminder job needs of one account with people on the portal: whether anything was passed for the
    period (or nothing can be: no meter of it takes readings), and the verification dates of its meters within the
    lead time (with the meter each is of)."""

    account_id: int
    number: str
    address: str
    passed: bool
    verification_meters: dict[date, tuple[str, str]]

    @property
    def verifications(self) -> list[date]:
        return sorted(self.verification_meters)


async def reminder_facts(period: date, today: date, *, after: int, limit: int) -> list[ReminderFacts]:
    """The next ``limit`` accounts (by id, after ``after``) with meters in use and residents on the portal; three
    queries a page."""
    with_people = Residency.select(Residency.account).where(Residency.revoked_at.is_null() & kept(today))
    ids = [
        r["account"]
        for r in await Meter.select(Meter.account)
        .where((Meter.status == MeterStatus.ACTIVE) & (Meter.account > after) & Meter.account.is_in(with_people))
        .distinct()
        .order_by(Meter.account)
        .limit(limit)
    ]
    if not ids:
        return []
    meters = await Meter.select(*METER_COLUMNS).where(Meter.account.is_in(ids) & (Meter.status == MeterStatus.ACTIVE))
    passed = {
        r["account"]
        for r in await MeterReading.select(MeterReading.meter.account.as_alias("account"))
        .where(
            (MeterReading.period == period)
            & MeterReading.meter.is_in([m["id"] for m in meters])
            & (MeterReading.review != Review.REJECTED)  # rejected: the resident is asked to pass it again
        )
        .distinct()
    }
    # An account none of whose meters takes a reading today (verification passed, failed) has nothing to pass: it
    # is told of the verification on its page, not asked each month for readings that would be refused.
    takes = {
        m["account"]
        for m in meters
        if rules.meter_refusal(on=today, next_verification=m["next_verification"], failed=m["failed_on"] is not None)
        is None
    }
    horizon = today.toordinal() + rules.VERIFICATION_LEAD_DAYS
    facts: dict[int, ReminderFacts] = {}
    for m in meters:
        account = m["account"]
        if account not in facts:
            address = full_address(m["address"], m["premise_kind"], m["premise_number"])
            done = account in passed or account not in takes
            facts[account] = ReminderFacts(account, m["account_number"], address, done, {})
        due = m["next_verification"]
        if due is not None and today < due and due.toordinal() <= horizon:
            facts[account].verification_meters.setdefault(due, (m["service"], m["serial"]))
    return [facts[a] for a in ids if a in facts]


async def reminders_sent(accounts: set[int], keys: set[date]) -> set[tuple[str, int, date]]:
    rows = await MeterReminder.select(MeterReminder.kind, MeterReminder.account, MeterReminder.key).where(
        MeterReminder.account.is_in(sorted(accounts)) & MeterReminder.key.is_in(sorted(keys))
    )
    return {(r["kind"], r["account"], r["key"]) for r in rows}


# --- staff: one meter, the meters of a premise ---------------------------------------------------------------------


@dataclass(frozen=True)
class MeterPassport:
    """What staff see on the card of any meter, a flat's or a house's: its passport facts and state."""

    id: int
    house_id: int
    address: str
    service: str
    serial: str
    place: str
    digits: int
    decimals: int
    zones: int
    installed_on: date | None
    next_verification: date | None
    verified_on: date | None
    status: str


@dataclass(frozen=True)
class StaffMeter(MeterPassport):
    """A flat's meter as staff see it on its card."""

    account_id: int
    account_number: str
    premise_id: int
    failed_on: date | None
    removed_on: date | None
    replaced_by: int | None
    verification_ticket: int | None
    updated_at: datetime | None = None  # its version: the card's edit form carries it (core.stale)

    def as_values(self) -> dict[str, Any]:
        names = ("service", "zones", "serial", "place", "digits", "decimals", "installed_on", "next_verification")
        return {**{n: getattr(self, n) for n in names}, "status": self.status}


_STAFF_METER_COLUMNS = (
    *METER_COLUMNS,
    Meter.updated_at,
    Meter.account.premise.id.as_alias("premise_id"),
    Meter.account.premise.house.id.as_alias("house_id"),
)


def _staff_meter(r: dict[str, Any]) -> StaffMeter:
    return from_row(StaffMeter, r, **_of_account(r))


async def staff_meter(principal: Principal, meter_id: int) -> StaffMeter | None:
    """A meter of a house the user works with, or None (missing and forbidden alike)."""
    query = Meter.select(*_STAFF_METER_COLUMNS).where(Meter.id == meter_id)
    scope = house_scope(Meter.account.premise.house, principal)
    row = await (query.where(scope) if scope is not None else query).first()
    return _staff_meter(row) if row else None


async def last_changes(meter_ids: list[int]) -> dict[int, date]:
    """The day of the last change each meter's history keeps (of its verification date, failure or state)."""
    found: dict[int, date] = {}
    for start in range(0, len(meter_ids), 500):
        rows = await (
            VerificationChange.select(VerificationChange.meter, Max(VerificationChange.changed_on).as_alias("last"))
            .where(VerificationChange.meter.is_in(meter_ids[start : start + 500]))
            .group_by(VerificationChange.meter)
        )
        found.update({r["meter"]: day for r in rows if (day := _as_date(r["last"])) is not None})
    return found


async def meters_of_premise(premise_id: int) -> list[StaffMeter]:
    """Every meter of the premise's accounts, in use first (the caller has checked the premise's scope)."""
    rows = await (
        Meter.select(*_STAFF_METER_COLUMNS)
        .where(Meter.account.premise == premise_id)
        .order_by(Meter.status)
        .order_by(Meter.service)
        .order_by(Meter.id)
        .limit(200)
    )
    return [_staff_meter(r) for r in rows]


# --- staff: one reading under review --------------------------------------------------------------------------------


@dataclass(frozen=True)
class StaffReading:
    """A meter's reading for one period (every zone), with what the review needs beside it: the previous reading,
    the usual consumption, the photo, who passed it and how."""

    id: int
    meter_id: int
    account_id: int
    account_number: str
    address: str
    house_id: int
    serial: str
    period: date
    values: dict[int, Decimal]
    originals: dict[int, Decimal]
    consumptions: dict[int, Decimal | None]
    photo: str
    source: str
    submitted_at: datetime
    submitted_by: str
    review: str
    review_note: str
    reviewed_by: str
    reviewed_at: datetime | None
    flagged: bool
    rollover: bool
    facts: MeterView

    @property
    def version(self) -> str:
        """What its correction form carries (``rules.reading_version``)."""
        return rules.reading_version(self.values, self.review, self.review_note)

    @property
    def consumption(self) -> Decimal | None:
        used = list(self.consumptions.values())
        return sum(used, Decimal(0)) if used and all(u is not None for u in used) else None  # type: ignore[arg-type]

    @property
    def usual(self) -> Decimal | None:
        averages = [self.facts.average.get(z) for z in self.values]
        return sum(averages, Decimal(0)) if averages and all(a is not None for a in averages) else None  # type: ignore[arg-type]


async def following_readings(meter_id: int, period: date, zones: int) -> dict[int, tuple[int, Decimal]]:
    """The reading passed next after ``period`` of each zone of the meter (id and value; rejected ones left out):
    its consumption was counted from the reading of ``period``. All zones are passed together, so the first
    ``zones`` rows are the next period's."""
    rows = await (
        MeterReading.select(MeterReading.id, MeterReading.zone, MeterReading.value, MeterReading.period)
        .where(
            (MeterReading.meter == meter_id) & (MeterReading.period > period) & (MeterReading.review != Review.REJECTED)
        )
        .order_by(MeterReading.period)
        .order_by(MeterReading.zone)
        .limit(zones)
    )
    first = rows[0]["period"] if rows else None
    return {r["zone"]: (r["id"], Decimal(r["value"])) for r in rows if r["period"] == first}


async def staff_reading(principal: Principal, reading_id: int) -> StaffReading | None:
    """A reading of a house the user works with (with its sibling zones), or None (missing and forbidden alike)."""
    query = MeterReading.select(
        MeterReading.meter,
        MeterReading.period,
        MeterReading.meter.account.as_alias("account"),
        MeterReading.meter.account.premise.house.as_alias("house"),
    ).where(MeterReading.id == reading_id)
    scope = house_scope(MeterReading.meter.account.premise.house, principal)
    head = await (query.where(scope) if scope is not None else query).first()
    if head is None:
        return None
    rows = (
        await MeterReading.select(
            MeterReading.all_columns(),
            MeterReading.submitted_by.full_name.as_alias("submitted_name"),
            MeterReading.reviewed_by.full_name.as_alias("reviewer_name"),
        )
        .where((MeterReading.meter == head["meter"]) & (MeterReading.period == head["period"]))
        .order_by(MeterReading.zone)
    )
    views = {m.id: m for m in await meters_of([head["account"]], head["period"], retired=True)}
    facts = views[head["meter"]]
    first = rows[0]
    quantum = _quantum(facts.decimals)
    return StaffReading(
        id=first["id"],
        meter_id=head["meter"],
        account_id=head["account"],
        account_number=facts.account_number,
        address=facts.address,
        house_id=head["house"],
        serial=facts.serial,
        period=head["period"],
        values={r["zone"]: Decimal(r["value"]).quantize(quantum) for r in rows},
        originals={r["zone"]: Decimal(r["original_value"]) for r in rows if r["original_value"] is not None},
        consumptions={r["zone"]: Decimal(r["consumption"]) if r["consumption"] is not None else None for r in rows},
        photo=next((r["photo"] for r in rows if r["photo"]), ""),
        source=first["source"],
        submitted_at=first["submitted_at"],
        submitted_by=first["submitted_name"] or "",
        review=first["review"] or "",
        review_note=first["review_note"] or "",
        reviewed_by=first["reviewer_name"] or "",
        reviewed_at=first["reviewed_at"],
        flagged=any(r["flagged"] for r in rows),
        rollover=any(r["rollover"] for r in rows),
        facts=facts,
    )


async def photo_of(reading_id: int) -> str:
    row = await MeterReading.select(MeterReading.photo).where(MeterReading.id == reading_id).first()
    return (row or {}).get("photo") or ""


# --- staff: the period's readings, the meters and accounts without one ---------------------------------------------


@dataclass(frozen=True)
class ListRow:
    """A row of the staff list: a register's reading of the period, or a meter still waiting for one."""

    meter_id: int
    account_id: int
    account_number: str
    address: str
    service: str
    serial: str
    zones: int
    decimals: int
    next_verification: date | None
    reading_id: int | None = None
    zone: int = 1
    value: Decimal | None = None
    consumption: Decimal | None = None
    source: str = ""
    submitted_at: datetime | None = None
    photo: bool = False
    flagged: bool = False
    review: str = ""
    recount: bool = False  # changed after its month was exported to billing


_LIST_COLUMNS = (
    MeterReading.id,
    MeterReading.meter,
    MeterReading.zone,
    MeterReading.value,
    MeterReading.consumption,
    MeterReading.source,
    MeterReading.submitted_at,
    MeterReading.photo,
    MeterReading.flagged,
    MeterReading.review,
    MeterReading.recount,
    MeterReading.meter.account.as_alias("account"),
    MeterReading.meter.account.number.as_alias("account_number"),
    MeterReading.meter.account.premise.house.address.as_alias("address"),
    MeterReading.meter.account.premise.number.as_alias("premise_number"),
    MeterReading.meter.account.premise.kind.as_alias("premise_kind"),
    MeterReading.meter.service.as_alias("service"),
    MeterReading.meter.serial.as_alias("serial"),
    MeterReading.meter.zones.as_alias("zones"),
    MeterReading.meter.decimals.as_alias("decimals"),
    MeterReading.meter.next_verification.as_alias("next_verification"),
)


def _reading_conditions(principal: Principal, f: ListFilter) -> Any:
    conditions = [MeterReading.period == f.period, house_scope(MeterReading.meter.account.premise.house, principal)]
    if f.houses:
        conditions.append(MeterReading.meter.account.premise.house.is_in(list(f.houses)))
    if f.complex:
        conditions.append(MeterReading.meter.account.premise.house.complex == f.complex)
    if f.service:
        conditions.append(MeterReading.meter.service == f.service)
    if f.source:
        conditions.append(MeterReading.source == f.source)
    if f.pending:
        conditions.append(MeterReading.review == Review.PENDING)
    elif f.implausible:
        conditions.append(MeterReading.flagged == True)  # noqa: E712
    if f.recount:
        conditions.append(MeterReading.recount == True)  # noqa: E712
    if f.photo:
        conditions.append(MeterReading.photo != "")
    combined = None
    for c in conditions:
        if c is not None:
            combined = c if combined is None else combined & c
    return combined


def _list_row(r: dict[str, Any]) -> ListRow:
    quantum = _quantum(r["decimals"])
    return from_row(
        ListRow,
        r,
        meter_id=r["meter"],
        account_id=r["account"],
        address=full_address(r["address"], r["premise_kind"], r["premise_number"]),
        reading_id=r["id"],
        value=Decimal(r["value"]).quantize(quantum),
        consumption=Decimal(r["consumption"]).quantize(quantum) if r["consumption"] is not None else None,
        photo=bool(r["photo"]),
        flagged=bool(r["flagged"]),
        review=r["review"] or "",
        recount=bool(r["recount"]),
    )


async def readings_page(principal: Principal, f: ListFilter, page: PageRequest) -> Page[ListRow]:
    """The period's readings with the filters, a register a row, by meter; the page and its count."""
    if f.missing:
        return await missing_meters_page(principal, f, page)
    return await _readings_page(_reading_conditions(principal, f), page)


async def _readings_page(where: Any, page: PageRequest, *first: Any) -> Page[ListRow]:
    """A page of the readings ``where`` finds, a register a row, ordered by ``first`` (the review queue's period)
    and then by meter and zone; and their count."""
    total = await MeterReading.count().where(where)
    query = MeterReading.select(*_LIST_COLUMNS).where(where)
    for column in (*first, MeterReading.meter, MeterReading.zone):
        query = query.order_by(column)
    rows = await query.limit(page.size).offset(page.offset)
    return Page(items=[_list_row(r) for r in rows], total=total, number=page.number, size=page.size)


def _missing_sql(principal: Principal, f: ListFilter, args: list[Any]) -> str:
    """The condition of meters in use with no reading (other than a rejected one) for the period, in scope."""
    where = ["m.status = {}"]
    args.append(MeterStatus.ACTIVE.value)
    if principal.house_ids is not None:
        ids = sorted(principal.house_ids) or [0]
        where.append(f"p.house IN ({', '.join('{}' for _ in ids)})")
        args.extend(ids)
    if f.houses:
        where.append(f"p.house IN ({', '.join('{}' for _ in f.houses)})")
        args.extend(f.houses)
    if f.complex:
        where.append("p.house IN (SELECT id FROM house WHERE complex = {})")
        args.append(f.complex)
    if f.service:
        where.append("m.service = {}")
        args.append(f.service)
    # Review.REJECTED written out: the partial index ``meter_reading_taken`` serves only a condition that matches
    # its own word for word, never a bound parameter.
    where.append(
        "NOT EXISTS (SELECT 1 FROM meter_reading r WHERE r.period = {} AND r.meter = m.id AND r.review <> 'rejected')"
    )
    args.append(f.period)
    where.append("(m.installed_on IS NULL OR m.installed_on < {})")  # installed after the month: not of it (the export)
    args.append(rules.next_month(f.period))
    return " AND ".join(where)


_MISSING_FROM = (
    " FROM meter m JOIN personal_account a ON a.id = m.account JOIN premise p ON p.id = a.premise"
    " JOIN house h ON h.id = p.house WHERE "
)


async def missing_meters_page(principal: Principal, f: ListFilter, page: PageRequest) -> Page[ListRow]:
    """Meters in use still without a reading for the period (the list's "missing" filter); page and count."""
    args: list[Any] = []
    where = _missing_sql(principal, f, args)
    counted = await Meter.raw("SELECT COUNT(*) AS n" + _MISSING_FROM + where, *args)
    sql = (
        "SELECT m.id AS meter, m.account, m.service, m.serial, m.zones, m.decimals, m.next_verification, "
        "a.number AS account_number, h.address, p.number AS premise_number, p.kind AS premise_kind"
        + _MISSING_FROM
        + where
        + " ORDER BY m.account, m.id LIMIT {} OFFSET {}"
    )
    rows = await Meter.raw(sql, *args, page.size, page.offset)
    items = [
        from_row(
            ListRow,
            r,
            meter_id=r["meter"],
            account_id=r["account"],
            address=full_address(r["address"], r["premise_kind"], r["premise_number"]),
            next_verification=_as_date(r["next_verification"]),
        )
        for r in rows
    ]
    return Page(items=items, total=int(counted[0]["n"]), number=page.number, size=page.size)


def _as_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


@dataclass(frozen=True)
class MissingAccount:
    """An account with meters in use and no reading for the period from some of them."""

    account_id: int
    number: str
    address: str
    payer: str
    missing: int
    meters: int


async def missing_accounts_page(principal: Principal, f: ListFilter, page: PageRequest) -> Page[MissingAccount]:
    """Accounts with meters still waiting for the period's reading, by account; the page and its count (each one
    query: the meters in use walked by the (account, status) index, a reading looked up by its unique index)."""
    args: list[Any] = []
    where = _missing_sql(principal, f, args)
    counted = await Meter.raw(
        "SELECT COUNT(DISTINCT m.account) AS n" + _MISSING_FROM + where,
        *args,
    )
    sql = (
        "SELECT m.account, a.number, a.payer_name, h.address, p.number AS premise_number, p.kind AS premise_kind, "
        "COUNT(*) AS missing" + _MISSING_FROM + where + " GROUP BY m.account, a.number, a.payer_name, h.address, "
        "p.number, p.kind ORDER BY m.account LIMIT {} OFFSET {}"
    )
    rows = await Meter.raw(sql, *args, page.size, page.offset)
    totals: dict[int, int] = {}
    if rows:
        ids = [r["account"] for r in rows]
        for r in await Meter.select(Meter.account).where(
            Meter.account.is_in(ids) & (Meter.status == MeterStatus.ACTIVE)
        ):
            totals[r["account"]] = totals.get(r["account"], 0) + 1
    items = [
        MissingAccount(
            account_id=r["account"],
            number=r["number"],
            address=full_address(r["address"], r["premise_kind"], r["premise_number"]),
            payer=r["payer_name"] or "",
            missing=int(r["missing"]),
            meters=totals.get(r["account"], int(r["missing"])),
        )
        for r in rows
    ]
    return Page(items=items, total=int(counted[0]["n"]), number=page.number, size=page.size)


# --- staff: the export of the period's readings --------------------------------------------------------------------


@dataclass(frozen=True)
class ExportRow:
    """One line of the export to the billing system (README: "Export of readings")."""

    period: date
    account_number: str
    address: str
    premise_number: str
    serial: str
    service: str
    zones: int
    zone: int
    value: Decimal | None
    consumption: Decimal | None
    submitted_at: datetime | None
    source: str
    rollover: bool
    review: str
    reading_id: int | None
    # How billing charges the register this month: by the reading, or — no reading taken — by the average or the
    # normative (``rules.charge_basis``), after ``months_without_reading`` periods in a row without one.
    basis: str = rules.Basis.METERED
    months_without_reading: int | None = 0
    coefficient: Decimal = Decimal(1)
    recount: bool = False  # changed by a review since the month was last exported: billing recounts it
    average: Decimal | None = None  # the usual monthly consumption a month charged by the average is charged at


EXPORT_CHUNK = 2000


def _export_scope(principal: Principal, house: int | None) -> tuple[str, list[Any]]:
    """The condition on the premise ``p`` of the houses an export covers, and its arguments."""
    where, scope = "", []
    if principal.house_ids is not None:
        ids = sorted(principal.house_ids) or [0]
        where += f" AND p.house IN ({', '.join('{}' for _ in ids)})"
        scope.extend(ids)
    if house:
        where += " AND p.house = {}"
        scope.append(house)
    return where, scope


async def export_accounts(principal: Principal, house: int | None = None) -> int:
    """How many personal accounts the houses of an export hold (what its progress counts to)."""
    query = PersonalAccount.count()
    scope = house_scope(PersonalAccount.premise.house, principal)
    if scope is not None:
        query = query.where(scope)
    if house:
        query = query.where(PersonalAccount.premise.house == house)
    return await query


async def export_rows(principal: Principal, period: date, house: int | None = None) -> AsyncIterator[ExportRow]:
    """The period's readings the billing system takes — every reading except those waiting for review or
    rejected — in the user's houses, by meter and zone, read in chunks along the (period, meter, zone) index; then
    a line for each register of a meter in use the month has no such reading of, with its basis."""
    in_scope, scope = _export_scope(principal, house)
    where = "r.period = {} AND r.review NOT IN ({}, {})" + in_scope
    base: list[Any] = [period, Review.PENDING.value, Review.REJECTED.value]
    sql = (
        "SELECT r.id, r.meter, r.zone, r.value, r.consumption, r.submitted_at, r.source, r.rollover, r.review, "
        "r.recount, m.serial, m.service, m.zones, m.decimals, a.number AS account_number, h.address, "
        "p.number AS premise_number "
        "FROM meter_reading r JOIN meter m ON m.id = r.meter JOIN personal_account a ON a.id = m.account "
        "JOIN premise p ON p.id = a.premise JOIN house h ON h.id = p.house WHERE "
        + where
        + " AND (r.meter, r.zone) > ({}, {}) ORDER BY r.meter, r.zone LIMIT {}"
    )
    last_meter, last_zone = 0, 0
    while True:
        rows = await MeterReading.raw(sql, *base, *scope, last_meter, last_zone, EXPORT_CHUNK)
        for r in rows:
            quantum = _quantum(r["decimals"])
            yield from_row(
                ExportRow,
                r,
                period=period,
                value=Decimal(str(r["value"])).quantize(quantum),
                consumption=Decimal(str(r["consumption"])).quantize(quantum) if r["consumption"] is not None else None,
                submitted_at=_as_moment(r["submitted_at"]),
                rollover=bool(r["rollover"]),
                review=r["review"] or "",
                reading_id=r["id"],
                recount=bool(r["recount"]),
            )
        if len(rows) < EXPORT_CHUNK:
            break
        last_meter, last_zone = rows[-1]["meter"], rows[-1]["zone"]
    async for row in _without_reading(period, in_scope, scope):
        yield row


# Each meter in use (or failed) in the month — replaced or removed only after it — with the last period before this
# one with a reading billing took.
_WITHOUT_READING = (
    "SELECT m.id, m.serial, m.service, m.zones, m.decimals, m.status, m.failed_on, m.installed_on, "
    "m.next_verification, a.number AS account_number, h.address, p.number AS premise_number, p.kind AS premise_kind, "
    "(SELECT MAX(r.period) FROM meter_reading r WHERE r.meter = m.id "
    "AND r.review NOT IN ('pending', 'rejected') AND r.period < {}) AS own_last, "
    "EXISTS (SELECT 1 FROM meter_reading r WHERE r.meter = m.id AND r.period = {} AND r.recount) AS recount "
    "FROM meter m JOIN personal_account a ON a.id = m.account JOIN premise p ON p.id = a.premise "
    "JOIN house h ON h.id = p.house WHERE (m.status IN ({}, {}) OR m.removed_on >= {}) "
    "AND (m.installed_on IS NULL OR m.installed_on < {}) "
    "AND NOT EXISTS (SELECT 1 FROM meter_reading r WHERE r.meter = m.id AND r.period = {} "
    "AND r.review NOT IN ('pending', 'rejected'))"
)


async def _without_reading(period: date, in_scope: str, scope: list[Any]) -> AsyncIterator[ExportRow]:
    """The registers of meters in use (or failed) with no reading billing takes for ``period``, by meter, each
    with the basis it is charged by (DOMAIN §4.2); a few queries a chunk of meters."""
    sql = _WITHOUT_READING + in_scope + " AND m.id > {} ORDER BY m.id LIMIT {}"
    after = rules.next_month(period)
    closes = after - timedelta(days=1)
    fixed = [period, period, MeterStatus.ACTIVE.value, MeterStatus.FAILED.value, after, after, period]
    last_meter = 0
    while True:
        rows = await Meter.raw(sql, *fixed, *scope, last_meter, EXPORT_CHUNK)
        owner = await _predecessors([r["id"] for r in rows])
        replaced = await _replaced_last(owner, period)
        averages = await _export_averages({r["id"]: r["service"] for r in rows}, owner, period)
        changes = await _changes_since([r["id"] for r in rows], after)
        for r in rows:
            taken = [d for d in (_as_date(r["own_last"]), replaced.get(r["id"])) if d is not None]
            # Judged as it stood when the month closed, not as it stands now (verified or repaired since).
            failed = rules.standing_on(closes, _standing(r), changes.get(r["id"], [])).failed_by(closes)
            for zone in range(1, r["zones"] + 1):
                yield _basis_row(r, period, zone, max(taken, default=None), averages.get((r["id"], zone)), failed)
        if len(rows) < EXPORT_CHUNK:
            return
        last_meter = rows[-1]["id"]


def _standing(r: dict[str, Any]) -> rules.Standing:
    """A meter's verification date and failure as a row of the meter, or of a change, has them."""
    failed = r["status"] == MeterStatus.FAILED
    return rules.Standing(_as_date(r["next_verification"]), _as_date(r["failed_on"]), failed)


async def _changes_since(meter_ids: list[int], day: date) -> dict[int, list[tuple[date, rules.Standing]]]:
    """The changes of the meters' verification and failure made on ``day`` or later, each with what it replaced, in
    the order they were made (so what stood before ``day`` is known: ``rules.standing_on``)."""
    if not meter_ids:
        return {}
    rows = await (
        VerificationChange.select()
        .where(VerificationChange.meter.is_in(meter_ids) & (VerificationChange.changed_on >= day))
        .order_by(VerificationChange.changed_on)
        .order_by(VerificationChange.id)
    )
    changes: dict[int, list[tuple[date, rules.Standing]]] = {}
    for r in rows:
        changes.setdefault(r["meter"], []).append((_as_date(r["changed_on"]), _standing(r)))
    return changes


async def _predecessors(meter_ids: list[int]) -> dict[int, int]:
    """Every meter the meters ``meter_ids`` replaced, however many replacements back, with the one of
    ``meter_ids`` it was followed by in the end (a query a replacement level)."""
    owner: dict[int, int] = {}
    frontier = list(meter_ids)
    while frontier:
        rows = await Meter.select(Meter.id, Meter.replaced_by).where(Meter.replaced_by.is_in(frontier))
        found = [r for r in rows if r["id"] not in owner and r["id"] not in meter_ids]
        owner.update({r["id"]: owner.get(r["replaced_by"], r["replaced_by"]) for r in found})
        frontier = [r["id"] for r in found]
    return owner


async def _replaced_last(owner: dict[int, int], period: date) -> dict[int, date]:
    """The last period before ``period`` with a reading billing took of a meter each meter replaced (``owner``:
    the meters replaced, with their last successor): its months without a reading are counted from there."""
    if not owner:
        return {}
    rows = (
        await MeterReading.select(MeterReading.meter, Max(MeterReading.period).as_alias("last_period"))
        .where(
            MeterReading.meter.is_in(list(owner))
            & (MeterReading.period < period)
            & MeterReading.review.not_in(list(UNSETTLED))
        )
        .group_by(MeterReading.meter)
    )
    last: dict[int, date] = {}
    for r in rows:
        if (d := _as_date(r["last_period"])) is not None:
            last[owner[r["meter"]]] = max(d, last.get(owner[r["meter"]], d))
    return last


async def _export_averages(
    services: dict[int, str], owner: dict[int, int], period: date
) -> dict[tuple[int, int], Decimal]:
    """The usual monthly consumption of each register of the meters (``services``: their services) before
    ``period``, from the year of readings billing took — of the meter and of every one it replaced (``owner``)."""
    if not services:
        return {}
    rows = await (
        MeterReading.select(
            MeterReading.meter, MeterReading.zone, MeterReading.consumption, MeterReading.period, MeterReading.review
        )
        .where(
            MeterReading.meter.is_in([*services, *owner])
            & (MeterReading.period >= rules.months_back(period, rules.AVERAGE_MONTHS))
            & (MeterReading.period < period)
        )
        .order_by(MeterReading.period)
        .order_by(MeterReading.id)
    )
    for r in rows:
        r["period"] = _as_date(r["period"])
    return _usuals(rows, owner, services, period)


def _basis_row(
    r: dict[str, Any], period: date, zone: int, last: date | None, usual: Decimal | None, failed: bool
) -> ExportRow:
    months = rules.months_without_reading(last, period, _as_date(r["installed_on"]))
    residential, electricity = r["premise_kind"] == PremiseKind.FLAT, r["service"] == Service.ELECTRICITY
    basis = rules.basis_without_reading(
        months, residential=residential, meter_failed=failed, electricity=electricity, averaged=usual is not None
    )
    charged = basis.basis is rules.Basis.AVERAGE and usual is not None
    average = usual.quantize(_quantum(r["decimals"]), ROUND_HALF_UP) if charged else None
    return from_row(
        ExportRow, r, period=period, zone=zone, value=None, consumption=None, submitted_at=None, source="",
        rollover=False, review="", reading_id=None, basis=basis.basis, months_without_reading=months,
        coefficient=basis.coefficient, recount=bool(r["recount"]), average=average,
    )  # fmt: skip


def _as_moment(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    moment = datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


async def pending_count(principal: Principal, period: date) -> int:
    """Readings of the period waiting for review (left out of the export until reviewed)."""
    where = (MeterReading.period == period) & (MeterReading.review == Review.PENDING)
    scope = house_scope(MeterReading.meter.account.premise.house, principal)
    return await MeterReading.count().where(where & scope if scope is not None else where)


async def recount_count(principal: Principal, period: date) -> int:
    """Readings of the period changed by a review since the period was last exported to billing."""
    where = (MeterReading.period == period) & (MeterReading.recount == True)  # noqa: E712
    scope = house_scope(MeterReading.meter.account.premise.house, principal)
    return await MeterReading.count().where(where & scope if scope is not None else where)


async def last_export(period: date, house: int) -> datetime | None:
    """When the period's readings of the house were last exported to billing (alone or with every house)."""
    row = await (
        MeterExport.select(MeterExport.exported_at)
        .where((MeterExport.period == period) & (MeterExport.house.is_null() | (MeterExport.house == house)))
        .order_by(MeterExport.exported_at, ascending=False)
        .first()
    )
    return row["exported_at"] if row else None


async def exported_meters(meter_ids: Iterable[int], period: date) -> set[int]:
    """The meters among ``meter_ids`` whose house has had the period's readings exported to billing already."""
    exports = MeterExport.select(MeterExport.house).where(MeterExport.period == period).distinct()
    houses = {r["house"] for r in await exports}
    if not houses or not meter_ids:
        return set()
    rows = await Meter.select(Meter.id, Meter.account.premise.house.as_alias("house")).where(
        Meter.id.is_in(list(meter_ids))
    )
    return {r["id"] for r in rows if None in houses or r["house"] in houses}


async def export_of_reading(reading_id: int, house: int) -> datetime | None:
    """When the period of a reading was last exported to billing, for its house (None: not yet)."""
    row = await MeterReading.select(MeterReading.period).where(MeterReading.id == reading_id).first()
    return await last_export(row["period"], house) if row else None


async def review_queue(principal: Principal, page: PageRequest) -> Page[ListRow]:
    """Every reading waiting for review, whatever its period, oldest period first (the review index)."""
    where = MeterReading.review == Review.PENDING
    scope = house_scope(MeterReading.meter.account.premise.house, principal)
    if scope is not None:
        where = where & scope
    return await _readings_page(where, page, MeterReading.period)


# --- house meters (ОДПУ) ---------------------------------------------------------------------------------------------


@dataclass(kw_only=True)
class HouseMeterView(MeterCard):
    house_id: int
    current_ids: dict[int, int] = field(default_factory=dict)
    history: list[tuple[date, int, Decimal, Decimal | None]] = field(default_factory=list)


@dataclass(frozen=True)
class StaffHouseMeter(MeterPassport):
    """A house meter as staff see it on its card."""

    updated_at: datetime | None = None  # its version: the card's verification form carries it (core.stale)


async def staff_house_meter(principal: Principal, meter_id: int) -> StaffHouseMeter | None:
    """A meter of a house the user works with, or None (missing and forbidden alike)."""
    columns = columns_of(HouseMeter, StaffHouseMeter, address=HouseMeter.house.address)
    query = HouseMeter.select(*columns).where(HouseMeter.id == meter_id)
    scope = house_scope(HouseMeter.house, principal)
    row = await (query.where(scope) if scope is not None else query).first()
    return from_row(StaffHouseMeter, row) if row else None


async def house_meters(house_id: int, period: date) -> list[HouseMeterView]:
    """The meters of a house with their last 12 months of readings (two queries)."""
    rows = await HouseMeter.select().where(HouseMeter.house == house_id).order_by(HouseMeter.service).limit(100)
    meters = {
        r["id"]: from_row(
            HouseMeterView,
            r,
            house_id=house_id,
            place=r["place"] or "",
            failed=r["status"] == MeterStatus.FAILED,
            retired=r["status"] in (MeterStatus.REPLACED, MeterStatus.REMOVED),
        )
        for r in rows
    }
    if not meters:
        return []
    readings = await (
        HouseReading.select()
        .where(HouseReading.meter.is_in(list(meters)) & (HouseReading.period >= rules.months_back(period, 12)))
        .order_by(HouseReading.period)
        .order_by(HouseReading.zone)
    )
    for r in readings:
        view = meters[r["meter"]]
        value = Decimal(r["value"]).quantize(_quantum(view.decimals))
        used = Decimal(r["consumption"]).quantize(_quantum(view.decimals)) if r["consumption"] is not None else None
        if r["period"] == period:
            view.current[r["zone"]], view.current_ids[r["zone"]] = value, r["id"]
        elif r["period"] < period:
            view.last[r["zone"]], view.last_period = value, r["period"]
        view.history.append((r["period"], r["zone"], value, used))
    return list(meters.values())


orphans.kept_in("meters", MeterReading.photo)  # the photo sent with a reading
