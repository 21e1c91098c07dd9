"""Profile (details, language, channels, password), the "More" page, and the administrators' pages."""

from __future__ import annotations

import html
import importlib
import json
import re

from portal.accounts import forms
from portal.accounts import rules
from portal.accounts.passwords import hash_password
from portal.accounts.passwords import verify_password
from portal.accounts.queries import AuditFilter
from portal.accounts.queries import audit_page
from portal.accounts.tables import StaffHouse
from portal.accounts.tables import User
from portal.accounts.tables import UserRole
from portal.core import audit
from portal.core.i18n import format_phone
from portal.core.i18n import set_locale
from portal.core.pagination import PageRequest
from portal.core.security import Principal
from portal.core.tables import AuditEvent
from portal.core.tables import OutboxMessage
from tests.tickets.test_audit_trail import CLIENT_IP
from tests.words import as_read


async def _sms_code(phone: str) -> str | None:
    row = (
        await OutboxMessage.select(OutboxMessage.body)
        .where((OutboxMessage.channel == "sms") & (OutboxMessage.recipient == phone))
        .order_by(OutboxMessage.id, ascending=False)
        .first()
    )
    return re.search(r"[0-9]{6}", row["body"]).group(0) if row else None


async def test_profile_saves_name_language_and_channels_and_a_new_phone_once_its_code_is_typed(
    client, make_user, login
):
    user_id = await make_user()
    await login(client, user_id)
    response = await client.form(
        "/profile",
        {"full_name": "Иван Новиков", "phone": "8 978 111-22-33", "locale": "en", "channels": []},
    )
    assert response.status_code == 303
    assert "lang=en" in response.headers["set-cookie"]
    user = await User.select().where(User.id == user_id).first()
    assert (user["full_name"], user["phone"], user["locale"]) == ("Иван Новиков", None, "en")
    assert not user["notify_email"]
    page = await client.get("/profile")
    # The name, language and channels are saved; the phone only once its code is typed, and the page says so.
    assert '<html lang="en">' in page.text and "The other changes are saved." in page.text
    assert "The profile is saved." not in page.text
    assert "We have sent a code to " + format_phone("+79781112233") + ". The phone number changes once" in page.text

    code = await _sms_code("+79781112233")
    wrong = await client.form("/profile/phone", {"code": "000000" if code != "000000" else "111111"})
    assert wrong.status_code == 422
    assert (await User.select(User.phone).where(User.id == user_id).first())["phone"] is None
    assert (await client.form("/profile/phone", {"code": code})).status_code == 303
    user = await User.select().where(User.id == user_id).first()
    assert user["phone"] == "+79781112233" and user["phone_confirmed_at"] is not None
    assert (await client.form("/profile/phone", {"code": code})).status_code == 422  # a code works once
    # The phone signs in as the e-mail does: its change, and its removal, are in the audit log as the e-mail's is,
    # signed by the user, with the address they acted from; a wrong code or a repeated one writes nothing.
    cleared = {"full_name": "Иван Новиков", "phone": "", "locale": "en", "channels": []}
    assert (await client.form("/profile", cleared)).status_code == 303
    changed = await AuditEvent.select().where(AuditEvent.action == "user.phone").order_by(AuditEvent.id)
    assert [(e["actor_id"], e["entity_id"], e["ip"]) for e in changed] == [(user_id, user_id, CLIENT_IP)] * 2
    assert [json.loads(e["changes"]) if isinstance(e["changes"], str) else e["changes"] for e in changed] == [
        {"phone": [None, "+79781112233"]}, {"phone": ["+79781112233", None]}
    ]  # fmt: skip


async def test_a_new_phones_code_dies_after_its_wrong_tries_as_a_reset_code_does(client, make_user, login):
    """The count of wrong tries is the reset code's (``test_reset_by_phone``): after them the right code is refused
    too, and the phone is not changed."""
    user_id = await make_user()
    await login(client, user_id)
    saved = {"full_name": "Иван Новиков", "phone": "8 978 111-22-44", "locale": "ru", "channels": []}
    assert (await client.form("/profile", saved)).status_code == 303
    code = await _sms_code("+79781112244")
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _try in range(rules.PHONE_CODE_TRIES):
        assert (await client.form("/profile/phone", {"code": wrong})).status_code == 422
    assert (await client.form("/profile/phone", {"code": code})).status_code == 422
    assert (await User.select(User.phone).where(User.id == user_id).first())["phone"] is None


async def test_the_name_language_and_e_mail_switch_a_user_changes_are_in_the_audit_log(
    client, new_client, make_user, login
):
    """Staff answer for whom they write to, in which language and whether by e-mail: a profile saved with a new
    name, language or e-mail switch writes one event with each changed value before and after, signed by the user,
    with the address they acted from; a save changing nothing writes none, and a language chosen in the header is
    a change of the profile's language too."""
    user_id = await make_user(name="Иван Петров")
    await login(client, user_id)
    saved = {"full_name": "Иван Новиков", "phone": "", "locale": "en", "channels": []}
    assert (await client.form("/profile", saved)).status_code == 303
    assert (await client.form("/profile", saved)).status_code == 303  # nothing changed: no event
    assert (await client.form("/profile", saved | {"channels": ["email"]})).status_code == 303
    assert (await client.form("/lang", {"lang": "ru", "next": "/profile"})).status_code == 303
    assert (await client.form("/lang", {"lang": "ru", "next": "/profile"})).status_code == 303  # already Russian

    events = await AuditEvent.select().where(AuditEvent.action == "user.profile").order_by(AuditEvent.id)
    assert [(e["actor_id"], e["entity_id"], e["ip"]) for e in events] == [(user_id, user_id, CLIENT_IP)] * 3
    assert [json.loads(e["changes"]) if isinstance(e["changes"], str) else e["changes"] for e in events] == [
        {"full_name": ["Иван Петров", "Иван Новиков"], "locale": ["ru", "en"], "notify_email": [True, False]},
        {"notify_email": [False, True]},
        {"locale": ["en", "ru"]},
    ]
    admin = new_client()
    await login(admin, await make_user(roles=("admin",)))
    log = as_read(html.unescape((await admin.get("/staff/audit")).text))
    said = ("Изменены имя, язык или уведомления по e-mail в профиле", "Иван Петров → Иван Новиков",
            "Русский → English", "Уведомления по e-mail")  # fmt: skip
    assert [words for words in said if words not in log] == []


async def test_the_profile_offers_no_switch_for_notices_in_the_portal(client, make_user, login):
    """In-app notices are always kept (``notifications.rules.wants``): the profile's «Уведомления в личном
    кабинете» box said otherwise, and turning it off hid payments and requests but not news."""
    user_id = await make_user()
    await login(client, user_id)
    page = (await client.get("/profile")).text
    assert 'value="email"' in page and 'value="inapp"' not in page
    assert "Уведомления всегда сохраняются в личном кабинете" in page


async def test_the_profile_offers_the_language_the_page_is_read_in(client, make_user, login):
    """A resident whose profile last said English but who reads the portal in Russian (the header's «RU», or a new
    phone's browser) saved the profile to change the phone, and the whole portal turned English: the language field
    showed the stored English, not the language on the screen."""
    user_id = await make_user()
    await User.update({User.locale: "en"}).where(User.id == user_id)
    await login(client, user_id)
    await client.speak("ru")
    page = (await client.get("/profile")).text
    chosen = re.search(r'<select id="f-locale".*?</select>', page, re.S).group(0)
    assert re.search(r'<option value="ru" selected>', chosen) and "selected" not in chosen.split('value="en"')[1]
    await client.speak("en")
    chosen = re.search(r'<select id="f-locale".*?</select>', (await client.get("/profile")).text, re.S).group(0)
    assert re.search(r'<option value="en" selected>', chosen)
    assert '<option value="ru" lang="ru">Русский</option>' in chosen  # read with a Russian voice


async def test_the_profile_never_tells_whether_a_phone_belongs_to_another_account(client, make_user, login):
    holder = await make_user()
    await User.update({User.phone: "+79785550001"}).where(User.id == holder)
    user_id = await make_user(name="Иван")
    await login(client, user_id)
    pages = []
    same = {"full_name": "Иван", "locale": "ru", "channels": ["inapp", "email"]}  # only the phone changes
    for typed, phone in (("+7 978 555-00-01", "+79785550001"), ("8 978 555 00 02", "+79785550002")):
        response = await client.form("/profile", {**same, "phone": typed})
        assert response.status_code == 303
        pages.append((await client.get("/profile")).text.replace(format_phone(phone), "+7…"))
    assert pages[0] == pages[1]  # another account's number and a free one are answered alike
    assert "Мы отправили код на +7…" in pages[0]
    assert await _sms_code("+79785550001") is None  # and no code goes to another account's phone
    assert await _sms_code("+79785550002") is not None
    assert (await User.select(User.phone).where(User.id == holder).first())["phone"] == "+79785550001"


async def test_a_new_phone_alone_is_not_called_a_saved_profile(client, make_user, login):
    user_id = await make_user(name="Иван")
    await User.update({User.locale: "ru"}).where(User.id == user_id)
    await login(client, user_id)
    same = {"full_name": "Иван", "locale": "ru", "channels": ["inapp", "email"]}
    assert (await client.form("/profile", {**same, "phone": "+7 978 555-11-22"})).status_code == 303
    page = (await client.get("/profile")).text
    assert "Мы отправили код на " + format_phone("+79785551122") + ". Номер телефона изменится" in page
    assert "Профиль сохранён." not in page and "Остальные изменения сохранены." not in page

    both = {**same, "full_name": "Пётр", "phone": "+7 978 555-11-23"}
    assert (await client.form("/profile", both)).status_code == 303
    page = (await client.get("/profile")).text
    assert "Остальные изменения сохранены." in page and "Профиль сохранён." not in page
    assert "Мы отправили код на " + format_phone("+79785551123") in page

    assert (await client.form("/profile", {**same, "full_name": "Пётр"})).status_code == 303
    assert "Профиль сохранён." in (await client.get("/profile")).text


async def test_the_profile_shows_the_phone_as_people_write_it_and_saving_it_as_is_sends_no_code(
    client, make_user, login
) -> None:
    user_id = await make_user()
    await User.update({User.phone: "+79785550003"}).where(User.id == user_id)
    await login(client, user_id)
    page = (await client.get("/profile")).text
    typed = re.search(r'name="phone"[^>]*value="([^"]*)"|value="([^"]*)"[^>]*name="phone"', page)
    assert typed is not None
    shown = typed.group(1) or typed.group(2)
    assert shown == "+7 978 555-00-03"
    response = await client.form("/profile", {"full_name": "Иван", "phone": shown, "locale": "ru"})
    assert response.status_code == 303
    assert await _sms_code("+79785550003") is None  # the same number: nothing to confirm
    assert (await User.select(User.phone).where(User.id == user_id).first())["phone"] == "+79785550003"


async def test_the_current_password_check_on_the_profile_has_an_attempt_limit(client, make_user, login):
    user_id = await make_user()
    await User.update({User.password_hash: hash_password("old password 1")}).where(User.id == user_id)
    await login(client, user_id)
    new = {"password": "new password 2", "password2": "new password 2"}
    for _ in range(5):
        wrong = await client.form("/profile/password", {"current_password": "guess guess", **new})
        assert wrong.status_code == 422
    refused = await client.form("/profile/password", {"current_password": "old password 1", **new})
    assert refused.status_code == 429
    assert "Слишком много попыток" in refused.text
    assert verify_password(
        (await User.select(User.password_hash).where(User.id == user_id).first())["password_hash"], "old password 1"
    )


async def test_profile_errors_keep_what_was_typed(client, make_user, login):
    user_id = await make_user()
    await login(client, user_id)
    response = await client.form("/profile", {"full_name": "Пётр", "phone": "12", "locale": "ru"})
    assert response.status_code == 422
    assert 'value="12"' in response.text and 'value="Пётр"' in response.text


async def test_a_name_longer_than_its_column_is_refused_with_the_text_kept_not_cut(client, make_user, login):
    user_id = await make_user()
    before = (await User.select(User.full_name).where(User.id == user_id).first())["full_name"]
    await login(client, user_id)
    long_name = "Константинопольская-" * 13 + "Анна Александровна"  # 278 characters, the end matters
    response = await client.form("/profile", {"full_name": long_name, "locale": "ru"})
    assert response.status_code == 422
    assert "Слишком длинное имя: не больше 255\u00a0символов. Сократите его, пожалуйста." in response.text
    assert f'value="{long_name}"' in response.text
    assert (await User.select(User.full_name).where(User.id == user_id).first())["full_name"] == before
    # The same rule holds where a name is first typed: registration, an accepted invitation, a new staff member.
    set_locale("ru")
    typed = {"full_name": long_name, "account": "1", "code": "X", "role": "owner", "email": "a@example.ru"}
    for errors in (
        forms.register_form(typed)[1],
        forms.invite_accept_form(typed, "a@example.ru")[1],
        forms.staff_user_form(typed, set(), new=True)[1],
    ):
        assert errors.get("full_name") == "Слишком длинное имя: не больше 255\u00a0символов. Сократите его, пожалуйста."
    assert forms.register_form({**typed, "full_name": "Анна"})[1].get("full_name") is None


async def test_the_profile_leads_to_the_notices_by_topic_and_channel(client, make_user, login):
    await login(client, await make_user())
    page = await client.get("/profile")
    # «e‑mail» with a hyphen no line breaks at (U+2011): a phone showed «e-» over «mail».
    assert '<a href="/notifications/settings">Какие уведомления приходят по e\u2011mail, SMS и push</a>' in page.text


async def test_changing_the_password_needs_the_current_one(client, make_user, login):
    user_id = await make_user()
    await User.update({User.password_hash: hash_password("old password 1")}).where(User.id == user_id)
    await login(client, user_id)
    wrong = await client.form(
        "/profile/password", {"current_password": "nope", "password": "new password 2", "password2": "new password 2"}
    )
    assert wrong.status_code == 422
    done = await client.form(
        "/profile/password",
        {"current_password": "old password 1", "password": "new password 2", "password2": "new password 2"},
    )
    assert done.status_code == 303
    assert (await client.get("/profile")).status_code == 200  # this device stays signed in
    email = (await User.select(User.email).where(User.id == user_id).first())["email"]
    await client.form("/logout")
    assert (await client.form("/login", {"login": email, "password": "new password 2"})).status_code == 303


async def test_the_more_page_lists_the_resident_menu(client, make_user, login):
    await login(client, await make_user())
    page = await client.get("/more")
    for href in ("/profile", "/accounts/link", "/tickets", "/pay", "/consent"):
        assert f'href="{href}"' in page.text
    assert 'action="/logout"' in page.text


async def test_an_admin_creates_a_staff_user_with_roles_and_houses(client, make_user, make_house, login):
    house = await make_house(accounts=0)
    admin = await make_user(roles=("admin",))
    await login(client, admin)
    assert (await client.get("/staff/users/new")).status_code == 200
    response = await client.form(
        "/staff/users/new",
        {
            "full_name": "Новый Диспетчер",
            "email": "disp@example.ru",
            "roles": ["dispatcher", "superuser"],
            "houses": [str(house["house"]), "999999"],
        },
    )
    assert response.status_code == 303
    user = await User.select().where(User.email == "disp@example.ru").first()
    roles = await UserRole.select(UserRole.role).where(UserRole.user == user["id"])
    houses = await StaffHouse.select(StaffHouse.house).where(StaffHouse.user == user["id"])
    assert [r["role"] for r in roles] == ["dispatcher"]
    assert [h["house"] for h in houses] == [house["house"]]
    assert await AuditEvent.exists().where((AuditEvent.action == "staff.create") & (AuditEvent.entity_id == user["id"]))
    assert await OutboxMessage.exists().where(OutboxMessage.recipient == "disp@example.ru")
    listing = await client.get("/staff/users")
    assert "Новый Диспетчер" in listing.text

    typed = {"roles": ["manager"], "houses": [], "active": "1"}
    refused = await client.form(f"/staff/users/{user['id']}", typed)  # a manager of no house would see nothing
    assert refused.status_code == 422
    assert "Выберите дома, с которыми работает сотрудник: без них ему ничего не видно." in refused.text
    # A screen reader reads the group's hint and error with it, not only its legend.
    houses_group = re.search(r'<fieldset [^>]*id="f-houses"[^>]*>', refused.text).group(0)
    assert 'aria-describedby="h-houses e-houses"' in houses_group
    assert 'id="h-houses">' in refused.text and 'id="e-houses">' in refused.text
    assert re.search(r'name="roles" value="manager" checked', refused.text)
    assert await StaffHouse.count().where(StaffHouse.user == user["id"]) == 1
    edit = await client.form(f"/staff/users/{user['id']}", {**typed, "houses": [str(house["house"])]})
    assert edit.status_code == 303
    event = (
        await AuditEvent.select()
        .output(load_json=True)
        .where(AuditEvent.action == "staff.scope")
        .order_by(AuditEvent.id, ascending=False)
        .first()
    )
    assert event["changes"]["roles"] == [["dispatcher"], ["manager"]]


async def test_staff_names_and_houses_are_marked_russian_on_english_staff_pages(client, make_user, make_house, login):
    house = await make_house(accounts=0)
    dispatcher = await make_user(name="Новый Диспетчер", roles=("dispatcher",), houses=(house["house"],))
    await login(client, await make_user(roles=("admin",)))
    await client.speak("en")
    users = (await client.get("/staff/users")).text
    assert f'<a href="/staff/users/{dispatcher}"><span lang="ru">Новый Диспетчер</span></a>' in users
    assert '<h1><span lang="ru">Новый Диспетчер</span></h1>' in (await client.get(f"/staff/users/{dispatcher}")).text
    await client.speak("ru")
    assert f'<a href="/staff/users/{dispatcher}">Новый Диспетчер</a>' in (await client.get("/staff/users")).text


async def test_an_admin_cannot_demote_themselves(client, make_user, login):
    admin = await make_user(roles=("admin",))
    await login(client, admin)
    response = await client.form(f"/staff/users/{admin}", {"roles": ["manager"], "active": "1"})
    assert response.status_code == 422
    assert await UserRole.exists().where((UserRole.user == admin) & (UserRole.role == "admin"))


async def test_the_audit_log_filters_and_pages(client, make_user, login):
    from portal.core.security import Principal

    admin = await make_user(roles=("admin",))
    actor = Principal(user_id=admin, name="Аудитор Тестовый", staff_roles=frozenset({"admin"}))
    for i in range(12):
        await audit.record(actor, "test.write", "widget" if i % 2 else "gadget", i, {"n": [i, i + 1]})
    await login(client, admin)
    page = await client.get("/staff/audit?entity=widget&size=10")
    assert page.status_code == 200
    assert "Дата с" in page.text and "Дата по" in page.text  # the days of the range, not «Откуда» / «Кому»
    assert page.text.count("<code>test.write</code>") == 6
    assert "gadget #" not in page.text
    small = await client.get("/staff/audit?actor=Аудитор&size=10")
    assert small.text.count("<code>test.write</code>") == 10
    assert "page=2" in small.text
    future = await client.get("/staff/audit?from=2099-01-01")
    assert "<code>test.write</code>" not in future.text


async def test_the_audit_log_keeps_a_day_it_cannot_read_in_its_field_and_says_so(client, make_user, login):
    from portal.core import clock

    admin = await make_user(roles=("admin",))
    await audit.record(
        Principal(user_id=admin, name="Аудитор", staff_roles=frozenset({"admin"})), "test.day", "widget", 1
    )
    await login(client, admin)
    url = "/staff/audit?from=31.02.2026&to=вчера"
    for answer in (await client.get(url), await client.get(url, headers={"HX-Request": "true", "HX-Target": "list"})):
        assert "<code>test.day</code>" in answer.text  # the log is shown without them
        form = answer.text.split('id="audit-filters"')[1].split("</form>")[0]
        assert 'type="text" value="31.02.2026"' in form and 'type="text" value="вчера"' in form
        assert form.count("Введите дату в виде ДД.ММ.ГГГГ; список показан без этого условия.") == 2
        assert "Не применены, так как не прочитаны: Дата с; Дата по." in answer.text.split('id="list"')[1]
    today = clock.today_local()
    read = await client.get(f"/staff/audit?from={today:%d.%m.%Y}")  # read, and shown in its date field
    assert "<code>test.day</code>" in read.text and "не прочитаны" not in read.text
    assert f'type="date" value="{today.isoformat()}"' in read.text


async def test_the_audit_log_does_not_read_a_record_type_of_no_event_and_keeps_one_beyond_its_dropdown(
    client, make_user, login, monkeypatch
):
    from portal.accounts import queries

    admin = await make_user(roles=("admin",))
    actor = Principal(user_id=admin, name="Аудитор", staff_roles=frozenset({"admin"}))
    await audit.record(actor, "test.gadget", "gadget", 1)
    await audit.record(actor, "test.widget", "widget", 2)
    await login(client, admin)
    url = "/staff/audit?entity=nosuchtype"
    for answer in (await client.get(url), await client.get(url, headers={"HX-Request": "true", "HX-Target": "list"})):
        assert "<code>test.gadget</code>" in answer.text and "<code>test.widget</code>" in answer.text
        form = answer.text.split('id="audit-filters"')[1].split("</form>")[0]
        assert "Нет типа записей «nosuchtype»; список показан без этого условия." in form
        assert "Не применены, так как не прочитаны: Тип записи." in answer.text.split('id="list"')[1]
    first = queries.audit_entities

    async def one(limit: int = 1) -> list[str]:  # a dropdown of one type: «gadget»
        return await first(1)

    monkeypatch.setattr(queries, "audit_entities", one)
    beyond = await client.get("/staff/audit?entity=widget")
    assert "<code>test.widget</code>" in beyond.text and "<code>test.gadget</code>" not in beyond.text
    assert '<option value="widget" selected>' in beyond.text and "не прочитаны" not in beyond.text


async def test_the_audit_log_shows_a_value_that_was_not_set_as_a_dash_not_as_none(client, make_user, login):
    from portal.core.security import Principal

    admin = await make_user(roles=("admin",))
    actor = Principal(user_id=admin, name="Аудитор", staff_roles=frozenset({"admin"}))
    await audit.record(actor, "order.quote", "order", 3, {"total": [None, 2300], "note": "Замена петель"})
    await login(client, admin)
    page = (await client.get("/staff/audit?entity=order")).text
    assert "<strong>Цена заказа</strong>: — → 2\u00a0300,00\u00a0₽" in page and "None" not in page


async def test_the_audit_log_finds_an_actor_by_any_word_of_the_name_in_any_case(client, make_user, login):
    admin = await make_user(roles=("admin",))
    anna = Principal(user_id=admin, name="Анна Ёлкина", staff_roles=frozenset({"admin"}))
    ivan = Principal(user_id=admin, name="Иван Петров", staff_roles=frozenset({"admin"}))
    await audit.record(anna, "test.anna", "widget", 1)
    await audit.record(ivan, "test.ivan", "widget", 2)
    await login(client, admin)

    async def found(typed: str) -> set[str]:
        page = await client.get("/staff/audit", params={"actor": typed})
        assert page.status_code == 200
        return {a for a in ("test.anna", "test.ivan") if f"<code>{a}</code>" in page.text}

    assert await found("анна") == {"test.anna"}  # lower case finds «Анна»
    assert await found("ЕЛКИНА") == {"test.anna"}  # a later word, upper case, е for ё
    assert await found("ан") == {"test.anna"}  # too short for the index: the name's beginning
    assert await found("петров иван") == {"test.ivan"}
    assert await found("сидоров") == set()


async def test_the_migration_fills_the_search_name_of_events_written_before_it(db, make_user):
    migration = importlib.import_module("migrations.core.core_2026_12_02t15_00_00_000000")
    actor = Principal(user_id=await make_user(roles=("admin",)), name="Анна Ёлкина", staff_roles=frozenset())
    await audit.record(actor, "test.before", "widget", 1)
    await AuditEvent.update({AuditEvent.actor_search: ""}, force=True)

    async def actions(name: str) -> list[str]:
        page = await audit_page(PageRequest(number=1, size=10), AuditFilter(actor_name=name))
        return [e.action for e in page.items]

    assert await actions("ёлкина") == []
    await migration.backfill(db)
    assert await actions("ёлкина") == ["test.before"]


async def test_the_outbox_page_shows_kept_mail_to_read(client, make_user, login):
    from portal.core import outbox

    await outbox.enqueue(
        "email", "reader@example.ru", "t", {}, "outbox-page-1", subject="Тема письма", body="Текст письма"
    )
    await outbox.deliver_due()
    row = await OutboxMessage.select().where(OutboxMessage.dedupe_key == "outbox-page-1").first()
    assert row["status"] == "kept"
    await login(client, await make_user(roles=("admin",)))
    listing = await client.get("/staff/outbox?status=kept")
    assert "Тема письма" in listing.text and "Нет статуса" not in listing.text
    unread = await client.get("/staff/outbox?status=lost")  # none of the tabs: the list without it, and said
    assert "Тема письма" in unread.text.split('id="list"')[1]
    assert "Нет статуса «lost»; список показан без этого условия." in unread.text.split('id="list"')[1]
    message = await client.get(f"/staff/outbox/{row['id']}")
    assert "Текст письма" in message.text
    # The status in the reader's language, as on the list, not the stored code.
    assert "<dd>Сохранено" in message.text and "kept" not in message.text
    await client.speak("en")
    english = (await client.get(f"/staff/outbox/{row['id']}")).text
    assert "<dd>Kept" in english
    # kept in Russian: read with a Russian voice on the English page
    assert '<h1 lang="ru">Тема письма</h1>' in english and '<pre class="mail-body" lang="ru">Текст письма' in english
    assert ' lang="ru">Тема письма</a>' in (await client.get("/staff/outbox?status=kept")).text


async def test_profile_posts_need_the_csrf_token_as_a_form_field_or_an_htmx_header(client, make_user, login):
    user_id = await make_user(name="Прежнее Имя")
    await login(client, user_id)
    await client.csrf_token()
    plain = await client.post("/profile", data={"full_name": "Подделка", "locale": "ru"})
    htmx = await client.post("/profile", data={"full_name": "Подделка", "locale": "ru"}, headers={"HX-Request": "true"})
    assert plain.status_code == htmx.status_code == 403
    assert (await User.select(User.full_name).where(User.id == user_id).first())["full_name"] == "Прежнее Имя"
    done = await client.htmx_form("/profile", {"full_name": "Новое Имя", "locale": "ru"})
    assert done.status_code == 303
    assert (await User.select(User.full_name).where(User.id == user_id).first())["full_name"] == "Новое Имя"


async def test_a_new_staff_member_is_invited_to_the_staff_pages_not_the_residents_portal(
    client, new_client, make_user, make_house, login
):
    """A dispatcher's invitation said «Приглашение в личный кабинет жителя» and its page «Добро пожаловать в личный
    кабинет жителя»; both now speak of the staff pages."""
    house = await make_house(accounts=0)
    await login(client, await make_user(roles=("admin",)))
    made = await client.form(
        "/staff/users/new",
        {
            "full_name": "Пётр Новиков",
            "email": "petr@example.ru",
            "roles": ["dispatcher"],
            "houses": [str(house["house"])],
        },
    )
    assert made.status_code == 303
    sent = (
        await OutboxMessage.select(OutboxMessage.subject, OutboxMessage.body)
        .where(OutboxMessage.recipient == "petr@example.ru")
        .first()
    )
    assert sent["subject"] == "Приглашение в кабинет сотрудника"
    assert "кабинет сотрудника" in sent["body"] and "жителя" not in sent["body"]
    link = re.search(r"/invite/[\w-]+", sent["body"]).group(0)
    page = await new_client().get(link)
    assert "Добро пожаловать в кабинет сотрудника" in page.text and "кабинет жителя" not in page.text
