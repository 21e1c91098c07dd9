"""A post hand-picked for tens of thousands of accounts and premises goes out like a post for one house: its
sending selects the recipients by joining the post's stored selections, so no query carries the audience as a
list of ids (PostgreSQL takes at most 32,767 parameters a query, SQLite fewer) and an emergency's message is
never stopped by the size of its audience."""

from __future__ import annotations

from portal.content import actions
from portal.content import delivery
from portal.content.rules import Move
from portal.content.tables import PostKind
from portal.content.tables import PostTarget
from portal.core import outbox
from portal.core.tables import OutboxMessage
from portal.notifications.rules import Audience
from tests.querylog import captured

HAND_PICKED = 40_000


async def _hand_pick(post: int, kind: str, first: int, count: int) -> None:
    """``count`` selections of ``kind`` from ``first`` on for ``post``, made inside the database."""
    await PostTarget.raw(
        "WITH RECURSIVE g(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM g WHERE n + 1 < {}) "
        "INSERT INTO post_target (post, kind, ref) SELECT {}, {}, {} + n FROM g",
        count,
        post,
        kind,
        first,
    )


async def test_an_emergency_for_40000_hand_picked_accounts_is_sent_to_its_residents(
    db, town, staff_principal, monkeypatch
):
    t = await town()
    first, second, _ = t["places"]
    moderator = await staff_principal(t["moderator"], "moderator")
    post_id = await actions.save_post(
        moderator,
        actions.PostInput(
            kind=PostKind.EMERGENCY,
            title="Нет холодной воды",
            body="Авария на вводе, ремонт до 18:00.",
            audience=Audience.of(accounts=[first.account], premises=[second.premise]),
            by_email=True,
            by_sms=True,
            by_push=False,
        ),
    )
    await _hand_pick(post_id, "account", 10_000_000, HAND_PICKED)
    await _hand_pick(post_id, "premise", 10_000_000, HAND_PICKED)
    await actions.move(moderator, post_id, Move.SEND_NOW)
    release = await OutboxMessage.select().where(OutboxMessage.dedupe_key == f"post:{post_id}:release").first()
    assert release is not None

    monkeypatch.setattr(delivery, "PAGE", 1)  # one person a page: the paging carries on where it stopped
    row, pages = dict(release), 0
    with captured(db) as seen:
        while isinstance(answer := await delivery.fan_out(row), outbox.Again):
            row["context"], pages = answer.context, pages + 1
            assert pages < 10
    assert pages == 2  # Anna, then Boris, then nobody more

    sent = await OutboxMessage.select(OutboxMessage.channel, OutboxMessage.recipient).where(
        (OutboxMessage.ref == f"post:{post_id}") & (OutboxMessage.channel != "post")
    )
    assert sorted((r["channel"], r["recipient"]) for r in sent) == [
        ("email", "anna@example.ru"),
        ("email", "boris@example.ru"),
        ("sms", "+79780000001"),
        ("sms", "+79780000002"),
    ]
    # The audience is joined where it is stored, never sent: every query that reads has a handful of values.
    reads = [q for q in seen if not str(q).lstrip().upper().startswith("INSERT")]
    assert any("residency" in str(q) for q in reads)
    assert max(len(q.compile_string(engine_type=db.engine_type)[1]) for q in reads) < 20
