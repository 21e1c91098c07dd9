"""The day of a meter's last verification, as staff record it from the technician's paper."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Date
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-06T00:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "the day of a meter's last verification"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="meters", description=DESCRIPTION)
    manager.add_column(
        table_class_name="Meter",
        tablename="meter",
        column_name="verified_on",
        db_column_name="verified_on",
        column_class_name="Date",
        column_class=Date,
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

    return manager
