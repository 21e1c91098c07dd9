"""The open requests in the order the dispatch queues read them (bench/test_tickets_list.py, 1,000,000 requests).

The active, without-executor and overdue tabs sort by deadline, requests without one last
(``deadline IS NULL, deadline, id``). No index served that order, so an administrator's first page read and sorted
every open request (100,000 at that size: 1.2–2.4 s). A partial index of the open requests in exactly that order
lets the page stop after its first rows; it holds only the open requests, so it stays small as the archive grows.
The IN list is the one the list query sends (``sorted(rules.ACTIVE)``): a planner uses a partial index only where
the query's condition implies the index's.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-02T14:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "a partial index of the open requests in deadline order"

STATEMENTS = (
    "CREATE INDEX IF NOT EXISTS ticket_open_deadline ON ticket ((deadline IS NULL), deadline, id) "
    "WHERE status IN ('accepted', 'in_work', 'new', 'reopened')",
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="tickets", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
