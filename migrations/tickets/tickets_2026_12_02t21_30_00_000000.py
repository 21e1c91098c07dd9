"""The open requests in deadline order, furthest first (the deadline column's sort turned round).

``ticket_open_deadline`` gives the queues' order ``deadline IS NULL, deadline, id``; read backward it gives the
requests without a deadline first, while the list keeps them last in either direction
(``deadline IS NULL, deadline DESC, id DESC``). So PostgreSQL sorted every open request for that page (an
incremental sort whose only presorted key was ``deadline IS NULL``). The same partial index with the deadline and
the id descending gives that order as it stands. Same IN list as the other (``sorted(rules.ACTIVE)``).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-02T21:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "a partial index of the open requests in deadline order, furthest first"

STATEMENTS = (
    "CREATE INDEX IF NOT EXISTS ticket_open_deadline_desc ON ticket ((deadline IS NULL), deadline DESC, id DESC) "
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
