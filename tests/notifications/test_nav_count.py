"""The resident's navigation carries the count of unread in-app messages on every page: a number at «Ещё» (on the
phone's bar and the desktop's top bar alike) and at «Уведомления» in its menu, said in words in the link's name.
It costs one indexed statement a page, none on a fragment or a staff page, and the home page reads it once."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from portal.core.tables import OutboxMessage
from tests.notifications.test_inapp import START
from tests.notifications.test_inapp import _message
from tests.querylog import captured
from tests.querylog import plan_of
from tests.querylog import unindexed_steps


async def _resident(make_account: Any, make_user: Any, **values: Any) -> int:
    place = await make_account()
    return int(await make_user(accounts={place.account: "owner"}, **values))


async def _three_unread(user: int) -> None:
    for n in range(1, 4):
        await _message(user, f"Сообщение {n}", minutes=n)
    await _message(user, "Сообщение 4", minutes=4, read_at=START)
    await _message(user, "Сообщение 5", minutes=5, channel="email")
    await _message(user, "Сообщение 6", minutes=6, status="pending", next_attempt_at=START + timedelta(days=3650))


def _outbox_reads(seen: list[Any]) -> list[str]:
    return [str(q) for q in seen if "outbox_message" in str(q)]


@pytest.mark.parametrize(
    ("locale", "more", "notifications"),
    [("ru", ", 3 непрочитанных уведомления", ", 3 непрочитанных"), ("en", ", 3 unread notifications", ", 3 unread")],
)
async def test_every_page_shows_the_count_in_words_at_more_and_at_notifications(
    db, client, login, make_account, make_user, locale, more, notifications
):
    user = await _resident(make_account, make_user)
    await _three_unread(user)
    await login(client, user)
    await client.form("/lang", {"lang": locale, "next": "/"})
    page = (await client.get("/tickets")).text
    label = {"ru": "Ещё", "en": "More"}[locale]
    assert page.count(f'aria-label="{label}{more}"') == 2  # the phone's bottom bar and the desktop's top bar
    # The number seen follows a space: the words seen («Ещё 3») are in the name, as a speech-input user says them.
    assert page.count(f'<span>{label}</span> <span class="nav-count" aria-hidden="true">3</span>') == 2
    menu = (await client.get("/more")).text
    words = {"ru": "Уведомления", "en": "Notifications"}[locale]
    assert f'{words} <span class="nav-count" aria-hidden="true">3</span>' in menu
    assert f'aria-label="{words}{notifications}"' in menu
    await client.form("/notifications/read", {})
    assert "nav-count" not in (await client.get("/tickets")).text  # read: no count, no words


async def test_the_count_is_one_statement_on_a_page_once_on_home_and_none_on_a_fragment(
    db, client, login, make_account, make_user
):
    user = await _resident(make_account, make_user, roles=("dispatcher",))
    await _three_unread(user)
    await login(client, user)
    for url, reads in (("/tickets", 1), ("/", 1), ("/more", 1), ("/staff/tickets", 0)):
        await client.get(url)
        with captured(db) as seen:
            assert (await client.get(url)).status_code == 200
        assert len(_outbox_reads(seen)) == reads, (url, _outbox_reads(seen))
    with captured(db) as seen:
        fragment = await client.get("/tickets", headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "nav-count" not in fragment.text
    assert _outbox_reads(seen) == []


async def test_the_count_is_read_by_its_index(db, make_account, make_user):
    """Not by the ``user_id`` index alone, which reads every message the person was ever sent (e-mails, read ones)
    to count the few unread: by (user_id, channel, read_at), on both engines."""
    import uuid

    from portal.core.db import is_sqlite
    from portal.notifications.queries import shown_in_app

    user = await _resident(make_account, make_user)
    await _three_unread(user)
    sent = [
        OutboxMessage(channel=channel, recipient=str(user), user_id=user, template="test", subject="Было",
                      dedupe_key=uuid.uuid4().hex, status="sent", read_at=START)
        for channel in ("email", "inapp") for _ in range(200)
    ]  # fmt: skip
    await OutboxMessage.insert(*sent)
    await db.run_ddl("ANALYZE outbox_message")  # the planner sees that the person has many messages, few unread
    query = OutboxMessage.count().where(shown_in_app(user, START) & OutboxMessage.read_at.is_null()).querystrings[0]
    plan = await plan_of(db, query, forbid_seqscan=True)
    assert not unindexed_steps(plan, "outbox_message", is_sqlite(db)), plan
    assert "outbox_message_user_channel_read" in plan, plan
