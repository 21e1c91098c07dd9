"""Composite indexes of the payments domain (same SQL on both engines)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-25T10:50:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "payments composite indexes"

STATEMENTS = (
    "CREATE INDEX IF NOT EXISTS payment_status_created ON payment (status, created_at)",
    "CREATE INDEX IF NOT EXISTS payment_account_created ON payment (account, created_at)",
    'CREATE UNIQUE INDEX IF NOT EXISTS autopay_mandate_account_user ON autopay_mandate (account, "user")',
    "CREATE INDEX IF NOT EXISTS refund_payment_created ON refund (payment, created_at)",
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="payments", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
