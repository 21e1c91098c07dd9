"""One-click unsubscribe (RFC 8058): every e-mail of a topic the person may turn off on their notification settings
carries ``List-Unsubscribe`` and a last line «Не хотите получать такие письма? Отписаться: …» with the same address;
security e-mails carry neither. The address shows a page (GET and HEAD change nothing), its button turns e-mail of
that one topic off, the mail provider's POST without cookies does the same, and «undo» turns it back on. A token
that is not ours, or names a person no longer here, answers 404 with a page that says so."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from email.message import EmailMessage
from typing import Any

import pytest

from portal.accounts.tables import User
from portal.core import outbox
from portal.core.tables import AuditEvent
from portal.notifications import actions
from portal.notifications import channels  # noqa: F401  (registers the senders)
from portal.notifications.queries import choices_of
from portal.notifications.rules import Channel
from portal.notifications.rules import Topic
from portal.notifications.rules import read_unsubscribe_token
from portal.notifications.rules import unsubscribe_token
from portal.notifications.rules import wants
from portal.notifications.tables import ChannelChoice
from portal.settings import get_settings
from portal.settings import use_settings
from tests.accounts.test_mail_links import _database
from tests.conftest import Inbox
from tests.tickets.test_audit_trail import CLIENT_IP

ONE_CLICK = "List-Unsubscribe=One-Click"


def _json(value: Any) -> dict[str, Any]:
    return json.loads(value) if isinstance(value, str) else value  # a JSON column as SQLite gives it


def test_a_token_names_its_person_and_topic_and_a_changed_one_is_refused() -> None:
    token = unsubscribe_token("secret", 42, Topic.NEWS)
    assert read_unsubscribe_token("secret", token) == (42, Topic.NEWS)
    user, topic, signature = token.split(".")
    for forged in (
        f"43.{topic}.{signature}",  # another person
        f"{user}.notice.{signature}",  # another topic
        f"{user}.{topic}.{signature[:-1]}0" if signature[-1] != "0" else f"{user}.{topic}.{signature[:-1]}1",
        f"{user}.{topic}",
        "",
        "x.news.abc",
    ):
        assert read_unsubscribe_token("secret", forged) is None, forged
    assert read_unsubscribe_token("another secret", token) is None


@pytest.fixture
def mailbox(smtp_server: Inbox) -> Iterator[Inbox]:
    """The real SMTP server, with the portal's settings sending to it."""
    settings = get_settings()
    use_settings(dataclasses.replace(settings, smtp_host=smtp_server.host, smtp_port=smtp_server.port))
    try:
        yield smtp_server
    finally:
        use_settings(settings)


async def _send_news(town: Any, staff_principal: Any) -> dict[str, Any]:
    """A news post by e-mail to the house of Anna (Russian) and Boris (English), who asked for news by e-mail."""
    from portal.content import actions as content
    from portal.content.rules import Move
    from portal.content.tables import PostKind
    from portal.notifications.rules import Audience

    t = await town()
    for person in t["residents"][:2]:
        await actions.set_email(person, Topic.NEWS, on=True)  # news is not e-mailed unless asked for
    moderator = await staff_principal(t["moderator"], "moderator")
    post = content.PostInput(
        kind=PostKind.NEWS,
        title="Новая детская площадка",
        body="Во дворе открыта детская площадка.",
        audience=Audience.of(houses=[t["house"]]),
        by_email=True,
    )
    post_id = await content.save_post(moderator, post)
    for move in (Move.SUBMIT, Move.APPROVE):  # published at once
        await content.move(moderator, post_id, move)
    return t


async def _deliver() -> None:
    for _ in range(3):  # the post's fan-out, then its e-mails
        await outbox.deliver_all()


def _parts(mail: EmailMessage) -> tuple[str, str]:
    text = mail.get_body(("plain",))
    html = mail.get_body(("html",))
    return (text.get_content() if text else ""), (html.get_content() if html else "")


def _address(user_id: int, topic: Topic) -> str:
    return f"{get_settings().base_url}/unsubscribe/{unsubscribe_token(get_settings().secret_key, user_id, topic)}"


async def test_a_news_e_mail_carries_one_click_unsubscribe_and_a_password_reset_none(
    db, client, mailbox, town, staff_principal
):
    t = await _send_news(town, staff_principal)
    anna, boris, _vera = t["residents"]
    assert (await client.form("/password/forgot", {"login": "vera@example.ru"})).status_code == 200
    await _deliver()

    for person, email, line in (
        (anna, "anna@example.ru", "Не хотите получать такие письма? Отписаться: "),
        (boris, "boris@example.ru", "Don't want such e-mails? Unsubscribe: "),  # in his language
    ):
        mail = mailbox.wait_for(email, seconds=5)
        address = _address(person, Topic.NEWS)
        assert mail["List-Unsubscribe"] == f"<{address}>"
        raw = next(e.content for e in mailbox.messages if email in e.rcpt_tos)
        assert f"\r\nList-Unsubscribe: <{address}>\r\n".encode() in raw  # one line, as providers read it
        assert mail["List-Unsubscribe-Post"] == ONE_CLICK
        text, html = _parts(mail)
        assert text.rstrip().splitlines()[-1] == line + address
        assert f'<a href="{address}"' in html
        last = html.rsplit("<p", 1)[1]  # the last paragraph of the letter
        assert line.removesuffix(": ").replace("'", "&#x27;") in last and address in last

    reset = mailbox.wait_for("vera@example.ru", seconds=5)
    text, html = _parts(reset)
    assert "/password/reset/" in text and "/password/reset/" in html
    assert reset["List-Unsubscribe"] is None and reset["List-Unsubscribe-Post"] is None
    assert "/unsubscribe/" not in text + html and "Отписаться" not in text + html


async def _choices(user_id: int) -> dict[tuple[Topic, Channel], bool]:
    """Whether the person gets each topic by each channel the settings page offers."""
    chosen = (await choices_of([user_id]))[user_id]
    return {(t, c): wants(t, c, chosen) for t in Topic for c in (Channel.EMAIL, Channel.SMS, Channel.PUSH)}


async def _resident(make_user: Any) -> int:
    """A resident who chose news by e-mail and SMS, and no push of notices."""
    user = await make_user(email="reader@example.ru")
    wanted = {(Topic.NEWS, Channel.EMAIL), (Topic.NEWS, Channel.SMS), (Topic.NOTICE, Channel.EMAIL)}
    wanted |= {(Topic.EMERGENCY, c) for c in Channel} | {(Topic.ACCOUNT, Channel.EMAIL)}
    from portal.notifications.actions import save_choices

    await save_choices(user, wanted)
    return user


def _path(user_id: int, topic: Topic) -> str:
    return f"/unsubscribe/{unsubscribe_token(get_settings().secret_key, user_id, topic)}"


async def test_get_and_head_change_nothing_and_the_button_turns_off_that_topic_alone_until_undone(
    db, new_client, make_user
):
    user = await _resident(make_user)
    path = _path(user, Topic.NOTICE)
    scanner, person = new_client(), new_client()
    before, choices = await _database(), await _choices(user)
    for method in ("GET", "HEAD"):
        answer = await scanner.request(method, path)
        assert answer.status_code == 200, method
    assert await _database() == before

    page = await person.get(path)
    assert "Письма с объявлениями дома" in page.text  # what will stop
    assert f'method="post" action="{path}"' in page.text and 'href="/notifications/settings"' in page.text
    done = await person.form(path)
    assert done.status_code == 200
    assert "Готово: письма с объявлениями дома больше не придут." in done.text
    assert await _choices(user) == {**choices, (Topic.NOTICE, Channel.EMAIL): False}  # that one alone

    assert f'action="{path}/undo"' in done.text
    undone = await person.form(f"{path}/undo")
    assert undone.status_code == 200 and "снова будут приходить" in undone.text
    assert await _choices(user) == choices
    after = await _database()
    audited = after.pop(AuditEvent._meta.tablename)
    # Nothing left behind but the audit log's two events (off, then on again): notices by e-mail are the default.
    assert after == {k: v for k, v in before.items() if k != AuditEvent._meta.tablename}
    events = await AuditEvent.select().where(AuditEvent.action == "notifications.choices").order_by(AuditEvent.id)
    assert len(audited) == len(before[AuditEvent._meta.tablename]) + 2
    assert [(e["actor_id"], e["entity_id"], e["ip"]) for e in events][-2:] == [(user, user, CLIENT_IP)] * 2
    changes = [json.loads(e["changes"]) if isinstance(e["changes"], str) else e["changes"] for e in events[-2:]]
    assert changes == [{"email_off": ["notice"]}, {"email_on": ["notice"]}]


@pytest.mark.parametrize("encoding", ["urlencoded", "multipart"])
async def test_the_mail_providers_one_click_post_without_cookies_unsubscribes(db, new_client, make_user, encoding):
    user = await _resident(make_user)
    path, choices = _path(user, Topic.NEWS), await _choices(user)
    provider = new_client()
    if encoding == "urlencoded":
        headers = {"content-type": "application/x-www-form-urlencoded"}
        answer = await provider.post(path, content=ONE_CLICK.encode(), headers=headers)
    else:
        answer = await provider.post(path, files={"List-Unsubscribe": (None, "One-Click")})
    assert answer.status_code == 200, answer.text
    assert await _choices(user) == {**choices, (Topic.NEWS, Channel.EMAIL): False}
    assert not await ChannelChoice.exists().where(
        (ChannelChoice.user == user) & (ChannelChoice.topic == "news") & (ChannelChoice.channel == "email")
    )  # news by e-mail is off by default: no row says so


@pytest.mark.parametrize(
    "body",
    [b"", b"List-Unsubscribe=One-Click&x=1", b"List-Unsubscribe=Two-Clicks"],
    ids=["empty", "another field too", "another value"],
)
async def test_any_other_post_without_a_csrf_token_is_refused(db, new_client, make_user, body):
    user = await _resident(make_user)
    before = await _database()
    headers = {"content-type": "application/x-www-form-urlencoded"}
    for path in (_path(user, Topic.NEWS), _path(user, Topic.NEWS) + "/undo"):
        assert (await new_client().post(path, content=body, headers=headers)).status_code == 403
    assert (
        await new_client().post(f"{_path(user, Topic.NEWS)}/undo", content=ONE_CLICK.encode(), headers=headers)
    ).status_code == 403
    assert await _database() == before


async def test_a_forged_token_or_one_of_a_person_no_longer_here_answers_404(db, client, make_user):
    user = await _resident(make_user)
    path = _path(user, Topic.NEWS)
    before = await _database()
    forged = [path[:-1] + ("0" if path[-1] != "0" else "1"), path.replace(".news.", ".notice."), "/unsubscribe/x"]
    for bad in forged:
        for method in ("GET", "HEAD"):
            assert (await client.request(method, bad)).status_code == 404, (method, bad)
        refused = await client.form(bad)
        assert refused.status_code == 404
        assert "Ссылка не работает" in refused.text and 'href="/notifications/settings"' in refused.text
    assert await _database() == before
    assert (await client.get(path)).status_code == 200
    await User.update({User.is_active: False, User.email: None}).where(User.id == user)  # erased
    assert (await client.get(path)).status_code == 404
    assert (await client.form(path)).status_code == 404


async def test_a_security_notice_carries_no_unsubscribe_and_a_message_of_the_persons_affairs_does(db, make_user):
    """«Your password was changed» goes whatever the person chose (``accounts.rules.always_mailed``): nothing in it
    offers to turn it off. A request's news is of a topic the settings page turns off: its e-mail says how."""
    from portal.accounts.notify import notify
    from portal.core.tables import OutboxMessage

    user = await make_user(email="reader@example.ru")
    await notify(user, "accounts/password_changed", context={"url": "https://portal.example/password/forgot"},
                 dedupe_key="password:1")  # fmt: skip
    await notify(user, "ticket_assigned", context={"number": 7, "category": "garbage_chute"}, dedupe_key="t:7")
    rows = await OutboxMessage.select(OutboxMessage.template, OutboxMessage.body, OutboxMessage.context).where(
        (OutboxMessage.user_id == user) & (OutboxMessage.channel == "email")
    )
    mails = {r["template"]: {**r, "context": _json(r["context"])} for r in rows}
    security, affairs = mails["accounts/password_changed"], mails["ticket_assigned"]
    assert "unsubscribe" not in security["context"] and "/unsubscribe/" not in security["body"]
    assert "/unsubscribe/" not in security["context"]["html"]
    address = _address(user, Topic.ACCOUNT)
    assert affairs["context"]["unsubscribe"] == address and affairs["body"].endswith(address)
    assert address in affairs["context"]["html"]
