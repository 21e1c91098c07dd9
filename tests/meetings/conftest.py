"""The house of DOMAIN.md §1.9 in the database, and meetings of it at any stage."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import timedelta
from typing import Any

import pytest

from portal.core import clock
from portal.core.security import Principal


@dataclass
class ExampleHouse:
    house: int
    premises: dict[str, int] = field(default_factory=dict)  # "кв. 1" → premise id
    accounts: dict[str, int] = field(default_factory=dict)
    owners: dict[str, int] = field(default_factory=dict)  # "A" → owner id
    ownerships: dict[str, int] = field(default_factory=dict)  # "A" → ownership id


@pytest.fixture
def example_house(db: Any, make_account: Any) -> Any:
    """кв. 1 50.0 A; кв. 2 70.0 B ½ + C ½; кв. 3 60.0 D + E jointly; кв. 4 45.5 F; пом. 1Н 124.5 G LLC."""
    from portal.housing.tables import Owner
    from portal.housing.tables import Ownership

    async def make() -> ExampleHouse:
        plan = [
            ("1", "flat", "50.00", [("A", 1, 1, False)]),
            ("2", "flat", "70.00", [("B", 1, 2, False), ("C", 1, 2, False)]),
            ("3", "flat", "60.00", [("D", 1, 1, True), ("E", 1, 1, True)]),
            ("4", "flat", "45.50", [("F", 1, 1, False)]),
            ("1Н", "nonresidential", "124.50", [("G", 1, 1, False)]),
        ]
        result: ExampleHouse | None = None
        for number, kind, area, holders in plan:
            place = await make_account(
                house=result.house if result else None, kind=kind, premise_number=number, area=area
            )
            if result is None:
                result = ExampleHouse(house=place.house)
            result.premises[number] = place.premise
            result.accounts[number] = place.account
            for name, num, den, joint in holders:
                owner = Owner(kind="organisation" if name == "G" else "person", name=f"Собственник {name}")
                await owner.save()
                ownership = Ownership(
                    premise=place.premise,
                    owner=owner.id,
                    share_numerator=num,
                    share_denominator=den,
                    joint=joint,
                    document=f"ЕГРН № {name}-{number}",
                )
                await ownership.save()
                result.owners[name] = owner.id
                result.ownerships[name] = ownership.id
        assert result is not None
        return result

    return make


@pytest.fixture
def make_meeting(db: Any) -> Any:
    """``await make_meeting(house, days_left=5)``: a published meeting with two questions and its register fixed on
    ``register_on`` (else the day voting started); voting started three days ago and ends ``days_left`` days from
    today (negative: it has ended); ``closed``: its count closed too."""
    from portal.meetings import actions
    from portal.meetings import forms
    from portal.meetings import rules
    from portal.meetings.tables import AgendaItem
    from portal.meetings.tables import Meeting
    from portal.meetings.tables import MeetingStatus

    async def make(
        house: int,
        *,
        days_left: int = 5,
        form: rules.Form = rules.Form.ABSENTEE,
        closed: bool = False,
        register_on: date | None = None,
    ) -> int:
        today = clock.today_local()
        starts_on = today - timedelta(days=3)
        ends_on = today + timedelta(days=days_left)
        starts, ends = forms.voting_moments(starts_on, ends_on, clock.zone())
        meeting = Meeting(
            house=house,
            title="Годовое собрание",
            form=form,
            status=MeetingStatus.CLOSED if closed else MeetingStatus.PUBLISHED,
            closed_at=clock.now() if closed else None,
            initiator="ООО «УК»",
            notice_on=starts_on - timedelta(days=12),
            starts_on=starts_on,
            voting_starts_at=starts,
            voting_ends_at=ends,
            register_on=register_on or starts_on,
            published_at=clock.now() - timedelta(days=15),
        )
        await meeting.save()
        await AgendaItem.insert(
            AgendaItem(
                meeting=meeting.id, position=1, text="Избрать председателя", subject="other", threshold="simple"
            ),
            AgendaItem(meeting=meeting.id, position=2, text="Выбрать УК", subject="p4_7", threshold="abs_maj"),
        )
        await actions.fix_register(meeting.id, house, register_on or starts_on)
        return meeting.id

    return make


@pytest.fixture
def draft_meeting() -> Any:
    """``await draft_meeting(client, house)``: a draft meeting made through the staff form by the signed-in client
    (voting from 12 to 30 days ahead, no question yet): its id."""

    async def make(client: Any, house: int) -> int:
        today = clock.today_local()
        made = await client.form(
            "/staff/meetings/new",
            {"house": str(house), "title": "Замена лифтов", "form": "absentee", "initiator": "ООО «УК»",
             "starts_on": (today + timedelta(days=12)).isoformat(),
             "voting_ends": (today + timedelta(days=30)).isoformat(), "register_on": today.isoformat()},
        )  # fmt: skip
        return int(made.headers["location"].rsplit("/", 1)[1])

    return make


@pytest.fixture
def principal_of_user() -> Any:
    """The principal the app would load for a user id (through the accounts loader)."""
    from portal.accounts.principal import load_principal_for

    async def load(user_id: int) -> Principal:
        return await load_principal_for(user_id)

    return load


@dataclass
class PaperDesk:
    """A meeting of the example house open for paper ballots, with a moderator of the house signed in to enter them."""

    house: ExampleHouse
    meeting_id: int
    meeting: Any  # its staff view (``queries.meeting_for_staff``): its items
    entry: int  # the first line of its register
    url: str  # the form of a paper ballot
    now: str  # this minute in the company's zone, as the form's «received at» field takes it


@pytest.fixture
def paper_desk(client: Any, login: Any, make_user: Any, example_house: Any, make_meeting: Any) -> Any:
    """``await paper_desk()``: the example house, a meeting of it and its moderator signed in on ``client``."""
    from portal.meetings import queries

    async def make() -> PaperDesk:
        admin = Principal(user_id=None, name="Админ", staff_roles=frozenset({"admin"}), house_ids=None)
        house = await example_house()
        meeting_id = await make_meeting(house.house)
        meeting = await queries.meeting_for_staff(admin, meeting_id)
        entry = (await queries.register_of(meeting_id))[0].id
        await login(client, await make_user(roles=("moderator",), houses=(house.house,)))
        now = clock.now().astimezone(clock.zone()).strftime("%Y-%m-%dT%H:%M")
        return PaperDesk(house, meeting_id, meeting, entry, f"/staff/meetings/{meeting_id}/paper", now)

    return make
