from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from enum import Enum
from piccolo.columns.base import OnDelete
from piccolo.columns.base import OnUpdate
from piccolo.columns.column_types import ForeignKey
from piccolo.columns.column_types import Serial
from piccolo.columns.column_types import Timestamptz
from piccolo.columns.column_types import Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table


class User(Table, tablename="portal_user", schema=None):
    id = Serial(
        null=False,
        primary_key=True,
        unique=False,
        index=False,
        index_method=IndexMethod.btree,
        choices=None,
        db_column_name=None,
        secret=False,
    )


ID = "2026-12-01T20:44:00:751968"
VERSION = "1.38.0"
DESCRIPTION = ""


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="tickets", description=DESCRIPTION
    )

    manager.add_table(
        class_name="TicketSavedView",
        tablename="ticket_saved_view",
        schema=None,
        columns=None,
    )

    manager.add_column(
        table_class_name="TicketSavedView",
        tablename="ticket_saved_view",
        column_name="id",
        db_column_name="id",
        column_class_name="Serial",
        column_class=Serial,
        params={
            "null": False,
            "primary_key": True,
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
        table_class_name="TicketSavedView",
        tablename="ticket_saved_view",
        column_name="user",
        db_column_name="user",
        column_class_name="ForeignKey",
        column_class=ForeignKey,
        params={
            "references": User,
            "on_delete": OnDelete.cascade,
            "on_update": OnUpdate.cascade,
            "target_column": None,
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": True,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="TicketSavedView",
        tablename="ticket_saved_view",
        column_name="name",
        db_column_name="name",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 60,
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
        table_class_name="TicketSavedView",
        tablename="ticket_saved_view",
        column_name="query",
        db_column_name="query",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 1000,
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
        table_class_name="TicketSavedView",
        tablename="ticket_saved_view",
        column_name="created_at",
        db_column_name="created_at",
        column_class_name="Timestamptz",
        column_class=Timestamptz,
        params={
            "default": TimestamptzNow(),
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
        table_class_name="Outage",
        tablename="outage",
        column_name="service",
        db_column_name="service",
        params={
            "choices": Enum(
                "OutageService",
                {
                    "COLD_WATER": "cold_water",
                    "HOT_WATER": "hot_water",
                    "HEATING": "heating",
                    "ELECTRICITY": "electricity",
                    "GAS": "gas",
                    "SEWERAGE": "sewerage",
                    "LIFT": "lift",
                    "OTHER": "other",
                },
            )
        },
        old_params={"choices": None},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    manager.alter_column(
        table_class_name="Ticket",
        tablename="ticket",
        column_name="place",
        db_column_name="place",
        params={
            "choices": Enum(
                "Place",
                {
                    "PREMISE": "premise",
                    "ENTRANCE": "entrance",
                    "LIFT": "lift",
                    "YARD": "yard",
                    "ROOF": "roof",
                    "BASEMENT": "basement",
                },
            )
        },
        old_params={"choices": None},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    manager.alter_column(
        table_class_name="Ticket",
        tablename="ticket",
        column_name="type",
        db_column_name="type",
        params={
            "choices": Enum(
                "TicketType",
                {
                    "EMERGENCY": "emergency",
                    "ORDINARY": "ordinary",
                    "PLANNED": "planned",
                    "PAID": "paid",
                    "COMPLAINT": "complaint",
                    "WARRANTY": "warranty",
                    "CONSULTATION": "consultation",
                },
            )
        },
        old_params={"choices": None},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    manager.alter_column(
        table_class_name="Ticket",
        tablename="ticket",
        column_name="status",
        db_column_name="status",
        params={
            "choices": Enum(
                "Status",
                {
                    "NEW": "new",
                    "ACCEPTED": "accepted",
                    "IN_WORK": "in_work",
                    "DONE": "done",
                    "CLOSED": "closed",
                    "CANCELLED": "cancelled",
                    "REOPENED": "reopened",
                },
            )
        },
        old_params={"choices": None},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    manager.alter_column(
        table_class_name="Ticket",
        tablename="ticket",
        column_name="internal_status",
        db_column_name="internal_status",
        params={
            "choices": Enum(
                "InternalStatus",
                {
                    "NONE": "",
                    "WAITING_ACCESS": "waiting_access",
                    "WAITING_PARTS": "waiting_parts",
                    "CONTRACTOR": "contractor",
                    "INSPECTION": "inspection",
                    "ESCALATED": "escalated",
                },
            )
        },
        old_params={"choices": None},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    manager.alter_column(
        table_class_name="Ticket",
        tablename="ticket",
        column_name="source",
        db_column_name="source",
        params={
            "choices": Enum(
                "Source",
                {
                    "PORTAL": "portal",
                    "PHONE": "phone",
                    "EMAIL": "email",
                    "WALK_IN": "walk_in",
                    "CALL_CENTRE": "call_centre",
                },
            )
        },
        old_params={"choices": None},
        column_class=Varchar,
        old_column_class=Varchar,
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
        old_params={"choices": None},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    return manager
