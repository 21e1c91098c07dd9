"""One reading per register and period (a correction replaces the value), the reviews' queue, house meters'
readings and reminders kept once.

A register with several readings in one period (passed twice before corrections existed) keeps the last one
passed: the one the billing system would have taken.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-01T22:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "one reading per register and period; review queue; house readings and reminders unique"

STATEMENTS = (
    "DELETE FROM meter_reading WHERE id NOT IN "
    "(SELECT MAX(id) FROM meter_reading GROUP BY period, meter, zone)",
    "CREATE UNIQUE INDEX IF NOT EXISTS meter_reading_period_register ON meter_reading (period, meter, zone)",
    "CREATE INDEX IF NOT EXISTS meter_reading_review ON meter_reading (review, period)",
    "CREATE INDEX IF NOT EXISTS meter_account_status ON meter (account, status)",
    "CREATE UNIQUE INDEX IF NOT EXISTS house_reading_register ON house_reading (meter, period, zone)",
    "CREATE UNIQUE INDEX IF NOT EXISTS meter_reminder_once ON meter_reminder (kind, account, key)",
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="meters", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
