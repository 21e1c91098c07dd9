from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Timestamptz
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-06T13:00:18:892637"
VERSION = "1.38.0"
DESCRIPTION = "the day a visitor's name and phone were deleted at the end of their keeping term"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="showcase", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="Lead",
        tablename="lead",
        column_name="erased_at",
        db_column_name="erased_at",
        column_class_name="Timestamptz",
        column_class=Timestamptz,
        params={
            "default": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": True,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    return manager
