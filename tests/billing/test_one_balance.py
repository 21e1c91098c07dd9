"""One balance everywhere it is shown: the figures a resident and staff read for an account agree with its ledger
(the sum of its entries), whatever happened in the month; on both engines."""

import csv
import io
import re
from datetime import UTC
from datetime import date
from datetime import datetime
from decimal import Decimal as D

import pytest
from piccolo.query.functions.aggregate import Sum

from portal.billing import ledger
from portal.billing import receipts
from portal.billing.tables import LedgerEntry
from portal.core import clock
from tests.billing.conftest import import_sample

OCTOBER, NOVEMBER = date(2026, 10, 1), date(2026, 11, 1)
NBSP = "\u00a0"
# «К оплате 0,00 ₽» (between them a colon, spaces or tags): what a receipt of an overpaid month never says.
ZERO_TO_PAY = re.compile(r"[Кк] оплате[:\s]*(?:<[^>]*>\s*)*0,00")


@pytest.fixture
async def billed(make_account, catalog):
    """Two accounts of one house charged for October and November 2026; the first paid October, the second nothing;
    receipts issued. Nothing is posted in December."""
    first = await make_account(number="7700000001", payer="Иванов Иван Иванович", premise_number="12")
    second = await make_account(number="7700000002", payer="Петрова Анна Сергеевна", house=first.house, area="38.10")
    for period in (OCTOBER, NOVEMBER):
        await import_sample(period, datetime(2026, period.month, 28, tzinfo=UTC))
    await ledger.post_payment(first.account, D("3341.23"), "pay-oct-1", datetime(2026, 11, 5, 9, tzinfo=UTC))
    for period in (OCTOBER, NOVEMBER):
        await receipts.issue(period, [first.account, second.account])
    return {"first": first.account, "second": second.account, "house": first.house}


async def ledger_sum(account: int) -> D:
    """The balance computed from the raw entries, not from a snapshot."""
    row = (
        await LedgerEntry.select(Sum(LedgerEntry.amount_kopecks).as_alias("s"))
        .where(LedgerEntry.account == account)
        .first()
    )
    return D(row["s"] or 0) / 100


async def test_a_debtor_who_paid_nothing_in_the_running_month_is_on_its_debtors_list_and_in_its_totals(
    client, login, make_user, billed, monkeypatch
):
    # 16 December: October (due 16.11) and November (due 15.12) are both overdue; nothing was posted in December.
    monkeypatch.setattr(clock, "today_local", lambda: date(2026, 12, 16))
    assert await ledger_sum(billed["second"]) == D("5182.58")
    await login(client, await make_user(roles=("accountant",), houses=(billed["house"],)))
    page = await client.get("/staff/billing/debtors?period=2026-12")
    assert "7700000002" in page.text
    assert f"5{NBSP}182,58{NBSP}₽" in page.text
    assert "7700000001" in page.text  # November's 3 341.23, unpaid, overdue since 16 December
    rows = list(
        csv.reader(io.StringIO((await client.get("/staff/billing/debtors.csv?period=2026-12")).text), delimiter=";")
    )
    owed = {r[0].strip('="'): (r[4], r[5], r[6]) for r in rows[1:]}
    # Debt, overdue, and the month's charges: none in December (a debtor's row of an earlier month charges nothing).
    assert owed == {"7700000002": ("5182,58", "5182,58", "0,00"), "7700000001": ("3341,23", "3341,23", "0,00")}
    overview = await client.get("/staff/billing?period=2026-12")
    assert f"8{NBSP}523,81{NBSP}₽" in overview.text  # the debt of the house: both accounts


async def test_the_months_overdue_filter_counts_an_earlier_months_row_as_no_charges(
    client, login, make_user, billed, monkeypatch
):
    monkeypatch.setattr(clock, "today_local", lambda: date(2026, 12, 16))
    await login(client, await make_user(roles=("accountant",), houses=(billed["house"],)))
    # December has no charges to measure the debt by: no account is «2 months overdue» in December…
    page = await client.get("/staff/billing/debtors?period=2026-12&months=2")
    assert "7700000002" not in page.text
    # …while in November the second account owes two months of charges at its end (October's overdue on 30.11).
    november = await client.get("/staff/billing/debtors?period=2026-11&months=1")
    assert "7700000002" in november.text and "7700000001" not in november.text


def pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages).replace(NBSP, " ")


def qr_sums(content: bytes) -> list[str | None]:
    """The ``Sum`` of each QR code of a PDF receipt, decoded from its images."""
    import zxingcpp
    from PIL import Image
    from pypdf import PdfReader

    from portal.billing import qr

    found = []
    for page in PdfReader(io.BytesIO(content)).pages:
        for image in page.images:
            found += [
                qr.parse(r.text).fields.get("Sum") for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(image.data)))
            ]
    return found


async def test_a_receipt_of_a_month_ended_overpaid_says_overpayment_not_a_sum_to_pay_of_zero(
    client, login, make_user, billed
):
    account = billed["first"]
    await ledger.post_payment(account, D("3461.23"), "pay-ahead", datetime(2026, 11, 20, tzinfo=UTC))
    await receipts.issue(NOVEMBER, [account])
    assert await ledger_sum(account) == D("-120.00")
    await login(client, await make_user(accounts={account: "owner"}))
    page = (await client.get(f"/accounts/{account}/receipts/2026-11")).text.replace(NBSP, " ")
    assert "Переплата на конец месяца" in page and "120,00 ₽" in page
    assert "Итого к оплате" not in page and not ZERO_TO_PAY.search(page)
    assert page.count("Платить не нужно") == 2  # each payee's section
    pdf = await client.get(f"/accounts/{account}/receipts/2026-11/pdf")
    text = pdf_text(pdf.content)
    assert "Переплата на конец месяца 120,00 ₽" in text
    assert "Итого к оплате" not in text and not ZERO_TO_PAY.search(text)
    assert qr_sums(pdf.content) == [None, None]  # no sum in the codes: the bank asks the payer for one


async def test_a_receipt_paid_in_part_after_its_issue_keeps_its_sum_and_says_what_is_due_now(
    client, login, make_user, billed
):
    await ledger.post_payment(billed["first"], D("1000.00"), "pay-after", datetime(2026, 12, 2, tzinfo=UTC))
    assert await ledger_sum(billed["first"]) == D("2341.23")
    await login(client, await make_user(accounts={billed["first"]: "owner"}))
    page = (await client.get(f"/accounts/{billed['first']}/receipts/2026-11")).text.replace(NBSP, " ")
    assert "Итого к оплате до 15 декабря 2026 г." in page or "Итого к оплате до 15 декабря 2026" in page
    assert "3 341,23 ₽" in page
    assert "Квитанция показывает сумму к оплате на 30 ноября 2026" in page
    assert "после этой даты: 2 341,23 ₽" in page and "Оплатить 2 341,23 ₽" in page
    pdf = await client.get(f"/accounts/{billed['first']}/receipts/2026-11/pdf")
    assert "3 341,23 ₽" in pdf_text(pdf.content)  # the document as issued
    assert sorted(qr_sums(pdf.content)) == ["285253", "48870"]  # 2 852.53 + 488.70 = 3 341.23
    home = (await client.get("/")).text.replace(NBSP, " ")
    assert "К оплате 2 341,23 ₽" in home
    pay = await client.get(f"/pay?account={billed['first']}&period=2026-11")
    assert 'value="2341,23"' in pay.text


async def test_a_receipt_that_is_what_is_due_says_nothing_more(client, login, make_user, billed):
    await login(client, await make_user(accounts={billed["first"]: "owner"}))
    page = (await client.get(f"/accounts/{billed['first']}/receipts/2026-11")).text
    assert "data-due-now" not in page


async def test_a_refund_on_a_receipt_is_no_charge_and_is_listed_as_a_refund_not_a_payment(
    client, login, make_user, billed
):
    account = billed["first"]
    await ledger.post_payment(account, D("5000.00"), "pay-big", datetime(2026, 11, 20, tzinfo=UTC))
    await ledger.post_refund(account, D("1000.00"), "refund-1", datetime(2026, 11, 21, tzinfo=UTC), "ошибка")
    await receipts.issue(NOVEMBER, [account])
    # Opening 3 341.23 + charged 3 341.23 − paid (3 341.23 + 5 000.00 − 1 000.00) = −658.77.
    assert await ledger_sum(account) == D("-658.77")
    await login(client, await make_user(accounts={account: "owner"}))
    page = (await client.get(f"/accounts/{account}/receipts/2026-11")).text.replace(NBSP, " ")
    assert 'Начислено за месяц</dt><dd class="num">3 341,23 ₽' in page  # what the services add up to
    assert 'Оплачено в месяце</dt><dd class="num">7 341,23 ₽' in page
    assert 'Возврат оплаты <span class="money">1 000,00 ₽' in page
    assert "Переплата на конец месяца" in page and "658,77 ₽" in page
    text = pdf_text((await client.get(f"/accounts/{account}/receipts/2026-11/pdf")).content)
    assert "Начислено за месяц 3 341,23 ₽" in text and "Оплачено в месяце 7 341,23 ₽" in text
    assert "возврат оплаты 1 000,00 ₽" in text and "-1 000,00" not in text


async def test_a_months_penalty_falls_due_with_its_receipt_not_the_day_it_is_posted(
    client, login, make_user, billed, monkeypatch
):
    from portal.billing import penalties

    # The run of 1 December posts November's penalties into November: the second account's October capital repair
    # (due 16.11) accrued from day 1. They go on November's receipt, due 15.12 with its charges.
    await penalties.post_penalties(NOVEMBER)
    await receipts.issue(NOVEMBER, [billed["second"]])
    penalty = await ledger_sum(billed["second"]) - D("5182.58")
    assert penalty > 0
    monkeypatch.setattr(clock, "today_local", lambda: date(2026, 12, 6))
    await login(client, await make_user(accounts={billed["second"]: "owner"}))
    home = (await client.get("/")).text.replace(NBSP, " ")
    assert f"К оплате {5182.58 + float(penalty):,.2f} ₽".replace(",", " ").replace(".", ",") in home
    assert "Из них просрочено: 2 591,29 ₽" in home  # October's charges only, not November's penalty
    await login(client, await make_user(roles=("accountant",), houses=(billed["house"],)))
    rows = list(
        csv.reader(io.StringIO((await client.get("/staff/billing/debtors.csv?period=2026-11")).text), delimiter=";")
    )
    assert [r[5] for r in rows[1:]] == ["2591,29"]  # overdue at November's end: October's charges
    monkeypatch.setattr(clock, "today_local", lambda: date(2026, 12, 16))
    rows = list(
        csv.reader(io.StringIO((await client.get("/staff/billing/debtors.csv?period=2026-12")).text), delimiter=";")
    )
    owed = {r[0].strip('="'): r[5] for r in rows[1:]}
    assert owed["7700000002"] == f"{5182.58 + float(penalty):.2f}".replace(".", ",")  # all of it, from 16 December


async def test_a_receipt_issued_before_its_month_ended_says_the_day_it_was_issued(client, login, make_user, billed):
    account = billed["first"]
    await receipts.issue(NOVEMBER, [account], now=datetime(2026, 11, 29, 9, tzinfo=UTC))
    await ledger.post_payment(account, D("341.23"), "pay-late-nov", datetime(2026, 11, 30, 9, tzinfo=UTC))
    await login(client, await make_user(accounts={account: "owner"}))
    page = (await client.get(f"/accounts/{account}/receipts/2026-11")).text.replace(NBSP, " ")
    assert "Квитанция показывает сумму к оплате на 29 ноября 2026" in page
    assert "после этой даты: 3 000,00 ₽" in page


async def test_the_staff_account_months_show_an_overpayment_in_words_not_with_a_minus(client, login, make_user, billed):
    await ledger.post_payment(billed["first"], D("3461.23"), "pay-ahead", datetime(2026, 11, 20, tzinfo=UTC))
    await login(client, await make_user(roles=("accountant",), houses=(billed["house"],)))
    page = (await client.get(f"/staff/billing/accounts/{billed['first']}")).text.replace(NBSP, " ")
    months = page.split('id="months-h"')[1].split("</table>")[0]
    assert "Переплата 120,00 ₽" in months  # November's closing balance
    assert "−" not in months and "-120" not in months


async def test_the_debtors_list_of_a_month_says_the_day_its_debt_is_of(client, login, make_user, billed, monkeypatch):
    # A payment of 2 December is not in November's list, which says it is of 30 November; December's is of today.
    await ledger.post_payment(billed["second"], D("1000.00"), "pay-dec", datetime(2026, 12, 2, 9, tzinfo=UTC))
    monkeypatch.setattr(clock, "today_local", lambda: date(2026, 12, 6))
    await login(client, await make_user(roles=("accountant",), houses=(billed["house"],)))
    november = (await client.get("/staff/billing/debtors?period=2026-11")).text.replace(NBSP, " ")
    assert "Долг на 30 ноября 2026" in november and "5 182,58 ₽" in november
    december = (await client.get("/staff/billing/debtors?period=2026-12")).text.replace(NBSP, " ")
    assert "Долг на 6 декабря 2026" in december and "4 182,58 ₽" in december


async def test_the_qr_penalty_is_never_more_than_the_sum_to_pay(billed):
    from portal.billing import penalties
    from portal.billing import qr
    from portal.billing.tables import Receipt
    from portal.billing.tables import ReceiptSection

    account = billed["second"]
    await penalties.post_penalties(NOVEMBER)
    # Paid in November all but 1.00 of what is owed at its end, penalties included.
    owed = await ledger_sum(account)
    await ledger.post_payment(account, owed - D("1.00"), "pay-most", datetime(2026, 11, 29, tzinfo=UTC))
    await receipts.issue(NOVEMBER, [account])
    receipt = await Receipt.select().where((Receipt.account == account) & (Receipt.period == NOVEMBER)).first()
    assert receipt["to_pay_kopecks"] == 100 and receipt["penalties_kopecks"] > 100
    sections = await ReceiptSection.select().where(ReceiptSection.receipt == receipt["id"])
    fields = [qr.parse(s["qr_payload"]).fields for s in sections]
    assert sum(int(f.get("Sum") or 0) for f in fields) == 100
    assert all(int(f.get("AddAmount") or 0) <= int(f.get("Sum") or 0) for f in fields)


async def test_a_balance_correction_stands_on_its_own_line_with_its_reason_not_in_the_months_charges(
    client, login, make_user, billed
):
    from portal.billing.tables import EntryKind

    account = billed["first"]
    reason = "Ошибка прежнего биллинга в показаниях за август"
    await ledger.post_entry(account, EntryKind.CORRECTION, 500_00, datetime(2026, 11, 16, 9, tzinfo=UTC), note=reason)
    await receipts.issue(NOVEMBER, [account])
    # Opening 3 341.23 + charged 3 341.23 + corrected 500.00 − paid 3 341.23.
    assert await ledger_sum(account) == D("3841.23")
    await login(client, await make_user(accounts={account: "owner"}))
    page = (await client.get(f"/accounts/{account}/receipts/2026-11")).text.replace(NBSP, " ")
    assert 'Начислено за месяц</dt><dd class="num">3 341,23 ₽' in page  # what the services add up to
    assert 'Корректировка сальдо</dt><dd class="num" data-corrections>500,00 ₽' in page
    assert f"Корректировка сальдо: {reason}" in page
    assert '<p class="balance" data-total>3 841,23 ₽' in page
    pdf = await client.get(f"/accounts/{account}/receipts/2026-11/pdf")
    text = pdf_text(pdf.content)
    assert "Начислено за месяц 3 341,23 ₽" in text and "Корректировка сальдо 500,00 ₽" in text
    assert reason in text and "3 841,23 ₽" in text
    assert sorted(qr_sums(pdf.content)) == ["335253", "48870"]  # the УК's section takes the correction: 3 841.23
    history = (await client.get(f"/accounts/{account}/history")).text
    assert f"Корректировка сальдо · {reason}" in history
    assert "Корректировка сальдо — не начисление и не оплата" in history  # why it stands under «Начислено»


async def test_an_opening_balance_taken_over_that_lowers_the_debt_is_a_correction_with_a_minus(
    client, login, make_user, billed
):
    from portal.billing import notes
    from portal.billing.tables import EntryKind

    account = billed["first"]
    moment = datetime(2026, 11, 30, 20, 59, 59, tzinfo=UTC)  # the last second of November in Moscow
    note = notes.OPENING.write(month=date(2026, 12, 1))
    await ledger.post_entry(account, EntryKind.CORRECTION, -5000_00, moment, note=note)
    await receipts.issue(NOVEMBER, [account])
    assert await ledger_sum(account) == D("-1658.77")
    await login(client, await make_user(accounts={account: "owner"}))
    page = (await client.get(f"/accounts/{account}/receipts/2026-11")).text.replace(NBSP, " ")
    assert 'Начислено за месяц</dt><dd class="num">3 341,23 ₽' in page
    assert 'Корректировка сальдо</dt><dd class="num" data-corrections>−5 000,00 ₽' in page
    assert "по данным биллинга" in page
    assert "Переплата на конец месяца" in page and "1 658,77 ₽" in page and not ZERO_TO_PAY.search(page)
    text = pdf_text((await client.get(f"/accounts/{account}/receipts/2026-11/pdf")).content)
    assert "Корректировка сальдо −5 000,00 ₽" in text and "Переплата на конец месяца 1 658,77 ₽" in text
