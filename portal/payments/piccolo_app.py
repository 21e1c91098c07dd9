from piccolo.conf.apps import AppConfig

from portal.settings import ROOT

APP_CONFIG = AppConfig(
    app_name="payments",
    migrations_folder_path=str(ROOT / "migrations" / "payments"),
    table_classes=[],
    migration_dependencies=["portal.billing.piccolo_app"],
    commands=[],
)
