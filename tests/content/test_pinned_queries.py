"""The emergencies pinned at the top of the resident's home are read with the same number of queries for one
notice in force and for many: their audiences are resolved together, never one notice at a time."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from portal.content import pinned
from portal.content.tables import Post
from portal.content.tables import PostKind
from portal.content.tables import PostStatus
from portal.content.tables import PostTarget
from portal.core import clock
from portal.notifications.rules import TargetKind
from tests.content.conftest import hand_pick
from tests.querylog import captured
from tests.querylog import plan_of
from tests.querylog import unindexed_steps


async def _emergency(title: str, *targets: dict[str, Any]) -> int:
    post = Post(
        kind=PostKind.EMERGENCY,
        status=PostStatus.PUBLISHED,
        title=title,
        publish_at=clock.now() - timedelta(hours=1),
        ends_at=clock.now() + timedelta(hours=5),
    )
    await post.save()
    for target in targets:
        await PostTarget(post=post.id, **target).save()
    return post.id


async def _home(db: Any, client: Any) -> tuple[list[Any], str]:
    """The queries of the home page when it reads the emergencies in force afresh, and the page's words (a short
    word's no-break space read as a space: what the page says is what counts here)."""
    await client.get("/")  # the first load builds the principal kept in the session
    pinned.forget()
    with captured(db) as seen:
        page = await client.get("/")
    assert page.status_code == 200
    return seen, page.text.replace("\xa0", " ")


async def test_the_home_reads_one_or_many_emergencies_with_the_same_queries(db, client, login, town):
    t = await town()
    first, second, other = t["places"]
    await login(client, t["residents"][0])
    await _emergency("Авария на стояке", {"kind": TargetKind.RISER, "ref": t["riser"]})
    one, page = await _home(db, client)
    assert "Авария на стояке" in page

    reaching = {
        "Нет света в доме": [{"kind": TargetKind.HOUSE, "ref": t["house"]}],
        "Лифт на этажах 2–4": [{"kind": TargetKind.FLOORS, "ref": t["house"], "floor_from": 2, "floor_to": 4}],
        "Для лицевого счёта": [{"kind": TargetKind.ACCOUNT, "ref": first.account}],
        "Для квартиры": [{"kind": TargetKind.PREMISE, "ref": first.premise}],
        "Для подъезда": [{"kind": TargetKind.ENTRANCE, "ref": first.entrance}],
        "Для всей компании": [{"kind": TargetKind.COMPANY}],
        "Дом или соседний": [
            {"kind": TargetKind.HOUSE, "ref": other.house},
            {"kind": TargetKind.ACCOUNT, "ref": first.account},
        ],
    }
    missing = {
        "Только второй подъезд": [{"kind": TargetKind.ENTRANCE, "ref": t["entrance2"]}],
        "Этажи 5–9": [{"kind": TargetKind.FLOORS, "ref": t["house"], "floor_from": 5, "floor_to": 9}],
        "Соседний дом": [{"kind": TargetKind.HOUSE, "ref": other.house}],
        "Чужой счёт": [{"kind": TargetKind.ACCOUNT, "ref": second.account}],
        "Без адресатов": [],
    }
    for title, targets in {**reaching, **missing}.items():
        await _emergency(title, *targets)
    for n in range(30):
        await _emergency(f"Авария №{n} во втором подъезде", {"kind": TargetKind.ENTRANCE, "ref": t["entrance2"]})
    many, page = await _home(db, client)

    assert len(one) == len(many), (one, many)
    for title in ["Авария на стояке", *reaching]:
        assert title in page, title
    for title in [*missing, "во втором подъезде"]:
        assert title not in page, title
    pinned.forget()


# PostgreSQL's alone (its parameter limit, generate_series); SQLite's limit and a bulk audience on SQLite are
# checked alike by tests/content/test_feed_queries.py. Without PostgreSQL the ``db`` fixture says what to install.
@pytest.mark.parametrize("db", ["postgres"], indirect=True)
async def test_a_hand_picked_audience_of_any_size_is_read_with_the_same_bounded_queries(db, client, login, town):
    """An emergency for 40,000 hand-picked accounts and premises (more than PostgreSQL takes as parameters of one
    query) is pinned for the resident among them, with the queries of an emergency for one account: the resident's
    own accounts are looked up in the audience, the audience is never sent as a list."""
    t = await town()
    first, second, _ = t["places"]
    await login(client, t["residents"][0])
    await _emergency("Для одного счёта", {"kind": TargetKind.ACCOUNT, "ref": first.account})
    one, page = await _home(db, client)
    assert "Для одного счёта" in page

    big = await _emergency("Для списка счетов", {"kind": TargetKind.ACCOUNT, "ref": first.account})
    elsewhere = await _emergency("Для чужого списка", {"kind": TargetKind.ACCOUNT, "ref": second.account})
    for post, kind in ((big, "account"), (big, "premise"), (elsewhere, "account"), (elsewhere, "premise")):
        await hand_pick(post, kind, 40_000)
    many, page = await _home(db, client)

    assert "Для одного счёта" in page and "Для списка счетов" in page and "Для чужого списка" not in page
    assert len(many) == len(one), (one, many)
    assert max(len(q.compile_string(engine_type=db.engine_type)[1]) for q in many) < 100
    reach = [q for q in many if "WITH m AS" in str(q)]  # the pinned notices', the home's events and news
    assert len(reach) == 3, reach
    await db.run_ddl("ANALYZE post, post_target, personal_account, premise, premise_riser, house")
    for querystring in reach:  # never the whole audience
        assert unindexed_steps(await plan_of(db, querystring), "post_target", sqlite=False) == [], querystring
    pinned.forget()
