"""An order refunded by hand keeps how the money went back (``Order.refund_note``, the note staff typed), which its
pages show with the moment; it was only in the audit log. NULL: not returned by hand. The orders returned by hand
before take their note from the audit log's «order.refunded_by_hand» row. Run again, it changes nothing."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.querystring import QueryString

ID = "2026-12-06T04:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "an order refunded by hand keeps the note of how"

ADD = "ALTER TABLE service_order ADD COLUMN refund_note VARCHAR(255) NULL DEFAULT NULL"

NOTE = {
    "sqlite": "json_extract(a.changes, '$.refund_note')",
    "postgres": "a.changes::jsonb ->> 'refund_note'",
}

# The last «returned by hand» row of the order (of the row being updated, ``service_order``).
LAST = (
    "SELECT {note} FROM audit_event a WHERE a.entity = 'order' AND a.entity_id = service_order.id "
    "AND a.action = 'order.refunded_by_hand' ORDER BY a.id DESC LIMIT 1"
)

UPDATE = (
    "UPDATE service_order SET refund_note = COALESCE(({last}), '') "
    "WHERE refunded_at IS NOT NULL AND refund_note IS NULL AND EXISTS ({last})"
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="catalog", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        kind = "sqlite" if engine.engine_type == "sqlite" else "postgres"
        await engine.run_ddl(ADD)
        await engine.run_querystring(QueryString(UPDATE.format(last=LAST.format(note=NOTE[kind]))))

    manager.add_raw(run)
    return manager
