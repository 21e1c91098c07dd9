"""Changes of billing, one function per intent: import a month's charges, re-issue one receipt (a month's receipts are
issued by the job of ``billing.issuing``).

Each is one ``atomic()`` unit that also writes its audit event (every one of them is a staff write). An action
that must say no raises ``core.web.Refused``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from datetime import datetime
from typing import Any

from portal.billing import importer
from portal.billing import ledger
from portal.billing import notices
from portal.billing import receipts
from portal.billing.importer import ParsedFile
from portal.billing.importer import Progress
from portal.billing.queries import services_by_code
from portal.billing.queries import staff_account
from portal.billing.tables import BatchStatus
from portal.billing.tables import Charge
from portal.billing.tables import EntryKind
from portal.billing.tables import ImportBatch
from portal.billing.tables import Payee
from portal.billing.tables import Service
from portal.core import audit
from portal.core import clock
from portal.core import jobs
from portal.core.db import atomic
from portal.core.db import to_kopecks
from portal.core.db import waiting_at_most
from portal.core.i18n import gettext
from portal.core.security import Principal
from portal.core.web import Refused

CHUNK = 500

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
        "dispatch_phones": "+7 (3652) 00-00-00",
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


async def ensure_catalog() -> dict[str, dict[str, int]]:
    """Create the payees and services if missing; ``{"payees": {code: id}, "services": {code: id}}``."""
    async with atomic():
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


# --- charges ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportResult:
    batch_id: int | None
    created: bool
    charges: int
    accounts: int


async def import_charges(
    principal: Principal,
    parsed: ParsedFile,
    period: date,
    *,
    occurred_at: datetime | None = None,
    progress: Progress | None = None,
    ip: str = "",
) -> ImportResult:
    """Write a checked file of charges in one transaction: the batch, the new charges, one ledger entry per account
    and the audit event. The file is checked again against the database and the principal's houses first; while
    it has problems nothing is written (``Refused``). The same file twice, or rows charged before with the same
    numbers, change nothing."""
    occurred_at = occurred_at or clock.now()
    # A file of charges is written whole, however long another write holds its rows, even from a page.
    with waiting_at_most(None):
        async with atomic():
            known = (
                await ImportBatch.select(ImportBatch.id)
                .where((ImportBatch.file_hash == parsed.file_hash) & (ImportBatch.period == period))
                .first()
            )
            if known:
                return ImportResult(known["id"], False, 0, 0)
            await importer.check_against_db(parsed, period, principal)
            if parsed.problems:
                raise Refused(gettext("The file has problems; nothing has been written. Check it again."))
            result = await _write_charges(principal, parsed, period, occurred_at, progress)
            if result.created:
                await audit.record(
                    principal,
                    "billing.charges.import",
                    "import_batch",
                    result.batch_id,
                    {"period": str(period), "rows": result.charges, "file": parsed.file_name},
                    ip,
                )
    return result


async def _write_charges(
    principal: Principal, parsed: ParsedFile, period: date, occurred_at: datetime, progress: Progress | None
) -> ImportResult:
    services = await services_by_code()
    existing = await importer.existing_charges(list(parsed.account_ids.values()), period)
    new_rows = [r for r in parsed.rows if (parsed.account_ids[r.account], services[r.service].id) not in existing]
    if not new_rows:
        return ImportResult(None, False, 0, 0)
    accounts = {parsed.account_ids[r.account] for r in new_rows}
    batch = ImportBatch(
        file_name=parsed.file_name[:255],
        file_hash=parsed.file_hash,
        period=period,
        status=BatchStatus.APPLIED,
        rows=len(new_rows),
        accounts=len(accounts),
        total_kopecks=sum((to_kopecks(r.amount) + to_kopecks(r.recalculation) for r in new_rows), 0),
        created_by=principal.user_id,
    )
    await batch.save()
    per_account: dict[int, int] = {}
    for start in range(0, len(new_rows), CHUNK):
        chunk = new_rows[start : start + CHUNK]
        charges = []
        for r in chunk:
            account_id = parsed.account_ids[r.account]
            per_account[account_id] = (
                per_account.get(account_id, 0) + to_kopecks(r.amount) + to_kopecks(r.recalculation)
            )
            charges.append(
                Charge(
                    account=account_id,
                    period=period,
                    service=services[r.service].id,
                    volume=r.volume,
                    tariff_kopecks=to_kopecks(r.tariff),
                    amount_kopecks=to_kopecks(r.amount),
                    recalculation_kopecks=to_kopecks(r.recalculation),
                    recalculation_reason=r.reason,
                    basis=r.basis,
                    basis_note=r.basis_note,
                    volume_common=r.volume_common,
                    coefficient=r.coefficient,
                    coefficient_kopecks=to_kopecks(r.coefficient_amount),
                    benefit_kopecks=to_kopecks(r.benefit),
                    batch=batch.id,
                )
            )
        await Charge.insert(*charges)
        if progress:
            progress(len(chunk))
    entries = [
        {
            "account": account_id,
            "kind": EntryKind.CHARGE,
            "amount_kopecks": kopecks,
            "occurred_at": occurred_at,
            "reference": f"charges:{batch.id}:{account_id}",
            "note": f"{period:%m.%Y}",
        }
        for account_id, kopecks in per_account.items()
    ]
    await ledger.post_bulk(entries, period)
    return ImportResult(batch.id, True, len(new_rows), len(accounts))


# --- receipts ---------------------------------------------------------------------------------------------


async def reissue_receipt(principal: Principal, account_id: int, period: date, *, ip: str = "") -> receipts.IssueResult:
    """Issue one account's receipt of a month again from its current figures (the old one is replaced)."""
    async with atomic():
        info = await staff_account(principal, account_id)
        if info is None:
            raise Refused(gettext("There is no such account in your houses."))
        now = clock.now()
        result = await receipts.issue(period, [account_id], issued_by=principal.user_id, now=now)
        if not result.issued:  # nothing to put on a receipt: roll back, the old receipt (if any) stays
            raise Refused(gettext("There are no charges for that month; no receipt was issued."))
        await notices.wait(period, result.accounts, now)  # told once a month: not again if told already
        await audit.record(
            principal, "billing.receipt.reissue", "personal_account", account_id, {"period": str(period)}, ip
        )
    jobs.kick(notices.JOB)
    return result
