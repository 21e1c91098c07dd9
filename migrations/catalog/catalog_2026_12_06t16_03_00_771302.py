from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar

ID = "2026-12-06T16:03:00:771302"
VERSION = "1.38.0"
DESCRIPTION = "storage keys indexed: the files no row refers to are found by them"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="catalog", description=DESCRIPTION
    )

    manager.alter_column(
        table_class_name="PaidService",
        tablename="paid_service",
        column_name="photo_key",
        db_column_name="photo_key",
        params={"index": True},
        old_params={"index": False},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    return manager
