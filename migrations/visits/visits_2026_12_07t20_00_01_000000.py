"""What the migration before made by raw SQL (a visit's ``user`` may be empty), told to Piccolo's migration snapshot
so that ``piccolo migrations new visits --auto`` writes only a new change. Faked: it runs nothing on a database
(``fake=True``); ``tests/core/test_migration_snapshot.py`` keeps the snapshot in step."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import ForeignKey

ID = "2026-12-07T20:00:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "snapshot of the raw migration (faked)"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="visits", description=DESCRIPTION, fake=True)
    manager.alter_column(
        table_class_name="Visit",
        tablename="client_visit",
        column_name="user",
        db_column_name="user",
        params={"null": True},
        old_params={"null": False},
        column_class=ForeignKey,
        old_column_class=ForeignKey,
        schema=None,
    )
    return manager
