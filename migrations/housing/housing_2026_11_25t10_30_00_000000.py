"""Composite unique constraints and indexes that Piccolo columns cannot declare (same SQL on both engines)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-25T10:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "composite indexes"

STATEMENTS = (
        "CREATE UNIQUE INDEX IF NOT EXISTS entrance_house_number ON entrance (house, number)",
        "CREATE UNIQUE INDEX IF NOT EXISTS premise_house_kind_number ON premise (house, kind, number)",
        "CREATE UNIQUE INDEX IF NOT EXISTS riser_house_code ON riser (house, code)",
        "CREATE UNIQUE INDEX IF NOT EXISTS premise_riser_pair ON premise_riser (premise, riser)",
        "CREATE UNIQUE INDEX IF NOT EXISTS ownership_premise_owner ON ownership (premise, owner)",
        "CREATE INDEX IF NOT EXISTS premise_house_floor ON premise (house, floor)",
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="housing", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
