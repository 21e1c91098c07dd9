"""An order the resident cancelled without a reason keeps no reason: its page says «Cancelled by the resident» in
the reader's language. Orders cancelled before that kept the default itself, in the canceller's language («Отменён
жителем», or «Cancelled by the resident» in English), which every reader then read as stored; their reason is
blanked, so that they read as the later ones. A reason someone typed is left as it is."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.querystring import QueryString

ID = "2026-12-02T22:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "cancelled orders keep no default reason"

# The default as it was stored, in each language of the portal (locale/*/LC_MESSAGES/catalog.po).
OLD_DEFAULTS = ("Отменён жителем", "Cancelled by the resident")


async def blank_default_reasons(engine) -> None:
    await engine.run_querystring(
        QueryString(
            "UPDATE service_order SET cancel_reason = '' WHERE cancelled_at IS NOT NULL AND cancel_reason IN ({}, {})",
            *OLD_DEFAULTS,
        )
    )


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="catalog", description=DESCRIPTION)

    async def run():
        await blank_default_reasons(engine_finder())

    manager.add_raw(run)
    return manager
