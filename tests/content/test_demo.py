"""The demo content: a dozen posts of each kind across the houses, one emergency in force for one riser (pinned
for the demo resident), three events for the resident's house (two to come, one past), delivery logs with some
failures."""

import random
from datetime import UTC
from datetime import date
from datetime import datetime

from portal.content import pinned
from portal.content import queries
from portal.content.tables import Post
from portal.core import clock
from portal.core.pagination import PageRequest
from portal.core.security import Principal
from portal.demo import DemoContext


async def test_demo_content(db):
    from portal.accounts import demo as accounts_demo
    from portal.content import demo
    from portal.housing import demo as housing_demo

    ctx = DemoContext(rng=random.Random(20261125), today=date(2026, 11, 25))
    await housing_demo.seed(ctx)
    await accounts_demo.seed(ctx)
    await demo.seed(ctx)
    for kind in ("news", "notice", "emergency"):
        assert await Post.count().where(Post.kind == kind) >= 12
    resident = Principal(
        user_id=ctx.shared["users"]["resident"],
        account_rights={a: frozenset({"view"}) for a in ctx.shared["resident_accounts"]},
    )
    pinned.forget()
    [in_force] = await pinned.for_principal(resident)
    assert "стояке" in in_force.title
    # Its text says the hour it ends at («Действует до …»): it read «сегодня к 20:00» whatever hour that was.
    body = (await Post.select(Post.body).where(Post.id == in_force.id).first())["body"]
    assert in_force.ends_at and f" к {clock.local(in_force.ends_at):%H:%M}**" in body, (in_force.ends_at, body)
    # Events for the resident's house: two to come on the home page (each with its reminder queued), one past.
    upcoming = await queries.upcoming_events(resident)
    assert [e.title for e in upcoming] == ["Субботник во дворе", "Новогодний праздник для детей"]
    assert len(await queries.feed(resident, kind="event")) == 3
    from portal.content.actions import reminder_key
    from portal.core.tables import OutboxMessage

    keys = [reminder_key(e.id) for e in upcoming]
    assert await OutboxMessage.count().where(OutboxMessage.dedupe_key.is_in(keys)) == 2
    admin = Principal(user_id=ctx.shared["users"]["admin"], staff_roles=frozenset({"admin"}), house_ids=None)
    page = await queries.staff_posts(admin, queries.StaffFilter(), PageRequest(size=100))
    assert any(p.failed for p in page.items) and all(p.audience_names.said() for p in page.items)
    assert sum(sum(p.sent.values()) for p in page.items) > 100
    # The manager works with the first two houses and wrote for them only: every post they see names its houses.
    manager = Principal(user_id=ctx.shared["users"]["manager"], staff_roles=frozenset({"manager"}),
                        house_ids=frozenset(list(ctx.shared["houses"])[:2]))  # fmt: skip
    seen = (await queries.staff_posts(manager, queries.StaffFilter(), PageRequest(size=100))).items
    assert seen and not any(p.audience_names.elsewhere for p in seen)


def test_the_demo_emergency_says_today_or_tomorrow_as_its_end_falls():
    from portal.content.demo import back_words
    from portal.content.demo import water_back

    morning = datetime(2026, 12, 5, 23, 26, tzinfo=UTC)  # 02:26 on 6 December in Simferopol
    assert clock.local(water_back(morning)) == datetime(2026, 12, 6, 12, 0, tzinfo=clock.zone())
    assert back_words(morning, water_back(morning)) == ("сегодня к 12:00", "today by 12:00")
    evening = datetime(2026, 12, 5, 17, 40, tzinfo=UTC)  # 20:40 in Simferopol: back the next morning
    assert back_words(evening, water_back(evening)) == ("завтра к 06:00", "tomorrow by 06:00")
