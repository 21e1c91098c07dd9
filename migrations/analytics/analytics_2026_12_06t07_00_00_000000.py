"""The dashboard's «Начислено» is the services alone, as the receipts' and the billing overview's: the balance
corrections (an opening balance taken over, a staff correction) get a figure of their own. The months already
counted are counted again from the balances and the ledger as ``aggregates.refresh`` now counts them (charged: the
services; corrections: the balance's other entries less the month's refunds), so that no month of the old definition
stands beside the new ones until the nightly recount; each company total is the sum of its houses'."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.querystring import QueryString

ID = "2026-12-06T07:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "the monthly aggregates' charged is the services alone, corrections apart"

ADD = "ALTER TABLE analytics_house_month ADD COLUMN corrections_kopecks BIGINT NOT NULL DEFAULT 0"
COUNTED = "SELECT DISTINCT period FROM analytics_house_month"
BALANCES = (
    "SELECT p.house AS house, SUM(b.charged_kopecks) AS charged, SUM(b.other_kopecks) AS other "
    "FROM balance b JOIN personal_account a ON a.id = b.account JOIN premise p ON p.id = a.premise "
    "WHERE b.period = {} GROUP BY p.house"
)
REFUNDS = (
    "SELECT p.house AS house, SUM(e.amount_kopecks) AS refunded "
    "FROM ledger_entry e JOIN personal_account a ON a.id = e.account JOIN premise p ON p.id = a.premise "
    "WHERE e.period = {} AND e.kind = 'refund' GROUP BY p.house"
)
HOUSES = "SELECT id, house FROM analytics_house_month WHERE period = {} AND house IS NOT NULL"
UPDATE = "UPDATE analytics_house_month SET charged_kopecks = {}, corrections_kopecks = {} WHERE id = {}"
TOTALS = (
    "UPDATE analytics_house_month SET "
    "charged_kopecks = COALESCE((SELECT SUM(h.charged_kopecks) FROM analytics_house_month h "
    "WHERE h.period = analytics_house_month.period AND h.house IS NOT NULL), 0), "
    "corrections_kopecks = COALESCE((SELECT SUM(h.corrections_kopecks) FROM analytics_house_month h "
    "WHERE h.period = analytics_house_month.period AND h.house IS NOT NULL), 0) "
    "WHERE house IS NULL"
)


async def recount(engine) -> None:
    """Each counted month's houses from one grouped read of its balances and one of its refunds."""

    def run(sql: str, *args):
        return engine.run_querystring(QueryString(sql, *args))

    for row in await run(COUNTED):
        period = row["period"]
        sums = {r["house"]: r for r in await run(BALANCES, period)}
        refunded = {r["house"]: int(r["refunded"] or 0) for r in await run(REFUNDS, period)}
        for counted in await run(HOUSES, period):
            house = sums.get(counted["house"]) or {}
            charged = int(house.get("charged") or 0)
            corrections = int(house.get("other") or 0) - refunded.get(counted["house"], 0)
            await run(UPDATE, charged, corrections, counted["id"])
    await engine.run_ddl(TOTALS)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="analytics", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        await engine.run_ddl(ADD)
        await recount(engine)

    manager.add_raw(run)
    return manager
