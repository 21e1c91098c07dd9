"""The call-centre form: a dispatcher files a request for a caller who does not know the account number, finding the
account by the address with the flat or the payer's name, and confirms it by its address before filing."""

from __future__ import annotations

import re
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path

import pytest

from portal.billing import rules
from portal.billing.tables import Balance
from portal.core import clock
from portal.core.i18n import format_phone
from portal.housing.actions import refresh_account_search
from portal.housing.actions import save_owner
from portal.housing.actions import save_ownership
from portal.tickets import actions
from portal.tickets.tables import Ticket

STREET = "г. Симферополь, ул. Звонкая, д. 5"


@pytest.fixture
async def houses(make_account, make_user):
    """Two flats of one house (a dispatcher's), and a flat with the same number in another house they do not serve.
    The accounts' numbers are fixed, with no 555 in them: digits typed with a flat's number («555 12») also find the
    accounts whose number has those digits, and a random number had 555 in it once in about a hundred runs."""
    flat12 = await make_account(
        address=STREET, premise_number="12", payer="Петрова Анна Сергеевна", number="910000000012"
    )
    flat14 = await make_account(
        house=flat12.house, premise_number="14", payer="Сидоров Олег Петрович", number="910000000014"
    )
    elsewhere = await make_account(
        address="г. Симферополь, ул. Звонкая, д. 7",
        premise_number="12",
        payer="Петрова Анна Сергеевна",
        number="910000000712",
    )
    await refresh_account_search([flat12.account, flat14.account, elsewhere.account])
    owner = {"kind": "person", "name": "Зайцев Глеб Игоревич", "inn": None, "phone": "+7 978 555-44-33", "email": ""}
    share = {"premise": flat12.premise, "share_numerator": 1, "share_denominator": 1, "joint": False}
    await save_ownership(None, None, {**share, "owner": await save_owner(None, None, owner)})
    dispatcher = await make_user(name="Диспетчер", roles=("dispatcher",), houses=(flat12.house,))
    return {"flat12": flat12, "flat14": flat14, "elsewhere": elsewhere, "dispatcher": dispatcher}


def offered(page: str) -> dict[int, bool]:
    """The accounts offered to pick, by id: checked or not."""
    box = re.search(r'<div id="account-matches".*?</div>', page, re.S)
    radios = re.findall(r'name="account_id" value="(\d+)"( checked)?', box.group(0) if box else "")
    return {int(value): bool(checked) for value, checked in radios}


REQUEST = {"place": "premise", "category": "leaking_taps", "description": "Течёт кран на кухне", "source": "phone"}


async def tickets_of(account: int) -> int:
    return await Ticket.count().where(Ticket.account == account)


async def test_words_of_the_address_list_the_accounts_of_the_dispatchers_houses_only(client, login, houses):
    await login(client, houses["dispatcher"])
    page = await client.get("/staff/tickets/new", params={"account_number": "звонкая 12"})
    assert page.status_code == 200
    assert offered(page.text) == {houses["flat12"].account: True}  # not the flat 12 of the house they do not serve
    assert f"{STREET}, кв. 12" in page.text and "Петрова Анна Сергеевна" in page.text


@pytest.mark.parametrize("typed", ["зайцев", "+7 (978) 555-44-33", "89785554433"])
async def test_an_owner_who_is_not_the_payer_is_found_by_name_or_phone(client, login, houses, typed):
    await login(client, houses["dispatcher"])
    page = await client.get("/staff/tickets/new", params={"account_number": typed})
    assert offered(page.text) == {houses["flat12"].account: True}


async def test_a_whole_phone_typed_in_groups_finds_that_owner_only(client, login, houses):
    """«8 978 555 00 01» read word by word was «978 555» (the index cannot answer «00», «01»): it found the owner of
    +7 978 555-44-33 too, and a request could go to the wrong account. A part of a number still finds every owner
    whose phone has it."""
    neighbour = {"kind": "person", "name": "Ершов Павел", "inn": None, "phone": "+7 978 555-00-01", "email": ""}
    share = {"premise": houses["flat14"].premise, "share_numerator": 1, "share_denominator": 1, "joint": False}
    await save_ownership(None, None, {**share, "owner": await save_owner(None, None, neighbour)})
    await login(client, houses["dispatcher"])
    for typed, found in (
        ("8 978 555 00 01", houses["flat14"]),
        ("+7 978 555 00 01", houses["flat14"]),
        ("8 978 555 44 33", houses["flat12"]),
        ("978 555 44 33", houses["flat12"]),
    ):
        page = await client.get("/staff/tickets/new", params={"account_number": typed})
        assert offered(page.text) == {found.account: True}, typed
    page = await client.get("/staff/tickets/new", params={"account_number": "8 978 555 00 02"})
    assert offered(page.text) == {}
    page = await client.get("/staff/tickets/new", params={"account_number": "978 555"})
    assert offered(page.text) == {houses["flat12"].account: False, houses["flat14"].account: False}


async def test_a_part_of_a_phone_typed_in_groups_finds_the_phones_with_those_digits_together(client, login, houses):
    """«555 44» as the caller dictates it was read word by word, «555» alone (the index cannot answer «44»): it found
    the owner of +7 978 555-00-01 too. The groups are one run of digits, as «555-44» is."""
    neighbour = {"kind": "person", "name": "Ершов Павел", "inn": None, "phone": "+7 978 555-00-01", "email": ""}
    share = {"premise": houses["flat14"].premise, "share_numerator": 1, "share_denominator": 1, "joint": False}
    await save_ownership(None, None, {**share, "owner": await save_owner(None, None, neighbour)})
    await login(client, houses["dispatcher"])
    for typed, found in (("555 44", "flat12"), ("555 44 33", "flat12"), ("555-44", "flat12"), ("555 00", "flat14")):
        page = await client.get("/staff/tickets/new", params={"account_number": typed})
        assert offered(page.text) == {houses[found].account: True}, typed
    page = await client.get("/staff/tickets/new", params={"account_number": "555 12"})
    assert offered(page.text) == {}


async def portal_user(make_user, phone: str, accounts: dict[int, str], *, confirmed: bool = True) -> int:
    """A resident with their profile's phone (confirmed or not), linked to ``accounts`` (id: role)."""
    from portal.accounts.tables import User

    user = await make_user(name="Лисицына Вера Павловна", accounts=accounts)
    stamp = datetime(2026, 1, 1, tzinfo=UTC) if confirmed else None
    await User.update({User.phone: phone, User.phone_confirmed_at: stamp}).where(User.id == user)
    return user


def matches_box(page: str) -> str:
    box = re.search(r'<div id="account-matches".*?</fieldset>', page, re.S)
    return box.group(0) if box else ""


@pytest.mark.parametrize("role", ["owner", "family", "tenant"])
async def test_a_resident_calling_from_their_profile_phone_is_found_and_named(client, login, houses, make_user, role):
    """Not an owner in the register: a portal user with access to the account, by the phone of their profile."""
    await portal_user(make_user, "+79781234561", {houses["flat14"].account: role, houses["elsewhere"].account: role})
    await login(client, houses["dispatcher"])
    for typed in ("+7 (978) 123-45-61", "8 978 123 45 61", "9781234561"):
        page = await client.get("/staff/tickets/new", params={"account_number": typed})
        assert offered(page.text) == {houses["flat14"].account: True}, typed  # not the house they do not serve
        assert "Лисицына Вера Павловна" in matches_box(page.text), typed
        assert caller_phone(page.text) == "+7 978 123-45-61 (filled)", typed
    await client.speak("en")  # the name stays Russian on an English page, marked so
    page = await client.get("/staff/tickets/new", params={"account_number": "+7 978 123-45-61"})
    assert 'by the phone of <span lang="ru">Лисицына Вера Павловна</span>' in matches_box(page.text)


async def test_an_unconfirmed_or_revoked_residents_phone_finds_nothing(client, login, houses, make_user):
    from portal.accounts.tables import Residency

    await portal_user(make_user, "+79781234562", {houses["flat14"].account: "owner"}, confirmed=False)
    gone = await portal_user(make_user, "+79781234563", {houses["flat12"].account: "family"})
    await Residency.update({Residency.revoked_at: datetime(2026, 1, 2, tzinfo=UTC)}).where(Residency.user == gone)
    await login(client, houses["dispatcher"])
    for typed in ("+7 978 123-45-62", "+7 978 123-45-63"):
        page = await client.get("/staff/tickets/new", params={"account_number": typed})
        assert offered(page.text) == {}, typed


def caller_phone(page: str) -> str:
    """What «Телефон звонившего» holds as the form is shown, and whether the search put it there."""
    field = re.search(r'<input id="f-contact_phone"[^>]*>', page).group(0)
    value = re.search(r'value="([^"]*)"', field).group(1)
    return value + (" (filled)" if f'data-filled="{value}"' in field else "")


@pytest.mark.parametrize("typed", ["+7 (978) 555-44-33", "8 978 555 44 33", "9785554433"])
async def test_a_search_by_the_callers_phone_fills_the_callers_phone(client, login, houses, typed):
    await login(client, houses["dispatcher"])
    page = await client.get("/staff/tickets/new", params={"account_number": typed})
    assert offered(page.text) == {houses["flat12"].account: True}
    assert caller_phone(page.text) == "+7 978 555-44-33 (filled)"
    assert 'data-caller-phone="+7 978 555-44-33"' in page.text  # for the search while typing (static/js)
    live = await client.get("/staff/tickets/new", params={"account_number": typed}, headers={"HX-Request": "true"})
    assert 'data-caller-phone="+7 978 555-44-33"' in live.text


async def test_words_or_an_account_number_are_not_taken_for_the_callers_phone(client, login, houses, make_account):
    """Ten digits from 9 read as a phone, but an account may be numbered so (of any house: not a caller's phone)."""
    other = await make_account(number="9785550000")
    await login(client, houses["dispatcher"])
    for typed in ("зайцев", "Звонкая 12", houses["flat12"].number, other.number, "978 555"):
        page = await client.get("/staff/tickets/new", params={"account_number": typed})
        assert caller_phone(page.text) == "", typed
        assert 'data-caller-phone=""' in page.text, typed


async def test_the_form_answered_without_javascript_fills_the_callers_phone_only_where_empty(client, login, houses):
    await login(client, houses["dispatcher"])
    searched = {**REQUEST, "account_number": "+7 978 555-44-33", "description": ""}  # answered, not filed
    page = await client.form("/staff/tickets/new", {**searched, "contact_phone": ""})
    assert page.status_code == 422 and caller_phone(page.text) == "+7 978 555-44-33 (filled)"
    typed = await client.form("/staff/tickets/new", {**searched, "contact_phone": "+7 978 000-11-22"})
    assert typed.status_code == 422 and caller_phone(typed.text) == "+7 978 000-11-22"


async def test_the_matches_come_as_htmx_asks_for_them_while_typing(client, login, houses):
    await login(client, houses["dispatcher"])
    page = await client.get("/staff/tickets/new", params={"account_number": "сидоров"}, headers={"HX-Request": "true"})
    assert page.status_code == 200 and "<html" not in page.text
    assert offered(page.text) == {houses["flat14"].account: True}
    nothing = await client.get(
        "/staff/tickets/new", params={"account_number": "нет такой"}, headers={"HX-Request": "1"}
    )
    assert "В ваших домах нет лицевого счёта по этим словам." in nothing.text and offered(nothing.text) == {}


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        ("ru", "Ни один счёт не найден по телефону {}."),
        ("en", "No account found for the phone {}."),
    ],
)
async def test_a_phone_that_finds_no_account_is_named_as_the_phone_not_as_words(client, login, houses, lang, said):
    await login(client, houses["dispatcher"])
    await client.speak(lang)
    said = said.format(format_phone("+79785550009"))  # as normalised, «+7 978 555-00-09» kept on one line
    typing = await client.get(
        "/staff/tickets/new", params={"account_number": "8 (978) 555 00 09"}, headers={"HX-Request": "true"}
    )
    assert said in typing.text and offered(typing.text) == {}
    page = await client.form("/staff/tickets/new", {**REQUEST, "account_number": "8 (978) 555 00 09"})
    assert page.status_code == 422 and said in page.text
    assert "по этим словам" not in page.text and "these words" not in page.text


async def test_words_alone_file_nothing_and_ask_to_choose_keeping_what_was_typed(client, login, houses):
    await login(client, houses["dispatcher"])
    page = await client.form("/staff/tickets/new", {**REQUEST, "account_number": "Звонкая"})
    assert page.status_code == 422
    assert "Выберите счёт звонящего среди найденных." in page.text
    assert offered(page.text) == {houses["flat12"].account: False, houses["flat14"].account: False}
    assert re.search(r'name="account_number"[^>]*value="Звонкая"', page.text)
    assert ">Течёт кран на кухне</textarea>" in page.text
    assert await tickets_of(houses["flat12"].account) == await tickets_of(houses["flat14"].account) == 0


async def test_the_error_summary_lists_the_mistakes_in_the_order_of_the_fields(client, login, houses):
    """The summary above the form reads from the top down as the form does: the account (its first field) first,
    then the category, the description and the caller's phone, each link leading to its field."""
    await login(client, houses["dispatcher"])
    typed = {"account_number": "", "category": "", "description": "Течь", "contact_phone": "abc"}
    page = await client.form("/staff/tickets/new", typed)
    assert page.status_code == 422
    summary = page.text.split('class="error-summary"', 1)[1].split("</ul>", 1)[0]
    links = re.findall(r'<a href="#f-(\w+)">', summary)
    assert links == ["account_number", "category", "description", "contact_phone"]


def checked(page: str) -> dict[str, str]:
    """The pick the answered form carries on its next press (the account shown chosen), as a browser posts it."""
    return {"account_id": str(next(account for account, on in offered(page).items() if on))}


CONFIRM = "Проверьте выбранный ниже счёт звонящего и нажмите «Создать заявку» ещё раз."


async def test_words_that_match_one_account_alone_are_shown_chosen_and_filed_on_the_next_press(client, login, houses):
    """One match needs no pick, but it is seen before the request is filed on it: with JavaScript it is shown
    chosen while typing; posted without JavaScript (no pick in the form), the form is answered with it chosen and
    everything typed kept, and the same button files on it."""
    await login(client, houses["dispatcher"])
    page = await client.get("/staff/tickets/new", params={"account_number": "Сидоров"})
    assert offered(page.text) == {houses["flat14"].account: True}
    typed = {**REQUEST, "account_number": "Сидоров", "contact_name": "Олег"}
    page = await client.form("/staff/tickets/new", typed)
    assert page.status_code == 200 and CONFIRM in page.text
    assert 'class="error-summary"' not in page.text  # a question to confirm, not a mistake to correct
    assert offered(page.text) == {houses["flat14"].account: True}
    assert re.search(r'name="account_number"[^>]*value="Сидоров"', page.text)
    assert ">Течёт кран на кухне</textarea>" in page.text
    assert re.search(r'name="contact_name"[^>]*value="Олег"', page.text)
    assert await tickets_of(houses["flat14"].account) == 0
    page = await client.form("/staff/tickets/new", {**typed, **checked(page.text)})
    assert page.status_code == 303
    assert await tickets_of(houses["flat14"].account) == 1 and await tickets_of(houses["flat12"].account) == 0


async def test_the_account_picked_among_the_matches_gets_the_request(client, login, houses):
    await login(client, houses["dispatcher"])
    data = {**REQUEST, "account_number": "Звонкая", "account_id": str(houses["flat14"].account)}
    page = await client.form("/staff/tickets/new", data)
    assert page.status_code == 303
    assert await tickets_of(houses["flat14"].account) == 1 and await tickets_of(houses["flat12"].account) == 0


async def test_a_pick_that_is_not_among_the_matches_of_the_words_typed_is_refused(client, login, houses):
    """The words changed after the matches were shown (no JavaScript), or an account of another house was sent."""
    await login(client, houses["dispatcher"])
    for picked, typed in ((houses["elsewhere"].account, "Звонкая"), (houses["flat12"].account, "Сидоров")):
        page = await client.form("/staff/tickets/new", {**REQUEST, "account_number": typed, "account_id": str(picked)})
        assert page.status_code == 422, typed
    assert await tickets_of(houses["elsewhere"].account) == await tickets_of(houses["flat12"].account) == 0


async def test_the_whole_number_is_shown_chosen_and_words_that_match_nothing_say_so(client, login, houses):
    await login(client, houses["dispatcher"])
    whole = {**REQUEST, "account_number": houses["flat12"].number}
    page = await client.form("/staff/tickets/new", whole)
    assert page.status_code == 200 and offered(page.text) == {houses["flat12"].account: True}
    assert await tickets_of(houses["flat12"].account) == 0
    page = await client.form("/staff/tickets/new", {**whole, **checked(page.text)})
    assert page.status_code == 303 and await tickets_of(houses["flat12"].account) == 1
    page = await client.form("/staff/tickets/new", {**REQUEST, "account_number": "Несуществующая"})
    assert page.status_code == 422 and "В ваших домах нет лицевого счёта по этим словам." in page.text
    page = await client.form("/staff/tickets/new", {**REQUEST, "account_number": houses["elsewhere"].number})
    assert page.status_code == 422 and offered(page.text) == {}


async def test_the_account_page_opens_the_form_with_its_account_chosen(client, login, houses):
    await login(client, houses["dispatcher"])
    account = await client.get(f"/staff/accounts/{houses['flat12'].account}")
    link = re.search(r'href="(/staff/tickets/new\?account_number=[^"]+)"', account.text)
    assert link, "the account page links to a new request for it"
    page = await client.get(link.group(1).replace("&amp;", "&"))
    assert offered(page.text) == {houses["flat12"].account: True}


async def test_the_account_page_offers_what_the_role_may_do_for_a_caller(client, login, make_user, houses):
    """The operator takes requests and readings by phone; the dispatcher requests only; the accountant neither."""
    account_page = f"/staff/accounts/{houses['flat12'].account}"
    links = {
        "request": "/staff/tickets/new?account_number=",
        "readings": f"/staff/meters/accounts/{houses['flat12'].account}",
    }
    for role, shown in (("operator", {"request", "readings"}), ("dispatcher", {"request"}), ("accountant", set())):
        await login(client, await make_user(roles=(role,), houses=(houses["flat12"].house,)))
        page = await client.get(account_page)
        assert page.status_code == 200, role
        assert {name for name, href in links.items() if f'href="{href}' in page.text} == shown, role


async def test_an_order_by_phone_finds_the_account_by_the_payers_name(client, login, houses):
    """The paid-services order form lists the accounts the words name, each opening the order form for it."""
    await login(client, houses["dispatcher"])
    page = await client.get("/staff/orders/new", params={"account": "Петрова"})
    assert page.status_code == 200
    links = re.findall(r'href="/staff/orders/new\?account=(\d+)"', page.text)
    assert links == [houses["flat12"].number]  # not the namesake in the house the dispatcher does not serve
    order_form = await client.get("/staff/orders/new", params={"account": links[0]})
    assert f'name="number" value="{houses["flat12"].number}"' in order_form.text
    none = await client.get("/staff/orders/new", params={"account": "Несуществующая"})
    assert "Лицевой счёт не найден" in none.text and 'name="number"' not in none.text


async def test_the_account_page_shows_the_callers_requests_newest_first_to_those_who_open_requests(
    client, login, make_user, houses
):
    """A caller asks about their requests: the account page lists the latest five and links to all of them."""
    account = houses["flat12"]
    start = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
    filed = []
    for n in range(7):
        opened = await actions.open_ticket(
            account_id=account.account, category="leaking_taps", description=f"Течёт кран {n}", now=start
        )
        await Ticket.update({Ticket.created_at: start - timedelta(days=n)}).where(Ticket.id == opened.id)
        filed.append(opened.number)
    await actions.open_ticket(
        account_id=houses["flat14"].account, category="roof_leak", description="Течёт крыша", now=start
    )
    await login(client, houses["dispatcher"])
    page = (await client.get(f"/staff/accounts/{account.account}")).text
    shown = [int(n) for n in re.findall(r'href="/staff/tickets/\d+">№\s(\d+) ·', page)]
    assert shown == filed[:5]  # the newest five (filed earlier, dated later), not the neighbour's
    assert f"/staff/tickets?tab=all&amp;q={account.number}" in page and "Все заявки по счёту: 7" in page
    # The accountant answers the account's instalment requests alone: the others are not theirs to see.
    await login(client, await make_user(roles=("accountant",), houses=(account.house,)))
    page = (await client.get(f"/staff/accounts/{account.account}")).text
    assert not re.search(r'href="/staff/tickets/\d+"', page) and "Течёт кран" not in page
    await actions.open_ticket(
        account_id=account.account, category="instalment_plan", description="Рассрочка", now=start
    )
    page = (await client.get(f"/staff/accounts/{account.account}")).text
    assert len(re.findall(r'href="/staff/tickets/\d+">№\s\d+ ·', page)) == 1 and "Течёт кран" not in page


async def test_the_staff_overview_finds_an_account_from_its_first_screen(client, login, houses):
    await login(client, houses["dispatcher"])
    page = (await client.get("/staff")).text
    form = re.search(r'<form method="get" action="/staff/accounts"[^>]*role="search">.*?</form>', page, re.S)
    assert form and 'name="q"' in form.group(0)
    found = await client.get("/staff/accounts", params={"q": "+7 978 555-44-33"})
    assert f'href="/staff/accounts/{houses["flat12"].account}"' in found.text


async def test_the_account_page_tells_the_callers_balance_to_those_who_answer_about_it(
    client, login, make_user, houses
):
    """A debt from half a year ago, all of it overdue; the neighbour owes nothing. The executor sees no balance."""
    month = rules.add_months(rules.month_start(clock.today_local()), -6)
    await Balance.insert(
        Balance(account=houses["flat12"].account, period=month, charged_kopecks=267306, closing_kopecks=267306),
        Balance(account=houses["flat14"].account, period=month, charged_kopecks=100000, closing_kopecks=0),
    )
    for role in ("operator", "accountant"):
        await login(client, await make_user(roles=(role,), houses=(houses["flat12"].house,)))
        owing = spaced((await client.get(f"/staff/accounts/{houses['flat12'].account}")).text)
        assert "к оплате 2 673,06 ₽" in owing and "из них просрочено 2 673,06 ₽" in owing, role
        clear = spaced((await client.get(f"/staff/accounts/{houses['flat14'].account}")).text)
        assert 'data-balance="clear"' in clear and "долга нет" in clear, role
    await login(client, await make_user(roles=("executor",), houses=(houses["flat12"].house,)))
    page = await client.get(f"/staff/accounts/{houses['flat12'].account}")
    assert page.status_code == 200 and "data-balance" not in page.text and "2 673" not in spaced(page.text)


def spaced(text: str) -> str:
    """Spaces and hyphens as typed: money and phones are written with non-breaking ones."""
    return text.replace("\u00a0", " ").replace("\u202f", " ").replace("\u2011", "-")


async def test_the_account_page_gives_the_owners_phones_to_call_back(client, login, houses):
    await login(client, houses["dispatcher"])
    page = spaced((await client.get(f"/staff/accounts/{houses['flat12'].account}")).text)
    assert re.search(r'Зайцев Глеб Игоревич</a>.*?<a href="tel:\+79785554433">\+7 978 555-44-33</a>', page, re.S)


async def test_a_select_s_hint_is_read_with_it(client, login, houses):
    """A screen reader reads a select's hint with the select, as it does a field's (aria-describedby), and its error
    too when the form is answered with one."""
    await login(client, houses["dispatcher"])
    page = await client.get("/staff/tickets/new")
    select = re.search(r'<select id="f-type"[^>]*>', page.text).group(0)
    assert 'aria-describedby="h-type"' in select
    # The hint names the choice the select offers («По категории»), not an empty one it does not have.
    assert '<p class="hint" id="h-type">«По категории»: тип, заданный для выбранной категории.</p>' in page.text
    page = await client.form("/staff/tickets/new", {**REQUEST, "type": "no-such-type"})
    assert page.status_code == 422
    select = re.search(r'<select id="f-type"[^>]*>', page.text).group(0)
    assert 'aria-invalid="true"' in select and 'aria-describedby="h-type e-type"' in select


async def test_an_emergency_filed_as_planned_works_is_refused_at_the_type_keeping_what_was_typed(client, login, houses):
    """A blocked sewer cannot be «Плановая»: refused with the reason at the type field, what was typed kept, nothing
    filed; the same call typed «Аварийная» (or left to its category) is filed."""
    await login(client, houses["dispatcher"])
    account = {"account_number": "Звонкая", "account_id": str(houses["flat12"].account)}
    typed = {**REQUEST, **account, "category": "sewer_blockage", "type": "planned", "description": "Засор стояка"}
    page = await client.form("/staff/tickets/new", typed)
    assert page.status_code == 422
    assert "«Засор канализации» — авария с законным сроком: заявка не может быть плановой или платной." in page.text
    assert re.search(r'<option value="planned" selected', page.text)
    assert re.search(r'<option value="sewer_blockage" selected', page.text)
    assert ">Засор стояка</textarea>" in page.text
    assert await tickets_of(houses["flat12"].account) == 0
    page = await client.form("/staff/tickets/new", {**typed, "type": ""})
    assert page.status_code == 303 and await tickets_of(houses["flat12"].account) == 1


async def test_the_repair_of_an_accident_s_damage_is_refused_as_paid_works(client, login, houses):
    """The repair of an emergency's damage is due in 3 days (ПП № 416 п. 13), never «by agreement»: typed «Платная»
    it is refused at the type like an emergency; typed «Обычная» it is filed, due in 3 days."""
    await login(client, houses["dispatcher"])
    account = {"account_number": "Звонкая", "account_id": str(houses["flat12"].account)}
    typed = {**REQUEST, **account, "category": "emergency_repair", "type": "paid", "description": "Заменить стояк"}
    page = await client.form("/staff/tickets/new", typed)
    assert page.status_code == 422
    assert "«Ремонт после аварии» — авария с законным сроком: заявка не может быть плановой или платной." in page.text
    assert await tickets_of(houses["flat12"].account) == 0
    page = await client.form("/staff/tickets/new", {**typed, "type": "ordinary"})
    assert page.status_code == 303 and await tickets_of(houses["flat12"].account) == 1
    filed = await Ticket.select(Ticket.created_at, Ticket.deadline).where(Ticket.account == houses["flat12"].account)
    assert filed[0]["deadline"] - filed[0]["created_at"] == timedelta(days=3)


async def test_a_repair_of_damage_the_caller_dates_is_due_three_days_from_the_damage(client, login, houses):
    """ПП № 416 п. 13: 3 days (суток) from the damage. «The pipe burst last night, they shut it off, now repair it»:
    the operator types when, and the deadline runs from it, not from the call; a moment ahead of now is refused at
    its field, what was typed kept."""
    await login(client, houses["dispatcher"])
    zone = clock.zone()
    burst = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(hours=9)
    account = {"account_number": "Звонкая", "account_id": str(houses["flat12"].account)}
    typed = {**REQUEST, **account, "category": "emergency_repair", "description": "Заварили трубу, нужен ремонт"}
    ahead = (datetime.now(UTC) + timedelta(hours=2)).astimezone(zone).strftime("%Y-%m-%dT%H:%M")
    refused = await client.form("/staff/tickets/new", {**typed, "damage_at": ahead})
    assert refused.status_code == 422
    field = re.search(r'<div class="field has-error">.*?name="damage_at"[^>]*>', refused.text, re.S).group(0)
    assert "Авария не может произойти позже, чем сейчас." in field and f'value="{ahead}"' in field
    assert await tickets_of(houses["flat12"].account) == 0

    filed = await client.form(
        "/staff/tickets/new", {**typed, "damage_at": burst.astimezone(zone).strftime("%Y-%m-%dT%H:%M")}
    )
    assert filed.status_code == 303
    stored = (
        await Ticket.select(Ticket.damage_at, Ticket.deadline).where(Ticket.account == houses["flat12"].account).first()
    )
    assert stored == {"damage_at": burst, "deadline": burst + timedelta(days=3)}


async def test_a_damage_moment_years_before_the_call_is_refused_at_its_field(client, login, houses):
    """2016 typed for 2026: a damage moment more than 30 days before the call is refused at its field in either
    language, what was typed kept, nothing filed."""
    await login(client, houses["dispatcher"])
    zone = clock.zone()
    account = {"account_number": "Звонкая", "account_id": str(houses["flat12"].account)}
    typed = {**REQUEST, **account, "category": "emergency_repair", "description": "Заварили трубу, нужен ремонт"}
    years_back = (datetime.now(UTC) - timedelta(days=3653)).astimezone(zone).strftime("%Y-%m-%dT%H:%M")
    refused = await client.form("/staff/tickets/new", {**typed, "damage_at": years_back})
    assert refused.status_code == 422
    field = re.search(r'<div class="field has-error">.*?name="damage_at"[^>]*>', refused.text, re.S).group(0)
    assert "Проверьте дату: повреждение раньше заявки больше чем на 30\u00a0дней." in field
    assert f'value="{years_back}"' in field
    await client.speak("en")
    refused = await client.form("/staff/tickets/new", {**typed, "damage_at": years_back})
    assert "Check the date: the damage is more than 30\u00a0days before the request." in refused.text
    assert await tickets_of(houses["flat12"].account) == 0


async def test_on_an_english_page_the_found_accounts_house_address_is_marked_russian(client, login, houses):
    """The house's address and the payer's name are recorded in Russian: marked ``lang="ru"`` on an English page,
    «flat 12» read English."""
    await login(client, houses["dispatcher"])
    params = {"account_number": "звонкая 12"}
    await client.speak("en")
    page = await client.get("/staff/tickets/new", params=params)
    assert f'<span lang="ru">{STREET}</span>, flat 12' in page.text
    assert ' · <span lang="ru">Петрова Анна Сергеевна</span>' in page.text  # the payer's name, Russian data too


class CountedClock:
    """The clock of the staff routes, counting how often a handler reads the time."""

    def __init__(self) -> None:
        self.reads = 0

    def now(self) -> datetime:
        self.reads += 1
        return clock.now()

    def __getattr__(self, name: str) -> object:
        return getattr(clock, name)


async def test_a_filing_reads_the_clock_once_for_its_checks_and_its_registration(client, login, houses, monkeypatch):
    """The form's checks (the damage not after now) and the request's registration are one moment, not two reads."""
    from portal.tickets import routes_staff

    await login(client, houses["dispatcher"])
    whole = {**REQUEST, "account_number": houses["flat12"].number}
    page = await client.form("/staff/tickets/new", whole)
    counted = CountedClock()
    monkeypatch.setattr(routes_staff, "clock", counted)
    page = await client.form("/staff/tickets/new", {**whole, **checked(page.text)})
    assert page.status_code == 303 and await tickets_of(houses["flat12"].account) == 1
    assert counted.reads == 1


async def test_a_move_filed_by_phone_asks_the_callers_word_for_those_peoples_data(client, login, houses):
    """A move names people other than the caller (152-ФЗ): the operator ticks that the resident confirmed their
    agreement, never ticked for them; without it the move is refused at the box, what was typed kept, nothing filed.
    Other categories do not ask it."""
    await login(client, houses["dispatcher"])
    form = await client.get("/staff/tickets/new")
    box = form.text.split('name="consent"', 1)[1].split(">", 1)[0]
    assert "checked" not in box and "Житель подтвердил, что эти люди согласны на передачу их данных" in form.text
    account = {"account_number": "Звонкая", "account_id": str(houses["flat12"].account)}
    typed = {**REQUEST, **account, "category": "residents_change", "description": "Въехал Иванов Пётр, с 01.12"}
    page = await client.form("/staff/tickets/new", typed)
    assert page.status_code == 422
    assert "Отметьте, что житель подтвердил согласие этих людей" in page.text
    assert ">Въехал Иванов Пётр, с 01.12</textarea>" in page.text
    assert re.search(r'<option value="residents_change" selected', page.text)
    assert await tickets_of(houses["flat12"].account) == 0
    page = await client.form("/staff/tickets/new", {**typed, "consent": "1"})
    assert page.status_code == 303 and await tickets_of(houses["flat12"].account) == 1
    page = await client.form("/staff/tickets/new", {**REQUEST, **account})
    assert page.status_code == 303 and await tickets_of(houses["flat12"].account) == 2


async def test_every_choice_still_to_make_says_the_same_choose(client, login, houses):
    """The new-request form offered «Выберите…» for the category and «Выберите» for the defect, side by side: every
    choice still to make reads the components' one placeholder, on this form and the others."""
    await login(client, houses["dispatcher"])
    page = (await client.get("/staff/tickets/new")).text
    for name in ("category", "defect_kind"):
        select = re.search(rf'(?s)<select id="f-{name}".*?</select>', page).group(0)
        assert re.search(r'<option value=""[^>]*>([^<]*)</option>', select).group(1) == "Выберите…", name
    assert ">Выберите<" not in page
    templates = Path(__file__).resolve().parents[2] / "templates"
    worded = [str(p.relative_to(templates)) for p in templates.rglob("*.html") if 'blank=_("Choose' in p.read_text()]
    assert worded == [], "a placeholder of its own words instead of the components' (blank=true)"


async def test_a_request_from_a_letter_keeps_the_e_mail_the_executor_writes_back_to(client, login, houses, make_user):
    """A request filed from a resident's e-mail said «Контакт —» to the executor: the e-mail is kept with it and
    is a letter at one tap on the request's page and on the executor's card (the phone too, when there is one)."""
    await login(client, houses["dispatcher"])
    letter = {**REQUEST, "source": "email", "account_number": houses["flat12"].number, "contact_phone": ""}
    page = await client.form("/staff/tickets/new", letter)
    picked = {**letter, **checked(page.text)}
    page = await client.form("/staff/tickets/new", {**picked, "contact_email": "petrova@"})
    assert page.status_code == 422 and "Введите e-mail вида name@example.ru." in page.text
    assert re.search(r'name="contact_email"[^>]*value="petrova@"', page.text)
    page = await client.form("/staff/tickets/new", {**picked, "contact_email": " Petrova.A@Example.ru "})
    assert page.status_code == 303 and await tickets_of(houses["flat12"].account) == 1
    ticket = await Ticket.select(Ticket.id, Ticket.contact_email).where(Ticket.account == houses["flat12"].account)
    assert ticket[0]["contact_email"] == "petrova.a@example.ru"
    mail = 'href="mailto:petrova.a@example.ru"'
    detail = (await client.get(f"/staff/tickets/{ticket[0]['id']}")).text
    assert mail in detail and "Написать жителю: petrova.a@example.ru" in detail and "tel:" not in detail
    executor = await make_user(name="Мастер", roles=("executor",), houses=(houses["flat12"].house,))
    work = {Ticket.status: "in_work", Ticket.executor: executor, Ticket.contact_phone: "+79780001122"}
    await Ticket.update(work).where(Ticket.id == ticket[0]["id"])
    await login(client, executor)
    card = re.search(r'<li class="card ticket-card.*?</li>', (await client.get("/staff/my-tickets")).text, re.S)
    assert card and mail in card.group(0) and 'href="tel:+79780001122"' in card.group(0), card
    detail = (await client.get(f"/staff/tickets/{ticket[0]['id']}")).text
    assert mail in detail and 'href="tel:+79780001122"' in detail
