"""The staff search reads every part of a request whatever the length of one of them (each part is capped on its
own, no longer the whole text at 8,000 characters, where a long Russian description could push the English twin
out), and the words of its history too: messages, internal notes, the comments of status moves and ratings. Every
request's search text is rebuilt, 300 requests at a time in the order of their ids (a few statements a chunk, on
both engines)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-03T16:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "requests searched by every part and by their history's words"


async def backfill() -> int:
    from portal.tickets.actions import rebuild_search_texts

    return await rebuild_search_texts()


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="tickets", description=DESCRIPTION)
    manager.add_raw(backfill)
    return manager
