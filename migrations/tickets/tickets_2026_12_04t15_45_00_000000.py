"""A request closed on the resident's own word («Да, работа выполнена») is told apart from one staff closed: the
resident may return the latter within the confirm window, never the former. A request closed before is marked as
confirmed when its closing status move (its last one) was the resident's."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-04T15:45:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "a request closed on the resident's word"

STATEMENTS = (
    "ALTER TABLE ticket ADD COLUMN confirmed_by_resident BOOLEAN NOT NULL DEFAULT FALSE",
    """UPDATE ticket SET confirmed_by_resident = TRUE
    WHERE status = 'closed' AND EXISTS (
        SELECT 1 FROM ticket_event e
        WHERE e.ticket = ticket.id AND e.kind = 'status' AND e.to_value = 'closed' AND e.by_staff = FALSE
        AND e.id = (SELECT MAX(s.id) FROM ticket_event s WHERE s.ticket = ticket.id AND s.kind = 'status')
    )""",
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="tickets", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
