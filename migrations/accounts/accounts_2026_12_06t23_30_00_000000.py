"""A personal data request keeps the answer staff gave the person: a correction's result, or why it was refused
(152-ФЗ ст. 20 ч. 3, ст. 21 ч. 3). Empty on every existing request."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Text
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-06T23:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "personal data requests keep the answer given to the person"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="accounts", description=DESCRIPTION)

    manager.add_column(
        table_class_name="DataRequest",
        tablename="personal_data_request",
        column_name="answer",
        db_column_name="answer",
        column_class_name="Text",
        column_class=Text,
        params={
            "default": "",
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
