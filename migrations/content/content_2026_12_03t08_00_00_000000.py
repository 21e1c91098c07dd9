"""The notice of an outage says its words from the outage in each reader's language; a notice whose title or text
staff rewrote keeps theirs, as written (the new column says which). Notices stored before are said from their
outage."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-03T08:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "post own words"

STATEMENTS = ("ALTER TABLE post ADD COLUMN own_words BOOLEAN NOT NULL DEFAULT FALSE",)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="content", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
