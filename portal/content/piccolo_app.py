from piccolo.conf.apps import AppConfig

from portal.content.tables import Post, PostImage, PostRead, PostTarget
from portal.settings import ROOT

APP_CONFIG = AppConfig(
    app_name="content",
    migrations_folder_path=str(ROOT / "migrations" / "content"),
    table_classes=[Post, PostTarget, PostImage, PostRead],
    migration_dependencies=["portal.accounts.piccolo_app", "portal.housing.piccolo_app"],
    commands=[],
)
