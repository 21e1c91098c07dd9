"""Reconciliation with the billing system (issue 20): the rule, and the demo — whose last month arrives partly by a
bank's registry — showing no difference after its imports, while an altered export shows exactly what was altered."""

from __future__ import annotations

import random
from datetime import date

from portal.billing import book
from portal.billing import demo
from portal.billing import demo_registry
from portal.billing import reconcile
from portal.billing import registry_files
from portal.billing.reconcile import Difference
from portal.billing.reconcile import differences
from portal.billing.registry_tables import BalanceDifference
from portal.billing.registry_tables import LineStatus
from portal.billing.registry_tables import RegistryPayment
from portal.billing.tables import LedgerEntry
from portal.core.tables import OutboxMessage
from portal.demo import DemoContext
from portal.housing import demo as housing_demo
from tests.billing.conftest import EVERY_HOUSE

TODAY = date(2026, 12, 2)
LAST_MONTH = date(2026, 11, 1)


def test_a_difference_is_more_than_a_kopeck_and_a_missing_portal_balance_is_zero():
    portal = {1: 10000, 2: 5000, 3: -200}
    book_side = {1: 10001, 2: 4990, 3: -200, 4: 700}
    assert differences(portal, book_side) == [Difference(2, 5000, 4990), Difference(4, 0, 700)]
    assert differences(portal, book_side)[0].difference == 10
    assert differences({1: 0}, {1: 2}, tolerance=1) == [Difference(1, 0, 2)]


async def test_the_demo_reconciles_with_no_difference_and_an_altered_export_shows_exactly_the_altered(db, make_user):
    ctx = DemoContext(rng=random.Random(20261125), today=TODAY)
    await housing_demo.seed(ctx)
    await demo.seed(ctx)

    # The demo's registry: credited once each, two unknown accounts queued, the repeated line skipped.
    lines = await RegistryPayment.select(RegistryPayment.status, RegistryPayment.reference)
    statuses = [r["status"] for r in lines]
    assert statuses.count(LineStatus.UNMATCHED) == 2
    assert statuses.count(LineStatus.PORTAL) >= 1 and statuses.count(LineStatus.CREDITED) >= 10
    text = ctx.shared["bank_registry"].decode("cp1251")
    assert len(text.splitlines()) == len(lines) + 1 + 2, "a comment, the lines, one repeat and the totals line"
    for r in lines:
        if r["status"] != LineStatus.UNMATCHED:
            assert await LedgerEntry.count().where(LedgerEntry.reference == r["reference"]) == 1

    assert await BalanceDifference.count() == 0
    result = await reconcile.reconcile(LAST_MONTH, TODAY)
    assert result.compared > 500 and result.found == 0

    # The billing system's export with two balances changed: exactly those two accounts differ.
    export = ctx.shared["billing_export"].decode("utf-8").splitlines()
    changed = {}
    for index in (5, 17):
        number, period, opening, _ = export[index].split(";")
        export[index] = f"{number};{period};{opening};1234,56"
        changed[number] = 123456
    await make_user(roles=("accountant",))
    parsed = registry_files.read_balances("altered.csv", "\r\n".join(export).encode(), need="closing")
    assert parsed.ok
    await book.load(parsed.rows, EVERY_HOUSE, book.EXPORT)
    result = await reconcile.reconcile(LAST_MONTH, TODAY)
    found = await reconcile.rows(LAST_MONTH, EVERY_HOUSE, None, 0, 100)
    assert result.found == 2
    assert {r.number: r.book for r in found} == changed
    assert all(r.portal_side for r in found), "each difference comes with the portal's entries of the month"
    alerts = await OutboxMessage.count().where(OutboxMessage.template == "billing_reconciliation")
    assert alerts >= 1, "the accountant is alerted"
    # The same day again: the differences are replaced, not added, and the alert is not sent twice.
    await reconcile.reconcile(LAST_MONTH, TODAY)
    assert await BalanceDifference.count() == 2
    assert await OutboxMessage.count().where(OutboxMessage.template == "billing_reconciliation") == alerts


async def test_opening_balances_are_taken_over_and_loading_them_again_changes_nothing(db, make_account, catalog):
    first = await make_account(number="7700000001")
    second = await make_account(number="7700000002", house=first.house)
    content = demo_registry.export_text([("7700000001", LAST_MONTH, 150000, 0), ("7700000002", LAST_MONTH, -2050, 0)])
    parsed = registry_files.read_balances("saldo.csv", content, need="opening")
    assert parsed.ok, parsed.problems
    report = await book.load(parsed.rows, EVERY_HOUSE, book.OPENING)
    assert report.created == {"accounts": 2, "corrections": 2}
    assert await book.portal_openings([first.account, second.account], LAST_MONTH) == {
        first.account: 150000,
        second.account: -2050,
    }
    entries = await LedgerEntry.count()
    again = await book.load(parsed.rows, EVERY_HOUSE, book.OPENING)
    assert again.created["corrections"] == 0 and await LedgerEntry.count() == entries
    unknown = registry_files.read_balances("u.csv", demo_registry.export_text([("0000000000", LAST_MONTH, 1, 0)]))
    refused = await book.load(unknown.rows, EVERY_HOUSE, book.OPENING)
    assert refused.problems and not refused.applied


async def test_the_daily_job_reconciles_the_newest_export_once_a_day(db, make_account, catalog):
    from datetime import UTC
    from datetime import datetime

    import portal.billing.routes_registries  # noqa: F401 (registers the job with the routes)
    from portal.core import jobs
    from portal.core.tables import JobRun

    await make_account(number="7700000001")
    content = demo_registry.export_text([("7700000001", LAST_MONTH, 0, 50000)])
    parsed = registry_files.read_balances("export.csv", content, need="closing")
    await book.load(parsed.rows, EVERY_HOUSE, book.EXPORT)
    job = jobs.registered()["reconciliation"]
    morning = datetime(2026, 12, 2, 6, 0, tzinfo=UTC)
    await jobs.run_job(job, morning)
    await jobs.run_job(job, morning.replace(hour=9))
    assert await JobRun.count().where(JobRun.name == "reconciliation") == 1
    (difference,) = await BalanceDifference.select()
    assert (difference["portal_kopecks"], difference["book_kopecks"], difference["period"]) == (0, 50000, LAST_MONTH)


async def test_the_accountants_alert_names_the_month_and_counts_the_accounts_in_each_readers_language(db, make_user):
    from portal.accounts.tables import User

    russian, english = await make_user(roles=("accountant",)), await make_user(roles=("accountant",))
    await User.update({User.locale: "en"}).where(User.id == english)
    await reconcile._alert(LAST_MONTH, TODAY, 1, 12345)
    await reconcile._alert(LAST_MONTH, date(2026, 12, 3), 2, 50000)

    async def bodies(user_id: int) -> list[str]:
        rows = await OutboxMessage.select(OutboxMessage.body).where(
            (OutboxMessage.template == "billing_reconciliation") & (OutboxMessage.user_id == user_id)
        )
        return sorted(r["body"].replace("\u00a0", " ") for r in rows)

    ru, en = await bodies(russian), await bodies(english)
    assert any(b.startswith("Сверка за ноябрь 2026 нашла 1 лицевой счёт, сальдо которого расходится") for b in ru), ru
    assert any("нашла 2 лицевых счёта, сальдо которых расходится с биллингом, всего на 500,00 ₽" in b for b in ru), ru
    assert any(b.startswith("The reconciliation of November 2026 found 1 account whose balance differs") for b in en)
    assert any("found 2 accounts whose balance differs from the billing system's, by ₽500.00 in all" in b for b in en)
