"""The one "houses in a staff user's scope" of every domain, on both engines."""

from portal.core.security import Principal
from portal.housing.queries import HouseRef
from portal.housing.queries import house_scope
from portal.housing.queries import houses_in_scope
from portal.housing.tables import House


async def test_an_admin_sees_every_house_a_manager_only_theirs_and_staff_without_houses_none(make_account):
    first = await make_account(address="г. Симферополь, ул. Абрикосовая, д. 1")
    second = await make_account(address="г. Симферополь, ул. Вишнёвая, д. 2")
    admin = Principal(user_id=1, staff_roles=frozenset({"admin"}), house_ids=None)
    manager = Principal(user_id=2, staff_roles=frozenset({"manager"}), house_ids=frozenset({second.house}))
    nobody = Principal(user_id=3, staff_roles=frozenset({"manager"}), house_ids=frozenset())

    assert await houses_in_scope(admin) == [
        HouseRef(first.house, "г. Симферополь, ул. Абрикосовая, д. 1"),
        HouseRef(second.house, "г. Симферополь, ул. Вишнёвая, д. 2"),
    ]
    assert await houses_in_scope(manager) == [HouseRef(second.house, "г. Симферополь, ул. Вишнёвая, д. 2")]
    assert await houses_in_scope(nobody) == []
    assert len(await houses_in_scope(admin, limit=1)) == 1


async def test_the_scope_condition_keeps_a_query_within_the_users_houses(make_account):
    first = await make_account()
    second = await make_account()
    admin = Principal(user_id=1, staff_roles=frozenset({"admin"}), house_ids=None)
    manager = Principal(user_id=2, staff_roles=frozenset({"manager"}), house_ids=frozenset({first.house}))
    nobody = Principal(user_id=3, staff_roles=frozenset({"manager"}), house_ids=frozenset())

    assert house_scope(House.id, admin) is None
    assert [r["id"] for r in await House.select(House.id).where(house_scope(House.id, manager))] == [first.house]
    assert await House.select(House.id).where(house_scope(House.id, nobody)) == []
    assert second.house != first.house
