from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar

ID = "2026-12-06T09:54:13:682564"
VERSION = "1.38.0"
DESCRIPTION = "outbox messages indexed by template, for the deletion of those carrying one-time links"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="core", description=DESCRIPTION
    )

    manager.alter_column(
        table_class_name="OutboxMessage",
        tablename="outbox_message",
        column_name="template",
        db_column_name="template",
        params={"index": True},
        old_params={"index": False},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    return manager
