"""Input of the meetings domain: form data → typed values and translated errors. No I/O."""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from portal.core.i18n import format_day
from portal.core.i18n import format_moment
from portal.core.i18n import gettext
from portal.core.i18n import lazy
from portal.core.labels import Labels
from portal.core.parse import parse_date
from portal.core.parse import parse_id
from portal.core.parse import parse_moment
from portal.core.web import FormErrors
from portal.core.web import form_value
from portal.meetings import rules
from portal.meetings.tables import BallotStatus
from portal.meetings.tables import Source

INVALID = "invalid"  # a paper ballot's question with several options or none marked

form_label = Labels(
    {
        rules.Form.IN_PERSON: lazy("In person"),
        rules.Form.ABSENTEE: lazy("Absentee (written decisions)"),
        rules.Form.MIXED: lazy("In person and absentee"),
        rules.Form.ELECTRONIC: lazy("Electronic, through the system"),
    }
)
threshold_label = Labels(
    {
        rules.Threshold.SIMPLE: lazy("More than half of the votes taking part"),
        rules.Threshold.ABS_MAJ: lazy("More than half of all votes"),
        rules.Threshold.TWO_THIRDS: lazy("At least two thirds of all votes"),
        rules.Threshold.UNANIMOUS: lazy("All owners"),
    }
)
# What a question's percentages are of (``rules.base_kind``), said beside them on the results and in the protocol.
share_base = Labels(
    {
        rules.Base.PARTICIPATING: lazy("Percentages of the votes taking part"),
        rules.Base.ALL: lazy("Percentages of all votes of the house"),
    }
)


def shares_of(threshold: rules.Threshold) -> str:
    """What the percentages of a question decided by ``threshold`` are of, in words."""
    return share_base(rules.base_kind(threshold))


# The rule of a question's decision as a whole sentence in the agenda, each threshold in its own words (a label
# cut into another sentence would need its case changed, which only a translator can do).
adoption_rule = Labels(
    {
        rules.Threshold.SIMPLE: lazy("Adopted when more than half of the votes taking part are for it"),
        rules.Threshold.ABS_MAJ: lazy("Adopted when more than half of all votes are for it"),
        rules.Threshold.TWO_THIRDS: lazy("Adopted when at least two thirds of all votes are for it"),
        rules.Threshold.UNANIMOUS: lazy("Adopted only if all owners vote for it"),
    }
)
subject_label = Labels(
    {
        rules.Subject.CAPITAL_REPAIR: lazy("Capital repair, reconstruction, use of the repair fund (item 1)"),
        rules.Subject.FUND_FORMATION: lazy("How the capital repair fund is formed (item 1.1)"),
        rules.Subject.FUND_CONTRIBUTION: lazy("Contribution above the regional minimum (item 1.1-1)"),
        rules.Subject.REPAIR_LOAN: lazy("Loan for capital repair (item 1.2)"),
        rules.Subject.ITEM_1_3: lazy("Item 1.3 of article 44 part 2"),
        rules.Subject.LAND_PLOT: lazy("Limits of use of the land plot (item 2)"),
        rules.Subject.THIRD_PARTY_USE: lazy("Use of common property by others: rent, advertising (item 3)"),
        rules.Subject.CONTRACT_SIGNERS: lazy("Who signs contracts on common property (item 3.1)"),
        rules.Subject.ITEM_3_8: lazy("Item 3.8 of article 44 part 2"),
        rules.Subject.MANAGEMENT_METHOD: lazy("Choice of the management method (item 4)"),
        rules.Subject.COUNCIL_REPAIRS: lazy("The house council decides on routine repairs (item 4.2)"),
        rules.Subject.ITEM_4_3: lazy("Item 4.3 of article 44 part 2"),
        rules.Subject.MANAGING_COMPANY: lazy("Choice of the managing company (item 4.7)"),
        rules.Subject.COMMON_PROPERTY_REDUCTION: lazy("Reducing or attaching common property (consent of all)"),
        rules.Subject.OTHER: lazy("Other questions: chair, council, routine repairs, fees…"),
    }
)
choice_label = Labels(
    {
        None: lazy("Not counted"),
        rules.Choice.FOR: lazy("For"),
        rules.Choice.AGAINST: lazy("Against"),
        rules.Choice.ABSTAIN: lazy("Abstain"),
    }
)
# A ballot's status as the audit log says it («Ждёт проверки → Принят, учтён»).
ballot_status_label = Labels(
    {
        BallotStatus.DRAFT: lazy("Being filled in, not confirmed"),
        BallotStatus.MODERATION: lazy("Waiting for the moderator"),
        BallotStatus.ACCEPTED: lazy("Accepted, counted"),
        BallotStatus.REJECTED: lazy("Rejected, not counted"),
    }
)
# How a ballot came: the protocol's list of voters and the staff's export say it in words, not as its code.
source_label = Labels({Source.ELECTRONIC: lazy("electronic"), Source.PAPER: lazy("paper")})
rejection_label = Labels(
    {
        rules.Rejection.LATE: lazy("Received after the voting closed"),
        rules.Rejection.NOT_OWNER: lazy("Not an owner, or no valid power of attorney"),
        rules.Rejection.NO_IDENTITY: lazy("No voter identification or ownership document data"),
        rules.Rejection.UNSIGNED: lazy("Not signed"),
        rules.Rejection.DUPLICATE: lazy("This ownership already has a counted ballot"),
    }
)
# The same reasons as the moderator's select offers them: short enough to read whole in the closed box on a phone
# («По этой собственности уже учте…» was cut at 390 px); the full reason above is what the ballot's line, the
# owner's page and message say once it is chosen.
rejection_choice = Labels(
    {
        rules.Rejection.LATE: lazy("Received late"),
        rules.Rejection.NOT_OWNER: lazy("No right to vote"),
        rules.Rejection.NO_IDENTITY: lazy("No voter data"),
        rules.Rejection.UNSIGNED: lazy("Not signed"),
        rules.Rejection.DUPLICATE: lazy("Repeat ballot"),
    }
)


def plan_error(error: rules.PlanError) -> tuple[str, str]:
    """The field an error belongs to and its words."""
    return {
        rules.PlanError.NOTICE_TOO_LATE: (
            "starts_on",
            gettext("The notice must go out at least 10 days before the meeting starts (ЖК ст. 45 ч. 4)."),
        ),
        rules.PlanError.ADMINISTRATOR_TOO_LATE: (
            "administrator_notified_on",
            gettext("The administrator must receive the notice at least 14 days before the start (ЖК ст. 47.1)."),
        ),
        rules.PlanError.ENDS_BEFORE_START: ("voting_ends", gettext("Voting cannot end before it starts.")),
        rules.PlanError.E_VOTE_TOO_SHORT: (
            "voting_ends",
            gettext("Electronic voting lasts at least 7 days (ЖК ст. 47.1)."),
        ),
        rules.PlanError.E_VOTE_TOO_LONG: (
            "voting_ends",
            gettext("Electronic voting lasts at most 60 days (ЖК ст. 47.1)."),
        ),
        rules.PlanError.NO_AGENDA: ("text", gettext("Add at least one question to the agenda.")),
        rules.PlanError.IN_PERSON_OUTSIDE: (
            "in_person_at",
            gettext("The in-person meeting is held within the meeting's days: change its date or the days."),
        ),
    }[error]


@dataclass
class MeetingForm:
    typed: dict[str, str] = field(default_factory=dict)
    errors: FormErrors = field(default_factory=FormErrors)
    values: dict[str, Any] = field(default_factory=dict)


MEETING_FIELDS = (
    "house",
    "title",
    "title_en",
    "form",
    "initiator",
    "administrator",
    "place",
    "in_person_at",
    "starts_on",
    "voting_ends",
    "register_on",
    "administrator_notified_on",
    "chair",
    "secretary",
    "counters",
    "storage_place",
)


def voting_moments(starts_on: date, voting_ends: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """Voting runs from the start of the first day to the last second of the last day, in the company's zone."""
    start = datetime.combine(starts_on, time(0, 0), zone)
    end = datetime.combine(voting_ends + timedelta(days=1), time(0, 0), zone) - timedelta(seconds=1)
    return start, end


def typed_of(meeting: Any, zone: ZoneInfo) -> dict[str, str]:
    """A draft meeting's details as its form shows them, to be changed before it is announced."""

    def day(value: date | None) -> str:
        return value.isoformat() if value else ""

    in_person = meeting.in_person_at.astimezone(zone).strftime("%Y-%m-%dT%H:%M") if meeting.in_person_at else ""
    return {
        "house": str(meeting.house_id),
        "title": meeting.title,
        "title_en": meeting.title_en,
        "form": str(meeting.form),
        "initiator": meeting.initiator,
        "administrator": meeting.administrator,
        "place": meeting.place,
        "in_person_at": in_person,
        "starts_on": day(meeting.starts_on),
        "voting_ends": day(meeting.voting_ends_at.astimezone(zone).date()),
        "register_on": day(meeting.register_on),
        "administrator_notified_on": day(meeting.administrator_notified_on),
        "chair": meeting.chair,
        "secretary": meeting.secretary,
        "counters": meeting.counters,
        "storage_place": meeting.storage_place,
    }


def read_meeting(data: Mapping[str, Any], houses: Sequence[int], zone: ZoneInfo) -> MeetingForm:
    """The meeting's details; the dates are checked against the law when it is announced (rules.check_plan)."""
    form = MeetingForm(typed={name: form_value(data, name) for name in MEETING_FIELDS})
    t, errors, v = form.typed, form.errors, form.values
    house = parse_id(t["house"])
    if house is None or house not in houses:
        errors.add("house", gettext("Choose the house."))
    v["house"] = house
    if not t["title"]:
        errors.add("title", gettext("Give the meeting a title."))
    v["title"] = t["title"][:200]
    v["title_en"] = t["title_en"][:200]  # optional: readers of English read the Russian title while it is empty
    try:
        v["form"] = rules.Form(t["form"])
    except ValueError:
        errors.add("form", gettext("Choose the form of the meeting."))
    v["initiator"] = t["initiator"][:255]
    if not v["initiator"]:
        errors.add("initiator", gettext("Name the initiator."))
    for name in ("administrator", "place", "chair", "secretary", "counters", "storage_place"):
        v[name] = t[name][:255]
    # The errors come in the order the form shows its fields, so that the summary above it reads from the top down.
    v["administrator_notified_on"] = parse_date(t["administrator_notified_on"])
    if v.get("form") == rules.Form.ELECTRONIC and v["administrator_notified_on"] is None:
        errors.add("administrator_notified_on", gettext("Enter when the administrator received the notice."))
    moment = parse_moment(t["in_person_at"])
    if t["in_person_at"] and moment is None:
        errors.add("in_person_at", gettext("Enter the date and time of the in-person meeting."))
    v["in_person_at"] = moment.replace(tzinfo=zone) if moment else None
    if v.get("form") in (rules.Form.IN_PERSON, rules.Form.MIXED) and moment is None:
        errors.add("in_person_at", gettext("Enter the date and time of the in-person meeting."))
    dates = {name: parse_date(t[name]) for name in ("starts_on", "voting_ends", "register_on")}
    first, last = dates["starts_on"], dates["voting_ends"]
    if moment and first and last and first <= last and not first <= moment.date() <= last:
        # Held before the first day it would come less than the notice's 10 days after it (ЖК ст. 45 ч. 4, counted to
        # the first day); after the last, when the decisions are already counted.
        errors.add("in_person_at", gettext("The in-person meeting is held within the meeting's days: from %(start)s to "
                                           "%(end)s.", start=format_day(first), end=format_day(last)))  # fmt: skip
    for name in ("starts_on", "voting_ends", "register_on"):
        v[name] = dates[name]
        if v[name] is None:
            errors.add(name, gettext("Enter a date, e.g. 15.12.2026."))
    if v["starts_on"] and v["voting_ends"] and v["voting_ends"] < v["starts_on"]:
        errors.add(*plan_error(rules.PlanError.ENDS_BEFORE_START))  # never right, whenever it is announced
    if v["starts_on"] and v["register_on"] and v["register_on"] > v["starts_on"]:
        errors.add("register_on", gettext("The register is fixed on or before the first day of the meeting."))
    return form


@dataclass
class ItemForm:
    typed: dict[str, str] = field(default_factory=dict)
    errors: FormErrors = field(default_factory=FormErrors)
    text: str = ""
    text_en: str = ""  # the English twin, optional
    subject: rules.Subject | None = None


def read_item(data: Mapping[str, Any], subjects: Mapping[rules.Subject, rules.Threshold]) -> ItemForm:
    form = ItemForm(typed={name: form_value(data, name) for name in ("text", "text_en", "subject")})
    form.text = form.typed["text"][:4000]
    form.text_en = form.typed["text_en"][:4000]
    if not form.text:
        form.errors.add("text", gettext("Write the question as it will be put to the vote."))
    try:
        subject = rules.Subject(form.typed["subject"])
    except ValueError:
        subject = None
    if subject is None or subject not in subjects:
        form.errors.add("subject", gettext("Choose what the question decides."))
    form.subject = subject
    return form


def read_paper_ballot(
    data: Mapping[str, Any], now: datetime, zone: ZoneInfo, opens: datetime, asks_snils: bool
) -> tuple[int | None, datetime | None, str, FormErrors]:
    """A paper ballot's owner from the register, the СНИЛС written on it (its digits; required of a natural person by
    ``actions.enter_paper``, which knows the owner) and the moment it was received (in ``zone``), with their errors.
    The СНИЛС is read only where the meeting's order puts it on the ballots (``asks_snils``, 266/пр): one posted for
    a 44/пр meeting (an old open form, a crafted request) is personal data nothing asks for — dropped, never kept.
    Decisions are received while voting runs (ЖК ст. 47 ч. 1): a moment before it ``opens`` is refused at the field —
    a date typed wrong, or a paper that is no decision of this meeting. One received after the closing time is kept
    and marked late (ст. 47 ч. 2): it is recorded, never counted."""
    errors = FormErrors()
    entry = parse_id(form_value(data, "entry"))
    moment = parse_moment(form_value(data, "received_at"))
    received = moment.replace(tzinfo=zone) if moment else None
    snils = rules.snils_digits(form_value(data, "snils")) if asks_snils else ""
    if entry is None:
        errors.add("entry", gettext("Choose an owner from the register."))
    if snils and not rules.snils_valid(snils):
        errors.add("snils", gettext("This is no SNILS: 11 digits, the last two its check number. Check it against "
                                    "the ballot."))  # fmt: skip
        snils = ""
    if received is None:
        errors.add("received_at", gettext("Enter when the ballot was received."))
    elif received > now:
        # A year typed wrong would make a ballot received in time look late, to be rejected.
        errors.add("received_at", gettext("This moment has not come yet: enter when the ballot was received."))
        received = None
    elif received < opens:
        moment = format_moment(opens, str(zone))
        errors.add("received_at", gettext("Voting opened on %(moment)s: a ballot received before it does not count in "
                                          "this meeting. Check the date.", moment=moment))  # fmt: skip
        received = None
    return entry, received, snils, errors


def vote_confirmed(locked: int) -> str:
    """What the owner reads once the code is typed: how many ballots it locked."""
    return gettext("Your vote is received; ballots locked: %(n)s.", n=locked)


def already_decided(premise: str, received: rules.Received) -> str:
    """Why the code did not confirm the answers for ``premise``: its paper ballot, received first, is the decision
    of the ownership (``rules.confirmable``), counted or being checked. The answers stay saved as they were."""
    day = format_day(received.at, "day_month")
    if received.counted:
        return gettext("The decision for %(premise)s is already counted: a paper ballot was accepted on %(day)s.",
                       premise=premise, day=day)  # fmt: skip
    return gettext("A paper ballot for %(premise)s was received on %(day)s and is being checked: the decision "
                   "received first is the one counted.", premise=premise, day=day)  # fmt: skip


def scan_erased(on: date | None) -> str:
    """What stands for a paper ballot's scan deleted with its СНИЛС at the end of their keeping term
    (``actions.erase_snils``): on the moderation page and at the scan's address."""
    return gettext("Scan deleted %(date)s at the end of its keeping term", date=format_day(on))


def paper_entered(late: bool, again: bool = False) -> str:
    """What the operator is told of a paper ballot entered: one received after the closing time is not counted, nor
    one of an ownership that already has a ballot (an owner who voted online brings the signed copy too)."""
    if late:
        return gettext(
            "The paper ballot is entered, but it was received after the voting closed: it is not counted "
            "(ЖК ст. 47 ч. 2). The moderator rejects it as late."
        )
    if again:
        return gettext(
            "The paper ballot is entered, but this ownership already has a ballot, counted or waiting: a decision "
            "is counted once. The moderator rejects this one as a duplicate."
        )
    return gettext("The paper ballot is waiting for moderation.")


def read_answers(
    data: Mapping[str, Any],
    prefix: str,
    item_ids: Sequence[int],
    *,
    allow_invalid: bool = False,
    errors: FormErrors | None = None,
) -> tuple[dict[int, rules.Choice | None], FormErrors]:
    """One answer per question (``<prefix><item id>``, in the agenda's order): for, against or abstain — a paper
    ballot may also say that the question was marked wrongly (several options or none), which is kept as not counted.
    A question left unanswered is named by its number in the summary above the form; its error follows ``errors``,
    those of the fields above the questions."""
    answers: dict[int, rules.Choice | None] = {}
    errors = FormErrors() if errors is None else errors
    for number, item_id in enumerate(item_ids, start=1):
        name = f"{prefix}{item_id}"
        text = form_value(data, name)
        if allow_invalid and text == INVALID:
            answers[item_id] = None
            continue
        try:
            answers[item_id] = rules.Choice(text)
        except ValueError:
            errors.add(name, gettext("Choose an answer to this question."), gettext("Question %(n)s", n=number))
    return answers, errors


@dataclass
class DocumentsForm:
    """The days the originals were received from the initiator and sent to the housing inspectorate."""

    received_on: date | None = None
    sent_on: date | None = None
    typed: dict[str, str] = field(default_factory=dict)
    errors: FormErrors = field(default_factory=FormErrors)


def read_documents(data: Mapping[str, Any], today: date) -> DocumentsForm:
    """Days that have come, and the originals sent only once received: a slip of the calendar (next year, the
    month before the meeting) would otherwise be kept silently and the inspectorate's deadline counted from it."""
    form = DocumentsForm(typed={k: form_value(data, k) for k in ("originals_received_on", "sent_to_inspectorate_on")})
    days = {k: parse_date(v) if v else None for k, v in form.typed.items()}
    for name, day in days.items():
        if form.typed[name] and day is None:
            form.errors.add(name, gettext("Enter a date, e.g. 15.12.2026."))
        elif day is not None and day > today:
            form.errors.add(name, gettext("This day has not come yet: enter the day it happened."))
    form.received_on, form.sent_on = days["originals_received_on"], days["sent_to_inspectorate_on"]
    if form.sent_on and not form.errors and (form.received_on is None or form.sent_on < form.received_on):
        form.errors.add(
            "sent_to_inspectorate_on", gettext("The originals are sent after they are received: check both days.")
        )
    return form


def read_code(data: Mapping[str, Any]) -> str | None:
    code = form_value(data, "code").replace(" ", "")
    return code if code.isdigit() and len(code) == 6 else None


def read_rejection(data: Mapping[str, Any]) -> tuple[rules.Rejection | None, str]:
    try:
        reason = rules.Rejection(form_value(data, "reason"))
    except ValueError:
        reason = None
    return reason, form_value(data, "note")[:500]


def check_initiative(typed: Mapping[str, str], houses: Sequence[int]) -> FormErrors:
    errors = FormErrors()
    house = parse_id(typed.get("house", ""))
    if house is None or house not in houses:
        errors.add("house", gettext("Choose the house."))
    if not typed.get("title"):
        errors.add("title", gettext("Say in a few words what the meeting should decide."))
    elif len(typed["title"]) > 200:
        errors.add("title", gettext("At most 200 characters."))
    if not typed.get("agenda"):
        errors.add("agenda", gettext("Write the questions of the agenda, one per line."))
    elif len(typed["agenda"]) > 4000:
        errors.add("agenda", gettext("At most 4000 characters."))
    return errors
