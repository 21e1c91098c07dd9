"""Two organisers edit the same draft meeting at once, on a committed database of each engine: both open its form,
Анна saves, then Борис saves the form he opened before her change. Refused (409): her values stay, his typed ones
come back with who changed it and when, and «changed» at her fields (core.stale)."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest

from portal.core import clock
from portal.core.tables import AuditEvent
from portal.housing.tables import Complex
from portal.housing.tables import House
from portal.meetings import forms
from portal.meetings.tables import Meeting
from portal.meetings.tables import MeetingStatus
from tests.conftest import committed
from tests.two_staff import FIRST
from tests.two_staff import SECOND
from tests.two_staff import two_staff
from tests.two_staff import version

TODAY = clock.today_local()
STARTS, ENDS = TODAY + timedelta(days=12), TODAY + timedelta(days=30)


@pytest.fixture(params=["sqlite", "postgres"])
async def draft(request: pytest.FixtureRequest, engines: dict[str, Any]) -> AsyncIterator[dict[str, int]]:
    """A house and a draft meeting of it, committed."""
    async with committed(engines, request.param):
        tag = secrets.token_hex(3)
        complex_ = Complex(name=f"ЖК «Собрание {tag}»", city="Симферополь")
        await complex_.save()
        house = House(complex=complex_.id, address=f"г. Симферополь, ул. Вечевая, д. {tag}", floors=5)
        await house.save()
        starts, ends = forms.voting_moments(STARTS, ENDS, clock.zone())
        meeting = Meeting(house=house.id, title="Замена лифтов", form="absentee", status=MeetingStatus.DRAFT,
                          initiator="ООО «УК»", notice_on=TODAY, starts_on=STARTS, voting_starts_at=starts,
                          voting_ends_at=ends, register_on=TODAY)  # fmt: skip
        await meeting.save()
        try:
            yield {"house": house.id, "meeting": meeting.id}
        finally:
            await Meeting.delete().where(Meeting.id == meeting.id)
            await House.delete().where(House.id == house.id)
            await Complex.delete().where(Complex.id == complex_.id)


async def test_a_draft_saved_from_a_form_read_before_someone_elses_change_is_refused(app, draft):
    url = f"/staff/meetings/{draft['meeting']}/edit"
    form = {"form": "absentee", "initiator": "ООО «УК»", "starts_on": STARTS.isoformat(),
            "voting_ends": ENDS.isoformat(), "register_on": TODAY.isoformat()}  # fmt: skip
    async with two_staff(app, roles=("manager",), houses=(draft["house"],)) as (anna, boris):
        hers, his = version(await anna.get(url)), version(await boris.get(url))
        saved = await anna.form(url, {**form, "title": "Замена лифтов в 2027 году", "version": hers})
        assert saved.status_code == 303, saved.text[-2000:]

        refused = await boris.form(url, {**form, "title": "Ремонт кровли", "version": his})
        assert refused.status_code == 409, refused.text[-3000:]
        assert f"Пока вы правили, запись изменил(а) {FIRST}" in refused.text
        assert 'value="Ремонт кровли"' in refused.text  # what he typed is kept
        assert "Изменено, пока вы правили" in refused.text  # at the title she changed
        row = await Meeting.select(Meeting.title).where(Meeting.id == draft["meeting"]).first()
        assert row["title"] == "Замена лифтов в 2027 году"
        # Typed to exactly what she saved, his form read before her change is no conflict: «saved», nothing written.
        same = await boris.form(url, {**form, "title": "Замена лифтов в 2027 году", "version": his})
        assert same.status_code == 303, same.text[-3000:]
        assert await AuditEvent.count().where(AuditEvent.actor_name == SECOND) == 0
