"""Script in a request's words (its description, a message, the resident's name) comes back inert on the resident's
page, the dispatcher's request page and the dispatcher's list (both engines)."""

from __future__ import annotations

import pytest

from portal.tickets.tables import Ticket

PAYLOADS = ['<script>alert("x")</script>', '"><img src=x onerror=alert(1)>', '<a href="javascript:alert(2)">к</a>']
LIVE = ("<script>alert", "<img src=x", 'href="javascript:')


def inert(html: str) -> list[str]:
    """The payloads' active parts found as markup in a page (empty: every one was escaped)."""
    return [live for live in LIVE if live in html]


@pytest.mark.parametrize("payload", PAYLOADS)
async def test_payloads_in_a_requests_words_come_back_inert(
    client, new_client, login, make_user, make_account, payload
) -> None:
    place = await make_account()
    resident = await make_user(name=f"Петрова {payload}", accounts={place.account: "owner"}, rights=("view", "tickets"))
    await login(client, resident)
    data = {"account": str(place.account), "place": "premise", "category": "leaking_taps"}
    filed = await client.form(
        "/tickets/new",
        {**data, "description": f"Течёт кран {payload}"},
        files={"photos": ("", b"", "application/octet-stream")},
    )
    assert filed.status_code == 303, filed.text
    ticket = (await Ticket.select(Ticket.id).where(Ticket.account == place.account).first())["id"]
    said = await client.form(
        f"/tickets/{ticket}/messages",
        {"text": f"Сообщение {payload}"},
        files={"photos": ("", b"", "application/octet-stream")},
    )
    assert said.status_code in (200, 303), said.status_code
    page = await client.get(f"/tickets/{ticket}")
    assert page.status_code == 200 and "Течёт кран" in page.text and "Сообщение" in page.text
    assert inert(page.text) == []
    dispatcher = new_client()
    await login(dispatcher, await make_user(roles=("dispatcher",), houses=(place.house,)))
    for url in (f"/staff/tickets/{ticket}", "/staff/tickets?tab=all"):
        staff_page = await dispatcher.get(url)
        assert staff_page.status_code == 200 and f"/staff/tickets/{ticket}" in staff_page.text, url
        assert inert(staff_page.text) == [], url
