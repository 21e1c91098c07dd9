from piccolo.conf.apps import AppConfig

from portal.settings import ROOT
from portal.showcase.tables import Lead, Listing, ListingOffer, ListingPhoto

APP_CONFIG = AppConfig(
    app_name="showcase",
    migrations_folder_path=str(ROOT / "migrations" / "showcase"),
    table_classes=[Listing, ListingPhoto, Lead, ListingOffer],
    migration_dependencies=["portal.accounts.piccolo_app", "portal.housing.piccolo_app"],
    commands=[],
)
