"""The staff search finds the notice of an outage by its words in every language of the portal (each staff member
reads its title in their own): the notices stored before, which still say their outage's words, are found so too.
Notices staff rewrote keep their own words."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-03T13:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "outage notices searched in every language"

CHUNK = 500


async def backfill() -> None:
    import portal.tickets.actions  # noqa: F401  (names the kinds of outage)
    from portal.content.actions import outage_search_text
    from portal.content.queries import outage_facts
    from portal.content.tables import Post

    notices = await Post.select(Post.id, Post.outage).where(Post.outage.is_not_null() & (Post.own_words.eq(False)))
    for start in range(0, len(notices), CHUNK):
        chunk = notices[start : start + CHUNK]
        facts = await outage_facts(n["outage"] for n in chunk)
        for notice in chunk:
            found = facts.get(notice["outage"])
            if found is not None:
                await Post.update({Post.search_text: outage_search_text(found)}).where(Post.id == notice["id"])


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="content", description=DESCRIPTION)
    manager.add_raw(backfill)
    return manager
