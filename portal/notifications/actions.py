"""Changes of notifications: a person's channel choices and the browsers they subscribe for web push."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from portal.accounts.tables import User
from portal.core import audit
from portal.core import clock
from portal.core.db import atomic
from portal.core.security import Principal
from portal.core.tables import OutboxMessage
from portal.notifications.messages import MessageTemplate
from portal.notifications.messages import inapp_context
from portal.notifications.messages import render
from portal.notifications.messages import unsubscribable
from portal.notifications.queries import Recipient
from portal.notifications.queries import choices_of
from portal.notifications.queries import shown_in_app
from portal.notifications.rules import DEFAULTS
from portal.notifications.rules import Channel
from portal.notifications.rules import Topic
from portal.notifications.rules import channels_for
from portal.notifications.rules import choices_changed
from portal.notifications.rules import wants
from portal.notifications.tables import ChannelChoice
from portal.notifications.tables import PushSubscription


async def save_choices(
    user_id: int, wanted: set[tuple[Topic, Channel]], *, by: Principal | None = None, ip: str = ""
) -> None:
    """Keep the choices that differ from the defaults (in-app is always on and never stored). Staff answer for what
    reaches a person and how: the channels turned on and off, by topic, are in the audit log, signed by the person
    (``by``, else looked up), with the address they chose from; a save changing nothing writes nothing."""
    now = clock.now()
    async with atomic():
        changed = choices_changed((await choices_of([user_id]))[user_id], wanted)
        await ChannelChoice.delete().where(ChannelChoice.user == user_id)
        rows = [
            ChannelChoice(user=user_id, topic=topic, channel=channel, enabled=(topic, channel) in wanted)
            for topic in Topic
            for channel in Channel
            if channel is not Channel.INAPP and ((topic, channel) in wanted) != (channel in DEFAULTS[topic])
        ]
        if rows:
            await ChannelChoice.insert(*rows)
        await _audited(by, user_id, changed, ip, now)


async def set_email(user_id: int, topic: Topic, on: bool, *, ip: str = "") -> None:
    """E-mail about ``topic`` on or off for the person (an e-mail's unsubscribe link and its undo): the choice the
    settings page keeps, kept only where it differs from the default; their other choices stay as they are. In the
    audit log as a choice made on the settings page is, when it changes one."""
    now = clock.now()
    async with atomic():
        choices = (await choices_of([user_id]))[user_id]
        was = wants(topic, Channel.EMAIL, choices)
        await ChannelChoice.delete().where(
            (ChannelChoice.user == user_id) & (ChannelChoice.topic == topic) & (ChannelChoice.channel == Channel.EMAIL)
        )
        if on != (Channel.EMAIL in DEFAULTS[topic]):
            await ChannelChoice.insert(ChannelChoice(user=user_id, topic=topic, channel=Channel.EMAIL, enabled=on))
        changed = {} if was == on else {f"email_{'on' if on else 'off'}": [topic.value]}
        await _audited(None, user_id, changed, ip, now)


async def _audited(by: Principal | None, user_id: int, changed: dict[str, list[str]], ip: str, now: datetime) -> None:
    """The person's change of channels in the audit log, signed by them (by name, looked up when the link of an
    e-mail, with no session, made it); nothing when nothing changed."""
    if not changed:
        return
    if by is None:
        found = await User.select(User.full_name).where(User.id == user_id).first()
        by = Principal(user_id=user_id, name=(found or {}).get("full_name", ""))
    await audit.record(by, "notifications.choices", "user", user_id, changed, ip, now=now)


async def subscribe(user_id: int, endpoint: str, p256dh: str, auth: str, user_agent: str = "") -> int:
    """Remember a browser's push subscription for the person (a browser subscribing again replaces its row)."""
    async with atomic():
        await PushSubscription.delete().where(PushSubscription.endpoint == endpoint)
        row = PushSubscription(user=user_id, endpoint=endpoint, p256dh=p256dh, auth=auth, user_agent=user_agent[:255])
        await row.save()
    return int(row.id)


async def unsubscribe(user_id: int, endpoint: str | None) -> None:
    """Forget this browser's push subscription for the person (on «Выключить в этом браузере» and at sign-out, in
    its transaction when there is one): nothing is pushed to the browser for them again."""
    if endpoint is None:
        return
    async with atomic():
        await PushSubscription.delete().where(
            (PushSubscription.user == user_id) & (PushSubscription.endpoint == endpoint)
        )


async def hand_over_browser(user_id: int, endpoint: str | None) -> None:
    """Forget this browser's push subscription made for anyone but the person signing in on it, whichever way they
    come in: a session that ran out without a sign-out left it with the previous person, whose notices the
    next one at the browser would otherwise get."""
    if endpoint is None:
        return
    async with atomic():
        await PushSubscription.delete().where(
            (PushSubscription.endpoint == endpoint) & (PushSubscription.user != user_id)
        )


async def mark_read(user_id: int, message_id: int | None = None) -> None:
    """Mark the person's unread in-app messages read — or only ``message_id``, the one they opened: one UPDATE of
    that person's rows only (a message read before keeps the time it was read)."""
    now = clock.now()
    which = shown_in_app(user_id, now) & OutboxMessage.read_at.is_null()
    if message_id is not None:
        which &= OutboxMessage.id == message_id
    async with atomic():
        await OutboxMessage.update({OutboxMessage.read_at: now}).where(which)


# --- messages written in bulk (a month's receipts, a meeting's reminders) ---------------------------------------

OFFERED = frozenset({Channel.INAPP, Channel.EMAIL})


def outbox_rows(
    person: Recipient,
    template: MessageTemplate,
    context: dict[str, Any],
    key: str,
    choices: dict[tuple[str, str], bool],
) -> list[OutboxMessage]:
    """The outbox rows of one message to one person, to be queued with many others (``outbox.enqueue_many``): in-app
    and e-mail as they chose for the template's topic, in their language; ``key`` names the event (``dedupe_key``
    ``<key>:<channel>:<user>``: never twice to one person). ``context["link"]`` is the page it is about."""
    wanted = channels_for(
        template.topic, OFFERED, choices, email=person.email, phone=None, push_endpoints=0, email_on=person.wants_email
    )
    message = render(template, person.locale, context)
    mailed = unsubscribable(message, person.user_id, template.topic, person.locale)
    rows = []
    for channel in wanted:
        email = channel is Channel.EMAIL
        rows.append(
            OutboxMessage(
                channel=channel.value,
                recipient=person.email if email else str(person.user_id),
                user_id=person.user_id,
                template=template.name,
                subject=message.subject,
                body=mailed.text if email else message.inapp,  # the in-app list's words, no address
                # the in-app title links to the page's path, which holds if the portal's address changes; the
                # list words it again from the context in the language the person reads it in
                context=mailed.email_context() if email else inapp_context(context["link"], context),
                dedupe_key=f"{key}:{channel.value}:{person.user_id}",
                ref=key[:64],
            )
        )
    return rows
