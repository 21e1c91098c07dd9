"""Forms of identity: form data in, typed values and translated errors out; only the named fields are read, and
nothing here touches the database. Also the words for roles and rights shown on pages and in messages."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from typing import Any

from portal.accounts import consent
from portal.accounts import rules
from portal.accounts.queries import AuditFilter
from portal.core import clock
from portal.core import jobs
from portal.core import outbox
from portal.core.i18n import DEFAULT_LOCALE
from portal.core.i18n import LOCALES
from portal.core.i18n import format_day
from portal.core.i18n import gettext as _
from portal.core.i18n import language_name
from portal.core.i18n import lazy
from portal.core.i18n import ngettext
from portal.core.labels import Labels
from portal.core.parse import parse_date
from portal.core.parse import parse_id
from portal.core.parse import parse_ids
from portal.core.security import ResidentRole
from portal.core.security import StaffRole
from portal.core.web import FormErrors
from portal.core.web import form_value
from portal.core.web import no_such_status
from portal.core.web import not_a_day
from portal.core.web import read_range
from portal.core.web import shown_days
from portal.core.web import unread_filters

Values = dict[str, Any]


# --- words ------------------------------------------------------------------------------------------------


# A resident role as a person reads it («Собственник»); a role the table does not know is shown as it is.
ROLE_LABELS: Labels[str] = Labels(
    {
        ResidentRole.OWNER: lazy("Owner"),
        ResidentRole.TENANT: lazy("Tenant"),
        ResidentRole.FAMILY: lazy("Family member"),
    }
)
role_label = ROLE_LABELS.shown

# A consent as the audit log names it («Согласие: Обработка персональных данных»).
CONSENT_LABELS: Labels[str] = Labels(
    {
        rules.ConsentType.PROCESSING: lazy("Processing of personal data"),
        rules.ConsentType.DISSEMINATION: lazy("Dissemination of personal data"),
        rules.ConsentType.MARKETING: lazy("Offers of services"),
    }
)

# How a consent was given, as its person reads it («при регистрации в личном кабинете»).
CONSENT_CHANNELS: Labels[str] = Labels(
    {
        rules.ConsentChannel.REGISTRATION: lazy("On signing up to the portal"),
        rules.ConsentChannel.PORTAL: lazy("In the portal, on the personal data page"),
        rules.ConsentChannel.PAPER: lazy("On paper, at the management company's office"),
        rules.ConsentChannel.LETTER: lazy("By a letter to the management company"),
    }
)


def resident_roles(*roles: ResidentRole) -> list[tuple[str, str]]:
    """Options of a role select (all resident roles when none are named)."""
    return [(str(r), role_label(r)) for r in roles or tuple(ResidentRole)]


def rights_labels() -> list[tuple[str, str]]:
    return [
        ("pay", _("See balances and pay")),
        ("meters", _("Pass meter readings")),
        ("tickets", _("File requests")),
    ]


def staff_roles() -> list[tuple[str, str]]:
    return [
        (StaffRole.ADMIN, _("Administrator")),
        (StaffRole.MANAGER, _("House manager")),
        (StaffRole.DISPATCHER, _("Dispatcher")),
        (StaffRole.EXECUTOR, _("Executor")),
        (StaffRole.ACCOUNTANT, _("Accountant")),
        (StaffRole.MODERATOR, _("Moderator")),
        (StaffRole.OPERATOR, _("Call-centre operator")),
    ]


def too_many() -> str:
    return _("Too many attempts. Wait a minute and try again.")


# --- reading --------------------------------------------------------------------------------------------


def _list(data: Mapping[str, Any], name: str) -> list[str]:
    value = data.get(name)
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v) for v in value]
    return [str(value)]


def _account_number(data: Mapping[str, Any]) -> str:
    return "".join(ch for ch in form_value(data, "account") if ch in "0123456789")[:20]


def _email(data: Mapping[str, Any], errors: FormErrors) -> str:
    email = form_value(data, "email")[:255]
    if not rules.is_email(email):
        errors.add("email", _("Enter an e-mail such as name@example.ru."))
    return rules.normalize_email(email)


def _password_message(problem: str) -> str:
    return {
        "short": _("The password must be at least 8 characters long."),
        "long": _("The password is too long."),
        "email": _("The password must differ from your e-mail."),
        "simple": _("The password is too simple: use at least 4 different characters."),
    }[problem]


def _password_pair(data: Mapping[str, Any], errors: FormErrors, email: str = "") -> str:
    password = str(data.get("password") or "")
    problem = rules.password_problem(password, email=email)
    if problem:
        errors.add("password", _password_message(problem))
    elif password != str(data.get("password2") or ""):
        errors.add("password2", _("The passwords do not match."))
    return password


def login_form(data: Mapping[str, Any]) -> tuple[Values, FormErrors]:
    errors = FormErrors()
    login = _login(data, errors)
    password = str(data.get("password") or "")[:200]
    if not password:
        errors.add("password", _("Enter your password."))
    return {"login": login, "password": password, "remember": bool(form_value(data, "remember"))}, errors


def _login(data: Mapping[str, Any], errors: FormErrors) -> str:
    """An e-mail or a phone as the sign-in takes it, as typed."""
    login = form_value(data, "login")[:255]
    if not login:
        errors.add("login", _("Enter your e-mail or phone number."))
    elif rules.login_kind(login) is None:
        errors.add("login", _("Enter an e-mail such as name@example.ru or a phone such as +7 978 123-45-67."))
    return login


def reset_form(data: Mapping[str, Any]) -> tuple[Values, FormErrors]:
    """«Забыли пароль?»: the e-mail or the phone of the account; ``phone`` tells which was typed."""
    errors = FormErrors()
    login = _login(data, errors)
    kind = rules.login_kind(login)
    return {"login": login, "phone": kind is not None and kind[0] == "phone"}, errors


def reset_code_form(data: Mapping[str, Any]) -> tuple[Values, FormErrors]:
    """The phone a reset code was sent to and the code typed back (its digits)."""
    errors = FormErrors()
    login = _login(data, errors)
    code = re.sub(r"[^0-9]", "", form_value(data, "code"))[:12]
    if not code:
        errors.add("code", _("Enter the code from the text message."))
    return {"login": login, "code": code}, errors


def new_password_form(data: Mapping[str, Any], email: str = "") -> tuple[Values, FormErrors]:
    errors = FormErrors()
    password = _password_pair(data, errors, email)
    return {"password": password}, errors


NAME_LENGTH = 255  # characters of a person's full name (its column)


def _full_name(data: Mapping[str, Any], errors: FormErrors, empty: str) -> str:
    """A person's full name as typed. A longer one than its column is refused with the text kept — it was cut in
    silence, the end of a long patronymic or a double surname lost from receipts and minutes."""
    name = form_value(data, "full_name")
    if not name:
        errors.add("full_name", empty)
    elif len(name) > NAME_LENGTH:
        errors.add("full_name", ngettext("The name is too long: at most %(num)d character. Shorten it, please.",
                                         "The name is too long: at most %(num)d characters. Shorten it, please.",
                                         NAME_LENGTH))  # fmt: skip
    return name


def invite_accept_form(data: Mapping[str, Any], email: str) -> tuple[Values, FormErrors]:
    """An invited person's name and new password (refused in the form's order: the name first)."""
    errors = FormErrors()
    name = _full_name(data, errors, _("Enter your name."))
    password = _password_pair(data, errors, email)
    return {"password": password, "full_name": name}, errors


def _account_and_code(data: Mapping[str, Any], errors: FormErrors) -> Values:
    number = _account_number(data)
    code = rules.clean_access_code(form_value(data, "code"))[:20]
    if not number:
        errors.add("account", _("Enter the personal account number from your receipt."))
    if not code:
        errors.add("code", _("Enter the access code from your receipt."))
    role = form_value(data, "role")
    if role not in (ResidentRole.OWNER, ResidentRole.TENANT):
        errors.add("role", _("Choose who you are for this premise."))
    # The form shown again after an error keeps the number and the code as they were typed (a letter O for a
    # zero stays visible), not the digits and letters read from them.
    typed = {"account_typed": form_value(data, "account")[:40], "code_typed": form_value(data, "code")[:40]}
    return {"account": number, "code": code, "role": role, **typed}


def register_form(data: Mapping[str, Any]) -> tuple[Values, FormErrors]:
    errors = FormErrors()
    values = _account_and_code(data, errors)
    name = _full_name(data, errors, _("Enter your name."))
    email = _email(data, errors)
    password = _password_pair(data, errors, email)
    values.update(full_name=name, email=email, password=password)
    return values, errors


def link_form(data: Mapping[str, Any]) -> tuple[Values, FormErrors]:
    errors = FormErrors()
    return _account_and_code(data, errors), errors


def _invitation_language(data: Mapping[str, Any], errors: FormErrors, preselected: str = DEFAULT_LOCALE) -> str:
    """The language of an invitation's letter and of the invited person's pages, as chosen for them; a form sent
    without the field (not a browser's: the select always sends one) gets the one the form preselects."""
    locale = form_value(data, "locale") if "locale" in data else preselected
    if locale not in LOCALES:
        errors.add("locale", _("Choose the language of the letters and pages."))
    return locale[:8]


def invite_person_form(data: Mapping[str, Any], inviter_locale: str) -> tuple[Values, FormErrors]:
    """An owner invites a family member or a tenant with chosen rights (voting is never delegated), in a language
    (preselected: the inviter's)."""
    errors = FormErrors()
    email = _email(data, errors)
    role = form_value(data, "role")
    if role not in (ResidentRole.FAMILY, ResidentRole.TENANT):
        errors.add("role", _("Choose who this person is."))
    rights = [r for r in rules.DELEGABLE_RIGHTS if r in _list(data, "rights")]
    locale = _invitation_language(data, errors, inviter_locale)
    return {"email": email, "role": role, "rights": rights, "locale": locale}, errors


def account_number_form(data: Mapping[str, Any]) -> tuple[Values, FormErrors]:
    errors = FormErrors()
    number = _account_number(data)
    if not number:
        errors.add("account", _("Enter the personal account number."))
    return {"account": number}, errors


def staff_invite_form(data: Mapping[str, Any]) -> tuple[Values, FormErrors]:
    """Staff invite someone to an account of their houses in any resident role (as the owner: staff confirm it)."""
    values, errors = account_number_form(data)
    email = _email(data, errors)
    role = form_value(data, "role")
    if role not in tuple(ResidentRole):
        errors.add("role", _("Choose the role."))
    return {**values, "email": email, "role": role, "locale": _invitation_language(data, errors)}, errors


def profile_form(data: Mapping[str, Any]) -> tuple[Values, FormErrors]:
    errors = FormErrors()
    name = _full_name(data, errors, _("Enter your name."))
    phone_raw = form_value(data, "phone")[:40]
    phone = None
    if phone_raw:
        phone = rules.normalize_phone(phone_raw)
        if phone is None:
            errors.add("phone", _("Enter the phone as +7 978 123-45-67."))
    locale = form_value(data, "locale")
    if locale not in LOCALES:
        errors.add("locale", _("Choose a language."))
    channels = _list(data, "channels")
    values = {
        "full_name": name,
        "phone": phone,
        "phone_raw": phone_raw,
        "locale": locale,
        "notify_email": "email" in channels,
    }
    return values, errors


def phone_code_form(data: Mapping[str, Any]) -> tuple[Values, FormErrors]:
    errors = FormErrors()
    code = "".join(ch for ch in form_value(data, "code") if ch in "0123456789")
    if len(code) != rules.CONFIRM_CODE_DIGITS:
        errors.add("code", _("Enter the 6 digits of the code."))
    return {"code": code}, errors


def change_password_form(data: Mapping[str, Any], email: str = "") -> tuple[Values, FormErrors]:
    errors = FormErrors()
    current = str(data.get("current_password") or "")[:200]
    if not current:
        errors.add("current_password", _("Enter your current password."))
    password = _password_pair(data, errors, email)
    return {"current_password": current, "password": password}, errors


def email_change_form(data: Mapping[str, Any], current: str) -> tuple[Values, FormErrors]:
    """A new login e-mail and the current password that proves the request (the fields in the form's order)."""
    errors = FormErrors()
    email = form_value(data, "new_email")[:255]
    if not rules.is_email(email):
        errors.add("new_email", _("Enter an e-mail such as name@example.ru."))
    elif rules.normalize_email(email) == rules.normalize_email(current):
        errors.add("new_email", _("This is already your e-mail. Enter the new address."))
    password = str(data.get("current_password") or "")[:200]
    if not password:
        errors.add("current_password", _("Enter your current password."))
    return {"new_email": rules.normalize_email(email), "new_email_raw": email, "current_password": password}, errors


def staff_user_form(data: Mapping[str, Any], house_ids: set[int], *, new: bool) -> tuple[Values, FormErrors]:
    errors = FormErrors()
    values: Values = {}
    if new:
        name = _full_name(data, errors, _("Enter the name."))
        values.update(full_name=name, email=_email(data, errors), locale=_invitation_language(data, errors))
    roles = [r for r in StaffRole if r in _list(data, "roles")]
    if not roles:
        errors.add("roles", _("Choose at least one role."))
    houses = sorted(h for h in parse_ids(_list(data, "houses")) if h in house_ids)
    if roles and StaffRole.ADMIN not in roles and not houses:
        # Every role but the administrator's sees only its houses: with none, the pages are empty.
        errors.add("houses", _("Choose the houses the employee works with: without them they see nothing."))
    values.update(roles=roles, houses=houses, active=bool(form_value(data, "active")) if not new else True)
    return values, errors


def audit_query(query: Mapping[str, Any]) -> tuple[dict[str, str], AuditFilter]:
    """The audit log's filters as typed (shown again in the form) and as read: who (a name's beginning or an id),
    which record type, and local days from/to (both included)."""
    typed = {k: form_value(query, k)[:100] for k in ("actor", "entity", "from", "to")}
    actor_id = parse_id(typed["actor"])
    zone = clock.zone()
    days = read_range(query, "from", "to", parse_date)  # a period that ends before it starts: none (audit_days)
    day_from, day_to = days.start, days.end
    since = datetime(day_from.year, day_from.month, day_from.day, tzinfo=zone) if day_from else None
    until = datetime(day_to.year, day_to.month, day_to.day, tzinfo=zone) + timedelta(days=1) if day_to else None
    return typed, AuditFilter(
        actor_id=actor_id,
        actor_name="" if actor_id is not None else typed["actor"],
        entity=typed["entity"][:64],
        since=since.astimezone(UTC) if since else None,
        before=until.astimezone(UTC) if until else None,
    )


def audit_days(query: Mapping[str, Any], entity: str) -> tuple[dict[str, str], FormErrors]:
    """The audit log's days as shown again (a day read, from DD.MM.YYYY too, as its date field holds it; one not read
    as typed) and a message at each filter not read (``core.web.unread_filters``); the log is shown without it.
    ``entity``: the record type read, when events of it exist (``queries.audit_entity_known``)."""
    message = not_a_day()
    labels = {"from": _("Date from"), "to": _("Date to")}
    period = read_range(query, "from", "to", parse_date)
    days = {"from": period.low, "to": period.high}
    no_type = _(
        "There is no record type “%(value)s”; the list is shown without this filter.",
        value=form_value(query, "entity")[:40],
    )
    read = {"entity": (entity or None, _("Record type"), no_type)}
    read |= {name: (days[name], labels[name], message) for name in labels}
    typed, problems = unread_filters(query, read, [("from", "to")])
    return shown_days(typed, days), problems


outbox_status_label = outbox.STATUS_LABELS.shown


def outbox_status(query: Mapping[str, Any]) -> str:
    status = form_value(query, "status")
    return status if status in outbox.STATUS_LABELS else ""


def outbox_status_problems(query: Mapping[str, Any], status: str) -> FormErrors:
    """A message when the address holds a status that is none of the outbox's (the list is shown without it)."""
    return unread_filters(query, {"status": (status or None, _("Status"), no_such_status(query))})[1]


# --- background jobs ------------------------------------------------------------------------------------------

# The jobs in the administrators' words (a job registered later without a line here is shown by its code).
JOB_LABELS: Labels[str] = Labels(
    {
        "analytics-aggregates": lazy("Dashboard figures, hourly"),
        "analytics-aggregates-nightly": lazy("Dashboard figures, nightly"),
        "attempt-counters-cleanup": lazy("Clean-up of sign-in attempt counters"),
        "ballot-snils-erasure": lazy("Erasure of SNILS from ballots"),
        "billing.penalties": lazy("Penalties"),
        "catalog-refunds": lazy("Refunds of service orders"),
        "handover-payer-day": lazy("Payer change on the handover day"),
        "meeting-reminders": lazy("Meeting reminders"),
        "meter-reminders": lazy("Meter reading reminders"),
        "meters-export": lazy("Export of meter readings"),
        "mystery-reminders": lazy("Reminders of the mystery residents' monthly checks"),
        "visits-reminders": lazy("Reminders of visits to the client centre, a day before"),
        "visit-callers-erasure": lazy("Erasure of the names and phones of callers booked at the client centre"),
        "nps-waves": lazy("Satisfaction surveys"),
        "one-time-token-cleanup": lazy("Clean-up of one-time links"),
        "orphan-files": lazy("Sweep of files no record refers to"),
        "outbox-delivery": lazy("Delivery of e-mails, SMS and notifications"),
        "payments-autopay": lazy("Autopay"),
        "payments-reconcile": lazy("Payment status check with the bank"),
        "personal-data-erasure": lazy("Erasure of personal data"),
        "receipt-notices": lazy("Notices of new receipts"),
        "receipts-issue": lazy("Issue of receipts"),
        "reconciliation": lazy("Reconciliation of payments"),
        "request-files-erasure": lazy("Erasure of request files"),
        "viewing-requests-erasure": lazy("Erasure of viewing requests"),
    }
)
job_label = JOB_LABELS.shown


def job_error(entry: Any) -> str:
    """A failed run's error as the jobs' page shows it (its first line), a run the worker stopped at its timeout
    (``jobs.TIMED_OUT``) in words."""
    return _("Stopped: it ran past its time") if entry.error == jobs.TIMED_OUT else entry.error_line


# --- consents entered by staff from paper ---------------------------------------------------------------------

# How a withdrawal brought to the office may have come (the portal's own is the person's).
WITHDRAWAL_CHANNELS = (rules.ConsentChannel.PAPER, rules.ConsentChannel.LETTER)


def edition_options() -> list[tuple[str, str]]:
    """Every published edition of every consent, «Offers of services — edition 1 of 2 December 2026», as
    "<type>:<number>" (the consent by its short name, so that the chosen one reads whole in its box)."""

    def words(e: consent.Edition) -> str:
        day, name = format_day(e.published_on), CONSENT_LABELS.shown(e.consent_type)
        return _("%(document)s — edition %(number)s of %(day)s", document=name, number=e.number, day=day)

    return [(f"{e.consent_type}:{e.number}", words(e)) for editions in consent.EDITIONS.values() for e in editions]


def language_options() -> list[tuple[str, str]]:
    """The portal's languages by their own names («Русский», «English»)."""
    return [(code, language_name(code)) for code in LOCALES]


def withdrawal_channels() -> list[tuple[str, str]]:
    return [(str(c), CONSENT_CHANNELS.shown(c)) for c in WITHDRAWAL_CHANNELS]


def _chosen_edition(value: str) -> consent.Edition | None:
    kind, _sep, number = value.partition(":")
    return consent.edition_numbered(kind, int(number)) if number.isdigit() and len(number) < 4 else None


def _past_day(data: Mapping[str, Any], name: str, today: date, errors: FormErrors) -> date | None:
    """A day of the form that is not after ``today``; the message at the field otherwise."""
    typed = form_value(data, name)
    day = parse_date(typed)
    if not typed:
        errors.add(name, _("Enter the day."))
    elif day is None:
        errors.add(name, _("Enter the day as DD.MM.YYYY, for example %(today)s.", today=format_day(today, "short")))
    elif day > today:
        errors.add(name, _("The day cannot be later than today, %(today)s.", today=format_day(today)))
    else:
        return day
    return None


def paper_consent_form(
    data: Mapping[str, Any], today: date, withdrawn: Mapping[str, date] | None = None
) -> tuple[Values, FormErrors]:
    """The consent a person signed on paper: the edition of its text, the language of the text signed (each edition
    is published in Russian and in English) and the day signed (not in the future, not before that edition was
    published, not before the person last withdrew that consent or the processing one, which ended every consent:
    ``withdrawn`` gives those days by consent type — a form signed earlier and entered late would stand though the
    withdrawal ended it). ``values["edition"]`` is the Edition when all is well."""
    errors = FormErrors()
    typed = {
        "edition": form_value(data, "edition")[:40],
        "locale": form_value(data, "locale")[:8],
        "signed_on": form_value(data, "signed_on")[:20],
    }
    chosen = _chosen_edition(typed["edition"])
    if chosen is None:
        errors.add("edition", _("Choose the document and the edition of its text that the person signed."))
    if typed["locale"] not in LOCALES:
        errors.add("locale", _("Choose the language of the text the person signed."))
    signed = _past_day(data, "signed_on", today, errors)
    if chosen and signed and signed < chosen.published_on:
        message = _(
            "This edition was published on %(day)s: it cannot have been signed earlier. Check the day or the edition.",
            day=format_day(chosen.published_on),
        )
        errors.add("signed_on", message)
    kinds = (chosen.consent_type, consent.CONSENT_TYPE) if chosen else ()
    ended = max((withdrawn[k] for k in kinds if withdrawn and k in withdrawn), default=None)
    if signed and ended and signed < ended:
        message = _(
            "The person withdrew their consent on %(day)s, after this day: a form signed earlier was ended by it. "
            "Check the day.",
            day=format_day(ended),
        )
        errors.add("signed_on", message)
    return {"typed": typed, "edition": chosen, "locale": typed["locale"], "signed_on": signed}, errors


def paper_withdrawal_form(data: Mapping[str, Any], today: date, last_given: date | None) -> tuple[Values, FormErrors]:
    """A withdrawal brought on a paper form or by letter: how it came and the day it was received (not in the
    future, not before ``last_given``, the day the latest standing consent was given, which it could not have
    ended): the 30 days to erase the data count from that day."""
    errors = FormErrors()
    typed = {"channel": form_value(data, "channel")[:20], "received_on": form_value(data, "received_on")[:20]}
    channel = next((c for c in WITHDRAWAL_CHANNELS if c.value == typed["channel"]), None)
    if channel is None:
        errors.add("channel", _("Choose how the withdrawal came: a paper form or a letter."))
    received = _past_day(data, "received_on", today, errors)
    if received and last_given and received < last_given:
        message = _(
            "The person gave a consent on %(day)s, after this day: a withdrawal received earlier did not end it. "
            "Check the day.",
            day=format_day(last_given),
        )
        errors.add("received_on", message)
    return {"typed": typed, "channel": channel, "received_on": received}, errors


CORRECTION_LENGTH = 2000  # characters of a request to correct one's data (what the staff's list and the mail hold)


def read_correction(data: Mapping[str, Any]) -> tuple[str, FormErrors]:
    """A request to correct one's data (152-ФЗ, ст. 21): some words, at most ``CORRECTION_LENGTH`` characters. A
    longer one is refused with what was typed kept — it was cut short in silence, its end (often the correct
    spelling asked for) lost."""
    details, errors = form_value(data, "details"), FormErrors()
    if not details:
        errors.add("details", _("Say what is wrong and how it should read."))
    elif len(details) > CORRECTION_LENGTH:
        errors.add("details", ngettext("The request is too long: at most %(num)d character. Shorten it, please.",
                                       "The request is too long: at most %(num)d characters. Shorten it, please.",
                                       CORRECTION_LENGTH))  # fmt: skip
    return details, errors


CORRECTION_OUTCOMES = Labels(
    {
        rules.CorrectionOutcome.CORRECTED: lazy("Corrected"),
        rules.CorrectionOutcome.REFUSED: lazy("Refused"),
    }
)


def read_data_answer(data: Mapping[str, Any]) -> tuple[dict[str, str], FormErrors]:
    """Staff's answer to a demand to correct data: what was done, or why not (ст. 20 ч. 3, ст. 21 ч. 3). Both the
    outcome and the words are required: the person is told them. The values come back as typed."""
    values = {"outcome": form_value(data, "outcome"), "answer": form_value(data, "answer")}
    errors = FormErrors()
    if values["outcome"] not in set(rules.CorrectionOutcome):
        errors.add("outcome", _("Choose whether the data was corrected or the request refused."))
    if not values["answer"]:
        errors.add("answer", _("Write the answer the person will read: what was corrected, or why not."))
    elif len(values["answer"]) > rules.DATA_ANSWER_LENGTH:
        errors.add("answer", ngettext("The answer is too long: at most %(num)d character. Shorten it, please.",
                                      "The answer is too long: at most %(num)d characters. Shorten it, please.",
                                      rules.DATA_ANSWER_LENGTH))  # fmt: skip
    return values, errors
