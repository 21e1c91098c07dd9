from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Numeric
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-02T13:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "the room temperature measured during a heating outage"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="tickets", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="Outage",
        tablename="outage",
        column_name="room_temperature",
        db_column_name="room_temperature",
        column_class_name="Numeric",
        column_class=Numeric,
        params={
            "default": None,
            "digits": (4, 1),
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
