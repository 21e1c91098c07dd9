from piccolo.conf.apps import AppConfig

from portal.accounts.tables import (
    AccessCode,
    AttemptCounter,
    ConsentRecord,
    DataRequest,
    OneTimeToken,
    Residency,
    StaffHouse,
    User,
    UserRole,
)
from portal.settings import ROOT

APP_CONFIG = AppConfig(
    app_name="accounts",
    migrations_folder_path=str(ROOT / "migrations" / "accounts"),
    table_classes=[
        User,
        UserRole,
        StaffHouse,
        Residency,
        ConsentRecord,
        DataRequest,
        AccessCode,
        OneTimeToken,
        AttemptCounter,
    ],
    migration_dependencies=["portal.housing.piccolo_app"],
    commands=[],
)
