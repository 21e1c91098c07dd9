"""The residents' marks of their visits on the analytics dashboard, on both engines: the visits of the period's months
that were rated, of the houses in view (every house for the whole company), to a tenth; none says so."""

from __future__ import annotations

from datetime import datetime
from datetime import timedelta

import pytest

from portal.visits.tables import Visit
from tests.visits.conftest import NOW

DECEMBER = datetime(2026, 11, 30, 21, tzinfo=NOW.tzinfo)  # 1 December, 00:00 in Simferopol
JANUARY = datetime(2026, 12, 31, 21, tzinfo=NOW.tzinfo)


@pytest.fixture(autouse=True)
def _fixed_clock(monkeypatch):
    from portal.core import clock

    monkeypatch.setattr(clock, "now", lambda: NOW)
    monkeypatch.setattr(clock, "today_local", lambda: NOW.astimezone(clock.zone()).date())


async def _came(centre: int, user: int, account: int, starts_at: datetime, rating: int | None) -> None:
    await Visit(
        centre=centre, user=user, account=account, purpose="keys", starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=30), status="came", rating=rating,
        rated_at=None if rating is None else starts_at + timedelta(hours=1),
    ).save()  # fmt: skip


async def _world(centres) -> None:
    """In December: marks 5 and 4 and one visit unrated at the house, 1 at the other house; in November, a 2 at the
    house."""
    c = centres
    for starts_at, rating in ((NOW - timedelta(days=3), 5), (NOW, 4), (NOW - timedelta(days=1), None)):
        await _came(c.centre, c.resident, c.account, starts_at, rating)
    await _came(c.other_centre, c.stranger, c.other_account, DECEMBER + timedelta(hours=7), 1)
    await _came(c.centre, c.resident, c.account, DECEMBER - timedelta(hours=1), 2)  # 30 November, 23:00 locally


async def test_the_marks_of_the_months_visits_of_the_houses_in_view(centres):
    from portal.visits.queries import marks_between

    await _world(centres)
    house = await marks_between([centres.house], DECEMBER, JANUARY)
    assert (str(house.mean), house.count) == ("4.5", 2)  # the unrated one and November's 2 left out
    everyone = await marks_between(None, DECEMBER, JANUARY)
    assert (str(everyone.mean), everyone.count) == ("3.3", 3)  # 10 / 3
    november = await marks_between([centres.house], DECEMBER - timedelta(days=30), DECEMBER)
    assert (str(november.mean), november.count) == ("2.0", 1)
    assert await marks_between([centres.other_house], DECEMBER - timedelta(days=30), DECEMBER) is None
    assert await marks_between([], DECEMBER, JANUARY) is None


async def test_the_dashboard_shows_a_managers_marks_of_their_houses_and_says_when_there_are_none(
    client, new_client, login, centres
):
    await _world(centres)
    await login(client, centres.manager)
    page = (await client.get("/staff/analytics?start=2026-12&end=2026-12")).text
    assert "Визиты в клиентский центр: 4,5 из 5 по 2 оценкам" in page
    assert "которыми жители оценили свои визиты этих месяцев" in page
    earlier = (await client.get("/staff/analytics?start=2026-10&end=2026-10")).text
    assert "Визиты в клиентский центр: оценок пока нет" in earlier
    other = new_client()
    await login(other, centres.other_manager)
    assert (
        "Визиты в клиентский центр: 1,0 из 5 по 1 оценке"
        in (await other.get("/staff/analytics?start=2026-11&end=2026-12")).text
    )
