"""Questions of the agenda in English: staff may write a question's English text too; an owner who reads English
reads it on the meeting's pages, and the Russian where it is empty. Empty by default: every question written so far
has only the Russian, which the protocol and the ballots keep."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-04T15:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "agenda question in English"

STATEMENTS = ("ALTER TABLE agenda_item ADD COLUMN text_en TEXT NOT NULL DEFAULT ''",)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="meetings", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
