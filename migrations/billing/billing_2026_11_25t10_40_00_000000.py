"""Composite unique constraints and indexes of billing (same SQL on both engines)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-25T10:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "billing composite indexes"

STATEMENTS = (
    "CREATE UNIQUE INDEX IF NOT EXISTS charge_account_period_service ON charge (account, period, service)",
    "CREATE INDEX IF NOT EXISTS charge_period_service ON charge (period, service)",
    "CREATE INDEX IF NOT EXISTS ledger_entry_account_period ON ledger_entry (account, period)",
    "CREATE INDEX IF NOT EXISTS ledger_entry_account_occurred ON ledger_entry (account, occurred_at)",
    "CREATE INDEX IF NOT EXISTS ledger_entry_period_kind ON ledger_entry (period, kind)",
    "CREATE UNIQUE INDEX IF NOT EXISTS balance_account_period ON balance (account, period)",
    "CREATE INDEX IF NOT EXISTS balance_period_closing ON balance (period, closing_kopecks)",
    "CREATE UNIQUE INDEX IF NOT EXISTS receipt_account_period ON receipt (account, period)",
    "CREATE UNIQUE INDEX IF NOT EXISTS receipt_section_receipt_payee ON receipt_section (receipt, payee)",
    "CREATE UNIQUE INDEX IF NOT EXISTS import_batch_hash_period ON import_batch (file_hash, period)",
    "CREATE UNIQUE INDEX IF NOT EXISTS penalty_accrual_item ON penalty_accrual (account, period, debt_period, capital_repair)",
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="billing", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
