from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from enum import Enum
from piccolo.columns.column_types import Varchar

ID = "2026-12-06T22:59:02:355348"
VERSION = "1.38.0"
DESCRIPTION = ""


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="tickets", description=DESCRIPTION
    )

    manager.alter_column(
        table_class_name="Ticket",
        tablename="ticket",
        column_name="source",
        db_column_name="source",
        params={
            "choices": Enum(
                "Source",
                {
                    "PORTAL": "portal",
                    "PHONE": "phone",
                    "EMAIL": "email",
                    "WALK_IN": "walk_in",
                    "CALL_CENTRE": "call_centre",
                    "MYSTERY": "mystery",
                },
            )
        },
        old_params={
            "choices": Enum(
                "Source",
                {
                    "PORTAL": "portal",
                    "PHONE": "phone",
                    "EMAIL": "email",
                    "WALK_IN": "walk_in",
                    "CALL_CENTRE": "call_centre",
                },
            )
        },
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    return manager
