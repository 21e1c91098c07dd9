"""The audit log's words for what the identity domain writes (``core.audit.describe``): access to accounts, staff,
consents and requests under 152-ФЗ; a role and a right read as the staff and invitation forms name them, a consent
by what it is for, a date as a day in the reader's language, a user by name and a house by its address."""

from collections.abc import Mapping
from typing import Any

from portal.accounts import forms
from portal.accounts.tables import User
from portal.core import audit
from portal.core.audit import Ref
from portal.core.audit import describe
from portal.core.audit import looked_up
from portal.core.i18n import format_phone
from portal.core.i18n import language_name
from portal.core.i18n import lazy


def _staff_role(role: Any) -> str:
    return dict(forms.staff_roles()).get(role, str(role))


def _right(right: Any) -> str:
    return dict(forms.rights_labels()).get(right, str(right))


def _user(r: Mapping[str, Any]) -> str:
    """A user as the staff pages name a person: the full name, else the e-mail or phone."""
    return r["full_name"] or r["email"] or r["phone"] or f"#{r['id']}"


audit.namer("user")(looked_up(User.full_name, User.email, User.phone, shown=_user))


describe(
    actions={
        "residency.link": lazy("Account linked to a resident"),
        "residency.grant": lazy("Access to an account given"),
        "residency.revoke": lazy("Access to an account withdrawn"),
        "invitation.send": lazy("Invitation to an account sent"),
        "invitation.accept": lazy("Invitation to an account accepted"),
        "invitation.cancel": lazy("Invitation to an account cancelled"),
        "access_code.regenerate": lazy("New access code of an account issued"),
        "staff.create": lazy("Staff member added"),
        "staff.scope": lazy("Staff member's roles and houses changed"),
        "user.active": lazy("Sign-in allowed or blocked"),
        "user.email": lazy("Login e-mail changed"),
        "user.phone": lazy("Login phone changed"),
        "user.profile": lazy("Name, language or e-mail notices changed in the profile"),
        "consent.give": lazy("Consent given"),
        "consent.withdraw": lazy("Consent withdrawn"),
        "consent.paper": lazy("Consent signed on paper entered"),
        "personal_data.access": lazy("Own personal data downloaded"),
        "personal_data.correction": lazy("Correction of personal data requested"),
        "personal_data.done": lazy("Personal data request done"),
        "personal_data.erasure_cancelled": lazy("Erasure of personal data called off"),
        "personal_data.cancelled": lazy("Erasure not done: consent given again"),
        "personal_data.anonymised": lazy("Personal data erased"),
        "personal_data.restricted": lazy("Personal data restricted to what another ground allows"),
    },
    fields={
        "user": lazy("User"),
        "email": lazy("E-mail"),
        "phone": lazy("Phone"),
        "full_name": lazy("Full name"),
        "locale": lazy("Language"),
        "notify_email": lazy("Notices by e-mail"),
        "role": lazy("Role"),
        "roles": lazy("Roles"),
        "rights": lazy("What they may do"),
        "houses": lazy("Houses"),
        "by": lazy("How"),
        "generation": lazy("Access code No."),
        "is_active": lazy("May sign in"),
        "consent_type": lazy("Consent"),
        "erasure_due": lazy("Data erased on"),
        "channel": lazy("How it came"),
        "edition": lazy("Edition"),
        "signed_on": lazy("Signed on"),
        "due": lazy("Answer due"),
        "outcome": lazy("Outcome"),
    },
    entities={
        "user": lazy("User"),
        "personal_data_request": lazy("Personal data request"),
    },
    values={
        "role": forms.ROLE_LABELS,
        "roles": _staff_role,
        "rights": _right,
        "consent_type": forms.CONSENT_LABELS,
        "user": Ref("user"),
        "houses": Ref("house"),
        "erasure_due": audit.when,
        "signed_on": audit.when,
        "channel": forms.CONSENT_CHANNELS,
        "due": audit.when,
        "phone": format_phone,
        "locale": language_name,
        "outcome": forms.CORRECTION_OUTCOMES,
    },
    lists=("consent_type", "rights"),
)
