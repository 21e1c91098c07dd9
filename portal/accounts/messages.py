"""The automatic messages of identity, as message templates (portal.notifications.messages): rendered in the
recipient's language, plain text and HTML."""

from __future__ import annotations

from portal.core.i18n import gettext as _
from portal.core.i18n import lazy
from portal.core.i18n import own_words
from portal.notifications.messages import Context
from portal.notifications.messages import message_template
from portal.notifications.rules import Topic
from portal.settings import get_settings


def words(c: Context) -> Context:
    """An identity message's context as its reader sees it: the company's name, the account it opens if any."""
    where = ""
    if c.get("account"):
        where = _("You now have access to personal account %(n)s (%(address)s).", n=c["account"], address=c["address"])
    company = own_words(get_settings(), "company_name")  # in the reader's language, as the message is
    return {**c, "n": c.get("account", ""), "company": company, "where": where}


RESET = message_template(
    "accounts/reset",
    Topic.ACCOUNT,
    one_time=True,
    subject=lazy("Password reset"),
    text=lazy(
        "Hello!\n\nSomeone (hopefully you) asked to reset the password of your account on the residents' portal."
        "\nTo choose a new password, open this link within an hour:\n\n%(url)s\n\n"
        "The link works once. If you did not ask for it, ignore this message: your password stays the same."
    ),
    sample={"url": "https://portal.example/password/reset/abc"},
)

INVITATION = message_template(
    "accounts/invite",
    Topic.ACCOUNT,
    one_time=True,
    subject=lazy("Invitation to the residents' portal"),
    text=lazy(
        "Hello!\n\n%(company)s invites you to the residents' portal. %(where)s\n\n"
        "To set your password and sign in, open this link within 7 days:\n\n%(url)s\n\nThe link works once."
    ),
    words=words,
    sample={"url": "https://portal.example/invite/abc", "account": "1000000001", "address": "Lenina St, 1, flat 5"},
)

STAFF_INVITATION = message_template(
    "accounts/staff_invite",
    Topic.ACCOUNT,
    one_time=True,
    subject=lazy("Invitation to the staff pages of the portal"),
    text=lazy(
        "Hello!\n\n%(company)s has opened a staff account for you on its portal.\n\n"
        "To set your password and sign in, open this link within 7 days:\n\n%(url)s\n\nThe link works once."
    ),
    words=words,
    sample={"url": "https://portal.example/invite/abc"},
)

ACCESS_GRANTED = message_template(
    "accounts/granted",
    Topic.ACCOUNT,
    subject=lazy("Access to personal account %(n)s"),
    text=lazy(
        "Hello!\n\nYou now have access to personal account %(n)s (%(address)s) on the residents' portal.\n"
        "Sign in to see it: %(url)s"
    ),
    words=words,
    sample={"account": "1000000001", "address": "Lenina St, 1, flat 5", "url": "https://portal.example/login"},
)

CONFIRMATION = message_template(
    "accounts/confirm",
    Topic.ACCOUNT,
    one_time=True,
    subject=lazy("Confirm your e-mail"),
    text=lazy(
        "Hello!\n\nTo finish the registration on the residents' portal, confirm your e-mail address by opening "
        "this link within 2 days:\n\n%(url)s\n\nIf you did not register, ignore this message."
    ),
    sample={"url": "https://portal.example/register/confirm/abc"},
)

ALREADY_REGISTERED = message_template(
    "accounts/exists",
    Topic.ACCOUNT,
    subject=lazy("Registration on the residents' portal"),
    text=lazy(
        "Hello!\n\nSomeone tried to register on the residents' portal with this e-mail, but you already have "
        "an account. Sign in with your password; if you forgot it, choose a new one here:\n\n%(url)s"
    ),
    sample={"url": "https://portal.example/password/forgot"},
)

EMAIL_CHANGE = message_template(
    "accounts/email_change",
    Topic.ACCOUNT,
    one_time=True,
    subject=lazy("Confirm your new e-mail"),
    text=lazy(
        "Hello!\n\nYou asked to make this address the login of your account on the residents' portal. To confirm "
        "it, open this link within 24 hours:\n\n%(url)s\n\nThe link works once. Until it is opened, you sign in "
        "with your old e-mail. If you did not ask for it, ignore this message."
    ),
    sample={"url": "https://portal.example/email/confirm/abc"},
)

EMAIL_CHANGE_ASKED = message_template(
    "accounts/email_change_asked",
    Topic.ACCOUNT,
    subject=lazy("Change of your login e-mail"),
    text=lazy(
        "Hello!\n\nOn the residents' portal, someone signed in to your account asked to make %(new_email)s its "
        "login instead of this address. The login changes only when the link we sent to %(new_email)s is "
        "opened; until then you sign in with this address.\n\nIf it was not you, choose a new password at once "
        "(that calls the change off) and tell the management company:\n\n%(url)s"
    ),
    sample={"new_email": "new@example.ru", "url": "https://portal.example/password/forgot"},
)

PASSWORD_CHANGED = message_template(
    "accounts/password_changed",
    Topic.ACCOUNT,
    subject=lazy("Your password was changed"),
    text=lazy(
        "Hello!\n\nThe password of your account on the residents' portal was changed, and every other device "
        "signed in to it was signed out.\n\nIf it was not you, choose a new password at once and tell the "
        "management company:\n\n%(url)s"
    ),
    inapp=lazy(
        "The password of your account was changed, and every other device signed in to it was signed out. If it "
        "was not you, choose a new password at once and tell the management company."
    ),
    sample={"url": "https://portal.example/password/forgot"},
)

EMAIL_CHANGED = message_template(
    "accounts/email_changed",
    Topic.ACCOUNT,
    subject=lazy("Your login e-mail was changed"),
    text=lazy(
        "Hello!\n\nThe login of your account on the residents' portal is now %(new_email)s: this address no "
        "longer signs you in, and every device signed in to the account was signed out.\n\nIf it was not you, "
        "tell the management company at once."
    ),
    sample={"new_email": "new@example.ru"},
)

EMAIL_TAKEN = message_template(
    "accounts/email_taken",
    Topic.ACCOUNT,
    subject=lazy("Change of e-mail on the residents' portal"),
    text=lazy(
        "Hello!\n\nSomeone asked to make this address the login of an account on the residents' portal, but it "
        "already is the login of your account, so nothing has changed. Sign in with this address; if you forgot "
        "the password, choose a new one here:\n\n%(url)s"
    ),
    sample={"url": "https://portal.example/password/forgot"},
)

RESET_CODE = message_template(
    "accounts/reset_code",
    Topic.ACCOUNT,
    one_time=True,
    subject=lazy("Password reset code"),
    text=lazy(
        "Code %(code)s resets the password of your account on the residents' portal; type it here: %(url)s "
        "It works once, for 15 minutes. Do not tell it to anyone."
    ),
    sample={"code": "123456", "url": "https://portal.example/password/code?login=79781234567"},
)

PHONE_CODE = message_template(
    "accounts/phone_code",
    Topic.ACCOUNT,
    one_time=True,
    subject=lazy("Phone confirmation code"),
    text=lazy("Code %(code)s confirms this phone number on the residents' portal. Do not tell it to anyone."),
    sample={"code": "123456"},
)


def _access_changed(c: Context) -> str:
    """What the other owners of an account are told of a change of who may use it (``what`` names the change), in
    the reader's language, the role as the account's page names it."""
    from portal.accounts.forms import role_label

    what, role = c.get("what"), role_label(c["role"]) if c.get("role") else ""
    if what == "linked":
        return _("%(name)s linked the account with its access code as: %(role)s.", name=c["name"], role=role)
    if what == "invited":
        return _(
            "%(actor)s sent %(email)s an invitation to the account as: %(role)s; the access opens when it is accepted.",
            actor=c["actor"],
            email=c["email"],
            role=role,
        )
    if what == "granted":
        return _("%(actor)s gave %(email)s access to the account as: %(role)s.", actor=c["actor"], email=c["email"],
                 role=role)  # fmt: skip
    if what == "accepted":
        return _("%(name)s accepted the invitation: access as %(role)s.", name=c["name"], role=role)
    if what == "revoked":
        return _("%(actor)s revoked the access of %(name)s.", actor=c["actor"], name=c["name"])
    if what == "cancelled":
        return _("%(actor)s cancelled the invitation of %(email)s.", actor=c["actor"], email=c["email"])
    if what == "code":
        return _("A new access code was issued for the account; the old one no longer works.")
    raise KeyError(what)  # a change this template does not know: the stored words stand (``reworded``)


# A change of who may use an account, told to its other owners (whatever they chose: ``rules.SECURITY_NOTICES``).
ACCESS_CHANGED = message_template(
    "accounts/access_changed",
    Topic.ACCOUNT,
    subject=lazy("Access to personal account %(number)s"),
    text=_access_changed,
    sample={"number": "1000000001", "what": "invited", "actor": "Иван Петров", "email": "anna@example.ru",
            "role": "family"},
)  # fmt: skip
