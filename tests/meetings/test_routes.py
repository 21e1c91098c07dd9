"""The pages over HTTP on both engines: an owner votes with the e-mailed code, staff moderate, the protocol PDF."""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass
from datetime import timedelta
from fractions import Fraction

import openpyxl
import pytest
from pypdf import PdfReader

from portal.core import clock
from portal.core.i18n import format_day
from portal.core.tables import AuditEvent
from portal.core.tables import OutboxMessage
from portal.meetings import actions
from portal.meetings import queries
from portal.meetings.tables import AgendaItem
from portal.meetings.tables import Ballot
from portal.meetings.tables import BallotCode
from portal.meetings.tables import BallotStatus
from portal.meetings.tables import Meeting
from portal.meetings.tables import MeetingStatus
from portal.meetings.tables import OwnerLink
from tests.meetings.test_actions import SCAN
from tests.meetings.test_actions import SNILS
from tests.meetings.test_actions import _admin
from tests.meetings.test_actions import _owner_user
from tests.meetings.test_actions import _paper_ballots
from tests.pdfs import text_off_the_page
from tests.tickets.test_audit_trail import CLIENT_IP


async def _code(user_id: int) -> str:
    row = (
        await OutboxMessage.select(OutboxMessage.subject)
        .where((OutboxMessage.user_id == user_id) & (OutboxMessage.template == "meetings/code"))
        .first()
    )
    return row["subject"].rsplit(" ", 1)[1]


@dataclass(frozen=True)
class Voter:
    meeting_id: int
    user: int
    owner: int


@pytest.fixture
async def voter(client, login, make_user, example_house, make_meeting) -> Voter:
    """Owner A of flat 1 in the example house, signed in, with the house's meeting open for voting."""
    house = await example_house()
    meeting_id = await make_meeting(house.house)
    user = await make_user(accounts={house.accounts["1"]: "owner"})
    await OwnerLink(user=user, owner=house.owners["A"]).save()
    await login(client, user)
    return Voter(meeting_id, user, house.owners["A"])


async def test_an_owner_votes_through_the_pages_and_the_ballot_is_locked(client, voter):
    meeting_id, user = voter.meeting_id, voter.user
    page = await client.get(f"/meetings/{meeting_id}")
    assert page.status_code == 200 and "Избрать председателя" in page.text
    meeting = await queries.meeting_for_staff(await _admin(), meeting_id)
    (line,) = [x for x in await queries.register_of(meeting_id) if x.owner_id == voter.owner]
    answers = {f"q{i.id}": "for" for i in meeting.items}
    incomplete = await client.form(f"/meetings/{meeting_id}/ballots/{line.id}", {f"q{meeting.items[0].id}": "for"})
    assert incomplete.status_code == 422
    saved = await client.form(f"/meetings/{meeting_id}/ballots/{line.id}", answers)
    assert saved.status_code == 303
    summary = await client.get(f"/meetings/{meeting_id}/confirm")
    assert "<h3>Кв. 1 · " in summary.text  # the premise begins its heading
    assert (await client.form(f"/meetings/{meeting_id}/code")).status_code == 303
    wrong = await client.form(f"/meetings/{meeting_id}/confirm", {"code": "00000x"})
    # a wrong code is said at its field (not only above the page), what was typed kept
    assert wrong.status_code == 422
    field = re.search(r'<input id="f-code"[^>]*>', wrong.text).group(0)
    assert 'value="00000x"' in field and 'aria-invalid="true"' in field and 'aria-describedby="h-code e-code"' in field
    assert re.search(r'<p class="error" id="e-code">.*Неверный код', wrong.text), wrong.text
    assert not await Ballot.exists().where(Ballot.status == BallotStatus.ACCEPTED)
    done = await client.form(f"/meetings/{meeting_id}/confirm", {"code": await _code(user)})
    assert done.status_code == 303
    page = await client.get(f"/meetings/{meeting_id}")
    assert "Решение получено и закреплено" in page.text
    # Back at the confirmation (the e-mail's link, the back button): the vote is received, not "answer first".
    back = (await client.get(f"/meetings/{meeting_id}/confirm")).text
    assert "Ваш голос получен по всем помещениям: подтверждать больше нечего." in back
    again = await client.form(f"/meetings/{meeting_id}/ballots/{line.id}", {k: "against" for k in answers})
    assert again.status_code == 303  # refused with a message
    assert (await queries.outcome(meeting)).questions[0].votes_for == 50
    ballot_pdf = await client.get(f"/meetings/{meeting_id}/ballots/{line.id}/pdf")
    assert ballot_pdf.headers["content-type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(ballot_pdf.content)).pages)
    assert "Собственник A" in text and "ЕГРН № A-1" in text
    assert "Скачать решение (PDF)</a>" in page.text  # a Russian page says nothing of the file's language
    # The ballot is the owner's written decision, a legal document in Russian: a reader of English downloads the
    # Russian ballot (labels, premise and area too), and the page says so at the link.
    await client.speak("en")
    page = await client.get(f"/meetings/{meeting_id}")
    assert 'hreflang="ru">Download the ballot (PDF) (in Russian)</a>' in page.text
    ballot_pdf = await client.get(f"/meetings/{meeting_id}/ballots/{line.id}/pdf")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(ballot_pdf.content)).pages)
    assert "Решение собственника" in text and "кв. 1, 50,00 м²" in text.replace("\u00a0", " "), text
    assert "Owner" not in text and "flat" not in text and "m²" not in text


async def test_the_ballot_pdf_writes_the_house_and_the_owner_within_the_page(client, voter):
    """The heading's lines (house, form, owner, premise, share) are paragraphs one under another at the left
    margin: each used to start where the one above ended, at the right edge, and so was written off the page."""
    meeting_id = voter.meeting_id
    meeting = await queries.meeting_for_staff(await _admin(), meeting_id)
    (line,) = [x for x in await queries.register_of(meeting_id) if x.owner_id == voter.owner]
    await client.form(f"/meetings/{meeting_id}/ballots/{line.id}", {f"q{i.id}": "for" for i in meeting.items})
    await client.form(f"/meetings/{meeting_id}/code")
    await client.form(f"/meetings/{meeting_id}/confirm", {"code": await _code(voter.user)})
    ballot_pdf = await client.get(f"/meetings/{meeting_id}/ballots/{line.id}/pdf")
    assert ballot_pdf.status_code == 200
    assert text_off_the_page(ballot_pdf.content) == []


async def test_the_ballot_pdf_writes_the_voter_surname_first_like_the_owner(
    client, login, make_user, example_house, make_meeting
):
    """The ballot named one person twice in two orders: the owner as the register writes her («Кравец Ольга
    Сергеевна»), the voter as her account does («Ольга Сергеевна Кравец»). A formal document writes both surname
    first."""
    from portal.housing.tables import Owner

    house = await example_house()
    await Owner.update({Owner.name: "Кравец Ольга Сергеевна"}).where(Owner.id == house.owners["A"])
    meeting_id = await make_meeting(house.house)
    user = await make_user(name="Ольга Сергеевна Кравец", accounts={house.accounts["1"]: "owner"})
    await OwnerLink(user=user, owner=house.owners["A"]).save()
    await login(client, user)
    meeting = await queries.meeting_for_staff(await _admin(), meeting_id)
    (line,) = [x for x in await queries.register_of(meeting_id) if x.owner_id == house.owners["A"]]
    await client.form(f"/meetings/{meeting_id}/ballots/{line.id}", {f"q{i.id}": "for" for i in meeting.items})
    await client.form(f"/meetings/{meeting_id}/code")
    await client.form(f"/meetings/{meeting_id}/confirm", {"code": await _code(user)})
    ballot_pdf = await client.get(f"/meetings/{meeting_id}/ballots/{line.id}/pdf")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(ballot_pdf.content)).pages)
    assert "Собственник: Кравец Ольга Сергеевна" in text, text
    assert "Голосовал: Кравец Ольга Сергеевна" in text, text
    assert "Ольга Сергеевна Кравец" not in text


async def test_a_ballot_with_a_question_left_out_keeps_the_answers_chosen(client, voter):
    meeting_id = voter.meeting_id
    meeting = await queries.meeting_for_staff(await _admin(), meeting_id)
    (line,) = [x for x in await queries.register_of(meeting_id) if x.owner_id == voter.owner]
    first, *rest = meeting.items
    assert rest, "the example meeting has more than one question"
    refused = await client.form(f"/meetings/{meeting_id}/ballots/{line.id}", {f"q{first.id}": "against"})
    assert refused.status_code == 422
    assert f'name="q{first.id}" value="against" checked' in refused.text
    assert f'name="q{rest[0].id}" value="for" checked' not in refused.text
    assert "Выберите ответ на этот вопрос." in refused.text


async def test_a_ballot_with_a_question_left_out_says_so_above_the_questions_and_leads_to_it(client, voter):
    """The refused ballot came back as the whole meeting page, scrolled to its top, with the messages only at the
    questions far below on a phone: the resident saw nothing happen. A summary that takes the focus names each
    question left out and links to its first answer."""
    meeting_id = voter.meeting_id
    meeting = await queries.meeting_for_staff(await _admin(), meeting_id)
    (line,) = [x for x in await queries.register_of(meeting_id) if x.owner_id == voter.owner]
    first, second, *_ = meeting.items
    refused = await client.form(f"/meetings/{meeting_id}/ballots/{line.id}", {f"q{first.id}": "for"})
    assert refused.status_code == 422
    summary = re.search(r'<div class="error-summary"[^>]*data-autofocus.*?</div>', refused.text, re.S)
    assert summary, "no error summary above the ballot"
    target = f"f-{line.id}-q{second.id}"
    assert f'<a href="#{target}">Вопрос 2: Выберите ответ на этот вопрос.</a>' in summary.group(0)
    assert f'id="{target}" name="q{second.id}" value="for"' in refused.text


async def test_the_confirmation_names_the_premise_left_without_answers_and_leads_to_its_ballot(client, voter):
    """An owner of two flats who answered for one sees, before asking for the code, that the other is not in this
    confirmation and how to answer for it; the page used to list the answered flat only, as if that were the vote."""
    meeting_id = voter.meeting_id
    owner_f = await _owner_of_flat_4(meeting_id)
    await OwnerLink(user=voter.user, owner=owner_f).save()
    meeting = await queries.meeting_for_staff(await _admin(), meeting_id)
    register = await queries.register_of(meeting_id)
    (flat_1,) = [x for x in register if x.owner_id == voter.owner]
    (flat_4,) = [x for x in register if x.owner_id == owner_f]
    await client.form(f"/meetings/{meeting_id}/ballots/{flat_1.id}", {f"q{i.id}": "for" for i in meeting.items})
    page = await client.get(f"/meetings/{meeting_id}/confirm")
    assert "Не войдут в это подтверждение" in page.text
    assert f'href="/meetings/{meeting_id}#line-{flat_4.id}">Ответить за кв. 4</a>' in page.text
    await client.speak("en")
    page = await client.get(f"/meetings/{meeting_id}/confirm")
    assert "No answers are saved for this premise" in page.text and "Answer for flat 4" in page.text
    await client.form(f"/meetings/{meeting_id}/ballots/{flat_4.id}", {f"q{i.id}": "against" for i in meeting.items})
    page = await client.get(f"/meetings/{meeting_id}/confirm")
    assert "Not in this confirmation" not in page.text


async def test_with_the_code_on_its_way_the_owner_can_still_go_back_and_change_the_answers(client, voter):
    """The mind may change until the code is typed; the page that asks for the code had no way back to the ballot
    but the breadcrumb, while the page before it offered «Изменить ответы»."""
    meeting_id = voter.meeting_id
    meeting = await queries.meeting_for_staff(await _admin(), meeting_id)
    (line,) = [x for x in await queries.register_of(meeting_id) if x.owner_id == voter.owner]
    await client.form(f"/meetings/{meeting_id}/ballots/{line.id}", {f"q{i.id}": "for" for i in meeting.items})
    await client.form(f"/meetings/{meeting_id}/code")
    page = (await client.get(f"/meetings/{meeting_id}/confirm")).text
    assert 'name="code"' in page
    assert f'<a href="/meetings/{meeting_id}#vote">Изменить ответы</a>' in page
    changed = {f"q{i.id}": "against" for i in meeting.items}
    assert (await client.form(f"/meetings/{meeting_id}/ballots/{line.id}", changed)).status_code == 303
    await client.form(f"/meetings/{meeting_id}/confirm", {"code": await _code(voter.user)})
    assert (await queries.outcome(meeting)).questions[0].against == 50  # the changed answers are the ones locked


async def test_an_owner_back_from_reading_the_mail_finds_the_field_for_the_code(client, voter):
    """The field for the code was shown only on the address the «send» button led to: an owner who went to the mail
    app and came back by «Проверить и подтвердить голос» was offered only a new code, the one in the mail unusable."""
    meeting_id = voter.meeting_id
    meeting = await queries.meeting_for_staff(await _admin(), meeting_id)
    (line,) = [x for x in await queries.register_of(meeting_id) if x.owner_id == voter.owner]
    await client.form(f"/meetings/{meeting_id}/ballots/{line.id}", {f"q{i.id}": "for" for i in meeting.items})
    page = (await client.get(f"/meetings/{meeting_id}/confirm")).text
    assert 'name="code"' not in page and "Получить код подтверждения" in page
    await client.form(f"/meetings/{meeting_id}/code")
    page = (await client.get(f"/meetings/{meeting_id}/confirm")).text
    assert 'name="code"' in page and "Отправить новый код" in page
    await client.form(f"/meetings/{meeting_id}/confirm", {"code": await _code(voter.user)})
    assert (await queries.outcome(meeting)).questions[0].votes_for == 50


async def test_an_expired_code_is_not_asked_for(client, voter):
    meeting_id = voter.meeting_id
    meeting = await queries.meeting_for_staff(await _admin(), meeting_id)
    (line,) = [x for x in await queries.register_of(meeting_id) if x.owner_id == voter.owner]
    await client.form(f"/meetings/{meeting_id}/ballots/{line.id}", {f"q{i.id}": "for" for i in meeting.items})
    await client.form(f"/meetings/{meeting_id}/code")
    await BallotCode.update({BallotCode.expires_at: clock.now() - timedelta(seconds=1)}, force=True)
    page = (await client.get(f"/meetings/{meeting_id}/confirm")).text
    assert 'name="code"' not in page and "Получить код подтверждения" in page


async def test_answers_saved_after_the_code_was_sent_are_said_to_be_unconfirmed(client, voter):
    """The code confirms the ballots it was sent for; an owner of two flats who answered for the second one after
    asking for it was told only «ballots locked: 1», and the second flat would never have counted."""
    meeting_id = voter.meeting_id
    await OwnerLink(user=voter.user, owner=await _owner_of_flat_4(meeting_id)).save()
    meeting = await queries.meeting_for_staff(await _admin(), meeting_id)
    mine = [x for x in await queries.register_of(meeting_id) if x.premise.endswith((" 1", " 4"))]
    answers = {f"q{i.id}": "for" for i in meeting.items}
    first, second = sorted(mine, key=lambda x: x.premise)
    await client.form(f"/meetings/{meeting_id}/ballots/{first.id}", answers)
    await client.form(f"/meetings/{meeting_id}/code")
    await client.form(f"/meetings/{meeting_id}/ballots/{second.id}", answers)
    await client.form(f"/meetings/{meeting_id}/confirm", {"code": await _code(voter.user)})
    page = (await client.get(f"/meetings/{meeting_id}")).text
    assert "закреплено решений: 1" in page
    assert "Ещё не подтверждено: кв. 4. Запросите новый код." in page


async def _paper_accepted_after_the_code(client, voter, flats: tuple[str, ...]) -> tuple[queries.MeetingView, str]:
    """The owner of flat 1 (and of flat 4, where ``flats`` names it) answered «against» for ``flats`` and asked for
    the code; then their paper ballot for
    flat 1, «for», was entered and accepted. The sentence the owner is to read of flat 1."""
    meeting_id = voter.meeting_id
    if "4" in flats:
        await OwnerLink(user=voter.user, owner=await _owner_of_flat_4(meeting_id)).save()
    meeting = await queries.meeting_for_staff(await _admin(), meeting_id)
    lines = {x.premise[-1]: x for x in await queries.register_of(meeting_id) if x.premise.endswith((" 1", " 4"))}
    for flat in flats:
        await client.form(
            f"/meetings/{meeting_id}/ballots/{lines[flat].id}", {f"q{i.id}": "against" for i in meeting.items}
        )
    await client.form(f"/meetings/{meeting_id}/code")
    on_paper = {i.id: "for" for i in meeting.items}
    paper = await actions.enter_paper(await _admin(), meeting, lines["1"].id, "", clock.now(), on_paper, SCAN, SNILS)
    await actions.accept(await _admin(), (await queries.ballot_for_staff(await _admin(), paper))[1])
    day = format_day(clock.now(), "day_month")
    return meeting, f"По этой собственности (кв. 1) уже учтено бумажное решение, принятое {day}."


async def test_a_code_typed_after_the_paper_ballot_was_accepted_says_so_and_is_not_spent(client, voter):
    """ЖК ст. 48: the first decision received counts. Flat 1's paper ballot was accepted after the code was sent;
    the code used to be spent with «your paper ballot was received first». Now the owner is sent back to the
    confirmation with the sentence saying when the paper was accepted; nothing is written, the code not spent."""
    meeting, said = await _paper_accepted_after_the_code(client, voter, ("1",))
    confirm = f"/meetings/{meeting.id}/confirm"
    refused = await client.form(
        confirm, {"code": await _code(voter.user)}, headers={"referer": f"http://testserver{confirm}"}
    )
    assert refused.status_code == 303 and refused.headers["location"].endswith(confirm)
    back = (await client.get(confirm)).text
    assert said in back and "закреплено" not in back, back
    assert "Ваш голос получен по всем помещениям" in back  # flat 1's decision is the paper one
    electronic = (Ballot.source == "electronic") & (Ballot.status == BallotStatus.ACCEPTED)
    assert not await Ballot.exists().where(electronic)
    assert await BallotCode.exists().where((BallotCode.user == voter.user) & BallotCode.used_at.is_null())
    assert (await queries.outcome(meeting)).questions[0].votes_for == 50


async def test_a_code_for_two_flats_confirms_the_one_without_a_paper_ballot_and_says_why_not_the_other(client, voter):
    """The code was sent for flats 1 and 4, and flat 1's paper ballot accepted before it was typed: it confirms flat
    4 and says why not flat 1 (it used to say «ballots locked: 1» only, flat 1's answers silently not counted); the
    page then says flat 1's decision is the paper one, whose answers it shows."""
    meeting, said = await _paper_accepted_after_the_code(client, voter, ("1", "4"))
    done = await client.form(f"/meetings/{meeting.id}/confirm", {"code": await _code(voter.user)})
    page = (await client.get(done.headers["location"])).text
    assert "закреплено решений: 1" in page and f'<p class="flash flash-info">{said}</p>' in page, page
    assert "Ещё не подтверждено" not in page
    # flat 1 shows the paper's answers, said to be the paper ballot's (the owner typed others here); flat 4 its own
    flat_1 = page[page.index("Кв. 1, ") : page.index("Кв. 4, ")]
    assert "Бумажное решение учтено" in flat_1 and "Решение получено и закреплено" not in flat_1, flat_1
    assert "Решение получено и закреплено" in page[page.index("Кв. 4, ") :]
    outcome = await queries.outcome(meeting)  # flat 4 «against» online (45.5), flat 1 «for» on paper (50)
    assert outcome.questions[0].against == Fraction(91, 2) and outcome.questions[0].votes_for == 50


async def _owner_of_flat_4(meeting_id: int) -> int:
    return next(x.owner_id for x in await queries.register_of(meeting_id) if x.premise.endswith(" 4"))


async def test_the_ballot_button_says_every_question_is_answered_and_a_part_is_not_kept(client, voter):
    """A ballot decides every question (ЖК ст. 48 ч. 5.1), so a part of it is refused, not kept as a draft: the
    button says «all the answers» in both languages rather than suggesting it keeps whatever is ticked."""
    meeting_id = voter.meeting_id
    meeting = await queries.meeting_for_staff(await _admin(), meeting_id)
    (line,) = [x for x in await queries.register_of(meeting_id) if x.owner_id == voter.owner]
    assert "Сохранить ответы на все вопросы: кв. 1" in (await client.get(f"/meetings/{meeting_id}")).text
    part = await client.form(f"/meetings/{meeting_id}/ballots/{line.id}", {f"q{meeting.items[0].id}": "for"})
    assert part.status_code == 422 and "Сохранить ответы на все вопросы: кв. 1" in part.text
    assert not await Ballot.exists().where(Ballot.meeting == meeting_id)
    await client.speak("en")
    english = (await client.get(f"/meetings/{meeting_id}")).text
    assert "Save all the answers for" in english and "Сохранить ответы" not in english


async def test_saving_a_ballot_goes_back_to_that_ballot_with_or_without_htmx(client, voter):
    """The page is long on a phone; after «Сохранить ответы на все вопросы» the resident is taken back to the ballot
    saved, to its «saved, not yet voted» block with the button that goes on to the vote. A plain form follows the 303
    to «#saved-…»; a boosted one used to lose the «#…» inside htmx's request and show the top of the page, so it is
    told the place in an HX-Location that asks for the page as a boosted request."""
    meeting_id = voter.meeting_id
    meeting = await queries.meeting_for_staff(await _admin(), meeting_id)
    (line,) = [x for x in await queries.register_of(meeting_id) if x.owner_id == voter.owner]
    answers = {f"q{i.id}": "for" for i in meeting.items}
    plain = await client.form(f"/meetings/{meeting_id}/ballots/{line.id}", answers)
    assert plain.status_code == 303 and plain.headers["location"] == f"/meetings/{meeting_id}#saved-{line.id}"
    boosted = await client.htmx_form(
        f"/meetings/{meeting_id}/ballots/{line.id}", answers, headers={"HX-Boosted": "true"}
    )
    assert boosted.status_code == 200
    assert json.loads(boosted.headers["hx-location"]) == {
        "path": f"/meetings/{meeting_id}#saved-{line.id}",
        "target": "body",
        "headers": {"HX-Boosted": "true"},
    }
    page = await client.get(f"/meetings/{meeting_id}", headers={"HX-Request": "true", "HX-Boosted": "true"})
    assert "<html" in page.text  # the whole page
    block = re.search(rf'<div class="[^"]*ballot-saved" id="saved-{line.id}".*?</div>', page.text, re.S)
    assert block and "Ответы сохранены, но голос ещё не подан" in block[0]
    assert f'href="/meetings/{meeting_id}/confirm">Проверить и подтвердить голос</a>' in block[0]


async def test_the_ballots_in_english_give_the_area_in_square_metres(client, voter):
    meeting_id = voter.meeting_id
    await client.speak("en")
    page = await client.get(f"/meetings/{meeting_id}")
    headings = re.findall(r'<h3 id="line-h-\d+">(.*?)</h3>', page.text)
    assert headings and all(re.search(r"\d\.\d\d\u00a0m²$", h) for h in headings), headings  # the unit on its line


@pytest.mark.parametrize("lang", ["ru", "en"])
async def test_a_ballots_heading_begins_with_a_capital(client, voter, lang):
    """The premise begins the ballot's heading and read «flat 1, 50.00 m²» / «кв. 1, 50,00 м²» there, in the
    lower case it has inside a sentence (the ballot's save button still says «… for flat 1»)."""
    await client.speak(lang)
    page = await client.get(f"/meetings/{voter.meeting_id}")
    headings = re.findall(r'<h3 id="line-h-\d+">(.*?)</h3>', page.text)
    assert headings and all(h.startswith({"ru": "Кв. ", "en": "Flat "}[lang]) for h in headings), headings


async def test_the_agenda_says_each_questions_threshold_in_a_whole_sentence_of_its_own(
    client, login, make_user, example_house, make_meeting
):
    house = await example_house()
    meeting_id = await make_meeting(house.house)
    await AgendaItem.insert(
        AgendaItem(meeting=meeting_id, position=3, text="Капремонт крыши", subject="p1", threshold="two_thirds"),
        AgendaItem(meeting=meeting_id, position=4, text="Реконструкция", subject="other", threshold="unanimous"),
    )
    await login(client, await make_user(accounts={house.accounts["1"]: "owner"}))
    said = {
        "ru": [
            "Решение принимается более чем половиной голосов участников",
            "Решение принимается более чем половиной всех голосов",
            "Решение принимается не менее чем двумя третями всех голосов",
            "Решение принимается, только если за него проголосуют все собственники",
        ],
        # A rule, not a result: «Adopted by two thirds…» read as done beside a question the results say is not.
        "en": [
            "Adopted when more than half of the votes taking part are for it",
            "Adopted when more than half of all votes are for it",
            "Adopted when at least two thirds of all votes are for it",
            "Adopted only if all owners vote for it",
        ],
    }
    for lang, sentences in said.items():
        await client.speak(lang)
        page = await client.get(f"/meetings/{meeting_id}")
        agenda = re.search(r'<ol class="agenda">(.*?)</ol>', page.text, re.S).group(1)
        shown = [p.strip() for p in re.findall(r'<p class="muted">([^<]*)', agenda)]
        assert shown == sentences, (lang, shown)


async def test_another_resident_gets_404_for_the_meeting_and_a_tenant_has_no_ballot(
    client, login, make_user, example_house, make_meeting
):
    house = await example_house()
    other = await example_house()
    meeting_id = await make_meeting(house.house)
    stranger = await make_user(accounts={other.accounts["1"]: "owner"})
    await login(client, stranger)
    assert (await client.get(f"/meetings/{meeting_id}")).status_code == 404
    tenant = await make_user(accounts={house.accounts["1"]: "tenant"})
    client.cookies.clear()
    await login(client, tenant)
    page = await client.get(f"/meetings/{meeting_id}")
    assert page.status_code == 200 and "Сохранить ответы на все вопросы" not in page.text
    (line,) = [x for x in await queries.register_of(meeting_id) if x.owner_id == house.owners["A"]]
    meeting = await queries.meeting_for_staff(await _admin(), meeting_id)
    posted = await client.form(f"/meetings/{meeting_id}/ballots/{line.id}", {f"q{i.id}": "for" for i in meeting.items})
    assert posted.status_code == 303
    assert not await Ballot.exists().where(Ballot.meeting == meeting_id)


async def test_staff_pages_moderation_and_the_protocol(client, login, make_user, example_house, make_meeting):
    house = await example_house()
    meeting_id = await make_meeting(house.house)
    meeting = await queries.meeting_for_staff(await _admin(), meeting_id)
    moderator = await make_user(roles=("moderator",), houses=(house.house,))
    manager = await make_user(roles=("manager",), houses=(house.house,))
    ids = await _paper_ballots(house, meeting_id, "GDF")
    await login(client, moderator)
    for path in ("/staff/meetings", f"/staff/meetings/{meeting_id}", f"/staff/meetings/{meeting_id}/paper"):
        assert (await client.get(path)).status_code == 200, path
    queue = await client.get(f"/staff/meetings/{meeting_id}/moderation")
    assert "Собственник G" in queue.text
    assert (await client.form(f"/staff/meetings/ballots/{ids[0]}/accept")).status_code == 303
    assert (await client.form(f"/staff/meetings/ballots/{ids[1]}/accept")).status_code == 303
    assert (await client.form(f"/staff/meetings/ballots/{ids[2]}/reject", {"reason": "unsigned"})).status_code == 303
    outcome = await queries.outcome(meeting)
    assert outcome.participating == 184 + 1 / 2 and outcome.quorum  # G 124.5 + кв. 3 60 of 350
    # Every moderation decision is in the audit log (SECURITY.md), with the address the moderator acted from.
    decided = await AuditEvent.select(AuditEvent.action, AuditEvent.ip).where(AuditEvent.entity == "ballot")
    moderated = sorted((e["action"], e["ip"]) for e in decided if e["action"] != "ballot.enter")
    assert moderated == [("ballot.accept", CLIENT_IP)] * 2 + [("ballot.reject", CLIENT_IP)]
    # the voting ends; the manager closes the count and the protocol carries DOMAIN §1.7's fields
    await Meeting.update({Meeting.voting_ends_at: clock.now()}).where(Meeting.id == meeting_id)
    client.cookies.clear()
    await login(client, manager)
    assert (await client.form(f"/staff/meetings/{meeting_id}/close")).status_code == 303
    assert (await Meeting.select(Meeting.status).where(Meeting.id == meeting_id).first())[
        "status"
    ] == MeetingStatus.CLOSED
    results = (await client.get(f"/staff/meetings/{meeting_id}")).text
    shares = re.findall(r'<td class="num" data-label="(?:За|Против|Воздержался)">([^<]*)</td>', results)
    # G and D (184.5 of 350 votes) voted «for» both: the chair, decided by those taking part, reads 100 % of
    # them; the managing company, decided by all votes of the house, 52.71 % of all — each in 2 decimals
    assert shares == [s + "\u00a0%" for s in ("100,00", "0,00", "0,00", "52,71", "0,00", "0,00")], shares
    assert "Проценты от голосов участвующих" in results and "Проценты от всех голосов дома" in results
    # the bar's own words (read where a browser draws no bar) give the share as the page's other numbers do
    assert re.findall(r"<progress [^>]*>([^<]*)</progress>", results) == ["52,71\u00a0%"]
    await client.speak("en")
    results = (await client.get(f"/staff/meetings/{meeting_id}")).text
    assert re.findall(r"<progress [^>]*>([^<]*)</progress>", results) == ["52.71%"]
    await client.speak("ru")
    protocol = await client.get(f"/staff/meetings/{meeting_id}/protocol")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(protocol.content)).pages)
    for words in ("Протокол №", "Кворум", "Избрать председателя", "Реестр собственников", "Место хранения", "124,5"):
        assert words in text, words
    said = " ".join(text.replace("\u00a0", " ").split())
    assert "184,5 (100 %)" in said and "Проценты от голосов участвующих" in said  # the chair, as on the page
    export = await client.get(f"/staff/meetings/{meeting_id}/export")
    assert export.headers["content-type"].startswith("application/vnd.openxmlformats")
    results = (await client.get(f"/staff/meetings/{meeting_id}")).text
    assert 'hreflang="ru" download>Протокол (PDF)</a>' in results  # a Russian page says nothing of the language
    # The protocol is filed with the housing inspectorate: staff reading English download it in Russian, labels,
    # dates and numbers too; the page stays English and says so at the link.
    await client.speak("en")
    results = (await client.get(f"/staff/meetings/{meeting_id}")).text
    assert 'hreflang="ru" download>Protocol (PDF) (in Russian)</a>' in results
    protocol = await client.get(f"/staff/meetings/{meeting_id}/protocol")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(protocol.content)).pages)
    said = " ".join(text.replace("\u00a0", " ").split())
    assert "Протокол №" in said and "350 (350 м²)" in said and "Реестр собственников" in said and "кв. 1" in said, said
    assert "Protocol" not in said and "Area" not in said and "m²" not in said
    # The register is an annex of the protocol: Russian like it, the English page saying so at the link.
    assert 'hreflang="ru" download>Register and ballots (XLSX) (in Russian)</a>' in results
    export = await client.get(f"/staff/meetings/{meeting_id}/export")
    book = openpyxl.load_workbook(io.BytesIO(export.content))
    assert book.sheetnames == ["Реестр", "Решения"], book.sheetnames
    sheet = book.active
    assert "Площадь, м²" in [c.value for c in next(sheet.iter_rows())]
    assert "кв. 1" in [c.value for c in sheet["A"]]
    # the area in m² and the votes (m² of it, to two places) are numbers of their own kind, not roubles
    assert sheet["C2"].data_type == "n" and sheet["C2"].number_format == "#,##0.0#"
    assert sheet["G2"].data_type == "n" and sheet["G2"].number_format == "#,##0.00"
    # whether an owner holds the premise jointly is a yes-or-no cell, not 1 / 0
    assert sheet["E1"].value == "Совместная" and {row[4].data_type for row in sheet.iter_rows(min_row=2)} == {"b"}


async def test_an_initiatives_support_counts_its_ownerships_in_the_plural_of_the_number(
    client, login, make_user, example_house, principal_of_user
):
    house = await example_house()
    b = await _owner_user(make_user, house, "B", "2")
    a = await _owner_user(make_user, house, "A", "1")
    initiative_id = await actions.start_initiative(
        await principal_of_user(b), house.house, "Сменить УК", "1. Выбрать УК"
    )
    await login(client, b)
    await client.speak("en")
    page = (await client.get(f"/meetings/initiatives/{initiative_id}")).text
    assert "10.00% of all votes, 1 ownership<" in page  # not «1 ownerships»
    view = await queries.initiative_for_resident(await principal_of_user(a), initiative_id)
    await actions.support(await principal_of_user(a), view)
    page = (await client.get(f"/meetings/initiatives/{initiative_id}")).text
    assert "24.29% of all votes, 2 ownerships<" in page
    await client.speak("ru")
    page = (await client.get(f"/meetings/initiatives/{initiative_id}")).text
    assert "24,29\u00a0% всех голосов, собственностей: 2<" in page


async def test_a_draft_whose_voting_ends_before_it_starts_is_refused_with_what_was_typed(
    client, login, make_user, example_house
):
    """Voting that ends before it starts is wrong whenever the meeting is announced: the draft is not made with it
    (it was, and read «6 декабря – 1 декабря» until announcing refused it); the form says why and keeps the rest."""
    house = await example_house()
    await login(client, await make_user(roles=("manager",), houses=(house.house,)))
    today = clock.today_local()
    draft = {
        "house": str(house.house),
        "title": "Собрание о парковке",
        "form": "absentee",
        "initiator": "ООО «УК»",
        "chair": "Иванов И. И.",
        "starts_on": (today + timedelta(days=15)).isoformat(),
        "voting_ends": (today + timedelta(days=12)).isoformat(),
        "register_on": today.isoformat(),
    }
    refused = await client.form("/staff/meetings/new", draft)
    assert refused.status_code == 422
    assert "Голосование не может закончиться раньше, чем начнётся." in refused.text
    assert 'id="e-voting_ends"' in refused.text and 'href="#f-voting_ends"' in refused.text
    assert 'value="Собрание о парковке"' in refused.text and 'value="Иванов И. И."' in refused.text
    assert f'value="{draft["voting_ends"]}"' in refused.text
    assert not await Meeting.exists().where(Meeting.title == "Собрание о парковке")
    # The summary reads from the top down as the form does: it listed the register's day before the voting's end
    # (or left it for a second try) and the administrator's notice of an electronic meeting after every date.
    late_register = {"form": "electronic", "register_on": (today + timedelta(days=20)).isoformat()}
    refused = await client.form("/staff/meetings/new", draft | late_register)
    summary = refused.text.split('class="error-summary"', 1)[1].split("</ul>", 1)[0]
    assert re.findall(r'<a href="#f-(\w+)">', summary) == ["administrator_notified_on", "voting_ends", "register_on"]


async def test_a_drafts_dates_refused_on_announcing_are_changed_on_the_draft_and_it_is_announced(
    client, login, make_user, example_house, make_meeting
):
    """A draft whose first day came too soon (less than 10 days after the notice) could not be announced, and nothing
    let the organiser change its dates: it stayed a draft for ever. The draft's form now opens with what it holds,
    keeps what was typed after an error, saves, and the draft is announced; an announced meeting's form is refused."""
    house = await example_house()
    manager = await make_user(roles=("manager",), houses=(house.house,))
    await login(client, manager)
    today = clock.today_local()
    draft = {
        "house": str(house.house),
        "title": "Замена лифтов",
        "form": "absentee",
        "initiator": "ООО «УК»",
        "chair": "Иванов И. И.",
        "starts_on": (today + timedelta(days=3)).isoformat(),
        "voting_ends": (today + timedelta(days=20)).isoformat(),
        "register_on": today.isoformat(),
    }
    made = await client.form("/staff/meetings/new", draft)
    assert made.status_code == 303
    meeting_id = int(made.headers["location"].rsplit("/", 1)[1])
    added = await client.form(f"/staff/meetings/{meeting_id}/items", {"text": "Заменить лифты", "subject": "p1"})
    assert added.status_code == 303
    refused = await client.form(f"/staff/meetings/{meeting_id}/publish")
    assert refused.status_code == 303
    page = (await client.get(f"/staff/meetings/{meeting_id}")).text
    assert (
        "не позднее чем за 10\u00a0дней" in page
        and f'href="/staff/meetings/{meeting_id}/edit">Изменить черновик' in page
    )

    form = (await client.get(f"/staff/meetings/{meeting_id}/edit")).text
    assert 'value="Замена лифтов"' in form and 'value="Иванов И. И."' in form
    assert f'value="{draft["starts_on"]}"' in form and f'value="{draft["voting_ends"]}"' in form
    later = {**draft, "starts_on": (today + timedelta(days=12)).isoformat(), "voting_ends": ""}
    wrong = await client.form(f"/staff/meetings/{meeting_id}/edit", later)
    assert wrong.status_code == 422 and f'value="{later["starts_on"]}"' in wrong.text
    later["voting_ends"] = (today + timedelta(days=30)).isoformat()
    saved = await client.form(f"/staff/meetings/{meeting_id}/edit", {**later, "house": "999999"})
    assert saved.status_code == 303
    stored = await Meeting.select().where(Meeting.id == meeting_id).first()
    assert stored["house"] == house.house and stored["starts_on"] == today + timedelta(days=12)
    assert stored["chair"] == "Иванов И. И." and stored["status"] == MeetingStatus.DRAFT
    assert clock.local(stored["voting_ends_at"]).date() == today + timedelta(days=30)
    told = await AuditEvent.select(AuditEvent.changes).where(AuditEvent.action == "meeting.edit").first()
    changes = json.loads(told["changes"]) if isinstance(told["changes"], str) else told["changes"]
    assert sorted(changes) == ["starts_on", "voting_ends"], changes  # only what changed, before and after

    assert (await client.form(f"/staff/meetings/{meeting_id}/publish")).status_code == 303
    assert (await Meeting.select(Meeting.status).where(Meeting.id == meeting_id).first())["status"] == "published"
    assert f"/staff/meetings/{meeting_id}/edit" not in (await client.get(f"/staff/meetings/{meeting_id}")).text
    assert (await client.get(f"/staff/meetings/{meeting_id}/edit")).status_code == 303
    again = await client.form(f"/staff/meetings/{meeting_id}/edit", {**later, "title": "Другое"})
    assert again.status_code == 303
    assert (await Meeting.select(Meeting.title).where(Meeting.id == meeting_id).first())["title"] == "Замена лифтов"
    # Each step keeps the address the organiser acted from, as every staff write does.
    steps = await AuditEvent.select(AuditEvent.action, AuditEvent.ip).where(AuditEvent.entity == "meeting")
    assert sorted(e["action"] for e in steps) == ["meeting.create", "meeting.edit", "meeting.item", "meeting.publish"]
    assert {e["ip"] for e in steps} == {CLIENT_IP}


async def test_a_draft_saved_with_its_in_person_meeting_outside_its_days_is_not_announced(
    client, login, make_user, example_house
):
    """Drafts saved before the form refused it kept an in-person meeting dated before the first day (sooner than the
    notice's 10 days) and were announced so: announcing now checks the in-person day too, and says where to fix it."""
    house = await example_house()
    await login(client, await make_user(roles=("manager",), houses=(house.house,)))
    today = clock.today_local()
    draft = {
        "house": str(house.house),
        "title": "Собрание о дворе",
        "form": "mixed",
        "initiator": "ООО «УК»",
        "in_person_at": f"{(today + timedelta(days=12)).isoformat()}T18:00",
        "starts_on": (today + timedelta(days=12)).isoformat(),
        "voting_ends": (today + timedelta(days=30)).isoformat(),
        "register_on": today.isoformat(),
    }
    made = await client.form("/staff/meetings/new", draft)
    meeting_id = int(made.headers["location"].rsplit("/", 1)[1])
    await client.form(f"/staff/meetings/{meeting_id}/items", {"text": "Благоустроить двор", "subject": "p1"})
    early = clock.day_start(today + timedelta(days=2)) + timedelta(hours=18)  # as the form took it before
    await Meeting.update({Meeting.in_person_at: early}).where(Meeting.id == meeting_id)
    assert (await client.form(f"/staff/meetings/{meeting_id}/publish")).status_code == 303
    assert (await Meeting.select(Meeting.status).where(Meeting.id == meeting_id).first())["status"] == "draft"
    page = (await client.get(f"/staff/meetings/{meeting_id}")).text
    assert "Очное собрание проводится в дни собрания: измените его дату или дни собрания." in page

    await Meeting.update({Meeting.in_person_at: early + timedelta(days=10)}).where(Meeting.id == meeting_id)
    assert (await client.form(f"/staff/meetings/{meeting_id}/publish")).status_code == 303
    assert (await Meeting.select(Meeting.status).where(Meeting.id == meeting_id).first())["status"] == "published"


async def test_the_dates_of_the_originals_are_refused_in_the_future_or_sent_before_received(
    client, login, make_user, example_house, make_meeting
):
    house = await example_house()
    meeting_id = await make_meeting(house.house, days_left=-2, closed=True)
    await login(client, await make_user(roles=("manager",), houses=(house.house,)))
    today = clock.today_local()
    url = f"/staff/meetings/{meeting_id}/documents"
    tomorrow, yesterday = (today + timedelta(days=1)).isoformat(), (today - timedelta(days=1)).isoformat()
    for received, sent, field in ((tomorrow, "", "originals_received_on"), (today.isoformat(), yesterday,
                                  "sent_to_inspectorate_on"), ("", yesterday, "sent_to_inspectorate_on"),
                                  ("31.02.2026", "", "originals_received_on")):  # fmt: skip
        refused = await client.form(url, {"originals_received_on": received, "sent_to_inspectorate_on": sent})
        assert refused.status_code == 422 and f'id="e-{field}"' in refused.text, (received, sent)
        assert f'value="{received or sent}"' in refused.text  # what was typed is kept
    row = await Meeting.select(Meeting.originals_received_on, Meeting.sent_to_inspectorate_on).first()
    assert row == {"originals_received_on": None, "sent_to_inspectorate_on": None}  # nothing of it saved
    saved = await client.form(url, {"originals_received_on": yesterday, "sent_to_inspectorate_on": today.isoformat()})
    assert saved.status_code == 303


async def test_a_code_typed_after_the_paper_ballot_was_entered_says_the_paper_one_counts(client, voter):
    """The owner asked for the code, then handed in the signed paper too, entered before the code was typed: the
    code locks nothing (a decision counts once, the first received), and «Ваш голос получен; закреплено решений: 0»
    told them nothing of why. They read that the paper ballot, received first and being checked, is the one that
    counts; the code is not spent."""
    meeting_id = voter.meeting_id
    meeting = await queries.meeting_for_staff(await _admin(), meeting_id)
    (line,) = [x for x in await queries.register_of(meeting_id) if x.owner_id == voter.owner]
    await client.form(f"/meetings/{meeting_id}/ballots/{line.id}", {f"q{i.id}": "for" for i in meeting.items})
    await client.form(f"/meetings/{meeting_id}/code")
    against = {i.id: "against" for i in meeting.items}
    await actions.enter_paper(await _admin(), meeting, line.id, "", clock.now(), against, SCAN, SNILS)
    confirm = f"/meetings/{meeting_id}/confirm"
    refused = await client.form(
        confirm, {"code": await _code(voter.user)}, headers={"referer": f"http://testserver{confirm}"}
    )
    page = (await client.get(refused.headers["location"])).text
    assert "закреплено решений" not in page
    day = format_day(clock.now(), "day_month")
    said = f"По этой собственности (кв. 1) {day} получено бумажное решение, оно на проверке: учитывается решение, "
    assert said + "полученное первым." in page, page
    assert await BallotCode.exists().where((BallotCode.user == voter.user) & BallotCode.used_at.is_null())
