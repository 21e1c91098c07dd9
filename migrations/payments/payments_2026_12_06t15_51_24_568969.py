"""Autopay says why it turned itself off (``stopped``: the payer may no longer pay the account, the account is closed
and paid, the card can never be charged again) and when (``stopped_at``)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from enum import Enum
from piccolo.columns.column_types import Timestamptz
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-06T15:51:24:568969"
VERSION = "1.38.0"
DESCRIPTION = "autopay says why it turned itself off"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="payments", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="AutopayMandate",
        tablename="autopay_mandate",
        column_name="stopped",
        db_column_name="stopped",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 20,
            "default": "",
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": Enum(
                "AutopayStop",
                {
                    "NONE": "",
                    "NO_RIGHT": "no_right",
                    "ACCOUNT_CLOSED": "account_closed",
                    "CARD_GONE": "card_gone",
                },
            ),
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="AutopayMandate",
        tablename="autopay_mandate",
        column_name="stopped_at",
        db_column_name="stopped_at",
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

    return manager
