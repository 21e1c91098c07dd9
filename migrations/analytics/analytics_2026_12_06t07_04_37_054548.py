"""What earlier migrations of this app made by raw SQL (``add_raw``), told to Piccolo's migration snapshot so that
``piccolo migrations new <app> --auto`` compares the tables with what the database holds and writes only the new
change. Faked: it runs nothing on a database (``fake=True``); ``tests/core/test_migration_snapshot.py`` keeps the
snapshot in step."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import BigInt
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-06T07:04:37:054548"
VERSION = "1.38.0"
DESCRIPTION = "snapshot of the raw migrations (faked)"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="analytics", description=DESCRIPTION, fake=True)

    manager.add_column(
        table_class_name="HouseMonth",
        tablename="analytics_house_month",
        column_name="corrections_kopecks",
        db_column_name="corrections_kopecks",
        column_class_name="BigInt",
        column_class=BigInt,
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
