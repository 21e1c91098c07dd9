"""The staff search finds a request the portal words in English too (an order of paid services, a meter
verification) by its English words as well as its Russian ones. The requests stored with an English text before
that are searched so too: their search text is rebuilt."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-03T14:15:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "requests searched by their English text too"

CHUNK = 500


async def backfill() -> None:
    from portal.tickets.actions import refresh_search_text
    from portal.tickets.tables import Ticket

    rows = await Ticket.select(Ticket.id).where(Ticket.description_en != "").order_by(Ticket.id)
    ids = [r["id"] for r in rows]
    for start in range(0, len(ids), CHUNK):
        await refresh_search_text(ids[start : start + CHUNK])


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="tickets", description=DESCRIPTION)
    manager.add_raw(backfill)
    return manager
