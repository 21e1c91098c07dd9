"""Composite unique constraints and indexes that Piccolo columns cannot declare (same SQL on both engines)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-25T10:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "composite indexes"

STATEMENTS = (
        'CREATE UNIQUE INDEX IF NOT EXISTS user_role_pair ON user_role ("user", role)',
        'CREATE UNIQUE INDEX IF NOT EXISTS staff_house_pair ON staff_house ("user", house)',
        'CREATE INDEX IF NOT EXISTS residency_account_user ON residency (account, "user")',
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="accounts", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
