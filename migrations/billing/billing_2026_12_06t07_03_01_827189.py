"""What earlier migrations of this app made by raw SQL (``add_raw``), told to Piccolo's migration snapshot so that
``piccolo migrations new <app> --auto`` compares the tables with what the database holds and writes only the new
change. Faked: it runs nothing on a database (``fake=True``); ``tests/core/test_migration_snapshot.py`` keeps the
snapshot in step."""

import decimal
from enum import Enum

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import BigInt
from piccolo.columns.column_types import Date
from piccolo.columns.column_types import Numeric
from piccolo.columns.column_types import Timestamptz
from piccolo.columns.column_types import Varchar
from piccolo.columns.defaults.date import DateNow
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-06T07:03:01:827189"
VERSION = "1.38.0"
DESCRIPTION = "snapshot of the raw migrations (faked)"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="billing", description=DESCRIPTION, fake=True)

    manager.add_column(
        table_class_name="Receipt",
        tablename="receipt",
        column_name="corrections_kopecks",
        db_column_name="corrections_kopecks",
        column_class_name="BigInt",
        column_class=BigInt,
        params={
            "default": 0,
            "null": False,
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
        table_class_name="KeyRate",
        tablename="key_rate",
        column_name="valid_from",
        db_column_name="valid_from",
        params={"default": DateNow()},
        old_params={"default": None},
        column_class=Date,
        old_column_class=Date,
        schema=None,
    )

    manager.alter_column(
        table_class_name="PenaltyRule",
        tablename="penalty_rule",
        column_name="valid_from",
        db_column_name="valid_from",
        params={"default": DateNow()},
        old_params={"default": None},
        column_class=Date,
        old_column_class=Date,
        schema=None,
    )

    manager.alter_column(
        table_class_name="PenaltyRule",
        tablename="penalty_rule",
        column_name="valid_to",
        db_column_name="valid_to",
        params={"default": DateNow()},
        old_params={"default": None},
        column_class=Date,
        old_column_class=Date,
        schema=None,
    )

    manager.alter_column(
        table_class_name="OutageReduction",
        tablename="outage_reduction",
        column_name="period",
        db_column_name="period",
        params={"default": DateNow()},
        old_params={"default": None},
        column_class=Date,
        old_column_class=Date,
        schema=None,
    )

    manager.alter_column(
        table_class_name="OutageReduction",
        tablename="outage_reduction",
        column_name="started_at",
        db_column_name="started_at",
        params={"default": TimestamptzNow()},
        old_params={"default": None},
        column_class=Timestamptz,
        old_column_class=Timestamptz,
        schema=None,
    )

    manager.alter_column(
        table_class_name="OutageReduction",
        tablename="outage_reduction",
        column_name="ended_at",
        db_column_name="ended_at",
        params={"default": TimestamptzNow()},
        old_params={"default": None},
        column_class=Timestamptz,
        old_column_class=Timestamptz,
        schema=None,
    )

    manager.alter_column(
        table_class_name="OutageReduction",
        tablename="outage_reduction",
        column_name="outage_hours",
        db_column_name="outage_hours",
        params={"default": decimal.Decimal("0")},
        old_params={"default": None},
        column_class=Numeric,
        old_column_class=Numeric,
        schema=None,
    )

    manager.alter_column(
        table_class_name="OutageReduction",
        tablename="outage_reduction",
        column_name="hours_beyond",
        db_column_name="hours_beyond",
        params={"default": decimal.Decimal("0")},
        old_params={"default": None},
        column_class=Numeric,
        old_column_class=Numeric,
        schema=None,
    )

    manager.alter_column(
        table_class_name="OutageReduction",
        tablename="outage_reduction",
        column_name="percent",
        db_column_name="percent",
        params={"default": decimal.Decimal("0")},
        old_params={"default": None},
        column_class=Numeric,
        old_column_class=Numeric,
        schema=None,
    )

    manager.alter_column(
        table_class_name="PaymentRegistry",
        tablename="payment_registry",
        column_name="kind",
        db_column_name="kind",
        params={"choices": Enum("RegistryKind", {"BANK": "bank", "TABLE": "table"})},
        old_params={"choices": None},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    manager.alter_column(
        table_class_name="RegistryPayment",
        tablename="registry_payment",
        column_name="payment_id",
        db_column_name="payment_id",
        params={"unique": False},
        old_params={"unique": True},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    manager.alter_column(
        table_class_name="RegistryPayment",
        tablename="registry_payment",
        column_name="paid_on",
        db_column_name="paid_on",
        params={"default": DateNow()},
        old_params={"default": None},
        column_class=Date,
        old_column_class=Date,
        schema=None,
    )

    manager.alter_column(
        table_class_name="RegistryPayment",
        tablename="registry_payment",
        column_name="channel",
        db_column_name="channel",
        params={
            "choices": Enum(
                "Channel",
                {
                    "PORTAL_CARD": "portal_card",
                    "SBP": "sbp",
                    "BANK_QR": "bank_qr",
                    "CASH_DESK": "cash_desk",
                    "AUTOPAY": "autopay",
                    "BANK_REGISTRY": "bank_registry",
                },
            )
        },
        old_params={"choices": None},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    manager.alter_column(
        table_class_name="RegistryPayment",
        tablename="registry_payment",
        column_name="status",
        db_column_name="status",
        params={
            "choices": Enum(
                "LineStatus",
                {
                    "CREDITED": "credited",
                    "PORTAL": "portal",
                    "UNMATCHED": "unmatched",
                    "ASSIGNED": "assigned",
                    "RETURNED": "returned",
                },
            )
        },
        old_params={"choices": None},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    manager.alter_column(
        table_class_name="BookBalance",
        tablename="book_balance",
        column_name="kind",
        db_column_name="kind",
        params={"choices": Enum("BookKind", {"OPENING": "opening", "EXPORT": "export"})},
        old_params={"choices": None},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    manager.alter_column(
        table_class_name="BookBalance",
        tablename="book_balance",
        column_name="period",
        db_column_name="period",
        params={"default": DateNow()},
        old_params={"default": None},
        column_class=Date,
        old_column_class=Date,
        schema=None,
    )

    manager.alter_column(
        table_class_name="BalanceDifference",
        tablename="balance_difference",
        column_name="checked_on",
        db_column_name="checked_on",
        params={"default": DateNow()},
        old_params={"default": None},
        column_class=Date,
        old_column_class=Date,
        schema=None,
    )

    manager.alter_column(
        table_class_name="BalanceDifference",
        tablename="balance_difference",
        column_name="period",
        db_column_name="period",
        params={"default": DateNow()},
        old_params={"default": None},
        column_class=Date,
        old_column_class=Date,
        schema=None,
    )

    return manager
