"""The principal kept in the session follows every change the actions of identity make to a user's access: a
revoked residency, a new link, new staff roles or houses raise the user's principal version (the database's
triggers), so the user's very next request sees the change — through the app, on both engines."""

from __future__ import annotations

from portal.accounts import queries
from portal.accounts.tables import Residency
from portal.accounts.tables import User


async def _version(user_id: int) -> int:
    return (await User.select(User.principal_version).where(User.id == user_id).first())["principal_version"]


async def test_revoking_and_linking_reach_the_kept_principal_at_once(
    client, new_client, login, make_user, make_account
):
    first = await make_account()
    second = await make_account(house=first.house)
    owner = await make_user(accounts={first.account: "owner"})
    family = await make_user(accounts={first.account: "family"})
    family_client = new_client()
    await login(client, owner)
    await login(family_client, family)
    assert (await family_client.get(f"/accounts/{first.account}")).status_code == 200  # principal built and kept
    assert (await family_client.get(f"/accounts/{second.account}")).status_code == 404

    before = await _version(family)
    link = await Residency.select(Residency.id).where(Residency.user == family).first()
    assert (
        await client.form(f"/accounts/{first.account}/people/{link['id']}/revoke", {"confirm": "1"})
    ).status_code == 303
    assert await _version(family) > before
    assert (await family_client.get(f"/accounts/{first.account}")).status_code in (403, 404)

    code = await queries.current_access_code(second.account)
    linked = await family_client.form("/accounts/link", {"account": second.number, "code": code, "role": "tenant"})
    assert linked.status_code == 303
    assert (await family_client.get(f"/accounts/{second.account}")).status_code == 200


async def test_new_staff_roles_and_houses_reach_the_kept_principal_at_once(
    client, new_client, login, make_user, make_account
):
    mine, other = await make_account(), await make_account()
    admin = await make_user(roles=("admin",))
    operator = await make_user(roles=("operator",), houses=(mine.house,))
    staff_client = new_client()
    await login(client, admin)
    await login(staff_client, operator)
    refused = await staff_client.form("/staff/access-codes", {"account": other.number})
    assert refused.status_code == 422  # not in the operator's houses

    before = await _version(operator)
    saved = await client.form(
        f"/staff/users/{operator}",
        {"roles": ["operator"], "houses": [str(mine.house), str(other.house)], "active": "1"},
    )
    assert saved.status_code == 303
    assert await _version(operator) > before
    assert (await staff_client.form("/staff/access-codes", {"account": other.number})).status_code == 200

    saved = await client.form(
        f"/staff/users/{operator}", {"roles": ["executor"], "houses": [str(mine.house)], "active": "1"}
    )
    assert saved.status_code == 303
    assert (await staff_client.get("/staff/access-codes")).status_code == 403
