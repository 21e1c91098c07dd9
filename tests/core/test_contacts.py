"""The contacts page: the company's dispatch service and office from the settings, for anyone, signed in or not
(ПП № 416 asks these to be published; the dispatch service answers round the clock, DOMAIN §5)."""

from __future__ import annotations

import dataclasses
import re

import pytest

from portal.core.i18n import format_phone
from portal.settings import get_settings
from portal.settings import use_settings


@pytest.fixture
def another_company():
    before = get_settings()
    use_settings(
        dataclasses.replace(
            before,
            emergency_phone="+7 978 111-22-33",
            office_address="г. Ялта, ул. Морская, д. 5",
            office_phone="8 (3654) 23-45-67",
            office_email="office@romashka.example",
            office_hours=(("Пн–Пт", "9:00–18:00"), ("Сб", "10:00–14:00")),
            office_hours_en=(),
        )
    )
    yield
    use_settings(before)


async def test_a_visitor_reads_the_companys_contacts_from_its_settings(client, another_company) -> None:
    client.cookies.set("lang", "ru")
    page = (await client.get("/contacts")).text
    dispatch = format_phone("+7 978 111-22-33")
    assert f'<a class="button danger block" href="tel:+79781112233">{dispatch}</a>' in page
    assert "Круглосуточно" in page
    assert "г. Ялта, ул. Морская, д. 5" in page
    assert 'href="tel:83654234567"' in page
    assert '<a href="mailto:office@romashka.example">office@romashka.example</a>' in page
    hours = re.search(r'<dl class="facts" aria-label="Часы приёма">(.*?)</dl>', page, re.S)
    assert hours and re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", hours.group(1)) == [
        ("Пн–Пт", "9:00–18:00"),
        ("Сб", "10:00–14:00"),
    ]
    # The dispatch service comes before the office: the number looked for in a hurry.
    assert page.index("tel:+79781112233") < page.index("tel:83654234567")


async def test_the_sign_in_page_and_the_more_menu_lead_to_the_contacts(client, login, make_user, make_account) -> None:
    assert 'href="/contacts"' in (await client.get("/login")).text
    await login(client, await make_user(accounts={(await make_account()).account: "owner"}))
    page = await client.get("/contacts")
    # «Ещё» is the current place of the resident's menu, as for the other pages it leads to.
    assert page.status_code == 200 and 'aria-current="page"' in page.text.split('href="/more"')[1].split(">")[0]
    assert 'href="/contacts"' in (await client.get("/more")).text


async def test_an_english_page_gives_the_office_hours_in_english(client) -> None:
    # «Пн–Чт … Сб, Вс выходные» are words an English reader cannot read, not the company's data to keep as typed.
    client.cookies.set("lang", "en")
    page = (await client.get("/contacts")).text
    assert "Emergency dispatch service" in page and "24/7" in page
    hours = re.search(r'<dl class="facts" aria-label="Office hours">(.*?)</dl>', page, re.S)
    assert hours and re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", hours.group(1)) == [
        ("Mon–Thu", "8:00–17:00"),
        ("Fri", "8:00–16:00"),
        ("Lunch break", "12:00–12:48"),
        ("Sat, Sun", "closed"),
    ]
    client.cookies.set("lang", "ru")
    assert "<dt>Пн–Чт</dt><dd>8:00–17:00</dd>" in (await client.get("/contacts")).text


async def test_hours_given_only_in_russian_are_marked_russian_on_an_english_page(client, another_company) -> None:
    client.cookies.set("lang", "en")
    page = (await client.get("/contacts")).text
    assert '<dt lang="ru">Пн–Пт</dt><dd>9:00–18:00</dd>' in page


async def test_the_client_centre_booking_is_offered_only_to_whom_it_opens(
    client, login, make_user, make_account
) -> None:
    """A dispatcher's contacts page offered «Записаться в клиентский центр», a resident's page that answered them 403.
    A guest is offered it (the booking asks them to sign in), a resident too; staff are not."""
    booking = 'href="/visits/new"'
    assert booking in (await client.get("/contacts")).text
    assert (await client.get("/visits/new")).status_code in (302, 303)  # to the sign-in, then to the booking
    place = await make_account()
    await login(client, await make_user(accounts={place.account: "owner"}))
    assert booking in (await client.get("/contacts")).text
    assert (await client.get("/visits/new")).status_code == 200
    await login(client, await make_user(roles=("dispatcher",), houses=(place.house,)))
    assert booking not in (await client.get("/contacts")).text
    assert (await client.get("/visits/new")).status_code == 403
