"""Composite indexes of the staff request list measured on 1,000,000 requests (bench/test_tickets_list.py).

- (house, status, created_at): a dispatcher's houses with a status or tab filter are found and counted from the
  index alone, instead of reading every request of those houses to check its status;
- (executor, created_at): one executor's requests come newest first straight from the index (no sort of all of
  them for the first page).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-25T11:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "request list indexes for house and status, executor and date"

STATEMENTS = (
    "CREATE INDEX IF NOT EXISTS ticket_house_status_created ON ticket (house, status, created_at)",
    "CREATE INDEX IF NOT EXISTS ticket_executor_created ON ticket (executor, created_at)",
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="tickets", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
