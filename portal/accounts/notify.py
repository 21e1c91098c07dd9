"""Tell a user something through the channels they chose (through the outbox, in the caller's transaction),
written in the language the user chose — whoever caused the message.

Domains call ``notify(user_id, template, ...)`` in one of two ways:

- with a registered message template (``portal.notifications.messages``) and its ``context``: the template is
  rendered here in the recipient's language, with an HTML part for e-mail; its in-app row keeps the context, so
  the portal's list words it again in whatever language the person reads the portal in by then;
- with ``subject`` and ``body`` as functions returning the text, for a message without a template of its own::

      await notify(
          resident_id,
          "ticket_event",
          subject=lambda: gettext("Request No. %(number)s: %(status)s", number=42, status=label()),
          body=lambda: gettext("The request is done."),
          dedupe_key=f"ticket:{ticket_id}:event:{event_id}",
          link=f"/tickets/{ticket_id}",
      )

  ``notify`` calls them with the recipient's language switched on, so a Russian-speaking dispatcher's change
  reaches an English-speaking resident in English (``gettext`` inside them reads the catalog of the module that
  wrote them, as everywhere). A plain string is sent as it is — only for words that are not translated (a
  person's own message). Such a message stays in the portal's list in the language it was written in.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from portal.accounts import rules
from portal.accounts.tables import ConsentRecord
from portal.accounts.tables import User
from portal.core import outbox
from portal.core.i18n import in_locale
from portal.notifications import messages
from portal.notifications import rules as channel_rules
from portal.notifications.tables import ChannelChoice

Text = str | Callable[[], str]


def _text(value: Text) -> str:
    return value() if callable(value) else value


def topic_of(template: str) -> str:
    """The topic of a registered template; a message without one is about the person's own affairs."""
    known = messages.registered().get(template)
    return known.topic.value if known else "account"


async def _may_send(user_id: int, template: str) -> bool:
    topic = topic_of(template)
    if rules.may_send(topic, ()):
        return True  # owed whatever the consents: no query
    standing = (
        await ConsentRecord.select(ConsentRecord.consent_type)
        .where((ConsentRecord.user == user_id) & ConsentRecord.withdrawn_at.is_null())
        .limit(50)
    )
    return rules.may_send(topic, {r["consent_type"] for r in standing})


async def _mailed(user: dict[str, Any], template: str) -> bool:
    """Whether ``notify`` writes to the person by e-mail about ``template``: an address, and for all but the
    security notices (``rules.always_mailed``) the profile's switch for e-mail on and the person's choice for the
    topic on the notification settings (its default where they made none: news is not mailed unless asked for)."""
    if not user["email"]:
        return False
    if rules.always_mailed(template):
        return True
    if not user["notify_email"]:
        return False
    topic = topic_of(template)
    choice = (
        await ChannelChoice.select(ChannelChoice.enabled)
        .where(
            (ChannelChoice.user == user["id"])
            & (ChannelChoice.topic == topic)
            & (ChannelChoice.channel == channel_rules.Channel.EMAIL)
        )
        .first()
    )
    choices = {(topic, channel_rules.Channel.EMAIL.value): choice["enabled"]} if choice else {}
    return channel_rules.wants(channel_rules.Topic(topic), channel_rules.Channel.EMAIL, choices)


async def mails_reach(user_id: int | None, template: str) -> bool:
    """Whether the message ``template`` that ``notify`` queues for ``user_id`` goes by e-mail too: a page that says
    «we have sent a confirmation by e-mail» says it only then."""
    if not user_id:
        return False
    user = await User.select(User.id, User.email, User.notify_email, User.is_active).where(User.id == user_id).first()
    return user is not None and bool(user["is_active"]) and await _mailed(user, template)


async def notify(
    user_id: int,
    template: str,
    *,
    subject: Text = "",
    body: Text = "",
    context: dict[str, Any] | None = None,
    dedupe_key: str,
    link: str = "",
    ref: str = "",
    now: datetime | None = None,
) -> int:
    """Queue the message in the portal (always) and by e-mail where the user has and wants it, written in the
    user's language; returns how many messages were queued (0 for an unknown or blocked user, and for a
    message whose topic needs a consent the user has not given or has withdrawn — 152-ФЗ, ``rules.may_send``:
    emergencies and the person's own account still go, news and offers do not).

    ``link`` is a path in the portal. ``dedupe_key`` identifies the event (e.g. ``ticket:42:status:done``):
    the same event is never sent to the same user twice. ``ref`` names the record it is about (``showcase:lead:7``;
    indexed: the rows are found by it, never by their key's text). ``now``: the moment of the action that tells of
    it, which the queued rows carry (``outbox.enqueue``).
    """
    user = (
        await User.select(User.id, User.email, User.locale, User.is_active, User.notify_email)
        .where(User.id == user_id)
        .first()
    )
    if user is None or not user["is_active"]:
        return 0
    if not await _may_send(user_id, template):
        return 0
    ctx = {**(context or {}), "link": link}
    # The in-app row keeps the page its title links to; its words and subject are its own columns, in the
    # recipient's language of today.
    inapp = {"link": link}
    if not subject and not body and template in messages.registered():
        rendered = messages.render(template, user["locale"], ctx)
        # ... and the template's context, which the list words again in the language the person reads it in.
        inapp = messages.inapp_context(link, ctx)
    else:
        with in_locale(user["locale"]):
            subject_text, body_text = _text(subject), _text(body)
        # The e-mail ends with the page's full address, as a template's does; the in-app title links there.
        address = messages.absolute(link) if link else ""
        text = f"{body_text}\n\n{address}" if address else body_text
        rendered = messages.Message(
            subject_text, text, html="", short=subject_text, link=address, inapp=body_text, locale=user["locale"]
        )
    # An e-mail the person may turn off says how, in one click; security e-mails do not (``rules.always_mailed``).
    topic = channel_rules.Topic(topic_of(template))
    mailed = (
        rendered if rules.always_mailed(template) else messages.unsubscribable(rendered, user_id, topic, user["locale"])
    )
    # The e-mail ends with the page's address; the in-app list links its title there instead.
    subject_text, bodies = rendered.subject, {"email": mailed.text, "inapp": rendered.inapp}
    # The e-mail row keeps what its letter is made of (the HTML part) and its unsubscribe address.
    ctx.update({k: v for k, v in {"html": mailed.html, "unsubscribe": mailed.unsubscribe}.items() if v})
    ctx["locale"] = rendered.locale or user["locale"]  # the sender named in the reader's language
    contexts = {"email": json.loads(json.dumps(ctx, default=str)), "inapp": inapp}  # dates, amounts as text
    channels = [("inapp", str(user_id))]  # the person's record in the portal, always kept (``rules.wants``)
    if await _mailed(user, template):
        channels.append(("email", user["email"]))
    queued = 0
    for channel, recipient in channels:
        if await outbox.enqueue(
            channel,
            recipient,
            template,
            contexts[channel],
            f"{channel}:{dedupe_key}:{user_id}",
            subject=subject_text,
            body=bodies[channel],
            user_id=user_id,
            ref=ref,
            now=now,
        ):
            queued += 1
    return queued
