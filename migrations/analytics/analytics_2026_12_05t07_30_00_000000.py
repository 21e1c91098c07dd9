"""Receivables per m² are per m² of floor area: the months already counted keep the area of flats and
non-residential premises only (parking spaces and storage rooms were in it), as ``aggregates.refresh`` now counts it;
each company total is the sum of its houses'."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-05T07:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "the monthly aggregates' area is the houses' floor area"

STATEMENTS = (
    "UPDATE analytics_house_month SET area = COALESCE((SELECT ROUND(SUM(p.area), 2) FROM premise p "
    "WHERE p.house = analytics_house_month.house AND p.kind IN ('flat', 'nonresidential')), 0) "
    "WHERE house IS NOT NULL",
    "UPDATE analytics_house_month SET area = COALESCE((SELECT SUM(h.area) FROM analytics_house_month h "
    "WHERE h.period = analytics_house_month.period AND h.house IS NOT NULL), 0) WHERE house IS NULL",
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="analytics", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
