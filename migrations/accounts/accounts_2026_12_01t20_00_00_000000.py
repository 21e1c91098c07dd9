"""The user's principal version (the triggers that raise it come in the next migration, since Piccolo runs a
migration's raw statements before its column changes)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Integer
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-01T20:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "principal version"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="accounts", description=DESCRIPTION)
    manager.add_column(
        table_class_name="User",
        tablename="portal_user",
        column_name="principal_version",
        db_column_name="principal_version",
        column_class_name="Integer",
        column_class=Integer,
        params={
            "default": 0,
            "null": False,
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
