"""The staff page of one request: the «Параметры заявки» form, refused, keeps what was typed and says why at the
field, both as a plain post and as HTMX asks for it."""

from __future__ import annotations

import json
import re
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from html.parser import HTMLParser

import pytest

from portal.core import clock
from portal.core.i18n import format_moment
from portal.tickets import actions
from portal.tickets.tables import Ticket


@pytest.fixture
async def filed(make_user, make_account):
    place = await make_account()
    opened = await actions.open_ticket(
        account_id=place.account, category="leaking_taps", description="Течёт кран на кухне", now=datetime.now(UTC)
    )
    dispatcher = await make_user(name="Диспетчер", roles=("dispatcher",), houses=(place.house,))
    return {"ticket": opened.id, "dispatcher": dispatcher, "account": place.account}


TYPED = {
    "type": "complaint",
    "category": "roof_leak",
    "internal_status": "",
    "deadline": "завтра к обеду",
    "control_date": "2026-04-01",
    "emergency": "1",
}


def selected(page: str, name: str) -> str | None:
    box = re.search(rf'<select id="f-{name}" name="{name}".*?</select>', page, re.S)
    chosen = re.search(r'<option value="([^"]*)" selected', box.group(0)) if box else None
    return chosen.group(1) if chosen else None


def typed_value(page: str, name: str) -> str | None:
    found = re.search(rf'<input id="f-{name}" name="{name}"[^>]*value="([^"]*)"', page)
    return found.group(1) if found else None


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
async def test_a_refused_edit_keeps_what_was_typed_and_says_why_at_the_field(client, login, filed, htmx):
    await login(client, filed["dispatcher"])
    url = f"/staff/tickets/{filed['ticket']}/update"
    page = await (client.htmx_form(url, TYPED) if htmx else client.form(url, TYPED))
    assert page.status_code == 422
    assert ("<html" in page.text) is not htmx  # HTMX gets the page's main block, a plain post the whole page
    assert selected(page.text, "type") == "complaint" and selected(page.text, "category") == "roof_leak"
    assert typed_value(page.text, "deadline") == "завтра к обеду"
    assert typed_value(page.text, "control_date") == "2026-04-01"
    assert re.search(r'name="emergency" value="1" checked', page.text)
    field = re.search(r'<div class="field has-error">.*?name="deadline"', page.text, re.S)
    assert field and "Укажите срок датой и временем." in field.group(0)
    stored = await Ticket.select(Ticket.category, Ticket.type).where(Ticket.id == filed["ticket"]).first()
    assert stored == {"category": "leaking_taps", "type": "ordinary"}


async def test_a_refused_message_keeps_its_text_and_the_internal_tick(client, login, filed):
    await login(client, filed["dispatcher"])
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"
    page = await client.form(
        f"/staff/tickets/{filed['ticket']}/messages",
        {"text": "Мастер придёт в четверг", "internal": "1"},
        files=[("photos", ("scan.jpg", pdf, "image/jpeg"))],
    )
    assert page.status_code == 422 and "не фотография" in page.text
    assert re.search(r'<textarea id="f-text" name="text"[^>]*>Мастер придёт в четверг</textarea>', page.text)
    assert re.search(r'<input id="f-internal" type="checkbox" name="internal" value="1" checked', page.text)


PLACES = {
    "ru": {
        "entrance": ("подъезд", "подъезд 1"),
        "lift": ("лифт", "подъезд 1, лифт"),
        "yard": ("двор", "подъезд 1, двор"),
        "roof": ("крыша и чердак", "подъезд 1, крыша и чердак"),
        "basement": ("подвал", "подъезд 1, подвал"),
    },
    "en": {
        "entrance": ("entrance", "entrance 1"),
        "lift": ("lift", "entrance 1, lift"),
        "yard": ("yard", "entrance 1, yard"),
        "roof": ("roof and attic", "entrance 1, roof and attic"),
        "basement": ("basement", "entrance 1, basement"),
    },
}


async def test_a_common_places_address_names_it_in_a_whole_phrase_with_and_without_the_entrance(
    client, login, make_user, make_account
):
    place = await make_account(address="г. Симферополь, ул. Киевская, д. 1")
    opened = {}
    for common in PLACES["ru"]:
        now = datetime.now(UTC)
        house = await actions.open_ticket(
            house_id=place.house, place=common, category="lift_fault", description="Нет", now=now
        )
        entrance = await actions.open_ticket(
            account_id=place.account, place=common, category="lift_fault", description="Нет", now=now
        )
        opened[common] = (house.id, entrance.id)
    await login(client, await make_user(roles=("dispatcher",), houses=(place.house,)))
    for lang, phrases in PLACES.items():
        await client.speak(lang)
        for common, said in phrases.items():
            for ticket, phrase in zip(opened[common], said, strict=True):
                page = await client.get(f"/staff/tickets/{ticket}")
                shown = re.search(r"<dt>(?:Где|Where)</dt><dd>(.*?)</dd>", page.text).group(1)
                assert shown.startswith('<span lang="ru">') == (lang == "en"), shown  # the house as recorded
                where = re.sub(r"<[^>]+>", "", shown)
                assert where == f"г. Симферополь, ул. Киевская, д. 1, {phrase}", (lang, common, where)


async def test_a_reason_typed_before_cancelling_is_kept_on_the_question_that_follows(client, login, filed):
    """The status form's «Комментарий для жителя» typed before «Отменить заявку…» is the reason on the page that
    asks once more, so that confirming does not cancel without the words the dispatcher wrote."""
    await login(client, filed["dispatcher"])
    url = f"/staff/tickets/{filed['ticket']}/status"
    reason = "Дубликат заявки №\u00a012 <повтор>"
    page = await client.form(url, {"status": "cancelled", "comment": reason})
    assert page.status_code == 200 and "Отменить заявку" in page.text
    box = re.search(r'<textarea id="f-comment" name="comment"[^>]*>([^<]*)</textarea>', page.text)
    assert box and box.group(1) == "Дубликат заявки №\u00a012 &lt;повтор&gt;"
    stored = await Ticket.select(Ticket.status).where(Ticket.id == filed["ticket"]).first()
    assert stored["status"] == "new"


async def test_a_deadline_before_the_request_was_filed_is_refused_and_one_after_it_is_saved(client, login, filed):
    """A year typed wrong («2025» for «2026») made the request overdue by a year without a word; it is refused at
    the field with the moment of filing, and the request keeps its deadline."""
    await login(client, filed["dispatcher"])
    url = f"/staff/tickets/{filed['ticket']}/update"
    before = await Ticket.select(Ticket.deadline, Ticket.created_at).where(Ticket.id == filed["ticket"]).first()
    typed = {"type": "ordinary", "category": "leaking_taps", "internal_status": "", "deadline": "2020-01-01T10:00"}
    refused = await client.form(url, typed)
    assert refused.status_code == 422
    assert "Срок не может быть раньше подачи заявки (" in refused.text
    assert typed_value(refused.text, "deadline") == "2020-01-01T10:00"
    assert (await Ticket.select(Ticket.deadline).where(Ticket.id == filed["ticket"]).first()) == {
        "deadline": before["deadline"]
    }
    later = (before["created_at"] + timedelta(days=3)).astimezone(clock.zone()).strftime("%Y-%m-%dT%H:%M")
    saved = await client.form(url, {**typed, "deadline": later})
    assert saved.status_code == 303


async def test_a_deadline_more_than_a_year_after_the_filing_is_refused_at_its_field(client, login, filed):
    """2027 typed for 2026 kept the request off every overdue list for a year: a deadline more than 365 days after
    the filing is refused at its field in either language, what was typed kept; a deadline stored before the rule
    does not block an edit of another field."""
    await login(client, filed["dispatcher"])
    url = f"/staff/tickets/{filed['ticket']}/update"
    stored = await Ticket.select(Ticket.created_at, Ticket.deadline).where(Ticket.id == filed["ticket"]).first()
    zone = clock.zone()
    far = (stored["created_at"] + timedelta(days=366)).astimezone(zone).strftime("%Y-%m-%dT%H:%M")
    typed = {"type": "ordinary", "category": "leaking_taps", "internal_status": "", "deadline": far}
    refused = await client.form(url, typed)
    assert refused.status_code == 422
    field = re.search(r'<div class="field has-error">.*?name="deadline"', refused.text, re.S)
    assert field and "Проверьте год: срок позже заявки больше чем на год." in field.group(0)
    assert typed_value(refused.text, "deadline") == far
    await client.speak("en")
    refused = await client.form(url, typed)
    assert "Check the year: the deadline is more than a year after the request." in refused.text
    assert (await Ticket.select(Ticket.deadline).where(Ticket.id == filed["ticket"]).first()) == {
        "deadline": stored["deadline"]
    }
    old = stored["created_at"].replace(second=0, microsecond=0) + timedelta(days=400)
    await Ticket.update({Ticket.deadline: old}).where(Ticket.id == filed["ticket"])
    was = old.astimezone(zone).strftime("%Y-%m-%dT%H:%M")
    edit = {**typed, "deadline": was, "was_deadline": was, "internal_status": "waiting_parts"}
    assert (await client.form(url, edit)).status_code == 303
    assert (await Ticket.select(Ticket.deadline).where(Ticket.id == filed["ticket"]).first())["deadline"] == old


async def test_the_comment_for_the_resident_comes_before_the_status_buttons_it_goes_with(client, login, filed):
    """The keyboard and a screen reader reach the comment first, then the button that sends the status with it (not
    a button first and the comment after, too late)."""
    await login(client, filed["dispatcher"])
    page = (await client.get(f"/staff/tickets/{filed['ticket']}")).text
    actions = page[page.index('id="ticket-actions"') :]
    form = re.search(r'<form method="post" action="/staff/tickets/\d+/status".*?</form>', actions, re.S).group(0)
    assert form.index('name="comment"') < form.index('name="status"')


REFUSED_TYPE = "«Люди застряли в лифте» — авария с законным сроком: заявка не может быть плановой или платной."


@pytest.mark.parametrize("ticket_type", ["planned", "paid"])
async def test_an_emergency_retyped_as_works_by_agreement_is_refused_at_the_type_keeping_what_was_typed(
    client, login, filed, ticket_type
):
    """Typed «Плановая», people trapped in a lift would read to the executor as work that can wait (their
    30 minutes run whatever the type): the edit is refused at the type field, the category and the rest kept as typed
    and nothing saved; an ordinary category planned by agreement is saved, with no deadline."""
    await login(client, filed["dispatcher"])
    url = f"/staff/tickets/{filed['ticket']}/update"
    typed = {"type": ticket_type, "category": "lift_trapped", "internal_status": "", "control_date": "2026-04-01"}
    page = await client.form(url, typed)
    assert page.status_code == 422
    field = re.search(r'<div class="field has-error">.*?</div>', page.text, re.S)
    assert field and 'name="type"' in field.group(0) and REFUSED_TYPE in field.group(0)
    assert selected(page.text, "type") == ticket_type and selected(page.text, "category") == "lift_trapped"
    assert typed_value(page.text, "control_date") == "2026-04-01"
    stored = await Ticket.select(Ticket.type, Ticket.category).where(Ticket.id == filed["ticket"]).first()
    assert stored == {"type": "ordinary", "category": "leaking_taps"}
    saved = await client.form(url, {**typed, "category": "lift_fault"})
    assert saved.status_code == 303
    stored = await Ticket.select(Ticket.type, Ticket.deadline).where(Ticket.id == filed["ticket"]).first()
    assert stored == {"type": ticket_type, "deadline": None}


@pytest.mark.parametrize(
    ("flag", "said"),
    [
        ("planned", "«Люди застряли в лифте» — авария с законным сроком: у заявки не может быть признака «Плановая»."),
        ("paid", "«Люди застряли в лифте» — авария с законным сроком: у заявки не может быть признака «Платная»."),
    ],
    ids=["planned", "paid"],
)
async def test_an_emergency_flagged_as_works_by_agreement_is_refused_at_the_flag_keeping_what_was_typed(
    client, login, filed, flag, said
):
    """The «Плановая» and «Платная» flags follow the type's rule: ticked on people trapped in a lift, the edit is
    refused at the box (said above it, the box marked invalid), everything typed kept and nothing saved; the same
    flag on an ordinary category is saved."""
    await login(client, filed["dispatcher"])
    url = f"/staff/tickets/{filed['ticket']}/update"
    typed = {"type": "emergency", "category": "lift_trapped", "internal_status": "", "important": "1", flag: "1"}
    page = await client.form(url, typed)
    assert page.status_code == 422
    fieldset = re.search(r'<fieldset class="field has-error">.*?</fieldset>', page.text, re.S).group(0)
    assert said in fieldset and f'<p class="error" id="e-{flag}">' in fieldset
    box = re.search(rf'<input id="f-{flag}"[^>]*>', fieldset).group(0)
    assert "checked" in box and 'aria-invalid="true"' in box and f'aria-describedby="e-{flag}"' in box
    assert re.search(r'name="important" value="1" checked', fieldset)
    assert selected(page.text, "type") == "emergency" and selected(page.text, "category") == "lift_trapped"
    assert f'href="#f-{flag}"' in page.text  # the summary above the form leads to the box
    stored = await Ticket.select(Ticket.category, Ticket.planned, Ticket.paid).where(Ticket.id == filed["ticket"])
    assert stored == [{"category": "leaking_taps", "planned": False, "paid": False}]
    assert (await client.form(url, {**typed, flag: ""})).status_code == 303
    assert (await client.form(url, {**typed, "category": "lift_fault"})).status_code == 303
    assert (await Ticket.select(getattr(Ticket, flag)).where(Ticket.id == filed["ticket"]).first())[flag] is True


async def test_the_repair_of_emergency_damage_is_due_three_days_from_the_damage_staff_type(
    client, login, make_user, make_account
):
    """ПП № 416 п. 13: 3 days (суток) from the damage. A pipe burst at night, the repair filed in the morning: the
    dispatcher types when the burst happened and the deadline follows it; the resident's history says both, in the
    resident's language. A moment after the filing is refused at its field, nothing saved."""
    place = await make_account()
    filed_at = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(hours=1)
    resident = await make_user(accounts={place.account: "owner"})
    opened = await actions.open_ticket(
        account_id=place.account,
        category="emergency_repair",
        description="Трубу заварили, нужен ремонт",
        author_id=resident,
        now=filed_at,
    )
    await login(client, await make_user(roles=("dispatcher",), houses=(place.house,)))
    url = f"/staff/tickets/{opened.id}/update"
    zone = clock.zone()
    shown = opened.deadline.astimezone(zone).strftime("%Y-%m-%dT%H:%M")  # as the form shows it, three days on
    form = {"type": "ordinary", "category": "emergency_repair", "internal_status": "", "deadline": shown}
    late = (filed_at + timedelta(minutes=30)).astimezone(zone).strftime("%Y-%m-%dT%H:%M")
    refused = await client.form(url, {**form, "damage_at": late})
    assert refused.status_code == 422
    field = re.search(r'<div class="field has-error">.*?name="damage_at"', refused.text, re.S)
    assert field and "Авария не может произойти позже подачи заявки (" in field.group(0)
    assert typed_value(refused.text, "damage_at") == late

    burst = filed_at - timedelta(hours=10)
    saved = await client.form(url, {**form, "damage_at": burst.astimezone(zone).strftime("%Y-%m-%dT%H:%M")})
    assert saved.status_code == 303
    stored = await Ticket.select(Ticket.damage_at, Ticket.deadline).where(Ticket.id == opened.id).first()
    assert stored == {"damage_at": burst, "deadline": burst + timedelta(days=3)}
    staff_page = (await client.get(f"/staff/tickets/{opened.id}")).text
    assert "Авария произошла" in staff_page

    await login(client, resident)
    await client.speak("en")
    page = (await client.get(f"/tickets/{opened.id}")).text
    assert "The damage happened: " in page and "Deadline: " in page


async def test_a_damage_moment_years_before_the_filing_is_refused_at_its_field(client, login, filed):
    """2016 typed for 2026 made the repair overdue the day it was filed: a damage moment more than 30 days before
    the filing is refused at its field in either language, what was typed kept; 29 days back is saved, and a moment
    stored before the rule does not block an edit of another field."""
    await login(client, filed["dispatcher"])
    url = f"/staff/tickets/{filed['ticket']}/update"
    stored = await Ticket.select(Ticket.created_at, Ticket.deadline).where(Ticket.id == filed["ticket"]).first()
    zone = clock.zone()
    shown = stored["deadline"].astimezone(zone).strftime("%Y-%m-%dT%H:%M")
    form = {"type": "ordinary", "category": "leaking_taps", "internal_status": "", "deadline": shown}
    years_back = (stored["created_at"] - timedelta(days=3653)).astimezone(zone).strftime("%Y-%m-%dT%H:%M")
    refused = await client.form(url, {**form, "damage_at": years_back})
    assert refused.status_code == 422
    field = re.search(r'<div class="field has-error">.*?name="damage_at"', refused.text, re.S)
    assert field and "Проверьте дату: повреждение раньше заявки больше чем на 30\u00a0дней." in field.group(0)
    assert typed_value(refused.text, "damage_at") == years_back
    await client.speak("en")
    refused = await client.form(url, {**form, "damage_at": years_back})
    assert "Check the date: the damage is more than 30\u00a0days before the request." in refused.text
    assert (await Ticket.select(Ticket.damage_at).where(Ticket.id == filed["ticket"]).first())["damage_at"] is None

    month_back = stored["created_at"].replace(second=0, microsecond=0) - timedelta(days=29)
    typed = month_back.astimezone(zone).strftime("%Y-%m-%dT%H:%M")
    assert (await client.form(url, {**form, "damage_at": typed})).status_code == 303
    old = stored["created_at"].replace(second=0, microsecond=0) - timedelta(days=400)
    await Ticket.update({Ticket.damage_at: old}).where(Ticket.id == filed["ticket"])
    was = old.astimezone(zone).strftime("%Y-%m-%dT%H:%M")
    edit = {**form, "damage_at": was, "was_damage_at": was, "internal_status": "waiting_parts"}
    assert (await client.form(url, edit)).status_code == 303


class _Unmarked(HTMLParser):
    """The texts of a page's ``<main>`` with Russian letters outside any element marked ``lang="ru"``."""

    VOID = frozenset({"br", "img", "input", "meta", "link", "hr", "source", "wbr"})

    def __init__(self) -> None:
        super().__init__()
        self.open: list[tuple[str, str | None]] = []
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag not in self.VOID:
            self.open.append((tag, dict(attrs).get("lang")))

    def handle_endtag(self, tag: str) -> None:
        while self.open and self.open.pop()[0] != tag:
            pass

    def handle_data(self, data: str) -> None:
        tags = [t for t, _ in self.open]
        inside = "main" in tags and not {"option", "textarea", "script"} & set(tags)
        if inside and re.search("[А-Яа-яЁё]", data) and all(lang != "ru" for _, lang in self.open):
            self.found.append(data.strip())


def unmarked_russian(page: str) -> list[str]:
    parser = _Unmarked()
    parser.feed(page)
    return parser.found


async def test_on_english_pages_the_names_and_words_people_wrote_in_russian_are_marked_russian(
    client, login, make_user, make_account
):
    """The resident's, the dispatcher's and the executor's names, the request's text and a message are Russian data:
    on an English page a screen reader read them with an English voice. Marked ``lang="ru"``, on the staff page of
    the request and the resident's; a Russian page marks nothing."""
    from portal.accounts.principal import load_principal_for
    from portal.tickets import queries
    from portal.tickets.queries import Option

    place = await make_account()
    resident = await make_user(name="Петрова Анна", accounts={place.account: "owner"})
    executor = await make_user(name="Лукин Сергей", roles=("executor",), houses=(place.house,))
    dispatcher = await make_user(name="Котова Марина", roles=("dispatcher",), houses=(place.house,))
    now = datetime.now(UTC)
    opened = await actions.open_ticket(
        account_id=place.account, category="leaking_taps", description="Течёт кран", author_id=resident, now=now
    )
    principal = await load_principal_for(dispatcher)
    ticket = await queries.ticket_for_staff(principal, opened.id)
    await actions.assign_executor(principal, ticket, Option(executor, "Лукин Сергей"), now)
    await login(client, dispatcher)
    no_photo = [("photos", ("", b"", "application/octet-stream"))]
    await client.form(f"/staff/tickets/{opened.id}/messages", {"text": "Мастер придёт завтра"}, files=no_photo)
    await client.speak("en")
    staff_page = (await client.get(f"/staff/tickets/{opened.id}")).text
    assert unmarked_russian(staff_page) == []
    assert 'Executor: <span lang="ru">Лукин Сергей</span>' in staff_page
    await login(client, resident)
    await client.speak("en")
    page = (await client.get(f"/tickets/{opened.id}")).text
    assert unmarked_russian(page) == [] and '<span lang="ru">Мастер придёт завтра</span>' in page
    await Ticket.update({Ticket.status: "closed", Ticket.rating: 5, Ticket.feedback: "Быстро, спасибо"}).where(
        Ticket.id == opened.id
    )
    assert '5 / 5 — <span lang="ru">Быстро, спасибо</span>' in (await client.get(f"/tickets/{opened.id}")).text
    await client.speak("ru")
    assert 'lang="ru"' not in (await client.get(f"/tickets/{opened.id}")).text.split("<main")[1]
    await login(client, dispatcher)
    await client.speak("en")  # the rating's words on the staff page too
    assert '5 / 5 — <span lang="ru">Быстро, спасибо</span>' in (await client.get(f"/staff/tickets/{opened.id}")).text


def button_names(page: str) -> list[str]:
    """What a screen reader hears of each submit button of the page: its words (or its ``aria-label``)."""
    names = []
    for attrs, inner in re.findall(r"<button([^>]*)>(.*?)</button>", page, re.S):
        if 'type="button"' in attrs:
            continue
        label = re.search(r'aria-label="([^"]*)"', attrs)
        names.append(label.group(1) if label else " ".join(re.sub(r"<[^>]+>", " ", inner).split()))
    return names


@pytest.mark.parametrize("path", ["/staff/tickets/{ticket}", "/staff/tickets"], ids=["request page", "list"])
async def test_each_button_of_the_staff_pages_names_what_it_saves(client, login, filed, path):
    """The request page has a form for the executor, the details, the outage and a message side by side, and the
    list one for a saved view: a button named only «Сохранить» said nothing of which, heard out of its form."""
    await login(client, filed["dispatcher"])
    names = button_names((await client.get(path.format(ticket=filed["ticket"]))).text)
    assert "Сохранить параметры" in names or "Сохранить вид" in names
    assert "Сохранить" not in names


class _FormReader(HTMLParser):
    """What a browser would post of one form of a page (inputs, checked boxes, chosen options)."""

    def __init__(self, action: str) -> None:
        super().__init__()
        self.action, self.inside, self.select, self.data = action, False, None, {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("action") == self.action
        elif self.inside and tag == "input" and a.get("name") and a.get("type") != "file":
            if a.get("type") != "checkbox" or "checked" in a:
                self.data[a["name"]] = a.get("value") or ""
        elif self.inside and tag == "select":
            self.select = a["name"]
        elif self.inside and tag == "option" and self.select and "selected" in a:
            self.data[self.select] = a.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self.select = None


def posted_form(page: str, action: str) -> dict[str, str]:
    reader = _FormReader(action)
    reader.feed(page)
    return reader.data


async def test_details_saved_from_a_page_drawn_before_a_return_keep_the_restarted_deadline(client, login, filed):
    """The page's poller shows a return to work (the deadline counted anew) but leaves the details form as drawn:
    saving a control date from it posted the old deadline too, which was put back — the request read overdue again
    and the resident saw the deadline jump back. Only what the dispatcher changed on the form is saved."""
    await login(client, filed["dispatcher"])
    url = f"/staff/tickets/{filed['ticket']}"
    form = posted_form((await client.get(url)).text, url + "/update")
    assert form["was_deadline"] == form["deadline"] != ""
    restarted = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(days=2)
    await Ticket.update({Ticket.deadline: restarted}).where(Ticket.id == filed["ticket"])  # as a return does

    saved = await client.form(url + "/update", {**form, "control_date": "2026-12-20", "important": "1"})
    assert saved.status_code == 303
    stored = (
        await Ticket.select(Ticket.deadline, Ticket.control_date, Ticket.important)
        .where(Ticket.id == filed["ticket"])
        .first()
    )
    assert stored == {"deadline": restarted, "control_date": date(2026, 12, 20), "important": True}

    typed = posted_form((await client.get(url)).text, url + "/update")
    later = (restarted + timedelta(days=1)).astimezone(clock.zone()).strftime("%Y-%m-%dT%H:%M")
    assert (
        await client.form(url + "/update", {**typed, "deadline": later, "deadline_reason": "Ждём запчасть"})
    ).status_code == 303
    stored = await Ticket.select(Ticket.deadline).where(Ticket.id == filed["ticket"]).first()
    assert stored["deadline"] == restarted + timedelta(days=1)  # a deadline the dispatcher typed is saved


@pytest.mark.parametrize(
    ("lang", "said"), [("ru", "Контрольная дата: 20 декабря 2026"), ("en", "Control date: 20 December 2026")]
)
async def test_the_history_says_a_control_date_in_words(client, login, filed, lang, said):
    """It read «Контрольная дата: 2026-12-20», the date as stored, where every other date of the page is in words."""
    await login(client, filed["dispatcher"])
    url = f"/staff/tickets/{filed['ticket']}"
    form = posted_form((await client.get(url)).text, url + "/update")
    assert (await client.form(url + "/update", {**form, "control_date": "2026-12-20"})).status_code == 303
    await client.speak(lang)
    history = re.search(r'<section class="card ticket-conversation".*?</section>', (await client.get(url)).text, re.S)
    assert said in history.group(0) and "2026-12-20" not in history.group(0)


async def test_the_damage_moment_is_set_only_by_staff_of_the_house_and_only_with_the_forms_token(
    client, login, make_user, make_account
):
    """SECURITY.md: a dispatcher of another house gets 404 for the request (its damage moment, and so its deadline,
    stays as it was); a post without the CSRF token is refused with 403 and changes nothing."""
    place, elsewhere = await make_account(), await make_account()
    filed_at = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(hours=1)
    opened = await actions.open_ticket(
        account_id=place.account, category="emergency_repair", description="Трубу заварили", now=filed_at
    )
    url = f"/staff/tickets/{opened.id}/update"
    burst = (filed_at - timedelta(days=2)).astimezone(clock.zone()).strftime("%Y-%m-%dT%H:%M")
    form = {"type": "ordinary", "category": "emergency_repair", "internal_status": "", "damage_at": burst}
    before = await Ticket.select(Ticket.damage_at, Ticket.deadline).where(Ticket.id == opened.id).first()
    await login(client, await make_user(roles=("dispatcher",), houses=(elsewhere.house,)))
    assert (await client.form(url, form)).status_code == 404
    await login(client, await make_user(roles=("dispatcher",), houses=(place.house,)))
    await client.csrf_token()  # the cookie is there, the form's token is not
    assert (await client.post(url, data=form)).status_code == 403
    assert await Ticket.select(Ticket.damage_at, Ticket.deadline).where(Ticket.id == opened.id).first() == before
    assert (await client.form(url, form)).status_code == 303  # the same form, from the house's dispatcher, is saved
    assert (await Ticket.select(Ticket.damage_at).where(Ticket.id == opened.id).first())["damage_at"] is not None


async def test_a_requests_page_leads_back_to_the_list_as_it_was_left_after_an_action_too(client, login, filed):
    """A dispatcher working through «Новые» of one house opened a request, accepted it, and its «Заявки» led to the
    whole unfiltered list: the filters were to be chosen again for each request."""
    await login(client, filed["dispatcher"])
    listed = await client.get("/staff/tickets", params={"tab": "active", "status": "new", "q": "кран"})
    assert listed.status_code == 200
    back = (
        'class="breadcrumbs no-print"><a href="/staff/tickets?tab=active&amp;status=new&amp;q=%D0%BA%D1%80%D0%B0%D0%BD"'
    )
    page = await client.get(f"/staff/tickets/{filed['ticket']}")
    assert back in page.text
    moved = await client.form(f"/staff/tickets/{filed['ticket']}/status", {"status": "accepted"})
    assert moved.status_code == 303
    after = await client.get(moved.headers["location"])
    assert "Принята" in after.text and back in after.text
    await client.get("/staff/tickets", params={"tab": "all"})
    assert (await client.head("/staff/tickets", params={"tab": "overdue"})).status_code == 200  # a HEAD shows none
    page = await client.get(f"/staff/tickets/{filed['ticket']}")
    assert 'class="breadcrumbs no-print"><a href="/staff/tickets?tab=all"' in page.text


async def test_a_request_opened_from_the_executors_cards_leads_back_to_them(client, login, make_user, make_account):
    """An executor opened a request from «Мои заявки» on the phone and its «Заявки» led to the company's whole list
    instead of their own cards."""
    from portal.accounts.principal import load_principal_for
    from portal.tickets import queries
    from portal.tickets.queries import Option

    place = await make_account()
    executor = await make_user(name="Лукин Сергей", roles=("executor",), houses=(place.house,))
    dispatcher = await load_principal_for(await make_user(roles=("dispatcher",), houses=(place.house,)))
    now = datetime.now(UTC)
    opened = await actions.open_ticket(account_id=place.account, category="leaking_taps", description="Кран", now=now)
    ticket = await queries.ticket_for_staff(dispatcher, opened.id)
    await actions.assign_executor(dispatcher, ticket, Option(executor, "Лукин Сергей"), now)
    await login(client, executor)
    assert f'href="/staff/tickets/{opened.id}"' in (await client.get("/staff/my-tickets")).text
    back = 'class="breadcrumbs no-print"><a href="/staff/my-tickets">Мои заявки</a>'
    assert back in (await client.get(f"/staff/tickets/{opened.id}")).text
    await client.get("/staff/tickets", params={"tab": "all"})  # the list shown last leads back to itself
    assert (await client.head("/staff/my-tickets")).status_code == 200  # a HEAD shows nothing
    page = (await client.get(f"/staff/tickets/{opened.id}")).text
    assert 'class="breadcrumbs no-print"><a href="/staff/tickets?tab=all">Заявки</a>' in page


async def test_an_overdue_request_says_so_once_beside_its_countdown(client, login, filed):
    """The page's status line read «Новая · Просрочена · Просрочена на 2 ч»: the countdown says it is overdue and by
    how much, so no badge repeats it (the list keeps the badge where its deadline column is not shown)."""
    await Ticket.update({Ticket.deadline: datetime.now(UTC) - timedelta(hours=2)}).where(Ticket.id == filed["ticket"])
    await login(client, filed["dispatcher"])
    page = (await client.get(f"/staff/tickets/{filed['ticket']}")).text
    line = re.search(r'id="ticket-status".*?</div>', page, re.S).group(0)
    assert "Просрочена на 2\u00a0ч" in line and line.count("Просрочена") == 1, line


async def test_a_request_done_after_its_deadline_says_by_how_much_once_done(client, login, filed):
    """Done 1 h 33 min after its deadline, the request's page said nothing of it once it was no longer open, though
    the dashboard counts it late: it says «Выполнена с опозданием на 1 ч 33 мин»; one done in time says nothing."""
    deadline = datetime(2026, 12, 6, 2, 1, tzinfo=UTC)
    done = {Ticket.status: "done", Ticket.deadline: deadline, Ticket.completed_at: deadline + timedelta(minutes=93)}
    await Ticket.update(done).where(Ticket.id == filed["ticket"])
    await login(client, filed["dispatcher"])
    line = re.search(r'id="ticket-status".*?</div>', (await client.get(f"/staff/tickets/{filed['ticket']}")).text, re.S)
    assert "Выполнена с опозданием на 1\u00a0ч 33\u00a0мин" in line.group(0)
    await Ticket.update({Ticket.completed_at: deadline}).where(Ticket.id == filed["ticket"])
    line = re.search(r'id="ticket-status".*?</div>', (await client.get(f"/staff/tickets/{filed['ticket']}")).text, re.S)
    assert "опозданием" not in line.group(0)


@pytest.mark.parametrize("boosted", [False, True], ids=["plain", "boosted"])
async def test_a_status_form_sent_without_a_status_is_refused_at_its_buttons_keeping_the_comment(
    client, login, filed, boosted
):
    """Sent without one of its buttons (Ctrl+Enter in the comment), the status form answered 303 with a flash and
    the comment was gone; now the page again (422), the message above the buttons, the comment as typed."""
    await login(client, filed["dispatcher"])
    url = f"/staff/tickets/{filed['ticket']}/status"
    comment = "Мастер будет в четверг <утром>"
    data = {"comment": comment}
    headers = {"HX-Request": "true", "HX-Boosted": "true"}
    page = await (client.htmx_form(url, data, headers=headers) if boosted else client.form(url, data))
    assert page.status_code == 422 and "Form-Taken" not in page.headers
    box = re.search(r'<textarea id="f-comment" name="comment"[^>]*>([^<]*)</textarea>', page.text)
    assert box and box.group(1) == "Мастер будет в четверг &lt;утром&gt;"
    field = re.search(r'<div class="field has-error">\s*<p class="error" id="e-status">(.*?)</p>', page.text, re.S)
    assert field and "Выберите новый статус одной из кнопок." in field.group(1)
    assert re.search(r'<button id="f-status" [^>]*aria-describedby="e-status"', page.text)
    stored = await Ticket.select(Ticket.status).where(Ticket.id == filed["ticket"]).first()
    assert stored["status"] == "new"


async def test_only_a_taken_form_says_so_to_the_page_it_leads_to(client, login, filed):
    """What was typed is forgotten by the browser (static/js/drafts.js) only when the server says the form was taken:
    a status change says so in its answer and on the page it leads to, once; a change refused because the request
    moved meanwhile leads back to the same page without saying so, and the comment stays in the browser."""
    await login(client, filed["dispatcher"])
    url = f"/staff/tickets/{filed['ticket']}/status"
    taken = await client.form(url, {"status": "accepted", "comment": "Принято"})
    assert taken.status_code == 303 and taken.headers.get("Form-Taken") == "1"
    page = await client.get(taken.headers["location"])
    assert page.headers.get("Form-Taken") == "1" and '<meta name="form-taken" content="1">' in page.text
    again = await client.get(taken.headers["location"])
    assert "Form-Taken" not in again.headers and 'name="form-taken"' not in again.text

    refused = await client.form(url, {"status": "accepted", "comment": "Ещё раз"}, headers={"referer": str(page.url)})
    assert refused.status_code == 303 and "Form-Taken" not in refused.headers
    back = await client.get(refused.headers["location"])
    assert back.status_code == 200 and "Form-Taken" not in back.headers and 'name="form-taken"' not in back.text


async def test_the_next_step_under_the_heading_follows_the_status_the_poller_finds(client, login, filed):
    """The page offers its next step under the heading (shown on a phone) as a form of its own; when another person
    moves the request, the poller's answer replaces it with the next step from there, as it replaces the status
    form, and leaves it alone while the status is the one the page shows."""
    await login(client, filed["dispatcher"])
    page = (await client.get(f"/staff/tickets/{filed['ticket']}")).text
    step = re.search(r'<div id="ticket-next".*?</div>', page, re.S).group(0)
    assert f'action="/staff/tickets/{filed["ticket"]}/status"' in step and "csrf" in step
    assert 'value="accepted">Принять</button>' in step, step
    await Ticket.update({Ticket.status: "in_work"}).where(Ticket.id == filed["ticket"])
    url = f"/staff/tickets/{filed['ticket']}?part=conversation&since=0&last=0"
    polled = (await client.get(url + "&status=new", headers={"HX-Request": "true"})).text
    step = re.search(r'<div id="ticket-next"[^>]*hx-swap-oob="true".*?</div>', polled, re.S).group(0)
    assert 'value="done">Отметить выполненной</button>' in step, step
    same = (await client.get(url + "&status=in_work", headers={"HX-Request": "true"})).text
    assert 'id="ticket-next"' not in same


async def test_a_deadline_moved_by_hand_says_why_to_the_resident_and_the_log(client, login, filed):
    """A dispatcher moved a legal deadline without a word: the resident saw the date jump, the log had no reason.
    Moved on the page, it is refused at «Почему меняется срок» with what was typed kept; with a reason, the reason
    goes with the deadline's event the resident reads, and into the audit log. Other details need none."""
    from portal.core.tables import AuditEvent
    from portal.tickets.tables import TicketEvent

    await login(client, filed["dispatcher"])
    url = f"/staff/tickets/{filed['ticket']}"
    form = posted_form((await client.get(url)).text, url + "/update")
    assert (await client.form(url + "/update", {**form, "control_date": "2026-12-20"})).status_code == 303
    stored = await Ticket.select(Ticket.deadline).where(Ticket.id == filed["ticket"]).first()
    later = (stored["deadline"] + timedelta(days=2)).astimezone(clock.zone()).strftime("%Y-%m-%dT%H:%M")
    form = posted_form((await client.get(url)).text, url + "/update")

    refused = await client.form(url + "/update", {**form, "deadline": later, "deadline_reason": " "})
    assert refused.status_code == 422
    field = re.search(r'<div class="field has-error">.*?name="deadline_reason"', refused.text, re.S)
    assert field and "Напишите, почему меняется срок." in field.group(0)
    assert typed_value(refused.text, "deadline") == later
    assert await Ticket.select(Ticket.deadline).where(Ticket.id == filed["ticket"]).first() == stored

    saved = await client.form(url + "/update", {**form, "deadline": later, "deadline_reason": "Ждём запчасть"})
    assert saved.status_code == 303
    event = await (
        TicketEvent.select(TicketEvent.comment, TicketEvent.visible_to_resident)
        .where((TicketEvent.ticket == filed["ticket"]) & (TicketEvent.kind == "deadline"))
        .first()
    )
    assert event == {"comment": "Ждём запчасть", "visible_to_resident": True}
    logged = await (
        AuditEvent.select(AuditEvent.changes)
        .where((AuditEvent.action == "ticket.update") & (AuditEvent.entity_id == filed["ticket"]))
        .order_by(AuditEvent.id, ascending=False)
        .first()
    )
    changes = logged["changes"]
    assert (json.loads(changes) if isinstance(changes, str) else changes)["deadline_reason"] == "Ждём запчасть"
    assert "Ждём запчасть" in (await client.get(url)).text


TERM = "1 сутки"  # of a leaking tap, the fixture's request (deadlines.DEADLINE_TABLE)


def term_shown(page: str) -> str:
    """The «Срок» line of a request's page, its tags and spaces plain."""
    found = re.search(r"<dt>Срок</dt><dd[^>]*>(.*?)</dd>", page, re.S)
    assert found, "no deadline on the page"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", found.group(1))).replace("\xa0", " ").strip()


async def test_a_deadline_moved_by_hand_is_not_followed_by_the_term_that_no_longer_gave_it(
    client, new_client, login, make_user, filed
):
    """A deadline moved by hand kept the term beside it: an emergency's, moved to the next day, read «8 декабря,
    18:00 (30 минут)» on both pages, as if 30 minutes were left. A moved deadline says it was changed (the reason is
    in the history); one the term gave still names the term."""
    resident = await make_user(accounts={filed["account"]: "owner"})
    new_client = new_client()
    await login(new_client, resident)
    await login(client, filed["dispatcher"])
    url, mine = f"/staff/tickets/{filed['ticket']}", f"/tickets/{filed['ticket']}"
    for page in ((await client.get(url)).text, (await new_client.get(mine)).text):
        assert term_shown(page).endswith(f"({TERM})"), term_shown(page)  # the term gave it
    stored = await Ticket.select(Ticket.deadline).where(Ticket.id == filed["ticket"]).first()
    moved = stored["deadline"] + timedelta(days=2)
    form = posted_form((await client.get(url)).text, url + "/update")
    typed = moved.astimezone(clock.zone()).strftime("%Y-%m-%dT%H:%M")
    moving = {**form, "deadline": typed, "deadline_reason": "Ждём запчасть"}
    assert (await client.form(url + "/update", moving)).is_redirect
    for page in ((await client.get(url)).text, (await new_client.get(mine)).text):
        shown = term_shown(page)
        assert shown.endswith("(срок изменён)"), shown
        assert shown.startswith(format_moment(moved, clock.zone().key)), shown
