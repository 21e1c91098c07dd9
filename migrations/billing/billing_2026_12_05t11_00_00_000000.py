"""A registry line is unique by its payment id *and* its payment (account as given, amount, day paid), no longer by
the id alone: a second bank, the post or a payment agent numbering their payments from «1» too were skipped as
seen before, their residents' money not credited.

PostgreSQL drops the id's unique constraint; SQLite, which cannot drop a column's constraint, copies the table
without it (its indexes made again as they were). Then one unique index over the four columns; every existing row
satisfies it (their ids were unique). Run again, it changes nothing."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.querystring import QueryString

ID = "2026-12-05T11:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "registry lines unique by payment id and payment"

UNIQUE_ID = '"payment_id" VARCHAR(64) UNIQUE'
SENT = (
    "CREATE UNIQUE INDEX IF NOT EXISTS registry_payment_sent "
    "ON registry_payment (payment_id, account_number, amount_kopecks, paid_on)"
)


async def _sqlite_without_unique_id(engine) -> None:
    def read(sql: str):
        return engine.run_querystring(QueryString(sql))

    table = await read("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'registry_payment'")
    if not table or UNIQUE_ID not in table[0]["sql"]:
        return
    indexes = await read(
        "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'registry_payment' AND sql IS NOT NULL"
    )
    create = table[0]["sql"].replace(UNIQUE_ID, '"payment_id" VARCHAR(64)', 1)
    create = create.replace('"registry_payment"', '"registry_payment_new"', 1)
    await engine.run_ddl(create)
    await engine.run_ddl("INSERT INTO registry_payment_new SELECT * FROM registry_payment")
    await engine.run_ddl("DROP TABLE registry_payment")
    await engine.run_ddl("ALTER TABLE registry_payment_new RENAME TO registry_payment")
    for index in indexes:
        await engine.run_ddl(index["sql"])


async def unique_by_payment(engine) -> None:
    if engine.engine_type == "sqlite":
        await _sqlite_without_unique_id(engine)
    else:
        await engine.run_ddl("ALTER TABLE registry_payment DROP CONSTRAINT IF EXISTS registry_payment_payment_id_key")
    await engine.run_ddl(SENT)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="billing", description=DESCRIPTION)

    async def run():
        await unique_by_payment(engine_finder())

    manager.add_raw(run)
    return manager
