"""E-mails of identity (reset, invitation, confirmation) and the e-mail sender of the outbox.

Messages are written into the outbox in the caller's transaction. The ``email`` sender speaks SMTP when
``SMTP_HOST`` is set; without it the message is "kept" and staff read it on the Outbox page.
"""

from __future__ import annotations

import logging
from typing import NamedTuple

from portal.accounts import messages
from portal.accounts.rules import Issued
from portal.core import outbox
from portal.notifications import channels
from portal.notifications.messages import MessageTemplate
from portal.notifications.messages import render
from portal.settings import get_settings

log = logging.getLogger("portal.mail")


def link(path: str) -> str:
    return get_settings().base_url + path


async def _email(
    email: str,
    template: MessageTemplate,
    locale: str | None,
    context: dict,
    user_id: int | None = None,
    *,
    expires: Issued | None = None,
) -> None:
    """One e-mail from a message template, in the recipient's language (plain text and HTML); one carrying a
    one-time link (``expires``) is not sent after the link expires."""
    message = render(template, locale, context)
    await outbox.enqueue(
        "email",
        email,
        template.name,
        {"url": context.get("url", ""), "html": message.html, "locale": message.locale},
        None,
        subject=message.subject,
        body=message.text,
        user_id=user_id,
        expires_at=expires.expires_at if expires else None,
    )


async def send_reset(email: str, token: Issued, locale: str | None, user_id: int) -> None:
    url = link(f"/password/reset/{token.token}")
    await _email(email, messages.RESET, locale, {"url": url}, user_id, expires=token)


async def send_invitation(email: str, token: Issued, locale: str | None, account: str = "", address: str = "") -> None:
    context = {"url": link(f"/invite/{token.token}"), "account": account, "address": address}
    await _email(email, messages.INVITATION, locale, context, expires=token)


async def send_staff_invitation(email: str, token: Issued, locale: str | None) -> None:
    """A new staff member's invitation: to the staff pages, not to the residents' portal."""
    await _email(email, messages.STAFF_INVITATION, locale, {"url": link(f"/invite/{token.token}")}, expires=token)


async def send_access_granted(email: str, locale: str | None, account: str, address: str, user_id: int) -> None:
    context = {"url": link("/login"), "account": account, "address": address}
    await _email(email, messages.ACCESS_GRANTED, locale, context, user_id)


async def send_confirmation(email: str, token: Issued, locale: str | None, user_id: int) -> None:
    url = link(f"/register/confirm/{token.token}")
    await _email(email, messages.CONFIRMATION, locale, {"url": url}, user_id, expires=token)


async def send_already_registered(email: str, locale: str | None, user_id: int) -> None:
    await _email(email, messages.ALREADY_REGISTERED, locale, {"url": link("/password/forgot")}, user_id)


async def send_email_change(email: str, token: Issued, locale: str | None, user_id: int) -> None:
    """The link that makes ``email`` the user's login, to that new address."""
    url = link(f"/email/confirm/{token.token}")
    await _email(email, messages.EMAIL_CHANGE, locale, {"url": url}, user_id, expires=token)


async def send_email_change_asked(email: str, new_email: str, locale: str | None, user_id: int) -> None:
    """To the login address still in force: a change of the login to ``new_email`` was asked for."""
    context = {"url": link("/password/forgot"), "new_email": new_email}
    await _email(email, messages.EMAIL_CHANGE_ASKED, locale, context, user_id)


async def send_email_changed(email: str, new_email: str, locale: str | None, user_id: int) -> None:
    """To the login address that was in force: the login is ``new_email`` from now on."""
    await _email(email, messages.EMAIL_CHANGED, locale, {"new_email": new_email}, user_id)


async def send_email_taken(email: str, locale: str | None, user_id: int) -> None:
    """To an address that is already a user's login, which someone asked to make theirs: nothing changes."""
    await _email(email, messages.EMAIL_TAKEN, locale, {"url": link("/password/forgot")}, user_id)


async def _sms(
    phone: str, template: MessageTemplate, locale: str | None, context: dict, user_id: int, code: Issued
) -> None:
    """A text message carrying a code, in the recipient's language (kept for the Outbox page while no SMS provider is
    configured), not sent after the code expires."""
    message = render(template, locale, {**context, "code": code.token})
    await outbox.enqueue(
        "sms",
        phone,
        template.name,
        {},
        None,
        subject=message.subject,
        body=message.text,
        user_id=user_id,
        expires_at=code.expires_at,
    )


async def send_reset_code(phone: str, code: Issued, locale: str | None, user_id: int) -> None:
    """The code of a password reset, to the login phone, with the link of the page that asks it."""
    url = link(f"/password/code?login={phone.removeprefix('+')}")
    await _sms(phone, messages.RESET_CODE, locale, {"url": url}, user_id, code)


async def send_phone_code(phone: str, code: Issued, locale: str | None, user_id: int) -> None:
    """The code that confirms a new phone number, to that number."""
    await _sms(phone, messages.PHONE_CODE, locale, {}, user_id, code)


class Told(NamedTuple):
    """What a page says about an e-mail asked for, and the tint of its message: a letter still waiting for the mail
    server is news to note (``info``), not a success (``flash(request, *told)``)."""

    text: str
    kind: str

    @property
    def waits(self) -> bool:
        """The letter waits in the outbox for the mail server."""
        return self.kind == "info"


async def told(sent: str, waiting: str) -> Told:
    """What the person who asked for an e-mail is told: that it is sent, or, while the mail server does not answer
    (``outbox.Unreachable``), that it goes as soon as the server answers — it waits in the outbox till then."""
    return Told(waiting, "info") if await outbox.unreachable("email") else Told(sent, "success")


# Delivery (SMTP, SMS, web push, in-app) and the dispatcher live in portal.notifications.channels.
deliver_soon = channels.deliver_soon
