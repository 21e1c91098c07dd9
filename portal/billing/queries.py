"""Reads of billing: the catalogue of payees and services, account pages, receipts, staff reports.

Every list is bounded and indexed; related rows come in one query (joins or ``is_in``), never one per row.
Every result is a dataclass. Staff reads take the principal and keep to the houses they work with
(``portal.housing.queries.house_scope``); nothing here writes.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Collection
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from dataclasses import replace
from datetime import date
from datetime import datetime
from decimal import ROUND_HALF_UP
from decimal import Decimal
from typing import Any
from typing import TypeVar

from piccolo.columns.combination import WhereRaw
from piccolo.query.functions.aggregate import Count
from piccolo.query.functions.aggregate import Max
from piccolo.query.functions.aggregate import Sum
from piccolo.querystring import QueryString
from piccolo.table import Table

from portal.accounts.queries import accounts_of_user
from portal.billing import qr
from portal.billing import rules
from portal.billing.ledger import latest_snapshots
from portal.billing.ledger import newest_rows
from portal.billing.tables import Balance
from portal.billing.tables import Charge
from portal.billing.tables import EntryKind
from portal.billing.tables import LedgerEntry
from portal.billing.tables import Payee
from portal.billing.tables import PenaltyAccrual
from portal.billing.tables import Receipt
from portal.billing.tables import ReceiptSection
from portal.billing.tables import Service
from portal.core import clock
from portal.core.address import PremiseAddress
from portal.core.clauses import every
from portal.core.db import from_kopecks
from portal.core.db import from_row
from portal.core.db import is_sqlite
from portal.core.pagination import Page
from portal.core.pagination import PageRequest
from portal.core.rows import built_once
from portal.core.security import Principal
from portal.core.values import as_date
from portal.core.values import chunks
from portal.core.values import placeholders
from portal.housing.queries import HouseRef
from portal.housing.queries import house_scope
from portal.housing.queries import houses_in_scope
from portal.housing.queries import premise_joins
from portal.housing.tables import FLOOR_AREA_KINDS
from portal.housing.tables import Entrance
from portal.housing.tables import PersonalAccount
from portal.housing.tables import Premise
from portal.settings import get_settings

# --- the catalogue -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ServiceInfo:
    id: int
    code: str
    name: str
    unit: str
    payee_id: int
    capital_repair: bool
    sort_order: int


@dataclass(frozen=True)
class PayeeInfo:
    """A payee with the requisites printed on receipts and encoded in their QR codes."""

    id: int
    code: str
    name: str
    inn: str
    kpp: str
    bank_name: str
    bic: str
    settlement_account: str
    corresp_account: str
    address: str
    phone: str
    email: str
    site: str
    capital_repair: bool
    dispatch_phones: str = ""


async def services_by_code() -> dict[str, ServiceInfo]:
    rows = await Service.select(
        Service.id,
        Service.code,
        Service.name,
        Service.unit,
        Service.payee.as_alias("payee_id"),
        Service.sort_order,
        Service.payee.capital_repair.as_alias("capital_repair"),
    )
    return {r["code"]: from_row(ServiceInfo, r, capital_repair=bool(r["capital_repair"])) for r in rows}


async def payees() -> list[PayeeInfo]:
    """Every payee, the company (УК) first."""
    rows = await Payee.select().order_by(Payee.sort_order).order_by(Payee.id)
    return [from_row(PayeeInfo, r, capital_repair=bool(r["capital_repair"])) for r in rows]


async def payee(payee_id: int) -> PayeeInfo | None:
    """One payee by id (None when there is no such payee)."""
    return next((p for p in await payees() if p.id == payee_id), None)


# --- accounts ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AccountInfo(PremiseAddress):
    id: int
    number: str
    payer_name: str
    premise_kind: str
    premise_number: str
    house_id: int
    house_address: str
    entrance: int | None
    area: Decimal
    closed_on: date | None


A = TypeVar("A", bound=AccountInfo)


@built_once
def _account_columns(table: type[Table], key: str | None = None) -> tuple[Any, ...]:
    """What an ``AccountInfo`` shows of an account: of ``PersonalAccount`` itself, or read through ``table``'s
    foreign key ``key`` to it (``Balance, "account"``); built once for each (``core.rows.built_once``)."""
    account = table if key is None else getattr(table, key)
    joins = {
        "number": account.number,
        "payer_name": account.payer_name,
        **premise_joins(account.premise),
        "entrance": account.premise.entrance.number,
        "closed_on": account.closed_on,
    }
    return tuple(column.as_alias(name) for name, column in joins.items())


def _account_info(row: dict[str, Any], cls: type[A], **values: Any) -> A:
    """An ``AccountInfo`` (or ``cls``, one that extends it with ``values``) of a row of ``_account_columns``."""
    return from_row(cls, row, area=Decimal(str(row["area"] or 0)), **values)


async def accounts_info(account_ids: Sequence[int]) -> dict[int, AccountInfo]:
    found: dict[int, AccountInfo] = {}
    for chunk in chunks(sorted(set(account_ids))):
        rows = await PersonalAccount.select(PersonalAccount.id, *_account_columns(PersonalAccount)).where(
            PersonalAccount.id.is_in(chunk)
        )
        found.update({r["id"]: _account_info(r, AccountInfo) for r in rows})
    return found


async def account_info(account_id: int) -> AccountInfo | None:
    return (await accounts_info([account_id])).get(account_id)


async def resident_account(principal: Principal, account_id: int) -> AccountInfo | None:
    """The account if this resident may view it (None for a missing one and for someone else's alike)."""
    if not principal.may_on_account(account_id):
        return None
    return await account_info(account_id)


async def staff_account(principal: Principal, account_id: int) -> AccountInfo | None:
    """The account if it is in one of the staff member's houses (None for a missing one and one elsewhere)."""
    info = await account_info(account_id)
    if info is None or not principal.may_see_house(info.house_id):
        return None
    return info


async def account_ids_by_number(numbers: Sequence[str], principal: Principal | None = None) -> dict[str, int]:
    """Account ids by number; with a principal, only accounts in the houses that principal works with."""
    scope = house_scope(PersonalAccount.premise.house, principal) if principal is not None else None
    found: dict[str, int] = {}
    for chunk in chunks(sorted(set(numbers))):
        where = PersonalAccount.number.is_in(chunk)
        if scope is not None:
            where &= scope
        rows = await PersonalAccount.select(PersonalAccount.id, PersonalAccount.number).where(where)
        found.update({r["number"]: r["id"] for r in rows})
    return found


def _of_houses(principal: Principal, house_id: int | None) -> list[Any]:
    """The conditions of the accounts of one house, or of every house the principal works with."""
    house = PersonalAccount.premise.house
    return [house_scope(house, principal), house == house_id if house_id is not None else None]


async def account_ids_of_houses(
    principal: Principal, house_id: int | None = None, *, after: int = 0, limit: int | None = None
) -> list[int]:
    """The accounts of one house, or of every house the principal works with, in the order of their ids: those
    after the id ``after``, at most ``limit`` of them (a batch of a job)."""
    where = every([PersonalAccount.id > after, *_of_houses(principal, house_id)])
    query = PersonalAccount.select(PersonalAccount.id).where(where).order_by(PersonalAccount.id)
    return [r["id"] for r in await (query if limit is None else query.limit(limit))]


async def count_of_houses(principal: Principal, house_id: int | None = None) -> int:
    """How many accounts ``account_ids_of_houses`` lists from the first."""
    query = PersonalAccount.select(Count(PersonalAccount.id).as_alias("n"))
    where = every(_of_houses(principal, house_id))
    rows = await (query if where is None else query.where(where))
    return int(rows[0]["n"]) if rows else 0


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


def _money(row: dict[str, Any], *names: str) -> dict[str, Decimal]:
    """The roubles of each ``name`` from the row's ``<name>_kopecks`` column."""
    return {name: from_kopecks(row[f"{name}_kopecks"]) for name in names}


def _number(value: Any) -> Decimal:
    """A Numeric column's value (a float on SQLite, None when empty) as a Decimal without trailing zeros."""
    return Decimal(str(value or 0)).normalize()


async def _newest_first(table: type[Balance] | type[Receipt], account_id: int, limit: int) -> list[dict[str, Any]]:
    """The last ``limit`` monthly rows of an account in ``table`` (its snapshots, its receipts), newest first."""
    return await table.select().where(table.account == account_id).order_by(table.period, ascending=False).limit(limit)


def _period_balance(row: dict[str, Any]) -> PeriodBalance:
    return from_row(PeriodBalance, row, **_money(row, "opening", "charged", "paid", "penalties", "other", "closing"))


async def period_balances(account_id: int, limit: int = 12) -> list[PeriodBalance]:
    """The last ``limit`` monthly snapshots of an account, newest first."""
    return [_period_balance(r) for r in await _newest_first(Balance, account_id, limit)]


@dataclass(frozen=True, kw_only=True)
class ChargeLine(rules.ChargeFigures):
    """A charge of an account's month with its service, and the same service's charge of the month before."""

    id: int
    period: date
    service_id: int
    service_code: str
    service: str
    unit: str
    payee_id: int
    capital_repair: bool
    sort_order: int
    previous: ChargeLine | None = None

    @property
    def change(self) -> Decimal | None:
        return None if self.previous is None else self.total - self.previous.total


@built_once
def _charge_columns() -> tuple[Any, ...]:
    """The charge's own columns (but whose and which import it is) and its service's, named as ``ChargeLine``."""
    renamed = (Charge.service.as_alias("service_id"), Charge.recalculation_reason.as_alias("reason"))
    return (
        *Charge.all_columns(exclude=[Charge.account, Charge.batch, Charge.created_at, *renamed]),
        *renamed,
        Charge.service.code.as_alias("service_code"),
        Charge.service.name.as_alias("service"),
        Charge.service.unit.as_alias("unit"),
        Charge.service.sort_order.as_alias("sort_order"),
        Charge.service.payee.id.as_alias("payee_id"),
        Charge.service.payee.capital_repair.as_alias("capital_repair"),
    )


def _charge_line(r: dict[str, Any]) -> ChargeLine:
    return from_row(
        ChargeLine,
        r,
        capital_repair=bool(r["capital_repair"]),
        volume=_number(r["volume"]),
        volume_common=_number(r["volume_common"]),
        coefficient=_number(r["coefficient"]),
        coefficient_amount=from_kopecks(r["coefficient_kopecks"]),
        **_money(r, "tariff", "amount", "recalculation", "benefit"),
    )


async def charges_of_period(account_id: int, period: date) -> list[ChargeLine]:
    """The charges of one month, each with the same service of the month before (for "compared with")."""
    rows = await Charge.select(*_charge_columns()).where(
        (Charge.account == account_id) & (Charge.period >= rules.add_months(period, -1)) & (Charge.period <= period)
    )
    lines = sorted((_charge_line(r) for r in rows), key=lambda c: (c.period, c.sort_order))
    previous = {c.service_id: c for c in lines if c.period != period}
    return [replace(c, previous=previous.get(c.service_id)) for c in lines if c.period == period]


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
    return replace(line, previous=_charge_line(prev) if prev else None)


@dataclass(frozen=True)
class Entry:
    id: int
    occurred_at: datetime
    period: date
    kind: str
    amount: Decimal
    reference: str | None
    note: str


def entry(r: dict[str, Any]) -> Entry:
    """A ledger row as an ``Entry``."""
    return from_row(Entry, r, **_money(r, "amount"))


async def entries_of_period(account_id: int, period: date, kinds: Sequence[EntryKind]) -> list[Entry]:
    rows = (
        await LedgerEntry.select()
        .where(
            (LedgerEntry.account == account_id) & (LedgerEntry.period == period) & LedgerEntry.kind.is_in(list(kinds))
        )
        .order_by(LedgerEntry.occurred_at)
        .limit(200)
    )
    return [entry(r) for r in rows]


async def ledger_rows(account_id: int, page: PageRequest) -> tuple[list[dict[str, Any]], int]:
    """One page of an account's ledger entries, newest first (index ``ledger_entry_account_occurred``), and how
    many entries it has in all."""
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
    return rows, total


async def ledger_page(account_id: int, page: PageRequest) -> Page[Entry]:
    rows, total = await ledger_rows(account_id, page)
    return Page(items=[entry(r) for r in rows], total=total, number=page.number, size=page.size)


@dataclass(frozen=True)
class PenaltyLineView:
    first: date
    last: date
    days: int
    base: Decimal
    rate: Decimal
    divisor: int
    amount: Decimal


@dataclass
class PenaltyInfo:
    debt_period: date
    capital_repair: bool
    due_date: date
    amount: Decimal
    lines: list[PenaltyLineView] = field(default_factory=list)
    recalculated: Decimal = Decimal("0.00")  # the part of ``amount`` that re-prices earlier months


async def penalties_of_period(account_id: int, period: date) -> list[PenaltyInfo]:
    rows = (
        await PenaltyAccrual.select()
        .where((PenaltyAccrual.account == account_id) & (PenaltyAccrual.period == period))
        .order_by(PenaltyAccrual.debt_period)
        .output(load_json=True)
    )
    return [
        PenaltyInfo(
            r["debt_period"],
            bool(r["capital_repair"]),
            r["due_date"],
            from_kopecks(r["amount_kopecks"]),
            [
                PenaltyLineView(
                    first=date.fromisoformat(line["first"]),
                    last=date.fromisoformat(line["last"]),
                    days=int(line["days"]),
                    base=Decimal(line["base"]),
                    rate=Decimal(line["rate"]),
                    divisor=int(line["divisor"]),
                    amount=Decimal(line["amount"]),
                )
                for line in (r["lines"] or [])
            ],
            from_kopecks(r["recalculated_kopecks"]),
        )
        for r in rows
    ]


# The billing months whose charges may not yet be due on a day: its month and the two before (a month's last payment
# day is in the month after it, so older months are always due).
RECENT_MONTHS = 3


async def _recent_snapshots(account_ids: Sequence[int], since: date) -> dict[int, list[dict[str, Any]]]:
    """Each account's snapshots of the months from ``since``, oldest first: one query per 500 accounts, on the
    account and period."""
    found: dict[int, list[dict[str, Any]]] = {}
    for chunk in chunks(list(account_ids)):
        where = Balance.account.is_in(chunk) & (Balance.period >= since)
        for r in await Balance.select().where(where).order_by(Balance.period):
            found.setdefault(r["account"], []).append(r)
    return found


def _charges(snapshots: Sequence[dict[str, Any]]) -> list[tuple[date, Decimal]]:
    """``(billing month, billed)`` of these snapshots, what ``rules.overdue`` takes: a month's charges and its
    penalties, which its receipt carries and which fall due with it."""
    return [(as_date(r["period"]), from_kopecks(r["charged_kopecks"] + r["penalties_kopecks"])) for r in snapshots]


@dataclass(frozen=True)
class HomeBalance:
    """One account on the resident's home page: its balance, what of it is overdue, its last receipt."""

    info: AccountInfo
    state: rules.BalanceState
    overdue: Decimal
    receipt: ReceiptInfo | None
    may_pay: bool


async def home_balances(principal: Principal) -> list[HomeBalance]:
    """Every account the resident may view: a fixed number of queries whatever their number; the accounts
    themselves are those the home page reads once for all its sections (``accounts.queries.accounts_of_user``)."""
    mine = await accounts_of_user(principal.user_id) if principal.user_id is not None else []
    infos = {a.id: from_row(AccountInfo, vars(a)) for a in mine if principal.may_on_account(a.id)}
    return await account_balances(sorted(infos), lambda account_id: principal.may_on_account(account_id, "pay"), infos)


async def account_balances(
    ids: Sequence[int], may_pay: Callable[[int], bool] = lambda _: False, infos: Mapping[int, AccountInfo] | None = None
) -> list[HomeBalance]:
    """These accounts' balances, overdue parts and last receipts, in the order of ``ids`` (the resident's home, a
    caller's account on a staff page): a fixed number of queries whatever their number. The accounts are read
    unless their ``infos`` are given."""
    infos = await accounts_info(ids) if infos is None else infos
    today = clock.today_local()
    # The recent months' snapshots give the balance (the newest of them) and the charges not yet due; an account
    # without any (nothing posted for months) takes its newest snapshot of before.
    recent = await _recent_snapshots(ids, rules.add_months(rules.month_start(today), 1 - RECENT_MONTHS))
    snapshots = {a: rows[-1] for a, rows in recent.items()}
    if missing := [a for a in ids if a in infos and a not in snapshots]:
        snapshots.update(await latest_snapshots(missing))
    last = await last_receipts(ids)
    found = []
    for account_id in ids:
        if account_id not in infos:
            continue
        snapshot = snapshots.get(account_id)
        balance = from_kopecks(snapshot["closing_kopecks"]) if snapshot else Decimal("0.00")
        found.append(
            HomeBalance(
                info=infos[account_id],
                state=rules.balance_state(balance),
                overdue=rules.overdue(balance, _charges(recent.get(account_id, [])), today),
                receipt=last.get(account_id),
                may_pay=may_pay(account_id),
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
    corrections: Decimal  # balance corrections of the month, signed (0 on a receipt issued before they were apart)
    paid: Decimal
    penalties: Decimal
    to_pay: Decimal
    due_date: date
    issued_at: datetime
    issued_by: int | None

    @property
    def overpaid(self) -> Decimal:
        """The overpayment at the month's end (0 when a sum is to pay): a receipt says «Переплата» then, not that
        nothing is to pay."""
        return max(Decimal("0.00"), self.paid - self.opening - self.charged - self.corrections - self.penalties)

    @property
    def as_of(self) -> date:
        """The day its figures are of: the last day of its month, or the day it was issued when that came first (a
        receipt of the running month)."""
        return min(rules.month_end(self.period), clock.local(self.issued_at).date())


def _receipt(r: dict[str, Any]) -> ReceiptInfo:
    money = _money(r, "opening", "charged", "corrections", "paid", "penalties", "to_pay")
    return from_row(ReceiptInfo, r, account_id=r["account"], **money)


async def receipt_of(account_id: int, period: date) -> ReceiptInfo | None:
    row = await Receipt.select().where((Receipt.account == account_id) & (Receipt.period == period)).first()
    return _receipt(row) if row else None


async def receipts_of(account_id: int, limit: int = 24) -> list[ReceiptInfo]:
    return [_receipt(r) for r in await _newest_first(Receipt, account_id, limit)]


async def last_receipts(account_ids: Sequence[int]) -> dict[int, ReceiptInfo]:
    """The newest receipt of each account: two queries per 500 accounts."""
    return {account: _receipt(r) for account, r in (await newest_rows(Receipt, account_ids)).items()}


async def receipts_for(period: date, account_ids: Sequence[int]) -> dict[int, ReceiptInfo]:
    """The receipts of ``period`` of these accounts, as the receipt page reads each: one query per 500 accounts."""
    found: dict[int, ReceiptInfo] = {}
    for chunk in chunks(sorted(set(account_ids))):
        rows = await Receipt.select().where((Receipt.period == period) & Receipt.account.is_in(chunk))
        found.update({r["account"]: _receipt(r) for r in rows})
    return found


@dataclass(frozen=True)
class ReceiptSectionView:
    """One payee's part of a receipt: its total, the QR payload and its fields."""

    payee: PayeeInfo
    charged: Decimal
    total: Decimal
    payload: str

    @property
    def fields(self) -> dict[str, str]:
        return qr.parse(self.payload).fields if self.payload else {}

    @property
    def qr(self) -> str:
        return qr.svg_data_uri(self.payload) if self.payload else ""


@dataclass(frozen=True)
class ReceiptView:
    """Everything a receipt (page or PDF) shows."""

    receipt: ReceiptInfo
    sections: list[ReceiptSectionView]
    lines: list[ChargeLine]
    payments: list[Entry]  # the payments and refunds of the month
    corrections: list[Entry]  # the balance corrections of the month, with their reasons
    penalty_items: list[PenaltyInfo]
    company: PayeeInfo | None

    @property
    def period(self) -> date:
        return self.receipt.period

    def sum_of(self, column: str) -> Decimal:
        """The sum of one column of the charges: ``amount``, ``recalculation``, ``by_tariff``, ``benefit`` …"""
        return rules.sum_of(self.lines, column)

    def shows(self, column: str) -> bool:
        """Whether any charge fills an optional column (``volume_common``, ``coefficient_amount``, ``benefit``):
        the receipt leaves the column out otherwise."""
        return any(getattr(c, column) for c in self.lines)

    @property
    def dispatch_phones(self) -> str:
        """The dispatch service's numbers: the company's own, else the emergency number of the settings."""
        return (self.company.dispatch_phones if self.company else "") or get_settings().emergency_phone


async def receipt_view(account_id: int, period: date) -> ReceiptView | None:
    receipt = await receipt_of(account_id, period)
    if receipt is None:
        return None
    by_id = {p.id: p for p in await payees()}
    rows = await ReceiptSection.select().where(ReceiptSection.receipt == receipt.id).order_by(ReceiptSection.payee)
    sections = [
        ReceiptSectionView(
            by_id[r["payee"]], from_kopecks(r["charged_kopecks"]), from_kopecks(r["total_kopecks"]), r["qr_payload"]
        )
        for r in rows
        if r["payee"] in by_id
    ]
    entries = await entries_of_period(account_id, period, [EntryKind.PAYMENT, EntryKind.REFUND, EntryKind.CORRECTION])
    return ReceiptView(
        receipt=receipt,
        sections=sections,
        lines=await charges_of_period(account_id, period),
        payments=[e for e in entries if e.kind != EntryKind.CORRECTION],
        corrections=[e for e in entries if e.kind == EntryKind.CORRECTION],
        penalty_items=await penalties_of_period(account_id, period),
        company=next(iter(by_id.values()), None),
    )


# --- staff reports -----------------------------------------------------------------------------------


async def houses_of(house_ids: frozenset[int] | None) -> list[HouseRef]:
    """The houses of a staff scope (the payments pages still ask by house ids)."""
    return await houses_in_scope(Principal(house_ids=house_ids))


async def entrances_of(principal: Principal, house_id: int) -> list[int]:
    """The entrance numbers of a house the principal works with (none for any other house)."""
    if not principal.may_see_house(house_id):
        return []
    rows = await Entrance.select(Entrance.number).where(Entrance.house == house_id).order_by(Entrance.number)
    return [r["number"] for r in rows]


async def house_areas(house_ids: Sequence[int]) -> dict[int, Decimal]:
    """The floor area of each house (m²): flats and non-residential premises (``FLOOR_AREA_KINDS``), what the
    receivables per m² are measured by; one grouped sum a chunk of houses, not a row a premise. SQLite keeps areas as
    floats: the sum is rounded to the hundredth every area is written in, as the dashboard rounds it."""
    areas: dict[int, Decimal] = dict.fromkeys(house_ids, Decimal("0"))
    floor = Premise.kind.is_in(list(FLOOR_AREA_KINDS))
    area = Sum(Premise.area).as_alias("area")
    for chunk in chunks(list(house_ids)):
        query = Premise.select(Premise.house, area).where(Premise.house.is_in(chunk) & floor).group_by(Premise.house)
        for r in await query:
            areas[r["house"]] = Decimal(str(r["area"] or 0)).quantize(Decimal("0.01"))
    return areas


async def latest_period(principal: Principal) -> date | None:
    """The newest billed month (one with charges) in the principal's houses: a month is billed once it has ended,
    and the payments of the month still running alone do not make it the month of the reports."""
    return await newest_period(None if principal.house_ids is None else sorted(principal.house_ids), billed=True)


BILLED = WhereRaw("balance.charged_kopecks <> 0")  # as written in the partial index balance_billed_period
LOOK_BACK = 24  # months a scope is looked at further back than the company's newest, at the most


async def newest_period(houses: Sequence[int] | None, *, billed: bool) -> date | None:
    """The newest month with snapshots in these houses (None: every house); ``billed``: with charges.

    The company's newest month comes from the period index (the partial index of billed snapshots), not from a
    scan of the houses' snapshots; a scope is then asked whether it has that month, and only one that lacks it
    (a house taken on later) is asked about the months before it, one by one."""
    if houses is not None and not houses:
        return None
    month = await _newest_before(None, billed)
    for _ in range(LOOK_BACK):
        if month is None or houses is None:
            return month
        query = Balance.exists().where((Balance.period == month) & Balance.account.premise.house.is_in(list(houses)))
        if await (query.where(BILLED) if billed else query):
            return month
        month = await _newest_before(month, billed)
    return None


async def _newest_before(before: date | None, billed: bool) -> date | None:
    query = Balance.select(Max(Balance.period).as_alias("period"))
    if before is not None:
        query = query.where(Balance.period < before)
    row = await (query.where(BILLED) if billed else query).first()
    return as_date(row["period"]) if row and row["period"] else None


async def recent_periods(principal: Principal, limit: int = 12) -> list[date]:
    latest = await latest_period(principal)
    if latest is None:
        return []
    return [rules.add_months(latest, -n) for n in range(limit)]


# The newest snapshot before a month of each account with none in it (``_as_of``); ``accounts``: the accounts read,
# as ``a``; the arguments: the month, those of ``accounts``, the month.
OLDER_NEWEST = (
    "SELECT (SELECT older.id FROM balance AS older WHERE older.account = a.id AND older.period < {{}}"
    " ORDER BY older.period DESC LIMIT 1) FROM {accounts}"
    " WHERE NOT EXISTS (SELECT 1 FROM balance AS own WHERE own.account = a.id AND own.period = {{}})"
)


def _as_of(period: date, houses: Collection[int] | None = None) -> WhereRaw:
    """Each account's newest snapshot up to ``period``: its balance at the month's end, also when nothing was posted
    on it in the month (a debtor who paid nothing in the month owes as much at its end). The month's own snapshots
    from the period index, and, only for an account with none in the month, its newest older one by a lookup on the
    account and period: the work grows with the accounts, not with their months. ``houses`` (every house when None)
    only bounds the accounts looked up; the caller still applies its own scope.

    Both engines read the two parts by their indexes and join the row sets (SQLite's OR of indexed terms;
    PostgreSQL's bitmap OR, which takes the looked-up ids as one array, not as a hashed subquery it would scan
    every snapshot against)."""
    accounts, ids = "personal_account AS a", list[int]()
    if houses is not None:
        ids = sorted(houses) or [-1]  # no house: no account
        accounts += f" JOIN premise AS p ON p.id = a.premise AND p.house IN ({placeholders(ids)})"
    older = OLDER_NEWEST.format(accounts=accounts)
    looked_up = f"IN ({older})" if is_sqlite() else f"= ANY(ARRAY({older}))"
    return WhereRaw(f"(balance.period = {{}} OR balance.id {looked_up})", period, period, *ids, period)


async def receivables_by_house(period: date, houses: Collection[int] | None = None) -> dict[int, int]:
    """What the accounts of each house (of ``houses``; every house when None) owe at the end of ``period``, in
    kopecks: the closing balances in debt of each account's newest snapshot up to the month (``_as_of``: an account
    closed, or not charged in the month, keeps its debt until it is paid). One grouped query whose work grows with the
    accounts, not with their months."""
    where = _as_of(period, houses) & (Balance.closing_kopecks > 0)
    if houses is not None:
        where &= Balance.account.premise.house.is_in(sorted(houses) or [-1])
    return {r["house"]: int(r["debt"] or 0) for r in await _by_house(where, debt=Sum(Balance.closing_kopecks))}


def _month_charged(period: date) -> QueryString:
    """SQL, for each snapshot ``_as_of(period)`` selects: the charges of ``period`` itself (none on an older one)."""
    return QueryString("CASE WHEN balance.period = {} THEN balance.charged_kopecks ELSE 0 END", period)


def _not_due(period: date, today: date) -> QueryString:
    """SQL, for each snapshot ``_as_of(period)`` selects: its account's charges and penalties (``_charges``) of the
    billing months not yet due on the month's report day (``rules.report_day``; the same months ``rules.overdue``
    leaves out), from the snapshots of ``period`` and the months before it, a lookup on the account and period."""
    first = rules.first_not_due(period, rules.report_day(period, today), RECENT_MONTHS - 1)
    if first is None:
        return QueryString("0")
    if first == rules.month_start(period):
        # only the month's own, on the row itself: no lookup
        return QueryString(
            "CASE WHEN balance.period = {} THEN balance.charged_kopecks + balance.penalties_kopecks ELSE 0 END", period
        )
    return QueryString(
        "(SELECT COALESCE(SUM(not_due.charged_kopecks + not_due.penalties_kopecks), 0) FROM balance AS not_due"
        " WHERE not_due.account = balance.account AND not_due.period >= {} AND not_due.period <= {})",
        first,
        period,
    )


def _overdue_where(period: date, today: date) -> WhereRaw:
    """An account is a debtor in a month when it owed more at its end than the charges not yet due then."""
    return WhereRaw("balance.closing_kopecks > {}", _not_due(period, today))


@dataclass
class HouseTotals:
    house_id: int
    address: str
    accounts: int = 0
    opening: Decimal = Decimal("0")  # what the accounts owed at the start (less what they had paid ahead)
    charged: Decimal = Decimal("0")  # the services, as the receipts' «Начислено»
    corrections: Decimal = Decimal("0")  # balance corrections (signed), a line of their own on the receipt
    paid: Decimal = Decimal("0")
    penalties: Decimal = Decimal("0")
    closing: Decimal = Decimal("0")  # what they owed at the end (less what they had paid ahead)
    debt: Decimal = Decimal("0")
    overdue: Decimal = Decimal("0")
    debtors: int = 0
    area: Decimal = Decimal("0")

    @property
    def debt_per_m2(self) -> Decimal:
        """Rounded half up, as the dashboard rounds the same figure (half to even read 8,12 here and 8,13 there)."""
        return (self.debt / self.area).quantize(Decimal("0.01"), ROUND_HALF_UP) if self.area else Decimal("0.00")

    @property
    def collection(self) -> Decimal | None:
        """Paid in the month as a share of what was charged (%), a second view of the same money."""
        return (self.paid / self.charged * 100).quantize(Decimal("0.1")) if self.charged else None


async def _by_house(where: Any, **aggregates: Any) -> list[dict[str, Any]]:
    """Each house's ``aggregates`` (by name) over the snapshots ``where`` selects: one grouped query."""
    house = Balance.account.premise.house
    columns = (aggregate.as_alias(name) for name, aggregate in aggregates.items())
    return await Balance.select(house.as_alias("house"), *columns).where(where).group_by(house)


# Each house's figures at the end of the months over the snapshots ``_owed_by_house`` reads (``owed``): the accounts
# of the months' figures (those they moved, and those that carry a balance into them), what they owe, less what they
# paid ahead (``closing``), their debt, its overdue part (beyond the charges not yet due) and its debtors; and, read
# up to the first month, what they owed at its start (the month's opening, or the closing of an older snapshot).
OWED = (
    "WITH owed AS MATERIALIZED ({}) SELECT owed.house AS house,"
    " COUNT(CASE WHEN owed.period >= {} OR owed.closing <> 0 THEN 1 END) AS accounts,"
    " SUM(owed.closing) AS closing, SUM(CASE WHEN owed.closing > 0 THEN owed.closing ELSE 0 END) AS debt,"
    " COUNT(CASE WHEN owed.closing > owed.not_due THEN 1 END) AS debtors,"
    " SUM(CASE WHEN owed.closing > owed.not_due THEN owed.closing - owed.not_due ELSE 0 END) AS overdue,"
    " SUM(CASE WHEN owed.period = {} THEN owed.opening ELSE owed.closing END) AS opening"
    " FROM owed GROUP BY owed.house"
)


async def _owed_by_house(where: Any, period: date, not_due: QueryString) -> list[dict[str, Any]]:
    """``OWED`` of each house over the snapshots ``where`` selects, ``period`` the first month. A snapshot's charges
    not yet due (``not_due``, a lookup on the account) are read once, into the materialized row set, though three
    figures compare with them: written in each, the lookup ran three times a snapshot."""
    rows = Balance.select(
        Balance.account.premise.house.as_alias("house"),
        Balance.period.as_alias("period"),
        Balance.opening_kopecks.as_alias("opening"),
        Balance.closing_kopecks.as_alias("closing"),
        not_due.as_alias("not_due"),
    ).where(where)
    return await Balance.raw(OWED, rows.querystrings[0], period, period)


async def house_totals(
    period: date, principal: Principal, *, until: date | None = None, houses: Sequence[int] = ()
) -> list[HouseTotals]:
    """Charged, corrections, paid and penalties of each house over the months ``period`` … ``until`` (one month when
    no ``until``), what its accounts owed at the start and at the end, and its debt at the end of the last one, with
    the receivables per m² (the KPI): one pass over the months' snapshots, grouped by house. ``houses``: only those of
    the user's (every one of theirs when empty). Charged is the services alone, as on the receipt; paid is net of the
    refunds made in the months, and a refund is no correction (as the receipt counts them). The figures reconcile:
    opening + charged + corrections + penalties − paid = closing."""
    last = max(until or period, period)
    found_houses = await houses_in_scope(principal)
    if houses:
        found_houses = [h for h in found_houses if h.id in set(houses)]
    if not found_houses:
        return []
    ids = [h.id for h in found_houses]
    house = Balance.account.premise.house
    scope = house.is_in(ids) if houses else house_scope(house, principal)

    def scoped(where: Any) -> Any:
        return where if scope is None else where & scope

    # What moved in the months, from their own snapshots; what is owed at the end, from each account's newest snapshot
    # up to the last month (an account nothing was posted on in it owes what it owed before), as the debtors list
    # reads it; what was owed at the start, from the same snapshots up to the first month: the month's opening, or
    # the closing of an older one.
    flows = await _by_house(
        scoped((Balance.period >= period) & (Balance.period <= last)),
        charged=Sum(Balance.charged_kopecks),
        other=Sum(Balance.other_kopecks),
        paid=Sum(Balance.paid_kopecks),
        penalties=Sum(Balance.penalties_kopecks),
    )
    refunded = await refunds_by_house(ids, period, last)
    owed = await _owed_by_house(scoped(_as_of(last, ids)), period, _not_due(last, clock.today_local()))
    started = owed if last == period else await _owed_by_house(scoped(_as_of(period, ids)), period, QueryString("0"))
    areas = await house_areas(ids)
    found = {h.id: HouseTotals(h.id, h.address, area=areas.get(h.id, Decimal("0"))) for h in found_houses}
    for r in flows:
        if t := found.get(r["house"]):
            back = refunded.get(r["house"], 0)
            t.charged = from_kopecks(r["charged"])
            t.corrections = from_kopecks((r["other"] or 0) - back)
            t.paid = from_kopecks((r["paid"] or 0) - back)
            t.penalties = from_kopecks(r["penalties"])
    for r in owed:
        if t := found.get(r["house"]):
            t.accounts = r["accounts"]
            t.closing = from_kopecks(r["closing"] or 0)
            t.debt = from_kopecks(r["debt"] or 0)
            t.overdue = from_kopecks(r["overdue"] or 0)
            t.debtors = r["debtors"] or 0
    for r in started:
        if t := found.get(r["house"]):
            t.opening = from_kopecks(r["opening"] or 0)
    return list(found.values())


async def refunds_by_house(houses: Sequence[int], start: date, end: date) -> dict[int, int]:
    """The refunds (kopecks) entered in the billing months ``start`` … ``end``, by house: money given back, written
    among the balance's other entries (one grouped query). The months are named one by one, so that the index on
    (period, kind) finds each month's refunds alone; a range of periods read every entry of the months."""
    house = LedgerEntry.account.premise.house
    months = rules.months_from(start, end)
    if not months:
        return {}
    where = (LedgerEntry.kind == EntryKind.REFUND) & LedgerEntry.period.is_in(months)
    refunded = Sum(LedgerEntry.amount_kopecks).as_alias("refunded")
    rows = (
        await LedgerEntry.select(house.as_alias("house"), refunded)
        .where(where & house.is_in(list(houses)))
        .group_by(house)
    )
    return {r["house"]: int(r["refunded"] or 0) for r in rows}


def sum_totals(houses: Sequence[HouseTotals]) -> HouseTotals:
    total = HouseTotals(0, "")
    for h in houses:
        total.accounts += h.accounts
        total.opening += h.opening
        total.charged += h.charged
        total.corrections += h.corrections
        total.paid += h.paid
        total.penalties += h.penalties
        total.closing += h.closing
        total.debt += h.debt
        total.overdue += h.overdue
        total.debtors += h.debtors
        total.area += h.area
    return total


# Allow-listed sort keys of the debtors list → (column, ascending).
DEBTOR_SORTS: dict[str, tuple[Any, bool]] = {
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
    complex: int | None = None
    every_owing: bool = False  # every account that owes at the month's end, not only those with an overdue part
    entrance: int | None = None
    min_debt: Decimal | None = None
    months: int | None = None
    sort: str = "-debt"


@dataclass(frozen=True)
class Debtor(AccountInfo):
    """An account that owed more at a month's end than its charges not yet due: ``debt`` is its closing balance,
    ``overdue`` the part past its due date (``rules.overdue``), ``months`` that part in the month's charges."""

    debt: Decimal
    charged: Decimal
    overdue: Decimal
    months: int | None  # None: no charges in the month to count them by


def _debtor_where(period: date, filters: DebtorFilter, principal: Principal) -> Any:
    today = clock.today_local()
    where = _as_of(period, [filters.house] if filters.house else principal.house_ids) & (Balance.closing_kopecks > 0)
    if not filters.every_owing:
        where &= _overdue_where(period, today)
    house = Balance.account.premise.house
    scope = house_scope(house, principal)
    if scope is not None:
        where &= scope
    if filters.house:
        where &= house == filters.house
    if filters.complex:
        where &= house.complex == filters.complex
    if filters.entrance:
        where &= Balance.account.premise.entrance.number == filters.entrance
    if filters.min_debt is not None:
        where &= Balance.closing_kopecks >= int(filters.min_debt * 100)
    if filters.months:
        # Months overdue (rules.months_of_charges) at least ``months``: overdue ≥ months × the month's charges.
        charged = _month_charged(period)
        where &= WhereRaw("{} > 0", charged) & WhereRaw(
            "balance.closing_kopecks - {} >= {} * {}", _not_due(period, today), filters.months, charged
        )
    return where


def _debtor_columns(period: date) -> tuple[Any, ...]:
    """A debtor's account, debt and charges, and its overdue part computed as the list's WHERE computes it."""
    not_due = _not_due(period, clock.today_local())
    return (
        Balance.account.as_alias("id"),
        *_account_columns(Balance, "account"),
        Balance.closing_kopecks,
        _month_charged(period).as_alias("charged_kopecks"),
        QueryString("balance.closing_kopecks - {}", not_due).as_alias("overdue_kopecks"),
    )


def _debtor(r: dict[str, Any]) -> Debtor:
    debt, charged, overdue = (from_kopecks(r[f"{name}_kopecks"]) for name in ("closing", "charged", "overdue"))
    months = rules.months_of_charges(overdue, charged)
    return _account_info(r, Debtor, debt=debt, charged=charged, overdue=overdue, months=months)


def _ordered(query: Any, sort: str) -> Any:
    column, ascending = DEBTOR_SORTS[sort]
    return query.order_by(column, ascending=ascending).order_by(Balance.id)


async def debtors_page(
    period: date, filters: DebtorFilter, principal: Principal, page: PageRequest
) -> tuple[Page[Debtor], Decimal]:
    """A page of the filtered accounts, and what they all owe at the month's end (their debts summed: with
    ``every_owing`` and no other filter, the receivables the dashboard shows for the month). Their count and their
    sum are one aggregate: each pass over the list's condition costs its overdue lookup per account."""
    where = _debtor_where(period, filters, principal)
    found = (
        await Balance.select(Count(Balance.id).as_alias("total"), Sum(Balance.closing_kopecks).as_alias("owed"))
        .where(where)
        .first()
    ) or {}
    rows = (
        await _ordered(Balance.select(*_debtor_columns(period)).where(where), filters.sort)
        .limit(page.size)
        .offset(page.offset)
    )
    total, owed = found.get("total") or 0, from_kopecks(found.get("owed") or 0)
    return Page(items=[_debtor(r) for r in rows], total=total, number=page.number, size=page.size), owed


EXPORT_LIMIT = 100_000


async def debtors_all(period: date, filters: DebtorFilter, principal: Principal) -> list[Debtor]:
    """Exactly the filtered rows, in the list's order (bounded for the export)."""
    where = _debtor_where(period, filters, principal)
    rows = await _ordered(Balance.select(*_debtor_columns(period)).where(where), filters.sort).limit(EXPORT_LIMIT)
    return [_debtor(r) for r in rows]


async def receipt_counts(period: date, principal: Principal) -> dict[int, int]:
    """How many receipts of the month each house of the principal has."""
    house = Receipt.account.premise.house
    where = Receipt.period == period
    scope = house_scope(house, principal)
    if scope is not None:
        where &= scope
    rows = await Receipt.select(house.as_alias("house"), Count(Receipt.id).as_alias("n")).where(where).group_by(house)
    return {r["house"]: r["n"] for r in rows}
