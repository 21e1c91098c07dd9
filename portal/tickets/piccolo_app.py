from piccolo.conf.apps import AppConfig

from portal.settings import ROOT
from portal.tickets.tables import (
    Outage,
    Ticket,
    TicketAttachment,
    TicketCounter,
    TicketEvent,
    TicketListColumns,
    TicketSavedView,
)

APP_CONFIG = AppConfig(
    app_name="tickets",
    migrations_folder_path=str(ROOT / "migrations" / "tickets"),
    table_classes=[Outage, Ticket, TicketEvent, TicketAttachment, TicketCounter, TicketListColumns, TicketSavedView],
    migration_dependencies=["portal.accounts.piccolo_app"],
    commands=[],
)
