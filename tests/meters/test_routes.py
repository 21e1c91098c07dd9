"""Passing readings through the pages, on both engines."""

import html
import json
import re
import time
from datetime import date
from decimal import Decimal

import pytest

from portal.core.storage import UPLOADS_PER_USER
from portal.core.tables import AttemptCounter
from portal.core.tables import AuditEvent
from portal.housing.tables import Complex
from portal.housing.tables import House
from portal.housing.tables import PersonalAccount
from portal.housing.tables import Premise
from portal.meters.tables import Meter
from portal.meters.tables import MeterReading
from portal.tickets.tables import Ticket
from tests.core.test_storage import jpeg_of
from tests.tickets.test_audit_trail import CLIENT_IP
from tests.words import as_read


@pytest.fixture
async def two_accounts(db):
    complex_ = Complex(name="ЖК Тест")
    await complex_.save()
    house = House(complex=complex_.id, address="г. Симферополь, ул. Тестовая, д. 1")
    await house.save()
    ids = []
    for n in ("1", "2"):
        premise = Premise(house=house.id, number=n, area=Decimal("50.00"))
        await premise.save()
        account = PersonalAccount(number=f"900000000{n}", premise=premise.id, payer_name="Иванов И. И.")
        await account.save()
        meter = Meter(account=account.id, service="cold_water", serial=f"S{n}", digits=5, decimals=3)
        await meter.save()
        await MeterReading(meter=meter.id, zone=1, value=Decimal("123.456"), period=date(2026, 10, 1)).save()
        ids.append((account.id, meter.id))
    return ids


async def test_a_resident_passes_a_reading_and_sees_it(client, login, make_user, two_accounts):
    (account, meter), _ = two_accounts
    await login(client, await make_user(accounts={account: "owner"}))
    page = await client.get("/meters")
    assert page.status_code == 200
    assert "S1" in page.text and "S2" not in page.text
    response = await client.form("/meters", {f"m{meter}z1": "130,5"})
    assert response.status_code == 303
    values = await MeterReading.select(MeterReading.value).where(MeterReading.meter == meter).order_by(MeterReading.id)
    assert Decimal(values[-1]["value"]) == Decimal("130.5")


async def test_in_english_readings_are_submitted_not_passed(client, login, make_user, two_accounts):
    """«Передать показания» had been put word for word: «Pass readings», «Passed this month», «previous: 123.456 ·
    passed: 130.500», «correct the values and pass the readings again». A resident reading English submits them."""
    (account, meter), _ = two_accounts
    await login(client, await make_user(accounts={account: "owner"}))
    await client.speak("en")
    refused = await client.form("/meters", {f"m{meter}z1": "12a"})
    assert refused.status_code == 422 and "submit the readings again" in refused.text
    done = await client.form("/meters", {f"m{meter}z1": "130,5"}, follow_redirects=True)
    assert "Readings submitted. Thank you!" in done.text
    page = (await client.get("/meters")).text
    assert "Submitted this month" in page and "submitted: 130.500" in page and "Submit readings" in page
    words = re.sub(r"<[^>]+>", " ", page.split("<main", 1)[1])
    assert not re.findall(r"\b[Pp]ass(?:ed|es)?\b", words)


async def test_a_meter_is_numbered_in_the_readers_language(client, login, make_user, two_accounts):
    """The meter's heading wrote «Cold water № S1» on the English page, where every other number reads «No.»
    («Cold water No. S1» in the error summary just above it)."""
    (account, meter), _ = two_accounts
    await login(client, await make_user(accounts={account: "owner"}))
    for lang, number in (("ru", "№\u00a0S1"), ("en", "No.\u00a0S1")):
        await client.speak(lang)
        for url in ("/meters", f"/meters/{meter}"):
            page = (await client.get(url)).text.split("<main", 1)[1].replace("&nbsp;", "\u00a0")
            assert f'<span class="muted">{number}' in page, (lang, url)
            assert "№" not in page if lang == "en" else "No." not in page, (lang, url)


async def test_a_reading_below_the_previous_is_refused_and_what_was_typed_stays(client, login, make_user, two_accounts):
    (account, meter), _ = two_accounts
    await login(client, await make_user(accounts={account: "owner"}))
    response = await client.form("/meters", {f"m{meter}z1": "120,000"})
    assert response.status_code == 422
    assert 'value="120,000"' in response.text
    assert "123,456" in response.text
    assert await MeterReading.count().where(MeterReading.meter == meter) == 1


async def test_a_resident_cannot_pass_readings_for_another_account(client, login, make_user, two_accounts):
    (account, _), (_, other_meter) = two_accounts
    await login(client, await make_user(accounts={account: "owner"}))
    response = await client.form("/meters", {f"m{other_meter}z1": "200"})
    assert response.status_code == 422  # no meter of the user was filled in: nothing to pass
    assert await MeterReading.count().where(MeterReading.meter == other_meter) == 1


async def test_a_family_member_without_the_meters_right_sees_no_meters(client, login, make_user, two_accounts):
    (account, meter), _ = two_accounts
    await login(client, await make_user(accounts={account: "family"}, rights=("view",)))
    page = await client.get("/meters")
    assert "S1" not in page.text
    await client.form("/meters", {f"m{meter}z1": "200"})
    assert await MeterReading.count().where(MeterReading.meter == meter) == 1


async def test_one_bad_value_saves_nothing_and_keeps_every_typed_value(client, login, make_user, two_accounts):
    (account, meter), _ = two_accounts
    second = Meter(account=account, service="hot_water", serial="S1H", digits=5, decimals=3)
    await second.save()
    await login(client, await make_user(accounts={account: "owner"}))
    response = await client.form("/meters", {f"m{meter}z1": "130", f"m{second.id}z1": "abc"})
    assert response.status_code == 422
    assert 'value="130"' in response.text and 'value="abc"' in response.text
    assert await MeterReading.count().where(MeterReading.meter == meter) == 1


async def test_a_typo_and_a_lower_reading_beside_it_are_said_at_once(client, login, make_user, two_accounts):
    """A value that cannot be read stores nothing; the other values are still checked, so the resident is told of a
    reading lower than the previous one now, not only after fixing the typo."""
    (account, meter), _ = two_accounts
    second = Meter(account=account, service="hot_water", serial="S1H", digits=5, decimals=3)
    await second.save()
    await login(client, await make_user(accounts={account: "owner"}))
    response = await client.form("/meters", {f"m{meter}z1": "100", f"m{second.id}z1": "abc"})
    assert response.status_code == 422
    summary = response.text.split('class="error-summary"')[1].split("</div>")[0]
    lower, typo = summary.find("меньше прошлого (123,456)"), summary.find("Введите цифры, которые показывает счётчик")
    assert 0 <= lower < typo, summary  # top to bottom as the page reads, not the typo first
    assert await MeterReading.count().where(MeterReading.meter == meter) == 1


async def test_the_home_page_asks_for_readings_while_the_window_is_open(client, login, make_user, two_accounts):
    from portal.accounts.principal import load_principal_for
    from portal.core import clock
    from portal.meters import queries
    from portal.meters import reminders

    (account, _), _ = two_accounts
    user = await make_user(accounts={account: "owner"})
    principal = await load_principal_for(user)
    window = reminders.window()
    inside = await queries.home_reminder(principal, date(2026, 11, 20), window)
    assert inside is not None and inside.waiting == 1 and inside.until == date(2026, 11, 25)
    assert await queries.home_reminder(principal, date(2026, 11, 26), window) is None
    await login(client, user)
    home = await client.get("/")
    assert ("Передайте их до" in home.text) is window.is_open(clock.today_local())


async def test_a_reading_older_than_a_year_is_still_the_previous_one(client, login, make_user, two_accounts):
    (account, meter), _ = two_accounts
    await MeterReading.update({MeterReading.period: date(2023, 1, 1)}).where(MeterReading.meter == meter)
    await login(client, await make_user(accounts={account: "owner"}))
    page = await client.get("/meters")
    assert "123,456" in page.text
    refused = await client.form("/meters", {f"m{meter}z1": "100"})
    assert refused.status_code == 422
    assert await MeterReading.count().where(MeterReading.meter == meter) == 1


async def test_a_value_that_is_not_a_number_is_named_by_its_meter_in_the_summary(
    client, login, make_user, two_accounts
):
    """With several meters on the page, the summary above the form says which one to correct, as it does for a
    value the meter cannot show."""
    (account, meter), _ = two_accounts
    second = Meter(account=account, service="hot_water", serial="S1H", digits=5, decimals=3)
    await second.save()
    await login(client, await make_user(accounts={account: "owner"}))
    response = await client.form("/meters", {f"m{meter}z1": "130", f"m{second.id}z1": "12a"})
    assert response.status_code == 422
    summary = response.text.split('class="error-summary"', 1)[1].split("</ul>", 1)[0]
    assert "Горячая вода №\u00a0S1H: Введите цифры, которые показывает счётчик" in summary, summary
    assert 'value="12a"' in response.text


async def test_a_three_zone_meter_left_half_filled_names_each_zone_in_the_summary(
    client, login, make_user, two_accounts
):
    """Each empty zone is named; the zone typed is not (it read «enter the readings of every zone» beside the value
    just typed)."""
    (account, _), _ = two_accounts
    meter = Meter(account=account, service="electricity", serial="Э-3", digits=6, decimals=1, zones=3)
    await meter.save()
    await login(client, await make_user(accounts={account: "owner"}))
    response = await client.form("/meters", {f"m{meter.id}z1": "1500,0"})
    assert response.status_code == 422
    summary = response.text.split('class="error-summary"', 1)[1].split("</ul>", 1)[0]
    for zone in ("Т2 (ночь)", "Т3 (полупик)"):
        assert f"Электроэнергия №\u00a0Э-3, {zone}: Введите показания всех зон этого счётчика." in summary, summary
    assert "Т1 (пик)" not in summary
    assert 'value="1500,0"' in response.text


async def test_enter_in_a_reading_passes_the_readings_not_a_request_for_verification(
    client, login, make_user, two_accounts
):
    """Pressing Enter (a phone keyboard's «Go») in a field submits the form with its first submit button. A meter
    past its verification date offers «Заказать поверку или замену», which came first and filed a request
    instead of passing what was typed: that button belongs to a form of its own."""
    (account, _), _ = two_accounts
    expired = Meter(
        account=account, service="hot_water", serial="S1H", digits=5, decimals=3, next_verification=date(2020, 1, 1)
    )
    await expired.save()
    await login(client, await make_user(accounts={account: "owner"}))
    page = (await client.get("/meters")).text
    readings = re.search(r'<form method="post" action="/meters".*?</form>', page, re.S).group(0)
    # The form's own buttons (a button with form= belongs to another form): the first submits the readings.
    owned = [b for b in re.findall(r"<button\b[^>]*>", readings) if " form=" not in b]
    assert owned and 'type="submit"' in owned[0] and "formaction" not in owned[0], owned
    assert f'form="verify-{expired.id}"' in readings
    own = re.search(rf'<form id="verify-{expired.id}" method="post" action="/meters/{expired.id}/verification"', page)
    assert own and own.start() > page.index(readings) + len(readings), "the request's form stands apart"
    csrf = re.search(r'name="_csrf_token" value="([^"]+)"', page).group(1)
    filed = await client.post(f"/meters/{expired.id}/verification", data={"_csrf_token": csrf})
    assert filed.status_code == 303


async def test_a_reading_posted_for_a_meter_past_its_verification_is_refused_where_the_meter_stands(
    client, login, make_user, two_accounts
):
    """A page opened before a meter's verification date passed posts its value after: refused with the meter's name
    (nothing saved, the other meter's value kept), and the summary's link lands on the meter's notice, as the page
    offers no field for it any more (the link led nowhere)."""
    (account, meter), _ = two_accounts
    expired = Meter(
        account=account, service="hot_water", serial="S1H", digits=5, decimals=3, next_verification=date(2020, 1, 1)
    )
    await expired.save()
    await login(client, await make_user(accounts={account: "owner"}))
    refused = await client.form("/meters", {f"m{meter}z1": "130,5", f"m{expired.id}z1": "10"})
    assert refused.status_code == 422 and 'value="130,5"' in refused.text
    summary = refused.text.split('class="error-summary"')[1].split("</div>")[0]
    assert f'<a href="#f-m{expired.id}z1">Горячая вода №\u00a0S1H: Срок поверки счётчика истёк' in summary, summary
    assert re.search(rf'<div class="notice notice-warning meter-refused" id="f-m{expired.id}z1"', refused.text)
    assert await MeterReading.count().where(MeterReading.meter.is_in([meter, expired.id])) == 1  # October's only


async def test_a_residents_ask_for_a_verification_is_in_the_audit_log_with_the_request_it_filed(
    client, new_client, login, make_user, two_accounts
):
    """A staff member's verification of a meter is audited; the resident's ask for one is too: signed by the
    resident, with the address they asked from, the request it filed (read by its number) and the date the
    verification was due. An ask refused (one already filed) writes nothing."""
    (account, _), _ = two_accounts
    expired = Meter(
        account=account, service="hot_water", serial="S1H", digits=5, decimals=3, next_verification=date(2020, 1, 1)
    )
    await expired.save()
    resident = await make_user(accounts={account: "owner"})
    await login(client, resident)
    for _ in range(2):
        assert (await client.form(f"/meters/{expired.id}/verification")).status_code == 303
    meter = await Meter.select(Meter.verification_ticket).where(Meter.id == expired.id).first()
    ticket = meter["verification_ticket"]
    events = await AuditEvent.select().where(AuditEvent.action == "meters.verification.ask")
    assert [(e["actor_id"], e["entity"], e["entity_id"], e["ip"]) for e in events] == [
        (resident, "meter", expired.id, CLIENT_IP)
    ]
    changes = events[0]["changes"]
    assert (json.loads(changes) if isinstance(changes, str) else changes) == {
        "ticket": ticket, "next_verification": "2020-01-01"
    }  # fmt: skip
    admin = new_client()
    await login(admin, await make_user(roles=("admin",)))
    log = as_read(html.unescape((await admin.get("/staff/audit")).text))
    number = (await Ticket.select(Ticket.number).where(Ticket.id == ticket).first())["number"]
    said = ("Житель попросил поверить или заменить счётчик", f"Заявка</strong>: №\u00a0{number}",
            "поверка</strong>: 1 января 2020")  # fmt: skip
    assert [words for words in said if words not in log] == []


async def test_a_reading_far_above_the_usual_is_named_and_stays_marked_until_checked(
    client, login, make_user, two_accounts
):
    """«1 счётчик показывает намного больше обычного» left a resident with several meters guessing which one, and
    the page then said only «Переданы в этом месяце»: one who typed 9999 for 399,9 could not find the slip."""
    (account, meter), _ = two_accounts
    await login(client, await make_user(accounts={account: "owner"}))
    assert (await client.form("/meters", {f"m{meter}z1": "9999"})).status_code == 303
    page = (await client.get("/meters")).text
    assert "Показания переданы. Намного больше обычного: Холодная вода №\u00a0S1. Проверьте цифры ниже" in page
    # Something to look at again, in the blue of news to note, not the green of «всё хорошо».
    assert '<p class="flash flash-info">Показания переданы. Намного больше обычного' in page
    assert "Передано, проверяем" in page and "Если ошиблись в цифре, введите верное показание ниже" in page
    await client.speak("en")
    page = (await client.get("/meters")).text
    assert "Submitted: we are checking it" in page and "If a digit is wrong, type the right reading below" in page
    await MeterReading.update({MeterReading.review: "accepted"}, force=True)
    page = (await client.get("/meters")).text
    assert "Submitted: we are checking it" not in page and "Submitted this month" in page


async def test_a_file_that_is_no_photo_is_named_by_its_meter_in_the_summary(client, login, make_user, two_accounts):
    """The summary above the form said only «Файл не является фотографией» while every other line names its meter:
    with several meters the resident had to scroll to find which photo was refused."""
    (account, meter), _ = two_accounts
    await login(client, await make_user(accounts={account: "owner"}))
    photo = [(f"p{meter}", ("meter.jpg", b"%PDF-1.4 not a photo", "image/jpeg"))]
    response = await client.form("/meters", {f"m{meter}z1": "130"}, files=photo)
    assert response.status_code == 422
    summary = response.text.split('class="error-summary"')[1].split("</ul>")[0]
    assert re.search(r'href="#f-p\d+">Холодная вода №\u00a0S1: Файл не является фотографией', summary), summary
    assert 'value="130"' in response.text


async def test_a_readings_form_with_a_photo_counts_once_against_the_upload_limit(
    client, login, make_user, two_accounts
):
    """Every form with files is counted once by the app (``core.storage.limit_uploads``); the meters page counted
    a form with photos a second time, so a resident was refused after half the forms the limit allows."""
    (account, meter), _ = two_accounts
    user = await make_user(accounts={account: "owner"})
    await login(client, user)
    almost = UPLOADS_PER_USER.limit - 1
    await AttemptCounter(bucket=f"uploads:{user}", hits=almost, window_ends=int(time.time()) + 600).save()
    photo = [(f"p{meter}", ("meter.jpg", jpeg_of(64, 48), "image/jpeg"))]
    assert (await client.form("/meters", {f"m{meter}z1": "130"}, files=photo)).status_code == 303
    assert (await client.form("/meters", {f"m{meter}z1": "131"}, files=photo)).status_code == 429


async def test_a_meters_russian_number_is_marked_russian_on_english_pages(client, login, make_user, two_accounts):
    """«ХВ000001» stays Russian on an English page: marked so a screen reader reads it with a Russian voice (on
    the meters page and the meter's history); the Russian page needs no mark."""
    (account, meter), _ = two_accounts
    await Meter.update({Meter.serial: "ХВ000001"}).where(Meter.id == meter)
    await login(client, await make_user(accounts={account: "owner"}))
    await client.speak("en")
    for url in ("/meters", f"/meters/{meter}"):
        page = (await client.get(url)).text.replace("&nbsp;", "\u00a0")
        assert 'No.\u00a0<span lang="ru">ХВ000001</span>' in page, url
    await client.speak("ru")
    for url in ("/meters", f"/meters/{meter}"):
        assert 'lang="ru">' not in (await client.get(url)).text.split("<main", 1)[1], url


async def test_an_english_reader_is_told_of_an_expired_verification_in_english(client, login, make_user, two_accounts):
    """The notice of a meter past its verification read «Under the rules (ПП № 354, п. 81(12)) … by the
    normative» on an English page: a Russian abbreviation its reader cannot look up, and a Russianism."""
    (account, _), _ = two_accounts
    expired = Meter(
        account=account, service="hot_water", serial="S1H", digits=5, decimals=3, next_verification=date(2020, 1, 1)
    )
    await expired.save()
    await login(client, await make_user(accounts={account: "owner"}))
    await client.form("/lang", {"lang": "en", "next": "/meters"})
    page = (await client.get("/meters")).text
    said = re.search(r"The verification date of this meter.*?</p>", page, re.S).group(0)
    assert not re.search("[А-Яа-яЁё]", said), said
    assert "Government Resolution No. 354, clause 81(12)" in said and "by the consumption norm." in said


async def test_a_meter_that_gives_no_reading_says_for_how_many_months_the_average_is_charged(
    client, login, make_user, two_accounts
):
    """П. 59, 60: the average for at most 3 months in a row for a flat (2 for a non-residential premise), then the
    normative — a failed meter's notice had said «by the average until it is replaced»."""
    (flat, _), (shop, _) = two_accounts
    premise = (await PersonalAccount.select(PersonalAccount.premise).where(PersonalAccount.id == shop).first())[
        "premise"
    ]
    await Premise.update({Premise.kind: "nonresidential"}).where(Premise.id == premise)
    for account, state in ((flat, {"next_verification": date(2020, 1, 1)}), (shop, {"status": "failed"})):
        await Meter(account=account, service="hot_water", serial=f"H{account}", digits=5, decimals=3, **state).save()
    await login(client, await make_user(accounts={flat: "owner", shop: "owner"}))
    page = re.sub(r"\s+", " ", (await client.get("/meters")).text)
    expired = re.search(r"Срок поверки этого счётчика.*?</p>", page).group(0)
    assert "не дольше 3 месяцев, затем — по нормативу" in expired, expired
    failed = re.search(r"Этот счётчик отмечен неисправным.*?</p>", page).group(0)
    assert "не дольше 2 месяцев, затем — по нормативу" in failed and "до замены" not in failed, failed


def test_the_window_days_come_from_the_settings(tmp_path):
    from portal.settings import Settings

    base = {"PORTAL_VAR_DIR": str(tmp_path), "SECRET_KEY": "x"}
    default = Settings.from_env(base)
    assert (default.meter_window_start_day, default.meter_window_end_day) == (15, 25)
    contract = Settings.from_env({**base, "METER_WINDOW_START_DAY": "1", "METER_WINDOW_END_DAY": "20"})
    assert (contract.meter_window_start_day, contract.meter_window_end_day) == (1, 20)
    for start, end in (("20", "10"), ("15", "31"), ("0", "25")):
        with pytest.raises(ValueError):
            Settings.from_env({**base, "METER_WINDOW_START_DAY": start, "METER_WINDOW_END_DAY": end})


async def test_the_meters_page_and_the_readings_follow_the_configured_window(
    client, login, make_user, two_accounts, monkeypatch
):
    """A contract's window (here the 1st to the 20th, every day of a month but the 21st–31st): within it the page
    says until when and a reading goes to this month; one passed after the end goes to the next month, as the page
    says then. The company's date is set for each (the page read on the 21st–31st said no «20» at all)."""
    import dataclasses

    from portal.core import clock
    from portal.settings import get_settings
    from portal.settings import use_settings

    (account, meter), _ = two_accounts
    before = get_settings()
    use_settings(dataclasses.replace(before, meter_window_start_day=1, meter_window_end_day=20))
    try:
        await login(client, await make_user(accounts={account: "owner"}))
        for day, value, period, said in (
            (date(2026, 11, 20), "130,5", date(2026, 11, 1), "20"),
            (date(2026, 11, 21), "131,5", date(2026, 12, 1), "следующего месяца"),
        ):
            monkeypatch.setattr(clock, "today_local", lambda day=day: day)
            page = await client.get("/meters")
            notice = re.search(r'<p class="notice[^"]*">([^<]*)</p>', page.text)
            assert notice and said in notice.group(1) and "25" not in notice.group(1), (day, notice)
            assert (await client.form("/meters", {f"m{meter}z1": value})).status_code == 303
            newest = MeterReading.select().where(MeterReading.meter == meter).order_by(MeterReading.id, ascending=False)
            assert (await newest.first())["period"] == period, day
    finally:
        use_settings(before)


async def test_the_meter_history_shows_a_state_only_for_readings_someone_reviews(
    client, login, make_user, two_accounts
):
    """Every row read «Состояние: —» when nothing was under review: a reading no one had to check has no state to
    show, and the column comes only with a reviewed reading, its other rows left empty."""
    (account, meter), _ = two_accounts
    await login(client, await make_user(accounts={account: "owner"}))
    table = _readings_table((await client.get(f"/meters/{meter}")).text)
    assert "Состояние" not in table and "—" not in table
    await MeterReading(meter=meter, zone=1, value=Decimal("999.000"), period=date(2026, 11, 1), review="pending").save()
    table = _readings_table((await client.get(f"/meters/{meter}")).text)
    assert '<th scope="col">Состояние</th>' in table
    assert table.count('data-label="Состояние"') == 1 and "Ждёт проверки" in table
    assert "—" not in table


def _readings_table(page: str) -> str:
    """The history's table of readings without its «Расход» cells (a first reading's is «—», nothing to compare)."""
    table = page.split('id="readings-h"', 1)[1].split("</section>", 1)[0]
    return re.sub(r'data-label="Расход">[^<]*<', "", table)


async def test_the_request_of_a_verification_is_linked_only_for_staff_who_may_open_it(
    client, new_client, login, make_user, two_accounts
):
    """The accountant reads the meter's card but not the verification request (they answer instalment plans
    alone): its mention is text for them, a link for the manager."""
    (account, _), _ = two_accounts
    expired = Meter(
        account=account, service="hot_water", serial="S1H", digits=5, decimals=3, next_verification=date(2020, 1, 1)
    )
    await expired.save()
    await login(client, await make_user(accounts={account: "owner"}))
    assert (await client.form(f"/meters/{expired.id}/verification")).status_code == 303
    asked = await Meter.select(Meter.verification_ticket).where(Meter.id == expired.id).first()
    ticket = asked["verification_ticket"]
    house = (await House.select(House.id).first())["id"]
    link = f'href="/staff/tickets/{ticket}"'
    accountant, manager = new_client(), new_client()
    await login(accountant, await make_user(roles=("accountant",), houses=(house,)))
    await login(manager, await make_user(roles=("manager",), houses=(house,)))
    assert (await accountant.get(f"/staff/tickets/{ticket}")).status_code == 404

    card = await accountant.get(f"/staff/meters/meter/{expired.id}")
    assert card.status_code == 200 and link not in card.text and "житель заказал поверку" in card.text
    assert link in (await manager.get(f"/staff/meters/meter/{expired.id}")).text
