"""The accountant answers the debt instalment plans of their houses (a message, the status) from the staff list of
requests, and sees none of the rest of the queue: not a leak in their house, not an instalment plan elsewhere."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime

from portal.tickets import actions
from portal.tickets.tables import Ticket

BLANK = [("photos", ("", b"", "application/octet-stream"))]


async def test_the_accountant_answers_the_instalment_plans_of_their_houses_only(client, login, make_user, make_account):
    mine, elsewhere = await make_account(), await make_account()
    accountant = await make_user(name="Бухгалтер", roles=("accountant",), houses=(mine.house,))
    now = datetime.now(UTC)

    async def filed(place, category: str, description: str) -> int:
        opened = await actions.open_ticket(
            account_id=place.account, category=category, description=description, now=now
        )
        return opened.id

    plan = await filed(mine, "instalment_plan", "Рассрочка долга на 6 месяцев")
    leak = await filed(mine, "leaking_taps", "Течёт кран на кухне")
    other = await filed(elsewhere, "instalment_plan", "Рассрочка в чужом доме")
    await login(client, accountant)

    listed = (await client.get("/staff/tickets")).text
    assert f'id="row-{plan}"' in listed
    assert f'id="row-{leak}"' not in listed and f'id="row-{other}"' not in listed
    assert 'href="/staff/tickets/new"' not in listed  # files nothing, assigns nothing
    assert (await client.get(f"/staff/tickets/{leak}")).status_code == 404
    assert (await client.get(f"/staff/tickets/{other}")).status_code == 404
    page = await client.get(f"/staff/tickets/{plan}")
    assert page.status_code == 200 and f"/staff/tickets/{plan}/assign" not in page.text

    url = f"/staff/tickets/{plan}"
    assert (await client.form(f"{url}/messages", {"text": "Рассрочку согласуем"}, files=BLANK)).status_code == 303
    assert (await client.form(f"{url}/status", {"status": "in_work"})).status_code == 303
    assert (await Ticket.select(Ticket.status).where(Ticket.id == plan).first())["status"] == "in_work"
    refused = await client.form(f"/staff/tickets/{leak}/status", {"status": "in_work"})
    assert refused.status_code == 404
    assert (await Ticket.select(Ticket.status).where(Ticket.id == leak).first())["status"] != "in_work"
