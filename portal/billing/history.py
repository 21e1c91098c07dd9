"""Long account histories for tests and benchmarks: months of charges, payments and receipts, inserted in bulk."""

from __future__ import annotations

from datetime import UTC
from datetime import date
from datetime import datetime
from decimal import Decimal

from portal.billing import ledger
from portal.billing import receipts
from portal.billing import rules
from portal.billing.actions import ensure_catalog
from portal.billing.tables import Charge
from portal.billing.tables import EntryKind

CHUNK = 500


async def build_history(account_ids: list[int], last: date, months: int, *, pay: bool = True) -> None:
    """``months`` billing months up to ``last`` for each account: 7 charges, a payment, a receipt per month."""
    services = (await ensure_catalog())["services"]
    for n in range(months - 1, -1, -1):
        period = rules.add_months(last, -n)
        rows = [
            Charge(
                account=account_id,
                period=period,
                service=service_id,
                volume=Decimal("10"),
                tariff_kopecks=5000,
                amount_kopecks=50000,
                basis="norm",
            )
            for account_id in account_ids
            for service_id in services.values()
        ]
        for start in range(0, len(rows), CHUNK):
            await Charge.insert(*rows[start : start + CHUNK])
        moment = datetime(period.year, period.month, 20, tzinfo=UTC)
        entries = [
            {
                "account": account_id,
                "kind": EntryKind.CHARGE,
                "amount_kopecks": 50000 * len(services),
                "occurred_at": moment,
                "reference": f"history-charges:{account_id}:{period:%Y-%m}",
            }
            for account_id in account_ids
        ]
        if pay and n:
            entries += [
                {
                    "account": account_id,
                    "kind": EntryKind.PAYMENT,
                    "amount_kopecks": -50000 * len(services),
                    "occurred_at": moment,
                    "reference": f"history-payment:{account_id}:{period:%Y-%m}",
                }
                for account_id in account_ids
            ]
        await ledger.post_bulk(entries, period)
        await receipts.issue(period, account_ids, now=moment)
