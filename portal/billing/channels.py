"""Where each payment of an account came from (portal card, СБП, bank by QR, cash desk, autopay, bank registry)
and when it was credited — the resident's history of payments reads it here, in three bounded queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from datetime import datetime
from decimal import Decimal
from typing import Any
from typing import TypeVar

from portal.billing.queries import Entry
from portal.billing.queries import entry
from portal.billing.queries import ledger_rows
from portal.billing.registry_tables import Channel
from portal.billing.registry_tables import RegistryPayment
from portal.billing.tables import EntryKind
from portal.billing.tables import LedgerEntry
from portal.core import clock
from portal.core.db import from_kopecks
from portal.core.db import from_row
from portal.core.i18n import lazy
from portal.core.labels import Labels
from portal.core.pagination import Page
from portal.core.pagination import PageRequest
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


def channel_of(reference: str, portal_kinds: dict[str, str], registry: dict[str, str]) -> str:
    """The channel of one ledger payment from its reference: a portal payment by its kind, a registry's by the
    channel its line gave (pure)."""
    if reference.startswith(PORTAL):
        kind = portal_kinds.get(reference.removeprefix(PORTAL))
        if kind is None:
            return ""
        return Channel.AUTOPAY if kind == PaymentKind.AUTOPAY else Channel.PORTAL_CARD
    return registry.get(reference, "")


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
    portal_kinds: dict[str, str] = {}
    if uids:
        found = await Payment.select(Payment.uid, Payment.kind).where(Payment.uid.is_in(uids))
        portal_kinds = {r["uid"]: r["kind"] for r in found}
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
            channel=channel_of(r["reference"] or "", portal_kinds, registry),
        )
        for r in rows
    ]
