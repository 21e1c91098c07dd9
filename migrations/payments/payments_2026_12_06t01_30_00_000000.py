"""When the payment service was last asked about a refund: reconciliation checks the pending refunds least recently
asked first, a bounded number a run, so past that number the others are no longer left unchecked for ever (they were
taken by payment, and the same first ones every run). A refund made before is taken as asked when it was made."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-06T01:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "refund asked_at, and the pending refunds indexed by it"

STATEMENTS = (
    "ALTER TABLE refund ADD COLUMN asked_at TIMESTAMPTZ NULL DEFAULT NULL",
    "UPDATE refund SET asked_at = created_at",
    "CREATE INDEX IF NOT EXISTS refund_pending_asked ON refund (asked_at, id) WHERE status = 'pending'",
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="payments", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
