"""Who hears of a lead or an owner's request (``staff_to_tell``), on both engines: the staff member in charge of the
listing while active; else the active managers of the house; else the active administrators; a deactivated staff
member never."""

from __future__ import annotations

from portal.accounts.tables import User


async def _deactivate(*users: int) -> None:
    await User.update({User.is_active: False}).where(User.id.is_in(list(users)))


async def test_the_one_in_charge_then_the_houses_managers_then_the_administrators(make_user, make_account, db):
    from portal.showcase.queries import staff_to_tell

    house, other = (await make_account()).house, (await make_account()).house
    in_charge = await make_user(roles=("manager",), houses=(other,))
    managers = [await make_user(roles=("manager",), houses=(house,)) for _ in range(2)]
    await make_user(roles=("dispatcher",), houses=(house,))  # not a listing role
    await make_user(roles=("manager",), houses=(other,))  # another house's
    admins = [await make_user(roles=("admin",)) for _ in range(2)]

    assert await staff_to_tell(house, in_charge) == [in_charge]
    await _deactivate(in_charge)
    assert await staff_to_tell(house, in_charge) == sorted(managers)
    await _deactivate(managers[0])
    assert await staff_to_tell(house, None) == [managers[1]]
    await _deactivate(managers[1])
    everyone_admin = await staff_to_tell(house, None)
    assert set(admins) <= set(everyone_admin) and not set(everyone_admin) & {in_charge, *managers}
    await _deactivate(admins[0])
    assert admins[0] not in await staff_to_tell(house, None)
