"""Issuing a month's receipts as a job: batches, a worker stopped mid-way, a second start."""

from __future__ import annotations

import json
from datetime import UTC
from datetime import date
from datetime import datetime

import pytest

from portal.billing import issuing
from portal.billing import notices
from portal.billing.queries import account_ids_of_houses
from portal.billing.queries import count_of_houses
from portal.billing.tables import Receipt
from portal.billing.tables import ReceiptNotice
from portal.billing.tables import ReceiptSection
from portal.core import clock
from portal.core.security import Principal
from portal.core.tables import AuditEvent
from portal.core.tables import JobRun
from tests.billing.conftest import import_sample

NOVEMBER = date(2026, 11, 1)
ISSUED_AT = datetime(2026, 12, 1, 9, tzinfo=UTC)


@pytest.fixture
async def month(db, catalog, make_account, make_user, monkeypatch):
    """Two accounts charged for November and a third without charges, in one house; a batch of one account."""
    first = await make_account(number="7700000001", payer="Иванов Иван Иванович", premise_number="12")
    second = await make_account(number="7700000002", payer="Петрова Анна Сергеевна", house=first.house)
    third = await make_account(number="7700000003", payer="Сидоров Пётр", house=first.house, premise_number="14")
    await import_sample(NOVEMBER, datetime(2026, 11, 28, tzinfo=UTC))
    monkeypatch.setattr(issuing, "_batch", lambda: 1)
    accountant = await make_user(roles=("accountant",), houses=(first.house,))
    return {"house": first.house, "accounts": [first.account, second.account, third.account], "user": accountant}


def _accountant(month):
    return Principal(user_id=month["user"], name="Бухгалтер", house_ids=frozenset({month["house"]}))


async def _outcome() -> dict:
    """What issuing leaves: the receipts with their sums and sections, the notices, the audit rows."""
    receipts = await Receipt.select(
        Receipt.account, Receipt.period, Receipt.to_pay_kopecks, Receipt.charged_kopecks, Receipt.issued_by
    ).order_by(Receipt.account)
    sections = await ReceiptSection.select(
        ReceiptSection.receipt.account, ReceiptSection.payee, ReceiptSection.total_kopecks, ReceiptSection.qr_payload
    ).order_by(ReceiptSection.receipt.account, ReceiptSection.payee)
    told = await ReceiptNotice.select(ReceiptNotice.account, ReceiptNotice.key).order_by(ReceiptNotice.account)
    events = await AuditEvent.select(AuditEvent.actor_id, AuditEvent.entity_id, AuditEvent.changes).where(
        AuditEvent.action == "billing.receipts.issue"
    )
    return {"receipts": receipts, "sections": sections, "told": told, "events": events}


async def _forget_all() -> None:
    await ReceiptSection.delete(force=True)
    await Receipt.delete(force=True)
    await ReceiptNotice.delete(force=True)
    await AuditEvent.delete().where(AuditEvent.action == "billing.receipts.issue")
    await JobRun.delete().where(JobRun.name == issuing.NAME)


async def test_a_run_issues_the_month_a_batch_at_a_time_and_says_who_and_how_many(month):
    run, started = await issuing.start(_accountant(month), NOVEMBER, None)
    assert started and (run.total, run.done, run.running) == (3, 0, True)
    assert await Receipt.count() == 0, "the request only starts the run"
    assert await issuing.work(ISSUED_AT) == 1
    (done,) = await issuing.of_month(NOVEMBER, _accountant(month))
    assert (done.status, done.done, done.issued, done.skipped) == ("done", 3, 2, 1)
    outcome = await _outcome()
    assert [r["account"] for r in outcome["receipts"]] == month["accounts"][:2]
    assert {r["issued_by"] for r in outcome["receipts"]} == {month["user"]}
    assert [r["account"] for r in outcome["told"]] == month["accounts"][:2]
    (event,) = outcome["events"]
    changes = event["changes"] if isinstance(event["changes"], dict) else json.loads(event["changes"])
    assert (event["actor_id"], changes["issued"], changes["skipped"]) == (month["user"], 2, 1)
    assert await issuing.work(ISSUED_AT) == 0, "a finished run is not run again"


async def test_a_worker_stopped_mid_way_leaves_what_one_run_leaves(month, monkeypatch):
    await issuing.start(_accountant(month), NOVEMBER, None)
    await issuing.work(ISSUED_AT)
    whole = await _outcome()
    await _forget_all()

    run, _ = await issuing.start(_accountant(month), NOVEMBER, None)
    run = await issuing._claim(run)
    run = await issuing.step(run, ISSUED_AT)  # the first account's batch is done and kept
    real_wait = notices.wait

    async def dies(*args, **kwargs):  # the process stops in the middle of the second batch
        await real_wait(*args, **kwargs)
        raise SystemExit("worker stopped")

    monkeypatch.setattr(notices, "wait", dies)
    with pytest.raises(SystemExit):
        await issuing.step(run, ISSUED_AT)
    monkeypatch.setattr(notices, "wait", real_wait)
    assert [r["account"] for r in await Receipt.select(Receipt.account)] == month["accounts"][:1]
    assert await issuing.work(ISSUED_AT) == 0, "the run is still its stopped worker's until it goes stale"

    await JobRun.update({JobRun.detail: issuing.replace(run, beat=0.0).detail()}).where(JobRun.id == run.id)
    assert await issuing.work(ISSUED_AT) == 1  # another worker takes it up after the first batch
    assert await _outcome() == whole
    (done,) = await issuing.of_month(NOVEMBER, _accountant(month))
    assert (done.done, done.issued, done.skipped) == (3, 2, 1)


async def test_a_second_start_of_a_running_month_shows_the_running_one(month):
    first, started = await issuing.start(_accountant(month), NOVEMBER, month["house"])
    again, started_again = await issuing.start(_accountant(month), NOVEMBER, month["house"])
    assert (started, started_again, again.id) == (True, False, first.id)
    assert await JobRun.count().where(JobRun.name == issuing.NAME) == 1
    await issuing.work(ISSUED_AT)
    later, started_later = await issuing.start(_accountant(month), NOVEMBER, month["house"])
    assert started_later and later.id == first.id and later.done == 0, "once finished, the month may be issued again"


async def test_the_receipts_page_starts_a_run_and_shows_its_progress(client, login, month):
    await login(client, month["user"])
    data = {"period": "2026-11", "house": str(month["house"])}
    response = await client.form("/staff/billing/receipts", data)
    assert response.status_code == 303
    progress = await client.get("/staff/billing/receipts/progress?period=2026-11", headers={"HX-Request": "true"})
    assert "Выпуск квитанций за ноябрь: 0 из 3" in progress.text
    assert 'hx-trigger="every 2s"' in progress.text and 'role="status"' in progress.text
    again = await client.form("/staff/billing/receipts", data)
    assert again.status_code == 303
    page = await client.get(again.headers["location"])
    assert "Эти квитанции уже выпускаются" in page.text and "0 из 3" in page.text
    await issuing.work(clock.now())
    done = await client.get("/staff/billing/receipts/progress?period=2026-11", headers={"HX-Request": "true"})
    assert "Выпущено квитанций за ноябрь 2026: 2; лицевых счетов без начислений: 1." in done.text
    assert "hx-trigger" not in done.text, "a finished run is not polled"


async def test_a_runs_total_is_the_number_of_accounts_it_walks(month, make_account):
    """The accounts a run counts when it starts and those it issues for, a batch at a time, are read alike: of the
    house chosen, or of every house the accountant works with (another house's account is neither)."""
    elsewhere = await make_account(number="7700000004", premise_number="1")
    admin = Principal(user_id=month["user"], name="Администратор", house_ids=None)
    for principal, house, accounts in [
        (_accountant(month), None, month["accounts"]),
        (_accountant(month), month["house"], month["accounts"]),
        (admin, None, [*month["accounts"], elsewhere.account]),
        (admin, elsewhere.house, [elsewhere.account]),
    ]:
        walked = await account_ids_of_houses(principal, house)
        assert await count_of_houses(principal, house) == len(walked)
        assert walked == sorted(accounts)
        assert await account_ids_of_houses(principal, house, after=walked[0], limit=1) == walked[1:2]
