"""A version of what a user's principal is made of, raised by the database on every change of it.

The principal (roles, houses, accounts and rights, consent, name, locale) is kept in the session with the
version it was built at; a page load reads the version alone. Triggers raise it on any write to the user's
roles, staff houses, residencies, consent records, or to the user's name, locale, activity or session epoch,
so no code path can forget to.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-01T20:00:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "principal version triggers"

LINKED = ("user_role", "staff_house", "residency", "consent_record")
BUMP = 'UPDATE portal_user SET principal_version = principal_version + 1 WHERE id = {row}."user";'

SQLITE = [
    *(
        f'CREATE TRIGGER IF NOT EXISTS {table}_principal_{op.lower()} AFTER {op} ON {table} BEGIN '
        + " ".join(BUMP.format(row=row) for row in rows)
        + " END"
        for table in LINKED
        for op, rows in (("INSERT", ("NEW",)), ("UPDATE", ("OLD", "NEW")), ("DELETE", ("OLD",)))
    ),
    "CREATE TRIGGER IF NOT EXISTS portal_user_principal AFTER UPDATE OF full_name, locale, is_active, session_epoch "
    "ON portal_user BEGIN UPDATE portal_user SET principal_version = principal_version + 1 WHERE id = NEW.id; END",
]

POSTGRES = [
    """CREATE OR REPLACE FUNCTION portal_principal_bump() RETURNS trigger AS $$
    BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
            UPDATE portal_user SET principal_version = principal_version + 1 WHERE id = OLD."user";
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
            UPDATE portal_user SET principal_version = principal_version + 1 WHERE id = NEW."user";
        END IF;
        RETURN NULL;
    END $$ LANGUAGE plpgsql""",
    *(
        f"CREATE TRIGGER {table}_principal AFTER INSERT OR UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION portal_principal_bump()"
        for table in LINKED
    ),
    """CREATE OR REPLACE FUNCTION portal_user_principal_bump() RETURNS trigger AS $$
    BEGIN
        IF (NEW.full_name, NEW.locale, NEW.is_active, NEW.session_epoch)
           IS DISTINCT FROM (OLD.full_name, OLD.locale, OLD.is_active, OLD.session_epoch) THEN
            NEW.principal_version := OLD.principal_version + 1;
        END IF;
        RETURN NEW;
    END $$ LANGUAGE plpgsql""",
    "CREATE TRIGGER portal_user_principal BEFORE UPDATE ON portal_user "
    "FOR EACH ROW EXECUTE FUNCTION portal_user_principal_bump()",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="accounts", description=DESCRIPTION)

    async def triggers():
        engine = engine_finder()
        for statement in SQLITE if engine.engine_type == "sqlite" else POSTGRES:
            await engine.run_ddl(statement)

    manager.add_raw(triggers)
    return manager
