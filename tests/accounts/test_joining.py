"""How a resident gets in: staff invitations, self-registration with the access code and e-mail confirmation,
linking more accounts, and an owner's people (family members and tenants) with chosen rights."""

from __future__ import annotations

from portal.accounts import actions
from portal.accounts import queries
from portal.accounts.tables import AccessCode
from portal.accounts.tables import Residency
from portal.accounts.tables import User
from portal.core.security import Principal
from portal.core.tables import AuditEvent
from portal.core.tables import OutboxMessage


async def _last_link(email: str, marker: str) -> str:
    message = (
        await OutboxMessage.select()
        .where(OutboxMessage.recipient == email)
        .order_by(OutboxMessage.id, ascending=False)
        .first()
    )
    assert message is not None, f"no e-mail to {email}"
    url = next(w for w in message["body"].split() if marker in w)
    return url[url.index(marker) :]


async def _residency(user_id: int, account_id: int) -> dict | None:
    return (
        await Residency.select()
        .where((Residency.user == user_id) & (Residency.account == account_id) & Residency.revoked_at.is_null())
        .first()
    )


async def test_staff_invite_a_resident_who_sets_a_password_and_lands_on_the_consent(
    client, new_client, make_user, make_house, login
):
    house = await make_house(accounts=1)
    manager = await make_user(roles=("manager",), houses=(house["house"],))
    await login(client, manager)
    page = await client.get("/staff/invitations")
    assert page.status_code == 200
    sent = await client.form(
        "/staff/invitations", {"account": house["numbers"][0], "email": "New.Resident@example.ru", "role": "owner"}
    )
    assert sent.status_code == 303
    assert await AuditEvent.exists().where((AuditEvent.action == "invitation.send") & (AuditEvent.actor_id == manager))

    path = await _last_link("new.resident@example.ru", "/invite/")
    guest = new_client()
    form = await guest.get(path)
    assert form.status_code == 200
    assert "new.resident@example.ru" in form.text
    assert '<input type="email" autocomplete="username" value="new.resident@example.ru" hidden readonly>' in form.text
    short = await guest.form(path, {"full_name": "Новый Житель", "password": "short", "password2": "short"})
    assert short.status_code == 422
    # The summary of the refusals follows the form from its top (the name, then the password), as its links do.
    both = await guest.form(path, {"full_name": "", "password": "a good pass 1", "password2": "a good pass 2"})
    summary = both.text.split('class="error-summary"')[1].split("</ul>")[0]
    assert summary.index("#f-full_name") < summary.index("#f-password2"), summary
    done = await guest.form(
        path, {"full_name": "Новый Житель", "password": "a good pass 1", "password2": "a good pass 1"}
    )
    assert done.status_code == 303
    assert (await guest.get("/")).headers["location"] == "/consent?next=/"
    await guest.form("/consent", {"agree": "yes", "next": "/"})
    home = await guest.get("/")
    assert home.status_code == 200
    assert house["numbers"][0] in home.text
    assert "Привязать ещё" in home.text

    user = await queries.user_by_email("new.resident@example.ru")
    assert user.email_confirmed_at is not None
    assert (await _residency(user.id, house["accounts"][0]))["role"] == "owner"
    used = await new_client().get(path)
    assert used.status_code == 410  # the link works once
    # … and says what an invited person can do: not «Сбросить пароль ещё раз», as for a password reset's link
    assert "Сбросить пароль" not in used.text and "прислать новое приглашение" in used.text
    assert 'class="button primary" href="/login"' in used.text


async def test_staff_cannot_invite_to_an_account_outside_their_houses(client, make_user, make_house, login):
    mine, other = await make_house(accounts=1), await make_house(accounts=1)
    manager = await make_user(roles=("manager",), houses=(mine["house"],))
    await login(client, manager)
    response = await client.form(
        "/staff/invitations", {"account": other["numbers"][0], "email": "x@example.ru", "role": "owner"}
    )
    assert response.status_code == 422
    assert not await OutboxMessage.exists().where(OutboxMessage.recipient == "x@example.ru")

    # A number of the staff member's houses with a mistyped e-mail: only the e-mail is refused. It used to say
    # «В ваших домах нет такого лицевого счёта» too, as the number was never looked up once the e-mail was wrong.
    typo = await client.form("/staff/invitations", {"account": mine["numbers"][0], "email": "x@", "role": "owner"})
    assert typo.status_code == 422
    assert "Введите e-mail вида name@example.ru." in typo.text and "нет такого лицевого счёта" not in typo.text
    # Both wrong: the summary lists them in the form's order, the number first.
    both = await client.form("/staff/invitations", {"account": other["numbers"][0], "email": "x@", "role": "owner"})
    summary = both.text.split('class="error-summary"')[1].split("</ul>")[0]
    assert summary.index("#f-account") < summary.index("#f-email"), summary


async def test_registration_with_the_account_code_and_email_confirmation(client, make_house, registry_owner):
    house = await make_house(accounts=1)
    await registry_owner(house["premises"][0], email="Self@Example.ru")
    code = await queries.current_access_code(house["accounts"][0])
    form = {
        "account": house["numbers"][0],
        "code": code.lower(),  # any spelling: lower case, with dashes
        "role": "owner",
        "full_name": "Пётр Самостоятельный",
        "email": "self@example.ru",
        "password": "a good pass 1",
        "password2": "a good pass 1",
    }
    wrong = await client.form("/register", {**form, "code": "WRONG12345"})
    assert wrong.status_code == 422
    assert "Неверный номер лицевого счёта или код доступа" in wrong.text
    assert 'value="Пётр Самостоятельный"' in wrong.text

    sent = await client.form("/register", form)
    assert sent.status_code == 200
    assert "Проверьте почту" in sent.text
    user = await queries.user_by_email("self@example.ru")
    assert not user.is_active
    assert await _residency(user.id, house["accounts"][0]) is None
    refused = await client.form("/login", {"login": "self@example.ru", "password": "a good pass 1"})
    assert "подтвердите e-mail" in refused.text
    # … and says what to do when the message never came: registering again sends a new link, which works.
    assert "Письма нет? Зарегистрируйтесь ещё раз с тем же e-mail — мы пришлём новую ссылку." in refused.text
    first = await _last_link("self@example.ru", "/register/confirm/")
    assert "Проверьте почту" in (await client.form("/register", form)).text

    path = await _last_link("self@example.ru", "/register/confirm/")
    assert path != first
    # Opening the link (as a mail scanner does before the person) only shows a button: nothing is confirmed, no
    # one is signed in, and the link still works.
    for _ in range(2):
        shown = await client.get(path)
        assert shown.status_code == 200
        assert f'method="post" action="{path}"' in shown.text and "Подтвердить e-mail" in shown.text
    assert not (await queries.user_by_email("self@example.ru")).is_active
    assert await _residency(user.id, house["accounts"][0]) is None
    assert (await client.get("/profile")).status_code == 303
    confirmed = await client.form(path)
    assert confirmed.status_code == 303
    assert (await _residency(user.id, house["accounts"][0]))["role"] == "owner"
    await client.form("/consent", {"agree": "yes", "next": "/"})
    assert house["numbers"][0] in (await client.get("/")).text
    client.cookies.clear()
    used = await client.get(path)
    assert used.status_code == 410
    assert (await client.form(path)).status_code == 410
    assert "Сбросить пароль" not in used.text and "зарегистрируйтесь ещё раз" in used.text
    assert (await client.get(first)).status_code == 410  # the link a second registration replaced


async def test_registration_guessing_codes_is_rate_limited_per_account(client, make_house):
    house = await make_house(accounts=1)
    code = await queries.current_access_code(house["accounts"][0])
    form = {
        "account": house["numbers"][0],
        "role": "owner",
        "full_name": "Угадайкин",
        "email": "guess@example.ru",
        "password": "a good pass 1",
        "password2": "a good pass 1",
    }
    for i in range(5):
        assert (await client.form("/register", {**form, "code": f"WRONG{i:05d}"})).status_code == 422
    refused = await client.form("/register", {**form, "code": code})
    assert refused.status_code == 429
    assert "Слишком много попыток" in refused.text


async def test_registration_with_a_taken_email_answers_alike_and_warns_the_owner(client, make_user, make_house):
    house = await make_house(accounts=1)
    code = await queries.current_access_code(house["accounts"][0])
    existing = await make_user(email="taken@example.ru")
    await User.update({User.is_active: True}).where(User.id == existing)
    response = await client.form(
        "/register",
        {
            "account": house["numbers"][0],
            "code": code,
            "role": "tenant",
            "full_name": "Кто-то",
            "email": "taken@example.ru",
            "password": "a good pass 1",
            "password2": "a good pass 1",
        },
    )
    assert response.status_code == 200
    assert "Проверьте почту" in response.text
    assert await _residency(existing, house["accounts"][0]) is None
    assert "/password/forgot" in await _last_link("taken@example.ru", "/password/forgot")


async def test_a_resident_links_another_account_with_its_code(client, make_user, make_house, login):
    house = await make_house(accounts=2)
    code = await queries.current_access_code(house["accounts"][1])
    user_id = await make_user(accounts={house["accounts"][0]: "owner"})
    await login(client, user_id)
    page = await client.get("/accounts/link")
    assert house["numbers"][0] in page.text
    bad = await client.form("/accounts/link", {"account": house["numbers"][1], "code": "NOPE123456", "role": "owner"})
    assert bad.status_code == 422
    good = await client.form("/accounts/link", {"account": house["numbers"][1], "code": code, "role": "tenant"})
    assert good.status_code == 303
    residency = await _residency(user_id, house["accounts"][1])
    assert residency["role"] == "tenant"
    assert "vote" not in residency["rights"]


async def test_a_refused_link_shows_the_number_and_code_as_typed(client, make_user, make_house, login):
    house = await make_house(accounts=2)
    user_id = await make_user(accounts={house["accounts"][0]: "owner"})
    await login(client, user_id)
    number = house["numbers"][1]
    mistyped = number[:2] + "O" + number[3:]  # a letter O where a digit is (whatever the random number's digits)
    bad = await client.form("/accounts/link", {"account": mistyped, "code": "abcd-efgh-23", "role": "owner"})
    assert bad.status_code == 422
    assert f'value="{mistyped}"' in bad.text and 'value="abcd-efgh-23"' in bad.text


async def test_an_owner_invites_a_family_member_with_chosen_rights_and_revokes_them(
    client, new_client, make_user, make_house, login
):
    house = await make_house(accounts=1)
    account = house["accounts"][0]
    owner = await make_user(accounts={account: "owner"})
    await login(client, owner)
    page = await client.get(f"/accounts/{account}/people")
    assert page.status_code == 200
    sent = await client.form(
        f"/accounts/{account}/people",
        {"email": "daughter@example.ru", "role": "family", "rights": ["pay", "meters", "vote"]},
    )
    assert sent.status_code == 303
    assert "daughter@example.ru" in (await client.get(f"/accounts/{account}/people")).text

    path = await _last_link("daughter@example.ru", "/invite/")
    daughter = new_client()
    await daughter.form(path, {"full_name": "Дочь", "password": "a good pass 1", "password2": "a good pass 1"})
    user = await queries.user_by_email("daughter@example.ru")
    residency = await _residency(user.id, account)
    assert residency["role"] == "family"
    assert sorted(residency["rights"]) == ["meters", "pay", "view"]

    # A family member is not an owner: they do not manage the people of the account.
    await daughter.form("/consent", {"agree": "yes", "next": "/"})
    assert (await daughter.get(f"/accounts/{account}/people")).status_code == 404

    # Revoking asks once more first, on a page of its own naming the person: without JavaScript there is no dialog.
    revoke = f"/accounts/{account}/people/{residency['id']}/revoke"
    asked = await client.form(revoke)
    assert asked.status_code == 200 and "Отозвать доступ к лицевому счёту" in asked.text and "Дочь" in asked.text
    assert 'name="confirm" value="1"' in asked.text and f'href="/accounts/{account}/people"' in asked.text
    assert await _residency(user.id, account) is not None
    revoked = await client.form(revoke, {"confirm": "1"})
    assert revoked.status_code == 303
    assert await _residency(user.id, account) is None
    # The owner's own residency cannot be revoked this way, nor is it asked about.
    own = await _residency(owner, account)
    for answer in ({}, {"confirm": "1"}):
        assert (await client.form(f"/accounts/{account}/people/{own['id']}/revoke", answer)).status_code == 404


async def test_inviting_someone_who_already_has_an_account_gives_access_at_once(client, make_user, make_house, login):
    house = await make_house(accounts=1)
    account = house["accounts"][0]
    owner = await make_user(accounts={account: "owner"})
    tenant = await make_user(email="tenant@example.ru")
    await User.update({User.password_hash: "x"}).where(User.id == tenant)
    await login(client, owner)
    await client.form(f"/accounts/{account}/people", {"email": "tenant@example.ru", "role": "tenant"})
    residency = await _residency(tenant, account)
    assert residency["role"] == "tenant"
    assert residency["rights"] == ["view"]


async def test_a_new_access_code_is_shown_once_and_never_stored(client, make_user, make_house, login):
    house = await make_house(accounts=1)
    operator = await make_user(roles=("operator",), houses=(house["house"],))
    await login(client, operator)
    response = await client.form("/staff/access-codes", {"account": house["numbers"][0]})
    assert response.status_code == 200
    shown = response.text.split('class="access-code">')[1].split("<")[0]
    stored = await AccessCode.select().where(AccessCode.account == house["accounts"][0]).first()
    assert stored["generation"] == 1
    assert shown.replace("-", "") not in str(stored.values())  # derived from the secret key, not kept
    assert await queries.access_code_matches(house["accounts"][0], shown)
    assert shown not in (await client.get("/staff/access-codes")).text
    assert await AuditEvent.exists().where(AuditEvent.action == "access_code.regenerate")
    # A mistyped number (a Cyrillic «О» for a zero) comes back as typed, to be corrected, not as its digits only.
    mistyped = house["numbers"][0].replace("0", "О", 1) if "0" in house["numbers"][0] else "91О1"
    refused = await client.form("/staff/access-codes", {"account": mistyped})
    assert refused.status_code == 422 and f'name="account" type="text" value="{mistyped}"' in refused.text


async def test_the_printed_code_works_from_the_start_and_stops_working_when_regenerated(make_house, make_user):
    house = await make_house(accounts=2)
    first, second = house["accounts"]
    printed = await queries.current_access_code(first)
    assert await queries.access_code_matches(first, printed)
    assert not await queries.access_code_matches(second, printed)
    operator = Principal(
        user_id=await make_user(roles=("operator",)), name="Оператор", staff_roles=frozenset({"operator"})
    )
    renewed = await actions.regenerate_access_code(operator, await queries.account_by_id(first), ip="")
    assert not await queries.access_code_matches(first, printed)
    assert await queries.access_code_matches(first, renewed)
    assert (await queries.current_access_code(first)).replace("-", "") == renewed
