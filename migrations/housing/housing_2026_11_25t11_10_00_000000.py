"""Back-fill the search text of houses, accounts and owners, then build its index on the current engine.

pg_trgm GIN on PostgreSQL, an FTS5 trigram table kept in step by triggers on SQLite (portal.core.search).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.engine.sqlite import SQLiteEngine
from piccolo.querystring import QueryString

from portal.core.search import search_ddl
from portal.housing.rules import account_search_text, house_search_text, owner_search_text

ID = "2026-11-25T11:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "staff search of houses, accounts and owners"

BATCH = 300

# Every row of each table, page by page (by id): the columns its search text is made of.
SOURCES = {
    "house": (
        "SELECT h.id, h.address, c.name AS complex_name FROM house h JOIN complex c ON c.id = h.complex",
        "h.id",
        lambda r: house_search_text(r["address"], r["complex_name"] or ""),
    ),
    "personal_account": (
        "SELECT a.id, a.number, a.payer_name, h.address, p.kind, p.number AS premise_number "
        "FROM personal_account a JOIN premise p ON p.id = a.premise JOIN house h ON h.id = p.house",
        "a.id",
        lambda r: account_search_text(
            r["number"], r["payer_name"] or "", r["address"] or "", r["kind"] or "", r["premise_number"] or ""
        ),
    ),
    "owner": (
        "SELECT o.id, o.name, o.inn, o.phone, o.email FROM owner o",
        "o.id",
        lambda r: owner_search_text(r["name"], r["inn"], r["phone"] or "", r["email"] or ""),
    ),
}


async def _backfill(engine, table: str) -> None:
    select, key, text_of = SOURCES[table]
    last = 0
    while True:
        rows = await engine.run_querystring(
            QueryString(f"{select} WHERE {key} > {{}} ORDER BY {key} LIMIT {BATCH}", last)
        )
        if not rows:
            return
        last = rows[-1]["id"]
        pairs = [(r["id"], text_of(r)) for r in rows]
        cases = " ".join("WHEN {} THEN {}" for _ in pairs)
        ids = ", ".join("{}" for _ in pairs)
        args = [v for pair in pairs for v in pair] + [i for i, _text in pairs]
        await engine.run_querystring(
            QueryString(f"UPDATE {table} SET search_text = CASE id {cases} END WHERE id IN ({ids})", *args)  # noqa: S608
        )


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="housing", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for table in SOURCES:
            await _backfill(engine, table)
            for statement in search_ddl(table, "search_text", sqlite=isinstance(engine, SQLiteEngine)):
                await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
