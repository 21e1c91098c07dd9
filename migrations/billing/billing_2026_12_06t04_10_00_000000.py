"""A receipt keeps the balance corrections of its month (an opening balance taken over from the previous billing
system, a staff correction of the ledger) apart from what its services charged, so it can show them on a line of
their own. Receipts issued before read 0 here and keep their figures (the corrections inside «Начислено за месяц»)
until they are issued again."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-06T04:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "receipt corrections_kopecks"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="billing", description=DESCRIPTION)

    async def run():
        await engine_finder().run_ddl("ALTER TABLE receipt ADD COLUMN corrections_kopecks BIGINT NOT NULL DEFAULT 0")

    manager.add_raw(run)
    return manager
