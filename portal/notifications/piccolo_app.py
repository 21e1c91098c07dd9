from piccolo.conf.apps import AppConfig

from portal.notifications.tables import ChannelChoice, PushSubscription
from portal.settings import ROOT

APP_CONFIG = AppConfig(
    app_name="notifications",
    migrations_folder_path=str(ROOT / "migrations" / "notifications"),
    table_classes=[ChannelChoice, PushSubscription],
    migration_dependencies=["portal.accounts.piccolo_app"],
    commands=[],
)
