"""One aggregate row per (month, house) and per (month, house, dimension, key); the NPS rows by wave day."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-02T13:01:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "uniques of the monthly aggregates"

STATEMENTS = (
    "CREATE UNIQUE INDEX IF NOT EXISTS analytics_house_month_period_house ON analytics_house_month (period, house)",
    "CREATE UNIQUE INDEX IF NOT EXISTS analytics_ticket_month_key "
    "ON analytics_ticket_month (period, house, dimension, key)",
    "CREATE INDEX IF NOT EXISTS analytics_nps_house_opens_house ON analytics_nps_house (opens_on, house)",
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="analytics", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
