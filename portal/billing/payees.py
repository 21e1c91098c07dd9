"""Payees' requisites kept by staff (ПП № 354 п. 69, DOMAIN.md §3): the receipts and their QR codes read them.

One change of a payee is one transaction with its audit event, which names every field with its old and new value.
A receipt issued before keeps its QR code; the next issue (or a re-issue) prints the new requisites.
"""

from __future__ import annotations

from collections.abc import Mapping

from portal.billing.queries import payee
from portal.billing.tables import Payee
from portal.core import audit
from portal.core import clock
from portal.core import stale
from portal.core.db import atomic
from portal.core.security import Principal


async def update(
    principal: Principal, payee_id: int, values: Mapping[str, str], ip: str = "", version: str | None = None
) -> dict[str, list[str]]:
    """Write the checked requisites of a payee; the changed fields as ``{field: [old, new]}`` (empty: nothing
    changed, and nothing is written). ``LookupError`` when there is no such payee; ``stale.Stale`` when the form
    was read at another ``version`` than the payee's and would change it (nothing written)."""
    async with atomic():
        before = await payee(payee_id)
        if before is None:
            raise LookupError(payee_id)
        changes = {
            name: [str(getattr(before, name)), value]
            for name, value in values.items()
            if str(getattr(before, name)) != value
        }
        if not changes:
            return {}
        await stale.check(Payee, payee_id, "payee", version)
        columns = {getattr(Payee, name): new for name, (_old, new) in changes.items()}
        await Payee.update({**columns, Payee.updated_at: clock.now()}).where(Payee.id == payee_id)
        await audit.record(principal, "billing.payee.update", "payee", payee_id, changes, ip)
    return changes
