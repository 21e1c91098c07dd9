"""One answer per person and wave; one KPI month per complex; one bonus line per person and KPI month."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-02T00:14:30:000000"
VERSION = "1.38.0"
DESCRIPTION = "composite uniques and indexes"

STATEMENTS = (
    'CREATE UNIQUE INDEX IF NOT EXISTS nps_answer_wave_user ON nps_answer (wave, "user")',
    "CREATE INDEX IF NOT EXISTS nps_answer_house_wave ON nps_answer (house, wave)",
    "CREATE UNIQUE INDEX IF NOT EXISTS nps_wave_complex_opens ON nps_wave (complex, opens_on)",
    "CREATE UNIQUE INDEX IF NOT EXISTS kpi_month_complex_period ON kpi_month (complex, period)",
    'CREATE UNIQUE INDEX IF NOT EXISTS kpi_bonus_month_user ON kpi_bonus (kpi_month, "user")',
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="analytics", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
