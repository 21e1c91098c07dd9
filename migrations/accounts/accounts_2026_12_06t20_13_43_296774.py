"""A password reset by phone: its code, sent by SMS, is a one-time token of its own purpose («reset_code»)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from enum import Enum
from piccolo.columns.column_types import Varchar

ID = "2026-12-06T20:13:43:296774"
VERSION = "1.38.0"
DESCRIPTION = "reset codes sent by SMS"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="accounts", description=DESCRIPTION
    )

    manager.alter_column(
        table_class_name="OneTimeToken",
        tablename="auth_token",
        column_name="purpose",
        db_column_name="purpose",
        params={
            "choices": Enum(
                "TokenPurpose",
                {
                    "RESET": "reset",
                    "RESET_CODE": "reset_code",
                    "INVITE": "invite",
                    "CONFIRM": "confirm",
                    "PHONE": "phone",
                    "EMAIL": "email",
                },
            )
        },
        old_params={
            "choices": Enum(
                "TokenPurpose",
                {
                    "RESET": "reset",
                    "INVITE": "invite",
                    "CONFIRM": "confirm",
                    "PHONE": "phone",
                    "EMAIL": "email",
                },
            )
        },
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    return manager
