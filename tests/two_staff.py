"""Two staff members in two browsers on a committed database (``tests.conftest.committed``): what two people
editing the same record at once meet in production. ``two_staff`` signs in Анна and Борис with the roles and houses
given; on leaving it deletes them and every audit event they wrote (the caller deletes the records it made)."""

from __future__ import annotations

import contextlib
import json
import re
import secrets
from collections.abc import AsyncIterator
from typing import Any

import httpx

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
            await ConsentRecord.delete().where(ConsentRecord.user.is_in(users))
            await UserRole.delete().where(UserRole.user.is_in(users))
            await StaffHouse.delete().where(StaffHouse.user.is_in(users))
            await User.delete().where(User.id.is_in(users))
