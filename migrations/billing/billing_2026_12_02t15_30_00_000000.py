"""The billed months' snapshots in period order, so the newest billed month is read at once: the month still
running has a snapshot for every account that paid in it, none with charges, and MAX walked past them all."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-02T15:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "billed periods index"

STATEMENTS = ("CREATE INDEX IF NOT EXISTS balance_billed_period ON balance (period) WHERE charged_kopecks <> 0",)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="billing", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
