"""NPS surveys on both engines: a wave per complex, one answer per person and wave (a second replaces the first),
the NPS of each wave over a manager's houses, the resident's form, and the job opening the waves that are due."""

from __future__ import annotations

from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from typing import Any

import pytest

from portal.analytics import actions
from portal.analytics import aggregates
from portal.analytics import queries
from portal.analytics.tables import NpsAnswer
from portal.analytics.tables import NpsWave
from portal.core.security import Principal
from portal.core.web import Refused
from portal.housing.tables import House

TODAY = date(2026, 6, 10)
NOW = datetime(2026, 6, 10, 9, tzinfo=UTC)


def resident(user_id: int, account: int) -> Principal:
    return Principal(user_id=user_id, account_rights={account: frozenset({"view"})})


async def complex_of(house: int) -> int:
    return (await House.select(House.complex).where(House.id == house).first())["complex"]


async def test_one_answer_per_person_and_wave_and_the_nps_of_each_wave(
    db: Any, make_account: Any, make_user: Any
) -> None:
    a = await make_account()
    b = await make_account(house=a.house)
    elsewhere = await make_account()
    people = [
        (await make_user(accounts={a.account: "owner"}), a.account),
        (await make_user(accounts={b.account: "owner"}), b.account),
        (await make_user(accounts={elsewhere.account: "owner"}), elsewhere.account),
    ]
    await actions.open_wave(None, await complex_of(a.house), TODAY)
    await actions.open_wave(None, await complex_of(elsewhere.house), TODAY)
    with pytest.raises(Refused):
        await actions.open_wave(None, await complex_of(a.house), TODAY)  # one open wave per complex at a time

    first, second, third = (resident(u, acc) for u, acc in people)
    wave = await queries.open_wave_for(first, TODAY)
    assert wave is not None and wave.house_id == a.house and wave.score is None
    await actions.answer(first, wave, 0, "Долго чинили лифт", NOW)
    await actions.answer(first, wave, 10, "Починили, спасибо", NOW)  # the same person again: replaces
    await actions.answer(second, await queries.open_wave_for(second, TODAY), 6, "", NOW)
    await actions.answer(third, await queries.open_wave_for(third, TODAY), 0, "Не в моём доме", NOW)

    assert await NpsAnswer.count().where(NpsAnswer.user == people[0][0]) == 1
    assert (await queries.open_wave_for(first, TODAY)).score == 10
    figures = await queries.nps_by_wave([a.house])
    assert len(figures) == 1
    result = figures[0].result
    assert (result.responses, result.promoters, result.detractors, result.nps) == (2, 1, 1, 0)
    # A direct count of the answers in the house.
    assert await NpsAnswer.count().where(NpsAnswer.house == a.house) == result.responses
    # The dashboard reads the same from the aggregates: the manager's house, and the company's total.
    await aggregates.refresh(TODAY)
    manager = Principal(user_id=1, staff_roles=frozenset({"manager"}), house_ids=frozenset({a.house}))
    assert await queries.waves(await queries.scope(manager), TODAY) == figures
    admin = Principal(user_id=1, staff_roles=frozenset({"admin"}), house_ids=None)
    (whole,) = await queries.waves(await queries.scope(admin), TODAY)
    assert (whole.result.responses, whole.result.promoters, whole.result.detractors) == (3, 1, 2)
    comments = await queries.nps_comments([a.house], before=NOW + timedelta(seconds=1))
    assert [c.comment for c in comments] == ["Починили, спасибо"]
    # A period that ended before the wave opened reads no survey of it, nor its residents' words.
    assert await queries.waves(await queries.scope(manager), TODAY - timedelta(days=1)) == []
    assert await queries.nps_comments([a.house], before=NOW) == []
    # Outside the wave's days there is nothing to answer.
    assert await queries.open_wave_for(first, date(2026, 8, 1)) is None
    assert await queries.open_wave_for(Principal(user_id=99), TODAY) is None


async def test_the_job_opens_a_wave_every_six_months_once(db: Any, make_account: Any) -> None:
    place = await make_account()
    complex_id = await complex_of(place.house)
    await actions.open_due_waves(TODAY)
    assert await NpsWave.count().where(NpsWave.complex == complex_id) == 1
    await actions.open_due_waves(TODAY)  # again the same day: nothing more
    await actions.open_due_waves(date(2026, 11, 30))  # five months on: not yet
    assert await NpsWave.count().where(NpsWave.complex == complex_id) == 1
    await actions.open_due_waves(date(2026, 12, 1))  # six months on
    assert await NpsWave.count().where(NpsWave.complex == complex_id) == 2


async def test_the_resident_answers_the_survey_over_http(client: Any, login: Any, make_user: Any,
                                                         make_account: Any) -> None:  # fmt: skip
    from portal.core import clock

    place = await make_account()
    user = await make_user(accounts={place.account: "owner"})
    await login(client, user)
    assert (await client.get("/surveys/nps")).status_code == 404  # no survey open
    await actions.open_wave(None, await complex_of(place.house), clock.today_local())
    home = await client.get("/")
    assert "/surveys/nps" in home.text
    page = await client.get("/surveys/nps")
    assert page.status_code == 200 and 'name="score"' in page.text
    refused = await client.form("/surveys/nps", {"score": "11", "comment": "x"})
    assert refused.status_code == 422
    for hostile in ("²", "-1", "1e3", "", "10" * 40):
        assert (await client.form("/surveys/nps", {"score": hostile})).status_code == 422
    saved = await client.form("/surveys/nps", {"score": "9", "comment": "Хорошо"})
    assert saved.status_code == 303
    row = await NpsAnswer.select(NpsAnswer.score, NpsAnswer.comment).where(NpsAnswer.user == user).first()
    assert row == {"score": 9, "comment": "Хорошо"}
    assert "/surveys/nps" not in (await client.get("/")).text  # answered: no more prompt


async def test_a_manager_opens_a_wave_only_in_their_complexes(client: Any, login: Any, make_user: Any,
                                                              make_account: Any) -> None:  # fmt: skip
    mine, theirs = await make_account(), await make_account()
    await login(client, await make_user(roles=("manager",), houses=(mine.house,)))
    refused = await client.form("/staff/analytics/nps/waves", {"complex": str(await complex_of(theirs.house))})
    assert refused.status_code == 303
    assert await NpsWave.count() == 0
    opened = await client.form("/staff/analytics/nps/waves", {"complex": str(await complex_of(mine.house))})
    assert opened.status_code == 303
    assert await NpsWave.count().where(NpsWave.complex == await complex_of(mine.house)) == 1


async def test_the_waves_open_today_are_read_once_a_minute_and_again_when_one_opens(
    db: Any, make_account: Any, make_user: Any
) -> None:
    """Every home page asks for the open wave of the resident's complex: the process reads the waves open today once
    a minute (and on a new day), and again at once when it opens one."""
    from tests.querylog import captured

    a = await make_account()
    person = resident(await make_user(accounts={a.account: "owner"}), a.account)
    with captured(db) as seen:
        assert await queries.open_wave_for(person, TODAY) is None
        assert await queries.open_wave_for(person, TODAY) is None
    assert len([q for q in seen if 'FROM "nps_wave"' in str(q)]) == 1
    await actions.open_wave(None, await complex_of(a.house), TODAY)
    wave = await queries.open_wave_for(person, TODAY)
    assert wave is not None and wave.house_id == a.house
    with captured(db) as seen:
        assert await queries.open_wave_for(person, date(2026, 12, 31)) is None  # another day: read again, closed
    assert len([q for q in seen if 'FROM "nps_wave"' in str(q)]) == 1
