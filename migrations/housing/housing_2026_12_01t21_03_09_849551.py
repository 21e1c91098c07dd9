from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from enum import Enum
from piccolo.columns.column_types import Varchar

ID = "2026-12-01T21:03:09:849551"
VERSION = "1.38.0"
DESCRIPTION = "kinds of premises, owners and risers as choices"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="housing", description=DESCRIPTION
    )

    manager.alter_column(
        table_class_name="Riser",
        tablename="riser",
        column_name="kind",
        db_column_name="kind",
        params={
            "choices": Enum(
                "RiserKind",
                {
                    "COLD_WATER": "cold_water",
                    "HOT_WATER": "hot_water",
                    "HEATING": "heating",
                    "SEWERAGE": "sewerage",
                },
            )
        },
        old_params={"choices": None},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    manager.alter_column(
        table_class_name="Premise",
        tablename="premise",
        column_name="kind",
        db_column_name="kind",
        params={
            "choices": Enum(
                "PremiseKind",
                {
                    "FLAT": "flat",
                    "NONRESIDENTIAL": "nonresidential",
                    "PARKING": "parking",
                    "STORAGE": "storage",
                },
            )
        },
        old_params={"choices": None},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    manager.alter_column(
        table_class_name="Owner",
        tablename="owner",
        column_name="kind",
        db_column_name="kind",
        params={
            "choices": Enum(
                "OwnerKind", {"PERSON": "person", "ORGANISATION": "organisation"}
            )
        },
        old_params={"choices": None},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    return manager
