"""The operator proves a consent and enters what people bring on paper (152-ФЗ, DOMAIN.md §6), on both engines: the
person's staff page lists every consent record with its evidence (never shown on the person's own page); a consent
signed on paper and a withdrawal brought on paper or by letter are entered there, the withdrawal with the same
effects as the person's own on the portal; roles that may not see personal data are refused."""

from __future__ import annotations

from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta

from portal.accounts import actions
from portal.accounts import consent
from portal.accounts import privacy
from portal.accounts import rules
from portal.accounts.tables import ConsentRecord
from portal.accounts.tables import DataRequest
from portal.core import clock
from portal.core.security import Principal
from portal.core.tables import AuditEvent

GIVEN = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)
FEBRUARY = datetime(2026, 2, 10, 9, 0, tzinfo=UTC)


async def _person(make_user, make_house, **extra):
    """A resident of one account of a new house, a manager of that house; returns (house, resident, manager)."""
    house = await make_house(accounts=1)
    resident = await make_user(
        name="Анна Подписавшая", accounts={house["accounts"][0]: "owner"}, consent=False, **extra
    )
    manager = await make_user(name="Мария Офисная", roles=("manager",), houses=(house["house"],))
    return house, resident, manager


async def _records(user_id: int) -> list[dict]:
    return await ConsentRecord.select().where(ConsentRecord.user == user_id).order_by(ConsentRecord.id)


async def test_staff_read_each_consents_evidence_and_the_person_never_does(
    client, new_client, make_user, make_house, login
):
    _house, resident, manager = await _person(make_user, make_house)
    await ConsentRecord(
        user=resident, text_version=consent.current_version(), granted_at=GIVEN, ip="203.0.113.77",
        user_agent="EvidenceBrowser/9", channel="registration",
    ).save()  # fmt: skip
    await ConsentRecord(
        user=resident, consent_type="marketing", text_version=consent.optional_version("marketing"),
        granted_at=GIVEN, withdrawn_at=GIVEN + timedelta(days=3), withdrawn_channel="web", ip="198.51.100.5",
    ).save()  # fmt: skip

    staff = new_client()
    await login(staff, manager)
    page = await staff.get(f"/staff/people/{resident}")
    assert page.status_code == 200
    section = page.text.split('id="consents"')[1].split("</section>")[0]
    for words in (
        "Обработка персональных данных",
        "Предложения услуг",
        consent.current_version(),
        consent.optional_version("marketing"),
        "203.0.113.77",
        "EvidenceBrowser/9",
        "198.51.100.5",
        "При регистрации в личном кабинете",
        "В личном кабинете, на странице «Персональные данные»",  # how the offers were withdrawn
        "29 ноября 2026",
    ):
        assert words in section, words
    assert 'href="/consent/text/processing/1"' in section and 'href="/consent/text/marketing/1"' in section
    await staff.speak("en")
    english = (await staff.get(f"/staff/people/{resident}")).text
    assert "Text hash" in english and "203.0.113.77" in english and "On signing up to the portal" in english
    # Russian data and a language's own name read with a Russian voice on the English page
    assert '<h1><span lang="ru">Анна Подписавшая</span></h1>' in english and '<dd lang="ru">Русский</dd>' in english

    await login(client, resident)
    own = await client.get("/consent")
    assert own.status_code == 200 and "История вашего согласия" in own.text
    for evidence in (consent.current_version(), "203.0.113.77", "EvidenceBrowser", "198.51.100.5"):
        assert evidence not in own.text, evidence
    # A resident is no member of staff: the staff page of themselves is refused too.
    assert (await client.get(f"/staff/people/{resident}")).status_code in (403, 404)


async def test_a_role_that_may_not_see_personal_data_is_refused_and_staff_of_other_houses_find_no_one(
    client, new_client, make_user, make_house, login
):
    house, resident, _manager = await _person(make_user, make_house, rights=("view",))
    dispatcher = await make_user(roles=("dispatcher",), houses=(house["house"],))
    await login(client, dispatcher)
    assert (await client.get(f"/staff/people/{resident}")).status_code == 403
    sent = await client.form(
        f"/staff/people/{resident}/consents", {"edition": "marketing:1", "locale": "ru", "signed_on": "2026-12-03"}
    )
    assert sent.status_code == 403
    withdrawn = await client.form(
        f"/staff/people/{resident}/withdrawal", {"channel": "paper", "received_on": "2026-12-03"}
    )
    assert withdrawn.status_code == 403
    assert await _records(resident) == []

    elsewhere = await make_user(roles=("manager",), houses=((await make_house(accounts=1))["house"],))
    other = new_client()
    await login(other, elsewhere)
    assert (await other.get(f"/staff/people/{resident}")).status_code == 404
    assert (await other.form(f"/staff/people/{resident}/withdrawal", {"channel": "paper"})).status_code == 404


async def test_a_consent_signed_on_paper_is_entered_with_its_edition_its_day_and_who_entered_it(
    client, make_user, make_house, login
):
    _house, resident, manager = await _person(make_user, make_house)
    await login(client, manager)
    page = await client.get(f"/staff/people/{resident}")
    assert "Предложения услуг — редакция №\u00a01 от 2 декабря 2026" in page.text
    sent = await client.form(
        f"/staff/people/{resident}/consents", {"edition": "marketing:1", "locale": "ru", "signed_on": "2026-12-03"}
    )
    assert sent.status_code == 303 and sent.headers["location"] == f"/staff/people/{resident}#consents"
    [record] = await _records(resident)
    assert record["consent_type"] == "marketing" and record["channel"] == "paper"
    assert record["text_version"] == consent.optional_version("marketing")
    assert record["recorded_by"] == manager and record["withdrawn_at"] is None
    assert clock.local(record["granted_at"]).date() == date(2026, 12, 3)
    assert set(await privacy.standing_consents(resident)) == {"marketing"}
    [event] = await AuditEvent.select().where((AuditEvent.action == "consent.paper") & (AuditEvent.actor_id == manager))
    assert event["entity_id"] == resident

    shown = (await client.get(f"/staff/people/{resident}")).text.split('id="consents"')[1].split("</section>")[0]
    assert "На бумаге, в офисе управляющей компании" in shown and "Мария Офисная" in shown
    assert "подписано 3 декабря 2026" in shown
    # The same edition entered twice is one record.
    again = await client.form(
        f"/staff/people/{resident}/consents", {"edition": "marketing:1", "locale": "ru", "signed_on": "2026-12-04"}
    )
    assert again.status_code == 303 and len(await _records(resident)) == 1


async def test_a_paper_consent_with_a_wrong_day_or_no_edition_says_why_and_keeps_what_was_typed(
    client, make_user, make_house, login
):
    _house, resident, manager = await _person(make_user, make_house)
    await login(client, manager)
    url = f"/staff/people/{resident}/consents"
    tomorrow = clock.today_local() + timedelta(days=1)
    future = await client.form(url, {"edition": "marketing:1", "signed_on": tomorrow.isoformat()})
    assert future.status_code == 422
    assert "не может быть позже сегодняшнего" in future.text
    assert f'value="{tomorrow.isoformat()}"' in future.text
    assert '<option value="marketing:1" selected' in future.text

    early = await client.form(url, {"edition": "marketing:1", "signed_on": "01.12.2026"})
    assert early.status_code == 422
    assert "Эта редакция опубликована 2 декабря 2026" in early.text and 'value="01.12.2026"' in early.text

    none = await client.htmx_form(url, {"edition": "marketing:7", "signed_on": "31.02.2026"})
    assert none.status_code == 422
    assert "<html" not in none.text  # the page's main part for htmx to swap
    assert "Выберите документ и редакцию" in none.text and "Введите день как ДД.ММ.ГГГГ" in none.text
    assert 'value="31.02.2026"' in none.text
    await client.speak("en")
    english = await client.form(url, {"edition": "", "signed_on": ""})
    assert english.status_code == 422 and "Choose the document and the edition" in english.text
    assert await _records(resident) == []


async def test_a_withdrawal_brought_by_letter_stops_the_offers_and_the_data_is_deleted_30_days_after_it_came(
    client, make_user, make_house, login
):
    """DOMAIN.md §6: a withdrawal on 01.03 → the data deleted by 31.03; the same effects as the portal's (offers are
    sent only while ``rules.may_send`` finds the consents standing, by every sending path)."""
    _house, resident, manager = await _person(make_user, make_house)
    for kind, version in (
        ("processing", consent.current_version()),
        ("marketing", consent.optional_version("marketing")),
    ):
        await ConsentRecord(user=resident, consent_type=kind, text_version=version, granted_at=FEBRUARY).save()
    assert rules.may_send("marketing", await privacy.standing_consents(resident))

    await login(client, manager)
    bad = await client.form(f"/staff/people/{resident}/withdrawal", {"channel": "pigeon", "received_on": "2026-03-01"})
    assert bad.status_code == 422 and "Выберите, как пришёл отзыв" in bad.text and 'value="2026-03-01"' in bad.text
    early = await client.form(
        f"/staff/people/{resident}/withdrawal", {"channel": "letter", "received_on": "09.02.2026"}
    )
    assert early.status_code == 422 and "Человек дал согласие 10 февраля 2026, позже этого дня" in early.text
    assert '<option value="letter" selected' in early.text and 'value="09.02.2026"' in early.text
    assert await DataRequest.count().where(DataRequest.user == resident) == 0

    sent = await client.form(
        f"/staff/people/{resident}/withdrawal", {"channel": "letter", "received_on": "2026-03-01", "confirm": "1"}
    )
    assert sent.status_code == 303
    records = await _records(resident)
    assert {r["withdrawn_channel"] for r in records} == {"letter"}
    assert {r["withdrawn_by"] for r in records} == {manager}
    assert {clock.local(r["withdrawn_at"]).date() for r in records} == {date(2026, 3, 1)}
    erasure = await DataRequest.select().where(DataRequest.user == resident).first()
    assert erasure["kind"] == "erasure" and erasure["due_on"] == date(2026, 3, 31)
    assert await privacy.standing_consents(resident) == {}
    assert not rules.may_send("marketing", await privacy.standing_consents(resident))
    [event] = await AuditEvent.select().where(
        (AuditEvent.action == "consent.withdraw") & (AuditEvent.actor_id == manager)
    )
    assert event["entity_id"] == resident

    page = (await client.get(f"/staff/people/{resident}")).text
    assert "Письмом в управляющую компанию" in page and "внесено: Мария Офисная" in page
    assert 'action="/staff/people/' not in page.split('id="paper-withdrawal"')[1]  # nothing stands to withdraw


async def test_a_withdrawal_staff_enter_asks_once_more_without_javascript_too(client, make_user, make_house, login):
    """Entering a withdrawal ends every consent of the person at once, closes their portal and schedules the erasure
    of their data, yet one press on «Внести отзыв» did it, with no question even where JavaScript runs (a slip on the
    wrong person's page). The form now asks in a dialog, and without JavaScript the server asks on a page of its
    own that names the person, how the withdrawal came, the day received and the erasure's date; nothing is written
    until «Да, внести отзыв»."""
    _house, resident, manager = await _person(make_user, make_house)
    await ConsentRecord(user=resident, text_version=consent.current_version(), granted_at=FEBRUARY).save()
    await login(client, manager)
    page = (await client.get(f"/staff/people/{resident}")).text
    form = page.split(f'action="/staff/people/{resident}/withdrawal"')[1].split("</form>")[0]
    assert 'data-confirm="Внести отзыв? Все согласия человека прекратятся' in form
    assert '<input type="hidden" name="confirm" value="">' in form

    typed = {"channel": "letter", "received_on": "2026-03-01", "confirm": ""}
    asked = await client.form(f"/staff/people/{resident}/withdrawal", typed)
    assert asked.status_code == 200 and asked.headers["hx-push-url"] == "false"
    main = asked.text.split("<main")[1]
    assert "<h1>Внести отзыв согласия?</h1>" in main and "Анна Подписавшая" in main
    for fact in ("Письмом в управляющую компанию", "1 марта 2026", "31 марта 2026"):
        assert fact in main, fact
    question = main.split(f'action="/staff/people/{resident}/withdrawal"')[1].split("</form>")[0]
    for field in ('name="channel" value="letter"', 'name="received_on" value="2026-03-01"', 'name="confirm" value="1"'):
        assert field in question, field
    assert "Да, внести отзыв" in question
    assert f'href="/staff/people/{resident}#paper-withdrawal">Нет, оставить</a>' in question
    assert await privacy.standing_consents(resident) != {}
    assert await DataRequest.count().where(DataRequest.user == resident) == 0

    await client.speak("en")
    english = await client.form(f"/staff/people/{resident}/withdrawal", typed)
    assert "Enter the withdrawal of the consent?" in english.text and "Yes, enter the withdrawal" in english.text

    sent = await client.form(f"/staff/people/{resident}/withdrawal", {**typed, "confirm": "1"})
    assert sent.status_code == 303
    assert await privacy.standing_consents(resident) == {}
    assert (await DataRequest.select().where(DataRequest.user == resident).first())["due_on"] == date(2026, 3, 31)


async def test_the_persons_own_withdrawal_in_the_portal_records_the_portal_as_its_channel(client, make_user, login):
    user_id = await make_user()
    await login(client, user_id)
    await client.form("/consent/optional", {"consent_type": "marketing", "give": "yes"})
    await client.form("/consent/optional", {"consent_type": "marketing", "give": "no"})
    [offers] = [r for r in await _records(user_id) if r["consent_type"] == "marketing"]
    assert offers["withdrawn_channel"] == "web" and offers["withdrawn_by"] is None
    await client.form("/consent/withdraw", {"confirm": "1"})
    [processing] = [r for r in await _records(user_id) if r["consent_type"] == "processing"]
    assert processing["withdrawn_channel"] == "web" and processing["withdrawn_by"] is None


async def test_the_account_page_leads_to_its_peoples_pages_for_those_who_may_open_them(
    client, new_client, make_user, make_house, login
):
    house, resident, manager = await _person(make_user, make_house)
    account = house["accounts"][0]
    await login(client, manager)
    page = (await client.get(f"/staff/accounts/{account}")).text
    assert f'<a href="/staff/people/{resident}">Анна Подписавшая</a>' in page and "Люди в личном кабинете" in page
    dispatcher = await make_user(roles=("dispatcher",), houses=(house["house"],))
    other = new_client()
    await login(other, dispatcher)
    shown = await other.get(f"/staff/accounts/{account}")
    assert shown.status_code == 200 and "/staff/people/" not in shown.text


async def _erasure(user_id: int) -> dict:
    return await DataRequest.select().where(DataRequest.user == user_id).first()


async def test_the_processing_consent_signed_again_on_paper_cancels_the_waiting_erasure_as_the_portal_does(
    client, make_user, make_house, login
):
    """The paper consent goes through the portal's own cancelling (``actions._cancel_erasure``); a form signed
    before the withdrawal came and entered late does not undo it."""
    house, resident, manager = await _person(make_user, make_house)
    late = await make_user(name="Борис Поздний", accounts={house["accounts"][0]: "tenant"}, consent=False)
    for person in (resident, late):
        await ConsentRecord(user=person, text_version=consent.current_version(), granted_at=GIVEN).save()
    await login(client, manager)
    for person, received in ((resident, "2026-12-03"), (late, "2026-12-04")):
        typed = {"channel": "paper", "received_on": received, "confirm": "1"}
        sent = await client.form(f"/staff/people/{person}/withdrawal", typed)
        assert sent.status_code == 303 and (await _erasure(person))["done_at"] is None

    signed = {"edition": "processing:1", "locale": "ru", "signed_on": "2026-12-03"}
    assert (await client.form(f"/staff/people/{resident}/consents", signed)).status_code == 303
    refused = await client.form(f"/staff/people/{late}/consents", signed)
    assert refused.status_code == 422 and "Человек отозвал согласие 4 декабря 2026, позже этого дня" in refused.text
    assert 'value="2026-12-03"' in refused.text and await privacy.standing_consents(late) == {}
    # The action itself cancels no erasure whose withdrawal came after the day signed.
    edition = consent.edition_numbered("processing", 1)
    await actions.record_paper_consent(Principal(user_id=manager, name="x"), late, edition, date(2026, 12, 3), "ru")
    erasure = await _erasure(resident)
    assert erasure["done_at"] is not None and erasure["outcome"] == rules.ErasureOutcome.CANCELLED
    [event] = await AuditEvent.select().where(
        (AuditEvent.action == "personal_data.erasure_cancelled") & (AuditEvent.entity_id == resident)
    )
    assert event["actor_id"] == manager
    assert (await _erasure(late))["done_at"] is None  # signed on 03.12, before the withdrawal of 04.12 came
    assert await privacy.carry_out_erasures(datetime(2027, 1, 15, 9, 0, tzinfo=UTC)) == 1  # only the late one's


async def test_a_paper_withdrawal_of_the_day_a_consent_was_given_never_reads_before_it_was_given(
    client, make_user, make_house, login
):
    """Received on an earlier day (its hour unknown): kept at the start of that day, but not before the consent it
    ends was given; received today: the moment it is entered. The day stays the one received."""
    _house, resident, manager = await _person(make_user, make_house)
    given_at = clock.day_start(date(2026, 12, 3)) + timedelta(hours=15, minutes=20)
    older = clock.day_start(date(2026, 12, 2)) + timedelta(hours=10)
    await ConsentRecord(user=resident, text_version=consent.current_version(), granted_at=given_at).save()
    await ConsentRecord(
        user=resident, consent_type="marketing", text_version=consent.optional_version("marketing"), granted_at=older
    ).save()  # fmt: skip
    await login(client, manager)
    typed = {"channel": "letter", "received_on": "2026-12-03", "confirm": "1"}
    sent = await client.form(f"/staff/people/{resident}/withdrawal", typed)
    assert sent.status_code == 303
    for record in await _records(resident):
        assert record["withdrawn_at"] >= record["granted_at"], record
        assert clock.local(record["withdrawn_at"]).date() == date(2026, 12, 3)
    assert {r["withdrawn_at"] for r in await _records(resident)} == {given_at}
    assert (await _erasure(resident))["due_on"] == rules.erasure_due(date(2026, 12, 3))


def test_the_moment_a_paper_withdrawal_is_kept_at():
    start = clock.day_start(date(2026, 3, 1))
    given = start + timedelta(hours=14)
    now = clock.day_start(date(2026, 3, 4)) + timedelta(hours=11)
    assert rules.paper_moment(start, now, given) == given
    assert rules.paper_moment(start, now, start - timedelta(days=9)) == start
    assert rules.paper_moment(start, now, None) == start
    today = clock.day_start(date(2026, 3, 4))
    assert rules.paper_moment(today, now, today + timedelta(hours=2)) == now


async def test_a_paper_consent_keeps_the_language_of_the_text_signed_as_a_portal_consent_keeps_the_one_shown(
    client, make_user, make_house, login
):
    """``locale`` of a consent record is the language its text was read in (the portal keeps the page's): for a
    paper form, the one staff say was signed — Russian unless they choose the English translation — not a guess."""
    _house, resident, manager = await _person(make_user, make_house)
    await login(client, manager)
    url = f"/staff/people/{resident}/consents"
    page = (await client.get(f"/staff/people/{resident}")).text
    assert "Язык подписанного текста" in page and '<option value="ru" selected' in page
    wrong = await client.form(url, {"edition": "marketing:1", "locale": "de", "signed_on": "2026-12-03"})
    assert wrong.status_code == 422 and "Выберите язык текста, который подписал человек" in wrong.text
    assert 'href="#f-pc-locale"' in wrong.text and await _records(resident) == []

    sent = await client.form(url, {"edition": "marketing:1", "locale": "en", "signed_on": "2026-12-03"})
    assert sent.status_code == 303
    await client.form(url, {"edition": "processing:1", "locale": "ru", "signed_on": "2026-12-03"})
    assert {r["consent_type"]: r["locale"] for r in await _records(resident)} == {"marketing": "en", "processing": "ru"}
    shown = (await client.get(f"/staff/people/{resident}")).text.split('id="consents"')[1].split("</section>")[0]
    assert "<dt>Язык</dt>" in shown and "English" in shown and "Русский" in shown


async def test_a_paper_form_of_a_separate_consent_signed_before_its_withdrawal_is_refused(
    client, make_user, make_house, login
):
    """The person withdrew the offers on the portal on 04.12: a form of the offers signed on 03.12, entered later,
    would stand though the withdrawal ended it. Signed the same day or later, it is entered."""
    _house, resident, manager = await _person(make_user, make_house)
    withdrawn = clock.day_start(date(2026, 12, 4)) + timedelta(hours=12)
    await ConsentRecord(
        user=resident, consent_type="marketing", text_version=consent.optional_version("marketing"),
        granted_at=withdrawn - timedelta(hours=2), withdrawn_at=withdrawn, withdrawn_channel="web",
    ).save()  # fmt: skip
    await login(client, manager)
    url = f"/staff/people/{resident}/consents"
    early = await client.form(url, {"edition": "marketing:1", "locale": "ru", "signed_on": "2026-12-03"})
    assert early.status_code == 422 and "отозвал согласие 4 декабря 2026" in early.text
    await client.speak("en")
    english = await client.form(url, {"edition": "marketing:1", "locale": "ru", "signed_on": "2026-12-03"})
    assert "The person withdrew their consent on 4 December 2026" in english.text
    assert (
        await client.form(url, {"edition": "dissemination:1", "locale": "ru", "signed_on": "2026-12-03"})
    ).status_code == 303
    assert (
        await client.form(url, {"edition": "marketing:1", "locale": "ru", "signed_on": "2026-12-04"})
    ).status_code == 303
    assert set(await privacy.standing_consents(resident)) == {"dissemination", "marketing"}


async def test_a_paper_consent_given_again_the_day_of_a_withdrawal_never_reads_before_that_withdrawal(
    client, make_user, make_house, login
):
    """Signed the day the person withdrew on the portal (at 14:00): kept at the withdrawal's moment, not at the
    start of that day, hours before the withdrawal it answers; signed today: at the moment it is entered."""
    _house, resident, manager = await _person(make_user, make_house)
    withdrawn = clock.day_start(date(2026, 12, 3)) + timedelta(hours=14)
    await ConsentRecord(
        user=resident, text_version=consent.current_version(), granted_at=withdrawn - timedelta(hours=5),
        withdrawn_at=withdrawn, withdrawn_channel="web",
    ).save()  # fmt: skip
    await login(client, manager)
    url = f"/staff/people/{resident}/consents"
    sent = await client.form(url, {"edition": "processing:1", "locale": "ru", "signed_on": "2026-12-03"})
    assert sent.status_code == 303
    before = clock.now()
    sent = await client.form(
        url, {"edition": "marketing:1", "locale": "ru", "signed_on": clock.today_local().isoformat()}
    )
    assert sent.status_code == 303
    given = {r["consent_type"]: r["granted_at"] for r in await _records(resident) if r["withdrawn_at"] is None}
    assert given["processing"] == withdrawn and clock.local(given["processing"]).date() == date(2026, 12, 3)
    assert before <= given["marketing"] <= clock.now()
    shown = (await client.get(f"/staff/people/{resident}")).text
    assert "подписано 3 декабря 2026" in shown


async def test_the_person_and_the_operator_read_the_same_records_newest_first(make_user, make_house):
    """The person's own list and the operator's list with the evidence are one read: the person's records alone,
    the newest given first (a consent given twice in one moment, the later entered first)."""
    from portal.accounts import queries

    _house, resident, manager = await _person(make_user, make_house)
    other = await make_user(name="Чужой")
    for user, kind, at in [(resident, "processing", FEBRUARY), (resident, "marketing", GIVEN),
                           (resident, "processing", GIVEN), (other, "processing", GIVEN)]:  # fmt: skip
        await ConsentRecord(user=user, consent_type=kind, text_version="v1", granted_at=at, recorded_by=manager).save()
    mine = [(r.consent_type, r.granted_at) for r in await queries.consent_history(resident)]
    assert mine == [("processing", GIVEN), ("marketing", GIVEN), ("processing", FEBRUARY)]
    evidence = await queries.consent_evidence(resident)
    assert [(r.consent_type, r.granted_at) for r in evidence] == mine
    assert {r.recorded_by_name for r in evidence} == {"Мария Офисная"}
    assert len(await queries.consent_history(resident, limit=2)) == 2
