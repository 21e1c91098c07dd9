"""Staff pages of meters on both engines: the period's list with its filters and paging, the accounts without
readings, the export read back, the review with the photo, the call centre, meters of a premise, house meters."""

from __future__ import annotations

import io
import re
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from decimal import Decimal as D
from typing import Any

import pytest

from portal.core import tabular
from portal.core.exports import XLSX
from portal.core.pagination import PageRequest
from portal.core.pagination import PastTheEnd
from portal.housing.tables import House
from portal.meters import export
from portal.meters import forms
from portal.meters import queries
from portal.meters import rules
from portal.meters.tables import HouseMeter
from portal.meters.tables import HouseReading
from portal.meters.tables import Meter
from portal.meters.tables import MeterExport
from portal.meters.tables import MeterReading
from portal.meters.tables import Review
from portal.meters.tables import VerificationChange
from tests.meanwhile import answered
from tests.meanwhile import held
from tests.meters.conftest import NOV
from tests.meters.conftest import add_meter
from tests.meters.conftest import made_xlsx
from tests.meters.conftest import staff_principal
from tests.tickets.test_audit_trail import CLIENT_IP

LIMITS = tabular.Limits(rows=1000)


async def _asked(client: Any, path: str) -> Any:
    """A file for billing asked for as the list asks: the CSVs are links, the XLSX is a button (its job starts)."""
    return await (client.form(path, {}) if "export.xlsx" in path else client.get(path))


async def _addresses() -> set[str]:
    """The addresses the test's audit rows were written from: staff act from the test client's, as every staff
    write keeps the address it came from (none read «IP: —»)."""
    from portal.core.tables import AuditEvent

    return {e["ip"] for e in await AuditEvent.select(AuditEvent.ip)}


def manager_of(data: dict[str, Any], user: int = 1) -> Any:
    return staff_principal(user, data["first"][0].house, "manager")


async def test_the_list_filters_by_house_resource_source_state_and_photo(period):
    manager = manager_of(period)
    page = PageRequest(1, 30)

    async def found(**wanted: Any) -> list[str]:
        f = forms.ListFilter(period=NOV, **wanted)
        return sorted(r.serial for r in (await queries.readings_page(manager, f, page)).items)

    first = [f"ХВ{p.account}" for p in period["first"]]
    assert await found() == sorted([*first[:3], "ГВ-1"])  # the other house is not the manager's
    assert await found(service="hot_water") == ["ГВ-1"]
    assert await found(source="phone") == [first[1]]
    assert await found(implausible=True) == [first[2]]
    assert await found(pending=True, implausible=True) == [first[2]]
    assert await found(photo=True) == sorted([first[0], first[2]])
    assert await found(missing=True) == ["ГВ-1", first[3]]  # flat 4 has none; a rejected one counts as none
    admin = staff_principal(2, 0, "admin")
    admin = type(admin)(user_id=2, name="A", staff_roles=frozenset({"admin"}), house_ids=None)
    assert len(await found_as(admin, NOV)) == 5


async def found_as(principal: Any, period: date) -> list[Any]:
    return list((await queries.readings_page(principal, forms.ListFilter(period=period), PageRequest(1, 30))).items)


async def test_the_list_pages(period):
    manager = manager_of(period)
    first = await queries.readings_page(manager, forms.ListFilter(period=NOV), PageRequest(1, 10))
    assert first.total == 4
    with pytest.raises(PastTheEnd) as past:  # the page goes to the last one (core.pagination)
        await queries.readings_page(manager, forms.ListFilter(period=NOV), PageRequest(2, 10))
    assert (past.value.last, past.value.total) == (1, 4)


async def test_the_list_is_by_meter_then_zone_and_the_review_queue_oldest_month_first(period):
    """The period's list reads a meter's registers together, in their order; the review queue puts the readings of
    an older month before those of a newer one, whatever their meters."""
    manager = manager_of(period)
    first, hot = period["meters"][period["first"][0].account], period["hot"]
    at = datetime(2026, 11, 19, 10, tzinfo=UTC)
    await MeterReading(meter=first, zone=2, value=D("7"), period=NOV, submitted_at=at).save()
    await MeterReading(meter=hot, zone=1, value=D("60"), period=date(2026, 10, 1), submitted_at=at,
                       review=Review.PENDING).save()  # fmt: skip
    rows = (await queries.readings_page(manager, forms.ListFilter(period=NOV), PageRequest(1, 30))).items
    assert [(r.meter_id, r.zone) for r in rows] == sorted((r.meter_id, r.zone) for r in rows)
    assert [(r.meter_id, r.zone) for r in rows][:2] == [(first, 1), (first, 2)]
    queue = (await queries.review_queue(manager, PageRequest(1, 30))).items
    assert [r.meter_id for r in queue] == [hot, period["meters"][period["first"][2].account]]


async def test_accounts_without_readings(period):
    manager = manager_of(period)
    page = await queries.missing_accounts_page(manager, forms.ListFilter(period=NOV), PageRequest(1, 30))
    by_number = {a.number: (a.missing, a.meters) for a in page.items}
    assert by_number == {period["first"][0].number: (1, 2), period["first"][3].number: (1, 1)}
    assert page.total == 2
    cold_only = await queries.missing_accounts_page(
        manager, forms.ListFilter(period=NOV, service="cold_water"), PageRequest(1, 30)
    )
    assert [a.number for a in cold_only.items] == [period["first"][3].number]
    await Meter.update({Meter.status: "removed"}).where(Meter.id == period["meters"][period["first"][3].account])
    fewer = await queries.missing_accounts_page(manager, forms.ListFilter(period=NOV), PageRequest(1, 30))
    assert [a.number for a in fewer.items] == [period["first"][0].number]


async def test_a_meter_installed_after_the_month_is_not_missing_its_reading(period):
    """October's list of meters without readings is of the meters there were in October, as its export is."""
    manager, oct_ = manager_of(period), date(2026, 10, 1)
    await Meter.update({Meter.installed_on: date(2026, 11, 2)}).where(
        Meter.id == period["meters"][period["first"][3].account]
    )
    wanted = forms.ListFilter(period=oct_, missing=True)
    october = await queries.missing_meters_page(manager, wanted, PageRequest(1, 30))
    exported = {r.serial async for r in queries.export_rows(manager, oct_)}
    assert {r.serial for r in october.items} == exported
    assert f"ХВ{period['first'][3].account}" not in exported
    accounts = await queries.missing_accounts_page(manager, forms.ListFilter(period=oct_), PageRequest(1, 30))
    assert period["first"][3].number not in [a.number for a in accounts.items]


async def _exported(rows: Any) -> list[list[str]]:
    chunks = [c async for c in export.csv_chunks(rows)]
    return list(tabular.read_rows(b"".join(chunks), tabular.Limits(rows=1000)))


async def test_the_export_read_back_equals_the_periods_readings(period):
    manager = manager_of(period)
    lines = await _exported(queries.export_rows(manager, NOV))
    assert lines[0] == list(export.COLUMNS)
    got = {(r[1], r[4], int(r[7])): (D(r[8].replace(",", ".")), r[11], r[13]) for r in lines[1:] if r[8]}
    without = {r[4]: (r[14], r[15]) for r in lines[1:] if not r[8]}
    serials = [f"ХВ{p.account}" for p in period["first"]]
    # The pending, the rejected and the missing have a line with the basis they are charged by (no history: norm).
    assert without == {serials[2]: ("norm", ""), serials[3]: ("norm", ""), "ГВ-1": ("norm", "")}
    wanted = {}
    for r in await MeterReading.select(
        MeterReading.value, MeterReading.zone, MeterReading.source, MeterReading.review,
        MeterReading.meter.serial.as_alias("serial"), MeterReading.meter.account.number.as_alias("number"),
        MeterReading.meter.account.premise.house.as_alias("house"),
    ).where(MeterReading.period == NOV):  # fmt: skip
        if r["house"] == period["first"][0].house and r["review"] not in (Review.PENDING, Review.REJECTED):
            wanted[(r["number"], r["serial"], r["zone"])] = (D(r["value"]), r["source"], r["review"] or "")
    assert got == wanted and len(got) == 2  # the pending and the rejected readings are left out


async def test_the_export_pages_through_the_index_without_losing_a_row(period, monkeypatch):
    monkeypatch.setattr(queries, "EXPORT_CHUNK", 1)
    admin = type(manager_of(period))(user_id=2, name="A", staff_roles=frozenset({"admin"}), house_ids=None)
    rows = [r async for r in queries.export_rows(admin, NOV)]
    taken = {r.reading_id for r in rows if r.reading_id}
    assert len(rows) == 6 and len(taken) == 3 and len({r.serial for r in rows}) == 6


async def test_the_export_says_the_basis_of_each_month_without_a_reading(db, make_account):
    """DOMAIN §4.2 through the export: a flat's meter is charged by the average in the 1st–3rd month in a row
    without a reading and by the normative from the 4th; a non-residential premise's by the average for 2 months;
    a failed meter's normative with the increasing coefficient; a replaced meter's months are counted from the
    reading of the one it replaced, and a reading awaiting review is no reading billing takes. The average is the
    usual consumption of at least 3 months of readings (a replaced meter's count): with less, the normative applies
    from the first month (п. 59(1)); a month charged by the average carries its figure."""
    flat = await make_account(premise_number="7")
    shop = await make_account(house=flat.house, kind="nonresidential", premise_number="1Н")
    at = datetime(2026, 6, 20, 10, tzinfo=UTC)

    async def meter(place: Any, serial: str, last: date | None, used: int = 3, **values: Any) -> int:
        meter_id = await add_meter(place.account, "cold_water", serial, decimals=3, **values)
        for back in range(used, -1, -1) if last else ():  # the first reading has no consumption
            period, value = rules.months_back(last, back), D(10 + 4 * (used - back) + (used - back) // 2)
            consumption = value - D(10 + 4 * (used - back - 1) + (used - back - 1) // 2) if back < used else None
            await MeterReading(
                meter=meter_id, zone=1, value=value, consumption=consumption, period=period, submitted_at=at
            ).save()
        return meter_id

    await meter(flat, "М1", date(2026, 10, 1))
    await meter(flat, "М3", date(2026, 8, 1))
    await meter(flat, "М4", date(2026, 7, 1))
    await meter(flat, "ОТКАЗ", date(2026, 6, 1), status="failed", failed_on=date(2026, 7, 1))
    old = await meter(flat, "СТАРЫЙ", date(2026, 9, 1), status="replaced")
    new = await meter(flat, "НОВЫЙ", None, installed_on=date(2026, 10, 5))
    await Meter.update({Meter.replaced_by: new}).where(Meter.id == old)
    waiting = await meter(flat, "ЖДЁТ", date(2026, 10, 1))
    await MeterReading(meter=waiting, zone=1, value=D("99"), period=NOV, review=Review.PENDING).save()
    await meter(flat, "НОЯБРЬ", date(2026, 11, 1))  # passed: one line, metered
    await meter(shop, "Н2", date(2026, 9, 1))
    await meter(shop, "Н3", date(2026, 8, 1))
    await meter(flat, "ДВА", date(2026, 10, 1), used=2)  # two months of history: no average
    await meter(flat, "ОДИН", date(2026, 10, 1), used=0)  # a single reading: nothing used yet
    admin = staff_principal(1, flat.house, "admin")
    lines = await _exported(queries.export_rows(admin, NOV, flat.house))
    head = lines[0]
    assert head[14:18] == ["basis", "months_without_reading", "coefficient", "average"]
    got = {r[4]: (r[14], r[15], r[16], r[17]) for r in lines[1:]}
    assert got == {
        "М1": ("average", "1", "1", "4,333"),  # 4, 5, 4 m³ over 3 months
        "М3": ("average", "3", "1", "4,333"),
        "М4": ("norm", "4", "1", ""),
        "ОТКАЗ": ("norm", "5", "1,5", ""),
        "НОВЫЙ": ("average", "2", "1", "4,333"),
        "ЖДЁТ": ("average", "1", "1", "4,333"),
        "НОЯБРЬ": ("metered", "0", "1", ""),
        "Н2": ("average", "2", "1", "4,333"),
        "Н3": ("norm", "3", "1", ""),
        "ДВА": ("norm", "1", "1", ""),
        "ОДИН": ("norm", "1", "1", ""),
    }
    assert next(r for r in lines[1:] if r[4] == "М1")[8] == ""  # no reading: the value left empty


async def test_a_re_export_of_a_month_gives_what_was_true_in_that_month(db, make_account):
    """October exported again in December: a meter removed, replaced or failed in November is still the meter in use
    in October (the one installed in November is not), charged as it was then; and a meter's average and months
    without a reading follow every meter it replaced, however many replacements back."""
    flat = await make_account(premise_number="9")
    oct_ = date(2026, 10, 1)

    async def meter(serial: str, periods: list[tuple[date, str | None]], **values: Any) -> int:
        meter_id = await add_meter(flat.account, "cold_water", serial, decimals=3, **values)
        for n, (month, used) in enumerate(periods):
            await MeterReading(
                meter=meter_id, zone=1, value=D(10 + n), consumption=D(used) if used else None, period=month
            ).save()
        return meter_id

    history = [(date(2026, 6, 1), None), (date(2026, 7, 1), "4"), (date(2026, 8, 1), "5"), (date(2026, 9, 1), "4")]
    await meter("УБРАН", history, status="removed", removed_on=date(2026, 11, 10))
    replaced = await meter("ЗАМЕНЁН", history, status="replaced", removed_on=date(2026, 11, 10))
    newer = await meter("НОЯБРЬСКИЙ", [], installed_on=date(2026, 11, 10))
    await Meter.update({Meter.replaced_by: newer}).where(Meter.id == replaced)
    await meter("СЛОМАН", history[:1], status="failed", failed_on=date(2026, 11, 3))
    earlier = [(rules.months_back(month, 1), used) for month, used in history]
    first = await meter("ПЕРВЫЙ", earlier, status="replaced", removed_on=date(2026, 9, 1))
    second = await meter("ВТОРОЙ", [(date(2026, 9, 1), None)], status="replaced", removed_on=date(2026, 10, 2))
    third = await meter("ТРЕТИЙ", [], installed_on=date(2026, 10, 2))
    await Meter.update({Meter.replaced_by: second}).where(Meter.id == first)
    await Meter.update({Meter.replaced_by: third}).where(Meter.id == second)
    admin = staff_principal(1, flat.house, "admin")
    lines = await _exported(queries.export_rows(admin, oct_, flat.house))
    got = {r[4]: (r[14], r[15], r[16], r[17]) for r in lines[1:]}
    assert got == {
        "УБРАН": ("average", "1", "1", "4,333"),
        "ЗАМЕНЁН": ("average", "1", "1", "4,333"),
        "СЛОМАН": ("norm", "4", "1", ""),  # failed only in November: no increasing coefficient for October
        "ТРЕТИЙ": ("average", "1", "1", "4,333"),  # from September's reading of the second, at the first's average
    }


async def test_an_export_judges_each_meter_by_its_verification_as_it_stood_in_the_month(db, make_account):
    """October and November exported in December, after the meter cards were changed on the staff form: a meter
    whose verification lapsed in November is still in use in October (its reading exported, the month without one
    charged without the increasing coefficient) and failed in November, though it has been verified again since;
    one verified in November after its date passed in September, and one repaired in November after failing in
    October, count as failed in October (DOMAIN §4.2: the normative × 1.5 from the 4th month)."""
    from portal.meters import actions

    flat = await make_account(premise_number="5")
    admin = staff_principal(1, flat.house, "admin")
    oct_, nov = date(2026, 10, 1), date(2026, 11, 1)

    async def meter(serial: str, next_verification: date, *periods: date) -> int:
        meter_id = await add_meter(flat.account, "cold_water", serial, next_verification=next_verification)
        for n, month in enumerate((date(2026, 6, 1), *periods)):  # June's the last before: 4 months to October
            await MeterReading(meter=meter_id, zone=1, value=D(10 + n), period=month).save()
        return meter_id

    async def change(meter_id: int, on: date, **values: Any) -> None:
        card = await queries.staff_meter(admin, meter_id)
        await actions.update_meter(admin, card, {**card.as_values(), **values}, today=on, now=datetime.now(UTC))

    read = await meter("ЧИТАЛСЯ", date(2026, 11, 10), oct_)
    lapsed = await meter("ИСТЁК", date(2026, 11, 10))
    late = await meter("ПОВЕРЕН", date(2026, 9, 15))
    repaired = await meter("ПОЧИНЕН", date(2031, 1, 1))
    await change(repaired, date(2026, 10, 5), status="failed")
    await change(late, date(2026, 11, 5), next_verification=date(2032, 11, 5))
    await change(repaired, date(2026, 11, 12), status="active")
    for meter_id in (read, lapsed):
        await change(meter_id, date(2026, 11, 20), status="failed")
        await change(meter_id, date(2026, 12, 3), status="active", next_verification=date(2032, 12, 3))

    async def lines(period: date) -> dict[str, tuple[str, ...]]:
        exported = await _exported(queries.export_rows(admin, period, flat.house))
        return {r[4]: (r[8], r[14], r[16]) for r in exported[1:]}

    assert await lines(oct_) == {
        "ЧИТАЛСЯ": ("11,000", "metered", "1"),
        "ИСТЁК": ("", "norm", "1"),
        "ПОВЕРЕН": ("", "norm", "1,5"),
        "ПОЧИНЕН": ("", "norm", "1,5"),
    }
    assert await lines(nov) == {
        "ЧИТАЛСЯ": ("", "norm", "1"),  # a month since October's reading: no average of less than 3 months
        "ИСТЁК": ("", "norm", "1,5"),
        "ПОВЕРЕН": ("", "norm", "1"),
        "ПОЧИНЕН": ("", "norm", "1"),
    }


async def test_a_verification_recorded_days_later_counts_from_the_day_it_was_done(db, make_account):
    """DOMAIN §4.2: a meter due on 01.03.2025, verified on 28.03 but recorded on 03.04 when the technician's paper
    arrived, was in order when March closed (charged without the increasing coefficient); one verified only on
    02.04 was past its date in March. The new date stands from the verification day in the meter's history."""
    from portal.core.tables import AuditEvent
    from portal.meters import actions

    flat = await make_account(premise_number="7")
    admin = staff_principal(1, flat.house, "admin")
    march = date(2025, 3, 1)

    async def verified(serial: str, on: date) -> int:
        meter_id = await add_meter(flat.account, "cold_water", serial, next_verification=date(2025, 3, 1),
                                   verification_ticket=12)  # fmt: skip
        await MeterReading(meter=meter_id, zone=1, value=D(10), period=date(2024, 11, 1)).save()
        card = await queries.staff_meter(admin, meter_id)
        following = on.replace(year=2031)
        at = datetime(2025, 4, 3, 9, tzinfo=UTC)
        await actions.record_verification(admin, card, verified_on=on, next_verification=following, now=at)
        return meter_id

    in_march = await verified("В МАРТЕ", date(2025, 3, 28))
    await verified("В АПРЕЛЕ", date(2025, 4, 2))
    exported = await _exported(queries.export_rows(admin, march, flat.house))
    assert {r[4]: (r[14], r[16]) for r in exported[1:]} == {"В МАРТЕ": ("norm", "1"), "В АПРЕЛЕ": ("norm", "1,5")}

    meter = await Meter.select().where(Meter.id == in_march).first()
    assert (meter["verified_on"], meter["next_verification"]) == (date(2025, 3, 28), date(2031, 3, 28))
    assert meter["verification_ticket"] is None  # the resident may ask again when the new date comes due
    kept = await VerificationChange.select().where(VerificationChange.meter == in_march)
    assert [(k["changed_on"], k["next_verification"]) for k in kept] == [(date(2025, 3, 28), date(2025, 3, 1))]
    event = await AuditEvent.select().where(AuditEvent.action == "meters.meter.verify").first()
    assert event["entity_id"] == in_march


async def test_a_review_after_the_month_was_exported_marks_it_to_recount_until_exported_again(
    client, login, make_user, period
):
    """Accepted before the export: no mark. Corrected and rejected after it: marked «пересчитать» on the list, the
    audit row says when the month was exported, the next export's lines carry the mark, and it clears the marks."""
    import json

    from portal.core.tables import AuditEvent
    from portal.meters import actions

    house, meters = period["first"][0].house, period["meters"]
    staff = staff_principal(await make_user(roles=("manager",), houses=(house,)), house, "manager")

    async def item(meter: int) -> Any:
        reading = await MeterReading.select(MeterReading.id).where(MeterReading.meter == meter).first()
        return await queries.staff_reading(staff, reading["id"])

    assert (
        await actions.accept_reading(staff, await item(meters[period["first"][2].account]), now=datetime.now(UTC)) == []
    )
    await login(client, await make_user(roles=("accountant",), houses=(house,)))
    assert (await client.get("/staff/meters/export.csv?period=2026-11")).status_code == 200
    corrected, rejected = meters[period["first"][1].account], meters[period["first"][0].account]
    assert (
        await actions.correct_reading(staff, await item(corrected), {1: D("55.5")}, "фото", now=datetime.now(UTC)) == []
    )
    await actions.reject_reading(staff, await item(rejected), "чужой счётчик", now=datetime.now(UTC))
    marks = {r["meter"]: r["recount"] for r in await MeterReading.select(MeterReading.meter, MeterReading.recount)}
    assert marks[corrected] and marks[rejected] and not marks[meters[period["first"][2].account]]
    event = await AuditEvent.select().where(AuditEvent.action == "meters.reading.correct").first()
    changes = event["changes"] if isinstance(event["changes"], dict) else json.loads(event["changes"])
    assert changes["recount"] is True and changes["exported_at"]
    listed = (await client.get("/staff/meters?period=2026-11")).text
    assert (
        "2 показания этого месяца изменены после выгрузки месяца в биллинг (проверкой, жителем или колл-центром)"
        in listed
        and ">пересчитать</span>" in listed
    )
    assert 'href="/staff/meters?period=2026-11&amp;state=recount">Показать их</a>' in listed
    shown = (await client.get("/staff/meters?period=2026-11&state=recount")).text.split('id="list"')[1]
    serials = [f"ХВ{p.account}" for p in period["first"]]
    assert serials[0] in shown and serials[1] in shown and serials[2] not in shown
    again = list(tabular.read_rows((await client.get("/staff/meters/export.csv?period=2026-11")).content, LIMITS))
    recount = {r[4]: r[-1] for r in again[1:]}
    assert recount[f"ХВ{period['first'][1].account}"] == "1" and recount[f"ХВ{period['first'][0].account}"] == "1"
    assert recount[f"ХВ{period['first'][2].account}"] == "0"
    assert not any(r["recount"] for r in await MeterReading.select(MeterReading.recount))
    assert "изменен" not in (await client.get("/staff/meters?period=2026-11")).text


async def test_the_export_routes_answer_csv_and_xlsx_with_the_same_rows(client, login, make_user, period):
    await login(client, await make_user(roles=("accountant",), houses=(period["first"][0].house,)))
    as_csv = await client.get("/staff/meters/export.csv?period=2026-11")
    assert as_csv.status_code == 200 and as_csv.headers["content-type"] == "text/csv; charset=utf-8"
    as_xlsx = await made_xlsx(client, "period=2026-11")
    assert as_xlsx.status_code == 200
    limits = tabular.Limits(rows=1000)
    from_csv = list(tabular.read_rows(as_csv.content, limits))
    from_xlsx = list(tabular.read_rows(as_xlsx.content, limits))
    assert len(from_csv) == len(from_xlsx) == 6
    assert [r[4] for r in from_csv] == [r[4] for r in from_xlsx]
    assert from_csv[0] == from_xlsx[0] == list(export.COLUMNS)
    assert [D(r[8].replace(",", ".")) for r in from_csv[1:] if r[8]] == [D(r[8]) for r in from_xlsx[1:] if r[8]]
    from openpyxl import load_workbook

    readings = load_workbook(io.BytesIO(as_xlsx.content))["readings"]
    received = readings["K2"]  # a date cell, as in every export
    assert readings["I2"].number_format == "#,##0.000"  # a reading with its three decimals, not as roubles
    assert readings["G2"].number_format == "#,##0"  # the number of zones
    assert received.is_date and received.number_format == "DD.MM.YYYY HH:MM"
    # The billing system reads the file: its documented «;», decimal comma and dates whatever the page's language.
    await client.speak("en")
    english = (await client.get("/staff/meters/export.csv?period=2026-11")).content
    assert english == as_csv.content and b";" in english.splitlines()[1]
    assert await _addresses() == {CLIENT_IP}  # an export is kept in the log too


async def test_the_xlsx_keeps_account_numbers_as_text_and_exports_the_house_chosen(
    client, login, make_user, make_account, period
):
    """An account number is a text cell, its leading zeros kept (a CSV opened in Excel loses them); the house chosen
    in the list narrows the XLSX as it does the CSV; an operator, who reads the list, may not download it."""
    from openpyxl import load_workbook

    house, other = period["first"][0].house, period["other"].house
    zero = await make_account(house=house, premise_number="5", number="0091000005")
    meter = await add_meter(zero.account, "cold_water", "ХВ-0")
    at = datetime(2026, 11, 18, 10, tzinfo=UTC)
    await MeterReading(meter=meter, zone=1, value=D("7.125"), consumption=D("1.5"), period=NOV, submitted_at=at).save()
    await login(client, await make_user(roles=("accountant",), houses=(house, other)))

    async def sheet(query: str) -> dict[str, Any]:
        answer = await made_xlsx(client, f"period=2026-11{query}")
        assert answer.status_code == 200 and answer.headers["content-type"] == XLSX
        readings = load_workbook(io.BytesIO(answer.content))["readings"]
        return {row[4].value: row for row in readings.iter_rows(min_row=2)}

    chosen = await sheet(f"&house={house}")
    first = [f"ХВ{p.account}" for p in period["first"]]
    taken = [serial for serial, row in chosen.items() if row[8].value is not None]
    assert sorted(taken) == sorted([first[0], first[1], "ХВ-0"])  # not the other house; no pending, no rejected
    assert sorted(chosen) == sorted([*first, "ХВ-0", "ГВ-1"])  # the rest with the basis they are charged by
    number, reading = chosen["ХВ-0"][1], chosen["ХВ-0"][8]
    assert number.data_type == "s" and number.value == "0091000005"
    assert reading.data_type == "n" and reading.value == 7.125 and reading.number_format == "#,##0.000"
    assert f"ХВ{period['other'].account}" in await sheet("")  # both of the user's houses
    await login(client, await make_user(roles=("operator",), houses=(house,)))
    assert (await client.form("/staff/meters/export.xlsx?period=2026-11", {})).status_code == 403


async def test_the_staff_pages_answer_and_keep_to_the_users_houses(client, login, make_user, period):
    house = period["first"][0].house
    await login(client, await make_user(roles=("manager",), houses=(house,)))
    listing = await client.get("/staff/meters?period=2026-11")
    assert listing.status_code == 200 and f"ХВ{period['first'][0].account}" in listing.text
    assert f"ХВ{period['other'].account}" not in listing.text
    fragment = await client.get("/staff/meters?period=2026-11&state=missing", headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and f"ХВ{period['first'][3].account}" in fragment.text
    assert (await client.get("/staff/meters/missing?period=2026-11")).status_code == 200
    other_meter = period["meters"][period["other"].account]
    assert (await client.get(f"/staff/meters/meter/{other_meter}")).status_code == 404
    other_reading = (await MeterReading.select(MeterReading.id).where(MeterReading.meter == other_meter).first())["id"]
    assert (await client.get(f"/staff/meters/readings/{other_reading}")).status_code == 404
    assert (await client.get(f"/staff/meters/accounts/{period['other'].account}")).status_code == 404


async def test_the_readings_and_missing_lists_say_which_filters_they_cannot_read(client, login, make_user, period):
    house = period["first"][0].house
    await login(client, await make_user(roles=("manager",), houses=(house,)))
    passed = f"ХВ{period['first'][0].account}"
    chosen = await client.get(f"/staff/meters?period=2026-11&house={house}&service=cold_water")  # still read
    assert passed in chosen.text and "не прочитаны" not in chosen.text
    assert f'name="house" value="{house}" checked>' in chosen.text  # the user's houses are offered
    url = f"/staff/meters?period=2026-11&house={period['other'].house}&service=bogus&source=fax&state=lost"
    for answer in (await client.get(url), await client.get(url, headers={"HX-Request": "true", "HX-Target": "list"})):
        assert passed in answer.text  # the list is shown without them
        form = answer.text.split('id="meter-filters"')[1].split("</form>")[0]
        for value in ("bogus", "fax", "lost"):
            assert f"Такого варианта нет: «{value}»; список показан без этого условия." in form
        assert "Такого дома нет в списке; список показан без этого условия." in form  # alike for any house not listed
        assert f"«{period['other'].house}»" not in form
        notice = answer.text.split('id="list"')[1]
        assert "Не применены, так как не прочитаны: Дом; Ресурс; Источник; Показать." in notice
    month = await client.get("/staff/meters?period=2026-13")
    assert "Нет месяца «2026-13»; список показан за текущий." in month.text.split('id="meter-filters"')[1]
    missing = await client.get("/staff/meters/missing?period=2026-11&service=bogus&source=fax")
    form = missing.text.split('id="missing-filters"')[1].split("</form>")[0]
    assert "Такого варианта нет: «bogus»; список показан без этого условия." in form and "«fax»" not in missing.text
    assert "Не применены, так как не прочитаны: Ресурс." in missing.text.split('id="list"')[1]
    assert period["first"][3].number in missing.text


async def test_a_month_the_lists_do_not_offer_is_not_read(client, login, make_user, period):
    """Nor is it exported: a file of the current month (or of every house) in its place was recorded as exported."""
    await login(client, await make_user(roles=("manager",), houses=(period["first"][0].house,)))
    for path, form in (("/staff/meters", "meter-filters"), ("/staff/meters/missing", "missing-filters")):
        for answer in (
            await client.get(f"{path}?period=2020-01"),
            await client.get(f"{path}?period=2020-01", headers={"HX-Request": "true", "HX-Target": "list"}),
        ):
            assert "январь 2020" not in answer.text  # the current month, which the dropdown shows selected
            fields = answer.text.split(f'id="{form}"')[1].split("</form>")[0]
            assert "Нет месяца «2020-01»; список показан за текущий." in fields
            assert 'value="2020-01"' not in fields
            assert "Не применены, так как не прочитаны: Месяц." in answer.text.split('id="list"')[1]
    for query in ("period=2020-01", f"period=2026-11&house={period['other'].house}"):
        for kind in ("export.csv", "export.xlsx", "export-recalculations.csv"):
            refused = await _asked(client, f"/staff/meters/{kind}?{query}")
            assert (refused.status_code, refused.headers["location"]) == (303, "/staff/meters"), (kind, query)
    said = await client.get("/staff/meters")
    assert "Файл не выгружен: в адресе месяц или дом, которых нет в списке; выберите их здесь." in said.text
    assert await MeterExport.count() == 0  # no month recorded as exported, no marks to recount cleared


async def test_a_filter_change_redraws_the_lists_heading_and_exports_with_the_month(client, login, make_user, period):
    await login(client, await make_user(roles=("manager",), houses=(period["first"][0].house,)))
    assert "hx-swap-oob" not in (await client.get("/staff/meters")).text  # a whole page is drawn in place
    htmx = {"HX-Request": "true", "HX-Target": "list"}
    readings = await client.get("/staff/meters?period=2026-10&house=", headers=htmx)
    head = readings.text.split('id="meter-head"')[1].split("</div>")[0]
    assert head.startswith(' hx-swap-oob="true"') and "Показания счётчиков: октябрь 2026" in head
    assert 'href="/staff/meters/export.csv?period=2026-10' in head
    assert '<div id="meter-pending" hx-swap-oob="true">' in readings.text
    missing = await client.get("/staff/meters/missing?period=2026-10", headers=htmx)
    head = missing.text.split('id="missing-head"')[1].split("</div>")[0]
    assert head.startswith(' hx-swap-oob="true"') and "октябрь 2026" in head


async def test_the_review_page_shows_the_photo_beside_the_value_and_accepts(client, login, make_user, period):
    from portal.core import storage
    from tests.meters.conftest import png_bytes

    stored = await storage.save_image(png_bytes())
    meter = period["meters"][period["first"][2].account]
    await MeterReading.update({MeterReading.photo: stored.key}).where(MeterReading.meter == meter)
    reading = (await MeterReading.select(MeterReading.id).where(MeterReading.meter == meter).first())["id"]
    await login(client, await make_user(roles=("operator",), houses=(period["first"][0].house,)))
    queue = await client.get("/staff/meters/review")
    assert f"/staff/meters/readings/{reading}" in queue.text
    # What was used says its unit, as the reading's page does: the queue mixes water, heat and electricity.
    assert re.search(r'data-label="Расход">[\d\s,\u00a0]+&nbsp;м³</td>', queue.text)
    listed = await client.get(f"/staff/meters?period={NOV:%Y-%m}")
    await client.speak("en")
    english = (await client.get("/staff/meters/review")).text
    meter_cell = re.search(r'data-label="Meter">(.*?)</td>', english)
    assert meter_cell and "Cold water No.\u00a0" in meter_cell.group(1) and "№" not in english, meter_cell
    await client.speak("ru")
    assert re.search(r'data-label="Расход">[\d\s,\u00a0]+&nbsp;м³</td>', listed.text)
    page = await client.get(f"/staff/meters/readings/{reading}")
    assert f'src="/staff/meters/readings/{reading}/photo"' in page.text and "990,000" in page.text
    photo = await client.get(f"/staff/meters/readings/{reading}/photo")
    assert photo.status_code == 200 and photo.headers["content-type"] == "image/jpeg"
    accepted = await client.form(f"/staff/meters/readings/{reading}/accept")
    assert accepted.status_code == 303
    assert (await MeterReading.select(MeterReading.review).where(MeterReading.id == reading).first())[
        "review"
    ] == Review.ACCEPTED
    refused = await client.form(f"/staff/meters/readings/{reading}/reject", {"reason": ""})
    assert refused.status_code == 422  # a rejection says why
    rejected = await client.form(f"/staff/meters/readings/{reading}/reject", {"reason": "На фото другой счётчик"})
    assert rejected.status_code == 303
    assert await _addresses() == {CLIENT_IP}


async def test_accepting_a_reading_a_later_one_is_below_says_so_on_its_page(client, login, make_user, period):
    meter = period["meters"][period["first"][2].account]
    reading = (await MeterReading.select(MeterReading.id).where(MeterReading.meter == meter).first())["id"]
    await MeterReading(meter=meter, zone=1, value=D("105"), period=date(2026, 12, 1)).save()
    await login(client, await make_user(roles=("operator",), houses=(period["first"][0].house,)))
    refused = await client.form(f"/staff/meters/readings/{reading}/accept")
    assert refused.status_code == 422 and "Исправьте или отклоните" in refused.text
    assert (await MeterReading.select(MeterReading.review).where(MeterReading.id == reading).first())[
        "review"
    ] == Review.PENDING


async def test_the_reading_page_leads_back_to_where_it_was_opened(client, login, make_user, period):
    """From the queue, a reading awaiting review leads back to the queue; from the month's list, or once reviewed,
    to the month's list (the queue no longer holds it)."""
    meters = period["meters"]
    pending, passed = [
        (await MeterReading.select(MeterReading.id).where(MeterReading.meter == meters[p.account]).first())["id"]
        for p in (period["first"][2], period["first"][0])
    ]
    await login(client, await make_user(roles=("operator",), houses=(period["first"][0].house,)))

    def crumbs(page: Any) -> str:
        return page.text.split('class="breadcrumbs"')[1].split("</nav>")[0]

    month = '<a href="/staff/meters?period=2026-11">Показания счётчиков: ноябрь 2026</a>'
    queued = crumbs(await client.get(f"/staff/meters/readings/{pending}"))
    assert '<a href="/staff/meters/review">Показания на проверке</a>' in queued
    assert month in crumbs(await client.get(f"/staff/meters/readings/{pending}?back=/staff/meters"))
    page = await client.get(f"/staff/meters/readings/{passed}")
    assert month in crumbs(page) and "Показания на проверке" not in crumbs(page)
    assert "<title>Показание счётчика" in page.text


async def test_a_corrected_reading_says_what_was_sent_apart_from_the_previous(client, login, make_user, period):
    meter = period["meters"][period["first"][2].account]
    await MeterReading.update({MeterReading.original_value: D("9990")}).where(MeterReading.meter == meter)
    reading = (await MeterReading.select(MeterReading.id).where(MeterReading.meter == meter).first())["id"]
    october = datetime(2026, 10, 20, tzinfo=UTC)
    await MeterReading(meter=meter, zone=1, value=D("986"), period=date(2026, 10, 1), submitted_at=october).save()
    await login(client, await make_user(roles=("operator",), houses=(period["first"][0].house,)))
    page = await client.get(f"/staff/meters/readings/{reading}")
    text = re.sub(r"<[^>]+>", "", page.text)
    assert re.search(r"\(прошлое [\d\s,\u00a0]+\)\s+передано как 9\s?990,000", text), text[-3000:]


async def test_the_call_centre_finds_the_account_and_enters_readings(client, login, make_user, period):
    place = period["first"][3]
    meter = period["meters"][place.account]
    await login(client, await make_user(roles=("operator",), houses=(place.house,)))
    found = await client.get(f"/staff/meters/entry?q={place.number}")
    assert f"/staff/meters/accounts/{place.account}" in found.text
    entered = await client.form(f"/staff/meters/accounts/{place.account}", {f"m{meter}z1": "7,5"})
    assert entered.status_code == 303
    row = await MeterReading.select().where(MeterReading.meter == meter).first()
    assert (D(row["value"]), row["source"]) == (D("7.5"), "phone")
    assert await _addresses() == {CLIENT_IP}


async def test_a_manager_adds_edits_and_replaces_a_meter_of_a_premise(client, login, make_user, period):
    place = period["first"][3]
    await login(client, await make_user(roles=("manager",), houses=(place.house,)))
    page = await client.get(f"/staff/meters/premises/{place.premise}")
    assert page.status_code == 200 and f"ХВ{place.account}" in page.text
    values = {"service": "electricity", "zones": "2", "serial": "Э-77", "place": "щит", "digits": "6",
              "decimals": "1", "installed_on": "2026-01-10", "next_verification": "2042-01-10"}  # fmt: skip
    added = await client.form(f"/staff/meters/premises/{place.premise}", values)
    assert added.status_code == 303
    meter = await Meter.select().where(Meter.serial == "Э-77").first()
    assert (meter["account"], meter["zones"]) == (place.account, 2)
    saved = await client.form(f"/staff/meters/meter/{meter['id']}", {**values, "status": "failed"})
    assert saved.status_code == 303
    assert (await Meter.select(Meter.failed_on).where(Meter.id == meter["id"]).first())["failed_on"] is not None
    wrong = await client.form(f"/staff/meters/meter/{meter['id']}", {**values, "zones": "2", "service": "gas"})
    assert wrong.status_code == 422
    replaced = await client.form(f"/staff/meters/meter/{meter['id']}/replace", {**values, "serial": "Э-78"})
    assert replaced.status_code == 303
    old = await Meter.select().where(Meter.id == meter["id"]).first()
    assert old["status"] == "replaced" and old["replaced_by"] is not None
    # Each change of the card keeps what stood before it: in use, then failed (the export of a month before reads it).
    kept = VerificationChange.select(VerificationChange.status).where(VerificationChange.meter == meter["id"])
    assert [r["status"] for r in await kept.order_by(VerificationChange.id)] == ["active", "failed"]
    assert await _addresses() == {CLIENT_IP}


async def test_the_meter_card_records_a_verification_on_the_day_it_was_done(client, login, make_user, period):
    """«Дата поверки» is today unless changed; a day after today, or before the meter was installed, is refused
    with the card's message, keeping what was typed; the day given dates the new verification date's history."""
    from portal.core import clock

    place, today = period["first"][0], clock.today_local()
    meter = period["meters"][place.account]
    await Meter.update({Meter.installed_on: date(2024, 5, 1), Meter.next_verification: date(2025, 1, 1)}).where(
        Meter.id == meter
    )
    await login(client, await make_user(roles=("manager",), houses=(place.house,)))
    card = await client.get(f"/staff/meters/meter/{meter}")
    assert f'name="verified_on" type="date" value="{today.isoformat()}"' in card.text
    lapsed = '<span class="badge badge-overdue">Поверка просрочена</span>'  # due 01.01.2025, in use
    assert lapsed in card.text and lapsed in (await client.get(f"/staff/meters/premises/{place.premise}")).text
    path = f"/staff/meters/meter/{meter}/verification"
    future = await client.form(
        path, {"verified_on": (today + timedelta(days=1)).isoformat(), "next_verification": "2031-01-01"}
    )
    early = await client.form(path, {"verified_on": "30.04.2024", "next_verification": "2031-01-01"})
    assert (future.status_code, early.status_code) == (422, 422)
    assert "Поверку нельзя датировать позже сегодняшнего дня" in future.text and 'value="2031-01-01"' in future.text
    assert "Счётчик установлен 1 мая 2024:" in early.text and 'value="2024-04-30"' in early.text
    done = await client.form(path, {"verified_on": "2025-11-20", "next_verification": "2031-11-20"})
    assert done.status_code == 303
    assert '<span class="badge badge-done">Работает</span>' in (await client.get(f"/staff/meters/meter/{meter}")).text
    saved = await Meter.select(Meter.verified_on, Meter.next_verification).where(Meter.id == meter).first()
    assert saved == {"verified_on": date(2025, 11, 20), "next_verification": date(2031, 11, 20)}
    kept = await VerificationChange.select(VerificationChange.changed_on).where(VerificationChange.meter == meter)
    assert [k["changed_on"] for k in kept] == [date(2025, 11, 20)]
    again = await client.form(path, {"verified_on": "2025-11-19", "next_verification": "2031-11-19"})
    assert again.status_code == 422 and "Предыдущая поверка была 20 ноября 2025:" in again.text
    assert await _addresses() == {CLIENT_IP}


async def test_house_meters_take_the_months_readings_from_staff(client, login, make_user, period):
    house = period["first"][0].house
    meter = HouseMeter(house=house, service="heating", serial="ОТ-1", digits=7, decimals=3)
    await meter.save()
    await HouseReading(meter=meter.id, zone=1, value=D("1000"), period=date(2026, 10, 1)).save()
    await login(client, await make_user(roles=("operator",), houses=(house,)))
    page = await client.get(f"/staff/meters/houses/{house}")
    assert page.status_code == 200 and "ОТ-1" in page.text
    lower = await client.form(f"/staff/meters/houses/{house}/readings", {f"m{meter.id}z1": "900"})
    assert lower.status_code == 422
    other = HouseMeter(house=house, service="cold_water", serial="ОХВ-1", digits=7, decimals=3)
    await other.save()
    # a typo in one meter and a lower value in another: both are said at once
    both = await client.form(
        f"/staff/meters/houses/{house}/readings", {f"m{meter.id}z1": "900", f"m{other.id}z1": "12а"}
    )
    summary = both.text.split('class="error-summary"')[1].split("</div>")[0]
    assert "меньше прошлого" in summary and "Введите цифры" in summary, summary
    saved = await client.form(f"/staff/meters/houses/{house}/readings", {f"m{meter.id}z1": "1120,5"})
    assert saved.status_code == 303
    rows = await HouseReading.select().where(HouseReading.meter == meter.id).order_by(HouseReading.period)
    assert [D(r["value"]) for r in rows] == [D("1000"), D("1120.5")] and D(rows[1]["consumption"]) == D("120.5")
    assert await _addresses() == {CLIENT_IP}


async def test_a_house_meters_card_records_its_verification_as_a_flat_meters_does(
    client, new_client, login, make_user, period
):
    """A house meter (ОДПУ) had no «Дата поверки»: past its verification date, it stood on the house's list as if
    in use. The house's list marks it «Поверка просрочена» and links its card, where a manager records the
    verification with the flat meter's form and rule (a day after today refused, keeping what was typed); the
    badge goes, the audit log keeps who recorded it. Another house's meter is not found; an operator reads the
    card without the form, and is refused the save."""
    from portal.core import clock
    from portal.core.tables import AuditEvent

    house, today = period["first"][0].house, clock.today_local()
    meter = HouseMeter(house=house, service="heating", serial="ОТ-3", digits=7, decimals=3,
                       installed_on=date(2024, 5, 1), next_verification=date(2025, 1, 1))  # fmt: skip
    await meter.save()
    lapsed = '<span class="badge badge-overdue">Поверка просрочена</span>'
    card_path = f"/staff/meters/house-meter/{meter.id}"
    await login(client, await make_user(roles=("manager",), houses=(house,)))
    listed = (await client.get(f"/staff/meters/houses/{house}")).text
    assert lapsed in listed and f'href="{card_path}"' in listed
    card = await client.get(card_path)
    assert card.status_code == 200 and lapsed in card.text
    assert f'name="verified_on" type="date" value="{today.isoformat()}"' in card.text
    path = f"{card_path}/verification"
    future = await client.form(
        path, {"verified_on": (today + timedelta(days=1)).isoformat(), "next_verification": "2031-01-01"}
    )
    assert future.status_code == 422 and "Поверку нельзя датировать позже сегодняшнего дня" in future.text
    assert 'value="2031-01-01"' in future.text
    early = await client.form(path, {"verified_on": "30.04.2024", "next_verification": "2031-01-01"})
    assert early.status_code == 422 and "Счётчик установлен 1 мая 2024:" in early.text
    assert (
        await client.form(path, {"verified_on": "2025-11-20", "next_verification": "2031-11-20"})
    ).status_code == 303
    saved = await HouseMeter.select(HouseMeter.verified_on, HouseMeter.next_verification).where(
        HouseMeter.id == meter.id
    )
    assert saved == [{"verified_on": date(2025, 11, 20), "next_verification": date(2031, 11, 20)}]
    assert lapsed not in (await client.get(f"/staff/meters/houses/{house}")).text
    card = (await client.get(card_path)).text
    assert "20 ноября 2025" in card and "20 ноября 2031" in card
    again = await client.form(path, {"verified_on": "2025-11-19", "next_verification": "2031-11-19"})
    assert again.status_code == 422 and "Предыдущая поверка была 20 ноября 2025:" in again.text
    events = await AuditEvent.select(AuditEvent.action, AuditEvent.entity, AuditEvent.entity_id)
    assert [e for e in events if e["action"] == "meters.house_meter.verify"] == [
        {"action": "meters.house_meter.verify", "entity": "house_meter", "entity_id": meter.id}
    ]
    assert await _addresses() == {CLIENT_IP}

    outsider = new_client()
    await login(outsider, await make_user(roles=("manager",), houses=(period["other"].house,)))
    assert (await outsider.get(card_path)).status_code == 404
    assert (
        await outsider.form(path, {"verified_on": "2025-11-21", "next_verification": "2031-11-21"})
    ).status_code == 404
    operator = new_client()
    await login(operator, await make_user(roles=("operator",), houses=(house,)))
    read = await operator.get(card_path)
    assert read.status_code == 200 and 'name="verified_on"' not in read.text
    assert (
        await operator.form(path, {"verified_on": "2025-11-21", "next_verification": "2031-11-21"})
    ).status_code == 403


async def test_a_house_meter_past_its_verification_takes_no_reading_and_the_others_are_kept(
    client, login, make_user, period
):
    """DOMAIN.md §4.2 (п. 81(12) «д»): a meter past its verification date is failed and gives no reading. A flat
    meter's form offers no field for one; the house's list offered one for its house meter (ОДПУ) all the same.
    It says «Поверка просрочена — показания не принимаются» in place of the field; a value posted for it (a page
    opened before the date passed) is refused with the flat meter's words, once for the meter (not per zone) and
    linked to where its fields would stand, nothing is saved, and the other meter's
    value stays typed; saved again without it, the other meter's reading is taken."""
    house = period["first"][0].house
    lapsed = HouseMeter(house=house, service="electricity", serial="ОЭ-4", digits=7, decimals=3, zones=2,
                        next_verification=date(2025, 1, 1))  # fmt: skip
    valid = HouseMeter(house=house, service="cold_water", serial="ОХВ-4", digits=7, decimals=3,
                       next_verification=date(2031, 1, 1))  # fmt: skip
    await lapsed.save()
    await valid.save()
    await login(client, await make_user(roles=("operator",), houses=(house,)))
    page = (await client.get(f"/staff/meters/houses/{house}")).text
    card = page.split(f'id="meter-{lapsed.id}"')[1].split("</fieldset>")[0]
    assert f'name="m{lapsed.id}z1"' not in card and "Поверка просрочена — показания не принимаются" in card, card
    assert f'name="m{valid.id}z1"' in page
    path = f"/staff/meters/houses/{house}/readings"
    both = await client.form(path, {f"m{lapsed.id}z1": "500", f"m{lapsed.id}z2": "200", f"m{valid.id}z1": "120,5"})
    assert both.status_code == 422
    summary = both.text.split('class="error-summary"')[1].split("</div>")[0]
    assert "Электроэнергия №\u00a0ОЭ-4: Срок поверки счётчика истёк" in summary, summary  # once, not per zone
    assert summary.count("Срок поверки") == 1 and f'name="m{lapsed.id}z2"' not in both.text
    assert f'href="#f-m{lapsed.id}z1"' in summary and f'id="f-m{lapsed.id}z1"' in both.text
    assert 'value="120,5"' in both.text and f'name="m{lapsed.id}z1"' not in both.text
    assert await HouseReading.count() == 0
    assert (await client.form(path, {f"m{valid.id}z1": "120,5"})).status_code == 303
    rows = await HouseReading.select(HouseReading.meter, HouseReading.value)
    assert [(r["meter"], D(r["value"])) for r in rows] == [(valid.id, D("120.5"))]


async def test_house_meters_follow_the_configured_window(client, login, make_user, period):
    """A contract's window for house meters (the 2nd to the 3rd): the page says so and the reading entered goes to
    the period that window gives today."""
    import dataclasses

    from portal.core import clock
    from portal.settings import Settings
    from portal.settings import get_settings
    from portal.settings import use_settings

    configured = Settings.from_env({"SECRET_KEY": "x", "HOUSE_WINDOW_START_DAY": "2", "HOUSE_WINDOW_END_DAY": "3"})
    assert (configured.house_window_start_day, configured.house_window_end_day) == (2, 3)
    with pytest.raises(ValueError):
        Settings.from_env({"SECRET_KEY": "x", "HOUSE_WINDOW_START_DAY": "27", "HOUSE_WINDOW_END_DAY": "30"})
    house = period["first"][0].house
    meter = HouseMeter(house=house, service="heating", serial="ОТ-2", digits=7, decimals=3)
    await meter.save()
    before = get_settings()
    use_settings(dataclasses.replace(before, house_window_start_day=2, house_window_end_day=3))
    try:
        await login(client, await make_user(roles=("operator",), houses=(house,)))
        page = await client.get(f"/staff/meters/houses/{house}")
        assert "снимают с 2 по 3\u00a0число" in page.text
        assert (await client.form(f"/staff/meters/houses/{house}/readings", {f"m{meter.id}z1": "5"})).status_code == 303
        row = await HouseReading.select().where(HouseReading.meter == meter.id).first()
        assert row["period"] == rules.period_of_reading(clock.today_local(), rules.Window(2, 3))
    finally:
        use_settings(before)


@pytest.mark.parametrize(
    ("lang", "buttons", "whole", "chosen"),
    [
        (
            "ru",
            ["Выгрузить для биллинга (CSV)", "Выгрузить для биллинга (XLSX)"],
            "весь месяц всех домов: фильтры ресурса, источника, «Показать» и фото к ним не применяются",
            "весь месяц выбранного дома",
        ),
        (
            "en",
            ["Export for billing (CSV)", "Export for billing (XLSX)"],
            "the whole month of all houses: the resource, source, “Show” and photo filters do not apply",
            "the whole month of the house chosen",
        ),
    ],
    ids=["ru", "en"],
)
async def test_the_export_buttons_say_they_export_the_whole_month_for_billing(
    client, login, make_user, period, lang, buttons, whole, chosen
):
    """The billing system's files are the month's readings of the house (or of all houses), whatever resource,
    source, state or photo the list shows: the buttons and the line under them say so, and the redrawn heading
    names the house once one is chosen."""
    house = period["first"][0].house
    await login(client, await make_user(roles=("accountant",), houses=(house,)))
    await client.speak(lang)
    narrowed = await client.get("/staff/meters?period=2026-11&service=cold_water&source=phone&state=pending&photo=on")
    head = narrowed.text.split('id="meter-head"')[1].split("</div>")[0]
    csv, xlsx = buttons  # the CSV a download, the XLSX a button that starts its job
    assert f"download>{csv}</a>" in head and f'<button type="submit" class="button">{xlsx}</button>' in head
    assert whole in head and "service=" not in head and "source=" not in head
    htmx = {"HX-Request": "true", "HX-Target": "list"}
    redrawn = await client.get(f"/staff/meters?period=2026-11&house={house}&service=cold_water", headers=htmx)
    assert chosen in redrawn.text.split('id="meter-head"')[1].split("</div>")[0]


async def test_a_meters_page_and_its_readings_heading_number_the_meter_in_the_readers_language(
    client, login, make_user, period
):
    """The staff meter page's title and a reading's heading wrote «Cold water №ХВ…» on an English page; «No.» in
    English, «№» in Russian, the number kept on the line of its sign, the Russian serial marked Russian."""
    meter = period["meters"][period["first"][0].account]
    serial = f"ХВ{period['first'][0].account}"
    reading = (await MeterReading.select(MeterReading.id).where(MeterReading.meter == meter).first())["id"]
    await login(client, await make_user(roles=("manager",), houses=(period["first"][0].house,)))
    for lang, number, marked in (
        ("ru", f"Холодная вода №\u00a0{serial}", serial),
        ("en", f"Cold water No.\u00a0{serial}", f'<span lang="ru">{serial}</span>'),
    ):
        await client.speak(lang)
        page = (await client.get(f"/staff/meters/meter/{meter}")).text
        assert f"<title>{number} · " in page, lang
        heading = re.search(r"<h1>(.*?)</h1>", (await client.get(f"/staff/meters/readings/{reading}")).text).group(1)
        assert heading.startswith(number.replace(serial, marked) + ": "), heading


async def test_writing_the_xlsx_holds_up_no_other_request(client, login, make_user, period, monkeypatch):
    """A month's readings of a big house take a second or more of CPU to write as an XLSX; written on the event loop,
    the export held every other request of the process — anybody's page, even ``/healthz`` — until it was done. Its
    workbook is made (the first of a process imports openpyxl, a second of CPU), its rows and the file are written on
    a worker thread: another request is answered meanwhile."""
    from portal.core import exports

    made = held(monkeypatch, exports.Workbook, "__init__")  # the first of a process imports openpyxl
    row = held(monkeypatch, exports.Sheet, "_write")  # a row of a big export
    await login(client, await make_user(roles=("accountant",), houses=(period["first"][0].house,)))
    answer, held_the_loop = await answered(client, made_xlsx(client, "period=2026-11"), made, row)
    assert answer.status_code == 200 and answer.headers["content-type"] == XLSX
    assert held_the_loop == [], "/healthz waited for the export"


async def test_head_on_the_csv_answers_its_headers_without_reading_the_month(
    client, login, make_user, period, monkeypatch
):
    """HEAD answers as GET does without the body; a streamed export stops once its headers are out, instead of
    reading every reading of the month for nobody."""
    read: list[Any] = []
    original = export.cells
    monkeypatch.setattr(export, "cells", lambda row: read.append(row) or original(row))
    await login(client, await make_user(roles=("accountant",), houses=(period["first"][0].house,)))
    head = await client.head("/staff/meters/export.csv?period=2026-11")
    assert head.status_code == 200 and head.content == b"" and not read
    get = await client.get("/staff/meters/export.csv?period=2026-11")
    assert get.content.count(b"\r\n") > 1 and read
    same = ("content-type", "content-disposition")
    assert {h: head.headers[h] for h in same} == {h: get.headers[h] for h in same}


async def test_a_head_on_the_exports_records_no_export_and_clears_no_mark(client, login, make_user, period):
    """An export records the month as sent to billing and clears its marks to recount once the file is written: a
    HEAD (a link checker's, a monitor's) runs the export's GET, and the XLSX's recorded the month exported and cleared
    the marks though no file went anywhere."""
    await login(client, await make_user(roles=("accountant",), houses=(period["first"][0].house,)))
    await MeterReading.update({MeterReading.recount: True}).where(MeterReading.period == NOV)
    asked = await client.head("/staff/meters/export.csv?period=2026-11")
    assert asked.status_code == 200 and asked.content == b""
    assert await MeterExport.count() == 0
    assert await _addresses() == set()  # nothing in the audit log either
    assert all(r["recount"] for r in await MeterReading.select(MeterReading.recount).where(MeterReading.period == NOV))
    assert (await made_xlsx(client, "period=2026-11")).status_code == 200  # the XLSX is made by a job, pressed
    assert await MeterExport.count() == 1


async def test_the_lists_take_several_houses_or_a_complex_and_the_files_one_house_or_all(
    client, login, make_user, period
):
    """As the payments and requests lists do (the dashboard's readings link passes its houses); a file for billing
    is still of one house or every one, the record of what was exported being kept so."""
    first, other = period["first"][0].house, period["other"].house
    await login(client, await make_user(roles=("manager",), houses=(first, other)))

    def serials(page: str) -> set[str]:
        return set(re.findall(r"ХВ\d+|ГВ-1", page.split('id="list"')[1]))

    every = serials((await client.get("/staff/meters?period=2026-11")).text)
    both = await client.get(f"/staff/meters?period=2026-11&house={first}&house={other}")
    assert serials(both.text) == every and f"ХВ{period['other'].account}" in every
    assert (
        f'name="house" value="{first}" checked>' in both.text and f'name="house" value="{other}" checked>' in both.text
    )
    complex_id = (await House.select(House.complex).where(House.id == other).first())["complex"]
    assert serials((await client.get(f"/staff/meters?period=2026-11&complex={complex_id}")).text) == {
        f"ХВ{period['other'].account}"
    }
    missing = await client.get(f"/staff/meters/missing?period=2026-11&complex={complex_id}")
    assert period["first"][3].number not in missing.text  # flat 4 of the first house is in another complex
    assert "Файлы для биллинга выгружаются по одному дому или по всем домам" in both.text
    assert "/staff/meters/export.csv" not in both.text.split('id="meter-head"')[1].split("</div>")[0]
    for kind in ("export.csv", "export.xlsx", "export-recalculations.csv"):
        refused = await _asked(client, f"/staff/meters/{kind}?period=2026-11&house={first}&house={other}")
        assert (refused.status_code, refused.headers["location"]) == (303, "/staff/meters"), kind
    assert await MeterExport.count() == 0
