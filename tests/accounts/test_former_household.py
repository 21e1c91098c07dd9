"""The people of a closed account are its owners only (``housing.rules.account_kept``), in every read of people
through their accounts, not only in the resident's own principal: one SQL condition (``housing.queries.kept_by``
and ``open_on``, which the sending of notices already used) for the news of the house, the household list, the
call centre's caller found by their phone, the people told of readings and meetings, the payer named to an owner.
A family member or a tenant of a flat sold yesterday hears nothing more of the house and is nobody's contact there."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest

from portal.accounts.principal import load_principal_for
from portal.accounts.queries import people_of_account
from portal.accounts.queries import residents_by_phone
from portal.accounts.tables import User
from portal.content import queries as content
from portal.content.tables import Post
from portal.content.tables import PostKind
from portal.content.tables import PostRead
from portal.content.tables import PostStatus
from portal.content.tables import PostTarget
from portal.core import clock
from portal.housing.tables import PersonalAccount
from portal.meetings.queries import user_ids_of_house
from portal.meters.queries import residents_of
from portal.notifications.queries import PostAudience
from portal.notifications.queries import count_audience
from portal.notifications.queries import people_of_accounts
from portal.notifications.queries import resolve_audience
from portal.notifications.rules import TargetKind
from portal.payments.queries import payer_as_seen_by


@dataclass
class House:
    id: int
    flat: int  # its account, closed yesterday: the flat passed to a new owner
    owner: int
    family: int
    tenant: int
    neighbour: int  # of an open flat in the same house


@pytest.fixture
async def house(db, make_account, make_user) -> House:
    flat = await make_account()
    next_door = await make_account(house=flat.house, premise_number="12")
    rights = ("view", "pay", "meters", "tickets")
    owner = await make_user(name="Прежний Собственник", accounts={flat.account: "owner"})
    family = await make_user(name="Родственница Прежняя", accounts={flat.account: "family"}, rights=rights)
    tenant = await make_user(name="Арендатор Бывший", accounts={flat.account: "tenant"}, rights=rights)
    neighbour = await make_user(name="Соседка Живущая", accounts={next_door.account: "owner"})
    yesterday = clock.today_local() - timedelta(days=1)
    await PersonalAccount.update({PersonalAccount.closed_on: yesterday}).where(PersonalAccount.id == flat.account)
    return House(flat.house, flat.account, owner, family, tenant, neighbour)


async def _post_to(house: int) -> int:
    hour_ago = clock.now() - timedelta(hours=1)
    post = Post(kind=PostKind.NEWS, status=PostStatus.PUBLISHED, title="Отключение воды", publish_at=hour_ago)
    await post.save()
    await PostTarget(post=post.id, kind=TargetKind.HOUSE, ref=house, house=house).save()
    return post.id


async def test_a_post_to_the_house_reaches_nobody_of_the_flat_sold(house):
    """Sent (page by page from the post's side and by the walk) and counted on the form: the neighbour only; the news
    page of the former owner, who keeps the account's page, does not show it either."""
    post = await _post_to(house.id)
    audience = PostAudience(post)
    for kinds in (None, ["house"]):
        assert [p.user_id for p in await resolve_audience(audience, kinds=kinds)] == [house.neighbour]
    assert await count_audience(audience) == 1
    assert [item.id for item in await content.feed(await load_principal_for(house.neighbour))] == [post]
    owner = await load_principal_for(house.owner)
    assert owner.account_ids == {house.flat}  # kept, read-only
    assert await content.feed(owner) == []


async def test_staff_of_the_house_do_not_see_a_former_tenant_among_its_readers(house):
    post = await _post_to(house.id)
    for user in (house.tenant, house.neighbour):
        await PostRead(post=post, user=user).save()
    readers = await content.readers(post, scope={house.id})
    assert readers.total == 1 and [r.name for r in readers.latest] == ["Соседка Живущая"]


async def test_the_household_of_a_closed_account_is_its_owner(client, login, house):
    assert [p.user_id for p in await people_of_account(house.flat)] == [house.owner]
    await login(client, house.owner)
    page = (await client.get(f"/accounts/{house.flat}/people")).text
    assert "Прежний Собственник" in page
    assert "Арендатор Бывший" not in page and "Родственница Прежняя" not in page


async def test_a_former_tenant_is_nobody_s_contact_in_the_house(house):
    """The call centre typing their phone finds no account; they are not told of readings or a meeting of the house,
    and the owner paying is not shown who they are."""
    for user, phone in ((house.owner, "+79780000001"), (house.tenant, "+79780000002")):
        confirmed = {User.phone: phone, User.phone_confirmed_at: clock.now()}
        await User.update(confirmed).where(User.id == user)
    assert await residents_by_phone("+79780000002") == {}
    assert await residents_by_phone("+79780000001") == {house.flat: "Прежний Собственник"}
    told = (await residents_of([house.flat])).get(house.flat, [])
    assert [p.user_id for p in told] == [house.owner]
    receipt_told = (await people_of_accounts([house.flat])).get(house.flat, [])  # its last receipt: the owner pays it
    assert [p.user_id for p in receipt_told] == [house.owner]
    assert set(await user_ids_of_house(house.id)) == {house.owner, house.neighbour}
    assert await payer_as_seen_by(house.owner, house.tenant, [house.flat]) == ""
    assert await payer_as_seen_by(house.owner, house.owner, [house.flat]) == "Прежний Собственник"
