"""Demo billing: 12 months of charges, payments, penalties and receipts for every demo account, ~15 % debtors.

Deterministic (every random choice comes from ``ctx.rng``) and fast: rows are built in Python and inserted in
bulk statements (``core.bulk``); balances are rebuilt once per month for all accounts.
"""

from __future__ import annotations

import copy
import random
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from decimal import ROUND_HALF_UP
from decimal import Decimal
from typing import Any

from portal.billing import demo_registry
from portal.billing import ledger
from portal.billing import notes
from portal.billing import penalties
from portal.billing import receipts
from portal.billing import rules
from portal.billing.actions import ensure_catalog
from portal.billing.tables import Charge
from portal.billing.tables import EntryKind
from portal.billing.tables import Receipt
from portal.core import bulk
from portal.core import clock
from portal.core.db import to_kopecks
from portal.demo import DemoContext
from portal.housing.tables import PersonalAccount

MONTHS = 12
CHARGE_COLUMNS = (
    "account",
    "period",
    "service",
    "volume",
    "tariff_kopecks",
    "amount_kopecks",
    "recalculation_kopecks",
    "recalculation_reason",
    "basis",
    "basis_note",
    "volume_common",
    "created_at",
)
# Services whose whole volume is for common needs (ОДН): the receipt prints it in that column too.
COMMON_NEEDS = frozenset({"electricity_common"})
KOPECK = Decimal("0.01")
# A month without readings is charged the average of the last year's months, of three at least (DOMAIN.md §4.2).
AVERAGE_MONTHS, AVERAGE_FROM = 12, 3

# Tariffs (₽ per unit) before and after the indexation of 1 July.
TARIFFS: dict[str, tuple[Decimal, Decimal]] = {
    "maintenance": (Decimal("32.50"), Decimal("35.10")),
    "cold_water": (Decimal("49.87"), Decimal("55.81")),
    "hot_water": (Decimal("243.16"), Decimal("272.10")),
    "sewerage": (Decimal("39.21"), Decimal("43.87")),
    "electricity_common": (Decimal("6.42"), Decimal("7.18")),
    "waste": (Decimal("110.05"), Decimal("123.15")),
    "capital_repair": (Decimal("9.00"), Decimal("9.00")),
}


def _indexation(today: date) -> date:
    """Tariffs change on 1 July: the last such day up to today."""
    return date(today.year if today.month >= 7 else today.year - 1, 7, 1)


def _tariff(code: str, period: date, indexation: date) -> Decimal:
    before, after = TARIFFS[code]
    return after if period >= indexation else before


def _money(value: Decimal) -> Decimal:
    return value.quantize(KOPECK, rounding=ROUND_HALF_UP)


class _Profile:
    """How an account pays: on time, a little ahead, late, not at all for its last months, or not at all this year
    (a debtor from before it, who owed several months when the ledger began)."""

    def __init__(self, rng: Any, account_id: int) -> None:
        roll = rng.random()
        self.kind = "good"
        self.stop_after = MONTHS + 1  # the month index from which the account stops paying
        self.owed_months = 1  # the months of bills it owed when the ledger began
        if roll < 0.04:
            self.kind = "stopped"
            self.stop_after = 0
            self.owed_months = 2 + account_id % 5
        elif roll < 0.09:
            self.kind = "stopped"
            self.stop_after = MONTHS - rng.randint(2, 7)
        elif roll < 0.15:
            self.kind = "partial"
        elif roll < 0.25:
            self.kind = "round_up"
        self.persons = rng.randint(1, 4)
        self.cold = Decimal(rng.randint(18, 55)) / 10
        self.hot = Decimal(rng.randint(10, 35)) / 10
        self.pay_day = rng.randint(2, 9)
        # The water charged month by month (cold, hot): a month without readings is charged their average.
        self.water: list[tuple[Decimal, Decimal]] = []


async def seed(ctx: DemoContext) -> None:
    rng = ctx.rng
    catalog = await ensure_catalog()
    services: dict[str, int] = catalog["services"]
    rows = await PersonalAccount.select(
        PersonalAccount.id, PersonalAccount.premise.area.as_alias("area"), PersonalAccount.premise.kind.as_alias("kind")
    ).order_by(PersonalAccount.id)
    accounts = [(r["id"], Decimal(str(r["area"] or 0)), r["kind"]) for r in rows]
    if not accounts:
        return
    profiles = {account_id: _Profile(rng, account_id) for account_id, _, _ in accounts}
    # The demo resident: the first account pays on time (a receipt to pay by the 15th), the second is ahead.
    resident = ctx.shared.get("resident_accounts") or []
    if resident:
        profiles[resident[0]].kind = "good"
        profiles[resident[0]].stop_after = MONTHS + 1
        profiles[resident[0]].owed_months = 1
    if len(resident) > 1:
        profiles[resident[1]].kind = "round_up"
        profiles[resident[1]].stop_after = MONTHS + 1
        profiles[resident[1]].owed_months = 1

    # The demo resident's first account has last month's receipt still to pay whatever the day (it paid on its day,
    # 2–9, and from then on the home page had no debt to show: «К оплате», the pay sheet, instalments).
    unpaid = set(resident[:1])
    tz = clock.zone()
    # A month is billed when it has ended: its charges are posted on its last day and its receipt issued then, due
    # by the 15th of the next month (DOMAIN.md §2.1). The last billed month is last month; this month has only
    # payments so far (for last month's receipt), made before today.
    current = rules.month_start(ctx.today)
    periods = [rules.add_months(current, -n) for n in range(MONTHS, 0, -1)]  # the billed months, oldest first
    months = [*periods, current]  # the months of payments and penalties: each billed month's, then this one's
    account_ids = [a for a, _, _ in accounts]
    summer_outage = periods[-6] if len(periods) >= 6 else periods[0]
    indexation = _indexation(ctx.today)
    # what each account's last receipt asked for (kopecks): before the first, what it owed when the ledger began
    to_pay = await _opening(accounts, profiles, rules.add_months(periods[0], -1), indexation)

    for index, period in enumerate(months):
        # 1. Payments made during this month for the previous receipt (the first month: for what was owed before).
        entries = []
        for account_id in account_ids:
            due = to_pay.get(account_id, 0)
            profile = profiles[account_id]
            if due <= 0 or index >= profile.stop_after:
                continue
            if profile.kind == "partial" and rng.random() < 0.5:
                amount = (due // 2 // 100) * 100
            elif profile.kind == "round_up":
                amount = -(-due // 10000) * 10000
            else:
                amount = due
            day = profile.pay_day + (rng.randint(0, 12) if profile.kind == "partial" else 0)
            moment = datetime.combine(period.replace(day=min(day, 28)), time(10, rng.randint(0, 59)), tzinfo=tz)
            if period == current and (moment.date() >= ctx.today or account_id in unpaid):
                continue
            if amount > 0:
                entries.append(
                    {
                        "account": account_id,
                        "kind": EntryKind.PAYMENT,
                        "amount_kopecks": -amount,
                        "occurred_at": moment.astimezone(UTC),
                        "reference": f"demo-payment:{account_id}:{period:%Y-%m}",
                        "note": notes.BANK.write(),
                        "created_at": moment.astimezone(UTC),  # credited the day it was paid
                    }
                )
        if index == len(months) - 2:  # last month: some payments arrive by a bank's registry
            entries, by_bank = demo_registry.split(entries, rng)
            await ledger.post_bulk(entries, period)
            await demo_registry.load(ctx, by_bank, period)
        else:
            await ledger.post_bulk(entries, period)
        if period == current:  # not billed yet
            break
        # 2. The charges of this month, posted when it ends.
        charges: list[tuple[Any, ...]] = []
        charged_at = datetime.combine(rules.month_end(period), time(20, 0), tzinfo=tz)
        created = charged_at.astimezone(UTC)  # calculated when the month ended, as its ledger entry says
        per_account: dict[int, int] = {}
        for account_id, area, kind in accounts:
            profile = profiles[account_id]
            recalculated = period == rules.add_months(summer_outage, 1)  # the outage month taken back the next
            lines = _charges_of(rng, profile, area, kind, period, recalculated, indexation)
            for code, volume, tariff, amount, recalc, reason, basis, note in lines:
                charges.append(
                    (
                        account_id,
                        period,
                        services[code],
                        volume,
                        to_kopecks(tariff),
                        to_kopecks(amount),
                        to_kopecks(recalc),
                        reason,
                        basis,
                        note,
                        volume if code in COMMON_NEEDS else Decimal("0"),
                        created,
                    )
                )
                per_account[account_id] = per_account.get(account_id, 0) + to_kopecks(amount) + to_kopecks(recalc)
        await bulk.insert_rows(Charge, CHARGE_COLUMNS, charges)
        await ledger.post_bulk(
            [
                {
                    "account": account_id,
                    "kind": EntryKind.CHARGE,
                    "amount_kopecks": kopecks,
                    "occurred_at": charged_at.astimezone(UTC),
                    "reference": f"demo-charges:{account_id}:{period:%Y-%m}",
                    "note": f"{period:%m.%Y}",
                }
                for account_id, kopecks in per_account.items()
            ],
            period,
        )
        # 3. The penalties accrued during this month, posted when it ends and before its receipt is issued, so the
        # receipt carries them (it read «Пени: 0,00 ₽» above a penalty line of the same month when they came after).
        if index:
            end = datetime.combine(rules.month_end(period), time(19, 0), tzinfo=tz)
            await penalties.post_penalties(period, account_ids, now=end.astimezone(UTC))
        # 4. The receipts of this month.
        await receipts.issue(period, account_ids, now=charged_at.astimezone(UTC))
        issued = await _to_pay(period, account_ids)
        to_pay = issued
    if len(resident) > 1:
        # The second demo account paid last month's receipt at once, and a little more («Переплата 120,00 ₽»).
        balance = await ledger.balance_of(resident[1])
        day = max(current, ctx.today.replace(day=max(1, ctx.today.day - 1)))
        moment = min(datetime.combine(day, time(12, 0), tzinfo=tz).astimezone(UTC), ctx.now)
        await ledger.post_payment(resident[1], balance + Decimal("120.00"), f"demo-advance:{resident[1]}", moment)
    # the billing system's balances of last month, and the reconciliation with them
    await demo_registry.load_export(ctx, periods[-1])
    ctx.say(f"billing: {len(accounts)} accounts × {MONTHS} months of charges, payments, penalties and receipts")


async def _opening(
    accounts: list[tuple[int, Decimal, str]], profiles: dict[int, _Profile], before: date, indexation: date
) -> dict[int, int]:
    """The balances the ledger begins with, as the billing system handed them over at the end of ``before``: each
    account owed its usual month's bill (a debtor several), which the year's first month pays (kopecks)."""
    owed = {}
    for account_id, area, kind in accounts:
        profile = profiles[account_id]
        usual = copy.copy(profile)
        usual.water = []
        lines = _charges_of(random.Random(account_id), usual, area, kind, before, False, indexation)
        owed[account_id] = sum(to_kopecks(line[3]) for line in lines) * profile.owed_months
    at = datetime.combine(rules.month_end(before), time(20, 0), tzinfo=clock.zone()).astimezone(UTC)
    await ledger.post_bulk(
        [
            {
                "account": account_id,
                "kind": EntryKind.CORRECTION,
                "amount_kopecks": kopecks,
                "occurred_at": at,
                "reference": f"demo-opening:{account_id}:{before:%Y-%m}",
                "note": notes.OPENING.write(month=rules.add_months(before, 1)),
            }
            for account_id, kopecks in owed.items()
            if kopecks
        ],
        before,
    )
    return owed


async def _to_pay(period: date, account_ids: list[int]) -> dict[int, int]:
    rows = await Receipt.select(Receipt.account, Receipt.to_pay_kopecks).where(Receipt.period == period)
    return {r["account"]: r["to_pay_kopecks"] for r in rows}


def _average(months: list[tuple[Decimal, Decimal]]) -> tuple[Decimal, Decimal]:
    """The average monthly cold and hot water of these months, as a month without readings is charged."""

    def mean(values: list[Decimal]) -> Decimal:
        return (sum(values, Decimal(0)) / len(values)).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)

    return mean([c for c, _ in months]), mean([h for _, h in months])


def _charges_of(
    rng: Any, profile: _Profile, area: Decimal, kind: str, period: date, outage: bool, indexation: date
) -> list[tuple[str, Decimal, Decimal, Decimal, Decimal, str, str, str]]:
    """The charge lines of one account for one month: (code, volume, tariff, amount, recalc, reason, basis, note)."""
    lines = []

    def add(
        code: str, volume: Decimal, basis: str, note: str, recalc: Decimal = Decimal("0"), reason: str = ""
    ) -> None:
        tariff = _tariff(code, period, indexation)
        lines.append((code, volume, tariff, _money(volume * tariff), recalc, reason, basis, note))

    add("maintenance", area, "norm", f"Площадь помещения {area:.2f} м²".replace(".", ","))  # as a billing writes it
    if kind == "flat":
        missed = rng.random() < 0.1
        season = Decimal("1.15") if period.month in (6, 7, 8) else Decimal("1")
        cold = (profile.cold * season * Decimal(rng.randint(85, 115)) / 100).quantize(Decimal("0.001"))
        hot = (profile.hot * Decimal(rng.randint(85, 115)) / 100).quantize(Decimal("0.001"))
        # A month without readings (the meters demo passes none for it) is charged the average of the months before,
        # once there are enough of them; before that the readings came.
        missed = missed and len(profile.water) >= AVERAGE_FROM
        basis, note = ("metered", "")
        if missed:
            months = profile.water[-AVERAGE_MONTHS:]
            cold, hot = _average(months)
            basis, note = "average", f"Показания не переданы: среднее за {len(months)} мес."
        profile.water.append((cold, hot))
        add("cold_water", cold, basis, note or "По показаниям счётчика")
        recalc, reason = Decimal("0"), ""
        if outage:  # the hot water was off for 14 days last month: this receipt gives that month's back
            before = rules.add_months(period, -1)
            used = profile.water[-2][1] if len(profile.water) > 1 else hot
            recalc = -_money(used * _tariff("hot_water", before, indexation) * Decimal(14) / Decimal(30))
            reason = f"Перерасчёт за {before:%m.%Y}: ГВС отключена на 14 дней (плановый ремонт теплосети)"
        add("hot_water", hot, basis, note or "По показаниям счётчика", recalc, reason)
        add("sewerage", cold + hot, basis, "Сумма объёмов ХВС и ГВС")
        add("electricity_common", (area * Decimal("0.064")).quantize(Decimal("0.01")), "norm", "Норматив на ОДН")
        add("waste", Decimal(profile.persons), "norm", f"Зарегистрировано человек: {profile.persons}")
    add("capital_repair", area, "norm", "Минимальный взнос по Республике Крым")
    return lines
