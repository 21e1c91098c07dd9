"""How a payment was paid on the gateway's page (card or СБП), for the dashboard's payments by channel."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-02T13:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "payment method"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="payments", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        try:
            await engine.run_ddl("ALTER TABLE payment ADD COLUMN method VARCHAR(16) NOT NULL DEFAULT ''")
        except Exception as exc:  # a database that ran this migration under its earlier id has the column
            if "already exists" not in str(exc) and "duplicate column" not in str(exc):
                raise

    manager.add_raw(run)
    return manager
