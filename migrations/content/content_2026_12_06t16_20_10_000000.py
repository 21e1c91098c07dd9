"""One answer per person and event: a second «Пойду» changes the first, never adds a row."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-06T16:20:10:000000"
VERSION = "1.38.0"
DESCRIPTION = "one answer per person and event"

STATEMENTS = ('CREATE UNIQUE INDEX IF NOT EXISTS event_answer_post_user ON event_answer (post, "user")',)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="content", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
