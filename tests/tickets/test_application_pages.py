"""A resident's applications (absence, people moved, instalment, meter commissioning, owner, payer, lift, a
warranty defect) open the same way, from one template of theirs: the way back to the requests, the page's title as
its heading, a card of what to know before applying, then the form. The page's HTMX fragment is its main part,
rendered from the same template (the part its family's template writes and the page fills in)."""

from __future__ import annotations

import re

import pytest

HX = {"HX-Request": "true"}
APPLICATIONS = {
    "/tickets/absence": ("Перерасчёт за время отсутствия", "Кому делают перерасчёт"),
    "/tickets/residents": ("Въезд и выезд проживающих", "Зачем сообщать"),
    "/tickets/instalment": ("Рассрочка погашения долга", "Как это работает"),
    "/tickets/meter-commissioning": ("Ввод счётчика в эксплуатацию", "Когда подавать заявку"),
    "/tickets/owner": ("Смена собственника / плательщика", "Как это работает"),
    "/tickets/payer": ("Смена плательщика", "Как это работает"),
    "/tickets/lift": ("Бронирование грузового лифта", "Как это работает"),
    "/tickets/warranty": ("Гарантийный дефект", "Как это работает"),
}
SENDS_FILES = {
    "/tickets/absence", "/tickets/residents", "/tickets/meter-commissioning", "/tickets/owner", "/tickets/warranty"
}  # fmt: skip
# The words of a form's button where they are not «Отправить заявление».
SUBMITS = {"/tickets/lift": "Забронировать лифт", "/tickets/warranty": "Сообщить о дефекте"}


def _opening(html: str) -> tuple[str, str, str]:
    """The way back, the heading and the heading of the card of what to know, as the page shows them."""
    found = re.search(
        r'<p class="breadcrumbs"><a href="([^"]*)">Заявки</a></p>\s*<h1>([^<]*)</h1>\s*'
        r'<section class="card stack" aria-labelledby="rules-h">\s*<h2 id="rules-h">([^<]*)</h2>',
        html,
    )
    assert found, html[:2000]
    return found.group(1), found.group(2), found.group(3)


@pytest.mark.parametrize("path", APPLICATIONS)
async def test_an_application_opens_with_the_way_back_its_title_and_what_to_know(
    client, login, make_user, make_account, path
):
    place = await make_account()
    await login(client, await make_user(accounts={place.account: "owner"}, rights=("view", "tickets", "pay")))
    page = await client.get(path)
    heading, rules_heading = APPLICATIONS[path]
    assert page.status_code == 200 and f"<title>{heading} · " in page.text
    assert _opening(page.text) == ("/tickets", heading, rules_heading)
    fragment = await client.get(path, headers=HX)
    assert fragment.status_code == 200 and "<html" not in fragment.text and "<title>" not in fragment.text
    assert _opening(fragment.text) == ("/tickets", heading, rules_heading)
    assert fragment.text.strip() and fragment.text.strip() in page.text, "the fragment is the page's main part"
    assert ('class="card stack ticket-form"' in fragment.text) is (path != "/tickets/instalment"), "no debt, no form"
    assert ('enctype="multipart/form-data"' in fragment.text) is (path in SENDS_FILES), "a browser sends the files"
    if path != "/tickets/instalment":
        assert SUBMITS.get(path, "Отправить заявление") in fragment.text


async def test_the_call_centres_lift_booking_leads_back_to_the_staff_requests(client, login, make_user, make_account):
    place = await make_account()
    await login(client, await make_user(roles=("operator",), houses=(place.house,)))
    for headers in ({}, HX):
        page = await client.get(f"/staff/tickets/lift/{place.account}", headers=headers)
        assert _opening(page.text) == ("/staff/tickets", "Бронирование грузового лифта", "Как это работает")
        assert f'action="/staff/tickets/lift/{place.account}"' in page.text
        # The operator reads the rules: the lift is the caller's, not the operator's own.
        assert "Грузовой лифт подъезда звонящего (или пассажирский" in page.text and "вашего подъезда" not in page.text


NO_REQUESTS = "Ваш доступ к лицевым счетам не включает заявки. Обратитесь к собственнику."
NOT_A_PAYER = "Вы не плательщик ни одного лицевого счёта на портале. Заявление может подать собственник."


@pytest.mark.parametrize(
    ("path", "said"),
    [
        ("/tickets/absence", NO_REQUESTS),
        ("/tickets/residents", NO_REQUESTS),
        ("/tickets/meter-commissioning", NO_REQUESTS),
        ("/tickets/instalment", NO_REQUESTS),
        ("/tickets/payer", NOT_A_PAYER),
        ("/tickets/owner", None),  # a new owner applies before the portal knows them
    ],
)
async def test_without_the_right_to_apply_the_page_says_why_instead_of_the_form(
    client, login, make_user, make_account, path, said
):
    place = await make_account()
    await login(client, await make_user(accounts={place.account: "member"}, rights=("view",)))
    page = (await client.get(path)).text
    assert ('class="card stack ticket-form"' in page) is (said is None)
    assert said is None or said in page
