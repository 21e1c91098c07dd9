from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar

ID = "2026-12-06T16:21:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "storage keys indexed: the files no row refers to are found by them"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="showcase", description=DESCRIPTION
    )

    manager.alter_column(
        table_class_name="ListingPhoto",
        tablename="listing_photo",
        column_name="key",
        db_column_name="key",
        params={"index": True},
        old_params={"index": False},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    manager.alter_column(
        table_class_name="ListingPhoto",
        tablename="listing_photo",
        column_name="thumb_key",
        db_column_name="thumb_key",
        params={"index": True},
        old_params={"index": False},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    return manager
