"""The monthly penalty run and the receipt issue, on both engines."""

from datetime import UTC
from datetime import date
from datetime import datetime
from decimal import Decimal as D

import pytest

from portal.billing import ledger
from portal.billing import penalties
from portal.billing import qr
from portal.billing import receipts
from portal.billing.tables import LedgerEntry
from portal.billing.tables import PenaltyAccrual
from portal.billing.tables import Receipt
from portal.billing.tables import ReceiptSection
from portal.core import jobs
from tests.billing.conftest import import_sample

JANUARY = date(2026, 1, 1)


@pytest.fixture
async def charged(make_account, catalog):
    first = await make_account(number="7700000001", payer="Иванов Иван Иванович")
    second = await make_account(number="7700000002", payer="Петрова Анна Сергеевна", area="38.10")
    await import_sample(JANUARY, datetime(2026, 1, 31, tzinfo=UTC))
    return first.account, second.account


async def test_penalties_of_a_month_are_posted_once_with_their_calculation(charged):
    first, second = charged
    # The second account paid on time (due 10.02.2026); the first did not pay at all.
    await ledger.post_payment(second, D("2591.29"), "pay-feb", datetime(2026, 2, 9, 10, tzinfo=UTC))
    march = date(2026, 3, 1)
    ran = await jobs.run_once(penalties.JOB_NAME, "2026-03", lambda: penalties.post_penalties(march))
    assert ran is True
    again = await jobs.run_once(penalties.JOB_NAME, "2026-03", lambda: penalties.post_penalties(march))
    assert again is False
    await penalties.post_penalties(march)  # even called directly, nothing is posted twice
    rows = await PenaltyAccrual.select().where(PenaltyAccrual.account == first).order_by(PenaltyAccrual.capital_repair)
    # Housing services 2 852.53: days 31…49 (13–31 March) at 1/300 of 9.5 %. Capital repair 488.70 accrues from
    # day 1: the 31 days of March and, as no run posted February, its 18 days (11–28 February: 2.79) too.
    assert [(r["capital_repair"], r["amount_kopecks"], r["recalculated_kopecks"]) for r in rows] == [
        (False, 1716, 0),
        (True, 758, 279),
    ]
    assert await PenaltyAccrual.count().where(PenaltyAccrual.account == second) == 0
    entries = await LedgerEntry.select().where((LedgerEntry.account == first) & (LedgerEntry.kind == "penalty"))
    assert [e["amount_kopecks"] for e in entries] == [2474]
    assert await ledger.balance_of(first) == D("3365.97")


async def test_the_monthly_job_is_registered_for_the_month_that_ended():
    job = jobs.registered()[penalties.JOB_NAME]
    assert job.key(datetime(2026, 4, 2, 8, tzinfo=UTC)) == "2026-03"


async def test_receipts_carry_one_section_per_payee_with_its_qr(charged):
    first, second = charged
    result = await receipts.issue(JANUARY, [first, second])
    assert result.issued == 2
    receipt = await Receipt.select().where((Receipt.account == first) & (Receipt.period == JANUARY)).first()
    assert receipt["to_pay_kopecks"] == 334123
    assert receipt["due_date"] == date(2026, 2, 10)
    sections = (
        await ReceiptSection.select().where(ReceiptSection.receipt == receipt["id"]).order_by(ReceiptSection.payee)
    )
    assert [s["total_kopecks"] for s in sections] == [285253, 48870]
    housing = qr.parse(sections[0]["qr_payload"])
    assert housing["Sum"] == "285253"
    assert housing["PersAcc"] == "7700000001"
    assert housing["LastName"] == "Иванов" and housing["MiddleName"] == "Иванович"
    assert housing["PaymPeriod"] == "012026"
    assert qr.validate(housing.fields) == []
    capital = qr.parse(sections[1]["qr_payload"])
    assert capital["Purpose"].startswith("Взнос на капремонт")
    # Issuing again replaces the receipt instead of adding one.
    await receipts.issue(JANUARY, [first])
    assert await Receipt.count().where(Receipt.account == first) == 1
    assert await ReceiptSection.count() == 4


def test_section_totals_give_other_payees_their_charges_and_the_rest_to_the_main_payee():
    assert receipts.section_totals(10000, {1: 7000, 2: 3000}, 1, [1, 2]) == {1: 7000, 2: 3000}
    assert receipts.section_totals(12000, {1: 7000, 2: 3000}, 1, [1, 2]) == {1: 9000, 2: 3000}
    assert receipts.section_totals(2000, {1: 7000, 2: 3000}, 1, [1, 2]) == {1: 0, 2: 2000}
    assert receipts.section_totals(-500, {1: 7000, 2: 3000}, 1, [1, 2]) == {1: 0, 2: 0}


def test_split_name():
    assert receipts.split_name("Иванов Иван Иванович") == ("Иванов", "Иван", "Иванович")
    assert receipts.split_name("ООО «Ромашка»") == ("ООО «Ромашка»", "", "")
    # A legal entity's payer without quotes is still no person: the QR carries its name whole, in LastName.
    assert receipts.split_name("ООО Ромашка") == ("ООО Ромашка", "", "")
    assert receipts.split_name("ТСЖ Солнечный Берег") == ("ТСЖ Солнечный Берег", "", "")


async def test_a_receipt_keeps_the_russian_address_whatever_language_issued_it(charged):
    """The receipt and its QR are Russian documents: a staff member reading the portal in English issued them with
    «…, flat 1» as the payer's address. The address is the recorded Russian one in either language."""
    from portal.core.i18n import set_locale

    first, _second = charged
    for locale in ("en", "ru"):
        set_locale(locale)
        await receipts.issue(JANUARY, [first])
        receipt = await Receipt.select(Receipt.id, Receipt.address).where(Receipt.account == first).first()
        assert receipt["address"].startswith("г. Симферополь, ул. Тестовая, д. "), receipt["address"]
        assert ", кв. " in receipt["address"] and "flat" not in receipt["address"], (locale, receipt["address"])
        section = (
            await ReceiptSection.select(ReceiptSection.qr_payload)
            .where(ReceiptSection.receipt == receipt["id"])
            .first()
        )
        assert qr.parse(section["qr_payload"])["PayerAddress"] == receipt["address"]
