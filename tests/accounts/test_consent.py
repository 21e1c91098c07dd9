"""The personal-data consent gate (152-ФЗ): first sign-in, a new text version, withdrawal, the records kept."""

from __future__ import annotations

from datetime import UTC
from datetime import date
from datetime import datetime

from portal.accounts import consent
from portal.accounts import queries
from portal.accounts.tables import ConsentRecord
from portal.accounts.tables import User
from tests.accounts.test_joining import _last_link


async def _records(user_id: int) -> list[dict]:
    return await ConsentRecord.select().where(ConsentRecord.user == user_id).order_by(ConsentRecord.id)


async def test_a_user_without_consent_can_do_nothing_before_accepting(client, make_user, make_house, login):
    house = await make_house(accounts=1)
    user_id = await make_user(accounts={house["accounts"][0]: "owner"}, consent=False)
    await login(client, user_id)
    for path in ("/", "/profile", "/more", f"/accounts/{house['accounts'][0]}/people"):
        response = await client.get(path)
        assert response.status_code == 303, path
        assert response.headers["location"] == f"/consent?next={path}"
    refused = await client.form("/profile", {"full_name": "Изменённое имя", "locale": "ru"})
    assert refused.status_code == 303
    assert refused.headers["location"].startswith("/consent")
    assert not await User.exists().where(User.full_name == "Изменённое имя")

    page = await client.get("/consent?next=/profile")
    assert page.status_code == 200
    assert "Согласие на обработку персональных данных" in page.text
    assert 'name="agree"' in page.text and "checked" not in page.text.split('name="agree"')[1].split(">")[0]

    unticked = await client.form("/consent", {"next": "/profile"})
    assert unticked.status_code == 422
    assert await _records(user_id) == []
    # The way out without consenting is on the page itself (on a phone the top bar has no «Выйти»).
    main = page.text.split("<main")[1]
    assert 'action="/logout"' in main and "Не давать согласие и выйти" in main

    accepted = await client.form(
        "/consent", {"agree": "yes", "next": "/profile"}, headers={"user-agent": "TestBrowser/1.0"}
    )
    assert accepted.status_code == 303
    assert accepted.headers["location"] == "/profile"
    [record] = await _records(user_id)
    assert record["text_version"] == consent.current_version()
    assert record["consent_type"] == "processing"
    assert record["ip"] == "127.0.0.1"
    assert record["user_agent"] == "TestBrowser/1.0"
    assert record["channel"] == "registration"  # the first consent is the one given on signing up
    assert record["granted_at"].utcoffset().total_seconds() == 0
    assert (await client.get("/profile")).status_code == 200


async def test_a_new_text_version_asks_again_and_keeps_the_old_record(client, make_user, login, monkeypatch):
    user_id = await make_user()
    await login(client, user_id)
    assert (await client.get("/profile")).status_code == 200

    monkeypatch.setitem(consent.TEXTS, "ru", consent.TEXTS["ru"] + "\n7. Новый пункт.\n")
    response = await client.get("/profile")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/consent")
    assert "7. Новый пункт." in (await client.get("/consent")).text

    await client.form("/consent", {"agree": "yes", "next": "/"})
    old, new = await _records(user_id)
    assert old["text_version"] != new["text_version"] == consent.current_version()
    assert new["channel"] == "web"  # given again later, on the portal's page
    assert old["withdrawn_at"] is None
    assert (await client.get("/profile")).status_code == 200


async def test_withdrawal_is_recorded_and_closes_the_portal_until_accepted_again(client, make_user, login):
    user_id = await make_user()
    await login(client, user_id)
    response = await client.form("/consent/withdraw", {"confirm": "1"})
    assert response.status_code == 303
    [record] = await _records(user_id)
    assert record["withdrawn_at"] is not None
    page = await client.get("/consent")
    assert "будут удалены до" in page.text
    assert (await client.get("/profile")).status_code == 303
    # Signing out still works before consent.
    assert (await client.form("/logout")).status_code == 303


async def test_without_javascript_a_page_asks_before_the_consent_is_withdrawn(client, make_user, login):
    """The dialog asked only where JavaScript runs: without it one tap on «Отозвать согласие» closed the portal at
    once. The form's «confirm» is set by the dialog's «OK»; left empty, the server asks on a page of its own."""
    user_id = await make_user()
    await login(client, user_id)
    form = (await client.get("/consent")).text.split('action="/consent/withdraw"')[1].split("</form>")[0]
    assert '<input type="hidden" name="confirm" value="">' in form

    asked = await client.form("/consent/withdraw", {"confirm": ""})
    assert asked.status_code == 200 and asked.headers["hx-push-url"] == "false"
    assert "Отозвать согласие на обработку персональных данных?" in asked.text
    page = asked.text.split("<main")[1]
    question = page.split('action="/consent/withdraw"')[1].split("</form>")[0]
    assert '<input type="hidden" name="confirm" value="1">' in question and "Да, отозвать" in question
    assert "будут удалены в течение 30\u00a0дней" in question
    assert 'href="/consent">Нет, оставить</a>' in question
    [record] = await _records(user_id)
    assert record["withdrawn_at"] is None
    assert (await client.get("/profile")).status_code == 200

    await client.speak("en")
    english = await client.form("/consent/withdraw")
    assert "Withdraw the consent to the processing of personal data?" in english.text
    assert "Yes, withdraw" in english.text

    assert (await client.form("/consent/withdraw", {"confirm": "1"})).status_code == 303
    [record] = await _records(user_id)
    assert record["withdrawn_at"] is not None


async def test_the_user_reads_what_they_accepted(client, make_user, login):
    user_id = await make_user()
    await login(client, user_id)
    page = await client.get("/consent")
    assert "Вы приняли этот текст" in page.text
    assert "Редакция №\u00a01 от 25 ноября 2026" in page.text
    assert "Отозвать согласие" in page.text
    # One press closed the portal at once: the browser now asks before the consent is withdrawn.
    withdraw = page.text.split('action="/consent/withdraw"')[1].split(">")[0]
    assert 'data-confirm="Отозвать согласие? Пользоваться порталом можно будет, только снова дав его."' in withdraw
    await client.speak("en")
    english = await client.get("/consent")
    assert "Consent to the processing of personal data" in english.text
    asked = "Withdraw the consent? You will not be able to use the portal until you give it again."
    assert f'data-confirm="{asked}"' in english.text


async def test_the_history_says_which_document_which_edition_when_and_how_and_keeps_the_evidence_out_of_sight(
    client, make_user, login
):
    """A resident reads the document's title, its edition and date (with a link to that text), when the consent
    was given or withdrawn, and how; the text's hash and the IP address stay in the record for staff and the
    audit, not on the resident's page."""
    user_id = await make_user(consent=False)
    given = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)
    records = (
        ("processing", consent.current_version(), "registration", None),
        ("marketing", consent.optional_version("marketing"), "web", datetime(2026, 12, 1, 8, 0, tzinfo=UTC)),
        ("dissemination", "0123456789abcdef", "paper", None),  # a text this portal no longer keeps
    )
    for kind, version, channel, withdrawn in records:
        await ConsentRecord(
            user=user_id, consent_type=kind, text_version=version, granted_at=given, withdrawn_at=withdrawn,
            ip="203.0.113.77", user_agent="EvidenceBrowser/9", channel=channel,
        ).save()  # fmt: skip
    await login(client, user_id)

    page = await client.get("/consent")
    history = page.text.split("История вашего согласия")[1]
    for words in (
        "Согласие на обработку персональных данных",
        "Согласие на получение предложений услуг",
        "Редакция №\u00a01 от 25 ноября 2026",
        "Редакция №\u00a01 от 2 декабря 2026",
        "Более ранняя редакция текста",
        "26 ноября 2026",
        "1 декабря 2026",
        "При регистрации в личном кабинете",
        "В личном кабинете, на странице «Персональные данные»",
        "На бумаге, в офисе управляющей компании",
    ):
        assert words in history, words
    assert 'href="/consent/text/processing/1"' in history
    assert 'href="/consent/text/marketing/1"' in history
    for evidence in (consent.current_version(), consent.optional_version("marketing"), "0123456789abcdef"):
        assert evidence not in page.text
    assert "203.0.113.77" not in page.text and "EvidenceBrowser" not in page.text
    kept = await ConsentRecord.select(ConsentRecord.ip, ConsentRecord.text_version).where(ConsentRecord.user == user_id)
    assert {r["ip"] for r in kept} == {"203.0.113.77"} and len({r["text_version"] for r in kept}) == 3

    await client.speak("en")
    english = (await client.get("/consent")).text
    for words in ("Consent to receive offers of services", "Edition 1 of", "On signing up to the portal"):
        assert words in english, words
    assert consent.current_version() not in english and "203.0.113.77" not in english

    await client.speak("ru")
    text = await client.get("/consent/text/marketing/1")
    assert text.status_code == 200
    assert "<h1>Согласие на получение предложений услуг</h1>" in text.text
    assert "предложения платных услуг" in text.text and "Редакция №\u00a01 от 2 декабря 2026 · действует" in text.text
    assert (await client.get("/consent/text/marketing/2")).status_code == 404
    assert (await client.get("/consent/text/nothing/1")).status_code == 404


def test_a_published_edition_never_changes_a_new_text_is_a_new_edition():
    """Records name a text by its hash: an edition edited in place would leave them naming a text nobody can read."""
    published = {kind: [(e.number, e.version) for e in editions] for kind, editions in consent.EDITIONS.items()}
    assert published == {
        "processing": [(1, "1a584aba39423366")],
        "dissemination": [(1, "1e3ded28cb726a2e")],
        "marketing": [(1, "bc5e814b7aa268b6")],
    }
    assert consent.current_version() == consent.EDITIONS["processing"][-1].version
    for kind in ("dissemination", "marketing"):
        assert consent.optional_version(kind) == consent.EDITIONS[kind][-1].version


async def test_registration_shows_the_consents_edition_and_records_that_edition(
    client, make_house, registry_owner, monkeypatch
):
    """The registration page shows the consent text with «Редакция № N от …» (here a second edition published);
    the consent the new resident then gives, on signing up, is of that edition."""
    first = consent.EDITIONS[consent.CONSENT_TYPE][0]
    texts = {lang: words + "\n7. Новый пункт.\n" for lang, words in consent.TEXTS.items()}
    monkeypatch.setattr(consent, "TEXTS", texts)
    second = consent.Edition(consent.CONSENT_TYPE, 2, date(2026, 12, 10), texts)
    monkeypatch.setitem(consent.EDITIONS, consent.CONSENT_TYPE, (first, second))
    house = await make_house(accounts=1)
    await registry_owner(house["premises"][0], email="new@example.ru")

    page = (await client.get("/register")).text
    preview = page.split('class="consent-preview"')[1].split("</details>")[0]
    assert "7. Новый пункт." in preview and "Редакция №\u00a02 от 10 декабря 2026" in preview
    english = (await client.get("/register", headers={"accept-language": "en"})).text
    assert "Edition 2 of 10 December 2026" in english.split('class="consent-preview"')[1].split("</details>")[0]

    form = {
        "account": house["numbers"][0],
        "code": await queries.current_access_code(house["accounts"][0]),
        "role": "owner",
        "full_name": "Пётр Новый",
        "email": "new@example.ru",
        "password": "a good pass 1",
        "password2": "a good pass 1",
    }
    assert (await client.form("/register", form)).status_code == 200
    assert (await client.form(await _last_link("new@example.ru", "/register/confirm/"))).status_code == 303
    assert (await client.form("/consent", {"agree": "yes", "next": "/"})).status_code == 303
    [record] = await _records((await queries.user_by_email("new@example.ru")).id)
    assert record["channel"] == "registration"
    assert consent.edition(consent.CONSENT_TYPE, record["text_version"]) == second
