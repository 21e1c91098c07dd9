"""The session is written only when it changes; the principal kept in it follows every change of access."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from typing import Any

import pytest


@pytest.fixture
def store_writes(app: Any, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    store = app.stores.get("sessions")
    writes: list[str] = []
    original = type(store).set

    async def counting_set(self: Any, key: str, value: Any, expires_in: Any = None) -> None:
        if self is store:
            writes.append(key)
        await original(self, key, value, expires_in)

    monkeypatch.setattr(type(store), "set", counting_set)
    return writes


async def test_an_unchanged_session_is_not_written_back(
    client: Any, login: Any, make_user: Any, store_writes: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from portal.core import security

    await login(client, await make_user())
    store_writes.clear()
    first = await client.get("/more")
    assert first.status_code == 200
    assert len(store_writes) == 1  # the principal was built and kept
    for _ in range(3):
        page = await client.get("/more")
        assert page.status_code == 200
        assert "session=" not in page.headers.get("set-cookie", "")
    assert len(store_writes) == 1
    # An unchanged session is still written now and then, so that its idle timeout slides.
    monkeypatch.setattr(security, "SESSION_REFRESH_SECONDS", 0)
    await client.get("/more")
    assert len(store_writes) == 2


async def test_the_kept_principal_follows_residency_and_role_changes(
    db: Any, client: Any, login: Any, make_user: Any
) -> None:
    from portal.accounts.tables import Residency
    from portal.accounts.tables import User
    from portal.accounts.tables import UserRole
    from portal.housing.tables import Complex
    from portal.housing.tables import House
    from portal.housing.tables import PersonalAccount
    from portal.housing.tables import Premise

    complex_ = Complex(name="ЖК Кэш", city="Симферополь")
    await complex_.save()
    house = House(complex=complex_.id, address="г. Симферополь, ул. Кэша, д. 1", floors=5)
    await house.save()
    accounts = []
    for n in (1, 2):
        premise = Premise(house=house.id, kind="flat", number=str(n), floor=1)
        await premise.save()
        account = PersonalAccount(number=f"77000000{n}", premise=premise.id, payer_name="Кэшев Иван")
        await account.save()
        accounts.append(account.id)
    first, second = accounts
    user = await make_user(accounts={first: "owner"}, roles=("dispatcher",), houses=(house.id,))
    await login(client, user)
    assert (await client.get(f"/accounts/{first}")).status_code == 200
    assert (await client.get(f"/accounts/{second}")).status_code in (403, 404)
    assert (await client.get("/staff/tickets")).status_code == 200

    await Residency(user=user, account=second, role="owner", rights=["view"]).save()
    assert (await client.get(f"/accounts/{second}")).status_code == 200

    await UserRole.delete().where(UserRole.user == user)
    assert (await client.get("/staff/tickets")).status_code == 403

    await Residency.update({Residency.revoked_at: datetime.now(UTC)}).where(
        (Residency.user == user) & (Residency.account == first)
    )
    assert (await client.get(f"/accounts/{first}")).status_code in (403, 404)

    await User.update({User.is_active: False}).where(User.id == user)
    assert (await client.get("/more")).status_code == 303  # signed out: sent to the sign-in page
