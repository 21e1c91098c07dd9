"""One read mark per person and post; targets looked up by kind and id; the staff search of posts."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.engine.sqlite import SQLiteEngine

from portal.core.search import search_ddl

ID = "2026-12-02T09:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "post indexes and search"

STATEMENTS = (
    'CREATE UNIQUE INDEX IF NOT EXISTS post_read_post_user ON post_read (post, "user")',
    "CREATE INDEX IF NOT EXISTS post_target_kind_ref ON post_target (kind, ref)",
    "CREATE INDEX IF NOT EXISTS post_status_kind_publish ON post (status, kind, publish_at)",
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="content", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in STATEMENTS:
            await engine.run_ddl(statement)
        for statement in search_ddl("post", "search_text", sqlite=isinstance(engine, SQLiteEngine)):
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
