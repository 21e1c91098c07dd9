"""Where each payment of an account came from (portal card, СБП, bank by QR, cash desk, autopay, bank registry)
and when it was credited — the resident's history of payments reads it here, in three bounded queries."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from decimal import Decimal
from typing import Any
from typing import TypeVar

from piccolo.query.functions.aggregate import Sum

from portal.billing import notes
from portal.billing.queries import EXPORT_LIMIT
from portal.billing.queries import Entry
from portal.billing.queries import entry
from portal.billing.queries import ledger_rows
from portal.billing.registry_tables import Channel
from portal.billing.registry_tables import RegistryPayment
from portal.billing.tables import EntryKind
from portal.billing.tables import LedgerEntry
from portal.core import clock
from portal.core.address import PremiseAddress
from portal.core.clauses import every
from portal.core.db import from_kopecks
from portal.core.db import from_row
from portal.core.i18n import lazy
from portal.core.labels import Labels
from portal.core.paged import newest_batches
from portal.core.paged import read_page
from portal.core.pagination import Page
from portal.core.pagination import PageRequest
from portal.core.security import Principal
from portal.housing.queries import house_scope
from portal.payments.tables import Payment
from portal.payments.tables import PaymentKind

PORTAL = "payment:"
REGISTRY = "registry:"
V = TypeVar("V", bound="PaymentView")


@dataclass(frozen=True)
class PaymentView:
    occurred_at: datetime
    credited_on: date
    kind: str
    amount: Decimal
    channel: str  # a ``Channel``, or "" when the source is not known


channel_label = Labels(
    {
        Channel.PORTAL_CARD: lazy("by card on the portal"),
        Channel.SBP: lazy("by СБП"),
        Channel.BANK_QR: lazy("at a bank by the receipt's QR"),
        Channel.CASH_DESK: lazy("at a cash desk"),
        Channel.AUTOPAY: lazy("autopay"),
        Channel.BANK_REGISTRY: lazy("through a bank"),
    }
).known


def portal_channel(kind: str, method: str) -> Channel:
    """The channel of a portal payment: autopay, or what the payer chose on the gateway's page (СБП or a card)."""
    if kind == PaymentKind.AUTOPAY:
        return Channel.AUTOPAY
    return Channel.SBP if method == "sbp" else Channel.PORTAL_CARD


def channel_of(reference: str, portal: dict[str, str], registry: dict[str, str], note: str = "") -> str:
    """The channel of one ledger payment (pure): a portal payment's from its payment (``portal``: uid → channel), a
    registry's the one its line gave; one with neither that the ledger notes as paid through a bank (the billing
    system's payments as the portal took them over) came through a bank; else it is not known ("")."""
    if reference.startswith(PORTAL):
        return portal.get(reference.removeprefix(PORTAL), "")
    if reference in registry:
        return registry[reference]
    return Channel.BANK_REGISTRY if notes.BANK.read(note or "") is not None else ""


@dataclass(frozen=True)
class HistoryLine(PaymentView):
    """One entry of the account's whole history: a charge, payment, penalty, correction or refund."""

    period: date
    note: str


PAID = [EntryKind.PAYMENT, EntryKind.REFUND]


def _newest(account_id: int, kinds: list[EntryKind], limit: int) -> Any:
    """The ids of the account's newest ``limit`` entries of ``kinds`` (a subquery)."""
    return (
        LedgerEntry.select(LedgerEntry.id)
        .where((LedgerEntry.account == account_id) & LedgerEntry.kind.is_in(kinds))
        .order_by(LedgerEntry.occurred_at, ascending=False)
        .order_by(LedgerEntry.id, ascending=False)
        .limit(limit)
    )


async def payments_and_penalties(account_id: int, limit: int = 12) -> tuple[list[PaymentView], list[Entry]]:
    """The account's latest ``limit`` payments and refunds (each with its channel and the day it was credited) and
    its latest ``limit`` penalties, newest first: one read of the ledger for both, at most ``2 * limit`` rows."""
    rows = (
        await LedgerEntry.select()
        .where(
            (LedgerEntry.account == account_id)  # through the account's index: an OR of two IN is no index's
            & (
                LedgerEntry.id.is_in(_newest(account_id, PAID, limit))
                | LedgerEntry.id.is_in(_newest(account_id, [EntryKind.PENALTY], limit))
            )
        )
        .order_by(LedgerEntry.occurred_at, ascending=False)
        .order_by(LedgerEntry.id, ascending=False)
    )
    paid = [r for r in rows if r["kind"] in PAID]
    return await _with_channels(PaymentView, paid), [entry(r) for r in rows if r["kind"] == EntryKind.PENALTY]


async def history_page(account_id: int, page: PageRequest) -> Page[HistoryLine]:
    """One page of the account's whole history of charges and payments, newest first, payments with their channel."""
    rows, total = await ledger_rows(account_id, page)
    return Page(items=await _with_channels(HistoryLine, rows), total=total, number=page.number, size=page.size)


async def _with_channels(cls: type[V], rows: list[dict[str, Any]]) -> list[V]:
    """Ledger rows as ``cls``, each payment with its channel: two bounded reads at most, whatever the rows."""
    references = [r["reference"] or "" for r in rows]
    uids = [r.removeprefix(PORTAL) for r in references if r.startswith(PORTAL)]
    portal: dict[str, str] = {}
    if uids:
        found = await Payment.select(Payment.uid, Payment.kind, Payment.method).where(Payment.uid.is_in(uids))
        portal = {r["uid"]: portal_channel(r["kind"], r["method"]) for r in found}
    registry: dict[str, str] = {}
    wanted = [r for r in references if r.startswith(REGISTRY)]
    if wanted:
        found = await RegistryPayment.select(RegistryPayment.reference, RegistryPayment.channel).where(
            RegistryPayment.reference.is_in(wanted)
        )
        registry = {r["reference"]: r["channel"] for r in found}
    return [
        from_row(
            cls,
            r,
            credited_on=clock.local(r["created_at"]).date(),
            amount=from_kopecks(r["amount_kopecks"]),
            channel=channel_of(r["reference"] or "", portal, registry, r.get("note") or ""),
        )
        for r in rows
    ]


# --- the staff list of the payments credited, by channel --------------------------------------------------------

OUTSIDE = "outside"  # every payment that did not come through the portal: the dashboard's «other» channel
THROUGH_PORTAL = "portal"
REGISTRY_CHANNELS = (Channel.BANK_REGISTRY, Channel.BANK_QR, Channel.CASH_DESK)
RECEIVED_CHANNELS = (OUTSIDE, THROUGH_PORTAL, *REGISTRY_CHANNELS)


@dataclass(frozen=True)
class ReceivedFilter:
    """The payments credited to the billing months ``period`` … ``until``, in ``houses`` (every house of the
    user's when none), of one of ``RECEIVED_CHANNELS`` (every payment when "")."""

    period: date
    until: date
    houses: tuple[int, ...] = ()
    channel: str = ""


@dataclass(frozen=True)
class Received(PremiseAddress, PaymentView):
    """One payment the ledger credited, with its account and premise."""

    id: int
    period: date
    account_id: int
    account_number: str
    house_address: str
    premise_kind: str
    premise_number: str


_RECEIVED = (
    LedgerEntry.id,
    LedgerEntry.occurred_at,
    LedgerEntry.created_at,
    LedgerEntry.kind,
    LedgerEntry.amount_kopecks,
    LedgerEntry.reference,
    LedgerEntry.note,
    LedgerEntry.period,
    LedgerEntry.account.as_alias("account_id"),
    LedgerEntry.account.number.as_alias("account_number"),
    LedgerEntry.account.premise.house.address.as_alias("house_address"),
    LedgerEntry.account.premise.kind.as_alias("premise_kind"),
    LedgerEntry.account.premise.number.as_alias("premise_number"),
)


_NEWEST = (LedgerEntry.occurred_at, LedgerEntry.id)  # the list's order, newest credited first


def _received_where(principal: Principal, f: ReceivedFilter) -> Any:
    """Payments of the months (along the ledger's (period, kind) index) in the houses, of the channel: the portal's
    are those its payments credited (their reference), a registry's channel is the one its line gave."""
    house = LedgerEntry.account.premise.house
    portal = LedgerEntry.reference.like(f"{PORTAL}%")
    channel = {
        OUTSIDE: LedgerEntry.reference.is_null() | LedgerEntry.reference.not_like(f"{PORTAL}%"),
        THROUGH_PORTAL: portal,
    }.get(f.channel)
    if f.channel in REGISTRY_CHANNELS:
        lines = RegistryPayment.select(RegistryPayment.reference).where(RegistryPayment.channel == f.channel)
        channel = LedgerEntry.reference.is_in(lines)
        if f.channel == Channel.BANK_REGISTRY:  # with the payments the ledger notes as paid through a bank
            channel |= LedgerEntry.note == notes.BANK.write()
    return every(
        [
            LedgerEntry.period >= f.period,
            LedgerEntry.period <= f.until,
            LedgerEntry.kind == EntryKind.PAYMENT,
            house.is_in(list(f.houses)) if f.houses else None,
            house_scope(house, principal),
            channel,
        ]
    )


async def received_page(principal: Principal, f: ReceivedFilter, page: PageRequest) -> tuple[Page[Received], Decimal]:
    """A page of the payments ``f`` finds, newest first, each with its channel, and the sum of them all."""
    where = _received_where(principal, f)
    rows, total = await read_page(LedgerEntry, _RECEIVED, where, page, _NEWEST)
    summed = await LedgerEntry.select(Sum(LedgerEntry.amount_kopecks, alias="kopecks")).where(where).first()
    items = await _received_rows(rows)
    return Page(items=items, total=total, number=page.number, size=page.size), -from_kopecks(
        (summed or {}).get("kopecks") or 0
    )


async def received_all(principal: Principal, f: ReceivedFilter, limit: int = EXPORT_LIMIT) -> AsyncIterator[Received]:
    """Every payment ``f`` finds, in the order of the page (its export), read a batch at a time."""
    async for rows in newest_batches(LedgerEntry, _RECEIVED, _received_where(principal, f), limit, newest=_NEWEST):
        for item in await _received_rows(rows):
            yield item


async def _received_rows(rows: list[dict[str, Any]]) -> list[Received]:
    paid = [{**r, "amount_kopecks": -r["amount_kopecks"]} for r in rows]  # a payment lowers the debt: written < 0
    return await _with_channels(Received, paid)
