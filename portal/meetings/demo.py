"""Demo meetings of the first house: one closed with its protocol, one in its voting period with part of the owners
voted and paper ballots waiting for moderation, and an owners' initiative collecting support.

Demo users are linked to their registry owners, who bear their names (portal.demo.DEMO_OWNERS): resident@demo.ru
(an owner of his flat with a relative), resident2@demo.ru, and owner@demo.ru, an owner of a flat and a parking
space who has not voted yet.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from typing import Any

from fpdf import FPDF

from portal.accounts.passwords import hash_password
from portal.accounts.tables import ConsentRecord
from portal.accounts.tables import Residency
from portal.accounts.tables import User
from portal.core import clock
from portal.core import storage
from portal.demo import DEMO_OWNERS
from portal.demo import DEMO_PASSWORD
from portal.demo import DemoContext
from portal.demo import everyday_name
from portal.meetings import actions
from portal.meetings import forms
from portal.meetings import queries
from portal.meetings import rules
from portal.meetings.tables import AgendaItem
from portal.meetings.tables import Ballot
from portal.meetings.tables import BallotStatus
from portal.meetings.tables import Initiative
from portal.meetings.tables import InitiativeSupport
from portal.meetings.tables import Meeting
from portal.meetings.tables import MeetingStatus
from portal.meetings.tables import OwnerLink
from portal.meetings.tables import RegisterEntry
from portal.meetings.tables import Source
from portal.meetings.tables import Vote

PLACE = "г. Симферополь, ул. Киевская, 77, офис управляющей компании"
COMPANY = "ООО «УК Монолит Комфорт»"  # the managing company calls the meetings (ЖК ст. 45 ч. 7): the portal's own


def _scan(text: str) -> str:
    """A small PDF standing for a scanned paper ballot, stored like an upload."""
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=14)
    pdf.cell(text=text)
    return storage._write_pdf(bytes(pdf.output())).key


async def _meeting(
    house: int, title: tuple[str, str], starts_on: date, ends_on: date, questions: list[tuple[str, str, str]]
) -> int:
    """A published meeting of the house with its ``title`` (the Russian, the English) and its ``questions`` (the
    Russian, the ст. 44 ч. 2 item, the English)."""
    starts, ends = forms.voting_moments(starts_on, ends_on, clock.zone())
    meeting = Meeting(
        house=house,
        title=title[0],
        title_en=title[1],
        form=rules.Form.ABSENTEE,
        status=MeetingStatus.PUBLISHED,
        initiator=COMPANY,
        administrator=COMPANY,
        place=PLACE,
        notice_on=starts_on - timedelta(days=12),
        starts_on=starts_on,
        voting_starts_at=starts,
        voting_ends_at=ends,
        register_on=starts_on - timedelta(days=12),
        chair="Смирнов Иван Петрович",
        secretary="Егорова Наталья Викторовна",
        counters="Фомин Д. А., Егорова Н. В.",
        storage_place=PLACE,
        published_at=datetime.combine(starts_on - timedelta(days=12), datetime.min.time(), UTC),
    )
    await meeting.save()
    for position, (text, subject, text_en) in enumerate(questions, start=1):
        threshold = rules.threshold_for(rules.Subject(subject), starts_on)
        item = AgendaItem(
            meeting=meeting.id, position=position, text=text, text_en=text_en, subject=subject, threshold=threshold
        )
        await item.save()
    await actions.fix_register(meeting.id, house, starts_on - timedelta(days=12))
    return meeting.id


async def _items(meeting: int) -> list[int]:
    return [r["id"] for r in await AgendaItem.select(AgendaItem.id).where(AgendaItem.meeting == meeting)]


async def _ballot(
    meeting: int, entry: dict[str, Any], items: list[int], choose: Callable[[], rules.Choice], **fields: Any
) -> None:
    """A ballot of a register entry with an answer to each of the meeting's ``items`` (``choose`` picks each)."""
    ballot = Ballot(meeting=meeting, entry=entry["id"], voter_name=entry["owner_name"], **fields)
    await ballot.save()
    await Vote.insert(*[Vote(ballot=ballot.id, item=item, choice=choose()) for item in items])


async def _vote(
    ctx: DemoContext, meeting: int, entries: list[dict[str, Any]], start: datetime, span: timedelta
) -> None:
    items, rng = await _items(meeting), ctx.rng
    weights = (0.78, 0.14, 0.08)
    for e in entries:
        received_at = start + span * rng.random()
        await _ballot(
            meeting,
            e,
            items,
            lambda: rng.choices(list(rules.Choice), weights)[0],
            source=Source.ELECTRONIC,
            status=BallotStatus.ACCEPTED,
            received_at=received_at,
            electronic_key=f"{meeting}:{e['id']}",
        )


async def _paper(meeting: int, entry: dict[str, Any], received: datetime, duplicate: bool = False) -> None:
    """A paper ballot waiting for moderation, as the office enters it: a natural person's with the СНИЛС written on
    it where the meeting's order asks for one (266/пр, ``actions.enter_paper``)."""
    starts_on = await Meeting.select(Meeting.starts_on).where(Meeting.id == meeting).first()
    person = await queries.is_person(entry["owner"])
    await _ballot(
        meeting,
        entry,
        await _items(meeting),
        lambda: rules.Choice.FOR,
        source=Source.PAPER,
        status=BallotStatus.MODERATION,
        scan_key=_scan(f"Ballot {entry['premise_number']}"),
        scan_type="application/pdf",
        received_at=received,
        duplicate=duplicate,
        snils=_snils(entry["owner"]) if starts_on and rules.snils_required(starts_on["starts_on"], person) else "",
    )


def _snils(owner_id: int) -> str:
    """A made-up СНИЛС of an owner, the same every time (the demo's shared random numbers are left untouched)."""
    first_nine = f"{random.Random(f'snils:{owner_id}').randrange(rules.SNILS_CHECKED_FROM, 10**9):09d}"
    return first_nine + rules.snils_check_number(first_nine)


async def seed(ctx: DemoContext) -> None:
    houses = ctx.shared.get("houses", [])
    users = ctx.shared.get("users", {})
    if not houses or "resident" not in users:
        return
    house = houses[0]
    owners = ctx.shared["demo_owners"]  # the registry owners the housing demo named after the demo residents
    await OwnerLink(user=users["resident"], owner=owners["resident"]).save()
    await OwnerLink(user=users["resident2"], owner=owners["resident2"]).save()
    neighbour_owner = owners["resident2"]
    linked = set(owners.values())
    now = datetime.now(UTC)
    user = User(
        email="owner@demo.ru",
        full_name=everyday_name(DEMO_OWNERS["owner"]),
        password_hash=hash_password(DEMO_PASSWORD),
        email_confirmed_at=now,
    )
    await user.save()
    account = ctx.shared["owner_account"]
    await Residency(user=user.id, account=account, role="owner", rights=["view", "pay", "meters", "tickets"]).save()
    from portal.accounts import consent

    await ConsentRecord(user=user.id, text_version=consent.current_version(), channel="registration").save()
    await OwnerLink(user=user.id, owner=owners["owner"]).save()
    ctx.logins.append(("Owner of a flat and a parking space (votes)", "owner@demo.ru", DEMO_PASSWORD))

    today = ctx.today
    closed = await _meeting(
        house,
        ("Годовое общее собрание собственников", "Annual general meeting of owners"),
        today - timedelta(days=120),
        today - timedelta(days=100),
        [
            (
                "Избрать председателем собрания Смирнова И. П., секретарём — Егорову Н. В.",
                "other",
                "Elect I. P. Smirnov chair of the meeting and N. V. Egorova its secretary",
            ),
            (
                "Утвердить план текущего ремонта на следующий год",
                "other",
                "Approve the plan of routine repairs for next year",
            ),
            (
                "Разрешить размещение рекламной конструкции на фасаде дома",
                "p3",
                "Allow an advertising structure on the building's facade",
            ),
        ],
    )
    entries = await RegisterEntry.select().where(RegisterEntry.meeting == closed).order_by(RegisterEntry.id)
    voters = [e for e in entries if ctx.rng.random() < 0.72 and e["owner"] not in linked]
    start = datetime.combine(today - timedelta(days=120), datetime.min.time(), UTC)
    await _vote(ctx, closed, voters, start, timedelta(days=19))
    closed_at = start + timedelta(days=23)
    await Meeting.update(
        {
            Meeting.status: MeetingStatus.CLOSED,
            Meeting.closed_at: closed_at,
            Meeting.protocol_number: f"{closed}/{closed_at.year}",
            Meeting.originals_received_on: (closed_at + timedelta(days=2)).date(),
            Meeting.sent_to_inspectorate_on: (closed_at + timedelta(days=5)).date(),
        }
    ).where(Meeting.id == closed)

    voting = await _meeting(
        house,
        ("Внеочередное собрание: капитальный ремонт кровли", "Extraordinary meeting: major repair of the roof"),
        today - timedelta(days=5),
        today + timedelta(days=14),
        [
            (
                "Избрать председателем собрания Смирнова И. П., секретарём — Егорову Н. В.",
                "other",
                "Elect I. P. Smirnov chair of the meeting and N. V. Egorova its secretary",
            ),
            (
                "Провести капитальный ремонт кровли в 2027 году за счёт фонда капремонта",
                "p1",
                "Carry out the major repair of the roof in 2027 from the capital repair fund",
            ),
            (
                "Наделить совет дома полномочиями решать вопросы текущего ремонта",
                "p4_2",
                "Authorise the house council to decide on routine repairs",
            ),
        ],
    )
    entries = await RegisterEntry.select().where(RegisterEntry.meeting == voting).order_by(RegisterEntry.id)
    free = [e for e in entries if e["owner"] not in linked]
    voters = [e for e in free if ctx.rng.random() < 0.33]
    start = datetime.combine(today - timedelta(days=5), datetime.min.time(), UTC)
    await _vote(ctx, voting, voters, start, timedelta(days=4))
    voted = {e["id"] for e in voters}
    paper = [e for e in free if e["id"] not in voted][:3]
    for e in paper:
        await _paper(voting, e, start + timedelta(days=2))
    await _paper(voting, voters[0], start + timedelta(days=3), duplicate=True)

    initiative = Initiative(
        house=house,
        author=users["resident2"],
        author_owner=neighbour_owner,
        title="Установить шлагбаум во дворе",
        agenda="1. Установить шлагбаум на въезде во двор.\n2. Утвердить смету и порядок оплаты.",
        total_num=0,
        total_den=1,
    )
    areas = await queries.house_areas(house)
    total = rules.total_votes(areas)
    initiative.total_num, initiative.total_den = total.numerator, total.denominator
    await initiative.save()
    holdings = await queries.holdings_of_house(house, today)
    for line in rules.register(holdings):
        if line.owner_id == neighbour_owner:
            await InitiativeSupport(
                initiative=initiative.id,
                ownership=line.ownership_id,
                user=users["resident2"],
                group=line.group,
                weight_num=line.weight.numerator,
                weight_den=line.weight.denominator,
                key=f"{initiative.id}:{line.ownership_id}",
            ).save()
    ctx.shared["meetings"] = {"closed": closed, "voting": voting, "initiative": initiative.id}
    ctx.say(f"meetings: closed {closed}, voting {voting} ({len(voters)} voted, {len(paper) + 1} paper to moderate)")
