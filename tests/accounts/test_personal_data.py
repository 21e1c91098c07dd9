"""The 152-ФЗ duties on both engines (DOMAIN.md §6): a withdrawal stops what needs the consent and schedules the
erasure that staff see; the separate consents; the access answer as a file; corrections with their deadline;
the erasure job on its date."""

from __future__ import annotations

import json
import re
from datetime import date
from datetime import timedelta

from portal.accounts import privacy
from portal.accounts import rules
from portal.accounts.notify import notify
from portal.accounts.tables import ConsentRecord
from portal.accounts.tables import DataRequest
from portal.accounts.tables import User
from portal.core import clock
from portal.core import i18n
from portal.core.tables import AuditEvent
from portal.core.tables import OutboxMessage
from tests.content.conftest import staff_principal  # noqa: F401  (the same house and people)
from tests.content.conftest import town  # noqa: F401  (the same house and people)


async def _erasure(user_id: int) -> dict | None:
    return await DataRequest.select().where((DataRequest.user == user_id) & (DataRequest.kind == "erasure")).first()


async def test_a_withdrawal_schedules_the_erasure_and_an_admin_sees_its_date(client, new_client, make_user, login):
    user_id = await make_user(name="Пётр Отозвавший")
    admin_id = await make_user(roles=("admin",))
    await login(client, user_id)
    before = clock.today_local()
    response = await client.form("/consent/withdraw", {"confirm": "1"})
    assert response.status_code == 303
    erasure = await _erasure(user_id)
    due = erasure["due_on"]  # counted from the company's date when it was received (midnight may pass meanwhile)
    assert due in {rules.erasure_due(before), rules.erasure_due(clock.today_local())} and erasure["done_at"] is None
    page = await client.get("/consent")
    assert i18n.format_day(due, locale="ru") in page.text
    assert "Скачать мои данные" in page.text
    assert await AuditEvent.exists().where((AuditEvent.action == "consent.withdraw") & (AuditEvent.actor_id == user_id))

    staff = new_client()
    await login(staff, admin_id)
    listing = await staff.get("/staff/personal-data")
    assert listing.status_code == 200
    row = listing.text.split("Пётр Отозвавший")[1].split("</tr>")[0]
    assert "Удаление после отзыва" in row and i18n.format_day(due, locale="ru") in row

    # Giving the consent again cancels the erasure.
    await client.form("/consent", {"agree": "yes", "next": "/"})
    erasure = await _erasure(user_id)
    assert erasure["done_at"] is not None and erasure["outcome"] == "cancelled"


async def test_after_a_withdrawal_only_what_the_law_requires_is_sent(db, make_user, monkeypatch):
    from portal.notifications import messages
    from portal.notifications.rules import Topic

    news = messages.MessageTemplate("test/news", Topic.NEWS, lambda c: "Новости дома", lambda c: "Субботник")
    monkeypatch.setitem(messages._templates, "test/news", news)
    outage = messages.MessageTemplate("test/outage", Topic.EMERGENCY, lambda c: "Отключение", lambda c: "Нет воды")
    monkeypatch.setitem(messages._templates, "test/outage", outage)
    user_id = await make_user()
    # The person asked for news by e-mail too (the settings' default is in-app only).
    from portal.notifications.actions import save_choices
    from portal.notifications.rules import DEFAULTS
    from portal.notifications.rules import Channel

    await save_choices(user_id, {(t, c) for t in Topic for c in DEFAULTS[t]} | {(Topic.NEWS, Channel.EMAIL)})

    async def sent(template: str, key: str, **words: str) -> int:
        return await notify(user_id, template, dedupe_key=key, **words)

    assert await sent("test/news", "n1") == 2  # in-app and e-mail while the consent stands
    await ConsentRecord.update({ConsentRecord.withdrawn_at: clock.now()}).where(ConsentRecord.user == user_id)
    assert await sent("test/news", "n2") == 0
    assert await sent("test/outage", "o1") == 2  # an emergency
    assert await sent("debt", "d1", subject="Задолженность", body="Долг 1 500,00 ₽") == 2  # the account's own
    keys = {r["dedupe_key"] for r in await OutboxMessage.select().where(OutboxMessage.user_id == user_id)}
    assert not any(":n2:" in k for k in keys) and any(":o1:" in k for k in keys) and any(":d1:" in k for k in keys)


async def test_a_news_post_skips_a_person_who_withdrew_and_an_emergency_reaches_them(db, town, staff_principal):  # noqa: F811
    from portal.content import actions
    from portal.content.rules import Move
    from portal.content.tables import PostKind
    from portal.notifications import actions as choices
    from portal.notifications.rules import DEFAULTS
    from portal.notifications.rules import Audience
    from portal.notifications.rules import Channel
    from portal.notifications.rules import Topic
    from tests.notifications.test_delivery import _passes

    t = await town()
    anna, boris, _vera = t["residents"]
    wanted = {(topic, channel) for topic, chans in DEFAULTS.items() for channel in chans} | {
        (Topic.NEWS, Channel.EMAIL)
    }
    for person in (anna, boris):
        await choices.save_choices(person, wanted)
    await ConsentRecord.update({ConsentRecord.withdrawn_at: clock.now()}).where(ConsentRecord.user == anna)
    moderator = await staff_principal(t["moderator"], "moderator")
    posts = {}
    for kind in (PostKind.NEWS, PostKind.EMERGENCY):
        posts[kind] = await actions.save_post(
            moderator,
            actions.PostInput(
                kind=kind,
                title=f"Пост {kind}",
                body="Текст",
                audience=Audience.of(houses=[t["house"]]),
                by_email=True,
                by_sms=False,
                by_push=False,
            ),
        )
        moves = [Move.SEND_NOW] if kind == PostKind.EMERGENCY else [Move.SUBMIT, Move.APPROVE]
        for move in moves:
            await actions.move(moderator, posts[kind], move)
    await _passes(2)

    async def emailed(kind: PostKind) -> set[int]:
        rows = await OutboxMessage.select(OutboxMessage.user_id).where(
            (OutboxMessage.ref == f"post:{posts[kind]}") & (OutboxMessage.channel == "email")
        )
        return {r["user_id"] for r in rows}

    assert await emailed(PostKind.NEWS) == {boris}
    assert await emailed(PostKind.EMERGENCY) == {anna, boris}


async def test_the_person_downloads_everything_held_about_them_even_after_withdrawing(
    client, make_user, make_account, login
):
    from portal.tickets.tables import Ticket
    from portal.tickets.tables import TicketEvent

    place = await make_account()
    user_id = await make_user(name="Ольга Выгрузкина", email="olga@example.ru", accounts={place.account: "owner"})
    ticket = Ticket(number=990001, house=place.house, account=place.account, author=user_id, description="Течёт кран")
    await ticket.save()
    await TicketEvent(ticket=ticket.id, kind="message", comment="Придём завтра", visible_to_resident=True).save()
    await login(client, user_id)
    await client.form("/consent/withdraw", {"confirm": "1"})

    response = await client.form("/consent/export")
    assert response.status_code == 200
    assert response.headers["content-disposition"].startswith('attachment; filename="personal-data-')
    data = json.loads(response.content)
    assert data["profile"]["full_name"] == "Ольга Выгрузкина" and data["profile"]["email"] == "olga@example.ru"
    assert [a["account"] for a in data["accounts"]["rows"]] == [place.number]
    assert data["requests"]["rows"][0]["description"] == "Течёт кран"
    assert data["request_messages"]["rows"][0]["comment"] == "Придём завтра"
    [consent] = data["consents"]["rows"]
    assert consent["withdrawn_at"] is not None and consent["withdrawn_channel"] == "web" and consent["locale"] == "ru"
    assert {r["kind"] for r in data["personal_data_requests"]["rows"]} == {"erasure", "access"}
    assert "consent.withdraw" in {a["action"] for a in data["own_actions"]["rows"]}
    assert all(part["complete"] for part in data.values() if isinstance(part, dict) and "complete" in part)
    access = await DataRequest.select().where((DataRequest.user == user_id) & (DataRequest.kind == "access")).first()
    assert access["done_at"] is not None and access["outcome"] == "answered"


async def test_the_download_holds_the_persons_answers_to_events(client, login, town, staff_principal):  # noqa: F811
    """Her answers only (title, its English twin, start, going, when answered); the page says so in both languages."""
    from datetime import datetime

    from portal.content import actions
    from portal.content.forms import EventFields
    from portal.content.rules import Move
    from portal.content.tables import PostKind
    from portal.notifications.rules import Audience

    t = await town()
    anna, boris, _vera = t["residents"]
    moderator = await staff_principal(t["moderator"], "moderator")
    starts_at = clock.now() + timedelta(days=3)
    event = await actions.save_post(moderator, actions.PostInput(
        kind=PostKind.EVENT, title="Субботник во дворе", body="Грабли выдаём.", title_en="Courtyard clean-up",
        audience=Audience.of(houses=[t["house"]]), by_email=False, by_sms=False, by_push=False,
        event=EventFields(starts_at, starts_at + timedelta(hours=3), "Двор дома", None),
    ))  # fmt: skip
    for move in (Move.SUBMIT, Move.APPROVE):
        await actions.move(moderator, event, move)
    for person, going in ((anna, "1"), (boris, "0")):
        await login(client, person)
        assert (await client.form(f"/news/{event}/answer", {"going": going})).status_code == 303

    await login(client, anna)
    assert "ответы «Пойду» и «Не пойду» на мероприятия" in (await client.get("/consent/export")).text
    data = json.loads((await client.form("/consent/export")).content)
    [answer] = data["event_answers"]["rows"]  # hers only, not Boris's
    assert (answer["event"], answer["event_en"]) == ("Субботник во дворе", "Courtyard clean-up")
    assert answer["going"] is True
    assert datetime.fromisoformat(answer["event_starts_at"]) == starts_at
    assert abs(datetime.fromisoformat(answer["answered_at"]) - clock.now()) < timedelta(minutes=5)
    assert data["event_answers"]["complete"]

    await login(client, boris)  # reads English
    assert "answers to events" in (await client.get("/consent/export")).text
    [answer] = json.loads((await client.form("/consent/export")).content)["event_answers"]["rows"]
    assert answer["event_en"] == "Courtyard clean-up" and answer["going"] is False


async def _access_requests(user_id: int) -> int:
    return await DataRequest.count().where((DataRequest.user == user_id) & (DataRequest.kind == "access"))


async def test_only_the_press_of_the_button_downloads_the_data_and_records_the_access_request(client, make_user, login):
    """The download was a link (a GET) that recorded an access request: a link preview, a prefetch or a HEAD
    recorded one too, and the staff's list filled with requests nobody made. The consent page's «Скачать мои данные»
    is now a button that posts (one press, as before); the address opened as a page shows the same button and
    records nothing; a post without the form's token is refused."""
    user_id = await make_user()
    await login(client, user_id)
    consent = (await client.get("/consent")).text.split('id="download"')[1].split("</section>")[0]
    form = consent.split('action="/consent/export"')[1].split("</form>")[0]
    assert 'name="_csrf_token"' in form and "Скачать мои данные" in form
    assert '<form method="post" action="/consent/export"' in consent

    page = await client.get("/consent/export")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    main = page.text.split("<main")[1]
    assert '<form method="post" action="/consent/export"' in main and "Скачать мои данные" in main
    assert 'href="/consent">Персональные данные</a>' in main
    assert (await client.head("/consent/export")).status_code == 200
    refused = await client.post("/consent/export", data={})
    assert refused.status_code == 403 and "attachment" not in refused.headers.get("content-disposition", "")
    assert await _access_requests(user_id) == 0
    assert not await AuditEvent.exists().where(AuditEvent.action == "personal_data.access")

    answered = await client.form("/consent/export")
    assert answered.headers["content-disposition"].startswith('attachment; filename="personal-data-')
    assert json.loads(answered.content)["profile"]["id"] == user_id
    assert await _access_requests(user_id) == 1
    assert await AuditEvent.count().where(AuditEvent.action == "personal_data.access") == 1


def _spoken(html: str) -> str:
    """What a screen reader says for a piece of markup: its text without the tags, hidden parts included."""
    return " ".join(re.sub(r"<[^>]+>", "", html).split())


async def test_each_separate_consent_names_itself_in_its_button_and_its_text_link(client, make_user, login):
    """A screen reader lists buttons and links apart from their headings: the page offered two «Дать согласие» and
    two «Прочитать текст» without saying which consent each was for."""
    user_id = await make_user()
    await login(client, user_id)
    await client.form("/consent/optional", {"consent_type": "marketing", "give": "yes"})
    page = (await client.get("/consent")).text
    forms = re.findall(r'<form method="post" action="/consent/optional">(.*?)</form>', page, re.S)
    buttons = [_spoken(re.search(r"<button[^>]*>(.*?)</button>", f, re.S).group(1)) for f in forms]
    assert buttons == ["Дать согласие: Распространение", "Отозвать: Предложения услуг"]
    links = [_spoken(x) for x in re.findall(r'<details class="consent-preview"><summary>(.*?)</summary>', page, re.S)]
    assert links == ["Прочитать текст: Распространение", "Прочитать текст: Предложения услуг"]
    assert 'role="region" aria-label="Текст согласия: Распространение"' in page


async def test_the_separate_consents_are_given_and_withdrawn_one_by_one(client, make_user, login):
    user_id = await make_user()
    await login(client, user_id)
    page = await client.get("/consent")
    assert "Согласие на получение предложений услуг" in page.text
    assert (await client.form("/consent/optional", {"consent_type": "marketing", "give": "yes"})).status_code == 303
    assert (await client.form("/consent/optional", {"consent_type": "dissemination", "give": "yes"})).status_code == 303
    assert set(await privacy.standing_consents(user_id)) == {"processing", "marketing", "dissemination"}
    await client.form("/consent/optional", {"consent_type": "marketing", "give": "no"})
    assert set(await privacy.standing_consents(user_id)) == {"processing", "dissemination"}
    marketing = await ConsentRecord.select().where(
        (ConsentRecord.user == user_id) & (ConsentRecord.consent_type == "marketing")
    )
    assert len(marketing) == 1 and marketing[0]["withdrawn_at"] is not None
    actions = await AuditEvent.select(AuditEvent.action, AuditEvent.changes).where(AuditEvent.actor_id == user_id)
    assert [a["action"] for a in actions].count("consent.give") == 2
    assert [a["action"] for a in actions].count("consent.withdraw") == 1
    # A withdrawal of the processing consent takes the separate ones with it, and none is given without it.
    await client.form("/consent/withdraw", {"confirm": "1"})
    assert await privacy.standing_consents(user_id) == {}
    await client.form("/consent/optional", {"consent_type": "marketing", "give": "yes"})
    assert await privacy.standing_consents(user_id) == {}
    assert (await client.form("/consent/optional", {"consent_type": "processing", "give": "no"})).status_code == 404


async def test_a_correction_is_due_in_seven_working_days_and_staff_answer_it(client, new_client, make_user, login):
    """ст. 21 ч. 3: staff correct the data and tell the person; the answer is kept with the request, told in the
    person's language, and read on their page. Without an outcome or an answer nothing is saved and the words typed
    come back."""
    user_id = await make_user(name="Иван Исправляев", locale="en")
    admin_id = await make_user(roles=("admin",))
    await login(client, user_id)
    empty = await client.form("/consent/correction", {"details": ""})
    assert empty.status_code == 422
    before = clock.today_local()
    sent = await client.form("/consent/correction", {"details": "Фамилия пишется через «ё»"})
    assert sent.status_code == 303
    row = await DataRequest.select().where(DataRequest.user == user_id).first()
    due = {rules.correction_due(before), rules.correction_due(clock.today_local())}  # midnight may pass meanwhile
    assert row["kind"] == "correction" and row["due_on"] in due

    staff = new_client()
    await login(staff, admin_id)
    listing = await staff.get("/staff/personal-data")
    assert "Фамилия пишется через «ё»" in listing.text and f'href="/staff/personal-data/{row["id"]}"' in listing.text
    page = await staff.get(f"/staff/personal-data/{row['id']}")
    assert page.status_code == 200 and "Фамилия пишется через «ё»" in page.text
    typed = "Исправили: Ёлкин"
    refused = await staff.form(f"/staff/personal-data/{row['id']}/done", {"outcome": "", "answer": typed})
    assert refused.status_code == 422 and typed in refused.text and 'aria-invalid="true"' in refused.text
    assert (await DataRequest.select().where(DataRequest.id == row["id"]).first())["done_at"] is None
    no_words = await staff.form(f"/staff/personal-data/{row['id']}/done", {"outcome": "corrected", "answer": " "})
    assert no_words.status_code == 422

    answered = await staff.form(f"/staff/personal-data/{row['id']}/done", {"outcome": "corrected", "answer": typed})
    assert answered.status_code == 303
    row = await DataRequest.select().where(DataRequest.id == row["id"]).first()
    assert row["done_at"] is not None and row["done_by"] == admin_id
    assert (row["outcome"], row["answer"]) == ("corrected", typed)
    assert "Фамилия пишется через «ё»" not in (await staff.get("/staff/personal-data")).text.split('id="done"')[0]
    audit_row = await AuditEvent.select().where(AuditEvent.action == "personal_data.done").first()
    assert audit_row["entity_id"] == row["id"] and json.loads(audit_row["changes"])["outcome"] == "corrected"
    # Told in the person's language (English), whoever answered; the answer's own words as typed.
    told = (
        await OutboxMessage.select()
        .where(OutboxMessage.user_id == user_id)
        .where(OutboxMessage.dedupe_key.like(f"%:personal_data:{row['id']}:answer:%"))
    )
    assert told and all(m["subject"] == "Your request to correct your data: corrected" for m in told)
    assert any(typed in m["body"] for m in told)
    # Answered once: a second answer (another admin's tab) changes nothing.
    again = await staff.form(f"/staff/personal-data/{row['id']}/done", {"outcome": "refused", "answer": "Нет"})
    assert again.status_code == 303
    assert (await DataRequest.select().where(DataRequest.id == row["id"]).first())["outcome"] == "corrected"

    await login(client, user_id)
    mine = (await client.get("/consent")).text.split('id="requests"', 1)[1]
    assert typed in mine and "Corrected" in mine
    assert (await client.get("/staff/personal-data")).status_code in (403, 404)
    assert (await client.get(f"/staff/personal-data/{row['id']}")).status_code in (403, 404)


async def test_the_erasure_job_anonymises_restricts_or_cancels_on_the_date(db, make_user, make_account):
    from portal.accounts import actions
    from portal.core.security import Principal

    place = await make_account()
    owner = await make_user(name="Собственник Счёта", accounts={place.account: "owner"})
    leaver = await make_user(name="Уехавший Житель", email="gone@example.ru")
    returned = await make_user(name="Передумавший Житель")
    for user_id in (owner, leaver, returned):
        await actions.withdraw_consent(Principal(user_id=user_id, name="x"))
    await actions.accept_consent(Principal(user_id=returned, name="x"), ip="", user_agent="", locale="ru")

    assert await privacy.carry_out_erasures(clock.now()) == 0  # not yet due
    later = clock.now() + timedelta(days=45)
    assert await privacy.carry_out_erasures(later) == 2  # the returned one was cancelled at once
    outcomes = {r["user"]: r["outcome"] for r in await DataRequest.select().where(DataRequest.kind == "erasure")}
    assert outcomes == {owner: "restricted", leaver: "anonymised", returned: "cancelled"}
    gone = await User.select().where(User.id == leaver).first()
    assert gone["full_name"] == "" and gone["email"] is None and not gone["is_active"]
    kept = await User.select().where(User.id == owner).first()
    assert kept["full_name"] == "Собственник Счёта" and kept["is_active"]
    assert await privacy.carry_out_erasures(later) == 0  # done once
    assert await AuditEvent.exists().where(
        (AuditEvent.action == "personal_data.anonymised") & (AuditEvent.entity_id == leaver)
    )


async def test_domain_dates_a_withdrawal_of_01_03_erased_on_31_03_and_a_download_of_monday_13_04_due_27_04(
    client, make_user, make_account, login, monkeypatch
):
    """DOMAIN.md §6's cases through the portal's own paths, the clock set to the days: withdrawn on 01.03 → nothing
    happens on 30.03, on 31.03 the data is destroyed (restricted where the management contract is another ground);
    the data downloaded on Monday 13.04.2026 is an access request due 27.04.2026."""
    from portal.accounts import actions
    from portal.core.security import Principal

    place = await make_account()
    owner = await make_user(name="Собственник Счёта", accounts={place.account: "owner"})
    leaver = await make_user(name="Уехавший Житель", email="left@example.ru")
    await login(client, owner)

    def on(day: date, hour: int = 10) -> None:
        moment = clock.day_start(day) + timedelta(hours=hour)
        monkeypatch.setattr(clock, "now", lambda: moment)
        monkeypatch.setattr(clock, "today_local", lambda: day)

    on(date(2026, 3, 1))
    for user_id in (owner, leaver):
        assert await actions.withdraw_consent(Principal(user_id=user_id, name="x")) == date(2026, 3, 31)
    assert await privacy.carry_out_erasures(clock.day_start(date(2026, 3, 30)) + timedelta(hours=23)) == 0
    assert await privacy.carry_out_erasures(clock.day_start(date(2026, 3, 31)) + timedelta(hours=1)) == 2
    outcomes = {r["user"]: r["outcome"] for r in await DataRequest.select().where(DataRequest.kind == "erasure")}
    assert outcomes == {owner: "restricted", leaver: "anonymised"}

    on(date(2026, 4, 13))  # a Monday
    assert (await client.form("/consent/export")).status_code == 200
    access = await DataRequest.select().where((DataRequest.user == owner) & (DataRequest.kind == "access")).first()
    assert clock.local(access["received_at"]).date() == date(2026, 4, 13) and access["due_on"] == date(2026, 4, 27)


async def test_the_persons_page_says_an_erasure_was_cancelled_and_reads_a_paper_consent_by_its_day(
    client, make_user, login
):
    """A cancelled erasure read «Выполнено: <date>» like a deletion done; a paper consent (kept at the start of the
    day signed) read «00:00» of that day, an hour nobody wrote down."""
    user_id = await make_user()
    await login(client, user_id)
    signed = clock.day_start(date(2026, 12, 3))
    await ConsentRecord(
        user=user_id, consent_type="marketing", text_version="x", granted_at=signed, channel="paper"
    ).save()  # fmt: skip
    await client.form("/consent/withdraw", {"confirm": "1"})
    await client.form("/consent", {"agree": "yes", "next": "/"})
    page = (await client.get("/consent")).text
    requests = page.split('id="requests"')[1].split("</section>")[0]
    assert "Удаление после отзыва" in requests and "Отменено: согласие дано снова" in requests
    history = page.split("История вашего согласия")[1]
    assert "подписано 3 декабря 2026" in history and "3 декабря 2026, 00:00" not in history
    await client.speak("en")
    english = (await client.get("/consent")).text
    assert "Cancelled: consent given again" in english and "signed on 3 December 2026" in english


async def test_an_empty_correction_is_answered_by_a_summary_in_its_own_section_far_down_the_page(
    client, make_user, login
):
    """The page's one summary stood at the consent's form (shown only before a consent is given): an empty request
    was answered at the top of the page, its message 1700 px below on a phone, nothing focused."""
    user_id = await make_user()
    await login(client, user_id)
    sent = await client.form("/consent/correction", {"details": ""})
    assert sent.status_code == 422
    section = sent.text.split('id="requests"')[1].split("</section>")[0]
    assert 'class="error-summary"' in section and 'href="#f-details"' in section
    assert sent.text.count('class="error-summary"') == 1

    await client.form("/consent/withdraw", {"confirm": "1"})
    refused = await client.form("/consent", {"next": "/"})
    assert refused.status_code == 422 and refused.text.count('class="error-summary"') == 1
    assert 'class="error-summary"' in refused.text.split('id="download"')[0]  # at the consent's own form


async def test_a_correction_too_long_is_refused_with_what_was_typed_kept(client, make_user, login):
    """A request to correct one's data was cut at 2000 characters in silence: its end, often the spelling asked
    for, was lost. It is refused, saying the limit, with the text kept to shorten."""
    user_id = await make_user()
    await login(client, user_id)
    long = "Фамилия пишется через «ё». " * 80 + "Правильно: Фёдоров."
    refused = await client.form("/consent/correction", {"details": long})
    assert refused.status_code == 422
    assert "Слишком длинный запрос: не больше 2000\u00a0символов. Сократите его, пожалуйста." in refused.text
    assert "Правильно: Фёдоров.</textarea>" in refused.text
    assert await DataRequest.count().where(DataRequest.user == user_id) == 0
    await client.speak("en")
    refused = await client.form("/consent/correction", {"details": long})
    assert "The request is too long: at most 2000\u00a0characters. Shorten it, please." in refused.text
