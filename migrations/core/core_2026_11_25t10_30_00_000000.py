"""One run per job and key; audit and outbox look-ups by record (same SQL on both engines)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-25T10:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "composite indexes"

STATEMENTS = (
    "CREATE UNIQUE INDEX IF NOT EXISTS job_run_name_key ON job_run (name, key)",
    "CREATE INDEX IF NOT EXISTS audit_event_entity ON audit_event (entity, entity_id)",
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
