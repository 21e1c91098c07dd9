"""Issuing receipts (ЕПД): the figures of a billing month from the balance snapshot, one section per payee with
its own total and its own ГОСТ Р 56042-2014 QR payload. Staff issue a period for one house or all houses at once,
and can re-issue one receipt; issuing again replaces the receipt of that account and month.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from portal.billing import qr, rules
from portal.billing.queries import AccountInfo, accounts_info
from portal.billing.tables import Balance, Charge, Payee, Receipt, ReceiptSection
from portal.core.db import atomic
from portal.housing.tables import PersonalAccount

CHUNK = 500


@dataclass(frozen=True)
class IssueResult:
    issued: int
    skipped: int


def split_name(full_name: str) -> tuple[str, str, str]:
    """«Иванов Иван Иванович» → (last, first, middle); an organisation's name stays whole as the last name."""
    parts = full_name.split()
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
    payee: dict[str, Any], account: AccountInfo, period: date, total_kopecks: int, *, penalties_kopecks: int = 0
) -> str:
    """The QR string of one section of a receipt."""
    last, first, middle = split_name(account.payer_name)
    month = f"{period:%m.%Y}"
    purpose = (
        f"Взнос на капремонт за {month}, л/с {account.number}"
        if payee["capital_repair"]
        else f"Оплата ЖКУ за {month}, л/с {account.number}"
    )
    fields: dict[str, str] = {
        "Name": payee["name"],
        "PersonalAcc": payee["settlement_account"],
        "BankName": payee["bank_name"],
        "BIC": payee["bic"],
        "CorrespAcc": payee["corresp_account"] or "0",
        "PayeeINN": payee["inn"],
        "KPP": payee["kpp"],
        "Sum": str(total_kopecks) if total_kopecks > 0 else "",
        "Purpose": purpose,
        "PersAcc": account.number,
        "PaymPeriod": f"{period:%m%Y}",
        "LastName": last,
        "FirstName": first,
        "MiddleName": middle,
        "PayerAddress": account.address,
        "TechCode": qr.TECH_CODE_HOUSING,
    }
    if penalties_kopecks > 0 and not payee["capital_repair"]:
        fields["AddAmount"] = str(penalties_kopecks)
    return qr.build(fields)


async def account_ids_for(house_id: int | None, house_ids: frozenset[int] | None) -> list[int]:
    query = PersonalAccount.select(PersonalAccount.id).order_by(PersonalAccount.id)
    if house_id is not None:
        query = query.where(PersonalAccount.premise.house == house_id)
    elif house_ids is not None:
        if not house_ids:
            return []
        query = query.where(PersonalAccount.premise.house.is_in(list(house_ids)))
    return [r["id"] for r in await query]


async def issue(
    period: date,
    account_ids: Sequence[int],
    *,
    issued_by: int | None = None,
    now: datetime | None = None,
) -> IssueResult:
    """Issue (or re-issue) the receipts of ``period`` for these accounts: a handful of queries per 500 accounts."""
    now = now or datetime.now(UTC)
    payees = {r["id"]: r for r in await Payee.select().order_by(Payee.sort_order)}
    order = list(payees)
    main = next((p for p in order if not payees[p]["capital_repair"]), order[0] if order else 0)
    due = rules.due_date(period)
    issued = skipped = 0
    async with atomic():
        for start in range(0, len(account_ids), CHUNK):
            chunk = list(account_ids[start : start + CHUNK])
            snapshots = {
                r["account"]: r
                for r in await Balance.select().where((Balance.period == period) & Balance.account.is_in(chunk))
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
            await Receipt.delete().where((Receipt.period == period) & Receipt.account.is_in(chunk))
            receipts: list[Receipt] = []
            sections: dict[int, list[tuple[int, int, int, str]]] = {}
            for account_id in chunk:
                snap = snapshots.get(account_id)
                info = infos.get(account_id)
                if snap is None or info is None or account_id not in by_payee:
                    skipped += 1
                    continue
                to_pay = max(0, snap["closing_kopecks"])
                totals = section_totals(to_pay, by_payee[account_id], main, order)
                sections[account_id] = [
                    (
                        payee_id,
                        by_payee[account_id].get(payee_id, 0),
                        total,
                        payload_for(
                            payees[payee_id],
                            info,
                            period,
                            total,
                            penalties_kopecks=snap["penalties_kopecks"] if payee_id == main else 0,
                        ),
                    )
                    for payee_id, total in totals.items()
                ]
                receipts.append(
                    Receipt(
                        account=account_id,
                        period=period,
                        payer_name=info.payer_name,
                        address=info.address,
                        opening_kopecks=snap["opening_kopecks"],
                        charged_kopecks=snap["charged_kopecks"] + snap["other_kopecks"],
                        paid_kopecks=snap["paid_kopecks"],
                        penalties_kopecks=snap["penalties_kopecks"],
                        to_pay_kopecks=to_pay,
                        due_date=due,
                        issued_at=now,
                        issued_by=issued_by,
                    )
                )
            if not receipts:
                continue
            await Receipt.insert(*receipts)
            ids = {
                r["account"]: r["id"]
                for r in await Receipt.select(Receipt.id, Receipt.account).where(
                    (Receipt.period == period) & Receipt.account.is_in([r.account for r in receipts])
                )
            }
            rows = [
                ReceiptSection(
                    receipt=ids[account_id],
                    payee=payee_id,
                    charged_kopecks=charged,
                    total_kopecks=total,
                    qr_payload=payload,
                )
                for account_id, items in sections.items()
                for payee_id, charged, total, payload in items
            ]
            await ReceiptSection.insert(*rows)
            issued += len(receipts)
    return IssueResult(issued, skipped)
