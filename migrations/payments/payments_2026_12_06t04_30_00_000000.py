"""The payments by the day they were paid: the staff list filters and sums them by it (the dashboard's payment
figures link there with their months), and the dashboard's aggregates count a month's payments by it."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-06T04:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "payment paid_at indexed"

STATEMENTS = ("CREATE INDEX IF NOT EXISTS payment_paid_at ON payment (paid_at)",)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="payments", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
