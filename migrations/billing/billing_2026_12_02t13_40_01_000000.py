"""One row per interruption and account; the month's rows of an account and service read together."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-02T13:40:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "outage reductions: unique outage and account; account, period and service"

STATEMENTS = (
    "CREATE UNIQUE INDEX IF NOT EXISTS outage_reduction_outage_account ON outage_reduction (outage, account)",
    "CREATE INDEX IF NOT EXISTS outage_reduction_account_period ON outage_reduction (account, period, service)",
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="billing", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
