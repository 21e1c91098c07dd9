"""Reads and writes of billing: the catalogue of payees and services, account pages, staff reports.

Every list is bounded and indexed; related rows come in one query (joins or ``is_in``), never one per row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from piccolo.columns.combination import WhereRaw
from piccolo.query.functions.aggregate import Count, Max, Sum

from portal.billing import rules
from portal.billing.tables import (
    Balance,
    Charge,
    LedgerEntry,
    Payee,
    PenaltyAccrual,
    Receipt,
    ReceiptSection,
    Service,
)
from portal.core.db import from_kopecks
from portal.core.pagination import Page, PageRequest
from portal.housing.tables import Entrance, House, PersonalAccount, Premise

# The company's payees and services (the demo and a fresh install start from these; staff may edit them later).
PAYEES: tuple[dict[str, Any], ...] = (
    {
        "code": "uk",
        "name": "ООО «УК Монолит Комфорт»",
        "inn": "9102000001",
        "kpp": "910201001",
        "bank_name": "РНКБ БАНК (ПАО)",
        "bic": "043510607",
        "settlement_account": "40702810540000001234",
        "corresp_account": "30101810335100000607",
        "address": "295000, Республика Крым, г. Симферополь, ул. Пушкина, д. 1",
        "phone": "+7 (3652) 00-00-01",
        "email": "info@monolit-comfort.example",
        "site": "monolit-comfort.example",
        "capital_repair": False,
        "sort_order": 1,
    },
    {
        "code": "capital",
        "name": "НКО «Региональный фонд капремонта МКД»",
        "inn": "9102000002",
        "kpp": "910201002",
        "bank_name": "РНКБ БАНК (ПАО)",
        "bic": "043510607",
        "settlement_account": "40703810640000004567",
        "corresp_account": "30101810335100000607",
        "address": "295000, Республика Крым, г. Симферополь, ул. Крылова, д. 2",
        "phone": "+7 (3652) 00-00-02",
        "email": "fund@capital.example",
        "site": "capital.example",
        "capital_repair": True,
        "sort_order": 2,
    },
)

SERVICES: tuple[tuple[str, str, str, str], ...] = (
    # code, name, unit, payee code
    ("maintenance", "Содержание жилого помещения", "м²", "uk"),
    ("cold_water", "Холодное водоснабжение", "м³", "uk"),
    ("hot_water", "Горячее водоснабжение", "м³", "uk"),
    ("sewerage", "Водоотведение", "м³", "uk"),
    ("electricity_common", "Электроэнергия на ОДН", "кВт·ч", "uk"),
    ("waste", "Вывоз ТКО", "чел.", "uk"),
    ("capital_repair", "Взнос на капитальный ремонт", "м²", "capital"),
)


@dataclass(frozen=True)
class ServiceInfo:
    id: int
    code: str
    name: str
    unit: str
    payee_id: int
    capital_repair: bool
    sort_order: int


async def ensure_catalog() -> dict[str, Any]:
    """Create the payees and services if missing; ``{"payees": {code: id}, "services": {code: id}}``."""
    payees: dict[str, int] = {r["code"]: r["id"] for r in await Payee.select(Payee.id, Payee.code)}
    for data in PAYEES:
        if data["code"] not in payees:
            payee = Payee(**data)
            await payee.save()
            payees[data["code"]] = payee.id
    services: dict[str, int] = {r["code"]: r["id"] for r in await Service.select(Service.id, Service.code)}
    for order, (code, name, unit, payee_code) in enumerate(SERVICES, start=1):
        if code not in services:
            service = Service(code=code, name=name, unit=unit, payee=payees[payee_code], sort_order=order)
            await service.save()
            services[code] = service.id
    return {"payees": payees, "services": services}


async def services_by_code() -> dict[str, ServiceInfo]:
    rows = await Service.select(
        Service.id,
        Service.code,
        Service.name,
        Service.unit,
        Service.payee,
        Service.sort_order,
        Service.payee.capital_repair.as_alias("capital_repair"),
    )
    return {
        r["code"]: ServiceInfo(
            r["id"], r["code"], r["name"], r["unit"], r["payee"], bool(r["capital_repair"]), r["sort_order"]
        )
        for r in rows
    }


async def payees_by_id() -> dict[int, dict[str, Any]]:
    return {r["id"]: r for r in await Payee.select().order_by(Payee.sort_order)}


# --- accounts ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AccountInfo:
    id: int
    number: str
    payer_name: str
    address: str
    premise_number: str
    house_id: int
    house_address: str
    entrance: int | None
    area: Decimal

    @property
    def full_address(self) -> str:
        return f"{self.house_address}, кв. {self.premise_number}"


def _account_columns() -> tuple[Any, ...]:
    return (
        PersonalAccount.id,
        PersonalAccount.number,
        PersonalAccount.payer_name,
        PersonalAccount.premise.number.as_alias("premise_number"),
        PersonalAccount.premise.area.as_alias("area"),
        PersonalAccount.premise.house.id.as_alias("house_id"),
        PersonalAccount.premise.house.address.as_alias("house_address"),
        PersonalAccount.premise.entrance.number.as_alias("entrance"),
    )


def _account_info(row: dict[str, Any]) -> AccountInfo:
    return AccountInfo(
        id=row["id"],
        number=row["number"],
        payer_name=row["payer_name"],
        address=f"{row['house_address']}, кв. {row['premise_number']}",
        premise_number=row["premise_number"],
        house_id=row["house_id"],
        house_address=row["house_address"],
        entrance=row["entrance"],
        area=Decimal(str(row["area"] or 0)),
    )


async def accounts_info(account_ids: Sequence[int]) -> dict[int, AccountInfo]:
    if not account_ids:
        return {}
    rows = await PersonalAccount.select(*_account_columns()).where(PersonalAccount.id.is_in(list(account_ids)))
    return {r["id"]: _account_info(r) for r in rows}


async def account_info(account_id: int) -> AccountInfo | None:
    return (await accounts_info([account_id])).get(account_id)


async def account_ids_by_number(numbers: Sequence[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    unique = sorted(set(numbers))
    for start in range(0, len(unique), 500):
        chunk = unique[start : start + 500]
        rows = await PersonalAccount.select(PersonalAccount.id, PersonalAccount.number).where(
            PersonalAccount.number.is_in(chunk)
        )
        found.update({r["number"]: r["id"] for r in rows})
    return found


# --- balances and history of one account ----------------------------------------------------------------


@dataclass(frozen=True)
class PeriodBalance:
    period: date
    opening: Decimal
    charged: Decimal
    paid: Decimal
    penalties: Decimal
    other: Decimal
    closing: Decimal


def _period_balance(row: dict[str, Any]) -> PeriodBalance:
    return PeriodBalance(
        period=row["period"],
        opening=from_kopecks(row["opening_kopecks"]),
        charged=from_kopecks(row["charged_kopecks"]),
        paid=from_kopecks(row["paid_kopecks"]),
        penalties=from_kopecks(row["penalties_kopecks"]),
        other=from_kopecks(row["other_kopecks"]),
        closing=from_kopecks(row["closing_kopecks"]),
    )


async def period_balances(account_id: int, limit: int = 12) -> list[PeriodBalance]:
    """The last ``limit`` monthly snapshots of an account, newest first."""
    rows = (
        await Balance.select()
        .where(Balance.account == account_id)
        .order_by(Balance.period, ascending=False)
        .limit(limit)
    )
    return [_period_balance(r) for r in rows]


async def period_balance(account_id: int, period: date) -> PeriodBalance | None:
    row = await Balance.select().where((Balance.account == account_id) & (Balance.period == period)).first()
    return _period_balance(row) if row else None


@dataclass
class ChargeLine:
    id: int
    period: date
    service_id: int
    service_code: str
    service: str
    unit: str
    payee_id: int
    capital_repair: bool
    volume: Decimal
    tariff: Decimal
    amount: Decimal
    recalculation: Decimal
    reason: str
    basis: str
    basis_note: str
    sort_order: int
    previous: ChargeLine | None = None

    @property
    def total(self) -> Decimal:
        return self.amount + self.recalculation

    @property
    def change(self) -> Decimal | None:
        return None if self.previous is None else self.total - self.previous.total


def _charge_columns() -> tuple[Any, ...]:
    return (
        Charge.id,
        Charge.period,
        Charge.service,
        Charge.service.code.as_alias("service_code"),
        Charge.service.name.as_alias("service_name"),
        Charge.service.unit.as_alias("unit"),
        Charge.service.sort_order.as_alias("sort_order"),
        Charge.service.payee.id.as_alias("payee_id"),
        Charge.service.payee.capital_repair.as_alias("capital_repair"),
        Charge.volume,
        Charge.tariff_kopecks,
        Charge.amount_kopecks,
        Charge.recalculation_kopecks,
        Charge.recalculation_reason,
        Charge.basis,
        Charge.basis_note,
    )


def _charge_line(r: dict[str, Any]) -> ChargeLine:
    return ChargeLine(
        id=r["id"],
        period=r["period"],
        service_id=r["service"],
        service_code=r["service_code"],
        service=r["service_name"],
        unit=r["unit"],
        payee_id=r["payee_id"],
        capital_repair=bool(r["capital_repair"]),
        volume=Decimal(str(r["volume"] or 0)).normalize(),
        tariff=from_kopecks(r["tariff_kopecks"]),
        amount=from_kopecks(r["amount_kopecks"]),
        recalculation=from_kopecks(r["recalculation_kopecks"]),
        reason=r["recalculation_reason"],
        basis=r["basis"],
        basis_note=r["basis_note"],
        sort_order=r["sort_order"],
    )


async def charges_between(account_id: int, first: date, last: date) -> list[ChargeLine]:
    """Charges of an account for billing months ``first``…``last`` (bounded by the months asked for)."""
    rows = await Charge.select(*_charge_columns()).where(
        (Charge.account == account_id) & (Charge.period >= first) & (Charge.period <= last)
    )
    lines = [_charge_line(r) for r in rows]
    lines.sort(key=lambda c: (c.period, c.sort_order))
    return lines


async def charges_of_period(account_id: int, period: date) -> list[ChargeLine]:
    """The charges of one month, each with the same service of the month before (for "compared with")."""
    lines = await charges_between(account_id, rules.add_months(period, -1), period)
    previous = {c.service_id: c for c in lines if c.period != period}
    current = [c for c in lines if c.period == period]
    for line in current:
        line.previous = previous.get(line.service_id)
    return current


async def charge_line(account_id: int, charge_id: int) -> ChargeLine | None:
    row = (
        await Charge.select(*_charge_columns()).where((Charge.id == charge_id) & (Charge.account == account_id)).first()
    )
    if row is None:
        return None
    line = _charge_line(row)
    prev = (
        await Charge.select(*_charge_columns())
        .where(
            (Charge.account == account_id)
            & (Charge.service == line.service_id)
            & (Charge.period == rules.add_months(line.period, -1))
        )
        .first()
    )
    line.previous = _charge_line(prev) if prev else None
    return line


@dataclass(frozen=True)
class Entry:
    id: int
    occurred_at: Any
    period: date
    kind: str
    amount: Decimal
    reference: str | None
    note: str


def _entry(r: dict[str, Any]) -> Entry:
    return Entry(
        r["id"], r["occurred_at"], r["period"], r["kind"], from_kopecks(r["amount_kopecks"]), r["reference"], r["note"]
    )


async def entries_of_period(account_id: int, period: date, kinds: Sequence[str]) -> list[Entry]:
    rows = (
        await LedgerEntry.select()
        .where(
            (LedgerEntry.account == account_id) & (LedgerEntry.period == period) & LedgerEntry.kind.is_in(list(kinds))
        )
        .order_by(LedgerEntry.occurred_at)
        .limit(200)
    )
    return [_entry(r) for r in rows]


async def recent_entries(account_id: int, kinds: Sequence[str], limit: int = 12) -> list[Entry]:
    rows = (
        await LedgerEntry.select()
        .where((LedgerEntry.account == account_id) & LedgerEntry.kind.is_in(list(kinds)))
        .order_by(LedgerEntry.occurred_at, ascending=False)
        .limit(limit)
    )
    return [_entry(r) for r in rows]


async def ledger_page(account_id: int, page: PageRequest) -> Page[Entry]:
    where = LedgerEntry.account == account_id
    total = await LedgerEntry.count().where(where)
    rows = (
        await LedgerEntry.select()
        .where(where)
        .order_by(LedgerEntry.occurred_at, ascending=False)
        .order_by(LedgerEntry.id, ascending=False)
        .limit(page.size)
        .offset(page.offset)
    )
    return Page(items=[_entry(r) for r in rows], total=total, number=page.number, size=page.size)


@dataclass
class PenaltyInfo:
    debt_period: date
    capital_repair: bool
    due_date: date
    amount: Decimal
    lines: list[dict[str, Any]] = field(default_factory=list)


async def penalties_of_period(account_id: int, period: date) -> list[PenaltyInfo]:
    rows = (
        await PenaltyAccrual.select()
        .where((PenaltyAccrual.account == account_id) & (PenaltyAccrual.period == period))
        .order_by(PenaltyAccrual.debt_period)
        .output(load_json=True)
    )
    found = []
    for r in rows:
        lines = [
            {
                "first": date.fromisoformat(line["first"]),
                "last": date.fromisoformat(line["last"]),
                "days": int(line["days"]),
                "base": Decimal(line["base"]),
                "rate": Decimal(line["rate"]),
                "divisor": int(line["divisor"]),
                "amount": Decimal(line["amount"]),
            }
            for line in (r["lines"] or [])
        ]
        found.append(
            PenaltyInfo(
                r["debt_period"], bool(r["capital_repair"]), r["due_date"], from_kopecks(r["amount_kopecks"]), lines
            )
        )
    return found


# --- receipts -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReceiptInfo:
    id: int
    account_id: int
    period: date
    payer_name: str
    address: str
    opening: Decimal
    charged: Decimal
    paid: Decimal
    penalties: Decimal
    to_pay: Decimal
    due_date: date
    issued_at: Any


def _receipt(r: dict[str, Any]) -> ReceiptInfo:
    return ReceiptInfo(
        id=r["id"],
        account_id=r["account"],
        period=r["period"],
        payer_name=r["payer_name"],
        address=r["address"],
        opening=from_kopecks(r["opening_kopecks"]),
        charged=from_kopecks(r["charged_kopecks"]),
        paid=from_kopecks(r["paid_kopecks"]),
        penalties=from_kopecks(r["penalties_kopecks"]),
        to_pay=from_kopecks(r["to_pay_kopecks"]),
        due_date=r["due_date"],
        issued_at=r["issued_at"],
    )


async def receipt_of(account_id: int, period: date) -> ReceiptInfo | None:
    row = await Receipt.select().where((Receipt.account == account_id) & (Receipt.period == period)).first()
    return _receipt(row) if row else None


async def receipts_of(account_id: int, limit: int = 24) -> list[ReceiptInfo]:
    rows = (
        await Receipt.select()
        .where(Receipt.account == account_id)
        .order_by(Receipt.period, ascending=False)
        .limit(limit)
    )
    return [_receipt(r) for r in rows]


async def last_receipts(account_ids: Sequence[int]) -> dict[int, ReceiptInfo]:
    """The newest receipt of each account, in one query."""
    if not account_ids:
        return {}
    found: dict[int, ReceiptInfo] = {}
    for start in range(0, len(account_ids), 500):
        chunk = list(account_ids[start : start + 500])
        newest = (
            await Receipt.select(Receipt.account, Max(Receipt.period).as_alias("period"))
            .where(Receipt.account.is_in(chunk))
            .group_by(Receipt.account)
        )
        wanted = {(r["account"], _as_date(r["period"])) for r in newest}
        if not wanted:
            continue
        rows = await Receipt.select().where(
            Receipt.account.is_in(chunk) & Receipt.period.is_in(sorted({p for _, p in wanted}))
        )
        for r in rows:
            if (r["account"], r["period"]) in wanted:
                found[r["account"]] = _receipt(r)
    return found


def _as_date(value: Any) -> date:
    return date.fromisoformat(value) if isinstance(value, str) else value


async def receipt_sections(receipt_id: int) -> list[dict[str, Any]]:
    rows = (
        await ReceiptSection.select(
            ReceiptSection.id,
            ReceiptSection.payee,
            ReceiptSection.charged_kopecks,
            ReceiptSection.total_kopecks,
            ReceiptSection.qr_payload,
        )
        .where(ReceiptSection.receipt == receipt_id)
        .order_by(ReceiptSection.payee)
    )
    return rows


async def houses_of(house_ids: frozenset[int] | None) -> list[dict[str, Any]]:
    query = House.select(House.id, House.address).order_by(House.address)
    if house_ids is not None:
        if not house_ids:
            return []
        query = query.where(House.id.is_in(list(house_ids)))
    return await query


async def entrances_of(house_id: int) -> list[int]:
    rows = await Entrance.select(Entrance.number).where(Entrance.house == house_id).order_by(Entrance.number)
    return [r["number"] for r in rows]


async def house_areas(house_ids: Sequence[int]) -> dict[int, Decimal]:
    """The total area of premises of each house (m²), summed in Python (SQLite sums Numeric as float)."""
    if not house_ids:
        return {}
    rows = await Premise.select(Premise.house, Premise.area).where(Premise.house.is_in(list(house_ids)))
    areas: dict[int, Decimal] = dict.fromkeys(house_ids, Decimal("0"))
    for r in rows:
        areas[r["house"]] += Decimal(str(r["area"] or 0))
    return areas


# --- staff reports -----------------------------------------------------------------------------------


async def latest_period() -> date | None:
    row = await Balance.select(Max(Balance.period).as_alias("period")).first()
    return _as_date(row["period"]) if row and row["period"] else None


async def recent_periods(limit: int = 12) -> list[date]:
    latest = await latest_period()
    if latest is None:
        return []
    return [rules.add_months(latest, -n) for n in range(limit)]


# An account is a debtor when it owes more than this month's charges (which are not yet due).
OVERDUE = "balance.closing_kopecks > balance.charged_kopecks"


@dataclass
class HouseTotals:
    house_id: int
    address: str
    accounts: int = 0
    opening: Decimal = Decimal("0")
    charged: Decimal = Decimal("0")
    paid: Decimal = Decimal("0")
    penalties: Decimal = Decimal("0")
    debt: Decimal = Decimal("0")
    overdue: Decimal = Decimal("0")
    debtors: int = 0
    area: Decimal = Decimal("0")

    @property
    def debt_per_m2(self) -> Decimal:
        return (self.debt / self.area).quantize(Decimal("0.01")) if self.area else Decimal("0.00")

    @property
    def collection(self) -> Decimal | None:
        """Paid in the month as a share of what was charged (%), a second view of the same money."""
        return (self.paid / self.charged * 100).quantize(Decimal("0.1")) if self.charged else None


async def house_totals(period: date, house_ids: frozenset[int] | None) -> list[HouseTotals]:
    """Charged, paid, penalties and the debt of each house in one month, with the receivables per m² (the KPI)."""
    houses = await houses_of(house_ids)
    if not houses:
        return []
    ids = [h["id"] for h in houses]
    house = Balance.account.premise.house
    base = (Balance.period == period) & house.is_in(ids)
    sums = (
        await Balance.select(
            house.as_alias("house"),
            Count(Balance.id).as_alias("accounts"),
            Sum(Balance.opening_kopecks).as_alias("opening"),
            Sum(Balance.charged_kopecks).as_alias("charged"),
            Sum(Balance.other_kopecks).as_alias("other"),
            Sum(Balance.paid_kopecks).as_alias("paid"),
            Sum(Balance.penalties_kopecks).as_alias("penalties"),
        )
        .where(base)
        .group_by(house)
    )
    debts = (
        await Balance.select(house.as_alias("house"), Sum(Balance.closing_kopecks).as_alias("debt"))
        .where(base & (Balance.closing_kopecks > 0))
        .group_by(house)
    )
    overdue = (
        await Balance.select(
            house.as_alias("house"),
            Count(Balance.id).as_alias("debtors"),
            Sum(Balance.closing_kopecks).as_alias("closing"),
            Sum(Balance.charged_kopecks).as_alias("charged"),
        )
        .where(base & WhereRaw(OVERDUE))
        .group_by(house)
    )
    areas = await house_areas(ids)
    found = {h["id"]: HouseTotals(h["id"], h["address"], area=areas.get(h["id"], Decimal("0"))) for h in houses}
    for r in sums:
        t = found[r["house"]]
        t.accounts = r["accounts"]
        t.opening = from_kopecks(r["opening"])
        t.charged = from_kopecks((r["charged"] or 0) + (r["other"] or 0))
        t.paid = from_kopecks(r["paid"])
        t.penalties = from_kopecks(r["penalties"])
    for r in debts:
        found[r["house"]].debt = from_kopecks(r["debt"])
    for r in overdue:
        found[r["house"]].overdue = from_kopecks((r["closing"] or 0) - (r["charged"] or 0))
        found[r["house"]].debtors = r["debtors"]
    return list(found.values())


def sum_totals(houses: Sequence[HouseTotals]) -> HouseTotals:
    total = HouseTotals(0, "")
    for h in houses:
        total.accounts += h.accounts
        total.opening += h.opening
        total.charged += h.charged
        total.paid += h.paid
        total.penalties += h.penalties
        total.debt += h.debt
        total.overdue += h.overdue
        total.debtors += h.debtors
        total.area += h.area
    return total


def _sorts() -> dict[str, tuple[Any, bool]]:
    """Allow-listed sort keys of the debtors list → (column, ascending)."""
    return {
        "debt": (Balance.closing_kopecks, True),
        "-debt": (Balance.closing_kopecks, False),
        "account": (Balance.account.number, True),
        "-account": (Balance.account.number, False),
        "address": (Balance.account.premise.house.address, True),
        "-address": (Balance.account.premise.house.address, False),
    }


@dataclass(frozen=True)
class DebtorFilter:
    house: int | None = None
    entrance: int | None = None
    min_debt: Decimal | None = None
    months: int | None = None
    sort: str = "-debt"

    @classmethod
    def read(cls, *, house: str, entrance: str, min_debt: str, months: str, sort: str) -> DebtorFilter:
        def whole(text: str) -> int | None:
            return int(text) if text.isdigit() and len(text) < 9 else None

        amount: Decimal | None = None
        try:
            amount = Decimal(min_debt.replace(",", ".").replace(" ", "")) if min_debt else None
            if amount is not None and (not amount.is_finite() or amount < 0 or amount > Decimal("1e9")):
                amount = None
        except ArithmeticError:
            amount = None
        return cls(
            house=whole(house),
            entrance=whole(entrance),
            min_debt=amount,
            months=whole(months),
            sort=sort if sort in _sorts() else "-debt",
        )

    def params(self) -> dict[str, Any]:
        return {
            "house": self.house or "",
            "entrance": self.entrance or "",
            "min_debt": self.min_debt if self.min_debt is not None else "",
            "months": self.months or "",
            "sort": self.sort,
        }


@dataclass(frozen=True)
class Debtor:
    account_id: int
    number: str
    payer_name: str
    address: str
    entrance: int | None
    debt: Decimal
    charged: Decimal
    months: int

    @property
    def overdue(self) -> Decimal:
        return max(Decimal("0.00"), self.debt - self.charged)


def _debtor_where(period: date, filters: DebtorFilter, house_ids: frozenset[int] | None) -> Any:
    where = (Balance.period == period) & (Balance.closing_kopecks > 0) & WhereRaw(OVERDUE)
    house = Balance.account.premise.house
    if house_ids is not None:
        where &= house.is_in(list(house_ids) or [0])
    if filters.house:
        where &= house == filters.house
    if filters.entrance:
        where &= Balance.account.premise.entrance.number == filters.entrance
    if filters.min_debt is not None:
        where &= Balance.closing_kopecks >= int(filters.min_debt * 100)
    if filters.months:
        # Months overdue = the debt beyond this month's charges, in months of charges (ПП № 354 п. 117 measures a
        # debt in monthly payments): closing − charged ≥ months × charged.
        where &= WhereRaw(
            "balance.closing_kopecks - balance.charged_kopecks >= {} * balance.charged_kopecks", filters.months
        )
    return where


def _debtor_columns() -> tuple[Any, ...]:
    return (
        Balance.account.as_alias("account_id"),
        Balance.account.number.as_alias("number"),
        Balance.account.payer_name.as_alias("payer_name"),
        Balance.account.premise.number.as_alias("premise_number"),
        Balance.account.premise.house.address.as_alias("house_address"),
        Balance.account.premise.entrance.number.as_alias("entrance"),
        Balance.closing_kopecks,
        Balance.charged_kopecks,
    )


def _debtor(r: dict[str, Any]) -> Debtor:
    debt, charged = r["closing_kopecks"], r["charged_kopecks"]
    months = max(0, (debt - charged) // charged) if charged > 0 else 0
    return Debtor(
        account_id=r["account_id"],
        number=r["number"],
        payer_name=r["payer_name"],
        address=f"{r['house_address']}, кв. {r['premise_number']}",
        entrance=r["entrance"],
        debt=from_kopecks(debt),
        charged=from_kopecks(charged),
        months=int(months),
    )


def _ordered(query: Any, sort: str) -> Any:
    column, ascending = _sorts()[sort]
    return query.order_by(column, ascending=ascending).order_by(Balance.id)


async def debtors_page(
    period: date, filters: DebtorFilter, house_ids: frozenset[int] | None, page: PageRequest
) -> Page[Debtor]:
    where = _debtor_where(period, filters, house_ids)
    total = await Balance.count().where(where)
    rows = (
        await _ordered(Balance.select(*_debtor_columns()).where(where), filters.sort)
        .limit(page.size)
        .offset(page.offset)
    )
    return Page(items=[_debtor(r) for r in rows], total=total, number=page.number, size=page.size)


EXPORT_LIMIT = 100_000


async def debtors_all(period: date, filters: DebtorFilter, house_ids: frozenset[int] | None) -> list[Debtor]:
    """Exactly the filtered rows, in the list's order (bounded for the export)."""
    where = _debtor_where(period, filters, house_ids)
    rows = await _ordered(Balance.select(*_debtor_columns()).where(where), filters.sort).limit(EXPORT_LIMIT)
    return [_debtor(r) for r in rows]


async def receipt_counts(period: date, house_ids: frozenset[int] | None) -> dict[int, int]:
    """How many receipts of the month each house has."""
    house = Receipt.account.premise.house
    where = Receipt.period == period
    if house_ids is not None:
        where &= house.is_in(list(house_ids) or [0])
    rows = await Receipt.select(house.as_alias("house"), Count(Receipt.id).as_alias("n")).where(where).group_by(house)
    return {r["house"]: r["n"] for r in rows}
