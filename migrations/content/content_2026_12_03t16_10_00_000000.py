"""The selections of one post looked up by kind and record: the sending of a post asks, for each person of a page,
whether the post selects their house, entrance, riser, premise or account (post, kind, ref), and staff pages read
one post's selections of a kind."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-03T16:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "post target by post, kind and ref"

STATEMENTS = ("CREATE INDEX IF NOT EXISTS post_target_post_kind_ref ON post_target (post, kind, ref)",)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="content", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
