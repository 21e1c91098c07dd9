"""The life of a post on both engines: draft → on review → published or returned; an emergency sent at once
and reviewed after; delivery by the outbox to exactly the audience, once per person and channel."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest

from portal.content import actions
from portal.content import pinned
from portal.content import queries
from portal.content.rules import Move
from portal.content.tables import Post
from portal.content.tables import PostKind
from portal.content.tables import PostStatus
from portal.core import outbox
from portal.core.security import Principal
from portal.core.tables import OutboxMessage
from portal.core.web import Refused
from portal.notifications.rules import Audience


def _post(audience: Audience, kind: PostKind = PostKind.NOTICE, **extra: Any) -> actions.PostInput:
    return actions.PostInput(
        kind=kind,
        title=extra.pop("title", "Плановое отключение воды"),
        body=extra.pop("body", "Воды не будет с 10:00 до 14:00."),
        audience=audience,
        by_email=True,
        by_sms=kind == PostKind.EMERGENCY,
        by_push=False,
        **extra,
    )


def _resident(user_id: int, account: int) -> Principal:
    return Principal(user_id=user_id, name="Житель", account_rights={account: frozenset({"view"})})


async def _deliver() -> None:
    from portal.notifications import channels  # noqa: F401  (registers the senders)

    await outbox.deliver_all(seconds=60)


async def test_a_notice_goes_through_review_to_exactly_its_entrance(db, town, staff_principal):
    t = await town()
    manager = await staff_principal(t["manager"], "manager", houses=(t["house"],))
    moderator = await staff_principal(t["moderator"], "moderator")
    post_id = await actions.save_post(manager, _post(Audience.of(entrances=[t["entrance2"]])))
    await actions.move(manager, post_id, Move.SUBMIT)
    with pytest.raises(Refused):
        await actions.move(manager, post_id, Move.APPROVE)  # only a moderator approves
    with pytest.raises(Refused):
        await actions.move(moderator, post_id, Move.RETURN, "")  # a return says why
    await actions.move(moderator, post_id, Move.RETURN, "Уточните время")
    row = await Post.select(Post.status, Post.review_comment).where(Post.id == post_id).first()
    assert row == {"status": PostStatus.RETURNED, "review_comment": "Уточните время"}
    assert not await OutboxMessage.exists().where(OutboxMessage.ref == f"post:{post_id}")
    await actions.move(manager, post_id, Move.SUBMIT)
    await actions.move(moderator, post_id, Move.APPROVE)
    await _deliver()
    mails = await OutboxMessage.select(OutboxMessage.recipient, OutboxMessage.subject, OutboxMessage.status).where(
        (OutboxMessage.ref == f"post:{post_id}") & (OutboxMessage.channel == "email")
    )
    # Only Boris lives in entrance 2; he reads English.
    assert [(m["recipient"], m["subject"]) for m in mails] == [("boris@example.ru", "Notice: Плановое отключение воды")]
    # A second dispatch sends nothing more.
    await _deliver()
    assert await OutboxMessage.count().where(OutboxMessage.ref == f"post:{post_id}") == 2  # the release + one e-mail


async def test_the_feed_shows_a_post_to_its_audience_with_an_unread_mark(db, town, staff_principal):
    t = await town()
    moderator = await staff_principal(t["moderator"], "moderator")
    post_id = await actions.save_post(moderator, _post(Audience.of(houses=[t["house"]]), PostKind.NEWS))
    await actions.move(moderator, post_id, Move.SUBMIT)
    await actions.move(moderator, post_id, Move.APPROVE)
    a1, _a2, other = t["places"]
    anna = _resident(t["residents"][0], a1.account)
    vera = _resident(t["residents"][2], other.account)
    feed = await queries.feed(anna)
    assert [(i.id, i.unread) for i in feed] == [(post_id, True)]
    assert await queries.feed(vera) == []
    await actions.mark_read(anna.user_id, post_id)
    await actions.mark_read(anna.user_id, post_id)  # twice is once
    assert [(i.id, i.unread) for i in await queries.feed(anna)] == [(post_id, False)]
    with pytest.raises(Exception):  # noqa: B017 (NotFoundException: Vera is not in the audience)
        await queries.post_for_resident(vera, post_id)


async def test_a_dispatchers_emergency_goes_at_once_and_is_pinned_for_its_riser_only(db, town, staff_principal):
    t = await town()
    dispatcher = await staff_principal(t["dispatcher"], "dispatcher", houses=(t["house"],))
    with pytest.raises(Refused):
        await actions.save_post(dispatcher, _post(Audience.of(houses=[t["house"]]), PostKind.NEWS))
    with pytest.raises(Refused):
        await actions.save_post(dispatcher, _post(Audience.of(houses=[t["other_house"]]), PostKind.EMERGENCY))
    post_id = await actions.save_post(dispatcher, _post(Audience.of(risers=[t["riser"]]), PostKind.EMERGENCY))
    await actions.move(dispatcher, post_id, Move.SEND_NOW)
    row = await Post.select(Post.status, Post.needs_review).where(Post.id == post_id).first()
    assert row == {"status": PostStatus.PUBLISHED, "needs_review": True}
    a1, a2, _ = t["places"]
    pinned.forget()
    assert [p.id for p in await pinned.for_principal(_resident(t["residents"][0], a1.account))] == [post_id]
    assert await pinned.for_principal(_resident(t["residents"][1], a2.account)) == []
    await _deliver()
    sms = await OutboxMessage.select(OutboxMessage.recipient).where(
        (OutboxMessage.ref == f"post:{post_id}") & (OutboxMessage.channel == "sms")
    )
    assert [m["recipient"] for m in sms] == ["+79780000001"]
    moderator = await staff_principal(t["moderator"], "moderator")
    await actions.move(moderator, post_id, Move.REVIEWED)
    assert (await Post.select(Post.needs_review).where(Post.id == post_id).first())["needs_review"] is False
    await actions.move(moderator, post_id, Move.UNPUBLISH)
    assert await pinned.for_principal(_resident(t["residents"][0], a1.account)) == []


async def test_drafts_are_deleted_and_posts_duplicated(db, town, staff_principal):
    t = await town()
    manager = await staff_principal(t["manager"], "manager", houses=(t["house"],))
    post_id = await actions.save_post(manager, _post(Audience.of(houses=[t["house"]])))
    copy = await actions.duplicate(manager, post_id)
    assert copy != post_id
    view = await queries.post_view(copy)
    assert view is not None and view.status == "draft"
    assert await queries.stored_audience(copy) == Audience.of(houses=[t["house"]])
    await actions.move(manager, post_id, Move.DELETE)
    assert not await Post.exists().where(Post.id == post_id)


async def test_a_published_post_is_changed_by_a_moderator_only(db, town, staff_principal):
    """The guard of the «Редактировать» the pages offer (``rules.may_edit``): a manager changes a draft, and no
    longer the post once it is published; a moderator does."""
    t = await town()
    manager = await staff_principal(t["manager"], "manager", houses=(t["house"],))
    moderator = await staff_principal(t["moderator"], "moderator", houses=(t["house"], t["other_house"]))
    post_id = await actions.save_post(manager, _post(Audience.of(houses=[t["house"]])))
    await actions.save_post(manager, _post(None, title="Черновик поправлен"), post_id)
    await Post.update({Post.status: PostStatus.PUBLISHED}).where(Post.id == post_id)
    with pytest.raises(Refused, match="Опубликованную запись меняет модератор"):
        await actions.save_post(manager, _post(None, title="Поправлено менеджером"), post_id)
    await actions.save_post(moderator, _post(None, title="Поправлено модератором"), post_id)
    assert (await queries.post_view(post_id)).title == "Поправлено модератором"


async def test_an_outage_of_the_dispatch_service_is_an_emergency_for_exactly_its_riser(db, town, staff_principal):
    from datetime import timedelta

    from portal.core import clock
    from portal.tickets import actions as tickets
    from portal.tickets.queries import outage_for_staff

    t = await town()
    dispatcher = await staff_principal(t["dispatcher"], "dispatcher", houses=(t["house"],))
    now = clock.now()
    outage_id = await tickets.record_outage(
        dispatcher,
        {
            "house_id": t["house"],
            "service": "cold_water",
            "description": "Замена задвижки",
            "starts_at": now - timedelta(minutes=1),
            "ends_at": now + timedelta(hours=3),
            "entrance_id": None,
            "riser_id": t["riser"],
        },
        now,
    )
    post = await Post.select(Post.id, Post.kind, Post.title, Post.status).where(Post.outage == outage_id).first()
    assert post["kind"] == "emergency" and post["status"] == "published"
    assert post["title"].startswith("Холодная вода: ")
    a1, a2, _ = t["places"]
    pinned.forget()
    assert [p.id for p in await pinned.for_principal(_resident(t["residents"][0], a1.account))] == [post["id"]]
    assert await pinned.for_principal(_resident(t["residents"][1], a2.account)) == []
    await _deliver()
    sms = await OutboxMessage.select(OutboxMessage.recipient).where(
        (OutboxMessage.ref == f"post:{post['id']}") & (OutboxMessage.channel == "sms")
    )
    assert [m["recipient"] for m in sms] == ["+79780000001"]
    await tickets.close_outage(dispatcher, await outage_for_staff(dispatcher, outage_id), "Вода есть", clock.now())
    assert await pinned.for_principal(_resident(t["residents"][0], a1.account)) == []


async def test_a_publish_time_passed_while_on_review_goes_out_dated_when_approved(db, town, staff_principal):
    """The author asked for yesterday 09:00 and the moderator approved today: the post goes out now and is dated
    now, not yesterday — else it sits under the posts published since, first in no one's feed, and its date says
    it was there before it was."""
    from datetime import timedelta

    from portal.core import clock

    t = await town()
    moderator = await staff_principal(t["moderator"], "moderator")
    fresh = await actions.save_post(moderator, _post(Audience.of(houses=[t["house"]]), title="Вчерашняя"))
    await actions.move(moderator, fresh, Move.SUBMIT)
    since = await actions.save_post(moderator, _post(Audience.of(houses=[t["house"]]), title="Сегодняшняя"))
    await actions.move(moderator, since, Move.SUBMIT)
    await actions.move(moderator, since, Move.APPROVE)
    yesterday = clock.now() - timedelta(days=1)
    await Post.update({Post.publish_at: yesterday}).where(Post.id == fresh)  # as typed, the day before
    await actions.move(moderator, fresh, Move.APPROVE)

    row = await Post.select(Post.publish_at, Post.published_at).where(Post.id == fresh).first()
    assert row["publish_at"] > yesterday + timedelta(hours=23), row
    anna = _resident(t["residents"][0], t["places"][0].account)
    assert [i.id for i in await queries.feed(anna)] == [fresh, since]  # the last approved is the newest


async def test_a_post_taken_down_is_published_again_by_a_moderator_without_sending_it_twice(db, town, staff_principal):
    """A notice unpublished by mistake (or to correct it) comes back as it was: only a copy could before, reviewed
    anew and e-mailed to everyone a second time. Nobody gets it twice; a manager cannot put it back."""
    t = await town()
    moderator = await staff_principal(t["moderator"], "moderator")
    manager = await staff_principal(t["manager"], "manager", houses=(t["house"],))
    post_id = await actions.save_post(moderator, _post(Audience.of(houses=[t["house"]])))
    await actions.move(moderator, post_id, Move.SUBMIT)
    await actions.move(moderator, post_id, Move.APPROVE)
    await _deliver()
    sent = await OutboxMessage.count().where(
        (OutboxMessage.ref == f"post:{post_id}") & (OutboxMessage.channel == "email")
    )
    assert sent >= 1
    anna = _resident(t["residents"][0], t["places"][0].account)
    await actions.move(moderator, post_id, Move.UNPUBLISH)
    assert await queries.feed(anna) == []
    with pytest.raises(Refused):
        await actions.move(manager, post_id, Move.REPUBLISH)
    await actions.move(moderator, post_id, Move.REPUBLISH)
    await _deliver()
    assert [i.id for i in await queries.feed(anna)] == [post_id]
    assert (
        await OutboxMessage.count().where((OutboxMessage.ref == f"post:{post_id}") & (OutboxMessage.channel == "email"))
        == sent
    )


async def test_a_published_post_whose_audience_grows_is_sent_to_the_newly_reached_only(db, town, staff_principal):
    """A moderator adds a house to a published notice: its people were never sent it (only the feed showed it),
    and those it was sent to are not sent it again."""
    t = await town()
    moderator = await staff_principal(t["moderator"], "moderator")
    post_id = await actions.save_post(moderator, _post(Audience.of(houses=[t["house"]])))
    await actions.move(moderator, post_id, Move.SUBMIT)
    await actions.move(moderator, post_id, Move.APPROVE)
    await _deliver()

    async def mailed() -> list[int]:
        rows = await OutboxMessage.select(OutboxMessage.user_id).where(
            (OutboxMessage.ref == f"post:{post_id}") & (OutboxMessage.channel == "email")
        )
        return sorted(r["user_id"] for r in rows)

    anna, boris, vera = t["residents"]
    assert await mailed() == sorted([anna, boris])
    await actions.save_post(moderator, _post(Audience.of(houses=[t["house"]])), post_id)  # unchanged: nothing
    await actions.save_post(moderator, _post(Audience.of(houses=[t["house"], t["other_house"]])), post_id)
    await _deliver()
    assert await mailed() == sorted([anna, boris, vera])


async def test_a_posts_short_words_stay_with_the_next_word_on_its_page_and_in_its_e_mail(
    db, client, login, town, staff_principal
):
    """«в», «на», «ул.» never end a line of a post on a phone: bound by no-break spaces in the page, in the e-mail's
    HTML part and in its text part (the post's words only)."""
    t = await town()
    moderator = await staff_principal(t["moderator"], "moderator")
    body = "Воды не будет в доме на ул. Ленина — с 10:00 до 14:00. Подробнее [в разделе](https://example.ru/в-доме)"
    post_id = await actions.save_post(moderator, _post(Audience.of(houses=[t["house"]]), body=body))
    await actions.move(moderator, post_id, Move.SUBMIT)
    await actions.move(moderator, post_id, Move.APPROVE)
    await _deliver()
    bound = "Воды не\xa0будет в\xa0доме на\xa0ул.\xa0Ленина\xa0— с\xa010:00 до\xa014:00."
    mail = (
        await OutboxMessage.select(OutboxMessage.body, OutboxMessage.context)
        .where((OutboxMessage.ref == f"post:{post_id}") & (OutboxMessage.channel == "email"))
        .first()
    )
    context = mail["context"] if isinstance(mail["context"], dict) else json.loads(mail["context"])
    assert bound in mail["body"] and bound in context["html"], mail
    assert 'href="https://example.ru/%D0%B2-%D0%B4%D0%BE%D0%BC%D0%B5"' in context["html"]
    assert ">в\xa0разделе</a>" in context["html"]
    await login(client, t["residents"][0])
    page = (await client.get(f"/news/{post_id}")).text
    assert f'<div class="post-body"><p>{bound}' in page


async def test_a_posts_title_keeps_its_short_words_with_the_next_one_in_the_strip_the_feed_its_page_and_a_push(
    db, client, login, town, staff_principal
):
    """«Нет холодной воды на / стояке» never reads so on a phone: the title's «на» is bound to «стояке» in the
    emergency strip above every page, in the feed, on the post's page and in the push notification."""
    from portal.content import delivery
    from portal.notifications import actions as notification_actions

    t = await town()
    dispatcher = await staff_principal(t["dispatcher"], "dispatcher", houses=(t["house"],))
    emergency = _post(Audience.of(risers=[t["riser"]]), PostKind.EMERGENCY, title="Нет холодной воды на стояке")
    data = dataclasses.replace(emergency, by_push=True)
    post_id = await actions.save_post(dispatcher, data)
    await notification_actions.subscribe(t["residents"][0], "https://push.example/anna", "k", "a")
    await actions.move(dispatcher, post_id, Move.SEND_NOW)
    await delivery.fan_out({"context": {"post": post_id}})
    push = (
        await OutboxMessage.select(OutboxMessage.subject, OutboxMessage.body)
        .where((OutboxMessage.ref == f"post:{post_id}") & (OutboxMessage.channel == "push"))
        .first()
    )
    assert push == {"subject": "Нет холодной воды на\xa0стояке", "body": "Воды не\xa0будет с\xa010:00 до\xa014:00."}
    pinned.forget()
    await login(client, t["residents"][0])
    bound = f'<a href="/news/{post_id}">Нет холодной воды на\xa0стояке</a>'
    assert bound in (await client.get("/")).text  # the emergency strip
    assert "воды на\xa0стояке</a>" in (await client.get("/news")).text
    assert "<h1>Нет холодной воды на\xa0стояке</h1>" in (await client.get(f"/news/{post_id}")).text
