from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Date, Integer, Numeric, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-02T13:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "moratoria and caps of penalties as data entered by accountants"


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
    ("valid_from", Date, _params(default=None)),
    ("valid_to", Date, _params(default=None)),
    ("kind", Varchar, _params(default="", length=24)),
    ("rate", Numeric, _params(default=None, null=True, digits=(5, 2))),
    ("debts_before", Date, _params(default=None, null=True)),
    ("source", Varchar, _params(default="", length=255)),
    ("entered_by", Integer, _params(default=None, null=True)),
    ("created_at", Timestamptz, _params(default=TimestamptzNow())),
)


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="billing", description=DESCRIPTION
    )

    manager.add_table(
        class_name="PenaltyRule", tablename="penalty_rule", schema=None, columns=None
    )
    for name, column_class, params in COLUMNS:
        manager.add_column(
            table_class_name="PenaltyRule",
            tablename="penalty_rule",
            column_name=name,
            db_column_name=name,
            column_class_name=column_class.__name__,
            column_class=column_class,
            params=params,
            schema=None,
        )
    return manager
