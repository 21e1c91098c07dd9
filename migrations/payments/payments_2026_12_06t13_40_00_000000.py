"""The mandates autopay has to look at, as a partial index of the active ones by month, result and the end of a
wait: each hourly run reads the months not run yet and the waits that may have changed from this index, not every
mandate (``queries.due_mandates``) on PostgreSQL; SQLite walks the active mandates by id (``autopay_mandate_active``)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-06T13:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "partial index of the active autopay mandates by month, result and end of a wait"

STATEMENTS = (
    "CREATE INDEX IF NOT EXISTS autopay_mandate_due ON autopay_mandate (last_period, last_status, waiting_until) "
    "WHERE active",
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="payments", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
