"""The last reading of a register is found by (meter, zone, submitted_at)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-25T10:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "composite indexes"

STATEMENTS = (
    "CREATE INDEX IF NOT EXISTS meter_reading_register ON meter_reading (meter, zone, submitted_at)",
    "CREATE UNIQUE INDEX IF NOT EXISTS meter_account_serial ON meter (account, serial)",
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="meters", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
