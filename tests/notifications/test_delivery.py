"""Channels and the outbox on both engines: SMTP retried until it accepts, then once; an SMS provider answering
500 retried until the outbox gives up, the failure in the post's delivery log; a web push that reaches a push
endpoint of our own and decrypts to the post's title; each person's choices and consent respected."""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import email
import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from portal.core import clock
from portal.core import outbox
from portal.core.tables import OutboxMessage
from portal.notifications import channels  # noqa: F401  (registers the senders)
from portal.settings import get_settings
from portal.settings import use_settings
from tests.conftest import Inbox
from tests.conftest import free_port


class FlakyInbox(Inbox):
    """A real SMTP server that refuses the first ``failures`` messages (451), then accepts."""

    def __init__(self, failures: int) -> None:
        super().__init__()
        self.failures = failures
        self.refused = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refused < self.failures:
            self.refused += 1
            return "451 Try again later"
        return await super().handle_DATA(server, session, envelope)


@contextlib.contextmanager
def flaky_smtp(failures: int) -> Iterator[FlakyInbox]:
    from aiosmtpd.controller import Controller

    inbox = FlakyInbox(failures)
    inbox.port = free_port()
    controller = Controller(inbox, hostname=inbox.host, port=inbox.port)
    controller.start()
    settings = get_settings()
    use_settings(dataclasses.replace(settings, smtp_host=inbox.host, smtp_port=inbox.port))
    try:
        yield inbox
    finally:
        use_settings(settings)
        controller.stop()


async def _passes(times: int, step: timedelta = timedelta(hours=7)) -> None:
    """Dispatcher passes, each later than every back-off so far."""
    now = clock.now()
    for n in range(times):
        await outbox.deliver_all(now + step * n, seconds=60)


async def test_an_smtp_server_that_fails_twice_then_accepts_gets_the_message_once(db):
    with flaky_smtp(failures=2) as inbox:
        await outbox.enqueue(
            "email", "to@example.ru", "t", {"html": "<p>Тело</p>"}, "flaky-1", subject="Тема", body="Тело"
        )
        await _passes(5)
    assert inbox.refused == 2
    assert len(inbox.messages) == 1
    message = email.message_from_bytes(inbox.messages[0].content)
    assert message.is_multipart()  # plain text and HTML
    row = await OutboxMessage.select().where(OutboxMessage.dedupe_key == "flaky-1").first()
    assert row["status"] == "sent" and row["attempts"] == 3


async def test_messages_wait_out_an_smtp_server_down_for_a_night_and_go_once_it_is_back(db, smtp_down):
    """SMTP down (nothing listens on its port) for longer than every attempt of a message: nothing is given up;
    once a real server listens there again, each message goes, once."""
    for n in (1, 2):
        await outbox.enqueue("email", f"night{n}@example.ru", "t", {}, f"night-{n}", subject="s", body="b")
    await _passes(outbox.MAX_ATTEMPTS + 2)
    rows = await OutboxMessage.select().where(OutboxMessage.dedupe_key.like("night-%"))
    assert [(r["status"], r["attempts"]) for r in rows] == [("pending", 0)] * 2
    assert all(r["last_error"].startswith("Unreachable: SMTP server") for r in rows)
    smtp_down.start()
    await outbox.deliver_all(clock.now() + timedelta(days=4), seconds=60)
    await outbox.deliver_all(clock.now() + timedelta(days=5), seconds=60)
    assert sorted(r for m in smtp_down.messages for r in m.rcpt_tos) == ["night1@example.ru", "night2@example.ru"]
    rows = await OutboxMessage.select(OutboxMessage.status).where(OutboxMessage.dedupe_key.like("night-%"))
    assert [r["status"] for r in rows] == ["sent", "sent"]


async def test_an_sms_provider_not_listening_uses_up_no_attempt(db):
    settings = get_settings()
    use_settings(dataclasses.replace(settings, sms_provider_url=f"http://127.0.0.1:{free_port()}"))
    try:
        await outbox.enqueue("sms", "+79780000009", "t", {}, "sms-away", body="Авария")
        await _passes(outbox.MAX_ATTEMPTS + 2)
    finally:
        use_settings(settings)
    row = await OutboxMessage.select().where(OutboxMessage.dedupe_key == "sms-away").first()
    assert (row["status"], row["attempts"]) == ("pending", 0)
    assert row["last_error"] == "Unreachable: SMS provider: ConnectError"


async def _emergency(town: Any, staff_principal: Any, *, push: bool = False) -> int:
    from portal.content import actions
    from portal.content.rules import Move
    from portal.content.tables import PostKind
    from portal.notifications.rules import Audience

    t = await town()
    moderator = await staff_principal(t["moderator"], "moderator")
    post_id = await actions.save_post(
        moderator,
        actions.PostInput(
            kind=PostKind.EMERGENCY,
            title="Нет холодной воды",
            body="Авария на вводе, ремонт до 18:00.",
            audience=Audience.of(houses=[t["house"]]),
            by_email=False,
            by_sms=True,
            by_push=push,
        ),
    )
    await actions.move(moderator, post_id, Move.SEND_NOW)
    return post_id


async def test_sms_through_the_sandbox_provider_once_per_person(db, town, staff_principal, sandbox_sms):
    post_id = await _emergency(town, staff_principal)
    await _passes(3)
    sent = sandbox_sms.messages()
    assert sorted(m["phone"] for m in sent) == ["+79780000001", "+79780000002"]
    assert all("Нет холодной воды" in m["text"] for m in sent)
    # Boris reads English: the same post, his words around it.
    assert any(m["text"].startswith("Emergency: ") for m in sent)
    rows = await OutboxMessage.select(OutboxMessage.status).where(
        (OutboxMessage.ref == f"post:{post_id}") & (OutboxMessage.channel == "sms")
    )
    assert [r["status"] for r in rows] == ["sent", "sent"]


async def test_an_sms_provider_answering_500_is_retried_and_the_failure_is_logged(
    db, town, staff_principal, sandbox_sms
):
    from portal.content import queries
    from portal.core.pagination import PageRequest
    from portal.core.security import Principal

    sandbox_sms.faults(fail_all=True, status=500)
    post_id = await _emergency(town, staff_principal)
    await _passes(3)
    row = (
        await OutboxMessage.select()
        .where((OutboxMessage.ref == f"post:{post_id}") & (OutboxMessage.channel == "sms"))
        .first()
    )
    assert row["status"] == "pending" and row["attempts"] >= 2 and "500" in row["last_error"]
    await _passes(outbox.MAX_ATTEMPTS + 2)
    rows = await OutboxMessage.select(OutboxMessage.status, OutboxMessage.attempts).where(
        (OutboxMessage.ref == f"post:{post_id}") & (OutboxMessage.channel == "sms")
    )
    assert [(r["status"], r["attempts"]) for r in rows] == [("failed", outbox.MAX_ATTEMPTS)] * 2
    assert sandbox_sms.messages() == []
    log = await queries.delivery_log(post_id)
    assert {(m["channel"], m["status"]) for m in log} == {("sms", "failed")}
    admin = Principal(user_id=1, staff_roles=frozenset({"admin"}), house_ids=None)
    page = await queries.staff_posts(admin, queries.StaffFilter(), PageRequest())
    [listed] = [p for p in page.items if p.id == post_id]
    assert listed.failed == {"sms": 2} and listed.sent == {}


async def test_a_web_push_reaches_our_endpoint_and_decrypts_to_the_title(db, town, staff_principal, sandbox_sms):
    import http_ece
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import Encoding
    from cryptography.hazmat.primitives.serialization import PublicFormat

    from portal.accounts.tables import User
    from portal.notifications import actions as notification_actions

    receiver = ec.generate_private_key(ec.SECP256R1())
    auth = b"0123456789abcdef"
    public = receiver.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    b64 = lambda raw: base64.urlsafe_b64encode(raw).rstrip(b"=").decode()  # noqa: E731
    post_id = await _emergency(town, staff_principal, push=True)
    anna = (await User.select(User.id).where(User.email == "anna@example.ru").first())["id"]
    await notification_actions.subscribe(anna, f"{sandbox_sms.url}/push/anna", b64(public), b64(auth))
    await _passes(3)
    [arrived] = sandbox_sms.pushes()
    assert arrived["box"] == "anna"
    assert arrived["headers"]["content-encoding"] == "aes128gcm"
    assert arrived["headers"]["authorization"].startswith("vapid t=")
    payload = http_ece.decrypt(
        base64.b64decode(arrived["body"]), private_key=receiver, auth_secret=auth, version="aes128gcm"
    )
    message = json.loads(payload)
    assert message["title"] == "Нет холодной воды"
    assert message["url"].endswith(f"/news/{post_id}")
    # Only Anna subscribed a browser: nobody else got a push row.
    pushes = await OutboxMessage.select(OutboxMessage.user_id).where(
        (OutboxMessage.ref == f"post:{post_id}") & (OutboxMessage.channel == "push")
    )
    assert [p["user_id"] for p in pushes] == [anna]


async def test_choices_and_consent_decide_the_channels(db, town, staff_principal, sandbox_sms):
    from portal.accounts.tables import ConsentRecord
    from portal.accounts.tables import User
    from portal.notifications import actions as notification_actions
    from portal.notifications.rules import DEFAULTS
    from portal.notifications.rules import Channel
    from portal.notifications.rules import Topic

    t_post = await _emergency(town, staff_principal)  # fans out on the first pass
    boris = (await User.select(User.id).where(User.email == "boris@example.ru").first())["id"]
    anna = (await User.select(User.id).where(User.email == "anna@example.ru").first())["id"]
    # Boris turns SMS off for emergencies: he gets none. Anna withdraws her consent: an emergency is still owed
    # to her (152-ФЗ ст. 6 ч. 1 п. 5, accounts.rules.may_send), so her SMS goes.
    wanted = {(topic, channel) for topic, chans in DEFAULTS.items() for channel in chans}
    await notification_actions.save_choices(boris, wanted - {(Topic.EMERGENCY, Channel.SMS)})
    await ConsentRecord.update({ConsentRecord.withdrawn_at: clock.now()}).where(ConsentRecord.user == anna)
    await _passes(2)
    assert [m["phone"] for m in sandbox_sms.messages()] == ["+79780000001"]
    sms = await OutboxMessage.select(OutboxMessage.user_id).where(
        (OutboxMessage.ref == f"post:{t_post}") & (OutboxMessage.channel == "sms")
    )
    assert [m["user_id"] for m in sms] == [anna]
