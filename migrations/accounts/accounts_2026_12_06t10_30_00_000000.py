"""An invitation keeps the language its inviter chose for it: the letter's, and the invited person's saved language
once they accept. Links issued before have none (empty): an invitation among them is accepted in the language of the
page, as before."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-06T10:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "invitations keep the language chosen for them"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="accounts", description=DESCRIPTION)

    manager.add_column(
        table_class_name="OneTimeToken",
        tablename="auth_token",
        column_name="locale",
        db_column_name="locale",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 8,
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
