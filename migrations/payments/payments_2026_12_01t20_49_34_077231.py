from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from enum import Enum
from piccolo.columns.column_types import Timestamptz
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-01T20:49:34:077231"
VERSION = "1.38.0"
DESCRIPTION = "payment statuses and kinds as choices; when an unpaid checkout expires"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="payments", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="Payment",
        tablename="payment",
        column_name="expires_at",
        db_column_name="expires_at",
        column_class_name="Timestamptz",
        column_class=Timestamptz,
        params={
            "default": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.alter_column(
        table_class_name="Payment",
        tablename="payment",
        column_name="kind",
        db_column_name="kind",
        params={
            "choices": Enum(
                "PaymentKind", {"CHECKOUT": "checkout", "AUTOPAY": "autopay"}
            )
        },
        old_params={"choices": None},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    manager.alter_column(
        table_class_name="Payment",
        tablename="payment",
        column_name="status",
        db_column_name="status",
        params={
            "choices": Enum(
                "PaymentStatus",
                {
                    "CREATED": "created",
                    "OPEN": "open",
                    "PENDING": "pending",
                    "SUCCEEDED": "succeeded",
                    "FAILED": "failed",
                    "CANCELED": "canceled",
                    "EXPIRED": "expired",
                    "REFUNDED": "refunded",
                    "PARTIALLY_REFUNDED": "partially_refunded",
                },
            )
        },
        old_params={"choices": None},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    manager.alter_column(
        table_class_name="Refund",
        tablename="refund",
        column_name="status",
        db_column_name="status",
        params={
            "choices": Enum(
                "RefundStatus",
                {
                    "PENDING": "pending",
                    "SUCCEEDED": "succeeded",
                    "FAILED": "failed",
                    "CANCELED": "canceled",
                },
            )
        },
        old_params={"choices": None},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    manager.alter_column(
        table_class_name="CardSetup",
        tablename="card_setup",
        column_name="status",
        db_column_name="status",
        params={
            "choices": Enum(
                "CardSetupStatus",
                {"OPEN": "open", "COMPLETE": "complete", "EXPIRED": "expired"},
            )
        },
        old_params={"choices": None},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    manager.alter_column(
        table_class_name="AutopayMandate",
        tablename="autopay_mandate",
        column_name="last_status",
        db_column_name="last_status",
        params={
            "choices": Enum(
                "AutopayResult",
                {
                    "NONE": "",
                    "RUNNING": "running",
                    "SUCCEEDED": "succeeded",
                    "PENDING": "pending",
                    "FAILED": "failed",
                    "CANCELED": "canceled",
                    "NOTHING_DUE": "nothing_due",
                    "OVER_LIMIT": "over_limit",
                },
            )
        },
        old_params={"choices": None},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    return manager
