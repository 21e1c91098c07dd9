"""The visits' actions on both engines (no HTTP): a booking takes a desk's seat once (a second booking of it, or a
race for the last one, is refused with the form kept), two upcoming visits a person, the cancellation window, the
staff's marks and cancellation with its reason told to the resident in their language; audit and outbox rows."""

from __future__ import annotations

import asyncio
import secrets
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import Any

import pytest

from portal.accounts.principal import load_principal_for
from portal.accounts.queries import people_of_account
from portal.accounts.tables import Residency
from portal.accounts.tables import User
from portal.core.security import Principal
from portal.core.tables import AuditEvent
from portal.core.tables import OutboxMessage
from portal.core.web import Refused
from portal.visits import actions
from portal.visits import queries
from portal.visits.forms import Booking
from portal.visits.forms import Caller
from portal.visits.rules import Purpose
from portal.visits.tables import Visit
from portal.visits.tables import VisitCentre
from tests.conftest import committed
from tests.two_staff import make_registry
from tests.two_staff import remove_registry
from tests.visits.conftest import NOW
from tests.visits.conftest import SLOT
from tests.visits.conftest import make_centre


async def _choice(user_id: int):
    principal = await load_principal_for(user_id)
    (choice,) = await queries.centres_for(principal)
    return principal, choice


def _booking(choice, starts_at=SLOT, purpose=Purpose.KEYS, comment="Нужен второй брелок"):
    return Booking(choice.centre.id, purpose, starts_at, comment)


async def test_a_booking_takes_the_seat_with_its_audit_and_message(centres):
    principal, choice = await _choice(centres.resident)
    assert choice.centre.id == centres.centre and choice.account_id == centres.account  # the complex's own centre
    visit_id = await actions.book(principal, choice, _booking(choice), NOW)
    row = await Visit.select().where(Visit.id == visit_id).first()
    assert (row["status"], row["desk"], row["account"], row["comment"]) == ("booked", 1, centres.account,
                                                                            "Нужен второй брелок")  # fmt: skip
    assert row["starts_at"] == SLOT and row["seat"].endswith(":1")
    booked = (AuditEvent.action == "visits.book") & (AuditEvent.entity_id == visit_id)
    assert await AuditEvent.count().where(booked) == 1
    assert await OutboxMessage.count().where(OutboxMessage.template == "visits/booked") >= 1
    # the time is no longer offered
    taken = await queries.taken(centres.centre, SLOT - timedelta(hours=1), SLOT + timedelta(hours=1))
    assert taken == {SLOT: 1}


async def test_the_same_seat_is_not_booked_twice(centres, make_user):
    principal, choice = await _choice(centres.resident)
    await actions.book(principal, choice, _booking(choice), NOW)
    neighbour = await make_user(accounts={centres.account: "tenant"})
    other, other_choice = await _choice(neighbour)
    with pytest.raises(actions.SeatTaken):
        await actions.book(other, other_choice, _booking(other_choice), NOW)
    assert await Visit.count().where(Visit.centre == centres.centre) == 1
    # with a second desk, the second person gets it
    await VisitCentre.update({VisitCentre.desks: 2}).where(VisitCentre.id == centres.centre)
    other, other_choice = await _choice(neighbour)
    second = await actions.book(other, other_choice, _booking(other_choice), NOW)
    assert (await Visit.select(Visit.desk).where(Visit.id == second).first())["desk"] == 2


async def test_a_time_not_offered_is_refused(centres):
    principal, choice = await _choice(centres.resident)
    for starts_at in (
        NOW + timedelta(hours=1),  # within the two hours' lead
        datetime(2026, 12, 9, 10, 15, tzinfo=UTC),  # 13:15 local: lunch
        datetime(2026, 12, 13, 7, tzinfo=UTC),  # a Sunday
        datetime(2026, 12, 9, 7, 10, tzinfo=UTC),  # not a slot's start
        SLOT + timedelta(days=20),  # past the two weeks
    ):
        with pytest.raises(actions.SeatTaken):
            await actions.book(principal, choice, _booking(choice, starts_at), NOW)
    assert await Visit.count() == 0


async def test_a_person_holds_two_upcoming_visits_at_most(centres):
    principal, choice = await _choice(centres.resident)
    await actions.book(principal, choice, _booking(choice), NOW)
    await actions.book(principal, choice, _booking(choice, SLOT + timedelta(minutes=30)), NOW)
    with pytest.raises(Refused):
        await actions.book(principal, choice, _booking(choice, SLOT + timedelta(hours=1)), NOW)
    # a past visit does not count: two days later the first two are behind
    later = NOW + timedelta(days=2)
    await actions.book(principal, choice, _booking(choice, SLOT + timedelta(days=2)), later)
    assert await Visit.count().where(Visit.user == centres.resident) == 3


async def test_the_resident_cancels_until_an_hour_before_and_the_seat_is_free_again(centres, make_user):
    principal, choice = await _choice(centres.resident)
    visit_id = await actions.book(principal, choice, _booking(choice), NOW)
    visit = await queries.visit_for(principal, visit_id)
    with pytest.raises(Refused):
        await actions.cancel(principal, visit, SLOT - timedelta(minutes=59))
    await actions.cancel(principal, visit, SLOT - timedelta(minutes=60))
    row = await Visit.select(Visit.status, Visit.seat).where(Visit.id == visit_id).first()
    assert (row["status"], row["seat"]) == ("cancelled", None)
    with pytest.raises(Refused):  # once
        await actions.cancel(principal, visit, NOW)
    assert await AuditEvent.count().where(AuditEvent.action == "visits.cancel") == 1
    neighbour = await make_user(accounts={centres.account: "tenant"})
    other, other_choice = await _choice(neighbour)
    assert await actions.book(other, other_choice, _booking(other_choice), NOW)  # the time is free again


async def test_staff_mark_a_visit_once_and_a_missed_one_is_told(centres):
    principal, choice = await _choice(centres.resident)
    first = await actions.book(principal, choice, _booking(choice), NOW)
    second = await actions.book(principal, choice, _booking(choice, SLOT + timedelta(minutes=30)), NOW)
    manager = await load_principal_for(centres.manager)
    one = await queries.staff_visit(manager, first)
    with pytest.raises(Refused):  # too early to be marked
        await actions.mark(manager, one, True, SLOT - timedelta(hours=2))
    await actions.mark(manager, one, True, SLOT - timedelta(minutes=10))  # came a little early
    with pytest.raises(Refused):
        await actions.mark(manager, one, False, SLOT + timedelta(minutes=5))  # marked already
    two = await queries.staff_visit(manager, second)
    with pytest.raises(Refused):  # not missed before it starts
        await actions.mark(manager, two, False, SLOT)
    await actions.mark(manager, two, False, SLOT + timedelta(minutes=45))
    statuses = {r["id"]: r["status"] for r in await Visit.select(Visit.id, Visit.status)}
    assert statuses == {first: "attended", second: "no_show"}
    assert await AuditEvent.count().where(AuditEvent.action.is_in(["visits.attended", "visits.no_show"])) == 2
    assert await OutboxMessage.count().where(OutboxMessage.template == "visits/missed") >= 1


async def test_a_resident_who_came_is_asked_and_rates_the_visit_once(centres, make_user):
    """«Пришёл» thanks the resident and asks how the visit went; they rate it once (the audit keeps the mark, not the
    words); a visit not attended, or another's, is not rated."""
    principal, choice = await _choice(centres.resident)
    came = await actions.book(principal, choice, _booking(choice), NOW)
    missed = await actions.book(principal, choice, _booking(choice, SLOT + timedelta(minutes=30)), NOW)
    manager = await load_principal_for(centres.manager)
    await actions.mark(manager, await queries.staff_visit(manager, came), True, SLOT)
    await actions.mark(manager, await queries.staff_visit(manager, missed), False, SLOT + timedelta(hours=1))
    asked = await OutboxMessage.select(OutboxMessage.user_id, OutboxMessage.ref).where(
        OutboxMessage.template == "visits/came"
    )
    assert {(r["user_id"], r["ref"]) for r in asked} == {(centres.resident, f"visits:visit:{came}")}

    with pytest.raises(Refused):
        await actions.rate(principal, await queries.visit_for(principal, missed), 5, "", SLOT + timedelta(hours=2))
    visit = await queries.visit_for(principal, came)
    await actions.rate(principal, visit, 4, "  Быстро, но душно  ", SLOT + timedelta(hours=2))
    with pytest.raises(Refused):  # the same page sent again from another tab
        await actions.rate(principal, visit, 1, "", SLOT + timedelta(hours=3))
    row = await Visit.select(Visit.rating, Visit.feedback, Visit.rated_at).where(Visit.id == came).first()
    assert (row["rating"], row["feedback"]) == (4, "Быстро, но душно") and row["rated_at"] is not None
    audit = await AuditEvent.select(AuditEvent.changes).where(AuditEvent.action == "visits.rate").first()
    assert "душно" not in str(audit["changes"]) and "4" in str(audit["changes"])
    assert await Visit.select(Visit.rating).where(Visit.id == missed).first() == {"rating": None}


async def test_staff_cancel_with_a_reason_told_in_the_residents_language(centres, make_user):
    english = await make_user(accounts={centres.account: "tenant"}, locale="en")
    principal, choice = await _choice(english)
    visit_id = await actions.book(principal, choice, _booking(choice), NOW)
    manager = await load_principal_for(centres.manager)
    visit = await queries.staff_visit(manager, visit_id)
    await actions.staff_cancel(manager, visit, "Санитарный день", SLOT - timedelta(minutes=30), ip="10.0.0.1")
    row = await Visit.select(Visit.status, Visit.seat, Visit.cancel_reason).where(Visit.id == visit_id).first()
    assert row == {"status": "cancelled", "seat": None, "cancel_reason": "Санитарный день"}
    told = await OutboxMessage.select(OutboxMessage.subject, OutboxMessage.body).where(
        (OutboxMessage.template == "visits/cancelled") & (OutboxMessage.channel == "email")
    )
    assert told and told[0]["subject"].startswith("Your visit to the client centre on 9 December")
    assert "Санитарный день" in told[0]["body"]
    event = await AuditEvent.select(AuditEvent.actor_id).where(AuditEvent.action == "visits.staff_cancel").first()
    assert event["actor_id"] == centres.manager


async def test_a_visit_of_another_complex_is_none_of_the_residents_nor_of_its_staff(centres):
    principal, choice = await _choice(centres.resident)
    visit_id = await actions.book(principal, choice, _booking(choice), NOW)
    assert await queries.visit_for(await load_principal_for(centres.stranger), visit_id) is None
    assert await queries.staff_visit(await load_principal_for(centres.other_manager), visit_id) is None
    assert await queries.staff_visit(await load_principal_for(centres.manager), visit_id) is not None
    assert [c.id for c in await queries.staff_centres(await load_principal_for(centres.other_manager))] == [
        centres.other_centre
    ]


@pytest.mark.parametrize("engine_name", ["sqlite", "postgres"])
async def test_two_people_taking_the_last_seat_at_once_one_wins(engines, engine_name):
    """Outside any test transaction, on connections of their own: the seat's unique key decides."""
    async with committed(engines, engine_name):
        ids = await make_registry()
        users = []
        for n in range(2):
            user = User(email=f"visit-race-{n}-{secrets.token_hex(4)}@example.ru", full_name=f"Гонщик {n}",
                        password_hash="")  # fmt: skip
            await user.save()
            await Residency(user=user.id, account=ids["account"], role="owner", rights=["view"]).save()
            users.append(user.id)
        centre_id = await make_centre(ids["house"])
        try:
            people = [
                Principal(user_id=u, name=f"Гонщик {u}", account_rights={ids["account"]: frozenset({"view"})})
                for u in users
            ]
            choices = [(await queries.centres_for(p))[0] for p in people]
            results = await asyncio.gather(
                *(actions.book(p, c, _booking(c), NOW) for p, c in zip(people, choices, strict=True)),
                return_exceptions=True,
            )
            won = [r for r in results if isinstance(r, int)]
            lost = [r for r in results if isinstance(r, actions.SeatTaken)]
            assert len(won) == 1 and len(lost) == 1, results
            assert await Visit.count().where(Visit.centre == centre_id) == 1
        finally:
            await _forget(centre_id, users, ids)


@pytest.mark.parametrize("engine_name", ["sqlite", "postgres"])
async def test_two_bookings_of_one_person_at_once_keep_the_limit_of_two(engines, engine_name):
    """With one upcoming visit, two more booked at the same moment (two tabs, a double tap) at different times:
    exactly one is written, the other is told the limit — on both engines, on connections of their own."""
    async with committed(engines, engine_name):
        ids = await make_registry()
        user = User(email=f"visit-limit-{secrets.token_hex(4)}@example.ru", full_name="Двойной Клик", password_hash="")
        await user.save()
        await Residency(user=user.id, account=ids["account"], role="owner", rights=["view"]).save()
        centre_id = await make_centre(ids["house"], desks=3)
        try:
            rights = {ids["account"]: frozenset({"view"})}
            person = Principal(user_id=user.id, name="Двойной Клик", account_rights=rights)
            (choice,) = await queries.centres_for(person)
            await actions.book(person, choice, _booking(choice), NOW)
            results = await asyncio.gather(
                *(actions.book(person, choice, _booking(choice, SLOT + timedelta(minutes=m)), NOW) for m in (30, 60)),
                return_exceptions=True,
            )
            won = [r for r in results if isinstance(r, int)]
            refused = [r for r in results if isinstance(r, Refused)]
            assert len(won) == 1 and len(refused) == 1, results
            assert "предстоящих визита" in str(refused[0])
            assert await Visit.count().where(Visit.user == user.id) == 2
        finally:
            await _forget(centre_id, [user.id], ids)


def test_now_is_aware():
    assert NOW.tzinfo is UTC


async def test_a_manager_of_another_house_of_the_complex_sees_the_centre_but_not_its_residents(centres, make_user):
    from portal.housing.tables import House

    complex_id = (await House.select(House.complex).where(House.id == centres.house).first())["complex"]
    neighbour_house = House(complex=complex_id, address="г. Симферополь, ул. Соседняя, д. 2", floors=5)
    await neighbour_house.save()
    neighbours_manager = await load_principal_for(await make_user(roles=("manager",), houses=(neighbour_house.id,)))
    principal, choice = await _choice(centres.resident)
    visit_id = await actions.book(principal, choice, _booking(choice), NOW)
    assert [c.id for c in await queries.staff_centres(neighbours_manager)] == [centres.centre]
    assert await queries.staff_visit(neighbours_manager, visit_id) is None
    day = await queries.day_of(neighbours_manager, centres.centre, SLOT - timedelta(hours=3), SLOT + timedelta(hours=3))
    assert day == []
    ours = await queries.day_of(
        await load_principal_for(centres.manager), centres.centre, SLOT - timedelta(hours=3), SLOT + timedelta(hours=3)
    )
    assert [r.id for r in ours] == [visit_id] and ours[0].address.endswith(f"кв. {ours[0].premise_number}")


async def test_a_day_before_the_visit_its_resident_is_reminded_once_in_their_language(centres, make_user):
    """Booked two days ahead: no reminder before the day before; then one, with where, when and what to bring, in the
    resident's language; the job run again (or on another worker) sends nothing more. A visit booked within the day
    (its confirmation has just come) and a cancelled one get none."""
    english = await make_user(accounts={centres.account: "tenant"}, locale="en")
    principal, choice = await _choice(english)
    two_days = SLOT + timedelta(days=1)  # Thursday 10 December, 10:00
    visit_id = await actions.book(principal, choice, _booking(choice, starts_at=two_days), NOW)
    reminders = OutboxMessage.template == "visits/reminder"

    assert await actions.send_reminders(two_days - timedelta(hours=25)) == 0  # not yet
    assert await actions.send_reminders(two_days - timedelta(hours=23, minutes=50)) == 1
    row = (
        await OutboxMessage.select(OutboxMessage.subject, OutboxMessage.body)
        .where(reminders & (OutboxMessage.channel == "inapp"))
        .first()
    )
    assert row["subject"] == "Reminder: the client centre on 10 December, Thursday at 10:00", row
    assert "Please bring" in row["body"] and "Тестовая" in row["body"], row["body"]
    assert await actions.send_reminders(two_days - timedelta(hours=23)) == 0  # once
    assert await OutboxMessage.count().where(reminders & (OutboxMessage.ref == f"visits:visit:{visit_id}")) >= 1

    # booked within the day: the confirmation was its reminder; cancelled: nothing to remind of
    other, other_choice = await _choice(centres.resident)
    soon = two_days + timedelta(hours=2)
    await actions.book(other, other_choice, _booking(other_choice, starts_at=soon), soon - timedelta(hours=20))
    later = two_days + timedelta(days=1)  # Friday 11 December, 10:00
    kept = await actions.book(other, other_choice, _booking(other_choice, starts_at=later), NOW)
    await actions.cancel(other, await queries.visit_for(other, kept), NOW)
    assert await actions.send_reminders(soon - timedelta(hours=19)) == 0
    assert await actions.send_reminders(later - timedelta(hours=23)) == 0


async def test_staff_book_a_caller_who_is_told_in_their_language_and_sees_it(centres, make_user):
    """The call centre books for a person of the account: the visit is the person's (in «Мои записи»), the audit
    event names the operator with the visitor, the confirmation is in the visitor's language; the limit of two is
    the visitor's."""
    english = await make_user(accounts={centres.account: "tenant"}, locale="en")
    operator = await load_principal_for(await make_user(roles=("operator",), houses=(centres.house,)))
    centre = await queries.centre_of_house(centres.house)
    assert centre is not None and centre.id == centres.centre
    assert [v.user_id for v in await people_of_account(centres.account)] == [centres.resident, english]
    choice = queries.Choice(centre, centres.account)
    visit_id = await actions.book(operator, choice, _booking(choice), NOW, ip="10.0.0.2", visitor=english)
    row = await Visit.select(Visit.user, Visit.account).where(Visit.id == visit_id).first()
    assert row == {"user": english, "account": centres.account}
    assert [v.id for v in await queries.visits_of(english)] == [visit_id]
    event = await AuditEvent.select(AuditEvent.actor_id, AuditEvent.changes).where(
        AuditEvent.action == "visits.book_for"
    )
    assert len(event) == 1 and event[0]["actor_id"] == operator.user_id, event
    assert "visitor" in str(event[0]["changes"])
    told = await OutboxMessage.select(OutboxMessage.user_id, OutboxMessage.subject).where(
        (OutboxMessage.template == "visits/booked") & (OutboxMessage.channel == "inapp")
    )
    assert [(t["user_id"], t["subject"]) for t in told] == [
        (english, "You are booked at the client centre on 9 December, Wednesday at 10:00")
    ]
    await actions.book(operator, choice, _booking(choice, SLOT + timedelta(minutes=30)), NOW, visitor=english)
    with pytest.raises(Refused):
        await actions.book(operator, choice, _booking(choice, SLOT + timedelta(hours=1)), NOW, visitor=english)
    # the operator's own count is not the visitor's: another person of the account is booked still
    assert await actions.book(operator, choice, _booking(choice, SLOT + timedelta(hours=1)), NOW,
                              visitor=centres.resident)  # fmt: skip


async def test_a_caller_without_a_sign_in_is_reminded_and_told_by_sms_and_forgotten_after_the_visit(centres):
    """A caller booked by phone (no user) gets their confirmation, the reminder a day before and the centre's
    cancellation by SMS in Russian, once each (the job run twice); a missed or attended visit tells them nothing (the
    portal's words are not theirs). ``caller_keep_days`` after the start their name and phone go, with the SMS, in
    one audited batch; a visit of a person with a sign-in, and a caller's still in term, keep theirs."""
    operator = await load_principal_for(centres.manager)
    choice = queries.Choice(await queries.centre_of_house(centres.house), centres.account)
    caller = Caller("Пётр Звонящий", "+79123456789")
    two_days = SLOT + timedelta(days=1)  # Thursday 10 December, 10:00
    kept = await actions.book(operator, choice, _booking(choice, starts_at=two_days), NOW, visitor=caller)
    cancelled = await actions.book(operator, choice, _booking(choice, starts_at=SLOT), NOW, visitor=caller)
    assert await Visit.select(Visit.user).where(Visit.id == kept).first() == {"user": None}
    event = await AuditEvent.select(AuditEvent.changes).where(AuditEvent.entity_id == kept).first()
    assert "Пётр" not in str(event["changes"]) and "79123456789" not in str(event["changes"])

    assert await actions.send_reminders(two_days - timedelta(hours=23, minutes=50)) == 1
    assert await actions.send_reminders(two_days - timedelta(hours=23)) == 0  # once
    await actions.staff_cancel(operator, await queries.staff_visit(operator, cancelled), "Санитарный день", NOW)
    await actions.mark(operator, await queries.staff_visit(operator, kept), False, two_days + timedelta(hours=1))
    sms = await OutboxMessage.select(OutboxMessage.template, OutboxMessage.recipient, OutboxMessage.body).where(
        OutboxMessage.channel == "sms"
    )
    by_template = {m["template"]: m for m in sms}
    assert sorted(by_template) == ["visits/caller_booked", "visits/caller_cancelled", "visits/caller_reminder"]
    assert len(sms) == 4 and {m["recipient"] for m in sms} == {"+79123456789"}  # two confirmations
    assert by_template["visits/caller_reminder"]["body"].startswith("Ждём вас: Клиентский центр ЖК «Тестовый»")
    said = by_template["visits/caller_cancelled"]["body"]
    assert "Санитарный день" in said and "позвоните по телефону +7 (3652) 00-00-01" in said, said
    assert await OutboxMessage.count().where(OutboxMessage.channel != "sms") == 0  # nobody's portal

    principal, own_choice = await _choice(centres.resident)
    own = await actions.book(principal, own_choice, _booking(own_choice, starts_at=SLOT + timedelta(hours=1)), NOW)
    later = await actions.book(operator, choice, _booking(choice, starts_at=SLOT + timedelta(days=7)), NOW,
                               visitor=Caller("Анна Поздняя", "+79990000000"))  # fmt: skip
    month_after = two_days + timedelta(days=30, minutes=1)
    assert await actions.forget_callers(month_after, 30) == 2
    assert await actions.forget_callers(month_after, 30) == 0
    rows = {r["id"]: r for r in await Visit.select(Visit.id, Visit.caller_name, Visit.caller_phone,
                                                   Visit.caller_erased_at, Visit.status)}  # fmt: skip
    assert [(rows[i]["caller_name"], rows[i]["caller_phone"]) for i in (kept, cancelled)] == [("", "")] * 2
    assert rows[kept]["caller_erased_at"] is not None and rows[kept]["status"] == "no_show"
    assert (rows[later]["caller_name"], rows[later]["caller_erased_at"]) == ("Анна Поздняя", None)
    assert rows[own]["caller_erased_at"] is None
    left = await OutboxMessage.select(OutboxMessage.ref).where(OutboxMessage.channel == "sms")
    assert [m["ref"] for m in left] == [f"visits:visit:{later}"]
    erased = await AuditEvent.select(AuditEvent.changes).where(AuditEvent.action == "visits.callers_erased")
    assert len(erased) == 1 and "2" in str(erased[0]["changes"])


async def _forget(centre_id: int, users: list[int], ids: dict[str, Any]) -> None:
    """What a race test committed: the centre's visits and their audit rows, the centre, the people and the registry."""
    visits = [r["id"] for r in await Visit.select(Visit.id).where(Visit.centre == centre_id)]
    if visits:
        await AuditEvent.delete().where((AuditEvent.entity == "client_visit") & AuditEvent.entity_id.is_in(visits))
    await Visit.delete().where(Visit.centre == centre_id)
    await VisitCentre.delete().where(VisitCentre.id == centre_id)
    await OutboxMessage.delete().where(OutboxMessage.user_id.is_in(users))
    await Residency.delete().where(Residency.user.is_in(users))
    await User.delete().where(User.id.is_in(users))
    await remove_registry(ids)
