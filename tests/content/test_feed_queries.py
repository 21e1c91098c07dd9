"""The resident's news (the home page's news, the list of news, a post's page) asks who a post reaches from the
resident's side: each kind of selection is looked up by an index for the resident's own places ((kind, ref); on a
post's own page PostgreSQL may start from the post, (post, kind, ref)), so a post hand-picked for 100,000 accounts
costs a resident outside it no more than a post for one account — its selections are never read one by one."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

from piccolo.querystring import QueryString

from portal.content import pinned
from portal.content.tables import Post
from portal.content.tables import PostKind
from portal.content.tables import PostStatus
from portal.content.tables import PostTarget
from portal.core import clock
from portal.core.db import is_sqlite
from portal.notifications.rules import TargetKind
from tests.content.conftest import hand_pick
from tests.querylog import captured
from tests.querylog import plan_of

HAND_PICKED = 100_000


async def _news(title: str, *targets: dict[str, Any]) -> int:
    post = Post(
        kind=PostKind.NEWS,
        status=PostStatus.PUBLISHED,
        title=title,
        publish_at=clock.now() - timedelta(hours=1),
        published_at=clock.now() - timedelta(hours=1),
    )
    await post.save()
    for target in targets:
        await PostTarget(post=post.id, **target).save()
    return post.id


def reads_of_targets(plan: str, sqlite: bool) -> list[str]:
    """The steps that read post_target other than by its (kind, ref) index: a pass over it, or a post's
    selections read one by one (by the post's index)."""
    lines = plan.splitlines()
    if sqlite:
        steps = [line for line in lines if re.search(r"\b(SCAN|SEARCH) t\b|\bpost_target\b", line)]
        return [line for line in steps if "INDEX post_target_kind_ref " not in line]
    found = []
    for line in lines:
        if re.search(r"Seq Scan on post_target\b", line):
            found.append(line.strip())
        used = re.search(r"Index (?:Only )?Scan using (\S+) on post_target\b", line) or re.search(
            r"Bitmap Index Scan on (post_target\S*)", line
        )
        if used and used.group(1) != "post_target_kind_ref":
            found.append(line.strip())
    return found


async def targets_read(db: Any, querystring: Any) -> int:
    """The rows PostgreSQL reads from post_target running ``querystring`` (EXPLAIN ANALYZE): by the (kind, ref)
    index from the resident's side, or by the (post, kind, ref) index where the query names the post (its page)."""
    rows = await db.run_querystring(QueryString("EXPLAIN (ANALYZE, FORMAT JSON) {}", querystring))
    plan = rows[0]["QUERY PLAN"]
    plan = json.loads(plan) if isinstance(plan, str) else plan

    def read(node: dict[str, Any]) -> int:
        own = 0
        if node.get("Relation Name") == "post_target":
            own = node.get("Actual Rows", 0) * node.get("Actual Loops", 1) + node.get("Rows Removed by Filter", 0)
            own += node.get("Rows Removed by Index Recheck", 0)
        return own + sum(read(child) for child in node.get("Plans", []))

    return read(plan[0]["Plan"])


async def _analyze(db: Any) -> None:
    """Statistics that know the hand-picked audience, whatever earlier tests left (rolled back with the test)."""
    tables = "post, post_target, post_read, personal_account, premise, premise_riser, house"
    await db.run_ddl("ANALYZE" if is_sqlite(db) else f"ANALYZE {tables}")


async def _pages(db: Any, client: Any, post: int) -> tuple[dict[str, Any], list[Any]]:
    """The resident's home, list of news and the post's page, and the queries that asked who a post reaches; no
    other query reads a post's selections (the post's page shows its words, not its audience)."""
    await client.get("/")  # the first load builds the principal kept in the session
    pinned.forget()
    with captured(db) as seen:
        pages = {path: await client.get(path) for path in ("/", "/news", f"/news/{post}")}
    reach = [q for q in seen if "WITH m AS" in str(q)]
    assert [str(q) for q in seen if "post_target" in str(q) and "WITH m AS" not in str(q)] == []
    return pages, reach


async def test_a_post_hand_picked_for_100000_accounts_costs_a_resident_outside_it_nothing(db, client, login, town):
    t = await town()
    first, second, _ = t["places"]
    await login(client, t["residents"][0])
    await _news("Для одного счёта", {"kind": TargetKind.ACCOUNT, "ref": first.account})
    big = await _news("Для ста тысяч счетов", {"kind": TargetKind.ACCOUNT, "ref": second.account})
    await hand_pick(big, "account", HAND_PICKED)
    assert await PostTarget.count().where(PostTarget.post == big) == HAND_PICKED + 1
    await _analyze(db)

    pages, reach = await _pages(db, client, big)
    assert pages[f"/news/{big}"].status_code == 404
    for path in ("/", "/news"):
        assert pages[path].status_code == 200
        assert "Для одного счёта" in pages[path].text and "Для ста тысяч счетов" not in pages[path].text, path
    assert len(reach) == 4, reach  # the home's events and news, the list, the post: one query each
    for querystring in reach:
        assert len(querystring.compile_string(engine_type=db.engine_type)[1]) < 20  # the audience is never sent
        plan = await plan_of(db, querystring)
        if is_sqlite(db):
            assert reads_of_targets(plan, True) == [], f"{querystring}\n{plan}"
        else:  # by whichever index: the selections read are the resident's own few, never the 100,000
            assert await targets_read(db, querystring) < 10, f"{querystring}\n{plan}"

    await login(client, t["residents"][1])  # among the hundred thousand
    pages, _ = await _pages(db, client, big)
    assert pages[f"/news/{big}"].status_code == 200 and "Для ста тысяч счетов" in pages["/news"].text
    assert "Для одного счёта" not in pages["/news"].text
