"""Actions of meters on both engines, without HTTP: passing and correcting readings, photos, rollover, the review,
the call centre, the verification request, reminders once per account and period in both modes of the jobs."""

from __future__ import annotations

from datetime import date
from datetime import timedelta
from decimal import Decimal as D

import pytest

from portal.accounts.tables import User
from portal.core import jobs
from portal.core.tables import AuditEvent
from portal.core.tables import OutboxMessage
from portal.meters import actions
from portal.meters import queries
from portal.meters import reminders
from portal.meters import rules
from portal.meters.tables import Meter
from portal.meters.tables import MeterReading
from portal.meters.tables import MeterReminder
from portal.meters.tables import Review
from portal.meters.tables import Source
from tests.meters.conftest import NOV
from tests.meters.conftest import NOW
from tests.meters.conftest import TODAY
from tests.meters.conftest import WINDOW
from tests.meters.conftest import add_meter
from tests.meters.conftest import png_bytes
from tests.meters.conftest import readings_of
from tests.meters.conftest import staff_principal
from tests.notifications.test_inapp import at_another_address
from tests.notifications.test_inapp import inapp_links


async def _pass(flat, wanted, today=TODAY, **kwargs):
    return await actions.pass_readings(flat.principal, wanted, today=today, now=NOW, window=WINDOW, **kwargs)


async def test_readings_are_stored_once_per_register_and_period_and_corrected_within_the_window(flat):
    first = await _pass(flat, {flat.cold: {1: D("104.5")}, flat.power: {1: D("2300"), 2: D("1150")}})
    assert first.ok and first.stored == 3 and first.corrected == 0
    again = await _pass(flat, {flat.cold: {1: D("105")}}, today=date(2026, 11, 25))
    assert again.ok and again.corrected == 1
    rows = await readings_of(flat.cold)
    assert [(D(r["value"]), D(r["consumption"])) for r in rows] == [(D("105"), D("5"))]  # against October's 100
    late = await _pass(flat, {flat.cold: {1: D("106")}}, today=date(2026, 11, 26))  # the window closed
    assert late.ok and late.corrected == 0
    assert [D(r["value"]) for r in await readings_of(flat.cold, date(2026, 12, 1))] == [D("106")]
    assert [D(r["value"]) for r in await readings_of(flat.cold)] == [D("105")]


async def test_one_refusal_stores_nothing(flat):
    passed = await _pass(flat, {flat.cold: {1: D("104")}, flat.power: {1: D("2300"), 2: D("1000")}})
    assert [(r.meter_id, r.zone, r.error) for r in passed.refusals] == [
        (flat.power, 2, rules.ReadingError.LESS_THAN_PREVIOUS)
    ]
    assert await readings_of(flat.cold) == []


async def test_a_multi_zone_meter_is_passed_in_every_zone(flat):
    passed = await _pass(flat, {flat.power: {1: D("2300")}})
    assert {r.error for r in passed.refusals} == {rules.ReadingError.ZONES_INCOMPLETE}


async def test_a_rollover_is_taken_once_the_resident_confirms_it(flat):
    await MeterReading.update({MeterReading.value: D("99990")}).where(
        (MeterReading.meter == flat.cold) & (MeterReading.period == date(2026, 10, 1))
    )
    asked = await _pass(flat, {flat.cold: {1: D("5")}})
    assert [r.error for r in asked.refusals] == [rules.ReadingError.ROLLOVER_UNCONFIRMED]
    taken = await _pass(flat, {flat.cold: {1: D("5")}}, confirmed={flat.cold})
    assert taken.ok
    row = (await readings_of(flat.cold))[0]
    assert row["rollover"] and D(row["consumption"]) == D("15")


async def test_an_implausible_jump_waits_for_review_against_the_accounts_usual_consumption(flat):
    meters = {m.id: m for m in await queries.meters_of([flat.account], NOV)}
    assert meters[flat.cold].average == {1: D("4")}  # the account's own monthly history
    calm = await _pass(flat, {flat.cold: {1: D("129")}})  # 29 m³: under the cold-water cap of 30
    assert calm.ok and not calm.flagged
    jump = await _pass(flat, {flat.cold: {1: D("131")}})  # 31 m³ > max(3 × 4, 30)
    assert jump.flagged == [flat.cold]
    row = (await readings_of(flat.cold))[0]
    assert row["flagged"] and row["review"] == Review.PENDING


async def test_a_replacement_meter_inherits_the_usual_consumption_of_the_one_it_replaced(flat):
    new = Meter(account=flat.account, service="cold_water", serial="ХВ-2", digits=5, decimals=3)
    await new.save()
    await Meter.update({Meter.status: "replaced", Meter.replaced_by: new.id}).where(Meter.id == flat.cold)
    await MeterReading(meter=new.id, zone=1, value=D("3"), consumption=D("4"), period=date(2026, 10, 1)).save()
    meters = {m.id: m for m in await queries.meters_of([flat.account], NOV)}
    assert flat.cold not in meters
    assert meters[new.id].average == {1: D("4")}


async def test_a_replaced_meters_reading_is_reviewed_against_its_previous_one_however_old(flat, make_user):
    """The meter was replaced after its November reading was passed; its reading before that is two years old.
    Staff correcting November compare with it (a lower value refused), as for a meter in use."""
    new = await add_meter(flat.account, "cold_water", "ХВ-2", digits=5, decimals=3)
    old = await add_meter(flat.account, "cold_water", "ХВ-0", digits=5, decimals=3)
    await Meter.update({Meter.status: "replaced", Meter.replaced_by: new}).where(Meter.id == old)
    await MeterReading(meter=old, zone=1, value=D("50"), period=date(2024, 11, 1)).save()
    await MeterReading(meter=old, zone=1, value=D("990"), period=NOV, flagged=True, review=Review.PENDING).save()
    manager = staff_principal(await make_user(roles=("manager",), houses=(flat.house,)), flat.house, "manager")
    item = await queries.staff_reading(manager, (await readings_of(old))[0]["id"])
    assert item.facts.last == {1: D("50.000")} and item.facts.last_period == date(2024, 11, 1)
    refused = await actions.correct_reading(manager, item, {1: D("45")}, "на фото 45", now=NOW)
    assert [r.error for r in refused] == [rules.ReadingError.NOT_A_ROLLOVER]  # lower, and no rollover
    assert await actions.correct_reading(manager, item, {1: D("99")}, "на фото 99", now=NOW) == []
    assert D((await readings_of(old))[0]["consumption"]) == D("49")


async def test_a_photo_is_kept_with_the_reading_and_a_file_that_is_no_photo_stores_nothing(flat):
    from portal.core import storage

    passed = await _pass(flat, {flat.cold: {1: D("104")}}, photos={flat.cold: png_bytes()})
    assert passed.ok
    key = (await readings_of(flat.cold))[0]["photo"]
    assert key.endswith(".jpg") and storage.path_of(key).exists()
    refused = await _pass(flat, {flat.cold: {1: D("105")}}, photos={flat.cold: b"not an image"})
    assert refused.photo_errors == {flat.cold: "not_image"}
    assert D((await readings_of(flat.cold))[0]["value"]) == D("104")


async def test_a_meter_past_its_verification_date_refuses_readings_and_files_one_request(flat):
    """The request is worded for the Russian dispatcher in Russian and for the resident in English too, whatever
    the language of the page that filed it."""
    from portal.core.i18n import set_locale
    from portal.core.web import Refused
    from portal.tickets.tables import Ticket

    passed = await _pass(flat, {flat.gas: {1: D("10")}})
    assert [r.error for r in passed.refusals] == [rules.ReadingError.VERIFICATION_EXPIRED]
    set_locale("en")  # filed from an English page
    try:
        number = await actions.request_verification(flat.principal, flat.gas, today=TODAY, now=NOW)
    finally:
        set_locale("ru")
    ticket = await Ticket.select().where(Ticket.number == number).first()
    assert ticket["category"] == "meter_check" and ticket["account"] == flat.account and "Г-1" in ticket["description"]
    assert ticket["description"].startswith("Прошу провести поверку или замену счётчика")
    assert ticket["description_en"].startswith("Please verify or replace the meter")
    assert (await Meter.select(Meter.verification_ticket).where(Meter.id == flat.gas).first())[
        "verification_ticket"
    ] == ticket["id"]
    with pytest.raises(Refused):
        await actions.request_verification(flat.principal, flat.gas, today=TODAY, now=NOW)
    with pytest.raises(Refused):  # nothing due on the cold-water meter
        await actions.request_verification(flat.principal, flat.cold, today=TODAY, now=NOW)


async def test_the_call_centre_enters_readings_as_taken_by_phone_with_the_operator_kept(flat, make_user):
    operator = staff_principal(await make_user(roles=("operator",), houses=(flat.house,)), flat.house, "operator")
    passed = await actions.enter_readings(
        operator, flat.account, {flat.cold: {1: D("104")}}, today=TODAY, now=NOW, window=WINDOW
    )
    assert passed.ok
    row = (await readings_of(flat.cold))[0]
    assert (row["source"], row["submitted_by"]) == (Source.PHONE, operator.user_id)
    event = await AuditEvent.select().where(AuditEvent.action == "meters.readings.phone").first()
    assert event["actor_id"] == operator.user_id and event["entity_id"] == flat.account


async def test_a_reading_passed_or_corrected_after_its_month_was_exported_is_marked_to_recount(
    flat, make_user, make_account
):
    """Billing charged the month without the reading (or with the one it replaces): passed or corrected by the
    resident or the call centre after the export, it is marked as a staff review marks it; another house's export
    marks nothing, and the month's next export clears the mark."""
    from portal.meters.tables import MeterExport

    await _pass(flat, {flat.cold: {1: D("104")}})
    assert not (await readings_of(flat.cold))[0]["recount"]  # not exported yet
    await MeterExport(period=NOV, house=(await make_account()).house, exported_at=NOW).save()
    await _pass(flat, {flat.cold: {1: D("104.5")}})
    assert not (await readings_of(flat.cold))[0]["recount"]  # another house went to billing
    await MeterExport(period=NOV, house=flat.house, exported_at=NOW).save()
    assert (await _pass(flat, {flat.cold: {1: D("105")}})).corrected == 1
    assert (await readings_of(flat.cold))[0]["recount"]
    operator = staff_principal(await make_user(roles=("operator",), houses=(flat.house,)), flat.house, "operator")
    entered = {flat.power: {1: D("2300"), 2: D("1150")}}
    assert (await actions.enter_readings(operator, flat.account, entered, today=TODAY, now=NOW, window=WINDOW)).ok
    assert [r["recount"] for r in await readings_of(flat.power)] == [True, True]
    manager = staff_principal(await make_user(roles=("manager",), houses=(flat.house,)), flat.house, "manager")
    lines = [row async for row in actions.exported_rows(manager, NOV, None, [flat.house], now=NOW)]
    assert {r.serial for r in lines if r.recount} >= {"ХВ-1"}
    assert not any(r["recount"] for r in await readings_of(flat.cold) + await readings_of(flat.power))


async def _review_item(flat, make_user):
    await _pass(flat, {flat.cold: {1: D("164")}}, photos={flat.cold: png_bytes()})
    manager = staff_principal(await make_user(roles=("manager",), houses=(flat.house,)), flat.house, "manager")
    reading_id = (await readings_of(flat.cold))[0]["id"]
    return manager, await queries.staff_reading(manager, reading_id)


async def test_staff_see_the_reading_with_its_photo_previous_and_usual_and_accept_it(flat, make_user):
    manager, item = await _review_item(flat, make_user)
    assert item.photo and item.values == {1: D("164.000")} and item.consumption == D("64")
    assert item.facts.last == {1: D("100.000")} and item.usual == D("4")
    stranger = staff_principal(1, flat.house + 1000, "manager")
    assert await queries.staff_reading(stranger, item.id) is None
    await actions.accept_reading(manager, item, now=NOW)
    row = (await readings_of(flat.cold))[0]
    assert (row["review"], row["reviewed_by"]) == (Review.ACCEPTED, manager.user_id)


async def test_a_correction_keeps_what_was_sent_and_tells_the_resident_why(flat, make_user):
    manager, item = await _review_item(flat, make_user)
    assert await actions.correct_reading(manager, item, {1: D("99")}, "лишняя цифра", now=NOW)  # below October
    assert await actions.correct_reading(manager, item, {1: D("106.4")}, "на фото 106,4", now=NOW) == []
    row = (await readings_of(flat.cold))[0]
    assert (D(row["value"]), D(row["original_value"]), D(row["consumption"])) == (D("106.4"), D("164"), D("6.4"))
    assert row["review"] == Review.CORRECTED and row["review_note"] == "на фото 106,4"
    sent = await OutboxMessage.select().where(OutboxMessage.user_id == flat.resident)
    assert {m["channel"] for m in sent} == {"inapp", "email"}
    email = next(m for m in sent if m["channel"] == "email")
    assert "на фото 106,4" in email["body"] and "164,000" in email["body"] and "106,400" in email["body"]


async def test_correcting_an_earlier_reading_recounts_the_next_ones_consumption(flat, make_user):
    """November's consumption was counted from October's value: a correction of October counts it again (the
    export to billing carries it), and a correction above November's value is refused."""
    await _pass(flat, {flat.cold: {1: D("104")}})  # October 100 → November 104, used 4
    manager = staff_principal(await make_user(roles=("manager",), houses=(flat.house,)), flat.house, "manager")
    october = (await readings_of(flat.cold, date(2026, 10, 1)))[0]["id"]
    item = await queries.staff_reading(manager, october)
    refused = await actions.correct_reading(manager, item, {1: D("104.5")}, "на фото 104,5", now=NOW)
    assert [r.error for r in refused] == [rules.ReadingError.ABOVE_NEXT]
    assert D((await readings_of(flat.cold))[0]["consumption"]) == D("4")
    assert await actions.correct_reading(manager, item, {1: D("98.5")}, "на фото 98,5", now=NOW) == []
    assert D((await readings_of(flat.cold, date(2026, 10, 1)))[0]["consumption"]) == D("2.5")  # from September's 96
    assert D((await readings_of(flat.cold))[0]["consumption"]) == D("5.5")


async def test_a_correction_marks_the_next_reading_it_recounts_when_that_month_was_exported(flat, make_user):
    """October and November both went to billing; correcting October counts November's consumption again: both
    are marked to recount, and November's export clears its mark (it has no review of its own)."""
    from portal.meters.tables import MeterExport

    await _pass(flat, {flat.cold: {1: D("104")}})
    for period in (date(2026, 10, 1), NOV):
        await MeterExport(period=period, exported_at=NOW).save()
    manager = staff_principal(await make_user(roles=("manager",), houses=(flat.house,)), flat.house, "manager")
    item = await queries.staff_reading(manager, (await readings_of(flat.cold, date(2026, 10, 1)))[0]["id"])
    assert await actions.correct_reading(manager, item, {1: D("98.5")}, "на фото 98,5", now=NOW) == []
    assert (await readings_of(flat.cold, date(2026, 10, 1)))[0]["recount"]
    assert (await readings_of(flat.cold))[0]["recount"]
    lines = [row async for row in actions.exported_rows(manager, NOV, None, [flat.house], now=NOW)]
    assert [r.recount for r in lines if r.serial == "ХВ-1"] == [True]
    assert not (await readings_of(flat.cold))[0]["recount"]


async def test_marks_set_while_the_export_is_written_stay_for_the_next_one(flat, make_user):
    """The file's lines are read one by one: a reading passed after the export began, or a next reading counted
    again after its line went out unmarked, is not in the file as billing should recount it — it keeps its mark."""
    from portal.meters.tables import MeterExport

    await _pass(flat, {flat.cold: {1: D("104")}})  # October 100 → November 104
    for period in (date(2026, 10, 1), NOV):
        await MeterExport(period=period, exported_at=NOW - timedelta(days=1)).save()
    manager = staff_principal(await make_user(roles=("manager",), houses=(flat.house,)), flat.house, "manager")
    lines = actions.exported_rows(manager, NOV, None, [flat.house], now=NOW)
    line = await anext(lines)
    assert (line.serial, line.recount) == ("ХВ-1", False)
    later = NOW + timedelta(minutes=1)
    item = await queries.staff_reading(manager, (await readings_of(flat.cold, date(2026, 10, 1)))[0]["id"])
    assert await actions.correct_reading(manager, item, {1: D("98.5")}, "на фото 98,5", now=later) == []
    wanted = {flat.power: {1: D("2300"), 2: D("1150")}}
    assert (await actions.pass_readings(flat.principal, wanted, today=TODAY, now=later, window=WINDOW)).ok
    assert [row async for row in lines]
    assert (await readings_of(flat.cold))[0]["recount"]
    assert [r["recount"] for r in await readings_of(flat.power)] == [True, True]


async def test_rejecting_an_earlier_reading_counts_the_next_one_from_the_reading_before(flat, make_user):
    await _pass(flat, {flat.cold: {1: D("104")}})  # October 100 → November 104, used 4
    manager = staff_principal(await make_user(roles=("manager",), houses=(flat.house,)), flat.house, "manager")
    october = (await readings_of(flat.cold, date(2026, 10, 1)))[0]["id"]
    await actions.reject_reading(manager, await queries.staff_reading(manager, october), "чужой счётчик", now=NOW)
    assert D((await readings_of(flat.cold))[0]["consumption"]) == D("8")  # from September's 96


async def test_the_usual_consumption_counts_the_months_a_rejected_reading_left_to_the_next(flat, make_user):
    """October rejected: November's 8 m³ cover two months, so the usual month stays 4 m³ (not 48 / 11)."""
    await _pass(flat, {flat.cold: {1: D("104")}})
    manager = staff_principal(await make_user(roles=("manager",), houses=(flat.house,)), flat.house, "manager")
    october = (await readings_of(flat.cold, date(2026, 10, 1)))[0]["id"]
    await actions.reject_reading(manager, await queries.staff_reading(manager, october), "чужой счётчик", now=NOW)
    views = {m.id: m for m in await queries.meters_of([flat.account], date(2026, 12, 1))}
    assert views[flat.cold].average == {1: D("4")}


async def test_a_reading_still_awaiting_review_does_not_raise_the_usual_consumption(flat):
    """November's 64 m³ wait for staff: December is judged against the usual 4 m³, not (44 + 64) / 12 = 9 m³, so a
    second jump is flagged too."""
    assert (await _pass(flat, {flat.cold: {1: D("164")}})).flagged == [flat.cold]
    views = {m.id: m for m in await queries.meters_of([flat.account], date(2026, 12, 1))}
    assert views[flat.cold].average == {1: D("4")}


DEC_TODAY = date(2026, 12, 20)


async def test_a_reading_awaiting_review_is_no_previous_reading_for_the_next_month(flat):
    """A typo of 99999 left unreviewed in November: December's true 108 is checked against October's accepted 100
    (8 m³ over two months), not refused as lower than the typo."""
    assert (await _pass(flat, {flat.cold: {1: D("99999")}})).flagged == [flat.cold]
    december = await _pass(flat, {flat.cold: {1: D("108")}}, today=DEC_TODAY)
    assert december.ok and not december.flagged
    row = (await readings_of(flat.cold, date(2026, 12, 1)))[0]
    assert D(row["value"]) == D("108") and D(row["consumption"]) == D("8")


async def test_a_reading_awaiting_review_is_no_previous_reading_after_a_year_without_one(flat):
    """The register's last year is empty (the older readings are looked up apart): the pending typo is still
    passed over for the last accepted reading."""
    await MeterReading.delete().where((MeterReading.meter == flat.cold) & (MeterReading.period > date(2025, 6, 1)))
    await MeterReading(meter=flat.cold, zone=1, value=D("50"), period=date(2025, 6, 1)).save()
    await MeterReading(meter=flat.cold, zone=1, value=D("99999"), period=date(2025, 7, 1), review="pending").save()
    views = {m.id: m for m in await queries.meters_of([flat.account], NOV)}
    assert views[flat.cold].last == {1: D("50.000")} and views[flat.cold].last_period == date(2025, 6, 1)


async def test_accepting_a_reading_recounts_the_next_one_and_a_lower_next_one_refuses_it(flat, make_user):
    """November's 64 m³ wait for review while December is passed from October's 100; accepting November counts
    December from it again; accepting a typo December is below is refused."""
    await _pass(flat, {flat.cold: {1: D("164")}})
    await _pass(flat, {flat.cold: {1: D("170")}}, today=DEC_TODAY)
    assert D((await readings_of(flat.cold, date(2026, 12, 1)))[0]["consumption"]) == D("70")
    manager = staff_principal(await make_user(roles=("manager",), houses=(flat.house,)), flat.house, "manager")
    november = await queries.staff_reading(manager, (await readings_of(flat.cold))[0]["id"])
    assert await actions.accept_reading(manager, november, now=NOW) == []
    assert D((await readings_of(flat.cold, date(2026, 12, 1)))[0]["consumption"]) == D("6")
    await MeterReading.update({MeterReading.review: Review.PENDING, MeterReading.value: D("999")}).where(
        MeterReading.id == november.id
    )
    typo = await queries.staff_reading(manager, november.id)
    refused = await actions.accept_reading(manager, typo, now=NOW)
    assert [r.error for r in refused] == [rules.ReadingError.ABOVE_NEXT]
    assert (await readings_of(flat.cold))[0]["review"] == Review.PENDING


async def test_accepting_a_reading_marks_the_next_one_it_recounts_when_that_month_was_exported(flat, make_user):
    """As a correction does (one way of counting the next readings again): December went to billing counted from
    October; accepting November counts December from it and marks December for the accountant to recount."""
    from portal.meters.tables import MeterExport

    await _pass(flat, {flat.cold: {1: D("164")}})
    await _pass(flat, {flat.cold: {1: D("170")}}, today=DEC_TODAY)
    await MeterExport(period=date(2026, 12, 1), exported_at=NOW).save()
    manager = staff_principal(await make_user(roles=("manager",), houses=(flat.house,)), flat.house, "manager")
    november = await queries.staff_reading(manager, (await readings_of(flat.cold))[0]["id"])
    assert await actions.accept_reading(manager, november, now=NOW) == []
    december = (await readings_of(flat.cold, date(2026, 12, 1)))[0]
    assert (D(december["consumption"]), december["recount"]) == (D("6"), True)
    assert not (await readings_of(flat.cold))[0]["recount"], "November's own month was not exported"


async def test_a_rejected_reading_is_left_out_and_the_resident_is_told_in_their_language(flat, make_user):
    from portal.accounts.tables import User

    await User.update({User.locale: "en"}).where(User.id == flat.resident)
    manager, item = await _review_item(flat, make_user)
    await actions.reject_reading(manager, item, "the photo shows 104", now=NOW)
    assert (await readings_of(flat.cold))[0]["review"] == Review.REJECTED
    email = (
        await OutboxMessage.select()
        .where((OutboxMessage.user_id == flat.resident) & (OutboxMessage.channel == "email"))
        .first()
    )
    assert email["subject"] == "Your meter reading was not accepted"
    assert "the photo shows 104" in email["body"]
    # the value as a number of the resident's language, not of the staff's who rejected it (Russian here)
    assert "The reading 164.000 of the cold water meter" in email["body"], email["body"]
    again = await _pass(flat, {flat.cold: {1: D("104")}})  # the resident passes it again; compared with October
    assert again.ok and D((await readings_of(flat.cold))[0]["consumption"]) == D("4")


# --- reminders ---------------------------------------------------------------------------------------------------


async def _sent(kind: str) -> int:
    return await MeterReminder.count().where(MeterReminder.kind == kind)


async def test_the_window_reminders_go_once_per_account_and_period(flat):
    assert await actions.send_reminders(date(2026, 11, 16), WINDOW) == 1
    assert await actions.send_reminders(date(2026, 11, 17), WINDOW) == 0  # the same period: already told
    messages = await OutboxMessage.select().where(OutboxMessage.user_id == flat.resident)
    assert {(m["template"], m["channel"]) for m in messages} == {
        ("meters/window_open", "inapp"),
        ("meters/window_open", "email"),
    }
    assert all("25 ноября 2026" in m["body"] or "25 ноября 2026" in m["subject"] for m in messages), messages
    assert await actions.send_reminders(date(2026, 11, 23), WINDOW) == 1  # two days left, nothing passed
    assert await actions.send_reminders(date(2026, 11, 24), WINDOW) == 0
    assert await _sent("window_closing") == 1


async def test_a_reminder_lands_in_the_portal_for_one_who_had_turned_the_old_in_app_switch_off(flat):
    """The profile's old «Уведомления в личном кабинете» switch is read by nothing: the in-app notice is the
    person's record, kept for every topic (``notifications.rules.wants``)."""
    await User.update({User.notify_inapp: False}).where(User.id == flat.resident)
    assert await actions.send_reminders(date(2026, 11, 16), WINDOW) == 1
    messages = await OutboxMessage.select().where(OutboxMessage.user_id == flat.resident)
    assert {m["channel"] for m in messages} == {"inapp", "email"}


async def test_no_window_reminder_when_no_meter_of_the_account_takes_readings(flat):
    """Gas is past its verification date; with cold water and power failed nothing can be passed: the resident is
    not asked for readings the page would refuse."""
    await Meter.update({Meter.failed_on: date(2026, 10, 5)}).where(Meter.id.is_in([flat.cold, flat.power]))
    assert await actions.send_reminders(date(2026, 11, 16), WINDOW) == 0
    await Meter.update({Meter.failed_on: None}).where(Meter.id == flat.cold)
    assert await actions.send_reminders(date(2026, 11, 17), WINDOW) == 1


async def test_a_reminder_in_the_app_carries_its_words_not_the_short_form_in_each_language(flat, make_user):
    from portal.accounts.tables import User

    english = await make_user(accounts={flat.account: "tenant"}, rights=("view", "meters"))
    await User.update({User.locale: "en"}).where(User.id == english)
    assert await actions.send_reminders(date(2026, 11, 16), WINDOW) == 1
    rows = await OutboxMessage.select().where(OutboxMessage.channel == "inapp")
    body = {m["user_id"]: m["body"] for m in rows}
    assert body[flat.resident].startswith("Показания счётчиков по лицевому счёту "), body
    assert body[english].startswith("Readings of the meters of account "), body
    assert all("/meters" not in b for b in body.values())  # the title links there


async def test_a_reminder_in_the_app_links_to_the_meters_page_after_the_portal_moved(flat):
    """The in-app row keeps the page's path, the e-mail the full address: the list, read once the portal's
    ``BASE_URL`` is another, still links the title to «/meters»."""
    from portal.settings import get_settings

    assert await actions.send_reminders(date(2026, 11, 16), WINDOW) == 1
    mail = await OutboxMessage.select().where(OutboxMessage.channel == "email").first()
    assert get_settings().base_url + "/meters" in mail["body"]
    with at_another_address():
        assert list((await inapp_links(flat.resident)).values()) == ["/meters"]


async def test_no_closing_reminder_once_something_was_passed(flat):
    await _pass(flat, {flat.cold: {1: D("104")}})
    assert await actions.send_reminders(date(2026, 11, 23), WINDOW) == 0


async def test_a_rejected_reading_is_not_passed_for_the_closing_reminder(flat):
    """The resident was asked to pass a rejected reading again: two days before the window closes, they are
    reminded like one who passed nothing."""
    await _pass(flat, {flat.cold: {1: D("104")}})
    await MeterReading.update({MeterReading.review: Review.REJECTED}).where(MeterReading.period == NOV)
    assert await actions.send_reminders(date(2026, 11, 23), WINDOW) == 1
    assert await _sent("window_closing") == 1
    home = await queries.home_reminder(flat.principal, TODAY, WINDOW)  # the home page asks for it again too
    assert home is not None and home.waiting == 2  # cold water and electricity; gas is past its verification


async def test_a_verification_reminder_comes_30_days_before_the_date_once(flat):
    await Meter.update({Meter.next_verification: date(2026, 12, 15)}).where(Meter.id == flat.cold)
    assert await actions.send_reminders(date(2026, 11, 14), WINDOW) == 0  # 31 days ahead; window not open
    assert await actions.send_reminders(date(2026, 11, 15), WINDOW) == 2  # window open + verification
    assert await actions.send_reminders(date(2026, 11, 30), WINDOW) == 0
    body = (
        await OutboxMessage.select(OutboxMessage.body)
        .where((OutboxMessage.template == "meters/verification_due") & (OutboxMessage.channel == "email"))
        .first()
    )["body"]
    assert "Срок поверки счётчика холодной воды №\u00a0ХВ-1 " in body, body


async def test_a_reminder_another_worker_recorded_first_is_not_sent_again(flat):
    """Two workers reading the same facts: the second one's insert meets the unique index and sends nothing."""
    facts = (await queries.reminder_facts(NOV, date(2026, 11, 16), after=0, limit=100))[0]
    due = rules.Due(rules.Reminder.WINDOW_OPEN, NOV)
    people = (await queries.residents_of([flat.account]))[flat.account]
    assert await actions._remind(facts, due, people, {}, WINDOW) == 1
    assert await actions._remind(facts, due, people, {}, WINDOW) == 0
    assert await OutboxMessage.count().where(OutboxMessage.user_id == flat.resident) == 2


async def test_the_reminder_job_runs_once_in_the_embedded_scheduler_and_on_the_worker(flat):
    from portal.core import clock

    today = clock.today_local()
    await Meter.update({Meter.next_verification: today + timedelta(days=10)}).where(Meter.id == flat.cold)
    job = jobs.registered()["meter-reminders"]
    assert job.run is reminders.meter_reminders
    await jobs.run_job(job)  # the embedded scheduler's way
    first = await MeterReminder.count().where(MeterReminder.account == flat.account)
    outbox = await OutboxMessage.count()
    assert first >= 1
    await jobs.saq_function(job)({})  # the SAQ worker's way: the same job, again
    await jobs.run_job(job)
    assert await MeterReminder.count().where(MeterReminder.account == flat.account) == first
    assert await OutboxMessage.count() == outbox
