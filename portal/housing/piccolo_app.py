from piccolo.conf.apps import AppConfig

from portal.housing.tables import TABLES
from portal.settings import ROOT

APP_CONFIG = AppConfig(
    app_name="housing",
    migrations_folder_path=str(ROOT / "migrations" / "housing"),
    table_classes=list(TABLES),
    migration_dependencies=["portal.core.piccolo_app"],
    commands=[],
)
