"""Pure rules of identity: logins, phones, access codes, who may link or invite or revoke whom, and the 152-ФЗ
deadlines (DOMAIN.md §6). No I/O: the callers pass what the database said."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import timedelta
from enum import StrEnum

from portal.core import calendar
from portal.core.limits import Limit
from portal.core.parse import normalize_phone
from portal.core.security import ResidentRole
from portal.core.security import StaffRole

# Rights an owner may delegate; voting is never delegated.
DELEGABLE_RIGHTS = ("pay", "meters", "tickets")
RESIDENT_ROLES = tuple(ResidentRole)
STAFF_ROLES = tuple(StaffRole)

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
CODE_LENGTH = 10
CONFIRM_CODE_DIGITS = 6  # a new phone is confirmed by a code sent to it
# Attempts counted by ``core.limits`` before the work they guard.
SIGN_IN_PER_USER = Limit("sign-in", 5, 60)  # per user, whether the e-mail or the phone was typed
SIGN_IN_PER_IP = Limit("sign-in-ip", 20, 60)
REGISTER_PER_IP = Limit("register-ip", 20, 3600)
CODE_PER_ACCOUNT = Limit("access-code", 5, 900)  # wrong access codes of one account
RESET_PER_EMAIL = Limit("reset", 3, 3600)
RESET_PER_IP = Limit("reset-ip", 20, 3600)
RESET_CODE_PER_PHONE = Limit("reset-code", 10, 3600)  # reset codes typed for one phone, right or wrong
RESET_CODE_PER_IP = Limit("reset-code-ip", 30, 3600)
PASSWORD_CHECK_PER_USER = Limit("password-check", 5, 900)  # the current password on the profile page
PHONE_CODES_PER_USER = Limit("phone-code", 3, 3600)  # codes sent to new phones
EMAIL_LINKS_PER_USER = Limit("email-link", 3, 3600)  # links sent to new e-mail addresses
PHONE_CODE_TRIES = 5  # wrong codes typed before a phone code dies
# The reset page opened by a right SMS code lives as long as a code: the person is on that page now (an e-mailed
# link, read later, lives an hour).
RESET_BY_CODE_TTL = timedelta(minutes=15)


class TokenPurpose(StrEnum):
    """What a one-time token is for."""

    RESET = "reset"  # a password reset link
    RESET_CODE = "reset_code"  # the code of a password reset, sent by SMS to a login phone
    INVITE = "invite"  # an invitation link
    CONFIRM = "confirm"  # the e-mail confirmation link of a self-registration
    PHONE = "phone"  # the code that confirms a new phone number
    EMAIL = "email"  # the link, sent to a new address, that makes it the user's login


class ConsentType(StrEnum):
    PROCESSING = "processing"
    DISSEMINATION = "dissemination"
    MARKETING = "marketing"


class ConsentChannel(StrEnum):
    """How a consent was given (a record's ``channel``)."""

    REGISTRATION = "registration"  # the first consent, accepted on signing up before anything else opens
    PORTAL = "web"  # later, on the portal's personal-data page
    PAPER = "paper"  # a signed paper form, entered by the management company's office
    LETTER = "letter"  # a letter (by post or handed in): a withdrawal brought in writing, entered by the office


def normalize_email(value: str) -> str:
    return value.strip().lower()


def is_email(value: str) -> bool:
    return bool(EMAIL_RE.match(value.strip())) and len(value) <= 255


def login_kind(value: str) -> tuple[str, str] | None:
    """What a sign-in login is: ("email", normalised) or ("phone", +7…), None if neither."""
    value = value.strip()
    if "@" in value:
        return ("email", normalize_email(value)) if is_email(value) else None
    phone = normalize_phone(value)
    return ("phone", phone) if phone else None


def sign_in_bucket(user_id: int | None, login: str) -> str:
    """The attempt counter a sign-in is counted in: one per user, whichever of their e-mail or phone was typed;
    for a login that names nobody, the login as typed in its normal form."""
    if user_id is not None:
        return f"user:{user_id}"
    kind = login_kind(login)
    return f"login:{kind[1] if kind else login.strip().lower()}"


def password_problem(password: str, *, email: str = "") -> str | None:
    """Why a new password is not acceptable ("short", "long", "email", "simple"), or None."""
    if len(password) < 8:
        return "short"
    if len(password) > 200:
        return "long"
    if email and password.lower() == email.lower():
        return "email"
    if len(set(password)) < 4:
        return "simple"
    return None


@dataclass(frozen=True)
class Issued:
    """A one-time token as its message carries it: the token, and the moment its link (or code) stops working,
    after which the message is not sent (``outbox.enqueue(expires_at=)``)."""

    token: str
    expires_at: datetime


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_confirm_code() -> str:
    """Six random digits, sent to a new phone to prove it is the user's."""
    return f"{secrets.randbelow(10**CONFIRM_CODE_DIGITS):0{CONFIRM_CODE_DIGITS}d}"


def confirm_code_hash(user_id: int, code: str) -> str:
    """The stored form of a phone code: bound to the user, so equal codes of two users never collide."""
    return token_hash(f"phone:{user_id}:{re.sub(r'[^0-9]', '', code)}")


def reset_code_hash(user_id: int, code: str) -> str:
    """The stored form of a password reset code sent by SMS, bound to the user as a phone code is."""
    return token_hash(f"reset:{user_id}:{re.sub(r'[^0-9]', '', code)}")


def derive_access_code(secret: str, account_id: int, generation: int) -> str:
    """The access code of an account, derived from the installation's secret key (never stored in clear).

    It is printed on the receipts that go to the owners, and staff regenerate it by moving to the next
    ``generation``. Changing SECRET_KEY changes every code, so the key is kept for the life of an installation.
    """
    digest = hmac.new(secret.encode(), f"access-code:{account_id}:{generation}".encode(), hashlib.sha256).digest()
    number = int.from_bytes(digest, "big")
    chars = []
    for _ in range(CODE_LENGTH):
        number, index = divmod(number, len(CODE_ALPHABET))
        chars.append(CODE_ALPHABET[index])
    return "".join(chars)


def clean_access_code(value: str) -> str:
    return re.sub(r"[\s\-]", "", value).upper()


def format_access_code(code: str) -> str:
    """Printed in groups for reading aloud: «ABCD-EFGH-JK»."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def rights_for(role: str, granted: Iterable[str] | None) -> list[str]:
    """The rights stored on a residency: an owner has all; others "view" plus what was delegated (never "vote")."""
    if role == ResidentRole.OWNER:
        return ["view", *DELEGABLE_RIGHTS]
    wanted = set(granted or ())
    return ["view", *[r for r in DELEGABLE_RIGHTS if r in wanted]]


# --- shared access: who may link, invite, revoke ---------------------------------------------------------


@dataclass(frozen=True)
class OwnerContact:
    """How the register of owners (housing) reaches one current owner of a premise."""

    email: str
    phone: str


def registry_names(owners: Iterable[OwnerContact], *, email: str | None, phone: str | None) -> bool:
    """The register of owners names this user as an owner of the premise: one of the premise's current owners
    has the user's confirmed e-mail or confirmed phone (``None`` when the user has not confirmed one)."""
    email = normalize_email(email) if email else None
    for owner in owners:
        if email and normalize_email(owner.email) == email:
            return True
        if phone and owner.phone and normalize_phone(owner.phone) == phone:
            return True
    return False


def role_on_link(requested: str, *, named_owner: bool) -> ResidentRole | None:
    """The role a user gets by linking an account with its code (or by registering with it): "owner" only when
    the register names them as an owner of the premise; "tenant" when they said so; None when they asked to be
    an owner and the register does not say they are (staff confirm ownership by inviting them as the owner)."""
    if requested == ResidentRole.OWNER:
        return ResidentRole.OWNER if named_owner else None
    if requested == ResidentRole.TENANT:
        return ResidentRole.TENANT
    return None


def may_link(existing_role: str | None) -> bool:
    """A new link (by code, by invitation, by registration) is made only where the user has none: it never
    raises, lowers or otherwise changes a standing residency."""
    return existing_role is None


def may_revoke(*, actor_role: str | None, target_role: str, own: bool) -> bool:
    """Who may end someone's access on the people page: an owner ends a tenant's or a family member's, never an
    owner's (owners change by the register and staff) and never their own there."""
    return actor_role == ResidentRole.OWNER and target_role != ResidentRole.OWNER and not own


def may_see_access_code(*, residency_role: str | None, staff_in_house: bool) -> bool:
    """The code registers an account, so it is shown only to those who may register with it: its owners
    (whom the register or staff made owners) and staff of its house — never to tenants or family."""
    return staff_in_house or residency_role == ResidentRole.OWNER


# --- 152-ФЗ: deadlines, what may still be sent, what erasure does (DOMAIN.md §6) ---------------------------

# Every deadline in working days comes from the one production calendar (``core.calendar``: working Saturdays
# such as 01.11.2025 count, moved days off do not); a deadline in calendar days that ends on a day off moves to
# the next working day (ГК ст. 193).
ERASURE_DAYS = 30  # ст. 21 ч. 5: destroy within 30 days of the withdrawal
CONSENT_DELETION_DAYS = ERASURE_DAYS
ACCESS_ANSWER_WORKING_DAYS = 10  # ст. 14 ч. 3, ст. 20 ч. 1
ACCESS_EXTENSION_WORKING_DAYS = 5  # ст. 14 ч. 3: once, with a reasoned notice
CORRECTION_WORKING_DAYS = 7  # ст. 20 ч. 3
STOP_PROCESSING_WORKING_DAYS = 10  # ст. 21 ч. 5.1 (+5 with a reasoned notice)
STOP_DISSEMINATION_WORKING_DAYS = 3  # ст. 10.1 ч. 14


class DataRequestKind(StrEnum):
    """A duty towards one data subject that has a deadline (DOMAIN.md §6)."""

    ERASURE = "erasure"  # after a withdrawal of the processing consent (ст. 21 ч. 5)
    ACCESS = "access"  # a request to learn what is held (ст. 14): the portal answers at once with a file
    CORRECTION = "correction"  # a demand to correct inaccurate data (ст. 20 ч. 3)


class CorrectionOutcome(StrEnum):
    """How staff answered a demand to correct data (ст. 21 ч. 3: corrected, and the person told; ст. 20 ч. 3: a
    refusal gives its reason). The answer is written to the person either way."""

    CORRECTED = "corrected"
    REFUSED = "refused"


DATA_ANSWER_LENGTH = 2000  # the staff's answer to a correction, told to the person


class ErasureOutcome(StrEnum):
    """What the erasure job did when the date came."""

    CANCELLED = "cancelled"  # the person gave the consent again before the date
    ANONYMISED = "anonymised"  # no other legal ground: the person's data in the portal is destroyed
    RESTRICTED = "restricted"  # another ground remains (an open account): only what needed the consent goes


# What a message is about (notifications' topics, plus the kinds that no sender uses yet) and the consents it
# needs beyond the law (DOMAIN.md §6: billing and performing the management contract need no consent, ст. 6
# ч. 1 п. 5; marketing, surveys, photos do). Emergencies, outages and planned works of the house, the
# person's own account (debt, payments, requests, readings) and meetings' notices are owed under the contract
# and the Housing Code and go whatever the consents; news, surveys and offers need the processing consent, and
# offers of services (advertising) also the separate marketing consent.
CONSENTS_NEEDED: dict[str, tuple[ConsentType, ...]] = {
    "emergency": (),
    "account": (),
    "notice": (),
    "news": (ConsentType.PROCESSING,),
    "survey": (ConsentType.PROCESSING,),
    "marketing": (ConsentType.PROCESSING, ConsentType.MARKETING),
}


# Messages about who can get into the person's account — its access, its password — go by e-mail whatever the person
# unticked (the profile's switch, the settings' topics): a stranger's change would otherwise go unseen. So does the
# one-time code that confirms a vote, asked for that moment.
SECURITY_NOTICES = frozenset({"accounts/access_changed", "accounts/password_changed", "meetings/code"})


def always_mailed(template: str) -> bool:
    """Whether ``notify`` writes the message ``template`` by e-mail to anyone with an address, whatever they chose."""
    return template in SECURITY_NOTICES


def may_send(topic: str, standing: Iterable[str]) -> bool:
    """Whether a message about ``topic`` may go to a person whose standing (given, not withdrawn) consents are
    ``standing``. A topic not in the table needs every consent there is: nothing unknown slips through."""
    needed = CONSENTS_NEEDED.get(topic, tuple(ConsentType))
    held = set(standing)
    return all(c in held for c in needed)


def erasure_due(withdrawn_on: date) -> date:
    """After a withdrawal, processing stops and the data is destroyed within 30 days (ст. 21 ч. 5):
    01.03.2026 → 31.03.2026; when the 30th day is a day off, the next working day (ГК ст. 193)."""
    return calendar.next_working_day(withdrawn_on + timedelta(days=ERASURE_DAYS))


def paper_moment(day_start: datetime, now: datetime, not_before: datetime | None) -> datetime:
    """The moment a consent signed on paper, or a withdrawal brought on paper or by letter, is kept at, ``day_start``
    being the start of the day it was signed or received. That day today: the moment it is entered. An earlier day,
    whose hour nobody knows: the start of that day, but never before ``not_before`` — for a withdrawal the latest
    consent it ends was given, for a consent the latest withdrawal it answers (the record then reads at the same
    moment, on the same day). So no record reads withdrawn before it was given, nor given again before the
    withdrawal it follows, and the day stays the one on the paper (the 30 days of an erasure count from it)."""
    if day_start <= now < day_start + timedelta(days=1):
        return now
    return max(day_start, not_before) if not_before else day_start


def consent_deletion_due(withdrawn_on: date) -> date:
    """The date by which the data is deleted after a withdrawal (the same as ``erasure_due``)."""
    return erasure_due(withdrawn_on)


def access_request_due(received_on: date, *, extended: bool = False) -> date:
    """A subject's access request is answered within 10 working days (ст. 14 ч. 3): 13.04.2026 → 27.04.2026;
    the production calendar's working Saturdays count (30.10.2025 → 14.11.2025); 5 more with a reasoned notice."""
    days = ACCESS_ANSWER_WORKING_DAYS + (ACCESS_EXTENSION_WORKING_DAYS if extended else 0)
    return calendar.add_working_days(received_on, days)


def correction_due(received_on: date) -> date:
    """Inaccurate data is corrected within 7 working days of the demand (ст. 20 ч. 3)."""
    return calendar.add_working_days(received_on, CORRECTION_WORKING_DAYS)


def stop_processing_due(received_on: date) -> date:
    """A demand to stop processing is met within 10 working days (ст. 21 ч. 5.1)."""
    return calendar.add_working_days(received_on, STOP_PROCESSING_WORKING_DAYS)


def stop_dissemination_due(received_on: date) -> date:
    """A demand to stop disseminating is met within 3 working days (ст. 10.1 ч. 14)."""
    return calendar.add_working_days(received_on, STOP_DISSEMINATION_WORKING_DAYS)


def data_request_due(kind: DataRequestKind, received_on: date) -> date:
    """The deadline of a data subject's request of ``kind`` received (or, for erasure, withdrawn) on a day."""
    return {
        DataRequestKind.ERASURE: erasure_due,
        DataRequestKind.ACCESS: access_request_due,
        DataRequestKind.CORRECTION: correction_due,
    }[kind](received_on)


def erasure_outcome(*, consent_given_again: bool, open_account_links: int) -> ErasureOutcome:
    """What happens on the erasure date (ст. 21 ч. 5): nothing when the consent was given again; where the
    person still holds a live link to an open personal account (an owner or tenant who pays for it), another
    legal ground remains (the management contract, ЖК ст. 153, ст. 6 ч. 1 п. 5) and only the data that needed
    the consent goes; otherwise the person is anonymised."""
    if consent_given_again:
        return ErasureOutcome.CANCELLED
    if open_account_links > 0:
        return ErasureOutcome.RESTRICTED
    return ErasureOutcome.ANONYMISED


# How long a language chosen with the switch before signing in stays the choice of whoever signs in next in this
# browser: long enough to type a password or set one from an invitation, too short to pass an unattended computer's
# choice to the next person.
LANGUAGE_CHOICE_SECONDS = 30 * 60


def language_at_sign_in(saved: str, chosen: object, now: float, languages: Iterable[str]) -> str:
    """The language a session starts in: the person's saved one, unless they chose another with the switch on the
    signed-out pages (the sign-in page, the invitation) in the last ``LANGUAGE_CHOICE_SECONDS``; that deliberate
    choice then becomes the saved one. The browser's languages never count: only the switch is a choice.
    ``chosen`` is what the switch kept in the session, ``[language, unix time]``, or anything else for none."""
    if isinstance(chosen, list | tuple) and len(chosen) == 2:
        language, at = chosen
        if language in tuple(languages) and isinstance(at, int | float) and 0 <= now - at <= LANGUAGE_CHOICE_SECONDS:
            return str(language)
    return saved


# --- background jobs ------------------------------------------------------------------------------------------

FAILURES_WARNED = timedelta(days=1)  # the overview warns of the runs failed in this time
# A run going on longer than its job is expected to take is asked about on the jobs page («Зависла?»): the time the
# job says one run may take (its ``timeout``), else three of its intervals, within these bounds (a job every few
# seconds may take minutes over a large batch; an hourly or daily one that takes over an hour is not well).
HUNG_AFTER_LEAST = timedelta(minutes=5)
HUNG_AFTER_MOST = timedelta(hours=1)


def expected_run(every_seconds: int, timeout: int | None) -> timedelta:
    """How long one run of a job running every ``every_seconds`` may take before it looks hung: its own
    ``timeout`` where it says one, else three of its intervals, no less than ``HUNG_AFTER_LEAST`` and no more than
    ``HUNG_AFTER_MOST``."""
    if timeout is not None:
        return timedelta(seconds=timeout)
    return min(max(timedelta(seconds=3 * every_seconds), HUNG_AFTER_LEAST), HUNG_AFTER_MOST)


def looks_hung(running_since: datetime | None, now: datetime, expected: timedelta) -> bool:
    """Whether a run started at ``running_since`` (None: none is going on) has run longer than ``expected`` by
    ``now``: its worker may have died, or it hangs."""
    return running_since is not None and now - running_since > expected


ERROR_LINE_LENGTH = 200


def error_line(error: str) -> str:
    """The one line of a failed run's error the administrators read in the list: the first line of the text the run
    kept, cut at ``ERROR_LINE_LENGTH`` characters."""
    text = error.strip()
    line = text.splitlines()[0].strip() if text else ""
    return line if len(line) <= ERROR_LINE_LENGTH else line[: ERROR_LINE_LENGTH - 1].rstrip() + "…"
