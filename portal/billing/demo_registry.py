"""Demo: last month's payments of some accounts arrive as a bank's registry instead of straight in the ledger —
paid by the receipt's QR in a bank's app or at a cash desk, some of them on the portal (the bank lists them too:
recognised, credited once), two to accounts the portal does not know (the queue), one listed twice — and the
billing system's export of balances agrees with the portal, so the reconciliation finds nothing.

The registry goes through the same reading and the same apply as an uploaded file (``registry_files``,
``registries.apply_lines``); ``registry_text`` is the file (the format of ``tests/billing/bank_registry_sample.txt``).
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from datetime import date
from datetime import datetime
from datetime import timedelta
from typing import Any

from portal.billing import book
from portal.billing import ledger
from portal.billing import notes
from portal.billing import reconcile
from portal.billing import registries
from portal.billing import registry_files
from portal.billing import rules
from portal.billing.registry_tables import RegistryKind
from portal.billing.tables import EntryKind
from portal.core import calendar
from portal.core import clock
from portal.core.security import Principal
from portal.demo import DemoContext
from portal.housing.tables import PersonalAccount
from portal.payments import demo_gateway
from portal.payments.tables import Payment
from portal.payments.tables import PaymentPurpose
from portal.payments.tables import PaymentStatus

COMPANY = Principal(name="Демо: бухгалтерия", house_ids=None)
SHARE = 4  # one account in four pays last month through the bank's registry
PORTAL_EVERY = 5  # … and one of those in five paid on the portal (the bank lists it too)
CHANNELS = ("qr", "qr", "cash", "sbp")
FILE_NAME = "reestr-bank.txt"
RECEIVED = timedelta(hours=9)  # a day's file is applied at nine the next working morning


def split(entries: list[dict[str, Any]], rng: Any) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The month's payments: those posted straight, and those that arrive by the registry."""
    direct, by_bank = [], []
    for entry in entries:
        (by_bank if rng.randrange(SHARE) == 0 else direct).append(entry)
    return direct, by_bank


async def load(ctx: DemoContext, entries: list[dict[str, Any]], period: date) -> None:
    """Build last month's bank registries from these payments, a file a day (plus the unknown accounts and the
    repeat), and apply each as it would have been applied: the next working morning."""
    if not entries:
        return
    payers = {
        r["id"]: (r["number"], r["payer_name"])
        for r in await PersonalAccount.select(
            PersonalAccount.id, PersonalAccount.number, PersonalAccount.payer_name
        ).where(PersonalAccount.id.is_in(sorted({e["account"] for e in entries})))
    }
    days: dict[date, list[str]] = defaultdict(list)  # the bank sends a file a day: the payments of the day before
    for n, entry in enumerate(entries):
        kopecks = -entry["amount_kopecks"]
        moment = entry["occurred_at"]
        payment_id = f"SB-{moment:%Y%m%d}-{n + 1:05d}"
        if n % PORTAL_EVERY == 0:
            payment_id = await _portal_payment(entry["account"], kopecks, moment, period)
        channel = CHANNELS[n % len(CHANNELS)]
        days[clock.local(moment).date()].append(
            _line(moment, payment_id, payers[entry["account"]], kopecks, period, channel)
        )
    last = max(e["occurred_at"] for e in entries)
    last_day = clock.local(last).date()
    # Two the accountant sorts out by the payer's name: a digit of the first resident's account mistyped at the bank's
    # counter, and someone paying another company's account to this one.
    first = (await PersonalAccount.select(PersonalAccount.payer_name).order_by(PersonalAccount.number).first())[
        "payer_name"
    ]
    days[last_day].append(_line(last, f"SB-{last:%Y%m%d}-90001", ("9100000001", first), 215000, period, "cash"))
    stranger = ("0770000123", "Кравченко Ольга Николаевна")
    days[last_day].append(_line(last, f"SB-{last:%Y%m%d}-90002", stranger, 98050, period, "qr"))
    twice = next(day for day in sorted(days) if any(";SB-" in line for line in days[day]))
    days[twice].append(next(line for line in days[twice] if ";SB-" in line))  # the bank listed one payment twice
    ctx.shared["bank_registry"] = registry_text([line for day in sorted(days) for line in days[day]])
    for day in sorted(days):
        parsed = registry_files.read_registry(FILE_NAME, registry_text(days[day]))
        if not parsed.ok:
            raise ValueError(f"the demo registry does not read: {[p.message() for p in parsed.problems]}")
        # Received and credited the next working morning, not on the day the demo is loaded.
        received = min(clock.day_start(calendar.add_working_days(day, 1)) + RECEIVED, clock.now())
        await registries.apply_lines(parsed.rows, COMPANY, RegistryKind.BANK, f"reestr-bank-{day:%Y%m%d}.txt", received)
    ctx.say(f"billing: {len(days)} daily bank registries for {period:%m.%Y}")


def _line(moment: datetime, payment_id: str, payer: tuple[str, str], kopecks: int, period: date, channel: str) -> str:
    """A line of the bank's file: the account number and the payer's name as the bank's client gave them."""
    local = moment.astimezone(clock.zone())
    amount = f"{kopecks // 100},{kopecks % 100:02d}"
    number, name = payer
    return (
        f"{local:%d.%m.%Y};{local:%H:%M:%S};8626;0001;{payment_id};{number};{name};;"
        f"{rules.add_months(period, -1):%m%y};{amount};{amount};0,00;{channel}"
    )


def registry_text(lines: list[str]) -> bytes:
    """The file as a bank sends it: a comment, the lines, the totals line; Windows-1251."""
    total = sum(registry_files.parse_kopecks(line.split(";")[9]) or 0 for line in lines)
    totals = f"={len(lines)};{total // 100},{total % 100:02d};{total // 100},{total % 100:02d};0,00;1;"
    return "\r\n".join(["# Реестр платежей ПАО «Банк» (демо)", *lines, totals, ""]).encode("cp1251")


async def _portal_payment(account_id: int, kopecks: int, moment: datetime, period: date) -> str:
    """A payment the resident made on the portal by card, credited as the portal credits it; the id the bank lists
    it by: its payment intent at the gateway (paid there too, so that it can be refunded), else its own."""
    uid = secrets.token_hex(8)
    description = f"ЖКУ за {rules.add_months(period, -1):%m.%Y}"
    intent = demo_gateway.paid_intent(kopecks, uid, description)
    await Payment.insert(
        Payment(
            uid=uid,
            batch=uid,
            account=account_id,
            amount_kopecks=kopecks,
            status=PaymentStatus.SUCCEEDED,
            purpose=PaymentPurpose.UTILITIES,
            intent_id=intent,
            method="card",
            idempotency_key=uid,
            description=description,
            created_at=moment,
            paid_at=moment,
            credited_at=moment,
        )
    )
    # Credited the moment it was paid, as the portal credits a card payment (the gateway's notice comes at once),
    # not the day the demo is loaded.
    await ledger.post_bulk(
        [
            {
                "account": account_id,
                "kind": EntryKind.PAYMENT,
                "amount_kopecks": -kopecks,
                "occurred_at": moment,
                "reference": registries.portal_reference(uid),
                "note": notes.ONLINE.write(),
                "created_at": moment,
            }
        ],
        ledger.period_of(moment),
    )
    return intent or uid


async def load_export(ctx: DemoContext, period: date) -> None:
    """The billing system's export of balances for ``period`` (it agrees with the portal), then the check."""
    ids = [r["id"] for r in await PersonalAccount.select(PersonalAccount.id).order_by(PersonalAccount.id)]
    numbers = {r["id"]: r["number"] for r in await PersonalAccount.select(PersonalAccount.id, PersonalAccount.number)}
    closings = await reconcile.portal_closings(ids, period)
    openings = await book.portal_openings(ids, period)
    content = export_text([(numbers[a], period, openings.get(a, 0), closings.get(a, 0)) for a in ids])
    ctx.shared["billing_export"] = content
    parsed = registry_files.read_balances("saldo.csv", content, need="closing")
    await book.load(parsed.rows, COMPANY, book.EXPORT)
    await reconcile.reconcile(period, ctx.today)


def export_text(rows: list[tuple[str, date, int, int]]) -> bytes:
    """account;period;opening;closing in roubles, as the billing system exports them."""

    def rub(kopecks: int) -> str:
        sign = "-" if kopecks < 0 else ""
        return f"{sign}{abs(kopecks) // 100},{abs(kopecks) % 100:02d}"

    body = [f"{n};{p:%m.%Y};{rub(o)};{rub(c)}" for n, p, o, c in rows]
    return "\r\n".join(["Лицевой счёт;Период;Сальдо на начало;Сальдо на конец", *body, ""]).encode("utf-8")
