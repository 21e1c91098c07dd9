from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from enum import Enum
from piccolo.columns.column_types import Varchar

ID = "2026-12-01T21:26:57:697516"
VERSION = "1.38.0"
DESCRIPTION = "charge bases, ledger entry kinds and import batch statuses as choices"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="billing", description=DESCRIPTION
    )

    manager.alter_column(
        table_class_name="ImportBatch",
        tablename="import_batch",
        column_name="status",
        db_column_name="status",
        params={"choices": Enum("BatchStatus", {"APPLIED": "applied"})},
        old_params={"choices": None},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    manager.alter_column(
        table_class_name="Charge",
        tablename="charge",
        column_name="basis",
        db_column_name="basis",
        params={
            "choices": Enum(
                "Basis",
                {"METERED": "metered", "NORM": "norm", "AVERAGE": "average"},
            )
        },
        old_params={"choices": None},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    manager.alter_column(
        table_class_name="LedgerEntry",
        tablename="ledger_entry",
        column_name="kind",
        db_column_name="kind",
        params={
            "choices": Enum(
                "EntryKind",
                {
                    "CHARGE": "charge",
                    "PAYMENT": "payment",
                    "PENALTY": "penalty",
                    "CORRECTION": "correction",
                    "REFUND": "refund",
                },
            )
        },
        old_params={"choices": None},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    return manager
