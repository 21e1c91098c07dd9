"""The catalogue speaks English too: a section's name, a service's name and description, and the title an order's
item keeps from the day it was ordered each get an English twin, which staff may leave empty (an English-speaking
reader then reads the Russian). Everything stored before has none."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-03T09:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "catalogue titles in English"

STATEMENTS = (
    "ALTER TABLE service_category ADD COLUMN title_en VARCHAR(120) NOT NULL DEFAULT ''",
    "ALTER TABLE paid_service ADD COLUMN title_en VARCHAR(160) NOT NULL DEFAULT ''",
    "ALTER TABLE paid_service ADD COLUMN description_en TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE service_order_item ADD COLUMN title_en VARCHAR(160) NOT NULL DEFAULT ''",
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="catalog", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
