"""E-mails of identity (reset, invitation, confirmation) and the e-mail sender of the outbox.

Messages are written into the outbox in the caller's transaction. The ``email`` sender speaks SMTP when
``SMTP_HOST`` is set; without it the message is "kept" and staff read it on the Outbox page.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

from portal.core import i18n, outbox
from portal.core.i18n import gettext as _
from portal.notifications import channels
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


# Delivery (SMTP, SMS, web push, in-app) and the dispatcher live in portal.notifications.channels.
deliver_soon = channels.deliver_soon
