"""An outage closed by the dispatch service reduces the charge of the accounts it reached where it ran beyond the
permitted interruption (DOMAIN.md §5; ПП № 354, прил. 1): the rows for the billing system, once per outage, in the
month's export with the readings, and the line on the resident's account page. On both engines."""

from __future__ import annotations

import io
from datetime import datetime
from datetime import timedelta
from decimal import Decimal as D

from openpyxl import load_workbook

from portal.billing import outage_reductions
from portal.billing import rules
from portal.billing.outage_reductions import OutageFacts
from portal.billing.tables import Charge
from portal.billing.tables import OutageReduction
from portal.billing.tables import Payee
from portal.billing.tables import Service
from portal.core import clock
from portal.core.db import to_kopecks
from portal.tickets.tables import Outage
from tests.meters.conftest import made_xlsx


async def _heating_service() -> int:
    payee = await Payee.select(Payee.id).where(Payee.code == "uk").first()
    found = await Service.select(Service.id).where(Service.code == "heating").first()
    if found:
        return found["id"]
    made = await Service.insert(
        Service(code="heating", name="Отопление", unit="Гкал", payee=payee["id"], sort_order=20)
    ).returning(Service.id)
    return made[0]["id"]


async def test_domain_example_heating_off_17_hours_at_14_degrees(client, login, make_user, make_account, catalog):
    """DOMAIN.md §5: heating off 17 h at +14 °C → the 16 h limit is breached by 1 h: the month's charge for
    heating is reduced by 0.15 % (of 3 600.00 ₽: 5.40 ₽)."""
    first = await make_account(number="7700005001")
    second = await make_account(house=first.house, number="7700005002")
    dispatcher = await make_user(roles=("dispatcher",), houses=(first.house,))
    accountant = await make_user(roles=("accountant",), houses=(first.house,))
    resident = await make_user(accounts={first.account: "owner"})

    await login(client, dispatcher)
    start = clock.now() - timedelta(hours=17)
    recorded = await client.form(
        "/staff/outages",
        {
            "house": str(first.house),
            "service": "heating",
            "starts_at": clock.local(start).strftime("%Y-%m-%dT%H:%M"),
            "description": "Авария на теплотрассе",
        },
    )
    assert recorded.status_code == 303, recorded.text
    outage = await Outage.select(Outage.id).where(Outage.house == first.house).first()
    page = await client.get("/staff/outages")
    assert 'name="room_temperature"' in page.text
    wrong = await client.form(f"/staff/outages/{outage['id']}/close", {"room_temperature": "тепло"})
    assert wrong.status_code == 422 and 'value="тепло"' in wrong.text  # refused at its field, what was typed kept
    assert (await Outage.select(Outage.closed_at).where(Outage.id == outage["id"]).first())["closed_at"] is None
    # Exactly 17 h before the close (the form takes minutes; the rule counts hundredths of an hour).
    await Outage.update({Outage.starts_at: clock.now() - timedelta(hours=17)}).where(Outage.id == outage["id"])
    closed = await client.form(f"/staff/outages/{outage['id']}/close", {"room_temperature": "+14"})
    assert closed.status_code == 303
    row = await Outage.select(Outage.closed_at, Outage.room_temperature).where(Outage.id == outage["id"]).first()
    assert row["closed_at"] is not None and D(str(row["room_temperature"])) == D("14.0")

    rows = (
        await OutageReduction.select().where(OutageReduction.outage == outage["id"]).order_by(OutageReduction.account)
    )
    assert [r["account"] for r in rows] == [first.account, second.account]
    for r in rows:
        assert D(str(r["outage_hours"])) == D("17.00")
        assert D(str(r["permitted_hours"])) == D("16.00")
        assert D(str(r["hours_beyond"])) == D("1.00")
        assert D(str(r["percent"])) == D("0.15")
    period = rows[0]["period"]
    assert period == rules.month_start(clock.local(rows[0]["started_at"]).date())

    # Once per outage: a second close changes nothing, nor does the billing action called again.
    again = await client.form(f"/staff/outages/{outage['id']}/close", {"room_temperature": "9"})
    assert again.status_code in (303, 404)
    facts = OutageFacts(outage["id"], "heating", first.house, None, None, rows[0]["started_at"], rows[0]["ended_at"])
    assert await outage_reductions.record_outage(facts) == 0
    assert await OutageReduction.count().where(OutageReduction.outage == outage["id"]) == 2

    # The month's heating charge of the first account arrives with the import; the second has none.
    heating = await _heating_service()
    await Charge.insert(
        Charge(
            account=first.account, period=period, service=heating, volume=D("1.2"), amount_kopecks=to_kopecks(D("3600"))
        )
    )
    await login(client, resident)
    account_page = await client.get(f"/accounts/{first.account}")
    assert account_page.status_code == 200
    text = " ".join(account_page.text.split())
    assert "Отключение длилось на 1 ч дольше допустимых 16 ч: плата за отопление за" in text
    assert "будет уменьшена на 0,15 % (5,40 ₽)." in text
    await client.speak("en")
    english = await client.get(f"/accounts/{first.account}")
    assert "This outage lasted 1 h beyond the permitted 16 h: your charge for heating for" in english.text

    await login(client, accountant)
    xlsx = await made_xlsx(client, f"period={period:%Y-%m}")
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.content))["recalculations"]
    lines = list(sheet.iter_rows(values_only=True))
    assert lines[0][:3] == ("period", "account_number", "service")
    found = {line[1]: line for line in lines[1:]}
    assert set(found) == {"7700005001", "7700005002"}
    assert found["7700005001"][8:] == (1, 0.15, 3600, 5.4)
    row = next(r for r in sheet.iter_rows(min_row=2) if r[1].value == "7700005001")
    # hours and the percent with the decimals they are stored with (0.1500 %, not «0,15» as if it were roubles),
    # on either engine; the charge and the reduction in roubles
    assert [c.number_format for c in row[8:12]] == ["#,##0.00", "#,##0.0000", "#,##0.00", "#,##0.00"]
    assert found["7700005002"][10:] == (None, None)
    csv = await client.get(f"/staff/meters/export-recalculations.csv?period={period:%Y-%m}")
    assert csv.status_code == 200
    body = csv.content.decode("utf-8-sig").splitlines()
    assert len(body) == 3
    cells = next(line.split(";") for line in body[1:] if ";7700005001;" in line)
    assert cells[2] == "heating"
    assert [D(c.replace(",", ".")) for c in cells[8:]] == [D(1), D("0.15"), D(3600), D("5.40")]


async def test_the_months_total_counts_each_hour_beyond_once(make_account, catalog):
    """DOMAIN.md §5: cold water, 8 h a month and 4 h at once. Three outages of 3 h in one month: the third adds
    the month's one hour beyond; a fourth of 5 h brings the month to 14 h, 6 beyond 8 h: it adds 5."""
    place = await make_account(number="7700005003")
    day = datetime(2026, 11, 3, 9, 0, tzinfo=clock.zone())
    added = []
    for n, hours in enumerate((3, 3, 3, 5), start=1):
        start = day + timedelta(days=n)
        facts = OutageFacts(9_000_000 + n, "cold_water", place.house, None, None, start, start + timedelta(hours=hours))
        assert await outage_reductions.record_outage(facts) == 1
        row = (
            await OutageReduction.select(OutageReduction.hours_beyond).where(OutageReduction.outage == facts.id).first()
        )
        added.append(D(str(row["hours_beyond"])))
    assert added == [D(0), D(0), D(1), D(5)]
    lines = await outage_reductions.of_account(place.account)
    assert [line.hours_beyond for line in lines] == [D(1), D(5)]  # those within the limit are not shown
    assert "в месяц" in outage_reductions.sentence(lines[0])
    # A lift is not a service of прил. 1: nothing is written.
    lift = OutageFacts(9_000_010, "lift", place.house, None, None, day, day + timedelta(hours=30))
    assert await outage_reductions.record_outage(lift) == 0
