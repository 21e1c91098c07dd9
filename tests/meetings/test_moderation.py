"""Moderation of paper ballots over HTTP: a rejection refused for want of a reason shows the moderator's comment
again in that ballot's form, with the message at the reason."""

from __future__ import annotations

import re

import pytest

from portal.meetings.tables import Ballot
from portal.meetings.tables import BallotStatus
from tests.meetings.test_actions import _paper_ballots


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
async def test_a_rejection_without_a_reason_keeps_the_comment_typed(
    client, login, make_user, example_house, make_meeting, htmx
):
    house = await example_house()
    meeting_id = await make_meeting(house.house)
    ids = await _paper_ballots(house, meeting_id, "GD")
    await login(client, await make_user(roles=("moderator",), houses=(house.house,)))
    typed = {"reason": "", "note": "Подпись не совпадает с образцом"}
    url = f"/staff/meetings/ballots/{ids[1]}/reject"
    page = await (client.htmx_form(url, typed) if htmx else client.form(url, typed))
    assert page.status_code == 422
    assert re.search(rf'<input id="f-{ids[1]}-note" name="note"[^>]*value="Подпись не совпадает с образцом"', page.text)
    assert re.search(rf'<input id="f-{ids[0]}-note" name="note"[^>]*value=""', page.text)  # the other form is empty
    reason = re.search(rf'<div class="field has-error">.*?id="f-{ids[1]}-reason"', page.text, re.S)
    assert reason and "Выберите причину" in reason.group(0)
    statuses = await Ballot.select(Ballot.status).where(Ballot.id.is_in(ids))
    assert {s["status"] for s in statuses} == {BallotStatus.MODERATION}
