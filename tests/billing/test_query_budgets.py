"""Every resident page and the main staff lists run a fixed number of queries, whatever the history.

The budget of each page is written next to it: ``QUERY_BUDGETS`` in the routes module that serves the page
(keyed by the route's path). A page over its budget fails here on both engines; a page under it by a lot
means the budget should come down with it.
"""

from __future__ import annotations

import importlib
import uuid
from datetime import UTC
from datetime import date
from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest

from portal.billing.history import build_history
from tests.querylog import captured

MODULES = [
    "portal.core.routes",
    "portal.accounts.routes",
    "portal.billing.routes",
    "portal.payments.routes",
    "portal.payments.routes_staff",
    "portal.tickets.routes",
    "portal.tickets.routes_staff",
    "portal.meters.routes",
    "portal.meetings.routes",
    "portal.content.routes",
    "portal.content.routes_staff",
    "portal.notifications.routes",
]


@pytest.fixture(autouse=True)
def _pinned_list_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    """The emergencies pinned on every page are read once per process every 15 s (content.pinned), not per
    page: keep the list for the whole test, so that a refresh falling on a counted load is not counted."""
    from portal.content import pinned

    monkeypatch.setattr(pinned, "TTL", 3600.0)
    pinned.forget()


def budgets() -> dict[str, int]:
    found: dict[str, int] = {}
    for name in MODULES:
        found.update(getattr(importlib.import_module(name), "QUERY_BUDGETS", {}))
    return found


async def _history(make_account: Any, months: int) -> dict[str, Any]:
    """Two accounts of one house with ``months`` of charges, payments and receipts, meters with readings,
    requests and a payment: what a resident's pages show."""
    from portal.meters.tables import Meter
    from portal.meters.tables import MeterReading

    first = await make_account()
    house = first.house
    second = await make_account(house=house)
    accounts = [first.account, second.account]
    await build_history(accounts, date(2026, 11, 1), months)
    for account in accounts:
        for service, zones in (("cold_water", 1), ("hot_water", 1), ("electricity", 2)):
            meter = Meter(account=account, service=service, serial=f"{service}-{account}", zones=zones)
            await meter.save()
            for back in range(min(months, 12)):
                for zone in range(1, zones + 1):
                    await MeterReading(
                        meter=meter.id,
                        zone=zone,
                        value=Decimal(100 + back),
                        period=date(2026 - (back >= 11), (10 - back) % 12 + 1, 1),
                    ).save()
        await tickets_and_payments(account, min(months, 5), [150000])
    return {"accounts": accounts, "house": house}


async def tickets_and_payments(account: int, tickets: int, amounts: list[int]) -> None:
    """``tickets`` requests of the account and a succeeded payment of each of ``amounts`` (kopecks) in November."""
    from portal.payments.tables import Payment
    from portal.tickets.actions import open_ticket

    for n in range(tickets):
        await open_ticket(
            category="garbage_chute", description=f"Заявка {n} по счёту", account_id=account, now=datetime.now(UTC)
        )
    for amount in amounts:
        await Payment(
            uid=str(uuid.uuid4()),
            batch=str(uuid.uuid4()),
            account=account,
            amount_kopecks=amount,
            status="succeeded",
            idempotency_key=str(uuid.uuid4()),
            created_at=datetime(2026, 11, 5, tzinfo=UTC),
        ).save()


def _pages(data: dict[str, Any], ticket_id: int) -> dict[str, str]:
    """Route path → the URL of that page for this data."""
    account = data["accounts"][0]
    return {
        "/": "/",
        "/accounts/{account_id:int}": f"/accounts/{account}",
        "/accounts/{account_id:int}/receipts/{period:str}": f"/accounts/{account}/receipts/2026-11",
        "/accounts/{account_id:int}/history": f"/accounts/{account}/history",
        "/accounts/{account_id:int}/people": f"/accounts/{account}/people",
        "/tickets": "/tickets",
        "/tickets/new": "/tickets/new",
        "/tickets/{ticket_id:int}": f"/tickets/{ticket_id}",
        "/meters": "/meters",
        "/pay": "/pay",
        "/payments": "/payments",
        "/autopay": "/autopay",
        "/more": "/more",
        "/profile": "/profile",
        "/meetings": "/meetings",
        "/news": "/news",
        "/notifications": "/notifications",
    }


STAFF_PAGES = {
    "/staff/tickets": "/staff/tickets",
    "/staff/tickets?tab=active": "/staff/tickets?tab=active",
    "/staff/tickets?house&status": "/staff/tickets?house={house}&status=new&status=in_work",
    "/staff/billing/receipts": "/staff/billing/receipts?period=2026-11",
    "/staff/billing/receipts/progress": "/staff/billing/receipts/progress?period=2026-11",
    "/staff/billing": "/staff/billing?period=2026-11",
    "/staff/billing/debtors": "/staff/billing/debtors?period=2026-11",
    "/staff/payments": "/staff/payments",
    "/staff/posts": "/staff/posts",
}


async def _posts(staff: int, house: int) -> None:
    """What the staff list of posts shows: outage notices (their titles are said from their outages, read for the
    whole page at once), notices and events written by staff (how many are going to each event is read for the whole
    page at once), several of each so that a query per post would show."""
    from datetime import timedelta

    from portal.content.actions import PostInput
    from portal.content.actions import save_post
    from portal.content.forms import EventFields
    from portal.content.tables import PostKind
    from portal.core import clock
    from portal.core.security import Principal
    from portal.notifications.rules import Audience
    from portal.tickets.actions import record_outage

    dispatcher = Principal(
        user_id=staff, name="Диспетчер", staff_roles=frozenset({"dispatcher"}), house_ids=frozenset({house})
    )
    now = clock.now()
    for n, service in enumerate(("cold_water", "hot_water", "electricity", "heating")):
        await record_outage(
            dispatcher,
            {
                "house_id": house,
                "service": service,
                "description": f"Работы №{n}",
                "starts_at": now - timedelta(minutes=n + 1),
                "ends_at": now + timedelta(hours=n + 2),
                "entrance_id": None,
                "riser_id": None,
            },
            now,
        )
    manager = Principal(
        user_id=staff, name="Менеджер", staff_roles=frozenset({"manager"}), house_ids=frozenset({house})
    )
    for n in range(3):
        await save_post(
            manager,
            PostInput(
                kind=PostKind.NOTICE, title=f"Объявление {n}", body="Текст.", audience=Audience.of(houses=[house]),
                by_email=False, by_sms=False, by_push=False,
            ),
        )  # fmt: skip
        starts_at = now + timedelta(days=n + 1)
        await save_post(
            manager,
            PostInput(
                kind=PostKind.EVENT, title=f"Мероприятие {n}", body="Приходите.", audience=Audience.of(houses=[house]),
                by_email=False, by_sms=False, by_push=False,
                event=EventFields(starts_at, starts_at + timedelta(hours=2), "Двор", None),
            ),
        )  # fmt: skip


async def _count(db: Any, client: Any, url: str) -> tuple[int, list[str]]:
    await client.get(url)  # the first load builds the principal kept in the session
    with captured(db) as seen:
        page = await client.get(url)
    assert page.status_code == 200, (url, page.status_code)
    return len(seen), [str(q) for q in seen]


@pytest.mark.parametrize("months", [1, 13, 61])  # a new account, a year, five years
async def test_resident_pages_keep_their_query_budget(
    db: Any, client: Any, login: Any, make_user: Any, make_account: Any, catalog: Any, months: int
) -> None:
    from portal.tickets.tables import Ticket

    data = await _history(make_account, months)
    user = await make_user(accounts={a: "owner" for a in data["accounts"]})
    await login(client, user)
    ticket = (await Ticket.select(Ticket.id).where(Ticket.account == data["accounts"][0]).first())["id"]
    limits = budgets()
    over = []
    for route, url in _pages(data, ticket).items():
        assert route in limits, f"{route} has no QUERY_BUDGETS entry next to its handler"
        count, queries = await _count(db, client, url)
        if count > limits[route]:
            over.append((route, count, limits[route], queries))
    assert not over, over


async def test_staff_lists_keep_their_query_budget(
    db: Any, client: Any, login: Any, make_user: Any, make_account: Any, catalog: Any
) -> None:
    data = await _history(make_account, 3)
    staff = await make_user(roles=("dispatcher", "accountant"), houses=(data["house"],))
    # An executor of the house, so that the list's choice of executors for its requests runs all its statements.
    await make_user(roles=("executor",), houses=(data["house"],))
    await _posts(staff, data["house"])
    await login(client, staff)
    limits = budgets()
    over = []
    for route, url in STAFF_PAGES.items():
        url = url.format(house=data["house"])
        assert route in limits, f"{route} has no QUERY_BUDGETS entry next to its handler"
        count, queries = await _count(db, client, url)
        if count > limits[route]:
            over.append((route, count, limits[route], queries))
    assert not over, over
    posts = (await client.get("/staff/posts")).text
    assert "Объявление 2" in posts and posts.count("Холодная вода: ") == 1 and "Отопление: " in posts, posts
    assert posts.count("Идут 0 человек") == 3, posts  # each event's answers, none yet


async def test_an_ordinary_page_load_reads_the_principal_with_one_query(
    db: Any, client: Any, login: Any, make_user: Any, make_account: Any
) -> None:
    account = (await make_account()).account
    await login(client, await make_user(accounts={account: "owner"}, roles=("dispatcher",)))
    await client.get("/more")
    with captured(db) as seen:
        assert (await client.get("/more")).status_code == 200
    principal_queries = [
        str(q)
        for q in seen
        if any(t in str(q) for t in ("user_role", "staff_house", "residency", "consent_record", "portal_user"))
    ]
    assert len(principal_queries) == 1, principal_queries
