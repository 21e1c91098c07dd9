"""«Continue the payment» and «Cancel the payment» change a checkout only on a POST with the form's CSRF token: a
link prefetcher, a mail scanner or a crawler that follows a GET of the old addresses changes nothing, neither the
portal's payments nor the gateway's session (the sandbox gateway, over real HTTP)."""

from __future__ import annotations

from typing import Any

import httpx

from portal.payments.tables import Payment
from tests.payments.conftest import SECRET


async def _session(gateway: Any, session_id: str) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=gateway.url, headers={"Authorization": f"Bearer {SECRET}"}) as c:
        response = await c.get(f"/v1/checkout/sessions/{session_id}")
        response.raise_for_status()
        return response.json()


async def _payments(account: int) -> list[dict[str, Any]]:
    return (
        await Payment.select(Payment.id, Payment.batch, Payment.status, Payment.session_id, Payment.updated_at)
        .where(Payment.account == account)
        .order_by(Payment.id)
    )


async def test_a_get_of_continue_changes_nothing_and_the_button_continues(client, login, household, gateway):
    """Started in English, looked at in Russian: continuing would close the English session and open a Russian
    one. A GET of «continue» only leads to the payment's page; the button there does it."""
    a = household["accounts"][0]
    await login(client, household["resident"])
    await client.speak("en")
    started = await client.form("/pay", {f"pay_{a}": "1", f"amount_{a}": "3540.00"})
    assert started.status_code == 303
    first = started.headers["location"]
    await client.speak("ru")
    before = await _payments(a)
    assert [p["status"] for p in before] == ["open"]
    payment = before[0]

    for _ in range(2):  # a prefetcher, then the person: the same each time
        response = await client.get(f"/payments/{payment['id']}/continue")
        assert response.status_code == 303 and response.headers["location"] == f"/payments/{payment['id']}"
    await gateway.settle()
    assert await _payments(a) == before
    session = await _session(gateway, payment["session_id"])
    assert session["status"] == "open" and session["locale"] == "en"

    page = await client.get(f"/payments/{payment['id']}")
    assert f'<form method="post" action="/payments/{payment["id"]}/continue"' in page.text
    assert f'href="/payments/{payment["id"]}/continue"' not in page.text
    history = await client.get("/payments")
    assert f'<form method="post" action="/payments/{payment["id"]}/continue"' in history.text
    assert 'name="_csrf_token"' in history.text

    forged = await client.post(f"/payments/{payment['id']}/continue")  # another site's form: no token
    assert forged.status_code == 403
    assert await _payments(a) == before
    assert (await _session(gateway, payment["session_id"]))["status"] == "open"

    resumed = await client.form(f"/payments/{payment['id']}/continue")
    assert resumed.status_code == 303
    second = resumed.headers["location"]
    assert second.startswith(gateway.url + "/c/pay/") and second != first
    await gateway.settle()
    assert (await _session(gateway, payment["session_id"]))["status"] == "expired"
    after = await _payments(a)
    assert [p["status"] for p in after] == ["expired", "open"]
    assert (await _session(gateway, after[1]["session_id"]))["locale"] == "ru"

    # The same button sent by htmx (a boosted form): told to go to the gateway's page, as a whole page.
    boosted = await client.htmx_form(f"/payments/{after[1]['id']}/continue", headers={"HX-Boosted": "true"})
    assert boosted.status_code == 200 and boosted.headers["HX-Redirect"] == second
    assert len(await _payments(a)) == 2


async def test_the_gateways_cancel_link_closes_nothing_and_the_cancel_button_does(client, login, household, gateway):
    a = household["accounts"][0]
    await login(client, household["resident"])
    started = await client.form("/pay", {f"pay_{a}": "1", f"amount_{a}": "50"})
    assert started.status_code == 303
    before = await _payments(a)
    payment = before[0]

    # «Cancel and return» on the gateway's page is a link: following it leads to the payment's page, closing nothing.
    back = await client.get(f"/pay/cancel?payment={payment['batch']}")
    assert back.status_code == 303 and back.headers["location"] == f"/payments/{payment['id']}"
    await gateway.settle()
    assert await _payments(a) == before
    assert (await _session(gateway, payment["session_id"]))["status"] == "open"
    page = await client.get(f"/payments/{payment['id']}")
    assert "Оплата не завершена" in page.text
    assert f'<form method="post" action="/payments/{payment["id"]}/cancel"' in page.text
    assert "/pay/cancel" not in page.text

    assert (await client.post(f"/payments/{payment['id']}/cancel")).status_code == 403
    assert (await _session(gateway, payment["session_id"]))["status"] == "open"

    done = await client.form(f"/payments/{payment['id']}/cancel")
    assert done.status_code == 303 and done.headers["location"] == f"/payments/{payment['id']}"
    await gateway.settle()
    assert (await _session(gateway, payment["session_id"]))["status"] == "expired"
    assert [p["status"] for p in await _payments(a)] == ["canceled"]
    assert "Платёж отменён" in (await client.get(f"/payments/{payment['id']}")).text
