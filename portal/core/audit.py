"""Audit log of staff writes: who, what, which record, the changed fields before and after."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from datetime import datetime
from decimal import Decimal
from typing import Any

from portal.core.search import normalise
from portal.core.security import Principal
from portal.core.tables import AuditEvent


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """The fields whose value changed, as ``{field: [before, after]}``."""
    keys = set(before) | set(after)
    return {
        k: [_plain(before.get(k)), _plain(after.get(k))]
        for k in sorted(keys)
        if _plain(before.get(k)) != _plain(after.get(k))
    }


async def record(
    actor: Principal | None,
    action: str,
    entity: str,
    entity_id: int | None,
    changes: Mapping[str, Any] | None = None,
    ip: str = "",
) -> None:
    """Write one audit event (inside the caller's transaction)."""
    await AuditEvent.insert(
        AuditEvent(
            actor_id=actor.user_id if actor else None,
            actor_name=actor.name if actor else "",
            actor_search=normalise(actor.name) if actor else "",
            action=action,
            entity=entity,
            entity_id=entity_id,
            changes={
                k: _plain(v) if not isinstance(v, list) else [_plain(x) for x in v] for k, v in (changes or {}).items()
            },
            ip=ip,
        )
    )
