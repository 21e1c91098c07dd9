"""The principal of each resident of an account is built again when the account's closing day changes: a closed
account is read-only to them (``housing.rules.account_open``), and the principal kept in the session says which."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-06T14:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "principal version raised by an account's closing"

BUMP = (
    "UPDATE portal_user SET principal_version = principal_version + 1 "
    'WHERE id IN (SELECT "user" FROM residency WHERE account = NEW.id);'
)

SQLITE = [
    "CREATE TRIGGER IF NOT EXISTS personal_account_principal AFTER UPDATE OF closed_on ON personal_account "
    f"WHEN OLD.closed_on IS NOT NEW.closed_on BEGIN {BUMP} END",
]

POSTGRES = [
    f"""CREATE OR REPLACE FUNCTION portal_account_principal_bump() RETURNS trigger AS $$
    BEGIN
        {BUMP}
        RETURN NULL;
    END $$ LANGUAGE plpgsql""",
    "CREATE TRIGGER personal_account_principal AFTER UPDATE OF closed_on ON personal_account FOR EACH ROW "
    "WHEN (OLD.closed_on IS DISTINCT FROM NEW.closed_on) EXECUTE FUNCTION portal_account_principal_bump()",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="accounts", description=DESCRIPTION)

    async def triggers():
        engine = engine_finder()
        for statement in SQLITE if engine.engine_type == "sqlite" else POSTGRES:
            await engine.run_ddl(statement)

    manager.add_raw(triggers)
    return manager
