"""The staff pages of a post hand-picked for tens of thousands of accounts and premises read a bounded summary of
its audience (its houses, each name once, the first account numbers, how many people it reaches), never every
selection: the post's page and the list read as many rows for it as for a post for one account."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from portal.content import actions
from portal.content.tables import PostKind
from portal.content.tables import PostTarget
from portal.notifications.rules import Audience
from tests.content.conftest import make_accounts

ACCOUNTS = 20_000
PREMISES = 40_000


@contextmanager
def rows_read(engine: Any) -> Iterator[list[tuple[str, int, int]]]:
    """Each query ``engine`` runs inside the block: its text, how many values it was sent, how many rows came back."""
    seen: list[tuple[str, int, int]] = []
    cls = type(engine)
    original = cls.run_querystring

    async def run(self: Any, querystring: Any, *args: Any, **kwargs: Any) -> Any:
        result = await original(self, querystring, *args, **kwargs)
        if self is engine:
            values = querystring.compile_string(engine_type=engine.engine_type)[1]
            seen.append((str(querystring), len(values), len(result) if isinstance(result, list) else 0))
        return result

    cls.run_querystring = run  # type: ignore[method-assign]
    try:
        yield seen
    finally:
        cls.run_querystring = original  # type: ignore[method-assign]


async def test_the_staff_pages_of_a_hand_picked_post_read_a_bounded_summary(db, new_client, login, hand_picked_post):
    t, post_id = await hand_picked_post(ACCOUNTS, PREMISES)
    assert await PostTarget.count().where(PostTarget.post == post_id) == ACCOUNTS + PREMISES + 2

    staff = new_client()
    await login(staff, t["moderator"])
    with rows_read(db) as seen:
        page = await staff.get(f"/staff/posts/{post_id}")
        listed = await staff.get("/staff/posts")
    assert page.status_code == 200 and listed.status_code == 200
    for text in (page.text, listed.text):
        assert "Сверка показаний" in text and "HP1000001, HP1000002, HP1000003, HP1000004…" in text
    assert "ул. Ручьевая, д. 1" in page.text and "2 человека" in page.text  # Anna and Boris
    assert max(rows for _, _, rows in seen) < 100, sorted(seen, key=lambda s: -s[2])[0][0]
    assert max(values for _, values, _ in seen) < 50


async def test_a_copy_of_a_hand_picked_post_keeps_its_whole_audience(db, town, staff_principal):
    """Its selections are looked up and stored in chunks: a copy of a post for 20,000 accounts is a draft for the
    same 20,000 accounts (one statement for all of them would send more values than PostgreSQL takes)."""
    from portal.content import queries

    t = await town()
    first, _, _ = t["places"]
    moderator = await staff_principal(t["moderator"], "moderator", houses=(t["house"], t["other_house"]))
    accounts = await make_accounts(first.premise, ACCOUNTS)
    assert len(accounts) == ACCOUNTS
    audience = Audience.of(accounts=accounts, premises=[first.premise])
    post_id = await actions.save_post(
        moderator,
        actions.PostInput(kind=PostKind.NOTICE, title="Сверка", body="Показания.", audience=audience),
    )
    copy = await actions.duplicate(moderator, post_id)
    assert await queries.stored_audience(copy) == await queries.stored_audience(post_id) == audience
    houses = await PostTarget.count().where((PostTarget.post == copy) & (PostTarget.house == t["house"]))
    assert houses == ACCOUNTS + 1
