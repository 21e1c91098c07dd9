"""E-mail delivery: a real SMTP conversation when SMTP_* is set; kept for the Outbox page otherwise."""

from __future__ import annotations

import dataclasses
import email

from portal.accounts import mail  # noqa: F401  (registers the senders)
from portal.core import outbox
from portal.core.tables import OutboxMessage
from portal.settings import get_settings
from portal.settings import use_settings


async def test_an_email_goes_through_smtp_once(smtp_server, db):
    settings = get_settings()
    use_settings(dataclasses.replace(settings, smtp_host=smtp_server.host, smtp_port=smtp_server.port))
    try:
        await outbox.enqueue(
            "email", "to@example.ru", "t", {}, "smtp-1", subject="Сброс пароля", body="Ссылка: http://x/y"
        )
        assert await outbox.deliver_due() >= 1
        assert await outbox.deliver_due() == 0
    finally:
        use_settings(settings)
    [envelope] = [m for m in smtp_server.messages if "to@example.ru" in m.rcpt_tos]
    message = email.message_from_bytes(envelope.content)
    assert str(email.header.make_header(email.header.decode_header(message["Subject"]))) == "Сброс пароля"
    assert "Ссылка: http://x/y" in message.get_payload(decode=True).decode()
    row = await OutboxMessage.select().where(OutboxMessage.dedupe_key == "smtp-1").first()
    assert row["status"] == "sent"


async def test_a_failing_server_is_retried_later(db):
    settings = get_settings()
    use_settings(dataclasses.replace(settings, smtp_host="127.0.0.1", smtp_port=9))
    try:
        await outbox.enqueue("email", "to@example.ru", "t", {}, "smtp-2", subject="s", body="b")
        await outbox.deliver_due()
    finally:
        use_settings(settings)
    row = await OutboxMessage.select().where(OutboxMessage.dedupe_key == "smtp-2").first()
    assert row["status"] == "pending"
    assert row["attempts"] == 0  # a server that is down uses up no attempt of the message
    assert row["last_error"].startswith("Unreachable: SMTP server 127.0.0.1:9")
