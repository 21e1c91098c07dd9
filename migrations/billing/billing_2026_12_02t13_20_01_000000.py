"""One entry per start date and kind in the table of moratoria and caps (same SQL on both engines)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-02T13:20:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "penalty rules: unique start date and kind"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="billing", description=DESCRIPTION)

    async def run():
        await engine_finder().run_ddl(
            "CREATE UNIQUE INDEX IF NOT EXISTS penalty_rule_from_kind ON penalty_rule (valid_from, kind)"
        )

    manager.add_raw(run)
    return manager
