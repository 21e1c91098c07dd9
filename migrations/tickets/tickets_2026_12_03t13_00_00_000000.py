"""A request's text in English too: a request another domain opens (an order of paid services) words its text for
the dispatcher in Russian and for an English-speaking resident in English, and so does a message it posts. Both
twins may stay empty (a resident's own words are kept as typed, in one language); everything stored before has
none."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-03T13:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "a request's text and its messages in English"

STATEMENTS = (
    "ALTER TABLE ticket ADD COLUMN description_en TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE ticket_event ADD COLUMN comment_en TEXT NOT NULL DEFAULT ''",
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="tickets", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
