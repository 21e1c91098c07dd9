"""How a published post reaches people: the outbox's ``post`` row is expanded page by page (500 people a
pass) into one message per person and channel, each in the person's language, each with the key
``post:<id>:<channel>:<user>`` — so nobody gets one post twice on one channel, whatever is retried."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup
from markupsafe import escape

from portal.content.queries import outage_facts
from portal.content.rules import OutageFacts
from portal.content.rules import plain_text
from portal.content.tables import Post
from portal.content.tables import PostKind
from portal.core import clock
from portal.core import outbox
from portal.core.db import json_value
from portal.core.i18n import DEFAULT_LOCALE
from portal.core.i18n import gettext
from portal.core.i18n import in_locale
from portal.core.i18n import own_lang
from portal.core.i18n import own_words
from portal.core.tables import OutboxMessage
from portal.core.typography import bound
from portal.core.typography import bound_html
from portal.notifications import queries as recipients
from portal.notifications.messages import message_template
from portal.notifications.messages import render
from portal.notifications.messages import unsubscribable
from portal.notifications.rules import Channel
from portal.notifications.rules import Topic

PAGE = 500

TOPICS = {
    PostKind.EMERGENCY: Topic.EMERGENCY,
    PostKind.NOTICE: Topic.NOTICE,
    PostKind.NEWS: Topic.NEWS,
    PostKind.EVENT: Topic.NOTICE,  # a neighbourhood event: an announcement of the house
}


def _subject(c: dict[str, Any]) -> str:
    if c["kind"] == PostKind.EMERGENCY:
        return gettext("Emergency notice: %(title)s", title=c["title"])
    if c["kind"] == PostKind.NOTICE:
        return gettext("Notice: %(title)s", title=c["title"])
    if c["kind"] == PostKind.EVENT:
        return gettext("Event: %(title)s", title=c["title"])
    return c["title"]


POST = message_template(
    "content/post",
    Topic.NOTICE,
    subject=_subject,
    text=lambda c: c["text"] + "\n\n" + gettext("Read it in full in the portal: %(link)s", link=c["link"]),
    html=lambda c: f"<h1 style=\"font-size:20px\">{_heading(c)}</h1>{c['html']}",
    short=lambda c: (
        gettext("Emergency: %(title)s", title=c["title"]) if c["kind"] == PostKind.EMERGENCY else c["title"]
    ),
    sample={"kind": "emergency", "title": "No water", "text": "Riser repair until 18:00.", "html": "<p>Repair</p>",
            "link": "/news/1"},
)  # fmt: skip


def _heading(c: dict[str, Any]) -> str:
    """The subject as the e-mail's heading, in HTML: the title as HTML where it is given (``title_html``: an outage
    notice's, its Russian names marked), else escaped."""
    title = Markup(c["title_html"]) if c.get("title_html") else escape(c["title"])  # noqa: S704 (said escaped)
    return Markup(escape(_subject({**c, "title": "%(title)s"}))) % {"title": title}  # noqa: S704 (escaped)


async def fan_out(row: dict[str, Any]) -> Any:
    """The sender of the ``post`` channel: one page of the post's audience into messages; ``Again`` with the
    next page's start until everyone is done. A post taken down or ended before its turn sends nothing more."""
    context = json_value(row["context"])
    post_id = int(context["post"])
    post = await Post.select().where(Post.id == post_id).first()
    now = clock.now()
    if post is None or post["status"] != "published" or (post["ends_at"] and post["ends_at"] <= now):
        return None
    if post["publish_at"] and post["publish_at"] > now:
        return outbox.Again(context, at=post["publish_at"])
    after = int(context.get("after", 0))
    # The audience as stored, joined in the query: never sent as a list of ids. How its pages are found (walking
    # the people, or from the audience's side) is decided on the first page and kept for the others.
    audience = recipients.PostAudience(post_id)
    kinds = context["kinds"] if "kinds" in context else await recipients.paging(audience, PAGE)
    page = await recipients.resolve_audience(audience, after_user=after, limit=PAGE, kinds=kinds)
    if not page:
        return None
    await outbox.enqueue_many(await _messages(post, page))
    return outbox.Again({**context, "after": page[-1].user_id, "kinds": kinds})


async def _messages(post: dict[str, Any], page: list[recipients.Recipient]) -> list[OutboxMessage]:
    offered = frozenset(
        c
        for c, on in ((Channel.EMAIL, post["by_email"]), (Channel.SMS, post["by_sms"]), (Channel.PUSH, post["by_push"]))
        if on
    )
    topic = TOPICS.get(PostKind(post["kind"]), Topic.NEWS)
    reach = await recipients.channels_of(page, topic, offered)
    facts = None if post["own_words"] else (await outage_facts([post["outage"]])).get(post["outage"])
    rendered: dict[str, tuple[Any, str, str]] = {}
    made: list[OutboxMessage] = []
    for person in page:
        wanted = reach[person.user_id]
        if person.locale not in rendered:
            rendered[person.locale] = _rendered(post, facts, person.locale)
        message, title, body_text = rendered[person.locale]
        mailed = unsubscribable(message, person.user_id, topic, person.locale)  # with the person's own unsubscribe
        for channel in wanted:
            if channel is Channel.INAPP:
                continue  # the feed is the in-app channel of a post
            recipient = {Channel.EMAIL: person.email, Channel.SMS: person.phone}.get(channel) or str(person.user_id)
            body = mailed.text if channel is Channel.EMAIL else message.short
            if channel is Channel.SMS:
                body = f"{message.short} {message.link}"
            if channel is Channel.PUSH:  # a phone's notification: its short words kept with the next one
                body = bound(plain_text(body_text, 180))
            made.append(
                OutboxMessage(
                    channel=channel.value,
                    recipient=recipient,
                    user_id=person.user_id,
                    template=POST.name,
                    subject=message.subject if channel is not Channel.PUSH else bound(title),
                    body=body,
                    context=mailed.email_context() if channel is Channel.EMAIL else {"link": message.link},
                    dedupe_key=f"post:{post['id']}:{channel.value}:{person.user_id}",
                    ref=f"post:{post['id']}",
                )
            )
    return made


def _rendered(post: dict[str, Any], facts: OutageFacts | None, locale: str) -> tuple[Any, str, str]:
    """The post's message for readers of ``locale``, with its title and Markdown text: as written, or for the
    notice of an outage said from the outage in that language."""
    # Staff's words in the recipient's language: the English twin where it is written, else the Russian.
    title, body, body_html = (own_words(post, name, locale) for name in ("title", "body", "body_html"))
    title_html = ""
    if facts is not None:
        with in_locale(locale):
            title, body, body_html = facts.title(), facts.text(), facts.html()
            title_html = facts.title_html()
    elif own_lang(post, "body_html", locale):
        body_html = f'<div lang="{DEFAULT_LOCALE}">{body_html}</div>'  # the Russian standing in, said so
    if facts is None and own_lang(post, "title", locale):  # the Russian title standing in, said so
        title_html = Markup('<span lang="%s">%s</span>') % (DEFAULT_LOCALE, title)
    context = {
        "kind": post["kind"],
        "title": title,
        "title_html": title_html,
        "text": bound(plain_text(body, 2000)),
        "html": bound_html(body_html),
        "link": f"/news/{post['id']}",
    }
    return render(POST, locale, context), title, body


outbox.register_sender("post", fan_out)


# --- the reminder of an event -------------------------------------------------------------------------------------

REMINDED_A_PASS = 500


async def remind(row: dict[str, Any]) -> Any:
    """The sender of the ``event_reminder`` channel (``actions.queue_reminder``): a page of those who said «Пойду»
    told of the event through ``accounts.notify``, each in their language and once (its keys
    ``<channel>:event:<id>:reminder:<user>``); ``Again`` for the next page. An event taken down or started before
    its time reminds nobody; one whose start was moved later waits for its new day."""
    from portal.accounts.notify import notify
    from portal.content.messages import EVENT_REMINDER
    from portal.content.rules import REMIND_BEFORE
    from portal.content.tables import EventAnswer
    from portal.core.db import atomic

    context = json_value(row["context"])
    post_id = int(context["post"])
    post = await Post.select().where((Post.id == post_id) & (Post.kind == PostKind.EVENT)).first()
    now = clock.now()
    if post is None or post["status"] != "published" or post["event_starts_at"] is None:
        return None
    starts_at = post["event_starts_at"]
    if starts_at <= now:
        return None
    if (day_before := starts_at - REMIND_BEFORE) > now:  # woken before any reminder's time (a start moved later)
        return outbox.Again(context, at=day_before)
    after = int(context.get("after", 0))
    going = await (
        EventAnswer.select(EventAnswer.user)
        .where((EventAnswer.post == post_id) & (EventAnswer.going == True) & (EventAnswer.user > after))  # noqa: E712
        .order_by(EventAnswer.user)
        .limit(REMINDED_A_PASS)
    )
    link = f"/news/{post_id}"
    words = {"title": post["title"], "title_en": post["title_en"], "starts_at": starts_at.isoformat(),
             "place": post["event_place"]}  # fmt: skip
    async with atomic():
        for person in going:
            key = f"event:{post_id}:reminder"  # notify keys each person's message by channel and person
            await notify(person["user"], EVENT_REMINDER.name, context=words, dedupe_key=key, link=link, now=now)
    if len(going) < REMINDED_A_PASS:
        return None
    return outbox.Again({**context, "after": going[-1]["user"]})


outbox.register_sender("event_reminder", remind)
