"""The emergencies pinned at the top of the resident's home are read with the same number of queries for one
notice in force and for many: their audiences are resolved together, never one notice at a time."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from portal.content import pinned
from portal.content.tables import Post
from portal.content.tables import PostKind
from portal.content.tables import PostStatus
from portal.content.tables import PostTarget
from portal.core import clock
from portal.notifications.rules import TargetKind
from tests.querylog import captured


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


async def _home(db: Any, client: Any) -> tuple[list[str], str]:
    """The queries of the home page when it reads the emergencies in force afresh, and the page."""
    await client.get("/")  # the first load builds the principal kept in the session
    pinned.forget()
    with captured(db) as seen:
        page = await client.get("/")
    assert page.status_code == 200
    return [str(q) for q in seen], page.text


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
