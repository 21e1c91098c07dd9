"""The owners who vote are searched by premise number within a house: an index on the premises by house and number,
so that the number typed is found by the index (the unique one puts the premise's kind between the two). The same
SQL on both engines."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-04T16:45:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "premises by house and number, for the search of the owners who vote"

STATEMENTS = ("CREATE INDEX IF NOT EXISTS premise_house_number ON premise (house, number)",)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="meetings", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
