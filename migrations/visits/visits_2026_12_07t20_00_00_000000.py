"""A caller without a sign-in, booked by the call centre: a visit's ``user`` may be empty, and the visit keeps the
caller's name and phone (indexed: the limit of upcoming visits is counted by the phone) until they are erased.

PostgreSQL drops the column's NOT NULL; SQLite, which cannot, copies the table without it (its indexes made again as
they were). Run again, it changes nothing."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Timestamptz
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod
from piccolo.engine import engine_finder
from piccolo.querystring import QueryString

ID = "2026-12-07T20:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "visits of callers without a sign-in"

USER_NOT_NULL = '"user" INTEGER NOT NULL REFERENCES "portal_user"'


def _params(**given):
    return {
        "null": False, "primary_key": False, "unique": False, "index": False, "index_method": IndexMethod.btree,
        "choices": None, "db_column_name": None, "secret": False, **given,
    }  # fmt: skip


async def _sqlite_user_nullable(engine) -> None:
    def read(sql: str):
        return engine.run_querystring(QueryString(sql))

    table = await read("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'client_visit'")
    if not table or USER_NOT_NULL not in table[0]["sql"]:
        return
    indexes = await read(
        "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'client_visit' AND sql IS NOT NULL"
    )
    create = table[0]["sql"].replace(USER_NOT_NULL, '"user" INTEGER REFERENCES "portal_user"', 1)
    create = create.replace('"client_visit"', '"client_visit_new"', 1)
    await engine.run_ddl(create)
    await engine.run_ddl("INSERT INTO client_visit_new SELECT * FROM client_visit")
    await engine.run_ddl("DROP TABLE client_visit")
    await engine.run_ddl("ALTER TABLE client_visit_new RENAME TO client_visit")
    for index in indexes:
        await engine.run_ddl(index["sql"])


async def user_nullable(engine) -> None:
    if engine.engine_type == "sqlite":
        await _sqlite_user_nullable(engine)
    else:
        await engine.run_ddl('ALTER TABLE client_visit ALTER COLUMN "user" DROP NOT NULL')


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="visits", description=DESCRIPTION)
    for name, column, params in (
        ("caller_name", Varchar, _params(default="", length=200)),
        ("caller_phone", Varchar, _params(default="", length=16, index=True)),
        ("caller_erased_at", Timestamptz, _params(default=None, null=True)),
    ):
        manager.add_column(
            table_class_name="Visit", tablename="client_visit", column_name=name, db_column_name=name,
            column_class_name=column.__name__, column_class=column, params=params, schema=None,
        )  # fmt: skip

    async def run():
        await user_nullable(engine_finder())

    manager.add_raw(run)
    return manager
