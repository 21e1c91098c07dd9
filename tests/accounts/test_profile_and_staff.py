"""Profile (details, language, channels, password), the "More" page, and the administrators' pages."""

from __future__ import annotations

from portal.accounts.notify import notify
from portal.accounts.passwords import hash_password
from portal.accounts.tables import StaffHouse, User, UserRole
from portal.core import audit
from portal.core.tables import AuditEvent, OutboxMessage


async def test_profile_saves_name_phone_language_and_channels(client, make_user, login):
    user_id = await make_user()
    await login(client, user_id)
    response = await client.form(
        "/profile",
        {"full_name": "Иван Новиков", "phone": "8 978 111-22-33", "locale": "en", "channels": ["inapp"]},
    )
    assert response.status_code == 303
    assert "lang=en" in response.headers["set-cookie"]
    user = await User.select().where(User.id == user_id).first()
    assert (user["full_name"], user["phone"], user["locale"]) == ("Иван Новиков", "+79781112233", "en")
    assert user["notify_inapp"] and not user["notify_email"]
    page = await client.get("/profile")
    assert '<html lang="en">' in page.text and "The profile is saved." in page.text


async def test_profile_errors_keep_what_was_typed(client, make_user, login):
    user_id = await make_user()
    await login(client, user_id)
    response = await client.form("/profile", {"full_name": "Пётр", "phone": "12", "locale": "ru"})
    assert response.status_code == 422
    assert 'value="12"' in response.text and 'value="Пётр"' in response.text


async def test_notify_follows_the_chosen_channels(make_user, db):
    user_id = await make_user()
    assert await notify(user_id, "t", subject="s", body="b", dedupe_key="k1") == 2
    await User.update({User.notify_email: False}).where(User.id == user_id)
    assert await notify(user_id, "t", subject="s", body="b", dedupe_key="k2") == 1
    channels = await OutboxMessage.select(OutboxMessage.channel).where(OutboxMessage.dedupe_key.like("%:k2:%"))
    assert [c["channel"] for c in channels] == ["inapp"]


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

    edit = await client.form(f"/staff/users/{user['id']}", {"roles": ["manager"], "houses": [], "active": "1"})
    assert edit.status_code == 303
    event = (
        await AuditEvent.select()
        .output(load_json=True)
        .where(AuditEvent.action == "staff.scope")
        .order_by(AuditEvent.id, ascending=False)
        .first()
    )
    assert event["changes"]["roles"] == [["dispatcher"], ["manager"]]


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
    assert page.text.count("<code>test.write</code>") == 6
    assert "gadget #" not in page.text
    small = await client.get("/staff/audit?actor=Аудитор&size=10")
    assert small.text.count("<code>test.write</code>") == 10
    assert "page=2" in small.text
    future = await client.get("/staff/audit?from=2099-01-01")
    assert "<code>test.write</code>" not in future.text


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
    assert "Тема письма" in listing.text
    message = await client.get(f"/staff/outbox/{row['id']}")
    assert "Текст письма" in message.text


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
