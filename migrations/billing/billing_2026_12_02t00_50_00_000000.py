from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Date, Integer, Numeric, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from decimal import Decimal

ID = "2026-12-02T00:50:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "the key rate as data entered by accountants"


def _params(**extra):
    return {
        "null": False,
        "primary_key": False,
        "unique": False,
        "index": False,
        "index_method": IndexMethod.btree,
        "choices": None,
        "db_column_name": None,
        "secret": False,
        **extra,
    }


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="billing", description=DESCRIPTION
    )

    manager.add_table(
        class_name="KeyRate", tablename="key_rate", schema=None, columns=None
    )

    manager.add_column(
        table_class_name="KeyRate",
        tablename="key_rate",
        column_name="id",
        db_column_name="id",
        column_class_name="Serial",
        column_class=Serial,
        params=_params(primary_key=True),
        schema=None,
    )
    manager.add_column(
        table_class_name="KeyRate",
        tablename="key_rate",
        column_name="valid_from",
        db_column_name="valid_from",
        column_class_name="Date",
        column_class=Date,
        params=_params(default=None, unique=True),
        schema=None,
    )
    manager.add_column(
        table_class_name="KeyRate",
        tablename="key_rate",
        column_name="rate",
        db_column_name="rate",
        column_class_name="Numeric",
        column_class=Numeric,
        params=_params(default=Decimal("0"), digits=(5, 2)),
        schema=None,
    )
    manager.add_column(
        table_class_name="KeyRate",
        tablename="key_rate",
        column_name="source",
        db_column_name="source",
        column_class_name="Varchar",
        column_class=Varchar,
        params=_params(default="", length=255),
        schema=None,
    )
    manager.add_column(
        table_class_name="KeyRate",
        tablename="key_rate",
        column_name="entered_by",
        db_column_name="entered_by",
        column_class_name="Integer",
        column_class=Integer,
        params=_params(default=None, null=True),
        schema=None,
    )
    manager.add_column(
        table_class_name="KeyRate",
        tablename="key_rate",
        column_name="created_at",
        db_column_name="created_at",
        column_class_name="Timestamptz",
        column_class=Timestamptz,
        params=_params(default=TimestamptzNow()),
        schema=None,
    )

    return manager
