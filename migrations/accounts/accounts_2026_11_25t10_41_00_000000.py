"""Composite indexes of consent records and one-time links (same SQL on both engines)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-25T10:41:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "consent and token indexes"

STATEMENTS = (
    'CREATE INDEX IF NOT EXISTS consent_record_user_type ON consent_record ("user", consent_type, granted_at)',
    "CREATE INDEX IF NOT EXISTS auth_token_purpose_account ON auth_token (purpose, account)",
    'CREATE INDEX IF NOT EXISTS residency_user_account ON residency ("user", account)',
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="accounts", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
