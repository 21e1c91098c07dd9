"""Two administrators change the same staff member's roles at once, on a committed database of each engine: both
open the form, Анна saves, then Борис saves the form he opened before her change. Refused (409): her roles stay,
his ticks come back with who changed them and when, and «changed» at the roles (core.stale). The staff member's own
profile changes (their language) do not make an administrator's form stale."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from typing import Any

import pytest

from portal.accounts.tables import StaffHouse
from portal.accounts.tables import User
from portal.accounts.tables import UserRole
from portal.core.tables import AuditEvent
from tests.conftest import committed
from tests.two_staff import FIRST
from tests.two_staff import SECOND
from tests.two_staff import make_registry
from tests.two_staff import remove_registry
from tests.two_staff import two_staff
from tests.two_staff import version


@pytest.fixture(params=["sqlite", "postgres"])
async def employee(request: pytest.FixtureRequest, engines: dict[str, Any]) -> AsyncIterator[dict[str, Any]]:
    """A dispatcher of a house, committed."""
    async with committed(engines, request.param):
        ids = await make_registry()
        user = User(email=f"dispatcher-{secrets.token_hex(4)}@example.ru", full_name="Дина Диспетчер", password_hash="")
        await user.save()
        await UserRole(user=user.id, role="dispatcher").save()
        await StaffHouse(user=user.id, house=ids["house"]).save()
        try:
            yield {**ids, "user": user.id}
        finally:
            await AuditEvent.delete().where((AuditEvent.entity == "user") & (AuditEvent.entity_id == user.id))
            await UserRole.delete().where(UserRole.user == user.id)
            await StaffHouse.delete().where(StaffHouse.user == user.id)
            await User.delete().where(User.id == user.id)
            await remove_registry(ids)


async def test_roles_saved_from_a_form_read_before_another_administrators_change_are_refused(app, employee):
    url = f"/staff/users/{employee['user']}"
    house = str(employee["house"])
    async with two_staff(app, roles=("admin",)) as (anna, boris):
        hers, his = version(await anna.get(url)), version(await boris.get(url))
        await User.update({User.locale: "en"}).where(User.id == employee["user"])  # her own change: not theirs
        saved = await anna.form(url, {"roles": ["dispatcher", "executor"], "houses": house, "active": "1",
                                      "version": hers})  # fmt: skip
        assert saved.status_code == 303, saved.text[-2000:]

        refused = await boris.form(url, {"roles": ["manager"], "houses": house, "active": "1", "version": his})
        assert refused.status_code == 409, refused.text[-3000:]
        assert f"Пока вы правили, запись изменил(а) {FIRST}" in refused.text
        assert "Изменено, пока вы правили" in refused.text  # at the roles she changed
        roles = {r["role"] for r in await UserRole.select(UserRole.role).where(UserRole.user == employee["user"])}
        assert roles == {"dispatcher", "executor"}
        # Ticked exactly as she saved, his form read before her change is no conflict: «saved», nothing written.
        same = await boris.form(url, {"roles": ["executor", "dispatcher"], "houses": house, "active": "1",
                                      "version": his})  # fmt: skip
        assert same.status_code == 303, same.text[-3000:]
        assert await AuditEvent.count().where(AuditEvent.actor_name == SECOND) == 0

        again = await boris.form(url, {"roles": ["manager"], "houses": house, "active": "1",
                                       "version": version(refused, 409)})  # fmt: skip
        assert again.status_code == 303  # shown again, the form carries the version now: his choice, saved
