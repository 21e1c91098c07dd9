"""The reminder before a meeting's voting ends, on both engines: the owners who may vote from the portal and have not
voted are reminded once, in their language; those who voted, or may not vote here, are not."""

from __future__ import annotations

from datetime import date
from datetime import timedelta

import pytest

from portal.accounts.tables import User
from portal.core import clock
from portal.core import jobs
from portal.core.tables import OutboxMessage
from portal.meetings import actions
from portal.meetings import queries
from portal.meetings import rules
from tests.meetings.test_actions import _admin
from tests.meetings.test_actions import _owner_user
from tests.meetings.test_actions import _paper_ballots
from tests.meetings.test_actions import _vote


async def _reminded() -> dict[int, list[dict]]:
    rows = await OutboxMessage.select(OutboxMessage.user_id, OutboxMessage.channel, OutboxMessage.body).where(
        OutboxMessage.template == "meetings/reminder"
    )
    found: dict[int, list[dict]] = {}
    for r in rows:
        found.setdefault(r["user_id"], []).append(r)
    return found


async def test_owners_who_have_not_voted_are_reminded_once_in_their_language(
    db, example_house, make_meeting, make_user, principal_of_user
):
    house = await example_house()
    meeting_id = await make_meeting(house.house, days_left=3)
    meeting = await queries.meeting_for_staff(await _admin(), meeting_id)
    voted = await _owner_user(make_user, house, "A", "1")  # votes from the portal: counted
    await _vote(await principal_of_user(voted), meeting)
    on_paper = await _owner_user(make_user, house, "B", "2")  # a paper ballot waiting for the moderator
    await _paper_ballots(house, meeting_id, "B")
    english = await _owner_user(make_user, house, "D", "3")
    await User.update({User.locale: "en"}).where(User.id == english)
    russian = await _owner_user(make_user, house, "F", "4")
    tenant = await _owner_user(make_user, house, "C", "2", role="tenant")  # lives there, no owner linked: no vote
    later = await make_meeting(house.house, days_left=5)  # its reminder is not due yet

    assert await actions.meeting_reminders(clock.now()) == 2  # the job, with the setting's 3 days
    reminded = await _reminded()
    assert set(reminded) == {english, russian}, (reminded, voted, on_paper, tenant)
    assert {r["channel"] for r in reminded[russian]} == {"inapp", "email"}
    (ru,) = [r["body"] for r in reminded[russian] if r["channel"] == "inapp"]
    assert ru == "До конца голосования по собранию «Годовое собрание» осталось 3\u00a0дня. Вы ещё не проголосовали."
    (en,) = [r["body"] for r in reminded[english] if r["channel"] == "inapp"]
    assert en.startswith("3\u00a0days are left until the voting in the owners' meeting “Годовое собрание” ends.")

    # The next run, or the next day's: nobody is reminded twice; the later meeting's owners are, when its day comes.
    assert await actions.send_reminders(clock.now(), 3) == 0
    assert await actions.send_reminders(clock.now() + timedelta(days=1), 3) == 0
    assert len(await _reminded()) == 2
    assert later != meeting_id
    assert "meeting-reminders" in jobs.registered()


async def test_a_meeting_held_in_person_sends_no_reminder(db, example_house, make_meeting, make_user):
    house = await example_house()
    await make_meeting(house.house, days_left=2, form=rules.Form.IN_PERSON)
    await _owner_user(make_user, house, "F", "4")
    assert await actions.send_reminders(clock.now(), 3) == 0
    assert await _reminded() == {}


@pytest.mark.parametrize(
    ("ends", "today", "days", "left"),
    [
        (date(2026, 12, 24), date(2026, 12, 20), 3, None),  # four days left: not yet
        (date(2026, 12, 24), date(2026, 12, 21), 3, 3),  # DOMAIN.md §1.8: the voting's last day is the 24th
        (date(2026, 12, 24), date(2026, 12, 23), 3, 1),  # the job missed the days before: reminded still
        (date(2026, 12, 24), date(2026, 12, 24), 3, None),  # its last day
        (date(2026, 12, 24), date(2026, 12, 26), 3, None),  # over
        (date(2026, 12, 24), date(2026, 12, 17), 7, 7),
    ],
)
def test_the_reminder_is_due_within_its_days_before_the_last_day(ends, today, days, left):
    assert rules.reminder_days_left(ends, today, days) == left
