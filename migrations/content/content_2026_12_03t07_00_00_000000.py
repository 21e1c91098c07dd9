"""A post no longer keeps who it is for as words in its author's language: the words are said from its stored
selections (post_target) in each reader's language, so the column of words goes."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-03T07:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "post audience said from its targets"

STATEMENTS = ("ALTER TABLE post DROP COLUMN audience_label",)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="content", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
