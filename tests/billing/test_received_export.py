"""The exports of the payments received (/staff/billing/payments): the file holds exactly the payments of the page's
filters, every page of them, in its order, and their count and sum are the page's line; on both engines."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from decimal import Decimal
from typing import Any

from openpyxl import load_workbook

from portal.billing import notes
from portal.billing.registry_tables import PaymentRegistry
from portal.billing.registry_tables import RegistryPayment
from portal.billing.tables import LedgerEntry
from portal.payments.tables import Payment
from tests.analytics.test_queries import at
from tests.analytics.test_queries import balance

FEB, MAR = date(2026, 2, 1), date(2026, 3, 1)
NEWEST_FIRST = range(11, -1, -1)
FILTER = "period=2026-02&until=2026-03&channel=outside"


def _line(page: str) -> tuple[int, Decimal]:
    """The count and sum of the page's line «Найдено 12 платежей на сумму 1 234,56 ₽.»."""
    line = re.sub(r"\s+", "", page.split("data-totals>")[1].split("</p>")[0])
    count, total = re.fullmatch(r"Найден[оa-я]*(\d+)платеж[а-я]*насумму([\d,]+)₽\.", line).groups()
    return int(count), Decimal(total.replace(",", "."))


async def _world(client: Any, login: Any, make_user: Any, make_account: Any) -> dict[str, Any]:
    a = await make_account(number="0012345678")  # leading zeros: the file keeps them (a text cell)
    b = await make_account(house=a.house)
    other = await make_account()  # another house of the manager's, not chosen in the filter
    await login(client, await make_user(roles=("manager",), houses=(a.house, other.house)))
    for period in (date(2026, 1, 1), FEB, MAR):  # the billed months the report offers
        await balance(a.account, period, charged=100000, paid=0, closing=100000)
    # Thirteen payments from outside the portal in February and March, more than the page of ten shows, written
    # newest first (the list goes by when they were credited, not written); two credited at one moment.
    rows = [(a if n % 2 else b, FEB if n < 6 else MAR, "payment", -(10000 + n * 101), None, n) for n in NEWEST_FIRST]
    rows += [(a, MAR, "payment", -70000, "registry:9:1", 11)]  # at the newest's moment, written after it
    # Not found: the portal's own, a refund, January's, the other house's.
    rows += [(a, FEB, "payment", -50000, "payment:export-portal", 3), (b, FEB, "refund", 3000, "refund:9", 4),
             (a, date(2026, 1, 1), "payment", -40000, None, 1), (other, FEB, "payment", -9900, None, 2)]  # fmt: skip
    for account, period, kind, kopecks, reference, day in rows:
        await LedgerEntry(account=account.account, occurred_at=at(period.replace(day=10 + day)), period=period,
                          kind=kind, amount_kopecks=kopecks, reference=reference).save()  # fmt: skip
    return {"a": a, "other": other}


async def test_the_files_hold_the_pages_payments_their_count_and_sum(
    client: Any, login: Any, make_user: Any, make_account: Any
) -> None:
    world = await _world(client, login, make_user, make_account)
    query = f"{FILTER}&house={world['a'].house}"
    page = await client.get(f"/staff/billing/payments?{query}&size=10")
    count, total = _line(page.text)
    paid = sum(Decimal(10000 + n * 101) for n in range(12)) / 100 + Decimal("700.00")
    assert (count, total) == (13, paid)  # the filter found them all, past the first page
    shown = re.findall(r'/staff/billing/accounts/\d+">(\d+)</a>', page.text)
    assert f"/staff/billing/payments.csv?{query.replace('&', '&amp;')}" in page.text  # the page's filters, no paging

    exported = await client.get(f"/staff/billing/payments.csv?{query}")
    assert exported.headers["content-disposition"] == 'attachment; filename="payments-received-2026-02-2026-03.csv"'
    header, *lines = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig")), delimiter=";"))
    assert header == ["Зачислено", "Месяц", "Лицевой счёт", "Адрес", "Канал", "Сумма, ₽"]
    assert len(lines) == count
    assert sum(Decimal(line[5].replace(",", ".")) for line in lines) == total
    assert [line[2].strip('="') for line in lines[:10]] == shown  # the page's order
    assert [lines[0][2], lines[0][5], lines[0][1]] == ['="0012345678"', "700,00", "03.2026"]  # newest first

    book = load_workbook(io.BytesIO((await client.get(f"/staff/billing/payments.xlsx?{query}")).content))
    cells = [[c.value for c in row] for row in book.active.iter_rows()][1:]
    assert len(cells) == count
    assert sum(Decimal(str(row[5])) for row in cells) == total
    assert [row[2] for row in cells[:10]] == shown
    assert book.active["F2"].number_format == "#,##0.00" and book.active["C2"].number_format == "@"


async def test_the_files_keep_to_the_users_houses(client: Any, login: Any, make_user: Any, make_account: Any) -> None:
    world = await _world(client, login, make_user, make_account)
    everything = await client.get(f"/staff/billing/payments.csv?{FILTER}")  # no house chosen: every house of theirs
    lines = list(csv.reader(io.StringIO(everything.content.decode("utf-8-sig")), delimiter=";"))[1:]
    assert (len(lines), _line((await client.get(f"/staff/billing/payments?{FILTER}")).text)[0]) == (14, 14)
    stranger = await make_account()
    await login(client, await make_user(roles=("manager",), houses=(stranger.house,)))
    theirs = await client.get(f"/staff/billing/payments.csv?{FILTER}&house={world['a'].house}")
    assert theirs.status_code == 200
    assert len(theirs.content.decode("utf-8-sig").splitlines()) == 1  # the header alone: none of their houses


async def test_each_payment_is_exported_with_the_channel_it_came_through(
    client: Any, login: Any, make_user: Any, make_account: Any
) -> None:
    """A portal payment paid by СБП is «через СБП» (not «картой на портале»), autopay is autopay, a registry line's
    channel is its own, and a payment the ledger notes as paid through a bank (the billing system's, taken over
    with no registry line) is «через банк» and found by the bank registries' filter; only a payment with none of
    these is «не известен»."""
    a = await make_account()
    await login(client, await make_user(roles=("manager",), houses=(a.house,)))
    await balance(a.account, FEB, charged=100000, paid=0, closing=100000)
    for uid, kind, method in (("sbp-1", "checkout", "sbp"), ("card-1", "checkout", "card"), ("auto-1", "autopay", "")):
        await Payment(uid=uid, batch=uid, kind=kind, method=method, account=a.account, amount_kopecks=1000,
                      status="succeeded", idempotency_key=uid).save()  # fmt: skip
    registry = await PaymentRegistry(kind="bank").save().returning(PaymentRegistry.id)
    await RegistryPayment(registry=registry[0]["id"], payment_id="SB-1", amount_kopecks=1000, paid_on=FEB,
                          channel="cash_desk", status="credited", reference="registry:SB-1").save()  # fmt: skip
    written = [("payment:sbp-1", ""), ("payment:card-1", ""), ("payment:auto-1", ""), ("registry:SB-1", ""),
               ("billing:7", notes.BANK.write()), (None, "")]  # fmt: skip
    for day, (reference, note) in enumerate(written, start=1):
        await LedgerEntry(account=a.account, occurred_at=at(FEB.replace(day=day)), period=FEB, kind="payment",
                          amount_kopecks=-1000 * day, reference=reference, note=note).save()  # fmt: skip

    def channels(response: Any) -> list[tuple[str, str]]:
        lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))[1:]
        return [(line[5], line[4]) for line in lines]

    exported = await client.get("/staff/billing/payments.csv?period=2026-02&until=2026-02")
    assert channels(exported) == [
        ("60,00", "не известен"),
        ("50,00", "через банк"),
        ("40,00", "в кассе"),
        ("30,00", "автоплатёж"),
        ("20,00", "картой на портале"),
        ("10,00", "через СБП"),
    ]
    by_bank = await client.get("/staff/billing/payments.csv?period=2026-02&until=2026-02&channel=bank_registry")
    assert channels(by_bank) == [("50,00", "через банк")]
