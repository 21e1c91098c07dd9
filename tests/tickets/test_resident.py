"""Residents file and follow their requests; nobody sees another account's requests or the internal notes."""

from __future__ import annotations

import io
import os
import re
from datetime import timedelta

from PIL import Image

from portal.core import clock
from portal.core.i18n import format_phone
from portal.tickets import rules
from portal.tickets.tables import Ticket
from portal.tickets.tables import TicketAttachment
from portal.tickets.tables import TicketEvent
from tests.tickets.conftest import jpeg_bytes


async def _resident(make_user, make_account, rights=("view", "tickets"), role="owner"):
    place = await make_account()
    user = await make_user(name="Петрова Анна", accounts={place.account: role}, rights=rights)
    return user, place


async def _file(client, place, text="Течёт кран на кухне", files=None, category="leaking_taps"):
    data = {"account": str(place.account), "place": "premise", "category": category, "description": text}
    return await client.form("/tickets/new", data, files=files or {"photos": ("", b"", "application/octet-stream")})


CONFIRMED = {"confirm": "1"}  # «Да, отменить» on the page that asks once more, or the dialog's «OK»


async def test_a_resident_files_a_request_with_a_photo_and_sees_it(client, login, make_user, make_account, photo):
    user, place = await _resident(make_user, make_account)
    await login(client, user)
    response = await _file(client, place, files=[("photos", ("kitchen.jpg", photo, "image/jpeg"))])
    assert response.status_code == 303, response.text
    ticket = await Ticket.select().where(Ticket.account == place.account).first()
    assert ticket["status"] == "new" and ticket["category"] == "leaking_taps" and ticket["deadline"] is not None
    assert ticket["author"] == user and ticket["has_new_for_staff"]
    assert response.headers["location"] == f"/tickets/{ticket['id']}"
    page = await client.get(f"/tickets/{ticket['id']}")
    assert page.status_code == 200
    assert "Течёт кран на кухне" in page.text
    attachment = await TicketAttachment.select().where(TicketAttachment.ticket == ticket["id"]).first()
    assert f"/tickets/photos/{attachment['id']}" in page.text
    image = await client.get(f"/tickets/photos/{attachment['id']}")
    assert image.status_code == 200 and image.headers["content-type"].startswith("image/jpeg")
    listing = await client.get("/tickets")
    assert f"/tickets/{ticket['id']}" in listing.text
    # A message too long with a file that is no photo: one answer says both, not the photo on the next try.
    pdf = ("photos", ("scan.jpg", b"%PDF-1.4\n%%EOF", "image/jpeg"))
    sent = await client.form(f"/tickets/{ticket['id']}/messages", {"text": "а" * 4001}, files=[pdf])
    assert sent.status_code == 422 and "не фотография" in sent.text and "Слишком длинное сообщение" in sent.text


async def test_a_message_sent_leads_back_to_itself_not_to_the_top_of_the_conversation(
    client, login, make_user, make_account
):
    # In a long conversation the top of it is far above the message just sent (on a phone, it was under the bottom
    # menu): the answer goes to the message, which the page holds under that id.
    user, place = await _resident(make_user, make_account)
    await login(client, user)
    await _file(client, place)
    ticket = await Ticket.select(Ticket.id).where(Ticket.account == place.account).first()
    sent = await client.form(f"/tickets/{ticket['id']}/messages", {"text": "Буду дома после 18:00"})
    event = await TicketEvent.select(TicketEvent.id).where(TicketEvent.comment == "Буду дома после 18:00").first()
    assert sent.status_code == 303 and sent.headers["location"] == f"/tickets/{ticket['id']}#event-{event['id']}"
    page = await client.get(f"/tickets/{ticket['id']}")
    assert f'id="event-{event["id"]}"' in page.text


async def test_a_request_refused_for_its_description_says_the_photo_must_be_chosen_again(
    client, login, make_user, make_account, photo
):
    user, place = await _resident(make_user, make_account)
    await login(client, user)
    response = await _file(client, place, text="", files=[("photos", ("kitchen.jpg", photo, "image/jpeg"))])
    assert response.status_code == 422
    assert "Опишите проблему" in response.text
    assert "После ошибки файлы не сохраняются: выберите их снова." in response.text
    assert not await Ticket.exists().where(Ticket.account == place.account)


async def test_another_resident_gets_404_for_the_request_and_its_photo(
    client, new_client, login, make_user, make_account, photo
):
    owner, place = await _resident(make_user, make_account)
    await login(client, owner)
    await _file(client, place, files=[("photos", ("a.jpg", photo, "image/jpeg"))])
    ticket = await Ticket.select(Ticket.id).where(Ticket.account == place.account).first()
    attachment = (
        await TicketAttachment.select(TicketAttachment.id).where(TicketAttachment.ticket == ticket["id"]).first()
    )
    stranger, _ = await _resident(make_user, make_account)
    other = new_client()
    await login(other, stranger)
    assert (await other.get(f"/tickets/{ticket['id']}")).status_code == 404
    assert (await other.get(f"/tickets/photos/{attachment['id']}")).status_code == 404
    assert (await other.form(f"/tickets/{ticket['id']}/cancel", CONFIRMED)).status_code == 404
    assert f"/tickets/{ticket['id']}" not in (await other.get("/tickets")).text
    # Filing for someone else's account is refused too.
    response = await _file(other, place)
    assert response.status_code == 422
    assert not await Ticket.exists().where(Ticket.author == stranger)


async def test_a_family_member_without_the_tickets_right_sees_no_requests_in_the_list_or_by_address(
    client, new_client, login, make_user, make_account
):
    owner, place = await _resident(make_user, make_account)
    await login(client, owner)
    await _file(client, place)
    ticket = await Ticket.select(Ticket.id).where(Ticket.account == place.account).first()
    family = await make_user(accounts={place.account: "family"}, rights=("view",))
    other = new_client()
    await login(other, family)
    assert (await other.get(f"/tickets/{ticket['id']}")).status_code == 404
    listing = await other.get("/tickets")
    assert listing.status_code == 200
    assert f"/tickets/{ticket['id']}" not in listing.text and "Течёт кран на кухне" not in listing.text
    # The owner, with the right, does see it in the same list: the page lists requests at all.
    assert f"/tickets/{ticket['id']}" in (await client.get("/tickets")).text


async def _filed_and_dispatcher(client, new_client, login, make_user, make_account):
    """A resident (signed in on ``client``) files a request; returns it and a dispatcher of the house signed in."""
    owner, place = await _resident(make_user, make_account)
    await login(client, owner)
    await _file(client, place)
    ticket = await Ticket.select(Ticket.id).where(Ticket.account == place.account).first()
    dispatcher = await make_user(roles=("dispatcher",), houses=(place.house,), name="Диспетчер Смирнова")
    staff = new_client()
    await login(staff, dispatcher)
    return ticket, staff


async def test_internal_notes_are_never_shown_to_the_resident(client, new_client, login, make_user, make_account):
    ticket, staff = await _filed_and_dispatcher(client, new_client, login, make_user, make_account)
    r = await staff.form(
        f"/staff/tickets/{ticket['id']}/messages",
        {"text": "Жилец конфликтный, идти вдвоём", "internal": "1"},
        files={"photos": ("", b"", "application/octet-stream")},
    )
    assert r.status_code == 303, r.text
    r = await staff.form(
        f"/staff/tickets/{ticket['id']}/messages",
        {"text": "Мастер придёт завтра с 10 до 12"},
        files={"photos": ("", b"", "application/octet-stream")},
    )
    assert r.status_code == 303
    page = await client.get(f"/tickets/{ticket['id']}")
    assert "Мастер придёт завтра" in page.text
    assert "конфликтный" not in page.text
    poll = await client.get(f"/tickets/{ticket['id']}?part=conversation&since=0", headers={"HX-Request": "true"})
    assert "конфликтный" not in poll.text and "Мастер придёт" in poll.text
    assert "конфликтный" in (await staff.get(f"/staff/tickets/{ticket['id']}")).text


async def test_uploads_refuse_a_non_image_an_oversized_image_and_a_sixth_photo(
    client, login, make_user, make_account, photo
):
    user, place = await _resident(make_user, make_account)
    await login(client, user)
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"
    r = await _file(client, place, files=[("photos", ("scan.jpg", pdf, "image/jpeg"))])
    assert r.status_code == 422
    assert "не фотография" in r.text and "Течёт кран на кухне" in r.text
    # With another mistake the file is read all the same: one answer says both, not the photo on the next try.
    r = await _file(client, place, category="", files=[("photos", ("scan.jpg", pdf, "image/jpeg"))])
    assert r.status_code == 422 and "не фотография" in r.text and "Выберите, что случилось." in r.text

    noise = Image.frombytes("RGB", (2100, 2100), os.urandom(2100 * 2100 * 3))
    big = io.BytesIO()
    noise.save(big, format="PNG", compress_level=0)
    assert len(big.getvalue()) > 10 * 1024 * 1024
    r = await _file(client, place, files=[("photos", ("huge.png", big.getvalue(), "image/png"))])
    assert r.status_code == 422
    assert "больше 10\u00a0МБ" in r.text

    six = [("photos", (f"p{i}.jpg", photo, "image/jpeg")) for i in range(6)]
    r = await _file(client, place, files=six)
    assert r.status_code == 422
    assert "не больше 5\u00a0фотографий" in r.text
    assert not await Ticket.exists().where(Ticket.account == place.account)


async def test_stored_photos_carry_no_exif_location(client, login, make_user, make_account):
    from portal.core import storage

    original = jpeg_bytes((120, 80), gps=True)
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825), "the test photo must carry GPS"
    user, place = await _resident(make_user, make_account)
    await login(client, user)
    r = await _file(client, place, files=[("photos", ("gps.jpg", original, "image/jpeg"))])
    assert r.status_code == 303
    ticket = await Ticket.select(Ticket.id).where(Ticket.account == place.account).first()
    row = await TicketAttachment.select().where(TicketAttachment.ticket == ticket["id"]).first()
    stored = storage.path_of(row["file_key"]).read_bytes()
    image = Image.open(io.BytesIO(stored))
    exif = image.getexif()
    assert not exif.get_ifd(0x8825) and 0x8825 not in exif and 0x010F not in exif
    assert b"PhoneMaker" not in stored and b"Exif" not in stored
    assert image.size == (120, 80)


async def test_confirm_rate_and_reject_a_closure(client, new_client, login, make_user, make_account):
    user, place = await _resident(make_user, make_account)
    await login(client, user)
    await _file(client, place)
    ticket = await Ticket.select(Ticket.id).where(Ticket.account == place.account).first()
    tid = ticket["id"]
    dispatcher = await make_user(roles=("dispatcher",), houses=(place.house,))
    staff = new_client()
    await login(staff, dispatcher)
    assert (await staff.form(f"/staff/tickets/{tid}/status", {"status": "in_work"})).status_code == 303
    # In work: the resident can no longer cancel.
    await client.form(f"/tickets/{tid}/cancel", CONFIRMED)
    assert (await Ticket.select(Ticket.status).where(Ticket.id == tid).first())["status"] == "in_work"
    await staff.form(f"/staff/tickets/{tid}/status", {"status": "done"})
    r = await client.form(f"/tickets/{tid}/reopen", {"reason": "Кран всё ещё течёт"})
    assert r.status_code == 303
    row = await Ticket.select(Ticket.status, Ticket.repeated).where(Ticket.id == tid).first()
    assert row == {"status": "reopened", "repeated": True}
    await staff.form(f"/staff/tickets/{tid}/status", {"status": "done"})
    assert (await client.form(f"/tickets/{tid}/confirm")).status_code == 303
    r = await client.form(f"/tickets/{tid}/rate", {"rating": "7"})
    assert r.status_code == 422
    r = await client.form(f"/tickets/{tid}/rate", {"rating": "5", "feedback": "Спасибо"})
    assert r.status_code == 303
    row = await Ticket.select(Ticket.status, Ticket.rating, Ticket.feedback).where(Ticket.id == tid).first()
    assert row == {"status": "closed", "rating": 5, "feedback": "Спасибо"}
    kinds = [
        e["kind"]
        for e in await TicketEvent.select(TicketEvent.kind).where(TicketEvent.ticket == tid).order_by(TicketEvent.id)
    ]
    # The return counted the deadline again from that moment: a line of its own after the return's.
    assert kinds == ["created", "status", "status", "status", "deadline", "status", "status", "rating"]


async def test_the_work_is_asked_about_only_until_the_resident_confirms_it(
    client, new_client, login, make_user, make_account
):
    user, place = await _resident(make_user, make_account)
    await login(client, user)
    await _file(client, place)
    tid = (await Ticket.select(Ticket.id).where(Ticket.account == place.account).first())["id"]
    question, answers = "Работа выполнена?", ("Да, работа выполнена", "Вернуть заявку")
    assert question not in (await client.get(f"/tickets/{tid}")).text
    staff = new_client()
    await login(staff, await make_user(roles=("dispatcher",), houses=(place.house,)))
    assert (await staff.form(f"/staff/tickets/{tid}/status", {"status": "done"})).status_code == 303
    waiting = (await client.get(f"/tickets/{tid}")).text
    assert question in waiting and all(a in waiting for a in answers)
    assert (await client.form(f"/tickets/{tid}/confirm")).status_code == 303
    closed = (await client.get(f"/tickets/{tid}")).text
    assert "Закрыта" in closed
    assert question not in closed and not any(a in closed for a in answers)
    assert f"/tickets/{tid}/reopen" not in closed and f"/tickets/{tid}/confirm" not in closed
    # What the dispatcher finds answered is answered on the polled page too.
    polled = await client.get(f"/tickets/{tid}?part=conversation&since=0&last=0", headers={"HX-Request": "true"})
    assert question not in polled.text


async def test_the_question_about_the_work_says_when_it_was_done_and_until_when_to_answer(
    client, new_client, login, make_user, make_account
):
    """«Within 7 days of completion» on a page that did not say when the work was completed: the moments are said."""
    from portal.core.i18n import format_moment
    from portal.settings import get_settings

    tid = await _done(client, new_client, login, make_user, make_account)
    done = (await Ticket.select(Ticket.completed_at).where(Ticket.id == tid).first())["completed_at"]
    tz = get_settings().time_zone
    until = format_moment(done + timedelta(days=rules.CONFIRM_DAYS), tz)
    said = f"Работа отмечена выполненной {format_moment(done, tz)}. Подтвердить её или вернуть заявку можно до {until}."
    assert said in (await client.get(f"/tickets/{tid}")).text


async def test_a_resident_cancels_a_new_request(client, login, make_user, make_account):
    user, place = await _resident(make_user, make_account)
    await login(client, user)
    await _file(client, place)
    ticket = await Ticket.select(Ticket.id).where(Ticket.account == place.account).first()
    # Asked once more first, on a page of its own: without JavaScript there is no dialog, and one tap cancelled.
    tid = ticket["id"]
    asked = await client.form(f"/tickets/{tid}/cancel")
    assert asked.status_code == 200 and "Отменить заявку №" in asked.text
    assert 'name="confirm" value="1"' in asked.text and f'href="/tickets/{tid}"' in asked.text
    assert (await Ticket.select(Ticket.status).where(Ticket.id == tid).first())["status"] == "new"
    assert (await client.form(f"/tickets/{ticket['id']}/cancel", CONFIRMED)).status_code == 303
    assert (await Ticket.select(Ticket.status).where(Ticket.id == ticket["id"]).first())["status"] == "cancelled"


async def test_in_english_a_breakdown_is_not_an_accident_and_cancelling_sends_no_technician(
    client, login, make_user, make_account
):
    """«Авария» had been put as «Accident», and the question before cancelling said «The dispatcher will not come»
    where the Russian says the technician («мастер») will not."""
    user, place = await _resident(make_user, make_account)
    await login(client, user)
    await client.speak("en")
    form = (await client.get("/tickets/new")).text
    assert "Breakdown: water, heating, sewerage or power" in form and "ccident" not in form
    await _file(client, place, category="emergency_localisation")
    ticket = await Ticket.select(Ticket.id).where(Ticket.account == place.account).first()
    page = (await client.get(f"/tickets/{ticket['id']}")).text
    assert 'data-confirm="Cancel the request? The technician will not come."' in page


async def test_the_form_says_an_emergency_once_in_either_language(client, login, make_user, make_account):
    """«Авария: вода, отопление, канализация, электричество — авария» said it twice: a category named as an emergency
    in Russian is offered as it is named, the others with «— авария»; the English name needs the word."""
    user, _place = await _resident(make_user, make_account)
    await login(client, user)
    form = (await client.get("/tickets/new")).text
    assert ">Авария: вода, отопление, канализация, электричество<" in form and "электричество — авария" not in form
    assert ">Люди застряли в лифте — авария<" in form
    await client.speak("en")
    form = (await client.get("/tickets/new")).text
    assert ">Breakdown: water, heating, sewerage or power — emergency<" in form
    assert ">People trapped in a lift — emergency<" in form


async def test_a_short_circuit_due_immediately_reads_due_now_on_its_filing_not_overdue(
    client, login, make_user, make_account
):
    """A short circuit is due «immediately», at its filing: the page it opens on said «Просрочена · Просрочена на
    1 мин» a second after the resident filed it."""
    user, place = await _resident(make_user, make_account)
    await login(client, user)
    await _file(client, place, text="Искрит розетка в коридоре", category="electrical_emergency")
    tid = (await Ticket.select(Ticket.id).first())["id"]
    page = (await client.get(f"/tickets/{tid}")).text
    assert "(немедленно)" in page and ">Срок — сейчас<" in page
    assert "Просрочена" not in page
    await client.speak("en")
    page = (await client.get(f"/tickets/{tid}")).text
    assert "(immediately)" in page and ">Due now<" in page and "Overdue" not in page


async def test_an_emergency_shows_the_phone_and_is_flagged(client, login, make_user, make_account):
    from portal.settings import get_settings

    user, place = await _resident(make_user, make_account)
    await login(client, user)
    form = await client.get("/tickets/new")
    assert format_phone(get_settings().emergency_phone) in form.text  # written not to break across lines
    r = await _file(client, place, text="Застряли в лифте двое", category="lift_trapped")
    assert r.status_code == 303
    row = await Ticket.select(Ticket.emergency, Ticket.type).where(Ticket.account == place.account).first()
    assert row == {"emergency": True, "type": "emergency"}
    page = await client.get(r.headers["location"])
    assert format_phone(get_settings().emergency_phone) in page.text


async def test_the_conversation_poll_answers_204_when_nothing_is_new(client, login, make_user, make_account):
    user, place = await _resident(make_user, make_account)
    await login(client, user)
    await _file(client, place)
    ticket = await Ticket.select(Ticket.id).where(Ticket.account == place.account).first()
    last = (await TicketEvent.select(TicketEvent.id).where(TicketEvent.ticket == ticket["id"]).first())["id"]
    headers = {"HX-Request": "true"}
    r = await client.get(f"/tickets/{ticket['id']}?part=conversation&since=0&last={last}", headers=headers)
    assert r.status_code == 204
    r = await client.get(f"/tickets/{ticket['id']}?part=conversation&since=0&last={last - 1}", headers=headers)
    assert r.status_code == 200 and 'id="ticket-poll"' in r.text and "<html" not in r.text
    assert 'id="conversation" aria-labelledby="conv-h" hx-swap-oob="true"' in r.text


async def test_a_russian_speaking_dispatchers_status_change_reaches_an_english_speaking_resident_in_english(
    client, new_client, login, make_user, make_account
):
    from portal.accounts.tables import User
    from portal.core.tables import OutboxMessage

    user, place = await _resident(make_user, make_account)
    await User.update({User.locale: "en"}).where(User.id == user)
    await login(client, user)
    await _file(client, place)
    ticket = await Ticket.select(Ticket.id, Ticket.number).where(Ticket.account == place.account).first()
    dispatcher = await make_user(roles=("dispatcher",), houses=(place.house,), name="Диспетчер Смирнова")
    staff = new_client()
    await staff.speak("ru")
    await login(staff, dispatcher)
    r = await staff.form(f"/staff/tickets/{ticket['id']}/status", {"status": "in_work", "comment": "Мастер выехал"})
    assert r.status_code == 303
    assert "Статус изменён" in (await staff.get(r.headers["location"])).text  # the dispatcher reads Russian
    told = await OutboxMessage.select(OutboxMessage.subject, OutboxMessage.body).where(OutboxMessage.user_id == user)
    assert told and {m["subject"] for m in told} == {f"Request No. {ticket['number']}: In work"}


async def test_the_home_page_gives_the_emergency_number(client, login, make_user, make_account):
    from portal.settings import get_settings

    user, _ = await _resident(make_user, make_account)
    await login(client, user)
    home = await client.get("/")
    assert home.status_code == 200
    phone = get_settings().emergency_phone
    tel = "".join(ch for ch in phone if ch.isdigit() or ch == "+")
    assert f'<a href="tel:{tel}"><strong>{format_phone(phone)}</strong></a>' in home.text


async def _done(client, new_client, login, make_user, make_account):
    """A resident's request the dispatcher has marked done: the resident may return it or rate it."""
    user, place = await _resident(make_user, make_account)
    await login(client, user)
    await _file(client, place)
    tid = (await Ticket.select(Ticket.id).where(Ticket.account == place.account).first())["id"]
    staff = new_client()
    await login(staff, await make_user(roles=("dispatcher",), houses=(place.house,)))
    for status in ("in_work", "done"):
        assert (await staff.form(f"/staff/tickets/{tid}/status", {"status": status})).status_code == 303
    return tid


async def test_a_rating_refused_for_its_score_keeps_the_comment_typed_and_says_why_at_the_score(
    client, new_client, login, make_user, make_account
):
    tid = await _done(client, new_client, login, make_user, make_account)
    typed = {"feedback": "Мастер пришёл вовремя, но <не убрал> за собой"}
    plain = await client.form(f"/tickets/{tid}/rate", typed)
    htmx = await client.htmx_form(f"/tickets/{tid}/rate", typed, headers={"HX-Boosted": "true"})
    for page in (plain, htmx):
        assert page.status_code == 422
        feedback = re.search(r'<textarea id="f-feedback"[^>]*>([^<]*)</textarea>', page.text)
        assert feedback and feedback.group(1) == "Мастер пришёл вовремя, но &lt;не убрал&gt; за собой", page.text
        score = re.search(r'<fieldset class="field rating has-error">.*?</fieldset>', page.text, re.S).group(0)
        assert 'id="e-rating"' in score and "Выберите оценку от 1 до 5." in score
        assert 'id="f-rating"' in score and 'href="#f-rating"' in page.text
    assert htmx.headers["hx-push-url"] == "false"  # the boosted form stays at the page's own address
    assert (await Ticket.select(Ticket.rating).where(Ticket.id == tid).first())["rating"] is None


async def test_a_return_refused_for_its_reason_keeps_what_was_typed(client, new_client, login, make_user, make_account):
    tid = await _done(client, new_client, login, make_user, make_account)
    page = await client.form(f"/tickets/{tid}/reopen", {"reason": "Не"})
    assert page.status_code == 422
    reason = re.search(r'<textarea id="f-reason"[^>]*>([^<]*)</textarea>', page.text)
    assert reason and reason.group(1) == "Не", page.text


async def test_a_return_or_a_rating_too_long_is_refused_with_its_text_kept(
    client, new_client, login, make_user, make_account
):
    """The reason for returning a request was cut at 4000 characters and a rating's comment at 2000, in silence:
    the end of what the resident wrote (often the point) never reached the dispatcher. Each is refused at its
    field, saying the limit, with what was typed kept."""
    tid = await _done(client, new_client, login, make_user, make_account)
    reason = "Кран течёт по-прежнему. " * 170 + "Приходите после шести."
    page = await client.form(f"/tickets/{tid}/reopen", {"reason": reason})
    assert page.status_code == 422 and "Слишком длинный текст: не больше 4000\u00a0символов." in page.text
    assert "Приходите после шести.</textarea>" in page.text
    assert (await Ticket.select(Ticket.status).where(Ticket.id == tid).first())["status"] == "done"
    feedback = "Спасибо мастеру. " * 120 + "Но грязь осталась."
    page = await client.form(f"/tickets/{tid}/rate", {"rating": "3", "feedback": feedback})
    assert page.status_code == 422 and "Слишком длинный текст: не больше 2000\u00a0символов." in page.text
    assert "Но грязь осталась.</textarea>" in page.text
    assert (await Ticket.select(Ticket.rating).where(Ticket.id == tid).first())["rating"] is None
    await client.speak("en")
    page = await client.form(f"/tickets/{tid}/reopen", {"reason": reason})
    assert "The text is too long: at most 4000\u00a0characters." in page.text


async def test_cancelling_or_confirming_again_says_it_is_already_done(
    client, new_client, login, make_user, make_account
):
    """A second tap on «Отменить заявку» (or the button of a page left open in another tab) answered «Этот
    статус сейчас нельзя установить»: words of the status table, not of the resident. It says the request is
    already cancelled, or already closed, on the request's page."""
    user, place = await _resident(make_user, make_account)
    await login(client, user)
    await _file(client, place)
    tid = (await Ticket.select(Ticket.id).where(Ticket.account == place.account).first())["id"]
    assert (await client.form(f"/tickets/{tid}/cancel", CONFIRMED)).status_code == 303
    again = await client.form(f"/tickets/{tid}/cancel", CONFIRMED)
    assert again.status_code == 303 and again.headers["location"] == f"/tickets/{tid}"
    page = (await client.get(again.headers["location"])).text
    assert "Заявка уже отменена." in page and "нельзя установить" not in page
    done = await _done(client, new_client, login, make_user, make_account)
    assert (await client.form(f"/tickets/{done}/confirm")).status_code == 303
    await client.speak("en")
    again = await client.form(f"/tickets/{done}/confirm")
    assert "The request is already closed." in (await client.get(again.headers["location"])).text


async def test_the_conversation_marks_as_new_only_what_the_dispatch_service_wrote_since_the_last_visit(
    client, new_client, login, make_user, make_account
):
    """«Новое» beside an entry means news to the resident: the dispatcher's reply is marked, the resident's own
    message just sent is not; and the mark is not the request's status «Новая»."""
    owner, place = await _resident(make_user, make_account)
    await login(client, owner)
    await _file(client, place)
    ticket = await Ticket.select(Ticket.id).where(Ticket.account == place.account).first()
    await client.get(f"/tickets/{ticket['id']}")  # the resident has seen the request as filed
    dispatcher = await make_user(roles=("dispatcher",), houses=(place.house,), name="Диспетчер Смирнова")
    staff = new_client()
    await login(staff, dispatcher)
    empty = {"photos": ("", b"", "application/octet-stream")}
    r = await staff.form(f"/staff/tickets/{ticket['id']}/messages", {"text": "Мастер придёт завтра"}, files=empty)
    assert r.status_code == 303
    # A HEAD of the page (a link checker's, a preview's, following the e-mail's or a message's link) reads nothing.
    assert (await client.head(f"/tickets/{ticket['id']}")).status_code == 200
    new = await Ticket.select(Ticket.has_new_for_resident).where(Ticket.id == ticket["id"]).first()
    assert new["has_new_for_resident"] is True
    r = await client.form(f"/tickets/{ticket['id']}/messages", {"text": "Буду дома после пяти"}, files=empty)
    assert r.status_code == 303
    page = (await client.get(f"/tickets/{ticket['id']}")).text
    entries = re.findall(r'<li class="ticket-event[^"]*" id="event-\d+">(.*?)</li>', page, re.S)
    marked = {("Мастер придёт" in e, "Буду дома" in e): 'class="unread-mark"' in e for e in entries}
    assert marked[(True, False)] is True, "the dispatcher's reply is news"
    assert marked[(False, True)] is False, "the resident's own message is not"
    assert re.search(r'class="unread-mark">Новое<', page)


async def test_the_dispatchers_page_marks_as_new_what_others_wrote_never_their_own_message(
    client, new_client, login, make_user, make_account
):
    """On the staff page «Новое» is news to the dispatcher reading it: the resident's message since their last visit
    is marked, the message they have just sent themselves is not."""
    ticket, staff = await _filed_and_dispatcher(client, new_client, login, make_user, make_account)
    await staff.get(f"/staff/tickets/{ticket['id']}")  # the dispatcher has seen the request as filed
    empty = {"photos": ("", b"", "application/octet-stream")}
    r = await client.form(f"/tickets/{ticket['id']}/messages", {"text": "Буду дома после пяти"}, files=empty)
    assert r.status_code == 303
    r = await staff.form(f"/staff/tickets/{ticket['id']}/messages", {"text": "Мастер придёт завтра"}, files=empty)
    assert r.status_code == 303
    page = (await staff.get(r.headers["location"])).text  # where sending the message leads
    entries = re.findall(r'<li class="ticket-event[^"]*" id="event-\d+">(.*?)</li>', page, re.S)
    marked = {("Мастер придёт" in e, "Буду дома" in e): 'class="unread-mark"' in e for e in entries}
    assert marked[(False, True)] is True, "the resident's message is news"
    assert marked[(True, False)] is False, "the dispatcher's own message is not"


async def _events_of(tid):
    return await TicketEvent.count().where(TicketEvent.ticket == tid)


async def _close_by_staff(new_client, login, make_user, tid):
    house = (await Ticket.select(Ticket.house).where(Ticket.id == tid).first())["house"]
    staff = new_client()
    await login(staff, await make_user(roles=("dispatcher",), houses=(house,)))
    assert (await staff.form(f"/staff/tickets/{tid}/status", {"status": "closed"})).status_code == 303


async def test_a_request_staff_closed_without_the_residents_word_is_returned_from_its_page(
    client, new_client, login, make_user, make_account
):
    """The page offers the return exactly where the POST accepts it: staff closed the work the resident never
    confirmed, so within the confirm window the resident may still say it is not done."""
    tid = await _done(client, new_client, login, make_user, make_account)
    await _close_by_staff(new_client, login, make_user, tid)
    page = (await client.get(f"/tickets/{tid}")).text
    assert "Заявка закрыта без вашего подтверждения" in page and "вернуть заявку можно до" in page
    assert f'action="/tickets/{tid}/reopen"' in page and f'action="/tickets/{tid}/confirm"' not in page
    r = await client.form(f"/tickets/{tid}/reopen", {"reason": "Кран всё ещё течёт"})
    assert r.status_code == 303 and r.headers["location"] == f"/tickets/{tid}"
    row = await Ticket.select(Ticket.status, Ticket.repeated).where(Ticket.id == tid).first()
    assert row == {"status": "reopened", "repeated": True}


async def _refused_return(client, tid, said):
    """A return posted where the page offers none: refused on the request's page in words, nothing changed."""
    before = (
        await Ticket.select(Ticket.status, Ticket.updated_at).where(Ticket.id == tid).first(),
        await _events_of(tid),
    )
    page = (await client.get(f"/tickets/{tid}")).text
    assert f'action="/tickets/{tid}/reopen"' not in page
    r = await client.form(f"/tickets/{tid}/reopen", {"reason": "Кран всё ещё течёт"})
    assert r.status_code == 303 and r.headers["location"] == f"/tickets/{tid}"
    assert said in (await client.get(f"/tickets/{tid}")).text
    after = (
        await Ticket.select(Ticket.status, Ticket.updated_at).where(Ticket.id == tid).first(),
        await _events_of(tid),
    )
    assert after == before


async def test_a_request_the_resident_confirmed_is_not_returned_by_posting_the_form(
    client, new_client, login, make_user, make_account
):
    tid = await _done(client, new_client, login, make_user, make_account)
    assert (await client.form(f"/tickets/{tid}/confirm")).status_code == 303
    await _refused_return(client, tid, "Вы подтвердили работу по этой заявке, поэтому вернуть её нельзя.")


async def test_a_return_after_the_window_or_before_the_work_is_done_is_refused(
    client, new_client, login, make_user, make_account
):
    tid = await _done(client, new_client, login, make_user, make_account)
    await _close_by_staff(new_client, login, make_user, tid)
    long_ago = (await Ticket.select(Ticket.completed_at).where(Ticket.id == tid).first())["completed_at"]
    long_ago -= timedelta(days=rules.CONFIRM_DAYS, minutes=1)
    await Ticket.update({Ticket.completed_at: long_ago}).where(Ticket.id == tid)
    await _refused_return(client, tid, "Время, когда можно подтвердить или вернуть эту заявку, прошло.")
    user, place = await _resident(make_user, make_account)
    await login(client, user)
    await _file(client, place)
    fresh = (await Ticket.select(Ticket.id).where(Ticket.account == place.account).first())["id"]
    await _refused_return(client, fresh, "Работа по этой заявке ещё не отмечена выполненной")


def _row(page: str, tid: int) -> str:
    """The request's row of the staff queue, as served."""
    found = re.search(rf'<tr id="row-{tid}".*?</tr>', page, re.S)
    assert found, f"request {tid} is not in the queue"
    return found.group(0)


async def test_a_returned_request_is_due_again_from_the_return_not_overdue_by_its_first_deadline(
    client, new_client, login, make_user, make_account
):
    """The work was reported done after the first deadline had passed; the resident returns it. The clock starts
    again from the return by the category's rule (a leaking tap: one day), said in the history to both sides,
    and neither the resident's page nor the dispatcher's queue reads the request as overdue."""
    tid = await _done(client, new_client, login, make_user, make_account)
    filed = clock.now() - timedelta(days=3)
    await Ticket.update({Ticket.created_at: filed, Ticket.deadline: filed + timedelta(days=1)}).where(Ticket.id == tid)
    returned = clock.now()
    assert (await client.form(f"/tickets/{tid}/reopen", {"reason": "Кран всё ещё течёт"})).status_code == 303
    due = (await Ticket.select(Ticket.deadline).where(Ticket.id == tid).first())["deadline"]
    assert returned + timedelta(days=1) <= due <= clock.now() + timedelta(days=1)
    said = TicketEvent.select(TicketEvent.author, TicketEvent.by_staff, TicketEvent.visible_to_resident)
    line = await said.where((TicketEvent.ticket == tid) & (TicketEvent.kind == "deadline")).first()
    assert line == {"author": None, "by_staff": True, "visible_to_resident": True}  # the service's, not the resident's
    page = (await client.get(f"/tickets/{tid}")).text
    assert "Просрочена" not in page and "Заявка возвращена: срок отсчитан заново с этого момента." in page
    await client.speak("en")
    page = (await client.get(f"/tickets/{tid}")).text
    assert "Overdue" not in page and "The request is returned: the deadline is counted anew from this moment." in page
    house = (await Ticket.select(Ticket.house).where(Ticket.id == tid).first())["house"]
    staff = new_client()
    await login(staff, await make_user(roles=("dispatcher",), houses=(house,)))
    row = _row((await staff.get("/staff/tickets?tab=active")).text, tid)
    assert "is-overdue" not in row and "Просрочена" not in row
    assert f'id="row-{tid}"' not in (await staff.get("/staff/tickets?tab=overdue")).text
    assert "Заявка возвращена: срок отсчитан заново" in (await staff.get(f"/staff/tickets/{tid}")).text


async def test_an_outage_described_in_russian_is_marked_russian_on_an_english_page(
    client, login, make_user, make_account
):
    """Staff describe an outage in Russian; an English page showed «Плановый ремонт теплотрассы» as English text (a
    screen reader read it with an English voice, and no hyphenation). Marked, it keeps the words as written."""
    from portal.tickets.tables import Outage

    user, place = await _resident(make_user, make_account)
    await Outage(house=place.house, service="hot_water", description="Плановый ремонт теплотрассы").save()
    await login(client, user)
    await client.form("/lang", {"lang": "en", "next": "/tickets/new"})
    page = (await client.get("/tickets/new")).text
    assert '<span class="muted"><span lang="ru">Плановый ремонт теплотрассы</span></span>' in page
    await client.form("/lang", {"lang": "ru", "next": "/tickets/new"})
    assert '<span class="muted">Плановый ремонт теплотрассы</span>' in (await client.get("/tickets/new")).text


async def test_an_overdue_request_says_so_once_on_its_card_and_on_the_home_page(client, login, make_user, make_account):
    """A card read «Просрочена» at its title and «Просрочена на 2 ч» below it: the countdown says it is overdue and
    by how much, so no badge repeats it — in the list of requests and in the home page's section alike."""
    user, place = await _resident(make_user, make_account)
    await login(client, user)
    await _file(client, place)
    await Ticket.update({Ticket.deadline: clock.now() - timedelta(hours=2)}).where(Ticket.account == place.account)
    card = re.search(r'<li class="card ticket-card.*?</li>', (await client.get("/tickets")).text, re.S).group(0)
    assert "Просрочена на 2\u00a0ч" in card and card.count("Просрочена") == 1, card
    home = re.search(r'<section class="card home-tickets".*?</section>', (await client.get("/")).text, re.S).group(0)
    assert "Просрочена на 2\u00a0ч" in home and home.count("Просрочена") == 1, home
