"""The duties towards a data subject with their deadlines (152-ФЗ): erasure after a withdrawal, access
requests, corrections. The table is created from a snapshot of its definition, on either engine."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns import Date, ForeignKey, Serial, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

ID = "2026-12-02T13:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "personal data requests"


class User(Table, tablename="portal_user"):
    id = Serial(primary_key=True)


class DataRequest(Table, tablename="personal_data_request"):
    id = Serial(primary_key=True)
    user = ForeignKey(User, on_delete=OnDelete.restrict, null=False, index=True)
    kind = Varchar(length=16, index=True)
    received_at = Timestamptz(default=TimestamptzNow())
    due_on = Date(index=True)
    details = Text(default="")
    done_at = Timestamptz(null=True, default=None, index=True)
    outcome = Varchar(length=16, default="")
    done_by = ForeignKey(User, on_delete=OnDelete.set_null, null=True, default=None)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="accounts", description=DESCRIPTION)

    async def create() -> None:
        await DataRequest.create_table(if_not_exists=True)

    manager.add_raw(create)
    return manager
