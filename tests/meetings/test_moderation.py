"""Moderation of paper ballots over HTTP: a rejection refused for want of a reason shows the moderator's comment
again in that ballot's form, with the message at the reason."""

from __future__ import annotations

import json
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


async def test_the_owner_of_a_rejected_paper_ballot_is_told_why_in_their_language(
    client, login, make_user, example_house, make_meeting
):
    """A rejected paper ballot vanished from its owner's page without a word: the owner's linked users are now told
    that it is not counted and why, each in their own language; an accepted ballot tells nobody."""
    from portal.accounts.tables import User
    from portal.core.tables import OutboxMessage
    from tests.meetings.test_actions import _owner_user

    house = await example_house()
    meeting_id = await make_meeting(house.house)
    d_user = await _owner_user(make_user, house, "D", "3")
    g_user = await _owner_user(make_user, house, "G", "1Н")
    await User.update({User.locale: "en"}).where(User.id == d_user)
    g_ballot, d_ballot = await _paper_ballots(house, meeting_id, "GD")
    await login(client, await make_user(roles=("moderator",), houses=(house.house,)))
    await client.form(f"/staff/meetings/ballots/{g_ballot}/accept")
    typed = {"reason": "unsigned", "note": "Подписи нет на второй странице"}
    assert (await client.form(f"/staff/meetings/ballots/{d_ballot}/reject", typed)).status_code == 303
    told = await OutboxMessage.select().where(OutboxMessage.user_id.is_in([d_user, g_user]))
    mails = [m for m in told if m["channel"] == "email"]
    assert [m["user_id"] for m in mails] == [d_user], told
    (mail,) = mails
    assert mail["subject"] == "Your paper ballot is not counted: Годовое собрание"
    assert "for flat 3" in mail["body"] and "Reason: Not signed." in mail["body"], mail["body"]
    assert "Comment: Подписи нет на второй странице" in mail["body"]
    # a Russian reader gets Russian, with the reason in Russian
    await User.update({User.locale: "ru"}).where(User.id == d_user)
    (again,) = await _paper_ballots(house, meeting_id, "D")
    await client.form(f"/staff/meetings/ballots/{again}/reject", {"reason": "not_owner"})
    ru = await OutboxMessage.select().where((OutboxMessage.user_id == d_user) & (OutboxMessage.channel == "email"))
    ru = ru[-1]
    assert ru["subject"] == "Ваше бумажное решение не учтено: Годовое собрание"
    assert "Причина: Не собственник или нет действующей доверенности." in ru["body"], ru["body"]
    # and the meeting's page says it at the premise, with the vote still open to the owner
    await login(client, d_user)
    page = (await client.get(f"/meetings/{meeting_id}")).text
    said = re.search(r'<p class="notice notice-warning">(.*?)</p>', page, re.S)
    assert said, page[-4000:]
    assert "Ваше бумажное решение проверено и не учтено. Причина: Не собственник" in said.group(1)
    assert "До окончания голосования вы можете проголосовать ниже." in said.group(1)


def _badge(section: str) -> str:
    return re.search(r'<span class="badge badge-overdue badge-long">([^<]*)</span>', section).group(1)


async def test_a_second_paper_ballot_can_be_accepted_once_the_first_is_rejected(
    client, login, make_user, example_house, make_meeting
):
    """The owner's unsigned ballot, then their signed copy: the copy was flagged a duplicate when entered (the first
    was waiting), and after the first was rejected it could not be accepted («already has a counted ballot») and the
    page still offered to reject it as a duplicate. Whether a ballot repeats another is now read as things stand."""
    house = await example_house()
    meeting_id = await make_meeting(house.house)
    (unsigned,) = await _paper_ballots(house, meeting_id, "G")
    (signed,) = await _paper_ballots(house, meeting_id, "G")
    await login(client, await make_user(roles=("moderator",), houses=(house.house,)))

    async def section(ballot: int) -> str:
        page = (await client.get(f"/staff/meetings/{meeting_id}/moderation")).text
        return re.search(rf'aria-labelledby="b-{ballot}">.*?</section>', page, re.S).group(0)

    flagged = await section(signed)
    assert "badge-overdue" in flagged and 'value="duplicate" selected' in flagged
    # the other is only waiting, not counted: the badge read «По этой собственности уже учтено решение»
    assert _badge(flagged) == "По этой собственности выше ждёт проверки другое решение: проверьте сначала его"
    await client.form(f"/staff/meetings/ballots/{unsigned}/reject", {"reason": "unsigned"})
    alone = await section(signed)
    assert "badge-overdue" not in alone and 'value="duplicate" selected' not in alone, alone
    assert (await client.form(f"/staff/meetings/ballots/{signed}/accept")).status_code == 303
    assert (await Ballot.select(Ballot.status).where(Ballot.id == signed).first())["status"] == BallotStatus.ACCEPTED
    (third,) = await _paper_ballots(house, meeting_id, "G")
    assert _badge(await section(third)) == "По этой собственности уже учтено решение"


async def test_a_repeat_of_a_counted_ballot_is_offered_rejection_not_acceptance(
    client, login, make_user, example_house, make_meeting
):
    """A paper ballot of an ownership whose decision is counted (ЖК ст. 48: one per ownership): its card offers no
    «Принять» but rejecting it as a repeat, the reason chosen, and the counted ballot's scan to compare; accepting it
    anyway (a page open from before) is refused, saying why, and it is not counted."""
    house = await example_house()
    meeting_id = await make_meeting(house.house)
    (counted,) = await _paper_ballots(house, meeting_id, "G")
    await login(client, await make_user(roles=("moderator",), houses=(house.house,)))
    assert (await client.form(f"/staff/meetings/ballots/{counted}/accept")).status_code == 303
    (repeat,) = await _paper_ballots(house, meeting_id, "G")
    queue = f"/staff/meetings/{meeting_id}/moderation"
    page = (await client.get(queue)).text
    card = re.search(rf'aria-labelledby="b-{repeat}">.*?</section>', page, re.S).group(0)
    assert _badge(card) == "По этой собственности уже учтено решение"
    assert f"/ballots/{repeat}/accept" not in card and "Принять" not in card, card
    assert f'action="/staff/meetings/ballots/{repeat}/reject"' in card and 'value="duplicate" selected' in card
    assert f'<a href="/staff/meetings/ballots/{counted}/scan"' in card and "Открыть учтённое решение" in card
    refused = await client.form(
        f"/staff/meetings/ballots/{repeat}/accept", headers={"referer": f"http://testserver{queue}"}
    )
    assert refused.status_code == 303 and refused.headers["location"].endswith(queue)
    said = (await client.get(refused.headers["location"])).text
    assert "По этой собственности уже учтено решение: отклоните это как повторное." in said, said
    statuses = (
        await Ballot.select(Ballot.id, Ballot.status).where(Ballot.id.is_in([counted, repeat])).order_by(Ballot.id)
    )
    assert [r["status"] for r in statuses] == [BallotStatus.ACCEPTED, BallotStatus.MODERATION]


async def test_a_paper_ballot_of_an_owner_who_voted_online_is_offered_rejection_saying_when_they_voted(
    client, login, make_user, example_house, make_meeting, principal_of_user
):
    """ЖК ст. 48: the first decision received counts, whatever its channel. Owner A confirmed the vote in the portal,
    then handed in a paper ballot: its card says the counted decision is the online one and when it was confirmed,
    offers no «Принять», but rejecting it as a repeat; accepting it anyway is refused, and the online vote counts."""
    from portal.core.i18n import format_moment
    from portal.meetings import queries
    from portal.settings import get_settings
    from tests.meetings.test_actions import _admin
    from tests.meetings.test_actions import _owner_user
    from tests.meetings.test_actions import _vote

    house = await example_house()
    meeting_id = await make_meeting(house.house)
    meeting = await queries.meeting_for_staff(await _admin(), meeting_id)
    owner = await principal_of_user(await _owner_user(make_user, house, "A", "1"))
    assert await _vote(owner, meeting, "against") == 1
    online = await Ballot.select(Ballot.id, Ballot.received_at).where(Ballot.source == "electronic").first()
    (repeat,) = await _paper_ballots(house, meeting_id, "A")
    await login(client, await make_user(roles=("moderator",), houses=(house.house,)))
    queue = f"/staff/meetings/{meeting_id}/moderation"
    page = (await client.get(queue)).text
    card = re.search(rf'aria-labelledby="b-{repeat}">.*?</section>', page, re.S).group(0)
    assert _badge(card) == "По этой собственности уже учтено решение"
    confirmed = format_moment(online["received_at"], get_settings().time_zone)
    assert f"Учтённое решение подано через портал: собственник подтвердил его кодом {confirmed}." in card, card
    assert "/accept" not in card and "Принять" not in card and "Открыть учтённое решение" not in card, card
    assert f'action="/staff/meetings/ballots/{repeat}/reject"' in card and 'value="duplicate" selected' in card
    refused = await client.form(
        f"/staff/meetings/ballots/{repeat}/accept", headers={"referer": f"http://testserver{queue}"}
    )
    said = (await client.get(refused.headers["location"])).text
    assert "По этой собственности уже учтено решение: отклоните это как повторное." in said, said
    assert (await client.form(f"/staff/meetings/ballots/{repeat}/reject", {"reason": "duplicate"})).status_code == 303
    rows = await Ballot.select(Ballot.id, Ballot.status, Ballot.rejection).order_by(Ballot.id)
    assert [(r["id"], r["status"], r["rejection"]) for r in rows] == [
        (online["id"], BallotStatus.ACCEPTED, None),
        (repeat, BallotStatus.REJECTED, "duplicate"),
    ]
    assert (await queries.outcome(meeting)).questions[0].against == 50


HOSTILE_NOTE = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'


async def test_the_moderators_comment_reaches_the_owner_inert(client, login, make_user, example_house, make_meeting):
    """The moderator's comment is text another person reads (SECURITY.md: script in user content): in the e-mail's
    HTML, and on the owner's notifications page, it comes back escaped, never as markup."""
    from portal.core.tables import OutboxMessage
    from portal.notifications.messages import render
    from tests.meetings.test_actions import _owner_user

    house = await example_house()
    meeting_id = await make_meeting(house.house)
    d_user = await _owner_user(make_user, house, "D", "3")
    (ballot,) = await _paper_ballots(house, meeting_id, "D")
    await login(client, await make_user(roles=("moderator",), houses=(house.house,)))
    typed = {"reason": "unsigned", "note": HOSTILE_NOTE}
    assert (await client.form(f"/staff/meetings/ballots/{ballot}/reject", typed)).status_code == 303
    told = await OutboxMessage.select().where(OutboxMessage.user_id == d_user)
    (mail,) = [m for m in told if m["channel"] == "email"]
    context = mail["context"] if isinstance(mail["context"], dict) else json.loads(mail["context"])
    page = render(mail["template"], "ru", context).html
    assert "<script>" not in page and "<img" not in page, page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    await login(client, d_user)
    shown = (await client.get("/notifications")).text
    assert "<script>alert(1)" not in shown and "<img src=x" not in shown
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in shown


def test_a_moderators_comment_stays_one_line_of_the_mail_not_a_link_of_the_company():
    """A comment typed with blank lines around an address became a paragraph of its own in the e-mail, which the
    mail shows as a link, as if the company sent it: the comment is kept to one line, the address as plain words."""
    from portal.meetings.messages import REJECTED
    from portal.notifications.messages import render

    note = "Подписи нет.\n\nhttps://evil.example/pay\n\n  Позвоните\r\nнам"
    message = render(REJECTED, "ru", {**REJECTED.sample, "note": note})
    assert 'href="https://evil' not in message.html, message.html
    assert "Комментарий: Подписи нет. https://evil.example/pay Позвоните нам" in message.text, message.text


async def test_the_moderators_message_marks_the_owners_name_russian_on_an_english_page(
    client, login, make_user, example_house, make_meeting
):
    """«Ballot of Собственник A accepted.»: the owner's name, Russian data, read with an English voice."""
    house = await example_house()
    meeting_id = await make_meeting(house.house)
    first, second = await _paper_ballots(house, meeting_id, "AB")
    await login(client, await make_user(roles=("moderator",), houses=(house.house,)))
    await client.speak("en")
    await client.form(f"/staff/meetings/ballots/{first}/accept")
    page = (await client.get(f"/staff/meetings/{meeting_id}/moderation")).text
    assert 'Ballot of <span lang="ru">Собственник A</span> accepted.' in page
    await client.form(f"/staff/meetings/ballots/{second}/reject", {"reason": "unsigned"})
    page = (await client.get(f"/staff/meetings/{meeting_id}/moderation")).text
    assert 'Ballot of <span lang="ru">Собственник B</span> rejected.' in page


async def test_two_moderators_on_one_ballot_the_second_is_told_the_first_ones_decision(
    client, new_client, login, make_user, example_house, make_meeting
):
    """Both moderators have the queue open; Анна accepts a ballot, then Борис rejects it (and accepts it) from his
    page: refused, told that it is accepted, by whom and when; the ballot stays accepted and counted."""
    house = await example_house()
    meeting_id = await make_meeting(house.house)
    (ballot,) = await _paper_ballots(house, meeting_id, "G")
    boris = new_client()
    await login(client, await make_user(name="Анна Первая", roles=("moderator",), houses=(house.house,)))
    await login(boris, await make_user(name="Борис Второй", roles=("moderator",), houses=(house.house,)))
    queue = f"/staff/meetings/{meeting_id}/moderation"
    for moderator in (client, boris):
        assert f"/staff/meetings/ballots/{ballot}/accept" in (await moderator.get(queue)).text
    assert (await client.form(f"/staff/meetings/ballots/{ballot}/accept")).status_code == 303
    typed = {"reason": "unsigned", "note": "Подписи нет"}
    for url, data in (
        (f"/staff/meetings/ballots/{ballot}/reject", typed),
        (f"/staff/meetings/ballots/{ballot}/accept", {}),
    ):
        refused = await boris.form(url, data, headers={"referer": f"http://testserver{queue}"})
        assert refused.status_code == 303
        page = await boris.get(refused.headers["location"])
        assert "Этот бюллетень уже принят: Анна Первая" in page.text, page.text
    row = await Ballot.select(Ballot.status, Ballot.rejection_note).where(Ballot.id == ballot).first()
    assert row == {"status": BallotStatus.ACCEPTED, "rejection_note": ""}
