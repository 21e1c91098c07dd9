"""The СНИЛС written on a paper ballot (Приказ Минстроя № 266/пр), entered with the ballot: its 11 digits, empty
where none was written. The same SQL on both engines."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-05T11:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "the СНИЛС written on a paper ballot"

STATEMENTS = ("ALTER TABLE ballot ADD COLUMN snils VARCHAR(11) NOT NULL DEFAULT ''",)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="meetings", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
