"""The readings a period has taken (all but rejected ones) by period and meter, as a partial index: the list of
accounts without readings counts a whole period's anti-join from this index alone, on PostgreSQL as on SQLite."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-02T01:15:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "partial index of the readings taken in a period, for the missing-readings list"

STATEMENTS = (
    "CREATE INDEX IF NOT EXISTS meter_reading_taken ON meter_reading (period, meter) WHERE review <> 'rejected'",
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="meters", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
