"""A closed account's autopay turned off before its reason had a column of its own (``last_message``
``account_closed``) is given it (``stopped``), dated when it was turned off (its last change)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-06T15:51:25:000000"
VERSION = "1.38.0"
DESCRIPTION = "a closed account's autopay turned off says so in its reason"


async def account_closed(engine):
    await engine.run_ddl(
        "UPDATE autopay_mandate SET stopped = 'account_closed', stopped_at = updated_at, last_message = '' "
        "WHERE last_message = 'account_closed' AND NOT active"
    )


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="payments", description=DESCRIPTION)

    async def run():
        await account_closed(engine_finder())

    manager.add_raw(run)
    return manager
