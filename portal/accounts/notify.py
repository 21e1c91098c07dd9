"""Tell a user something through the channels they chose (through the outbox, in the caller's transaction).

Domains call ``notify(user_id, ...)``; identity decides the channels from the user's preferences and consent.
"""

from __future__ import annotations

import json
from typing import Any

from portal.accounts.tables import User
from portal.core import outbox
from portal.notifications import messages


async def notify(
    user_id: int,
    template: str,
    *,
    subject: str = "",
    body: str = "",
    context: dict[str, Any] | None = None,
    dedupe_key: str,
    link: str = "",
) -> int:
    """Queue the message on each channel the user has and wants (profile: e-mail, in-app); returns how many
    messages were queued.

    ``subject`` and ``body`` are already rendered in the user's language; ``link`` is a path in the portal.
    ``dedupe_key`` identifies the event (e.g. ``ticket:42:status:done``): the same event is never sent twice.

    Without ``subject`` and ``body``, ``template`` names a message template (portal.notifications.messages)
    rendered here from ``context`` in the user's own language, with an HTML part for e-mail.
    """
    user = (
        await User.select(User.id, User.email, User.locale, User.is_active, User.notify_email, User.notify_inapp)
        .where(User.id == user_id)
        .first()
    )
    if user is None or not user["is_active"]:
        return 0
    ctx = {**(context or {}), "link": link}
    if not subject and not body and template in messages.registered():
        rendered = messages.render(template, user["locale"], ctx)
        subject, body = rendered.subject, rendered.text
        ctx["html"] = rendered.html
    ctx = json.loads(json.dumps(ctx, default=str))  # dates and amounts kept as text in the outbox row
    queued = 0
    if user["notify_inapp"] and await outbox.enqueue(
        "inapp",
        str(user_id),
        template,
        ctx,
        f"inapp:{dedupe_key}:{user_id}",
        subject=subject,
        body=body,
        user_id=user_id,
    ):
        queued += 1
    if (
        user["email"]
        and user["notify_email"]
        and await outbox.enqueue(
            "email",
            user["email"],
            template,
            ctx,
            f"email:{dedupe_key}:{user_id}",
            subject=subject,
            body=body,
            user_id=user_id,
        )
    ):
        queued += 1
    return queued
