"""Resident A cannot read or change anything of account B by changing an id in a URL or a form (both engines),
and a form with extra fields changes only what the form allows."""

from __future__ import annotations

from portal.accounts.tables import OneTimeToken
from portal.accounts.tables import Residency
from portal.accounts.tables import User
from portal.accounts.tables import UserRole
from portal.core.tables import OutboxMessage


async def _setup(make_house, make_user):
    house = await make_house(accounts=2)
    a, b = house["accounts"]
    user_a = await make_user(accounts={a: "owner"})
    user_b = await make_user(accounts={b: "owner"})
    family_b = await make_user(accounts={b: "family"})
    return house, a, b, user_a, user_b, family_b


async def test_a_resident_cannot_see_or_manage_the_people_of_another_account(client, make_house, make_user, login):
    house, a, b, user_a, _user_b, family_b = await _setup(make_house, make_user)
    await login(client, user_a)
    assert (await client.get(f"/accounts/{a}/people")).status_code == 200
    page = await client.get(f"/accounts/{b}/people")
    assert page.status_code == 404
    assert house["numbers"][1] not in page.text

    invite = await client.form(f"/accounts/{b}/people", {"email": "spy@example.ru", "role": "tenant"})
    assert invite.status_code == 404
    assert not await OneTimeToken.exists().where(OneTimeToken.email == "spy@example.ru")
    assert not await OutboxMessage.exists().where(OutboxMessage.recipient == "spy@example.ru")

    residency_b = await Residency.select(Residency.id).where(Residency.user == family_b).first()
    # B's residency through B's URL and through A's own URL: both refused, nothing revoked.
    # Not even the page that asks once more, which would name B's family member.
    for answer in ({}, {"confirm": "1"}):
        assert (await client.form(f"/accounts/{b}/people/{residency_b['id']}/revoke", answer)).status_code == 404
        assert (await client.form(f"/accounts/{a}/people/{residency_b['id']}/revoke", answer)).status_code == 404
    still = await Residency.select(Residency.revoked_at).where(Residency.id == residency_b["id"]).first()
    assert still["revoked_at"] is None


async def test_a_resident_cannot_cancel_another_accounts_invitation(client, make_house, make_user, login):
    _, a, b, user_a, user_b, _ = await _setup(make_house, make_user)
    await login(client, user_b)
    await client.form(f"/accounts/{b}/people", {"email": "guest-of-b@example.ru", "role": "family"})
    invitation = await OneTimeToken.select(OneTimeToken.id).where(OneTimeToken.email == "guest-of-b@example.ru").first()
    client.cookies.clear()
    await login(client, user_a)
    assert (await client.form(f"/accounts/{a}/invitations/{invitation['id']}/cancel")).status_code == 404
    assert (await client.form(f"/accounts/{b}/invitations/{invitation['id']}/cancel")).status_code == 404
    row = await OneTimeToken.select(OneTimeToken.used_at).where(OneTimeToken.id == invitation["id"]).first()
    assert row["used_at"] is None


async def test_the_home_and_link_pages_show_only_ones_own_accounts(client, make_house, make_user, login):
    house, _a, _b, user_a, *_ = await _setup(make_house, make_user)
    await login(client, user_a)
    for path in ("/", "/accounts/link"):
        text = (await client.get(path)).text
        assert house["numbers"][0] in text
        assert house["numbers"][1] not in text


async def test_linking_another_account_needs_its_code(client, make_house, make_user, login):
    house, _a, b, user_a, *_ = await _setup(make_house, make_user)
    await login(client, user_a)
    response = await client.form("/accounts/link", {"account": house["numbers"][1], "code": "", "role": "owner"})
    assert response.status_code == 422
    response = await client.form(
        "/accounts/link", {"account": house["numbers"][1], "code": "ABCDEFGH23", "role": "owner", "account_id": b}
    )
    assert response.status_code == 422
    assert not await Residency.exists().where((Residency.user == user_a) & (Residency.account == b))


async def test_a_profile_post_with_extra_fields_changes_only_the_profile(client, make_house, make_user, login):
    _, _a, b, user_a, user_b, _ = await _setup(make_house, make_user)
    before_b = await User.select().where(User.id == user_b).first()
    before_a = await User.select().where(User.id == user_a).first()
    await login(client, user_a)
    response = await client.form(
        "/profile",
        {
            "full_name": "Только имя",
            "locale": "ru",
            "channels": ["email", "inapp"],
            "role": "admin",
            "roles": "admin",
            "user_id": str(user_b),
            "id": str(user_b),
            "account_id": str(b),
            "email": "hijack@example.ru",
            "is_active": "0",
            "session_epoch": "99",
            "password_hash": "x",
        },
    )
    assert response.status_code == 303
    after_a = await User.select().where(User.id == user_a).first()
    assert after_a["full_name"] == "Только имя"
    for field in ("email", "is_active", "session_epoch", "password_hash"):
        assert after_a[field] == before_a[field], field
    assert await User.select().where(User.id == user_b).first() == before_b
    assert not await UserRole.exists().where(UserRole.user == user_a)
    assert not await Residency.exists().where((Residency.user == user_a) & (Residency.account == b))


async def test_an_invitation_with_extra_fields_grants_only_what_the_form_allows(
    client, new_client, make_house, make_user, login
):
    _, a, b, user_a, *_ = await _setup(make_house, make_user)
    await login(client, user_a)
    await client.form(
        f"/accounts/{a}/people",
        {"email": "kid@example.ru", "role": "owner", "rights": ["vote", "pay"], "account_id": str(b)},
    )
    assert not await OneTimeToken.exists().where(OneTimeToken.email == "kid@example.ru")  # "owner" is not offered
    await client.form(
        f"/accounts/{a}/people",
        {"email": "kid@example.ru", "role": "family", "rights": ["vote", "pay"], "account_id": str(b)},
    )
    token = await OneTimeToken.select().where(OneTimeToken.email == "kid@example.ru").first()
    assert token["account"] == a
    assert token["rights"] == ["pay"]
