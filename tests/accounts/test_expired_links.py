"""A message carrying a link (or code) that expires waits out a mail server or SMS provider that is down like any
other, but is never sent after its link expired: its outbox row ends «Устарело, не отправлено», which staff see on
the Outbox page; every other message still goes once the server is back."""

from __future__ import annotations

import dataclasses
import html
import json
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import Any

import pytest

from portal.accounts import mail
from portal.accounts.notify import notify
from portal.accounts.rules import Issued
from portal.accounts.tables import OneTimeToken
from portal.core import clock
from portal.core import outbox
from portal.core.tables import OutboxMessage
from portal.settings import get_settings
from portal.settings import use_settings
from tests.conftest import free_port

MOMENT = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("context", "now", "expired"),
    [
        ({}, MOMENT, False),  # a message without a link that expires waits however long
        ({"url": "x", outbox.EXPIRES: (MOMENT + timedelta(seconds=1)).isoformat()}, MOMENT, False),
        ({outbox.EXPIRES: MOMENT.isoformat()}, MOMENT, True),  # the link's check refuses it from this moment
        (json.dumps({outbox.EXPIRES: MOMENT.isoformat()}), MOMENT + timedelta(days=1), True),  # as SQLite reads it
    ],
)
def test_a_message_is_expired_from_the_moment_its_link_stops_working(context, now, expired):
    assert outbox.expired(context, now) is expired


def _context(row: dict[str, Any]) -> dict[str, Any]:
    return json.loads(row["context"]) if isinstance(row["context"], str) else row["context"]


async def test_a_reset_link_is_not_mailed_after_it_expired_while_a_notification_goes_once_the_server_is_back(
    client, new_client, login, make_user, smtp_down
):
    user = await make_user(email="late@example.ru")
    await client.form("/password/forgot", {"login": "late@example.ru"})
    await notify(user, "accounts/password_changed", context={"url": "http://x/password/forgot"}, dedupe_key="pw")
    await outbox.deliver_due()  # the mail server is away: both wait
    rows = await OutboxMessage.select().where(OutboxMessage.recipient == "late@example.ru")
    assert sorted((r["template"], r["status"]) for r in rows) == [
        ("accounts/password_changed", "pending"),
        ("accounts/reset", "pending"),
    ]
    # The mail's expiry is the link's own: the token's, from the one setting of how long a reset link lives.
    token = await OneTimeToken.select(OneTimeToken.expires_at).where(OneTimeToken.user == user).first()
    reset = next(r for r in rows if r["template"] == "accounts/reset")
    assert datetime.fromisoformat(_context(reset)[outbox.EXPIRES]) == token["expires_at"]

    smtp_down.start()  # back an hour and a minute later: the link no longer works
    await outbox.deliver_all(clock.now() + timedelta(hours=1, minutes=1), seconds=60)
    await outbox.deliver_all(clock.now() + timedelta(hours=2), seconds=60)
    assert [r for m in smtp_down.messages for r in m.rcpt_tos] == ["late@example.ru"]
    assert b"/password/reset/" not in smtp_down.messages[0].content
    rows = await OutboxMessage.select().where(OutboxMessage.recipient == "late@example.ru")
    ended = {r["template"]: r for r in rows}
    assert ended["accounts/password_changed"]["status"] == "sent"
    assert ended["accounts/reset"]["status"] == "expired" and ended["accounts/reset"]["sent_at"] is None
    assert ended["accounts/reset"]["last_error"].startswith("Unreachable: SMTP server")  # why it waited

    admin = new_client()
    await login(admin, await make_user(roles=("admin",)))
    listed = html.unescape((await admin.get("/staff/outbox", params={"status": "expired"})).text)
    assert "Устарело, не отправлено" in listed and "late@example.ru" in listed
    assert listed.count("<tr>") == 2  # the header and the reset mail: the notification is not expired
    page = html.unescape((await admin.get(f"/staff/outbox/{ended['accounts/reset']['id']}")).text)
    assert "Устарело, не отправлено" in page


async def test_a_phone_code_is_not_texted_after_it_expired_while_the_sms_provider_was_down(db, make_user):
    user = await make_user()
    settings = get_settings()
    use_settings(dataclasses.replace(settings, sms_provider_url=f"http://127.0.0.1:{free_port()}"))
    try:
        now = clock.now()
        await mail.send_phone_code("+79780000011", Issued("123456", now + timedelta(minutes=15)), "ru", user)
        await outbox.enqueue("sms", "+79780000011", "t", {}, "outage", body="Нет воды")
        await outbox.deliver_all(now + timedelta(minutes=14), seconds=60)
        statuses = await OutboxMessage.select(OutboxMessage.template, OutboxMessage.status)
        assert sorted((r["template"], r["status"]) for r in statuses) == [
            ("accounts/phone_code", "pending"),
            ("t", "pending"),
        ]
        await outbox.deliver_all(now + timedelta(minutes=16), seconds=60)
    finally:
        use_settings(settings)
    statuses = await OutboxMessage.select(OutboxMessage.template, OutboxMessage.status)
    assert sorted((r["template"], r["status"]) for r in statuses) == [
        ("accounts/phone_code", "expired"),  # ended at once, even with the provider still away
        ("t", "pending"),  # waits for the provider however long
    ]
