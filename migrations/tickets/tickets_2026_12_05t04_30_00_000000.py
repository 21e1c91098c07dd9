"""When the damage happened, where staff know it: the repair of an emergency's damage is due 3 days (суток) from the
damage (ПП № 416 п. 13), not from the request for it, which may be filed the next morning. Requests stored before
have none; their deadlines stand."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-05T04:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "the moment an emergency's damage happened"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="tickets", description=DESCRIPTION)

    async def run():
        await engine_finder().run_ddl("ALTER TABLE ticket ADD COLUMN damage_at TIMESTAMPTZ NULL DEFAULT NULL")

    manager.add_raw(run)
    return manager
