"""Whether a replaced checkout was continued in another language or closed by a new payment of its account: staff
read «продолжен как № N» of the one and «заменён платежом № N» of the other. A checkout of an order is only ever
replaced by its continuation, so those replaced before are marked continued; a utilities checkout replaced before
cannot be told apart and reads «заменён» (true of both)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-05T01:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "payment continued"

STATEMENTS = (
    "ALTER TABLE payment ADD COLUMN continued BOOLEAN NOT NULL DEFAULT FALSE",
    "UPDATE payment SET continued = TRUE WHERE replaced_by IS NOT NULL AND purpose = 'order' AND NOT continued",
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="payments", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
