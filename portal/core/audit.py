"""Audit log of staff writes: who, what, which record, the changed fields before and after.

An event is kept with codes (``ticket.status``, ``payer_name``); the administrators read them as words. Each domain
that writes events says in its ``audited`` module, with ``describe``, the words of each action it writes, of the
fields those actions name and of its record types, in its own catalog (a field's words are the label its form
already shows). A code no domain describes (a row written before a code was renamed) is shown as it is.
"""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from decimal import Decimal
from typing import Any

from portal.core.i18n import LazyText
from portal.core.i18n import lazy
from portal.core.labels import Labels
from portal.core.search import normalise
from portal.core.security import Principal
from portal.core.tables import AuditEvent


@dataclass(frozen=True)
class Described:
    """The words of one action: what happened, and the labels of the fields its events name."""

    label: LazyText
    fields: Labels[str] = field(default_factory=lambda: Labels({}))


ACTIONS: dict[str, Described] = {}
ENTITIES: Labels[str] = Labels({})


def describe(
    actions: Mapping[str, LazyText],
    fields: Mapping[str, LazyText] | None = None,
    entities: Mapping[str, LazyText] | None = None,
) -> None:
    """Declare the words of ``actions`` (code → what happened), of the fields their events name and of record
    types. A code is described once: two domains cannot both own it."""
    shared = Labels(dict(fields or {}))
    for code, label in actions.items():
        if code in ACTIONS:
            raise ValueError(f"the audit action {code!r} is described twice")
        ACTIONS[code] = Described(label, shared)
    for code, label in (entities or {}).items():
        if code in ENTITIES:
            raise ValueError(f"the audit record type {code!r} is described twice")
        ENTITIES[code] = label


# The counts an import's event names, as the import's preview heads its columns.
IMPORT_FIELDS = {"created": lazy("New"), "updated": lazy("Changed")}

_loaded: list[bool] = []


def load_words() -> None:
    """Import every domain's ``audited`` module (once), so that each action it writes has its words."""
    if _loaded:
        return
    import portal

    for domain in sorted(m.name for m in pkgutil.iter_modules(portal.__path__) if m.ispkg):
        if importlib.util.find_spec(f"portal.{domain}.audited") is not None:
            importlib.import_module(f"portal.{domain}.audited")
    _loaded.append(True)


def action_label(action: str) -> str:
    """What happened, in the reader's language; the code itself when no domain describes it."""
    load_words()
    described = ACTIONS.get(action)
    return described.label() if described else action


def field_label(action: str, name: str) -> str:
    """The label of a field an event of ``action`` names, in the reader's language; the field's code when none."""
    load_words()
    described = ACTIONS.get(action)
    return (described.fields.known(name) if described else "") or name


def entity_label(entity: str) -> str:
    """A record type in the reader's language; the code itself when no domain describes it."""
    load_words()
    return ENTITIES.shown(entity)


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
