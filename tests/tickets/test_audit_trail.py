"""The audit trail of staff work on requests and outages: each event keeps the address the staff member acted from
(as the other domains' staff actions do)."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import timedelta

from portal.core import clock
from portal.core.tables import AuditEvent
from portal.housing.actions import refresh_account_search
from portal.tickets.tables import Outage
from portal.tickets.tables import Ticket

# httpx's ASGI transport calls the app from this address, as a browser's would be seen.
CLIENT_IP = "127.0.0.1"


async def test_every_staff_action_on_requests_and_outages_records_the_address_it_came_from(
    client, login, make_user, make_account
):
    place = await make_account()
    await refresh_account_search([place.account])
    dispatcher = await make_user(name="Диспетчер", roles=("dispatcher",), houses=(place.house,))
    executor = await make_user(name="Мастер", roles=("executor",), houses=(place.house,))
    await login(client, dispatcher)

    filing = {"place": "premise", "category": "leaking_taps", "description": "Течёт кран", "source": "phone"}
    filing |= {"account_number": place.number, "account_id": str(place.account)}
    assert (await client.form("/staff/tickets/new", filing)).status_code == 303
    ticket = (await Ticket.select(Ticket.id).where(Ticket.account == place.account).first())["id"]
    url = f"/staff/tickets/{ticket}"
    assert (await client.form(f"{url}/assign", {"executor": str(executor)})).status_code == 303
    assert (await client.form(f"{url}/status", {"status": "in_work"})).status_code == 303
    edit = {"type": "ordinary", "category": "leaking_taps", "internal_status": "waiting_parts"}
    assert (await client.form(f"{url}/update", edit)).status_code == 303
    blank = [("photos", ("", b"", "application/octet-stream"))]
    assert (await client.form(f"{url}/messages", {"text": "Мастер придёт завтра"}, files=blank)).status_code == 303
    yesterday = (datetime.now(UTC) - timedelta(days=1)).astimezone(clock.zone()).strftime("%Y-%m-%dT%H:%M")
    outage = {"house": str(place.house), "service": "cold_water", "starts_at": yesterday}
    assert (await client.form("/staff/outages", outage)).status_code == 303
    outage_id = (await Outage.select(Outage.id).where(Outage.house == place.house).first())["id"]
    assert (await client.form(f"{url}/outage", {"outage": str(outage_id)})).status_code == 303
    assert (await client.form(f"/staff/outages/{outage_id}/close", {})).status_code == 303

    events = await AuditEvent.select(AuditEvent.action, AuditEvent.ip).where(
        AuditEvent.entity.is_in(["ticket", "outage"])
    )
    assert {e["action"] for e in events} == {
        "ticket.create", "ticket.assign", "ticket.status", "ticket.update", "ticket.message", "ticket.outage",
        "outage.create", "outage.close",
    }  # fmt: skip
    assert [e for e in events if e["ip"] != CLIENT_IP] == []
