"""What the meetings' pages say, on both engines, found by looking at them as an owner and as staff: a decision
of a count still open is said to stand as of now, a count closed without quorum is not «no quorum yet», a received
ballot names each question with its answer."""

from __future__ import annotations

import re
from datetime import timedelta

from portal.core import clock
from portal.meetings import queries
from portal.meetings.tables import Meeting
from portal.meetings.tables import MeetingStatus
from tests.meetings.test_actions import _admin
from tests.meetings.test_actions import _paper_ballots
from tests.meetings.test_routes import _code
from tests.meetings.test_routes import voter  # noqa: F401  (the fixture)
from tests.words import as_read


def _decisions_head(page: str) -> str:
    return re.search(r'<th scope="col">([^<]*)</th>\s*</tr></thead>', page).group(1)


async def test_while_the_count_is_open_staff_read_each_decision_as_it_stands_now(
    client, login, make_user, example_house, make_meeting
):
    """«не принято: нет кворума» under «Решение» read as final while the owners were still voting."""
    house = await example_house()
    meeting_id = await make_meeting(house.house)
    await login(client, await make_user(roles=("manager",), houses=(house.house,)))
    page = (await client.get(f"/staff/meetings/{meeting_id}")).text
    assert _decisions_head(page) == "Решение на сейчас"
    assert "Подсчёт ещё не закрыт: решения показаны такими, какие они сейчас" in page
    assert "Кворума пока нет" in page

    await Meeting.update({Meeting.status: MeetingStatus.CLOSED, Meeting.closed_at: clock.now()}).where(
        Meeting.id == meeting_id
    )
    page = (await client.get(f"/staff/meetings/{meeting_id}")).text
    assert _decisions_head(page) == "Решение" and "Подсчёт ещё не закрыт" not in page
    # closed without a ballot: no quorum, and nothing decided — not «no quorum yet»
    assert _quorum_said(page) == "Кворума нет. Решения не приняты: нужно было более 50 % всех голосов."
    assert "Кворума пока нет" not in page


def _quorum_said(page: str) -> str:
    """The line under the participation bar as it reads: the badge and its explanation, tags dropped."""
    line = re.search(r'</progress></p>\s*<p><span class="badge.*?</p>', page, re.S).group(0)
    return " ".join(re.sub(r"<[^>]+>", "", line).split())


async def test_no_quorum_yet_reads_as_two_sentences_in_both_languages(
    client, login, make_user, example_house, make_meeting
):
    """The badge and what it needs were read as one run-on line: «Кворума пока нет нужно более 50 %»."""
    house = await example_house()
    meeting_id = await make_meeting(house.house)
    await login(client, await make_user(roles=("manager",), houses=(house.house,)))
    page = (await client.get(f"/staff/meetings/{meeting_id}")).text
    assert _quorum_said(page) == "Кворума пока нет. Нужно более 50 % всех голосов."
    await client.speak("en")
    page = (await client.get(f"/staff/meetings/{meeting_id}")).text
    assert _quorum_said(page) == "No quorum yet. More than 50% of all votes is needed."


async def test_a_closed_meeting_without_quorum_tells_the_owner_nothing_was_decided(
    client, login, make_user, example_house, make_meeting
):
    house = await example_house()
    meeting_id = await make_meeting(house.house, days_left=-2)
    await Meeting.update({Meeting.status: MeetingStatus.CLOSED, Meeting.closed_at: clock.now()}).where(
        Meeting.id == meeting_id
    )
    await login(client, await make_user(accounts={house.accounts["1"]: "owner"}))
    await client.speak("en")
    page = (await client.get(f"/meetings/{meeting_id}")).text
    assert _quorum_said(page) == "No quorum. Nothing was decided: more than 50% of all votes was needed."
    assert "No quorum yet" not in page and _decisions_head(page) == "Decision"


async def test_a_received_ballot_names_each_question_with_its_answer(client, voter):  # noqa: F811
    """A locked ballot read «1. За», «2. За»: which question was which had to be guessed."""
    meeting = await queries.meeting_for_staff(await _admin(), voter.meeting_id)
    (line,) = [x for x in await queries.register_of(voter.meeting_id) if x.owner_id == voter.owner]
    first, second = (i.id for i in meeting.items)
    await client.form(f"/meetings/{voter.meeting_id}/ballots/{line.id}", {f"q{first}": "for", f"q{second}": "against"})
    await client.form(f"/meetings/{voter.meeting_id}/code")
    # Before the code, and once received: a numbered list (a bullet before «1.» read as two markers on a phone).
    confirming = (await client.get(f"/meetings/{voter.meeting_id}/confirm")).text
    await client.form(f"/meetings/{voter.meeting_id}/confirm", {"code": await _code(voter.user)})
    page = (await client.get(f"/meetings/{voter.meeting_id}")).text
    for shown in (confirming, page):
        assert '<ol><li value="1">Избрать председателя — <strong>За</strong></li>' in shown
        assert '<li value="2">Выбрать УК — <strong>Против</strong></li></ol>' in shown


async def test_a_paper_ballot_waiting_for_moderation_names_each_question(
    client, login, make_user, example_house, make_meeting
):
    house = await example_house()
    meeting_id = await make_meeting(house.house)
    await _paper_ballots(house, meeting_id, "G")
    await login(client, await make_user(roles=("moderator",), houses=(house.house,)))
    page = (await client.get(f"/staff/meetings/{meeting_id}/moderation")).text
    assert '<ol><li value="1">Избрать председателя — <strong>За</strong></li>' in page
    assert '<li value="2">Выбрать УК — <strong>За</strong></li></ol>' in page


async def test_a_new_meeting_is_called_by_the_company_by_its_own_name_in_either_language(
    client, login, make_user, example_house
):
    """An organiser reading English found «The managing company» typed as the initiator, which went, in English,
    into the Russian protocol."""
    from portal.settings import get_settings

    house = await example_house()
    await login(client, await make_user(roles=("manager",), houses=(house.house,)))
    for lang in ("en", "ru"):
        await client.speak(lang)
        form = (await client.get("/staff/meetings/new")).text
        assert f'name="initiator" type="text" value="{get_settings().company_name}"' in form, lang
        assert "The managing company" not in form


async def test_the_export_says_each_ballots_kind_and_status_in_words(
    client, login, make_user, example_house, make_meeting
):
    """The ballots sheet read «paper», «moderation» — the codes, in English, in a Russian workbook."""
    import io

    import openpyxl

    house = await example_house()
    meeting_id = await make_meeting(house.house)
    await _paper_ballots(house, meeting_id, "G")
    await login(client, await make_user(roles=("manager",), houses=(house.house,)))
    export = await client.get(f"/staff/meetings/{meeting_id}/export")
    sheet = openpyxl.load_workbook(io.BytesIO(export.content))["Решения"]
    head, row = (list(r) for r in sheet.iter_rows(max_row=2, values_only=True))
    assert head[2:4] == ["Бюллетень", "Статус"] and head[-2:] == ["Вопрос 1", "Вопрос 2"], head
    assert row[2:4] == ["бумажное", "Ждёт проверки модератором"], row


async def test_a_ballot_says_a_whole_premise_so_and_a_part_by_its_share(
    client, login, make_user, example_house, make_meeting
):
    """«share 1» left an English reader guessing; the owner of a whole flat now reads «the whole premise»."""
    from portal.meetings.tables import OwnerLink

    house = await example_house()
    meeting_id = await make_meeting(house.house)
    user = await make_user(accounts={house.accounts["1"]: "owner"})
    await OwnerLink(user=user, owner=house.owners["A"]).save()  # кв. 1, whole
    await OwnerLink(user=user, owner=house.owners["B"]).save()  # кв. 2, ½
    await login(client, user)
    await client.speak("en")
    page = (await client.get(f"/meetings/{meeting_id}")).text
    assert '<span lang="ru">Собственник A</span> · the whole premise' in page  # a name, Russian data
    page = as_read(page)  # as it reads
    assert "Собственник A · the whole premise · 50.00 votes" in page
    assert "Собственник B · share 1/2 · 35.00 votes" in page and "share 1 " not in page
    await client.speak("ru")
    page = (await client.get(f"/meetings/{meeting_id}")).text
    assert "Собственник A · всё помещение ·" in page and "Собственник B · доля 1/2 ·" in page


async def test_the_subjects_say_routine_repairs_in_english(client, login, make_user, example_house, make_meeting):
    """«current repair» was «текущий ремонт» word for word; the questions themselves say «routine repairs»."""
    house = await example_house()
    meeting_id = await make_meeting(house.house)
    await login(client, await make_user(roles=("manager",), houses=(house.house,)))
    await client.speak("en")
    page = (await client.get(f"/staff/meetings/{meeting_id}")).text
    assert "Other questions: chair, council, routine repairs, fees…" in page and "current repair" not in page


async def test_an_announced_meeting_whose_voting_has_not_started_shows_no_tally(
    client, login, make_user, example_house, make_meeting
):
    """Before the first day the tally of no votes read «не принято: нет кворума» for each question."""
    house = await example_house()
    meeting_id = await make_meeting(house.house)
    starts_on = clock.today_local() + timedelta(days=4)
    await Meeting.update(
        {Meeting.starts_on: starts_on, Meeting.voting_starts_at: clock.now() + timedelta(days=4)}
    ).where(Meeting.id == meeting_id)
    await login(client, await make_user(roles=("manager",), houses=(house.house,)))
    page = (await client.get(f"/staff/meetings/{meeting_id}")).text
    assert "нет кворума" not in page and "Кворума пока нет" not in page and "Решение на сейчас" not in page
    assert "Подсчёт голосов появится здесь, когда оно начнётся." in page
    assert f"/staff/meetings/{meeting_id}/moderation" in page  # the tally's links stay
