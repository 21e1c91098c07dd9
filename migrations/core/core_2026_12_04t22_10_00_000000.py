"""The count of a person's unread in-app messages, shown in the resident's navigation on every page, is one lookup
by (user_id, channel, read_at): the ``user_id`` index alone read every message the person was ever sent (e-mails,
read ones) to count the few unread."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-04T22:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "outbox unread in-app index"

STATEMENTS = (
    "CREATE INDEX IF NOT EXISTS outbox_message_user_channel_read ON outbox_message (user_id, channel, read_at)",
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
