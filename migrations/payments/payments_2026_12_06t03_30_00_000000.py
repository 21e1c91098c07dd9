"""Where a resident asked to save a card from: the card saved (by the gateway's webhook or on the resident's return)
is in the audit log with that address, as a removed card is with the removal's."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-06T03:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "card_setup ip"

STATEMENTS = ("ALTER TABLE card_setup ADD COLUMN ip VARCHAR(64) NOT NULL DEFAULT ''",)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="payments", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
