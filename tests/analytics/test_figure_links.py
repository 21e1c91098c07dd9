"""Every figure of the dashboard that links somewhere opens the list behind it with the dashboard's houses and
months, and that list's total is the figure (or the list says why not): checked for a filter other than the
default, a house chosen among two and months other than the last twelve."""

from __future__ import annotations

import html
import re
from datetime import date
from datetime import datetime
from decimal import Decimal
from typing import Any

from portal.analytics import aggregates
from portal.billing.tables import Balance
from portal.billing.tables import LedgerEntry
from portal.catalog.tables import Order
from portal.core import clock
from portal.housing.tables import House
from portal.meters.tables import MeterReading
from portal.payments.tables import Payment
from tests.analytics.test_queries import FEB
from tests.analytics.test_queries import at
from tests.analytics.test_queries import make_world
from tests.meters.conftest import add_meter

NBSP = "\u00a0"


def link_of(page: str, shown: str) -> str:
    """The address of the link whose text is ``shown`` (the figure as the page writes it)."""
    found = re.findall(r'<a href="([^"]+)">' + re.escape(shown) + "</a>", page)
    assert found, f"no link reads {shown!r}"
    return html.unescape(found[0])


async def _manager_of_both(client: Any, login: Any, make_user: Any, make_account: Any) -> dict[str, Any]:
    world = await make_world(make_account)
    houses = (world["a"].house, world["other"].house)
    await login(client, await make_user(roles=("manager",), houses=houses))
    return world


async def test_payments_collected_opens_billing_of_the_same_months_and_house(
    client: Any, login: Any, make_user: Any, make_account: Any
) -> None:
    world = await _manager_of_both(client, login, make_user, make_account)
    # 100 ₽ given back in February: money returned, neither paid nor charged (written in the ledger and, among the
    # other entries, in the month's balance, as the ledger writes it).
    await _enter(world["a"].account, "refund", 10000)
    await aggregates.refresh(FEB)
    page = (await client.get(f"/staff/analytics?start=2026-01&end=2026-02&house={world['a'].house}")).text
    # Paid in January and February in the house: 900 + 1 500 less the refund (the other house paid nothing and was
    # charged 7 777 a month).
    address = link_of(page, f"2{NBSP}300,00{NBSP}₽")
    billing = await client.get(address)
    assert billing.status_code == 200
    total = billing.text.split("<tfoot")[1].split("</tfoot>")[0]
    assert f'data-label="Поступило">2{NBSP}300,00<' in total  # received: the figure (the table's sums in rubles)
    # Charged: the services alone, as on the receipt (the refund is neither charged nor received), and none of the
    # other house's 15 554.
    assert f'data-label="Начислено">3{NBSP}000,00<' in total
    assert "январь 2026 – февраль 2026" in billing.text


async def _enter(account: int, kind: str, kopecks: int) -> None:
    """An entry of February in the account's ledger and in its February balance (its other entries and closing)."""
    await LedgerEntry(account=account, occurred_at=at(FEB.replace(day=9)), period=FEB, kind=kind,
                      amount_kopecks=kopecks).save()  # fmt: skip
    moved = {
        Balance.other_kopecks: Balance.other_kopecks + kopecks,
        Balance.closing_kopecks: Balance.closing_kopecks + kopecks,
    }
    await Balance.update(moved).where((Balance.account == account) & (Balance.period == FEB))


def _total(page: str, column: str) -> str:
    """The overview's total of ``column`` (its sums in rubles, without the sign of the ruble)."""
    total = page.split("<tfoot")[1].split("</tfoot>")[0]
    found = re.findall(f'data-label="{column}">([^<]+)<', total)
    assert found, f"no total of {column!r}"
    return found[0]


async def test_charged_and_corrections_of_a_month_open_the_overview_that_shows_them(
    client: Any, login: Any, make_user: Any, make_account: Any
) -> None:
    world = await _manager_of_both(client, login, make_user, make_account)
    # February in the house: 1 500 charged for the services; a balance correction of −500 ₽ (an opening balance taken
    # over) and 100 ₽ given back, neither a charge. The other house is corrected too, outside the figures.
    await _enter(world["b"].account, "correction", -50000)
    await _enter(world["a"].account, "refund", 10000)
    await _enter(world["other"].account, "correction", 12300)
    await aggregates.refresh(FEB)
    page = (await client.get(f"/staff/analytics?start=2026-01&end=2026-02&house={world['a'].house}")).text
    latest = page.split('id="latest-title"')[1].split("</dl>")[0]
    # The month's «Начислено» is the services, as the overview of the month counts them; the correction is a line
    # of its own, linking to the overview's column.
    assert f"<strong>1{NBSP}500,00{NBSP}₽</strong>" in latest
    overview = await client.get(link_of(page, f"−500,00{NBSP}₽"))
    assert overview.status_code == 200 and "февраль 2026" in overview.text
    assert _total(overview.text, "Начислено") == f"1{NBSP}500,00"
    assert _total(overview.text, "Корректировки") == "−500,00"
    # The period's charged (beside the payments collected) is the overview's of the same months; its share is paid
    # ÷ charged for the services: 900 + 1 500 − 100 of 3 000.
    collected = await client.get(link_of(page, f"2{NBSP}300,00{NBSP}₽"))
    assert _total(collected.text, "Начислено") == f"3{NBSP}000,00"
    assert re.search(f"76,7{NBSP}?% от начисленных 3{NBSP}000,00{NBSP}₽", page)


async def test_receivables_open_everyone_owing_in_the_same_complex_at_the_last_month(
    client: Any, login: Any, make_user: Any, make_account: Any, monkeypatch: Any
) -> None:
    world = await _manager_of_both(client, login, make_user, make_account)
    monkeypatch.setattr(clock, "today_local", lambda: date(2026, 1, 20))  # January's charges are not due yet
    complex_id = (await House.select(House.complex).where(House.id == world["a"].house).first())["complex"]
    page = (await client.get(f"/staff/analytics?start=2025-12&end=2026-01&complex={complex_id}")).text
    # At the end of January the complex's one house is owed 600 (100 and 500, both January's charges not yet due);
    # the other complex's house owes 7 777.
    debtors = await client.get(link_of(page, f"600,00{NBSP}₽"))
    assert debtors.status_code == 200
    assert "Должники: январь 2026" in debtors.text
    owed = debtors.text.split("data-owed>")[1].split("</p>")[0]
    assert f"2 лицевых счёта должны в сумме 600,00{NBSP}₽." in owed, owed
    # The debtors alone (a part overdue) are what the list shows by default: none yet, and it says why.
    default = await client.get(f"/staff/billing/debtors?period=2026-01&complex={complex_id}")
    assert f"0 лицевых счетов должны в сумме 0,00{NBSP}₽." in default.text
    assert "задолженность на панели аналитики учитывает и долги, срок оплаты которых не наступил" in default.text


async def _found(client: Any, address: str) -> str:
    """The list's count of the requests it found at ``address``."""
    page = await client.get(address)
    assert page.status_code == 200
    return re.findall(r"Найден[оа] \d+ заяв\w+", page.text)[0]


async def test_requests_open_the_same_house_and_months_with_the_figures_counts(
    client: Any, login: Any, make_user: Any, make_account: Any
) -> None:
    world = await _manager_of_both(client, login, make_user, make_account)
    page = (await client.get(f"/staff/analytics?start=2026-01&end=2026-02&house={world['a'].house}")).text
    # The house in January and February: 5 received, 3 closed, of those 1 after its deadline, 3 rated (CSI 3,67),
    # 1 overdue now; the other house's 3 requests closed in January are counted nowhere.
    assert await _found(client, link_of(page, f"66,7{NBSP}%")) == "Найдено 3 заявки"  # closed on time: of the 3 closed
    assert await _found(client, link_of(page, "1 закрыта с опозданием")) == "Найдена 1 заявка"
    assert await _found(client, link_of(page, "5 поступило")) == "Найдено 5 заявок"
    assert await _found(client, link_of(page, "1 просрочена сейчас")) == "Найдена 1 заявка"
    assert await _found(client, link_of(page, "3,67")) == "Найдено 3 заявки"  # the ratings the CSI is of


async def _pay(account: int, n: int, amount: int, paid: datetime, **fields: Any) -> None:
    uid = f"figure-link-{n}"
    fields = {"kind": "checkout", "method": "card", "status": "succeeded", "created_at": paid, **fields}
    await Payment(uid=uid, batch=uid, account=account, amount_kopecks=amount, idempotency_key=uid, paid_at=paid,
                  **fields).save()  # fmt: skip


def _totals(page: str) -> str:
    """The list's line of what it found: the count and sum of the payments (its spaces between words as one)."""
    return re.sub(r"[ \n]+", " ", page.split("data-totals>")[1].split("</p>")[0]).strip()


async def test_payments_by_channel_open_the_payments_the_figure_counts(
    client: Any, login: Any, make_user: Any, make_account: Any
) -> None:
    world = await _manager_of_both(client, login, make_user, make_account)
    a = world["a"].account
    # February in the house, by card: paid, partly refunded since, wholly refunded since — 1 800 ₽ in 3 payments.
    # The second was started on the last evening of January and paid after midnight, Moscow time: February's.
    await _pay(a, 0, 100000, at(date(2026, 2, 3)))
    await _pay(a, 1, 50000, at(date(2026, 2, 1), 0), created_at=at(date(2026, 1, 31), 23),
               status="partially_refunded", refunded_kopecks=20000)  # fmt: skip
    await _pay(a, 2, 30000, at(date(2026, 2, 10)), status="refunded", refunded_kopecks=30000)
    # Counted elsewhere or nowhere: СБП, autopay, a service order, a failed payment, March's (started in February),
    # the other house's.
    await _pay(a, 3, 40000, at(date(2026, 2, 12)), method="sbp")
    await _pay(a, 4, 25000, at(date(2026, 2, 13)), kind="autopay")
    await _pay(a, 5, 70000, at(date(2026, 2, 11)), purpose="order", reference="order:1")
    await _pay(a, 6, 99900, at(date(2026, 2, 14)), status="failed")
    await _pay(a, 7, 11100, at(date(2026, 3, 1), 0), created_at=at(date(2026, 2, 28), 23))
    await _pay(world["other"].account, 8, 500000, at(date(2026, 2, 5)))
    await aggregates.refresh(FEB)
    page = (await client.get(f"/staff/analytics?start=2026-01&end=2026-02&house={world['a'].house}")).text
    card = await client.get(link_of(page, f"1{NBSP}800,00{NBSP}₽"))
    assert card.status_code == 200
    assert _totals(card.text) == f"Найдено 3 платежа на сумму 1{NBSP}800,00{NBSP}₽, из них возвращено 500,00{NBSP}₽."
    assert "оплачен 1 февраля 2026, 00:00" in card.text.replace(NBSP, " ")  # started on 31 January: said when paid
    exported = (
        await client.get(
            link_of(page, f"1{NBSP}800,00{NBSP}₽").replace("/staff/payments?", "/staff/payments/export.csv?")
        )
    ).text
    assert exported.count("\n") == 4 and "Оплачен" in exported and "01.02.2026 00:00" in exported  # the same 3
    sbp = await client.get(link_of(page, f"400,00{NBSP}₽"))
    assert _totals(sbp.text) == f"Найден 1 платёж на сумму 400,00{NBSP}₽."
    # The autopay table's count of February and the uptake's payments through the portal (card, СБП and autopay).
    (autopay,) = [a for a in re.findall(r'<a href="([^"]+)">1</a>', page) if "channel=autopay" in a and "2026-02" in a]
    assert _totals((await client.get(html.unescape(autopay))).text) == f"Найден 1 платёж на сумму 250,00{NBSP}₽."
    uptake = await client.get(link_of(page, f"2{NBSP}450,00{NBSP}₽"))
    assert _totals(uptake.text).startswith(f"Найдено 5 платежей на сумму 2{NBSP}450,00{NBSP}₽")


async def test_orders_open_the_orders_of_the_complex_placed_in_the_month(
    client: Any, login: Any, make_user: Any, make_account: Any
) -> None:
    world = await _manager_of_both(client, login, make_user, make_account)
    # February: two orders in the complex's house (one placed on its last evening, Moscow time, one cancelled since),
    # one in the other house, one in the complex's house on 1 March.
    for n, (place, placed, status) in enumerate(
        [(world["a"], at(date(2026, 2, 28), 23), "awaiting_payment"), (world["a"], at(date(2026, 2, 3)), "cancelled"),
         (world["other"], at(date(2026, 2, 4)), "awaiting_payment"), (world["a"], at(date(2026, 3, 1), 0), "done")]
    ):  # fmt: skip
        await Order(uid=f"figure-order-{n}", account=place.account, house=place.house, created_at=placed,
                    status=status).save()  # fmt: skip
    await aggregates.refresh(FEB)
    complex_id = (await House.select(House.complex).where(House.id == world["a"].house).first())["complex"]
    page = (await client.get(f"/staff/analytics?start=2026-01&end=2026-02&complex={complex_id}")).text
    (address,) = [a for a in re.findall(r'<a href="(/staff/orders[^"]+)">2</a>', page) if "2026-02-01" in a]
    orders = await client.get(html.unescape(address))
    assert orders.status_code == 200
    assert "Показаны 1–2 из 2" in orders.text


async def test_readings_through_the_portal_open_the_readings_of_the_complexs_houses(
    client: Any, login: Any, make_user: Any, make_account: Any, monkeypatch: Any
) -> None:
    world = await _manager_of_both(client, login, make_user, make_account)
    monkeypatch.setattr(clock, "today_local", lambda: date(2026, 3, 10))  # February is among the list's months
    # February through the portal: two in the complex's house (two flats), one in the other complex's house; and
    # one by phone in the complex's house, counted among all readings but not among the portal's.
    passed = [(world["a"], "portal"), (world["b"], "portal"), (world["other"], "portal"), (world["a"], "phone")]
    for n, (place, source) in enumerate(passed):
        meter = await add_meter(place.account, "cold_water" if n < 3 else "hot_water", f"ПЛ-{n}")
        await MeterReading(meter=meter, zone=1, value=Decimal("10"), period=FEB, source=source,
                           submitted_at=at(date(2026, 2, 20))).save()  # fmt: skip
    await aggregates.refresh(FEB)
    complex_id = (await House.select(House.complex).where(House.id == world["a"].house).first())["complex"]
    page = (await client.get(f"/staff/analytics?start=2026-01&end=2026-02&complex={complex_id}")).text
    (address,) = [a for a in re.findall(r'<a href="(/staff/meters[^"]+)">2</a>', page) if "period=2026-02" in a]
    readings = await client.get(html.unescape(address))
    assert readings.status_code == 200
    assert sorted(re.findall(r"ПЛ-\d", readings.text.split('id="list"')[1])) == ["ПЛ-0", "ПЛ-1"]


async def test_payments_by_other_channels_open_the_payments_credited_outside_the_portal(
    client: Any, login: Any, make_user: Any, make_account: Any
) -> None:
    world = await _manager_of_both(client, login, make_user, make_account)
    a, b, other = world["a"].account, world["b"].account, world["other"].account
    # Credited to February in the house from outside the portal: a bank registry's, the cash desk's (no reference),
    # 323.45 ₽ in two payments. Counted elsewhere or nowhere: the portal's own (its card channel), a refund,
    # March's, the other house's.
    for n, (account, period, kind, kopecks, reference) in enumerate(
        [(a, FEB, "payment", -12345, "registry:7:1"), (b, FEB, "payment", -20000, None),
         (a, FEB, "payment", -50000, "payment:figure-link-portal"), (b, FEB, "refund", 3000, "refund:1"),
         (a, date(2026, 3, 1), "payment", -40000, "registry:7:2"), (other, FEB, "payment", -9900, None)]
    ):  # fmt: skip
        await LedgerEntry(account=account, occurred_at=at(period.replace(day=10 + n)), period=period, kind=kind,
                          amount_kopecks=kopecks, reference=reference).save()  # fmt: skip
    await aggregates.refresh(FEB)
    page = (await client.get(f"/staff/analytics?start=2026-01&end=2026-02&house={world['a'].house}")).text
    received = await client.get(link_of(page, f"323,45{NBSP}₽"))
    assert received.status_code == 200
    assert _totals(received.text) == f"Найдено 2 платежа на сумму 323,45{NBSP}₽."
    assert "Поступившие оплаты: февраль 2026" in received.text
    portal = await client.get(f"/staff/billing/payments?period=2026-02&channel=portal&house={world['a'].house}")
    assert _totals(portal.text) == f"Найден 1 платёж на сумму 500,00{NBSP}₽."
    # A channel the list does not have is said, and every payment of the month and house is shown.
    unread = await client.get(f"/staff/billing/payments?period=2026-02&channel=fax&house={world['a'].house}")
    assert "Такого варианта нет: «fax»; список показан без этого условия." in unread.text
    assert _totals(unread.text) == f"Найдено 3 платежа на сумму 823,45{NBSP}₽."
