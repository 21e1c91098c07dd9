"""Posts in English: staff may write a post's title and text in English too; a resident who reads English reads
them, and the Russian where they are empty. Empty by default: every post written so far has only the Russian."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-03T17:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "post title and text in English"

STATEMENTS = (
    "ALTER TABLE post ADD COLUMN title_en VARCHAR(200) NOT NULL DEFAULT ''",
    "ALTER TABLE post ADD COLUMN body_en TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE post ADD COLUMN body_html_en TEXT NOT NULL DEFAULT ''",
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="content", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
