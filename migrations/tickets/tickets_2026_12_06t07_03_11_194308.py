"""What earlier migrations of this app made by raw SQL (``add_raw``), told to Piccolo's migration snapshot so that
``piccolo migrations new <app> --auto`` compares the tables with what the database holds and writes only the new
change. Faked: it runs nothing on a database (``fake=True``); ``tests/core/test_migration_snapshot.py`` keeps the
snapshot in step."""

from enum import Enum

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Boolean
from piccolo.columns.column_types import Text
from piccolo.columns.column_types import Timestamptz
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-06T07:03:11:194308"
VERSION = "1.38.0"
DESCRIPTION = "snapshot of the raw migrations (faked)"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="tickets", description=DESCRIPTION, fake=True)

    manager.add_column(
        table_class_name="Ticket",
        tablename="ticket",
        column_name="confirmed_by_resident",
        db_column_name="confirmed_by_resident",
        column_class_name="Boolean",
        column_class=Boolean,
        params={
            "default": False,
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

    manager.add_column(
        table_class_name="Ticket",
        tablename="ticket",
        column_name="damage_at",
        db_column_name="damage_at",
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

    manager.add_column(
        table_class_name="Ticket",
        tablename="ticket",
        column_name="description_en",
        db_column_name="description_en",
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

    manager.add_column(
        table_class_name="TicketEvent",
        tablename="ticket_event",
        column_name="comment_en",
        db_column_name="comment_en",
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

    manager.alter_column(
        table_class_name="TicketEvent",
        tablename="ticket_event",
        column_name="kind",
        db_column_name="kind",
        params={
            "choices": Enum(
                "EventKind",
                {
                    "CREATED": "created",
                    "STATUS": "status",
                    "EXECUTOR": "executor",
                    "TYPE": "type",
                    "CATEGORY": "category",
                    "DEADLINE": "deadline",
                    "CONTROL_DATE": "control_date",
                    "DAMAGE_AT": "damage_at",
                    "FLAG": "flag",
                    "INTERNAL_STATUS": "internal_status",
                    "MESSAGE": "message",
                    "NOTE": "note",
                    "RATING": "rating",
                    "OUTAGE": "outage",
                    "PHOTO": "photo",
                },
            )
        },
        old_params={
            "choices": Enum(
                "EventKind",
                {
                    "CREATED": "created",
                    "STATUS": "status",
                    "EXECUTOR": "executor",
                    "TYPE": "type",
                    "CATEGORY": "category",
                    "DEADLINE": "deadline",
                    "CONTROL_DATE": "control_date",
                    "FLAG": "flag",
                    "INTERNAL_STATUS": "internal_status",
                    "MESSAGE": "message",
                    "NOTE": "note",
                    "RATING": "rating",
                    "OUTAGE": "outage",
                    "PHOTO": "photo",
                },
            )
        },
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    return manager
