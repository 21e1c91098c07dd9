"""The resident's navigation marks where the resident is: the pages the «Ещё» menu lists mark «Ещё», the
autopayment reached from «Оплата» marks «Оплата», an account's own pages mark «Главная»."""

from __future__ import annotations

import re

import pytest

CURRENT = re.compile(r'class="navitem current" aria-current="page">.*?<span>(.*?)</span>', re.S)

PLACES = [
    ("/news", "Ещё"),
    ("/meetings", "Ещё"),
    ("/documents", "Ещё"),
    ("/services", "Ещё"),
    ("/profile", "Ещё"),
    ("/notifications/settings", "Ещё"),  # reached from the profile
    ("/accounts/link", "Ещё"),
    ("/autopay", "Оплата"),
    ("/pay", "Оплата"),
    ("/tickets", "Заявки"),
    ("/", "Главная"),
]


@pytest.mark.parametrize(("path", "label"), PLACES)
async def test_the_current_place_is_marked_in_the_menu(path, label, client, login, make_account, make_user):
    place = await make_account()
    await login(client, await make_user(accounts={place.account: "owner"}))
    page = await client.get(path)
    assert page.status_code == 200, page.text[-300:]
    marked = set(CURRENT.findall(page.text))
    assert marked == {label}, f"{path} marks {marked or 'nothing'}"


@pytest.mark.parametrize("path", ["/accounts/no-such-page", "/accounts/9999999/no-such-page", "/tickets/9999999"])
async def test_an_error_page_marks_no_place_in_the_menu(path, client, login, make_account, make_user):
    """A page not found under /accounts marked «Ещё», one under /tickets «Заявки»: an error page is none of them."""
    place = await make_account()
    await login(client, await make_user(accounts={place.account: "owner"}))
    page = await client.get(path)
    assert page.status_code == 404 and 'class="bottomnav"' in page.text, page.text[-300:]
    assert CURRENT.findall(page.text) == [], f"{path} marks {CURRENT.findall(page.text)}"


async def test_an_error_page_marks_no_section_in_the_staff_menu(client, login, make_user):
    await login(client, await make_user(roles=("admin",)))
    page = await client.get("/staff/tickets/9999999")
    assert page.status_code == 404 and 'class="staff-menu"' in page.text, page.text[-300:]
    assert 'aria-current="page"' not in page.text


async def test_the_menu_is_written_once_a_page_and_shown_in_both_bars(app, client, login, make_account, make_user):
    """The top bar and the bottom bar show the same links: written once a page (base.html), not twice."""
    place = await make_account()
    await login(client, await make_user(accounts={place.account: "owner"}))
    env = app.template_engine.engine
    asked: list[str] = []
    get_template = env.get_template

    def counted(name, *args, **kwargs):
        asked.append(name if isinstance(name, str) else getattr(name, "name", ""))
        return get_template(name, *args, **kwargs)

    env.get_template = counted
    try:
        page = await client.get("/tickets")
    finally:
        del env.get_template
    assert page.status_code == 200
    assert asked.count("components/_resident_links.html") == 1, asked
    assert page.text.count('href="/more" class="navitem') == 2  # both bars
