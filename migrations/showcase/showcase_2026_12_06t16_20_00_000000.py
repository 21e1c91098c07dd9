"""The messages that told staff of a viewing request name it by their ``ref`` (``showcase:lead:<id>``, indexed), as
they are written now: the daily job deletes a lead's messages with the visitor's data by it, never by the text of
their key. The rows written before get it from their key (``<channel>:showcase:lead:<id>:<user>``)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.querystring import QueryString

ID = "2026-12-06T16:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "a lead's staff messages referred to by ref"

TEMPLATE = "showcase/lead"
BATCH = 500
SELECT = (
    "SELECT id, dedupe_key FROM outbox_message WHERE template = {} AND ref = '' AND id > {} ORDER BY id LIMIT {}"
)


def lead_ref(dedupe_key: str) -> str:
    """``showcase:lead:<id>`` of a lead's message key, or "" for a key of another shape."""
    parts = dedupe_key.split(":")
    if len(parts) >= 4 and parts[1:3] == ["showcase", "lead"] and parts[3].isdigit():
        return f"showcase:lead:{parts[3]}"
    return ""


async def fill(engine) -> None:
    """Every lead's message without a ``ref`` gets it, a batch at a time (by the primary key)."""
    after = 0
    while rows := await engine.run_querystring(QueryString(SELECT, TEMPLATE, after, BATCH)):
        after = rows[-1]["id"]
        refs: dict[str, list[int]] = {}
        for row in rows:
            if ref := lead_ref(row["dedupe_key"]):
                refs.setdefault(ref, []).append(row["id"])
        for ref, ids in refs.items():
            marks = ", ".join("{}" for _ in ids)
            await engine.run_querystring(
                QueryString(f"UPDATE outbox_message SET ref = {{}} WHERE id IN ({marks})", ref, *ids)
            )


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="showcase", description=DESCRIPTION)

    async def run():
        await fill(engine_finder())

    manager.add_raw(run)
    return manager
