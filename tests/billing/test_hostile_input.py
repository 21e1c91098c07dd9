"""Hostile values in every parameter of the billing pages answer 303/400/404/422 or are ignored, never 500
(issue 11, item 7): «²» that ``str.isdigit()`` accepts, ids past 64 bits, years past 9999, 40-digit amounts."""

from datetime import UTC
from datetime import datetime

import pytest

from portal.billing import receipts
from portal.billing.tables import Charge
from tests.billing.conftest import SAMPLE
from tests.billing.conftest import import_sample
from tests.billing.conftest import upload_charges

HOSTILE = ("²", str(10**30), "9999-12-31", "-1", "1e30", "sNaN", "١٢", "0" * 5000)
NOVEMBER = datetime(2026, 11, 28, tzinfo=UTC)


@pytest.fixture
async def place(make_account, catalog):
    first = await make_account(number="7700000001")
    await make_account(number="7700000002", house=first.house)
    await import_sample(NOVEMBER.date().replace(day=1), NOVEMBER)
    await receipts.issue(NOVEMBER.date().replace(day=1), [first.account])
    return first


def _never_500(response, what: str) -> None:
    assert response.status_code < 500, f"{what} answered {response.status_code}"


async def test_resident_pages_answer_404_for_ids_and_months_they_cannot_hold(client, login, make_user, place):
    await login(client, await make_user(accounts={place.account: "owner"}))
    account = place.account
    for path in (
        f"/accounts/{account}/charges/{10**30}",
        f"/accounts/{10**30}",
        f"/accounts/{account}/receipts/²",
        f"/accounts/{account}/receipts/9999-12",
        f"/accounts/{account}/receipts/{10**30}",
        f"/accounts/{account}/receipts/2026-1²/pdf",
    ):
        assert (await client.get(path)).status_code == 404, path
    for value in HOSTILE:
        response = await client.get(f"/accounts/{account}", params={"month": value})
        assert response.status_code in (200, 404), (value, response.status_code)


async def test_staff_filters_ignore_what_they_cannot_hold(client, login, make_user, place):
    await login(client, await make_user(roles=("accountant",), houses=(place.house,)))
    names = ("house", "entrance", "min_debt", "months", "sort", "period", "page", "size")
    for value in HOSTILE:
        _never_500(await client.get("/staff/billing/debtors", params=dict.fromkeys(names, value)), value)
        _never_500(await client.get("/staff/billing/debtors.csv", params=dict.fromkeys(names, value)), value)
        for name in names:
            _never_500(await client.get("/staff/billing/debtors", params={name: value}), f"{name}={value!r}")
    page = await client.get("/staff/billing/debtors", params={"house": "²", "period": "2026-11"})
    assert page.status_code == 200
    for value in HOSTILE:
        _never_500(await client.get(f"/staff/billing/accounts/{place.account}", params={"page": value}), value)
        _never_500(await client.get("/staff/billing/receipts", params={"period": value}), value)
        _never_500(await client.get("/staff/billing", params={"period": value}), value)


async def test_staff_forms_refuse_what_they_cannot_hold(client, login, make_user, place):
    await login(client, await make_user(roles=("accountant",), houses=(place.house,)))
    for value in HOSTILE:
        reissue = await client.form(f"/staff/billing/accounts/{place.account}/reissue", {"period": value})
        assert reissue.status_code == 303, value
        for data in ({"period": value}, {"period": "2026-11", "house": value}):
            issue = await client.form("/staff/billing/receipts", data)
            assert issue.status_code == 422, (data, issue.status_code)  # the form again, with its message
    response = await client.form(
        "/staff/billing/import", {"period": "9999-99"}, files={"file": ("c.csv", SAMPLE.read_bytes(), "text/csv")}
    )
    assert response.status_code == 422


@pytest.mark.parametrize("amount", ["1e30", "1" * 40, "1" * 13, "NaN", "Infinity", "12,345.678"])
async def test_a_charges_import_amount_it_cannot_hold_is_a_problem_of_its_line(client, login, make_user, place, amount):
    await login(client, await make_user(roles=("accountant",), houses=(place.house,)))
    content = f"account;service;volume;tariff;amount\n7700000001;waste;1;1;{amount}\n".encode()
    response = await upload_charges(client, content, "2026-12")
    assert response.status_code == 422
    assert "Строка 2" in response.text
    assert await Charge.count().where(Charge.period == datetime(2026, 12, 1).date()) == 0
