from piccolo.conf.apps import AppConfig

from portal.settings import ROOT

APP_CONFIG = AppConfig(
    app_name="billing",
    migrations_folder_path=str(ROOT / "migrations" / "billing"),
    table_classes=[],
    migration_dependencies=["portal.accounts.piccolo_app"],
    commands=[],
)
