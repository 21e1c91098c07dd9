"""The payment that replaced a checkout continued in another language (the replaced one stays, closed unpaid)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-04T16:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "payment replaced_by"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="payments", description=DESCRIPTION)

    async def run():
        await engine_finder().run_ddl("ALTER TABLE payment ADD COLUMN replaced_by INTEGER NULL DEFAULT NULL")

    manager.add_raw(run)
    return manager
