from piccolo.conf.apps import AppConfig

from portal.core.tables import AuditEvent, JobRun, OutboxMessage
from portal.settings import ROOT

APP_CONFIG = AppConfig(
    app_name="core",
    migrations_folder_path=str(ROOT / "migrations" / "core"),
    table_classes=[JobRun, OutboxMessage, AuditEvent],
    migration_dependencies=[],
    commands=[],
)
