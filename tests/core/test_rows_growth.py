"""No list page runs more statements when its rows double.

The resident's and the staff's main pages are loaded over one house's data, then over twice that data (tickets,
payments, orders, posts and their deliveries and readers, owners, meetings, billing months); a page whose statement
count grows with the rows reads something per row, and is named here. The budgets of the pages
(tests/billing/test_query_budgets.py) cap the count; this test says it does not depend on the number of rows.
The data is built once per engine: the second load is over the first batch plus a second one like it.
"""

from __future__ import annotations

from datetime import UTC
from datetime import date
from datetime import datetime
from typing import Any

import pytest

from portal.billing.history import build_history
from tests.billing.test_query_budgets import _posts
from tests.billing.test_query_budgets import tickets_and_payments
from tests.catalog.conftest import shop  # noqa: F401  (fixtures used here)
from tests.catalog.test_actions import _order
from tests.meetings.conftest import make_meeting  # noqa: F401  (fixtures used here)
from tests.payments.conftest import household  # noqa: F401  (fixtures used here)
from tests.querylog import captured

PER_BATCH = 2  # tickets and payments per account, orders, meetings, owners, readers of a post in each batch
MONTHS = 3  # billing months in each batch (the second batch's months come before the first's)


@pytest.fixture(autouse=True)
def _pinned_list_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    """The pinned emergencies are read once per process every 15 s (content.pinned): kept for the whole test,
    so that a refresh falling on one of the two counted loads is not counted as growth."""
    from portal.content import pinned

    monkeypatch.setattr(pinned, "TTL", 3600.0)
    pinned.forget()


def _resident_pages(account: int) -> list[str]:
    return ["/", f"/accounts/{account}", "/tickets", "/payments", "/meetings", "/news", "/services/orders"]


def _staff_pages(house: int, post: int) -> list[str]:
    return [
        "/staff/tickets",
        "/staff/tickets?tab=all",
        f"/staff/tickets?house={house}&status=new&status=in_work",
        "/staff/tickets?tab=all&q=Заявка",
        "/staff/housing",
        f"/staff/houses/{house}",
        "/staff/posts",
        f"/staff/posts/{post}",
        "/staff/orders",
        "/staff/payments",
        "/staff/meetings",
        f"/staff/meetings/owners?house={house}",
        "/staff/analytics/kpi",
    ]


async def _batch(batch: int, home: dict[str, Any], catalogue: dict[str, int], meeting: Any, staff: int) -> None:
    """One batch of rows for every list measured (``batch`` 0 or 1: the billing months of each differ), in the
    ``household`` fixture's house (``home``), with the ``shop`` fixture's services and ``make_meeting``."""
    from portal.housing.tables import Owner
    from portal.housing.tables import Ownership
    from portal.housing.tables import PersonalAccount

    accounts = home["accounts"]
    await build_history(accounts, date(2026, 11 - MONTHS * batch, 1), MONTHS)
    for account in accounts:
        await tickets_and_payments(account, PER_BATCH, [1500 + n for n in range(PER_BATCH)])
    premises = await PersonalAccount.select(PersonalAccount.premise).where(PersonalAccount.id.is_in(accounts))
    for n in range(PER_BATCH):
        owner = Owner(name=f"Собственник {batch}-{n}")
        await owner.save()
        premise = premises[n % len(premises)]["premise"]
        await Ownership(premise=premise, owner=owner.id, share_numerator=1, share_denominator=4).save()
        await _order(home, catalogue, (catalogue["cleaning"], "10"))
        await meeting(home["house"], days_left=5 + n + PER_BATCH * batch)
    await _posts(staff, home["house"])


async def _read_and_delivered(post: int, readers: list[int]) -> None:
    """The post opened by ``readers`` and an e-mail of it sent to each: its readers and its delivery log."""
    from portal.content.tables import PostRead
    from portal.core.tables import OutboxMessage

    for user in readers:
        await PostRead(post=post, user=user, read_at=datetime.now(UTC)).save()
        await OutboxMessage(
            channel="email",
            recipient=f"reader{user}@example.ru",
            user_id=user,
            template="content/post",
            dedupe_key=f"post:{post}:{user}",
            ref=f"post:{post}",
            status="sent",
            sent_at=datetime.now(UTC),
        ).save()


async def _statements(db: Any, client: Any, url: str) -> int:
    await client.get(url)  # the first load builds the principal kept in the session
    with captured(db) as seen:
        page = await client.get(url)
    assert page.status_code == 200, (url, page.status_code)
    return len(seen)


async def _counts(db: Any, clients: dict[str, Any], pages: dict[str, list[str]]) -> dict[str, int]:
    return {url: await _statements(db, clients[who], url) for who, urls in pages.items() for url in urls}


async def test_no_page_runs_more_statements_with_twice_the_rows(
    db: Any,
    new_client: Any,
    login: Any,
    make_user: Any,
    household: Any,  # noqa: F811
    shop: Any,  # noqa: F811
    make_meeting: Any,  # noqa: F811
    monkeypatch: Any,
) -> None:
    from portal.content.tables import Post
    from portal.core import clock

    # The company's clock stands still for the test: both loads read the sections of one day. Past midnight between
    # them (the test takes a while), a page read one statement more for a section of the new day, not for its rows.
    moment = clock.now()
    monkeypatch.setattr(clock, "now", lambda: moment)
    monkeypatch.setattr(clock, "today_local", lambda: clock.local(moment).date())
    house = household["house"]
    staff = await make_user(
        roles=("dispatcher", "accountant", "manager", "moderator", "operator", "analyst"), houses=(house,)
    )
    await make_user(roles=("executor",), houses=(house,))  # the queue's choice of executors runs all its reads
    neighbours = [await make_user(accounts={household["accounts"][1]: "tenant"}) for _ in range(2 * PER_BATCH)]
    await _batch(0, household, shop, make_meeting, staff)
    post = (await Post.select(Post.id).order_by(Post.id, ascending=False).first())["id"]
    await _read_and_delivered(post, neighbours[:PER_BATCH])

    clients = {"resident": new_client(), "staff": new_client()}
    await login(clients["resident"], household["resident"])
    await login(clients["staff"], staff)
    pages = {"resident": _resident_pages(household["accounts"][0]), "staff": _staff_pages(house, post)}
    once = await _counts(db, clients, pages)

    await _batch(1, household, shop, make_meeting, staff)
    await _read_and_delivered(post, neighbours[PER_BATCH:])
    twice = await _counts(db, clients, pages)

    grown = [f"{url}: {once[url]} → {twice[url]} statements" for url in once if twice[url] != once[url]]
    assert not grown, "pages that read per row:\n" + "\n".join(grown)
