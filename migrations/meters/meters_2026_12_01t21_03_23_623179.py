from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from enum import Enum
from piccolo.columns.column_types import Varchar

ID = "2026-12-01T21:03:23:623179"
VERSION = "1.38.0"
DESCRIPTION = "meter services and reading sources as choices"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="meters", description=DESCRIPTION
    )

    manager.alter_column(
        table_class_name="Meter",
        tablename="meter",
        column_name="service",
        db_column_name="service",
        params={
            "choices": Enum(
                "Service",
                {
                    "COLD_WATER": "cold_water",
                    "HOT_WATER": "hot_water",
                    "ELECTRICITY": "electricity",
                    "HEATING": "heating",
                },
            )
        },
        old_params={"choices": None},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    manager.alter_column(
        table_class_name="MeterReading",
        tablename="meter_reading",
        column_name="source",
        db_column_name="source",
        params={"choices": Enum("Source", {"PORTAL": "portal"})},
        old_params={"choices": None},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    return manager
