"""Two staff members in two browsers on a committed database (``tests.conftest.committed``): what two people
editing the same record at once meet in production. ``two_staff`` signs in Анна and Борис with the roles and houses
given; on leaving it deletes them, every audit event they wrote and the attempts counted against them (the caller
deletes the records it made)."""

from __future__ import annotations

import contextlib
import json
import re
import secrets
from collections.abc import AsyncIterator
from typing import Any

import httpx

from portal.core.tables import AuditEvent
from portal.housing.tables import Complex
from portal.housing.tables import Entrance
from portal.housing.tables import House
from portal.housing.tables import Owner
from portal.housing.tables import Ownership
from portal.housing.tables import PersonalAccount
from portal.housing.tables import Premise
from tests.conftest import COOKIE_DOMAIN
from tests.conftest import PortalClient

VERSION = re.compile(r'name="version" value="([^"]*)"')
FIRST, SECOND = "Анна Первая", "Борис Второй"


def version(page: httpx.Response, status: int = 200) -> str:
    """The version the page's edit form carries."""
    assert page.status_code == status, page.text[:500]
    found = VERSION.search(page.text)
    assert found, "the edit form carries no version"
    return found.group(1)


@contextlib.asynccontextmanager
async def two_staff(
    app: Any, *, roles: tuple[str, ...], houses: tuple[int, ...] = ()
) -> AsyncIterator[tuple[PortalClient, PortalClient]]:
    """Clients of two staff members signed in at once, inside ``committed``: on the database it uses."""
    from portal.accounts import consent
    from portal.accounts.tables import ConsentRecord
    from portal.accounts.tables import StaffHouse
    from portal.accounts.tables import User
    from portal.accounts.tables import UserRole
    from portal.core.tables import AttemptCounter
    from portal.core.tables import AuditEvent

    users: list[int] = []
    clients: list[PortalClient] = []
    try:
        for name in (FIRST, SECOND):
            user = User(email=f"staff-{secrets.token_hex(4)}@example.ru", full_name=name, password_hash="")
            await user.save()
            users.append(user.id)
            for role in roles:
                await UserRole(user=user.id, role=role).save()
            for house in houses:
                await StaffHouse(user=user.id, house=house).save()
            await ConsentRecord(user=user.id, text_version=consent.current_version(), channel="test").save()
            client = PortalClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")
            session = secrets.token_hex(32)
            await app.stores.get("sessions").set(session, json.dumps({"uid": user.id}).encode(), expires_in=3600)
            client.cookies.set("session", session, domain=COOKIE_DOMAIN)
            clients.append(client)
        yield clients[0], clients[1]
    finally:
        for client in clients:
            await client.aclose()
        if users:
            await AuditEvent.delete().where(AuditEvent.actor_id.is_in(users))
            for user_id in users:  # their forms' uploads counted (committed): a later test's user of that id met them
                await AttemptCounter.delete().where(AttemptCounter.bucket.like(f"%:{user_id}"))
            await ConsentRecord.delete().where(ConsentRecord.user.is_in(users))
            await UserRole.delete().where(UserRole.user.is_in(users))
            await StaffHouse.delete().where(StaffHouse.user.is_in(users))
            await User.delete().where(User.id.is_in(users))


async def make_registry() -> dict[str, Any]:
    """A complex with a house, its entrance, a flat with an owner's share and an account, written (committed inside
    ``committed``): their ids by entity; ``remove_registry`` deletes them and their audit events."""
    tag = secrets.token_hex(3)
    complex_ = Complex(name=f"ЖК «Спорный {tag}»", city="Симферополь")
    await complex_.save()
    house = House(complex=complex_.id, address=f"г. Симферополь, ул. Спорная, д. {tag}", floors=9)
    await house.save()
    entrance = Entrance(house=house.id, number=1, floors=9)
    await entrance.save()
    premise = Premise(house=house.id, entrance=entrance.id, kind="flat", number="1", floor=1, area="40.00")
    await premise.save()
    owner = Owner(kind="person", name=f"Спорный Владелец {tag}", inn=None, phone="", email="")
    await owner.save()
    share = Ownership(premise=premise.id, owner=owner.id, share_numerator=1, share_denominator=2, document="")
    await share.save()
    account = PersonalAccount(number=str(secrets.randbelow(10**9) + 9 * 10**9), premise=premise.id, payer_name="")
    await account.save()
    return {
        "complex": complex_.id,
        "house": house.id,
        "entrance": entrance.id,
        "premise": premise.id,
        "owner": owner.id,
        "ownership": share.id,
        "account": account.id,
    }


async def remove_registry(ids: dict[str, Any]) -> None:
    await AuditEvent.delete().where(AuditEvent.entity.is_in(list(ids)) & AuditEvent.entity_id.is_in(list(ids.values())))
    await PersonalAccount.delete().where(PersonalAccount.id == ids["account"])
    await Ownership.delete().where(Ownership.id == ids["ownership"])
    await Owner.delete().where(Owner.id == ids["owner"])
    await Premise.delete().where(Premise.id == ids["premise"])
    await Entrance.delete().where(Entrance.id == ids["entrance"])
    await House.delete().where(House.id == ids["house"])
    await Complex.delete().where(Complex.id == ids["complex"])
