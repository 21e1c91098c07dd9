"""The meter import on both engines, from CSV and from XLSX: a good file, a re-import, a bad row; and the page's
two steps over HTTP (preview, then apply)."""

from __future__ import annotations

import io
import re
import time
from datetime import date
from typing import Any

import pytest

from portal.core.security import Principal
from portal.core.storage import UPLOADS_PER_USER
from portal.core.tables import AttemptCounter
from portal.core.tables import AuditEvent
from portal.meters import actions
from portal.meters import imports
from portal.meters.tables import Meter
from portal.meters.tables import VerificationChange
from tests.tickets.test_audit_trail import CLIENT_IP

HEADER = ["house_address", "premise_kind", "premise_number", "account_number", "resource", "zones", "serial", "place",
          "digits", "decimals", "installed_on", "next_verification", "status", "replaces"]  # fmt: skip
EVERYONE = Principal(user_id=None, name="Импорт", house_ids=None)


def as_csv(rows: list[list[str]]) -> bytes:
    import csv

    out = io.StringIO()
    csv.writer(out, delimiter=";").writerows(rows)
    return out.getvalue().encode("utf-8")


def as_xlsx(rows: list[list[str]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append([int(v) if v.isdigit() and len(v) < 3 else v for v in row])  # small numbers as numbers
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


FORMATS = {"csv": ("meters.csv", as_csv), "xlsx": ("meters.xlsx", as_xlsx)}


@pytest.fixture
async def registry(db: Any, make_account: Any) -> dict[str, Any]:
    """A house with flats 1 and 2 (one account each) and flat 3 with two accounts."""
    one = await make_account(premise_number="1", address="г. Симферополь, ул. Счётная, д. 5")
    two = await make_account(house=one.house, premise_number="2")
    three = await make_account(house=one.house, premise_number="3")
    from portal.housing.tables import PersonalAccount

    extra = PersonalAccount(number="7712345678", premise=three.premise, payer_name="Второй Плательщик")
    await extra.save()
    return {"address": "г. Симферополь, ул. Счётная, д. 5", "one": one, "two": two, "three": three, "extra": extra}


def good_rows(address: str) -> list[list[str]]:
    return [
        HEADER,
        [address, "кв", "1", "", "ХВС", "", "ХВ-100", "санузел", "5", "3", "01.02.2024", "01.02.2030", "", ""],
        [address, "flat", "1", "", "hot_water", "1", "ГВ-100", "санузел", "", "", "2024-02-01", "01.02.2028", "", ""],
        [address, "кв", "2", "", "электроэнергия", "3", "Э-200", "щит", "6", "1", "", "", "работает", ""],
        [address, "кв", "3", "7712345678", "газ", "", "Г-300", "кухня", "", "", "", "", "", ""],
    ]


async def run(filename: str, data: bytes, actor: Principal = EVERYONE) -> Any:
    parsed = imports.parse_file(filename, data)
    assert parsed.ok, parsed.problems
    return await actions.import_meters(parsed.rows, actor)


@pytest.mark.parametrize("fmt", FORMATS)
async def test_a_good_file_registers_the_meters(registry, fmt):
    name, encode = FORMATS[fmt]
    report = await run(name, encode(good_rows(registry["address"])))
    assert report.applied and report.created == {"meters": 4, "replacements": 0}
    rows = {
        m["serial"]: m for m in await Meter.select().where(Meter.serial.is_in(["ХВ-100", "ГВ-100", "Э-200", "Г-300"]))
    }
    assert rows["ХВ-100"]["account"] == registry["one"].account and rows["ХВ-100"]["service"] == "cold_water"
    assert rows["ХВ-100"]["next_verification"] == date(2030, 2, 1) and rows["ХВ-100"]["place"] == "санузел"
    assert (rows["Э-200"]["zones"], rows["Э-200"]["digits"], rows["Э-200"]["decimals"]) == (3, 6, 1)
    assert rows["Г-300"]["account"] == registry["extra"].id  # the premise has two accounts: the one named


@pytest.mark.parametrize("fmt", FORMATS)
async def test_a_reimport_of_the_same_file_changes_nothing(registry, fmt):
    name, encode = FORMATS[fmt]
    data = encode(good_rows(registry["address"]))
    await run(name, data)
    before = await Meter.select(Meter.id, Meter.updated_at, Meter.next_verification).order_by(Meter.id)
    report = await run(name, data)
    assert report.applied and report.changes == 0
    assert await Meter.select(Meter.id, Meter.updated_at, Meter.next_verification).order_by(Meter.id) == before
    assert await VerificationChange.count() == 0


async def test_a_changed_date_updates_and_a_replacement_marks_the_old_meter(registry):
    rows = good_rows(registry["address"])
    await run("m.csv", as_csv(rows))
    rows[1][11] = "01.02.2031"
    rows.append(
        [registry["address"], "кв", "1", "", "ХВС", "", "ХВ-101", "санузел", "", "", "01.06.2026", "", "", "ХВ-100"]
    )
    report = await run("m.csv", as_csv(rows))
    assert report.updated["meters"] == 1 and report.created == {"meters": 1, "replacements": 1}
    old = await Meter.select().where(Meter.serial == "ХВ-100").first()
    new = await Meter.select().where(Meter.serial == "ХВ-101").first()
    assert (old["status"], old["replaced_by"], old["removed_on"]) == ("replaced", new["id"], date(2026, 6, 1))
    kept = VerificationChange.select(VerificationChange.next_verification, VerificationChange.status)
    assert await kept.where(VerificationChange.meter == old["id"]).order_by(VerificationChange.id) == [
        {"next_verification": date(2030, 2, 1), "status": "active"},  # until the file's new date
        {"next_verification": date(2031, 2, 1), "status": "active"},  # until the replacement
    ]
    assert (await run("m.csv", as_csv(rows))).changes == 0


async def test_a_status_from_the_file_dates_the_removal_and_a_repair_ends_the_failure(registry):
    """As on the meter card: «снят» dates the removal (so a re-export of a month it was in use still lists it), and
    a failed meter the file says works again is no longer failed from its old failure date on."""
    from datetime import UTC
    from datetime import datetime

    rows = good_rows(registry["address"])
    first = datetime(2026, 9, 10, 9, tzinfo=UTC)
    rows[2][12] = "неисправен"
    await actions.import_meters(imports.parse_file("m.csv", as_csv(rows)).rows, EVERYONE, now=first)
    rows[1][12], rows[2][12] = "снят", "работает"
    later = datetime(2026, 11, 20, 22, tzinfo=UTC)  # 21 November in the company's zone
    await actions.import_meters(imports.parse_file("m.csv", as_csv(rows)).rows, EVERYONE, now=later)
    got = {m["serial"]: (m["status"], m["removed_on"], m["failed_on"]) for m in await Meter.select()}
    assert got["ХВ-100"] == ("removed", date(2026, 11, 21), None)
    assert got["ГВ-100"] == ("active", None, None)
    # What stood until then is kept, so a re-export of October still counts the repaired meter failed.
    kept = VerificationChange.select(VerificationChange.changed_on, VerificationChange.failed_on)
    repaired = kept.where(VerificationChange.meter.serial == "ГВ-100").order_by(VerificationChange.id)
    assert await repaired == [{"changed_on": date(2026, 11, 21), "failed_on": date(2024, 2, 1)}]  # as first dated


async def test_a_verification_column_dates_the_new_verification_from_the_day_it_was_done(registry):
    """A file with «verified_on»: the new verification date stands from that day in the meter's history, the day is
    kept as the meter's last verification; a day after today, or before the meter was installed or its previous
    verification, is refused with its line and nothing is written; the same file again changes nothing."""
    from datetime import UTC
    from datetime import datetime

    rows = [[*r, ""] for r in good_rows(registry["address"])]
    rows[0][-1] = "verified_on"
    await run("m.csv", as_csv(rows))
    rows[1][11], rows[1][-1] = "20.10.2032", "20.10.2026"  # the technician's paper, brought in November
    now = datetime(2026, 11, 3, 9, tzinfo=UTC)
    report = await actions.import_meters(imports.parse_file("m.csv", as_csv(rows)).rows, EVERYONE, now=now)
    assert report.applied and report.updated["meters"] == 1
    meter = await Meter.select().where(Meter.serial == "ХВ-100").first()
    assert (meter["verified_on"], meter["next_verification"]) == (date(2026, 10, 20), date(2032, 10, 20))
    kept = VerificationChange.select(VerificationChange.changed_on, VerificationChange.next_verification)
    assert await kept.where(VerificationChange.meter == meter["id"]) == [
        {"changed_on": date(2026, 10, 20), "next_verification": date(2030, 2, 1)}
    ]
    again = await actions.import_meters(imports.parse_file("m.csv", as_csv(rows)).rows, EVERYONE, now=now)
    assert again.applied and again.changes == 0

    rows[1][-1], rows[2][-1], rows[3][-1] = "19.10.2026", "04.11.2026", "31.12.2000"
    rows[3][10] = "01.01.2001"
    refused = await actions.import_meters(imports.parse_file("m.csv", as_csv(rows)).rows, EVERYONE, now=now)
    assert not refused.applied
    problems = "\n".join(refused.problems)
    assert "Строка 2: столбец «verified_on» — Предыдущая поверка была 20 октября 2026:" in problems
    assert "Строка 3: столбец «verified_on» — Поверку нельзя датировать позже сегодняшнего дня (3 ноября" in problems
    assert "Строка 4: столбец «verified_on» — Счётчик установлен 1 января 2001:" in problems
    assert (await Meter.select(Meter.verified_on).where(Meter.id == meter["id"]).first())["verified_on"] == date(
        2026, 10, 20
    )


@pytest.mark.parametrize("fmt", FORMATS)
async def test_a_bad_row_names_its_line_and_nothing_is_written(registry, fmt):
    name, encode = FORMATS[fmt]
    rows = good_rows(registry["address"])
    rows[2][4] = "пар"  # line 3: no such resource
    rows[3][5] = "4"  # line 4: four zones
    parsed = imports.parse_file(name, encode(rows))
    assert not parsed.ok and parsed.rows == []
    assert any(p.startswith(("Строка 3:", "Line 3:")) and "resource" in p for p in parsed.problems)
    assert any(p.startswith(("Строка 4:", "Line 4:")) and "zones" in p for p in parsed.problems)
    assert await Meter.count() == 0


async def test_rows_that_do_not_fit_the_registry_are_refused_whole(registry, make_account):
    other = await make_account(premise_number="9")
    rows = good_rows(registry["address"])
    rows.append([registry["address"], "кв", "3", "", "ХВС", "", "ХВ-3", "", "", "", "", "", "", ""])  # 2 accounts
    rows.append([registry["address"], "кв", "77", "", "ХВС", "", "ХВ-77", "", "", "", "", "", "", ""])  # no flat 77
    report = await actions.import_meters(imports.parse_file("m.csv", as_csv(rows)).rows, EVERYONE)
    assert not report.applied
    assert any("6" in p and "account_number" in p for p in report.problems)
    assert any("7" in p for p in report.problems)
    assert await Meter.count() == 0
    # A manager of another house cannot import into this one.
    outsider = Principal(
        user_id=1, name="Чужой", staff_roles=frozenset({"manager"}), house_ids=frozenset({other.house})
    )
    refused = await actions.import_meters(
        imports.parse_file("m.csv", as_csv(good_rows(registry["address"]))).rows, outsider
    )
    assert not refused.applied and len(refused.problems) == 4
    assert await Meter.count() == 0


async def test_the_import_page_previews_then_applies(client, new_client, login, make_user, registry):
    await login(client, await make_user(roles=("manager",), houses=(registry["one"].house,)))
    # the file's limits as numbers of the reader's language
    assert "До 10\u00a0МБ и 50\u00a0000 строк." in (await client.get("/staff/meters/import")).text
    await client.speak("en")
    page = (await client.get("/staff/meters/import")).text
    assert "Up to 10\u00a0MB and 50,000 rows." in page, re.findall(r"Up to[^<]*", page)
    await client.speak("ru")
    data = as_csv(good_rows(registry["address"]))
    preview = await client.form("/staff/meters/import", files={"file": ("meters.csv", data, "text/csv")})
    assert preview.status_code == 200, preview.text[:400]
    assert await Meter.count() == 0  # the preview writes nothing
    token = preview.text.split('name="token" value="', 1)[1].split('"', 1)[0]
    applied = await client.form("/staff/meters/import/apply", {"token": token})
    assert applied.status_code == 303
    assert await Meter.count() == 4
    imported = await AuditEvent.select(AuditEvent.ip).where(AuditEvent.action == "meters.import")
    assert imported == [{"ip": CLIENT_IP}]  # with the address it was applied from
    other = new_client()  # another manager cannot see or apply someone else's check
    await login(other, await make_user(roles=("manager",), houses=(registry["one"].house,)))
    assert (await other.get(f"/staff/meters/import/{token}")).status_code == 404
    assert (await other.form("/staff/meters/import/apply", {"token": token})).status_code == 404


async def test_a_meters_file_counts_once_against_the_upload_limit(client, login, make_user, registry):
    """Every form with files is counted once by the app (``core.storage.limit_uploads``); the import page counted
    its file a second time, so a manager was refused after half the files the limit allows."""
    manager = await make_user(roles=("manager",), houses=(registry["one"].house,))
    await login(client, manager)
    almost = UPLOADS_PER_USER.limit - 1
    await AttemptCounter(bucket=f"uploads:{manager}", hits=almost, window_ends=int(time.time()) + 600).save()
    files = {"file": ("meters.csv", as_csv(good_rows(registry["address"])), "text/csv")}
    assert (await client.form("/staff/meters/import", files=files)).status_code == 200
    assert (await client.form("/staff/meters/import", files=files)).status_code == 429


async def test_a_replacement_without_its_installation_date_removes_the_old_meter_on_the_company_s_day(registry):
    """The file gives no installation date: the old meter is removed on the day of the import in the company's zone,
    as every other date the import writes, not on the day of its UTC clock (the evening before, after midnight)."""
    from datetime import UTC
    from datetime import datetime

    rows = good_rows(registry["address"])
    await run("m.csv", as_csv(rows))
    rows.append([registry["address"], "кв", "1", "", "ХВС", "", "ХВ-101", "санузел", "", "", "", "", "", "ХВ-100"])
    at_night = datetime(2026, 11, 20, 22, tzinfo=UTC)  # 21 November, 01:00, in the company's zone
    await actions.import_meters(imports.parse_file("m.csv", as_csv(rows)).rows, EVERYONE, now=at_night)
    old = await Meter.select(Meter.status, Meter.removed_on).where(Meter.serial == "ХВ-100").first()
    assert (old["status"], old["removed_on"]) == ("replaced", date(2026, 11, 21))
