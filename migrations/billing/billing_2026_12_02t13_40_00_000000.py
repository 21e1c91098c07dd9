from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import Date, ForeignKey, Integer, Numeric, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table

ID = "2026-12-02T13:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "interruptions of utilities beyond the permitted ones and the reduction of the charge"


class PersonalAccount(Table, tablename="personal_account", schema=None):
    id = Serial(null=False, primary_key=True, unique=False, index=False, index_method=IndexMethod.btree, choices=None, db_column_name="id", secret=False)


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


COLUMNS = (
    ("id", Serial, _params(primary_key=True)),
    ("outage", Integer, _params(default=0, index=True)),
    (
        "account",
        ForeignKey,
        _params(
            references=PersonalAccount,
            on_delete=OnDelete.restrict,
            on_update=OnUpdate.cascade,
            target_column=None,
            index=True,
            default=None,
        ),
    ),
    ("period", Date, _params(default=None, index=True)),
    ("service", Varchar, _params(default="", length=16)),
    ("started_at", Timestamptz, _params(default=None)),
    ("ended_at", Timestamptz, _params(default=None)),
    ("outage_hours", Numeric, _params(default=None, digits=(8, 2))),
    ("permitted_hours", Numeric, _params(default=None, null=True, digits=(6, 2))),
    ("hours_beyond", Numeric, _params(default=None, digits=(8, 2))),
    ("percent", Numeric, _params(default=None, digits=(8, 4))),
    ("created_at", Timestamptz, _params(default=TimestamptzNow())),
)


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="billing", description=DESCRIPTION
    )

    manager.add_table(
        class_name="OutageReduction", tablename="outage_reduction", schema=None, columns=None
    )
    for name, column_class, params in COLUMNS:
        manager.add_column(
            table_class_name="OutageReduction",
            tablename="outage_reduction",
            column_name=name,
            db_column_name=name,
            column_class_name=column_class.__name__,
            column_class=column_class,
            params=params,
            schema=None,
        )
    return manager
