"""Who last changed a post and when: a draft may be finished by another writer than its author (a dispatcher of the
next shift finishes the night's emergency notice), so its page and the staff list say who changed it last. Posts
changed before keep it empty (their audit log says who)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-06T03:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "post editor_name and edited_at"

STATEMENTS = (
    "ALTER TABLE post ADD COLUMN editor_name VARCHAR(255) NOT NULL DEFAULT ''",
    "ALTER TABLE post ADD COLUMN edited_at TIMESTAMPTZ NULL DEFAULT NULL",
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="content", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
