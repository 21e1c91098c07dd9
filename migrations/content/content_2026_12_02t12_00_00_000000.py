"""Each selection of a post's audience names its house, so that staff see the posts of their houses."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-02T12:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "post target house"

STATEMENTS = (
    "ALTER TABLE post_target ADD COLUMN house INTEGER NULL DEFAULT NULL",
    "CREATE INDEX IF NOT EXISTS post_target_house ON post_target (house)",
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="content", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
