"""A question of the agenda in its reader's language, on both engines: staff may write a question's English text
too, while the meeting is a draft; an owner who reads English reads it on the meeting's page, the ballot, the
confirmation and the results, and where staff left it empty reads the Russian, marked as Russian; a reader of
Russian always reads the Russian; the protocol and the ballot PDF keep the Russian, the formal documents' language."""

from __future__ import annotations

import io
import re
from datetime import timedelta

from pypdf import PdfReader

from portal.core import clock
from portal.core import storage
from portal.core.tables import OutboxMessage
from portal.housing.tables import House
from portal.meetings import actions
from portal.meetings import queries
from portal.meetings.tables import AgendaItem
from portal.meetings.tables import Meeting
from portal.meetings.tables import MeetingStatus
from tests.meetings.test_actions import _admin
from tests.meetings.test_actions import _owner_user
from tests.meetings.test_routes import _code
from tests.meetings.test_routes import voter  # noqa: F401  (the fixture)

EN_CHAIR = "Elect the chair"  # the twin of «Избрать председателя»; «Выбрать УК» has none


async def _with_twin(meeting_id: int) -> None:
    await AgendaItem.update({AgendaItem.text_en: EN_CHAIR}).where(
        (AgendaItem.meeting == meeting_id) & (AgendaItem.position == 1)
    )


async def test_a_reader_of_english_reads_the_english_question_on_the_page_and_the_ballot(client, voter):  # noqa: F811
    await _with_twin(voter.meeting_id)
    await client.speak("en")
    page = (await client.get(f"/meetings/{voter.meeting_id}")).text
    agenda = re.search(r'<ol class="agenda">(.*?)</ol>', page, re.S).group(1)
    assert f"<p>{EN_CHAIR}</p>" in agenda and "Избрать председателя" not in page
    legends = re.findall(r"<legend>(.*?)</legend>", page)
    assert legends == [f"1. {EN_CHAIR}", '2. <span lang="ru">Выбрать УК</span>'], legends

    await client.speak("ru")
    page = (await client.get(f"/meetings/{voter.meeting_id}")).text
    assert "<p>Избрать председателя</p>" in page and EN_CHAIR not in page
    assert re.findall(r"<legend>(.*?)</legend>", page) == ["1. Избрать председателя", "2. Выбрать УК"]


async def test_without_a_twin_a_reader_of_english_reads_the_russian_question_marked_as_russian(client, voter):  # noqa: F811
    await client.speak("en")
    page = (await client.get(f"/meetings/{voter.meeting_id}")).text
    agenda = re.search(r'<ol class="agenda">(.*?)</ol>', page, re.S).group(1)
    assert '<p><span lang="ru">Избрать председателя</span></p>' in agenda
    assert '<p><span lang="ru">Выбрать УК</span></p>' in agenda
    await client.speak("ru")
    page = (await client.get(f"/meetings/{voter.meeting_id}")).text
    assert 'lang="ru">Избрать' not in page  # a Russian page needs no mark


async def test_the_confirmation_and_the_ballot_pdf_of_a_reader_of_english(client, voter):  # noqa: F811
    """The summary before the code reads in English; the ballot PDF, a formal document, keeps the Russian."""
    await _with_twin(voter.meeting_id)
    meeting = await queries.meeting_for_staff(await _admin(), voter.meeting_id)
    (line,) = [x for x in await queries.register_of(voter.meeting_id) if x.owner_id == voter.owner]
    await client.speak("en")
    await client.form(f"/meetings/{voter.meeting_id}/ballots/{line.id}", {f"q{i.id}": "for" for i in meeting.items})
    summary = (await client.get(f"/meetings/{voter.meeting_id}/confirm")).text
    assert f'<li value="1">{EN_CHAIR} — <strong>For</strong>' in summary
    assert '<li value="2"><span lang="ru">Выбрать УК</span> — <strong>For</strong>' in summary
    await client.form(f"/meetings/{voter.meeting_id}/code")
    await client.form(f"/meetings/{voter.meeting_id}/confirm", {"code": await _code(voter.user)})
    ballot = await client.get(f"/meetings/{voter.meeting_id}/ballots/{line.id}/pdf")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(ballot.content)).pages)
    assert "Избрать председателя" in text and EN_CHAIR not in text


async def test_the_results_read_in_english_and_the_protocol_keeps_the_russian(
    client,
    login,
    make_user,
    example_house,
    make_meeting,
):
    house = await example_house()
    meeting_id = await make_meeting(house.house, days_left=-2)
    await _with_twin(meeting_id)
    await Meeting.update({Meeting.status: MeetingStatus.CLOSED, Meeting.closed_at: clock.now()}).where(
        Meeting.id == meeting_id
    )
    await login(client, await make_user(accounts={house.accounts["1"]: "owner"}))
    await client.speak("en")
    page = (await client.get(f"/meetings/{meeting_id}")).text
    questions = re.findall(r'<td class="primary col-question">(.*?)<br>', page)
    assert questions == [f"1. {EN_CHAIR}", '2. <span lang="ru">Выбрать УК</span>'], questions
    assert 'hreflang="ru">Protocol (PDF) (in Russian)</a>' in page  # the page says the file's language
    protocol = await client.get(f"/meetings/{meeting_id}/protocol")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(protocol.content)).pages)
    assert "Избрать председателя" in text and EN_CHAIR not in text


async def test_staff_write_the_english_question_on_the_draft_and_see_both(
    client, login, make_user, example_house, draft_meeting
):
    house = await example_house()
    await login(client, await make_user(roles=("manager",), houses=(house.house,)))
    meeting_id = await draft_meeting(client, house.house)
    form = (await client.get(f"/staff/meetings/{meeting_id}")).text
    assert 'name="text_en"' in form and "Вопрос на английском (необязательно)" in form
    refused = await client.form(
        f"/staff/meetings/{meeting_id}/items", {"text": "", "text_en": "Replace the lifts", "subject": "p1"}
    )
    assert refused.status_code == 422 and ">Replace the lifts</textarea>" in refused.text  # kept after an error
    added = await client.form(
        f"/staff/meetings/{meeting_id}/items",
        {"text": "Заменить лифты", "text_en": " Replace the lifts ", "subject": "p1"},
    )
    assert added.status_code == 303
    row = await AgendaItem.select(AgendaItem.text, AgendaItem.text_en).where(AgendaItem.meeting == meeting_id).first()
    assert row == {"text": "Заменить лифты", "text_en": "Replace the lifts"}
    page = (await client.get(f"/staff/meetings/{meeting_id}")).text
    assert "<p>Заменить лифты</p>" in page and '<span lang="en">Replace the lifts</span>' in page

    await Meeting.update({Meeting.status: MeetingStatus.PUBLISHED}).where(Meeting.id == meeting_id)
    page = (await client.get(f"/staff/meetings/{meeting_id}")).text
    assert 'name="text_en"' not in page and '<span lang="en">Replace the lifts</span>' in page


EN_TITLE = "Annual meeting"  # the twin of «Годовое собрание»


async def test_a_reader_of_english_reads_the_meetings_english_title_and_the_russian_marked_where_it_is_empty(
    client,
    voter,  # noqa: F811
):
    await client.speak("en")
    listed = (await client.get("/meetings")).text
    assert f'<a href="/meetings/{voter.meeting_id}"><span lang="ru">Годовое собрание</span></a>' in listed
    await Meeting.update({Meeting.title_en: EN_TITLE}).where(Meeting.id == voter.meeting_id)
    listed = (await client.get("/meetings")).text
    assert f'<a href="/meetings/{voter.meeting_id}">{EN_TITLE}</a>' in listed and "Годовое собрание" not in listed
    page = (await client.get(f"/meetings/{voter.meeting_id}")).text
    assert f"<title>{EN_TITLE}" in page and f"<h1>{EN_TITLE}</h1>" in page and "Годовое собрание" not in page
    home = (await client.get("/")).text
    assert f"<p><strong>{EN_TITLE}</strong></p>" in home
    confirm = (await client.get(f"/meetings/{voter.meeting_id}/confirm")).text
    assert f'<a href="/meetings/{voter.meeting_id}">{EN_TITLE}</a>' in confirm
    await client.speak("ru")
    page = (await client.get(f"/meetings/{voter.meeting_id}")).text
    assert "<h1>Годовое собрание</h1>" in page and EN_TITLE not in page


def test_the_notice_and_the_results_carry_the_title_in_the_readers_language():
    from portal.meetings import messages
    from portal.notifications.messages import render

    context = {**messages.NOTICE.sample, "title": "Ремонт крыши", "title_en": "Roof repair"}
    assert render(messages.NOTICE, "en", context).subject == "Owners' meeting: Roof repair"
    assert "Ремонт крыши" in render(messages.NOTICE, "ru", context).subject
    assert render(messages.RESULTS, "en", context).subject == "Results of the owners' meeting: Roof repair"
    untwinned = {**context, "title_en": ""}
    assert render(messages.RESULTS, "en", untwinned).subject == "Results of the owners' meeting: Ремонт крыши"


async def test_staff_write_the_english_title_on_the_draft(client, login, make_user, example_house):
    house = await example_house()
    await login(client, await make_user(roles=("manager",), houses=(house.house,)))
    form = (await client.get("/staff/meetings/new")).text
    assert 'name="title_en"' in form and "Название на английском (необязательно)" in form
    today = clock.today_local()
    made = await client.form(
        "/staff/meetings/new",
        {"house": str(house.house), "title": "Замена лифтов", "title_en": "Lift replacement", "form": "absentee",
         "initiator": "ООО «УК»", "starts_on": (today + timedelta(days=12)).isoformat(),
         "voting_ends": (today + timedelta(days=30)).isoformat(), "register_on": today.isoformat()},
    )  # fmt: skip
    meeting_id = int(made.headers["location"].rsplit("/", 1)[1])
    stored = await Meeting.select(Meeting.title, Meeting.title_en).where(Meeting.id == meeting_id).first()
    assert stored == {"title": "Замена лифтов", "title_en": "Lift replacement"}
    assert 'value="Lift replacement"' in (await client.get(f"/staff/meetings/{meeting_id}/edit")).text
    page = (await client.get(f"/staff/meetings/{meeting_id}")).text
    assert "<h1>Замена лифтов</h1>" in page and '<span lang="en">Lift replacement</span>' in page


async def test_staff_reading_english_read_the_meeting_title_in_english_or_marked_as_russian(
    client, login, make_user, example_house, make_meeting
):
    """A meeting's title is the company's Russian text with an optional English twin: staff reading English read
    the twin in the moderation page's breadcrumb and the meeting's heading, and where it is empty the Russian,
    marked ``lang="ru"``; the heading then says the Russian title the protocol prints."""
    house = await example_house()
    meeting_id = await make_meeting(house.house)
    (row,) = await Meeting.select(Meeting.title).where(Meeting.id == meeting_id)
    russian = row["title"]
    await login(client, await make_user(roles=("admin",)))
    await client.speak("en")
    crumb = f'<a href="/staff/meetings/{meeting_id}">'
    moderation = (await client.get(f"/staff/meetings/{meeting_id}/moderation")).text
    assert f'{crumb}<span lang="ru">{russian}</span></a>' in moderation
    detail = (await client.get(f"/staff/meetings/{meeting_id}")).text
    assert f'<h1><span lang="ru">{russian}</span></h1>' in detail
    assert '<dt>Initiator</dt><dd><span lang="ru">ООО «УК»</span></dd>' in detail  # the company's name, Russian

    await Meeting.update({Meeting.title_en: "Annual meeting"}).where(Meeting.id == meeting_id)
    moderation = (await client.get(f"/staff/meetings/{meeting_id}/moderation")).text
    assert f"{crumb}Annual meeting</a>" in moderation
    detail = (await client.get(f"/staff/meetings/{meeting_id}")).text
    assert "<h1>Annual meeting</h1>" in detail and f'<span lang="ru">{russian}</span>' in detail

    await client.speak("ru")  # a Russian page needs no mark, and says the English twin under the heading
    detail = (await client.get(f"/staff/meetings/{meeting_id}")).text
    assert f"<h1>{russian}</h1>" in detail and '<span lang="en">Annual meeting</span>' in detail
    assert f"{crumb}{russian}</a>" in (await client.get(f"/staff/meetings/{meeting_id}/moderation")).text


async def test_a_material_is_named_in_its_readers_language_after_the_questions_position(
    client,
    voter,  # noqa: F811
    login,
    make_user,
):
    # Staff reading English attached it to the second question, and the first question was removed afterwards: the
    # name written then («Materials to question 2») says neither the reader's language nor the question's number.
    await AgendaItem.delete().where((AgendaItem.meeting == voter.meeting_id) & (AgendaItem.position == 1))
    # The link says the file's kind and, on a page not read in Russian, that the document is in Russian.
    key = "2026/12/" + "m" * 32 + ".pdf"
    await AgendaItem.update(
        {AgendaItem.position: 1, AgendaItem.material_key: key, AgendaItem.material_name: "Materials to question 2"}
    ).where(AgendaItem.meeting == voter.meeting_id)
    (item,) = await AgendaItem.select(AgendaItem.id).where(AgendaItem.meeting == voter.meeting_id)
    link = f'<a href="/meetings/{voter.meeting_id}/materials/{item["id"]}" hx-boost="false" hreflang="ru">'
    await client.speak("ru")
    assert f"{link}Материалы к вопросу 1 (PDF)</a>" in (await client.get(f"/meetings/{voter.meeting_id}")).text
    await client.speak("en")
    assert (
        f"{link}Materials to question 1 (PDF) (in Russian)</a>"
        in (await client.get(f"/meetings/{voter.meeting_id}")).text
    )
    house = (await Meeting.select(Meeting.house).where(Meeting.id == voter.meeting_id).first())["house"]
    await login(client, await make_user(roles=("manager",), houses=(house,), locale="en"))
    staff = (await client.get(f"/staff/meetings/{voter.meeting_id}")).text
    assert (
        f'/materials/{item["id"]}" hx-boost="false" hreflang="ru">Materials to question 1 (PDF) (in Russian)</a>'
        in staff
    )
    # a photo attached instead is named as one, and is saved as a picture, not as «materials-1.pdf» that won't open
    photo = "2026/12/" + "p" * 32 + ".jpg"
    storage.path_of(photo).parent.mkdir(parents=True, exist_ok=True)
    storage.path_of(photo).write_bytes(b"\xff\xd8\xff\xe0 not really a picture")
    await AgendaItem.update({AgendaItem.material_key: photo}).where(AgendaItem.id == item["id"])
    staff = (await client.get(f"/staff/meetings/{voter.meeting_id}")).text
    assert 'hreflang="ru">Materials to question 1 (photo) (in Russian)</a>' in staff
    served = await client.get(f"/staff/meetings/{voter.meeting_id}/materials/{item['id']}")
    assert served.headers["content-type"] == "image/jpeg"
    assert 'filename="materials-1.jpg"' in served.headers["content-disposition"], served.headers
    # the draft's field for materials says what it takes: a PDF or a photo
    await Meeting.update({Meeting.status: MeetingStatus.DRAFT}).where(Meeting.id == voter.meeting_id)
    staff = (await client.get(f"/staff/meetings/{voter.meeting_id}")).text
    assert re.search(r'<label for="f-material">Materials \(PDF or photo\)', staff), staff[-3000:]


async def test_the_code_mail_names_the_premises_in_the_language_of_the_mail(client, voter):  # noqa: F811
    meeting = await queries.meeting_for_staff(await _admin(), voter.meeting_id)
    (line,) = [x for x in await queries.register_of(voter.meeting_id) if x.owner_id == voter.owner]
    await client.form(f"/meetings/{voter.meeting_id}/ballots/{line.id}", {f"q{i.id}": "for" for i in meeting.items})
    await client.form(f"/meetings/{voter.meeting_id}/code")
    mail = await OutboxMessage.select(OutboxMessage.body).where(OutboxMessage.template == "meetings/code").first()
    assert "«Годовое собрание» по помещениям: кв. 1." in mail["body"], mail["body"]
    await OutboxMessage.delete().where(OutboxMessage.template == "meetings/code")
    await client.speak("en")  # the owner reads English from now on: their mails too, the premises named in it
    await client.form(f"/meetings/{voter.meeting_id}/code")
    mail = await OutboxMessage.select(OutboxMessage.body).where(OutboxMessage.template == "meetings/code").first()
    assert "“Годовое собрание” for: flat 1." in mail["body"], mail["body"]


async def test_a_reader_of_english_reads_a_percentage_as_english_writes_it_with_two_places(
    client, login, make_user, example_house, make_meeting
):
    """English writes "0.00%" with no space, in the list, the meeting's page and its results alike (a meeting
    nobody voted in read «0 %» on its page and «0.00» in the list); Russian «0,00 %» with a no-break space."""
    house = await example_house()
    voting = await make_meeting(house.house)
    closed = await make_meeting(house.house, days_left=-2, closed=True)
    await login(client, await make_user(roles=("manager",), houses=(house.house,)))
    await client.speak("en")
    for path in ("/staff/meetings", f"/staff/meetings/{voting}", f"/staff/meetings/{closed}"):
        page = (await client.get(path)).text.split("<main", 1)[1]
        assert "0.00%" in page and not re.search(r"\d[ \u00a0]%|\d%[^<\s]", page.replace("0.00%", "")), path
    assert "Took part: 0.00% of all votes" in page and ">0.00%</td>" in page
    await client.speak("ru")
    page = (await client.get(f"/staff/meetings/{closed}")).text
    assert "Приняли участие: 0,00\u00a0% всех голосов" in page and ">0,00\u00a0%</td>" in page


async def test_the_protocols_number_reads_no_in_english_and_stays_on_the_line_of_its_sign(
    client, login, make_user, example_house, make_meeting
):
    """The meeting's page wrote «№ 7/2026» on an English page; the protocol PDF stays Russian."""
    house = await example_house()
    meeting_id = await make_meeting(house.house, days_left=-2, closed=True)
    await Meeting.update({Meeting.protocol_number: "7/2026"}).where(Meeting.id == meeting_id)
    await login(client, await make_user(roles=("manager",), houses=(house.house,)))
    for lang, number in (("en", "<dd>No.\u00a07/2026</dd>"), ("ru", "<dd>№\u00a07/2026</dd>")):
        await client.speak(lang)
        page = (await client.get(f"/staff/meetings/{meeting_id}")).text.split("<main", 1)[1]
        assert number in page, lang
        assert "№" not in page if lang == "en" else "No." not in page, lang


async def test_the_russian_data_of_a_meeting_and_an_initiative_is_marked_russian_on_english_pages(
    client, login, make_user, example_house, make_meeting, principal_of_user
):
    """The house's address, the initiator, the owners' names, an initiative's title, author and agenda are recorded
    in Russian: an English screen reader's voice read them as gibberish unless they say ``lang="ru"``."""
    house = await example_house()
    meeting_id = await make_meeting(house.house)
    await Meeting.update({Meeting.place: "офис УК"}).where(Meeting.id == meeting_id)
    await House.update({House.address: "г. Симферополь, ул. Тестовая, д. 7"}).where(House.id == house.house)
    user = await _owner_user(make_user, house, "A", "1")
    initiative_id = await actions.start_initiative(
        await principal_of_user(user), house.house, "Сменить УК", "1. Выбрать УК"
    )
    await login(client, user)
    await client.speak("en")
    page = (await client.get(f"/meetings/{meeting_id}")).text
    assert '<dd><span lang="ru">г. Симферополь, ул. Тестовая, д. 7</span></dd>' in page
    assert '<dd><span lang="ru">ООО «УК»</span></dd>' in page and '<dd><span lang="ru">офис УК</span></dd>' in page
    assert '<p class="muted"><span lang="ru">Собственник A</span> · ' in page
    page = (await client.get(f"/meetings/initiatives/{initiative_id}")).text
    assert '<h1><span lang="ru">Сменить УК</span></h1>' in page
    assert '<dd><span lang="ru">Собственник A</span></dd>' in page
    assert '<p class="pre-line"><span lang="ru">1. Выбрать УК</span></p>' in page
    listed = (await client.get("/meetings")).text
    assert '<span lang="ru">Сменить УК</span></a></h3>' in listed
    form = (await client.get("/meetings/initiatives/new")).text
    assert re.search(r'<option value="\d+"( selected)? lang="ru">ул\. Тестовая, д\. 7</option>', form)
    await client.speak("ru")
    page = (await client.get(f"/meetings/{meeting_id}")).text
    assert "<dd>ООО «УК»</dd>" in page and '<span lang="ru">' not in page
