"""Shared access to an account cannot be turned against its owner (issue 11, finding 1): the access code is shown
only to those who may register with it, a link never raises a standing role, "owner" comes only from the
register of owners or from staff, an invitation never changes a standing residency, owners are not revoked by
others — and every change is in the audit log and told to the owners. Through the app, on both engines."""

from __future__ import annotations

import io
from datetime import UTC
from datetime import date
from datetime import datetime

from pypdf import PdfReader

from portal.accounts import queries
from portal.accounts.passwords import hash_password
from portal.accounts.tables import Residency
from portal.accounts.tables import User
from portal.billing.tables import Receipt
from portal.core.tables import AuditEvent
from portal.core.tables import OutboxMessage

PASSWORD = "a good pass 1"
CODE_LINE = "Код доступа для регистрации"


async def _standing(user_id: int, account_id: int) -> tuple[str, list[str]] | None:
    row = (
        await Residency.select(Residency.role, Residency.rights)
        .where((Residency.user == user_id) & (Residency.account == account_id) & Residency.revoked_at.is_null())
        .first()
    )
    return (row["role"], sorted(row["rights"])) if row else None


async def _role(user_id: int, account_id: int) -> str | None:
    standing = await _standing(user_id, account_id)
    return standing[0] if standing else None


async def _told(user_id: int) -> list[str]:
    """What the owner was told about the account's access (in-app messages, oldest first)."""
    rows = (
        await OutboxMessage.select(OutboxMessage.body)
        .where(
            (OutboxMessage.user_id == user_id)
            & (OutboxMessage.template == "accounts/access_changed")
            & (OutboxMessage.channel == "inapp")
        )
        .order_by(OutboxMessage.id)
    )
    return [r["body"] for r in rows]


async def _audited(account_id: int) -> list[str]:
    rows = (
        await AuditEvent.select(AuditEvent.action)
        .where((AuditEvent.entity == "personal_account") & (AuditEvent.entity_id == account_id))
        .order_by(AuditEvent.id)
    )
    return [r["action"] for r in rows]


async def _with_password(user_id: int) -> int:
    await User.update({User.password_hash: hash_password(PASSWORD)}).where(User.id == user_id)
    return user_id


async def test_a_view_only_family_member_cannot_take_the_account_over(
    client, new_client, login, make_user, make_account, registry_owner
):
    place = await make_account()
    await registry_owner(place.premise, email="owner.one@example.ru", name="Первый Собственник")
    await registry_owner(place.premise, email="owner.two@example.ru", name="Второй Собственник")
    owner = await _with_password(
        await make_user(name="Первый Собственник", email="owner.one@example.ru", accounts={place.account: "owner"})
    )
    co_owner = await _with_password(
        await make_user(name="Второй Собственник", email="owner.two@example.ru", accounts={place.account: "owner"})
    )
    family = await _with_password(
        await make_user(name="Член Семьи", email="family@example.ru", accounts={place.account: "family"})
    )
    await Receipt(account=place.account, period=date(2026, 11, 1), due_date=date(2026, 12, 10)).save()
    code = await queries.current_access_code(place.account)
    owner_client, family_client = client, new_client()
    await login(owner_client, owner)
    await login(family_client, family)

    # (a) The receipt shows the code to the owner, never to view-only family (page and PDF).
    receipt = f"/accounts/{place.account}/receipts/2026-11"
    assert code in (await owner_client.get(receipt)).text
    page = await family_client.get(receipt)
    assert page.status_code == 200 and code not in page.text and CODE_LINE not in page.text
    pdf = await family_client.get(receipt + "/pdf")
    assert pdf.status_code == 200
    assert code not in " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)

    # Suppose the family member read the code off a paper receipt: linking never raises the standing role.
    for role in ("owner", "tenant"):
        linked = await family_client.form("/accounts/link", {"account": place.number, "code": code, "role": role})
        assert linked.status_code == 422
    assert await _standing(family, place.account) == ("family", ["view"])

    # Nor can they manage the people of the account: inviting the owner or revoking them is not found.
    owner_link = await Residency.select(Residency.id).where(Residency.user == owner).first()
    invite = await family_client.form(
        f"/accounts/{place.account}/people", {"email": "owner.one@example.ru", "role": "family"}
    )
    assert invite.status_code == 404
    revoke = await family_client.form(f"/accounts/{place.account}/people/{owner_link['id']}/revoke", {"confirm": "1"})
    assert revoke.status_code == 404

    # (b) An owner's invitation never changes a standing residency, and never touches an owner's.
    for email, role in (("family@example.ru", "tenant"), ("owner.two@example.ru", "family")):
        sent = await owner_client.form(
            f"/accounts/{place.account}/people", {"email": email, "role": role, "rights": ["pay", "meters"]}
        )
        assert sent.status_code == 303
    assert await _standing(family, place.account) == ("family", ["view"])
    assert await _role(co_owner, place.account) == "owner"
    # One owner does not revoke another.
    co_link = await Residency.select(Residency.id).where(Residency.user == co_owner).first()
    for answer in ({}, {"confirm": "1"}):
        revoke = await owner_client.form(f"/accounts/{place.account}/people/{co_link['id']}/revoke", answer)
        assert revoke.status_code == 404

    # A stranger with the code cannot register as the owner either: the register does not name them.
    stranger = new_client()
    registered = await stranger.form(
        "/register",
        {
            "account": place.number,
            "code": code,
            "role": "owner",
            "full_name": "Захватчик",
            "email": "grabber@example.ru",
            "password": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert registered.status_code == 422
    assert await queries.user_by_email("grabber@example.ru") is None

    # The owners keep their account; the real changes of access are recorded and told to the other owner.
    assert (await owner_client.get(f"/accounts/{place.account}/people")).status_code == 200
    family_link = await Residency.select(Residency.id).where(Residency.user == family).first()
    assert (
        await owner_client.form(f"/accounts/{place.account}/people/{family_link['id']}/revoke", {"confirm": "1"})
    ).status_code == 303
    assert await _standing(family, place.account) is None
    assert await _role(owner, place.account) == "owner"
    assert await _audited(place.account) == ["residency.revoke"]
    told = await _told(co_owner)
    assert told == ["Первый Собственник закрыл(а) доступ для Член Семьи."]
    assert await _told(owner) == []  # the one who made the change is not told of it


async def test_every_change_of_shared_access_is_recorded_and_told_to_the_owners(
    client, new_client, login, make_user, make_account, registry_owner
):
    place = await make_account()
    owner = await _with_password(await make_user(name="Хозяйка Счёта", accounts={place.account: "owner"}))
    await login(client, owner)
    sent = await client.form(f"/accounts/{place.account}/people", {"email": "tenant@example.ru", "role": "tenant"})
    assert sent.status_code == 303
    invitation = (await queries.pending_invitations(place.account, datetime.now(UTC)))[0]
    assert (await client.form(f"/accounts/{place.account}/invitations/{invitation.id}/cancel")).status_code == 303

    # A person linking the account with its code (as a tenant): the owner is told, in the owner's language.
    await User.update({User.locale: "en"}).where(User.id == owner)
    newcomer = await make_user(name="Новый Жилец")
    other = new_client()
    await login(other, newcomer)
    code = await queries.current_access_code(place.account)
    linked = await other.form("/accounts/link", {"account": place.number, "code": code, "role": "tenant"})
    assert linked.status_code == 303
    assert await _standing(newcomer, place.account) == ("tenant", ["view"])

    assert await _audited(place.account) == ["invitation.send", "invitation.cancel", "residency.link"]
    told = await _told(owner)
    assert told == ["Новый Жилец linked the account with its access code as: Tenant."]
    email = (
        await OutboxMessage.select(OutboxMessage.subject)
        .where((OutboxMessage.user_id == owner) & (OutboxMessage.channel == "email"))
        .first()
    )
    assert email["subject"] == f"Access to personal account {place.number}"


async def test_the_owner_role_comes_from_the_register_or_from_staff(
    client, new_client, login, make_user, make_account, registry_owner
):
    place, other_place = await make_account(), await make_account()
    await registry_owner(place.premise, email="named@example.ru")
    named = await make_user(email="named@example.ru")
    await User.update({User.email_confirmed_at: datetime.now(UTC)}).where(User.id == named)
    await login(client, named)
    for account, role in ((place, "owner"), (other_place, "owner")):
        code = await queries.current_access_code(account.account)
        await client.form("/accounts/link", {"account": account.number, "code": code, "role": role})
    assert await _role(named, place.account) == "owner"
    assert await _standing(named, other_place.account) is None  # not named as the owner there

    # Staff confirm an owner the register does not name by inviting them as the owner.
    manager = await make_user(roles=("manager",), houses=(other_place.house,))
    staff_client = new_client()
    await login(staff_client, manager)
    await User.update({User.password_hash: hash_password(PASSWORD)}).where(User.id == named)
    sent = await staff_client.form(
        "/staff/invitations", {"account": other_place.number, "email": "named@example.ru", "role": "owner"}
    )
    assert sent.status_code == 303
    assert await _role(named, other_place.account) == "owner"
    assert await _audited(other_place.account) == ["residency.grant"]


async def test_the_other_owners_are_told_an_invitation_was_sent_not_that_access_was_given(
    client, login, make_user, make_account
):
    """An owner who invited someone new had the other owners told «… дал(а) … доступ к счёту»: the access opens
    only when the invitation is accepted, so they are told that an invitation was sent; someone who already has a
    password gets the access at once, and they are told so."""
    place = await make_account()
    owner = await _with_password(await make_user(name="Хозяйка Счёта", accounts={place.account: "owner"}))
    co_owner = await make_user(name="Второй Собственник", accounts={place.account: "owner"})
    neighbour = await _with_password(await make_user(name="Сосед", email="neighbour@example.ru"))
    await login(client, owner)
    for email in ("tenant@example.ru", "neighbour@example.ru"):
        sent = await client.form(f"/accounts/{place.account}/people", {"email": email, "role": "tenant"})
        assert sent.status_code == 303
    assert await _told(co_owner) == [
        "Хозяйка Счёта отправил(а) приглашение для tenant@example.ru, роль: Наниматель; доступ откроется, когда "
        "приглашение примут.",
        "Хозяйка Счёта дал(а) neighbour@example.ru доступ к счёту, роль: Наниматель.",
    ]
    assert await _standing(neighbour, place.account) == ("tenant", ["view"])
