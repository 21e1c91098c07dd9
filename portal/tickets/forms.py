"""Forms of the tickets domain: a submitted dict -> (draft | None, errors), every value through ``core.parse``.
No I/O."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any
from zoneinfo import ZoneInfo

from portal.core.calendar import is_working_day
from portal.core.i18n import format_day
from portal.core.i18n import format_moment
from portal.core.i18n import format_phone
from portal.core.i18n import gettext
from portal.core.i18n import ngettext
from portal.core.parse import normalize_phone
from portal.core.parse import parse_date
from portal.core.parse import parse_decimal
from portal.core.parse import parse_id
from portal.core.parse import parse_ids
from portal.core.parse import parse_int
from portal.core.parse import parse_moment
from portal.core.storage import MAX_IMAGE_BYTES
from portal.core.storage import is_upload
from portal.core.web import FormErrors
from portal.core.web import form_value
from portal.housing.rules import Problem
from portal.housing.rules import parse_email
from portal.housing.rules import parse_share
from portal.meters import forms as meters_forms
from portal.tickets import deadlines
from portal.tickets import filters
from portal.tickets import queries
from portal.tickets import rules


@dataclass(frozen=True)
class NewTicket:
    account_id: int
    place: str
    category: str
    description: str


def files_of(data: Mapping[str, Any], name: str) -> list[Any]:
    """The chosen files of a multipart field (one or many; empty parts dropped)."""
    value = data.get(name)
    items = value if isinstance(value, list) else [value]
    return [v for v in items if is_upload(v)]


def read_new_ticket(
    data: Mapping[str, Any], account_ids: Sequence[int], photos: int
) -> tuple[NewTicket | None, FormErrors]:
    """The resident's filing form: where (premise or common place of one of their accounts), what, description."""
    errors = FormErrors()
    account_id = _chosen_account(data, account_ids, errors, gettext("Choose the address the request is about."))
    place = _place(data, errors)
    category = form_value(data, "category")
    if category not in rules.CATEGORY_BY_CODE or not rules.CATEGORY_BY_CODE[category].resident:
        errors.add("category", gettext("Choose what the request is about."))
    description = _description(data, errors)
    _photos_at_most(errors, photos)
    if errors:
        return None, errors
    assert account_id is not None
    return NewTicket(account_id, place, category, description), errors


def _place(data: Mapping[str, Any], errors: FormErrors) -> str:
    """Where the problem is: the premise unless the form names a common place."""
    place = form_value(data, "place") or "premise"
    if place not in rules.PLACE_LABELS:
        errors.add("place", gettext("Choose where the problem is."))
    return place


def _description(data: Mapping[str, Any], errors: FormErrors) -> str:
    """The problem described, as a resident types it or a dispatcher takes it down from a call: a few words at
    least, and no more than a request holds (refused at its field, kept as typed: never cut short in silence)."""
    description = form_value(data, "description")
    if len(description) < 5:
        errors.add("description", gettext("Describe the problem in a few words (at least 5 characters)."))
    elif len(description) > rules.MAX_DESCRIPTION:
        errors.add(
            "description",
            ngettext(
                "The description is too long: at most %(num)s character.",
                "The description is too long: at most %(num)s characters.",
                rules.MAX_DESCRIPTION,
            ),
        )
    return description


def _photos_at_most(errors: FormErrors, photos: int) -> None:
    """A request (or an application) takes at most ``rules.MAX_PHOTOS`` photos."""
    if photos > rules.MAX_PHOTOS:
        errors.add(
            "photos",
            ngettext(
                "You can attach at most %(num)s photo to a request.",
                "You can attach at most %(num)s photos to a request.",
                rules.MAX_PHOTOS,
            ),
        )


def upload_message(code: str, name: str = "") -> str:
    """What went wrong with one file, in words."""
    messages = {
        "empty": gettext("The file %(name)s is empty."),
        "too_large": gettext("The photo %(name)s is larger than %(mb)s MB. Take a new photo or choose a smaller one."),
        "not_image": gettext("The file %(name)s is not a photo. Attach photos in JPEG, PNG or WebP."),
        "too_many_pixels": gettext("The photo %(name)s is too large in pixels. Choose a smaller one."),
    }
    template = messages.get(code, messages["not_image"])
    return template % {"name": f"«{name}»" if name else "", "mb": MAX_IMAGE_BYTES // (1024 * 1024)}


def read_message(data: Mapping[str, Any], photos: int) -> tuple[str | None, FormErrors]:
    errors = FormErrors()
    text = form_value(data, "text")
    if not text and not photos:
        errors.add("text", gettext("Write a message or attach a photo."))
    elif len(text) > rules.MAX_MESSAGE:
        errors.add(
            "text",
            ngettext(
                "The message is too long: at most %(num)s character.",
                "The message is too long: at most %(num)s characters.",
                rules.MAX_MESSAGE,
            ),
        )
    if photos > rules.MAX_PHOTOS:
        errors.add(
            "photos",
            ngettext(
                "You can attach at most %(num)s photo to a message.",
                "You can attach at most %(num)s photos to a message.",
                rules.MAX_PHOTOS,
            ),
        )
    return (None, errors) if errors else (text, errors)


def read_hand_back(data: Mapping[str, Any]) -> tuple[str | None, FormErrors]:
    """Why an executor hands a request back: the dispatcher reads it to send the right person to the right place."""
    return _explained(data, "why", gettext("Say why: a wrong address, another trade's work, what is missing."))


@dataclass(frozen=True)
class DeveloperAnswerForm:
    """The developer's answer as the dispatcher records it: ``until`` for «accepted», ``reason`` for «refused»."""

    answer: rules.DeveloperAnswer
    until: date | None = None
    reason: str = ""


def read_developer_answer(data: Mapping[str, Any], today: date) -> tuple[DeveloperAnswerForm | None, FormErrors]:
    """The developer's answer (the button pressed): the day it promised to fix the defect by (today or later, within
    ``rules.DEVELOPER_TERM_DAYS``), or the reason it refused, which the resident reads."""
    errors = FormErrors()
    answer = form_value(data, "answer")
    if answer not in set(rules.DeveloperAnswer):
        errors.add("answer", gettext("Choose the developer's answer."))
        return None, errors
    until = parse_date(form_value(data, "until")) if answer == rules.DeveloperAnswer.ACCEPTED else None
    if answer == rules.DeveloperAnswer.ACCEPTED and (
        until is None or not today <= until <= today + timedelta(days=rules.DEVELOPER_TERM_DAYS)
    ):
        errors.add("until", gettext("Give the day the developer promised to fix the defect by: today or later."))
    reason = form_value(data, "reason") if answer == rules.DeveloperAnswer.REFUSED else ""
    if answer == rules.DeveloperAnswer.REFUSED and len(reason) < 3:
        errors.add("reason", gettext("Give the developer's reason for the refusal: the resident reads it."))
    _at_most(errors, "reason", reason, rules.MAX_MESSAGE)
    if errors:
        return None, errors
    return DeveloperAnswerForm(rules.DeveloperAnswer(answer), until, reason), errors


def read_reason(data: Mapping[str, Any]) -> tuple[str | None, FormErrors]:
    """Why a resident returns the work: what was not done."""
    return _explained(
        data, "reason", gettext("Say what was not done, so that the dispatcher can send the executor back.")
    )


def _explained(data: Mapping[str, Any], name: str, missing: str) -> tuple[str | None, FormErrors]:
    """A step that must say why, in field ``name``: a few words at least (``missing`` otherwise), at most what the
    message's column holds."""
    errors = FormErrors()
    text = form_value(data, name)
    if len(text) < 3:
        errors.add(name, missing)
    _at_most(errors, name, text, rules.MAX_MESSAGE)
    return (None, errors) if errors else (text, errors)


def _at_most(errors: FormErrors, name: str, text: str, limit: int) -> None:
    """A text longer than its column is refused at its field, kept as typed: the reason for returning a request
    and the comment of a rating were cut short in silence, their ends lost."""
    if len(text) > limit:
        errors.add(
            name,
            ngettext(
                "The text is too long: at most %(num)s character.",
                "The text is too long: at most %(num)s characters.",
                limit,
            ),
        )


def parse_local(value: str, tz: str) -> datetime | None:
    """``2026-03-10T14:30`` (datetime-local) in the company's zone."""
    moment = parse_moment(value)
    return moment.replace(tzinfo=ZoneInfo(tz)) if moment is not None else None


def damage_too_early() -> str:
    """Why a damage moment long before the filing is refused (``rules.damage_long_before_filing``)."""
    return gettext("Check the date: the damage is more than 30 days before the request.")


def filing_problem(name: str, moment: datetime | None, filed_at: datetime, tz: str, far: bool = True) -> str | None:
    """Why staff may not set a request's ``deadline`` or its ``damage_at`` (``name``) to ``moment``, against its
    filing (``filed_at``): a deadline before it (``rules.deadline_before_filing``), damage after it
    (``rules.damage_after_filing``) or, with ``far``, a year or month typed wrong (``rules.deadline_long_after_filing``,
    ``rules.damage_long_before_filing``); None when it stands. The edit form and ``actions.update_fields`` ask it."""
    if name == "deadline":
        if rules.deadline_before_filing(moment, filed_at):
            filed = format_moment(filed_at, tz)
            return gettext("The deadline cannot be before the request was filed (%(filed)s).", filed=filed)
        if far and rules.deadline_long_after_filing(moment, filed_at):
            return gettext("Check the year: the deadline is more than a year after the request.")
        return None
    if rules.damage_after_filing(moment, filed_at):
        filed = format_moment(filed_at, tz)
        return gettext("The damage cannot have happened after the request was filed (%(filed)s).", filed=filed)
    if far and rules.damage_long_before_filing(moment, filed_at):
        return damage_too_early()
    return None


def agreed_type_problem(category: str, ticket_type: str) -> str | None:
    """Why staff may not give an emergency category a type of works by agreement (``deadlines.agreed_type_refused``):
    its legal clock runs whatever the type, and «Плановая» would tell the executor it can wait."""
    if not deadlines.agreed_type_refused(category, ticket_type):
        return None
    label = rules.CATEGORY_BY_CODE[category].label()
    return gettext(
        "“%(category)s” is an emergency with a legal term: it cannot be planned or paid works. Choose another type.",
        category=label,
    )


def agreed_flag_problem(category: str, flag: str) -> str | None:
    """Why staff may not tick «Плановая» or «Платная» in a request's flags of an emergency category: the same rule as
    its type (``deadlines.agreed_type_refused``; the flags are named as the types)."""
    if not deadlines.agreed_type_refused(category, flag):
        return None
    return gettext(
        "“%(category)s” is an emergency with a legal term: it cannot be flagged “%(flag)s”. Untick the flag.",
        category=rules.CATEGORY_BY_CODE[category].label(),
        flag=filters.FLAG_FILTER_LABELS.shown(flag),
    )


def _moment_at(data: Mapping[str, Any], name: str, tz: str, errors: FormErrors, unread: str) -> datetime | None:
    """A date and time typed at ``name`` in the company's zone ``tz``; ``unread`` said at the field when it is not
    one (None then, and when nothing is typed)."""
    raw = form_value(data, name)
    moment = parse_local(raw, tz)
    if raw and moment is None:
        errors.add(name, unread)
    return moment


def read_staff_update(
    data: Mapping[str, Any], tz: str, filed_at: datetime | None = None
) -> tuple[dict[str, Any] | None, FormErrors]:
    """The staff edit form: type, category, internal status, deadline (with the reason it changes), control date,
    the moment of the damage, flags; a deadline before the request was filed (``filed_at``, to the minute the form
    shows) or more than a year after it, or damage after it or more than 30 days before it, is a year or month typed
    wrong."""
    errors = FormErrors()
    changes: dict[str, Any] = {}
    for name, known, refusal in (
        ("type", rules.TYPE_LABELS, gettext("Choose a type.")),
        ("category", rules.CATEGORY_BY_CODE, gettext("Choose a category.")),
        ("internal_status", rules.INTERNAL_STATUS_LABELS, gettext("Choose an internal status.")),
    ):
        value = form_value(data, name)
        if value in known:
            changes[name] = value
        else:
            errors.add(name, refusal)
    if problem := agreed_type_problem(changes.get("category", ""), changes.get("type", "")):
        errors.add("type", problem)
    changes["defect_kind"] = read_defect_kind(data, changes.get("category", ""), errors)
    changes["deadline"] = _moment_at(data, "deadline", tz, errors, gettext("Enter the deadline as a date and time."))
    _check_filing(data, "deadline", changes["deadline"], filed_at, tz, errors)
    control_raw = form_value(data, "control_date")
    control = parse_date(control_raw)
    if control_raw and control is None:
        errors.add("control_date", gettext("Enter the control date as a date."))
    changes["control_date"] = control
    unread = gettext("Enter when the damage happened as a date and time.")
    changes["damage_at"] = _moment_at(data, "damage_at", tz, errors, unread)
    _check_filing(data, "damage_at", changes["damage_at"], filed_at, tz, errors)
    for flag in rules.FLAGS_EDITABLE:
        changes[flag] = form_value(data, flag) == "1"
        if changes[flag] and (problem := agreed_flag_problem(changes.get("category", ""), flag)):
            errors.add(flag, problem)
    changed = {k: v for k, v in changes.items() if not _as_shown(data, k)}
    # A deadline moved by hand on the page (typed other than it showed) says why: the resident reads it with the new
    # deadline, the audit log keeps it.
    reason = form_value(data, "deadline_reason")
    if "was_deadline" in data and "deadline" in changed and not reason:
        errors.add("deadline_reason", gettext("Say why the deadline changes."))
    _at_most(errors, "deadline_reason", reason, rules.MAX_MESSAGE)
    return (None, errors) if errors else ({**changed, "deadline_reason": reason}, errors)


def _check_filing(
    data: Mapping[str, Any], name: str, moment: datetime | None, filed_at: datetime | None, tz: str, errors: FormErrors
) -> None:
    """``filing_problem`` said at the field ``name``; a moment posted as the page showed it, stored before the rule
    of a year or month typed wrong, is left alone by that rule, not refused."""
    if filed_at is not None and (problem := filing_problem(name, moment, filed_at, tz, far=not _as_shown(data, name))):
        errors.add(name, problem)


def _as_shown(data: Mapping[str, Any], name: str) -> bool:
    """The field ``name`` is posted as the page showed it (``was_<name>``): left alone, not a change, whatever the
    request holds now — a form drawn before a return to work does not put the old deadline back."""
    return f"was_{name}" in data and form_value(data, name) == form_value(data, f"was_{name}")


@dataclass(frozen=True)
class StaffNewTicket:
    place: str
    category: str
    ticket_type: str
    description: str
    source: str
    contact_name: str
    contact_phone: str
    damage_at: datetime | None = None  # when the damage happened, as the caller says (``deadlines.deadline_for``)
    defect_kind: str = ""  # what is defective, for a defect of a new house (``rules.DEFECT_KINDS``)
    contact_email: str = ""  # the e-mail a letter came from (a request filed from it is answered there)


def caller_account_problem(typed: str, found: int, phone: str | None = None) -> str:
    """Why the call-centre form has no account yet: ``found`` accounts match the words ``typed``."""
    if found:
        return gettext("Choose the caller's account among those found.")
    if typed:
        return nothing_found(phone)
    return gettext("Enter the personal account number, the address with the flat or the payer's name.")


def nothing_found(phone: str | None) -> str:
    """What the call-centre form says when what is typed finds no account: a phone (``CallerAccount.phone``, read
    as the search reads it) is named as a phone, normalised, not as words."""
    if phone:
        return gettext("No account found for the phone %(phone)s.", phone=format_phone(phone))
    return gettext("No personal account in your houses matches these words.")


def unconfirmed(chosen: bool, picked: bool) -> bool:
    """Words that match one account alone (or its whole number) choose it, but a request is filed only on an
    account the dispatcher has seen: posted without a pick (no JavaScript), the form is answered with the account
    shown chosen, as the page shows it while typing, and files on the next press of the same button."""
    return chosen and not picked


def read_staff_new(
    data: Mapping[str, Any], account_problem: str = "", *, tz: str = "UTC", now: datetime | None = None
) -> tuple[StaffNewTicket | None, FormErrors]:
    """Call-centre mode: a request on a resident's behalf (the account is found by ``queries.caller_account``;
    ``account_problem`` says why none is chosen yet). The errors come in the order the form shows its fields, the
    account first, so the summary above the form reads from the top down. When the damage happened (optional, in
    the company's zone ``tz``) cannot be after ``now``, the moment the request is filed, nor more than 30 days
    before it."""
    errors = FormErrors()
    if account_problem:
        errors.add("account_number", account_problem)
    place = _place(data, errors)
    category = form_value(data, "category")
    if category not in rules.CATEGORY_BY_CODE:
        errors.add("category", gettext("Choose a category."))
    ticket_type = form_value(data, "type")
    if ticket_type and ticket_type not in rules.TYPE_LABELS:
        errors.add("type", gettext("Choose a type."))
    elif problem := agreed_type_problem(category, ticket_type):
        errors.add("type", problem)
    unread = gettext("Enter when the damage happened as a date and time.")
    damage_at = _moment_at(data, "damage_at", tz, errors, unread)
    if now is not None and rules.damage_after_filing(damage_at, now):
        errors.add("damage_at", gettext("The damage cannot have happened later than now."))
    elif now is not None and rules.damage_long_before_filing(damage_at, now):
        errors.add("damage_at", damage_too_early())
    if category == "lift_booking":  # it holds a slot: booked on its own page, by the link under the account found
        errors.add("category", gettext("Book the lift on its own page: the link under the caller's account."))
    defect_kind = read_defect_kind(data, category, errors)
    if category == "residents_change" and form_value(data, "consent") != "1":
        errors.add(
            "consent",
            gettext(
                "Tick that the resident confirmed these people agree to their data being passed on (or is their "
                "legal representative)."
            ),
        )
    source = form_value(data, "source") or "phone"
    if source not in rules.SOURCE_LABELS:
        errors.add("source", gettext("Choose a source."))
    description = _description(data, errors)
    typed_phone = form_value(data, "contact_phone")
    phone = normalize_phone(typed_phone) if typed_phone else ""  # the dispatcher calls back on it: a real number
    if phone is None:
        errors.add("contact_phone", gettext("Enter the phone as +7 978 123-45-67."))
    email = parse_email(form_value(data, "contact_email"))  # where a request from a letter is answered
    if isinstance(email, Problem):
        errors.add("contact_email", gettext("Enter an e-mail such as name@example.ru."))
    if errors:
        return None, errors
    return (
        StaffNewTicket(
            place,
            category,
            ticket_type,
            description,
            source,
            form_value(data, "contact_name")[:255],
            phone or "",
            damage_at,
            defect_kind,
            str(email),
        ),
        errors,
    )


def read_defect_kind(data: Mapping[str, Any], category: str, errors: FormErrors) -> str:
    """What is defective, asked of a defect of a new house only (its warranty term is that of its kind); for any
    other category the field is left alone and nothing is kept."""
    if category != "warranty_defect":
        return ""
    kind = form_value(data, "defect_kind")
    if kind not in rules.DEFECT_KINDS:
        errors.add("defect_kind", gettext("Choose what is defective."))
        return ""
    return kind


def outage_place_typed(data: Mapping[str, Any]) -> tuple[int | None, int | None, str]:
    """An outage's house, entrance number and riser code as staff typed them (None where not read): the route finds
    the entrance and riser in the house with them before the form is read, so that one answer says every mistake."""
    entrance = parse_int(form_value(data, "entrance").lstrip("№").strip(), low=1, high=99)
    return parse_id(form_value(data, "house")), entrance, form_value(data, "riser").replace(" ", "").upper()


def read_outage(
    data: Mapping[str, Any],
    tz: str,
    house_ids: Sequence[int],
    misplaced: Sequence[str] = (),
    now: datetime | None = None,
) -> tuple[dict[str, Any] | None, FormErrors]:
    """An outage as typed; ``misplaced`` names the entrance or riser its house does not have
    (``queries.outage_place``), said at its field in the form's order. A start more than 30 days before ``now`` is
    a year typed wrong (``rules.outage_started_long_ago``), and so is an end more than 31 days after the start
    (``rules.outage_ends_long_after_start``)."""
    errors = FormErrors()
    house_id, entrance_number, riser_code = outage_place_typed(data)
    if house_id is None or house_id not in house_ids:
        errors.add("house", gettext("Choose a house."))
    service = form_value(data, "service")
    if service not in rules.OUTAGE_LABELS:
        errors.add("service", gettext("Choose what is off."))
    # The entrance by its number and the riser by its code, as staff know them; found in the house by the route.
    if form_value(data, "entrance") and entrance_number is None:
        errors.add("entrance", misplaced_message("entrance"))
    if len(riser_code) > 32:
        errors.add("riser", misplaced_message("riser"))
    for field in misplaced:
        errors.add(field, misplaced_message(field))
    starts = parse_local(form_value(data, "starts_at"), tz)
    if starts is None:
        errors.add("starts_at", gettext("Enter when it started as a date and time."))
    elif now is not None and rules.outage_started_long_ago(starts, now):
        errors.add("starts_at", outage_start_too_early())
    ends_raw = form_value(data, "ends_at")
    ends = parse_local(ends_raw, tz)
    if ends_raw and ends is None:
        errors.add("ends_at", gettext("Enter until when as a date and time."))
    elif starts and ends and ends <= starts:
        errors.add("ends_at", gettext("The end must be after the start."))
    elif rules.outage_ends_long_after_start(starts, ends):
        errors.add("ends_at", outage_end_too_late())
    if errors:
        return None, errors
    values = {"house_id": house_id, "service": service, "description": form_value(data, "description")}
    return values | {"starts_at": starts, "ends_at": ends}, errors


def outage_start_too_early() -> str:
    """Why an outage started long ago is refused (``rules.outage_started_long_ago``)."""
    return gettext("Check the date: the outage started more than 30 days ago.")


def outage_end_too_late() -> str:
    """Why an outage's «until» long after its start is refused (``rules.outage_ends_long_after_start``)."""
    return gettext("Check the date: the end is more than 31 days after the start.")


def misplaced_message(field: str) -> str:
    """An outage's entrance or riser that is not in its house."""
    if field == "entrance":
        return gettext("This entrance is not in the chosen house.")
    return gettext("This riser is not in the chosen house.")


def read_status(data: Mapping[str, Any]) -> tuple[str, str]:
    """The status a staff member moves a request to (empty if none of the statuses) and their comment."""
    target = form_value(data, "status")
    return (target if target in rules.STATUS_LABELS else ""), form_value(data, "comment")[: rules.MAX_MESSAGE]


@dataclass(frozen=True)
class ExecutorChoice:
    """The executor chosen in an assignment form: an id, nobody (``None``), or something that is not a choice."""

    executor_id: int | None
    valid: bool


def read_executor(data: Mapping[str, Any], executor_ids: Sequence[int]) -> ExecutorChoice:
    raw = form_value(data, "executor")
    if not raw:
        return ExecutorChoice(None, True)
    executor_id = parse_id(raw)
    return ExecutorChoice(executor_id, executor_id is not None and executor_id in executor_ids)


def no_status_message() -> str:
    """Why a status form is refused when it names none of the statuses (sent without one of its buttons)."""
    return gettext("Choose the new status with one of the buttons.")


def executor_elsewhere_message() -> str:
    """Why an executor is refused: they do not work in the request's house, so they would not see it."""
    return gettext(
        "This executor does not work in the house of the request and would not see it. Choose one from the list."
    )


def ticked_assigned(changed: int, refused: Sequence[int], finished: Sequence[int] = ()) -> list[tuple[str, str]]:
    """What a bulk assignment says (message, kind): how many requests are assigned, and which ticked ones are not,
    by number, with the reason (the executor's houses; closed or cancelled)."""
    said: list[tuple[str, str]] = []
    if changed:
        said.append((ngettext("%(num)d request assigned.", "%(num)d requests assigned.", changed), "success"))
    elif not (refused or finished):  # «0 requests assigned» read as a failure: each had that executor already
        said.append((gettext("The ticked requests have this executor already."), "info"))
    if refused:
        # One request or a list of them, whatever the list's length: a Russian plural form would follow its last
        # number (21 requests take the form of one), not whether there is one.
        numbers = ", ".join(str(n) for n in refused)
        one = gettext(
            "Request No. %(numbers)s is not assigned: the chosen executor does not work in its house and would not "
            "see it.",
            numbers=numbers,
        )
        several = gettext(
            "Requests No. %(numbers)s are not assigned: the chosen executor does not work in their houses and would "
            "not see them.",
            numbers=numbers,
        )
        said.append((one if len(refused) == 1 else several, "error"))
    if finished:
        numbers = ", ".join(str(n) for n in finished)
        one = gettext("Request No. %(numbers)s is not assigned: it is closed or cancelled.", numbers=numbers)
        several = gettext("Requests No. %(numbers)s are not assigned: they are closed or cancelled.", numbers=numbers)
        said.append((one if len(finished) == 1 else several, "error"))
    return said


def read_selected(data: Mapping[str, Any]) -> list[int]:
    """The ids of the rows ticked for a bulk action (at most 100)."""
    value = data.get("ticket", [])
    return parse_ids(value if isinstance(value, list) else [value])[:100]


def read_view_name(data: Mapping[str, Any]) -> tuple[str | None, FormErrors]:
    """The name of a saved view of the request list."""
    errors = FormErrors()
    name = " ".join(form_value(data, "name").split())
    if not name:
        errors.add("name", gettext("Name the view, for example “My houses, overdue”."))
    elif len(name) > 60:
        errors.add(
            "name",
            ngettext(
                "The name is too long: at most %(num)s character.",
                "The name is too long: at most %(num)s characters.",
                60,
            ),
        )
    return (None, errors) if errors else (name, errors)


def read_room_temperature(data: Mapping[str, Any]) -> tuple[Decimal | None, str | None]:
    """The room temperature measured during a heating outage (°C, optional), or the error of what was typed."""
    text = form_value(data, "room_temperature").replace("+", "").replace("°", "").strip()[:10]
    if not text:
        return None, None
    value = parse_decimal(text, places=1, whole_digits=2)
    if value is None or not Decimal(-40) <= value <= Decimal(40):
        return None, gettext("Enter the room temperature in °C, for example 14 or 11,5.")
    return value, None


@dataclass(frozen=True)
class AbsenceApplication:
    """Заявление о перерасчёте за временное отсутствие: whose account, who was away, from when until when."""

    account_id: int
    left: date
    back: date
    people: tuple[str, ...]
    comment: str


def read_absence(
    data: Mapping[str, Any], account_ids: Sequence[int], photos: int, today: date
) -> tuple[AbsenceApplication | None, FormErrors]:
    """The application of ПП № 354 п. 91: the address, the full name of each person away, the day of departure and
    the day of return (``rules.absence_problem`` says whether the law lets it be recalculated), documents as photos."""
    errors = FormErrors()
    account_id = _chosen_account(data, account_ids, errors)
    left, back = parse_date(form_value(data, "left")), parse_date(form_value(data, "back"))
    if left is None:
        errors.add("left", gettext("Enter the day you left, for example 01.07.2026."))
    if back is None:
        errors.add("back", gettext("Enter the day you came back (or will), for example 20.07.2026."))
    if left and back:
        _absence_dates(errors, rules.absence_problem(left, back, today))
    people = _people(data, errors, gettext("Write the full name of each person who was away, one per line."))
    comment = form_value(data, "comment")
    _at_most(errors, "comment", comment, rules.MAX_MESSAGE)
    _photos_at_most(errors, photos)
    if errors:
        return None, errors
    assert account_id is not None and left is not None and back is not None
    return AbsenceApplication(account_id, left, back, people, comment), errors


def _chosen_account(
    data: Mapping[str, Any], account_ids: Sequence[int], errors: FormErrors, missing: str | None = None
) -> int | None:
    """The account an application (or a request: ``missing`` says so) is about: the one chosen among the
    resident's, or their only one."""
    raw = form_value(data, "account")
    account_id = account_ids[0] if not raw and len(account_ids) == 1 else parse_id(raw)
    if account_id is None or account_id not in account_ids:
        errors.add("account", missing or gettext("Choose the address the application is about."))
        return None
    return account_id


def _people(data: Mapping[str, Any], errors: FormErrors, missing: str) -> tuple[str, ...]:
    """The full names of the field «people», one a line (at most ``ABSENCE_MAX_PEOPLE``)."""
    people = tuple(line.strip() for line in form_value(data, "people").splitlines() if line.strip())
    if not people:
        errors.add("people", missing)
    elif len(people) > rules.ABSENCE_MAX_PEOPLE or any(len(p) > 120 for p in people):
        errors.add("people", gettext("At most %(num)s people, one full name per line.", num=rules.ABSENCE_MAX_PEOPLE))
    return people


@dataclass(frozen=True)
class ResidentsChange:
    """Сведения об изменении числа проживающих: whose account, who moved in or out, and on which day."""

    account_id: int
    movement: rules.Movement
    day: date
    people: tuple[str, ...]
    comment: str


def read_residents_change(
    data: Mapping[str, Any], account_ids: Sequence[int], photos: int, today: date
) -> tuple[ResidentsChange | None, FormErrors]:
    """People who moved in or out (ПП № 354 п. 34 «з»): the day, their full names, and the resident's word that
    they agreed to their names being passed to the company (152-ФЗ ст. 6, 9: the data of someone else)."""
    errors = FormErrors()
    account_id = _chosen_account(data, account_ids, errors)
    movement = form_value(data, "movement")
    if movement not in set(rules.Movement):
        errors.add("movement", gettext("Choose whether people moved in or out."))
    day = parse_date(form_value(data, "day"))
    if day is None:
        errors.add("day", gettext("Enter the day of the move, for example 01.07.2026."))
    elif rules.residents_day_too_far(day, today):
        errors.add("day", gettext("Tell us of a move at most %(days)s days ahead.", days=rules.RESIDENTS_AHEAD_DAYS))
    people = _people(data, errors, gettext("Write the full name of each person, one per line."))
    if form_value(data, "consent") != "1":
        errors.add(
            "consent",
            gettext(
                "Confirm that these people agreed to their names being passed to the company (or that you are their "
                "legal representative)."
            ),
        )
    comment = form_value(data, "comment")
    _at_most(errors, "comment", comment, rules.MAX_MESSAGE)
    _photos_at_most(errors, photos)
    if errors:
        return None, errors
    assert account_id is not None and day is not None
    return ResidentsChange(account_id, rules.Movement(movement), day, people, comment), errors


@dataclass(frozen=True)
class InstalmentApplication:
    """Заявление о рассрочке: whose debt, as it stands, over how many months, and why."""

    account_id: int
    debt: Decimal
    months: int
    reason: str


def read_instalment(
    data: Mapping[str, Any], debts: Mapping[int, Decimal]
) -> tuple[InstalmentApplication | None, FormErrors]:
    """An application to pay an account's debt in equal monthly parts; ``debts`` is the debt of each account the
    resident may apply for (``rules.instalment_problem``)."""
    errors = FormErrors()
    account_id = _chosen_account(data, list(debts), errors)
    months = parse_int(form_value(data, "months"), low=0, high=1200)
    low, high = rules.INSTALMENT_MONTHS
    problem = rules.instalment_problem(debts[account_id], months or 0) if account_id is not None else None
    if problem == rules.InstalmentProblem.NO_DEBT:
        errors.add("account", gettext("This account owes nothing: there is no debt to pay in parts."))
    elif problem == rules.InstalmentProblem.MONTHS:
        errors.add("months", gettext("Choose from %(low)s to %(high)s months.", low=low, high=high))
    reason = form_value(data, "reason")
    if not reason:
        errors.add("reason", gettext("Tell us briefly why you cannot pay the debt at once."))
    _at_most(errors, "reason", reason, rules.MAX_MESSAGE)
    if errors:
        return None, errors
    assert account_id is not None and months is not None
    return InstalmentApplication(account_id, debts[account_id], months, reason), errors


def _absence_dates(errors: FormErrors, problem: rules.AbsenceProblem | None) -> None:
    P = rules.AbsenceProblem
    if problem == P.ORDER:
        errors.add("back", gettext("The day of return must be after the day you left."))
    elif problem == P.SHORT:
        errors.add(
            "back",
            gettext(
                "Charges are recalculated for an absence of more than 5 full days in a row; the days of leaving and "
                "of coming back do not count."
            ),
        )
    elif problem == P.LATE:
        errors.add(
            "back",
            gettext(
                "The application is accepted no later than %(days)s days after the return: this period can no "
                "longer be recalculated.",
                days=rules.ABSENCE_FILING_DAYS,
            ),
        )
    elif problem == P.LONG:
        errors.add(
            "back",
            gettext(
                "One application covers at most %(months)s months. Apply for the first %(months)s months now and "
                "for the rest again later.",
                months=rules.ABSENCE_MAX_MONTHS,
            ),
        )


# --- a meter's commissioning (ПП № 354 п. 81) --------------------------------------------------------------------

NEW_PLACE = "new"  # the meter choice of a meter put where there was none
COMMISSIONING_FIELDS = ("account", "meter", "service", "place", "serial", "model", "reading", "verified_on",
                        "next_verification", "passport", "visit_first", "visit_second")  # fmt: skip


@dataclass(frozen=True)
class MeterCommissioning:
    """Заявка на ввод прибора учёта в эксплуатацию: which account, the meter it replaces (None: a new place), the
    new meter's passport and reading, and the two days proposed for the visit."""

    account_id: int
    meter_id: int | None
    service: str
    place: str
    serial: str
    model: str
    reading: Decimal
    verified_on: date
    next_verification: date
    visits: tuple[date, date]


def read_meter_commissioning(
    data: Mapping[str, Any],
    account_ids: Sequence[int],
    meters: Sequence[queries.MeterPlace],
    passports: int,
    today: date,
    working: Callable[[date], bool] = is_working_day,
) -> tuple[MeterCommissioning | None, FormErrors]:
    """The application: the place among the account's water meters (``meters``) or a new one with its resource,
    the passport read with the checks of meters (``meters.forms.read_passport``: serial, the reading's digits, a
    verification date not past), its photo or PDF (``passports``: the files chosen), and two visit days
    (``rules.visit_day_problem``, on the production calendar's ``working`` days)."""
    errors = FormErrors()
    account_id = _chosen_account(data, account_ids, errors)
    chosen = form_value(data, "meter")
    meter = next((m for m in meters if m.account_id == account_id and str(m.id) == chosen), None)
    service, place = (meter.service, meter.place) if meter else (form_value(data, "service"), form_value(data, "place"))
    if meter is None and chosen != NEW_PLACE:
        errors.add("meter", gettext("Choose the meter the new one replaces, or a new place."))
    elif meter is None and service not in queries.WATER:
        errors.add("service", gettext("Choose cold or hot water."))
    _at_most(errors, "place", place, 64)
    passport = meters_forms.read_passport(data, today=today)
    for name, message in passport.errors.fields.items():
        errors.add(name, message)
    model = form_value(data, "model")
    if not model:
        errors.add("model", gettext("Enter the meter's type or model from its passport."))
    _at_most(errors, "model", model, 64)
    if passports != 1:
        errors.add("passport", gettext("Attach one photo or PDF of the meter's passport."))
    first = _visit_day(data, "visit_first", today, working, errors)
    second = _visit_day(data, "visit_second", today, working, errors, first)
    errors.order(COMMISSIONING_FIELDS)
    if errors:
        return None, errors
    assert account_id is not None and passport.reading is not None and first and second
    assert passport.verified_on is not None and passport.next_verification is not None
    meter_id = meter.id if meter else None
    return (
        MeterCommissioning(account_id, meter_id, service, place, form_value(data, "serial"), model, passport.reading,
                           passport.verified_on, passport.next_verification, (first, second)),
        errors,
    )  # fmt: skip


def _visit_day(
    data: Mapping[str, Any],
    name: str,
    today: date,
    working: Callable[[date], bool],
    errors: FormErrors,
    other: date | None = None,
) -> date | None:
    """A day proposed for the visit, said at its field when it cannot be one (``rules.visit_day_problem``; ``other``:
    the day proposed first, which the second may not repeat)."""
    day = parse_date(form_value(data, name))
    if day is None:
        errors.add(name, gettext("Enter a working day for the visit, for example 15.09.2026."))
        return None
    problem = rules.visit_day_problem(day, today, working, other)
    if problem == rules.VisitProblem.EARLY:
        errors.add(name, gettext("Propose a day from tomorrow on."))
    elif problem == rules.VisitProblem.FAR:
        errors.add(name, gettext("Propose a day within %(days)s days.", days=rules.VISIT_AHEAD_DAYS))
    elif problem == rules.VisitProblem.DAY_OFF:
        errors.add(name, gettext("%(day)s is a day off: propose a working day.", day=format_day(day, "short")))
    elif problem == rules.VisitProblem.SAME:
        errors.add(name, gettext("Propose a second day, not the first one again."))
    return None if problem else day


# --- a new owner or payer of a flat ---------------------------------------------------------------------------


@dataclass(frozen=True)
class OwnerChange:
    """Заявление о смене собственника: the account as the new owner names it (its number and the premise's
    address, checked against the register later), the day ownership passed, their full name and share."""

    account_number: str
    house_id: int
    premise_number: str
    day: date
    full_name: str
    share: Fraction


def read_owner_change(
    data: Mapping[str, Any], house_ids: Sequence[int], documents: int, today: date
) -> tuple[OwnerChange | None, FormErrors]:
    """The new owner's application: which account (number, house, premise), since when, who, which share, the
    extract of the register or the contract as documents (at least one), and their consent to the processing of
    the personal data in them (152-ФЗ ст. 9), never taken for granted."""
    errors = FormErrors()
    number = form_value(data, "account_number")
    if not number or len(number) > 20:
        errors.add("account_number", gettext("Enter the personal account number from a receipt."))
    house_id = parse_id(form_value(data, "house"))
    if house_id not in house_ids:
        errors.add("house", gettext("Choose the house."))
    premise = form_value(data, "premise")
    if not premise or len(premise) > 16:
        errors.add("premise", gettext("Enter the flat or premise number."))
    day = _handover_day(data, rules.Handover.OWNER, today, errors)
    full_name = _full_name(data, errors)
    share = parse_share(form_value(data, "share"))
    if not isinstance(share, Fraction):
        errors.add("share", gettext("Enter your share as in the extract: 1 for the whole flat, or 1/2, 1/3."))
    if documents == 0:
        errors.add("documents", gettext("Attach the extract from the register (ЕГРН) or the contract."))
    elif documents > rules.MAX_HANDOVER_DOCUMENTS:
        errors.add("documents", gettext("At most %(num)s files.", num=rules.MAX_HANDOVER_DOCUMENTS))
    _handover_consent(data, errors)
    if errors:
        return None, errors
    assert house_id is not None and day is not None and isinstance(share, Fraction)
    return OwnerChange(number, house_id, premise, day, full_name, share), errors


@dataclass(frozen=True)
class PayerChange:
    """Заявление о смене плательщика: the account (one the resident pays), the new payer and the day from which."""

    account_id: int
    day: date
    full_name: str


def read_payer_change(
    data: Mapping[str, Any], account_ids: Sequence[int], today: date
) -> tuple[PayerChange | None, FormErrors]:
    """An owner's or payer's application to put the account in another person's name from a day."""
    errors = FormErrors()
    account_id = _chosen_account(data, account_ids, errors)
    day = _handover_day(data, rules.Handover.PAYER, today, errors)
    full_name = _full_name(data, errors)
    _handover_consent(data, errors)
    if errors:
        return None, errors
    assert account_id is not None and day is not None
    return PayerChange(account_id, day, full_name), errors


def _handover_day(data: Mapping[str, Any], kind: rules.Handover, today: date, errors: FormErrors) -> date | None:
    day = parse_date(form_value(data, "day"))
    problem = rules.handover_day_problem(kind, day, today) if day is not None else None
    P = rules.HandoverProblem
    if day is None:
        errors.add("day", gettext("Enter the day, for example 01.07.2026."))
    elif problem == P.FUTURE:
        errors.add("day", gettext("Ownership passes on the day it is registered: this day has not come yet."))
    elif problem == P.LONG_AGO and kind == rules.Handover.OWNER:
        errors.add("day", gettext("Check the year: for a transfer this long ago, call the management company."))
    elif problem is not None:
        errors.add("day", gettext("Choose a day at most %(days)s days away.", days=rules.PAYER_AHEAD_DAYS))
    return None if problem else day


def _full_name(data: Mapping[str, Any], errors: FormErrors) -> str:
    name = " ".join(form_value(data, "full_name").split())
    if len(name) < 3 or len(name) > 255:
        errors.add("full_name", gettext("Enter the full name as in the documents."))
    return name


def _handover_consent(data: Mapping[str, Any], errors: FormErrors) -> None:
    if form_value(data, "consent") != "1":
        errors.add(
            "consent",
            gettext("Confirm that you agree to the processing of the personal data in the application and documents."),
        )


def document_message(code: str, name: str = "") -> str:
    """What went wrong with one document (a photo or a PDF of a paper), in words."""
    messages = {
        "empty": gettext("The file %(name)s is empty."),
        "too_large": gettext("The file %(name)s is larger than %(mb)s MB."),
        "too_many_pixels": gettext("The photo %(name)s is too large in pixels. Choose a smaller one."),
    }
    template = messages.get(
        code, gettext("The file %(name)s is neither a photo nor a PDF. Attach a photo or a PDF scan.")
    )
    return template % {"name": f"«{name}»" if name else "", "mb": MAX_IMAGE_BYTES // (1024 * 1024)}


@dataclass(frozen=True)
class HandoverDecision:
    """What staff give when applying a handover: the shares that end, the number of the new owner's account as
    billing gave it (an owner's change), and the versions of the account and of each share as the page showed them
    (``core.stale``)."""

    shares: list[int]
    account_version: str | None
    share_versions: dict[int, str]
    new_number: str = ""


def read_handover_decision(data: Mapping[str, Any], share_ids: Sequence[int]) -> HandoverDecision:
    """The ticks among the shares shown (any other id is dropped), the number typed, and the versions read at."""
    shares = [i for i in parse_ids(_values(data, "share")) if i in share_ids]
    versions = {i: form_value(data, f"version_{i}") for i in shares}
    number = form_value(data, "new_number")[:40]
    return HandoverDecision(shares, form_value(data, "version") or None, versions, number)


def _values(data: Mapping[str, Any], name: str) -> list[object]:
    value = data.get(name, [])
    return value if isinstance(value, list) else [value]


# --- the freight lift booked for a move or repairs --------------------------------------------------------------


class FieldRefused(Exception):
    """An action's refusal said at a field of the form it came from (the page again with what was typed, 422): a
    slot another resident took a moment before."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name, self.message = name, message


def slot_words(hour: int, hours: int) -> str:
    """«10:00–12:00»."""
    return f"{hour:02d}:00–{hour + hours:02d}:00"


@dataclass(frozen=True)
class LiftDay:
    """The day a booking is made for, as the page shows it: the resident's address chosen (None: not one of theirs),
    the day's slots, those other bookings of the entrance hold, and why none can be booked (``day_problem``)."""

    place: queries.Place | None
    day: date | None
    slots: list[int]
    taken: set[int]
    free: list[int]
    slot_hours: int
    day_problem: rules.LiftProblem | None = None


@dataclass(frozen=True)
class LiftBookingDraft:
    account_id: int
    entrance_id: int
    day: date
    hour: int
    hours: int
    carried: str
    phone: str


def lift_day_message(problem: rules.LiftProblem) -> str:
    P = rules.LiftProblem
    return {
        P.PAST: gettext("Choose today or a later day."),
        P.FAR: gettext("The lift is booked at most %(days)s days ahead.", days=rules.LIFT_AHEAD_DAYS),
        P.NO_SLOTS: gettext("The lift is not booked on Sundays and holidays: choose another day."),
    }[problem]


def taken_message(lift: LiftDay) -> str:
    """A slot refused: which ones of the day are free."""
    if not lift.free:
        return gettext("This time is taken, and no other time of this day is free: choose another day.")
    free = ", ".join(slot_words(h, lift.slot_hours) for h in lift.free)
    return gettext("This time is taken. Free this day: %(free)s.", free=free)


def read_lift_booking(
    data: Mapping[str, Any], lift: LiftDay, now_local: datetime
) -> tuple[LiftBookingDraft | None, FormErrors]:
    """A booking of the freight lift of the resident's entrance (``lift``: the day as the page showed it, read anew):
    a slot of the day not begun nor taken, what is carried, a phone for the day."""
    errors = FormErrors()
    place = lift.place
    if place is None:
        errors.add("account", gettext("Choose the address the application is about."))
    elif place.entrance_id is None:
        errors.add(
            "account", gettext("The entrance of this address is not known: call the dispatcher to book the lift.")
        )
    if lift.day is None:
        errors.add("day", gettext("Enter the day, for example 15.09.2026."))
    elif lift.day_problem is not None:
        errors.add("day", lift_day_message(lift.day_problem))
    hour = parse_int(form_value(data, "hour"), low=0, high=23)
    if lift.day is not None and lift.day_problem is None:
        problem = rules.lift_slot_problem(hour if hour is not None else -1, lift.day, now_local, lift.slots, lift.taken)
        if problem == rules.LiftProblem.TAKEN:
            errors.add("hour", taken_message(lift))
        elif problem == rules.LiftProblem.BEGUN:
            errors.add("hour", gettext("This time has begun: choose a later one."))
        elif problem is not None:
            errors.add("hour", gettext("Choose the time."))
    carried = form_value(data, "carried")
    if carried not in set(rules.Carried):
        errors.add("carried", gettext("Choose what is carried."))
    typed_phone = form_value(data, "phone")
    phone = normalize_phone(typed_phone) if typed_phone else None
    if phone is None:
        errors.add("phone", gettext("Enter the phone as +7 978 123-45-67."))
    if errors:
        return None, errors
    assert place is not None and place.entrance_id is not None and lift.day is not None and hour is not None
    draft = LiftBookingDraft(place.account_id, place.entrance_id, lift.day, hour, lift.slot_hours, carried, phone or "")
    return draft, errors


def lift_refusal_needs_reason() -> str:
    return gettext("Say why the booking is refused: the resident reads it.")


def documents_erased(on: date) -> str:
    """What stands for a new owner's documents deleted at the end of their keeping term
    (``actions.erase_request_files``): on the request's pages and at each document's address (410)."""
    return gettext(
        "The documents were deleted on %(date)s at the end of their keeping term (152-ФЗ ст. 5 ч. 7)",
        date=format_day(on),
    )


def documents_kept_until(on: date) -> str:
    """What a decided application's documents say of the day they go (``actions.erase_request_files``)."""
    return gettext(
        "The documents will be deleted on %(date)s at the end of their keeping term (152-ФЗ ст. 5 ч. 7)",
        date=format_day(on),
    )


def files_kept_until(on: date) -> str:
    """What a finished request's photos and files say of the day they go (``actions.erase_request_files``)."""
    return gettext(
        "The request's photos and files will be deleted on %(date)s at the end of their keeping term "
        "(152-ФЗ ст. 5 ч. 7)",
        date=format_day(on),
    )


def files_erased(on: date, count: int) -> str:
    """What stands for a request's photos or files deleted at the end of their keeping term: on the request's pages
    (how many) and at each file's address (410, one)."""
    return ngettext(
        "%(num)d file deleted on %(date)s at the end of its keeping term (152-ФЗ ст. 5 ч. 7)",
        "%(num)d files deleted on %(date)s at the end of their keeping term (152-ФЗ ст. 5 ч. 7)",
        count,
        date=format_day(on),
    )


@dataclass(frozen=True)
class WarrantyDefect:
    """A defect of a new house the resident reports: at which address, in the flat or in the common property, what
    is defective (``rules.DEFECT_KINDS``), what they see, the day they noticed it; for a defect in the flat, their
    consent that the company forwards the owner's claim to the developer on their behalf."""

    account_id: int
    where: rules.DefectWhere
    kind: str
    description: str
    noticed_on: date
    consent: bool


def read_warranty_defect(
    data: Mapping[str, Any], account_ids: Sequence[int], photos: int, today: date
) -> tuple[WarrantyDefect | None, FormErrors]:
    """The form «Гарантийный дефект»: the consent (never assumed) is asked for a defect in the flat only, since the
    claim for it is the owner's (ФЗ-214 ст. 7 ч. 6); one of the common property is the company's own."""
    errors = FormErrors()
    account_id = _chosen_account(data, account_ids, errors)
    where = form_value(data, "where")
    if where not in set(rules.DefectWhere):
        errors.add("where", gettext("Choose where the defect is: in your flat or in the common property."))
    kind = form_value(data, "kind")
    if kind not in rules.DEFECT_KINDS:
        errors.add("kind", gettext("Choose what is defective."))
    description = form_value(data, "description")
    if not description:
        errors.add("description", gettext("Describe the defect: what you see and where exactly."))
    _at_most(errors, "description", description, rules.MAX_MESSAGE)
    noticed_on = parse_date(form_value(data, "noticed_on"))
    if noticed_on is None:
        errors.add("noticed_on", gettext("Enter the day you noticed the defect, for example 01.07.2026."))
    elif noticed_on > today:
        errors.add("noticed_on", gettext("The day you noticed the defect cannot be later than today."))
    consent = form_value(data, "consent") == "1"
    if where == rules.DefectWhere.FLAT and not consent:
        errors.add(
            "consent",
            gettext("Tick your consent: the company forwards the claim for a defect in your flat only with it."),
        )
    _photos_at_most(errors, photos)
    if errors:
        return None, errors
    assert account_id is not None and noticed_on is not None
    return WarrantyDefect(account_id, rules.DefectWhere(where), kind, description, noticed_on, consent), errors
