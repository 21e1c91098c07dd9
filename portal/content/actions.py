"""Changes of content, one function per intent, each one ``atomic()`` unit with its audit event and its outbox
row: a published post is one ``post`` row in the outbox, written in the same transaction, which the dispatcher
expands page by page into one message per person and channel (content.delivery)."""

from __future__ import annotations

from dataclasses import asdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from litestar.exceptions import NotFoundException

from portal.content import delivery  # noqa: F401  (registers the sender of posts)
from portal.content import forms
from portal.content import queries
from portal.content import rules
from portal.content.rules import Move
from portal.content.tables import EventAnswer
from portal.content.tables import Post
from portal.content.tables import PostImage
from portal.content.tables import PostKind
from portal.content.tables import PostRead
from portal.content.tables import PostStatus
from portal.content.tables import PostTarget
from portal.core import audit
from portal.core import clock
from portal.core import outbox
from portal.core import stale
from portal.core import storage
from portal.core.db import atomic
from portal.core.i18n import DEFAULT_LOCALE
from portal.core.i18n import LOCALES
from portal.core.i18n import gettext
from portal.core.i18n import in_locale
from portal.core.security import ANONYMOUS
from portal.core.security import Principal
from portal.core.tables import OutboxMessage
from portal.core.web import Refused
from portal.notifications.queries import houses_of
from portal.notifications.rules import Audience


@dataclass(frozen=True)
class PostInput:
    """What the post form gives (forms.read_post)."""

    kind: PostKind
    title: str
    body: str
    audience: Audience | None  # None: a change of a post that keeps the audience it has stored
    publish_at: datetime | None = None
    ends_at: datetime | None = None
    by_email: bool = False
    by_sms: bool = False
    by_push: bool = False
    title_en: str = ""  # the English twin (empty: readers of English read the Russian)
    body_en: str = ""
    event: forms.EventFields | None = None  # an event's time, place and capacity (kind EVENT)


async def _check_houses(principal: Principal, audience: Audience) -> dict[tuple[str, int], int]:
    """A staff user with some houses addresses only what lies in those houses; returns each selection's house."""
    houses = await houses_of(audience)
    if principal.house_ids is None:
        return houses
    if audience.company or audience.complexes:
        raise Refused(gettext("Only staff of every house may address the whole company or a complex."))
    if len(houses) < len(audience.targets()) or not set(houses.values()) <= principal.house_ids:
        raise Refused(gettext("You can address only the houses you work with."))
    return houses


async def _check_may_change(principal: Principal, post_id: int) -> None:
    """A post that also reaches houses the staff member does not work with is not theirs to change (rules)."""
    if not rules.may_change(principal, await queries.reaches_elsewhere(post_id, principal.house_ids)):
        raise Refused(read_only_reason())


def _check_editable(principal: Principal, status: str, kind: str) -> None:
    """A post is changed by the writers of its kind until it is published; from then on by a moderator."""
    if reason := edit_refusal(principal, status, kind):
        raise Refused(reason)


def edit_refusal(principal: Principal, status: str, kind: str, reaches_elsewhere: bool = False) -> str | None:
    """Why ``principal`` may not change a post's words or pictures (``rules.may_change``, ``rules.may_edit``), or
    None: what a refused save says, and what the address of the post's edit form answers instead of a form."""
    if not rules.may_change(principal, reaches_elsewhere):
        return read_only_reason()
    if rules.may_edit(principal, status, kind):
        return None
    if not rules.may_write(principal, kind):
        return gettext("News and notices are written and changed by a manager or a moderator.")
    return gettext("A published post is changed by a moderator.")


def read_only_reason() -> str:
    """Why a staff member may read a post but not change it (said on its page and when a change is refused)."""
    return gettext(
        "This post also reaches houses you do not work with, so only staff who work with all of its houses may "
        "change, send out or delete it."
    )


def _fields(data: PostInput) -> dict:
    return {
        Post.kind: data.kind,
        Post.title: data.title.strip()[:200],
        Post.body: data.body,
        Post.body_html: rules.render_markdown(data.body),
        Post.title_en: data.title_en.strip()[:200],
        Post.body_en: data.body_en,
        Post.body_html_en: rules.render_markdown(data.body_en) if data.body_en.strip() else "",
        Post.publish_at: data.publish_at,
        Post.ends_at: data.ends_at,
        Post.by_email: data.by_email,
        Post.by_sms: data.by_sms,
        Post.by_push: data.by_push,
        Post.search_text: rules.search_text(f"{data.title} {data.title_en}", f"{data.body} {data.body_en}"),
        Post.event_starts_at: data.event.starts_at if data.event else None,
        Post.event_ends_at: data.event.ends_at if data.event else None,
        Post.event_place: data.event.place.strip() if data.event else "",
        Post.event_capacity: data.event.capacity if data.event else None,
        Post.updated_at: clock.now(),
    }


def _edited_by(principal: Principal) -> dict:
    """Who changes a post's words or pictures, and when (the page and the list say so; the audit keeps each)."""
    return {Post.editor_name: principal.name, Post.edited_at: clock.now()}


def outage_search_text(facts: rules.OutageFacts) -> str:
    """What the staff search finds the notice of an outage by while it says the outage's words: those words in
    every language of the portal (each staff member reads its title in their own, and searches by what they
    read), not only the company's first language it is stored in."""
    titles, texts = [], []
    for locale in LOCALES:
        with in_locale(locale):
            titles.append(facts.title())
            texts.append(facts.text())
    return rules.search_text(" ".join(titles), " ".join(texts))


def _words_of(title: str, body: str) -> tuple[str, str]:
    """A post's title and text as compared (a browser sends a text's lines ended by CR LF)."""
    return title.strip()[:200], body.replace("\r\n", "\n").strip()


def _new_post(data: PostInput, author: Principal, **values: Any) -> Post:
    """A post not yet saved: what the form gives (``_fields``), its author and ``values`` (its status …)."""
    post = Post(author=author.user_id, author_name=author.name, **values)
    for column, value in _fields(data).items():
        setattr(post, column._meta.name, value)
    return post


async def _write_targets(
    post_id: int,
    audience: Audience,
    houses: dict[tuple[str, int], int] | None = None,
    scope: frozenset[int] | None = None,
) -> None:
    """The post's audience becomes ``audience``; for a staff member of some houses (``scope``) only the part in
    their houses is replaced: what the post has in other houses stays as it is."""
    if houses is None:
        houses = await houses_of(audience)
    await PostTarget.delete().where((PostTarget.post == post_id) & queries.within(scope))
    rows = [
        PostTarget(post=post_id, house=houses.get((t.kind.value, t.ref)) if t.ref is not None else None, **asdict(t))
        for t in audience.targets()
    ]
    for start in range(0, len(rows), TARGETS_AN_INSERT):  # a hand-picked audience in several statements
        await PostTarget.insert(*rows[start : start + TARGETS_AN_INSERT])


TARGETS_AN_INSERT = 2000  # 7 values a row: well under PostgreSQL's 32,767 values a statement


async def _post_changes(principal: Principal, post_id: int, data: PostInput) -> bool:
    """Whether a save of the post's form changes its words, dates or channels, or its audience (the part of it in
    the staff member's houses, the part a save replaces)."""
    columns = {c._meta.name: v for c, v in _fields(data).items() if c is not Post.updated_at}
    if await stale.changes(Post, post_id, columns):
        return True
    return data.audience is not None and await queries.stored_audience(post_id, principal.house_ids) != data.audience


async def save_post(
    principal: Principal, data: PostInput, post_id: int | None = None, *, ip: str = "", version: str | None = None
) -> int:
    """Create a draft, or change a post that may still be changed (drafts, returned; a moderator any); a change
    whose form was read at another ``version`` than the post's is refused (``stale.Stale``), nothing written; one
    that changes nothing of the post as it is now writes nothing, whatever its version."""
    if not rules.may_write(principal, data.kind):
        raise Refused(gettext("You may not write posts of this kind."))
    if data.audience is None and post_id is None:
        raise Refused(gettext("Choose who it is for: houses, account numbers or the whole company."))
    houses = await _check_houses(principal, data.audience) if data.audience is not None else None
    current = None
    async with atomic():
        if post_id is None:
            post = _new_post(data, principal, status=PostStatus.DRAFT)
            await post.save()
            post_id = int(post.id)
            await audit.record(principal, "post.create", "post", post_id, {"kind": data.kind, "title": data.title}, ip)
        else:
            await _check_may_change(principal, post_id)
            current = (
                await Post.select(
                    Post.status,
                    Post.kind,
                    Post.title,
                    Post.body,
                    Post.title_en,
                    Post.body_en,
                    Post.outage,
                    Post.own_words,
                    Post.publish_at,
                    Post.published_at,
                )
                .where(Post.id == post_id)
                .first()
            )
            if current is None:
                raise Refused(gettext("The post is gone."))
            _check_editable(principal, current["status"], current["kind"])
            if not await _post_changes(principal, post_id, data):
                return post_id  # the post as it is now: nothing to write, whatever the form's version
            await stale.check(Post, post_id, "post", version)
            changes = {**_fields(data), **_edited_by(principal)}
            now = changes[Post.updated_at] = changes[Post.edited_at]  # a new version, audited at the same moment
            # An outage notice whose title or text staff rewrite (or write in English) is shown in their words
            # from then on.
            if _words_of(data.title, data.body) != _words_of(current["title"], current["body"]) or _words_of(
                data.title_en, data.body_en
            ) != _words_of(current["title_en"], current["body_en"]):
                changes[Post.own_words] = True
            elif current["outage"] is not None and not current["own_words"]:
                # Saved unchanged, it still says the outage's words: found by them in every language.
                facts = (await queries.outage_facts([current["outage"]])).get(current["outage"])
                if facts is not None:
                    changes[Post.search_text] = outage_search_text(facts)
            await Post.update(changes).where(Post.id == post_id)
            if data.event is not None:  # a reminder waiting for the old start waits for the new one
                await _move_reminder(post_id, data.event.starts_at, current, now)
            await audit.record(principal, "post.edit", "post", post_id, {"title": data.title}, ip, now=now)
        if data.audience is not None:
            published = current is not None and current["status"] == PostStatus.PUBLISHED
            before = await queries.stored_audience(post_id) if published else None  # read only where it matters
            await _write_targets(post_id, data.audience, houses, principal.house_ids)
            if before is not None:
                await _reach_the_new(post_id, before, data.publish_at)
    return post_id


async def _reach_the_new(post_id: int, before: Audience, publish_at: datetime | None) -> None:
    """A published post whose audience a moderator changed is sent out once more (in the caller's transaction):
    the people it reaches now and had not are sent it; those it was sent to keep their messages' keys, so none
    of them is sent it twice."""
    if await queries.stored_audience(post_id) != before:
        now = clock.now()
        await _release(post_id, publish_at, now, again=now)


async def add_image(principal: Principal, post_id: int, stored: storage.StoredFile, *, ip: str = "") -> int:
    """A picture for the post, stored by core.storage.save_image (type checked by content, re-encoded, metadata
    gone) before the post was saved, so that a refused one is said on the form."""
    await _check_may_change(principal, post_id)
    async with atomic():
        row = PostImage(post=post_id, key=stored.key, width=stored.width, height=stored.height)
        await row.save()
        await audit.record(principal, "post.image", "post", post_id, {"image": row.id}, ip)
    return int(row.id)


async def remove_image(principal: Principal, post_id: int, image_id: int, *, ip: str = "") -> None:
    """Take a picture off the post (one attached by mistake): whoever may change the post's words may, a published
    post's a moderator; the stored file goes after the row, so that no page links a file that is gone."""
    await _check_may_change(principal, post_id)
    post = await Post.select(Post.status, Post.kind).where(Post.id == post_id).first()
    if post is None:
        raise Refused(gettext("The post is gone."))
    _check_editable(principal, post["status"], post["kind"])
    async with atomic():
        removed = (
            await PostImage.delete()
            .where((PostImage.id == image_id) & (PostImage.post == post_id))
            .returning(PostImage.key)
        )
        if not removed:
            raise NotFoundException()
        await Post.update(_edited_by(principal)).where(Post.id == post_id)
        await audit.record(principal, "post.image_delete", "post", post_id, {"image": image_id}, ip)
    storage.delete(removed[0]["key"])


async def _release(post_id: int, publish_at: datetime | None, now: datetime, again: datetime | None = None) -> None:
    """The outbox row that sends the post out at its time (in the caller's transaction); ``again``: once more,
    for a post published again (its people's messages keep their keys, so nobody gets one twice)."""
    await outbox.enqueue(
        "post",
        f"post:{post_id}",
        "content/post",
        {"post": post_id},
        f"post:{post_id}:release" + (f":{again.isoformat()}" if again else ""),
        ref=f"post:{post_id}",
        not_before=publish_at if publish_at and publish_at > now else now,
    )


# The audit action of each step.
_AUDITED = {
    Move.SUBMIT: "post.submit",
    Move.APPROVE: "post.approve",
    Move.RETURN: "post.return",
    Move.SEND_NOW: "post.send_now",
    Move.REVIEWED: "post.reviewed",
    Move.UNPUBLISH: "post.unpublish",
    Move.REPUBLISH: "post.republish",
    Move.DELETE: "post.delete",
}


def _not_now(status: str, publish_at: datetime | None, ends_at: datetime | None, now: datetime) -> str:
    """A step refused, saying the post's state now (two moderators approving one post: the second learns it is
    published)."""
    shown = forms.STATUS_LABELS.shown(rules.shown_status(status, publish_at, ends_at, now))
    return gettext("This cannot be done with the post now: it is “%(status)s”.", status=shown)


async def move(principal: Principal, post_id: int, step: Move, comment: str = "", *, ip: str = "") -> None:
    """One step of a post's life (rules.Move): submit, approve, return with a comment, send an emergency at
    once, mark it reviewed, unpublish, publish again, delete a draft."""
    for key in await _move(principal, post_id, step, comment, ip=ip):  # a deleted draft's pictures, once it is gone
        storage.delete(key)
    forget_pinned()


async def _move(principal: Principal, post_id: int, step: Move, comment: str, *, ip: str = "") -> list[str]:
    """``move`` in one transaction; the stored pictures of a draft it deleted."""
    now = clock.now()
    async with atomic():
        post = (
            await Post.select(
                Post.status, Post.kind, Post.needs_review, Post.publish_at, Post.ends_at, Post.event_starts_at
            )
            .where(Post.id == post_id)
            .first()
        )
        if post is None:
            raise Refused(gettext("The post is gone."))
        ended = rules.shown_status(post["status"], post["publish_at"], post["ends_at"], now) == rules.ENDED
        if not rules.may_move(principal, step, post["status"], post["kind"], post["needs_review"], ended=ended):
            raise Refused(_not_now(post["status"], post["publish_at"], post["ends_at"], now))
        await _check_may_change(principal, post_id)
        if step is Move.RETURN and not comment.strip():
            raise Refused(forms.return_comment_missing())
        if step in (Move.APPROVE, Move.SEND_NOW, Move.REPUBLISH):
            problem = rules.window_problem(post["publish_at"] if step is Move.APPROVE else None, post["ends_at"], now)
            if problem:
                raise Refused(gettext("The post ends before it starts: change its end time."))
        if step in (Move.SUBMIT, Move.APPROVE) and post["kind"] == PostKind.EVENT and post["event_starts_at"] is None:
            # A copied event (``duplicate``) keeps no time: it goes out only once its time is given.
            raise Refused(gettext("Give the date and time of the event."))
        if step is Move.DELETE:
            pictures = await PostImage.select(PostImage.key).where(PostImage.post == post_id)
            await Post.delete().where(Post.id == post_id)
            await audit.record(principal, "post.delete", "post", post_id, None, ip, now=now)
            return [p["key"] for p in pictures]
        changes: dict = {Post.updated_at: now}
        target = rules.TO[step]
        if target is not None:
            changes[Post.status] = target
        if step is Move.RETURN:
            changes.update({Post.review_comment: comment.strip()[:2000], Post.reviewer: principal.user_id})
        if step is Move.APPROVE:
            changes.update({Post.reviewer: principal.user_id, Post.reviewed_at: now, Post.review_comment: ""})
            if post["publish_at"] is not None and post["publish_at"] < now:
                # Its time passed while it waited for review: it goes out now and is dated now, not under the
                # posts published since (the feed is ordered by this time).
                changes[Post.publish_at] = post["publish_at"] = now
        if step is Move.SEND_NOW:
            changes.update({Post.publish_at: now, Post.needs_review: rules.needs_review_after(principal)})
            if not rules.needs_review_after(principal):
                changes.update({Post.reviewer: principal.user_id, Post.reviewed_at: now})
        if step is Move.REVIEWED:
            changes.update({Post.needs_review: False, Post.reviewer: principal.user_id, Post.reviewed_at: now})
        if step in (Move.APPROVE, Move.SEND_NOW):
            changes[Post.published_at] = now
        # Only from the state it was read in: a second moderator's same step, a moment later, is refused.
        moved = (
            await Post.update(changes).where((Post.id == post_id) & (Post.status == post["status"])).returning(Post.id)
        )
        if not moved:
            now_is = await Post.select(Post.status, Post.publish_at, Post.ends_at).where(Post.id == post_id).first()
            raise Refused(
                _not_now(now_is["status"], now_is["publish_at"], now_is["ends_at"], now)
                if now_is
                else gettext("The post is gone.")
            )
        if step in (Move.APPROVE, Move.SEND_NOW):
            await _release(post_id, now if step is Move.SEND_NOW else post["publish_at"], now)
        if step in (Move.APPROVE, Move.REPUBLISH) and post["kind"] == PostKind.EVENT:
            published_at = max(post["publish_at"], now) if step is Move.APPROVE and post["publish_at"] else now
            await queue_reminder(post_id, post["event_starts_at"], published_at, now)
        if step is Move.REPUBLISH:  # to those it had not reached when taken down: a message each is sent once
            await _release(post_id, post["publish_at"], now, again=now)
        await audit.record(
            principal, _AUDITED[step], "post", post_id, {"comment": comment} if comment else {}, ip, now=now
        )
    return []


async def duplicate(principal: Principal, post_id: int, *, ip: str = "") -> int:
    """A new draft with the same kind, text, audience and channels (times cleared); a staff member of some houses
    copies the part of the audience in their houses. ``ip``: where they copied it from, kept by its audit row."""
    row = await Post.select().where(Post.id == post_id).first()
    if row is None:
        raise Refused(gettext("The post is gone."))
    from portal.content.queries import stored_audience

    copy = PostInput(
        kind=PostKind(row["kind"]),
        title=row["title"],
        body=row["body"],
        audience=await stored_audience(post_id, principal.house_ids),
        by_email=row["by_email"],
        by_sms=row["by_sms"],
        by_push=row["by_push"],
        title_en=row["title_en"],
        body_en=row["body_en"],
    )
    return await save_post(principal, copy, ip=ip)


# --- events: answers and the reminder -----------------------------------------------------------------------------

REMINDER_CHANNEL = "event_reminder"


def reminder_key(post_id: int) -> str:
    return f"event:{post_id}:reminder"


async def queue_reminder(post_id: int, starts_at: datetime | None, published_at: datetime, now: datetime) -> None:
    """The outbox row that reminds those going of the event when ``rules.reminder_at`` says (none where it says
    never), for an event whose notice goes out at ``published_at`` (in the caller's transaction): one per event by
    its key, so an event published again is not reminded of twice."""
    due = rules.reminder_at(starts_at, published_at, now) if starts_at is not None else None
    if due is None:
        return
    await outbox.enqueue(
        REMINDER_CHANNEL,
        f"post:{post_id}",
        "content/event_reminder",
        {"post": post_id},
        reminder_key(post_id),
        ref=f"post:{post_id}",
        not_before=due,
        now=now,
    )


async def _move_reminder(post_id: int, starts_at: datetime, post: dict[str, Any], now: datetime) -> None:
    """An event whose start a moderator changed (``post``: its status and publication times as they were read): its
    reminder, not sent yet, is due when ``rules.reminder_at`` says for the new start, decided now; dropped where it
    says never (an event moved to start within hours). A published event that had none gets one where it is due."""
    published_at = max((t for t in (post["publish_at"], post["published_at"]) if t is not None), default=now)
    due = rules.reminder_at(starts_at, published_at, now)
    waiting = (OutboxMessage.dedupe_key == reminder_key(post_id)) & (OutboxMessage.status == "pending")
    if due is None:
        await OutboxMessage.delete().where(waiting)  # never sent, so a later move may queue it again
        return
    moved = await OutboxMessage.update({OutboxMessage.next_attempt_at: due}).where(waiting).returning(OutboxMessage.id)
    if not moved and post["status"] == PostStatus.PUBLISHED:
        await queue_reminder(post_id, starts_at, published_at, now)


def refusal_words(refusal: rules.AnswerRefusal) -> str:
    if refusal is rules.AnswerRefusal.FULL:
        return gettext("Every place is taken: the event is full.")
    return gettext("The event has already started: answers are closed.")


async def answer(principal: Principal, post_id: int, going: bool, *, now: datetime | None = None) -> None:
    """A resident's «Пойду» or «Не пойду» to an event they can see: one answer per person (a second replaces the
    first). Refused once the event has started, and «Пойду» when every place is taken — the places are counted
    with the event's row locked, so two people cannot take the last place together."""
    if principal.user_id is None:
        raise Refused(gettext("Sign in to answer."))
    now = now or clock.now()
    async with atomic():
        event = await queries.lock_event(post_id)
        if event is None:
            raise NotFoundException()
        taken, mine = await queries.going_count(post_id), await queries.my_answer(post_id, principal.user_id)
        refusal = rules.answer_refusal(
            going, starts_at=event["event_starts_at"], now=now, capacity=event["event_capacity"], taken=taken,
            mine=mine is True,
        )  # fmt: skip
        if refusal is not None:
            raise Refused(refusal_words(refusal))
        await EventAnswer.insert(
            EventAnswer(post=post_id, user=principal.user_id, going=going, answered_at=now)
        ).on_conflict(
            target=(EventAnswer.post, EventAnswer.user),
            action="DO UPDATE",
            values=[EventAnswer.going, EventAnswer.answered_at],
        )


async def mark_read(user_id: int, post_id: int) -> None:
    """The person opened the post (once; opening it again changes nothing)."""
    await PostRead.insert(PostRead(post=post_id, user=user_id)).on_conflict(action="DO NOTHING")


# --- outages of the dispatch service -------------------------------------------------------------------------


async def announce_outage(
    outage_id: int, actor: Principal | None = None, now: datetime | None = None, *, ip: str = ""
) -> int | None:
    """Called by the dispatch service (tickets) in the transaction that records an outage: an emergency notice
    to exactly the premises the outage reaches (its riser, else its entrance, else its house), out at once
    through every channel; once per outage, published at ``now``, the moment the outage is recorded. Returns the
    post's id.

    Its title and text are said from the outage in each reader's language where it is read and in each
    recipient's language where it is sent (``queries.in_readers_words``, ``delivery``); the words stored with it,
    in the company's first language, are what a moderator edits, and the staff search finds it by its words in
    every language (``outage_search_text``)."""
    rows = await Post.raw("SELECT o.house, o.entrance, o.riser, o.ends_at FROM outage o WHERE o.id = {}", outage_id)
    facts = (await queries.outage_facts([outage_id])).get(outage_id)
    if not rows or facts is None:
        return None
    row = rows[0]
    now = now or clock.now()
    if row["riser"] is not None:
        audience = Audience.of(risers=[row["riser"]])
    elif row["entrance"] is not None:
        audience = Audience.of(entrances=[row["entrance"]])
    else:
        audience = Audience.of(houses=[row["house"]])
    with in_locale(DEFAULT_LOCALE):
        title, body = facts.title(), facts.text()
    async with atomic():
        existing = await Post.select(Post.id).where(Post.outage == outage_id).first()
        if existing:
            return int(existing["id"])
        who = actor or ANONYMOUS
        ends_at = facts.ends_at if facts.ends_at and facts.ends_at > now else None
        channels = {"by_email": True, "by_sms": True, "by_push": True}
        notice = PostInput(PostKind.EMERGENCY, title, body, audience, now, ends_at, **channels)
        post = _new_post(notice, who, status=PostStatus.PUBLISHED, published_at=now, outage=outage_id)
        post.search_text = outage_search_text(facts)
        await post.save()
        await _write_targets(int(post.id), audience)
        await _release(int(post.id), now, now)
        await audit.record(who, "post.outage", "post", int(post.id), {"outage": outage_id}, ip, now=now)
    forget_pinned()
    return int(post.id)


async def announce(
    actor: Principal,
    title: str,
    body: str,
    audience: Audience,
    now: datetime,
    *,
    title_en: str = "",
    body_en: str = "",
    ip: str = "",
) -> int:
    """A notice another section of the portal publishes at once on a staff member's word (a document put up for
    residents): in the feed of ``audience`` and sent by e-mail and push to those who take notices so, in the
    caller's transaction, with no moderation (its words are the portal's, not staff's). Returns the post's id."""
    notice = PostInput(PostKind.NOTICE, title, body, audience, now, None, by_email=True, by_push=True,
                       title_en=title_en, body_en=body_en)  # fmt: skip
    post = _new_post(notice, actor, status=PostStatus.PUBLISHED, published_at=now)
    await post.save()
    await _write_targets(int(post.id), audience)
    await _release(int(post.id), now, now)
    await audit.record(actor, "post.announce", "post", int(post.id), {"title": post.title}, ip, now=now)
    return int(post.id)


async def end_outage(outage_id: int, now: datetime | None = None) -> None:
    """The outage is over: its notice stops being pinned (in the caller's transaction)."""
    now = now or clock.now()
    await Post.update({Post.ends_at: now, Post.updated_at: now}).where(
        (Post.outage == outage_id) & (Post.ends_at.is_null() | (Post.ends_at > now))
    )
    forget_pinned()


def forget_pinned() -> None:
    from portal.content import pinned

    pinned.forget()
