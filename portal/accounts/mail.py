"""E-mails of identity (reset, invitation, confirmation) and the e-mail sender of the outbox.

Messages are written into the outbox in the caller's transaction. The ``email`` sender speaks SMTP when
``SMTP_HOST`` is set; without it the message is "kept" and staff read it on the Outbox page.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterator
from datetime import datetime
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

import aiosmtplib

from portal.core import i18n, jobs, outbox
from portal.core.i18n import gettext as _
from portal.settings import get_settings

log = logging.getLogger("portal.mail")


@contextlib.contextmanager
def in_locale(locale: str | None) -> Iterator[None]:
    """Compose a message in the recipient's language, whatever the language of the request."""
    previous = i18n.get_locale()
    i18n.set_locale(locale or i18n.DEFAULT_LOCALE)
    try:
        yield
    finally:
        i18n.set_locale(previous)


def link(path: str) -> str:
    return get_settings().base_url + path


async def send_reset(email: str, token: str, locale: str | None, user_id: int) -> None:
    url = link(f"/password/reset/{token}")
    with in_locale(locale):
        subject = _("Password reset")
        body = _(
            "Hello!\n\nSomeone (hopefully you) asked to reset the password of your account on the residents' portal."
            "\nTo choose a new password, open this link within an hour:\n\n%(url)s\n\n"
            "The link works once. If you did not ask for it, ignore this message: your password stays the same.",
            url=url,
        )
    await outbox.enqueue(
        "email", email, "accounts/reset", {"url": url}, None, subject=subject, body=body, user_id=user_id
    )


async def send_invitation(email: str, token: str, locale: str | None, account: str = "", address: str = "") -> None:
    url = link(f"/invite/{token}")
    company = get_settings().company_name
    with in_locale(locale):
        subject = _("Invitation to the residents' portal")
        where = _("You now have access to personal account %(n)s (%(address)s).", n=account, address=address)
        body = _(
            "Hello!\n\n%(company)s invites you to the residents' portal. %(where)s\n\n"
            "To set your password and sign in, open this link within 7 days:\n\n%(url)s\n\nThe link works once.",
            company=company,
            where=where if account else "",
            url=url,
        )
    await outbox.enqueue("email", email, "accounts/invite", {"url": url}, None, subject=subject, body=body)


async def send_access_granted(email: str, locale: str | None, account: str, address: str, user_id: int) -> None:
    url = link("/login")
    with in_locale(locale):
        subject = _("Access to personal account %(n)s", n=account)
        body = _(
            "Hello!\n\nYou now have access to personal account %(n)s (%(address)s) on the residents' portal.\n"
            "Sign in to see it: %(url)s",
            n=account,
            address=address,
            url=url,
        )
    await outbox.enqueue("email", email, "accounts/granted", {}, None, subject=subject, body=body, user_id=user_id)


async def send_confirmation(email: str, token: str, locale: str | None, user_id: int) -> None:
    url = link(f"/register/confirm/{token}")
    with in_locale(locale):
        subject = _("Confirm your e-mail")
        body = _(
            "Hello!\n\nTo finish the registration on the residents' portal, confirm your e-mail address by opening "
            "this link within 2 days:\n\n%(url)s\n\nIf you did not register, ignore this message.",
            url=url,
        )
    await outbox.enqueue(
        "email", email, "accounts/confirm", {"url": url}, None, subject=subject, body=body, user_id=user_id
    )


async def send_already_registered(email: str, locale: str | None, user_id: int) -> None:
    url = link("/password/forgot")
    with in_locale(locale):
        subject = _("Registration on the residents' portal")
        body = _(
            "Hello!\n\nSomeone tried to register on the residents' portal with this e-mail, but you already have "
            "an account. Sign in with your password; if you forgot it, choose a new one here:\n\n%(url)s",
            url=url,
        )
    await outbox.enqueue("email", email, "accounts/exists", {}, None, subject=subject, body=body, user_id=user_id)


# --- delivery -------------------------------------------------------------------------------------------


def build_message(row: dict[str, Any]) -> EmailMessage:
    settings = get_settings()
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = row["recipient"]
    message["Subject"] = row["subject"] or settings.company_name
    message["Message-ID"] = make_msgid(domain=settings.smtp_from.split("@")[-1] or None)
    message.set_content(row["body"] or "")
    return message


async def send_email(row: dict[str, Any]) -> str | None:
    """The outbox sender of the ``email`` channel: one real SMTP conversation, or "kept" without a server."""
    settings = get_settings()
    if not settings.smtp_host:
        return "kept"
    await aiosmtplib.send(
        build_message(row),
        hostname=settings.smtp_host,
        port=settings.smtp_port,
        username=settings.smtp_user,
        password=settings.smtp_password,
        use_tls=settings.smtp_port == 465,
        timeout=20,
    )
    return None


async def show_in_app(row: dict[str, Any]) -> str | None:
    """In-app messages are read from the outbox table itself: delivering one only marks it sent."""
    return None


outbox.register_sender("email", send_email)
outbox.register_sender("inapp", show_in_app)


@jobs.register("outbox-delivery", 5)
async def deliver_outbox(now: datetime) -> int:
    return await outbox.deliver_due()


_pending: set[asyncio.Task[Any]] = set()


def deliver_soon() -> None:
    """After a commit that queued an e-mail: deliver now instead of at the next scheduler tick (SMTP only)."""
    settings = get_settings()
    if not settings.smtp_host:
        return
    if settings.redis_url:  # production: the workers deliver (app processes only serve pages)
        jobs.kick("outbox-delivery")
        return

    async def run() -> None:
        try:
            await outbox.deliver_due()
        except Exception:
            log.exception("outbox delivery failed")

    task = asyncio.get_running_loop().create_task(run())
    _pending.add(task)
    task.add_done_callback(_pending.discard)
