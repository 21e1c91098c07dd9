"""Autopay waits for payments still pending instead of calling the month done: its results ``waiting``,
``waiting_co_owner`` and ``paid_by_co_owner`` (before, a month skipped for a co-owner's payment was ``nothing_due``
with the message ``paid_by_co_owner``: such rows are given the result they mean), and when it waits since and until.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from enum import Enum
from piccolo.columns.column_types import Timestamptz
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod
from piccolo.engine import engine_finder

ID = "2026-12-06T12:46:41:267391"
VERSION = "1.38.0"
DESCRIPTION = "autopay waits for payments still pending"


async def paid_by_co_owner(engine):
    """A month skipped for a co-owner's payment, as written before: its result says so now."""
    await engine.run_ddl(
        "UPDATE autopay_mandate SET last_status = 'paid_by_co_owner', last_message = '' "
        "WHERE last_status = 'nothing_due' AND last_message = 'paid_by_co_owner'"
    )


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="payments", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="AutopayMandate",
        tablename="autopay_mandate",
        column_name="waiting_since",
        db_column_name="waiting_since",
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

    manager.add_column(
        table_class_name="AutopayMandate",
        tablename="autopay_mandate",
        column_name="waiting_until",
        db_column_name="waiting_until",
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
                    "WAITING": "waiting",
                    "WAITING_CO_OWNER": "waiting_co_owner",
                    "PAID_BY_CO_OWNER": "paid_by_co_owner",
                },
            )
        },
        old_params={
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
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    async def run():
        await paid_by_co_owner(engine_finder())

    manager.add_raw(run)

    return manager
