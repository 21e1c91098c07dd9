"""The day of a house meter's (ОДПУ) last verification, as staff record it from the technician's paper on the meter's
card, as they do a flat meter's. Empty for the house meters recorded so far: none recorded, the factory's counts."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-06T03:50:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "house_meter verified_on"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="meters", description=DESCRIPTION)

    async def run():
        await engine_finder().run_ddl("ALTER TABLE house_meter ADD COLUMN verified_on DATE NULL DEFAULT NULL")

    manager.add_raw(run)
    return manager
