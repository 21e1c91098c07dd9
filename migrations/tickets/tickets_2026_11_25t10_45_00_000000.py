"""Composite indexes of the request list and the text-search index (pg_trgm on PostgreSQL, FTS5 on SQLite)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.engine.sqlite import SQLiteEngine

from portal.core.search import search_ddl

ID = "2026-11-25T10:45:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "request list indexes and text search"

STATEMENTS = (
    "CREATE INDEX IF NOT EXISTS ticket_status_deadline ON ticket (status, deadline)",
    "CREATE INDEX IF NOT EXISTS ticket_house_created ON ticket (house, created_at)",
    "CREATE INDEX IF NOT EXISTS ticket_executor_status ON ticket (executor, status)",
    "CREATE INDEX IF NOT EXISTS ticket_account_created ON ticket (account, created_at)",
    "CREATE INDEX IF NOT EXISTS ticket_premise_category_created ON ticket (premise, category, created_at)",
    "CREATE INDEX IF NOT EXISTS ticket_house_place_category ON ticket (house, place, category, created_at)",
    "CREATE INDEX IF NOT EXISTS ticket_event_ticket_id ON ticket_event (ticket, id)",
    "CREATE INDEX IF NOT EXISTS ticket_event_kind_to ON ticket_event (kind, to_value)",
    "CREATE INDEX IF NOT EXISTS ticket_attachment_ticket_id ON ticket_attachment (ticket, id)",
    "CREATE INDEX IF NOT EXISTS outage_house_closed ON outage (house, closed_at)",
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="tickets", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in STATEMENTS:
            await engine.run_ddl(statement)
        for statement in search_ddl("ticket", "search_text", sqlite=isinstance(engine, SQLiteEngine)):
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
