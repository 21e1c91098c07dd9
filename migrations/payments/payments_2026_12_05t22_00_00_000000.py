"""The refunds the payment service is still working on, by payment: a refund may not be asked for beyond what they
and the refunds made leave of the payment, and the staff list marks and finds the payments that have one. Only
these few rows are indexed (``queries.pending_refunds``, the list's status filter «Возврат в обработке»)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-05T22:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "a partial index of the pending refunds by payment"

STATEMENTS = ("CREATE INDEX IF NOT EXISTS refund_pending ON refund (payment) WHERE status = 'pending'",)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="payments", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
