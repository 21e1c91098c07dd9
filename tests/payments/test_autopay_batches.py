"""Autopay on the charge day at scale: one run goes through every due mandate in batches (not the first 200 by id
an hour), stops at its time budget and the next run goes on without charging anyone twice, and a month waiting
for a payment still open is not read again until that payment may have changed. The sandbox gateway over real
HTTP, on both database engines; the select's plan on PostgreSQL."""

from __future__ import annotations

import os
from datetime import timedelta
from decimal import Decimal
from typing import Any

from portal.billing.ledger import EntryKind
from portal.billing.ledger import post_entry
from portal.core.db import is_sqlite
from portal.housing.tables import Complex
from portal.housing.tables import House
from portal.housing.tables import PersonalAccount
from portal.housing.tables import Premise
from portal.payments import actions
from portal.payments import queries
from portal.payments import rules
from portal.payments.tables import AutopayMandate
from portal.payments.tables import Payment
from portal.payments.tables import PaymentMethod
from tests.payments.test_autopay_co_owners import _card_and_autopay
from tests.payments.test_refunds_autopay import RECEIPT_DAY
from tests.querylog import captured
from tests.querylog import plan_of
from tests.querylog import unindexed_steps

PERIOD = rules.period_key(RECEIPT_DAY.date())


async def _accounts(count: int) -> list[int]:
    tag = os.urandom(3).hex()
    complex_ = await Complex.insert(Complex(name=f"ЖК {tag}")).returning(Complex.id)
    house = await House.insert(House(complex=complex_[0]["id"], address=f"ул. Длинная, {tag}")).returning(House.id)
    premises = await Premise.insert(
        *(Premise(house=house[0]["id"], number=str(n), area=Decimal("40.00")) for n in range(1, count + 1))
    ).returning(Premise.id)
    accounts = await PersonalAccount.insert(
        *(
            PersonalAccount(number=f"7{tag}{n:04d}", premise=p["id"], payer_name="Петров П. П.")
            for n, p in enumerate(premises)
        )
    ).returning(PersonalAccount.id)
    return [a["id"] for a in accounts]


async def _owner_of(count: int, client: Any, login: Any, make_user: Any, gateway: Any) -> list[int]:
    """``count`` accounts owing 100 ₽ each, one owner with a saved card and autopay on every one, in id order."""
    ids = await _accounts(count)
    for account in ids:
        await post_entry(account, EntryKind.CHARGE, 10000, RECEIPT_DAY - timedelta(days=2), reference=f"c-{account}")
    owner = await make_user(name="Петров Пётр", accounts={a: "owner" for a in ids})
    await login(client, owner)
    await _card_and_autopay(client, owner, gateway, ids[0])
    card = await PaymentMethod.select(PaymentMethod.id).where(PaymentMethod.user == owner).first()
    await AutopayMandate.insert(
        *(
            AutopayMandate(account=a, user=owner, payment_method=card["id"], monthly_limit_kopecks=1000000)
            for a in ids[1:]
        )
    )
    return ids


async def _charges() -> dict[int, int]:
    """How many autopay charges each account has."""
    rows = await Payment.select(Payment.account).where(Payment.kind == "autopay")
    counted: dict[int, int] = {}
    for row in rows:
        counted[row["account"]] = counted.get(row["account"], 0) + 1
    return counted


def _reads(monkeypatch: Any) -> list[list[int]]:
    """The mandate ids each batch read (the real query, watched)."""
    seen: list[list[int]] = []
    real = queries.due_mandates

    async def watched(*args: Any, **kwargs: Any) -> list[dict[str, Any]]:
        rows = await real(*args, **kwargs)
        seen.append([r["account"] for r in rows])
        return rows

    monkeypatch.setattr(queries, "due_mandates", watched)
    return seen


async def test_one_run_charges_all_450_due_mandates_in_batches_of_200(client, login, make_user, gateway, monkeypatch):
    accounts = await _owner_of(450, client, login, make_user, gateway)
    reads = _reads(monkeypatch)
    charged = await gateway.exclusive(actions.run_autopay(RECEIPT_DAY, limit=200))
    assert charged == 450
    assert await _charges() == {a: 1 for a in accounts}, "every owner charged once, the last as the first"
    assert [len(r) for r in reads] == [200, 200, 50], "bounded batches, each after the last"
    assert sorted(a for r in reads for a in r) == accounts
    assert await gateway.exclusive(actions.run_autopay(RECEIPT_DAY + timedelta(hours=1))) == 0
    assert await _charges() == {a: 1 for a in accounts}


async def test_a_run_stopped_by_its_time_budget_is_finished_by_the_next_without_charging_twice(
    client, login, make_user, gateway, monkeypatch
):
    accounts = await _owner_of(30, client, login, make_user, gateway)
    reads = _reads(monkeypatch)
    ticks = {"now": 0.0}
    monkeypatch.setattr(actions, "monotonic", lambda: ticks["now"])
    real = actions._charge_mandate

    async def one_second_each(*args: Any) -> bool:
        ticks["now"] += 1
        return await real(*args)

    monkeypatch.setattr(actions, "_charge_mandate", one_second_each)
    first = await gateway.exclusive(actions.run_autopay(RECEIPT_DAY, limit=10, seconds=12.5))
    assert first == 13, "stopped once its 12.5 seconds were spent"
    assert await _charges() == {a: 1 for a in accounts[:13]}
    reads.clear()
    second = await gateway.exclusive(actions.run_autopay(RECEIPT_DAY + timedelta(hours=1), limit=10, seconds=60))
    assert second == 17
    assert await _charges() == {a: 1 for a in accounts}, "the rest charged, nobody twice"
    assert reads[0][0] == accounts[13], "what the first run did is not read again"


async def _mandate(account: int, card: int, user: int, **values: Any) -> int:
    rows = await AutopayMandate.insert(
        AutopayMandate(account=account, user=user, payment_method=card, monthly_limit_kopecks=1000000, **values)
    ).returning(AutopayMandate.id)
    return rows[0]["id"]


async def test_a_month_waiting_for_an_open_payment_is_not_read_until_that_payment_closes(db, household, make_user):
    now = RECEIPT_DAY + timedelta(hours=3)
    made = {}
    states = {
        "never run": {},
        "last month": {"last_period": "2026-11", "last_status": "succeeded"},
        "done": {"last_period": PERIOD, "last_status": "succeeded"},
        "waits, open": {"last_period": PERIOD, "last_status": "waiting", "waiting_until": now + timedelta(minutes=30)},
        "waits, closed": {"last_period": PERIOD, "last_status": "waiting", "waiting_until": now - timedelta(minutes=1)},
        "waits, co-owner open": {
            "last_period": PERIOD,
            "last_status": "waiting_co_owner",
            "waiting_until": now + timedelta(hours=1),
        },
        # A co-owner's charge without the gateway's answer: read once the answer window has passed since the last
        # look (it then asks the gateway), not on every run.
        "waits for an answer": {
            "last_period": PERIOD,
            "last_status": "waiting_co_owner",
            "updated_at": now - rules.CONFIRMATION_WAIT,
        },
        "waits for an answer, just looked": {
            "last_period": PERIOD,
            "last_status": "waiting_co_owner",
            "updated_at": now,
        },
        "off": {"active": False},
    }
    for name, values in states.items():
        account = household["accounts"][0]
        user = await make_user(accounts={account: "owner"}, rights=("view", "pay"))
        card = await PaymentMethod.insert(PaymentMethod(user=user, gateway_id=f"pm_{user}", last4="4242"))
        made[name] = await _mandate(account, card[0]["id"], user, **values)

    async def read(at: Any, month_due: bool = True) -> set[str]:
        rows = await queries.due_mandates(PERIOD, at, month_due=month_due, after=0, limit=100)
        return {name for name, id_ in made.items() if id_ in {r["id"] for r in rows}}

    with captured(db) as seen:
        assert await read(now) == {"never run", "last month", "waits, closed", "waits for an answer"}
    assert len(seen) == 1
    assert await read(now, month_due=False) == {"waits, closed", "waits for an answer"}, "before the charge day"
    later = await read(now + timedelta(minutes=30))
    assert {"waits, open"} <= later and "waits, co-owner open" not in later, "read once it may have closed"
    assert "waits, co-owner open" in await read(now + timedelta(hours=1))
    assert "waits for an answer, just looked" in await read(now + rules.CONFIRMATION_WAIT)

    if not is_sqlite(db):  # PostgreSQL answers from the partial index, not by reading every mandate done
        done = await make_user(accounts={})
        card = await PaymentMethod.insert(PaymentMethod(user=done, gateway_id="pm_done", last4="4242"))
        values = {"last_period": PERIOD, "last_status": "succeeded", "monthly_limit_kopecks": 1000000}
        await AutopayMandate.insert(
            *(
                AutopayMandate(account=a, user=done, payment_method=card[0]["id"], **values)
                for a in await _accounts(1500)
            )
        )
        await db.run_ddl("ANALYZE autopay_mandate")
        plan = await plan_of(db, seen[0], forbid_seqscan=True)
        assert "autopay_mandate_due" in plan and not unindexed_steps(plan, "autopay_mandate", False), plan
