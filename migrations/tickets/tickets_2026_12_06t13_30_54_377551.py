"""A request keeps when the dispatcher forwarded its defect's claim to the developer, and waits for the developer as
an internal status of its own. Existing requests have none."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from enum import Enum
from piccolo.columns.column_types import Timestamptz
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-06T13:30:54:377551"
VERSION = "1.38.0"
DESCRIPTION = "requests keep when a claim went to the developer"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="tickets", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="Ticket",
        tablename="ticket",
        column_name="developer_sent_at",
        db_column_name="developer_sent_at",
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
        table_class_name="Ticket",
        tablename="ticket",
        column_name="internal_status",
        db_column_name="internal_status",
        params={
            "choices": Enum(
                "InternalStatus",
                {
                    "NONE": "",
                    "WAITING_ACCESS": "waiting_access",
                    "WAITING_PARTS": "waiting_parts",
                    "CONTRACTOR": "contractor",
                    "INSPECTION": "inspection",
                    "ESCALATED": "escalated",
                    "DEVELOPER": "developer",
                },
            )
        },
        old_params={
            "choices": Enum(
                "InternalStatus",
                {
                    "NONE": "",
                    "WAITING_ACCESS": "waiting_access",
                    "WAITING_PARTS": "waiting_parts",
                    "CONTRACTOR": "contractor",
                    "INSPECTION": "inspection",
                    "ESCALATED": "escalated",
                },
            )
        },
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    return manager
