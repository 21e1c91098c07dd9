from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar

ID = "2026-12-06T16:03:08:157977"
VERSION = "1.38.0"
DESCRIPTION = "storage keys indexed: the files no row refers to are found by them"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="meetings", description=DESCRIPTION
    )

    manager.alter_column(
        table_class_name="AgendaItem",
        tablename="agenda_item",
        column_name="material_key",
        db_column_name="material_key",
        params={"index": True},
        old_params={"index": False},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    manager.alter_column(
        table_class_name="Ballot",
        tablename="ballot",
        column_name="scan_key",
        db_column_name="scan_key",
        params={"index": True},
        old_params={"index": False},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    return manager
