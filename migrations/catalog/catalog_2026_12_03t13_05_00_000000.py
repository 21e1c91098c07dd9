"""A document an order hands over (a certificate) is named in English too: the portal names the certificates it
makes and the untitled ones staff attach in Russian and in English (the file itself stays in Russian, as offices
take it); a title staff type has no English twin. Everything stored before has none."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-03T13:05:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "an order's document named in English"

STATEMENTS = ("ALTER TABLE service_order_document ADD COLUMN title_en VARCHAR(255) NOT NULL DEFAULT ''",)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="catalog", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
