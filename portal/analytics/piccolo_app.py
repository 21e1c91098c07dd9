from piccolo.conf.apps import AppConfig

from portal.analytics.tables import KpiBonus, KpiMonth, NpsAnswer, NpsWave
from portal.settings import ROOT

APP_CONFIG = AppConfig(
    app_name="analytics",
    migrations_folder_path=str(ROOT / "migrations" / "analytics"),
    table_classes=[NpsWave, NpsAnswer, KpiMonth, KpiBonus],
    migration_dependencies=["portal.tickets.piccolo_app", "portal.billing.piccolo_app"],
    commands=[],
)
