"""Billing rules as plain functions: due dates and the dates of the law, penalties (пени, ЖК РФ ст. 155 ч. 14, 14.1),
allocation of payments, and the reduction of a charge for an outage beyond the permitted interruption.

No I/O here. Values that change over time (the key rate, moratoria and caps, the due day) are period tables
looked up by date (DOMAIN.md §2); the functions take every date they need as an argument.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from datetime import timedelta
from decimal import ROUND_HALF_UP
from decimal import Decimal
from enum import StrEnum

from portal.billing import qr
from portal.core import calendar

KOPECK = Decimal("0.01")
ZERO = Decimal("0")


def money(value: Decimal) -> Decimal:
    """Round to kopecks, half up (the one rounding step of every item)."""
    return value.quantize(KOPECK, rounding=ROUND_HALF_UP)


# --- periods -------------------------------------------------------------------------------------------


def month_start(day: date) -> date:
    return day.replace(day=1)


def add_months(period: date, months: int) -> date:
    index = period.year * 12 + period.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def months_from(first: date, last: date) -> list[date]:
    """The billing months ``first`` … ``last``, both included (none when ``last`` is before ``first``)."""
    first, last = month_start(first), month_start(last)
    count = (last.year - first.year) * 12 + last.month - first.month + 1
    return [add_months(first, n) for n in range(max(count, 0))]


def month_end(period: date) -> date:
    return add_months(month_start(period), 1) - timedelta(days=1)


def period_key(period: date) -> str:
    return f"{period.year:04d}-{period.month:02d}"


def import_month(today: date) -> date:
    """The billing month a charges file is normally imported for on ``today`` (the company's date): the last
    finished one. A month's charges are worked out once it is over, for the ЕПД delivered by the 5th of the next
    month (DOMAIN.md §2.1), so on 1 December the file is November's, and on 30 November it is still October's."""
    return add_months(month_start(today), -1)


# --- due date (ЖК ст. 155 ч. 1) ----------------------------------------------------------------------

# Billing months from this one fall due on the 15th (177-ФЗ; Минстрой letter of 20.02.2026 № 9202-ДН/04).
DUE_DAY_TABLE: tuple[tuple[date, int], ...] = ((date(2000, 1, 1), 10), (date(2026, 2, 1), 15))


def due_day(billing_month: date) -> int:
    """The day of the next month by which a billing month's charges are paid: 10, or 15 from February 2026."""
    day = DUE_DAY_TABLE[0][1]
    for valid_from, value in DUE_DAY_TABLE:
        if billing_month >= valid_from:
            day = value
    return day


@functools.lru_cache(maxsize=1024)
def due_date(billing_month: date, *, shift_weekend: bool = True) -> date:
    """The last day to pay a billing month's charges on time (inclusive), moved past a non-working day (ГК ст. 193)."""
    nominal = add_months(month_start(billing_month), 1).replace(day=due_day(billing_month))
    return calendar.next_working_day(nominal) if shift_weekend else nominal


# --- the key rate and the period table of moratoria and caps (DOMAIN.md §2.3–2.4) ---------------------

REFINANCING_RATE_BEFORE_2016 = Decimal("8.25")

# ``from`` date → the key rate in %, kept as data (an admin keeps it updated).
KEY_RATES: tuple[tuple[date, Decimal], ...] = tuple(
    (date(int(y), int(m), int(d)), Decimal(rate))
    for (d, m, y), rate in (
        (s.split("."), r)
        for s, r in (
            ("01.01.2016", "11.00"),
            ("14.06.2016", "10.50"),
            ("19.09.2016", "10.00"),
            ("27.03.2017", "9.75"),
            ("02.05.2017", "9.25"),
            ("19.06.2017", "9.00"),
            ("18.09.2017", "8.50"),
            ("30.10.2017", "8.25"),
            ("18.12.2017", "7.75"),
            ("12.02.2018", "7.50"),
            ("26.03.2018", "7.25"),
            ("17.09.2018", "7.50"),
            ("17.12.2018", "7.75"),
            ("17.06.2019", "7.50"),
            ("29.07.2019", "7.25"),
            ("09.09.2019", "7.00"),
            ("28.10.2019", "6.50"),
            ("16.12.2019", "6.25"),
            ("10.02.2020", "6.00"),
            ("27.04.2020", "5.50"),
            ("22.06.2020", "4.50"),
            ("27.07.2020", "4.25"),
            ("22.03.2021", "4.50"),
            ("26.04.2021", "5.00"),
            ("15.06.2021", "5.50"),
            ("26.07.2021", "6.50"),
            ("13.09.2021", "6.75"),
            ("25.10.2021", "7.50"),
            ("20.12.2021", "8.50"),
            ("14.02.2022", "9.50"),
            ("28.02.2022", "20.00"),
            ("11.04.2022", "17.00"),
            ("04.05.2022", "14.00"),
            ("27.05.2022", "11.00"),
            ("14.06.2022", "9.50"),
            ("25.07.2022", "8.00"),
            ("19.09.2022", "7.50"),
            ("24.07.2023", "8.50"),
            ("15.08.2023", "12.00"),
            ("18.09.2023", "13.00"),
            ("30.10.2023", "15.00"),
            ("18.12.2023", "16.00"),
            ("29.07.2024", "18.00"),
            ("16.09.2024", "19.00"),
            ("28.10.2024", "21.00"),
            ("09.06.2025", "20.00"),
            ("28.07.2025", "18.00"),
            ("15.09.2025", "17.00"),
            ("27.10.2025", "16.50"),
            ("22.12.2025", "16.00"),
            ("16.02.2026", "15.50"),
        )
    )
)


def merge_key_rates(
    shipped: Sequence[tuple[date, Decimal]], entered: Iterable[tuple[date, Decimal]]
) -> tuple[tuple[date, Decimal], ...]:
    """The key-rate table in force (DOMAIN.md §2.3: seed data that an admin keeps updated): the shipped rows, an
    entered row replacing a shipped one of the same date and adding the others; sorted by date."""
    rows = dict(shipped)
    rows.update(entered)
    return tuple(sorted(rows.items()))


def key_rate_on(day: date, table: Sequence[tuple[date, Decimal]] = KEY_RATES) -> Decimal:
    """The refinancing/key rate (%) in force on ``day``."""
    rate = REFINANCING_RATE_BEFORE_2016
    for valid_from, value in table:
        if valid_from > day:
            break
        rate = value
    return rate


class RuleKind(StrEnum):
    NO_PENALTY = "no_penalty"  # nothing accrues on these days
    FIXED_RATE = "fixed_rate"  # r is fixed
    CAP = "cap"  # r = min(cap, rate)
    NO_PENALTY_OLD_DEBT = "no_penalty_old_debt"  # nothing accrues on debts of billing months before ``debts_before``


@dataclass(frozen=True)
class PenaltyPeriod:
    """One row of the period table of moratoria and caps (inclusive dates)."""

    valid_from: date
    valid_to: date
    kind: RuleKind
    rate: Decimal | None = None
    debts_before: date | None = None
    flag: str | None = None  # a rule that can be switched off (``bankruptcy_moratorium_2022``)
    source: str = ""


PENALTY_PERIODS: tuple[PenaltyPeriod, ...] = (
    PenaltyPeriod(date(2020, 4, 6), date(2020, 12, 31), RuleKind.NO_PENALTY, source="ПП РФ № 424 от 02.04.2020"),
    PenaltyPeriod(
        date(2022, 2, 28), date(2022, 7, 31), RuleKind.FIXED_RATE, Decimal("9.5"), source="ПП РФ № 474 от 26.03.2022"
    ),
    PenaltyPeriod(
        date(2022, 8, 1),
        date(2026, 12, 31),
        RuleKind.CAP,
        Decimal("9.5"),
        source="ПП РФ № 474 в ред. ПП № 1681, 2479, 2382, 329",
    ),
    PenaltyPeriod(
        date(2022, 4, 1),
        date(2022, 10, 1),
        RuleKind.NO_PENALTY_OLD_DEBT,
        debts_before=date(2022, 4, 1),
        flag="bankruptcy_moratorium_2022",
        source="ПП РФ № 497 от 28.03.2022",
    ),
)


def merge_penalty_periods(
    shipped: Sequence[PenaltyPeriod], entered: Iterable[PenaltyPeriod]
) -> tuple[PenaltyPeriod, ...]:
    """The period table of moratoria and caps in force (DOMAIN.md §2.4, kept as data like the key rate): the shipped
    rows, an entered row replacing a shipped one of the same start date and kind, the others added; by start date."""
    rows = {(p.valid_from, p.kind): p for p in shipped}
    rows.update({(p.valid_from, p.kind): p for p in entered})
    return tuple(sorted(rows.values(), key=lambda p: (p.valid_from, p.valid_to, str(p.kind))))


class CapMode(StrEnum):
    DAY = "day"  # caps and fixed rates apply to the days inside their period (DOMAIN.md default)
    PAYMENT_DAY = "payment_day"  # the cap in force on the payment day applies to the whole penalty


@dataclass(frozen=True)
class PenaltySettings:
    periods: tuple[PenaltyPeriod, ...] = PENALTY_PERIODS
    key_rates: tuple[tuple[date, Decimal], ...] = KEY_RATES
    flags: frozenset[str] = frozenset({"bankruptcy_moratorium_2022"})
    cap_mode: CapMode = CapMode.DAY


DEFAULT_SETTINGS = PenaltySettings()


def daily_rate(day: date, rate_day: date, billing_month: date, settings: PenaltySettings = DEFAULT_SETTINGS) -> Decimal:
    """The annual rate (%) that applies to ``day`` of accrual when the debt is paid (or calculated) on ``rate_day``."""
    base = key_rate_on(rate_day, settings.key_rates)
    rate = base
    rule_day = day if settings.cap_mode is CapMode.DAY else rate_day
    for period in settings.periods:
        if period.flag and period.flag not in settings.flags:
            continue
        if period.kind is RuleKind.NO_PENALTY_OLD_DEBT:
            if period.valid_from <= day <= period.valid_to and billing_month < (period.debts_before or date.min):
                return ZERO
            continue
        if period.kind is RuleKind.NO_PENALTY:
            if period.valid_from <= day <= period.valid_to:
                return ZERO
            continue
        if not (period.valid_from <= rule_day <= period.valid_to):
            continue
        if period.kind is RuleKind.FIXED_RATE and period.rate is not None:
            rate = period.rate
        elif period.kind is RuleKind.CAP and period.rate is not None:
            rate = min(rate, period.rate)
    return rate


# --- the penalty ------------------------------------------------------------------------------------

GRACE_DAYS = 30  # days 1…30: nothing
STEP_DAY = 91  # from day 91: 1/130
DIV_EARLY = 300
DIV_LATE = 130


@dataclass(frozen=True)
class PenaltyLine:
    """Consecutive days with the same base, rate and share: the calculation shown on the receipt."""

    first: date
    last: date
    days: int
    base: Decimal
    rate: Decimal  # % a year
    divisor: int  # 300 or 130
    amount: Decimal  # exact, not rounded


@dataclass(frozen=True)
class PenaltyResult:
    amount: Decimal  # rounded to kopecks, half up
    lines: tuple[PenaltyLine, ...] = ()

    @property
    def exact(self) -> Decimal:
        return sum((line.amount for line in self.lines), ZERO)


def _divisor(k: int, capital_repair: bool) -> int | None:
    if capital_repair:
        return DIV_EARLY
    if k <= GRACE_DAYS:
        return None
    return DIV_EARLY if k < STEP_DAY else DIV_LATE


def penalty(
    amount: Decimal,
    due: date,
    until: date,
    *,
    billing_month: date | None = None,
    payments: Iterable[tuple[date, Decimal]] = (),
    capital_repair: bool = False,
    accrue_from: date | None = None,
    settings: PenaltySettings = DEFAULT_SETTINGS,
) -> PenaltyResult:
    """The penalty on one unpaid amount of a billing month (ЖК ст. 155 ч. 14; ч. 14.1 for capital repair).

    ``due`` is the last day to pay on time (already shifted past non-working days); ``payments`` are the parts of
    this amount paid later, each ``(day, amount)``; ``until`` is the calculation date for what is still unpaid.
    Day ``k = date - due`` runs on calendar days, also through moratoria. Each part uses the rate of its own payment
    day (the unpaid rest: the rate of ``until``). Only days in ``[accrue_from, until]`` count (a monthly run).
    The sum is exact Decimal, rounded once to kopecks, half up.
    """
    billing_month = billing_month or add_months(month_start(due), -1)
    parts: list[tuple[date, Decimal]] = []
    left = amount
    for day, paid in sorted(payments):
        if left <= 0:
            break
        part = min(paid, left)
        if part > 0:
            parts.append((min(day, until), part))
            left -= part
    if left > 0:
        parts.append((until, left))

    lines: list[PenaltyLine] = []
    for paid_on, part in parts:
        first_day = due + timedelta(days=1)
        if accrue_from and accrue_from > first_day:
            first_day = accrue_from
        current: list = []  # [first, last, days, rate, divisor]
        for start, stop in _segments(first_day, paid_on, due, capital_repair, settings):
            k = (start - due).days
            divisor = _divisor(k, capital_repair)
            rate = daily_rate(start, paid_on, billing_month, settings) if divisor else ZERO
            if not (divisor and rate > 0):
                continue
            days = (stop - start).days + 1
            if current and current[3] == rate and current[4] == divisor and current[1] + timedelta(days=1) == start:
                current[1] = stop
                current[2] += days
            else:
                if current:
                    lines.append(_line(current, part))
                current = [start, stop, days, rate, divisor]
        if current:
            lines.append(_line(current, part))
    exact = sum((line.amount for line in lines), ZERO)
    return PenaltyResult(amount=money(exact), lines=tuple(lines))


def _segments(
    first: date, last: date, due: date, capital_repair: bool, settings: PenaltySettings
) -> list[tuple[date, date]]:
    """``[first, last]`` cut into runs of days on which the share and the rate cannot change: at day 31 and day 91
    of the delay and at every edge of the period table (the rate of a day depends on nothing else)."""
    if last < first:
        return []
    edges = {first, last + timedelta(days=1)}
    if not capital_repair:
        edges.add(due + timedelta(days=GRACE_DAYS + 1))
        edges.add(due + timedelta(days=STEP_DAY))
    for period in settings.periods:
        edges.add(period.valid_from)
        edges.add(period.valid_to + timedelta(days=1))
    cuts = sorted(day for day in edges if first <= day <= last + timedelta(days=1))
    return [(start, stop - timedelta(days=1)) for start, stop in itertools.pairwise(cuts)]


def _line(current: list, base: Decimal) -> PenaltyLine:
    first, last, days, rate, divisor = current
    exact = base * rate / Decimal(100) * Decimal(days) / Decimal(divisor)
    return PenaltyLine(first, last, days, base, rate, divisor, exact)


# --- allocation of payments: the oldest debt first (ГК ст. 319.1; Пленум ВС № 22 п. 32) ----------------


@dataclass(frozen=True)
class DebtItem:
    """An amount charged for a billing month (one per month and kind: housing services / capital repair)."""

    period: date
    amount: Decimal
    capital_repair: bool = False


@dataclass(frozen=True)
class PaymentItem:
    day: date
    amount: Decimal
    period: date | None = None  # a payment naming a period pays that period


@dataclass
class Allocation:
    # (period, capital_repair) → the parts of payments that went to it: (day, amount)
    paid: dict[tuple[date, bool], list[tuple[date, Decimal]]] = field(default_factory=dict)
    unpaid: dict[tuple[date, bool], Decimal] = field(default_factory=dict)
    overpayment: Decimal = ZERO


def allocate(debts: Sequence[DebtItem], payments: Sequence[PaymentItem]) -> Allocation:
    """Apply payments in date order: to the named period if any, then to the oldest unpaid debt first.

    Within one period housing services come before capital repair; what is left over is an overpayment, which the
    next charges consume first. A negative debt item (a credit: a recalculation in the payer's favour) adds to it.
    """
    keys = sorted({(d.period, d.capital_repair) for d in debts}, key=lambda k: (k[0], k[1]))
    unpaid: dict[tuple[date, bool], Decimal] = dict.fromkeys(keys, ZERO)
    for debt in debts:
        unpaid[(debt.period, debt.capital_repair)] += debt.amount
    result = Allocation(paid={k: [] for k in keys})
    credit = ZERO
    for key in keys:
        if unpaid[key] < 0:
            credit -= unpaid[key]
            unpaid[key] = ZERO

    def spend(day: date, available: Decimal, only: date | None) -> Decimal:
        for key in keys:
            if available <= 0:
                break
            if only is not None and key[0] != only:
                continue
            take = min(available, unpaid[key])
            if take > 0:
                unpaid[key] -= take
                result.paid[key].append((day, take))
                available -= take
        return available

    if credit > 0 and keys:
        credit = spend(keys[0][0], credit, None)
    for payment in sorted(payments, key=lambda p: p.day):
        left = payment.amount
        if payment.period is not None:
            left = spend(payment.day, left, payment.period)
        left = spend(payment.day, left, None)
        credit += left
    result.unpaid = {k: v for k, v in unpaid.items() if v > 0}
    result.overpayment = credit
    return result


@dataclass(frozen=True)
class AccountPenalty:
    period: date
    capital_repair: bool
    due: date
    amount: Decimal
    result: PenaltyResult


def account_penalties(
    debts: Sequence[DebtItem],
    payments: Sequence[PaymentItem],
    until: date,
    *,
    accrue_from: date | None = None,
    settings: PenaltySettings = DEFAULT_SETTINGS,
) -> list[AccountPenalty]:
    """The penalty of each debt item of an account as of ``until`` (only days from ``accrue_from`` count)."""
    allocation = allocate(debts, [p for p in payments if p.day <= until])
    totals: dict[tuple[date, bool], Decimal] = {}
    for debt in debts:
        key = (debt.period, debt.capital_repair)
        totals[key] = totals.get(key, ZERO) + debt.amount
    found: list[AccountPenalty] = []
    for (period, capital), total in sorted(totals.items()):
        if total <= 0:
            continue
        due = due_date(period)
        if due >= until:
            continue
        result = penalty(
            total,
            due,
            until,
            billing_month=period,
            payments=allocation.paid.get((period, capital), []),
            capital_repair=capital,
            accrue_from=accrue_from,
            settings=settings,
        )
        if result.amount > 0:
            found.append(AccountPenalty(period, capital, due, result.amount, result))
    return found


# --- charges ---------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class ChargeFigures:
    """The figures of one charge, as the billing system's file gives them and the receipt (ЕПД) prints them. The
    parts of ПП № 354 п. 69 explain ``amount``, which already holds them; 0 where they do not apply."""

    volume: Decimal
    tariff: Decimal
    amount: Decimal
    recalculation: Decimal
    reason: str
    basis: str
    basis_note: str
    volume_common: Decimal = Decimal("0")
    coefficient: Decimal = Decimal("0")
    coefficient_amount: Decimal = Decimal("0")
    benefit: Decimal = Decimal("0")

    @property
    def total(self) -> Decimal:
        """What the charge comes to: the amount and its recalculation."""
        return self.amount + self.recalculation

    @property
    def by_tariff(self) -> Decimal:
        """Charged by the tariff alone: the amount less the increasing coefficient's part, benefits added back."""
        return self.amount - self.coefficient_amount + self.benefit


def sum_of(charges: Iterable[ChargeFigures], column: str) -> Decimal:
    """The sum of one column of charges (``amount``, ``recalculation``, ``total``, ``by_tariff``, ``benefit`` …)."""
    return sum((getattr(c, column) for c in charges), Decimal("0"))


# --- balances --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BalanceState:
    """What a resident sees: a debt to pay by a date, an overpayment, or nothing owed."""

    kind: str  # "debt" | "overpaid" | "clear"
    amount: Decimal


# Who sees an account's balance on its staff page (and administrators): those who answer a caller about it, and
# those who keep the books.
BALANCE_ROLES = ("operator", "dispatcher", "manager", "accountant")


def balance_state(balance: Decimal) -> BalanceState:
    if balance > 0:
        return BalanceState("debt", balance)
    if balance < 0:
        return BalanceState("overpaid", -balance)
    return BalanceState("clear", ZERO)


def not_yet_due(charges: Iterable[tuple[date, Decimal]], today: date) -> Decimal:
    """The charges of the billing months whose last payment day (``due_date``, inclusive, moved past a non-working
    day) has not passed on ``today``: ``charges`` are ``(billing month, billed)``, a month's charges with the
    penalties its receipt carries (they fall due with it)."""
    return sum((amount for month, amount in charges if due_date(month_start(month)) >= today), ZERO)


def overdue(debt: Decimal, charges: Iterable[tuple[date, Decimal]], today: date) -> Decimal:
    """The part of a debt past its due date on ``today`` (DOMAIN.md §2.1, §2.5): payments go to the oldest charges
    first, so what is owed beyond the charges not yet due is overdue; 0 when nothing is. ``charges`` are the
    ``(billing month, charged)`` of the recent months (the last three are enough: older ones are always due)."""
    if debt <= 0:
        return ZERO
    return max(ZERO, debt - not_yet_due(charges, today))


def months_of_charges(overdue_part: Decimal, monthly: Decimal) -> int | None:
    """How many whole months of charges the overdue part of a debt amounts to (ПП № 354 п. 117 measures a debt in
    monthly payments), ``monthly`` being a month's charges: 0 when less than one month's is overdue; None when the
    month has no charges to measure by (unknown, not «0 months»: the list shows «—», the files an empty cell)."""
    if monthly <= 0:
        return None
    if overdue_part <= 0:
        return 0
    return int(overdue_part // monthly)


def report_day(period: date, today: date) -> date:
    """The day a month's report counts what is overdue on: the month's last day, today for the month still running."""
    return min(today, month_end(period))


def first_not_due(period: date, today: date, back: int = 2) -> date | None:
    """The oldest of ``period`` and the ``back`` months before it whose charges are not yet due on ``today`` (the
    months from it to ``period`` are not due: due dates grow with the month); None when all are due."""
    months = [add_months(month_start(period), -n) for n in range(back, -1, -1)]
    return next((m for m in months if due_date(m) >= today), None)


def months_overdue(oldest_unpaid_period: date | None, today: date) -> int:
    """Whole months since the due date of the oldest unpaid billing month (0 when nothing is overdue)."""
    if oldest_unpaid_period is None:
        return 0
    due = due_date(oldest_unpaid_period)
    if today <= due:
        return 0
    return (today.year - due.year) * 12 + today.month - due.month + (1 if today.day > due.day else 0)


# --- payee requisites (DOMAIN.md §3.1) ------------------------------------------------------------------


class RequisiteProblem(StrEnum):
    INN = "inn"  # 10 digits (an organisation) or 12 (an individual entrepreneur)
    KPP = "kpp"  # 9 characters: 4 digits, 2 digits or capital letters, 3 digits; an organisation must have one
    BIC = "bic"  # exactly 9 digits
    ACCOUNT = "account"  # exactly 20 digits
    ACCOUNT_KEY = "account_key"  # the settlement account fails the Bank of Russia control key with this BIC
    CORRESP = "corresp"  # 20 digits, or 0 when the bank has no correspondent account
    CORRESP_KEY = "corresp_key"  # the correspondent account fails the control key with this BIC


def _digits(value: str, *lengths: int) -> bool:
    return value.isascii() and value.isdigit() and len(value) in lengths


def requisites_problems(inn: str, kpp: str, bic: str, account: str, corresp: str) -> list[tuple[str, RequisiteProblem]]:
    """What is wrong with a payee's requisites, as ``(field, problem)`` (empty when they are right).

    The settlement and correspondent accounts are checked against the BIC with the Bank of Russia's control key
    (the 23 digits of DOMAIN.md §3.1, weights 7, 1, 3): a bank refuses a payment to an account that fails it,
    and the receipt's QR code carries these requisites. A key is checked only when the BIC and the account have
    their shape, so each problem is told once."""
    problems: list[tuple[str, RequisiteProblem]] = []
    if not _digits(inn, 10, 12):
        problems.append(("inn", RequisiteProblem.INN))
    kpp_shape = len(kpp) == 9 and kpp.isascii() and kpp[:4].isdigit() and kpp[6:].isdigit() and kpp[4:6].isalnum()
    if (kpp or len(inn) == 10) and not (kpp_shape and kpp[4:6] == kpp[4:6].upper()):
        problems.append(("kpp", RequisiteProblem.KPP))
    bic_ok = _digits(bic, 9)
    if not bic_ok:
        problems.append(("bic", RequisiteProblem.BIC))
    if not _digits(account, 20):
        problems.append(("settlement_account", RequisiteProblem.ACCOUNT))
    elif bic_ok and not qr.personal_acc_key_ok(bic, account):
        problems.append(("settlement_account", RequisiteProblem.ACCOUNT_KEY))
    if corresp != "0":
        if not _digits(corresp, 20):
            problems.append(("corresp_account", RequisiteProblem.CORRESP))
        elif bic_ok and not qr.corresp_acc_key_ok(bic, corresp):
            problems.append(("corresp_account", RequisiteProblem.CORRESP_KEY))
    return problems


# --- the dates of ЖК ст. 155 from 1 March 2026 (DOMAIN.md §2.1) ---------------------------------------
# The dates of ЖК ст. 155 ч. 1–2 in force from 1 March 2026 (177-ФЗ; DOMAIN.md §2.1), in one place: the payment
# document reaches the resident by the 5th, the payment is due by the 15th (``rules.due_date``), the meter readings
# by the 25th (``meters.rules.Window``); no contract changes them. Before, the document came by the 1st and the
# payment was due by the 10th, and a contract could change it.

# The billing month from which the new dates apply (the Минстрой letter of 20.02.2026 № 9202-ДН/04).
NEW_DATES_FROM = date(2026, 2, 1)
RECEIPT_DAY_TABLE: tuple[tuple[date, int], ...] = ((date(2000, 1, 1), 1), (NEW_DATES_FROM, 5))
READINGS_DAY = 25


def receipt_day(billing_month: date) -> date:
    """The day by which the payment document of a billing month reaches the resident: the 5th of the next month
    from February 2026, the 1st before."""
    day = RECEIPT_DAY_TABLE[0][1]
    for valid_from, value in RECEIPT_DAY_TABLE:
        if month_start(billing_month) >= valid_from:
            day = value
    return add_months(month_start(billing_month), 1).replace(day=day)


def contract_may_change(billing_month: date) -> bool:
    """Whether a management contract may set other dates (no longer, from February 2026's charges)."""
    return month_start(billing_month) < NEW_DATES_FROM


# --- outages beyond the permitted interruption (DOMAIN.md §5; ПП № 354, приложение 1) ---------------------
# Interruptions of a utility beyond what the law permits, and the reduction of its charge (DOMAIN.md §5; ПП РФ
# № 354, приложение 1). Pure functions: no I/O, every value an argument.
#
# Permitted interruptions (DOMAIN.md §5):
#
# | Service     | Total per month | At once                                                             |
# |-------------|-----------------|---------------------------------------------------------------------|
# | cold water  | 8 h             | 4 h                                                                 |
# | hot water   | 8 h             | 4 h                                                                 |
# | sewerage    | 8 h             | 4 h                                                                 |
# | electricity | —               | 2 h with two independent sources; 24 h with one                     |
# | gas         | 4 h             | —                                                                   |
# | heating     | 24 h            | 16 h at a room temperature of +12 °C…norm; 8 h at +10…+12; 4 h at +8…+10 |
#
# For each hour beyond the limit the month's charge for the service is reduced by 0.15 % (прил. 1; DOMAIN.md states
# it for heating, and the act gives the same 0.15 % for each service of this table).
#
# Design choices (not in DOMAIN.md): the hours beyond in a month are the larger of the hours beyond the at-once limit
# (summed over the month's interruptions) and the hours beyond the monthly total, so no hour counts twice; hours are
# counted to the hundredth and the reduction prorated; below +8 °C in the rooms no interruption of heating is
# permitted; an interruption belongs to the month it began in; the network-accident variants of the at-once limits
# (cold water; hot water on a dead-end main: 24 h) are not applied.

HOUR = Decimal("0.01")
PERCENT_PER_HOUR = Decimal("0.15")  # прил. 1 к ПП № 354: for each hour beyond the permitted interruption
MAX_PERCENT = Decimal("100")

# service → permitted total hours in a month (None: no monthly limit)
MONTHLY_LIMIT: dict[str, Decimal | None] = {
    "cold_water": Decimal(8),
    "hot_water": Decimal(8),
    "sewerage": Decimal(8),
    "electricity": None,
    "gas": Decimal(4),
    "heating": Decimal(24),
}

# service → permitted hours at once (None: no such limit); heating and electricity depend on conditions, below
AT_ONCE_LIMIT: dict[str, Decimal | None] = {
    "cold_water": Decimal(4),
    "hot_water": Decimal(4),
    "sewerage": Decimal(4),
    "gas": None,
}

# Heating: (lowest room temperature °C, permitted hours at once), from the warmest band down.
HEATING_AT_ONCE: tuple[tuple[Decimal, Decimal], ...] = (
    (Decimal(12), Decimal(16)),
    (Decimal(10), Decimal(8)),
    (Decimal(8), Decimal(4)),
)


def covered(service: str) -> bool:
    """Whether приложение 1 limits interruptions of this service (a lift, for example, is not a utility there)."""
    return service in MONTHLY_LIMIT


def hours_between(start: datetime, end: datetime) -> Decimal:
    """The length of an interruption in hours, to the hundredth."""
    seconds = Decimal(max(0, int((end - start).total_seconds())))
    return (seconds / Decimal(3600)).quantize(HOUR, rounding=ROUND_HALF_UP)


def permitted_at_once(
    service: str, *, room_temperature: Decimal | None = None, independent_sources: int = 1
) -> Decimal | None:
    """The longest interruption permitted at once (None: no such limit). Heating: by the room temperature measured
    during the interruption (unknown: the warmest band, 16 h); electricity: 2 h with two independent sources of
    supply, 24 h with one."""
    if service == "heating":
        if room_temperature is None:
            return HEATING_AT_ONCE[0][1]
        for lowest, hours in HEATING_AT_ONCE:
            if room_temperature >= lowest:
                return hours
        return ZERO
    if service == "electricity":
        return Decimal(2) if independent_sources >= 2 else Decimal(24)
    return AT_ONCE_LIMIT.get(service)


@dataclass(frozen=True)
class Interruption:
    """One interruption of a service in a month: how long it lasted, and the at-once limit that applied to it."""

    hours: Decimal
    at_once: Decimal | None


def hours_beyond(service: str, interruptions: Sequence[Interruption]) -> Decimal:
    """The hours of a month's interruptions of a service beyond the permitted ones: beyond each interruption's
    at-once limit (summed) or beyond the monthly total, whichever is more."""
    if not covered(service):
        return ZERO
    each = sum((max(ZERO, i.hours - i.at_once) for i in interruptions if i.at_once is not None), ZERO)
    monthly = MONTHLY_LIMIT[service]
    total = ZERO if monthly is None else max(ZERO, sum((i.hours for i in interruptions), ZERO) - monthly)
    return max(each, total)


def added_hours_beyond(service: str, earlier: Sequence[Interruption], new: Interruption) -> Decimal:
    """What one more interruption of the month adds to its hours beyond the permitted ones (each hour is counted
    once, by the interruption that crossed the limit)."""
    return hours_beyond(service, [*earlier, new]) - hours_beyond(service, earlier)


def reduction_percent(hours: Decimal) -> Decimal:
    """The reduction of the month's charge for the service: 0.15 % for each hour beyond, never beyond the charge."""
    return min(MAX_PERCENT, max(ZERO, hours) * PERCENT_PER_HOUR)


def reduction_amount(charge: Decimal, percent: Decimal) -> Decimal:
    """The reduction in roubles of a month's charge, rounded to kopecks half up."""
    return (charge * percent / Decimal(100)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
