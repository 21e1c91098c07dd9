"""A post hand-picked for tens of thousands of accounts and premises goes out like a post for one house: its
sending selects the recipients by joining the post's stored selections, so no query carries the audience as a
list of ids (PostgreSQL takes at most 32,767 parameters a query, SQLite fewer) and an emergency's message is
never stopped by the size of its audience."""

from __future__ import annotations

from portal.content import actions
from portal.content import delivery
from portal.content.rules import Move
from portal.content.tables import PostKind
from portal.core import outbox
from portal.core.tables import OutboxMessage
from tests.content.conftest import hand_pick
from tests.querylog import captured

HAND_PICKED = 40_000


async def test_an_emergency_for_40000_hand_picked_accounts_is_sent_to_its_residents(db, post_for_two, monkeypatch):
    _, moderator, post_id = await post_for_two(
        PostKind.EMERGENCY, "Нет холодной воды", "Авария на вводе, ремонт до 18:00.", by_email=True, by_sms=True
    )
    await hand_pick(post_id, "account", HAND_PICKED)
    await hand_pick(post_id, "premise", HAND_PICKED)
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
