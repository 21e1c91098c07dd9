"""The audit log keeps each actor's name as the staff search stores text, with the engine's text index on it, so
the log's "who" filter finds «анна» in «Анна Петрова» on either engine without reading the whole log."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.engine.sqlite import SQLiteEngine
from piccolo.querystring import QueryString

from portal.core.search import normalise
from portal.core.search import search_ddl

ID = "2026-12-02T15:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "audit actor search"


async def backfill(engine) -> None:
    """Each actor's name, lower-cased here and not by the engine (SQLite's lower() leaves Cyrillic as it is)."""
    names = await engine.run_querystring(
        QueryString("SELECT DISTINCT actor_name FROM audit_event WHERE actor_name <> ''")
    )
    for row in names:
        name = row["actor_name"]
        await engine.run_querystring(
            QueryString("UPDATE audit_event SET actor_search = {} WHERE actor_name = {}", normalise(name), name)
        )


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        await engine.run_ddl("ALTER TABLE audit_event ADD COLUMN actor_search VARCHAR(200) NOT NULL DEFAULT ''")
        await backfill(engine)
        for statement in search_ddl("audit_event", "actor_search", sqlite=isinstance(engine, SQLiteEngine)):
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
