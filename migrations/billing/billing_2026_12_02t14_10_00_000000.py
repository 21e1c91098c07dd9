from decimal import Decimal

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import BigInt, Numeric
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-02T14:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "the parts of a charge the ЕПД shows: volume for common needs, increasing coefficient, benefits"


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
    ("volume_common", Numeric, _params(default=Decimal("0"), digits=(14, 4))),
    ("coefficient", Numeric, _params(default=Decimal("0"), digits=(6, 2))),
    ("coefficient_kopecks", BigInt, _params(default=0)),
    ("benefit_kopecks", BigInt, _params(default=0)),
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="billing", description=DESCRIPTION)
    for name, column_class, params in COLUMNS:
        manager.add_column(
            table_class_name="Charge",
            tablename="charge",
            column_name=name,
            db_column_name=name,
            column_class_name=column_class.__name__,
            column_class=column_class,
            params=params,
            schema=None,
        )
    return manager
