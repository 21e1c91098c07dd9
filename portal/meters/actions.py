"""Changes of meters and readings: one function per intent, each one transaction with its audit event (staff
writes) and its outbox rows."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import date
from datetime import datetime
from decimal import Decimal
from typing import Any

from portal.core import audit
from portal.core import clock
from portal.core import imports as checked
from portal.core import outbox
from portal.core import stale
from portal.core import storage
from portal.core.db import atomic
from portal.core.db import is_sqlite
from portal.core.db import unique_violations
from portal.core.i18n import gettext
from portal.core.i18n import in_russian_and_english
from portal.core.i18n import ngettext
from portal.core.security import Principal
from portal.core.web import Refused
from portal.meters import imports
from portal.meters import messages
from portal.meters import queries
from portal.meters import rules
from portal.meters import words
from portal.meters.tables import HouseMeter
from portal.meters.tables import HouseReading
from portal.meters.tables import Meter
from portal.meters.tables import MeterExport
from portal.meters.tables import MeterReading
from portal.meters.tables import MeterReminder
from portal.meters.tables import MeterStatus
from portal.meters.tables import Review
from portal.meters.tables import Source
from portal.meters.tables import VerificationChange
from portal.notifications.actions import outbox_rows
from portal.notifications.messages import MessageTemplate
from portal.notifications.queries import Recipient

# --- passing readings (residents, and the call centre on their behalf) -----------------------------------------


@dataclass(frozen=True)
class Refusal:
    """One register whose reading was not accepted, and why."""

    meter_id: int
    zone: int
    error: rules.ReadingError


@dataclass
class Passed:
    """What became of a submission: refused (``refusals``, ``photo_errors``: nothing stored) or stored."""

    refusals: list[Refusal] = field(default_factory=list)
    photo_errors: dict[int, str] = field(default_factory=dict)
    stored: int = 0
    corrected: int = 0
    flagged: list[int] = field(default_factory=list)
    others: list[int] = field(default_factory=list)  # meters another member of the household passed meanwhile

    @property
    def ok(self) -> bool:
        return not self.refusals and not self.photo_errors and not self.others


async def pass_readings(
    principal: Principal,
    wanted: Mapping[int, Mapping[int, Decimal]],
    *,
    today: date,
    now: datetime,
    window: rules.Window,
    confirmed: set[int] | None = None,
    photos: Mapping[int, Any] | None = None,
    seen: frozenset[int] | None = None,
) -> Passed:
    """A resident passes readings of their meters: all of them are stored for the period they are used in, or,
    when any is refused, none (the refusals say which and why). A register already passed for the period is
    corrected (until the window closes), unless another member of the household passed it and the form did not
    show it (``seen``: the readings its page showed): then nothing is stored and ``others`` names the meters.
    Meters of other accounts are ignored."""
    period = rules.period_of_reading(today, window)
    meters = {m.id: m for m in await queries.meters_of(queries.meter_accounts(principal), period)}
    passed = {m.id: (m.current_by, frozenset(m.current_ids.values())) for m in meters.values()}
    if others := rules.passed_by_another(passed, wanted, principal.user_id, seen):
        return Passed(others=others)
    return await _pass(meters, wanted, confirmed or set(), photos or {}, period, today, now, Source.PORTAL, principal)


async def enter_readings(
    operator: Principal,
    account_id: int,
    wanted: Mapping[int, Mapping[int, Decimal]],
    *,
    today: date,
    now: datetime,
    window: rules.Window,
    confirmed: set[int] | None = None,
    ip: str = "",
) -> Passed:
    """The call centre passes readings a resident dictated (source "phone"; the operator is kept as the one who
    entered them, and the audit log has the call)."""
    period = rules.period_of_reading(today, window)
    meters = {m.id: m for m in await queries.meters_of([account_id], period)}
    passed = await _pass(meters, wanted, confirmed or set(), {}, period, today, now, Source.PHONE, operator, ip=ip)
    return passed


async def _pass(
    meters: dict[int, queries.MeterView],
    wanted: Mapping[int, Mapping[int, Decimal]],
    confirmed: set[int],
    photos: Mapping[int, Any],
    period: date,
    today: date,
    now: datetime,
    source: Source,
    who: Principal,
    *,
    ip: str = "",
) -> Passed:
    checks = rules.check_submission(meters, wanted, today=today, period=period, confirmed=confirmed)
    refusals = [
        Refusal(meter_id, zone, check.error)
        for meter_id, zones in checks.items()
        for zone, check in zones.items()
        if check.error
    ]
    if refusals or not checks:
        return Passed(refusals=refusals)
    stored_photos: dict[int, str] = {}
    for meter_id, upload in photos.items():
        if meter_id not in checks:
            continue
        try:
            stored_photos[meter_id] = (await storage.save_image(upload)).key
        except storage.UploadRefused as refused:
            for key in stored_photos.values():
                storage.delete(key)
            return Passed(photo_errors={meter_id: refused.code})
    result = Passed()
    exported = await queries.exported_meters(checks, period)  # billing got the month: it recounts what changed
    async with atomic():
        for meter_id, zones in checks.items():
            meter = meters[meter_id]
            for zone, check in zones.items():
                values = {
                    MeterReading.value: wanted[meter_id][zone],
                    MeterReading.consumption: check.consumption,
                    MeterReading.submitted_at: now,
                    MeterReading.source: source,
                    MeterReading.submitted_by: who.user_id,
                    MeterReading.rollover: check.rollover,
                    MeterReading.flagged: check.flagged,
                    MeterReading.review: Review.PENDING if check.flagged else Review.NONE,
                    MeterReading.reviewed_by: None,
                    MeterReading.reviewed_at: None,
                    MeterReading.review_note: "",
                    MeterReading.original_value: None,
                    **({MeterReading.recount: True} if meter_id in exported else {}),
                }
                if meter_id in stored_photos:
                    values[MeterReading.photo] = stored_photos[meter_id]
                existing = meter.current_ids.get(zone)
                if existing is not None:
                    await MeterReading.update(values).where(MeterReading.id == existing)
                    result.corrected += 1
                else:
                    row = {column._meta.name: value for column, value in values.items()}
                    await MeterReading.insert(MeterReading(meter=meter_id, zone=zone, period=period, **row))
                result.stored += 1
            if any(c.flagged for c in zones.values()):
                result.flagged.append(meter_id)
        if source is Source.PHONE:
            entered = {
                str(meter_id): {str(z): str(wanted[meter_id][z]) for z in zones} for meter_id, zones in checks.items()
            }
            account = next(iter(meters.values())).account_id if meters else None
            await audit.record(
                who, "meters.readings.phone", "personal_account", account, {"readings": entered}, ip, now=now
            )
    return result


async def request_verification(principal: Principal, meter_id: int, *, today: date, now: datetime, ip: str = "") -> int:
    """A resident asks to verify or replace a meter past its verification date (or failed): a request in the
    tickets domain, linked to the meter; its number. Refused when one is already open or nothing is due. The ask is
    in the audit log, signed by the resident, with the request it filed and the verification date it was due."""
    from portal.tickets.actions import open_ticket

    meter = await queries.resident_meter(principal, meter_id)
    if meter is None:
        raise Refused(gettext("This meter is not on your accounts."))
    expired = rules.verification_expired(meter.next_verification, today)
    soon = meter.next_verification is not None and (meter.next_verification - today).days <= 60
    if not (expired or soon or meter.status == MeterStatus.FAILED or meter.failed_on):
        raise Refused(gettext("This meter's verification is not due yet."))
    if meter.verification_ticket:
        raise Refused(gettext("A request about this meter has already been filed."))
    due = meter.next_verification.strftime("%d.%m.%Y") if meter.next_verification else "—"

    def worded() -> str:
        return gettext(
            "Please verify or replace the meter No. %(serial)s (%(place)s). Verification due: %(date)s.",
            serial=meter.serial,
            place=meter.place or "—",
            date=due,
        )

    # The request is read by Russian dispatchers and by the resident, who may read English: kept in both.
    description, description_en = in_russian_and_english(worded)
    async with atomic():
        opened = await open_ticket(
            category="meter_check",
            description=description,
            description_en=description_en,
            account_id=meter.account,
            author_id=principal.user_id,
            author_name=principal.name,
            source="portal",
            now=now,
        )
        await Meter.update({Meter.verification_ticket: opened.id}).where(Meter.id == meter.id)
        asked = {"ticket": opened.id, "next_verification": meter.next_verification}
        await audit.record(principal, "meters.verification.ask", "meter", meter.id, asked, ip, now=now)
    return opened.number


# --- review of implausible readings (staff) --------------------------------------------------------------------


def _group(reading: queries.StaffReading) -> Any:
    return (MeterReading.meter == reading.meter_id) & (MeterReading.period == reading.period)


async def _as_read(reading: queries.StaffReading, values: Mapping[int, Decimal], version: str) -> bool:
    """Inside the caller's transaction, the reading's rows locked (PostgreSQL): True when it is as its form read it.
    False when it changed yet already holds ``values`` (nothing to write); ``stale.Stale`` when it holds others."""
    query = MeterReading.select(
        MeterReading.zone, MeterReading.value, MeterReading.review, MeterReading.review_note
    ).where(_group(reading))
    rows = await (query if is_sqlite() else query.lock_rows())
    now = {r["zone"]: r["value"] for r in rows}
    first = rows[0] if rows else {"review": "", "review_note": ""}
    if rules.reading_version(now, first["review"], first["review_note"]) == version:
        return True
    if all(now.get(zone) == value for zone, value in values.items()):
        return False
    raise stale.Stale(await stale.changed_since("meter_reading", reading.id, version, None))


async def accept_reading(
    actor: Principal, reading: queries.StaffReading, *, now: datetime, ip: str = ""
) -> list[Refusal]:
    """Staff accept an implausible jump as it was passed. A reading passed after it was counted from the reading
    before (one awaiting review is no previous reading): its consumption is counted again from the accepted one,
    and a later value below it (not a rollover) refuses the acceptance — correct or reject it instead."""
    following, recounted = await _following(reading, reading.values)
    refusals = [Refusal(reading.meter_id, z, c.error) for z, c in recounted.items() if c.error]
    if refusals:
        return refusals
    exported, next_exported = await _exports(reading, following)
    async with atomic():
        await _count_following_again(recounted, following, next_exported)
        await MeterReading.update(
            {
                MeterReading.review: Review.ACCEPTED,
                MeterReading.reviewed_by: actor.user_id,
                MeterReading.reviewed_at: now,
                **_recount(exported),
            }
        ).where(_group(reading))
        changes = {"period": reading.period, **_after_export(exported)}
        await audit.record(actor, "meters.reading.accept", "meter_reading", reading.id, changes, ip, now=now)
    return []


Following = dict[int, tuple[int, Decimal]]  # the readings passed next, by zone: their id and value


async def _following(
    reading: queries.StaffReading, values: Mapping[int, Decimal]
) -> tuple[Following, dict[int, rules.Check]]:
    """The readings passed next after the reviewed one, and their consumption counted again from ``values`` (the
    reading accepted, corrected, or the one before a rejected one)."""
    facts = reading.facts
    following = await queries.following_readings(reading.meter_id, reading.period, facts.zones)
    nexts = {z: v for z, (_, v) in following.items()}
    return following, rules.recount_following(values, nexts, digits=facts.digits, decimals=facts.decimals)


async def _exports(reading: queries.StaffReading, following: Following) -> tuple[datetime | None, datetime | None]:
    """When the reviewed reading's month and the month of the reading passed next were exported to billing: what a
    review changes there is to be recounted."""
    exported = await queries.last_export(reading.period, reading.house_id)
    if not following:
        return exported, None
    return exported, await queries.export_of_reading(next(iter(following.values()))[0], reading.house_id)


def _recount(exported: datetime | None) -> dict[Any, Any]:
    """A review after the month was exported to billing marks the reading for the accountant to recount."""
    return {MeterReading.recount: True} if exported else {}


def _after_export(exported: datetime | None) -> dict[str, Any]:
    """The audit's note of a review made after the month was exported to billing."""
    return {"exported_at": exported.isoformat(), "recount": True} if exported else {}


async def _count_following_again(
    recounted: Mapping[int, rules.Check], following: Mapping[int, tuple[int, Decimal]], exported: datetime | None
) -> None:
    """The readings passed next (by zone: their id and value), their consumption counted again from the reviewed
    reading (``rules.recount_following``), each marked to recount where their month was exported already."""
    for zone, check in recounted.items():
        await MeterReading.update(
            {MeterReading.consumption: check.consumption, MeterReading.rollover: check.rollover, **_recount(exported)}
        ).where(MeterReading.id == following[zone][0])


async def correct_reading(
    actor: Principal,
    reading: queries.StaffReading,
    values: Mapping[int, Decimal],
    note: str,
    *,
    now: datetime,
    ip: str = "",
    version: str | None = None,
) -> list[Refusal]:
    """Staff correct the value (a wrong digit the photo shows, say) with a reason; the new value passes the same
    checks against the previous reading. The resident is told. A form read at another ``version`` of the reading
    (someone corrected, accepted or rejected it meanwhile) is refused (``stale.Stale``), unless the reading already
    holds the values typed: then nothing is written."""
    # The meter's state was judged when the reading was passed: only the value is checked again.
    facts = dataclasses.replace(reading.facts, failed=False, retired=False, next_verification=None)
    checks = rules.check_meter(facts, values, today=reading.period, period=reading.period, confirmed=True)
    refusals = [Refusal(reading.meter_id, z, c.error) for z, c in checks.items() if c.error]
    following, recounted = await _following(reading, values)
    refusals = refusals or [Refusal(reading.meter_id, z, c.error) for z, c in recounted.items() if c.error]
    if refusals:
        return refusals
    exported, next_exported = await _exports(reading, following)
    async with atomic():
        if version is not None and not await _as_read(reading, values, version):
            return []
        await _count_following_again(recounted, following, next_exported)
        for zone, check in checks.items():
            before = reading.values.get(zone)
            await MeterReading.update(
                {
                    MeterReading.value: values[zone],
                    MeterReading.original_value: reading.originals.get(zone, before),
                    MeterReading.consumption: check.consumption,
                    MeterReading.rollover: check.rollover,
                    MeterReading.review: Review.CORRECTED,
                    MeterReading.reviewed_by: actor.user_id,
                    MeterReading.reviewed_at: now,
                    MeterReading.review_note: note,
                    **_recount(exported),
                }
            ).where(_group(reading) & (MeterReading.zone == zone))
        changes: dict[str, Any] = {f"zone {z}": [str(reading.values.get(z)), str(v)] for z, v in values.items()}
        if recounted:  # the next reading's consumption, counted again from the corrected value
            changes["following"] = {str(following[z][0]): str(c.consumption) for z, c in recounted.items()}
        changes.update(note=note, **_after_export(exported))
        await audit.record(actor, "meters.reading.correct", "meter_reading", reading.id, changes, ip, now=now)
        old, new = _kept(reading.values), _kept(values)
        context = {**_reading_context(reading), "old": old, "new": new, "decimals": facts.decimals, "reason": note}
        await _tell_account(
            reading.account_id, messages.READING_CORRECTED, context, f"corrected:{reading.id}:{int(now.timestamp())}"
        )
    return []


async def reject_reading(
    actor: Principal, reading: queries.StaffReading, note: str, *, now: datetime, ip: str = ""
) -> None:
    """Staff reject a reading (the photo shows another value, a neighbour's meter …): it is not used or exported;
    the resident is told why and asked to pass it again. A reading passed after it is counted again from the one
    before (its consumption unknown when there is none, or when it is lower)."""
    following, recounted = await _following(reading, reading.facts.last)
    exported, next_exported = await _exports(reading, following)
    async with atomic():
        for zone, (row_id, _) in following.items():
            check = recounted.get(zone, rules.Check(error=rules.ReadingError.ABOVE_NEXT))
            kept = check.error is None
            await MeterReading.update(
                {
                    MeterReading.consumption: check.consumption if kept else None,
                    MeterReading.rollover: check.rollover and kept,
                    **_recount(next_exported),
                }
            ).where(MeterReading.id == row_id)
        await MeterReading.update(
            {
                MeterReading.review: Review.REJECTED,
                MeterReading.reviewed_by: actor.user_id,
                MeterReading.reviewed_at: now,
                MeterReading.review_note: note,
                **_recount(exported),
            }
        ).where(_group(reading))
        changes = {"note": note, **_after_export(exported)}
        await audit.record(actor, "meters.reading.reject", "meter_reading", reading.id, changes, ip, now=now)
        context = {
            **_reading_context(reading),
            "value": _kept(reading.values),
            "decimals": reading.facts.decimals,
            "reason": note,
        }
        await _tell_account(reading.account_id, messages.READING_REJECTED, context, f"rejected:{reading.id}")


def _kept(values: Mapping[int, Decimal]) -> list[str]:
    """A reading's values zone by zone as the message keeps them: numbers, written out in the reader's language
    when the message is rendered for each resident (``messages.words``), not in the language of the staff."""
    return [str(values[z]) for z in sorted(values)]


def _reading_context(reading: queries.StaffReading) -> dict[str, Any]:
    return {
        "service": reading.facts.service,
        "serial": reading.serial,
        "period": reading.period.isoformat(),
        "link": "/meters",
    }


# --- messages to the residents of an account --------------------------------------------------------------------


async def _tell_account(account_id: int, template: MessageTemplate, context: dict[str, Any], key: str) -> int:
    from portal.notifications.queries import choices_of

    people = (await queries.residents_of([account_id])).get(account_id, [])
    choices = await choices_of([p.user_id for p in people])
    rows = [r for p in people for r in outbox_rows(p, template, context, f"meters:{key}", choices.get(p.user_id, {}))]
    return await outbox.enqueue_many(rows)


# --- reminders (the scheduled job) -----------------------------------------------------------------------------


async def send_reminders(today: date, window: rules.Window, *, limit: int = 2000) -> int:
    """Tell the residents of each account what is due today (``rules.reminders_due``): the window is open, two
    days left and nothing passed, a verification date within 30 days. Each reminder is kept once per account and
    key (``MeterReminder``'s unique index), in the same transaction as its outbox rows, so running the job again —
    or on two workers at once — sends nothing twice. Returns how many reminders were sent."""
    from portal.notifications.queries import choices_of

    period = rules.first_of_month(today)
    sent = 0
    after = 0
    while True:
        batch = await queries.reminder_facts(period, today, after=after, limit=limit)
        if not batch:
            return sent
        after = batch[-1].account_id
        due = {
            f.account_id: rules.reminders_due(today, window, passed=f.passed, verification_dates=f.verifications)
            for f in batch
        }
        wanted = [(f, d) for f in batch for d in due[f.account_id]]
        if not wanted:
            continue
        done = await queries.reminders_sent({f.account_id for f, _ in wanted}, {d.key for _, d in wanted})
        wanted = [(f, d) for f, d in wanted if (d.kind.value, f.account_id, d.key) not in done]
        people = await queries.residents_of(sorted({f.account_id for f, _ in wanted}))
        choices = await choices_of(sorted({p.user_id for ps in people.values() for p in ps}))
        for facts, item in wanted:
            sent += await _remind(facts, item, people.get(facts.account_id, []), choices, window)


async def _remind(
    facts: queries.ReminderFacts,
    due: rules.Due,
    people: list[Recipient],
    choices: dict[int, dict[tuple[str, str], bool]],
    window: rules.Window,
) -> int:
    if due.kind is rules.Reminder.VERIFICATION:
        meter = facts.verification_meters[due.key]
        template = messages.VERIFICATION_DUE
        context = {"service": meter[0], "serial": meter[1], "address": facts.address, "date": due.key.isoformat()}
    else:
        template = messages.WINDOW_OPEN if due.kind is rules.Reminder.WINDOW_OPEN else messages.WINDOW_CLOSING
        until = window.closes(due.key).isoformat()
        context = {"account": facts.number, "address": facts.address, "period": due.key.isoformat(), "until": until}
    context["link"] = "/meters"
    key = f"{due.kind.value}:{facts.account_id}:{due.key.isoformat()}"
    rows = [r for p in people for r in outbox_rows(p, template, context, f"meters:{key}", choices.get(p.user_id, {}))]
    try:
        async with atomic():
            await MeterReminder.insert(MeterReminder(kind=due.kind.value, account=facts.account_id, key=due.key))
            await outbox.enqueue_many(rows)
    except unique_violations():  # another run recorded this reminder first (the unique index): it was sent there
        return 0
    return 1


# --- the export to billing ----------------------------------------------------------------------------------------


async def exported_rows(
    actor: Principal, period: date, house: int | None, houses: list[int] | None, *, now: datetime, ip: str = ""
) -> AsyncIterator[queries.ExportRow]:
    """The export's lines (``queries.export_rows``); once every line is read, the export is kept — the month, each
    house it covered (None: every house) — and the marks of readings to recount it carried are cleared."""
    carried: set[int] = set()  # the readings whose line went out marked to recount
    async for row in queries.export_rows(actor, period, house):
        if row.recount and row.reading_id is not None:
            carried.add(row.reading_id)
        yield row
    await record_export(actor, period, houses, carried, now=now, ip=ip)


async def record_export(
    actor: Principal, period: date, houses: list[int] | None, carried: set[int], *, now: datetime, ip: str = ""
) -> None:
    """The export is kept — the month, each house it covered (None: every house), in the audit log — and the marks
    to recount its lines carried (``carried``: those readings) are cleared; ``now``: when its lines were read."""
    if houses == []:
        return  # a house outside the user's: nothing was exported
    async with atomic():
        await MeterExport.insert(
            *(
                MeterExport(period=period, house=h, exported_at=now, exported_by=actor.user_id)
                for h in (houses if houses is not None else [None])
            )
        )
        await _clear_recount(period, houses, now, carried)
        await audit.record(
            actor, "meters.export", "meter_export", None, {"period": period, "houses": houses}, ip, now=now
        )


async def _clear_recount(period: date, houses: list[int] | None, before: datetime, carried: set[int]) -> None:
    """The marks the export carried no longer wait to be recounted: those of the readings whose line went out
    marked, and of the readings billing does not take (waiting for review, rejected: the meter's line carried the
    mark). A reading passed, reviewed or counted again while the file was being written keeps its mark."""
    # A next reading whose consumption a review counted again has no review of its own (its time: the export's).
    reviewed = MeterReading.reviewed_at.is_null() | (MeterReading.reviewed_at <= before)
    not_taken = MeterReading.review.is_in([Review.PENDING, Review.REJECTED])
    in_file = (MeterReading.id.is_in(sorted(carried)) | not_taken) if carried else not_taken
    where = (MeterReading.period == period) & (MeterReading.recount == True) & reviewed  # noqa: E712
    where &= (MeterReading.submitted_at <= before) & in_file
    if houses is not None:
        where &= MeterReading.meter.account.premise.house.is_in(houses or [0])
    marked = [r["id"] for r in await MeterReading.select(MeterReading.id).where(where)]
    if marked:
        await MeterReading.update({MeterReading.recount: False}).where(MeterReading.id.is_in(marked))


# --- meters (staff) --------------------------------------------------------------------------------------------


async def create_meter(
    actor: Principal, account_id: int, values: Mapping[str, Any], *, now: datetime, ip: str = ""
) -> int:
    async with atomic():
        meter = Meter(account=account_id, **_meter_values(values), created_at=now, updated_at=now)
        await meter.save()
        await audit.record(actor, "meters.meter.create", "meter", meter.id, audit.diff({}, _plain(values)), ip, now=now)
    return meter.id


def _meter_values(values: Mapping[str, Any]) -> dict[str, Any]:
    names = ("service", "zones", "serial", "place", "digits", "decimals", "installed_on", "next_verification")
    return {n: values[n] for n in names}


def _plain(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if k != "status"}


async def update_meter(
    actor: Principal,
    meter: queries.StaffMeter,
    values: Mapping[str, Any],
    *,
    today: date,
    now: datetime,
    ip: str = "",
    version: str | None = None,
) -> None:
    """Save the meter card. Marking it failed dates the failure (п. 81(12)); removed, the removal. A card read at
    another ``version`` than the meter's is refused (``stale.Stale``), nothing written."""
    before = meter.as_values()
    wanted = {**_meter_values(values), "status": values["status"]}
    update: dict[Any, Any] = {getattr(Meter, k): v for k, v in wanted.items()}
    if values["status"] == MeterStatus.FAILED and not meter.failed_on:
        update[Meter.failed_on] = today
    if values["status"] == MeterStatus.ACTIVE:
        update[Meter.failed_on] = None
    if values["status"] == MeterStatus.REMOVED and not meter.removed_on:
        update[Meter.removed_on] = today
    if values["next_verification"] != meter.next_verification:
        update[Meter.verification_ticket] = None  # a new date: a new request may be filed when it comes due
    changes = audit.diff(before, wanted)
    if not changes:
        return
    update[Meter.updated_at] = now
    await _write_card(
        actor, meter, update, "meters.meter.update", changes, since=today, now=now, ip=ip, version=version
    )


async def record_verification(
    actor: Principal,
    meter: queries.StaffMeter,
    *,
    verified_on: date,
    next_verification: date,
    now: datetime,
    ip: str = "",
    version: str | None = None,
) -> None:
    """A verification recorded from the technician's paper, days after it was done: it counts from ``verified_on``
    (§4.2), so the meter's history dates the new verification date from that day, and an export of a month since
    then judges the meter verified. The resident may file a new request when the new date comes due. Recorded from a
    card read at another ``version`` than the meter's, it is refused (``stale.Stale``), nothing written."""
    changes = _verification(meter, verified_on, next_verification)
    if not changes:
        return  # the same paper sent twice
    update = {Meter.next_verification: next_verification, Meter.verified_on: verified_on,
              Meter.verification_ticket: None, Meter.updated_at: now}  # fmt: skip
    await _write_card(
        actor, meter, update, "meters.meter.verify", changes, since=verified_on, now=now, ip=ip, version=version
    )


async def _write_card(
    actor: Principal,
    meter: queries.StaffMeter,
    update: Mapping[Any, Any],
    action: str,
    changes: dict[str, Any],
    *,
    since: date,
    now: datetime,
    ip: str,
    version: str | None,
) -> None:
    """Write a staff change of the meter's card from a form read at ``version`` (``stale.Stale`` otherwise, nothing
    written), with its audit; the verification date, failure and status it changes are kept as they stood until
    ``since``."""
    stood = {n: getattr(meter, n) for n in STANDING}
    async with atomic():
        await stale.check(Meter, meter.id, "meter", version)
        await Meter.update(update).where(Meter.id == meter.id)
        if kept := _verification_change(meter.id, stood, update, since):
            await kept.save()
        await audit.record(actor, action, "meter", meter.id, changes, ip, now=now)


def _verification(meter: queries.MeterPassport, verified_on: date, next_verification: date) -> dict[str, Any]:
    """What recording a verification changes of a meter, a flat's or a house's, as the audit log keeps it (empty:
    the same paper sent twice); refused for a meter that was replaced."""
    if meter.status == MeterStatus.REPLACED:
        raise Refused(gettext("This meter was replaced: record the verification on the meter that replaced it."))
    before = {"verified_on": meter.verified_on, "next_verification": meter.next_verification}
    return audit.diff(before, {"verified_on": verified_on, "next_verification": next_verification})


STANDING = ("next_verification", "failed_on", "status")


def _verification_change(
    meter_id: int, stood: Mapping[str, Any], update: Mapping[Any, Any], today: date
) -> VerificationChange | None:
    """What the meter's verification date, failure and status (``stood``) stood at until ``today``, kept when the
    ``update`` of its columns changes one of them: an export of a past month judges the meter by what stood then."""
    after = {**stood, **{column._meta.name: value for column, value in update.items()}}
    if all(after[n] == stood[n] for n in STANDING):
        return None
    return VerificationChange(meter=meter_id, changed_on=today, **{n: stood[n] for n in STANDING})


WORKING = (MeterStatus.ACTIVE, MeterStatus.FAILED)  # a flat's meters still on the wall: not replaced, not removed


async def move_to_account(
    actor: Principal, old: tuple[int, str], new: tuple[int, str], *, now: datetime, ip: str = ""
) -> list[int]:
    """The flat's working meters go with the flat to its new account (an owner's change), inside the caller's
    transaction: their readings stay with them, so the next reading is checked against the last one and the
    average (п. 59) goes on; replaced and removed meters stay with the old account's history. Each meter moved
    has its audit row. Returns the meters moved."""
    (old_id, old_number), (new_id, new_number) = old, new
    moved = await (
        Meter.update({Meter.account: new_id, Meter.updated_at: now})
        .where((Meter.account == old_id) & Meter.status.is_in(list(WORKING)))
        .returning(Meter.id)
    )
    ids = sorted(row["id"] for row in moved)
    for meter_id in ids:
        changes = audit.diff({"account": old_number}, {"account": new_number})
        await audit.record(actor, "meters.meter.update", "meter", meter_id, changes, ip, now=now)
    return ids


async def replace_meter(
    actor: Principal, meter: queries.StaffMeter, values: Mapping[str, Any], *, today: date, now: datetime, ip: str = ""
) -> int:
    """A new meter takes the old one's place on the account: the old one is marked replaced (its readings stay
    in the history and count for the new one's usual consumption)."""
    async with atomic():
        new = Meter(account=meter.account_id, **_meter_values(values), created_at=now, updated_at=now)
        await new.save()
        update = {Meter.status: MeterStatus.REPLACED, Meter.replaced_by: new.id,
                  Meter.removed_on: values["installed_on"] or today, Meter.updated_at: now}  # fmt: skip
        await Meter.update(update).where(Meter.id == meter.id)
        if kept := _verification_change(meter.id, {n: getattr(meter, n) for n in STANDING}, update, today):
            await kept.save()
        await audit.record(
            actor, "meters.meter.replace", "meter", meter.id, {"replaced_by": new.id, **_plain(values)}, ip, now=now
        )
    return new.id


# --- house meters (ОДПУ) -----------------------------------------------------------------------------------------


async def create_house_meter(
    actor: Principal, house_id: int, values: Mapping[str, Any], *, now: datetime, ip: str = ""
) -> int:
    async with atomic():
        meter = HouseMeter(house=house_id, **_meter_values(values), created_at=now, updated_at=now)
        await meter.save()
        await audit.record(actor, "meters.house_meter.create", "house_meter", meter.id, _plain(values), ip, now=now)
    return meter.id


async def record_house_verification(
    actor: Principal,
    meter: queries.StaffHouseMeter,
    *,
    verified_on: date,
    next_verification: date,
    now: datetime,
    ip: str = "",
    version: str | None = None,
) -> None:
    """A house meter's verification recorded from the technician's paper, as a flat meter's (``record_verification``):
    it counts from ``verified_on``, and its readings are taken again until ``next_verification``. Recorded from a
    card read at another ``version`` than the meter's, it is refused (``stale.Stale``), nothing written."""
    changes = _verification(meter, verified_on, next_verification)
    if not changes:
        return  # the same paper sent twice
    update = {HouseMeter.next_verification: next_verification, HouseMeter.verified_on: verified_on,
              HouseMeter.updated_at: now}  # fmt: skip
    async with atomic():
        await stale.check(HouseMeter, meter.id, "house_meter", version)
        await HouseMeter.update(update).where(HouseMeter.id == meter.id)
        await audit.record(actor, "meters.house_meter.verify", "house_meter", meter.id, changes, ip, now=now)


async def enter_house_readings(
    actor: Principal,
    meters: Mapping[int, queries.HouseMeterView],
    wanted: Mapping[int, Mapping[int, Decimal]],
    *,
    period: date,
    today: date,
    now: datetime,
    confirmed: set[int] | None = None,
    ip: str = "",
) -> list[Refusal]:
    """The month's readings of a house's meters, entered by staff: the same checks as a flat's meter (a jump is
    not flagged: staff enter what they read); a register already entered for the period is corrected."""
    checks = rules.check_submission(meters, wanted, today=today, period=period, confirmed=confirmed or set())
    refusals = [Refusal(m, z, c.error) for m, zones in checks.items() for z, c in zones.items() if c.error]
    if refusals or not checks:
        return refusals
    async with atomic():
        for meter_id, zones in checks.items():
            for zone, check in zones.items():
                existing = meters[meter_id].current_ids.get(zone)
                values = {
                    HouseReading.value: wanted[meter_id][zone],
                    HouseReading.consumption: check.consumption,
                    HouseReading.rollover: check.rollover,
                    HouseReading.entered_at: now,
                    HouseReading.entered_by: actor.user_id,
                }
                if existing is not None:
                    await HouseReading.update(values).where(HouseReading.id == existing)
                else:
                    row = {column._meta.name: value for column, value in values.items()}
                    await HouseReading.insert(HouseReading(meter=meter_id, zone=zone, period=period, **row))
        entered = {str(m): {str(z): str(wanted[m][z]) for z in zones} for m, zones in checks.items()}
        house = next(iter(meters.values())).house_id
        await audit.record(
            actor, "meters.house_readings.enter", "house", house, {"period": period, **entered}, ip, now=now
        )
    return []


# --- the meter import ----------------------------------------------------------------------------------------------


class _Rollback(Exception):
    """Leaves the import's transaction without writing anything."""


CHUNK = 500


def _chunks(values: list[Any]) -> list[list[Any]]:
    return [values[i : i + CHUNK] for i in range(0, len(values), CHUNK)]


async def import_meters(
    rows: list[imports.MeterRow],
    actor: Principal | None,
    *,
    dry_run: bool = False,
    progress: Any = None,
    now: datetime | None = None,
    ip: str = "",
) -> checked.Checked:
    """Write checked meter rows in ONE transaction, keyed by (account, serial): a new meter is created, a known one
    updated where the file differs, a ``replaces`` serial marks the older meter replaced by this one. A row that
    does not fit the registry (an unknown house or premise, a premise with several accounts and none named, a house
    outside the user's) is reported with its line and nothing is written; ``dry_run`` is the preview."""
    report = checked.Checked.counting(len(rows), imports.ENTITIES)
    say = progress or (lambda _step: None)
    now = now or datetime.now(UTC)
    try:
        async with atomic():
            say("meters")
            accounts = await _accounts_of_rows(rows, actor, report)
            if not report.problems:
                ids = await _upsert_meters(rows, accounts, report, now)
                say("replacements")
                await _replacements(rows, accounts, ids, report, now)
            if report.problems or dry_run:
                raise _Rollback
            counts = {"rows": report.rows, "created": report.created, "updated": report.updated}
            await audit.record(actor, "meters.import", "meter", None, counts, ip, now=now)
    except _Rollback:
        return report
    report.applied = True
    return report


async def _accounts_of_rows(
    rows: list[imports.MeterRow], actor: Principal | None, report: checked.Checked
) -> dict[int, int]:
    """The account of each row (by line): its premise's only open account, or the one the row names."""
    from portal.housing.tables import House
    from portal.housing.tables import PersonalAccount
    from portal.housing.tables import Premise

    addresses = sorted({r.house_address for r in rows})
    houses: dict[str, int] = {}
    for chunk in _chunks(addresses):
        for h in await House.select(House.id, House.address).where(House.address.is_in(chunk)):
            if actor is None or actor.may_see_house(h["id"]):
                houses[h["address"]] = h["id"]
    premises: dict[tuple[int, str, str], int] = {}
    for chunk in _chunks(sorted(set(houses.values()))):
        found = await Premise.select(Premise.id, Premise.house, Premise.kind, Premise.number).where(
            Premise.house.is_in(chunk)
        )
        premises.update({(p["house"], p["kind"], p["number"]): p["id"] for p in found})
    accounts: dict[int, list[dict[str, Any]]] = {}
    for chunk in _chunks(sorted(set(premises.values()))):
        found = await PersonalAccount.select(
            PersonalAccount.id, PersonalAccount.number, PersonalAccount.premise, PersonalAccount.closed_on
        ).where(PersonalAccount.premise.is_in(chunk))
        for a in found:
            accounts.setdefault(a["premise"], []).append(a)
    chosen: dict[int, int] = {}
    for row in rows:
        problem = None
        house = houses.get(row.house_address)
        premise = premises.get((house, row.premise_kind, row.premise_number)) if house else None
        held = accounts.get(premise, []) if premise else []
        open_ = [a for a in held if a["closed_on"] is None]
        if house is None:
            problem = gettext("the house “%(address)s” is not in your registry.", address=row.house_address)
        elif premise is None:
            problem = gettext("the house has no premise %(number)s of this kind.", number=row.premise_number)
        elif row.account_number:
            named = [a for a in held if a["number"] == row.account_number]
            if not named:
                problem = gettext("account %(n)s is not of this premise.", n=row.account_number)
            else:
                chosen[row.line] = named[0]["id"]
        elif len(open_) == 1:
            chosen[row.line] = open_[0]["id"]
        elif not open_:
            problem = gettext("the premise has no open account.")
        else:
            problem = ngettext(
                "the premise has %(num)s account: name one in “account_number”.",
                "the premise has %(num)s accounts: name one in “account_number”.",
                len(open_),
            )
        if problem:
            report.problems.append(imports.line_problem(row.line, problem))
    return chosen


FIELDS = ("service", "zones", "place", "digits", "decimals", "installed_on", "next_verification", "status")


async def _upsert_meters(
    rows: list[imports.MeterRow], accounts: dict[int, int], report: checked.Checked, now: datetime
) -> dict[tuple[int, str], int]:
    keys = {(accounts[r.line], r.serial): r for r in rows}
    today = clock.local(now).date()  # the company's day the statuses change on
    stored: dict[tuple[int, str], dict[str, Any]] = {}
    for chunk in _chunks(sorted({a for a, _ in keys})):
        columns = (Meter.id, Meter.account, Meter.serial, Meter.failed_on, Meter.removed_on, Meter.verified_on,
                   *(getattr(Meter, f) for f in FIELDS))  # fmt: skip
        for m in await Meter.select(*columns).where(Meter.account.is_in(chunk)):
            stored[(m["account"], m["serial"])] = m
    verifying = [m["id"] for key, m in stored.items() if key in keys and _verifies(keys[key], m)]
    last_changes = await queries.last_changes(verifying)
    ids: dict[tuple[int, str], int] = {}
    new: list[tuple[tuple[int, str], Meter]] = []
    kept_changes: list[VerificationChange] = []
    for key, row in keys.items():
        wanted = {f: getattr(row, f) for f in FIELDS}
        old = stored.get(key)
        if _verifies(row, old):
            wanted["verified_on"] = row.verified_on  # a verification recorded: it counts from the day it was done
            if problem := _verified_on_problem(row, old, last_changes, today):
                report.problems.append(imports.line_problem(row.line, problem))  # nothing is written then
        if old is None:
            failed_on = (row.installed_on or today) if row.status == MeterStatus.FAILED else None
            removed_on = today if row.status == MeterStatus.REMOVED else None
            stamps = {"failed_on": failed_on, "removed_on": removed_on, "created_at": now, "updated_at": now}
            new.append((key, Meter(account=key[0], serial=row.serial, **stamps, **wanted)))
            continue
        ids[key] = old["id"]
        if old["status"] == MeterStatus.REPLACED:
            wanted["status"] = MeterStatus.REPLACED  # a replacement is undone on the meter card, not by a file
        changed = {f: v for f, v in wanted.items() if old[f] != v}
        if changed:
            update = {getattr(Meter, f): v for f, v in changed.items()} | _status_dates(changed, old, today)
            await Meter.update({**update, Meter.updated_at: now}).where(Meter.id == old["id"])
            if kept := _verification_change(old["id"], old, update, changed.get("verified_on", today)):
                kept_changes.append(kept)
            report.updated["meters"] += 1
    for chunk in _chunks(kept_changes):
        await VerificationChange.insert(*chunk)
    for chunk in _chunks(new):
        await Meter.insert(*(m for _, m in chunk))
    ids.update({key: meter.id for key, meter in new})
    report.created["meters"] += len(new)
    return ids


def _verifies(row: imports.MeterRow, old: dict[str, Any] | None) -> bool:
    """Whether a row records a verification: a day in its «verified_on» other than the meter's."""
    return row.verified_on is not None and (old is None or row.verified_on != old["verified_on"])


def _verified_on_problem(
    row: imports.MeterRow, old: dict[str, Any] | None, last_changes: Mapping[int, date], today: date
) -> str | None:
    """What the preview says of a row's verification dated after today or before the meter's installation, its
    previous verification or the last change of its history (as the meter card says it)."""
    if row.verified_on is None:
        return None
    previous, last = (old["verified_on"], last_changes.get(old["id"])) if old else (None, None)
    bounds = {"installed_on": row.installed_on, "previous": previous, "last_change": last}
    problem = rules.verified_on_problem(row.verified_on, today=today, **bounds)
    return imports.column_problem("verified_on", words.verified_on_message(*problem)) if problem else None


def _status_dates(changed: dict[str, Any], old: dict[str, Any], today: date) -> dict[Any, Any]:
    """The dates a status a file changes brings, as on the meter card (``update_meter``): failed, the failure's;
    removed, the removal's (a re-export of a month it was still in use lists it); in use again, no failure."""
    status = changed.get("status")
    if status == MeterStatus.FAILED and not old["failed_on"]:
        return {Meter.failed_on: today}
    if status == MeterStatus.REMOVED and not old["removed_on"]:
        return {Meter.removed_on: today}
    if status == MeterStatus.ACTIVE and old["failed_on"]:
        return {Meter.failed_on: None}
    return {}


async def _replacements(
    rows: list[imports.MeterRow],
    accounts: dict[int, int],
    ids: dict[tuple[int, str], int],
    report: checked.Checked,
    now: datetime,
) -> None:
    wanted = [(r, (accounts[r.line], r.replaces)) for r in rows if r.replaces]
    if not wanted:
        return
    today = clock.local(now).date()  # the company's day the replaced meters are removed on, without a date given
    olds: dict[tuple[int, str], dict[str, Any]] = {}
    for chunk in _chunks(sorted({a for _, (a, _s) in wanted})):
        columns = (Meter.id, Meter.account, Meter.serial, Meter.replaced_by, *(getattr(Meter, n) for n in STANDING))
        for m in await Meter.select(*columns).where(Meter.account.is_in(chunk)):
            olds[(m["account"], m["serial"])] = m
    for row, key in wanted:
        old = olds.get(key)
        new_id = ids[(accounts[row.line], row.serial)]
        if old is None:
            report.problems.append(
                imports.line_problem(
                    row.line, gettext("the meter %(serial)s it replaces is not on this account.", serial=row.replaces)
                )
            )
            continue
        if old["replaced_by"] == new_id:
            continue
        update = {Meter.status: MeterStatus.REPLACED, Meter.replaced_by: new_id,
                  Meter.removed_on: row.installed_on or today, Meter.updated_at: now}  # fmt: skip
        await Meter.update(update).where(Meter.id == old["id"])
        if kept := _verification_change(old["id"], old, update, today):
            await kept.save()
        report.created["replacements"] += 1
