"""The mail server down (nothing listens on SMTP_PORT): the person who asked for a letter is told the truth — it
goes as soon as the mail server answers — and it does go then, once; while the server answers, «мы отправили»."""

from __future__ import annotations

from datetime import timedelta

from portal.core import clock
from portal.core import outbox
from portal.core.tables import OutboxMessage

SENT = "Если есть учётная запись с e-mail away-reset@example.ru, мы отправили на него ссылку для нового пароля."
WAITING = (
    "Если есть учётная запись с e-mail away-reset@example.ru, мы отправим на него ссылку для нового пароля, как только "
    "ответит наш почтовый сервер: сейчас он не отвечает. Ссылка действует один раз и в течение часа с этой минуты: "
    "если письмо за это время не придёт, запросите новую."  # it is never sent later (the link would no longer work)
)


async def test_a_reset_asked_while_the_mail_server_is_down_is_told_it_goes_when_the_server_answers(
    client, make_user, smtp_down
):
    await make_user(email="away-reset@example.ru")
    await client.form("/password/forgot", {"login": "away-reset@example.ru"})
    await outbox.deliver_due()  # the dispatcher finds the mail server away
    asked = await client.form("/password/forgot", {"login": "away-reset@example.ru"})
    assert WAITING in asked.text and SENT not in asked.text
    # The heading says what is true while the letter waits, not «check your e-mail».
    assert "<h1>Письмо отправим, как только ответит почтовый сервер</h1>" in asked.text
    assert "Проверьте почту" not in asked.text
    smtp_down.start()
    await outbox.deliver_due(clock.now() + timedelta(minutes=2))
    answered = await client.form("/password/forgot", {"login": "away-reset@example.ru"})
    await outbox.deliver_due(clock.now() + timedelta(minutes=2))
    assert SENT in answered.text and "<h1>Проверьте почту</h1>" in answered.text
    assert [r for m in smtp_down.messages for r in m.rcpt_tos] == ["away-reset@example.ru"] * 3
    rows = await OutboxMessage.select(OutboxMessage.status).where(OutboxMessage.recipient == "away-reset@example.ru")
    assert [r["status"] for r in rows] == ["sent"] * 3


async def test_an_invitation_waiting_for_the_mail_server_is_said_in_blue_not_as_a_success(
    client, make_house, make_user, login
):
    """«Приглашение отправим …, как только ответит почтовый сервер: сейчас он не отвечает» came in the green of a
    success; it is news to note (blue), and «отправлено» stays green."""
    house = await make_house(accounts=1)
    account = house["accounts"][0]
    await login(client, await make_user(accounts={account: "owner"}))
    sent = await client.form(
        f"/accounts/{account}/people", {"email": "sent@example.ru", "role": "family"}, follow_redirects=True
    )
    assert '<p class="flash flash-success">Приглашение отправлено на sent@example.ru.' in sent.text
    # The dispatcher found the mail server away with a letter still waiting (``outbox.unreachable``).
    away = OutboxMessage(channel="email", recipient="sent@example.ru", template="t", status="pending", attempts=1)
    away.last_error = "Unreachable: connection refused"
    await away.save()
    waits = await client.form(
        f"/accounts/{account}/people", {"email": "late@example.ru", "role": "family"}, follow_redirects=True
    )
    assert '<p class="flash flash-info">Приглашение отправим на late@example.ru, как только' in waits.text
