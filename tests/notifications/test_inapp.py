"""The in-app messages page: a person's own messages newest first, paged, links only on this site, marked read."""

from __future__ import annotations

import dataclasses
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import Any

from portal.core.pagination import PageRequest
from portal.core.tables import OutboxMessage
from portal.notifications import queries
from portal.settings import get_settings
from portal.settings import use_settings
from tests.querylog import captured

START = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


async def _message(user: int, subject: str, *, minutes: int = 0, link: Any = None, **values: Any) -> int:
    row = OutboxMessage(
        channel=values.pop("channel", "inapp"),
        recipient=str(user),
        user_id=user,
        template="test",
        subject=subject,
        body=values.pop("body", "Текст сообщения"),
        context={"link": link} if link is not None else {},
        dedupe_key=uuid.uuid4().hex,
        status=values.pop("status", "sent"),
        created_at=START + timedelta(minutes=minutes),
        next_attempt_at=values.pop("next_attempt_at", START),
        **values,
    )
    await row.save()
    return int(row.id)


@contextmanager
def at_another_address(base_url: str = "https://moved.example") -> Iterator[None]:
    """The portal moved: its ``BASE_URL`` is another address while the block runs."""
    settings = get_settings()
    use_settings(dataclasses.replace(settings, base_url=base_url))
    try:
        yield
    finally:
        use_settings(settings)


async def inapp_links(user: int) -> dict[str, str | None]:
    """The person's in-app list as it is read now: each message's title and the page it links to."""
    return {m.subject: m.link for m in (await queries.inapp_messages(user, PageRequest())).items}


async def leads_to(client: Any, html: str) -> list[str]:
    """Where each message's title in the list leads: its ``/notifications/{id}/open`` followed to the page."""
    opened = [await client.get(path) for path in re.findall(r'href="(/notifications/\d+/open)"', html)]
    assert all(o.status_code == 303 for o in opened)
    return [o.headers["location"] for o in opened]


def _subjects(html: str) -> list[str]:
    return re.findall(r"Сообщение \d+", html)


async def test_a_person_sees_only_their_own_messages_newest_first(db, client, login, make_user):
    a, b = await make_user(), await make_user()
    await _message(a, "Сообщение 1", minutes=1)
    await _message(a, "Сообщение 2", minutes=2, read_at=START)
    await _message(a, "Сообщение 3", minutes=3, status="pending")  # queued and due: in-app delivery only marks it
    await _message(a, "Сообщение 4", minutes=4, status="pending", next_attempt_at=START + timedelta(days=3650))
    await _message(a, "Сообщение 5", minutes=5, channel="email")
    await _message(b, "Сообщение 6", minutes=6)
    await login(client, a)
    page = await client.get("/notifications")
    assert page.status_code == 200
    assert _subjects(page.text) == ["Сообщение 3", "Сообщение 2", "Сообщение 1"]
    # Unread ones say so in words, for the eye and for a screen reader; the read one does not.
    assert page.text.count("Новое") == 2 and page.text.count("ещё не прочитано") == 2
    await client.post("/logout", headers={"x-csrftoken": await client.csrf_token()})
    await login(client, b)
    assert _subjects((await client.get("/notifications")).text) == ["Сообщение 6"]


async def test_marking_read_touches_only_the_persons_unread_rows(db, client, login, make_user):
    a, b = await make_user(), await make_user()
    theirs = await _message(a, "Сообщение 1")
    earlier = START - timedelta(days=1)
    read = await _message(b, "Сообщение 2", read_at=earlier)
    mine = await _message(b, "Сообщение 3", minutes=1)
    await login(client, b)
    answer = await client.form("/notifications/read", {})
    assert answer.status_code == 303 and answer.headers["location"].endswith("/notifications")
    rows = {r["id"]: r["read_at"] for r in await OutboxMessage.select(OutboxMessage.id, OutboxMessage.read_at)}
    assert rows[theirs] is None  # A's message stays unread whatever B does
    assert rows[mine] is not None
    assert rows[read] is not None and rows[read].replace(tzinfo=UTC) == earlier  # read before: left as it was
    page = (await client.get("/notifications")).text
    assert "Новое" not in page and "Отметить все прочитанными" not in page


async def test_only_a_path_on_this_site_becomes_a_link(db, client, login, make_user):
    user = await make_user()
    await _message(user, "Сообщение 1", link="https://evil.example/x")
    await _message(user, "Сообщение 2", minutes=1, link="//evil.example/x")
    await _message(user, "Сообщение 3", minutes=2, link="/tickets/7")
    await _message(user, "Сообщение 4", minutes=3, link="/\\evil.example")
    # The meters' reminders and the survey's invitation kept the message's full address of this portal once.
    await _message(user, "Сообщение 5", minutes=4, link=get_settings().base_url + "/meters")
    await _message(user, "Сообщение 6", minutes=5, link=get_settings().base_url + "//evil.example/x")
    await login(client, user)
    page = (await client.get("/notifications")).text
    assert sorted(await leads_to(client, page)) == ["/meters", "/tickets/7"]
    assert "evil" not in page
    assert all(f"Сообщение {n}" in page for n in (1, 2, 4, 6))


async def test_pages_are_bounded_and_cost_the_same(db, client, login, make_user):
    from portal.notifications.routes import QUERY_BUDGETS

    user = await make_user()
    for n in range(1, 26):
        await _message(user, f"Сообщение {n}", minutes=n)
    await login(client, user)
    await client.get("/notifications")
    with captured(db) as seen:
        first = (await client.get("/notifications?size=10")).text
    assert _subjects(first) == [f"Сообщение {n}" for n in range(25, 15, -1)]
    assert len(seen) <= QUERY_BUDGETS["/notifications"]
    last = (await client.get("/notifications?size=10&page=3")).text
    assert _subjects(last) == [f"Сообщение {n}" for n in range(5, 0, -1)]
    huge = (await client.get("/notifications?size=100000")).text
    assert len(_subjects(huge)) == 25 and "Показаны 1–25 из 25" in huge
    unreadable = (await client.get("/notifications?size=7&page=первая")).text  # a size under 10 is 10, page 1
    assert _subjects(unreadable) == [f"Сообщение {n}" for n in range(25, 15, -1)]


async def test_the_page_in_english_and_its_empty_state(db, client, login, make_user):
    user = await make_user()
    await login(client, user)
    await client.form("/lang", {"lang": "en", "next": "/notifications"})
    empty = (await client.get("/notifications")).text
    assert "No notifications yet" in empty and "Уведомлений" not in empty
    await _message(user, "Сообщение 1")
    page = (await client.get("/notifications")).text
    assert "Mark all as read" in page and ">New<" in page and "Новое" not in page
    await client.form("/lang", {"lang": "ru", "next": "/"})
    past = (await client.get("/notifications?page=9", follow_redirects=True)).text  # past the end: the last page
    assert "Уведомлений пока нет" not in past and "Сообщение 1" in past and "Страницы 9 нет" in past


async def test_the_home_page_tells_of_unread_messages(db, client, login, make_user):
    a, b = await make_user(), await make_user()
    await _message(a, "Сообщение 1")
    await _message(a, "Сообщение 2", minutes=1)
    await _message(a, "Сообщение 3", minutes=2, read_at=START)
    await _message(b, "Сообщение 4")
    await login(client, a)
    assert "2 новых уведомления" in (await client.get("/")).text
    await client.form("/notifications/read", {})
    assert "новых уведомлени" not in (await client.get("/")).text


async def test_a_message_kept_in_russian_is_marked_russian_on_an_english_page(db, client, login, make_user):
    """A message is kept in the language its person read when it was sent: one kept in Russian, shown on an English
    page, says ``lang="ru"`` for a screen reader's voice; one kept in English does not."""
    user = await make_user()
    await _message(user, "Платёж получен", body="Мы получили ваш платёж. Спасибо!")
    await _message(user, "Payment received", body="We received your payment, Смирнов Иван.", minutes=1)
    await login(client, user)
    await client.speak("en")
    page = (await client.get("/notifications")).text
    assert '<strong lang="ru">Платёж получен</strong>' in page
    assert '<p class="notification-body" lang="ru">Мы получили ваш платёж. Спасибо!</p>' in page
    assert "<strong>Payment received</strong>" in page and '<p class="notification-body">We received' in page
    await client.speak("ru")
    assert "<strong>Платёж получен</strong>" in (await client.get("/notifications")).text


async def test_opening_a_message_marks_that_one_read(db, client, login, make_user):
    """Following a message's title to its page left it «Новое», and the count at «Ещё» never went down: only «Отметить
    все прочитанными» marked anything read. The title goes through ``/notifications/{id}/open``, which marks that
    message read and leads on to its page (a HEAD, a link checker's, only leads on); a message that links nowhere
    leads back to the list, someone else's is not found and stays unread."""
    from portal.core.tables import OutboxMessage

    user, other = await make_user(), await make_user()
    ticket = await _message(user, "Заявка принята", link="/tickets/7#line-2")
    bare = await _message(user, "Без ссылки", minutes=1)
    kept = await _message(user, "Ещё одно", minutes=2, link="/meters")
    theirs = await _message(other, "Чужое", link="/tickets/9")
    await login(client, user)
    assert await queries.unread_count(user) == 3
    scanned = await client.head(f"/notifications/{ticket}/open")  # a link checker's HEAD marks nothing
    assert scanned.status_code == 303 and scanned.headers["location"] == "/tickets/7#line-2"
    assert await queries.unread_count(user) == 3
    answer = await client.get(f"/notifications/{ticket}/open")
    assert answer.status_code == 303 and answer.headers["location"] == "/tickets/7#line-2"
    assert await queries.unread_count(user) == 2
    read_at = (await OutboxMessage.select(OutboxMessage.read_at).where(OutboxMessage.id == ticket).first())["read_at"]
    await client.get(f"/notifications/{ticket}/open")  # again: still read, at the time it was first read
    again = (await OutboxMessage.select(OutboxMessage.read_at).where(OutboxMessage.id == ticket).first())["read_at"]
    assert read_at is not None and again == read_at
    assert (await client.get(f"/notifications/{bare}/open")).headers["location"] == "/notifications"
    assert (await client.get(f"/notifications/{theirs}/open")).status_code == 404
    assert await queries.unread_count(other) == 1
    unread = await OutboxMessage.select(OutboxMessage.id).where(
        (OutboxMessage.user_id == user) & OutboxMessage.read_at.is_null()
    )
    assert [r["id"] for r in unread] == [kept]
    page = (await client.get("/notifications")).text
    assert page.count("Новое") == 1 and f'href="/notifications/{kept}/open"' in page


async def test_tapping_a_push_opens_its_in_app_message_and_marks_it_read(db, client, login, make_user, monkeypatch):
    """Tapping a push opened the survey's page, and the same event's in-app message stayed unread at «Ещё». The
    push carries the in-app message's «open» address, which marks it read on the way to the page; a push with no
    in-app twin (a post: its page marks it read) goes to its page as before."""
    import json

    from portal.notifications import channels
    from portal.notifications.tables import PushSubscription

    user = await make_user()
    await PushSubscription.insert(PushSubscription(user=user, endpoint="https://push.example/p", p256dh="B", auth="a"))
    twin = await _message(user, "Оцените работу", link="/survey", ref="nps:7")
    await _message(await make_user(), "Чужое", link="/survey", ref="nps:7")  # another person's of the same event
    sent: list[dict[str, Any]] = []
    monkeypatch.setattr(channels, "_push", lambda info, payload, topic: sent.append(json.loads(payload)) or 201)
    push = {"recipient": str(user), "subject": "Оцените работу", "body": "", "dedupe_key": "nps:7:push", "ref": ""}
    for ref, link in (("nps:7", "https://portal.example/survey"), ("post:3", "https://portal.example/news/3")):
        await channels.send_push({**push, "ref": ref, "context": {"link": link}})
    assert [m["url"] for m in sent] == [f"/notifications/{twin}/open", "https://portal.example/news/3"]
    await login(client, user)
    opened = await client.get(sent[0]["url"])
    assert (opened.status_code, opened.headers["location"]) == (303, "/survey")
    assert await queries.unread_count(user) == 0
