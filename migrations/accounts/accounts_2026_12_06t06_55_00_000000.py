"""When an administrator last changed a staff member's roles, houses or activity: the staff user form carries it,
and a save of a form read before another administrator's change is refused, not written over it. Existing users
start with none (NULL)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Timestamptz
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-06T06:55:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "staff users keep when their scope last changed, for the staff user form"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="accounts", description=DESCRIPTION)

    manager.add_column(
        table_class_name="User",
        tablename="portal_user",
        column_name="scope_changed_at",
        db_column_name="scope_changed_at",
        column_class_name="Timestamptz",
        column_class=Timestamptz,
        params={
            "default": None,
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
