from piccolo.conf.apps import AppConfig

from portal.catalog.tables import (
    Order,
    OrderDocument,
    OrderItem,
    PaidService,
    ServiceAvailability,
    ServiceCategory,
)
from portal.settings import ROOT

APP_CONFIG = AppConfig(
    app_name="catalog",
    migrations_folder_path=str(ROOT / "migrations" / "catalog"),
    table_classes=[ServiceCategory, PaidService, ServiceAvailability, Order, OrderItem, OrderDocument],
    migration_dependencies=[
        "portal.accounts.piccolo_app",
        "portal.housing.piccolo_app",
        "portal.tickets.piccolo_app",
    ],
    commands=[],
)
