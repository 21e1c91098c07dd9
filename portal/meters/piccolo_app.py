from piccolo.conf.apps import AppConfig

from portal.meters.tables import HouseMeter, HouseReading, Meter, MeterReading, MeterReminder
from portal.settings import ROOT

APP_CONFIG = AppConfig(
    app_name="meters",
    migrations_folder_path=str(ROOT / "migrations" / "meters"),
    table_classes=[Meter, MeterReading, HouseMeter, HouseReading, MeterReminder],
    migration_dependencies=["portal.accounts.piccolo_app"],
    commands=[],
)
