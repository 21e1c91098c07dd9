"""Reads of meetings: bounded, indexed, typed; a meeting is loaded only if the caller may see it.

Residents see the published meetings of the houses of their accounts and of the premises they own; they vote only
on the register lines of the owners they are linked to (``OwnerLink``). Staff see the meetings of their houses.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from dataclasses import fields
from dataclasses import replace
from datetime import date
from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any

from litestar.exceptions import NotFoundException
from piccolo.columns.combination import WhereRaw
from piccolo.query.methods.select import Count

from portal.accounts.queries import houses_of_accounts
from portal.core import clock
from portal.core import orphans
from portal.core.address import full_address
from portal.core.address import premise_name
from portal.core.clauses import every
from portal.core.db import from_row
from portal.core.pagination import Page
from portal.core.pagination import PageRequest
from portal.core.rows import built_once
from portal.core.search import terms_of
from portal.core.search import text_match
from portal.core.security import Principal
from portal.core.web import found
from portal.housing.queries import house_scope
from portal.housing.queries import kept
from portal.housing.tables import House
from portal.housing.tables import Owner
from portal.housing.tables import OwnerKind
from portal.housing.tables import Ownership
from portal.housing.tables import Premise
from portal.meetings import rules
from portal.meetings.tables import AgendaItem
from portal.meetings.tables import Ballot
from portal.meetings.tables import BallotStatus
from portal.meetings.tables import Initiative
from portal.meetings.tables import InitiativeStatus
from portal.meetings.tables import InitiativeSupport
from portal.meetings.tables import Meeting
from portal.meetings.tables import MeetingStatus
from portal.meetings.tables import OwnerLink
from portal.meetings.tables import RegisterEntry
from portal.meetings.tables import Source
from portal.meetings.tables import Vote
from portal.settings import get_settings

LIST_LIMIT = 100


@dataclass(frozen=True)
class Item:
    id: int
    position: int
    text: str
    subject: rules.Subject
    threshold: rules.Threshold
    material_key: str
    material_name: str
    text_en: str = ""  # the English twin (read through i18n.own_words: the Russian stands in where empty)


@dataclass
class MeetingView:
    id: int
    house_id: int
    address: str
    title: str
    form: rules.Form
    status: MeetingStatus
    initiator: str
    administrator: str
    place: str
    in_person_at: datetime | None
    notice_on: date
    administrator_notified_on: date | None
    starts_on: date
    voting_starts_at: datetime
    voting_ends_at: datetime
    register_on: date
    total: Fraction
    register_fixed: bool
    chair: str
    secretary: str
    counters: str
    storage_place: str
    protocol_number: str
    gis_number: str
    published_at: datetime | None
    closed_at: datetime | None
    originals_received_on: date | None
    sent_to_inspectorate_on: date | None
    snils_erased_at: datetime | None = None  # when the ballots' СНИЛС were erased at the end of their term
    title_en: str = ""  # the English twin (read through i18n.own_words: the Russian stands in where empty)
    updated_at: datetime | None = None  # its version: the draft's edit form carries it (core.stale)
    items: list[Item] = field(default_factory=list)

    @property
    def stage(self) -> rules.Stage:
        return rules.stage(
            published=self.status != MeetingStatus.DRAFT,
            cancelled=self.status == MeetingStatus.CANCELLED,
            closed=self.status == MeetingStatus.CLOSED,
            voting_starts=self.voting_starts_at,
            voting_ends=self.voting_ends_at,
            now=clock.now(),
        )

    @property
    def voting_ends_on(self) -> date:
        return clock.local(self.voting_ends_at).date()

    @property
    def deadlines(self) -> rules.AfterDeadlines:
        decided = clock.local(self.closed_at).date() if self.closed_at else None
        return rules.after_deadlines(self.voting_ends_on, decided)

    @property
    def asks_snils(self) -> bool:
        """Whether its paper ballots carry the owners' СНИЛС (266/пр)."""
        return rules.asks_snils(self.starts_on)

    @property
    def snils_erased_on(self) -> date | None:
        """The day the ballots' СНИЛС were erased, or are to be at the end of their keeping term, counted from the
        protocol's date (``rules.snils_erased_on``); None before the protocol."""
        if self.snils_erased_at is not None:
            return clock.local(self.snils_erased_at).date()
        if self.closed_at is None:
            return None
        return rules.snils_erased_on(clock.local(self.closed_at).date(), get_settings().ballot_snils_keep_years)

    @property
    def inspectorate_by(self) -> date | None:
        """The company sends the originals to the housing inspectorate within 5 days of receiving them."""
        return rules.inspectorate_deadline(self.originals_received_on) if self.originals_received_on else None

    @property
    def online(self) -> bool:
        return self.form in rules.ONLINE_FORMS


def _meeting_view(r: dict[str, Any]) -> MeetingView:
    return from_row(
        MeetingView,
        r,
        house_id=r["house"],
        form=rules.Form(r["form"]),
        status=MeetingStatus(r["status"]),
        total=Fraction(r["total_num"], r["total_den"]),
        register_fixed=r["register_fixed_at"] is not None,
    )


@built_once
def _meeting_columns() -> tuple[Any, ...]:
    """A meeting's own columns and its house's address (built once: ``core.rows.built_once``)."""
    return (*Meeting.all_columns(), Meeting.house.address.as_alias("address"))


def _meeting_select() -> Any:
    return Meeting.select(*_meeting_columns())


async def items_of(meeting_id: int) -> list[Item]:
    rows = await AgendaItem.select().where(AgendaItem.meeting == meeting_id).order_by(AgendaItem.position).limit(200)
    return [
        from_row(Item, r, subject=rules.Subject(r["subject"]), threshold=rules.Threshold(r["threshold"])) for r in rows
    ]


async def _load(condition: Any) -> MeetingView | None:
    row = await _meeting_select().where(condition).first()
    if row is None:
        return None
    view = _meeting_view(row)
    view.items = await items_of(view.id)
    return view


# --- who the resident is --------------------------------------------------------------------------------------


async def linked_owners(user_id: int | None) -> list[int]:
    """The registry owners this user is (staff-checked links)."""
    if user_id is None:
        return []
    rows = await OwnerLink.select(OwnerLink.owner).where(OwnerLink.user == user_id).limit(50)
    return [r["owner"] for r in rows]


@dataclass(frozen=True)
class Reach:
    """What of the meetings reaches a user: the houses whose meetings they see, the registry owners they vote for."""

    houses: list[int]
    owners: list[int]


@built_once
def _owned_house() -> Any:
    """The house of an ownership's premise, read as ``house`` (built once: ``core.rows.built_once``)."""
    return Ownership.premise.house.as_alias("house")


async def resident_reach(principal: Principal) -> Reach:
    """The houses of the user's accounts and of the premises they own (through their linked owners), and those
    owners: the owner links are read once."""
    houses = {h.house_id for h in await houses_of_accounts(principal)}
    owners = await linked_owners(principal.user_id)
    if owners:
        rows = await Ownership.select(_owned_house()).where(Ownership.owner.is_in(owners))
        houses.update(r["house"] for r in rows)
    return Reach(houses=sorted(houses), owners=owners)


async def resident_houses(principal: Principal) -> list[int]:
    """Houses whose meetings the user sees: those of their accounts and of the premises they own."""
    return (await resident_reach(principal)).houses


async def meeting_for_resident(principal: Principal, meeting_id: int) -> MeetingView:
    """A published meeting of one of the user's houses, or 404 (missing and forbidden look alike)."""
    houses = await resident_houses(principal)
    view = await _load(
        (Meeting.id == meeting_id)
        & Meeting.house.is_in(houses or [-1])
        & (Meeting.status.is_in([MeetingStatus.PUBLISHED, MeetingStatus.CLOSED]))
    )
    if view is None:
        raise NotFoundException()
    return view


async def meeting_for_staff(principal: Principal, meeting_id: int) -> MeetingView:
    condition = Meeting.id == meeting_id
    scope = house_scope(Meeting.house, principal)
    return found(await _load(condition & scope if scope is not None else condition))


# --- the register and ballots -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """A register line with its ballot (if any) as the page shows it."""

    id: int
    ownership_id: int
    owner_id: int
    owner_name: str
    premise: str
    area: Decimal
    share: str
    joint: bool
    document: str
    weight: Fraction
    group: str
    ballot_id: int | None = None
    ballot_status: BallotStatus | None = None
    ballot_source: Source | None = None
    ballot_received_at: datetime | None = None
    answers: dict[int, rules.Choice | None] = field(default_factory=dict)
    rejection: rules.Rejection | None = None  # why the last paper ballot was not counted, none counted or pending

    @property
    def locked(self) -> bool:
        return self.ballot_status in (BallotStatus.ACCEPTED, BallotStatus.MODERATION)


def _line(r: dict[str, Any]) -> Line:
    share = f"{r['share_num']}/{r['share_den']}" if (r["share_num"], r["share_den"]) != (1, 1) else "1"
    return Line(
        id=r["id"],
        ownership_id=r["ownership"],
        owner_id=r["owner"],
        owner_name=r["owner_name"],
        premise=premise_name(r["premise_kind"], r["premise_number"]),
        area=Decimal(str(r["area"])).quantize(Decimal("0.01")),
        share=share,
        joint=r["joint"],
        document=r["document"],
        weight=Fraction(r["weight_num"], r["weight_den"]),
        group=r["group"],
    )


async def voter_lines(principal: Principal, meeting_id: int) -> list[Line]:
    """The register lines this user votes on (their linked owners'), each with its electronic ballot and answers."""
    owners = await linked_owners(principal.user_id)
    return (await lines_of_owners(owners, [meeting_id])).get(meeting_id, [])


async def lines_of_owners(
    owners: list[int], meeting_ids: list[int], *, with_answers: bool = True
) -> dict[int, list[Line]]:
    """The register lines of ``owners`` in each of the meetings (by meeting id), each with its ballot (a counted or
    pending one before a draft; a rejected one never) and, ``with_answers``, the ballot's answers: three statements
    at most, whatever the number of meetings (the lines, their ballots, the answers)."""
    if not owners or not meeting_ids:
        return {}
    rows = (
        await RegisterEntry.select()
        .where(RegisterEntry.meeting.is_in(meeting_ids) & RegisterEntry.owner.is_in(owners))
        .order_by(RegisterEntry.id)
        .limit(50 * len(meeting_ids))
    )
    if not rows:
        return {}
    chosen, rejected = await _ballots_of_lines(meeting_ids, [r["id"] for r in rows])
    answers = await answers_of([b["id"] for b in chosen.values()]) if with_answers else {}
    out: dict[int, list[Line]] = {}
    for r in rows:
        line = _line(r)
        b = chosen.get(line.id)
        if b is None or b["status"] == BallotStatus.DRAFT:
            line = replace(line, rejection=rejected.get(line.id))
        if b is not None:
            line = replace(
                line,
                ballot_id=b["id"],
                ballot_status=BallotStatus(b["status"]),
                ballot_source=Source(b["source"]),
                ballot_received_at=b["received_at"],
                answers=answers.get(b["id"], {}),
            )
        out.setdefault(r["meeting"], []).append(line)
    return out


async def _ballots_of_lines(
    meeting_ids: list[int], entry_ids: list[int]
) -> tuple[dict[int, dict[str, Any]], dict[int, rules.Rejection]]:
    """The ballot each register line shows (by entry id): a counted or pending ballot wins over a draft; and the
    reason the last rejected ballot of a line was not counted (its owner is told on the page)."""
    ballots = (
        await Ballot.select(Ballot.id, Ballot.entry, Ballot.status, Ballot.source, Ballot.received_at, Ballot.rejection)
        .where(Ballot.meeting.is_in(meeting_ids) & Ballot.entry.is_in(entry_ids))
        .order_by(Ballot.id)
    )
    chosen: dict[int, dict[str, Any]] = {}
    rejected: dict[int, rules.Rejection] = {}
    for b in ballots:
        if b["status"] == BallotStatus.REJECTED:
            if b["rejection"]:
                rejected[b["entry"]] = rules.Rejection(b["rejection"])
            continue
        current = chosen.get(b["entry"])
        if current is None or current["status"] == BallotStatus.DRAFT:
            chosen[b["entry"]] = b
    return chosen, rejected


async def answers_of(ballot_ids: list[int]) -> dict[int, dict[int, rules.Choice | None]]:
    if not ballot_ids:
        return {}
    rows = await Vote.select(Vote.ballot, Vote.item, Vote.choice).where(Vote.ballot.is_in(ballot_ids))
    out: dict[int, dict[int, rules.Choice | None]] = {}
    for r in rows:
        out.setdefault(r["ballot"], {})[r["item"]] = rules.Choice(r["choice"]) if r["choice"] else None
    return out


async def register_of(meeting_id: int, *, limit: int = 5000) -> list[Line]:
    """The whole register (the protocol's annex, the staff's paper-ballot form)."""
    rows = (
        await RegisterEntry.select().where(RegisterEntry.meeting == meeting_id).order_by(RegisterEntry.id).limit(limit)
    )
    return [_line(r) for r in rows]


async def is_person(owner_id: int) -> bool:
    """Whether the owner is a natural person (the one whose decision carries a СНИЛС), not an organisation."""
    return owner_id in await persons_among([owner_id])


async def persons_among(owner_ids: list[int]) -> set[int]:
    """The natural persons among the owners ``owner_ids`` (a register's, bounded by it)."""
    if not owner_ids:
        return set()
    rows = await Owner.select(Owner.id).where(Owner.id.is_in(owner_ids) & (Owner.kind == OwnerKind.PERSON))
    return {r["id"] for r in rows}


async def entry_of(meeting_id: int, entry_id: int) -> Line | None:
    row = (
        await RegisterEntry.select()
        .where((RegisterEntry.meeting == meeting_id) & (RegisterEntry.id == entry_id))
        .first()
    )
    return _line(row) if row else None


REGISTER_SHOWN = 20


@dataclass(frozen=True)
class RegisterChoice:
    """The register lines the paper-ballot form offers: those the words typed find (by the owner's name or the
    premise's number), at most ``REGISTER_SHOWN`` of ``total``, and the line picked before, kept when the words have
    changed since."""

    search: rules.OwnerSearch
    lines: list[Line]
    total: int
    more: int  # lines found but not shown: more words, or the number, would narrow them


_PADDED = "(owner.search_text || ' ')"  # every word of the name ends in a space


def _named(names: str) -> Any:
    """The owners every word of whose name is ``names`` (the owners' text index, a word found within a name), each
    word found somewhere else than only within a patronymic: «Андреев» and «Андрее» find Андреев and Андреева, not
    Иван Андреевич, Анна Андреевна or Андреевичу (each word's patronymics, cut at the end of a word, are taken out
    of the name before the word is looked for again). A patronymic typed whole still finds it."""
    found = text_match("owner", "search_text", names) if names else None
    if found is None:
        return None
    spared = []
    for word in terms_of(names):
        # Times the word occurs, against times it starts a patronymic: flat sums, as a chain of ``replace`` as deep
        # as the patronymics are many overflows SQLite's parser.
        within = [f"{word}{rest} " for rest in rules.patronymic_rests(word)]
        counts = [f"(length({_PADDED}) - length(replace({_PADDED}, {{}}, ''))) / {len(s)}" for s in [word, *within]]
        spared.append(WhereRaw(f"{counts[0]} > {' + '.join(counts[1:])}", word, *within))
    return every([found, *spared])


def _register_found(meeting_id: int, search: rules.OwnerSearch) -> Any:
    """The meeting's register lines of the owners every word of whose name is typed (the owners' text index), and
    of one of the premise numbers typed."""
    numbers = sorted({s for n in search.numbers for s in rules.premise_number_spellings(n)})
    names = _named(search.names)
    return every(
        [
            RegisterEntry.meeting == meeting_id,
            RegisterEntry.owner.is_in(Owner.select(Owner.id).where(names)) if names is not None else None,
            RegisterEntry.premise_number.is_in(numbers) if numbers else None,
        ]
    )


async def register_choice(meeting_id: int, search: rules.OwnerSearch, picked: int | None) -> RegisterChoice:
    """The lines of the register ``search`` finds (all of them, a page at most, when nothing is typed; none when
    what is typed is nothing the index can answer), with the ``picked`` line first when it is not among them."""
    lines: list[Line] = []
    total = 0
    if search.answerable or not search.asked:
        condition = _register_found(meeting_id, search)
        total = await RegisterEntry.count().where(condition)
        rows = await RegisterEntry.select().where(condition).order_by(RegisterEntry.id).limit(REGISTER_SHOWN)
        lines = [_line(r) for r in rows]
    more = total - len(lines)
    if picked is not None and picked not in {x.id for x in lines}:
        kept = await entry_of(meeting_id, picked)
        lines = [kept, *lines] if kept else lines
    return RegisterChoice(search, lines, total, more)


# --- the count ----------------------------------------------------------------------------------------------------


def _entry(*names: str) -> list[Any]:
    """Columns of a ballot's register entry, each read under its own name."""
    return [getattr(Ballot.entry, name).as_alias(name) for name in names]


async def ballot_facts(meeting_id: int) -> list[rules.BallotFacts]:
    """Every accepted ballot of the meeting as the count sees it (two queries)."""
    rows = await _accepted_ballots([meeting_id])
    answers = await answers_of([r["id"] for r in rows])
    return [_facts(r, answers.get(r["id"], {})) for r in rows]


async def _accepted_ballots(meeting_ids: list[int]) -> list[dict[str, Any]]:
    """The accepted ballots of the meetings, with what the count needs of their register entries (one query)."""
    if not meeting_ids:
        return []
    return await Ballot.select(
        Ballot.id, Ballot.meeting, Ballot.received_at, *_entry("ownership", "group", "weight_num", "weight_den")
    ).where(Ballot.meeting.is_in(meeting_ids) & (Ballot.status == BallotStatus.ACCEPTED))


def _facts(r: dict[str, Any], answers: dict[int, rules.Choice | None]) -> rules.BallotFacts:
    return rules.BallotFacts(
        ownership_id=r["ownership"],
        group=r["group"],
        weight=Fraction(r["weight_num"], r["weight_den"]),
        received_at=r["received_at"],
        answers=answers,
    )


async def outcome(meeting: MeetingView) -> rules.Outcome:
    """The live tally, and at the end the result: the one pure count over the accepted ballots."""
    questions = [rules.Question(i.id, i.threshold) for i in meeting.items]
    return rules.count(meeting.total, questions, await ballot_facts(meeting.id), meeting.voting_ends_at)


@dataclass(frozen=True)
class BallotRow:
    id: int
    meeting_id: int
    entry_id: int
    owner_name: str
    premise: str
    weight: Fraction
    source: Source
    status: BallotStatus
    rejection: rules.Rejection | None
    rejection_note: str
    duplicate: bool
    late: bool
    received_at: datetime | None
    scan_key: str
    scan_type: str
    voter_name: str
    answers: dict[int, rules.Choice | None]
    snils: str = ""  # the 11 digits written on a paper ballot, or empty: personal data, shown masked
    twin_waiting: bool = False  # a duplicate of a ballot that is itself still waiting (listed before it), not counted
    counted: Counted | None = None  # the ownership's counted ballot, where it has one: this one can only be rejected

    @property
    def snils_masked(self) -> str:
        return rules.snils_masked(self.snils)


async def paper_flags(ballot_id: int) -> tuple[bool, bool]:
    """Whether a paper ballot entered came late, and whether its ownership already had a ballot counted or waiting
    (``actions.enter_paper`` marks both): neither counts."""
    row = await Ballot.select(Ballot.late, Ballot.duplicate).where(Ballot.id == ballot_id).first()
    return (bool(row["late"]), bool(row["duplicate"])) if row else (False, False)


@dataclass(frozen=True)
class Counted:
    """The counted (accepted) ballot of an ownership: what a moderator opens to compare a repeat with."""

    id: int
    source: Source
    scan_key: str
    received_at: datetime | None = None  # an electronic one: when the owner confirmed it with the code


async def counted_ballots(meeting_id: int, entry_ids: list[int]) -> dict[int, Counted]:
    """The counted (accepted) ballot of each of the register lines ``entry_ids`` that has one now (one per line)."""
    if not entry_ids:
        return {}
    rows = await Ballot.select(Ballot.id, Ballot.entry, Ballot.source, Ballot.scan_key, Ballot.received_at).where(
        (Ballot.meeting == meeting_id) & Ballot.entry.is_in(entry_ids) & (Ballot.status == BallotStatus.ACCEPTED)
    )
    return {r["entry"]: Counted(r["id"], Source(r["source"]), r["scan_key"], r["received_at"]) for r in rows}


async def paper_decisions(entry_ids: list[int], *, limit: int = 200) -> list[rules.Received]:
    """The paper ballots of the register lines ``entry_ids`` that keep an electronic draft of the line from counting
    (``rules.confirmable``): counted, or waiting for the moderator. An electronic ballot is never among them: the
    line's draft is its only one (``Ballot.electronic_key``)."""
    rows = (
        await Ballot.select(Ballot.entry, Ballot.status, Ballot.received_at, Ballot.moderated_at)
        .where(
            Ballot.entry.is_in(entry_ids or [-1])
            & (Ballot.source == Source.PAPER)
            & Ballot.status.is_in([BallotStatus.ACCEPTED, BallotStatus.MODERATION])
        )
        .limit(limit)
    )
    return [
        rules.Received(
            r["entry"],
            counted=r["status"] == BallotStatus.ACCEPTED,
            at=(r["moderated_at"] if r["status"] == BallotStatus.ACCEPTED else None) or r["received_at"],
        )
        for r in rows
    ]


def flag_duplicates(waiting: list[BallotRow], counted: dict[int, Counted]) -> list[BallotRow]:
    """The waiting ballots, each marked a duplicate as things stand now: its ownership has a counted ballot
    (``counted``: that one, to open), or an earlier one waiting (``twin_waiting``: said so, not as counted). The mark
    stored at entry goes stale when the ballot it repeated is rejected."""
    seen = set(counted)
    out = []
    for b in waiting:
        mine = counted.get(b.entry_id)
        out.append(replace(b, duplicate=b.entry_id in seen, twin_waiting=b.entry_id in seen and not mine, counted=mine))
        seen.add(b.entry_id)
    return out


async def ballots_of(
    meeting_id: int, *, statuses: list[BallotStatus] | None = None, limit: int = 500
) -> list[BallotRow]:
    query = Ballot.select(
        Ballot.all_columns(), *_entry("owner_name", "premise_kind", "premise_number", "weight_num", "weight_den")
    ).where((Ballot.meeting == meeting_id) & (Ballot.status != BallotStatus.DRAFT))
    if statuses:
        query = query.where(Ballot.status.is_in(list(statuses)))
    rows = await query.order_by(Ballot.id).limit(limit)
    answers = await answers_of([r["id"] for r in rows])
    return [
        from_row(
            BallotRow,
            r,
            meeting_id=r["meeting"],
            entry_id=r["entry"],
            premise=premise_name(r["premise_kind"], r["premise_number"]),
            weight=Fraction(r["weight_num"], r["weight_den"]),
            source=Source(r["source"]),
            status=BallotStatus(r["status"]),
            rejection=rules.Rejection(r["rejection"]) if r["rejection"] else None,
            answers=answers.get(r["id"], {}),
        )
        for r in rows
    ]


async def ballot_for_staff(principal: Principal, ballot_id: int) -> tuple[MeetingView, BallotRow]:
    row = found(await Ballot.select(Ballot.meeting).where(Ballot.id == ballot_id).first())
    meeting = await meeting_for_staff(principal, row["meeting"])
    ballots = [b for b in await ballots_of(meeting.id) if b.id == ballot_id]
    if not ballots:
        raise NotFoundException()
    return meeting, ballots[0]


# --- lists ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MeetingSummary:
    """What every list of meetings shows of one."""

    id: int
    title: str
    stage: rules.Stage
    starts_on: date
    voting_ends_at: datetime
    title_en: str = field(default="", kw_only=True)


def _summary(view: MeetingView) -> dict[str, Any]:
    return {f.name: getattr(view, f.name) for f in fields(MeetingSummary)}


@dataclass(frozen=True)
class ListRow(MeetingSummary):
    address: str
    form: rules.Form
    participation: Decimal
    waiting: int


async def staff_list(principal: Principal, page: PageRequest, house_id: int | None = None) -> Page[ListRow]:
    scope = house_scope(Meeting.house, principal)
    conditions = [c for c in (scope, (Meeting.house == house_id) if house_id else None) if c is not None]
    query = _meeting_select()
    counting = Meeting.count()
    for c in conditions:
        query = query.where(c)
        counting = counting.where(c)
    rows = await query.order_by(Meeting.voting_ends_at, ascending=False).offset(page.offset).limit(page.size)
    total = await counting
    views = [_meeting_view(r) for r in rows]
    participating = await _participating_votes(views)
    waiting = await _ballots_waiting([v.id for v in views])
    items = [
        ListRow(
            **_summary(view),
            address=view.address,
            form=view.form,
            participation=rules.percent(participating[view.id], view.total),
            waiting=waiting.get(view.id, 0),
        )
        for view in views
    ]
    return Page(items=items, total=total, number=page.number, size=page.size)


async def _participating_votes(views: list[MeetingView]) -> dict[int, Fraction]:
    """The votes taking part in each of the meetings, from the accepted ballots of them all (one query: the
    participation needs no answers)."""
    ballots: dict[int, list[rules.BallotFacts]] = {v.id: [] for v in views}
    for r in await _accepted_ballots(list(ballots)):
        ballots[r["meeting"]].append(_facts(r, {}))
    return {v.id: rules.count(Fraction(1), [], ballots[v.id], v.voting_ends_at).participating for v in views}


async def _ballots_waiting(meeting_ids: list[int]) -> dict[int, int]:
    """How many paper ballots of each meeting wait for moderation (one grouped query)."""
    if not meeting_ids:
        return {}
    rows = (
        await Ballot.select(Ballot.meeting, Count(Ballot.id, alias="n"))
        .where(Ballot.meeting.is_in(meeting_ids) & (Ballot.status == BallotStatus.MODERATION))
        .group_by(Ballot.meeting)
    )
    return {r["meeting"]: r["n"] for r in rows}


async def resident_meetings(reach: Reach) -> list[MeetingView]:
    """The published meetings of the houses that reach the user (their reach is read once for the page)."""
    return await _published_in(reach.houses)


async def _published_in(houses: list[int]) -> list[MeetingView]:
    if not houses:
        return []
    rows = (
        await _meeting_select()
        .where(Meeting.house.is_in(houses) & Meeting.status.is_in([MeetingStatus.PUBLISHED, MeetingStatus.CLOSED]))
        .order_by(Meeting.voting_ends_at, ascending=False)
        .limit(LIST_LIMIT)
    )
    return [_meeting_view(r) for r in rows]


@dataclass(frozen=True)
class HomeMeeting(MeetingSummary):
    may_vote: bool
    voted: bool


async def home_meetings(principal: Principal) -> list[HomeMeeting] | None:
    """Meetings announced or voting in the user's houses, for the home page («what is happening»): the same few
    statements whatever the number of meetings (the user's houses and owners, the meetings, the owners' lines of
    them all and their ballots)."""
    reach = await resident_reach(principal)
    meetings = await _published_in(reach.houses)
    shown = [m for m in meetings if m.stage in (rules.Stage.ANNOUNCED, rules.Stage.VOTING)]
    lines = await lines_of_owners(reach.owners, [m.id for m in shown], with_answers=False)
    return [
        HomeMeeting(
            **_summary(m),
            may_vote=bool(lines.get(m.id)) and m.online,
            voted=bool(lines.get(m.id)) and all(line.locked for line in lines[m.id]),
        )
        for m in shown
    ] or None


# --- initiatives ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InitiativeView:
    id: int
    house_id: int
    address: str
    title: str
    agenda: str
    status: InitiativeStatus
    author_name: str
    total: Fraction
    support: Fraction
    supporters: int
    reached_on: date | None
    created_at: datetime

    @property
    def percent(self) -> Decimal:
        return rules.percent(self.support, self.total)

    @property
    def deadline(self) -> date | None:
        return rules.demand_deadline(self.reached_on) if self.reached_on else None


async def _initiatives(condition: Any, limit: int = LIST_LIMIT) -> list[InitiativeView]:
    rows = (
        await Initiative.select(
            Initiative.all_columns(),
            Initiative.house.address.as_alias("address"),
            Initiative.author_owner.name.as_alias("author_name"),
        )
        .where(condition)
        .order_by(Initiative.id, ascending=False)
        .limit(limit)
    )
    if not rows:
        return []
    supports = await InitiativeSupport.select(
        InitiativeSupport.initiative,
        InitiativeSupport.group,
        InitiativeSupport.weight_num,
        InitiativeSupport.weight_den,
    ).where(InitiativeSupport.initiative.is_in([r["id"] for r in rows]))
    groups: dict[int, dict[str, Fraction]] = {}
    counts: dict[int, int] = {}
    for s in supports:
        groups.setdefault(s["initiative"], {})[s["group"]] = Fraction(s["weight_num"], s["weight_den"])
        counts[s["initiative"]] = counts.get(s["initiative"], 0) + 1
    return [
        from_row(
            InitiativeView,
            r,
            house_id=r["house"],
            status=InitiativeStatus(r["status"]),
            total=Fraction(r["total_num"], r["total_den"]),
            support=sum(groups.get(r["id"], {}).values(), Fraction(0)),
            supporters=counts.get(r["id"], 0),
        )
        for r in rows
    ]


async def initiatives_for_resident(reach: Reach) -> list[InitiativeView]:
    return await _initiatives(
        Initiative.house.is_in(reach.houses or [-1]) & (Initiative.status != InitiativeStatus.WITHDRAWN)
    )


async def initiative_for_resident(principal: Principal, initiative_id: int) -> InitiativeView:
    houses = await resident_houses(principal)
    found = await _initiatives((Initiative.id == initiative_id) & Initiative.house.is_in(houses or [-1]), 1)
    if not found:
        raise NotFoundException()
    return found[0]


async def initiatives_for_staff(principal: Principal) -> list[InitiativeView]:
    scope = house_scope(Initiative.house, principal)
    condition = Initiative.status.is_in([InitiativeStatus.COLLECTING, InitiativeStatus.REACHED])
    return await _initiatives(condition & scope if scope is not None else condition)


async def supported_by(principal: Principal, initiative_id: int) -> set[int]:
    rows = await InitiativeSupport.select(InitiativeSupport.ownership).where(
        (InitiativeSupport.initiative == initiative_id) & (InitiativeSupport.user == principal.user_id)
    )
    return {r["ownership"] for r in rows}


# --- the registry as a meeting needs it ---------------------------------------------------------------------------


async def holdings_of_house(house_id: int, on: date) -> list[rules.Holding]:
    """Ownerships of the house valid on ``on`` (the register date), as the pure rules take them."""
    rows = await Ownership.select(
        Ownership.id,
        Ownership.owner,
        Ownership.premise,
        Ownership.share_numerator,
        Ownership.share_denominator,
        Ownership.joint,
        Ownership.valid_from,
        Ownership.valid_to,
        Ownership.premise.area.as_alias("area"),
    ).where(Ownership.premise.house == house_id)
    return [
        rules.Holding(
            ownership_id=r["id"],
            owner_id=r["owner"],
            premise_id=r["premise"],
            area=Decimal(str(r["area"])),
            numerator=r["share_numerator"],
            denominator=r["share_denominator"],
            joint=r["joint"],
        )
        for r in rows
        if (r["valid_from"] is None or r["valid_from"] <= on) and (r["valid_to"] is None or on <= r["valid_to"])
    ]


async def house_areas(house_id: int) -> list[Decimal]:
    rows = await Premise.select(Premise.area).where(Premise.house == house_id)
    return [Decimal(str(r["area"])) for r in rows]


async def house_addresses(house_ids: list[int]) -> list[tuple[int, str]]:
    """Each of the houses with its address, in the order given (one statement, whatever the number of houses)."""
    if not house_ids:
        return []
    rows = await House.select(House.id, House.address).where(House.id.is_in(house_ids))
    addresses = {r["id"]: r["address"] for r in rows}
    return [(h, addresses.get(h, "")) for h in house_ids]


async def owners_of_house(house_id: int) -> list[dict[str, Any]]:
    """Owners holding premises of the house (the choice of an initiator or of a link), by name."""
    rows = (
        await Ownership.select(Ownership.owner, Ownership.owner.name.as_alias("name"))
        .where(Ownership.premise.house == house_id)
        .order_by(Ownership.owner.name)
        .limit(2000)
    )
    seen: dict[int, str] = {}
    for r in rows:
        seen.setdefault(r["owner"], r["name"])
    return [{"id": k, "name": v} for k, v in seen.items()]


async def owner_names(owner_ids: list[int]) -> dict[int, str]:
    if not owner_ids:
        return {}
    rows = await Owner.select(Owner.id, Owner.name).where(Owner.id.is_in(owner_ids))
    return {r["id"]: r["name"] for r in rows}


async def user_ids_of_house(house_id: int) -> list[int]:
    """Users to tell about a meeting of the house: linked owners and every resident of its accounts (a closed
    account's family members and tenants no more, ``housing.queries.kept``)."""
    from portal.accounts.tables import Residency

    owners = await Ownership.select(Ownership.owner).where(Ownership.premise.house == house_id)
    linked = await OwnerLink.select(OwnerLink.user).where(OwnerLink.owner.is_in([r["owner"] for r in owners] or [-1]))
    residents = await Residency.select(Residency.user).where(
        (Residency.account.premise.house == house_id) & Residency.revoked_at.is_null() & kept(clock.today_local())
    )
    return sorted({r["user"] for r in linked} | {r["user"] for r in residents})


def address_of(meeting: MeetingView) -> str:
    return full_address(meeting.address)


async def count_rows(table: Any, condition: Any) -> int:
    return (await table.select(Count()).where(condition).first() or {"count": 0})["count"]


@dataclass(frozen=True)
class OwnerLinkRow:
    owner_id: int
    name: str
    premises: str
    user_email: str | None


def _owners_found(house_id: int, search: rules.OwnerSearch) -> Any:
    """The house's owners that ``search`` names: every word of the name (the owners' text index), and one of the
    numbers typed among the premises they hold in this house (premise by house and number: its index)."""
    in_house = Ownership.premise.house == house_id
    numbers = sorted({s for n in search.numbers for s in rules.premise_number_spellings(n)})
    numbered = in_house & Ownership.premise.number.is_in(numbers) if numbers else None
    return every(
        [
            Owner.id.is_in(Ownership.select(Ownership.owner).where(in_house)),
            _named(search.names),
            Owner.id.is_in(Ownership.select(Ownership.owner).where(numbered)) if numbered is not None else None,
        ]
    )


async def owner_links(
    house_id: int | None, page: PageRequest, search: rules.OwnerSearch = rules.OwnerSearch()
) -> Page[OwnerLinkRow]:
    """A page of the house's owners by name with the user each is linked to (the staff page that lets owners
    vote): a house of a thousand owners is read a page at a time, not all at once; ``search`` narrows them to a
    name or a premise (none when it has nothing the index can answer: a name of two letters)."""
    if house_id is None or (search.asked and not search.answerable):
        return Page(items=[], total=0, number=page.number, size=page.size)
    from portal.accounts.tables import User

    condition = _owners_found(house_id, search)
    total = await Owner.count().where(condition)
    owners = (
        await Owner.select(Owner.id, Owner.name)
        .where(condition)
        .order_by(Owner.name)
        .order_by(Owner.id)
        .offset(page.offset)
        .limit(page.size)
    )
    ids = [o["id"] for o in owners] or [-1]
    held = await Ownership.select(
        Ownership.owner, Ownership.premise.kind.as_alias("kind"), Ownership.premise.number.as_alias("number")
    ).where(Ownership.owner.is_in(ids) & (Ownership.premise.house == house_id))
    premises: dict[int, list[str]] = {}
    for r in held:
        premises.setdefault(r["owner"], []).append(premise_name(r["kind"], r["number"]))
    links = await OwnerLink.select(OwnerLink.owner, OwnerLink.user).where(OwnerLink.owner.is_in(ids))
    users = {link["owner"]: link["user"] for link in links}
    emails = {
        u["id"]: u["email"]
        for u in await User.select(User.id, User.email).where(User.id.is_in(list(users.values()) or [-1]))
    }
    rows = [
        OwnerLinkRow(o["id"], o["name"], ", ".join(premises.get(o["id"], [])), emails.get(users.get(o["id"], -1)))
        for o in owners
    ]
    return Page(items=rows, total=total, number=page.number, size=page.size)


async def owner_in_house(principal: Principal, owner_id: int, house_id: int) -> bool:
    if not principal.may_see_house(house_id):
        return False
    return await Ownership.exists().where((Ownership.owner == owner_id) & (Ownership.premise.house == house_id))


# --- reminders before the voting ends -----------------------------------------------------------------------------


async def meetings_ending(now: datetime, until: datetime, *, limit: int = 200) -> list[MeetingView]:
    """The published meetings voted from the portal whose voting is open at ``now`` and ends by ``until`` (by the
    index of the voting's end), without their agendas."""
    rows = (
        await _meeting_select()
        .where(
            (Meeting.status == MeetingStatus.PUBLISHED)
            & Meeting.form.is_in([f.value for f in rules.ONLINE_FORMS])
            & (Meeting.voting_starts_at <= now)
            & (Meeting.voting_ends_at >= now)
            & (Meeting.voting_ends_at <= until)
        )
        .order_by(Meeting.id)
        .limit(limit)
    )
    return [_meeting_view(r) for r in rows]


# The owners of a meeting's register (the users linked to them) who have not voted — no ballot of any line of theirs
# counted or waiting for moderation — and have not been reminded of it: by user id from a point, a page at a time.
_NOT_VOTED = """
SELECT DISTINCT l."user" AS user_id FROM register_entry e JOIN owner_link l ON l.owner = e.owner
WHERE e.meeting = {} AND l."user" > {}
AND NOT EXISTS (
    SELECT 1 FROM register_entry e2 JOIN owner_link l2 ON l2.owner = e2.owner JOIN ballot b ON b.entry = e2.id
    WHERE e2.meeting = e.meeting AND l2."user" = l."user" AND b.status IN ({}, {})
)
AND NOT EXISTS (SELECT 1 FROM meeting_reminder m WHERE m.meeting = e.meeting AND m."user" = l."user")
ORDER BY l."user" LIMIT {}
"""


async def owners_not_voted(meeting_id: int, *, after: int = 0, limit: int = 500) -> list[int]:
    """The users to remind of a meeting's voting (``_NOT_VOTED``), at most ``limit`` from the user id ``after`` on."""
    counted = (BallotStatus.ACCEPTED.value, BallotStatus.MODERATION.value)
    rows = await RegisterEntry.raw(_NOT_VOTED, meeting_id, after, *counted, limit)
    return [int(r["user_id"]) for r in rows]


async def keeping_snils(closed_before: datetime, *, after: int = 0, limit: int = 50) -> list[MeetingView]:
    """The closed meetings whose protocol is dated before ``closed_before`` and whose ballots' СНИЛС are not erased
    yet, by id after ``after`` (by the index of ``snils_erased_at``, which holds only the meetings not yet done as
    null), without their agendas."""
    rows = (
        await _meeting_select()
        .where(
            Meeting.snils_erased_at.is_null()
            & (Meeting.status == MeetingStatus.CLOSED)
            & (Meeting.closed_at < closed_before)
            & (Meeting.id > after)
        )
        .order_by(Meeting.id)
        .limit(limit)
    )
    return [_meeting_view(r) for r in rows]


orphans.kept_in("meetings", AgendaItem.material_key, Ballot.scan_key)  # a question's materials, a ballot's scan


async def entrance_numbers(house_id: int) -> list[int]:
    """The numbers of the house's entrances (its boards), in order."""
    from portal.housing.tables import Entrance

    rows = await Entrance.select(Entrance.number).where(Entrance.house == house_id).order_by(Entrance.number)
    return [r["number"] for r in rows]
