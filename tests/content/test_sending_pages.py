"""The sending of a big post costs the same for each page of recipients, its first or its last, however many
selections the post has: a page walks the people by id from where the last one stopped and asks of each whether the
post selects their house, entrance, riser, premise or account (the (post, kind, ref) index). It used to read the
post's whole audience again for every page and sort it, so a post for many thousands cost pages × audience. A small
post (one riser's outage) is not walked through the whole company: its pages start from its selections."""

from __future__ import annotations

import json
from typing import Any

from piccolo.querystring import QueryString

from portal.content import actions
from portal.content import delivery
from portal.content.rules import Move
from portal.content.tables import PostKind
from portal.content.tables import PostTarget
from portal.core import outbox
from portal.core.db import is_sqlite
from portal.core.tables import OutboxMessage
from portal.notifications.queries import PostAudience
from portal.notifications.queries import page_query
from portal.notifications.queries import paging
from portal.notifications.queries import resolve_audience
from portal.notifications.rules import Audience
from tests.content.conftest import hand_pick
from tests.querylog import captured
from tests.querylog import plan_of
from tests.querylog import unindexed_steps

RESIDENTS = 600  # people living in the house the post is for, beside the town's own
HAND_PICKED = 20_000  # account selections of the post besides the house
PAGE = 50


_NUMBERS = "WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < {}) "
_PREMISES = (
    "INSERT INTO premise (house, entrance, kind, number, floor, area) "
    "SELECT {}, {}, 'flat', 'M' || n, 1 + n % 9, 50 FROM g"
)
_ACCOUNTS = (
    "INSERT INTO personal_account (number, premise, payer_name, search_text, created_at, updated_at) "
    "SELECT 'PG' || (1000000 + n), p.id, '', '', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP FROM g "
    "JOIN premise p ON p.house = {} AND p.kind = 'flat' AND p.number = 'M' || n"
)
_PEOPLE = (
    "INSERT INTO portal_user (email, password_hash, full_name, locale, is_active, created_at, updated_at, "
    "notify_email, notify_inapp, session_epoch, principal_version) SELECT 'many' || n || '@example.ru', '', "
    "'Житель', 'ru', {}, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, {}, {}, 0, 0 FROM g"
)
_RESIDENCIES = (
    "INSERT INTO residency (\"user\", account, role, created_at) SELECT u.id, a.id, 'owner', CURRENT_TIMESTAMP "
    "FROM g JOIN portal_user u ON u.email = 'many' || n || '@example.ru' "
    "JOIN personal_account a ON a.number = 'PG' || (1000000 + n)"
)


async def _many_residents(place: Any) -> None:
    """``RESIDENTS`` people in ``place``'s house and entrance, each with a flat, an account of it and a residency,
    made inside the database."""
    await PostTarget.raw(_NUMBERS + _PREMISES, RESIDENTS, place.house, place.entrance)
    await PostTarget.raw(_NUMBERS + _ACCOUNTS, RESIDENTS, place.house)
    await PostTarget.raw(_NUMBERS + _PEOPLE, RESIDENTS, True, True, True)
    await PostTarget.raw(_NUMBERS + _RESIDENCIES, RESIDENTS)


# The tables a page of recipients is read from. Only these are analysed: a database-wide ANALYZE would also
# record other domains' empty tables as empty (PostgreSQL writes that in place, outside the test's transaction),
# and later tests in the same database would plan against it (it failed the requests' plan tests once).
PLANNED = (
    "post", "post_target", "portal_user", "residency", "consent_record", "personal_account", "premise",
    "premise_riser", "house",
)  # fmt: skip


async def _analyze(db: Any) -> None:
    """Statistics that know the many residents and the post's selections, for the tables the pages read only
    (SQLite takes one table a statement)."""
    if is_sqlite(db):
        for table in PLANNED:
            await db.run_ddl(f"ANALYZE {table}")
    else:
        await db.run_ddl("ANALYZE " + ", ".join(PLANNED))


async def _work(db: Any, post_id: int, after: int, *, kinds: list[str] | None = None) -> int:
    """The rows every step of one page's plan produced, times its loops (PostgreSQL's EXPLAIN ANALYZE)."""
    sql, args = page_query(PostAudience(post_id), after_user=after, limit=PAGE, kinds=kinds)
    rows = await db.run_querystring(QueryString("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, *args))
    plan = rows[0]["QUERY PLAN"]
    plan = json.loads(plan) if isinstance(plan, str) else plan

    def total(node: dict[str, Any]) -> int:
        own = node.get("Actual Rows", 0) * node.get("Actual Loops", 1) + node.get("Rows Removed by Filter", 0)
        return own + sum(total(child) for child in node.get("Plans", []))

    return total(plan[0]["Plan"])


async def test_each_page_of_a_big_post_costs_its_own_people(db, town, staff_principal, monkeypatch):
    t = await town()
    first, _, _ = t["places"]
    await _many_residents(first)
    moderator = await staff_principal(t["moderator"], "moderator")
    post_id = await actions.save_post(
        moderator,
        actions.PostInput(kind=PostKind.EMERGENCY, title="Нет воды", body="Авария.", audience=Audience.of(
            houses=[t["house"]]), by_email=True, by_push=False),
    )  # fmt: skip
    await hand_pick(post_id, "account", HAND_PICKED, t["house"])
    await actions.move(moderator, post_id, Move.SEND_NOW)
    await _analyze(db)

    monkeypatch.setattr(delivery, "PAGE", PAGE)
    release = await OutboxMessage.select().where(OutboxMessage.dedupe_key == f"post:{post_id}:release").first()
    row, starts, queries = dict(release), [], []
    while True:
        context = row["context"] if isinstance(row["context"], dict) else json.loads(row["context"] or "{}")
        starts.append(int(context.get("after", 0)))
        with captured(db) as seen:
            answer = await delivery.fan_out(row)
        queries.append(len(seen))
        if not isinstance(answer, outbox.Again):
            break
        row["context"] = answer.context
    people = RESIDENTS + 2  # and Anna and Boris of the town's house
    assert len(starts) == -(-people // PAGE) + 1  # full pages, then one that finds nobody
    emails = await OutboxMessage.count().where(
        (OutboxMessage.ref == f"post:{post_id}") & (OutboxMessage.channel == "email")
    )
    assert emails == people
    # The same queries for every page; the first also decides how the pages are found (``paging``: three).
    assert queries[0] == queries[1] + 3 and len(set(queries[1:-1])) == 1, queries
    assert await paging(PostAudience(post_id), PAGE) is None  # 602 of the ~610 people: walked

    sql, args = page_query(PostAudience(post_id), after_user=starts[-2], limit=PAGE)
    plan = await plan_of(db, QueryString(sql, *args))
    if is_sqlite(db):
        # People walked by their key from the page's start, nothing sorted whole; of each person the post's
        # selections naming their place are looked up by (post, kind, ref). No list of the post's selections of a
        # kind is read for the page (it was: the whole audience again for every page); only the company's, one row.
        assert "TEMP B-TREE" not in plan and "LIST SUBQUERY" not in plan, plan
        assert "SEARCH u USING INTEGER PRIMARY KEY (rowid>?)" in plan, plan
        lookups = [line for line in plan.splitlines() if "post_target_post_kind_ref" in line]
        assert len(lookups) == 8 and sum("AND ref=?" not in line for line in lookups) == 1, plan
        for table in ("post_target", "residency", "personal_account", "premise"):
            assert not unindexed_steps(plan, table, sqlite=True), plan
        return
    full = starts[:-2]  # the pages of 50 (the last two: a page of 2, then nobody)
    costs = [await _work(db, post_id, after) for after in (full[0], full[len(full) // 2], full[-1])]
    # A page of 50 people passes their rows a few times over, never the post's 20,000 selections or 600 people.
    assert max(costs) < 40 * PAGE, (costs, plan)
    assert max(costs) < 2 * min(costs) + PAGE, costs


async def test_a_small_post_is_found_from_its_selections_not_by_walking_everyone(db, town, staff_principal):
    """An outage on one riser in a company of many people: its pages start from the post's selections, so they cost
    its few people; walking every person of the company to find them would cost the company."""
    t = await town()
    await _many_residents(t["places"][2])  # 600 people in the other house
    moderator = await staff_principal(t["moderator"], "moderator")
    post_id = await actions.save_post(
        moderator,
        actions.PostInput(kind=PostKind.EMERGENCY, title="Нет воды", body="Авария.",
                          audience=Audience.of(risers=[t["riser"]]), by_email=True),
    )  # fmt: skip
    await _analyze(db)
    audience = PostAudience(post_id)
    kinds = await paging(audience, PAGE)
    assert kinds == ["riser"]
    assert [r.user_id for r in await resolve_audience(audience, limit=PAGE)] == [t["residents"][0]]  # Anna
    sql, args = page_query(audience, limit=PAGE, kinds=kinds)
    plan = await plan_of(db, QueryString(sql, *args))
    if is_sqlite(db):
        for table in ("post_target", "residency", "personal_account", "premise_riser"):
            assert not unindexed_steps(plan, table, sqlite=True), plan
        return
    walked = await _work(db, post_id, 0)
    await db.run_ddl("SET LOCAL enable_seqscan = off")  # the plan of a big company's tables, on these small ones
    small = await _work(db, post_id, 0, kinds=kinds)
    assert small < 50 and walked > RESIDENTS, (small, walked)


async def test_planning_these_pages_leaves_other_tables_statistics_as_they_were(db):
    """PostgreSQL writes what ANALYZE counts in place, kept after the test's transaction is rolled back, so the
    statistics of every other table must be left as they were (SQLite's are rows of a table: rolled back)."""
    if is_sqlite(db):
        return
    counted = QueryString(
        "SELECT c.relname AS name, c.reltuples AS rows FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = current_schema() AND c.relkind = 'r'"
    )
    before = {r["name"]: r["rows"] for r in await db.run_querystring(counted)}
    await _analyze(db)
    after = {r["name"]: r["rows"] for r in await db.run_querystring(counted)}
    assert "ticket" in before
    changed = sorted(name for name in before if after[name] != before[name])
    assert set(changed) <= set(PLANNED), changed
