"""No silent lost update: a staff form carries the version of the record it was read at, and a save whose
version no longer matches is refused (``Stale``), never written over what someone else saved meanwhile.

A record's version is its ``updated_at`` (every write of its form sets it), or its ``version`` number where it
keeps no ``updated_at`` (``bump`` raises it); the form carries ``current(table, id)``, read before its values. The
action saving the form calls ``check(table, id, entity, typed)`` inside its transaction: it locks the row
(PostgreSQL; SQLite's write transactions are serial) and compares. Who changed it, when and which fields are read
from the audit log (the record's events since the form's version), so the form shown again says «Пока вы правили,
запись изменил(а) <who>, <when>» and marks the fields that changed, with what was typed kept.
"""

from __future__ import annotations

from collections.abc import Collection
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from portal.core.audit import diff
from portal.core.clock import zone
from portal.core.db import is_sqlite
from portal.core.db import json_value
from portal.core.i18n import format_moment
from portal.core.i18n import gettext as _
from portal.core.tables import AuditEvent
from portal.core.web import FormErrors

FIELD = "version"  # the form's hidden field
# Events read to say who changed the record and which fields: a record edited more often than this while one form
# stood open is told by its newest ones.
EVENTS = 20


def carried(record: Any) -> str | None:
    """The version an edit form carries: its record's as read (``updated_at``); None for a new record's form."""
    return version_of(record.updated_at) if record is not None else None


def typed(data: Mapping[str, Any], *, editing: bool = True) -> str | None:
    """The version a submitted form was read at, kept when the form is shown again for a mistake; None for a form
    without one (served before forms carried it), and for a new record's (not ``editing``), which nothing can have
    changed meanwhile."""
    version = data.get(FIELD) if editing else None
    return version if isinstance(version, str) else None


def version_of(value: datetime | int | None) -> str:
    """The version a form carries: the record's ``updated_at`` (or ``version``) as it was read."""
    if value is None:
        return ""
    return value.isoformat() if isinstance(value, datetime) else str(value)


def _column(table: Any, column: Any = None) -> Any:
    """The column a table's version is read from: ``column`` where a form edits only part of a record (a staff
    member's roles, not their profile), else its ``version`` number, else its ``updated_at``."""
    return column if column is not None else getattr(table, "version", None) or table.updated_at


def bump(table: Any) -> dict[Any, Any]:
    """What an update adds to move a record with a ``version`` number to its next version (nothing for a table
    whose ``updated_at`` the update sets)."""
    column = getattr(table, "version", None)
    return {column: column + 1} if column is not None else {}


@dataclass(frozen=True)
class Change:
    """What happened to a record since a form read it: who last changed it ("" when no one is recorded, as for
    an import), when, and the fields the audit log names (its own codes: the form's field names)."""

    who: str
    when: datetime | None
    fields: frozenset[str]

    def message(self) -> str:
        if self.when is None:
            return _("While you were editing, this record was changed. Check it and save again.")
        when = format_moment(self.when, str(zone()))
        if self.who:
            return _(
                "While you were editing, %(who)s changed this record (%(when)s). Check it and save again.",
                who=self.who,
                when=when,
            )
        return _("While you were editing, this record was changed (%(when)s). Check it and save again.", when=when)


class Stale(Exception):
    """A save refused: the record changed since its form was read. Nothing was written."""

    def __init__(self, change: Change) -> None:
        super().__init__(change.message())
        self.change = change


async def changed_since(entity: str, record_id: int, since: str, now: Any) -> Change:
    """Who changed the record and which fields, by its audit events (index ``audit_event_entity``) since the
    version ``since``: those after that moment, or for a version number the newest one per version since; at most
    ``EVENTS``. ``now`` is the record's version now."""
    query = AuditEvent.select(AuditEvent.actor_name, AuditEvent.changes, AuditEvent.created_at).where(
        (AuditEvent.entity == entity) & (AuditEvent.entity_id == record_id)
    )
    count = EVENTS
    if isinstance(now, datetime):
        try:
            moment = datetime.fromisoformat(since)
        except ValueError:
            moment = None
        if moment is not None and moment.tzinfo is not None:
            query = query.where(AuditEvent.created_at > moment)
        else:  # read before the record had a version: the change that gave it one, audited at that moment
            query = query.where(AuditEvent.created_at >= now)
    elif since.isdigit() and isinstance(now, int):
        count = max(1, min(EVENTS, now - int(since)))
    newest = query.order_by(AuditEvent.created_at, ascending=False).order_by(AuditEvent.id, ascending=False)
    events = await newest.limit(count)
    fields: set[str] = set()
    for event in events:
        fields.update(json_value(event["changes"]) or {})
    last = events[0] if events else None
    when = last["created_at"] if last else now if isinstance(now, datetime) else None
    return Change(last["actor_name"] if last else "", when, frozenset(fields))


async def check(table: Any, record_id: int, entity: str, version: str | None, column: Any = None) -> None:
    """Inside the caller's transaction: refuse with ``Stale`` when the record's ``updated_at`` is no longer the
    ``version`` its form was read at. A form without a version (served before forms carried one) is not checked."""
    if version is None:
        return
    query = table.select(_column(table, column).as_alias("v")).where(table.id == record_id)
    row = await (query if is_sqlite() else query.lock_rows()).first()
    now = row["v"] if row else None
    if version_of(now) != version:
        raise Stale(await changed_since(entity, record_id, version, now))


async def current(table: Any, record_id: int | None, column: Any = None) -> str:
    """The version a record's form is to carry, read before the form's values (a change landing between the two
    reads is then refused on save, never lost)."""
    query = table.select(_column(table, column).as_alias("v")).where(table.id == record_id)
    row = await query.first() if record_id else None
    return version_of(row["v"]) if row else ""


def as_written(stored: Any, wanted: Any) -> Any:
    """A stored value at the precision and type it is written with (SQLite hands NUMERIC back as 54.7 for 54.70,
    booleans as 0/1), so that it compares with what a form writes and reads well in the audit."""
    if isinstance(wanted, Decimal) and stored is not None:
        return Decimal(str(stored)).quantize(wanted)
    if isinstance(wanted, bool) and stored is not None:
        return bool(stored)
    return stored


async def changes(table: Any, record_id: int, values: Mapping[str, Any]) -> dict[str, list[Any]]:
    """What saving ``values`` (column name → value as written) would change of the record as it is now, as the
    audit writes it. Empty: the save writes nothing and is no conflict, whatever the version its form was read at
    (a second press, or a form typed to exactly what someone else saved meanwhile)."""
    if not values:
        return {}
    row = await table.select(*[getattr(table, n) for n in values]).where(table.id == record_id).first() or {}
    return diff({n: as_written(row.get(n), v) for n, v in values.items()}, values)


def say(
    errors: FormErrors, change: Change, fields: Collection[str] | None = None, renamed: Mapping[str, str] | None = None
) -> None:
    """A form refused as stale: who changed the record and when above it, and «changed meanwhile» at each of its
    ``fields`` they changed (all the audit names, where its codes are the form's field names); ``renamed`` names
    the field of an audit code that differs (``price_kopecks`` → ``price``)."""
    errors.general.append(change.message())
    named = {(renamed or {}).get(code, code) for code in change.fields}
    for name in sorted(named if fields is None else named & set(fields)):
        errors.add(name, _("Changed meanwhile."))
