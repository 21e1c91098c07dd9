"""Reads and writes of billing: the catalogue of payees and services, account pages, staff reports.

Every list is bounded and indexed; related rows come in one query (joins or ``is_in``), never one per row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from piccolo.query.functions.aggregate import Max

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
    return [
        PenaltyInfo(
            r["debt_period"], bool(r["capital_repair"]), r["due_date"], from_kopecks(r["amount_kopecks"]), r["lines"]
        )
        for r in rows
    ]


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
