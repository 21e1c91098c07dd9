"""The law of owners' general meetings (ОСС) as plain functions: DOMAIN.md §1 (ЖК РФ ст. 37, 44–48, 47.1).

Everything here is exact: votes are ``fractions.Fraction`` (1 vote = 1 m², DOMAIN §1.3), every comparison is made
on fractions, and a percentage is rounded only for display (2 places, HALF_UP, §1.6). No I/O, no ORM, no web.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from datetime import timedelta
from decimal import ROUND_HALF_UP
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from typing import Protocol
from typing import TypeVar

from portal.core.clock import years_after
from portal.core.search import terms_of


class Form(StrEnum):
    """Форма проведения (§1.1)."""

    IN_PERSON = "in_person"  # очное
    ABSENTEE = "absentee"  # заочное
    MIXED = "mixed"  # очно-заочное
    ELECTRONIC = "electronic"  # заочное с использованием системы (ст. 47.1)


# Forms in which owners vote from the portal: written decisions of absentee voting, and the system of ст. 47.1.
ONLINE_FORMS = frozenset({Form.ABSENTEE, Form.MIXED, Form.ELECTRONIC})


class Threshold(StrEnum):
    """Порог принятия решения (§1.5)."""

    SIMPLE = "simple"  # more than half of the votes taking part
    ABS_MAJ = "abs_maj"  # more than half of all votes
    TWO_THIRDS = "two_thirds"  # not less than two thirds of all votes
    UNANIMOUS = "unanimous"  # all owners


class Subject(StrEnum):
    """The item of ЖК ст. 44 ч. 2 an agenda question decides (its threshold comes from the dated table)."""

    CAPITAL_REPAIR = "p1"  # п. 1: reconstruction, capital repair, use of the fund
    FUND_FORMATION = "p1_1"  # п. 1.1: special account or regional operator
    FUND_CONTRIBUTION = "p1_1_1"  # п. 1.1-1: contribution above the minimum
    REPAIR_LOAN = "p1_2"  # п. 1.2: loan for capital repair
    ITEM_1_3 = "p1_3"  # п. 1.3 (since 2024) [VERIFY subject]
    LAND_PLOT = "p2"  # п. 2: limits of use of the land plot
    THIRD_PARTY_USE = "p3"  # п. 3: use of common property by others (rent, advertising)
    CONTRACT_SIGNERS = "p3_1"  # п. 3.1: who signs contracts on common property
    ITEM_3_8 = "p3_8"  # п. 3.8 (since 2024) [VERIFY subject]
    MANAGEMENT_METHOD = "p4"  # п. 4: choice of the management method
    COUNCIL_REPAIRS = "p4_2"  # п. 4.2: the house council decides on current repair
    ITEM_4_3 = "p4_3"  # п. 4.3 [VERIFY subject]
    MANAGING_COMPANY = "p4_7"  # п. 4.7: choice of the managing organisation
    COMMON_PROPERTY_REDUCTION = "reduction"  # ст. 36 ч. 3, ст. 40 ч. 2: consent of all owners
    OTHER = "other"  # chair, secretary, council, current repair, fee, e-voting set-up …


@dataclass(frozen=True)
class ThresholdPeriod:
    """The item → threshold list of ст. 46 ч. 1 in one text of the law (inclusive dates; ``None`` = open)."""

    valid_from: date | None
    valid_to: date | None
    table: Mapping[Subject, Threshold]


_SINCE_2024: dict[Subject, Threshold] = {
    Subject.CAPITAL_REPAIR: Threshold.TWO_THIRDS,
    Subject.FUND_FORMATION: Threshold.ABS_MAJ,
    Subject.FUND_CONTRIBUTION: Threshold.TWO_THIRDS,
    Subject.REPAIR_LOAN: Threshold.TWO_THIRDS,
    Subject.ITEM_1_3: Threshold.TWO_THIRDS,
    Subject.LAND_PLOT: Threshold.TWO_THIRDS,
    Subject.THIRD_PARTY_USE: Threshold.TWO_THIRDS,
    Subject.CONTRACT_SIGNERS: Threshold.TWO_THIRDS,
    Subject.ITEM_3_8: Threshold.TWO_THIRDS,
    Subject.MANAGEMENT_METHOD: Threshold.ABS_MAJ,
    Subject.COUNCIL_REPAIRS: Threshold.ABS_MAJ,
    Subject.ITEM_4_3: Threshold.TWO_THIRDS,
    Subject.MANAGING_COMPANY: Threshold.ABS_MAJ,
    Subject.COMMON_PROPERTY_REDUCTION: Threshold.UNANIMOUS,
    Subject.OTHER: Threshold.SIMPLE,
}
# Before 01.09.2024 the text had no п. 1.3 and 3.8; before 01.09.2022 (165-ФЗ) the managing organisation was chosen
# by a simple majority of those taking part. The other thresholds of the older texts are kept as in the current
# one [VERIFY with a lawyer before relying on a meeting held before 01.09.2024].
_BEFORE_2024 = {k: v for k, v in _SINCE_2024.items() if k not in (Subject.ITEM_1_3, Subject.ITEM_3_8)}
_BEFORE_2022 = {**_BEFORE_2024, Subject.MANAGING_COMPANY: Threshold.SIMPLE}

THRESHOLDS: tuple[ThresholdPeriod, ...] = (
    ThresholdPeriod(None, date(2022, 8, 31), _BEFORE_2022),
    ThresholdPeriod(date(2022, 9, 1), date(2024, 8, 31), _BEFORE_2024),
    ThresholdPeriod(date(2024, 9, 1), None, _SINCE_2024),
)


def _in_period(day: date, valid_from: date | None, valid_to: date | None) -> bool:
    return (valid_from is None or valid_from <= day) and (valid_to is None or day <= valid_to)


def subjects_on(day: date, periods: Sequence[ThresholdPeriod] = THRESHOLDS) -> dict[Subject, Threshold]:
    """The subjects an agenda may carry on ``day`` and their thresholds (the text in force that day).

    п. 4.5 (flat to non-residential) and п. 4.6 follow special rules (ст. 46 ч. 1.2, 1.2-1) not yet confirmed
    (DOMAIN §1.5 [VERIFY]): they are not offered, so such a question is never decided by a wrong rule."""
    for period in periods:
        if _in_period(day, period.valid_from, period.valid_to):
            return dict(period.table)
    return {}


def threshold_for(subject: Subject, day: date) -> Threshold | None:
    """The threshold of ``subject`` on ``day``, or None when that text of the law has no such item."""
    return subjects_on(day).get(subject)


# --- vote weights (§1.3) ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Holding:
    """One ownership row of the registry: an owner's share of a premise."""

    ownership_id: int
    owner_id: int
    premise_id: int
    area: Decimal
    numerator: int = 1
    denominator: int = 1
    joint: bool = False  # общая совместная собственность


@dataclass(frozen=True)
class RegisterLine:
    """One line of the register of owners fixed for a meeting.

    ``weight`` is what the line's ballot carries. Joint co-owners of a premise (ГК ст. 253) share one weight: their
    lines have the same ``group`` and the same ``weight``, which is counted once however many of them vote."""

    ownership_id: int
    owner_id: int
    premise_id: int
    weight: Fraction
    group: str


def area_votes(area: Decimal) -> Fraction:
    """Votes of a whole premise: its area in m² as an exact fraction (``Decimal`` converts exactly)."""
    return Fraction(area)


def register(holdings: Iterable[Holding]) -> list[RegisterLine]:
    """The register of owners: each shared (долевая) or sole owner votes area × share; joint owners of a premise
    form one group voting area × the group's share once (DOMAIN §1.3)."""
    lines: list[RegisterLine] = []
    for h in holdings:
        share = Fraction(h.numerator, h.denominator)
        group = f"j{h.premise_id}:{share}" if h.joint else f"o{h.ownership_id}"
        lines.append(RegisterLine(h.ownership_id, h.owner_id, h.premise_id, area_votes(h.area) * share, group))
    return sorted(lines, key=lambda line: (line.premise_id, line.ownership_id))


def total_votes(areas: Iterable[Decimal]) -> Fraction:
    """All votes of the house: the areas of all its residential and non-residential premises (common areas are not
    premises and are not in the registry)."""
    return sum((area_votes(a) for a in areas), Fraction(0))


class Weighed(Protocol):
    """What carries a register line's votes: a line, or a ballot for it (``BallotFacts``)."""

    @property
    def group(self) -> str: ...

    @property
    def weight(self) -> Fraction: ...


W = TypeVar("W", bound=Weighed)


def holdings(lines: Iterable[W]) -> list[tuple[list[W], Fraction]]:
    """``lines`` by the holding whose votes they carry (DOMAIN §1.3), with those votes, each holding once: a sole or
    shared (долевая) owner's line alone; the joint (совместная) co-owners of a premise together, holding the
    premise's votes as one, whichever of them votes (ГК ст. 253). In the order of each holding's first line.

    The one rule by which the register's annex lists a joint premise (its votes once, its co-owners together), the
    register's votes add up, and the count splits a joint premise among its co-owners who voted (``_shares``)."""
    groups: dict[str, list[W]] = {}
    for line in lines:
        groups.setdefault(line.group, []).append(line)
    return [(members, members[0].weight) for members in groups.values()]


def registered_votes(lines: Iterable[Weighed]) -> Fraction:
    """The votes the register holds, a joint group once (less than the total where premises have no owner on record,
    e.g. municipal flats whose authority is not yet entered)."""
    return sum((votes for _, votes in holdings(lines)), Fraction(0))


# --- notice and periods (§1.2, §1.8) -----------------------------------------------------------------------------

NOTICE_DAYS = 10  # ст. 45 ч. 4
ADMINISTRATOR_NOTICE_DAYS = 14  # ст. 47.1: the initiator to the administrator
E_VOTE_MIN_DAYS = 7  # ст. 47.1
E_VOTE_MAX_DAYS = 60
DEMAND_SHARE = Fraction(1, 10)  # ст. 45 ч. 2, ч. 6: owners with ≥ 10 % of votes may demand a meeting
DEMAND_DAYS = 45  # ст. 45 ч. 6: the company holds the demanded meeting within 45 days
PROTOCOL_DAYS = 10  # 44/пр п. 2; 266/пр keeps 10 days
RESULTS_NOTICE_DAYS = 10  # ст. 46 ч. 3
ORIGINALS_TO_COMPANY_DAYS = 10  # ст. 46 ч. 1
ORIGINALS_TO_INSPECTORATE_DAYS = 5  # ст. 46 ч. 1.1: from the company's receipt
CHALLENGE_MONTHS = 6  # ст. 46 ч. 6


class PlanError(StrEnum):
    """Why a meeting's dates cannot be accepted."""

    NOTICE_TOO_LATE = "notice_too_late"
    ADMINISTRATOR_TOO_LATE = "administrator_too_late"
    ENDS_BEFORE_START = "ends_before_start"
    E_VOTE_TOO_SHORT = "e_vote_too_short"
    E_VOTE_TOO_LONG = "e_vote_too_long"
    NO_AGENDA = "no_agenda"
    IN_PERSON_OUTSIDE = "in_person_outside"  # the in-person meeting is not within the meeting's days


@dataclass(frozen=True)
class Plan:
    """A meeting's dates as staff plan them (local calendar dates; voting runs from the first day's start to the
    end of ``voting_ends``)."""

    form: Form
    notice_on: date
    starts_on: date  # the in-person meeting (очное, очно-заочное) or the first day of voting (заочное)
    voting_ends: date
    administrator_notified_on: date | None = None  # ст. 47.1 only
    questions: int = 1
    in_person_on: date | None = None  # the day of the in-person meeting (очное, очно-заочное)


def notice_days(notice_on: date, starts_on: date) -> int:
    return (starts_on - notice_on).days


def voting_days(starts_on: date, voting_ends: date) -> int:
    """Days of voting, both the first and the last day counted (01.03–07.03 is 7 days)."""
    return (voting_ends - starts_on).days + 1


def check_plan(plan: Plan) -> list[PlanError]:
    """Everything wrong with the dates (empty when the meeting may be announced as planned)."""
    errors: list[PlanError] = []
    if plan.questions < 1:
        errors.append(PlanError.NO_AGENDA)
    if notice_days(plan.notice_on, plan.starts_on) < NOTICE_DAYS:
        errors.append(PlanError.NOTICE_TOO_LATE)
    if plan.voting_ends < plan.starts_on:
        errors.append(PlanError.ENDS_BEFORE_START)
    elif (
        plan.form in (Form.IN_PERSON, Form.MIXED)
        and plan.in_person_on is not None
        and not plan.starts_on <= plan.in_person_on <= plan.voting_ends
    ):
        errors.append(PlanError.IN_PERSON_OUTSIDE)
    elif plan.form == Form.ELECTRONIC:
        days = voting_days(plan.starts_on, plan.voting_ends)
        if days < E_VOTE_MIN_DAYS:
            errors.append(PlanError.E_VOTE_TOO_SHORT)
        if days > E_VOTE_MAX_DAYS:
            errors.append(PlanError.E_VOTE_TOO_LONG)
    if plan.form == Form.ELECTRONIC and (
        plan.administrator_notified_on is None
        or notice_days(plan.administrator_notified_on, plan.starts_on) < ADMINISTRATOR_NOTICE_DAYS
    ):
        errors.append(PlanError.ADMINISTRATOR_TOO_LATE)
    return errors


class Stage(StrEnum):
    """Where a meeting is; what residents may do follows from it."""

    DRAFT = "draft"  # staff prepare it; nobody else sees it
    ANNOUNCED = "announced"  # the notice is out; voting has not started
    VOTING = "voting"
    COUNTING = "counting"  # voting ended; staff moderate what is left and publish the results
    CLOSED = "closed"  # results published, protocol formed
    CANCELLED = "cancelled"


def stage(
    *, published: bool, cancelled: bool, closed: bool, voting_starts: datetime, voting_ends: datetime, now: datetime
) -> Stage:
    """The stage at ``now``: the dates decide between announced, voting and counting."""
    if cancelled:
        return Stage.CANCELLED
    if closed:
        return Stage.CLOSED
    if not published:
        return Stage.DRAFT
    if now < voting_starts:
        return Stage.ANNOUNCED
    if now <= voting_ends:
        return Stage.VOTING
    return Stage.COUNTING


# The notice on the house's boards (ЖК ст. 45 ч. 4: posted where every owner can reach it, §1.2): printed once the
# meeting is announced and until its voting ends — before, its words may still change; after, it tells of nothing.
NOTICE_PRINTED = frozenset({Stage.ANNOUNCED, Stage.VOTING})


def notice_pages(entrances: Iterable[int]) -> list[int | None]:
    """The entrances (by number) a meeting's notice is printed for: every entrance of the house, for every owner
    reaches a board in one (ст. 45 ч. 4), each once and in order; a house with no entrance on record, one page."""
    pages: list[int | None] = [*sorted(set(entrances))]
    return pages or [None]


def reminder_days_left(voting_ends_on: date, today: date, days: int) -> int | None:
    """The days left of a voting whose owners who have not voted are reminded ``days`` before its last day: from
    then (the job's first run that day, or a later one if it missed it) until the day before the last, and how many
    days are left; None outside that time."""
    left = (voting_ends_on - today).days
    return left if 1 <= left <= days else None


def demand_reached(support: Fraction, total: Fraction) -> bool:
    """Owners holding at least 10 % of all votes may demand a meeting (ст. 45 ч. 2, ч. 6)."""
    return total > 0 and support >= DEMAND_SHARE * total


def demand_deadline(reached_on: date) -> date:
    """The day by which the company holds the demanded meeting (45 days, ст. 45 ч. 6)."""
    return reached_on + timedelta(days=DEMAND_DAYS)


@dataclass(frozen=True)
class AfterDeadlines:
    """What follows the meeting's end (§1.7), from the closing date."""

    protocol_by: date
    results_notice_by: date
    originals_to_company_by: date
    challenge_until: date


def after_deadlines(voting_ends: date, decided_on: date | None = None) -> AfterDeadlines:
    decided = decided_on or voting_ends
    months = decided.month - 1 + CHALLENGE_MONTHS
    year, month = decided.year + months // 12, months % 12 + 1
    challenge = date(year, month, min(decided.day, calendar.monthrange(year, month)[1]))
    return AfterDeadlines(
        protocol_by=voting_ends + timedelta(days=PROTOCOL_DAYS),
        results_notice_by=decided + timedelta(days=RESULTS_NOTICE_DAYS),
        originals_to_company_by=voting_ends + timedelta(days=ORIGINALS_TO_COMPANY_DAYS),
        challenge_until=challenge,
    )


def inspectorate_deadline(originals_received_on: date) -> date:
    """The company sends the originals to the housing inspectorate within 5 days of receiving them (ст. 46 ч. 1.1)."""
    return originals_received_on + timedelta(days=ORIGINALS_TO_INSPECTORATE_DAYS)


# --- ballots and the count (§1.4–1.6) ----------------------------------------------------------------------------


class Choice(StrEnum):
    FOR = "for"  # за
    AGAINST = "against"  # против
    ABSTAIN = "abstain"  # воздержался


class Rejection(StrEnum):
    """Why a whole ballot is not counted (§1.6), plus the portal's own duplicate."""

    LATE = "late"  # received after the closing date/time (ст. 47 ч. 2)
    NOT_OWNER = "not_owner"  # not an owner, or no valid power of attorney (ст. 48 ч. 1–2)
    NO_IDENTITY = "no_identity"  # voter identification or ownership document missing (ст. 48 ч. 5.1)
    UNSIGNED = "unsigned"
    DUPLICATE = "duplicate"  # this ownership already has a counted ballot


@dataclass(frozen=True)
class Received:
    """A paper decision of an ownership the company holds: ``counted`` (accepted by the moderator ``at``), or
    received ``at`` and waiting for its check."""

    entry_id: int
    counted: bool
    at: datetime


def confirmable(drafts: Mapping[int, int], received: Iterable[Received]) -> tuple[list[int], dict[int, Received]]:
    """ЖК ст. 48: one decision per ownership, and the first the company receives is the one that counts, whatever
    its channel. Of the drafts a code confirms (ballot id → its register line): those it accepts now, and by register
    line the decision that keeps each other one out — a paper ballot counted, else one received and being checked
    (rejected, a paper ballot keeps nothing out: the owner may then vote in the portal)."""
    first: dict[int, Received] = {}
    for r in sorted(received, key=lambda r: (not r.counted, r.at)):  # the counted one, else the first received
        first.setdefault(r.entry_id, r)
    free = [ballot for ballot, entry in drafts.items() if entry not in first]
    return free, {entry: first[entry] for entry in sorted(set(drafts.values())) if entry in first}


@dataclass(frozen=True)
class BallotFacts:
    """A ballot as the count sees it. ``answers`` maps each question to a choice, or to None where the ballot
    marked more than one option or none (that answer is not counted, ст. 48 ч. 6; the rest of the ballot is)."""

    ownership_id: int
    group: str
    weight: Fraction
    received_at: datetime
    answers: Mapping[int, Choice | None]
    accepted: bool = True


@dataclass(frozen=True)
class Question:
    id: int
    threshold: Threshold


class Decision(StrEnum):
    ADOPTED = "adopted"
    REJECTED = "rejected"
    NO_QUORUM = "no_quorum"  # without quorum nothing is decided (ст. 45 ч. 3)


@dataclass(frozen=True)
class QuestionResult:
    id: int
    threshold: Threshold
    votes_for: Fraction
    against: Fraction
    abstained: Fraction
    invalid: Fraction  # answers not counted (several or no option marked); still taking part, §1.6
    participating: Fraction
    needed: Fraction  # the bar ``votes_for`` is compared with
    decision: Decision
    base: Fraction = Fraction(0)  # what the question's shares are of (``base_of``)


@dataclass(frozen=True)
class Outcome:
    total: Fraction
    participating: Fraction
    quorum: bool
    questions: list[QuestionResult] = field(default_factory=list)
    counted: frozenset[int] = frozenset()  # ownerships whose ballot counted
    # The votes each of them took part with: its weight, or its share of it where joint co-owners voted (``_shares``).
    votes: Mapping[int, Fraction] = field(default_factory=dict)


def counted_ballots(ballots: Iterable[BallotFacts], closes_at: datetime) -> list[BallotFacts]:
    """The ballots that count: accepted, received by the closing moment (a minute later is too late), one per
    ownership (the first received; a paper copy of an electronic ballot does not count twice)."""
    kept: dict[int, BallotFacts] = {}
    for b in sorted(ballots, key=lambda b: b.received_at):
        if not b.accepted or b.received_at > closes_at or b.ownership_id in kept:
            continue
        kept[b.ownership_id] = b
    return list(kept.values())


def _shares(ballots: Sequence[BallotFacts]) -> list[tuple[BallotFacts, Fraction]]:
    """Each counted ballot with the votes it carries: its holding's (``holdings``), split equally among joint
    co-owners who voted (ГК ст. 254 ч. 2; the design choice of §1.3, stated in the protocol)."""
    return [(b, votes / len(voters)) for voters, votes in holdings(ballots) for b in voters]


def passes(threshold: Threshold, votes_for: Fraction, participating: Fraction, total: Fraction) -> bool:
    """The bar of §1.5, compared exactly: more than half (SIMPLE, ABS_MAJ), at least (TWO_THIRDS, UNANIMOUS)."""
    bar = needed_for(threshold, participating, total)
    if threshold in (Threshold.SIMPLE, Threshold.ABS_MAJ):
        return votes_for > bar
    return votes_for >= bar


def needed_for(threshold: Threshold, participating: Fraction, total: Fraction) -> Fraction:
    """SIMPLE and ABS_MAJ: ``for`` must be more than this; TWO_THIRDS and UNANIMOUS: at least this."""
    return {
        Threshold.SIMPLE: participating / 2,
        Threshold.ABS_MAJ: total / 2,
        Threshold.TWO_THIRDS: total * 2 / 3,
        Threshold.UNANIMOUS: total,
    }[threshold]


class Base(StrEnum):
    """What a question's shares («за 60 %») are of: the votes its decision is measured against."""

    PARTICIPATING = "participating"  # the votes of the owners taking part (SIMPLE)
    ALL = "all"  # all votes of the house (ABS_MAJ, TWO_THIRDS, UNANIMOUS)


def base_kind(threshold: Threshold) -> Base:
    return Base.PARTICIPATING if threshold == Threshold.SIMPLE else Base.ALL


def base_of(threshold: Threshold, participating: Fraction, total: Fraction) -> Fraction:
    """The votes a question's shares are told of (``base_kind``), so that «за 60 %» reads against the same votes
    as the bar its decision was taken on: a question decided by those taking part is not shown as 40 % «за» of
    the house while it passed with 80 % of the votes that took part."""
    return participating if base_kind(threshold) == Base.PARTICIPATING else total


def has_quorum(participating: Fraction, total: Fraction) -> bool:
    """More than half of all votes (ст. 45 ч. 3); exactly half is not a quorum."""
    return participating > total / 2


def count(
    total: Fraction, questions: Sequence[Question], ballots: Iterable[BallotFacts], closes_at: datetime
) -> Outcome:
    """Quorum and each question's decision (§1.4–1.6): the one function behind the live tally and the protocol."""
    valid = counted_ballots(ballots, closes_at)
    weighted = _shares(valid)
    participating = sum((w for _, w in weighted), Fraction(0))
    quorum = has_quorum(participating, total)
    results = []
    for q in questions:
        sums = {c: Fraction(0) for c in Choice}
        invalid = Fraction(0)
        for ballot, weight in weighted:
            answer = ballot.answers.get(q.id)
            if answer is None:
                invalid += weight
            else:
                sums[answer] += weight
        if not quorum:
            decision = Decision.NO_QUORUM
        elif passes(q.threshold, sums[Choice.FOR], participating, total):
            decision = Decision.ADOPTED
        else:
            decision = Decision.REJECTED
        results.append(
            QuestionResult(
                id=q.id,
                threshold=q.threshold,
                votes_for=sums[Choice.FOR],
                against=sums[Choice.AGAINST],
                abstained=sums[Choice.ABSTAIN],
                invalid=invalid,
                participating=participating,
                needed=needed_for(q.threshold, participating, total),
                decision=decision,
                base=base_of(q.threshold, participating, total),
            )
        )
    return Outcome(
        total=total,
        participating=participating,
        quorum=quorum,
        questions=results,
        counted=frozenset(b.ownership_id for b in valid),
        votes={b.ownership_id: w for b, w in weighted},
    )


HUNDREDTH = Decimal("0.01")


def percent(part: Fraction, total: Fraction) -> Decimal:
    """``part`` of ``total`` in per cent for display: 2 places, HALF_UP, computed from the exact fraction."""
    if total == 0:
        return Decimal("0.00")
    exact = part * 100 / total
    scaled = exact * 100
    whole, rest = divmod(scaled.numerator, scaled.denominator)
    if rest * 2 >= scaled.denominator:
        whole += 1
    return (Decimal(whole) / 100).quantize(HUNDREDTH, rounding=ROUND_HALF_UP)


def votes_decimal(votes: Fraction, places: int = 2) -> Decimal:
    """Votes for display (m², 2 places HALF_UP); never decided on."""
    scaled = votes * 10**places
    whole, rest = divmod(scaled.numerator, scaled.denominator)
    if rest * 2 >= scaled.denominator:
        whole += 1
    return Decimal(whole).scaleb(-places)


# --- the protocol (§1.7) -------------------------------------------------------------------------------------------


class Order(StrEnum):
    """The Ministry of Construction order that sets the protocol's contents on the meeting date."""

    MINSTROY_44 = "44/пр"  # 28.01.2019, in force until 31.08.2025
    MINSTROY_266 = "266/пр"  # 30.04.2025, from 01.09.2025


ORDER_266_FROM = date(2025, 9, 1)


def order_on(day: date) -> Order:
    return Order.MINSTROY_266 if day >= ORDER_266_FROM else Order.MINSTROY_44


class ProtocolField(StrEnum):
    """What the protocol must contain (44/пр п. 4, п. 20; 266/пр adds the ГИС ЖКХ number and the СНИЛС)."""

    NAME = "name"
    DATE_AND_NUMBER = "date_and_number"
    DATE_AND_PLACE = "date_and_place"
    HEADING = "heading"  # address, form, initiator, chair, secretary, counters
    TOTAL_VOTES = "total_votes"  # total votes and area of the premises
    PARTICIPATING = "participating"
    QUORUM = "quorum"
    QUESTION_RESULTS = "question_results"  # per question: for, against, abstained, decision
    STORAGE_PLACE = "storage_place"
    ANNEX_REGISTER = "annex_register"  # register of owners: premises, documents, votes
    ANNEX_NOTICE = "annex_notice"
    ANNEX_PARTICIPANTS = "annex_participants"
    ANNEX_POWERS = "annex_powers"  # powers of attorney
    ANNEX_DOCUMENTS = "annex_documents"  # documents considered
    ANNEX_BALLOTS = "annex_ballots"  # the written decisions
    GIS_NUMBER = "gis_number"  # 266/пр: unique number from ГИС ЖКХ
    SNILS = "snils"  # 266/пр: the owners' СНИЛС on the ballots [VERIFY full field list]
    JOINT_RULE = "joint_rule"  # the portal's design choice for disagreeing joint owners (§1.3)
    SIGNATURES = "signatures"  # 44/пр п. 20: the chair, the secretary and the vote counters, each with a date


_44_FIELDS = tuple(f for f in ProtocolField if f not in (ProtocolField.GIS_NUMBER, ProtocolField.SNILS))


def protocol_fields(day: date) -> tuple[ProtocolField, ...]:
    """The fields required by the order in force on ``day``."""
    if order_on(day) == Order.MINSTROY_266:
        return (*_44_FIELDS, ProtocolField.GIS_NUMBER, ProtocolField.SNILS)
    return _44_FIELDS


class Signer(StrEnum):
    """Who signs the protocol (44/пр п. 20, DOMAIN.md §1.7)."""

    CHAIR = "chair"
    SECRETARY = "secretary"
    COUNTER = "counter"  # one line for each person who counted the votes


def protocol_signers(chair: str, secretary: str, counters: str, initiator: str) -> list[tuple[Signer, str]]:
    """The protocol's signatures in order: the chair, the secretary, and each vote counter (the meeting's field
    names them separated by commas or semicolons), the initiator where nobody was named to count. A name not given
    is "" — written in by hand."""
    counted = [name.strip() for name in re.split(r"[,;]", counters) if name.strip()] or [initiator.strip()]
    return [
        (Signer.CHAIR, chair.strip()),
        (Signer.SECRETARY, secretary.strip()),
        *((Signer.COUNTER, name) for name in counted),
    ]


def asks_snils(day: date) -> bool:
    """Whether the order in force on ``day`` has the owners write their СНИЛС on the ballots (266/пр, not 44/пр)."""
    return ProtocolField.SNILS in protocol_fields(day)


def snils_required(day: date, person: bool) -> bool:
    """Whether an owner's decision must carry their СНИЛС (DOMAIN §1.6): a natural person's (``person``) under the
    order in force on the meeting's first day ``day`` (266/пр). An organisation is named by its name and ОГРН
    (ЖК ст. 48 ч. 5.1), no СНИЛС; under 44/пр no decision carries one."""
    return person and asks_snils(day)


# --- the owner's СНИЛС, as written on a paper ballot (266/пр) ---------------------------------------------------

SNILS_CHECKED_FROM = 1_001_999  # the check number is defined for the numbers above 001-001-998 only
_SNILS_SEPARATORS = str.maketrans("", "", " -\u00a0")


def snils_digits(typed: str) -> str:
    """The digits of a СНИЛС as written «112-233-445 95» or «11223344595»: separators (spaces, dashes) dropped."""
    return typed.strip().translate(_SNILS_SEPARATORS)


def snils_valid(typed: str) -> bool:
    """A СНИЛС: 11 digits, the last two the check number of the first nine (each digit times its weight, 9 for the
    first down to 1 for the ninth, summed; a sum below 100 is the check number itself, 100 and 101 give 00, a greater
    sum is taken modulo 101, 100 again giving 00). The earliest numbers, up to 001-001-998, have no check number: any
    is accepted but the number 000-000-000, never issued."""
    digits = snils_digits(typed)
    if len(digits) != 11 or not digits.isascii() or not digits.isdigit():
        return False
    number = int(digits[:9])
    if number < SNILS_CHECKED_FROM:
        return number > 0
    return digits[9:] == snils_check_number(digits[:9])


def snils_check_number(first_nine: str) -> str:
    """The two check digits of a СНИЛС whose first nine digits are ``first_nine`` (as ``snils_valid`` reads them)."""
    total = sum(int(d) * w for d, w in zip(first_nine, range(9, 0, -1), strict=True))
    return f"{total % 101 % 100:02d}"


def snils_masked(digits: str) -> str:
    """A СНИЛС as staff see it: only its last four digits, «•••-•••-•45 95»; empty when none was written."""
    return f"•••-•••-•{digits[7:9]} {digits[9:]}" if len(digits) == 11 else ""


def snils_erased_on(protocol_day: date, keep_years: int) -> date:
    """The day the СНИЛС of a meeting's ballots are erased (152-ФЗ ст. 5 ч. 7): the day after their keeping term of
    ``keep_years`` from the protocol's date ends (``Settings.ballot_snils_keep_years`` says why 3)."""
    return years_after(protocol_day, keep_years) + timedelta(days=1)


# --- the search of the owners who vote -----------------------------------------------------------------------

OWNER_SEARCH_LENGTH = 100  # characters of a query read: a name and a number or two, nothing longer
OWNER_SEARCH_NUMBERS = 6
PREMISE_NUMBER_LENGTH = 16  # as long as a premise's number can be (housing.tables.Premise.number)
_PREMISE_MARKS = frozenset({"кв", "квартира", "пом", "помещение", "ап", "апартаменты"})


@dataclass(frozen=True)
class OwnerSearch:
    """What the owners page's search box asks for: ``names``, the words of an owner's name (the owners' text
    index answers words of three letters and more: ``core.search.text_match``), and ``numbers``, premise numbers
    (a word with a digit: «12», «1Н», «№ 7»), each matched whole. ``typed``: what the box showed, as typed."""

    typed: str = ""
    names: str = ""
    numbers: tuple[str, ...] = ()

    @property
    def asked(self) -> bool:
        return bool(self.typed)

    @property
    def answerable(self) -> bool:
        """Something typed can be searched for: a number, or a word of a name of three letters or more («Ян» alone
        is too short for the index, and a search the index cannot answer would read every owner)."""
        return bool(self.numbers or terms_of(self.names))


def read_owner_search(typed: str) -> OwnerSearch:
    """The words of ``typed`` sorted into a name's and premise numbers («кв.», «пом.» and «№» are left out:
    «кв. 12» is the premise 12); at most ``OWNER_SEARCH_LENGTH`` characters and ``OWNER_SEARCH_NUMBERS`` numbers."""
    typed = " ".join(typed.split())[:OWNER_SEARCH_LENGTH]
    names: list[str] = []
    numbers: list[str] = []
    for word in typed.replace("№", " ").replace("#", " ").split(" "):
        word = word.strip(".,;:")
        if not word or word.lower() in _PREMISE_MARKS:
            continue
        if any(c.isdigit() for c in word):
            if len(word) <= PREMISE_NUMBER_LENGTH and word not in numbers:
                numbers.append(word)
        else:
            names.append(word)
    return OwnerSearch(typed=typed, names=" ".join(names), numbers=tuple(numbers[:OWNER_SEARCH_NUMBERS]))


# What follows a father's name in a patronymic, every case: Андрей → Андрее|вич, Андрее|вичу, Андрее|вной; Илья →
# Ильи|нична. A surname typed is sought outside the patronymics, whatever part of the suffix the typed word reaches.
_MALE_SUFFIXES = ("ович", "евич", "ич")
_MALE_CASES = ("", "а", "у", "ем", "е")
_FEMALE_SUFFIXES = ("овна", "евна", "ична", "инична")
_FEMALE_CASES = ("а", "ы", "е", "у", "ой", "ою")


def patronymic_rests(word: str) -> list[str]:
    """What may follow ``word`` (a word of a name typed, in lower case) to the end of a patronymic: «андреев» is
    followed by «ич», «ича», «на», «ной»…, «андрее» by «вич», «вна»…, «ильи» by «ч». A case ending alone never
    counts (Андреев|а, Ильин|а are surnames), nor «н…» but after «в» or «ч» (Ильи|на is a surname, Андреев|на a
    patronymic) or as «нич…», nor «ч…» but after «и»."""
    male = {suffix[i:] + case for suffix in _MALE_SUFFIXES for i in range(len(suffix)) for case in _MALE_CASES}
    female = {
        suffix[i:-1] + case for suffix in _FEMALE_SUFFIXES for i in range(len(suffix) - 1) for case in _FEMALE_CASES
    }
    return sorted((rest for rest in male | female if _rest_fits(word, rest)), key=lambda rest: (-len(rest), rest))


def _rest_fits(word: str, rest: str) -> bool:
    if rest.startswith("н") and not rest.startswith("нич"):  # Андреев|на, Ильинич|на; Ильи|нична
        return word.endswith(("в", "ч"))
    return not rest.startswith("ч") or word.endswith("и")  # Ильи|ч, Андрееви|ча


_PATRONYMIC_ENDINGS = _MALE_SUFFIXES + _FEMALE_SUFFIXES
# A Turkic patronymic is the father's name and «son of» / «daughter of», apart or hyphenated: Гусейн оглы,
# Рустем-оглу, Решат кызы (Crimean Tatar, Azerbaijani, Kazakh spellings).
_TURKIC_PARTICLES = ("оглы", "оглу", "улы", "уулу", "кызы", "гызы", "кизи")


def _patronymic(words: list[str]) -> bool:
    """Whether ``words`` (one or two words of a name) are a patronymic: «Сергеевна», «Гусейн оглы», «Рустем-оглу»."""
    last = words[-1].lower()
    if len(words) == 2:
        return words[0][:1].isupper() and last in _TURKIC_PARTICLES
    return last.endswith(_PATRONYMIC_ENDINGS) or last.rpartition("-")[2] in _TURKIC_PARTICLES


def document_name(name: str) -> str:
    """A person's name as the meeting's documents write it, surname first like the register of owners: an
    account's «Ольга Сергеевна Кравец» (given name, patronymic, surname) is «Кравец Ольга Сергеевна», «Али Гусейн
    оглы Мамедов» is «Мамедов Али Гусейн оглы». A name in any other shape (already surname first, without a
    patronymic, an organisation's) is written as it is."""
    words = name.split()
    if len(words) in (3, 4) and _patronymic(words[1:-1]) and words[-1][:1].isupper():
        return " ".join([words[-1], *words[:-1]])
    return name


def premise_number_spellings(number: str) -> list[str]:
    """The ways a premise number typed may be stored: as typed, in capitals and in small letters («1н» is 1Н)."""
    return sorted({number, number.upper(), number.lower()})
