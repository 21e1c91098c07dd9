"""Meetings' titles in English: staff may write a meeting's title in English too; an owner who reads English reads
it on the meeting's pages and messages, and the Russian where it is empty. Empty by default: the protocol and the
ballots keep the Russian title."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-04T16:05:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "meeting title in English"

STATEMENTS = ("ALTER TABLE meeting ADD COLUMN title_en VARCHAR(200) NOT NULL DEFAULT ''",)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="meetings", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
