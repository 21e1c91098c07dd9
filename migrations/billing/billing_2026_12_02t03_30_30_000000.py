"""Indexes of the payment registries, the billing system's balances and the reconciliation (raw statements run
before a migration's tables are made, so they come in a migration of their own)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-02T03:30:30:000000"
VERSION = "1.38.0"
DESCRIPTION = "indexes of payment registries, book balances and reconciliation"

STATEMENTS = (
    "CREATE INDEX IF NOT EXISTS registry_payment_status_paid ON registry_payment (status, paid_on)",
    "CREATE UNIQUE INDEX IF NOT EXISTS book_balance_kind_account_period ON book_balance (kind, account, period)",
    "CREATE INDEX IF NOT EXISTS book_balance_kind_period ON book_balance (kind, period, account)",
    "CREATE INDEX IF NOT EXISTS balance_difference_period_account ON balance_difference (period, account)",
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="billing", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
