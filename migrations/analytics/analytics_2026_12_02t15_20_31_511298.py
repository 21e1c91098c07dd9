"""The KPI month keeps the share of works in the acts matching requests that a manager entered."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Numeric
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-02T15:20:31:511298"
VERSION = "1.38.0"
DESCRIPTION = "the works in the acts a manager entered, kept to show again"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="analytics", description=DESCRIPTION)

    manager.add_column(
        table_class_name="KpiMonth",
        tablename="kpi_month",
        column_name="acts_pct",
        db_column_name="acts_pct",
        column_class_name="Numeric",
        column_class=Numeric,
        params={
            "default": None,
            "digits": (5, 1),
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
