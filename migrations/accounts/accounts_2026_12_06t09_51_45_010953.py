from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Timestamptz

ID = "2026-12-06T09:51:45:010953"
VERSION = "1.38.0"
DESCRIPTION = "one-time links and codes indexed by expiry, for their deletion"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="accounts", description=DESCRIPTION
    )

    manager.alter_column(
        table_class_name="OneTimeToken",
        tablename="auth_token",
        column_name="expires_at",
        db_column_name="expires_at",
        params={"index": True},
        old_params={"index": False},
        column_class=Timestamptz,
        old_column_class=Timestamptz,
        schema=None,
    )

    return manager
