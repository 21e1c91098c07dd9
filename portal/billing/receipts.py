"""Issuing receipts (ЕПД): the figures of a billing month from the balance snapshot, one section per payee with
its own total and its own ГОСТ Р 56042-2014 QR payload. Staff issue a period for one house or all houses at once,
and can re-issue one receipt; issuing again replaces the receipt of that account and month.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from datetime import datetime

from piccolo.query.functions.aggregate import Sum

from portal.billing import qr
from portal.billing import rules
from portal.billing.queries import AccountInfo
from portal.billing.queries import PayeeInfo
from portal.billing.queries import accounts_info
from portal.billing.queries import payees
from portal.billing.tables import Balance
from portal.billing.tables import Charge
from portal.billing.tables import EntryKind
from portal.billing.tables import LedgerEntry
from portal.billing.tables import Receipt
from portal.billing.tables import ReceiptSection
from portal.core import bulk
from portal.core import clock
from portal.core import i18n
from portal.core.db import atomic

DOCUMENT_LOCALE = "ru"  # a receipt is a payment document in Russian, whoever issues it

CHUNK = 500
RECEIPT_COLUMNS = (
    "account",
    "period",
    "payer_name",
    "address",
    "opening_kopecks",
    "charged_kopecks",
    "corrections_kopecks",
    "paid_kopecks",
    "penalties_kopecks",
    "to_pay_kopecks",
    "due_date",
    "issued_at",
    "issued_by",
)
SECTION_COLUMNS = ("receipt", "payee", "charged_kopecks", "total_kopecks", "qr_payload")


@dataclass(frozen=True)
class IssueResult:
    issued: int
    skipped: int
    accounts: tuple[int, ...] = ()  # the accounts whose receipt was issued


# The legal forms an organisation's name starts with (ГК РФ): «ООО Ромашка» is no «Ромашка ООО-вич».
LEGAL_FORMS = frozenset(
    {
        "ООО",
        "АО",
        "ПАО",
        "НАО",
        "ЗАО",
        "ОАО",
        "ИП",
        "НКО",
        "ТСЖ",
        "ТСН",
        "ЖСК",
        "МУП",
        "ГУП",
        "ФГУП",
        "АНО",
        "ГБУ",
        "МБУ",
    }
)


def split_name(full_name: str) -> tuple[str, str, str]:
    """«Иванов Иван Иванович» → (last, first, middle); an organisation's name stays whole as the last name."""
    parts = full_name.split()
    if parts and parts[0].upper() in LEGAL_FORMS:
        return full_name, "", ""
    if len(parts) in (2, 3) and all(p[:1].isupper() and p.isalpha() for p in parts):
        return parts[0], parts[1], parts[2] if len(parts) == 3 else ""
    return full_name, "", ""


def section_totals(
    to_pay: int, charged_by_payee: dict[int, int], main_payee: int, payee_order: Sequence[int]
) -> dict[int, int]:
    """Split what is to pay between payees (kopecks): each other payee gets its own charges of the month (never more
    than is left to pay); the main payee (the УК) gets the rest, with the earlier debt and the penalties."""
    left = max(0, to_pay)
    totals: dict[int, int] = {}
    for payee in payee_order:
        if payee == main_payee:
            continue
        share = min(left, max(0, charged_by_payee.get(payee, 0)))
        totals[payee] = share
        left -= share
    totals[main_payee] = left
    return {p: totals.get(p, 0) for p in payee_order if p in charged_by_payee or p == main_payee}


def payload_for(
    payee: PayeeInfo,
    account: AccountInfo,
    period: date,
    total_kopecks: int,
    *,
    penalties_kopecks: int = 0,
    address: str | None = None,
) -> str:
    """The QR string of one section of a receipt (``address``: the account's, when the caller has it already)."""
    last, first, middle = split_name(account.payer_name)
    month = f"{period:%m.%Y}"
    purpose = (
        f"Взнос на капремонт за {month}, л/с {account.number}"
        if payee.capital_repair
        else f"Оплата ЖКУ за {month}, л/с {account.number}"
    )
    fields: dict[str, str] = {
        "Name": payee.name,
        "PersonalAcc": payee.settlement_account,
        "BankName": payee.bank_name,
        "BIC": payee.bic,
        "CorrespAcc": payee.corresp_account or "0",
        "PayeeINN": payee.inn,
        "KPP": payee.kpp,
        "Sum": str(total_kopecks) if total_kopecks > 0 else "",
        "Purpose": purpose,
        "PersAcc": account.number,
        "PaymPeriod": f"{period:%m%Y}",
        "LastName": last,
        "FirstName": first,
        "MiddleName": middle,
        "PayerAddress": account.address if address is None else address,
        "TechCode": qr.TECH_CODE_HOUSING,
    }
    if penalties_kopecks > 0 and not payee.capital_repair:
        fields["AddAmount"] = str(penalties_kopecks)
    return qr.build(fields)


@dataclass(frozen=True)
class _Payees:
    by_id: dict[int, PayeeInfo]
    order: list[int]
    main: int  # the company's own section: the earlier debt and the penalties go there


async def issue(
    period: date,
    account_ids: Sequence[int],
    *,
    issued_by: int | None = None,
    now: datetime | None = None,
) -> IssueResult:
    """Issue (or re-issue) the receipts of ``period`` for these accounts: a handful of queries per 500 accounts.

    The mechanics of ``issuing`` (a month's batches) and ``actions.reissue_receipt`` (which add the audit event), and of
    the demo and history builders. Addresses and payment purposes are written in Russian, the document's language.
    """
    by_id = {p.id: p for p in await payees()}
    order = list(by_id)
    context = _Payees(by_id, order, next((p for p in order if not by_id[p].capital_repair), order[0] if order else 0))
    issued: list[int] = []
    with i18n.in_locale(DOCUMENT_LOCALE):
        async with atomic():
            for start in range(0, len(account_ids), CHUNK):
                chunk = list(account_ids[start : start + CHUNK])
                issued += await _issue_chunk(period, chunk, context, now or clock.now(), issued_by)
    return IssueResult(len(issued), len(account_ids) - len(issued), tuple(issued))


async def _refunds(period: date, chunk: list[int]) -> dict[int, int]:
    """The refunds of ``period`` of each account (kopecks): one grouped query on the account and period."""
    rows = (
        await LedgerEntry.select(LedgerEntry.account, Sum(LedgerEntry.amount_kopecks).as_alias("total"))
        .where(
            (LedgerEntry.period == period) & LedgerEntry.account.is_in(chunk) & (LedgerEntry.kind == EntryKind.REFUND)
        )
        .group_by(LedgerEntry.account)
    )
    return {r["account"]: int(r["total"] or 0) for r in rows}


async def _issue_chunk(
    period: date, chunk: list[int], context: _Payees, now: datetime, issued_by: int | None
) -> list[int]:
    """The receipts of one chunk of accounts; returns the accounts issued (those with charges and a snapshot)."""
    snapshots = {
        r["account"]: r for r in await Balance.select().where((Balance.period == period) & Balance.account.is_in(chunk))
    }
    charges = await Charge.select(
        Charge.account,
        Charge.service.payee.id.as_alias("payee"),
        Charge.amount_kopecks,
        Charge.recalculation_kopecks,
    ).where((Charge.period == period) & Charge.account.is_in(chunk))
    by_payee: dict[int, dict[int, int]] = {}
    for c in charges:
        per = by_payee.setdefault(c["account"], {})
        per[c["payee"]] = per.get(c["payee"], 0) + c["amount_kopecks"] + c["recalculation_kopecks"]
    infos = await accounts_info(chunk)
    refunds = await _refunds(period, chunk)
    await Receipt.delete().where((Receipt.period == period) & Receipt.account.is_in(chunk))
    due = rules.due_date(period)
    receipts: list[tuple[object, ...]] = []
    sections: dict[int, list[tuple[int, int, int, str]]] = {}
    for account_id in chunk:
        snap, info = snapshots.get(account_id), infos.get(account_id)
        if snap is None or info is None or account_id not in by_payee:
            continue
        to_pay = max(0, snap["closing_kopecks"])
        address = info.address
        sections[account_id] = [
            (
                payee_id,
                by_payee[account_id].get(payee_id, 0),
                total,
                payload_for(
                    context.by_id[payee_id],
                    info,
                    period,
                    total,
                    # the penalties in the sum, never more than the sum (a payment may have left less to pay)
                    penalties_kopecks=min(snap["penalties_kopecks"], total) if payee_id == context.main else 0,
                    address=address,
                ),
            )
            for payee_id, total in section_totals(to_pay, by_payee[account_id], context.main, context.order).items()
        ]
        receipts.append(
            (
                account_id,
                period,
                info.payer_name,
                address,
                snap["opening_kopecks"],
                # What is charged is what the services add up to. The snapshot's other entries are the month's
                # corrections, on a line of their own, and its refunds, which give back part of what was paid: they
                # take from what was paid (the payments listed, less the refunds listed).
                snap["charged_kopecks"],
                snap["other_kopecks"] - refunds.get(account_id, 0),
                snap["paid_kopecks"] - refunds.get(account_id, 0),
                snap["penalties_kopecks"],
                to_pay,
                due,
                now,
                issued_by,
            )
        )
    if not receipts:
        return []
    written = await bulk.insert_rows(Receipt, RECEIPT_COLUMNS, receipts, returning=("id", "account"))
    ids = {r["account"]: r["id"] for r in written}
    await bulk.insert_rows(
        ReceiptSection,
        SECTION_COLUMNS,
        (
            (ids[account_id], payee_id, charged, total, payload)
            for account_id, items in sections.items()
            for payee_id, charged, total, payload in items
        ),
    )
    return list(sections)  # the accounts issued, in the chunk's order
